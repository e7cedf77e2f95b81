//! The kernel proper: tasks, memory management, file systems and the syscall layer.
//!
//! Everything here is safe Rust. The host is reached only through `arch_um`'s types:
//! physical memory, stub processes that hold guest address spaces, ptrace stops.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod boot;
pub mod cputime;
pub mod cred;
pub mod device;
pub mod errno;
pub mod exec;
pub mod flock;
pub mod fs;
pub mod kernel;
pub mod lockorder;
pub mod mm;
pub mod oom;
pub mod pipe;
pub mod printk;
pub mod process;
pub mod procinfo;
pub mod pty;
pub mod sched;
pub mod sigframe;
pub mod signal;
pub mod syscall;
pub mod task;
pub mod tty;
pub mod waitq;

pub use errno::{Errno, KResult};
