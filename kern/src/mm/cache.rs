//! The page cache: whole pages of files in frames of physical memory, shared by every
//! mapping of them, with write-back of the pages shared writable mappings change.
//!
//! Pages are keyed by the inode (held, so its address stays its key) and the page
//! number. A cached page holds the file's bytes up to its end and zeros after it.
//!
//! A page is dirty when its frame may hold bytes the file does not have yet: a shared
//! mapping wrote it, or write(2) updated it. The invariant the rest of the kernel keeps
//! is that a page some address space maps writable on the host is dirty; a page loses
//! that mark only after it is written back while nothing maps it (or while only the
//! address space that wrote it back does, which then write-protects it), so a clean
//! page's frame always agrees with the file.
//!
//! Coherency with read(2) and write(2), which go to the file system: a read copies the
//! dirty pages it covers over what the file system gave it; a write copies its bytes
//! into the pages it covers that are cached (and marks them dirty, so that a write-back
//! racing with it cannot leave the file older than the frame), or drops them when they
//! are clean and unmapped. Truncation drops the pages past the new end. Write-back goes
//! through the inode's own write path (so ext2 allocates blocks) and never writes past
//! the file's size.
//!
//! The cache keeps at most its page budget of unmapped pages: past it, and when the frame
//! allocator runs dry, it lets go of pages nobody maps, writing dirty ones back first.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::frame::PhysAddr;
use super::space::Memory;
use super::PAGE_SIZE;
use crate::errno::{Errno, KResult};
use crate::fs::Inode;
use crate::lockorder::{Level, Ordered};

/// One cached page.
#[derive(Clone, Copy)]
struct CachedPage {
    frame: PhysAddr,
    dirty: bool,
}

/// The cached pages of one file.
struct CachedFile {
    /// Keeps the inode alive, so that its address is not reused as another key, and
    /// lets write-back reach the file.
    inode: Arc<dyn Inode>,
    pages: BTreeMap<u64, CachedPage>,
    /// How many of `pages` are dirty.
    dirty: usize,
}

struct CacheState {
    /// Inode address to its pages; the cache holds one reference to every frame here.
    files: HashMap<usize, CachedFile>,
    /// Pages cached, over all files.
    pages: usize,
    /// Dirty pages, over all files.
    dirty: usize,
    /// The page count at which to look for pages to let go of next: past the budget,
    /// and after a scan found mostly mapped pages, not before another eighth of it.
    next_shrink: usize,
}

impl CacheState {
    fn page(&self, key: usize, index: u64) -> Option<CachedPage> {
        self.files.get(&key)?.pages.get(&index).copied()
    }

    fn insert(&mut self, inode: &Arc<dyn Inode>, index: u64, frame: PhysAddr) {
        let file = self
            .files
            .entry(key_of(inode))
            .or_insert_with(|| CachedFile {
                inode: inode.clone(),
                pages: BTreeMap::new(),
                dirty: 0,
            });
        file.pages.insert(
            index,
            CachedPage {
                frame,
                dirty: false,
            },
        );
        self.pages += 1;
    }

    /// Takes a page out; the caller owns the cache's reference to its frame.
    fn remove(&mut self, key: usize, index: u64) -> Option<CachedPage> {
        let file = self.files.get_mut(&key)?;
        let page = file.pages.remove(&index)?;
        self.pages -= 1;
        if page.dirty {
            file.dirty -= 1;
            self.dirty -= 1;
        }
        if file.pages.is_empty() {
            self.files.remove(&key);
        }
        Some(page)
    }

    fn set_dirty(&mut self, key: usize, index: u64, dirty: bool) {
        let Some(file) = self.files.get_mut(&key) else {
            return;
        };
        let Some(page) = file.pages.get_mut(&index) else {
            return;
        };
        if page.dirty != dirty {
            page.dirty = dirty;
            if dirty {
                file.dirty += 1;
                self.dirty += 1;
            } else {
                file.dirty -= 1;
                self.dirty -= 1;
            }
        }
    }
}

/// File pages in physical memory.
pub struct PageCache {
    /// Guarded by its own lock, taken after an address space's and before the frame
    /// allocator's. File-system I/O (filling and writing back pages) runs under it.
    state: Ordered<CacheState>,
    max_pages: usize,
}

