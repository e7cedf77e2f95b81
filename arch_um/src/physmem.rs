//! Physical memory: one host memory file, mapped once into the kernel.
//!
//! Every guest page is a page-sized frame of this file. The kernel reads and writes
//! guest memory through its own mapping; guest address spaces map the same frames
//! through the stub (see [`crate::stub`]), so both sides see one copy of the data.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;

use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use nix::sys::mman::{mmap, MapFlags, ProtFlags};

use crate::error::{HostError, HostResult};

/// Size of a frame, the unit of physical memory.
pub const FRAME_SIZE: u64 = 4096;

/// The memory file and the kernel's mapping of it.
pub struct PhysMem {
    fd: OwnedFd,
    base: NonNull<u8>,
    len_bytes: u64,
}

// SAFETY: the mapping lives as long as the PhysMem and is only reached through methods
// that copy with raw pointers after a bounds check; guests and other vCPUs writing the
// same bytes concurrently can tear the data a reader sees, as on real hardware, but
// never make the kernel touch memory outside the mapping.
unsafe impl Send for PhysMem {}
// SAFETY: see the Send impl; no method hands out a reference into the mapping.
unsafe impl Sync for PhysMem {}

impl PhysMem {
    /// Creates a memory file of `len_bytes` (a multiple of [`FRAME_SIZE`]) and maps it.
    pub fn new(len_bytes: u64) -> HostResult<PhysMem> {
        let fd = memfd_create(c"kernel-physmem", MemFdCreateFlag::MFD_CLOEXEC)
            .map_err(|e| HostError::from_nix("memfd_create", e))?;

        nix::unistd::ftruncate(&fd, len_bytes as i64)
            .map_err(|e| HostError::from_nix("ftruncate physmem", e))?;

        let len = std::num::NonZeroUsize::new(len_bytes as usize).ok_or(HostError {
            errno: libc::EINVAL,
            op: "physmem size",
        })?;

        // SAFETY: a fresh shared mapping of our own memory file at an address the host
        // picks; nothing else refers to that range.
        let base = unsafe {
            mmap(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
                &fd,
                0,
            )
        }
        .map_err(|e| HostError::from_nix("mmap physmem", e))?;

        Ok(PhysMem {
            fd,
            base: base.cast(),
            len_bytes,
        })
    }

    /// Size of physical memory in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.len_bytes
    }

    /// The memory file's descriptor, which stub processes inherit to map frames.
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Copies `buf.len()` bytes at physical offset `off` into `buf`.
    ///
    /// Panics if the range is outside physical memory: callers compute offsets from
    /// frames they own, so a bad offset is a broken kernel invariant.
    pub fn read(&self, off: u64, buf: &mut [u8]) {
        let src = self.range_ptr(off, buf.len());

        // SAFETY: range_ptr checked that [off, off + len) is inside the mapping, and
        // buf is a distinct kernel heap or stack buffer.
        unsafe { std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr(), buf.len()) };
    }

    /// Copies `buf` to physical offset `off`.
    pub fn write(&self, off: u64, buf: &[u8]) {
        let dst = self.range_ptr(off, buf.len());

        // SAFETY: as in `read`.
        unsafe { std::ptr::copy_nonoverlapping(buf.as_ptr(), dst, buf.len()) };
    }

    /// Fills `len` bytes at `off` with zeros.
    pub fn zero(&self, off: u64, len: usize) {
        let dst = self.range_ptr(off, len);

        // SAFETY: as in `read`.
        unsafe { std::ptr::write_bytes(dst, 0, len) };
    }

    /// Copies `len` bytes from physical offset `src` to physical offset `dst`.
    pub fn copy(&self, src: u64, dst: u64, len: usize) {
        let s = self.range_ptr(src, len);
        let d = self.range_ptr(dst, len);

        // SAFETY: both ranges are inside the mapping; `copy` allows overlap.
        unsafe { std::ptr::copy(s, d, len) };
    }

    /// Gives every frame's memory back to the host (a reboot's fresh start): the file
    /// keeps its size and reads as zeros.
    pub fn discard_all(&self) -> HostResult<()> {
        let mode = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;

        // SAFETY: fallocate on our own memory file; no memory is touched by the call.
        let r = unsafe { libc::fallocate(self.fd.as_raw_fd(), mode, 0, self.len_bytes as i64) };
        if r < 0 {
            return Err(HostError::last("fallocate physmem"));
        }
        Ok(())
    }

    fn range_ptr(&self, off: u64, len: usize) -> *mut u8 {
        let end = off.checked_add(len as u64);
        assert!(
            end.is_some_and(|e| e <= self.len_bytes),
            "physmem access out of range: {off:#x}+{len:#x}"
        );

        // SAFETY: off < len_bytes, so the result stays inside the mapping.
        unsafe { self.base.as_ptr().add(off as usize) }
    }
}

impl Drop for PhysMem {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` with this length and nothing borrows it.
        let _ = unsafe { nix::sys::mman::munmap(self.base.cast(), self.len_bytes as usize) };
    }
}
