/*
 * proc: processes (fork, exec, wait, process groups, sessions, credentials), with Linux's
 * results and errnos.
 *
 *   proc SCRATCH [--guest] [GROUP...]
 *
 * SCRATCH is an absolute path to a writable directory (created when missing); each group
 * works in a fresh subdirectory of it named after the group. Groups print "ok GROUP" or
 * "FAIL GROUP: ..." lines; nothing printed depends on the machine, so a native run and a
 * guest run print the same lines. With no GROUP every group runs. The last line is "ok" or
 * "FAIL". The program runs as root (natively and as the guest's init).
 *
 * Helper modes, used by the exec checks through execve of this program itself:
 *   proc --argv ARGS...   prints its argument count, arguments and environment, one a line
 *   proc --fds FD...      prints "FD:open" or "FD:closed" for each descriptor
 *   proc --pause          waits for a signal forever
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char self[1024];
extern char **environ;

#include "check.h"

/* A path in the group's scratch directory. */
static char *sp(const char *name)
{
    static char bufs[4][4096];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CHECK(fd >= 0, "create %s: %s", path, errname(errno));
    if (fd >= 0) {
        CHECK_RET(write(fd, text, strlen(text)), (long)strlen(text));
        close(fd);
    }
    CHECK_RET(chmod(path, mode), 0);
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Runs `fn` in a child: its FAIL lines are printed there, and its failure count comes back as
 * the exit status. Used where a check changes the process itself (session, credentials). */
static void in_child(void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        group_failures = 0;
        fn();
        fflush(stdout);
        _exit(group_failures > 100 ? 100 : group_failures);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st), "the checking child died with status %#x", st);
    if (WIFEXITED(st))
        group_failures += WEXITSTATUS(st);
}

/* Runs `argv` with `envp` (the program is this one) and returns what it printed, NUL
 * terminated, in `out`; the exit status goes to *status. */
static long run_capture(const char *path, char *const argv[], char *const envp[], char *out,
                        size_t outlen, int *status)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execve(path, argv, envp);
        _exit(127);
    }
    close(p[1]);
    size_t got = 0;
    long n;
    while (got + 1 < outlen && (n = read(p[0], out + got, outlen - 1 - got)) > 0)
        got += n;
    out[got] = 0;
    close(p[0]);
    waitpid(pid, status, 0);
    return got;
}

/* ---- fork, vfork, clone ---- */

