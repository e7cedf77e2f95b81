//! Block and inode allocation: the bitmaps, the free counts of the group descriptors and
//! of the superblock, and their write-back.
//!
//! Everything here sits behind one lock (`Volume::alloc`), taken briefly by inode
//! operations and never held while taking an inode's lock. Bitmaps are read on first use
//! and kept; changed bitmaps, the descriptor table and the superblock are written back by
//! [`Allocator::flush`] (on `sync`), not on every allocation. The first change after a
//! flush writes the superblock once with the "cleanly unmounted" bit cleared, so a crash
//! before the next sync leaves a file system that asks to be checked.
//!
//! The policies approximate Linux's ext2: a file's inode goes near its parent directory,
//! a new directory to a group with room and few directories; a block goes at the goal the
//! caller computes (just after the file's previous block), else at the start of a free
//! run of at least eight blocks, else wherever a block is free.
//!
//! Bitmaps are trusted, as fsck would before repairing: a bit says whether a block is in
//! use. The one exception is a free bit on the group's own metadata (bitmaps, inode
//! table, superblock copy), which is damage this driver refuses to build on.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::super_block::{GROUP_DESC_SIZE, RO_COMPAT_LARGE_FILE, STATE_VALID};
use super::super_block::{SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE};
use super::{Volume, ROOT_INO};
use crate::errno::{Errno, KResult};

/// A group's live counts (the descriptor's copies are written back from these).
#[derive(Clone, Copy, Debug)]
struct GroupCounts {
    free_blocks: u32,
    free_inodes: u32,
    used_dirs: u32,
}

/// One bitmap block in memory.
struct Bitmap {
    bits: Vec<u8>,
    dirty: bool,
}

impl Bitmap {
    fn test(&self, bit: u32) -> bool {
        self.bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0
    }

    fn set(&mut self, bit: u32) {
        self.bits[(bit / 8) as usize] |= 1 << (bit % 8);
        self.dirty = true;
    }

    fn clear(&mut self, bit: u32) {
        self.bits[(bit / 8) as usize] &= !(1 << (bit % 8));
        self.dirty = true;
    }

    /// The first clear bit in `from..to`.
    fn first_clear(&self, from: u32, to: u32) -> Option<u32> {
        let mut bit = from;
        while bit < to {
            // Skip whole bytes that are full.
            if bit.is_multiple_of(8) && bit + 8 <= to && self.bits[(bit / 8) as usize] == 0xff {
                bit += 8;
                continue;
            }
            if !self.test(bit) {
                return Some(bit);
            }
            bit += 1;
        }
        None
    }

    /// The start of the first free run of a whole byte (eight blocks) in `from..to`,
    /// moved back over free bits just before it (as Linux's ext2 does) but not before
    /// `from`.
    fn free_byte_run(&self, from: u32, to: u32) -> Option<u32> {
        let first_byte = from.div_ceil(8);
        let last_byte = to / 8;
        let byte = (first_byte..last_byte).find(|&b| self.bits[b as usize] == 0)?;

        let mut bit = byte * 8;
        while bit > from && bit > byte * 8 - 7.min(byte * 8) && !self.test(bit - 1) {
            bit -= 1;
        }
        Some(bit)
    }
}

/// What a mounted file system knows about free space, and what is waiting to be written.
pub(super) struct Allocator {
    /// The superblock as on disk, patched on write-back.
    sb_raw: Vec<u8>,
    /// The descriptor table as on disk, patched on write-back.
    gdt_raw: Vec<u8>,
    free_blocks: u32,
    free_inodes: u32,
    groups: Vec<GroupCounts>,
    block_bitmaps: HashMap<u32, Bitmap>,
    inode_bitmaps: HashMap<u32, Bitmap>,
    /// Counts or bitmaps changed since the last flush.
    dirty: bool,
    /// `s_state` as found at mount: a file system mounted unclean stays marked unclean.
    mount_state: u16,
    /// `s_feature_ro_compat`, which gains large_file with the first file over 2 GiB.
    ro_compat: u32,
}

