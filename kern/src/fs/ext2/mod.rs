//! ext2 on a block device, read-write.
//!
//! The layout is the classic one: a superblock at byte 1024, a table of group descriptors
//! after it, and per group an inode table. Files map their blocks through twelve direct
//! pointers and single, double and triple indirect blocks; directories are linked lists
//! of variable-length entries inside their blocks.
//!
//! Nothing read from the disk is trusted. The superblock and the descriptor table are
//! checked at mount, so a bad image is refused with a [`MountError`] naming the fault;
//! damage found later (in an inode, an indirect block, a directory block) fails only the
//! operation that met it, with [`CORRUPT`]'s errno.
//!
//! # Writing
//!
//! Writes go through to the device as they happen (file data, directory blocks, inode
//! records), except the allocation state: bitmaps, group descriptor counts and the
//! superblock are kept in memory by the allocator (`alloc`) and written by
//! `FileSystem::sync` and `Inode::sync`. The kernel syncs at halt, so a halt without a
//! crash leaves an image fsck finds clean; the first allocation change after a sync marks
//! the on-disk superblock not clean, so a crash asks for a check at the next boot.
//!
//! An inode whose last link goes while it is still open lives on until its last user
//! lets go, then its blocks and the inode are freed (Linux's orphan semantics, without an
//! on-disk orphan list): a sync while such a file is still open leaves it for fsck to
//! find, as a crash would. Dropping the file system and every inode (an unmount) frees
//! them all and writes the allocation state back.
//!
//! A device that refuses writes (a read-only `ubd`) is found at mount by rewriting the
//! superblock unchanged; the file system is then read-only and every write is EROFS.
//!
//! # Locks
//!
//! Inode operations run on several host threads at once. The locks, in the order they
//! may be taken (never the other way round):
//!
//! 1. `Volume::rename_lock`, by renames between two directories, as Linux's
//!    `s_vfs_rename_mutex`: it keeps the tree's shape still while such a rename checks
//!    ancestry and holds two directories that are not parent and child.
//! 2. Each inode's `state` (an `RwLock`): a directory before the inodes its entries name
//!    (parent before child). The two directories of a rename: the ancestor first when one
//!    is an ancestor of the other, else the lower inode number first; then the renamed
//!    inode and the one it replaces, by inode number.
//! 3. Leaf locks, held briefly and never while taking any lock above, nor one another:
//!    `Volume::alloc`, `Volume::inodes`, `Volume::dir_indexes`, an inode's `indirect`
//!    and `last_dir_block`.
//!
//! The last `Arc` of an inode this driver unlinked frees the inode's blocks on drop
//! (taking `alloc` and `inodes`), so such an `Arc` is never dropped while a leaf lock is
//! held. Locks are held across device I/O (memory or a host file), never while waiting
//! for anything else.

mod alloc;
mod dir;
mod file;
mod inode;
mod namei;
mod super_block;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod write_tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::{BlockDevice, FileSystem, FsStats, Inode, Timespec};
use crate::errno::{Errno, KResult};

pub use inode::Ext2Inode;

use inode::DiskInode;
use super_block::{GroupDesc, SuperBlock, GROUP_DESC_SIZE, ROOT_INO, SUPERBLOCK_OFFSET};
use super_block::{EXT2_MAGIC, SUPERBLOCK_SIZE};

/// The errno an inode operation returns when it finds on-disk damage.
///
/// Linux's ext2 reports EIO here (ext4 says EUCLEAN); kept in one place so the choice can
/// change without hunting through the driver.
pub const CORRUPT: Errno = Errno::EIO;

/// Longest name a directory entry can hold.
pub const NAME_MAX: usize = 255;

/// On-disk inodes kept decoded after use, so walking the same paths again costs no reads.
const RAW_INODE_CACHE: usize = 512;

/// Live-inode table size at which dead entries are first swept out.
const LIVE_INODE_SWEEP: usize = 1024;

