//! The suite: every benchmark, what it measures, its unit, which way is better, how much
//! change counts as a regression, and the systems (columns) it runs on.

use std::fmt;

use crate::model::Better;

/// Steps of CPU work per process in the CPU-bound benchmarks (about 45 ms natively here).
pub const CPU_WORK: u64 = 40_000_000;

/// How a benchmark is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The guest program `pbench` runs `spec` (placeholders `{bin}`, `{data}`, `{sum}`,
    /// `{work}` filled in per system) with the kernel booted with `ncpus` CPUs.
    Guest {
        /// A pbench SPEC with placeholders.
        spec: &'static str,
        /// `ncpus=` for the kernel.
        ncpus: usize,
    },
    /// The kernel's time for pbench `spec` booted with `ncpus` CPUs over its time booted
    /// with `base_ncpus`, the two launched back to back in each round.
    CpuRatio {
        /// A pbench SPEC with placeholders (a wall time).
        spec: &'static str,
        /// `ncpus=` of the measured boot.
        ncpus: usize,
        /// `ncpus=` of the boot it is compared with.
        base_ncpus: usize,
    },
    /// Time from spawning the system to its shell prompt on the console.
    BootToPrompt,
    /// Host CPU the whole system uses while it sits at its shell prompt, booted with
    /// `ncpus` CPUs (the kernel; UML boots as it is).
    IdleAtPrompt {
        /// `ncpus=` for the kernel.
        ncpus: usize,
    },
    /// Reserved for the kernel running inside itself: reports unsupported, never a number.
    NestedPlaceholder,
}

/// One benchmark of the suite.
#[derive(Debug, Clone, Copy)]
pub struct Benchmark {
    /// Stable key: JSON, history and plots use it.
    pub name: &'static str,
    /// One line for people.
    pub title: &'static str,
    /// Unit of its numbers.
    pub unit: &'static str,
    /// Which way is better.
    pub better: Better,
    /// Smallest change `perf compare` calls a regression, percent.
    pub threshold_pct: f64,
    /// How it is measured.
    pub kind: Kind,
}

