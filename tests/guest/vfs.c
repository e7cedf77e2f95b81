/*
 * vfs: the file system calls (create, truncate, unlink, rename, directories, links,
 * permissions, times, special files, statx, access, getdents64, statfs, cwd, chroot, open
 * flags), with Linux's results and errnos.
 *
 *   vfs SCRATCH [--guest] [GROUP...]
 *
 * SCRATCH is an absolute path to a writable directory (created when missing); each group
 * works in a fresh subdirectory of it named after the group. Natively SCRATCH lies on
 * whatever file system the host has, so checks that depend on the file system type (statfs
 * magic numbers, timestamp granularity) run only with --guest, which the guest run passes:
 * there SCRATCH is on the ext2 root. Groups print "ok GROUP" or "FAIL GROUP: ..." lines;
 * nothing printed depends on the machine. With no GROUP every group runs. The last line is
 * "ok" or "FAIL". The program runs as root.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int in_guest;

#include "check.h"

static char *sp(const char *name)
{
    static char bufs[8][4096];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static void put(const char *name, const char *text)
{
    int fd = open(sp(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "create %s: %s", name, errname(errno));
    if (fd >= 0) {
        if (text)
            CHECK_RET(write(fd, text, strlen(text)), (long)strlen(text));
        close(fd);
    }
}

/* The contents of `name` (at most 255 bytes), or "<errno name>". */
static const char *get(const char *name)
{
    static char buf[256];
    int fd = open(sp(name), O_RDONLY);
    if (fd < 0) {
        snprintf(buf, sizeof buf, "<%s>", errname(errno));
        return buf;
    }
    long n = read(fd, buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    close(fd);
    return buf;
}

static long size_of(const char *name)
{
    struct stat st;
    return stat(sp(name), &st) < 0 ? -errno : st.st_size;
}

/* ---- files ---- */

static void g_files(void)
{
    put("f", "hello world");
    CHECK(strcmp(get("f"), "hello world") == 0, "read back '%s'", get("f"));
    /* truncate grows with zeros and shrinks. */
    CHECK_RET(truncate(sp("f"), 20), 0);
    CHECK(size_of("f") == 20, "size %ld", size_of("f"));
    int fd = open(sp("f"), O_RDONLY);
    char buf[32];
    CHECK_RET(read(fd, buf, sizeof buf), 20);
    CHECK(memcmp(buf, "hello world\0\0\0\0\0\0\0\0\0", 20) == 0, "grown part not zero");
    close(fd);
    CHECK_RET(truncate(sp("f"), 5), 0);
    CHECK(strcmp(get("f"), "hello") == 0, "after truncate '%s'", get("f"));
    CHECK_ERR(truncate(sp("f"), -1), EINVAL);
    CHECK_ERR(truncate(dir, 0), EISDIR);
    CHECK_ERR(truncate(sp("missing"), 0), ENOENT);
    fd = open(sp("f"), O_RDWR);
    CHECK_RET(ftruncate(fd, 2), 0);
    CHECK(strcmp(get("f"), "he") == 0, "after ftruncate '%s'", get("f"));
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    close(fd);
    fd = open(sp("f"), O_RDONLY);
    CHECK_ERR(ftruncate(fd, 0), EINVAL);
    close(fd);

    /* An unlinked file lives on while open. */
    fd = open(sp("f"), O_RDONLY);
    CHECK_RET(unlink(sp("f")), 0);
    CHECK_ERR(unlink(sp("f")), ENOENT);
    struct stat st;
    CHECK_RET(fstat(fd, &st), 0);
    CHECK(st.st_nlink == 0, "nlink %ld after unlink", (long)st.st_nlink);
    CHECK_RET(read(fd, buf, sizeof buf), 2);
    close(fd);
    CHECK_ERR(unlink(dir), EISDIR);
    CHECK_ERR(unlink(sp("missing/x")), ENOENT);
    put("g", NULL);
    CHECK_ERR(unlink(sp("g/x")), ENOTDIR);
    CHECK_RET(unlinkat(AT_FDCWD, sp("g"), 0), 0);
    CHECK_ERR(unlinkat(AT_FDCWD, sp("g"), 0x1000), EINVAL);
}

static void g_rename(void)
{
    put("a", "A");
    put("b", "B");
    CHECK_RET(mkdir(sp("d1"), 0755), 0);
    CHECK_RET(mkdir(sp("d2"), 0755), 0);

    /* Over an existing file: replaced. */
    CHECK_RET(rename(sp("a"), sp("b")), 0);
    CHECK(strcmp(get("b"), "A") == 0, "b holds '%s'", get("b"));
    CHECK_ERR(access(sp("a"), F_OK), ENOENT);
    /* Across directories, and back. */
    CHECK_RET(rename(sp("b"), sp("d1/b")), 0);
    CHECK(strcmp(get("d1/b"), "A") == 0, "d1/b holds '%s'", get("d1/b"));
    CHECK_RET(rename(sp("d1/b"), sp("d2/c")), 0);
    CHECK(strcmp(get("d2/c"), "A") == 0, "d2/c holds '%s'", get("d2/c"));
    /* Onto itself: nothing happens. */
    CHECK_RET(rename(sp("d2/c"), sp("d2/c")), 0);
    /* Two links of one inode: nothing happens, both stay. */
    CHECK_RET(link(sp("d2/c"), sp("d2/c2")), 0);
    CHECK_RET(rename(sp("d2/c"), sp("d2/c2")), 0);
    CHECK_RET(access(sp("d2/c"), F_OK), 0);
    CHECK_RET(unlink(sp("d2/c2")), 0);

    /* Directories: over an empty one fine, a non-empty one not, file and dir don't mix. */
    CHECK_RET(mkdir(sp("e"), 0755), 0);
    CHECK_RET(rename(sp("d1"), sp("e")), 0);
    CHECK_ERR(access(sp("d1"), F_OK), ENOENT);
    put("f", "F");
    CHECK_ERR(rename(sp("e"), sp("d2")), ENOTEMPTY);
    CHECK_ERR(rename(sp("f"), sp("e")), EISDIR);
    CHECK_ERR(rename(sp("e"), sp("f")), ENOTDIR);
    /* Into its own subdirectory. */
    CHECK_ERR(rename(sp("d2"), sp("d2/sub")), EINVAL);
    CHECK_ERR(rename(sp("missing"), sp("x")), ENOENT);
    CHECK_ERR(rename(sp("f"), sp("missing/x")), ENOENT);

    /* renameat2 flags. */
    put("g", "G");
    CHECK_ERR(renameat2(AT_FDCWD, sp("f"), AT_FDCWD, sp("g"), RENAME_NOREPLACE), EEXIST);
    CHECK_RET(renameat2(AT_FDCWD, sp("f"), AT_FDCWD, sp("h"), RENAME_NOREPLACE), 0);
    CHECK_RET(renameat2(AT_FDCWD, sp("h"), AT_FDCWD, sp("g"), RENAME_EXCHANGE), 0);
    CHECK(strcmp(get("g"), "F") == 0 && strcmp(get("h"), "G") == 0, "exchange: g '%s'",
          get("g"));
    /* A file and a directory can trade places too. */
    CHECK_RET(renameat2(AT_FDCWD, sp("h"), AT_FDCWD, sp("e"), RENAME_EXCHANGE), 0);
    CHECK(strcmp(get("e"), "G") == 0, "exchanged e holds '%s'", get("e"));
    struct stat st;
    CHECK_RET(stat(sp("h"), &st), 0);
    CHECK(S_ISDIR(st.st_mode), "h is not the directory now");
    CHECK_ERR(renameat2(AT_FDCWD, sp("g"), AT_FDCWD, sp("none"), RENAME_EXCHANGE), ENOENT);
    CHECK_ERR(renameat2(AT_FDCWD, sp("g"), AT_FDCWD, sp("e"),
                        RENAME_EXCHANGE | RENAME_NOREPLACE),
              EINVAL);
    CHECK_ERR(renameat2(AT_FDCWD, sp("g"), AT_FDCWD, sp("e"), 0x100), EINVAL);
}

static void g_dirs(void)
{
    CHECK_RET(mkdir(sp("d"), 0755), 0);
    CHECK_ERR(mkdir(sp("d"), 0755), EEXIST);
    put("f", NULL);
    CHECK_ERR(mkdir(sp("f"), 0755), EEXIST);
    CHECK_ERR(mkdir(sp("missing/d"), 0755), ENOENT);
    CHECK_ERR(mkdir(sp("f/d"), 0755), ENOTDIR);
    CHECK_RET(mkdir(sp("d/sub"), 0755), 0);
    CHECK_ERR(rmdir(sp("d")), ENOTEMPTY);
    CHECK_ERR(rmdir(sp("f")), ENOTDIR);
    CHECK_ERR(rmdir(sp("missing")), ENOENT);
    CHECK_ERR(rmdir(sp("d/sub/.")), EINVAL);
    CHECK_ERR(rmdir(sp("d/sub/..")), ENOTEMPTY);
    CHECK_RET(rmdir(sp("d/sub/")), 0);
    CHECK_RET(rmdir(sp("d")), 0);
    CHECK_ERR(rmdir(sp("d")), ENOENT);
    /* A trailing slash names a directory only. */
    CHECK_ERR(open(sp("f/"), O_RDONLY), ENOTDIR);
    CHECK_ERR(mkdir("/", 0755), EEXIST);
    CHECK_ERR(rmdir("/"), EBUSY);
    CHECK_ERR(rmdir("//"), EBUSY);
    CHECK_ERR(unlink("/"), EISDIR);
    CHECK_RET(mkdir(sp("d"), 0755), 0);
    CHECK_ERR(unlink(sp("d/.")), EISDIR);
    CHECK_ERR(unlink(sp("d/..")), EISDIR);
    CHECK_RET(rmdir(sp("d")), 0);
}

static void g_links(void)
{
    put("f", "data");
    CHECK_RET(link(sp("f"), sp("hard")), 0);
    struct stat a, b;
    CHECK_RET(stat(sp("f"), &a), 0);
    CHECK_RET(stat(sp("hard"), &b), 0);
    CHECK(a.st_ino == b.st_ino && a.st_nlink == 2, "link: same inode %d nlink %ld",
          a.st_ino == b.st_ino, (long)a.st_nlink);
    CHECK_ERR(link(sp("f"), sp("hard")), EEXIST);
    CHECK_ERR(link(dir, sp("dirlink")), EPERM);
    CHECK_ERR(link(sp("missing"), sp("x")), ENOENT);
    CHECK_RET(unlink(sp("hard")), 0);
    CHECK_RET(stat(sp("f"), &a), 0);
    CHECK(a.st_nlink == 1, "nlink %ld", (long)a.st_nlink);

    CHECK_RET(symlink("f", sp("sym")), 0);
    CHECK_ERR(symlink("f", sp("sym")), EEXIST);
    char buf[64] = {0};
    CHECK_RET(readlink(sp("sym"), buf, sizeof buf), 1);
    CHECK(strcmp(get("sym"), "data") == 0, "through the link '%s'", get("sym"));
    CHECK_RET(lstat(sp("sym"), &a), 0);
    CHECK(S_ISLNK(a.st_mode) && a.st_size == 1, "lstat mode %o size %ld", a.st_mode,
          (long)a.st_size);
    /* Dangling. */
    CHECK_RET(symlink("nowhere", sp("dangling")), 0);
    CHECK_ERR(stat(sp("dangling"), &a), ENOENT);
    CHECK_RET(lstat(sp("dangling"), &a), 0);
    /* Loops. */
    CHECK_RET(symlink("loop2", sp("loop1")), 0);
    CHECK_RET(symlink("loop1", sp("loop2")), 0);
    CHECK_ERR(open(sp("loop1"), O_RDONLY), ELOOP);
    CHECK_ERR(stat(sp("loop1"), &a), ELOOP);
    CHECK_ERR(stat(sp("loop1/x"), &a), ELOOP);
    CHECK_RET(symlink("self", sp("self")), 0);
    CHECK_ERR(access(sp("self"), F_OK), ELOOP);
    /* A chain of 40 links resolves, 41 do not (Linux's MAXSYMLINKS). */
    char from[32], to[32];
    for (int i = 1; i <= 41; i++) {
        snprintf(from, sizeof from, "c%d", i);
        snprintf(to, sizeof to, "c%d", i - 1);
        CHECK_RET(symlink(i == 1 ? "f" : to, sp(from)), 0);
    }
    CHECK_RET(stat(sp("c40"), &a), 0);
    CHECK_ERR(stat(sp("c41"), &a), ELOOP);
    CHECK_ERR(readlink(sp("f"), buf, sizeof buf), EINVAL);
    CHECK_ERR(symlink("", sp("empty")), ENOENT);

    /* Names too long: a component over 255 bytes, a path over 4095. */
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    CHECK_ERR(open(sp(name), O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
    name[255] = 0;
    int fd = open(sp(name), O_RDONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "a 255-byte name: %s", errname(errno));
    close(fd);
    static char path[5000];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = 0;
    CHECK_ERR(open(path, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(stat(sp("f/x"), &a), ENOTDIR);
    CHECK_ERR(open(dir, O_WRONLY), EISDIR);
    CHECK_ERR(open(dir, O_RDWR), EISDIR);
}

static void g_perms(void)
{
    struct stat st;
    put("f", "x");
    CHECK_RET(chmod(sp("f"), 0600), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK((st.st_mode & 07777) == 0600, "mode %o", st.st_mode);
    int fd = open(sp("f"), O_RDONLY);
    CHECK_RET(fchmod(fd, 04755), 0);
    CHECK_RET(fstat(fd, &st), 0);
    CHECK((st.st_mode & 07777) == 04755, "mode %o", st.st_mode);
    CHECK_RET(fchmodat(AT_FDCWD, sp("f"), 0640, 0), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK((st.st_mode & 07777) == 0640, "mode %o", st.st_mode);
    /* Only the permission bits change; the type stays. */
    CHECK_RET(chmod(sp("f"), S_IFDIR | 0644), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "mode %o", st.st_mode);

    CHECK_RET(chown(sp("f"), 1000, 1001), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_uid == 1000 && st.st_gid == 1001, "owner %d:%d", st.st_uid, st.st_gid);
    CHECK_RET(fchown(fd, -1, 1002), 0);
    CHECK_RET(fstat(fd, &st), 0);
    CHECK(st.st_uid == 1000 && st.st_gid == 1002, "owner %d:%d", st.st_uid, st.st_gid);
    CHECK_RET(symlink("f", sp("sym")), 0);
    CHECK_RET(lchown(sp("sym"), 1003, 1003), 0);
    CHECK_RET(lstat(sp("sym"), &st), 0);
    CHECK(st.st_uid == 1003, "lchown: link owner %d", st.st_uid);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_uid == 1000, "lchown changed the target: %d", st.st_uid);
    CHECK_RET(fchownat(AT_FDCWD, sp("sym"), 0, 0, 0), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_uid == 0 && st.st_gid == 0, "fchownat followed: %d:%d", st.st_uid, st.st_gid);
    CHECK_ERR(fchownat(AT_FDCWD, sp("sym"), 0, 0, 0x1), EINVAL);
    close(fd);

    /* umask masks the mode of what is created, and returns the old mask. */
    mode_t old = umask(027);
    CHECK_RET(umask(027), 027);
    fd = open(sp("masked"), O_WRONLY | O_CREAT, 0666);
    CHECK_RET(fstat(fd, &st), 0);
    CHECK((st.st_mode & 0777) == 0640, "created with mode %o", st.st_mode);
    close(fd);
    CHECK_RET(mkdir(sp("mdir"), 0777), 0);
    CHECK_RET(stat(sp("mdir"), &st), 0);
    CHECK((st.st_mode & 0777) == 0750, "mkdir mode %o", st.st_mode);
    CHECK_RET(mkfifo(sp("mfifo"), 0666), 0);
    CHECK_RET(stat(sp("mfifo"), &st), 0);
    CHECK((st.st_mode & 0777) == 0640, "mkfifo mode %o", st.st_mode);
    /* chmod is not masked. */
    CHECK_RET(chmod(sp("masked"), 0666), 0);
    CHECK_RET(stat(sp("masked"), &st), 0);
    CHECK((st.st_mode & 0777) == 0666, "chmod mode %o", st.st_mode);
    umask(old);
}

/* chown clears the set-user-id and set-group-id bits of an executable, even for root. */
static void g_chown_clears_suid(void)
{
    struct stat st;
    put("f", "x");
    CHECK_RET(chmod(sp("f"), 06755), 0);
    CHECK_RET(chown(sp("f"), 1000, 1000), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK((st.st_mode & 07777) == 0755, "mode %o after chown", st.st_mode);
}

static void g_times(void)
{
    put("f", "x");
    struct timespec ts[2] = {{1000000000, 0}, {1100000000, 0}};
    CHECK_RET(utimensat(AT_FDCWD, sp("f"), ts, 0), 0);
    struct stat st;
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1100000000,
          "times %ld %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
    /* UTIME_OMIT leaves one alone; UTIME_NOW takes the clock. */
    struct timespec ts2[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    time_t before = time(NULL);
    CHECK_RET(utimensat(AT_FDCWD, sp("f"), ts2, 0), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_atim.tv_sec == 1000000000, "atime %ld", (long)st.st_atim.tv_sec);
    CHECK(st.st_mtim.tv_sec >= before - 1 && st.st_mtim.tv_sec <= time(NULL) + 1,
          "mtime not now");
    CHECK(st.st_ctim.tv_sec >= before - 1, "ctime not updated");
    /* NULL: both now. */
    CHECK_RET(utimensat(AT_FDCWD, sp("f"), NULL, 0), 0);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_atim.tv_sec >= before - 1, "atime not now");
    /* A symlink itself, with AT_SYMLINK_NOFOLLOW. */
    CHECK_RET(symlink("f", sp("sym")), 0);
    CHECK_RET(utimensat(AT_FDCWD, sp("sym"), ts, AT_SYMLINK_NOFOLLOW), 0);
    CHECK_RET(lstat(sp("sym"), &st), 0);
    CHECK(st.st_mtim.tv_sec == 1100000000, "link mtime %ld", (long)st.st_mtim.tv_sec);
    CHECK_RET(stat(sp("f"), &st), 0);
    CHECK(st.st_mtim.tv_sec != 1100000000, "the target's mtime changed too");
    /* Through a descriptor. */
    int fd = open(sp("f"), O_RDONLY);
    CHECK_RET(futimens(fd, ts), 0);
    CHECK_RET(fstat(fd, &st), 0);
    CHECK(st.st_mtim.tv_sec == 1100000000, "futimens mtime %ld", (long)st.st_mtim.tv_sec);
    close(fd);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    CHECK_ERR(utimensat(AT_FDCWD, sp("f"), bad, 0), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, sp("missing"), ts, 0), ENOENT);
    CHECK_ERR(utimensat(AT_FDCWD, sp("f"), ts, 0x1), EINVAL);
    /* A write moves mtime. */
    CHECK_RET(utimensat(AT_FDCWD, sp("f"), ts, 0), 0);
    fd = open(sp("f"), O_WRONLY);
    CHECK_RET(write(fd, "y", 1), 1);
    CHECK_RET(fstat(fd, &st), 0);
    CHECK(st.st_mtim.tv_sec >= before - 1, "write did not update mtime");
    close(fd);
}

static void g_mknod(void)
{
    struct stat st;
    CHECK_RET(mknod(sp("fifo"), S_IFIFO | 0644, 0), 0);
    CHECK_RET(stat(sp("fifo"), &st), 0);
    CHECK(S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
    CHECK_RET(mknod(sp("null"), S_IFCHR | 0666, makedev(1, 3)), 0);
    CHECK_RET(stat(sp("null"), &st), 0);
    CHECK(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) && st.st_size == 0,
          "char device mode %o rdev %lx", st.st_mode, (unsigned long)st.st_rdev);
    /* It is /dev/null wherever it is. */
    int fd = open(sp("null"), O_RDWR);
    CHECK(fd >= 0, "open the new node: %s", errname(errno));
    char buf[4];
    CHECK_RET(write(fd, "abc", 3), 3);
    CHECK_RET(read(fd, buf, sizeof buf), 0);
    close(fd);
    CHECK_RET(mknod(sp("reg"), S_IFREG | 0600, 0), 0);
    CHECK_RET(stat(sp("reg"), &st), 0);
    CHECK(S_ISREG(st.st_mode) && st.st_size == 0, "regular mode %o", st.st_mode);
    CHECK_RET(mknod(sp("zero"), 0600, 0), 0);
    CHECK_RET(stat(sp("zero"), &st), 0);
    CHECK(S_ISREG(st.st_mode), "type 0 gives mode %o", st.st_mode);
    CHECK_ERR(mknod(sp("reg"), S_IFIFO | 0600, 0), EEXIST);
    CHECK_ERR(mknod(sp("dir"), S_IFDIR | 0755, 0), EPERM);
    CHECK_ERR(mknod(sp("bad"), 0170000 | 0600, 0), EINVAL);
    CHECK_ERR(mknod(sp("missing/x"), S_IFIFO | 0600, 0), ENOENT);
}

static void g_statx(void)
{
    put("f", "0123456789");
    struct statx sx;
    struct stat st;
    CHECK_RET(stat(sp("f"), &st), 0);
    memset(&sx, 0xff, sizeof sx);
    CHECK_RET(statx(AT_FDCWD, sp("f"), 0, STATX_BASIC_STATS, &sx), 0);
    CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "mask %#x", sx.stx_mask);
    CHECK(sx.stx_size == 10 && S_ISREG(sx.stx_mode) && (sx.stx_mode & 07777) == 0644,
          "size %llu mode %o", (unsigned long long)sx.stx_size, sx.stx_mode);
    CHECK(sx.stx_ino == st.st_ino && sx.stx_nlink == 1 && sx.stx_uid == 0 && sx.stx_gid == 0,
          "ino/nlink/uid/gid disagree with stat");
    CHECK(sx.stx_blksize == st.st_blksize && sx.stx_blocks == (unsigned long long)st.st_blocks,
          "blksize/blocks disagree with stat");
    CHECK(sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
              sx.stx_mtime.tv_nsec == (unsigned)st.st_mtim.tv_nsec,
          "mtime disagrees with stat");
    CHECK(makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev, "dev disagrees");
    CHECK(sx.__spare0[0] == 0, "spare field not zeroed");

    CHECK_RET(symlink("f", sp("sym")), 0);
    CHECK_RET(statx(AT_FDCWD, sp("sym"), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx), 0);
    CHECK(S_ISLNK(sx.stx_mode) && sx.stx_size == 1, "link mode %o", sx.stx_mode);
    CHECK_RET(statx(AT_FDCWD, sp("sym"), 0, STATX_BASIC_STATS, &sx), 0);
    CHECK(S_ISREG(sx.stx_mode), "followed mode %o", sx.stx_mode);
    int fd = open(sp("f"), O_RDONLY);
    CHECK_RET(statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx), 0);
    CHECK(sx.stx_size == 10, "AT_EMPTY_PATH size %llu", (unsigned long long)sx.stx_size);
    close(fd);
    CHECK_ERR(statx(AT_FDCWD, sp("f"), 0x80000000, STATX_BASIC_STATS, &sx), EINVAL);
    CHECK_ERR(statx(AT_FDCWD, sp("missing"), 0, STATX_BASIC_STATS, &sx), ENOENT);
}

/* statx refuses the reserved mask bit and contradictory sync flags. */
static void g_statx_flags(void)
{
    put("f", "x");
    struct statx sx;
    CHECK_ERR(statx(AT_FDCWD, sp("f"), 0, 0x80000000U, &sx), EINVAL);
    CHECK_ERR(statx(AT_FDCWD, sp("f"), AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
                    STATX_BASIC_STATS, &sx),
              EINVAL);
}

static void g_access(void)
{
    put("f", "x");
    CHECK_RET(chmod(sp("f"), 0444), 0);
    CHECK_RET(access(sp("f"), F_OK), 0);
    /* Root may read and write anything, and execute what has any x bit. */
    CHECK_RET(access(sp("f"), R_OK | W_OK), 0);
    CHECK_ERR(access(sp("f"), X_OK), EACCES);
    CHECK_RET(chmod(sp("f"), 0001), 0);
    CHECK_RET(access(sp("f"), X_OK), 0);
    CHECK_RET(access(dir, X_OK), 0);
    CHECK_ERR(access(sp("missing"), F_OK), ENOENT);
    CHECK_ERR(access(sp("f"), 8), EINVAL);
    CHECK_RET(syscall(SYS_faccessat2, AT_FDCWD, sp("f"), X_OK, AT_EACCESS), 0);
    CHECK_RET(symlink("missing", sp("dangling")), 0);
    CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, sp("dangling"), F_OK, 0), ENOENT);
    CHECK_RET(syscall(SYS_faccessat2, AT_FDCWD, sp("dangling"), F_OK, AT_SYMLINK_NOFOLLOW), 0);
    CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, sp("f"), F_OK, 0x1), EINVAL);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_RET(syscall(SYS_faccessat2, dfd, "f", F_OK, 0), 0);
    CHECK_RET(syscall(SYS_faccessat2, dfd, "", F_OK, AT_EMPTY_PATH), 0);
    close(dfd);
}

