//! Directories: entries decoded and checked inside their blocks, lookup by a linear scan,
//! and `read_dir` positions that are byte offsets into the directory.
//!
//! A linear scan also reads directories with an htree index (`dir_index`): the index
//! blocks look like blocks holding one unused entry, and every name is in a leaf block.

use std::collections::HashMap;
use std::sync::Arc;

use super::inode::Ext2Inode;
use super::{le16, le32, NAME_MAX};
use crate::errno::{Errno, KResult};
use crate::fs::{DirEntry, FileType, Inode};

/// Bytes before the name: inode (4), rec_len (2), name_len (1) and file type (1).
const HEADER: usize = 8;

/// Smallest legal entry: the header and a name of up to 4 bytes, 4-byte aligned.
const MIN_REC_LEN: usize = 12;

/// Bytes of directory `lookup` asks the device for at once.
const LOOKUP_CHUNK_BYTES: usize = 64 * 1024;

/// Names of one directory and the inode numbers they stand for.
type DirIndex = HashMap<Vec<u8>, u32>;

/// Name indexes of recently searched directories, by inode number, bounded in bytes.
///
/// A writer must drop a directory's index when it changes the directory.
#[derive(Default)]
pub(super) struct DirIndexCache {
    indexes: HashMap<u32, (Arc<DirIndex>, usize)>,
    bytes: usize,
}

impl DirIndexCache {
    /// Bytes all indexes together may take.
    const MAX_BYTES: usize = 8 << 20;

    /// Estimated bytes of one index entry beyond its name (key, value, table slot).
    const ENTRY_OVERHEAD: usize = 48;

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

impl Ext2Inode {
    /// The directory's size after checking this is a directory made of whole blocks.
    fn dir_size(&self) -> KResult<u64> {
        if self.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }

        let size = self.disk.size;
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
    fn dir_block(&self, lblk: u64) -> KResult<Arc<Vec<u8>>> {
        if let Some((cached, block)) = &*self.last_dir_block.lock() {
            if *cached == lblk {
                return Ok(block.clone());
            }
        }

        let bs = u64::from(self.vol.block_size());
        let mut block = vec![0u8; bs as usize];
        self.read_data(lblk * bs, &mut block)?;
        let block = Arc::new(block);
        *self.last_dir_block.lock() = Some((lblk, block.clone()));
        Ok(block)
    }

    /// Calls `f` on every entry of the directory in order, until `f` returns a value.
    fn scan_all<T>(
        &self,
        size: u64,
        mut f: impl FnMut(u64, &RawEntry<'_>) -> Option<T>,
    ) -> KResult<Option<T>> {
        let bs = self.vol.block_size() as usize;
        let chunk = (LOOKUP_CHUNK_BYTES / bs).max(1) * bs;

        let mut buf = Vec::new();
        let mut off = 0u64;
        while off < size {
            buf.resize((size - off).min(chunk as u64) as usize, 0);
            self.read_data(off, &mut buf)?;

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
    ///
    /// The first lookup scans the whole directory and keeps a name index for the next
    /// ones; the path walk has no dentry cache, so every open through a big directory
    /// would otherwise read all of it again.
    pub(super) fn dir_lookup(&self, name: &[u8]) -> KResult<Arc<Ext2Inode>> {
        let size = self.dir_size()?;
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        if name.is_empty() {
            return Err(Errno::ENOENT);
        }

        let cached = self.vol.dir_indexes.lock().get(self.ino);
        if let Some(index) = cached {
            return match index.get(name) {
                Some(&ino) => self.vol.iget(ino),
                None => Err(Errno::ENOENT),
            };
        }

        // Index while scanning; a directory too big to keep is searched without one, and
        // the scan can then stop at the name.
        let mut index = Some(DirIndex::new());
        let mut cost = 0;
        let mut found = None;
        self.scan_all(size, |_, e| {
            if e.inode == 0 {
                return None;
            }
            if found.is_none() && e.name == name {
                found = Some(e.inode);
            }
            if let Some(map) = &mut index {
                cost += e.name.len() + DirIndexCache::ENTRY_OVERHEAD;
                if cost > DirIndexCache::MAX_BYTES {
                    index = None;
                } else {
                    // A damaged directory may repeat a name; the first one wins, as in a
                    // scan.
                    map.entry(e.name.to_vec()).or_insert(e.inode);
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
        match found {
            Some(ino) => self.vol.iget(ino),
            None => Err(Errno::ENOENT),
        }
    }

    /// The first used entry at or after byte `pos` and the byte offset just past it (the
    /// `Inode::read_dir` of ext2). A `pos` inside an entry, as a guest's lseek can leave,
    /// moves on to the next entry.
    pub(super) fn dir_read(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        let size = self.dir_size()?;
        let bs = u64::from(self.vol.block_size());

        let mut lblk = pos / bs;
        while lblk * bs < size {
            let block = self.dir_block(lblk)?;
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
