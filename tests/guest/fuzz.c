/*
 * fuzz: random system calls with bad arguments, run as init. The kernel must survive them
 * all: every call returns (an errno is fine), a process may die of a signal, but the
 * kernel may not panic, hang, leak a host process or damage the file system.
 *
 *   init=/bin/fuzz -- SEED N [WORKERS [VERBOSE [DEADLINE_S]]]
 *
 * Init forks WORKERS (default 4) supervisors. Each supervisor forks an executor that makes
 * N system calls from a xorshift stream seeded by SEED, the worker's number and the call's
 * index, so a run is reproducible call by call. The executor reports each call's index in
 * a page it shares with its supervisor; an executor that dies (of any signal, or by
 * exec'ing something) or makes no progress for STUCK_MS is killed with SIGKILL and a new
 * one carries on after the call it was in. The kernel has no alarm(2), so this watchdog
 * replaces one: a call that blocks forever by design costs STUCK_MS, not the run.
 *
 * Arguments mix small numbers, -1, huge values, addresses inside the executor's own
 * mappings (page-aligned and not), NULL, kernel-half addresses, addresses just past the
 * end of a mapping, addresses in the stub's pages near the top of user space, random
 * flags, paths from a pool, and file descriptors. The memory calls (mmap, munmap,
 * mprotect, mremap, brk, madvise, msync) get a larger share and arguments shaped to hit
 * mappings, since they drive the stub.
 *
 * One call in 256 is no system call at all: a jump into the stub's code (setup, batch
 * loop, parking loop) with random registers, a signal raised with the stack pointer in
 * the stub's pages or the kernel half or past a mapping, a far jump into 32-bit code,
 * or an instruction no system call stands for (int 0x80, sysenter, hlt, ud2, int3, a
 * write to cr3). None of it may reach the host as anything but a stop.
 *
 * Left out, since they end the experiment by design: reboot, exit and exit_group (until the
 * end), signals to anything but the executor itself, its group or its children, pause and
 * rt_sigsuspend, waits without WNOHANG, and more than MAX_FORKS forks per executor (each
 * child makes CHILD_CALLS calls and exits).
 *
 * After the workers, init kills whatever is left (kill(-1, SIGKILL)), reaps it, prints
 * "fuzz: W workers, M syscalls, survived", checks that files, fork and pipes still work,
 * prints "sanity ok (seed SEED)" and exits 0. A run past DEADLINE_S prints what hung and
 * exits 1. Executors write to the console only through fd 0 and the console's paths, but
 * what they write is random memory, which can hold these words: look for whole lines.
 *
 * It refuses to run unless it is pid 1: natively it would unlink and chmod real files.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_WORKERS 16
/* An executor making no progress for this long is stuck, and killed. */
#define STUCK_MS 300
/* The whole run, workers and cleanup, must end within this (the default). */
#define DEADLINE_S 60
/* Forks and clones an executor may make; each child makes CHILD_CALLS calls. */
#define MAX_FORKS 6
#define CHILD_CALLS 16
#define MAX_REGIONS 24
#define STUB_GUESS 0x7fffffe00000UL

/* ---- raw system calls: no errno, no glibc wrapper, nothing that faults in user space ---- */

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static long sys3(long n, long a, long b, long c)
{
    return sys6(n, a, b, c, 0, 0, 0);
}

/* ---- the random stream ---- */

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A number below n (n > 0). */
static uint64_t below(uint64_t n)
{
    return next() % n;
}

/* The stream of call `index` of worker `worker` (salted for forked children). */
static void seed_call(uint64_t seed, int worker, uint64_t index, uint64_t salt)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (uint64_t)worker << 48 ^ index ^ salt << 32;
    /* splitmix64 to spread nearby seeds apart */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    rng = x ? x : 1;
}

/* ---- what the executor can point at ---- */

struct region {
    uint64_t base, len;
};

static struct region regions[MAX_REGIONS];
static int nregions, fixed_regions;
static uint64_t stub_base = STUB_GUESS;