/// Every benchmark, in the order the tables show them.
pub const SUITE: &[Benchmark] = &[
    Benchmark {
        name: "syscall_getppid",
        title: "intercepted system call (getppid loop)",
        unit: "us/call",
        better: Better::Lower,
        threshold_pct: 10.0,
        kind: Kind::Guest {
            spec: "getppid",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "sched_yield_pingpong",
        title: "sched_yield ping-pong between two processes",
        unit: "us/round trip",
        better: Better::Lower,
        threshold_pct: 25.0,
        kind: Kind::Guest {
            spec: "yield",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "pipe_roundtrip",
        title: "one-byte pipe round trip between two processes",
        unit: "us/round trip",
        better: Better::Lower,
        threshold_pct: 25.0,
        kind: Kind::Guest {
            spec: "pipe",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "sched_yield_pingpong_2cpu",
        title: "sched_yield ping-pong, the two processes on CPUs 0 and 1 (ncpus=2)",
        unit: "us/round trip",
        better: Better::Lower,
        threshold_pct: 25.0,
        kind: Kind::Guest {
            spec: "yield:split",
            ncpus: 2,
        },
    },
    Benchmark {
        name: "pipe_roundtrip_2cpu",
        title: "one-byte pipe round trip, the two processes on CPUs 0 and 1 (ncpus=2)",
        unit: "us/round trip",
        better: Better::Lower,
        threshold_pct: 25.0,
        kind: Kind::Guest {
            spec: "pipe:split",
            ncpus: 2,
        },
    },
    Benchmark {
        name: "fork_exit_wait",
        title: "fork + _exit + waitpid",
        unit: "us/iteration",
        better: Better::Lower,
        threshold_pct: 20.0,
        kind: Kind::Guest {
            spec: "fork",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "fork_exec_wait",
        title: "fork + execve of a static no-op + waitpid",
        unit: "us/iteration",
        better: Better::Lower,
        threshold_pct: 20.0,
        kind: Kind::Guest {
            spec: "exec:{bin}/nop",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "posix_spawn_wait",
        title: "posix_spawn of a static no-op + waitpid (the child shares memory until exec)",
        unit: "us/iteration",
        better: Better::Lower,
        threshold_pct: 20.0,
        kind: Kind::Guest {
            spec: "spawn:{bin}/nop",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "anon_first_touch",
        title: "first touch of an anonymous page",
        unit: "us/page",
        better: Better::Lower,
        threshold_pct: 20.0,
        kind: Kind::Guest {
            spec: "fault",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "file_read_seq",
        title: "sequential read(2) of a 64 MiB file, 64 KiB at a time",
        unit: "MiB/s",
        better: Better::Higher,
        threshold_pct: 20.0,
        kind: Kind::Guest {
            spec: "read:{data},{sum}",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "file_mmap_seq",
        title: "sequential read of a 64 MiB file through mmap",
        unit: "MiB/s",
        better: Better::Higher,
        threshold_pct: 20.0,
        kind: Kind::Guest {
            spec: "mmap:{data},{sum}",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "boot_to_prompt",
        title: "boot to the first shell prompt on the console",
        unit: "ms",
        better: Better::Lower,
        threshold_pct: 20.0,
        kind: Kind::BootToPrompt,
    },
    Benchmark {
        name: "idle_at_prompt_ncpus4",
        title: "host CPU used at the shell prompt with nothing typed (ncpus=4)",
        unit: "% of a CPU",
        better: Better::Lower,
        // Idle use is a few clock ticks: only a jump by several times is a regression.
        threshold_pct: 200.0,
        kind: Kind::IdleAtPrompt { ncpus: 4 },
    },
    Benchmark {
        name: "cpu_bound_ncpus1",
        title: "CPU-bound process, wall time (ncpus=1)",
        unit: "ms",
        better: Better::Lower,
        threshold_pct: 10.0,
        kind: Kind::Guest {
            spec: "cpu:{work}",
            ncpus: 1,
        },
    },
    Benchmark {
        name: "parallel_speedup_ncpus2",
        title: "speedup of 2 CPU-bound processes at ncpus=2 (ideal 2)",
        unit: "x",
        better: Better::Higher,
        threshold_pct: 15.0,
        kind: Kind::Guest {
            spec: "speedup:2,{work}",
            ncpus: 2,
        },
    },
    Benchmark {
        name: "two_procs_ncpus2_vs_ncpus1",
        title: "wall time of 2 CPU-bound processes at ncpus=2 over their time at ncpus=1 \
                (ideal 0.5)",
        unit: "x",
        better: Better::Lower,
        threshold_pct: 15.0,
        kind: Kind::CpuRatio {
            spec: "procs:2,{work}",
            ncpus: 2,
            base_ncpus: 1,
        },
    },
    Benchmark {
        name: "parallel_speedup_ncpus4",
        title: "speedup of 4 CPU-bound processes at ncpus=4 (ideal 4, 2 on a 2-CPU host)",
        unit: "x",
        better: Better::Higher,
        threshold_pct: 15.0,
        kind: Kind::Guest {
            spec: "speedup:4,{work}",
            ncpus: 4,
        },
    },
    Benchmark {
        name: "nested_getppid",
        title: "getppid in the kernel booted inside the kernel (placeholder)",
        unit: "us/call",
        better: Better::Lower,
        threshold_pct: 10.0,
        kind: Kind::NestedPlaceholder,
    },
];

impl Benchmark {
    /// Whether a launch of it is a boot to the shell prompt (with `--boot-rounds` rounds).
    pub fn boots(&self) -> bool {
        matches!(self.kind, Kind::BootToPrompt | Kind::IdleAtPrompt { .. })
    }
}

/// The benchmark called `name`.
pub fn find(name: &str) -> Option<&'static Benchmark> {
    SUITE.iter().find(|b| b.name == name)
}

/// What runs the guest program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum System {
    /// The host itself.
    Native,
    /// This project's kernel.
    Kernel,
    /// User-Mode Linux, the yardstick.
    Uml,
}

/// A column of the results: a system, pinned to one host CPU or free to use them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Column {
    /// What runs the guest program.
    pub system: System,
    /// Run under `taskset -c CPU`.
    pub pinned: bool,
}

impl Column {
    /// Key in the JSON: `native-1cpu`, `kernel`, ...
    pub fn key(self) -> String {
        let base = match self.system {
            System::Native => "native",
            System::Kernel => "kernel",
            System::Uml => "uml",
        };
        if self.pinned {
            format!("{base}-1cpu")
        } else {
            base.to_string()
        }
    }

    /// The columns of a run, pinned ones first.
    pub fn all() -> Vec<Column> {
        let mut v = Vec::new();
        for pinned in [true, false] {
            for system in [System::Native, System::Kernel, System::Uml] {
                v.push(Column { system, pinned });
            }
        }
        v
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = SUITE.iter().map(|b| b.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SUITE.len());
    }

    #[test]
    fn column_keys() {
        let keys: Vec<_> = Column::all().into_iter().map(Column::key).collect();
        assert_eq!(
            keys,
            [
                "native-1cpu",
                "kernel-1cpu",
                "uml-1cpu",
                "native",
                "kernel",
                "uml"
            ]
        );
    }
}
