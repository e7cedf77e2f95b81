//! procfs against a fake process table: formats are checked the way their consumers
//! (busybox's procps code, glibc's getmntent, top's sscanf) read them.

use parking_lot::Mutex;

use super::*;
use crate::fs::devfs::DevFs;

/// `unwrap_err` for results whose success type is not `Debug` (`Arc<dyn Inode>`).
trait ErrOf {
    fn e(self) -> Errno;
}

impl<T> ErrOf for KResult<T> {
    fn e(self) -> Errno {
        match self {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }
}

/// A process table in memory.
struct Fake {
    procs: Mutex<Vec<ProcInfo>>,
    current: i32,
    sys: SystemInfo,
}

impl ProcSource for Fake {
    fn pids(&self) -> Vec<i32> {
        self.procs.lock().iter().map(|p| p.pid).collect()
    }

    fn process(&self, pid: i32) -> Option<ProcInfo> {
        self.procs.lock().iter().find(|p| p.pid == pid).cloned()
    }

    fn current_pid(&self) -> i32 {
        self.current
    }

    fn system(&self) -> SystemInfo {
        self.sys.clone()
    }
}

fn busybox_proc() -> ProcInfo {
    ProcInfo {
        pid: 42,
        ppid: 1,
        pgid: 42,
        sid: 1,
        tty_nr: 0x0501,
        tpgid: 42,
        comm: b"busybox".to_vec(),
        state: 'S',
        cmdline: b"/bin/busybox\0sh\0-c\0sleep 5\0".to_vec(),
        environ: b"HOME=/\0TERM=linux\0".to_vec(),
        exe: Some(b"/bin/busybox".to_vec()),
        cwd: b"/root".to_vec(),
        root: b"/".to_vec(),
        fds: vec![
            (0, b"/dev/console".to_vec()),
            (1, b"/dev/console".to_vec()),
            (2, b"/dev/console".to_vec()),
            (5, b"pipe:[123]".to_vec()),
        ],
        maps: vec![
            MapInfo {
                start: 0x400000,
                end: 0x452000,
                prot: PROT_READ | PROT_EXEC,
                shared: false,
                offset: 0,
                dev: 0x6200,
                ino: 123,
                name: Some(b"/bin/busybox".to_vec()),
                ..MapInfo::default()
            },
            MapInfo {
                start: 0x652000,
                end: 0x654000,
                prot: PROT_READ | PROT_WRITE,
                shared: false,
                offset: 0x52000,
                dev: 0x6200,
                ino: 123,
                name: Some(b"/bin/busybox".to_vec()),
                ..MapInfo::default()
            },
            MapInfo {
                start: 0x654000,
                end: 0x676000,
                prot: PROT_READ | PROT_WRITE,
                shared: false,
                offset: 0,
                dev: 0,
                ino: 0,
                name: Some(b"[heap]".to_vec()),
                resident: crate::mm::Residency {
                    pages: 3,
                    pss_bytes: 2 * 4096 + 2048,
                    pss_dirty_bytes: 2 * 4096 + 2048,
                    pss_anon_bytes: 2 * 4096 + 2048,
                    shared_dirty: 1,
                    private_dirty: 2,
                    anon_pages: 3,
                    ..Default::default()
                },
                ..MapInfo::default()
            },
            MapInfo {
                start: 0x7f00_0000_0000,
                end: 0x7f00_0000_2000,
                prot: PROT_READ,
                shared: true,
                offset: 0,
                dev: 0,
                ino: 0,
                name: None,
                ..MapInfo::default()
            },
            MapInfo {
                start: 0x7ffd_0000_0000,
                end: 0x7ffd_0002_1000,
                prot: PROT_READ | PROT_WRITE,
                shared: false,
                offset: 0,
                dev: 0,
                ino: 0,
                name: Some(b"[stack]".to_vec()),
                ..MapInfo::default()
            },
        ],
        uid: 1000,
        gid: 100,
        threads: 1,
        start_ticks: 1234,
        utime_ticks: 17,
        stime_ticks: 4,
        cutime_ticks: 250,
        cstime_ticks: 3,
        vsize_bytes: 0x452000 + 0x2000 + 0x22000 + 0x2000 + 0x21000,
        rss_pages: 77,
        umask: 0o022,
        sig_pending: 0,
        sig_blocked: 1 << 16,
        sig_ignored: 0b110,
        sig_caught: 1 << 16 | 1 << 1,
    }
}

fn init_proc() -> ProcInfo {
    ProcInfo {
        pid: 1,
        ppid: 0,
        pgid: 1,
        sid: 1,
        tpgid: -1,
        comm: b"init".to_vec(),
        state: 'S',
        cmdline: b"init\0".to_vec(),
        exe: Some(b"/sbin/init".to_vec()),
        cwd: b"/".to_vec(),
        root: b"/".to_vec(),
        threads: 1,
        vsize_bytes: 1 << 20,
        rss_pages: 10,
        ..ProcInfo::default()
    }
}

fn system() -> SystemInfo {
    SystemInfo {
        uptime_ns: 12_345_678_901_234,
        idle_ns: 23_456_789_012_345,
        ncpus: 2,
        mem_total_bytes: 16_384_000 * 1024,
        mem_free_bytes: 12_000_000 * 1024,
        mem_available_bytes: 14_000_000 * 1024,
        cached_bytes: 2_000_000 * 1024,
        buffers_bytes: 7684 * 1024,
        shmem_bytes: 9568 * 1024,
        dirty_bytes: 44 * 1024,
        mapped_bytes: 1234 * 1024,
        loadavg: [1.34, 0.05, f64::NAN],
        running: 2,
        total_tasks: 93,
        last_pid: 1113,
        boot_time_secs: 1_700_000_000,
        cpu_ticks: vec![[100, 2, 30, 4000], [200, 0, 60, 3900]],
        ctxt: 39_798_818,
        processes_forked: 33_580,
        mounts: vec![
            (
                b"/dev/ubda".to_vec(),
                b"/".to_vec(),
                "ext2",
                b"rw,relatime".to_vec(),
            ),
            (
                b"proc".to_vec(),
                b"/proc".to_vec(),
                "proc",
                b"rw,relatime".to_vec(),
            ),
            (
                b"my disk".to_vec(),
                b"/mnt/a b\tc\\d#e".to_vec(),
                "tmpfs",
                b"rw".to_vec(),
            ),
        ],
        cmdline: b"console=ttyS0 root=/dev/ubda".to_vec(),
        version: b"Linux version 6.1.0 (kernel@um) (rustc) #1 SMP".to_vec(),
        release: b"6.1.0".to_vec(),
        hostname: b"guest".to_vec(),
        cpu_vendor: b"AuthenticAMD".to_vec(),
        cpu_family: 25,
        cpu_model_number: 17,
        cpu_stepping: 1,
        cpu_cpuid_level: 16,
        cpu_cache_kb: 1024,
        cpu_model: b"AMD EPYC".to_vec(),
        cpu_flags: b"fpu vme de pse tsc".to_vec(),
        cpu_mhz: 2596.146,
    }
}

fn fake() -> Arc<Fake> {
    Arc::new(Fake {
        procs: Mutex::new(vec![init_proc(), busybox_proc()]),
        current: 42,
        sys: system(),
    })
}

fn mount(source: Arc<Fake>) -> (Arc<ProcFs>, Arc<dyn Inode>) {
    let fs = ProcFs::new(source, 0x15);
    let root = fs.root();
    (fs, root)
}

/// Looks up a slash-separated relative path, following no symlinks.
fn walk(root: &Arc<dyn Inode>, path: &str) -> KResult<Arc<dyn Inode>> {
    let mut at = root.clone();
    for name in path.split('/').filter(|c| !c.is_empty()) {
        at = at.lookup(name.as_bytes())?;
    }
    Ok(at)
}

/// Reads a file whole, the way a reader that ignores `st_size` (size 0) does.
fn read(root: &Arc<dyn Inode>, path: &str) -> Vec<u8> {
    read_inode(&walk(root, path).unwrap())
}

fn read_inode(inode: &Arc<dyn Inode>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 100];
    loop {
        let n = inode.read_at(out.len() as u64, &mut buf).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn text(root: &Arc<dyn Inode>, path: &str) -> String {
    String::from_utf8(read(root, path)).unwrap()
}

fn list(dir: &Arc<dyn Inode>) -> Vec<String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((e, next)) = dir.read_dir(pos).unwrap() {
        out.push(String::from_utf8(e.name).unwrap());
        pos = next;
    }
    out
}

/// A minimal path walk with the mounts `/proc` and `/dev` and symlink expansion, the
/// way the VFS resolves paths through procfs's links.
fn resolve(proc_root: &Arc<dyn Inode>, path: &[u8]) -> KResult<Arc<dyn Inode>> {
    let dev_root = DevFs::new().root();
    let mut pending: Vec<Vec<u8>> = path
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .rev()
        .map(<[u8]>::to_vec)
        .collect();
    let mut chain: Vec<Arc<dyn Inode>> = Vec::new();
    let mut links = 0;
    while let Some(name) = pending.pop() {
        let child = match (chain.len(), name.as_slice()) {
            (_, b"..") => {
                chain.pop();
                continue;
            }
            (0, b"proc") => proc_root.clone(),
            (0, b"dev") => dev_root.clone(),
            (0, _) => return Err(Errno::ENOENT),
            (_, _) => chain
                .last()
                .map_or(Err(Errno::ENOENT), |d| d.lookup(&name))?,
        };
        if child.file_type() == FileType::Symlink {
            links += 1;
            assert!(links < 40, "symlink loop");
            let target = child.read_link()?;
            if target.first() == Some(&b'/') {
                chain.clear();
            }
            pending.extend(
                target
                    .split(|&b| b == b'/')
                    .filter(|c| !c.is_empty())
                    .rev()
                    .map(<[u8]>::to_vec),
            );
            continue;
        }
        chain.push(child);
    }
    chain.pop().ok_or(Errno::ENOENT)
}

/// busybox's procps_scan parse of `/proc/PID/stat` (the FAST_TOP variant, which relies
/// on single spaces): returns (comm, state, ppid, pgid, sid, tty, utime, stime, nice,
/// start_time, vsz_kb, rss_pages, last_cpu).
#[allow(clippy::type_complexity)]
fn busybox_parse_stat(
    buf: &str,
) -> (
    String,
    char,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    i64,
    u64,
    u64,
    u64,
    u64,
) {
    let close = buf.rfind(')').unwrap();
    let open = buf.find('(').unwrap();
    let comm = buf[open + 1..close].to_string();
    assert_eq!(&buf[close..close + 2], ") ");
    let rest = &buf[close + 2..];
    let state = rest.chars().next().unwrap();
    let mut fields = rest[2..].split(' ');
    let mut num = || fields.next().unwrap().trim_end().parse::<i128>().unwrap() as i64;
    let (ppid, pgid, sid, tty) = (num(), num(), num(), num());
    for _ in 0..6 {
        num();
    }
    let (utime, stime) = (num(), num());
    for _ in 0..3 {
        num();
    }
    let nice = num();
    for _ in 0..2 {
        num();
    }
    let (start, vsz, rss) = (num(), num(), num());
    for _ in 0..14 {
        num();
    }
    let cpu = num();
    (
        comm,
        state,
        ppid as u64,
        pgid as u64,
        sid as u64,
        tty as u64,
        utime as u64,
        stime as u64,
        nice,
        start as u64,
        vsz as u64 >> 10,
        rss as u64,
        cpu as u64,
    )
}

#[test]
fn root_lists_fixed_entries_self_then_pids() {
    let (fs, root) = mount(fake());
    assert_eq!(
        list(&root),
        [
            ".",
            "..",
            "cmdline",
            "cpuinfo",
            "filesystems",
            "loadavg",
            "meminfo",
            "mounts",
            "stat",
            "sys",
            "uptime",
            "version",
            "self",
            "1",
            "42"
        ]
    );
    let st = root.stat().unwrap();
    assert_eq!(st.mode, 0o40555);
    assert_eq!((st.dev, st.ino, st.nlink), (0x15, 1, 5));
    assert_eq!(st.mtime.sec, 1_700_000_000);
    assert_eq!(fs.type_name(), "proc");
    assert_eq!(fs.stats().fs_type, 0x9fa0);
    assert_eq!(fs.stats().name_max, 255);
}

#[test]
fn pid_cookies_survive_exits_and_forks() {
    let source = fake();
    source.procs.lock().push(ProcInfo {
        pid: 50,
        ..init_proc()
    });
    let (_fs, root) = mount(source.clone());

    // Read up to and including pid 1.
    let mut pos = 0;
    loop {
        let (e, next) = root.read_dir(pos).unwrap().unwrap();
        pos = next;
        if e.name == b"1" {
            break;
        }
    }

    // 42 exits, 45 and 7 appear: the listing carries on past 1 in pid order.
    {
        let mut procs = source.procs.lock();
        procs.retain(|p| p.pid != 42);
        procs.push(ProcInfo {
            pid: 45,
            ..init_proc()
        });
        procs.push(ProcInfo {
            pid: 7,
            ..init_proc()
        });
    }
    let mut rest = Vec::new();
    while let Some((e, next)) = root.read_dir(pos).unwrap() {
        rest.push(String::from_utf8(e.name).unwrap());
        pos = next;
    }
    assert_eq!(rest, ["7", "45", "50"]);
    assert!(root.read_dir(u64::MAX).unwrap().is_none());
}

#[test]
fn pid_lookup_follows_linux_name_rules() {
    let (_fs, root) = mount(fake());
    assert!(root.lookup(b"42").is_ok());
    for bad in ["042", "+42", "-1", "0", "43", "4294967338", "", "42a", "x"] {
        assert_eq!(root.lookup(bad.as_bytes()).e(), Errno::ENOENT, "{bad:?}");
    }
    assert_eq!(root.lookup(b"nonexistent").e(), Errno::ENOENT);
    assert_eq!(walk(&root, "42/nope").e(), Errno::ENOENT);
    assert_eq!(walk(&root, "42/stat/x").e(), Errno::ENOTDIR);
    let dot = walk(&root, "42/.").unwrap();
    assert_eq!(
        dot.stat().unwrap().ino,
        walk(&root, "42").unwrap().stat().unwrap().ino
    );
    assert_eq!(walk(&root, "42/..").unwrap().stat().unwrap().ino, 1);
    assert_eq!(
        walk(&root, "sys/kernel/..").unwrap().stat().unwrap().ino,
        walk(&root, "sys").unwrap().stat().unwrap().ino
    );
}

#[test]
fn pid_directory_lists_its_files_with_linux_modes() {
    let (_fs, root) = mount(fake());
    let dir = walk(&root, "42").unwrap();
    assert_eq!(
        list(&dir),
        [
            ".",
            "..",
            "fd",
            "environ",
            "status",
            "comm",
            "cmdline",
            "stat",
            "statm",
            "maps",
            "smaps",
            "smaps_rollup",
            "cwd",
            "root",
            "exe",
            "mounts"
        ]
    );

    let st = dir.stat().unwrap();
    assert_eq!((st.mode, st.uid, st.gid, st.nlink), (0o40555, 1000, 100, 3));
    // Started 1234 ticks after boot.
    assert_eq!((st.mtime.sec, st.mtime.nsec), (1_700_000_012, 340_000_000));

    let mode = |p: &str| walk(&root, p).unwrap().stat().unwrap().mode;
    assert_eq!(mode("42/stat"), 0o100444);
    assert_eq!(mode("42/environ"), 0o100400);
    assert_eq!(mode("42/exe"), 0o120777);
    assert_eq!(mode("42/fd"), 0o40500);
    assert_eq!(mode("42/fd/0"), 0o120700);
    assert_eq!(mode("self"), 0o120777);
    assert_eq!(mode("meminfo"), 0o100444);

    // Files report size 0, as on Linux; readers must read to EOF.
    assert_eq!(walk(&root, "42/status").unwrap().stat().unwrap().size, 0);
    assert_eq!(walk(&root, "meminfo").unwrap().stat().unwrap().size, 0);
    assert_eq!(walk(&root, "42/fd").unwrap().stat().unwrap().size, 4);

    // Inode numbers differ across pids and files.
    let ino = |p: &str| walk(&root, p).unwrap().stat().unwrap().ino;
    let all = [
        "1",
        "42",
        "1/stat",
        "42/stat",
        "42/status",
        "42/fd",
        "42/fd/0",
        "42/fd/1",
        "1/exe",
        "42/exe",
        "self",
        "stat",
        "mounts",
    ];
    let inos: std::collections::BTreeSet<u64> = all.iter().map(|p| ino(p)).collect();
    assert_eq!(inos.len(), all.len());
}

#[test]
fn stat_parses_the_way_busybox_parses_it() {
    let (_fs, root) = mount(fake());
    let line = text(&root, "42/stat");
    assert!(line.ends_with('\n'));
    assert_eq!(line.trim_end().split(' ').count(), 52, "{line}");
    assert!(
        line.starts_with("42 (busybox) S 1 42 1 1281 42 0 0 0 0 0 17 4 250 3 20 0 1 0 1234 "),
        "{line}"
    );

    let (comm, state, ppid, pgid, sid, tty, utime, stime, nice, start, vsz_kb, rss, cpu) =
        busybox_parse_stat(&line);
    assert_eq!((comm.as_str(), state), ("busybox", 'S'));
    assert_eq!((ppid, pgid, sid, tty), (1, 42, 1, 0x0501));
    assert_eq!((utime, stime, nice, start), (17, 4, 0, 1234));
    assert_eq!(vsz_kb, busybox_proc().vsize_bytes >> 10);
    assert_eq!((rss, cpu), (77, 0));

    // tty decoded as busybox does: major 5, minor 1.
    assert_eq!(
        ((tty >> 8) & 0xfff, (tty & 0xff) | ((tty >> 12) & 0xfff00)),
        (5, 1)
    );

    // The fields after rsslim: code range from the executable's text, stack end,
    // then masked signals, wchan 1 (asleep), exit signal 17.
    let f: Vec<&str> = line.trim_end().split(' ').collect();
    assert_eq!(f[24], "18446744073709551615");
    assert_eq!((f[25], f[26]), ("4194304", "4530176"));
    assert_eq!(f[27], (0x7ffd_0002_1000u64).to_string());
    assert_eq!(&f[30..34], ["0", "65536", "6", "65538"]);
    assert_eq!((f[34], f[37]), ("1", "17"));
    assert_eq!((f[44], f[45], f[46]), ("6627328", "6635520", "6635520"));
}

#[test]
fn stat_survives_hostile_command_names() {
    let source = fake();
    source.procs.lock()[1].comm = b"a) b (c) d e f g h i j".to_vec();
    source.procs.lock()[0].comm = b"x\0hidden".to_vec();
    source.procs.lock()[0].state = '\0';
    let (_fs, root) = mount(source);

    // Truncated to 15 bytes; the last ')' still ends it.
    let line = text(&root, "42/stat");
    let parsed = busybox_parse_stat(&line);
    assert_eq!(parsed.0, "a) b (c) d e f ");
    assert_eq!((parsed.1, parsed.2), ('S', 1));
    assert_eq!(text(&root, "42/comm"), "a) b (c) d e f \n");

    let init = text(&root, "1/stat");
    assert!(init.starts_with("1 (x) ? 0 1 1 0 -1 "), "{init}");
    assert!(text(&root, "1/status").contains("State:\t? (unknown)\n"));
}

#[test]
fn status_has_linux_lines_in_linux_order() {
    let (_fs, root) = mount(fake());
    let s = text(&root, "42/status");
    let lines: Vec<&str> = s.lines().collect();
    let keys: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "Name",
            "Umask",
            "State",
            "Tgid",
            "Ngid",
            "Pid",
            "PPid",
            "TracerPid",
            "Uid",
            "Gid",
            "FDSize",
            "Groups",
            "NStgid",
            "NSpid",
            "NSpgid",
            "NSsid",
            "Kthread",
            "VmPeak",
            "VmSize",
            "VmLck",
            "VmPin",
            "VmHWM",
            "VmRSS",
            "RssAnon",
            "RssFile",
            "RssShmem",
            "VmData",
            "VmStk",
            "VmExe",
            "VmLib",
            "VmPTE",
            "VmSwap",
            "HugetlbPages",
            "CoreDumping",
            "THP_enabled",
            "untag_mask",
            "Threads",
            "SigQ",
            "SigPnd",
            "ShdPnd",
            "SigBlk",
            "SigIgn",
            "SigCgt",
            "CapInh",
            "CapPrm",
            "CapEff",
            "CapBnd",
            "CapAmb",
            "NoNewPrivs",
            "Seccomp",
            "Seccomp_filters",
            "Speculation_Store_Bypass",
            "SpeculationIndirectBranch",
            "Cpus_allowed",
            "Cpus_allowed_list",
            "Mems_allowed",
            "Mems_allowed_list",
            "voluntary_ctxt_switches",
            "nonvoluntary_ctxt_switches"
        ]
    );
    for want in [
        "Name:\tbusybox",
        "Umask:\t0022",
        "State:\tS (sleeping)",
        "Tgid:\t42",
        "PPid:\t1",
        "Uid:\t1000\t1000\t1000\t1000",
        "Gid:\t100\t100\t100\t100",
        "FDSize:\t64",
        "Groups:\t ",
        "NSpgid:\t42",
        "VmSize:\t    4708 kB",
        "VmRSS:\t     308 kB",
        "VmData:\t     144 kB",
        "VmStk:\t     132 kB",
        "VmExe:\t     328 kB",
        "VmLib:\t       0 kB",
        "Threads:\t1",
        "SigQ:\t0/64000",
        "SigBlk:\t0000000000010000",
        "SigIgn:\t0000000000000006",
        "CapEff:\t0000000000000000",
        "CapBnd:\t000001ffffffffff",
        "Cpus_allowed:\t3",
        "Cpus_allowed_list:\t0-1",
        "untag_mask:\t0xffffffffffffffff",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in\n{s}");
    }
    let mems = lines
        .iter()
        .find(|l| l.starts_with("Mems_allowed:"))
        .unwrap();
    assert_eq!(mems.len(), "Mems_allowed:\t".len() + 32 * 9 - 1);
    assert!(mems.ends_with(",00000000,00000001"));

    // Root has every capability.
    assert!(text(&root, "1/status").contains("CapEff:\t000001ffffffffff\n"));
}

