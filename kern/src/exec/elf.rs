//! ELF executable parsing for `execve`, following Linux's `fs/binfmt_elf.c`.
//!
//! [`parse`] validates an x86_64 executable image and describes what to map; it touches no
//! guest memory. Headers and program headers are decoded by `goblin`; everything Linux
//! checks on top of that (and a few things it leaves to `mmap` failures or to `SIGSEGV`
//! after the point of no return) is checked here up front, so `execve` can still fail with
//! `ENOEXEC` while the old image is intact.
//!
//! # How the caller maps an [`ElfImage`] (Linux 6.x `elf_load`)
//!
//! With `bias = image.load_bias(base)`, for each [`Segment`] in order:
//!
//! 1. If `file_len > 0`, map the file privately over [`Segment::file_pages`] + bias, starting
//!    at file offset `page_start(file_off)`, with `prot`. The mapping runs to the end of the
//!    page holding the last file byte, so file bytes past `file_len` show up there.
//! 2. If `mem_len > file_len`, zero [`Segment::zero_tail`] + bias (the rest of that last file
//!    page). Linux ignores the failure to do so on a read-only segment, so that range is empty
//!    unless the segment is writable.
//! 3. Map anonymous zero pages over [`Segment::anon_pages`] + bias with
//!    [`Segment::anon_prot`]: Linux uses `vm_brk_flags`, which makes them read-write whatever
//!    the segment asked for (plus exec if it asked for exec).
//!
//! Segments may share a page (byte ranges never overlap, page-rounded ones can); Linux maps
//! them in order with `MAP_FIXED`, so the later segment replaces the shared page. The initial
//! program break is `max_vaddr + bias` (Linux: `ELF_PAGEALIGN(elf_brk)` without
//! randomization). The entry point is `entry + bias`, `AT_PHDR` is
//! [`ElfImage::phdr_addr`]`(bias)`, and `PT_GNU_STACK` decides [`ElfImage::stack_exec`].

use core::ops::{BitOr, Range};

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, EM_X86_64, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};
use goblin::elf::{Elf, ProgramHeader};

use crate::errno::{Errno, KResult};

/// The x86_64 page size, `ELF_MIN_ALIGN` in Linux.
pub const PAGE_SIZE: u64 = 4096;

/// The end of user address space with 4-level paging (`TASK_SIZE_MAX` = 2^47 - one page).
pub const TASK_SIZE: u64 = (1 << 47) - PAGE_SIZE;

/// Linux's `ELF_ET_DYN_BASE` on x86_64 without randomization: 2/3 of `TASK_SIZE`, page
/// aligned down, i.e. `0x555555554000` where PIE executables land under `setarch -R`.
pub const ET_DYN_BASE: u64 = (TASK_SIZE / 3 * 2) & !(PAGE_SIZE - 1);

/// `sizeof(Elf64_Phdr)`: Linux refuses any other `e_phentsize` (and reports this in AT_PHENT).
pub const PHDR_SIZE: u16 = 56;

/// Linux's `load_elf_phdrs` refuses program header tables larger than one page.
const MAX_PHDR_BYTES: u64 = PAGE_SIZE;

/// Linux refuses a `PT_INTERP` longer than `PATH_MAX` (NUL included).
const PATH_MAX: u64 = 4096;

/// The ELF header is 64 bytes for ELF64.
const EHDR_SIZE: usize = 64;

/// Whether the executable is position dependent or position independent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfKind {
    /// `ET_EXEC`: loaded at its link addresses, bias 0.
    Exec,
    /// `ET_DYN`: a PIE (or a static PIE when there is no `PT_INTERP`), loaded at a bias.
    Dyn,
}

/// Page protection, with Linux's `PROT_*` bit values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Prot(pub u32);

impl Prot {
    /// No access.
    pub const NONE: Prot = Prot(0);
    /// `PROT_READ`.
    pub const READ: Prot = Prot(1);
    /// `PROT_WRITE`.
    pub const WRITE: Prot = Prot(2);
    /// `PROT_EXEC`.
    pub const EXEC: Prot = Prot(4);

    /// Whether every bit of `other` is set in `self`.
    pub fn contains(self, other: Prot) -> bool {
        self.0 & other.0 == other.0
    }

    /// Linux's `make_prot`: `PF_R`/`PF_W`/`PF_X` map one to one onto `PROT_*` (x86_64 has no
    /// arch adjustment; READ_IMPLIES_EXEC never applies to 64-bit executables).
    pub fn from_p_flags(p_flags: u32) -> Prot {
        let mut prot = Prot::NONE;
        if p_flags & PF_R != 0 {
            prot = prot | Prot::READ;
        }
        if p_flags & PF_W != 0 {
            prot = prot | Prot::WRITE;
        }
        if p_flags & PF_X != 0 {
            prot = prot | Prot::EXEC;
        }
        prot
    }
}

impl BitOr for Prot {
    type Output = Prot;

    fn bitor(self, rhs: Prot) -> Prot {
        Prot(self.0 | rhs.0)
    }
}

/// One `PT_LOAD` segment, in link-time addresses (add the load bias to map it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// `p_vaddr`: where the segment's first byte goes (not necessarily page aligned).
    pub vaddr: u64,
    /// `p_memsz`: bytes of memory, never 0 (empty `PT_LOAD`s are dropped).
    pub mem_len: u64,
    /// `p_offset`: where the file bytes start; congruent to `vaddr` modulo the page size
    /// when `file_len > 0`, meaningless otherwise.
    pub file_off: u64,
    /// `p_filesz`: bytes backed by the file, `<= mem_len`; the rest is zero (bss).
    pub file_len: u64,
    /// Protection from `p_flags`.
    pub prot: Prot,
}

