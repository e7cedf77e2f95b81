//! Inodes: the on-disk record and its write-back, block mapping through the indirect
//! tree, file reads, symlinks and `stat`, and the `Inode` trait for ext2 (the write
//! operations themselves live in `file` and `namei`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::{le16, le32, now, Volume, CORRUPT};
use crate::errno::{Errno, KResult};
use crate::fs::{DirEntry, FileType, Inode, NewInode, SetAttr, Stat, Timespec};

/// Pointers in `i_block`: twelve direct, then single, double and triple indirect.
pub(super) const N_BLOCKS: usize = 15;
pub(super) const N_DIRECT: usize = 12;
pub(super) const IND_SLOT: usize = 12;
pub(super) const DIND_SLOT: usize = 13;
pub(super) const TIND_SLOT: usize = 14;

/// Bytes of `i_block`, which holds a fast symlink's target instead of pointers.
pub(super) const FAST_SYMLINK_MAX: usize = N_BLOCKS * 4;

/// Longest symlink target Linux accepts (`PATH_MAX` with its NUL).
pub(super) const SYMLINK_MAX: u64 = 4096;

/// Bytes of the classic inode, after which the ext4-style extra fields may follow.
const GOOD_OLD_INODE_SIZE: usize = 128;

/// `i_extra_isize` of the inodes this driver creates when there is room: the nanosecond
/// and creation-time words, as mke2fs sets up.
const NEW_EXTRA_ISIZE: u16 = 32;

/// `EXT2_INDEX_FL`: the directory has an htree index, which Linux's ext2 (and this
/// driver) does not maintain and clears on the first change.
pub(super) const INDEX_FL: u32 = 0x1000;

/// Indirect-block bytes each inode keeps decoded; enough to map a few MiB of file with
/// 1 KiB blocks without reading any indirect block twice.
const INDIRECT_CACHE_BYTES: usize = 64 * 1024;

/// Seconds and nanoseconds from a classic 32-bit timestamp and, when the inode has room
/// for it, the ext4 `_extra` word (2 epoch bits, 30 nanosecond bits).
fn decode_time(base: u32, extra: Option<u32>) -> Timespec {
    let mut ts = Timespec {
        sec: i64::from(base as i32),
        nsec: 0,
    };
    if let Some(extra) = extra {
        ts.sec += i64::from(extra & 3) << 32;
        let nsec = i64::from(extra >> 2);

        // A nanosecond field past one second is damage; the seconds are still good.
        if nsec < 1_000_000_000 {
            ts.nsec = nsec;
        }
    }
    ts
}

/// The classic 32-bit timestamp and the `_extra` word for `ts` (the inverse of
/// `decode_time` for the years 1901 to 2446).
fn encode_time(ts: Timespec) -> (u32, u32) {
    let base = ts.sec as i32;
    let epoch = ((ts.sec - i64::from(base)) >> 32) as u32 & 3;
    let nsec = ts.nsec.clamp(0, 999_999_999) as u32;
    (base as u32, epoch | nsec << 2)
}

/// The fields of an on-disk inode this driver uses, and the whole record they came from
/// (written back with these fields patched in, so fields it does not know survive).
#[derive(Clone, Debug)]
pub(super) struct DiskInode {
    /// Type and permission bits.
    pub mode: u16,
    /// Owner, with the high 16 bits from `osd2`.
    pub uid: u32,
    /// Group, with the high 16 bits from `osd2`.
    pub gid: u32,
    /// Size in bytes; the high word only counts for regular files.
    pub size: u64,
    /// Last access.
    pub atime: Timespec,
    /// Last inode change.
    pub ctime: Timespec,
    /// Last data change.
    pub mtime: Timespec,
    /// Deletion time; nonzero marks a freed inode.
    pub dtime: u32,
    /// Hard links.
    pub links_count: u16,
    /// Allocated 512-byte sectors, extended attribute block included.
    pub blocks: u32,
    /// `i_flags` (`INDEX_FL` is the one this driver acts on).
    pub flags: u32,
    /// Block pointers, or a fast symlink's target, or a device number.
    pub block: [u32; N_BLOCKS],
    /// Extended attribute block, 0 when none.
    pub file_acl: u32,
    /// The on-disk record.
    raw: Vec<u8>,
}

