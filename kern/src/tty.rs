//! Terminals: the line discipline every terminal shares, and the console over the host.
//!
//! [`Tty`] is a terminal as Linux's n_tty line discipline makes one: canonical mode with
//! erase, kill, word erase and end of file; echo; input and output newline mapping; signal
//! keys that signal the foreground process group; raw mode with VMIN and VTIME; job
//! control. What it writes goes to an [`OutputSink`]: the host's stdout for the console
//! (whose driver puts the host terminal in raw mode, so that every key comes here first),
//! the master's read buffer for the slave of a pseudo-terminal (`crate::pty`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::device::{Caller, CharDevice};
use crate::errno::{Errno, KResult};
use crate::pipe::events::*;
use crate::waitq::WaitQueue;

/// The host side of the console, provided by the console driver. Input arrives the
/// other way: the driver's input thread calls [`Tty::feed`].
pub trait ConsoleIo: Send + Sync {
    /// Writes guest output to the host.
    fn write(&self, buf: &[u8]) -> KResult<()>;

    /// The host terminal's size as (rows, columns), if it is a terminal.
    fn window_size(&self) -> Option<(u16, u16)>;

    /// Whether output goes to a terminal, which needs a carriage return before each
    /// newline. Output to a pipe or file gets the newlines as the guest wrote them, so
    /// that scripts read clean lines.
    fn is_terminal(&self) -> bool;
}

/// Where a terminal's output (and echo) goes, after output processing: the host for the
/// console, the master's read buffer for a pty slave.
pub trait OutputSink: Send + Sync {
    /// Takes output for the other side.
    fn write(&self, buf: &[u8]) -> KResult<()>;

    /// How many bytes the sink takes now; a writer waits while it is 0. A soft limit:
    /// concurrent writers may overshoot it by a write each.
    fn room(&self) -> usize {
        usize::MAX
    }

    /// Whether a terminal is behind, which needs a carriage return before each newline
    /// (ONLCR). A pipe or file behind the console gets the newlines as written.
    fn is_terminal(&self) -> bool;

    /// The size of the terminal behind as (rows, columns), when it has one of its own.
    fn window_size(&self) -> Option<(u16, u16)> {
        None
    }

    /// Drops output the other side has not taken yet: a signal key flushes it, as
    /// Linux's pty does, so that the ^C shows at once.
    fn flush(&self) {}

    /// The terminal's readers took input: a writer on the other side waiting for room
    /// may go on.
    fn input_taken(&self) {}
}

/// The console's sink: the host's stdout.
struct HostSink(Arc<dyn ConsoleIo>);

impl OutputSink for HostSink {
    fn write(&self, buf: &[u8]) -> KResult<()> {
        self.0.write(buf)
    }

    fn is_terminal(&self) -> bool {
        self.0.is_terminal()
    }

    fn window_size(&self) -> Option<(u16, u16)> {
        self.0.window_size()
    }
}

/// Input typed (or piped, or written to a pty master), not yet read by the guest.
#[derive(Default)]
struct Input {
    /// Bytes a read may take: completed lines in canonical mode, everything in raw mode.
    buf: VecDeque<u8>,
    /// The line being edited in canonical mode.
    line: Vec<u8>,
    /// End-of-file marks (^D on an empty line) queued behind the bytes before them:
    /// positions in `buf` where a read must stop and return what it has (0 if nothing).
    eof_marks: VecDeque<usize>,
    /// The host input ended; reads return 0 once the buffer is drained.
    eof: bool,
}

// termios flag bits (asm-generic/termbits.h).
const IGNCR: u32 = 0o200;
const ICRNL: u32 = 0o400;
const INLCR: u32 = 0o100;
const OPOST: u32 = 0o1;
const ONLCR: u32 = 0o4;
const OCRNL: u32 = 0o10;
const ISIG: u32 = 0o1;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const ECHOE: u32 = 0o20;
const ECHOK: u32 = 0o40;
const ECHONL: u32 = 0o100;
const NOFLSH: u32 = 0o200;
const TOSTOP: u32 = 0o400;
const ECHOCTL: u32 = 0o1000;
const IEXTEN: u32 = 0o100000;

