//! Path walk and the mount table.
//!
//! A walk keeps the chain of directories it went through, so `..` goes back to the
//! directory it came from (physically, since symlinks are expanded into the walk), and
//! a mounted file system's root is entered where the walk reaches its mount point.

use std::sync::Arc;

use parking_lot::RwLock;

use super::{FileSystem, FileType, Inode};
use crate::cred::{Creds, MAY_EXEC};
use crate::errno::{Errno, KResult};

/// Longest path the guest may pass (PATH_MAX, with its NUL).
pub const PATH_MAX: usize = 4096;
/// Longest path component (NAME_MAX).
pub const NAME_MAX: usize = 255;
/// Most symlinks one walk follows before ELOOP (Linux's MAXSYMLINKS).
const MAX_SYMLINKS: usize = 40;

/// A place in the tree: the directories from the root down to an inode, with names.
#[derive(Clone)]
pub struct Location {
    root: Arc<dyn Inode>,
    /// `(name, inode)` from just below the root to the location itself.
    chain: Vec<(Vec<u8>, Arc<dyn Inode>)>,
}

impl Location {
    /// The location of a file system root.
    pub fn root(root: Arc<dyn Inode>) -> Location {
        Location {
            root,
            chain: Vec::new(),
        }
    }

    /// The inode at this location.
    pub fn inode(&self) -> &Arc<dyn Inode> {
        self.chain.last().map_or(&self.root, |(_, i)| i)
    }

    /// The absolute path of this location (`/` for the root).
    pub fn path(&self) -> Vec<u8> {
        if self.chain.is_empty() {
            return b"/".to_vec();
        }
        let mut p = Vec::new();
        for (name, _) in &self.chain {
            p.push(b'/');
            p.extend_from_slice(name);
        }
        p
    }

    /// Replaces the inode at this location (an open file's, which may since have been
    /// renamed away from the name the location records).
    pub fn set_inode(&mut self, inode: Arc<dyn Inode>) {
        match self.chain.last_mut() {
            Some((_, i)) => *i = inode,
            None => self.root = inode,
        }
    }

    /// The path of this location as seen from `root` (a chroot), `/` at the root.
    pub fn path_from(&self, root: &Location) -> Vec<u8> {
        let below = self.chain.get(root.chain.len()..).unwrap_or(&[]);
        if below.is_empty() {
            return b"/".to_vec();
        }
        let mut p = Vec::new();
        for (name, _) in below {
            p.push(b'/');
            p.extend_from_slice(name);
        }
        p
    }

    /// The location of `inode`, named `name` in this directory.
    pub fn child(&self, name: &[u8], inode: Arc<dyn Inode>) -> Location {
        let mut loc = self.clone();
        loc.enter(name, inode);
        loc
    }

    fn parent(&mut self) {
        self.chain.pop();
    }

    fn enter(&mut self, name: &[u8], inode: Arc<dyn Inode>) {
        self.chain.push((name.to_vec(), inode));
    }
}

/// Where open(2) with O_CREAT lands: see [`Vfs::resolve_creation_as`].
pub enum Creation {
    /// The path names this existing inode.
    Exists(Location),
    /// Nothing has the final name (`.1`) in the directory (`.0`), where a create puts it.
    Missing(Location, Vec<u8>),
}

/// The root file system and the file systems mounted on it.
pub struct Vfs {
    root: Arc<dyn FileSystem>,
    /// `(absolute mount point, file system, source name)`; looked up by path as the walk
    /// goes, later mounts hiding earlier ones.
    mounts: RwLock<Vec<Mount>>,
}

/// One mounted file system.
#[derive(Clone)]
pub struct Mount {
    /// Absolute path of the mount point.
    pub at: Vec<u8>,
    /// The file system.
    pub fs: Arc<dyn FileSystem>,
    /// What was mounted (`/dev/ubda`, `proc`), for /proc/mounts.
    pub source: Vec<u8>,
}

impl Vfs {
    /// A tree with `root` at `/`.
    pub fn new(root: Arc<dyn FileSystem>) -> Vfs {
        Vfs {
            root,
            mounts: RwLock::new(Vec::new()),
        }
    }

