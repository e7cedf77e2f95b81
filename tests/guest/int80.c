/*
 * int80: a 32-bit system call (`int $0x80`) from 64-bit code. The kernel has no 32-bit
 * ABI, so the call must fail with ENOSYS instead of running the 64-bit call with the same
 * number: i386 exit (1) is x86_64 write, and here it would print "oops". Prints the
 * result, then shows that 64-bit calls still work.
 *
 *   int80
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static const char oops[] = "oops\n";
    long ret;
    /* i386 exit(1)... as x86_64 it would be write(1, oops, 5) with these registers. */
    __asm__ volatile("mov $1, %%eax\n\t"
                     "mov $1, %%rdi\n\t"
                     "lea %1, %%rsi\n\t"
                     "mov $5, %%edx\n\t"
                     "mov $1, %%ebx\n\t"
                     "int $0x80\n\t"
                     : "=a"(ret)
                     : "m"(oops)
                     : "rdi", "rsi", "rdx", "rbx", "rcx", "r11", "memory");
    printf("int80 exit: %ld\n", ret);
    printf("getpid after: %s\n", getpid() > 0 ? "ok" : "bad");
    return 0;
}
