// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint by signal: the SIG_CKPT and SIG_CKPT_KILL dispositions, and
 * the prctl()s that go with them (scope, image name pattern, checkpoint
 * notification and critical sections).
 *
 * A process that sets SIG_CKPT as the disposition of a signal has its job
 * (itself, its process group, its session or the tree anchored where
 * PR_SET_CKPT_SCOPE chose CKPT_TREE) checkpointed by the thread that
 * receives the signal, to a file named by its pattern (or the sysctl
 * kernel.checkpoint_pattern), and runs on; SIG_CKPT_KILL then ends every
 * process of the job as if killed by the signal, which its parent sees
 * as CLD_CKPTED.  Here:
 *
 *  - the prctl()s check their arguments; scope and pattern are copied at
 *    fork, the notification signal is not;
 *  - SIG_CKPT: the image appears under the pattern's name, complete, mode
 *    0600 less the umask, owned by the process's user, with nothing named
 *    *.part left; the process runs on (its counter advances); a read()
 *    the signal interrupted is restarted, not EINTR; the image restarts
 *    to the state at the signal, the disposition with it;
 *  - SIG_CKPT_KILL: waitid() and a SIGCHLD handler see CLD_CKPTED with the
 *    signal, wait4() WIFSIGNALED with it (no core flag), and the image is
 *    in place by then; RLIMIT_CPU's SIGXCPU can be the signal;
 *  - the pattern's specifiers (%p %P %u %g %s %t %h %e %%, '/' in a name
 *    becoming '!'), the sysctl's default "%e.%p.ckpt" relative to the
 *    working directory, and PR_SET_CKPT_PATTERN(NULL) going back to it;
 *  - a symlink at the final name is replaced, not written through, and a
 *    reader polling the final name only ever finds a complete image;
 *  - a process that is not dumpable, a pattern into a missing directory
 *    and a job the checkpoint refuses (a flock() held) get no image and
 *    the signal's default action (CLD_KILLED), with a line in the kernel
 *    log where the kernel's own rate limit allows it to be checked;
 *  - dispositions, scope and pattern survive execve() so that a wrapper
 *    can arm a program, the notification signal does not; a setuid exec
 *    resets them all;
 *  - a process group signalled at once (kill(-pgid)) gives one image of
 *    the whole group, each time; a signal to a grandchild in a CKPT_TREE
 *    scope saves the tree, SIG_CKPT_KILL ends all of it, and restart(2)
 *    brings the three processes back;
 *  - the notification (driven by checkpoint(2)): SI_CKPT_PENDING, answers
 *    PR_CKPT_READY and PR_CKPT_NOT_NOW (EAGAIN), no answer within
 *    kernel.checkpoint_notify_timeout_ms (a warning), a critical section
 *    the checkpoint waits for (the image shows what the section did), and
 *    one longer than the timeout (EAGAIN).
 *
 * Children report through pipes that they close before any checkpoint (a
 * pipe shared with a process outside the job is refused), or through
 * their memory, which the test reads with /proc/PID/mem.  No verdict
 * depends on how fast the guest is, only the time-outs do.
 *
 * SIGUSR2 belongs to the harness (ckpt_test.h): the signals used here are
 * SIGUSR1 (checkpoint, and notification), SIGWINCH and SIGXCPU.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <grp.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/*
 * The harness' TEST_F() wrapper keeps the pid of the test process it
 * forks in a variable that a failed ASSERT_*()'s longjmp() may clobber;
 * -Wextra warns about it in every test.  The teardown is the parent's
 * kind, so that it runs whatever happened.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

/* The ABI of the series, for headers that do not have it yet. */
#ifndef SIG_CKPT
#define SIG_CKPT		((void (*)(int))3)
#endif
#ifndef SIG_CKPT_KILL
#define SIG_CKPT_KILL		((void (*)(int))4)
#endif
#ifndef CLD_CKPTED
#define CLD_CKPTED		7
#endif
#ifndef SI_CKPT_PENDING
#define SI_CKPT_PENDING		(-8)
#endif
#ifndef SI_CKPT_RESTARTED
#define SI_CKPT_RESTARTED	(-9)
#endif
#ifndef PR_SET_CKPT_SCOPE
#define PR_SET_CKPT_SCOPE	0x434b5001
#endif
#ifndef PR_GET_CKPT_SCOPE
#define PR_GET_CKPT_SCOPE	0x434b5002
#endif
#ifndef PR_SET_CKPT_PATTERN
#define PR_SET_CKPT_PATTERN	0x434b5003
#endif
#ifndef PR_GET_CKPT_PATTERN
#define PR_GET_CKPT_PATTERN	0x434b5004
#endif
#ifndef PR_SET_CKPT_NOTIFY
#define PR_SET_CKPT_NOTIFY	0x434b5005
#endif
#ifndef PR_GET_CKPT_NOTIFY
#define PR_GET_CKPT_NOTIFY	0x434b5006
#endif
#ifndef PR_CKPT_READY
#define PR_CKPT_READY		0x434b5007
#endif
#ifndef PR_CKPT_NOT_NOW
#define PR_CKPT_NOT_NOW		0x434b5008
#endif
#ifndef PR_CKPT_BLOCK
#define PR_CKPT_BLOCK		0x434b5009
#endif
#ifndef PR_CKPT_UNBLOCK
#define PR_CKPT_UNBLOCK		0x434b500a
#endif

/* A pattern's size, its NUL included (the kernel's CKPT_PATTERN_MAX). */
#define PATTERN_SIZE		128

#define PATTERN_SYSCTL		"/proc/sys/kernel/checkpoint_pattern"
#define TIMEOUT_SYSCTL		"/proc/sys/kernel/checkpoint_notify_timeout_ms"
#define DEFAULT_PATTERN		"%e.%p.ckpt"

/* The notification timeout the tests set, and the least time it takes. */
#define SHORT_TIMEOUT_MS	300
#define SHORT_TIMEOUT_MIN_MS	280	/* a jiffy of rounding */

/* How long an image may take to appear (a debug kernel under TCG). */
#define IMAGE_WAIT_MS		60000

/* The signal the notification tests register. */
#define NOTIFY_SIG		SIGUSR1

#define NOBODY			65534

/* Arguments that re-executed copies of this program recognise. */
#define EXEC_LOOP_ARG		"--sigckpt-exec-loop"
#define EXEC_REPORT_ARG		"--sigckpt-exec-report"
#define EXEC_MAGIC		0x53434b50u
#define EXEC_FAILED		120	/* exit status: preparing or exec failed */

/* --------------------------------------------------------------------
 * Helpers
 */

/* The test's directory and the pattern children use; globals, inherited. */
static char sd_dir[64];
static char sd_pattern[PATTERN_SIZE];

/* The kselftest preamble, and the prctl()s must exist. */
static bool sig_preamble(struct __test_metadata *_metadata)
{
	if (!ckpt_preamble(_metadata))
		return false;
	if (prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0) < 0)
		SKIP(return false, "PR_GET_CKPT_SCOPE: %s: no SIG_CKPT in this kernel",
		     strerror(errno));
	return true;
}

/* sd_pattern = "<sd_dir>/<name>"; asserts nothing, the caller checks the length. */
static void set_pattern(const char *name)
{
	snprintf(sd_pattern, sizeof(sd_pattern), "%s/%s", sd_dir, name);
}

/* sigaction(@sig) with the plain disposition @how (SIG_CKPT...). */
static int arm(int sig, void (*how)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = how;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* In a child: @how for @sig, and sd_pattern as the pattern. */
static void child_arm(int code, int sig, void (*how)(int))
{
	CHILD_CHECK(code, !arm(sig, how), "sigaction(%d): %s", sig, strerror(errno));
	CHILD_CHECK(code, !prctl(PR_SET_CKPT_PATTERN, (unsigned long)sd_pattern, 0, 0, 0),
		    "PR_SET_CKPT_PATTERN %s: %s", sd_pattern, strerror(errno));
}

/* The signal mask @field ("SigCgt", "SigPnd"...) of @pid (0: self). */
static uint64_t status_mask(pid_t pid, const char *field)
{
	char buf[64];

	if (ckpt_status_field(pid, field, buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 16);
}

/* Does @pid (0: self) catch @sig, SigCgt counting SIG_CKPT too? */
static bool catches(pid_t pid, int sig)
{
	return status_mask(pid, "SigCgt") & (1ULL << (sig - 1));
}

/* Is @sig pending for @pid, on its own queue or its process's? */
static bool sig_pending(pid_t pid, int sig)
{
	return (status_mask(pid, "SigPnd") | status_mask(pid, "ShdPnd")) &
	       (1ULL << (sig - 1));
}

/* Wait up to @ms for @path to be a regular file (lstat: not a symlink). */
static int wait_file(const char *path, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	struct stat st;

	for (;;) {
		if (!lstat(path, &st) && S_ISREG(st.st_mode))
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("%s did not appear within %u ms", path, ms);
			return -1;
		}
		ckpt_sleep_ms(5);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Entries of @dir whose name starts with @prefix (NULL: any), *.part
 * ones apart: they go to *@parts (if not NULL), the others are counted
 * and the last one's name goes to @name (if not NULL).  -1 on an error.
 */
static int count_entries(const char *dir, const char *prefix, int *parts,
			 char *name, size_t size)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (parts)
		*parts = 0;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (prefix && strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (ends_with(de->d_name, ".part")) {
			ckpt_msg("%s/%s", dir, de->d_name);
			if (parts)
				(*parts)++;
			continue;
		}
		if (name)
			snprintf(name, size, "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* Wait up to @ms for an entry (not *.part) starting with @prefix in @dir. */
static int wait_entry(const char *dir, const char *prefix, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;

	for (;;) {
		if (count_entries(dir, prefix, NULL, NULL, 0) > 0)
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("no %s%s* within %u ms", dir, prefix, ms);
			return -1;
		}
		ckpt_sleep_ms(5);
	}
}

/*
 * The image in @fd is complete: a header, and a trailer whose length
 * and digest are those of everything before it.  Its header goes to
 * @hdr.  0, or -1 (and why).
 */
static int image_check_fd(int fd, struct ckpt_rec_header *hdr)
{
	size_t len = 0;
	void *img;
	int ret;

	if (ckpt_image_header(fd, hdr)) {
		ckpt_msg("no image header");
		return -1;
	}
	img = ckpt_image_load(fd, &len);
	if (!img) {
		ckpt_msg("image unreadable");
		return -1;
	}
	ret = ckpt_image_verify(img, len);
	free(img);
	return ret;
}

static int image_check(const char *path, struct ckpt_rec_header *hdr)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ckpt_msg("%s: %s", path, strerror(errno));
		return -1;
	}
	ret = image_check_fd(fd, hdr);
	close(fd);
	return ret;
}

/*
 * waitid() for the end of @pid, for up to @ms, into @si; WNOWAIT if
 * @keep.  Retries while @pid is not (yet) our child: an orphan comes to
 * a subreaper.  0 or -1.
 */
static int wait_end(pid_t pid, siginfo_t *si, bool keep, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;

	for (;;) {
		memset(si, 0, sizeof(*si));
		if (!waitid(P_PID, pid, si, WEXITED | WNOHANG | __WALL | (keep ? WNOWAIT : 0)) &&
		    si->si_pid == pid)
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("%d did not end within %u ms (state %c)", (int)pid, ms,
				 ckpt_proc_state(pid) ?: '?');
			return -1;
		}
		ckpt_sleep_ms(10);
	}
}

/* Is @pid still running: not ended, not waitable? */
static bool still_running(pid_t pid)
{
	siginfo_t si;
	char st;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) || si.si_pid)
		return false;
	st = ckpt_proc_state(pid);
	return st && st != 'Z' && st != 'X';
}

