/*
 * cputime: CPU time accounting (times, getrusage, wait4's rusage, the CPU-time clocks,
 * /proc/PID/stat and /proc/stat), with Linux's results and errnos.
 *
 *   cputime FIXTURE [GROUP...]
 *
 * FIXTURE is ignored (the test harness passes its fixture directory to every program).
 * Groups print "ok GROUP" or "FAIL GROUP: ..." lines. Times differ from machine to machine,
 * so only facts that hold on any of them are printed: "a loop that burns 200 ms of CPU time
 * shows between 150 and 400 ms in getrusage", "cutime grows once a busy child is reaped",
 * errno values. CPU time is burnt until the process's own CPU clock says so (not for a
 * stretch of wall time), so a loaded host only makes the runs longer. The last line is "ok"
 * or "FAIL"; the exit status 0 or 1.
 *
 * Helper modes, used through fork and execve of this program itself:
 *   cputime --burn MS       burns MS milliseconds of CPU time and exits 0
 *   cputime --maxrss KB     exits 0 if its ru_maxrss is at least KB, else 1
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
#define MIB (1024L * 1024L)

static char self[1024];

#include "check.h"

/* Two sums of rusage times that must agree: each was truncated to microseconds field by
 * field, so they may differ by a few. */
#define CHECK_SAME_US(a, b)                                                                  \
    CHECK(llabs((a) - (b)) <= 4000, "%s = %lld ns but %s = %lld ns", #a, (long long)(a), #b, \
          (long long)(b))

/* A time in nanoseconds between two bounds in milliseconds. */
#define CHECK_MS(ns, lo, hi)                                                                 \
    CHECK((ns) >= (lo) * MS && (ns) <= (hi) * MS, "%s = %lld ms, want %d to %d ms", #ns,   \
          (long long)(ns) / MS, (lo), (hi))

static long long clock_ns(clockid_t c)
{
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0)
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(struct timeval tv)
{
    return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

/* User plus system time of a rusage. */
static long long ru_ns(const struct rusage *ru)
{
    return tv_ns(ru->ru_utime) + tv_ns(ru->ru_stime);
}

static struct rusage usage(int who)
{
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (getrusage(who, &ru) != 0)
        printf("FAIL %s: getrusage(%d): %s\n", group, who, errname(errno)), group_failures++;
    return ru;
}

static struct tms tms_now(void)
{
    struct tms t;
    memset(&t, 0, sizeof t);
    times(&t);
    return t;
}

/* Spins until the process's CPU clock has moved by `ms`, or 20 s of wall time pass. The
 * clock is read every few hundred microseconds of spinning, so that the reads (system
 * calls in a guest without a vDSO) stay a small part of the time. */
static void burn_ms(long ms)
{
    long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long wall = clock_ns(CLOCK_MONOTONIC);
    volatile unsigned long sink = 0;
    while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < ms * MS) {
        for (int i = 0; i < 200000; i++)
            sink += i;
        if (clock_ns(CLOCK_MONOTONIC) - wall > 20000 * MS)
            break;
    }
}

/* Forks a child that burns `ms` of CPU time and exits 0. */
static pid_t busy_child(long ms)
{
    pid_t pid = fork();
    if (pid == 0) {
        burn_ms(ms);
        _exit(0);
    }
    CHECK(pid > 0, "fork: %s", errname(errno));
    return pid;
}

/* Waits until child `pid` has ended, leaving it a zombie. */
static void wait_zombie(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0, "waitid: %s", errname(errno));
}

/* ---- the caller's own time ---- */