#[test]
fn zombies_have_no_memory_lines() {
    let source = fake();
    {
        let mut procs = source.procs.lock();
        let z = &mut procs[1];
        z.state = 'Z';
        z.maps.clear();
        z.vsize_bytes = 0;
        z.rss_pages = 0;
        z.exe = None;
        z.cmdline.clear();
    }
    let (_fs, root) = mount(source);
    let status = text(&root, "42/status");
    assert!(status.contains("State:\tZ (zombie)\n"));
    assert!(!status.contains("VmSize"));
    assert_eq!(text(&root, "42/statm"), "0 0 0 0 0 0 0\n");
    assert_eq!(text(&root, "42/cmdline"), "");
    let stat = text(&root, "42/stat");
    let f: Vec<&str> = stat.trim_end().split(' ').collect();
    assert_eq!(
        (f[2], f[22], f[23], f[25], f[34]),
        ("Z", "0", "0", "0", "0")
    );
    assert_eq!(
        walk(&root, "42/exe").unwrap().read_link().e(),
        Errno::ENOENT
    );
}

#[test]
fn statm_counts_pages() {
    let (_fs, root) = mount(fake());
    // size resident shared text lib data dt; data = private writable + stack.
    assert_eq!(text(&root, "42/statm"), "1177 77 0 82 0 69 0\n");
}