static void add_region(uint64_t base, uint64_t len)
{
    if (nregions < MAX_REGIONS) {
        regions[nregions].base = base;
        regions[nregions].len = len;
        nregions++;
    } else {
        /* Past the fixed ones, new mappings replace old ones in turn. */
        int i = fixed_regions + (int)below(MAX_REGIONS - fixed_regions);
        regions[i].base = base;
        regions[i].len = len;
    }
}

static char long_path[6000];
static char edge_path_store[8];

/* Paths a call may get; some exist, some do not, some are not NUL-terminated in time. */
static const char *paths[] = {
    "/", "/etc/passwd", "/bin/true", "/bin/notelf", "/bin/empty", "/bin/badscript",
    "/bin/script", "/bin/fuzz", "/dev/null", "/dev/zero", "/dev/console", "/dev/tty",
    "/dev/ptmx", "/dev/ubda", "/proc/self/maps", "/proc/self/fd/0", "/proc/1/status",
    "/proc/self/exe", "/proc", ".", "..", "f0", "f1", "f2", "d0", "d1", "d0/x", "link0",
    "fifo0", "/nonexistent/x", "", "/ktest/data", "/ktest/link", "/ktest/dir", "/tmp",
    "proc", "tmpfs", "ext2", "sysfs", "devtmpfs", "devpts", "//..//./etc/../etc//passwd",
    long_path, edge_path_store, NULL,
};
#define NPATHS (sizeof paths / sizeof paths[0])

/* Filled in at executor start: a path whose bytes run into an unmapped page. */
static const char *edge_path;

static const char *pick_path(void)
{
    const char *p = paths[below(NPATHS)];
    if (p == edge_path_store)
        return edge_path;
    return p;
}

/* An executor's state. */
static int worker_no;
static uint64_t seed;
static int is_child, child_left, forks;
static long child_pids[MAX_FORKS];
static long self_pid;
static volatile uint64_t *progress;
static char *const exec_argv[] = {"true", NULL};
static char *const exec_envp[] = {"HOME=/", NULL};
static const struct timespec short_sleep = {0, 100000};
static const struct timespec zero_time = {0, 0};

static uint64_t addr_in(int aligned)
{
    struct region *r = &regions[below(nregions)];
    uint64_t off = below(r->len ? r->len : 1);
    if (aligned)
        off &= ~(PAGE - 1);
    return r->base + off;
}

static uint64_t addr_past_end(void)
{
    static const uint64_t back[] = {0, 1, 8, 16, 100, PAGE};
    struct region *r = &regions[below(nregions)];
    return r->base + r->len - back[below(6)];
}

static uint64_t addr_stub(void)
{
    static const int64_t off[] = {0, 0x40, 0x80, 0x1000, 0x1ff8, 0x2000, -0x1000, -8};
    uint64_t bases[] = {stub_base, STUB_GUESS, 0x7ffffffff000UL, 0x7fffffffe000UL};
    return bases[below(4)] + off[below(8)];
}

static uint64_t huge(void)
{
    static const uint64_t v[] = {
        1ULL << 63, ~0ULL >> 1, 0xffffffffULL, 0x80000000ULL, 1ULL << 47, 1ULL << 48,
        0x7fffffffffffULL, ~0ULL - PAGE + 1, 0x100000000ULL,
    };
    return below(4) ? v[below(9)] : next();
}

static uint64_t flags(void)
{
    switch (below(4)) {
    case 0:
        return next() & 0xffff;
    case 1:
        return 1ULL << below(32) | 1ULL << below(32);
    case 2:
        return next() & 0xffffffff;
    default:
        return next();
    }
}

static uint64_t length(void)
{
    switch (below(5)) {
    case 0:
        return PAGE * (1 + below(16));
    case 1:
        return 1 + below(64);
    case 2:
        return 1ULL << below(48);
    case 3:
        return PAGE * (1 + below(1024)) + below(2) * below(PAGE);
    default:
        return huge();
    }
}

static long last_fd = 3;

static uint64_t fd(void)
{
    static const int64_t v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1023, 1024, 65536, -100};
    return below(3) ? (uint64_t)v[below(15)] : (uint64_t)last_fd;
}

