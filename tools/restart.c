// SPDX-License-Identifier: GPL-2.0
/*
 * restart: restart a checkpointed process, or a whole job, with restart(2).
 *
 *   restart [-f FILE] [--stopped] [--new-pids] [--pidns] [--wait|--detach]
 *
 * The image is read from FILE or standard input.  The processes of the
 * job whose parent was outside it become children of this program; the
 * PID restart(2) returns (the process, tree root or group/session leader
 * that was checkpointed) is printed.
 *
 * When the job had the terminal in the foreground and restart(2) gave it
 * the caller's terminal, restart acts as a shell with a foreground job:
 * it waits for the job, takes the terminal back when the job is done or
 * stops, and exits with the job's status.  Otherwise it waits only with
 * --wait.
 *
 * With --pidns, restart(2) is called by the init of a new PID namespace
 * (and IPC namespace; for a caller other than root, of a new user
 * namespace too, mapping only its own user and group), where the job's
 * PIDs are free and the caller holds CAP_CHECKPOINT_RESTORE: an ordinary
 * user gets its job's original PIDs.  The PID printed is the one in that
 * namespace; restart waits, and the namespace ends with the job.
 *
 * Exit status: 0 restarted (when waiting: the exit status of the process
 * restart(2) returned, 128+N if killed by signal N, 128+N if the job was
 * stopped by signal N), 1 restart failed, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/checkpoint.h>

#include "ckpt_syscalls.h"

/* The caller's controlling terminal, as it was before restart(2) */
struct term {
	int fd;			/* -1: no controlling terminal */
	pid_t fg;		/* its foreground process group */
	int have_tio, have_ws;
	struct termios tio;
	struct winsize ws;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: restart [-f FILE] [--stopped] [--new-pids] [--pidns] [--wait|--detach]\n"
		"Restart the process or job saved in FILE (default: standard input)\n"
		"as children of this one, and print the PID of its first process.\n\n"
		"  -f, --file FILE  read the image from FILE (\"-\": standard input)\n"
		"  -s, --stopped    leave every process stopped (continue with SIGCONT)\n"
		"  -n, --new-pids   give new PIDs to processes whose PID is taken\n"
		"                   (each change is reported on standard error)\n"
		"  -p, --pidns      restart in a new PID namespace (and a user namespace\n"
		"                   of the caller's own, if it is not root), where the\n"
		"                   job gets its original PIDs; implies --wait\n"
		"  -w, --wait       wait for the job and exit with its status\n"
		"  -d, --detach     never wait: if the job got the terminal, take it\n"
		"                   back at once (the job goes on in the background)\n"
		"  -h, --help       show this help\n\n"
		"A job that had the terminal in the foreground gets this one's, and\n"
		"restart then waits for it as a shell would, until it ends or stops.\n\n"
		"Exit status: 0 restarted (when waiting: the first process's exit\n"
		"status, 128+N if killed or stopped by signal N), 1 restart failed,\n"
		"2 bad arguments.\n");
}

static const char *hint(int err)
{
	switch (err) {
	case EBUSY:
		return " (a PID of the image is in use: see --new-pids)";
	case EPERM:
		return " (the image needs more privilege than the caller has)";
	case ENOEXEC:
		return " (not a valid image: ckptinfo(1) says why)";
	}
	return "";
}

/* The name of a signal that stops a job */
static const char *stop_sig_name(int sig, char *buf, size_t size)
{
	switch (sig) {
	case SIGTSTP:
		return "SIGTSTP";
	case SIGSTOP:
		return "SIGSTOP";
	case SIGTTIN:
		return "SIGTTIN";
	case SIGTTOU:
		return "SIGTTOU";
	}
	snprintf(buf, size, "signal %d", sig);
	return buf;
}

/* Note the caller's controlling terminal, if it has one */
static void term_save(struct term *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->fd < 0)
		return;
	t->fg = tcgetpgrp(t->fd);
	t->have_tio = !tcgetattr(t->fd, &t->tio);
	t->have_ws = !ioctl(t->fd, TIOCGWINSZ, &t->ws);
}

/*
 * Give the terminal back to the group that had it (normally our own), with
 * the modes and size it had, as a shell does when its foreground job ends
 * or stops.  SIGTTOU is ignored: we are in the background until then.
 */
static void term_take_back(struct term *t)
{
	struct winsize ws;

	if (tcsetpgrp(t->fd, t->fg) < 0 && tcsetpgrp(t->fd, getpgrp()) < 0)
		fprintf(stderr, "restart: taking the terminal back: %s\n", strerror(errno));
	if (t->have_tio && tcsetattr(t->fd, TCSADRAIN, &t->tio) < 0)
		fprintf(stderr, "restart: restoring the terminal modes: %s\n", strerror(errno));
	if (t->have_ws && !ioctl(t->fd, TIOCGWINSZ, &ws) &&
	    (ws.ws_row != t->ws.ws_row || ws.ws_col != t->ws.ws_col))
		ioctl(t->fd, TIOCSWINSZ, &t->ws);
}

/* The exit status of restart for a wait status */
static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Wait for every child (the processes of the job whose parent was outside
 * it) until none is left.  With @fg_pgrp, the job has the terminal: the
 * wait ends when a child of that group stops, and *@stop_sig is set to
 * the signal.  Returns the exit status for restart: the status of @root,
 * or of the last child reaped if @root was not a child; 128 + the signal
 * if the job stopped.
 */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * --pidns: make the namespaces and fork their init.  Returns 0 in the
 * init, -1 on failure; the caller waits for the init and exits with its
 * status.
 */
