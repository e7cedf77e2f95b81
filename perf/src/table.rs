//! The results of a run as two tables: pinned to one host CPU, and unpinned.

use std::collections::BTreeMap;

use comfy_table::{presets, Cell, CellAlignment, Table};

use crate::model::{BenchResult, Outcome, Run};

fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn fmt_ratio(r: f64) -> String {
    if !r.is_finite() {
        "-".into()
    } else if r >= 100.0 {
        format!("x{r:.0}")
    } else if r >= 10.0 {
        format!("x{r:.1}")
    } else {
        format!("x{r:.2}")
    }
}

fn cell(o: Option<&Outcome>) -> String {
    match o {
        Some(Outcome::Ok(s)) => format!("{} ±{:.0}%", fmt_value(s.median), s.noise_pct),
        Some(o) => o.label().into(),
        None => "-".into(),
    }
}

/// How many times worse the kernel is than `other` in this benchmark, if both were measured.
fn ratio(b: &BenchResult, kernel: &str, other: &str) -> String {
    match (
        b.results.get(kernel).and_then(Outcome::stats),
        b.results.get(other).and_then(Outcome::stats),
    ) {
        (Some(k), Some(o)) => fmt_ratio(b.better.cost_ratio(k.median, o.median)),
        _ => "-".into(),
    }
}

/// The tables, their legend, and why each unsupported cell is unsupported.
pub fn render(run: &Run, markdown: bool) -> String {
    let mut s =
        format!(
        "{} at {}{} on {} ({} CPUs, Linux {}, load {}); {} rounds of ~{} ms; suite took {:.0} s\n\
         kernel: {}\nUML: {}\n",
        run.date,
        run.git.short,
        if run.git.dirty { "+dirty" } else { "" },
        run.machine.cpu_model,
        run.machine.cores,
        run.machine.kernel,
        run.machine.load_avg.iter().map(|l| format!("{l:.1}")).collect::<Vec<_>>().join(" -> "),
        run.settings.rounds,
        run.settings.round_ms,
        run.duration_s,
        run.settings.kernel_binary,
        run.settings.uml_version.as_deref().unwrap_or("not measured"),
    );
    for (suffix, heading) in [
        (
            "-1cpu",
            format!(
                "pinned to host CPU {} (taskset -c {})",
                run.settings.pin_cpu, run.settings.pin_cpu
            ),
        ),
        ("", format!("unpinned ({} host CPUs)", run.machine.cores)),
    ] {
        let (n, k, u) = (
            format!("native{suffix}"),
            format!("kernel{suffix}"),
            format!("uml{suffix}"),
        );
        if !run
            .benchmarks
            .iter()
            .any(|b| b.results.contains_key(&k) || b.results.contains_key(&n))
        {
            continue;
        }
        let mut t = Table::new();
        t.load_preset(if markdown {
            presets::ASCII_MARKDOWN
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        t.set_header([
            "benchmark",
            "unit",
            "better",
            "native",
            "kernel",
            "UML",
            "kernel vs native",
            "kernel vs UML",
        ]);
        for b in &run.benchmarks {
            let right = |x: String| Cell::new(x).set_alignment(CellAlignment::Right);
            t.add_row(vec![
                Cell::new(&b.name),
                Cell::new(&b.unit),
                Cell::new(b.better),
                right(cell(b.results.get(&n))),
                right(cell(b.results.get(&k))),
                right(cell(b.results.get(&u))),
                right(ratio(b, &k, &n)),
                right(ratio(b, &k, &u)),
            ]);
        }
        s += &format!("\n{heading}\n{t}\n");
    }
    s += "\nmedian ±noise band (half the spread of the rounds, percent); \"kernel vs X\" = how \
          many times worse the kernel is than X (x1.00 = as good, above = worse, below = better)\n";

    // Why things are unsupported, once per benchmark and reason.
    let mut reasons: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    for (i, b) in run.benchmarks.iter().enumerate() {
        for (col, o) in &b.results {
            if let Outcome::Unsupported { reason } | Outcome::Skipped { reason } = o {
                reasons
                    .entry((i, reason.clone()))
                    .or_default()
                    .push(col.clone());
            }
        }
    }
    if !reasons.is_empty() {
        s += "\nunsupported / skipped:\n";
        for ((i, reason), cols) in reasons {
            let line = format!(
                "- {} on {}: {}\n",
                run.benchmarks[i].name,
                cols.join(", "),
                reason
            );
            s += &if markdown {
                line.replace('|', "\\|")
            } else {
                line
            };
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::synthetic_run;

    #[test]
    fn renders_ratios_and_reasons() {
        let text = render(&synthetic_run(), false);
        // 12.1 / 0.24 = 50.4 times slower than native.
        assert!(text.contains("x50.4"), "{text}");
        assert!(
            text.contains("file_read_seq on kernel: fork: Function not implemented"),
            "{text}"
        );
    }
}
