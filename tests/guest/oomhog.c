/*
 * oomhog MIB: allocates MIB mebibytes in 1 MiB pieces and touches every page, as a
 * program that wants more memory than the machine has. Prints how far it got every
 * 16 MiB; exits 0 if it got everything (the machine had the memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 0;
    if (want <= 0) {
        fprintf(stderr, "usage: oomhog MIB\n");
        return 2;
    }
    for (long i = 0; i < want; i++) {
        char *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        for (long off = 0; off < 1 << 20; off += 4096) p[off] = (char)(i + 1);
        if ((i + 1) % 16 == 0) {
            printf("oomhog: %ld MiB\n", i + 1);
            fflush(stdout);
        }
    }
    printf("oomhog: got all %ld MiB\n", want);
    return 0;
}
