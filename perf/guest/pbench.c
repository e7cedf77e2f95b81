/*
 * pbench: the guest side of the benchmark suite (`cargo run -p perf --release -- run`).
 *
 * The same static binary runs natively on the host, as init inside the kernel, and as init
 * inside User-Mode Linux, so every system is measured by identical code. The harness reads
 * only the lines that start with "@pbench":
 *
 *   @pbench SPEC sample VALUE          one round's result, in the unit the harness declares
 *   @pbench SPEC unsupported REASON    the system could not run SPEC (a failed system call,
 *                                      wrong data, no progress); no number is made up
 *   @pbench SPEC done                  SPEC finished (after its samples or its refusal)
 *   @pbench end                        every SPEC was attempted
 *
 * usage: pbench ROUNDS ROUND_MS SPEC...
 *
 *   getppid                 µs per intercepted system call
 *   yield                   µs per sched_yield ping-pong round trip between two processes
 *   pipe                    µs per one-byte pipe round trip between two processes
 *   yield:split, pipe:split the same with the two processes pinned to CPUs 0 and 1
 *   fork                    µs per fork + _exit + waitpid
 *   exec:PATH               µs per fork + execve(PATH) + waitpid (PATH must exit 0)
 *   spawn:PATH              µs per posix_spawn(PATH) + waitpid
 *   fault                   µs per first touch of a fresh anonymous page
 *   read:PATH,SUM           MiB/s reading PATH sequentially with read(2)
 *   mmap:PATH,SUM           MiB/s reading PATH sequentially through a private mapping
 *                           (SUM: the expected sum of the first u64 of each 64-byte line)
 *   cpu:WORK                ms of wall time for one process doing WORK steps of CPU work
 *   procs:K,WORK            ms of wall time for K processes at once, each doing WORK steps
 *   speedup:N,WORK          N x t(1 process) / t(N processes at once), each doing WORK steps
 *
 * A round is sized to last about ROUND_MS milliseconds (calibrated on the spot, the calibration
 * runs doubling as warm-up). When this program is pid 1 it powers the machine off at the end,
 * so a User-Mode Linux run ends by itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L
#define MAX_FAULT_PAGES 16384L /* 64 MiB: fits every guest's memory */
#define STALL_SECONDS 3.0      /* a hand-off that makes no progress for this long fails */

static char reason[256];

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return -1;
}

static int fail_errno(const char *what)
{
    return fail("%s: %s (errno %d)", what, strerror(errno), errno);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Reaps pid and checks that it exited with `want`. */
static int reap(pid_t pid, int want, const char *what)
{
    int st;
    pid_t r;
    do r = waitpid(pid, &st, 0); while (r < 0 && errno == EINTR);
    if (r < 0) return fail_errno("waitpid");
    if (r != pid) return fail("waitpid returned %d, not %d", (int)r, (int)pid);
    if (!WIFEXITED(st)) return fail("%s: child did not exit normally (status %#x)", what, st);
    if (WEXITSTATUS(st) != want)
        return fail("%s: child exited %d, expected %d", what, WEXITSTATUS(st), want);
    return 0;
}

/* ---- one run of n operations; returns 0 and the elapsed seconds, or -1 and a reason ---- */

static int run_getppid(long n, double *sec)
{
    pid_t want = getppid();
    double t0 = now();
    for (long i = 0; i < n; i++)
        if (syscall(SYS_getppid) != want) return fail("getppid changed its answer");
    *sec = now() - t0;
    return 0;
}

/* yield:split and pipe:split: the parent runs on CPU 0 and its partner on CPU 1. */
static int split_cpus;
static cpu_set_t saved_mask;

static int pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

/* Pins the caller to CPU 0 when split, remembering its mask for unpin(). */
static int pin_parent(void)
{
    if (!split_cpus) return 0;
    if (sched_getaffinity(0, sizeof saved_mask, &saved_mask) < 0)
        return fail_errno("sched_getaffinity");
    /* Tried here first, so that a system with one CPU says so instead of stalling. */
    if (pin_to(1) < 0) return fail_errno("sched_setaffinity to CPU 1");
    if (pin_to(0) < 0) return fail_errno("sched_setaffinity to CPU 0");
    return 0;
}

static void unpin_parent(void)
{
    if (split_cpus) sched_setaffinity(0, sizeof saved_mask, &saved_mask);
}

/* In the child: moves to CPU 1 when split; exits 5 when it cannot (no second CPU). */
static void pin_child(void)
{
    if (split_cpus && pin_to(1) < 0) _exit(5);
}

/* Two processes take turns through a shared word, each yielding the CPU while it waits. */
static int run_yield(long n, double *sec)
{
    volatile long *turn = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (turn == MAP_FAILED) return fail_errno("mmap MAP_SHARED|MAP_ANONYMOUS");
    *turn = 0;
    if (pin_parent() < 0) { munmap((void *)turn, PAGE); return -1; }
    pid_t pid = fork();
    if (pid < 0) { unpin_parent(); munmap((void *)turn, PAGE); return fail_errno("fork"); }
    if (pid == 0) {
        pin_child();
        double last = now();
        for (long i = 0; i < n; i++) {
            long spins = 0;
            while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 2 * i + 1) {
                sched_yield();
                if ((++spins & 1023) == 0 && now() - last > STALL_SECONDS) _exit(3);
            }
            __atomic_store_n(turn, 2 * i + 2, __ATOMIC_RELEASE);
            last = now();
        }
        _exit(0);
    }
    int rc = 0;
    double t0 = now(), last = t0;
    for (long i = 0; i < n && rc == 0; i++) {
        __atomic_store_n(turn, 2 * i + 1, __ATOMIC_RELEASE);
        long spins = 0;
        while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 2 * i + 2) {
            sched_yield();
            if ((++spins & 1023) == 0 && now() - last > STALL_SECONDS) {
                rc = fail("no hand-off for %.0f s: is the MAP_SHARED page shared with the child?",
                          STALL_SECONDS);
                kill(pid, SIGKILL);
                break;
            }
        }
        last = now();
    }
    *sec = now() - t0;
    if (rc == 0) rc = reap(pid, 0, "yield partner");
    else waitpid(pid, 0, 0);
    unpin_parent();
    munmap((void *)turn, PAGE);
    return rc;
}

