//! File contents on the write side: allocating blocks in the pointer tree (direct, then
//! single, double and triple indirect), writing data, truncating and extending, and
//! freeing everything an inode owns when it is deleted.
//!
//! Callers hold the inode's state lock for writing and write the inode record afterwards
//! (`Ext2Inode::write_inode`), once per operation.

use super::inode::{Ext2Inode, InodeState, DIND_SLOT, IND_SLOT, N_DIRECT, TIND_SLOT};
use super::now;
use crate::errno::{Errno, KResult};
use crate::fs::{FileType, Inode};

/// Extended attribute block magic (`EXT2_XATTR_MAGIC`).
const XATTR_MAGIC: u32 = 0xEA02_0000;

impl Ext2Inode {
    /// 512-byte sectors one block counts for in `i_blocks`.
    fn sectors_per_block(&self) -> u32 {
        self.vol.block_size() / 512
    }

    /// Where to look first for a block for logical block `lblk`: after the block the
    /// previous logical block sits in, else after the indirect block that will point at
    /// it, else at the start of the inode's group (Linux's ext2_find_goal).
    fn alloc_goal(&self, st: &InodeState, lblk: u64, parent: Option<u32>) -> u32 {
        if let Some((last, block)) = st.last_alloc {
            if last + 1 == lblk {
                return block.saturating_add(1);
            }
        }
        if lblk > 0 {
            if let Ok(Some(prev)) = self.map_block(&st.disk, lblk - 1) {
                return prev.saturating_add(1);
            }
        }
        if let Some(parent) = parent {
            return parent.saturating_add(1);
        }

        let sb = &self.vol.sb;
        let group = (self.ino - 1) / sb.inodes_per_group;
        sb.group_range(group).0 as u32
    }

    /// Allocates `count` blocks, each after the previous one when that is free; all or
    /// none (ENOSPC gives back the ones already taken).
    fn alloc_blocks(&self, goal: u32, count: usize) -> KResult<Vec<u32>> {
        let mut alloc = self.vol.alloc.lock();
        let mut blocks = Vec::with_capacity(count);
        let mut next = goal;
        for _ in 0..count {
            match alloc.alloc_block(&self.vol, next) {
                Ok(block) => {
                    blocks.push(block);
                    next = block.saturating_add(1);
                }
                Err(e) => {
                    for &block in &blocks {
                        alloc.free_block(&self.vol, block)?;
                    }
                    return Err(e);
                }
            }
        }
        Ok(blocks)
    }

    /// Gives blocks back to the free pool.
    fn free_blocks(&self, blocks: &[u32]) -> KResult<()> {
        let mut alloc = self.vol.alloc.lock();
        for &block in blocks {
            alloc.free_block(&self.vol, block)?;
        }
        Ok(())
    }

    /// The block holding logical block `lblk`, allocating it and any missing indirect
    /// blocks above it; also whether the data block is new (its contents are then
    /// undefined: the caller writes all of it). On failure nothing is allocated.
    pub(super) fn get_block_create(&self, st: &mut InodeState, lblk: u64) -> KResult<(u32, bool)> {
        let Some((slot, path, depth)) = self.block_path(lblk) else {
            return Err(Errno::EFBIG);
        };

        // Walk down as far as the tree exists. `parent` is the indirect block holding
        // the missing pointer at `index` (None: the pointer is `i_block[slot]`).
        let mut parent = None;
        let mut index = slot;
        let mut ptr = st.disk.block[slot];
        let mut level = 0;
        while ptr != 0 {
            if !self.vol.block_in_range(ptr) {
                return Err(self.corrupt(format_args!("block pointer {ptr} out of range")));
            }
            if level == depth {
                return Ok((ptr, false));
            }
            parent = Some(ptr);
            index = path[level];
            ptr = self.indirect_entry(&mut self.indirect.lock(), ptr, index)?;
            level += 1;
        }

        // Missing from `level` down: the indirect blocks of the lower levels, then the
        // data block, allocated in that order so a sequential file stays contiguous.
        let needed = depth - level + 1;
        let goal = self.alloc_goal(st, lblk, parent);
        let blocks = self.alloc_blocks(goal, needed)?;

        let bs = self.vol.block_size() as usize;
        for i in 0..needed - 1 {
            let at = path[level + i];
            let mut ptrs = vec![0u32; bs / 4];
            ptrs[at] = blocks[i + 1];
            let raw: Vec<u8> = ptrs.iter().flat_map(|p| p.to_le_bytes()).collect();
            let off = u64::from(blocks[i]) * bs as u64;
            if let Err(e) = self.vol.write_bytes(off, &raw) {
                self.free_blocks(&blocks)?;
                return Err(e);
            }
            self.indirect.lock().insert(blocks[i], ptrs);
        }

        // Splice the new branch in last, so a failure above leaves the tree as it was.
        match parent {
            None => st.disk.block[slot] = blocks[0],
            Some(parent) => {
                let off = u64::from(parent) * bs as u64 + index as u64 * 4;
                if let Err(e) = self.vol.write_bytes(off, &blocks[0].to_le_bytes()) {
                    self.free_blocks(&blocks)?;
                    return Err(e);
                }
                self.indirect.lock().update(parent, index, blocks[0]);
            }
        }

        let sectors = needed as u32 * self.sectors_per_block();
        st.disk.blocks = st.disk.blocks.saturating_add(sectors);
        st.dirty = true;
        let data = blocks[needed - 1];
        st.last_alloc = Some((lblk, data));
        Ok((data, true))
    }

