// SPDX-License-Identifier: GPL-2.0
/*
 * restart: restart a checkpointed process with restart(2).
 *
 *   restart [-f FILE] [--stopped] [--wait]
 *
 * The image is read from FILE or standard input.  The restored process,
 * with its original PID, is a child of this program; its PID is printed.
 * Exit status: 0 restarted (with --wait: the process's exit status, 128+N
 * if killed by signal N), 1 restart failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/checkpoint.h>

#include "ckpt_syscalls.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: restart [-f FILE] [--stopped] [--wait]\n"
		"Restart the process saved in FILE (default: standard input) as a\n"
		"child of this one, and print its PID.\n\n"
		"  -f, --file FILE  read the image from FILE (\"-\": standard input)\n"
		"  -s, --stopped    leave the process stopped (continue it with SIGCONT)\n"
		"  -w, --wait       wait for the process and exit with its status\n"
		"  -h, --help       show this help\n\n"
		"Exit status: 0 restarted (with --wait: the process's exit status,\n"
		"128+N if killed by signal N), 1 restart failed, 2 bad arguments.\n");
}

static const char *hint(int err)
{
	switch (err) {
	case EBUSY:
		return " (the image's PID is in use)";
	case EPERM:
		return " (needs CAP_CHECKPOINT_RESTORE, and no more privilege than the caller has)";
	case ENOEXEC:
		return " (not a valid image: ckptinfo(1) says why)";
	}
	return "";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "stopped", no_argument, NULL, 's' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL, *name = "standard input";
	unsigned int flags = 0;
	int c, fd = 0, err, logfd, do_wait = 0, status;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+f:swh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			flags |= RESTART_STOPPED;
			break;
		case 'w':
			do_wait = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (file && strcmp(file, "-")) {
		name = file;
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "restart: %s: %s\n", file, strerror(errno));
			return 1;
		}
	} else if (isatty(0)) {
		fprintf(stderr, "restart: will not read an image from a terminal: use -f FILE\n");
		return 2;
	}
	logfd = fcntl(2, F_GETFD) < 0 ? -1 : 2;

	pid = restart(fd, flags, logfd);
	if (pid < 0) {
		err = errno;
		fprintf(stderr, "restart: %s: %s%s\n", name, strerror(err), hint(err));
		return 1;
	}
	if (fd != 0)
		close(fd);
	printf("%d\n", pid);
	if (fflush(stdout))
		fprintf(stderr, "restart: writing the PID %d: %s\n", pid, strerror(errno));
	if (!do_wait)
		return 0;

	/* __WALL: the image may give the process another exit signal than SIGCHLD */
	while (waitpid(pid, &status, __WALL) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "restart: waiting for pid %d: %s\n", pid, strerror(errno));
			return 1;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
