//! Program loading: execve, and the first program the kernel runs.
//!
//! A new program gets a new address space, which is a new host process: the old one
//! stays untouched until the new image is fully set up, so a failing execve returns
//! its errno to an intact caller, as Linux's point of no return.

pub mod elf;
pub mod stack;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use arch_um::ptrace::{Regs, Stopped};

use self::elf::ElfImage;
use crate::errno::{Errno, KResult};
use crate::fs::vfs::Location;
use crate::fs::{FileType, Inode};
use crate::kernel::Kernel;
use crate::mm::space::STACK_BYTES;
use crate::mm::{page_down, page_up, AddressSpace, Backing, Prot, Vma, PAGE_SIZE};
use crate::syscall::Ctx;

/// Longest single argument or environment string (MAX_ARG_STRLEN).
pub const MAX_ARG_STRLEN: usize = 32 * PAGE_SIZE as usize;
/// Most bytes of arguments and environment, with their pointers (a quarter of the
/// default 8 MiB stack, as Linux allows).
pub const MAX_ARG_BYTES: usize = 2 << 20;
/// Largest executable file read into memory for parsing.
const MAX_IMAGE_BYTES: u64 = 1 << 30;
/// Nested `#!` interpreters allowed (Linux's BINPRM_MAX_RECURSION).
const MAX_INTERP_DEPTH: usize = 4;
/// Longest `#!` line Linux reads (BINPRM_BUF_SIZE).
const SHEBANG_MAX: usize = 256;

const AT_HWCAP: u64 = 16;
const AT_HWCAP2: u64 = 26;
const AT_MINSIGSTKSZ: u64 = 51;

/// A program ready to run: its address space, stopped at the entry point.
pub struct Loaded {
    /// The new address space.
    pub mm: Arc<AddressSpace>,
    /// Its host thread, stopped.
    pub host: Stopped,
    /// The registers to start with.
    pub regs: Regs,
    /// The registers the host thread has now.
    pub host_regs: Regs,
    /// The program's name for `comm`.
    pub comm: Vec<u8>,
    /// The program's path, for /proc/PID/exe.
    pub exe: Vec<u8>,
    /// Where argv and envp strings lie on the stack: argv start and end, envp start
    /// and end.
    pub arg_ranges: [u64; 4],
}

/// Where a new program's address space comes from.
pub enum Source<'a> {
    /// A fresh host process from the kernel (the first program).
    Fresh,
    /// A copy of the caller's host process, emptied (execve); the caller's stopped
    /// thread is lent for the stub run and put back.
    Caller(&'a AddressSpace, &'a mut Option<Stopped>),
}

/// Loads the program at `path` into a new address space, for execve or for init.
pub fn load(
    k: &Kernel,
    cwd: &Location,
    path: &[u8],
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    source: Source,
) -> KResult<Loaded> {
    let mut argv = argv;
    let mut path = path.to_vec();

    for _ in 0..=MAX_INTERP_DEPTH {
        let loc = k.vfs.resolve(cwd, &path, true)?;
        let inode = loc.inode().clone();
        check_executable(&*inode)?;

        let (image, file_len) = read_head(&*inode)?;
        if let Some((interp, arg)) = shebang(&image)? {
            // `#!interp arg` runs `interp [arg] path args...`, as binfmt_script.
            let mut new_argv = vec![interp.clone()];
            new_argv.extend(arg);
            new_argv.push(path.clone());
            new_argv.extend(argv.into_iter().skip(1));
            argv = new_argv;
            path = interp;
            continue;
        }

        let elf = match elf::parse_head(&image, file_len) {
            // Headers past the first bytes read: read the whole file.
            Err(Errno::ENOEXEC) if (image.len() as u64) < file_len => {
                elf::parse(&read_all(&*inode)?)?
            }
            other => other?,
        };
        if elf.interp.is_some() {
            log::warn!(
                "{}: dynamically linked executables are not supported yet",
                String::from_utf8_lossy(&path)
            );
            return Err(Errno::ENOEXEC);
        }
        return load_elf(k, &path, inode, &elf, &argv, &envp, source);
    }
    Err(Errno::ELOOP)
}

fn check_executable(inode: &dyn Inode) -> KResult<()> {
    let st = inode.stat()?;
    if inode.file_type() != FileType::Regular || st.mode & 0o111 == 0 {
        return Err(Errno::EACCES);
    }
    Ok(())
}

