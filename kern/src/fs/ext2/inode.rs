//! Inodes: the on-disk record, block mapping through the indirect tree, file reads,
//! symlinks and `stat`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use super::{le16, le32, Volume, CORRUPT};
use crate::errno::{Errno, KResult};
use crate::fs::{DirEntry, FileType, Inode, Stat, Timespec};

/// Pointers in `i_block`: twelve direct, then single, double and triple indirect.
const N_BLOCKS: usize = 15;
const N_DIRECT: usize = 12;
const IND_SLOT: usize = 12;
const DIND_SLOT: usize = 13;
const TIND_SLOT: usize = 14;

/// Bytes of `i_block`, which holds a fast symlink's target instead of pointers.
const FAST_SYMLINK_MAX: usize = N_BLOCKS * 4;

/// Longest symlink target Linux accepts (`PATH_MAX` with its NUL).
const SYMLINK_MAX: u64 = 4096;

/// Bytes of the classic inode, after which the ext4-style extra fields may follow.
const GOOD_OLD_INODE_SIZE: usize = 128;

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

/// The fields of an on-disk inode this driver uses.
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
    /// Block pointers, or a fast symlink's target, or a device number.
    pub block: [u32; N_BLOCKS],
    /// Extended attribute block, 0 when none.
    pub file_acl: u32,
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

        // Inodes over 128 bytes may carry ext4's nanosecond words; `i_extra_isize` says
        // how many of the extra bytes are in use. A bad value means no extra fields.
        let extra_isize = if raw.len() > GOOD_OLD_INODE_SIZE {
            usize::from(le16(raw, 128))
        } else {
            0
        };
        let extra_end = GOOD_OLD_INODE_SIZE + extra_isize;
        let extra_ok = extra_isize % 4 == 0 && extra_end <= raw.len();
        let extra = |off: usize| (extra_ok && off + 4 <= extra_end).then(|| le32(raw, off));

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
            block,
            file_acl: le32(raw, 104),
        }
    }
}

/// Decoded indirect blocks of one inode, by block number.
struct IndirectCache {
    blocks: HashMap<u32, Vec<u32>>,
    capacity: usize,
}

/// An inode of a mounted ext2 file system.
pub struct Ext2Inode {
    pub(super) vol: Arc<Volume>,
    pub(super) ino: u32,
    pub(super) disk: DiskInode,
    file_type: FileType,
    indirect: Mutex<IndirectCache>,

    /// The directory block `read_dir` last decoded (logical block, contents): getdents
    /// walks a block entry by entry, one call per entry.
    pub(super) last_dir_block: Mutex<Option<(u64, Arc<Vec<u8>>)>>,
}

impl fmt::Debug for Ext2Inode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ext2Inode")
            .field("ino", &self.ino)
            .field("file_type", &self.file_type)
            .field("size", &self.disk.size)
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
            disk,
            file_type,
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
    fn rdev(&self) -> u64 {
        if !matches!(self.file_type, FileType::CharDevice | FileType::BlockDevice) {
            return 0;
        }

        // Old nodes keep an 8:8 number in i_block[0]; ones that need more use i_block[1]
        // with the 12:20 layout and leave i_block[0] zero.
        let (major, minor) = match self.disk.block {
            [old, ..] if old != 0 => ((old >> 8) & 0xff, old & 0xff),
            [_, new, ..] => ((new & 0xfff00) >> 8, (new & 0xff) | ((new >> 12) & 0xfff00)),
        };

        let (major, minor) = (u64::from(major), u64::from(minor));
        (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
    }

    /// Pointers per indirect block.
    fn ptrs_per_block(&self) -> u64 {
        u64::from(self.vol.block_size() / 4)
    }

    /// Where logical block `lblk` hangs in the pointer tree: the `i_block` slot, the index
    /// at each indirect level below it and the number of levels; `None` past what triple
    /// indirection reaches.
    fn block_path(&self, lblk: u64) -> Option<(usize, [usize; 3], usize)> {
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
    fn indirect_entry(&self, cache: &mut IndirectCache, block: u32, index: usize) -> KResult<u32> {
        if let Some(ptrs) = cache.blocks.get(&block) {
            return ptrs.get(index).copied().ok_or(CORRUPT);
        }

        let bs = self.vol.block_size();
        let mut raw = vec![0u8; bs as usize];
        self.vol
            .read_bytes(u64::from(block) * u64::from(bs), &mut raw)?;
        let ptrs: Vec<u32> = raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let entry = ptrs.get(index).copied().ok_or(CORRUPT)?;

        // Dropping everything when full is crude but bounded, and a sequential reader
        // refills only the few blocks it is still using.
        if cache.blocks.len() >= cache.capacity {
            cache.blocks.clear();
        }
        cache.blocks.insert(block, ptrs);
        Ok(entry)
    }

    /// The device block holding logical block `lblk`, or `None` for a hole.
    pub(super) fn map_block(&self, lblk: u64) -> KResult<Option<u32>> {
        let Some((slot, path, depth)) = self.block_path(lblk) else {
            return Err(self.corrupt(format_args!("logical block {lblk} beyond triple indirect")));
        };

        let mut block = self.disk.block[slot];
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
    pub(super) fn read_data(&self, off: u64, buf: &mut [u8]) -> KResult<()> {
        let bs = u64::from(self.vol.block_size());
        let end = off + buf.len() as u64;

        let mut pos = off;
        while pos < end {
            let lblk = pos / bs;
            let first = self.map_block(lblk)?;

            let blocks_wanted = (end - lblk * bs).div_ceil(bs);
            let mut run = 1;
            while run < blocks_wanted {
                let contiguous = match (first, self.map_block(lblk + run)?) {
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
    fn is_fast_symlink(&self) -> bool {
        let ea_sectors = if self.disk.file_acl != 0 {
            self.vol.block_size() / 512
        } else {
            0
        };
        self.disk.blocks <= ea_sectors
    }
}

impl Inode for Ext2Inode {
    fn stat(&self) -> KResult<Stat> {
        let d = &self.disk;
        Ok(Stat {
            dev: 0,
            ino: u64::from(self.ino),
            mode: u32::from(d.mode),
            nlink: u32::from(d.links_count),
            uid: d.uid,
            gid: d.gid,
            rdev: self.rdev(),
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

        let size = self.disk.size;
        if off >= size || buf.is_empty() {
            return Ok(0);
        }

        let n = (size - off).min(buf.len() as u64) as usize;
        self.read_data(off, &mut buf[..n])?;
        Ok(n)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let inode = self.dir_lookup(name)?;
        Ok(inode)
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        self.dir_read(pos)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        if self.file_type != FileType::Symlink {
            return Err(Errno::EINVAL);
        }

        let size = self.disk.size;
        let mut target = if self.is_fast_symlink() {
            if size > FAST_SYMLINK_MAX as u64 {
                return Err(self.corrupt(format_args!("fast symlink of {size} bytes")));
            }
            let bytes: Vec<u8> = self
                .disk
                .block
                .iter()
                .flat_map(|b| b.to_le_bytes())
                .collect();
            bytes[..size as usize].to_vec()
        } else {
            if size > SYMLINK_MAX || size > u64::from(self.vol.block_size()) {
                return Err(self.corrupt(format_args!("symlink of {size} bytes")));
            }
            let mut bytes = vec![0u8; size as usize];
            self.read_data(0, &mut bytes)?;
            bytes
        };

        // Linux reads the target as a C string, so a stray NUL ends it.
        if let Some(nul) = target.iter().position(|&b| b == 0) {
            target.truncate(nul);
        }
        Ok(target)
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
