//! The console's host side: guest output to the host's stdout, host stdin as input.

use kern::tty::ConsoleIo;
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

    fn read(&self, buf: &mut [u8]) -> KResult<usize> {
        arch_um::host::read_fd(STDIN, buf).map_err(|_| Errno::EIO)
    }

    fn window_size(&self) -> Option<(u16, u16)> {
        arch_um::host::window_size(STDOUT)
    }
}