static int run_pipe(long n, double *sec)
{
    int to_child[2], to_parent[2];
    if (pipe(to_child) < 0) return fail_errno("pipe");
    if (pipe(to_parent) < 0) {
        close(to_child[0]); close(to_child[1]);
        return fail_errno("pipe");
    }
    if (pin_parent() < 0) {
        close(to_child[0]); close(to_child[1]); close(to_parent[0]); close(to_parent[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        unpin_parent();
        close(to_child[0]); close(to_child[1]); close(to_parent[0]); close(to_parent[1]);
        return fail_errno("fork");
    }
    if (pid == 0) {
        pin_child();
        close(to_child[1]); close(to_parent[0]);
        unsigned char c;
        ssize_t r;
        while ((r = read(to_child[0], &c, 1)) == 1) {
            c++;
            if (write(to_parent[1], &c, 1) != 1) _exit(3);
        }
        _exit(r == 0 ? 0 : 4);
    }
    close(to_child[0]); close(to_parent[1]);
    int rc = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)i, back;
        if (write(to_child[1], &c, 1) != 1) { rc = fail_errno("pipe write"); break; }
        ssize_t r = read(to_parent[0], &back, 1);
        if (r != 1) { rc = r < 0 ? fail_errno("pipe read") : fail("pipe read: early EOF"); break; }
        if (back != (unsigned char)(c + 1)) { rc = fail("pipe carried a wrong byte"); break; }
    }
    *sec = now() - t0;
    close(to_child[1]);
    if (rc == 0) rc = reap(pid, 0, "pipe partner");
    else { kill(pid, SIGKILL); waitpid(pid, 0, 0); }
    unpin_parent();
    close(to_parent[0]);
    return rc;
}

static int run_fork(long n, double *sec)
{
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return fail_errno("fork");
        if (pid == 0) _exit(7);
        if (reap(pid, 7, "fork") < 0) return -1;
    }
    *sec = now() - t0;
    return 0;
}

static const char *exec_path;

static int run_exec(long n, double *sec)
{
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return fail_errno("fork");
        if (pid == 0) {
            char *argv[] = {(char *)exec_path, 0};
            char *envp[] = {0};
            execve(exec_path, argv, envp);
            _exit(127);
        }
        if (reap(pid, 0, "execve") < 0) return -1;
    }
    *sec = now() - t0;
    return 0;
}

/* posix_spawn: glibc's clone(CLONE_VM | CLONE_VFORK), so the child runs in the parent's
 * memory until it execs. */
static int run_spawn(long n, double *sec)
{
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pid_t pid;
        char *argv[] = {(char *)exec_path, 0};
        char *envp[] = {0};
        int e = posix_spawn(&pid, exec_path, NULL, NULL, argv, envp);
        if (e != 0) {
            errno = e;
            return fail_errno("posix_spawn");
        }
        if (reap(pid, 0, "posix_spawn") < 0) return -1;
    }
    *sec = now() - t0;
    return 0;
}

