//! The console terminal: `/dev/console` and `/dev/tty` over the host's stdin and stdout.
//!
//! A line discipline in the kernel, as Linux's n_tty: canonical mode with erase, kill,
//! word erase and end of file; echo; input and output newline mapping; signal keys that
//! signal the foreground process group; raw mode with VMIN. The host terminal is put
//! in raw mode by the console driver, so every key comes here first.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::device::{Caller, CharDevice};
use crate::errno::{Errno, KResult};
use crate::waitq::WaitQueue;

/// The host side of the console, provided by the console driver. Input arrives the
/// other way: the driver's input thread calls [`Console::feed`].
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

/// Input typed (or piped) into the console, not yet read by the guest.
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
const ISIG: u32 = 0o1;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const ECHOE: u32 = 0o20;
const ECHOK: u32 = 0o40;
const ECHONL: u32 = 0o100;
const ECHOCTL: u32 = 0o1000;
const NOFLSH: u32 = 0o200;

// c_cc indexes.
const VINTR: usize = 0;
const VQUIT: usize = 1;
const VERASE: usize = 2;
const VKILL: usize = 3;
const VEOF: usize = 4;
const VSUSP: usize = 10;
const VWERASE: usize = 14;

/// Sends a signal to a process group: how the console reaches processes.
pub type Signaller = Box<dyn Fn(i32, i32) + Send + Sync>;

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSW: u32 = 0x5403;
const TCSETSF: u32 = 0x5404;
const TIOCGPGRP: u32 = 0x540f;
const TIOCSPGRP: u32 = 0x5410;
const TIOCGWINSZ: u32 = 0x5413;
const TIOCSWINSZ: u32 = 0x5414;
const FIONREAD: u32 = 0x541b;
const TIOCSCTTY: u32 = 0x540e;
const TIOCGSID: u32 = 0x5429;
const TCSBRK: u32 = 0x5409;
const TIOCNOTTY: u32 = 0x5422;
const TCXONC: u32 = 0x540a;
const TCFLSH: u32 = 0x540b;

/// Size of the kernel's `struct termios` (TCGETS): four flag words, c_line, 19 c_cc.
const TERMIOS_BYTES: usize = 36;

/// The console terminal device.
pub struct Console {
    io: Arc<dyn ConsoleIo>,
    /// termios as the guest last set it, in the kernel's layout.
    termios: Mutex<[u8; TERMIOS_BYTES]>,
    /// A size the guest set with TIOCSWINSZ, which wins over the host's.
    winsize: Mutex<Option<[u8; 8]>>,
    /// Foreground process group.
    pgrp: Mutex<i32>,
    /// The session the console controls.
    session: Mutex<i32>,
    /// Input from the host, guarded by its mutex.
    input: Mutex<Input>,
    /// Tasks waiting for input.
    readers: WaitQueue,
    /// Delivers ^C, ^\\ and ^Z to the foreground group; set once at boot.
    signaller: std::sync::OnceLock<Signaller>,
}

/// The flags and control characters of the current termios.
struct Mode {
    iflag: u32,
    oflag: u32,
    lflag: u32,
    cc: [u8; 19],
}

impl Mode {
    fn of(t: &[u8; TERMIOS_BYTES]) -> Mode {
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
}

impl Console {
    /// A console over `io`, with Linux's default termios for a tty (`stty sane`).
    pub fn new(io: Arc<dyn ConsoleIo>) -> Console {
        Console {
            io,
            termios: Mutex::new(default_termios()),
            winsize: Mutex::new(None),
            pgrp: Mutex::new(1),
            session: Mutex::new(1),
            input: Mutex::new(Input::default()),
            readers: WaitQueue::default(),
            signaller: std::sync::OnceLock::new(),
        }
    }

    /// Sets how the console signals process groups (once, at boot).
    pub fn set_signaller(&self, f: Signaller) {
        let _ = self.signaller.set(f);
    }