impl Segment {
    /// Pages mapped from the file (empty if `file_len == 0`): from the page holding `vaddr`
    /// to the end of the page holding the last file byte. The file offset of the first page
    /// is `page_start(file_off)`.
    pub fn file_pages(&self) -> Range<u64> {
        if self.file_len == 0 {
            return 0..0;
        }
        page_start(self.vaddr)..page_align(self.vaddr.saturating_add(self.file_len))
    }

    /// Bytes to clear after the file data in its last page (Linux's `padzero`): only when
    /// there is bss and the segment is writable, since Linux ignores the failed clear of a
    /// read-only page and leaves the file bytes visible there.
    pub fn zero_tail(&self) -> Range<u64> {
        let file_end = self.vaddr.saturating_add(self.file_len);
        if self.file_len == 0 || self.mem_len <= self.file_len || !self.prot.contains(Prot::WRITE) {
            return file_end..file_end;
        }
        file_end..page_align(file_end)
    }

    /// Anonymous zero pages for the bss past the file pages (empty if there are none).
    /// A segment with no file bytes gets them from the page holding `vaddr`.
    pub fn anon_pages(&self) -> Range<u64> {
        let end = page_align(self.vaddr.saturating_add(self.mem_len));
        if self.mem_len <= self.file_len {
            return end..end;
        }
        let start = if self.file_len == 0 {
            page_start(self.vaddr)
        } else {
            page_align(self.vaddr.saturating_add(self.file_len))
        };
        start..end.max(start)
    }

    /// Protection of [`Segment::anon_pages`]: `vm_brk_flags` maps them read-write, adding
    /// exec only if the segment is executable.
    pub fn anon_prot(&self) -> Prot {
        let rw = Prot::READ | Prot::WRITE;
        if self.prot.contains(Prot::EXEC) {
            rw | Prot::EXEC
        } else {
            rw
        }
    }
}

/// A validated executable: what `execve` needs to map it and to fill the auxv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfImage {
    /// `ET_EXEC` or `ET_DYN`.
    pub kind: ElfKind,
    /// `e_entry`, unbiased.
    pub entry: u64,
    /// Unbiased address of the program headers in memory. Linux (since 5.18) takes it from
    /// the `PT_LOAD` whose file range holds `e_phoff`; when none does, we fall back to
    /// `PT_PHDR`'s `p_vaddr`. `None` if neither exists.
    pub phdr_vaddr: Option<u64>,
    /// `e_phnum`, for `AT_PHNUM`.
    pub phnum: u16,
    /// `e_phentsize` (always [`PHDR_SIZE`]), for `AT_PHENT`.
    pub phent: u16,
    /// The non-empty `PT_LOAD`s, sorted by address and non-overlapping.
    pub segments: Vec<Segment>,
    /// The `PT_INTERP` path without its NUL, if any: the executable is dynamically linked.
    pub interp: Option<Vec<u8>>,
    /// Whether `PT_GNU_STACK` asks for an executable stack. Without `PT_GNU_STACK` the
    /// x86_64 default is a non-executable stack for 64-bit programs.
    pub stack_exec: bool,
    /// Page-aligned start of the lowest segment (unbiased).
    pub min_vaddr: u64,
    /// Page-aligned end of the highest segment (unbiased): the initial program break.
    pub max_vaddr: u64,
    /// Largest power-of-two `p_align` of the `PT_LOAD`s, at least [`PAGE_SIZE`]; Linux
    /// aligns an `ET_DYN` load address down to it (`maximum_alignment`).
    pub load_align: u64,
}

impl ElfImage {
    /// The load bias: 0 for `ET_EXEC`; for `ET_DYN`, `preferred_base` aligned down to
    /// [`ElfImage::load_align`], less the first segment's `vaddr`, page aligned down —
    /// exactly Linux's `ELF_PAGESTART(load_bias - vaddr)`.
    ///
    /// Linux uses [`ET_DYN_BASE`] for a PIE with `PT_INTERP`, and for one without it (a
    /// static PIE, or ld.so run directly) whatever `mmap` picks in the mmap area; any base
    /// works as long as [`ElfImage::fits_at`] holds.
    pub fn load_bias(&self, preferred_base: u64) -> u64 {
        if self.kind == ElfKind::Exec {
            return 0;
        }
        // max() keeps a hand-built image with load_align 0 from underflowing.
        let base = preferred_base & !(self.load_align.max(PAGE_SIZE) - 1);
        let first = self.segments.first().map_or(0, |s| s.vaddr);
        page_start(base.wrapping_sub(first))
    }

    /// Whether every segment, moved by `bias`, stays inside user space.
    pub fn fits_at(&self, bias: u64) -> bool {
        match (
            self.min_vaddr.checked_add(bias),
            self.max_vaddr.checked_add(bias),
        ) {
            (Some(_), Some(end)) => end <= TASK_SIZE,
            _ => false,
        }
    }

    /// The `AT_PHDR` value at `bias`. Like Linux, 0 + bias when the headers are not mapped.
    pub fn phdr_addr(&self, bias: u64) -> u64 {
        self.phdr_vaddr.unwrap_or(0).wrapping_add(bias)
    }
}