/* Names and d_type of a directory, by getdents64 with a small buffer. */
static void g_getdents(void)
{
    CHECK_RET(mkdir(sp("d"), 0755), 0);
    char name[64];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "d/file-%02d", i);
        put(name, NULL);
    }
    CHECK_RET(mkdir(sp("d/sub"), 0755), 0);
    CHECK_RET(symlink("x", sp("d/sym")), 0);
    CHECK_RET(mkfifo(sp("d/fifo"), 0644), 0);
    CHECK_RET(unlink(sp("d/file-07")), 0);

    int fd = open(sp("d"), O_RDONLY | O_DIRECTORY);
    /* Room for one whole struct dirent64, though getdents64 gets only 256 bytes of it. */
    static char buf[sizeof(struct dirent64) + 256] __attribute__((aligned(8)));
    int files = 0, seen_dot = 0, seen_dotdot = 0, types_ok = 1, total = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, 256);
        CHECK(n >= 0, "getdents64: %s", errname(errno));
        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            total++;
            if (strcmp(d->d_name, ".") == 0)
                seen_dot++, types_ok &= d->d_type == DT_DIR;
            else if (strcmp(d->d_name, "..") == 0)
                seen_dotdot++, types_ok &= d->d_type == DT_DIR;
            else if (strncmp(d->d_name, "file-", 5) == 0)
                files++, types_ok &= d->d_type == DT_REG;
            else if (strcmp(d->d_name, "sub") == 0)
                types_ok &= d->d_type == DT_DIR;
            else if (strcmp(d->d_name, "sym") == 0)
                types_ok &= d->d_type == DT_LNK;
            else if (strcmp(d->d_name, "fifo") == 0)
                types_ok &= d->d_type == DT_FIFO;
            else
                CHECK(0, "unexpected entry '%s'", d->d_name);
            off += d->d_reclen;
        }
    }
    CHECK(files == 39 && seen_dot == 1 && seen_dotdot == 1 && total == 44,
          "files %d . %d .. %d total %d", files, seen_dot, seen_dotdot, total);
    CHECK(types_ok, "a d_type is wrong");
    /* Rewound, it lists again. */
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    long n = syscall(SYS_getdents64, fd, buf, 256);
    CHECK(n > 0, "after rewind: %ld", n);
    close(fd);
}

