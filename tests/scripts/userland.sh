# The busybox userland a shell lives on. Run as init by the kernel, and in a chroot of the
# same image on the host; the two outputs must be byte-for-byte the same, so nothing here
# prints what differs between machines (pids, sizes of memory, dates).
exec 2>&1
mount -t proc proc /proc
cd /tmp

echo "== pipelines and redirection"
echo "alpha beta gamma" | tr ' ' '\n' | sort -r > words.txt
cat words.txt
wc -l < words.txt
echo appended >> words.txt; tail -n 1 words.txt
ls /nonexistent 2> err.txt; echo "ls status $?"; wc -l < err.txt

echo "== here-document and command substitution"
cat <<END | sed 's/x/y/g'
xxx line one
line two x
END
n=$(ls /bin | wc -l); [ "$n" -gt 100 ] && echo "many applets"
echo "sum: $((3 + 4)) $(echo nested $(echo deeper))"

echo "== background jobs and wait"
(sleep 0.2; echo bg-slow) & (echo bg-fast) & wait; echo waited

echo "== trap and kill"
trap 'echo caught USR1' USR1; kill -USR1 $$; trap - USR1
sh -c 'trap "echo child got TERM; exit 3" TERM; kill -TERM $$; sleep 5'; echo "child status $?"
sh -c 'kill -KILL $$'; echo "killed status $?"

echo "== ps"
sleep 5 & sp=$!
# The child is "sh" until it has exec'd sleep: wait for that, then ask ps.
while [ "$(cat /proc/$sp/comm 2>/dev/null)" != sleep ]; do :; done
ps -o ppid,comm | awk -v me=$$ '$1 == me && $2 == "sleep"' | wc -l
kill $sp; wait $sp; echo "sleep status $?"

echo "== find, xargs, sort, awk, sed"
mkdir -p tree/a/b; echo one > tree/a/1.txt; echo two > tree/a/b/2.txt; echo three > tree/3.log
find tree -name '*.txt' | sort | xargs cat
find tree | sort
printf '1 apple\n2 banana\n3 cherry\n' | awk '{s += $1; n = n $2 " "} END {print "total", s, n}'
printf 'hello world\n' | sed -e 's/world/kernel/' -e 's/^/> /'
seq 1 2000 | sort -rn | head -n 3

echo "== tar"
tar cf t.tar tree && rm -r tree && tar xf t.tar && find tree | sort && cat tree/a/b/2.txt

echo "== gzip of 10 MB"
dd if=/dev/urandom of=rand bs=1024 count=10240 2>/dev/null
md5sum < rand > sum1
gzip -c rand > rand.gz
gunzip -c rand.gz | md5sum > sum2
cmp sum1 sum2 && echo "gzip round trip ok"
ls -l rand | awk '{print $5}'
rm rand rand.gz

echo "== dd and mkfifo"
dd if=/dev/urandom bs=512 count=4 2>/dev/null | wc -c
dd if=/dev/zero bs=1000 count=3 2>/dev/null | md5sum
mkfifo ff
(echo through the fifo > ff) &
cat ff
wait
rm ff

echo "== df, mount, free"
df | head -n 1 | awk '{print $1, $2}'
mount | grep -c ' /proc '
free | head -n 1 | awk '{print $1, $2, $3}'

cd /
umount /proc
echo done
