/*
 * basic: the first system calls a static program needs, with Linux's results and errnos.
 *
 * Build: gcc -O2 -static -o basic basic.c   (or -static-pie)
 *
 *   basic FIXTURE [GROUP...]
 *
 * FIXTURE is the test fixture directory, given as an absolute path without symlinks: /ktest
 * in the guest image, its copy on the host when run natively. It holds
 *   data         64 bytes, "0123...XYZ+/" (the base64 alphabet), mode 0644
 *   link         a symlink to "data"
 *   dir/         a directory holding the empty files a, b and c
 *
 * Every check asserts itself. A group prints "ok GROUP" when all its checks pass and a
 * "FAIL GROUP: ..." line for each that does not; nothing printed depends on the machine
 * (pids, times, sizes of host files), so a native run and a guest run print the same lines.
 * With no GROUP the first 14 groups run (the rest, named explicitly, cover cases a test
 * marks as known kernel bugs). The last line is "ok" or "FAIL"; the exit status 0 or 1.
 *
 * System calls are made with syscall(2) where glibc's wrapper would hide what the kernel
 * returned (brk, getcwd, getdents64) or use the vDSO (clock_gettime).
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L

static const char data_content[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";

static const char *fixture;

#include "check.h"

static char *fx(const char *name)
{
    static char bufs[4][4096];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", fixture, name);
    return b;
}

/* ---- files ---- */

