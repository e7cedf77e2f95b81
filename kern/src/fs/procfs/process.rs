//! The per-process files of `/proc/PID`, formatted as Linux 6.x formats them
//! (fs/proc/array.c, fs/proc/task_mmu.c).

use std::fmt::{self, Write};

use super::system::Out;
use super::{MapInfo, ProcInfo, PROT_EXEC, PROT_READ, PROT_WRITE};

/// Longest command name shown (`TASK_COMM_LEN` less its NUL).
const COMM_MAX: usize = 15;
/// Page size, for figures kept in pages.
const PAGE: u64 = 4096;
/// `RLIM_INFINITY`, the `rsslim` field of `stat`.
const RLIM_INFINITY: u64 = u64::MAX;
/// SIGCHLD, every process's exit signal here.
const SIGCHLD: u32 = 17;
/// Every capability of Linux 6.x (`CAP_LAST_CAP` = 40).
const CAP_FULL: u64 = (1 << 41) - 1;
/// Priority as `stat` shows it for nice 0 (`MAX_RT_PRIO` + 20 - 100).
const DEFAULT_PRIORITY: i32 = 20;
/// Column where a mapping's name starts, less one (`25 + sizeof(void *) * 6 - 1`).
const MAPS_NAME_COLUMN: usize = 72;

/// The command name as the kernel stores it: up to the first NUL, at most 15 bytes.
fn comm_bytes(p: &ProcInfo) -> &[u8] {
    let end = p.comm.iter().position(|&b| b == 0).unwrap_or(p.comm.len());
    &p.comm[..end.min(COMM_MAX)]
}

/// The state letter; anything unprintable shows as `?` so the line still parses.
fn state_char(p: &ProcInfo) -> char {
    if p.state.is_ascii_graphic() {
        p.state
    } else {
        '?'
    }
}

/// Whether the process still has an address space (not a zombie).
fn has_mm(p: &ProcInfo) -> bool {
    p.vsize_bytes != 0 || !p.maps.is_empty()
}

/// Address-space figures derived from the mappings, in bytes, the way Linux's counters
/// classify VMAs (mm->data_vm, stack_vm, exec_vm).
#[derive(Default)]
struct Layout {
    data: u64,
    stack: u64,
    exe: u64,
    lib: u64,
    /// The first executable mapping of the executable itself.
    code: (u64, u64),
    /// The first writable private mapping of the executable (its data segment).
    data_seg: (u64, u64),
    heap_start: u64,
    stack_end: u64,
}

fn layout(p: &ProcInfo) -> Layout {
    let mut l = Layout::default();
    for m in &p.maps {
        let size = m.end.saturating_sub(m.start);
        let name = m.name.as_deref();
        let is_stack = name == Some(b"[stack]");
        let is_exe = name.is_some() && name == p.exe.as_deref();
        let write = m.prot & PROT_WRITE != 0;

        if is_stack {
            l.stack = l.stack.saturating_add(size);
            l.stack_end = l.stack_end.max(m.end);
        } else if write && !m.shared {
            l.data = l.data.saturating_add(size);
            if is_exe && l.data_seg == (0, 0) {
                l.data_seg = (m.start, m.end);
            }
        }
        if m.prot & PROT_EXEC != 0 && !write && !is_stack {
            if is_exe {
                l.exe = l.exe.saturating_add(size);
                if l.code == (0, 0) {
                    l.code = (m.start, m.end);
                }
            } else {
                l.lib = l.lib.saturating_add(size);
            }
        }
        if name == Some(b"[heap]") && l.heap_start == 0 {
            l.heap_start = m.start;
        }
    }
    l
}

/// `/proc/PID/comm`.
pub(super) fn comm(p: &ProcInfo) -> Vec<u8> {
    let mut v = comm_bytes(p).to_vec();
    v.push(b'\n');
    v
}

/// `/proc/PID/stat`: the 52 fields of do_task_stat, single-space separated, with the
/// command name in parentheses (parsers find its end with the last `)`).
pub(super) fn stat(p: &ProcInfo) -> Vec<u8> {
    let mut o = Out::default();
    let r = write_stat(&mut o, p);
    o.finish(r)
}

