/*
 * check.h: what the family test programs (fd, proc, sig, vfs, basic) share. Checks print
 * "FAIL GROUP: line N: ..." and count failures; run_groups runs the groups the command
 * line names (every group when it names none) and prints "ok GROUP" for each that passed,
 * then "ok" or "FAIL". Nothing printed depends on the machine, so a native run and a
 * guest run print the same lines.
 */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int failures, group_failures;
/* The group running now, for the FAIL lines. */
static const char *group;

static const char *errname(int err)
{
    const char *n = strerrorname_np(err);
    return n ? n : "?";
}

#define CHECK(cond, ...)                                                                     \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            printf("FAIL %s: line %d: %s: ", group, __LINE__, #cond);                      \
            printf(__VA_ARGS__);                                                           \
            putchar('\n');                                                                 \
            group_failures++;                                                              \
        }                                                                                  \
    } while (0)

/* `call` must return -1 with errno `want`. */
#define CHECK_ERR(call, want)                                                                \
    do {                                                                                   \
        errno = 0;                                                                         \
        long r_ = (long)(call);                                                            \
        int e_ = errno;                                                                    \
        CHECK(r_ == -1 && e_ == (want), "%s returned %ld errno %s, want -1 %s", #call, r_,  \
              e_ ? errname(e_) : "0", errname(want));                                     \
    } while (0)

/* `call` must return `want`. */
#define CHECK_RET(call, want)                                                                \
    do {                                                                                   \
        errno = 0;                                                                         \
        long r_ = (long)(call);                                                            \
        int e_ = errno;                                                                    \
        long w_ = (long)(want);                                                            \
        CHECK(r_ == w_, "%s returned %ld errno %s, want %ld", #call, r_,                   \
              e_ ? errname(e_) : "0", w_);                                                 \
    } while (0)

/* SCRATCH, for the families that take one, and the directory of the running group in it
 * (see group_dir). */
static const char *scratch __attribute__((unused));
static char dir[2048] __attribute__((unused));

/* Gives each group a scratch directory of its own, SCRATCH/GROUP: pass it to run_groups
 * as the setup. */
static inline void group_dir(void)
{
    snprintf(dir, sizeof dir, "%s/%s", scratch, group);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) CHECK(0, "mkdir %s: %s", dir, errname(errno));
}

/* One group of checks. */
struct check_group {
    const char *name;
    void (*run)(void);
};

static inline void run_group(const struct check_group *g, void (*setup)(void))
{
    group = g->name;
    group_failures = 0;
    if (setup) setup();
    g->run();
    if (group_failures == 0) printf("ok %s\n", group);
    failures += group_failures;
}

/* Runs the groups argv[first..] names ("--guest" is not a group), or all of them, each
 * after `setup` (if any); returns the exit status: 0 when every check passed, 1 when one
 * failed, 2 for an unknown group. */
static inline int run_groups(const struct check_group *groups, size_t n, int argc,
                             char **argv, int first, void (*setup)(void))
{
    int named = 0;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--guest") == 0) continue;
        named++;
        size_t g;
        for (g = 0; g < n; g++)
            if (strcmp(argv[i], groups[g].name) == 0) break;
        if (g == n) {
            printf("FAIL unknown group %s\n", argv[i]);
            return 2;
        }
        run_group(&groups[g], setup);
    }
    if (!named)
        for (size_t g = 0; g < n; g++) run_group(&groups[g], setup);
    printf("%s\n", failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}

#endif