// c_cc indexes.
const VINTR: usize = 0;
const VQUIT: usize = 1;
const VERASE: usize = 2;
const VKILL: usize = 3;
const VEOF: usize = 4;
const VTIME: usize = 5;
const VMIN: usize = 6;
const VSUSP: usize = 10;
const VWERASE: usize = 14;

// Signals a terminal sends.
const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGQUIT: i32 = 3;
const SIGCONT: i32 = 18;
const SIGTSTP: i32 = 20;
const SIGTTIN: i32 = 21;
const SIGTTOU: i32 = 22;
const SIGWINCH: i32 = 28;

/// Sends a signal to a process group: how a terminal reaches processes.
pub type Signaller = Box<dyn Fn(i32, i32) + Send + Sync>;

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSW: u32 = 0x5403;
const TCSETSF: u32 = 0x5404;
const TCSBRK: u32 = 0x5409;
const TCXONC: u32 = 0x540a;
const TCFLSH: u32 = 0x540b;
const TIOCEXCL: u32 = 0x540c;
const TIOCNXCL: u32 = 0x540d;
/// Makes the terminal the caller's controlling terminal.
pub const TIOCSCTTY: u32 = 0x540e;
const TIOCGPGRP: u32 = 0x540f;
const TIOCSPGRP: u32 = 0x5410;
const TIOCOUTQ: u32 = 0x5411;
const TIOCGWINSZ: u32 = 0x5413;
const TIOCSWINSZ: u32 = 0x5414;
/// Bytes a read would return now.
pub const FIONREAD: u32 = 0x541b;
const TIOCNOTTY: u32 = 0x5422;
const TIOCSETD: u32 = 0x5423;
const TIOCGETD: u32 = 0x5424;
const TCSBRKP: u32 = 0x5425;
const TIOCGSID: u32 = 0x5429;
const TCGETS2: u32 = 0x802c_542a;
const TCSETS2: u32 = 0x402c_542b;
const TCSETSW2: u32 = 0x402c_542c;
const TCSETSF2: u32 = 0x402c_542d;

/// Size of the kernel's `struct termios` (TCGETS): four flag words, c_line, 19 c_cc.
const TERMIOS_BYTES: usize = 36;
/// Size of `struct termios2` (TCGETS2): termios and the input and output speeds.
const TERMIOS2_BYTES: usize = 44;

/// Most input a pty slave holds unread (Linux's N_TTY_BUF_SIZE): a master writing more
/// waits, and a canonical line longer than this loses its excess bytes.
pub(crate) const PTY_INPUT_MAX: usize = 4096;

/// Which terminal a [`Tty`] is, for the few rules that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TtyKind {
    /// The console: init's session owns it from boot, any session may take it with
    /// TIOCSCTTY, its input is unbounded (the host feeds it and cannot wait) and its
    /// size is the host terminal's.
    Console,
    /// The slave of a pseudo-terminal: Linux's rules for controlling terminals, input
    /// bounded so that the master's writer waits, and a size of 0x0 until set.
    PtySlave,
}

/// A terminal: its termios, its line discipline's input, its job control state.
pub struct Tty {
    kind: TtyKind,
    sink: Arc<dyn OutputSink>,
    /// termios2 as the guest last set it, in the kernel's layout.
    termios: Mutex<[u8; TERMIOS2_BYTES]>,
    /// A size the guest set with TIOCSWINSZ, which wins over the host's.
    winsize: Mutex<Option<[u8; 8]>>,
    /// Foreground process group.
    pgrp: Mutex<i32>,
    /// The session the terminal controls, 0 for none.
    session: Mutex<i32>,
    /// Input not yet read, guarded by its mutex.
    input: Mutex<Input>,
    /// Tasks waiting for input, for room to write, or for the hang-up.
    wait: WaitQueue,
    /// Delivers signal keys, SIGWINCH and hang-ups; set once.
    signaller: OnceLock<Signaller>,
    /// The other side went away (a pty's master closed): reads find end of file,
    /// everything else EIO, as on a Linux terminal after vhangup.
    hung_up: AtomicBool,
}

/// The console terminal: `/dev/console` and `/dev/tty` over the host's stdin and stdout.
pub type Console = Tty;