static void g_self(void)
{
    struct rusage ru0 = usage(RUSAGE_SELF), th0 = usage(RUSAGE_THREAD);
    struct tms t0 = tms_now();
    long long p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), th_clk0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    long long wall0 = clock_ns(CLOCK_MONOTONIC);

    burn_ms(200);

    long long wall = clock_ns(CLOCK_MONOTONIC) - wall0;
    long long proc_clock = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0;
    long long thread_clock = clock_ns(CLOCK_THREAD_CPUTIME_ID) - th_clk0;
    struct rusage ru1 = usage(RUSAGE_SELF), th1 = usage(RUSAGE_THREAD);
    struct tms t1 = tms_now();

    long long self_ns = ru_ns(&ru1) - ru_ns(&ru0);
    long long user_ns = tv_ns(ru1.ru_utime) - tv_ns(ru0.ru_utime);
    long long thread_ns = ru_ns(&th1) - ru_ns(&th0);
    long ticks = (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime);

    CHECK_MS(proc_clock, 200, 400);
    CHECK_MS(thread_clock, 150, 400);
    CHECK_MS(self_ns, 150, 400);
    CHECK_MS(thread_ns, 150, 400);
    /* Spinning is guest code: most of it is user time. */
    CHECK_MS(user_ns, 100, 400);
    CHECK(ticks >= 15 && ticks <= 40, "times() moved by %ld ticks, want 15 to 40", ticks);
    /* One thread cannot use more CPU time than there was wall time. */
    CHECK(proc_clock <= wall + 2 * MS, "%lld ms of CPU time in %lld ms", proc_clock / MS,
          wall / MS);

    /* The clocks never go back. */
    long long last_p = 0, last_t = 0;
    int back = 0;
    for (int i = 0; i < 2000; i++) {
        long long p = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        back += p < last_p || t < last_t;
        last_p = p;
        last_t = t;
    }
    CHECK(back == 0, "the CPU clocks went back %d times", back);
}

/* System calls are system time: a getppid loop shows plenty of it. */
static void g_syscall_time(void)
{
    struct rusage ru0 = usage(RUSAGE_SELF);
    long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < 200 * MS)
        for (int i = 0; i < 100; i++)
            syscall(SYS_getppid);
    struct rusage ru1 = usage(RUSAGE_SELF);

    long long sys_ns = tv_ns(ru1.ru_stime) - tv_ns(ru0.ru_stime);
    long long all_ns = ru_ns(&ru1) - ru_ns(&ru0);
    CHECK_MS(all_ns, 150, 400);
    CHECK(sys_ns * 5 >= all_ns, "%lld ms of system time in %lld ms", sys_ns / MS, all_ns / MS);
}

/* ---- children ---- */

static void g_children(void)
{
    struct rusage c0 = usage(RUSAGE_CHILDREN);
    struct tms t0 = tms_now();

    /* An ended child that has not been reaped is nobody's child time yet. */
    pid_t pid = busy_child(200);
    wait_zombie(pid);
    struct rusage c1 = usage(RUSAGE_CHILDREN);
    struct tms t1 = tms_now();
    CHECK(ru_ns(&c1) == ru_ns(&c0), "RUSAGE_CHILDREN moved by %lld ns before the wait",
          ru_ns(&c1) - ru_ns(&c0));
    CHECK(t1.tms_cutime == t0.tms_cutime && t1.tms_cstime == t0.tms_cstime,
          "cutime/cstime moved before the wait");

    /* wait4 reports the child's usage, and the parent's children totals take it in. */
    struct rusage ru;
    int st = 0;
    memset(&ru, 0, sizeof ru);
    CHECK(wait4(pid, &st, 0, &ru) == pid, "wait4: %s", errname(errno));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    long long child_ns = ru_ns(&ru);
    CHECK_MS(child_ns, 150, 400);
    struct rusage c2 = usage(RUSAGE_CHILDREN);
    struct tms t2 = tms_now();
    long long children_ns = ru_ns(&c2) - ru_ns(&c0);
    CHECK_MS(children_ns, 150, 400);
    CHECK_SAME_US(ru_ns(&c2) - ru_ns(&c1), child_ns);
    long ticks = (t2.tms_cutime + t2.tms_cstime) - (t0.tms_cutime + t0.tms_cstime);
    CHECK(ticks >= 15 && ticks <= 40, "cutime+cstime moved by %ld ticks, want 15 to 40", ticks);

    /* A child's own reaped children count as its time, for wait4 and for the totals. */
    pid = fork();
    if (pid == 0) {
        pid_t grandchild = busy_child(200);
        waitpid(grandchild, NULL, 0);
        _exit(0);
    }
    memset(&ru, 0, sizeof ru);
    CHECK(wait4(pid, &st, 0, &ru) == pid, "wait4: %s", errname(errno));
    long long with_grandchild = ru_ns(&ru);
    CHECK_MS(with_grandchild, 150, 400);
    struct rusage c3 = usage(RUSAGE_CHILDREN);
    long long grown = ru_ns(&c3) - ru_ns(&c2);
    CHECK_MS(grown, 150, 400);
}

