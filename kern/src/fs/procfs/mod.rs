//! procfs: `/proc`, generated at read time from a [`ProcSource`] the kernel implements.
//!
//! Nothing is cached: every `read_at` asks the source for a fresh snapshot and formats it
//! the way Linux 6.x does, so that busybox (`ps`, `top`, `free`, `pidof`, `mount`, `df`)
//! and glibc parse it unchanged. The inodes are plain values naming a place in the tree
//! (`Node`); a pid directory does not pin the process, and every access re-checks that
//! the process still exists, as Linux's `pid_revalidate` does.
//!
//! The source is called without any procfs lock held (procfs has none), from the context
//! of whichever task is reading.

mod process;
mod system;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::sync::{Arc, OnceLock};

use super::{DirEntry, FileSystem, FileType, FsStats, Inode, Stat, Timespec};
use crate::errno::{Errno, KResult};

/// The magic number statfs reports for procfs (`PROC_SUPER_MAGIC`).
pub const PROC_SUPER_MAGIC: u64 = 0x9fa0;

/// Clock ticks per second in the figures procfs reports (`USER_HZ`).
pub const USER_HZ: u64 = 100;

/// `PROT_READ` in [`MapInfo::prot`].
pub const PROT_READ: u32 = 1;
/// `PROT_WRITE` in [`MapInfo::prot`].
pub const PROT_WRITE: u32 = 2;
/// `PROT_EXEC` in [`MapInfo::prot`].
pub const PROT_EXEC: u32 = 4;

/// Where procfs gets its figures; the kernel implements it over its process table.
pub trait ProcSource: Send + Sync {
    /// The live processes (thread-group leaders), in ascending order.
    fn pids(&self) -> Vec<i32>;

    /// A snapshot of process `pid`, or `None` when there is no such process.
    fn process(&self, pid: i32) -> Option<ProcInfo>;

    /// The calling process, which `/proc/self` names; 0 or less when there is none.
    fn current_pid(&self) -> i32;

    /// System-wide figures.
    fn system(&self) -> SystemInfo;
}

/// A snapshot of one process, as `/proc/PID` shows it.
#[derive(Clone, Debug, Default)]
pub struct ProcInfo {
    /// Process (thread-group) id.
    pub pid: i32,
    /// Parent's pid (0 for init).
    pub ppid: i32,
    /// Process group.
    pub pgid: i32,
    /// Session.
    pub sid: i32,
    /// Controlling terminal as an encoded device number (`new_encode_dev`), 0 for none.
    pub tty_nr: i32,
    /// Foreground process group of the controlling terminal, -1 for none.
    pub tpgid: i32,
    /// The command name (at most 15 bytes are shown, as `TASK_COMM_LEN`).
    pub comm: Vec<u8>,
    /// Scheduler state letter: `R`, `S`, `D`, `Z`, `T`, `t`, `X`, `I`.
    pub state: char,
    /// The argument vector, each argument followed by a NUL, as Linux shows it.
    pub cmdline: Vec<u8>,
    /// The initial environment, NUL-separated like `cmdline`.
    pub environ: Vec<u8>,
    /// The executable's path; `None` when there is none (a kernel thread, a zombie).
    pub exe: Option<Vec<u8>>,
    /// Current directory path.
    pub cwd: Vec<u8>,
    /// Root directory path.
    pub root: Vec<u8>,
    /// Open descriptors with the target `readlink` gives (`/dev/console`, `pipe:[123]`).
    pub fds: Vec<(i32, Vec<u8>)>,
    /// Memory mappings in address order.
    pub maps: Vec<MapInfo>,
    /// Real (and effective) user id.
    pub uid: u32,
    /// Real (and effective) group id.
    pub gid: u32,
    /// Threads in the group.
    pub threads: u32,
    /// Start time in `USER_HZ` ticks since boot.
    pub start_ticks: u64,
    /// User CPU time in `USER_HZ` ticks.
    pub utime_ticks: u64,
    /// System CPU time in `USER_HZ` ticks.
    pub stime_ticks: u64,
    /// User CPU time of reaped children in `USER_HZ` ticks.
    pub cutime_ticks: u64,
    /// System CPU time of reaped children in `USER_HZ` ticks.
    pub cstime_ticks: u64,
    /// Virtual memory size in bytes.
    pub vsize_bytes: u64,
    /// Resident set size in pages.
    pub rss_pages: u64,
    /// File-creation mask.
    pub umask: u32,
    /// Pending signals (bit `n-1` for signal `n`).
    pub sig_pending: u64,
    /// Blocked signals.
    pub sig_blocked: u64,
    /// Ignored signals.
    pub sig_ignored: u64,
    /// Signals with a handler.
    pub sig_caught: u64,
}

