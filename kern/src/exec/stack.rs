//! The initial process stack, laid out byte for byte as Linux's `execve` leaves it on x86_64.
//!
//! Linux builds it in two steps. `do_execveat_common` (fs/exec.c) copies strings downward
//! from one word below the stack top: first the file name (`bprm->exec`, later AT_EXECFN),
//! then the environment, then the arguments, each list last string first. In memory, going
//! up from the lowest string:
//!
//! ```text
//! argv[0] .. argv[argc-1]  envp[0] .. envp[envc-1]  execfn  <8 zero bytes>  stack_top
//! ```
//!
//! Then `create_elf_tables` (fs/binfmt_elf.c) aligns the position below the strings down to
//! 16 (`arch_align_stack`, whose random shift we never apply, as under `ADDR_NO_RANDOMIZE`),
//! pushes the platform string ("x86_64", NUL included) and the 16 AT_RANDOM bytes right
//! below it, reserves room for auxv, envp, argv and argc, and rounds the final stack pointer
//! down to 16. The padding from that rounding ends up between the auxv and the random bytes:
//!
//! ```text
//! sp -> argc | argv[] | NULL | envp[] | NULL | auxv pairs .. AT_NULL | pad | random[16]
//!       | "x86_64\0" | pad to 16 | strings as above
//! ```
//!
//! [`build`] produces that image for the caller to copy to `[sp, stack_top)`.

use crate::errno::{Errno, KResult};
use crate::exec::elf::PAGE_SIZE;

/// End of vector.
pub const AT_NULL: u64 = 0;
/// Entry to be ignored.
pub const AT_IGNORE: u64 = 1;
/// File descriptor of the program (binfmt_misc with the `O` flag).
pub const AT_EXECFD: u64 = 2;
/// Address of the program headers in memory.
pub const AT_PHDR: u64 = 3;
/// Size of one program header.
pub const AT_PHENT: u64 = 4;
/// Number of program headers.
pub const AT_PHNUM: u64 = 5;
/// System page size.
pub const AT_PAGESZ: u64 = 6;
/// Load address of the interpreter (0 without one).
pub const AT_BASE: u64 = 7;
/// Flags (`AT_FLAGS_PRESERVE_ARGV0` only).
pub const AT_FLAGS: u64 = 8;
/// Entry point of the program.
pub const AT_ENTRY: u64 = 9;
/// Program is not ELF.
pub const AT_NOTELF: u64 = 10;
/// Real user id.
pub const AT_UID: u64 = 11;
/// Effective user id.
pub const AT_EUID: u64 = 12;
/// Real group id.
pub const AT_GID: u64 = 13;
/// Effective group id.
pub const AT_EGID: u64 = 14;
/// Address of the platform string.
pub const AT_PLATFORM: u64 = 15;
/// CPU capabilities: CPUID leaf 1 EDX on x86.
pub const AT_HWCAP: u64 = 16;
/// Frequency of `times()` ticks.
pub const AT_CLKTCK: u64 = 17;
/// Secure mode (setuid-like exec).
pub const AT_SECURE: u64 = 23;
/// Address of the base platform string (not on x86).
pub const AT_BASE_PLATFORM: u64 = 24;
/// Address of the 16 random bytes.
pub const AT_RANDOM: u64 = 25;
/// More CPU capabilities (x86: ring-3 MWAIT, FSGSBASE).
pub const AT_HWCAP2: u64 = 26;
/// Size of the rseq area the kernel supports.
pub const AT_RSEQ_FEATURE_SIZE: u64 = 27;
/// Required alignment of the rseq area.
pub const AT_RSEQ_ALIGN: u64 = 28;
/// Even more CPU capabilities (not on x86).
pub const AT_HWCAP3: u64 = 29;
/// Even more CPU capabilities (not on x86).
pub const AT_HWCAP4: u64 = 30;
/// Address of the file name the program was executed by.
pub const AT_EXECFN: u64 = 31;
/// Address of the vDSO (x86 `asm/auxvec.h`).
pub const AT_SYSINFO_EHDR: u64 = 33;
/// Minimal stack size for signal delivery.
pub const AT_MINSIGSTKSZ: u64 = 51;

/// Linux's `CLOCKS_PER_SEC` (= `USER_HZ`), the AT_CLKTCK value.
pub const CLOCKS_PER_SEC: u64 = 100;

/// `MAX_ARG_STRLEN`: the longest single argument or environment string, NUL included.
pub const MAX_ARG_STRLEN: u64 = 32 * PAGE_SIZE;

/// `MAX_ARG_STRINGS`: the most arguments (or environment strings) `execve` takes.
pub const MAX_ARG_STRINGS: u64 = 0x7fff_ffff;

/// The default `RLIMIT_STACK` soft limit, `_STK_LIM`.
pub const DEFAULT_STACK_RLIMIT: u64 = 8 << 20;

/// `ARG_MAX`: argument space always allowed, however small the stack limit.
const ARG_MAX: u64 = 32 * PAGE_SIZE;

/// Bytes of one stack word (`elf_addr_t`).
const WORD: u64 = 8;

