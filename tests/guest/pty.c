/*
 * pty: pseudo-terminals, /dev/ptmx and devpts, compared with Linux line by line.
 *
 * Build: gcc -O2 -static -o pty pty.c
 *
 *   pty FIXTURE [GROUP...]
 *
 * FIXTURE is unused (the programs of tests/guest all take it first). Each group prints
 * what it saw: termios flags, bytes read from either side (escaped), errno names, yes or
 * no for facts whose values differ between machines (pty numbers, pids, owners), so that
 * a native run and a guest run print the same lines. With no GROUP every group runs. The
 * last line is "ok"; the exit status is 0 unless the program could not run at all. The
 * busybox group runs /bin/busybox on a slave: the host's natively, its copy in the image
 * in the guest.
 *
 * Linux hands a master's writes to the slave's line discipline from a work queue, so
 * input and echo arrive a little after the write returns: every read that expects
 * something waits for it with poll, and checks that nothing came end with a marker the
 * other side writes after the fact.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* How long any expected event may take. */
#define WAIT_MS 5000

static const char *errname(int err)
{
    const char *n = strerrorname_np(err);
    return n ? n : "?";
}

/* "0" for success, else the errno's name: what a call returning -1/errno did. */
static const char *res(long r)
{
    static char bufs[8][32];
    static int next;
    char *b = bufs[next++ % 8];
    if (r == -1)
        snprintf(b, sizeof bufs[0], "%s", errname(errno));
    else
        snprintf(b, sizeof bufs[0], "%ld", r);
    return b;
}

/* The outcome of `call`, as res() shows it. Each TRY is a statement of its own where
 * order matters: the arguments of one call run in no set order. */
#define TRY(call) ({ errno = 0; long r_ = (long)(call); res(r_); })

/* Bytes as a C string literal would show them. */
static const char *esc(const char *p, int n)
{
    static char bufs[4][2048];
    static int next;
    static const char hex[] = "0123456789abcdef";
    char *b = bufs[next++ % 4];
    int o = 0;
    for (int i = 0; i < n && o < (int)sizeof bufs[0] - 8; i++) {
        unsigned char c = p[i];
        if (c == '\n' || c == '\r' || c == '\\') {
            b[o++] = '\\';
            b[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        } else if (c < 0x20 || c >= 0x7f) {
            b[o++] = '\\';
            b[o++] = 'x';
            b[o++] = hex[c >> 4];
            b[o++] = hex[c & 15];
        } else {
            b[o++] = c;
        }
    }
    b[o] = 0;
    return b;
}

static int wait_readable(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

/* Reads `fd` until what came ends with `marker` (NULL: until the first read), the
 * descriptor fails or nothing comes for WAIT_MS; returns the bytes. */
static int read_until(int fd, char *buf, int cap, const char *marker)
{
    int n = 0;
    size_t ml = marker ? strlen(marker) : 0;
    while (n < cap - 1) {
        if (!wait_readable(fd, WAIT_MS))
            break;
        int k = read(fd, buf + n, cap - 1 - n);
        if (k <= 0)
            break;
        n += k;
        if (!marker || ((size_t)n >= ml && memcmp(buf + n - ml, marker, ml) == 0))
            break;
    }
    buf[n] = 0;
    return n;
}

/* Prints what the master shows until `marker`. */
static void show_master(const char *what, int m, const char *marker)
{
    char buf[1024];
    int n = read_until(m, buf, sizeof buf, marker);
    printf("%s: master got \"%s\"\n", what, esc(buf, n));
}

/* Reads one cooked line (or what a raw read returns) from the slave and prints it. */
static void show_slave(const char *what, int s)
{
    char buf[1024];
    if (!wait_readable(s, WAIT_MS)) {
        printf("%s: slave read timed out\n", what);
        return;
    }
    errno = 0;
    int n = read(s, buf, sizeof buf);
    if (n < 0)
        printf("%s: slave read %s\n", what, errname(errno));
    else
        printf("%s: slave read %d \"%s\"\n", what, n, esc(buf, n));
}

static void put(int fd, const char *s)
{
    if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
        printf("write of \"%s\" failed: %s\n", esc(s, strlen(s)), errname(errno));
}

/* A fresh unlocked pair, both sides O_NOCTTY; exits when there is none. */
static void open_pair(int *m, int *s)
{
    *m = posix_openpt(O_RDWR | O_NOCTTY);
    if (*m < 0 || grantpt(*m) || unlockpt(*m)) {
        printf("no pty: %s\n", errname(errno));
        exit(1);
    }
    *s = open(ptsname(*m), O_RDWR | O_NOCTTY);
    if (*s < 0) {
        printf("open slave: %s\n", errname(errno));
        exit(1);
    }
}

static int ptn(int m)
{
    unsigned n = 0;
    if (ioctl(m, TIOCGPTN, &n))
        return -1;
    return (int)n;
}

static void set_lflag(int fd, tcflag_t on, tcflag_t off)
{
    struct termios t;
    tcgetattr(fd, &t);
    t.c_lflag = (t.c_lflag | on) & ~off;
    tcsetattr(fd, TCSANOW, &t);
}

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        printf("fork: %s\n", errname(errno));
        exit(1);
    }
    return pid;
}