static void g_open(void)
{
    CHECK_ERR(open(fx("missing"), O_RDONLY), ENOENT);
    CHECK_ERR(open(fx("missing/deeper"), O_RDONLY), ENOENT);
    CHECK_ERR(open(fx("data/x"), O_RDONLY), ENOTDIR);
    CHECK_ERR(open(fx("data/"), O_RDONLY), ENOTDIR);
    CHECK_ERR(open(fx("data"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(open(fx("dir"), O_WRONLY), EISDIR);
    CHECK_ERR(open(fx("link"), O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("", O_RDONLY), ENOENT);

    int fd = open(fx("data"), O_RDONLY);
    CHECK(fd >= 3, "open data gave %d (%s)", fd, errname(errno));
    int fd2 = open(fx("link"), O_RDONLY);
    CHECK(fd2 == fd + 1, "open link gave %d, want the lowest free %d", fd2, fd + 1);
    char buf[8] = {0};
    CHECK_RET(read(fd2, buf, 4), 4);
    CHECK(memcmp(buf, "0123", 4) == 0, "through the link read '%.4s'", buf);

    /* A relative path against a directory descriptor, and against a file one. */
    int dfd = open(fixture, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0, "open fixture dir: %s", errname(errno));
    int fd3 = openat(dfd, "dir/a", O_RDONLY);
    CHECK(fd3 >= 0, "openat(dfd, dir/a): %s", errname(errno));
    CHECK_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
    CHECK_ERR(openat(999, "x", O_RDONLY), EBADF);
    /* An absolute path ignores dirfd, even a bad one. */
    int fd4 = openat(999, fx("data"), O_RDONLY);
    CHECK(fd4 >= 0, "openat(999, absolute): %s", errname(errno));

    /* Reading a directory, writing a read-only descriptor. */
    CHECK_ERR(read(dfd, buf, 1), EISDIR);
    CHECK_ERR(write(fd, "x", 1), EBADF);

    close(fd4);
    close(fd3);
    close(dfd);
    close(fd2);
    close(fd);
}

static void g_close(void)
{
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(close(1000), EBADF);
    CHECK_ERR(close(INT32_MAX), EBADF);
    int fd = open(fx("data"), O_RDONLY);
    CHECK_RET(close(fd), 0);
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(read(fd, &fd, 1), EBADF);
    /* The freed number is handed out again. */
    int again = open(fx("data"), O_RDONLY);
    CHECK(again == fd, "reopen gave %d, want %d", again, fd);
    close(again);

    int d = dup(1);
    CHECK(d >= 3, "dup(1) gave %d", d);
    CHECK_RET(dup2(d, 20), 20);
    CHECK_RET(fcntl(20, F_GETFD), 0);
    CHECK_RET(dup3(d, 21, O_CLOEXEC), 21);
    CHECK_RET(fcntl(21, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(dup3(d, d, 0), EINVAL);
    CHECK_ERR(dup(-1), EBADF);
    CHECK_RET(close(20), 0);
    CHECK_RET(close(21), 0);
    CHECK_RET(close(d), 0);
}

static void g_lseek(void)
{
    int fd = open(fx("data"), O_RDONLY);
    char buf[16] = {0};
    CHECK_RET(lseek(fd, 0, SEEK_END), 64);
    CHECK_RET(lseek(fd, 10, SEEK_SET), 10);
    CHECK_RET(read(fd, buf, 5), 5);
    CHECK(memcmp(buf, "abcde", 5) == 0, "read at 10 gave '%.5s'", buf);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 15);
    CHECK_RET(lseek(fd, -5, SEEK_CUR), 10);
    CHECK_RET(lseek(fd, -4, SEEK_END), 60);
    CHECK_RET(read(fd, buf, 16), 4);
    CHECK(memcmp(buf, "YZ+/", 4) == 0, "read at 60 gave '%.4s'", buf);
    CHECK_RET(read(fd, buf, 16), 0);
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, -100, SEEK_CUR), EINVAL);
    CHECK_ERR(lseek(fd, 0, 99), EINVAL);
    /* Past the end is allowed, and reads nothing. */
    CHECK_RET(lseek(fd, 1000, SEEK_SET), 1000);
    CHECK_RET(read(fd, buf, 16), 0);
    /* pread does not move the offset. */
    CHECK_RET(pread(fd, buf, 3, 1), 3);
    CHECK(memcmp(buf, "123", 3) == 0, "pread at 1 gave '%.3s'", buf);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 1000);
    CHECK_ERR(pread(fd, buf, 3, -1), EINVAL);
    CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF);
    close(fd);

    /* A directory can be sought to its start. */
    int dfd = open(fx("dir"), O_RDONLY | O_DIRECTORY);
    CHECK_RET(lseek(dfd, 0, SEEK_SET), 0);
    close(dfd);
}

static void g_fstat(void)
{
    /* /etc/hostname differs between the host and the guest: check it against itself. */
    int fd = open("/etc/hostname", O_RDONLY);
    CHECK(fd >= 0, "open /etc/hostname: %s", errname(errno));
    struct stat st;
    CHECK_RET(fstat(fd, &st), 0);
    char buf[4096];
    long n = read(fd, buf, sizeof buf);
    CHECK(S_ISREG(st.st_mode), "mode %o", st.st_mode);
    CHECK(n > 0 && st.st_size == n, "st_size %ld but read %ld bytes", (long)st.st_size, n);
    CHECK(st.st_nlink >= 1, "nlink %ld", (long)st.st_nlink);
    CHECK(st.st_blksize > 0, "blksize %ld", (long)st.st_blksize);
    close(fd);

    struct stat s2;
    CHECK_RET(stat("/etc/hostname", &s2), 0);
    CHECK(s2.st_ino == st.st_ino && s2.st_dev == st.st_dev, "stat and fstat disagree");

    CHECK_RET(stat(fx("data"), &st), 0);
    CHECK(st.st_size == 64, "data size %ld", (long)st.st_size);
    CHECK((st.st_mode & 07777) == 0644 && S_ISREG(st.st_mode), "data mode %o", st.st_mode);
    CHECK(st.st_blocks > 0, "data blocks %ld (512-byte units)", (long)st.st_blocks);
    CHECK(st.st_nlink == 1, "data nlink %ld", (long)st.st_nlink);

    CHECK_RET(lstat(fx("link"), &st), 0);
    CHECK(S_ISLNK(st.st_mode), "lstat link mode %o", st.st_mode);
    CHECK(st.st_size == 4, "lstat link size %ld, want strlen(\"data\")", (long)st.st_size);
    CHECK_RET(stat(fx("link"), &st), 0);
    CHECK(S_ISREG(st.st_mode) && st.st_size == 64, "stat through link");

    CHECK_RET(stat(fx("dir"), &st), 0);
    CHECK(S_ISDIR(st.st_mode), "dir mode %o", st.st_mode);
    /* 2 on ext2 and ext4; some host file systems (btrfs) always say 1. */
    CHECK(st.st_nlink == 2 || st.st_nlink == 1, "dir nlink %ld", (long)st.st_nlink);

    CHECK_ERR(stat(fx("missing"), &st), ENOENT);
    CHECK_ERR(stat(fx("data/x"), &st), ENOTDIR);
    CHECK_ERR(fstat(-1, &st), EBADF);
    CHECK_RET(fstatat(AT_FDCWD, fx("link"), &st, AT_SYMLINK_NOFOLLOW), 0);
    CHECK(S_ISLNK(st.st_mode), "fstatat NOFOLLOW mode %o", st.st_mode);
    CHECK_ERR(fstatat(AT_FDCWD, fx("data"), &st, 0x8000), EINVAL);
}

/* The names getdents64 returns for `path`, sorted, joined by spaces; -errno on failure. */
static int list_dir(const char *path, char *out, size_t outlen, size_t bufsize)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -errno;
    static char names[512][256];
    int count = 0;
    char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, bufsize);
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0)
            break;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (count < 512)
                snprintf(names[count++], 256, "%s", d->d_name);
            if (d->d_reclen == 0 || d->d_reclen % 8)
                return -EPROTO;
            off += d->d_reclen;
        }
    }
    close(fd);
    qsort(names, count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = 0;
    for (int i = 0; i < count; i++) {
        if (i)
            strncat(out, " ", outlen - strlen(out) - 1);
        strncat(out, names[i], outlen - strlen(out) - 1);
    }
    return count;
}

