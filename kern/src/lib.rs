//! The kernel proper: tasks, memory management, file systems and the syscall layer.
//!
//! Everything here is safe Rust. The host is reached only through `arch_um`'s types:
//! physical memory, stub processes that hold guest address spaces, ptrace stops.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod errno;
pub mod exec;
pub mod fs;

pub use errno::{Errno, KResult};