/* Remove @path and everything under it. */
static void rm_tree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* A sysctl's value, without its newline, into @buf.  0 or -1. */
static int sysctl_read(const char *path, char *buf, size_t size)
{
	ssize_t n = ckpt_read_file(path, buf, size);

	if (n < 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* Write @val to a sysctl; 0, or -1 with errno. */
static int sysctl_write(const char *path, const char *val)
{
	int fd, err = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val))
		err = n < 0 ? errno : EIO;
	close(fd);
	errno = err;
	return err ? -1 : 0;
}

/* The kernel log from now on: /dev/kmsg at its end, non-blocking; or -1. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The next kernel log message that contains @a and @b (if not NULL),
 * copied to @out; false if none was logged since.
 */
static bool kmsg_find(int fd, const char *a, const char *b, char *out, size_t size)
{
	char rec[8192], *msg, *nl;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;	/* overwritten meanwhile */
		if (n <= 0)
			return false;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(msg, a) && (!b || strstr(msg, b))) {
			snprintf(out, size, "%s", msg);
			return true;
		}
	}
}

/* "checkpoint: signal @sig to pid @pid (@comm): ", what every such line starts with. */
static void klog_prefix(char *buf, size_t size, int sig, pid_t pid, const char *comm)
{
	snprintf(buf, size, "checkpoint: signal %d to pid %d (%s): ", sig, (int)pid, comm);
}

/* In a test child: sleep until SIGUSR2 has been handled (no report). */
static void wait_woken(void)
{
	sigset_t mask;

	CHILD_CHECK(CKPT_EXIT_WAIT, !sigprocmask(SIG_BLOCK, NULL, &mask), "sigprocmask");
	sigdelset(&mask, CKPT_WAKE_SIG);
	while (!CKPT_LOAD(ckpt_woken))
		sigsuspend(&mask);
}

/* In a job member: fork a member that runs @fn and exits with its value. */
static pid_t member_fork(int (*fn)(void))
{
	pid_t pid = ckpt_member_fork();

	CHILD_CHECK(90, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn());
	return pid;
}

/* In a job member: our child @pid must exit 0. */
static void reap_live(pid_t pid)
{
	int st = -1;
	pid_t r;

	do {
		r = waitpid(pid, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(22, r == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		    "role %d: child %d: waitpid %d, status %#x", (int)ckpt_me.role,
		    (int)pid, (int)r, st);
}

/* In a job member after waking: the ids it reported are still its own. */
static void member_check_ids(void)
{
	CHILD_CHECK(10, getpid() == ckpt_me.pid, "pid %d, was %d", (int)getpid(),
		    (int)ckpt_me.pid);
	CHILD_CHECK(11, getppid() == ckpt_me.ppid, "role %d: parent %d, was %d",
		    (int)ckpt_me.role, (int)getppid(), (int)ckpt_me.ppid);
	CHILD_CHECK(12, getpgrp() == ckpt_me.pgid, "role %d: group %d, was %d",
		    (int)ckpt_me.role, (int)getpgrp(), (int)ckpt_me.pgid);
	CHILD_CHECK(13, getsid(0) == ckpt_me.sid, "role %d: session %d, was %d",
		    (int)ckpt_me.role, (int)getsid(0), (int)ckpt_me.sid);
}

/* Every member: no @sig pending any more, asleep.  0 or -1 after @ms. */
static int job_quiet(const struct ckpt_member *m, int n, int sig, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	int i;

	for (;;) {
		for (i = 0; i < n; i++)
			if (sig_pending(m[i].pid, sig) || ckpt_proc_state(m[i].pid) != 'S')
				break;
		if (i == n)
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("member %d: state %c, signal %d %spending", (int)m[i].pid,
				 ckpt_proc_state(m[i].pid) ?: '?', sig,
				 sig_pending(m[i].pid, sig) ? "" : "not ");
			return -1;
		}
		ckpt_sleep_ms(10);
	}
}

/* --------------------------------------------------------------------
 * Re-executed copies of this program
 */

/* What a re-executed copy reports of itself on its fd 3. */
struct exec_report {
	uint32_t magic;
	int32_t ruid, euid;
	int32_t catches_usr1;		/* SigCgt has SIGUSR1 */
	int32_t scope, notify;		/* PR_GET_CKPT_SCOPE, PR_GET_CKPT_NOTIFY */
	int32_t pattern_len;		/* PR_GET_CKPT_PATTERN */
	char pattern[PATTERN_SIZE];
	uint64_t counter_addr;		/* &exec_counter */
};

/* What the looping copy counts; the test reads it at counter_addr. */
static uint64_t exec_counter;

static void exec_report(void)
{
	struct exec_report r;

	memset(&r, 0, sizeof(r));
	r.magic = EXEC_MAGIC;
	r.ruid = getuid();
	r.euid = geteuid();
	r.catches_usr1 = catches(0, SIGUSR1);
	r.scope = prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0);
	r.notify = prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0);
	r.pattern_len = prctl(PR_GET_CKPT_PATTERN, (unsigned long)r.pattern,
			      sizeof(r.pattern), 0, 0);
	r.counter_addr = (uintptr_t)&exec_counter;
	if (ckpt_write_all(3, &r, sizeof(r)))
		_exit(EXEC_FAILED);
	close(3);
}

/* EXEC_REPORT_ARG: report, and that is all. */
static int exec_report_main(void)
{
	exec_report();
	return 0;
}

/*
 * EXEC_LOOP_ARG: report, then count until SIGUSR2 (the harness' wake
 * signal, whose handler the exec reset: it is set again here).
 */
static int exec_loop_main(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ckpt_wake_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(CKPT_WAKE_SIG, &sa, NULL))
		return EXEC_FAILED;
	sigemptyset(&set);
	sigaddset(&set, CKPT_WAKE_SIG);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* The harness' shared pages of this copy: nothing to save. */
	if (ckpt_drop_shared_anon())
		return EXEC_FAILED;
	exec_report();
	while (!CKPT_LOAD(ckpt_woken)) {
		uint64_t n = __atomic_add_fetch(&exec_counter, 1, __ATOMIC_RELAXED);

		if (!(n & 1023))
			usleep(1000);
	}
	return 0;
}

/*
 * Fork a child that runs @prep() (0: go on, else its exit status), then
 * execs @path with @mode as argv[1], the write end of a report pipe as
 * its fd 3 and nothing else above 2.  Returns its pid, with the read end
 * in *@report; -1 on an error.
 */
static pid_t spawn_exec(const char *path, const char *mode, int (*prep)(void), int *report)
{
	char *const argv[] = { (char *)"ckpt_sigckpt_test", (char *)mode, NULL };
	pid_t parent = getpid(), pid;
	int p[2], fd, ret;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(EXEC_FAILED);
		ret = prep ? prep() : 0;
		if (ret)
			_exit(ret);
		fd = fcntl(p[1], F_DUPFD, 10);
		if (fd < 0 || dup2(fd, 3) != 3)
			_exit(EXEC_FAILED);
		ckpt_close_range(4, ~0U);
		execv(path, argv);
		_exit(EXEC_FAILED);
	}
	close(p[1]);
	*report = p[0];
	return pid;
}

/* The report of a re-executed child on @fd (closed); 0 or -1. */
static int read_report(int fd, struct exec_report *r)
{
	ssize_t n = -1;

	memset(r, 0, sizeof(*r));
	if (ckpt_readable(fd, 30000))
		n = ckpt_read_all(fd, r, sizeof(*r));
	close(fd);
	if (n != (ssize_t)sizeof(*r) || r->magic != EXEC_MAGIC) {
		ckpt_msg("no report from the re-executed child (%zd bytes)", n);
		return -1;
	}
	r->pattern[sizeof(r->pattern) - 1] = '\0';
	return 0;
}

/* Copy this program to @path, mode @mode; 0 or -1. */
static int copy_self(const char *path, mode_t mode)
{
	static char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0)
		goto out_in;
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out_out;
		if (n == 0)
			break;
		if (ckpt_write_all(out, buf, n))
			goto out_out;
	}
	/* After the writes, which may clear a set-user-ID bit. */
	ret = fchmod(out, mode);
out_out:
	if (close(out))
		ret = -1;
out_in:
	close(in);
	return ret;
}

/* --------------------------------------------------------------------
 * The tests' directory and the sysctls they change
 */

FIXTURE(sig)
{
	char dir[64];
	char old_pattern[PATTERN_SIZE];	/* "" if untouched */
	char old_timeout[32];		/* "" if untouched */
};

FIXTURE_SETUP(sig)
{
	if (!sig_preamble(_metadata))
		return;
	snprintf(self->dir, sizeof(self->dir), "/tmp/ckpt-sig-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp: %s", strerror(errno));
	snprintf(sd_dir, sizeof(sd_dir), "%s", self->dir);
	self->old_pattern[0] = '\0';
	self->old_timeout[0] = '\0';
}

