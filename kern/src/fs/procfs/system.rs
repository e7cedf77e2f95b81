//! The system-wide files of `/proc`, formatted as Linux 6.x formats them.
//!
//! Each formatter writes into memory and so cannot fail; they return `fmt::Result` only
//! so that `?` keeps them short.

use std::fmt::{self, Write};

use super::{Global, SystemInfo};

/// An in-memory output buffer that takes both text and raw bytes (paths, names).
#[derive(Default)]
pub(super) struct Out(pub(super) Vec<u8>);

impl Write for Out {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl Out {
    /// Appends raw bytes.
    pub(super) fn bytes(&mut self, b: &[u8]) -> fmt::Result {
        self.0.extend_from_slice(b);
        Ok(())
    }

    /// Appends `s` with the characters of `special` written as `\ooo`, as the kernel's
    /// `seq_escape` does for mount tables (so spaces cannot split fields).
    pub(super) fn escaped(&mut self, s: &[u8], special: &[u8]) -> fmt::Result {
        for &c in s {
            if special.contains(&c) {
                write!(self, "\\{c:03o}")?;
            } else {
                self.0.push(c);
            }
        }
        Ok(())
    }

    /// The bytes written, whatever the formatting said (writing to memory cannot fail).
    pub(super) fn finish(self, _result: fmt::Result) -> Vec<u8> {
        self.0
    }
}

/// The file systems `/proc/filesystems` lists: whether they need no device, and name.
const FILESYSTEMS: [(bool, &str); 6] = [
    (true, "sysfs"),
    (true, "tmpfs"),
    (true, "proc"),
    (true, "devtmpfs"),
    (true, "devpts"),
    (false, "ext2"),
];

/// Characters the mount table escapes (`mangle` in fs/proc_namespace.c).
const MOUNT_SPECIAL: &[u8] = b" \t\n\\#";

/// x86_64's `VMALLOC_TOTAL` in KiB, a constant of the architecture.
const VMALLOC_TOTAL_KB: u64 = 34_359_738_367;

/// The content of a system-wide file.
pub(super) fn render(file: Global, sys: &SystemInfo) -> Vec<u8> {
    let mut o = Out::default();
    let r = match file {
        Global::Cmdline => line(&mut o, &sys.cmdline),
        Global::Cpuinfo => cpuinfo(&mut o, sys),
        Global::Filesystems => filesystems(&mut o),
        Global::Loadavg => loadavg(&mut o, sys),
        Global::Meminfo => meminfo(&mut o, sys),
        Global::Stat => stat(&mut o, sys),
        Global::Uptime => uptime(&mut o, sys),
        Global::Version => line(&mut o, &sys.version),
    };
    o.finish(r)
}

/// `/proc/PID/mounts` (and `/proc/mounts` through its symlink): one
/// `device mountpoint type options 0 0` line per mount.
pub(super) fn mounts(sys: &SystemInfo) -> Vec<u8> {
    let mut o = Out::default();
    let r = (|| {
        for (dev, at, kind, opts) in &sys.mounts {
            o.escaped(dev, MOUNT_SPECIAL)?;
            o.bytes(b" ")?;
            o.escaped(at, MOUNT_SPECIAL)?;
            o.bytes(b" ")?;
            o.escaped(kind.as_bytes(), MOUNT_SPECIAL)?;
            o.bytes(b" ")?;
            o.escaped(opts, MOUNT_SPECIAL)?;
            o.bytes(b" 0 0\n")?;
        }
        Ok(())
    })();
    o.finish(r)
}

/// `text` and a newline, unless it already ends in one.
fn line(o: &mut Out, text: &[u8]) -> fmt::Result {
    o.bytes(text)?;
    if !text.ends_with(b"\n") {
        o.bytes(b"\n")?;
    }
    Ok(())
}

fn filesystems(o: &mut Out) -> fmt::Result {
    for (nodev, name) in FILESYSTEMS {
        writeln!(o, "{}\t{name}", if nodev { "nodev" } else { "" })?;
    }
    Ok(())
}

/// A non-negative finite value, or 0 (sources may hand in NaN).
fn sane(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

/// `/proc/loadavg`: three averages, runnable/total tasks, the last pid.
fn loadavg(o: &mut Out, sys: &SystemInfo) -> fmt::Result {
    for avg in sys.loadavg {
        // Linux keeps averages in 11-bit fixed point and adds FIXED_1/200 before
        // truncating to two decimals; doing the same gives the same digits.
        let fixed = ((sane(avg) * 2048.0) as u64).saturating_add(10);
        write!(o, "{}.{:02} ", fixed >> 11, ((fixed & 2047) * 100) >> 11)?;
    }
    writeln!(o, "{}/{} {}", sys.running, sys.total_tasks, sys.last_pid)
}

/// Seconds and hundredths, as `/proc/uptime` shows a duration.
fn centis(o: &mut Out, ns: u64) -> fmt::Result {
    write!(
        o,
        "{}.{:02}",
        ns / 1_000_000_000,
        ns % 1_000_000_000 / 10_000_000
    )
}

fn uptime(o: &mut Out, sys: &SystemInfo) -> fmt::Result {
    centis(o, sys.uptime_ns)?;
    o.bytes(b" ")?;
    centis(o, sys.idle_ns)?;
    o.bytes(b"\n")
}

/// One `cpu` line: user nice system idle, then iowait irq softirq steal guest
/// guest_nice, which this kernel does not track.
fn cpu_line(o: &mut Out, ticks: [u64; 4]) -> fmt::Result {
    for t in ticks {
        write!(o, " {t}")?;
    }
    o.bytes(b" 0 0 0 0 0 0\n")
}

/// `/proc/stat`.
fn stat(o: &mut Out, sys: &SystemInfo) -> fmt::Result {
    let mut total = [0u64; 4];
    for cpu in &sys.cpu_ticks {
        for (sum, t) in total.iter_mut().zip(cpu) {
            *sum = sum.saturating_add(*t);
        }
    }
    o.bytes(b"cpu ")?;
    cpu_line(o, total)?;
    for (i, cpu) in sys.cpu_ticks.iter().enumerate() {
        write!(o, "cpu{i}")?;
        cpu_line(o, *cpu)?;
    }

    writeln!(o, "intr 0")?;
    writeln!(o, "ctxt {}", sys.ctxt)?;
    writeln!(o, "btime {}", sys.boot_time_secs)?;
    writeln!(o, "processes {}", sys.processes_forked)?;
    writeln!(o, "procs_running {}", sys.running)?;
    writeln!(o, "procs_blocked 0")?;
    writeln!(o, "softirq 0 0 0 0 0 0 0 0 0 0 0")
}

/// One `Label:   12345 kB` line: the label and colon padded to 16, the value to 8.
fn kb(o: &mut Out, label: &str, kib: u64) -> fmt::Result {
    writeln!(o, "{:<16}{kib:>8} kB", format!("{label}:"))
}

/// `/proc/meminfo`, every line of Linux 6.x on x86_64 in its order. What this kernel
/// does not track is 0; the LRU split is derived so that its sums agree with the rest.
fn meminfo(o: &mut Out, sys: &SystemInfo) -> fmt::Result {
    let total = sys.mem_total_bytes / 1024;
    let free = sys.mem_free_bytes / 1024;
    let buffers = sys.buffers_bytes / 1024;
    let cached = sys.cached_bytes / 1024;
    let shmem = sys.shmem_bytes / 1024;
    let anon = total
        .saturating_sub(free)
        .saturating_sub(buffers)
        .saturating_sub(cached);
    let file_lru = buffers.saturating_add(cached).saturating_sub(shmem);

    kb(o, "MemTotal", total)?;
    kb(o, "MemFree", free)?;
    kb(o, "MemAvailable", sys.mem_available_bytes / 1024)?;
    kb(o, "Buffers", buffers)?;
    kb(o, "Cached", cached)?;
    kb(o, "SwapCached", 0)?;
    kb(o, "Active", anon)?;
    kb(o, "Inactive", shmem.saturating_add(file_lru))?;
    kb(o, "Active(anon)", anon)?;
    kb(o, "Inactive(anon)", shmem)?;
    kb(o, "Active(file)", 0)?;
    kb(o, "Inactive(file)", file_lru)?;
    kb(o, "Unevictable", 0)?;
    kb(o, "Mlocked", 0)?;
    kb(o, "SwapTotal", 0)?;
    kb(o, "SwapFree", 0)?;
    kb(o, "Zswap", 0)?;
    kb(o, "Zswapped", 0)?;
    kb(o, "Dirty", sys.dirty_bytes / 1024)?;
    kb(o, "Writeback", 0)?;
    kb(o, "AnonPages", anon)?;
    kb(o, "Mapped", sys.mapped_bytes / 1024)?;
    kb(o, "Shmem", shmem)?;
    kb(o, "KReclaimable", 0)?;
    kb(o, "Slab", 0)?;
    kb(o, "SReclaimable", 0)?;
    kb(o, "SUnreclaim", 0)?;
    kb(o, "KernelStack", 0)?;
    kb(o, "PageTables", 0)?;
    kb(o, "SecPageTables", 0)?;
    kb(o, "NFS_Unstable", 0)?;
    kb(o, "Bounce", 0)?;
    kb(o, "WritebackTmp", 0)?;
    // No swap and the default overcommit_ratio of 50.
    kb(o, "CommitLimit", total / 2)?;
    kb(o, "Committed_AS", anon)?;
    kb(o, "VmallocTotal", VMALLOC_TOTAL_KB)?;
    kb(o, "VmallocUsed", 0)?;
    kb(o, "VmallocChunk", 0)?;
    kb(o, "Percpu", 0)?;
    kb(o, "AnonHugePages", 0)?;
    kb(o, "ShmemHugePages", 0)?;
    kb(o, "ShmemPmdMapped", 0)?;
    kb(o, "FileHugePages", 0)?;
    kb(o, "FilePmdMapped", 0)?;
    // hugetlb_report_meminfo's own layout.
    writeln!(o, "HugePages_Total:   {:>5}", 0)?;
    writeln!(o, "HugePages_Free:    {:>5}", 0)?;
    writeln!(o, "HugePages_Rsvd:    {:>5}", 0)?;
    writeln!(o, "HugePages_Surp:    {:>5}", 0)?;
    kb(o, "Hugepagesize", 2048)?;
    kb(o, "Hugetlb", 0)
}

/// `/proc/cpuinfo`: one block per CPU in the layout of arch/x86/kernel/cpu/proc.c.
fn cpuinfo(o: &mut Out, sys: &SystemInfo) -> fmt::Result {
    let n = sys.ncpus.max(1);
    let or_unknown = |s: &[u8]| {
        if s.is_empty() {
            b"unknown".to_vec()
        } else {
            s.to_vec()
        }
    };
    let vendor = or_unknown(&sys.cpu_vendor);
    let model = or_unknown(&sys.cpu_model);

    // Linux prints MHz from a kHz count and BogoMIPS from loops per jiffy, both
    // truncated; integer arithmetic on the same units reproduces its digits.
    let khz = (sane(sys.cpu_mhz) * 1000.0) as u64;
    let bogo_centi = (sane(sys.cpu_mhz) * 200.0) as u64;

    for i in 0..n {
        writeln!(o, "processor\t: {i}")?;
        o.bytes(b"vendor_id\t: ")?;
        line(o, &vendor)?;
        writeln!(o, "cpu family\t: {}", sys.cpu_family)?;
        writeln!(o, "model\t\t: {}", sys.cpu_model_number)?;
        o.bytes(b"model name\t: ")?;
        line(o, &model)?;
        writeln!(o, "stepping\t: {}", sys.cpu_stepping)?;
        writeln!(o, "cpu MHz\t\t: {}.{:03}", khz / 1000, khz % 1000)?;
        if sys.cpu_cache_kb != 0 {
            writeln!(o, "cache size\t: {} KB", sys.cpu_cache_kb)?;
        }
        writeln!(o, "physical id\t: 0")?;
        writeln!(o, "siblings\t: {n}")?;
        writeln!(o, "core id\t\t: {i}")?;
        writeln!(o, "cpu cores\t: {n}")?;
        writeln!(o, "apicid\t\t: {i}")?;
        writeln!(o, "initial apicid\t: {i}")?;
        writeln!(o, "fpu\t\t: yes")?;
        writeln!(o, "fpu_exception\t: yes")?;
        writeln!(o, "cpuid level\t: {}", sys.cpu_cpuid_level)?;
        writeln!(o, "wp\t\t: yes")?;
        o.bytes(b"flags\t\t: ")?;
        line(o, &sys.cpu_flags)?;
        writeln!(o, "bugs\t\t:")?;
        writeln!(
            o,
            "bogomips\t: {}.{:02}",
            bogo_centi / 100,
            bogo_centi % 100
        )?;
        writeln!(o, "clflush size\t: 64")?;
        writeln!(o, "cache_alignment\t: 64")?;
        writeln!(o, "address sizes\t: 48 bits physical, 48 bits virtual")?;
        writeln!(o, "power management:")?;
        writeln!(o)?;
    }
    Ok(())
}
