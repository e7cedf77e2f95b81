//! Pseudo-terminals: `/dev/ptmx` and the slaves that devpts shows as `/dev/pts/N`.
//!
//! Opening `/dev/ptmx` makes a pair. The master is the open file returned; the slave is
//! a [`Tty`] with the console's line discipline, whose output sink is the master's read
//! buffer. What the master writes is the slave's input, as typed keys are the console's.
//! The slave stays locked until the master unlocks it (TIOCSPTLCK, glibc's unlockpt).
//!
//! Closing the master hangs the slave up: its session leader gets SIGHUP and SIGCONT,
//! its readers end of file, everything else EIO, and `/dev/pts/N` goes away. Closing
//! every slave descriptor makes the master's reads fail with EIO once it has read what
//! is left, as on Linux. The index is free again once both sides have closed.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::Mutex;

use crate::device::{minor, mkdev, Caller, CharDevice, Devices};
use crate::errno::{Errno, KResult};
use crate::fs::file::O_NOCTTY;
use crate::fs::Timespec;
use crate::pipe::events::*;
use crate::signal::{SigInfo, SIGCONT, SIGHUP, SI_KERNEL};
use crate::tty::{OutputSink, Tty, TtyKind, FIONREAD, TIOCSCTTY};
use crate::waitq::WaitQueue;

/// Major number of the pty slaves (UNIX98_PTY_SLAVE_MAJOR).
pub const PTS_MAJOR: u32 = 136;
/// Device number of `/dev/ptmx`.
pub const PTMX_DEV: u64 = mkdev(5, 2);
/// Device number of `/dev/tty`, the caller's controlling terminal.
const TTY_DEV: u64 = mkdev(5, 0);
/// Device number of `/dev/console`.
const CONSOLE_DEV: u64 = mkdev(5, 1);
/// Most pseudo-terminals at once (Linux's kernel.pty.max defaults to 4096); one more
/// open of `/dev/ptmx` gets ENOSPC.
pub const PTY_MAX: usize = 256;
/// Slave output the master may leave unread before slave writers wait (about what
/// Linux's tty buffers hold).
const MASTER_BUF_MAX: usize = 64 * 1024;
/// Permission bits of a new slave node (devpts mounted with `mode=620`).
const SLAVE_MODE: u32 = 0o620;

const TIOCGPTN: u32 = 0x8004_5430;
const TIOCSPTLCK: u32 = 0x4004_5431;
const TIOCGPTLCK: u32 = 0x8004_5439;
const TIOCNOTTY: u32 = 0x5422;

/// Every pseudo-terminal of the machine, by index. Shared by `/dev/ptmx`, the slave
/// driver and every devpts mount (one instance, as Linux's without `newinstance`).
pub struct PtyTable {
    /// Index N is free when its entry is dead: the pty went with its last descriptor.
    ptys: Mutex<Vec<Weak<Pty>>>,
    /// The console, whose session has a controlling terminal too.
    console: OnceLock<Arc<dyn CharDevice>>,
}

impl PtyTable {
    /// An empty table.
    pub fn new() -> Arc<PtyTable> {
        Arc::new(PtyTable {
            ptys: Mutex::new(Vec::new()),
            console: OnceLock::new(),
        })
    }

    /// Makes a new pair owned by `uid`:`gid`, at the lowest free index; ENOSPC past
    /// [`PTY_MAX`].
    fn create(&self, uid: u32, gid: u32) -> KResult<Arc<Pty>> {
        let mut ptys = self.ptys.lock();
        // Looking at counts rather than upgrading: a dying pty must not be dropped, and
        // so finished, under this lock.
        let index = match ptys.iter().position(|w| w.strong_count() == 0) {
            Some(i) => i,
            None if ptys.len() < PTY_MAX => {
                ptys.push(Weak::new());
                ptys.len() - 1
            }
            None => return Err(Errno::ENOSPC),
        };
        let pty = Arc::new(Pty::new(index as u32, uid, gid));
        ptys[index] = Arc::downgrade(&pty);
        Ok(pty)
    }

    /// The pty at `index`, if it is still there.
    pub fn get(&self, index: u32) -> Option<Arc<Pty>> {
        let ptys = self.ptys.lock();
        ptys.get(index as usize).and_then(Weak::upgrade)
    }