/* One argument from the whole mix. */
static uint64_t arg(void)
{
    switch (below(16)) {
    case 0:
    case 1:
        return below(17);
    case 2:
        return -1 - below(2);
    case 3:
        return huge();
    case 4:
    case 5:
        return addr_in(1);
    case 6:
        return addr_in(0);
    case 7:
        return 0;
    case 8:
        return below(8) ? 0xffff800000000000ULL + (next() & 0xffffffffffULL)
                        : 0xffffffffff600000ULL;
    case 9:
        return addr_past_end();
    case 10:
        return addr_stub();
    case 11:
        return flags();
    case 12:
        return (uint64_t)pick_path();
    case 13:
        return fd();
    case 14:
        return length();
    default:
        return next();
    }
}

/* An address for a memory call: mostly a page of some mapping. */
static uint64_t mm_addr(void)
{
    switch (below(10)) {
    case 0:
        return addr_in(0);
    case 1:
        return addr_past_end();
    case 2:
        return addr_stub() & ~(PAGE - 1);
    case 3:
        return arg();
    default:
        return addr_in(1);
    }
}

static uint64_t mm_len(void)
{
    return below(4) ? PAGE * (1 + below(32)) : length();
}

static uint64_t mm_prot(void)
{
    return below(8) ? below(8) : flags();
}

static uint64_t mmap_flags(void)
{
    static const uint64_t extra[] = {
        0x10 /* FIXED */, 0x100000 /* FIXED_NOREPLACE */, 0x100 /* GROWSDOWN */,
        0x8000 /* POPULATE */, 0x4000 /* NORESERVE */, 0x20000 /* STACK */,
        0x40000 /* HUGETLB */, 0x10000 /* NONBLOCK */,
    };
    uint64_t f = below(3) ? 0x02 /* PRIVATE */ : below(2) ? 0x01 : 0x03;
    if (below(4))
        f |= 0x20; /* ANONYMOUS */
    if (below(3) == 0)
        f |= extra[below(8)];
    if (below(8) == 0)
        f |= extra[below(8)];
    if (below(16) == 0)
        f = flags();
    return f;
}

/* ---- the calls ---- */

/* Every call the kernel emulates, less the ones left out by design (see the top). */
static const short known[] = {
    0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,  17,
    18,  19,  20,  21,  22,  23,  24,  25,  26,  28,  32,  33,  35,  39,  40,  56,  57,  58,
    59,  61,  62,  63,  72,  74,  75,  76,  77,  79,  80,  81,  82,  83,  84,  85,  86,  87,
    88,  89,  90,  91,  92,  93,  94,  95,  96,  97,  98,  99,  100, 102, 104, 105, 106, 107,
    108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 127,
    128, 129, 131, 133, 137, 138, 157, 158, 160, 161, 162, 165, 166, 170, 186, 200, 201, 203,
    204, 217, 218, 228, 229, 230, 234, 247, 257, 258, 259, 260, 262, 263, 264, 265, 266, 267,
    268, 269, 270, 271, 273, 280, 292, 293, 297, 302, 306, 309, 316, 318, 332, 334, 435, 439,
};
#define NKNOWN (sizeof known / sizeof known[0])

static const short mm_calls[] = {9, 9, 9, 10, 10, 11, 11, 12, 25, 25, 26, 28};
#define NMM (sizeof mm_calls / sizeof mm_calls[0])

static int left_out(long nr)
{
    return nr == SYS_reboot || nr == SYS_exit || nr == SYS_exit_group || nr == SYS_pause ||
           nr == SYS_rt_sigsuspend;
}

/* rt_sigreturn loads registers from whatever the stack holds: the executor jumps
 * anywhere, often into a loop, and the watchdog must end it. Worth doing, not often. */
static int thinned(long nr)
{
    return nr == SYS_rt_sigreturn && below(4);
}