static void g_statfs(void)
{
    struct statfs a, b;
    CHECK_RET(statfs(dir, &a), 0);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_RET(fstatfs(fd, &b), 0);
    close(fd);
    CHECK(a.f_type == b.f_type && a.f_bsize == b.f_bsize && a.f_blocks == b.f_blocks,
          "statfs and fstatfs disagree");
    CHECK(a.f_namelen == 255 && a.f_bsize > 0 && a.f_bfree <= a.f_blocks &&
              a.f_bavail <= a.f_bfree,
          "namelen %ld bsize %ld", (long)a.f_namelen, (long)a.f_bsize);
    CHECK_ERR(statfs(sp("missing"), &a), ENOENT);
    CHECK_ERR(fstatfs(-1, &a), EBADF);
    if (!in_guest)
        return;
    /* In the guest: the root is ext2, and a tmpfs mounted here is tmpfs. */
    CHECK_RET(statfs("/", &a), 0);
    CHECK(a.f_type == 0xEF53, "root f_type %#lx", (unsigned long)a.f_type);
    CHECK(a.f_bsize == 4096, "root f_bsize %ld", (long)a.f_bsize);
    CHECK_RET(mkdir(sp("t"), 0755), 0);
    CHECK_RET(mount("tmpfs", sp("t"), "tmpfs", 0, NULL), 0);
    CHECK_RET(statfs(sp("t"), &a), 0);
    CHECK(a.f_type == 0x01021994, "tmpfs f_type %#lx", (unsigned long)a.f_type);
    CHECK_RET(umount(sp("t")), 0);
    CHECK_RET(statfs(sp("t"), &a), 0);
    CHECK(a.f_type == 0xEF53, "after umount f_type %#lx", (unsigned long)a.f_type);
}