    /// The first pty at or after `index` whose master is open: what devpts lists.
    pub fn visible_from(&self, index: u32) -> Option<Arc<Pty>> {
        let ptys: Vec<Arc<Pty>> = {
            let ptys = self.ptys.lock();
            let from = ptys.get(index as usize..).unwrap_or(&[]);
            from.iter().filter_map(Weak::upgrade).collect()
        };
        ptys.into_iter().find(|p| p.master_open())
    }

    /// The pty whose slave is the controlling terminal of session `sid`.
    pub fn controlling(&self, sid: i32) -> Option<Arc<Pty>> {
        let ptys: Vec<Arc<Pty>> = self.ptys.lock().iter().filter_map(Weak::upgrade).collect();
        ptys.into_iter()
            .find(|p| !p.slave.is_hung_up() && sid != 0 && p.slave.controlling_session() == sid)
    }

    /// Whether session `sid` has a controlling terminal, a pty's or the console.
    fn has_terminal(&self, sid: i32) -> bool {
        let console = self.console.get().is_some_and(|c| c.session() == sid);
        console || self.controlling(sid).is_some()
    }
}

/// One pseudo-terminal: the slave terminal, the master's read buffer, and who holds
/// which side.
pub struct Pty {
    index: u32,
    /// The slave, whose output is the master's input.
    slave: Tty,
    /// The slave's output, which the master reads.
    out: Arc<MasterBuf>,
    state: Mutex<PtyState>,
}

struct PtyState {
    /// The slave cannot be opened until the master unlocks it.
    locked: bool,
    master_open: bool,
    /// Open slave descriptions.
    slaves: usize,
    /// Every slave description closed after one was open: master reads fail with EIO
    /// when drained.
    slave_closed: bool,
    /// The slave node's permission bits and owner, which chmod and chown change.
    mode: u32,
    uid: u32,
    gid: u32,
    /// When the pair was made, for the node's times.
    born: Timespec,
}

/// The attributes of a slave's node in devpts.
#[derive(Clone, Copy, Debug)]
pub struct NodeAttrs {
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// When the pair was made.
    pub born: Timespec,
}

impl Pty {
    fn new(index: u32, uid: u32, gid: u32) -> Pty {
        let out = Arc::new(MasterBuf::default());
        let slave = Tty::with_sink(TtyKind::PtySlave, out.clone());
        slave.set_signaller(Box::new(signal_group));
        let ns = arch_um::host::realtime_ns();
        let born = Timespec {
            sec: (ns / 1_000_000_000) as i64,
            nsec: (ns % 1_000_000_000) as i64,
        };
        Pty {
            index,
            slave,
            out,
            state: Mutex::new(PtyState {
                locked: true,
                master_open: true,
                slaves: 0,
                slave_closed: false,
                mode: SLAVE_MODE,
                uid,
                gid,
                born,
            }),
        }
    }

    /// The pty's number, N of `/dev/pts/N`.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Whether the master is still open (the slave's node exists only then).
    pub fn master_open(&self) -> bool {
        self.state.lock().master_open
    }

    /// The slave node's attributes.
    pub fn node_attrs(&self) -> NodeAttrs {
        let st = self.state.lock();
        NodeAttrs {
            mode: st.mode,
            uid: st.uid,
            gid: st.gid,
            born: st.born,
        }
    }

    /// Changes the slave node's permission bits or owner (chmod, chown).
    pub fn set_node_attrs(&self, mode: Option<u32>, uid: Option<u32>, gid: Option<u32>) {
        let mut st = self.state.lock();
        st.mode = mode.map_or(st.mode, |m| m & 0o7777);
        st.uid = uid.unwrap_or(st.uid);
        st.gid = gid.unwrap_or(st.gid);
    }

    /// One more open description of the slave; EIO while the slave is locked or the
    /// master is gone, as Linux's pty_open.
    fn attach_slave(self: &Arc<Self>) -> KResult<Arc<PtySlave>> {
        let mut st = self.state.lock();
        if !st.master_open || st.locked || self.slave.is_hung_up() {
            return Err(Errno::EIO);
        }
        st.slaves += 1;
        st.slave_closed = false;
        Ok(Arc::new(PtySlave { pty: self.clone() }))
    }
}

/// The slave's output sink: the buffer the master reads.
#[derive(Default)]
struct MasterBuf {
    buf: Mutex<VecDeque<u8>>,
    /// Master readers waiting for output, master writers waiting for the slave to
    /// take input, and both waiting for the slave side to close.
    wait: WaitQueue,
}

impl OutputSink for MasterBuf {
    fn write(&self, buf: &[u8]) -> KResult<()> {
        self.buf.lock().extend(buf);
        self.wait.wake_all();
        Ok(())
    }