/// What [`build`] needs to lay out the stack.
#[derive(Clone, Debug)]
pub struct StackParams<'a> {
    /// One past the highest stack byte (Linux without randomization: `0x7ffffffff000`).
    pub stack_top: u64,
    /// Argument strings, without NULs (a string ends at its first NUL if it has one). An
    /// empty list gets `""` as argv[0], as Linux does since 5.18.
    pub argv: &'a [Vec<u8>],
    /// Environment strings, without NULs.
    pub envp: &'a [Vec<u8>],
    /// The file name `execve` was given; AT_EXECFN points at its copy.
    pub execfn: &'a [u8],
    /// The 16 bytes AT_RANDOM points at.
    pub random: [u8; 16],
    /// The platform string for AT_PLATFORM ("x86_64"); empty means no string and no entry.
    pub platform: &'a [u8],
    /// The auxv entries the caller owns, in Linux's order (see [`standard_auxv`]): all but
    /// AT_RANDOM, AT_EXECFN, AT_PLATFORM and AT_NULL, which [`build`] adds.
    pub auxv: &'a [(u64, u64)],
}

/// The stack image and the addresses `/proc/PID/{cmdline,environ,auxv}` need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialStack {
    /// The initial stack pointer: 16-byte aligned, argc at `[sp]`.
    pub sp: u64,
    /// The bytes of `[sp, stack_top)`.
    pub bytes: Vec<u8>,
    /// Address of the first argument string (`mm->arg_start`).
    pub argv_start: u64,
    /// One past the last argument string's NUL (`mm->arg_end`).
    pub argv_end: u64,
    /// Address of the first environment string (`mm->env_start`).
    pub env_start: u64,
    /// One past the last environment string's NUL (`mm->env_end`).
    pub env_end: u64,
    /// The complete auxv as written, AT_NULL included (`mm->saved_auxv`).
    pub auxv: Vec<(u64, u64)>,
}

/// The per-process values [`standard_auxv`] turns into auxv entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuxvParams {
    /// vDSO address for AT_SYSINFO_EHDR; `None` omits the entry (we have no vDSO).
    pub sysinfo_ehdr: Option<u64>,
    /// AT_MINSIGSTKSZ: the size of our signal frame (Linux: `get_sigframe_size()`).
    pub minsigstksz: u64,
    /// AT_HWCAP: CPUID leaf 1 EDX.
    pub hwcap: u64,
    /// AT_PHDR: the program headers' address, biased (`ElfImage::phdr_addr`).
    pub phdr: u64,
    /// AT_PHNUM.
    pub phnum: u64,
    /// AT_BASE: the interpreter's load address, 0 without one.
    pub base: u64,
    /// AT_ENTRY: the program's (not the interpreter's) entry point, biased.
    pub entry: u64,
    /// AT_UID.
    pub uid: u32,
    /// AT_EUID.
    pub euid: u32,
    /// AT_GID.
    pub gid: u32,
    /// AT_EGID.
    pub egid: u32,
    /// AT_SECURE.
    pub secure: bool,
    /// AT_HWCAP2.
    pub hwcap2: u64,
    /// (AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN) if rseq is supported; `None` omits both, which
    /// glibc reads as "no rseq beyond the original 32-byte area".
    pub rseq: Option<(u64, u64)>,
}

/// The auxv entries a caller owns, in the order Linux's `create_elf_tables` emits them on
/// x86_64, ready for [`StackParams::auxv`]. AT_PHENT is `sizeof(Elf64_Phdr)`, AT_PAGESZ the
/// page size, AT_CLKTCK `USER_HZ`, AT_FLAGS 0 (only binfmt_misc sets a flag).
pub fn standard_auxv(p: &AuxvParams) -> Vec<(u64, u64)> {
    let mut v = Vec::with_capacity(20);
    if let Some(vdso) = p.sysinfo_ehdr {
        v.push((AT_SYSINFO_EHDR, vdso));
    }
    v.extend_from_slice(&[
        (AT_MINSIGSTKSZ, p.minsigstksz),
        (AT_HWCAP, p.hwcap),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_CLKTCK, CLOCKS_PER_SEC),
        (AT_PHDR, p.phdr),
        (AT_PHENT, u64::from(crate::exec::elf::PHDR_SIZE)),
        (AT_PHNUM, p.phnum),
        (AT_BASE, p.base),
        (AT_FLAGS, 0),
        (AT_ENTRY, p.entry),
        (AT_UID, u64::from(p.uid)),
        (AT_EUID, u64::from(p.euid)),
        (AT_GID, u64::from(p.gid)),
        (AT_EGID, u64::from(p.egid)),
        (AT_SECURE, u64::from(p.secure)),
        // AT_RANDOM goes here.
        (AT_HWCAP2, p.hwcap2),
        // AT_EXECFN and AT_PLATFORM go here.
    ]);
    if let Some((size, align)) = p.rseq {
        v.push((AT_RSEQ_FEATURE_SIZE, size));
        v.push((AT_RSEQ_ALIGN, align));
    }
    v
}

/// Linux's limit on the bytes of argument and environment strings plus their pointers
/// (`bprm_stack_limits`): a quarter of the stack limit, capped at 3/4 of `_STK_LIM`, but
/// never below `ARG_MAX`. 2 MiB with the default 8 MiB limit.
pub fn arg_space_limit(rlim_stack_cur: u64) -> u64 {
    (DEFAULT_STACK_RLIMIT / 4 * 3)
        .min(rlim_stack_cur / 4)
        .max(ARG_MAX)
}

