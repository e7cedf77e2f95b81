//! Waiting without holding a CPU: wake cells, wait queues and timers.
//!
//! A syscall that must wait registers the calling task's [`WakeCell`] on the wait queues
//! it waits for (under the lock that guards the condition, so no wake-up is lost) and
//! returns "blocked". The CPU then parks the task in its cell and runs something else.
//! A wake-up moves the task back to its CPU's run queue, where the syscall runs again
//! from the start and finds its condition met, or waits again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{Condvar, Mutex};

use crate::lockorder::{Level, Ordered};

use crate::task::Task;

/// Where a task goes when it is woken: the run queue of the CPU that traces it.
pub trait Requeue: Send + Sync {
    /// Queues `task` to run.
    fn requeue(&self, task: Box<Task>);

    /// Gets the attention of CPU `cpu`, which may be running the task in guest code.
    fn kick(&self, cpu: usize);
}

enum CellState {
    /// On a CPU (running, or deciding to block); `woken` records a wake-up that came
    /// before the task was parked, so that parking turns into running again.
    Active { woken: bool },
    /// Parked, waiting for a wake-up.
    Parked(Box<Task>),
}

/// The wake-up handle of one task.
pub struct WakeCell {
    /// Guarded by its own mutex; the innermost lock of the kernel.
    state: Ordered<CellState>,
    requeue: Weak<dyn Requeue>,
    /// The CPU the task belongs to.
    cpu: std::sync::atomic::AtomicUsize,
}

impl WakeCell {
    /// A cell whose woken task goes back through `requeue` to CPU `cpu`.
    pub fn new(requeue: Weak<dyn Requeue>, cpu: usize) -> Arc<WakeCell> {
        let state = Ordered::new(Level::Wait, CellState::Active { woken: false });
        Arc::new(WakeCell {
            state,
            requeue,
            cpu: cpu.into(),
        })
    }

    /// Moves the task's home to CPU `cpu` (it migrated).
    pub fn set_cpu(&self, cpu: usize) {
        self.cpu.store(cpu, std::sync::atomic::Ordering::Relaxed);
    }

    /// Forgets wake-ups from before: called as a syscall starts, so only wake-ups after
    /// its checks count.
    pub fn arm(&self) {
        if let CellState::Active { woken } = &mut *self.state.lock() {
            *woken = false;
        }
    }

    /// Parks `task`, unless it was woken since [`WakeCell::arm`]; then it is returned
    /// to run again at once.
    pub fn park(&self, task: Box<Task>) -> Option<Box<Task>> {
        let mut st = self.state.lock();
        match &*st {
            CellState::Active { woken: true } => {
                *st = CellState::Active { woken: false };
                Some(task)
            }
            _ => {
                *st = CellState::Parked(task);
                None
            }
        }
    }

    /// Wakes the task: requeues it if parked, else makes its next park return at once.
    pub fn wake(&self) {
        let task = {
            let mut st = self.state.lock();
            match std::mem::replace(&mut *st, CellState::Active { woken: true }) {
                CellState::Parked(task) => {
                    *st = CellState::Active { woken: false };
                    Some(task)
                }
                CellState::Active { .. } => None,
            }
        };

        if let (Some(task), Some(rq)) = (task, self.requeue.upgrade()) {
            rq.requeue(task);
        }
    }

    /// Wakes the task and, if it is running guest code, interrupts it: a signal came.
    pub fn wake_and_kick(&self) {
        self.wake();
        if let Some(rq) = self.requeue.upgrade() {
            rq.kick(self.cpu.load(std::sync::atomic::Ordering::Relaxed));
        }
    }

    /// Whether the task is parked, waiting for a wake-up (not running nor queued to).
    pub fn is_parked(&self) -> bool {
        matches!(*self.state.lock(), CellState::Parked(_))
    }

