//! The kernel command line: `ncpus=4 mem=512M ubd0=root.img init=/bin/sh -- -c 'echo hi'`.
//!
//! Words are written the way a Linux (and User-Mode Linux) command line is written: `key=value`
//! or a bare flag such as `quiet`, then optionally `--` and the arguments for init. Rather than
//! hand-roll a parser, each word before `--` is translated into clap's long form (`ncpus=4`
//! becomes `--ncpus=4`) and clap does the bookkeeping: unknown options, repeated options, missing
//! values, and a value parser per option.
//!
//! Clap's own messages are several lines long and talk about `--ncpus <N>`, which the user never
//! typed, so every failure is turned back into one line that quotes the word as it was written.

use std::error::Error;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Command};

/// Block devices ubd0..ubd15 (ubda..ubdp), the same limit as UML's `MAX_DEV`.
const MAX_UBD: usize = 16;

/// The most CPUs the SMP layer is built to bring up.
const MAX_CPUS: usize = 64;

/// Guest memory is handed out in pages, so `mem=` is rounded down to a multiple of this.
const PAGE_SIZE: u64 = 4096;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// 256M: enough for a busybox userland and a compiler or two, small enough for a laptop.
const DEFAULT_MEM: u64 = 256 * MIB;

/// Below 16M the kernel's own tables leave too little for even a shell.
const MIN_MEM: u64 = 16 * MIB;

/// 64G keeps every guest-physical address comfortably inside the host mapping we reserve.
const MAX_MEM: u64 = 64 * GIB;

const DEFAULT_INIT: &str = "/sbin/init";

/// `KERN_INFO`, as on Linux: boot progress is shown, debug chatter is not.
const DEFAULT_LOGLEVEL: u8 = 6;

/// `quiet` lowers the console to `KERN_WARNING`, exactly as Linux's `quiet` does.
const QUIET_LOGLEVEL: u8 = 4;

/// Linux stops at 7 (debug); 8 is ours, for trace-level logging.
const MAX_LOGLEVEL: u8 = 8;

/// What the kernel was asked to do at boot, after defaults and every check have been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootConfig {
    /// CPUs to bring up, 1 to 64 (`ncpus=`, default 1).
    pub ncpus: usize,
    /// Guest memory in bytes, a multiple of the page size, 16M to 64G (`mem=`, default 256M).
    pub mem_bytes: u64,
    /// Attached block devices (`ubd<N>=` and `ubd<N>r=`), sorted by index, at most one per index.
    pub ubd: Vec<UbdSpec>,
    /// Index of the ubd holding the root file system (`root=/dev/ubda` or `/dev/ubd0`, default 0).
    pub root: usize,
    /// Absolute guest path of the first program to run (`init=`, default `/sbin/init`).
    pub init: String,
    /// Words after `--`, passed to init as its arguments (after its own name).
    pub init_args: Vec<String>,
    /// `quiet` was given: only warnings and worse reach the console unless `loglevel=` says else.
    pub quiet: bool,
    /// Console log level 0 to 8: 4 = warnings, 6 = info (default), 7 = debug, 8 = trace.
    pub loglevel: u8,
    /// `strace` was given: log every system call the guest makes.
    pub strace: bool,
}

/// One block device from `ubd<N>=FILE` or, read-only, `ubd<N>r=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UbdSpec {
    /// The N in `ubd<N>`: 0 is ubda, 15 is ubdp.
    pub index: usize,
    /// Host file backing the device, as given (relative paths are relative to the host cwd).
    pub path: PathBuf,
    /// UML's `r` suffix: the guest may read the device but never write it.
    pub read_only: bool,
}

/// Why [`parse`] did not produce a [`BootConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdlineError {
    /// `--help` or `-h`: the help text, for stdout (then exit 0).
    Help(String),
    /// `--version` or `-V`: the version line, for stdout (then exit 0).
    Version(String),
    /// A bad command line: one line naming the offending word and why, for stderr (then exit 2).
    Bad(String),
}

impl fmt::Display for CmdlineError {
    /// The text to print: help, version, or the one-line complaint (without a trailing newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CmdlineError::Help(text) | CmdlineError::Version(text) | CmdlineError::Bad(text) => {
                f.write_str(text.trim_end())
            }
        }
    }
}

impl Error for CmdlineError {}

impl Default for BootConfig {
    /// The configuration of a command line with no words at all.
    fn default() -> Self {
        BootConfig {
            ncpus: 1,
            mem_bytes: DEFAULT_MEM,
            ubd: Vec::new(),
            root: 0,
            init: DEFAULT_INIT.to_string(),
            init_args: Vec::new(),
            quiet: false,
            loglevel: DEFAULT_LOGLEVEL,
            strace: false,
        }
    }
}

impl BootConfig {
    /// The effective command line, every setting spelled out, for the boot log's
    /// `Kernel command line: ...` and /proc/cmdline.
    ///
    /// Words that a shell would split or expand are single-quoted, so the line can be pasted back
    /// after `./kernel` and boots the same machine.
    #[must_use]
    pub fn to_cmdline_string(&self) -> String {
        let mut words = vec![
            format!("ncpus={}", self.ncpus),
            format!("mem={}", render_size(self.mem_bytes)),
        ];

        for ubd in &self.ubd {
            let suffix = if ubd.read_only { "r" } else { "" };
            words.push(format!("ubd{}{}={}", ubd.index, suffix, ubd.path.display()));
        }

        words.push(format!("root={}", render_root(self.root)));
        words.push(format!("init={}", self.init));
        if self.quiet {
            words.push("quiet".to_string());
        }
        words.push(format!("loglevel={}", self.loglevel));
        if self.strace {
            words.push("strace".to_string());
        }

        if !self.init_args.is_empty() {
            words.push("--".to_string());
            words.extend(self.init_args.iter().cloned());
        }

        let quoted: Vec<String> = words.iter().map(|w| shell_quote(w)).collect();
        quoted.join(" ")
    }
}

