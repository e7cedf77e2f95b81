//! Guest address spaces: areas, the kernel's page table, faults and guest memory access.

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::lockorder::{Level, Ordered};
use arch_um::physmem::PhysMem;
use arch_um::ptrace::Stopped;
use arch_um::stub::{MapOp, StubError, StubLayout, StubProcess};

use super::frame::{FrameAllocator, PhysAddr};
use super::vma::{Backing, Prot, Vma};
use super::{page_down, page_up, PAGE_SIZE};
use crate::errno::{Errno, KResult};
use crate::fs::Inode;

/// Pages mapped around a faulting address in one go (fault-around): a first touch of a
/// large buffer then costs one fault and one stub run per this many pages.
const FAULT_AROUND_PAGES: u64 = 16;
/// Pages a fault maps at once in a read-only file mapping (program text): a program
/// jumps across its text, and a page cache frame costs nothing to map beside another.
const TEXT_FAULT_AROUND_PAGES: u64 = 64;

/// Bytes between the top of the stack area and the highest `mmap` placement, as Linux
/// keeps at least 128 MiB below the stack.
const MMAP_GAP: u64 = 128 << 20;

/// Size of the initial stack area (the default RLIMIT_STACK).
pub const STACK_BYTES: u64 = 8 << 20;

/// Free space a MAP_GROWSDOWN area keeps below it (Linux's `stack_guard_gap`, 256
/// pages): it grows only while that much stays free under it, and mmap places nothing
/// there.
const STACK_GUARD_GAP: u64 = 256 * PAGE_SIZE;

/// The lowest address an area may grow down to (Linux's default `mmap_min_addr`).
const MMAP_MIN_ADDR: u64 = 65536;

/// `si_code` of a SIGSEGV for an address no area covers.
pub const SEGV_MAPERR: i32 = 1;
/// `si_code` of a SIGSEGV for an access the area's protection forbids.
pub const SEGV_ACCERR: i32 = 2;
/// `si_code` of a SIGBUS for a file page that could not be read.
pub const BUS_ADRERR: i32 = 2;

/// Physical memory and the frame allocator: what every address space draws on.
pub struct Memory {
    /// The host memory file and the kernel's mapping of it.
    pub physmem: Arc<PhysMem>,
    /// Frames of it.
    pub frames: FrameAllocator,
    /// Where every stub process keeps its stub.
    pub stub_layout: StubLayout,
    /// The frame holding the stub's code.
    pub stub_code: PhysAddr,
    /// File pages shared by the mappings of them, and their write-back.
    pub cache: super::cache::PageCache,
}

/// What became of a guest page fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOutcome {
    /// The page is mapped now; the guest retries the access.
    Mapped,
    /// No frame is free and the page cache has none to give back: the OOM killer's
    /// turn (`crate::oom`).
    OutOfMemory,
    /// A real fault: deliver this signal with this `si_code`.
    Signal {
        /// SIGSEGV or SIGBUS.
        signo: i32,
        /// The `si_code`.
        code: i32,
    },
}

/// How the host saw a fault, from the SIGSEGV's `si_code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostFault {
    /// Nothing was mapped on the host at the address.
    NotMapped,
    /// Something was mapped, with too little permission.
    Protection,
}

/// One page-table entry: the frame behind a guest page and how the host maps it.
#[derive(Clone, Copy, Debug)]
struct Pte {
    frame: PhysAddr,
    /// What the host process has mapped at this page; `None` until the guest faults on
    /// it (the kernel may fill a page the guest has not touched yet).
    host: Option<Prot>,
}

/// A guest address space.
pub struct AddressSpace {
    mem: Arc<Memory>,
    stub: StubProcess,
    orders: PhysAddr,
    /// Areas, page table and pending host operations; never held across a stub run.
    state: Ordered<MmState>,
}

struct MmState {
    /// Areas by start address; they never overlap.
    vmas: BTreeMap<u64, Vma>,
    /// Page table: page address to entry.
    ptes: BTreeMap<u64, Pte>,
    /// Host operations decided but not yet run in the stub process.
    pending: Vec<MapOp>,
    brk_start: u64,
    brk: u64,
    /// Pages that the processes of this fork lineage wrote right after a fork (shared by
    /// a process and its forked children).
    fork_hot: Arc<Mutex<Vec<u64>>>,
    /// Copy-on-write faults still to record in `fork_hot` since the last fork.
    fork_watch: u8,
    /// The most pages the page table held before its last shrink (Linux's
    /// `hiwater_rss`, which it too brings up to date only when pages go).
    peak_pages: usize,
}

/// How many copy-on-write faults after a fork are recorded as the lineage's hot pages.
const FORK_WATCH: u8 = 8;
/// The most hot pages a lineage keeps (a fork copies each for the child).
const FORK_HOT_MAX: usize = 16;

impl MmState {
    /// An empty page table and no areas.
    fn empty() -> MmState {
        MmState {
            vmas: BTreeMap::new(),
            ptes: BTreeMap::new(),
            pending: Vec::new(),
            brk_start: 0,
            brk: 0,
            fork_hot: Arc::default(),
            fork_watch: 0,
            peak_pages: 0,
        }
    }

    /// Notes a copy-on-write fault on `page` if it follows a fork closely: the next fork
    /// copies the page at once instead of sharing it.
    fn note_cow_fault(&mut self, page: u64) {
        if self.fork_watch == 0 {
            return;
        }
        self.fork_watch -= 1;
        let mut hot = self.fork_hot.lock();
        if !hot.contains(&page) && hot.len() < FORK_HOT_MAX {
            hot.push(page);
        }
    }
}

impl AddressSpace {
    /// Makes an empty address space: a new host process holding only the stub, traced by
    /// the calling thread and returned stopped.
    pub fn new(mem: &Arc<Memory>) -> KResult<(AddressSpace, Stopped)> {
        let orders = mem.alloc_frame()?;
        let spawned = StubProcess::spawn(&mem.physmem, mem.stub_layout, mem.stub_code.0, orders.0);
        let (stub, stopped) = match spawned {
            Ok(s) => s,
            Err(e) => {
                mem.frames.put(orders);
                log::warn!("cannot start an address-space process: {e}");
                return Err(Errno::EAGAIN);
            }
        };

        let state = MmState::empty();
        let space = AddressSpace {
            mem: mem.clone(),
            stub,
            orders,
            state: Ordered::new(Level::AddressSpace, state),
        };
        Ok((space, stopped))
    }

    /// The host pid of the process holding this address space.
    pub fn host_pid(&self) -> i32 {
        self.stub.pid()
    }