fn write_stat(o: &mut Out, p: &ProcInfo) -> fmt::Result {
    let mm = has_mm(p);
    let l = layout(p);
    let state = state_char(p);
    // Linux shows 1 when /proc/PID/wchan has something to say: the task is asleep.
    let wchan = u8::from(matches!(state, 'S' | 'D' | 'T' | 't' | 'I'));
    let (vsize, rss) = if mm {
        (p.vsize_bytes, p.rss_pages)
    } else {
        (0, 0)
    };
    // The old signal fields are masked to 31 bits (array.c: "obsolete").
    let sig = |set: u64| set & 0x7fff_ffff;

    write!(o, "{} (", p.pid)?;
    o.bytes(comm_bytes(p))?;
    write!(
        o,
        ") {state} {} {} {} {} {}",
        p.ppid, p.pgid, p.sid, p.tty_nr, p.tpgid
    )?;
    // flags minflt cminflt majflt cmajflt
    o.bytes(b" 0 0 0 0 0")?;
    write!(
        o,
        " {} {} {} {}",
        p.utime_ticks, p.stime_ticks, p.cutime_ticks, p.cstime_ticks
    )?;
    // priority nice num_threads itrealvalue
    write!(o, " {DEFAULT_PRIORITY} 0 {} 0", p.threads)?;
    write!(o, " {} {vsize} {rss} {RLIM_INFINITY}", p.start_ticks)?;
    write!(o, " {} {} {}", l.code.0, l.code.1, l.stack_end)?;
    // kstkesp kstkeip
    o.bytes(b" 0 0")?;
    write!(
        o,
        " {} {} {} {}",
        sig(p.sig_pending),
        sig(p.sig_blocked),
        sig(p.sig_ignored),
        sig(p.sig_caught)
    )?;
    // wchan nswap cnswap exit_signal processor rt_priority policy blkio gtime cgtime
    write!(o, " {wchan} 0 0 {SIGCHLD} 0 0 0 0 0 0")?;
    write!(o, " {} {} {}", l.data_seg.0, l.data_seg.1, l.heap_start)?;
    // arg_start arg_end env_start env_end exit_code
    o.bytes(b" 0 0 0 0 0\n")
}

/// `/proc/PID/statm`: size resident shared text lib data dt, in pages.
pub(super) fn statm(p: &ProcInfo) -> Vec<u8> {
    if !has_mm(p) {
        return b"0 0 0 0 0 0 0\n".to_vec();
    }
    let l = layout(p);
    let text = l.exe / PAGE;
    let data = l.data.saturating_add(l.stack) / PAGE;
    format!(
        "{} {} 0 {text} 0 {data} 0\n",
        p.vsize_bytes / PAGE,
        p.rss_pages
    )
    .into_bytes()
}

/// The `State:` line's words for each letter (`task_state_array`).
fn state_name(state: char) -> &'static str {
    match state {
        'R' => "running",
        'S' => "sleeping",
        'D' => "disk sleep",
        'T' => "stopped",
        't' => "tracing stop",
        'X' => "dead",
        'Z' => "zombie",
        'P' => "parked",
        'I' => "idle",
        _ => "unknown",
    }
}

/// `FDSize`: the size the descriptor table would have grown to, as expand_fdtable sizes
/// it (64 slots at first, then powers of two of 128).
fn fd_table_size(p: &ProcInfo) -> u64 {
    let top = p.fds.iter().map(|f| f.0.max(0) as u64).max().unwrap_or(0);
    if top < 64 {
        return 64;
    }
    (top / 128 + 1).next_power_of_two().saturating_mul(128)
}

/// A CPU list such as `0-3` (or `0` for one CPU).
pub(super) fn cpu_list(ncpus: usize) -> String {
    match ncpus {
        0 | 1 => "0".to_string(),
        n => format!("0-{}", n - 1),
    }
}