#[test]
fn maps_lines_match_linux_layout() {
    let (_fs, root) = mount(fake());
    let maps = text(&root, "42/maps");
    let lines: Vec<&str> = maps.lines().collect();
    assert_eq!(lines.len(), 5);

    let pad = |head: &str, name: &str| format!("{head}{}{name}", " ".repeat(73 - head.len()));
    assert_eq!(
        lines[0],
        pad("00400000-00452000 r-xp 00000000 62:00 123 ", "/bin/busybox")
    );
    assert_eq!(
        lines[1],
        pad("00652000-00654000 rw-p 00052000 62:00 123 ", "/bin/busybox")
    );
    assert_eq!(
        lines[2],
        pad("00654000-00676000 rw-p 00000000 00:00 0 ", "[heap]")
    );
    // No name: the line ends right after the inode and its space.
    assert_eq!(lines[3], "7f0000000000-7f0000002000 r--s 00000000 00:00 0 ");
    assert_eq!(
        lines[4],
        pad(
            "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 ",
            "[stack]"
        )
    );
    assert_eq!(lines[0].find('/'), Some(73));
}

#[test]
fn smaps_and_rollup_follow_linux_layout() {
    let (_fs, root) = mount(fake());
    let smaps = text(&root, "42/smaps");
    let heap: Vec<&str> = smaps
        .lines()
        .skip_while(|l| !l.ends_with("[heap]"))
        .take(25)
        .collect();
    assert_eq!(heap[1], "Size:                136 kB");
    assert_eq!(heap[4], "Rss:                  12 kB");
    assert_eq!(heap[5], "Pss:                  10 kB");
    assert_eq!(heap[8], "Shared_Dirty:          4 kB");
    assert_eq!(heap[10], "Private_Dirty:         8 kB");
    assert_eq!(heap[12], "Anonymous:            12 kB");
    assert_eq!(heap[23], "THPeligible:    0");
    assert_eq!(heap[24], "VmFlags: rd wr mr mw me ");
    // Five areas, 25 lines each.
    assert_eq!(smaps.lines().count(), 5 * 25);

    let rollup = text(&root, "42/smaps_rollup");
    let lines: Vec<&str> = rollup.lines().collect();
    assert!(lines[0].starts_with("00400000-7ffd00021000 ---p 00000000 00:00 0 "));
    assert!(lines[0].ends_with(" [rollup]"));
    assert_eq!(lines[1], "Rss:                  12 kB");
    assert_eq!(lines[4], "Pss_Anon:             10 kB");
    assert_eq!(lines[5], "Pss_File:              0 kB");
    assert_eq!(lines.len(), 23);
}