static int run_fault(long n, double *sec)
{
    char *m = mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return fail_errno("mmap anonymous");
    double t0 = now();
    for (long i = 0; i < n; i++) m[i * PAGE] = 1;
    *sec = now() - t0;
    for (long i = 0; i < n; i++)
        if (m[i * PAGE] != 1) { munmap(m, n * PAGE); return fail("a touched page lost its byte"); }
    munmap(m, n * PAGE);
    return 0;
}

static const char *file_path;
static uint64_t file_sum;
static long file_size;

/* The sum of the first u64 of every 64-byte line: touches each line, costs little. */
static uint64_t line_sum(const unsigned char *p, long len)
{
    uint64_t s = 0;
    for (long off = 0; off + 8 <= len; off += 64) {
        uint64_t v;
        memcpy(&v, p + off, 8);
        s += v;
    }
    return s;
}

static int run_read(long n, double *sec)
{
    static unsigned char buf[1 << 16];
    double t0 = now();
    for (long i = 0; i < n; i++) {
        int fd = open(file_path, O_RDONLY);
        if (fd < 0) return fail_errno("open");
        uint64_t s = 0;
        long total = 0;
        for (;;) {
            ssize_t r = read(fd, buf, sizeof buf);
            if (r < 0) { close(fd); return fail_errno("read"); }
            if (r == 0) break;
            if (r % 64) { close(fd); return fail("short read of %zd bytes mid-file", r); }
            s += line_sum(buf, r);
            total += r;
        }
        close(fd);
        if (total != file_size) return fail("read %ld bytes, the file has %ld", total, file_size);
        if (s != file_sum) return fail("read returned wrong data (checksum mismatch)");
    }
    *sec = now() - t0;
    return 0;
}

static int run_mmap(long n, double *sec)
{
    double t0 = now();
    for (long i = 0; i < n; i++) {
        int fd = open(file_path, O_RDONLY);
        if (fd < 0) return fail_errno("open");
        unsigned char *p = mmap(0, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) { close(fd); return fail_errno("mmap of a file"); }
        uint64_t s = line_sum(p, file_size);
        munmap(p, file_size);
        close(fd);
        if (s != file_sum) return fail("the mapping showed wrong data (checksum mismatch)");
    }
    *sec = now() - t0;
    return 0;
}

/* ---- CPU-bound work ---- */

static long cpu_work;

static uint64_t spin(long steps)
{
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < steps; i++) x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x;
}

/* k processes (k == 1: this one, no fork) each doing cpu_work steps; wall time in seconds. */
static int cpu_procs(int k, double *sec)
{
    pid_t pids[64];
    double t0 = now();
    if (k == 1) {
        volatile uint64_t sink = spin(cpu_work);
        (void)sink;
        *sec = now() - t0;
        return 0;
    }
    for (int j = 0; j < k; j++) {
        pids[j] = fork();
        if (pids[j] < 0) {
            int e = errno;
            for (int q = 0; q < j; q++) { kill(pids[q], SIGKILL); waitpid(pids[q], 0, 0); }
            errno = e;
            return fail_errno("fork");
        }
        if (pids[j] == 0) {
            volatile uint64_t sink = spin(cpu_work);
            (void)sink;
            _exit(0);
        }
    }
    for (int j = 0; j < k; j++)
        if (reap(pids[j], 0, "cpu worker") < 0) return -1;
    *sec = now() - t0;
    return 0;
}

/* ---- driver ---- */

enum kind { PER_OP_US, MIB_PER_S, WALL_MS, SPEEDUP };

struct bench {
    const char *name;
    int (*run)(long n, double *sec);
    enum kind kind;
    long max_n;
};

static const struct bench benches[] = {
    {"getppid", run_getppid, PER_OP_US, 0},
    {"yield", run_yield, PER_OP_US, 0},
    {"pipe", run_pipe, PER_OP_US, 0},
    {"fork", run_fork, PER_OP_US, 0},
    {"exec", run_exec, PER_OP_US, 0},
    {"spawn", run_spawn, PER_OP_US, 0},
    {"fault", run_fault, PER_OP_US, MAX_FAULT_PAGES},
    {"read", run_read, MIB_PER_S, 0},
    {"mmap", run_mmap, MIB_PER_S, 0},
    {"cpu", 0, WALL_MS, 0},
    {"speedup", 0, SPEEDUP, 0},
    {"procs", 0, WALL_MS, 0},
};