/* waitid's fifth argument (which glibc does not pass) gets the rusage too, WNOWAIT or not;
 * only the reaping wait moves the totals. */
static void g_waitid_rusage(void)
{
    struct rusage c0 = usage(RUSAGE_CHILDREN), ru;
    siginfo_t si;
    pid_t pid = busy_child(200);

    memset(&ru, 0, sizeof ru);
    memset(&si, 0, sizeof si);
    CHECK(syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOWAIT, &ru) == 0, "waitid: %s",
          errname(errno));
    long long peek_ns = ru_ns(&ru);
    CHECK_MS(peek_ns, 150, 400);
    struct rusage c1 = usage(RUSAGE_CHILDREN);
    CHECK(ru_ns(&c1) == ru_ns(&c0), "WNOWAIT moved RUSAGE_CHILDREN");

    memset(&ru, 0, sizeof ru);
    CHECK(syscall(SYS_waitid, P_PID, pid, &si, WEXITED, &ru) == 0, "waitid: %s",
          errname(errno));
    CHECK(ru_ns(&ru) == peek_ns, "the reaping waitid said %lld ns, WNOWAIT %lld", ru_ns(&ru),
          peek_ns);
    struct rusage c2 = usage(RUSAGE_CHILDREN);
    CHECK_SAME_US(ru_ns(&c2) - ru_ns(&c0), peek_ns);
}

/* Children that are reaped without a wait (SIGCHLD ignored, SA_NOCLDWAIT) do not count:
 * Linux stopped adding them in 2.6.9 (getrusage(2) BUGS, times(2) NOTES). */
static void g_autoreap(void)
{
    struct rusage c0 = usage(RUSAGE_CHILDREN);
    struct tms t0 = tms_now();

    signal(SIGCHLD, SIG_IGN);
    busy_child(200);
    CHECK_ERR(wait(NULL), ECHILD);
    signal(SIGCHLD, SIG_DFL);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    busy_child(100);
    CHECK_ERR(wait(NULL), ECHILD);
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);

    struct rusage c1 = usage(RUSAGE_CHILDREN);
    struct tms t1 = tms_now();
    CHECK(ru_ns(&c1) == ru_ns(&c0), "RUSAGE_CHILDREN moved by %lld ns", ru_ns(&c1) - ru_ns(&c0));
    CHECK(t1.tms_cutime == t0.tms_cutime && t1.tms_cstime == t0.tms_cstime,
          "cutime/cstime moved");
}

/* ---- CPU-time clocks of other processes, and the errors ---- */