/// Parses the kernel command line `args` (without argv\[0\]) into a [`BootConfig`].
///
/// Never panics: every input ends in `Ok` or in one of the [`CmdlineError`] cases.
///
/// # Errors
///
/// [`CmdlineError::Help`] and [`CmdlineError::Version`] when asked for; [`CmdlineError::Bad`]
/// for an unknown, repeated or malformed word, a value out of range, a word that is not UTF-8
/// or holds a NUL, or a `root=` naming a disk that was not given.
pub fn parse<I: IntoIterator<Item = OsString>>(args: I) -> Result<BootConfig, CmdlineError> {
    // Guest programs get their arguments as C strings, so text with a NUL cannot be passed on.
    let words = args
        .into_iter()
        .map(into_word)
        .collect::<Result<Vec<String>, CmdlineError>>()?;

    // Only the first `--` separates: later ones belong to init like any other word.
    let (options, init_args) = match words.iter().position(|w| w == "--") {
        Some(at) => (&words[..at], words[at + 1..].to_vec()),
        None => (&words[..], Vec::new()),
    };

    let translated = options
        .iter()
        .map(|w| to_clap_word(w))
        .collect::<Result<Vec<String>, CmdlineError>>()?;

    let matches = match command().try_get_matches_from(&translated) {
        Ok(matches) => matches,
        Err(err) => return Err(explain(&err, options, &translated)),
    };

    build_config(&matches, options, init_args)
}

/// Turns clap's matches into a [`BootConfig`], applying defaults and the checks that involve
/// more than one option.
fn build_config(
    matches: &ArgMatches,
    options: &[String],
    init_args: Vec<String>,
) -> Result<BootConfig, CmdlineError> {
    let defaults = BootConfig::default();

    // ubd<N> and ubd<N>r are separate clap options (clap refuses both for one N), so walking
    // the indexes in order yields the devices already sorted.
    let mut ubd = Vec::new();
    for index in 0..MAX_UBD {
        for read_only in [false, true] {
            if let Some(path) = matches.get_one::<PathBuf>(&ubd_id(index, read_only)) {
                let path = path.clone();
                ubd.push(UbdSpec {
                    index,
                    path,
                    read_only,
                });
            }
        }
    }

    let explicit_root = matches.get_one::<usize>("root").copied();
    let root = explicit_root.unwrap_or(defaults.root);
    check_root(root, explicit_root.is_some(), &ubd, options)?;

    // Linux lets the later of `quiet` and `loglevel=` win; an explicit number is the clearer
    // intent whatever the order, so it always wins here.
    let quiet = matches.get_flag("quiet");
    let loglevel = match matches.get_one::<u8>("loglevel") {
        Some(level) => *level,
        None if quiet => QUIET_LOGLEVEL,
        None => defaults.loglevel,
    };

    Ok(BootConfig {
        ncpus: matches
            .get_one::<usize>("ncpus")
            .copied()
            .unwrap_or(defaults.ncpus),
        mem_bytes: matches
            .get_one::<u64>("mem")
            .copied()
            .unwrap_or(defaults.mem_bytes),
        ubd,
        root,
        init: matches
            .get_one::<String>("init")
            .cloned()
            .unwrap_or(defaults.init),
        init_args,
        quiet,
        loglevel,
        strace: matches.get_flag("strace"),
    })
}

/// Refuses a root disk that was not attached.
///
/// With no ubd at all the command line is still well formed (the binary decides whether it can
/// boot without a disk), so only a root that misses among the given disks is an error here.
fn check_root(
    root: usize,
    explicit: bool,
    ubd: &[UbdSpec],
    options: &[String],
) -> Result<(), CmdlineError> {
    if ubd.iter().any(|u| u.index == root) {
        return Ok(());
    }

    if explicit {
        // Quote root= as typed (/dev/ubdb or /dev/ubd1), which is what the user will look for.
        let word = options
            .iter()
            .rev()
            .find(|w| w.starts_with("root="))
            .map_or("root", |w| w);
        return Err(bad(format!("{word} but no ubd{root}= was given")));
    }

    match ubd.first() {
        None => Ok(()),
        Some(first) => Err(bad(format!(
            "the root disk defaults to ubd0 but no ubd0= was given (add root={})",
            render_root(first.index)
        ))),
    }
}

/// Accepts one OS word as UTF-8 text without NUL bytes.
fn into_word(word: OsString) -> Result<String, CmdlineError> {
    match word.into_string() {
        Ok(text) if text.contains('\0') => {
            Err(bad(format!("argument {text:?} contains a NUL byte")))
        }
        Ok(text) => Ok(text),
        Err(raw) => Err(bad(format!(
            "argument '{}' is not valid UTF-8",
            raw.to_string_lossy()
        ))),
    }
}

/// Translates one kernel-style word into clap's long form: `ncpus=4` -> `--ncpus=4`.
///
/// Words that already look like options are refused here, except help and version: letting
/// `--ncpus=4` through would make a second, undocumented spelling of every option.
fn to_clap_word(word: &str) -> Result<String, CmdlineError> {
    if matches!(word, "-h" | "--help" | "-V" | "--version") {
        return Ok(word.to_string());
    }

    // Only plain lowercase keys can name an option; anything else (`-x`, `=1`, `Mem=1`, an
    // empty word) would reach clap as something other than a long option, so stop it here.
    let key = word.split_once('=').map_or(word, |(key, _)| key);
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !plain {
        return Err(unknown(word));
    }

    Ok(format!("--{word}"))
}

