/*
 * fd: file descriptors (dup, fcntl, record locks, pipes, FIFOs, readiness, vectored and
 * positioned I/O, sendfile), with Linux's results and errnos.
 *
 *   fd SCRATCH [--guest] [GROUP...]
 *
 * SCRATCH is an absolute path to a writable directory (created when missing); each group
 * works in a fresh subdirectory of it named after the group. Groups print "ok GROUP" or
 * "FAIL GROUP: ..." lines; nothing printed depends on the machine, so a native run and a
 * guest run print the same lines. With no GROUP every group runs. The last line is "ok" or
 * "FAIL".
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


#include "check.h"

/* O_LARGEFILE as the kernel has it: glibc defines it as 0 on x86_64, yet Linux sets it on
 * every open there and F_GETFL shows it. */
#define KO_LARGEFILE 0100000

static char *sp(const char *name)
{
    static char bufs[4][4096];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

/* A new file `name` holding `text`, open read-write. */
static int new_file(const char *name, const char *text)
{
    int fd = open(sp(name), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "create %s: %s", name, errname(errno));
    if (fd >= 0 && text) {
        CHECK_RET(write(fd, text, strlen(text)), (long)strlen(text));
        lseek(fd, 0, SEEK_SET);
    }
    return fd;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static long ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* ---- dup ---- */

static void g_dup(void)
{
    int fd = new_file("f", "0123456789");
    int d = dup(fd);
    CHECK(d == fd + 1, "dup gave %d, want the lowest free %d", d, fd + 1);
    /* Duplicates share the offset. */
    char buf[8] = {0};
    CHECK_RET(read(fd, buf, 3), 3);
    CHECK_RET(lseek(d, 0, SEEK_CUR), 3);
    CHECK_RET(dup2(fd, fd), fd);
    CHECK_ERR(dup2(99, 99), EBADF);
    CHECK_ERR(dup2(fd, -1), EBADF);
    CHECK_ERR(dup2(fd, 1 << 20), EBADF);
    CHECK_ERR(dup2(-1, 50), EBADF);
    /* dup2 over an open descriptor closes it first, and the new one is not close-on-exec. */
    int other = open(sp("f"), O_RDONLY | O_CLOEXEC);
    CHECK_RET(dup2(fd, other), other);
    CHECK_RET(fcntl(other, F_GETFD), 0);
    CHECK_RET(lseek(other, 0, SEEK_CUR), 3);
    CHECK_ERR(dup3(fd, fd, 0), EINVAL);
    CHECK_ERR(dup3(fd, fd, O_CLOEXEC), EINVAL);
    CHECK_ERR(dup3(fd, 60, O_NONBLOCK), EINVAL);
    CHECK_RET(dup3(fd, 60, O_CLOEXEC), 60);
    CHECK_RET(fcntl(60, F_GETFD), FD_CLOEXEC);
    CHECK_RET(dup3(fd, 60, 0), 60);
    CHECK_RET(fcntl(60, F_GETFD), 0);
    CHECK_ERR(dup(-1), EBADF);
    CHECK_ERR(dup(1000), EBADF);
    close(60);
    close(other);
    close(d);
    close(fd);
}

/* ---- fcntl ---- */

static void g_fcntl(void)
{
    int fd = new_file("f", "abc");
    CHECK_RET(fcntl(fd, F_DUPFD, 100), 100);
    CHECK_RET(fcntl(fd, F_DUPFD, 100), 101);
    CHECK_RET(fcntl(100, F_GETFD), 0);
    CHECK_RET(fcntl(fd, F_DUPFD_CLOEXEC, 100), 102);
    CHECK_RET(fcntl(102, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(fd, F_DUPFD, 1 << 20), EINVAL);
    close(100);
    close(101);
    close(102);

    CHECK_RET(fcntl(fd, F_GETFD), 0);
    CHECK_RET(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    CHECK_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_RET(fcntl(fd, F_SETFD, 0), 0);

    /* Status flags: the access mode stays, O_APPEND and O_NONBLOCK change. O_LARGEFILE
     * (which x86_64 Linux sets on every open) is masked out: its presence is checked
     * below. */
    int fl = fcntl(fd, F_GETFL);
    CHECK((fl & ~KO_LARGEFILE) == O_RDWR, "flags %#x", fl);
    CHECK_RET(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_WRONLY), 0);
    fl = fcntl(fd, F_GETFL);
    CHECK((fl & ~KO_LARGEFILE) == (O_RDWR | O_APPEND | O_NONBLOCK), "flags %#x", fl);
    /* O_APPEND: writes go to the end whatever the offset. */
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK_RET(write(fd, "d", 1), 1);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 4);
    char buf[8] = {0};
    CHECK_RET(pread(fd, buf, 8, 0), 4);
    CHECK(memcmp(buf, "abcd", 4) == 0, "file holds '%.4s'", buf);
    CHECK_RET(fcntl(fd, F_SETFL, 0), 0);
    fl = fcntl(fd, F_GETFL);
    CHECK((fl & ~KO_LARGEFILE) == O_RDWR, "flags %#x", fl);

    int ro = open(sp("f"), O_RDONLY);
    fl = fcntl(ro, F_GETFL);
    CHECK(fl == (O_RDONLY | KO_LARGEFILE), "read-only flags %#x", fl);
    close(ro);

    CHECK_ERR(fcntl(fd, 9999), EINVAL);
    CHECK_ERR(fcntl(-1, F_GETFD), EBADF);
    CHECK_ERR(fcntl(500, F_GETFL), EBADF);
    close(fd);
}

/* ---- record locks ---- */

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

/* In a child: what F_GETLK says about [start, start+len) for a write lock. */
static void child_getlk(int fd, off_t start, off_t len, struct flock *out)
{
    int p[2];
    if (pipe(p) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start,
                           .l_len = len};
        if (fcntl(fd, F_GETLK, &fl) < 0)
            fl.l_type = -1;
        write(p[1], &fl, sizeof fl);
        _exit(0);
    }
    close(p[1]);
    memset(out, 0, sizeof *out);
    read(p[0], out, sizeof *out);
    close(p[0]);
    waitpid(pid, NULL, 0);
}

/* In a child: F_SETLK of a write lock on [start, start+len): 0 or the errno. */
static int child_setlk(int fd, off_t start, off_t len)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(lock(fd, F_SETLK, F_WRLCK, start, len) == 0 ? 0 : errno);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void g_locks(void)
{
    int fd = new_file("f", "0123456789abcdefghij");
    CHECK_RET(lock(fd, F_SETLK, F_WRLCK, 0, 10), 0);
    /* Our own lock never conflicts with us. */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    CHECK_RET(fcntl(fd, F_GETLK, &fl), 0);
    CHECK(fl.l_type == F_UNLCK, "own lock reported as type %d", fl.l_type);

    child_getlk(fd, 5, 10, &fl);
    CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10 && fl.l_pid == getpid() &&
              fl.l_whence == SEEK_SET,
          "F_GETLK: type %d start %ld len %ld pid ok %d", fl.l_type, (long)fl.l_start,
          (long)fl.l_len, fl.l_pid == getpid());
    CHECK(child_setlk(fd, 5, 10) == EAGAIN, "conflicting F_SETLK gave %d",
          child_setlk(fd, 5, 10));
    CHECK(child_setlk(fd, 10, 10) == 0, "F_SETLK beside the lock failed");
    child_getlk(fd, 10, 0, &fl);
    CHECK(fl.l_type == F_UNLCK, "F_GETLK past the lock: type %d", fl.l_type);

    /* Unlocking part of it splits it. */
    CHECK_RET(lock(fd, F_SETLK, F_UNLCK, 2, 3), 0);
    CHECK(child_setlk(fd, 2, 3) == 0, "the unlocked middle is still locked");
    CHECK(child_setlk(fd, 5, 1) == EAGAIN, "the rest of the lock went too");

    /* A read lock conflicts only with write locks. */
    CHECK_RET(lock(fd, F_SETLK, F_UNLCK, 0, 0), 0);
    CHECK_RET(lock(fd, F_SETLK, F_RDLCK, 0, 0), 0);
    child_getlk(fd, 100, 1, &fl);
    CHECK(fl.l_type == F_RDLCK && fl.l_start == 0 && fl.l_len == 0,
          "read lock to EOF: type %d start %ld len %ld", fl.l_type, (long)fl.l_start,
          (long)fl.l_len);
    pid_t pid = fork();
    if (pid == 0)
        _exit(lock(fd, F_SETLK, F_RDLCK, 0, 5) == 0 ? 0 : 1);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a second read lock was refused");

    /* F_SETLKW waits for the holder to let go. */
    CHECK_RET(lock(fd, F_SETLK, F_WRLCK, 0, 0), 0);
    int p[2];
    pipe(p);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        write(p[1], "w", 1);
        int r = lock(fd, F_SETLKW, F_WRLCK, 0, 1);
        _exit(r == 0 ? 0 : 1);
    }
    close(p[1]);
    char c;
    read(p[0], &c, 1);
    close(p[0]);
    nap_ms(50);
    CHECK_RET(waitpid(pid, &st, WNOHANG), 0);
    CHECK_RET(lock(fd, F_SETLK, F_UNLCK, 0, 0), 0);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "F_SETLKW failed: %#x", st);

    /* Closing any descriptor of the file drops the process's locks on it. */
    CHECK_RET(lock(fd, F_SETLK, F_WRLCK, 0, 0), 0);
    CHECK(child_setlk(fd, 0, 1) == EAGAIN, "lock not held");
    int other = open(sp("f"), O_RDONLY);
    close(other);
    CHECK(child_setlk(fd, 0, 1) == 0, "closing another descriptor kept the lock");

    /* Lock types need matching access modes. */
    int ro = open(sp("f"), O_RDONLY);
    CHECK_ERR(lock(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
    close(ro);
    CHECK_ERR(lock(fd, F_SETLK, 99, 0, 1), EINVAL);
    CHECK_ERR(lock(fd, F_SETLK, F_WRLCK, -5, 1), EINVAL);
    close(fd);
}

/* ---- pipes ---- */

static volatile int sigpipes;
static void on_pipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void g_pipe(void)
{
    int p[2];
    char buf[256];
    CHECK_RET(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);
    CHECK_RET(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    CHECK((fcntl(p[1], F_GETFL) & ~KO_LARGEFILE) == (O_WRONLY | O_NONBLOCK), "write end %#x",
          fcntl(p[1], F_GETFL));
    CHECK_ERR(write(p[0], "x", 1), EBADF);
    CHECK_ERR(read(p[1], buf, 1), EBADF);
    int n = -1;
    CHECK_RET(ioctl(p[0], FIONREAD, &n), 0);
    CHECK(n == 0, "FIONREAD %d", n);
    CHECK_RET(write(p[1], "hello", 5), 5);
    CHECK_RET(ioctl(p[0], FIONREAD, &n), 0);
    CHECK(n == 5, "FIONREAD %d", n);
    CHECK_RET(read(p[0], buf, 5), 5);
    CHECK(memcmp(buf, "hello", 5) == 0, "read '%.5s'", buf);

    /* Filling it a page at a time: the default capacity is 64 KiB; then EAGAIN. (Smaller
     * writes would be counted in Linux's page-sized slots, not in bytes.) */
    static char big[4096];
    memset(big, 'b', sizeof big);
    long total = 0, w;
    while ((w = write(p[1], big, sizeof big)) > 0)
        total += w;
    CHECK(w == -1 && errno == EAGAIN, "a full pipe's write gave %ld (%s)", w, errname(errno));
    CHECK(total == 65536, "the pipe took %ld bytes", total);
    close(p[0]);
    close(p[1]);
    CHECK_ERR(pipe2(p, O_APPEND), EINVAL);

    /* No reader: SIGPIPE, and EPIPE when it is handled or ignored. */
    CHECK_RET(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, on_pipe);
    sigpipes = 0;
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK(sigpipes == 1, "SIGPIPE ran %d times", sigpipes);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    pid_t pid = fork();
    if (pid == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "writer status %#x", st);
    close(p[1]);

    /* No writer: EOF after the data. */
    CHECK_RET(pipe(p), 0);
    CHECK_RET(write(p[1], "ab", 2), 2);
    close(p[1]);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
    close(p[0]);
}

/* Writes of at most PIPE_BUF bytes are never interleaved with other writers' data. */
static void g_pipe_atomic(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    enum { WRITES = 64 };
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            char block[PIPE_BUF];
            memset(block, 'A' + k, sizeof block);
            close(p[0]);
            for (int i = 0; i < WRITES; i++)
                if (write(p[1], block, sizeof block) != sizeof block)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    static char all[2 * WRITES * PIPE_BUF];
    long got = 0, n;
    while (got < (long)sizeof all && (n = read(p[0], all + got, sizeof all - got)) > 0)
        got += n;
    CHECK(got == (long)sizeof all, "read %ld bytes", got);
    int mixed = 0, counts[2] = {0, 0};
    for (long b = 0; b + PIPE_BUF <= got; b += PIPE_BUF) {
        for (int i = 1; i < PIPE_BUF; i++)
            if (all[b + i] != all[b]) {
                mixed++;
                break;
            }
        if (all[b] == 'A' || all[b] == 'B')
            counts[all[b] - 'A']++;
    }
    CHECK(mixed == 0, "%d blocks were interleaved", mixed);
    CHECK(counts[0] == WRITES && counts[1] == WRITES, "blocks %d and %d", counts[0], counts[1]);
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d status %#x", k, st);
    }
    close(p[0]);
}

/* ---- FIFOs ---- */

static void g_fifo(void)
{
    const char *f = sp("fifo");
    CHECK_RET(mkfifo(f, 0644), 0);
    CHECK_ERR(mkfifo(f, 0644), EEXIST);
    struct stat st;
    CHECK_RET(stat(f, &st), 0);
    CHECK(S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0644, "mode %o", st.st_mode);

    /* Without a reader a non-blocking writer cannot open; a non-blocking reader can. */
    CHECK_ERR(open(f, O_WRONLY | O_NONBLOCK), ENXIO);
    int r = open(f, O_RDONLY | O_NONBLOCK);
    CHECK(r >= 0, "non-blocking reader: %s", errname(errno));
    int w = open(f, O_WRONLY | O_NONBLOCK);
    CHECK(w >= 0, "writer with a reader: %s", errname(errno));
    char buf[16];
    CHECK_ERR(read(r, buf, sizeof buf), EAGAIN);
    CHECK_RET(write(w, "fifo", 4), 4);
    CHECK_RET(read(r, buf, sizeof buf), 4);
    CHECK_ERR(lseek(r, 0, SEEK_SET), ESPIPE);
    close(w);
    /* The writer gone: EOF. */
    CHECK_RET(read(r, buf, sizeof buf), 0);
    close(r);

    /* A non-blocking reader that opened alone sees no hang-up until a writer has come. */
    r = open(f, O_RDONLY | O_NONBLOCK);
    struct pollfd pfd = {r, POLLIN, 0};
    CHECK_RET(poll(&pfd, 1, 0), 0);
    close(open(f, O_WRONLY | O_NONBLOCK));
    CHECK_RET(poll(&pfd, 1, 0), 1);
    CHECK(pfd.revents == POLLHUP, "revents %#x after a writer came and went", pfd.revents);
    close(r);

    /* O_RDWR never waits, and polls as both ends. */
    int rw = open(f, O_RDWR);
    CHECK(rw >= 0, "O_RDWR: %s", errname(errno));
    CHECK_RET(write(rw, "x", 1), 1);
    pfd = (struct pollfd){rw, POLLIN | POLLOUT, 0};
    CHECK_RET(poll(&pfd, 1, 0), 1);
    CHECK(pfd.revents == (POLLIN | POLLOUT), "O_RDWR revents %#x", pfd.revents);
    close(rw);

}

static void on_alarm(int sig)
{
    (void)sig;
}

/* A blocking reader waits for a writer, even one that opens, writes and closes before the
 * reader gets to run again. */
static void g_fifo_blocking_open(void)
{
    const char *f = sp("fifo");
    CHECK_RET(mkfifo(f, 0644), 0);
    char buf[16];
    int r;
    pid_t pid = fork();
    if (pid == 0) {
        nap_ms(50);
        int fd = open(f, O_WRONLY);
        write(fd, "late", 4);
        close(fd);
        _exit(0);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = open(f, O_RDONLY);
    CHECK(r >= 0, "blocking reader: %s", errname(errno));
    CHECK(ms_since(&t0) >= 40, "the blocking open did not wait");
    CHECK_RET(read(r, buf, 4), 4);
    CHECK(memcmp(buf, "late", 4) == 0, "read '%.4s'", buf);
    close(r);
    waitpid(pid, NULL, 0);

    /* The same for a writer and a reader that comes and goes; an alarm ends the open with
     * EINTR should it wait for good. */
    struct sigaction sa = {.sa_handler = on_alarm}, old_alrm;
    sigaction(SIGALRM, &sa, &old_alrm);
    signal(SIGPIPE, SIG_IGN);
    pid = fork();
    if (pid == 0) {
        nap_ms(50);
        close(open(f, O_RDONLY));
        _exit(0);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    alarm(5);
    int w = open(f, O_WRONLY);
    alarm(0);
    CHECK(w >= 0, "blocking writer: %s", errname(errno));
    CHECK(ms_since(&t0) >= 40, "the blocking open did not wait");
    waitpid(pid, NULL, 0);
    CHECK_ERR(write(w, "gone", 4), EPIPE);
    close(w);
    signal(SIGPIPE, SIG_DFL);
    sigaction(SIGALRM, &old_alrm, NULL);
}

/* F_GETPIPE_SZ and F_SETPIPE_SZ: the capacity, 64 KiB by default, rounded up to a power
 * of two pages (one at least); the pipe holds that much and no more. */
static void g_pipe_size(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    CHECK_RET(fcntl(p[1], F_GETPIPE_SZ), 65536);
    CHECK_RET(fcntl(p[0], F_SETPIPE_SZ, 5000), 8192);
    CHECK_RET(fcntl(p[0], F_GETPIPE_SZ), 8192);
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 3 * 4096), 16384);
    CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, (1U << 31) + 1), EINVAL);
    int fd = open(sp("."), O_RDONLY);
    CHECK_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF);
    CHECK_ERR(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF);
    close(fd);

    /* A full pipe takes exactly its capacity; it cannot shrink below what it holds. */
    static char block[20000];
    CHECK_RET(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    CHECK_RET(write(p[1], block, sizeof block), 16384);
    CHECK_ERR(write(p[1], block, 1), EAGAIN);
    CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 8192), EBUSY);
    CHECK_RET(read(p[0], block, 12288), 12288);
    CHECK_RET(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
    CHECK_RET(read(p[0], block, sizeof block), 4096);

    /* Past /proc/sys/fs/pipe-max-size (1 MiB) only CAP_SYS_RESOURCE may grow a pipe (not
     * checked for root, whom a container may deny that capability). */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setresuid(1000, 1000, 1000) != 0)
            _exit(2);
        if (fcntl(p[1], F_SETPIPE_SZ, 1 << 20) != 1 << 20)
            _exit(3);
        _exit(fcntl(p[1], F_SETPIPE_SZ, 2 << 20) == -1 && errno == EPERM ? 0 : 4);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged growth: status %#x", st);
    close(p[0]);
    close(p[1]);

    /* A FIFO has a pipe's size too. */
    const char *f = sp("fifo");
    CHECK_RET(mkfifo(f, 0644), 0);
    int rw = open(f, O_RDWR);
    CHECK_RET(fcntl(rw, F_GETPIPE_SZ), 65536);
    close(rw);
}