    /// The host CPU time of the process holding this address space: the user time of the
    /// guest code that ran in it. 0 when the host process is gone (killed from outside).
    pub fn host_cpu_ns(&self) -> u64 {
        match arch_um::host::process_cpu_ns_of(self.stub.pid()) {
            Ok(ns) => ns,
            Err(e) => {
                log::debug!("host pid {}: no CPU time: {e}", self.stub.pid());
                0
            }
        }
    }

    /// One past the highest guest address: the stub sits there.
    pub fn task_top(&self) -> u64 {
        self.mem.stub_layout.base()
    }

    /// Where a thread of this space waits in the stub while it changes CPUs.
    pub fn stub_park_addr(&self) -> u64 {
        self.mem.stub_layout.park_addr()
    }

    /// Where the initial stack ends (its highest address).
    pub fn stack_top(&self) -> u64 {
        self.task_top()
    }

    /// Runs the host operations decided since the last call on the stopped thread `t`.
    /// The thread's registers are clobbered; the caller restores the guest's.
    pub fn flush(&self, t: Stopped) -> Result<(Stopped, bool), StubError> {
        let ops = std::mem::take(&mut self.state.lock().pending);
        if ops.is_empty() {
            return Ok((t, false));
        }
        self.stub.run(&self.mem.physmem, t, &ops).map(|t| (t, true))
    }

    /// Forks this address space: a new host process made by the stub from this one
    /// (run on `t`, a stopped thread of it), so it starts with every mapping this one has,
    /// private pages write-protected on both sides for copy-on-write. Returns this side's
    /// thread stopped again (registers clobbered), and the child with its stopped thread.
    /// On failure the thread comes back if it survived.
    pub fn fork(&self, t: Stopped) -> (Option<Stopped>, KResult<(AddressSpace, Stopped)>) {
        let orders = match self.mem.alloc_frame() {
            Ok(f) => f,
            Err(e) => return (Some(t), Err(e)),
        };

        let (pre, child_state, child_first) = self.prepare_fork();
        let (t, pre) = match self.run_if_too_many(t, pre) {
            Ok(x) => x,
            Err(e) => {
                self.release_state(child_state, orders);
                return (refused_thread(e), Err(Errno::EAGAIN));
            }
        };

        let stub = &self.stub;
        match stub.fork(&self.mem.physmem, t, &pre, &child_first, false, orders.0) {
            Ok((parent, stub, child)) => {
                let space = AddressSpace {
                    mem: self.mem.clone(),
                    stub,
                    orders,
                    state: Ordered::new(Level::AddressSpace, child_state),
                };
                (Some(parent), Ok((space, child)))
            }
            Err(e) => {
                log::warn!("fork of an address space failed: {e:?}");
                self.release_state(child_state, orders);
                (refused_thread(e), Err(Errno::EAGAIN))
            }
        }
    }

    /// A new, empty address space made by forking this one's host process and unmapping
    /// everything of the guest's in the copy (for execve): cheaper than a fresh process
    /// from the kernel, whose own address space is much larger. Returns this side's
    /// thread stopped again (registers clobbered), or the error with the thread if it
    /// survived.
    pub fn spawn_empty(&self, t: Stopped) -> (Option<Stopped>, KResult<(AddressSpace, Stopped)>) {
        let orders = match self.mem.alloc_frame() {
            Ok(f) => f,
            Err(e) => return (Some(t), Err(e)),
        };

        let pre = std::mem::take(&mut self.state.lock().pending);
        let (t, pre) = match self.run_if_too_many(t, pre) {
            Ok(x) => x,
            Err(e) => {
                self.mem.frames.put(orders);
                return (refused_thread(e), Err(Errno::EAGAIN));
            }
        };

        match self
            .stub
            .fork(&self.mem.physmem, t, &pre, &[], true, orders.0)
        {
            Ok((parent, stub, child)) => {
                let state = MmState::empty();
                let space = AddressSpace {
                    mem: self.mem.clone(),
                    stub,
                    orders,
                    state: Ordered::new(Level::AddressSpace, state),
                };
                (Some(parent), Ok((space, child)))
            }
            Err(e) => {
                self.mem.frames.put(orders);
                (refused_thread(e), Err(Errno::EAGAIN))
            }
        }
    }

    /// Runs `pre` on its own when it would not fit in one stub run beside the fork's
    /// order; returns the thread and what is left to run with the fork.
    fn run_if_too_many(
        &self,
        t: Stopped,
        pre: Vec<MapOp>,
    ) -> Result<(Stopped, Vec<MapOp>), StubError> {
        if pre.len() < arch_um::stub::ORDERS_PER_RUN {
            return Ok((t, pre));
        }
        let t = self.stub.run(&self.mem.physmem, t, &pre)?;
        Ok((t, Vec::new()))
    }

    /// Write-protects this side's private pages and builds the child's page table:
    /// returns the pending host operations (ending with the protection), the child's
    /// state and the child's first host operations.
    ///
    /// A page the lineage wrote right after earlier forks (a stack page, libc's data) is
    /// copied for the child at once and left writable here: a copy costs about a
    /// microsecond, the two copy-on-write faults it saves about 20 each.
    fn prepare_fork(&self) -> (Vec<MapOp>, MmState, Vec<MapOp>) {
        let mut st = self.state.lock();
        st.fork_watch = FORK_WATCH;
        let hot = st.fork_hot.lock().clone();
        let mut child = MmState {
            vmas: st.vmas.clone(),
            brk_start: st.brk_start,
            brk: st.brk,
            fork_hot: st.fork_hot.clone(),
            fork_watch: FORK_WATCH,
            ..MmState::empty()
        };
        let mut child_first = Vec::new();

        let mut protect: Vec<(u64, u64, Prot)> = Vec::new();
        let MmState { vmas, ptes, .. } = &mut *st;
        for (&page, pte) in ptes.iter_mut() {
            let vma = vmas.range(..=page).next_back().map(|(_, v)| v);
            let shared = vma.is_some_and(|v| v.shared);
            let writable = pte.host.filter(|h| h.contains(Prot::WRITE) && !shared);

            // The child's copy is writable as the area allows, whatever this side's host
            // mapping is now (read-only since an earlier fork, if it was not written).
            let child_prot = vma
                .filter(|v| !v.shared && v.prot.contains(Prot::WRITE) && pte.host.is_some())
                .map(|v| v.prot);
            if let Some(prot) = child_prot.filter(|_| hot.contains(&page)) {
                if let Ok(copy) = self.mem.frames.alloc() {
                    self.mem
                        .physmem
                        .copy(pte.frame.0, copy.0, PAGE_SIZE as usize);
                    child_first.push(MapOp::Map {
                        addr: page,
                        len: PAGE_SIZE,
                        prot: prot.0,
                        phys_off: copy.0,
                    });
                    child.ptes.insert(
                        page,
                        Pte {
                            frame: copy,
                            host: Some(prot),
                        },
                    );
                    continue;
                }
            }

            self.mem.frames.get(pte.frame);
            if let Some(host) = writable {
                let ro = host.without(Prot::WRITE);
                pte.host = Some(ro);
                match protect.last_mut() {
                    Some((start, len, p)) if *start + *len == page && *p == ro => {
                        *len += PAGE_SIZE;
                    }
                    _ => protect.push((page, PAGE_SIZE, ro)),
                }
            }
            // The child inherits the host mappings as they are after the protection.
            child.ptes.insert(
                page,
                Pte {
                    frame: pte.frame,
                    host: pte.host,
                },
            );
        }

        let mut pre = std::mem::take(&mut st.pending);
        for (addr, len, prot) in protect {
            pre.push(MapOp::Protect {
                addr,
                len,
                prot: prot.0,
            });
        }
        (pre, child, child_first)
    }

