//! `perf compare OLD.json NEW.json`: which benchmarks got worse beyond their noise band.
//!
//! For each benchmark and column measured in both runs, a change is expressed as "percent
//! worse" (positive: slower, or less throughput, whatever the unit's direction). It is a
//! regression when both
//!
//! 1. the median got worse by more than the allowed band: the benchmark's threshold or, when
//!    larger, the two runs' noise bands added together; and
//! 2. the best round got worse by more than the threshold,
//!
//! each widened by the host's own drift on that benchmark: how much the native column at the
//! same pinning changed between the two runs (up to [`MAX_DRIFT_PCT`]). A busy host (another
//! build on the same two CPUs) slows everything for a while; the drift and the best round keep
//! that from reading as a regression, while a real slowdown moves every round of the kernel and
//! not the host's. A column that was measured before and is unsupported now is a regression too
//! (a feature was lost). Only gated columns (the kernel's, by default) fail the comparison; the
//! others are shown for context.

use comfy_table::{presets, Cell, CellAlignment, Color, Table};

use crate::model::{BenchResult, Better, Outcome, Run, Stats};

/// The most the host's drift can widen a band, percent: a slowdown of 3x (+200%) is caught
/// however busy the host was.
pub const MAX_DRIFT_PCT: f64 = 50.0;

/// What happened to one benchmark in one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the band.
    Same,
    /// Better beyond the band.
    Improved,
    /// Worse beyond the band.
    Regressed,
    /// Measured before, unsupported now.
    Lost,
    /// Unsupported before, measured now.
    Gained,
    /// Nothing to compare (not measured in one of the runs).
    NotCompared,
}

impl Verdict {
    fn text(self) -> &'static str {
        match self {
            Verdict::Same => "ok",
            Verdict::Improved => "improved",
            Verdict::Regressed => "REGRESSED",
            Verdict::Lost => "LOST",
            Verdict::Gained => "new",
            Verdict::NotCompared => "-",
        }
    }

    /// Does this verdict fail a gated column?
    pub fn is_failure(self) -> bool {
        matches!(self, Verdict::Regressed | Verdict::Lost)
    }
}

/// One line of the comparison.
#[derive(Debug, Clone)]
pub struct Row {
    /// Benchmark name.
    pub bench: String,
    /// Column key.
    pub column: String,
    /// Unit.
    pub unit: String,
    /// The old median, or the old status.
    pub old: String,
    /// The new median, or the new status.
    pub new: String,
    /// Percent worse (negative: better), when both are measured.
    pub worse_pct: Option<f64>,
    /// How much worse the best round got, percent.
    pub best_worse_pct: Option<f64>,
    /// How much the host's own native column drifted (either way), percent, capped.
    pub drift_pct: Option<f64>,
    /// The band the median must leave to count, percent (drift included).
    pub allowed_pct: Option<f64>,
    /// What it amounts to.
    pub verdict: Verdict,
    /// Whether this column can fail the comparison.
    pub gated: bool,
}

/// A whole comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Every benchmark and column present in the new run.
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Gated rows that regressed or lost support.
    pub fn failures(&self) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| r.gated && r.verdict.is_failure())
            .collect()
    }
}

/// True when `column` (`kernel-1cpu`, `uml`, ...) belongs to one of the `gate` systems.
fn is_gated(column: &str, gate: &[String]) -> bool {
    let system = column.split('-').next().unwrap_or(column);
    gate.iter().any(|g| g == "all" || g == system)
}

fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn fmt_outcome(o: Option<&Outcome>) -> String {
    match o {
        Some(Outcome::Ok(s)) => format!("{} ±{:.0}%", fmt_value(s.median), s.noise_pct),
        Some(o) => o.label().to_string(),
        None => "absent".into(),
    }
}

/// The best round: the fastest time, or the highest throughput.
fn best(better: Better, s: &Stats) -> f64 {
    match better {
        Better::Lower => s.min,
        Better::Higher => s.max,
    }
}

/// Percent worse `new` is than `old` in `better`'s direction.
fn worse_pct(better: Better, new: f64, old: f64) -> f64 {
    (better.cost_ratio(new, old) - 1.0) * 100.0
}