static void g_getdents(void)
{
    static char out[512 * 257];
    int n = list_dir(fx("dir"), out, sizeof out, 4096);
    CHECK(n == 5 && strcmp(out, ". .. a b c") == 0, "dir lists %d: '%s'", n, out);
    /* A buffer that fits one record at a time gives the same list. */
    n = list_dir(fx("dir"), out, sizeof out, 24);
    CHECK(n == 5 && strcmp(out, ". .. a b c") == 0, "small buffer lists %d: '%s'", n, out);
    n = list_dir(fx(""), out, sizeof out, 4096);
    CHECK(n == 5 && strcmp(out, ". .. data dir link") == 0, "fixture lists %d: '%s'", n,
          out);

    n = list_dir("/etc", out, sizeof out, 4096);
    CHECK(n > 2, "/etc lists %d", n);
    static char padded[512 * 257 + 8];
    snprintf(padded, sizeof padded, " %s ", out);
    CHECK(strstr(padded, " hostname ") != NULL, "/etc lacks hostname: '%s'", out);
    CHECK(strstr(padded, " passwd ") != NULL, "/etc lacks passwd: '%s'", out);
    CHECK(strncmp(out, ". ..", 4) == 0, "/etc lacks . and ..: '%s'", out);

    /* Too small for even one entry; a file; a bad descriptor. */
    int fd = open(fx("dir"), O_RDONLY | O_DIRECTORY);
    char buf[64];
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, 1), EINVAL);
    close(fd);
    fd = open(fx("data"), O_RDONLY);
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
    close(fd);
    CHECK_ERR(syscall(SYS_getdents64, -1, buf, sizeof buf), EBADF);
}

/* An empty path names nothing (ENOENT) unless AT_EMPTY_PATH says otherwise; Linux answers
 * that before it looks at dirfd, so a file or a bad descriptor as dirfd changes nothing. */
static void g_empty_path(void)
{
    int fd = open(fx("data"), O_RDONLY);
    int dfd = open(fx("dir"), O_RDONLY | O_DIRECTORY);
    struct stat st;
    char buf[16];
    CHECK_ERR(open("", O_RDONLY), ENOENT);
    CHECK_ERR(stat("", &st), ENOENT);
    CHECK_ERR(openat(dfd, "", O_RDONLY), ENOENT);
    CHECK_ERR(openat(fd, "", O_RDONLY), ENOENT);
    CHECK_ERR(openat(999, "", O_RDONLY), ENOENT);
    CHECK_ERR(fstatat(fd, "", &st, 0), ENOENT);
    CHECK_ERR(fstatat(dfd, "", &st, 0), ENOENT);
    CHECK_ERR(faccessat(fd, "", F_OK, 0), ENOENT);
    CHECK_ERR(readlinkat(fd, "", buf, sizeof buf), ENOENT);
    CHECK_ERR(syscall(SYS_statx, fd, "", 0, 0x7ff, buf), ENOENT);
    /* With AT_EMPTY_PATH the descriptor itself is meant. */
    CHECK_RET(fstatat(fd, "", &st, AT_EMPTY_PATH), 0);
    CHECK(st.st_size == 64, "fstatat(fd, \"\", AT_EMPTY_PATH) size %ld", (long)st.st_size);
    close(dfd);
    close(fd);
}