/* A line a child sends its parent, through `fd`. */
static void tell(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell(int fd, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (write(fd, buf, n) != n)
        _exit(99);
}

/* What a child told, up to its newline (a byte at a time: the next line is not ours). */
static void hear(const char *who, int fd)
{
    char buf[512];
    int n = 0;
    while (n < (int)sizeof buf - 1 && wait_readable(fd, WAIT_MS) && read(fd, buf + n, 1) == 1) {
        if (buf[n] == '\n')
            break;
        n++;
    }
    printf("%s: %s\n", who, n > 0 ? esc(buf, n) : "(nothing)");
}

static const char *how_ended(pid_t pid)
{
    static char buf[64];
    int status;
    if (waitpid(pid, &status, WUNTRACED) != pid)
        snprintf(buf, sizeof buf, "waitpid %s", errname(errno));
    else if (WIFEXITED(status))
        snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "killed by %s", sigabbrev_np(WTERMSIG(status)));
    else if (WIFSTOPPED(status))
        snprintf(buf, sizeof buf, "stopped by %s", sigabbrev_np(WSTOPSIG(status)));
    else
        snprintf(buf, sizeof buf, "status %#x", status);
    return buf;
}

/* ---- groups ---- */

static void g_open(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    printf("posix_openpt: %s\n", m >= 0 ? "yes" : errname(errno));
    int n = ptn(m);
    char want[64];
    snprintf(want, sizeof want, "/dev/pts/%d", n);
    printf("grantpt: %s\n", TRY(grantpt(m)));
    const char *name = ptsname(m);
    printf("ptsname is /dev/pts/TIOCGPTN: %s\n", name && !strcmp(name, want) ? "yes" : "no");

    int lock = -1;
    const char *r = TRY(ioctl(m, TIOCGPTLCK, &lock));
    printf("TIOCGPTLCK: %s %d\n", r, lock);
    printf("open while locked: %s\n", TRY(open(want, O_RDWR | O_NOCTTY)));
    printf("unlockpt: %s\n", TRY(unlockpt(m)));
    r = TRY(ioctl(m, TIOCGPTLCK, &lock));
    printf("TIOCGPTLCK: %s %d\n", r, lock);

    int s = open(want, O_RDWR | O_NOCTTY);
    printf("open slave: %s\n", s >= 0 ? "yes" : errname(errno));
    printf("isatty master %d slave %d\n", isatty(m), isatty(s));
    const char *tn = ttyname(s);
    printf("ttyname(slave) is ptsname: %s\n", tn && !strcmp(tn, want) ? "yes" : "no");

    struct stat st;
    fstat(s, &st);
    printf("slave: chr %d major %u minor is N %s owner is me %s mode has rw- for owner %s\n",
           S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev) == (unsigned)n ? "yes" : "no",
           st.st_uid == geteuid() ? "yes" : "no", (st.st_mode & 0700) == 0600 ? "yes" : "no");
    struct stat st2;
    stat(want, &st2);
    printf("stat path is the open slave: %s\n",
           st.st_ino == st2.st_ino && st.st_dev == st2.st_dev ? "yes" : "no");
    fstat(m, &st);
    printf("master: chr %d rdev %u:%u\n", S_ISCHR(st.st_mode), major(st.st_rdev),
           minor(st.st_rdev));
    stat("/dev/ptmx", &st);
    printf("/dev/ptmx: chr %d rdev %u:%u mode %o\n", S_ISCHR(st.st_mode), major(st.st_rdev),
           minor(st.st_rdev), st.st_mode & 07777);
    stat("/dev/pts", &st);
    printf("/dev/pts: dir %d\n", S_ISDIR(st.st_mode));

    char link[64], target[256] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", s);
    readlink(link, target, sizeof target - 1);
    printf("fd link of the slave is ptsname: %s\n", !strcmp(target, want) ? "yes" : "no");

    int listed = 0, ptmx = 0;
    DIR *d = opendir("/dev/pts");
    for (struct dirent *e; d && (e = readdir(d));) {
        listed |= !strcmp(e->d_name, want + 9) && e->d_type == DT_CHR;
        ptmx |= !strcmp(e->d_name, "ptmx");
    }
    if (d)
        closedir(d);
    printf("/dev/pts lists it %d and ptmx %d\n", listed, ptmx);

    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    snprintf(link, sizeof link, "/proc/self/fd/%d", peer);
    memset(target, 0, sizeof target);
    readlink(link, target, sizeof target - 1);
    printf("TIOCGPTPEER opens the slave: %s\n", peer >= 0 && !strcmp(target, want) ? "yes" : "no");
    put(peer, "via peer\n");
    show_master("peer", m, "\n");
    close(peer);

    /* The node goes with the master; the index stays taken while the slave is open. */
    close(m);
    printf("stat after the master closed: %s\n", TRY(stat(want, &st)));
    printf("open after the master closed: %s\n", TRY(open(want, O_RDWR | O_NOCTTY)));
    close(s);
}