/// Builds the initial stack for the default 8 MiB stack limit.
///
/// Fails with E2BIG when the strings don't fit Linux's limits, EINVAL when `auxv` holds an
/// entry `build` owns, and ENOMEM when `stack_top` is too low for the image.
pub fn build(params: &StackParams) -> KResult<InitialStack> {
    build_with_stack_rlimit(params, DEFAULT_STACK_RLIMIT)
}

/// [`build`] with the argument space limit derived from `rlim_stack_cur` (the soft
/// `RLIMIT_STACK` of the exec'ing process), as `bprm_stack_limits` does.
pub fn build_with_stack_rlimit(params: &StackParams, rlim_stack_cur: u64) -> KResult<InitialStack> {
    let argv: Vec<&[u8]> = if params.argv.is_empty() {
        vec![&b""[..]]
    } else {
        params.argv.iter().map(|s| c_str(s)).collect()
    };
    let envp: Vec<&[u8]> = params.envp.iter().map(|s| c_str(s)).collect();
    let execfn = c_str(params.execfn);
    let platform = c_str(params.platform);

    check_limits(&argv, &envp, execfn, rlim_stack_cur)?;
    for &(key, _) in params.auxv {
        if matches!(key, AT_NULL | AT_RANDOM | AT_EXECFN | AT_PLATFORM) {
            return Err(Errno::EINVAL);
        }
    }

    // The strings, packed below the zero end marker word.
    let top = params.stack_top;
    let argv_len: u64 = argv.iter().map(|s| s.len() as u64 + 1).sum();
    let envp_len: u64 = envp.iter().map(|s| s.len() as u64 + 1).sum();
    let execfn_len = execfn.len() as u64 + 1;
    let execfn_addr = sub(top, WORD + execfn_len)?;
    let env_start = sub(execfn_addr, envp_len)?;
    let argv_start = sub(env_start, argv_len)?;

    // `arch_align_stack`, then the platform string and the random bytes.
    let mut p = argv_start & !15;
    let platform_addr = if platform.is_empty() {
        None
    } else {
        p = sub(p, platform.len() as u64 + 1)?;
        Some(p)
    };
    p = sub(p, 16)?;
    let random_addr = p;

    let auxv = assemble_auxv(params.auxv, random_addr, execfn_addr, platform_addr);

    // STACK_ADD for the auxv (from the unaligned p), then STACK_ROUND for the pointers.
    let items = (argv.len() + 1 + envp.len() + 1 + 1) as u64;
    let words = (auxv.len() as u64)
        .checked_mul(2)
        .and_then(|w| w.checked_add(items))
        .and_then(|w| w.checked_mul(WORD))
        .ok_or(Errno::ENOMEM)?;
    let sp = sub(p, words)? & !15;

    let len = usize::try_from(top - sp).map_err(|_| Errno::ENOMEM)?;
    let mut img = Image {
        base: sp,
        bytes: vec![0; len],
    };

    // Strings: argv, envp, execfn upward from argv_start; the top word stays zero.
    let mut at = argv_start;
    let mut argv_ptrs = Vec::with_capacity(argv.len());
    for s in &argv {
        argv_ptrs.push(at);
        at = img.put_str(at, s);
    }
    let argv_end = at;
    let mut envp_ptrs = Vec::with_capacity(envp.len());
    for s in &envp {
        envp_ptrs.push(at);
        at = img.put_str(at, s);
    }
    let env_end = at;
    img.put_str(execfn_addr, execfn);
    if let Some(addr) = platform_addr {
        img.put_str(addr, platform);
    }
    img.put(random_addr, &params.random);

    // The word area, from sp up.
    let mut at = sp;
    at = img.put_word(at, argv.len() as u64);
    for &ptr in argv_ptrs.iter().chain(&[0]) {
        at = img.put_word(at, ptr);
    }
    for &ptr in envp_ptrs.iter().chain(&[0]) {
        at = img.put_word(at, ptr);
    }
    for &(key, val) in &auxv {
        at = img.put_word(at, key);
        at = img.put_word(at, val);
    }

    Ok(InitialStack {
        sp,
        bytes: img.bytes,
        argv_start,
        argv_end,
        env_start,
        env_end,
        auxv,
    })
}

/// The E2BIG checks of `do_execveat_common`, `bprm_stack_limits` and `copy_strings`.
fn check_limits(argv: &[&[u8]], envp: &[&[u8]], execfn: &[u8], rlim: u64) -> KResult<()> {
    if argv.len() as u64 > MAX_ARG_STRINGS || envp.len() as u64 > MAX_ARG_STRINGS {
        return Err(Errno::E2BIG);
    }

    // The pointers count against the limit up front; argv has at least the "" entry.
    let ptr_bytes = (argv.len() as u64 + envp.len() as u64) * WORD;
    let limit = arg_space_limit(rlim);
    if limit <= ptr_bytes {
        return Err(Errno::E2BIG);
    }
    let mut room = limit - ptr_bytes;

    // Each string (NUL included) is at most MAX_ARG_STRLEN, and together they must fit.
    let all = core::iter::once(execfn)
        .chain(envp.iter().copied())
        .chain(argv.iter().copied());
    for s in all {
        let len = s.len() as u64 + 1;
        if len > MAX_ARG_STRLEN || len > room {
            return Err(Errno::E2BIG);
        }
        room -= len;
    }
    Ok(())
}

