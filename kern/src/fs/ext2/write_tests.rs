//! Tests of the write side against real images: mke2fs builds them, the driver changes
//! them over an in-memory device, and e2fsck (`-fn`, which must find nothing) and
//! debugfs (which must read back what the driver wrote) judge the result.
//!
//! Without e2fsprogs installed the image tests say so and pass.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use parking_lot::Mutex;

use super::inode::INDEX_FL;
use super::*;
use crate::fs::{FileType, NewInode, SetAttr, Timespec};

/// A block device over memory that takes writes (unless made read-only).
struct RamDisk {
    data: Mutex<Vec<u8>>,
    writable: bool,
    flushes: AtomicU64,
    /// Every this many writes one fails with EIO (0: none do).
    fail_every: AtomicU64,
    writes: AtomicU64,
}

impl RamDisk {
    fn new(data: Vec<u8>) -> Arc<RamDisk> {
        Arc::new(RamDisk {
            data: Mutex::new(data),
            writable: true,
            flushes: AtomicU64::new(0),
            fail_every: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        })
    }

    fn read_only(data: Vec<u8>) -> Arc<RamDisk> {
        Arc::new(RamDisk {
            data: Mutex::new(data),
            writable: false,
            flushes: AtomicU64::new(0),
            fail_every: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        })
    }

    fn image(&self) -> Vec<u8> {
        self.data.lock().clone()
    }
}

impl BlockDevice for RamDisk {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<()> {
        let data = self.data.lock();
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EIO)?;
        if end > data.len() as u64 {
            return Err(Errno::EIO);
        }
        buf.copy_from_slice(&data[off as usize..end as usize]);
        Ok(())
    }

    fn write_at(&self, off: u64, buf: &[u8]) -> KResult<()> {
        if !self.writable {
            return Err(Errno::EROFS);
        }
        let n = self.writes.fetch_add(1, Ordering::Relaxed) + 1;
        let every = self.fail_every.load(Ordering::Relaxed);
        if every != 0 && n.is_multiple_of(every) {
            return Err(Errno::EIO);
        }
        let mut data = self.data.lock();
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EIO)?;
        if end > data.len() as u64 {
            return Err(Errno::ENOSPC);
        }
        data[off as usize..end as usize].copy_from_slice(buf);
        Ok(())
    }

    fn size_bytes(&self) -> u64 {
        self.data.lock().len() as u64
    }

    fn flush(&self) -> KResult<()> {
        self.flushes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn name(&self) -> &str {
        "ubdw"
    }
}

/// Deterministic pseudo-random numbers (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out: Vec<u8> = (0..len.div_ceil(8))
            .flat_map(|_| self.next().to_le_bytes())
            .collect();
        out.truncate(len);
        out
    }
}

fn tool(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/sbin", "/usr/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
}

/// Whether mke2fs, e2fsck and debugfs are all there (else the image tests skip).
fn have_tools() -> bool {
    let ok = ["mke2fs", "e2fsck", "debugfs"]
        .iter()
        .all(|t| tool(t).is_some());
    if !ok {
        eprintln!("skipping ext2 write tests: e2fsprogs not installed");
    }
    ok
}

/// A fresh scratch directory for one test.
fn scratch(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kern-ext2w-{}-{tag}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("mkdir scratch");
    dir
}

/// Builds an image of `kib` KiB with `block_size`-byte blocks and `extra` mke2fs
/// arguments, filled from what `fill` puts in a directory.
fn mkfs(block_size: u32, kib: u32, extra: &[&str], fill: impl FnOnce(&Path)) -> Vec<u8> {
    let work = scratch("mkfs");
    let src = work.join("src");
    fs::create_dir_all(&src).expect("mkdir src");
    fill(&src);

    let img = work.join("image");
    let out = Command::new(tool("mke2fs").expect("mke2fs"))
        .args(["-q", "-F", "-t", "ext2", "-b", &block_size.to_string()])
        .args(extra)
        .arg("-d")
        .arg(&src)
        .arg(&img)
        .arg(format!("{kib}k"))
        .output()
        .expect("run mke2fs");
    assert!(
        out.status.success(),
        "mke2fs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let image = fs::read(&img).expect("read image");
    let _ = fs::remove_dir_all(&work);
    image
}

/// An image written to a host file once, for e2fsck and debugfs to look at.
struct Snapshot {
    image: Vec<u8>,
    dir: PathBuf,
    path: PathBuf,
}

impl Snapshot {
    fn new(image: Vec<u8>) -> Snapshot {
        let dir = scratch("image");
        let path = dir.join("image");
        fs::write(&path, &image).expect("write image");
        Snapshot { image, dir, path }
    }

    /// Runs e2fsck with `args`; returns the exit code and the output.
    fn fsck(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(tool("e2fsck").expect("e2fsck"))
            .args(args)
            .arg(&self.path)
            .output()
            .expect("run e2fsck");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap_or(-1), text)
    }

    /// Asserts `e2fsck -fn` finds nothing at all to fix.
    fn assert_clean(&self, what: &str) {
        let (code, text) = self.fsck(&["-fn"]);
        let complaint = text.contains("? no") || text.contains("WARNING") || text.contains("wrong");
        assert!(
            code == 0 && !complaint,
            "{what}: e2fsck -fn exited {code}:\n{text}"
        );
    }

    /// Runs one debugfs request; returns its standard output.
    fn debugfs(&self, request: &str) -> Vec<u8> {
        let out = Command::new(tool("debugfs").expect("debugfs"))
            .args(["-R", request])
            .arg(&self.path)
            .output()
            .expect("run debugfs");
        out.stdout
    }

    /// Entries of directory `path` as `debugfs ls -l` lists them: name to inode number
    /// and size (the size column is "major, minor" for device nodes), without "." and
    /// "..", and without unused entries (inode 0), which debugfs lists with whatever
    /// name they kept.
    fn ls_l(&self, path: &str) -> BTreeMap<String, (u64, String)> {
        let out = String::from_utf8_lossy(&self.debugfs(&format!("ls -l {path}"))).into_owned();
        out.lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let ino = fields.first()?.parse::<u64>().ok()?;
                let name = fields.last()?.to_string();
                let size = fields.get(5)?.to_string();
                (ino != 0 && name != "." && name != "..").then_some((name, (ino, size)))
            })
            .collect()
    }

    /// Names in directory `path` as `debugfs ls -l` lists them.
    fn names(&self, path: &str) -> BTreeSet<String> {
        self.ls_l(path).into_keys().collect()
    }

    /// The whole tree as `debugfs rdump` writes it out: directories, and regular files
    /// with their contents (lost+found left out).
    fn rdump(&self) -> (BTreeSet<String>, BTreeMap<String, Vec<u8>>) {
        let dest = self.dir.join("dump");
        fs::create_dir_all(&dest).expect("mkdir dump");
        self.debugfs(&format!("rdump / {}", dest.display()));

        let mut dirs = BTreeSet::new();
        let mut files = BTreeMap::new();
        let mut stack = vec![(dest.clone(), String::new())];
        while let Some((host, rel)) = stack.pop() {
            for entry in fs::read_dir(&host).expect("read dump") {
                let entry = entry.expect("dump entry");
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = join(&rel, &name);
                let kind = entry.file_type().expect("file type");
                if kind.is_dir() && path != "lost+found" {
                    dirs.insert(path.clone());
                    stack.push((entry.path(), path));
                } else if kind.is_file() {
                    files.insert(path, fs::read(entry.path()).expect("read dumped file"));
                }
            }
        }
        (dirs, files)
    }

    /// The image as it is in the host file now (after an e2fsck that wrote to it).
    fn reread(&self) -> Vec<u8> {
        fs::read(&self.path).expect("read image")
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Asserts `e2fsck -fn` finds nothing at all to fix in `image`.
fn assert_fsck_clean(image: &[u8], what: &str) {
    Snapshot::new(image.to_vec()).assert_clean(what);
}

const T0: Timespec = Timespec {
    sec: 1_700_000_000,
    nsec: 123_456_789,
};

fn new_inode(mode: u32) -> NewInode {
    NewInode {
        mode,
        uid: 1000,
        gid: 100,
        rdev: 0,
        now: T0,
    }
}

fn file(perm: u32) -> NewInode {
    new_inode(0o100000 | perm)
}

fn dir(perm: u32) -> NewInode {
    new_inode(0o040000 | perm)
}

fn mount_rw(image: Vec<u8>) -> (Arc<RamDisk>, Arc<Ext2Fs>) {
    let dev = RamDisk::new(image);
    let fs = Ext2Fs::mount(dev.clone()).expect("mount");
    assert!(!fs.read_only());
    (dev, fs)
}

/// Syncs `fs`, checks the image with e2fsck and returns it.
fn sync_and_check(fs: &Ext2Fs, dev: &RamDisk, what: &str) -> Snapshot {
    fs.sync().expect("sync");
    let snap = Snapshot::new(dev.image());
    snap.assert_clean(what);
    snap
}

/// Walks `path` ("a/b/c") from the root.
fn resolve(fs: &Ext2Fs, path: &str) -> KResult<Arc<dyn Inode>> {
    let mut inode = fs.root();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        inode = inode.lookup(part.as_bytes())?;
    }
    Ok(inode)
}

