//! The namespace operations: create (files, device nodes, fifos, sockets), mkdir,
//! symlink, link, unlink, rmdir and rename, with Linux's errors.
//!
//! Each checks everything it can before changing anything, then allocates (inode, data
//! block, room in the directory), and only then writes: the new inode's record first,
//! the directory entry last. A failure before the entry is written gives every
//! allocation back. Lock order: see the module documentation of `ext2`.

use std::sync::Arc;

use parking_lot::RwLockWriteGuard;

use super::dir::{new_dir_block, Slot};
use super::inode::{DiskInode, Ext2Inode, InodeState, FAST_SYMLINK_MAX, SYMLINK_MAX};
use super::{LINK_MAX, ROOT_INO};
use crate::errno::{Errno, KResult};
use crate::fs::{check_name, check_rename_names, is_dot, FileType, Inode, NewInode};

/// renameat2's flags.
const RENAME_NOREPLACE: u32 = 1;
const RENAME_EXCHANGE: u32 = 2;

/// In-use inodes the bitmaps may call free before an allocation gives up with EIO.
const MAX_BAD_INODES: usize = 16;

/// Deepest directory tree the ancestry walk of a rename follows before calling the tree
/// damaged (a loop of ".." entries).
const MAX_DEPTH: usize = 1 << 16;

/// `i_block[0]` and `i_block[1]` for device number `rdev` (glibc's `makedev` layout, as
/// `stat` reports it): the old 8:8 encoding when it fits, else the new 12:20 one in
/// `i_block[1]`, as Linux's ext2.
fn encode_rdev(rdev: u64) -> (u32, u32) {
    let major = ((rdev >> 8) & 0xfff) as u32;
    let minor = ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)) as u32;
    if major < 256 && minor < 256 {
        ((major << 8) | minor, 0)
    } else {
        (0, (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12))
    }
}

/// What a new inode starts with.
enum Body<'a> {
    /// Nothing: a regular file, fifo or socket.
    Empty,
    /// A device node's number.
    Device(u64),
    /// A directory's "." and ".." block.
    Directory,
    /// A symlink's target.
    Symlink(&'a [u8]),
}

/// The two directories of a rename, the same one when it stays in its directory.
struct Dirs<'a> {
    old: &'a mut InodeState,
    new: Option<&'a mut InodeState>,
}

impl Dirs<'_> {
    /// The directory the entry leaves.
    fn from(&mut self) -> &mut InodeState {
        self.old
    }

    /// The directory the entry goes to.
    fn to(&mut self) -> &mut InodeState {
        match self.new.as_deref_mut() {
            Some(new) => new,
            None => &mut *self.old,
        }
    }
}

/// Adds `delta` to a link count, within 0 and `LINK_MAX`.
fn adjust_links(st: &mut InodeState, delta: i32) {
    let links = (i32::from(st.disk.links_count) + delta).clamp(0, i32::from(LINK_MAX));
    st.disk.links_count = links as u16;
    st.dirty = true;
}

impl Ext2Inode {
    /// ENOTDIR unless this is a directory, EROFS on a read-only file system.
    fn check_dir_op(&self) -> KResult<()> {
        self.vol.check_writable()?;
        if self.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(())
    }

