#!/bin/sh
# Host test: ckptinfo decodes and verifies synthetic checkpoint images
# (written by tests/host/mkimage.c): one process, a whole job (a session
# with a pipeline, a pipe, a FIFO, threads, a zombie, a stopped job and
# the terminal), and a tree holding pseudo-terminals (a terminal server
# with two pty masters, a shell and a reader on one's slave), shows the
# job's process tree, threads, pipes, ptys and terminal, and rejects
# broken images with exit status 1 and a precise reason, without ever
# crashing.  A process holding the objects of format v5 (shared memory and
# a memfd saved with their contents, a deleted file, event fds and an
# epoll set) checks their records and the mappings and files naming them.
# A process tree holding unix sockets (a listening socket, a stream
# socketpair across two processes with data queued, datagram sockets
# with messages, a seqpacket socket whose peer was closed, files in
# flight with SCM_RIGHTS) checks their records, their peers, the senders
# of their messages and the files in flight with them.  A process
# tree taken with CKPT_FILE_LOCKS (a server with POSIX timers and file
# locks, children sharing its file table or working directory) checks
# the POSIX_TIMERS, LOCKS and SHARES records.  A process tree holding
# System V shared memory (a segment attached read-write and read-only,
# a removed one) and an inotify instance (watches, queued events), with
# mlockall(MCL_FUTURE) and madvise() flags, checks the SYSVSHM and
# INOTIFY records and the mappings and files naming them, and the job
# view's System V segments.  Every thread's SCHED record (format v6: its
# policy, nice value, affinity, timer slack, oom_score_adj) is decoded
# and checked, with the mm flags of prctl(PR_SET_THP_DISABLE) and
# prctl(PR_SET_MDWE).  Every thread's ACCT record (format v7: its CPU
# times and counters, and in its process's leader's, or a zombie's, the
# process's) is decoded and checked, and the job view shows each
# process's CPU time.  Every live process's CKPTSIG record (format v8:
# the scope, anchor, notification signal and image name pattern of a
# checkpoint by signal) is decoded and checked as restart(2) checks it,
# with the SIG_CKPT and SIG_CKPT_KILL handlers of SIGHAND.  The digest
# the header names (format v9: xxh64 by default, or SHA-256) is checked
# against the trailer's, which must be that digest of the bytes before it,
# in its shape (xxh64's 8 bytes, then zeroes); both are computed with the
# Debian libraries (libxxhash, libmd) and compared with independent
# implementations (sha256sum(1), a reference xxh64 in Python).  Also builds
# the ckpt and restart tools and checks their command-line handling (the
# system calls themselves need the patched kernel: see selftests/; the
# flags ckpt passes, --digest's among them, are seen by a stand-in for
# checkpoint(2), tests/host/fake_checkpoint.c).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-gcc}
FUZZ_RUNS=${FUZZ_RUNS:-2000}
# pyenv's python3 is a shell script that takes up to a second a run on a
# busy machine, and this calls it hundreds of times: call the interpreter.
if py=$(python3 -c 'import sys; print(sys.executable)' 2> /dev/null) && [ -x "$py" ]; then
	python3() { "$py" "$@"; }
fi
cflags="-O2 -g -Wall -Wextra -Wno-unused-parameter -I$top/include/uapi -I$top/tools/include"
# ckptinfo leaves out format attributes (checkpatch wants __printf()): add them
cflags="$cflags -D__printf(a,b)=__attribute__((format(printf,a,b)))"
# the digests: xxh64 (libxxhash) and SHA-256 (libmd)
ldlibs="-lxxhash -lmd"
n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

