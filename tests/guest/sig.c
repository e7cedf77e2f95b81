/*
 * sig: signals (dispositions, masks, delivery, siginfo, waiting, the signal frame), with
 * Linux's results and errnos.
 *
 *   sig SCRATCH [--guest] [GROUP...]
 *
 * SCRATCH is an absolute path to a writable directory (unused by most groups). Groups print
 * "ok GROUP" or "FAIL GROUP: ..." lines; nothing printed depends on the machine, so a native
 * run and a guest run print the same lines. With no GROUP every group runs. The last line is
 * "ok" or "FAIL". The program may be the guest's init (pid 1): nothing here signals init or
 * every process on the machine.
 */

#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>


#include "check.h"

/* glibc hides the restorer flag it sets in every action it installs. */
#define SA_RESTORER 0x04000000

/* The kernel's struct sigaction, for rt_sigaction without glibc in between. */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void on(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void on_info(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

static void unblock_all(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
}

static void block(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
}

static volatile sig_atomic_t hits;
static volatile int last_sig;
static siginfo_t last_info;

static void count(int sig)
{
    hits++;
    last_sig = sig;
}

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_sig = sig;
    last_info = *si;
}

static void restorer_stub(void)
{
}

/* ---- dispositions ---- */

static void g_sigaction(void)
{
    struct ksigaction act = {(void *)count, SA_RESTORER | SA_RESTART | SA_SIGINFO,
                             (void *)restorer_stub, (1UL << (SIGUSR2 - 1)) | (1UL << 40)};
    struct ksigaction old;
    memset(&old, 0x55, sizeof old);
    CHECK_RET(syscall(SYS_rt_sigaction, SIGUSR1, &act, &old, 8), 0);
    CHECK(old.handler == SIG_DFL && old.mask == 0 && old.flags == 0,
          "the first old action: handler %p flags %#lx mask %#lx", old.handler, old.flags,
          (unsigned long)old.mask);
    /* What was set comes back exactly, as the old action of the next call. */
    struct ksigaction act2 = {SIG_IGN, SA_RESTORER, (void *)restorer_stub, 0};
    CHECK_RET(syscall(SYS_rt_sigaction, SIGUSR1, &act2, &old, 8), 0);
    CHECK(old.handler == (void *)count && old.flags == act.flags &&
              old.restorer == (void *)restorer_stub && old.mask == act.mask,
          "old action: handler ok %d flags %#lx restorer ok %d mask %#lx",
          old.handler == (void *)count, old.flags, old.restorer == (void *)restorer_stub,
          (unsigned long)old.mask);
    CHECK_RET(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8), 0);
    CHECK(old.handler == SIG_IGN, "read back handler %p", old.handler);
    /* SIGKILL and SIGSTOP cannot be blocked in sa_mask either: they are dropped. */
    struct ksigaction act3 = {(void *)count, SA_RESTORER, (void *)restorer_stub, ~0UL};
    CHECK_RET(syscall(SYS_rt_sigaction, SIGUSR1, &act3, NULL, 8), 0);
    CHECK_RET(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8), 0);
    CHECK(old.mask == (~0UL & ~(1UL << (SIGKILL - 1)) & ~(1UL << (SIGSTOP - 1))),
          "mask read back %#lx", (unsigned long)old.mask);

    /* Bad arguments. */
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 0, &act, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 65, &act, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, &old, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8), EFAULT);
    CHECK_RET(syscall(SYS_rt_sigaction, 64, NULL, &old, 8), 0);
    on(SIGUSR1, SIG_DFL, 0);
}

/* SIGKILL and SIGSTOP can be neither caught, ignored nor blocked. */
static void g_uncatchable(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    sa.sa_handler = SIG_IGN;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    sa.sa_handler = SIG_DFL;
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    /* Reading them is fine. */
    CHECK_RET(sigaction(SIGKILL, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_DFL, "SIGKILL handler %p", (void *)old.sa_handler);

    sigset_t s, now;
    sigfillset(&s);
    CHECK_RET(sigprocmask(SIG_SETMASK, &s, NULL), 0);
    CHECK_RET(sigprocmask(SIG_SETMASK, NULL, &now), 0);
    CHECK(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP),
          "SIGKILL or SIGSTOP got blocked");
    CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGRTMIN + 5), "fill did not block");
    unblock_all();

    /* A child that blocks and ignores everything still dies of SIGKILL. */
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 1; i < 32; i++)
            signal(i, SIG_IGN);
        sigprocmask(SIG_SETMASK, &s, NULL);
        for (;;)
            pause();
    }
    int st;
    CHECK_RET(kill(pid, SIGSTOP), 0);
    CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
    CHECK_RET(kill(pid, SIGKILL), 0);
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
}

/* Signals whose default action is to be ignored do nothing; an ignored SIGCHLD reaps
 * children by itself; setting SIG_IGN discards a pending signal. */
static void g_default_ignore(void)
{
    CHECK_RET(raise(SIGCHLD), 0);
    CHECK_RET(raise(SIGWINCH), 0);
    CHECK_RET(raise(SIGURG), 0);
    CHECK_RET(raise(SIGCONT), 0);

    /* Pending and blocked, then ignored: gone. */
    block(SIGUSR1);
    CHECK_RET(raise(SIGUSR1), 0);
    sigset_t p;
    CHECK_RET(sigpending(&p), 0);
    CHECK(sigismember(&p, SIGUSR1), "SIGUSR1 is not pending");
    on(SIGUSR1, SIG_IGN, 0);
    CHECK_RET(sigpending(&p), 0);
    CHECK(!sigismember(&p, SIGUSR1), "ignoring SIGUSR1 did not discard it");
    /* Sent while ignored but blocked: queued all the same (the handler may change before
     * it is unblocked); setting SIG_IGN again discards it. */
    CHECK_RET(raise(SIGUSR1), 0);
    CHECK_RET(sigpending(&p), 0);
    CHECK(sigismember(&p, SIGUSR1), "a blocked, ignored SIGUSR1 was not queued");
    on(SIGUSR1, SIG_IGN, 0);
    CHECK_RET(sigpending(&p), 0);
    CHECK(!sigismember(&p, SIGUSR1), "ignoring SIGUSR1 again did not discard it");
    unblock_all();
    /* Unblocked and ignored: dropped at once. */
    CHECK_RET(raise(SIGUSR1), 0);
    block(SIGUSR1);
    CHECK_RET(sigpending(&p), 0);
    CHECK(!sigismember(&p, SIGUSR1), "an ignored SIGUSR1 was kept");
    unblock_all();
    on(SIGUSR1, SIG_DFL, 0);

    /* SIGCHLD ignored: exited children do not become zombies, and wait finds none. */
    on(SIGCHLD, SIG_IGN, 0);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int st;
    CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
    on(SIGCHLD, SIG_DFL, 0);
    /* The default SIGCHLD action leaves the zombie for wait. */
    pid = fork();
    if (pid == 0)
        _exit(0);
    CHECK_RET(wait4(-1, &st, 0, NULL), pid);
}