    /// `other` as an inode of this file system; EXDEV when it is not one.
    fn same_fs<'a>(&self, other: &'a Arc<dyn Inode>) -> KResult<&'a Ext2Inode> {
        match other.as_any().downcast_ref::<Ext2Inode>() {
            Some(inode) if Arc::ptr_eq(&inode.vol, &self.vol) => Ok(inode),
            _ => Err(Errno::EXDEV),
        }
    }

    /// The `create` of ext2: a regular file, device node, fifo or socket.
    pub(super) fn do_create(&self, name: &[u8], new: NewInode) -> KResult<Arc<Ext2Inode>> {
        let file_type = match FileType::from_mode(new.mode) {
            None if new.mode & 0o170000 == 0 => FileType::Regular,
            Some(t @ (FileType::Regular | FileType::Fifo | FileType::Socket)) => t,
            Some(t @ (FileType::CharDevice | FileType::BlockDevice)) => t,
            _ => return Err(Errno::EINVAL),
        };
        let body = match file_type {
            FileType::CharDevice | FileType::BlockDevice => Body::Device(new.rdev),
            _ => Body::Empty,
        };
        self.new_inode(name, new, file_type, body)
    }

    /// The `tmpfile` of ext2: a regular file with no links, which the last drop frees
    /// (as an unlinked open file), allocated near this directory as Linux's ext2_tmpfile.
    pub(super) fn do_tmpfile(&self, new: NewInode) -> KResult<Arc<Ext2Inode>> {
        self.check_dir_op()?;

        let vol = &self.vol;
        let ino = self.alloc_free_inode(false)?;
        let new = NewInode {
            mode: FileType::Regular.mode_bits() | (new.mode & 0o7777),
            ..new
        };
        let disk = DiskInode::new_record(vol.sb.inode_size as usize, &new, vol.next_generation());
        let inode = match Ext2Inode::new(vol.clone(), ino, disk) {
            Ok(inode) => Arc::new(inode),
            Err(e) => {
                vol.alloc.lock().free_inode(vol, ino, false)?;
                return Err(e);
            }
        };

        // Unlinked from the start, so that any drop, even after a failed write, gives
        // the inode back (evict).
        let mut st = inode.state.write();
        st.disk.links_count = 0;
        st.unlinked = true;
        st.dirty = true;
        inode.write_inode(&mut st)?;
        drop(st);

        vol.install_inode(&inode);
        Ok(inode)
    }

    /// The `mkdir` of ext2.
    pub(super) fn do_mkdir(&self, name: &[u8], new: NewInode) -> KResult<Arc<Ext2Inode>> {
        self.new_inode(name, new, FileType::Directory, Body::Directory)
    }

    /// The `symlink` of ext2: the target in `i_block` when it is under 60 bytes, else in
    /// a data block.
    pub(super) fn do_symlink(
        &self,
        name: &[u8],
        target: &[u8],
        new: NewInode,
    ) -> KResult<Arc<Ext2Inode>> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }

        // Linux's limit counts the NUL: a block, and PATH_MAX.
        let limit = SYMLINK_MAX.min(u64::from(self.vol.block_size()));
        if target.len() as u64 + 1 > limit {
            return Err(Errno::ENAMETOOLONG);
        }
        let new = NewInode { mode: 0o777, ..new };
        self.new_inode(name, new, FileType::Symlink, Body::Symlink(target))
    }

    /// Creates an inode of `file_type` with `body` and links it as `name` here.
    fn new_inode(
        &self,
        name: &[u8],
        new: NewInode,
        file_type: FileType,
        body: Body<'_>,
    ) -> KResult<Arc<Ext2Inode>> {
        self.check_dir_op()?;
        check_name(name)?;
        if is_dot(name) {
            return Err(Errno::EEXIST);
        }

        let mut dir = self.state.write();
        if dir.disk.links_count == 0 {
            return Err(Errno::ENOENT);
        }
        if self.dir_find(&dir, name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        let is_dir = file_type == FileType::Directory;
        if is_dir && dir.disk.links_count >= LINK_MAX {
            return Err(Errno::EMLINK);
        }

        let vol = &self.vol;
        let ino = self.alloc_free_inode(is_dir)?;
        let new = NewInode {
            mode: file_type.mode_bits() | (new.mode & 0o7777),
            ..new
        };
        let disk = DiskInode::new_record(vol.sb.inode_size as usize, &new, vol.next_generation());
        let inode = match Ext2Inode::new(vol.clone(), ino, disk) {
            Ok(inode) => Arc::new(inode),
            Err(e) => {
                vol.alloc.lock().free_inode(vol, ino, is_dir)?;
                return Err(e);
            }
        };

        let mut st = inode.state.write();
        st.dirty = true;
        let result = self.link_new(&mut dir, &inode, &mut st, name, body);
        if let Err(e) = result {
            // Let the last drop give back the inode and whatever it got (evict).
            st.disk.links_count = 0;
            st.unlinked = true;
            return Err(e);
        }
        drop(st);

        vol.install_inode(&inode);
        self.write_inode(&mut dir)?;
        Ok(inode)
    }

    /// Allocates an inode number for a new inode in this directory. A number whose
    /// record is still in use is bitmap damage: its bit stays set (which is the truth)
    /// and the next number is tried.
    fn alloc_free_inode(&self, is_dir: bool) -> KResult<u32> {
        let vol = &self.vol;
        for _ in 0..MAX_BAD_INODES {
            let ino = vol.alloc.lock().alloc_inode(vol, self.ino, is_dir)?;
            if !vol.inode_in_use(ino)? {
                return Ok(ino);
            }
            log::warn!(
                "{}: ext2 inode bitmap marks inode {ino}, which is in use, free",
                vol.dev.name()
            );
        }
        Err(super::CORRUPT)
    }

    /// Fills the new inode `inode` (state `st`) with `body`, writes it, and enters it
    /// in this directory (state `dir`) as `name`.
    fn link_new(
        &self,
        dir: &mut InodeState,
        inode: &Ext2Inode,
        st: &mut InodeState,
        name: &[u8],
        body: Body<'_>,
    ) -> KResult<()> {
        let bs = self.vol.block_size() as usize;
        match body {
            Body::Empty => {}
            Body::Device(rdev) => {
                let (old, new) = encode_rdev(rdev);
                st.disk.block[0] = old;
                st.disk.block[1] = new;
            }
            Body::Symlink(target) if target.len() < FAST_SYMLINK_MAX => {
                let mut bytes = [0u8; FAST_SYMLINK_MAX];
                bytes[..target.len()].copy_from_slice(target);
                for (ptr, chunk) in st.disk.block.iter_mut().zip(bytes.chunks_exact(4)) {
                    *ptr = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                }
                st.disk.size = target.len() as u64;
            }
            Body::Symlink(target) => {
                let (block, _) = inode.get_block_create(st, 0)?;
                let mut data = vec![0u8; bs];
                data[..target.len()].copy_from_slice(target);
                self.vol.write_bytes(u64::from(block) * bs as u64, &data)?;
                st.disk.size = target.len() as u64;
            }
            Body::Directory => {
                let (block, _) = inode.get_block_create(st, 0)?;
                let data = new_dir_block(bs, inode.ino, self.ino, self.vol.sb.has_filetype());
                self.vol.write_bytes(u64::from(block) * bs as u64, &data)?;
                st.disk.size = bs as u64;
                st.disk.links_count = 2;
            }
        }

        let reserved = self.dir_reserve(dir, name.len())?;
        let linked = inode
            .write_inode(st)
            .and_then(|()| self.dir_commit(dir, reserved.0, name, inode.ino, inode.file_type()));
        if let Err(e) = linked {
            self.dir_unreserve(dir, reserved)?;
            return Err(e);
        }

        if inode.file_type() == FileType::Directory {
            adjust_links(dir, 1);
        }
        Ok(())
    }

    /// The `link` of ext2.
    pub(super) fn do_link(&self, name: &[u8], target: &Arc<dyn Inode>) -> KResult<()> {
        self.check_dir_op()?;
        let target = self.same_fs(target)?;
        check_name(name)?;
        if is_dot(name) {
            return Err(Errno::EEXIST);
        }
        if target.file_type() == FileType::Directory {
            return Err(Errno::EPERM);
        }

        let mut dir = self.state.write();
        if dir.disk.links_count == 0 {
            return Err(Errno::ENOENT);
        }
        if self.dir_find(&dir, name)?.is_some() {
            return Err(Errno::EEXIST);
        }

        // Not a directory, so not this one: taking its lock after ours keeps the order.
        let mut st = target.state.write();
        if st.disk.links_count == 0 {
            return Err(Errno::ENOENT);
        }
        if st.disk.links_count >= LINK_MAX {
            return Err(Errno::EMLINK);
        }

        let reserved = self.dir_reserve(&mut dir, name.len())?;
        if let Err(e) = self.dir_commit(&mut dir, reserved.0, name, target.ino, target.file_type())
        {
            self.dir_unreserve(&mut dir, reserved)?;
            self.write_inode(&mut dir)?;
            return Err(e);
        }
        adjust_links(&mut st, 1);
        Self::touch_ctime(&mut st);
        target.write_inode(&mut st)?;
        self.write_inode(&mut dir)
    }

    /// The `unlink` of ext2; the inode goes when its last link and last user do.
    pub(super) fn do_unlink(&self, name: &[u8]) -> KResult<()> {
        self.check_dir_op()?;
        if is_dot(name) {
            return Err(Errno::EISDIR);
        }
        check_name(name)?;

        let mut dir = self.state.write();
        let slot = self.dir_find(&dir, name)?.ok_or(Errno::ENOENT)?;
        let child = self.vol.iget(slot.ino)?;
        if child.file_type() == FileType::Directory {
            return Err(Errno::EISDIR);
        }

        let mut st = child.state.write();
        self.dir_remove(&mut dir, slot.off, name)?;
        Self::drop_link(&child, &mut st);
        let written = child.write_inode(&mut st);
        drop(st);
        self.write_inode(&mut dir)?;
        written
    }

    /// One link fewer for `inode`; at none it is freed when its last user lets go.
    fn drop_link(inode: &Ext2Inode, st: &mut InodeState) {
        Self::touch_ctime(st);

        // An inode with no links to drop is damage: whatever else names it keeps it.
        if st.disk.links_count == 0 {
            log::warn!(
                "{}: ext2 inode {} had no links to drop",
                inode.vol.dev.name(),
                inode.ino
            );
            return;
        }
        adjust_links(st, -1);
        st.unlinked = st.disk.links_count == 0;
    }

    /// The `rmdir` of ext2: EINVAL for ".", ENOTEMPTY for ".." and for a directory with
    /// entries.
    pub(super) fn do_rmdir(&self, name: &[u8]) -> KResult<()> {
        self.check_dir_op()?;
        match name {
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            _ => check_name(name)?,
        }

        let mut dir = self.state.write();
        let slot = self.dir_find(&dir, name)?.ok_or(Errno::ENOENT)?;
        let child = self.vol.iget(slot.ino)?;
        if child.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        if child.ino == self.ino {
            return Err(self.corrupt(format_args!("entry {slot:?} names the directory itself")));
        }

        let mut st = child.state.write();
        if !child.dir_is_empty(&st)? {
            return Err(Errno::ENOTEMPTY);
        }
        self.dir_remove(&mut dir, slot.off, name)?;

        // Its entry here and its own "." go; its ".." no longer links this directory.
        st.disk.links_count = 0;
        st.unlinked = true;
        Self::touch_ctime(&mut st);
        adjust_links(&mut dir, -1);
        self.vol.dir_indexes.lock().forget(child.ino);
        let written = child.write_inode(&mut st);
        drop(st);
        self.write_inode(&mut dir)?;
        written
    }

    /// Inode numbers from this directory up to the root, following "..". Called with no
    /// inode lock held, under the rename lock (so no directory moves meanwhile).
    fn ancestors(&self) -> KResult<Vec<u32>> {
        let mut chain = vec![self.ino];
        let mut dotdot = {
            let st = self.state.read();
            self.dir_find(&st, b"..")?
        };
        while let Some(Slot { ino, .. }) = dotdot {
            if ino == *chain.last().unwrap_or(&0) || ino == ROOT_INO {
                break;
            }
            if chain.len() >= MAX_DEPTH || chain.contains(&ino) {
                return Err(self.corrupt(format_args!("directory loop through inode {ino}")));
            }
            chain.push(ino);

            let dir = self.vol.iget(ino)?;
            if dir.file_type() != FileType::Directory {
                return Err(self.corrupt(format_args!(".. names non-directory {ino}")));
            }
            let st = dir.state.read();
            dotdot = dir.dir_find(&st, b"..")?;
        }
        chain.push(ROOT_INO);
        Ok(chain)
    }

    /// The `rename` of ext2, with renameat2's RENAME_NOREPLACE and RENAME_EXCHANGE.
    pub(super) fn do_rename(
        &self,
        old_name: &[u8],
        new_dir: &Arc<dyn Inode>,
        new_name: &[u8],
        flags: u32,
    ) -> KResult<()> {
        self.vol.check_writable()?;
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0
            || flags == RENAME_NOREPLACE | RENAME_EXCHANGE
        {
            return Err(Errno::EINVAL);
        }
        let nd = self.same_fs(new_dir)?;
        if self.file_type() != FileType::Directory || nd.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }

        check_rename_names(old_name, new_name, flags)?;

        if self.ino == nd.ino {
            let mut old = self.state.write();
            let dirs = Dirs {
                old: &mut old,
                new: None,
            };
            return self.rename_locked(dirs, nd, (old_name, new_name), flags, None);
        }

        // Between directories: the tree's shape holds still under the rename lock while
        // the ancestry decides the lock order and what may move where.
        let _serial = self.vol.rename_lock.lock();
        let old_chain = self.ancestors()?;
        let new_chain = nd.ancestors()?;
        let old_first = if new_chain.contains(&self.ino) {
            true
        } else if old_chain.contains(&nd.ino) {
            false
        } else {
            self.ino < nd.ino
        };

        let (mut old, mut new);
        if old_first {
            old = self.state.write();
            new = nd.state.write();
        } else {
            new = nd.state.write();
            old = self.state.write();
        }
        let dirs = Dirs {
            old: &mut old,
            new: Some(&mut new),
        };
        let chains = Some((old_chain.as_slice(), new_chain.as_slice()));
        self.rename_locked(dirs, nd, (old_name, new_name), flags, chains)
    }

    /// The rename itself, with both directories locked; `chains` are their ancestries
    /// when they differ.
    fn rename_locked(
        &self,
        mut dirs: Dirs<'_>,
        nd: &Ext2Inode,
        (old_name, new_name): (&[u8], &[u8]),
        flags: u32,
        chains: Option<(&[u32], &[u32])>,
    ) -> KResult<()> {
        let exchange = flags & RENAME_EXCHANGE != 0;
        if dirs.to().disk.links_count == 0 {
            return Err(Errno::ENOENT);
        }
        let src = self.dir_find(dirs.from(), old_name)?.ok_or(Errno::ENOENT)?;
        let dst = nd.dir_find(dirs.to(), new_name)?;

        match (dst, flags) {
            (None, _) if exchange => return Err(Errno::ENOENT),
            (Some(_), RENAME_NOREPLACE) => return Err(Errno::EEXIST),
            _ => {}
        }

        // Two names of one inode: rename(2) does nothing.
        if dst.is_some_and(|d| d.ino == src.ino) {
            return Ok(());
        }
        if src.ino == self.ino || dst.is_some_and(|d| d.ino == nd.ino) {
            return Err(self.corrupt(format_args!("rename: an entry names its own directory")));
        }

        let source = self.vol.iget(src.ino)?;
        let target = dst.map(|d| self.vol.iget(d.ino)).transpose()?;
        let s_dir = source.file_type() == FileType::Directory;
        let t_dir = target
            .as_ref()
            .is_some_and(|t| t.file_type() == FileType::Directory);

        // A directory cannot move below itself (EINVAL); a directory above the source
        // cannot be replaced, being not empty (ENOTEMPTY; EINVAL for an exchange).
        let (old_chain, new_chain) = chains.unwrap_or((&[], &[]));
        if source.ino == nd.ino || (s_dir && new_chain.contains(&source.ino)) {
            return Err(Errno::EINVAL);
        }
        if let Some(t) = &target {
            let above_source = t.ino == self.ino || (t_dir && old_chain.contains(&t.ino));
            if above_source {
                return Err(if exchange {
                    Errno::EINVAL
                } else {
                    Errno::ENOTEMPTY
                });
            }
        }
        if !exchange && target.is_some() {
            if s_dir && !t_dir {
                return Err(Errno::ENOTDIR);
            }
            if !s_dir && t_dir {
                return Err(Errno::EISDIR);
            }
        }
        if chains.is_some() {
            let grows_new = s_dir && !t_dir && dirs.to().disk.links_count >= LINK_MAX;
            let grows_old = exchange && t_dir && !s_dir && dirs.from().disk.links_count >= LINK_MAX;
            if grows_new || grows_old {
                return Err(Errno::EMLINK);
            }
        }

        // The renamed inode and the one it replaces, by inode number.
        let (mut s_st, mut t_st): (RwLockWriteGuard<'_, InodeState>, Option<_>);
        match &target {
            Some(t) if t.ino < source.ino => {
                let first = t.state.write();
                s_st = source.state.write();
                t_st = Some(first);
            }
            Some(t) => {
                s_st = source.state.write();
                t_st = Some(t.state.write());
            }
            None => {
                s_st = source.state.write();
                t_st = None;
            }
        }
        if let (Some(t), Some(t_st), false) = (&target, &t_st, exchange) {
            if t_dir && !t.dir_is_empty(t_st)? {
                return Err(Errno::ENOTEMPTY);
            }
        }

        let moved = chains.is_some();
        if exchange {
            let (t, t_st) = (target.as_deref(), t_st.as_deref_mut());
            let (Some(t), Some(t_st)) = (t, t_st) else {
                return Err(Errno::ENOENT);
            };
            let Some(d) = dst else {
                return Err(Errno::ENOENT);
            };
            nd.dir_set(dirs.to(), d.off, new_name, source.ino, source.file_type())?;
            self.dir_set(dirs.from(), src.off, old_name, t.ino, t.file_type())?;
            if moved {
                if s_dir {
                    source.set_dotdot(&mut s_st, nd.ino)?;
                }
                if t_dir {
                    t.set_dotdot(t_st, self.ino)?;
                }
                let delta = i32::from(s_dir) - i32::from(t_dir);
                adjust_links(dirs.from(), -delta);
                adjust_links(dirs.to(), delta);
            }
            Self::touch_ctime(t_st);
        } else {
            match dst {
                Some(d) => {
                    nd.dir_set(dirs.to(), d.off, new_name, source.ino, source.file_type())?
                }
                None => {
                    let reserved = nd.dir_reserve(dirs.to(), new_name.len())?;
                    let committed = nd.dir_commit(
                        dirs.to(),
                        reserved.0,
                        new_name,
                        source.ino,
                        source.file_type(),
                    );
                    if let Err(e) = committed {
                        nd.dir_unreserve(dirs.to(), reserved)?;
                        nd.write_inode(dirs.to())?;
                        return Err(e);
                    }
                }
            }
            self.dir_remove(dirs.from(), src.off, old_name)?;

            if s_dir && moved {
                source.set_dotdot(&mut s_st, nd.ino)?;
                adjust_links(dirs.from(), -1);
                adjust_links(dirs.to(), 1);
            }
            if let (Some(t), Some(t_st)) = (target.as_deref(), t_st.as_deref_mut()) {
                if t_dir {
                    // Its entry and its "." go; its ".." no longer links the new parent.
                    t_st.disk.links_count = 0;
                    t_st.unlinked = true;
                    Self::touch_ctime(t_st);
                    adjust_links(dirs.to(), -1);
                    self.vol.dir_indexes.lock().forget(t.ino);
                } else {
                    Self::drop_link(t, t_st);
                }
            }
        }
        Self::touch_ctime(&mut s_st);

        source.write_inode(&mut s_st)?;
        if let (Some(t), Some(t_st)) = (target.as_deref(), t_st.as_deref_mut()) {
            t.write_inode(t_st)?;
        }
        self.write_inode(dirs.from())?;
        if moved {
            nd.write_inode(dirs.to())?;
        }
        Ok(())
    }

    /// Points this directory's ".." at `parent` (its contents' times stay: only the
    /// entry moved).
    fn set_dotdot(&self, st: &mut InodeState, parent: u32) -> KResult<()> {
        let slot = self
            .dir_find(st, b"..")?
            .ok_or_else(|| self.corrupt(format_args!("directory without \"..\"")))?;
        let mtime = st.disk.mtime;
        self.dir_set(st, slot.off, b"..", parent, FileType::Directory)?;
        st.disk.mtime = mtime;
        Ok(())
    }
}