/// The full auxv: the caller's entries with AT_RANDOM, AT_EXECFN and AT_PLATFORM placed
/// where Linux emits them, and AT_NULL at the end.
fn assemble_auxv(
    owned: &[(u64, u64)],
    random: u64,
    execfn: u64,
    platform: Option<u64>,
) -> Vec<(u64, u64)> {
    // Linux emits AT_RANDOM right after AT_SECURE, i.e. before everything from AT_HWCAP2
    // on; AT_EXECFN and AT_PLATFORM follow AT_HWCAP2..4, before the entries listed last.
    const AFTER_RANDOM: &[u64] = &[
        AT_HWCAP2,
        AT_HWCAP3,
        AT_HWCAP4,
        AT_BASE_PLATFORM,
        AT_EXECFD,
        AT_RSEQ_FEATURE_SIZE,
        AT_RSEQ_ALIGN,
    ];
    const AFTER_EXECFN: &[u64] = &[
        AT_BASE_PLATFORM,
        AT_EXECFD,
        AT_RSEQ_FEATURE_SIZE,
        AT_RSEQ_ALIGN,
    ];
    let first_of = |set: &[u64]| {
        owned
            .iter()
            .position(|(key, _)| set.contains(key))
            .unwrap_or(owned.len())
    };
    let random_at = first_of(AFTER_RANDOM);
    let execfn_at = first_of(AFTER_EXECFN).max(random_at);

    let mut v = Vec::with_capacity(owned.len() + 4);
    v.extend_from_slice(&owned[..random_at]);
    v.push((AT_RANDOM, random));
    v.extend_from_slice(&owned[random_at..execfn_at]);
    v.push((AT_EXECFN, execfn));
    if let Some(addr) = platform {
        v.push((AT_PLATFORM, addr));
    }
    v.extend_from_slice(&owned[execfn_at..]);
    v.push((AT_NULL, 0));
    v
}

/// The bytes of `s` up to its first NUL, as `strnlen_user` would see them.
fn c_str(s: &[u8]) -> &[u8] {
    s.iter().position(|&b| b == 0).map_or(s, |n| &s[..n])
}

/// `a - b`, or ENOMEM when the stack would go below address 0.
fn sub(a: u64, b: u64) -> KResult<u64> {
    a.checked_sub(b).ok_or(Errno::ENOMEM)
}

/// The stack image under construction, addressed by guest address.
struct Image {
    base: u64,
    bytes: Vec<u8>,
}

impl Image {
    /// Copies `data` to guest address `addr`; every caller stays inside `[base, top)` by
    /// construction of the layout, and a stray write is dropped rather than panicking.
    fn put(&mut self, addr: u64, data: &[u8]) {
        let Some(off) = addr
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
        else {
            return;
        };
        if let Some(dst) = off
            .checked_add(data.len())
            .and_then(|end| self.bytes.get_mut(off..end))
        {
            dst.copy_from_slice(data);
        }
    }

    /// Writes `s` and its NUL at `addr`, returning the address after the NUL.
    fn put_str(&mut self, addr: u64, s: &[u8]) -> u64 {
        self.put(addr, s);
        self.put(addr + s.len() as u64, &[0]);
        addr + s.len() as u64 + 1
    }

    /// Writes a little-endian word at `addr`, returning the address after it.
    fn put_word(&mut self, addr: u64, val: u64) -> u64 {
        self.put(addr, &val.to_le_bytes());
        addr + WORD
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    const TOP: u64 = 0x7fff_ffff_f000;

    fn strings(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    /// A view of a stack image by guest address.
    struct View<'a> {
        base: u64,
        bytes: &'a [u8],
    }

    impl View<'_> {
        fn word(&self, addr: u64) -> u64 {
            let off = (addr - self.base) as usize;
            let mut w = [0; 8];
            w.copy_from_slice(&self.bytes[off..off + 8]);
            u64::from_le_bytes(w)
        }

        fn bytes(&self, addr: u64, len: usize) -> &[u8] {
            let off = (addr - self.base) as usize;
            &self.bytes[off..off + len]
        }

        fn c_str(&self, addr: u64) -> Vec<u8> {
            let off = (addr - self.base) as usize;
            let len = self.bytes[off..].iter().position(|&b| b == 0).expect("NUL");
            self.bytes[off..off + len].to_vec()
        }
    }

    /// The words from sp up, decoded: argc, argv, envp and auxv.
    struct Decoded {
        argc: u64,
        argv: Vec<u64>,
        envp: Vec<u64>,
        auxv: Vec<(u64, u64)>,
        /// Address one past AT_NULL's value.
        auxv_end: u64,
    }

    fn decode(v: &View, sp: u64) -> Decoded {
        let argc = v.word(sp);
        let mut at = sp + 8;
        let argv: Vec<u64> = (0..argc).map(|i| v.word(at + i * 8)).collect();
        at += argc * 8;
        assert_eq!(v.word(at), 0, "argv NULL");
        at += 8;
        let mut envp = Vec::new();
        while v.word(at) != 0 {
            envp.push(v.word(at));
            at += 8;
        }
        at += 8;
        let mut auxv = Vec::new();
        loop {
            let pair = (v.word(at), v.word(at + 8));
            auxv.push(pair);
            at += 16;
            if pair.0 == AT_NULL {
                break;
            }
        }
        Decoded {
            argc,
            argv,
            envp,
            auxv,
            auxv_end: at,
        }
    }

