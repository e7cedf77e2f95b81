/*
 * fuzzcases: the calls the fuzzer (fuzz.c) found that broke the kernel, one group each,
 * reduced to the call and its arguments. Each group prints "ok GROUP" when the call came
 * back with the errno or result Linux gives and the process lives on, or "FAIL ..." lines.
 *
 *   fuzzcases GROUP...
 *
 * Guest only: "populate" asks for a terabyte of memory, which a native run would try to
 * give. Exit status: 0 when every check passed, 1 otherwise; "ok" or "FAIL" is the last
 * line.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static int failures;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            printf("FAIL %s:%d: ", __func__, __LINE__);                                        \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Two pages, the second unmapped: a buffer at the first runs into a hole. */
static char *page_then_hole(void)
{
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    munmap(p + PAGE, PAGE);
    memset(p, 'x', PAGE);
    return p;
}

/* MAP_POPULATE of a range far larger than memory walked every page of it, holding the
 * only vCPU for seconds (minutes for 128 TiB); PROT_NONE ranges were walked too. */
static void populate(void)
{
    double t = now_s();
    void *p = mmap(NULL, 1UL << 40, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE, -1, 0);
    CHECK(p != MAP_FAILED, "mmap 1 TiB MAP_POPULATE: errno %d", errno);
    if (p != MAP_FAILED)
        munmap(p, 1UL << 40);

    void *q = mmap(NULL, 1UL << 46, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE, -1, 0);
    CHECK(q != MAP_FAILED, "mmap 64 TiB PROT_NONE MAP_POPULATE: errno %d", errno);
    if (q != MAP_FAILED)
        munmap(q, 1UL << 46);
    t = now_s() - t;
    CHECK(t < 5, "MAP_POPULATE of huge ranges took %.1f s", t);

    /* The memory the first one took is back. */
    char *r = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(r != MAP_FAILED, "mmap 16 MiB after: errno %d", errno);
    if (r != MAP_FAILED)
        for (size_t i = 0; i < 16 << 20; i += PAGE)
            r[i] = 1;
}

/* An old_len that wraps old + old_len past 2^64 passed the range check and reached the
 * unmap with its ends swapped: a kernel panic. */
static void mremap_wrap(void)
{
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: errno %d", errno);
    p[0] = 1;

    errno = 0;
    void *r = mremap(p, -(uintptr_t)p, PAGE, 0);
    CHECK(r == MAP_FAILED && errno == EINVAL, "mremap wrapping old_len: %p errno %d", r, errno);
    r = mremap(p, 1UL << 47, PAGE, 0);
    CHECK(r == MAP_FAILED && errno == EINVAL, "mremap old_len 2^47: %p errno %d", r, errno);
    CHECK(p[0] == 1, "the mapping changed");
}

/* writev allocated every iov_len up front: a buffer of 2^46 bytes aborted the kernel. */
static void writev_huge(void)
{
    char *p = page_then_hole();
    int fd[2];
    CHECK(p && pipe(fd) == 0, "setup: errno %d", errno);

    struct iovec iov[2] = {{p, 1UL << 46}, {p, 1UL << 46}};
    errno = 0;
    ssize_t n = writev(fd[1], iov, 2);
    CHECK(n == -1 && errno == EFAULT, "writev 2^46 bytes: %zd errno %d", n, errno);
    n = write(fd[1], p, 1UL << 40);
    CHECK(n == -1 && errno == EFAULT, "write 2^40 bytes: %zd errno %d", n, errno);

    /* The same for poll's array: RLIMIT_NOFILE is as the guest set it (Linux refuses
     * more than nr_open), nfds was taken as 64 bits (Linux's is an unsigned int), and
     * nfds * 8 wrapped. */
    struct rlimit rl = {1UL << 62, 1UL << 62};
    setrlimit(RLIMIT_NOFILE, &rl);
    errno = 0;
    int r = poll((struct pollfd *)p, 1UL << 61, 0);
    CHECK(r == 0, "poll of 2^61 fds (0 as an unsigned int): %d errno %d", r, errno);
    r = poll((struct pollfd *)p, 1UL << 61 | 0xffffffff, 0);
    CHECK(r == -1 && errno == EINVAL, "poll of 2^32 - 1 fds: %d errno %d", r, errno);
}

/* CLONE_SETTLS with a kernel-half FS base cost the child its host thread (SIGKILL) where
 * Linux refuses with EPERM; a bad CLONE_CHILD_SETTID address failed the clone where
 * Linux ignores it. */
static void clone_tls(void)
{
    errno = 0;
    long r = syscall(SYS_clone, SIGCHLD | CLONE_SETTLS, 0, 0, 0, 0xffff800000000000UL);
    if (r == 0)
        _exit(7);
    CHECK(r == -1 && errno == EPERM, "clone CLONE_SETTLS 0xffff800000000000: %ld errno %d", r,
          errno);
    if (r > 0)
        waitpid(r, NULL, 0);

    r = syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, 8, 0);
    if (r == 0)
        _exit(7);
    CHECK(r > 0, "clone with a bad CLONE_CHILD_SETTID address: %ld errno %d", r, errno);
    int status = 0;
    if (r > 0)
        waitpid(r, &status, 0);
    CHECK(r <= 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 7),
          "the child ended with status %#x", status);
}

/* Free inodes of the root file system. */
static long free_inodes(void)
{
    struct statvfs sv;
    return statvfs("/", &sv) == 0 ? (long)sv.f_ffree : -1;
}