FIXTURE_TEARDOWN_PARENT(sig)
{
	if (self->old_pattern[0] && sysctl_write(PATTERN_SYSCTL, self->old_pattern))
		ckpt_msg("restoring %s: %s", PATTERN_SYSCTL, strerror(errno));
	if (self->old_timeout[0] && sysctl_write(TIMEOUT_SYSCTL, self->old_timeout))
		ckpt_msg("restoring %s: %s", TIMEOUT_SYSCTL, strerror(errno));
	if (self->dir[0])
		rm_tree(self->dir);
}

/*
 * Set the notification timeout to SHORT_TIMEOUT_MS, the old value saved
 * in @old (the fixture's old_timeout, restored by its teardown).
 */
static int short_notify_timeout(char *old, size_t size)
{
	char val[16];

	if (sysctl_read(TIMEOUT_SYSCTL, old, size))
		return -1;
	snprintf(val, sizeof(val), "%d", SHORT_TIMEOUT_MS);
	return sysctl_write(TIMEOUT_SYSCTL, val);
}

/* --------------------------------------------------------------------
 * The prctl()s
 */

/* prctl(@option, ...) fails with @err. */
#define EXPECT_PRCTL_ERR(err, option, a2, a3, a4, a5) do {			\
	errno = 0;								\
	EXPECT_EQ(-1, prctl(option, (unsigned long)(a2), (unsigned long)(a3),	\
			    (unsigned long)(a4), (unsigned long)(a5)))		\
		TH_LOG("%s(%s, %s, %s, %s) succeeded", #option, #a2, #a3, #a4,	\
		       #a5);							\
	EXPECT_EQ(err, errno) TH_LOG("%s: %s", #option, strerror(errno));	\
} while (0)

/*
 * Every prctl() checks its arguments: scopes other than the four, a
 * pattern too long, empty or a pipe, a buffer too small for it, a
 * notification signal that cannot be caught, an answer when no
 * checkpoint waits for one, leaving a critical section not entered, and
 * any unused argument that is not 0.  What is accepted reads back.
 */
TEST(prctl_arguments_are_checked_and_read_back)
{
	static const unsigned long scopes[] = { CKPT_PROCESS, CKPT_PGRP, CKPT_SESSION, CKPT_TREE };
	static const unsigned long bad_scopes[] = { 0x1, 0x2, 0x3, 0x5, 0x10, 0x40, ~0UL };
	char long_pattern[PATTERN_SIZE + 1], buf[PATTERN_SIZE + 8];
	struct sigaction sa;
	unsigned int i;

	if (!sig_preamble(_metadata))
		return;

	/* Scope: the default, the four accepted, the others. */
	EXPECT_EQ(CKPT_PROCESS, prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
	for (i = 0; i < ARRAY_SIZE(scopes); i++) {
		EXPECT_EQ(0, prctl(PR_SET_CKPT_SCOPE, scopes[i], 0, 0, 0))
			TH_LOG("scope %#lx: %s", scopes[i], strerror(errno));
		EXPECT_EQ((int)scopes[i], prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
	}
	for (i = 0; i < ARRAY_SIZE(bad_scopes); i++) {
		EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_SCOPE, bad_scopes[i], 0, 0, 0);
		EXPECT_EQ(CKPT_TREE, prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
	}
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_SCOPE, CKPT_PGRP, 1, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_SCOPE, CKPT_PGRP, 0, 1, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_SCOPE, CKPT_PGRP, 0, 0, 1);
	EXPECT_PRCTL_ERR(EINVAL, PR_GET_CKPT_SCOPE, 1, 0, 0, 0);
	EXPECT_EQ(CKPT_TREE, prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_SET_CKPT_SCOPE, CKPT_PROCESS, 0, 0, 0));

	/* Pattern: "" by default (the sysctl's), up to 127 characters. */
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(0, prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf), 0, 0));
	EXPECT_EQ('\0', buf[0]);
	EXPECT_EQ(0, prctl(PR_SET_CKPT_PATTERN, (unsigned long)"/tmp/%e-%p.img", 0, 0, 0));
	EXPECT_EQ(14, prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf), 0, 0));
	EXPECT_STREQ("/tmp/%e-%p.img", buf);
	/* Exactly room for it and its NUL, then one byte less. */
	EXPECT_EQ(14, prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, 15, 0, 0));
	EXPECT_PRCTL_ERR(ERANGE, PR_GET_CKPT_PATTERN, buf, 14, 0, 0);
	EXPECT_PRCTL_ERR(ERANGE, PR_GET_CKPT_PATTERN, buf, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_GET_CKPT_PATTERN, buf, sizeof(buf), 1, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_GET_CKPT_PATTERN, buf, sizeof(buf), 0, 1);

	memset(long_pattern, 'a', sizeof(long_pattern));
	long_pattern[PATTERN_SIZE - 1] = '\0';		/* 127 characters */
	EXPECT_EQ(0, prctl(PR_SET_CKPT_PATTERN, (unsigned long)long_pattern, 0, 0, 0))
		TH_LOG("127 characters: %s", strerror(errno));
	EXPECT_EQ(PATTERN_SIZE - 1,
		  prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf), 0, 0));
	EXPECT_EQ(0, strcmp(long_pattern, buf));
	long_pattern[PATTERN_SIZE - 1] = 'a';
	long_pattern[PATTERN_SIZE] = '\0';		/* 128 characters */
	EXPECT_PRCTL_ERR(ENAMETOOLONG, PR_SET_CKPT_PATTERN, long_pattern, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_PATTERN, "", 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_PATTERN, "|/bin/true", 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_PATTERN, "x", 1, 0, 0);
	EXPECT_PRCTL_ERR(EFAULT, PR_SET_CKPT_PATTERN, 8, 0, 0, 0);
	/* The refused ones left the 127 characters in place. */
	EXPECT_EQ(PATTERN_SIZE - 1,
		  prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf), 0, 0));
	/* NULL: back to the sysctl's. */
	EXPECT_EQ(0, prctl(PR_SET_CKPT_PATTERN, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf), 0, 0));
	EXPECT_STREQ("", buf);

	/* Notification signal: none by default, a catchable signal or 0. */
	EXPECT_EQ(0, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_SET_CKPT_NOTIFY, SIGUSR1, 0, 0, 0));
	EXPECT_EQ(SIGUSR1, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_SET_CKPT_NOTIFY, SIGRTMIN + 3, 0, 0, 0));
	EXPECT_EQ(SIGRTMIN + 3, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_NOTIFY, SIGKILL, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_NOTIFY, SIGSTOP, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_NOTIFY, 65, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_NOTIFY, -1L, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_SET_CKPT_NOTIFY, SIGUSR1, 1, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_GET_CKPT_NOTIFY, 0, 0, 0, 1);
	EXPECT_EQ(SIGRTMIN + 3, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_SET_CKPT_NOTIFY, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));

	/* Answers: no checkpoint waits for one. */
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_READY, 0, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_NOT_NOW, 0, 0, 0, 0);
	EXPECT_EQ(0, prctl(PR_SET_CKPT_NOTIFY, SIGUSR1, 0, 0, 0));
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_READY, 0, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_NOT_NOW, 0, 0, 0, 0);
	EXPECT_EQ(0, prctl(PR_SET_CKPT_NOTIFY, 0, 0, 0, 0));

	/* Critical sections: counted, nested, left no more than entered. */
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_UNBLOCK, 0, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_BLOCK, 1, 0, 0, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_BLOCK, 0, 0, 1, 0);
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_UNBLOCK, 0, 0, 0, 0);	/* the refused did not enter */
	EXPECT_EQ(0, prctl(PR_CKPT_BLOCK, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_CKPT_BLOCK, 0, 0, 0, 0));
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_UNBLOCK, 1, 0, 0, 0);
	EXPECT_EQ(0, prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0));
	EXPECT_PRCTL_ERR(EINVAL, PR_CKPT_UNBLOCK, 0, 0, 0, 0);

	/* The dispositions: any catchable signal, read back as set. */
	EXPECT_EQ(0, arm(SIGUSR1, SIG_CKPT));
	EXPECT_EQ(0, arm(SIGXCPU, SIG_CKPT_KILL));
	memset(&sa, 0, sizeof(sa));
	EXPECT_EQ(0, sigaction(SIGUSR1, NULL, &sa));
	EXPECT_TRUE(sa.sa_handler == SIG_CKPT);
	EXPECT_EQ(0, sigaction(SIGXCPU, NULL, &sa));
	EXPECT_TRUE(sa.sa_handler == SIG_CKPT_KILL);
	EXPECT_TRUE(catches(0, SIGUSR1));
	EXPECT_TRUE(catches(0, SIGXCPU));
	errno = 0;
	EXPECT_EQ(-1, arm(SIGKILL, SIG_CKPT));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, arm(SIGSTOP, SIG_CKPT_KILL));
	EXPECT_EQ(EINVAL, errno);
	arm(SIGUSR1, SIG_DFL);
	arm(SIGXCPU, SIG_DFL);
}

/*
 * fork() copies the scope (with a CKPT_TREE's anchor: still the parent),
 * the pattern and the dispositions; the notification signal belongs to
 * the process that registered it, and critical sections too.
 */
TEST(scope_and_pattern_are_copied_at_fork_the_notification_is_not)
{
	char buf[PATTERN_SIZE];
	pid_t pid;

	if (!sig_preamble(_metadata))
		return;
	ASSERT_EQ(0, prctl(PR_SET_CKPT_SCOPE, CKPT_PGRP, 0, 0, 0));
	ASSERT_EQ(0, prctl(PR_SET_CKPT_PATTERN, (unsigned long)"/tmp/inherited.%p", 0, 0, 0));
	ASSERT_EQ(0, prctl(PR_SET_CKPT_NOTIFY, SIGUSR1, 0, 0, 0));
	ASSERT_EQ(0, prctl(PR_CKPT_BLOCK, 0, 0, 0, 0));
	ASSERT_EQ(0, arm(SIGWINCH, SIG_CKPT));

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa;

		CHILD_CHECK(1, prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0) == CKPT_PGRP,
			    "scope %d", prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
		CHILD_CHECK(2, prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf),
				     0, 0) == 17 && !strcmp(buf, "/tmp/inherited.%p"),
			    "pattern \"%s\"", buf);
		CHILD_CHECK(3, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0) == 0,
			    "notify %d", prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
		errno = 0;
		CHILD_CHECK(4, prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0) == -1 && errno == EINVAL,
			    "PR_CKPT_UNBLOCK in the child: %s", strerror(errno));
		CHILD_CHECK(5, !sigaction(SIGWINCH, NULL, &sa) && sa.sa_handler == SIG_CKPT,
			    "SIGWINCH disposition %p", (void *)sa.sa_handler);
		/* And a CKPT_TREE chosen now is the child's own. */
		CHILD_CHECK(6, !prctl(PR_SET_CKPT_SCOPE, CKPT_TREE, 0, 0, 0), "%s",
			    strerror(errno));
		_exit(0);
	}
	EXPECT_EQ(0, ckpt_reap(pid));
	/* The child's changes are its own. */
	EXPECT_EQ(CKPT_PGRP, prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
	EXPECT_EQ(SIGUSR1, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
	EXPECT_EQ(0, prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0));
}