static void g_fork(void)
{
    pid_t parent = getpid();
    int p[2];
    CHECK_RET(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* The child sees its parent and a new pid of its own. */
        int ok = getppid() == parent && getpid() != parent;
        write(p[1], &ok, sizeof ok);
        _exit(7);
    }
    CHECK(pid > 0, "fork: %s", errname(errno));
    int ok = 0, st;
    CHECK_RET(read(p[0], &ok, sizeof ok), sizeof ok);
    CHECK(ok, "the child's getppid/getpid are wrong");
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "fork child status %#x", st);

    /* vfork: the parent waits until the child has exited. */
    volatile int order = 0;
    pid = vfork();
    if (pid == 0) {
        if (order == 0)
            _exit(9);
        _exit(1);
    }
    order = 1;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "vfork child status %#x", st);

    /* clone with only SIGCHLD is fork. */
    long c = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (c == 0)
        _exit(getppid() == parent ? 11 : 12);
    CHECK(c > 0, "clone(SIGCHLD): %s", errname(errno));
    CHECK_RET(wait4(c, &st, 0, NULL), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11, "clone child status %#x", st);

    /* A child killed by the signal clone asked for on exit (SIGUSR1 instead of SIGCHLD) is
     * waited for with __WALL or __WCLONE. */
    c = syscall(SYS_clone, SIGUSR1, 0, 0, 0, 0);
    if (c == 0)
        _exit(13);
    signal(SIGUSR1, SIG_IGN);
    CHECK_RET(wait4(c, &st, __WALL, NULL), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 13, "clone(SIGUSR1) child status %#x", st);
    signal(SIGUSR1, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

/* vfork shares the parent's memory until the child execs or exits. */
static void g_vfork_shares(void)
{
    volatile int shared = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 42;
        _exit(0);
    }
    int st;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(shared == 42, "the vfork child's write is not seen by the parent: %d", shared);

    /* A child that writes, then execs: the write stays, the program runs (the helper
     * exits 2 for an option it does not know), and the parent's registers and FPU state
     * are its own again. */
    shared = 0;
    volatile double kept = 1.5;
    pid = vfork();
    if (pid == 0) {
        shared = 7;
        execl(self, "x", "--unknown-option", (char *)NULL);
        _exit(127);
    }
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exec'd child status %#x", st);
    CHECK(shared == 7 && kept * 2 == 3.0, "after the child's exec: shared %d", shared);

    /* posix_spawn learns of an exec failure through the memory it shares with the
     * child (glibc's clone with CLONE_VM | CLONE_VFORK on a stack of its own). */
    char *args[] = {"nope", NULL};
    pid_t spawned;
    int r = posix_spawn(&spawned, "/nonexistent/program", NULL, NULL, args, environ);
    CHECK(r == ENOENT, "posix_spawn of a missing program: %s", errname(r));
    if (r == 0) waitpid(spawned, &st, 0);
    /* The parent killed while its child runs in the shared memory: the child goes on
     * (and can still write to a pipe), and the parent dies of SIGKILL. */
    int p[2];
    CHECK_RET(pipe(p), 0);
    pid_t mid = fork();
    if (mid == 0) {
        close(p[0]);
        if (vfork() == 0) {
            kill(getppid(), SIGKILL);
            write(p[1], "c", 1);
            _exit(0);
        }
        _exit(3); /* not reached: killed */
    }
    close(p[1]);
    char c = 0;
    CHECK_RET(read(p[0], &c, 1), 1);
    close(p[0]);
    CHECK_RET(waitpid(mid, &st, 0), mid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the killed vfork parent: %#x", st);

    /* The child killed while its parent waits: the parent runs again, itself. */
    mid = fork();
    if (mid == 0) {
        volatile int mine = 5;
        pid_t child = vfork();
        if (child == 0) {
            mine = 6;
            kill(getpid(), SIGKILL);
            _exit(1);
        }
        int cst;
        waitpid(child, &cst, 0);
        _exit(WIFSIGNALED(cst) && WTERMSIG(cst) == SIGKILL && mine == 6 ? 0 : 1);
    }
    CHECK_RET(waitpid(mid, &st, 0), mid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "after its vfork child was killed: %#x", st);

    r = posix_spawn(&spawned, self, NULL, NULL, (char *[]){"x", "--unknown", NULL}, environ);
    CHECK(r == 0, "posix_spawn of this program: %s", errname(r));
    if (r == 0) {
        CHECK_RET(waitpid(spawned, &st, 0), spawned);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "spawned child status %#x", st);
    }
}

/* ---- execve ---- */

