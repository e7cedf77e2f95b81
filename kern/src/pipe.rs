//! Pipes: a bounded byte queue between a read end and a write end.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::errno::{Errno, KResult};
use crate::waitq::WaitQueue;

/// A page: pipe capacities are whole numbers of them, as Linux's ring of page buffers.
const PAGE: usize = 4096;
/// Capacity of a new pipe (Linux's default of 16 pages).
pub const PIPE_DEFAULT_CAPACITY: usize = 16 * PAGE;
/// Largest capacity F_SETPIPE_SZ grants without CAP_SYS_RESOURCE: the default of
/// Linux's /proc/sys/fs/pipe-max-size, which is fixed here.
pub const PIPE_MAX_SIZE: usize = 1 << 20;
/// Largest capacity anyone may ask for (Linux's round_pipe_size limit).
const PIPE_SIZE_LIMIT: usize = 1 << 31;
/// Writes up to this size are atomic (PIPE_BUF).
pub const PIPE_BUF: usize = 4096;

/// poll(2) event bits.
pub mod events {
    /// Data to read.
    pub const POLLIN: u16 = 0x1;
    /// Urgent data.
    pub const POLLPRI: u16 = 0x2;
    /// Room to write.
    pub const POLLOUT: u16 = 0x4;
    /// Error (the read end is gone).
    pub const POLLERR: u16 = 0x8;
    /// Hang-up (the write end is gone).
    pub const POLLHUP: u16 = 0x10;
    /// Not an open descriptor.
    pub const POLLNVAL: u16 = 0x20;
    /// Normal data to read.
    pub const POLLRDNORM: u16 = 0x40;
    /// Room to write normal data.
    pub const POLLWRNORM: u16 = 0x100;
}

struct PipeState {
    buf: VecDeque<u8>,
    /// Most bytes `buf` may hold: a power-of-two number of pages (F_SETPIPE_SZ).
    capacity: usize,
    readers: usize,
    writers: usize,
    /// Read ends ever opened, as Linux's `r_counter`: a FIFO writer waiting for a reader
    /// goes on once this moves, even if that reader has closed again by then.
    reader_opens: u64,
    /// Write ends ever opened (`w_counter`), the same for a waiting reader.
    writer_opens: u64,
}

impl PipeState {
    fn new(ends: usize) -> PipeState {
        PipeState {
            buf: VecDeque::new(),
            capacity: PIPE_DEFAULT_CAPACITY,
            readers: ends,
            writers: ends,
            reader_opens: ends as u64,
            writer_opens: ends as u64,
        }
    }

    /// Opens of the other side's ends, as an end `write` sees them.
    fn partner_opens(&self, write: bool) -> u64 {
        if write {
            self.reader_opens
        } else {
            self.writer_opens
        }
    }

    /// Open ends of the other side.
    fn partners(&self, write: bool) -> usize {
        if write {
            self.readers
        } else {
            self.writers
        }
    }
}

/// A pipe, shared by its two ends.
pub struct Pipe {
    /// The bytes in flight and the count of open ends.
    state: Mutex<PipeState>,
    /// Tasks waiting for data, or for the last writer to go.
    pub read_wait: WaitQueue,
    /// Tasks waiting for room, or for the last reader to go.
    pub write_wait: WaitQueue,
    /// The named FIFO this pipe is behind, held while the pipe lives: every open of the
    /// FIFO meanwhile finds this inode, whose address is its key in the kernel's FIFO
    /// table (Kernel::fifo_pipe). It goes with the last end, so an unlinked FIFO is
    /// freed at its last close.
    _fifo: Option<Arc<dyn crate::fs::Inode>>,
}

/// One end of a pipe; the end closes when this is dropped (with its open file).
pub struct PipeEnd {
    /// The pipe.
    pub pipe: Arc<Pipe>,
    /// Whether this is the write end.
    pub write: bool,
    /// A FIFO opened O_RDWR: a write end that also counts as a reader.
    pub read_too: bool,
    /// When the end opened with no end of the other side open: how many such ends had
    /// been opened by then. A blocking FIFO open waits until that count moves, and a read
    /// end shows no POLLHUP before it has (Linux's `f_pipe`).
    alone_at: Option<u64>,
}

/// What a write managed.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// This many bytes went in.
    Wrote(usize),
    /// No room now: wait on `write_wait`.
    Full,
    /// No reader: EPIPE, with SIGPIPE to the writer.
    Broken,
}

impl Pipe {
    /// A new pipe and its read and write ends.
    pub fn new() -> (PipeEnd, PipeEnd) {
        let pipe = Arc::new(Pipe::with_ends(1));
        let end = |write| PipeEnd {
            pipe: pipe.clone(),
            write,
            read_too: false,
            alone_at: None,
        };
        (end(false), end(true))
    }