/// How much the host drifted between the runs on this benchmark: the change of the native
/// column at the same pinning as `column`, in percent either way, capped at [`MAX_DRIFT_PCT`].
/// Zero for native columns themselves and when native was not measured in both.
fn host_drift(column: &str, ob: Option<&BenchResult>, nb: &BenchResult) -> f64 {
    if column.starts_with("native") {
        return 0.0;
    }
    let reference = match column.split_once('-') {
        Some((_, pin)) => format!("native-{pin}"),
        None => "native".to_string(),
    };
    let stats = |b: Option<&BenchResult>| b?.results.get(&reference)?.stats().cloned();
    match (stats(ob), stats(Some(nb))) {
        (Some(o), Some(n)) => {
            let d = worse_pct(nb.better, n.median, o.median).abs();
            if d.is_finite() {
                d.min(MAX_DRIFT_PCT)
            } else {
                0.0
            }
        }
        _ => 0.0,
    }
}

/// Compares `new` against `old`. `gate` names the systems whose columns can fail it
/// (`kernel`, `uml`, `native`, or `all`).
pub fn compare(old: &Run, new: &Run, gate: &[String]) -> Comparison {
    let mut rows = Vec::new();
    for nb in &new.benchmarks {
        let ob = old.bench(&nb.name);
        for (column, no) in &nb.results {
            let oo = ob.and_then(|b| b.results.get(column));
            let mut row = Row {
                bench: nb.name.clone(),
                column: column.clone(),
                unit: nb.unit.clone(),
                old: fmt_outcome(oo),
                new: fmt_outcome(Some(no)),
                worse_pct: None,
                best_worse_pct: None,
                drift_pct: None,
                allowed_pct: None,
                verdict: Verdict::NotCompared,
                gated: is_gated(column, gate),
            };
            match (oo, no) {
                (Some(Outcome::Ok(os)), Outcome::Ok(ns)) => {
                    let worse = worse_pct(nb.better, ns.median, os.median);
                    let best_worse = worse_pct(nb.better, best(nb.better, ns), best(nb.better, os));
                    let threshold =
                        ob.map_or(nb.threshold_pct, |b| b.threshold_pct.max(nb.threshold_pct));
                    let drift = host_drift(column, ob, nb);
                    let allowed = threshold.max(os.noise_pct + ns.noise_pct) + drift;
                    row.verdict = if !worse.is_finite() || !best_worse.is_finite() {
                        Verdict::NotCompared
                    } else if worse > allowed && best_worse > threshold + drift {
                        Verdict::Regressed
                    } else if worse < -allowed && best_worse < -(threshold + drift) {
                        Verdict::Improved
                    } else {
                        Verdict::Same
                    };
                    row.worse_pct = Some(worse);
                    row.best_worse_pct = Some(best_worse);
                    row.drift_pct = Some(drift);
                    row.allowed_pct = Some(allowed);
                }
                (Some(Outcome::Ok(_)), Outcome::Unsupported { .. }) => row.verdict = Verdict::Lost,
                (Some(Outcome::Unsupported { .. }), Outcome::Ok(_)) => {
                    row.verdict = Verdict::Gained
                }
                _ => {}
            }
            rows.push(row);
        }
    }
    Comparison { rows }
}

