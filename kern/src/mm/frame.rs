//! The frame allocator: hands out frames of physical memory and counts their users.

use crate::lockorder::{Level, Ordered};

use super::PAGE_SIZE;
use crate::errno::{Errno, KResult};

/// A byte offset into physical memory, always frame-aligned where it names a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhysAddr(pub u64);

impl PhysAddr {
    fn index(self) -> usize {
        (self.0 / PAGE_SIZE) as usize
    }

    /// The frame `n` frames after this one.
    pub fn add_frames(self, n: u64) -> PhysAddr {
        PhysAddr(self.0 + n * PAGE_SIZE)
    }
}

/// Frames and their reference counts. A frame with count 0 is free.
pub struct FrameAllocator {
    /// Guarded by its own mutex; never held across a host call.
    state: Ordered<FrameState>,
    total: usize,
}

struct FrameState {
    /// Free frame indexes; popped from the end, so low frames go first and a fresh
    /// allocator hands out physically contiguous runs.
    free: Vec<u32>,
    refs: Vec<u32>,
}

impl FrameAllocator {
    /// An allocator over `total` frames, the first `reserved` of which are never handed
    /// out (the stub's code lives there).
    pub fn new(total: usize, reserved: usize) -> FrameAllocator {
        let free = (reserved as u32..total as u32).rev().collect();
        let mut refs = vec![0; total];
        refs[..reserved].fill(1);
        FrameAllocator {
            state: Ordered::new(Level::Frames, FrameState { free, refs }),
            total,
        }
    }

    /// Number of frames in physical memory.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Number of free frames.
    pub fn free(&self) -> usize {
        self.state.lock().free.len()
    }

    /// Allocates one frame with a reference count of 1. The contents are stale: the
    /// caller fills or zeroes it.
    pub fn alloc(&self) -> KResult<PhysAddr> {
        let mut st = self.state.lock();
        let idx = st.free.pop().ok_or(Errno::ENOMEM)?;
        st.refs[idx as usize] = 1;
        Ok(PhysAddr(idx as u64 * PAGE_SIZE))
    }

    /// Allocates up to `max` frames, stopping early where the next free frame is not
    /// physically contiguous with the last one, so that they can be mapped in one go.
    pub fn alloc_run(&self, max: usize) -> KResult<(PhysAddr, usize)> {
        let mut st = self.state.lock();
        let first = st.free.pop().ok_or(Errno::ENOMEM)?;
        st.refs[first as usize] = 1;

        let mut n = 1;
        while n < max && st.free.last() == Some(&(first + n as u32)) {
            st.free.pop();
            st.refs[(first + n as u32) as usize] = 1;
            n += 1;
        }
        Ok((PhysAddr(first as u64 * PAGE_SIZE), n))
    }

    /// Adds a user to a frame (a copy-on-write share).
    pub fn get(&self, frame: PhysAddr) {
        let mut st = self.state.lock();
        st.refs[frame.index()] += 1;
    }

    /// Drops a user of a frame, freeing it when it was the last.
    pub fn put(&self, frame: PhysAddr) {
        let mut st = self.state.lock();
        let idx = frame.index();
        assert!(st.refs[idx] > 0, "frame {:#x} freed twice", frame.0);

        st.refs[idx] -= 1;
        if st.refs[idx] == 0 {
            st.free.push(idx as u32);
        }
    }

    /// Number of users of a frame.
    pub fn refs(&self, frame: PhysAddr) -> u32 {
        self.state.lock().refs[frame.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_contiguous_and_counts_free() {
        let fa = FrameAllocator::new(16, 1);
        let (start, n) = fa.alloc_run(4).unwrap();
        assert_eq!((start, n), (PhysAddr(PAGE_SIZE), 4));
        assert_eq!(fa.free(), 11);

        fa.get(start);
        fa.put(start);
        assert_eq!(fa.refs(start), 1);
        fa.put(start);
        assert_eq!(fa.free(), 12);
    }

    #[test]
    fn exhaustion_is_enomem() {
        let fa = FrameAllocator::new(2, 1);
        fa.alloc().unwrap();
        assert_eq!(fa.alloc(), Err(Errno::ENOMEM));
    }
}
