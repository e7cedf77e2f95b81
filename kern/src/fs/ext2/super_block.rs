//! The superblock and the group descriptor table, decoded once at mount and checked before
//! anything else trusts them.
//!
//! Every later bounds check (block numbers, inode numbers, inode table positions) leans on
//! the figures validated here, so this is where a damaged or hostile image must be stopped.

use super::{le16, le32, FeatureSet, MountErrorKind};

/// Byte offset of the primary superblock, whatever the block size.
pub(super) const SUPERBLOCK_OFFSET: u64 = 1024;

/// Bytes of the on-disk superblock.
pub(super) const SUPERBLOCK_SIZE: usize = 1024;

/// `EXT2_SUPER_MAGIC`.
pub(super) const EXT2_MAGIC: u16 = 0xEF53;

/// The root directory's inode number.
pub(super) const ROOT_INO: u32 = 2;

/// Bytes of one group descriptor (the 64bit feature, which widens them, is refused).
pub(super) const GROUP_DESC_SIZE: usize = 32;

const GOOD_OLD_REV: u32 = 0;
const DYNAMIC_REV: u32 = 1;
const GOOD_OLD_INODE_SIZE: u32 = 128;
const GOOD_OLD_FIRST_INO: u32 = 11;

/// Largest `s_log_block_size`: 1 KiB << 6 = 64 KiB.
const MAX_LOG_BLOCK_SIZE: u32 = 6;

/// Directory entries carry a file type byte (and an 8-bit name length).
pub(super) const INCOMPAT_FILETYPE: u32 = 0x0002;

/// Incompatible features this driver reads correctly; any other bit refuses the mount.
const INCOMPAT_SUPPORTED: u32 = INCOMPAT_FILETYPE;

const RO_COMPAT_SPARSE_SUPER: u32 = 0x0001;

/// Files may exceed 2 GiB (`i_size_high` is in use); set by the first such file.
pub(super) const RO_COMPAT_LARGE_FILE: u32 = 0x0002;

/// Backup superblocks sit only in the groups `s_backup_bgs` names (not handled: the
/// metadata sanity check then covers group 0 only).
const COMPAT_SPARSE_SUPER2: u32 = 0x0200;

/// Read-only-compatible features whose on-disk meaning this driver honours. Others (for
/// example huge_file, which changes the unit of `i_blocks`) would make it misreport data,
/// so they are refused even though the mount is read-only.
const RO_COMPAT_SUPPORTED: u32 = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE;

/// `s_state` bit set when the file system was cleanly unmounted.
pub(super) const STATE_VALID: u16 = 0x0001;

/// `s_state` bit set when the kernel detected errors.
const STATE_ERROR: u16 = 0x0002;

const INCOMPAT_NAMES: &[(u32, &str)] = &[
    (0x0001, "compression"),
    (0x0002, "filetype"),
    (0x0004, "needs_recovery"),
    (0x0008, "journal_dev"),
    (0x0010, "meta_bg"),
    (0x0040, "extent"),
    (0x0080, "64bit"),
    (0x0100, "mmp"),
    (0x0200, "flex_bg"),
    (0x0400, "ea_inode"),
    (0x1000, "dirdata"),
    (0x2000, "metadata_csum_seed"),
    (0x4000, "large_dir"),
    (0x8000, "inline_data"),
    (0x10000, "encrypt"),
    (0x20000, "casefold"),
];

const RO_COMPAT_NAMES: &[(u32, &str)] = &[
    (0x0001, "sparse_super"),
    (0x0002, "large_file"),
    (0x0004, "btree_dir"),
    (0x0008, "huge_file"),
    (0x0010, "uninit_bg"),
    (0x0020, "dir_nlink"),
    (0x0040, "extra_isize"),
    (0x0080, "snapshot"),
    (0x0100, "quota"),
    (0x0200, "bigalloc"),
    (0x0400, "metadata_csum"),
    (0x0800, "replica"),
    (0x1000, "read-only"),
    (0x2000, "project"),
    (0x4000, "shared_blocks"),
    (0x8000, "verity"),
    (0x10000, "orphan_present"),
];

