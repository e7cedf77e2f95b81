//! `perf run`: builds the guest programs, the image and the kernel, then measures every
//! benchmark natively, in the kernel and under User-Mode Linux, pinned and unpinned.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::bench::{self, Benchmark, Column, Kind, System, CPU_WORK, SUITE};
use crate::model::{BenchResult, GitInfo, Machine, Outcome, Run, Settings, Stats, SCHEMA};
use crate::runner::{self, Captured};

/// Size of the file the sequential-read benchmarks read.
const DATA_BYTES: usize = 64 << 20;
/// Where the guest programs live inside the image.
const GUEST_BIN: &str = "/perf/bin";
/// The file the sequential-read benchmarks read, inside the image.
const GUEST_DATA: &str = "/perf/data/seq.bin";
/// Image size: busybox, the guest programs and the data file with room to spare.
const IMAGE_SIZE: &str = "128M";
/// Guest memory for the kernel and UML.
const GUEST_MEM: &str = "256M";
/// How long an idle system at its prompt is watched (the issue asks "over 10 s").
const IDLE_WINDOW: Duration = Duration::from_secs(10);
/// How long after the prompt shows the idle window starts.
const IDLE_SETTLE: Duration = Duration::from_millis(500);

/// How `perf run` was asked to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// The workspace root (holds tests/mkroot.sh and perf/guest).
    pub root: PathBuf,
    /// Scratch space: compiled guest programs, the image, UML's copy-on-write files.
    pub work: PathBuf,
    /// A kernel binary to measure instead of building the workspace's.
    pub kernel: Option<PathBuf>,
    /// The User-Mode Linux binary, or `None` to leave UML out.
    pub uml: Option<PathBuf>,
    /// Measured rounds per benchmark and column.
    pub rounds: u32,
    /// Target length of a round, milliseconds.
    pub round_ms: u32,
    /// Boots per column for boot-to-prompt.
    pub boot_rounds: u32,
    /// The host CPU pinned columns run on.
    pub pin_cpu: usize,
    /// Deadline for one native or kernel launch.
    pub timeout: Duration,
    /// Deadline for one boot to reach its prompt.
    pub boot_timeout: Duration,
    /// The benchmarks to run.
    pub benches: Vec<&'static Benchmark>,
    /// The columns to fill.
    pub columns: Vec<Column>,
}

/// Everything built before measuring.
struct Prepared {
    /// Host directory copied over the image: its perf/bin has pbench and nop.
    extra: PathBuf,
    /// The root image.
    image: PathBuf,
    /// Sum of the first u64 of each 64-byte line of the data file.
    data_sum: u64,
    /// The kernel binary.
    kernel: PathBuf,
}

/// Samples gathered so far for one benchmark in one column, or why it stopped.
#[derive(Default)]
struct Cell {
    samples: Vec<f64>,
    failed: Option<String>,
}

impl Cell {
    /// Takes a launch's result. A failure after successful rounds says which round it was.
    fn take(&mut self, result: std::result::Result<Vec<f64>, String>, round: u32, rounds: u32) {
        match result {
            Ok(v) => self.samples.extend(v),
            Err(why) if round == 0 => self.failed = Some(why),
            Err(why) => self.failed = Some(format!("round {} of {rounds}: {why}", round + 1)),
        }
    }
}