/// A bitmap in `%*pb` style: hex, in comma-separated 32-bit groups, as wide as `bits`.
fn bitmap(bits: usize, set: usize) -> String {
    let digits = bits.max(1).div_ceil(4);
    let mut s = String::new();
    for d in (0..digits).rev() {
        let nibble = (0..4)
            .filter(|b| d * 4 + b < set)
            .fold(0u32, |n, b| n | 1 << b);
        s.push(char::from_digit(nibble, 16).unwrap_or('0'));
        if d % 8 == 0 && d != 0 {
            s.push(',');
        }
    }
    s
}

/// `/proc/PID/status`, line for line as Linux 6.x prints it.
pub(super) fn status(p: &ProcInfo, ncpus: usize, mem_total_bytes: u64) -> Vec<u8> {
    let mut o = Out::default();
    let r = write_status(&mut o, p, ncpus, mem_total_bytes);
    o.finish(r)
}

fn write_status(o: &mut Out, p: &ProcInfo, ncpus: usize, mem_total: u64) -> fmt::Result {
    let state = state_char(p);

    // The name is escaped so a newline in it cannot forge a line.
    o.bytes(b"Name:\t")?;
    for &c in comm_bytes(p) {
        match c {
            b'\n' => o.bytes(b"\\n")?,
            b'\\' => o.bytes(b"\\\\")?,
            _ => o.bytes(&[c])?,
        }
    }
    writeln!(o)?;
    writeln!(o, "Umask:\t{:04o}", p.umask & 0o777)?;
    writeln!(o, "State:\t{state} ({})", state_name(state))?;
    writeln!(o, "Tgid:\t{}", p.pid)?;
    writeln!(o, "Ngid:\t0")?;
    writeln!(o, "Pid:\t{}", p.pid)?;
    writeln!(o, "PPid:\t{}", p.ppid)?;
    writeln!(o, "TracerPid:\t0")?;
    writeln!(o, "Uid:\t{0}\t{0}\t{0}\t{0}", p.uid)?;
    writeln!(o, "Gid:\t{0}\t{0}\t{0}\t{0}", p.gid)?;
    writeln!(o, "FDSize:\t{}", fd_table_size(p))?;
    writeln!(o, "Groups:\t ")?;
    writeln!(o, "NStgid:\t{}", p.pid)?;
    writeln!(o, "NSpid:\t{}", p.pid)?;
    writeln!(o, "NSpgid:\t{}", p.pgid)?;
    writeln!(o, "NSsid:\t{}", p.sid)?;
    writeln!(o, "Kthread:\t0")?;

    // The memory block exists only while the process has an address space.
    if has_mm(p) {
        write_status_mm(o, p)?;
    }

    writeln!(o, "Threads:\t{}", p.threads)?;
    // RLIMIT_SIGPENDING defaults to max_threads / 2 = RAM pages / 64.
    writeln!(o, "SigQ:\t0/{}", mem_total / PAGE / 64)?;
    writeln!(o, "SigPnd:\t{:016x}", p.sig_pending)?;
    writeln!(o, "ShdPnd:\t{:016x}", 0)?;
    writeln!(o, "SigBlk:\t{:016x}", p.sig_blocked)?;
    writeln!(o, "SigIgn:\t{:016x}", p.sig_ignored)?;
    writeln!(o, "SigCgt:\t{:016x}", p.sig_caught)?;

    // Root holds every capability; nobody else holds any (no file capabilities here).
    let caps = if p.uid == 0 { CAP_FULL } else { 0 };
    writeln!(o, "CapInh:\t{:016x}", 0)?;
    writeln!(o, "CapPrm:\t{caps:016x}")?;
    writeln!(o, "CapEff:\t{caps:016x}")?;
    writeln!(o, "CapBnd:\t{CAP_FULL:016x}")?;
    writeln!(o, "CapAmb:\t{:016x}", 0)?;
    writeln!(o, "NoNewPrivs:\t0")?;
    writeln!(o, "Seccomp:\t0")?;
    writeln!(o, "Seccomp_filters:\t0")?;
    writeln!(o, "Speculation_Store_Bypass:\tunknown")?;
    writeln!(o, "SpeculationIndirectBranch:\tunknown")?;

    let n = ncpus.max(1);
    writeln!(o, "Cpus_allowed:\t{}", bitmap(n, n))?;
    writeln!(o, "Cpus_allowed_list:\t{}", cpu_list(n))?;
    // One memory node, in a MAX_NUMNODES (1024) wide mask.
    writeln!(o, "Mems_allowed:\t{}", bitmap(1024, 1))?;
    writeln!(o, "Mems_allowed_list:\t0")?;
    writeln!(o, "voluntary_ctxt_switches:\t0")?;
    writeln!(o, "nonvoluntary_ctxt_switches:\t0")
}