/* SEEK_DATA and SEEK_HOLE: a file without holes is one data extent, with the implicit hole
 * at its end. */
static void g_lseek_data_hole(void)
{
    int fd = open(fx("data"), O_RDONLY);
    CHECK_RET(lseek(fd, 0, SEEK_DATA), 0);
    CHECK_RET(lseek(fd, 10, SEEK_DATA), 10);
    CHECK_RET(lseek(fd, 0, SEEK_HOLE), 64);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 64);
    CHECK_ERR(lseek(fd, 64, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, 100, SEEK_HOLE), ENXIO);
    CHECK_ERR(lseek(fd, -1, SEEK_DATA), ENXIO);
    close(fd);
}

/* ---- memory ---- */

static void g_brk(void)
{
    long cur = syscall(SYS_brk, 0);
    CHECK(cur > 0 && cur % 8 == 0, "brk(0) = %#lx", cur);
    long grown = syscall(SYS_brk, cur + 64 * 1024);
    CHECK(grown == cur + 64 * 1024, "grow by 64K: %#lx, want %#lx", grown, cur + 64 * 1024);

    /* The new memory is there and zero. */
    volatile char *p = (volatile char *)cur;
    int zero = 1;
    for (long i = 0; i < 64 * 1024; i += 512)
        zero &= p[i] == 0;
    CHECK(zero, "grown break is not zero-filled");
    p[0] = 1;
    p[64 * 1024 - 1] = 2;
    CHECK(p[0] == 1 && p[64 * 1024 - 1] == 2, "grown break is not writable");

    /* Mark the first byte of the first page that lies wholly above the old break. */
    long fresh = (PAGE - cur % PAGE) % PAGE;
    p[fresh] = 3;

    CHECK_RET(syscall(SYS_brk, 0), cur + 64 * 1024);
    CHECK_RET(syscall(SYS_brk, cur), cur);
    CHECK_RET(syscall(SYS_brk, 0), cur);
    /* Growing again gives zeroed pages, not what was there before the shrink. */
    CHECK_RET(syscall(SYS_brk, cur + 2 * PAGE), cur + 2 * PAGE);
    CHECK(p[fresh] == 0, "re-grown break kept old contents (%d)", p[fresh]);
    CHECK_RET(syscall(SYS_brk, cur), cur);

    /* A break below the start, or absurdly high, leaves it where it is. */
    CHECK_RET(syscall(SYS_brk, 4096), cur);
    CHECK_RET(syscall(SYS_brk, 0x7ffffffff000L), cur);
    CHECK_RET(syscall(SYS_brk, -4096L), cur);

    /* malloc still works after all that. */
    char *m = malloc(200000);
    CHECK(m != NULL, "malloc after brk games");
    if (m)
        memset(m, 7, 200000);
    free(m);
}