    fn room(&self) -> usize {
        MASTER_BUF_MAX.saturating_sub(self.buf.lock().len())
    }

    fn is_terminal(&self) -> bool {
        true
    }

    fn flush(&self) {
        self.buf.lock().clear();
    }

    fn input_taken(&self) {
        self.wait.wake_all();
    }
}

/// An open master: the pty lives while this or a slave description does.
pub struct PtyMaster {
    pty: Arc<Pty>,
}

impl PtyMaster {
    /// The pty behind the master.
    pub fn pty(&self) -> &Arc<Pty> {
        &self.pty
    }
}

impl CharDevice for PtyMaster {
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let mut out = self.pty.out.buf.lock();
        if out.is_empty() {
            drop(out);
            let closed = self.pty.state.lock().slave_closed;
            return Err(if closed { Errno::EIO } else { Errno::EAGAIN });
        }
        let n = buf.len().min(out.len());
        for (dst, src) in buf.iter_mut().zip(out.drain(..n)) {
            *dst = src;
        }
        drop(out);
        // Slave writers waiting for room may go on.
        self.pty.slave.wake();
        Ok(n)
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.pty.slave.take_input(buf) {
            0 => Err(Errno::EAGAIN),
            n => Ok(n),
        }
    }

    fn readable_bytes(&self) -> usize {
        self.pty.out.buf.lock().len()
    }

    fn poll(&self) -> u16 {
        let mut events = 0;
        if !self.pty.out.buf.lock().is_empty() {
            events |= POLLIN | POLLRDNORM;
        }
        // With the slave side closed a read does not wait: it fails.
        if self.pty.state.lock().slave_closed {
            events |= POLLIN | POLLRDNORM | POLLHUP;
        }
        if self.pty.slave.input_room() {
            events |= POLLOUT | POLLWRNORM;
        }
        events
    }

    fn read_wait(&self) -> Option<&WaitQueue> {
        Some(&self.pty.out.wait)
    }

    fn write_wait(&self) -> Option<&WaitQueue> {
        Some(&self.pty.out.wait)
    }

    fn ioctl(&self, cmd: u32, arg: u64, caller: &Caller) -> KResult<i64> {
        let mm = caller.mm;
        match cmd {
            TIOCGPTN => mm.write(arg, &self.pty.index.to_le_bytes())?,
            TIOCSPTLCK => {
                let mut v = [0; 4];
                mm.read(arg, &mut v)?;
                self.pty.state.lock().locked = i32::from_le_bytes(v) != 0;
            }
            TIOCGPTLCK => {
                let locked = self.pty.state.lock().locked as i32;
                mm.write(arg, &locked.to_le_bytes())?;
            }
            FIONREAD => mm.write(arg, &(self.readable_bytes() as i32).to_le_bytes())?,
            // A master is nobody's controlling terminal here: a session leader asking
            // is refused like everyone else.
            TIOCSCTTY => return Err(Errno::EPERM),
            TIOCNOTTY => return Err(Errno::ENOTTY),
            // The terminal calls act on the slave, as Linux's tty_pair_get_tty.
            _ => return self.pty.slave.ioctl_as(cmd, arg, caller, true),
        }
        Ok(0)
    }

    fn peer_path(&self) -> Option<Vec<u8>> {
        Some(format!("/dev/pts/{}", self.pty.index).into_bytes())
    }
}

impl Drop for PtyMaster {
    fn drop(&mut self) {
        self.pty.state.lock().master_open = false;
        let (session, _) = self.pty.slave.hang_up();
        // As Linux's tty_vhangup: the session leader hears of it, and its foreground
        // job through it (a shell passes SIGHUP on).
        if session > 0 {
            signal_leader(session);
        }
    }
}

/// An open description of a slave.
pub struct PtySlave {
    pty: Arc<Pty>,
}

impl PtySlave {
    /// TIOCSCTTY with Linux's rules: only a session leader without a controlling
    /// terminal may take one, and only one no live session holds (unless root asks to
    /// steal it with `arg` 1).
    fn set_ctty(&self, arg: u64, caller: &Caller) -> KResult<i64> {
        let tty = &self.pty.slave;
        if tty.is_hung_up() {
            return Err(Errno::EIO);
        }
        let leader = caller.pid == caller.sid;
        if leader && tty.controlling_session() == caller.sid {
            return Ok(0);
        }
        if !leader || table_of_kernel().is_some_and(|t| t.has_terminal(caller.sid)) {
            return Err(Errno::EPERM);
        }
        if session_alive(tty.controlling_session()) && !(arg == 1 && caller.uid == 0) {
            return Err(Errno::EPERM);
        }
        tty.set_controlling(caller.sid, caller.pgid);
        Ok(0)
    }
}