/// Names of the feature bits set in `bits`, comma separated, for mount error messages.
pub(super) fn feature_names(set: FeatureSet, bits: u32) -> String {
    let table = match set {
        FeatureSet::Incompat => INCOMPAT_NAMES,
        FeatureSet::RoCompat => RO_COMPAT_NAMES,
    };

    let mut names = Vec::new();
    for bit in (0..32).map(|i| 1u32 << i).filter(|b| bits & b != 0) {
        match table.iter().find(|(b, _)| *b == bit) {
            Some((_, name)) => names.push((*name).to_string()),
            None => names.push(format!("unknown 0x{bit:x}")),
        }
    }
    names.join(", ")
}

/// The superblock fields this driver uses, with the figures derived from them.
#[derive(Clone, Debug)]
pub(super) struct SuperBlock {
    /// Total inodes.
    pub inodes_count: u32,
    /// Total blocks, including the ones before `first_data_block`.
    pub blocks_count: u32,
    /// Blocks reserved for the superuser.
    pub r_blocks_count: u32,
    /// The block holding the superblock (1 with 1 KiB blocks, else 0); group 0 starts here.
    pub first_data_block: u32,
    /// Blocks in each group (the last group may be shorter).
    pub blocks_per_group: u32,
    /// Inodes in each group.
    pub inodes_per_group: u32,
    /// Bytes of one on-disk inode.
    pub inode_size: u32,
    /// First inode number ordinary files may use (11 before revision 1).
    pub first_ino: u32,
    /// `s_rev_level`: 0 has no feature words and no large files.
    pub rev_level: u32,
    /// Blocks reserved after the descriptor table for online resizing.
    pub reserved_gdt_blocks: u32,
    /// `s_state`, kept for the clean/error warnings at mount.
    pub state: u16,
    /// Compatible feature bits (informational for a reader).
    pub feature_compat: u32,
    /// Incompatible feature bits.
    pub feature_incompat: u32,
    /// Read-only-compatible feature bits.
    pub feature_ro_compat: u32,
    /// Block size in bytes (1 KiB to 64 KiB).
    pub block_size: u32,
    /// Number of block groups.
    pub group_count: u32,
}

