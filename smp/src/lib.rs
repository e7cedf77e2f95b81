//! Virtual CPUs: one pinned host thread each, with its own run queue.
//!
//! A virtual CPU is the ptrace tracer of every guest task it runs, so a task stays on
//! the CPU that started it. `smp` owns the threads, the queues and idling; what running
//! a task means is the kernel's business, passed in as the CPU's body.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::VecDeque;
use std::sync::atomic::{fence, AtomicBool, AtomicI32, AtomicU64, Ordering};
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
    /// Where the CPU's time goes, for /proc/stat.
    clock: CpuClock,
}

/// What a virtual CPU is doing, for its time accounting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CpuState {
    /// Kernel work: handling a stop, running the stub, choosing what runs next.
    Kernel = 0,
    /// A task runs guest code.
    Guest = 1,
    /// Asleep with nothing to run.
    Idle = 2,
}

impl CpuState {
    fn from_bits(bits: u64) -> CpuState {
        match bits & 3 {
            0 => CpuState::Kernel,
            1 => CpuState::Guest,
            _ => CpuState::Idle,
        }
    }
}

/// Where a virtual CPU's time has gone since boot, in nanoseconds of wall time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VcpuTimes {
    /// Running guest code (Linux's "user").
    pub guest_ns: u64,
    /// In the kernel ("system").
    pub kernel_ns: u64,
    /// Asleep with nothing to run ("idle").
    pub idle_ns: u64,
}

/// A CPU's time per state, written only by the CPU's own thread at each change of state
/// and read by anyone. A sequence count makes a reader's copy consistent (a writer is
/// never blocked, a reader retries across a change), so that the state's running
/// interval is counted exactly once even while it is being closed.
#[derive(Default)]
struct CpuClock {
    /// Odd while the CPU is changing state.
    seq: AtomicU64,
    /// Time of closed intervals per state, indexed by `CpuState`.
    ns: [AtomicU64; 3],
    /// The current state and since when: `since_ns << 2 | state`.
    mark: AtomicU64,
}

impl CpuClock {
    /// Starts the clock in `state` at `now_ns`, with nothing counted yet.
    fn start(&self, state: CpuState, now_ns: u64) {
        self.mark
            .store(now_ns << 2 | state as u64, Ordering::Relaxed);
    }

    /// The CPU changes to `to` at `now_ns`, closing the interval of its last state.
    ///
    /// Preconditions: called only by the CPU's own thread (or before it starts).
    fn switch(&self, to: CpuState, now_ns: u64) {
        let mark = self.mark.load(Ordering::Relaxed);
        let (from, since) = (CpuState::from_bits(mark), mark >> 2);
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);

        let slot = &self.ns[from as usize];
        let closed = slot.load(Ordering::Relaxed) + now_ns.saturating_sub(since);
        slot.store(closed, Ordering::Relaxed);
        self.mark.store(now_ns << 2 | to as u64, Ordering::Relaxed);

        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// The time per state as of `now_ns`, the current state's open interval included.
    fn read(&self, now_ns: u64) -> [u64; 3] {
        loop {
            let before = self.seq.load(Ordering::Acquire);
            let mut ns = self.ns.each_ref().map(|a| a.load(Ordering::Relaxed));
            let mark = self.mark.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if before & 1 != 0 || self.seq.load(Ordering::Relaxed) != before {
                std::hint::spin_loop();
                continue;
            }

            let open = now_ns.saturating_sub(mark >> 2);
            let state = CpuState::from_bits(mark) as usize;
            ns[state] = ns[state].saturating_add(open);
            return ns;
        }
    }
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
        // Until its thread starts, a CPU counts as idle.
        let now = arch_um::host::monotonic_ns();
        let state = (0..n)
            .map(|_| {
                let st = VcpuState::default();
                st.clock.start(CpuState::Idle, now);
                CachePadded::new(st)
            })
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
        st.clock
            .switch(CpuState::Kernel, arch_um::host::monotonic_ns());
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

    /// Marks CPU `cpu` as running guest code (or not) from `now_ns` on: only then do
    /// other CPUs need to interrupt it to get its attention, and the time counts as the
    /// CPU's guest time. Entering with tasks queued starts the tick.
    ///
    /// Preconditions: called by the CPU's own thread.
    pub fn set_in_guest(&self, cpu: VcpuId, on: bool, now_ns: u64) {
        let st = &self.state[cpu.0];
        st.in_guest.store(on, Ordering::Release);
        let to = if on {
            CpuState::Guest
        } else {
            CpuState::Kernel
        };
        st.clock.switch(to, now_ns);
        if on && !self.queues[cpu.0].is_empty() {
            self.set_ticking(cpu, true);
        }
    }

    /// The next entry of `cpu`'s queue, sleeping while there is none; the sleep is the
    /// CPU's idle time. `None` once the machine stops.
    ///
    /// Preconditions: called by the CPU's own thread.
    pub fn idle_wait(&self, cpu: VcpuId) -> Option<T> {
        let clock = &self.state[cpu.0].clock;
        clock.switch(CpuState::Idle, arch_um::host::monotonic_ns());
        let item = self.queues[cpu.0].pop_wait();
        clock.switch(CpuState::Kernel, arch_um::host::monotonic_ns());
        item
    }

    /// Where CPU `cpu`'s time has gone up to `now_ns` (host monotonic time).
    pub fn times(&self, cpu: VcpuId, now_ns: u64) -> VcpuTimes {
        let [kernel_ns, guest_ns, idle_ns] = self.state[cpu.0].clock.read(now_ns);
        VcpuTimes {
            guest_ns,
            kernel_ns,
            idle_ns,
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
    fn cpu_time_goes_to_the_state_it_was_spent_in() {
        let c = CpuClock::default();
        c.start(CpuState::Idle, 100);
        c.switch(CpuState::Kernel, 1_100);
        c.switch(CpuState::Guest, 1_150);
        c.switch(CpuState::Kernel, 4_150);
        // Kernel 1100..1150 and the open 4150..4200; guest 1150..4150; idle 100..1100.
        assert_eq!(c.read(4_200), [50 + 50, 3_000, 1_000]);
        // A reading behind the last change adds nothing for the open interval.
        assert_eq!(c.read(4_000), [50, 3_000, 1_000]);
    }

    #[test]
    fn a_reader_never_sees_an_interval_twice() {
        let cpus: Arc<Cpus<u32>> = Cpus::new(1);
        let start = cpus.state[0].clock.mark.load(Ordering::Relaxed) >> 2;
        let c = cpus.clone();
        let writer = std::thread::spawn(move || {
            for i in 0..200_000u64 {
                c.set_in_guest(VcpuId(0), i % 2 == 0, arch_um::host::monotonic_ns());
            }
        });

        // Every reading accounts for all the wall time since the CPUs were made up to
        // the reading, and no more than has passed when it returns, however the
        // writer's changes fall.
        while !writer.is_finished() {
            let now = arch_um::host::monotonic_ns();
            let t = cpus.times(VcpuId(0), now);
            let after = arch_um::host::monotonic_ns();
            let sum = t.guest_ns + t.kernel_ns + t.idle_ns;
            assert!(
                sum >= now - start,
                "{t:?} lost time: {sum} of {}",
                now - start
            );
            assert!(
                sum <= after - start,
                "{t:?} counts {sum} of {}",
                after - start
            );
        }
        writer.join().unwrap();
    }

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
