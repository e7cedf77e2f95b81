/*
 * efault: system calls handed pointers the caller cannot use must fail with EFAULT, and the
 * program must live on to say so.
 *
 * Build: gcc -O2 -static -o efault efault.c   (or -static-pie)
 *
 *   efault FIXTURE [GROUP...] [--also ADDR...]
 *
 * FIXTURE is the test fixture directory (/ktest in the guest image, its copy on the host when
 * run natively): it holds `data` (a regular file of 64 bytes) and `link` (a symlink to `data`).
 *
 * Groups "read", "write", "openat", "stat", "uname", "clock_gettime", "getcwd", "readlink"
 * and "rlimit" pass every bad pointer to that call (by raw syscall, never through a glibc wrapper or the
 * vDSO, which would fault in user space) and check for -1 and EFAULT. Each prints one
 * "ok GROUP" line, or "FAIL ..." lines naming the call and the pointer; the output does not
 * depend on where anything is mapped, so a native run and a guest run print the same.
 *
 * Groups "half_write_null", "half_write_stdout", "half_read_file", "half_path" and
 * "half_readv_file" use a buffer that starts valid and runs into an unmapped page. There
 * Linux's answer depends on the file type (partial counts, or EFAULT), so these groups print
 * what happened instead of judging it: the test compares a guest run with a native one.
 *
 * With no GROUP every EFAULT group but "rlimit" (which the kernel fails today) runs. `--also ADDR` adds more bad addresses (the test adds
 * the kernel's stub area, which is mapped in the guest's host process but not the guest's).
 * Exit status: 0 when every check passed, 1 otherwise; "ok" or "FAIL" is the last line.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_BAD 16

static int failures;
static const char *fixture;
static char data_path[4096], link_path[4096];

struct bad {
    const char *name; /* printed on failure; never the address, which may vary */
    uintptr_t addr;
};

static struct bad bad[MAX_BAD];
static int nbad;

static void add_bad(const char *name, uintptr_t addr)
{
    if (nbad < MAX_BAD) {
        bad[nbad].name = name;
        bad[nbad].addr = addr;
        nbad++;
    }
}

static void fail(const char *group, const char *what, const char *ptr, long ret, int err)
{
    printf("FAIL %s: %s with %s pointer returned %ld errno %d (%s), want -1 EFAULT\n", group,
           what, ptr, ret, err, strerror(err));
    failures++;
}

/* One call: `ret` must be -1 with errno EFAULT. */
#define EXPECT_EFAULT(group, what, ptrname, call)                                            \
    do {                                                                                   \
        errno = 0;                                                                         \
        long ret_ = (call);                                                                \
        int err_ = errno;                                                                  \
        if (ret_ != -1 || err_ != EFAULT)                                                  \
            fail(group, what, ptrname, ret_, err_);                                        \
    } while (0)

static void report(const char *group, int before)
{
    if (failures == before)
        printf("ok %s\n", group);
}

static int open_data(void)
{
    int fd = open(data_path, O_RDONLY);
    if (fd < 0) {
        printf("FAIL setup: open %s: %s\n", data_path, strerror(errno));
        exit(1);
    }
    return fd;
}

static void group_read(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++) {
        /* Rewind each time: a read at end of file would return 0 without touching buf. */
        int fd = open_data();
        EXPECT_EFAULT("read", "read(file)", bad[i].name,
                      syscall(SYS_read, fd, bad[i].addr, 16));
        EXPECT_EFAULT("read", "pread64(file)", bad[i].name,
                      syscall(SYS_pread64, fd, bad[i].addr, 16, 0));
        close(fd);

        fd = open("/dev/zero", O_RDONLY);
        EXPECT_EFAULT("read", "read(/dev/zero)", bad[i].name,
                      syscall(SYS_read, fd, bad[i].addr, 16));
        close(fd);
    }
    report("read", before);
}

static void group_write(void)
{
    int before = failures;
    /* stdout is a pipe natively and the console in the guest: both copy the bytes. */
    fflush(stdout);
    for (int i = 0; i < nbad; i++)
        EXPECT_EFAULT("write", "write(stdout)", bad[i].name,
                      syscall(SYS_write, 1, bad[i].addr, 16));
    report("write", before);
}