    fn release_state(&self, st: MmState, orders: PhysAddr) {
        let pages = st.ptes.into_iter().map(|(p, e)| (p, e.frame)).collect();
        release_pages(&self.mem, &st.vmas, pages);
        self.mem.frames.put(orders);
    }

    /// Maps `vma` over whatever was in its range (MAP_FIXED semantics).
    pub fn map_fixed(&self, vma: Vma) {
        let mut st = self.state.lock();
        st.unmap(&self.mem, vma.start, vma.end);
        st.vmas.insert(vma.start, vma);
    }

    /// Finds a free range of `len` bytes, below `hint` if it is free and fits, else top
    /// down from the mmap base; ENOMEM when none is left.
    pub fn find_free(&self, hint: u64, len: u64) -> KResult<u64> {
        let st = self.state.lock();
        let top = self.task_top();

        if hint != 0
            && hint.checked_add(len).is_some_and(|end| end <= top)
            && st.range_is_free(hint, hint + len)
            && !st.in_guard_gap(hint + len)
        {
            return Ok(hint);
        }

        let base = page_down(self.stack_top() - STACK_BYTES - MMAP_GAP);
        st.free_below(base, len).ok_or(Errno::ENOMEM)
    }

    /// Removes `[start, end)` from the address space (munmap); EINVAL past the top of
    /// user space, where the stub lives.
    pub fn unmap(&self, start: u64, end: u64) -> KResult<()> {
        if end > self.task_top() {
            return Err(Errno::EINVAL);
        }
        self.state.lock().unmap(&self.mem, start, end);
        Ok(())
    }

    /// Changes the protection of `[start, end)`; ENOMEM if part of it is not mapped.
    pub fn protect(&self, start: u64, end: u64, prot: Prot) -> KResult<()> {
        if end > self.task_top() {
            return Err(Errno::ENOMEM);
        }
        let mut st = self.state.lock();
        if !st.range_is_covered(start, end) {
            return Err(Errno::ENOMEM);
        }
        // A shared mapping of a file opened read-only can never be made writable.
        let read_only_file = |v: &Vma| {
            v.shared
                && matches!(
                    v.backing,
                    Backing::File {
                        writable: false,
                        ..
                    }
                )
        };
        if prot.contains(Prot::WRITE)
            && st
                .vmas
                .range(..end)
                .any(|(_, v)| v.end > start && read_only_file(v))
        {
            return Err(Errno::EACCES);
        }

        st.split_at(start);
        st.split_at(end);
        for (_, vma) in st.vmas.range_mut(start..end) {
            vma.prot = prot;
        }

        st.reprotect_host_mappings(start, end, prot);
        Ok(())
    }

    /// Drops the pages of `[start, end)` but keeps the areas (MADV_DONTNEED): the next
    /// touch sees zeros, or the file's data for a private file mapping. ENOMEM if part
    /// of the range is not mapped.
    pub fn discard(&self, start: u64, end: u64) -> KResult<()> {
        if end > self.task_top() {
            return Err(Errno::ENOMEM);
        }
        let mut st = self.state.lock();
        if !st.range_is_covered(start, end) {
            return Err(Errno::ENOMEM);
        }

        st.drop_host_mappings(start, end);
        let pages = st.take_ptes(start, end);
        release_pages(&self.mem, &st.vmas, pages);
        Ok(())
    }