/// Turns a clap failure into the matching [`CmdlineError`], naming the word that caused it.
fn explain(err: &clap::Error, options: &[String], translated: &[String]) -> CmdlineError {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return CmdlineError::Help(err.render().to_string());
        }
        ErrorKind::DisplayVersion => return CmdlineError::Version(err.render().to_string()),
        _ => {}
    }

    // Clap's error names the option but not which of the user's words it came from. The
    // shortest failing prefix of the command line ends with the culprit, and its error is the
    // one about that word. Command lines are a handful of words, so re-parsing is cheap.
    let first_failure = (1..=translated.len()).find_map(|len| {
        command()
            .try_get_matches_from(&translated[..len])
            .err()
            .map(|err| (len - 1, err))
    });

    let Some((at, err)) = first_failure else {
        return bad("the command line could not be parsed (see --help)");
    };
    let word = options.get(at).map_or("", String::as_str);
    let earlier = options.get(..at).unwrap_or(&[]);

    match err.kind() {
        ErrorKind::UnknownArgument => unknown(word),
        ErrorKind::NoEquals => needs_value(word),
        ErrorKind::ValueValidation => match err.source().and_then(|e| e.downcast_ref()) {
            Some(refusal) => refused(word, refusal),
            None => bad(format!("bad value in '{word}' (see --help)")),
        },
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            bad(format!("'{word}': {} takes no value", key_of(word)))
        }
        ErrorKind::ArgumentConflict => {
            // Value options are shown as `ncpus=` and flags as `quiet`, as they are written.
            let name = option_name(word);
            let shown = if word.contains('=') {
                format!("{name}=")
            } else {
                name.to_string()
            };
            match earlier.iter().find(|w| option_name(w) == name) {
                Some(first) => bad(format!(
                    "'{word}' repeats {shown} (already given as '{first}')"
                )),
                None => bad(format!("'{word}' conflicts with an earlier option")),
            }
        }
        _ => bad(format!("bad option '{word}' (see --help)")),
    }
}

/// The clap command that checks translated words; see the module comment for why clap.
fn command() -> Command {
    let mut cmd = Command::new("kernel")
        .version(env!("CARGO_PKG_VERSION"))
        .no_binary_name(true)
        .override_help(help_text())
        .arg(value_arg("ncpus", "N").value_parser(parse_ncpus))
        .arg(value_arg("mem", "SIZE").value_parser(parse_mem))
        .arg(value_arg("root", "/dev/ubdX").value_parser(parse_root))
        .arg(value_arg("init", "PATH").value_parser(parse_init))
        .arg(value_arg("loglevel", "N").value_parser(parse_loglevel))
        .arg(Arg::new("quiet").long("quiet").action(ArgAction::SetTrue))
        .arg(Arg::new("strace").long("strace").action(ArgAction::SetTrue));

    // One clap option per device and flavour, so clap itself catches a repeated ubd<N>=; the
    // conflict catches ubd<N>= together with ubd<N>r=.
    for index in 0..MAX_UBD {
        let writable = ubd_id(index, false);
        let read_only = ubd_id(index, true);
        cmd = cmd
            .arg(value_arg(&writable, "FILE").value_parser(parse_file))
            .arg(
                value_arg(&read_only, "FILE")
                    .value_parser(parse_file)
                    .conflicts_with(writable),
            );
    }

    cmd
}

/// A `key=value` option: the value must be attached with `=`, so a bare `ncpus` can never
/// swallow the following word as its value.
fn value_arg(key: &str, value_name: &'static str) -> Arg {
    Arg::new(key.to_string())
        .long(key.to_string())
        .value_name(value_name)
        .require_equals(true)
        .num_args(1)
        .action(ArgAction::Set)
}

/// Clap id (and long name) of device `index`: `ubd3`, or `ubd3r` when read-only.
fn ubd_id(index: usize, read_only: bool) -> String {
    format!("ubd{index}{}", if read_only { "r" } else { "" })
}

/// The `--help` text.
fn help_text() -> String {
    format!(
        "\
kernel {version}: a user-mode Linux-compatible kernel that runs Linux x86_64 programs

Usage: ./kernel [OPTION=VALUE | FLAG]... [-- INIT-ARGUMENTS...]

I take a command line like a Linux kernel's: key=value words and bare flags.
  ncpus=N          CPUs to bring up, 1 to {max_cpus} (default: 1)
  mem=SIZE         memory, in bytes or with a K, M or G suffix, {min_mem} to {max_mem}
                   (default: {default_mem})
  ubd<N>=FILE      attach host FILE as disk ubd<N>, N from 0 to {max_ubd} (ubda to ubdp)
                   (default: no disks)
  ubd<N>r=FILE     the same, but read-only
  root=/dev/ubdX   the disk holding the root file system, as /dev/ubda or /dev/ubd0
                   (default: /dev/ubda)
  init=PATH        absolute path of the first program I run (default: {init})
  quiet            show only warnings and errors while booting (loglevel={quiet_level})
  loglevel=N       console log level, 0 to {max_level}: 4 warnings, 6 info, 7 debug, 8 trace
                   (default: {default_level}; an explicit loglevel= beats quiet)
  strace           log every system call the guest makes (default: off)
  --               every word after it is an argument for init
  -h, --help       print this help and stop
  -V, --version    print my version and stop

Examples:
  ./kernel ncpus=4 ubd0=root.img
  ./kernel ubd0=root.img init=/bin/sh -- -c 'echo hi'
(./kernel builds root.img with tests/mkroot.sh the first time it is needed.)
",
        version = env!("CARGO_PKG_VERSION"),
        max_cpus = MAX_CPUS,
        min_mem = render_size(MIN_MEM),
        max_mem = render_size(MAX_MEM),
        default_mem = render_size(DEFAULT_MEM),
        max_ubd = MAX_UBD - 1,
        init = DEFAULT_INIT,
        quiet_level = QUIET_LOGLEVEL,
        max_level = MAX_LOGLEVEL,
        default_level = DEFAULT_LOGLEVEL,
    )
}

