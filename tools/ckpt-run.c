// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-run: run a command as a job that a signal checkpoints, and resume
 * it from its image on the next run.
 *
 *   ckpt-run [--on SIG[,SIG...]] [--to FILE] [--scope process|pgrp|session|tree]
 *            [--continue] [--keep] [--fresh] [--quiet] -- CMD [ARG...]
 *
 * If FILE (default ./ckpt-run.ckpt) exists, the job saved in it is
 * restarted with restart(2) and CMD is not run; otherwise CMD is run,
 * armed so that each --on signal (default SIGUSR1) checkpoints its job
 * into FILE: the child sets its checkpoint scope and image name with
 * prctl(PR_SET_CKPT_SCOPE, PR_SET_CKPT_PATTERN) and the signals'
 * disposition to SIG_CKPT_KILL (the job is saved, then ends) or, with
 * --continue, SIG_CKPT (it runs on), which execve() keeps.
 *
 * ckpt-run stays the job's parent and a child subreaper, and passes the
 * --on signals it receives, and SIGTERM, SIGINT and SIGHUP, to the job's
 * first process: a batch system that signals only its batch shell, which
 * runs ckpt-run, reaches the job.
 *
 * Exit status: 75 (EX_TEMPFAIL) the job was checkpointed to FILE: run
 * again to resume; otherwise the job's: its first process's exit status,
 * FILE being removed unless --keep (a finished job is not resumed), or
 * 128+N if it was killed by signal N, FILE (an earlier image) kept; 1
 * ckpt-run's own error (restart failed...), 2 usage error, 126 CMD not
 * executable, 127 CMD not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/checkpoint.h>

#include "ckpt_syscalls.h"

/* Older headers than the kernel's: the checkpoint dispositions and prctl()s */
#ifndef SIG_CKPT
#define SIG_CKPT	((void (*)(int))3)	/* checkpoint the job, it runs on */
#endif
#ifndef SIG_CKPT_KILL
#define SIG_CKPT_KILL	((void (*)(int))4)	/* checkpoint the job, then it ends */
#endif
#ifndef CLD_CKPTED
#define CLD_CKPTED	7	/* ended by SIG_CKPT_KILL after a complete image */
#endif
#ifndef PR_SET_CKPT_SCOPE
#define PR_SET_CKPT_SCOPE	0x434b5001
#endif
#ifndef PR_SET_CKPT_PATTERN
#define PR_SET_CKPT_PATTERN	0x434b5003
#endif

#define EX_CHECKPOINTED	75	/* EX_TEMPFAIL: run again to resume */
#define PATTERN_MAX	127	/* the kernel's limit on an image name pattern */
#define GRACE_MS	2000	/* for what the job leaves, once its root has ended */

/* What the child tells the parent before exec, through a close-on-exec pipe */
enum child_step { STEP_PGRP, STEP_SCOPE, STEP_PATTERN, STEP_SIGACTION, STEP_EXEC };

struct child_err {
	int step;
	int err;
	int sig;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckpt-run [--on SIG[,SIG...]] [--to FILE] [--scope process|pgrp|session|tree]\n"
		"                [--continue] [--keep] [--fresh] [--quiet] -- CMD [ARG...]\n"
		"Run CMD as a job that the signals SIG checkpoint into FILE; if FILE\n"
		"exists, resume the job saved in it instead.\n\n"
		"  -o, --on SIG[,SIG...]  the signals that checkpoint the job: names (USR1,\n"
		"                     SIGUSR1, usr1) or numbers (default: USR1)\n"
		"  -t, --to FILE      the image (default: ./ckpt-run.ckpt)\n"
		"  -s, --scope SCOPE  what is saved: tree (CMD and its descendants, the\n"
		"                     default), pgrp (CMD runs in a new process group),\n"
		"                     session (in a new session), process (the process\n"
		"                     the signal reaches)\n"
		"  -c, --continue     the job runs on after each checkpoint (default: it\n"
		"                     is saved and ends)\n"
		"  -k, --keep         keep FILE when the job exits\n"
		"  -f, --fresh        run CMD even if FILE exists\n"
		"  -q, --quiet        no messages but errors\n"
		"  -h, --help         show this help\n\n"
		"SIGTERM, SIGINT, SIGHUP and the SIG signals that ckpt-run receives are\n"
		"passed on to the job.\n\n"
		"Exit status: 75 checkpointed (run again to resume); else the job's\n"
		"(exit status, FILE removed unless --keep; or 128+N if killed by\n"
		"signal N, FILE kept);\n"
		"1 ckpt-run failed (e.g. restart), 2 bad arguments, 126 CMD not\n"
		"executable, 127 CMD not found.\n");
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int bad_scope(const char *scope)
{
	fprintf(stderr, "ckpt-run: --scope %s: process, pgrp, session or tree\n", scope);
	return 2;
}

