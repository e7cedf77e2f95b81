//! The host interface of the kernel, in the role of Linux's `arch/um/os-Linux`.
//!
//! Every host system call the kernel makes and every `unsafe` block lives in this crate.
//! The rest of the kernel sees typed handles: [`physmem::PhysMem`] for guest memory,
//! [`stub::StubProcess`] for a guest address space, [`ptrace::Stopped`] for a guest
//! thread in a ptrace-stop, [`host::HostFile`] for the files behind block devices.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod error;
pub mod host;
pub mod physmem;
pub mod ptrace;
pub mod stub;
pub mod thread;

pub use error::{HostError, HostResult};