static void g_clocks(void)
{
    struct timespec res;
    CHECK(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res) == 0 && res.tv_sec == 0 &&
              res.tv_nsec == 1,
          "process clock resolution %ld.%09ld", (long)res.tv_sec, res.tv_nsec);
    CHECK(clock_getres(CLOCK_THREAD_CPUTIME_ID, &res) == 0 && res.tv_sec == 0 &&
              res.tv_nsec == 1,
          "thread clock resolution %ld.%09ld", (long)res.tv_sec, res.tv_nsec);

    /* The clocks clock_getcpuclockid and pthread_getcpuclockid name for the caller read
     * what CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID read. */
    clockid_t mine, my_thread;
    CHECK(clock_getcpuclockid(getpid(), &mine) == 0, "clock_getcpuclockid(self)");
    CHECK(pthread_getcpuclockid(pthread_self(), &my_thread) == 0, "pthread_getcpuclockid");
    burn_ms(20);
    long long a = clock_ns(CLOCK_PROCESS_CPUTIME_ID), b = clock_ns(mine);
    long long c = clock_ns(my_thread), d = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    CHECK(a > 0 && b >= a && b - a < 50 * MS, "process clocks %lld and %lld", a, b);
    CHECK(c > 0 && d >= c && d - c < 50 * MS, "thread clocks %lld and %lld", c, d);

    /* Another process's clock: a child that has burnt 100 ms and waits. */
    int pipefd[2];
    CHECK(pipe(pipefd) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        burn_ms(100);
        write(pipefd[1], "x", 1);
        pause();
        _exit(0);
    }
    char byte;
    CHECK(read(pipefd[0], &byte, 1) == 1, "the child did not report");
    clockid_t theirs;
    CHECK(clock_getcpuclockid(pid, &theirs) == 0, "clock_getcpuclockid(child)");
    long long child_ns = clock_ns(theirs);
    CHECK_MS(child_ns, 100, 400);
    /* A thread clock names a thread of the caller's own process only. */
    clockid_t their_thread = (~pid << 3) | 4 | 2;
    struct timespec ts;
    CHECK_ERR(clock_gettime(their_thread, &ts), EINVAL);
    /* A zombie's clock still reads; a reaped process has none. */
    kill(pid, SIGKILL);
    wait_zombie(pid);
    CHECK(clock_ns(theirs) >= child_ns, "the zombie's clock went back or failed");
    waitpid(pid, NULL, 0);
    CHECK_ERR(clock_gettime(theirs, &ts), EINVAL);
    CHECK_ERR(clock_getres(theirs, &res), EINVAL);
    int e = clock_getcpuclockid(pid, &theirs);
    CHECK(e == ESRCH, "clock_getcpuclockid(reaped) = %s", errname(e));
    close(pipefd[0]);
    close(pipefd[1]);

    /* The user-time and profiling flavours of the caller's clock (CPUCLOCK_VIRT, _PROF):
     * user time alone, and user and system time (Linux samples both at its ticks, so they
     * stray from the scheduler's clock by a few ticks). */
    const clockid_t virt = (~0 << 3) | 1, prof = (~0 << 3) | 0;
    long long v = clock_ns(virt), p = clock_ns(prof), all = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    CHECK(v >= 0 && v <= p, "virt %lld prof %lld", v, p);
    CHECK(p <= 2 * all + 50 * MS, "prof %lld of %lld", p, all);
    /* A descriptor's dynamic clock, on a descriptor that is no clock. */
    CHECK_ERR(clock_gettime((~0 << 3) | 3, &ts), EINVAL);

    /* A thread CPU clock cannot be slept on. */
    struct timespec nap = {0, 1000};
    errno = 0;
    long r = syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &nap, NULL);
    CHECK(r == -1 && errno == EOPNOTSUPP, "clock_nanosleep(THREAD_CPUTIME) = %ld %s", r,
          errname(errno));
    CHECK_ERR(syscall(SYS_clock_nanosleep, my_thread, 0, &nap, NULL), EINVAL);
}

static void g_errors(void)
{
    struct rusage ru;
    void *bad = (void *)16;
    CHECK_ERR(getrusage(2, &ru), EINVAL);
    CHECK_ERR(getrusage(-2, &ru), EINVAL); /* RUSAGE_BOTH is the kernel's own */
    CHECK_ERR(getrusage(-3, &ru), EINVAL);
    CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, bad), EFAULT);
    CHECK_ERR(syscall(SYS_getrusage, RUSAGE_CHILDREN, bad), EFAULT);
    CHECK_ERR(syscall(SYS_getrusage, 7, bad), EINVAL); /* the who is checked first */
    /* glibc's times() touches the buffer itself after an EFAULT: the raw call. */
    CHECK_ERR(syscall(SYS_times, bad), EFAULT);
    CHECK(syscall(SYS_times, NULL) != -1, "times(NULL): %s", errname(errno));

    /* A rusage pointer wait4 cannot write is EFAULT, after the child has been reaped. */
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    wait_zombie(pid);
    int st = 0;
    CHECK_ERR(syscall(SYS_wait4, pid, &st, 0, bad), EFAULT);
    CHECK_ERR(waitpid(pid, NULL, WNOHANG), ECHILD);
}

