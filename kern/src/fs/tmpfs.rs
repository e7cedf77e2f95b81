//! tmpfs: a file system that lives entirely in memory.
//!
//! Regular files keep their data in 4 KiB pages held in an ordered map from page index to
//! page, so a hole costs nothing and a file may be sparse up to `MAX_LFS_FILESIZE`.
//! Directories keep an ordered map from name to entry; every entry also carries a
//! sequence number, taken from a per-directory counter when the entry is inserted, and
//! `read_dir` uses that number as the position cookie. Cookies therefore never move when
//! other entries come and go, which is what getdents64 needs across calls.
//!
//! Space is accounted in pages (file data, and symlink targets longer than Linux keeps
//! inline) and inodes, against limits fixed at mount time; running out is ENOSPC.
//!
//! Locking, from outermost to innermost:
//! 1. the per-file-system rename mutex, which serialises renames so the shape of the
//!    directory tree cannot change under the ancestry checks a rename makes;
//! 2. directory state locks, ancestor before descendant (the only place two unrelated
//!    directories are held at once is a rename, under the rename mutex, where they are
//!    taken by address);
//! 3. non-directory state locks, which are never held while waiting for another lock;
//! 4. the leaf mutexes for `atime` and the parent pointer, under which nothing else is
//!    ever taken.

use std::any::Any;
use std::collections::BTreeMap;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::{Mutex, RwLock};

use super::{
    check_name, check_rename_names, is_dot, DirEntry, FileSystem, FileType, FsStats, Inode,
    NewInode, SetAttr, Stat, Timespec, PAGE_SIZE,
};
use crate::errno::{Errno, KResult};

/// The magic number statfs reports for tmpfs (`TMPFS_MAGIC`).
pub const TMPFS_MAGIC: u64 = 0x0102_1994;

/// `renameat2` flag: fail with EEXIST rather than replace the target.
const RENAME_NOREPLACE: u32 = 1;
/// `renameat2` flag: swap source and target atomically.
const RENAME_EXCHANGE: u32 = 2;
/// `renameat2` flag: leave a whiteout behind (overlayfs); not supported here.
const RENAME_WHITEOUT: u32 = 4;

/// The largest file size Linux allows on a 64-bit machine (`MAX_LFS_FILESIZE`).
const MAX_FILE_SIZE: u64 = i64::MAX as u64;
/// Longest name in a directory.
const NAME_MAX: usize = 255;
/// What each directory entry adds to a directory's `st_size`, as Linux's shmem does.
const BOGO_DIRENT_SIZE: u64 = 20;
/// Symlink targets up to this length live in the inode; longer ones take a page.
const SHORT_SYMLINK_LEN: usize = 128;
/// Inode number of the root directory.
const ROOT_INO: u64 = 1;
/// The first cookie of a real entry; 0 and 1 are "." and "..".
const FIRST_SEQ: u64 = 2;
/// The type bits of a mode.
const S_IFMT: u32 = 0o170000;
/// Seconds after which relatime refreshes atime even if it is newer than mtime.
const RELATIME_SECS: i64 = 24 * 60 * 60;

const PAGE: u64 = PAGE_SIZE as u64;

/// The current wall-clock time, which Linux stamps into inode times.
fn now() -> Timespec {
    let ns = arch_um::host::realtime_ns();
    Timespec {
        sec: (ns / 1_000_000_000) as i64,
        nsec: (ns % 1_000_000_000) as i64,
    }
}

/// Whether `a` is at or before `b`.
fn not_after(a: Timespec, b: Timespec) -> bool {
    (a.sec, a.nsec) <= (b.sec, b.nsec)
}

/// Accounting and numbering shared by every inode of one tmpfs instance.
struct Shared {
    /// Device number reported in `st_dev`.
    dev: u64,
    /// Page limit; 0 means unlimited (as `size=0` on Linux).
    max_pages: u64,
    /// Inode limit; 0 means unlimited.
    max_inodes: u64,
    used_pages: AtomicU64,
    used_inodes: AtomicU64,
    next_ino: AtomicU64,
    /// Serialises renames (Linux's `s_vfs_rename_mutex`).
    rename_lock: Mutex<()>,
}

impl Shared {
    /// Takes `n` units of a counter limited to `max` (0 = unlimited); ENOSPC past it.
    fn reserve(counter: &AtomicU64, max: u64, n: u64) -> KResult<()> {
        let update = counter.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
            let new = used.checked_add(n)?;
            (max == 0 || new <= max).then_some(new)
        });
        update.map(|_| ()).map_err(|_| Errno::ENOSPC)
    }

    fn reserve_pages(&self, n: u64) -> KResult<()> {
        Self::reserve(&self.used_pages, self.max_pages, n)
    }

    fn release_pages(&self, n: u64) {
        self.used_pages.fetch_sub(n, Ordering::AcqRel);
    }
}

/// A tmpfs instance.
pub struct TmpFs {
    shared: Arc<Shared>,
    root: Arc<TmpInode>,
}

impl TmpFs {
    /// A new, empty tmpfs holding at most `size_limit_bytes` of data (rounded up to whole
    /// pages; 0 means no limit, as `size=0` on Linux) and as many inodes as it has pages
    /// (Linux's default `nr_inodes` for the default size). `dev` is its `st_dev`.
    pub fn new(size_limit_bytes: u64, dev: u64) -> Arc<TmpFs> {
        let max_pages = size_limit_bytes.div_ceil(PAGE);
        let shared = Arc::new(Shared {
            dev,
            max_pages,
            max_inodes: max_pages,
            used_pages: AtomicU64::new(0),
            used_inodes: AtomicU64::new(1),
            next_ino: AtomicU64::new(ROOT_INO + 1),
            rename_lock: Mutex::new(()),
        });

        // Linux mounts tmpfs with mode 1777 unless told otherwise.
        let new = NewInode {
            mode: 0o1777,
            uid: 0,
            gid: 0,
            rdev: 0,
            now: now(),
        };
        let body = Body::Dir(DirData::new());
        let root = TmpInode::build(
            &shared,
            ROOT_INO,
            FileType::Directory,
            &new,
            body,
            2,
            Weak::new(),
        );
        Arc::new(TmpFs { shared, root })
    }
}

impl FileSystem for TmpFs {
    fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }

    fn stats(&self) -> FsStats {
        let s = &self.shared;
        let pages = s.used_pages.load(Ordering::Acquire);
        let inodes = s.used_inodes.load(Ordering::Acquire);
        let free_pages = s.max_pages.saturating_sub(pages);
        FsStats {
            fs_type: TMPFS_MAGIC,
            block_size: PAGE,
            blocks: s.max_pages,
            blocks_free: free_pages,
            blocks_avail: free_pages,
            files: s.max_inodes,
            files_free: s.max_inodes.saturating_sub(inodes),
            name_max: NAME_MAX as u64,
        }
    }

    fn type_name(&self) -> &'static str {
        "tmpfs"
    }
}

/// The contents of a regular file: `size` bytes, of which only the pages present in
/// `pages` hold data; the rest reads as zeros.
#[derive(Default)]
struct FileData {
    size: u64,
    pages: BTreeMap<u64, Box<[u8]>>,
}

impl FileData {
    /// Sets the size, dropping whole pages past the end and zeroing the tail of the last
    /// partial page so that growing the file again shows zeros. Returns pages released.
    fn truncate(&mut self, size: u64) -> u64 {
        let mut released = 0;
        if size < self.size {
            let tail = self.pages.split_off(&size.div_ceil(PAGE));
            released = tail.len() as u64;

            let in_page = (size % PAGE) as usize;
            if in_page != 0 {
                if let Some(page) = self.pages.get_mut(&(size / PAGE)) {
                    page[in_page..].fill(0);
                }
            }
        }
        self.size = size;
        released
    }
}

/// One entry of a directory.
struct Slot {
    /// The entry's `read_dir` cookie.
    seq: u64,
    inode: Arc<TmpInode>,
}

/// The entries of a directory, by name and by cookie.
struct DirData {
    by_name: BTreeMap<Vec<u8>, Slot>,
    by_seq: BTreeMap<u64, Vec<u8>>,
    next_seq: u64,
}

impl DirData {
    fn new() -> DirData {
        DirData {
            by_name: BTreeMap::new(),
            by_seq: BTreeMap::new(),
            next_seq: FIRST_SEQ,
        }
    }

    fn get(&self, name: &[u8]) -> Option<&Arc<TmpInode>> {
        self.by_name.get(name).map(|s| &s.inode)
    }

