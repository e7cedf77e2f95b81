//! Directories: entries decoded and checked inside their blocks, lookup by a linear scan
//! (remembered in a name index), `read_dir` positions that are byte offsets into the
//! directory, and the entry edits the namespace operations are built from.
//!
//! A linear scan also reads directories with an htree index (`dir_index`): the index
//! blocks look like blocks holding one unused entry, and every name is in a leaf block.
//! Like Linux's ext2, this driver does not maintain the index: the first change to such
//! a directory clears `EXT2_INDEX_FL`, after which it is an ordinary linear directory
//! (the old index blocks read as empty entries).
//!
//! Entries are inserted into the first block with room, splitting an entry's slack or
//! reusing an unused entry, else into a new block appended to the directory; removal
//! merges an entry into the one before it in its block, or marks the first entry of a
//! block unused. Entry offsets never move, so the name index can record them.

use std::collections::HashMap;
use std::sync::Arc;

use super::inode::{Ext2Inode, InodeState, INDEX_FL};
use super::{le16, le32, NAME_MAX};
use crate::errno::{Errno, KResult};
use crate::fs::{DirEntry, FileType, Inode};

/// Bytes before the name: inode (4), rec_len (2), name_len (1) and file type (1).
const HEADER: usize = 8;

/// Smallest legal entry: the header and a name of up to 4 bytes, 4-byte aligned.
const MIN_REC_LEN: usize = 12;

/// Bytes of directory `lookup` asks the device for at once.
const LOOKUP_CHUNK_BYTES: usize = 64 * 1024;

/// Where a name's entry is: the inode it names and the entry's byte offset in the
/// directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slot {
    /// The inode the entry names.
    pub ino: u32,
    /// Byte offset of the entry in the directory.
    pub off: u64,
}

/// Names of one directory and where their entries are.
type DirIndex = HashMap<Vec<u8>, Slot>;

/// Name indexes of recently searched directories, by inode number, bounded in bytes.
///
/// Writers keep a directory's index up to date (under the directory's lock) or drop it.
#[derive(Default)]
pub(super) struct DirIndexCache {
    indexes: HashMap<u32, (Arc<DirIndex>, usize)>,
    bytes: usize,
}

impl DirIndexCache {
    /// Bytes all indexes together may take.
    const MAX_BYTES: usize = 8 << 20;

    /// Estimated bytes of one index entry beyond its name (key, value, table slot).
    const ENTRY_OVERHEAD: usize = 56;

    /// The index of directory `ino`, if one is kept.
    fn get(&self, ino: u32) -> Option<Arc<DirIndex>> {
        self.indexes.get(&ino).map(|(index, _)| index.clone())
    }

    /// Keeps `index` for directory `ino`, evicting others to stay within the bound.
    fn insert(&mut self, ino: u32, index: Arc<DirIndex>, cost: usize) {
        if cost > Self::MAX_BYTES {
            return;
        }

        while self.bytes + cost > Self::MAX_BYTES {
            let Some(&victim) = self.indexes.keys().next() else {
                break;
            };
            if let Some((_, freed)) = self.indexes.remove(&victim) {
                self.bytes -= freed;
            }
        }

        if let Some((_, old)) = self.indexes.insert(ino, (index, cost)) {
            self.bytes -= old;
        }
        self.bytes += cost;
    }

    /// Records `name` → `slot` in directory `dir`'s index, if one is kept.
    fn add_name(&mut self, dir: u32, name: &[u8], slot: Slot) {
        let add = name.len() + Self::ENTRY_OVERHEAD;
        if self.bytes + add > Self::MAX_BYTES {
            self.forget(dir);
            return;
        }
        if let Some((index, cost)) = self.indexes.get_mut(&dir) {
            // Nobody else holds the index while the directory's lock is held for writing,
            // so this does not copy it.
            if Arc::make_mut(index).insert(name.to_vec(), slot).is_none() {
                *cost += add;
                self.bytes += add;
            }
        }
    }