    /// Moves or resizes the mapping at `[old, old + old_len)` (mremap). Shrinking frees
    /// the tail; growing extends in place when the pages after are free, else moves the
    /// area (when `may_move`) to a free range or to `fixed`. The pages move with it.
    /// Returns the new start.
    pub fn remap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        may_move: bool,
        fixed: Option<u64>,
    ) -> KResult<u64> {
        let mut st = self.state.lock();
        let vma = st.vma_at(old).cloned().ok_or(Errno::EFAULT)?;
        // An old_len past the top of user space (or past 2^64) is EINVAL when shrinking,
        // as the munmap it stands for would be, and EFAULT otherwise, as on Linux.
        let Some(old_end) = old.checked_add(old_len).filter(|&e| e <= self.task_top()) else {
            return Err(if new_len <= old_len {
                Errno::EINVAL
            } else {
                Errno::EFAULT
            });
        };
        if old_end > vma.end || vma.start > old {
            return Err(Errno::EFAULT);
        }

        if fixed.is_none() && new_len <= old_len {
            st.unmap(&self.mem, old + new_len, old + old_len);
            return Ok(old);
        }
        if fixed.is_none()
            && st.range_is_free(old + old_len, old + new_len)
            && old + new_len <= self.task_top()
        {
            st.split_at(old);
            if let Some(v) = st.vmas.get_mut(&old) {
                if v.end == old + old_len {
                    v.set_end(old + new_len);
                    return Ok(old);
                }
            }
        }
        if !may_move {
            return Err(Errno::ENOMEM);
        }

        let dest = match fixed {
            Some(d) => {
                st.unmap(&self.mem, d, d + new_len);
                d
            }
            None => {
                let base = page_down(self.stack_top() - STACK_BYTES - MMAP_GAP);
                st.free_below(base, new_len).ok_or(Errno::ENOMEM)?
            }
        };

        // Take the old range out, pages and all, and put it back at `dest`.
        st.split_at(old);
        st.split_at(old + old_len);
        let moved: Vec<Vma> = st
            .vmas
            .range(old..old + old_len)
            .map(|(_, v)| v.clone())
            .collect();
        for v in &moved {
            st.vmas.remove(&v.start);
        }
        let pages: Vec<(u64, Pte)> = st
            .ptes
            .range(old..old + old_len)
            .map(|(&p, &e)| (p, e))
            .collect();
        let host_mapped = pages.iter().any(|(_, e)| e.host.is_some());
        for (p, _) in &pages {
            st.ptes.remove(p);
        }
        if host_mapped {
            st.pending.push(MapOp::Unmap {
                addr: old,
                len: old_len,
            });
        }

        for mut v in moved {
            let delta = v.start - old;
            v.start = dest + delta;
            v.end = dest + delta + (v.end - old - delta);
            st.vmas.insert(v.start, v);
        }
        if let Some(last) = st.vmas.range_mut(..dest + old_len).next_back() {
            // Growing while moving: the last area takes the new length.
            if last.1.end == dest + old_len {
                last.1.set_end(dest + new_len);
            }
        }
        for (p, mut e) in pages {
            e.host = None;
            st.ptes.insert(dest + (p - old), e);
        }
        Ok(dest)
    }

    /// Sets where the heap starts (just past the program's last segment).
    pub fn set_brk_start(&self, start: u64) {
        let mut st = self.state.lock();
        st.brk_start = start;
        st.brk = start;
    }

    /// Moves the program break; returns the new break, or the old one when the request
    /// cannot be met (as Linux's brk does).
    pub fn brk(&self, want: u64) -> u64 {
        let mut st = self.state.lock();
        let old = st.brk;
        if want < st.brk_start || want > self.stack_top() - STACK_BYTES - MMAP_GAP {
            return old;
        }

        let (Some(old_end), Some(new_end)) = (page_up(old), page_up(want)) else {
            return old;
        };
        if new_end > old_end {
            if !st.range_is_free(old_end, new_end) {
                return old;
            }
            let heap = Vma {
                start: old_end,
                end: new_end,
                prot: Prot::RW,
                backing: Backing::Anon,
                shared: false,
                name: Some(Arc::from("[heap]")),
                grows_down: false,
            };
            st.vmas.insert(old_end, heap);
        } else if new_end < old_end {
            st.unmap(&self.mem, new_end, old_end);
        }

        st.brk = want;
        want
    }

    /// Serves a guest page fault at `addr`.
    pub fn fault(&self, addr: u64, how: HostFault) -> FaultOutcome {
        let mut st = self.state.lock();
        let page = page_down(addr);

        let vma = match st.vma_at(addr) {
            Some(v) => v.clone(),
            None => match st.grow_down(addr) {
                Some(v) => v,
                None => return segv(SEGV_MAPERR),
            },
        };
        if vma.prot == Prot::NONE {
            return segv(SEGV_ACCERR);
        }

        let host = st.ptes.get(&page).and_then(|p| p.host);
        match (how, host) {
            (HostFault::Protection, Some(mapped)) => {
                // A write to a page mapped read-only for copy-on-write, or to a clean
                // shared file page, is the only fault on a mapped page that the guest's
                // protection allows.
                if !vma.prot.contains(Prot::WRITE) || mapped.contains(Prot::WRITE) {
                    return segv(SEGV_ACCERR);
                }
                if vma.shared_file_page(page).is_some() {
                    st.dirty_around(&self.mem, &vma, page);
                    return FaultOutcome::Mapped;
                }
                match st.make_writable(&self.mem, page) {
                    Ok(frame) => {
                        st.note_cow_fault(page);
                        st.set_host(page, frame, vma.prot);
                        st.unprotect_around(&self.mem, &vma, page);
                        FaultOutcome::Mapped
                    }
                    Err(Errno::ENOMEM) => FaultOutcome::OutOfMemory,
                    Err(_) => FaultOutcome::Signal {
                        signo: SIGBUS,
                        code: BUS_ADRERR,
                    },
                }
            }
            _ => match st.fault_around(&self.mem, &vma, page) {
                Ok(()) => FaultOutcome::Mapped,
                Err(Errno::ENOMEM) => FaultOutcome::OutOfMemory,
                Err(e) => {
                    // EFAULT is a page wholly past the end of its file: the guest's own
                    // error, not the kernel's.
                    if e != Errno::EFAULT {
                        log::warn!("fault at {page:#x} cannot be served: {e}");
                    }
                    FaultOutcome::Signal {
                        signo: SIGBUS,
                        code: BUS_ADRERR,
                    }
                }
            },
        }
    }

    /// Maps every page of `[start, end)` now (MAP_POPULATE), as faults would, one
    /// fault-around window at a time. Pages that cannot be had (past the end of a file,
    /// memory exhausted) are left to fault later, as Linux leaves them.
    ///
    /// The walk ends at the first window that cannot be had: the range may be up to
    /// 128 TiB, and going on would try billions of pages on one vCPU, with none free.
    /// PROT_NONE areas are skipped whole for the same reason.
    pub fn populate(&self, start: u64, end: u64) {
        let span = FAULT_AROUND_PAGES * PAGE_SIZE;
        let mut st = self.state.lock();
        let mut va = start;
        while va < end {
            let Some(vma) = st.vma_at(va).cloned() else {
                break;
            };
            if vma.prot == Prot::NONE {
                va = vma.end;
                continue;
            }
            if st.fault_around(&self.mem, &vma, va).is_err() {
                break;
            }
            va = (va / span + 1) * span;
        }
    }

    /// Maps the pages around `addr` now, as a fault there would: for what a new program
    /// is sure to touch first (its entry point, its data, its stack top). The host
    /// operations join the next stub run instead of costing a fault each.
    pub fn prefault(&self, addr: u64) {
        let mut st = self.state.lock();
        let Some(vma) = st.vma_at(addr).cloned() else {
            return;
        };
        if vma.prot != Prot::NONE {
            let _ = st.fault_around(&self.mem, &vma, page_down(addr));
        }
    }

    /// Writes back the dirty pages of the shared file areas in `[start, end)` (msync)
    /// and returns their files, for MS_SYNC to make durable. Pages no other address
    /// space maps become clean and are write-protected here, so that the next write
    /// marks them dirty again.
    pub fn sync_range(&self, start: u64, end: u64) -> KResult<Vec<Arc<dyn Inode>>> {
        let mut st = self.state.lock();
        let MmState {
            vmas,
            ptes,
            pending,
            ..
        } = &mut *st;

        let mut files: Vec<Arc<dyn Inode>> = Vec::new();
        let mut pages = Vec::new();
        let mut addrs = Vec::new();
        for (_, vma) in vmas.range(..end).filter(|(_, v)| v.end > start) {
            let Some((inode, _)) = vma.shared_file_page(vma.start) else {
                continue;
            };
            if !files.iter().any(|f| Arc::ptr_eq(f, inode)) {
                files.push(inode.clone());
            }
            for (&va, pte) in ptes.range(vma.start.max(start)..vma.end.min(end)) {
                if let Some((inode, index)) = vma.shared_file_page(va) {
                    pages.push((inode, index, pte.frame));
                    addrs.push(va);
                }
            }
        }

        let mut clean = Vec::new();
        let result = self.mem.write_back_mapped(&pages, |i| clean.push(addrs[i]));
        let mut run: Option<(u64, u64, Prot)> = None;
        for va in clean {
            let Some(pte) = ptes.get_mut(&va) else {
                continue;
            };
            let Some(ro) = pte.host.filter(|h| h.contains(Prot::WRITE)) else {
                continue;
            };
            let ro = ro.without(Prot::WRITE);
            pte.host = Some(ro);
            run = match run {
                Some((s, e, p)) if e == va && p == ro => Some((s, e + PAGE_SIZE, p)),
                other => {
                    push_protect(pending, other);
                    Some((va, va + PAGE_SIZE, ro))
                }
            };
        }
        push_protect(pending, run);
        result.map(|()| files)
    }

    /// Adds the frames of this space's shared anonymous pages to `out`, for Shmem in
    /// /proc/meminfo (a set, since a fork shares them with the child).
    pub fn shared_anon_frames(&self, out: &mut std::collections::HashSet<u64>) {
        let st = self.state.lock();
        for (_, vma) in st.vmas.iter() {
            if vma.shared && matches!(vma.backing, Backing::Anon) {
                out.extend(st.ptes.range(vma.start..vma.end).map(|(_, p)| p.frame.0));
            }
        }
    }

    /// Copies guest memory at `addr` into `buf`; EFAULT if any of it is not readable.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> KResult<()> {
        self.for_each_page(addr, buf.len(), false, |phys, at, n| {
            self.mem.physmem.read(phys, &mut buf[at..at + n]);
        })
    }

    /// Copies `data` into guest memory at `addr`; EFAULT if any of it is not writable.
    pub fn write(&self, addr: u64, data: &[u8]) -> KResult<()> {
        self.for_each_page(addr, data.len(), true, |phys, at, n| {
            self.mem.physmem.write(phys, &data[at..at + n]);
        })
    }

    /// Walks `len` bytes of guest memory from `addr` a page at a time, calling
    /// `f(physical offset, offset into the caller's buffer, bytes)` for each piece.
    fn for_each_page(
        &self,
        addr: u64,
        len: usize,
        write: bool,
        mut f: impl FnMut(u64, usize, usize),
    ) -> KResult<()> {
        let mut st = self.state.lock();
        let mut done = 0;

        while done < len {
            let va = addr.checked_add(done as u64).ok_or(Errno::EFAULT)?;
            let in_page = (PAGE_SIZE - va % PAGE_SIZE) as usize;
            let n = in_page.min(len - done);

            let frame = st.translate(&self.mem, va, write)?;
            f(frame.0 + va % PAGE_SIZE, done, n);
            done += n;
        }
        Ok(())
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the NUL);
    /// ENAMETOOLONG when there is no NUL within `max` bytes.
    pub fn read_cstr(&self, addr: u64, max: usize) -> KResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut va = addr;

        while out.len() < max {
            let in_page = (PAGE_SIZE - va % PAGE_SIZE) as usize;
            let mut chunk = vec![0; in_page.min(max - out.len())];
            self.read(va, &mut chunk)?;

            if let Some(nul) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
            va = va.checked_add(chunk.len() as u64).ok_or(Errno::EFAULT)?;
        }
        Err(Errno::ENAMETOOLONG)
    }

    /// The areas, in address order, for /proc/PID/maps and diagnostics.
    pub fn vmas(&self) -> Vec<Vma> {
        self.state.lock().vmas.values().cloned().collect()
    }

    /// Frames this address space holds.
    pub fn resident_pages(&self) -> usize {
        self.state.lock().ptes.len()
    }

    /// The most frames this address space has held at once, for `ru_maxrss`.
    pub fn peak_resident_pages(&self) -> usize {
        let st = self.state.lock();
        st.peak_pages.max(st.ptes.len())
    }

    /// The resident pages of `vma` as /proc/PID/smaps counts them. A page's map count is
    /// its frame's reference count, less the page cache's own reference for a file page
    /// still shared with the cache (in a shared file area, or one the guest may not
    /// write: the kernel copies a writable private file page at its first touch). Dirty
    /// means anonymous, or mapped writable on the host (a clean shared file page stays
    /// read-only until its first write).
    pub fn residency(&self, vma: &Vma) -> Residency {
        let st = self.state.lock();
        let cached = matches!(vma.backing, Backing::File { .. })
            && (vma.shared || vma.prot.0 & Prot::WRITE.0 == 0);

        let mut r = Residency::default();
        for pte in st.ptes.range(vma.start..vma.end).map(|(_, p)| p) {
            let refs = u64::from(self.mem.frames.refs(pte.frame));
            let maps = if cached { refs.saturating_sub(1) } else { refs }.max(1);
            let writable = pte.host.is_some_and(|h| h.0 & Prot::WRITE.0 != 0);
            let dirty = !cached || writable;

            r.pages += 1;
            r.pss_bytes += PAGE_SIZE / maps;
            if dirty {
                r.pss_dirty_bytes += PAGE_SIZE / maps;
            }
            if !cached {
                r.anon_pages += 1;
                r.pss_anon_bytes += PAGE_SIZE / maps;
            }
            match (maps > 1, dirty) {
                (true, false) => r.shared_clean += 1,
                (true, true) => r.shared_dirty += 1,
                (false, false) => r.private_clean += 1,
                (false, true) => r.private_dirty += 1,
            }
        }
        r
    }
}

