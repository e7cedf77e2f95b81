//! `perf`: the benchmark suite. Measures the kernel beside the host and User-Mode Linux,
//! records the results as JSON, compares two runs and flags regressions, and keeps a history
//! with a plot per benchmark. See perf/README.md.

mod bench;
mod compare;
mod history;
mod model;
mod runner;
mod suite;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::bench::{Column, SUITE};
use crate::model::Run;

#[derive(Parser)]
#[command(
    name = "perf",
    version,
    about = "The kernel's benchmark suite and regression tracking"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build everything needed, measure the suite, print the tables and write the JSON.
    Run(RunArgs),
    /// Compare two runs; exits 1 when a gated column regressed beyond its noise band.
    Compare {
        /// The reference run (JSON from `perf run`).
        old: PathBuf,
        /// The run to judge.
        new: PathBuf,
        /// Systems whose columns can fail the comparison: kernel, native, uml, all.
        #[arg(long, value_delimiter = ',', default_value = "kernel")]
        gate: Vec<String>,
        /// Print Markdown tables.
        #[arg(long)]
        markdown: bool,
    },
    /// Print the tables of a recorded run.
    Show {
        /// A run (JSON from `perf run`).
        run: PathBuf,
        /// Print Markdown tables.
        #[arg(long)]
        markdown: bool,
    },
    /// Redraw the SVG plots from the history file.
    Plot {
        #[command(flatten)]
        hist: HistoryArgs,
    },
    /// List the benchmarks: unit, direction, regression threshold.
    List,
}

#[derive(Args)]
struct HistoryArgs {
    /// The history file (one run per line) [default: perf/history.jsonl in the workspace].
    #[arg(long)]
    history: Option<PathBuf>,
    /// Where the SVG plots go [default: perf/plots in the workspace].
    #[arg(long)]
    plots: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    /// Measure this kernel binary instead of building the workspace's (release).
    #[arg(long, value_name = "PATH")]
    kernel: Option<PathBuf>,
    /// The User-Mode Linux binary [default: `linux` on PATH, if any].
    #[arg(long, value_name = "PATH")]
    uml: Option<PathBuf>,
    /// Leave User-Mode Linux out.
    #[arg(long, conflicts_with = "uml")]
    no_uml: bool,
    /// Measured rounds per benchmark and column.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    rounds: u32,
    /// Target length of one round, milliseconds.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    round_ms: u32,
    /// Boots per column for boot_to_prompt.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    boot_rounds: u32,
    /// The host CPU for the pinned columns.
    #[arg(long, default_value_t = 0)]
    pin_cpu: usize,
    /// Deadline for one native or kernel launch, seconds (a UML boot running all of its
    /// benchmarks gets 60 s plus 5 s per benchmark).
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Deadline for a boot to show its shell prompt, seconds.
    #[arg(long, default_value_t = 8)]
    boot_timeout: u64,
    /// Run only these benchmarks (repeat or comma-separate; see `perf list`).
    #[arg(long, value_delimiter = ',')]
    bench: Vec<String>,
    /// Fill only these columns: native-1cpu, kernel-1cpu, uml-1cpu, native, kernel, uml.
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// Also write the JSON here (it always goes to WORK/latest.json and WORK/runs/).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Append the run to the history file and redraw the plots.
    #[arg(long)]
    record: bool,
    #[command(flatten)]
    hist: HistoryArgs,
    /// Scratch directory [default: $CARGO_TARGET_DIR/perf, else target/perf].
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// The workspace root [default: the one perf was built from].
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Print Markdown tables.
    #[arg(long)]
    markdown: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("perf: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Cmd::Run(args) => run(args),
        Cmd::Compare {
            old,
            new,
            gate,
            markdown,
        } => {
            let (old_run, new_run) = (Run::load(&old)?, Run::load(&new)?);
            let cmp = compare::compare(&old_run, &new_run, &gate);
            print!("{}", compare::render(&cmp, &old_run, &new_run, markdown));
            Ok(if cmp.failures().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Cmd::Show { run, markdown } => {
            print!("{}", table::render(&Run::load(&run)?, markdown));
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Plot { hist } => {
            let root = default_root();
            let runs = history::load(&history_path(&hist, &root))?;
            for f in history::plot(&runs, &plots_dir(&hist, &root))? {
                println!("{}", f.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::List => {
            for b in SUITE {
                println!(
                    "{:<26} {:<14} {:<6} ±{:>3}%  {}",
                    b.name, b.unit, b.better, b.threshold_pct, b.title
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let root = match &args.root {
        Some(r) => r
            .canonicalize()
            .with_context(|| format!("--root {}", r.display()))?,
        None => default_root(),
    };
    let work = args.work_dir.clone().unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("perf")
    });
    let uml = if args.no_uml {
        None
    } else {
        match &args.uml {
            Some(p) => Some(p.clone()),
            None => find_on_path("linux"),
        }
    };
    let benches = if args.bench.is_empty() {
        SUITE.iter().collect()
    } else {
        args.bench
            .iter()
            .map(|n| {
                bench::find(n).with_context(|| format!("no benchmark {n:?} (see `perf list`)"))
            })
            .collect::<Result<Vec<_>>>()?
    };
    let all = Column::all();
    let columns = if args.columns.is_empty() {
        all
    } else {
        let mut v = Vec::new();
        for k in &args.columns {
            match all.iter().find(|c| c.key() == *k) {
                Some(c) => v.push(*c),
                None => bail!(
                    "no column {k:?}: choose from native-1cpu kernel-1cpu uml-1cpu native \
                     kernel uml"
                ),
            }
        }
        v
    };
    let opts = suite::Options {
        root: root.clone(),
        work: work.clone(),
        kernel: args.kernel.clone(),
        uml,
        rounds: args.rounds,
        round_ms: args.round_ms,
        boot_rounds: args.boot_rounds,
        pin_cpu: args.pin_cpu,
        timeout: Duration::from_secs(args.timeout),
        boot_timeout: Duration::from_secs(args.boot_timeout),
        benches,
        columns,
    };
    suite::describe(&opts, &mut std::io::stderr())?;
    let result = suite::run(&opts)?;

    print!("{}", table::render(&result, args.markdown));
    let stamp = result
        .date
        .replace([':', '-'], "")
        .replace('T', "-")
        .trim_end_matches('Z')
        .to_string();
    let mut outs = vec![
        work.join("latest.json"),
        work.join("runs")
            .join(format!("{stamp}-{}.json", result.git.short)),
    ];
    outs.extend(args.out.clone());
    for o in &outs {
        result.save(o)?;
    }
    println!(
        "results: {}",
        outs.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if args.record {
        let hist = history_path(&args.hist, &root);
        history::record(&result, &hist)?;
        let runs = history::load(&hist)?;
        let files = history::plot(&runs, &plots_dir(&args.hist, &root))?;
        println!(
            "recorded in {} ({} runs); {} plots redrawn",
            hist.display(),
            runs.len(),
            files.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The workspace perf was built from.
fn default_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().unwrap_or(manifest);
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

fn history_path(h: &HistoryArgs, root: &Path) -> PathBuf {
    h.history
        .clone()
        .unwrap_or_else(|| root.join("perf/history.jsonl"))
}

fn plots_dir(h: &HistoryArgs, root: &Path) -> PathBuf {
    h.plots.clone().unwrap_or_else(|| root.join("perf/plots"))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}