    /// Drops `name` from directory `dir`'s index, if one is kept.
    fn remove_name(&mut self, dir: u32, name: &[u8]) {
        if let Some((index, cost)) = self.indexes.get_mut(&dir) {
            if Arc::make_mut(index).remove(name).is_some() {
                let sub = name.len() + Self::ENTRY_OVERHEAD;
                *cost -= sub;
                self.bytes -= sub;
            }
        }
    }

    /// Drops directory `dir`'s index.
    pub(super) fn forget(&mut self, dir: u32) {
        if let Some((_, cost)) = self.indexes.remove(&dir) {
            self.bytes -= cost;
        }
    }
}

/// One entry as it sits in a directory block.
struct RawEntry<'a> {
    /// Inode number; 0 marks an unused entry.
    inode: u32,
    /// Bytes from this entry to the next.
    rec_len: usize,
    /// The entry's name.
    name: &'a [u8],
    /// The type byte, when the file system has the filetype feature.
    file_type: Option<u8>,
}

/// Decodes the entry at byte `at` of `block` and checks it stays inside the block and
/// names an inode that can exist; the error says what is wrong.
fn parse_entry(
    block: &[u8],
    at: usize,
    has_filetype: bool,
    max_ino: u32,
) -> Result<RawEntry<'_>, String> {
    if at + HEADER > block.len() {
        return Err("entry header crosses the block end".into());
    }

    let inode = le32(block, at);

    // A 64 KiB block's one-entry rec_len does not fit in 16 bits; ext4 spells it 0 or
    // 65535. Anywhere else 0 is damage, and would spin a scan in place.
    let mut rec_len = usize::from(le16(block, at + 4));
    if block.len() == 1 << 16 && (rec_len == 0 || rec_len == 0xffff) {
        rec_len = 1 << 16;
    }
    if rec_len < MIN_REC_LEN || rec_len % 4 != 0 {
        return Err(format!("bad rec_len {rec_len}"));
    }
    if at + rec_len > block.len() {
        return Err(format!("rec_len {rec_len} crosses the block end"));
    }

    // Without the filetype feature the type byte is the high byte of a 16-bit length.
    let (name_len, file_type) = if has_filetype {
        (usize::from(block[at + 6]), Some(block[at + 7]))
    } else {
        (usize::from(le16(block, at + 6)), None)
    };
    if name_len > NAME_MAX || HEADER + name_len > rec_len {
        return Err(format!(
            "name length {name_len} does not fit rec_len {rec_len}"
        ));
    }
    if inode > max_ino {
        return Err(format!("entry names inode {inode}, out of range"));
    }
    if inode != 0 && name_len == 0 {
        return Err(format!("entry for inode {inode} has an empty name"));
    }

    let name = &block[at + HEADER..at + HEADER + name_len];
    Ok(RawEntry {
        inode,
        rec_len,
        name,
        file_type,
    })
}

/// The file type an entry's type byte records, if it records a known one.
fn dirent_file_type(byte: u8) -> Option<FileType> {
    Some(match byte {
        1 => FileType::Regular,
        2 => FileType::Directory,
        3 => FileType::CharDevice,
        4 => FileType::BlockDevice,
        5 => FileType::Fifo,
        6 => FileType::Socket,
        7 => FileType::Symlink,
        _ => return None,
    })
}

/// The type byte an entry for `file_type` records (the inverse of `dirent_file_type`).
fn dirent_type_byte(file_type: FileType) -> u8 {
    match file_type {
        FileType::Regular => 1,
        FileType::Directory => 2,
        FileType::CharDevice => 3,
        FileType::BlockDevice => 4,
        FileType::Fifo => 5,
        FileType::Socket => 6,
        FileType::Symlink => 7,
    }
}

/// Bytes an entry with a `name_len`-byte name takes.
pub(super) fn entry_size(name_len: usize) -> usize {
    (HEADER + name_len + 3) & !3
}

/// `rec_len` as stored: 65536 does not fit in 16 bits and is spelled 65535, as Linux
/// and e2fsprogs do.
fn rec_len_to_disk(len: usize) -> u16 {
    if len >= 1 << 16 {
        0xffff
    } else {
        len as u16
    }
}

