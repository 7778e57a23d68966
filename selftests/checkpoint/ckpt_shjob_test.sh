#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A busybox sh script as a job: rounds of a loop, each starting background
# subshells (two computing workers and a sleeper) and a pipeline of
# subshells read through a command substitution, then waiting for them
# ("wait") and writing what they found; the whole loop is piped into a
# long-lived subshell that numbers the lines into the output file, and a
# progress file is appended to.  Everything is deterministic.
#
# The job runs in its own session and is checkpointed with CKPT_KILL at
# several points of its run (--tree, rooted at the script's shell, and
# --session, alternately), restarted, and must finish with the same output
# and progress files, exit status and (empty) stderr as an uninterrupted
# run.  One TAP result per point, plus one for the reference runs.
# Knobs: CKPT_SHJOB_ROUNDS (default 16), CKPT_SHJOB_MIN_CS (an
# uninterrupted run must take at least this many centiseconds, else the
# rounds are doubled; default 400).
set -u
. "$(dirname "$0")/ckpt_job_lib.sh"

POINTS="5:tree 15:session 30:tree 45:session 60:tree 75:session 90:tree"

need_tools ckpt restart ckptinfo setsid timeout cmp
work=$(mktemp -d /tmp/ckpt-shjob.XXXXXX) || exit 1
JOB=
cleanup() {
	kill_session "$JOB"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
need_checkpoint "$work"

npoints=0
for p in $POINTS; do npoints=$((npoints + 1)); done
tap_plan $((npoints + 1))

mkdir "$work/job"
cat > "$work/job/job.sh" << 'EOF'
# job.sh OUT PROGRESS ROUNDS: the shell script job of this test
out=$1
progress=$2
rounds=$3

# worker NAME SEED MUL ITERATIONS: a little arithmetic, by the shell
worker() {
	s=$2
	i=0
	while [ $i -lt "$4" ]; do
		s=$(( (s * $3 + i * i + 7) % 1000003 ))
		i=$((i + 1))
	done
	echo "$1 $s"
}

rounds() {
	r=0
	while [ $r -lt "$rounds" ]; do
		(worker "a$r" $r 31 1500 > "w.a.$r") &
		(worker "b$r" $((r * 7)) 17 1000 > "w.b.$r") &
		(sleep 0.15; echo "c$r slept" > "w.c.$r") &
		# a pipeline of subshells feeding a command substitution
		sum=$(i=0; while [ $i -lt 150 ]; do echo $((i * r)); i=$((i + 1)); done |
			(t=0; while read -r v; do t=$((t + v)); done; echo $t))
		wait
		echo "round $r sum $sum"
		cat "w.a.$r" "w.b.$r" "w.c.$r"
		rm -f "w.a.$r" "w.b.$r" "w.c.$r"
		echo "round $r" >> "$progress"
		r=$((r + 1))
	done
	echo "all $rounds rounds done"
}

: > "$progress"
rounds | (
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		echo "$n: $line"
	done
	echo "$n lines"
) > "$out"
EOF

# run_whole PREFIX: one uninterrupted run into PREFIX.{out,progress,err};
# RUN_CS its duration, RUN_STATUS its exit status.
run_whole() {
	now_cs
	t0=$NOW
	if ! start_job "$work/job" /dev/null "$1.err" \
			sh job.sh "$1.out" "$1.progress" "$rounds"; then
		echo "could not start the job in its own session" > "$1.err"
		RUN_STATUS=255
		return 1
	fi
	job_wait
	RUN_STATUS=$JOB_STATUS
	JOB=
	now_cs
	RUN_CS=$((NOW - t0))
}

rounds=${CKPT_SHJOB_ROUNDS:-16}
min_cs=${CKPT_SHJOB_MIN_CS:-400}
while :; do
	run_whole "$work/ref"
	[ "$RUN_STATUS" != 0 ] || [ "$RUN_CS" -ge "$min_cs" ] || [ "$rounds" -ge 256 ] && break
	cs_to_s "$RUN_CS"
	tap_diag "$rounds rounds take ${S}s: doubling"
	rounds=$((rounds * 2))
done
REF_CS=$RUN_CS
REF_STATUS=$RUN_STATUS
run_whole "$work/ref2"
cs_to_s "$REF_CS"
ref_s=$S
cs_to_s "$RUN_CS"
name="shjob: two uninterrupted runs of $rounds rounds agree"
name="$name ($(wc -l < "$work/ref.out") lines, ${ref_s}s and ${S}s)"
if [ "$REF_STATUS" != 0 ] || [ -s "$work/ref.err" ] ||
		! grep -q "^$((rounds * 4 + 1)) lines\$" "$work/ref.out"; then
	echo "exit status $REF_STATUS" >> "$work/ref.err"
	tail -n 3 "$work/ref.out" >> "$work/ref.err"
	tap_not_ok "$name" "$work/ref.err"
	exit 1
fi
: > "$work/cmp.log"
for x in out progress err; do
	cmp "$work/ref.$x" "$work/ref2.$x" >> "$work/cmp.log" 2>&1
done
if [ "$RUN_STATUS" != "$REF_STATUS" ] || [ -s "$work/cmp.log" ]; then
	echo "exit status $RUN_STATUS" >> "$work/cmp.log"
	tap_not_ok "$name" "$work/cmp.log" "$work/ref2.err"
	exit 1
fi
tap_ok "$name"
limit=$((REF_CS * 5 / 100 + 60))

i=0
for p in $POINTS; do
	i=$((i + 1))
	pct=${p%%:*}
	scope=${p#*:}
	f=$work/p
	rm -f "$f".*
	now_cs
	t0=$NOW
	if ! start_job "$work/job" /dev/null "$f.err" \
			sh job.sh "$f.out" "$f.progress" "$rounds"; then
		tap_not_ok "shjob point $i: start the job in its own session"
		continue
	fi
	now_cs
	d=$((t0 + REF_CS * pct / 100 - NOW))
	[ $d -gt 0 ] && cs_to_s $d && sleep "$S"
	scan_session "$JOB"
	what=${SCAN_LIST# }
	now_cs
	cs_to_s $((NOW - t0))
	name="shjob point $i: --$scope checkpoint at ${S}s ($pct%) of [$what]"
	tap_diag "$name, in round $(wc -l 2> /dev/null < "$f.progress") of $rounds"
	ckpt_cycle "$name: restarted output identical" "$scope" "$f" "$REF_STATUS" "$limit" \
		"$f.out=$work/ref.out" "$f.progress=$work/ref.progress" "$f.err=$work/ref.err"
done
tap_exit
