#!/usr/bin/env bash
# Builds the default root image: an ext2 file system holding the host's static busybox, its
# applet links, and just enough of /etc for busybox init to bring up a shell.
#
#   tests/mkroot.sh OUT.img [EXTRA-DIR]
#
# EXTRA-DIR, when given, is copied over the tree last (tests use it to add guest programs).
# MKROOT_SIZE sets the image size (default 64M); BUSYBOX names another static busybox.
# A missing static busybox or mke2fs is installed with apt-get.
set -eu

usage="usage: tests/mkroot.sh OUT.img [EXTRA-DIR]"
hostname=kernel-guest
size=${MKROOT_SIZE:-64M}
busybox=${BUSYBOX:-/bin/busybox}

# mke2fs and debugfs live in sbin, which a non-root PATH often lacks.
PATH=$PATH:/usr/sbin:/sbin

say() { printf 'mkroot: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# True when $1 is a 64-bit ELF executable without a PT_INTERP program header, that is, one the
# guest can run with no dynamic loader or /lib. Grepping for "ld-linux" is not enough: static
# glibc binaries carry that string too.
is_static_elf() {
    local file=$1 magic phoff phentsize phnum i type
    if [ ! -f "$file" ] || [ ! -r "$file" ]; then return 1; fi

    # e_ident: "\177ELF", then class 2 (64-bit) and data 1 (little-endian).
    magic=$(od -An -t x1 -N 6 "$file" | tr -d ' \n')
    [ "$magic" = 7f454c460201 ] || return 1

    phoff=$(od -An -t u8 -j 32 -N 8 "$file" | tr -d ' \n')
    phentsize=$(od -An -t u2 -j 54 -N 2 "$file" | tr -d ' \n')
    phnum=$(od -An -t u2 -j 56 -N 2 "$file" | tr -d ' \n')
    if [ -z "$phoff" ] || [ -z "$phentsize" ] || [ -z "$phnum" ]; then return 1; fi

    for ((i = 0; i < phnum; i++)); do
        type=$(od -An -t u4 -j $((phoff + i * phentsize)) -N 4 "$file" | tr -d ' \n')
        [ "$type" != 3 ] || return 1 # PT_INTERP
    done
}

# Installs busybox-static and e2fsprogs, refreshing the package lists only when the first try
# fails (a fresh machine has none). The lock timeout waits out an apt-get already running.
install_packages() {
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || die "need root (or sudo) to install busybox-static e2fsprogs"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null ||
        die "no apt-get here: install a static busybox and e2fsprogs (mke2fs) by hand"

    say "installing busybox-static and e2fsprogs with apt-get"
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
        -o DPkg::Lock::Timeout=600)
    if ! "${apt[@]}" install busybox-static e2fsprogs; then
        "${apt[@]}" update
        "${apt[@]}" install busybox-static e2fsprogs
    fi
}