/// Page cache figures for /proc/meminfo, in pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Pages cached.
    pub pages: usize,
    /// Pages whose frame may differ from the file.
    pub dirty: usize,
    /// Pages some address space maps.
    pub mapped: usize,
    /// Pages nobody maps: reclaimable (dirty ones after write-back).
    pub idle: usize,
}

/// Write-back failures of one operation, reported in one line (a full disk fails every
/// page of a large mapping).
#[derive(Default)]
struct Failures {
    pages: usize,
    first: Option<Errno>,
}

impl Failures {
    fn add(&mut self, e: Errno) {
        self.pages += 1;
        self.first.get_or_insert(e);
    }

    fn warn(&self, when: &str) {
        if let Some(e) = self.first {
            log::warn!(
                "page cache: {} pages could not be written back {when} ({e}); they stay dirty",
                self.pages
            );
        }
    }
}

fn key_of(inode: &Arc<dyn Inode>) -> usize {
    Arc::as_ptr(inode) as *const () as usize
}

impl PageCache {
    /// A cache that keeps at most `max_pages` pages nobody maps.
    pub fn new(max_pages: usize) -> PageCache {
        PageCache {
            state: Ordered::new(
                Level::PageCache,
                CacheState {
                    files: HashMap::new(),
                    pages: 0,
                    dirty: 0,
                    next_shrink: max_pages,
                },
            ),
            max_pages,
        }
    }

    /// Pages cached, for /proc/meminfo's Cached.
    pub fn len(&self) -> usize {
        self.state.lock().pages
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Dirty pages, for /proc/meminfo's Dirty.
    pub fn dirty(&self) -> usize {
        self.state.lock().dirty
    }
}

impl Memory {
    /// The frame holding page `index` of `inode`, read in by `fill` (given a fresh frame)
    /// if it is not cached. The caller gets a reference of its own to the frame.
    pub fn file_page(
        &self,
        inode: &Arc<dyn Inode>,
        index: u64,
        fill: impl FnOnce(PhysAddr) -> KResult<()>,
    ) -> KResult<PhysAddr> {
        let mut st = self.cache.state.lock();
        if let Some(p) = st.page(key_of(inode), index) {
            self.frames.get(p.frame);
            return Ok(p.frame);
        }

        if st.pages >= st.next_shrink {
            let batch = self.cache.max_pages / 8 + 1;
            self.shrink(&mut st, batch);
            // Mapped pages cannot go: when most are, scanning them all again at every
            // fault would cost more than the memory is worth.
            st.next_shrink = self.cache.max_pages.max(st.pages + batch);
        }
        let frame = self.alloc_reclaiming(&mut st)?;
        if let Err(e) = fill(frame) {
            self.frames.put(frame);
            return Err(e);
        }
        self.frames.get(frame);
        st.insert(inode, index, frame);
        Ok(frame)
    }

    /// A frame for the caller (reference count 1, stale contents); when memory is full,
    /// first lets go of the cached pages nobody maps. ENOMEM when that is not enough.
    ///
    /// Must not be called with the page cache locked.
    pub fn alloc_frame(&self) -> KResult<PhysAddr> {
        match self.frames.alloc() {
            Err(Errno::ENOMEM) => self.alloc_reclaiming(&mut self.cache.state.lock()),
            r => r,
        }
    }

    fn alloc_reclaiming(&self, st: &mut CacheState) -> KResult<PhysAddr> {
        match self.frames.alloc() {
            Err(Errno::ENOMEM) => {
                self.shrink(st, usize::MAX);
                self.frames.alloc()
            }
            r => r,
        }
    }

    /// Lets go of up to `n` pages that nobody maps (the cache holds their only
    /// reference), writing dirty ones back first; a page that cannot be written back
    /// stays.
    fn shrink(&self, st: &mut CacheState, n: usize) {
        let mut idle: Vec<(usize, u64)> = Vec::new();
        'files: for (&key, file) in &st.files {
            for (&index, page) in &file.pages {
                if idle.len() >= n {
                    break 'files;
                }
                if self.frames.refs(page.frame) == 1 {
                    idle.push((key, index));
                }
            }
        }

        let mut failed = Failures::default();
        for (key, index) in idle {
            let Some(file) = st.files.get(&key) else {
                continue;
            };
            let page = file.pages[&index];
            if page.dirty {
                if let Err(e) = self.write_page(&file.inode, index, page.frame) {
                    failed.add(e);
                    continue;
                }
            }
            if let Some(p) = st.remove(key, index) {
                self.frames.put(p.frame);
            }
        }
        failed.warn("to free them");
    }