    /// A pipe for the named FIFO `fifo`: no ends open until someone opens one.
    pub fn new_fifo(fifo: Option<Arc<dyn crate::fs::Inode>>) -> Arc<Pipe> {
        Arc::new(Pipe {
            _fifo: fifo,
            ..Pipe::with_ends(0)
        })
    }

    fn with_ends(ends: usize) -> Pipe {
        Pipe {
            state: Mutex::new(PipeState::new(ends)),
            read_wait: WaitQueue::default(),
            write_wait: WaitQueue::default(),
            _fifo: None,
        }
    }

    /// Opens one more end of a FIFO (both, for O_RDWR) and wakes those waiting for a
    /// partner.
    pub fn open_end(self: &Arc<Pipe>, write: bool, read_too: bool) -> PipeEnd {
        let mut st = self.state.lock();
        if write {
            st.writers += 1;
            st.writer_opens += 1;
        }
        if !write || read_too {
            st.readers += 1;
            st.reader_opens += 1;
        }
        let alone_at = (st.partners(write) == 0).then(|| st.partner_opens(write));
        drop(st);

        self.read_wait.wake_all();
        self.write_wait.wake_all();
        PipeEnd {
            pipe: self.clone(),
            write,
            read_too,
            alone_at,
        }
    }

    /// Whether the other side of a FIFO has an end open: a reader for a writer, a
    /// writer for a reader.
    pub fn has_partner(&self, write: bool) -> bool {
        self.state.lock().partners(write) > 0
    }

    /// Takes up to `max` bytes: empty at end of file, EAGAIN when empty but a writer
    /// remains.
    pub fn read(&self, max: usize) -> KResult<Vec<u8>> {
        let mut st = self.state.lock();
        if st.buf.is_empty() {
            return if st.writers == 0 {
                Ok(Vec::new())
            } else {
                Err(Errno::EAGAIN)
            };
        }

        let n = max.min(st.buf.len());
        let data = st.buf.drain(..n).collect();
        drop(st);
        self.write_wait.wake_all();
        Ok(data)
    }

    /// The capacity in bytes (F_GETPIPE_SZ).
    pub fn capacity(&self) -> usize {
        self.state.lock().capacity
    }

    /// F_SETPIPE_SZ: rounds `size` up to a power-of-two number of pages (one at least),
    /// and makes that the capacity, which it returns. EINVAL past 2 GiB; EPERM for a
    /// growth past PIPE_MAX_SIZE unless `privileged` (CAP_SYS_RESOURCE); EBUSY when the
    /// bytes in the pipe would not fit, counted in pages as Linux's ring slots.
    ///
    /// Linux's per-user limits (pipe-user-pages-soft and -hard) are not kept.
    pub fn set_capacity(&self, size: usize, privileged: bool) -> KResult<usize> {
        if size > PIPE_SIZE_LIMIT {
            return Err(Errno::EINVAL);
        }
        let new = size.max(PAGE).next_power_of_two();

        let mut st = self.state.lock();
        if new > st.capacity && new > PIPE_MAX_SIZE && !privileged {
            return Err(Errno::EPERM);
        }
        if new < st.buf.len().next_multiple_of(PAGE) {
            return Err(Errno::EBUSY);
        }
        st.capacity = new;
        drop(st);

        // More room may let a waiting writer in.
        self.write_wait.wake_all();
        Ok(new)
    }

    /// Writes from `data`; `total` is the whole request's size, which decides whether
    /// it must go in at once (up to PIPE_BUF bytes) or may go in parts.
    pub fn write(&self, data: &[u8], total: usize) -> WriteOutcome {
        let mut st = self.state.lock();
        if st.readers == 0 {
            return WriteOutcome::Broken;
        }

        let room = st.capacity.saturating_sub(st.buf.len());
        let n = if total <= PIPE_BUF {
            if room < data.len() {
                return WriteOutcome::Full;
            }
            data.len()
        } else {
            room.min(data.len())
        };
        if n == 0 && !data.is_empty() {
            return WriteOutcome::Full;
        }

        st.buf.extend(&data[..n]);
        drop(st);
        self.read_wait.wake_all();
        WriteOutcome::Wrote(n)
    }

    /// Bytes waiting to be read (FIONREAD).
    pub fn available(&self) -> usize {
        self.state.lock().buf.len()
    }
}

impl PipeEnd {
    /// Whether the other side has had an end open since this end opened, for a
    /// blocking FIFO open: one that came and went while this one waited counts.
    pub fn partner_came(&self) -> bool {
        let st = self.pipe.state.lock();
        self.alone_at
            .is_none_or(|n| st.partner_opens(self.write) != n)
    }

    /// Whether this end reads: a read end, or a FIFO opened O_RDWR.
    pub fn reads(&self) -> bool {
        !self.write || self.read_too
    }

