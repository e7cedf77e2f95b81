//! Bringing the machine up: the first process, and the CPUs that run it.

use std::sync::Arc;

use crate::errno::Errno;
use crate::exec;
use crate::fs::file::{FileKind, OpenFile, O_RDWR};
use crate::kernel::Kernel;
use crate::sched;
use crate::task::{ExitStatus, Process, Task};
use crate::waitq::{Requeue, WakeCell};

/// The first program and what it is handed.
#[derive(Clone, Debug)]
pub struct InitSpec {
    /// Absolute path of init in the root file system.
    pub path: String,
    /// argv[1..].
    pub args: Vec<String>,
}

/// Starts every virtual CPU and runs init on CPU 0; returns init's exit status once
/// the machine halts.
pub fn run(k: &Arc<Kernel>, init: InitSpec) -> ExitStatus {
    let kernel = k.clone();
    let threads = k.cpus.start(move |cpu| {
        // The CPU that starts init is its tracer, so init must start on its own thread.
        if cpu.0 == 0 {
            start_init(&kernel, &init);
        }
        sched::cpu_loop(kernel.clone(), cpu);
    });

    let threads = match threads {
        Ok(t) => t,
        Err(e) => {
            log::error!("cannot start virtual CPUs: {e}");
            return ExitStatus::Code(1);
        }
    };

    let status = k.wait_for_halt();
    for t in threads {
        let _ = t.join();
    }
    // No guest runs now: what shared mappings wrote reaches the files before the caller
    // syncs and unmounts.
    k.mem.write_back_and_drop_all();
    status
}

fn start_init(k: &Arc<Kernel>, init: &InitSpec) {
    match spawn_init(k, init) {
        Ok(task) => k.cpus.push(smp::VcpuId(0), Box::new(task)),
        Err(e) => {
            log::error!(
                "Requested init {} failed: {} ({})",
                init.path,
                e,
                crate::syscall::abi::errno_description(e)
            );
            k.halt(ExitStatus::Code(1));
        }
    }
}

fn spawn_init(k: &Arc<Kernel>, init: &InitSpec) -> Result<Task, Errno> {
    let root = k.vfs.root();
    let mut argv = vec![init.path.as_bytes().to_vec()];
    argv.extend(init.args.iter().map(|a| a.as_bytes().to_vec()));
    let envp = vec![b"HOME=/".to_vec(), b"TERM=linux".to_vec()];

    let loaded = exec::load(
        k,
        &root,
        init.path.as_bytes(),
        argv,
        envp,
        exec::Source::Fresh,
    )?;
    let pid = k.alloc_pid();
    let process = Arc::new(Process::new(pid, 0, loaded.mm, root));
    *process.comm.lock() = loaded.comm;
    *process.arg_ranges.lock() = loaded.arg_ranges;

    // Like Linux's kernel_init, init starts with the console on 0, 1 and 2.
    let console = k.vfs.resolve(&k.vfs.root(), b"/dev/console", true)?;
    let dev = k.devices.char_device(console.inode().stat()?.rdev)?;
    let file = Arc::new(OpenFile::new(
        console,
        dev_inode(k)?,
        FileKind::Char(dev),
        O_RDWR,
    ));
    {
        let mut files = process.files.lock();
        for fd in 0..3 {
            files.install_at(fd, file.clone(), false);
        }
    }

    let cell = WakeCell::new(Arc::downgrade(k) as std::sync::Weak<dyn Requeue>, 0);
    let mut task = Task::new(process.clone(), loaded.host, loaded.regs, cell);
    *process.exe.lock() = init.path.as_bytes().to_vec();
    k.add_process(process);
    task.host_regs = loaded.host_regs;
    log::info!("Run {} as init process", init.path);
    Ok(task)
}

fn dev_inode(k: &Kernel) -> Result<Arc<dyn crate::fs::Inode>, Errno> {
    Ok(k.vfs
        .resolve(&k.vfs.root(), b"/dev/console", true)?
        .inode()
        .clone())
}