impl SuperBlock {
    /// Decodes and validates the superblock in `raw` for a device of `dev_size` bytes.
    pub(super) fn parse(
        raw: &[u8; SUPERBLOCK_SIZE],
        dev_size: u64,
    ) -> Result<Self, MountErrorKind> {
        let damaged = |why: String| Err(MountErrorKind::DamagedSuperblock(why));

        let magic = le16(raw, 56);
        if magic != EXT2_MAGIC {
            return Err(MountErrorKind::BadMagic(magic));
        }

        let rev_level = le32(raw, 76);
        if rev_level > DYNAMIC_REV {
            return Err(MountErrorKind::UnsupportedRevision(rev_level));
        }

        // Revision 0 predates the feature words and the variable inode size; whatever is in
        // those bytes there is not meaningful.
        let dynamic = rev_level != GOOD_OLD_REV;
        let (first_ino, inode_size) = if dynamic {
            (le32(raw, 84), u32::from(le16(raw, 88)))
        } else {
            (GOOD_OLD_FIRST_INO, GOOD_OLD_INODE_SIZE)
        };
        let (feature_compat, feature_incompat, feature_ro_compat) = if dynamic {
            (le32(raw, 92), le32(raw, 96), le32(raw, 100))
        } else {
            (0, 0, 0)
        };

        let bad_incompat = feature_incompat & !INCOMPAT_SUPPORTED;
        if bad_incompat != 0 {
            return Err(MountErrorKind::UnsupportedFeature {
                set: FeatureSet::Incompat,
                bits: bad_incompat,
            });
        }
        let bad_ro_compat = feature_ro_compat & !RO_COMPAT_SUPPORTED;
        if bad_ro_compat != 0 {
            return Err(MountErrorKind::UnsupportedFeature {
                set: FeatureSet::RoCompat,
                bits: bad_ro_compat,
            });
        }

        let log_block_size = le32(raw, 24);
        if log_block_size > MAX_LOG_BLOCK_SIZE {
            return damaged(format!(
                "log block size {log_block_size} out of range (block size 1 KiB to 64 KiB)"
            ));
        }
        let block_size = 1024u32 << log_block_size;
        let bitmap_bits = block_size * 8;

        let blocks_per_group = le32(raw, 32);
        if blocks_per_group == 0 {
            return damaged("blocks per group is 0".into());
        }
        if blocks_per_group > bitmap_bits {
            return damaged(format!(
                "blocks per group {blocks_per_group} exceeds the {bitmap_bits} bits of a \
                 bitmap block"
            ));
        }

        let inodes_per_group = le32(raw, 40);
        if inodes_per_group == 0 {
            return damaged("inodes per group is 0".into());
        }
        if inodes_per_group > bitmap_bits {
            return damaged(format!(
                "inodes per group {inodes_per_group} exceeds the {bitmap_bits} bits of a \
                 bitmap block"
            ));
        }

        if inode_size < GOOD_OLD_INODE_SIZE
            || !inode_size.is_power_of_two()
            || inode_size > block_size
        {
            return damaged(format!(
                "inode size {inode_size} is not a power of two from 128 to the block size \
                 {block_size}"
            ));
        }

        // The superblock lives in block 1 of a 1 KiB file system and in block 0 otherwise,
        // and group 0 starts at that block; anything else shifts every group.
        let first_data_block = le32(raw, 20);
        let expected_first = if block_size == 1024 { 1 } else { 0 };
        if first_data_block != expected_first {
            return damaged(format!(
                "first data block is {first_data_block}, expected {expected_first} for \
                 {block_size}-byte blocks"
            ));
        }

        let blocks_count = le32(raw, 4);
        if blocks_count <= first_data_block {
            return damaged(format!("block count {blocks_count} leaves no data blocks"));
        }

        let group_count = (blocks_count - first_data_block).div_ceil(blocks_per_group);
        let inodes_count = le32(raw, 0);
        if u64::from(inodes_count) != u64::from(group_count) * u64::from(inodes_per_group) {
            return damaged(format!(
                "inode count {inodes_count} does not match {group_count} groups of \
                 {inodes_per_group} inodes"
            ));
        }

        if first_ino < GOOD_OLD_FIRST_INO || first_ino > inodes_count {
            return damaged(format!(
                "first non-reserved inode {first_ino} outside 11..={inodes_count}"
            ));
        }

        let fs_bytes = u64::from(blocks_count) * u64::from(block_size);
        if fs_bytes > dev_size {
            return Err(MountErrorKind::DeviceTooSmall {
                size: dev_size,
                what: format!("{blocks_count} blocks of {block_size} bytes"),
            });
        }

        // Without meta_bg the whole descriptor table follows the superblock in group 0.
        let gdt_bytes = u64::from(group_count) * GROUP_DESC_SIZE as u64;
        let gdt_blocks = gdt_bytes.div_ceil(u64::from(block_size));
        let group0_end = u64::from(first_data_block) + u64::from(blocks_per_group);
        let group0_end = group0_end.min(u64::from(blocks_count));
        if u64::from(first_data_block) + 1 + gdt_blocks > group0_end {
            return damaged(format!(
                "group descriptor table ({gdt_blocks} blocks for {group_count} groups) does \
                 not fit in group 0"
            ));
        }

        Ok(SuperBlock {
            inodes_count,
            blocks_count,
            r_blocks_count: le32(raw, 8),
            first_data_block,
            blocks_per_group,
            inodes_per_group,
            inode_size,
            first_ino,
            rev_level,
            reserved_gdt_blocks: if dynamic {
                u32::from(le16(raw, 206))
            } else {
                0
            },
            state: le16(raw, 58),
            feature_compat,
            feature_incompat,
            feature_ro_compat,
            block_size,
            group_count,
        })
    }

    /// Whether directory entries carry a type byte.
    pub(super) fn has_filetype(&self) -> bool {
        self.feature_incompat & INCOMPAT_FILETYPE != 0
    }

    /// Whether the file system was left unclean or with recorded errors (worth a warning).
    pub(super) fn needs_check(&self) -> bool {
        self.state & STATE_VALID == 0 || self.state & STATE_ERROR != 0
    }

    /// Byte offset of the group descriptor table: the block after the superblock's.
    pub(super) fn gdt_offset(&self) -> u64 {
        (u64::from(self.first_data_block) + 1) * u64::from(self.block_size)
    }

