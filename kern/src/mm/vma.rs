//! Virtual memory areas: what an address range of a guest means.

use std::sync::Arc;

use crate::fs::Inode;

/// Page protection bits, with Linux's PROT_* values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prot(pub u32);

impl Prot {
    /// No access.
    pub const NONE: Prot = Prot(0);
    /// PROT_READ.
    pub const READ: Prot = Prot(1);
    /// PROT_WRITE.
    pub const WRITE: Prot = Prot(2);
    /// PROT_EXEC.
    pub const EXEC: Prot = Prot(4);
    /// Read and write.
    pub const RW: Prot = Prot(3);

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Prot) -> bool {
        self.0 & other.0 == other.0
    }

    /// These bits without those of `other`.
    pub fn without(self, other: Prot) -> Prot {
        Prot(self.0 & !other.0)
    }
}

/// Where the contents of an area's pages come from when first touched.
#[derive(Clone)]
pub enum Backing {
    /// Zero-filled memory.
    Anon,
    /// File data: page `p` of the area holds the file's bytes from
    /// `offset + p * PAGE_SIZE`, and bytes at or past `file_len` from the area's start
    /// read as zero (an ELF segment's bss tail). A page of the file part wholly past the
    /// file's end raises SIGBUS, as on Linux. Private areas copy a page on its first
    /// write; shared ones write the page cache's frame, which is written back to the file.
    File {
        /// The file.
        inode: Arc<dyn Inode>,
        /// File offset of the area's first byte, page-aligned.
        offset: u64,
        /// Bytes of the area backed by the file.
        file_len: u64,
        /// The file was open for writing when mapped (Linux's VM_MAYWRITE for a shared
        /// mapping): only then may a shared area of it be or become writable.
        writable: bool,
    },
}

/// A mapped range of a guest address space, `[start, end)`, page-aligned.
#[derive(Clone)]
pub struct Vma {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// What the guest may do with the pages.
    pub prot: Prot,
    /// Where the pages' first contents come from.
    pub backing: Backing,
    /// MAP_SHARED: writes are seen by every address space mapping the pages, and fork
    /// shares them instead of copying on write.
    pub shared: bool,
    /// A name for /proc/PID/maps (`[heap]`, `[stack]`, a path), if any.
    pub name: Option<Arc<str>>,
    /// MAP_GROWSDOWN: a fault in the free range just below the area extends it down,
    /// as a stack grows.
    pub grows_down: bool,
}

impl Vma {
    /// The part of this area from `at` on; `self` keeps the part before it.
    ///
    /// Preconditions: `start < at < end`, page-aligned.
    pub fn split_off(&mut self, at: u64) -> Vma {
        let mut tail = self.clone();
        tail.start = at;
        if let Backing::File {
            offset, file_len, ..
        } = &mut tail.backing
        {
            let delta = at - self.start;
            *offset += delta;
            *file_len = file_len.saturating_sub(delta);
        }
        self.end = at;
        tail
    }

    /// Moves the end of the area to `end` (mremap). A file area that maps the file all
    /// the way to its end keeps doing so, as Linux maps further pages of the file.
    pub fn set_end(&mut self, end: u64) {
        if let Backing::File { file_len, .. } = &mut self.backing {
            if *file_len >= self.end - self.start {
                *file_len = end - self.start;
            }
        }
        self.end = end;
    }

    /// The page-cache slot of page `page` of a shared file area: the file and the page's
    /// index in it. `None` for other areas, whose pages are nobody else's business.
    pub fn shared_file_page(&self, page: u64) -> Option<(&Arc<dyn Inode>, u64)> {
        match &self.backing {
            Backing::File { inode, offset, .. } if self.shared => {
                Some((inode, (offset + (page - self.start)) / super::PAGE_SIZE))
            }
            _ => None,
        }
    }
}