/// The `Vm*` and `Rss*` lines, values in KiB right-aligned in 8 columns.
fn write_status_mm(o: &mut Out, p: &ProcInfo) -> fmt::Result {
    let l = layout(p);
    let size = p.vsize_bytes / 1024;
    let rss = p.rss_pages.saturating_mul(PAGE / 1024);
    let lines: [(&str, u64); 16] = [
        ("VmPeak", size),
        ("VmSize", size),
        ("VmLck", 0),
        ("VmPin", 0),
        ("VmHWM", rss),
        ("VmRSS", rss),
        ("RssAnon", rss),
        ("RssFile", 0),
        ("RssShmem", 0),
        ("VmData", l.data / 1024),
        ("VmStk", l.stack / 1024),
        ("VmExe", l.exe / 1024),
        ("VmLib", l.lib / 1024),
        ("VmPTE", 0),
        ("VmSwap", 0),
        ("HugetlbPages", 0),
    ];
    for (label, kib) in lines {
        writeln!(o, "{label}:\t{kib:>8} kB")?;
    }
    writeln!(o, "CoreDumping:\t0")?;
    writeln!(o, "THP_enabled:\t1")?;
    writeln!(o, "untag_mask:\t0x{:x}", u64::MAX)
}

/// `/proc/PID/maps`.
pub(super) fn maps(p: &ProcInfo) -> Vec<u8> {
    let mut o = Out::default();
    let r = p.maps.iter().try_for_each(|m| map_line(&mut o, m));
    o.finish(r)
}

/// `/proc/PID/smaps`: each mapping's maps line, then its page counts in kB, as
/// show_smap lays them out (no huge pages, swap, KSM or locked pages here).
pub(super) fn smaps(p: &ProcInfo) -> Vec<u8> {
    let mut o = Out::default();
    let r = p.maps.iter().try_for_each(|m| {
        map_line(&mut o, m)?;
        kb_line(&mut o, "Size", m.end - m.start)?;
        kb_line(&mut o, "KernelPageSize", PAGE)?;
        kb_line(&mut o, "MMUPageSize", PAGE)?;
        residency_lines(&mut o, &m.resident, false)?;
        writeln!(o, "THPeligible:    0")?;
        vm_flags(&mut o, m)
    });
    o.finish(r)
}

/// `/proc/PID/smaps_rollup`: the sums of smaps under one `[rollup]` line spanning every
/// mapping.
pub(super) fn smaps_rollup(p: &ProcInfo) -> Vec<u8> {
    let mut o = Out::default();
    let (Some(first), Some(last)) = (p.maps.first(), p.maps.last()) else {
        return o.finish(Ok(()));
    };

    let mut total = crate::mm::Residency::default();
    for m in &p.maps {
        total += m.resident;
    }
    let header = MapInfo {
        start: first.start,
        end: last.end,
        name: Some(b"[rollup]".to_vec()),
        ..MapInfo::default()
    };
    let r = map_line(&mut o, &header).and_then(|()| residency_lines(&mut o, &total, true));
    o.finish(r)
}

/// A smaps line: the label and colon padded to 16 columns, the kB count right-aligned in
/// 8 more.
fn kb_line(o: &mut Out, label: &str, bytes: u64) -> fmt::Result {
    writeln!(o, "{:<16}{:>8} kB", format!("{label}:"), bytes / 1024)
}