    /// Blocks the group descriptor table occupies.
    pub(super) fn gdt_blocks(&self) -> u32 {
        let bytes = u64::from(self.group_count) * GROUP_DESC_SIZE as u64;

        // parse checked that the table fits in group 0.
        bytes.div_ceil(u64::from(self.block_size)) as u32
    }

    /// Whether group `group` starts with a copy of the superblock and descriptor table,
    /// `None` when the layout is not one this driver computes (sparse_super2).
    pub(super) fn group_has_super(&self, group: u32) -> Option<bool> {
        if group == 0 {
            return Some(true);
        }
        if self.feature_compat & COMPAT_SPARSE_SUPER2 != 0 {
            return None;
        }
        if self.feature_ro_compat & RO_COMPAT_SPARSE_SUPER == 0 || group == 1 {
            return Some(true);
        }

        // With sparse_super only groups 1 and powers of 3, 5 and 7 keep a copy.
        let is_power = |base: u32| {
            let mut n = group;
            while n.is_multiple_of(base) {
                n /= base;
            }
            n == 1
        };
        Some(is_power(3) || is_power(5) || is_power(7))
    }

    /// Blocks (from the group's first) the superblock copy, the descriptor table and the
    /// blocks reserved for it take in `group`; `None` as for [`Self::group_has_super`].
    pub(super) fn group_super_blocks(&self, group: u32) -> Option<u32> {
        Some(match self.group_has_super(group)? {
            true => 1 + self.gdt_blocks() + self.reserved_gdt_blocks,
            false => 0,
        })
    }

    /// Blocks in group `group` (the last one may be short).
    pub(super) fn blocks_in_group(&self, group: u32) -> u32 {
        let (first, last) = self.group_range(group);

        // At most blocks_per_group, a u32.
        (last + 1 - first) as u32
    }

    /// The group block `block` belongs to and its bit in that group's bitmap.
    pub(super) fn block_group(&self, block: u32) -> (u32, u32) {
        let rel = block - self.first_data_block;
        (rel / self.blocks_per_group, rel % self.blocks_per_group)
    }

    /// Blocks one group's inode table occupies.
    pub(super) fn inode_table_blocks(&self) -> u32 {
        let bytes = u64::from(self.inodes_per_group) * u64::from(self.inode_size);

        // At most 8 * 64 KiB inodes of 64 KiB each over 1 KiB blocks: well inside u32.
        bytes.div_ceil(u64::from(self.block_size)) as u32
    }

    /// First and last block (inclusive) of group `group`; the last group may be short.
    pub(super) fn group_range(&self, group: u32) -> (u64, u64) {
        let first =
            u64::from(self.first_data_block) + u64::from(group) * u64::from(self.blocks_per_group);
        let end = (first + u64::from(self.blocks_per_group)).min(u64::from(self.blocks_count));
        (first, end.saturating_sub(1))
    }
}

/// One group's descriptor: where its bitmaps and inode table are, and the counts as
/// found at mount (the allocator keeps the live ones).
#[derive(Clone, Copy, Debug)]
pub(super) struct GroupDesc {
    /// Block of the block allocation bitmap.
    pub block_bitmap: u32,
    /// Block of the inode allocation bitmap.
    pub inode_bitmap: u32,
    /// First block of the inode table.
    pub inode_table: u32,
    /// `bg_free_blocks_count`.
    pub free_blocks: u16,
    /// `bg_free_inodes_count`.
    pub free_inodes: u16,
    /// `bg_used_dirs_count`.
    pub used_dirs: u16,
}

