//! What /proc shows: the kernel's process table and accounting, as procfs asks for it.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use smp::{VcpuId, VcpuTimes};

use crate::cputime::ticks;
use crate::fs::file::FileKind;
use crate::fs::procfs::{MapInfo, ProcInfo, ProcSource, SystemInfo};
use crate::kernel::Kernel;
use crate::mm::{Backing, PAGE_SIZE};
use crate::task::Process;

thread_local! {
    /// The process whose syscall this CPU is running, for /proc/self.
    static CURRENT: Cell<i32> = const { Cell::new(0) };
}

/// Records the process whose syscall the calling CPU runs.
pub fn set_current(pid: i32) {
    CURRENT.with(|c| c.set(pid));
}

const NS_PER_TICK: u64 = crate::cputime::NS_PER_TICK;

impl ProcSource for Kernel {
    fn pids(&self) -> Vec<i32> {
        self.processes().iter().map(|p| p.pid).collect()
    }

    fn process(&self, pid: i32) -> Option<ProcInfo> {
        Kernel::process(self, pid).map(|p| process_info(&p))
    }

    fn current_pid(&self) -> i32 {
        CURRENT.with(|c| c.get())
    }

    fn system(&self) -> SystemInfo {
        system_info(self)
    }
}

fn process_info(p: &Arc<Process>) -> ProcInfo {
    let zombie = p.is_zombie();
    let mm = p.mm_if_live();
    let creds = p.creds.lock().clone();
    let root = p.root.lock().clone();

    let own = p.usage().times;
    let children = p.times.children().times;
    let mut info = ProcInfo {
        pid: p.pid,
        ppid: p.ppid(),
        pgid: p.pgid.load(Ordering::Relaxed),
        sid: p.sid.load(Ordering::Relaxed),
        tty_nr: 0x0501,
        tpgid: -1,
        comm: p.comm.lock().clone(),
        state: if zombie {
            'Z'
        } else if p.stopped.lock().is_some() {
            'T'
        } else if is_runnable(p) {
            'R'
        } else {
            'S'
        },
        exe: (!zombie).then(|| p.exe.lock().clone()),
        cwd: p.cwd.lock().path_from(&root),
        root: b"/".to_vec(),
        uid: creds.uid,
        gid: creds.gid,
        threads: 1,
        start_ticks: p.start_ns / NS_PER_TICK,
        utime_ticks: ticks(own.user_ns),
        stime_ticks: ticks(own.sys_ns),
        cutime_ticks: ticks(children.user_ns),
        cstime_ticks: ticks(children.sys_ns),
        umask: p.umask.load(Ordering::Relaxed),
        sig_pending: p.pending.lock().mask(),
        ..ProcInfo::default()
    };

    for (i, act) in p.sigactions.lock().iter().enumerate() {
        match act.handler {
            0 => {}
            1 => info.sig_ignored |= 1 << i,
            _ => info.sig_caught |= 1 << i,
        }
    }

    let files = p.files.lock().clone();
    for fd in files.open_fds() {
        let Ok(f) = files.get(fd) else { continue };
        let target = match &f.kind {
            FileKind::Pipe(_) => {
                let ino = f.inode.stat().map(|s| s.ino).unwrap_or(0);
                format!("pipe:[{ino}]").into_bytes()
            }
            _ => f.location.path_from(&root),
        };
        info.fds.push((fd, target));
    }

    if let Some(mm) = mm {
        let [argv_start, argv_end, env_start, env_end] = *p.arg_ranges.lock();
        info.cmdline = read_range(&mm, argv_start, argv_end);
        info.environ = read_range(&mm, env_start, env_end);
        info.rss_pages = mm.resident_pages() as u64;

        for vma in mm.vmas() {
            info.vsize_bytes += vma.end - vma.start;
            let (offset, dev, ino) = match &vma.backing {
                Backing::File { inode, offset, .. } => {
                    let st = inode.stat().unwrap_or_default();
                    (*offset, st.dev, st.ino)
                }
                Backing::Anon => (0, 0, 0),
            };
            info.maps.push(MapInfo {
                start: vma.start,
                end: vma.end,
                prot: vma.prot.0,
                shared: vma.shared,
                offset,
                dev,
                ino,
                name: vma.name.as_ref().map(|n| n.as_bytes().to_vec()),
                grows_down: vma.grows_down,
                resident: mm.residency(&vma),
            });
        }
    }
    info
}

/// Whether a live process has a task that runs or waits for a CPU (not parked in a wait),
/// as Linux's `R` state means.
fn is_runnable(p: &Process) -> bool {
    p.cells.lock().iter().any(|c| !c.is_parked())
}

