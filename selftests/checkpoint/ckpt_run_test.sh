#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ckpt-run(1): a command run as a job that a signal checkpoints
# (SIG_CKPT_KILL, SIG_CKPT) and that the next run of the same ckpt-run
# command resumes; and the logic of the Slurm recipe of
# Documentation/checkpoint/batch.rst, with the scheduler's signal sent by
# hand.  The job is a busybox sh script that appends 1..N to a file, one
# number per step with a short sleep, then "done": a resumed job must go
# on where it was saved, so the file ends up exactly 1..N and "done".
#
# No result depends on timing: signals are sent once the job has made
# progress, and every wait has a generous limit.
#
#  1. SIGUSR1 to ckpt-run: it exits 75, the image is there, the job ended
#     with its output partial
#  2. the same command again resumes the job: exit 0, output complete,
#     the image removed
#  3. a mock batch script (ckpt-run in the background, the signal passed
#     on by a trap, "requeue" on status 75) finishes the job over three
#     allocations
#  4. --continue: the signal writes the image and the job runs on
#  5. the job's exit status is ckpt-run's
#  6. SIGTERM is passed on: 143
#  7. usage errors: 2
#  8. a command not found: 127; --keep keeps the image
#
# Knobs: CKPT_RUN_STEPS (numbers the job writes, default 40).
set -u
. "$(dirname "$0")/ckpt_job_lib.sh"

need_tools ckpt-run ckpt ckptinfo timeout cmp

# One TAP result for test $name: ok, or not ok with the reasons in $why
# and the log $1.
report() {
	if [ -s "$why" ]; then
		tap_not_ok "$name" "$why" "$1"
	else
		tap_ok "$name"
	fi
}

work=$(mktemp -d /tmp/ckpt-run.XXXXXX) || exit 1
JOB=
BATCH=

# kill_tree PID: SIGKILL PID and all its descendants, then reap PID.
kill_tree() {
	local _all _new _f _pid _comm _state _ppid _rest _p _k
	[ -n "$1" ] || return 0
	_k=0
	while [ $_k -lt 50 ]; do
		_all=" $1 "
		_new=1
		while [ $_new = 1 ]; do
			_new=0
			for _f in /proc/[0-9]*/stat; do
				read -r _pid _comm _state _ppid _rest 2> /dev/null < "$_f" ||
					continue
				case "$_all" in
				*" $_pid "*) ;;
				*" $_ppid "*)
					_all="$_all$_pid "
					_new=1
					;;
				esac
			done
		done
		_p=
		for _pid in $_all; do
			[ -e "/proc/$_pid" ] && _p="$_p $_pid"
		done
		[ -z "$_p" ] && break
		# shellcheck disable=SC2086
		kill -9 $_p 2> /dev/null
		wait "$1" 2> /dev/null
		sleep 0.1
		_k=$((_k + 1))
	done
}