/* The kernel's FIFO table held each FIFO's inode until another FIFO was opened: one
 * unlinked after its last close stayed allocated (links 0, no dtime) until then, or to
 * the halt. An image checked in between would show it to e2fsck as a deleted inode with
 * no deletion time. */
static void fifo_unlinked(void)
{
    unlink("/fifo-case");
    long before = free_inodes();
    CHECK(mkfifo("/fifo-case", 0600) == 0, "mkfifo: errno %d", errno);
    int fd = open("/fifo-case", O_RDWR);
    CHECK(fd >= 0, "open: errno %d", errno);
    close(fd);
    CHECK(unlink("/fifo-case") == 0, "unlink: errno %d", errno);
    long after = free_inodes();
    CHECK(after == before, "free inodes: %ld before, %ld after the FIFO went", before, after);

    /* Unlinked while open, then closed. */
    CHECK(mkfifo("/fifo-case", 0600) == 0, "mkfifo: errno %d", errno);
    fd = open("/fifo-case", O_RDWR);
    CHECK(unlink("/fifo-case") == 0, "unlink: errno %d", errno);
    CHECK(write(fd, "x", 1) == 1, "write: errno %d", errno);
    close(fd);
    after = free_inodes();
    CHECK(after == before, "free inodes: %ld before, %ld after the FIFO went", before, after);
}

/* getrandom filled all of a 32 MiB request before it looked at the buffer. */
static void getrandom_bad(void)
{
    char *p = page_then_hole();
    CHECK(p != NULL, "setup");

    double t = now_s();
    for (int i = 0; i < 20; i++) {
        errno = 0;
        long r = syscall(SYS_getrandom, 0xffff800000000000UL, 1UL << 25, 0);
        CHECK(r == -1 && errno == EFAULT, "getrandom to the kernel half: %ld errno %d", r, errno);
    }
    t = now_s() - t;
    CHECK(t < 1, "20 getrandom calls with a bad 32 MiB buffer took %.1f s", t);

    long r = syscall(SYS_getrandom, p, 3 * PAGE, 0);
    CHECK(r == (long)PAGE, "getrandom into a page before a hole: %ld errno %d", r, errno);
}

static volatile int trapped;
static uint64_t saved_rsp __attribute__((used)); /* read and written by run_compat only */

static void on_trap(int sig)
{
    (void)sig;
    trapped++;
}

/* Switches the thread to 32-bit code (__USER32_CS, with a stack below 4 GiB), writes a
 * byte to `touch` there, traps (int3), and comes back to 64-bit code. */
static void run_compat(char *stack_top, char *touch)
{
    __asm__ volatile("mov %%rsp, saved_rsp(%%rip)\n\t"
                     "mov %0, %%rsp\n\t"
                     "mov %1, %%rdi\n\t"
                     "push $0x23\n\t"
                     "lea 1f(%%rip), %%rax\n\t"
                     "push %%rax\n\t"
                     "lretq\n\t"
                     ".code32\n\t"
                     /* 64-bit code runs with a null DS, which 32-bit code cannot. */
                     "1: movl $0x2b, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movb $1, (%%edi)\n\t"
                     "int3\n\t"
                     "push $0x33\n\t"
                     "call 2f\n\t"
                     "2: addl $(3f - 2b), (%%esp)\n\t"
                     "lret\n\t"
                     ".code64\n\t"
                     "3: mov saved_rsp(%%rip), %%rsp"
                     :
                     : "r"(stack_top), "r"(touch)
                     : "rax", "rdi", "memory");
}

/* A guest that switched its thread to 32-bit code and then faulted on a fresh page had
 * the stub (which maps the page) run in 32-bit mode at a truncated address: it faulted
 * there forever, the vCPU waited forever for it, and not even a host SIGTERM ended the
 * kernel. A signal there ran the 64-bit handler in 32-bit mode. */
static void compat_mode(void)
{
    /* At fixed addresses, not MAP_32BIT, which the kernel takes but does not honour. The
     * stack is touched first, in 64-bit code; the page written is fresh and far from it,
     * so that no fault-around has mapped it. */
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
    char *stack = mmap((void *)0x40000000, 4 * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
    char *fresh = mmap((void *)0x48000000, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
    CHECK(stack != MAP_FAILED && fresh != MAP_FAILED, "mmap below 4 GiB: errno %d", errno);
    if (stack == MAP_FAILED || fresh == MAP_FAILED)
        return;
    struct sigaction sa = {.sa_handler = on_trap};
    sigaction(SIGTRAP, &sa, NULL);

    memset(stack, 0, 4 * PAGE);
    run_compat(stack + 4 * PAGE, fresh);
    CHECK(fresh[0] == 1, "the byte written in 32-bit code is %d", fresh[0]);
    CHECK(trapped == 1, "the SIGTRAP handler ran %d times", trapped);
}

static const struct {
    const char *name;
    void (*run)(void);
} groups[] = {
    {"populate", populate},
    {"mremap_wrap", mremap_wrap},
    {"writev_huge", writev_huge},
    {"clone_tls", clone_tls},
    {"fifo_unlinked", fifo_unlinked},
    {"getrandom_bad", getrandom_bad},
    {"compat_mode", compat_mode},
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        size_t g = 0;
        while (g < sizeof groups / sizeof groups[0] && strcmp(groups[g].name, argv[i]) != 0)
            g++;
        if (g == sizeof groups / sizeof groups[0]) {
            printf("FAIL unknown group %s\n", argv[i]);
            failures++;
            continue;
        }
        int before = failures;
        groups[g].run();
        if (failures == before)
            printf("ok %s\n", argv[i]);
    }
    printf(failures ? "FAIL\n" : "ok\n");
    return failures != 0;
}
