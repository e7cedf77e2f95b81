/*
 * mmap_shared: shared writable file mappings, their coherency with read(2) and write(2),
 * write-back, SIGBUS past the end of the file, the error cases of mmap on files, and
 * MAP_POPULATE and MAP_GROWSDOWN. Prints one line per check; the output must be the same
 * natively and in the kernel.
 *
 *   mmap_shared DIR            the checks, on files made in DIR (removed afterwards)
 *   mmap_shared DIR write N    writes DIR/big.dat (N bytes of a pattern) through a
 *                              shared mapping and exits without msync or munmap
 *
 * Build: gcc -O2 -static -o mmap_shared mmap_shared.c
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096L
/* Not a multiple of the page size: the last page is partly past the end. */
#define SIZE (3 * PAGE + 1000)

static int failures;
static char path[4096];

static void check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static void check_errno(const char *what, long r, int want)
{
    int e = r == -1 ? errno : 0;
    printf("%s: %s\n", what, e == want ? "ok" : "FAILED");
    if (e != want) {
        printf("  got %ld errno %d (%s), want errno %d\n", r, e, strerror(e), want);
        failures++;
    }
}

static unsigned char pattern(long i)
{
    return (unsigned char)(i * 31 + i / PAGE);
}

/* ---- faults caught and survived ---- */

static sigjmp_buf jump;
static volatile int fault_signo, fault_code;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    fault_signo = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(jump, 1);
}

/* Touches `p` (a read, or a write of `value`); returns the signal it raised, or 0. */
static int touch(volatile char *p, int write, char value)
{
    fault_signo = 0;
    if (sigsetjmp(jump, 1) == 0) {
        if (write)
            *p = value;
        else
            (void)*p;
    }
    return fault_signo;
}

static void catch_faults(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
}

/* ---- the checks ---- */

static int make_file(const char *dir, const char *name, long size)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, size) != 0) {
        printf("cannot make %s: %s\n", name, strerror(errno));
        exit(1);
    }
    return fd;
}