/* --------------------------------------------------------------------
 * SIG_CKPT and SIG_CKPT_KILL on one process
 */

static int compute_ckpt_main(void)
{
	umask(022);
	child_arm(90, SIGUSR1, SIG_CKPT);
	return ckpt_compute_main();
}

static int compute_kill_main(void)
{
	child_arm(90, SIGUSR1, SIG_CKPT_KILL);
	return ckpt_compute_main();
}

/*
 * SIG_CKPT: the image appears under the pattern's name (mode 0600 less
 * a umask of 022, the process's owner), complete, with no *.part left;
 * the process is not stopped (its counter advances) and finishes its
 * computation correctly.  The image restarts where the signal came: the
 * restored copy goes on counting from at least where the signal found
 * it, still has SIG_CKPT for SIGUSR1, and finishes correctly too.
 */
TEST_F(sig, sig_ckpt_writes_an_image_and_the_process_runs_on)
{
	struct ckpt_rec_header hdr;
	char path[PATH_MAX];
	uint64_t p0, p1, r0;
	struct stat st;
	pid_t child;
	int fd, parts;

	set_pattern("img.%p");
	child = ckpt_spawn_main(compute_ckpt_main);
	ASSERT_GT(child, 0);
	p0 = ckpt_compute_wait_past(child, 0, 10000);
	ASSERT_TRUE(p0 > 0 && p0 != (uint64_t)-1) TH_LOG("child is not computing");
	EXPECT_TRUE(catches(child, SIGUSR1));
	snprintf(path, sizeof(path), "%s/img.%d", self->dir, (int)child);

	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));
	ASSERT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(1, (int)hdr.nr_tasks);
	EXPECT_EQ(child, hdr.root_pid);
	EXPECT_EQ(CKPT_PROCESS, (int)(hdr.flags & CKPT_SCOPE_MASK));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(0600, (int)(st.st_mode & 07777));
	EXPECT_EQ(0, (int)st.st_uid);
	EXPECT_EQ(0, (int)st.st_gid);
	EXPECT_EQ(1, count_entries(self->dir, NULL, &parts, NULL, 0));
	EXPECT_EQ(0, parts);

	/* It runs on. */
	EXPECT_TRUE(still_running(child));
	p1 = ckpt_compute_progress_of(child);
	ASSERT_NE((uint64_t)-1, p1);
	EXPECT_GT(ckpt_compute_wait_past(child, p1, 10000), p1)
		TH_LOG("the counter stands still after the checkpoint");
	EXPECT_EQ(0, ckpt_wake_reap(child));

	/* The image: from where the signal came, with its disposition. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(child, ckpt_restart(fd, 0));
	close(fd);
	r0 = ckpt_compute_progress_of(child);
	EXPECT_TRUE(r0 != (uint64_t)-1 && r0 >= p0)
		TH_LOG("restored at step %llu, the signal came after step %llu",
		       (unsigned long long)r0, (unsigned long long)p0);
	EXPECT_GT(ckpt_compute_wait_past(child, r0, 10000), r0);
	EXPECT_TRUE(catches(child, SIGUSR1));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	EXPECT_FALSE(ckpt_have_children());
}

/* The read end a blocked read() waits on, and the write end a thread fills. */
static int rr_pipe[2];

/* A thread that writes a byte once SIGUSR2 has been handled. */
static void *rr_writer(void *arg)
{
	sigset_t mask;

	(void)arg;
	/* SIGUSR1 and everything else blocked: only SIGUSR2 comes here. */
	sigfillset(&mask);
	sigdelset(&mask, CKPT_WAKE_SIG);
	while (!CKPT_LOAD(ckpt_woken))
		sigsuspend(&mask);
	if (write(rr_pipe[1], "w", 1) != 1)
		return (void *)1;
	return NULL;
}

/*
 * The main thread sleeps in read() on a pipe of its own; a second thread
 * (SIGUSR1 blocked) writes to the pipe once woken.  SIGUSR1 interrupts
 * the read(); it must be restarted, not fail with EINTR.
 */