    /// Adds `name` with a fresh cookie, after every existing one so that a listing in
    /// progress either reaches it later or has already finished.
    fn insert(&mut self, name: &[u8], inode: Arc<TmpInode>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_seq.insert(seq, name.to_vec());
        self.by_name.insert(name.to_vec(), Slot { seq, inode });
    }

    fn remove(&mut self, name: &[u8]) -> Option<Arc<TmpInode>> {
        let slot = self.by_name.remove(name)?;
        self.by_seq.remove(&slot.seq);
        Some(slot.inode)
    }

    /// Points the existing entry `name` at `inode`, keeping its cookie (for exchange).
    fn set(&mut self, name: &[u8], inode: Arc<TmpInode>) {
        if let Some(slot) = self.by_name.get_mut(name) {
            slot.inode = inode;
        }
    }

    fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    fn len(&self) -> usize {
        self.by_name.len()
    }
}

/// What an inode holds besides its attributes.
enum Body {
    File(FileData),
    Dir(DirData),
    Symlink(Vec<u8>),
    /// Device nodes, fifos and sockets: attributes only.
    Special,
}

/// The mutable part of an inode, under its state lock.
struct State {
    /// Type and permission bits.
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u32,
    rdev: u64,
    mtime: Timespec,
    ctime: Timespec,
    body: Body,
}

impl State {
    fn dir(&self) -> KResult<&DirData> {
        match &self.body {
            Body::Dir(d) => Ok(d),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn dir_mut(&mut self) -> KResult<&mut DirData> {
        match &mut self.body {
            Body::Dir(d) => Ok(d),
            _ => Err(Errno::ENOTDIR),
        }
    }

    /// Records a change of contents (mtime and ctime), as Linux does for a directory
    /// whose entries change and a file that is written.
    fn touch(&mut self, t: Timespec) {
        self.mtime = t;
        self.ctime = t;
    }
}

/// An inode of a tmpfs.
struct TmpInode {
    /// This inode's own `Arc`, to hand out from `lookup` and to link into directories.
    this: Weak<TmpInode>,
    fs: Arc<Shared>,
    ino: u64,
    kind: FileType,
    state: RwLock<State>,
    /// Kept apart from `state` so reads, which only hold the state lock shared, can
    /// still record the access.
    atime: Mutex<Timespec>,
    /// For directories, the directory holding this one (none for the root). Read by the
    /// rename ancestry checks without taking any state lock.
    parent: Mutex<Weak<TmpInode>>,
}

impl TmpInode {
    /// Makes an inode whose inode count is already reserved.
    fn build(
        fs: &Arc<Shared>,
        ino: u64,
        kind: FileType,
        new: &NewInode,
        body: Body,
        nlink: u32,
        parent: Weak<TmpInode>,
    ) -> Arc<TmpInode> {
        let state = State {
            mode: kind.mode_bits() | (new.mode & 0o7777),
            uid: new.uid,
            gid: new.gid,
            nlink,
            rdev: new.rdev,
            mtime: new.now,
            ctime: new.now,
            body,
        };
        Arc::new_cyclic(|this| TmpInode {
            this: this.clone(),
            fs: fs.clone(),
            ino,
            kind,
            state: RwLock::new(state),
            atime: Mutex::new(new.now),
            parent: Mutex::new(parent),
        })
    }

    /// Allocates a new inode, charging one inode and, for a long symlink, one page.
    fn alloc(&self, kind: FileType, new: &NewInode, body: Body) -> KResult<Arc<TmpInode>> {
        let fs = &self.fs;
        Shared::reserve(&fs.used_inodes, fs.max_inodes, 1)?;

        if matches!(&body, Body::Symlink(t) if t.len() > SHORT_SYMLINK_LEN) {
            if let Err(e) = fs.reserve_pages(1) {
                fs.used_inodes.fetch_sub(1, Ordering::AcqRel);
                return Err(e);
            }
        }

        let (nlink, parent) = match kind {
            FileType::Directory => (2, self.this.clone()),
            _ => (1, Weak::new()),
        };
        let ino = fs.next_ino.fetch_add(1, Ordering::Relaxed);
        Ok(TmpInode::build(fs, ino, kind, new, body, nlink, parent))
    }

    fn arc(&self) -> KResult<Arc<TmpInode>> {
        // Only fails while the inode is being dropped, when nobody can be calling it.
        self.this.upgrade().ok_or(Errno::ENOENT)
    }

    fn parent(&self) -> Option<Arc<TmpInode>> {
        self.parent.lock().upgrade()
    }

    /// Whether `anc` is a proper ancestor of this directory. Only meaningful under the
    /// rename mutex, which keeps the tree's shape still.
    fn is_descendant_of(&self, anc: &TmpInode) -> bool {
        let mut at = self.parent();
        while let Some(dir) = at {
            if ptr::eq(&*dir, anc) {
                return true;
            }
            at = dir.parent();
        }
        false
    }

    /// Refreshes atime after a read the way a `relatime` mount does: when atime is not
    /// newer than mtime or ctime, or is a day old.
    fn accessed(&self, mtime: Timespec, ctime: Timespec) {
        let t = now();
        let mut atime = self.atime.lock();
        let stale = t.sec.saturating_sub(atime.sec) >= RELATIME_SECS;
        if not_after(*atime, mtime) || not_after(*atime, ctime) || stale {
            *atime = t;
        }
    }

    /// Adds a new inode named `name` to this directory.
    fn add_child(
        &self,
        name: &[u8],
        kind: FileType,
        new: &NewInode,
        body: Body,
    ) -> KResult<Arc<dyn Inode>> {
        check_new_name(name)?;
        let mut st = self.state.write();

        // A removed directory stays usable as a cwd, but nothing may be created in it.
        let dead = st.nlink == 0;
        let dir = st.dir_mut()?;
        if dead {
            return Err(Errno::ENOENT);
        }
        if dir.get(name).is_some() {
            return Err(Errno::EEXIST);
        }

        let is_dir = kind == FileType::Directory;
        if is_dir && st.nlink == u32::MAX {
            return Err(Errno::EMLINK);
        }
        let child = self.alloc(kind, new, body)?;
        st.dir_mut()?.insert(name, child.clone());
        if is_dir {
            st.nlink += 1;
        }
        st.touch(new.now);
        Ok(child)
    }

    /// The tmpfs inode behind `other`, if it belongs to this same file system.
    fn same_fs<'a>(&self, other: &'a Arc<dyn Inode>) -> KResult<&'a TmpInode> {
        let other = other
            .as_any()
            .downcast_ref::<TmpInode>()
            .ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&self.fs, &other.fs) {
            return Err(Errno::EXDEV);
        }
        Ok(other)
    }
}

impl Drop for TmpInode {
    fn drop(&mut self) {
        let fs = self.fs.clone();
        let body = &mut self.state.get_mut().body;
        let pages = match body {
            Body::File(f) => f.pages.len() as u64,
            Body::Symlink(t) if t.len() > SHORT_SYMLINK_LEN => 1,
            _ => 0,
        };
        fs.release_pages(pages);
        fs.used_inodes.fetch_sub(1, Ordering::AcqRel);

        // Free a directory tree iteratively: dropping children recursively would use
        // stack in proportion to the tree's depth, which the guest controls.
        if let Body::Dir(d) = body {
            let mut pending: Vec<Arc<TmpInode>> = std::mem::take(&mut d.by_name)
                .into_values()
                .map(|s| s.inode)
                .collect();
            d.by_seq.clear();
            while let Some(child) = pending.pop() {
                if let Ok(mut child) = Arc::try_unwrap(child) {
                    if let Body::Dir(cd) = &mut child.state.get_mut().body {
                        pending.extend(
                            std::mem::take(&mut cd.by_name)
                                .into_values()
                                .map(|s| s.inode),
                        );
                        cd.by_seq.clear();
                    }
                }
            }
        }
    }
}

/// Checks a name for a new entry.
fn check_new_name(name: &[u8]) -> KResult<()> {
    if name.is_empty() {
        return Err(Errno::ENOENT);
    }
    if name == b"." || name == b".." {
        return Err(Errno::EEXIST);
    }
    check_name(name)
}