/// The resident pages of one area, counted the way /proc/PID/smaps shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Residency {
    /// Resident pages (Rss).
    pub pages: u64,
    /// Proportional set size: each page divided by the number of its mappings.
    pub pss_bytes: u64,
    /// The dirty part of `pss_bytes`.
    pub pss_dirty_bytes: u64,
    /// The anonymous part of `pss_bytes`.
    pub pss_anon_bytes: u64,
    /// Pages mapped elsewhere too and unchanged from their file.
    pub shared_clean: u64,
    /// Pages mapped elsewhere too that are anonymous or changed.
    pub shared_dirty: u64,
    /// Pages mapped only here and unchanged from their file.
    pub private_clean: u64,
    /// Pages mapped only here that are anonymous or changed.
    pub private_dirty: u64,
    /// Anonymous pages (private copies included).
    pub anon_pages: u64,
}

impl std::ops::AddAssign for Residency {
    fn add_assign(&mut self, o: Residency) {
        self.pages += o.pages;
        self.pss_bytes += o.pss_bytes;
        self.pss_dirty_bytes += o.pss_dirty_bytes;
        self.pss_anon_bytes += o.pss_anon_bytes;
        self.shared_clean += o.shared_clean;
        self.shared_dirty += o.shared_dirty;
        self.private_clean += o.private_clean;
        self.private_dirty += o.private_dirty;
        self.anon_pages += o.anon_pages;
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        self.stub.kill();

        let st = self.state.get_mut();
        let pages = std::mem::take(&mut st.ptes)
            .into_iter()
            .map(|(p, e)| (p, e.frame))
            .collect();
        release_pages(&self.mem, &st.vmas, pages);
        self.mem.frames.put(self.orders);
    }
}