/* ---- masks ---- */

static void g_mask(void)
{
    hits = 0;
    on(SIGUSR1, count, 0);
    sigset_t s, old, p;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    CHECK_RET(sigprocmask(SIG_BLOCK, &s, &old), 0);
    CHECK(!sigismember(&old, SIGUSR1), "SIGUSR1 was blocked before");
    CHECK_RET(kill(getpid(), SIGUSR1), 0);
    CHECK_RET(kill(getpid(), SIGUSR1), 0);
    CHECK(hits == 0, "a blocked signal ran its handler");
    CHECK_RET(sigpending(&p), 0);
    CHECK(sigismember(&p, SIGUSR1) && !sigismember(&p, SIGUSR2), "pending set wrong");
    /* Unblocking delivers it, once: standard signals do not queue. */
    CHECK_RET(sigprocmask(SIG_UNBLOCK, &s, NULL), 0);
    CHECK(hits == 1, "handler ran %d times, want 1", (int)hits);
    CHECK_RET(sigpending(&p), 0);
    CHECK(!sigismember(&p, SIGUSR1), "still pending after delivery");

    /* Real-time signals queue, and come lowest number first. */
    hits = 0;
    int rt = SIGRTMIN + 2;
    on(rt, count, 0);
    on(rt + 1, count, 0);
    sigemptyset(&s);
    sigaddset(&s, rt);
    sigaddset(&s, rt + 1);
    CHECK_RET(sigprocmask(SIG_BLOCK, &s, NULL), 0);
    for (int i = 0; i < 3; i++)
        CHECK_RET(kill(getpid(), rt + 1), 0);
    CHECK_RET(kill(getpid(), rt), 0);
    CHECK_RET(sigprocmask(SIG_UNBLOCK, &s, NULL), 0);
    CHECK(hits == 4, "real-time handler ran %d times, want 4", (int)hits);

    /* SIG_SETMASK returns the old mask; bad how and size. */
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    CHECK_RET(sigprocmask(SIG_SETMASK, &s, NULL), 0);
    CHECK_RET(sigprocmask(SIG_SETMASK, NULL, &old), 0);
    CHECK(sigismember(&old, SIGUSR2) && !sigismember(&old, SIGUSR1), "mask read back wrong");
    CHECK_ERR(syscall(SYS_rt_sigprocmask, 3, &s, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 4), EINVAL);
    /* A bad how without a new set is not looked at. */
    CHECK_RET(syscall(SYS_rt_sigprocmask, 3, NULL, &old, 8), 0);
    CHECK_ERR(syscall(SYS_rt_sigpending, &p, 16), EINVAL);
    unblock_all();
    on(SIGUSR1, SIG_DFL, 0);
    on(rt, SIG_DFL, 0);
    on(rt + 1, SIG_DFL, 0);
}

/* ---- delivery ---- */

static void g_siginfo(void)
{
    on_info(SIGUSR1, record, 0);
    on_info(SIGUSR2, record, 0);
    memset(&last_info, 0, sizeof last_info);
    CHECK_RET(kill(getpid(), SIGUSR1), 0);
    CHECK(last_info.si_signo == SIGUSR1 && last_info.si_code == SI_USER &&
              last_info.si_pid == getpid() && last_info.si_uid == getuid(),
          "kill: signo %d code %d pid ok %d uid %d", last_info.si_signo, last_info.si_code,
          last_info.si_pid == getpid(), last_info.si_uid);

    memset(&last_info, 0, sizeof last_info);
    CHECK_RET(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2), 0);
    CHECK(last_info.si_signo == SIGUSR2 && last_info.si_code == SI_TKILL &&
              last_info.si_pid == getpid() && last_info.si_uid == getuid(),
          "tgkill: signo %d code %d", last_info.si_signo, last_info.si_code);
    memset(&last_info, 0, sizeof last_info);
    CHECK_RET(raise(SIGUSR1), 0);
    CHECK(last_info.si_code == SI_TKILL, "raise: code %d", last_info.si_code);

    /* From a child: its pid. */
    memset(&last_info, 0, sizeof last_info);
    block(SIGUSR1);
    pid_t pid = fork();
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    unblock_all();
    CHECK(last_info.si_pid == pid && last_info.si_code == SI_USER, "child's kill: pid ok %d",
          last_info.si_pid == pid);

    /* tgkill with a thread that is not in the group, bad numbers. */
    CHECK_ERR(syscall(SYS_tgkill, getpid(), pid, SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), gettid(), 65), EINVAL);
    CHECK_ERR(kill(getpid(), 65), EINVAL);
    CHECK_ERR(kill(pid, 0), ESRCH);
    /* The target is looked for before the signal is checked. */
    CHECK_ERR(kill(999999, 65), ESRCH);
    CHECK_ERR(syscall(SYS_tkill, 999999, 65), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, 999999, 999999, 65), ESRCH);
    CHECK_RET(kill(getpid(), 0), 0);
    on(SIGUSR1, SIG_DFL, 0);
    on(SIGUSR2, SIG_DFL, 0);
}

static long sigqueueinfo(pid_t pid, int sig, siginfo_t *si)
{
    return syscall(SYS_rt_sigqueueinfo, pid, sig, si);
}

static long tgsigqueueinfo(pid_t tgid, pid_t tid, int sig, siginfo_t *si)
{
    return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, si);
}

/* A siginfo as a sender of rt_sigqueueinfo writes it. */
static siginfo_t queued(int code, int value)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = code;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = value;
    return si;
}