    /// Takes a parked task out without running it (its process is being killed).
    pub fn take_parked(&self) -> Option<Box<Task>> {
        let mut st = self.state.lock();
        match std::mem::replace(&mut *st, CellState::Active { woken: false }) {
            CellState::Parked(task) => Some(task),
            active => {
                *st = active;
                None
            }
        }
    }
}

/// Tasks waiting for one condition.
pub struct WaitQueue {
    waiters: Ordered<Vec<Weak<WakeCell>>>,
}

impl Default for WaitQueue {
    fn default() -> Self {
        WaitQueue {
            waiters: Ordered::new(Level::Wait, Vec::new()),
        }
    }
}

impl WaitQueue {
    /// Adds `cell` to be woken by the next [`WaitQueue::wake_all`].
    pub fn register(&self, cell: &Arc<WakeCell>) {
        let mut w = self.waiters.lock();
        w.retain(|c| c.strong_count() > 0 && !std::ptr::eq(c.as_ptr(), Arc::as_ptr(cell)));
        w.push(Arc::downgrade(cell));
    }

    /// Wakes every waiter. Woken tasks re-check their condition, so waking one that no
    /// longer waits here costs only a spurious re-check.
    pub fn wake_all(&self) {
        let waiters = std::mem::take(&mut *self.waiters.lock());
        for cell in waiters.into_iter().filter_map(|w| w.upgrade()) {
            cell.wake();
        }
    }
}

/// One pending timer: wake `cell` at `deadline_ns` (kernel uptime).
struct Timer {
    deadline_ns: u64,
    seq: u64,
    cell: Weak<WakeCell>,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline_ns, self.seq) == (other.deadline_ns, other.seq)
    }
}

impl Eq for Timer {}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline_ns, self.seq).cmp(&(other.deadline_ns, other.seq))
    }
}

#[derive(Default)]
struct TimerState {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
}

/// The kernel's timer wheel: one host thread sleeping until the earliest deadline.
pub struct Timers {
    state: Mutex<TimerState>,
    changed: Condvar,
}

impl Timers {
    /// The machine's timers; the thread that fires them starts with the first timer.
    pub fn get() -> &'static Timers {
        static TIMERS: OnceLock<Timers> = OnceLock::new();
        static THREAD: OnceLock<()> = OnceLock::new();

        let t = TIMERS.get_or_init(|| Timers {
            state: Mutex::new(TimerState::default()),
            changed: Condvar::new(),
        });
        THREAD.get_or_init(|| {
            let spawned = arch_um::thread::spawn_pinned("timer".into(), 0, || t.run());
            if let Err(e) = spawned {
                log::error!("cannot start the timer thread: {e}");
            }
        });
        t
    }

    /// Wakes `cell` once kernel uptime reaches `deadline_ns`.
    pub fn wake_at(&self, deadline_ns: u64, cell: &Arc<WakeCell>) {
        let mut st = self.state.lock();
        st.seq += 1;
        let seq = st.seq;
        st.heap.push(Reverse(Timer {
            deadline_ns,
            seq,
            cell: Arc::downgrade(cell),
        }));
        self.changed.notify_one();
    }

    fn run(&self) {
        let mut st = self.state.lock();
        loop {
            let now = crate::printk::uptime_ns();
            let mut due = Vec::new();
            while st.heap.peek().is_some_and(|t| t.0.deadline_ns <= now) {
                if let Some(Reverse(t)) = st.heap.pop() {
                    due.push(t.cell);
                }
            }

            if !due.is_empty() {
                drop(st);
                for cell in due.into_iter().filter_map(|c| c.upgrade()) {
                    cell.wake();
                }
                st = self.state.lock();
                continue;
            }

            match st.heap.peek().map(|t| t.0.deadline_ns) {
                Some(d) => {
                    let wait = std::time::Duration::from_nanos(d - now);
                    self.changed.wait_for(&mut st, wait);
                }
                None => self.changed.wait(&mut st),
            }
        }
    }
}