/// The flags and control characters of the current termios.
struct Mode {
    iflag: u32,
    oflag: u32,
    lflag: u32,
    cc: [u8; 19],
}

impl Mode {
    fn of(t: &[u8; TERMIOS2_BYTES]) -> Mode {
        let word = |i: usize| u32::from_le_bytes([t[i], t[i + 1], t[i + 2], t[i + 3]]);
        let mut cc = [0; 19];
        cc.copy_from_slice(&t[17..36]);
        Mode {
            iflag: word(0),
            oflag: word(4),
            lflag: word(12),
            cc,
        }
    }

    /// Whether `b` is the control character at `i` (a disabled one is 0).
    fn is(&self, b: u8, i: usize) -> bool {
        self.cc[i] != 0 && self.cc[i] == b
    }

    fn canonical(&self) -> bool {
        self.lflag & ICANON != 0
    }
}

impl Tty {
    /// The console over `io`, with Linux's default termios for a tty (`stty sane`).
    pub fn new(io: Arc<dyn ConsoleIo>) -> Tty {
        Tty::with_sink(TtyKind::Console, Arc::new(HostSink(io)))
    }

    /// A terminal of `kind` whose output goes to `sink`.
    pub fn with_sink(kind: TtyKind, sink: Arc<dyn OutputSink>) -> Tty {
        let console = kind == TtyKind::Console;
        Tty {
            kind,
            sink,
            termios: Mutex::new(default_termios(console)),
            // A pty has no size until someone sets one; the console has the host's.
            winsize: Mutex::new((!console).then_some([0; 8])),
            pgrp: Mutex::new(console as i32),
            session: Mutex::new(console as i32),
            input: Mutex::new(Input::default()),
            wait: WaitQueue::default(),
            signaller: OnceLock::new(),
            hung_up: AtomicBool::new(false),
        }
    }

    /// Sets how the terminal signals process groups (once).
    pub fn set_signaller(&self, f: Signaller) {
        let _ = self.signaller.set(f);
    }

    fn mode(&self) -> Mode {
        Mode::of(&self.termios.lock())
    }

    /// The most input the terminal holds unread, if bounded.
    fn input_max(&self) -> usize {
        match self.kind {
            TtyKind::Console => usize::MAX,
            TtyKind::PtySlave => PTY_INPUT_MAX,
        }
    }

    /// Whether the input buffer cannot take another byte now.
    fn input_full(&self, m: &Mode, input: &Input) -> bool {
        // A canonical line end needs a byte of room, whatever the line holds.
        let reserve = m.canonical() as usize;
        input.buf.len() + reserve >= self.input_max()
    }

    /// Whether a writer of input would find room (POLLOUT on a pty master).
    pub fn input_room(&self) -> bool {
        let m = self.mode();
        !self.input_full(&m, &self.input.lock())
    }

    /// Hands host input to the console (called by the driver's input thread): each byte
    /// goes through the line discipline.
    pub fn feed(&self, data: &[u8]) {
        self.take_input(data);
    }

    /// Hands input to the terminal (a master's writes for a pty): each byte goes through
    /// the line discipline. Returns how many bytes it took, fewer than given when the
    /// input buffer is full.
    pub fn take_input(&self, data: &[u8]) -> usize {
        let mode = self.mode();
        let mut echo = Vec::new();
        let mut signals = Vec::new();
        let mut flush = false;
        let mut taken = 0;
        {
            let mut input = self.input.lock();
            for &b in data {
                if self.input_full(&mode, &input) {
                    break;
                }
                taken += 1;
                if let Some(sig) = self.input_byte(&mode, &mut input, b, &mut echo) {
                    signals.push(sig);
                    flush |= mode.lflag & NOFLSH == 0;
                }
            }
        }

        if flush {
            self.sink.flush();
        }
        if !echo.is_empty() {
            let (out, _) = opost(&mode, self.sink.is_terminal(), &echo, self.sink.room());
            let _ = self.sink.write(&out);
        }
        for sig in signals {
            self.signal_foreground(sig);
        }
        if taken > 0 {
            self.wait.wake_all();
        }
        taken
    }