/// Guest memory between two addresses, at most a page of it, as /proc's cmdline reads.
fn read_range(mm: &crate::mm::AddressSpace, start: u64, end: u64) -> Vec<u8> {
    if end <= start {
        return Vec::new();
    }
    let mut buf = vec![0; (end - start).min(PAGE_SIZE * 32) as usize];
    match mm.read(start, &mut buf) {
        Ok(()) => buf,
        Err(_) => Vec::new(),
    }
}

/// Shared memory, as Linux's Shmem counts it: shared anonymous pages (each frame once,
/// however many processes map it) and the data tmpfs mounts hold.
fn shmem_bytes(k: &Kernel, procs: &[Arc<Process>]) -> u64 {
    let mut frames = std::collections::HashSet::new();
    for p in procs {
        if let Some(mm) = p.mm_if_live() {
            mm.shared_anon_frames(&mut frames);
        }
    }
    let tmpfs: u64 = k
        .vfs
        .mounts()
        .iter()
        .filter(|m| m.fs.type_name() == "tmpfs")
        .map(|m| {
            let st = m.fs.stats();
            st.blocks.saturating_sub(st.blocks_free) * st.block_size
        })
        .sum();
    frames.len() as u64 * PAGE_SIZE + tmpfs
}

fn system_info(k: &Kernel) -> SystemInfo {
    static CPU: OnceLock<arch_um::host::CpuInfo> = OnceLock::new();
    let cpu = CPU.get_or_init(arch_um::host::cpu_info);

    let uptime = crate::printk::uptime_ns();
    let frames = &k.mem.frames;
    let total = frames.total() as u64 * PAGE_SIZE;
    let free = frames.free() as u64 * PAGE_SIZE;
    let procs = k.processes();
    let ncpus = k.cpus.count();
    let cache = k.mem.cache_stats();
    let shmem = shmem_bytes(k, &procs);

    let mut mounts = vec![(
        k.root_device.as_bytes().to_vec(),
        b"/".to_vec(),
        k.vfs.root_fs().type_name(),
        b"rw".to_vec(),
    )];
    for m in k.vfs.mounts() {
        mounts.push((
            m.source.clone(),
            m.at.clone(),
            m.fs.type_name(),
            b"rw".to_vec(),
        ));
    }

    let now_s = arch_um::host::realtime_ns() / 1_000_000_000;
    let now = arch_um::host::monotonic_ns();
    let cpu_times: Vec<VcpuTimes> = (0..ncpus).map(|i| k.cpus.times(VcpuId(i), now)).collect();
    SystemInfo {
        uptime_ns: uptime,
        idle_ns: cpu_times.iter().map(|t| t.idle_ns).sum(),
        ncpus,
        mem_total_bytes: total,
        mem_free_bytes: free,
        // Cached pages nobody maps can be let go of (dirty ones after write-back).
        mem_available_bytes: free + cache.idle as u64 * PAGE_SIZE,
        // As on Linux, Cached counts shared memory too.
        cached_bytes: cache.pages as u64 * PAGE_SIZE + shmem,
        shmem_bytes: shmem,
        dirty_bytes: cache.dirty as u64 * PAGE_SIZE,
        mapped_bytes: cache.mapped as u64 * PAGE_SIZE,
        loadavg: [0.0; 3],
        running: procs
            .iter()
            .filter(|p| !p.is_zombie() && p.stopped.lock().is_none() && is_runnable(p))
            .count() as u32,
        total_tasks: procs.len() as u32,
        last_pid: procs.iter().map(|p| p.pid).max().unwrap_or(1),
        boot_time_secs: now_s.saturating_sub(uptime / 1_000_000_000),
        // Per virtual CPU: guest code as user time, the kernel as system time, no nice.
        cpu_ticks: cpu_times
            .iter()
            .map(|t| [ticks(t.guest_ns), 0, ticks(t.kernel_ns), ticks(t.idle_ns)])
            .collect(),
        processes_forked: k.forks.load(Ordering::Relaxed),
        mounts,
        cmdline: k.config.cmdline.as_bytes().to_vec(),
        version: format!(
            "Linux version {} (kernel) {}\n",
            crate::syscall::RELEASE,
            crate::syscall::VERSION
        )
        .into_bytes(),
        release: crate::syscall::RELEASE.as_bytes().to_vec(),
        hostname: k.hostname.lock().clone(),
        cpu_vendor: cpu.vendor.as_bytes().to_vec(),
        cpu_family: cpu.family,
        cpu_model_number: cpu.model,
        cpu_stepping: cpu.stepping,
        cpu_cpuid_level: cpu.cpuid_level,
        cpu_cache_kb: cpu.cache_kb,
        cpu_model: cpu.model_name.as_bytes().to_vec(),
        cpu_flags: cpu.flags.as_bytes().to_vec(),
        cpu_mhz: cpu.mhz,
        ..SystemInfo::default()
    }
}