    /// Writes page `index` of `inode` from `frame` to the file, up to the file's end
    /// (bytes past it are zeroed in the frame, as Linux does, so that a later extension
    /// of the file reads zeros there). A deleted file's pages need no write-back.
    fn write_page(&self, inode: &Arc<dyn Inode>, index: u64, frame: PhysAddr) -> KResult<()> {
        let st = inode.stat()?;
        let start = index * PAGE_SIZE;
        if st.nlink == 0 || start >= st.size {
            return Ok(());
        }
        let n = (st.size - start).min(PAGE_SIZE) as usize;
        if n < PAGE_SIZE as usize {
            self.physmem
                .zero(frame.0 + n as u64, PAGE_SIZE as usize - n);
        }
        let mut buf = vec![0u8; n];
        self.physmem.read(frame.0, &mut buf);

        let mut done = 0;
        while done < n {
            match inode.write_at(start + done as u64, &buf[done..])? {
                0 => return Err(Errno::EIO),
                w => done += w,
            }
        }
        Ok(())
    }

    /// Writes back the dirty pages of `key` from page `first` to page `last`; a page
    /// nobody maps becomes clean. Returns the first error; the other pages are still
    /// tried.
    fn write_back_locked(
        &self,
        st: &mut CacheState,
        key: usize,
        first: u64,
        last: u64,
    ) -> KResult<()> {
        let Some(file) = st.files.get(&key) else {
            return Ok(());
        };
        if file.dirty == 0 {
            return Ok(());
        }
        let inode = file.inode.clone();
        let dirty: Vec<(u64, PhysAddr)> = file
            .pages
            .range(first..=last)
            .filter(|(_, p)| p.dirty)
            .map(|(&i, p)| (i, p.frame))
            .collect();

        let mut result = Ok(());
        for (index, frame) in dirty {
            match self.write_page(&inode, index, frame) {
                // A page still mapped somewhere may be written again without a fault.
                Ok(()) if self.frames.refs(frame) == 1 => st.set_dirty(key, index, false),
                Ok(()) => {}
                Err(e) => result = result.and(Err(e)),
            }
        }
        result
    }

    /// Writes back the dirty pages of `inode` (fsync, and msync of a whole file).
    pub fn write_back_file(&self, inode: &Arc<dyn Inode>) -> KResult<()> {
        let mut st = self.cache.state.lock();
        self.write_back_locked(&mut st, key_of(inode), 0, u64::MAX)
    }

    /// Writes back every dirty page (sync, and at halt). Returns the first error; every
    /// page is tried.
    pub fn write_back_all(&self) -> KResult<()> {
        let mut st = self.cache.state.lock();
        let keys: Vec<usize> = st
            .files
            .iter()
            .filter(|(_, f)| f.dirty > 0)
            .map(|(&k, _)| k)
            .collect();
        let mut result = Ok(());
        for key in keys {
            result = result.and(self.write_back_locked(&mut st, key, 0, u64::MAX));
        }
        result
    }

    /// Writes every dirty page back and empties the cache, letting go of the inodes it
    /// holds (so that deleted files are freed): the last thing before the final sync at
    /// halt, once no guest runs.
    pub fn write_back_and_drop_all(&self) {
        if let Err(e) = self.write_back_all() {
            log::error!("page cache: write-back at halt failed ({e}); file data is lost");
        }
        let files = {
            let mut st = self.cache.state.lock();
            st.pages = 0;
            st.dirty = 0;
            std::mem::take(&mut st.files)
        };
        for file in files.into_values() {
            for page in file.pages.values() {
                self.frames.put(page.frame);
            }
        }
    }

    /// Writes back the pages of `pages` (inode, index, frame as the caller maps it) that
    /// are dirty: msync. Pages whose only other user is the caller's own mapping become
    /// clean; for those `clean` is called with the index into `pages`, and the caller
    /// must write-protect its mapping of them before the guest runs again.
    pub fn write_back_mapped(
        &self,
        pages: &[(&Arc<dyn Inode>, u64, PhysAddr)],
        mut clean: impl FnMut(usize),
    ) -> KResult<()> {
        let mut st = self.cache.state.lock();
        let mut result = Ok(());
        for (i, &(inode, index, frame)) in pages.iter().enumerate() {
            let key = key_of(inode);
            let cached = st.page(key, index);
            if !cached.is_some_and(|p| p.frame == frame && p.dirty) {
                continue;
            }
            match self.write_page(inode, index, frame) {
                Ok(()) if self.frames.refs(frame) == 2 => {
                    st.set_dirty(key, index, false);
                    clean(i);
                }
                Ok(()) => {}
                Err(e) => result = result.and(Err(e)),
            }
        }
        result
    }