/// Parses and validates the executable `image` (the whole file).
///
/// Accepts little-endian ELF64 `ET_EXEC`/`ET_DYN` for `EM_X86_64`; everything else, and any
/// header or segment that Linux would refuse or could not map, fails with `ENOEXEC`.
pub fn parse(image: &[u8]) -> KResult<ElfImage> {
    parse_head(image, image.len() as u64)
}

/// Parses an executable from its first bytes `head` (which must hold the ELF header,
/// the program headers and any PT_INTERP string) and the size of the whole file, so
/// that execve need not read a large executable in full; segments are checked against
/// `file_len`.
pub fn parse_head(image: &[u8], file_len: u64) -> KResult<ElfImage> {
    let noexec = |_| Errno::ENOEXEC;

    // goblin reads the identification bytes and picks the class; we then require the one
    // class, byte order and machine we run, as `elf_check_arch` does.
    if image.len() < EHDR_SIZE {
        return Err(Errno::ENOEXEC);
    }
    let hdr = Elf::parse_header(image).map_err(noexec)?;
    if hdr.e_ident[EI_CLASS] != ELFCLASS64 || hdr.e_ident[EI_DATA] != ELFDATA2LSB {
        return Err(Errno::ENOEXEC);
    }
    if hdr.e_machine != EM_X86_64 {
        return Err(Errno::ENOEXEC);
    }
    let kind = match hdr.e_type {
        ET_EXEC => ElfKind::Exec,
        ET_DYN => ElfKind::Dyn,
        _ => return Err(Errno::ENOEXEC),
    };

    // `load_elf_phdrs`: exact entry size, at least one entry, at most one page of them.
    if hdr.e_phentsize != PHDR_SIZE || hdr.e_phnum == 0 {
        return Err(Errno::ENOEXEC);
    }
    let ph_bytes = u64::from(hdr.e_phnum) * u64::from(PHDR_SIZE);
    if ph_bytes > MAX_PHDR_BYTES {
        return Err(Errno::ENOEXEC);
    }
    // Linux would fail the short read with EIO; a table past EOF is simply not an executable.
    let ph_end = hdr.e_phoff.checked_add(ph_bytes).ok_or(Errno::ENOEXEC)?;
    if ph_end > image.len() as u64 {
        return Err(Errno::ENOEXEC);
    }
    let ph_off = usize::try_from(hdr.e_phoff).map_err(|_| Errno::ENOEXEC)?;
    let ctx = Ctx::new(Container::Big, Endian::Little);
    let phdrs =
        ProgramHeader::parse(image, ph_off, usize::from(hdr.e_phnum), ctx).map_err(noexec)?;

    if hdr.e_entry >= TASK_SIZE {
        return Err(Errno::ENOEXEC);
    }

    let interp = find_interp(image, &phdrs)?;

    // The last PT_GNU_STACK wins, as in Linux's loop.
    let stack_exec = phdrs
        .iter()
        .rev()
        .find(|ph| ph.p_type == PT_GNU_STACK)
        .is_some_and(|ph| ph.p_flags & PF_X != 0);

    let mut segments: Vec<Segment> = Vec::new();
    let mut phdr_from_load = None;
    let mut load_align = PAGE_SIZE;
    for ph in phdrs.iter().filter(|ph| ph.p_type == PT_LOAD) {
        check_load(file_len, ph)?;

        // Linux's AT_PHDR rule: the (last) PT_LOAD whose file bytes start at or before
        // e_phoff and extend past it.
        if ph.p_offset <= hdr.e_phoff && hdr.e_phoff - ph.p_offset < ph.p_filesz {
            phdr_from_load = Some(hdr.e_phoff - ph.p_offset + ph.p_vaddr);
        }

        // Non-power-of-two alignments are skipped as invalid, as `maximum_alignment` does.
        if ph.p_align.is_power_of_two() {
            load_align = load_align.max(ph.p_align);
        }

        // An empty PT_LOAD maps nothing in Linux either.
        if ph.p_memsz == 0 {
            continue;
        }

        // Segments must come in address order without overlapping bytes, which also makes
        // the last one the highest.
        if let Some(prev) = segments.last() {
            if ph.p_vaddr < prev.vaddr + prev.mem_len {
                return Err(Errno::ENOEXEC);
            }
        }
        segments.push(Segment {
            vaddr: ph.p_vaddr,
            mem_len: ph.p_memsz,
            file_off: ph.p_offset,
            file_len: ph.p_filesz,
            prot: Prot::from_p_flags(ph.p_flags),
        });
    }

    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return Err(Errno::ENOEXEC);
    };
    let min_vaddr = page_start(first.vaddr);
    // Bounded by TASK_SIZE (checked per segment), which is page aligned: no overflow.
    let max_vaddr = page_align(last.vaddr + last.mem_len);

    let phdr_vaddr = phdr_from_load.or_else(|| {
        phdrs
            .iter()
            .find(|ph| ph.p_type == PT_PHDR)
            .map(|ph| ph.p_vaddr)
    });

    Ok(ElfImage {
        kind,
        entry: hdr.e_entry,
        phdr_vaddr,
        phnum: hdr.e_phnum,
        phent: hdr.e_phentsize,
        segments,
        interp,
        stack_exec,
        min_vaddr,
        max_vaddr,
        load_align,
    })
}