    /// Writes `buf` at byte `off` of a regular file and sets the size and times; the
    /// caller writes the inode. Running out of space (or into a device error) part-way
    /// gives a short count; nothing written at all gives the error.
    pub(super) fn write_file(&self, st: &mut InodeState, off: u64, buf: &[u8]) -> KResult<usize> {
        let max = self.vol.max_file_size;
        if off >= max && !buf.is_empty() {
            return Err(Errno::EFBIG);
        }
        let len = (buf.len() as u64).min(max - off.min(max)) as usize;
        if len == 0 {
            return Ok(0);
        }
        let buf = &buf[..len];

        // A gap after the old end inside its last block must read as zeros.
        if off > st.disk.size {
            self.zero_tail(st, st.disk.size)?;
        }

        let bs = u64::from(self.vol.block_size());
        let end = off + len as u64;
        let first = off / bs;
        let last = (end - 1) / bs;

        // Map (allocating) every block first, stopping at the first failure.
        let mut mapped: Vec<(u32, bool)> = Vec::new();
        let mut failure = None;
        for lblk in first..=last {
            match self.get_block_create(st, lblk) {
                Ok(m) => mapped.push(m),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if mapped.is_empty() {
            return Err(failure.unwrap_or(Errno::EIO));
        }
        let mapped_end = end.min((first + mapped.len() as u64) * bs);

        // New blocks the write covers only in part get zeros in the rest: the head now,
        // the tail once the data is in.
        let zeros = vec![0u8; bs as usize];
        let (head_block, head_new) = mapped[0];
        if head_new && !off.is_multiple_of(bs) {
            let n = (off % bs) as usize;
            if let Err(e) = self
                .vol
                .write_bytes(u64::from(head_block) * bs, &zeros[..n])
            {
                self.free_past_end(st);
                return Err(e);
            }
        }

        // Then runs of physically contiguous blocks in one request each. A device error
        // ends the write there, as a short one (or a failed one, with nothing written).
        let mut done_end = off;
        let mut i = 0;
        while i < mapped.len() {
            let mut j = i + 1;
            while j < mapped.len() && mapped[j].0 == mapped[j - 1].0.wrapping_add(1) {
                j += 1;
            }
            let run_start = ((first + i as u64) * bs).max(off);
            let run_end = ((first + j as u64) * bs).min(mapped_end);
            let dev_off = u64::from(mapped[i].0) * bs + run_start % bs;
            let data = &buf[(run_start - off) as usize..(run_end - off) as usize];
            if let Err(e) = self.vol.write_bytes(dev_off, data) {
                failure = Some(e);
                break;
            }
            done_end = run_end;
            i = j;
        }

        let (tail_block, tail_new) = mapped[mapped.len() - 1];
        if done_end == mapped_end && tail_new && !done_end.is_multiple_of(bs) {
            let at = done_end % bs;
            let zeroed = self
                .vol
                .write_bytes(u64::from(tail_block) * bs + at, &zeros[at as usize..]);
            if let Err(e) = zeroed {
                done_end -= at;
                failure = Some(e);
            }
        }

        if done_end > st.disk.size {
            st.disk.size = done_end;
        }
        if failure.is_some() {
            self.free_past_end(st);
        }
        if done_end == off {
            return Err(failure.unwrap_or(Errno::EIO));
        }
        Self::touch(st);
        Ok((done_end - off) as usize)
    }

    /// Gives back blocks a failed write allocated past the end of file (a clean file
    /// system has none there).
    fn free_past_end(&self, st: &mut InodeState) {
        if let Err(e) = self.free_from(st, st.disk.size) {
            log::warn!(
                "{}: ext2 inode {}: cannot free blocks past the end ({e})",
                self.vol.dev.name(),
                self.ino
            );
        }
    }

    /// Zeros the bytes of the block holding byte `from` from there to the block's end, so
    /// data past the end of file (or a new end) reads as zeros when the file grows.
    fn zero_tail(&self, st: &InodeState, from: u64) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        if from.is_multiple_of(bs) {
            return Ok(());
        }
        if let Some(block) = self.map_block(&st.disk, from / bs)? {
            let zeros = vec![0u8; (bs - from % bs) as usize];
            self.vol
                .write_bytes(u64::from(block) * bs + from % bs, &zeros)?;
        }
        Ok(())
    }

    /// Sets a regular file's size: frees the blocks past a smaller one, or leaves a hole
    /// up to a bigger one. The caller checked the limit and sets the times.
    pub(super) fn set_size(&self, st: &mut InodeState, size: u64) -> KResult<()> {
        if size < st.disk.size {
            self.free_from(st, size)?;
        }
        self.zero_tail(st, size.min(st.disk.size))?;
        st.disk.size = size;
        st.dirty = true;
        Ok(())
    }

    /// Frees every block holding data at or past byte `size`, and the indirect blocks
    /// left pointing at nothing.
    ///
    /// A subtree that cannot be read (a device error, a damaged pointer) stays as it is;
    /// the rest is freed all the same, and the first error is returned.
    pub(super) fn free_from(&self, st: &mut InodeState, size: u64) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        let p = self.ptrs_per_block();
        let keep = size.div_ceil(bs);
        let mut freed = Vec::new();
        let mut result = Ok(());

        for i in (keep.min(N_DIRECT as u64) as usize)..N_DIRECT {
            let block = std::mem::take(&mut st.disk.block[i]);
            if block != 0 {
                result = result.and(self.collect(block, 0, &mut freed));
            }
        }

        let mut base = N_DIRECT as u64;
        for (slot, level) in [(IND_SLOT, 1u32), (DIND_SLOT, 2), (TIND_SLOT, 3)] {
            let span = p.pow(level);
            let block = st.disk.block[slot];
            if block != 0 && keep <= base {
                // Collected into a scratch list first: a subtree read only in part is
                // kept whole, pointer included.
                let mut subtree = Vec::new();
                match self.collect(block, level, &mut subtree) {
                    Ok(()) => {
                        st.disk.block[slot] = 0;
                        freed.append(&mut subtree);
                    }
                    Err(e) => result = result.and(Err(e)),
                }
            } else if block != 0 && keep < base + span {
                result = result.and(self.trim(block, level, keep - base, &mut freed));
            }
            base += span;
        }

        self.indirect.lock().clear();
        st.last_alloc = None;
        let sectors = (freed.len() as u32).saturating_mul(self.sectors_per_block());
        st.disk.blocks = st.disk.blocks.saturating_sub(sectors);
        st.dirty = true;
        self.free_blocks(&freed)?;
        result
    }

