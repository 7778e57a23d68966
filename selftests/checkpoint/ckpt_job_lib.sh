# SPDX-License-Identifier: GPL-2.0
# Helpers for the script selftests of whole-job checkpoint/restart
# (ckpt_exhibit1_test.sh, ckpt_shjob_test.sh), sourced, not run: busybox
# sh, TAP output as scripts/check-results counts it, jobs started in their
# own session, and the tools ckpt, restart, ckptinfo.
#
# Variables the tests read: TAP_N (tests reported), TAP_FAILS.

TAP_N=0
TAP_FAILS=0
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# The tools: the guest installs them in ../tools next to the selftests.
ckpt_lib_dir=$(cd "$(dirname "$0")" && pwd)
for d in "${CKPT_TOOLS:-}" "$ckpt_lib_dir/../tools" /opt/ckpt/tools; do
	[ -n "$d" ] && [ -x "$d/ckpt" ] && PATH=$d:$PATH && break
done
export PATH

tap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# Skip the whole test, as one skipped result (scripts/check-results counts
# "ok N ... # SKIP" lines), with the kselftest skip status.
tap_skip_all() {
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 ${0##*/} # SKIP $1"
	exit $KSFT_SKIP
}

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $1"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $1 # SKIP $2"
}

# tap_not_ok NAME [FILE...]: the files' last lines go out as diagnostics
tap_not_ok() {
	local f
	TAP_N=$((TAP_N + 1))
	TAP_FAILS=$((TAP_FAILS + 1))
	echo "not ok $TAP_N $1"
	shift
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "# --- ${f##*/}:"
		tail -n 15 "$f" | sed 's/^/#   /'
	done
}

tap_diag() {
	echo "# $*"
}

tap_exit() {
	[ "$TAP_FAILS" = 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# need_tools TOOL...: skip the whole test when one is missing.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" > /dev/null 2>&1 ||
			tap_skip_all "$t not found (the guest has it in /opt/ckpt/tools)"
	done
}

# need_checkpoint DIR: skip the whole test if the kernel has no checkpoint(2).
need_checkpoint() {
	local probe
	sleep 30 < /dev/null > /dev/null 2>&1 &
	probe=$!
	ckpt --continue -o "$1/probe.img" "$probe" > "$1/probe.log" 2>&1
	kill -9 "$probe" 2> /dev/null
	wait "$probe" 2> /dev/null
	rm -f "$1/probe.img"
	if grep -q "Function not implemented" "$1/probe.log"; then
		tap_skip_all "this kernel has no checkpoint(2)"
	fi
}

# now_cs: NOW = uptime in centiseconds (no fork).
now_cs() {
	local _up _idle _frac
	read -r _up _idle < /proc/uptime
	_frac=${_up#*.}
	_frac=${_frac#0}
	NOW=$((${_up%.*} * 100 + _frac))
}

# cs_to_s CS: S = "seconds.hundredths", for sleep(1) and messages.
cs_to_s() {
	S=$(($1 / 100)).$(($1 % 100 / 10))$(($1 % 10))
}

# scan_session SID: what is in session SID now.
#   SCAN_N     processes (zombies included)
#   SCAN_LIST  their names (in /proc order), a zombie as NAME(Z), a
#              stopped process as NAME(T)
#   SCAN_PIDS  their PIDs
#   SCAN_LEAD  names of the live children of SID (the pipeline's stages),
#              each as " NAME "
#   SCAN_SID_STATE  the state letter of process SID itself, empty if gone
# Builtins only: it is called in polling loops.
scan_session() {
	local _f _pid _comm _state _ppid _pgrp _sid _rest
	SCAN_N=0
	SCAN_LIST=
	SCAN_PIDS=
	SCAN_LEAD=
	SCAN_SID_STATE=
	for _f in /proc/[0-9]*/stat; do
		read -r _pid _comm _state _ppid _pgrp _sid _rest 2> /dev/null < "$_f" || continue
		[ "$_sid" = "$1" ] || continue
		_comm=${_comm#(}
		_comm=${_comm%)}
		SCAN_N=$((SCAN_N + 1))
		SCAN_PIDS="$SCAN_PIDS $_pid"
		[ "$_pid" = "$1" ] && SCAN_SID_STATE=$_state
		case $_state in
		Z|X) SCAN_LIST="$SCAN_LIST $_comm(Z)" ;;
		T|t) SCAN_LIST="$SCAN_LIST $_comm(T)" ;;
		*)
			SCAN_LIST="$SCAN_LIST $_comm"
			[ "$_ppid" = "$1" ] && SCAN_LEAD="$SCAN_LEAD $_comm "
			;;
		esac
	done
}