/// The directory holding `path` and the last component.
fn parent_of<'a>(fs: &Ext2Fs, path: &'a str) -> (Arc<dyn Inode>, &'a [u8]) {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    (resolve(fs, dir).expect("parent"), name.as_bytes())
}

fn read_all(inode: &dyn Inode) -> Vec<u8> {
    let size = inode.stat().expect("stat").size as usize;
    let mut buf = vec![0u8; size + 10];
    let n = inode.read_at(0, &mut buf).expect("read");
    assert_eq!(n, size);
    buf.truncate(n);
    buf
}

/// Names in a directory through the driver, without "." and "..".
fn names(dir: &dyn Inode) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut pos = 0;
    while let Some((entry, next)) = dir.read_dir(pos).expect("read_dir") {
        let name = String::from_utf8(entry.name).expect("utf-8 name");
        if name != "." && name != ".." {
            out.insert(name);
        }
        pos = next;
    }
    out
}

/// Images every basic test runs on: 1 KiB and 4 KiB blocks, with and without dir_index.
fn configs() -> Vec<(&'static str, u32, Vec<&'static str>)> {
    vec![
        ("1k", 1024, vec!["-O", "^dir_index", "-I", "128"]),
        ("1k-dir_index", 1024, vec!["-O", "dir_index", "-g", "2048"]),
        ("4k", 4096, vec!["-O", "^dir_index"]),
        ("4k-dir_index", 4096, vec!["-O", "dir_index", "-I", "256"]),
    ]
}

