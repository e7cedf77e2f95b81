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

/// The major number of device number `dev` (the kernel's `new_decode_dev`).
pub const fn major(dev: u64) -> u32 {
    ((dev >> 8) & 0xfff) as u32
}

/// The minor number of device number `dev`.
pub const fn minor(dev: u64) -> u32 {
    ((dev & 0xff) | ((dev >> 12) & 0xfff00)) as u32
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
    /// The caller's file-system user id, which owns what it creates (a pty slave).
    pub uid: u32,
    /// The caller's file-system group id.
    pub gid: u32,
}

/// A character device driver.
pub trait CharDevice: Send + Sync {
    /// Opens device `rdev` with open(2) `flags` for `caller`: `Some` device serves the
    /// new open file instead of this one (a new pty pair for `/dev/ptmx`, the caller's
    /// terminal for `/dev/tty`, one more reference to a pty slave); `None` means this
    /// device itself, as for stateless devices.
    fn open(
        &self,
        _rdev: u64,
        _flags: u32,
        _caller: &Caller,
    ) -> KResult<Option<Arc<dyn CharDevice>>> {
        Ok(None)
    }

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

    /// Where writers wait for room, for devices whose writes can wait (EAGAIN).
    fn write_wait(&self) -> Option<&WaitQueue> {
        None
    }

    /// How long (ns) a read that got EAGAIN may wait before it takes what there is with
    /// [`CharDevice::read_expired`] (a terminal's VTIME); `None` waits for input alone.
    fn read_timeout_ns(&self) -> Option<u64> {
        None
    }

    /// The read that ends a wait of [`CharDevice::read_timeout_ns`]: whatever there is,
    /// 0 bytes when nothing came.
    fn read_expired(&self, _buf: &mut [u8]) -> KResult<usize> {
        Ok(0)
    }

    /// For a terminal, the session it is the controlling terminal of (0 for none).
    fn session(&self) -> i32 {
        0
    }

    /// For a pty master, the path of its slave, which TIOCGPTPEER opens.
    fn peer_path(&self) -> Option<Vec<u8>> {
        None
    }
}

/// The character devices of the machine, by device number.
#[derive(Default)]
pub struct Devices {
    chars: RwLock<HashMap<u64, Arc<dyn CharDevice>>>,
    /// Drivers of every minor of a major (the pty slaves), asked when no driver has
    /// the exact number.
    majors: RwLock<HashMap<u32, Arc<dyn CharDevice>>>,
}

impl Devices {
    /// Registers `dev` under `rdev`.
    pub fn register(&self, rdev: u64, dev: Arc<dyn CharDevice>) {
        self.chars.write().insert(rdev, dev);
    }

    /// Registers `dev` for every device number of major `major`.
    pub fn register_major(&self, major: u32, dev: Arc<dyn CharDevice>) {
        self.majors.write().insert(major, dev);
    }

    /// The driver of `rdev`; ENXIO when no driver has that number (as opening a device
    /// node without a driver does on Linux).
    pub fn char_device(&self, rdev: u64) -> KResult<Arc<dyn CharDevice>> {
        if let Some(dev) = self.chars.read().get(&rdev) {
            return Ok(dev.clone());
        }
        let majors = self.majors.read();
        majors.get(&major(rdev)).cloned().ok_or(Errno::ENXIO)
    }

    /// Opens `rdev` for `caller` with open(2) `flags`: what the new open file reads and
    /// writes (see [`CharDevice::open`]).
    pub fn open(&self, rdev: u64, flags: u32, caller: &Caller) -> KResult<Arc<dyn CharDevice>> {
        let dev = self.char_device(rdev)?;
        Ok(dev.open(rdev, flags, caller)?.unwrap_or(dev))
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