/// One memory mapping, a line of `/proc/PID/maps`.
#[derive(Clone, Debug, Default)]
pub struct MapInfo {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// `PROT_READ | PROT_WRITE | PROT_EXEC` bits.
    pub prot: u32,
    /// `MAP_SHARED` rather than private.
    pub shared: bool,
    /// Offset into the file in bytes.
    pub offset: u64,
    /// Device of the file as an encoded device number (`new_encode_dev`), 0 if anonymous.
    pub dev: u64,
    /// Inode of the file, 0 if anonymous.
    pub ino: u64,
    /// The path, or a pseudo name such as `[heap]`, `[stack]`, `[vdso]`.
    pub name: Option<Vec<u8>>,
    /// MAP_GROWSDOWN (smaps' `gd` flag).
    pub grows_down: bool,
    /// Its resident pages, for smaps.
    pub resident: crate::mm::Residency,
}

/// One mount as `/proc/mounts` shows it: device (`/dev/ubda`, `proc`), mount point, file
/// system type, options (`rw,relatime`).
pub type MountEntry = (Vec<u8>, Vec<u8>, &'static str, Vec<u8>);

/// System-wide figures for `/proc/meminfo`, `/proc/stat` and friends.
#[derive(Clone, Debug, Default)]
pub struct SystemInfo {
    /// Time since boot.
    pub uptime_ns: u64,
    /// Idle time summed over all CPUs.
    pub idle_ns: u64,
    /// Online CPUs.
    pub ncpus: usize,
    /// Usable RAM.
    pub mem_total_bytes: u64,
    /// Unused RAM.
    pub mem_free_bytes: u64,
    /// RAM available for new work without swapping (free plus reclaimable cache).
    pub mem_available_bytes: u64,
    /// Page cache.
    pub cached_bytes: u64,
    /// Block-device buffers.
    pub buffers_bytes: u64,
    /// Shared memory (tmpfs and shared anonymous mappings).
    pub shmem_bytes: u64,
    /// Page cache whose contents the files do not have yet.
    pub dirty_bytes: u64,
    /// Page cache that processes map.
    pub mapped_bytes: u64,
    /// 1, 5 and 15 minute load averages.
    pub loadavg: [f64; 3],
    /// Runnable tasks.
    pub running: u32,
    /// All tasks.
    pub total_tasks: u32,
    /// The most recently allocated pid.
    pub last_pid: i32,
    /// Boot time in seconds since the epoch.
    pub boot_time_secs: u64,
    /// Per CPU: user, nice, system and idle time in `USER_HZ` ticks.
    pub cpu_ticks: Vec<[u64; 4]>,
    /// Context switches since boot.
    pub ctxt: u64,
    /// Forks since boot.
    pub processes_forked: u64,
    /// The mount table, in mount order.
    pub mounts: Vec<MountEntry>,
    /// The kernel command line.
    pub cmdline: Vec<u8>,
    /// The whole `/proc/version` line (`Linux version 6.1.0 (...) #1 SMP ...`).
    pub version: Vec<u8>,
    /// The release alone, as `uname -r` and `/proc/sys/kernel/osrelease` show it.
    pub release: Vec<u8>,
    /// The host name.
    pub hostname: Vec<u8>,
    /// CPU vendor string (`GenuineIntel`, `AuthenticAMD`).
    pub cpu_vendor: Vec<u8>,
    /// CPU family number.
    pub cpu_family: u32,
    /// CPU model number.
    pub cpu_model_number: u32,
    /// CPU stepping.
    pub cpu_stepping: u32,
    /// Highest standard CPUID leaf.
    pub cpu_cpuid_level: u32,
    /// Cache size in KiB (0: the line is left out, as Linux does).
    pub cpu_cache_kb: u32,
    /// CPU model name (`AMD EPYC 7B13`).
    pub cpu_model: Vec<u8>,
    /// CPU feature flags, space-separated (`fpu vme de pse ...`).
    pub cpu_flags: Vec<u8>,
    /// CPU clock in MHz.
    pub cpu_mhz: f64,
}

/// The procfs instance.
pub struct ProcFs {
    ctx: Arc<Ctx>,
}

impl ProcFs {
    /// A procfs over `source`, reporting `dev` as its `st_dev`.
    pub fn new(source: Arc<dyn ProcSource>, dev: u64) -> Arc<ProcFs> {
        Arc::new(ProcFs {
            ctx: Arc::new(Ctx {
                source,
                dev,
                fixed: OnceLock::new(),
            }),
        })
    }
}

impl FileSystem for ProcFs {
    fn root(&self) -> Arc<dyn Inode> {
        Arc::new(ProcInode {
            ctx: self.ctx.clone(),
            node: Node::Root,
        })
    }

    fn stats(&self) -> FsStats {
        FsStats {
            fs_type: PROC_SUPER_MAGIC,
            block_size: 4096,
            name_max: 255,
            ..FsStats::default()
        }
    }

    fn type_name(&self) -> &'static str {
        "proc"
    }
}