/* ---- the resident high-water mark ---- */

/* Touches `mb` MiB of fresh anonymous memory, leaving it mapped. */
static char *touch_mib(long mb)
{
    char *p = mmap(NULL, mb * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    for (long off = 0; off < mb * MIB; off += 4096)
        p[off] = 1;
    return p;
}

static void g_maxrss(void)
{
    long before = usage(RUSAGE_SELF).ru_maxrss;
    char *p = touch_mib(32);
    CHECK(p != NULL, "mmap: %s", errname(errno));
    long after = usage(RUSAGE_SELF).ru_maxrss;
    CHECK(after - before >= 28 * 1024 && after - before <= 48 * 1024,
          "32 MiB touched, ru_maxrss grew by %ld KiB", after - before);
    /* A high-water mark: unmapping does not lower it. */
    munmap(p, 32 * MIB);
    long unmapped = usage(RUSAGE_SELF).ru_maxrss;
    CHECK(unmapped >= after, "ru_maxrss fell from %ld to %ld KiB after munmap", after, unmapped);

    /* A reaped child's peak becomes the children's maxrss, and wait4 reports it. */
    long children = usage(RUSAGE_CHILDREN).ru_maxrss;
    pid_t pid = fork();
    if (pid == 0)
        _exit(touch_mib(64 + 16) ? 0 : 1);
    struct rusage ru;
    int st = 0;
    memset(&ru, 0, sizeof ru);
    CHECK(wait4(pid, &st, 0, &ru) == pid && st == 0, "wait4 status %#x", st);
    CHECK(ru.ru_maxrss >= 76 * 1024, "wait4 ru_maxrss %ld KiB", ru.ru_maxrss);
    long grown = usage(RUSAGE_CHILDREN).ru_maxrss;
    CHECK(grown >= 76 * 1024 && grown >= children, "RUSAGE_CHILDREN ru_maxrss %ld KiB", grown);

    /* execve keeps the peak of the image it replaces, as Linux folds it into the
     * process's own. */
    pid = fork();
    if (pid == 0) {
        touch_mib(64);
        char *argv[] = {self, "--maxrss", "60000", NULL};
        execv(self, argv);
        _exit(127);
    }
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "status %#x", st);
    CHECK(WEXITSTATUS(st) == 0, "after execve ru_maxrss was below 60000 KiB (exit %d)",
          WEXITSTATUS(st));
}

/* ---- /proc ---- */

/* Fields 14 to 17 of /proc/PID/stat: utime, stime, cutime, cstime, in ticks. */
static int proc_times(pid_t pid, long out[4])
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* After ") ": state is field 3, so utime (14) is the twelfth word after it. */
    p += 2;
    for (int field = 3; field < 14; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    return sscanf(p, "%ld %ld %ld %ld", &out[0], &out[1], &out[2], &out[3]) == 4 ? 0 : -1;
}