/* rt_sigqueueinfo carries a value, with SI_QUEUE. */
static void g_sigqueue(void)
{
    on_info(SIGUSR1, record, 0);
    memset(&last_info, 0, sizeof last_info);
    union sigval v = {.sival_int = 42};
    CHECK_RET(sigqueue(getpid(), SIGUSR1, v), 0);
    CHECK(last_info.si_signo == SIGUSR1 && last_info.si_code == SI_QUEUE &&
              last_info.si_value.sival_int == 42 && last_info.si_pid == getpid(),
          "sigqueue: signo %d code %d value %d", last_info.si_signo, last_info.si_code,
          last_info.si_value.sival_int);

    /* The siginfo arrives as written but for si_signo: Linux fills in nothing for a
     * negative code, not even the pid; a pointer value survives whole. */
    siginfo_t si = queued(SI_QUEUE, 0);
    si.si_signo = SIGUSR2;
    si.si_errno = 9;
    si.si_pid = 4242;
    si.si_uid = 77;
    si.si_value.sival_ptr = (void *)0x1234567890abcdefUL;
    memset(&last_info, 0, sizeof last_info);
    CHECK_RET(sigqueueinfo(getpid(), SIGUSR1, &si), 0);
    CHECK(last_info.si_signo == SIGUSR1 && last_info.si_errno == 9 &&
              last_info.si_pid == 4242 && last_info.si_uid == 77 &&
              last_info.si_value.sival_ptr == (void *)0x1234567890abcdefUL,
          "as written: signo %d errno %d pid %d uid %d", last_info.si_signo,
          last_info.si_errno, last_info.si_pid, last_info.si_uid);

    /* To itself a process may send any code, even the kernel's. */
    si = queued(SI_KERNEL, 0);
    memset(&last_info, 0, sizeof last_info);
    CHECK_RET(sigqueueinfo(getpid(), SIGUSR1, &si), 0);
    CHECK(last_info.si_code == SI_KERNEL, "SI_KERNEL to itself: code %d", last_info.si_code);

    /* Real-time signals queue, each with its value, and sigtimedwait takes them in order
     * with their siginfo. */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    for (int i = 1; i <= 3; i++) {
        v.sival_int = i;
        CHECK_RET(sigqueue(getpid(), SIGRTMIN, v), 0);
    }
    struct timespec zero = {0, 0};
    for (int i = 1; i <= 3; i++) {
        siginfo_t got;
        memset(&got, 0, sizeof got);
        CHECK_RET(syscall(SYS_rt_sigtimedwait, &rt, &got, &zero, 8), SIGRTMIN);
        CHECK(got.si_code == SI_QUEUE && got.si_value.sival_int == i && got.si_pid == getpid(),
              "queued %d: code %d value %d", i, got.si_code, got.si_value.sival_int);
    }
    unblock_all();

    /* Errors: a bad pointer, no such process (no process groups either), a bad signal;
     * signal 0 only checks. An unknown code with bytes Linux cannot pass on is E2BIG. */
    si = queued(SI_QUEUE, 1);
    CHECK_ERR(sigqueueinfo(getpid(), SIGUSR1, (siginfo_t *)8), EFAULT);
    CHECK_ERR(sigqueueinfo(999999, SIGUSR1, &si), ESRCH);
    CHECK_ERR(sigqueueinfo(0, SIGUSR1, &si), ESRCH);
    CHECK_ERR(sigqueueinfo(-1, SIGUSR1, &si), ESRCH);
    CHECK_ERR(sigqueueinfo(999999, 65, &si), ESRCH);
    CHECK_ERR(sigqueueinfo(getpid(), 65, &si), EINVAL);
    CHECK_ERR(sigqueueinfo(getpid(), -1, &si), EINVAL);
    CHECK_RET(sigqueueinfo(getpid(), 0, &si), 0);
    si = queued(-50, 0);
    ((char *)&si)[100] = 1;
    CHECK_ERR(sigqueueinfo(getpid(), SIGUSR1, &si), E2BIG);
    si = queued(SI_QUEUE, 0);
    ((char *)&si)[100] = 1;
    CHECK_RET(sigqueueinfo(getpid(), SIGUSR1, &si), 0);

    /* Pretending to be the kernel (a positive si_code), kill (SI_USER) or tkill
     * (SI_TKILL) is refused for another process, before it is looked for. */
    si = queued(SI_KERNEL, 0);
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    CHECK_ERR(sigqueueinfo(pid, SIGUSR1, &si), EPERM);
    CHECK_ERR(sigqueueinfo(999999, SIGUSR1, &si), EPERM);
    si = queued(SI_USER, 0);
    CHECK_ERR(sigqueueinfo(pid, SIGUSR1, &si), EPERM);
    si = queued(SI_TKILL, 0);
    CHECK_ERR(sigqueueinfo(pid, SIGUSR1, &si), EPERM);
    CHECK_ERR(tgsigqueueinfo(pid, pid, SIGUSR1, &si), EPERM);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);

    /* rt_tgsigqueueinfo: to a thread of a thread group. */
    si = queued(SI_QUEUE, 7);
    memset(&last_info, 0, sizeof last_info);
    CHECK_RET(tgsigqueueinfo(getpid(), gettid(), SIGUSR1, &si), 0);
    CHECK(last_info.si_code == SI_QUEUE && last_info.si_value.sival_int == 7,
          "tgsigqueueinfo: code %d value %d", last_info.si_code, last_info.si_value.sival_int);
    si = queued(SI_TKILL, 0);
    CHECK_RET(tgsigqueueinfo(getpid(), gettid(), SIGUSR1, &si), 0);
    CHECK_ERR(tgsigqueueinfo(0, gettid(), SIGUSR1, &si), EINVAL);
    CHECK_ERR(tgsigqueueinfo(getpid(), -1, SIGUSR1, &si), EINVAL);
    CHECK_ERR(tgsigqueueinfo(getpid(), gettid(), 65, &si), EINVAL);
    si = queued(SI_QUEUE, 0);
    CHECK_ERR(tgsigqueueinfo(999999, gettid(), SIGUSR1, &si), ESRCH);
    CHECK_ERR(tgsigqueueinfo(getpid(), 999999, SIGUSR1, &si), ESRCH);

    /* To another process of the same user, and from one: the value goes along. */
    block(SIGUSR1);
    pid_t parent = getpid();
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        union sigval cv = {.sival_int = 99};
        _exit(sigqueue(parent, SIGUSR1, cv) == 0 ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's sigqueue failed");
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    siginfo_t got;
    memset(&got, 0, sizeof got);
    CHECK_RET(syscall(SYS_rt_sigtimedwait, &usr1, &got, &zero, 8), SIGUSR1);
    CHECK(got.si_code == SI_QUEUE && got.si_pid == pid && got.si_value.sival_int == 99,
          "from the child: code %d pid ok %d value %d", got.si_code, got.si_pid == pid,
          got.si_value.sival_int);
    unblock_all();

    /* Another user's process is out of reach (EPERM), even for signal 0. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        if (setresuid(1000, 1000, 1000) != 0)
            _exit(2);
        siginfo_t qi = queued(SI_QUEUE, 0);
        int refused = sigqueueinfo(parent, SIGUSR1, &qi) == -1 && errno == EPERM;
        refused = refused && sigqueueinfo(parent, 0, &qi) == -1 && errno == EPERM;
        _exit(refused ? 0 : 1);
    }
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "another user's sigqueue: status %#x", st);

    /* A zombie still takes signals (and drops them) until it is reaped. */
    pid = fork();
    if (pid == 0)
        _exit(0);
    siginfo_t wi;
    CHECK_RET(waitid(P_PID, pid, &wi, WEXITED | WNOWAIT), 0);
    CHECK_RET(sigqueueinfo(pid, SIGUSR1, &si), 0);
    CHECK_RET(tgsigqueueinfo(pid, pid, SIGUSR1, &si), 0);
    CHECK_RET(syscall(SYS_tgkill, pid, pid, SIGUSR1), 0);
    CHECK_RET(waitpid(pid, NULL, 0), pid);
    on(SIGUSR1, SIG_DFL, 0);
}

/* SA_RESTART restarts a blocking pipe read interrupted by a handler; without it the read
 * fails with EINTR. The child keeps signalling every 20 ms so some signal surely lands while
 * the parent is blocked. */