#[test]
fn creates_every_kind_of_inode_and_reads_it_back() {
    if !have_tools() {
        return;
    }
    for (tag, bs, extra) in configs() {
        let image = mkfs(bs, 16 * 1024, &extra, |_| {});
        let (dev, fs) = mount_rw(image);
        let root = fs.root();
        let mut rng = Rng(u64::from(bs) ^ 0x5eed);

        // Files ending in the direct blocks, the single and the double indirect range.
        let sizes = [
            0usize,
            1,
            4095,
            12 * 1024 + 1,
            12 * 1024 + 256 * 1024 + 3000,
        ];
        let mut contents = BTreeMap::new();
        let docs = root.mkdir(b"docs", dir(0o755)).expect("mkdir");
        for (i, &size) in sizes.iter().enumerate() {
            let name = format!("f{i}");
            let f = docs.create(name.as_bytes(), file(0o644)).expect("create");
            let data = rng.bytes(size);

            // In uneven pieces, so writes straddle block boundaries.
            let mut off = 0;
            while off < data.len() {
                let n = (1 + rng.below(9000) as usize).min(data.len() - off);
                assert_eq!(f.write_at(off as u64, &data[off..off + n]), Ok(n));
                off += n;
            }
            contents.insert(name, data);
        }

        let deep = docs
            .mkdir(b"a", dir(0o700))
            .and_then(|a| a.mkdir(b"b", dir(0o750)))
            .expect("mkdir a/b");
        let leaf = deep.create(b"leaf", file(0o600)).expect("create leaf");
        leaf.write_at(0, b"leaf data\n").expect("write leaf");

        let long_target = "t/".repeat(100);
        root.symlink(b"fast", b"docs/f1", new_inode(0))
            .expect("fast symlink");
        root.symlink(b"slow", long_target.as_bytes(), new_inode(0))
            .expect("slow symlink");
        let null = NewInode {
            rdev: (1 << 8) | 3,
            ..new_inode(0o020666)
        };
        root.create(b"null", null).expect("mknod c 1 3");
        let big_rdev = {
            let (major, minor) = (300u64, 70_000u64);
            (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
        };
        let big = NewInode {
            rdev: big_rdev,
            ..new_inode(0o060600)
        };
        root.create(b"bigdev", big).expect("mknod b 300 70000");
        root.create(b"fifo", new_inode(0o010644)).expect("mkfifo");
        root.create(b"sock", new_inode(0o140755)).expect("socket");
        let f0 = docs.lookup(b"f3").expect("f3");
        root.link(b"hard", &f0).expect("link");

        let image = sync_and_check(&fs, &dev, tag);
        drop((root, docs, deep, leaf, f0, fs));

        // Back through the driver, from a fresh mount of the synced image.
        let dev2 = RamDisk::new(image.image.clone());
        let fs = Ext2Fs::mount(dev2).expect("remount");
        for (name, data) in &contents {
            let f = resolve(&fs, &format!("docs/{name}")).expect("lookup");
            assert!(read_all(&*f) == *data, "{tag}: docs/{name} differs");
            let st = f.stat().expect("stat");
            assert_eq!(
                (st.uid, st.gid, st.mode),
                (1000, 100, 0o100644),
                "{tag}: {name}"
            );
            let blocks = (data.len() as u64).div_ceil(u64::from(bs));
            assert!(
                st.blocks >= blocks * u64::from(bs) / 512,
                "{tag}: {name} i_blocks"
            );
        }
        let hard = resolve(&fs, "hard").expect("hard").stat().expect("stat");
        assert_eq!(
            (hard.nlink, hard.ino),
            (
                2,
                resolve(&fs, "docs/f3")
                    .expect("f3")
                    .stat()
                    .expect("stat")
                    .ino
            )
        );
        assert_eq!(
            resolve(&fs, "fast").expect("fast").read_link(),
            Ok(b"docs/f1".to_vec())
        );
        assert_eq!(
            resolve(&fs, "fast")
                .expect("fast")
                .stat()
                .expect("stat")
                .blocks,
            0
        );
        let slow = resolve(&fs, "slow").expect("slow");
        assert_eq!(slow.read_link(), Ok(long_target.clone().into_bytes()));
        assert_eq!(slow.stat().expect("stat").mode, 0o120777);
        assert_eq!(
            resolve(&fs, "null")
                .expect("null")
                .stat()
                .expect("stat")
                .rdev,
            (1 << 8) | 3
        );
        let bigdev = resolve(&fs, "bigdev").expect("bigdev");
        assert_eq!(bigdev.file_type(), FileType::BlockDevice);
        assert_eq!(bigdev.stat().expect("stat").rdev, big_rdev);
        assert_eq!(
            resolve(&fs, "fifo").expect("fifo").file_type(),
            FileType::Fifo
        );
        assert_eq!(
            resolve(&fs, "sock").expect("sock").file_type(),
            FileType::Socket
        );
        let docs_st = resolve(&fs, "docs").expect("docs").stat().expect("stat");
        assert_eq!(docs_st.nlink, 3, "{tag}: docs has one subdirectory");
        let leaf = resolve(&fs, "docs/a/b/leaf").expect("leaf");
        assert_eq!(read_all(&*leaf), b"leaf data\n");
        let dotdot = resolve(&fs, "docs/a/b/..")
            .expect("..")
            .stat()
            .expect("stat")
            .ino;
        assert_eq!(
            dotdot,
            resolve(&fs, "docs/a").expect("a").stat().expect("stat").ino
        );
        // Nanoseconds need the extra fields of inodes over 128 bytes.
        let st = resolve(&fs, "docs/f0").expect("f0").stat().expect("stat");
        let nsec = if fs.vol.sb.inode_size > 128 {
            T0.nsec
        } else {
            0
        };
        assert_eq!(st.mtime, Timespec { nsec, ..T0 }, "{tag}: creation time");

        // And through debugfs.
        for (name, data) in &contents {
            let got = image.debugfs(&format!("cat /docs/{name}"));
            assert!(got == *data, "{tag}: debugfs cat /docs/{name} differs");
        }
        assert_eq!(image.debugfs("cat /docs/a/b/leaf"), b"leaf data\n");
        let want: BTreeSet<String> = ["a", "f0", "f1", "f2", "f3", "f4"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let listed = image.ls_l("/docs");
        assert_eq!(
            listed.keys().cloned().collect::<BTreeSet<_>>(),
            want,
            "{tag}"
        );
        for (name, data) in &contents {
            assert_eq!(
                listed[name].1,
                data.len().to_string(),
                "{tag}: ls -l size of {name}"
            );
        }
        let root_names = image.names("/");
        for name in [
            "docs", "fast", "slow", "null", "bigdev", "fifo", "sock", "hard",
        ] {
            assert!(
                root_names.contains(name),
                "{tag}: debugfs ls / lacks {name}"
            );
        }
        let stat = String::from_utf8_lossy(&image.debugfs("stat /bigdev")).into_owned();
        assert!(
            stat.contains("300, 70000") || stat.contains("300:70000"),
            "{tag}: {stat}"
        );
        let stat = String::from_utf8_lossy(&image.debugfs("stat /fast")).into_owned();
        assert!(
            stat.contains("Fast link dest: \"docs/f1\""),
            "{tag}: {stat}"
        );
    }
}

#[test]
fn directories_grow_and_shrink_cleanly() {
    if !have_tools() {
        return;
    }
    for (tag, bs, extra) in configs() {
        let image = mkfs(bs, 8 * 1024, &extra, |_| {});
        let (dev, fs) = mount_rw(image);
        let d = fs.root().mkdir(b"big", dir(0o755)).expect("mkdir");

        // Enough entries for several blocks, then remove every other one and refill the
        // holes (splitting the slack merged into the previous entries, or reusing a
        // block's first entry).
        for i in 0..600 {
            d.create(format!("entry-{i:04}").as_bytes(), file(0o644))
                .expect("create");
        }
        let size_full = d.stat().expect("stat").size;
        assert!(size_full >= 3 * u64::from(bs), "{tag}: {size_full}");
        for i in (0..600).step_by(2) {
            d.unlink(format!("entry-{i:04}").as_bytes())
                .expect("unlink");
        }
        for i in 0..200 {
            d.create(format!("new-{i:06}").as_bytes(), file(0o644))
                .expect("create");
        }
        assert_eq!(
            d.stat().expect("stat").size,
            size_full,
            "{tag}: holes reused"
        );
        assert_eq!(d.lookup(b"entry-0000").err(), Some(Errno::ENOENT));
        assert!(d.lookup(b"entry-0001").is_ok());

        let image = sync_and_check(&fs, &dev, tag);
        let want: BTreeSet<String> = (1..600)
            .step_by(2)
            .map(|i| format!("entry-{i:04}"))
            .chain((0..200).map(|i| format!("new-{i:06}")))
            .collect();
        assert_eq!(names(&*d), want, "{tag}: driver listing");
        assert_eq!(image.names("/big"), want, "{tag}: debugfs listing");
        let fs2 = Ext2Fs::mount(RamDisk::new(image.image.clone())).expect("remount");
        assert_eq!(
            names(&*resolve(&fs2, "big").expect("big")),
            want,
            "{tag}: remount"
        );
    }
}

#[test]
fn htree_directories_become_linear_when_changed() {
    if !have_tools() {
        return;
    }
    for bs in [1024u32, 4096] {
        let image = mkfs(bs, 8 * 1024, &["-O", "dir_index"], |src| {
            let big = src.join("hashed");
            fs::create_dir(&big).expect("mkdir");
            for i in 0..500 {
                fs::write(
                    big.join(format!("file_with_a_longish_name_{i}")),
                    format!("{i}"),
                )
                .expect("write");
            }
        });

        // mke2fs -d writes linear directories; e2fsck -D indexes the big one.
        let snap = Snapshot::new(image);
        let (code, text) = snap.fsck(&["-fyD"]);
        assert!(code <= 1, "e2fsck -fyD: {text}");
        let image = snap.reread();
        let (dev, fs) = mount_rw(image);
        let hashed = fs
            .inode(
                resolve(&fs, "hashed")
                    .expect("hashed")
                    .stat()
                    .expect("stat")
                    .ino as u32,
            )
            .expect("inode");
        assert_ne!(
            hashed.state.read().disk.flags & INDEX_FL,
            0,
            "e2fsck built an htree"
        );
        assert_eq!(names(&*hashed).len(), 500);
        let f = hashed
            .lookup(b"file_with_a_longish_name_77")
            .expect("lookup");
        assert_eq!(read_all(&*f), b"77");

        for i in (0..500).step_by(3) {
            hashed
                .unlink(format!("file_with_a_longish_name_{i}").as_bytes())
                .expect("unlink");
        }
        for i in 0..300 {
            hashed
                .create(format!("new_{i}").as_bytes(), file(0o600))
                .expect("create");
        }
        assert_eq!(
            hashed.state.read().disk.flags & INDEX_FL,
            0,
            "index flag cleared"
        );

        let image = sync_and_check(&fs, &dev, "htree");
        let listed = image.names("/hashed");
        assert_eq!(listed.len(), 500 - 167 + 300);
        assert!(listed.contains("new_299") && !listed.contains("file_with_a_longish_name_0"));
        assert_eq!(
            image.debugfs("cat /hashed/file_with_a_longish_name_77"),
            b"77"
        );
    }
}

#[test]
fn truncate_frees_blocks_at_every_level() {
    if !have_tools() {
        return;
    }
    for (tag, bs, extra) in configs() {
        let image = mkfs(bs, 16 * 1024, &extra, |_| {});
        let (dev, fs) = mount_rw(image);
        let free0 = fs.stats().blocks_free;
        let f = fs.root().create(b"t", file(0o644)).expect("create");
        let b = u64::from(bs);
        let p = b / 4;
        let mut rng = Rng(7);

        // Dense up to the double indirect range, then one block under triple indirect.
        let dense = rng.bytes(((12 + p + 3) * b) as usize);
        f.write_at(0, &dense).expect("write");
        let far = (12 + p + p * p + 5) * b + 17;
        f.write_at(far, b"far away").expect("far write");
        let st = f.stat().expect("stat");
        assert_eq!(st.size, far + 8);

        // Data blocks + 1 single, 1 double with 1 single, and 1 triple chain of 3.
        let data_blocks = 12 + p + 3 + 1;
        let meta_blocks = 1 + 2 + 3;
        assert_eq!(
            st.blocks,
            (data_blocks + meta_blocks) * b / 512,
            "{tag}: i_blocks"
        );
        assert_eq!(
            free0 - fs.stats().blocks_free,
            data_blocks + meta_blocks,
            "{tag}"
        );

        let mut buf = vec![0u8; 100];
        assert_eq!(f.read_at(far - 50, &mut buf), Ok(58));
        assert!(buf[..50].iter().all(|&x| x == 0) && &buf[50..58] == b"far away");

        // Cut inside the double indirect range, then inside the single, then a
        // partial block; growing again reads zeros past the old end.
        let cut = |size: u64| {
            f.set_attr(SetAttr {
                size: Some(size),
                ..SetAttr::default()
            })
        };
        cut((12 + p + 1) * b + 10).expect("truncate");
        assert_eq!(
            f.stat().expect("stat").blocks,
            ((12 + p + 2) + 1 + 2) * b / 512,
            "{tag}"
        );
        cut(12 * b + 5).expect("truncate");
        assert_eq!(f.stat().expect("stat").blocks, (13 + 1) * b / 512, "{tag}");
        cut(100).expect("truncate");
        assert_eq!(f.stat().expect("stat").blocks, b / 512);
        cut(3 * b).expect("extend");
        let got = read_all(&*f);
        assert!(
            got[..100] == dense[..100] && got[100..].iter().all(|&x| x == 0),
            "{tag}"
        );
        assert_eq!(
            f.stat().expect("stat").blocks,
            b / 512,
            "{tag}: extension is sparse"
        );
        sync_and_check(&fs, &dev, tag);

        cut(0).expect("truncate to 0");
        assert_eq!(f.stat().expect("stat").blocks, 0);
        fs.root().unlink(b"t").expect("unlink");
        drop(f);
        assert_eq!(fs.stats().blocks_free, free0, "{tag}: everything came back");
        sync_and_check(&fs, &dev, tag);
    }
}

#[test]
fn set_attr_and_times() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 4096, &[], |_| {});
    let (dev, fs) = mount_rw(image);
    let root = fs.root();
    let f = root.create(b"f", file(0o4755)).expect("create");
    assert_eq!(f.stat().expect("stat").mode, 0o104755);

    let before = root.stat().expect("stat").mtime;
    assert!(
        before.sec >= 1_700_000_000,
        "the directory change took the current time"
    );
    f.write_at(0, b"hello").expect("write");
    let st = f.stat().expect("stat");
    assert!(
        st.mtime.sec > T0.sec && st.ctime == st.mtime,
        "write sets mtime and ctime"
    );

    let t = Timespec {
        sec: 1_234_567_890,
        nsec: 42,
    };
    f.set_attr(SetAttr {
        mode: Some(0o170640),
        uid: Some(100_000),
        gid: Some(70_000),
        atime: Some(t),
        mtime: Some(t),
        ctime: Some(t),
        ..SetAttr::default()
    })
    .expect("set_attr");
    let st = f.stat().expect("stat");
    assert_eq!((st.mode, st.uid, st.gid), (0o100640, 100_000, 70_000));
    assert_eq!((st.atime, st.mtime, st.ctime), (t, t, t));

    let d = root.mkdir(b"d", dir(0o755)).expect("mkdir");
    let l = root.symlink(b"l", b"f", new_inode(0)).expect("symlink");
    let size = |n| SetAttr {
        size: Some(n),
        ..SetAttr::default()
    };
    assert_eq!(d.set_attr(size(0)).err(), Some(Errno::EISDIR));
    assert_eq!(l.set_attr(size(0)).err(), Some(Errno::EINVAL));
    assert_eq!(f.set_attr(size(u64::MAX)).err(), Some(Errno::EFBIG));
    assert_eq!(f.write_at(u64::MAX - 10, b"x").err(), Some(Errno::EFBIG));
    assert_eq!(d.write_at(0, b"x").err(), Some(Errno::EISDIR));
    assert_eq!(l.write_at(0, b"x").err(), Some(Errno::EINVAL));
    f.sync().expect("fsync");
    assert!(dev.flushes.load(Ordering::Relaxed) > 0);

    let image = sync_and_check(&fs, &dev, "set_attr");
    let fs2 = Ext2Fs::mount(RamDisk::new(image.image.clone())).expect("remount");
    let st = resolve(&fs2, "f").expect("f").stat().expect("stat");
    assert_eq!(
        (st.mode, st.uid, st.gid, st.mtime),
        (0o100640, 100_000, 70_000, t)
    );
}