/// Runs the suite and returns its results.
///
/// A round launches every benchmark once in every column (a fresh process natively, a fresh
/// boot of the kernel, one UML boot per column for all its benchmarks) and each launch
/// measures one sample after its own warm-up. Rounds follow one another, so a burst of load
/// on the host (a build next door) lands in one round of every column and shows up as spread
/// (the noise band) instead of skewing one column's median. A benchmark that fails in a
/// column is not launched there again.
pub fn run(opts: &Options) -> Result<Run> {
    let started = Instant::now();
    let load_at_start = load_avg();
    let date = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    fs::create_dir_all(&opts.work)
        .with_context(|| format!("cannot create {}", opts.work.display()))?;
    let work = opts.work.canonicalize()?;
    let prep = prepare(opts, &work)?;
    let uml_version = opts.uml.as_deref().map(uml_version);

    // Decide first what is not measured at all.
    let mut fixed: BTreeMap<(&str, String), Outcome> = BTreeMap::new();
    let mut cells: BTreeMap<(&'static str, Column), Cell> = BTreeMap::new();
    for b in &opts.benches {
        for &c in &opts.columns {
            let skip = match (b.kind, c.system) {
                (_, System::Uml) if opts.uml.is_none() => Some(Outcome::Skipped {
                    reason: "User-Mode Linux (linux) not installed".into(),
                }),
                (Kind::BootToPrompt | Kind::IdleAtPrompt { .. }, System::Native) => {
                    Some(Outcome::NotApplicable {
                        reason: "the host does not boot for a benchmark".into(),
                    })
                }
                (Kind::CpuRatio { .. }, System::Native) => Some(Outcome::NotApplicable {
                    reason: "the host's CPU count is not a boot option".into(),
                }),
                (Kind::CpuRatio { .. }, System::Uml) => Some(Outcome::NotApplicable {
                    reason: "UML in ptrace mode boots one CPU only".into(),
                }),
                (Kind::NestedPlaceholder, System::Kernel) => Some(Outcome::Unsupported {
                    reason: "placeholder: the kernel cannot run inside itself yet (future work)"
                        .into(),
                }),
                (Kind::NestedPlaceholder, _) => Some(Outcome::NotApplicable {
                    reason: "nested runs are measured for the kernel only".into(),
                }),
                _ => None,
            };
            match skip {
                Some(o) => {
                    fixed.insert((b.name, c.key()), o);
                }
                None => {
                    cells.insert((b.name, c), Cell::default());
                }
            }
        }
    }
    let is_boot = |name: &str| bench::find(name).is_some_and(|b| b.boots());
    let steps: u64 = cells
        .keys()
        .map(|(n, _)| if is_boot(n) { opts.boot_rounds } else { opts.rounds } as u64)
        .sum();
    let bar = ProgressBar::new(steps).with_style(
        ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );

    for round in 0..opts.rounds.max(opts.boot_rounds) {
        if round < opts.rounds {
            // Native and kernel: one launch per benchmark, columns alternating.
            for b in &opts.benches {
                for &c in opts.columns.iter().filter(|c| c.system != System::Uml) {
                    let Some(cell) = cells.get_mut(&(b.name, c)) else {
                        continue;
                    };
                    if !matches!(b.kind, Kind::Guest { .. } | Kind::CpuRatio { .. }) {
                        continue;
                    }
                    bar.set_message(format!("round {}: {} on {}", round + 1, b.name, c.key()));
                    let r = match b.kind {
                        _ if cell.failed.is_some() => None,
                        Kind::Guest { spec, ncpus } => {
                            Some(guest_launch(opts, &prep, c, spec, ncpus)?)
                        }
                        Kind::CpuRatio {
                            spec,
                            ncpus,
                            base_ncpus,
                        } => {
                            let measured = guest_launch(opts, &prep, c, spec, ncpus)?;
                            let base = guest_launch(opts, &prep, c, spec, base_ncpus)?;
                            Some(ratio_of(measured, base))
                        }
                        _ => None,
                    };
                    if let Some(r) = r {
                        cell.take(r, round, opts.rounds);
                    }
                    bar.inc(1);
                }
            }
            // UML: one boot per column runs all of its guest benchmarks.
            for &c in opts.columns.iter().filter(|c| c.system == System::Uml) {
                let all: Vec<&'static Benchmark> = opts
                    .benches
                    .iter()
                    .copied()
                    .filter(|b| matches!(b.kind, Kind::Guest { .. }))
                    .filter(|b| cells.contains_key(&(b.name, c)))
                    .collect();
                let live: Vec<&'static Benchmark> = all
                    .iter()
                    .copied()
                    .filter(|b| cells[&(b.name, c)].failed.is_none())
                    .collect();
                if !live.is_empty() {
                    bar.set_message(format!(
                        "round {}: {} benchmarks in one boot of {}",
                        round + 1,
                        live.len(),
                        c.key()
                    ));
                    for (name, r) in uml_batch(opts, &prep, &work, c, &live)? {
                        cells
                            .get_mut(&(name, c))
                            .expect("live cell")
                            .take(r, round, opts.rounds);
                    }
                }
                bar.inc(all.len() as u64);
            }
        }
        if round < opts.boot_rounds {
            for b in opts.benches.iter().filter(|b| b.boots()) {
                for &c in &opts.columns {
                    let Some(cell) = cells.get_mut(&(b.name, c)) else {
                        continue;
                    };
                    bar.set_message(format!("round {}: {} on {}", round + 1, b.name, c.key()));
                    if cell.failed.is_none() {
                        let r = boot_to_prompt(opts, &prep, &work, c, b.kind)?;
                        cell.take(r, round, opts.boot_rounds);
                    }
                    bar.inc(1);
                }
            }
        }
    }
    bar.finish_and_clear();

    for ((name, c), cell) in cells {
        let outcome = match cell.failed {
            Some(reason) => Outcome::Unsupported { reason },
            None => Stats::from_samples(cell.samples)
                .map(Outcome::Ok)
                .unwrap_or(Outcome::Unsupported {
                    reason: "no usable samples".into(),
                }),
        };
        fixed.insert((name, c.key()), outcome);
    }
    let benchmarks = opts
        .benches
        .iter()
        .map(|b| BenchResult {
            name: b.name.into(),
            title: b.title.into(),
            unit: b.unit.into(),
            better: b.better,
            threshold_pct: b.threshold_pct,
            results: opts
                .columns
                .iter()
                .filter_map(|c| Some((c.key(), fixed.remove(&(b.name, c.key()))?)))
                .collect(),
        })
        .collect();
    Ok(Run {
        schema: SCHEMA,
        date,
        git: git_info(&opts.root),
        machine: Machine {
            load_avg: [load_at_start, load_avg()].into_iter().flatten().collect(),
            ..machine_info()
        },
        settings: Settings {
            rounds: opts.rounds,
            round_ms: opts.round_ms,
            boot_rounds: opts.boot_rounds,
            pin_cpu: opts.pin_cpu,
            kernel_binary: prep.kernel.display().to_string(),
            uml_version: uml_version.flatten(),
        },
        duration_s: started.elapsed().as_secs_f64(),
        benchmarks,
    })
}

// ---- preparation ----

fn prepare(opts: &Options, work: &Path) -> Result<Prepared> {
    let extra = work.join("extra");
    let bin = extra.join("perf/bin");
    fs::create_dir_all(&bin)?;
    fs::create_dir_all(extra.join("perf/data"))?;
    for prog in ["pbench", "nop"] {
        let src = opts.root.join("perf/guest").join(format!("{prog}.c"));
        let out = bin.join(prog);
        eprintln!("perf: gcc -O2 -static {}", src.display());
        let st = Command::new("gcc")
            .args(["-O2", "-static", "-Wall", "-o"])
            .arg(&out)
            .arg(&src)
            .status()
            .context("cannot run gcc (apt-get install gcc libc6-dev)")?;
        anyhow::ensure!(st.success(), "gcc failed on {}", src.display());
    }
    let data = extra.join(&GUEST_DATA[1..]);
    let data_sum = write_data_file(&data)?;

    let image = work.join("root.img");
    eprintln!(
        "perf: tests/mkroot.sh {} {}",
        image.display(),
        extra.display()
    );
    let st = Command::new(opts.root.join("tests/mkroot.sh"))
        .arg(&image)
        .arg(&extra)
        .env("MKROOT_SIZE", IMAGE_SIZE)
        .status()
        .context("cannot run tests/mkroot.sh")?;
    anyhow::ensure!(st.success(), "tests/mkroot.sh failed");

    let kernel = match &opts.kernel {
        Some(k) => {
            anyhow::ensure!(k.is_file(), "--kernel {}: no such file", k.display());
            k.canonicalize()?
        }
        None => build_kernel(&opts.root)?,
    };
    Ok(Prepared {
        extra,
        image,
        data_sum,
        kernel,
    })
}

/// The data file's words: xorshift64*, so the content is fixed and incompressible.
fn data_words() -> impl Iterator<Item = u64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    std::iter::repeat_with(move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// Sum of the first u64 of each 64-byte line of `bytes`, as pbench computes it.
pub fn line_sum(bytes: &[u8]) -> u64 {
    bytes
        .chunks(64)
        .filter(|c| c.len() >= 8)
        .map(|c| u64::from_le_bytes(c[..8].try_into().expect("8 bytes")))
        .fold(0u64, u64::wrapping_add)
}

/// Writes the data file (unless it is already there, same size and sum) and returns its sum.
fn write_data_file(path: &Path) -> Result<u64> {
    let bytes: Vec<u8> = data_words()
        .take(DATA_BYTES / 8)
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let sum = line_sum(&bytes);
    let same = fs::read(path).map(|old| old == bytes).unwrap_or(false);
    if !same {
        fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(sum)
}

/// `cargo build --release -p kernel`, returning the binary cargo reports.
fn build_kernel(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("perf: cargo build --release -p kernel");
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "-p", "kernel", "--bin", "kernel"])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    anyhow::ensure!(
        out.status.success(),
        "cargo build of the kernel failed (measure a kernel built earlier with --kernel PATH)"
    );
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "kernel" {
            if let Some(exe) = msg["executable"].as_str() {
                return Ok(PathBuf::from(exe));
            }
        }
    }
    bail!("cargo built the kernel but did not say where the binary is")
}