static int read_restart_main(void)
{
	sigset_t set, old;
	pthread_t t;
	void *ret;
	ssize_t n;
	char c;

	child_arm(90, SIGUSR1, SIG_CKPT);
	CHILD_CHECK(91, !pipe(rr_pipe), "pipe: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(91, !pthread_sigmask(SIG_BLOCK, &set, &old), "pthread_sigmask");
	CHILD_CHECK(91, !pthread_create(&t, NULL, rr_writer, NULL), "pthread_create");
	CHILD_CHECK(91, !pthread_sigmask(SIG_SETMASK, &old, NULL), "pthread_sigmask");
	ckpt_child_ready();

	n = read(rr_pipe[0], &c, 1);
	CHILD_CHECK(1, n == 1 && c == 'w', "read() after the checkpoint: %zd (%s)", n,
		    n < 0 ? strerror(errno) : "no error");
	CHILD_CHECK(2, !pthread_join(t, &ret) && !ret, "the writer failed");
	return 0;
}

/*
 * SIG_CKPT is consumed like an ignored signal: the read() it interrupted
 * is restarted, sleeps on after the checkpoint, and returns the byte that
 * comes later.  The image, taken in the read(), does the same.
 */
TEST_F(sig, sig_ckpt_restarts_an_interrupted_read)
{
	struct ckpt_rec_header hdr;
	char path[PATH_MAX];
	pid_t child;
	int fd;

	set_pattern("img.%p");
	child = ckpt_spawn_main(read_restart_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	snprintf(path, sizeof(path), "%s/img.%d", self->dir, (int)child);

	/* The main thread is the only one that takes SIGUSR1. */
	ASSERT_EQ(0, syscall(SYS_tgkill, child, child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));
	ASSERT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(2, (int)hdr.nr_threads);
	/* Still reading. */
	EXPECT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	EXPECT_TRUE(still_running(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(child, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* What a SIGCHLD handler saw. */
/* Written by the SIGCHLD handler, read with CKPT_LOAD(). */
static int chld_code, chld_status, chld_pid;

static void chld_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	CKPT_STORE(chld_status, si->si_status);
	CKPT_STORE(chld_pid, si->si_pid);
	CKPT_STORE(chld_code, si->si_code);
}

/*
 * SIG_CKPT_KILL: the process ends as if killed by SIGUSR1 once its image
 * is in place.  waitid() and a SIGCHLD handler see CLD_CKPTED with
 * SIGUSR1, wait4() WIFSIGNALED with SIGUSR1 and no core flag.  The image
 * restarts: the computation goes on and finishes correctly.
 */
TEST_F(sig, sig_ckpt_kill_ends_the_process_with_cld_ckpted)
{
	struct ckpt_rec_header hdr;
	struct sigaction sa;
	char path[PATH_MAX];
	struct rusage ru;
	uint64_t r0;
	int status = 0, fd, parts, i;
	siginfo_t si;
	pid_t child;

	set_pattern("img.%p");
	child = ckpt_spawn_main(compute_kill_main);
	ASSERT_GT(child, 0);
	ASSERT_NE((uint64_t)-1, ckpt_compute_wait_past(child, 0, 10000));
	snprintf(path, sizeof(path), "%s/img.%d", self->dir, (int)child);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = chld_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGCHLD, &sa, NULL));
	CKPT_STORE(chld_code, 0);

	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_end(child, &si, true, IMAGE_WAIT_MS));
	EXPECT_EQ(CLD_CKPTED, si.si_code);
	EXPECT_EQ(SIGUSR1, si.si_status);
	/* The image was in place before the end. */
	ASSERT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(1, (int)hdr.nr_tasks);
	EXPECT_EQ(1, count_entries(self->dir, NULL, &parts, NULL, 0));
	EXPECT_EQ(0, parts);

	for (i = 0; i < 500 && !CKPT_LOAD(chld_code); i++)
		ckpt_sleep_ms(10);
	EXPECT_EQ(CLD_CKPTED, CKPT_LOAD(chld_code));
	EXPECT_EQ(SIGUSR1, CKPT_LOAD(chld_status));
	EXPECT_EQ(child, (pid_t)CKPT_LOAD(chld_pid));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigaction(SIGCHLD, &sa, NULL);

	ASSERT_EQ(child, wait4(child, &status, __WALL, &ru));
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(SIGUSR1, WTERMSIG(status));
	EXPECT_FALSE(WCOREDUMP(status));

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(child, ckpt_restart(fd, 0));
	close(fd);
	r0 = ckpt_compute_progress_of(child);
	ASSERT_NE((uint64_t)-1, r0);
	EXPECT_GT(ckpt_compute_wait_past(child, r0, 10000), r0);
	EXPECT_TRUE(catches(child, SIGUSR1));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* Spins on the CPU until RLIMIT_CPU's SIGXCPU (SIG_CKPT_KILL) ends it. */
static int xcpu_main(void)
{
	struct rlimit rl = { .rlim_cur = 1, .rlim_max = 30 };
	uint64_t acc = 1, i = 0;

	child_arm(90, SIGXCPU, SIG_CKPT_KILL);
	CHILD_CHECK(91, !setrlimit(RLIMIT_CPU, &rl), "setrlimit: %s", strerror(errno));
	ckpt_child_ready();
	for (;;) {
		acc = ckpt_compute_step(acc, i++);
		__atomic_store_n(&ckpt_compute_progress, acc, __ATOMIC_RELAXED);
	}
	return 0;
}

/*
 * RLIMIT_CPU (soft 1 s, hard 30 s) with SIG_CKPT_KILL for SIGXCPU: at
 * 1 s of CPU time the process is checkpointed and ends; its parent sees
 * CLD_CKPTED with SIGXCPU (not SIGKILL at the hard limit), and the image
 * is named with %s = 24.
 */
TEST_F(sig, rlimit_cpu_sigxcpu_checkpoints_and_ends_the_process)
{
	struct ckpt_rec_header hdr;
	char path[PATH_MAX];
	siginfo_t si;
	pid_t child;

	set_pattern("xcpu.%p.%s");
	child = ckpt_spawn_main(xcpu_main);
	ASSERT_GT(child, 0);
	snprintf(path, sizeof(path), "%s/xcpu.%d.%d", self->dir, (int)child, SIGXCPU);
	ASSERT_EQ(0, wait_end(child, &si, false, 100000));
	EXPECT_EQ(CLD_CKPTED, si.si_code) TH_LOG("si_code %d, si_status %d", si.si_code,
						 si.si_status);
	EXPECT_EQ(SIGXCPU, si.si_status);
	ASSERT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(1, (int)hdr.nr_tasks);
	EXPECT_EQ(child, hdr.root_pid);
}

/* --------------------------------------------------------------------
 * Image names and files
 */

/* comm with a '/', SIG_CKPT on SIGWINCH (whose default is to ignore). */
static int pattern_main(void)
{
	CHILD_CHECK(91, !prctl(PR_SET_NAME, (unsigned long)"sig/ckpt", 0, 0, 0), "PR_SET_NAME");
	child_arm(90, SIGWINCH, SIG_CKPT);
	ckpt_child_wait();
	return 0;
}

/*
 * %p %P (the same here: one PID namespace), %u %g (real ids, 0), %s (the
 * signal), %e (comm, its '/' a '!'), %h (the host name, same rule), %%
 * and %t (seconds since the epoch, between the test's readings of the
 * time around the signal) all expand.
 */
TEST_F(sig, image_name_expands_every_pattern_specifier)
{
	char name[256], want[256], host[sizeof(((struct utsname *)0)->nodename)];
	struct ckpt_rec_header hdr;
	char path[PATH_MAX], *end;
	struct utsname uts;
	time_t t0, t1;
	long long t;
	pid_t child;
	size_t i;

	set_pattern("x_%p_%P_%u_%g_%s_%e_%h_%%_%t_end");
	ASSERT_LT(strlen(sd_pattern), (size_t)PATTERN_SIZE);
	ASSERT_EQ(0, uname(&uts));
	snprintf(host, sizeof(host), "%s", uts.nodename);
	for (i = 0; host[i]; i++)
		if (host[i] == '/')
			host[i] = '!';
	child = ckpt_spawn_main(pattern_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	snprintf(want, sizeof(want), "x_%d_%d_0_0_%d_sig!ckpt_%s_%%_", (int)child,
		 (int)child, SIGWINCH, host);

	t0 = time(NULL);
	ASSERT_EQ(0, kill(child, SIGWINCH));
	ASSERT_EQ(0, wait_entry(self->dir, "x_", IMAGE_WAIT_MS));
	t1 = time(NULL);
	ASSERT_EQ(1, count_entries(self->dir, "x_", NULL, name, sizeof(name)));
	TH_LOG("image name %s", name);
	ASSERT_EQ(0, strncmp(name, want, strlen(want))) TH_LOG("expected %s<time>_end", want);
	t = strtoll(name + strlen(want), &end, 10);
	EXPECT_STREQ("_end", end);
	EXPECT_LE((long long)t0, t);
	EXPECT_GE((long long)t1, t);
	snprintf(path, sizeof(path), "%s/%s", self->dir, name);
	EXPECT_EQ(0, image_check(path, &hdr));
	EXPECT_TRUE(still_running(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* No pattern of its own (set, then dropped): the sysctl's, in its cwd. */
static int relative_main(void)
{
	char buf[PATTERN_SIZE];

	CHILD_CHECK(91, !chdir(sd_dir), "chdir: %s", strerror(errno));
	CHILD_CHECK(91, !prctl(PR_SET_NAME, (unsigned long)"sigckpt-rel", 0, 0, 0), "PR_SET_NAME");
	CHILD_CHECK(91, !arm(SIGUSR1, SIG_CKPT), "sigaction: %s", strerror(errno));
	CHILD_CHECK(92, !prctl(PR_SET_CKPT_PATTERN, (unsigned long)"/nonexistent/x", 0, 0, 0),
		    "PR_SET_CKPT_PATTERN: %s", strerror(errno));
	CHILD_CHECK(93, !prctl(PR_SET_CKPT_PATTERN, 0, 0, 0, 0), "PR_SET_CKPT_PATTERN(NULL): %s",
		    strerror(errno));
	CHILD_CHECK(94, !prctl(PR_GET_CKPT_PATTERN, (unsigned long)buf, sizeof(buf), 0, 0) &&
		    !buf[0], "pattern \"%s\" after PR_SET_CKPT_PATTERN(NULL)", buf);
	ckpt_child_wait();
	return 0;
}

/*
 * kernel.checkpoint_pattern is "%e.%p.ckpt" by default, relative to the
 * working directory of the process, which uses it once it dropped its own
 * pattern (PR_SET_CKPT_PATTERN NULL).  A new value counts from the next
 * signal on; a pipe ("|...") and an empty value are refused.
 */
TEST_F(sig, sysctl_pattern_is_used_relative_to_the_cwd)
{
	struct ckpt_rec_header hdr;
	char path[PATH_MAX], val[PATTERN_SIZE + 8];
	pid_t child;

	ASSERT_EQ(0, sysctl_read(PATTERN_SYSCTL, self->old_pattern, sizeof(self->old_pattern)));
	EXPECT_STREQ(DEFAULT_PATTERN, self->old_pattern) TH_LOG("not the default");
	ASSERT_EQ(0, sysctl_write(PATTERN_SYSCTL, DEFAULT_PATTERN));

	child = ckpt_spawn_main(relative_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	snprintf(path, sizeof(path), "%s/sigckpt-rel.%d.ckpt", self->dir, (int)child);
	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));
	EXPECT_EQ(0, image_check(path, &hdr));

	/* The sysctl changes: the next image follows it. */
	ASSERT_EQ(0, sysctl_write(PATTERN_SYSCTL, "second-%s.%p"));
	ASSERT_EQ(0, sysctl_read(PATTERN_SYSCTL, val, sizeof(val)));
	EXPECT_STREQ("second-%s.%p", val);
	errno = 0;
	EXPECT_EQ(-1, sysctl_write(PATTERN_SYSCTL, "|/bin/true"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, sysctl_read(PATTERN_SYSCTL, val, sizeof(val)));
	EXPECT_STREQ("second-%s.%p", val);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	snprintf(path, sizeof(path), "%s/second-%d.%d", self->dir, SIGUSR1, (int)child);
	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));
	EXPECT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(2, count_entries(self->dir, NULL, NULL, NULL, 0));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* Runs as nobody, umask 0277, dumpable again. */
static int nobody_main(void)
{
	gid_t g = NOBODY;
	uid_t u = NOBODY;

	umask(0277);
	CHILD_CHECK(91, !setgroups(0, NULL) && !setresgid(g, g, g) && !setresuid(u, u, u),
		    "setting ids: %s", strerror(errno));
	CHILD_CHECK(91, !prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) &&
		    !prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "prctl: %s", strerror(errno));
	child_arm(90, SIGUSR1, SIG_CKPT);
	ckpt_child_wait();
	return 0;
}

/*
 * The image file is made as the process would make it: owned by its
 * user and group (nobody, also what %u and %g say), mode 0600 less its
 * umask (0277: 0400).
 */
TEST_F(sig, image_is_created_with_the_process_s_ids_and_umask)
{
	struct ckpt_rec_header hdr;
	char sub[128], path[PATH_MAX];
	struct stat st;
	pid_t child;
	int parts;

	snprintf(sub, sizeof(sub), "%s/u", self->dir);
	ASSERT_EQ(0, mkdir(sub, 0700));
	ASSERT_EQ(0, chmod(sub, 01777));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	set_pattern("u/img.%u.%g.%p");
	child = ckpt_spawn_main(nobody_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	snprintf(path, sizeof(path), "%s/img.%d.%d.%d", sub, NOBODY, NOBODY, (int)child);

	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_EQ(NOBODY, (int)st.st_uid);
	EXPECT_EQ(NOBODY, (int)st.st_gid);
	EXPECT_EQ(0400, (int)(st.st_mode & 07777));
	EXPECT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(1, count_entries(sub, NULL, &parts, NULL, 0));
	EXPECT_EQ(0, parts);
	EXPECT_TRUE(still_running(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

static int sleeper_main(void)
{
	child_arm(90, SIGUSR1, SIG_CKPT);
	ckpt_child_wait();
	return 0;
}

#define VICTIM_DATA	"the symlink's target: not to be written\n"

/*
 * A symlink at the final name (to a file of ours) is replaced by the
 * image, as rename() does; the file it pointed to is untouched.
 */
TEST_F(sig, symlink_at_the_final_name_is_replaced_not_followed)
{
	char path[PATH_MAX], victim[PATH_MAX], buf[256];
	struct ckpt_rec_header hdr;
	struct stat st;
	pid_t child;
	int fd, parts;

	set_pattern("img.%p");
	child = ckpt_spawn_main(sleeper_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	snprintf(path, sizeof(path), "%s/img.%d", self->dir, (int)child);
	snprintf(victim, sizeof(victim), "%s/victim", self->dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ckpt_write_all(fd, VICTIM_DATA, strlen(VICTIM_DATA)));
	close(fd);
	ASSERT_EQ(0, symlink("victim", path));

	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));	/* a regular file now */
	EXPECT_EQ(0, image_check(path, &hdr));
	ASSERT_EQ(0, lstat(victim, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ((off_t)strlen(VICTIM_DATA), st.st_size);
	ASSERT_LE(0, ckpt_read_file(victim, buf, sizeof(buf)));
	EXPECT_STREQ(VICTIM_DATA, buf);
	EXPECT_EQ(2, count_entries(self->dir, NULL, &parts, NULL, 0));
	EXPECT_EQ(0, parts);
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

#define BIG_MEM		(32UL << 20)
#define BIG_SEED	0xb16b16

/* 32 MiB of data to save: the image takes a while to write. */
static int big_main(void)
{
	void *p = malloc(BIG_MEM);

	CHILD_CHECK(91, p, "malloc");
	ckpt_fill(p, BIG_MEM, BIG_SEED);
	child_arm(90, SIGUSR1, SIG_CKPT);
	ckpt_child_wait();
	CHILD_CHECK(1, ckpt_check_fill(p, BIG_MEM, BIG_SEED) < 0, "memory changed");
	return 0;
}

/*
 * A reader that opens the final name as soon as it exists finds the
 * whole image there (its trailer's length and digest match), never a
 * part of it: the image is written under another name, then renamed.
 */
TEST_F(sig, reader_of_the_final_name_never_sees_a_partial_image)
{
	struct ckpt_rec_header hdr;
	uint64_t end, polls = 0;
	char path[PATH_MAX];
	bool saw_part = false;
	pid_t child;
	int fd = -1, parts;

	set_pattern("img.%p");
	child = ckpt_spawn_main(big_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	snprintf(path, sizeof(path), "%s/img.%d", self->dir, (int)child);

	ASSERT_EQ(0, kill(child, SIGUSR1));
	end = ckpt_now_ms() + IMAGE_WAIT_MS;
	while (fd < 0 && ckpt_now_ms() < end) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			break;
		if (!(polls++ & 63)) {
			count_entries(self->dir, NULL, &parts, NULL, 0);
			saw_part = saw_part || parts;
		}
		sched_yield();
	}
	ASSERT_LE(0, fd) TH_LOG("%s did not appear", path);
	TH_LOG("%llu polls; a *.part file was %sseen meanwhile", (unsigned long long)polls,
	       saw_part ? "" : "not ");
	EXPECT_EQ(0, image_check_fd(fd, &hdr));
	EXPECT_LT((off_t)BIG_MEM, ckpt_fd_size(fd));
	close(fd);
	EXPECT_EQ(1, count_entries(self->dir, NULL, &parts, NULL, 0));
	EXPECT_EQ(0, parts);
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* --------------------------------------------------------------------
 * No image: the signal's default action
 */

#define FAIL_COMM	"sigckpt-fail"

static int undumpable_main(void)
{
	CHILD_CHECK(91, !prctl(PR_SET_NAME, (unsigned long)FAIL_COMM, 0, 0, 0), "PR_SET_NAME");
	child_arm(90, SIGUSR1, SIG_CKPT);
	CHILD_CHECK(91, !prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE: %s",
		    strerror(errno));
	ckpt_child_wait();
	return 0;
}

static int failing_main(void)
{
	CHILD_CHECK(91, !prctl(PR_SET_NAME, (unsigned long)FAIL_COMM, 0, 0, 0), "PR_SET_NAME");
	child_arm(90, SIGUSR1, SIG_CKPT);
	ckpt_child_wait();
	return 0;
}

/* Holds a flock() on <dir>/lockfile, which a checkpoint refuses. */
static int flock_main(void)
{
	char path[PATH_MAX];
	int fd;

	CHILD_CHECK(91, !prctl(PR_SET_NAME, (unsigned long)FAIL_COMM, 0, 0, 0), "PR_SET_NAME");
	snprintf(path, sizeof(path), "%s/lockfile", sd_dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	CHILD_CHECK(91, fd >= 0, "%s: %s", path, strerror(errno));
	CHILD_CHECK(91, !flock(fd, LOCK_EX), "flock: %s", strerror(errno));
	child_arm(90, SIGUSR1, SIG_CKPT);
	ckpt_child_wait();
	return 0;
}

/*
 * Send SIGUSR1 to @child (SIG_CKPT) whose checkpoint must fail: it is
 * killed by SIGUSR1 (CLD_KILLED, not CLD_CKPTED) and reaped, and no
 * image nor *.part starting with @prefix is left in the directory.  The
 * kernel log line about it goes to @line ("" if none was found, or
 * /dev/kmsg cannot be read).
 */
static void expect_default_action(struct __test_metadata *_metadata, pid_t child,
				  const char *prefix, char *line, size_t size)
{
	char start[128];
	siginfo_t si;
	int kfd, parts;

	line[0] = '\0';
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	kfd = kmsg_open();
	if (kfd < 0)
		TH_LOG("/dev/kmsg: %s: the kernel log is not checked", strerror(errno));
	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_end(child, &si, false, IMAGE_WAIT_MS));
	EXPECT_EQ(CLD_KILLED, si.si_code) TH_LOG("si_code %d", si.si_code);
	EXPECT_EQ(SIGUSR1, si.si_status);
	EXPECT_EQ(0, count_entries(sd_dir, prefix, &parts, NULL, 0));
	EXPECT_EQ(0, parts);
	if (kfd >= 0) {
		klog_prefix(start, sizeof(start), SIGUSR1, child, FAIL_COMM);
		if (kmsg_find(kfd, start, NULL, line, size))
			TH_LOG("kernel log: %s", line);
		close(kfd);
	}
}

/*
 * A process that is not dumpable (PR_SET_DUMPABLE 0, as after a setuid
 * exec) gets no image, as it would get no core dump: SIGUSR1's default
 * action kills it, and the kernel log says why.
 */
TEST_F(sig, undumpable_process_gets_no_image_and_the_default_action)
{
	char line[512];
	pid_t child;

	set_pattern("img.%p");
	child = ckpt_spawn_main(undumpable_main);
	ASSERT_GT(child, 0);
	expect_default_action(_metadata, child, NULL, line, sizeof(line));
	if (access("/dev/kmsg", R_OK) == 0)
		EXPECT_NE(NULL, strstr(line, "not dumpable")) TH_LOG("log line: \"%s\"", line);
}

/*
 * A pattern into a directory that does not exist: no image, nothing
 * created, SIGUSR1's default action, and a kernel log line naming the
 * image and the reason.
 */
TEST_F(sig, missing_directory_fails_with_the_default_action_and_a_log_line)
{
	char line[512];
	pid_t child;

	set_pattern("missing/img.%p");
	child = ckpt_spawn_main(failing_main);
	ASSERT_GT(child, 0);
	expect_default_action(_metadata, child, NULL, line, sizeof(line));
	if (access("/dev/kmsg", R_OK) == 0) {
		EXPECT_NE(NULL, strstr(line, "no such directory")) TH_LOG("log line: \"%s\"", line);
		EXPECT_NE(NULL, strstr(line, "missing/img.")) TH_LOG("log line: \"%s\"", line);
	}
}

/*
 * A job the checkpoint refuses (it holds a flock() lock, see
 * ckpt_lock_test): the image file it began is removed, SIGUSR1's default
 * action follows.  The reason's log line is printed if found: it shares
 * a rate limit with every checkpoint-by-signal log line, so it is not
 * required.
 */
TEST_F(sig, refused_checkpoint_leaves_no_image_and_the_default_action)
{
	char line[512], lock[PATH_MAX];
	struct stat st;
	pid_t child;

	set_pattern("img.%p");
	child = ckpt_spawn_main(flock_main);
	ASSERT_GT(child, 0);
	expect_default_action(_metadata, child, "img.", line, sizeof(line));
	if (!line[0])
		TH_LOG("no kernel log line found (rate limit?)");
	snprintf(lock, sizeof(lock), "%s/lockfile", self->dir);
	EXPECT_EQ(0, stat(lock, &st));
	EXPECT_EQ(1, count_entries(self->dir, NULL, NULL, NULL, 0));
}

/* --------------------------------------------------------------------
 * exec
 */

/* Before the exec: a group of its own, SIG_CKPT, scope, pattern, notify. */
static int keep_prep(void)
{
	if (setpgid(0, 0))
		return 111;
	if (arm(SIGUSR1, SIG_CKPT))
		return 112;
	if (prctl(PR_SET_CKPT_SCOPE, CKPT_PGRP, 0, 0, 0))
		return 113;
	if (prctl(PR_SET_CKPT_PATTERN, (unsigned long)sd_pattern, 0, 0, 0))
		return 114;
	if (prctl(PR_SET_CKPT_NOTIFY, SIGUSR2, 0, 0, 0))
		return 115;
	return 0;
}

/*
 * A wrapper arms a program: SIG_CKPT for SIGUSR1, scope CKPT_PGRP (the
 * wrapper alone in its group) and a pattern survive execve() of this
 * program in a mode that counts until woken; the notification signal
 * does not.  SIGUSR1 then checkpoints the new program, which counts on;
 * the image restarts and counts on too.
 */
TEST_F(sig, dispositions_scope_and_pattern_survive_exec)
{
	struct ckpt_rec_header hdr;
	struct exec_report r;
	char path[PATH_MAX];
	uint64_t c0 = 0, c1;
	const uint64_t *counter;
	pid_t child;
	int fd;

	set_pattern("exec.%p");
	child = spawn_exec("/proc/self/exe", EXEC_LOOP_ARG, keep_prep, &fd);
	ASSERT_GT(child, 0);
	if (read_report(fd, &r)) {
		EXPECT_EQ(0, ckpt_kill_reap(child));
		ASSERT_TRUE(false) TH_LOG("no report");
	}
	EXPECT_TRUE(r.catches_usr1) TH_LOG("SIG_CKPT for SIGUSR1 lost at exec");
	EXPECT_EQ(CKPT_PGRP, r.scope);
	EXPECT_EQ((int)strlen(sd_pattern), r.pattern_len);
	EXPECT_STREQ(sd_pattern, r.pattern);
	EXPECT_EQ(0, r.notify) TH_LOG("the notification signal survived exec");
	counter = (const uint64_t *)(uintptr_t)r.counter_addr;

	snprintf(path, sizeof(path), "%s/exec.%d", self->dir, (int)child);
	ASSERT_NE((uint64_t)-1, ckpt_wait_counter_past(child, counter, 0, 10000));
	ASSERT_EQ(0, kill(child, SIGUSR1));
	ASSERT_EQ(0, wait_file(path, IMAGE_WAIT_MS));
	ASSERT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(CKPT_PGRP, (int)(hdr.flags & CKPT_SCOPE_MASK));
	EXPECT_EQ(child, hdr.root_pid);
	EXPECT_EQ(1, (int)hdr.nr_tasks);
	EXPECT_TRUE(still_running(child));
	ckpt_peek(child, counter, &c0, sizeof(c0));
	c1 = ckpt_wait_counter_past(child, counter, c0, 10000);
	EXPECT_TRUE(c1 != (uint64_t)-1 && c1 > c0) TH_LOG("the counter stands still");
	EXPECT_EQ(0, ckpt_wake_reap(child));

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(child, ckpt_restart(fd, 0));
	close(fd);
	ckpt_peek(child, counter, &c0, sizeof(c0));
	c1 = ckpt_wait_counter_past(child, counter, c0, 10000);
	EXPECT_TRUE(c1 != (uint64_t)-1 && c1 > c0) TH_LOG("the restored copy stands still");
	EXPECT_TRUE(catches(child, SIGUSR1));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* Armed, then nobody, before the exec of the setuid-root copy. */
static int suid_prep(void)
{
	gid_t g = NOBODY;
	uid_t u = NOBODY;

	if (arm(SIGUSR1, SIG_CKPT))
		return 112;
	if (prctl(PR_SET_CKPT_SCOPE, CKPT_TREE, 0, 0, 0))
		return 113;
	if (prctl(PR_SET_CKPT_PATTERN, (unsigned long)"img.%p", 0, 0, 0))
		return 114;
	if (setgroups(0, NULL) || setresgid(g, g, g) || setresuid(u, u, u))
		return 115;
	return 0;
}

/*
 * A secure exec (a setuid-root copy of this program, run by nobody)
 * resets the dispositions, the scope and the pattern: SIGUSR1 is no
 * longer caught, the scope is CKPT_PROCESS and the pattern "".
 */
TEST_F(sig, secure_exec_resets_dispositions_scope_and_pattern)
{
	struct exec_report r;
	char prog[128];
	struct statvfs sv;
	pid_t child;
	int fd;

	ASSERT_EQ(0, statvfs(self->dir, &sv));
	if (sv.f_flag & ST_NOSUID)
		SKIP(return, "/tmp is mounted nosuid: no setuid program can run from it");
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(prog, sizeof(prog), "%s/suid-copy", self->dir);
	ASSERT_EQ(0, copy_self(prog, 04755)) TH_LOG("copy to %s: %s", prog, strerror(errno));

	child = spawn_exec(prog, EXEC_REPORT_ARG, suid_prep, &fd);
	ASSERT_GT(child, 0);
	if (read_report(fd, &r)) {
		int status = ckpt_reap(child);

		if (status == EXEC_FAILED)
			SKIP(return, "nobody cannot exec %s", prog);
		ASSERT_TRUE(false) TH_LOG("no report; child status %d", status);
	}
	EXPECT_EQ(0, ckpt_reap(child));
	if (r.euid != 0 || r.ruid != NOBODY)
		SKIP(return, "the copy did not run setuid root (ruid %d, euid %d)", r.ruid,
		     r.euid);
	EXPECT_FALSE(r.catches_usr1) TH_LOG("SIG_CKPT survived a setuid exec");
	EXPECT_EQ(CKPT_PROCESS, r.scope);
	EXPECT_EQ(0, r.pattern_len);
	EXPECT_STREQ("", r.pattern);
	EXPECT_EQ(0, r.notify);
}

/* --------------------------------------------------------------------
 * Jobs
 */

enum { G_LEADER = 1, G_M1, G_M2, G_COUNT = G_M2 };

static int grp_member(int role)
{
	CHILD_CHECK(3, prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0) == CKPT_PGRP,
		    "scope %d not inherited", prctl(PR_GET_CKPT_SCOPE, 0, 0, 0, 0));
	ckpt_member_wait(role);
	member_check_ids();
	return 0;
}

static int group_m1(void)
{
	return grp_member(G_M1);
}

static int group_m2(void)
{
	return grp_member(G_M2);
}

/* The leader of a new group: scope CKPT_PGRP, SIG_CKPT, then two members. */
static int group_leader(void *arg)
{
	pid_t a, b;

	(void)arg;
	CHILD_CHECK(1, !prctl(PR_SET_CKPT_SCOPE, CKPT_PGRP, 0, 0, 0), "PR_SET_CKPT_SCOPE: %s",
		    strerror(errno));
	child_arm(2, SIGUSR1, SIG_CKPT);
	a = member_fork(group_m1);
	b = member_fork(group_m2);
	ckpt_member_wait(G_LEADER);
	member_check_ids();
	reap_live(a);
	reap_live(b);
	return 0;
}

/*
 * kill(-pgid, SIGUSR1) to a group of three with scope CKPT_PGRP: one
 * image of the whole group (three processes), not one per member, and
 * the group runs on.  A second time: one more.  The second image
 * restarts the group, which then finishes correctly.
 */
TEST_F(sig, process_group_signalled_at_once_gives_one_image)
{
	char name[256], path[PATH_MAX], kept[PATH_MAX];
	struct ckpt_member m[8];
	struct ckpt_rec_header hdr;
	int n = 0, round, parts, fd;
	pid_t leader;

	set_pattern("grp.%p");
	leader = ckpt_job_spawn(group_leader, NULL, 0, NULL, 0, m, &n, 8);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(G_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	ASSERT_EQ(G_COUNT, ckpt_pgrp_count(leader));

	for (round = 1; round <= 2; round++) {
		ASSERT_EQ(0, kill(-leader, SIGUSR1));
		ASSERT_EQ(0, wait_entry(self->dir, "grp.", IMAGE_WAIT_MS));
		/* Every member has had its SIGUSR1, and sleeps again. */
		ASSERT_EQ(0, job_quiet(m, n, SIGUSR1, 20000));
		ckpt_sleep_ms(300);
		EXPECT_EQ(1, count_entries(self->dir, "grp.", &parts, name, sizeof(name)))
			TH_LOG("round %d", round);
		EXPECT_EQ(0, parts);
		snprintf(path, sizeof(path), "%s/%s", self->dir, name);
		ASSERT_EQ(0, image_check(path, &hdr));
		EXPECT_EQ(G_COUNT, (int)hdr.nr_tasks);
		EXPECT_EQ(leader, hdr.root_pid);
		EXPECT_EQ(CKPT_PGRP, (int)(hdr.flags & CKPT_SCOPE_MASK));
		EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
		/* Out of the way of the next round. */
		snprintf(kept, sizeof(kept), "%s/round%d.ckpt", self->dir, round);
		ASSERT_EQ(0, rename(path, kept));
	}
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, ckpt_reap(leader));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));

	fd = open(kept, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(G_COUNT, ckpt_pgrp_count(leader));
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, ckpt_reap(leader));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

enum { T_A = 1, T_B, T_C, T_COUNT = T_C };

static int tree_c(void)
{
	ckpt_member_wait(T_C);
	member_check_ids();
	return 0;
}

static int tree_b(void)
{
	pid_t c = member_fork(tree_c);

	ckpt_member_wait(T_B);
	member_check_ids();
	reap_live(c);
	return 0;
}

/* The anchor: CKPT_TREE, SIG_CKPT_KILL, then B, which forks C. */
static int tree_a(void *arg)
{
	pid_t b;

	(void)arg;
	CHILD_CHECK(1, !prctl(PR_SET_CKPT_SCOPE, CKPT_TREE, 0, 0, 0), "PR_SET_CKPT_SCOPE: %s",
		    strerror(errno));
	child_arm(2, SIGUSR1, SIG_CKPT_KILL);
	b = member_fork(tree_b);
	ckpt_member_wait(T_A);
	member_check_ids();
	reap_live(b);
	return 0;
}

/*
 * A -> B -> C, A anchoring the tree (CKPT_TREE, inherited by B and C
 * with A as the root): SIGUSR1 to the grandchild C saves the whole tree
 * in one image, and SIG_CKPT_KILL ends all three with CLD_CKPTED.
 * restart(2) of the image brings back the three, same pids and parents,
 * which then finish correctly.
 */
TEST_F(sig, tree_scope_signal_to_a_grandchild_saves_and_ends_the_tree)
{
	struct ckpt_rec_header hdr;
	struct ckpt_member m[8];
	char path[PATH_MAX];
	int n = 0, i, c, fd;
	siginfo_t si;
	pid_t a;

	/* B and C, orphaned when A ends, come to us. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	set_pattern("tree.%p");
	a = ckpt_job_spawn(tree_a, NULL, 0, NULL, 0, m, &n, 8);
	ASSERT_GT(a, 0);
	ASSERT_EQ(T_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	c = ckpt_job_find(m, n, T_C);
	ASSERT_LE(0, c);
	ASSERT_EQ(m[ckpt_job_find(m, n, T_B)].pid, m[c].ppid);
	ASSERT_EQ(a, m[ckpt_job_find(m, n, T_B)].ppid);

	ASSERT_EQ(0, kill(m[c].pid, SIGUSR1));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, wait_end(m[i].pid, &si, false, IMAGE_WAIT_MS))
			TH_LOG("role %d", m[i].role);
		EXPECT_EQ(CLD_CKPTED, si.si_code) TH_LOG("role %d: si_code %d, si_status %d",
							 m[i].role, si.si_code, si.si_status);
		EXPECT_EQ(SIGUSR1, si.si_status) TH_LOG("role %d", m[i].role);
	}
	snprintf(path, sizeof(path), "%s/tree.%d", self->dir, (int)m[c].pid);
	ASSERT_EQ(0, image_check(path, &hdr));
	EXPECT_EQ(T_COUNT, (int)hdr.nr_tasks);
	EXPECT_EQ(a, hdr.root_pid);
	EXPECT_EQ(CKPT_TREE, (int)(hdr.flags & CKPT_SCOPE_MASK));
	EXPECT_EQ(1, count_entries(self->dir, NULL, NULL, NULL, 0));

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(a, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	for (i = 0; i < n; i++)
		EXPECT_TRUE(catches(m[i].pid, SIGUSR1)) TH_LOG("role %d", m[i].role);
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(a));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * Notification and critical sections, driven by checkpoint(2)
 */

/*
 * What the notification handler saw and did; the test peeks nt_count,
 * and nt_restarted for the notification a restart sends.
 */
static uint64_t nt_count, nt_restarted;
/* Written by the notification handler, read with CKPT_LOAD(). */
static int nt_code, nt_ret = -2, nt_errno;
/* Its answer: PR_CKPT_READY, PR_CKPT_NOT_NOW, or 0 for none. */
static int nt_answer;

static void nt_handler(int sig, siginfo_t *si, void *uc)
{
	int err = errno;

	(void)sig;
	(void)uc;
	if (si->si_code == SI_CKPT_RESTARTED) {
		__atomic_add_fetch(&nt_restarted, 1, __ATOMIC_SEQ_CST);
		return;
	}
	CKPT_STORE(nt_code, si->si_code);
	/* Counted before the answer, which lets the checkpointer go on. */
	__atomic_add_fetch(&nt_count, 1, __ATOMIC_SEQ_CST);
	if (nt_answer) {
		CKPT_STORE(nt_ret, prctl(nt_answer, 0, 0, 0, 0));
		CKPT_STORE(nt_errno, errno);
	}
	errno = err;
}

/* In a child: the handler, and NOTIFY_SIG registered. */
static void nt_register(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = nt_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(91, !sigaction(NOTIFY_SIG, &sa, NULL), "sigaction: %s", strerror(errno));
	CHILD_CHECK(92, !prctl(PR_SET_CKPT_NOTIFY, NOTIFY_SIG, 0, 0, 0),
		    "PR_SET_CKPT_NOTIFY: %s", strerror(errno));
	CHILD_CHECK(93, prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0) == NOTIFY_SIG,
		    "PR_GET_CKPT_NOTIFY: %d", prctl(PR_GET_CKPT_NOTIFY, 0, 0, 0, 0));
}

/* In a child, after the checkpoint: it was told, and its answer taken. */
static void nt_check(void)
{
	CHILD_CHECK(1, CKPT_LOAD(nt_count) >= 1, "no notification");
	CHILD_CHECK(2, CKPT_LOAD(nt_code) == SI_CKPT_PENDING,
		    "si_code %d, expected SI_CKPT_PENDING", CKPT_LOAD(nt_code));
	if (nt_answer)
		CHILD_CHECK(3, CKPT_LOAD(nt_ret) == 0, "the answer failed: %s",
			    strerror(CKPT_LOAD(nt_errno)));
	/* Nothing waits for an answer any more. */
	errno = 0;
	CHILD_CHECK(4, prctl(PR_CKPT_READY, 0, 0, 0, 0) == -1 && errno == EINVAL,
		    "PR_CKPT_READY after the checkpoint: %s", strerror(errno));
}

static int notified_main(void)
{
	nt_register();
	ckpt_child_wait();
	nt_check();
	return 0;
}

/*
 * A process registered for the notification gets its signal with
 * si_code SI_CKPT_PENDING when checkpoint(2) comes; its handler answers
 * PR_CKPT_READY and the checkpoint goes on at once (no "did not answer"
 * warning).
 */
TEST_F(sig, notification_answered_ready_lets_the_checkpoint_go)
{
	static char log[16384];
	pid_t child;

	nt_answer = PR_CKPT_READY;
	child = ckpt_spawn_main(notified_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	ASSERT_EQ(0, ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log)))
		TH_LOG("log: %s", log);
	EXPECT_EQ(NULL, strstr(log, "did not answer")) TH_LOG("log: %s", log);
	EXPECT_EQ(1ULL, ckpt_peek_u64(child, &nt_count));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * No answer within kernel.checkpoint_notify_timeout_ms (300 ms here):
 * the checkpoint goes on after it, with a warning in its log.
 */
TEST_F(sig, notification_not_answered_waits_for_the_timeout)
{
	static char log[16384];
	uint64_t t0, dt;
	pid_t child;

	ASSERT_EQ(0, short_notify_timeout(self->old_timeout, sizeof(self->old_timeout)))
		TH_LOG("%s: %s", TIMEOUT_SYSCTL, strerror(errno));
	nt_answer = 0;
	child = ckpt_spawn_main(notified_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	t0 = ckpt_now_ms();
	ASSERT_EQ(0, ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log)))
		TH_LOG("log: %s", log);
	dt = ckpt_now_ms() - t0;
	EXPECT_LE((uint64_t)SHORT_TIMEOUT_MIN_MS, dt)
		TH_LOG("took %llu ms", (unsigned long long)dt);
	EXPECT_NE(NULL, strstr(log, "did not answer")) TH_LOG("log: %s", log);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * The handler answers PR_CKPT_NOT_NOW: checkpoint(2) fails with EAGAIN,
 * its log says why, and the process runs on unharmed.
 */
TEST_F(sig, notification_answered_not_now_fails_with_eagain)
{
	static char log[16384];
	pid_t child;

	nt_answer = PR_CKPT_NOT_NOW;
	child = ckpt_spawn_main(notified_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	EXPECT_EQ(EAGAIN, ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log)))
		TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "PR_CKPT_NOT_NOW")) TH_LOG("log: %s", log);
	EXPECT_EQ(1ULL, ckpt_peek_u64(child, &nt_count));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* Set at the end of the critical section; what the image must show. */
static uint64_t cs_flag;

/*
 * In a critical section until a byte comes on fd 3 (the test's pipe),
 * notified (answering PR_CKPT_READY) meanwhile; then sets cs_flag,
 * closes the pipe (the job must hold none shared with the test) and
 * leaves the section.
 */
static int section_main(void *arg)
{
	ssize_t n;
	char c;

	(void)arg;
	nt_register();
	CHILD_CHECK(5, !prctl(PR_CKPT_BLOCK, 0, 0, 0, 0), "PR_CKPT_BLOCK: %s", strerror(errno));
	ckpt_member_report(1, 'S');
	do {
		n = read(3, &c, 1);
	} while (n < 0 && errno == EINTR);
	CHILD_CHECK(6, n == 1, "read: %zd (%s)", n, strerror(errno));
	close(3);
	CKPT_STORE(cs_flag, 1);
	CHILD_CHECK(7, !prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0), "PR_CKPT_UNBLOCK: %s",
		    strerror(errno));
	wait_woken();
	CHILD_CHECK(8, CKPT_LOAD(cs_flag) == 1, "cs_flag %llu",
		    (unsigned long long)CKPT_LOAD(cs_flag));
	nt_check();
	return 0;
}

struct section_ckpt {
	pid_t pid;
	int fd;
	long ret;
	int err;
	int done;
};

static void *section_checkpoint(void *arg)
{
	struct section_ckpt *s = arg;

	s->ret = ckpt_checkpoint(s->pid, s->fd, CKPT_CONTINUE);
	s->err = errno;
	CKPT_STORE(s->done, 1);
	return NULL;
}

/*
 * checkpoint(2) of a process inside a critical section (PR_CKPT_BLOCK)
 * waits until it leaves it: the checkpoint, started in a thread, has not
 * returned once the process was notified (and answered), and only ends
 * after the test let the process finish the section; the image has the
 * flag the section set last.
 */
TEST_F(sig, critical_section_delays_the_checkpoint_until_it_ends)
{
	struct section_ckpt s = { .fd = -1 };
	struct ckpt_member m[2];
	int n = 0, go[2];
	pthread_t t;
	uint64_t told;

	nt_answer = PR_CKPT_READY;
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	s.pid = ckpt_job_spawn(section_main, NULL, -1, &go[0], 1, m, &n, 2);
	close(go[0]);
	ASSERT_GT(s.pid, 0);
	ASSERT_EQ('S', ckpt_wait_state(s.pid, "S", 10000));
	s.fd = ckpt_image_open();
	ASSERT_LE(0, s.fd);

	ASSERT_EQ(0, pthread_create(&t, NULL, section_checkpoint, &s));
	/* Notified, answered: the checkpoint now waits for the section. */
	told = ckpt_wait_counter_past(s.pid, &nt_count, 0, 20000);
	EXPECT_TRUE(told != (uint64_t)-1 && told > 0) TH_LOG("no notification");
	EXPECT_EQ(0, CKPT_LOAD(s.done)) TH_LOG("the checkpoint did not wait");
	EXPECT_EQ(0ULL, ckpt_peek_u64(s.pid, &cs_flag));
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	ASSERT_EQ(0, ckpt_join_timed(t, NULL, 60000));
	EXPECT_EQ(0, s.ret) TH_LOG("checkpoint: %s", strerror(s.err));
	EXPECT_EQ(1ULL, ckpt_peek_u64(s.pid, &cs_flag));
	EXPECT_EQ(0, ckpt_wake_reap(s.pid));

	/* The image was taken after the section. */
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(s.pid, ckpt_restart(s.fd, 0));
	EXPECT_EQ(1ULL, ckpt_peek_u64(s.pid, &cs_flag));
	/* The restored process is told it was restarted, once. */
	EXPECT_EQ(1ULL, ckpt_wait_counter_past(s.pid, &nt_restarted, 0, 20000));
	EXPECT_EQ(1ULL, ckpt_peek_u64(s.pid, &nt_count));
	EXPECT_EQ(0, ckpt_wake_reap(s.pid));
	close(s.fd);
}

/* In a critical section until woken; then leaves it, enters and leaves again. */
static int long_section_main(void)
{
	CHILD_CHECK(5, !prctl(PR_CKPT_BLOCK, 0, 0, 0, 0), "PR_CKPT_BLOCK: %s", strerror(errno));
	ckpt_child_wait();
	CHILD_CHECK(6, !prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0), "PR_CKPT_UNBLOCK: %s",
		    strerror(errno));
	/* No checkpoint is pending any more: this does not wait. */
	CHILD_CHECK(7, !prctl(PR_CKPT_BLOCK, 0, 0, 0, 0), "PR_CKPT_BLOCK: %s", strerror(errno));
	CHILD_CHECK(8, !prctl(PR_CKPT_UNBLOCK, 0, 0, 0, 0), "PR_CKPT_UNBLOCK: %s",
		    strerror(errno));
	return 0;
}

/*
 * A critical section longer than kernel.checkpoint_notify_timeout_ms
 * (300 ms here): checkpoint(2) gives up after it with EAGAIN, its log
 * names the critical section, and the process runs on unharmed.
 */
TEST_F(sig, critical_section_longer_than_the_timeout_fails_with_eagain)
{
	static char log[16384];
	uint64_t t0, dt;
	pid_t child;

	ASSERT_EQ(0, short_notify_timeout(self->old_timeout, sizeof(self->old_timeout)))
		TH_LOG("%s: %s", TIMEOUT_SYSCTL, strerror(errno));
	child = ckpt_spawn_main(long_section_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	t0 = ckpt_now_ms();
	EXPECT_EQ(EAGAIN, ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log)))
		TH_LOG("log: %s", log);
	dt = ckpt_now_ms() - t0;
	EXPECT_LE((uint64_t)SHORT_TIMEOUT_MIN_MS, dt)
		TH_LOG("took %llu ms", (unsigned long long)dt);
	EXPECT_NE(NULL, strstr(log, "critical section")) TH_LOG("log: %s", log);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], EXEC_LOOP_ARG))
		return exec_loop_main();
	if (argc == 2 && !strcmp(argv[1], EXEC_REPORT_ARG))
		return exec_report_main();
	return test_harness_run(argc, argv);
}