    fn aux(auxv: &[(u64, u64)], key: u64) -> Option<u64> {
        auxv.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
    }

    fn sample_auxv() -> Vec<(u64, u64)> {
        standard_auxv(&AuxvParams {
            minsigstksz: 3376,
            hwcap: 0x178b_fbff,
            phdr: 0x40_0040,
            phnum: 10,
            entry: 0x40_14f0,
            uid: 1000,
            euid: 1001,
            gid: 100,
            egid: 101,
            hwcap2: 2,
            ..AuxvParams::default()
        })
    }

    #[test]
    fn every_word() {
        let argv = strings(&["/bin/prog", "-x", "", "hello world"]);
        let envp = strings(&["HOME=/", "TERM=xterm", "A="]);
        let owned = sample_auxv();
        let random: [u8; 16] = core::array::from_fn(|i| 0xa0 + i as u8);
        let params = StackParams {
            stack_top: TOP,
            argv: &argv,
            envp: &envp,
            execfn: b"/bin/prog",
            random,
            platform: b"x86_64",
            auxv: &owned,
        };
        let st = build(&params).expect("build");
        assert_eq!(st.sp % 16, 0);
        assert_eq!(st.bytes.len() as u64, TOP - st.sp);
        let v = View {
            base: st.sp,
            bytes: &st.bytes,
        };
        let d = decode(&v, st.sp);

        // argc and argv: pointers to the right strings, packed from argv_start.
        assert_eq!(d.argc, 4);
        let mut at = st.argv_start;
        for (ptr, s) in d.argv.iter().zip(&argv) {
            assert_eq!(*ptr, at);
            assert_eq!(&v.c_str(*ptr), s);
            at += s.len() as u64 + 1;
        }
        assert_eq!(at, st.argv_end);
        assert_eq!(st.argv_end, st.env_start);
        assert_eq!(d.envp.len(), envp.len());
        for (ptr, s) in d.envp.iter().zip(&envp) {
            assert_eq!(*ptr, at);
            assert_eq!(&v.c_str(*ptr), s);
            at += s.len() as u64 + 1;
        }
        assert_eq!(at, st.env_end);

        // AT_EXECFN right after the environment, then the zero word, then the top.
        let execfn = aux(&d.auxv, AT_EXECFN).expect("AT_EXECFN");
        assert_eq!(execfn, st.env_end);
        assert_eq!(v.c_str(execfn), b"/bin/prog");
        assert_eq!(execfn + 10 + 8, TOP);
        assert_eq!(v.word(TOP - 8), 0);

        // Platform below the 16-aligned string start, random bytes right below it.
        let platform = aux(&d.auxv, AT_PLATFORM).expect("AT_PLATFORM");
        assert_eq!(platform, (st.argv_start & !15) - 7);
        assert_eq!(v.c_str(platform), b"x86_64");
        let rnd = aux(&d.auxv, AT_RANDOM).expect("AT_RANDOM");
        assert_eq!(rnd, platform - 16);
        assert_eq!(v.bytes(rnd, 16), &random);

        // The auxv: the caller's entries plus ours, in Linux's order, and what we return.
        assert!(d.auxv_end <= rnd && rnd - d.auxv_end < 16);
        assert_eq!(d.auxv, st.auxv);
        let keys: Vec<u64> = d.auxv.iter().map(|&(k, _)| k).collect();
        let linux_order = [
            AT_MINSIGSTKSZ,
            AT_HWCAP,
            AT_PAGESZ,
            AT_CLKTCK,
            AT_PHDR,
            AT_PHENT,
            AT_PHNUM,
            AT_BASE,
            AT_FLAGS,
            AT_ENTRY,
            AT_UID,
            AT_EUID,
            AT_GID,
            AT_EGID,
            AT_SECURE,
            AT_RANDOM,
            AT_HWCAP2,
            AT_EXECFN,
            AT_PLATFORM,
            AT_NULL,
        ];
        assert_eq!(keys, linux_order);
        for &(k, val) in &owned {
            assert_eq!(aux(&d.auxv, k), Some(val));
        }
        assert_eq!(aux(&d.auxv, AT_PAGESZ), Some(4096));
        assert_eq!(aux(&d.auxv, AT_PHENT), Some(56));
        assert_eq!(aux(&d.auxv, AT_CLKTCK), Some(100));
        assert_eq!(aux(&d.auxv, AT_EUID), Some(1001));
        assert_eq!(aux(&d.auxv, AT_NULL), Some(0));

        // Padding is zero: between auxv and random, and between platform and strings.
        assert!(v
            .bytes(d.auxv_end, (rnd - d.auxv_end) as usize)
            .iter()
            .all(|&b| b == 0));
        let gap = (st.argv_start - platform - 7) as usize;
        assert!(v.bytes(platform + 7, gap).iter().all(|&b| b == 0));
    }