static void g_restart(void)
{
    for (int restart = 0; restart < 2; restart++) {
        int p[2];
        CHECK_RET(pipe(p), 0);
        hits = 0;
        on(SIGUSR1, count, restart ? SA_RESTART : 0);
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            for (int i = 0; i < 5; i++) {
                nap_ms(20);
                kill(parent, SIGUSR1);
            }
            if (restart)
                write(p[1], "x", 1);
            for (;;) {
                nap_ms(20);
                kill(parent, SIGUSR1);
            }
        }
        close(p[1]);
        char c = 0;
        errno = 0;
        long n = read(p[0], &c, 1);
        int e = errno;
        if (restart)
            CHECK(n == 1 && c == 'x' && hits >= 1, "SA_RESTART read gave %ld (%s), %d hits", n,
                  errname(e), (int)hits);
        else
            CHECK(n == -1 && e == EINTR && hits >= 1, "read gave %ld (%s), %d hits", n,
                  errname(e), (int)hits);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(p[0]);
    }
    on(SIGUSR1, SIG_DFL, 0);
}

static void g_sigsuspend(void)
{
    hits = 0;
    on(SIGUSR1, count, 0);
    block(SIGUSR1);
    block(SIGUSR2);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        nap_ms(30);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigset_t wait_mask, now;
    sigemptyset(&wait_mask);
    sigaddset(&wait_mask, SIGUSR2);
    CHECK_ERR(sigsuspend(&wait_mask), EINTR);
    CHECK(hits == 1, "handler ran %d times", (int)hits);
    /* The old mask is back. */
    CHECK_RET(sigprocmask(SIG_SETMASK, NULL, &now), 0);
    CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2), "mask not restored");
    waitpid(pid, NULL, 0);

    /* A signal already pending ends it at once. */
    CHECK_RET(raise(SIGUSR1), 0);
    CHECK(hits == 1, "a blocked signal ran");
    CHECK_ERR(sigsuspend(&wait_mask), EINTR);
    CHECK(hits == 2, "handler ran %d times", (int)hits);
    CHECK_ERR(syscall(SYS_rt_sigsuspend, &wait_mask, 4), EINVAL);
    unblock_all();
    on(SIGUSR1, SIG_DFL, 0);
}

static long ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* rt_sigtimedwait itself: glibc's wrapper turns SI_TKILL into SI_USER. */
static long timedwait(const sigset_t *set, siginfo_t *si, const struct timespec *ts)
{
    return syscall(SYS_rt_sigtimedwait, set, si, ts, 8);
}

static void g_sigtimedwait(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    siginfo_t si;
    struct timespec t0, ts = {0, 50 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_ERR(timedwait(&s, &si, &ts), EAGAIN);
    long took = ms_since(&t0);
    CHECK(took >= 45 && took < 5000, "a 50 ms wait took %ld ms", took);
    struct timespec zero = {0, 0};
    CHECK_ERR(timedwait(&s, &si, &zero), EAGAIN);

    /* A pending signal is taken without running anything, with its siginfo. */
    CHECK_RET(raise(SIGUSR1), 0);
    memset(&si, 0, sizeof si);
    CHECK_RET(timedwait(&s, &si, &ts), SIGUSR1);
    CHECK(si.si_signo == SIGUSR1 && si.si_code == SI_TKILL && si.si_pid == getpid(),
          "siginfo signo %d code %d", si.si_signo, si.si_code);
    sigset_t p;
    sigpending(&p);
    CHECK(!sigismember(&p, SIGUSR1), "still pending after sigtimedwait");

    /* Lowest number first; a NULL timeout waits. */
    CHECK_RET(kill(getpid(), SIGRTMIN), 0);
    CHECK_RET(kill(getpid(), SIGUSR1), 0);
    CHECK_RET(timedwait(&s, &si, NULL), SIGUSR1);
    CHECK_RET(timedwait(&s, &si, NULL), SIGRTMIN);
    CHECK(si.si_code == SI_USER, "kill's code %d", si.si_code);

    /* A signal arriving during the wait. */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        nap_ms(30);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct timespec long_ts = {10, 0};
    CHECK_RET(timedwait(&s, &si, &long_ts), SIGUSR1);
    CHECK(si.si_pid == pid, "sender pid is not the child's");
    waitpid(pid, NULL, 0);

    struct timespec bad = {0, 1000000000L};
    CHECK_ERR(timedwait(&s, &si, &bad), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(timedwait(&s, &si, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &s, &si, &zero, 4), EINVAL);
    unblock_all();
}

static volatile pid_t chld_pid;
static volatile int chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_pid = si->si_pid;
    chld_code = si->si_code;
    chld_status = si->si_status;
    hits++;
}

/* SIGCHLD tells the parent how a child ended, stopped or continued. */
static void g_sigchld(void)
{
    on_info(SIGCHLD, on_chld, 0);
    block(SIGCHLD);
    sigset_t none;
    sigemptyset(&none);

    hits = 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(5);
    sigsuspend(&none);
    CHECK(hits == 1 && chld_pid == pid && chld_code == CLD_EXITED && chld_status == 5,
          "exit: hits %d pid ok %d code %d status %d", (int)hits, chld_pid == pid, chld_code,
          chld_status);
    waitpid(pid, NULL, 0);

    hits = 0;
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGSTOP);
    sigsuspend(&none);
    CHECK(chld_pid == pid && chld_code == CLD_STOPPED && chld_status == SIGSTOP,
          "stop: code %d status %d", chld_code, chld_status);
    waitpid(pid, NULL, WUNTRACED);
    kill(pid, SIGCONT);
    sigsuspend(&none);
    CHECK(chld_pid == pid && chld_code == CLD_CONTINUED && chld_status == SIGCONT,
          "continue: code %d status %d", chld_code, chld_status);
    kill(pid, SIGTERM);
    sigsuspend(&none);
    CHECK(chld_pid == pid && chld_code == CLD_KILLED && chld_status == SIGTERM,
          "kill: code %d status %d", chld_code, chld_status);
    waitpid(pid, NULL, 0);

    /* SA_NOCLDSTOP: no SIGCHLD for stops. */
    on_info(SIGCHLD, on_chld, SA_NOCLDSTOP);
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    hits = 0;
    kill(pid, SIGSTOP);
    int st;
    CHECK_RET(waitpid(pid, &st, WUNTRACED), pid);
    sigset_t p;
    sigpending(&p);
    CHECK(!sigismember(&p, SIGCHLD), "SIGCHLD for a stop despite SA_NOCLDSTOP");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    sigsuspend(&none);
    CHECK(chld_code == CLD_KILLED && chld_status == SIGKILL, "kill: code %d status %d",
          chld_code, chld_status);

    on(SIGCHLD, SIG_DFL, 0);
    unblock_all();
}

