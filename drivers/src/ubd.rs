//! `ubd`: a block device over a host file, as UML's user-mode block device.

use std::path::Path;

use arch_um::host::HostFile;
use kern::fs::BlockDevice;
use kern::{Errno, KResult};

/// A user-mode block device.
pub struct Ubd {
    name: String,
    file: HostFile,
}

impl Ubd {
    /// Opens `path` as device `ubd<index>` (named `ubda`, `ubdb`, ... as in Linux).
    /// Read-only when asked, or when the host file cannot be written.
    pub fn open(index: usize, path: &Path, read_only: bool) -> Result<Ubd, String> {
        let name = Ubd::name_of(index);
        let file = HostFile::open(path, read_only)
            .map_err(|e| format!("{name}: cannot open {}: {e}", path.display()))?;
        let locked = file
            .try_lock()
            .map_err(|e| format!("{name}: cannot lock {}: {e}", path.display()))?;
        if !locked {
            return Err(format!(
                "{name}: {} is in use by another kernel (it holds the image's lock): stop \
                 that kernel, or boot a copy of the image",
                path.display()
            ));
        }
        Ok(Ubd { name, file })
    }

    /// The Linux name of ubd device `index`.
    pub fn name_of(index: usize) -> String {
        format!("ubd{}", (b'a' + index as u8) as char)
    }

    /// Whether writes reach the host file.
    pub fn writable(&self) -> bool {
        self.file.writable()
    }
}

impl BlockDevice for Ubd {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<()> {
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EIO)?;
        if end > self.file.len_bytes() {
            return Err(Errno::EIO);
        }
        self.file.read_exact_at(off, buf).map_err(|e| {
            log::warn!("{}: read error at byte {off}: {e}", self.name);
            Errno::EIO
        })
    }

    fn write_at(&self, off: u64, buf: &[u8]) -> KResult<()> {
        if !self.file.writable() {
            return Err(Errno::EROFS);
        }
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EIO)?;
        if end > self.file.len_bytes() {
            return Err(Errno::ENOSPC);
        }
        self.file.write_all_at(off, buf).map_err(|e| {
            log::warn!("{}: write error at byte {off}: {e}", self.name);
            Errno::EIO
        })
    }

    fn size_bytes(&self) -> u64 {
        self.file.len_bytes()
    }

    fn flush(&self) -> KResult<()> {
        if !self.file.writable() {
            return Ok(());
        }
        self.file.sync_data().map_err(|_| Errno::EIO)
    }

    fn name(&self) -> &str {
        &self.name
    }
}