#[test]
fn large_file_sets_the_feature() {
    if !have_tools() {
        return;
    }
    // mke2fs always sets large_file now; take it out of the primary superblock (e2fsck
    // does not compare this bit with the backups). The resize inode counts as a large
    // file, so it goes too.
    let mut image = mkfs(4096, 8192, &["-O", "^resize_inode"], |_| {});
    let feature = |image: &[u8]| le32(image, 1024 + 100) & super::super_block::RO_COMPAT_LARGE_FILE;
    let ro_compat = le32(&image, 1024 + 100) & !super::super_block::RO_COMPAT_LARGE_FILE;
    image[1124..1128].copy_from_slice(&ro_compat.to_le_bytes());
    assert_fsck_clean(&image, "without large_file");

    let (dev, fs) = mount_rw(image);
    let f = fs.root().create(b"big", file(0o644)).expect("create");
    let at = 5u64 << 30;
    f.write_at(at, b"past 4 GiB").expect("write");
    assert_eq!(f.stat().expect("stat").size, at + 10);
    let image = sync_and_check(&fs, &dev, "large file");
    assert_ne!(feature(&image.image), 0);

    let fs2 = Ext2Fs::mount(RamDisk::new(image.image.clone())).expect("remount");
    let f = resolve(&fs2, "big").expect("big");
    let mut buf = [0u8; 10];
    assert_eq!(f.read_at(at, &mut buf), Ok(10));
    assert_eq!(&buf, b"past 4 GiB");
}

#[test]
fn namespace_errors_match_linux() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 4096, &[], |_| {});
    let (dev, fs) = mount_rw(image);
    let root = fs.root();
    let f = root.create(b"f", file(0o644)).expect("create");
    let d = root.mkdir(b"d", dir(0o755)).expect("mkdir");
    d.create(b"inner", file(0o644)).expect("create");

    assert_eq!(root.create(b"f", file(0o644)).err().map(|_| ()), Some(()));
    assert_eq!(root.create(b"f", file(0o644)).err(), Some(Errno::EEXIST));
    assert_eq!(root.mkdir(b"d", dir(0o755)).err(), Some(Errno::EEXIST));
    assert_eq!(root.mkdir(b".", dir(0o755)).err(), Some(Errno::EEXIST));
    assert_eq!(root.create(b"", file(0o644)).err(), Some(Errno::ENOENT));
    assert_eq!(
        root.create(&[b'x'; 256], file(0o644)).err(),
        Some(Errno::ENAMETOOLONG)
    );
    assert_eq!(root.create(b"a/b", file(0o644)).err(), Some(Errno::EINVAL));
    assert_eq!(root.create(b"dir", dir(0o755)).err(), Some(Errno::EINVAL));
    assert_eq!(f.create(b"x", file(0o644)).err(), Some(Errno::ENOTDIR));
    assert_eq!(
        root.symlink(b"s", b"", new_inode(0)).err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        root.symlink(b"s", &[b'a'; 1024], new_inode(0)).err(),
        Some(Errno::ENAMETOOLONG)
    );

    assert_eq!(root.unlink(b"d").err(), Some(Errno::EISDIR));
    assert_eq!(root.unlink(b".").err(), Some(Errno::EISDIR));
    assert_eq!(root.unlink(b"nothing").err(), Some(Errno::ENOENT));
    assert_eq!(root.rmdir(b"f").err(), Some(Errno::ENOTDIR));
    assert_eq!(root.rmdir(b"d").err(), Some(Errno::ENOTEMPTY));
    assert_eq!(d.rmdir(b".").err(), Some(Errno::EINVAL));
    assert_eq!(d.rmdir(b"..").err(), Some(Errno::ENOTEMPTY));

    assert_eq!(root.link(b"dlink", &d).err(), Some(Errno::EPERM));
    assert_eq!(root.link(b"d", &f).err(), Some(Errno::EEXIST));
    let other = Ext2Fs::mount(RamDisk::new(mkfs(1024, 2048, &[], |_| {}))).expect("mount");
    let foreign = other.root().create(b"x", file(0o644)).expect("create");
    assert_eq!(root.link(b"x", &foreign).err(), Some(Errno::EXDEV));
    assert_eq!(
        root.rename(b"f", &other.root(), b"f", 0).err(),
        Some(Errno::EXDEV)
    );

    // The link limit, reached by pretending (32000 real links would take long).
    let fi = fs.inode(f.stat().expect("stat").ino as u32).expect("inode");
    fi.state.write().disk.links_count = LINK_MAX;
    assert_eq!(root.link(b"one-too-many", &f).err(), Some(Errno::EMLINK));
    fi.state.write().disk.links_count = 1;
    let di = fs.inode(d.stat().expect("stat").ino as u32).expect("inode");
    let links = di.state.read().disk.links_count;
    di.state.write().disk.links_count = LINK_MAX;
    assert_eq!(d.mkdir(b"sub", dir(0o755)).err(), Some(Errno::EMLINK));
    di.state.write().disk.links_count = links;

    // Removing a directory leaves it dead for creation.
    let gone = root.mkdir(b"gone", dir(0o755)).expect("mkdir");
    root.rmdir(b"gone").expect("rmdir");
    assert_eq!(gone.create(b"x", file(0o644)).err(), Some(Errno::ENOENT));
    assert_eq!(gone.stat().expect("stat").nlink, 0);
    drop((gone, fi, di));
    sync_and_check(&fs, &dev, "namespace errors");
}