static void g_termios(void)
{
    int m, s;
    open_pair(&m, &s);
    struct termios t, tm;
    /* Zeroed, so that the padding compares equal. */
    memset(&t, 0, sizeof t);
    memset(&tm, 0, sizeof tm);
    const char *ts = TRY(tcgetattr(s, &t));
    const char *tms = TRY(tcgetattr(m, &tm));
    printf("tcgetattr slave %s master %s\n", ts, tms);
    printf("iflag %o oflag %o cflag %o lflag %o line %d\n", t.c_iflag, t.c_oflag, t.c_cflag,
           t.c_lflag, t.c_line);
    printf("cc");
    for (int i = 0; i < 17; i++)
        printf(" %d", t.c_cc[i]);
    printf("\n");
    printf("speed out %d in %d\n", cfgetospeed(&t) == B38400, cfgetispeed(&t) == B38400);
    printf("master sees the slave's termios: %s\n", !memcmp(&t, &tm, sizeof t) ? "yes" : "no");

    struct winsize ws = {1, 1, 1, 1};
    const char *r = TRY(ioctl(s, TIOCGWINSZ, &ws));
    printf("TIOCGWINSZ %s %d %d %d %d\n", r, ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
    int q = -1;
    r = TRY(ioctl(s, FIONREAD, &q));
    printf("FIONREAD slave %s %d", r, q);
    q = -1;
    r = TRY(ioctl(m, FIONREAD, &q));
    printf(" master %s %d\n", r, q);

    /* Setting through the master changes the slave. */
    tm.c_lflag &= ~ECHO;
    printf("tcsetattr master %s\n", TRY(tcsetattr(m, TCSANOW, &tm)));
    tcgetattr(s, &t);
    printf("slave echo now %d\n", !!(t.c_lflag & ECHO));
    struct winsize set = {30, 100, 0, 0};
    printf("TIOCSWINSZ master %s\n", TRY(ioctl(m, TIOCSWINSZ, &set)));
    r = TRY(ioctl(s, TIOCGWINSZ, &ws));
    printf("TIOCGWINSZ slave %s %d %d\n", r, ws.ws_row, ws.ws_col);
    const char *f1 = TRY(tcflush(s, TCIOFLUSH));
    const char *f2 = TRY(tcflush(m, TCIFLUSH));
    const char *d = TRY(tcdrain(s));
    const char *b = TRY(tcsendbreak(s, 0));
    printf("tcflush %s %s tcdrain %s tcsendbreak %s\n", f1, f2, d, b);
    close(s);
    close(m);
}

static void g_canon(void)
{
    int m, s;
    open_pair(&m, &s);
    put(m, "hello\n");
    show_slave("line", s);
    show_master("line", m, "\n");

    put(m, "abc\x7f\x7f"
           "d\n");
    show_slave("erase", s);
    show_master("erase", m, "\n");

    put(m, "hello wor\x17x\x15yz\n");
    show_slave("werase and kill", s);
    show_master("werase and kill", m, "\n");

    put(m, "\x01\x1b\t\n");
    show_slave("control", s);
    show_master("control", m, "\n");

    put(m, "cr\r");
    show_slave("icrnl", s);
    show_master("icrnl", m, "\n");

    /* ^D: a partial line ends without a newline; on an empty line it is end of file. */
    put(m, "ab\x04");
    show_slave("eof partial", s);
    put(m, "\x04");
    show_slave("eof empty", s);
    put(s, "#");
    show_master("eof", m, "#");

    /* A partial line is not readable yet (its echo says the slave has it). */
    put(m, "par");
    show_master("partial", m, "par");
    int q = -1;
    ioctl(s, FIONREAD, &q);
    struct pollfd p = {s, POLLIN, 0};
    int ready = poll(&p, 1, 100);
    printf("partial: FIONREAD %d poll %d\n", q, ready);
    put(m, "tial\n");
    show_slave("partial", s);
    show_master("partial", m, "\n");

    /* Two lines written at once are read one at a time. */
    put(m, "one\ntwo\n");
    show_slave("two lines", s);
    show_slave("two lines", s);
    show_master("two lines", m, "two\r\n");

    /* Without ECHO nothing comes back; ECHONL still echoes the newline. */
    set_lflag(s, 0, ECHO);
    put(m, "secret\n");
    show_slave("noecho", s);
    put(s, "#");
    show_master("noecho", m, "#");
    set_lflag(s, ECHONL, 0);
    put(m, "nl\n");
    show_slave("echonl", s);
    put(s, "#");
    show_master("echonl", m, "#");
    set_lflag(s, ECHO, ECHONL);

    /* Output processing: ONLCR, then none, then OCRNL. */
    put(s, "x\ny\r\n#");
    show_master("onlcr", m, "#");
    struct termios t;
    tcgetattr(s, &t);
    t.c_oflag &= ~ONLCR;
    tcsetattr(s, TCSANOW, &t);
    put(s, "x\n#");
    show_master("no onlcr", m, "#");
    t.c_oflag |= OCRNL;
    tcsetattr(s, TCSANOW, &t);
    put(s, "a\rb#");
    show_master("ocrnl", m, "#");
    t.c_oflag &= ~OPOST;
    tcsetattr(s, TCSANOW, &t);
    put(s, "\r\n#");
    show_master("no opost", m, "#");
    close(s);
    close(m);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void g_raw(void)
{
    int m, s;
    open_pair(&m, &s);
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);

    put(m, "q\r\x03");
    char buf[64];
    int n = 0;
    while (n < 3 && wait_readable(s, WAIT_MS)) {
        int k = read(s, buf + n, sizeof buf - n);
        if (k <= 0)
            break;
        n += k;
    }
    printf("raw: slave read \"%s\"\n", esc(buf, n));
    put(s, "x\n#");
    show_master("raw", m, "#");

    /* VMIN 0, VTIME 0: a read returns at once. */
    t.c_cc[VMIN] = 0;
    tcsetattr(s, TCSANOW, &t);
    printf("vmin 0: read %s\n", TRY(read(s, buf, sizeof buf)));

    /* VMIN 0, VTIME 2: 0 after 0.2 s without input. */
    t.c_cc[VTIME] = 2;
    tcsetattr(s, TCSANOW, &t);
    double t0 = now_ms();
    const char *r = TRY(read(s, buf, sizeof buf));
    double took = now_ms() - t0;
    int on_time = took >= 150 && took < 3000;
    printf("vtime 2: read %s after about 0.2 s: %s\n", r, on_time ? "yes" : "no");

    /* VMIN 3: one read gets all three bytes, whatever way they arrive. */
    t.c_cc[VMIN] = 3;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    put(m, "1");
    put(m, "23");
    printf("vmin 3: read %s\n", TRY(read(s, buf, sizeof buf)));

    /* VMIN 3, VTIME 1: one byte, then the timer ends the read. */
    t.c_cc[VTIME] = 1;
    tcsetattr(s, TCSANOW, &t);
    put(m, "z");
    printf("vmin 3 vtime 1: read %s\n", TRY(read(s, buf, sizeof buf)));

    /* Non-blocking: what there is, or EAGAIN. */
    int fl = fcntl(s, F_GETFL);
    fcntl(s, F_SETFL, fl | O_NONBLOCK);
    printf("nonblock empty: read %s\n", TRY(read(s, buf, sizeof buf)));
    fcntl(s, F_SETFL, fl);

    /* Back to canonical: a half-typed raw input is readable as it is. */
    t.c_lflag |= ICANON | ECHO;
    tcsetattr(s, TCSANOW, &t);
    put(m, "cooked\n");
    show_slave("canonical again", s);
    close(s);
    close(m);
}

static void g_poll(void)
{
    int m, s;
    open_pair(&m, &s);
    struct pollfd p[2] = {{m, POLLIN | POLLOUT, 0}, {s, POLLIN | POLLOUT, 0}};
    int n = poll(p, 2, 0);
    printf("idle: %d master %#x slave %#x\n", n, p[0].revents, p[1].revents);

    /* The slave becomes readable with the line, the master with its echo. */
    put(m, "ab\n");
    p[0].events = p[1].events = POLLIN;
    struct pollfd ps = {s, POLLIN, 0};
    n = poll(&ps, 1, WAIT_MS);
    printf("line: slave %d %#x\n", n, ps.revents);
    struct pollfd pm = {m, POLLIN, 0};
    n = poll(&pm, 1, WAIT_MS);
    printf("echo: master %d %#x\n", n, pm.revents);
    show_slave("poll", s);
    show_master("poll", m, "\n");

    /* select sees the same. */
    put(s, "out");
    fd_set r;
    FD_ZERO(&r);
    FD_SET(m, &r);
    struct timeval tv = {5, 0};
    n = select(m + 1, &r, NULL, NULL, &tv);
    printf("select: %d master readable %d\n", n, FD_ISSET(m, &r) ? 1 : 0);
    show_master("select", m, "out");

    /* A reader blocked in poll wakes when the other side writes. */
    pid_t pid = xfork();
    if (pid == 0) {
        close(m);
        usleep(100000);
        put(s, "late");
        _exit(0);
    }
    pm.revents = 0;
    n = poll(&pm, 1, WAIT_MS);
    printf("wake: master %d %#x\n", n, pm.revents);
    show_master("wake", m, "late");
    printf("child %s\n", how_ended(pid));
    close(s);
    close(m);
}

static volatile sig_atomic_t got_winch;

static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}

