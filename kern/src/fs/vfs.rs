//! Path walk and the mount table.
//!
//! A walk keeps the chain of directories it went through, so `..` goes back to the
//! directory it came from (physically, since symlinks are expanded into the walk), and
//! a mounted file system's root is entered where the walk reaches its mount point.

use std::sync::Arc;

use super::{FileSystem, FileType, Inode};
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
        Location { root, chain: Vec::new() }
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

    fn parent(&mut self) {
        self.chain.pop();
    }

    fn enter(&mut self, name: &[u8], inode: Arc<dyn Inode>) {
        self.chain.push((name.to_vec(), inode));
    }
}

/// The root file system and the file systems mounted on it.
pub struct Vfs {
    root: Arc<dyn FileSystem>,
    /// `(absolute mount point, file system)`; looked up by path as the walk goes.
    mounts: Vec<(Vec<u8>, Arc<dyn FileSystem>)>,
}

impl Vfs {
    /// A tree with `root` at `/`.
    pub fn new(root: Arc<dyn FileSystem>) -> Vfs {
        Vfs { root, mounts: Vec::new() }
    }

    /// Mounts `fs` at the absolute path `at` (which need not exist on the parent).
    pub fn mount(&mut self, at: &[u8], fs: Arc<dyn FileSystem>) {
        self.mounts.push((at.to_vec(), fs));
    }

    /// The root file system.
    pub fn root_fs(&self) -> &Arc<dyn FileSystem> {
        &self.root
    }

    /// The mounted file systems with their mount points, root first.
    pub fn mounts(&self) -> Vec<(Vec<u8>, Arc<dyn FileSystem>)> {
        let mut all = vec![(b"/".to_vec(), self.root.clone())];
        all.extend(self.mounts.iter().cloned());
        all
    }

    /// The location of `/`.
    pub fn root(&self) -> Location {
        Location::root(self.root.root())
    }

    /// Resolves `path` from `start` (used when it is relative). A final symlink is
    /// followed when `follow` is set. Errors are Linux's: ENOENT, ENOTDIR, ELOOP,
    /// ENAMETOOLONG.
    pub fn resolve(&self, start: &Location, path: &[u8], follow: bool) -> KResult<Location> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }

        let mut loc = if path[0] == b'/' { self.root() } else { start.clone() };
        let mut pending: Vec<Vec<u8>> = components(path).rev().collect();
        let must_be_dir = path.ends_with(b"/");
        let mut links = 0;

        while let Some(name) = pending.pop() {
            let last = pending.is_empty();
            if loc.inode().file_type() != FileType::Directory {
                return Err(Errno::ENOTDIR);
            }

            match name.as_slice() {
                b"." => continue,
                b".." => {
                    loc.parent();
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
                    loc = self.root();
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
    pub fn resolve_parent(&self, start: &Location, path: &[u8])
        -> KResult<(Location, Vec<u8>)>
    {
        let trimmed = trim_trailing_slashes(path);
        let (dir, name) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(0) => (&b"/"[..], &trimmed[1..]),
            Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
            None => (&b"."[..], trimmed),
        };
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }

        let parent = self.resolve(start, dir, true)?;
        if parent.inode().file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok((parent, name.to_vec()))
    }

    fn lookup_child(&self, dir: &Location, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let mut path = dir.path();
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(name);

        // A later mount on the same point hides an earlier one, as on Linux.
        if let Some((_, fs)) = self.mounts.iter().rev().find(|(at, _)| *at == path) {
            return Ok(fs.root());
        }
        dir.inode().lookup(name)
    }
}

fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = Vec<u8>> + '_ {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty()).map(|c| c.to_vec())
}

fn trim_trailing_slashes(path: &[u8]) -> &[u8] {
    let mut end = path.len();
    while end > 1 && path[end - 1] == b'/' {
        end -= 1;
    }
    &path[..end]
}
