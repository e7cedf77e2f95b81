//! `kernel`: boots a root file system image and runs its Linux x86_64 programs as
//! ordinary host processes, every system call of theirs emulated here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cmdline;

use std::sync::{Arc, RwLock, Weak};

use arch_um::physmem::{PhysMem, FRAME_SIZE};
use arch_um::stub::{self, StubLayout};
use cmdline::{BootConfig, CmdlineError};
use drivers::console::HostConsole;
use drivers::ubd::Ubd;
use kern::boot::InitSpec;
use kern::device::{mkdev, Devices};
use kern::fs::devfs::DevFs;
use kern::fs::ext2::Ext2Fs;
use kern::fs::vfs::Vfs;
use kern::fs::{BlockDevice, FileSystem};
use kern::kernel::{Kernel, KernelConfig};
use kern::mm::cache::PageCache;
use kern::mm::frame::{FrameAllocator, PhysAddr};
use kern::mm::space::Memory;
use kern::task::ExitStatus;
use kern::tty::Console;

/// Exit status for a command line the kernel cannot use.
const EXIT_USAGE: i32 = 2;
/// Exit status for a machine that cannot boot (bad image, no memory).
const EXIT_BOOT: i32 = 1;

fn main() {
    let config = match cmdline::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(CmdlineError::Help(text)) | Err(CmdlineError::Version(text)) => {
            let _ = arch_um::host::write_fd(1, text.as_bytes());
            arch_um::host::exit(0);
        }
        Err(CmdlineError::Bad(line)) => {
            let _ = arch_um::host::write_fd(2, format!("{line}\n").as_bytes());
            arch_um::host::exit(EXIT_USAGE);
        }
    };

    kern::printk::init(config.loglevel);
    let code = match Machine::new(&config).and_then(|m| m.run(&config)) {
        Ok(code) => code,
        Err(msg) => {
            log::error!("{msg}");
            EXIT_BOOT
        }
    };
    arch_um::host::exit(code);
}

/// What outlives a reboot: the host resources each boot takes over from the last, and
/// the kernel now running, for the host-side threads (console keys, host signals) that
/// outlive every kernel.
struct Machine {
    physmem: Arc<PhysMem>,
    /// The block devices, opened (and their host files locked) once for every boot: a
    /// second open of a locked image, even by this process, would be refused.
    disks: Vec<(usize, Arc<Ubd>)>,
    stub_layout: StubLayout,
    console: Arc<Console>,
    current: Arc<RwLock<Weak<Kernel>>>,
}