/* kill(0), kill(-pgid) and kill(-1) reach every member and nobody else. */
static void g_killpg(void)
{
    int st;
    pid_t a = fork();
    if (a == 0) {
        setpgid(0, 0);
        for (;;)
            pause();
    }
    setpgid(a, a);
    pid_t b = fork();
    if (b == 0) {
        for (;;)
            pause();
    }
    setpgid(b, a);
    CHECK_RET(getpgid(b), a);
    CHECK_RET(kill(-a, SIGTERM), 0);
    CHECK_RET(waitpid(a, &st, 0), a);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "a: %#x", st);
    CHECK_RET(waitpid(b, &st, 0), b);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "b: %#x", st);
    CHECK_ERR(kill(-a, SIGTERM), ESRCH);
    CHECK_ERR(killpg(a, 0), ESRCH);

    /* kill(0) signals the caller's own group: a child leading a group of two. */
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        /* Blocked as well as ignored, so the member keeps the signal queued until it has
         * its default action back, however early it arrives. */
        signal(SIGUSR1, SIG_IGN);
        block(SIGUSR1);
        pid_t member = fork();
        if (member == 0) {
            signal(SIGUSR1, SIG_DFL);
            unblock_all();
            for (;;)
                pause();
        }
        close(p[0]);
        write(p[1], "r", 1);
        kill(0, SIGUSR1);
        int s2;
        waitpid(member, &s2, 0);
        _exit(WIFSIGNALED(s2) && WTERMSIG(s2) == SIGUSR1 ? 0 : 1);
    }
    close(p[1]);
    char c;
    read(p[0], &c, 1);
    close(p[0]);
    CHECK_RET(waitpid(leader, &st, 0), leader);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "kill(0) did not reach the member: %#x", st);

    /* kill(-1) from an unprivileged uid nobody else has: its own processes only (never the
     * caller itself), so it is safe on the host too. The uid comes from our pid, so that
     * native runs side by side do not signal each other. */
    uid_t lonely = 100000 + getpid();
    fflush(stdout);
    pid_t c1 = fork();
    if (c1 == 0) {
        setresgid(lonely, lonely, lonely);
        if (setresuid(lonely, lonely, lonely) < 0)
            _exit(10);
        pid_t d = fork(), e;
        if (d == 0) {
            for (;;)
                pause();
        }
        e = fork();
        if (e == 0) {
            for (;;)
                pause();
        }
        signal(SIGTERM, SIG_IGN);
        int bad = 0, s;
        if (kill(-1, SIGTERM) != 0)
            bad |= 1;
        if (waitpid(d, &s, 0) != d || !WIFSIGNALED(s) || WTERMSIG(s) != SIGTERM)
            bad |= 2;
        if (waitpid(e, &s, 0) != e || !WIFSIGNALED(s) || WTERMSIG(s) != SIGTERM)
            bad |= 4;
        /* Not allowed to signal root's process. */
        if (kill(getppid(), SIGTERM) != -1 || errno != EPERM)
            bad |= 8;
        _exit(bad);
    }
    CHECK_RET(waitpid(c1, &st, 0), c1);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "kill(-1) child: %#x", st);
}

/* ---- the signal frame ---- */

/* Inputs and outputs of the register check, at fixed names the assembly reaches. */
unsigned char frame_xin[16][16], frame_xout[16][16];
unsigned long frame_gout[12];
int frame_pid;
unsigned int frame_mxcsr_in = 0x3f80, frame_mxcsr_out, frame_mxcsr_handler;
unsigned short frame_fcw_in = 0x0c7f, frame_fcw_out;

static void frame_handler(int sig)
{
    (void)sig;
    hits++;
    __asm__ volatile("stmxcsr %0" : "=m"(frame_mxcsr_handler));
    /* Wreck every register the interrupted code holds. */
    unsigned int mx = 0x1f80;
    unsigned short fcw = 0x037f;
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
                     "pxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
                     "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm8, %%xmm8\n\t"
                     "pxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
                     "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
                     "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15\n\t"
                     "ldmxcsr %0\n\tfldcw %1\n\t"
                     "xor %%edx, %%edx\n\txor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\t"
                     "xor %%r10d, %%r10d\n\txor %%esi, %%esi\n\txor %%edi, %%edi\n\t"
                     :
                     : "m"(mx), "m"(fcw)
                     : "rdx", "rsi", "rdi", "r8", "r9", "r10", "xmm0", "xmm1", "xmm2", "xmm3",
                       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                       "xmm12", "xmm13", "xmm14", "xmm15");
}

#define LOADX(n) "movdqu frame_xin+" #n "*16(%%rip), %%xmm" #n "\n\t"
#define SAVEX(n) "movdqu %%xmm" #n ", frame_xout+" #n "*16(%%rip)\n\t"