/// Why a value parser refused a value; [`explain`] turns it into the one-line message.
#[derive(Debug)]
enum Refusal {
    /// Not in the expected form; holds what was expected, e.g. "a size such as 256M".
    Form(&'static str),
    /// Well formed but not allowed; holds the rule, e.g. "must be 1 to 64".
    Rule(String),
    /// Nothing after the `=`: reported like a missing value.
    Empty,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Form(expected) => write!(f, "expected {expected}"),
            Refusal::Rule(rule) => f.write_str(rule),
            Refusal::Empty => f.write_str("empty value"),
        }
    }
}

impl Error for Refusal {}

/// `ncpus=`: 1 to 64.
fn parse_ncpus(value: &str) -> Result<usize, Refusal> {
    let n = decimal(value).ok_or(Refusal::Form("a number such as 4"))?;
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_CPUS).contains(&n) => Ok(n),
        _ => Err(Refusal::Rule(format!("must be 1 to {MAX_CPUS}"))),
    }
}

/// `mem=`: bytes, or a K/M/G suffix in either case, as UML's `mem=256M`. T is understood only so
/// that `mem=1T` is told it is too big rather than that it is gibberish.
fn parse_mem(value: &str) -> Result<u64, Refusal> {
    const FORM: Refusal = Refusal::Form("a size such as 256M");
    if value.is_empty() {
        return Err(Refusal::Empty);
    }

    // The suffix is one ASCII letter, so slicing it off stays on a char boundary.
    let (digits, shift) = match value.as_bytes().last().map(u8::to_ascii_uppercase) {
        Some(b'K') => (&value[..value.len() - 1], 10),
        Some(b'M') => (&value[..value.len() - 1], 20),
        Some(b'G') => (&value[..value.len() - 1], 30),
        Some(b'T') => (&value[..value.len() - 1], 40),
        _ => (value, 0),
    };
    let n = decimal(digits).ok_or(FORM)?;

    // Overflow saturates: such a size is simply too big, and says so below.
    let bytes = n.saturating_mul(1 << shift);

    // Round down to whole pages as Linux does with mem=; the range check comes after so that a
    // value just under 16M cannot round into an accepted size.
    let bytes = bytes / PAGE_SIZE * PAGE_SIZE;
    if !(MIN_MEM..=MAX_MEM).contains(&bytes) {
        let (min, max) = (render_size(MIN_MEM), render_size(MAX_MEM));
        return Err(Refusal::Rule(format!("must be {min} to {max}")));
    }

    Ok(bytes)
}

/// `root=`: `/dev/ubda`..`/dev/ubdp` or `/dev/ubd0`..`/dev/ubd15`, giving the device index.
fn parse_root(value: &str) -> Result<usize, Refusal> {
    const FORM: Refusal = Refusal::Form("a disk such as /dev/ubda or /dev/ubd0");
    if value.is_empty() {
        return Err(Refusal::Empty);
    }

    let name = value.strip_prefix("/dev/ubd").ok_or(FORM)?;
    let index = if let [letter @ b'a'..=b'z'] = name.as_bytes() {
        usize::from(letter - b'a')
    } else {
        let n = decimal(name).ok_or(FORM)?;
        usize::try_from(n).unwrap_or(usize::MAX)
    };

    if index >= MAX_UBD {
        let last = MAX_UBD - 1;
        let rule = format!(
            "must be /dev/ubda to {} (or /dev/ubd0 to /dev/ubd{last})",
            render_root(last)
        );
        return Err(Refusal::Rule(rule));
    }

    Ok(index)
}

/// `init=`: an absolute guest path, since there is no cwd or PATH before init exists.
fn parse_init(value: &str) -> Result<String, Refusal> {
    if value.is_empty() {
        return Err(Refusal::Empty);
    }

    if !value.starts_with('/') {
        return Err(Refusal::Rule(
            "must be an absolute path such as /bin/sh".to_string(),
        ));
    }

    Ok(value.to_string())
}

/// `loglevel=`: 0 to 8.
fn parse_loglevel(value: &str) -> Result<u8, Refusal> {
    let n = decimal(value).ok_or(Refusal::Form("a number such as 7"))?;
    match u8::try_from(n) {
        Ok(level) if level <= MAX_LOGLEVEL => Ok(level),
        _ => Err(Refusal::Rule(format!("must be 0 to {MAX_LOGLEVEL}"))),
    }
}

/// `ubd<N>=`: any non-empty host path; whether it opens is for the block driver to say.
fn parse_file(value: &str) -> Result<PathBuf, Refusal> {
    if value.is_empty() {
        return Err(Refusal::Empty);
    }

    Ok(PathBuf::from(value))
}

/// Plain decimal digits as a number (saturating at `u64::MAX`, which every range refuses);
/// `None` for anything else, including signs, spaces and the empty string.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }

    Some(text.parse().unwrap_or(u64::MAX))
}

/// Bytes in the largest unit that divides them exactly: 256M, 1G, 4100K, 12345.
fn render_size(bytes: u64) -> String {
    for (suffix, unit) in [("G", GIB), ("M", MIB), ("K", 1 << 10)] {
        if bytes != 0 && bytes % unit == 0 {
            return format!("{}{suffix}", bytes / unit);
        }
    }

    bytes.to_string()
}

/// `/dev/ubd` plus the letter of device `index`, digits past the alphabet.
fn render_root(index: usize) -> String {
    match u8::try_from(index) {
        Ok(n) if n < 26 => format!("/dev/ubd{}", char::from(b'a' + n)),
        _ => format!("/dev/ubd{index}"),
    }
}