fn uml_version(linux: &Path) -> Option<String> {
    let out = Command::new(linux)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!v.is_empty()).then_some(v)
}

// ---- launching ----

/// Fills in a spec's placeholders for a system: host paths natively, image paths in a guest.
fn fill_spec(spec: &str, native: bool, prep: &Prepared) -> String {
    let (bin, data) = if native {
        (
            prep.extra.join(&GUEST_BIN[1..]),
            prep.extra.join(&GUEST_DATA[1..]),
        )
    } else {
        (PathBuf::from(GUEST_BIN), PathBuf::from(GUEST_DATA))
    };
    spec.replace("{bin}", &bin.display().to_string())
        .replace("{data}", &data.display().to_string())
        .replace("{sum}", &prep.data_sum.to_string())
        .replace("{work}", &CPU_WORK.to_string())
}

/// A command, behind `taskset -c CPU` when pinned.
fn command(program: &Path, pinned: bool, pin_cpu: usize) -> Command {
    if pinned {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(pin_cpu.to_string()).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// pbench's ROUNDS and ROUND_MS: one measured round per launch (see [`run`]).
fn pbench_args(opts: &Options) -> [String; 2] {
    ["1".to_string(), opts.round_ms.to_string()]
}

/// What one launch gave for one benchmark: its samples, or why there are none.
type Launch = std::result::Result<Vec<f64>, String>;

/// One benchmark natively or in the kernel.
fn guest_launch(
    opts: &Options,
    prep: &Prepared,
    col: Column,
    spec: &str,
    ncpus: usize,
) -> Result<Launch> {
    let native = col.system == System::Native;
    let spec = fill_spec(spec, native, prep);
    let cmd = if native {
        let mut c = command(
            &prep.extra.join("perf/bin/pbench"),
            col.pinned,
            opts.pin_cpu,
        );
        c.args(pbench_args(opts)).arg(&spec);
        c
    } else {
        let mut c = command(&prep.kernel, col.pinned, opts.pin_cpu);
        c.arg("quiet")
            .arg(format!("mem={GUEST_MEM}"))
            .arg(format!("ncpus={ncpus}"))
            .arg(format!("ubd0r={}", prep.image.display()))
            .arg(format!("init={GUEST_BIN}/pbench"))
            .arg("--")
            .args(pbench_args(opts))
            .arg(&spec);
        c
    };
    let cap = runner::run(cmd, opts.timeout, false, None)?;
    let mut parsed = parse_pbench(&cap, std::slice::from_ref(&spec), opts.timeout);
    Ok(parsed.remove(&spec).expect("one outcome per spec"))
}

/// The ratio of two launches' samples, taken in order (each launch measures one round).
fn ratio_of(measured: Launch, base: Launch) -> Launch {
    let (m, b) = (measured?, base?);
    if m.is_empty() || m.len() != b.len() {
        return Err(format!("{} samples against {}", m.len(), b.len()));
    }
    Ok(m.iter().zip(&b).map(|(m, b)| m / b).collect())
}

/// Every guest benchmark of a UML column in one boot.
fn uml_batch(
    opts: &Options,
    prep: &Prepared,
    work: &Path,
    col: Column,
    benches: &[&'static Benchmark],
) -> Result<Vec<(&'static str, Launch)>> {
    let specs: Vec<String> = benches
        .iter()
        .map(|b| match b.kind {
            Kind::Guest { spec, .. } => fill_spec(spec, false, prep),
            _ => unreachable!("guest benchmarks only"),
        })
        .collect();
    let mut cmd = uml_command(opts, prep, work, col)?;
    cmd.arg(format!("init={GUEST_BIN}/pbench"))
        .arg("--")
        .args(pbench_args(opts))
        .args(&specs);
    // A UML boot runs them all: a minute, plus a little per benchmark, bounds it.
    let timeout = Duration::from_secs(60 + 5 * specs.len() as u64);
    let cap = runner::run(cmd, timeout, false, None)?;
    uml_cleanup(work);
    let mut parsed = parse_pbench(&cap, &specs, timeout);
    Ok(benches
        .iter()
        .zip(&specs)
        .map(|(b, s)| (b.name, parsed.remove(s).unwrap()))
        .collect())
}

/// UML booting the image through a fresh copy-on-write file, with its console on stdio.
fn uml_command(opts: &Options, prep: &Prepared, work: &Path, col: Column) -> Result<Command> {
    let linux = opts.uml.as_deref().expect("UML columns only run with UML");
    let dir = work.join("uml");
    fs::create_dir_all(&dir)?;
    let cow = dir.join("root.cow");
    let _ = fs::remove_file(&cow);
    let mut c = command(linux, col.pinned, opts.pin_cpu);
    c.arg(format!("mem={GUEST_MEM}"))
        .arg(format!("ubd0={},{}", cow.display(), prep.image.display()))
        .args(["root=/dev/ubda", "con=fd:0,fd:1", "con0=fd:0,fd:1", "quiet"])
        .arg(format!("uml_dir={}", dir.display()))
        .arg(format!("umid=perf{}", std::process::id()));
    Ok(c)
}

/// Removes what a UML boot leaves behind (killed ones leave their umid directory).
fn uml_cleanup(work: &Path) {
    let dir = work.join("uml");
    let _ = fs::remove_file(dir.join("root.cow"));
    let _ = fs::remove_dir_all(dir.join(format!("perf{}", std::process::id())));
}

/// Boots a column's system with its default init (busybox init, then a login shell), stdin
/// open and silent as with a person who has not typed yet, and measures, by `kind`, the time
/// from spawning it to its shell prompt on the console, or the host CPU the whole system then
/// uses in [`IDLE_WINDOW`] at that prompt (percent of one host CPU).
fn boot_to_prompt(
    opts: &Options,
    prep: &Prepared,
    work: &Path,
    col: Column,
    kind: Kind,
) -> Result<Launch> {
    let cmd = match col.system {
        System::Kernel => {
            let mut c = command(&prep.kernel, col.pinned, opts.pin_cpu);
            c.arg("quiet").arg(format!("mem={GUEST_MEM}"));
            c.arg(format!("ubd0r={}", prep.image.display()));
            if let Kind::IdleAtPrompt { ncpus } = kind {
                c.arg(format!("ncpus={ncpus}"));
            }
            c
        }
        System::Uml => uml_command(opts, prep, work, col)?,
        System::Native => unreachable!("decided before"),
    };

    // The idle window starts once the prompt shows, and the boot's last echoes settle.
    let mut idle_pct = None;
    let mut measure_idle = |pgid: i32| {
        if matches!(kind, Kind::IdleAtPrompt { .. }) {
            std::thread::sleep(IDLE_SETTLE);
            let before = runner::system_cpu_seconds(pgid);
            std::thread::sleep(IDLE_WINDOW);
            let used = runner::system_cpu_seconds(pgid) - before;
            idle_pct = Some(used / IDLE_WINDOW.as_secs_f64() * 100.0);
        }
    };
    let cap = runner::run_then(
        cmd,
        opts.boot_timeout + IDLE_SETTLE + IDLE_WINDOW,
        true,
        Some(&runner::looks_like_prompt),
        &mut measure_idle,
    )?;
    if col.system == System::Uml {
        uml_cleanup(work);
    }
    Ok(match (cap.matched_after, idle_pct) {
        (Some(_), Some(pct)) => Ok(vec![pct]),
        (Some(t), None) => Ok(vec![t.as_secs_f64() * 1e3]),
        (None, _) => {
            let why = if cap.timed_out {
                format!("no shell prompt within {} s", opts.boot_timeout.as_secs())
            } else {
                format!("exited ({}) before a shell prompt", describe_status(&cap))
            };
            Err(format!("{why}: {}", cap.tail(3)))
        }
    })
}

fn describe_status(cap: &Captured) -> String {
    match cap.status {
        Some(s) => s.to_string(),
        None => "killed".into(),
    }
}

/// Turns pbench's `@pbench` lines into one result per spec. A spec with samples and `done`
/// is measured; one the guest refused is unsupported with its reason; one that never finished
/// (a crash, a hang, a kernel that stopped) is unsupported with the end of the output.
pub fn parse_pbench(
    cap: &Captured,
    specs: &[String],
    timeout: Duration,
) -> HashMap<String, Launch> {
    #[derive(Default)]
    struct Seen {
        samples: Vec<f64>,
        refused: Option<String>,
        done: bool,
    }
    let mut seen: HashMap<&str, Seen> = HashMap::new();
    for line in cap.stdout.lines() {
        let Some(at) = line.find("@pbench ") else {
            continue;
        };
        let rest = line[at + 8..].trim_end();
        let mut words = rest.splitn(3, ' ');
        let (Some(spec), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(spec) = specs.iter().find(|s| s.as_str() == spec) else {
            continue;
        };
        let entry = seen.entry(spec.as_str()).or_default();
        let arg = words.next().unwrap_or("");
        match what {
            "sample" => {
                if let Ok(v) = arg.trim().parse::<f64>() {
                    entry.samples.push(v);
                }
            }
            "unsupported" => entry.refused = Some(arg.to_string()),
            "done" => entry.done = true,
            _ => {}
        }
    }
    specs
        .iter()
        .map(|spec| {
            let s = seen.remove(spec.as_str()).unwrap_or_default();
            let outcome = if let Some(reason) = s.refused {
                Err(reason)
            } else if s.done && !s.samples.is_empty() {
                Ok(s.samples)
            } else if s.done {
                Err("the guest reported no samples".into())
            } else {
                let why = if cap.timed_out {
                    format!("timed out after {} s", timeout.as_secs())
                } else {
                    format!("stopped before finishing ({})", describe_status(cap))
                };
                Err(format!("{why}: {}", cap.tail(3)))
            };
            (spec.clone(), outcome)
        })
        .collect()
}

// ---- machine and revision ----

fn machine_info() -> Machine {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("unknown")
        .to_string();
    let read = |p: &str| {
        fs::read_to_string(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    Machine {
        cpu_model,
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        kernel: read("/proc/sys/kernel/osrelease"),
        hostname: read("/proc/sys/kernel/hostname"),
        load_avg: Vec::new(),
    }
}

/// The host's 1-minute load average.
fn load_avg() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn git_info(root: &Path) -> GitInfo {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(rev) => GitInfo {
            short: rev.chars().take(10).collect(),
            dirty: git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty()),
            rev,
        },
        None => GitInfo {
            rev: "unknown".into(),
            short: "unknown".into(),
            dirty: false,
        },
    }
}

/// Says which columns and benchmarks `opts` leaves out, for the log.
pub fn describe(opts: &Options, out: &mut dyn Write) -> std::io::Result<()> {
    let cols: Vec<String> = opts.columns.iter().map(|c| c.key()).collect();
    writeln!(
        out,
        "perf: {} benchmarks x {} columns ({}), {} rounds of ~{} ms",
        opts.benches.len(),
        cols.len(),
        cols.join(" "),
        opts.rounds,
        opts.round_ms
    )?;
    if opts.benches.len() < SUITE.len() {
        let names: Vec<&str> = opts.benches.iter().map(|b| b.name).collect();
        writeln!(out, "perf: only {}", names.join(" "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(stdout: &str, timed_out: bool) -> Captured {
        Captured {
            stdout: stdout.into(),
            stderr: String::new(),
            status: None,
            timed_out,
            matched_after: None,
        }
    }

    #[test]
    fn parses_samples_refusals_and_crashes() {
        let out = "[ 0.1] warning: something\n\
                   @pbench getppid sample 12.5\r\n\
                   @pbench getppid sample 11.5\r\n\
                   @pbench getppid done\r\n\
                   @pbench fork unsupported fork: Function not implemented (errno 38)\n\
                   @pbench fork done\n\
                   @pbench pipe sample 3.0\n";
        let specs: Vec<String> = ["getppid", "fork", "pipe"].map(String::from).to_vec();
        let p = parse_pbench(&captured(out, true), &specs, Duration::from_secs(9));
        assert_eq!(p["getppid"], Ok(vec![12.5, 11.5]));
        assert_eq!(
            p["fork"],
            Err("fork: Function not implemented (errno 38)".into())
        );
        match &p["pipe"] {
            Err(reason) => assert!(reason.starts_with("timed out after 9 s"), "{reason}"),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn data_sum_matches_its_definition() {
        let bytes: Vec<u8> = data_words()
            .take(64)
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let by_hand = (0..8)
            .map(|i| u64::from_le_bytes(bytes[i * 64..i * 64 + 8].try_into().unwrap()))
            .fold(0u64, u64::wrapping_add);
        assert_eq!(line_sum(&bytes), by_hand);
    }
}