/* The "cpu " line of /proc/stat: its first ten counts, and how many cpuN lines follow. */
static int proc_stat(long long cpu[10], int *ncpu_lines)
{
    static char buf[65536];
    int fd = open("/proc/stat", O_RDONLY);
    if (fd < 0)
        return -1;
    long n = 0, r;
    while (n < (long)sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    memset(cpu, 0, 10 * sizeof cpu[0]);
    if (sscanf(buf, "cpu %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &cpu[0], &cpu[1],
               &cpu[2], &cpu[3], &cpu[4], &cpu[5], &cpu[6], &cpu[7], &cpu[8], &cpu[9]) < 4)
        return -1;
    *ncpu_lines = 0;
    for (char *line = strchr(buf, '\n'); line; line = strchr(line + 1, '\n'))
        if (strncmp(line + 1, "cpu", 3) == 0 && line[4] >= '0' && line[4] <= '9')
            ++*ncpu_lines;
    return 0;
}

static void g_proc(void)
{
    if (access("/proc/self/stat", F_OK) != 0)
        mount("proc", "/proc", "proc", 0, NULL);

    long t0[4], t1[4], t2[4];
    long long s0[10], s1[10];
    int lines = 0;
    CHECK(proc_times(getpid(), t0) == 0, "/proc/PID/stat: %s", errname(errno));
    CHECK(proc_stat(s0, &lines) == 0, "/proc/stat: %s", errname(errno));
    long long wall0 = clock_ns(CLOCK_MONOTONIC);

    burn_ms(200);

    CHECK(proc_times(getpid(), t1) == 0, "/proc/PID/stat");
    CHECK(proc_stat(s1, &lines) == 0, "/proc/stat");
    long long wall = clock_ns(CLOCK_MONOTONIC) - wall0;
    long own = (t1[0] + t1[1]) - (t0[0] + t0[1]);
    CHECK(own >= 15 && own <= 40, "utime+stime moved by %ld ticks, want 15 to 40", own);

    /* The machine was busy for the burn: user plus system time grew by at least that much,
     * and all of a CPU line's counts together grew about as fast as the wall clock on
     * every CPU. */
    long long busy = (s1[0] + s1[1] + s1[2]) - (s0[0] + s0[1] + s0[2]);
    CHECK(busy >= 15, "/proc/stat user+nice+system grew by %lld ticks", busy);
    long long all = 0;
    for (int i = 0; i < 10; i++)
        all += s1[i] - s0[i];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    long long expect = wall / (10 * MS) * ncpu;
    CHECK(all * 2 >= expect && all <= expect * 3 / 2 + 2 * ncpu,
          "/proc/stat counts grew by %lld ticks in %lld ticks of wall time on %ld CPUs", all,
          wall / (10 * MS), ncpu);
    CHECK(lines == ncpu, "%d cpuN lines for %ld online CPUs", lines, ncpu);

    /* A busy child, once reaped, is in cutime and cstime. */
    pid_t pid = busy_child(200);
    waitpid(pid, NULL, 0);
    CHECK(proc_times(getpid(), t2) == 0, "/proc/PID/stat");
    long children = (t2[2] + t2[3]) - (t1[2] + t1[3]);
    CHECK(children >= 15 && children <= 40, "cutime+cstime moved by %ld ticks", children);

    /* Another process's line: a child that has burnt 100 ms shows about 10 ticks (as ps's
     * TIME column reads them; user and system time are truncated to ticks apart). */
    int pipefd[2];
    CHECK(pipe(pipefd) == 0, "pipe");
    pid = fork();
    if (pid == 0) {
        burn_ms(100);
        write(pipefd[1], "x", 1);
        pause();
        _exit(0);
    }
    char byte;
    CHECK(read(pipefd[0], &byte, 1) == 1, "the child did not report");
    long theirs[4];
    CHECK(proc_times(pid, theirs) == 0, "/proc/%d/stat", pid);
    CHECK(theirs[0] + theirs[1] >= 8 && theirs[0] + theirs[1] <= 40,
          "the child's utime+stime is %ld ticks", theirs[0] + theirs[1]);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
}

static int helper(int argc, char **argv)
{
    if (strcmp(argv[1], "--burn") == 0 && argc == 3) {
        burn_ms(atol(argv[2]));
        return 0;
    }
    if (strcmp(argv[1], "--maxrss") == 0 && argc == 3) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_maxrss >= atol(argv[2]) ? 0 : 1;
    }
    return 2;
}

static const struct check_group groups[] = {
    {"self", g_self},
    {"syscall_time", g_syscall_time},
    {"children", g_children},
    {"waitid_rusage", g_waitid_rusage},
    {"autoreap", g_autoreap},
    {"clocks", g_clocks},
    {"errors", g_errors},
    {"maxrss", g_maxrss},
    {"proc", g_proc},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc >= 2 && argv[1][0] == '-' && argv[1][1] == '-')
        return helper(argc, argv);
    if (argc < 2) {
        fprintf(stderr, "usage: cputime FIXTURE [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* This program, for exec: /proc/self/exe when there is a /proc, else argv[0] (the
     * guest's init is started as /bin/cputime). */
    long n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0)
        self[n] = 0;
    else
        snprintf(self, sizeof self, "%s", argv[0]);

    return run_groups(groups, NGROUPS, argc, argv, 2, NULL);
}
