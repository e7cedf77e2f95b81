//! Tests against real images that mke2fs builds from a populated host directory, and
//! against damaged images.
//!
//! Each image is built once per test run; what the host said about every source file is
//! recorded and the source tree deleted, so the checks compare the driver with the host.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use super::*;
use crate::fs::{DirEntry, FileType};

/// A block device over memory that counts its reads and can fail some.
struct MemDevice {
    data: Vec<u8>,
    reads: AtomicU64,
    bytes_read: AtomicU64,
    /// Reads touching this byte or any later one fail with EIO.
    fail_from: Option<u64>,
}

impl MemDevice {
    fn new(data: Vec<u8>) -> Arc<MemDevice> {
        Arc::new(MemDevice {
            data,
            reads: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            fail_from: None,
        })
    }

    fn counters(&self) -> (u64, u64) {
        (
            self.reads.load(Ordering::Relaxed),
            self.bytes_read.load(Ordering::Relaxed),
        )
    }
}

impl BlockDevice for MemDevice {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<()> {
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EIO)?;
        if end > self.data.len() as u64 || self.fail_from.is_some_and(|f| end > f) {
            return Err(Errno::EIO);
        }

        buf.copy_from_slice(&self.data[off as usize..end as usize]);
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.bytes_read
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn write_at(&self, _off: u64, _buf: &[u8]) -> KResult<()> {
        Err(Errno::EROFS)
    }

    fn size_bytes(&self) -> u64 {
        self.data.len() as u64
    }

    fn flush(&self) -> KResult<()> {
        Ok(())
    }