static void g_mmap(void)
{
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED && (uintptr_t)p % PAGE == 0, "mmap 3 pages: %p %s", (void *)p,
          errname(errno));
    if (p == MAP_FAILED)
        return;
    int zero = 1;
    for (long i = 0; i < 3 * PAGE; i += 64)
        zero &= p[i] == 0;
    CHECK(zero, "anonymous memory not zero-filled");
    memset(p, 0x5a, 3 * PAGE);
    CHECK(p[3 * PAGE - 1] == 0x5a, "anonymous memory not writable");

    CHECK_RET(mprotect(p + PAGE, PAGE, PROT_READ), 0);
    CHECK(p[PAGE] == 0x5a, "read-only page lost its contents");
    CHECK_RET(mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
    p[PAGE] = 1;
    CHECK_RET(munmap(p + PAGE, PAGE), 0);
    /* The other two pages are still there. */
    CHECK(p[0] == 0x5a && p[2 * PAGE] == 0x5a, "munmap of the middle took its neighbours");
    /* MAP_FIXED over the hole gives a fresh zero page. */
    char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 0);
    CHECK(q == p + PAGE && q[0] == 0, "MAP_FIXED into the hole: %p", (void *)q);
    /* MAP_FIXED_NOREPLACE over a mapping refuses. */
    errno = 0;
    void *r = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(r == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over a mapping: %p %s", r,
          errname(errno));
    CHECK_RET(munmap(p, 3 * PAGE), 0);
    /* Unmapping what is not mapped is fine. */
    CHECK_RET(munmap(p, 3 * PAGE), 0);

    /* The EINVAL cases. */
    CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(mmap((void *)0x10001000, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 1), EINVAL);
    CHECK_ERR(mmap((void *)0x10000001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 0), EINVAL);
    CHECK_ERR(munmap((void *)0x10000001, PAGE), EINVAL);
    CHECK_ERR(munmap((void *)0x10000000, 0), EINVAL);
    CHECK_ERR(mprotect((void *)0x10000001, PAGE, PROT_READ), EINVAL);
    CHECK_ERR(mprotect(p, PAGE, 0x80), EINVAL);
    /* Sizes and places that cannot be. */
    CHECK_ERR(mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    CHECK_ERR(mmap((void *)0x7ffffffff000, PAGE, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
    /* mprotect of something unmapped. */
    CHECK_ERR(mprotect(p, PAGE, PROT_READ), ENOMEM);
    /* A file mapping needs a file. */
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);

    /* A private file mapping shows the file, zero past its end. */
    int fd = open(fx("data"), O_RDONLY);
    char *f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED, "mmap of data: %s", errname(errno));
    if (f != MAP_FAILED) {
        CHECK(memcmp(f, data_content, 64) == 0, "mapped data differs");
        CHECK(f[64] == 0 && f[PAGE - 1] == 0, "mapped data not zero past the end");
        munmap(f, PAGE);
    }
    /* Writable and shared, through a read-only descriptor: EACCES. */
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
    close(fd);
    int dfd = open(fx("dir"), O_RDONLY | O_DIRECTORY);
    CHECK_ERR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
    close(dfd);
}

/* mmap ignores protection bits it does not know (only mprotect refuses them). */
static void g_mmap_prot(void)
{
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | 0x10, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                   0);
    CHECK(p != MAP_FAILED, "mmap with prot bit 0x10: %s", errname(errno));
    if (p != MAP_FAILED) {
        p[0] = 1;
        munmap(p, PAGE);
    }
    p = mmap(NULL, PAGE, PROT_READ | 0x8 /* PROT_SEM */, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap with PROT_SEM: %s", errname(errno));
    if (p != MAP_FAILED)
        munmap(p, PAGE);
}

/* A private mapping of /dev/zero is anonymous memory. */
static void g_mmap_dev_zero(void)
{
    int fd = open("/dev/zero", O_RDWR);
    CHECK(fd >= 0, "open /dev/zero: %s", errname(errno));
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED, "mmap of /dev/zero: %s", errname(errno));
    if (p != MAP_FAILED) {
        CHECK(p[0] == 0 && p[2 * PAGE - 1] == 0, "not zero");
        p[PAGE] = 9;
        CHECK(p[PAGE] == 9, "not writable");
        munmap(p, 2 * PAGE);
    }
    close(fd);
}

/* ---- process and system ---- */

static void g_uname(void)
{
    struct utsname u;
    CHECK_RET(uname(&u), 0);
    CHECK(strcmp(u.sysname, "Linux") == 0, "sysname '%s'", u.sysname);
    CHECK(strcmp(u.machine, "x86_64") == 0, "machine '%s'", u.machine);
    int major = 0, minor = 0;
    CHECK(sscanf(u.release, "%d.%d", &major, &minor) == 2 && major >= 3,
          "release '%s' is not a Linux version glibc accepts", u.release);
    CHECK(u.nodename[0] != 0 && u.version[0] != 0, "empty nodename or version");
}

static void g_getpid(void)
{
    long pid = syscall(SYS_getpid);
    CHECK(pid > 0, "getpid %ld", pid);
    CHECK(getpid() == pid, "getpid() and the syscall disagree");
    CHECK(syscall(SYS_gettid) == pid, "a single thread's tid is its pid");
    CHECK(getppid() >= 0, "getppid %d", getppid());
    CHECK(getpgrp() > 0, "getpgrp %d", getpgrp());
    CHECK(getuid() == geteuid() && getgid() == getegid(), "ids disagree");
}