/// Gives back the frames of `pages` (address, frame), which areas of `vmas` mapped. A
/// shared file page goes back through the page cache, which writes it back when this was
/// its last mapping.
fn release_pages(mem: &Memory, vmas: &BTreeMap<u64, Vma>, pages: Vec<(u64, PhysAddr)>) {
    let mut file_pages = Vec::new();
    for (page, frame) in pages {
        let slot = vmas
            .range(..=page)
            .next_back()
            .filter(|(_, v)| page < v.end)
            .and_then(|(_, v)| v.shared_file_page(page));
        match slot {
            Some((inode, index)) => file_pages.push((inode, index, frame)),
            None => mem.frames.put(frame),
        }
    }
    if !file_pages.is_empty() {
        mem.release_file_pages(&file_pages);
    }
}

/// The guard gap mmap leaves below `vma`.
fn guard_gap(vma: &Vma) -> u64 {
    if vma.grows_down {
        STACK_GUARD_GAP
    } else {
        0
    }
}

fn push_protect(pending: &mut Vec<MapOp>, run: Option<(u64, u64, Prot)>) {
    if let Some((start, end, prot)) = run {
        pending.push(MapOp::Protect {
            addr: start,
            len: end - start,
            prot: prot.0,
        });
    }
}

/// The thread a failed stub run hands back, if it still lives.
fn refused_thread(e: StubError) -> Option<Stopped> {
    match e {
        StubError::Refused { stopped, .. } => Some(stopped),
        _ => None,
    }
}

const SIGBUS: i32 = 7;
const SIGSEGV: i32 = 11;

fn segv(code: i32) -> FaultOutcome {
    FaultOutcome::Signal {
        signo: SIGSEGV,
        code,
    }
}

impl MmState {
    fn vma_at(&self, addr: u64) -> Option<&Vma> {
        let (_, vma) = self.vmas.range(..=addr).next_back()?;
        (addr < vma.end).then_some(vma)
    }

    fn range_is_free(&self, start: u64, end: u64) -> bool {
        let before = self.vmas.range(..end).next_back();
        before.is_none_or(|(_, v)| v.end <= start)
    }

    fn range_is_covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.vma_at(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        true
    }

    /// The highest free range of `len` bytes that ends at or below `top`, outside the
    /// guard gaps below MAP_GROWSDOWN areas.
    fn free_below(&self, top: u64, len: u64) -> Option<u64> {
        let mut end = top;
        for (_, vma) in self.vmas.range(..top).rev() {
            if vma.end <= end && end - vma.end >= len {
                return Some(end - len);
            }
            end = end.min(vma.start.saturating_sub(guard_gap(vma)));
        }
        (end >= len + PAGE_SIZE * 16).then(|| end - len)
    }

    /// Whether a range ending at `end` would reach into the guard gap below a
    /// MAP_GROWSDOWN area (Linux's `vm_start_gap`), where mmap places nothing.
    fn in_guard_gap(&self, end: u64) -> bool {
        self.vmas
            .range(end..)
            .next()
            .is_some_and(|(_, v)| end > v.start.saturating_sub(guard_gap(v)))
    }

    /// A fault at `addr`, which no area covers: grows the MAP_GROWSDOWN area just above
    /// it down to it, as Linux's expand_stack does, and returns the grown area. `None`
    /// (a SIGSEGV) when there is no such area, when the area would pass the stack limit,
    /// or when less than the guard gap would stay free above an accessible area below.
    fn grow_down(&mut self, addr: u64) -> Option<Vma> {
        let (&start, vma) = self.vmas.range(addr..).next()?;
        let new_start = page_down(addr);
        if !vma.grows_down
            || !matches!(vma.backing, Backing::Anon)
            || new_start < MMAP_MIN_ADDR
            || vma.end - new_start > STACK_BYTES
        {
            return None;
        }
        if let Some((_, prev)) = self.vmas.range(..start).next_back() {
            let guarded = !prev.grows_down && prev.prot != Prot::NONE;
            if guarded && new_start - prev.end < STACK_GUARD_GAP {
                return None;
            }
        }

        let mut vma = self.vmas.remove(&start)?;
        vma.start = new_start;
        self.vmas.insert(new_start, vma.clone());
        Some(vma)
    }

    /// Splits the area containing `at` so that an area starts exactly there.
    fn split_at(&mut self, at: u64) {
        let Some((&start, vma)) = self.vmas.range_mut(..at).next_back() else {
            return;
        };
        if start < at && at < vma.end {
            let tail = vma.split_off(at);
            self.vmas.insert(at, tail);
        }
    }

    fn unmap(&mut self, mem: &Memory, start: u64, end: u64) {
        self.split_at(start);
        self.split_at(end);

        let starts: Vec<u64> = self.vmas.range(start..end).map(|(&s, _)| s).collect();
        let mut removed = BTreeMap::new();
        for s in starts {
            if let Some(v) = self.vmas.remove(&s) {
                removed.insert(s, v);
            }
        }

        let host_mapped = self.ptes.range(start..end).any(|(_, p)| p.host.is_some());
        let pages = self.take_ptes(start, end);
        release_pages(mem, &removed, pages);
        if host_mapped {
            self.pending.push(MapOp::Unmap {
                addr: start,
                len: end - start,
            });
        }
    }