#[test]
fn maps_decode_large_device_numbers_and_escape_newlines() {
    let source = fake();
    source.procs.lock()[1].maps = vec![MapInfo {
        start: 0xffff_ffff_ff60_0000,
        end: 0xffff_ffff_ff60_1000,
        prot: PROT_EXEC,
        shared: false,
        offset: 0x1234_5000,
        // major 259, minor 300 in the encoded form.
        dev: crate::device::mkdev(259, 300),
        ino: 98_765_432_101_234_567,
        name: Some(b"/tmp/a\nb".to_vec()),
        ..MapInfo::default()
    }];
    let (_fs, root) = mount(source);
    assert_eq!(
        text(&root, "42/maps"),
        "ffffffffff600000-ffffffffff601000 --xp 12345000 103:12c 98765432101234567  \
                /tmp/a\\012b\n"
    );
}

#[test]
fn fd_directory_lists_descriptors_and_links_to_targets() {
    let (_fs, root) = mount(fake());
    let fd = walk(&root, "42/fd").unwrap();
    assert_eq!(list(&fd), [".", "..", "0", "1", "2", "5"]);
    assert_eq!(
        walk(&root, "42/fd/5").unwrap().read_link().unwrap(),
        b"pipe:[123]"
    );
    assert_eq!(walk(&root, "42/fd/3").e(), Errno::ENOENT);
    assert_eq!(walk(&root, "42/fd/01").e(), Errno::ENOENT);
    assert_eq!(walk(&root, "42/fd/1").unwrap().stat().unwrap().size, 64);

    // Cookies are 2 + fd: the cookie after fd 1 lists from fd 2.
    let (e, next) = fd.read_dir(3).unwrap().unwrap();
    assert_eq!((e.name.as_slice(), next), (&b"1"[..], 4));
    let (e, next) = fd.read_dir(4).unwrap().unwrap();
    assert_eq!((e.name.as_slice(), next), (&b"2"[..], 5));
    assert_eq!(fd.read_dir(5).unwrap().unwrap().0.name, b"5");
    assert!(fd.read_dir(8).unwrap().is_none());
    assert!(fd.read_dir(u64::MAX).unwrap().is_none());
}