/// Most links an inode may have (`EXT2_LINK_MAX`).
pub const LINK_MAX: u16 = 32000;

/// Times `iget` reads an inode outside the table lock before it gives up on racing
/// writers and reads under the lock.
const IGET_UNLOCKED_TRIES: usize = 3;

/// The current time, for the times a change sets.
fn now() -> Timespec {
    let ns = arch_um::host::realtime_ns();
    Timespec {
        sec: (ns / 1_000_000_000) as i64,
        nsec: (ns % 1_000_000_000) as i64,
    }
}

/// Largest file size: what the block tree reaches with `i_blocks` (512-byte sectors,
/// indirect blocks included) within 32 bits, as Linux's `ext2_max_size`; 2 GiB - 1 on
/// revision 0, which cannot record the large_file feature.
fn max_file_size(block_size: u32, rev_level: u32) -> u64 {
    if rev_level == 0 {
        return 0x7fff_ffff;
    }

    let bits = block_size.trailing_zeros();
    let ppb = 1u64 << (bits - 2);
    let mut upper_limit = ((1u64 << 32) - 1) >> (bits - 9);

    let tree = 12 + ppb + ppb * ppb + ppb * ppb * ppb;
    let meta_blocks = 1 + (1 + ppb) + (1 + ppb + ppb * ppb);
    let blocks = if tree + meta_blocks <= upper_limit {
        tree
    } else {
        let res = upper_limit;
        upper_limit -= 12;
        let mut meta = 1;
        upper_limit -= ppb;
        if upper_limit < ppb * ppb {
            meta += 1 + upper_limit.div_ceil(ppb);
            res - meta
        } else {
            meta += 1 + ppb;
            upper_limit -= ppb * ppb;
            meta += 1 + upper_limit.div_ceil(ppb) + upper_limit.div_ceil(ppb * ppb);
            res - meta
        }
    };
    (blocks << bits).min(i64::MAX as u64)
}

/// Which feature word an unsupported feature bit was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureSet {
    /// `s_feature_incompat`: the driver cannot read the file system at all.
    Incompat,
    /// `s_feature_ro_compat`: readable in principle, but these bits change what the data
    /// means (huge_file changes the unit of `i_blocks`), so this driver would misread it.
    RoCompat,
}

impl fmt::Display for FeatureSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FeatureSet::Incompat => "incompat",
            FeatureSet::RoCompat => "ro_compat",
        })
    }
}

/// Why a mount failed, without the device name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MountErrorKind {
    /// The device is shorter than `what` (the superblock, or the blocks it claims).
    DeviceTooSmall {
        /// Device size in bytes.
        size: u64,
        /// What did not fit.
        what: String,
    },
    /// The device failed a read.
    ReadError {
        /// Byte offset of the failed read.
        offset: u64,
        /// What the device returned.
        errno: Errno,
    },
    /// The superblock lacks the ext2 magic number (this one was found instead).
    BadMagic(u16),
    /// A superblock field is out of range or disagrees with another.
    DamagedSuperblock(String),
    /// A group descriptor points outside its group.
    DamagedGroupDescriptor {
        /// The group number.
        group: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// The root inode cannot be read or is not a directory.
    DamagedRoot(String),
    /// A superblock revision newer than this driver knows.
    UnsupportedRevision(u32),
    /// Feature bits this driver cannot honour.
    UnsupportedFeature {
        /// The feature word they were found in.
        set: FeatureSet,
        /// The offending bits (supported bits cleared).
        bits: u32,
    },
}