impl Inode for TmpInode {
    fn stat(&self) -> KResult<Stat> {
        let st = self.state.read();
        let (size, blocks) = match &st.body {
            Body::File(f) => (f.size, f.pages.len() as u64 * (PAGE / 512)),
            Body::Dir(d) => ((d.len() as u64 + 2) * BOGO_DIRENT_SIZE, 0),
            Body::Symlink(t) if t.len() > SHORT_SYMLINK_LEN => (t.len() as u64, PAGE / 512),
            Body::Symlink(t) => (t.len() as u64, 0),
            Body::Special => (0, 0),
        };
        Ok(Stat {
            dev: self.fs.dev,
            ino: self.ino,
            mode: st.mode,
            nlink: st.nlink,
            uid: st.uid,
            gid: st.gid,
            rdev: st.rdev,
            size,
            blksize: PAGE_SIZE as u32,
            blocks,
            atime: *self.atime.lock(),
            mtime: st.mtime,
            ctime: st.ctime,
        })
    }

    fn file_type(&self) -> FileType {
        self.kind
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let st = self.state.read();
        let file = match &st.body {
            Body::File(f) => f,
            Body::Dir(_) => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        };
        if buf.is_empty() {
            return Ok(0);
        }

        let n = file.size.saturating_sub(off).min(buf.len() as u64) as usize;
        let mut done = 0;
        while done < n {
            let pos = off + done as u64;
            let in_page = (pos % PAGE) as usize;
            let chunk = (PAGE_SIZE - in_page).min(n - done);
            let out = &mut buf[done..done + chunk];
            match file.pages.get(&(pos / PAGE)) {
                Some(page) => out.copy_from_slice(&page[in_page..in_page + chunk]),
                None => out.fill(0),
            }
            done += chunk;
        }

        let (mtime, ctime) = (st.mtime, st.ctime);
        drop(st);
        self.accessed(mtime, ctime);
        Ok(n)
    }

    fn write_at(&self, off: u64, buf: &[u8]) -> KResult<usize> {
        match self.kind {
            FileType::Regular => {}
            FileType::Directory => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        }
        if buf.is_empty() {
            return Ok(0);
        }
        if off >= MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let len = (MAX_FILE_SIZE - off).min(buf.len() as u64) as usize;

        let mut st = self.state.write();
        let Body::File(file) = &mut st.body else {
            return Err(Errno::EINVAL);
        };

        // Page by page, so that running out of space mid-way gives a short write, as
        // Linux does, rather than losing what fitted.
        let mut done = 0;
        while done < len {
            let pos = off + done as u64;
            let index = pos / PAGE;
            let in_page = (pos % PAGE) as usize;
            let chunk = (PAGE_SIZE - in_page).min(len - done);

            if !file.pages.contains_key(&index) {
                if let Err(e) = self.fs.reserve_pages(1) {
                    if done == 0 {
                        return Err(e);
                    }
                    break;
                }
            }
            let page = file
                .pages
                .entry(index)
                .or_insert_with(|| vec![0u8; PAGE_SIZE].into_boxed_slice());
            page[in_page..in_page + chunk].copy_from_slice(&buf[done..done + chunk]);
            done += chunk;
        }

        file.size = file.size.max(off + done as u64);
        st.touch(now());
        Ok(done)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let st = self.state.read();
        let dir = st.dir()?;
        match name {
            b"." => Ok(self.arc()?),
            b".." => Ok(self.parent().map_or_else(|| self.arc(), Ok)?),
            _ => dir
                .get(name)
                .map(|i| i.clone() as Arc<dyn Inode>)
                .ok_or(Errno::ENOENT),
        }
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        let st = self.state.read();
        let dir = st.dir()?;

        let dir_entry = |ino, name: &[u8]| DirEntry {
            ino,
            file_type: Some(FileType::Directory),
            name: name.to_vec(),
        };
        let found = match pos {
            0 => Some((dir_entry(self.ino, b"."), 1)),
            1 => {
                let up = self.parent().map_or(self.ino, |p| p.ino);
                Some((dir_entry(up, b".."), FIRST_SEQ))
            }
            _ => dir.by_seq.range(pos..).next().and_then(|(&seq, name)| {
                let inode = dir.get(name)?;
                let entry = DirEntry {
                    ino: inode.ino,
                    file_type: Some(inode.kind),
                    name: name.clone(),
                };
                Some((entry, seq + 1))
            }),
        };

        // Count a listing as one access, at its start.
        if pos == 0 {
            let (mtime, ctime) = (st.mtime, st.ctime);
            drop(st);
            self.accessed(mtime, ctime);
        }
        Ok(found)
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        let st = self.state.read();
        let Body::Symlink(target) = &st.body else {
            return Err(Errno::EINVAL);
        };
        let target = target.clone();
        let (mtime, ctime) = (st.mtime, st.ctime);
        drop(st);
        self.accessed(mtime, ctime);
        Ok(target)
    }

    fn create(&self, name: &[u8], new: NewInode) -> KResult<Arc<dyn Inode>> {
        // mknod with no type bits makes a regular file, as on Linux.
        let kind = match FileType::from_mode(new.mode) {
            None if new.mode & S_IFMT == 0 => FileType::Regular,
            None | Some(FileType::Directory) | Some(FileType::Symlink) => {
                return Err(Errno::EINVAL)
            }
            Some(kind) => kind,
        };
        let body = match kind {
            FileType::Regular => Body::File(FileData::default()),
            _ => Body::Special,
        };
        let rdev = match kind {
            FileType::CharDevice | FileType::BlockDevice => new.rdev,
            _ => 0,
        };
        self.add_child(name, kind, &NewInode { rdev, ..new }, body)
    }

    fn tmpfile(&self, new: NewInode) -> KResult<Arc<dyn Inode>> {
        if self.kind != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        let new = NewInode { rdev: 0, ..new };
        let file = self.alloc(FileType::Regular, &new, Body::File(FileData::default()))?;
        file.state.write().nlink = 0;
        Ok(file)
    }

    fn mkdir(&self, name: &[u8], new: NewInode) -> KResult<Arc<dyn Inode>> {
        let new = NewInode { rdev: 0, ..new };
        self.add_child(name, FileType::Directory, &new, Body::Dir(DirData::new()))
    }

