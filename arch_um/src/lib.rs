//! arch_um