static void g_exec(void)
{
    char out[4096], want[4096];
    int st;

    /* argv and envp arrive as given. */
    char *argv[] = {"argv0-name", "--argv", "one", "two words", "", NULL};
    char *envp[] = {"A=1", "B=two", "EMPTY=", NULL};
    run_capture(self, argv, envp, out, sizeof out, &st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec status %#x", st);
    snprintf(want, sizeof want,
             "argc=5\nargv[0]=argv0-name\nargv[1]=--argv\nargv[2]=one\nargv[3]=two words\n"
             "argv[4]=\nenv=A=1\nenv=B=two\nenv=EMPTY=\n");
    CHECK(strcmp(out, want) == 0, "exec printed '%s'", out);

    /* An empty environment. */
    char *none[] = {NULL};
    char *argv2[] = {"x", "--argv", NULL};
    run_capture(self, argv2, none, out, sizeof out, &st);
    CHECK(strcmp(out, "argc=2\nargv[0]=x\nargv[1]=--argv\n") == 0, "exec printed '%s'", out);

    /* Close-on-exec descriptors are closed by exec, the others stay open. */
    int a = open(self, O_RDONLY | O_CLOEXEC);
    int b = fcntl(a, F_DUPFD, 40);
    int c = open(self, O_RDONLY);
    CHECK_RET(fcntl(c, F_SETFD, FD_CLOEXEC), 0);
    int d = dup(c);
    char fa[16], fb[16], fc[16], fd_[16];
    snprintf(fa, sizeof fa, "%d", a);
    snprintf(fb, sizeof fb, "%d", b);
    snprintf(fc, sizeof fc, "%d", c);
    snprintf(fd_, sizeof fd_, "%d", d);
    char *argv3[] = {"fds", "--fds", fa, fb, fc, fd_, NULL};
    run_capture(self, argv3, none, out, sizeof out, &st);
    snprintf(want, sizeof want, "%d:closed\n%d:open\n%d:closed\n%d:open\n", a, b, c, d);
    CHECK(strcmp(out, want) == 0, "after exec the descriptors are '%s'", out);
    close(a);
    close(b);
    close(c);
    close(d);

    /* A script: the interpreter gets its optional argument, then the script's path as
     * given to execve, then the arguments after argv[0]. */
    char line[4200];
    snprintf(line, sizeof line, "#!%s --argv\nignored\n", self);
    write_file(sp("script"), line, 0755);
    char *argv4[] = {"name-dropped", "x", "y", NULL};
    run_capture(sp("script"), argv4, envp, out, sizeof out, &st);
    snprintf(want, sizeof want,
             "argc=5\nargv[0]=%s\nargv[1]=--argv\nargv[2]=%s\nargv[3]=x\nargv[4]=y\n"
             "env=A=1\nenv=B=two\nenv=EMPTY=\n",
             self, sp("script"));
    CHECK(strcmp(out, want) == 0, "the script's interpreter printed '%s'", out);
    /* Spaces before the interpreter are skipped; the rest of the line is one argument. */
    snprintf(line, sizeof line, "#! %s --argv  a b\n", self);
    write_file(sp("script2"), line, 0755);
    char *argv5[] = {"s2", NULL};
    run_capture(sp("script2"), argv5, none, out, sizeof out, &st);
    snprintf(want, sizeof want, "argc=3\nargv[0]=%s\nargv[1]=--argv  a b\nargv[2]=%s\n", self,
             sp("script2"));
    CHECK(strcmp(out, want) == 0, "the second script's interpreter printed '%s'", out);

    /* Errors, in this process: a failed execve returns. */
    char *argv6[] = {"x", NULL};
    CHECK_ERR(execve(sp("missing"), argv6, none), ENOENT);
    CHECK_ERR(execve(sp("script/x"), argv6, none), ENOTDIR);
    write_file(sp("noexec"), "#!/bin/sh\n", 0644);
    CHECK_ERR(execve(sp("noexec"), argv6, none), EACCES);
    CHECK_ERR(execve(dir, argv6, none), EACCES);
    write_file(sp("garbage"), "this is neither ELF nor a script\n", 0755);
    CHECK_ERR(execve(sp("garbage"), argv6, none), ENOEXEC);
    write_file(sp("empty"), "", 0755);
    CHECK_ERR(execve(sp("empty"), argv6, none), ENOEXEC);
    write_file(sp("badinterp"), "#!/nonexistent/interpreter\n", 0755);
    CHECK_ERR(execve(sp("badinterp"), argv6, none), ENOENT);
    CHECK_ERR(execve("", argv6, none), ENOENT);
}

/* ---- wait statuses ---- */

/* Forks a child that dies of `sig` (raised or by a fault for SIGSEGV) with RLIMIT_CORE
 * `core_limit`, working in the scratch directory (where a core file may land). */
static volatile int *volatile bad_pointer = (int *)16;

static int die_of(int sig, rlim_t core_limit)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit r = {core_limit, core_limit};
        setrlimit(RLIMIT_CORE, &r);
        if (chdir(dir) < 0)
            _exit(100);
        if (sig == SIGSEGV)
            *bad_pointer = 1;
        raise(sig);
        _exit(101);
    }
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    return st;
}

