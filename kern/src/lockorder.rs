//! The kernel's lock order, and a debug-build check of it.
//!
//! Locks are taken in this order, never against it (a lock of a level may be taken
//! while holding only locks of lower levels):
//!
//! 1. the process table (`Kernel::procs`);
//! 2. a process's own locks (descriptors, working directory, credentials, ...);
//! 3. an address space's state (areas, page table, pending host operations);
//! 4. the page cache;
//! 5. the frame allocator;
//! 6. wait queues, wake cells and pipe buffers, which take nothing after them.
//!
//! No lock is held while waiting for a guest, except an address space's while its stub
//! runs kernel-chosen orders. [`Ordered`] wraps the locks of levels 3 to 6; in
//! debug builds and the kernel's tests every acquisition checks the levels the thread
//! already holds and panics on a violation.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

use parking_lot::{Mutex, MutexGuard};

/// Where a lock stands in the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
    /// The process table.
    Processes = 1,
    /// A process's own locks.
    Process = 2,
    /// An address space's state.
    AddressSpace = 3,
    /// The page cache.
    PageCache = 4,
    /// The frame allocator.
    Frames = 5,
    /// Wait queues, wake cells, pipe buffers.
    Wait = 6,
}

/// Whether acquisitions are checked: in debug builds and in the kernel's own tests.
const CHECKED: bool = cfg!(debug_assertions) || cfg!(test);

thread_local! {
    /// Levels of the ordered locks the thread holds, in acquisition order.
    static HELD: RefCell<Vec<Level>> = const { RefCell::new(Vec::new()) };
}

/// Records that the thread takes a lock of `level`; panics (debug builds only) when it
/// already holds one of a higher level.
pub fn acquire(level: Level) {
    if !CHECKED {
        return;
    }
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        if let Some(&top) = h.iter().max() {
            assert!(
                top <= level,
                "lock order violation: taking {level:?} while holding {top:?}"
            );
        }
        h.push(level);
    });
}

/// Records that the thread let go of a lock of `level`.
pub fn release(level: Level) {
    if !CHECKED {
        return;
    }
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        if let Some(i) = h.iter().rposition(|&l| l == level) {
            h.remove(i);
        }
    });
}

/// A mutex with a place in the lock order.
pub struct Ordered<T> {
    level: Level,
    inner: Mutex<T>,
}

/// The guard of an [`Ordered`] lock.
pub struct OrderedGuard<'a, T> {
    level: Level,
    guard: MutexGuard<'a, T>,
}

impl<T> Ordered<T> {
    /// A lock of `level` around `value`.
    pub const fn new(level: Level, value: T) -> Ordered<T> {
        Ordered {
            level,
            inner: Mutex::new(value),
        }
    }

    /// Takes the lock, checking the order in debug builds.
    pub fn lock(&self) -> OrderedGuard<'_, T> {
        acquire(self.level);
        OrderedGuard {
            level: self.level,
            guard: self.inner.lock(),
        }
    }

    /// The value, through exclusive access (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T> Deref for OrderedGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for OrderedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Drop for OrderedGuard<'_, T> {
    fn drop(&mut self) {
        release(self.level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_locks_in_order_is_fine() {
        let a = Ordered::new(Level::AddressSpace, 1);
        let b = Ordered::new(Level::Frames, 2);
        let _a = a.lock();
        let _b = b.lock();
    }

    #[test]
    #[should_panic(expected = "lock order violation")]
    fn taking_a_lower_level_under_a_higher_one_is_caught() {
        let frames = Ordered::new(Level::Frames, 0);
        let space = Ordered::new(Level::AddressSpace, 0);
        let _f = frames.lock();
        let _s = space.lock();
    }

    #[test]
    fn released_locks_no_longer_count() {
        let frames = Ordered::new(Level::Frames, 0);
        let space = Ordered::new(Level::AddressSpace, 0);
        drop(frames.lock());
        let _s = space.lock();
        let _f = frames.lock();
    }
}