#[test]
fn rename_follows_rename2() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 4096, &["-O", "dir_index"], |_| {});
    let (dev, fs) = mount_rw(image);
    let root = fs.root();
    let mk = |dir: &Arc<dyn Inode>, name: &str, data: &[u8]| {
        let f = dir.create(name.as_bytes(), file(0o644)).expect("create");
        f.write_at(0, data).expect("write");
        f
    };
    let a = root.mkdir(b"a", dir(0o755)).expect("mkdir");
    let b = root.mkdir(b"b", dir(0o755)).expect("mkdir");
    let sub = a.mkdir(b"sub", dir(0o755)).expect("mkdir");
    let sub2 = sub.mkdir(b"sub2", dir(0o755)).expect("mkdir");
    mk(&a, "x", b"x data");
    mk(&b, "y", b"y data");
    mk(&sub, "z", b"z data");
    let nlink = |i: &Arc<dyn Inode>| i.stat().expect("stat").nlink;

    // File over file, across directories: the victim goes.
    let victim = b.lookup(b"y").expect("y");
    a.rename(b"x", &b, b"y", 0).expect("rename over");
    assert_eq!(read_all(&*b.lookup(b"y").expect("y")), b"x data");
    assert_eq!(a.lookup(b"x").err(), Some(Errno::ENOENT));
    assert_eq!(nlink(&victim), 0);
    drop(victim);

    // Same directory, to itself, and between two links of one inode: nothing happens.
    b.rename(b"y", &b, b"y2", 0).expect("rename in place");
    b.rename(b"y2", &b, b"y2", 0).expect("rename to itself");
    b.link(b"y3", &b.lookup(b"y2").expect("y2")).expect("link");
    b.rename(b"y2", &b, b"y3", 0).expect("rename between links");
    assert_eq!(nlink(&b.lookup(b"y2").expect("y2")), 2);

    // Type mismatches, non-empty targets, loops, dots and flags.
    let e = |r: KResult<()>| r.err();
    assert_eq!(e(a.rename(b"sub", &b, b"y2", 0)), Some(Errno::ENOTDIR));
    assert_eq!(e(b.rename(b"y2", &a, b"sub", 0)), Some(Errno::EISDIR));
    assert_eq!(e(root.rename(b"b", &a, b"sub", 0)), Some(Errno::ENOTEMPTY));
    assert_eq!(e(root.rename(b"a", &sub2, b"a", 0)), Some(Errno::EINVAL));
    assert_eq!(e(root.rename(b"a", &a, b"self", 0)), Some(Errno::EINVAL));
    assert_eq!(e(sub2.rename(b"..", &b, b"q", 0)), Some(Errno::EBUSY));
    assert_eq!(e(b.rename(b"y2", &b, b".", 0)), Some(Errno::EBUSY));
    assert_eq!(e(b.rename(b"y2", &b, b"y3", 1)), Some(Errno::EEXIST));
    assert_eq!(e(b.rename(b"y2", &b, b"none", 2)), Some(Errno::ENOENT));
    assert_eq!(e(b.rename(b"y2", &b, b"none", 3)), Some(Errno::EINVAL));
    assert_eq!(e(b.rename(b"none", &b, b"y9", 0)), Some(Errno::ENOENT));
    // The target above the source: replacing it would empty a non-empty directory.
    assert_eq!(e(sub.rename(b"z", &root, b"a", 0)), Some(Errno::ENOTEMPTY));

    // A directory across directories: its ".." and both parents' link counts follow.
    let (na, nb) = (nlink(&a), nlink(&b));
    a.rename(b"sub", &b, b"moved", 0).expect("move dir");
    assert_eq!((nlink(&a), nlink(&b)), (na - 1, nb + 1));
    let moved = b.lookup(b"moved").expect("moved");
    assert_eq!(
        moved.lookup(b"..").expect("..").stat().expect("stat").ino,
        b.stat().expect("s").ino
    );
    assert_eq!(read_all(&*moved.lookup(b"z").expect("z")), b"z data");

    // An empty directory over an empty directory.
    let empty = root.mkdir(b"empty", dir(0o700)).expect("mkdir");
    let nroot = nlink(&root);
    root.rename(b"empty", &moved, b"sub2", 0)
        .expect("dir over empty dir");
    assert_eq!(nlink(&root), nroot - 1);
    assert_eq!(nlink(&sub2), 0);
    assert_eq!(
        moved.lookup(b"sub2").expect("sub2").stat().expect("s").ino,
        empty.stat().expect("s").ino
    );
    assert_eq!(
        empty.lookup(b"..").expect("..").stat().expect("s").ino,
        moved.stat().expect("s").ino
    );
    drop(sub2);

    // Exchange a file and a directory between directories.
    mk(&a, "swap", b"swap data");
    let (na, nb) = (nlink(&a), nlink(&b));
    a.rename(b"swap", &b, b"moved", 2).expect("exchange");
    assert_eq!(read_all(&*b.lookup(b"moved").expect("moved")), b"swap data");
    let back = a.lookup(b"swap").expect("swap");
    assert_eq!(back.file_type(), FileType::Directory);
    assert_eq!(
        back.lookup(b"..").expect("..").stat().expect("s").ino,
        a.stat().expect("s").ino
    );
    assert_eq!((nlink(&a), nlink(&b)), (na + 1, nb - 1));

    // NOREPLACE to a free name works.
    b.rename(b"moved", &root, b"top", 1).expect("noreplace");
    drop((a, b, sub, moved, empty, back));

    let image = sync_and_check(&fs, &dev, "rename");
    assert_eq!(image.debugfs("cat /top"), b"swap data");
    assert_eq!(image.debugfs("cat /b/y3"), b"x data");
    assert_eq!(image.debugfs("cat /a/swap/z"), b"z data");
    let want: BTreeSet<String> = ["sub2", "z"].iter().map(|s| s.to_string()).collect();
    assert_eq!(image.names("/a/swap"), want);
}

#[test]
fn tmpfiles_are_unnamed_and_freed_at_their_last_drop() {
    if !have_tools() {
        return;
    }
    let image = mkfs(4096, 8192, &[], |_| {});
    let (dev, fs) = mount_rw(image);
    let (free_blocks, free_inodes) = (fs.stats().blocks_free, fs.stats().files_free);
    let entries = names(&*fs.root());

    let t = fs.root().tmpfile(file(0o600)).expect("tmpfile");
    let st = t.stat().expect("stat");
    assert_eq!((st.mode, st.nlink), (0o100600, 0));
    t.write_at(0, &vec![3u8; 100_000]).expect("write");
    assert_eq!(read_all(&*t).len(), 100_000);
    assert_eq!(names(&*fs.root()), entries);
    assert!(fs.stats().blocks_free < free_blocks);
    assert_eq!(fs.stats().files_free, free_inodes - 1);

    drop(t);
    assert_eq!(
        (fs.stats().blocks_free, fs.stats().files_free),
        (free_blocks, free_inodes)
    );
    sync_and_check(&fs, &dev, "tmpfile");
}

#[test]
fn open_unlinked_files_live_until_dropped() {
    if !have_tools() {
        return;
    }
    let image = mkfs(4096, 8192, &[], |_| {});
    let (dev, fs) = mount_rw(image);
    let (free_blocks, free_inodes) = (fs.stats().blocks_free, fs.stats().files_free);
    let f = fs.root().create(b"tmp", file(0o600)).expect("create");
    f.write_at(0, &vec![7u8; 100_000]).expect("write");
    fs.root().unlink(b"tmp").expect("unlink");

    // Still readable and writable; its blocks are still taken.
    f.write_at(100_000, b"more").expect("write after unlink");
    assert_eq!(read_all(&*f).len(), 100_004);
    assert!(fs.stats().blocks_free < free_blocks);
    drop(f);
    assert_eq!(
        (fs.stats().blocks_free, fs.stats().files_free),
        (free_blocks, free_inodes)
    );
    sync_and_check(&fs, &dev, "unlinked");

    // Dropping the file system last, with a file still open and unlinked, unmounts: the
    // file goes first, then the allocation state is written, without a sync.
    let f = fs.root().create(b"tmp2", file(0o600)).expect("create");
    f.write_at(0, &vec![1u8; 50_000]).expect("write");
    fs.root().unlink(b"tmp2").expect("unlink");
    drop(fs);
    drop(f);
    assert_fsck_clean(&dev.image(), "dropped");
}

