//! POSIX record locks (fcntl F_GETLK, F_SETLK, F_SETLKW), advisory, per inode.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::errno::{Errno, KResult};
use crate::task::Pid;
use crate::waitq::WaitQueue;

/// A lock's type (`l_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockType {
    /// F_RDLCK: shared.
    Read,
    /// F_WRLCK: exclusive.
    Write,
}

/// One held lock: `[start, end)` of a file (end `u64::MAX` is "to end of file").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLock {
    /// Shared or exclusive.
    pub kind: LockType,
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// The owning process.
    pub pid: Pid,
}

impl RecordLock {
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.start < end && start < self.end
    }

    fn conflicts(&self, other: &RecordLock) -> bool {
        self.pid != other.pid
            && self.overlaps(other.start, other.end)
            && (self.kind == LockType::Write || other.kind == LockType::Write)
    }
}

/// The locks of one inode.
#[derive(Default)]
pub struct InodeLocks {
    held: Mutex<Vec<RecordLock>>,
    /// Woken when a lock is released.
    pub released: WaitQueue,
}

/// Every inode's locks, keyed by the inode's address while it is in use.
#[derive(Default)]
pub struct LockTable {
    inodes: Mutex<HashMap<usize, Arc<InodeLocks>>>,
}

impl LockTable {
    /// The locks of the inode at `key`.
    pub fn of(&self, key: usize) -> Arc<InodeLocks> {
        self.inodes.lock().entry(key).or_default().clone()
    }

    /// Drops every lock `pid` holds (at close of any descriptor of the file, and exit).
    pub fn release_all(&self, pid: Pid) {
        let inodes: Vec<Arc<InodeLocks>> = self.inodes.lock().values().cloned().collect();
        for l in inodes {
            l.unlock(pid, 0, u64::MAX);
        }
    }
}

impl InodeLocks {
    /// The first lock that would conflict with `want`, for F_GETLK.
    pub fn conflict(&self, want: &RecordLock) -> Option<RecordLock> {
        self.held.lock().iter().find(|l| l.conflicts(want)).copied()
    }

    /// Takes `want`, replacing the owner's own locks in its range; EAGAIN on conflict.
    pub fn lock(&self, want: RecordLock) -> KResult<()> {
        let mut held = self.held.lock();
        if held.iter().any(|l| l.conflicts(&want)) {
            return Err(Errno::EAGAIN);
        }
        carve(&mut held, want.pid, want.start, want.end);
        held.push(want);
        Ok(())
    }

    /// Releases the owner's locks in `[start, end)`.
    pub fn unlock(&self, pid: Pid, start: u64, end: u64) {
        let mut held = self.held.lock();
        let before = held.len();
        carve(&mut held, pid, start, end);
        let changed = held.len() != before || held.iter().any(|l| l.pid == pid);
        drop(held);
        if changed {
            self.released.wake_all();
        }
    }
}

/// Removes `[start, end)` from `pid`'s locks, splitting those that straddle it.
fn carve(held: &mut Vec<RecordLock>, pid: Pid, start: u64, end: u64) {
    let mut out = Vec::with_capacity(held.len());
    for l in held.drain(..) {
        if l.pid != pid || !l.overlaps(start, end) {
            out.push(l);
            continue;
        }
        if l.start < start {
            out.push(RecordLock { end: start, ..l });
        }
        if l.end > end {
            out.push(RecordLock { start: end, ..l });
        }
    }
    *held = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lk(kind: LockType, start: u64, end: u64, pid: Pid) -> RecordLock {
        RecordLock {
            kind,
            start,
            end,
            pid,
        }
    }

    #[test]
    fn readers_share_and_writers_exclude() {
        let l = InodeLocks::default();
        l.lock(lk(LockType::Read, 0, 10, 1)).unwrap();
        l.lock(lk(LockType::Read, 5, 15, 2)).unwrap();
        assert_eq!(l.lock(lk(LockType::Write, 0, 1, 3)), Err(Errno::EAGAIN));
        assert!(l.conflict(&lk(LockType::Write, 12, 13, 3)).is_some());
        l.unlock(2, 0, u64::MAX);
        l.lock(lk(LockType::Write, 12, 13, 3)).unwrap();
    }

    #[test]
    fn unlocking_the_middle_splits_a_lock() {
        let l = InodeLocks::default();
        l.lock(lk(LockType::Write, 0, 100, 1)).unwrap();
        l.unlock(1, 40, 60);
        l.lock(lk(LockType::Write, 45, 55, 2)).unwrap();
        assert_eq!(l.lock(lk(LockType::Write, 10, 11, 2)), Err(Errno::EAGAIN));
    }
}