/// The word as a shell would need it: bare when safe, otherwise in single quotes.
fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        return word.to_string();
    }

    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The option a word names: the key before `=`, with ubd's read-only `r` dropped, since
/// `ubd0=` and `ubd0r=` claim the same device.
fn option_name(word: &str) -> &str {
    let key = key_of(word);
    match key.strip_suffix('r') {
        Some(device) if device.starts_with("ubd") => device,
        _ => key,
    }
}

/// The part of a word before `=` (all of it when there is none).
fn key_of(word: &str) -> &str {
    word.split_once('=').map_or(word, |(key, _)| key)
}

/// The message for a value option written without a value (`ubd0`, `mem=`).
fn needs_value(word: &str) -> CmdlineError {
    let key = key_of(word);
    let (what, placeholder) = match key {
        "ncpus" | "loglevel" => ("a value", "N"),
        "mem" => ("a value", "SIZE"),
        "root" => ("a value", "/dev/ubdX"),
        "init" => ("a value", "PATH"),
        _ if key.starts_with("ubd") => ("a file", "FILE"),
        _ => ("a value", "VALUE"),
    };

    bad(format!("'{word}' needs {what}: {key}={placeholder}"))
}

/// The message for a value its parser refused.
fn refused(word: &str, refusal: &Refusal) -> CmdlineError {
    match refusal {
        Refusal::Form(_) => bad(format!("bad value in '{word}': {refusal}")),
        Refusal::Rule(_) => bad(format!("'{word}': {refusal}")),
        Refusal::Empty => needs_value(word),
    }
}

fn unknown(word: &str) -> CmdlineError {
    bad(format!("unknown option '{word}' (see --help)"))
}

