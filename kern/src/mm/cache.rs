//! The page cache: whole pages of files in frames of physical memory, shared by every
//! mapping that reads them (read-only; a private mapping's write copies the frame).
//!
//! Pages are keyed by the inode (held, so its address stays its key) and the page
//! number. A write or truncate through the file drops the pages it touches. The cache
//! keeps at most a quarter of memory and lets go of pages nobody maps when it is full.

use std::collections::HashMap;
use std::sync::Arc;

use super::frame::{FrameAllocator, PhysAddr};
use crate::errno::KResult;
use crate::fs::Inode;
use crate::lockorder::{Level, Ordered};

struct Cached {
    frame: PhysAddr,
    /// Keeps the inode alive, so that its address is not reused as another key.
    _inode: Arc<dyn Inode>,
}

/// File pages in physical memory.
pub struct PageCache {
    /// (inode address, page number) to its frame; the cache holds one reference to it.
    pages: Ordered<HashMap<(usize, u64), Cached>>,
    max_pages: usize,
}

fn key_of(inode: &Arc<dyn Inode>) -> usize {
    Arc::as_ptr(inode) as *const () as usize
}

impl PageCache {
    /// A cache that keeps at most `max_pages` pages.
    pub fn new(max_pages: usize) -> PageCache {
        PageCache {
            pages: Ordered::new(Level::PageCache, HashMap::new()),
            max_pages,
        }
    }

    /// The frame holding page `index` of `inode`, read in by `fill` if it is not cached.
    /// The caller gets a reference of its own to the frame.
    pub fn get(
        &self,
        frames: &FrameAllocator,
        inode: &Arc<dyn Inode>,
        index: u64,
        fill: impl FnOnce(PhysAddr) -> KResult<()>,
    ) -> KResult<PhysAddr> {
        let key = (key_of(inode), index);
        let mut pages = self.pages.lock();
        if let Some(c) = pages.get(&key) {
            frames.get(c.frame);
            return Ok(c.frame);
        }

        let frame = frames.alloc()?;
        if let Err(e) = fill(frame) {
            frames.put(frame);
            return Err(e);
        }
        if pages.len() >= self.max_pages {
            shrink(&mut pages, frames, self.max_pages / 8 + 1);
        }
        frames.get(frame);
        pages.insert(
            key,
            Cached {
                frame,
                _inode: inode.clone(),
            },
        );
        Ok(frame)
    }

    /// Drops the cached pages of `inode` from byte `from` on (a write or truncate
    /// changed them).
    pub fn invalidate(&self, frames: &FrameAllocator, inode: &Arc<dyn Inode>, from: u64) {
        let k = key_of(inode);
        let first = from / super::PAGE_SIZE;
        let mut pages = self.pages.lock();
        pages.retain(|&(i, page), c| {
            let keep = i != k || page < first;
            if !keep {
                frames.put(c.frame);
            }
            keep
        });
    }

    /// Pages cached, for /proc/meminfo's Cached.
    pub fn len(&self) -> usize {
        self.pages.lock().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Lets go of up to `n` pages that no mapping uses (the cache holds their only
/// reference).
fn shrink(pages: &mut HashMap<(usize, u64), Cached>, frames: &FrameAllocator, n: usize) {
    let idle: Vec<(usize, u64)> = pages
        .iter()
        .filter(|(_, c)| frames.refs(c.frame) == 1)
        .map(|(k, _)| *k)
        .take(n)
        .collect();
    for k in idle {
        if let Some(c) = pages.remove(&k) {
            frames.put(c.frame);
        }
    }
}