static long pick_call(void)
{
    long nr;
    switch (below(10)) {
    case 0:
        nr = (long)below(512);
        break;
    case 1:
    case 2:
    case 3:
        nr = mm_calls[below(NMM)];
        break;
    default:
        nr = known[below(NKNOWN)];
    }
    return left_out(nr) || thinned(nr) ? SYS_getpid : nr;
}

/* A signal target the executor may hit: itself, its group, a child of its own, or nobody. */
static uint64_t safe_pid(uint64_t pid)
{
    long p = (long)(int)pid;
    if (p == 0 || p == self_pid || p == -self_pid || p >= 100000 || p <= -100000)
        return pid;
    for (int i = 0; i < forks; i++)
        if (p == child_pids[i] || p == -child_pids[i])
            return pid;
    return below(2) ? (uint64_t)self_pid : 123456;
}

/* Shapes the arguments of call `nr` where a purely random one would end the run or never
 * reach the interesting code. */
static void shape(long nr, uint64_t *a)
{
    switch (nr) {
    case SYS_mmap:
        a[0] = below(3) ? mm_addr() : 0;
        a[1] = mm_len();
        a[2] = mm_prot();
        a[3] = mmap_flags();
        a[4] = (a[3] & 0x20) && below(2) ? (uint64_t)-1 : fd();
        a[5] = below(4) ? 0 : below(2) ? PAGE * below(8) : arg();
        break;
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_madvise:
    case SYS_msync:
        a[0] = mm_addr();
        a[1] = mm_len();
        a[2] = nr == SYS_madvise ? (below(2) ? 4 /* DONTNEED */ : below(24)) : mm_prot();
        break;
    case SYS_mremap:
        a[0] = mm_addr();
        a[1] = mm_len();
        a[2] = mm_len();
        a[3] = below(4) ? below(4) : flags();
        a[4] = mm_addr();
        break;
    case SYS_brk: {
        uint64_t cur = (uint64_t)sys3(SYS_brk, 0, 0, 0);
        a[0] = below(2) ? mm_addr() : below(2) ? cur + length() : cur - length();
        break;
    }
    case SYS_kill:
    case SYS_tkill:
    case SYS_rt_sigqueueinfo:
        a[0] = safe_pid(a[0]);
        break;
    case SYS_tgkill:
    case SYS_rt_tgsigqueueinfo:
        a[0] = safe_pid(a[0]);
        a[1] = safe_pid(a[1]);
        break;
    case SYS_wait4:
        a[2] |= 1; /* WNOHANG */
        break;
    case SYS_waitid:
        a[3] |= 1; /* WNOHANG */
        break;
    case SYS_execve:
        a[0] = below(4) ? (uint64_t)pick_path() : a[0];
        a[1] = below(2) ? (uint64_t)exec_argv : 0;
        a[2] = below(2) ? (uint64_t)exec_envp : 0;
        break;
    case SYS_poll:
        /* A negative timeout waits forever, a random one mostly for days. */
        if (below(4))
            a[2] = below(10);
        break;
    case SYS_select:
    case SYS_pselect6:
    case SYS_ppoll:
        if (below(4))
            a[nr == SYS_ppoll ? 2 : 4] = (uint64_t)&zero_time;
        break;
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
        /* A random timespec is mostly years long: the watchdog would end most of these. */
        if (below(4))
            a[nr == SYS_nanosleep ? 0 : 2] = (uint64_t)&short_sleep;
        break;
    case SYS_open:
    case SYS_creat:
    case SYS_stat:
    case SYS_lstat:
    case SYS_access:
    case SYS_chdir:
    case SYS_mkdir:
    case SYS_rmdir:
    case SYS_unlink:
    case SYS_readlink:
    case SYS_chmod:
    case SYS_chown:
    case SYS_lchown:
    case SYS_truncate:
    case SYS_mknod:
    case SYS_statfs:
    case SYS_chroot:
    case SYS_rename:
    case SYS_link:
    case SYS_symlink:
        if (below(4))
            a[0] = (uint64_t)pick_path();
        if (below(2))
            a[1] = (uint64_t)pick_path();
        break;
    case SYS_openat:
    case SYS_mkdirat:
    case SYS_mknodat:
    case SYS_fchownat:
    case SYS_newfstatat:
    case SYS_unlinkat:
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
    case SYS_readlinkat:
    case SYS_fchmodat:
    case SYS_faccessat:
    case SYS_faccessat2:
    case SYS_utimensat:
    case SYS_statx:
        a[0] = below(2) ? (uint64_t)AT_FDCWD : fd();
        if (below(4))
            a[1] = (uint64_t)pick_path();
        if (below(2))
            a[3] = (uint64_t)pick_path();
        break;
    case SYS_mount:
        a[0] = (uint64_t)pick_path();
        a[1] = (uint64_t)pick_path();
        a[2] = (uint64_t)pick_path();
        break;
    default:
        break;
    }
}