/* "SIGUSR1", or "signal 40" */
static const char *sig_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "signal %d", sig);
	return buf;
}

/* A signal by name (with or without SIG, any case) or number; 0 if none */
static int parse_sig(const char *s)
{
	const char *abbrev;
	char *end;
	long n;
	int sig;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || *end || n < 1 || n >= NSIG)
			return 0;
		return (int)n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (sig = 1; sig < NSIG; sig++) {
		abbrev = sigabbrev_np(sig);
		if (abbrev && !strcasecmp(s, abbrev))
			return sig;
	}
	if (!strcasecmp(s, "POLL"))
		return SIGIO;
	return 0;
}

/* Add the signals of the comma-separated @list to @set; 0, or 2 for a bad one */
static int parse_sigs(char *list, sigset_t *set)
{
	char *tok, *save = NULL;
	int sig, n = 0;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		sig = parse_sig(tok);
		if (!sig) {
			fprintf(stderr, "ckpt-run: --on %s: not a signal\n", tok);
			return 2;
		}
		if (sig == SIGKILL || sig == SIGSTOP) {
			fprintf(stderr, "ckpt-run: --on %s: SIGKILL and SIGSTOP cannot be caught\n",
				tok);
			return 2;
		}
		if (sig == SIGCHLD) {
			fprintf(stderr, "ckpt-run: --on %s: ckpt-run needs SIGCHLD for itself\n",
				tok);
			return 2;
		}
		sigaddset(set, sig);
		n++;
	}
	if (!n) {
		fprintf(stderr, "ckpt-run: --on: no signal given\n");
		return 2;
	}
	return 0;
}

/*
 * @file as an absolute name (the job may change its directory); a
 * leading "./" is dropped.  NULL (with a message) if it does not fit.
 */
static char *absolute(const char *file)
{
	char cwd[PATH_MAX], *abs;

	while (file[0] == '.' && file[1] == '/')
		for (file += 2; *file == '/'; file++)
			;
	if (file[0] == '/')
		return strdup(file);
	if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "ckpt-run: the current directory: %s\n", strerror(errno));
		return NULL;
	}
	if (asprintf(&abs, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", file) < 0)
		return NULL;
	return abs;
}

/* The kernel's image name pattern for @file: every '%' doubled */
static char *pattern_of(const char *file)
{
	size_t n = strlen(file), i, j;
	char *p;

	for (i = 0; file[i]; i++)
		n += file[i] == '%';
	p = malloc(n + 1);
	if (!p)
		return NULL;
	for (i = 0, j = 0; file[i]; i++) {
		p[j++] = file[i];
		if (file[i] == '%')
			p[j++] = '%';
	}
	p[j] = '\0';
	return p;
}

/* Can the job create the image beside @file?  Say why not. */
static int check_dir(const char *file)
{
	char *dir = strdup(file), *slash;
	int ret = 0;

	if (!dir)
		return -1;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (access(dir, W_OK | X_OK) < 0) {
		fprintf(stderr, "ckpt-run: %s: %s (the image goes there)\n", dir,
			strerror(errno));
		ret = -1;
	}
	free(dir);
	return ret;
}

static const char *restart_hint(int err)
{
	switch (err) {
	case EPERM:
		return " (the image needs more privilege than ckpt-run has)";
	case ENOEXEC:
		return " (not a valid image: ckptinfo(1) says why; --fresh starts over)";
	}
	return "";
}

/* Copy what the kernel logged to @logfd to standard error */
static void print_log(int logfd)
{
	char buf[4096];
	ssize_t n;

	if (logfd < 0 || lseek(logfd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(logfd, buf, sizeof(buf))) > 0)
		if (write(2, buf, n) < 0)
			break;
}

/*
 * Restart the job saved in @file as our child: with its own PIDs, or if
 * one is taken, with new ones.  Returns the PID restart(2) gives, or -1.
 */
static pid_t resume(const char *file, int quiet)
{
	unsigned int flags = 0;
	int fd, logfd, err;
	pid_t pid;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ckpt-run: %s: %s\n", file, strerror(errno));
		return -1;
	}
	/* A file, not a pipe: restart(2) may log more than a pipe holds */
	logfd = memfd_create("ckpt-run-log", MFD_CLOEXEC);
	for (;;) {
		pid = restart(fd, flags, logfd);
		if (pid >= 0 || errno != EBUSY || (flags & RESTART_NEW_PIDS))
			break;
		/* A PID of the image is in use: again, with new PIDs */
		flags |= RESTART_NEW_PIDS;
		if (lseek(fd, 0, SEEK_SET) < 0 ||
		    (logfd >= 0 && (ftruncate(logfd, 0) < 0 || lseek(logfd, 0, SEEK_SET) < 0))) {
			fprintf(stderr, "ckpt-run: %s: %s\n", file, strerror(errno));
			close(fd);
			return -1;
		}
	}
	err = errno;
	close(fd);
	if (pid < 0) {
		print_log(logfd);
		fprintf(stderr, "ckpt-run: restarting %s: %s%s\n", file, strerror(err),
			restart_hint(err));
	} else if (!quiet) {
		print_log(logfd);	/* warnings, the PIDs changed */
		fprintf(stderr, "ckpt-run: resumed from %s%s\n", file,
			(flags & RESTART_NEW_PIDS) ? " (with new PIDs)" : "");
	}
	if (logfd >= 0)
		close(logfd);
	return pid;
}

