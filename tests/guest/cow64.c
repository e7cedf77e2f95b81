/*
 * Copy-on-write after fork over a 64 MiB private anonymous region: parent and child each
 * write at random places with a seed of their own, then check that the whole region holds
 * exactly what they wrote and nothing of the other's. Prints one line per side and exits 0
 * when both views are right.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define REGION (64UL << 20)
#define WORDS (REGION / sizeof(uint64_t))
#define WRITES 200000

static uint64_t next(uint64_t *s)
{
    /* xorshift64: the same sequence on every system. */
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The value the untouched region holds at word i. */
static uint64_t base_value(uint64_t i)
{
    return i * 0x9e3779b97f4a7c15ULL;
}

/* Writes WRITES random words with `seed`, then checks every word against a shadow copy
 * rebuilt from the base pattern and the same sequence. Returns the number of bad words
 * and leaves the report line in `line`. */
static long scribble_and_check(uint64_t *region, uint64_t seed, uint64_t tag, char *line,
                               size_t len)
{
    uint64_t s = seed;
    for (long k = 0; k < WRITES; k++) {
        uint64_t i = next(&s) % WORDS;
        region[i] = tag ^ i;
    }

    uint8_t *mine = calloc(WORDS / 8 + 1, 1);
    if (!mine) return -1;
    s = seed;
    for (long k = 0; k < WRITES; k++) {
        uint64_t i = next(&s) % WORDS;
        mine[i / 8] |= 1 << (i % 8);
    }

    long bad = 0;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < WORDS; i++) {
        uint64_t want = (mine[i / 8] >> (i % 8)) & 1 ? tag ^ i : base_value(i);
        if (region[i] != want) bad++;
        sum += region[i] * (i | 1);
    }
    free(mine);
    snprintf(line, len, "%s: checksum %016llx, %ld bad words\n",
             tag == 0x1111 ? "parent" : "child", (unsigned long long)sum, bad);
    return bad;
}

int main(void)
{
    uint64_t *region = mmap(0, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (uint64_t i = 0; i < WORDS; i++) region[i] = base_value(i);

    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    char line[128];
    if (pid == 0) {
        long bad = scribble_and_check(region, 0xc0ffee, 0x2222, line, sizeof line);
        fputs(line, stdout);
        fflush(stdout);
        _exit(bad == 0 ? 0 : 1);
    }

    /* Both sides write at once; the parent prints after the child, so the order is fixed. */
    long bad = scribble_and_check(region, 0xbadcafe, 0x1111, line, sizeof line);
    int st;
    if (waitpid(pid, &st, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    fputs(line, stdout);
    int child_ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    printf("child %s, parent %s\n", child_ok ? "ok" : "BAD", bad == 0 ? "ok" : "BAD");
    return child_ok && bad == 0 ? 0 : 1;
}
