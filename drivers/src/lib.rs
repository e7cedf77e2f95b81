//! Device drivers: the `ubd` block devices over host files and the console over the
//! host's standard input and output.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod console;
pub mod ubd;