/*
 * In the child: arm the checkpoint and exec @argv.  Whatever fails is
 * written to @errfd and the child exits; the parent says what it was.
 */
static void child(char **argv, int errfd, unsigned int scope, const char *pattern,
		  const sigset_t *on, void (*disp)(int), const sigset_t *orig_mask)
{
	struct child_err ce = { 0 };
	struct sigaction sa;
	sigset_t mask;
	int sig;

	if (scope == CKPT_PGRP && setpgid(0, 0) < 0) {
		ce.step = STEP_PGRP;
		goto fail;
	}
	if (scope == CKPT_SESSION && setsid() < 0) {
		ce.step = STEP_PGRP;
		goto fail;
	}
	if (prctl(PR_SET_CKPT_SCOPE, (unsigned long)scope, 0UL, 0UL, 0UL) < 0) {
		ce.step = STEP_SCOPE;
		goto fail;
	}
	if (prctl(PR_SET_CKPT_PATTERN, (unsigned long)pattern, 0UL, 0UL, 0UL) < 0) {
		ce.step = STEP_PATTERN;
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = disp;
	mask = *orig_mask;
	for (sig = 1; sig < NSIG; sig++) {
		if (sigismember(on, sig) != 1)
			continue;
		if (sigaction(sig, &sa, NULL) < 0) {
			ce.step = STEP_SIGACTION;
			ce.sig = sig;
			goto fail;
		}
		sigdelset(&mask, sig);
	}
	/*
	 * From here a signal that reached us directly checkpoints this
	 * process as it is, about to exec; the parent passes its own on
	 * only after the exec.
	 */
	sigprocmask(SIG_SETMASK, &mask, NULL);
	execvp(argv[0], argv);
	ce.step = STEP_EXEC;
fail:
	ce.err = errno;
	if (write(errfd, &ce, sizeof(ce)) < 0)
		_exit(1);
	_exit(ce.step == STEP_EXEC ? (ce.err == ENOENT ? 127 : 126) : 1);
}

/* What went wrong in the child before or at exec; ckpt-run's exit status */
static int child_failed(const struct child_err *ce, const char *cmd)
{
	char buf[32];

	switch (ce->step) {
	case STEP_PGRP:
		fprintf(stderr, "ckpt-run: a new process group or session: %s\n",
			strerror(ce->err));
		return 1;
	case STEP_SCOPE:
		fprintf(stderr, "ckpt-run: prctl(PR_SET_CKPT_SCOPE): %s%s\n", strerror(ce->err),
			ce->err == EINVAL ? " (this kernel has no checkpoint by signal)" : "");
		return 1;
	case STEP_PATTERN:
		fprintf(stderr, "ckpt-run: prctl(PR_SET_CKPT_PATTERN): %s\n", strerror(ce->err));
		return 1;
	case STEP_SIGACTION:
		fprintf(stderr, "ckpt-run: sigaction(%s): %s\n",
			sig_name(ce->sig, buf, sizeof(buf)), strerror(ce->err));
		return 1;
	}
	fprintf(stderr, "ckpt-run: %s: %s\n", cmd, strerror(ce->err));
	return ce->err == ENOENT ? 127 : 126;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* The state of the wait for the job */
struct job {
	pid_t root;		/* the job's first process, our child */
	int root_done;		/* it has been reaped: root_si is its end */
	siginfo_t root_si;
	int any_done;		/* some child has been reaped: last_si */
	siginfo_t last_si;
};

/*
 * Reap every child that has ended (the root, and what the job left to us
 * as subreaper).  Returns 1 if children remain, 0 if none, -1 on error.
 */
static int reap(struct job *job)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		/* __WALL: a restored process may have another exit signal */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				return 0;
			fprintf(stderr, "ckpt-run: waiting for the job: %s\n", strerror(errno));
			return -1;
		}
		if (!si.si_pid)
			return 1;
		if (si.si_pid == job->root) {
			job->root_si = si;
			job->root_done = 1;
		}
		job->last_si = si;
		job->any_done = 1;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "on", required_argument, NULL, 'o' },
		{ "to", required_argument, NULL, 't' },
		{ "scope", required_argument, NULL, 's' },
		{ "continue", no_argument, NULL, 'c' },
		{ "keep", no_argument, NULL, 'k' },
		{ "fresh", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const int also_fwd[] = { SIGTERM, SIGINT, SIGHUP };
	const char *to = "ckpt-run.ckpt";
	char *file, *pattern, buf[32];
	int c, ret, sfd, pipefd[2], cont = 0, keep = 0, fresh = 0, quiet = 0;
	int have_on = 0, remaining, exists;
	unsigned int scope = CKPT_TREE;
	sigset_t all, orig_mask, on, fwd, mask;
	struct signalfd_siginfo ssi;
	struct child_err ce;
	struct sigaction old;
	struct job job;
	struct stat st;
	struct pollfd pfd;
	long deadline = 0, left;
	ssize_t n;
	size_t i;
	int sig;

	/* Until the job exists, signals wait: then they are passed on. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &orig_mask);
	sigemptyset(&on);

	while ((c = getopt_long(argc, argv, "+o:t:s:ckfqh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			ret = parse_sigs(optarg, &on);
			if (ret)
				return ret;
			have_on = 1;
			break;
		case 't':
			to = optarg;
			break;
		case 's':
			if (!strcmp(optarg, "tree"))
				scope = CKPT_TREE;
			else if (!strcmp(optarg, "pgrp"))
				scope = CKPT_PGRP;
			else if (!strcmp(optarg, "session"))
				scope = CKPT_SESSION;
			else if (!strcmp(optarg, "process"))
				scope = CKPT_PROCESS;
			else
				return bad_scope(optarg);
			break;
		case 'c':
			cont = 1;
			break;
		case 'k':
			keep = 1;
			break;
		case 'f':
			fresh = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ckpt-run: no command given\n");
		usage(stderr);
		return 2;
	}
	if (!*to) {
		fprintf(stderr, "ckpt-run: --to: empty file name\n");
		return 2;
	}
	if (!have_on)
		sigaddset(&on, SIGUSR1);

	file = absolute(to);
	if (!file)
		return 1;
	pattern = pattern_of(file);
	if (!pattern)
		return 1;
	if (strlen(pattern) > PATTERN_MAX) {
		fprintf(stderr,
			"ckpt-run: %s: the image's absolute name is longer than the kernel's %d characters (a '%%' counts twice)\n",
			file, PATTERN_MAX);
		return 2;
	}
	exists = stat(file, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ckpt-run: %s: not a regular file\n", file);
		return 1;
	}
	if ((!exists || fresh) && check_dir(file) < 0)
		return 1;

	/*
	 * The signals passed on to the job: the --on ones, and SIGTERM,
	 * SIGINT and SIGHUP unless we were started with them ignored (as
	 * by nohup, or for a background command of a shell).  They and
	 * SIGCHLD stay blocked and are read from a signalfd.
	 */
	fwd = on;
	for (i = 0; i < ARRAY_SIZE(also_fwd); i++) {
		if (sigaction(also_fwd[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaddset(&fwd, also_fwd[i]);
	}
	mask = fwd;
	sigaddset(&mask, SIGCHLD);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "ckpt-run: signalfd: %s\n", strerror(errno));
		return 1;
	}
	/* Everything else as it was */
	sigorset(&mask, &mask, &orig_mask);
	sigprocmask(SIG_SETMASK, &mask, NULL);

	/* Orphans of the job come to us, to be reaped */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) < 0)
		fprintf(stderr, "ckpt-run: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));

	memset(&job, 0, sizeof(job));
	if (exists && !fresh) {
		job.root = resume(file, quiet);
		if (job.root < 0)
			return 1;
	} else {
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			fprintf(stderr, "ckpt-run: pipe: %s\n", strerror(errno));
			return 1;
		}
		fflush(NULL);
		job.root = fork();
		if (job.root < 0) {
			fprintf(stderr, "ckpt-run: fork: %s\n", strerror(errno));
			return 1;
		}
		if (job.root == 0) {
			close(sfd);
			close(pipefd[0]);
			child(argv + optind, pipefd[1], scope, pattern, &on,
			      cont ? SIG_CKPT : SIG_CKPT_KILL, &orig_mask);
		}
		close(pipefd[1]);
		/* End of file: the exec happened; else what failed */
		do
			n = read(pipefd[0], &ce, sizeof(ce));
		while (n < 0 && errno == EINTR);
		close(pipefd[0]);
		if (n == sizeof(ce)) {
			while (waitpid(job.root, NULL, 0) < 0 && errno == EINTR)
				;
			return child_failed(&ce, argv[optind]);
		}
	}

	/* Pass signals on, and reap, until the job's first process has ended */
	remaining = 1;
	pfd.fd = sfd;
	pfd.events = POLLIN;
	for (;;) {
		remaining = reap(&job);
		if (remaining < 0)
			return 1;
		if (!remaining)
			break;
		if (job.root_done) {
			/* What the job left: wait a little for it, not forever */
			if (!deadline)
				deadline = now_ms() + GRACE_MS;
			left = deadline - now_ms();
			if (left <= 0)
				break;
			if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
				fprintf(stderr, "ckpt-run: poll: %s\n", strerror(errno));
				return 1;
			}
			if (!(pfd.revents & POLLIN))
				continue;
		}
		n = read(sfd, &ssi, sizeof(ssi));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(ssi)) {
			fprintf(stderr, "ckpt-run: reading signals: %s\n",
				n < 0 ? strerror(errno) : "short read");
			return 1;
		}
		sig = (int)ssi.ssi_signo;
		if (sig == SIGCHLD || job.root_done)
			continue;
		/*
		 * The terminal's SIGINT went to our whole process group: a
		 * job in it (scope tree or process) has it already.
		 */
		if (sig == SIGINT && ssi.ssi_code == SI_KERNEL &&
		    (scope == CKPT_TREE || scope == CKPT_PROCESS))
			continue;
		if (kill(job.root, sig) < 0 && errno != ESRCH)
			fprintf(stderr, "ckpt-run: passing %s on to pid %d: %s\n",
				sig_name(sig, buf, sizeof(buf)), (int)job.root, strerror(errno));
	}
	if (remaining > 0 && !quiet)
		fprintf(stderr, "ckpt-run: not waiting for the processes the job left running\n");

	if (!job.root_done) {
		/* restart(2)'s first process was not our child: the last one */
		if (!job.any_done) {
			fprintf(stderr, "ckpt-run: the job's end was not seen\n");
			return 1;
		}
		job.root_si = job.last_si;
	}
	if (job.root_si.si_code == CLD_CKPTED) {
		if (!quiet)
			fprintf(stderr, "ckpt-run: job checkpointed to %s (signal %s);"
				" run again to resume\n", file,
				sig_name(job.root_si.si_status, buf, sizeof(buf)));
		return EX_CHECKPOINTED;
	}

	/*
	 * A job that exited is finished and not to be resumed; one that was
	 * killed keeps its last image (of --continue, or the one it was
	 * resumed from), to be resumed from there.
	 */
	if (job.root_si.si_code == CLD_EXITED) {
		if (!keep && unlink(file) < 0 && errno != ENOENT)
			fprintf(stderr, "ckpt-run: removing %s: %s\n", file, strerror(errno));
		return job.root_si.si_status;
	}
	sig = job.root_si.si_status;
	if (sigismember(&on, sig) == 1 && !quiet)
		fprintf(stderr,
			"ckpt-run: job killed by %s: its checkpoint failed (the kernel log says why)\n",
			sig_name(sig, buf, sizeof(buf)));
	return 128 + sig;
}