/// Writes an entry header and name at byte `at` of `block`.
fn put_entry(block: &mut [u8], at: usize, entry: (u32, usize, &[u8], u8), has_filetype: bool) {
    let (inode, rec_len, name, type_byte) = entry;
    block[at..at + 4].copy_from_slice(&inode.to_le_bytes());
    block[at + 4..at + 6].copy_from_slice(&rec_len_to_disk(rec_len).to_le_bytes());
    if has_filetype {
        block[at + 6] = name.len() as u8;
        block[at + 7] = type_byte;
    } else {
        block[at + 6..at + 8].copy_from_slice(&(name.len() as u16).to_le_bytes());
    }
    block[at + HEADER..at + HEADER + name.len()].copy_from_slice(name);
}

/// How big an entry `entry` leaves room for: all of an unused one, the slack after the
/// name of a used one.
fn entry_room(entry: &RawEntry<'_>) -> usize {
    if entry.inode == 0 {
        entry.rec_len
    } else {
        entry.rec_len.saturating_sub(entry_size(entry.name.len()))
    }
}

/// The first block of a new directory: "." and "..".
pub(super) fn new_dir_block(bs: usize, ino: u32, parent: u32, has_filetype: bool) -> Vec<u8> {
    let mut block = vec![0u8; bs];
    let type_byte = dirent_type_byte(FileType::Directory);
    put_entry(
        &mut block,
        0,
        (ino, MIN_REC_LEN, b".", type_byte),
        has_filetype,
    );
    put_entry(
        &mut block,
        MIN_REC_LEN,
        (parent, bs - MIN_REC_LEN, b"..", type_byte),
        has_filetype,
    );
    block
}

impl Ext2Inode {
    /// The directory's size after checking this is a directory made of whole blocks.
    fn dir_size(&self, st: &InodeState) -> KResult<u64> {
        if self.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }

