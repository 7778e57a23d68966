#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Exhibit 1 of the seed paper, "a possible long running Unix job":
#
#   grep name billrecords/* | sort +2n | awk -f process_script | pr -3
#
# with busybox applets: sort -n -k 3 is sort +2n (busybox sort has no
# obsolete +POS keys), and pr3 is an awk stand-in for pr -3 (busybox has
# no pr).  ckpt_billgen writes the bill records and both awk scripts;
# process_script also has a child, a sort(1) it writes the customers'
# statements to through a pipe.
#
# The pipeline runs as one job, in its own session (setsid), and is
# checkpointed with CKPT_KILL at several points of its run: by time, and
# by phase, after grep has exited (sort still writing), and after grep
# and sort have both exited while awk, its child and pr3 still run (the
# paper's case: the pipe from the dead sort has only its read end left,
# and data then end-of-file in it).  The scope alternates between
# --session, --pgrp and --tree (the same processes here).  Every image is
# restarted and the job must finish with output byte-identical to an
# uninterrupted run's, the same exit status and nothing on stderr.
#
# One TAP result per checkpoint point, plus one for the reference runs.
# Knobs: CKPT_EXHIBIT1_BILLS (bills to start with, default 24000),
# CKPT_EXHIBIT1_MIN_CS (an uninterrupted run must take at least this many
# centiseconds, else the data is doubled, default 400).
set -u
. "$(dirname "$0")/ckpt_job_lib.sh"

PIPELINE='grep name billrecords/* | sort -n -k 3 | awk -f process_script | awk -f pr3'
# KIND:PARAM:SCOPE.  time:P = at P% of the reference run time;
# grep_gone:P / first_gone:P = P% of it after that phase is seen.
POINTS="time:3:session grep_gone:0:pgrp time:15:tree time:30:session time:45:pgrp
	first_gone:0:session time:60:tree first_gone:10:tree time:75:session time:88:pgrp"

need_tools ckpt restart ckptinfo ckpt_billgen setsid grep sort awk timeout cmp
work=$(mktemp -d /tmp/ckpt-exhibit1.XXXXXX) || exit 1
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

# run_whole OUT ERR: one uninterrupted run; RUN_CS its duration,
# RUN_STATUS its exit status.
run_whole() {
	now_cs
	_t0=$NOW
	if ! start_job "$work/job" "$1" "$2" sh -c "$PIPELINE"; then
		echo "could not start the job in its own session" > "$2"
		RUN_STATUS=255
		return 1
	fi
	job_wait
	RUN_STATUS=$JOB_STATUS
	JOB=
	now_cs
	RUN_CS=$((NOW - _t0))
}

# 1. The reference: two uninterrupted runs must agree; enough data that
# a run takes several seconds.
bills=${CKPT_EXHIBIT1_BILLS:-24000}
min_cs=${CKPT_EXHIBIT1_MIN_CS:-400}
while :; do
	rm -rf "$work/job"
	if ! ckpt_billgen -b "$bills" "$work/job" > "$work/gen.log" 2>&1; then
		tap_not_ok "exhibit1: generate the bill records" "$work/gen.log"
		exit 1
	fi
	run_whole "$work/ref.out" "$work/ref.err"
	[ "$RUN_STATUS" != 0 ] || [ "$RUN_CS" -ge "$min_cs" ] || [ "$bills" -ge 384000 ] && break
	cs_to_s "$RUN_CS"
	tap_diag "$bills bills take ${S}s: doubling"
	bills=$((bills * 2))
done
REF_CS=$RUN_CS
REF_STATUS=$RUN_STATUS
tap_diag "$(cat "$work/gen.log")"
tap_diag "job: $PIPELINE"
run_whole "$work/ref2.out" "$work/ref2.err"
cs_to_s "$REF_CS"
ref_s=$S
cs_to_s "$RUN_CS"
name="exhibit1: two uninterrupted runs agree"
name="$name ($(wc -c < "$work/ref.out") bytes, ${ref_s}s and ${S}s)"
if [ "$REF_STATUS" != 0 ] || [ -s "$work/ref.err" ] || [ ! -s "$work/ref.out" ]; then
	echo "exit status $REF_STATUS" >> "$work/ref.err"
	tap_not_ok "$name" "$work/ref.err"
	exit 1
fi
cmp "$work/ref.out" "$work/ref2.out" > "$work/cmp.log" 2>&1
cmp "$work/ref.err" "$work/ref2.err" >> "$work/cmp.log" 2>&1
if [ "$RUN_STATUS" != "$REF_STATUS" ] || [ -s "$work/cmp.log" ]; then
	echo "exit status $RUN_STATUS" >> "$work/cmp.log"
	tap_not_ok "$name" "$work/cmp.log" "$work/ref2.err"
	exit 1
fi
tap_ok "$name"
# A restarted run gets this long before it counts as hung.
limit=$((REF_CS * 5 / 100 + 60))

# wait_phase KIND DEADLINE_CS: poll the job until it is in phase KIND;
# 1 if it ended or the deadline passed first.
wait_phase() {
	while :; do
		scan_session "$JOB"
		# forked stages still named sh have not exec'd yet
		case "$SCAN_LEAD" in
		*" sh "*) ;;
		*)
			case $1 in
			grep_gone)
				case "$SCAN_LEAD" in *" grep "*) ;; *" sort "*) return 0 ;; esac ;;
			first_gone)
				case "$SCAN_LEAD" in
				*" grep "*|*" sort "*) ;;
				*" awk "*) return 0 ;;
				esac
				;;
			esac
			;;
		esac
		case "$SCAN_SID_STATE" in ""|Z|X) return 1 ;; esac
		now_cs
		[ "$NOW" -lt "$2" ] || return 1
		sleep 0.02
	done
}

# point N KIND PARAM SCOPE: run the job, checkpoint and kill it at that
# point, restart the image, compare.
point() {
	n=$1 kind=$2 param=$3 scope=$4
	f=$work/p
	rm -f "$f".*
	now_cs
	t0=$NOW
	if ! start_job "$work/job" "$f.out" "$f.err" sh -c "$PIPELINE"; then
		tap_not_ok "exhibit1 point $n: start the job in its own session"
		return
	fi
	case $kind in
	time)
		now_cs
		d=$((t0 + REF_CS * param / 100 - NOW))
		[ $d -gt 0 ] && cs_to_s $d && sleep "$S"
		;;
	*)
		if ! wait_phase "$kind" $((t0 + REF_CS * 3)); then
			kill_session "$JOB"
			JOB=
			echo "last seen in the session:$SCAN_LIST" > "$work/seen"
			tap_not_ok "exhibit1 point $n: the job ended before phase $kind was seen" \
				"$work/seen"
			return
		fi
		if [ "$param" -gt 0 ]; then
			cs_to_s $((REF_CS * param / 100))
			sleep "$S"
		fi
		;;
	esac
	scan_session "$JOB"
	what=${SCAN_LIST# }
	now_cs
	cs_to_s $((NOW - t0))
	tap_diag "point $n: --$scope checkpoint at ${S}s ($kind $param) of [$what]"
	name="exhibit1 point $n: --$scope checkpoint at ${S}s ($kind $param) of [$what]"
	ckpt_cycle "$name: restarted output identical" "$scope" "$f" "$REF_STATUS" "$limit" \
		"$f.out=$work/ref.out" "$f.err=$work/ref.err"
}

i=0
for p in $POINTS; do
	i=$((i + 1))
	kind=${p%%:*}
	rest=${p#*:}
	point $i "$kind" "${rest%%:*}" "${rest#*:}"
done
tap_exit