/* ---- leaving the syscall interface: what a guest does with no syscall at all ---- */

/* Jumps to `to` with every register but rsp random: into the stub's code (its setup, its
 * batch loop, its parking loop), which must still have every system call stopped. Does
 * not return: whatever runs there ends in a signal or spins until the watchdog. */
static void jump_to(uint64_t to, const uint64_t *r)
{
    __asm__ volatile("mov %1, %%r12\n\t"
                     "mov %2, %%r13\n\t"
                     "mov %3, %%r14\n\t"
                     "mov %4, %%r15\n\t"
                     "mov %5, %%rdi\n\t"
                     "mov %6, %%rsi\n\t"
                     "jmp *%0"
                     :
                     : "a"(to), "m"(r[0]), "m"(r[1]), "m"(r[2]), "m"(r[3]), "m"(r[4]),
                       "m"(r[5])
                     : "r12", "r13", "r14", "r15", "rdi", "rsi", "memory");
    __builtin_unreachable();
}

/* Makes system call `nr` with the stack pointer at `sp`: a signal it raises is delivered
 * onto that stack (the stub's pages, the kernel half, the end of a mapping, an odd
 * address). The stack comes back if the call does. */
static long call_on_stack(long nr, uint64_t a0, uint64_t a1, uint64_t sp)
{
    long ret;
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "mov %4, %%rsp\n\t"
                     "syscall\n\t"
                     "mov %%rbx, %%rsp"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "r"(sp)
                     : "rbx", "rcx", "r11", "memory");
    return ret;
}

/* One instruction no system call stands for: int 0x80 (the 32-bit entry, which the host
 * stops as a system call too), sysenter, a privileged one, a trap. */
static void odd_instruction(uint64_t which, uint64_t eax)
{
    switch (which % 6) {
    case 0:
        __asm__ volatile("int $0x80" : "+a"(eax) : : "rbx", "rcx", "rdx", "memory");
        break;
    case 1:
        __asm__ volatile("sysenter" : "+a"(eax) : : "rcx", "rdx", "r11", "memory");
        break;
    case 2:
        __asm__ volatile("hlt");
        break;
    case 3:
        __asm__ volatile("ud2");
        break;
    case 4:
        __asm__ volatile("int3");
        break;
    default:
        __asm__ volatile("mov %0, %%rax\n\tmov %%rax, %%cr3" : : "r"(eax) : "rax");
        break;
    }
}

/* Switches the thread to 32-bit code (__USER32_CS) at `to`, a far return away: what
 * runs there is whatever bytes are there, and its faults and system calls come from a
 * 32-bit thread. Does not return. */
static void far_jump_32(uint64_t to)
{
    __asm__ volatile("push $0x23\n\t"
                     "push %0\n\t"
                     "lretq"
                     :
                     : "r"(to)
                     : "memory");
    __builtin_unreachable();
}

/* One of the above, chosen and shaped by the stream. */
static void escape(void)
{
    switch (below(4)) {
    case 0: {
        static const uint64_t at[] = {0, 0x40, 0x80, 0x10, 0x44, 0x1000, 0xfff};
        uint64_t r[6];
        for (int k = 0; k < 6; k++)
            r[k] = arg();
        /* A batch run reads its orders at r15 and runs r14 of them. */
        if (below(2)) {
            r[2] = below(4);
            r[3] = addr_in(1);
        }
        jump_to(stub_base + at[below(7)], r);
    }
    case 1: {
        uint64_t sp = below(2) ? addr_stub() : below(2) ? addr_past_end() : arg();
        call_on_stack(SYS_kill, (uint64_t)self_pid, below(65), sp);
        break;
    }
    case 2:
        far_jump_32(below(2) ? addr_in(0) : (uint64_t)&escape);
    default:
        odd_instruction(below(6), below(2) ? next() : below(512));
        break;
    }
}