/// Every complaint starts with `kernel: `, as the kernel's other messages on stderr do.
fn bad(message: impl fmt::Display) -> CmdlineError {
    CmdlineError::Bad(format!("kernel: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<BootConfig, CmdlineError> {
        parse(words.iter().map(OsString::from))
    }

    fn ok(words: &[&str]) -> BootConfig {
        match parse_words(words) {
            Ok(config) => config,
            Err(err) => panic!("{words:?} should parse, got {err:?}"),
        }
    }

    /// The Bad message for `words`, checked to be a single line.
    fn bad_message(words: &[&str]) -> String {
        match parse_words(words) {
            Err(CmdlineError::Bad(message)) => {
                assert!(
                    !message.contains('\n'),
                    "message is not one line: {message:?}"
                );
                assert!(message.starts_with("kernel: "), "{message:?}");
                message
            }
            other => panic!("{words:?} should be refused, got {other:?}"),
        }
    }

    fn ubd(index: usize, path: &str, read_only: bool) -> UbdSpec {
        UbdSpec {
            index,
            path: PathBuf::from(path),
            read_only,
        }
    }

    #[test]
    fn clap_command_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn no_words_gives_the_defaults() {
        let config = ok(&[]);
        assert_eq!(config, BootConfig::default());
        assert_eq!(config.ncpus, 1);
        assert_eq!(config.mem_bytes, 256 << 20);
        assert!(config.ubd.is_empty());
        assert_eq!(config.root, 0);
        assert_eq!(config.init, "/sbin/init");
        assert!(config.init_args.is_empty());
        assert!(!config.quiet);
        assert_eq!(config.loglevel, 6);
        assert!(!config.strace);
    }

    #[test]
    fn ncpus() {
        assert_eq!(ok(&["ncpus=4"]).ncpus, 4);
        assert_eq!(ok(&["ncpus=1"]).ncpus, 1);
        assert_eq!(ok(&["ncpus=64"]).ncpus, 64);
        assert_eq!(
            bad_message(&["ncpus=0"]),
            "kernel: 'ncpus=0': must be 1 to 64"
        );
        assert_eq!(
            bad_message(&["ncpus=65"]),
            "kernel: 'ncpus=65': must be 1 to 64"
        );
        assert_eq!(
            bad_message(&["ncpus=99999999999999999999999"]),
            "kernel: 'ncpus=99999999999999999999999': must be 1 to 64"
        );
        assert_eq!(
            bad_message(&["ncpus=four"]),
            "kernel: bad value in 'ncpus=four': expected a number such as 4"
        );
        assert_eq!(
            bad_message(&["ncpus=-1"]),
            "kernel: bad value in 'ncpus=-1': expected a number such as 4"
        );
        assert_eq!(
            bad_message(&["ncpus=+4"]),
            "kernel: bad value in 'ncpus=+4': expected a number such as 4"
        );
    }

    #[test]
    fn mem_sizes() {
        assert_eq!(ok(&["mem=256M"]).mem_bytes, 256 << 20);
        assert_eq!(ok(&["mem=256m"]).mem_bytes, 256 << 20);
        assert_eq!(ok(&["mem=1g"]).mem_bytes, 1 << 30);
        assert_eq!(ok(&["mem=1G"]).mem_bytes, 1 << 30);
        assert_eq!(ok(&["mem=65536k"]).mem_bytes, 64 << 20);
        assert_eq!(ok(&["mem=65536K"]).mem_bytes, 64 << 20);
        assert_eq!(ok(&["mem=16777216"]).mem_bytes, 16 << 20);
        assert_eq!(ok(&["mem=16M"]).mem_bytes, 16 << 20);
        assert_eq!(ok(&["mem=64G"]).mem_bytes, 64 << 30);
        assert_eq!(ok(&["mem=65536M"]).mem_bytes, 64 << 30);
    }

    #[test]
    fn mem_is_rounded_down_to_pages() {
        assert_eq!(ok(&["mem=16777217"]).mem_bytes, 16 << 20);
        assert_eq!(ok(&["mem=20000001"]).mem_bytes, 20_000_001 / 4096 * 4096);
        assert_eq!(ok(&["mem=16385K"]).mem_bytes, 16 << 20);
        assert_eq!(ok(&["mem=16388K"]).mem_bytes, (16 << 20) + 4096);
        assert_eq!(ok(&["mem=68719476737"]).mem_bytes, 64 << 30);
    }

    #[test]
    fn mem_edge_cases() {
        let range = |word: &str| format!("kernel: '{word}': must be 16M to 64G");
        for word in [
            "mem=0",
            "mem=15M",
            "mem=4095",
            "mem=1T",
            "mem=65G",
            "mem=16777215",
        ] {
            assert_eq!(bad_message(&[word]), range(word));
        }
        assert_eq!(bad_message(&["mem=0K"]), range("mem=0K"));
        assert_eq!(bad_message(&["mem=68719480832"]), range("mem=68719480832"));
        assert_eq!(
            bad_message(&["mem=99999999999999999999G"]),
            range("mem=99999999999999999999G")
        );
        assert_eq!(
            bad_message(&["mem=17179869184G"]),
            range("mem=17179869184G")
        );

        let form =
            |word: &str| format!("kernel: bad value in '{word}': expected a size such as 256M");
        for word in [
            "mem=12Q",
            "mem=M",
            "mem=256MB",
            "mem=2.5G",
            "mem= 256M",
            "mem=-1G",
            "mem=1GG",
        ] {
            assert_eq!(bad_message(&[word]), form(word));
        }
        assert_eq!(
            bad_message(&["mem=12Q"]),
            "kernel: bad value in 'mem=12Q': expected a size such as 256M"
        );
    }

    #[test]
    fn ubd_devices() {
        let config = ok(&["ubd0=root.img"]);
        assert_eq!(config.ubd, vec![ubd(0, "root.img", false)]);

        let config = ok(&["ubd1r=/srv/data.img", "ubd0=root.img", "root=/dev/ubda"]);
        assert_eq!(
            config.ubd,
            vec![ubd(0, "root.img", false), ubd(1, "/srv/data.img", true)]
        );

        let config = ok(&["ubd15=last.img", "root=/dev/ubdp"]);
        assert_eq!(config.ubd, vec![ubd(15, "last.img", false)]);
        assert_eq!(config.root, 15);

        // Paths may hold '=' and spaces; only the first '=' splits.
        let config = ok(&["ubd0=dir/a=b c.img"]);
        assert_eq!(config.ubd, vec![ubd(0, "dir/a=b c.img", false)]);
    }

    #[test]
    fn ubd_devices_come_out_in_index_order() {
        let config = ok(&["ubd7=g", "ubd2r=c", "ubd10=k", "ubd0=a", "ubd3=d"]);
        let indexes: Vec<usize> = config.ubd.iter().map(|u| u.index).collect();
        assert_eq!(indexes, vec![0, 2, 3, 7, 10]);
        assert!(config.ubd[1].read_only);
        assert_eq!(config.ubd[1].path, PathBuf::from("c"));
    }

    #[test]
    fn ubd_errors() {
        assert_eq!(
            bad_message(&["ubd0"]),
            "kernel: 'ubd0' needs a file: ubd0=FILE"
        );
        assert_eq!(
            bad_message(&["ubd0="]),
            "kernel: 'ubd0=' needs a file: ubd0=FILE"
        );
        assert_eq!(
            bad_message(&["ubd3r"]),
            "kernel: 'ubd3r' needs a file: ubd3r=FILE"
        );
        assert_eq!(
            bad_message(&["ubd16=x"]),
            "kernel: unknown option 'ubd16=x' (see --help)"
        );
        assert_eq!(
            bad_message(&["ubd00=x"]),
            "kernel: unknown option 'ubd00=x' (see --help)"
        );
        assert_eq!(
            bad_message(&["ubda=x"]),
            "kernel: unknown option 'ubda=x' (see --help)"
        );
        assert_eq!(
            bad_message(&["ubd0=a", "ubd0=b"]),
            "kernel: 'ubd0=b' repeats ubd0= (already given as 'ubd0=a')"
        );
        assert_eq!(
            bad_message(&["ubd0=a", "ncpus=2", "ubd0r=b"]),
            "kernel: 'ubd0r=b' repeats ubd0= (already given as 'ubd0=a')"
        );
        assert_eq!(
            bad_message(&["ubd1r=b", "ubd0=a", "ubd1=a"]),
            "kernel: 'ubd1=a' repeats ubd1= (already given as 'ubd1r=b')"
        );
    }

    #[test]
    fn root() {
        let disks = ["ubd0=a", "ubd1=b", "ubd2=c"];
        for (word, index) in [
            ("root=/dev/ubdb", 1),
            ("root=/dev/ubd2", 2),
            ("root=/dev/ubda", 0),
        ] {
            let mut words = disks.to_vec();
            words.push(word);
            assert_eq!(ok(&words).root, index, "{word}");
        }
        assert_eq!(ok(&["ubd1=b", "root=/dev/ubd1"]).root, 1);
        assert_eq!(ok(&["ubd0=a"]).root, 0);
    }

    #[test]
    fn root_errors() {
        assert_eq!(
            bad_message(&["ubd0=a", "root=/dev/ubdb"]),
            "kernel: root=/dev/ubdb but no ubd1= was given"
        );
        assert_eq!(
            bad_message(&["root=/dev/ubd3"]),
            "kernel: root=/dev/ubd3 but no ubd3= was given"
        );
        assert_eq!(
            bad_message(&["ubd1=b"]),
            "kernel: the root disk defaults to ubd0 but no ubd0= was given (add root=/dev/ubdb)"
        );
        assert_eq!(
            bad_message(&["ubd0=a", "root=/dev/sda"]),
            "kernel: bad value in 'root=/dev/sda': expected a disk such as /dev/ubda or /dev/ubd0"
        );
        assert_eq!(
            bad_message(&["root=/dev/ubd"]),
            "kernel: bad value in 'root=/dev/ubd': expected a disk such as /dev/ubda or /dev/ubd0"
        );
        assert_eq!(
            bad_message(&["root=/dev/ubdq"]),
            "kernel: 'root=/dev/ubdq': must be /dev/ubda to /dev/ubdp (or /dev/ubd0 to /dev/ubd15)"
        );
        assert_eq!(
            bad_message(&["root=/dev/ubd16"]),
            "kernel: 'root=/dev/ubd16': must be /dev/ubda to /dev/ubdp (or /dev/ubd0 to /dev/ubd15)"
        );
        assert_eq!(
            bad_message(&["root"]),
            "kernel: 'root' needs a value: root=/dev/ubdX"
        );
    }

    #[test]
    fn init() {
        assert_eq!(ok(&["init=/bin/sh"]).init, "/bin/sh");
        assert_eq!(ok(&["init=/x=y"]).init, "/x=y");
        assert_eq!(
            bad_message(&["init=sh"]),
            "kernel: 'init=sh': must be an absolute path such as /bin/sh"
        );
        assert_eq!(
            bad_message(&["init=-x"]),
            "kernel: 'init=-x': must be an absolute path such as /bin/sh"
        );
        assert_eq!(
            bad_message(&["init="]),
            "kernel: 'init=' needs a value: init=PATH"
        );
        assert_eq!(
            bad_message(&["init"]),
            "kernel: 'init' needs a value: init=PATH"
        );
    }

    #[test]
    fn flags_and_log_levels() {
        let config = ok(&["quiet"]);
        assert!(config.quiet);
        assert_eq!(config.loglevel, 4);

        assert!(ok(&["strace"]).strace);
        assert_eq!(ok(&["loglevel=7"]).loglevel, 7);
        assert_eq!(ok(&["loglevel=0"]).loglevel, 0);
        assert_eq!(ok(&["loglevel=8"]).loglevel, 8);

        // An explicit level beats quiet in either order.
        assert_eq!(ok(&["quiet", "loglevel=7"]).loglevel, 7);
        assert_eq!(ok(&["loglevel=7", "quiet"]).loglevel, 7);
        assert!(ok(&["loglevel=7", "quiet"]).quiet);

        assert_eq!(
            bad_message(&["loglevel=9"]),
            "kernel: 'loglevel=9': must be 0 to 8"
        );
        assert_eq!(
            bad_message(&["loglevel=300"]),
            "kernel: 'loglevel=300': must be 0 to 8"
        );
        assert_eq!(
            bad_message(&["loglevel=debug"]),
            "kernel: bad value in 'loglevel=debug': expected a number such as 7"
        );
        assert_eq!(
            bad_message(&["loglevel"]),
            "kernel: 'loglevel' needs a value: loglevel=N"
        );
        assert_eq!(
            bad_message(&["quiet=1"]),
            "kernel: 'quiet=1': quiet takes no value"
        );
        assert_eq!(
            bad_message(&["strace=yes"]),
            "kernel: 'strace=yes': strace takes no value"
        );
    }

    #[test]
    fn everything_at_once() {
        let config = ok(&[
            "ncpus=4",
            "mem=1G",
            "ubd1r=data.img",
            "ubd0=root.img",
            "root=/dev/ubd0",
            "init=/bin/sh",
            "quiet",
            "loglevel=5",
            "strace",
            "--",
            "-c",
            "echo hi",
        ]);
        let expected = BootConfig {
            ncpus: 4,
            mem_bytes: 1 << 30,
            ubd: vec![ubd(0, "root.img", false), ubd(1, "data.img", true)],
            root: 0,
            init: "/bin/sh".to_string(),
            init_args: vec!["-c".to_string(), "echo hi".to_string()],
            quiet: true,
            loglevel: 5,
            strace: true,
        };
        assert_eq!(config, expected);
    }

    #[test]
    fn words_after_the_separator_belong_to_init() {
        let config = ok(&[
            "init=/bin/sh",
            "--",
            "ncpus=9",
            "--help",
            "-V",
            "--",
            "bogus",
            "quiet",
            "",
        ]);
        assert_eq!(
            config.init_args,
            ["ncpus=9", "--help", "-V", "--", "bogus", "quiet", ""]
        );
        assert_eq!(config.ncpus, 1);
        assert!(!config.quiet);

        assert!(ok(&["--"]).init_args.is_empty());
        assert_eq!(ok(&["--", "--"]).init_args, ["--"]);
    }

    #[test]
    fn help() {
        for flag in ["--help", "-h", "help"] {
            let Err(CmdlineError::Help(text)) = parse_words(&["ncpus=2", flag]) else {
                panic!("{flag} should ask for help");
            };
            for needle in [
                "ncpus=N",
                "mem=SIZE",
                "ubd<N>=FILE",
                "ubd<N>r=FILE",
                "root=/dev/ubdX",
                "init=PATH",
                "quiet",
                "loglevel=N",
                "strace",
                "--help",
                "--version",
                "(default: 1)",
                "(default: 256M)",
                "(default: /dev/ubda)",
                "(default: /sbin/init)",
                "(default: 6",
                "(default: off)",
                "./kernel ncpus=4 ubd0=root.img",
                "./kernel ubd0=root.img init=/bin/sh -- -c 'echo hi'",
            ] {
                assert!(text.contains(needle), "help lacks {needle:?}:\n{text}");
            }
            assert!(text.lines().all(|line| line.len() <= 100), "{text}");
            assert!(!text.contains('\x1b'), "help has escape codes");
        }
    }

    #[test]
    fn version() {
        for flag in ["--version", "-V"] {
            let Err(CmdlineError::Version(text)) = parse_words(&[flag]) else {
                panic!("{flag} should ask for the version");
            };
            assert_eq!(
                text.trim_end(),
                format!("kernel {}", env!("CARGO_PKG_VERSION"))
            );
        }
    }

    #[test]
    fn unknown_words() {
        for word in [
            "bogus=1",
            "bogus",
            "-x",
            "--ncpus=4",
            "--quiet",
            "",
            "=1",
            "Mem=1G",
            "NCPUS=2",
            "ubd0 =x",
            "mem.x=1",
            "-",
            "---",
        ] {
            assert_eq!(
                bad_message(&[word]),
                format!("kernel: unknown option '{word}' (see --help)"),
                "{word:?}"
            );
        }
        assert_eq!(
            bad_message(&["bogus=1"]),
            "kernel: unknown option 'bogus=1' (see --help)"
        );

        // The culprit is named even when good words surround it.
        assert_eq!(
            bad_message(&["ncpus=2", "ubd0=a", "colour=red", "quiet"]),
            "kernel: unknown option 'colour=red' (see --help)"
        );
        assert_eq!(
            bad_message(&["ncpus=2", "mem=3Q", "ncpus=0"]),
            "kernel: bad value in 'mem=3Q': expected a size such as 256M"
        );
    }

    #[test]
    fn duplicates_are_named() {
        assert_eq!(
            bad_message(&["ncpus=2", "ncpus=4"]),
            "kernel: 'ncpus=4' repeats ncpus= (already given as 'ncpus=2')"
        );
        assert_eq!(
            bad_message(&["ncpus=2", "mem=1G", "ncpus=2"]),
            "kernel: 'ncpus=2' repeats ncpus= (already given as 'ncpus=2')"
        );
        assert_eq!(
            bad_message(&["quiet", "quiet"]),
            "kernel: 'quiet' repeats quiet (already given as 'quiet')"
        );
        assert_eq!(
            bad_message(&["init=/a", "init=/b"]),
            "kernel: 'init=/b' repeats init= (already given as 'init=/a')"
        );
    }

    #[test]
    fn non_utf8_and_nul_are_refused() {
        use std::os::unix::ffi::OsStringExt;

        let bad_bytes = OsString::from_vec(b"ubd0=\xff.img".to_vec());
        let Err(CmdlineError::Bad(message)) = parse([bad_bytes]) else {
            panic!()
        };
        assert_eq!(
            message,
            "kernel: argument 'ubd0=\u{fffd}.img' is not valid UTF-8"
        );

        let after = vec![OsString::from("--"), OsString::from_vec(b"\xc3".to_vec())];
        assert!(matches!(parse(after), Err(CmdlineError::Bad(_))));

        assert!(matches!(
            parse_words(&["init=/bin/s\0h"]),
            Err(CmdlineError::Bad(_))
        ));
        assert!(matches!(
            parse_words(&["--", "a\0"]),
            Err(CmdlineError::Bad(_))
        ));
    }

    #[test]
    fn cmdline_string_of_defaults() {
        assert_eq!(
            BootConfig::default().to_cmdline_string(),
            "ncpus=1 mem=256M root=/dev/ubda init=/sbin/init loglevel=6"
        );
    }

    #[test]
    fn cmdline_string_spells_out_everything() {
        let config = ok(&[
            "strace",
            "ubd2r=b.img",
            "ubd0=root.img",
            "mem=16390K",
            "ncpus=3",
            "quiet",
            "root=/dev/ubd2",
            "init=/bin/sh",
            "--",
            "-c",
            "echo 'hi' there",
            "",
        ]);
        assert_eq!(
            config.to_cmdline_string(),
            "ncpus=3 mem=16388K ubd0=root.img ubd2r=b.img root=/dev/ubdc init=/bin/sh quiet \
             loglevel=4 strace -- -c 'echo '\\''hi'\\'' there' ''"
        );
    }

    #[test]
    fn cmdline_string_round_trips() {
        let words = [
            "ncpus=8",
            "mem=3G",
            "ubd0=/tmp/r.img",
            "ubd5r=x",
            "init=/bin/busybox",
            "loglevel=8",
            "--",
            "sh",
            "-l",
        ];
        let config = ok(&words);
        let line = config.to_cmdline_string();
        let again: Vec<&str> = line.split(' ').collect();
        assert_eq!(ok(&again), config);
    }

    #[test]
    fn sizes_render_in_the_largest_exact_unit() {
        assert_eq!(render_size(0), "0");
        assert_eq!(render_size(4096), "4K");
        assert_eq!(render_size(256 << 20), "256M");
        assert_eq!(render_size(64 << 30), "64G");
        assert_eq!(render_size(1536 << 20), "1536M");
        assert_eq!(render_size(12345), "12345");
        assert_eq!(render_root(3), "/dev/ubdd");
        assert_eq!(render_root(99), "/dev/ubd99");
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "=",
            "==",
            "ncpus==4",
            "mem==1G",
            "ubd0==x",
            "root==/dev/ubda",
            "\u{e9}=1",
            "ncpus=\u{661}",
            "mem=1\u{212a}",
            "init=/\u{1f600}",
            "-",
            "--=",
            "-h=1",
            "help=1",
            "version=2",
            "--help=x",
            " ",
            "ubd0=-",
            "ubd0=--",
            "root=/dev/ubd\u{e9}",
            "loglevel=\u{0}",
        ];
        for word in odd {
            let _ = parse_words(&[word]);
            let _ = parse_words(&["ubd0=a", word, "quiet"]);
        }
        // Every single-word failure is one line.
        for word in odd {
            if let Err(CmdlineError::Bad(message)) = parse_words(&[word]) {
                assert!(!message.contains('\n'), "{word:?}: {message:?}");
            }
        }
    }
}
