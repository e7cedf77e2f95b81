//! Process syscalls: ids, exit, execve, thread-area setup, scheduling queries.

use std::sync::atomic::Ordering;

use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::exec;
use crate::task::ExitStatus;

/// Most argv or envp entries execve reads (Linux's MAX_ARG_STRINGS).
const MAX_ARG_STRINGS: usize = 0x7fff_ffff;

/// exit(2). With one thread per process this ends the process, as exit_group does.
pub fn sys_exit(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.exit_with(ExitStatus::Code(a[0] as i32 & 0xff));
    Ok(0)
}

/// exit_group(2).
pub fn sys_exit_group(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.exit_with(ExitStatus::Code(a[0] as i32 & 0xff));
    Ok(0)
}

/// getpid(2).
pub fn sys_getpid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.process.pid as i64)
}

/// getppid(2).
pub fn sys_getppid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.process.ppid() as i64)
}

/// gettid(2).
pub fn sys_gettid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.tid as i64)
}

/// getuid, geteuid, getgid, getegid: everything runs as root until credentials land.
pub fn sys_getuid(_cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(0)
}

/// getresuid(2) and getresgid(2): three zero ids.
pub fn sys_getresuid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    for addr in &a[..3] {
        cx.write_bytes(*addr, &0u32.to_le_bytes())?;
    }
    Ok(0)
}

/// getpgrp(2).
pub fn sys_getpgrp(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.process.pgid.load(Ordering::Relaxed) as i64)
}

/// getpgid(2) for the caller (pid 0 or its own).
pub fn sys_getpgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    own_pid(cx, a[0])?;
    Ok(cx.task.process.pgid.load(Ordering::Relaxed) as i64)
}

/// getsid(2) for the caller.
pub fn sys_getsid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    own_pid(cx, a[0])?;
    Ok(cx.task.process.sid.load(Ordering::Relaxed) as i64)
}

/// setpgid(2) for the caller.
pub fn sys_setpgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    own_pid(cx, a[0])?;
    let pgid = a[1] as i32;
    if pgid < 0 {
        return Err(Errno::EINVAL);
    }
    let p = &cx.task.process;
    p.pgid.store(if pgid == 0 { p.pid } else { pgid }, Ordering::Relaxed);
    Ok(0)
}

/// setsid(2): EPERM for a group leader, as Linux.
pub fn sys_setsid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    let p = &cx.task.process;
    if p.pgid.load(Ordering::Relaxed) == p.pid {
        return Err(Errno::EPERM);
    }
    p.pgid.store(p.pid, Ordering::Relaxed);
    p.sid.store(p.pid, Ordering::Relaxed);
    Ok(p.pid as i64)
}

/// Other processes come with fork; until then any other pid does not exist.
fn own_pid(cx: &Ctx, pid: u64) -> KResult<()> {
    let pid = pid as i32;
    if pid == 0 || pid == cx.task.process.pid {
        Ok(())
    } else if pid < 0 {
        Err(Errno::EINVAL)
    } else {
        Err(Errno::ESRCH)
    }
}

/// set_tid_address(2).
pub fn sys_set_tid_address(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.task.clear_child_tid = a[0];
    Ok(cx.task.tid as i64)
}

/// set_robust_list(2).
pub fn sys_set_robust_list(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    // sizeof(struct robust_list_head) on x86_64.
    if a[1] != 24 {
        return Err(Errno::EINVAL);
    }
    cx.task.robust_list = a[0];
    Ok(0)
}

/// arch_prctl(2): the FS and GS bases.
pub fn sys_arch_prctl(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const ARCH_SET_GS: u64 = 0x1001;
    const ARCH_SET_FS: u64 = 0x1002;
    const ARCH_GET_FS: u64 = 0x1003;
    const ARCH_GET_GS: u64 = 0x1004;

    let (code, addr) = (a[0], a[1]);
    let top = cx.mm().task_top();
    match code {
        ARCH_SET_FS | ARCH_SET_GS if addr >= top => Err(Errno::EPERM),
        ARCH_SET_FS => {
            cx.task.regs.fs_base = addr;
            Ok(0)
        }
        ARCH_SET_GS => {
            cx.task.regs.gs_base = addr;
            Ok(0)
        }
        ARCH_GET_FS => cx.write_bytes(addr, &cx.task.regs.fs_base.to_le_bytes()).map(|_| 0),
        ARCH_GET_GS => cx.write_bytes(addr, &cx.task.regs.gs_base.to_le_bytes()).map(|_| 0),
        _ => Err(Errno::EINVAL),
    }
}

/// execve(2).
pub fn sys_execve(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let path = cx.read_path(a[0])?;
    let argv = read_str_array(cx, a[1])?;
    let envp = read_str_array(cx, a[2])?;

    exec::execve(cx, &path, argv, envp)?;
    cx.replace_regs();
    Ok(0)
}

/// Reads a NULL-terminated array of string pointers (argv, envp); NULL is empty.
fn read_str_array(cx: &Ctx, addr: u64) -> KResult<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }

    let mut total = 0usize;
    for i in 0..MAX_ARG_STRINGS {
        let p = cx.read_u64(addr + 8 * i as u64)?;
        if p == 0 {
            break;
        }

        let s = cx.mm().read_cstr(p, exec::MAX_ARG_STRLEN).map_err(|e| match e {
            Errno::ENAMETOOLONG => Errno::E2BIG,
            e => e,
        })?;
        total += s.len() + 1 + 8;
        if total > exec::MAX_ARG_BYTES {
            return Err(Errno::E2BIG);
        }
        out.push(s);
    }
    Ok(out)
}

/// prctl(2): the name calls; others are refused with EINVAL.
pub fn sys_prctl(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;

    match a[0] {
        PR_SET_NAME => {
            let mut name = cx.read_bytes_upto_nul(a[1], 16)?;
            name.truncate(15);
            *cx.task.process.comm.lock() = name;
            Ok(0)
        }
        PR_GET_NAME => {
            let mut name = cx.task.process.comm.lock().clone();
            name.resize(16, 0);
            cx.write_bytes(a[1], &name)?;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// sched_yield(2).
pub fn sys_sched_yield(_cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(0)
}

/// sched_getaffinity(2): every virtual CPU.
pub fn sys_sched_getaffinity(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    own_pid(cx, a[0])?;
    let ncpus = cx.k.cpus.count();
    let bytes = ncpus.div_ceil(64) * 8;
    let len = a[1] as usize;
    if len < bytes || len % 8 != 0 {
        return Err(Errno::EINVAL);
    }

    let mut mask = vec![0u8; bytes];
    for cpu in 0..ncpus {
        mask[cpu / 8] |= 1 << (cpu % 8);
    }
    cx.write_bytes(a[2], &mask)?;
    Ok(bytes as i64)
}

/// getcpu(2): the calling task's virtual CPU and node 0.
pub fn sys_getcpu(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let cpu = cx.task.cpu as u32;
    if a[0] != 0 {
        cx.write_bytes(a[0], &cpu.to_le_bytes())?;
    }
    if a[1] != 0 {
        cx.write_bytes(a[1], &0u32.to_le_bytes())?;
    }
    Ok(0)
}