    /// poll(2) events for this end, as Linux's pipe_poll.
    pub fn poll(&self) -> u16 {
        use events::*;

        let st = self.pipe.state.lock();
        let mut ev = 0;
        if self.reads() {
            if !st.buf.is_empty() {
                ev |= POLLIN | POLLRDNORM;
            }
            // A FIFO reader that opened alone hangs up only after a writer came.
            let writer_came = self.alone_at.is_none_or(|n| st.writer_opens != n);
            if st.writers == 0 && writer_came {
                ev |= POLLHUP;
            }
        }
        if self.write {
            if st.buf.len() + PIPE_BUF <= st.capacity {
                ev |= POLLOUT | POLLWRNORM;
            }
            if st.readers == 0 {
                ev |= POLLERR;
            }
        }
        ev
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut st = self.pipe.state.lock();
        if self.write {
            st.writers -= 1;
        }
        if !self.write || self.read_too {
            st.readers -= 1;
        }
        drop(st);

        // Readers see end of file, writers see a broken pipe.
        self.pipe.read_wait.wake_all();
        self.pipe.write_wait.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_flow_and_eof_follows_the_last_writer() {
        let (r, w) = Pipe::new();
        assert_eq!(w.pipe.write(b"hello", 5), WriteOutcome::Wrote(5));

        assert_eq!(r.pipe.read(8), Ok(b"hello".to_vec()));
        assert_eq!(r.pipe.read(8), Err(Errno::EAGAIN));

        drop(w);
        assert_eq!(r.pipe.read(8), Ok(Vec::new()));
    }

    #[test]
    fn small_writes_are_atomic_and_large_ones_split() {
        let (r, w) = Pipe::new();
        let big = vec![7u8; PIPE_DEFAULT_CAPACITY - 10];
        assert_eq!(
            w.pipe.write(&big, big.len()),
            WriteOutcome::Wrote(big.len())
        );
        assert_eq!(w.pipe.write(&[1; 100], 100), WriteOutcome::Full);
        assert_eq!(w.pipe.write(&[1; 100], 100_000), WriteOutcome::Wrote(10));

        drop(r);
        assert_eq!(w.pipe.write(b"x", 1), WriteOutcome::Broken);
    }

    #[test]
    fn capacity_rounds_to_power_of_two_pages_and_bounds_writes() {
        let (r, w) = Pipe::new();
        let p = &w.pipe;
        assert_eq!(p.capacity(), PIPE_DEFAULT_CAPACITY);
        assert_eq!(p.set_capacity(0, false), Ok(PAGE));
        assert_eq!(p.set_capacity(3 * PAGE, false), Ok(4 * PAGE));
        assert_eq!(
            p.set_capacity(PIPE_SIZE_LIMIT + 1, true),
            Err(Errno::EINVAL)
        );
        assert_eq!(p.set_capacity(PIPE_MAX_SIZE + 1, false), Err(Errno::EPERM));
        assert_eq!(
            p.set_capacity(PIPE_MAX_SIZE + 1, true),
            Ok(2 * PIPE_MAX_SIZE)
        );
        assert_eq!(p.set_capacity(2 * PAGE, false), Ok(2 * PAGE));

        let big = vec![1u8; 3 * PAGE];
        assert_eq!(p.write(&big, big.len()), WriteOutcome::Wrote(2 * PAGE));
        assert_eq!(p.write(&big, big.len()), WriteOutcome::Full);
        assert_eq!(w.poll() & events::POLLOUT, 0);

        // What the pipe holds, in pages, must still fit.
        assert_eq!(p.set_capacity(PAGE, false), Err(Errno::EBUSY));
        assert_eq!(r.pipe.read(PAGE + 1).map(|d| d.len()), Ok(PAGE + 1));
        assert_eq!(p.set_capacity(PAGE, false), Ok(PAGE));
    }

    #[test]
    fn a_fifo_end_sees_a_partner_that_came_and_went() {
        let fifo = Pipe::new_fifo(None);
        let reader = fifo.open_end(false, false);
        assert!(!reader.partner_came());
        assert_eq!(reader.poll() & events::POLLHUP, 0);

        drop(fifo.open_end(true, false));
        assert!(reader.partner_came());
        assert_ne!(reader.poll() & events::POLLHUP, 0);

        // A writer that finds a reader open does not wait.
        let writer = fifo.open_end(true, false);
        assert!(writer.partner_came());
        drop(reader);
        assert_ne!(writer.poll() & events::POLLERR, 0);
    }

    #[test]
    fn an_o_rdwr_fifo_end_polls_as_both_ends() {
        let fifo = Pipe::new_fifo(None);
        let rw = fifo.open_end(true, true);
        assert!(rw.partner_came());
        assert_eq!(fifo.write(b"x", 1), WriteOutcome::Wrote(1));
        let ev = rw.poll();
        assert_eq!(
            ev & (events::POLLIN | events::POLLOUT),
            events::POLLIN | events::POLLOUT
        );
        assert_eq!(ev & (events::POLLHUP | events::POLLERR), 0);
    }
}