        let size = st.disk.size;
        let bs = u64::from(self.vol.block_size());
        if !size.is_multiple_of(bs) {
            return Err(self.corrupt(format_args!("directory size {size} is not whole blocks")));
        }
        Ok(size)
    }

    /// Calls `f` on each entry of `block` (which starts at byte `base` of the directory)
    /// with the entry's byte offset, until `f` returns a value.
    fn scan_block<T>(
        &self,
        block: &[u8],
        base: u64,
        f: &mut impl FnMut(u64, &RawEntry<'_>) -> Option<T>,
    ) -> KResult<Option<T>> {
        let has_filetype = self.vol.sb.has_filetype();
        let max_ino = self.vol.sb.inodes_count;

        // Each entry is at least MIN_REC_LEN bytes, so this ends within the block.
        let mut at = 0;
        while at < block.len() {
            let entry = parse_entry(block, at, has_filetype, max_ino).map_err(|why| {
                let off = base + at as u64;
                self.corrupt(format_args!("directory entry at byte {off}: {why}"))
            })?;
            if let Some(found) = f(base + at as u64, &entry) {
                return Ok(Some(found));
            }
            at += entry.rec_len;
        }
        Ok(None)
    }

    /// Logical block `lblk` of this directory, reusing the block the last call decoded.
    fn dir_block(&self, st: &InodeState, lblk: u64) -> KResult<Arc<Vec<u8>>> {
        if let Some((cached, block)) = &*self.last_dir_block.lock() {
            if *cached == lblk {
                return Ok(block.clone());
            }
        }

        let block = Arc::new(self.read_dir_block(st, lblk)?);
        *self.last_dir_block.lock() = Some((lblk, block.clone()));
        Ok(block)
    }

    /// Reads logical block `lblk` of this directory from the device.
    fn read_dir_block(&self, st: &InodeState, lblk: u64) -> KResult<Vec<u8>> {
        let bs = u64::from(self.vol.block_size());
        let mut block = vec![0u8; bs as usize];
        self.read_data(&st.disk, lblk * bs, &mut block)?;
        Ok(block)
    }

    /// Writes logical block `lblk` of this directory; a hole there is damage.
    fn write_dir_block(&self, st: &InodeState, lblk: u64, block: &[u8]) -> KResult<()> {
        let Some(pblk) = self.map_block(&st.disk, lblk)? else {
            return Err(self.corrupt(format_args!("hole at directory block {lblk}")));
        };
        let bs = u64::from(self.vol.block_size());
        self.vol.write_bytes(u64::from(pblk) * bs, block)
    }

    /// Calls `f` on every entry of the directory in order, until `f` returns a value.
    fn scan_all<T>(
        &self,
        st: &InodeState,
        size: u64,
        mut f: impl FnMut(u64, &RawEntry<'_>) -> Option<T>,
    ) -> KResult<Option<T>> {
        let bs = self.vol.block_size() as usize;
        let chunk = (LOOKUP_CHUNK_BYTES / bs).max(1) * bs;

        let mut buf = Vec::new();
        let mut off = 0u64;
        while off < size {
            buf.resize((size - off).min(chunk as u64) as usize, 0);
            self.read_data(&st.disk, off, &mut buf)?;

            for (i, block) in buf.chunks(bs).enumerate() {
                let base = off + (i * bs) as u64;
                if let Some(found) = self.scan_block(block, base, &mut f)? {
                    return Ok(Some(found));
                }
            }

            off += buf.len() as u64;
        }
        Ok(None)
    }

    /// Finds `name` in this directory (the `Inode::lookup` of ext2).
    pub(super) fn dir_lookup(&self, name: &[u8]) -> KResult<Arc<Ext2Inode>> {
        let st = self.state.read();
        match self.dir_find(&st, name)? {
            Some(slot) => self.vol.iget(slot.ino),
            None => Err(Errno::ENOENT),
        }
    }

    /// Where `name`'s entry is in this directory, if it has one.
    ///
    /// The first search scans the whole directory and keeps a name index for the next
    /// ones; the path walk has no dentry cache, so every open through a big directory
    /// would otherwise read all of it again. Writers keep the index current.
    pub(super) fn dir_find(&self, st: &InodeState, name: &[u8]) -> KResult<Option<Slot>> {
        let size = self.dir_size(st)?;
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        if name.is_empty() {
            return Ok(None);
        }

        let cached = self.vol.dir_indexes.lock().get(self.ino);
        if let Some(index) = cached {
            return Ok(index.get(name).copied());
        }

        // Index while scanning; a directory too big to keep is searched without one, and
        // the scan can then stop at the name.
        let mut index = Some(DirIndex::new());
        let mut cost = 0;
        let mut found = None;
        self.scan_all(st, size, |off, e| {
            if e.inode == 0 {
                return None;
            }
            let slot = Slot { ino: e.inode, off };
            if found.is_none() && e.name == name {
                found = Some(slot);
            }
            if let Some(map) = &mut index {
                cost += e.name.len() + DirIndexCache::ENTRY_OVERHEAD;
                if cost > DirIndexCache::MAX_BYTES {
                    index = None;
                } else {
                    // A damaged directory may repeat a name; the first one wins, as in a
                    // scan.
                    map.entry(e.name.to_vec()).or_insert(slot);
                }
            }
            (index.is_none() && found.is_some()).then_some(())
        })?;

        if let Some(map) = index {
            self.vol
                .dir_indexes
                .lock()
                .insert(self.ino, Arc::new(map), cost);
        }
        Ok(found)
    }

    /// The first used entry at or after byte `pos` and the byte offset just past it (the
    /// `Inode::read_dir` of ext2). A `pos` inside an entry, as a guest's lseek can leave,
    /// moves on to the next entry.
    pub(super) fn dir_read(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        let st = self.state.read();
        let size = self.dir_size(&st)?;
        let bs = u64::from(self.vol.block_size());

        let mut lblk = pos / bs;
        while lblk * bs < size {
            let block = self.dir_block(&st, lblk)?;
            let base = lblk * bs;
            let found = self.scan_block(&block, base, &mut |off, e| {
                (off >= pos && e.inode != 0).then(|| {
                    let entry = DirEntry {
                        ino: u64::from(e.inode),
                        file_type: e.file_type.and_then(dirent_file_type),
                        name: e.name.to_vec(),
                    };
                    (entry, off + e.rec_len as u64)
                })
            })?;
            if found.is_some() {
                return Ok(found);
            }
            lblk += 1;
        }
        Ok(None)
    }

    /// The biggest entry `block` has room for.
    fn block_room(&self, block: &[u8], base: u64) -> KResult<u32> {
        let mut room = 0;
        self.scan_block(block, base, &mut |_, e| {
            room = room.max(entry_room(e));
            None::<()>
        })?;
        Ok(room as u32)
    }

    /// The room of every block, computed on first use.
    fn room_table<'a>(&self, st: &'a mut InodeState) -> KResult<&'a mut Vec<u32>> {
        if st.dir_room.is_none() {
            let size = self.dir_size(st)?;
            let bs = u64::from(self.vol.block_size());
            let mut rooms = vec![0u32; (size / bs) as usize];
            self.scan_all(st, size, |off, e| {
                let room = &mut rooms[(off / bs) as usize];
                *room = (*room).max(entry_room(e) as u32);
                None::<()>
            })?;
            st.dir_room = Some(rooms);
        }
        st.dir_room.as_mut().ok_or(Errno::EIO)
    }

    /// Makes sure some block can take an entry with a `name_len`-byte name: returns that
    /// block, and whether it was appended for this (`dir_unreserve` takes it back).
    pub(super) fn dir_reserve(&self, st: &mut InodeState, name_len: usize) -> KResult<(u64, bool)> {
        let need = entry_size(name_len) as u32;
        if let Some(lblk) = self.room_table(st)?.iter().position(|&room| room >= need) {
            return Ok((lblk as u64, false));
        }

        // Directory sizes are 32 bits (the high word is something else for them).
        let bs = u64::from(self.vol.block_size());
        let size = self.dir_size(st)?;
        if size + bs > u64::from(u32::MAX) {
            return Err(Errno::ENOSPC);
        }

        // A new block holding one unused entry is a valid directory block on its own.
        let lblk = size / bs;
        let (pblk, _) = self.get_block_create(st, lblk)?;
        let mut block = vec![0u8; bs as usize];
        put_entry(
            &mut block,
            0,
            (0, bs as usize, b"", 0),
            self.vol.sb.has_filetype(),
        );
        if let Err(e) = self.vol.write_bytes(u64::from(pblk) * bs, &block) {
            self.free_from(st, size)?;
            return Err(e);
        }
        st.disk.size = size + bs;
        st.dirty = true;
        self.room_table(st)?.push(bs as u32);
        Ok((lblk, true))
    }

    /// Takes back the block `dir_reserve` appended, when the operation failed after all.
    pub(super) fn dir_unreserve(&self, st: &mut InodeState, reserved: (u64, bool)) -> KResult<()> {
        let (lblk, appended) = reserved;
        if !appended {
            return Ok(());
        }

        let bs = u64::from(self.vol.block_size());
        self.free_from(st, lblk * bs)?;
        st.disk.size = lblk * bs;
        st.dirty = true;
        if let Some(rooms) = &mut st.dir_room {
            rooms.truncate(lblk as usize);
        }
        Ok(())
    }

    /// Adds the entry `name` → `ino` of type `file_type` to block `lblk`, which
    /// `dir_reserve` found room in.
    pub(super) fn dir_commit(
        &self,
        st: &mut InodeState,
        lblk: u64,
        name: &[u8],
        ino: u32,
        file_type: FileType,
    ) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        let has_filetype = self.vol.sb.has_filetype();
        let type_byte = if has_filetype {
            dirent_type_byte(file_type)
        } else {
            0
        };
        let need = entry_size(name.len());

        // First fit: an unused entry big enough, or a used one with enough slack.
        let mut block = self.read_dir_block(st, lblk)?;
        let base = lblk * bs;
        let fit = self.scan_block(&block, base, &mut |off, e| {
            (entry_room(e) >= need).then(|| {
                let at = (off - base) as usize;
                (at, e.inode, e.rec_len, entry_size(e.name.len()))
            })
        })?;
        let Some((at, used, rec_len, used_size)) = fit else {
            return Err(self.corrupt(format_args!("directory block {lblk} has no room")));
        };

        let new_at = if used == 0 {
            put_entry(
                &mut block,
                at,
                (ino, rec_len, name, type_byte),
                has_filetype,
            );
            at
        } else {
            let new_at = at + used_size;
            block[at + 4..at + 6].copy_from_slice(&rec_len_to_disk(used_size).to_le_bytes());
            let entry = (ino, rec_len - used_size, name, type_byte);
            put_entry(&mut block, new_at, entry, has_filetype);
            new_at
        };
        self.write_dir_block(st, lblk, &block)?;

        let room = self.block_room(&block, base)?;
        if let Some(slot) = st.dir_room.as_mut().and_then(|r| r.get_mut(lblk as usize)) {
            *slot = room;
        }
        let slot = Slot {
            ino,
            off: base + new_at as u64,
        };
        self.vol.dir_indexes.lock().add_name(self.ino, name, slot);
        self.dir_changed(st);
        Ok(())
    }

    /// Reads the block holding the entry at byte `off`, checking the entry there is
    /// `name`; returns the block, the entry's position in it and the previous entry's.
    fn entry_at(
        &self,
        st: &InodeState,
        off: u64,
        name: &[u8],
    ) -> KResult<(Vec<u8>, usize, Option<usize>)> {
        let bs = u64::from(self.vol.block_size());
        let (lblk, base) = (off / bs, off / bs * bs);
        let block = self.read_dir_block(st, lblk)?;

        let mut prev = None;
        let found = self.scan_block(&block, base, &mut |at, e| {
            if at == off {
                return Some(e.inode != 0 && e.name == name);
            }
            prev = Some((at - base) as usize);
            None
        })?;
        if found != Some(true) {
            // The index disagrees with the directory: drop it, and fail this operation.
            self.vol.dir_indexes.lock().forget(self.ino);
            return Err(self.corrupt(format_args!("no entry for the name at byte {off}")));
        }
        Ok((block, (off - base) as usize, prev))
    }

    /// Removes the entry `name` at byte `off` (which `dir_find` returned).
    pub(super) fn dir_remove(&self, st: &mut InodeState, off: u64, name: &[u8]) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        let (mut block, at, prev) = self.entry_at(st, off, name)?;
        let rec_len = parse_rec_len(&block, at);

        // Merge into the previous entry; the first entry of a block just goes unused.
        block[at..at + 4].fill(0);
        if let Some(prev) = prev {
            let merged = (at - prev) + rec_len;
            block[prev + 4..prev + 6].copy_from_slice(&rec_len_to_disk(merged).to_le_bytes());
        }
        self.write_dir_block(st, off / bs, &block)?;

        let room = self.block_room(&block, off / bs * bs)?;
        if let Some(slot) = st
            .dir_room
            .as_mut()
            .and_then(|r| r.get_mut((off / bs) as usize))
        {
            *slot = room;
        }
        self.vol.dir_indexes.lock().remove_name(self.ino, name);
        self.dir_changed(st);
        Ok(())
    }

    /// Points the entry `name` at byte `off` at inode `ino` of type `file_type` (rename
    /// over an existing name, exchange, and a moved directory's "..").
    pub(super) fn dir_set(
        &self,
        st: &mut InodeState,
        off: u64,
        name: &[u8],
        ino: u32,
        file_type: FileType,
    ) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        let (mut block, at, _) = self.entry_at(st, off, name)?;
        block[at..at + 4].copy_from_slice(&ino.to_le_bytes());
        if self.vol.sb.has_filetype() {
            block[at + 7] = dirent_type_byte(file_type);
        }
        self.write_dir_block(st, off / bs, &block)?;

        self.vol
            .dir_indexes
            .lock()
            .add_name(self.ino, name, Slot { ino, off });
        self.dir_changed(st);
        Ok(())
    }

    /// Whether the directory holds nothing but "." and "..".
    pub(super) fn dir_is_empty(&self, st: &InodeState) -> KResult<bool> {
        let size = self.dir_size(st)?;
        let other = self.scan_all(st, size, |_, e| {
            (e.inode != 0 && e.name != b"." && e.name != b"..").then_some(())
        })?;
        Ok(other.is_none())
    }

    /// Bookkeeping after a change of entries: times, the htree flag (the index is not
    /// maintained, so it must go), and the block `read_dir` keeps.
    fn dir_changed(&self, st: &mut InodeState) {
        Self::touch(st);
        st.disk.flags &= !INDEX_FL;
        *self.last_dir_block.lock() = None;
    }
}