static void group_openat(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++) {
        EXPECT_EFAULT("openat", "openat(path)", bad[i].name,
                      syscall(SYS_openat, AT_FDCWD, bad[i].addr, O_RDONLY));
        EXPECT_EFAULT("openat", "open(path)", bad[i].name,
                      syscall(SYS_open, bad[i].addr, O_RDONLY));
    }
    report("openat", before);
}

static void group_stat(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++) {
        char st[256];
        EXPECT_EFAULT("stat", "stat(path)", bad[i].name, syscall(SYS_stat, bad[i].addr, st));
        EXPECT_EFAULT("stat", "stat(buf)", bad[i].name,
                      syscall(SYS_stat, data_path, bad[i].addr));
        EXPECT_EFAULT("stat", "newfstatat(buf)", bad[i].name,
                      syscall(SYS_newfstatat, AT_FDCWD, data_path, bad[i].addr, 0));
        int fd = open_data();
        EXPECT_EFAULT("stat", "fstat(buf)", bad[i].name, syscall(SYS_fstat, fd, bad[i].addr));
        close(fd);
    }
    report("stat", before);
}

static void group_uname(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++)
        EXPECT_EFAULT("uname", "uname(buf)", bad[i].name, syscall(SYS_uname, bad[i].addr));
    report("uname", before);
}

static void group_clock_gettime(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++) {
        EXPECT_EFAULT("clock_gettime", "clock_gettime(MONOTONIC)", bad[i].name,
                      syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad[i].addr));
        EXPECT_EFAULT("clock_gettime", "clock_gettime(REALTIME)", bad[i].name,
                      syscall(SYS_clock_gettime, CLOCK_REALTIME, bad[i].addr));
    }
    report("clock_gettime", before);
}

static void group_getcwd(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++)
        EXPECT_EFAULT("getcwd", "getcwd(buf)", bad[i].name,
                      syscall(SYS_getcwd, bad[i].addr, 4096));
    report("getcwd", before);
}

static void group_readlink(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++) {
        char buf[64];
        EXPECT_EFAULT("readlink", "readlink(path)", bad[i].name,
                      syscall(SYS_readlink, bad[i].addr, buf, sizeof buf));
        EXPECT_EFAULT("readlink", "readlink(buf)", bad[i].name,
                      syscall(SYS_readlink, link_path, bad[i].addr, 64));
        EXPECT_EFAULT("readlink", "readlinkat(buf)", bad[i].name,
                      syscall(SYS_readlinkat, AT_FDCWD, link_path, bad[i].addr, 64));
    }
    report("readlink", before);
}

/* getrlimit and setrlimit take no NULL; prlimit64 reads NULL as "none", so NULL is skipped. */
static void group_rlimit(void)
{
    int before = failures;
    for (int i = 0; i < nbad; i++) {
        EXPECT_EFAULT("rlimit", "getrlimit(buf)", bad[i].name,
                      syscall(SYS_getrlimit, RLIMIT_STACK, bad[i].addr));
        EXPECT_EFAULT("rlimit", "setrlimit(buf)", bad[i].name,
                      syscall(SYS_setrlimit, RLIMIT_STACK, bad[i].addr));
        if (bad[i].addr == 0)
            continue;
        EXPECT_EFAULT("rlimit", "prlimit64(new)", bad[i].name,
                      syscall(SYS_prlimit64, 0, RLIMIT_STACK, bad[i].addr, 0));
        EXPECT_EFAULT("rlimit", "prlimit64(old)", bad[i].name,
                      syscall(SYS_prlimit64, 0, RLIMIT_STACK, 0, bad[i].addr));
    }
    report("rlimit", before);
}

/*
 * The half-valid groups. `edge` is the first byte of an unmapped page that follows a
 * readable and writable one.
 */
static char *edge;

static void print_result(const char *what, long ret, int err)
{
    if (ret < 0)
        printf("%s: -1 %s\n", what, strerrorname_np(err) ? strerrorname_np(err) : "?");
    else
        printf("%s: %ld\n", what, ret);
}

static void group_half_write_null(void)
{
    int fd = open("/dev/null", O_WRONLY);
    memset(edge - 100, 'n', 100);
    errno = 0;
    long ret = syscall(SYS_write, fd, edge - 100, 200);
    print_result("write(/dev/null, 100 valid of 200)", ret, errno);
    close(fd);
}

