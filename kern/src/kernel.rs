//! The machine: state every virtual CPU shares.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex, RwLock};
use smp::{Cpus, VcpuId};

use crate::device::Devices;
use crate::fs::vfs::Vfs;
use crate::mm::space::Memory;
use crate::task::{ExitStatus, Pid, Process, Task};
use crate::waitq::Requeue;

/// A named FIFO's inode as the FIFO table knows it: its file system's device and its
/// inode number. Not the inode object's address: a file system may give each lookup an
/// object of its own, and the table must not keep an unlinked FIFO from being freed.
pub type FifoKey = (u64, u64);

/// What the command line decided that the running kernel needs.
#[derive(Clone, Debug)]
pub struct KernelConfig {
    /// Trace every guest syscall to the log.
    pub strace: bool,
    /// The effective command line, for /proc/cmdline.
    pub cmdline: String,
    /// The root device's name (`/dev/ubda`), for /proc/mounts.
    pub root_device: String,
    /// The host name the guest starts with.
    pub hostname: String,
}

/// The kernel's shared state.
pub struct Kernel {
    /// Physical memory and frames.
    pub mem: Arc<Memory>,
    /// The file system tree.
    pub vfs: Vfs,
    /// Character device drivers.
    pub devices: Devices,
    /// The pseudo-terminals, which `/dev/ptmx`, the slaves and devpts share.
    pub ptys: Arc<crate::pty::PtyTable>,
    /// Virtual CPUs and their run queues.
    pub cpus: Arc<Cpus<Box<Task>>>,
    /// Settings from the command line.
    pub config: KernelConfig,
    /// uname's nodename, as sethostname sets it.
    pub hostname: Mutex<Vec<u8>>,
    next_pid: AtomicI32,
    /// Every process, live or zombie, by pid. Lock order: take this before any
    /// process's own locks.
    procs: RwLock<BTreeMap<Pid, Arc<Process>>>,
    /// Processes created since boot, for /proc/stat.
    pub forks: AtomicU64,
    /// POSIX record locks.
    pub locks: crate::flock::LockTable,
    /// The pipes behind named FIFOs, by device and inode number, while open.
    pub fifos: Mutex<std::collections::HashMap<FifoKey, std::sync::Weak<crate::pipe::Pipe>>>,
    /// How init ended, once it has: the machine halts then.
    halted: Mutex<Option<ExitStatus>>,
    halt_cv: Condvar,
    halting: std::sync::atomic::AtomicBool,
    /// reboot(2) asked for a restart: the host side boots a fresh kernel once this one
    /// has halted.
    restart: std::sync::atomic::AtomicBool,
    /// The out-of-memory killer's state.
    pub oom: crate::oom::OomState,
    /// This kernel, for file systems that need a handle on it (procfs).
    me: std::sync::Weak<Kernel>,
    /// The root device's name, for /proc/mounts.
    pub root_device: String,
}

impl Kernel {
    /// The machine, before any task runs.
    pub fn new(
        mem: Arc<Memory>,
        vfs: Vfs,
        devices: Devices,
        ncpus: usize,
        config: KernelConfig,
    ) -> Arc<Kernel> {
        let hostname = Mutex::new(config.hostname.as_bytes().to_vec());
        let root_device = config.root_device.clone();
        let ptys = Self::attach_ptys(&vfs, &devices);
        let k = Arc::new_cyclic(|me| Kernel {
            me: me.clone(),
            root_device,
            mem,
            vfs,
            devices,
            ptys,
            cpus: Cpus::new(ncpus),
            config,
            hostname,
            next_pid: AtomicI32::new(1),
            procs: RwLock::new(BTreeMap::new()),
            forks: AtomicU64::new(0),
            fifos: Mutex::new(Default::default()),
            locks: Default::default(),
            halted: Mutex::new(None),
            halt_cv: Condvar::new(),
            halting: Default::default(),
            restart: Default::default(),
            oom: Default::default(),
        });
        *crate::signal::KERNEL.write() = Some(Arc::downgrade(&k));
        k
    }

    /// Registers the pty devices over a new pty table, and mounts devpts on /dev/pts
    /// when /dev is mounted, as a Linux init would.
    fn attach_ptys(vfs: &Vfs, devices: &Devices) -> Arc<crate::pty::PtyTable> {
        let ptys = crate::pty::PtyTable::new();
        crate::pty::register(devices, &ptys);
        if vfs.mounts().iter().any(|m| m.at == b"/dev") {
            vfs.mount(
                b"/dev/pts",
                crate::fs::devpts::DevPts::new(ptys.clone()),
                b"devpts",
            );
            log::info!("devpts: mounted on /dev/pts");
        }
        ptys
    }