impl Machine {
    /// Reserves physical memory and the stub's place, and starts the console.
    fn new(config: &BootConfig) -> Result<Machine, String> {
        let physmem = PhysMem::new(config.mem_bytes).map_err(|e| {
            format!(
                "cannot allocate {} MiB of physical memory: {e}",
                config.mem_bytes >> 20
            )
        })?;
        let stub_layout = StubLayout::reserve()
            .map_err(|e| format!("no room for the stub in the host address space: {e}"))?;
        let disks = config
            .ubd
            .iter()
            .map(|spec| {
                Ok((
                    spec.index,
                    Arc::new(Ubd::open(spec.index, &spec.path, spec.read_only)?),
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;

        let current: Arc<RwLock<Weak<Kernel>>> = Arc::new(RwLock::new(Weak::new()));
        let console = Arc::new(Console::new(Arc::new(HostConsole)));
        let kernel = current.clone();
        console.set_signaller(Box::new(move |pgrp, sig| {
            let k = kernel.read().ok().and_then(|w| w.upgrade());
            if let Some(k) = k {
                kern::signal::signal_group(&k, pgrp, sig);
            }
        }));
        drivers::console::start_input(console.clone())?;

        // A host SIGTERM, SIGINT, SIGHUP or SIGQUIT halts the machine in order: file
        // systems are synced and the terminal restored.
        let kernel = current.clone();
        let halt = move |sig| {
            log::warn!("host signal {sig}: halting");
            let k = kernel.read().ok().and_then(|w| w.upgrade());
            if let Some(k) = k {
                k.halt(kern::task::ExitStatus::Signal(sig));
            }
        };
        let tty = console.clone();
        let resized = move || tty.resized();
        arch_um::host::on_host_signals(halt, resized)
            .map_err(|e| format!("cannot watch host signals: {e}"))?;

        Ok(Machine {
            physmem: Arc::new(physmem),
            disks,
            stub_layout,
            console,
            current,
        })
    }

    /// Boots until the machine halts without asking to restart; returns the kernel's
    /// exit status.
    fn run(&self, config: &BootConfig) -> Result<i32, String> {
        loop {
            let (status, restart) = self.boot(config)?;
            if !restart {
                return Ok(status.host_code());
            }

            // Nothing of the last boot may reach into the next: its guest processes are
            // gone and its memory reads as zeros.
            let left = arch_um::host::kill_and_reap_children();
            if left > 0 {
                log::warn!("reboot: killed {left} host process(es) the halt left behind");
            }
            self.physmem
                .discard_all()
                .map_err(|e| format!("reboot: cannot clear physical memory: {e}"))?;
        }
    }

    /// Boots the machine once; returns init's status and whether reboot(2) asked for a
    /// restart.
    fn boot(&self, config: &BootConfig) -> Result<(ExitStatus, bool), String> {
        log::info!(
            "kernel {} (user-mode, x86_64) on host {}",
            env!("CARGO_PKG_VERSION"),
            arch_um::host::host_name()
        );
        log::info!("Kernel command line: {}", config.to_cmdline_string());

        let mem = self.memory(config.mem_bytes);
        let root_fs = mount_root(config, &self.disks)?;

        let devices = Devices::default();
        devices.register_memory_devices();
        devices.register(mkdev(5, 1), self.console.clone());
        devices.register(mkdev(4, 0), self.console.clone());
        devices.register(mkdev(5, 0), self.console.clone());

        let vfs = Vfs::new(root_fs.clone());
        vfs.mount(b"/dev", DevFs::new(), b"devtmpfs");
        log::info!("devtmpfs: mounted on /dev");

        let host_cpus = arch_um::thread::host_cpus();
        log::info!(
            "smp: {} virtual CPU(s) on {} host CPU(s)",
            config.ncpus,
            host_cpus
        );

        let kconfig = KernelConfig {
            strace: config.strace,
            cmdline: config.to_cmdline_string(),
            hostname: "(none)".into(),
            root_device: format!("/dev/{}", Ubd::name_of(config.root)),
        };
        let k = Kernel::new(mem, vfs, devices, config.ncpus, kconfig);
        if let Ok(mut current) = self.current.write() {
            *current = Arc::downgrade(&k);
        }

        let init = InitSpec {
            path: config.init.clone(),
            args: config.init_args.clone(),
        };
        let status = kern::boot::run(&k, init);

        if let Err(e) = root_fs.sync() {
            log::error!("sync of the root file system failed: {e}");
        }
        let restart = k.restart_requested();
        if !restart {
            log::info!("reboot: System halted (init: {status:?})");
        }
        Ok((status, restart))
    }

    /// Physical memory with a fresh frame allocator and page cache, the stub's code in
    /// frame 0.
    fn memory(&self, mem_bytes: u64) -> Arc<Memory> {
        let stub_code = PhysAddr(0);
        stub::install_code(&self.physmem, stub_code.0);
        let frames = FrameAllocator::new((mem_bytes / FRAME_SIZE) as usize, 1);
        // Unmapped cache pages are reclaimed when frames run out, so the cache may grow
        // into most of memory, as Linux lets it.
        let cache = PageCache::new(frames.total() * 3 / 4);

        log::info!(
            "Memory: {}K physical memory, stub at {:#x}",
            mem_bytes >> 10,
            self.stub_layout.base()
        );
        Arc::new(Memory {
            physmem: self.physmem.clone(),
            frames,
            stub_layout: self.stub_layout,
            stub_code,
            cache,
        })
    }
}

/// Shows the block devices and mounts the one `root=` names.
fn mount_root(
    config: &BootConfig,
    disks: &[(usize, Arc<Ubd>)],
) -> Result<Arc<dyn FileSystem>, String> {
    let mut root = None;
    for (spec, (_, ubd)) in config.ubd.iter().zip(disks) {
        log::info!(
            "{}: {} KiB, {} ({})",
            ubd.name(),
            ubd.size_bytes() >> 10,
            spec.path.display(),
            if ubd.writable() {
                "read-write"
            } else {
                "read-only"
            }
        );
        if spec.index == config.root {
            root = Some(ubd.clone());
        }
    }

    let root_name = Ubd::name_of(config.root);
    let dev = root.ok_or_else(|| {
        format!(
            "VFS: cannot open root device {root_name}: no ubd{}= given",
            config.root
        )
    })?;

    let fs = Ext2Fs::mount(dev).map_err(|e| format!("VFS: cannot mount root: {e}"))?;
    log::info!(
        "VFS: Mounted root (ext2 filesystem) on device 98:{}",
        config.root * 16
    );
    Ok(fs)
}
