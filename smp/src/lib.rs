//! Virtual CPUs: one pinned host thread each, with its own run queue.
//!
//! A virtual CPU is the ptrace tracer of every guest task it runs, so a task stays on
//! the CPU that started it. `smp` owns the threads, the queues and idling; what running
//! a task means is the kernel's business, passed in as the CPU's body.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::VecDeque;
use std::sync::Arc;
use std::thread::JoinHandle;

use arch_um::HostResult;
use crossbeam_utils::CachePadded;
use parking_lot::{Condvar, Mutex};

/// The number of a virtual CPU, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VcpuId(pub usize);

/// A queue of runnable work for one virtual CPU; an idle CPU sleeps on it.
pub struct RunQueue<T> {
    /// Runnable entries, oldest first.
    queue: Mutex<QueueState<T>>,
    wake: Condvar,
}

struct QueueState<T> {
    items: VecDeque<T>,
    stopped: bool,
}

impl<T> Default for RunQueue<T> {
    fn default() -> Self {
        RunQueue {
            queue: Mutex::new(QueueState { items: VecDeque::new(), stopped: false }),
            wake: Condvar::new(),
        }
    }
}

impl<T> RunQueue<T> {
    /// Queues `item` and wakes the CPU if it sleeps.
    pub fn push(&self, item: T) {
        self.queue.lock().items.push_back(item);
        self.wake.notify_one();
    }

    /// The next entry, sleeping while there is none; `None` once the machine stops.
    pub fn pop_wait(&self) -> Option<T> {
        let mut q = self.queue.lock();
        loop {
            if q.stopped {
                return None;
            }
            if let Some(item) = q.items.pop_front() {
                return Some(item);
            }
            self.wake.wait(&mut q);
        }
    }

    /// Entries waiting to run.
    pub fn len(&self) -> usize {
        self.queue.lock().items.len()
    }

    /// Whether nothing waits to run.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tells the CPU to leave its loop at its next `pop_wait`.
    pub fn stop(&self) {
        self.queue.lock().stopped = true;
        self.wake.notify_all();
    }
}

/// The virtual CPUs of the machine and their run queues.
pub struct Cpus<T> {
    queues: Vec<CachePadded<RunQueue<T>>>,
}

impl<T: Send + 'static> Cpus<T> {
    /// Run queues for `n` CPUs (threads start with [`Cpus::start`]).
    pub fn new(n: usize) -> Arc<Cpus<T>> {
        let queues = (0..n).map(|_| CachePadded::new(RunQueue::default())).collect();
        Arc::new(Cpus { queues })
    }

    /// Number of virtual CPUs.
    pub fn count(&self) -> usize {
        self.queues.len()
    }

    /// The run queue of `cpu`.
    pub fn queue(&self, cpu: VcpuId) -> &RunQueue<T> {
        &self.queues[cpu.0]
    }

    /// The CPU with the fewest queued entries, where new work goes.
    pub fn least_loaded(&self) -> VcpuId {
        let best = (0..self.count()).min_by_key(|&i| self.queues[i].len()).unwrap_or(0);
        VcpuId(best)
    }

    /// Starts one pinned host thread per CPU, each running `body` with its id.
    pub fn start<F>(&self, body: F) -> HostResult<Vec<JoinHandle<()>>>
    where
        F: Fn(VcpuId) + Send + Sync + 'static,
    {
        let body = Arc::new(body);
        (0..self.count())
            .map(|i| {
                let body = body.clone();
                arch_um::thread::spawn_pinned(format!("vcpu{i}"), i, move || body(VcpuId(i)))
            })
            .collect()
    }

    /// Stops every CPU's loop.
    pub fn stop_all(&self) {
        for q in &self.queues {
            q.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_work_runs_and_stop_ends_the_loop() {
        let cpus: Arc<Cpus<u32>> = Cpus::new(2);
        cpus.queue(VcpuId(1)).push(7);
        assert_eq!(cpus.least_loaded(), VcpuId(0));

        let seen = Arc::new(Mutex::new(Vec::new()));
        let (c, s) = (cpus.clone(), seen.clone());
        let threads = cpus
            .start(move |id| {
                while let Some(v) = c.queue(id).pop_wait() {
                    s.lock().push((id.0, v));
                }
            })
            .unwrap();

        while seen.lock().is_empty() {
            std::thread::yield_now();
        }
        cpus.stop_all();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*seen.lock(), vec![(1, 7)]);
    }
}
