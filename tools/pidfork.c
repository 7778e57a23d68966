// SPDX-License-Identifier: GPL-2.0
/*
 * pidfork: run a command with a chosen PID.
 *
 *   pidfork [--no-wait] PID COMMAND [ARG...]
 *
 * Exit status: the command's exit status (128+N if killed by signal N),
 * 125 if pidfork(2) failed, 126/127 if the command could not be run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt_syscalls.h"

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: pidfork [--no-wait] PID COMMAND [ARG...]\n"
		"Run COMMAND as a child process whose PID is exactly PID.\n\n"
		"  -n, --no-wait  print the child's PID and exit without waiting\n"
		"  -h, --help     show this help\n\n"
		"Exit status: COMMAND's status (128+N if killed by signal N),\n"
		"125 if the PID could not be had, 126/127 if COMMAND could not run.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-wait", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int nowait = 0, c, status;
	char *end;
	long want;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nowait = 1;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 125;
		}
	}
	if (argc - optind < 2) {
		print_help(stderr);
		return 125;
	}
	errno = 0;
	want = strtol(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || want <= 0 || want > 0x7fffffff) {
		fprintf(stderr, "pidfork: %s: not a valid PID\n", argv[optind]);
		return 125;
	}

	fflush(NULL);
	pid = pidfork((pid_t)want);
	if (pid < 0) {
		int err = errno;

		fprintf(stderr, "pidfork: PID %ld: %s%s\n", want, strerror(err),
			err == EEXIST ? " (in use by a process, group or session)" :
			err == EPERM ? " (needs CAP_CHECKPOINT_RESTORE)" : "");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "pidfork: %s: %s\n", argv[optind + 1], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (nowait) {
		printf("%d\n", pid);
		return 0;
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("pidfork: waitpid");
		return 125;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
