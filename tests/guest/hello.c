/*
 * hello: a tiny program whose system calls the strace test can name one by one.
 *
 * Build: gcc -O2 -static -o hello hello.c
 *
 * Opens /etc/hostname (openat, fd 3), reads it (read), closes it, writes "hello strace\n" to
 * stdout with one write(2) and exits with status 3 (exit_group(3)).
 */

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    char buf[64];
    int fd = open("/etc/hostname", O_RDONLY);
    if (fd < 0)
        return 1;
    if (read(fd, buf, sizeof buf) <= 0)
        return 1;
    close(fd);
    if (write(1, "hello strace\n", 13) != 13)
        return 1;
    return 3;
}