/// Figures that cannot change after boot, fetched once on first use (not at mount, when
/// the source may not be ready to answer).
struct Fixed {
    boot: Timespec,
    ncpus: usize,
    mem_total_bytes: u64,
}

/// What every inode of one procfs shares.
struct Ctx {
    source: Arc<dyn ProcSource>,
    dev: u64,
    fixed: OnceLock<Fixed>,
}

impl Ctx {
    fn fixed(&self) -> &Fixed {
        self.fixed.get_or_init(|| {
            let sys = self.source.system();
            let sec = i64::try_from(sys.boot_time_secs).unwrap_or(i64::MAX);
            Fixed {
                boot: Timespec { sec, nsec: 0 },
                ncpus: sys.ncpus,
                mem_total_bytes: sys.mem_total_bytes,
            }
        })
    }

    fn process(&self, pid: i32) -> Option<ProcInfo> {
        self.source.process(pid)
    }

    /// The start time of a process as a wall-clock time, for its inodes' times.
    fn start_time(&self, p: &ProcInfo) -> Timespec {
        let boot = self.fixed().boot;
        let secs = i64::try_from(p.start_ticks / USER_HZ).unwrap_or(i64::MAX);
        let nsec = (p.start_ticks % USER_HZ * (1_000_000_000 / USER_HZ)) as i64;
        Timespec {
            sec: boot.sec.saturating_add(secs),
            nsec,
        }
    }
}

/// Files directly under `/proc` whose content is system-wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Global {
    Cmdline,
    Cpuinfo,
    Filesystems,
    Loadavg,
    Meminfo,
    Stat,
    Uptime,
    Version,
}

/// Directories under `/proc/sys`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SysDir {
    Sys,
    Kernel,
}

/// Files in `/proc/sys/kernel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SysFile {
    Hostname,
    Ostype,
    Osrelease,
    PidMax,
}

/// Files in `/proc/PID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PidFile {
    Environ,
    Status,
    Comm,
    Cmdline,
    Stat,
    Statm,
    Maps,
    Smaps,
    SmapsRollup,
    Mounts,
}

/// Symlinks in `/proc/PID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PidLink {
    Cwd,
    Root,
    Exe,
}