/* ---- readiness ---- */

static void g_poll(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 7}};
    CHECK_RET(poll(fds, 3, 0), 1);
    CHECK(fds[0].revents == 0 && fds[1].revents == POLLOUT && fds[2].revents == 0,
          "revents %#x %#x %#x", fds[0].revents, fds[1].revents, fds[2].revents);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RET(poll(fds, 1, 50), 0);
    long took = ms_since(&t0);
    CHECK(took >= 45 && took < 5000, "a 50 ms poll took %ld ms", took);

    CHECK_RET(write(p[1], "x", 1), 1);
    CHECK_RET(poll(fds, 1, 0), 1);
    CHECK(fds[0].revents == POLLIN, "revents %#x", fds[0].revents);
    /* The writer gone: POLLHUP beside the data. */
    close(p[1]);
    CHECK_RET(poll(fds, 1, 0), 1);
    CHECK(fds[0].revents == (POLLIN | POLLHUP), "revents %#x", fds[0].revents);
    char c;
    read(p[0], &c, 1);
    CHECK_RET(poll(fds, 1, 0), 1);
    CHECK(fds[0].revents == POLLHUP, "revents %#x", fds[0].revents);
    close(p[0]);

    /* The reader gone: POLLERR for the writer. */
    CHECK_RET(pipe(p), 0);
    close(p[0]);
    struct pollfd wfd = {p[1], POLLOUT, 0};
    CHECK_RET(poll(&wfd, 1, 0), 1);
    CHECK(wfd.revents == (POLLOUT | POLLERR), "revents %#x", wfd.revents);
    close(p[1]);

    /* A closed descriptor: POLLNVAL. A regular file is always ready. */
    struct pollfd bad = {p[1], POLLIN, 0};
    CHECK_RET(poll(&bad, 1, 0), 1);
    CHECK(bad.revents == POLLNVAL, "revents %#x", bad.revents);
    int f = open(sp("file"), O_RDWR | O_CREAT, 0644);
    struct pollfd ff = {f, POLLIN | POLLOUT, 0};
    CHECK_RET(poll(&ff, 1, 1000), 1);
    CHECK(ff.revents == (POLLIN | POLLOUT), "file revents %#x", ff.revents);

    /* A data arriving from a child wakes a waiting poll. */
    CHECK_RET(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        nap_ms(30);
        write(p[1], "y", 1);
        _exit(0);
    }
    struct pollfd rfd = {p[0], POLLIN, 0};
    CHECK_RET(poll(&rfd, 1, 10000), 1);
    CHECK(rfd.revents == POLLIN, "revents %#x", rfd.revents);
    waitpid(pid, NULL, 0);

    /* ppoll: a timespec timeout, and a bad one. */
    struct timespec ts = {0, 20 * 1000000L};
    struct pollfd empty = {p[0], POLLIN, 0};
    read(p[0], &c, 1);
    CHECK_RET(ppoll(&empty, 1, &ts, NULL), 0);
    ts.tv_nsec = 1000000000L;
    CHECK_ERR(ppoll(&empty, 1, &ts, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_poll, NULL, 1, 0), EFAULT);
    /* More descriptors than RLIMIT_NOFILE. */
    CHECK_ERR(syscall(SYS_poll, fds, 1 << 20, 0), EINVAL);
    close(p[0]);
    close(p[1]);
    close(f);
}