static void g_frame(void)
{
    hits = 0;
    on(SIGUSR1, frame_handler, 0);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            frame_xin[i][j] = (unsigned char)(i * 16 + j + 1);
    memset(frame_xout, 0, sizeof frame_xout);
    frame_pid = getpid();
    /* Registers set, kill(getpid(), SIGUSR1) by hand (the handler runs on the way out of the
     * syscall), registers saved: all but rax, rcx and r11 (the syscall's) must survive. */
    __asm__ volatile(
        LOADX(0) LOADX(1) LOADX(2) LOADX(3) LOADX(4) LOADX(5) LOADX(6) LOADX(7)
        LOADX(8) LOADX(9) LOADX(10) LOADX(11) LOADX(12) LOADX(13) LOADX(14) LOADX(15)
        "ldmxcsr frame_mxcsr_in(%%rip)\n\t"
        "fldcw frame_fcw_in(%%rip)\n\t"
        "movabs $0x1111111111111111, %%rbx\n\t"
        "movabs $0x2222222222222222, %%rdx\n\t"
        "movabs $0x3333333333333333, %%r8\n\t"
        "movabs $0x4444444444444444, %%r9\n\t"
        "movabs $0x5555555555555555, %%r10\n\t"
        "movabs $0x6666666666666666, %%r12\n\t"
        "movabs $0x7777777777777777, %%r13\n\t"
        "movabs $0x8888888888888888, %%r14\n\t"
        "movabs $0x9999999999999999, %%r15\n\t"
        "mov $62, %%eax\n\t"
        "mov frame_pid(%%rip), %%edi\n\t"
        "mov $10, %%esi\n\t"
        "syscall\n\t"
        "mov %%rbx, frame_gout+0(%%rip)\n\t"
        "mov %%rdx, frame_gout+8(%%rip)\n\t"
        "mov %%r8, frame_gout+16(%%rip)\n\t"
        "mov %%r9, frame_gout+24(%%rip)\n\t"
        "mov %%r10, frame_gout+32(%%rip)\n\t"
        "mov %%r12, frame_gout+40(%%rip)\n\t"
        "mov %%r13, frame_gout+48(%%rip)\n\t"
        "mov %%r14, frame_gout+56(%%rip)\n\t"
        "mov %%r15, frame_gout+64(%%rip)\n\t"
        "mov %%rsi, frame_gout+72(%%rip)\n\t"
        "mov %%rax, frame_gout+80(%%rip)\n\t"
        "stmxcsr frame_mxcsr_out(%%rip)\n\t"
        "fnstcw frame_fcw_out(%%rip)\n\t"
        SAVEX(0) SAVEX(1) SAVEX(2) SAVEX(3) SAVEX(4) SAVEX(5) SAVEX(6) SAVEX(7)
        SAVEX(8) SAVEX(9) SAVEX(10) SAVEX(11) SAVEX(12) SAVEX(13) SAVEX(14) SAVEX(15)
        "ldmxcsr frame_mxcsr_default(%%rip)\n\t"
        "fninit\n\t"
        :
        :
        : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
          "r14", "r15", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
          "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    CHECK(hits == 1, "handler ran %d times", (int)hits);
    static const unsigned long want[] = {0x1111111111111111, 0x2222222222222222,
                                         0x3333333333333333, 0x4444444444444444,
                                         0x5555555555555555, 0x6666666666666666,
                                         0x7777777777777777, 0x8888888888888888,
                                         0x9999999999999999, 10, 0};
    static const char *names[] = {"rbx", "rdx", "r8", "r9", "r10", "r12", "r13", "r14", "r15",
                                  "rsi", "rax (kill's result)"};
    for (int i = 0; i < 11; i++)
        CHECK(frame_gout[i] == want[i], "%s is %#lx after the handler, want %#lx", names[i],
              frame_gout[i], want[i]);
    for (int i = 0; i < 16; i++)
        CHECK(memcmp(frame_xin[i], frame_xout[i], 16) == 0, "xmm%d changed across the handler",
              i);
    CHECK(frame_mxcsr_out == 0x3f80, "MXCSR %#x after the handler", frame_mxcsr_out);
    CHECK(frame_fcw_out == 0x0c7f, "x87 control word %#x after the handler", frame_fcw_out);
    on(SIGUSR1, SIG_DFL, 0);
}

unsigned int frame_mxcsr_default = 0x1f80;

/* A handler starts with the default floating-point state, not the interrupted one's. */
static void g_frame_fpu_reset(void)
{
    hits = 0;
    on(SIGUSR1, frame_handler, 0);
    frame_mxcsr_handler = 0;
    __asm__ volatile("ldmxcsr frame_mxcsr_in(%%rip)" ::: "memory");
    raise(SIGUSR1);
    __asm__ volatile("ldmxcsr frame_mxcsr_default(%%rip)" ::: "memory");
    CHECK(hits == 1 && frame_mxcsr_handler == 0x1f80, "the handler ran with MXCSR %#x",
          frame_mxcsr_handler);
    on(SIGUSR1, SIG_DFL, 0);
}

unsigned long resume_at, after_r12;
static volatile void *fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    /* Skip the faulting instruction, and change a register for the code that resumes. */
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume_at;
    uc->uc_mcontext.gregs[REG_R12] = 0x5a5a;
    hits++;
}

static void on_usr1_edit(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    /* The mask restored by sigreturn is the one in the frame. */
    sigaddset(&uc->uc_sigmask, SIGUSR2);
    uc->uc_mcontext.gregs[REG_R12] = 0x1234;
    hits++;
}

/* What a handler writes into its ucontext is what sigreturn restores. */
static void g_sigreturn(void)
{
    hits = 0;
    on_info(SIGSEGV, on_segv, 0);
    after_r12 = 0;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, resume_at(%%rip)\n\t"
                     "mov $7, %%r12\n\t"
                     "mov $24, %%eax\n\t"
                     "movl $1, (%%rax)\n\t"
                     "1:\n\t"
                     "mov %%r12, after_r12(%%rip)\n\t"
                     :
                     :
                     : "rax", "r12", "memory");
    CHECK(hits == 1, "SIGSEGV handler ran %d times", (int)hits);
    CHECK(fault_addr == (void *)24 && fault_code == SEGV_MAPERR, "si_addr %p si_code %d",
          fault_addr, fault_code);
    CHECK(after_r12 == 0x5a5a, "r12 after sigreturn %#lx", after_r12);
    on(SIGSEGV, SIG_DFL, 0);

    hits = 0;
    on_info(SIGUSR1, on_usr1_edit, 0);
    after_r12 = 0;
    __asm__ volatile("mov $7, %%r12\n\t"
                     "mov $62, %%eax\n\t"
                     "mov frame_pid(%%rip), %%edi\n\t"
                     "mov $10, %%esi\n\t"
                     "syscall\n\t"
                     "mov %%r12, after_r12(%%rip)\n\t"
                     :
                     :
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
                       "memory");
    CHECK(hits == 1 && after_r12 == 0x1234, "hits %d r12 %#lx", (int)hits, after_r12);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR2) && !sigismember(&now, SIGUSR1),
          "the mask after sigreturn is not the frame's");
    unblock_all();
    on(SIGUSR1, SIG_DFL, 0);
}

static volatile int in_handler_blocked_self, in_handler_blocked_mask;

static void probe_mask(int sig)
{
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    in_handler_blocked_self = sigismember(&now, sig);
    in_handler_blocked_mask = sigismember(&now, SIGUSR2);
    hits++;
}

/* The mask while a handler runs: the signal itself (unless SA_NODEFER) and sa_mask;
 * SA_RESETHAND puts the default action back. */
static void g_handler_flags(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = probe_mask;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    hits = 0;
    raise(SIGUSR1);
    CHECK(hits == 1 && in_handler_blocked_self && in_handler_blocked_mask,
          "in the handler: self blocked %d, sa_mask blocked %d", in_handler_blocked_self,
          in_handler_blocked_mask);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2), "mask not restored");

    sa.sa_flags = SA_NODEFER | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CHECK(hits == 2 && !in_handler_blocked_self, "SA_NODEFER: self blocked %d",
          in_handler_blocked_self);
    CHECK_RET(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_DFL, "SA_RESETHAND left handler %p", (void *)old.sa_handler);
    /* Back to default: the next one kills (in a child). */
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGUSR1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "status %#x", st);
    /* Handlers are inherited by fork and reset by exec; tested here for fork. */
    on(SIGUSR1, count, 0);
    pid = fork();
    if (pid == 0) {
        hits = 0;
        raise(SIGUSR1);
        _exit(hits == 1 ? 0 : 1);
    }
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the fork child's handler: %#x", st);
    on(SIGUSR1, SIG_DFL, 0);
}

/* ---- the alternate signal stack ---- */

#define ALT_BYTES (64 * 1024)
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
/* The kernel's MINSIGSTKSZ (glibc's is a sysconf call nowadays). */
#define KMINSIGSTKSZ 2048
static char *alt_mem;
static volatile uintptr_t alt_local, alt_nested_local;
static volatile int alt_flags_inside, alt_eperm_inside, alt_uc_flags, alt_nested;
static volatile unsigned long alt_uc_size;