# wait_session_gone SID SECONDS: wait until no process (not even a zombie)
# of session SID is left, so that restart(2) finds its PIDs free.
wait_session_gone() {
	local _n
	_n=$(($2 * 20))
	while [ $_n -gt 0 ]; do
		scan_session "$1"
		[ "$SCAN_N" = 0 ] && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}

# kill_session SID: SIGKILL everything left in session SID, reap its
# leader if it is our child, and wait (up to 10 s) until all are gone.
kill_session() {
	local _k
	[ -n "$1" ] || return 0
	_k=0
	while [ $_k -lt 100 ]; do
		scan_session "$1"
		[ "$SCAN_N" = 0 ] && return 0
		# shellcheck disable=SC2086
		kill -9 $SCAN_PIDS 2> /dev/null
		wait "$1" 2> /dev/null
		sleep 0.1
		_k=$((_k + 1))
	done
	return 1
}

# start_job DIR OUT ERR COMMAND...: run COMMAND in DIR in a new session,
# stdin from /dev/null, stdout to OUT, stderr to ERR; JOB = its PID,
# which is also its session and process group id.  Returns 1 (JOB empty)
# if it did not become a session leader (setsid forked: the caller is a
# process group leader).
start_job() {
	local _dir _out _err _n _pid _comm _state _ppid _pgrp _sid _rest
	_dir=$1 _out=$2 _err=$3
	shift 3
	(cd "$_dir" && exec setsid "$@") < /dev/null > "$_out" 2> "$_err" &
	JOB=$!
	# setsid(2) happens after the fork: wait for it
	_n=200
	while [ $_n -gt 0 ]; do
		read -r _pid _comm _state _ppid _pgrp _sid _rest 2> /dev/null \
			< "/proc/$JOB/stat" || break
		[ "$_sid" = "$JOB" ] && [ "$_comm" != "(setsid)" ] && return 0
		sleep 0.01
		_n=$((_n - 1))
	done
	# It finished already (a tiny job) or never became a leader.
	if [ -e "/proc/$JOB" ] && [ "$_sid" != "$JOB" ]; then
		kill -9 "$JOB" 2> /dev/null
		wait "$JOB" 2> /dev/null
		JOB=
		return 1
	fi
	return 0
}

# job_wait: wait for JOB (our child) to exit and reap it; JOB_STATUS =
# its exit status (128+N: killed by signal N).
job_wait() {
	# (ash says "Killed" on stderr for a job killed by a signal)
	wait "$JOB" 2> /dev/null
	JOB_STATUS=$?
}

# wait_job_exit SECONDS: wait up to SECONDS for JOB (our child) to exit,
# then reap it as job_wait does.  1 if it is still there (left alone).
wait_job_exit() {
	local _n _pid _comm _state _rest
	_n=$(($1 * 20))
	while [ $_n -gt 0 ]; do
		# gone: the shell has reaped it already, wait still knows its status
		read -r _pid _comm _state _rest 2> /dev/null < "/proc/$JOB/stat" || break
		[ "$_state" = Z ] && break
		sleep 0.05
		_n=$((_n - 1))
	done
	[ $_n -gt 0 ] || return 1
	job_wait
}

