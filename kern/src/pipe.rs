//! Pipes: a bounded byte queue between a read end and a write end.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::errno::{Errno, KResult};
use crate::waitq::WaitQueue;

/// Capacity of a pipe (Linux's default of 16 pages).
pub const PIPE_CAPACITY: usize = 16 * 4096;
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
    readers: usize,
    writers: usize,
}

/// A pipe, shared by its two ends.
pub struct Pipe {
    /// The bytes in flight and the count of open ends.
    state: Mutex<PipeState>,
    /// Tasks waiting for data, or for the last writer to go.
    pub read_wait: WaitQueue,
    /// Tasks waiting for room, or for the last reader to go.
    pub write_wait: WaitQueue,
}

/// One end of a pipe; the end closes when this is dropped (with its open file).
pub struct PipeEnd {
    /// The pipe.
    pub pipe: Arc<Pipe>,
    /// Whether this is the write end.
    pub write: bool,
    /// A FIFO opened O_RDWR: a write end that also counts as a reader.
    pub read_too: bool,
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
        let pipe = Arc::new(Pipe {
            state: Mutex::new(PipeState {
                buf: VecDeque::new(),
                readers: 1,
                writers: 1,
            }),
            read_wait: WaitQueue::default(),
            write_wait: WaitQueue::default(),
        });
        let r = PipeEnd {
            pipe: pipe.clone(),
            write: false,
            read_too: false,
        };
        (
            r,
            PipeEnd {
                pipe,
                write: true,
                read_too: false,
            },
        )
    }

    /// A pipe for a named FIFO: no ends open until someone opens one.
    pub fn new_fifo() -> Arc<Pipe> {
        Arc::new(Pipe {
            state: Mutex::new(PipeState {
                buf: VecDeque::new(),
                readers: 0,
                writers: 0,
            }),
            read_wait: WaitQueue::default(),
            write_wait: WaitQueue::default(),
        })
    }

    /// Opens one more end of a FIFO (both, for O_RDWR) and wakes those waiting for a
    /// partner.
    pub fn open_end(self: &Arc<Pipe>, write: bool, read_too: bool) -> PipeEnd {
        let mut st = self.state.lock();
        if write {
            st.writers += 1;
        }
        if !write || read_too {
            st.readers += 1;
        }
        drop(st);

        self.read_wait.wake_all();
        self.write_wait.wake_all();
        PipeEnd {
            pipe: self.clone(),
            write,
            read_too,
        }
    }

    /// Whether the other side of a FIFO has an end open: a reader for a writer, a
    /// writer for a reader.
    pub fn has_partner(&self, write: bool) -> bool {
        let st = self.state.lock();
        if write {
            st.readers > 0
        } else {
            st.writers > 0
        }
    }

    /// Reads up to `buf.len()` bytes: Ok(0) at end of file, EAGAIN when empty but a
    /// writer remains.
    pub fn read(&self, buf: &mut [u8]) -> KResult<usize> {
        let mut st = self.state.lock();
        if st.buf.is_empty() {
            return if st.writers == 0 {
                Ok(0)
            } else {
                Err(Errno::EAGAIN)
            };
        }

        let n = buf.len().min(st.buf.len());
        for (dst, src) in buf.iter_mut().zip(st.buf.drain(..n)) {
            *dst = src;
        }
        drop(st);
        self.write_wait.wake_all();
        Ok(n)
    }

    /// Writes from `data`; `total` is the whole request's size, which decides whether
    /// it must go in at once (up to PIPE_BUF bytes) or may go in parts.
    pub fn write(&self, data: &[u8], total: usize) -> WriteOutcome {
        let mut st = self.state.lock();
        if st.readers == 0 {
            return WriteOutcome::Broken;
        }

        let room = PIPE_CAPACITY - st.buf.len();
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

    /// poll(2) events for the end `write`.
    pub fn poll(&self, write: bool) -> u16 {
        use events::*;

        let st = self.state.lock();
        if write {
            let mut ev = 0;
            if st.buf.len() + PIPE_BUF <= PIPE_CAPACITY {
                ev |= POLLOUT | POLLWRNORM;
            }
            if st.readers == 0 {
                ev |= POLLERR;
            }
            ev
        } else {
            let mut ev = 0;
            if !st.buf.is_empty() {
                ev |= POLLIN | POLLRDNORM;
            }
            if st.writers == 0 {
                ev |= POLLHUP;
            }
            ev
        }
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

        let mut buf = [0; 8];
        assert_eq!(r.pipe.read(&mut buf), Ok(5));
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(r.pipe.read(&mut buf), Err(Errno::EAGAIN));

        drop(w);
        assert_eq!(r.pipe.read(&mut buf), Ok(0));
    }

    #[test]
    fn small_writes_are_atomic_and_large_ones_split() {
        let (r, w) = Pipe::new();
        let big = vec![7u8; PIPE_CAPACITY - 10];
        assert_eq!(
            w.pipe.write(&big, big.len()),
            WriteOutcome::Wrote(big.len())
        );
        assert_eq!(w.pipe.write(&[1; 100], 100), WriteOutcome::Full);
        assert_eq!(w.pipe.write(&[1; 100], 100_000), WriteOutcome::Wrote(10));

        drop(r);
        assert_eq!(w.pipe.write(b"x", 1), WriteOutcome::Broken);
    }
}