static int in_alt(uintptr_t p)
{
    return p > (uintptr_t)alt_mem && p <= (uintptr_t)alt_mem + ALT_BYTES;
}

static void alt_nested_handler(int sig)
{
    (void)sig;
    char here;
    alt_nested_local = (uintptr_t)&here;
    alt_nested++;
}

static void alt_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    char here;
    alt_local = (uintptr_t)&here;
    stack_t now, other = {.ss_sp = alt_mem, .ss_size = ALT_BYTES, .ss_flags = 0};
    sigaltstack(NULL, &now);
    alt_flags_inside = now.ss_flags;
    errno = 0;
    alt_eperm_inside = sigaltstack(&other, NULL) == -1 ? errno : 0;
    alt_uc_flags = uc->uc_stack.ss_flags;
    alt_uc_size = uc->uc_stack.ss_size;
    /* A second signal while on the stack nests below this frame on the same stack. */
    raise(SIGUSR2);
    hits++;
}

static void alt_edit_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_stack.ss_size = uc->uc_stack.ss_size == ALT_BYTES ? ALT_BYTES / 2 : ALT_BYTES / 4;
}

static void g_altstack(void)
{
    stack_t ss, old;
    alt_mem = mmap(NULL, ALT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(alt_mem != MAP_FAILED, "mmap: %s", errname(errno));

    /* None at first; errors change nothing. */
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == SS_DISABLE && old.ss_size == 0, "initial flags %d size %zu",
          old.ss_flags, old.ss_size);
    ss = (stack_t){.ss_sp = alt_mem, .ss_size = KMINSIGSTKSZ - 1, .ss_flags = 0};
    CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
    ss = (stack_t){.ss_sp = alt_mem, .ss_size = ALT_BYTES, .ss_flags = 4};
    CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
    CHECK_ERR(sigaltstack((stack_t *)8, NULL), EFAULT);
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == SS_DISABLE, "flags %d after refused changes", old.ss_flags);

    /* Set; the old one comes back disabled; a bad old pointer fails after the change. */
    ss = (stack_t){.ss_sp = alt_mem, .ss_size = ALT_BYTES, .ss_flags = 0};
    CHECK_RET(sigaltstack(&ss, &old), 0);
    CHECK(old.ss_flags == SS_DISABLE, "old flags %d", old.ss_flags);
    CHECK_ERR(sigaltstack(&ss, (stack_t *)8), EFAULT);
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_sp == alt_mem && old.ss_size == ALT_BYTES && old.ss_flags == 0,
          "reported sp %p size %zu flags %d", old.ss_sp, old.ss_size, old.ss_flags);

    /* SA_ONSTACK handlers run there: sigaltstack reports SS_ONSTACK and refuses a change
     * (EPERM); a nested signal's frame goes below on the same stack. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = alt_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = alt_nested_handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    hits = alt_nested = 0;
    raise(SIGUSR1);
    CHECK(hits == 1 && alt_nested == 1, "handlers ran %d and %d times", (int)hits,
          (int)alt_nested);
    CHECK(in_alt(alt_local), "the handler ran outside the alternate stack");
    CHECK(in_alt(alt_nested_local) && alt_nested_local < alt_local,
          "the nested handler's frame is not below the first on the alternate stack");
    CHECK(alt_flags_inside == SS_ONSTACK, "flags inside the handler %d", alt_flags_inside);
    CHECK(alt_eperm_inside == EPERM, "changing it inside: %s", errname(alt_eperm_inside));
    CHECK(alt_uc_flags == 0 && alt_uc_size == ALT_BYTES, "uc_stack flags %d size %lu",
          alt_uc_flags, alt_uc_size);
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == 0, "flags after the handler %d", old.ss_flags);

    /* Without SA_ONSTACK the handler stays on the normal stack. */
    on(SIGUSR2, alt_nested_handler, 0);
    raise(SIGUSR2);
    CHECK(!in_alt(alt_nested_local), "a handler without SA_ONSTACK used the alternate stack");

    /* SS_AUTODISARM: disarmed while the handler runs (reported disabled, and changes
     * allowed), armed again by sigreturn from uc_stack. */
    ss.ss_flags = SS_AUTODISARM;
    CHECK_RET(sigaltstack(&ss, NULL), 0);
    hits = alt_nested = 0;
    raise(SIGUSR1);
    CHECK(in_alt(alt_local), "SS_AUTODISARM: the handler ran outside the alternate stack");
    CHECK(alt_flags_inside == SS_DISABLE && alt_eperm_inside == 0,
          "SS_AUTODISARM inside: flags %d, change %s", alt_flags_inside,
          errname(alt_eperm_inside));
    CHECK(alt_uc_flags == (int)SS_AUTODISARM, "SS_AUTODISARM: uc_stack flags %#x",
          alt_uc_flags);
    /* The nested frame still lands on the alternate stack: the handler's sp is there. */
    CHECK(in_alt(alt_nested_local), "SS_AUTODISARM: the nested signal left the stack");
    /* The handler re-armed it without SS_AUTODISARM while on it, so sigreturn cannot put
     * uc_stack back (Linux judges by the handler's sp): it stays as the handler set it. */
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == 0 && old.ss_size == ALT_BYTES, "after sigreturn: flags %#x size %zu",
          old.ss_flags, old.ss_size);

    /* uc_stack edits: ignored from a handler on the stack, applied from one off it. */
    on_info(SIGUSR1, alt_edit_handler, 0);
    raise(SIGUSR1);
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_size == ALT_BYTES / 2, "an edit from off the stack: size %zu", old.ss_size);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = alt_edit_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_size == ALT_BYTES / 2, "an edit from on the stack: size %zu", old.ss_size);

    /* A fork child inherits it. */
    pid_t pid = fork();
    if (pid == 0) {
        stack_t c;
        sigaltstack(NULL, &c);
        _exit(c.ss_sp == alt_mem && c.ss_size == ALT_BYTES / 2 ? 0 : 1);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the fork child's stack: %#x", st);

    /* Disabled: reported so, and SA_ONSTACK falls back to the normal stack. */
    ss = (stack_t){.ss_flags = SS_DISABLE};
    CHECK_RET(sigaltstack(&ss, NULL), 0);
    CHECK_RET(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == SS_DISABLE && old.ss_size == 0, "disabled: flags %d size %zu",
          old.ss_flags, old.ss_size);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = alt_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    hits = 0;
    raise(SIGUSR1);
    CHECK(hits == 1 && !in_alt(alt_local), "disabled: the handler used the old stack");
    on(SIGUSR1, SIG_DFL, 0);
    on(SIGUSR2, SIG_DFL, 0);
    munmap(alt_mem, ALT_BYTES);
}

/* A frame that does not fit the alternate stack kills with SIGSEGV (the FPU state alone
 * is over 2 KiB with AVX-512, so a MINSIGSTKSZ stack is too small for it there). */