#[test]
fn symlinks_resolve_through_a_path_walk() {
    let (_fs, root) = mount(fake());
    assert_eq!(root.lookup(b"self").unwrap().read_link().unwrap(), b"42");
    assert_eq!(
        walk(&root, "42/exe").unwrap().read_link().unwrap(),
        b"/bin/busybox"
    );
    assert_eq!(
        walk(&root, "42/cwd").unwrap().read_link().unwrap(),
        b"/root"
    );
    assert_eq!(walk(&root, "42/root").unwrap().read_link().unwrap(), b"/");
    assert_eq!(
        root.lookup(b"mounts").unwrap().read_link().unwrap(),
        b"self/mounts"
    );

    // /proc/self/fd/1 → /dev/console, through /proc/self → 42.
    let console = resolve(&root, b"/proc/self/fd/1").unwrap();
    assert_eq!(console.file_type(), FileType::CharDevice);
    assert_eq!(console.stat().unwrap().rdev, crate::device::mkdev(5, 1));

    // A pipe's target names nothing in the tree.
    assert_eq!(resolve(&root, b"/proc/self/fd/5").e(), Errno::ENOENT);

    // The relative /proc/mounts link lands on this process's mounts.
    let via_link = read_inode(&resolve(&root, b"/proc/mounts").unwrap());
    assert_eq!(via_link, read(&root, "42/mounts"));
    assert_eq!(
        resolve(&root, b"/proc/self/stat")
            .unwrap()
            .stat()
            .unwrap()
            .ino,
        walk(&root, "42/stat").unwrap().stat().unwrap().ino
    );
}