    /// Marks pages of `inode` dirty (index, frame as the caller maps it): a shared
    /// mapping is about to write them. A frame the cache no longer holds (its page was
    /// truncated away) is left alone.
    pub fn mark_dirty(&self, inode: &Arc<dyn Inode>, pages: &[(u64, PhysAddr)]) {
        let key = key_of(inode);
        let mut st = self.cache.state.lock();
        for &(index, frame) in pages {
            if st.page(key, index).is_some_and(|p| p.frame == frame) {
                st.set_dirty(key, index, true);
            }
        }
    }

    /// Drops the references of a shared mapping to file pages (munmap, exit), writing
    /// back a dirty page whose last mapping this was.
    pub fn release_file_pages(&self, pages: &[(&Arc<dyn Inode>, u64, PhysAddr)]) {
        let mut st = self.cache.state.lock();
        let mut failed = Failures::default();
        for &(inode, index, frame) in pages {
            self.frames.put(frame);
            let key = key_of(inode);
            let last = st
                .page(key, index)
                .is_some_and(|p| p.frame == frame && p.dirty)
                && self.frames.refs(frame) == 1;
            if last {
                match self.write_page(inode, index, frame) {
                    Ok(()) => st.set_dirty(key, index, false),
                    Err(e) => failed.add(e),
                }
            }
        }
        failed.warn("at unmap");
    }

    /// Reads `inode` at `off` into `buf` as read(2) must see it: what the file system
    /// has, with the dirty cached pages over it. Returns the bytes read.
    pub fn read_file(&self, inode: &Arc<dyn Inode>, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let n = inode.read_at(off, buf)?;
        if n == 0 {
            return Ok(0);
        }

        let st = self.cache.state.lock();
        let Some(file) = st.files.get(&key_of(inode)).filter(|f| f.dirty > 0) else {
            return Ok(n);
        };
        let end = off + n as u64;
        for (&index, page) in file.pages.range(off / PAGE_SIZE..=(end - 1) / PAGE_SIZE) {
            if !page.dirty {
                continue;
            }
            let start = index * PAGE_SIZE;
            let (lo, hi) = (off.max(start), end.min(start + PAGE_SIZE));
            let dst = &mut buf[(lo - off) as usize..(hi - off) as usize];
            self.physmem.read(page.frame.0 + (lo - start), dst);
        }
        Ok(n)
    }

    /// Brings the cached pages of `inode` up to date after write(2) put `data` at `off`
    /// in the file, whose size was `old_size` before. Pages in between read as zeros.
    pub fn file_written(&self, inode: &Arc<dyn Inode>, off: u64, data: &[u8], old_size: u64) {
        if data.is_empty() {
            return;
        }
        let key = key_of(inode);
        let mut st = self.cache.state.lock();
        let Some(file) = st.files.get(&key) else {
            return;
        };

        let end = off + data.len() as u64;
        let from = old_size.min(off);
        let touched: Vec<(u64, CachedPage)> = file
            .pages
            .range(from / PAGE_SIZE..=(end - 1) / PAGE_SIZE)
            .map(|(&i, &p)| (i, p))
            .collect();
        for (index, page) in touched {
            if !page.dirty && self.frames.refs(page.frame) == 1 {
                // Nobody maps it and it has nothing the file lacks: reading it in again
                // when needed is cheaper than keeping it up to date.
                st.remove(key, index);
                self.frames.put(page.frame);
                continue;
            }
            let start = index * PAGE_SIZE;
            let (lo, hi) = (from.max(start), off.min(start + PAGE_SIZE));
            if lo < hi {
                self.physmem
                    .zero(page.frame.0 + (lo - start), (hi - lo) as usize);
            }
            let (lo, hi) = (off.max(start), end.min(start + PAGE_SIZE));
            if lo < hi {
                let src = &data[(lo - off) as usize..(hi - off) as usize];
                self.physmem.write(page.frame.0 + (lo - start), src);
            }
            st.set_dirty(key, index, true);
        }
    }