    /// Mounts `fs`, named `source`, at the absolute path `at`.
    pub fn mount(&self, at: &[u8], fs: Arc<dyn FileSystem>, source: &[u8]) {
        self.mounts.write().push(Mount {
            at: at.to_vec(),
            fs,
            source: source.to_vec(),
        });
    }

    /// Unmounts the file system most recently mounted at `at`; EINVAL when nothing is.
    pub fn umount(&self, at: &[u8]) -> KResult<Arc<dyn FileSystem>> {
        let mut mounts = self.mounts.write();
        let i = mounts
            .iter()
            .rposition(|m| m.at == at)
            .ok_or(Errno::EINVAL)?;

        // A file system with something mounted below it stays (EBUSY), as on Linux,
        // unless an earlier mount on the same point goes on holding those up (the boot's
        // devpts under init's second devtmpfs on /dev).
        let mut below = at.to_vec();
        below.push(b'/');
        let shadowed = mounts[..i].iter().any(|m| m.at == at);
        if !shadowed && mounts.iter().any(|m| m.at.starts_with(&below)) {
            return Err(Errno::EBUSY);
        }
        Ok(mounts.remove(i).fs)
    }

    /// Whether `name` in `dir` is a mount point (which cannot be removed or renamed).
    pub fn is_mount_point(&self, dir: &Location, name: &[u8]) -> bool {
        let mut path = dir.path();
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(name);
        self.mounts.read().iter().any(|m| m.at == path)
    }

    /// The file system holding `loc`: the mount with the longest mount point that is a
    /// prefix of its path, or the root file system.
    pub fn fs_of(&self, loc: &Location) -> Arc<dyn FileSystem> {
        let path = loc.path();
        let mounts = self.mounts.read();
        let best = mounts.iter().rev().filter(|m| {
            path.starts_with(&m.at) && (path.len() == m.at.len() || path[m.at.len()] == b'/')
        });
        match best.max_by_key(|m| m.at.len()) {
            Some(m) => m.fs.clone(),
            None => self.root.clone(),
        }
    }

    /// The root file system.
    pub fn root_fs(&self) -> &Arc<dyn FileSystem> {
        &self.root
    }

    /// The mounted file systems other than the root, in mount order.
    pub fn mounts(&self) -> Vec<Mount> {
        self.mounts.read().clone()
    }

    /// The location of `/`.
    pub fn root(&self) -> Location {
        Location::root(self.root.root())
    }

    /// Resolves `path` from `start` (used when it is relative) with the kernel's view:
    /// the real root, no permission checks.
    pub fn resolve(&self, start: &Location, path: &[u8], follow: bool) -> KResult<Location> {
        self.resolve_as(&self.root(), start, path, follow, None)
    }