    fn name(&self) -> &str {
        "ubda"
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

/// What the host reported about one file of the source tree.
struct HostFile {
    meta: fs::Metadata,
    /// Contents of a regular file up to `WHOLE_CONTENTS_MAX` bytes.
    contents: Option<Vec<u8>>,
    /// For a bigger file, its last `TAIL_BYTES` bytes and their offset.
    tail: Option<(u64, Vec<u8>)>,
    link: Option<Vec<u8>>,
    children: Option<BTreeSet<Vec<u8>>>,
}

/// An image and the host's view of the tree it was built from.
struct Fixture {
    image: Vec<u8>,
    block_size: u32,
    /// Paths relative to the image root ("" is the root).
    files: BTreeMap<String, HostFile>,
    has_devices: bool,
}

/// Files up to this size are kept whole for comparison.
const WHOLE_CONTENTS_MAX: u64 = 4 << 20;

/// Bytes kept from the end of bigger (sparse) files.
const TAIL_BYTES: usize = 4096;

const SLOW_LINK_TARGET: &str = "a/long_component_name_number_one/long_component_name_number_two/\
                                long_component_name_number_three/end";

/// Offset of the data written into `huge_sparse`: past 64.3 MiB, so with 1 KiB blocks it
/// hangs off the triple indirect block.
const HUGE_SPARSE_DATA_AT: u64 = 68 * 1024 * 1024 + 100;

/// Fills `root` with the files the tests look at; returns whether device nodes were made.
fn populate(root: &Path) -> bool {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let write = |rel: &str, data: &[u8]| fs::write(root.join(rel), data).expect("write");

    write("small.txt", b"hello, ext2\n");
    write("empty", b"");
    write("f100k", &rng.bytes(100 * 1024));
    write("f300k", &rng.bytes(300 * 1024 + 123));
    write("exec2m", &rng.bytes(2 * 1024 * 1024 + 77));

    let sparse = fs::File::create(root.join("sparse")).expect("create sparse");
    sparse.set_len(1024 * 1024).expect("set_len");
    std::os::unix::fs::FileExt::write_all_at(&sparse, b"in the middle", 500_000).expect("w");
    std::os::unix::fs::FileExt::write_all_at(&sparse, b"end", 1024 * 1024 - 3).expect("w");

    let huge = fs::File::create(root.join("huge_sparse")).expect("create huge_sparse");
    std::os::unix::fs::FileExt::write_all_at(&huge, &rng.bytes(5000), HUGE_SPARSE_DATA_AT)
        .expect("write huge_sparse");

    fs::create_dir_all(root.join("a/b/c")).expect("mkdir");
    fs::create_dir_all(root.join("a/b/sibling")).expect("mkdir");
    write("a/b/c/deep.txt", b"deep inside\n");
    fs::create_dir(root.join("many")).expect("mkdir many");
    for i in 0..300 {
        let name = format!("entry_{i:03}_{}", "x".repeat(i % 40));
        write(&format!("many/{name}"), format!("{i}").as_bytes());
    }

    std::os::unix::fs::symlink("a/b/c/deep.txt", root.join("link_fast")).expect("symlink");
    std::os::unix::fs::symlink(SLOW_LINK_TARGET, root.join("link_slow")).expect("symlink");
    write("hard1", b"two names\n");
    fs::hard_link(root.join("hard1"), root.join("hard2")).expect("hard link");

    write("owned", b"owned by someone else\n");
    // chown clears the set-user-ID bit, so it goes first.
    let _ = std::os::unix::fs::chown(root.join("owned"), Some(100_000), Some(200_000));
    fs::set_permissions(root.join("owned"), fs::Permissions::from_mode(0o4751)).expect("chmod");

    let run = |args: &[&str]| {
        Command::new(args[0])
            .args(&args[1..])
            .current_dir(root)
            .status()
            .is_ok_and(|s| s.success())
    };
    run(&["mkfifo", "fifo"]);
    run(&["mknod", "null_like", "c", "1", "3"])
        && run(&["mknod", "disk_like", "b", "8", "1"])
        && run(&["mknod", "big_numbers", "c", "300", "70000"])
}

/// Records what the host says about `dir` and everything below it under `rel`.
fn record(dir: &Path, rel: &str, files: &mut BTreeMap<String, HostFile>) {
    let meta = fs::symlink_metadata(dir).expect("stat");
    let mut file = HostFile {
        meta: meta.clone(),
        contents: None,
        tail: None,
        link: None,
        children: None,
    };

    if meta.is_dir() {
        let mut children = BTreeSet::new();
        for entry in fs::read_dir(dir).expect("read_dir") {
            let name = entry.expect("dir entry").file_name();
            children.insert(name.as_bytes().to_vec());
            let child_rel = if rel.is_empty() {
                name.to_string_lossy().into_owned()
            } else {
                format!("{rel}/{}", name.to_string_lossy())
            };
            record(&dir.join(&name), &child_rel, files);
        }
        file.children = Some(children);
    } else if meta.file_type().is_symlink() {
        file.link = Some(
            fs::read_link(dir)
                .expect("readlink")
                .as_os_str()
                .as_bytes()
                .to_vec(),
        );
    } else if meta.is_file() && meta.len() <= WHOLE_CONTENTS_MAX {
        file.contents = Some(fs::read(dir).expect("read"));
    } else if meta.is_file() {
        let mut tail = vec![0u8; TAIL_BYTES];
        let at = meta.len() - TAIL_BYTES as u64;
        let host = fs::File::open(dir).expect("open");
        std::os::unix::fs::FileExt::read_exact_at(&host, &mut tail, at).expect("read tail");
        file.tail = Some((at, tail));
    }

    files.insert(rel.to_string(), file);
}

fn mke2fs() -> Option<PathBuf> {
    ["/usr/sbin/mke2fs", "/sbin/mke2fs"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Builds an image with `block_size`-byte blocks; `None` (after saying so) when mke2fs is
/// not installed.
fn build_fixture(tag: &str, block_size: u32, extra: &[&str], size: &str) -> Option<Fixture> {
    let Some(mke2fs) = mke2fs() else {
        eprintln!("skipping ext2 image tests: mke2fs not found");
        return None;
    };

    let work = std::env::temp_dir().join(format!("kern-ext2-{}-{tag}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    let src = work.join("src");
    fs::create_dir_all(&src).expect("mkdir work");
    let has_devices = populate(&src);

    let img = work.join("image");
    let bs = block_size.to_string();
    let out = Command::new(mke2fs)
        .args(["-q", "-F", "-t", "ext2", "-b", &bs])
        .args(extra)
        .arg("-d")
        .arg(&src)
        .arg(&img)
        .arg(size)
        .output()
        .expect("run mke2fs");
    assert!(
        out.status.success(),
        "mke2fs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let image = fs::read(&img).expect("read image");
    let mut files = BTreeMap::new();
    record(&src, "", &mut files);
    let _ = fs::remove_dir_all(&work);

    Some(Fixture {
        image,
        block_size,
        files,
        has_devices,
    })
}

/// 1 KiB blocks, 128-byte inodes, four groups of 2048 blocks.
fn fixture_1k() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| build_fixture("1k", 1024, &["-I", "128", "-g", "2048"], "8M"))
        .as_ref()
}

/// 4 KiB blocks, 256-byte inodes.
fn fixture_4k() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| build_fixture("4k", 4096, &["-I", "256"], "16M"))
        .as_ref()
}

/// 64 KiB blocks, the largest ext2 allows.
fn fixture_64k() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| build_fixture("64k", 65536, &[], "32M"))
        .as_ref()
}

fn all_fixtures() -> Vec<&'static Fixture> {
    [fixture_1k(), fixture_4k(), fixture_64k()]
        .into_iter()
        .flatten()
        .collect()
}

fn mount(image: Vec<u8>) -> Result<Arc<Ext2Fs>, MountError> {
    Ext2Fs::mount(MemDevice::new(image))
}

fn mount_fixture(f: &Fixture) -> Arc<Ext2Fs> {
    mount(f.image.clone()).expect("mount fixture")
}

/// Walks `path` ("a/b/c") from the root, one lookup per component.
fn resolve(fs: &Ext2Fs, path: &str) -> KResult<Arc<dyn Inode>> {
    let mut inode = fs.root();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        inode = inode.lookup(part.as_bytes())?;
    }
    Ok(inode)
}

/// Everything `read_dir` yields, following its cookies from 0.
fn list(dir: &dyn Inode) -> KResult<Vec<(DirEntry, u64)>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((entry, next)) = dir.read_dir(pos)? {
        assert!(next > pos, "cookie went from {pos} to {next}");
        out.push((entry, next));
        pos = next;
    }
    Ok(out)
}