    /// Changes the size of `inode` with `resize` (truncate, O_TRUNC) and brings the cache
    /// along: pages past the new end are dropped (dirty or not: their data is gone), and
    /// the page the old or new end falls in reads zeros past it. Runs under the cache's
    /// lock, so that no write-back sees the old size and writes the file back out to it.
    ///
    /// Mappings keep the frames of dropped pages (Linux would unmap them, so that the
    /// next touch gets SIGBUS); what they write there no longer reaches the file.
    pub fn resize_file(
        &self,
        inode: &Arc<dyn Inode>,
        resize: impl FnOnce() -> KResult<()>,
    ) -> KResult<()> {
        let key = key_of(inode);
        let mut st = self.cache.state.lock();
        if !st.files.contains_key(&key) {
            return resize();
        }
        let old = inode.stat()?.size;
        resize()?;
        let new = inode.stat()?.size;

        let Some(file) = st.files.get(&key) else {
            return Ok(());
        };
        let keep = new.div_ceil(PAGE_SIZE);
        let gone: Vec<u64> = file.pages.range(keep..).map(|(&i, _)| i).collect();
        for index in gone {
            if let Some(p) = st.remove(key, index) {
                self.frames.put(p.frame);
            }
        }
        let edge = old.min(new);
        if edge % PAGE_SIZE != 0 {
            if let Some(p) = st.page(key, edge / PAGE_SIZE) {
                let at = edge % PAGE_SIZE;
                self.physmem.zero(p.frame.0 + at, (PAGE_SIZE - at) as usize);
            }
        }
        Ok(())
    }