    /// Adds `block` to `freed`, and below it (an indirect block of `level` levels) every
    /// block it points at. Pointers out of range are damage and skipped, not followed.
    fn collect(&self, block: u32, level: u32, freed: &mut Vec<u32>) -> KResult<()> {
        if !self.vol.block_in_range(block) {
            log::warn!(
                "{}: ext2 inode {}: not freeing block {block}, out of range",
                self.vol.dev.name(),
                self.ino
            );
            return Ok(());
        }
        if level > 0 {
            for ptr in self.read_pointers(block)? {
                if ptr != 0 {
                    self.collect(ptr, level - 1, freed)?;
                }
            }
        }
        freed.push(block);
        Ok(())
    }

    /// Frees what indirect block `block` (of `level` levels) maps at or past its logical
    /// block `from` (counted from the first block it maps); keeps the block itself, since
    /// it still maps something before `from`.
    ///
    /// Blocks go into `freed` only once the pointers to them are cleared on the device:
    /// an error part-way stops there, and what stays pointed at stays allocated.
    fn trim(&self, block: u32, level: u32, from: u64, freed: &mut Vec<u32>) -> KResult<()> {
        if !self.vol.block_in_range(block) {
            return Err(self.corrupt(format_args!("indirect block {block} out of range")));
        }

        let child_span = self.ptrs_per_block().pow(level - 1);
        let mut ptrs = self.read_pointers(block)?;
        let mut cleared = Vec::new();
        let mut result = Ok(());
        for (i, ptr) in ptrs.iter_mut().enumerate() {
            let start = i as u64 * child_span;
            if *ptr == 0 || start + child_span <= from {
                continue;
            }
            let step = if start >= from {
                let mut subtree = Vec::new();
                self.collect(*ptr, level - 1, &mut subtree).map(|()| {
                    cleared.append(&mut subtree);
                    *ptr = 0;
                })
            } else {
                // The child writes its own pointers before handing its blocks over.
                self.trim(*ptr, level - 1, from - start, freed)
            };
            if let Err(e) = step {
                result = Err(e);
                break;
            }
        }

        if !cleared.is_empty() {
            let raw: Vec<u8> = ptrs.iter().flat_map(|p| p.to_le_bytes()).collect();
            let off = u64::from(block) * u64::from(self.vol.block_size());
            self.vol.write_bytes(off, &raw)?;
            freed.append(&mut cleared);
        }
        result
    }