impl DiskInode {
    /// Decodes an on-disk inode; `raw` is one whole inode of at least 128 bytes.
    pub(super) fn parse(raw: &[u8]) -> DiskInode {
        let mode = le16(raw, 0);

        let mut block = [0u32; N_BLOCKS];
        for (i, b) in block.iter_mut().enumerate() {
            *b = le32(raw, 40 + 4 * i);
        }

        // `i_size_high` doubles as the directory ACL on old file systems, so only regular
        // files take it, as Linux's ext2 does.
        let mut size = u64::from(le32(raw, 4));
        if FileType::from_mode(u32::from(mode)) == Some(FileType::Regular) {
            size |= u64::from(le32(raw, 108)) << 32;
        }

        let extra = |off: usize| extra_field(raw, off).then(|| le32(raw, off));
        DiskInode {
            mode,
            uid: u32::from(le16(raw, 2)) | u32::from(le16(raw, 120)) << 16,
            gid: u32::from(le16(raw, 24)) | u32::from(le16(raw, 122)) << 16,
            size,
            atime: decode_time(le32(raw, 8), extra(140)),
            ctime: decode_time(le32(raw, 12), extra(132)),
            mtime: decode_time(le32(raw, 16), extra(136)),
            dtime: le32(raw, 20),
            links_count: le16(raw, 26),
            blocks: le32(raw, 28),
            flags: le32(raw, 32),
            block,
            file_acl: le32(raw, 104),
            raw: raw.to_vec(),
        }
    }

    /// A fresh record of `inode_size` bytes for a new inode: everything zero but what the
    /// caller sets, with room declared for nanosecond times when the record has it.
    pub(super) fn new_record(inode_size: usize, new: &NewInode, generation: u32) -> DiskInode {
        let mut raw = vec![0u8; inode_size];
        raw[100..104].copy_from_slice(&generation.to_le_bytes());
        if inode_size >= GOOD_OLD_INODE_SIZE + usize::from(NEW_EXTRA_ISIZE) {
            raw[128..130].copy_from_slice(&NEW_EXTRA_ISIZE.to_le_bytes());

            // The ext4 creation time; harmless to ext2 readers and kept for e2fsprogs.
            let (crtime, crtime_extra) = encode_time(new.now);
            raw[144..148].copy_from_slice(&crtime.to_le_bytes());
            raw[148..152].copy_from_slice(&crtime_extra.to_le_bytes());
        }

        DiskInode {
            mode: new.mode as u16,
            uid: new.uid,
            gid: new.gid,
            size: 0,
            atime: new.now,
            ctime: new.now,
            mtime: new.now,
            dtime: 0,
            links_count: 1,
            blocks: 0,
            flags: 0,
            block: [0; N_BLOCKS],
            file_acl: 0,
            raw,
        }
    }

    /// The record with the decoded fields written back into it.
    pub(super) fn encode(&mut self) -> &[u8] {
        let regular = FileType::from_mode(u32::from(self.mode)) == Some(FileType::Regular);
        let (atime, atime_x) = encode_time(self.atime);
        let (ctime, ctime_x) = encode_time(self.ctime);
        let (mtime, mtime_x) = encode_time(self.mtime);

        let mut words: Vec<(usize, u32)> = vec![
            (4, self.size as u32),
            (8, atime),
            (12, ctime),
            (16, mtime),
            (20, self.dtime),
            (28, self.blocks),
            (32, self.flags),
            (104, self.file_acl),
        ];
        words.extend(self.block.iter().enumerate().map(|(i, &b)| (40 + 4 * i, b)));
        if regular {
            words.push((108, (self.size >> 32) as u32));
        }
        for (off, extra) in [(132, ctime_x), (136, mtime_x), (140, atime_x)] {
            if extra_field(&self.raw, off) {
                words.push((off, extra));
            }
        }

        let halves = [
            (0, self.mode),
            (2, self.uid as u16),
            (24, self.gid as u16),
            (26, self.links_count),
            (120, (self.uid >> 16) as u16),
            (122, (self.gid >> 16) as u16),
        ];
        let raw = &mut self.raw;
        for (off, v) in words {
            raw[off..off + 4].copy_from_slice(&v.to_le_bytes());
        }
        for (off, v) in halves {
            raw[off..off + 2].copy_from_slice(&v.to_le_bytes());
        }
        &self.raw
    }
}