# Gives every inode in the image uid 0 and gid 0. mke2fs -d copies owners from the tree, which
# belong to the caller when not run as root or when EXTRA-DIR kept its own.
chown_image_to_root() {
    local image=$1 tree=$2 commands
    commands=$(mktemp)
    (
        cd "$tree"
        find . \( ! -uid 0 -o ! -gid 0 \) -print | while IFS= read -r path; do
            path=${path#.}
            printf 'set_inode_field "%s" uid 0\nset_inode_field "%s" gid 0\n' "$path" "$path"
        done
    ) >"$commands"
    debugfs -w -f "$commands" "$image" >/dev/null 2>&1 || {
        rm -f "$commands"
        die "debugfs could not make the files in $image owned by root"
    }
    rm -f "$commands"
}

# Step 1: arguments.
if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "$usage"; fi
out=$1
extra=${2:-}
[ -n "$out" ] || die "$usage"
[ -z "$extra" ] || [ -d "$extra" ] || die "extra directory '$extra' does not exist"

# Step 2: tools. A user-supplied BUSYBOX is never replaced by apt's.
if ! is_static_elf "$busybox" || ! command -v mke2fs >/dev/null; then
    [ -z "${BUSYBOX:-}" ] || is_static_elf "$busybox" ||
        die "BUSYBOX=$busybox is not a static x86_64 executable"
    install_packages
    is_static_elf "$busybox" || die "$busybox is still not a static busybox"
    command -v mke2fs >/dev/null || die "mke2fs is still missing"
fi

# Step 3: scratch space, removed however the script ends. The image is written beside OUT and
# renamed over it at the end, so an interrupted build never leaves a half image behind; the
# name ends in .img.tmp so git ignores it.
tree=$(mktemp -d "${TMPDIR:-/tmp}/mkroot.XXXXXX")
tmp_img="${out%.img}.$$.img.tmp"
cleanup() { rm -rf "$tree" "$tmp_img"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Step 4: the directory skeleton.
mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,lib,etc,dev,proc,sys,tmp,root,home,mnt,run}
mkdir -p "$tree"/var/{log,tmp}
chmod 1777 "$tree/tmp" "$tree/var/tmp"
chmod 0700 "$tree/root"

# A console and null for before devtmpfs is mounted, as on any real root. Only root can mknod,
# and not in every container, so the image is still built without them.
if [ "$(id -u)" = 0 ]; then
    mknod -m 0600 "$tree/dev/console" c 5 1 2>/dev/null || true
    mknod -m 0666 "$tree/dev/null" c 1 3 2>/dev/null || true
fi

# Step 5: busybox and one link per applet, where --list-full puts it. Links are relative so the
# image also makes sense loop-mounted on the host.
cp "$busybox" "$tree/bin/busybox"
chmod 0755 "$tree/bin/busybox"
applets=0
while IFS= read -r applet; do
    case $applet in
        bin/busybox) continue ;;
        bin/* | sbin/* | usr/bin/* | usr/sbin/*) ;;
        *) continue ;; # linuxrc and the like: not wanted on a disk root
    esac
    case $applet in
        bin/*) target=busybox ;;
        sbin/*) target=../bin/busybox ;;
        *) target=../../bin/busybox ;;
    esac
    ln -sf "$target" "$tree/$applet"
    applets=$((applets + 1))
done < <("$tree/bin/busybox" --list-full)
[ "$applets" -gt 0 ] || die "$busybox --list-full listed no applets"
ln -sf ../bin/busybox "$tree/sbin/init"

# Step 6: /etc.
cat >"$tree/etc/inittab" <<EOF
# busybox init: <id>:<runlevels>:<action>:<process>; an empty id means the console.
::sysinit:/bin/mount -t proc proc /proc
::sysinit:/bin/mount -t sysfs sysfs /sys
::sysinit:/bin/mount -t devtmpfs devtmpfs /dev
::sysinit:/bin/mount -t tmpfs -o mode=1777 tmpfs /tmp
::sysinit:/bin/hostname -F /etc/hostname
::sysinit:/bin/echo "Welcome to $hostname. Ctrl-D leaves the shell, 'poweroff' halts."
::respawn:-/bin/sh
::shutdown:/bin/sync
::shutdown:/bin/umount -a -r
EOF

cat >"$tree/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF

cat >"$tree/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF

echo "$hostname" >"$tree/etc/hostname"

cat >"$tree/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$hostname
::1	localhost
EOF

cat >"$tree/etc/profile" <<'EOF'
# Read by login shells (inittab starts -/bin/sh).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=${HOME:-/root}
export PS1='\u@\h:\w\$ '
umask 022
EOF

cat >"$tree/etc/fstab" <<'EOF'
# <device>  <mount point>  <type>    <options>  <dump>  <pass>
/dev/ubda   /              ext2      defaults   0       1
proc        /proc          proc      defaults   0       0
sysfs       /sys           sysfs     defaults   0       0
devtmpfs    /dev           devtmpfs  defaults   0       0
tmpfs       /tmp           tmpfs     mode=1777  0       0
EOF

echo /bin/sh >"$tree/etc/shells"
chmod 0644 "$tree"/etc/*

# Step 7: the caller's extras, over everything else. Existing links are removed rather than
# written through, so a test's own /bin/ls cannot overwrite busybox.
if [ -n "$extra" ]; then
    cp -a --no-preserve=ownership --remove-destination "$extra/." "$tree/"
fi

# Step 8: the image, then the rename that makes it visible.
# An empty file already there keeps mke2fs -q from announcing that it creates one.
: >"$tmp_img"
if ! mke2fs -q -F -t ext2 -b 4096 -d "$tree" -L root -E root_owner=0:0 "$tmp_img" "$size"; then
    die "mke2fs failed to build $out (size $size; set MKROOT_SIZE for a bigger image)"
fi
if [ -n "$(find "$tree" \( ! -uid 0 -o ! -gid 0 \) -print -quit)" ]; then
    chown_image_to_root "$tmp_img" "$tree"
fi
mv -f "$tmp_img" "$out"
say "built $out ($size ext2, busybox with $applets applets)"