static void g_getrandom(void)
{
    unsigned char a[32] = {0}, b[32] = {0};
    CHECK_RET(getrandom(a, sizeof a, 0), 32);
    CHECK_RET(getrandom(b, sizeof b, GRND_NONBLOCK), 32);
    int nonzero = 0;
    for (int i = 0; i < 32; i++)
        nonzero |= a[i];
    CHECK(nonzero, "32 random bytes all zero");
    CHECK(memcmp(a, b, 32) != 0, "two getrandom calls gave the same bytes");
    CHECK_RET(getrandom(a, 0, 0), 0);
    CHECK_ERR(getrandom(a, 8, 0x80), EINVAL);
    CHECK_ERR(getrandom(a, 8, GRND_RANDOM | 0x4 /* GRND_INSECURE */), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, NULL, 8, 0), EFAULT);
}

static long ts_ns(const struct timespec *t)
{
    return t->tv_sec * 1000000000L + t->tv_nsec;
}

static void g_clock(void)
{
    struct timespec a, b, c, res;
    CHECK_RET(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a), 0);
    CHECK_RET(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b), 0);
    CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L, "tv_nsec %ld", a.tv_nsec);
    CHECK(ts_ns(&b) >= ts_ns(&a), "monotonic went back: %ld then %ld", ts_ns(&a), ts_ns(&b));
    struct timespec nap = {0, 20 * 1000 * 1000};
    CHECK_RET(nanosleep(&nap, NULL), 0);
    CHECK_RET(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &c), 0);
    CHECK(ts_ns(&c) - ts_ns(&b) >= 20 * 1000 * 1000, "20ms nap took %ld ns",
          ts_ns(&c) - ts_ns(&b));
    CHECK(ts_ns(&c) - ts_ns(&b) < 5000L * 1000 * 1000, "20ms nap took %ld ns",
          ts_ns(&c) - ts_ns(&b));

    struct timespec rt;
    CHECK_RET(syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt), 0);
    CHECK(rt.tv_sec > 1600000000L, "realtime %ld is before 2020", (long)rt.tv_sec);
    CHECK(labs(rt.tv_sec - time(NULL)) <= 2, "realtime and time() disagree");

    CHECK_RET(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res), 0);
    CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000, "resolution %ld ns",
          ts_ns(&res));
    CHECK_ERR(syscall(SYS_clock_gettime, 100, &a), EINVAL);
    CHECK_ERR(syscall(SYS_clock_getres, 100, &res), EINVAL);
}