/// A place in the procfs tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Root,
    Global(Global),
    /// `/proc/self`.
    SelfLink,
    /// `/proc/mounts`, which Linux makes a symlink to `self/mounts`.
    MountsLink,
    Sys(SysDir),
    SysFile(SysFile),
    PidDir(i32),
    PidFile(i32, PidFile),
    PidLink(i32, PidLink),
    FdDir(i32),
    Fd(i32, i32),
}

/// The fixed entries of `/proc`, in listing order (Linux lists these before `self` and
/// the pids).
const ROOT_ENTRIES: [(&str, Node); 11] = [
    ("cmdline", Node::Global(Global::Cmdline)),
    ("cpuinfo", Node::Global(Global::Cpuinfo)),
    ("filesystems", Node::Global(Global::Filesystems)),
    ("loadavg", Node::Global(Global::Loadavg)),
    ("meminfo", Node::Global(Global::Meminfo)),
    ("mounts", Node::MountsLink),
    ("stat", Node::Global(Global::Stat)),
    ("sys", Node::Sys(SysDir::Sys)),
    ("uptime", Node::Global(Global::Uptime)),
    ("version", Node::Global(Global::Version)),
    ("self", Node::SelfLink),
];

const SYS_ENTRIES: [(&str, Node); 1] = [("kernel", Node::Sys(SysDir::Kernel))];

const KERNEL_ENTRIES: [(&str, Node); 4] = [
    ("hostname", Node::SysFile(SysFile::Hostname)),
    ("osrelease", Node::SysFile(SysFile::Osrelease)),
    ("ostype", Node::SysFile(SysFile::Ostype)),
    ("pid_max", Node::SysFile(SysFile::PidMax)),
];

/// What a `/proc/PID` entry is, before the pid is filled in.
#[derive(Clone, Copy)]
enum PidEntry {
    Fd,
    File(PidFile),
    Link(PidLink),
}

/// The entries of `/proc/PID`, in Linux's listing order.
const PID_ENTRIES: [(&str, PidEntry); 14] = [
    ("fd", PidEntry::Fd),
    ("environ", PidEntry::File(PidFile::Environ)),
    ("status", PidEntry::File(PidFile::Status)),
    ("comm", PidEntry::File(PidFile::Comm)),
    ("cmdline", PidEntry::File(PidFile::Cmdline)),
    ("stat", PidEntry::File(PidFile::Stat)),
    ("statm", PidEntry::File(PidFile::Statm)),
    ("maps", PidEntry::File(PidFile::Maps)),
    ("smaps", PidEntry::File(PidFile::Smaps)),
    ("smaps_rollup", PidEntry::File(PidFile::SmapsRollup)),
    ("cwd", PidEntry::Link(PidLink::Cwd)),
    ("root", PidEntry::Link(PidLink::Root)),
    ("exe", PidEntry::Link(PidLink::Exe)),
    ("mounts", PidEntry::File(PidFile::Mounts)),
];

/// `read_dir` cookies of `/proc` from here on are `PID_COOKIE_BASE + pid`, so they stay
/// valid while processes come and go.
const PID_COOKIE_BASE: u64 = 0x100;

/// The default `pid_max` of Linux on machines with up to 32 CPUs.
const PID_MAX: u32 = 32768;

impl PidEntry {
    fn node(self, pid: i32) -> Node {
        match self {
            PidEntry::Fd => Node::FdDir(pid),
            PidEntry::File(f) => Node::PidFile(pid, f),
            PidEntry::Link(l) => Node::PidLink(pid, l),
        }
    }
}