/// The comparison as a table for a terminal (or Markdown).
pub fn render(cmp: &Comparison, old: &Run, new: &Run, markdown: bool) -> String {
    let mut t = Table::new();
    t.load_preset(if markdown {
        presets::ASCII_MARKDOWN
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    t.set_header([
        "benchmark",
        "column",
        "unit",
        "old",
        "new",
        "median worse by",
        "best worse by",
        "host drift",
        "band",
        "verdict",
    ]);
    for r in &cmp.rows {
        let verdict = Cell::new(if r.gated {
            r.verdict.text().to_string()
        } else {
            format!("{} (info)", r.verdict.text())
        });
        let verdict = match (r.gated, r.verdict) {
            (true, v) if v.is_failure() => verdict.fg(Color::Red),
            (_, Verdict::Improved | Verdict::Gained) => verdict.fg(Color::Green),
            _ => verdict,
        };
        t.add_row(vec![
            Cell::new(&r.bench),
            Cell::new(&r.column),
            Cell::new(&r.unit),
            Cell::new(&r.old).set_alignment(CellAlignment::Right),
            Cell::new(&r.new).set_alignment(CellAlignment::Right),
            Cell::new(r.worse_pct.map_or("-".into(), |w| format!("{w:+.1}%")))
                .set_alignment(CellAlignment::Right),
            Cell::new(r.best_worse_pct.map_or("-".into(), |w| format!("{w:+.1}%")))
                .set_alignment(CellAlignment::Right),
            Cell::new(r.drift_pct.map_or("-".into(), |w| format!("{w:.0}%")))
                .set_alignment(CellAlignment::Right),
            Cell::new(r.allowed_pct.map_or("-".into(), |a| format!("±{a:.0}%")))
                .set_alignment(CellAlignment::Right),
            verdict,
        ]);
    }
    let mut s = format!(
        "old: {} ({}{}) {}\nnew: {} ({}{}) {}\n\
         a regression: the median worse by more than the band (threshold or noise, plus host \
         drift) and the best round worse by more than the threshold plus host drift\n",
        old.date,
        old.git.short,
        if old.git.dirty { "+dirty" } else { "" },
        old.settings.kernel_binary,
        new.date,
        new.git.short,
        if new.git.dirty { "+dirty" } else { "" },
        new.settings.kernel_binary,
    );
    if old.machine.cpu_model != new.machine.cpu_model || old.machine.cores != new.machine.cores {
        s += &format!(
            "warning: different machines ({} x{} vs {} x{}): absolute numbers do not compare\n",
            old.machine.cpu_model, old.machine.cores, new.machine.cpu_model, new.machine.cores
        );
    }
    s += &t.to_string();
    s.push('\n');
    let failures = cmp.failures();
    if failures.is_empty() {
        s += "no regression\n";
    } else {
        for r in failures {
            s += &format!(
                "regression: {} on {}: {} -> {}{}\n",
                r.bench,
                r.column,
                r.old,
                r.new,
                r.worse_pct.map_or(String::new(), |w| format!(
                    " (median {w:+.1}% worse, band ±{:.0}%; best round {:+.1}%)",
                    r.allowed_pct.unwrap_or(0.0),
                    r.best_worse_pct.unwrap_or(0.0),
                )),
            );
        }
    }
    s
}

#[cfg(test)]
pub mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{GitInfo, Machine, Settings, SCHEMA};

    /// A run with two benchmarks, one of each direction, on kernel and native columns.
    pub fn synthetic_run() -> Run {
        let ok = |v: &[f64]| Outcome::Ok(Stats::from_samples(v.to_vec()).unwrap());
        let mut getppid = BTreeMap::new();
        getppid.insert("native-1cpu".to_string(), ok(&[0.24, 0.25, 0.24]));
        getppid.insert(
            "kernel-1cpu".to_string(),
            ok(&[12.0, 12.3, 11.9, 12.1, 12.6]),
        );
        getppid.insert("kernel".to_string(), ok(&[40.0, 60.0, 45.0, 50.0, 55.0]));
        let mut read = BTreeMap::new();
        read.insert("native-1cpu".to_string(), ok(&[5000.0, 5100.0, 4900.0]));
        read.insert("kernel-1cpu".to_string(), ok(&[2200.0, 2180.0, 2250.0]));
        read.insert(
            "kernel".to_string(),
            Outcome::Unsupported {
                reason: "fork: Function not implemented".into(),
            },
        );
        Run {
            schema: SCHEMA,
            date: "2025-01-01T00:00:00Z".into(),
            git: GitInfo {
                rev: "a".repeat(40),
                short: "a".repeat(10),
                dirty: false,
            },
            machine: Machine {
                cpu_model: "test cpu".into(),
                cores: 2,
                ..Default::default()
            },
            settings: Settings::default(),
            duration_s: 60.0,
            benchmarks: vec![
                BenchResult {
                    name: "syscall_getppid".into(),
                    title: "getppid".into(),
                    unit: "us/call".into(),
                    better: Better::Lower,
                    threshold_pct: 10.0,
                    results: getppid,
                },
                BenchResult {
                    name: "file_read_seq".into(),
                    title: "read".into(),
                    unit: "MiB/s".into(),
                    better: Better::Higher,
                    threshold_pct: 20.0,
                    results: read,
                },
            ],
        }
    }

    /// Multiplies every sample of `bench` in `column` by `factor`.
    pub fn scale(run: &mut Run, bench: &str, column: &str, factor: f64) {
        let b = run.benchmarks.iter_mut().find(|b| b.name == bench).unwrap();
        let o = b.results.get_mut(column).unwrap();
        let Outcome::Ok(s) = o else {
            panic!("not measured")
        };
        *o = Outcome::Ok(
            Stats::from_samples(s.samples.iter().map(|v| v * factor).collect()).unwrap(),
        );
    }

    fn gate() -> Vec<String> {
        vec!["kernel".into()]
    }

    #[test]
    fn a_run_against_itself_has_no_regression() {
        let r = synthetic_run();
        let c = compare(&r, &r, &gate());
        assert!(c.failures().is_empty());
        assert!(c
            .rows
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Same | Verdict::NotCompared)));
    }

    #[test]
    fn three_times_slower_is_a_regression_named() {
        let old = synthetic_run();
        let mut new = old.clone();
        scale(&mut new, "syscall_getppid", "kernel-1cpu", 3.0);
        let c = compare(&old, &new, &gate());
        let f = c.failures();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].bench, "syscall_getppid");
        assert_eq!(f[0].column, "kernel-1cpu");
        assert!((f[0].worse_pct.unwrap() - 200.0).abs() < 1e-6);
        assert!(
            render(&c, &old, &new, false).contains("regression: syscall_getppid on kernel-1cpu")
        );
    }

    #[test]
    fn throughput_divided_by_three_is_a_regression() {
        let old = synthetic_run();
        let mut new = old.clone();
        scale(&mut new, "file_read_seq", "kernel-1cpu", 1.0 / 3.0);
        let f: Vec<_> = compare(&old, &new, &gate())
            .failures()
            .iter()
            .map(|r| r.bench.clone())
            .collect();
        assert_eq!(f, ["file_read_seq"]);
    }

    #[test]
    fn faster_is_an_improvement_not_a_failure() {
        let old = synthetic_run();
        let mut new = old.clone();
        scale(&mut new, "syscall_getppid", "kernel-1cpu", 0.5);
        let c = compare(&old, &new, &gate());
        assert!(c.failures().is_empty());
        assert!(c.rows.iter().any(|r| r.verdict == Verdict::Improved));
    }

    #[test]
    fn change_within_the_noise_band_is_not_a_regression() {
        let old = synthetic_run();
        let mut new = old.clone();
        // The unpinned column is noisy (±~10% each run): 15% worse stays inside the band.
        scale(&mut new, "syscall_getppid", "kernel", 1.15);
        assert!(compare(&old, &new, &gate()).failures().is_empty());
        // 15% worse on the quiet pinned column is beyond its 10% threshold.
        let mut new = old.clone();
        scale(&mut new, "syscall_getppid", "kernel-1cpu", 1.15);
        assert_eq!(compare(&old, &new, &gate()).failures().len(), 1);
    }

    #[test]
    fn ungated_columns_inform_but_do_not_fail() {
        let old = synthetic_run();
        let mut new = old.clone();
        scale(&mut new, "syscall_getppid", "native-1cpu", 3.0);
        let c = compare(&old, &new, &gate());
        assert!(c.failures().is_empty());
        assert!(c
            .rows
            .iter()
            .any(|r| r.verdict == Verdict::Regressed && !r.gated));
        assert_eq!(compare(&old, &new, &["all".into()]).failures().len(), 1);
    }

    #[test]
    fn a_host_that_drifted_widens_the_band() {
        let old = synthetic_run();
        let mut new = old.clone();
        // The host got 40% slower at getppid, and so did the kernel: not the kernel's doing.
        scale(&mut new, "syscall_getppid", "native-1cpu", 1.4);
        scale(&mut new, "syscall_getppid", "kernel-1cpu", 1.4);
        assert!(compare(&old, &new, &gate()).failures().is_empty());
        // A kernel 3x slower is caught however much the host drifted.
        scale(&mut new, "syscall_getppid", "native-1cpu", 10.0);
        scale(&mut new, "syscall_getppid", "kernel-1cpu", 3.0);
        assert_eq!(compare(&old, &new, &gate()).failures().len(), 1);
    }

    #[test]
    fn a_median_moved_by_load_with_an_unmoved_best_round_is_no_regression() {
        let old = synthetic_run();
        let mut new = old.clone();
        let b = new
            .benchmarks
            .iter_mut()
            .find(|b| b.name == "syscall_getppid")
            .unwrap();
        // Three of five rounds disturbed, the best two as fast as before.
        b.results.insert(
            "kernel-1cpu".into(),
            Outcome::Ok(Stats::from_samples(vec![11.9, 12.0, 18.0, 19.0, 20.0]).unwrap()),
        );
        let c = compare(&old, &new, &gate());
        let row = c
            .rows
            .iter()
            .find(|r| r.column == "kernel-1cpu" && r.bench == "syscall_getppid");
        assert!(row.unwrap().worse_pct.unwrap() > 40.0);
        assert!(c.failures().is_empty());
    }

    #[test]
    fn losing_support_fails_and_gaining_it_does_not() {
        let old = synthetic_run();
        let mut new = old.clone();
        let b = new
            .benchmarks
            .iter_mut()
            .find(|b| b.name == "syscall_getppid")
            .unwrap();
        b.results.insert(
            "kernel-1cpu".into(),
            Outcome::Unsupported {
                reason: "crash".into(),
            },
        );
        let c = compare(&old, &new, &gate());
        assert_eq!(c.failures()[0].verdict, Verdict::Lost);
        let c = compare(&new, &old, &gate());
        assert!(c.failures().is_empty());
        assert!(c.rows.iter().any(|r| r.verdict == Verdict::Gained));
    }
}
