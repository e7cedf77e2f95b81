//! Virtual CPUs: one pinned host thread each, with its own run queue.
//!
//! A virtual CPU is the ptrace tracer of every guest task it runs, so a task stays on
//! the CPU that started it. `smp` owns the threads, the queues and idling; what running
//! a task means is the kernel's business, passed in as the CPU's body.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;

use arch_um::thread::TickTimer;
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
            queue: Mutex::new(QueueState {
                items: VecDeque::new(),
                stopped: false,
            }),
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

    /// The next entry if there is one, without sleeping.
    pub fn try_pop(&self) -> Option<T> {
        self.queue.lock().items.pop_front()
    }

    /// The newest entry whose `movable` says yes, for another CPU to take over.
    pub fn steal(&self, movable: impl Fn(&T) -> bool) -> Option<T> {
        let mut q = self.queue.lock();
        let i = q.items.iter().rposition(movable)?;
        q.items.remove(i)
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

/// A time slice: how long a task runs before a waiting one gets the CPU.
pub const TIME_SLICE_NS: u64 = 10_000_000;

/// What other CPUs may know and poke of a CPU.
#[derive(Default)]
struct VcpuState {
    /// Host thread id, the target of IPIs; 0 until the thread starts.
    tid: AtomicI32,
    /// Whether the CPU is running guest code (it then needs an IPI to notice things).
    in_guest: AtomicBool,
    /// Whether the preemption tick is armed.
    ticking: AtomicBool,
    /// Whether the CPU has a task it is running (in guest code or in the kernel).
    busy: AtomicBool,
    /// A CPU with nothing to run asks this one for work: its number plus one, 0 if none.
    wanted_by: std::sync::atomic::AtomicUsize,
    /// The CPU's preemption tick, made on its own thread.
    tick: OnceLock<TickTimer>,
}

/// The virtual CPUs of the machine and their run queues.
pub struct Cpus<T> {
    queues: Vec<CachePadded<RunQueue<T>>>,
    state: Vec<CachePadded<VcpuState>>,
}

impl<T: Send + 'static> Cpus<T> {
    /// Run queues for `n` CPUs (threads start with [`Cpus::start`]).
    pub fn new(n: usize) -> Arc<Cpus<T>> {
        let queues = (0..n)
            .map(|_| CachePadded::new(RunQueue::default()))
            .collect();
        let state = (0..n)
            .map(|_| CachePadded::new(VcpuState::default()))
            .collect();
        Arc::new(Cpus { queues, state })
    }

    /// Number of virtual CPUs.
    pub fn count(&self) -> usize {
        self.queues.len()
    }

    /// The run queue of `cpu`.
    pub fn queue(&self, cpu: VcpuId) -> &RunQueue<T> {
        &self.queues[cpu.0]
    }

    /// The CPU with the least work (queued entries, plus one if it runs a task), where
    /// new work goes; `prefer` wins ties, so work stays put when it can.
    pub fn least_loaded(&self, prefer: VcpuId) -> VcpuId {
        self.least_loaded_in(prefer, u64::MAX)
    }

    /// [`Cpus::least_loaded`] among the CPUs whose bit is set in `allowed`.
    pub fn least_loaded_in(&self, prefer: VcpuId, allowed: u64) -> VcpuId {
        let load =
            |i: usize| self.queues[i].len() + self.state[i].busy.load(Ordering::Acquire) as usize;
        let ok = |i: &usize| *i >= 64 || allowed & (1 << *i) != 0;
        let best = (0..self.count())
            .filter(ok)
            .min_by_key(|&i| (load(i), i != prefer.0));
        VcpuId(best.unwrap_or(prefer.0))
    }

    /// CPU `idle` has nothing to run: asks the CPU with the most queued work to hand one
    /// task over (only the tracer of a task can let go of it), with an IPI so that a
    /// CPU busy in guest code hears of it.
    pub fn request_work(&self, idle: VcpuId) {
        let busiest = (0..self.count())
            .filter(|&i| i != idle.0)
            .max_by_key(|&i| self.queues[i].len());
        let Some(b) = busiest.filter(|&b| !self.queues[b].is_empty()) else {
            return;
        };

        let st = &self.state[b];
        if st
            .wanted_by
            .compare_exchange(0, idle.0 + 1, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            let tid = st.tid.load(Ordering::Acquire);
            if tid != 0 {
                arch_um::thread::send_ipi(tid);
            }
        }
    }

    /// The CPU asking `cpu` for work, if one is (the request is taken).
    pub fn take_work_request(&self, cpu: VcpuId) -> Option<VcpuId> {
        let v = self.state[cpu.0].wanted_by.swap(0, Ordering::AcqRel);
        (v != 0).then(|| VcpuId(v - 1))
    }

    /// Marks CPU `cpu` as running a task or not, for placement.
    pub fn set_busy(&self, cpu: VcpuId, on: bool) {
        self.state[cpu.0].busy.store(on, Ordering::Release);
    }

    /// Starts one pinned host thread per CPU, each running `body` with its id.
    pub fn start<F>(self: &Arc<Self>, body: F) -> HostResult<Vec<JoinHandle<()>>>
    where
        F: Fn(VcpuId) + Send + Sync + 'static,
    {
        arch_um::thread::install_ipi_handler()?;
        let body = Arc::new(body);
        (0..self.count())
            .map(|i| {
                let (body, cpus) = (body.clone(), self.clone());
                arch_um::thread::spawn_pinned(format!("vcpu{i}"), i, move || {
                    cpus.online(VcpuId(i));
                    body(VcpuId(i))
                })
            })
            .collect()
    }

    /// Records the calling thread as CPU `cpu`'s and makes its preemption tick.
    fn online(&self, cpu: VcpuId) {
        let st = &self.state[cpu.0];
        st.tid
            .store(arch_um::thread::current_tid(), Ordering::Release);
        match TickTimer::for_current_thread() {
            Ok(t) => {
                let _ = st.tick.set(t);
            }
            Err(e) => log::warn!("vcpu{}: no preemption tick: {e}", cpu.0),
        }
    }

    /// Queues `item` on `cpu` and, if the CPU is busy with a guest, starts its
    /// preemption tick so that the item gets a turn within a time slice.
    pub fn push(&self, cpu: VcpuId, item: T) {
        self.queues[cpu.0].push(item);
        if self.state[cpu.0].in_guest.load(Ordering::Acquire) {
            self.set_ticking(cpu, true);
        }
    }

    fn set_ticking(&self, cpu: VcpuId, on: bool) {
        let st = &self.state[cpu.0];
        if st.ticking.swap(on, Ordering::AcqRel) == on {
            return;
        }
        if let Some(t) = st.tick.get() {
            t.set_period(if on { TIME_SLICE_NS } else { 0 });
        }
    }

    /// Marks CPU `cpu` as running guest code (or not): only then do other CPUs need to
    /// interrupt it to get its attention. Entering with tasks queued starts the tick.
    pub fn set_in_guest(&self, cpu: VcpuId, on: bool) {
        self.state[cpu.0].in_guest.store(on, Ordering::Release);
        if on && !self.queues[cpu.0].is_empty() {
            self.set_ticking(cpu, true);
        }
    }

    /// Called by CPU `cpu` when its wait for the guest was interrupted: whether a queued
    /// task is owed the CPU. Stops the tick when nothing waits.
    pub fn should_preempt(&self, cpu: VcpuId) -> bool {
        let waiting = !self.queues[cpu.0].is_empty();
        if !waiting {
            self.set_ticking(cpu, false);
        }
        waiting
    }

    /// Sends CPU `cpu` an IPI, so that it looks at its running task (a signal arrived).
    pub fn kick(&self, cpu: VcpuId) {
        let st = &self.state[cpu.0];
        let tid = st.tid.load(Ordering::Acquire);
        if tid != 0 && st.in_guest.load(Ordering::Acquire) {
            arch_um::thread::send_ipi(tid);
        }
    }

    /// Stops every CPU's loop, interrupting CPUs that are waiting for a guest.
    pub fn stop_all(&self) {
        for q in &self.queues {
            q.stop();
        }
        for st in &self.state {
            let tid = st.tid.load(Ordering::Acquire);
            if tid != 0 {
                arch_um::thread::send_ipi(tid);
            }
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
        assert_eq!(cpus.least_loaded(VcpuId(1)), VcpuId(0));
        cpus.set_busy(VcpuId(0), true);
        assert_eq!(cpus.least_loaded(VcpuId(1)), VcpuId(1));

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