# ckpt_cycle NAME SCOPE PREFIX WANT_STATUS LIMIT GOT=WANT...
# The checkpoint/restart cycle of a job, as one TAP result NAME:
# checkpoint JOB (our child, a session leader) with ckpt --kill --SCOPE
# into PREFIX.img; it must die of SIGKILL with all its session; ckptinfo
# must accept the image; restart --wait must give back the same PID and,
# within LIMIT seconds, the exit status WANT_STATUS; nothing of the
# session may be left; then every file GOT must be identical to its WANT.
# A checkpoint that fails because the job had already ended on its own,
# with all its files right, is a skip.  Leaves JOB empty.
ckpt_cycle() {
	local _name _scope _f _want _limit _rc _same _p _rpid _got _exp _np _nz
	_name=$1 _scope=$2 _f=$3 _want=$4 _limit=$5
	shift 5
	: > "$_f.why"
	timeout 120 ckpt --kill "--$_scope" -o "$_f.img" "$JOB" > "$_f.ckpt" 2>&1
	_rc=$?
	if [ $_rc != 0 ]; then
		scan_session "$JOB"
		# ended by itself (the leader reaped, or a zombie, alone)?
		if [ "$SCAN_N" = 0 ] || { [ "$SCAN_N" = 1 ] && [ "$SCAN_SID_STATE" = Z ]; }; then
			job_wait
			_same=1
			for _p in "$@"; do
				cmp -s "${_p%%=*}" "${_p#*=}" || _same=0
			done
			if [ "$JOB_STATUS" = "$_want" ] && [ $_same = 1 ]; then
				JOB=
				tap_skip "$_name" "the job ended before the checkpoint"
				return 0
			fi
		fi
		echo "ckpt exit status $_rc" >> "$_f.ckpt"
		kill_session "$JOB"
		JOB=
		tap_not_ok "$_name" "$_f.ckpt"
		return 1
	fi
	if ! wait_job_exit 20; then
		scan_session "$JOB"
		echo "ckpt --kill succeeded but the job still runs 20s later:$SCAN_LIST" > "$_f.why"
		kill_session "$JOB"
		JOB=
		tap_not_ok "$_name" "$_f.why" "$_f.ckpt"
		return 1
	fi
	if [ "$JOB_STATUS" != 137 ]; then
		# A race, not a bug, if the job had ended (only zombies saved)
		ckptinfo "$_f.img" > "$_f.info" 2>&1
		_np=$(sed -n 's/^job: .* processes=\([0-9]*\) .*/\1/p' "$_f.info")
		_nz=$(sed -n 's/^job: .* zombies=\([0-9]*\).*/\1/p' "$_f.info")
		_same=1
		for _p in "$@"; do
			cmp -s "${_p%%=*}" "${_p#*=}" || _same=0
		done
		if [ -n "$_np" ] && [ "$_np" = "$_nz" ] && [ "$JOB_STATUS" = "$_want" ] &&
				[ $_same = 1 ]; then
			kill_session "$JOB"
			JOB=
			_why="the job ended as it was checkpointed (only zombies saved)"
			tap_skip "$_name" "$_why"
			return 0
		fi
		echo "ckpt --kill succeeded, but the job's leader exited" \
			"with status $JOB_STATUS, not 137 (SIGKILL)" > "$_f.why"
		kill_session "$JOB"
		JOB=
		tap_not_ok "$_name" "$_f.why" "$_f.ckpt"
		return 1
	fi
	if ! wait_session_gone "$JOB" 10; then
		echo "after the kill, still in the session:$SCAN_LIST" > "$_f.why"
		kill_session "$JOB"
		JOB=
		tap_not_ok "$_name" "$_f.why"
		return 1
	fi
	if ckptinfo "$_f.img" > "$_f.info" 2>&1; then
		tap_diag "image $(wc -c < "$_f.img") bytes; $(grep '^summary:' "$_f.info")"
	else
		echo "ckptinfo rejects the image:" >> "$_f.why"
		tail -n 5 "$_f.info" >> "$_f.why"
	fi

	timeout "$_limit" restart --wait -f "$_f.img" > "$_f.rpid" 2> "$_f.rst"
	_rc=$?
	_rpid=$(head -n 1 "$_f.rpid")
	if [ "$_rpid" != "$JOB" ]; then
		echo "restart printed pid '$_rpid', want $JOB (the leader, same PID)" >> "$_f.why"
	fi
	if [ $_rc = 124 ] || [ $_rc = 143 ]; then
		scan_session "$JOB"
		echo "the restarted job did not finish within ${_limit}s:$SCAN_LIST" >> "$_f.why"
	elif [ $_rc != "$_want" ]; then
		echo "restart --wait: status $_rc, the uninterrupted run's was $_want" >> "$_f.why"
	fi
	if ! wait_session_gone "$JOB" 10; then
		echo "after the restarted job ended, still in the session:$SCAN_LIST" >> "$_f.why"
	fi
	kill_session "$JOB"
	JOB=
	for _p in "$@"; do
		_got=${_p%%=*}
		_exp=${_p#*=}
		if ! cmp "$_exp" "$_got" >> "$_f.why" 2>&1; then
			echo "${_got##*/} differs from the uninterrupted run's ${_exp##*/}:" \
				"$(wc -c < "$_got") bytes, want $(wc -c < "$_exp")" >> "$_f.why"
			[ "$(wc -c < "$_got")" -lt 400 ] && sed 's/^/  got: /' "$_got" >> "$_f.why"
		fi
	done
	rm -f "$_f.img"
	if [ -s "$_f.why" ]; then
		tap_not_ok "$_name" "$_f.why" "$_f.rst"
		return 1
	fi
	tap_ok "$_name"
}