#[test]
fn enospc_leaves_a_clean_image_and_recovers() {
    if !have_tools() {
        return;
    }
    for bs in [1024u32, 4096] {
        let image = mkfs(bs, 2048, &["-N", "64", "-m", "5"], |_| {});
        let (dev, fs) = mount_rw(image);
        let root = fs.root();
        let reserved = le32(&dev.image(), 1024 + 8);
        assert!(reserved > 0, "mke2fs reserved blocks");

        // One file takes everything, the blocks reserved for root included.
        let big = root.create(b"big", file(0o644)).expect("create");
        let chunk = vec![0x5au8; 64 * 1024];
        let mut off = 0u64;
        loop {
            match big.write_at(off, &chunk) {
                Ok(n) => {
                    off += n as u64;
                    if n < chunk.len() {
                        break;
                    }
                }
                Err(e) => {
                    assert_eq!(e, Errno::ENOSPC);
                    break;
                }
            }
        }
        assert_eq!(big.write_at(off, b"x").err(), Some(Errno::ENOSPC));
        assert_eq!(big.stat().expect("stat").size, off);
        assert_eq!(fs.stats().blocks_free, 0);

        // Failed operations give back what they took: no inode lost to them.
        let inodes = fs.stats().files_free;
        assert_eq!(root.mkdir(b"d", dir(0o755)).err(), Some(Errno::ENOSPC));
        let long = "l".repeat(200);
        assert_eq!(
            root.symlink(b"s", long.as_bytes(), new_inode(0)).err(),
            Some(Errno::ENOSPC)
        );
        assert_eq!(fs.stats().files_free, inodes);

        // Files with no data fit until the root directory's blocks are full (long names
        // fill them before the inodes run out).
        let mut made = 0;
        let err = loop {
            let name = format!("{made:03}-{}", "n".repeat(200));
            match root.create(name.as_bytes(), file(0o644)) {
                Ok(_) => made += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err, Errno::ENOSPC);
        assert!(made > 0);
        let inodes = fs.stats().files_free;
        let name = format!("one-more-{}", "n".repeat(200));
        assert_eq!(
            root.create(name.as_bytes(), file(0o644)).err(),
            Some(Errno::ENOSPC)
        );
        assert_eq!(
            fs.stats().files_free,
            inodes,
            "the failed create gave its inode back"
        );
        drop(big);
        let image = sync_and_check(&fs, &dev, "full");
        assert_eq!(image.debugfs("cat /big").len() as u64, off);

        // Freeing space makes everything work again.
        root.unlink(b"big").expect("unlink");
        let d = root.mkdir(b"d", dir(0o755)).expect("mkdir after freeing");
        let f = d.create(b"f", file(0o644)).expect("create");
        assert_eq!(f.write_at(0, &chunk), Ok(chunk.len()));

        // Running out of inodes is ENOSPC too.
        let mut i = 0;
        let err = loop {
            match d.create(format!("i{i}").as_bytes(), file(0o644)) {
                Ok(_) => i += 1,
                Err(e) => break e,
            }
        };
        assert_eq!((err, fs.stats().files_free), (Errno::ENOSPC, 0));
        d.unlink(b"i0").expect("unlink");
        d.create(b"again", file(0o644))
            .expect("create after freeing an inode");
        drop((d, f));
        sync_and_check(&fs, &dev, "recovered");
    }
}

#[test]
fn read_only_device_refuses_every_write() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 4096, &[], |src| {
        fs::create_dir(src.join("d")).expect("mkdir");
        fs::write(src.join("f"), b"data").expect("write");
    });
    let dev = RamDisk::read_only(image.clone());
    let fs = Ext2Fs::mount(dev.clone()).expect("read-only mount");
    assert!(fs.read_only());
    let root = fs.root();
    let f = root.lookup(b"f").expect("f");
    let d = root.lookup(b"d").expect("d");

    let rofs = Some(Errno::EROFS);
    assert_eq!(f.write_at(0, b"x").err(), rofs);
    assert_eq!(
        root.create(b"n", file(0o644))
            .err()
            .map(|e| e == Errno::EROFS),
        Some(true)
    );
    assert_eq!(root.mkdir(b"n", dir(0o755)).err(), rofs);
    assert_eq!(root.symlink(b"n", b"f", new_inode(0)).err(), rofs);
    assert_eq!(root.link(b"n", &f).err(), rofs);
    assert_eq!(root.unlink(b"f").err(), rofs);
    assert_eq!(root.rmdir(b"d").err(), rofs);
    assert_eq!(root.rename(b"f", &d, b"g", 0).err(), rofs);
    assert_eq!(
        f.set_attr(SetAttr {
            mode: Some(0o600),
            ..SetAttr::default()
        })
        .err(),
        rofs
    );
    assert_eq!(f.sync(), Ok(()));
    assert_eq!(fs.sync(), Ok(()));
    assert_eq!(read_all(&*f), b"data");
    assert!(dev.image() == image, "nothing changed");
}

#[test]
fn sync_writes_counts_only_when_asked() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 4096, &[], |_| {});
    let (dev, fs) = mount_rw(image.clone());
    let f = fs.root().create(b"f", file(0o644)).expect("create");
    f.write_at(0, &[1u8; 10_000]).expect("write");

    // Before a sync the superblock says "not clean" and still has the old counts.
    let sb = dev.image()[1024..2048].to_vec();
    assert_eq!(
        le16(&sb, 58) & 1,
        0,
        "state not clean while changes are pending"
    );
    assert_eq!(
        le32(&sb, 12),
        le32(&image, 1024 + 12),
        "free blocks not rewritten yet"
    );

    fs.sync().expect("sync");
    let sb = dev.image()[1024..2048].to_vec();
    assert_eq!(le16(&sb, 58) & 1, 1, "clean after sync");
    assert_eq!(u64::from(le32(&sb, 12)), fs.stats().blocks_free);
    assert_fsck_clean(&dev.image(), "synced");
}

// ---- a long random workload against an in-memory model ---------------------------------

/// What the tree should hold: directories and files with their contents.
#[derive(Default)]
struct Model {
    dirs: BTreeSet<String>,
    files: BTreeMap<String, Vec<u8>>,
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

impl Model {
    fn children(&self, dir: &str) -> BTreeSet<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let direct = |p: &String| {
            p.strip_prefix(&prefix)
                .filter(|rest| !rest.is_empty() && !rest.contains('/'))
                .map(str::to_string)
        };
        self.dirs
            .iter()
            .filter_map(direct)
            .chain(self.files.keys().filter_map(direct))
            .collect()
    }

    fn pick<'a>(rng: &mut Rng, items: impl ExactSizeIterator<Item = &'a String>) -> Option<String> {
        let n = items.len() as u64;
        let mut items = items;
        (n > 0)
            .then(|| items.nth(rng.below(n) as usize).cloned())
            .flatten()
    }
}