static void group_half_write_stdout(void)
{
    fflush(stdout);
    /* Whatever reaches stdout shows up in the output the test compares. */
    memset(edge - 100, 'h', 99);
    edge[-1] = '\n';
    errno = 0;
    long ret = syscall(SYS_write, 1, edge - 100, 200);
    print_result("write(stdout, 100 valid of 200)", ret, errno);
}

static void group_half_read_file(void)
{
    int fd = open_data();
    memset(edge - 10, 0, 10);
    errno = 0;
    long ret = syscall(SYS_read, fd, edge - 10, 64);
    print_result("read(file of 64, 10 valid of 64)", ret, errno);
    printf("file position after: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("the 10 valid bytes now: ");
    for (int i = 10; i > 0; i--)
        putchar(edge[-i] ? edge[-i] : '.');
    putchar('\n');
    close(fd);
}

static void group_half_readv_file(void)
{
    int fd = open_data();
    char first[8];
    struct iovec iov[2] = {{first, sizeof first}, {edge - 4, 32}};
    errno = 0;
    long ret = syscall(SYS_readv, fd, iov, 2);
    print_result("readv(file, 8 valid then 4 valid of 32)", ret, errno);
    printf("file position after: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    close(fd);
}

static void group_half_path(void)
{
    /* A path whose bytes run into the unmapped page before any NUL. */
    memset(edge - 5, 'p', 5);
    errno = 0;
    long ret = syscall(SYS_openat, AT_FDCWD, edge - 5, O_RDONLY);
    print_result("openat(path without NUL before the hole)", ret, errno);

    /* The same, with the NUL as the last mapped byte: a valid (missing) path. */
    edge[-1] = 0;
    errno = 0;
    ret = syscall(SYS_openat, AT_FDCWD, edge - 5, O_RDONLY);
    print_result("openat(path with NUL as the last byte)", ret, errno);
}

static const struct {
    const char *name;
    void (*run)(void);
    int by_default; /* run when no group is named */
} groups[] = {
    {"read", group_read, 1},
    {"write", group_write, 1},
    {"openat", group_openat, 1},
    {"stat", group_stat, 1},
    {"uname", group_uname, 1},
    {"clock_gettime", group_clock_gettime, 1},
    {"getcwd", group_getcwd, 1},
    {"readlink", group_readlink, 1},
    {"rlimit", group_rlimit, 0}, /* a known kernel bug: run when named */
    {"half_write_null", group_half_write_null, 0},
    {"half_write_stdout", group_half_write_stdout, 0},
    {"half_read_file", group_half_read_file, 0},
    {"half_readv_file", group_half_readv_file, 0},
    {"half_path", group_half_path, 0},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: efault FIXTURE [GROUP...] [--also ADDR...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    fixture = argv[1];
    snprintf(data_path, sizeof data_path, "%s/data", fixture);
    snprintf(link_path, sizeof link_path, "%s/link", fixture);

    /* A readable and writable page, then a hole; and a PROT_NONE page. */
    char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED || none == MAP_FAILED || munmap(two + PAGE, PAGE) != 0) {
        printf("FAIL setup: mmap: %s\n", strerror(errno));
        return 1;
    }
    edge = two + PAGE;

    add_bad("NULL", 0);
    add_bad("0x1", 1);
    add_bad("PROT_NONE page", (uintptr_t)none);
    add_bad("unmapped page", (uintptr_t)edge);
    add_bad("past-the-stack-top 0x7ffffffff000", 0x7ffffffff000UL);
    add_bad("non-canonical 0x800000000000", 0x800000000000UL);
    add_bad("kernel-half 0xffff800000000000", 0xffff800000000000UL);
    add_bad("all-ones", ~0UL - 7);

    int first_group = argc, also = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--also") == 0) {
            also = 1;
            continue;
        }
        if (also)
            add_bad("extra (--also)", strtoul(argv[i], NULL, 0));
        else if (first_group == argc)
            first_group = i;
    }

    int ran = 0;
    for (int i = first_group; i < argc && strcmp(argv[i], "--also") != 0; i++) {
        size_t g;
        for (g = 0; g < NGROUPS; g++)
            if (strcmp(argv[i], groups[g].name) == 0)
                break;
        if (g == NGROUPS) {
            printf("FAIL unknown group %s\n", argv[i]);
            return 2;
        }
        groups[g].run();
        ran++;
    }
    if (!ran)
        for (size_t g = 0; g < NGROUPS; g++)
            if (groups[g].by_default)
                groups[g].run();

    printf("%s\n", failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}
