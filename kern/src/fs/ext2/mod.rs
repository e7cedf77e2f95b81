//! ext2 on a block device.