static void coherency(const char *dir)
{
    int fd = make_file(dir, "shared.dat", SIZE);
    char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check("mmap shared rw", p != MAP_FAILED);
    if (p == MAP_FAILED)
        exit(1);

    for (long i = 0; i < SIZE; i++)
        p[i] = pattern(i);
    static char buf[SIZE + 100];
    check("read(2) sees the mapping's writes",
          pread(fd, buf, sizeof buf, 0) == SIZE && memcmp(buf, p, SIZE) == 0);

    check("write(2) lands", pwrite(fd, "hello", 5, 4094) == 5);
    check("the mapping sees write(2)", memcmp(p + 4094, "hello", 5) == 0);

    /* Past the end of the file in the last page: zeros, writable, never written back. */
    check("bytes past the end read zero", p[SIZE] == 0 && p[4 * PAGE - 1] == 0);
    p[SIZE + 10] = 'x';

    pid_t pid = fork();
    if (pid == 0) {
        int cfd = open(path, O_RDWR);
        char *q = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        if (q == MAP_FAILED)
            _exit(2);
        q[8000] = 'Z';
        q[100] = 'C';
        p[200] = 'I'; /* through the mapping inherited from the parent */
        _exit(q[4094] == 'h' ? 0 : 3);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    check("child saw the parent's data", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check("parent sees the child's writes", p[8000] == 'Z' && p[100] == 'C' && p[200] == 'I');
    char c = 0;
    check("read(2) sees the child's writes", pread(fd, &c, 1, 8000) == 1 && c == 'Z');

    check("msync MS_SYNC", msync(p, 4 * PAGE, MS_SYNC) == 0);
    check("msync MS_ASYNC", msync(p, PAGE, MS_ASYNC) == 0);
    check_errno("msync unaligned", msync(p + 1, PAGE, MS_SYNC), EINVAL);
    check_errno("msync both flags", msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
    struct stat st;
    check("write-back keeps the size", fstat(fd, &st) == 0 && st.st_size == SIZE);

    /* What the file should hold now. */
    static char want[SIZE];
    for (long i = 0; i < SIZE; i++)
        want[i] = pattern(i);
    memcpy(want + 4094, "hello", 5);
    want[8000] = 'Z';
    want[100] = 'C';
    want[200] = 'I';

    /* A write after msync is still seen and written back. */
    p[300] = 'W';
    want[300] = 'W';
    check("munmap", munmap(p, 4 * PAGE) == 0);
    close(fd);

    fd = open(path, O_RDONLY);
    check("read(2) after munmap",
          pread(fd, buf, sizeof buf, 0) == SIZE && memcmp(buf, want, SIZE) == 0);
    char *r = mmap(NULL, 5 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    check("re-mmap sees everything", r != MAP_FAILED && memcmp(r, want, SIZE) == 0);
    check("the byte past the end is not in the file", pread(fd, buf, 100, SIZE) == 0);

    /* A page wholly past the end of the file: SIGBUS with the address touched. */
    int sig = touch(r + 4 * PAGE + 123, 0, 0);
    printf("past the end: signal %d code %d at +%ld\n", sig, fault_code,
           (long)((char *)fault_addr - r));
    check("the last partial page is fine", touch(r + SIZE + 5, 0, 0) == 0);
    check("writing a read-only shared mapping faults", touch(r, 1, 'x') == SIGSEGV &&
                                                           fault_code == SEGV_ACCERR);
    check_errno("mprotect rw of a read-only open", mprotect(r, PAGE, PROT_READ | PROT_WRITE),
                EACCES);
    munmap(r, 5 * PAGE);

    /* After a truncation, a new mapping faults past the new end. */
    int wfd = open(path, O_RDWR);
    check("ftruncate shorter", ftruncate(wfd, 5000) == 0);
    r = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, wfd, 0);
    sig = touch(r + 2 * PAGE, 1, 'y');
    printf("past the new end: signal %d code %d\n", sig, fault_code);
    check("kept data below the new end", memcmp(r, want, 5000) == 0 && r[5000] == 0);
    r[4999] = 'E';
    check("ftruncate longer", ftruncate(wfd, 3 * PAGE) == 0);
    check("the old tail reads zero after growth", r[5000] == 0 && r[2 * PAGE] == 0);
    check("fsync", fsync(wfd) == 0 && fdatasync(wfd) == 0);
    check("pread sees the edge", pread(wfd, &c, 1, 4999) == 1 && c == 'E');
    munmap(r, 3 * PAGE);
    close(wfd);
    close(fd);

    /* MAP_POPULATE: a shared file mapping and anonymous memory, ready at once. */
    fd = open(path, O_RDWR);
    r = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    check("MAP_POPULATE file", r != MAP_FAILED && r[4999] == 'E' && r[0] == want[0]);
    r[1] = 'P';
    check("sync", (sync(), 1));
    check("pread after sync", pread(fd, &c, 1, 1) == 1 && c == 'P');
    munmap(r, 3 * PAGE);
    close(fd);
    char *a = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    int zero = a != MAP_FAILED;
    for (long i = 0; zero && i < 64 * PAGE; i += PAGE)
        zero = a[i] == 0;
    check("MAP_POPULATE anonymous", zero);
    munmap(a, 64 * PAGE);
    unlink(path);
}

static void errors(const char *dir)
{
    int fd = make_file(dir, "errors.dat", 100);
    close(fd);
    int ro = open(path, O_RDONLY);
    int wo = open(path, O_WRONLY);

    check_errno("shared rw on O_RDONLY",
                (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    check_errno("shared_validate rw on O_RDONLY",
                (long)mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED_VALIDATE, ro, 0), EACCES);
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    check("private rw on O_RDONLY", p != MAP_FAILED);
    munmap(p, PAGE);
    p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    check("shared ro on O_RDONLY", p != MAP_FAILED);
    check_errno("mprotect it rw", mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
    munmap(p, PAGE);
    check_errno("shared ro on O_WRONLY", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0),
                EACCES);
    check_errno("no map type", (long)mmap(NULL, PAGE, PROT_READ, 0, ro, 0), EINVAL);
    check_errno("unaligned offset", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 100),
                EINVAL);
    check_errno("zero length", (long)mmap(NULL, 0, PROT_READ, MAP_SHARED, ro, 0), EINVAL);
    check_errno("bad fd", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 999, 0), EBADF);
    check_errno("unknown flag with MAP_SHARED_VALIDATE",
                (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, ro, 0),
                EOPNOTSUPP);
    check_errno("MAP_GROWSDOWN on a file",
                (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, ro, 0), EINVAL);

    int d = open(dir, O_RDONLY | O_DIRECTORY);
    check_errno("a directory", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, d, 0), ENODEV);
    check_errno("a directory, private",
                (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, d, 0), ENODEV);
    check_errno("a directory, shared rw",
                (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d, 0), EACCES);
    int pipefd[2];
    if (pipe(pipefd) != 0)
        exit(1);
    check_errno("a pipe's read end",
                (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pipefd[0], 0), ENODEV);
    check_errno("a pipe's write end",
                (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pipefd[1], 0), EACCES);

    /* /proc is not mounted when the program is init. */
    int proc = open("/proc/meminfo", O_RDONLY);
    if (proc < 0 && mount("proc", "/proc", "proc", 0, NULL) == 0)
        proc = open("/proc/meminfo", O_RDONLY);
    check_errno("a /proc file", (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, proc, 0), EIO);

    close(proc);
    close(d);
    close(pipefd[0]);
    close(pipefd[1]);
    close(ro);
    close(wo);
    unlink(path);
}

static void grows_down(void)
{
    /* A private stretch of address space to place things in. */
    char *base = mmap(NULL, 32 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(base, 32 << 20);
    char *low = mmap(base, PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    char *near = mmap(base + 16 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
    char *far = mmap(base + (16 << 20), 4 * PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
    check("MAP_GROWSDOWN maps", low == base && near != MAP_FAILED && far != MAP_FAILED);

    int sig = touch(near - 1, 1, 'n');
    printf("growing into the guard gap: signal %d code %d at %s\n", sig, fault_code,
           fault_addr == near - 1 ? "the address" : "another address");
    check("a page below grows it", touch(far - 1, 1, 'f') == 0 && far[-1] == 'f');
    check("far below grows it too", touch(far - 100 * PAGE, 0, 0) == 0 &&
                                        far[-100 * PAGE] == 0);
    check("the grown part is mapped", msync(far - 100 * PAGE, PAGE, MS_ASYNC) == 0);
    check_errno("below it is not", msync(far - 101 * PAGE, PAGE, MS_ASYNC), ENOMEM);
    check("mprotect PROT_GROWSDOWN", mprotect(far, PAGE, PROT_READ | PROT_GROWSDOWN) == 0);
    check("it reaches the grown part", touch(far - 100 * PAGE, 1, 'x') == SIGSEGV);
    check_errno("PROT_GROWSDOWN elsewhere", mprotect(low, PAGE, PROT_READ | PROT_GROWSDOWN),
                EINVAL);
    check_errno("shared MAP_GROWSDOWN",
                (long)mmap(NULL, PAGE, PROT_READ,
                           MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0),
                EINVAL);
    munmap(base, 32 << 20);
}

static int write_big(const char *dir, long size)
{
    int fd = make_file(dir, "big.dat", size);
    unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        printf("mmap: %s\n", strerror(errno));
        return 1;
    }
    for (long i = 0; i < size; i++)
        p[i] = pattern(i);
    printf("wrote %ld bytes\n", size);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 4 && strcmp(argv[2], "write") == 0)
        return write_big(argv[1], atol(argv[3]));
    if (argc != 2) {
        fprintf(stderr, "usage: mmap_shared DIR [write SIZE]\n");
        return 2;
    }
    catch_faults();
    coherency(argv[1]);
    errors(argv[1]);
    grows_down();
    printf("%s\n", failures ? "FAILED" : "all ok");
    return failures != 0;
}
