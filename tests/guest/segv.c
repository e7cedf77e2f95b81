/*
 * segv: says "before", then stores through a NULL pointer, which must kill it with SIGSEGV
 * (a shell reports 128 + 11 = 139). "after" must never be printed.
 *
 * Build: gcc -O2 -static -o segv segv.c
 *
 * The pointer is read from a volatile object so the compiler cannot see that it is NULL:
 * a visible NULL store is turned into a trap instruction (SIGILL) at -O2.
 */

#include <unistd.h>

static int *volatile null_pointer;

int main(void)
{
    write(1, "before\n", 7);
    *null_pointer = 1;
    write(1, "after\n", 6);
    return 0;
}