static void g_cwd(void)
{
    char buf[4096];
    CHECK_RET(mkdir(sp("d"), 0755), 0);
    CHECK_RET(chdir(sp("d")), 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, sp("d")) == 0, "getcwd '%s'", buf);
    put("f", NULL);
    CHECK_ERR(chdir(sp("f")), ENOTDIR);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_RET(fchdir(dfd), 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, dir) == 0, "after fchdir '%s'", buf);
    close(dfd);
    int ffd = open(sp("f"), O_RDONLY);
    CHECK_ERR(fchdir(ffd), ENOTDIR);
    close(ffd);
    /* Relative paths follow the working directory. */
    CHECK_RET(access("d", F_OK), 0);
    CHECK_RET(chdir("d"), 0);
    CHECK_RET(access("../f", F_OK), 0);
    /* A removed working directory: "." still works, nothing can be made in it. */
    CHECK_RET(rmdir(sp("d")), 0);
    struct stat st;
    CHECK_RET(stat(".", &st), 0);
    CHECK(st.st_nlink == 0, "removed directory nlink %ld", (long)st.st_nlink);
    CHECK_ERR(open("new", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_RET(chdir(".."), 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, dir) == 0, "after .. '%s'", buf);
    CHECK_RET(chdir("/"), 0);
}