/// Applies one random operation to both the file system and the model.
fn random_op(fs: &Ext2Fs, model: &mut Model, rng: &mut Rng, serial: &mut u32, bs: u64) {
    let p = bs / 4;
    *serial += 1;
    let n = *serial;
    match rng.below(100) {
        // Create a file with data, now and then one reaching the double indirect blocks.
        0..=34 => {
            let d = Model::pick(rng, model.dirs.iter()).unwrap_or_default();
            let path = join(&d, &format!("f{n}"));
            let size = match rng.below(100) {
                0..=1 => ((12 + p) * bs + rng.below(3 * bs)) as usize,
                2..=15 => rng.below(64 * 1024) as usize,
                _ => rng.below(3000) as usize,
            };
            let data = rng.bytes(size);
            let (parent, name) = parent_of(fs, &path);
            let f = parent.create(name, file(0o644)).expect("create");
            assert_eq!(f.write_at(0, &data), Ok(size));
            model.files.insert(path, data);
        }
        // Overwrite or extend part of a file.
        35..=49 => {
            let Some(path) = Model::pick(rng, model.files.keys()) else {
                return;
            };
            let data = model.files.get_mut(&path).expect("model file");
            let off = rng.below(data.len() as u64 + 5000) as usize;
            let len = rng.below(20_000) as usize;
            let chunk = rng.bytes(len);
            let f = resolve(fs, &path).expect("resolve");
            assert_eq!(f.write_at(off as u64, &chunk), Ok(chunk.len()));
            if off + chunk.len() > data.len() {
                data.resize(off + chunk.len(), 0);
            }
            data[off..off + chunk.len()].copy_from_slice(&chunk);
        }
        // Truncate, down or up.
        50..=57 => {
            let Some(path) = Model::pick(rng, model.files.keys()) else {
                return;
            };
            let data = model.files.get_mut(&path).expect("model file");
            let size = rng.below(data.len() as u64 * 3 / 2 + 100) as usize;
            let f = resolve(fs, &path).expect("resolve");
            f.set_attr(SetAttr {
                size: Some(size as u64),
                ..SetAttr::default()
            })
            .expect("truncate");
            data.resize(size, 0);
        }
        // Rename a file: over another file half the time, else to a new name anywhere.
        58..=71 => {
            let Some(from) = Model::pick(rng, model.files.keys()) else {
                return;
            };
            let to = match rng.below(2) {
                0 => Model::pick(rng, model.files.keys()).expect("a file"),
                _ => {
                    let d = Model::pick(rng, model.dirs.iter()).unwrap_or_default();
                    join(&d, &format!("r{n}"))
                }
            };
            let (a, an) = parent_of(fs, &from);
            let (b, bn) = parent_of(fs, &to);
            a.rename(an, &b, bn, 0).expect("rename file");
            let data = model.files.remove(&from).expect("model file");
            model.files.insert(to, data);
        }
        // Delete a file.
        72..=83 => {
            let Some(path) = Model::pick(rng, model.files.keys()) else {
                return;
            };
            let (parent, name) = parent_of(fs, &path);
            parent.unlink(name).expect("unlink");
            model.files.remove(&path);
        }
        // Make a directory (not too deep).
        84..=91 => {
            let d = Model::pick(rng, model.dirs.iter()).unwrap_or_default();
            if d.matches('/').count() >= 4 {
                return;
            }
            let path = join(&d, &format!("d{n}"));
            let (parent, name) = parent_of(fs, &path);
            parent.mkdir(name, dir(0o755)).expect("mkdir");
            model.dirs.insert(path);
        }
        // Move a directory elsewhere (never below itself).
        92..=95 => {
            let Some(from) = Model::pick(rng, model.dirs.iter()) else {
                return;
            };
            let target = Model::pick(rng, model.dirs.iter()).unwrap_or_default();
            if target == from || target.starts_with(&format!("{from}/")) {
                return;
            }
            let to = join(&target, &format!("m{n}"));
            let (a, an) = parent_of(fs, &from);
            let (b, bn) = parent_of(fs, &to);
            a.rename(an, &b, bn, 0).expect("rename dir");
            let moved = |p: &String| p == &from || p.starts_with(&format!("{from}/"));
            let rebase = |p: &String| format!("{to}{}", &p[from.len()..]);
            let dirs: Vec<String> = model.dirs.iter().filter(|p| moved(p)).cloned().collect();
            for p in dirs {
                model.dirs.remove(&p);
                model.dirs.insert(rebase(&p));
            }
            let files: Vec<String> = model.files.keys().filter(|p| moved(p)).cloned().collect();
            for p in files {
                let data = model.files.remove(&p).expect("model file");
                model.files.insert(rebase(&p), data);
            }
        }
        // Remove an empty directory.
        _ => {
            let empty: Vec<String> = model
                .dirs
                .iter()
                .filter(|d| model.children(d).is_empty())
                .cloned()
                .collect();
            let Some(path) = Model::pick(rng, empty.iter()) else {
                return;
            };
            let (parent, name) = parent_of(fs, &path);
            parent.rmdir(name).expect("rmdir");
            model.dirs.remove(&path);
        }
    }
}

/// Checks every directory and file of `model` through the driver.
fn check_model(fs: &Ext2Fs, model: &Model) {
    for d in std::iter::once(&String::new()).chain(model.dirs.iter()) {
        let inode = resolve(fs, d).unwrap_or_else(|e| panic!("{d}: {e}"));
        let mut got = names(&*inode);
        if d.is_empty() {
            got.remove("lost+found");
        }
        assert_eq!(got, model.children(d), "listing of {d:?}");
        let subdirs = model
            .children(d)
            .iter()
            .filter(|c| model.dirs.contains(&join(d, c)))
            .count();
        let extra = usize::from(d.is_empty());
        assert_eq!(
            inode.stat().expect("stat").nlink as usize,
            2 + subdirs + extra,
            "{d:?}"
        );
    }
    for (path, data) in &model.files {
        let f = resolve(fs, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(read_all(&*f) == *data, "{path}: contents differ");
    }
}

#[test]
fn random_workload_matches_a_model() {
    if !have_tools() {
        return;
    }
    for (bs, kib, ops) in [(1024u32, 64 * 1024u32, 6000u32), (4096, 64 * 1024, 3000)] {
        let image = mkfs(bs, kib, &["-N", "16384"], |_| {});
        let (dev, fs) = mount_rw(image);
        let mut model = Model::default();
        let mut rng = Rng(0xdead_beef ^ u64::from(bs));
        let mut serial = 0;

        for i in 0..ops {
            random_op(&fs, &mut model, &mut rng, &mut serial, u64::from(bs));
            if i % 1500 == 1499 {
                check_model(&fs, &model);
                sync_and_check(&fs, &dev, "workload, midway");
            }
        }
        assert!(
            model.files.len() > 300,
            "{} files survive",
            model.files.len()
        );
        let dind = (12 + u64::from(bs) / 4) * u64::from(bs);
        assert!(
            model.files.values().any(|d| d.len() as u64 > dind),
            "a double-indirect file"
        );
        check_model(&fs, &model);
        let image = sync_and_check(&fs, &dev, "workload");

        // A fresh mount sees the same tree; so does debugfs.
        let fs2 = Ext2Fs::mount(RamDisk::new(image.image.clone())).expect("remount");
        check_model(&fs2, &model);
        let (dirs, files) = image.rdump();
        assert_eq!(dirs, model.dirs, "directories debugfs dumps");
        assert_eq!(files.len(), model.files.len(), "files debugfs dumps");
        for (path, data) in &model.files {
            assert!(
                files.get(path) == Some(data),
                "debugfs dump of /{path} differs"
            );
        }
        let big = model.files.iter().find(|(_, d)| d.len() as u64 > dind);
        let (path, data) = big.expect("a double-indirect file");
        assert!(
            image.debugfs(&format!("cat /{path}")) == *data,
            "debugfs cat /{path}"
        );
        for d in model.dirs.iter().take(10) {
            assert_eq!(image.names(&format!("/{d}")), model.children(d), "ls {d}");
        }
    }
}

// ---- concurrency -----------------------------------------------------------------------

#[test]
fn concurrent_operations_keep_the_image_consistent() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 32 * 1024, &["-N", "8192"], |_| {});
    let (dev, fs) = mount_rw(image);
    let root = fs.root();
    for name in ["s0", "s1", "s2", "s3"] {
        let d = root.mkdir(name.as_bytes(), dir(0o755)).expect("mkdir");
        d.mkdir(b"sub", dir(0o755)).expect("mkdir");
    }

    // Threads create, write, rename across the shared directories (files and whole
    // directories, in both directions) and delete; a deadlock trips the watchdog.
    let (done_tx, done_rx) = mpsc::channel();
    let threads = 4;
    for t in 0..threads {
        let fs = fs.clone();
        let done = done_tx.clone();
        thread::spawn(move || {
            let mut rng = Rng(0x1000 + t);
            let root = fs.root();
            let dirs: Vec<Arc<dyn Inode>> = ["s0", "s1", "s2", "s3"]
                .iter()
                .map(|n| root.lookup(n.as_bytes()).expect("shared dir"))
                .collect();
            for i in 0..400 {
                let a = &dirs[rng.below(4) as usize];
                let b = &dirs[rng.below(4) as usize];
                let name = format!("t{t}-{i}");
                match rng.below(6) {
                    0 | 1 => {
                        if let Ok(f) = a.create(name.as_bytes(), file(0o644)) {
                            let len = rng.below(20_000) as usize;
                            let _ = f.write_at(0, &rng.bytes(len));
                        }
                    }
                    2 => {
                        let victim = format!("t{}-{}", rng.below(threads), rng.below(i + 1));
                        let _ = a.rename(victim.as_bytes(), b, name.as_bytes(), 0);
                    }
                    3 => {
                        let _ = a.rename(b"sub", b, b"sub", 0);
                        let _ = b.rename(b"sub", a, b"sub", 0);
                    }
                    4 => {
                        let victim = format!("t{}-{}", rng.below(threads), rng.below(i + 1));
                        let _ = a.unlink(victim.as_bytes());
                    }
                    _ => {
                        if let Ok(sub) = a.lookup(b"sub") {
                            if let Ok(d) = sub.mkdir(name.as_bytes(), dir(0o755)) {
                                let _ = d.create(b"x", file(0o644));
                            }
                        }
                    }
                }
            }
            let _ = done.send(());
        });
    }
    for _ in 0..threads {
        done_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("a thread hung: deadlock?");
    }
    drop(root);
    sync_and_check(&fs, &dev, "concurrent");
}

