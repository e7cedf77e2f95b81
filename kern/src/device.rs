//! Character devices: the memory devices (`null`, `zero`, `full`, `random`, `urandom`)
//! and the registry that maps device numbers to drivers.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::errno::{Errno, KResult};
use crate::mm::AddressSpace;
use crate::waitq::WaitQueue;

/// Makes a device number from major and minor (the kernel's `new_encode_dev`).
pub const fn mkdev(major: u32, minor: u32) -> u64 {
    ((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)) as u64
}

/// Who makes a device call: its memory and its process group and session, which a
/// terminal needs for job control.
pub struct Caller<'a> {
    /// The caller's address space.
    pub mm: &'a AddressSpace,
    /// The caller's process group.
    pub pgid: i32,
    /// The caller's session.
    pub sid: i32,
    /// The caller's pid.
    pub pid: i32,
}

/// A character device driver.
pub trait CharDevice: Send + Sync {
    /// Reads into `buf`; 0 means end of file.
    fn read(&self, buf: &mut [u8], nonblock: bool) -> KResult<usize>;

    /// Writes `buf`, returning the bytes taken.
    fn write(&self, buf: &[u8]) -> KResult<usize>;

    /// A device-specific control call from `caller`, whose memory `arg` may point into.
    fn ioctl(&self, _cmd: u32, _arg: u64, _caller: &Caller) -> KResult<i64> {
        Err(Errno::ENOTTY)
    }

    /// Job control for a terminal: the signal (SIGTTIN for a read, SIGTTOU for a write)
    /// a caller in process group `pgid` of session `sid` must get instead of the access,
    /// because it is in the background of this terminal's session.
    fn background_signal(&self, _pgid: i32, _sid: i32, _write: bool) -> Option<i32> {
        None
    }

    /// Whether writes vanish unread (/dev/null), so the buffer need not be read.
    fn is_sink(&self) -> bool {
        false
    }

    /// Bytes a read would return without waiting (FIONREAD).
    fn readable_bytes(&self) -> usize {
        0
    }

    /// poll(2) events the device has now; memory devices are always ready.
    fn poll(&self) -> u16 {
        crate::pipe::events::POLLIN | crate::pipe::events::POLLOUT
    }

    /// Where readers wait for input, for devices whose reads can wait (EAGAIN).
    fn read_wait(&self) -> Option<&WaitQueue> {
        None
    }
}

/// The character devices of the machine, by device number.
#[derive(Default)]
pub struct Devices {
    chars: RwLock<HashMap<u64, Arc<dyn CharDevice>>>,
}

impl Devices {
    /// Registers `dev` under `rdev`.
    pub fn register(&self, rdev: u64, dev: Arc<dyn CharDevice>) {
        self.chars.write().insert(rdev, dev);
    }

    /// The driver of `rdev`; ENXIO when no driver has that number (as opening a device
    /// node without a driver does on Linux).
    pub fn char_device(&self, rdev: u64) -> KResult<Arc<dyn CharDevice>> {
        self.chars.read().get(&rdev).cloned().ok_or(Errno::ENXIO)
    }

    /// Registers the memory devices under their Linux numbers (major 1).
    pub fn register_memory_devices(&self) {
        self.register(mkdev(1, 3), Arc::new(Mem::Null));
        self.register(mkdev(1, 5), Arc::new(Mem::Zero));
        self.register(mkdev(1, 7), Arc::new(Mem::Full));
        self.register(mkdev(1, 8), Arc::new(Mem::Random));
        self.register(mkdev(1, 9), Arc::new(Mem::Random));
    }
}

/// The memory devices, which need no state.
enum Mem {
    Null,
    Zero,
    Full,
    Random,
}

impl CharDevice for Mem {
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        match self {
            Mem::Null => Ok(0),
            Mem::Zero | Mem::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Mem::Random => {
                arch_um::host::random_bytes(buf);
                Ok(buf.len())
            }
        }
    }

    fn write(&self, buf: &[u8]) -> KResult<usize> {
        match self {
            Mem::Full => Err(Errno::ENOSPC),
            _ => Ok(buf.len()),
        }
    }

    fn is_sink(&self) -> bool {
        matches!(self, Mem::Null)
    }
}