/* getcwd in a removed directory fails with ENOENT. */
static void g_cwd_removed(void)
{
    char buf[4096];
    CHECK_RET(mkdir(sp("d"), 0755), 0);
    CHECK_RET(chdir(sp("d")), 0);
    CHECK_RET(rmdir(sp("d")), 0);
    CHECK_ERR(syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
    CHECK_RET(chdir("/"), 0);
}

static void chroot_child(void)
{
    struct stat st;
    int bad = 0;
    if (chroot(sp("root")) != 0)
        bad |= 1;
    /* The old working directory is outside, but "/" is now the new root. */
    if (chdir("/") != 0)
        bad |= 2;
    if (stat("/marker", &st) != 0)
        bad |= 4;
    /* ".." of the root is the root. */
    if (stat("/../../marker", &st) != 0)
        bad |= 8;
    char buf[256];
    if (!getcwd(buf, sizeof buf) || strcmp(buf, "/") != 0)
        bad |= 16;
    if (chroot("/marker") != -1 || errno != ENOTDIR)
        bad |= 32;
    if (chroot("/missing") != -1 || errno != ENOENT)
        bad |= 64;
    _exit(bad);
}

static void g_chroot(void)
{
    CHECK_RET(mkdir(sp("root"), 0755), 0);
    put("root/marker", "m");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        chroot_child();
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "chroot checks failed: status %#x", st);
    /* Not root: EPERM. */
    pid = fork();
    if (pid == 0) {
        if (setresuid(1000, 1000, 1000) != 0)
            _exit(2);
        _exit(chroot(sp("root")) == -1 && errno == EPERM ? 0 : 1);
    }
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged chroot: %#x", st);
}