/// Whether the 4-byte extra field at `off` is inside the part of `raw` that
/// `i_extra_isize` declares in use. A bad `i_extra_isize` means no extra fields.
fn extra_field(raw: &[u8], off: usize) -> bool {
    if raw.len() <= GOOD_OLD_INODE_SIZE {
        return false;
    }
    let extra_isize = usize::from(le16(raw, 128));
    let end = GOOD_OLD_INODE_SIZE + extra_isize;
    extra_isize % 4 == 0 && end <= raw.len() && off + 4 <= end
}

/// Decoded indirect blocks of one inode, by block number.
pub(super) struct IndirectCache {
    blocks: HashMap<u32, Vec<u32>>,
    capacity: usize,
}

impl IndirectCache {
    /// Forgets everything (after the tree changed shape, as a truncate does).
    pub(super) fn clear(&mut self) {
        self.blocks.clear();
    }

    /// Notes that entry `index` of indirect block `block` now holds `value`.
    pub(super) fn update(&mut self, block: u32, index: usize, value: u32) {
        if let Some(slot) = self
            .blocks
            .get_mut(&block)
            .and_then(|ptrs| ptrs.get_mut(index))
        {
            *slot = value;
        }
    }

    /// Keeps the pointers of a freshly written indirect block.
    pub(super) fn insert(&mut self, block: u32, ptrs: Vec<u32>) {
        if self.blocks.len() >= self.capacity {
            self.blocks.clear();
        }
        self.blocks.insert(block, ptrs);
    }
}

/// An inode's mutable state, behind its lock.
pub(super) struct InodeState {
    /// The on-disk inode, as it is or is about to be written.
    pub disk: DiskInode,
    /// `disk` differs from what is on the device.
    pub dirty: bool,
    /// An operation of this driver dropped the link count to zero: the blocks and the
    /// inode itself go back to the free pool when the last user lets go.
    pub unlinked: bool,
    /// The last block a write allocated (logical, physical): the next one goes after it.
    pub last_alloc: Option<(u64, u32)>,
    /// For a directory, how big an entry each block can still take (see `dir`), built
    /// on the first insertion.
    pub dir_room: Option<Vec<u32>>,
}

/// An inode of a mounted ext2 file system.
pub struct Ext2Inode {
    pub(super) vol: Arc<Volume>,
    pub(super) ino: u32,
    file_type: FileType,
    pub(super) state: RwLock<InodeState>,
    pub(super) indirect: Mutex<IndirectCache>,

    /// The directory block `read_dir` last decoded (logical block, contents): getdents
    /// walks a block entry by entry, one call per entry.
    pub(super) last_dir_block: Mutex<Option<(u64, Arc<Vec<u8>>)>>,
}

impl fmt::Debug for Ext2Inode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ext2Inode")
            .field("ino", &self.ino)
            .field("file_type", &self.file_type)
            .finish()
    }
}

impl Ext2Inode {
    /// Wraps the decoded inode `ino`; EIO when it is free or of no known type, which
    /// means whatever led here (a directory entry) is damaged.
    pub(super) fn new(vol: Arc<Volume>, ino: u32, disk: DiskInode) -> KResult<Ext2Inode> {
        let Some(file_type) = FileType::from_mode(u32::from(disk.mode)) else {
            return Err(vol.corrupt(ino, format_args!("mode 0o{:o} has no file type", disk.mode)));
        };
        if disk.links_count == 0 && disk.dtime != 0 {
            return Err(vol.corrupt(ino, format_args!("inode is deleted")));
        }

        let capacity = (INDIRECT_CACHE_BYTES / vol.block_size() as usize).max(3);
        Ok(Ext2Inode {
            vol,
            ino,
            file_type,
            state: RwLock::new(InodeState {
                disk,
                dirty: false,
                unlinked: false,
                last_alloc: None,
                dir_room: None,
            }),
            indirect: Mutex::new(IndirectCache {
                blocks: HashMap::new(),
                capacity,
            }),
            last_dir_block: Mutex::new(None),
        })
    }