#[test]
fn self_without_a_current_process_is_enoent() {
    let source = Arc::new(Fake {
        procs: Mutex::new(vec![]),
        current: 0,
        sys: system(),
    });
    let (_fs, root) = mount(source);
    assert_eq!(root.lookup(b"self").unwrap().read_link().e(), Errno::ENOENT);
    assert_eq!(list(&root).len(), 2 + ROOT_ENTRIES.len());
}

#[test]
fn a_process_that_exits_disappears() {
    let source = fake();
    let (_fs, root) = mount(source.clone());
    let dir = walk(&root, "42").unwrap();
    let stat = walk(&root, "42/stat").unwrap();
    let fd = walk(&root, "42/fd").unwrap();
    let exe = walk(&root, "42/exe").unwrap();
    source.procs.lock().retain(|p| p.pid != 42);

    let mut buf = [0u8; 64];
    assert_eq!(stat.read_at(0, &mut buf).e(), Errno::ESRCH);
    assert_eq!(dir.lookup(b"stat").e(), Errno::ENOENT);
    assert_eq!(dir.read_dir(0).e(), Errno::ENOENT);
    assert_eq!(fd.lookup(b"0").e(), Errno::ENOENT);
    assert_eq!(exe.read_link().e(), Errno::ENOENT);
    assert_eq!(root.lookup(b"42").e(), Errno::ENOENT);
    // fstat on what is still open keeps working.
    assert_eq!(stat.stat().unwrap().uid, 0);
}