static void g_altstack_overflow(void)
{
    unsigned int eax, ebx, ecx, edx;
    __cpuid_count(0xd, 0, eax, ebx, ecx, edx);
    int xsave_bytes = (int)ebx;
    pid_t pid = fork();
    if (pid == 0) {
        static char small[KMINSIGSTKSZ];
        stack_t ss = {.ss_sp = small, .ss_size = sizeof small};
        sigaltstack(&ss, NULL);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = count;
        sa.sa_flags = SA_ONSTACK;
        sigaction(SIGUSR1, &sa, NULL);
        raise(SIGUSR1);
        _exit(0);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    if (xsave_bytes + 4 + 440 + 64 > KMINSIGSTKSZ)
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x", st);
    else
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

/* ---- AVX state in the frame ---- */

static unsigned char ymm_in[16][32], ymm_out[16][32], ymm_handler[32];
static unsigned char zmm_in[64], zmm_out[64];
static volatile int xstate_magic_ok, xstate_uc_flags, xstate_handler_init;
static unsigned char xmm5_edit[16] = {0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
                                      0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};
static int ymm_hi_offset;
static int have_avx512;

static void xstate_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    /* First: the handler's own AVX state, which Linux starts afresh. */
    __asm__ volatile("vmovdqu %%ymm7, ymm_handler(%%rip)" ::: "memory");
    ucontext_t *uc = ucv;
    struct _fpstate *fp = (struct _fpstate *)uc->uc_mcontext.fpregs;
    const uint32_t *sw = (const uint32_t *)((char *)fp + 464);
    uint32_t xstate_size = sw[4];
    uint32_t magic2;
    memcpy(&magic2, (char *)fp + xstate_size, 4);
    xstate_magic_ok = sw[0] == 0x46505853 && sw[1] == xstate_size + 4 && magic2 == 0x46505845;
    xstate_uc_flags = (int)uc->uc_flags;

    /* Edit the saved state: xmm5, and the upper half of ymm5 in the AVX component. */
    memcpy((char *)fp + 160 + 5 * 16, xmm5_edit, 16);
    memcpy((char *)fp + ymm_hi_offset + 5 * 16, xmm5_edit, 16);

    /* Wreck the live registers. */
    __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm7\n\t"
                     "vmovdqa %%ymm0, %%ymm15\n\t" ::: "xmm0", "xmm1", "xmm7", "xmm15");
    /* No clobber for zmm16: code built without AVX-512 never uses it. */
    if (have_avx512) __asm__ volatile("vpternlogd $0xff, %%zmm16, %%zmm16, %%zmm16" :::);
    hits++;
}

#define LOADY(n) "vmovdqu ymm_in+" #n "*32(%%rip), %%ymm" #n "\n\t"
#define SAVEY(n) "vmovdqu %%ymm" #n ", ymm_out+" #n "*32(%%rip)\n\t"

static void g_xstate(void)
{
    if (!__builtin_cpu_supports("avx")) return; /* nothing beyond SSE to keep */
    have_avx512 = __builtin_cpu_supports("avx512f");
    unsigned int eax, ebx, ecx, edx;
    __cpuid_count(0xd, 2, eax, ebx, ecx, edx);
    ymm_hi_offset = (int)ebx;

    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32; j++) ymm_in[i][j] = (unsigned char)(i * 32 + j + 1);
    for (int j = 0; j < 64; j++) zmm_in[j] = (unsigned char)(0x80 + j);
    memset(ymm_handler, 0x77, sizeof ymm_handler);
    on_info(SIGUSR1, xstate_handler, 0);
    hits = 0;
    frame_pid = getpid();
    if (have_avx512)
        __asm__ volatile("vmovdqu64 zmm_in(%%rip), %%zmm16" ::: "memory");
    __asm__ volatile(LOADY(0) LOADY(1) LOADY(2) LOADY(3) LOADY(4) LOADY(5) LOADY(6) LOADY(7)
                     LOADY(8) LOADY(9) LOADY(10) LOADY(11) LOADY(12) LOADY(13) LOADY(14)
                     LOADY(15)
                     "mov $62, %%eax\n\t"
                     "mov frame_pid(%%rip), %%edi\n\t"
                     "mov $10, %%esi\n\t"
                     "syscall\n\t"
                     SAVEY(0) SAVEY(1) SAVEY(2) SAVEY(3) SAVEY(4) SAVEY(5) SAVEY(6) SAVEY(7)
                     SAVEY(8) SAVEY(9) SAVEY(10) SAVEY(11) SAVEY(12) SAVEY(13) SAVEY(14)
                     SAVEY(15)
                     "vzeroupper\n\t"
                     :
                     :
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory", "xmm0", "xmm1",
                       "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    if (have_avx512)
        __asm__ volatile("vmovdqu64 %%zmm16, zmm_out(%%rip)\n\tvzeroupper" ::: "memory");
    CHECK(hits == 1, "handler ran %d times", (int)hits);
    CHECK(xstate_magic_ok, "the frame's FPU area lacks the XSAVE magic numbers");
    CHECK(xstate_uc_flags & 1, "uc_flags %#x lacks UC_FP_XSTATE", xstate_uc_flags);
    static const unsigned char zero[32];
    CHECK(memcmp(ymm_handler, zero, 32) == 0, "the handler did not start with ymm7 clear");
    for (int i = 0; i < 16; i++) {
        if (i == 5) continue;
        CHECK(memcmp(ymm_in[i], ymm_out[i], 32) == 0, "ymm%d changed across the handler", i);
    }
    CHECK(memcmp(ymm_out[5], xmm5_edit, 16) == 0 && memcmp(ymm_out[5] + 16, xmm5_edit, 16) == 0,
          "the handler's edit of the saved ymm5 was not restored");
    if (have_avx512)
        CHECK(memcmp(zmm_in, zmm_out, 64) == 0, "zmm16 changed across the handler");
    on(SIGUSR1, SIG_DFL, 0);
}

static const struct check_group groups[] = {
    {"sigaction", g_sigaction},
    {"uncatchable", g_uncatchable},
    {"default_ignore", g_default_ignore},
    {"mask", g_mask},
    {"siginfo", g_siginfo},
    {"restart", g_restart},
    {"sigsuspend", g_sigsuspend},
    {"sigtimedwait", g_sigtimedwait},
    {"sigchld", g_sigchld},
    {"killpg", g_killpg},
    {"frame", g_frame},
    {"frame_fpu_reset", g_frame_fpu_reset},
    {"sigreturn", g_sigreturn},
    {"handler_flags", g_handler_flags},
    {"sigqueue", g_sigqueue},
    {"altstack", g_altstack},
    {"altstack_overflow", g_altstack_overflow},
    {"xstate", g_xstate},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: sig /ABSOLUTE/SCRATCH [--guest] [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    frame_pid = getpid();

    return run_groups(groups, NGROUPS, argc, argv, 2, NULL);
}