/// Parses a pid or descriptor number the way Linux's `name_to_int` does: decimal digits
/// only, no sign, no leading zero.
fn parse_number(name: &[u8]) -> Option<i32> {
    if name.is_empty() || (name.len() > 1 && name[0] == b'0') {
        return None;
    }
    if !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

impl Node {
    /// A stable inode number: small ones for fixed entries; per-pid entries carry the pid
    /// in the high half so no two live inodes collide.
    fn ino(self) -> u64 {
        let pid_base = |pid: i32| (u64::from(pid as u32) + 1) << 32;
        match self {
            Node::Root => 1,
            Node::SelfLink => 2,
            Node::MountsLink => 3,
            Node::Global(g) => 0x10 + g as u64,
            Node::Sys(d) => 0x20 + d as u64,
            Node::SysFile(f) => 0x30 + f as u64,
            Node::PidDir(p) => pid_base(p),
            Node::PidFile(p, f) => pid_base(p) + 0x100 + f as u64,
            Node::PidLink(p, l) => pid_base(p) + 0x200 + l as u64,
            Node::FdDir(p) => pid_base(p) + 0x300,
            Node::Fd(p, fd) => pid_base(p) + 0x8000_0000 + u64::from(fd as u32 & 0x7fff_ffff),
        }
    }

    fn file_type(self) -> FileType {
        match self {
            Node::Root | Node::Sys(_) | Node::PidDir(_) | Node::FdDir(_) => FileType::Directory,
            Node::SelfLink | Node::MountsLink | Node::PidLink(..) | Node::Fd(..) => {
                FileType::Symlink
            }
            Node::Global(_) | Node::SysFile(_) | Node::PidFile(..) => FileType::Regular,
        }
    }

    /// Permission bits. Files procfs cannot write are read-only here even where Linux
    /// allows a write (`comm`, `hostname`), so access checks tell the truth.
    fn perm(self) -> u32 {
        match self {
            Node::Root | Node::Sys(_) | Node::PidDir(_) => 0o555,
            Node::FdDir(_) => 0o500,
            Node::Fd(..) => 0o700,
            Node::SelfLink | Node::MountsLink | Node::PidLink(..) => 0o777,
            Node::PidFile(_, PidFile::Environ) => 0o400,
            Node::Global(_) | Node::SysFile(_) | Node::PidFile(..) => 0o444,
        }
    }

    /// The pid this node belongs to, if any.
    fn pid(self) -> Option<i32> {
        match self {
            Node::PidDir(p)
            | Node::PidFile(p, _)
            | Node::PidLink(p, _)
            | Node::FdDir(p)
            | Node::Fd(p, _) => Some(p),
            _ => None,
        }
    }

    /// The fixed children of a directory with fixed contents.
    fn fixed_children(self) -> &'static [(&'static str, Node)] {
        match self {
            Node::Root => &ROOT_ENTRIES,
            Node::Sys(SysDir::Sys) => &SYS_ENTRIES,
            Node::Sys(SysDir::Kernel) => &KERNEL_ENTRIES,
            _ => &[],
        }
    }

    /// The directory holding this one, for "..".
    fn parent(self) -> Node {
        match self {
            Node::Sys(SysDir::Kernel) => Node::Sys(SysDir::Sys),
            Node::FdDir(p) => Node::PidDir(p),
            _ => Node::Root,
        }
    }
}

/// An inode of procfs: a node and the instance it belongs to.
struct ProcInode {
    ctx: Arc<Ctx>,
    node: Node,
}

impl ProcInode {
    fn child(&self, node: Node) -> Arc<dyn Inode> {
        Arc::new(ProcInode {
            ctx: self.ctx.clone(),
            node,
        })
    }

    /// The snapshot of this node's process; ENOENT once it is gone.
    fn live_process(&self, pid: i32) -> KResult<ProcInfo> {
        self.ctx.process(pid).ok_or(Errno::ENOENT)
    }

