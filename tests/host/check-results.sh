#!/bin/sh
# Host test: scripts/check-results must pass a clean run and fail every
# kind of bad run (failed test, crashed binary, splat, missing end marker).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

tap_ok='ckpt-guest: selftest a_test
TAP version 13
1..3
ok 1 t.one
ok 2 t.two
ok 3 t.three # SKIP not here
ckpt-guest: exit a_test 0'

# expect NAME WANT_STATUS WANT_SUMMARY RESULTS CONSOLE
expect() {
	n=$((n + 1))
	printf '%s\n' "$4" > "$tmp/r"
	printf '%s\n' "$5" > "$tmp/c"
	out=$("$top/scripts/check-results" "$tmp/r" "$tmp/c" "$tmp/counts" 2>&1)
	st=$?
	if [ "$st" != "$2" ] || ! printf '%s\n' "$out" | grep -qx "guest: $3"; then
		echo "not ok $n $1 (status $st, want $2; want 'guest: $3')"
		printf '%s\n' "$out" | sed 's/^/#   /'
		fails=$((fails + 1))
	else
		echo "ok $n $1"
	fi
}

echo "TAP version 13"
echo "1..9"
boot='[    0.000000] Linux version 6.12.117
[    1.000000] Run /init as init process'
expect clean_run_passes 0 "2 passed, 0 failed, 1 skipped" "$tap_ok
ckpt-guest: done status=0" "$boot"
expect failed_test_fails 1 "1 passed, 1 failed, 0 skipped" "ckpt-guest: selftest b
ok 1 x
not ok 2 y
ckpt-guest: exit b 1
ckpt-guest: done status=1" "$boot"
expect crashed_binary_counts_as_failure 1 "1 passed, 1 failed, 0 skipped" "ckpt-guest: selftest c
ok 1 x
ckpt-guest: exit c 139
ckpt-guest: done status=1" "$boot"
expect timed_out_binary_counts_as_failure 1 "0 passed, 1 failed, 0 skipped" "ckpt-guest: selftest d
ckpt-guest: exit d 124
ckpt-guest: done status=1" "$boot"
expect missing_end_marker_fails 1 "2 passed, 1 failed, 1 skipped" "$tap_ok" "$boot"
expect warn_splat_fails_passing_run 1 "2 passed, 1 failed, 1 skipped" "$tap_ok
ckpt-guest: done status=0" "$boot
[   12.345678] WARNING: CPU: 1 PID: 77 at kernel/checkpoint/x.c:10 f+0x1/0x2"
expect kasan_splat_fails 1 "2 passed, 1 failed, 1 skipped" "$tap_ok
ckpt-guest: done status=0" "$boot
[    9.1] BUG: KASAN: slab-use-after-free in foo+0x10/0x20"
expect lockdep_splat_fails 1 "2 passed, 1 failed, 1 skipped" "$tap_ok
ckpt-guest: done status=0" "$boot
[    9.1] WARNING: possible circular locking dependency detected"
expect hung_task_fails 1 "2 passed, 1 failed, 1 skipped" "$tap_ok
ckpt-guest: done status=0" "$boot
[  200.0] INFO: task restart:99 blocked for more than 120 seconds."
[ $fails = 0 ]