    #[test]
    fn hand_computed_layout() {
        // top-8-3 = execfn, "a" below it; p = ..eff3 & !15 = ..eff0; platform at ..efe9,
        // random at ..efd9; 4 auxv pairs + 4 pointer words = 96 bytes: ..ef79 & !15.
        let argv = strings(&["a"]);
        let params = StackParams {
            stack_top: TOP,
            argv: &argv,
            envp: &[],
            execfn: b"/x",
            random: [7; 16],
            platform: b"x86_64",
            auxv: &[],
        };
        let st = build(&params).expect("build");
        assert_eq!(st.argv_start, 0x7fff_ffff_eff3);
        assert_eq!(st.env_start, 0x7fff_ffff_eff5);
        assert_eq!(st.env_end, 0x7fff_ffff_eff5);
        assert_eq!(
            st.auxv,
            vec![
                (AT_RANDOM, 0x7fff_ffff_efd9),
                (AT_EXECFN, 0x7fff_ffff_eff5),
                (AT_PLATFORM, 0x7fff_ffff_efe9),
                (AT_NULL, 0),
            ]
        );
        assert_eq!(st.sp, 0x7fff_ffff_ef70);

        // No platform: no string and no AT_PLATFORM; 3 pairs + 4 words = 80 bytes.
        let st = build(&StackParams {
            platform: b"",
            ..params
        })
        .expect("build");
        assert_eq!(st.auxv[2], (AT_NULL, 0));
        assert_eq!(st.auxv[0], (AT_RANDOM, 0x7fff_ffff_efe0));
        assert_eq!(st.sp, 0x7fff_ffff_ef90);
    }

    #[test]
    fn empty_argv_gets_empty_argv0() {
        let params = StackParams {
            stack_top: TOP,
            argv: &[],
            envp: &[],
            execfn: b"/x",
            random: [0; 16],
            platform: b"x86_64",
            auxv: &[],
        };
        let st = build(&params).expect("build");
        let v = View {
            base: st.sp,
            bytes: &st.bytes,
        };
        let d = decode(&v, st.sp);
        assert_eq!(d.argc, 1);
        assert_eq!(v.c_str(d.argv[0]), b"");
        assert_eq!(st.argv_end, st.argv_start + 1);
    }

    #[test]
    fn strings_end_at_nul() {
        let argv = vec![b"ab\0cd".to_vec()];
        let envp = vec![b"X=1\0junk".to_vec()];
        let params = StackParams {
            stack_top: TOP,
            argv: &argv,
            envp: &envp,
            execfn: b"/p\0q",
            random: [0; 16],
            platform: b"x86_64",
            auxv: &[],
        };
        let st = build(&params).expect("build");
        assert_eq!(st.argv_end - st.argv_start, 3);
        assert_eq!(st.env_end - st.env_start, 4);
        assert_eq!(TOP - 8 - st.env_end, 3);
    }

    #[test]
    fn limits() {
        let base = StackParams {
            stack_top: TOP,
            argv: &[],
            envp: &[],
            execfn: b"/x",
            random: [0; 16],
            platform: b"x86_64",
            auxv: &[],
        };

        // One string: MAX_ARG_STRLEN including its NUL is the most.
        let longest = vec![vec![b'a'; MAX_ARG_STRLEN as usize - 1]];
        assert!(build(&StackParams {
            argv: &longest,
            ..base.clone()
        })
        .is_ok());
        let too_long = vec![vec![b'a'; MAX_ARG_STRLEN as usize]];
        let r = build(&StackParams {
            argv: &too_long,
            ..base.clone()
        });
        assert_eq!(r, Err(Errno::E2BIG));
        assert_eq!(
            build(&StackParams {
                envp: &too_long,
                ..base.clone()
            }),
            Err(Errno::E2BIG)
        );
        let long_execfn = vec![b'/'; MAX_ARG_STRLEN as usize];
        let r = build(&StackParams {
            execfn: &long_execfn,
            ..base.clone()
        });
        assert_eq!(r, Err(Errno::E2BIG));

        // In total: strings plus pointers within 2 MiB.
        assert_eq!(arg_space_limit(DEFAULT_STACK_RLIMIT), 2 << 20);
        assert_eq!(arg_space_limit(0), 128 << 10);
        assert_eq!(arg_space_limit(u64::MAX), 6 << 20);
        let many = vec![vec![b'b'; 100_000]; 21];
        assert_eq!(
            build(&StackParams {
                argv: &many,
                ..base.clone()
            }),
            Err(Errno::E2BIG)
        );
        let fits = vec![vec![b'b'; 100_000]; 20];
        let st = build(&StackParams {
            argv: &fits,
            ..base.clone()
        })
        .expect("2 MB of args");
        assert_eq!(st.argv_end - st.argv_start, 20 * 100_001);

        // Exactly at the limit: argv "z", 15 maximal envp strings and one of r bytes, with
        // 17 pointers and "/x", add up to 2 MiB; one more byte doesn't fit.
        let mut envp = vec![vec![b'e'; MAX_ARG_STRLEN as usize - 1]; 15];
        let r = (2 << 20) - 17 * 8 - 3 - 2 - 15 * MAX_ARG_STRLEN - 1;
        envp.push(vec![b'e'; r as usize]);
        let argv = vec![b"z".to_vec()];
        let at_limit = StackParams {
            argv: &argv,
            envp: &envp,
            ..base.clone()
        };
        assert!(build(&at_limit).is_ok());
        envp.last_mut().expect("last").push(b'e');
        let over = StackParams {
            argv: &argv,
            envp: &envp,
            ..base.clone()
        };
        assert_eq!(build(&over), Err(Errno::E2BIG));

        // A smaller stack limit shrinks the space, but never below ARG_MAX.
        let r = build_with_stack_rlimit(
            &StackParams {
                argv: &fits,
                ..base.clone()
            },
            1 << 20,
        );
        assert_eq!(r, Err(Errno::E2BIG));

        // Entries build owns are refused; a stack top too low to hold the image too.
        for key in [AT_NULL, AT_RANDOM, AT_EXECFN, AT_PLATFORM] {
            let auxv = [(key, 1)];
            assert_eq!(
                build(&StackParams {
                    auxv: &auxv,
                    ..base.clone()
                }),
                Err(Errno::EINVAL)
            );
        }
        for top in [0, 8, 100] {
            assert_eq!(
                build(&StackParams {
                    stack_top: top,
                    ..base.clone()
                }),
                Err(Errno::ENOMEM)
            );
        }
    }