    /// Frees everything inode `st` owns and the inode itself, after its last link and
    /// last user are gone (Linux's ext2_evict_inode and ext2_free_inode).
    pub(super) fn evict(&self, st: &mut InodeState) -> KResult<()> {
        if self.has_block_tree(&st.disk) {
            self.free_from(st, 0)?;
            st.disk.size = 0;
        }
        if st.disk.file_acl != 0 {
            self.release_xattr_block(st)?;
        }

        // Linux keeps the mode and clears the links; the deletion time marks it free.
        st.disk.dtime = now().sec as u32;
        st.disk.links_count = 0;
        st.dirty = true;
        self.write_inode(st)?;

        let is_dir = self.file_type() == FileType::Directory;
        self.vol
            .alloc
            .lock()
            .free_inode(&self.vol, self.ino, is_dir)
    }

    /// Drops this inode's reference to its extended attribute block, freeing the block
    /// with the last reference. A damaged block is left alone (fsck's to sort out).
    fn release_xattr_block(&self, st: &mut InodeState) -> KResult<()> {
        let block = st.disk.file_acl;
        let damaged = |what: &str| {
            log::warn!(
                "{}: ext2 inode {}: xattr block {block} {what}, not released",
                self.vol.dev.name(),
                self.ino
            );
            Ok(())
        };
        if !self.vol.block_in_range(block) {
            return damaged("out of range");
        }

        let off = u64::from(block) * u64::from(self.vol.block_size());
        let mut header = [0u8; 8];
        self.vol.read_bytes(off, &mut header)?;
        let magic = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let refcount = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if magic != XATTR_MAGIC || refcount == 0 {
            return damaged("damaged");
        }

        if refcount == 1 {
            self.free_blocks(&[block])?;
        } else {
            self.vol
                .write_bytes(off + 4, &(refcount - 1).to_le_bytes())?;
        }
        st.disk.file_acl = 0;
        st.disk.blocks = st.disk.blocks.saturating_sub(self.sectors_per_block());
        st.dirty = true;
        Ok(())
    }
}