impl CharDevice for PtySlave {
    fn read(&self, buf: &mut [u8], nonblock: bool) -> KResult<usize> {
        self.pty.slave.read(buf, nonblock)
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        self.pty.slave.write(buf)
    }

    fn ioctl(&self, cmd: u32, arg: u64, caller: &Caller) -> KResult<i64> {
        match cmd {
            TIOCSCTTY => self.set_ctty(arg, caller),
            _ => self.pty.slave.ioctl(cmd, arg, caller),
        }
    }

    fn background_signal(&self, pgid: i32, sid: i32, write: bool) -> Option<i32> {
        self.pty.slave.background_signal(pgid, sid, write)
    }

    fn readable_bytes(&self) -> usize {
        self.pty.slave.readable_bytes()
    }

    fn poll(&self) -> u16 {
        self.pty.slave.poll()
    }

    fn read_wait(&self) -> Option<&WaitQueue> {
        self.pty.slave.read_wait()
    }

    fn write_wait(&self) -> Option<&WaitQueue> {
        self.pty.slave.write_wait()
    }

    fn read_timeout_ns(&self) -> Option<u64> {
        self.pty.slave.read_timeout_ns()
    }

    fn read_expired(&self, buf: &mut [u8]) -> KResult<usize> {
        self.pty.slave.read_expired(buf)
    }

    fn session(&self) -> i32 {
        CharDevice::session(&self.pty.slave)
    }
}

impl Drop for PtySlave {
    fn drop(&mut self) {
        let mut st = self.pty.state.lock();
        st.slaves = st.slaves.saturating_sub(1);
        let last = st.slaves == 0;
        st.slave_closed |= last;
        drop(st);
        if last {
            self.pty.out.wait.wake_all();
        }
    }
}

/// Opens a slave for `caller`: a session leader without a controlling terminal that
/// opens it without O_NOCTTY takes it as one, as on Linux.
fn open_slave(pty: &Arc<Pty>, flags: u32, caller: &Caller) -> KResult<Arc<dyn CharDevice>> {
    let slave = pty.attach_slave()?;
    let tty = &pty.slave;
    let leader = caller.pid == caller.sid;
    if flags & O_NOCTTY == 0
        && leader
        && !session_alive(tty.controlling_session())
        && !table_of_kernel().is_some_and(|t| t.has_terminal(caller.sid))
    {
        tty.set_controlling(caller.sid, caller.pgid);
    }
    Ok(slave)
}

/// `/dev/ptmx`: each open makes a new pair and hands out its master.
struct Ptmx {
    table: Arc<PtyTable>,
}

impl CharDevice for Ptmx {
    fn open(
        &self,
        _rdev: u64,
        _flags: u32,
        caller: &Caller,
    ) -> KResult<Option<Arc<dyn CharDevice>>> {
        let pty = self.table.create(caller.uid, caller.gid)?;
        Ok(Some(Arc::new(PtyMaster { pty })))
    }

    // Every open gets a master, so these serve nothing.
    fn read(&self, _buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::ENXIO)
    }

    fn write(&self, _buf: &[u8]) -> KResult<usize> {
        Err(Errno::ENXIO)
    }
}

/// The driver of every `/dev/pts/N`: an open hands out a description of slave N.
struct PtsDriver {
    table: Arc<PtyTable>,
}

impl CharDevice for PtsDriver {
    fn open(&self, rdev: u64, flags: u32, caller: &Caller) -> KResult<Option<Arc<dyn CharDevice>>> {
        // A node of a pair that has gone (a stale mknod) opens nothing, as on Linux.
        let pty = self.table.get(minor(rdev)).ok_or(Errno::EIO)?;
        open_slave(&pty, flags, caller).map(Some)
    }

    fn read(&self, _buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::ENXIO)
    }

    fn write(&self, _buf: &[u8]) -> KResult<usize> {
        Err(Errno::ENXIO)
    }
}

/// `/dev/tty`: the caller's controlling terminal when it is a pty slave, else what
/// `/dev/tty` was before (the console).
struct CurrentTty {
    table: Arc<PtyTable>,
    fallback: Arc<dyn CharDevice>,
}