    /// Takes the entries of `[start, end)` out of the page table: (address, frame), whose
    /// references the caller now owns.
    fn take_ptes(&mut self, start: u64, end: u64) -> Vec<(u64, PhysAddr)> {
        self.peak_pages = self.peak_pages.max(self.ptes.len());
        let pages: Vec<u64> = self.ptes.range(start..end).map(|(&p, _)| p).collect();
        pages
            .into_iter()
            .filter_map(|p| self.ptes.remove(&p).map(|e| (p, e.frame)))
            .collect()
    }

    /// Brings the host mappings of `[start, end)` in line with a new protection. Taking
    /// rights away is done in place (a program's RELRO after start-up would otherwise
    /// fault again). Mappings that would gain a right other than write are dropped and
    /// come back at the next fault; write is never added here, so that copy-on-write and
    /// dirty tracking keep seeing the first write.
    fn reprotect_host_mappings(&mut self, start: u64, end: u64, prot: Prot) {
        let mut runs: Vec<(u64, u64, Prot)> = Vec::new();
        for (&va, pte) in self.ptes.range(start..end) {
            let Some(host) = pte.host else { continue };
            if prot.0 & !host.0 & !Prot::WRITE.0 != 0 {
                self.drop_host_mappings(start, end);
                return;
            }
            let new = Prot(host.0 & prot.0);
            if new == host {
                continue;
            }
            match runs.last_mut() {
                Some((at, len, p)) if *at + *len == va && *p == new => *len += PAGE_SIZE,
                _ => runs.push((va, PAGE_SIZE, new)),
            }
        }

        for (addr, len, new) in runs {
            for (_, pte) in self.ptes.range_mut(addr..addr + len) {
                pte.host = Some(new);
            }
            self.pending.push(MapOp::Protect {
                addr,
                len,
                prot: new.0,
            });
        }
    }

    fn drop_host_mappings(&mut self, start: u64, end: u64) {
        let mut any = false;
        for (_, pte) in self.ptes.range_mut(start..end) {
            any |= pte.host.take().is_some();
        }
        if any {
            self.pending.push(MapOp::Unmap {
                addr: start,
                len: end - start,
            });
        }
    }

    /// The frame behind `va` for a kernel access, filling the page if the guest has not
    /// touched it yet. EFAULT where the guest itself could not make the access.
    fn translate(&mut self, mem: &Memory, va: u64, write: bool) -> KResult<PhysAddr> {
        let vma = self.vma_at(va).ok_or(Errno::EFAULT)?.clone();
        let allowed = if write {
            vma.prot.contains(Prot::WRITE)
        } else {
            vma.prot != Prot::NONE
        };
        if !allowed {
            return Err(Errno::EFAULT);
        }

        let page = page_down(va);
        if let std::collections::btree_map::Entry::Vacant(e) = self.ptes.entry(page) {
            let frame = page_frame(mem, &vma, page)?;
            e.insert(Pte { frame, host: None });
        }

        if write {
            let before = self.ptes[&page].frame;
            let frame = self.make_writable(mem, page)?;
            if let Some((inode, index)) = vma.shared_file_page(page) {
                mem.mark_dirty(inode, &[(index, frame)]);
            }

            // The host still maps the shared frame; point it at the private copy.
            let host = self.ptes.get(&page).and_then(|p| p.host);
            if frame != before && host.is_some() {
                self.set_host(page, frame, vma.prot);
            }
            return Ok(frame);
        }
        Ok(self.ptes[&page].frame)
    }

    /// Gives `page` a frame of its own (copy-on-write), returning it. Pages of shared
    /// areas keep their frame: every mapper writes the same memory.
    fn make_writable(&mut self, mem: &Memory, page: u64) -> KResult<PhysAddr> {
        let pte = self.ptes.get(&page).copied().ok_or(Errno::EFAULT)?;
        let shared = self.vma_at(page).is_some_and(|v| v.shared);
        if shared || mem.frames.refs(pte.frame) == 1 {
            return Ok(pte.frame);
        }

        let copy = mem.alloc_frame()?;
        mem.physmem.copy(pte.frame.0, copy.0, PAGE_SIZE as usize);
        mem.frames.put(pte.frame);
        self.ptes.insert(
            page,
            Pte {
                frame: copy,
                host: pte.host,
            },
        );
        Ok(copy)
    }

    fn set_host(&mut self, page: u64, frame: PhysAddr, prot: Prot) {
        if let Some(pte) = self.ptes.get_mut(&page) {
            pte.host = Some(prot);
        }
        self.pending.push(MapOp::Map {
            addr: page,
            len: PAGE_SIZE,
            prot: prot.0,
            phys_off: frame.0,
        });
    }

    /// Fills and host-maps the pages of `vma` around `page` that the host lacks; the
    /// error is that of `page` itself (its neighbours are only a guess).
    fn fault_around(&mut self, mem: &Memory, vma: &Vma, page: u64) -> KResult<()> {
        let file = matches!(vma.backing, Backing::File { .. });
        let pages = if file && !vma.prot.contains(Prot::WRITE) {
            TEXT_FAULT_AROUND_PAGES
        } else {
            FAULT_AROUND_PAGES
        };
        // A private writable file page (a program's data) is about to be written, most
        // likely: copying it now saves the copy-on-write fault that would follow.
        let privatize = file && !vma.shared && vma.prot.contains(Prot::WRITE);
        let span = pages * PAGE_SIZE;
        let lo = (page / span * span).max(vma.start);
        let hi = (page / span * span + span).min(vma.end);

        let mut run: Option<(u64, PhysAddr, u64, Prot)> = None;
        let mut va = lo;
        while va < hi {
            let pte = match self.ensure_page(mem, vma, va) {
                Ok(p) if privatize && p.host.is_none() && mem.frames.refs(p.frame) > 1 => {
                    match self.make_writable(mem, va) {
                        Ok(frame) => Pte { frame, host: None },
                        Err(_) => p,
                    }
                }
                Ok(p) => p,
                Err(e) if va == page => {
                    self.flush_run(run.take());
                    return Err(e);
                }
                Err(_) => {
                    // A neighbour is only a guess; the guest may never touch it.
                    self.flush_run(run.take());
                    va += PAGE_SIZE;
                    continue;
                }
            };
            if pte.host.is_some() {
                self.flush_run(run.take());
                va += PAGE_SIZE;
                continue;
            }

            // A frame shared copy-on-write is mapped read-only so that a write faults and
            // copies it; so is a shared file page, so that its first write faults and
            // marks it dirty.
            let read_only = if vma.shared {
                vma.shared_file_page(va).is_some()
            } else {
                mem.frames.refs(pte.frame) > 1
            };
            let prot = if read_only {
                vma.prot.without(Prot::WRITE)
            } else {
                vma.prot
            };
            if let Some(p) = self.ptes.get_mut(&va) {
                p.host = Some(prot);
            }

            run = match run {
                Some((start, f, n, p)) if f.add_frames(n) == pte.frame && p == prot => {
                    Some((start, f, n + 1, p))
                }
                other => {
                    self.flush_run(other);
                    Some((va, pte.frame, 1, prot))
                }
            };
            va += PAGE_SIZE;
        }
        self.flush_run(run);
        Ok(())
    }