    /// Resolves `path` for a process whose root is `root` (chroot) and whose
    /// credentials, when given, must allow searching every directory on the way. A final
    /// symlink is followed when `follow` is set. Errors are Linux's: ENOENT, ENOTDIR,
    /// ELOOP, ENAMETOOLONG, EACCES.
    pub fn resolve_as(
        &self,
        root: &Location,
        start: &Location,
        path: &[u8],
        follow: bool,
        creds: Option<&Creds>,
    ) -> KResult<Location> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }

        let mut loc = if path[0] == b'/' {
            root.clone()
        } else {
            start.clone()
        };
        let mut pending: Vec<Vec<u8>> = components(path).rev().collect();
        let must_be_dir = path.ends_with(b"/");
        let mut links = 0;

        while let Some(name) = pending.pop() {
            let last = pending.is_empty();
            if loc.inode().file_type() != FileType::Directory {
                return Err(Errno::ENOTDIR);
            }
            if let Some(c) = creds {
                c.may(&loc.inode().stat()?, MAY_EXEC)?;
            }

            match name.as_slice() {
                b"." => continue,
                // `..` never climbs above the process's root.
                b".." => {
                    if loc.chain.len() > root.chain.len() {
                        loc.parent();
                    }
                    continue;
                }
                _ => {}
            }
            if name.len() > NAME_MAX {
                return Err(Errno::ENAMETOOLONG);
            }

            let child = self.lookup_child(&loc, &name)?;
            let is_link = child.file_type() == FileType::Symlink;
            if is_link && (!last || follow || must_be_dir) {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(Errno::ELOOP);
                }

                let target = child.read_link()?;
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                if target[0] == b'/' {
                    loc = root.clone();
                }
                pending.extend(components(&target).rev().collect::<Vec<_>>());
                continue;
            }
            loc.enter(&name, child);
        }

        if must_be_dir && loc.inode().file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(loc)
    }

    /// Resolves all but the last component of `path`, for calls that create, remove or
    /// rename: returns the parent directory and the final name.
    pub fn resolve_parent(&self, start: &Location, path: &[u8]) -> KResult<(Location, Vec<u8>)> {
        self.resolve_parent_as(&self.root(), start, path, None)
    }

    /// [`Vfs::resolve_parent`] for a process with root `root` and credentials `creds`.
    pub fn resolve_parent_as(
        &self,
        root: &Location,
        start: &Location,
        path: &[u8],
        creds: Option<&Creds>,
    ) -> KResult<(Location, Vec<u8>)> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let trimmed = trim_trailing_slashes(path);
        let (dir, name) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(0) => (&b"/"[..], &trimmed[1..]),
            Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
            None => (&b"."[..], trimmed),
        };
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }

        let parent = self.resolve_as(root, start, dir, true, creds)?;
        if parent.inode().file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok((parent, name.to_vec()))
    }

    /// Resolves `path` for open(2) with O_CREAT, as Linux's open_last_lookups: the
    /// directories on the way must exist, and the final name either names an inode or is
    /// missing, which is no error. A final symlink is followed when `follow` is set, even
    /// a dangling one, so that the create makes the link's target. A final name with a
    /// trailing slash is EISDIR, as O_CREAT never makes a directory.
    pub fn resolve_creation_as(
        &self,
        root: &Location,
        start: &Location,
        path: &[u8],
        follow: bool,
        creds: Option<&Creds>,
    ) -> KResult<Creation> {
        let mut start = start.clone();
        let mut path = path.to_vec();
        let mut links = 0;

        loop {
            let (dir, name) = self.resolve_parent_as(root, &start, &path, creds)?;
            // "/", "." and ".." are directories, which exist.
            if name.is_empty() || super::is_dot(&name) {
                let loc = self.resolve_as(root, &start, &path, follow, creds)?;
                return Ok(Creation::Exists(loc));
            }
            if path.ends_with(b"/") {
                return Err(Errno::EISDIR);
            }
            if let Some(c) = creds {
                c.may(&dir.inode().stat()?, MAY_EXEC)?;
            }

            let child = match self.lookup_child(&dir, &name) {
                Err(Errno::ENOENT) => return Ok(Creation::Missing(dir, name)),
                other => other?,
            };
            if !follow || child.file_type() != FileType::Symlink {
                return Ok(Creation::Exists(dir.child(&name, child)));
            }

            // The walk goes on with the link's target, from the link's directory.
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::ELOOP);
            }
            path = child.read_link()?;
            if path.is_empty() {
                return Err(Errno::ENOENT);
            }
            start = dir;
        }
    }

    fn lookup_child(&self, dir: &Location, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let mut path = dir.path();
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(name);

        // A later mount on the same point hides an earlier one, as on Linux.
        let mounts = self.mounts.read();
        if let Some(m) = mounts.iter().rev().find(|m| m.at == path) {
            return Ok(m.fs.root());
        }
        drop(mounts);
        dir.inode().lookup(name)
    }
}

fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = Vec<u8>> + '_ {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .map(|c| c.to_vec())
}

fn trim_trailing_slashes(path: &[u8]) -> &[u8] {
    let mut end = path.len();
    while end > 1 && path[end - 1] == b'/' {
        end -= 1;
    }
    &path[..end]
}
