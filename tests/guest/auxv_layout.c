/*
 * auxv_layout: inspect the initial process stack the kernel built for us.
 *
 * Build: gcc -static -O1 -o auxv_layout auxv_layout.c   (or -static-pie)
 *
 * Modes:
 *   auxv_layout [args...]         Check mode. Prints only facts that do not depend on where
 *                                 the stack is (argc, argv and envp strings, the core auxv
 *                                 types present, the fixed auxv values, pointer sanity) so
 *                                 the output of a native run and of a run inside our kernel
 *                                 can be diffed. Exits 0 only if every check passes.
 *   auxv_layout --dump [args...]  Dump mode. Prints sp, the top of the argument area and a
 *                                 hex image of [sp, top) so a test can compare the exact
 *                                 layout with kern::exec::stack::build.
 *
 * The program must be static: with ld.so in between, argv would no longer sit at the
 * entry stack pointer + 8 (ld.so may shift it), and we derive sp from argv.
 */

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#endif
#ifndef AT_RSEQ_ALIGN
#define AT_RSEQ_ALIGN 28
#endif
#ifndef AT_HWCAP3
#define AT_HWCAP3 29
#endif
#ifndef AT_HWCAP4
#define AT_HWCAP4 30
#endif
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* Both symbols are provided by the linker, for static and static-pie alike. */
extern const ElfW(Ehdr) __ehdr_start;
extern char _start[];

/* The order in which Linux's create_elf_tables emits the auxv entries on x86_64. */
static const unsigned long linux_order[] = {
    AT_SYSINFO_EHDR, AT_MINSIGSTKSZ, AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR,
    AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID,
    AT_EGID, AT_SECURE, AT_RANDOM, AT_HWCAP2, AT_HWCAP3, AT_HWCAP4, AT_EXECFN,
    AT_PLATFORM, AT_BASE_PLATFORM, AT_EXECFD, AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN,
};

/*
 * Types every x86_64 Linux >= 5.14 gives a static executable, and which our kernel must give
 * too. vDSO and rseq entries are left out on purpose: their presence depends on features,
 * not on the stack layout this program checks.
 */
static const unsigned long core_types[] = {
    AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID,
    AT_EUID, AT_GID, AT_EGID, AT_PLATFORM, AT_HWCAP, AT_CLKTCK, AT_SECURE,
    AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_MINSIGSTKSZ,
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int failures;

static void check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "NO");
    if (!ok)
        failures++;
}