    /// A write fault on `page` of a shared file area, whose clean pages are mapped
    /// read-only so that the first write is seen: marks it dirty and maps it writable,
    /// with the neighbours the host maps read-only (so that a sequential writer faults
    /// once per window, not once per page).
    fn dirty_around(&mut self, mem: &Memory, vma: &Vma, page: u64) {
        let Some((inode, _)) = vma.shared_file_page(page) else {
            return;
        };
        let span = FAULT_AROUND_PAGES * PAGE_SIZE;
        let lo = (page / span * span).max(vma.start);
        let hi = (page / span * span + span).min(vma.end);

        let mut dirty = Vec::new();
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for (&va, pte) in self.ptes.range_mut(lo..hi) {
            if pte.host.is_none_or(|h| h.contains(Prot::WRITE)) {
                continue;
            }
            pte.host = Some(vma.prot);
            if let Some((_, index)) = vma.shared_file_page(va) {
                dirty.push((index, pte.frame));
            }
            match runs.last_mut() {
                Some((_, end)) if *end == va => *end += PAGE_SIZE,
                _ => runs.push((va, va + PAGE_SIZE)),
            }
        }
        // Dirty before the host maps them writable: the orders run after this returns.
        mem.mark_dirty(inode, &dirty);
        for (start, end) in runs {
            push_protect(&mut self.pending, Some((start, end, vma.prot)));
        }
    }

    /// After a write fault on `page`: neighbours that were write-protected for a fork
    /// but are this space's alone again (the child exited or exec'd) get write access
    /// back in one go, instead of one fault each.
    fn unprotect_around(&mut self, mem: &Memory, vma: &Vma, page: u64) {
        if vma.shared {
            return;
        }
        let span = FAULT_AROUND_PAGES * PAGE_SIZE;
        let lo = (page / span * span).max(vma.start);
        let hi = (page / span * span + span).min(vma.end);

        let mut run: Option<(u64, u64)> = None;
        let mut ops = Vec::new();
        for (&va, pte) in self.ptes.range_mut(lo..hi) {
            let upgrade = va != page
                && pte.host.is_some_and(|h| !h.contains(Prot::WRITE))
                && mem.frames.refs(pte.frame) == 1;
            if !upgrade {
                continue;
            }
            pte.host = Some(vma.prot);
            run = match run {
                Some((start, end)) if end == va => Some((start, va + PAGE_SIZE)),
                Some(r) => {
                    ops.push(r);
                    Some((va, va + PAGE_SIZE))
                }
                None => Some((va, va + PAGE_SIZE)),
            };
        }
        ops.extend(run);
        for (start, end) in ops {
            self.pending.push(MapOp::Protect {
                addr: start,
                len: end - start,
                prot: vma.prot.0,
            });
        }
    }

    fn flush_run(&mut self, run: Option<(u64, PhysAddr, u64, Prot)>) {
        if let Some((addr, frame, n, prot)) = run {
            log::trace!("map run {addr:#x} {n} pages");
            let len = n * PAGE_SIZE;
            self.pending.push(MapOp::Map {
                addr,
                len,
                prot: prot.0,
                phys_off: frame.0,
            });
        }
    }

    /// The entry for `va`, filling a frame for it if there is none.
    fn ensure_page(&mut self, mem: &Memory, vma: &Vma, va: u64) -> KResult<Pte> {
        if let Some(pte) = self.ptes.get(&va) {
            return Ok(*pte);
        }

        let frame = page_frame(mem, vma, va)?;
        let pte = Pte { frame, host: None };
        self.ptes.insert(va, pte);
        Ok(pte)
    }
}

/// A frame with the first contents of page `va` of `vma`, owned by the caller: a fresh
/// one, or a page-cache frame shared with other mappings of the same file page (which a
/// private area maps read-only, so that a write copies it).
fn page_frame(mem: &Memory, vma: &Vma, va: u64) -> KResult<PhysAddr> {
    if let Backing::File {
        inode,
        offset,
        file_len,
        ..
    } = &vma.backing
    {
        let rel = va - vma.start;
        // Only a page wholly inside the mapped file bytes is the file's page as is.
        if rel + PAGE_SIZE <= *file_len && (offset + rel).is_multiple_of(PAGE_SIZE) {
            let index = (offset + rel) / PAGE_SIZE;
            return mem.file_page(inode, index, |f| fill_page(mem, vma, va, f));
        }
    }

    let frame = mem.alloc_frame()?;
    if let Err(e) = fill_page(mem, vma, va, frame) {
        mem.frames.put(frame);
        return Err(e);
    }
    Ok(frame)
}

/// Gives a fresh frame the first contents of page `va` of `vma`.
fn fill_page(mem: &Memory, vma: &Vma, va: u64, frame: PhysAddr) -> KResult<()> {
    let Backing::File {
        inode,
        offset,
        file_len,
        ..
    } = &vma.backing
    else {
        mem.physmem.zero(frame.0, PAGE_SIZE as usize);
        return Ok(());
    };

    let rel = va - vma.start;
    let want = file_len.saturating_sub(rel).min(PAGE_SIZE) as usize;
    let mut buf = vec![0u8; PAGE_SIZE as usize];
    let mut got = 0;
    while got < want {
        let n = inode.read_at(offset + rel + got as u64, &mut buf[got..want])?;
        if n == 0 {
            break;
        }
        got += n;
    }

    // A page wholly past the end of the file: SIGBUS for the guest, as on Linux, and
    // EFAULT for a kernel access.
    if got == 0 && want > 0 {
        return Err(Errno::EFAULT);
    }
    mem.physmem.write(frame.0, &buf);
    Ok(())
}
