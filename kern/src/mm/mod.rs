//! Memory management: frames of physical memory and guest address spaces.
//!
//! Physical memory is one host memory file (`arch_um::physmem`). The kernel keeps its
//! own page table per address space, mapping guest pages to frames, and tells the host
//! process that holds the address space what to map through the stub. Guest faults and
//! kernel accesses to guest memory both go through that page table.

pub mod cache;
pub mod frame;
pub mod space;
mod vma;

pub use frame::{FrameAllocator, PhysAddr};
pub use space::{AddressSpace, FaultOutcome, Residency};
pub use vma::{Backing, Prot, Vma};

/// Size of a page and of a frame.
pub const PAGE_SIZE: u64 = 4096;

/// Rounds `addr` down to a page boundary.
pub fn page_down(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// Rounds `addr` up to a page boundary, or `None` past the end of the address space.
pub fn page_up(addr: u64) -> Option<u64> {
    addr.checked_add(PAGE_SIZE - 1).map(page_down)
}
