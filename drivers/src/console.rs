//! The console's host side: guest output to the host's stdout, and an input thread that
//! feeds the host's stdin to the console as it arrives, so that no CPU waits for it.

use std::sync::Arc;

use kern::tty::{Console, ConsoleIo};
use kern::{Errno, KResult};

const STDIN: i32 = 0;
const STDOUT: i32 = 1;

/// The console over the kernel's own standard input and output.
#[derive(Default)]
pub struct HostConsole;

impl ConsoleIo for HostConsole {
    fn write(&self, buf: &[u8]) -> KResult<()> {
        arch_um::host::write_fd(STDOUT, buf).map_err(|_| Errno::EIO)
    }

    fn window_size(&self) -> Option<(u16, u16)> {
        arch_um::host::window_size(STDOUT)
    }

    fn is_terminal(&self) -> bool {
        arch_um::host::is_tty(STDOUT)
    }
}

/// Starts the thread that reads the host's stdin into `console` until end of input. A
/// terminal is put in raw mode first, so that the console's line discipline sees every
/// key; the kernel restores it on every way out.
pub fn start_input(console: Arc<Console>) -> Result<(), String> {
    if arch_um::host::is_tty(STDIN) {
        arch_um::host::enter_raw_mode(STDIN)
            .map_err(|e| format!("console: cannot put the terminal in raw mode: {e}"))?;
    }

    let body = move || {
        let mut buf = [0u8; 4096];
        loop {
            match arch_um::host::read_fd(STDIN, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => console.feed(&buf[..n]),
            }
        }
        console.feed_eof();
    };
    arch_um::thread::spawn_pinned("console-in".into(), 0, body)
        .map(|_| ())
        .map_err(|e| format!("cannot start the console input thread: {e}"))
}