impl GroupDesc {
    /// Decodes descriptor `group` from `raw` (32 bytes) and checks that everything it points
    /// at lies inside the group, as ext2 places it.
    pub(super) fn parse(raw: &[u8], group: u32, sb: &SuperBlock) -> Result<Self, MountErrorKind> {
        let desc = GroupDesc {
            block_bitmap: le32(raw, 0),
            inode_bitmap: le32(raw, 4),
            inode_table: le32(raw, 8),
            free_blocks: le16(raw, 12),
            free_inodes: le16(raw, 14),
            used_dirs: le16(raw, 16),
        };

        let (first, last) = sb.group_range(group);
        let damaged =
            |reason: String| Err(MountErrorKind::DamagedGroupDescriptor { group, reason });
        let inside = |b: u64| (first..=last).contains(&b);

        if !inside(u64::from(desc.block_bitmap)) {
            return damaged(format!(
                "block bitmap at block {} outside the group (blocks {first}..={last})",
                desc.block_bitmap
            ));
        }
        if !inside(u64::from(desc.inode_bitmap)) {
            return damaged(format!(
                "inode bitmap at block {} outside the group (blocks {first}..={last})",
                desc.inode_bitmap
            ));
        }

        let table_first = u64::from(desc.inode_table);
        let table_last = table_first + u64::from(sb.inode_table_blocks()) - 1;
        if !inside(table_first) || !inside(table_last) {
            return damaged(format!(
                "inode table at blocks {table_first}..={table_last} outside the group \
                 (blocks {first}..={last})"
            ));
        }

        Ok(desc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal consistent superblock: 1 KiB blocks, one group of 8192 blocks.
    fn good_raw() -> [u8; SUPERBLOCK_SIZE] {
        let mut raw = [0u8; SUPERBLOCK_SIZE];
        let put32 = |raw: &mut [u8; SUPERBLOCK_SIZE], off: usize, v: u32| {
            raw[off..off + 4].copy_from_slice(&v.to_le_bytes())
        };
        put32(&mut raw, 0, 2048);
        put32(&mut raw, 4, 8192);
        put32(&mut raw, 20, 1);
        put32(&mut raw, 32, 8192);
        put32(&mut raw, 40, 2048);
        raw[56..58].copy_from_slice(&EXT2_MAGIC.to_le_bytes());
        put32(&mut raw, 76, 1);
        put32(&mut raw, 84, 11);
        raw[88..90].copy_from_slice(&128u16.to_le_bytes());
        put32(&mut raw, 96, INCOMPAT_FILETYPE);
        raw
    }

    const DEV: u64 = 8192 * 1024;

    fn reason(raw: &[u8; SUPERBLOCK_SIZE]) -> String {
        match SuperBlock::parse(raw, DEV) {
            Ok(_) => "accepted".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn accepts_a_consistent_superblock() {
        let sb = SuperBlock::parse(&good_raw(), DEV).expect("valid superblock");
        assert_eq!(sb.block_size, 1024);
        assert_eq!(sb.group_count, 1);
        assert_eq!(sb.gdt_offset(), 2048);
        assert_eq!(sb.inode_table_blocks(), 256);
        assert_eq!(sb.group_range(0), (1, 8191));
    }

    #[test]
    fn rejects_each_bad_field_with_its_reason() {
        let cases: &[(usize, u32, &str)] = &[
            (24, 7, "log block size 7 out of range"),
            (32, 0, "blocks per group is 0"),
            (32, 9000, "blocks per group 9000 exceeds"),
            (40, 0, "inodes per group is 0"),
            (20, 0, "first data block is 0"),
            (4, 1, "leaves no data blocks"),
            (0, 2047, "does not match 1 groups"),
            (84, 5, "first non-reserved inode 5"),
            (76, 2, "revision level 2"),
            (96, 0x80, "incompat 0x80 (64bit)"),
            (100, 0x8, "ro_compat 0x8 (huge_file)"),
        ];
        for &(off, value, want) in cases {
            let mut raw = good_raw();
            raw[off..off + 4].copy_from_slice(&value.to_le_bytes());
            let got = reason(&raw);
            assert!(
                got.contains(want),
                "field at {off} = {value}: got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn rejects_bad_inode_sizes() {
        for size in [0u16, 64, 129, 192, 2048] {
            let mut raw = good_raw();
            raw[88..90].copy_from_slice(&size.to_le_bytes());
            assert!(reason(&raw).contains("inode size"), "inode size {size}");
        }
    }

    #[test]
    fn rejects_a_device_shorter_than_the_block_count() {
        let err = SuperBlock::parse(&good_raw(), DEV - 1)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("device too small (8388607 bytes) for 8192 blocks of 1024 bytes")
        );
    }

    #[test]
    fn names_unknown_feature_bits() {
        assert_eq!(feature_names(FeatureSet::Incompat, 0xc0), "extent, 64bit");
        assert_eq!(
            feature_names(FeatureSet::Incompat, 0x80000000),
            "unknown 0x80000000"
        );
    }
}