static void do_exit(long status)
{
    for (;;)
        sys3(SYS_exit_group, status, 0, 0);
}

/* A fork-family call: capped, and the child makes CHILD_CALLS calls of its own stream. */
static long fork_call(long nr, uint64_t *a)
{
    if (is_child || forks >= MAX_FORKS)
        return sys3(SYS_getpid, 0, 0, 0);
    /* Set before the call, so that a child which returns on a strange stack still has them. */
    is_child = 1;
    child_left = CHILD_CALLS;
    long r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r == 0) {
        self_pid = sys3(SYS_getpid, 0, 0, 0);
        return 0;
    }
    is_child = 0;
    if (r > 0)
        child_pids[forks++] = r;
    return r;
}

/* Makes calls start..n-1 of this worker's stream; the children's streams are salted. */
static void run_calls(uint64_t start, uint64_t n)
{
    uint64_t salt = 0;
    for (uint64_t i = start; i < n; i++) {
        if (is_child) {
            if (child_left-- <= 0)
                do_exit(0);
            if (!salt)
                salt = (uint64_t)self_pid;
        } else {
            *progress = i;
        }
        seed_call(seed, worker_no, i, salt);

        long nr = pick_call();
        uint64_t a[6];
        for (int k = 0; k < 6; k++)
            a[k] = arg();
        shape(nr, a);

        if (!is_child) {
            progress[1] = (uint64_t)nr;
            for (int k = 0; k < 6; k++)
                progress[2 + k] = a[k];
        }

        long r = 0;
        if (below(256) == 0) {
            if (!is_child)
                progress[1] = (uint64_t)-1;
            escape();
        } else if (nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone)
            r = fork_call(nr, a);
        else
            r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

        if (r >= 0 && r < 1024 && (nr == SYS_open || nr == SYS_openat || nr == SYS_dup ||
                                   nr == SYS_creat || nr == SYS_fcntl))
            last_fd = r;
        if (nr == SYS_mmap && (r & (PAGE - 1)) == 0 && (uint64_t)r < stub_base)
            add_region((uint64_t)r, a[1] < (1ULL << 32) ? a[1] : PAGE);
        if (nr == SYS_mremap && (r & (PAGE - 1)) == 0 && (uint64_t)r < stub_base)
            add_region((uint64_t)r, a[2] < (1ULL << 32) ? a[2] : PAGE);
    }
    if (!is_child)
        *progress = n;
    do_exit(0);
}

/* ---- the executor's world ---- */