/// Reads a whole file in `chunk`-byte reads.
fn read_all(inode: &dyn Inode, chunk: usize) -> KResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; chunk];
    loop {
        let n = inode.read_at(out.len() as u64, &mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn host_type(meta: &fs::Metadata) -> FileType {
    FileType::from_mode(meta.mode()).expect("host file type")
}

/// Compares every file of the fixture with what the host said about it.
fn check_tree(f: &Fixture) {
    let fs = mount_fixture(f);

    for (path, host) in &f.files {
        let inode = resolve(&fs, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let st = inode.stat().expect("stat");
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);

        assert_eq!(inode.file_type(), host_type(&host.meta), "{path}: type");
        assert_eq!(st.blksize, f.block_size, "{path}: blksize");
        if !path.is_empty() {
            // The image root also holds lost+found, so its link count differs.
            assert_eq!(st.mode, host.meta.mode(), "{path}: mode");
            assert_eq!(st.nlink, host.meta.nlink() as u32, "{path}: nlink");
            assert_eq!(st.uid, host.meta.uid(), "{path}: uid");
            assert_eq!(st.gid, host.meta.gid(), "{path}: gid");
            assert_eq!(st.mtime.sec, host.meta.mtime(), "{path}: mtime");
        }
        if !host.meta.is_dir() {
            assert_eq!(st.size, host.meta.size(), "{path}: size");
        }
        if matches!(
            inode.file_type(),
            FileType::CharDevice | FileType::BlockDevice
        ) {
            assert_eq!(st.rdev, host.meta.rdev(), "{path}: rdev");
        }

        if let Some(want) = &host.contents {
            for chunk in [4096, 1000, 65536] {
                let got = read_all(&*inode, chunk).expect("read");
                assert!(got == *want, "{path}: contents differ (chunk {chunk})");
            }
        }
        if let Some((at, want)) = &host.tail {
            let mut got = vec![0xAAu8; want.len() + 100];
            assert_eq!(inode.read_at(*at, &mut got), Ok(want.len()), "{path}: tail");
            assert!(got[..want.len()] == *want, "{path}: tail differs");
        }
        if let Some(want) = &host.link {
            assert_eq!(inode.read_link().expect("readlink"), *want, "{path}: link");
        }
        if let Some(want) = &host.children {
            let entries = list(&*inode).expect("read_dir");
            let names: BTreeSet<Vec<u8>> = entries
                .iter()
                .map(|(e, _)| e.name.clone())
                .filter(|n| n != b"." && n != b".." && !(path.is_empty() && n == b"lost+found"))
                .collect();
            assert_eq!(names, *want, "{path}: listing");

            let parent_ino = resolve(&fs, parent)
                .expect("parent")
                .stat()
                .expect("stat")
                .ino;
            let dot = entries.iter().find(|(e, _)| e.name == b".").expect(".");
            let dotdot = entries.iter().find(|(e, _)| e.name == b"..").expect("..");
            assert_eq!(dot.0.ino, st.ino, "{path}: .");
            assert_eq!(
                dotdot.0.ino,
                if path.is_empty() { st.ino } else { parent_ino }
            );

            for (entry, _) in &entries {
                let child = inode.lookup(&entry.name).expect("lookup listed name");
                let child_st = child.stat().expect("stat");
                assert_eq!(entry.ino, child_st.ino);
                assert_eq!(entry.file_type, Some(child.file_type()));
            }
        }
    }
}

#[test]
fn tree_matches_host_with_1k_blocks() {
    if let Some(f) = fixture_1k() {
        check_tree(f);
    }
}

#[test]
fn tree_matches_host_with_4k_blocks() {
    if let Some(f) = fixture_4k() {
        check_tree(f);
    }
}

#[test]
fn tree_matches_host_with_64k_blocks() {
    if let Some(f) = fixture_64k() {
        check_tree(f);
    }
}

#[test]
fn reports_stats_from_the_superblock() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);
        let st = fs.stats();

        assert_eq!(fs.type_name(), "ext2");
        assert_eq!(st.fs_type, 0xEF53);
        assert_eq!(st.block_size, u64::from(f.block_size));
        assert_eq!(st.blocks * st.block_size, f.image.len() as u64);
        assert!(st.blocks_free > 0 && st.blocks_free < st.blocks);
        assert!(st.blocks_avail <= st.blocks_free);
        assert!(st.files > 300 && st.files_free < st.files);
        assert_eq!(st.name_max, 255);

        let root = fs.root().stat().expect("stat root");
        assert_eq!(root.ino, 2);
        assert_eq!(root.mode & 0o170000, 0o040000);
    }
}

#[test]
fn reads_across_indirect_boundaries() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);
        let bs = u64::from(f.block_size);
        let p = bs / 4;

        for name in ["f100k", "f300k", "exec2m"] {
            let want = f.files[name].contents.as_ref().expect("contents");
            let inode = resolve(&fs, name).expect("lookup");
            let size = want.len() as u64;

            // Straddle the end of the direct blocks, of the single indirect range, the
            // first double-indirect second-level block, and the end of the file.
            let starts = [
                0,
                12 * bs - 5,
                (12 + p) * bs - 7,
                (12 + 2 * p) * bs - 1,
                size - 10,
            ];
            for start in starts.into_iter().filter(|&s| s < size) {
                let mut buf = vec![0xAAu8; 3 * bs as usize + 17];
                let n = inode.read_at(start, &mut buf).expect("read");
                let expect_n = (size - start).min(buf.len() as u64) as usize;
                assert_eq!(n, expect_n, "{name} @ {start}");
                assert!(
                    buf[..n] == want[start as usize..start as usize + n],
                    "{name} @ {start}"
                );
            }

            let mut buf = [0u8; 16];
            assert_eq!(inode.read_at(size, &mut buf), Ok(0));
            assert_eq!(inode.read_at(size + 12345, &mut buf), Ok(0));
            assert_eq!(inode.read_at(0, &mut []), Ok(0));
        }
    }
}

