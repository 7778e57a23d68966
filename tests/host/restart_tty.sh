#!/bin/sh
# Host test: the restart tool's handling of a restored job, with and
# without the terminal.  restart(2) itself needs the patched kernel, so
# tests/host/fake_restart.c (LD_PRELOAD) leaves a job the way restart(2)
# does: children of the tool, in their own process group, given the
# caller's terminal (a pseudo-terminal here) with other modes when FAKE_FG
# is set.  Checked: restart waits for every child, exits with the first
# process's status (128+N for a signal or a stop), and gives the terminal
# back, with its modes, when the job ends or stops.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-gcc}
cflags="-O2 -g -Wall -Wextra -Wno-unused-parameter -I$top/include/uapi -I$top/tools/include"
n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

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

echo "TAP version 13"

# shellcheck disable=SC2086
if ! $CC $cflags -o "$tmp/restart" "$top/tools/restart.c" > "$tmp/log" 2>&1 ||
   ! $CC $cflags -shared -fPIC -o "$tmp/fake_restart.so" "$top/tests/host/fake_restart.c" \
	>> "$tmp/log" 2>&1; then
	not_ok build_restart_and_fake "$tmp/log"
	echo "1..$n"
	exit 1
fi
ok build_restart_and_fake

if ! command -v python3 > /dev/null 2>&1; then
	skip restart_tests "no python3"
	echo "1..$n"
	exit 0
fi
if ! python3 -c 'import os; os.openpty()' > /dev/null 2>&1; then
	skip restart_tests "no pseudo-terminals"
	echo "1..$n"
	exit 0
fi

# in_pty SHELL-COMMAND: run it as the session leader of a new
# pseudo-terminal, with "fake" meaning the restart tool on the fake
# restart(2); after it, print whether the shell has the terminal in the
# foreground and whether ECHO is on.  Output (tty and all) in $tmp/out.
in_pty() {
	cat > "$tmp/cmd" <<EOF
fake() { LD_PRELOAD="$tmp/fake_restart.so" "$tmp/restart" -f /dev/null "\$@"; }
$1
echo "rc=\$?"
python3 -c 'import os, termios; print("fg=%s echo=%s" % (os.tcgetpgrp(0) == os.getpgrp(), bool(termios.tcgetattr(0)[3] & termios.ECHO)))'
EOF
	python3 - "$tmp/cmd" > "$tmp/out" 2>&1 <<'EOF'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", sys.argv[1]])
out = b""
end = time.time() + 20
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
    else:
        w, st = os.waitpid(pid, os.WNOHANG)
        if w:
            break
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
EOF
}

# check NAME SHELL-COMMAND PATTERN...: every extended regexp is in the output
check() {
	name=$1 cmd=$2
	shift 2
	in_pty "$cmd"
	for pat in "$@"; do
		if ! grep -Eq -- "$pat" "$tmp/out"; then
			{ echo "want: $pat"; echo "command: $cmd"; cat "$tmp/out"; } > "$tmp/why"
			not_ok "$name" "$tmp/why"
			return
		fi
	done
	ok "$name"
}

check fg_job_exit_status "FAKE_FG=1 FAKE_JOB=exit:7 fake" \
	'^rc=7$' '^fg=True echo=True$'
check fg_job_tostop "FAKE_FG=1 FAKE_TOSTOP=1 FAKE_JOB=exit:9 fake" \
	'^[0-9]+$' '^rc=9$' '^fg=True echo=True$'
check fg_job_killed "FAKE_FG=1 FAKE_JOB=term fake" \
	'^rc=143$' '^fg=True echo=True$'
check fg_job_stopped "FAKE_FG=1 FAKE_JOB=stop fake" \
	'job stopped by SIGTSTP; continue it with kill -CONT -[0-9]+' '^rc=148$' \
	'^fg=True echo=True$'
check fg_job_waits_for_all_children "FAKE_FG=1 FAKE_JOB=two:3 fake" \
	'^second done$' '^rc=3$' '^fg=True echo=True$'
# the order: the second child is waited for before restart exits
if grep -A1 '^second done$' "$tmp/out" | grep -q '^rc=3$'; then
	ok fg_job_second_child_before_exit
else
	not_ok fg_job_second_child_before_exit "$tmp/out"
fi
check fg_job_detach "FAKE_FG=1 FAKE_JOB=two:0 fake --detach" \
	'^rc=0$' '^fg=True echo=True$'
check fg_job_restarted_stopped "FAKE_FG=1 FAKE_JOB=exit:4 fake --stopped" \
	'flags 0x1$' '^rc=0$' '^fg=True echo=True$'
check new_pids_flag "FAKE_JOB=exit:0 fake --new-pids" 'flags 0x2$' '^rc=0$'
check no_terminal_no_wait "FAKE_JOB=exit:5 fake" '^rc=0$' '^fg=True'
check no_terminal_wait "FAKE_JOB=exit:5 fake --wait" '^rc=5$'
check no_terminal_wait_all "FAKE_JOB=two:6 fake --wait" '^second done$' '^rc=6$'
check wait_and_detach 'FAKE_JOB=exit:0 fake --wait --detach' \
	'restart: --wait, --detach: choose one' '^rc=2$'

echo "1..$n"
[ $fails = 0 ]