cleanup() {
	kill_tree "$JOB"
	kill_tree "$BATCH"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
need_checkpoint "$work"

# Does this kernel have the checkpoint dispositions?
ckpt-run --to "$work/probe.ckpt" -- true > "$work/probe.log" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "no checkpoint by signal" "$work/probe.log"; then
	tap_skip_all "this kernel has no SIG_CKPT (prctl PR_SET_CKPT_SCOPE)"
fi

tap_plan 8

steps=${CKPT_RUN_STEPS:-40}
cat > "$work/counter.sh" << 'EOF'
# counter.sh OUT N: append 1..N to OUT, one a step, then "done"
out=$1
n=$2
i=1
while [ $i -le "$n" ]; do
	echo $i >> "$out"
	sleep 0.1
	i=$((i + 1))
done
echo "done" >> "$out"
EOF

# expected N FILE: what counter.sh writes
expected() {
	local _i
	_i=1
	while [ $_i -le "$1" ]; do
		echo $_i
		_i=$((_i + 1))
	done > "$2"
	echo "done" >> "$2"
}
expected "$steps" "$work/want.out"

# lines FILE: LINES = its number of lines (0 if none)
lines() {
	LINES=0
	[ -f "$1" ] && LINES=$(wc -l < "$1")
	LINES=$((LINES + 0))
}

# wait_lines FILE N SECONDS: wait until FILE has N lines or more; 1 if
# not in time, or if JOB (when set) has ended meanwhile.
wait_lines() {
	local _n
	_n=$(($3 * 20))
	while [ $_n -gt 0 ]; do
		lines "$1"
		[ "$LINES" -ge "$2" ] && return 0
		if [ -n "$JOB" ] && [ ! -e "/proc/$JOB" ]; then
			return 1
		fi
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}

# check_out FILE WHY: 0 if FILE is exactly 1..steps and "done"; else
# the difference is appended to WHY.
check_out() {
	if cmp -s "$work/want.out" "$1"; then
		return 0
	fi
	lines "$1"
	{
		echo "the output has $LINES lines, want $((steps + 1)) (1..$steps, done):"
		tr '\n' ' ' < "$1" | cut -c 1-300
		echo
	} >> "$2"
	return 1
}

# start_run LOG ARGS...: ckpt-run ARGS in the background in $work, its
# output to LOG; JOB = its PID.
start_run() {
	local _log
	_log=$1
	shift
	(cd "$work" && exec ckpt-run "$@") < /dev/null > "$_log" 2>&1 &
	JOB=$!
}

# finish_run SECONDS: wait for JOB; STATUS = its exit status, or
# "timeout" (then it is killed).  Leaves JOB empty.
finish_run() {
	if wait_job_exit "$1"; then
		STATUS=$JOB_STATUS
	else
		STATUS=timeout
		kill_tree "$JOB"
	fi
	JOB=
}

img=$work/job.ckpt
out=$work/a.out

# 1. Checkpoint by SIGUSR1 to ckpt-run
name="ckpt-run: SIGUSR1 checkpoints the job, ckpt-run exits 75"
why=$work/1.why
: > "$why"
rm -f "$img" "$out"
start_run "$work/a1.log" --to "$img" -- sh "$work/counter.sh" "$out" "$steps"
if ! wait_lines "$out" 5 60; then
	echo "the job did not write 5 lines within 60 s" >> "$why"
fi
kill -USR1 "$JOB" 2> /dev/null
finish_run 60
lines "$out"
at_ckpt=$LINES
[ "$STATUS" = 75 ] || echo "ckpt-run exit status $STATUS, want 75" >> "$why"
[ -f "$img" ] || echo "no image $img" >> "$why"
if [ "$at_ckpt" -ge "$steps" ] || grep -q "done" "$out" 2> /dev/null; then
	echo "the output is complete ($at_ckpt lines): the job was not stopped" >> "$why"
fi
grep -q "job checkpointed to $img" "$work/a1.log" ||
	echo "no 'job checkpointed to $img' message" >> "$why"
# The job must have ended: its output stays as it is.
sleep 0.5
lines "$out"
[ "$LINES" = "$at_ckpt" ] ||
	echo "the output grew from $at_ckpt to $LINES lines after ckpt-run exited" >> "$why"
if [ -s "$why" ]; then
	tap_not_ok "$name" "$why" "$work/a1.log"
	first_ok=0
else
	tap_diag "checkpointed at $at_ckpt of $steps lines, image $(wc -c < "$img") bytes"
	tap_ok "$name"
	first_ok=1
fi

# 2. The same command resumes the job
name="ckpt-run: the same command resumes the job, exit 0, output complete, image removed"
why=$work/2.why
: > "$why"
if [ $first_ok = 1 ]; then
	start_run "$work/a2.log" --to "$img" -- sh "$work/counter.sh" "$out" "$steps"
	finish_run 120
	[ "$STATUS" = 0 ] || echo "ckpt-run exit status $STATUS, want 0" >> "$why"
	grep -q "resumed from $img" "$work/a2.log" ||
		echo "no 'resumed from $img' message" >> "$why"
	check_out "$out" "$why"
	[ -e "$img" ] && echo "the image is still there" >> "$why"
	report "$work/a2.log"
else
	tap_skip "$name" "no image from test 1"
fi

# 3. The batch recipe: ckpt-run in the background, the trap passes the
# scheduler's USR1 on, status 75 means "requeue" (here: loop).
name="ckpt-run: a mock batch script finishes the job over 3 allocations"
why=$work/3.why
: > "$why"
out=$work/b.out
alog=$work/b.alloc
rm -f "$img" "$out" "$alog"
cat > "$work/batch.sh" << 'EOF'
# batch.sh IMG OUT N ALLOC_LOG: the logic of the Slurm batch script of
# batch.rst; each round of the loop is one allocation of the job.
img=$1
out=$2
n=$3
alog=$4
while :; do
	echo "allocation" >> "$alog"
	pid=
	trap 'kill -USR1 "$pid" 2> /dev/null' USR1
	ckpt-run --on USR1 --to "$img" -- sh counter.sh "$out" "$n" &
	pid=$!
	# wait returns early when the trap runs: wait again while it runs
	while :; do
		wait "$pid"
		st=$?
		kill -0 "$pid" 2> /dev/null || break
	done
	# (the trap ran just as ckpt-run ended: its status is still there)
	wait "$pid" 2> /dev/null
	s=$?
	[ "$s" = 127 ] || st=$s
	trap - USR1
	echo "status $st" >> "$alog"
	# scontrol requeue "$SLURM_JOB_ID"
	[ "$st" = 75 ] || exit "$st"
done
EOF
steps_b=$((steps + 20))
expected "$steps_b" "$work/want_b.out"
(cd "$work" && exec sh batch.sh "$img" "$out" "$steps_b" "$alog") < /dev/null \
	> "$work/b.log" 2>&1 &
BATCH=$!
# The scheduler: in each of the first two allocations, once the job has
# written 8 more lines, USR1 to the batch shell only.
JOB=
goal=8
for a in 1 2; do
	if ! wait_lines "$out" "$goal" 60; then
		echo "allocation $a: the job did not reach $goal lines within 60 s" >> "$why"
		break
	fi
	kill -USR1 "$BATCH" 2> /dev/null
	# the next allocation has begun when the log says so
	k=0
	while [ $k -lt 1200 ] && [ "$(grep -c allocation "$alog" 2> /dev/null)" -le $a ]; do
		[ -e "/proc/$BATCH" ] || break
		sleep 0.05
		k=$((k + 1))
	done
	lines "$out"
	goal=$((LINES + 8))
done
JOB=$BATCH
finish_run 120
BATCH=
[ "$STATUS" = 0 ] || echo "the batch script's exit status $STATUS, want 0" >> "$why"
printf 'allocation\nstatus 75\nallocation\nstatus 75\nallocation\nstatus 0\n' > "$work/b.want"
if ! cmp -s "$work/b.want" "$alog"; then
	echo "allocations: $(tr '\n' ' ' < "$alog" 2> /dev/null)" >> "$why"
	echo "want: $(tr '\n' ' ' < "$work/b.want")" >> "$why"
fi
if ! cmp -s "$work/want_b.out" "$out"; then
	lines "$out"
	echo "the output has $LINES lines, want $((steps_b + 1)):" \
		"$(tr '\n' ' ' < "$out" | cut -c 1-300)" >> "$why"
fi
[ -e "$img" ] && echo "the image is still there" >> "$why"
report "$work/b.log"

# 4. --continue: the image is written, the job runs on
name="ckpt-run --continue: SIGUSR1 writes the image, the job runs on and finishes"
why=$work/4.why
: > "$why"
out=$work/c.out
rm -f "$img" "$out"
start_run "$work/c.log" --continue --to "$img" -- sh "$work/counter.sh" "$out" "$steps"
wait_lines "$out" 5 60 || echo "the job did not write 5 lines within 60 s" >> "$why"
kill -USR1 "$JOB" 2> /dev/null
k=0
while [ $k -lt 1200 ] && [ ! -e "$img" ] && [ -e "/proc/$JOB" ]; do
	sleep 0.05
	k=$((k + 1))
done
if [ -e "$img" ]; then
	lines "$out"
	at_ckpt=$LINES
	# the job runs on after the checkpoint
	wait_lines "$out" $((at_ckpt + 2)) 60 ||
		echo "the output did not grow after the checkpoint ($at_ckpt lines)" >> "$why"
	if cp "$img" "$work/c.img" 2> /dev/null &&
	   ! ckptinfo "$work/c.img" > "$work/c.info" 2>&1; then
		echo "ckptinfo rejects the image:" >> "$why"
		tail -n 5 "$work/c.info" >> "$why"
	fi
else
	echo "no image appeared after SIGUSR1" >> "$why"
fi
finish_run 120
[ "$STATUS" = 0 ] || echo "ckpt-run exit status $STATUS, want 0" >> "$why"
check_out "$out" "$why"
[ -e "$img" ] && echo "the image is still there after the job finished" >> "$why"
report "$work/c.log"

# 5. The job's exit status
name="ckpt-run: a job that exits 3 makes ckpt-run exit 3"
rm -f "$img"
start_run "$work/d1.log" --to "$img" -- sh -c 'exit 3'
finish_run 60
if [ "$STATUS" = 3 ] && [ ! -e "$img" ]; then
	tap_ok "$name"
else
	echo "ckpt-run exit status $STATUS, want 3" > "$work/5.why"
	tap_not_ok "$name" "$work/5.why" "$work/d1.log"
fi

# 6. SIGTERM is passed on to the job
name="ckpt-run: SIGTERM passed on to the job, ckpt-run exits 143"
why=$work/6.why
: > "$why"
out=$work/d.out
rm -f "$img" "$out"
start_run "$work/d2.log" --to "$img" -- sh "$work/counter.sh" "$out" 100000
wait_lines "$out" 3 60 || echo "the job did not write 3 lines within 60 s" >> "$why"
kill -TERM "$JOB" 2> /dev/null
finish_run 60
[ "$STATUS" = 143 ] || echo "ckpt-run exit status $STATUS, want 143" >> "$why"
[ -e "$img" ] && echo "an image was written" >> "$why"
report "$work/d2.log"

# 7. Usage errors
name="ckpt-run: usage errors exit 2"
why=$work/7.why
: > "$why"
for args in "" "--on KILL -- true" "--on STOP -- true" "--on sigkill -- true" \
		"--on NOSUCH -- true" "--on 0 -- true" "--on , -- true" \
		"--scope forest -- true" "--bogus -- true"; do
	# shellcheck disable=SC2086
	(cd "$work" && exec ckpt-run $args) < /dev/null > "$work/e.log" 2>&1
	rc=$?
	[ $rc = 2 ] || echo "ckpt-run $args: exit status $rc, want 2" >> "$why"
done
# --on takes names and numbers, with or without SIG, in any case
(cd "$work" && exec ckpt-run --to "$img" --on sigusr2,XCPU,10,Usr1 -- true) \
	< /dev/null > "$work/e.log" 2>&1
rc=$?
[ $rc = 0 ] || echo "ckpt-run --on sigusr2,XCPU,10,Usr1 -- true: exit status $rc, want 0" >> "$why"
report "$work/e.log"

# 8. A command not found; --keep
name="ckpt-run: command not found exits 127; --keep keeps the image"
why=$work/8.why
: > "$why"
rm -f "$img"
(cd "$work" && exec ckpt-run --to "$img" -- ./no-such-command) < /dev/null > "$work/f.log" 2>&1
rc=$?
[ $rc = 127 ] || echo "ckpt-run -- ./no-such-command: exit status $rc, want 127" >> "$why"
echo old > "$img"
(cd "$work" && exec ckpt-run --fresh --keep --to "$img" -- true) < /dev/null >> "$work/f.log" 2>&1
rc=$?
[ $rc = 0 ] || echo "ckpt-run --fresh --keep -- true: exit status $rc, want 0" >> "$why"
[ "$(cat "$img" 2> /dev/null)" = old ] || echo "--keep: the image was not kept" >> "$why"
(cd "$work" && exec ckpt-run --fresh --to "$img" -- true) < /dev/null >> "$work/f.log" 2>&1
rc=$?
[ $rc = 0 ] || echo "ckpt-run --fresh -- true: exit status $rc, want 0" >> "$why"
[ -e "$img" ] && echo "without --keep, the image of a finished job was not removed" >> "$why"
report "$work/f.log"
tap_exit