#[test]
fn sparse_files_read_as_zeros() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);

        let sparse = resolve(&fs, "sparse").expect("sparse");
        let st = sparse.stat().expect("stat");
        assert_eq!(st.size, 1024 * 1024);
        assert!(
            st.blocks * 512 < st.size / 4,
            "sparse file has {} sectors",
            st.blocks
        );
        let got = read_all(&*sparse, 70_000).expect("read");
        assert!(got == *f.files["sparse"].contents.as_ref().expect("contents"));

        // With 1 KiB blocks this data sits under the triple indirect block.
        let huge = resolve(&fs, "huge_sparse").expect("huge_sparse");
        let (at, tail) = f.files["huge_sparse"].tail.as_ref().expect("tail");
        let start = HUGE_SPARSE_DATA_AT - 3000;
        let mut buf = vec![0xAAu8; 9000];
        assert_eq!(huge.read_at(start, &mut buf), Ok(8000));
        assert!(buf[..3000].iter().all(|&b| b == 0));
        assert!(buf[8000 - tail.len()..8000] == tail[..]);
        assert_eq!(*at, start + 8000 - tail.len() as u64);

        // Zeros all the way from the start of the file to the data.
        let mut zeros = vec![0xAAu8; 1 << 20];
        for off in (0..HUGE_SPARSE_DATA_AT - (1 << 20)).step_by(zeros.len() * 7) {
            assert_eq!(huge.read_at(off, &mut zeros), Ok(zeros.len()));
            assert!(zeros.iter().all(|&b| b == 0), "hole at {off}");
        }
        let sectors = huge.stat().expect("stat").blocks;
        assert!(
            sectors * 512 <= 8 * u64::from(f.block_size),
            "{sectors} sectors"
        );
    }
}

#[test]
fn one_device_read_per_block_for_a_big_file() {
    for f in all_fixtures() {
        let dev = MemDevice::new(f.image.clone());
        let fs = Ext2Fs::mount(dev.clone()).expect("mount");
        let inode = resolve(&fs, "exec2m").expect("lookup");
        let size = inode.stat().expect("stat").size;
        let bs = u64::from(f.block_size);

        // Page-sized reads, as a page cache or an ELF loader issues them: data is read
        // once, and each indirect block once (the 2 MiB file needs at most 10 of them).
        let (reads0, bytes0) = dev.counters();
        let got = read_all(&*inode, 4096).expect("read");
        let (reads1, bytes1) = dev.counters();
        assert_eq!(got.len() as u64, size);
        let chunks = size.div_ceil(4096) + 1;
        assert!(
            bytes1 - bytes0 <= size + 10 * bs,
            "{} bytes read",
            bytes1 - bytes0
        );
        assert!(
            reads1 - reads0 <= 2 * chunks + 10,
            "{} reads",
            reads1 - reads0
        );

        // One big read: one device request per contiguous run (runs break only at
        // indirect blocks and group metadata), plus the indirect blocks, now cached.
        let mut buf = vec![0u8; size as usize];
        assert_eq!(inode.read_at(0, &mut buf), Ok(size as usize));
        let (reads2, _) = dev.counters();
        assert!(
            reads2 - reads1 <= 24,
            "{} reads for one read_at",
            reads2 - reads1
        );
    }
}

#[test]
fn lookup_and_operation_errors() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);
        let root = fs.root();
        let file = resolve(&fs, "small.txt").expect("small.txt");
        let link = resolve(&fs, "link_fast").expect("link_fast");

        assert_eq!(root.lookup(b"no such file").err(), Some(Errno::ENOENT));
        assert_eq!(root.lookup(b"").err(), Some(Errno::ENOENT));
        assert_eq!(root.lookup(b"small.txt/").err(), Some(Errno::ENOENT));
        assert_eq!(root.lookup(&[b'x'; 255]).err(), Some(Errno::ENOENT));
        assert_eq!(root.lookup(&[b'x'; 256]).err(), Some(Errno::ENAMETOOLONG));
        assert_eq!(file.lookup(b"x").err(), Some(Errno::ENOTDIR));
        assert_eq!(link.lookup(b"x").err(), Some(Errno::ENOTDIR));
        assert_eq!(file.read_dir(0).err(), Some(Errno::ENOTDIR));
        assert_eq!(file.read_link().err(), Some(Errno::EINVAL));
        assert_eq!(root.read_link().err(), Some(Errno::EINVAL));
        assert_eq!(root.read_at(0, &mut [0u8; 8]).err(), Some(Errno::EISDIR));
        assert_eq!(link.read_at(0, &mut [0u8; 8]).err(), Some(Errno::EINVAL));
        assert_eq!(file.write_at(0, b"x").err(), Some(Errno::EROFS));
        assert_eq!(fs.inode(0).err(), Some(CORRUPT));
        assert_eq!(fs.inode(u32::MAX).err(), Some(CORRUPT));

        // A free inode (the last one is never used here) is damage when something names it.
        let last = fs.stats().files as u32;
        assert_eq!(fs.inode(last).err(), Some(CORRUPT));

        let resolved = resolve(&fs, "a/b/../b/c/./deep.txt").expect("dot and dotdot");
        assert_eq!(read_all(&*resolved, 100).expect("read"), b"deep inside\n");
    }
}