static void *map(uint64_t len, int prot, int flags, int fd)
{
    void *p = mmap(NULL, len, prot, flags, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void fill(uint64_t *w, uint64_t words)
{
    for (uint64_t i = 0; i < words; i++)
        w[i] = below(4) ? arg() : below(64);
}

static char stack_scratch_guard;

/* Sets up the executor's mappings and files (the same each time), then runs the calls. */
static void executor(uint64_t start, uint64_t n)
{
    char scratch[2 * PAGE];

    sys3(SYS_setsid, 0, 0, 0);
    self_pid = sys3(SYS_getpid, 0, 0, 0);
    seed_call(seed, worker_no, ~0ULL, 0);
    nregions = 0;
    add_region((uint64_t)long_path, sizeof long_path);

    char *a = map(16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    if (a) {
        fill((uint64_t *)a, 16 * PAGE / 8);
        add_region((uint64_t)a, 16 * PAGE);
    }

    /* One page, then a hole: a string at its very end runs into nothing. */
    char *b = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    if (b) {
        munmap(b + PAGE, PAGE);
        memset(b, 'x', PAGE);
        edge_path = b + PAGE - 3;
        add_region((uint64_t)b, PAGE);
    } else {
        edge_path = "x";
    }

    /* A shared file mapping whose last pages lie past the end of the file. Earlier
     * executors may have made f0 anything (a FIFO, a directory): start afresh. */
    unlink("f0");
    rmdir("f0");
    int f = open("f0", O_RDWR | O_CREAT | O_EXCL, 0644);
    if (f >= 0) {
        ftruncate(f, 2 * PAGE + 100);
        char *c = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
        if (c) {
            memset(c, 'f', 2 * PAGE);
            add_region((uint64_t)c, 4 * PAGE);
        }
        last_fd = f;
    }

    char *d = map(2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    if (d)
        add_region((uint64_t)d, 2 * PAGE);
    fill((uint64_t *)scratch, sizeof scratch / 8);
    add_region((uint64_t)scratch, sizeof scratch);
    add_region((uint64_t)&stack_scratch_guard, 1);
    fixed_regions = nregions;

    /* Random writes to stdout would fill the test's log with the executor's memory; the
     * console stays reachable through fd 0 and the paths /dev/console and /dev/tty. */
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    int p[2];
    pipe(p);

    run_calls(start, n);
}

/* ---- the supervisor ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int verbose;
static uint64_t start_ms;

/* Runs worker `w`'s N calls through as many executors as it takes; returns calls made. */
static uint64_t supervise(int w, uint64_t n)
{
    char dir[32];
    snprintf(dir, sizeof dir, "/fuzz/w%d", w);
    mkdir(dir, 0755);
    setsid();

    progress = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
    if (!progress) {
        printf("fuzz: worker %d: no shared page\n", w);
        return 0;
    }

    uint64_t at = 0, restarts = 0, stuck = 0;
    while (at < n) {
        *progress = at;
        pid_t pid = fork();
        if (pid < 0) {
            sleep_ms(10);
            continue;
        }
        if (pid == 0) {
            if (chdir(dir) != 0 && (mkdir(dir, 0755), chdir(dir)) != 0)
                chdir("/");
            executor(at, n);
        }

        uint64_t last = at, since = now_ms();
        int status = 0;
        for (;;) {
            sleep_ms(5);
            if (waitpid(pid, &status, WNOHANG) == pid)
                break;
            uint64_t p = *progress;
            if (p != last) {
                last = p;
                since = now_ms();
            } else if (now_ms() - since > STUCK_MS) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                stuck++;
                if (verbose)
                    fprintf(stderr,
                            "fuzz: %llu ms: w%d call %llu stuck in %llu(%#llx, %#llx, %#llx, "
                            "%#llx, %#llx, %#llx)\n",
                            (unsigned long long)(now_ms() - start_ms), w,
                            (unsigned long long)p, (unsigned long long)progress[1],
                            (unsigned long long)progress[2], (unsigned long long)progress[3],
                            (unsigned long long)progress[4], (unsigned long long)progress[5],
                            (unsigned long long)progress[6], (unsigned long long)progress[7]);
                break;
            }
        }
        uint64_t p = *progress;
        if (p >= n)
            break;
        if (verbose && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
            !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fprintf(stderr, "fuzz: %llu ms: w%d call %llu ended the executor (status %#x)\n",
                    (unsigned long long)(now_ms() - start_ms), w, (unsigned long long)p,
                    status);
        /* Carry on after the call that ended it (an exec or exit ends one too). */
        at = p + 1 > at ? p + 1 : at + 1;
        restarts++;
    }
    if (verbose)
        fprintf(stderr, "fuzz: w%d done, %llu restarts, %llu stuck\n", w,
                (unsigned long long)restarts, (unsigned long long)stuck);
    return n;
}

/* ---- init ---- */

static uint64_t stub_from_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    uint64_t top = 0;
    if (!f)
        return STUB_GUESS;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && hi > top && hi < (1ULL << 47))
            top = hi;
    }
    fclose(f);
    /* The stub sits right above the highest guest mapping (the stack) when not shown. */
    return top ? top : STUB_GUESS;
}

static int sanity(void)
{
    const char msg[] = "sanity check data\n";
    char buf[64] = {0};
    int fd = open("/fuzz-sanity", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, msg, sizeof msg) != sizeof msg || lseek(fd, 0, SEEK_SET) != 0 ||
        read(fd, buf, sizeof buf) != sizeof msg || memcmp(buf, msg, sizeof msg) != 0) {
        printf("sanity: file write and read back failed\n");
        return 0;
    }
    close(fd);
    unlink("/fuzz-sanity");

    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 42) {
        printf("sanity: fork and wait failed\n");
        return 0;
    }

    int p[2];
    memset(buf, 0, sizeof buf);
    if (pipe(p) != 0 || write(p[1], "pipe", 4) != 4 || read(p[0], buf, 4) != 4 ||
        memcmp(buf, "pipe", 4) != 0) {
        printf("sanity: pipe failed\n");
        return 0;
    }
    return 1;
}