    /// Hands host input to the console (called by the driver's input thread): each byte
    /// goes through the line discipline.
    pub fn feed(&self, data: &[u8]) {
        let mode = Mode::of(&self.termios.lock());
        let mut echo = Vec::new();
        let mut signals = Vec::new();
        {
            let mut input = self.input.lock();
            for &b in data {
                if let Some(sig) = self.input_byte(&mode, &mut input, b, &mut echo) {
                    signals.push(sig);
                }
            }
        }

        if !echo.is_empty() {
            if !self.io.is_terminal() {
                echo.retain(|&b| b != b'\r');
            }
            let _ = self.io.write(&echo);
        }
        let pgrp = *self.pgrp.lock();
        for sig in signals {
            if let Some(f) = self.signaller.get() {
                f(pgrp, sig);
            }
        }
        self.readers.wake_all();
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
                Some(2)
            } else if m.is(b, VQUIT) {
                Some(3)
            } else if m.is(b, VSUSP) {
                Some(20)
            } else {
                None
            };
            if let Some(sig) = sig {
                if m.lflag & NOFLSH == 0 {
                    input.buf.clear();
                    input.line.clear();
                    input.eof_marks.clear();
                }
                if m.lflag & ECHO != 0 {
                    echo_ctl(m, b, echo);
                }
                return Some(sig);
            }
        }

        if m.lflag & ICANON == 0 {
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
        if m.is(b, VERASE) || b == 0x08 {
            if input.line.pop().is_some() && echoing && m.lflag & ECHOE != 0 {
                echo.extend_from_slice(b"\x08 \x08");
            }
        } else if m.is(b, VWERASE) {
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
                echo.extend_from_slice(b"\r\n");
            }
        } else {
            input.line.push(b);
            if echoing {
                echo_ctl(m, b, echo);
            }
        }
    }

    /// Applies output processing (ONLCR) to what the guest writes.
    fn output(&self, buf: &[u8]) -> KResult<()> {
        let m = Mode::of(&self.termios.lock());
        let onlcr = m.oflag & OPOST != 0 && m.oflag & ONLCR != 0 && self.io.is_terminal();
        if !onlcr || !buf.contains(&b'\n') {
            return self.io.write(buf);
        }
        let mut out = Vec::with_capacity(buf.len() + 16);
        for &b in buf {
            if b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
        self.io.write(&out)
    }

    /// The host terminal changed size: the foreground group gets SIGWINCH, unless the
    /// guest set a size of its own.
    pub fn resized(&self) {
        if self.winsize.lock().is_some() {
            return;
        }
        let pgrp = *self.pgrp.lock();
        if let (Some(f), true) = (self.signaller.get(), pgrp > 0) {
            f(pgrp, 28);
        }
    }

    /// Tells the console that host input has ended.
    pub fn feed_eof(&self) {
        self.input.lock().eof = true;
        self.readers.wake_all();
    }

    fn winsize_bytes(&self) -> [u8; 8] {
        if let Some(ws) = *self.winsize.lock() {
            return ws;
        }
        let (rows, cols) = self.io.window_size().unwrap_or((24, 80));
        let mut ws = [0; 8];
        ws[0..2].copy_from_slice(&rows.to_le_bytes());
        ws[2..4].copy_from_slice(&cols.to_le_bytes());
        ws
    }
}

/// `ICRNL|IXON`, `OPOST|ONLCR`, `B38400|CS8|CREAD|HUPCL`, `ISIG|ICANON|ECHO|...` and
/// the usual control characters, as a fresh Linux tty has them.
fn default_termios() -> [u8; TERMIOS_BYTES] {
    let mut t = [0u8; TERMIOS_BYTES];
    let iflag: u32 = 0o400 | 0o2000;
    let oflag: u32 = 0o1 | 0o4;
    let cflag: u32 = 0o17 | 0o60 | 0o200 | 0o2000;
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
    t
}