static void g_wait_status(void)
{
    int st;
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && !WIFSIGNALED(st) && WEXITSTATUS(st) == 7, "exit 7: %#x", st);
    CHECK(st == 7 << 8, "exit 7 status %#x", st);

    /* Only the low 8 bits of the exit code survive. */
    pid = fork();
    if (pid == 0)
        syscall(SYS_exit_group, 0x1234);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0x34, "exit 0x1234: %#x", st);

    /* Killed by a signal whose default action is terminate: no core. */
    pid = fork();
    if (pid == 0) {
        pause();
        _exit(1);
    }
    CHECK_RET(kill(pid, SIGTERM), 0);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WCOREDUMP(st), "SIGTERM: %#x", st);
    CHECK(st == SIGTERM, "SIGTERM status %#x", st);

    st = die_of(SIGUSR1, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1 && !WCOREDUMP(st), "SIGUSR1: %#x", st);

    /* Default action core, with room for a core file: the core bit is set. */
    st = die_of(SIGQUIT, RLIM_INFINITY);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT && WCOREDUMP(st), "SIGQUIT: %#x", st);
    st = die_of(SIGSEGV, RLIM_INFINITY);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && WCOREDUMP(st), "SIGSEGV: %#x", st);
    st = die_of(SIGABRT, RLIM_INFINITY);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && WCOREDUMP(st), "SIGABRT: %#x", st);

    /* waitid reports a dump as CLD_DUMPED. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
        setrlimit(RLIMIT_CORE, &r);
        if (chdir(dir) == 0)
            raise(SIGQUIT);
        _exit(1);
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_DUMPED && si.si_status == SIGQUIT &&
              si.si_pid == pid,
          "waitid of a dumped child: signo %d code %d status %d", si.si_signo, si.si_code,
          si.si_status);
}

/* With RLIMIT_CORE 0 no core file is written, and Linux leaves the core bit clear. */
static void g_core_limit(void)
{
    int st = die_of(SIGQUIT, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT && !WCOREDUMP(st), "SIGQUIT: %#x", st);
    st = die_of(SIGSEGV, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !WCOREDUMP(st), "SIGSEGV: %#x", st);
}

/* ---- wait flags ---- */

static void g_wnohang(void)
{
    int st, p[2];
    CHECK_RET(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(3);
    }
    close(p[0]);
    /* A running child: nothing to report. */
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0);
    CHECK_RET(wait4(-1, &st, WNOHANG, NULL), 0);
    siginfo_t si;
    memset(&si, 0x55, sizeof si);
    CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
    CHECK(si.si_signo == 0 && si.si_pid == 0 && si.si_code == 0 && si.si_status == 0,
          "waitid WNOHANG left signo %d pid %d code %d status %d", si.si_signo, si.si_pid,
          si.si_code, si.si_status);
    memset(&si, 0x55, sizeof si);
    CHECK_RET(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), 0);
    CHECK(si.si_pid == 0, "waitid P_ALL WNOHANG pid %d", si.si_pid);
    CHECK_RET(waitid(P_PGID, 0, &si, WEXITED | WNOHANG), 0);

    /* Let it finish; a blocking wait then reports it. */
    CHECK_RET(write(p[1], "x", 1), 1);
    close(p[1]);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "status %#x", st);

    /* No children left. */
    CHECK_ERR(wait4(-1, &st, WNOHANG, NULL), ECHILD);
    CHECK_ERR(wait4(-1, &st, 0, NULL), ECHILD);
    CHECK_ERR(wait4(pid, &st, 0, NULL), ECHILD);
    CHECK_ERR(wait4(getpid(), &st, 0, NULL), ECHILD);
    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
    CHECK_ERR(waitid(P_PID, pid, &si, WEXITED | WNOHANG), ECHILD);

    /* Bad options. */
    CHECK_ERR(wait4(-1, &st, 0x4000, NULL), EINVAL);
    CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
    CHECK_ERR(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
    CHECK_ERR(waitid(99, 0, &si, WEXITED), EINVAL);
    CHECK_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
}

