//! The console terminal: `/dev/console` and `/dev/tty` over the host's stdin and stdout.
//!
//! The termios state lives here so that programs can query and set it; the host side
//! (raw mode, input thread) is the console driver's.

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
}

/// Input typed (or piped) into the console, not yet read by the guest.
#[derive(Default)]
struct Input {
    buf: VecDeque<u8>,
    /// The host input ended; reads return 0 once the buffer is drained.
    eof: bool,
}

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
        }
    }

    /// Hands host input to the console (called by the driver's input thread).
    pub fn feed(&self, data: &[u8]) {
        self.input.lock().buf.extend(data);
        self.readers.wake_all();
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
    let cc: [u8; 17] = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f,
                        0x17, 0x16, 0];
    t[17..17 + cc.len()].copy_from_slice(&cc);
    t
}

impl CharDevice for Console {
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let mut input = self.input.lock();
        if input.buf.is_empty() {
            return if input.eof { Ok(0) } else { Err(Errno::EAGAIN) };
        }

        // Without a line discipline yet, a read takes what has arrived, up to a line end,
        // as a canonical-mode read would.
        let line_end = input.buf.iter().position(|&b| b == b'\n').map(|i| i + 1);
        let n = buf.len().min(line_end.unwrap_or(input.buf.len()));
        for (dst, src) in buf.iter_mut().zip(input.buf.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }

    fn readable_bytes(&self) -> usize {
        self.input.lock().buf.len()
    }

    fn poll(&self) -> u16 {
        use crate::pipe::events::*;

        let input = self.input.lock();
        let readable = !input.buf.is_empty() || input.eof;
        POLLOUT | if readable { POLLIN | POLLRDNORM } else { 0 }
    }

    fn read_wait(&self) -> Option<&WaitQueue> {
        Some(&self.readers)
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        self.io.write(buf)?;
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
            }
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
            _ => return Err(Errno::ENOTTY),
        }
        Ok(0)
    }
}