impl CharDevice for Console {
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let m = Mode::of(&self.termios.lock());
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
            // VMIN 0 in raw mode: a read returns at once with what there is.
            if m.lflag & ICANON == 0 && m.cc[6] == 0 {
                return Ok(0);
            }
            return Err(Errno::EAGAIN);
        }

        // Canonical reads stop at a line end or at an end-of-file mark.
        let mut limit = input.buf.len();
        if m.lflag & ICANON != 0 {
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
        Ok(n)
    }

    fn readable_bytes(&self) -> usize {
        self.input.lock().buf.len()
    }

    fn poll(&self) -> u16 {
        use crate::pipe::events::*;

        let input = self.input.lock();
        let readable = !input.buf.is_empty() || input.eof || !input.eof_marks.is_empty();
        POLLOUT | if readable { POLLIN | POLLRDNORM } else { 0 }
    }

    fn read_wait(&self) -> Option<&WaitQueue> {
        Some(&self.readers)
    }

    fn background_signal(&self, pgid: i32, sid: i32, write: bool) -> Option<i32> {
        const TOSTOP: u32 = 0o400;
        let session = *self.session.lock();
        if session == 0 || sid != session || pgid == *self.pgrp.lock() {
            return None;
        }
        if !write {
            return Some(21);
        }
        let stop = Mode::of(&self.termios.lock()).lflag & TOSTOP != 0;
        stop.then_some(22)
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        self.output(buf)?;
        Ok(buf.len())
    }

    fn ioctl(&self, cmd: u32, arg: u64, caller: &Caller) -> KResult<i64> {
        let mm = caller.mm;
        match cmd {
            TCGETS => mm.write(arg, &*self.termios.lock())?,
            TCSETS | TCSETSW | TCSETSF => {
                let mut t = [0; TERMIOS_BYTES];
                mm.read(arg, &mut t)?;
                *self.termios.lock() = t;

                // Leaving canonical mode hands the half-typed line to raw reads.
                let mut input = self.input.lock();
                if Mode::of(&t).lflag & ICANON == 0 && !input.line.is_empty() {
                    let line = std::mem::take(&mut input.line);
                    input.buf.extend(line);
                }
                if cmd == TCSETSF {
                    input.buf.clear();
                    input.line.clear();
                }
            }
            TCFLSH => {
                let mut input = self.input.lock();
                if arg != 1 {
                    input.buf.clear();
                    input.line.clear();
                }
            }
            TCXONC | TCSBRK => {}
            TIOCGWINSZ => mm.write(arg, &self.winsize_bytes())?,
            TIOCSWINSZ => {
                let mut ws = [0; 8];
                mm.read(arg, &mut ws)?;
                *self.winsize.lock() = Some(ws);
            }
            TIOCGPGRP => mm.write(arg, &self.pgrp.lock().to_le_bytes())?,
            TIOCGSID => mm.write(arg, &self.session.lock().to_le_bytes())?,
            TIOCSPGRP => {
                let mut p = [0; 4];
                mm.read(arg, &mut p)?;
                *self.pgrp.lock() = i32::from_le_bytes(p);
            }
            FIONREAD => mm.write(arg, &(self.readable_bytes() as i32).to_le_bytes())?,
            // The caller's session takes the console as its controlling terminal, and
            // its group is in the foreground.
            TIOCSCTTY => {
                *self.session.lock() = caller.sid;
                *self.pgrp.lock() = caller.pgid;
            }
            // The caller's session gives the terminal up.
            TIOCNOTTY => {
                let mut session = self.session.lock();
                if *session != caller.sid {
                    return Err(Errno::ENOTTY);
                }
                *session = 0;
                *self.pgrp.lock() = 0;
            }
            _ => return Err(Errno::ENOTTY),
        }
        Ok(0)
    }
}

/// Echoes `b`, a control character as `^X` when ECHOCTL asks.
fn echo_ctl(m: &Mode, b: u8, echo: &mut Vec<u8>) {
    let control = b < 0x20 && b != b'\t' && b != b'\n';
    if control && m.lflag & ECHOCTL != 0 {
        echo.push(b'^');
        echo.push(b + 0x40);
    } else if b == b'\n' {
        echo.extend_from_slice(b"\r\n");
    } else {
        echo.push(b);
    }
}