#[test]
fn reads_at_any_offset_agree_with_the_whole() {
    let (_fs, root) = mount(fake());
    let f = walk(&root, "42/status").unwrap();
    let whole = read_inode(&f);
    for chunk in [1usize, 7, 64, 4096] {
        let mut got = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = f.read_at(got.len() as u64, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, whole);
    }
    let mut buf = [0u8; 16];
    assert_eq!(f.read_at(whole.len() as u64, &mut buf).unwrap(), 0);
    assert_eq!(f.read_at(u64::MAX, &mut buf).unwrap(), 0);
    assert_eq!(f.read_at(1 << 40, &mut buf).unwrap(), 0);
    assert_eq!(f.read_at(3, &mut []).unwrap(), 0);
}

#[test]
fn directories_and_links_refuse_file_operations() {
    let (_fs, root) = mount(fake());
    let mut buf = [0u8; 8];
    assert_eq!(root.read_at(0, &mut buf).e(), Errno::EISDIR);
    assert_eq!(
        walk(&root, "42").unwrap().read_at(0, &mut buf).e(),
        Errno::EISDIR
    );
    assert_eq!(
        root.lookup(b"self").unwrap().read_at(0, &mut buf).e(),
        Errno::EINVAL
    );
    assert_eq!(root.read_link().e(), Errno::EINVAL);
    assert_eq!(
        walk(&root, "42/stat").unwrap().read_link().e(),
        Errno::EINVAL
    );
    assert_eq!(
        walk(&root, "42/stat").unwrap().read_dir(0).e(),
        Errno::ENOTDIR
    );
    assert_eq!(
        walk(&root, "meminfo").unwrap().lookup(b"x").e(),
        Errno::ENOTDIR
    );

    // Read-only: writes and namespace changes are refused.
    assert_eq!(
        walk(&root, "42/comm").unwrap().write_at(0, b"x").e(),
        Errno::EROFS
    );
    let new = crate::fs::NewInode {
        mode: 0o644,
        uid: 0,
        gid: 0,
        rdev: 0,
        now: Timespec::default(),
    };
    assert_eq!(root.create(b"x", new).e(), Errno::EROFS);
    assert_eq!(root.unlink(b"meminfo").e(), Errno::EROFS);
}

#[test]
fn cmdline_environ_and_comm_are_raw() {
    let (_fs, root) = mount(fake());
    assert_eq!(
        read(&root, "42/cmdline"),
        b"/bin/busybox\0sh\0-c\0sleep 5\0"
    );
    assert_eq!(read(&root, "42/environ"), b"HOME=/\0TERM=linux\0");
    assert_eq!(text(&root, "42/comm"), "busybox\n");
    assert_eq!(text(&root, "cmdline"), "console=ttyS0 root=/dev/ubda\n");
    assert_eq!(
        text(&root, "version"),
        "Linux version 6.1.0 (kernel@um) (rustc) #1 SMP\n"
    );
}

#[test]
fn meminfo_lines_have_linux_widths() {
    let (_fs, root) = mount(fake());
    let m = text(&root, "meminfo");
    let lines: Vec<&str> = m.lines().collect();
    assert_eq!(lines[0], "MemTotal:       16384000 kB");
    assert_eq!(lines[1], "MemFree:        12000000 kB");
    assert_eq!(lines[2], "MemAvailable:   14000000 kB");
    assert_eq!(lines[3], "Buffers:            7684 kB");
    assert_eq!(lines[4], "Cached:          2000000 kB");
    assert!(lines.contains(&"Shmem:              9568 kB"));
    assert!(lines.contains(&"Dirty:                44 kB"));
    assert!(lines.contains(&"Mapped:             1234 kB"));
    assert!(lines.contains(&"SReclaimable:          0 kB"));
    assert!(lines.contains(&"VmallocTotal:   34359738367 kB"));
    assert!(lines.contains(&"HugePages_Total:       0"));
    assert!(lines.contains(&"Hugepagesize:       2048 kB"));

    // Every kB line is `label:` padded to 16, a value right-aligned in 8, " kB".
    for l in &lines {
        if let Some(head) = l.strip_suffix(" kB") {
            assert!(head.len() >= 24, "{l}");
            let (label, value) = head.split_at(16);
            assert!(label.trim_end().ends_with(':'), "{l}");
            assert!(value.trim_start().parse::<u64>().is_ok(), "{l}");
        }
    }

    // free(1) in busybox: sscanf "Cached: %lu", "MemAvailable: %lu", "SReclaimable: %lu".
    let field = |key: &str| -> u64 {
        let l = lines
            .iter()
            .find(|l| l.starts_with(&format!("{key}:")))
            .unwrap();
        l[key.len() + 1..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        (
            field("Cached"),
            field("MemAvailable"),
            field("SReclaimable")
        ),
        (2_000_000, 14_000_000, 0)
    );

    // The derived LRU figures add up.
    assert_eq!(
        field("Active") + field("Inactive"),
        field("Active(anon)")
            + field("Inactive(anon)")
            + field("Active(file)")
            + field("Inactive(file)")
    );
    assert_eq!(
        field("AnonPages"),
        16_384_000 - 12_000_000 - 7684 - 2_000_000
    );
}

#[test]
fn proc_stat_feeds_top() {
    let (_fs, root) = mount(fake());
    let s = text(&root, "stat");
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[0], "cpu  300 2 90 7900 0 0 0 0 0 0");
    assert_eq!(lines[1], "cpu0 100 2 30 4000 0 0 0 0 0 0");
    assert_eq!(lines[2], "cpu1 200 0 60 3900 0 0 0 0 0 0");
    for want in [
        "ctxt 39798818",
        "btime 1700000000",
        "processes 33580",
        "procs_running 2",
        "procs_blocked 0",
    ] {
        assert!(lines.contains(&want), "{want}");
    }
    // top counts CPUs by lines with more than 4 numbers after "cpuN".
    let per_cpu = lines
        .iter()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .filter(|l| l.split_whitespace().count() - 1 > 4)
        .count();
    assert_eq!(per_cpu, 2);
}