/* A zero-length sleep leaves nothing behind: a poll after it still waits its full time. */
static void g_poll_after_zero_sleep(void)
{
    struct timespec zero = {0, 0}, t0;
    CHECK_RET(nanosleep(&zero, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RET(poll(NULL, 0, 50), 0);
    long took = ms_since(&t0);
    CHECK(took >= 45 && took < 5000, "a 50 ms poll after nanosleep(0) took %ld ms", took);

    /* An absolute sleep into the past ends at once too, and so does a zero-timeout
     * sigtimedwait; neither may shorten the sleep after it. */
    struct timespec past = {0, 0}, short_sleep = {0, 30000000};
    CHECK_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RET(nanosleep(&short_sleep, NULL), 0);
    took = ms_since(&t0);
    CHECK(took >= 25 && took < 5000, "a 30 ms sleep after a past deadline took %ld ms", took);

    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    CHECK_ERR(sigtimedwait(&usr2, NULL, &zero), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RET(nanosleep(&short_sleep, NULL), 0);
    took = ms_since(&t0);
    CHECK(took >= 25 && took < 5000, "a 30 ms sleep after sigtimedwait(0) took %ld ms", took);
}

static void g_select(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = {0, 0};
    CHECK_RET(select(p[1] + 1, &r, &w, NULL, &tv), 1);
    CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w), "sets wrong");

    /* A timeout; Linux writes back the time left (none). */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 50000;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_RET(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
    long took = ms_since(&t0);
    CHECK(took >= 45 && took < 5000, "a 50 ms select took %ld ms", took);
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "time left %ld.%06ld", (long)tv.tv_sec,
          (long)tv.tv_usec);
    CHECK(!FD_ISSET(p[0], &r), "the set was not cleared on timeout");

    CHECK_RET(write(p[1], "x", 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_RET(select(p[0] + 1, &r, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(p[0], &r), "not readable");

    /* pselect6 with a timespec and a mask. */
    struct timespec ts = {0, 0};
    sigset_t mask;
    sigemptyset(&mask);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_RET(pselect(p[0] + 1, &r, NULL, NULL, &ts, &mask), 1);
    char c;
    read(p[0], &c, 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    ts.tv_nsec = 20 * 1000000L;
    CHECK_RET(pselect(p[0] + 1, &r, NULL, NULL, &ts, &mask), 0);

    /* A closed descriptor in a set; a bad count. */
    close(p[1]);
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    CHECK_ERR(select(p[1] + 1, NULL, &w, NULL, &tv), EBADF);
    CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
    tv.tv_sec = -1;
    CHECK_ERR(select(0, NULL, NULL, NULL, &tv), EINVAL);
    tv.tv_sec = 0;
    /* The read end sees the writer gone as readable (EOF). */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_usec = 0;
    CHECK_RET(select(p[0] + 1, &r, NULL, NULL, &tv), 1);
    close(p[0]);
}

/* ---- vectored and positioned I/O ---- */

static void g_rw(void)
{
    int fd = new_file("f", NULL);
    char a[] = "one", b[] = "", c[] = "three";
    struct iovec iov[3] = {{a, 3}, {b, 0}, {c, 5}};
    CHECK_RET(writev(fd, iov, 3), 8);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 8);
    char x[4] = {0}, y[10] = {0};
    struct iovec in[2] = {{x, 2}, {y, 10}};
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK_RET(readv(fd, in, 2), 8);
    CHECK(memcmp(x, "on", 2) == 0 && memcmp(y, "ethree", 6) == 0, "readv '%.2s' '%.6s'", x,
          y);
    CHECK_RET(writev(fd, iov, 0), 0);
    CHECK_ERR(syscall(SYS_writev, fd, iov, -1), EINVAL);
    /* More than IOV_MAX (1024) vectors. */
    CHECK_ERR(syscall(SYS_readv, fd, in, 1025), EINVAL);
    struct iovec badv = {(void *)8, 4};
    CHECK_ERR(writev(fd, &badv, 1), EFAULT);

    /* pwrite and pread leave the offset alone. */
    CHECK_RET(lseek(fd, 2, SEEK_SET), 2);
    CHECK_RET(pwrite(fd, "XY", 2, 10), 2);
    CHECK_RET(lseek(fd, 0, SEEK_CUR), 2);
    struct stat st;
    fstat(fd, &st);
    CHECK(st.st_size == 12, "size %ld after pwrite past the end", (long)st.st_size);
    char buf[16] = {0};
    CHECK_RET(pread(fd, buf, 16, 6), 6);
    CHECK(memcmp(buf, "ee\0\0XY", 6) == 0, "pread gave the wrong bytes");
    CHECK_RET(pread(fd, buf, 16, 100), 0);
    CHECK_ERR(pwrite(fd, "z", 1, -1), EINVAL);
    close(fd);


    int p[2];
    pipe(p);
    CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    CHECK_ERR(pwrite(p[1], buf, 1, 0), ESPIPE);
    close(p[0]);
    close(p[1]);
}

/* pwrite on an O_APPEND file appends whatever the offset (a Linux quirk, in pwrite(2)'s
 * BUGS). */
static void g_pwrite_append(void)
{
    int fd = new_file("f", "0123456789");
    close(fd);
    fd = open(sp("f"), O_WRONLY | O_APPEND);
    CHECK_RET(pwrite(fd, "Z", 1, 0), 1);
    struct stat st;
    fstat(fd, &st);
    CHECK(st.st_size == 11, "size %ld after pwrite with O_APPEND", (long)st.st_size);
    char buf[16] = {0};
    int r = open(sp("f"), O_RDONLY);
    CHECK_RET(read(r, buf, sizeof buf), 11);
    CHECK(memcmp(buf, "0123456789Z", 11) == 0, "file holds '%.11s'", buf);
    close(r);
    close(fd);
}

static void g_sendfile(void)
{
    int in = new_file("in", "0123456789abcdefghij");
    int p[2];
    CHECK_RET(pipe(p), 0);
    /* With an offset pointer the file's own offset stays put and the pointer moves. */
    off_t off = 5;
    CHECK_RET(sendfile(p[1], in, &off, 4), 4);
    CHECK(off == 9, "offset now %ld", (long)off);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 0);
    char buf[32] = {0};
    CHECK_RET(read(p[0], buf, sizeof buf), 4);
    CHECK(memcmp(buf, "5678", 4) == 0, "pipe got '%.4s'", buf);
    /* Without one the file offset is used and advanced. */
    CHECK_RET(lseek(in, 18, SEEK_SET), 18);
    CHECK_RET(sendfile(p[1], in, NULL, 100), 2);
    CHECK_RET(lseek(in, 0, SEEK_CUR), 20);
    CHECK_RET(read(p[0], buf, sizeof buf), 2);
    CHECK(memcmp(buf, "ij", 2) == 0, "pipe got '%.2s'", buf);
    CHECK_RET(sendfile(p[1], in, NULL, 100), 0);

    /* File to file. */
    int out = new_file("out", "XX");
    CHECK_RET(lseek(out, 2, SEEK_SET), 2);
    off = 0;
    CHECK_RET(sendfile(out, in, &off, 10), 10);
    CHECK_RET(lseek(out, 0, SEEK_CUR), 12);
    CHECK_RET(pread(out, buf, sizeof buf, 0), 12);
    CHECK(memcmp(buf, "XX0123456789", 12) == 0, "out holds '%.12s'", buf);

    CHECK_ERR(sendfile(out, -1, NULL, 1), EBADF);
    CHECK_ERR(sendfile(-1, in, NULL, 1), EBADF);
    int ro = open(sp("out"), O_RDONLY);
    CHECK_ERR(sendfile(ro, in, NULL, 1), EBADF);
    off = -1;
    CHECK_ERR(sendfile(out, in, &off, 1), EINVAL);
    close(ro);
    close(out);
    close(in);
    close(p[0]);
    close(p[1]);
}

static void g_lseek(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(lseek(p[1], 0, SEEK_SET), ESPIPE);
    int fd = new_file("f", "abc");
    CHECK_ERR(lseek(fd, 0, 5), EINVAL);
    CHECK_ERR(lseek(fd, 0, -1), EINVAL);
    CHECK_ERR(lseek(fd, -4, SEEK_END), EINVAL);
    CHECK_RET(lseek(fd, -3, SEEK_END), 0);
    CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF);
    close(fd);
    close(p[0]);
    close(p[1]);
}

/* EBADF from every call that takes a descriptor, for a closed one and a negative one. */
static void g_ebadf(void)
{
    char buf[16];
    struct stat st;
    struct iovec iov = {buf, 1};
    for (int i = 0; i < 2; i++) {
        int fd = i ? -1 : 77;
        CHECK_ERR(read(fd, buf, 1), EBADF);
        CHECK_ERR(write(fd, buf, 1), EBADF);
        CHECK_ERR(readv(fd, &iov, 1), EBADF);
        CHECK_ERR(writev(fd, &iov, 1), EBADF);
        CHECK_ERR(pread(fd, buf, 1, 0), EBADF);
        CHECK_ERR(pwrite(fd, buf, 1, 0), EBADF);
        CHECK_ERR(close(fd), EBADF);
        CHECK_ERR(fstat(fd, &st), EBADF);
        CHECK_ERR(lseek(fd, 0, SEEK_SET), EBADF);
        CHECK_ERR(dup(fd), EBADF);
        CHECK_ERR(dup2(fd, 78), EBADF);
        CHECK_ERR(dup3(fd, 78, 0), EBADF);
        CHECK_ERR(fcntl(fd, F_GETFL), EBADF);
        CHECK_ERR(ftruncate(fd, 0), EBADF);
        CHECK_ERR(fsync(fd), EBADF);
        CHECK_ERR(fdatasync(fd), EBADF);
        CHECK_ERR(fchdir(fd), EBADF);
        CHECK_ERR(fchmod(fd, 0644), EBADF);
        CHECK_ERR(fchown(fd, 0, 0), EBADF);
        CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof buf), EBADF);
        CHECK_ERR(ioctl(fd, FIONREAD, buf), EBADF);
        CHECK_ERR(sendfile(fd, 0, NULL, 1), EBADF);
        CHECK_ERR(openat(fd, "x", O_RDONLY), EBADF);
        CHECK_ERR(fstatat(fd, "x", &st, 0), EBADF);
    }
    /* The wrong direction is EBADF too. */
    int ro = new_file("f", "abc");
    close(ro);
    ro = open(sp("f"), O_RDONLY);
    CHECK_ERR(write(ro, "x", 1), EBADF);
    CHECK_ERR(ftruncate(ro, 0), EINVAL);
    close(ro);
    int wo = open(sp("f"), O_WRONLY);
    CHECK_ERR(read(wo, buf, 1), EBADF);
    close(wo);
}

static const struct check_group groups[] = {
    {"dup", g_dup},
    {"fcntl", g_fcntl},
    {"locks", g_locks},
    {"pipe", g_pipe},
    {"pipe_atomic", g_pipe_atomic},
    {"fifo", g_fifo},
    {"poll", g_poll},
    {"select", g_select},
    {"rw", g_rw},
    {"sendfile", g_sendfile},
    {"lseek", g_lseek},
    {"ebadf", g_ebadf},
    {"fifo_blocking_open", g_fifo_blocking_open},
    {"pipe_size", g_pipe_size},
    {"pwrite_append", g_pwrite_append},
    {"poll_after_zero_sleep", g_poll_after_zero_sleep},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: fd /ABSOLUTE/SCRATCH [--guest] [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    scratch = argv[1];
    mkdir(scratch, 0755);

    return run_groups(groups, NGROUPS, argc, argv, 2, group_dir);
}
