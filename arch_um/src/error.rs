//! Errors of host system calls.

use core::fmt;

/// A failed host system call: the host's errno and the call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostError {
    /// The host's errno value.
    pub errno: i32,
    /// The host operation that failed, for log lines.
    pub op: &'static str,
}

/// The result of a host operation.
pub type HostResult<T> = Result<T, HostError>;

impl HostError {
    /// An error for `op` from the calling thread's current errno.
    pub fn last(op: &'static str) -> HostError {
        HostError {
            errno: nix::errno::Errno::last_raw(),
            op,
        }
    }

    /// An error for `op` from a nix error.
    pub fn from_nix(op: &'static str, e: nix::errno::Errno) -> HostError {
        HostError {
            errno: e as i32,
            op,
        }
    }

    /// Whether the error says the traced process is gone (ESRCH).
    pub fn is_gone(&self) -> bool {
        self.errno == libc::ESRCH || self.errno == libc::ECHILD
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = nix::errno::Errno::from_raw(self.errno).desc();
        write!(f, "{}: {}", self.op, text)
    }
}

impl std::error::Error for HostError {}