// ---- damage ------------------------------------------------------------------------

/// Runs every kind of write on whatever `fs` holds, ignoring the results: damage may
/// fail any of them, but nothing may panic or hang.
fn exercise(fs: &Ext2Fs, rng: &mut Rng) {
    let root = fs.root();
    let mut dirs = vec![root.clone()];
    let mut pos = 0;
    let mut budget = 200;
    while let Ok(Some((entry, next))) = root.read_dir(pos) {
        pos = next;
        budget -= 1;
        if budget == 0 {
            break;
        }
        if let Ok(child) = root.lookup(&entry.name) {
            if child.file_type() == FileType::Directory && entry.name != b"." {
                dirs.push(child);
            }
        }
    }

    let data = rng.bytes(40_000);
    for i in 0..40u64 {
        let d = &dirs[rng.below(dirs.len() as u64) as usize];
        let other = &dirs[rng.below(dirs.len() as u64) as usize];
        let name = format!("n{}", rng.below(8));
        let mut existing = Vec::new();
        let mut pos = 0;
        while let Ok(Some((entry, next))) = d.read_dir(pos) {
            pos = next;
            existing.push(entry.name);
            if existing.len() > 50 {
                break;
            }
        }
        let victim = existing
            .get(rng.below(existing.len() as u64 + 1) as usize)
            .cloned()
            .unwrap_or_default();

        let _ = match rng.below(10) {
            0 => d.create(name.as_bytes(), file(0o644)).map(|f| {
                let _ = f.write_at(rng.below(300_000), &data[..rng.below(40_000) as usize]);
            }),
            1 => d.mkdir(name.as_bytes(), dir(0o755)).map(drop),
            2 => d.unlink(&victim),
            3 => d.rmdir(&victim),
            4 => d.rename(&victim, other, name.as_bytes(), (i % 3) as u32),
            5 => d
                .symlink(name.as_bytes(), &data[..100], new_inode(0))
                .map(drop),
            6 => d
                .lookup(&victim)
                .and_then(|v| other.link(name.as_bytes(), &v)),
            7 => d.lookup(&victim).and_then(|v| {
                v.set_attr(SetAttr {
                    size: Some(rng.below(500_000)),
                    ..SetAttr::default()
                })
            }),
            8 => d
                .lookup(&victim)
                .and_then(|v| v.write_at(rng.below(2_000_000), &data).map(drop)),
            _ => d.lookup(&victim).map(|v| {
                let _ = v.read_at(0, &mut [0u8; 4096]);
            }),
        };
    }
    let _ = fs.sync();
}

#[test]
fn writes_to_damaged_images_never_panic() {
    if !have_tools() {
        return;
    }
    let base = mkfs(1024, 4096, &["-N", "128"], |src| {
        let mut rng = Rng(3);
        for d in ["a", "b", "c/d"] {
            fs::create_dir_all(src.join(d)).expect("mkdir");
        }
        for i in 0..40 {
            let size = [10, 5000, 20_000, 100_000][i % 4];
            let d = ["a", "b", "c/d", ""][i % 4];
            fs::write(src.join(d).join(format!("f{i}")), rng.bytes(size)).expect("write");
        }
        std::os::unix::fs::symlink("a/f0", src.join("link")).expect("symlink");
    });

    // The clean image first: every operation's result is then checked by e2fsck.
    let (dev, fs) = mount_rw(base.clone());
    exercise(&fs, &mut Rng(11));
    drop(fs);
    assert_fsck_clean(&dev.image(), "exercised");

    // A device that fails some writes: errors come back, nothing panics.
    for every in [3, 7, 20, 50] {
        let dev = RamDisk::new(base.clone());
        let fs = Ext2Fs::mount(dev.clone()).expect("mount");
        dev.fail_every.store(every, Ordering::Relaxed);
        exercise(&fs, &mut Rng(every));
    }

    // Damage in the metadata and the first data blocks (superblock, descriptors,
    // bitmaps, inode table, directories, indirect blocks).
    let mut rng = Rng(0xbad);
    for _ in 0..400 {
        let mut image = base.clone();
        for _ in 0..1 + rng.below(12) {
            let at = 1024 + rng.below(400 * 1024) as usize;
            image[at] = match rng.below(3) {
                0 => 0,
                1 => 0xff,
                _ => rng.next() as u8,
            };
        }
        if let Ok(fs) = Ext2Fs::mount(RamDisk::new(image)) {
            exercise(&fs, &mut rng);
        }
    }
}

#[test]
fn allocation_follows_the_ext2_policies() {
    if !have_tools() {
        return;
    }
    let image = mkfs(1024, 8192, &["-g", "2048", "-N", "2048"], |_| {});
    let (dev, fs) = mount_rw(image);
    let sb = fs.vol.sb.clone();
    let ino_group =
        |i: &Arc<dyn Inode>| (i.stat().expect("stat").ino as u32 - 1) / sb.inodes_per_group;
    let root = fs.root();

    // Top-level directories spread over the groups; a file's inode stays in its
    // directory's group, and its first block too.
    // Group 0 starts with two directories (the root and lost+found), so the first
    // three go elsewhere, and the next ones even the groups out.
    let tops: Vec<Arc<dyn Inode>> = (0..7)
        .map(|i| {
            root.mkdir(format!("top{i}").as_bytes(), dir(0o755))
                .expect("mkdir")
        })
        .collect();
    let groups: Vec<u32> = tops.iter().map(ino_group).collect();
    let first: BTreeSet<u32> = groups[..3].iter().copied().collect();
    assert_eq!(
        first,
        BTreeSet::from([1, 2, 3]),
        "top-level directories in {groups:?}"
    );
    for g in 0..4 {
        let dirs = groups.iter().filter(|&&x| x == g).count() + 2 * usize::from(g == 0);
        assert!(
            (2..=3).contains(&dirs),
            "group {g} has {dirs} directories: {groups:?}"
        );
    }
    for top in &tops {
        let f = top.create(b"f", file(0o644)).expect("create");
        assert_eq!(
            ino_group(&f),
            ino_group(top),
            "a file goes with its directory"
        );
        f.write_at(0, b"x").expect("write");
        let inode = fs.inode(f.stat().expect("stat").ino as u32).expect("inode");
        let block = inode
            .map_block(&inode.state.read().disk, 0)
            .expect("map")
            .expect("block");
        assert_eq!(
            sb.block_group(block).0,
            ino_group(top),
            "its data near its inode"
        );
    }

    // One sequential writer gets contiguous blocks: the only jumps are over its own
    // indirect blocks and the next group's metadata.
    let f = tops[0].create(b"seq", file(0o644)).expect("create");
    let chunk = vec![0xabu8; 4096];
    let size = 3u64 << 20;
    for off in (0..size).step_by(chunk.len()) {
        f.write_at(off, &chunk).expect("write");
    }
    let inode = fs.inode(f.stat().expect("stat").ino as u32).expect("inode");
    let disk = inode.state.read().disk.clone();
    let blocks: Vec<u32> = (0..size / 1024)
        .map(|l| inode.map_block(&disk, l).expect("map").expect("mapped"))
        .collect();
    let jumps = blocks.windows(2).filter(|w| w[1] != w[0] + 1).count();
    let indirect = 1 + 1 + (size / 1024 - 12 - 256).div_ceil(256);
    let crossed = (blocks[blocks.len() - 1] - blocks[0]) / sb.blocks_per_group + 1;
    assert!(
        jumps as u64 <= indirect + u64::from(crossed),
        "{jumps} jumps, {indirect} indirect blocks, {crossed} groups"
    );
    sync_and_check(&fs, &dev, "policies");
}