/* Print a string with everything outside printable ASCII escaped, so output is diffable. */
static void print_escaped(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int rank_of(unsigned long type)
{
    for (size_t i = 0; i < NELEM(linux_order); i++)
        if (linux_order[i] == type)
            return (int)i;
    return -1;
}

static const ElfW(auxv_t) *find_aux(const ElfW(auxv_t) *auxv, unsigned long type)
{
    for (; auxv->a_type != AT_NULL; auxv++)
        if (auxv->a_type == type)
            return auxv;
    return NULL;
}

static unsigned long aux_val(const ElfW(auxv_t) *auxv, unsigned long type)
{
    const ElfW(auxv_t) *a = find_aux(auxv, type);
    return a ? a->a_un.a_val : 0;
}

static int dump(uintptr_t sp, const ElfW(auxv_t) *auxv)
{
    const char *execfn = (const char *)aux_val(auxv, AT_EXECFN);
    if (!execfn) {
        fprintf(stderr, "no AT_EXECFN\n");
        return 1;
    }

    /* Linux leaves one zero word above the filename string: that is the top. */
    uintptr_t top = (uintptr_t)execfn + strlen(execfn) + 1 + sizeof(void *);
    printf("sp %lx\n", (unsigned long)sp);
    printf("top %lx\n", (unsigned long)top);

    const unsigned char *mem = (const unsigned char *)sp;
    for (uintptr_t off = 0; off < top - sp; off += 32) {
        printf("mem %lx ", (unsigned long)off);
        for (uintptr_t i = off; i < off + 32 && i < top - sp; i++)
            printf("%02x", mem[i]);
        putchar('\n');
    }
    return 0;
}

/* Whether `path` names the file this process runs, by inode when /proc is available. */
static int names_self(const char *path, const char *argv0)
{
    struct stat a, b;

    if (strcmp(path, argv0) == 0)
        return 1;
    if (stat(path, &a) != 0 || stat("/proc/self/exe", &b) != 0)
        return 0;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int check_layout(int argc, char **argv, char **envp, uintptr_t sp,
                        const ElfW(auxv_t) *auxv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=", i);
        print_escaped(argv[i]);
        putchar('\n');
    }
    int envc = 0;
    while (envp[envc])
        envc++;
    printf("envc=%d\n", envc);
    for (int i = 0; i < envc; i++) {
        printf("envp[%d]=", i);
        print_escaped(envp[i]);
        putchar('\n');
    }

    printf("auxv core types present:");
    int missing = 0;
    for (size_t i = 0; i < NELEM(core_types); i++) {
        if (find_aux(auxv, core_types[i]))
            printf(" %lu", core_types[i]);
        else
            missing++;
    }
    putchar('\n');
    check("all core auxv types present", missing == 0);

    static const struct {
        const char *name;
        unsigned long type;
    } fixed[] = {
        {"AT_PAGESZ", AT_PAGESZ}, {"AT_PHENT", AT_PHENT}, {"AT_CLKTCK", AT_CLKTCK},
        {"AT_UID", AT_UID},       {"AT_EUID", AT_EUID},   {"AT_GID", AT_GID},
        {"AT_EGID", AT_EGID},     {"AT_SECURE", AT_SECURE}, {"AT_FLAGS", AT_FLAGS},
    };
    for (size_t i = 0; i < NELEM(fixed); i++)
        printf("%s=%lu\n", fixed[i].name, aux_val(auxv, fixed[i].type));

    /* Each known type at most once, in the order Linux emits them. */
    int last_rank = -1, ordered = 1;
    const ElfW(auxv_t) *a = auxv;
    for (; a->a_type != AT_NULL; a++) {
        int r = rank_of(a->a_type);
        if (r < 0)
            continue;
        if (r <= last_rank)
            ordered = 0;
        last_rank = r;
    }
    check("auxv in Linux order", ordered);

    /* The auxv is terminated by AT_NULL with a zero value. */
    check("AT_NULL value is 0", a->a_un.a_val == 0);

    const ElfW(Ehdr) *eh = &__ehdr_start;
    uintptr_t phdr = (uintptr_t)eh + eh->e_phoff;
    check("AT_PHDR is this program's headers", aux_val(auxv, AT_PHDR) == phdr);
    check("AT_PHNUM matches e_phnum", aux_val(auxv, AT_PHNUM) == eh->e_phnum);
    check("AT_PHENT matches e_phentsize", aux_val(auxv, AT_PHENT) == eh->e_phentsize);
    check("AT_ENTRY is _start", aux_val(auxv, AT_ENTRY) == (uintptr_t)_start);
    check("sp%16==0", sp % 16 == 0);

    /* The strings sit packed from argv[0] up: argv, envp, execfn, then a zero word. */
    const char *execfn = (const char *)aux_val(auxv, AT_EXECFN);
    const char *next = argc > 0 ? argv[0] : NULL;
    int packed = next != NULL;
    for (int i = 0; packed && i < argc; i++) {
        packed = argv[i] == next;
        next = argv[i] + strlen(argv[i]) + 1;
    }
    for (int i = 0; packed && i < envc; i++) {
        packed = envp[i] == next;
        next = envp[i] + strlen(envp[i]) + 1;
    }
    packed = packed && execfn == next;
    if (packed) {
        const char *end = execfn + strlen(execfn) + 1;
        for (size_t i = 0; i < sizeof(void *); i++)
            packed = packed && end[i] == 0;
    }
    check("argv, envp and execfn strings packed in order", packed);

    /* Below the strings: platform string, directly below it the 16 random bytes. */
    uintptr_t strings = argc > 0 ? (uintptr_t)argv[0] : 0;
    uintptr_t auxv_end = (uintptr_t)(a + 1);
    const char *platform = (const char *)aux_val(auxv, AT_PLATFORM);
    uintptr_t rnd = aux_val(auxv, AT_RANDOM);
    check("AT_PLATFORM between auxv and strings",
          platform && (uintptr_t)platform >= auxv_end && (uintptr_t)platform < strings);
    if (platform) {
        printf("AT_PLATFORM=");
        print_escaped(platform);
        putchar('\n');
    }
    check("AT_RANDOM 16 bytes below AT_PLATFORM", rnd + 16 == (uintptr_t)platform);
    check("AT_RANDOM inside the stack above sp", rnd > sp && rnd >= auxv_end);
    check("AT_EXECFN inside the stack above sp", (uintptr_t)execfn > sp && execfn && packed);
    check("AT_EXECFN names the executable", execfn && argc > 0 && names_self(execfn, argv[0]));

    /* argc sits at sp, just below argv. */
    check("argc at sp", *(const long *)sp == argc);

    printf("result: %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}

int main(int argc, char **argv, char **envp)
{
    /* For a static program, main receives the very argv pointer the kernel left at sp+8. */
    uintptr_t sp = (uintptr_t)argv - sizeof(long);

    char **e = envp;
    while (*e)
        e++;
    const ElfW(auxv_t) *auxv = (const ElfW(auxv_t) *)(e + 1);

    if (argc > 1 && strcmp(argv[1], "--dump") == 0)
        return dump(sp, auxv);
    return check_layout(argc, argv, envp, sp, auxv);
}