/// The page counts of smaps; `rollup` adds the Pss split smaps_rollup shows.
fn residency_lines(o: &mut Out, r: &crate::mm::Residency, rollup: bool) -> fmt::Result {
    kb_line(o, "Rss", r.pages * PAGE)?;
    kb_line(o, "Pss", r.pss_bytes)?;
    kb_line(o, "Pss_Dirty", r.pss_dirty_bytes)?;
    if rollup {
        kb_line(o, "Pss_Anon", r.pss_anon_bytes)?;
        kb_line(o, "Pss_File", r.pss_bytes - r.pss_anon_bytes)?;
        kb_line(o, "Pss_Shmem", 0)?;
    }
    kb_line(o, "Shared_Clean", r.shared_clean * PAGE)?;
    kb_line(o, "Shared_Dirty", r.shared_dirty * PAGE)?;
    kb_line(o, "Private_Clean", r.private_clean * PAGE)?;
    kb_line(o, "Private_Dirty", r.private_dirty * PAGE)?;
    // Every resident page has been touched since it was mapped (none is aged).
    kb_line(o, "Referenced", r.pages * PAGE)?;
    kb_line(o, "Anonymous", r.anon_pages * PAGE)?;
    for none in [
        "KSM",
        "LazyFree",
        "AnonHugePages",
        "ShmemPmdMapped",
        "FilePmdMapped",
        "Shared_Hugetlb",
        "Private_Hugetlb",
        "Swap",
        "SwapPss",
        "Locked",
    ] {
        kb_line(o, none, 0)?;
    }
    Ok(())
}

/// smaps' `VmFlags:` line: two letters a flag, each followed by a space.
fn vm_flags(o: &mut Out, m: &MapInfo) -> fmt::Result {
    let mut flags = Vec::new();
    for (bit, name) in [(PROT_READ, "rd"), (PROT_WRITE, "wr"), (PROT_EXEC, "ex")] {
        if m.prot & bit != 0 {
            flags.push(name);
        }
    }
    if m.shared {
        flags.push("sh");
    }
    // Whatever mprotect may grant later: every area here may become readable, writable
    // and executable (no read-only file opens limit a mapping's "may" bits yet).
    flags.extend(["mr", "mw", "me"]);
    if m.shared {
        flags.push("ms");
    }
    if m.grows_down {
        flags.push("gd");
    }
    write!(o, "VmFlags: ")?;
    for f in flags {
        write!(o, "{f} ")?;
    }
    writeln!(o)
}

/// One mapping: `start-end perms offset major:minor inode`, then the name from column
/// 73 (seq_pad to 72, then a space), as show_map_vma lays it out.
fn map_line(o: &mut Out, m: &MapInfo) -> fmt::Result {
    let line_start = o.0.len();
    let flag = |bit: u32, c: char| if m.prot & bit != 0 { c } else { '-' };
    // The device number is the encoded form; maps shows the kernel's MAJOR and MINOR.
    let major = (m.dev >> 8) & 0xfff;
    let minor = (m.dev & 0xff) | ((m.dev >> 12) & 0xfff00);

    write!(o, "{:08x}-{:08x} ", m.start, m.end)?;
    write!(
        o,
        "{}{}{}{}",
        flag(PROT_READ, 'r'),
        flag(PROT_WRITE, 'w'),
        flag(PROT_EXEC, 'x'),
        if m.shared { 's' } else { 'p' }
    )?;
    write!(o, " {:08x} {major:02x}:{minor:02x} {} ", m.offset, m.ino)?;

    if let Some(name) = &m.name {
        let used = o.0.len() - line_start;
        for _ in used..MAPS_NAME_COLUMN {
            o.bytes(b" ")?;
        }
        o.bytes(b" ")?;
        // seq_path escapes newlines in paths as \012.
        o.escaped(name, b"\n")?;
    }
    o.bytes(b"\n")
}