    fn symlink(&self, name: &[u8], target: &[u8], new: NewInode) -> KResult<Arc<dyn Inode>> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        // Linux keeps the target and its NUL in at most one page.
        if target.len() >= PAGE_SIZE {
            return Err(Errno::ENAMETOOLONG);
        }
        let new = NewInode {
            mode: 0o777,
            rdev: 0,
            ..new
        };
        self.add_child(
            name,
            FileType::Symlink,
            &new,
            Body::Symlink(target.to_vec()),
        )
    }

    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> KResult<()> {
        let target = self.same_fs(target)?;
        if target.kind == FileType::Directory {
            return Err(Errno::EPERM);
        }
        check_new_name(name)?;
        let t = now();

        let mut st = self.state.write();
        let dead = st.nlink == 0;
        let dir = st.dir_mut()?;
        if dead {
            return Err(Errno::ENOENT);
        }
        if dir.get(name).is_some() {
            return Err(Errno::EEXIST);
        }
        {
            let mut ts = target.state.write();
            // An open file that was unlinked cannot be brought back (linkat without
            // O_TMPFILE gives ENOENT).
            if ts.nlink == 0 {
                return Err(Errno::ENOENT);
            }
            if ts.nlink == u32::MAX {
                return Err(Errno::EMLINK);
            }
            ts.nlink += 1;
            ts.ctime = t;
        }
        dir.insert(name, target.arc()?);
        st.touch(t);
        Ok(())
    }

    fn unlink(&self, name: &[u8]) -> KResult<()> {
        if is_dot(name) {
            return Err(Errno::EISDIR);
        }
        check_name(name)?;
        let t = now();

        let mut st = self.state.write();
        let dir = st.dir_mut()?;
        let is_dir = dir.get(name).ok_or(Errno::ENOENT)?.kind == FileType::Directory;
        if is_dir {
            return Err(Errno::EISDIR);
        }

        let child = dir.remove(name).ok_or(Errno::ENOENT)?;
        {
            let mut cs = child.state.write();
            cs.nlink = cs.nlink.saturating_sub(1);
            cs.ctime = t;
        }
        st.touch(t);
        Ok(())
    }

    fn rmdir(&self, name: &[u8]) -> KResult<()> {
        match name {
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            _ => check_name(name)?,
        }
        let t = now();

        let mut st = self.state.write();
        let dir = st.dir_mut()?;
        let child = dir.get(name).cloned().ok_or(Errno::ENOENT)?;
        if child.kind != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        {
            // Parent before child, as everywhere. Marking it dead under its own lock
            // stops a concurrent create from slipping an entry in after the check.
            let mut cs = child.state.write();
            if !cs.dir()?.is_empty() {
                return Err(Errno::ENOTEMPTY);
            }
            cs.nlink = 0;
            cs.ctime = t;
        }

        dir.remove(name);
        st.nlink = st.nlink.saturating_sub(1);
        st.touch(t);
        Ok(())
    }

    fn rename(
        &self,
        old_name: &[u8],
        new_dir: &Arc<dyn Inode>,
        new_name: &[u8],
        flags: u32,
    ) -> KResult<()> {
        let known = RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT;
        if flags & !known != 0 || flags & RENAME_WHITEOUT != 0 {
            return Err(Errno::EINVAL);
        }
        if flags & RENAME_NOREPLACE != 0 && flags & RENAME_EXCHANGE != 0 {
            return Err(Errno::EINVAL);
        }

        let nd = self.same_fs(new_dir)?;
        if self.kind != FileType::Directory || nd.kind != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }

        check_rename_names(old_name, new_name, flags)?;

        let _serial = self.fs.rename_lock.lock();
        let t = now();
        let op = RenameOp {
            old_name,
            new_name,
            flags,
            now: t,
        };

        if ptr::eq(self, nd) {
            let mut st = self.state.write();
            return op.run(self, &mut st, nd, None);
        }

        // Ancestor first; unrelated directories by address, which is safe because only
        // a rename ever holds two unrelated directories and renames are serialised.
        let old_first = if nd.is_descendant_of(self) {
            true
        } else if self.is_descendant_of(nd) {
            false
        } else {
            (self as *const TmpInode) < (nd as *const TmpInode)
        };
        let (mut old_st, mut new_st);
        if old_first {
            old_st = self.state.write();
            new_st = nd.state.write();
        } else {
            new_st = nd.state.write();
            old_st = self.state.write();
        }
        op.run(self, &mut old_st, nd, Some(&mut *new_st))
    }

    fn set_attr(&self, attr: SetAttr) -> KResult<()> {
        let mut st = self.state.write();

        // Validate everything before changing anything, so a failed call changes nothing.
        if let Some(size) = attr.size {
            match &st.body {
                Body::File(_) if size > MAX_FILE_SIZE => return Err(Errno::EFBIG),
                Body::File(_) => {}
                Body::Dir(_) => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
        }

        let t = now();
        if let (Some(size), Body::File(file)) = (attr.size, &mut st.body) {
            if size != file.size {
                let released = file.truncate(size);
                self.fs.release_pages(released);
                // shmem_setattr stamps a size change itself.
                st.touch(t);
            }
        }
        if let Some(mode) = attr.mode {
            st.mode = (st.mode & S_IFMT) | (mode & 0o7777);
        }
        if let Some(uid) = attr.uid {
            st.uid = uid;
        }
        if let Some(gid) = attr.gid {
            st.gid = gid;
        }
        if let Some(mtime) = attr.mtime {
            st.mtime = mtime;
        }
        if let Some(ctime) = attr.ctime {
            st.ctime = ctime;
        }
        if let Some(atime) = attr.atime {
            *self.atime.lock() = atime;
        }
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One rename, with the directories already locked.
struct RenameOp<'a> {
    old_name: &'a [u8],
    new_name: &'a [u8],
    flags: u32,
    now: Timespec,
}

/// The directory state a rename step works on: the old directory's, or the new one's
/// when the two differ.
fn side<'s>(old: &'s mut State, new: &'s mut Option<&mut State>, want_new: bool) -> &'s mut State {
    match (want_new, new) {
        (true, Some(n)) => n,
        _ => old,
    }
}

impl RenameOp<'_> {
    /// Checks every rule of rename(2), in the order Linux applies them, then moves.
    /// `new` is `None` when both names are in `od`.
    fn run(
        &self,
        od: &TmpInode,
        old: &mut State,
        nd: &TmpInode,
        mut new: Option<&mut State>,
    ) -> KResult<()> {
        let exchange = self.flags & RENAME_EXCHANGE != 0;
        let same_dir = new.is_none();

        // Lookups.
        let src = old
            .dir()?
            .get(self.old_name)
            .cloned()
            .ok_or(Errno::ENOENT)?;
        let new_view: &State = new.as_deref().unwrap_or(&*old);
        let new_dead = new_view.nlink == 0;
        let dst = new_view.dir()?.get(self.new_name).cloned();
        if new_dead {
            return Err(Errno::ENOENT);
        }
        if exchange && dst.is_none() {
            return Err(Errno::ENOENT);
        }
        if self.flags & RENAME_NOREPLACE != 0 && dst.is_some() {
            return Err(Errno::EEXIST);
        }

        let src_dir = src.kind == FileType::Directory;
        let dst_dir = dst.as_ref().is_some_and(|d| d.kind == FileType::Directory);

        // The "trap" checks of lock_rename: a directory cannot move below itself, and a
        // target that is an ancestor of the source cannot be empty.
        if !same_dir {
            if src_dir && (ptr::eq(nd, &*src) || nd.is_descendant_of(&src)) {
                return Err(Errno::EINVAL);
            }
            if let Some(dst) = dst.as_ref().filter(|_| dst_dir) {
                if ptr::eq(od, &**dst) || od.is_descendant_of(dst) {
                    return Err(if exchange {
                        Errno::EINVAL
                    } else {
                        Errno::ENOTEMPTY
                    });
                }
            }
        }

        // Two names for one inode: nothing to do, and nothing is removed.
        if dst.as_ref().is_some_and(|d| Arc::ptr_eq(d, &src)) {
            return Ok(());
        }

        if exchange {
            let dst = dst.ok_or(Errno::ENOENT)?;
            return self.exchange(od, old, nd, new, src, dst);
        }

        if dst.is_some() {
            if src_dir && !dst_dir {
                return Err(Errno::ENOTDIR);
            }
            if !src_dir && dst_dir {
                return Err(Errno::EISDIR);
            }
        }
        // A directory moving in gains the new parent a link, unless it replaces one.
        if src_dir && !same_dir && !dst_dir {
            if let Some(n) = new.as_deref() {
                if n.nlink == u32::MAX {
                    return Err(Errno::EMLINK);
                }
            }
        }

        // The victim goes first: it is the only step that can still fail (ENOTEMPTY),
        // and marking it dead under its lock keeps anything from being created in it.
        if let Some(victim) = &dst {
            let mut vs = victim.state.write();
            if dst_dir {
                if !vs.dir()?.is_empty() {
                    return Err(Errno::ENOTEMPTY);
                }
                vs.nlink = 0;
            } else {
                vs.nlink = vs.nlink.saturating_sub(1);
            }
            vs.ctime = self.now;
        }

        old.dir_mut()?.remove(self.old_name);
        {
            let target = side(old, &mut new, true);
            let dir = target.dir_mut()?;
            dir.remove(self.new_name);
            dir.insert(self.new_name, src.clone());
            if dst_dir {
                // The replaced directory's ".." no longer points here.
                target.nlink = target.nlink.saturating_sub(1);
            }
        }
        if src_dir && !same_dir {
            old.nlink = old.nlink.saturating_sub(1);
            if let Some(n) = new.as_deref_mut() {
                n.nlink = n.nlink.saturating_add(1);
            }
            *src.parent.lock() = nd.this.clone();
        }

        old.touch(self.now);
        if let Some(n) = new {
            n.touch(self.now);
        }
        src.state.write().ctime = self.now;
        Ok(())
    }

    /// RENAME_EXCHANGE: the two names swap inodes; no type rules apply.
    fn exchange(
        &self,
        od: &TmpInode,
        old: &mut State,
        nd: &TmpInode,
        mut new: Option<&mut State>,
        src: Arc<TmpInode>,
        dst: Arc<TmpInode>,
    ) -> KResult<()> {
        let src_dir = src.kind == FileType::Directory;
        let dst_dir = dst.kind == FileType::Directory;

        old.dir_mut()?.set(self.old_name, dst.clone());
        side(old, &mut new, true)
            .dir_mut()?
            .set(self.new_name, src.clone());

        // Across directories, each directory moving carries its ".." link along.
        if let Some(n) = new.as_deref_mut() {
            if src_dir && !dst_dir {
                old.nlink = old.nlink.saturating_sub(1);
                n.nlink = n.nlink.saturating_add(1);
            } else if dst_dir && !src_dir {
                n.nlink = n.nlink.saturating_sub(1);
                old.nlink = old.nlink.saturating_add(1);
            }
            if src_dir {
                *src.parent.lock() = nd.this.clone();
            }
            if dst_dir {
                *dst.parent.lock() = od.this.clone();
            }
        }

        old.touch(self.now);
        if let Some(n) = new {
            n.touch(self.now);
        }
        src.state.write().ctime = self.now;
        dst.state.write().ctime = self.now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// `unwrap_err` for results whose success type is not `Debug` (`Arc<dyn Inode>`).
    trait ErrOf {
        fn e(self) -> Errno;
    }

    impl<T> ErrOf for KResult<T> {
        fn e(self) -> Errno {
            match self {
                Ok(_) => panic!("expected an error"),
                Err(e) => e,
            }
        }
    }

    const T0: Timespec = Timespec {
        sec: 1_000,
        nsec: 0,
    };

    fn mk(limit: u64) -> (Arc<TmpFs>, Arc<dyn Inode>) {
        let fs = TmpFs::new(limit, 0x2a);
        let root = fs.root();
        (fs, root)
    }

    fn new(mode: u32) -> NewInode {
        NewInode {
            mode,
            uid: 1,
            gid: 2,
            rdev: 0,
            now: T0,
        }
    }

    fn file(dir: &Arc<dyn Inode>, name: &str) -> Arc<dyn Inode> {
        dir.create(name.as_bytes(), new(0o100644)).unwrap()
    }

    fn dir(dir: &Arc<dyn Inode>, name: &str) -> Arc<dyn Inode> {
        dir.mkdir(name.as_bytes(), new(0o755)).unwrap()
    }

    fn get(dir: &Arc<dyn Inode>, name: &str) -> KResult<Arc<dyn Inode>> {
        dir.lookup(name.as_bytes())
    }

    fn nlink(i: &Arc<dyn Inode>) -> u32 {
        i.stat().unwrap().nlink
    }

    fn ino(i: &Arc<dyn Inode>) -> u64 {
        i.stat().unwrap().ino
    }

    fn read_all(i: &Arc<dyn Inode>) -> Vec<u8> {
        let mut buf = vec![0u8; i.stat().unwrap().size as usize];
        let n = i.read_at(0, &mut buf).unwrap();
        buf.truncate(n);
        buf
    }

    /// Lists a directory the way getdents64 does, one cookie at a time.
    fn list(d: &Arc<dyn Inode>) -> Vec<String> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((e, next)) = d.read_dir(pos).unwrap() {
            out.push(String::from_utf8(e.name).unwrap());
            pos = next;
        }
        out
    }

    fn old_times() -> SetAttr {
        SetAttr {
            mtime: Some(T0),
            ctime: Some(T0),
            ..SetAttr::default()
        }
    }

    fn is_newer(t: Timespec) -> bool {
        !not_after(t, T0)
    }

    #[test]
    fn root_is_a_sticky_world_writable_directory() {
        let (fs, root) = mk(0);
        let st = root.stat().unwrap();
        assert_eq!(st.mode, 0o41777);
        assert_eq!((st.ino, st.nlink, st.dev), (ROOT_INO, 2, 0x2a));
        assert_eq!(st.size, 2 * BOGO_DIRENT_SIZE);
        assert_eq!(list(&root), [".", ".."]);
        assert_eq!(fs.type_name(), "tmpfs");
        assert_eq!(ino(&get(&root, "..").unwrap()), ROOT_INO);
        assert_eq!(ino(&get(&root, ".").unwrap()), ROOT_INO);
    }

    #[test]
    fn write_read_and_times() {
        let (_fs, root) = mk(0);
        let f = file(&root, "a");
        let st = f.stat().unwrap();
        assert_eq!(st.mode, 0o100644);
        assert_eq!(
            (st.uid, st.gid, st.nlink, st.size, st.dev),
            (1, 2, 1, 0, 0x2a)
        );
        assert_eq!((st.mtime, st.ctime, st.atime), (T0, T0, T0));

        // The directory's times came from the same creation.
        assert_eq!(root.stat().unwrap().mtime, T0);

        assert_eq!(f.write_at(0, b"hello world").unwrap(), 11);
        assert_eq!(f.write_at(6, b"there").unwrap(), 5);
        let st = f.stat().unwrap();
        assert_eq!(st.size, 11);
        assert!(is_newer(st.mtime) && is_newer(st.ctime));
        assert_eq!(read_all(&f), b"hello there");

        // Reads at and past the end, including absurd offsets.
        let mut buf = [0u8; 4];
        assert_eq!(f.read_at(11, &mut buf).unwrap(), 0);
        assert_eq!(f.read_at(u64::MAX, &mut buf).unwrap(), 0);
        assert_eq!(f.read_at(9, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"re");

        // relatime: atime moves because it was not newer than mtime.
        assert!(is_newer(f.stat().unwrap().atime));

        // Zero-length writes change nothing.
        f.set_attr(old_times()).unwrap();
        assert_eq!(f.write_at(100, b"").unwrap(), 0);
        let st = f.stat().unwrap();
        assert_eq!((st.size, st.mtime), (11, T0));
    }

    #[test]
    fn sparse_files_allocate_only_written_pages() {
        let (fs, root) = mk(1 << 20);
        let f = file(&root, "sparse");
        let far = 1u64 << 40;
        assert_eq!(f.write_at(far, b"xyz").unwrap(), 3);

        let st = f.stat().unwrap();
        assert_eq!(st.size, far + 3);
        assert_eq!(st.blocks, 8);
        assert_eq!(fs.stats().blocks_free, 256 - 1);

        let mut buf = vec![0xffu8; 8192];
        assert_eq!(f.read_at(4096, &mut buf).unwrap(), 8192);
        assert!(buf.iter().all(|&b| b == 0));
        assert_eq!(f.read_at(far - 2, &mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"\0\0xyz");

        // A write that straddles a page boundary takes two pages.
        f.write_at(8190, b"abcd").unwrap();
        assert_eq!(f.stat().unwrap().blocks, 24);

        // Growing by truncate allocates nothing.
        f.set_attr(SetAttr {
            size: Some(1 << 50),
            ..SetAttr::default()
        })
        .unwrap();
        assert_eq!(f.stat().unwrap().blocks, 24);
        assert_eq!(f.stat().unwrap().size, 1 << 50);
    }

    #[test]
    fn truncate_zeroes_the_tail_and_frees_pages() {
        let (fs, root) = mk(1 << 20);
        let f = file(&root, "t");
        f.write_at(0, &[7u8; 3 * 4096]).unwrap();
        assert_eq!(fs.stats().blocks_free, 253);

        f.set_attr(old_times()).unwrap();
        f.set_attr(SetAttr {
            size: Some(5000),
            ..SetAttr::default()
        })
        .unwrap();
        let st = f.stat().unwrap();
        assert_eq!((st.size, st.blocks), (5000, 16));
        assert!(is_newer(st.mtime) && is_newer(st.ctime));
        assert_eq!(fs.stats().blocks_free, 254);

        f.set_attr(SetAttr {
            size: Some(8192),
            ..SetAttr::default()
        })
        .unwrap();
        let data = read_all(&f);
        assert!(data[..5000].iter().all(|&b| b == 7));
        assert!(data[5000..].iter().all(|&b| b == 0));

        f.set_attr(SetAttr {
            size: Some(0),
            ..SetAttr::default()
        })
        .unwrap();
        assert_eq!(fs.stats().blocks_free, 256);

        // Size changes are for regular files only, and bounded.
        let too_big = SetAttr {
            size: Some(MAX_FILE_SIZE + 1),
            ..SetAttr::default()
        };
        assert_eq!(f.set_attr(too_big).e(), Errno::EFBIG);
        let d = dir(&root, "d");
        let zero = SetAttr {
            size: Some(0),
            ..SetAttr::default()
        };
        assert_eq!(d.set_attr(zero).e(), Errno::EISDIR);
        let l = root.symlink(b"l", b"t", new(0)).unwrap();
        assert_eq!(l.set_attr(zero).e(), Errno::EINVAL);
    }

    #[test]
    fn huge_offsets_are_efbig_not_panics() {
        let (_fs, root) = mk(0);
        let f = file(&root, "f");
        assert_eq!(f.write_at(MAX_FILE_SIZE, b"x").e(), Errno::EFBIG);
        assert_eq!(f.write_at(u64::MAX, b"x").e(), Errno::EFBIG);
        assert_eq!(f.write_at(MAX_FILE_SIZE - 1, b"xyz").unwrap(), 1);
        assert_eq!(f.stat().unwrap().size, MAX_FILE_SIZE);
        let mut b = [0u8; 8];
        assert_eq!(f.read_at(MAX_FILE_SIZE - 1, &mut b).unwrap(), 1);
        assert_eq!(b[0], b'x');
    }

    #[test]
    fn enospc_gives_short_writes_and_space_comes_back() {
        let (fs, root) = mk(4 * 4096);
        let f = file(&root, "big");

        assert_eq!(f.write_at(0, &[1u8; 5 * 4096]).unwrap(), 4 * 4096);
        assert_eq!(f.write_at(4 * 4096, b"more").e(), Errno::ENOSPC);
        assert_eq!(f.stat().unwrap().size, 4 * 4096);
        assert_eq!(fs.stats().blocks_free, 0);

        // Rewriting allocated pages needs no space.
        assert_eq!(f.write_at(100, b"ok").unwrap(), 2);

        // Space comes back when the last reference goes, not at unlink.
        root.unlink(b"big").unwrap();
        assert_eq!(fs.stats().blocks_free, 0);
        drop(f);
        assert_eq!(fs.stats().blocks_free, 4);

        // Long symlinks take a page; short ones live in the inode.
        let g = file(&root, "g");
        g.write_at(0, &[0u8; 3 * 4096]).unwrap();
        root.symlink(b"short", b"x", new(0)).unwrap();
        root.symlink(b"long", &[b'a'; 200], new(0)).unwrap();
        let again = root.symlink(b"long2", &[b'a'; 200], new(0));
        assert_eq!(again.e(), Errno::ENOSPC);
    }

    #[test]
    fn inode_limit_is_enospc() {
        // Two pages: two inodes, one of them the root.
        let (fs, root) = mk(2 * 4096);
        assert_eq!(fs.stats().files, 2);
        assert_eq!(fs.stats().files_free, 1);
        file(&root, "one");
        assert_eq!(root.create(b"two", new(0o644)).e(), Errno::ENOSPC);
        assert_eq!(root.mkdir(b"two", new(0o755)).e(), Errno::ENOSPC);
        root.unlink(b"one").unwrap();
        file(&root, "two");
    }

    #[test]
    fn stats_report_the_magic_and_limits() {
        let (fs, root) = mk(10 * 4096 + 1);
        let s = fs.stats();
        assert_eq!(s.fs_type, TMPFS_MAGIC);
        assert_eq!(
            (s.block_size, s.blocks, s.blocks_free, s.blocks_avail),
            (4096, 11, 11, 11)
        );
        assert_eq!(s.name_max, 255);
        file(&root, "a").write_at(0, b"x").unwrap();
        assert_eq!(fs.stats().blocks_free, 10);

        let (unlimited, _) = mk(0);
        assert_eq!(unlimited.stats().blocks, 0);
    }

    #[test]
    fn read_dir_cookies_survive_inserts_and_removals() {
        let (_fs, root) = mk(0);
        for i in 0..100 {
            file(&root, &format!("f{i:03}"));
        }

        // Walk half the directory.
        let mut seen = Vec::new();
        let mut pos = 0;
        for _ in 0..52 {
            let (e, next) = root.read_dir(pos).unwrap().unwrap();
            seen.push(String::from_utf8(e.name).unwrap());
            pos = next;
        }

        // Remove seen and unseen entries, add new ones, then carry on from the cookie.
        for i in (0..100).step_by(3) {
            root.unlink(format!("f{i:03}").as_bytes()).unwrap();
        }
        for i in 0..10 {
            file(&root, &format!("new{i}"));
        }
        while let Some((e, next)) = root.read_dir(pos).unwrap() {
            seen.push(String::from_utf8(e.name).unwrap());
            pos = next;
        }

        let unique: BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "no entry twice");
        for i in 0..100 {
            let name = format!("f{i:03}");
            let removed_unseen = i % 3 == 0 && i >= 50;
            assert_eq!(unique.contains(&name), !removed_unseen, "{name}");
        }
        for i in 0..10 {
            assert!(unique.contains(&format!("new{i}")));
        }

        // A stale cookie past every entry is simply the end.
        assert!(root.read_dir(u64::MAX).unwrap().is_none());
        assert!(root.read_dir(pos + 1000).unwrap().is_none());
    }

    #[test]
    fn read_dir_reports_types_and_dot_inodes() {
        let (_fs, root) = mk(0);
        let d = dir(&root, "d");
        file(&d, "f");
        d.symlink(b"l", b"f", new(0)).unwrap();
        let (dot, p) = d.read_dir(0).unwrap().unwrap();
        let (dotdot, p) = d.read_dir(p).unwrap().unwrap();
        assert_eq!((dot.ino, dotdot.ino), (ino(&d), ROOT_INO));
        let (f, p) = d.read_dir(p).unwrap().unwrap();
        assert_eq!(
            (f.name.as_slice(), f.file_type),
            (&b"f"[..], Some(FileType::Regular))
        );
        let (l, p) = d.read_dir(p).unwrap().unwrap();
        assert_eq!(l.file_type, Some(FileType::Symlink));
        assert!(d.read_dir(p).unwrap().is_none());
        assert_eq!(d.stat().unwrap().size, 4 * BOGO_DIRENT_SIZE);
    }

    #[test]
    fn directory_times_follow_entry_changes() {
        let (_fs, root) = mk(0);
        let f = file(&root, "a");

        root.set_attr(old_times()).unwrap();
        root.link(b"b", &f).unwrap();
        assert!(is_newer(root.stat().unwrap().mtime));
        assert!(is_newer(f.stat().unwrap().ctime));

        for step in 0..4 {
            root.set_attr(old_times()).unwrap();
            match step {
                0 => root.unlink(b"b").unwrap(),
                1 => root.rename(b"a", &root, b"c", 0).unwrap(),
                2 => drop(root.symlink(
                    b"s",
                    b"c",
                    NewInode {
                        now: now(),
                        ..new(0)
                    },
                )),
                _ => root.unlink(b"s").unwrap(),
            }
            let st = root.stat().unwrap();
            assert!(is_newer(st.mtime) && is_newer(st.ctime), "step {step}");
        }
    }

    #[test]
    fn set_attr_changes_only_what_it_names() {
        let (_fs, root) = mk(0);
        let f = file(&root, "f");
        let when = Timespec { sec: 42, nsec: 7 };
        f.set_attr(SetAttr {
            mode: Some(0o104755),
            uid: Some(9),
            atime: Some(when),
            ..SetAttr::default()
        })
        .unwrap();
        let st = f.stat().unwrap();
        assert_eq!(st.mode, 0o104755);
        assert_eq!((st.uid, st.gid, st.atime, st.mtime), (9, 2, when, T0));

        // The type bits are not the caller's to change.
        f.set_attr(SetAttr {
            mode: Some(0o040700),
            ..SetAttr::default()
        })
        .unwrap();
        assert_eq!(f.stat().unwrap().mode, 0o100700);
        assert_eq!(f.file_type(), FileType::Regular);
    }

    #[test]
    fn device_nodes_fifos_and_sockets_are_stat_only() {
        let (_fs, root) = mk(0);
        let rdev = 0x0501;
        let c = root
            .create(
                b"c",
                NewInode {
                    rdev,
                    ..new(0o020620)
                },
            )
            .unwrap();
        let st = c.stat().unwrap();
        assert_eq!((st.mode, st.rdev, st.size), (0o020620, rdev, 0));
        assert_eq!(c.file_type(), FileType::CharDevice);

        let b = root
            .create(
                b"b",
                NewInode {
                    rdev,
                    ..new(0o060600)
                },
            )
            .unwrap();
        assert_eq!(b.file_type(), FileType::BlockDevice);
        let p = root
            .create(
                b"p",
                NewInode {
                    rdev,
                    ..new(0o010644)
                },
            )
            .unwrap();
        assert_eq!((p.file_type(), p.stat().unwrap().rdev), (FileType::Fifo, 0));
        let s = root.create(b"s", new(0o140755)).unwrap();
        assert_eq!(s.file_type(), FileType::Socket);
        let plain = root.create(b"plain", new(0o644)).unwrap();
        assert_eq!(plain.file_type(), FileType::Regular);

        let mut buf = [0u8; 1];
        assert_eq!(c.read_at(0, &mut buf).e(), Errno::EINVAL);
        assert_eq!(p.write_at(0, b"x").e(), Errno::EINVAL);
        assert_eq!(c.lookup(b"x").e(), Errno::ENOTDIR);
        assert_eq!(c.read_dir(0).e(), Errno::ENOTDIR);
        assert_eq!(c.read_link().e(), Errno::EINVAL);

        assert_eq!(root.create(b"d", new(0o040755)).e(), Errno::EINVAL);
        assert_eq!(root.create(b"l", new(0o120777)).e(), Errno::EINVAL);
        assert_eq!(root.create(b"x", new(0o170777)).e(), Errno::EINVAL);
    }

    #[test]
    fn symlinks_hold_their_target() {
        let (_fs, root) = mk(0);
        let l = root.symlink(b"l", b"/some/where", new(0o644)).unwrap();
        let st = l.stat().unwrap();
        assert_eq!((st.mode, st.size), (0o120777, 11));
        assert_eq!(l.read_link().unwrap(), b"/some/where");
        let mut buf = [0u8; 4];
        assert_eq!(l.read_at(0, &mut buf).e(), Errno::EINVAL);

        assert_eq!(root.symlink(b"e", b"", new(0)).e(), Errno::ENOENT);
        let long = vec![b'x'; 4096];
        assert_eq!(root.symlink(b"e", &long, new(0)).e(), Errno::ENAMETOOLONG);
        assert_eq!(
            root.symlink(b"e", &long[..4095], new(0))
                .unwrap()
                .stat()
                .unwrap()
                .size,
            4095
        );
        assert_eq!(root.read_link().e(), Errno::EINVAL);
    }

    #[test]
    fn names_are_checked() {
        let (_fs, root) = mk(0);
        assert_eq!(root.create(b"", new(0o644)).e(), Errno::ENOENT);
        assert_eq!(root.create(b".", new(0o644)).e(), Errno::EEXIST);
        assert_eq!(root.mkdir(b"..", new(0o755)).e(), Errno::EEXIST);
        assert_eq!(root.create(b"a/b", new(0o644)).e(), Errno::EINVAL);
        assert_eq!(
            root.create(&[b'n'; 256], new(0o644)).e(),
            Errno::ENAMETOOLONG
        );
        file(&root, &"n".repeat(255));
        file(&root, "dup");
        assert_eq!(root.create(b"dup", new(0o644)).e(), Errno::EEXIST);
        assert_eq!(root.mkdir(b"dup", new(0o755)).e(), Errno::EEXIST);
        assert_eq!(get(&root, "missing").e(), Errno::ENOENT);

        let f = get(&root, "dup").unwrap();
        assert_eq!(f.create(b"x", new(0o644)).e(), Errno::ENOTDIR);
        assert_eq!(f.lookup(b"x").e(), Errno::ENOTDIR);
        let mut buf = [0u8; 1];
        assert_eq!(root.read_at(0, &mut buf).e(), Errno::EISDIR);
        assert_eq!(root.write_at(0, b"x").e(), Errno::EISDIR);
    }

    #[test]
    fn hard_links_count() {
        let (fs, root) = mk(0);
        let f = file(&root, "a");
        f.write_at(0, b"data").unwrap();
        root.link(b"b", &f).unwrap();
        let d = dir(&root, "d");
        d.link(b"c", &f).unwrap();
        assert_eq!(nlink(&f), 3);
        assert_eq!(ino(&get(&d, "c").unwrap()), ino(&f));
        assert_eq!(read_all(&get(&root, "b").unwrap()), b"data");

        root.unlink(b"a").unwrap();
        d.unlink(b"c").unwrap();
        assert_eq!(nlink(&f), 1);
        root.unlink(b"b").unwrap();
        assert_eq!(nlink(&f), 0);

        // An unlinked but open file cannot be linked back.
        assert_eq!(root.link(b"back", &f).e(), Errno::ENOENT);
        assert_eq!(root.link(b"dir", &d).e(), Errno::EPERM);

        let g = file(&root, "g");
        assert_eq!(root.link(b"g", &g).e(), Errno::EEXIST);

        let (_other, other_root) = mk(0);
        assert_eq!(other_root.link(b"x", &g).e(), Errno::EXDEV);
        let dev = crate::fs::devfs::DevFs::new().root();
        assert_eq!(root.link(b"x", &dev).e(), Errno::EXDEV);
        drop(fs);
    }

    #[test]
    fn directory_link_counts_track_subdirectories() {
        let (_fs, root) = mk(0);
        let a = dir(&root, "a");
        assert_eq!((nlink(&root), nlink(&a)), (3, 2));
        dir(&a, "x");
        dir(&a, "y");
        file(&a, "f");
        assert_eq!(nlink(&a), 4);

        assert_eq!(a.rmdir(b"f").e(), Errno::ENOTDIR);
        assert_eq!(root.rmdir(b"a").e(), Errno::ENOTEMPTY);
        assert_eq!(a.unlink(b"x").e(), Errno::EISDIR);
        assert_eq!(a.rmdir(b".").e(), Errno::EINVAL);
        assert_eq!(a.rmdir(b"..").e(), Errno::ENOTEMPTY);
        assert_eq!(a.unlink(b".").e(), Errno::EISDIR);
        assert_eq!(a.rmdir(b"nope").e(), Errno::ENOENT);
        assert_eq!(a.unlink(b"nope").e(), Errno::ENOENT);

        let x = get(&a, "x").unwrap();
        a.rmdir(b"x").unwrap();
        assert_eq!((nlink(&a), nlink(&x)), (3, 0));

        // A removed directory (still someone's cwd) takes no new entries.
        assert_eq!(x.create(b"f", new(0o644)).e(), Errno::ENOENT);
        assert_eq!(x.mkdir(b"d", new(0o755)).e(), Errno::ENOENT);
        assert_eq!(x.symlink(b"s", b"t", new(0)).e(), Errno::ENOENT);
        let f = get(&a, "f").unwrap();
        assert_eq!(x.link(b"l", &f).e(), Errno::ENOENT);
        assert_eq!(a.rename(b"f", &x, b"f", 0).e(), Errno::ENOENT);
        assert_eq!(list(&x), [".", ".."]);
    }

    #[test]
    fn rename_moves_and_replaces_files() {
        let (_fs, root) = mk(0);
        let a = file(&root, "a");
        a.write_at(0, b"A").unwrap();
        let b = file(&root, "b");
        let d = dir(&root, "d");

        // Replace a file: the victim loses its link and the name shows the source.
        root.rename(b"a", &root, b"b", 0).unwrap();
        assert_eq!(get(&root, "a").e(), Errno::ENOENT);
        assert_eq!(ino(&get(&root, "b").unwrap()), ino(&a));
        assert_eq!(nlink(&b), 0);
        assert_eq!(nlink(&a), 1);

        // Across directories.
        root.rename(b"b", &d, b"moved", 0).unwrap();
        assert_eq!(read_all(&get(&d, "moved").unwrap()), b"A");
        assert_eq!(list(&root), [".", "..", "d"]);

        // Source missing; cross file system.
        assert_eq!(root.rename(b"zz", &d, b"q", 0).e(), Errno::ENOENT);
        let (_o, other) = mk(0);
        assert_eq!(d.rename(b"moved", &other, b"q", 0).e(), Errno::EXDEV);

        // Renaming onto itself, or onto another link of the same inode, is a no-op.
        d.rename(b"moved", &d, b"moved", 0).unwrap();
        d.link(b"alias", &a).unwrap();
        d.rename(b"moved", &d, b"alias", 0).unwrap();
        assert_eq!(list(&d), [".", "..", "moved", "alias"]);
        assert_eq!(nlink(&a), 2);

        // Bad flags.
        assert_eq!(d.rename(b"moved", &d, b"x", 8).e(), Errno::EINVAL);
        assert_eq!(
            d.rename(b"moved", &d, b"x", RENAME_WHITEOUT).e(),
            Errno::EINVAL
        );
        let both = RENAME_NOREPLACE | RENAME_EXCHANGE;
        assert_eq!(d.rename(b"moved", &d, b"alias", both).e(), Errno::EINVAL);

        // Dot names.
        assert_eq!(d.rename(b".", &root, b"x", 0).e(), Errno::EBUSY);
        assert_eq!(d.rename(b"moved", &d, b"..", 0).e(), Errno::EBUSY);
        let noreplace = RENAME_NOREPLACE;
        assert_eq!(d.rename(b"moved", &d, b"..", noreplace).e(), Errno::EEXIST);

        // Not a directory as either directory.
        assert_eq!(a.rename(b"x", &d, b"y", 0).e(), Errno::ENOTDIR);
        assert_eq!(d.rename(b"moved", &a, b"y", 0).e(), Errno::ENOTDIR);
    }

    #[test]
    fn rename_directory_rules() {
        let (_fs, root) = mk(0);
        let a = dir(&root, "a");
        let sub = dir(&a, "sub");
        let deep = dir(&sub, "deep");
        let empty = dir(&root, "empty");
        let full = dir(&root, "full");
        file(&full, "x");
        let f = file(&root, "f");

        // A directory cannot replace a file, nor a file a directory.
        assert_eq!(root.rename(b"a", &root, b"f", 0).e(), Errno::ENOTDIR);
        assert_eq!(root.rename(b"f", &root, b"empty", 0).e(), Errno::EISDIR);

        // Only an empty directory may be replaced.
        assert_eq!(root.rename(b"a", &root, b"full", 0).e(), Errno::ENOTEMPTY);

        // Not into itself or its own subtree.
        assert_eq!(root.rename(b"a", &a, b"x", 0).e(), Errno::EINVAL);
        assert_eq!(root.rename(b"a", &sub, b"x", 0).e(), Errno::EINVAL);
        assert_eq!(root.rename(b"a", &deep, b"x", 0).e(), Errno::EINVAL);

        // A target that is an ancestor of the source is never empty.
        assert_eq!(sub.rename(b"deep", &root, b"a", 0).e(), Errno::ENOTEMPTY);
        assert_eq!(deep.rename(b".", &root, b"a", 0).e(), Errno::EBUSY);

        // Nothing above changed anything.
        assert_eq!(list(&root), [".", "..", "a", "empty", "full", "f"]);
        assert_eq!((nlink(&root), nlink(&a), nlink(&sub)), (5, 3, 3));
        assert_eq!(nlink(&f), 1);

        // Replace an empty directory across directories: counts stay right.
        a.rename(b"sub", &root, b"empty", 0).unwrap();
        assert_eq!(nlink(&empty), 0);
        assert_eq!((nlink(&root), nlink(&a)), (5, 2));
        assert_eq!(ino(&get(&root, "empty").unwrap()), ino(&sub));
        assert_eq!(ino(&sub.lookup(b"..").unwrap()), ROOT_INO);
        assert_eq!(sub.read_dir(1).unwrap().unwrap().0.ino, ROOT_INO);
        assert_eq!(empty.create(b"x", new(0o644)).e(), Errno::ENOENT);

        // Move a directory down: the old parent loses a link, the new one gains it.
        root.rename(b"empty", &a, b"back", 0).unwrap();
        assert_eq!((nlink(&root), nlink(&a)), (4, 3));
        assert_eq!(ino(&sub.lookup(b"..").unwrap()), ino(&a));

        // Same directory, replacing an empty directory.
        dir(&root, "e2");
        dir(&root, "e3");
        let before = nlink(&root);
        root.rename(b"e2", &root, b"e3", 0).unwrap();
        assert_eq!(nlink(&root), before - 1);

        // Now that "deep" sits lower, moving "a" under it is still refused.
        assert_eq!(root.rename(b"a", &deep, b"x", 0).e(), Errno::EINVAL);
    }

    #[test]
    fn rename_noreplace_and_exchange() {
        let (_fs, root) = mk(0);
        let f = file(&root, "f");
        let g = file(&root, "g");
        let d = dir(&root, "d");
        let inner = dir(&d, "inner");
        let nr = RENAME_NOREPLACE;
        let ex = RENAME_EXCHANGE;

        assert_eq!(root.rename(b"f", &root, b"g", nr).e(), Errno::EEXIST);
        assert_eq!(root.rename(b"f", &root, b"f", nr).e(), Errno::EEXIST);
        root.rename(b"f", &root, b"h", nr).unwrap();
        assert_eq!(ino(&get(&root, "h").unwrap()), ino(&f));

        assert_eq!(root.rename(b"h", &root, b"none", ex).e(), Errno::ENOENT);

        // Exchange two files in one directory.
        root.rename(b"h", &root, b"g", ex).unwrap();
        assert_eq!(ino(&get(&root, "g").unwrap()), ino(&f));
        assert_eq!(ino(&get(&root, "h").unwrap()), ino(&g));
        assert_eq!((nlink(&f), nlink(&g)), (1, 1));

        // Exchange a file with a directory across directories: links move with them.
        assert_eq!((nlink(&root), nlink(&d)), (3, 3));
        d.rename(b"inner", &root, b"g", ex).unwrap();
        assert_eq!(ino(&get(&root, "g").unwrap()), ino(&inner));
        assert_eq!(ino(&get(&d, "inner").unwrap()), ino(&f));
        assert_eq!((nlink(&root), nlink(&d)), (4, 2));
        assert_eq!(ino(&inner.lookup(b"..").unwrap()), ROOT_INO);

        // Exchange may not put a directory under itself either way.
        let low = dir(&inner, "low");
        assert_eq!(root.rename(b"g", &low, b"x", ex).e(), Errno::ENOENT);
        file(&low, "x");
        assert_eq!(root.rename(b"g", &low, b"x", ex).e(), Errno::EINVAL);
        assert_eq!(low.rename(b"x", &root, b"g", ex).e(), Errno::EINVAL);

        // A non-empty directory may be exchanged (no emptiness rule).
        dir(&root, "other");
        root.rename(b"g", &root, b"other", ex).unwrap();
        assert_eq!(ino(&get(&root, "other").unwrap()), ino(&inner));
    }

    #[test]
    fn open_unlinked_files_keep_their_data() {
        let (_fs, root) = mk(0);
        let f = file(&root, "f");
        f.write_at(0, b"still here").unwrap();
        root.unlink(b"f").unwrap();
        assert_eq!(read_all(&f), b"still here");
        f.write_at(0, b"STILL").unwrap();
        assert_eq!(read_all(&f), b"STILL here");
    }

    #[test]
    fn tmpfiles_have_no_name_and_give_their_space_back() {
        let (fs, root) = mk(10 * 4096);
        let t = root.tmpfile(new(0o100600)).unwrap();
        let st = t.stat().unwrap();
        assert_eq!((st.mode, st.nlink), (0o100600, 0));
        assert!(list(&root).iter().all(|n| n == "." || n == ".."));

        t.write_at(0, b"tmp").unwrap();
        assert_eq!(read_all(&t), b"tmp");
        assert_eq!(fs.stats().blocks_free, 9);
        assert_eq!(root.link(b"named", &t).e(), Errno::ENOENT);
        drop(t);
        assert_eq!(fs.stats().blocks_free, 10);

        let f = file(&root, "f");
        assert_eq!(f.tmpfile(new(0o100600)).e(), Errno::ENOTDIR);
    }

    #[test]
    fn a_deep_tree_drops_without_recursion() {
        let (fs, root) = mk(0);
        let mut at = root.clone();
        for _ in 0..50_000 {
            at = at.mkdir(b"d", new(0o755)).unwrap();
        }
        file(&at, "leaf").write_at(0, b"x").unwrap();
        drop(at);
        root.rmdir(b"d").e();
        let shared = fs.shared.clone();
        drop(root);
        drop(fs);
        assert_eq!(shared.used_inodes.load(Ordering::Acquire), 0);
        assert_eq!(shared.used_pages.load(Ordering::Acquire), 0);
    }

    #[test]
    fn concurrent_renames_and_removals_do_not_deadlock() {
        let (_fs, root) = mk(0);
        let a = dir(&root, "a");
        let b = dir(&a, "b");
        let c = dir(&root, "c");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (root, a, b, c) = (root.clone(), a.clone(), b.clone(), c.clone());
                std::thread::spawn(move || {
                    let name = format!("n{t}");
                    let n = name.as_bytes();
                    for i in 0..2_000 {
                        // Errors are expected when another thread got there first.
                        let _ = match (i + t) % 6 {
                            0 => a.mkdir(n, new(0o755)).map(drop),
                            1 => a.rename(n, &c, n, 0),
                            2 => c.rename(n, &b, n, RENAME_NOREPLACE),
                            3 => b.rename(n, &a, n, 0),
                            4 => root.rename(b"c", &root, b"c", RENAME_EXCHANGE),
                            _ => a.rmdir(n).or_else(|_| b.rmdir(n)).or_else(|_| c.rmdir(n)),
                        };
                        let _ = a.rename(b"b", &c, b"b", 0);
                        let _ = c.rename(b"b", &a, b"b", 0);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }

        // Whatever happened, the counts agree with the entries.
        for d in [&root, &a, &b, &c] {
            let subdirs = list(d)
                .iter()
                .skip(2)
                .filter(|n| get(d, n).unwrap().file_type() == FileType::Directory)
                .count();
            assert_eq!(nlink(d) as usize, 2 + subdirs);
        }
    }
}