impl CharDevice for CurrentTty {
    fn open(&self, rdev: u64, flags: u32, caller: &Caller) -> KResult<Option<Arc<dyn CharDevice>>> {
        if let Some(pty) = self.table.controlling(caller.sid) {
            return open_slave(&pty, flags | O_NOCTTY, caller).map(Some);
        }
        let dev = self.fallback.open(rdev, flags, caller)?;
        Ok(Some(dev.unwrap_or_else(|| self.fallback.clone())))
    }

    fn read(&self, buf: &mut [u8], nonblock: bool) -> KResult<usize> {
        self.fallback.read(buf, nonblock)
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        self.fallback.write(buf)
    }
}

/// Registers `/dev/ptmx`, the slaves' major and a `/dev/tty` that knows ptys, all over
/// `table`. The console must be registered already.
pub fn register(devices: &Devices, table: &Arc<PtyTable>) {
    if let Ok(console) = devices.char_device(CONSOLE_DEV) {
        let _ = table.console.set(console);
    }
    let ptmx = Ptmx {
        table: table.clone(),
    };
    devices.register(PTMX_DEV, Arc::new(ptmx));
    let pts = PtsDriver {
        table: table.clone(),
    };
    devices.register_major(PTS_MAJOR, Arc::new(pts));
    if let Ok(fallback) = devices.char_device(TTY_DEV) {
        let tty = CurrentTty {
            table: table.clone(),
            fallback,
        };
        devices.register(TTY_DEV, Arc::new(tty));
    }
}

/// The running kernel's pty table.
fn table_of_kernel() -> Option<Arc<PtyTable>> {
    crate::tty::kernel().map(|k| k.ptys.clone())
}

/// Whether session `sid` still has its leader, so that its hold on a terminal counts
/// (Linux clears the hold when the leader exits).
fn session_alive(sid: i32) -> bool {
    if sid <= 0 {
        return false;
    }
    let Some(k) = crate::tty::kernel() else {
        return true;
    };
    k.process(sid)
        .is_some_and(|p| !p.is_zombie() && p.sid.load(Ordering::Relaxed) == sid)
}

fn kernel_signal(sig: i32) -> SigInfo {
    SigInfo {
        signo: sig,
        code: SI_KERNEL,
        ..SigInfo::default()
    }
}

/// Sends `sig` to process group `pgrp`: a pty slave's signal keys and SIGWINCH.
fn signal_group(pgrp: i32, sig: i32) {
    let Some(k) = crate::tty::kernel() else {
        return;
    };
    for p in k.processes() {
        if p.pgid.load(Ordering::Relaxed) == pgrp {
            crate::signal::send(&p, kernel_signal(sig));
        }
    }
}

/// The hang-up of session `sid`'s terminal: SIGHUP and SIGCONT to its leader.
fn signal_leader(sid: i32) {
    let Some(k) = crate::tty::kernel() else {
        return;
    };
    if let Some(p) = k.process(sid) {
        if p.sid.load(Ordering::Relaxed) == sid {
            crate::signal::send(&p, kernel_signal(SIGHUP));
            crate::signal::send(&p, kernel_signal(SIGCONT));
        }
    }
}

