// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt: checkpoint a process, or a whole job, with checkpoint(2).
 *
 *   ckpt [--continue|--stop|--kill] [--pgrp|--session|--tree]
 *        [--outside-pipes-broken] [--file-locks] [--digest=xxh64|sha256]
 *        [--no-cow] [-o FILE] ID
 *
 * ID is a PID (a process with all its threads, or with --tree the process
 * and all its descendants), a process group ID (--pgrp) or a session ID
 * (--session).  The image goes to FILE, or to standard output (never to a
 * terminal).  The image ends with a digest of itself: xxh64 unless
 * --digest=sha256 asks for SHA-256 (CKPT_DIGEST_SHA256).  A job that
 * runs on is frozen only while its state is captured, unless --no-cow
 * (CKPT_NO_COW) keeps it frozen until the image is written.  Exit status:
 * 0 image written, 1 checkpoint failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/checkpoint.h>

#include "ckpt_syscalls.h"

static sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckpt [--continue|--stop|--kill] [--pgrp|--session|--tree]\n"
		"            [--outside-pipes-broken] [--file-locks] [--digest=xxh64|sha256]\n"
		"            [--no-cow] [-o FILE] ID\n"
		"Checkpoint a process, or a whole job: write its image to FILE or\n"
		"standard output.  ID is a PID unless --pgrp or --session is given.\n\n"
		"What happens to the job afterwards:\n"
		"  -c, --continue     let it run on (default)\n"
		"  -s, --stop         leave it stopped, as SIGSTOP would\n"
		"  -k, --kill         kill it once the image is complete\n\n"
		"What the job is (default: process ID, with all its threads):\n"
		"  -g, --pgrp         the process group ID\n"
		"  -S, --session      the session ID\n"
		"  -t, --tree         process ID and all its descendants\n\n"
		"  -b, --outside-pipes-broken\n"
		"                     save a pipe that a process outside the job also\n"
		"                     holds as if the outside ends were closed, instead\n"
		"                     of failing\n"
		"  -l, --file-locks   save the job's file locks (fcntl, OFD, flock) and\n"
		"                     take them back at restart, instead of failing\n"
		"  -d, --digest=NAME  the digest the image ends with: xxh64 (default)\n"
		"                     or sha256 (slower; detects edits, not only\n"
		"                     corruption)\n"
		"  -n, --no-cow       keep a job that runs on frozen until its image\n"
		"                     is written (default: only while its state is\n"
		"                     captured, its memory then copy-on-write)\n"
		"  -o, --output FILE  write the image to FILE (created with mode 0600)\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0 image written, 1 checkpoint failed (the kernel's\n"
		"reasons are on standard error), 2 bad arguments.\n");
}

static const char *hint(int err, unsigned int scope)
{
	switch (err) {
	case EPERM:
		return " (ptrace access to every process of the job is needed)";
	case EBUSY:
		return " (a process is traced, checkpointed, or shares an object outside the job)";
	case EINTR:
		return " (the job runs on unchanged)";
	case EINVAL:
		if (scope != CKPT_PROCESS)
			return " (ckpt must not be a member of the job it checkpoints)";
		break;
	case ESRCH:
		return scope == CKPT_PGRP ? " (no such process group)" :
		       scope == CKPT_SESSION ? " (no such session)" : " (no such process)";
	case ETIMEDOUT:
		return " (a task did not stop in time; the job runs on unchanged)";
	case ENOSPC:
	case EPIPE:
	case EIO:
		return " (writing the image failed; the job runs on unchanged)";
	}
	return "";
}