#[test]
fn read_dir_cookies_resume_anywhere() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);
        let many = resolve(&fs, "many").expect("many");
        let entries = list(&*many).expect("read_dir");
        assert_eq!(entries.len(), 302);
        assert_eq!(many.stat().expect("stat").size % u64::from(f.block_size), 0);

        // Resuming from any returned cookie gives the rest of the listing; a cookie in
        // the middle of an entry moves on to the next entry.
        for i in [0, 1, 2, 57, 150, 300] {
            let (_, cookie) = &entries[i];
            let rest = {
                let mut out = Vec::new();
                let mut pos = *cookie;
                while let Some((e, next)) = many.read_dir(pos).expect("read_dir") {
                    out.push(e);
                    pos = next;
                }
                out
            };
            let want: Vec<_> = entries[i + 1..].iter().map(|(e, _)| e.clone()).collect();
            assert_eq!(rest, want, "resuming after entry {i}");

            // `cookie - 1` is the last byte of entry i.
            let next = many.read_dir(cookie - 1).expect("read_dir").map(|(e, _)| e);
            assert_eq!(
                next.as_ref(),
                entries.get(i + 1).map(|(e, _)| e),
                "inside entry {i}"
            );
        }

        let size = many.stat().expect("stat").size;
        assert_eq!(many.read_dir(size), Ok(None));
        assert_eq!(many.read_dir(u64::MAX), Ok(None));
    }
}

#[test]
fn symlinks_fast_and_slow() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);

        let fast = resolve(&fs, "link_fast").expect("link_fast");
        assert_eq!(fast.file_type(), FileType::Symlink);
        assert_eq!(fast.stat().expect("stat").blocks, 0);
        assert_eq!(fast.read_link().expect("readlink"), b"a/b/c/deep.txt");

        let slow = resolve(&fs, "link_slow").expect("link_slow");
        assert!(slow.stat().expect("stat").blocks > 0);
        assert_eq!(
            slow.read_link().expect("readlink"),
            SLOW_LINK_TARGET.as_bytes()
        );
    }
}

