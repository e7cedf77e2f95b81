//! Program loading: ELF images and the initial stack.

pub mod elf;
pub mod stack;
