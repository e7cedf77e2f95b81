//! The history of runs (one JSON run per line, appended by `perf run --record`) and an SVG
//! plot per benchmark drawn from it: the median of every column over the recorded revisions,
//! with the min..max of the rounds as error bars.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::prelude::*;

use crate::model::{Outcome, Run};

/// Appends `run` to the history file.
pub fn record(run: &Run, path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    writeln!(f, "{}", serde_json::to_string(run)?)?;
    Ok(())
}

/// Reads every run of the history file, oldest first. Lines that do not parse are skipped
/// with a warning (a schema change must not make the whole history unreadable).
pub fn load(path: &Path) -> Result<Vec<Run>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut runs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Run>(line) {
            Ok(r) => runs.push(r),
            Err(e) => eprintln!("perf: {}:{}: skipped: {e}", path.display(), i + 1),
        }
    }
    Ok(runs)
}

/// Draws `DIR/<benchmark>.svg` for every benchmark measured at least once in `runs`; returns
/// the files written.
pub fn plot(runs: &[Run], dir: &Path) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut names: Vec<&str> = Vec::new();
    for r in runs {
        for b in &r.benchmarks {
            if !names.contains(&b.name.as_str()) {
                names.push(&b.name);
            }
        }
    }
    let mut written = Vec::new();
    for name in names {
        let path = dir.join(format!("{name}.svg"));
        if plot_one(runs, name, &path)? {
            written.push(path);
        }
    }
    Ok(written)
}

/// A point of a series: run index, min, median, max.
type Point = (f64, f64, f64, f64);

fn plot_one(runs: &[Run], name: &str, path: &Path) -> Result<bool> {
    let mut columns = BTreeSet::new();
    let (mut title, mut unit, mut better) = (String::new(), String::new(), String::new());
    for r in runs {
        if let Some(b) = r.bench(name) {
            (title, unit, better) = (b.title.clone(), b.unit.clone(), b.better.to_string());
            columns.extend(
                b.results
                    .iter()
                    .filter(|(_, o)| o.stats().is_some())
                    .map(|(c, _)| c.clone()),
            );
        }
    }
    let series: Vec<(String, Vec<Point>)> = columns
        .into_iter()
        .map(|c| {
            let pts = runs
                .iter()
                .enumerate()
                .filter_map(|(i, r)| match r.bench(name)?.results.get(&c)? {
                    Outcome::Ok(s) => Some((i as f64, s.min, s.median, s.max)),
                    _ => None,
                })
                .collect();
            (c, pts)
        })
        .collect();
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|&(_, a, _, b)| [a, b]))
        .collect();
    let lo = all
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(0.0, f64::max);
    if !lo.is_finite() || hi <= 0.0 {
        return Ok(false);
    }

    let labels: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                &r.git.short[..r.git.short.len().min(7)],
                if r.git.dirty { "+" } else { "" }
            )
        })
        .collect();
    let n = runs.len();
    let root = SVGBackend::new(path, (960, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{name}: {title}"), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo / 1.3..hi * 1.3).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_labels(n.min(24) + 1)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_desc("revision (oldest first)")
        .y_desc(format!("{unit} ({better} is better, log scale)"))
        .draw()
        .map_err(plot_err)?;
    for (col, pts) in &series {
        let color = column_color(col);
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|&(x, _, m, _)| (x, m)),
                color.stroke_width(2),
            ))
            .map_err(plot_err)?
            .label(col.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, a, m, b)| ErrorBar::new_vertical(x, a, m, b, color.filled(), 8)),
            )
            .map_err(plot_err)?;
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, _, m, _)| Circle::new((x, m), 3, color.filled())),
            )
            .map_err(plot_err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(true)
}

/// The same colour for a column in every plot: blue native, red kernel, green UML, darker
/// when pinned to one host CPU.
fn column_color(column: &str) -> RGBAColor {
    let rgb = match column {
        "native-1cpu" => RGBColor(0x1f, 0x4e, 0xb4),
        "native" => RGBColor(0x6f, 0xa8, 0xf0),
        "kernel-1cpu" => RGBColor(0xb4, 0x1f, 0x1f),
        "kernel" => RGBColor(0xf0, 0x7a, 0x6f),
        "uml-1cpu" => RGBColor(0x1f, 0x8a, 0x3c),
        "uml" => RGBColor(0x8c, 0xd0, 0x8a),
        _ => RGBColor(0x55, 0x55, 0x55),
    };
    rgb.to_rgba()
}

fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("plotting failed: {e:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::{scale, synthetic_run};

    #[test]
    fn record_load_and_plot() {
        let dir = tempfile::tempdir().unwrap();
        let hist = dir.path().join("history.jsonl");
        let a = synthetic_run();
        let mut b = a.clone();
        b.git.short = "bbbbbbbbbb".into();
        scale(&mut b, "syscall_getppid", "kernel-1cpu", 1.5);
        record(&a, &hist).unwrap();
        record(&b, &hist).unwrap();
        let runs = load(&hist).unwrap();
        assert_eq!(runs, vec![a, b]);
        let files = plot(&runs, &dir.path().join("plots")).unwrap();
        assert_eq!(files.len(), 2);
        let svg = fs::read_to_string(dir.path().join("plots/syscall_getppid.svg")).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("kernel-1cpu") && svg.contains("bbbbbbb"));
    }
}