static int enter_pidns(void)
{
	int flags = CLONE_NEWPID | CLONE_NEWIPC, status;
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	pid_t init;

	if (geteuid() != 0)
		flags |= CLONE_NEWUSER;
	if (unshare(flags)) {
		fprintf(stderr, "restart: --pidns: unshare: %s\n", strerror(errno));
		return -1;
	}
	if (flags & CLONE_NEWUSER) {
		snprintf(map, sizeof(map), "%u %u 1", (unsigned int)uid, (unsigned int)uid);
		if (write_file("/proc/self/uid_map", map) ||
		    write_file("/proc/self/setgroups", "deny")) {
			fprintf(stderr, "restart: --pidns: user id map: %s\n", strerror(errno));
			return -1;
		}
		snprintf(map, sizeof(map), "%u %u 1", (unsigned int)gid, (unsigned int)gid);
		if (write_file("/proc/self/gid_map", map)) {
			fprintf(stderr, "restart: --pidns: group id map: %s\n", strerror(errno));
			return -1;
		}
	}
	fflush(NULL);
	init = fork();
	if (init < 0) {
		fprintf(stderr, "restart: --pidns: fork: %s\n", strerror(errno));
		return -1;
	}
	if (!init)
		return 0;
	while (waitpid(init, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "restart: --pidns: waiting: %s\n", strerror(errno));
			exit(1);
		}
	}
	exit(exit_status(status));
}

static int wait_job(pid_t root, pid_t fg_pgrp, int *stop_sig)
{
	int status, root_status = -1, last_status = 0;
	pid_t w;

	for (;;) {
		/* __WALL: the image may give processes another exit signal than SIGCHLD */
		w = waitpid(-1, &status, __WALL | (fg_pgrp > 0 ? WUNTRACED : 0));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			fprintf(stderr, "restart: waiting for the job: %s\n", strerror(errno));
			return 1;
		}
		if (WIFSTOPPED(status)) {
			if (getpgid(w) != fg_pgrp)
				continue;
			*stop_sig = WSTOPSIG(status);
			return 128 + *stop_sig;
		}
		if (!WIFEXITED(status) && !WIFSIGNALED(status))
			continue;
		if (w == root)
			root_status = status;
		last_status = status;
	}
	return exit_status(root_status >= 0 ? root_status : last_status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "stopped", no_argument, NULL, 's' },
		{ "new-pids", no_argument, NULL, 'n' },
		{ "pidns", no_argument, NULL, 'p' },
		{ "wait", no_argument, NULL, 'w' },
		{ "detach", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL, *name = "standard input";
	unsigned int flags = 0;
	int c, fd = 0, err, logfd, do_wait = 0, detach = 0, ret, stop_sig = 0, pidns = 0;
	char sig[32];
	pid_t pid, fg, job_fg = 0;
	struct term term;

	while ((c = getopt_long(argc, argv, "+f:snpwdh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			flags |= RESTART_STOPPED;
			break;
		case 'n':
			flags |= RESTART_NEW_PIDS;
			break;
		case 'p':
			pidns = 1;
			break;
		case 'w':
			do_wait = 1;
			break;
		case 'd':
			detach = 1;
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
	if (do_wait && detach) {
		fprintf(stderr, "restart: --wait, --detach: choose one\n");
		return 2;
	}
	if (pidns && detach) {
		fprintf(stderr, "restart: --pidns waits for the job: not with --detach\n");
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
	if (pidns) {
		if (enter_pidns())
			return 1;
		do_wait = 1;	/* the init: the namespace ends with the job */
	}
	logfd = fcntl(2, F_GETFD) < 0 ? -1 : 2;
	term_save(&term);

	pid = restart(fd, flags, logfd);
	if (pid < 0) {
		err = errno;
		fprintf(stderr, "restart: %s: %s%s\n", name, strerror(err), hint(err));
		return 1;
	}
	if (fd != 0)
		close(fd);
	/*
	 * The job may now have our terminal, with its TOSTOP: writing to it
	 * must not stop us (the restored processes have their own handlers).
	 */
	signal(SIGTTOU, SIG_IGN);

	/* Did restart(2) give our terminal to a process group of the job? */
	if (term.fd >= 0) {
		fg = tcgetpgrp(term.fd);
		if (fg > 0 && fg != term.fg && fg != getpgrp())
			job_fg = fg;
	}
	printf("%d\n", pid);
	if (fflush(stdout))
		fprintf(stderr, "restart: writing the PID %d: %s\n", pid, strerror(errno));

	/* A stopped job cannot use the terminal: leave it in the background */
	if (job_fg && (detach || (flags & RESTART_STOPPED))) {
		term_take_back(&term);
		job_fg = 0;
	}
	if (!job_fg && !do_wait)
		return 0;
	ret = wait_job(pid, job_fg, &stop_sig);
	if (!job_fg)
		return ret;
	term_take_back(&term);
	if (stop_sig)
		fprintf(stderr, "restart: job stopped by %s; continue it with kill -CONT -%d\n",
			stop_sig_name(stop_sig, sig, sizeof(sig)), (int)job_fg);
	return ret;
}