impl fmt::Display for MountErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MountErrorKind::DeviceTooSmall { size, what } => {
                write!(f, "device too small ({size} bytes) for {what}")
            }
            MountErrorKind::ReadError { offset, errno } => {
                write!(f, "read error at byte {offset} ({errno})")
            }
            MountErrorKind::BadMagic(magic) => {
                write!(f, "not an ext2 file system (bad magic 0x{magic:04x})")
            }
            MountErrorKind::DamagedSuperblock(why) => write!(f, "damaged superblock: {why}"),
            MountErrorKind::DamagedGroupDescriptor { group, reason } => {
                write!(f, "damaged group descriptor {group}: {reason}")
            }
            MountErrorKind::DamagedRoot(why) => write!(f, "damaged root directory: {why}"),
            MountErrorKind::UnsupportedRevision(rev) => {
                write!(f, "unsupported ext2 revision level {rev}")
            }
            MountErrorKind::UnsupportedFeature { set, bits } => {
                let names = super_block::feature_names(*set, *bits);
                write!(f, "unsupported ext2 feature: {set} 0x{bits:x} ({names})")
            }
        }
    }
}

/// A failed mount: the device's name and the reason, displayed as one line for the boot
/// log (`ubda: not an ext2 file system (bad magic 0x0000)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountError {
    /// The device's name (`BlockDevice::name`).
    pub device: String,
    /// What was wrong.
    pub kind: MountErrorKind,
}

impl fmt::Display for MountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.device, self.kind)
    }
}

impl std::error::Error for MountError {}