static void g_ctty(void)
{
    int m, s;
    open_pair(&m, &s);
    char path[64];
    snprintf(path, sizeof path, "%s", ptsname(m));
    int tp[2];
    if (pipe(tp)) {
        printf("pipe: %s\n", errname(errno));
        return;
    }

    /* No session owns it yet. */
    pid_t pg = -1;
    const char *r = TRY(ioctl(m, TIOCGPGRP, &pg));
    printf("TIOCGPGRP master %s %d\n", r, pg);
    printf("TIOCGSID master %s\n", TRY(ioctl(m, TIOCGSID, &pg)));

    /* A process that is not a session leader can take nothing. */
    pid_t pid = xfork();
    if (pid == 0) {
        close(m);
        pid_t me = getpid();
        const char *sc = TRY(ioctl(s, TIOCSCTTY, 0));
        const char *sp = TRY(ioctl(s, TIOCSPGRP, &me));
        const char *gp = TRY(ioctl(s, TIOCGPGRP, &me));
        const char *nt = TRY(ioctl(s, TIOCNOTTY));
        const char *gs = TRY(ioctl(s, TIOCGSID, &me));
        tell(tp[1], "TIOCSCTTY %s TIOCSPGRP %s TIOCGPGRP %s TIOCNOTTY %s TIOCGSID %s\n", sc,
             sp, gp, nt, gs);
        _exit(0);
    }
    hear("non-leader", tp[0]);
    printf("non-leader %s\n", how_ended(pid));

    /* A session leader takes it with TIOCSCTTY; ^C signals its foreground group. */
    pid = xfork();
    if (pid == 0) {
        close(m);
        setsid();
        const char *sc = TRY(ioctl(s, TIOCSCTTY, 0));
        const char *again = TRY(ioctl(s, TIOCSCTTY, 0));
        pid_t g = -1, sid = -1, me = getpid(), other = getppid();
        const char *gp = TRY(ioctl(s, TIOCGPGRP, &g));
        const char *gs = TRY(ioctl(s, TIOCGSID, &sid));
        const char *own = TRY(ioctl(s, TIOCSPGRP, &me));
        const char *foreign = TRY(ioctl(s, TIOCSPGRP, &other));
        tell(tp[1], "TIOCSCTTY %s again %s TIOCGPGRP %s mine %d TIOCGSID %s mine %d "
             "TIOCSPGRP own %s foreign %s\n", sc, again, gp, g == me, gs, sid == me, own,
             foreign);
        char buf[16];
        for (;;)
            read(s, buf, sizeof buf);
    }
    hear("leader", tp[0]);
    printf("TIOCGPGRP master is the child: %s\n",
           ioctl(m, TIOCGPGRP, &pg) == 0 && pg == pid ? "yes" : "no");
    printf("TIOCGSID master is the child: %s\n",
           ioctl(m, TIOCGSID, &pg) == 0 && pg == pid ? "yes" : "no");

    /* Another session leader cannot take it while the first lives. */
    pid_t other = xfork();
    if (other == 0) {
        close(m);
        setsid();
        tell(tp[1], "TIOCSCTTY %s\n", TRY(ioctl(s, TIOCSCTTY, 0)));
        _exit(0);
    }
    hear("second leader", tp[0]);
    printf("second leader %s\n", how_ended(other));

    put(m, "typed\x03");
    printf("^C: child %s\n", how_ended(pid));
    show_master("^C", m, "^C");

    /* Opening the slave without O_NOCTTY makes it the controlling terminal of a leader
     * that has none; SIGWINCH follows a new size; /dev/tty is the slave. */
    pid = xfork();
    if (pid == 0) {
        close(m);
        setsid();
        signal(SIGWINCH, on_winch);
        int fd = open(path, O_RDWR);
        pid_t sid = -1;
        const char *gs = TRY(ioctl(fd, TIOCGSID, &sid));
        tell(tp[1], "open %s TIOCGSID %s mine %d\n", fd >= 0 ? "yes" : errname(errno), gs,
             sid == getpid());
        while (!got_winch)
            pause();
        struct winsize ws = {0};
        ioctl(fd, TIOCGWINSZ, &ws);
        tell(tp[1], "SIGWINCH, size %d %d\n", ws.ws_row, ws.ws_col);
        int tty = open("/dev/tty", O_RDWR);
        tell(tp[1], "open /dev/tty %s\n", tty >= 0 ? "yes" : errname(errno));
        put(tty, "via /dev/tty\n");
        for (;;)
            pause();
    }
    hear("auto", tp[0]);
    struct winsize ws = {40, 120, 0, 0};
    printf("TIOCSWINSZ master %s\n", TRY(ioctl(m, TIOCSWINSZ, &ws)));
    hear("auto", tp[0]);
    hear("auto", tp[0]);
    show_master("/dev/tty", m, "\n");

    /* Closing the master hangs the slave up: the leader gets SIGHUP. */
    close(m);
    printf("hang-up: child %s\n", how_ended(pid));
    char buf[16];
    printf("hung up: read %s", TRY(read(s, buf, sizeof buf)));
    printf(" write %s", TRY(write(s, "x", 1)));
    struct termios t;
    printf(" tcgetattr %s", TRY(tcgetattr(s, &t)));
    pid_t g = 0;
    printf(" TIOCSPGRP %s\n", TRY(ioctl(s, TIOCSPGRP, &g)));
    struct pollfd p = {s, POLLIN | POLLOUT, 0};
    int n = poll(&p, 1, 0);
    printf("hung up: poll %d %#x\n", n, p.revents);
    close(s);
    close(tp[0]);
    close(tp[1]);
}