    /// The inode number.
    pub fn ino(&self) -> u32 {
        self.ino
    }

    /// Logs damage in this inode and returns the errno to fail with.
    pub(super) fn corrupt(&self, what: fmt::Arguments<'_>) -> Errno {
        self.vol.corrupt(self.ino, what)
    }

    /// The device number of a device node, in the encoding `stat` reports (Linux's
    /// `new_encode_dev`, which glibc's `makedev` matches).
    fn rdev(&self, disk: &DiskInode) -> u64 {
        if !matches!(self.file_type, FileType::CharDevice | FileType::BlockDevice) {
            return 0;
        }

        // Old nodes keep an 8:8 number in i_block[0]; ones that need more use i_block[1]
        // with the 12:20 layout and leave i_block[0] zero.
        let (major, minor) = match disk.block {
            [old, ..] if old != 0 => ((old >> 8) & 0xff, old & 0xff),
            [_, new, ..] => ((new & 0xfff00) >> 8, (new & 0xff) | ((new >> 12) & 0xfff00)),
        };

        let (major, minor) = (u64::from(major), u64::from(minor));
        (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
    }

    /// Pointers per indirect block.
    pub(super) fn ptrs_per_block(&self) -> u64 {
        u64::from(self.vol.block_size() / 4)
    }

    /// Where logical block `lblk` hangs in the pointer tree: the `i_block` slot, the index
    /// at each indirect level below it and the number of levels; `None` past what triple
    /// indirection reaches.
    pub(super) fn block_path(&self, lblk: u64) -> Option<(usize, [usize; 3], usize)> {
        let p = self.ptrs_per_block();

        if lblk < N_DIRECT as u64 {
            return Some((lblk as usize, [0; 3], 0));
        }
        let l = lblk - N_DIRECT as u64;
        if l < p {
            return Some((IND_SLOT, [l as usize, 0, 0], 1));
        }
        let l = l - p;
        if l < p * p {
            return Some((DIND_SLOT, [(l / p) as usize, (l % p) as usize, 0], 2));
        }
        let l = l - p * p;
        if l < p * p * p {
            let path = [
                (l / (p * p)) as usize,
                ((l / p) % p) as usize,
                (l % p) as usize,
            ];
            return Some((TIND_SLOT, path, 3));
        }
        None
    }

    /// Entry `index` of indirect block `block`, decoding the block on first use.
    pub(super) fn indirect_entry(
        &self,
        cache: &mut IndirectCache,
        block: u32,
        index: usize,
    ) -> KResult<u32> {
        if let Some(ptrs) = cache.blocks.get(&block) {
            return ptrs.get(index).copied().ok_or(CORRUPT);
        }

        let ptrs = self.read_pointers(block)?;
        let entry = ptrs.get(index).copied().ok_or(CORRUPT)?;

        // Dropping everything when full is crude but bounded, and a sequential reader
        // refills only the few blocks it is still using.
        cache.insert(block, ptrs);
        Ok(entry)
    }

    /// The pointers of indirect block `block`, read from the device.
    pub(super) fn read_pointers(&self, block: u32) -> KResult<Vec<u32>> {
        let bs = self.vol.block_size();
        let mut raw = vec![0u8; bs as usize];
        self.vol
            .read_bytes(u64::from(block) * u64::from(bs), &mut raw)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// The device block holding logical block `lblk`, or `None` for a hole.
    pub(super) fn map_block(&self, disk: &DiskInode, lblk: u64) -> KResult<Option<u32>> {
        let Some((slot, path, depth)) = self.block_path(lblk) else {
            return Err(self.corrupt(format_args!("logical block {lblk} beyond triple indirect")));
        };

        let mut block = disk.block[slot];
        if depth > 0 {
            let mut cache = self.indirect.lock();
            for &index in &path[..depth] {
                if block == 0 {
                    return Ok(None);
                }
                if !self.vol.block_in_range(block) {
                    return Err(self.corrupt(format_args!("indirect block {block} out of range")));
                }
                block = self.indirect_entry(&mut cache, block, index)?;
            }
        }

        if block == 0 {
            return Ok(None);
        }
        if !self.vol.block_in_range(block) {
            return Err(self.corrupt(format_args!(
                "logical block {lblk} maps to block {block}, out of range"
            )));
        }
        Ok(Some(block))
    }

    /// Fills `buf` from byte `off` of the data, holes as zeros, ignoring `i_size` (callers
    /// clamp). Physically contiguous blocks are read in one device request.
    pub(super) fn read_data(&self, disk: &DiskInode, off: u64, buf: &mut [u8]) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        let end = off + buf.len() as u64;

        let mut pos = off;
        while pos < end {
            let lblk = pos / bs;
            let first = self.map_block(disk, lblk)?;

            let blocks_wanted = (end - lblk * bs).div_ceil(bs);
            let mut run = 1;
            while run < blocks_wanted {
                let contiguous = match (first, self.map_block(disk, lblk + run)?) {
                    (None, None) => true,
                    (Some(a), Some(b)) => u64::from(b) == u64::from(a) + run,
                    _ => false,
                };
                if !contiguous {
                    break;
                }
                run += 1;
            }

            let run_end = ((lblk + run) * bs).min(end);
            let chunk = &mut buf[(pos - off) as usize..(run_end - off) as usize];
            match first {
                None => chunk.fill(0),
                Some(block) => self
                    .vol
                    .read_bytes(u64::from(block) * bs + pos % bs, chunk)?,
            }

            pos = run_end;
        }
        Ok(())
    }

    /// Whether a symlink keeps its target in `i_block`: no data block is allocated to it
    /// (an extended attribute block may be, and counts in `i_blocks`).
    pub(super) fn is_fast_symlink(&self, disk: &DiskInode) -> bool {
        let ea_sectors = if disk.file_acl != 0 {
            self.vol.block_size() / 512
        } else {
            0
        };
        disk.blocks <= ea_sectors
    }

    /// Whether `i_block` holds block pointers (not a device number or a symlink target).
    pub(super) fn has_block_tree(&self, disk: &DiskInode) -> bool {
        match self.file_type {
            FileType::Regular | FileType::Directory => true,
            FileType::Symlink => !self.is_fast_symlink(disk),
            _ => false,
        }
    }

    /// Writes the inode record if it changed since it was last written.
    pub(super) fn write_inode(&self, st: &mut InodeState) -> KResult<()> {
        if !st.dirty {
            return Ok(());
        }

        if st.disk.size > 0x7fff_ffff && self.file_type == FileType::Regular {
            self.vol.alloc.lock().note_large_file(&self.vol)?;
        }
        let off = self.vol.inode_offset(self.ino)?;
        self.vol.write_bytes(off, st.disk.encode())?;
        self.vol.forget_raw_inode(self.ino);
        st.dirty = false;
        Ok(())
    }

    /// Sets the change and modification times to now, as a change of contents does.
    pub(super) fn touch(st: &mut InodeState) {
        let t = now();
        st.disk.mtime = t;
        st.disk.ctime = t;
        st.dirty = true;
    }

    /// Sets the change time to now, as a change of metadata does.
    pub(super) fn touch_ctime(st: &mut InodeState) {
        st.disk.ctime = now();
        st.dirty = true;
    }

    /// Applies `attr`; see [`Inode::set_attr`].
    fn apply_attr(&self, st: &mut InodeState, attr: SetAttr) -> KResult<()> {
        // Validate before changing anything, so a failed call changes nothing.
        if let Some(size) = attr.size {
            match self.file_type {
                FileType::Regular => {}
                FileType::Directory => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
            if size > self.vol.max_file_size {
                return Err(Errno::EFBIG);
            }
        }

        if let Some(size) = attr.size {
            if size != st.disk.size {
                self.set_size(st, size)?;
                Self::touch(st);
            }
        }
        let d = &mut st.disk;
        if let Some(mode) = attr.mode {
            d.mode = (d.mode & 0o170000) | (mode & 0o7777) as u16;
        }
        if let Some(uid) = attr.uid {
            d.uid = uid;
        }
        if let Some(gid) = attr.gid {
            d.gid = gid;
        }
        if let Some(t) = attr.atime {
            d.atime = t;
        }
        if let Some(t) = attr.mtime {
            d.mtime = t;
        }
        if let Some(t) = attr.ctime {
            d.ctime = t;
        }
        st.dirty = true;
        Ok(())
    }
}

impl Drop for Ext2Inode {
    /// Frees an inode this driver unlinked once nobody uses it any more, as Linux's
    /// `ext2_evict_inode`. Holds no lock but the allocator's and the inode table's.
    fn drop(&mut self) {
        let st = self.state.get_mut();
        if !st.unlinked || st.disk.links_count != 0 || self.vol.read_only {
            return;
        }

        // Take the state out of the lock so `evict` can borrow `self` alongside it.
        let placeholder = InodeState {
            disk: st.disk.clone(),
            dirty: false,
            unlinked: false,
            last_alloc: None,
            dir_room: None,
        };
        let mut st = std::mem::replace(st, placeholder);

        // Drop cannot fail; a device error leaves the inode for fsck, as a crash would.
        if let Err(e) = self.evict(&mut st) {
            log::warn!(
                "{}: ext2 inode {}: cannot free after the last unlink ({e})",
                self.vol.dev.name(),
                self.ino
            );
        }
    }
}

impl Inode for Ext2Inode {
    fn stat(&self) -> KResult<Stat> {
        let st = self.state.read();
        let d = &st.disk;
        Ok(Stat {
            dev: 0,
            ino: u64::from(self.ino),
            mode: u32::from(d.mode),
            nlink: u32::from(d.links_count),
            uid: d.uid,
            gid: d.gid,
            rdev: self.rdev(d),
            size: d.size,
            blksize: self.vol.block_size(),
            blocks: u64::from(d.blocks),
            atime: d.atime,
            mtime: d.mtime,
            ctime: d.ctime,
        })
    }

    fn file_type(&self) -> FileType {
        self.file_type
    }

    /// Reads file data; EISDIR on a directory, EINVAL on other non-regular inodes (a
    /// symlink's target comes from `read_link`, a device node's data from its driver).
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        match self.file_type {
            FileType::Regular => {}
            FileType::Directory => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        }

        let st = self.state.read();
        let size = st.disk.size;
        if off >= size || buf.is_empty() {
            return Ok(0);
        }

        let n = (size - off).min(buf.len() as u64) as usize;
        self.read_data(&st.disk, off, &mut buf[..n])?;
        Ok(n)
    }

    /// Writes file data, allocating blocks as needed; a write that runs out of space
    /// part-way returns the bytes that fit.
    fn write_at(&self, off: u64, buf: &[u8]) -> KResult<usize> {
        self.vol.check_writable()?;
        match self.file_type {
            FileType::Regular => {}
            FileType::Directory => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        }

        let mut st = self.state.write();
        let result = self.write_file(&mut st, off, buf);
        let written = self.write_inode(&mut st);
        let n = result?;
        written?;
        Ok(n)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let inode = self.dir_lookup(name)?;
        Ok(inode)
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        self.dir_read(pos)
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        if self.file_type != FileType::Symlink {
            return Err(Errno::EINVAL);
        }

        let st = self.state.read();
        let disk = &st.disk;
        let size = disk.size;
        let mut target = if self.is_fast_symlink(disk) {
            if size > FAST_SYMLINK_MAX as u64 {
                return Err(self.corrupt(format_args!("fast symlink of {size} bytes")));
            }
            let bytes: Vec<u8> = disk.block.iter().flat_map(|b| b.to_le_bytes()).collect();
            bytes[..size as usize].to_vec()
        } else {
            if size > SYMLINK_MAX || size > u64::from(self.vol.block_size()) {
                return Err(self.corrupt(format_args!("symlink of {size} bytes")));
            }
            let mut bytes = vec![0u8; size as usize];
            self.read_data(disk, 0, &mut bytes)?;
            bytes
        };

        // Linux reads the target as a C string, so a stray NUL ends it.
        if let Some(nul) = target.iter().position(|&b| b == 0) {
            target.truncate(nul);
        }
        Ok(target)
    }

    fn create(&self, name: &[u8], new: NewInode) -> KResult<Arc<dyn Inode>> {
        let inode = self.do_create(name, new)?;
        Ok(inode)
    }

    fn tmpfile(&self, new: NewInode) -> KResult<Arc<dyn Inode>> {
        let inode = self.do_tmpfile(new)?;
        Ok(inode)
    }

    fn mkdir(&self, name: &[u8], new: NewInode) -> KResult<Arc<dyn Inode>> {
        let inode = self.do_mkdir(name, new)?;
        Ok(inode)
    }

    fn symlink(&self, name: &[u8], target: &[u8], new: NewInode) -> KResult<Arc<dyn Inode>> {
        let inode = self.do_symlink(name, target, new)?;
        Ok(inode)
    }

    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> KResult<()> {
        self.do_link(name, target)
    }

    fn unlink(&self, name: &[u8]) -> KResult<()> {
        self.do_unlink(name)
    }

    fn rmdir(&self, name: &[u8]) -> KResult<()> {
        self.do_rmdir(name)
    }

    fn rename(
        &self,
        old_name: &[u8],
        new_dir: &Arc<dyn Inode>,
        new_name: &[u8],
        flags: u32,
    ) -> KResult<()> {
        self.do_rename(old_name, new_dir, new_name, flags)
    }

    /// Changes attributes; a size change truncates (freeing blocks, indirect ones
    /// included) or extends sparsely, and sets mtime and ctime as Linux's ext2_setsize.
    fn set_attr(&self, attr: SetAttr) -> KResult<()> {
        self.vol.check_writable()?;

        let mut st = self.state.write();
        let result = self.apply_attr(&mut st, attr);
        let written = self.write_inode(&mut st);
        result?;
        written
    }

    /// Writes this inode (already written through) and the allocation state it depends
    /// on, then flushes the device.
    fn sync(&self) -> KResult<()> {
        if self.vol.read_only {
            return Ok(());
        }

        let mut st = self.state.write();
        self.write_inode(&mut st)?;
        drop(st);
        self.vol.sync_all()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_extra_timestamps() {
        assert_eq!(decode_time(5, None), Timespec { sec: 5, nsec: 0 });
        assert_eq!(decode_time(u32::MAX, None), Timespec { sec: -1, nsec: 0 });
        assert_eq!(decode_time(5, Some(7 << 2)), Timespec { sec: 5, nsec: 7 });
        assert_eq!(
            decode_time(5, Some(1)),
            Timespec {
                sec: 5 + (1 << 32),
                nsec: 0
            }
        );
        assert_eq!(decode_time(5, Some(!3)), Timespec { sec: 5, nsec: 0 });
    }

    #[test]
    fn parses_high_owner_bits_and_large_sizes() {
        let mut raw = vec![0u8; 256];
        raw[0..2].copy_from_slice(&0o100644u16.to_le_bytes());
        raw[2..4].copy_from_slice(&0x86a0u16.to_le_bytes());
        raw[120..122].copy_from_slice(&1u16.to_le_bytes());
        raw[4..8].copy_from_slice(&7u32.to_le_bytes());
        raw[108..112].copy_from_slice(&2u32.to_le_bytes());
        raw[128..130].copy_from_slice(&32u16.to_le_bytes());
        raw[136..140].copy_from_slice(&(999u32 << 2).to_le_bytes());

        let d = DiskInode::parse(&raw);
        assert_eq!(d.uid, 100_000);
        assert_eq!(d.size, (2 << 32) | 7);
        assert_eq!(d.mtime.nsec, 999);

        // The high size word is a directory ACL for anything but a regular file.
        raw[0..2].copy_from_slice(&0o040755u16.to_le_bytes());
        assert_eq!(DiskInode::parse(&raw).size, 7);

        // An i_extra_isize past the inode means no extra fields at all.
        raw[128..130].copy_from_slice(&200u16.to_le_bytes());
        assert_eq!(DiskInode::parse(&raw).mtime.nsec, 0);
    }
}