    #[test]
    fn auxv_order_with_optional_entries() {
        let owned = standard_auxv(&AuxvParams {
            sysinfo_ehdr: Some(0x7fff_f7fc_1000),
            rseq: Some((32, 32)),
            ..AuxvParams::default()
        });
        let params = StackParams {
            stack_top: TOP,
            argv: &[],
            envp: &[],
            execfn: b"/x",
            random: [0; 16],
            platform: b"x86_64",
            auxv: &owned,
        };
        let st = build(&params).expect("build");
        let keys: Vec<u64> = st.auxv.iter().map(|&(k, _)| k).collect();
        let expect = [
            AT_SYSINFO_EHDR,
            AT_MINSIGSTKSZ,
            AT_HWCAP,
            AT_PAGESZ,
            AT_CLKTCK,
            AT_PHDR,
            AT_PHENT,
            AT_PHNUM,
            AT_BASE,
            AT_FLAGS,
            AT_ENTRY,
            AT_UID,
            AT_EUID,
            AT_GID,
            AT_EGID,
            AT_SECURE,
            AT_RANDOM,
            AT_HWCAP2,
            AT_EXECFN,
            AT_PLATFORM,
            AT_RSEQ_FEATURE_SIZE,
            AT_RSEQ_ALIGN,
            AT_NULL,
        ];
        assert_eq!(keys, expect);

        // Without AT_HWCAP2 and the tail entries everything is appended in order.
        let short = [(AT_PAGESZ, 4096)];
        let st = build(&StackParams {
            auxv: &short,
            ..params
        })
        .expect("build");
        let keys: Vec<u64> = st.auxv.iter().map(|&(k, _)| k).collect();
        assert_eq!(
            keys,
            [AT_PAGESZ, AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL]
        );
    }

    // --- Comparison with a real Linux process ---

    /// A native run of tests/guest/auxv_layout.c in dump mode.
    struct Native {
        sp: u64,
        top: u64,
        bytes: Vec<u8>,
    }

