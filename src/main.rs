//! `kernel`: boots a root file system image and runs its Linux x86_64 programs as
//! ordinary host processes, every system call of theirs emulated here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cmdline;

use std::sync::Arc;

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
    let code = match boot(&config) {
        Ok(code) => code,
        Err(msg) => {
            log::error!("{msg}");
            EXIT_BOOT
        }
    };
    arch_um::host::exit(code);
}

/// Boots the machine described by `config` and returns the kernel's exit status.
fn boot(config: &BootConfig) -> Result<i32, String> {
    log::info!(
        "kernel {} (user-mode, x86_64) on host {}",
        env!("CARGO_PKG_VERSION"),
        arch_um::host::host_name()
    );
    log::info!("Kernel command line: {}", config.to_cmdline_string());

    let mem = memory(config.mem_bytes)?;
    let root_fs = mount_root(config)?;

    let devices = Devices::default();
    devices.register_memory_devices();
    let console = Arc::new(Console::new(Arc::new(HostConsole)));
    devices.register(mkdev(5, 1), console.clone());
    devices.register(mkdev(5, 0), console.clone());
    drivers::console::start_input(console.clone())?;

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
    console.set_signaller(kern::signal::group_signaller(&k));

    // A host SIGTERM, SIGINT, SIGHUP or SIGQUIT halts the machine in order: file systems
    // are synced and the terminal restored.
    let weak = Arc::downgrade(&k);
    let halt = move |sig| {
        log::warn!("host signal {sig}: halting");
        if let Some(k) = weak.upgrade() {
            k.halt(kern::task::ExitStatus::Signal(sig));
        }
    };
    let resized = move || console.resized();
    arch_um::host::on_host_signals(halt, resized)
        .map_err(|e| format!("cannot watch host signals: {e}"))?;
    let init = InitSpec {
        path: config.init.clone(),
        args: config.init_args.clone(),
    };
    let status = kern::boot::run(&k, init);

    if let Err(e) = root_fs.sync() {
        log::error!("sync of the root file system failed: {e}");
    }
    log::info!("reboot: System halted (init: {status:?})");
    Ok(status.host_code())
}

/// Physical memory, the stub's place and its code.
fn memory(mem_bytes: u64) -> Result<Arc<Memory>, String> {
    let physmem = PhysMem::new(mem_bytes).map_err(|e| {
        format!(
            "cannot allocate {} MiB of physical memory: {e}",
            mem_bytes >> 20
        )
    })?;
    let stub_layout = StubLayout::reserve()
        .map_err(|e| format!("no room for the stub in the host address space: {e}"))?;

    // Frame 0 holds the stub's code for every address space.
    let stub_code = PhysAddr(0);
    stub::install_code(&physmem, stub_code.0);
    let frames = FrameAllocator::new((mem_bytes / FRAME_SIZE) as usize, 1);
    let cache = PageCache::new(frames.total() / 4);

    log::info!(
        "Memory: {}K physical memory, stub at {:#x}",
        mem_bytes >> 10,
        stub_layout.base()
    );
    Ok(Arc::new(Memory {
        physmem,
        frames,
        stub_layout,
        stub_code,
        cache,
    }))
}

/// Opens the block devices and mounts the one `root=` names.
fn mount_root(config: &BootConfig) -> Result<Arc<dyn FileSystem>, String> {
    let mut root = None;
    for spec in &config.ubd {
        let ubd = Ubd::open(spec.index, &spec.path, spec.read_only)?;
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
            root = Some(Arc::new(ubd));
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