static void say(const char *spec, const char *fmt, ...)
{
    va_list ap;
    printf("@pbench %s ", spec);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static int setup_file(const char *spec, char *args)
{
    char *comma = args ? strrchr(args, ',') : 0;
    if (!comma) { say(spec, "unsupported bad spec: want PATH,SUM"); return -1; }
    *comma = 0;
    file_path = args;
    file_sum = strtoull(comma + 1, 0, 10);
    struct stat st;
    if (stat(file_path, &st) < 0) {
        fail_errno("stat");
        say(spec, "unsupported %s", reason);
        return -1;
    }
    file_size = st.st_size;
    return 0;
}

static void run_spec(const char *spec, int rounds, double round_s)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", spec);
    char *args = strchr(copy, ':');
    if (args) *args++ = 0;

    const struct bench *b = 0;
    for (size_t i = 0; i < sizeof benches / sizeof *benches; i++)
        if (!strcmp(benches[i].name, copy)) b = &benches[i];
    if (!b) { say(spec, "unsupported unknown benchmark"); goto done; }

    if (b->kind == WALL_MS || b->kind == SPEEDUP) {
        int k = 1;
        if (b->kind == SPEEDUP || !strcmp(b->name, "procs")) {
            k = args ? atoi(args) : 0;
            args = args ? strchr(args, ',') : 0;
            if (args) args++;
            if (k < 1 || k > 64) { say(spec, "unsupported bad process count"); goto done; }
        }
        cpu_work = args ? atol(args) : 0;
        if (cpu_work <= 0) { say(spec, "unsupported bad WORK"); goto done; }
        double t1, tk;
        if (cpu_procs(k, &tk) < 0) { say(spec, "unsupported %s", reason); goto done; } /* warm-up */
        for (int r = 0; r < rounds; r++) {
            if (b->kind == WALL_MS) {
                if (cpu_procs(k, &tk) < 0) { say(spec, "unsupported %s", reason); goto done; }
                say(spec, "sample %.6f", tk * 1e3);
                continue;
            }
            if (cpu_procs(1, &t1) < 0) { say(spec, "unsupported %s", reason); goto done; }
            if (cpu_procs(k, &tk) < 0) { say(spec, "unsupported %s", reason); goto done; }
            say(spec, "sample %.6f", k * t1 / tk);
        }
        goto done;
    }

    split_cpus = 0;
    if (b->run == run_yield || b->run == run_pipe) {
        if (args && !strcmp(args, "split")) split_cpus = 1;
        else if (args) { say(spec, "unsupported bad spec: want %s or %s:split", copy, copy); goto done; }
    }
    if (b->run == run_exec || b->run == run_spawn) {
        if (!args || !*args) { say(spec, "unsupported bad spec: want %s:PATH", copy); goto done; }
        exec_path = args;
    }
    if (b->run == run_read || b->run == run_mmap)
        if (setup_file(spec, args) < 0) goto done;

    /* Calibrate: double n until a run lasts an eighth of a round, then scale up. */
    long n = 1;
    double sec = 0;
    for (;;) {
        if (b->run(n, &sec) < 0) { say(spec, "unsupported %s", reason); goto done; }
        if (sec >= round_s / 8 || (b->max_n && n >= b->max_n)) break;
        long grow = sec > 0 ? (long)(round_s / 8 / sec) + 1 : 16;
        n *= grow < 2 ? 2 : grow > 16 ? 16 : grow;
        if (b->max_n && n > b->max_n) n = b->max_n;
    }
    long per_round = sec > 0 ? (long)(n * round_s / sec) : n;
    if (per_round < 1) per_round = 1;
    if (b->max_n && per_round > b->max_n) per_round = b->max_n;

    for (int r = 0; r < rounds; r++) {
        if (b->run(per_round, &sec) < 0) { say(spec, "unsupported %s", reason); goto done; }
        if (b->kind == PER_OP_US) say(spec, "sample %.6f", sec / per_round * 1e6);
        else say(spec, "sample %.6f", (double)file_size * per_round / (1 << 20) / sec);
    }
done:
    say(spec, "done");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s ROUNDS ROUND_MS SPEC...\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]);
    double round_s = atof(argv[2]) / 1e3;
    if (rounds < 1) rounds = 1;
    if (round_s <= 0) round_s = 0.05;
    for (int i = 3; i < argc; i++) {
        /* A kernel may append words of its own for init (UML adds console=tty0): skip them. */
        char *eq = strchr(argv[i], '='), *colon = strchr(argv[i], ':');
        if (eq && (!colon || eq < colon)) continue;
        run_spec(argv[i], rounds, round_s);
    }
    printf("@pbench end\n");
    fflush(stdout);
    if (getpid() == 1) {
        sync();
        reboot(RB_POWER_OFF); /* User-Mode Linux halts here; a kernel without reboot returns */
    }
    return 0;
}