/* Reaps every child; false if some are still alive at `deadline`. */
static int reap_all(uint64_t deadline)
{
    for (;;) {
        pid_t r = waitpid(-1, NULL, WNOHANG);
        if (r < 0)
            return 1;
        if (r == 0) {
            if (now_ms() > deadline)
                return 0;
            sleep_ms(5);
        }
    }
}

int main(int argc, char **argv)
{
    if (getpid() != 1 || argc < 3) {
        fprintf(stderr, "usage: init=/bin/fuzz -- SEED N [WORKERS [VERBOSE [DEADLINE_S]]] "
                        "(as init only)\n");
        return 2;
    }
    seed = strtoull(argv[1], NULL, 0);
    uint64_t n = strtoull(argv[2], NULL, 0);
    int workers = argc > 3 ? atoi(argv[3]) : 4;
    verbose = argc > 4 ? atoi(argv[4]) : 0;
    int deadline_s = argc > 5 ? atoi(argv[5]) : DEADLINE_S;
    if (workers < 1 || workers > MAX_WORKERS)
        workers = 4;
    setvbuf(stdout, NULL, _IONBF, 0);

    for (size_t i = 0; i + 1 < sizeof long_path; i++)
        long_path[i] = i % 2 ? '/' : 'a';
    mount("proc", "/proc", "proc", 0, NULL);
    stub_base = stub_from_maps();
    mkdir("/fuzz", 0755);

    start_ms = now_ms();
    uint64_t deadline = start_ms + (uint64_t)deadline_s * 1000;
    pid_t pids[MAX_WORKERS];
    for (int w = 0; w < workers; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            worker_no = w;
            supervise(w, n);
            _exit(0);
        }
    }

    /* The supervisors first; orphans of the executors are reaped on the way. */
    int done = 0;
    while (done < workers && now_ms() < deadline) {
        int status;
        pid_t r = waitpid(-1, &status, WNOHANG);
        if (r == 0) {
            sleep_ms(10);
            continue;
        }
        if (r < 0)
            break;
        for (int w = 0; w < workers; w++)
            if (r == pids[w]) {
                done++;
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                    printf("fuzz: worker %d ended with status %#x\n", w, status);
            }
    }
    if (done < workers) {
        printf("fuzz: deadline: %d of %d workers still running after %d s "
               "(VERBOSE 1 shows their calls)\n",
               workers - done, workers, deadline_s);
        return 1;
    }

    /* Whatever the executors left behind (children that escaped their group) goes now. */
    kill(-1, SIGKILL);
    if (!reap_all(now_ms() + 10000)) {
        printf("fuzz: a process outlived SIGKILL by 10 s\n");
        return 1;
    }
    /* On a line of its own: what the executors wrote to the console may end mid-line. */
    printf("\nfuzz: %d workers, %llu syscalls, survived\n", workers,
           (unsigned long long)(n * workers));

    if (!sanity())
        return 1;
    /* With the seed: an executor's random write of its own memory cannot forge this. */
    printf("sanity ok (seed %llu)\n", (unsigned long long)seed);
    return 0;
}