    /// A fresh process id: the next unused one, wrapping at Linux's default pid_max.
    pub fn alloc_pid(&self) -> Pid {
        const PID_MAX: i32 = 32768;

        let procs = self.procs.read();
        loop {
            let pid = self.next_pid.fetch_add(1, Ordering::Relaxed);
            if pid >= PID_MAX {
                self.next_pid.store(2, Ordering::Relaxed);
                continue;
            }
            if !procs.contains_key(&pid) {
                return pid;
            }
        }
    }

    /// Adds a process to the table.
    pub fn add_process(&self, p: Arc<Process>) {
        self.forks.fetch_add(1, Ordering::Relaxed);
        self.procs.write().insert(p.pid, p);
    }

    /// Removes a reaped process from the table.
    pub fn remove_process(&self, pid: Pid) -> Option<Arc<Process>> {
        self.procs.write().remove(&pid)
    }

    /// The process with `pid`, live or zombie.
    pub fn process(&self, pid: Pid) -> Option<Arc<Process>> {
        self.procs.read().get(&pid).cloned()
    }

    /// Every process, in pid order.
    pub fn processes(&self) -> Vec<Arc<Process>> {
        self.procs.read().values().cloned().collect()
    }

    /// The pipe behind the FIFO `inode`, made on first open.
    pub fn fifo_pipe(
        &self,
        inode: &Arc<dyn crate::fs::Inode>,
    ) -> crate::errno::KResult<Arc<crate::pipe::Pipe>> {
        let st = inode.stat()?;
        let key = (st.dev, st.ino);
        let mut fifos = self.fifos.lock();
        if let Some(p) = fifos.get(&key).and_then(|w| w.upgrade()) {
            return Ok(p);
        }
        fifos.retain(|_, w| w.strong_count() > 0);
        let p = crate::pipe::Pipe::new_fifo(Some(inode.clone()));
        fifos.insert(key, Arc::downgrade(&p));
        Ok(p)
    }

    /// A new instance of the file system type `name`, for mount(2); ENODEV for types
    /// the kernel does not have.
    pub fn new_fs(&self, name: &[u8]) -> crate::errno::KResult<Arc<dyn crate::fs::FileSystem>> {
        use crate::device::mkdev;

        // Pseudo file systems get anonymous device numbers (major 0), as on Linux.
        static NEXT_ANON: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(20);
        let dev = mkdev(0, NEXT_ANON.fetch_add(1, Ordering::Relaxed));
        match name {
            b"devtmpfs" => Ok(crate::fs::devfs::DevFs::new()),
            b"devpts" => Ok(crate::fs::devpts::DevPts::new(self.ptys.clone())),
            b"proc" => {
                let me = self.me.upgrade().ok_or(crate::errno::Errno::ENODEV)?;
                Ok(crate::fs::procfs::ProcFs::new(me, dev))
            }
            b"sysfs" => Ok(crate::fs::sysfs::SysFs::new(self.cpus.count(), dev)),
            b"tmpfs" => {
                // Half of memory by default, as Linux's tmpfs.
                let limit = self.mem.frames.total() as u64 * crate::mm::PAGE_SIZE / 2;
                Ok(crate::fs::tmpfs::TmpFs::new(limit, dev))
            }
            _ => Err(crate::errno::Errno::ENODEV),
        }
    }

    /// Records how init ended and stops every CPU.
    pub fn halt(&self, status: ExitStatus) {
        let mut h = self.halted.lock();
        if h.is_none() {
            *h = Some(status);
        }
        self.halting.store(true, Ordering::Release);
        self.cpus.stop_all();
        self.halt_cv.notify_all();
    }

    /// Halts the machine and asks the host side to boot it again (reboot(2)'s
    /// LINUX_REBOOT_CMD_RESTART).
    pub fn restart(&self) {
        self.restart.store(true, Ordering::Release);
        self.halt(ExitStatus::Code(0));
    }

    /// Whether the halt was a restart.
    pub fn restart_requested(&self) -> bool {
        self.restart.load(Ordering::Acquire)
    }

    /// Whether the machine is halting: CPUs drop what they run.
    pub fn is_halting(&self) -> bool {
        self.halting.load(Ordering::Acquire)
    }

    /// Waits until the machine halts and returns init's status.
    pub fn wait_for_halt(&self) -> ExitStatus {
        let mut h = self.halted.lock();
        loop {
            if let Some(s) = *h {
                return s;
            }
            self.halt_cv.wait(&mut h);
        }
    }
}

impl Requeue for Kernel {
    fn requeue(&self, task: Box<Task>) {
        let cpu = VcpuId(task.cpu);
        self.cpus.push(cpu, task);
    }

    fn kick(&self, cpu: usize) {
        self.cpus.kick(VcpuId(cpu));
    }
}
