//! ext2 on a block device, read-only.
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
//! The structure leaves room for writing: the volume state sits in one shared `Volume`,
//! and live inodes are unique per number so a future writer has one place to update.

mod dir;
mod inode;
mod super_block;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::{BlockDevice, FileSystem, FsStats, Inode};
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

    /// Size of `live` at which to sweep next: twice what survived the last sweep, so
    /// many inodes in use at once do not make every insertion sweep.
    sweep_at: usize,
}

impl Default for InodeTable {
    fn default() -> Self {
        InodeTable {
            live: HashMap::new(),
            raw: HashMap::new(),
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
        if ino == 0 || ino > self.sb.inodes_count {
            return Err(self.corrupt(ino, format_args!("inode number out of range")));
        }

        let index = ino - 1;
        let group = (index / self.sb.inodes_per_group) as usize;
        let slot = index % self.sb.inodes_per_group;
        let table = self.groups.get(group).ok_or(CORRUPT)?.inode_table;

        // Mount checked that each inode table lies inside its group, hence on the device.
        let off = u64::from(table) * u64::from(self.block_size())
            + u64::from(slot) * u64::from(self.sb.inode_size);
        let mut raw = vec![0u8; self.sb.inode_size as usize];
        self.read_bytes(off, &mut raw)?;

        Ok(DiskInode::parse(&raw))
    }

    /// The in-memory inode for `ino`, shared with any other holder of the same number.
    fn iget(self: &Arc<Self>, ino: u32) -> KResult<Arc<Ext2Inode>> {
        let cached_raw = {
            let table = self.inodes.lock();
            if let Some(live) = table.live.get(&ino).and_then(Weak::upgrade) {
                return Ok(live);
            }
            table.raw.get(&ino).cloned()
        };

        // The device read happens unlocked; a racing iget is settled below.
        let disk = match cached_raw {
            Some(disk) => disk,
            None => self.read_disk_inode(ino)?,
        };
        let inode = Arc::new(Ext2Inode::new(self.clone(), ino, disk.clone())?);

        let mut table = self.inodes.lock();
        if let Some(live) = table.live.get(&ino).and_then(Weak::upgrade) {
            return Ok(live);
        }
        if table.live.len() >= table.sweep_at {
            table.live.retain(|_, weak| weak.strong_count() > 0);
            table.sweep_at = (2 * table.live.len()).max(LIVE_INODE_SWEEP);
        }
        table.live.insert(ino, Arc::downgrade(&inode));
        if table.raw.len() >= RAW_INODE_CACHE {
            table.raw.clear();
        }
        table.raw.insert(ino, disk);

        Ok(inode)
    }
}

/// A mounted ext2 file system.
pub struct Ext2Fs {
    vol: Arc<Volume>,
    root: Arc<Ext2Inode>,
}

impl Ext2Fs {
    /// Mounts the ext2 file system on `dev`, read-only.
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

        let vol = Arc::new(Volume {
            dev: dev.clone(),
            sb,
            groups,
            inodes: Mutex::new(InodeTable::default()),
            dir_indexes: Mutex::new(dir::DirIndexCache::default()),
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
            "{}: mounted ext2 read-only, {} blocks of {} bytes, {} groups, features \
             compat 0x{:x} incompat 0x{:x} ro_compat 0x{:x}",
            dev.name(),
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

        // The recorded free counts are only hints (fsck fixes them); never report more
        // free than total.
        let free = sb.free_blocks_count.min(sb.blocks_count);
        FsStats {
            fs_type: u64::from(EXT2_MAGIC),
            block_size: u64::from(sb.block_size),
            blocks: u64::from(sb.blocks_count),
            blocks_free: u64::from(free),
            blocks_avail: u64::from(free.saturating_sub(sb.r_blocks_count)),
            files: u64::from(sb.inodes_count),
            files_free: u64::from(sb.free_inodes_count.min(sb.inodes_count)),
            name_max: NAME_MAX as u64,
        }
    }

    fn type_name(&self) -> &'static str {
        "ext2"
    }
}