static void g_readlink(void)
{
    char buf[64];
    memset(buf, '#', sizeof buf);
    CHECK_RET(readlink(fx("link"), buf, sizeof buf), 4);
    CHECK(memcmp(buf, "data#", 5) == 0, "readlink gave '%.5s' (no NUL is added)", buf);
    memset(buf, '#', sizeof buf);
    CHECK_RET(readlink(fx("link"), buf, 2), 2);
    CHECK(memcmp(buf, "da#", 3) == 0, "short buffer gave '%.3s'", buf);
    CHECK_ERR(readlink(fx("data"), buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink(fx("dir"), buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink(fx("missing"), buf, sizeof buf), ENOENT);
    CHECK_ERR(readlink(fx("link"), buf, 0), EINVAL);
    int dfd = open(fixture, O_RDONLY | O_DIRECTORY);
    memset(buf, '#', sizeof buf);
    CHECK_RET(readlinkat(dfd, "link", buf, sizeof buf), 4);
    CHECK(memcmp(buf, "data", 4) == 0, "readlinkat gave '%.4s'", buf);
    close(dfd);
}

static void g_getcwd(void)
{
    char buf[4096];
    CHECK_RET(chdir("/"), 0);
    memset(buf, '#', sizeof buf);
    CHECK_RET(syscall(SYS_getcwd, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "/") == 0, "getcwd '%s'", buf);
    CHECK_ERR(syscall(SYS_getcwd, buf, 1), ERANGE);
    CHECK_ERR(syscall(SYS_getcwd, buf, 0), ERANGE);

    CHECK_RET(chdir(fx("dir")), 0);
    CHECK_RET(syscall(SYS_getcwd, buf, sizeof buf), (long)strlen(fx("dir")) + 1);
    CHECK(strcmp(buf, fx("dir")) == 0, "getcwd after chdir '%s'", buf);
    /* Relative paths now start here. */
    int fd = open("a", O_RDONLY);
    CHECK(fd >= 0, "open a relative to the new cwd: %s", errname(errno));
    close(fd);
    CHECK_RET(chdir(".."), 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, fixture) == 0, "getcwd after .. '%s'", buf);
    CHECK_ERR(chdir(fx("data")), ENOTDIR);
    CHECK_ERR(chdir(fx("missing")), ENOENT);
    CHECK_RET(chdir("/"), 0);
}

static void g_prlimit(void)
{
    struct rlimit old, lim, now;
    CHECK_RET(prlimit(0, RLIMIT_STACK, NULL, &old), 0);
    CHECK(old.rlim_cur > 0 && (old.rlim_max == RLIM_INFINITY || old.rlim_cur <= old.rlim_max),
          "stack limit %lu/%lu", (unsigned long)old.rlim_cur, (unsigned long)old.rlim_max);
    CHECK_RET(getrlimit(RLIMIT_STACK, &now), 0);
    CHECK(now.rlim_cur == old.rlim_cur && now.rlim_max == old.rlim_max,
          "getrlimit and prlimit64 disagree");

    /* Lower the soft limit and read it back; then put it back. */
    lim.rlim_cur = 1 << 20;
    lim.rlim_max = old.rlim_max;
    CHECK_RET(prlimit(0, RLIMIT_STACK, &lim, &now), 0);
    CHECK(now.rlim_cur == old.rlim_cur, "old value not returned with the new one");
    CHECK_RET(prlimit(getpid(), RLIMIT_STACK, NULL, &now), 0);
    CHECK(now.rlim_cur == 1 << 20, "soft limit read back as %lu", (unsigned long)now.rlim_cur);
    CHECK_RET(prlimit(0, RLIMIT_STACK, &old, NULL), 0);

    lim.rlim_cur = 2;
    lim.rlim_max = 1;
    CHECK_ERR(prlimit(0, RLIMIT_STACK, &lim, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_prlimit64, 0, 999, NULL, &now), EINVAL);
    CHECK_ERR(syscall(SYS_prlimit64, -1, RLIMIT_STACK, NULL, &now), ESRCH);
    CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, (void *)1), EFAULT);

    CHECK_RET(getrlimit(RLIMIT_NOFILE, &now), 0);
    CHECK(now.rlim_cur >= 3, "RLIMIT_NOFILE %lu", (unsigned long)now.rlim_cur);
}

static const struct check_group groups[] = {
    {"open", g_open},         {"close", g_close},   {"lseek", g_lseek},
    {"fstat", g_fstat},       {"getdents", g_getdents}, {"brk", g_brk},
    {"mmap", g_mmap},         {"uname", g_uname},   {"getpid", g_getpid},
    {"getrandom", g_getrandom}, {"clock", g_clock}, {"readlink", g_readlink},
    {"getcwd", g_getcwd},     {"prlimit", g_prlimit},
    /* Not run by default: cases the kernel gets wrong today (see tests/syscalls.rs). */
    {"empty_path", g_empty_path}, {"lseek_data_hole", g_lseek_data_hole},
    {"mmap_prot", g_mmap_prot}, {"mmap_dev_zero", g_mmap_dev_zero},
};

/* Groups run when none is named: the ones before "empty_path". */
#define NDEFAULT 14

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: basic /ABSOLUTE/FIXTURE [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    fixture = argv[1];

    if (argc == 2) {
        for (size_t g = 0; g < NDEFAULT; g++)
            run_group(&groups[g], NULL);
    }
    for (int i = 2; i < argc; i++) {
        size_t g;
        for (g = 0; g < NGROUPS; g++)
            if (strcmp(argv[i], groups[g].name) == 0)
                break;
        if (g == NGROUPS) {
            printf("FAIL unknown group %s\n", argv[i]);
            return 2;
        }
        run_group(&groups[g], NULL);
    }
    printf("%s\n", failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}