static void g_open_flags(void)
{
    put("f", "content");
    CHECK_ERR(open(sp("f"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_RET(symlink("nowhere", sp("dangling")), 0);
    /* O_EXCL does not follow a symlink, even a dangling one. */
    CHECK_ERR(open(sp("dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_ERR(access(sp("nowhere"), F_OK), ENOENT);
    int fd = open(sp("new"), O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0, "O_EXCL on a new name: %s", errname(errno));
    close(fd);
    fd = open(sp("f"), O_WRONLY | O_TRUNC);
    CHECK(size_of("f") == 0, "O_TRUNC left %ld bytes", size_of("f"));
    close(fd);
    /* O_TRUNC on a read-only open truncates too (Linux). */
    put("f", "content");
    fd = open(sp("f"), O_RDONLY | O_TRUNC);
    CHECK(fd >= 0 && size_of("f") == 0, "O_RDONLY|O_TRUNC: fd %d size %ld", fd, size_of("f"));
    close(fd);
    CHECK_ERR(open(sp("f"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0, "O_DIRECTORY on a directory: %s", errname(errno));
    close(fd);
    CHECK_RET(symlink("f", sp("sym")), 0);
    CHECK_ERR(open(sp("sym"), O_RDONLY | O_NOFOLLOW), ELOOP);
    /* O_NOFOLLOW only looks at the last component. */
    CHECK_RET(symlink(".", sp("dotlink")), 0);
    fd = open(sp("dotlink/f"), O_RDONLY | O_NOFOLLOW);
    CHECK(fd >= 0, "O_NOFOLLOW through a middle link: %s", errname(errno));
    close(fd);
    CHECK_ERR(open(dir, O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(open(sp("newdir/"), O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(open(sp("missing"), O_RDONLY), ENOENT);
    /* O_APPEND. */
    put("f", "ab");
    fd = open(sp("f"), O_WRONLY | O_APPEND);
    CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
    CHECK_RET(write(fd, "c", 1), 1);
    close(fd);
    CHECK(strcmp(get("f"), "abc") == 0, "O_APPEND gave '%s'", get("f"));
}

/* open's rarer cases: O_CREAT through a dangling symlink creates the link's target;
 * O_CREAT with O_DIRECTORY is EINVAL (since Linux 6.4). */
static void g_open_edge(void)
{
    CHECK_RET(symlink("target", sp("dangling")), 0);
    int fd = open(sp("dangling"), O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "create through a dangling link: %s", errname(errno));
    close(fd);
    CHECK_RET(access(sp("target"), F_OK), 0);
    CHECK_ERR(open(sp("target"), O_RDONLY | O_CREAT | O_DIRECTORY, 0644), EINVAL);
    CHECK_ERR(open(sp("new"), O_RDONLY | O_CREAT | O_DIRECTORY, 0644), EINVAL);
    CHECK_ERR(access(sp("new"), F_OK), ENOENT);

    /* Through a chain of links, to a relative target beside the last one. */
    CHECK_RET(mkdir(sp("d"), 0755), 0);
    CHECK_RET(symlink("d/link2", sp("link1")), 0);
    CHECK_RET(symlink("end", sp("d/link2")), 0);
    fd = open(sp("link1"), O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "create through two links: %s", errname(errno));
    close(fd);
    CHECK_RET(access(sp("d/end"), F_OK), 0);
    /* O_NOFOLLOW stops at the link, dangling or not; so does O_EXCL. */
    CHECK_RET(symlink("nothing", sp("dangling2")), 0);
    CHECK_ERR(open(sp("dangling2"), O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP);
    CHECK_ERR(open(sp("dangling2"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_ERR(access(sp("nothing"), F_OK), ENOENT);
    /* A link to a missing directory's child, or with a trailing slash, makes nothing. */
    CHECK_RET(symlink("nodir/x", sp("deep")), 0);
    CHECK_ERR(open(sp("deep"), O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_RET(symlink("slashed/", sp("slash")), 0);
    CHECK_ERR(open(sp("slash"), O_WRONLY | O_CREAT, 0644), EISDIR);
    /* O_CREAT on a directory is EISDIR even for reading. */
    CHECK_ERR(open(sp("d"), O_RDONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERR(open(sp("d/"), O_RDONLY | O_CREAT, 0644), EISDIR);
    /* O_PATH drops O_CREAT. */
    CHECK_ERR(open(sp("pathonly"), O_PATH | O_CREAT, 0644), ENOENT);

    /* Who creates a file may write it whatever its mode; a later open is checked. */
    fflush(stdout);
    CHECK_RET(chmod(dir, 0777), 0);
    pid_t pid = fork();
    if (pid == 0) {
        if (setresuid(1000, 1000, 1000) != 0)
            _exit(2);
        int w = open(sp("readonly"), O_RDWR | O_CREAT, 0444);
        if (w < 0 || write(w, "x", 1) != 1)
            _exit(3);
        close(w);
        _exit(open(sp("readonly"), O_RDWR | O_CREAT, 0444) == -1 && errno == EACCES ? 0 : 4);
    }
    int st;
    CHECK_RET(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "create as uid 1000: status %#x", st);
}

/* O_TMPFILE: an unnamed file in a directory; a file system without it says EOPNOTSUPP.
 * Either way the flag checks come first. */
static void g_tmpfile(void)
{
    CHECK_ERR(open(dir, O_TMPFILE | O_RDONLY, 0600), EINVAL);
    CHECK_ERR(open(dir, O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
    int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
    if (fd < 0) {
        CHECK(errno == EOPNOTSUPP, "O_TMPFILE: %s", errname(errno));
        return;
    }
    struct stat st;
    CHECK_RET(fstat(fd, &st), 0);
    CHECK(S_ISREG(st.st_mode) && st.st_nlink == 0 && (st.st_mode & 0777) == 0600,
          "mode %o nlink %ld", st.st_mode, (long)st.st_nlink);
    CHECK_RET(write(fd, "tmp", 3), 3);
    CHECK_RET(pread(fd, (char[4]){0}, 3, 0), 3);
    close(fd);
    CHECK_ERR(open(sp("f"), O_TMPFILE | O_RDWR, 0600), ENOENT);

    /* The umask applies; the directory lists nothing; a file is ENOTDIR. */
    fd = open(dir, O_TMPFILE | O_WRONLY, 0666);
    CHECK(fd >= 0, "O_TMPFILE|O_WRONLY: %s", errname(errno));
    CHECK_RET(fstat(fd, &st), 0);
    CHECK((st.st_mode & 0777) == 0644, "mode %o", st.st_mode);
    close(fd);
    DIR *d = opendir(dir);
    int entries = 0;
    while (d && readdir(d))
        entries++;
    if (d)
        closedir(d);
    CHECK(entries == 2, "%d entries in the directory", entries);
    put("f", "x");
    CHECK_ERR(open(sp("f"), O_TMPFILE | O_RDWR, 0600), ENOTDIR);
}

static const struct check_group groups[] = {
    {"files", g_files},
    {"rename", g_rename},
    {"dirs", g_dirs},
    {"links", g_links},
    {"perms", g_perms},
    {"times", g_times},
    {"mknod", g_mknod},
    {"statx", g_statx},
    {"access", g_access},
    {"getdents", g_getdents},
    {"statfs", g_statfs},
    {"cwd", g_cwd},
    {"chroot", g_chroot},
    {"open_flags", g_open_flags},
    {"tmpfile", g_tmpfile},
    {"chown_clears_suid", g_chown_clears_suid},
    {"statx_flags", g_statx_flags},
    {"cwd_removed", g_cwd_removed},
    {"open_edge", g_open_edge},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: vfs /ABSOLUTE/SCRATCH [--guest] [GROUP...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    scratch = argv[1];
    mkdir(scratch, 0755);
    umask(022);

    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--guest") == 0) in_guest = 1;
    return run_groups(groups, NGROUPS, argc, argv, 2, group_dir);
}