/// Little-endian u16 at `off`; callers pass offsets inside fixed-size records.
fn le16(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

/// Little-endian u32 at `off`; callers pass offsets inside fixed-size records.
fn le32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// Inodes by number: the live ones (so each number has one in-memory inode) and recently
/// decoded on-disk copies.
struct InodeTable {
    live: HashMap<u32, Weak<Ext2Inode>>,
    raw: HashMap<u32, DiskInode>,

    /// Bumped on every inode write: an `iget` that read the device while it changed may
    /// hold a stale copy.
    epoch: u64,

    /// Size of `live` at which to sweep next: twice what survived the last sweep, so
    /// many inodes in use at once do not make every insertion sweep.
    sweep_at: usize,
}

impl Default for InodeTable {
    fn default() -> Self {
        InodeTable {
            live: HashMap::new(),
            raw: HashMap::new(),
            epoch: 0,
            sweep_at: LIVE_INODE_SWEEP,
        }
    }
}

/// The state every inode of one mounted file system shares.
///
/// Kept apart from [`Ext2Fs`] so inodes can hold it strongly while the file system holds
/// its root inode, without a reference cycle.
struct Volume {
    dev: Arc<dyn BlockDevice>,
    sb: SuperBlock,
    groups: Vec<GroupDesc>,
    inodes: Mutex<InodeTable>,
    dir_indexes: Mutex<dir::DirIndexCache>,

    /// The device refused writes at mount.
    read_only: bool,

    /// Free space: bitmaps and counts (a leaf lock, see the lock order above).
    alloc: Mutex<alloc::Allocator>,

    /// Serialises renames between directories (first in the lock order).
    rename_lock: Mutex<()>,

    /// Largest file size the block tree and `i_blocks` allow.
    max_file_size: u64,

    /// Next `i_generation` for a new inode.
    generation: AtomicU32,
}

impl Volume {
    /// Block size in bytes.
    fn block_size(&self) -> u32 {
        self.sb.block_size
    }

    /// Reads `buf.len()` bytes at byte `off` of the device.
    fn read_bytes(&self, off: u64, buf: &mut [u8]) -> KResult<()> {
        self.dev.read_at(off, buf)
    }

    /// Writes `buf` at byte `off` of the device.
    fn write_bytes(&self, off: u64, buf: &[u8]) -> KResult<()> {
        self.check_writable()?;
        self.dev.write_at(off, buf)
    }

    /// EROFS when the file system is read-only.
    fn check_writable(&self) -> KResult<()> {
        if self.read_only {
            return Err(Errno::EROFS);
        }
        Ok(())
    }

    /// Byte offset of inode `ino`'s record in its group's inode table.
    fn inode_offset(&self, ino: u32) -> KResult<u64> {
        if ino == 0 || ino > self.sb.inodes_count {
            return Err(self.corrupt(ino, format_args!("inode number out of range")));
        }

        let index = ino - 1;
        let group = (index / self.sb.inodes_per_group) as usize;
        let slot = index % self.sb.inodes_per_group;
        let table = self.groups.get(group).ok_or(CORRUPT)?.inode_table;

        // Mount checked that each inode table lies inside its group, hence on the device.
        Ok(u64::from(table) * u64::from(self.block_size())
            + u64::from(slot) * u64::from(self.sb.inode_size))
    }

    /// Drops the decoded copy of inode `ino` after its record was written.
    fn forget_raw_inode(&self, ino: u32) {
        let mut table = self.inodes.lock();
        table.raw.remove(&ino);
        table.epoch += 1;
    }

    /// Whether inode `ino`, which the bitmap calls free, is in fact in use: live in
    /// memory, or with links and no deletion time on disk.
    fn inode_in_use(&self, ino: u32) -> KResult<bool> {
        let live = {
            let table = self.inodes.lock();
            table
                .live
                .get(&ino)
                .is_some_and(|weak| weak.strong_count() > 0)
        };
        if live {
            return Ok(true);
        }
        let disk = self.read_disk_inode(ino)?;
        Ok(disk.links_count != 0 && disk.dtime == 0)
    }

    /// Makes `inode`, just allocated, the live inode for its number.
    fn install_inode(&self, inode: &Arc<Ext2Inode>) {
        let mut table = self.inodes.lock();
        table.live.insert(inode.ino(), Arc::downgrade(inode));
        table.raw.remove(&inode.ino());
        table.epoch += 1;
    }

    /// Whether `block` of group `group` is the group's own metadata: its bitmaps, inode
    /// table, or superblock and descriptor table copy. A bitmap calling one free is
    /// damage, and allocating it would spread it.
    fn is_group_metadata(&self, group: u32, block: u32) -> bool {
        let Some(g) = self.groups.get(group as usize) else {
            return true;
        };
        let table_end = g.inode_table + self.sb.inode_table_blocks();
        if block == g.block_bitmap
            || block == g.inode_bitmap
            || (g.inode_table..table_end).contains(&block)
        {
            return true;
        }

        let first = self.sb.group_range(group).0;
        let super_blocks = self.sb.group_super_blocks(group).unwrap_or(0);
        (first..first + u64::from(super_blocks)).contains(&u64::from(block))
    }

    /// Writes back the allocation state and flushes the device.
    fn sync_all(&self) -> KResult<()> {
        if self.read_only {
            return Ok(());
        }
        self.alloc.lock().flush(self)?;
        self.dev.flush()
    }

    /// A fresh `i_generation` for a new inode (NFS file handles tell reuse apart by it).
    fn next_generation(&self) -> u32 {
        self.generation.fetch_add(1, Ordering::Relaxed)
    }

    /// Whether `block` can be a data or indirect block (0 means a hole and is not).
    fn block_in_range(&self, block: u32) -> bool {
        block != 0 && block >= self.sb.first_data_block && block < self.sb.blocks_count
    }

    /// Logs on-disk damage found in inode `ino` and returns the errno to fail with.
    fn corrupt(&self, ino: u32, what: fmt::Arguments<'_>) -> Errno {
        log::warn!("{}: ext2 inode {ino}: {what}", self.dev.name());
        CORRUPT
    }

    /// Reads and decodes inode `ino` from its group's inode table.
    fn read_disk_inode(&self, ino: u32) -> KResult<DiskInode> {
        let off = self.inode_offset(ino)?;
        let mut raw = vec![0u8; self.sb.inode_size as usize];
        self.read_bytes(off, &mut raw)?;

        Ok(DiskInode::parse(&raw))
    }

    /// The in-memory inode for `ino`, shared with any other holder of the same number.
    fn iget(self: &Arc<Self>, ino: u32) -> KResult<Arc<Ext2Inode>> {
        for _ in 0..IGET_UNLOCKED_TRIES {
            let (cached_raw, epoch) = {
                let table = self.inodes.lock();
                if let Some(live) = table.live.get(&ino).and_then(Weak::upgrade) {
                    return Ok(live);
                }
                (table.raw.get(&ino).cloned(), table.epoch)
            };

            // The device read happens unlocked; a racing iget is settled below, and a
            // racing write (a live inode came, changed and went meanwhile) by a retry.
            let disk = match cached_raw {
                Some(disk) => disk,
                None => self.read_disk_inode(ino)?,
            };
            let inode = Arc::new(Ext2Inode::new(self.clone(), ino, disk.clone())?);

            let mut table = self.inodes.lock();
            if let Some(live) = table.live.get(&ino).and_then(Weak::upgrade) {
                return Ok(live);
            }
            if table.epoch == epoch {
                self.insert_live(&mut table, &inode, disk);
                return Ok(inode);
            }
        }

        // Writers keep racing: read under the lock (which inode writes also take).
        let mut table = self.inodes.lock();
        if let Some(live) = table.live.get(&ino).and_then(Weak::upgrade) {
            return Ok(live);
        }
        let disk = self.read_disk_inode(ino)?;
        let inode = Arc::new(Ext2Inode::new(self.clone(), ino, disk.clone())?);
        self.insert_live(&mut table, &inode, disk);
        Ok(inode)
    }

    /// Records `inode` (decoded from `disk`) as the live inode of its number.
    fn insert_live(&self, table: &mut InodeTable, inode: &Arc<Ext2Inode>, disk: DiskInode) {
        let ino = inode.ino();
        if table.live.len() >= table.sweep_at {
            table.live.retain(|_, weak| weak.strong_count() > 0);
            table.sweep_at = (2 * table.live.len()).max(LIVE_INODE_SWEEP);
        }
        table.live.insert(ino, Arc::downgrade(inode));
        if table.raw.len() >= RAW_INODE_CACHE {
            table.raw.clear();
        }
        table.raw.insert(ino, disk);
    }
}

impl Drop for Volume {
    /// The last reference is gone: every inode was dropped first (they hold the volume),
    /// so unlinked ones are freed already, and what is left to write is the allocation
    /// state. An unmount, in effect.
    fn drop(&mut self) {
        if let Err(e) = self.sync_all() {
            log::warn!(
                "{}: ext2 write-back at unmount failed ({e})",
                self.dev.name()
            );
        }
    }
}

/// A mounted ext2 file system.
pub struct Ext2Fs {
    vol: Arc<Volume>,
    root: Arc<Ext2Inode>,
}

impl Ext2Fs {
    /// Mounts the ext2 file system on `dev`: read-write, or read-only when the device
    /// refuses writes.
    ///
    /// Checks the superblock, every group descriptor and the root inode; any damage, any
    /// feature this driver cannot honour, or a device too short for what the superblock
    /// claims gives a [`MountError`] naming the device and the fault.
    pub fn mount(dev: Arc<dyn BlockDevice>) -> Result<Arc<Ext2Fs>, MountError> {
        let fail = |kind| MountError {
            device: dev.name().to_string(),
            kind,
        };
        let read = |off: u64, buf: &mut [u8]| {
            dev.read_at(off, buf)
                .map_err(|errno| fail(MountErrorKind::ReadError { offset: off, errno }))
        };

        let dev_size = dev.size_bytes();
        if dev_size < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE as u64 {
            return Err(fail(MountErrorKind::DeviceTooSmall {
                size: dev_size,
                what: "superblock".into(),
            }));
        }
        let mut raw_sb = [0u8; SUPERBLOCK_SIZE];
        read(SUPERBLOCK_OFFSET, &mut raw_sb)?;
        let sb = SuperBlock::parse(&raw_sb, dev_size).map_err(fail)?;

        // SuperBlock::parse checked that the table fits in group 0, so on the device.
        let mut raw_gdt = vec![0u8; sb.group_count as usize * GROUP_DESC_SIZE];
        read(sb.gdt_offset(), &mut raw_gdt)?;
        let groups = raw_gdt
            .chunks_exact(GROUP_DESC_SIZE)
            .zip(0..)
            .map(|(raw, group)| GroupDesc::parse(raw, group, &sb))
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;

        if sb.needs_check() {
            log::warn!(
                "{}: ext2 file system not cleanly unmounted or has errors",
                dev.name()
            );
        }

        // Rewriting the superblock as it is finds out whether the device takes writes
        // without changing anything.
        let read_only = match dev.write_at(SUPERBLOCK_OFFSET, &raw_sb) {
            Ok(()) => false,
            Err(Errno::EROFS) => true,
            Err(e) => {
                log::warn!(
                    "{}: superblock write failed ({e}), mounting read-only",
                    dev.name()
                );
                true
            }
        };

        let alloc = alloc::Allocator::new(&sb, &groups, raw_sb.to_vec(), raw_gdt);
        let vol = Arc::new(Volume {
            dev: dev.clone(),
            max_file_size: max_file_size(sb.block_size, sb.rev_level),
            sb,
            groups,
            inodes: Mutex::new(InodeTable::default()),
            dir_indexes: Mutex::new(dir::DirIndexCache::default()),
            read_only,
            alloc: Mutex::new(alloc),
            rename_lock: Mutex::new(()),
            generation: AtomicU32::new(arch_um::host::realtime_ns() as u32),
        });
        let root = vol.iget(ROOT_INO).map_err(|e| {
            fail(MountErrorKind::DamagedRoot(format!(
                "cannot read inode 2 ({e})"
            )))
        })?;
        if root.file_type() != super::FileType::Directory {
            return Err(fail(MountErrorKind::DamagedRoot(
                "inode 2 is not a directory".into(),
            )));
        }

        log::info!(
            "{}: mounted ext2 {}, {} blocks of {} bytes, {} groups, features \
             compat 0x{:x} incompat 0x{:x} ro_compat 0x{:x}",
            dev.name(),
            if vol.read_only {
                "read-only"
            } else {
                "read-write"
            },
            vol.sb.blocks_count,
            vol.sb.block_size,
            vol.sb.group_count,
            vol.sb.feature_compat,
            vol.sb.feature_incompat,
            vol.sb.feature_ro_compat
        );
        Ok(Arc::new(Ext2Fs { vol, root }))
    }

    /// Block size in bytes.
    pub fn block_size(&self) -> u32 {
        self.vol.block_size()
    }

    /// Whether the device refused writes at mount, making every write EROFS.
    pub fn read_only(&self) -> bool {
        self.vol.read_only
    }

    /// The inode numbered `ino`; EIO when the number is out of range or the inode is
    /// damaged (free, or of no known type).
    pub fn inode(&self, ino: u32) -> KResult<Arc<Ext2Inode>> {
        self.vol.iget(ino)
    }
}

impl FileSystem for Ext2Fs {
    fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }

    fn stats(&self) -> FsStats {
        let sb = &self.vol.sb;
        let (free_blocks, free_inodes) = self.vol.alloc.lock().free_counts();

        // The recorded free counts are only hints (fsck fixes them); never report more
        // free than total.
        let free = free_blocks.min(sb.blocks_count);
        FsStats {
            fs_type: u64::from(EXT2_MAGIC),
            block_size: u64::from(sb.block_size),
            blocks: u64::from(sb.blocks_count),
            blocks_free: u64::from(free),
            blocks_avail: u64::from(free.saturating_sub(sb.r_blocks_count)),
            files: u64::from(sb.inodes_count),
            files_free: u64::from(free_inodes.min(sb.inodes_count)),
            name_max: NAME_MAX as u64,
        }
    }

    fn type_name(&self) -> &'static str {
        "ext2"
    }

    /// Writes the allocation state (bitmaps, descriptors, superblock; inodes and data
    /// are written through already) and flushes the device.
    fn sync(&self) -> KResult<()> {
        self.vol.sync_all()
    }
}