/// Pairs for the tests of other modules (devpts).
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A new pair owned by uid and gid 1000, unlocked; the master.
    pub fn create(table: &PtyTable) -> PtyMaster {
        let pty = table.create(1000, 1000).unwrap();
        pty.state.lock().locked = false;
        PtyMaster { pty }
    }

    /// A description of `master`'s slave.
    pub fn open_slave(master: &PtyMaster) -> Arc<dyn CharDevice> {
        master.pty.attach_slave().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(table: &PtyTable) -> (PtyMaster, Arc<PtySlave>) {
        let pty = table.create(0, 0).unwrap();
        pty.state.lock().locked = false;
        let slave = pty.attach_slave().unwrap();
        (PtyMaster { pty }, slave)
    }

    fn read_all(dev: &dyn CharDevice) -> Vec<u8> {
        let mut buf = [0; 256];
        match dev.read(&mut buf, true) {
            Ok(n) => buf[..n].to_vec(),
            Err(e) => panic!("read: {e:?}"),
        }
    }

    #[test]
    fn cooked_line_with_echo_and_onlcr() {
        let table = PtyTable::new();
        let (m, s) = pair(&table);
        assert_eq!(m.write(b"ab\x7fc\n").unwrap(), 5);
        assert_eq!(read_all(&m), b"ab\x08 \x08c\r\n");
        assert_eq!(read_all(s.as_ref()), b"ac\n");
        assert_eq!(s.write(b"x\ny").unwrap(), 3);
        assert_eq!(read_all(&m), b"x\r\ny");
        // Nothing to read: a reader waits.
        assert_eq!(m.read(&mut [0; 4], true), Err(Errno::EAGAIN));
        assert_eq!(s.read(&mut [0; 4], true), Err(Errno::EAGAIN));
    }

    #[test]
    fn a_partial_line_is_not_readable_until_its_end() {
        let table = PtyTable::new();
        let (m, s) = pair(&table);
        m.write(b"abc").unwrap();
        assert_eq!(s.poll() & POLLIN, 0);
        assert_eq!(s.readable_bytes(), 0);
        m.write(b"\x04").unwrap();
        assert_ne!(s.poll() & POLLIN, 0);
        assert_eq!(read_all(s.as_ref()), b"abc");
    }

    #[test]
    fn locked_slave_and_index_reuse() {
        let table = PtyTable::new();
        let pty = table.create(0, 0).unwrap();
        assert_eq!(pty.index(), 0);
        assert!(pty.attach_slave().is_err());
        let master = PtyMaster { pty };
        let second = table.create(0, 0).unwrap();
        assert_eq!(second.index(), 1);
        drop(second);
        drop(master);
        // Both gone: index 0 is the lowest free one again.
        assert_eq!(table.create(0, 0).unwrap().index(), 0);
    }

    #[test]
    fn master_close_hangs_the_slave_up() {
        let table = PtyTable::new();
        let (m, s) = pair(&table);
        let pty = m.pty().clone();
        drop(m);
        assert_eq!(s.read(&mut [0; 4], false), Ok(0));
        assert_eq!(s.write(b"x"), Err(Errno::EIO));
        assert_ne!(s.poll() & POLLHUP, 0);
        // The node is gone, but the index is held while the slave is open.
        assert!(table.visible_from(0).is_none());
        assert!(pty.attach_slave().is_err());
        drop(pty);
        drop(s);
        assert!(table.get(0).is_none());
    }

    #[test]
    fn slave_close_gives_master_eio_after_the_rest() {
        let table = PtyTable::new();
        let (m, s) = pair(&table);
        s.write(b"hi\n").unwrap();
        drop(s);
        assert_ne!(m.poll() & POLLHUP, 0);
        assert_eq!(read_all(&m), b"hi\r\n");
        assert_eq!(m.read(&mut [0; 4], false), Err(Errno::EIO));
    }

    #[test]
    fn full_buffers_make_writers_wait() {
        let table = PtyTable::new();
        let (m, s) = pair(&table);
        let chunk = [b'x'; 1024];
        let mut sent = 0;
        while let Ok(n) = s.write(&chunk) {
            sent += n;
            assert!(sent <= MASTER_BUF_MAX + chunk.len(), "no limit");
        }
        assert_eq!(s.write(&chunk), Err(Errno::EAGAIN));
        assert_eq!(s.poll() & POLLOUT, 0);
        read_all(&m);
        assert_ne!(s.poll() & POLLOUT, 0);

        // A canonical line that never ends keeps at most the buffer's worth, and the
        // master's writes go on (excess is lost) until the line ends.
        let long = [b'y'; 5000];
        assert_eq!(m.write(&long).unwrap(), long.len());
        assert_eq!(m.write(b"\n").unwrap(), 1);
        let mut buf = vec![0; 8192];
        let n = s.read(&mut buf, true).unwrap();
        assert_eq!(n, crate::tty::PTY_INPUT_MAX);
        assert_eq!(buf[n - 1], b'\n');
    }

    #[test]
    fn too_many_ptys_is_enospc() {
        let table = PtyTable::new();
        let all: Vec<_> = (0..PTY_MAX).map(|_| table.create(0, 0).unwrap()).collect();
        assert_eq!(table.create(0, 0).err(), Some(Errno::ENOSPC));
        drop(all);
        assert!(table.create(0, 0).is_ok());
    }

    #[test]
    fn signal_keys_flush_and_echo() {
        let table = PtyTable::new();
        let (m, s) = pair(&table);
        s.write(b"unread output").unwrap();
        m.write(b"half\x03").unwrap();
        // The flush took the unread output and the line; the ^C echoes.
        assert_eq!(read_all(&m), b"^C");
        assert_eq!(s.read(&mut [0; 4], true), Err(Errno::EAGAIN));
    }
}