    fn guest_source() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/guest/auxv_layout.c")
    }

    /// Compiles auxv_layout.c statically with `flag`, or `None` (after a note) without gcc.
    fn compile_guest(name: &str, flag: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = std::env::temp_dir().join(format!("kern-stack-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let out = dir.join("auxv_layout");
        let gcc = Command::new("gcc")
            .args([flag, "-O1", "-Wall", "-o"])
            .arg(&out)
            .arg(guest_source())
            .output();
        let Ok(gcc) = gcc else {
            eprintln!("note: gcc not found, skipping {name}");
            return None;
        };
        let stderr = String::from_utf8_lossy(&gcc.stderr);
        assert!(gcc.status.success(), "gcc failed: {stderr}");
        Some((dir, out))
    }

    const ENV: [(&str, &str); 3] = [("A", "1"), ("LONGER_NAME", "x y z"), ("EMPTY", "")];

    /// Runs `bin args` with only `ENV`, under `setarch -R` when `norandom` (then `None` if
    /// setarch is unusable here).
    fn run(bin: &PathBuf, args: &[&str], norandom: bool) -> Option<std::process::Output> {
        let mut cmd = if norandom {
            let mut c = Command::new("setarch");
            c.args(["x86_64", "-R"]).arg(bin);
            c
        } else {
            Command::new(bin)
        };
        cmd.args(args).env_clear().envs(ENV);
        let out = cmd.output().ok()?;
        if norandom && !out.status.success() {
            return None;
        }
        Some(out)
    }

    fn parse_dump(text: &str) -> Native {
        let hex = |s: &str| u64::from_str_radix(s, 16).expect("hex");
        let mut n = Native {
            sp: 0,
            top: 0,
            bytes: Vec::new(),
        };
        for line in text.lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            match w.as_slice() {
                ["sp", v] => n.sp = hex(v),
                ["top", v] => n.top = hex(v),
                ["mem", off, data] => {
                    assert_eq!(hex(off) as usize, n.bytes.len());
                    for i in (0..data.len()).step_by(2) {
                        n.bytes
                            .push(u8::from_str_radix(&data[i..i + 2], 16).expect("byte"));
                    }
                }
                _ => panic!("unexpected dump line {line:?}"),
            }
        }
        assert_eq!(n.bytes.len() as u64, n.top - n.sp);
        n
    }

    #[test]
    fn matches_native_linux() {
        let Some((dir, bin)) = compile_guest("dump", "-static") else {
            return;
        };
        let args = ["--dump", "hello", "w\u{f6}rld", "", "last arg"];

        // Without randomization the whole image must match byte for byte; with it, only
        // up to the random shift `arch_align_stack` adds below the strings.
        let (out, norandom) = match run(&bin, &args, true) {
            Some(out) => (out, true),
            None => {
                eprintln!("note: setarch -R unusable, comparing around the random gap");
                (run(&bin, &args, false).expect("run auxv_layout"), false)
            }
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let native = parse_dump(&String::from_utf8(out.stdout).expect("text"));
        let nv = View {
            base: native.sp,
            bytes: &native.bytes,
        };
        let nd = decode(&nv, native.sp);

        // Feed build() what Linux had: the same strings, random bytes and auxv entries.
        let argv: Vec<Vec<u8>> = nd.argv.iter().map(|&p| nv.c_str(p)).collect();
        let envp: Vec<Vec<u8>> = nd.envp.iter().map(|&p| nv.c_str(p)).collect();
        assert_eq!(argv.len(), args.len() + 1);
        assert_eq!(&argv[1..], &strings(&args)[..]);
        let want_env: Vec<Vec<u8>> = ENV
            .iter()
            .map(|(k, v)| format!("{k}={v}").into_bytes())
            .collect();
        let mut sorted_env = envp.clone();
        sorted_env.sort();
        let mut sorted_want = want_env.clone();
        sorted_want.sort();
        assert_eq!(sorted_env, sorted_want);
        let execfn = nv.c_str(aux(&nd.auxv, AT_EXECFN).expect("AT_EXECFN"));
        let native_platform = aux(&nd.auxv, AT_PLATFORM).expect("AT_PLATFORM");
        let platform = nv.c_str(native_platform);
        assert_eq!(platform, b"x86_64");
        let native_random = aux(&nd.auxv, AT_RANDOM).expect("AT_RANDOM");
        let mut random = [0; 16];
        random.copy_from_slice(nv.bytes(native_random, 16));
        let owned: Vec<(u64, u64)> = nd
            .auxv
            .iter()
            .copied()
            .filter(|(k, _)| ![AT_NULL, AT_RANDOM, AT_EXECFN, AT_PLATFORM].contains(k))
            .collect();
        let params = StackParams {
            stack_top: native.top,
            argv: &argv,
            envp: &envp,
            execfn: &execfn,
            random,
            platform: &platform,
            auxv: &owned,
        };
        let ours = build(&params).expect("build");
        let ov = View {
            base: ours.sp,
            bytes: &ours.bytes,
        };

        // Strings: same addresses, same bytes, same /proc boundaries.
        assert_eq!(ours.argv_start, nd.argv[0]);
        assert_eq!(ours.env_start, nd.envp[0]);
        let len = (native.top - ours.argv_start) as usize;
        assert_eq!(
            ov.bytes(ours.argv_start, len),
            nv.bytes(ours.argv_start, len)
        );

        // Below them, everything is shifted by Linux's random gap (0 under setarch -R).
        let our_platform = aux(&ours.auxv, AT_PLATFORM).expect("ours AT_PLATFORM");
        let delta = native_platform.wrapping_sub(our_platform);
        assert_eq!(native.sp, ours.sp.wrapping_add(delta));
        let od = decode(&ov, ours.sp);
        assert_eq!(od.argc, nd.argc);
        assert_eq!(od.argv, nd.argv);
        assert_eq!(od.envp, nd.envp);
        let shifted: Vec<(u64, u64)> = ours
            .auxv
            .iter()
            .map(|&(k, v)| match k {
                AT_RANDOM | AT_PLATFORM => (k, v.wrapping_add(delta)),
                _ => (k, v),
            })
            .collect();
        assert_eq!(shifted, nd.auxv);
        let low = (our_platform + 7 - ours.sp) as usize;
        let native_low = &native.bytes[..low];
        let mut ours_low = ours.bytes[..low].to_vec();
        for (k, v) in [(AT_RANDOM, native_random), (AT_PLATFORM, native_platform)] {
            let i = ours
                .auxv
                .iter()
                .position(|&(key, _)| key == k)
                .expect("entry");
            let at = (od.auxv_end - ours.sp) as usize - (ours.auxv.len() - i) * 16 + 8;
            ours_low[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        assert_eq!(ours_low, native_low);

        if norandom {
            assert_eq!(delta, 0);
            assert_eq!(ours.sp, native.sp);
            assert_eq!(ours.bytes, native.bytes);
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn native_check_mode_passes() {
        for (name, flag) in [("check-static", "-static"), ("check-pie", "-static-pie")] {
            let Some((dir, bin)) = compile_guest(name, flag) else {
                return;
            };
            let out = run(&bin, &["one", "two"], false).expect("run auxv_layout");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{flag}: {text}");
            assert!(text.contains("result: PASS"), "{text}");
            assert!(text.contains("argc=3\n"), "{text}");

            // The output must not depend on where the stack is.
            let again = run(&bin, &["one", "two"], false).expect("rerun auxv_layout");
            assert_eq!(String::from_utf8_lossy(&again.stdout), text);
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