#[test]
fn uptime_and_loadavg_formats() {
    let (_fs, root) = mount(fake());
    assert_eq!(text(&root, "uptime"), "12345.67 23456.78\n");
    // 1.34 in 11-bit fixed point plus FIXED_1/200 truncates to 1.34; NaN counts as 0.
    assert_eq!(text(&root, "loadavg"), "1.34 0.05 0.00 2/93 1113\n");
}

#[test]
fn mounts_escape_like_the_kernel() {
    let (_fs, root) = mount(fake());
    assert_eq!(
        text(&root, "42/mounts"),
        "/dev/ubda / ext2 rw,relatime 0 0\n\
                proc /proc proc rw,relatime 0 0\n\
                my\\040disk /mnt/a\\040b\\011c\\134d\\043e tmpfs rw 0 0\n"
    );
}

#[test]
fn filesystems_and_sys_kernel() {
    let (_fs, root) = mount(fake());
    assert_eq!(
        text(&root, "filesystems"),
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tdevpts\n\text2\n"
    );
    assert_eq!(list(&walk(&root, "sys").unwrap()), [".", "..", "kernel"]);
    assert_eq!(
        list(&walk(&root, "sys/kernel").unwrap()),
        [".", "..", "hostname", "osrelease", "ostype", "pid_max"]
    );
    assert_eq!(text(&root, "sys/kernel/hostname"), "guest\n");
    assert_eq!(text(&root, "sys/kernel/ostype"), "Linux\n");
    assert_eq!(text(&root, "sys/kernel/osrelease"), "6.1.0\n");
    assert_eq!(text(&root, "sys/kernel/pid_max"), "32768\n");
}

#[test]
fn cpuinfo_has_a_block_per_cpu() {
    let (_fs, root) = mount(fake());
    let c = text(&root, "cpuinfo");
    let blocks: Vec<&str> = c.split("\n\n").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 2);
    let first: Vec<&str> = blocks[0].lines().collect();
    assert_eq!(
        &first[..14],
        [
            "processor\t: 0",
            "vendor_id\t: AuthenticAMD",
            "cpu family\t: 25",
            "model\t\t: 17",
            "model name\t: AMD EPYC",
            "stepping\t: 1",
            "cpu MHz\t\t: 2596.146",
            "cache size\t: 1024 KB",
            "physical id\t: 0",
            "siblings\t: 2",
            "core id\t\t: 0",
            "cpu cores\t: 2",
            "apicid\t\t: 0",
            "initial apicid\t: 0",
        ]
    );
    assert!(first.contains(&"flags\t\t: fpu vme de pse tsc"));
    assert!(first.contains(&"bogomips\t: 5192.29"));
    assert!(blocks[1].starts_with("processor\t: 1\n"));
    assert!(c.ends_with("power management:\n\n"));
}

#[test]
fn cpuinfo_survives_an_empty_system() {
    let source = Arc::new(Fake {
        procs: Mutex::new(vec![]),
        current: 0,
        sys: SystemInfo {
            cpu_mhz: f64::NAN,
            loadavg: [-1.0, f64::INFINITY, 1e300],
            ..SystemInfo::default()
        },
    });
    let (_fs, root) = mount(source);
    let c = text(&root, "cpuinfo");
    assert!(c.contains("vendor_id\t: unknown\n"));
    assert!(c.contains("cpu MHz\t\t: 0.000\n"));
    assert!(!c.contains("cache size"));
    assert_eq!(
        text(&root, "stat").lines().next().unwrap(),
        "cpu  0 0 0 0 0 0 0 0 0 0"
    );
    assert_eq!(text(&root, "uptime"), "0.00 0.00\n");
    let load = text(&root, "loadavg");
    assert!(load.starts_with("0.00 0.00 "), "{load}");
    assert_eq!(text(&root, "filesystems").lines().count(), 6);
}