    /// One input byte: returns a signal for the foreground group if it was a signal key.
    fn input_byte(
        &self,
        m: &Mode,
        input: &mut Input,
        mut b: u8,
        echo: &mut Vec<u8>,
    ) -> Option<i32> {
        if b == b'\r' {
            if m.iflag & IGNCR != 0 {
                return None;
            }
            if m.iflag & ICRNL != 0 {
                b = b'\n';
            }
        } else if b == b'\n' && m.iflag & INLCR != 0 {
            b = b'\r';
        }

        if m.lflag & ISIG != 0 {
            let sig = if m.is(b, VINTR) {
                Some(SIGINT)
            } else if m.is(b, VQUIT) {
                Some(SIGQUIT)
            } else if m.is(b, VSUSP) {
                Some(SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                if m.lflag & NOFLSH == 0 {
                    input.buf.clear();
                    input.line.clear();
                    input.eof_marks.clear();
                    // Echo of what the flush threw away goes with it.
                    echo.clear();
                }
                if m.lflag & ECHO != 0 {
                    echo_ctl(m, b, echo);
                }
                return Some(sig);
            }
        }

        if !m.canonical() {
            input.buf.push_back(b);
            if m.lflag & ECHO != 0 {
                echo_ctl(m, b, echo);
            }
            return None;
        }
        self.edit_line(m, input, b, echo);
        None
    }

    /// Canonical-mode editing of the current line.
    fn edit_line(&self, m: &Mode, input: &mut Input, b: u8, echo: &mut Vec<u8>) {
        let echoing = m.lflag & ECHO != 0;
        if m.is(b, VERASE) || (b == 0x08 && self.kind == TtyKind::Console) {
            // The console also takes ^H, which some host terminals send for backspace.
            if input.line.pop().is_some() && echoing && m.lflag & ECHOE != 0 {
                echo.extend_from_slice(b"\x08 \x08");
            }
        } else if m.is(b, VWERASE) && m.lflag & IEXTEN != 0 {
            while input.line.last() == Some(&b' ') {
                input.line.pop();
                if echoing {
                    echo.extend_from_slice(b"\x08 \x08");
                }
            }
            while input.line.last().is_some_and(|&c| c != b' ') {
                input.line.pop();
                if echoing {
                    echo.extend_from_slice(b"\x08 \x08");
                }
            }
        } else if m.is(b, VKILL) {
            if echoing && m.lflag & ECHOK != 0 {
                for _ in 0..input.line.len() {
                    echo.extend_from_slice(b"\x08 \x08");
                }
            }
            input.line.clear();
        } else if m.is(b, VEOF) {
            // ^D ends the line without a newline; on an empty line it is end of file.
            let line = std::mem::take(&mut input.line);
            input.buf.extend(line);
            let at = input.buf.len();
            input.eof_marks.push_back(at);
        } else if b == b'\n' {
            let line = std::mem::take(&mut input.line);
            input.buf.extend(line);
            input.buf.push_back(b'\n');
            if echoing || m.lflag & ECHONL != 0 {
                echo.push(b'\n');
            }
        } else if input.buf.len() + input.line.len() + 1 < self.input_max() {
            input.line.push(b);
            if echoing {
                echo_ctl(m, b, echo);
            }
        }
        // Else the line is full: the byte is lost, as Linux's n_tty loses it, and
        // only a line end or an editing key still counts.
    }

    /// Reads input: canonical reads stop at a line end, raw reads wait for VMIN bytes
    /// (all there is when `nonblock`, or when `expired` says the VTIME timer ran out).
    fn read_input(&self, buf: &mut [u8], nonblock: bool, expired: bool) -> KResult<usize> {
        if self.is_hung_up() {
            return Ok(0);
        }
        let m = self.mode();
        let mut input = self.input.lock();

        // An end-of-file mark at the front: the read returns 0 and takes the mark.
        if input.eof_marks.front() == Some(&0) {
            input.eof_marks.pop_front();
            return Ok(0);
        }
        if input.buf.is_empty() {
            if input.eof {
                return Ok(0);
            }
            // Raw mode without VMIN returns at once, or when VTIME runs out.
            if !m.canonical() && m.cc[VMIN] == 0 && (m.cc[VTIME] == 0 || expired) {
                return Ok(0);
            }
            return Err(Errno::EAGAIN);
        }
        if !m.canonical() && !nonblock && !expired {
            let want = (m.cc[VMIN] as usize).clamp(1, buf.len().max(1));
            if input.buf.len() < want {
                return Err(Errno::EAGAIN);
            }
        }

        // Canonical reads stop at a line end or at an end-of-file mark.
        let mut limit = input.buf.len();
        if m.canonical() {
            if let Some(nl) = input.buf.iter().position(|&b| b == b'\n') {
                limit = nl + 1;
            }
        }
        if let Some(&mark) = input.eof_marks.front() {
            limit = limit.min(mark);
        }

        let n = buf.len().min(limit);
        for (dst, src) in buf.iter_mut().zip(input.buf.drain(..n)) {
            *dst = src;
        }
        for mark in input.eof_marks.iter_mut() {
            *mark -= n;
        }
        if input.eof_marks.front() == Some(&0) && n == limit && limit > 0 {
            // The ^D that ended this partial line is used up by it.
            input.eof_marks.pop_front();
        }
        drop(input);
        if n > 0 {
            self.sink.input_taken();
        }
        Ok(n)
    }

    /// Writes guest output through output processing, as much as the sink has room for.
    fn write_output(&self, buf: &[u8]) -> KResult<usize> {
        if self.is_hung_up() {
            return Err(Errno::EIO);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let room = self.sink.room();
        if room == 0 {
            return Err(Errno::EAGAIN);
        }
        let m = self.mode();
        let (out, taken) = opost(&m, self.sink.is_terminal(), buf, room);
        self.sink.write(&out)?;
        Ok(taken)
    }

    /// The host terminal changed size: the foreground group gets SIGWINCH, unless the
    /// guest set a size of its own.
    pub fn resized(&self) {
        if self.winsize.lock().is_some() {
            return;
        }
        self.signal_foreground(SIGWINCH);
    }

    /// Tells the terminal that its input has ended (the host's stdin for the console).
    pub fn feed_eof(&self) {
        self.input.lock().eof = true;
        self.wait.wake_all();
    }

    /// Hangs the terminal up (its pty master closed): reads return end of file and
    /// everything else fails with EIO from now on, and no session owns it any more.
    /// Returns the session and foreground group it had, which the caller signals.
    pub fn hang_up(&self) -> (i32, i32) {
        self.hung_up.store(true, Ordering::Release);
        let session = std::mem::take(&mut *self.session.lock());
        let pgrp = std::mem::take(&mut *self.pgrp.lock());
        self.wait.wake_all();
        (session, pgrp)
    }

    /// Whether the terminal was hung up.
    pub fn is_hung_up(&self) -> bool {
        self.hung_up.load(Ordering::Acquire)
    }

    /// Wakes everyone waiting on the terminal: for room to write, after the other side
    /// took output.
    pub fn wake(&self) {
        self.wait.wake_all();
    }

    /// The session the terminal controls (0 for none).
    pub fn controlling_session(&self) -> i32 {
        *self.session.lock()
    }

    /// The foreground process group (0 for none).
    pub fn foreground(&self) -> i32 {
        *self.pgrp.lock()
    }

    /// Makes the terminal the controlling terminal of session `sid`, with `pgrp` in
    /// the foreground.
    pub fn set_controlling(&self, sid: i32, pgrp: i32) {
        *self.session.lock() = sid;
        *self.pgrp.lock() = pgrp;
    }

    /// Whether the terminal is the controlling terminal of session `sid`.
    fn controls(&self, sid: i32) -> bool {
        let session = *self.session.lock();
        session != 0 && session == sid
    }

    fn signal_foreground(&self, sig: i32) {
        let pgrp = *self.pgrp.lock();
        if let (Some(f), true) = (self.signaller.get(), pgrp > 0) {
            f(pgrp, sig);
        }
    }

    /// Throws away unread input.
    pub fn flush_input(&self) {
        let mut input = self.input.lock();
        input.buf.clear();
        input.line.clear();
        input.eof_marks.clear();
        drop(input);
        self.sink.input_taken();
    }

    fn winsize_bytes(&self) -> [u8; 8] {
        if let Some(ws) = *self.winsize.lock() {
            return ws;
        }
        let (rows, cols) = self.sink.window_size().unwrap_or((24, 80));
        let mut ws = [0; 8];
        ws[0..2].copy_from_slice(&rows.to_le_bytes());
        ws[2..4].copy_from_slice(&cols.to_le_bytes());
        ws
    }

    /// Sets the size; a change signals SIGWINCH to the foreground group, as Linux's
    /// tty_do_resize.
    fn set_winsize(&self, ws: [u8; 8]) {
        let old = self.winsize_bytes();
        *self.winsize.lock() = Some(ws);
        if old != ws {
            self.signal_foreground(SIGWINCH);
        }
    }

    /// Installs termios bytes (a termios or a termios2), flushing input when asked.
    fn set_termios(&self, new: &[u8], flush: bool) {
        let t = {
            let mut t = self.termios.lock();
            t[..new.len()].copy_from_slice(new);
            *t
        };

        // Leaving canonical mode hands the half-typed line to raw reads.
        let mut input = self.input.lock();
        if Mode::of(&t).lflag & ICANON == 0 && !input.line.is_empty() {
            let line = std::mem::take(&mut input.line);
            input.buf.extend(line);
        }
        drop(input);
        if flush {
            self.flush_input();
        }
        // A new VMIN or mode may satisfy a waiting reader.
        self.wait.wake_all();
    }

    /// The terminal control calls, from a descriptor of the terminal itself or, with
    /// `master`, from its pty master (which may look at the job control state of a
    /// terminal that is not its caller's, and whose flushes see the queues the other
    /// way round).
    pub fn ioctl_as(&self, cmd: u32, arg: u64, caller: &Caller, master: bool) -> KResult<i64> {
        if self.is_hung_up() && !master {
            return Err(if cmd == TIOCSPGRP {
                Errno::ENOTTY
            } else {
                Errno::EIO
            });
        }
        let strict = self.kind == TtyKind::PtySlave;
        let mm = caller.mm;
        match cmd {
            TCGETS => mm.write(arg, &self.termios.lock()[..TERMIOS_BYTES])?,
            TCGETS2 => mm.write(arg, &*self.termios.lock())?,
            TCSETS | TCSETSW | TCSETSF => {
                let mut t = [0; TERMIOS_BYTES];
                mm.read(arg, &mut t)?;
                self.set_termios(&t, cmd == TCSETSF);
            }
            TCSETS2 | TCSETSW2 | TCSETSF2 => {
                let mut t = [0; TERMIOS2_BYTES];
                mm.read(arg, &mut t)?;
                self.set_termios(&t, cmd == TCSETSF2);
            }
            TCFLSH => {
                let (mut input, mut output) = match arg {
                    0 => (true, false),
                    1 => (false, true),
                    2 => (true, true),
                    _ => return Err(Errno::EINVAL),
                };
                if master {
                    std::mem::swap(&mut input, &mut output);
                }
                if input {
                    self.flush_input();
                }
                if output {
                    self.sink.flush();
                }
            }
            TCXONC | TCSBRK | TCSBRKP | TIOCEXCL | TIOCNXCL => {}
            TIOCGETD | TIOCOUTQ => mm.write(arg, &0i32.to_le_bytes())?,
            TIOCSETD => {
                // N_TTY is the only line discipline.
                let mut d = [0; 4];
                mm.read(arg, &mut d)?;
                if i32::from_le_bytes(d) != 0 {
                    return Err(Errno::EINVAL);
                }
            }
            TIOCGWINSZ => mm.write(arg, &self.winsize_bytes())?,
            TIOCSWINSZ => {
                let mut ws = [0; 8];
                mm.read(arg, &mut ws)?;
                self.set_winsize(ws);
            }
            TIOCGPGRP => {
                if strict && !master && !self.controls(caller.sid) {
                    return Err(Errno::ENOTTY);
                }
                mm.write(arg, &self.pgrp.lock().to_le_bytes())?;
            }
            TIOCGSID => {
                let session = *self.session.lock();
                if strict && (session == 0 || (!master && session != caller.sid)) {
                    return Err(Errno::ENOTTY);
                }
                mm.write(arg, &session.to_le_bytes())?;
            }
            TIOCSPGRP => {
                let mut p = [0; 4];
                mm.read(arg, &mut p)?;
                let pgrp = i32::from_le_bytes(p);
                if strict {
                    if pgrp < 0 {
                        return Err(Errno::EINVAL);
                    }
                    if !self.controls(caller.sid) {
                        return Err(Errno::ENOTTY);
                    }
                    group_in_session(pgrp, caller.sid)?;
                }
                *self.pgrp.lock() = pgrp;
            }
            FIONREAD => mm.write(arg, &(self.readable_bytes() as i32).to_le_bytes())?,
            // The caller's session takes the console as its controlling terminal, and
            // its group is in the foreground. (A pty's owner checks Linux's rules first.)
            TIOCSCTTY => self.set_controlling(caller.sid, caller.pgid),
            TIOCNOTTY => {
                if !self.controls(caller.sid) {
                    return Err(Errno::ENOTTY);
                }
                if !strict {
                    self.set_controlling(0, 0);
                } else if caller.pid == caller.sid {
                    // The session leader gives the terminal up for the whole session,
                    // and its foreground job hears of it, as Linux's disassociate_ctty.
                    let pgrp = self.foreground();
                    self.set_controlling(0, 0);
                    if let (Some(f), true) = (self.signaller.get(), pgrp > 0) {
                        f(pgrp, SIGHUP);
                        f(pgrp, SIGCONT);
                    }
                }
                // Any other member only drops its own tie, which the kernel does not
                // keep per process: nothing changes.
            }
            _ => return Err(Errno::ENOTTY),
        }
        Ok(0)
    }

    /// How long (ns) a raw read that found too little may wait before taking what
    /// there is: VTIME, counted from the first byte when VMIN asks for more than one.
    fn vtime_ns(&self) -> Option<u64> {
        let m = self.mode();
        if m.canonical() || m.cc[VTIME] == 0 {
            return None;
        }
        if m.cc[VMIN] > 0 && self.input.lock().buf.is_empty() {
            return None;
        }
        Some(m.cc[VTIME] as u64 * 100_000_000)
    }
}

/// Checks that process group `pgrp` exists in session `sid` (TIOCSPGRP): ESRCH when no
/// process is in it, EPERM when it belongs to another session.
fn group_in_session(pgrp: i32, sid: i32) -> KResult<()> {
    let Some(k) = kernel() else { return Ok(()) };
    let mut found = false;
    for p in k.processes() {
        if p.is_zombie() || p.pgid.load(Ordering::Relaxed) != pgrp {
            continue;
        }
        if p.sid.load(Ordering::Relaxed) != sid {
            return Err(Errno::EPERM);
        }
        found = true;
    }
    if found {
        Ok(())
    } else {
        Err(Errno::ESRCH)
    }
}

/// The running kernel, for job control checks that look at processes.
pub(crate) fn kernel() -> Option<Arc<crate::kernel::Kernel>> {
    crate::signal::KERNEL
        .read()
        .as_ref()
        .and_then(|w| w.upgrade())
}

/// Linux's default termios for a tty: `ICRNL|IXON`, `OPOST|ONLCR`, `B38400|CS8|CREAD`
/// (and `HUPCL` on the console; a pty slave has none), `ISIG|ICANON|ECHO|...` and the
/// usual control characters, speeds 38400.
fn default_termios(console: bool) -> [u8; TERMIOS2_BYTES] {
    let mut t = [0u8; TERMIOS2_BYTES];
    let iflag: u32 = 0o400 | 0o2000;
    let oflag: u32 = 0o1 | 0o4;
    let hupcl = if console { 0o2000 } else { 0 };
    let cflag: u32 = 0o17 | 0o60 | 0o200 | hupcl;
    let lflag: u32 = 0o1 | 0o2 | 0o10 | 0o20 | 0o40 | 0o1000 | 0o4000 | 0o100000;
    for (i, w) in [iflag, oflag, cflag, lflag].iter().enumerate() {
        t[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }

    // VINTR ^C, VQUIT ^\, VERASE DEL, VKILL ^U, VEOF ^D, VTIME 0, VMIN 1, VSTART ^Q,
    // VSTOP ^S, VSUSP ^Z, VREPRINT ^R, VWERASE ^W, VLNEXT ^V.
    let cc: [u8; 17] = [
        3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0,
    ];
    t[17..17 + cc.len()].copy_from_slice(&cc);
    t[36..40].copy_from_slice(&38400u32.to_le_bytes());
    t[40..44].copy_from_slice(&38400u32.to_le_bytes());
    t
}

/// Output processing (OPOST with ONLCR and OCRNL, when a terminal is behind) of as much
/// of `buf` as fits in `room` bytes once processed: the bytes to send and how many of
/// `buf` they stand for (at least one, so that a writer always gets on).
fn opost(m: &Mode, terminal: bool, buf: &[u8], room: usize) -> (Vec<u8>, usize) {
    if m.oflag & OPOST == 0 || !terminal {
        let n = buf.len().min(room.max(1));
        return (buf[..n].to_vec(), n);
    }
    let mut out = Vec::with_capacity(buf.len() + 16);
    let mut taken = 0;
    for &b in buf {
        let before = out.len();
        match b {
            b'\n' if m.oflag & ONLCR != 0 => out.extend_from_slice(b"\r\n"),
            b'\r' if m.oflag & OCRNL != 0 => out.push(b'\n'),
            _ => out.push(b),
        }
        if out.len() > room && taken > 0 {
            out.truncate(before);
            break;
        }
        taken += 1;
    }
    (out, taken)
}

impl CharDevice for Tty {
    fn read(&self, buf: &mut [u8], nonblock: bool) -> KResult<usize> {
        self.read_input(buf, nonblock, false)
    }

    fn read_timeout_ns(&self) -> Option<u64> {
        self.vtime_ns()
    }

    fn read_expired(&self, buf: &mut [u8]) -> KResult<usize> {
        self.read_input(buf, true, true)
    }

    fn readable_bytes(&self) -> usize {
        self.input.lock().buf.len()
    }

    fn poll(&self) -> u16 {
        if self.is_hung_up() {
            return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLERR | POLLHUP;
        }
        let m = self.mode();
        let input = self.input.lock();
        let readable = if m.canonical() {
            !input.buf.is_empty()
        } else {
            // A raw poll waits for VMIN bytes, unless VTIME would end the read sooner.
            let want = if m.cc[VTIME] == 0 {
                m.cc[VMIN].max(1)
            } else {
                1
            };
            input.buf.len() >= want as usize
        };
        let readable = readable || input.eof || !input.eof_marks.is_empty();
        drop(input);
        let writable = self.sink.room() > 0;
        let mut events = 0;
        if readable {
            events |= POLLIN | POLLRDNORM;
        }
        if writable {
            events |= POLLOUT | POLLWRNORM;
        }
        events
    }

    fn read_wait(&self) -> Option<&WaitQueue> {
        Some(&self.wait)
    }

    fn write_wait(&self) -> Option<&WaitQueue> {
        Some(&self.wait)
    }

    fn background_signal(&self, pgid: i32, sid: i32, write: bool) -> Option<i32> {
        if self.is_hung_up() {
            return None;
        }
        let session = *self.session.lock();
        if session == 0 || sid != session || pgid == *self.pgrp.lock() {
            return None;
        }
        if !write {
            return Some(SIGTTIN);
        }
        let stop = self.mode().lflag & TOSTOP != 0;
        stop.then_some(SIGTTOU)
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        self.write_output(buf)
    }

    fn ioctl(&self, cmd: u32, arg: u64, caller: &Caller) -> KResult<i64> {
        self.ioctl_as(cmd, arg, caller, false)
    }

    fn session(&self) -> i32 {
        if self.is_hung_up() {
            0
        } else {
            self.controlling_session()
        }
    }
}

/// Echoes `b`, a control character as `^X` when ECHOCTL asks.
fn echo_ctl(m: &Mode, b: u8, echo: &mut Vec<u8>) {
    let control = b < 0x20 && b != b'\t' && b != b'\n';
    if control && m.lflag & ECHOCTL != 0 {
        echo.push(b'^');
        echo.push(b + 0x40);
    } else {
        echo.push(b);
    }
}