/// The first `PT_INTERP`'s path, validated as Linux does: 2 to `PATH_MAX` bytes, inside the
/// file, NUL-terminated. Linux opens it as a C string, so the path ends at the first NUL.
fn find_interp(image: &[u8], phdrs: &[ProgramHeader]) -> KResult<Option<Vec<u8>>> {
    let Some(ph) = phdrs.iter().find(|ph| ph.p_type == PT_INTERP) else {
        return Ok(None);
    };
    if ph.p_filesz < 2 || ph.p_filesz > PATH_MAX {
        return Err(Errno::ENOEXEC);
    }
    let bytes = file_range(image, ph.p_offset, ph.p_filesz)?;
    let Some((&0, _)) = bytes.split_last() else {
        return Err(Errno::ENOEXEC);
    };
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Ok(Some(bytes[..len].to_vec()))
}

/// Checks one `PT_LOAD` against the file and the address space.
fn check_load(file_len: u64, ph: &ProgramHeader) -> KResult<()> {
    // Linux's own check (EINVAL there, after the point of no return): the segment must fit
    // below TASK_SIZE without wrapping, and the file part can't exceed the memory part.
    if ph.p_filesz > ph.p_memsz || ph.p_vaddr >= TASK_SIZE || ph.p_memsz > TASK_SIZE - ph.p_vaddr {
        return Err(Errno::ENOEXEC);
    }

    // A file mapping needs the offset and address to agree within the page (mmap takes a
    // page-aligned offset), and we insist the bytes exist rather than SIGBUS later. A
    // segment with no file bytes is never mapped from the file, so its offset is free.
    if ph.p_filesz > 0 {
        if ph.p_offset % PAGE_SIZE != ph.p_vaddr % PAGE_SIZE {
            return Err(Errno::ENOEXEC);
        }
        let end = ph.p_offset.checked_add(ph.p_filesz).ok_or(Errno::ENOEXEC)?;
        if end > file_len {
            return Err(Errno::ENOEXEC);
        }
    }
    Ok(())
}

/// `image[off..off + len]`, or ENOEXEC if that is not inside the file.
fn file_range(image: &[u8], off: u64, len: u64) -> KResult<&[u8]> {
    let start = usize::try_from(off).map_err(|_| Errno::ENOEXEC)?;
    let len = usize::try_from(len).map_err(|_| Errno::ENOEXEC)?;
    let end = start.checked_add(len).ok_or(Errno::ENOEXEC)?;
    image.get(start..end).ok_or(Errno::ENOEXEC)
}