static void g_slave_close(void)
{
    int m, s;
    open_pair(&m, &s);
    put(s, "hi\n");
    close(s);
    struct pollfd p = {m, POLLIN | POLLOUT, 0};
    int ready = poll(&p, 1, WAIT_MS);
    printf("poll master %d %#x\n", ready, p.revents);
    char buf[64];
    int n = 0;
    for (;;) {
        errno = 0;
        int k = read(m, buf + n, sizeof buf - n);
        if (k <= 0) {
            printf("read master \"%s\" then %s\n", esc(buf, n), k ? errname(errno) : "0");
            break;
        }
        n += k;
    }

    /* Opening the slave again brings the master back. */
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    printf("reopen slave %s\n", s >= 0 ? "yes" : errname(errno));
    put(s, "again\n");
    show_master("reopened", m, "\n");
    close(s);
    printf("write master with the slave closed %s\n", TRY(write(m, "x", 1)));
    close(m);
}

static void g_errors(void)
{
    int m, s;
    open_pair(&m, &s);
    /* Hidden from the compiler, which would otherwise warn about the writes. */
    static void *volatile bad_ptr = (void *)8;
    void *bad = bad_ptr;
    printf("TIOCGPTN bad %s\n", TRY(ioctl(m, TIOCGPTN, bad)));
    printf("TIOCSPTLCK bad %s\n", TRY(ioctl(m, TIOCSPTLCK, bad)));
    printf("TIOCGPTLCK bad %s\n", TRY(ioctl(m, TIOCGPTLCK, bad)));
    printf("TCGETS bad master %s", TRY(ioctl(m, TCGETS, bad)));
    printf(" slave %s\n", TRY(ioctl(s, TCGETS, bad)));
    printf("TCSETS bad %s\n", TRY(ioctl(s, TCSETS, bad)));
    printf("TIOCGWINSZ bad %s", TRY(ioctl(s, TIOCGWINSZ, bad)));
    printf(" TIOCSWINSZ bad %s\n", TRY(ioctl(m, TIOCSWINSZ, bad)));
    printf("FIONREAD bad master %s", TRY(ioctl(m, FIONREAD, bad)));
    printf(" slave %s\n", TRY(ioctl(s, FIONREAD, bad)));
    printf("unknown ioctl master %s", TRY(ioctl(m, 0x54ff, 0)));
    printf(" slave %s\n", TRY(ioctl(s, 0x54ff, 0)));
    unsigned n;
    printf("TIOCGPTN slave %s", TRY(ioctl(s, TIOCGPTN, &n)));
    printf(" TIOCSPTLCK slave %s\n", TRY(ioctl(s, TIOCSPTLCK, &n)));
    printf("TCFLSH 7 %s\n", TRY(ioctl(s, TCFLSH, 7)));
    pid_t g = -5;
    printf("TIOCSPGRP -5 %s\n", TRY(ioctl(s, TIOCSPGRP, &g)));
    printf("write master bad buffer %s\n", TRY(write(m, bad, 4)));
    printf("write slave bad buffer %s\n", TRY(write(s, bad, 4)));
    int ro = open("/dev/ptmx", O_RDONLY | O_NOCTTY);
    printf("read-only master write %s\n", TRY(write(ro, "x", 1)));
    close(ro);
    printf("lseek master %s\n", TRY(lseek(m, 0, SEEK_SET)));
    printf("open /dev/pts/9999999 %s\n", TRY(open("/dev/pts/9999999", O_RDWR)));
    printf("mkdir in /dev/pts %s\n", TRY(mkdir("/dev/pts/x", 0755)));
    printf("unlink ptmx %s\n", TRY(unlink("/dev/pts/ptmx")));
    close(s);
    close(m);
}