#[test]
fn device_nodes_owners_and_links() {
    for f in all_fixtures() {
        let fs = mount_fixture(f);

        if f.has_devices {
            let null = resolve(&fs, "null_like")
                .expect("null_like")
                .stat()
                .expect("stat");
            assert_eq!(null.rdev, (1 << 8) | 3);
            let disk = resolve(&fs, "disk_like").expect("disk_like");
            assert_eq!(disk.file_type(), FileType::BlockDevice);
            assert_eq!(disk.stat().expect("stat").rdev, (8 << 8) | 1);

            // Numbers past 8:8 bits use the new encoding in i_block[1].
            let big = resolve(&fs, "big_numbers")
                .expect("big_numbers")
                .stat()
                .expect("stat");
            let (major, minor) = (300u64, 70_000u64);
            assert_eq!(
                big.rdev,
                (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
            );
        }

        let owned = resolve(&fs, "owned").expect("owned").stat().expect("stat");
        assert_eq!(owned.mode, 0o104751);
        assert_eq!(
            (owned.uid, owned.gid),
            (f.files["owned"].meta.uid(), f.files["owned"].meta.gid())
        );

        let one = resolve(&fs, "hard1").expect("hard1").stat().expect("stat");
        let two = resolve(&fs, "hard2").expect("hard2").stat().expect("stat");
        assert_eq!((one.ino, one.nlink), (two.ino, 2));
        assert_eq!(
            resolve(&fs, "fifo").expect("fifo").file_type(),
            FileType::Fifo
        );
    }
}

#[test]
fn owner_high_bits_come_from_osd2() {
    let Some(f) = fixture_1k() else { return };
    if f.files["owned"].meta.uid() != 100_000 {
        eprintln!("skipping: could not chown the source file");
        return;
    }

    let fs = mount_fixture(f);
    let owned = resolve(&fs, "owned").expect("owned").stat().expect("stat");
    assert_eq!((owned.uid, owned.gid), (100_000, 200_000));
}

#[test]
fn one_in_memory_inode_per_number() {
    let Some(f) = fixture_1k() else { return };
    let fs = mount_fixture(f);

    let a = fs.inode(2).expect("root");
    let b = fs.inode(2).expect("root");
    assert!(Arc::ptr_eq(&a, &b));

    let one = resolve(&fs, "many").expect("many");
    let two = resolve(&fs, "many").expect("many");
    assert!(Arc::ptr_eq(&one, &two));
}

// ---- damaged and foreign images -------------------------------------------------------

fn mount_err(image: Vec<u8>) -> MountError {
    match mount(image) {
        Ok(_) => panic!("damaged image mounted"),
        Err(e) => e,
    }
}

fn put32(image: &mut [u8], off: usize, v: u32) {
    image[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn get32(image: &[u8], off: usize) -> u32 {
    le32(image, off)
}

/// A small valid image (the 1 KiB fixture), or `None` without mke2fs.
fn base_image() -> Option<Vec<u8>> {
    fixture_1k().map(|f| f.image.clone())
}

#[test]
fn refuses_random_bytes() {
    let mut rng = Rng(42);
    for len in [0usize, 100, 2047, 2048, 4096, 65536, 1 << 20] {
        for _ in 0..4 {
            let err = mount_err(rng.bytes(len));
            assert!(err.to_string().starts_with("ubda: "), "{err}");
        }
    }

    // Random bytes behind a correct magic number get past the first check only.
    for _ in 0..200 {
        let mut image = rng.bytes(1 << 20);
        image[1080..1082].copy_from_slice(&EXT2_MAGIC.to_le_bytes());
        let _ = mount(image);
    }
}

#[test]
fn refuses_an_empty_or_tiny_device() {
    assert_eq!(
        mount_err(Vec::new()).to_string(),
        "ubda: device too small (0 bytes) for superblock"
    );
    assert_eq!(
        mount_err(vec![0; 4096]).to_string(),
        "ubda: not an ext2 file system (bad magic 0x0000)"
    );
    assert_eq!(
        mount_err(vec![0; 2000]).kind,
        MountErrorKind::DeviceTooSmall {
            size: 2000,
            what: "superblock".into()
        }
    );
}

#[test]
fn refuses_damaged_superblocks() {
    let Some(good) = base_image() else { return };

    let mut zeroed = good.clone();
    zeroed[1024..2048].fill(0);
    assert_eq!(
        mount_err(zeroed).to_string(),
        "ubda: not an ext2 file system (bad magic 0x0000)"
    );

    let mut magic = good.clone();
    magic[1080..1082].copy_from_slice(&0x1234u16.to_le_bytes());
    assert_eq!(mount_err(magic).kind, MountErrorKind::BadMagic(0x1234));

    let mut bpg = good.clone();
    put32(&mut bpg, 1024 + 32, 0);
    assert_eq!(
        mount_err(bpg).to_string(),
        "ubda: damaged superblock: blocks per group is 0"
    );

    let mut ipg = good.clone();
    put32(&mut ipg, 1024 + 40, get32(&good, 1024 + 40) + 8);
    assert!(mount_err(ipg)
        .to_string()
        .contains("does not match 4 groups"));

    let mut feature = good.clone();
    put32(&mut feature, 1024 + 96, get32(&good, 1024 + 96) | 0x80);
    assert_eq!(
        mount_err(feature).to_string(),
        "ubda: unsupported ext2 feature: incompat 0x80 (64bit)"
    );

    let mut journal_dev = good.clone();
    put32(&mut journal_dev, 1024 + 96, 0x2 | 0x8 | 0x10);
    assert!(mount_err(journal_dev)
        .to_string()
        .ends_with("incompat 0x18 (journal_dev, meta_bg)"));

    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    assert_eq!(
        mount_err(truncated).to_string(),
        "ubda: device too small (4194304 bytes) for 8192 blocks of 1024 bytes"
    );
}

/// Byte offset of group `group`'s descriptor in a 1 KiB-block image.
fn desc_off(group: usize) -> usize {
    2048 + 32 * group
}

#[test]
fn refuses_damaged_group_descriptors() {
    let Some(good) = base_image() else { return };

    let mut table = good.clone();
    put32(&mut table, desc_off(2) + 8, 7_000_000);
    let err = mount_err(table);
    assert!(matches!(
        err.kind,
        MountErrorKind::DamagedGroupDescriptor { group: 2, .. }
    ));
    assert!(
        err.to_string().contains("inode table at blocks 7000000"),
        "{err}"
    );

    // An inode table that starts inside the group but runs past its end.
    let mut tail = good.clone();
    put32(&mut tail, desc_off(1) + 8, 2048 * 2 - 3);
    assert!(mount_err(tail)
        .to_string()
        .contains("damaged group descriptor 1"));

    let mut bitmap = good.clone();
    put32(&mut bitmap, desc_off(0), 0);
    assert!(mount_err(bitmap)
        .to_string()
        .contains("block bitmap at block 0"));
}

#[test]
fn refuses_a_root_that_is_not_a_directory() {
    let Some(good) = base_image() else { return };
    let fs = mount(good.clone()).expect("mount");
    let table = fs.vol.groups[0].inode_table as usize;
    let root_off = table * 1024 + 128;
    drop(fs);

    let mut image = good.clone();
    image[root_off..root_off + 2].copy_from_slice(&0o100644u16.to_le_bytes());
    assert_eq!(
        mount_err(image).to_string(),
        "ubda: damaged root directory: inode 2 is not a directory"
    );

    let mut image = good;
    image[root_off..root_off + 2].copy_from_slice(&0u16.to_le_bytes());
    assert!(mount_err(image)
        .to_string()
        .contains("cannot read inode 2 (EIO)"));
}

#[test]
fn reports_read_errors_at_mount() {
    let Some(good) = base_image() else { return };
    let dev = Arc::new(MemDevice {
        data: good,
        reads: AtomicU64::new(0),
        bytes_read: AtomicU64::new(0),
        fail_from: Some(1500),
    });
    let err = Ext2Fs::mount(dev).err().expect("mount must fail");
    assert_eq!(err.to_string(), "ubda: read error at byte 1024 (EIO)");
}

/// Byte offset of inode `ino`'s on-disk record in `fs`'s image.
fn inode_off(fs: &Ext2Fs, ino: u32) -> usize {
    let sb = &fs.vol.sb;
    let group = ((ino - 1) / sb.inodes_per_group) as usize;
    let slot = ((ino - 1) % sb.inodes_per_group) as usize;
    fs.vol.groups[group].inode_table as usize * sb.block_size as usize
        + slot * sb.inode_size as usize
}

#[test]
fn damaged_directory_blocks_fail_with_eio() {
    let Some(good) = base_image() else { return };
    let fs = mount(good.clone()).expect("mount");
    let dir = fs.inode(resolve(&fs, "a/b").expect("a/b").stat().expect("stat").ino as u32);
    let dir = dir.expect("a/b");
    let block = dir
        .map_block(&dir.state.read().disk, 0)
        .expect("map")
        .expect("dir block") as usize
        * 1024;
    let many = resolve(&fs, "many")
        .expect("many")
        .stat()
        .expect("stat")
        .ino as u32;
    let many_off = inode_off(&fs, many);
    drop((dir, fs));

    // rec_len 0 on the first entry (".") of a/b.
    let mut image = good.clone();
    image[block + 4..block + 6].fill(0);
    let fs = mount(image).expect("damage is below the superblock");
    let ab = resolve(&fs, "a/b").expect("a/b itself is fine");
    assert_eq!(ab.read_dir(0).err(), Some(CORRUPT));
    assert_eq!(ab.lookup(b"c").err(), Some(CORRUPT));
    assert_eq!(resolve(&fs, "a/b/c/deep.txt").err(), Some(CORRUPT));
    assert!(
        resolve(&fs, "small.txt").is_ok(),
        "other directories still work"
    );

    // An entry running past the block end, and one naming an impossible inode.
    let mut image = good.clone();
    image[block + 4..block + 6].copy_from_slice(&2000u16.to_le_bytes());
    let fs = mount(image).expect("mount");
    assert_eq!(
        resolve(&fs, "a/b").expect("a/b").read_dir(0).err(),
        Some(CORRUPT)
    );

    let mut image = good.clone();
    put32(&mut image, block, 0x7fff_ffff);
    let fs = mount(image).expect("mount");
    assert_eq!(
        resolve(&fs, "a/b").expect("a/b").read_dir(0).err(),
        Some(CORRUPT)
    );

    // A directory whose size is not whole blocks, and one with a hole.
    let mut image = good.clone();
    put32(&mut image, many_off + 4, 1000);
    let fs = mount(image).expect("mount");
    assert_eq!(
        resolve(&fs, "many").expect("many").read_dir(0).err(),
        Some(CORRUPT)
    );

    let mut image = good;
    put32(&mut image, many_off + 40 + 4, 0);
    let fs = mount(image).expect("mount");
    let many = resolve(&fs, "many").expect("many");
    assert_eq!(list(&*many).err(), Some(CORRUPT));
    assert_eq!(many.lookup(b"nothing").err(), Some(CORRUPT));
}

#[test]
fn bad_block_pointers_fail_with_eio() {
    let Some(good) = base_image() else { return };
    let fs = mount(good.clone()).expect("mount");
    let ino = resolve(&fs, "f300k")
        .expect("f300k")
        .stat()
        .expect("stat")
        .ino as u32;
    let off = inode_off(&fs, ino);
    let blocks_count = fs.vol.sb.blocks_count;
    let dind = get32(&good, off + 40 + 13 * 4) as usize * 1024;
    drop(fs);

    let mut image = good.clone();
    put32(&mut image, off + 40, blocks_count + 5);
    let fs = mount(image).expect("mount");
    let f = resolve(&fs, "f300k").expect("f300k");
    assert_eq!(f.read_at(0, &mut [0u8; 10]).err(), Some(CORRUPT));
    assert_eq!(
        f.read_at(2048, &mut [0u8; 10]),
        Ok(10),
        "other blocks still read"
    );

    let mut image = good.clone();
    put32(&mut image, off + 40 + 12 * 4, u32::MAX);
    let fs = mount(image).expect("mount");
    let f = resolve(&fs, "f300k").expect("f300k");
    assert_eq!(f.read_at(12 * 1024, &mut [0u8; 10]).err(), Some(CORRUPT));
    assert_eq!(f.read_at(11 * 1024, &mut [0u8; 10]), Ok(10));

    // A pointer inside the double indirect block.
    let mut image = good;
    put32(&mut image, dind, blocks_count);
    let fs = mount(image).expect("mount");
    let f = resolve(&fs, "f300k").expect("f300k");
    assert_eq!(
        f.read_at((12 + 256) * 1024, &mut [0u8; 10]).err(),
        Some(CORRUPT)
    );
    assert_eq!(read_all(&*f, 4096).err(), Some(CORRUPT));
}

#[test]
fn damaged_symlinks_fail_with_eio() {
    let Some(good) = base_image() else { return };
    let fs = mount(good.clone()).expect("mount");
    let fast = inode_off(
        &fs,
        resolve(&fs, "link_fast").expect("l").stat().expect("s").ino as u32,
    );
    let slow = inode_off(
        &fs,
        resolve(&fs, "link_slow").expect("l").stat().expect("s").ino as u32,
    );
    drop(fs);

    let mut image = good.clone();
    put32(&mut image, fast + 4, 61);
    let fs = mount(image).expect("mount");
    assert_eq!(
        resolve(&fs, "link_fast").expect("l").read_link().err(),
        Some(CORRUPT)
    );

    let mut image = good;
    put32(&mut image, slow + 4, 5000);
    let fs = mount(image).expect("mount");
    assert_eq!(
        resolve(&fs, "link_slow").expect("l").read_link().err(),
        Some(CORRUPT)
    );
}

/// Visits everything reachable from the root, ignoring errors, within a budget: damage
/// may make the directory graph cyclic.
fn walk_everything(fs: &Ext2Fs) {
    let mut budget = 3000;
    let mut stack: Vec<(Arc<dyn Inode>, u32)> = vec![(fs.root(), 0)];
    let mut buf = vec![0u8; 1 << 16];

    while let Some((inode, depth)) = stack.pop() {
        let _ = inode.stat();
        let _ = inode.read_link();
        let _ = inode.lookup(b"missing");
        let mut off = 0;
        while let Ok(n) = inode.read_at(off, &mut buf) {
            if n == 0 || off > (1 << 20) {
                break;
            }
            off += n as u64;
        }

        let mut pos = 0;
        while let Ok(Some((entry, next))) = inode.read_dir(pos) {
            assert!(next > pos);
            pos = next;
            budget -= 1;
            if budget == 0 {
                return;
            }
            if depth < 6 && entry.name != b"." && entry.name != b".." {
                if let Ok(child) = inode.lookup(&entry.name) {
                    stack.push((child, depth + 1));
                }
            }
        }
    }
}

/// Byte ranges of a mounted image worth corrupting: superblock, descriptors, inode tables
/// in use, directory blocks and the indirect blocks of the big files.
fn metadata_ranges(fs: &Ext2Fs) -> Vec<(usize, usize)> {
    let bs = fs.vol.sb.block_size as usize;
    let mut ranges = vec![
        (1024, 2048),
        (desc_off(0), desc_off(0) + 32 * fs.vol.groups.len()),
    ];
    for g in &fs.vol.groups {
        ranges.push((
            g.inode_table as usize * bs,
            g.inode_table as usize * bs + 8 * bs,
        ));
    }

    for path in ["", "a", "a/b", "many"] {
        let dir = fs.inode(resolve(fs, path).expect("dir").stat().expect("stat").ino as u32);
        let dir = dir.expect("dir");
        let disk = dir.state.read().disk.clone();
        for lblk in 0..(disk.size / bs as u64) {
            if let Ok(Some(b)) = dir.map_block(&disk, lblk) {
                ranges.push((b as usize * bs, (b as usize + 1) * bs));
            }
        }
    }
    for path in ["f300k", "exec2m", "huge_sparse"] {
        let file = fs.inode(resolve(fs, path).expect("file").stat().expect("stat").ino as u32);
        let blocks = file.expect("file").state.read().disk.block;
        for &b in &blocks[12..] {
            if b != 0 {
                ranges.push((b as usize * bs, (b as usize + 1) * bs));
            }
        }
    }
    ranges
}

#[test]
fn corrupted_images_never_panic() {
    for f in all_fixtures() {
        let len = f.image.len();
        let ranges: Vec<_> = metadata_ranges(&mount_fixture(f))
            .into_iter()
            .map(|(start, end)| (start.min(len - 1), end.min(len)))
            .filter(|(start, end)| start < end)
            .collect();
        let mut rng = Rng(0xfeed_beef ^ u64::from(f.block_size));

        for _ in 0..120 {
            let mut image = f.image.clone();
            for _ in 0..1 + rng.below(12) {
                let (start, end) = ranges[rng.below(ranges.len() as u64) as usize];
                let at = start + rng.below((end - start) as u64) as usize;
                image[at] = match rng.below(3) {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.next() as u8,
                };
            }
            if let Ok(fs) = mount(image) {
                walk_everything(&fs);
            }
        }
    }
}

#[test]
fn mount_error_is_a_std_error() {
    let err: Box<dyn std::error::Error> = Box::new(mount_err(vec![0; 8192]));
    assert_eq!(
        err.to_string(),
        "ubda: not an ext2 file system (bad magic 0x0000)"
    );
}

#[test]
fn lookups_scan_a_directory_once() {
    for f in all_fixtures() {
        let dev = MemDevice::new(f.image.clone());
        let fs = Ext2Fs::mount(dev.clone()).expect("mount");
        let many = resolve(&fs, "many").expect("many");
        let dir_size = many.stat().expect("stat").size;
        let names: Vec<_> = list(&*many)
            .expect("list")
            .into_iter()
            .map(|(e, _)| e.name)
            .collect();

        let (_, bytes0) = dev.counters();
        for name in &names {
            many.lookup(name).expect("lookup");
        }
        let (reads1, bytes1) = dev.counters();
        let inode_bytes = 302 * u64::from(fs.vol.sb.inode_size);
        assert!(
            bytes1 - bytes0 <= dir_size + inode_bytes,
            "{} bytes",
            bytes1 - bytes0
        );

        // Names and the inodes they lead to are cached now, misses included.
        for name in &names {
            many.lookup(name).expect("lookup");
        }
        assert_eq!(many.lookup(b"entry_999").err(), Some(Errno::ENOENT));
        assert_eq!(dev.counters().0, reads1);
    }
}