    /// The whole content of a regular file, generated now.
    fn content(&self) -> KResult<Vec<u8>> {
        let ctx = &self.ctx;
        match self.node {
            Node::Global(g) => Ok(system::render(g, &ctx.source.system())),
            Node::SysFile(f) => {
                let sys = ctx.source.system();
                let mut line = match f {
                    SysFile::Hostname => sys.hostname,
                    SysFile::Ostype => b"Linux".to_vec(),
                    SysFile::Osrelease => sys.release,
                    SysFile::PidMax => PID_MAX.to_string().into_bytes(),
                };
                line.push(b'\n');
                Ok(line)
            }
            Node::PidFile(pid, f) => {
                // A file opened before its process went away reads as ESRCH, as on Linux.
                let p = ctx.process(pid).ok_or(Errno::ESRCH)?;
                let fixed = ctx.fixed();
                Ok(match f {
                    PidFile::Environ => p.environ,
                    PidFile::Status => process::status(&p, fixed.ncpus, fixed.mem_total_bytes),
                    PidFile::Comm => process::comm(&p),
                    PidFile::Cmdline => p.cmdline,
                    PidFile::Stat => process::stat(&p),
                    PidFile::Statm => process::statm(&p),
                    PidFile::Maps => process::maps(&p),
                    PidFile::Smaps => process::smaps(&p),
                    PidFile::SmapsRollup => process::smaps_rollup(&p),
                    PidFile::Mounts => system::mounts(&ctx.source.system()),
                })
            }
            Node::Root | Node::Sys(_) | Node::PidDir(_) | Node::FdDir(_) => Err(Errno::EISDIR),
            Node::SelfLink | Node::MountsLink | Node::PidLink(..) | Node::Fd(..) => {
                Err(Errno::EINVAL)
            }
        }
    }

    /// The next entry of `/proc` at or after cookie `pos` (past "." and "..").
    fn root_entry(&self, pos: u64) -> Option<(DirEntry, u64)> {
        let fixed_end = 2 + ROOT_ENTRIES.len() as u64;
        if pos < fixed_end {
            let (name, node) = ROOT_ENTRIES[(pos - 2) as usize];
            return Some((dir_entry(node, name.as_bytes()), pos + 1));
        }

        // Pids in ascending order; a cookie names the smallest pid not yet listed.
        let from = pos.max(PID_COOKIE_BASE) - PID_COOKIE_BASE;
        let mut pids = self.ctx.source.pids();
        pids.sort_unstable();
        let pid = pids.into_iter().find(|&p| p > 0 && p as u64 >= from)?;
        let node = Node::PidDir(pid);
        Some((
            dir_entry(node, pid.to_string().as_bytes()),
            PID_COOKIE_BASE + pid as u64 + 1,
        ))
    }
}

fn dir_entry(node: Node, name: &[u8]) -> DirEntry {
    DirEntry {
        ino: node.ino(),
        file_type: Some(node.file_type()),
        name: name.to_vec(),
    }
}

/// Whether `inode` is a /proc file. Their contents are made on each read from state
/// whose locks a page fault already holds, so they cannot be mapped (Linux refuses most
/// of them too, with EIO).
pub fn is_proc_inode(inode: &dyn Inode) -> bool {
    inode.as_any().is::<ProcInode>()
}

impl Inode for ProcInode {
    fn stat(&self) -> KResult<Stat> {
        let ctx = &self.ctx;
        let node = self.node;

        // Per-process inodes belong to the process owner and carry its start time; one
        // whose process is gone still answers fstat, as root's.
        let process = node.pid().and_then(|pid| ctx.process(pid));
        let (uid, gid) = process.as_ref().map_or((0, 0), |p| (p.uid, p.gid));
        let time = process
            .as_ref()
            .map_or_else(|| ctx.fixed().boot, |p| ctx.start_time(p));

        let (nlink, size) = match node {
            Node::Root => (3 + ctx.source.pids().len() as u32, 0),
            Node::Sys(_) => (3, 0),
            Node::PidDir(_) => (3, 0),
            // Linux 6.x reports the number of descriptors as the size of fd/.
            Node::FdDir(_) => (2, process.as_ref().map_or(0, |p| p.fds.len() as u64)),
            Node::Fd(..) => (1, 64),
            _ => (1, 0),
        };
        Ok(Stat {
            dev: ctx.dev,
            ino: node.ino(),
            mode: node.file_type().mode_bits() | node.perm(),
            nlink,
            uid,
            gid,
            rdev: 0,
            size,
            blksize: 4096,
            blocks: 0,
            atime: time,
            mtime: time,
            ctime: time,
        })
    }