static void g_stop_cont(void)
{
    int st;
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    CHECK_RET(kill(pid, SIGSTOP), 0);
    CHECK_RET(wait4(pid, &st, WUNTRACED, NULL), pid);
    CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "stopped status %#x", st);
    CHECK(st == (SIGSTOP << 8 | 0x7f), "stopped status %#x", st);
    /* A stop is reported once. */
    CHECK_RET(wait4(pid, &st, WUNTRACED | WNOHANG, NULL), 0);
    /* Without WUNTRACED a stopped child is not reported at all. */
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0);

    CHECK_RET(kill(pid, SIGCONT), 0);
    CHECK_RET(wait4(pid, &st, WCONTINUED, NULL), pid);
    CHECK(WIFCONTINUED(st) && st == 0xffff, "continued status %#x", st);
    CHECK_RET(wait4(pid, &st, WCONTINUED | WNOHANG, NULL), 0);

    /* The same through waitid. */
    CHECK_RET(kill(pid, SIGTSTP), 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK_RET(waitid(P_PID, pid, &si, WSTOPPED), 0);
    CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_STOPPED && si.si_status == SIGTSTP &&
              si.si_pid == pid,
          "waitid stopped: signo %d code %d status %d", si.si_signo, si.si_code, si.si_status);
    CHECK_RET(kill(pid, SIGCONT), 0);
    memset(&si, 0, sizeof si);
    CHECK_RET(waitid(P_PID, pid, &si, WCONTINUED), 0);
    CHECK(si.si_code == CLD_CONTINUED && si.si_status == SIGCONT,
          "waitid continued: code %d status %d", si.si_code, si.si_status);

    /* SIGKILL ends a stopped child too. */
    CHECK_RET(kill(pid, SIGSTOP), 0);
    CHECK_RET(wait4(pid, &st, WUNTRACED, NULL), pid);
    CHECK_RET(kill(pid, SIGKILL), 0);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed status %#x", st);
}

static void g_wnowait(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    siginfo_t si;
    for (int i = 0; i < 2; i++) {
        /* WNOWAIT reports the zombie and leaves it there. */
        memset(&si, 0, sizeof si);
        CHECK_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
        CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_EXITED && si.si_status == 3 &&
                  si.si_pid == pid && si.si_uid == getuid(),
              "waitid WNOWAIT %d: signo %d code %d status %d", i, si.si_signo, si.si_code,
              si.si_status);
    }
    int st;
    CHECK_RET(wait4(-1, &st, 0, NULL), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "status %#x", st);
    CHECK_ERR(waitid(P_PID, pid, &si, WEXITED | WNOHANG), ECHILD);

    /* waitid without WNOWAIT reaps. */
    pid = fork();
    if (pid == 0)
        _exit(4);
    CHECK_RET(waitid(P_ALL, 0, &si, WEXITED), 0);
    CHECK(si.si_pid == pid && si.si_status == 4, "waitid pid %d status %d", si.si_pid,
          si.si_status);
    CHECK_ERR(wait4(pid, &st, WNOHANG, NULL), ECHILD);
}

/* An orphan is re-parented to init, or to the nearest subreaper: natively this program makes
 * itself one; as the guest's init it is init. Either way the orphan's new parent is us. */