/// `addr` rounded down to its page.
fn page_start(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// `addr` rounded up to a page boundary (saturating, for fields a caller filled in).
fn page_align(addr: u64) -> u64 {
    addr.saturating_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const HELLO_C: &str = "#include <stdio.h>\nint data = 42;\nchar bss[100000];\n\
        int main(int argc, char **argv) { bss[argc] = 1; printf(\"%d\\n\", data); return 0; }\n";

    /// A fresh scratch directory for one test, so parallel tests never share files.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kern-elf-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        dir
    }

    /// Compiles `HELLO_C` with `flags`, returning the binary and readelf's view of it;
    /// `None` (after a note) when gcc is not installed.
    fn compile(name: &str, flags: &[&str]) -> Option<(Vec<u8>, Option<Readelf>)> {
        let dir = scratch(name);
        let src = dir.join("hello.c");
        let out = dir.join("hello");
        std::fs::write(&src, HELLO_C).expect("write source");
        let gcc = Command::new("gcc")
            .args(flags)
            .arg("-o")
            .arg(&out)
            .arg(&src)
            .output();
        let Ok(gcc) = gcc else {
            eprintln!("note: gcc not found, skipping {name}");
            return None;
        };
        let stderr = String::from_utf8_lossy(&gcc.stderr);
        assert!(gcc.status.success(), "gcc {flags:?} failed: {stderr}");
        let bytes = std::fs::read(&out).expect("read binary");
        let info = readelf(&out);
        let _ = std::fs::remove_dir_all(&dir);
        Some((bytes, info))
    }

    /// What `readelf -lW` says about a file: type, entry, phoff and the PT_LOAD rows as
    /// (offset, vaddr, filesz, memsz, flags).
    struct Readelf {
        kind: String,
        entry: u64,
        phoff: u64,
        loads: Vec<(u64, u64, u64, u64, String)>,
    }

    fn readelf(path: &Path) -> Option<Readelf> {
        let out = match Command::new("readelf").arg("-lW").arg(path).output() {
            Ok(out) => out,
            Err(_) => {
                eprintln!("note: readelf not found, skipping the readelf comparison");
                return None;
            }
        };
        let text = String::from_utf8(out.stdout).expect("readelf output is text");
        let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex");
        let mut r = Readelf {
            kind: String::new(),
            entry: 0,
            phoff: 0,
            loads: Vec::new(),
        };
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(rest) = line.strip_prefix("Elf file type is ") {
                r.kind = rest.split_whitespace().next().unwrap_or("").to_string();
            } else if let Some(rest) = line.strip_prefix("Entry point ") {
                r.entry = hex(rest.trim());
            } else if line.starts_with("There are ") {
                r.phoff = words
                    .last()
                    .expect("offset")
                    .parse()
                    .expect("decimal offset");
            } else if words.first() == Some(&"LOAD") {
                // LOAD off vaddr paddr filesz memsz FLAGS... align; "R E" has a space.
                let flags = words[6..words.len() - 1].concat();
                r.loads.push((
                    hex(words[1]),
                    hex(words[2]),
                    hex(words[4]),
                    hex(words[5]),
                    flags,
                ));
            }
        }
        Some(r)
    }

    fn flags_of(prot: Prot) -> String {
        let mut s = String::new();
        for (bit, c) in [(Prot::READ, 'R'), (Prot::WRITE, 'W'), (Prot::EXEC, 'E')] {
            if prot.contains(bit) {
                s.push(c);
            }
        }
        s
    }

    /// Checks `img` against readelf's view of the same file.
    fn matches_readelf(info: Option<Readelf>, img: &ElfImage) {
        let Some(r) = info else { return };
        let kind = match img.kind {
            ElfKind::Exec => "EXEC",
            ElfKind::Dyn => "DYN",
        };
        assert_eq!(r.kind, kind);
        assert_eq!(r.entry, img.entry);
        let ours: Vec<_> = img
            .segments
            .iter()
            .map(|s| (s.file_off, s.vaddr, s.file_len, s.mem_len, flags_of(s.prot)))
            .collect();
        assert_eq!(ours, r.loads);

        // AT_PHDR by Linux's rule, from readelf's numbers.
        let (off, vaddr, filesz, _, _) = r
            .loads
            .iter()
            .find(|l| l.0 <= r.phoff && r.phoff < l.0 + l.2)
            .expect("headers inside a PT_LOAD")
            .clone();
        assert_eq!(img.phdr_vaddr, Some(r.phoff - off + vaddr));
        assert!(filesz > 0);
    }

    #[test]
    fn static_exec() {
        let Some((bytes, info)) = compile("static", &["-static", "-O1"]) else {
            return;
        };
        let img = parse(&bytes).expect("static binary parses");
        assert_eq!(img.kind, ElfKind::Exec);
        assert_eq!(img.interp, None);
        assert!(!img.stack_exec);
        assert_eq!(img.phent, PHDR_SIZE);
        assert_eq!(img.load_bias(ET_DYN_BASE), 0);
        assert!(img.fits_at(0));
        assert_eq!(img.min_vaddr, 0x40_0000);
        assert_eq!(img.max_vaddr % PAGE_SIZE, 0);
        assert!(img.segments.iter().any(|s| s.prot.contains(Prot::EXEC)));
        assert!(img.segments.iter().any(|s| s.mem_len > s.file_len));
        let text = img
            .segments
            .iter()
            .find(|s| s.prot.contains(Prot::EXEC))
            .expect("text");
        assert!(text.vaddr <= img.entry && img.entry < text.vaddr + text.mem_len);
        matches_readelf(info, &img);
    }

    #[test]
    fn static_pie() {
        let Some((bytes, info)) = compile("static-pie", &["-static-pie", "-O1"]) else {
            return;
        };
        let img = parse(&bytes).expect("static-pie binary parses");
        assert_eq!(img.kind, ElfKind::Dyn);
        assert_eq!(img.interp, None);
        assert_eq!(img.min_vaddr, 0);
        let bias = img.load_bias(ET_DYN_BASE);
        assert_eq!(bias, 0x5555_5555_4000);
        assert!(img.fits_at(bias));
        assert!(!img.fits_at(TASK_SIZE - img.max_vaddr + PAGE_SIZE));
        assert_eq!(img.phdr_addr(bias), bias + 64);
        matches_readelf(info, &img);
    }

    #[test]
    fn dynamic_has_interp() {
        let Some((bytes, info)) = compile("dynamic", &["-O1"]) else {
            return;
        };
        let img = parse(&bytes).expect("dynamic binary parses");
        let interp = img.interp.clone().expect("PT_INTERP");
        assert!(interp.starts_with(b"/"), "{interp:?}");
        assert!(!interp.contains(&0));
        matches_readelf(info, &img);
    }

    #[test]
    fn execstack() {
        let flags = ["-static", "-Wl,-z,execstack"];
        let Some((mut bytes, _)) = compile("execstack", &flags) else {
            return;
        };
        assert!(parse(&bytes).expect("parses").stack_exec);

        // Turning PT_GNU_STACK into PT_NULL gives the x86_64 default: not executable.
        for i in 0..phnum(&bytes) {
            if ph_u32(&bytes, i, 0) == PT_GNU_STACK {
                set_ph_u32(&mut bytes, i, 0, 0);
            }
        }
        assert!(!parse(&bytes).expect("parses").stack_exec);
    }

    #[test]
    fn constants() {
        assert_eq!(TASK_SIZE, 0x7fff_ffff_f000);
        assert_eq!(ET_DYN_BASE, 0x5555_5555_4000);
        assert_eq!(Prot::READ | Prot::WRITE | Prot::EXEC, Prot(7));
        assert!(Prot(3).contains(Prot::WRITE));
        assert!(!Prot(3).contains(Prot::EXEC));
        assert_eq!(Prot::from_p_flags(PF_R | PF_X), Prot::READ | Prot::EXEC);
    }

    #[test]
    fn segment_ranges() {
        // The shape of a static binary's data segment: file bytes, then bss.
        let data = Segment {
            vaddr: 0x4a06d8,
            mem_len: 0xb3c8,
            file_off: 0xa06d8,
            file_len: 0x5b98,
            prot: Prot::READ | Prot::WRITE,
        };
        assert_eq!(data.file_pages(), 0x4a0000..0x4a7000);
        assert_eq!(data.zero_tail(), 0x4a6270..0x4a7000);
        assert_eq!(data.anon_pages(), 0x4a7000..0x4ac000);
        assert_eq!(data.anon_prot(), Prot::READ | Prot::WRITE);

        // Read-only with bss: Linux can't clear the tail, so it doesn't.
        let ro = Segment {
            prot: Prot::READ | Prot::EXEC,
            ..data.clone()
        };
        assert!(ro.zero_tail().is_empty());
        assert_eq!(ro.anon_prot(), Prot(7));

        // No bss: nothing to zero, no anonymous pages.
        let text = Segment {
            mem_len: 0x5b98,
            ..data.clone()
        };
        assert!(text.zero_tail().is_empty());
        assert!(text.anon_pages().is_empty());

        // Only bss: anonymous pages from the page holding vaddr.
        let bss = Segment {
            file_len: 0,
            ..data.clone()
        };
        assert!(bss.file_pages().is_empty());
        assert!(bss.zero_tail().is_empty());
        assert_eq!(bss.anon_pages(), 0x4a0000..0x4ac000);

        // bss ending inside the last file page needs no anonymous page.
        let small = Segment {
            mem_len: 0x5c00,
            ..data.clone()
        };
        assert_eq!(small.zero_tail(), 0x4a6270..0x4a7000);
        assert!(small.anon_pages().is_empty());

        // Fields a caller made up must not overflow.
        let wild = Segment {
            vaddr: u64::MAX,
            mem_len: u64::MAX,
            file_len: 1,
            ..data
        };
        let _ = (wild.file_pages(), wild.zero_tail(), wild.anon_pages());
    }

    // --- Synthetic images: an ELF64 header plus program headers, no sections. ---

    /// (p_type, p_flags, p_offset, p_vaddr, p_filesz, p_memsz, p_align)
    type Ph = (u32, u32, u64, u64, u64, u64, u64);

    fn synth(e_type: u16, entry: u64, phdrs: &[Ph], file_len: usize) -> Vec<u8> {
        let mut b = vec![0u8; file_len.max(64 + phdrs.len() * 56)];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = ELFCLASS64;
        b[5] = ELFDATA2LSB;
        b[6] = 1;
        b[16..18].copy_from_slice(&e_type.to_le_bytes());
        b[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[24..32].copy_from_slice(&entry.to_le_bytes());
        b[32..40].copy_from_slice(&64u64.to_le_bytes());
        b[52..54].copy_from_slice(&64u16.to_le_bytes());
        b[54..56].copy_from_slice(&PHDR_SIZE.to_le_bytes());
        b[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        for (i, &(ty, fl, off, va, fs, ms, al)) in phdrs.iter().enumerate() {
            let p = 64 + i * 56;
            b[p..p + 4].copy_from_slice(&ty.to_le_bytes());
            b[p + 4..p + 8].copy_from_slice(&fl.to_le_bytes());
            for (j, v) in [off, va, va, fs, ms, al].iter().enumerate() {
                b[p + 8 + j * 8..p + 16 + j * 8].copy_from_slice(&v.to_le_bytes());
            }
        }
        b
    }

    /// A valid two-segment ET_EXEC: headers+text in the first page, data+bss after.
    fn two_loads() -> Vec<Ph> {
        vec![
            (PT_LOAD, PF_R | PF_X, 0, 0x40_0000, 0x1000, 0x1000, 0x1000),
            (
                PT_LOAD,
                PF_R | PF_W,
                0x1000,
                0x40_1000,
                0x100,
                0x3000,
                0x1000,
            ),
        ]
    }

    fn phnum(b: &[u8]) -> usize {
        usize::from(u16::from_le_bytes([b[56], b[57]]))
    }

    fn phoff(b: &[u8]) -> usize {
        let mut w = [0; 8];
        w.copy_from_slice(&b[32..40]);
        u64::from_le_bytes(w) as usize
    }

    fn ph_u32(b: &[u8], i: usize, field: usize) -> u32 {
        let p = phoff(b) + i * 56 + field;
        u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]])
    }

    fn set_ph_u32(b: &mut [u8], i: usize, field: usize, v: u32) {
        let p = phoff(b) + i * 56 + field;
        b[p..p + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn ph_u64(b: &[u8], i: usize, field: usize) -> u64 {
        let p = phoff(b) + i * 56 + field;
        let mut w = [0; 8];
        w.copy_from_slice(&b[p..p + 8]);
        u64::from_le_bytes(w)
    }

    fn set_ph_u64(b: &mut [u8], i: usize, field: usize, v: u64) {
        let p = phoff(b) + i * 56 + field;
        b[p..p + 8].copy_from_slice(&v.to_le_bytes());
    }

    // Phdr field offsets.
    const P_OFFSET: usize = 8;
    const P_VADDR: usize = 16;
    const P_FILESZ: usize = 32;
    const P_MEMSZ: usize = 40;

    #[test]
    fn synthetic_valid() {
        let b = synth(ET_EXEC, 0x40_0100, &two_loads(), 0x1100);
        let img = parse(&b).expect("valid synthetic image");
        assert_eq!(img.segments.len(), 2);
        assert_eq!(img.min_vaddr, 0x40_0000);
        assert_eq!(img.max_vaddr, 0x40_4000);
        assert_eq!(img.phdr_vaddr, Some(0x40_0040));
        assert_eq!(img.load_align, PAGE_SIZE);
        assert_eq!(img.phnum, 2);
    }

    #[test]
    fn synthetic_edge_cases() {
        // Page sharing without byte overlap is fine; empty PT_LOADs are dropped.
        let mut ph = two_loads();
        ph[0].5 = 0x800;
        ph[0].4 = 0x800;
        ph[1] = (PT_LOAD, PF_R | PF_W, 0x800, 0x40_0800, 0x100, 0x100, 0x1000);
        ph.push((PT_LOAD, PF_R, 0, 0x50_0000, 0, 0, 0x1000));
        let img = parse(&synth(ET_EXEC, 0x40_0100, &ph, 0x1000)).expect("shared page");
        assert_eq!(img.segments.len(), 2);
        assert_eq!(img.max_vaddr, 0x40_1000);

        // A pure-bss segment may have any file offset.
        let mut ph = two_loads();
        ph[1].2 = 0x1234_5678;
        ph[1].4 = 0;
        assert!(parse(&synth(ET_EXEC, 0x40_0100, &ph, 0x1000)).is_ok());

        // Headers outside every PT_LOAD: fall back to PT_PHDR, else none.
        let mut ph = two_loads();
        ph[0].2 = 0x1000;
        ph[0].4 = 0x100;
        ph[1].2 = 0x1000;
        let img = parse(&synth(ET_EXEC, 0x40_0100, &ph, 0x1100)).expect("no phdr in load");
        assert_eq!(img.phdr_vaddr, None);
        assert_eq!(img.phdr_addr(0), 0);
        ph.push((PT_PHDR, PF_R, 64, 0x3f_f040, 112, 112, 8));
        let img = parse(&synth(ET_EXEC, 0x40_0100, &ph, 0x1100)).expect("PT_PHDR");
        assert_eq!(img.phdr_vaddr, Some(0x3f_f040));

        // The last PT_GNU_STACK wins.
        let mut ph = two_loads();
        ph.push((PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16));
        ph.push((PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16));
        assert!(
            !parse(&synth(ET_EXEC, 0x40_0100, &ph, 0x1100))
                .expect("ok")
                .stack_exec
        );
        ph.swap(2, 3);
        assert!(
            parse(&synth(ET_EXEC, 0x40_0100, &ph, 0x1100))
                .expect("ok")
                .stack_exec
        );

        // PT_INTERP: the path ends at the first NUL; the last byte must be NUL.
        let mut ph = two_loads();
        ph.push((PT_INTERP, PF_R, 0x200, 0x40_0200, 8, 8, 1));
        let mut b = synth(ET_DYN, 0x100, &ph, 0x1100);
        b[0x200..0x208].copy_from_slice(b"/ld\0xx\0\0");
        assert_eq!(
            parse(&b).expect("interp").interp.as_deref(),
            Some(&b"/ld"[..])
        );
        b[0x207] = b'x';
        assert_eq!(parse(&b), Err(Errno::ENOEXEC));
        for len in [0, 1, PATH_MAX + 1, u64::MAX] {
            let mut ph = two_loads();
            ph.push((PT_INTERP, PF_R, 0x200, 0x40_0200, len, len, 1));
            assert_eq!(
                parse(&synth(ET_DYN, 0x100, &ph, 0x1100)),
                Err(Errno::ENOEXEC)
            );
        }
        let mut ph = two_loads();
        ph.push((PT_INTERP, PF_R, 0x10f0, 0, 0x20, 0x20, 1));
        assert_eq!(
            parse(&synth(ET_DYN, 0x100, &ph, 0x1100)),
            Err(Errno::ENOEXEC)
        );

        // ET_DYN bias: aligned to the largest power-of-two p_align, less the first vaddr.
        let mut ph = two_loads();
        ph[0].6 = 0x20_0000;
        ph[1].6 = 3;
        let img = parse(&synth(ET_DYN, 0x100, &ph, 0x1100)).expect("dyn");
        assert_eq!(img.load_align, 0x20_0000);
        assert_eq!(img.load_bias(ET_DYN_BASE), 0x5555_5540_0000 - 0x40_0000);
        assert_eq!(img.load_bias(ET_DYN_BASE) + img.min_vaddr, 0x5555_5540_0000);
    }

    #[test]
    fn synthetic_rejects() {
        let ok = synth(ET_EXEC, 0x40_0100, &two_loads(), 0x1200);
        assert!(parse(&ok).is_ok());
        let bad = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = ok.clone();
            f(&mut b);
            assert_eq!(parse(&b), Err(Errno::ENOEXEC));
        };

        // Overlapping or unsorted segments.
        bad(&|b| set_ph_u64(b, 1, P_VADDR, 0x40_0f00));
        bad(&|b| set_ph_u64(b, 1, P_VADDR, 0x3f_0000));
        // Segment past TASK_SIZE, or wrapping.
        bad(&|b| set_ph_u64(b, 1, P_VADDR, TASK_SIZE));
        bad(&|b| set_ph_u64(b, 1, P_MEMSZ, TASK_SIZE));
        bad(&|b| set_ph_u64(b, 1, P_MEMSZ, u64::MAX));
        // File bytes past EOF, or an offset that wraps.
        bad(&|b| {
            set_ph_u64(b, 1, P_FILESZ, 0x201);
            set_ph_u64(b, 1, P_MEMSZ, 0x3000);
        });
        bad(&|b| set_ph_u64(b, 1, P_OFFSET, u64::MAX - 0xfff));
        // Misaligned offset.
        bad(&|b| set_ph_u64(b, 1, P_OFFSET, 0x1008));
        // filesz > memsz.
        bad(&|b| set_ph_u64(b, 1, P_FILESZ, 0x3001));
        // No PT_LOAD at all.
        bad(&|b| {
            set_ph_u32(b, 0, 0, 0);
            set_ph_u32(b, 1, 0, 0);
        });
        // Entry beyond user space.
        bad(&|b| b[24..32].copy_from_slice(&TASK_SIZE.to_le_bytes()));

        // More program headers than fit in a page.
        let many = vec![two_loads()[0]; 74];
        assert_eq!(
            parse(&synth(ET_EXEC, 0x40_0100, &many, 0x2000)),
            Err(Errno::ENOEXEC)
        );
    }

    fn real_binary() -> Option<Vec<u8>> {
        compile("mutate", &["-static", "-O1"]).map(|(bytes, _)| bytes)
    }

    #[test]
    fn rejects_bad_headers() {
        let Some(ok) = real_binary() else { return };
        assert!(parse(&ok).is_ok());
        let bad = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = ok.clone();
            f(&mut b);
            assert_eq!(parse(&b), Err(Errno::ENOEXEC));
        };

        bad(&|b| b.clear());
        bad(&|b| b[0] = b'X');
        bad(&|b| b[EI_CLASS] = 1);
        bad(&|b| b[EI_CLASS] = 7);
        bad(&|b| b[EI_DATA] = 2);
        bad(&|b| b[EI_DATA] = 0);
        bad(&|b| b[18..20].copy_from_slice(&3u16.to_le_bytes()));
        bad(&|b| b[18..20].copy_from_slice(&183u16.to_le_bytes()));
        bad(&|b| b[16..18].copy_from_slice(&1u16.to_le_bytes()));
        bad(&|b| b[16..18].copy_from_slice(&4u16.to_le_bytes()));
        bad(&|b| b[54..56].copy_from_slice(&32u16.to_le_bytes()));
        bad(&|b| b[56..58].copy_from_slice(&0u16.to_le_bytes()));
        bad(&|b| b[56..58].copy_from_slice(&0xffffu16.to_le_bytes()));
        let len = ok.len() as u64;
        bad(&|b| b[32..40].copy_from_slice(&len.to_le_bytes()));
        bad(&|b| b[32..40].copy_from_slice(&(len - 100).to_le_bytes()));
        bad(&|b| b[32..40].copy_from_slice(&u64::MAX.to_le_bytes()));

        // A PT_LOAD with filesz > memsz.
        let load = (0..phnum(&ok))
            .find(|&i| ph_u32(&ok, i, 0) == PT_LOAD)
            .expect("PT_LOAD");
        bad(&|b| {
            let memsz = ph_u64(b, load, P_MEMSZ);
            set_ph_u64(b, load, P_FILESZ, memsz + 1);
        });

        // Every truncation up to the end of the program headers.
        let ph_end = phoff(&ok) + phnum(&ok) * 56;
        for n in 0..=ph_end {
            assert_eq!(parse(&ok[..n]), Err(Errno::ENOEXEC), "truncated to {n}");
        }
        // Truncated in the middle of the last segment's file bytes.
        let last = (0..phnum(&ok))
            .rev()
            .find(|&i| ph_u32(&ok, i, 0) == PT_LOAD)
            .expect("load");
        let end = ph_u64(&ok, last, P_OFFSET) + ph_u64(&ok, last, P_FILESZ);
        assert_eq!(parse(&ok[..end as usize - 1]), Err(Errno::ENOEXEC));
    }

    /// xorshift64*: deterministic noise for the fuzz tests.
    fn rng(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut s = 0x1234_5678_9abc_def1;
        for len in [0, 1, 4, 16, 63, 64, 65, 120, 4096, 8192] {
            for _ in 0..50 {
                let mut b: Vec<u8> = (0..len).map(|_| rng(&mut s) as u8).collect();
                assert_eq!(parse(&b), Err(Errno::ENOEXEC));
                // With a valid magic the header is read; still nothing valid.
                if len >= 4 {
                    b[..4].copy_from_slice(b"\x7fELF");
                    let _ = parse(&b);
                }
            }
        }
    }

    #[test]
    fn mutated_headers_never_panic() {
        let ok = synth(ET_EXEC, 0x40_0100, &two_loads(), 0x1100);
        let mut s = 0xdead_beef_cafe_f00d;
        for _ in 0..20_000 {
            let mut b = ok.clone();
            for _ in 0..1 + rng(&mut s) % 4 {
                let at = (rng(&mut s) % 176) as usize;
                b[at] = rng(&mut s) as u8;
            }
            if let Ok(img) = parse(&b) {
                // Whatever passes obeys the invariants the caller relies on.
                assert!(img.max_vaddr <= TASK_SIZE);
                for w in img.segments.windows(2) {
                    assert!(w[0].vaddr + w[0].mem_len <= w[1].vaddr);
                }
                for seg in &img.segments {
                    assert!(seg.file_len <= seg.mem_len && seg.mem_len > 0);
                    if seg.file_len > 0 {
                        assert!(seg.file_off + seg.file_len <= b.len() as u64);
                        assert_eq!(seg.file_off % PAGE_SIZE, seg.vaddr % PAGE_SIZE);
                    }
                }
            }
        }
    }
}