/// Bytes read first from an executable: enough for the headers of any normal binary.
const HEAD_BYTES: u64 = 16 << 10;

/// The first bytes of an executable and its size.
fn read_head(inode: &dyn Inode) -> KResult<(Vec<u8>, u64)> {
    let size = inode.stat()?.size;
    let mut head = vec![0; size.min(HEAD_BYTES) as usize];
    let n = read_fully(inode, &mut head)?;
    head.truncate(n);
    Ok((head, size))
}

fn read_all(inode: &dyn Inode) -> KResult<Vec<u8>> {
    let size = inode.stat()?.size;
    if size > MAX_IMAGE_BYTES {
        return Err(Errno::ENOEXEC);
    }
    let mut image = vec![0; size as usize];
    let n = read_fully(inode, &mut image)?;
    image.truncate(n);
    Ok(image)
}

fn read_fully(inode: &dyn Inode, image: &mut [u8]) -> KResult<usize> {
    let mut done = 0;
    while done < image.len() {
        let n = inode.read_at(done as u64, &mut image[done..])?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// The interpreter and optional argument of a `#!` script.
fn shebang(image: &[u8]) -> KResult<Option<(Vec<u8>, Option<Vec<u8>>)>> {
    if !image.starts_with(b"#!") {
        return Ok(None);
    }

    let head = &image[2..image.len().min(SHEBANG_MAX)];
    let line = match head.iter().position(|&b| b == b'\n') {
        Some(n) => &head[..n],
        None if image.len() <= SHEBANG_MAX => head,
        None => return Err(Errno::ENOEXEC),
    };
    let line = line.trim_ascii();
    let split = line.iter().position(|b| b.is_ascii_whitespace());
    let (interp, rest) = match split {
        Some(i) => (&line[..i], line[i..].trim_ascii()),
        None => (line, &b""[..]),
    };
    if interp.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    Ok(Some((
        interp.to_vec(),
        (!rest.is_empty()).then(|| rest.to_vec()),
    )))
}

fn load_elf(
    k: &Kernel,
    path: &[u8],
    inode: Arc<dyn Inode>,
    elf: &ElfImage,
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    source: Source,
) -> KResult<Loaded> {
    let (mm, host) = match source {
        Source::Fresh => AddressSpace::new(&k.mem)?,
        Source::Caller(mm, slot) => {
            let t = slot.take().ok_or(Errno::EAGAIN)?;
            let (back, made) = mm.spawn_empty(t);
            *slot = back;
            made?
        }
    };
    let host_regs = host.regs().map_err(|_| Errno::EAGAIN)?;
    let stack_top = mm.stack_top();

    // Static PIEs go where Linux puts PIEs; the span must end below the stack area.
    let bias = elf.load_bias(elf::ET_DYN_BASE);
    if !elf.fits_at(bias) || elf.max_vaddr + bias > stack_top - STACK_BYTES {
        return Err(Errno::ENOMEM);
    }
    map_segments(&mm, inode, elf, bias, path);

    let brk = page_up(elf.max_vaddr + bias).ok_or(Errno::ENOMEM)?;
    mm.set_brk_start(brk);
    mm.map_fixed(Vma {
        start: stack_top - STACK_BYTES,
        end: stack_top,
        prot: Prot::RW,
        backing: Backing::Anon,
        shared: false,
        name: Some(Arc::from("[stack]")),
        grows_down: false,
    });

    let entry = elf.entry + bias;
    let (sp, arg_ranges) = write_stack(&mm, elf, bias, entry, path, argv, envp)?;

    // Every program starts by touching these: map them with the first stub run.
    mm.prefault(entry);
    mm.prefault(sp);
    for seg in &elf.segments {
        mm.prefault(seg.vaddr + bias);
        let anon = seg.anon_pages();
        if !anon.is_empty() {
            mm.prefault(anon.start + bias);
        }
    }
    let regs = Regs {
        rip: entry,
        rsp: sp,
        cs: host_regs.cs,
        ss: host_regs.ss,
        ds: host_regs.ds,
        es: host_regs.es,
        // IF set, as for any user process.
        eflags: 0x202,
        ..Regs::default()
    };

    let base = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let comm = base[..base.len().min(15)].to_vec();
    Ok(Loaded {
        mm: Arc::new(mm),
        host,
        regs,
        host_regs,
        comm,
        exe: path.to_vec(),
        arg_ranges,
    })
}

fn map_segments(mm: &AddressSpace, inode: Arc<dyn Inode>, elf: &ElfImage, bias: u64, path: &[u8]) {
    let name: Arc<str> = Arc::from(String::from_utf8_lossy(path).as_ref());

    for seg in &elf.segments {
        let pages = seg.file_pages();
        if !pages.is_empty() {
            // Bytes of the file visible in the mapping: to the end of the last page, or
            // to the end of the data when the tail of that page must read as zero.
            let visible = if seg.zero_tail().is_empty() {
                pages.end - pages.start
            } else {
                seg.vaddr + seg.file_len - pages.start
            };
            mm.map_fixed(Vma {
                start: pages.start + bias,
                end: pages.end + bias,
                prot: Prot(seg.prot.0),
                backing: Backing::File {
                    inode: inode.clone(),
                    offset: page_down(seg.file_off),
                    file_len: visible,
                    writable: false,
                },
                shared: false,
                name: Some(name.clone()),
                grows_down: false,
            });
        }

        let anon = seg.anon_pages();
        if !anon.is_empty() {
            mm.map_fixed(Vma {
                start: anon.start + bias,
                end: anon.end + bias,
                prot: Prot(seg.anon_prot().0),
                backing: Backing::Anon,
                shared: false,
                name: None,
                grows_down: false,
            });
        }
    }
}

fn write_stack(
    mm: &AddressSpace,
    elf: &ElfImage,
    bias: u64,
    entry: u64,
    path: &[u8],
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
) -> KResult<(u64, [u64; 4])> {
    let auxv = stack::standard_auxv(&stack::AuxvParams {
        minsigstksz: arch_um::host::auxv_value(AT_MINSIGSTKSZ),
        hwcap: arch_um::host::auxv_value(AT_HWCAP),
        hwcap2: arch_um::host::auxv_value(AT_HWCAP2),
        phdr: elf.phdr_addr(bias),
        phnum: elf.phnum as u64,
        base: 0,
        entry,
        ..Default::default()
    });

    let mut random = [0u8; 16];
    arch_um::host::random_bytes(&mut random);
    let built = stack::build(&stack::StackParams {
        stack_top: mm.stack_top(),
        argv,
        envp,
        execfn: path,
        random,
        platform: b"x86_64",
        auxv: &auxv,
    })?;

    mm.write(built.sp, &built.bytes)?;
    Ok((
        built.sp,
        [
            built.argv_start,
            built.argv_end,
            built.env_start,
            built.env_end,
        ],
    ))
}

/// execve(2) for the calling task: on success the task runs the new program.
pub fn execve(cx: &mut Ctx, path: &[u8], argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>) -> KResult<()> {
    let cwd = cx.task.process.cwd.lock().clone();
    let mm = cx.task.mm();
    let loaded = load(
        cx.k,
        &cwd,
        path,
        argv,
        envp,
        Source::Caller(&mm, &mut cx.task.host),
    );

    // The stub ran on the caller's thread: its registers must be written back.
    cx.task.host_regs = Default::default();
    let loaded = loaded?;

    // The point of no return: the old address space and its host process go.
    let task = &mut *cx.task;
    let old_host = task.host.replace(loaded.host);
    // A vfork child that shared its parent's memory gives the parent its thread back.
    match task.borrowed_host.take() {
        Some(loan) => loan.give_back(old_host),
        None => drop(old_host),
    }
    drop(task.process.replace_mm(loaded.mm));
    task.regs = loaded.regs;
    task.host_regs = loaded.host_regs;
    *task.process.comm.lock() = loaded.comm;
    *task.process.exe.lock() = loaded.exe;
    *task.process.arg_ranges.lock() = loaded.arg_ranges;
    crate::process::release_vfork_parent(&task.process);
    // Before the close-on-exec descriptors go: a parent that learns of the exec from
    // their closing must find the flag set.
    task.process.execed.store(true, Ordering::Relaxed);

    task.process.files.lock().close_on_exec();
    // sigaltstack(2): "any existing alternate signal stack is cleared on execve".
    task.altstack = Default::default();
    for action in task.process.sigactions.lock().iter_mut() {
        // Caught signals revert to default; ignored ones stay ignored.
        if action.handler > 1 {
            *action = Default::default();
        }
    }
    Ok(())
}