impl Allocator {
    /// The allocator for a volume whose superblock is `sb_raw` and descriptor table
    /// `gdt_raw`, both as read at mount.
    pub(super) fn new(
        vol_sb: &super::SuperBlock,
        groups: &[super::GroupDesc],
        sb_raw: Vec<u8>,
        gdt_raw: Vec<u8>,
    ) -> Allocator {
        let groups: Vec<GroupCounts> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupCounts {
                free_blocks: u32::from(g.free_blocks).min(vol_sb.blocks_in_group(i as u32)),
                free_inodes: u32::from(g.free_inodes).min(vol_sb.inodes_per_group),
                used_dirs: u32::from(g.used_dirs),
            })
            .collect();

        // As Linux's ext2 at mount: the superblock's totals are the groups' sums (the
        // superblock's own copies lag behind after a crash).
        let free_blocks = groups.iter().map(|g| g.free_blocks).sum();
        let free_inodes = groups.iter().map(|g| g.free_inodes).sum();
        Allocator {
            sb_raw,
            gdt_raw,
            free_blocks,
            free_inodes,
            groups,
            block_bitmaps: HashMap::new(),
            inode_bitmaps: HashMap::new(),
            dirty: false,
            mount_state: vol_sb.state,
            ro_compat: vol_sb.feature_ro_compat,
        }
    }

    /// Free blocks and free inodes, as statfs reports them.
    pub(super) fn free_counts(&self) -> (u32, u32) {
        (self.free_blocks, self.free_inodes)
    }

    /// Records a change; the first one since the last flush marks the superblock
    /// "not clean" on disk, so a crash before the next flush asks for a check.
    fn mark_dirty(&mut self, vol: &Volume) -> KResult<()> {
        if self.dirty {
            return Ok(());
        }

        let state = self.mount_state & !STATE_VALID;
        self.sb_raw[58..60].copy_from_slice(&state.to_le_bytes());
        vol.write_bytes(SUPERBLOCK_OFFSET, &self.sb_raw)?;
        self.dirty = true;
        Ok(())
    }

    /// Sets the large_file feature (the first file over 2 GiB); written at the next flush.
    pub(super) fn note_large_file(&mut self, vol: &Volume) -> KResult<()> {
        if self.ro_compat & RO_COMPAT_LARGE_FILE == 0 {
            self.ro_compat |= RO_COMPAT_LARGE_FILE;
            self.mark_dirty(vol)?;
        }
        Ok(())
    }

    /// Group `group`'s block bitmap, read on first use.
    fn block_bitmap(&mut self, vol: &Volume, group: u32) -> KResult<&mut Bitmap> {
        let block = vol.groups[group as usize].block_bitmap;
        load_bitmap(&mut self.block_bitmaps, vol, group, block)
    }

    /// Group `group`'s inode bitmap, read on first use.
    fn inode_bitmap(&mut self, vol: &Volume, group: u32) -> KResult<&mut Bitmap> {
        let block = vol.groups[group as usize].inode_bitmap;
        load_bitmap(&mut self.inode_bitmaps, vol, group, block)
    }

    /// Allocates one block, as near `goal` as the policy finds; ENOSPC when none is free.
    ///
    /// Blocks reserved for the superuser (`s_r_blocks_count`) are handed out too: every
    /// caller is root today.
    pub(super) fn alloc_block(&mut self, vol: &Volume, goal: u32) -> KResult<u32> {
        let sb = &vol.sb;
        if self.free_blocks == 0 {
            return Err(Errno::ENOSPC);
        }

        let goal = if (sb.first_data_block..sb.blocks_count).contains(&goal) {
            goal
        } else {
            sb.first_data_block
        };
        let (goal_group, goal_bit) = sb.block_group(goal);

        // The goal group from the goal on, every other group, then the goal group again
        // from its start, as Linux's ext2_new_blocks.
        let ngroups = sb.group_count;
        for step in 0..=ngroups {
            let group = (goal_group + step) % ngroups;
            let start = if step == 0 { goal_bit } else { 0 };
            if self.groups[group as usize].free_blocks == 0 {
                continue;
            }

            if let Some(bit) = self.find_block_in_group(vol, group, start, step == 0)? {
                self.mark_dirty(vol)?;
                self.block_bitmap(vol, group)?.set(bit);
                self.groups[group as usize].free_blocks -= 1;
                self.free_blocks = self.free_blocks.saturating_sub(1);
                return Ok(sb.group_range(group).0 as u32 + bit);
            }
        }

        // The counts said there was room but no bitmap had any: they are only hints.
        log::warn!(
            "{}: ext2 free block counts disagree with the bitmaps",
            vol.dev.name()
        );
        Err(Errno::ENOSPC)
    }

    /// A free bit of group `group` at or after `start` that is not the group's own
    /// metadata; near the goal first when `at_goal`.
    fn find_block_in_group(
        &mut self,
        vol: &Volume,
        group: u32,
        start: u32,
        at_goal: bool,
    ) -> KResult<Option<u32>> {
        let nbits = vol.sb.blocks_in_group(group);
        let first_block = vol.sb.group_range(group).0 as u32;
        let bitmap = self.block_bitmap(vol, group)?;

        let mut from = start;
        while from < nbits {
            // Linux's order: the goal itself, a free bit up to the end of the goal's
            // 64-bit word, a free run of eight, any free bit.
            let near_end = ((from | 63) + 1).min(nbits);
            let found = if at_goal && from == start && !bitmap.test(from) {
                Some(from)
            } else if let Some(bit) = at_goal
                .then(|| bitmap.first_clear(from, near_end))
                .flatten()
            {
                Some(bit)
            } else if let Some(bit) = bitmap.free_byte_run(from, nbits) {
                Some(bit)
            } else {
                bitmap.first_clear(from, nbits)
            };
            let Some(bit) = found else {
                return Ok(None);
            };

            if !vol.is_group_metadata(group, first_block + bit) {
                return Ok(Some(bit));
            }
            log::warn!(
                "{}: ext2 block bitmap of group {group} marks metadata block {} free",
                vol.dev.name(),
                first_block + bit
            );
            from = bit + 1;
        }
        Ok(None)
    }

    /// Returns `block` to the free pool. A block outside the data area or already free is
    /// damage: logged and skipped, so the counts stay true to the bitmap.
    pub(super) fn free_block(&mut self, vol: &Volume, block: u32) -> KResult<()> {
        let sb = &vol.sb;
        if !vol.block_in_range(block) {
            log::warn!(
                "{}: ext2 freeing block {block}, out of range",
                vol.dev.name()
            );
            return Ok(());
        }

        let (group, bit) = sb.block_group(block);
        if vol.is_group_metadata(group, block) {
            log::warn!("{}: ext2 freeing metadata block {block}", vol.dev.name());
            return Ok(());
        }
        self.mark_dirty(vol)?;
        let bitmap = self.block_bitmap(vol, group)?;
        if !bitmap.test(bit) {
            log::warn!("{}: ext2 freeing free block {block}", vol.dev.name());
            return Ok(());
        }
        bitmap.clear(bit);
        self.groups[group as usize].free_blocks += 1;
        self.free_blocks = (self.free_blocks + 1).min(sb.blocks_count);
        Ok(())
    }

    /// Allocates an inode for a new file (`is_dir` false) or directory in the directory
    /// `parent`; ENOSPC when none is free.
    pub(super) fn alloc_inode(&mut self, vol: &Volume, parent: u32, is_dir: bool) -> KResult<u32> {
        let sb = &vol.sb;
        if self.free_inodes == 0 {
            return Err(Errno::ENOSPC);
        }

        let parent_group = (parent.saturating_sub(1) / sb.inodes_per_group) % sb.group_count;
        let preferred = if is_dir {
            self.group_for_dir(vol, parent, parent_group)
        } else {
            self.group_for_file(parent, parent_group)
        };

        // The preferred group, then any group the counts say has room.
        let ngroups = sb.group_count;
        let start = preferred.unwrap_or(parent_group);
        for step in 0..ngroups {
            let group = (start + step) % ngroups;
            if self.groups[group as usize].free_inodes == 0 {
                continue;
            }

            let first_ino = group * sb.inodes_per_group + 1;
            let from = sb.first_ino.saturating_sub(first_ino);
            let bitmap = self.inode_bitmap(vol, group)?;
            let Some(bit) = bitmap.first_clear(from, sb.inodes_per_group) else {
                continue;
            };

            self.mark_dirty(vol)?;
            self.inode_bitmap(vol, group)?.set(bit);
            let counts = &mut self.groups[group as usize];
            counts.free_inodes -= 1;
            if is_dir {
                counts.used_dirs += 1;
            }
            self.free_inodes = self.free_inodes.saturating_sub(1);
            return Ok(first_ino + bit);
        }

        log::warn!(
            "{}: ext2 free inode counts disagree with the bitmaps",
            vol.dev.name()
        );
        Err(Errno::ENOSPC)
    }

    /// Averages the policies compare groups against: free inodes and free blocks.
    fn averages(&self) -> (u32, u32) {
        let n = self.groups.len().max(1) as u32;
        (self.free_inodes / n, self.free_blocks / n)
    }

    /// A group for a new directory: for one in the root, the group with the fewest
    /// directories among those with about average free inodes and blocks or more
    /// (spreading top-level trees); deeper, the parent's group while it has room and is
    /// not crowded with directories (Linux's Orlov allocator, without its randomness).
    ///
    /// "About average" allows a sixteenth of a group less than the average, unlike
    /// Linux: otherwise the superblock copies alone keep every group that has one out of
    /// the running on a fresh file system, and all top-level directories share a group.
    fn group_for_dir(&self, vol: &Volume, parent: u32, parent_group: u32) -> Option<u32> {
        let (avg_inodes, avg_blocks) = self.averages();
        let ngroups = self.groups.len() as u32;

        if parent == ROOT_INO {
            let min_inodes = avg_inodes.saturating_sub(vol.sb.inodes_per_group / 16);
            let min_blocks = avg_blocks.saturating_sub(vol.sb.blocks_per_group / 16);
            let mut best: Option<(u32, GroupCounts)> = None;
            for (g, c) in self.groups.iter().enumerate() {
                if c.free_inodes == 0 || c.free_inodes < min_inodes || c.free_blocks < min_blocks {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((_, b)) => {
                        c.used_dirs < b.used_dirs
                            || (c.used_dirs == b.used_dirs && c.free_blocks > b.free_blocks)
                    }
                };
                if better {
                    best = Some((g as u32, *c));
                }
            }
            if let Some((g, _)) = best {
                return Some(g);
            }
        } else {
            let total_dirs: u32 = self.groups.iter().map(|c| c.used_dirs).sum();
            let max_dirs = total_dirs / ngroups.max(1) + vol.sb.inodes_per_group / 16;
            let min_inodes = avg_inodes
                .saturating_sub(vol.sb.inodes_per_group / 4)
                .max(1);
            let min_blocks = avg_blocks
                .saturating_sub(vol.sb.blocks_per_group / 4)
                .max(1);
            for step in 0..ngroups {
                let g = (parent_group + step) % ngroups;
                let c = self.groups[g as usize];
                if c.used_dirs < max_dirs
                    && c.free_inodes >= min_inodes
                    && c.free_blocks >= min_blocks
                {
                    return Some(g);
                }
            }
        }

        // Fall back to the most free inodes at or above average (old ext2's find_group_dir).
        let mut best: Option<(u32, u32)> = None;
        for (g, c) in self.groups.iter().enumerate() {
            if c.free_inodes > 0
                && c.free_inodes >= avg_inodes
                && best.is_none_or(|(_, blocks)| c.free_blocks > blocks)
            {
                best = Some((g as u32, c.free_blocks));
            }
        }
        best.map(|(g, _)| g)
    }

    /// A group for a new file: the parent's if it has free inodes and blocks, else one a
    /// quadratic hash of the parent picks (Linux's find_group_other).
    fn group_for_file(&self, parent: u32, parent_group: u32) -> Option<u32> {
        let ngroups = self.groups.len() as u32;
        let roomy = |g: u32| {
            let c = self.groups[g as usize];
            c.free_inodes > 0 && c.free_blocks > 0
        };
        if roomy(parent_group) {
            return Some(parent_group);
        }

        let mut group = (parent_group + parent) % ngroups;
        let mut i = 1;
        while i < ngroups {
            group = (group + i) % ngroups;
            if roomy(group) {
                return Some(group);
            }
            i <<= 1;
        }
        None
    }

    /// Returns inode `ino` (a directory when `is_dir`) to the free pool; a bit already
    /// clear is damage, logged and skipped.
    pub(super) fn free_inode(&mut self, vol: &Volume, ino: u32, is_dir: bool) -> KResult<()> {
        let sb = &vol.sb;
        if ino < sb.first_ino || ino > sb.inodes_count {
            log::warn!(
                "{}: ext2 freeing reserved or bad inode {ino}",
                vol.dev.name()
            );
            return Ok(());
        }

        let group = (ino - 1) / sb.inodes_per_group;
        let bit = (ino - 1) % sb.inodes_per_group;
        self.mark_dirty(vol)?;
        let bitmap = self.inode_bitmap(vol, group)?;
        if !bitmap.test(bit) {
            log::warn!("{}: ext2 freeing free inode {ino}", vol.dev.name());
            return Ok(());
        }
        bitmap.clear(bit);
        let counts = &mut self.groups[group as usize];
        counts.free_inodes += 1;
        if is_dir {
            counts.used_dirs = counts.used_dirs.saturating_sub(1);
        }
        self.free_inodes = (self.free_inodes + 1).min(sb.inodes_count);
        Ok(())
    }

    /// Writes changed bitmaps, the descriptor table and the superblock (free counts,
    /// write time, features, and the clean state again).
    pub(super) fn flush(&mut self, vol: &Volume) -> KResult<()> {
        if !self.dirty {
            return Ok(());
        }

        let bs = u64::from(vol.block_size());
        for (group, bitmap) in self.block_bitmaps.iter_mut().filter(|(_, b)| b.dirty) {
            let block = vol.groups[*group as usize].block_bitmap;
            vol.write_bytes(u64::from(block) * bs, &bitmap.bits)?;
            bitmap.dirty = false;
        }
        for (group, bitmap) in self.inode_bitmaps.iter_mut().filter(|(_, b)| b.dirty) {
            let block = vol.groups[*group as usize].inode_bitmap;
            vol.write_bytes(u64::from(block) * bs, &bitmap.bits)?;
            bitmap.dirty = false;
        }

        // The counts are 16 bits on disk; mke2fs keeps groups small enough for them.
        for (i, c) in self.groups.iter().enumerate() {
            let d = &mut self.gdt_raw[i * GROUP_DESC_SIZE..(i + 1) * GROUP_DESC_SIZE];
            d[12..14].copy_from_slice(&(c.free_blocks as u16).to_le_bytes());
            d[14..16].copy_from_slice(&(c.free_inodes as u16).to_le_bytes());
            d[16..18].copy_from_slice(&(c.used_dirs as u16).to_le_bytes());
        }
        vol.write_bytes(vol.sb.gdt_offset(), &self.gdt_raw)?;

        let now = super::now().sec as u32;
        let sb = &mut self.sb_raw;
        sb[12..16].copy_from_slice(&self.free_blocks.to_le_bytes());
        sb[16..20].copy_from_slice(&self.free_inodes.to_le_bytes());
        sb[48..52].copy_from_slice(&now.to_le_bytes());
        sb[58..60].copy_from_slice(&self.mount_state.to_le_bytes());
        sb[100..104].copy_from_slice(&self.ro_compat.to_le_bytes());
        debug_assert_eq!(sb.len(), SUPERBLOCK_SIZE);
        vol.write_bytes(SUPERBLOCK_OFFSET, sb)?;

        self.dirty = false;
        Ok(())
    }
}

/// The bitmap of `group` in `cache`, read from `block` on first use.
fn load_bitmap<'a>(
    cache: &'a mut HashMap<u32, Bitmap>,
    vol: &Volume,
    group: u32,
    block: u32,
) -> KResult<&'a mut Bitmap> {
    match cache.entry(group) {
        Entry::Occupied(bitmap) => Ok(bitmap.into_mut()),
        Entry::Vacant(slot) => {
            let bs = vol.block_size() as usize;
            let mut bits = vec![0u8; bs];
            vol.read_bytes(u64::from(block) * bs as u64, &mut bits)?;
            Ok(slot.insert(Bitmap { bits, dirty: false }))
        }
    }
}