static void g_orphan(void)
{
    if (getpid() != 1)
        CHECK_RET(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    pid_t me = getpid();
    int p[2];
    CHECK_RET(pipe(p), 0);
    fflush(stdout);
    pid_t mid = fork();
    if (mid == 0) {
        pid_t orphan = fork();
        if (orphan == 0) {
            pid_t first = getppid();
            for (int i = 0; i < 2000 && getppid() == first; i++)
                nap_ms(1);
            pid_t now = getppid();
            write(p[1], &now, sizeof now);
            _exit(0);
        }
        write(p[1], &orphan, sizeof orphan);
        _exit(0);
    }
    close(p[1]);
    pid_t orphan = 0, newparent = 0;
    CHECK_RET(read(p[0], &orphan, sizeof orphan), sizeof orphan);
    int st;
    CHECK_RET(wait4(mid, &st, 0, NULL), mid);
    CHECK_RET(read(p[0], &newparent, sizeof newparent), sizeof newparent);
    CHECK(newparent == me, "the orphan's parent is not this process");
    /* And it is ours to reap. */
    CHECK_RET(wait4(orphan, &st, 0, NULL), orphan);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "orphan status %#x", st);
    close(p[0]);
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* ---- process groups and sessions ---- */

static void session_checks(void)
{
    pid_t s = getpid();
    CHECK_RET(setsid(), s);
    CHECK_RET(getsid(0), s);
    CHECK_RET(getsid(s), s);
    CHECK_RET(getpgid(0), s);
    CHECK_RET(getpgrp(), s);
    /* A group leader cannot start a session, nor can a session leader change group. */
    CHECK_ERR(setsid(), EPERM);
    CHECK_ERR(setpgid(0, 0), EPERM);

    int go[2], back[2];
    CHECK_RET(pipe(go), 0);
    CHECK_RET(pipe(back), 0);
    fflush(stdout);
    pid_t t = fork();
    if (t == 0) {
        char c;
        /* 1: own group. */
        read(go[0], &c, 1);
        int ok = getpgid(0) == s && setpgid(0, 0) == 0 && getpgid(0) == getpid();
        write(back[1], &ok, sizeof ok);
        /* 2: a session of its own. */
        read(go[0], &c, 1);
        ok = setsid() == getpid() && getsid(0) == getpid();
        write(back[1], &ok, sizeof ok);
        read(go[0], &c, 1);
        _exit(0);
    }
    int ok = 0;
    CHECK_RET(getpgid(t), s);
    CHECK_RET(getsid(t), s);
    CHECK_RET(write(go[1], "1", 1), 1);
    CHECK_RET(read(back[0], &ok, sizeof ok), sizeof ok);
    CHECK(ok, "the child could not make a group of its own");
    CHECK_RET(getpgid(t), t);
    /* The parent moves it back into its group, and out again. */
    CHECK_RET(setpgid(t, s), 0);
    CHECK_RET(getpgid(t), s);
    CHECK_RET(setpgid(t, 0), 0);
    CHECK_RET(getpgid(t), t);
    /* No such group in the session. */
    CHECK_ERR(setpgid(t, 999999), EPERM);
    CHECK_ERR(setpgid(0, -1), EINVAL);
    CHECK_ERR(setpgid(999999, 0), ESRCH);
    CHECK_ERR(getpgid(999999), ESRCH);
    CHECK_ERR(getsid(999999), ESRCH);
    /* A negative pid names no process; a negative group (pgid 0 means the pid) is
     * refused before the pid is looked up. */
    CHECK_ERR(getpgid(-1), ESRCH);
    CHECK_ERR(getsid(-1), ESRCH);
    CHECK_ERR(setpgid(-5, s), ESRCH);
    CHECK_ERR(setpgid(-5, 0), EINVAL);
    CHECK_ERR(setpgid(999999, -1), EINVAL);
    /* A group leader cannot start a session: back into ours first. */
    CHECK_RET(setpgid(t, s), 0);

    CHECK_RET(write(go[1], "2", 1), 1);
    CHECK_RET(read(back[0], &ok, sizeof ok), sizeof ok);
    CHECK(ok, "the child could not make a session of its own");
    CHECK_RET(getsid(t), t);
    /* In another session now: out of reach. */
    CHECK_ERR(setpgid(t, s), EPERM);
    CHECK_ERR(setpgid(t, t), EPERM);
    CHECK_RET(write(go[1], "3", 1), 1);
    /* A zombie keeps its group and session until it is reaped. */
    siginfo_t si;
    CHECK_RET(waitid(P_PID, t, &si, WEXITED | WNOWAIT), 0);
    CHECK_RET(getpgid(t), t);
    CHECK_RET(getsid(t), t);
    int st;
    CHECK_RET(wait4(t, &st, 0, NULL), t);

}

/* A child that has exec'd can no longer be moved to another group by its parent. */
static void g_setpgid_exec(void)
{
    int st;
    int ex[2];
    CHECK_RET(pipe2(ex, O_CLOEXEC), 0);
    fflush(stdout);
    pid_t u = fork();
    if (u == 0) {
        char *argv[] = {"pause", "--pause", NULL};
        close(ex[0]);
        execve(self, argv, environ);
        _exit(127);
    }
    close(ex[1]);
    char c;
    /* EOF once the exec closed the close-on-exec write end. */
    CHECK_RET(read(ex[0], &c, 1), 0);
    CHECK_ERR(setpgid(u, u), EACCES);
    CHECK_ERR(setpgid(u, getpgrp()), EACCES);
    CHECK_RET(getpgid(u), getpgrp());
    CHECK_RET(kill(u, SIGKILL), 0);
    CHECK_RET(wait4(u, &st, 0, NULL), u);
    close(ex[0]);
}

static void g_session(void)
{
    in_child(session_checks);
}

/* ---- credentials ---- */

static void cred_checks(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    CHECK_RET(getresuid(&r, &e, &s), 0);
    CHECK(r == 0 && e == 0 && s == 0, "uids %d %d %d", r, e, s);
    CHECK_RET(setresgid(1000, 1000, 1000), 0);
    CHECK_RET(getresgid(&gr, &ge, &gs), 0);
    CHECK(gr == 1000 && ge == 1000 && gs == 1000, "gids %d %d %d", gr, ge, gs);
    CHECK_RET(setgroups(0, NULL), 0);
    CHECK_RET(getgroups(0, NULL), 0);
    /* Keep root as the saved uid for now. */
    CHECK_RET(setresuid(1000, 1000, 0), 0);
    CHECK_RET(getresuid(&r, &e, &s), 0);
    CHECK(r == 1000 && e == 1000 && s == 0, "uids %d %d %d", r, e, s);
    CHECK_RET(getuid(), 1000);
    CHECK_RET(geteuid(), 1000);

    /* File permission checks use the new ids. */
    CHECK_ERR(open(sp("secret"), O_RDONLY), EACCES);
    CHECK_ERR(access(sp("secret"), R_OK), EACCES);
    int fd = open(sp("public"), O_RDONLY);
    CHECK(fd >= 0, "open public: %s", errname(errno));
    close(fd);
    CHECK_ERR(open(sp("public"), O_WRONLY), EACCES);
    CHECK_ERR(open(sp("new"), O_WRONLY | O_CREAT, 0644), EACCES);
    CHECK_ERR(chmod(sp("public"), 0777), EPERM);
    CHECK_ERR(chown(sp("public"), 1000, 1000), EPERM);
    CHECK_ERR(unlink(sp("public")), EACCES);
    /* Not allowed to signal root's processes (the parent). */
    CHECK_ERR(kill(getppid(), 0), EPERM);
    CHECK_RET(kill(getpid(), 0), 0);

    /* The saved uid lets the effective one go back to root, and return. */
    CHECK_RET(setresuid(-1, 0, -1), 0);
    CHECK_RET(geteuid(), 0);
    fd = open(sp("secret"), O_RDONLY);
    CHECK(fd >= 0, "open secret as euid 0: %s", errname(errno));
    close(fd);
    /* access() checks the real uid. */
    CHECK_ERR(access(sp("secret"), R_OK), EACCES);
    CHECK_RET(seteuid(1000), 0);
    CHECK_RET(getresuid(&r, &e, &s), 0);
    CHECK(r == 1000 && e == 1000 && s == 0, "uids %d %d %d", r, e, s);

    /* All three 1000: root is gone for good. */
    CHECK_RET(setresuid(1000, 1000, 1000), 0);
    CHECK_ERR(setuid(0), EPERM);
    CHECK_ERR(setresuid(-1, 0, -1), EPERM);
    CHECK_ERR(setreuid(0, -1), EPERM);
    CHECK_ERR(setgid(0), EPERM);
    CHECK_ERR(setresgid(0, 0, 0), EPERM);
    gid_t g = 0;
    CHECK_ERR(setgroups(1, &g), EPERM);
    /* Setting to one's own ids is allowed. */
    CHECK_RET(setuid(1000), 0);
    CHECK_RET(setresuid(1000, -1, 1000), 0);
    CHECK_ERR(open(sp("secret"), O_RDONLY), EACCES);
}

static void g_cred(void)
{
    write_file(sp("secret"), "root only\n", 0600);
    write_file(sp("public"), "everyone\n", 0644);
    CHECK_RET(chmod(dir, 0755), 0);
    in_child(cred_checks);
    /* The parent's credentials are untouched. */
    CHECK_RET(getuid(), 0);
    CHECK_RET(getgid(), 0);
}

/* ---- helper modes ---- */

static int helper(int argc, char **argv)
{
    char buf[8192];
    int n = 0;
    if (strncmp(argv[1], "--argv", 6) == 0) {
        n += snprintf(buf + n, sizeof buf - n, "argc=%d\n", argc);
        for (int i = 0; i < argc; i++)
            n += snprintf(buf + n, sizeof buf - n, "argv[%d]=%s\n", i, argv[i]);
        for (char **e = environ; *e; e++)
            n += snprintf(buf + n, sizeof buf - n, "env=%s\n", *e);
    } else if (strcmp(argv[1], "--fds") == 0) {
        for (int i = 2; i < argc; i++)
            n += snprintf(buf + n, sizeof buf - n, "%s:%s\n", argv[i],
                          fcntl(atoi(argv[i]), F_GETFD) >= 0 ? "open" : "closed");
    } else if (strcmp(argv[1], "--pause") == 0) {
        for (;;)
            pause();
    } else {
        return 2;
    }
    write(1, buf, n);
    return 0;
}

static const struct check_group groups[] = {
    {"fork", g_fork},
    {"exec", g_exec},
    {"wait_status", g_wait_status},
    {"wnohang", g_wnohang},
    {"stop_cont", g_stop_cont},
    {"wnowait", g_wnowait},
    {"orphan", g_orphan},
    {"session", g_session},
    {"cred", g_cred},
    {"setpgid_exec", g_setpgid_exec},
    {"core_limit", g_core_limit},
    {"vfork_shares", g_vfork_shares},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc >= 2 && argv[1][0] == '-' && argv[1][1] == '-')
        return helper(argc, argv);
    if (argc < 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: proc /ABSOLUTE/SCRATCH [--guest] [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    scratch = argv[1];
    mkdir(scratch, 0755);
    /* This program, for exec: /proc/self/exe when there is a /proc, else argv[0] (the
     * guest's init is started as /bin/proc). */
    long n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0)
        self[n] = 0;
    else
        snprintf(self, sizeof self, "%s", argv[0]);

    return run_groups(groups, NGROUPS, argc, argv, 2, group_dir);
}