    fn file_type(&self) -> FileType {
        self.node.file_type()
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let content = self.content()?;
        let Ok(start) = usize::try_from(off) else {
            return Ok(0);
        };
        let Some(rest) = content.get(start..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let node = self.node;
        if node.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        match name {
            b"." => return Ok(self.child(node)),
            b".." => return Ok(self.child(node.parent())),
            _ => {}
        }

        if let Some(&(_, child)) = node
            .fixed_children()
            .iter()
            .find(|e| e.0.as_bytes() == name)
        {
            return Ok(self.child(child));
        }
        match node {
            Node::Root => {
                let pid = parse_number(name).ok_or(Errno::ENOENT)?;
                self.live_process(pid)?;
                Ok(self.child(Node::PidDir(pid)))
            }
            Node::PidDir(pid) => {
                self.live_process(pid)?;
                let entry = PID_ENTRIES.iter().find(|e| e.0.as_bytes() == name);
                let &(_, entry) = entry.ok_or(Errno::ENOENT)?;
                Ok(self.child(entry.node(pid)))
            }
            Node::FdDir(pid) => {
                let fd = parse_number(name).ok_or(Errno::ENOENT)?;
                let p = self.live_process(pid)?;
                if !p.fds.iter().any(|&(n, _)| n == fd) {
                    return Err(Errno::ENOENT);
                }
                Ok(self.child(Node::Fd(pid, fd)))
            }
            _ => Err(Errno::ENOENT),
        }
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        let node = self.node;
        if node.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        if let Some(pid) = node.pid() {
            // Listing a dead process's directory is ENOENT, as on Linux.
            self.live_process(pid)?;
        }
        match pos {
            0 => return Ok(Some((dir_entry(node, b"."), 1))),
            1 => return Ok(Some((dir_entry(node.parent(), b".."), 2))),
            _ => {}
        }

        let index = pos - 2;
        Ok(match node {
            Node::Root => self.root_entry(pos),
            Node::PidDir(pid) => PID_ENTRIES
                .get(index as usize)
                .map(|&(name, e)| (dir_entry(e.node(pid), name.as_bytes()), pos + 1)),
            Node::FdDir(pid) => {
                // Cookie = 2 + descriptor, so closing descriptors moves nothing.
                let mut fds: Vec<i32> = self.live_process(pid)?.fds.iter().map(|f| f.0).collect();
                fds.sort_unstable();
                fds.into_iter()
                    .find(|&fd| fd >= 0 && fd as u64 >= index)
                    .map(|fd| {
                        let name = fd.to_string();
                        (
                            dir_entry(Node::Fd(pid, fd), name.as_bytes()),
                            2 + fd as u64 + 1,
                        )
                    })
            }
            _ => node
                .fixed_children()
                .get(index as usize)
                .map(|&(name, child)| (dir_entry(child, name.as_bytes()), pos + 1)),
        })
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        match self.node {
            Node::SelfLink => {
                let pid = self.ctx.source.current_pid();
                if pid <= 0 {
                    return Err(Errno::ENOENT);
                }
                Ok(pid.to_string().into_bytes())
            }
            Node::MountsLink => Ok(b"self/mounts".to_vec()),
            Node::PidLink(pid, link) => {
                let p = self.live_process(pid)?;
                match link {
                    PidLink::Cwd => Ok(p.cwd),
                    PidLink::Root => Ok(p.root),
                    PidLink::Exe => p.exe.ok_or(Errno::ENOENT),
                }
            }
            Node::Fd(pid, fd) => {
                let p = self.live_process(pid)?;
                let found = p.fds.into_iter().find(|f| f.0 == fd);
                found.map(|f| f.1).ok_or(Errno::ENOENT)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
