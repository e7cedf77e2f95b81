//! What a run of the suite records: the JSON written by `perf run` and read by `perf compare`,
//! `perf show` and `perf plot`, and the statistics computed from each benchmark's samples.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Bumped when a field changes meaning; readers refuse files from a newer schema.
pub const SCHEMA: u32 = 1;

/// One run of the suite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Run {
    /// [`SCHEMA`] of the writer.
    pub schema: u32,
    /// When the run started, RFC 3339 in UTC.
    pub date: String,
    /// The revision of the workspace that was measured.
    pub git: GitInfo,
    /// The host that measured it.
    pub machine: Machine,
    /// How it was measured.
    pub settings: Settings,
    /// Wall time of the whole run, seconds (building included).
    pub duration_s: f64,
    /// Every benchmark, in the suite's order.
    pub benchmarks: Vec<BenchResult>,
}

/// The git revision a run measured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct GitInfo {
    /// Full commit id of HEAD, or "unknown" outside a git work tree.
    pub rev: String,
    /// The first 10 characters of `rev`.
    pub short: String,
    /// The work tree had uncommitted changes.
    pub dirty: bool,
}

/// The host a run measured on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Machine {
    /// `model name` from /proc/cpuinfo.
    pub cpu_model: String,
    /// Host CPUs this process may use.
    pub cores: usize,
    /// Host kernel release (`uname -r`).
    pub kernel: String,
    /// Host name.
    pub hostname: String,
    /// The host's 1-minute load average when the run started and when it ended: above the
    /// number of cores, other work competed with the benchmarks.
    #[serde(default)]
    pub load_avg: Vec<f64>,
}

/// The knobs a run used.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Settings {
    /// Measured rounds per benchmark and system.
    pub rounds: u32,
    /// Target length of one round, milliseconds.
    pub round_ms: u32,
    /// Boots per system for the boot-to-prompt benchmark.
    pub boot_rounds: u32,
    /// The host CPU the pinned columns ran on.
    pub pin_cpu: usize,
    /// The kernel binary measured.
    pub kernel_binary: String,
    /// `linux --version` of the User-Mode Linux measured, if any.
    pub uml_version: Option<String>,
}

/// Which way is better for a benchmark's number.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Times, latencies.
    Lower,
    /// Throughput, speedup.
    Higher,
}

impl Better {
    /// How many times worse `value` is than `reference`: above 1 is worse, below 1 better.
    pub fn cost_ratio(self, value: f64, reference: f64) -> f64 {
        match self {
            Better::Lower => value / reference,
            Better::Higher => reference / value,
        }
    }
}

impl fmt::Display for Better {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        })
    }
}

/// One benchmark's results on every system it ran on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BenchResult {
    /// Stable key, used to match benchmarks across runs.
    pub name: String,
    /// One line for people.
    pub title: String,
    /// Unit of every number below.
    pub unit: String,
    /// Which way is better.
    pub better: Better,
    /// Smallest change `perf compare` calls a regression, percent (the noise band can widen it).
    pub threshold_pct: f64,
    /// By system key (`native-1cpu`, `kernel-1cpu`, `uml-1cpu`, `native`, `kernel`, `uml`).
    pub results: BTreeMap<String, Outcome>,
}

/// What one benchmark gave on one system.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Measured.
    Ok(Stats),
    /// The system could not run it (the guest program failed, printed an error, or timed out).
    Unsupported {
        /// What went wrong, from the guest's own words where it gave any.
        reason: String,
    },
    /// The benchmark means nothing on this system (booting natively, for instance).
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// Not measured this time (User-Mode Linux missing, excluded on the command line).
    Skipped {
        /// Why.
        reason: String,
    },
}

impl Outcome {
    /// The statistics, when measured.
    pub fn stats(&self) -> Option<&Stats> {
        match self {
            Outcome::Ok(s) => Some(s),
            _ => None,
        }
    }

    /// A short word for tables.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Unsupported { .. } => "unsupported",
            Outcome::NotApplicable { .. } => "n/a",
            Outcome::Skipped { .. } => "skipped",
        }
    }
}

/// Summary of a benchmark's samples on one system.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stats {
    /// Every measured round, in order.
    pub samples: Vec<f64>,
    /// Median of `samples`.
    pub median: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Half the spread of the samples, percent of the median; with five or more samples the
    /// lowest and highest are dropped first, so one round disturbed by a build running
    /// alongside does not widen the band on its own.
    pub noise_pct: f64,
}

impl Stats {
    /// Summarises `samples`; `None` when there are none (or any is not a finite number).
    pub fn from_samples(samples: Vec<f64>) -> Option<Stats> {
        if samples.is_empty() || samples.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let trimmed = if n >= 5 {
            &sorted[1..n - 1]
        } else {
            &sorted[..]
        };
        let spread = trimmed[trimmed.len() - 1] - trimmed[0];
        let noise_pct = if median != 0.0 {
            100.0 * spread / 2.0 / median.abs()
        } else {
            0.0
        };
        Some(Stats {
            min: sorted[0],
            max: sorted[n - 1],
            median,
            noise_pct,
            samples,
        })
    }
}

impl Run {
    /// Reads a run written by `perf run`.
    pub fn load(path: &Path) -> Result<Run> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let run: Run = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a perf run (JSON)", path.display()))?;
        anyhow::ensure!(
            run.schema <= SCHEMA,
            "{} has schema {}, newer than this perf ({SCHEMA})",
            path.display(),
            run.schema
        );
        Ok(run)
    }

    /// Writes the run as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The benchmark called `name`.
    pub fn bench(&self, name: &str) -> Option<&BenchResult> {
        self.benchmarks.iter().find(|b| b.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_and_even() {
        assert_eq!(
            Stats::from_samples(vec![3.0, 1.0, 2.0]).unwrap().median,
            2.0
        );
        assert_eq!(
            Stats::from_samples(vec![4.0, 1.0, 2.0, 3.0])
                .unwrap()
                .median,
            2.5
        );
    }

    #[test]
    fn noise_ignores_one_outlier_with_five_samples() {
        let s = Stats::from_samples(vec![10.0, 10.2, 9.8, 10.1, 50.0]).unwrap();
        assert_eq!(s.min, 9.8);
        assert_eq!(s.max, 50.0);
        // Trimmed to 10.0..10.2: half of 0.2 is 1% of the median 10.1.
        assert!((s.noise_pct - 0.990).abs() < 0.01, "{}", s.noise_pct);
    }

    #[test]
    fn noise_uses_the_whole_range_below_five_samples() {
        let s = Stats::from_samples(vec![9.0, 10.0, 11.0]).unwrap();
        assert!((s.noise_pct - 10.0).abs() < 1e-9);
    }

    #[test]
    fn no_stats_from_nothing_or_nan() {
        assert!(Stats::from_samples(vec![]).is_none());
        assert!(Stats::from_samples(vec![1.0, f64::NAN]).is_none());
    }

    #[test]
    fn cost_ratio_follows_direction() {
        assert_eq!(Better::Lower.cost_ratio(30.0, 10.0), 3.0);
        assert_eq!(Better::Higher.cost_ratio(10.0, 30.0), 3.0);
    }

    #[test]
    fn outcome_json_is_tagged() {
        let o = Outcome::Unsupported {
            reason: "fork: ENOSYS".into(),
        };
        let j = serde_json::to_string(&o).unwrap();
        assert_eq!(j, r#"{"status":"unsupported","reason":"fork: ENOSYS"}"#);
        let ok = Outcome::Ok(Stats::from_samples(vec![1.0, 2.0, 3.0]).unwrap());
        let back: Outcome = serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
    }
}