    /// Page cache figures for /proc/meminfo.
    pub fn cache_stats(&self) -> CacheStats {
        let st = self.cache.state.lock();
        let mut stats = CacheStats {
            pages: st.pages,
            dirty: st.dirty,
            ..CacheStats::default()
        };
        for page in st.files.values().flat_map(|f| f.pages.values()) {
            if self.frames.refs(page.frame) > 1 {
                stats.mapped += 1;
            } else {
                stats.idle += 1;
            }
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::tmpfs::TmpFs;
    use crate::fs::{NewInode, SetAttr};
    use crate::mm::FrameAllocator;
    use arch_um::physmem::PhysMem;
    use arch_um::stub::StubLayout;
    use std::sync::OnceLock;

    fn memory(frames: usize, max_pages: usize) -> Memory {
        // The stub area can be reserved once per process; no test here runs a stub.
        static LAYOUT: OnceLock<StubLayout> = OnceLock::new();
        let layout = *LAYOUT.get_or_init(|| StubLayout::reserve().expect("stub area"));
        Memory {
            physmem: Arc::new(PhysMem::new(frames as u64 * PAGE_SIZE).expect("physical memory")),
            frames: FrameAllocator::new(frames, 1),
            stub_layout: layout,
            stub_code: PhysAddr(0),
            cache: PageCache::new(max_pages),
        }
    }

    fn file(contents: &[u8]) -> Arc<dyn Inode> {
        let fs = TmpFs::new(0, 0);
        let new = NewInode {
            mode: 0o100644,
            uid: 0,
            gid: 0,
            rdev: 0,
            now: Default::default(),
        };
        let inode = crate::fs::FileSystem::root(&*fs).create(b"f", new).unwrap();
        inode.write_at(0, contents).unwrap();
        inode
    }

    fn contents(inode: &Arc<dyn Inode>) -> Vec<u8> {
        let mut buf = vec![0; inode.stat().unwrap().size as usize];
        let n = inode.read_at(0, &mut buf).unwrap();
        buf.truncate(n);
        buf
    }

    /// Maps page `index` the way a fault does: a reference of the caller's own.
    fn map(mem: &Memory, inode: &Arc<dyn Inode>, index: u64) -> PhysAddr {
        mem.file_page(inode, index, |f| {
            let mut buf = vec![0; PAGE_SIZE as usize];
            inode.read_at(index * PAGE_SIZE, &mut buf)?;
            mem.physmem.write(f.0, &buf);
            Ok(())
        })
        .unwrap()
    }

    #[test]
    fn a_mapped_write_reaches_read_and_the_file_after_write_back() {
        let mem = memory(32, 8);
        let inode = file(&[b'a'; 5000]);
        let frame = map(&mem, &inode, 1);
        mem.mark_dirty(&inode, &[(1, frame)]);
        mem.physmem.write(frame.0 + 4, b"XY");
        // Past the end of the file: never written back.
        mem.physmem.write(frame.0 + 1000, b"junk");

        let mut buf = vec![0; 5000];
        assert_eq!(mem.read_file(&inode, 0, &mut buf).unwrap(), 5000);
        assert_eq!(&buf[4096 + 4..4096 + 6], b"XY");
        assert_eq!(contents(&inode)[4096 + 4], b'a');

        mem.write_back_file(&inode).unwrap();
        let data = contents(&inode);
        assert_eq!(data.len(), 5000);
        assert_eq!(&data[4096 + 4..4096 + 6], b"XY");
        // Still mapped: it stays dirty, since the mapping may write again.
        assert_eq!(mem.cache.dirty(), 1);

        mem.release_file_pages(&[(&inode, 1, frame)]);
        assert_eq!(mem.cache.dirty(), 0);
        assert_eq!(mem.cache_stats().idle, 1);
    }

    #[test]
    fn write_updates_mapped_pages_and_drops_idle_clean_ones() {
        let mem = memory(32, 8);
        let inode = file(&[b'a'; 3 * 4096]);
        let mapped = map(&mem, &inode, 0);
        let idle = map(&mem, &inode, 1);
        mem.frames.put(idle);

        inode.write_at(4094, b"0123").unwrap();
        mem.file_written(&inode, 4094, b"0123", 3 * 4096);
        let mut two = [0u8; 2];
        mem.physmem.read(mapped.0 + 4094, &mut two);
        assert_eq!(&two, b"01");
        assert_eq!(mem.cache.len(), 1, "the idle clean page is dropped");

        // Past the old end, with a gap: the cached last page reads zeros in the gap.
        let inode = file(&[b'b'; 100]);
        let last = map(&mem, &inode, 0);
        mem.physmem.write(last.0 + 100, b"scribbled past the end");
        inode.write_at(200, b"z").unwrap();
        mem.file_written(&inode, 200, b"z", 100);
        let mut buf = vec![0; 201];
        mem.read_file(&inode, 0, &mut buf).unwrap();
        assert_eq!(buf[100..200], [0; 100]);
        assert_eq!(buf[200], b'z');
    }

    #[test]
    fn truncation_drops_pages_and_zeroes_the_edge() {
        let mem = memory(32, 8);
        let inode = file(&[b'c'; 3 * 4096]);
        let frames: Vec<PhysAddr> = (0..3).map(|i| map(&mem, &inode, i)).collect();
        mem.mark_dirty(&inode, &[(2, frames[2])]);

        let shrink = SetAttr {
            size: Some(100),
            ..Default::default()
        };
        mem.resize_file(&inode, || inode.set_attr(shrink)).unwrap();
        assert_eq!(mem.cache.len(), 1);
        assert_eq!(mem.cache.dirty(), 0);
        let mut tail = [1u8; 8];
        mem.physmem.read(frames[0].0 + 100, &mut tail);
        assert_eq!(tail, [0; 8]);

        // Write-back after the truncation keeps the size.
        mem.mark_dirty(&inode, &[(0, frames[0])]);
        mem.write_back_all().unwrap();
        assert_eq!(inode.stat().unwrap().size, 100);
        for f in frames {
            mem.frames.put(f);
        }
    }

    #[test]
    fn a_full_cache_writes_dirty_pages_back_before_letting_go() {
        let mem = memory(16, 2);
        let inode = file(&[0u8; 8 * 4096]);
        for index in 0..6 {
            let f = map(&mem, &inode, index);
            mem.mark_dirty(&inode, &[(index, f)]);
            mem.physmem.write(f.0, &[index as u8 + 1]);
            // A private reference goes away without a write-back.
            mem.frames.put(f);
        }
        assert!(mem.cache.len() < 6, "the cache shrank");
        let mut seen = vec![0u8; 6 * 4096];
        mem.read_file(&inode, 0, &mut seen).unwrap();
        for index in 0..6 {
            assert_eq!(seen[index * 4096], index as u8 + 1, "page {index}");
        }

        // Running out of frames reclaims the idle pages, dirty ones written back.
        let mut held = Vec::new();
        while let Ok(f) = mem.alloc_frame() {
            held.push(f);
        }
        assert_eq!(mem.cache.len(), 0);
        let data = contents(&inode);
        for index in 0..6 {
            assert_eq!(data[index * 4096], index as u8 + 1, "page {index}");
        }
        for f in held {
            mem.frames.put(f);
        }
    }
}