/* busybox on a pty: a shell whose controlling terminal is the slave runs stty and tty,
 * and the master shows what they printed. */
static void g_busybox(void)
{
    int m, s;
    open_pair(&m, &s);
    char path[64];
    snprintf(path, sizeof path, "%s", ptsname(m));
    close(s);
    pid_t pid = xfork();
    if (pid == 0) {
        close(m);
        setsid();
        int fd = open(path, O_RDWR);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
        execl("/bin/busybox", "busybox", "sh", "-c",
              "stty -a; tty; stty rows 20 cols 100; stty size; stty raw -echo; stty -a; "
              "stty -g; stty sane; echo done",
              (char *)NULL);
        _exit(127);
    }
    char buf[8192];
    int n = 0;
    while (n < (int)sizeof buf - 1 && wait_readable(m, WAIT_MS)) {
        int k = read(m, buf + n, sizeof buf - 1 - n);
        if (k <= 0)
            break;
        n += k;
    }
    buf[n] = 0;
    /* The pty's number differs between machines. */
    char *at = strstr(buf, "/dev/pts/");
    if (at) {
        char *digits = at + 9, *end = digits;
        while (*end >= '0' && *end <= '9')
            end++;
        *digits = 'N';
        memmove(digits + 1, end, strlen(end) + 1);
    }
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        printf("busybox: %s\n", esc(line, strlen(line)));
    printf("busybox: %s\n", how_ended(pid));
    close(m);
}

struct group {
    const char *name;
    void (*fn)(void);
};

static const struct group groups[] = {
    {"open", g_open},   {"termios", g_termios}, {"canon", g_canon},
    {"raw", g_raw},     {"poll", g_poll},       {"ctty", g_ctty},
    {"slave_close", g_slave_close}, {"errors", g_errors}, {"busybox", g_busybox},
};
#define NGROUPS (sizeof groups / sizeof groups[0])

static void run(size_t g)
{
    printf("== %s\n", groups[g].name);
    groups[g].fn();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pty FIXTURE [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Writes to a hung-up slave must fail, not kill. */
    signal(SIGPIPE, SIG_IGN);
    /* As init in the guest nothing has mounted /proc, which ttyname and the fd links need. */
    if (access("/proc/self", F_OK) != 0 && mount("proc", "/proc", "proc", 0, NULL) != 0)
        printf("cannot mount /proc: %s\n", errname(errno));

    if (argc == 2) {
        for (size_t g = 0; g < NGROUPS; g++)
            run(g);
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
        run(g);
    }
    printf("ok\n");
    return 0;
}
