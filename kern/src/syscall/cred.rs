//! User and group ids: the get and set families, with Linux's rules for who may set
//! what (root may set anything; others move between their real, effective and saved
//! ids).

use super::{Args, Ctx};
use crate::cred::Creds;
use crate::errno::{Errno, KResult};

/// Most supplementary groups (NGROUPS_MAX).
const NGROUPS_MAX: usize = 65536;
/// "Leave this id alone" in the set*id calls.
const KEEP: u32 = u32::MAX;

fn creds(cx: &Ctx) -> Creds {
    cx.task.process.creds.lock().clone()
}

/// getuid(2).
pub fn sys_getuid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(creds(cx).uid as i64)
}

/// geteuid(2).
pub fn sys_geteuid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(creds(cx).euid as i64)
}

/// getgid(2).
pub fn sys_getgid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(creds(cx).gid as i64)
}

/// getegid(2).
pub fn sys_getegid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(creds(cx).egid as i64)
}

fn write_ids(cx: &Ctx, addrs: &[u64], ids: [u32; 3]) -> KResult<i64> {
    for (addr, id) in addrs.iter().zip(ids) {
        cx.write_bytes(*addr, &id.to_le_bytes())?;
    }
    Ok(0)
}

/// getresuid(2).
pub fn sys_getresuid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let c = creds(cx);
    write_ids(cx, &a[..3], [c.uid, c.euid, c.suid])
}

/// getresgid(2).
pub fn sys_getresgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let c = creds(cx);
    write_ids(cx, &a[..3], [c.gid, c.egid, c.sgid])
}

/// Which id family a set call changes.
#[derive(Clone, Copy)]
enum Family {
    User,
    Group,
}

fn ids(c: &Creds, f: Family) -> [u32; 3] {
    match f {
        Family::User => [c.uid, c.euid, c.suid],
        Family::Group => [c.gid, c.egid, c.sgid],
    }
}

/// Sets (real, effective, saved), KEEP leaving one alone; an unprivileged caller may
/// only pick among its current three. The file-system id follows the effective one.
fn set_ids(cx: &Ctx, f: Family, new: [u32; 3]) -> KResult<i64> {
    let mut c = cx.task.process.creds.lock();
    let cur = ids(&c, f);
    let privileged = c.euid == 0;
    if !privileged && new.iter().any(|&id| id != KEEP && !cur.contains(&id)) {
        return Err(Errno::EPERM);
    }

    let pick = |i: usize| if new[i] == KEEP { cur[i] } else { new[i] };
    let [r, e, s] = [pick(0), pick(1), pick(2)];
    match f {
        Family::User => {
            (c.uid, c.euid, c.suid, c.fsuid) = (r, e, s, e);
        }
        Family::Group => {
            (c.gid, c.egid, c.sgid, c.fsgid) = (r, e, s, e);
        }
    }
    Ok(0)
}

/// setresuid(2).
pub fn sys_setresuid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    set_ids(cx, Family::User, [a[0] as u32, a[1] as u32, a[2] as u32])
}

/// setresgid(2).
pub fn sys_setresgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    set_ids(cx, Family::Group, [a[0] as u32, a[1] as u32, a[2] as u32])
}

/// setreuid(2): setting the real id, or the effective one to other than the real id,
/// also sets the saved id to the new effective id.
pub fn sys_setreuid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    set_re(cx, Family::User, a[0] as u32, a[1] as u32)
}

/// setregid(2).
pub fn sys_setregid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    set_re(cx, Family::Group, a[0] as u32, a[1] as u32)
}

fn set_re(cx: &Ctx, f: Family, r: u32, e: u32) -> KResult<i64> {
    let cur = ids(&cx.task.process.creds.lock(), f);
    let new_e = if e == KEEP { cur[1] } else { e };
    let saved = if r != KEEP || (e != KEEP && e != cur[0]) {
        new_e
    } else {
        KEEP
    };
    set_ids(cx, f, [r, e, saved])
}

/// setuid(2): root sets all three ids; others only the effective one.
pub fn sys_setuid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let id = a[0] as u32;
    if id == KEEP {
        return Err(Errno::EINVAL);
    }
    let root = cx.task.process.creds.lock().euid == 0;
    let new = if root { [id, id, id] } else { [KEEP, id, KEEP] };
    set_ids(cx, Family::User, new)
}

/// setgid(2).
pub fn sys_setgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let id = a[0] as u32;
    if id == KEEP {
        return Err(Errno::EINVAL);
    }
    let root = cx.task.process.creds.lock().euid == 0;
    let new = if root { [id, id, id] } else { [KEEP, id, KEEP] };
    set_ids(cx, Family::Group, new)
}

/// setfsuid(2): returns the old value whether or not the change was allowed.
pub fn sys_setfsuid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let mut c = cx.task.process.creds.lock();
    let old = c.fsuid;
    let id = a[0] as u32;
    if c.euid == 0 || [c.uid, c.euid, c.suid, c.fsuid].contains(&id) {
        c.fsuid = id;
    }
    Ok(old as i64)
}

/// setfsgid(2).
pub fn sys_setfsgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let mut c = cx.task.process.creds.lock();
    let old = c.fsgid;
    let id = a[0] as u32;
    if c.euid == 0 || [c.gid, c.egid, c.sgid, c.fsgid].contains(&id) {
        c.fsgid = id;
    }
    Ok(old as i64)
}

/// getgroups(2).
pub fn sys_getgroups(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let groups = creds(cx).groups;
    let size = a[0] as i32;
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    if size == 0 {
        return Ok(groups.len() as i64);
    }
    if (size as usize) < groups.len() {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = groups.iter().flat_map(|g| g.to_le_bytes()).collect();
    cx.write_bytes(a[1], &bytes)?;
    Ok(groups.len() as i64)
}

/// setgroups(2).
pub fn sys_setgroups(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let n = a[0] as usize;
    if n > NGROUPS_MAX {
        return Err(Errno::EINVAL);
    }
    if cx.task.process.creds.lock().euid != 0 {
        return Err(Errno::EPERM);
    }
    let raw = cx.read_bytes(a[1], n * 4)?;
    let groups = raw
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    cx.task.process.creds.lock().groups = groups.collect();
    Ok(0)
}