/// The decoded rec_len of the entry at `at` (65536 spelled as 0 or 65535 in a 64 KiB
/// block).
fn parse_rec_len(block: &[u8], at: usize) -> usize {
    let len = usize::from(le16(block, at + 4));
    if block.len() == 1 << 16 && (len == 0 || len == 0xffff) {
        1 << 16
    } else {
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(inode: u32, rec_len: u16, name: &[u8], file_type: u8) -> Vec<u8> {
        let mut e = inode.to_le_bytes().to_vec();
        e.extend_from_slice(&rec_len.to_le_bytes());
        e.push(name.len() as u8);
        e.push(file_type);
        e.extend_from_slice(name);
        e.resize(usize::from(rec_len), 0);
        e
    }

    #[test]
    fn parses_a_good_entry() {
        let block = [entry(12, 16, b"hello", 1), entry(0, 1008, b"", 0)].concat();
        let e = parse_entry(&block, 0, true, 100).expect("good entry");
        assert_eq!(
            (e.inode, e.rec_len, e.name, e.file_type),
            (12, 16, &b"hello"[..], Some(1))
        );
        let e = parse_entry(&block, 16, true, 100).expect("unused entry");
        assert_eq!((e.inode, e.rec_len), (0, 1008));
    }

    #[test]
    fn rejects_damaged_entries() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (entry(12, 0, b"", 1), "bad rec_len 0"),
            (entry(12, 14, b"a", 1), "bad rec_len 14"),
            (entry(12, 8, b"", 1), "bad rec_len 8"),
            (entry(12, 12, b"toolong", 1), "does not fit"),
            (entry(500, 12, b"a", 1), "out of range"),
            (entry(5, 12, b"", 1), "empty name"),
        ];
        for (mut block, want) in cases {
            block.resize(1024, 0);
            let got = parse_entry(&block, 0, true, 100).err().unwrap_or_default();
            assert!(got.contains(want), "got {got:?}, want {want:?}");
        }

        let block = entry(12, 1028, b"x", 1);
        let got = parse_entry(&block[..1024], 0, true, 100)
            .err()
            .unwrap_or_default();
        assert!(got.contains("crosses the block end"), "{got}");
        let got = parse_entry(&block[..1024], 1020, true, 100)
            .err()
            .unwrap_or_default();
        assert!(got.contains("header crosses"), "{got}");
    }

    #[test]
    fn reads_16_bit_name_lengths_without_filetype() {
        let mut block = entry(12, 1024, b"", 0);
        block[6..8].copy_from_slice(&300u16.to_le_bytes());
        let got = parse_entry(&block, 0, false, 100).err().unwrap_or_default();
        assert!(got.contains("name length 300"), "{got}");
    }

    #[test]
    fn spells_a_64k_rec_len_as_zero() {
        let mut block = entry(0, 12, b"", 0);
        block[4..6].copy_from_slice(&0u16.to_le_bytes());
        block.resize(1 << 16, 0);
        let e = parse_entry(&block, 0, true, 100).expect("64 KiB entry");
        assert_eq!(e.rec_len, 1 << 16);
    }
}