# not_ok NAME [DIAGNOSTIC-FILE]
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n $1"
	if [ $# -gt 1 ] && [ -s "$2" ]; then
		head -n 30 "$2" | sed 's/^/#   /'
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# build NAME SOURCES [EXTRA-CFLAGS]: compile without a single warning
# (SOURCES: one file, or a pattern such as DIR/*.c)
build() {
	# shellcheck disable=SC2086
	if $CC $cflags ${3:-} -o "$tmp/$1" $2 $ldlibs > "$tmp/$1.log" 2>&1 && [ ! -s "$tmp/$1.log" ]; then
		ok "build_$1_without_warnings"
	else
		not_ok "build_$1_without_warnings" "$tmp/$1.log"
	fi
}

# info NAME WANT-STATUS WANT-GREP-PATTERN ARGS... (stdout+stderr checked)
info() {
	name=$1 want=$2 pat=$3
	shift 3
	"$tmp/ckptinfo" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
	st=$?
	if [ "$st" = "$want" ] && cat "$tmp/stderr" "$tmp/stdout" | grep -Eq -- "$pat"; then
		ok "$name"
	else
		echo "status $st, want $want; want output matching: $pat" > "$tmp/why"
		cat "$tmp/stderr" >> "$tmp/why"
		tail -n 12 "$tmp/stdout" >> "$tmp/why"
		not_ok "$name" "$tmp/why"
	fi
}

echo "TAP version 13"

build ckptinfo "$top/tools/ckptinfo/*.c"
build mkimage "$top/tests/host/mkimage.c"
build ckpt "$top/tools/ckpt.c"
build restart "$top/tools/restart.c"

# SHA-256 (libmd) against the FIPS 180-2 vectors, fed in blocks of many sizes
if "$tmp/mkimage" --sha256-selftest > "$tmp/sha" 2>&1; then
	ok sha256_known_vectors
else
	not_ok sha256_known_vectors "$tmp/sha"
fi
# ... and xxh64 (libxxhash) against the reference implementation's values
if "$tmp/mkimage" --xxh64-selftest > "$tmp/xxh" 2>&1; then
	ok xxh64_known_vectors
else
	not_ok xxh64_known_vectors "$tmp/xxh"
fi

img=$tmp/valid.img
"$tmp/mkimage" > "$img"
size=$(wc -c < "$img")
prefix=$("$tmp/mkimage" --prefix-len)
# the same image with a SHA-256 digest (the trailer is the same size)
simg=$tmp/sha256.img
"$tmp/mkimage" --digest sha256 > "$simg"

# The hash ckptinfo computes is the one sha256sum(1) computes
if command -v sha256sum > /dev/null 2>&1; then
	want=$(head -c "$prefix" "$simg" | sha256sum | cut -d' ' -f1)
	"$tmp/ckptinfo" "$simg" > "$tmp/out" 2>&1
	if grep -q "^digest: sha256 $want ok\$" "$tmp/out"; then
		ok sha256_matches_sha256sum
	else
		echo "sha256sum says $want" > "$tmp/why"
		cat "$tmp/out" >> "$tmp/why"
		not_ok sha256_matches_sha256sum "$tmp/why"
	fi
else
	skip sha256_matches_sha256sum "no sha256sum"
fi
# ... and the xxh64 one a reference implementation computes (the
# specification's algorithm, in Python: no xxhsum(1) on Debian by default)
xxh64_py='
import sys
M = (1 << 64) - 1
P1, P2, P3 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
P4, P5 = 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5
def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M
def rnd(acc, v):
    return (rotl((acc + v * P2) & M, 31) * P1) & M
def xxh64(b):
    n, i = len(b), 0
    if n >= 32:
        v = [(P1 + P2) & M, P2, 0, (-P1) & M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = rnd(v[k], int.from_bytes(b[i + 8 * k:i + 8 * k + 8], "little"))
            i += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
        for k in range(4):
            h = ((h ^ rnd(0, v[k])) * P1 + P4) & M
    else:
        h = P5
    h = (h + n) & M
    while i + 8 <= n:
        h = (rotl(h ^ rnd(0, int.from_bytes(b[i:i + 8], "little")), 27) * P1 + P4) & M
        i += 8
    if i + 4 <= n:
        h = (rotl(h ^ (int.from_bytes(b[i:i + 4], "little") * P1 & M), 23) * P2 + P3) & M
        i += 4
    while i < n:
        h = (rotl(h ^ (b[i] * P5 & M), 11) * P1) & M
        i += 1
    h = ((h ^ (h >> 33)) * P2) & M
    h = ((h ^ (h >> 29)) * P3) & M
    return h ^ (h >> 32)
print("%016x" % xxh64(sys.stdin.buffer.read()))
'
if command -v python3 > /dev/null 2>&1; then
	want=$(head -c "$prefix" "$img" | python3 -c "$xxh64_py")
	"$tmp/ckptinfo" "$img" > "$tmp/out" 2>&1
	if [ "$(printf '' | python3 -c "$xxh64_py")" = ef46db3751d8e999 ] &&
		grep -q "^digest: xxh64 $want ok\$" "$tmp/out"; then
		ok xxh64_matches_reference
	else
		echo "the reference says $want (and ef46db3751d8e999 for no bytes)" > "$tmp/why"
		cat "$tmp/out" >> "$tmp/why"
		not_ok xxh64_matches_reference "$tmp/why"
	fi
else
	skip xxh64_matches_reference "no python3"
fi

info valid_image_verifies 0 '^result: ok$' "$img"
info valid_image_digest_xxh64 0 '^digest: xxh64 [0-9a-f]{16} ok$' "$img"
info valid_image_header_digest 0 '^ +xstate_size=832 xfeatures=0x7 digest=xxh64$' "$img"
info valid_image_trailer 0 "^ +$prefix  TRAILER +56 total_len=$prefix digest=xxh64 value=[0-9a-f]{16}\$" \
	"$img"
# the SHA-256 image: the header and trailer name SHA-256, and it verifies
info sha256_image_verifies 0 '^result: ok$' "$simg"
info sha256_image_digest 0 '^digest: sha256 [0-9a-f]{64} ok$' "$simg"
info sha256_image_header_digest 0 '^ +xstate_size=832 xfeatures=0x7 digest=sha256$' "$simg"
info sha256_image_header_flags 0 '^ +flags=0x41 time_sec=1767225600 time=2026-01-01T00:00:00Z$' "$simg"
info sha256_image_trailer 0 "^ +$prefix  TRAILER +56 total_len=$prefix digest=sha256\$" "$simg"
info sha256_image_trailer_value 0 '^ +value=[0-9a-f]{64}$' "$simg"
info valid_image_shows_task 0 'TASK .* pid=4242 comm="sleeper" tgid=4242 ppid=1 pgid=4242' "$img"
info valid_image_shows_vma_and_pages 0 \
	'VMA .* 000000400000-000000402000 r-x file_private pages=1 bytes=4096$' \
	"$img"
info valid_image_shows_stack_vma 0 \
	'VMA .* 00007ffd0000-00007ffd4000 rw- anon pages=2 bytes=8192 size=16384' "$img"
info valid_image_shows_regs 0 'tid=4242 comm="sleeper" ip=0x401234 sp=0x7ffd3f00' "$img"
info valid_image_summary 0 '^summary: 27 records, 1 task, 3 pages \(12288 bytes\)' "$img"
info strings_are_escaped 0 'path="/tmp/log \\"odd\\\\name\\"\\x0a\\xc3\\xa9.txt"' "$img"

info valid_image_shows_scope 0 'HEADER .* scope=process root_pid=4242$' "$img"
info valid_image_shows_counts 0 '^ +nr_tasks=1 nr_threads=1 action=stop outside_pipes_broken=false$' "$img"
info valid_image_job_line 0 '^job: scope=process root_pid=4242 processes=1 threads=1 zombies=0 stopped=1$' \
	"$img"
info valid_image_no_ptys 0 '^ptys: none$' "$img"
info valid_image_no_sysvshm 0 '^System V shared memory: none$' "$img"
# the thread's scheduling attributes: its last record, after SIGNAL and SIGINFO
sched=$("$tmp/mkimage" --offset-of SCHED)
info valid_image_sched 0 \
	"^ +$sched  SCHED +200 policy=SCHED_OTHER nice=0 cpus=all ioprio=0x0 timer_slack_ns=50000\$" \
	"$img"
info valid_image_sched_oom 0 '^ +default_timer_slack_ns=50000 oom_score_adj=100 oom_score_adj_min=0$' \
	"$img"
"$tmp/ckptinfo" "$img" 2>&1 | sed -n 's/^ *[0-9][0-9]*  \([A-Z_][A-Z_]*\) .*/\1/p' |
	tr '\n' ' ' > "$tmp/types"
if grep -q -- ' THREAD XSTATE SIGNAL SIGINFO SCHED ACCT TASK_END TRAILER $' "$tmp/types"; then
	ok valid_image_sched_then_acct_last
else
	cat "$tmp/types" > "$tmp/why"
	not_ok valid_image_sched_then_acct_last "$tmp/why"
fi
# put_le FILE OFFSET SIZE VALUE: write VALUE there as SIZE little-endian bytes
put_le() {
	pv=$4 pi=0
	while [ $pi -lt "$3" ]; do
		# shellcheck disable=SC2059
		printf "\\$(printf %03o $((pv & 255)))"
		pv=$((pv >> 8))
		pi=$((pi + 1))
	done | dd of="$1" bs=1 seek="$2" conv=notrunc 2> /dev/null
}
# The other policies, patched in (struct ckpt_rec_sched: policy at 8,
# flags 12, nice 16, rt_priority 20, dl_runtime 24, dl_deadline 32,
# dl_period 40, ioprio 64, oom_score_adj 68, cpus 72): the checksum is
# then not verified
cp "$img" "$tmp/fifo.img"
put_le "$tmp/fifo.img" $((sched + 8)) 4 1	# SCHED_FIFO
put_le "$tmp/fifo.img" $((sched + 12)) 4 5	# CKPT_SCHED_RESET_ON_FORK | CKPT_SCHED_ALL_CPUS
put_le "$tmp/fifo.img" $((sched + 20)) 4 50
info sched_fifo 0 'SCHED +200 policy=SCHED_FIFO nice=0 rt_priority=50 reset_on_fork=yes cpus=all$' \
	--no-verify "$tmp/fifo.img"
cp "$img" "$tmp/slice.img"
put_le "$tmp/slice.img" $((sched + 12)) 4 0
put_le "$tmp/slice.img" $((sched + 16)) 4 $((0xffffffec))	# nice -20
put_le "$tmp/slice.img" $((sched + 24)) 8 3000000		# a slice of 3 ms
put_le "$tmp/slice.img" $((sched + 64)) 4 $((0x4004))	# IOPRIO_CLASS_BE, level 4
put_le "$tmp/slice.img" $((sched + 68)) 2 $((0xfc18))	# oom_score_adj -1000
put_le "$tmp/slice.img" $((sched + 72)) 8 $((0x10f))	# CPUs 0-3 and 8
info sched_slice 0 'SCHED +200 policy=SCHED_OTHER nice=-20 slice=0.003000000 cpus=0-3,8$' \
	--no-verify "$tmp/slice.img"
info sched_ioprio 0 '^ +ioprio=0x4004 timer_slack_ns=50000 default_timer_slack_ns=50000$' \
	--no-verify "$tmp/slice.img"
info sched_oom_min 0 '^ +oom_score_adj=-1000 oom_score_adj_min=0$' --no-verify "$tmp/slice.img"
cp "$img" "$tmp/dl.img"
put_le "$tmp/dl.img" $((sched + 8)) 4 6		# SCHED_DEADLINE
put_le "$tmp/dl.img" $((sched + 12)) 4 2	# CKPT_SCHED_DL_OVERRUN
put_le "$tmp/dl.img" $((sched + 24)) 8 1000000
put_le "$tmp/dl.img" $((sched + 32)) 8 5000000
put_le "$tmp/dl.img" $((sched + 40)) 8 10000000
w=0
while [ $w -lt 16 ]; do		# every even CPU, 0 to 1022: a list of 2004 bytes
	put_le "$tmp/dl.img" $((sched + 72 + 8 * w)) 8 $((0x5555555555555555))
	w=$((w + 1))
done
info sched_deadline 0 'SCHED +200 policy=SCHED_DEADLINE nice=0 dl_runtime=0.001000000$' \
	--no-verify "$tmp/dl.img"
info sched_deadline_overrun 0 '^ +dl_deadline=0.005000000 dl_period=0.010000000 dl_overrun=yes$' \
	--no-verify "$tmp/dl.img"
info sched_cpus_long_list 0 "^ +cpus=$(seq -s, 0 2 1022)\$" --no-verify "$tmp/dl.img"
# deadline parameters sched_setattr(2) would refuse: a runtime of 0
put_le "$tmp/dl.img" $((sched + 24)) 8 0
info sched_deadline_zero_runtime 1 'SCHED record: deadline parameters runtime 0, deadline 5000000, period 10000000 ns out of order$' \
	--no-verify "$tmp/dl.img"

# the thread's accounting, after SCHED: its own CPU times and counters,
# then, as it is its process's leader, its exited threads' and children's
# and its memory's peaks; the job view adds up the process's CPU time
acct=$("$tmp/mkimage" --offset-of ACCT)
"$tmp/ckptinfo" "$img" > "$tmp/out" 2>&1
sed -n '/^ *[0-9]*  ACCT /,/^ *[0-9]*  TASK_END /p' "$tmp/out" | sed '$d' > "$tmp/acct"
cat > "$tmp/want" <<EOF
$(printf '%10s' "$acct")  ACCT           464 flags=0x0 utime=1.250000000s stime=0.250000000s gtime=0.000000000s
                               runtime=1.600000000s nvcsw=120 nivcsw=15 min_flt=2400 maj_flt=3
                               rchar=65536 wchar=4096 syscr=48 syscw=16 read_bytes=8192
                               write_bytes=4096 cancelled_write_bytes=0
                               exited: utime=0.500000000s stime=0.100000000s gtime=0.000000000s
                               runtime=0.700000000s nvcsw=30 nivcsw=4 min_flt=300 maj_flt=1
                               inblock=16 oublock=8 maxrss=2048 rchar=1024 wchar=512 syscr=5 syscw=3
                               read_bytes=0 write_bytes=0 cancelled_write_bytes=0
                               children: utime=2.000000000s stime=0.500000000s gtime=0.000000000s
                               runtime=0.000000000s nvcsw=200 nivcsw=20 min_flt=5000 maj_flt=10
                               inblock=64 oublock=32 maxrss=4096 rchar=131072 wchar=8192 syscr=100
                               syscw=40 read_bytes=16384 write_bytes=8192 cancelled_write_bytes=4096
                               hiwater_rss=3072 hiwater_vm=10240
EOF
if diff -u "$tmp/want" "$tmp/acct" > "$tmp/why" 2>&1; then
	ok valid_image_acct
else
	not_ok valid_image_acct "$tmp/why"
fi
info valid_image_cpu_time 0 '^ +PID +PPID +PGID +SID THREADS +CPU  STATE +COMMAND$' "$img"
info valid_image_cpu_time_of_process 0 \
	'^ +4242 +1 +4242 +4200 +1 2.100000000s  stopped,group-leader  sleeper$' "$img"
# patched in (struct ckpt_rec_acct: flags at 8, self at 16, exited at
# 160, children at 304, hiwater_rss 448; in each, utime at 0, stime 8,
# gtime 16, runtime 24): the checksum is then not verified
cp "$img" "$tmp/acct.img"
put_le "$tmp/acct.img" $((acct + 8)) 4 1		# CKPT_ACCT_FORKNOEXEC
put_le "$tmp/acct.img" $((acct + 16 + 16)) 8 $((1 << 62))	# self.gtime: the bound
put_le "$tmp/acct.img" $((acct + 304 + 16)) 8 $((1 << 62))	# children.gtime: the same
info acct_forknoexec 0 'ACCT +464 flags=0x1\(forknoexec\) utime=1.250000000s stime=0.250000000s$' \
	--no-verify "$tmp/acct.img"
info acct_time_at_bound 0 '^ +gtime=4611686018.427387904s runtime=1.600000000s nvcsw=120 nivcsw=15$' \
	--no-verify "$tmp/acct.img"
info acct_children_time_at_bound 0 \
	'^ +gtime=4611686018.427387904s runtime=0.000000000s nvcsw=200 nivcsw=20$' \
	--no-verify "$tmp/acct.img"
# the process's utime at the bound, with its exited threads' 0.5 s
cp "$img" "$tmp/acctsum.img"
put_le "$tmp/acctsum.img" $((acct + 16)) 8 $(((1 << 62) - 500000000))
info acct_sum_at_bound 0 '^ +4242 +1 +4242 +4200 +1 4611686018.777387904s  stopped,group-leader' \
	--no-verify "$tmp/acctsum.img"
# an image of format v7 or v8 is not read (struct ckpt_rec_header: version
# at 16; v8 has no digest field, and a trailer of 48 bytes)
cp "$img" "$tmp/v7.img"
put_le "$tmp/v7.img" 16 4 7
info format_v7_rejected 1 'HEADER record: unsupported format version 7 \(this ckptinfo reads 9\)$' \
	--no-verify "$tmp/v7.img"
cp "$img" "$tmp/v8.img"
put_le "$tmp/v8.img" 16 4 8
info format_v8_rejected 1 'HEADER record: unsupported format version 8 \(this ckptinfo reads 9\)$' \
	--no-verify "$tmp/v8.img"

# the process's checkpoint settings, right after its SIGHAND: the defaults
ckptsig=$("$tmp/mkimage" --offset-of CKPTSIG)
info valid_image_ckptsig 0 \
	"^ +$ckptsig  CKPTSIG +152 scope=process anchor=none notify=none pattern=\"\"\$" "$img"
if grep -q -- ' PAGES SIGHAND CKPTSIG TIMERS FILE ' "$tmp/types"; then
	ok valid_image_ckptsig_after_sighand
else
	cat "$tmp/types" > "$tmp/why"
	not_ok valid_image_ckptsig_after_sighand "$tmp/why"
fi
# patched in (struct ckpt_rec_ckptsig: scope at 8, anchor 12, notify 16,
# reserved 20, pattern 24): each field at the edge restart(2) accepts
cp "$img" "$tmp/ckptsig.img"
put_le "$tmp/ckptsig.img" $((ckptsig + 8)) 4 12			# CKPT_TREE
put_le "$tmp/ckptsig.img" $((ckptsig + 12)) 4 4194303		# PID_MAX_LIMIT - 1
put_le "$tmp/ckptsig.img" $((ckptsig + 16)) 4 64		# _NSIG
printf '/ckpt/%%e "%%p"\n.img' |
	dd of="$tmp/ckptsig.img" bs=1 seek=$((ckptsig + 24)) conv=notrunc 2> /dev/null
info ckptsig_at_bounds 0 'CKPTSIG +152 scope=tree anchor=4194303 notify=SIGRTMIN\+32$' \
	--no-verify "$tmp/ckptsig.img"
info ckptsig_pattern_escaped 0 '^ +pattern="/ckpt/%e \\"%p\\"\\x0a.img"$' --no-verify "$tmp/ckptsig.img"
# a pattern of 127 bytes, its NUL the last byte; the smallest signal, 1
cp "$img" "$tmp/ckptsig.img"
head -c 127 /dev/zero | tr '\0' 'p' |
	dd of="$tmp/ckptsig.img" bs=1 seek=$((ckptsig + 24)) conv=notrunc 2> /dev/null
put_le "$tmp/ckptsig.img" $((ckptsig + 16)) 4 1
info ckptsig_notify_sighup 0 'CKPTSIG +152 scope=process anchor=none notify=SIGHUP$' \
	--no-verify "$tmp/ckptsig.img"
info ckptsig_pattern_longest 0 "^ +pattern=\"$(head -c 127 /dev/zero | tr '\0' 'p')\"\$" \
	--no-verify "$tmp/ckptsig.img"
# a '|' that is not the first byte is only a character
cp "$img" "$tmp/ckptsig.img"
printf 'a|b' | dd of="$tmp/ckptsig.img" bs=1 seek=$((ckptsig + 24)) conv=notrunc 2> /dev/null
info ckptsig_pattern_inner_pipe 0 'CKPTSIG +152 scope=process anchor=none notify=none pattern="a\|b"$' \
	--no-verify "$tmp/ckptsig.img"

"$tmp/mkimage" --two-tasks > "$tmp/two.img"
info two_tasks_decode 0 '^summary: 52 records, 2 tasks, 6 pages' "$tmp/two.img"
info two_tasks_second_pid 0 'TASK_END .* pid=4243 pages=3' "$tmp/two.img"
info two_tasks_tree 0 '^ +4243 +4242 +4242 +4200 +1 2.100000000s  stopped +\\_ sleeper$' "$tmp/two.img"

# The whole job: a session, its process tree, threads, pipes and terminal
job=$tmp/job.img
"$tmp/mkimage" --job > "$job"
info job_verifies 0 '^result: ok$' "$job"
info job_header 0 'HEADER .* scope=session root_pid=4200$' "$job"
info job_header_counts 0 '^ +nr_tasks=5 nr_threads=6 action=kill outside_pipes_broken=false$' "$job"
info job_tty_record 0 'TTY .* name="pts/3" sid=4200 fg_pgrp=4210 rows=24 cols=80' "$job"
info job_pipe_record 0 'PIPE .* objid=10 capacity=65536 data_len=6 data="hello\\x0a"' "$job"
info job_pipe_file 0 'FILE .* objid=12 kind=pipe pipe_id=10 mode=r' "$job"
info job_fifo_file 0 'FILE .* objid=21 kind=fifo path="/tmp/ctl" pipe_id=20 mode=r' "$job"
info job_zombie_record 0 'TASK .* pid=4212 comm="sort"' "$job"
info job_zombie_status 0 ' nr_threads=0 flags=0x8\(zombie\) exit_code=0x300$' "$job"
info job_zombie_exit 0 '^ +exit=exited\(3\)$' "$job"
info job_restart_block 0 'restart=nanosleep clock=CLOCK_MONOTONIC remaining_ns=1500000000' "$job"
info job_line 0 '^job: scope=session root_pid=4200 processes=5 threads=6 zombies=1 stopped=1$' "$job"
info job_tree_root 0 '^ +4200 +1 +4200 +4200 +1 2.100000000s  session-leader,group-leader,ctty +bash$' "$job"
info job_tree_child 0 '^ +4210 +4200 +4210 +4200 +3 2.800000000s  group-leader,foreground,ctty +\\_ producer$' "$job"
info job_tree_zombie 0 '^ +4212 +4211 +4210 +4200 +0 0.030000000s  zombie:exited\(3\),foreground +   \\_ sort$' "$job"
info job_tree_stopped 0 '^ +4220 +4200 +4220 +4200 +1 2.100000000s  stopped,group-leader,ctty +\\_ sleeper$' "$job"
info job_thread_nanosleep 0 \
	'^ +4210 +4311  0x0000000000401244  0x000000007ffd3e00  producer-1 +nanosleep CLOCK_MONOTONIC, 1.500000000s left$' \
	"$job"
info job_thread_futex 0 '^ +4210 +4312 .* producer-2 +futex wait 0x7f0000001000, 0.250000000s left$' "$job"
info job_pipe 0 '^  pipe 10: capacity 65536, 6 bytes in flight$' "$job"
info job_pipe_read_end 0 '^    read end: +pid 4211 fd 0$' "$job"
info job_pipe_write_end 0 '^    write end: +pid 4210 fd 1$' "$job"
info job_fifo 0 '^  fifo /tmp/ctl \(pipe 20\): capacity 16384, empty$' "$job"
info job_fifo_closed_end 0 '^    write end: +none \(closed after restart\)$' "$job"
info job_terminal 0 \
	'^terminal: pts/3, session 4200, foreground group 4210 \(in the job\), 24x80, 38400 baud$' "$job"
info job_termios 0 '^    termios: +icanon echo isig iexten icrnl ixon opost onlcr cs8$' "$job"
info job_terminal_fds 0 \
	'^    held by: +pid 4200 fds 0,1,2,255; pid 4210 fds 0,2; pid 4211 fds 1,2; pid 4220 fds 0,1,2$' \
	"$job"
info job_summary 0 '^summary: 112 records, 5 tasks, 12 pages' "$job"
# each thread's SCHED record: the producer's other threads SCHED_BATCH, pinned
info job_sched_main_thread 0 \
	'^ +35944  SCHED +200 policy=SCHED_OTHER nice=0 cpus=all ioprio=0x0 timer_slack_ns=50000$' "$job"
info job_sched_batch 0 \
	'^ +37848  SCHED +200 policy=SCHED_BATCH nice=5 cpus=0,2 ioprio=0x0 timer_slack_ns=50000$' "$job"
info job_sched_batch_oom 0 '^ +default_timer_slack_ns=50000 oom_score_adj=100 oom_score_adj_min=0$' \
	"$job"
"$tmp/ckptinfo" "$job" 2>&1 | sed -n 's/^ *[0-9][0-9]*  \([A-Z_][A-Z_]*\) .*/\1/p' |
	tr '\n' ' ' > "$tmp/types"
: > "$tmp/why"
for want in \
	' THREAD XSTATE SIGNAL SIGINFO SCHED ACCT THREAD XSTATE SIGNAL SCHED ACCT THREAD XSTATE SIGNAL SCHED ACCT TASK_END ' \
	' FD THREAD XSTATE SIGNAL SIGINFO SCHED ACCT TASK_END TASK ACCT TASK_END TASK '; do
	grep -q -- "$want" "$tmp/types" || echo "no sequence: $want" >> "$tmp/why"
done
if [ "$(grep -o ' SCHED ' "$tmp/types" | wc -l)" != 6 ]; then
	echo "not 6 SCHED records" >> "$tmp/why"
fi
if [ "$(grep -o ' ACCT ' "$tmp/types" | wc -l)" != 7 ]; then
	echo "not 7 ACCT records (6 threads and the zombie)" >> "$tmp/why"
fi
if [ -s "$tmp/why" ]; then
	cat "$tmp/types" >> "$tmp/why"
	not_ok job_sched_record_order "$tmp/why"
else
	ok job_sched_record_order
fi
# each live process's CKPTSIG record: the producer's with its own tree,
# pattern and notification signal, the sleeper's with its process group
# and SIG_CKPT (SIGUSR2) and SIG_CKPT_KILL (SIGTERM) handlers; the
# zombie has none
info job_ckptsig_own_settings 0 \
	'^ +[0-9]+  CKPTSIG +152 scope=tree anchor=4210 notify=SIGUSR1 pattern="/var/ckpt/%e.%p.ckpt"$' \
	"$job"
info job_ckptsig_pgrp 0 '^ +[0-9]+  CKPTSIG +152 scope=pgrp anchor=none notify=SIGRTMIN\+2 pattern=""$' \
	"$job"
info job_sighand_sig_ckpt 0 \
	'^ +signal=SIGUSR2 handler=SIG_CKPT flags=0x0 restorer=0x0 mask=0x0$' "$job"
info job_sighand_sig_ckpt_kill 0 \
	'^ +signal=SIGTERM handler=SIG_CKPT_KILL flags=0x0 restorer=0x0 mask=0x0$' "$job"
"$tmp/ckptinfo" "$job" 2>&1 | sed -n 's/^ *[0-9][0-9]*  \([A-Z_][A-Z_]*\) .*/\1/p' |
	tr '\n' ' ' > "$tmp/types"
: > "$tmp/why"
if [ "$(grep -o ' SIGHAND CKPTSIG TIMERS ' "$tmp/types" | wc -l)" != 4 ] ||
	[ "$(grep -o ' CKPTSIG ' "$tmp/types" | wc -l)" != 4 ]; then
	echo "not 4 CKPTSIG records, each between SIGHAND and TIMERS" >> "$tmp/why"
fi
grep -q -- ' TASK ACCT TASK_END ' "$tmp/types" || echo "the zombie has more than ACCT" >> "$tmp/why"
if [ -s "$tmp/why" ]; then
	cat "$tmp/types" >> "$tmp/why"
	not_ok job_ckptsig_record_order "$tmp/why"
else
	ok job_ckptsig_record_order
fi
# each thread's ACCT record: the process's parts in its leader's only; the
# zombie's, its only record, has them
info job_acct_leader 0 \
	'^ +36144  ACCT +464 flags=0x0 utime=1.250000000s stime=0.250000000s gtime=0.000000000s$' "$job"
info job_acct_thread 0 \
	'^ +38048  ACCT +464 flags=0x0 utime=0.300000000s stime=0.050000000s gtime=0.000000000s$' "$job"
info job_acct_thread_counters 0 \
	'^ +runtime=0.400000000s nvcsw=20 nivcsw=2 min_flt=40 maj_flt=0 rchar=512$' "$job"
"$tmp/ckptinfo" "$job" > "$tmp/out" 2>&1
sed -n '/^ *38048  ACCT /,/^ *[0-9]*  THREAD /p' "$tmp/out" | sed '$d' > "$tmp/acct"
if [ "$(wc -l < "$tmp/acct")" = 4 ] && ! grep -q 'exited\|children\|hiwater' "$tmp/acct"; then
	ok job_acct_thread_has_no_process_parts
else
	not_ok job_acct_thread_has_no_process_parts "$tmp/acct"
fi
info job_acct_zombie 0 \
	'^ +58720  ACCT +464 flags=0x0 utime=0.020000000s stime=0.010000000s gtime=0.000000000s$' "$job"
info job_acct_zombie_process 0 '^ +hiwater_rss=0 hiwater_vm=0$' "$job"
# cut after the producer's first thread: its CPU time is not known
head -c 36608 "$job" > "$tmp/cut.img"
info job_cpu_time_incomplete 1 '^ +4210 +4200 +4210 +4200 +3 +-  group-leader,foreground,ctty ' \
	"$tmp/cut.img"
info job_cpu_time_complete 1 '^ +4200 +1 +4200 +4200 +1 2.100000000s  session-leader' "$tmp/cut.img"
# the mm flags of prctl(PR_SET_THP_DISABLE) and prctl(PR_SET_MDWE)
info job_mm_thp_disable 0 \
	'^ +18976  MM +657 nr_vmas=2 flags=0x2\(thp_disable\) exe="/usr/bin/sleeper"$' "$job"
info job_mm_mdwe_no_inherit 0 \
	'^ +40912  MM +657 nr_vmas=2 flags=0xc\(mdwe\|mdwe_no_inherit\) exe="/usr/bin/sleeper"$' "$job"
info job_mm_mdwe 0 '^ +59680  MM +657 nr_vmas=2 flags=0x4\(mdwe\) exe="/usr/bin/sleeper" start_code=' \
	"$job"
info job_mm_no_flags 0 '^ +856  MM +657 nr_vmas=2 exe="/usr/bin/sleeper" start_code=0x400000$' "$job"
info job_no_ptys 0 '^ptys: none$' "$job"
"$tmp/mkimage" --job --no-tty > "$tmp/notty.img"
info job_ctty_without_tty 1 \
	'offset 240 .*TASK record: has the job.s terminal \(flag ctty\), but no TTY record came before' \
	"$tmp/notty.img"

# Pseudo-terminals: the PTY records, the files on them, and the job's ptys
pty=$tmp/pty.img
"$tmp/mkimage" --pty > "$pty"
info pty_verifies 0 '^result: ok$' "$pty"
info pty_header 0 'HEADER .* version=9 .*scope=tree root_pid=4300$' "$pty"
info pty_record 0 'PTY +129 objid=30 index=5 name=pts/5 flags=0x0$' "$pty"
info pty_record_master_flags 0 \
	'^ +master_flags=0x8802\(O_RDWR\|O_NONBLOCK\|O_LARGEFILE\) master_mode=O_RDWR$' "$pty"
info pty_record_session 0 '^ +sid=4301 fg_pgrp=4302 rows=50 cols=132 xpixel=0 ypixel=0$' "$pty"
info pty_record_termios 0 '^ +termios: icanon=true echo=true iflag=0x4500\(icrnl\|ixon\|iutf8\)$' "$pty"
info pty_record_lflag 0 \
	'^ +lflag=0x8a3b\(isig\|icanon\|echo\|echoe\|echok\|echoctl\|echoke\|iexten\)$' "$pty"
info pty_record_slave_data 0 \
	'^ +slave: in=8 lines=1 raw=3 in_data="ls -l\\x0aec" raw_data="ho\\x0a"$' "$pty"
info pty_record_master_data 0 \
	'^ +master: in=11 lines=0 raw=0 in_data="total 0\\x0d\\x0a\$ "$' "$pty"
info pty_record_flags 0 'PTY +104 objid=40 index=6 name=pts/6 flags=0x6\(packet\|slave-closed\)$' "$pty"
info pty_record_raw_termios 0 '^ +termios: icanon=false echo=false iflag=0x0 oflag=0x0$' "$pty"
info pty_record_empty 0 '^ +slave: in=0 lines=0 raw=0$' "$pty"
info pty_master_file 0 'FILE .* objid=31 kind=pty-master pty_id=30 mode=rw$' "$pty"
info pty_slave_file 0 'FILE .* objid=32 kind=pty-slave pty_id=30 mode=rw flags=0x8000\(O_LARGEFILE\)$' \
	"$pty"
info pty_slave_file_read 0 'FILE .* objid=33 kind=pty-slave pty_id=30 mode=r flags=0x8000' "$pty"
info pty_job_line 0 '^job: scope=tree root_pid=4300 processes=3 threads=3 zombies=0 stopped=0$' "$pty"
info pty_no_pipes 0 '^pipes: none$' "$pty"
info pty_no_terminal 0 '^terminal: none$' "$pty"
info pty_summary 0 '^summary: 79 records, 3 tasks, 9 pages' "$pty"
"$tmp/ckptinfo" "$pty" > "$tmp/out" 2>&1
sed -n '/^ptys:/,/^terminal:/p' "$tmp/out" > "$tmp/ptys"
cat > "$tmp/want" <<'EOF'
ptys:
  pty 30 (pts/5): session 4301 (in the job), foreground group 4302 (in the job), 50x132
    termios:    icanon echo isig iexten icrnl ixon opost onlcr cs8
    master:     pid 4300 fd 5
    slave:      pid 4301 fds 0,1,2,255; pid 4302 fds 0,1,2,3
    to slave:   8 bytes unread (1 line), 3 unprocessed
    to master:  11 bytes unread
  pty 40 (pts/6): no session, 0x0, packet mode, slave closed
    termios:    -icanon -echo -isig -iexten -icrnl -ixon -opost -onlcr cs8
    master:     pid 4300 fd 7
    slave:      none
    to slave:   empty
    to master:  empty
System V shared memory: none
terminal: none
EOF
if diff -u "$tmp/want" "$tmp/ptys" > "$tmp/why" 2>&1; then
	ok pty_job_view
else
	not_ok pty_job_view "$tmp/why"
fi

# The objects of format v5: unlinked files saved with their contents (the
# shared memory and a memfd among the VMA records, a deleted file among
# the files), the mappings and files naming them, event fds, an epoll set
obj=$tmp/objects.img
"$tmp/mkimage" --objects > "$obj"
info objects_verifies 0 '^result: ok$' "$obj"
info objects_header 0 'HEADER .* version=9 .*scope=process root_pid=4400$' "$obj"
info objects_unlinked_shmem 0 '^ +1472  UNLINKED +48 objid=50 kind=shmem size=8192 nr_pages=1 mode=0600$' \
	"$obj"
info objects_unlinked_shmem_page 0 \
	'^ +1520  PAGES +4120 addr=0x1000 nr_pages=1 bytes=4096 unlinked_id=50$' "$obj"
info objects_vma_obj_shared 0 \
	'^ +5640  VMA +64 000010000000-000010002000 rw- obj_shared pages=0 bytes=0 objid=50$' "$obj"
info objects_unlinked_memfd 0 \
	'UNLINKED .* objid=51 kind=memfd path="memfd:cache" size=5000 nr_pages=2 mode=0777$' "$obj"
info objects_memfd_seals 0 '^ +seals=0x6\(F_SEAL_SHRINK\|F_SEAL_GROW\)$' "$obj"
info objects_memfd_pages 0 'PAGES +4120 addr=0x1000 nr_pages=1 bytes=4096 unlinked_id=51$' "$obj"
info objects_vma_obj_private 0 \
	'VMA .* 000020000000-000020002000 rw- obj_private pages=1 bytes=4096 objid=51$' "$obj"
info objects_obj_private_page 0 'PAGES +4120 addr=0x20001000 nr_pages=1 bytes=4096$' "$obj"
info objects_memfd_file 0 'FILE .* objid=60 kind=unlinked unlinked_id=51 mode=rw$' "$obj"
info objects_memfd_file_pos 0 '^ +flags=0x8002\(O_RDWR\|O_LARGEFILE\) pos=100 size=5000$' "$obj"
info objects_unlinked_deleted 0 \
	'UNLINKED .* objid=52 kind=deleted path="/tmp" size=10 nr_pages=1 mode=0644$' "$obj"
info objects_deleted_file 0 'FILE .* objid=61 kind=unlinked unlinked_id=52 mode=r$' "$obj"
info objects_eventfd 0 'EVENTFD +24 objid=70 count=3 flags=0x1\(EFD_SEMAPHORE\)$' "$obj"
info objects_eventfd_file 0 \
	'FILE .* objid=71 kind=eventfd eventfd_id=70 mode=rw flags=0x800\(O_NONBLOCK\)$' "$obj"
info objects_timerfd 0 'TIMERFD +56 objid=72 clock=CLOCK_MONOTONIC flags=0x0 value=1.500000000$' "$obj"
info objects_timerfd_interval 0 '^ +interval=1.000000000 ticks=2$' "$obj"
info objects_timerfd_abstime 0 'TIMERFD +56 objid=74 clock=CLOCK_REALTIME$' "$obj"
info objects_timerfd_abstime_flags 0 '^ +flags=0x3\(TFD_TIMER_ABSTIME\|TFD_TIMER_CANCEL_ON_SET\)$' "$obj"
info objects_timerfd_expires 0 '^ +expires_ns=1767225610000000000$' "$obj"
info objects_timerfd_file 0 \
	'FILE .* objid=73 kind=timerfd timerfd_id=72 mode=rw flags=0x0 pos=0 size=0$' "$obj"
info objects_signalfd 0 'SIGNALFD +24 objid=76 mask=0x4200\(USR1,TERM\)$' "$obj"
info objects_signalfd_file 0 'FILE .* objid=77 kind=signalfd signalfd_id=76 mode=rw' "$obj"
info objects_epoll 0 'EPOLL +32 objid=78 nr_items=1$' "$obj"
info objects_epoll_item 0 '^ +fd=5 events=0x80000001\(EPOLLIN\|EPOLLET\) data=0x1234$' "$obj"
info objects_epoll_file 0 'FILE .* objid=79 kind=epoll epoll_id=78 mode=rw' "$obj"
info objects_task_end 0 'TASK_END .* pid=4400 pages=8 page_bytes=32768 files=8 fds=10$' "$obj"
info objects_summary 0 '^summary: 54 records, 1 task, 8 pages \(32768 bytes\)' "$obj"
# the records held back with the VMA records are shown in the image's order
"$tmp/ckptinfo" "$obj" > "$tmp/out" 2>&1
sed -n 's/^ *\([0-9][0-9]*\)  [A-Z_][A-Z_]* *[0-9][0-9]* .*/\1/p' "$tmp/out" > "$tmp/offs"
if [ "$(wc -l < "$tmp/offs")" = 54 ] && sort -n -c "$tmp/offs" 2> "$tmp/why"; then
	ok objects_records_in_image_order
else
	cat "$tmp/offs" >> "$tmp/why"
	not_ok objects_records_in_image_order "$tmp/why"
fi

# Unix sockets: their records, the files on them, a pair across processes
sock=$tmp/unix.img
"$tmp/mkimage" --unix > "$sock"
info unix_verifies 0 '^result: ok$' "$sock"
info unix_header 0 'HEADER .* version=9 .*scope=tree root_pid=4500$' "$sock"
info unix_listen 0 \
	'^ +16272  UNIX +136 objid=90 sock_type=stream state=listen name="/run/app.sock"$' "$sock"
info unix_listen_path 0 '^ +path="/run/app.sock" flags=0x40\(bound\) shutdown=0x0 backlog=128$' \
	"$sock"
info unix_listen_file 0 'FILE .* objid=91 kind=unix unix_id=90 mode=rw flags=0x0 pos=0 size=0$' \
	"$sock"
info unix_pair 0 'UNIX +168 objid=92 sock_type=stream state=connected peer_id=94$' "$sock"
info unix_pair_flags 0 \
	'^ +flags=0x29\(passcred\|sndbuf-lock\|peercred\) shutdown=0x0 sndbuf=131072$' "$sock"
info unix_pair_options 0 \
	'^ +rcvbuf=212992 rcvlowat=1 rcvtimeo=2.500000000 peer_pid=4501$' "$sock"
info unix_pair_msg 0 '^ +msg: len=5 sender_id=94 pid=4501 uid=1000 gid=1000 data="hello"$' "$sock"
info unix_pair_msg_escaped 0 \
	'^ +msg: len=7 sender_id=94 pid=4501 uid=1000 gid=1000 data=" world\\x0a"$' "$sock"
info unix_dgram_file_name 0 \
	'UNIX +216 objid=96 sock_type=dgram state=unconnected name="/run/logd.sock"$' "$sock"
info unix_dgram_outside_msg 0 '^ +msg: len=8 sender_id=0 pid=4711 uid=0 gid=0 data="<14>ping"$' \
	"$sock"
info unix_dgram_connected 0 'UNIX +152 objid=98 sock_type=dgram state=connected peer_id=96$' "$sock"
info unix_abstract_name 0 '^ +name="@client\\x01" flags=0x40\(bound\) shutdown=0x0 sndbuf=212992$' \
	"$sock"
info unix_nonblock_file 0 'FILE .* objid=99 kind=unix unix_id=98 mode=rw flags=0x800\(O_NONBLOCK\)' \
	"$sock"
info unix_peer_closed 0 'UNIX +176 objid=100 sock_type=seqpacket state=peer-closed$' "$sock"
info unix_peer_name 0 '^ +peer_name="/run/seq.sock" flags=0x0$' "$sock"
info unix_shutdown 0 '^ +shutdown=0x3\(RCV_SHUTDOWN\|SEND_SHUTDOWN\) sndbuf=212992 rcvbuf=212992$' \
	"$sock"
info unix_empty_msg 0 '^ +msg: len=0 sender_id=0 pid=0 uid=1000 gid=1000$' "$sock"
info unix_unnamed 0 'UNIX +104 objid=102 sock_type=dgram state=unconnected$' "$sock"
info unix_options 0 '^ +flags=0xb00\(timestamp\|timestampns\|rxq-ovfl\) shutdown=0x0$' "$sock"
info unix_peek_off 0 '^ +sndbuf=212992 rcvbuf=212992 rcvlowat=1 peek_off=0 priority=6$' "$sock"
info unix_pair_other_end 0 \
	'^ +[0-9]+  UNIX +184 objid=94 sock_type=stream state=connected peer_id=92$' "$sock"
info unix_task_end 0 'TASK_END .* pid=4500 pages=3 page_bytes=12288 files=7 fds=9$' "$sock"
# files in flight (SCM_RIGHTS): their FILE records before the socket, one
# of them on no descriptor; the ids each message carries
info unix_file_only_in_flight 0 \
	'^ +[0-9]+  FILE +65 objid=104 kind=reg path="/var/log/app.log" mode=w$' "$sock"
info unix_msg_fds 0 '^ +msg: len=4 sender_id=92 pid=4500 uid=1000 gid=1000 fds=104,105$' "$sock"
info unix_msg_one_fd 0 '^ +msg: len=5 sender_id=92 pid=4500 uid=1000 gid=1000 fds=105$' "$sock"
info unix_msg_fds_data 0 '^ +data="again"$' "$sock"
info unix_worker_task_end 0 'TASK_END .* pid=4501 pages=3 page_bytes=12288 files=3 fds=5$' \
	"$sock"
info unix_summary 0 '^summary: 71 records, 2 tasks, 6 pages \(24576 bytes\)' "$sock"

# POSIX timers, file locks and shared tables: a server with five timers
# and three locks, a zombie, and children sharing its file table, its
# working directory, or both
shared=$tmp/shared.img
"$tmp/mkimage" --shared > "$shared"
info shared_verifies 0 '^result: ok$' "$shared"
info shared_header_file_locks 0 '^ +file_locks=true flags=0x2c time_sec=1767225600$' "$shared"
info shared_timers_count 0 '^ +16088  TIMERS +64 nr_posix=5 next_posix_id=10$' "$shared"
info shared_posix_timers 0 '^ +16152  POSIX_TIMERS   376 nr=5$' "$shared"
info shared_ptimer_signal 0 \
	'^ +timer: id=0 clock=CLOCK_MONOTONIC notify=SIGEV_SIGNAL signo=SIGALRM$' "$shared"
info shared_ptimer_times 0 \
	'^ +sigev_value=0x1234 value=1.500000000 interval=1.000000000 overrun=-1$' "$shared"
info shared_ptimer_thread 0 '^ +timer: id=1 clock=CLOCK_REALTIME notify=SIGEV_THREAD_ID$' \
	"$shared"
info shared_ptimer_thread_tid 0 '^ +signo=SIGRTMIN\+2 tid=4701 sigev_value=0x7f0000002000$' \
	"$shared"
info shared_ptimer_abs_pending 0 '^ +overrun_last=1 flags=0x3\(abs\|pending\) pending_overrun=2$' \
	"$shared"
info shared_ptimer_thread_cpuclock 0 '^ +timer: id=3 clock=thread-cpu:4701:sched cpu_tid=4701$' \
	"$shared"
info shared_ptimer_none 0 '^ +notify=SIGEV_NONE sigev_value=0x0 value=0.020000000$' "$shared"
info shared_ptimer_thread_cputime 0 \
	'^ +timer: id=7 clock=CLOCK_THREAD_CPUTIME_ID cpu_tid=4600$' "$shared"
info shared_ptimer_process_cputime 0 \
	'^ +timer: id=9 clock=CLOCK_PROCESS_CPUTIME_ID notify=SIGEV_SIGNAL$' "$shared"
info shared_locks 0 '^ +16960  LOCKS +88 nr=3$' "$shared"
info shared_lock_posix 0 '^ +lock: fd=3 kind=posix type=write start=0 end=99$' "$shared"
info shared_lock_ofd 0 '^ +lock: fd=4 kind=ofd type=read start=100 end=9223372036854775807$' \
	"$shared"
info shared_lock_flock 0 '^ +lock: fd=5 kind=flock type=write$' "$shared"
info shared_logger_lock 0 '^ +55632  LOCKS +40 nr=1$' "$shared"
info shared_worker_shares 0 '^ +22024  SHARES +16 files_of=4600 fs_of=0$' "$shared"
info shared_logger_shares 0 '^ +40016  SHARES +16 files_of=0 fs_of=4600$' "$shared"
info shared_helper_shares 0 '^ +58184  SHARES +16 files_of=4600 fs_of=4600$' "$shared"
info shared_worker_task_end 0 'TASK_END .* pid=4602 pages=3 page_bytes=12288 files=0 fds=0$' \
	"$shared"
info shared_acct_forknoexec 0 \
	'^ +39088  ACCT +464 flags=0x1\(forknoexec\) utime=1.250000000s stime=0.250000000s$' "$shared"
info shared_tree_worker 0 '^ +4602 +4600 +4600 +4600 +1 2.100000000s  files-of:4600 +\\_ worker$' "$shared"
info shared_tree_logger 0 '^ +4603 +4600 +4600 +4600 +1 2.100000000s  fs-of:4600 +\\_ logger$' "$shared"
info shared_tree_helper 0 '^ +4604 +4600 +4600 +4600 +1 2.100000000s  files-of:4600,fs-of:4600 +\\_ helper$' \
	"$shared"
info shared_summary 0 '^summary: 106 records, 5 tasks, 12 pages \(49152 bytes\)' "$shared"
# each process's records: no FS for a shared fs_struct, no FILE, FD or
# LOCKS for a shared file table, POSIX_TIMERS after TIMERS, LOCKS after
# the last FD
"$tmp/ckptinfo" "$shared" 2>&1 | sed -n 's/^ *[0-9][0-9]*  \([A-Z_][A-Z_]*\) .*/\1/p' |
	tr '\n' ' ' > "$tmp/types"
: > "$tmp/why"
for want in \
	'TASK CRED RLIMITS FS MM VMA VMA PAGES PAGES SIGHAND CKPTSIG TIMERS POSIX_TIMERS FILE FD FD FD FILE FD FILE FD FILE FD FD LOCKS THREAD ' \
	'TASK ACCT TASK_END TASK CRED RLIMITS SHARES FS MM VMA VMA PAGES PAGES SIGHAND CKPTSIG TIMERS THREAD ' \
	'TASK CRED RLIMITS SHARES MM VMA VMA PAGES PAGES SIGHAND CKPTSIG TIMERS FD FD FD FILE FD LOCKS THREAD ' \
	'TASK CRED RLIMITS SHARES MM VMA VMA PAGES PAGES SIGHAND CKPTSIG TIMERS THREAD XSTATE SIGNAL SIGINFO SCHED ACCT TASK_END TRAILER '; do
	grep -q -- "$want" "$tmp/types" || echo "no sequence: $want" >> "$tmp/why"
done
if [ -s "$tmp/why" ]; then
	cat "$tmp/types" >> "$tmp/why"
	not_ok shared_record_order "$tmp/why"
else
	ok shared_record_order
fi
# A POSIX lock named by a read-only descriptor: restart takes it back
# through another descriptor of the process on the file, open for writing
# (its fd 3; the lock's fd patched to 4, the checksum then not verified)
off=$(( $("$tmp/mkimage" --shared --offset-of LOCKS) + 16 ))
cp "$shared" "$tmp/lockfd.img"
printf '\004' | dd of="$tmp/lockfd.img" bs=1 seek=$off conv=notrunc 2> /dev/null
info shared_lock_posix_other_fd 0 '^ +lock: fd=4 kind=posix type=write start=0 end=99$' \
	--no-verify "$tmp/lockfd.img"

# System V shared memory and inotify: a segment with its pages among the
# server's VMA records, attached read-write there and read-only in its
# child, a removed segment, madvise() flags, mlockall(MCL_FUTURE), and an
# inotify instance with its watches and queued events
ipc=$tmp/ipc.img
"$tmp/mkimage" --ipc > "$ipc"
info ipc_verifies 0 '^result: ok$' "$ipc"
info ipc_header 0 'HEADER .* version=9 .*scope=tree root_pid=4800$' "$ipc"
info ipc_mm_lock_future 0 '^ +720  MM +657 nr_vmas=5 flags=0x1\(lock_future\) exe="/usr/bin/sleeper"$' \
	"$ipc"
info ipc_mm_no_flags 0 '^ +35864  MM +657 nr_vmas=3 exe="/usr/bin/sleeper" start_code=0x400000$' \
	"$ipc"
info ipc_sysvshm 0 \
	'^ +1472  SYSVSHM +88 objid=110 shmid=32769 key=0x00005eed size=12288 nr_pages=2 mode=0640$' \
	"$ipc"
info ipc_sysvshm_ids 0 '^ +flags=0x0 uid=1000 gid=1000 cuid=1000 cgid=1000 atime=1767225500$' "$ipc"
info ipc_sysvshm_times 0 '^ +dtime=0 ctime=1767225400$' "$ipc"
info ipc_sysvshm_pages 0 'PAGES +4120 addr=0x2000 nr_pages=1 bytes=4096 sysvshm_id=110$' "$ipc"
info ipc_vma_sysvshm 0 \
	'^ +9800  VMA +64 000030000000-000030003000 rw- sysvshm pages=0 bytes=0 objid=110$' "$ipc"
info ipc_vma_sysvshm_flags 0 '^ +size=12288 pgoff=0x0 vm_flags=0x0 flags=0x42\(locked\|dontfork\)$' \
	"$ipc"
info ipc_sysvshm_removed 0 \
	'^ +9864  SYSVSHM +88 objid=112 shmid=5 key=0x00000000 size=4096 nr_pages=0 mode=0640$' \
	"$ipc"
info ipc_sysvshm_removed_flags 0 '^ +flags=0x1\(removed\) uid=1000 gid=1000 cuid=1000 cgid=1000$' \
	"$ipc"
info ipc_vma_removed_rdonly 0 '^ +size=4096 pgoff=0x0 vm_flags=0x0 flags=0x22\(locked\|shm_rdonly\)$' \
	"$ipc"
info ipc_vma_madvise 0 '^ +flags=0x5c6\(locked\|dontdump\|dontfork\|wipeonfork\|hugepage\|mergeable\)$' \
	"$ipc"
info ipc_vma_client_rdonly 0 \
	'^ +36616  VMA +64 000050001000-000050003000 r-- sysvshm pages=0 bytes=0 objid=110$' "$ipc"
info ipc_vma_client_flags 0 '^ +size=8192 pgoff=0x1 vm_flags=0x0 flags=0x220\(shm_rdonly\|nohugepage\)$' \
	"$ipc"
info ipc_inotify 0 'INOTIFY +152 objid=120 nr_watches=2 next_wd=4 events_len=64 nr_events=3$' "$ipc"
info ipc_inotify_watch 0 '^ +watch: wd=1 mask=0x302\(IN_MODIFY\|IN_CREATE\|IN_DELETE\)$' "$ipc"
info ipc_inotify_watch_flags 0 \
	'^ +watch: wd=3 mask=0x84000002\(IN_MODIFY\|IN_EXCL_UNLINK\|IN_ONESHOT\)$' "$ipc"
info ipc_inotify_watch_path 0 '^ +path="/var/www/html"$' "$ipc"
info ipc_inotify_event_name 0 \
	'^ +event: wd=1 mask=0x100\(IN_CREATE\) cookie=0 len=16 name="site.conf"$' "$ipc"
info ipc_inotify_event 0 '^ +event: wd=3 mask=0x2\(IN_MODIFY\) cookie=0 len=0$' "$ipc"
info ipc_inotify_overflow 0 '^ +event: wd=-1 mask=0x4000\(IN_Q_OVERFLOW\) cookie=0 len=0$' "$ipc"
info ipc_inotify_file 0 \
	'FILE .* objid=121 kind=inotify inotify_id=120 mode=r flags=0x800\(O_NONBLOCK\)$' "$ipc"
info ipc_task_end 0 'TASK_END .* pid=4800 pages=7 page_bytes=28672 files=2 fds=4$' "$ipc"
info ipc_client_task_end 0 'TASK_END .* pid=4801 pages=3 page_bytes=12288 files=0 fds=4$' "$ipc"
info ipc_summary 0 '^summary: 60 records, 2 tasks, 10 pages \(40960 bytes\)' "$ipc"
# each segment's record, and its pages, before the VMA attaching it
"$tmp/ckptinfo" "$ipc" 2>&1 | sed -n 's/^ *[0-9][0-9]*  \([A-Z_][A-Z_]*\) .*/\1/p' |
	tr '\n' ' ' > "$tmp/types"
want='MM VMA SYSVSHM PAGES PAGES VMA SYSVSHM VMA VMA VMA PAGES PAGES PAGES SIGHAND CKPTSIG TIMERS FILE FD FD FD INOTIFY FILE FD THREAD '
if grep -q -- "$want" "$tmp/types"; then
	ok ipc_record_order
else
	{ echo "no sequence: $want"; cat "$tmp/types"; } > "$tmp/why"
	not_ok ipc_record_order "$tmp/why"
fi
# the job view: each segment, and the processes attaching it
"$tmp/ckptinfo" "$ipc" > "$tmp/out" 2>&1
sed -n '/^System V shared memory:/,/^terminal:/p' "$tmp/out" > "$tmp/shms"
cat > "$tmp/want" <<'EOF'
System V shared memory:
  shmid 32769 key 0x00005eed size 12288 mode 0640 attached by pid 4800, pid 4801
  shmid 5 key 0x00000000 size 4096 mode 0640 removed attached by pid 4800
terminal: none
EOF
if diff -u "$tmp/want" "$tmp/shms" > "$tmp/why" 2>&1; then
	ok ipc_job_view
else
	not_ok ipc_job_view "$tmp/why"
fi

# Standard input, as a pipe (not a file: cat is on purpose)
# shellcheck disable=SC2002
cat "$img" | "$tmp/ckptinfo" > "$tmp/out" 2>&1
st=$?
if [ $st = 0 ] && grep -q '^result: ok$' "$tmp/out" && grep -q 'comm="sleeper"' "$tmp/out"; then
	ok stdin_pipe_works
else
	not_ok stdin_pipe_works "$tmp/out"
fi
# shellcheck disable=SC2002
cat "$img" | "$tmp/ckptinfo" - > "$tmp/out" 2>&1
st=$?
if [ $st = 0 ] && grep -q '^result: ok$' "$tmp/out"; then
	ok dash_means_stdin
else
	not_ok dash_means_stdin "$tmp/out"
fi

# JSON: valid, with the decoded fields where they belong
if command -v python3 > /dev/null 2>&1; then
	"$tmp/ckptinfo" --json "$img" > "$tmp/json" 2> "$tmp/err"
	st=$?
	if [ $st = 0 ] && python3 -m json.tool "$tmp/json" > /dev/null 2>> "$tmp/err"; then
		ok json_is_valid
	else
		not_ok json_is_valid "$tmp/err"
	fi
	if python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True and j["checksum_ok"] is True and j["error"] is None
assert j["header"]["version"] == 9 and j["header"]["nr_tasks"] == 1
assert j["header"]["digest"] == "xxh64" and j["trailer"]["digest"] == "xxh64", j["trailer"]
assert j["trailer"]["len"] == 56 and len(j["trailer"]["value"]) == 16, j["trailer"]
assert j["digest"] == "xxh64" and j["computed"] == j["trailer"]["value"], j
assert j["header"]["scope"] == "process" and j["header"]["root_pid"] == 4242
t = j["tasks"][0]
assert t["pid"] == 4242 and t["comm"] == "sleeper" and t["pages"] == 3
recs = t["records"]
vmas = [r for r in recs if r["type"] == "VMA"]
assert [(v["start"], v["end"], v["pages"]) for v in vmas] == \
    [("0x400000", "0x402000", 1), ("0x7ffd0000", "0x7ffd4000", 2)], vmas
f = [r for r in recs if r["type"] == "FILE"][1]
assert f["path"] == '/tmp/log "odd\\name"\n\u00e9.txt', f["path"]
h = [r for r in recs if r["type"] == "SIGHAND"][0]["handlers"]
assert [x["signal"] for x in h] == ["SIGINT", "SIGPIPE"], h
cs = [r for r in recs if r["type"] == "CKPTSIG"]
assert cs == [{"offset": 15936, "type": "CKPTSIG", "len": 152, "scope": "process", "anchor": None,
               "notify": None, "pattern": ""}], cs
assert [r["type"] for r in recs[9:12]] == ["SIGHAND", "CKPTSIG", "TIMERS"], recs[9:12]
tm = [r for r in recs if r["type"] == "TIMERS"][0]["itimers"]
assert [(x["which"], x["value"], x["interval"]) for x in tm] == \
    [("real", 1.5, 0), ("prof", 0.02, 0.02)], tm
assert j["summary"]["records"] == 27
assert "tty" not in j
assert j["job"]["nr_processes"] == 1 and j["job"]["tty"] is None
assert j["job"]["pipes"] == [] and j["job"]["fifos"] == [] and j["job"]["ptys"] == []
assert j["job"]["sysvshm"] == []
sc = [r for r in recs if r["type"] == "SCHED"]
assert sc == [{"offset": 17760, "type": "SCHED", "len": 200, "policy": "SCHED_OTHER", "nice": 0,
               "cpus": "all", "ioprio": "0x0", "timer_slack_ns": 50000,
               "default_timer_slack_ns": 50000, "oom_score_adj": 100, "oom_score_adj_min": 0}], sc
assert [r["type"] for r in recs[-4:]] == ["SIGINFO", "SCHED", "ACCT", "TASK_END"], recs[-4:]
ac = [r for r in recs if r["type"] == "ACCT"]
assert ac == [{"offset": 17960, "type": "ACCT", "len": 464, "flags": "0x0", "flags_names": [],
               "self": {"utime": 1.25, "stime": 0.25, "gtime": 0, "runtime": 1.6, "nvcsw": 120,
                        "nivcsw": 15, "min_flt": 2400, "maj_flt": 3, "rchar": 65536,
                        "wchar": 4096, "syscr": 48, "syscw": 16, "read_bytes": 8192,
                        "write_bytes": 4096, "cancelled_write_bytes": 0},
               "exited": {"utime": 0.5, "stime": 0.1, "gtime": 0, "runtime": 0.7, "nvcsw": 30,
                          "nivcsw": 4, "min_flt": 300, "maj_flt": 1, "inblock": 16,
                          "oublock": 8, "maxrss": 2048, "rchar": 1024, "wchar": 512,
                          "syscr": 5, "syscw": 3, "read_bytes": 0, "write_bytes": 0,
                          "cancelled_write_bytes": 0},
               "children": {"utime": 2, "stime": 0.5, "gtime": 0, "runtime": 0, "nvcsw": 200,
                            "nivcsw": 20, "min_flt": 5000, "maj_flt": 10, "inblock": 64,
                            "oublock": 32, "maxrss": 4096, "rchar": 131072, "wchar": 8192,
                            "syscr": 100, "syscw": 40, "read_bytes": 16384,
                            "write_bytes": 8192, "cancelled_write_bytes": 4096},
               "hiwater_rss": 3072, "hiwater_vm": 10240}], ac
assert j["job"]["processes"][0]["cpu_time"] == 2.1, j["job"]["processes"][0]
EOF
	then
		ok json_has_decoded_fields
	else
		not_ok json_has_decoded_fields "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$tmp/two.img" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True
assert [t["pid"] for t in j["tasks"]] == [4242, 4243]
assert [len(t["records"]) for t in j["tasks"]] == [25, 25]
EOF
	then
		ok json_two_tasks
	else
		not_ok json_two_tasks "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$job" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True
h = j["header"]
assert (h["scope"], h["root_pid"], h["nr_tasks"], h["nr_threads"]) == ("session", 4200, 5, 6), h
assert j["tty"]["name"] == "pts/3" and j["tty"]["cc"]["susp"] == "^Z", j["tty"]
job = j["job"]
assert job["complete"] is True and job["zombies"] == 1 and job["stopped"] == 1
procs = job["processes"]
assert [(p["pid"], p["depth"], p["parent"]) for p in procs] == \
    [(4200, 0, None), (4210, 1, 4200), (4211, 1, 4200), (4212, 2, 4211), (4220, 1, 4200)], procs
z = procs[3]
assert z["zombie"] is True and z["exit_code"] == 768 and z["exit"] == "exited(3)" and z["threads"] == []
assert procs[4]["stopped"] is True and procs[0]["session_leader"] is True
th = procs[1]["threads"]
assert [t["tid"] for t in th] == [4210, 4311, 4312]
assert th[0]["restart"] is None
assert th[1]["restart"]["kind"] == "nanosleep" and th[1]["restart"]["remaining_ns"] == 1500000000
assert th[2]["restart"]["kind"] == "futex"
assert job["pipes"] == [{"id": 10, "capacity": 65536, "bytes": 6,
                         "read": [{"pid": 4211, "fd": 0}],
                         "write": [{"pid": 4210, "fd": 1}]}], job["pipes"]
f = job["fifos"][0]
assert f["path"] == "/tmp/ctl" and f["id"] == 20 and f["read"] == [{"pid": 4211, "fd": 3}]
assert f["write"] == [] and f["read_write"] == []
assert job["ptys"] == []
t = job["tty"]
assert t["fg_pgrp"] == 4210 and t["fg_pgrp_in_job"] is True and (t["rows"], t["cols"]) == (24, 80)
assert "icanon" in t["termios"] and "cs8" in t["termios"]
assert len(t["fds"]) == 11 and t["fds"][3] == {"pid": 4200, "fd": 255}
assert [t["pid"] for t in j["tasks"]] == [4200, 4210, 4211, 4212, 4220]
assert [r["type"] for r in j["tasks"][3]["records"]] == ["TASK", "ACCT", "TASK_END"]
cs = [[(r["scope"], r["anchor"], r["notify"], r["pattern"]) for r in t["records"]
       if r["type"] == "CKPTSIG"] for t in j["tasks"]]
assert cs == [[("process", None, None, "")], [("tree", 4210, "SIGUSR1", "/var/ckpt/%e.%p.ckpt")],
              [("process", None, None, "")], [], [("pgrp", None, "SIGRTMIN+2", "")]], cs
h = [r for r in j["tasks"][4]["records"] if r["type"] == "SIGHAND"][0]["handlers"]
assert [(x["signal"], x["handler"]) for x in h] == [("SIGINT", "0x401000"), ("SIGUSR2", "SIG_CKPT"),
                                                    ("SIGPIPE", "SIG_IGN"),
                                                    ("SIGTERM", "SIG_CKPT_KILL")], h
assert job["sysvshm"] == []
ac = [(r["self"]["utime"], r["self"]["nvcsw"], sorted(r)) for r in j["tasks"][1]["records"]
      if r["type"] == "ACCT"]
keys = ["flags", "flags_names", "len", "offset", "self", "type"]
assert ac == [(1.25, 120, sorted(keys + ["exited", "children", "hiwater_rss", "hiwater_vm"])),
              (0.3, 10, keys), (0.3, 20, keys)], ac
z = [r for r in j["tasks"][3]["records"] if r["type"] == "ACCT"][0]
assert (z["self"]["utime"], z["self"]["stime"], z["exited"]["utime"], z["hiwater_rss"]) == \
    (0.02, 0.01, 0, 0), z
assert "inblock" not in z["self"] and z["children"]["maxrss"] == 0, z
assert [p["cpu_time"] for p in procs] == [2.1, 2.8, 2.1, 0.03, 2.1], procs
sc = [(r["policy"], r["nice"], r["cpus"], r["timer_slack_ns"], r["oom_score_adj"])
      for r in j["tasks"][1]["records"] if r["type"] == "SCHED"]
assert sc == [("SCHED_OTHER", 0, "all", 50000, 100), ("SCHED_BATCH", 5, "0,2", 50000, 100),
              ("SCHED_BATCH", 5, "0,2", 50000, 100)], sc
for t in j["tasks"]:
    types = [r["type"] for r in t["records"]]
    assert types.count("SCHED") == types.count("THREAD"), types
    assert all(types[i + 1] == "ACCT" for i, x in enumerate(types) if x == "SCHED"), types
    assert all(types[i + 1] in ("THREAD", "TASK_END") for i, x in enumerate(types) if x == "ACCT")
    for r in t["records"]:
        if r["type"] == "SCHED":
            assert not {"rt_priority", "slice", "dl_runtime", "dl_overrun", "reset_on_fork"} & set(r)
mm = [(r["flags"], r["flags_names"]) for t in j["tasks"] for r in t["records"] if r["type"] == "MM"]
assert mm == [("0x0", []), ("0x2", ["thp_disable"]), ("0xc", ["mdwe", "mdwe_no_inherit"]),
              ("0x4", ["mdwe"])], mm
EOF
	then
		ok json_job
	else
		not_ok json_job "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$pty" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True and j["header"]["version"] == 9
p = [r for r in j["tasks"][0]["records"] if r["type"] == "PTY"]
assert [(x["objid"], x["index"], x["name"], x["len"]) for x in p] == \
    [(30, 5, "pts/5", 129), (40, 6, "pts/6", 104)], p
a, b = p
assert a["flags"] == "0x0" and a["flags_names"] == [], a
assert b["flags"] == "0x6" and b["flags_names"] == ["packet", "slave-closed"], b
assert a["master_flags"] == "0x8802" and a["master_mode"] == "O_RDWR"
assert a["master_flags_names"] == ["O_RDWR", "O_NONBLOCK", "O_LARGEFILE"]
assert (a["sid"], a["fg_pgrp"], a["rows"], a["cols"]) == (4301, 4302, 50, 132)
t = a["termios"]
assert t["icanon"] is True and t["echo"] is True and t["lflag"] == "0x8a3b", t
assert t["iflag"] == "0x4500" and t["ospeed"] == 38400 and t["cc"]["intr"] == "^C", t
assert b["termios"]["icanon"] is False and b["termios"]["echo"] is False
assert b["termios"]["cc"]["min"] == 1
assert a["slave"] == {"in": 8, "lines": 1, "raw": 3, "in_data": "ls -l\nec",
                      "raw_data": "ho\n"}, a["slave"]
assert a["master"] == {"in": 11, "lines": 0, "raw": 0, "in_data": "total 0\r\n$ "}, a["master"]
assert b["slave"] == b["master"] == {"in": 0, "lines": 0, "raw": 0}
files = [r for t in j["tasks"] for r in t["records"] if r["type"] == "FILE"]
assert [(f["objid"], f["kind"], f.get("pty_id"), f["mode"]) for f in files] == \
    [(1, "inherit", None, "rw"), (31, "pty-master", 30, "rw"), (41, "pty-master", 40, "rw"),
     (32, "pty-slave", 30, "rw"), (33, "pty-slave", 30, "r")], files
assert all("pipe_id" not in f for f in files)
job = j["job"]
assert job["pipes"] == [] and job["fifos"] == [] and job["tty"] is None
a, b = job["ptys"]
assert (a["id"], a["name"], a["sid"], a["sid_in_job"], a["fg_pgrp"], a["fg_pgrp_in_job"]) == \
    (30, "pts/5", 4301, True, 4302, True), a
assert (a["rows"], a["cols"], a["locked"], a["packet"], a["slave_closed"]) == \
    (50, 132, False, False, False), a
assert a["master"] == [{"pid": 4300, "fd": 5}], a["master"]
assert a["slave"] == [{"pid": 4301, "fd": f} for f in (0, 1, 2, 255)] + \
    [{"pid": 4302, "fd": f} for f in (0, 1, 2, 3)], a["slave"]
assert (a["slave_in"], a["slave_lines"], a["slave_raw"]) == (8, 1, 3)
assert (a["master_in"], a["master_lines"], a["master_raw"]) == (11, 0, 0)
assert "icanon" in a["termios"] and "-icanon" in b["termios"] and "cs8" in b["termios"]
assert (b["id"], b["sid"], b["sid_in_job"], b["fg_pgrp"]) == (40, 0, False, 0), b
assert (b["locked"], b["packet"], b["slave_closed"]) == (False, True, True), b
assert b["master"] == [{"pid": 4300, "fd": 7}] and b["slave"] == [], b
assert (b["slave_in"], b["slave_raw"], b["master_in"], b["master_raw"]) == (0, 0, 0, 0)
EOF
	then
		ok json_pty
	else
		not_ok json_pty "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$obj" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True and j["header"]["version"] == 9
recs = j["tasks"][0]["records"]
offs = [r["offset"] for r in recs]
assert offs == sorted(offs), offs
u = [r for r in recs if r["type"] == "UNLINKED"]
assert [(x["objid"], x["kind"], x.get("path"), x["size"], x["nr_pages"], x["mode"]) for x in u] == \
    [(50, "shmem", None, 8192, 1, "0600"), (51, "memfd", "memfd:cache", 5000, 2, "0777"),
     (52, "deleted", "/tmp", 10, 1, "0644")], u
assert u[1]["seals"] == "0x6" and u[1]["seals_names"] == ["F_SEAL_SHRINK", "F_SEAL_GROW"], u[1]
assert "seals" not in u[0] and "seals" not in u[2]
up = [(r["addr"], r["nr_pages"], r["unlinked_id"]) for r in recs
      if r["type"] == "PAGES" and "unlinked_id" in r]
assert up == [("0x1000", 1, 50), ("0x0", 1, 51), ("0x1000", 1, 51), ("0x0", 1, 52)], up
v = [(r["kind"], r.get("objid"), r["pages"]) for r in recs if r["type"] == "VMA"]
assert v == [("file_private", None, 1), ("obj_shared", 50, 0), ("obj_private", 51, 1),
             ("anon", None, 2)], v
e = [r for r in recs if r["type"] == "EVENTFD"]
assert [(x["objid"], x["count"], x["flags"], x["flags_names"]) for x in e] == \
    [(70, 3, "0x1", ["EFD_SEMAPHORE"])], e
t = [r for r in recs if r["type"] == "TIMERFD"]
assert [(x["objid"], x["clock"], x["flags_names"], x["value"], x["interval"], x["ticks"],
         x.get("expires_ns")) for x in t] == \
    [(72, "CLOCK_MONOTONIC", [], 1.5, 1, 2, None),
     (74, "CLOCK_REALTIME", ["TFD_TIMER_ABSTIME", "TFD_TIMER_CANCEL_ON_SET"], 10, 0, 0,
      1767225610000000000)], t
s = [r for r in recs if r["type"] == "SIGNALFD"]
assert [(x["objid"], x["mask"], x["mask_signals"]) for x in s] == \
    [(76, "0x4200", ["SIGUSR1", "SIGTERM"])], s
ep = [r for r in recs if r["type"] == "EPOLL"]
assert [(x["objid"], x["nr_items"], x["items"]) for x in ep] == \
    [(78, 1, [{"fd": 5, "events": "0x80000001", "events_names": ["EPOLLIN", "EPOLLET"],
               "data": "0x1234"}])], ep
keys = ("unlinked_id", "eventfd_id", "timerfd_id", "signalfd_id", "epoll_id")
files = [(f["objid"], f["kind"], f["mode"]) + tuple((k, f[k]) for k in keys if k in f)
         for f in recs if f["type"] == "FILE"]
assert files == [(1, "inherit", "rw"), (60, "unlinked", "rw", ("unlinked_id", 51)),
                 (61, "unlinked", "r", ("unlinked_id", 52)), (71, "eventfd", "rw", ("eventfd_id", 70)),
                 (73, "timerfd", "rw", ("timerfd_id", 72)), (75, "timerfd", "rw", ("timerfd_id", 74)),
                 (77, "signalfd", "rw", ("signalfd_id", 76)), (79, "epoll", "rw", ("epoll_id", 78))], \
    files
assert j["summary"]["records"] == 54 and j["summary"]["pages"] == 8
EOF
	then
		ok json_objects
	else
		not_ok json_objects "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$sock" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
def no_dup(pairs):
    keys = [k for k, v in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
j = json.load(open(sys.argv[1]), object_pairs_hook=no_dup)
assert j["ok"] is True and j["header"]["version"] == 9
recs = [r for t in j["tasks"] for r in t["records"]]
u = [r for r in recs if r["type"] == "UNIX"]
assert [(x["objid"], x["sock_type"], x["state"], x.get("peer_id"), x.get("name"), x.get("path"),
         x.get("peer_name")) for x in u] == \
    [(90, "stream", "listen", None, "/run/app.sock", "/run/app.sock", None),
     (92, "stream", "connected", 94, None, None, None),
     (96, "dgram", "unconnected", None, "/run/logd.sock", "/run/logd.sock", None),
     (98, "dgram", "connected", 96, "@client\x01", None, None),
     (100, "seqpacket", "peer-closed", None, None, None, "/run/seq.sock"),
     (102, "dgram", "unconnected", None, None, None, None),
     (94, "stream", "connected", 92, None, None, None)], u
a = u[1]
assert a["flags"] == "0x29" and a["flags_names"] == ["passcred", "sndbuf-lock", "peercred"], a
assert (a["sndbuf"], a["rcvtimeo"], a["peer_pid"], a["peer_uid"], a["peer_gid"]) == \
    (131072, 2.5, 4501, 1000, 1000), a
assert (a["nr_msgs"], a["data_len"]) == (2, 12) and "sndtimeo" not in a and "err" not in a, a
assert a["msgs"] == [{"len": 5, "sender_id": 94, "pid": 4501, "uid": 1000, "gid": 1000,
                      "data": "hello"},
                     {"len": 7, "sender_id": 94, "pid": 4501, "uid": 1000, "gid": 1000,
                      "data": " world\n"}], a["msgs"]
assert u[0]["backlog"] == 128 and "backlog" not in a and u[0]["msgs"] == []
assert u[4]["shutdown"] == "0x3" and u[4]["shutdown_names"] == ["RCV_SHUTDOWN", "SEND_SHUTDOWN"]
assert u[4]["msgs"][1] == {"len": 0, "sender_id": 0, "pid": 0, "uid": 1000, "gid": 1000}
assert (u[5]["peek_off"], u[5]["priority"]) == (0, 6) and "peek_off" not in a
assert u[5]["flags_names"] == ["timestamp", "timestampns", "rxq-ovfl"], u[5]
assert all("fds" not in m for x in u[:6] for m in x["msgs"]), u
assert u[6]["msgs"] == [{"len": 4, "sender_id": 92, "pid": 4500, "uid": 1000, "gid": 1000,
                         "fds": [104, 105], "data": "take"},
                        {"len": 5, "sender_id": 92, "pid": 4500, "uid": 1000, "gid": 1000,
                         "fds": [105], "data": "again"}], u[6]["msgs"]
files = [(f["objid"], f["kind"], f.get("unix_id")) for f in recs if f["type"] == "FILE"]
assert files == [(1, "inherit", None), (91, "unix", 90), (93, "unix", 92), (97, "unix", 96),
                 (99, "unix", 98), (101, "unix", 100), (103, "unix", 102), (104, "reg", None),
                 (105, "reg", None), (95, "unix", 94)], files
assert j["summary"]["records"] == 71 and j["job"]["nr_processes"] == 2
EOF
	then
		ok json_unix
	else
		not_ok json_unix "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$shared" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
def no_dup(pairs):
    keys = [k for k, v in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
j = json.load(open(sys.argv[1]), object_pairs_hook=no_dup)
assert j["ok"] is True and j["header"]["file_locks"] is True and j["header"]["flags"] == "0x2c"
tasks = j["tasks"]
assert [t["pid"] for t in tasks] == [4600, 4601, 4602, 4603, 4604]
recs = tasks[0]["records"]
tm = [r for r in recs if r["type"] == "TIMERS"][0]
assert (tm["nr_posix"], tm["next_posix_id"]) == (5, 10), tm
pt = [r for r in recs if r["type"] == "POSIX_TIMERS"][0]
assert pt["nr"] == 5 and [t["id"] for t in pt["timers"]] == [0, 1, 3, 7, 9], pt
a, b, c, d, e = pt["timers"]
assert a == {"id": 0, "clock": "CLOCK_MONOTONIC", "notify": "SIGEV_SIGNAL", "signo": "SIGALRM",
             "sigev_value": "0x1234", "value": 1.5, "interval": 1, "overrun": -1,
             "overrun_last": 0, "flags": "0x0", "flags_names": []}, a
assert (b["notify"], b["signo"], b["tid"], b["value"], b["flags_names"], b["pending_overrun"]) == \
    ("SIGEV_THREAD_ID", "SIGRTMIN+2", 4701, 1767225660, ["abs", "pending"], 2), b
assert (c["clock"], c["cpu_tid"], c["notify"]) == ("thread-cpu:4701:sched", 4701, "SIGEV_NONE"), c
assert "signo" not in c and "tid" not in c and "pending_overrun" not in c, c
assert (d["clock"], d["cpu_tid"], d["signo"]) == ("CLOCK_THREAD_CPUTIME_ID", 4600, "SIGXCPU"), d
assert (e["clock"], e["overrun"], e["overrun_last"]) == ("CLOCK_PROCESS_CPUTIME_ID", 3, 2), e
assert "cpu_tid" not in e and "tid" not in e, e
lk = [r for r in recs if r["type"] == "LOCKS"][0]
assert lk["nr"] == 3 and lk["locks"] == [
    {"fd": 3, "kind": "posix", "type": "write", "start": 0, "end": 99},
    {"fd": 4, "kind": "ofd", "type": "read", "start": 100, "end": 9223372036854775807},
    {"fd": 5, "kind": "flock", "type": "write"}], lk
sh = [[(r["files_of"], r["fs_of"]) for r in t["records"] if r["type"] == "SHARES"] for t in tasks]
assert sh == [[], [], [(4600, 0)], [(0, 4600)], [(4600, 4600)]], sh
types = [set(r["type"] for r in t["records"]) for t in tasks]
assert "FS" in types[2] and "FS" not in types[3] and "FS" not in types[4], types
assert not types[2] & {"FILE", "FD", "LOCKS"} and not types[4] & {"FILE", "FD", "LOCKS"}, types
assert "LOCKS" in types[3] and "POSIX_TIMERS" not in types[2], types
procs = j["job"]["processes"]
assert [(p["pid"], p.get("files_of"), p.get("fs_of")) for p in procs] == \
    [(4600, None, None), (4601, None, None), (4602, 4600, None), (4603, None, 4600),
     (4604, 4600, 4600)], procs
assert j["summary"]["records"] == 106
ac = [[r["flags_names"] for r in t["records"] if r["type"] == "ACCT"] for t in tasks]
assert ac == [[[], []], [[]], [["forknoexec"]], [["forknoexec"]], [["forknoexec"]]], ac
assert [p["cpu_time"] for p in procs] == [2.45, 0.03, 2.1, 2.1, 2.1], procs
EOF
	then
		ok json_shared
	else
		not_ok json_shared "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$ipc" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
def no_dup(pairs):
    keys = [k for k, v in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
j = json.load(open(sys.argv[1]), object_pairs_hook=no_dup)
assert j["ok"] is True and j["header"]["root_pid"] == 4800
a, b = [t["records"] for t in j["tasks"]]
offs = [r["offset"] for r in a]
assert offs == sorted(offs), offs
mm = [r for r in a + b if r["type"] == "MM"]
assert [(m["flags"], m["flags_names"]) for m in mm] == [("0x1", ["lock_future"]), ("0x0", [])], mm
s = [r for r in a if r["type"] == "SYSVSHM"]
assert [(x["objid"], x["shmid"], x["key"], x["size"], x["nr_pages"], x["mode"], x["flags_names"])
        for x in s] == [(110, 32769, "0x00005eed", 12288, 2, "0640", []),
                        (112, 5, "0x00000000", 4096, 0, "0640", ["removed"])], s
assert (s[0]["uid"], s[0]["cgid"], s[0]["atime"], s[1]["dtime"]) == (1000, 1000, 1767225500, 1767225550)
sp = [(r["addr"], r["sysvshm_id"]) for r in a if r["type"] == "PAGES" and "sysvshm_id" in r]
assert sp == [("0x0", 110), ("0x2000", 110)], sp
v = [(r["kind"], r.get("objid"), r["prot"], r["flags_names"]) for r in a + b if r["type"] == "VMA"]
assert v[1] == ("sysvshm", 110, "rw-", ["locked", "dontfork"]), v
assert v[2] == ("sysvshm", 112, "r--", ["locked", "shm_rdonly"]), v
assert v[3][3] == ["locked", "dontdump", "dontfork", "wipeonfork", "hugepage", "mergeable"], v
assert v[6] == ("sysvshm", 110, "r--", ["shm_rdonly", "nohugepage"]), v
i = [r for r in a if r["type"] == "INOTIFY"][0]
assert (i["objid"], i["nr_watches"], i["next_wd"], i["events_len"], i["nr_events"]) == \
    (120, 2, 4, 64, 3), i
assert [(w["wd"], w["mask"], w["mask_names"], w["path"]) for w in i["watches"]] == \
    [(1, "0x302", ["IN_MODIFY", "IN_CREATE", "IN_DELETE"], "/etc/nginx"),
     (3, "0x84000002", ["IN_MODIFY", "IN_EXCL_UNLINK", "IN_ONESHOT"], "/var/www/html")], i
assert i["events"] == [
    {"wd": 1, "mask": "0x100", "mask_names": ["IN_CREATE"], "cookie": 0, "len": 16,
     "name": "site.conf"},
    {"wd": 3, "mask": "0x2", "mask_names": ["IN_MODIFY"], "cookie": 0, "len": 0},
    {"wd": -1, "mask": "0x4000", "mask_names": ["IN_Q_OVERFLOW"], "cookie": 0, "len": 0}], i
f = [(r["objid"], r["kind"], r.get("inotify_id"), r["mode"]) for r in a if r["type"] == "FILE"]
assert f == [(1, "inherit", None, "rw"), (121, "inotify", 120, "r")], f
assert [r["objid"] for r in b if r["type"] == "FD"] == [1, 1, 1, 121]
assert j["summary"]["records"] == 60 and j["summary"]["pages"] == 10
assert j["job"]["sysvshm"] == [
    {"shmid": 32769, "key": "0x00005eed", "size": 12288, "mode": "0640", "removed": False,
     "attached_by": [4800, 4801]},
    {"shmid": 5, "key": "0x00000000", "size": 4096, "mode": "0640", "removed": True,
     "attached_by": [4800]}], j["job"]["sysvshm"]
EOF
	then
		ok json_ipc
	else
		not_ok json_ipc "$tmp/err"
	fi
	# a thread found missing at the process's end: reported at its timers
	"$tmp/mkimage" --shared --corrupt ptimer-tid-thread | "$tmp/ckptinfo" --json > "$tmp/json" 2> /dev/null
	if python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False and j["checksum_ok"] is None, j
assert (j["error"]["offset"], j["error"]["record"]) == (16152, "POSIX_TIMERS"), j["error"]
assert "tid 4602, which it signals, is not a thread" in j["error"]["message"], j["error"]
EOF
	then
		ok json_ptimer_thread_error
	else
		not_ok json_ptimer_thread_error "$tmp/err"
	fi
	# an error found once every socket is read: reported at the socket
	"$tmp/mkimage" --unix --corrupt unix-peer-not-back | "$tmp/ckptinfo" --json > "$tmp/json" 2> /dev/null
	if python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False and j["checksum_ok"] is None, j
assert (j["error"]["offset"], j["error"]["record"]) == (16480, "UNIX"), j["error"]
assert "peer 94 is not connected" in j["error"]["message"], j["error"]
EOF
	then
		ok json_unix_link_error
	else
		not_ok json_unix_link_error "$tmp/err"
	fi
	# the job (pty, objects, unix, shared, ipc) image cut anywhere: valid JSON,
	# ok false, a "truncated" error
	for shape in job pty objects unix shared ipc; do
		jimg=$tmp/$shape.img
		jsize=$(wc -c < "$jimg")
		: > "$tmp/err"
		for cut in $("$tmp/mkimage" --$shape --record-offsets); do
			for d in 0 4 13; do
				c=$((cut + d))
				[ $c -ge "$jsize" ] && continue
				head -c $c "$jimg" | "$tmp/ckptinfo" --json > "$tmp/json" 2> /dev/null
				st=$?
				if [ $st != 1 ] || ! python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False and "truncated" in j["error"]["message"]
' "$tmp/json" >> "$tmp/err" 2>&1; then
					echo "cut at $c: status $st" >> "$tmp/err"
				fi
			done
		done
		if [ -s "$tmp/err" ]; then
			not_ok json_of_truncated_${shape}_is_valid "$tmp/err"
		else
			ok json_of_truncated_${shape}_is_valid
		fi
	done
	head -c 5000 "$img" | "$tmp/ckptinfo" --json > "$tmp/json" 2> /dev/null
	st=$?
	if [ $st = 1 ] && python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False and "truncated" in j["error"]["message"], j["error"]
assert j["error"]["record"] == "PAGES" and j["checksum_ok"] is None
EOF
	then
		ok json_of_truncated_image_is_valid
	else
		not_ok json_of_truncated_image_is_valid "$tmp/err"
	fi
	# the digests in JSON: the SHA-256 image, and the xxh64 image with a
	# byte of its pages changed (checksum_ok false, the two values)
	"$tmp/ckptinfo" --json "$simg" > "$tmp/json" 2> /dev/null
	st=$?
	if [ $st = 0 ] && python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True and j["checksum_ok"] is True, j
assert j["header"]["digest"] == "sha256", j["header"]
t = j["trailer"]
assert t["digest"] == "sha256" and len(t["value"]) == 64 and t["len"] == 56, t
assert j["digest"] == "sha256" and j["computed"] == t["value"], j
EOF
	then
		ok json_sha256_digest
	else
		not_ok json_sha256_digest "$tmp/err"
	fi
	off=$(( $("$tmp/mkimage" --offset-of PAGES) + 100 ))
	cp "$img" "$tmp/jflip.img"
	printf '\377' | dd of="$tmp/jflip.img" bs=1 seek=$off conv=notrunc 2> /dev/null
	"$tmp/ckptinfo" --json "$tmp/jflip.img" > "$tmp/json" 2> /dev/null
	st=$?
	if [ $st = 1 ] && python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False and j["checksum_ok"] is False and j["error"] is None, j
assert j["digest"] == "xxh64" and len(j["computed"]) == 16, j
assert j["computed"] != j["trailer"]["value"], j
EOF
	then
		ok json_xxh64_mismatch
	else
		not_ok json_xxh64_mismatch "$tmp/err"
	fi
else
	skip json_is_valid "no python3"
	skip json_has_decoded_fields "no python3"
	skip json_two_tasks "no python3"
	skip json_job "no python3"
	skip json_pty "no python3"
	skip json_objects "no python3"
	skip json_unix "no python3"
	skip json_unix_link_error "no python3"
	skip json_shared "no python3"
	skip json_ipc "no python3"
	skip json_ptimer_thread_error "no python3"
	skip json_of_truncated_job_is_valid "no python3"
	skip json_of_truncated_pty_is_valid "no python3"
	skip json_of_truncated_objects_is_valid "no python3"
	skip json_of_truncated_unix_is_valid "no python3"
	skip json_of_truncated_shared_is_valid "no python3"
	skip json_of_truncated_ipc_is_valid "no python3"
	skip json_of_truncated_image_is_valid "no python3"
	skip json_sha256_digest "no python3"
	skip json_xxh64_mismatch "no python3"
fi

# One byte of page contents changed: well-formed, but the checksum fails,
# whichever the digest, and the message names it
off=$(( $("$tmp/mkimage" --offset-of PAGES) + 100 ))
cp "$img" "$tmp/flip.img"
printf '\377' | dd of="$tmp/flip.img" bs=1 seek=$off conv=notrunc 2> /dev/null
info corrupted_byte_checksum_mismatch 1 \
	'TRAILER record: checksum mismatch: the trailer has xxh64 [0-9a-f]{16},$' "$tmp/flip.img"
info corrupted_byte_computed 1 "^  the $prefix bytes before it hash to [0-9a-f]{16}\$" "$tmp/flip.img"
info corrupted_byte_result 1 '^result: xxh64 checksum mismatch$' "$tmp/flip.img"
info corrupted_byte_summary 1 '^digest: xxh64 MISMATCH \(computed [0-9a-f]{16}\)$' "$tmp/flip.img"
info no_verify_skips_checksum 0 '^digest: not verified \(--no-verify\)$' --no-verify "$tmp/flip.img"
cp "$simg" "$tmp/sflip.img"
printf '\377' | dd of="$tmp/sflip.img" bs=1 seek=$off conv=notrunc 2> /dev/null
info sha256_corrupted_byte_checksum_mismatch 1 \
	'TRAILER record: checksum mismatch: the trailer has sha256 [0-9a-f]{64},$' "$tmp/sflip.img"
info sha256_corrupted_byte_computed 1 "^  the $prefix bytes before it hash to [0-9a-f]{64}\$" \
	"$tmp/sflip.img"
info sha256_corrupted_byte_result 1 '^result: sha256 checksum mismatch$' "$tmp/sflip.img"
info sha256_no_verify_skips_checksum 0 '^digest: not verified \(--no-verify\)$' --no-verify \
	"$tmp/sflip.img"
# a byte of the header, which is hashed too (its time_sec, at 56, a second on)
for d in xxh64 sha256; do
	"$tmp/mkimage" --digest $d > "$tmp/hflip.img"
	put_le "$tmp/hflip.img" 56 4 1767225601
	info ${d}_header_byte_checksum_mismatch 1 "TRAILER record: checksum mismatch: the trailer has $d " \
		"$tmp/hflip.img"
done

# Truncated at record boundaries, inside headers, records and padding
xstate=$("$tmp/mkimage" --offset-of XSTATE)
task=$("$tmp/mkimage" --offset-of TASK)
fs=$("$tmp/mkimage" --offset-of FS)
for cut in 0 5 8 100 $task $((task + 4)) $fs $((fs + 29)) 1400 5000 $xstate $((xstate + 12)) \
	   $prefix $((prefix + 8)) $((size - 1)); do
	head -c "$cut" "$img" > "$tmp/cut.img"
	info "truncated_at_$cut" 1 'truncated' "$tmp/cut.img"
done
# The job, pty, objects, unix, shared and ipc images cut at, and just after,
# every record boundary
for shape in job pty objects unix shared ipc; do
	jimg=$tmp/$shape.img
	jsize=$(wc -c < "$jimg")
	: > "$tmp/why"
	for cut in $("$tmp/mkimage" --$shape --record-offsets); do
		for d in 0 3 8 17; do
			c=$((cut + d))
			[ $c -ge "$jsize" ] && continue
			head -c $c "$jimg" | "$tmp/ckptinfo" > "$tmp/out" 2>&1
			st=$?
			if [ $st != 1 ] || ! grep -q 'truncated' "$tmp/out"; then
				echo "cut at $c: status $st" >> "$tmp/why"
				tail -n 3 "$tmp/out" >> "$tmp/why"
			fi
		done
	done
	if [ -s "$tmp/why" ]; then
		not_ok truncated_${shape}_everywhere "$tmp/why"
	else
		ok truncated_${shape}_everywhere
	fi
done

# Structural defects (the trailer's digest is recomputed, so only the
# defect itself can be reported)
: > "$tmp/tested"
while read -r kind pat; do
	"$tmp/mkimage" --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
bad-magic HEADER record: bad magic
bad-version unsupported format version 99
bad-arch arch 0x40000028 is not x86_64
len-max offset 240 .*TASK record: length 4294967295 exceeds CKPT_MAX_RECORD
len-small offset 240 .*TASK record: length 4 is smaller than the record header
len-short VMA record: length 16 is less than the 64 bytes of its fixed part
no-nul FS record: cwd: string of 11 bytes is not NUL-terminated
bad-type unknown record type 99
wrong-order TASK_END record: unexpected here: SIGNAL record expected
vma-overlap overlaps or precedes the VMA before
pages-outside page at 0x500000 is not inside any VMA
fd-objid refers to objid 9, which no earlier FILE record has
dup-objid objid 2 is used twice
trailing data after the trailer
bad-padding padding after the record is not zero
total-len TRAILER record: total_len [0-9]* does not match the [0-9]* bytes before it
nr-vmas PAGES record: unexpected here: VMA 3 of 3
nsig nr 32 differs from the header's nsig 64
posix-timers offset 16152 .*FILE record: unexpected here: POSIX_TIMERS \(nr_posix 1\) record expected$
itimer-range TIMERS record: interval timer virtual out of range
nr-tasks TRAILER record: unexpected here: TASK \(1 more announced by the header\)
pages-span PAGES record: pages 0x7ffd3000-0x7ffd5000 run past the end of their VMA
reserved THREAD record: reserved field is not zero
inherit-fd FD record: fd 3 refers to an inherited file
caps CRED record: cap_effective 0x1 is not within cap_permitted 0x0
process-scope HEADER record: nr_tasks is 2, but a process checkpoint has one process
root-pid TASK record: pid 4242 is not the header's root_pid 4243
EOF
# ... and in the job image
while read -r kind pat; do
	"$tmp/mkimage" --job --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_job_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
pipe-id FILE record: pipe_id 99: no earlier PIPE record has that objid
pipe-mode FILE record: mode 3: a pipe end is either read \(1\) or write \(2\)
ctty-pipe-id FILE record: ref_id 10 in a file of kind ctty, which names no object$
fifo-and-pipe FILE record: pipe 10 is both a FIFO and an anonymous pipe
pipe-overfull PIPE record: data_len 4097 is above the capacity 4096
pipe-capacity PIPE record: capacity 1000 is not a multiple of the page size
pipe-objid PIPE record: objid 10 is used twice
fd-on-pipe FD record: fd 0 refers to objid 10, which no earlier FILE record has
parent-order TASK record: pid 4211 is the parent of pid 4200, which comes before it
thread-count TRAILER record: the header announces 7 threads, the image has 6 THREAD records
dup-tid THREAD record: tid 4200 is already the process 4200 in the image
thread-order THREAD record: the first thread.s tid 4310 is not the pid 4210
zombie-threads TASK record: nr_threads is 1, but a zombie has no THREAD records
zombie-status TASK record: exit_code 0x137f is not the wait status
zombie-flags TASK record: flags 0x9: a zombie has no flag but zombie
session TASK record: sid 4300 is not the session 4200 that was checkpointed
restart-kind THREAD record: restart block of kind 9: unknown kind
futex-clock THREAD record: restart block of kind 2: the clock does not match the futex flags
tty-name TTY record: name: no NUL terminator in its 64 bytes
tty-line TTY record: termios: line discipline 30 does not exist \(the kernel has 30\)
tty-fg TTY record: sid 4200 or fg_pgrp -4210 is negative
siginfo-count offset 37848 .*SCHED record: unexpected here: SIGINFO 1 of 1 record expected$
EOF
# ... and in the pty image
while read -r kind pat; do
	"$tmp/mkimage" --pty --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_pty_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
pty-flags offset 16272 .*PTY record: unknown pty flags 0x8$
pty-len PTY record: length 129 does not match slave_in, slave_raw, master_in, master_raw and their line-end bitmaps \(expected 128\)
pty-ref FILE record: pty_id 99: no earlier PTY record has that objid
pty-ref-file FILE record: pty_id 1: no earlier PTY record has that objid
pty-two-masters FILE record: pty 30 has two master files: objids 31 and 32
pty-master-mode FILE record: mode r does not match the access mode O_RDWR in pty 30.s master_flags
pty-objid offset 16480 .*PTY record: objid 31 is used twice
pty-objid-zero PTY record: objid 0 \(object ids start at 1\)
pty-master-flags PTY record: master_flags 0104102: bits other than access mode and status flags
pty-master-accmode PTY record: master_flags 0104003: access mode 3 is not a valid one
pty-line PTY record: termios: line discipline 2 is not N_TTY \(0\)
pty-reserved offset 16480 .*PTY record: termios: reserved field is not zero
pty-sid PTY record: sid -1 or fg_pgrp 4302 is negative
pty-in-max PTY record: slave_in 4096 exceeds CKPT_MAX_PTY_IN \(4095\)
pty-raw-max PTY record: master_raw 65537 exceeds CKPT_MAX_PTY_RAW \(65536\)
pty-ref-kind FILE record: ref_id 30 in a file of kind inherit, which names no object$
fd-on-pty FD record: fd 0 refers to objid 30, which no earlier FILE record has
EOF
# ... and in the objects image
while read -r kind pat; do
	"$tmp/mkimage" --objects --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_objects_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
unlinked-objid-zero offset 1472 .*UNLINKED record: objid 0 \(object ids start at 1\)$
unlinked-objid-dup offset 5704 .*UNLINKED record: objid 50 is used twice$
unlinked-kind UNLINKED record: unknown unlinked file kind 4$
unlinked-reserved offset 5704 .*UNLINKED record: reserved field is not zero$
unlinked-mode UNLINKED record: mode 0100600 has bits other than the permission bits \(07777\)$
unlinked-size UNLINKED record: size 9223372036854775808 exceeds MAX_LFS_FILESIZE \(9223372036854775807\)$
unlinked-nr-pages UNLINKED record: nr_pages 3 is more than the 2 pages of a file of 5000 bytes$
unlinked-seals-shmem UNLINKED record: seals 0x1 on a shmem file: only a memfd has seals$
unlinked-seals-unknown UNLINKED record: unknown seals 0x40$
unlinked-memfd-name UNLINKED record: path: a memfd.s name starts with "memfd:" and has at most 255 bytes$
unlinked-shmem-path offset 33064 .*UNLINKED record: path: a shmem file has none$
unlinked-no-path offset 1472 .*UNLINKED record: path: length 0, a path is required$
unlinked-pages-order offset 9888 .*PAGES record: unlinked file 51: offset 0x0 is below the pages before \(0x1000\)$
unlinked-pages-past offset 1520 .*PAGES record: unlinked file 50: pages 0x2000-0x3000 run past its 8192 bytes$
unlinked-pages-missing offset 5640 .*VMA record: unexpected here: PAGES \(1 more page of unlinked file 50\) record expected$
unlinked-pages-extra offset 9888 .*PAGES record: unexpected here: VMA 3 of 4 record expected$
unlinked-file-ref FILE record: unlinked_id 70: no earlier UNLINKED record has that objid$
unlinked-file-pos offset 32992 .*FILE record: negative file offset -1$
vma-objid-missing VMA record: obj_shared mapping: objid 99 names no earlier UNLINKED record$
vma-objid-later offset 5640 .*VMA record: obj_shared mapping: objid 51 names no earlier UNLINKED record$
vma-objid-anon VMA record: anon mapping with objid 50: only obj_shared, obj_private and sysvshm have one$
vma-reserved offset 14008 .*VMA record: reserved field is not zero$
pages-obj-shared PAGES record: pages at 0x10000000 are in a obj_shared VMA, which has no pages$
eventfd-in-mm offset 1472 .*EVENTFD record: unexpected here: VMA 2 of 4 record expected$
eventfd-flags EVENTFD record: flags 0x2: an eventfd has no flag but EFD_SEMAPHORE \(0x1\)$
eventfd-objid EVENTFD record: objid 1 is used twice$
signalfd-reserved SIGNALFD record: reserved field is not zero$
timerfd-clock TIMERFD record: clockid 3: not REALTIME, MONOTONIC, BOOTTIME or \*_ALARM$
timerfd-flags TIMERFD record: unknown flags 0x4$
timerfd-reserved offset 37536 .*TIMERFD record: reserved field is not zero$
timerfd-range TIMERFD record: value_ns, interval_ns or expires_ns above INT64_MAX$
timerfd-expires TIMERFD record: expires_ns 1: only an absolute realtime timer has a date$
timerfd-expires-relative offset 37536 .*TIMERFD record: expires_ns 1767225610000000000: only an absolute realtime timer has a date$
epoll-nr-items EPOLL record: length 32 does not match nr_items \(expected 48\)$
epoll-max EPOLL record: nr_items 65537 exceeds CKPT_MAX_EPOLL_ITEMS \(65536\)$
epoll-objid-zero EPOLL record: objid 0 \(object ids start at 1\)$
obj-file-mode FILE record: mode 1: a file of kind eventfd is read-write \(3\)$
obj-file-pos FILE record: pos 1, size 0: a file of kind timerfd has 0 for both$
obj-file-size FILE record: pos 0, size 1: a file of kind epoll has 0 for both$
obj-file-flags FILE record: flags 06000: a file of kind eventfd has no status flag but O_NONBLOCK$
obj-file-ref FILE record: eventfd_id 72: no earlier EVENTFD record has that objid$
epoll-file-ref FILE record: epoll_id 0: no earlier EPOLL record has that objid$
fd-on-eventfd FD record: fd 5 refers to objid 70, which no earlier FILE record has$
EOF
# ... and in the unix image: an error found once every socket is read
# (peers, senders) is reported at the socket's record
while read -r kind pat; do
	"$tmp/mkimage" --unix --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_unix_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
unix-objid-zero offset 16272 .*UNIX record: objid 0 \(object ids start at 1\)$
unix-objid-dup offset 16480 .*UNIX record: objid 91 is used twice$
unix-type UNIX record: type 3: not SOCK_STREAM \(1\), SOCK_DGRAM \(2\) or SOCK_SEQPACKET \(5\)$
unix-state offset 16272 .*UNIX record: unknown state 5$
unix-connected-no-peer UNIX record: state connected, but peer_id 0$
unix-peer-unconnected UNIX record: peer_id 98 in state unconnected: only a connected socket has one$
unix-peer-self UNIX record: peer_id 92 is the socket itself$
unix-listen-dgram offset 16720 .*UNIX record: state listen: a dgram socket does not listen$
unix-listen-no-addr offset 17232 .*UNIX record: state listen, but addr_len 0: a listening socket has a name$
unix-listen-msgs UNIX record: state listen, but nr_msgs 1: a listening socket has no messages$
unix-shutdown UNIX record: shutdown 4: not within RCV_SHUTDOWN \| SEND_SHUTDOWN \(3\)$
unix-flags UNIX record: unknown flags 0x80000000$
unix-bound-no-addr offset 17480 .*UNIX record: flag bound, but addr_len 0: a bound socket has a name$
unix-err UNIX record: err 4096 is not an errno \(at most 4095\)$
unix-peek-off UNIX record: peek_off -2 is below -1 \(off\)$
unix-nr-msgs UNIX record: nr_msgs 65537 exceeds CKPT_MAX_UNIX_MSGS \(65536\)$
unix-int-max UNIX record: sndbuf, rcvbuf, rcvlowat or backlog above INT_MAX$
unix-addr-len offset 16272 .*UNIX record: addr_len 2: 0, or 3 to 110 \(sizeof\(struct sockaddr_un\)\)$
unix-addr-len-max offset 16720 .*UNIX record: addr_len 111: 0, or 3 to 110 \(sizeof\(struct sockaddr_un\)\)$
unix-peer-addr-state UNIX record: peer_addr_len 16 in state connected: only a peer-closed socket has one$
unix-peer-addr-len UNIX record: peer_addr_len 2: 0, or 3 to 110 \(sizeof\(struct sockaddr_un\)\)$
unix-path-len UNIX record: path_len 1: 0, or 2 to 108 \(sizeof\(sun_path\)\)$
unix-path-max UNIX record: path_len 109: 0, or 2 to 108 \(sizeof\(sun_path\)\)$
unix-path-no-addr UNIX record: path_len 15, but addr_len 0: a socket file needs a name$
unix-path-unbound UNIX record: path_len 15 without flag bound: only a bound socket has a file$
unix-len-short UNIX record: length 168 is below the 216 of its fixed part, names and path$
unix-family UNIX record: the name: family 2 is not AF_UNIX \(1\)$
unix-peer-addr-family UNIX record: the peer.s name: family 2 is not AF_UNIX \(1\)$
unix-addr-pad offset 16720 .*UNIX record: padding after the name is not zero$
unix-path-relative UNIX record: path: not an absolute path$
unix-path-nul UNIX record: path: string of 14 bytes is not NUL-terminated$
unix-path-inner-nul UNIX record: path: NUL byte at 4 inside a string of 14 bytes$
unix-path-abstract UNIX record: path: an abstract name has no socket file$
unix-path-pad UNIX record: padding after the path is not zero$
unix-msgs-short UNIX record: length 168 ends before message 3 of 3$
unix-len UNIX record: length 168 does not match its names, path and 1 messages \(136\)$
unix-stream-empty UNIX record: message 1: empty, and a stream socket.s messages are not$
unix-msg-len UNIX record: message 2: its 1000 bytes run past the record.s 168$
unix-msg-pad UNIX record: padding after a message.s bytes is not zero$
unix-data-len UNIX record: data_len 13 is not the 12 bytes of the messages$
unix-nr-fds UNIX record: message 1: nr_fds 254 exceeds CKPT_MAX_UNIX_FDS \(253\)$
unix-fds-past UNIX record: message 2: its 200 file ids run past the record.s 184$
unix-fd-missing UNIX record: message 1: file id 77 names no earlier FILE record$
unix-fd-later UNIX record: message 1: file id 95 names no earlier FILE record$
unix-fd-kind UNIX record: message 2: file id 91 is a file of kind unix, which cannot be in flight$
unix-fd-inherit UNIX record: message 2: file id 1 is a file of kind inherit, which cannot be in flight$
unix-fd-pad UNIX record: padding after a message.s file ids is not zero$
unix-peer-missing offset 17008 .*UNIX record: peer_id 77 names no UNIX record in the image$
unix-peer-type offset 17008 .*UNIX record: peer 92 is a stream socket, this one a dgram socket$
unix-peer-not-back offset 16480 .*UNIX record: peer 94 is not connected to this stream socket \(its peer_id is 90\)$
unix-dgram-peer-no-name offset 17008 .*UNIX record: peer 102 does not name it back, and cannot be sent to by name$
unix-sender-missing offset 16480 .*UNIX record: message 1: sender_id 99 names no UNIX record in the image$
unix-sender-outside offset 16480 .*UNIX record: message 1: sender_id 0, but this stream socket.s peer is not closed$
unix-sender-not-peer UNIX record: message 1: sender_id 90 is not this stream socket.s peer$
unix-dgram-unreachable offset 17008 .*UNIX record: message 1: sender_id 96: not its peer, and not reachable by name$
unix-file-ref FILE record: unix_id 99: no earlier UNIX record has that objid$
unix-file-later offset 16648 .*FILE record: unix_id 94: no earlier UNIX record has that objid$
unix-file-mode FILE record: mode 1: a file of kind unix is read-write \(3\)$
unix-file-flags FILE record: flags 02000: a file of kind unix has no status flag but O_NONBLOCK$
fd-on-unix FD record: fd 3 refers to objid 90, which no earlier FILE record has$
EOF
# ... and in the shared image: POSIX timers, file locks, shared tables
while read -r kind pat; do
	"$tmp/mkimage" --shared --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_shared_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
header-flags HEADER record: unknown checkpoint flags 0x12c$
ptimer-nr-posix-max offset 16088 .*TIMERS record: nr_posix 65537 exceeds CKPT_MAX_POSIX_TIMERS \(65536\)$
ptimer-next-id TIMERS record: next_posix_id 2147483648 is above INT_MAX$
ptimer-nr offset 16152 .*POSIX_TIMERS record: nr 5 differs from the TIMERS record.s nr_posix 4$
ptimer-unexpected offset 16152 .*POSIX_TIMERS record: unexpected here: FILE, FD, LOCKS, THREAD or an object \(PIPE, PTY, UNLINKED, EVENTFD...\) record expected$
ptimer-reserved POSIX_TIMERS record: reserved field is not zero$
ptimer-len POSIX_TIMERS record: length 376 does not match nr \(expected 304\)$
ptimer-id POSIX_TIMERS record: timer 1: id -1 is negative$
ptimer-dup-id POSIX_TIMERS record: timer 3: id 1 is also timer 2.s$
ptimer-value POSIX_TIMERS record: timer 1: value_ns -1 is negative$
ptimer-interval POSIX_TIMERS record: timer 1: interval_ns -5 is negative$
ptimer-flags POSIX_TIMERS record: timer 1: unknown flags 0x4$
ptimer-overrun POSIX_TIMERS record: timer 1: overrun -2 is below -1 \(none\)$
ptimer-overrun-last POSIX_TIMERS record: timer 1: overrun_last -1 is negative$
ptimer-notify POSIX_TIMERS record: timer 1: notify 2: not SIGEV_SIGNAL \(0\), SIGEV_NONE \(1\) or SIGEV_THREAD_ID \| SIGEV_SIGNAL \(4\)$
ptimer-notify-thread-none POSIX_TIMERS record: timer 3: notify 5: not SIGEV_SIGNAL \(0\), SIGEV_NONE \(1\) or SIGEV_THREAD_ID \| SIGEV_SIGNAL \(4\)$
ptimer-tid-zero POSIX_TIMERS record: timer 2: SIGEV_THREAD_ID, but tid 0$
ptimer-tid-unexpected POSIX_TIMERS record: timer 1: tid 4600 without SIGEV_THREAD_ID$
ptimer-signo POSIX_TIMERS record: timer 1: signo 65 is not a signal \(1..64\)$
ptimer-no-cpu-tid POSIX_TIMERS record: timer 3: clock thread-cpu:4701:sched times a thread, but cpu_tid 0$
ptimer-cpu-tid-unexpected POSIX_TIMERS record: timer 1: cpu_tid 4600, but clock CLOCK_MONOTONIC does not time a thread$
ptimer-cpu-tid-negative POSIX_TIMERS record: timer 4: cpu_tid -1 is negative$
ptimer-pending-none POSIX_TIMERS record: timer 3: flag pending, but SIGEV_NONE sends no signal$
ptimer-tid-thread offset 16152 .*POSIX_TIMERS record: timer 2: tid 4602, which it signals, is not a thread of the process$
ptimer-cpu-tid-thread offset 16152 .*POSIX_TIMERS record: timer 3: cpu_tid 4799, whose CPU time it counts, is not a thread of the process$
ptimer-clock POSIX_TIMERS record: timer 1: clock CLOCK_MONOTONIC_RAW: timer_create\(2\) makes no timer on it$
ptimer-clock-fd POSIX_TIMERS record: timer 1: clock fd:3: timer_create\(2\) makes no timer on it$
locks-no-flag offset 16960 .*LOCKS record: file locks in an image taken without CKPT_FILE_LOCKS \(header flags 0xc\)$
locks-short LOCKS record: length 16 is less than the 40 bytes of its fixed part$
locks-nr-zero LOCKS record: nr 0 is not in 1..CKPT_MAX_LOCKS \(65536\)$
locks-nr-max LOCKS record: nr 65537 is not in 1..CKPT_MAX_LOCKS \(65536\)$
locks-reserved LOCKS record: reserved field is not zero$
locks-len LOCKS record: length 88 does not match nr \(expected 64\)$
locks-before-fd offset 17024 .*FD record: unexpected here: THREAD 1 of 2 record expected$
lock-fd LOCKS record: lock 1: fd -1 is negative$
lock-type LOCKS record: lock 2: type 2 is not F_RDLCK \(0\) or F_WRLCK \(1\)$
lock-kind LOCKS record: lock 1: unknown kind 4$
lock-flock-range LOCKS record: lock 3: a flock\(\) lock covers the whole file: start 0 and end 9223372036854775807, not 1 and 9223372036854775807$
lock-start LOCKS record: lock 2: start -1 is negative$
lock-end LOCKS record: lock 2: end 99 is before start 100$
lock-fd-missing LOCKS record: lock 1: fd 9 is not a descriptor of the process \(no FD record\)$
lock-ofd-access LOCKS record: lock 2: an open file description write lock, but fd 4 is not open for writing$
lock-posix-access LOCKS record: lock 1: a POSIX write lock, but neither fd 5 nor another descriptor of the process on its file is open for writing$
shares-none offset 22024 .*SHARES record: files_of and fs_of are 0: the record shares nothing$
shares-negative offset 40016 .*SHARES record: files_of 0 or fs_of -1 is negative$
shares-unknown SHARES record: files_of 4999: no process before it in the image has that pid$
shares-later SHARES record: files_of 4603: no process before it in the image has that pid$
shares-thread SHARES record: files_of 4701 is a thread of pid 4600, not a process$
shares-self SHARES record: files_of 4602 is the process itself$
shares-zombie SHARES record: fs_of 4601 is a zombie, which has no tables to share$
shares-fs-record offset 22040 .*FS record: unexpected here: MM \(no FS: the process shares pid 4600.s\) record expected$
shares-files-fd offset 55464 .*FD record: unexpected here: THREAD 1 of 1 \(no files: the process shares pid 4600.s file table\) record expected$
shares-order offset 22056 .*SHARES record: unexpected here: MM record expected$
shares-len SHARES record: length 24 does not match the SHARES record \(expected 16\)$
EOF
# ... and in the ipc image: System V shared memory, the mappings of it,
# mm flags, inotify and the files on it
while read -r kind pat; do
	"$tmp/mkimage" --ipc --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_ipc_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
sysvshm-objid-zero offset 1472 .*SYSVSHM record: objid 0 \(object ids start at 1\)$
sysvshm-objid-dup offset 9864 .*SYSVSHM record: objid 110 is used twice$
sysvshm-len offset 9864 .*SYSVSHM record: length 80 does not match the SYSVSHM record \(expected 88\)$
sysvshm-reserved offset 1472 .*SYSVSHM record: reserved field is not zero$
sysvshm-flags SYSVSHM record: unknown flags 0x2$
sysvshm-shmid SYSVSHM record: shmid -1 is negative$
sysvshm-mode SYSVSHM record: mode 01640 has bits other than the permission bits \(0777\)$
sysvshm-size-zero offset 9864 .*SYSVSHM record: size 0: a segment has at least one byte$
sysvshm-size-max SYSVSHM record: size 9223372036854775808 exceeds MAX_LFS_FILESIZE \(9223372036854775807\)$
sysvshm-nr-pages SYSVSHM record: nr_pages 4 is more than the 3 pages of a segment of 12288 bytes$
sysvshm-removed-key SYSVSHM record: key 0x00005eee on a removed segment: IPC_RMID made its key IPC_PRIVATE \(0\)$
sysvshm-unmapped SYSVSHM record: segment 32769: its owner or creator is unmapped \(uid 1000, gid 1000, cuid 4294967295, cgid 1000\): restart gives it no id$
sysvshm-pages-order offset 5680 .*PAGES record: System V segment 110: offset 0x0 is below the pages before \(0x1000\)$
sysvshm-pages-past offset 5680 .*PAGES record: System V segment 110: pages 0x3000-0x4000 run past its 12288 bytes$
sysvshm-pages-missing offset 9800 .*VMA record: unexpected here: PAGES \(1 more page of System V segment 110\) record expected$
sysvshm-pages-extra offset 5680 .*PAGES record: unexpected here: VMA 2 of 5 record expected$
sysvshm-in-files offset 33096 .*SYSVSHM record: unexpected here: FILE, FD, THREAD or an object \(PIPE, PTY, UNLINKED, EVENTFD...\) record expected$
sysvshm-after-vma offset 9864 .*VMA record: sysvshm mapping: objid 112 names no earlier SYSVSHM record$
vma-sysvshm-objid offset 9800 .*VMA record: sysvshm mapping: objid 99 names no earlier SYSVSHM record$
vma-sysvshm-inotify offset 36616 .*VMA record: sysvshm mapping: objid 120 names no earlier SYSVSHM record$
vma-objid-sysvshm VMA record: anon mapping with objid 110: only obj_shared, obj_private and sysvshm have one$
vma-kind offset 10016 .*VMA record: unknown VMA kind 9$
vma-flags VMA record: unknown VMA flags 0x80000000$
vma-rdonly-kind offset 10016 .*VMA record: flag shm_rdonly on a mapping of kind anon: only a sysvshm mapping has it$
vma-rdonly-write offset 36616 .*VMA record: flag shm_rdonly, but prot has PROT_WRITE: an attachment made with SHM_RDONLY is not writable$
vma-wipeonfork offset 9800 .*VMA record: flag wipeonfork on a mapping of kind sysvshm: madvise\(MADV_WIPEONFORK\) takes private anonymous memory only$
pages-sysvshm PAGES record: pages at 0x30000000 are in a sysvshm VMA, which has no pages$
mm-flags offset 720 .*MM record: unknown mm flags 0x10$
inotify-objid-zero INOTIFY record: objid 0 \(object ids start at 1\)$
inotify-objid-dup INOTIFY record: objid 110 is used twice$
inotify-short INOTIFY record: length 16 is less than the 24 bytes of its fixed part$
inotify-nr-watches-max INOTIFY record: nr_watches 65537 exceeds CKPT_MAX_INOTIFY_WATCHES \(65536\)$
inotify-next-wd INOTIFY record: next_wd 2147483648 is above INT_MAX$
inotify-events-len INOTIFY record: events_len 256 is more than the 128 bytes after the fixed part$
inotify-events-align INOTIFY record: events_len 56 is not a multiple of 16 \(struct inotify_event\)$
inotify-nr-watches INOTIFY record: watch 3: its 16 bytes run past the watches \(0 bytes left\)$
inotify-trailing INOTIFY record: length 152: 32 bytes after the 1 watches, before the 64 bytes of events$
inotify-watch-reserved INOTIFY record: watch 2: reserved field is not zero$
inotify-wd-zero INOTIFY record: watch 1: wd 0 is not positive$
inotify-wd-order INOTIFY record: watch 2: wd 1 is not above the wd before it \(1\)$
inotify-path-len INOTIFY record: watch 1: path_len 1 is not in 2..4096$
inotify-path-max INOTIFY record: watch 1: path_len 4097 is not in 2..4096$
inotify-path-past INOTIFY record: watch 2: its path of 40 bytes \(padded to 8\) runs past the watches$
inotify-path-relative INOTIFY record: watch 1: path is not absolute$
inotify-path-nul INOTIFY record: watch 1: path of 11 bytes is not NUL-terminated$
inotify-path-inner-nul INOTIFY record: watch 2: path: NUL byte at 4 inside a path of 14 bytes$
inotify-same-path INOTIFY record: watch 2: path is watched by watch 1 already$
inotify-mask-none INOTIFY record: watch 2: mask 0x80000000 has no event \(IN_ALL_EVENTS\)$
inotify-mask-bits INOTIFY record: watch 1: mask 0x20000302 has bits other than events, IN_EXCL_UNLINK and IN_ONESHOT \(0x20000000\)$
inotify-event-len INOTIFY record: event 1: len 1000 runs past the record \(48 bytes left\)$
inotify-event-mask INOTIFY record: event 2: unknown mask bits 0x10000$
inotify-event-len-align INOTIFY record: event 1: len 8 is not a multiple of 16$
inotify-event-name-nul INOTIFY record: event 1: name: no NUL in its 16 bytes$
inotify-overflow-wd INOTIFY record: event 3: IN_Q_OVERFLOW with wd 1, len 0 and mask 0x4000: the overflow event has wd -1, len 0 and no other bit$
inotify-overflow-mask INOTIFY record: event 2: IN_Q_OVERFLOW with wd 3, len 0 and mask 0x4002: the overflow event has wd -1, len 0 and no other bit$
inotify-file-mode offset 33248 .*FILE record: mode 3: a file of kind inotify is read-only \(1\)$
inotify-file-pos FILE record: pos 5, size 0: a file of kind inotify has 0 for both$
inotify-file-flags FILE record: flags 06000: a file of kind inotify has no status flag but O_NONBLOCK$
inotify-file-ref FILE record: inotify_id 110: no earlier INOTIFY record has that objid$
fd-on-inotify offset 51432 .*FD record: fd 3 refers to objid 120, which no earlier FILE record has$
EOF
# ... the SCHED record, the last of each thread, in the simple image
while read -r kind pat; do
	"$tmp/mkimage" --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
sched-policy offset 17760 .*SCHED record: unknown scheduling policy 4$
sched-policy-max SCHED record: unknown scheduling policy 7$
sched-rt-priority SCHED record: real-time priority 10 with policy SCHED_OTHER$
sched-rt-priority-zero SCHED record: real-time priority 0 with policy SCHED_FIFO$
sched-nice SCHED record: nice 20 is outside -20..19$
sched-all-cpus-mask SCHED record: ALL_CPUS with CPUs in the mask$
sched-cpus-empty SCHED record: an empty CPU affinity$
sched-flags SCHED record: unknown flags 0x8$
sched-dl-overrun SCHED record: DL_OVERRUN without SCHED_DEADLINE$
sched-dl-fair SCHED record: deadline parameters without SCHED_DEADLINE$
sched-slice SCHED record: slice 99999 ns is outside 0.1..100 ms$
sched-slice-max SCHED record: slice 100000001 ns is outside 0.1..100 ms$
sched-oom SCHED record: oom_score_adj 1001 or its minimum 0 is outside -1000..1000$
sched-oom-min SCHED record: oom_score_adj 100 or its minimum -1001 is outside -1000..1000$
sched-len SCHED record: length 192 does not match the SCHED record \(expected 200\)$
sched-missing offset 17760 .*ACCT record: unexpected here: SCHED record expected$
sched-before-siginfo offset 17616 .*SCHED record: unexpected here: SIGINFO 1 of 1 record expected$
EOF
# ... the ACCT record, after SCHED, in the simple image: its only
# thread's, its process's leader's
while read -r kind pat; do
	"$tmp/mkimage" --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
acct-flags offset 17960 .*ACCT record: unknown flags 0x2$
acct-reserved offset 17960 .*ACCT record: reserved field is not zero$
acct-self-inblock ACCT record: self: inblock 16, oublock 0, maxrss 0: the kernel keeps none of these per thread \(all 0\)$
acct-self-oublock ACCT record: self: inblock 0, oublock 8, maxrss 0: the kernel keeps none of these per thread \(all 0\)$
acct-self-maxrss ACCT record: self: inblock 0, oublock 0, maxrss 2048: the kernel keeps none of these per thread \(all 0\)$
acct-children-runtime ACCT record: children.runtime 1: the kernel keeps no runtime for children \(0\)$
acct-self-time-max ACCT record: self.utime 4611686018427387905 ns exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
acct-self-runtime-max ACCT record: self.runtime 18446744073709551615 ns exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
acct-exited-time-max ACCT record: exited.stime 4611686018427387905 ns exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
acct-children-time-max ACCT record: children.gtime 4611686018427387905 ns exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
acct-sum ACCT record: the process.s utime, 4611686018427387905 ns over its threads and exited threads so far, exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
acct-len ACCT record: length 456 does not match the ACCT record \(expected 464\)$
acct-missing offset 17960 .*TASK_END record: unexpected here: ACCT record expected$
acct-before-sched offset 17760 .*ACCT record: unexpected here: SCHED record expected$
EOF
# ... and in the job image: a thread without its SCHED record, one with
# two, a zombie with one, the mm flags
while read -r kind pat; do
	"$tmp/mkimage" --job --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_job_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
sched-missing-thread offset 35944 .*ACCT record: unexpected here: SCHED record expected$
sched-twice offset 38048 .*SCHED record: unexpected here: ACCT record expected$
sched-idle-runtime offset 37848 .*SCHED record: deadline parameters without SCHED_DEADLINE$
sched-zombie offset 59184 .*SCHED record: unexpected here: TASK_END record expected$
mm-mdwe-no-inherit offset 40912 .*MM record: mdwe_no_inherit without mdwe$
EOF
# ... and ACCT records: other threads' with the process's parts, the
# process's times summed over its threads, a thread without its record,
# one with two, the zombie's
while read -r kind pat; do
	"$tmp/mkimage" --job --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_job_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
acct-thread-exited offset 38048 .*ACCT record: thread 2 of 3 has exited, children or hiwater counters: only the leader.s record has the process.s$
acct-thread-children offset 39952 .*ACCT record: thread 3 of 3 has exited, children or hiwater counters: only the leader.s record has the process.s$
acct-thread-hiwater offset 38048 .*ACCT record: thread 2 of 3 has exited, children or hiwater counters: only the leader.s record has the process.s$
acct-sum-threads offset 39952 .*ACCT record: the process.s runtime, 4611686018427387905 ns over its threads and exited threads so far, exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
acct-missing-thread offset 36144 .*THREAD record: unexpected here: ACCT record expected$
acct-twice offset 38512 .*ACCT record: unexpected here: THREAD 3 of 3 record expected$
acct-zombie-missing offset 58720 .*TASK_END record: unexpected here: ACCT record expected$
acct-zombie-twice offset 59184 .*ACCT record: unexpected here: TASK_END record expected$
acct-zombie-sum offset 58720 .*ACCT record: the process.s stime, 4611686018427387905 ns over its threads and exited threads so far, exceeds CKPT_ACCT_MAX_NS \(4611686018427387904\)$
EOF
# ... the CKPTSIG record, after SIGHAND, in the simple image: each
# field restart(2) refuses ("bad checkpoint settings record"), and the
# record missing or out of its place
while read -r kind pat; do
	"$tmp/mkimage" --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
ckptsig-scope offset 15936 .*CKPTSIG record: scope 0xd has bits outside CKPT_SCOPE_MASK \(0xc\)$
ckptsig-reserved offset 15936 .*CKPTSIG record: reserved field is not zero$
ckptsig-anchor-negative CKPTSIG record: anchor -1 is negative$
ckptsig-anchor-max CKPTSIG record: anchor 4194304 is not below PID_MAX_LIMIT \(4194304\), the highest pid_max$
ckptsig-notify-huge CKPTSIG record: notify 2147483648 is not a signal in 1..64$
ckptsig-notify-max CKPTSIG record: notify 65 is not a signal in 1..64$
ckptsig-notify-kill CKPTSIG record: notify SIGKILL cannot be caught: it cannot announce a checkpoint$
ckptsig-notify-stop CKPTSIG record: notify SIGSTOP cannot be caught: it cannot announce a checkpoint$
ckptsig-pattern-nul CKPTSIG record: pattern: no NUL terminator in its 128 bytes$
ckptsig-pattern-pipe CKPTSIG record: pattern starts with '\|': an image is not piped to a program$
ckptsig-len CKPTSIG record: length 144 does not match the CKPTSIG record \(expected 152\)$
ckptsig-missing offset 15936 .*TIMERS record: unexpected here: CKPTSIG record expected$
ckptsig-before-sighand offset 13872 .*CKPTSIG record: unexpected here: PAGES or SIGHAND record expected$
EOF
# ... and in the job image: the producer's twice, or with a bad scope;
# one in the zombie's section
while read -r kind pat; do
	"$tmp/mkimage" --job --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_job_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
ckptsig-twice offset 34344 .*CKPTSIG record: unexpected here: TIMERS record expected$
ckptsig-zombie offset 58720 .*CKPTSIG record: unexpected here: ACCT record expected$
ckptsig-job-scope offset 34192 .*CKPTSIG record: scope 0x10 has bits outside CKPT_SCOPE_MASK \(0xc\)$
EOF
# ... the digest fields (format v9), in the xxh64 image: an unknown
# digest in the header (0: where v8 had reserved bytes), the trailer's
# another than the header's (its value that digest's) or unknown,
# reserved fields, a byte after the 8 of the xxh64 value
while read -r kind pat; do
	"$tmp/mkimage" --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_$kind" 1 "$pat" "$tmp/bad.img"
	echo "$kind" >> "$tmp/tested"
done <<'EOF'
digest-unknown offset 0 .*HEADER record: unknown digest algorithm 3 \(1 is xxh64, 2 sha256\)$
digest-zero offset 0 .*HEADER record: unknown digest algorithm 0 \(1 is xxh64, 2 sha256\)$
digest-flag HEADER record: the digest is xxh64, but flags 0x41 have CKPT_DIGEST_SHA256 \(0x40\)$
header-reserved offset 0 .*HEADER record: reserved field is not zero$
digest-differs offset 18440 .*TRAILER record: digest sha256 differs from the header's xxh64$
digest-trailer-unknown TRAILER record: unknown digest algorithm 3, the header's is xxh64$
trailer-reserved offset 18440 .*TRAILER record: reserved field is not zero$
digest-garbage TRAILER record: xxh64 value: byte 20 of 32 is not zero \(an xxh64 digest is 8 bytes\)$
EOF
# ... and in the SHA-256 image: the same, and a byte of the SHA-256 (there
# is no padding after it) a checksum mismatch
while read -r kind pat; do
	"$tmp/mkimage" --digest sha256 --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_sha256_$kind" 1 "$pat" "$tmp/bad.img"
done <<'EOF'
digest-unknown offset 0 .*HEADER record: unknown digest algorithm 3 \(1 is xxh64, 2 sha256\)$
digest-flag HEADER record: the digest is sha256, but flags 0x1 lack CKPT_DIGEST_SHA256 \(0x40\)$
header-reserved offset 0 .*HEADER record: reserved field is not zero$
digest-differs offset 18440 .*TRAILER record: digest xxh64 differs from the header's sha256$
digest-trailer-unknown TRAILER record: unknown digest algorithm 3, the header's is sha256$
trailer-reserved offset 18440 .*TRAILER record: reserved field is not zero$
digest-garbage TRAILER record: checksum mismatch: the trailer has sha256 [0-9a-f]{40}5a[0-9a-f]{22},$
EOF
# Every defect mkimage can make is in one of the tables above
: > "$tmp/why"
for k in $("$tmp/mkimage" --kinds); do
	grep -qx -- "$k" "$tmp/tested" || echo "no test for mkimage --corrupt $k" >> "$tmp/why"
done
if [ -s "$tmp/why" ]; then
	not_ok every_defect_kind_tested "$tmp/why"
else
	ok every_defect_kind_tested
fi

# Usage errors
info usage_unknown_option 2 'Usage: ckptinfo' --bogus
info usage_two_files 2 'Usage: ckptinfo' "$img" "$img"
info missing_file 2 'No such file' "$tmp/nonexistent"
info help 0 'Usage: ckptinfo' --help

# ckpt and restart: argument handling only (no syscalls on this kernel)
tool() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" > "$tmp/out" 2>&1 < /dev/null
	st=$?
	if [ "$st" = "$want" ] && grep -Eq -- "$pat" "$tmp/out"; then
		ok "$name"
	else
		echo "status $st, want $want; want output matching: $pat" > "$tmp/why"
		cat "$tmp/out" >> "$tmp/why"
		not_ok "$name" "$tmp/why"
	fi
}
tool ckpt_help 0 'Usage: ckpt ' "$tmp/ckpt" --help
tool ckpt_needs_pid 2 'Usage: ckpt ' "$tmp/ckpt"
tool ckpt_bad_pid 2 'ckpt: 12x: not a valid PID' "$tmp/ckpt" -o "$tmp/x" 12x
tool ckpt_one_action 2 "choose one" "$tmp/ckpt" --stop --kill -o "$tmp/x" 1
tool ckpt_one_scope 2 "--pgrp, --session, --tree: choose one" "$tmp/ckpt" --pgrp --tree -o "$tmp/x" 1
tool ckpt_help_scopes 0 '--outside-pipes-broken' "$tmp/ckpt" --help
tool ckpt_bad_pgid 2 'ckpt: 0: not a valid process group ID' "$tmp/ckpt" --pgrp -o "$tmp/x" 0
# the digest: --digest=xxh64 (the default) or sha256, which is
# CKPT_DIGEST_SHA256 (0x40) in checkpoint(2)'s flags, as seen by a stand-in
# for checkpoint(2) (fake_checkpoint.c, LD_PRELOAD)
tool ckpt_help_digest 0 '--digest=xxh64\|sha256' "$tmp/ckpt" --help
tool ckpt_bad_digest 2 '^ckpt: --digest: md5: unknown digest \(xxh64 or sha256\)$' \
	"$tmp/ckpt" --digest=md5 -o "$tmp/x" 1
tool ckpt_digest_needs_name 2 'Usage: ckpt ' "$tmp/ckpt" -o "$tmp/x" 1 --digest
# shellcheck disable=SC2086
if $CC $cflags -shared -fPIC -o "$tmp/fake_checkpoint.so" "$top/tests/host/fake_checkpoint.c" \
	> "$tmp/log" 2>&1 && [ ! -s "$tmp/log" ]; then
	ok build_fake_checkpoint_without_warnings
	fake() {
		LD_PRELOAD="$tmp/fake_checkpoint.so" "$tmp/ckpt" "$@"
	}
	tool ckpt_default_digest_is_xxh64 0 '^fake checkpoint: pid 1 flags 0x0$' \
		fake -o "$tmp/x" 1
	tool ckpt_digest_sha256_flag 0 '^fake checkpoint: pid 1 flags 0x40$' \
		fake --digest=sha256 -o "$tmp/x" 1
	tool ckpt_digest_sha256_with_others 0 '^fake checkpoint: pid 7 flags 0x6e$' \
		fake --kill --tree -d sha256 --file-locks -o "$tmp/x" 7
	tool ckpt_digest_xxh64_flag 0 '^fake checkpoint: pid 1 flags 0x0$' \
		fake --digest=xxh64 -o "$tmp/x" 1
	tool ckpt_digest_last_wins 0 '^fake checkpoint: pid 1 flags 0x0$' \
		fake --digest=sha256 --digest xxh64 -o "$tmp/x" 1
	# --no-cow is CKPT_NO_COW (0x80)
	tool ckpt_no_cow_flag 0 '^fake checkpoint: pid 3 flags 0x80$' \
		fake --no-cow -o "$tmp/x" 3
	tool ckpt_no_cow_with_others 0 '^fake checkpoint: pid 3 flags 0xc4$' \
		fake -n --pgrp -d sha256 -o "$tmp/x" 3
else
	not_ok build_fake_checkpoint_without_warnings "$tmp/log"
fi
tool restart_help 0 'Usage: restart ' "$tmp/restart" --help
tool restart_extra_arg 2 'Usage: restart ' "$tmp/restart" foo
tool restart_missing_file 1 "restart: $tmp/nonexistent: No such file" \
	"$tmp/restart" -f "$tmp/nonexistent"
tool restart_help_new_pids 0 '--new-pids' "$tmp/restart" --help
tool restart_new_pids_option 1 "restart: $tmp/nonexistent: No such file" \
	"$tmp/restart" --new-pids --wait -f "$tmp/nonexistent"

# Fuzz: random single-byte mutations (odd seeds with a recomputed
# digest, so that decoding goes on past the mutation) must give exit
# status 0 or 1, never a crash.  Built with ASan/UBSan when the compiler
# can, so that any out-of-bounds read aborts.
fuzz=$tmp/ckptinfo
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
# shellcheck disable=SC2086
if $CC $cflags -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$tmp/ckptinfo-asan" "$top"/tools/ckptinfo/*.c $ldlibs > /dev/null 2>&1 &&
	"$tmp/ckptinfo-asan" "$img" > /dev/null 2>&1; then
	fuzz=$tmp/ckptinfo-asan
fi
# fuzz_image NAME [MKIMAGE-OPTIONS]: FUZZ_RUNS mutations of an image
fuzz_image() {
	name=$1
	shift
	i=0 zero=0 one=0 bad=0
	: > "$tmp/fuzz"
	while [ $i -lt "$FUZZ_RUNS" ]; do
		"$tmp/mkimage" "$@" --mutate $i | "$fuzz" > /dev/null 2> "$tmp/err"
		st=$?
		case $st in
		0) zero=$((zero + 1)) ;;
		1) one=$((one + 1)) ;;
		*)
			bad=$((bad + 1))
			{ echo "seed $i: exit status $st"; tail -n 5 "$tmp/err"; } >> "$tmp/fuzz"
			;;
		esac
		i=$((i + 1))
	done
	echo "# fuzz $name ($(basename "$fuzz")): $FUZZ_RUNS mutations, $zero accepted, $one rejected, $bad crashed"
	if [ $bad = 0 ] && [ $one -gt 0 ]; then
		ok "$name"
	else
		not_ok "$name" "$tmp/fuzz"
	fi
}
fuzz_image fuzz_single_byte_mutations_never_crash
fuzz_image fuzz_job_mutations_never_crash --job
# the PTY and FILE records are a small part of the pty image: aim at them
fuzz_image fuzz_pty_record_mutations_never_crash --pty --mutate-in PTY
fuzz_image fuzz_pty_file_mutations_never_crash --pty --mutate-in FILE
# ... and at the records of the objects image, and those that name them
objrecs=UNLINKED,PAGES,VMA,EVENTFD,SIGNALFD,TIMERFD,EPOLL,FILE
fuzz_image fuzz_objects_record_mutations_never_crash --objects --mutate-in $objrecs
# ... and at the unix sockets and the files on them
fuzz_image fuzz_unix_record_mutations_never_crash --unix --mutate-in UNIX,FILE
# ... and at the POSIX timers, locks and shared tables, and the records
# around them
sharedrecs=TIMERS,POSIX_TIMERS,LOCKS,SHARES,FD
fuzz_image fuzz_shared_record_mutations_never_crash --shared --mutate-in $sharedrecs
# ... and at System V shared memory, inotify, and the records naming them
ipcrecs=SYSVSHM,INOTIFY,MM,VMA,PAGES,FILE
fuzz_image fuzz_ipc_record_mutations_never_crash --ipc --mutate-in $ipcrecs
# ... and at the SCHED, ACCT and CKPTSIG records, the SIGHAND records
# before CKPTSIG, and the MM records with their flags
fuzz_image fuzz_sched_record_mutations_never_crash --job --mutate-in SCHED,MM,ACCT,SIGHAND,CKPTSIG
# ... and at the header and trailer, which hold the digest, of either digest
fuzz_image fuzz_xxh64_digest_mutations_never_crash --mutate-in HEADER,TRAILER
fuzz_image fuzz_sha256_digest_mutations_never_crash --digest sha256 --mutate-in HEADER,TRAILER
# The job's (the pty, objects and unix records') mutations in JSON: the output is
# always valid JSON
# fuzz_json NAME MKIMAGE-OPTIONS...
fuzz_json() {
	name=$1
	shift
	if ! command -v python3 > /dev/null 2>&1; then
		skip "$name" "no python3"
		return
	fi
	i=0
	: > "$tmp/fuzz"
	while [ $i -lt 200 ]; do
		"$tmp/mkimage" "$@" --mutate $i | "$fuzz" --json > "$tmp/json" 2> /dev/null
		st=$?
		if [ $st -gt 1 ] || ! python3 -m json.tool "$tmp/json" > /dev/null 2>&1; then
			echo "seed $i: exit status $st, or invalid JSON" >> "$tmp/fuzz"
		fi
		i=$((i + 1))
	done
	if [ -s "$tmp/fuzz" ]; then
		not_ok "$name" "$tmp/fuzz"
	else
		ok "$name"
	fi
}
fuzz_json fuzz_job_json_always_valid --job
fuzz_json fuzz_pty_json_always_valid --pty --mutate-in PTY
fuzz_json fuzz_objects_json_always_valid --objects --mutate-in $objrecs
fuzz_json fuzz_unix_json_always_valid --unix --mutate-in UNIX,FILE
fuzz_json fuzz_shared_json_always_valid --shared --mutate-in $sharedrecs
fuzz_json fuzz_ipc_json_always_valid --ipc --mutate-in $ipcrecs
fuzz_json fuzz_sched_json_always_valid --job --mutate-in SCHED,MM,ACCT,SIGHAND,CKPTSIG

echo "1..$n"
[ $fails = 0 ]