/* What ID names, for messages */
static const char *id_name(unsigned int scope)
{
	switch (scope) {
	case CKPT_PGRP:
		return "process group";
	case CKPT_SESSION:
		return "session";
	case CKPT_TREE:
		return "tree of pid";
	}
	return "pid";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "continue", no_argument, NULL, 'c' },
		{ "stop", no_argument, NULL, 's' },
		{ "kill", no_argument, NULL, 'k' },
		{ "pgrp", no_argument, NULL, 'g' },
		{ "session", no_argument, NULL, 'S' },
		{ "tree", no_argument, NULL, 't' },
		{ "outside-pipes-broken", no_argument, NULL, 'b' },
		{ "file-locks", no_argument, NULL, 'l' },
		{ "digest", required_argument, NULL, 'd' },
		{ "no-cow", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, fd, err, logfd, is_reg = 0, action = -1, scope = -1, next;
	unsigned int flags = 0;
	const char *out = NULL;
	struct sigaction sa;
	struct stat st;
	char *end;
	long pid;

	while ((c = getopt_long(argc, argv, "+cskgStbld:no:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
		case 's':
		case 'k':
			next = c == 'c' ? CKPT_CONTINUE : c == 's' ? CKPT_STOP : CKPT_KILL;
			if (action >= 0 && action != next) {
				fprintf(stderr, "ckpt: --continue, --stop, --kill: choose one\n");
				return 2;
			}
			action = next;
			break;
		case 'g':
		case 'S':
		case 't':
			next = c == 'g' ? CKPT_PGRP : c == 'S' ? CKPT_SESSION : CKPT_TREE;
			if (scope >= 0 && scope != next) {
				fprintf(stderr, "ckpt: --pgrp, --session, --tree: choose one\n");
				return 2;
			}
			scope = next;
			break;
		case 'b':
			flags |= CKPT_OUTSIDE_PIPES_BROKEN;
			break;
		case 'l':
			flags |= CKPT_FILE_LOCKS;
			break;
		case 'd':
			if (!strcmp(optarg, "sha256")) {
				flags |= CKPT_DIGEST_SHA256;
			} else if (!strcmp(optarg, "xxh64")) {
				flags &= ~CKPT_DIGEST_SHA256;
			} else {
				fprintf(stderr,
					"ckpt: --digest: %s: unknown digest (xxh64 or sha256)\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			flags |= CKPT_NO_COW;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if (action < 0)
		action = CKPT_CONTINUE;
	if (scope < 0)
		scope = CKPT_PROCESS;
	flags |= action | scope;
	errno = 0;
	pid = strtol(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || pid <= 0 || pid > 0x7fffffff) {
		fprintf(stderr, "ckpt: %s: not a valid %s\n", argv[optind],
			scope == CKPT_PGRP ? "process group ID" :
			scope == CKPT_SESSION ? "session ID" : "PID");
		return 2;
	}

	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "ckpt: %s: %s\n", out, strerror(errno));
			return 1;
		}
		is_reg = !fstat(fd, &st) && S_ISREG(st.st_mode);
	} else {
		fd = 1;
		out = "standard output";
		if (isatty(fd)) {
			fprintf(stderr, "ckpt: not writing an image to a terminal: use -o\n");
			return 2;
		}
	}
	logfd = fcntl(2, F_GETFD) < 0 ? -1 : 2;

	/*
	 * A signal interrupts checkpoint(2) with EINTR, leaving the job as it
	 * was; remove the partial image before dying of it.  A reader that
	 * goes away makes it fail with EPIPE instead of killing us.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (checkpoint((pid_t)pid, fd, flags, logfd) < 0) {
		err = errno;
		if (is_reg)
			unlink(out);
		fprintf(stderr, "ckpt: %s %ld: %s%s\n", id_name(scope), pid, strerror(err),
			hint(err, scope));
		if (caught) {
			signal(caught, SIG_DFL);
			raise(caught);
		}
		return 1;
	}
	/* The image is complete; with --kill it is the only copy: keep it. */
	if (is_reg && (fsync(fd) || close(fd))) {
		fprintf(stderr, "ckpt: %s: %s: the image may be incomplete\n", out,
			strerror(errno));
		return 1;
	}
	return 0;
}
