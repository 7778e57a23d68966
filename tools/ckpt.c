// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt: checkpoint a process with checkpoint(2).
 *
 *   ckpt [--continue|--stop|--kill] [-o FILE] PID
 *
 * The image goes to FILE, or to standard output (never to a terminal).
 * Exit status: 0 image written, 1 checkpoint failed, 2 usage error.
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
		"Usage: ckpt [--continue|--stop|--kill] [-o FILE] PID\n"
		"Checkpoint process PID: write its image to FILE or standard output.\n\n"
		"  -c, --continue     let the process run on afterwards (default)\n"
		"  -s, --stop         leave it stopped, as SIGSTOP would\n"
		"  -k, --kill         kill it once the image is complete\n"
		"  -o, --output FILE  write the image to FILE (created with mode 0600)\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0 image written, 1 checkpoint failed (the kernel's\n"
		"reasons are on standard error), 2 bad arguments.\n");
}

static const char *hint(int err)
{
	switch (err) {
	case EPERM:
		return " (ptrace access to the process is needed)";
	case EBUSY:
		return " (the process is being traced or checkpointed)";
	case EINTR:
		return " (the process runs on unchanged)";
	case ENOSPC:
	case EPIPE:
	case EIO:
		return " (writing the image failed; the process runs on unchanged)";
	}
	return "";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "continue", no_argument, NULL, 'c' },
		{ "stop", no_argument, NULL, 's' },
		{ "kill", no_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, fd, err, logfd, is_reg = 0, action = -1, next;
	const char *out = NULL;
	struct sigaction sa;
	struct stat st;
	char *end;
	long pid;

	while ((c = getopt_long(argc, argv, "+csko:h", opts, NULL)) != -1) {
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
	errno = 0;
	pid = strtol(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || pid <= 0 || pid > 0x7fffffff) {
		fprintf(stderr, "ckpt: %s: not a valid PID\n", argv[optind]);
		return 2;
	}
	if (action < 0)
		action = CKPT_CONTINUE;

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
	 * A signal interrupts checkpoint(2) with EINTR, leaving the process
	 * as it was; remove the partial image before dying of it.  A reader
	 * that goes away makes it fail with EPIPE instead of killing us.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (checkpoint((pid_t)pid, fd, action, logfd) < 0) {
		err = errno;
		if (is_reg)
			unlink(out);
		fprintf(stderr, "ckpt: pid %ld: %s%s\n", pid, strerror(err), hint(err));
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
