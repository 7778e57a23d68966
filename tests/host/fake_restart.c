// SPDX-License-Identifier: GPL-2.0
/*
 * fake_restart.so: stands in for the kernel's restart(2) when
 * tests/host/restart_tty.sh runs the restart tool on a kernel without it
 * (LD_PRELOAD; the tool calls restart(2) through syscall(3)).
 *
 * It leaves things as restart(2) does for a job: the job's processes are
 * children of the caller, in a process group of their own, and when FAKE_FG
 * is set, that group is the foreground group of the caller's terminal,
 * which has the job's saved modes (ECHO off here, and TOSTOP on with
 * FAKE_TOSTOP: then a write to it from outside the job stops the writer
 * unless SIGTTOU is ignored).  FAKE_JOB says what the
 * job then does:
 *
 *   exit:N    one process, exits with status N
 *   two:N     two processes; the first exits with N at once, the second
 *             prints "second done" 300 ms later and exits with 0
 *   stop      one process, stopped by SIGTSTP (as by Control-Z)
 *   term      one process, killed by SIGTERM
 *
 * With RESTART_STOPPED, the processes stop (SIGSTOP) first.  The flags are
 * printed on standard error as "fake restart: flags 0x..".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <linux/checkpoint.h>

#define NR_RESTART 465

/* What a restored process does */
static void run(const char *job, int second, unsigned int flags)
{
	if (flags & RESTART_STOPPED)
		raise(SIGSTOP);
	if (second) {
		usleep(300000);
		printf("second done\n");
		fflush(stdout);
		_exit(0);
	}
	if (!strncmp(job, "exit:", 5) || !strncmp(job, "two:", 4))
		_exit(atoi(strchr(job, ':') + 1));
	if (!strcmp(job, "stop")) {
		raise(SIGTSTP);
		_exit(0);
	}
	if (!strcmp(job, "term"))
		raise(SIGTERM);
	_exit(99);
}

static pid_t start(const char *job, pid_t pgrp, int second, unsigned int flags, int go[2])
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		setpgid(0, pgrp);
		/* wait until the "kernel" is done with the terminal */
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(98);
		run(job, second, flags);
	}
	if (pid > 0)
		setpgid(pid, pgrp ? pgrp : pid);
	return pid;
}

static pid_t fake_restart(unsigned int flags)
{
	const char *job = getenv("FAKE_JOB") ? getenv("FAKE_JOB") : "exit:0";
	int tty = -1, go[2];
	struct termios t;
	pid_t root;

	fprintf(stderr, "fake restart: flags 0x%x\n", flags);
	if (pipe(go) < 0)
		return -1;
	root = start(job, 0, 0, flags, go);
	if (root < 0)
		return -1;
	if (!strncmp(job, "two:", 4) && start(job, root, 1, flags, go) < 0)
		return -1;
	if (getenv("FAKE_FG"))
		tty = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (tty >= 0) {
		if (!tcgetattr(tty, &t)) {
			t.c_lflag &= ~ECHO;
			if (getenv("FAKE_TOSTOP"))
				t.c_lflag |= TOSTOP;
			tcsetattr(tty, TCSANOW, &t);
		}
		if (tcsetpgrp(tty, root) < 0)
			perror("fake restart: tcsetpgrp");
		close(tty);
	}
	close(go[0]);
	close(go[1]);
	return root;
}

long syscall(long nr, ...)
{
	unsigned int flags;
	va_list ap;

	if (nr != NR_RESTART) {
		errno = ENOSYS;
		return -1;
	}
	va_start(ap, nr);
	va_arg(ap, int);			/* fd */
	flags = va_arg(ap, unsigned int);
	va_end(ap);
	return fake_restart(flags);
}
