// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: processes frozen in slow system calls.
 *
 * A process checkpointed (CKPT_KILL) while it is blocked in a system
 * call and then restarted must carry on as if it had only been stopped
 * and continued: the call does not fail with EINTR and gives the result
 * it would have given without the checkpoint.  Covered here:
 *
 *  - read() on an empty pipe and write() on a full one, the other end
 *    being held by a second process of the same job (CKPT_TREE and
 *    CKPT_PGRP), which does its part only after the restart;
 *  - wait4() and waitid() on a child (of the job) that exits after the
 *    restart;
 *  - pause() and sigsuspend(): a signal sent after the restart wakes the
 *    process, the handler runs once, sigsuspend()'s temporary mask holds
 *    while it sleeps and the original mask is back when it returns;
 *  - poll() without a timeout, and FUTEX_WAIT without a timeout (woken
 *    by another thread of the process after the restart);
 *  - timed calls: nanosleep(), clock_nanosleep() on CLOCK_MONOTONIC and
 *    CLOCK_REALTIME (relative) and with TIMER_ABSTIME, poll(), select()
 *    and ppoll() with a timeout, FUTEX_WAIT with a relative timeout and
 *    FUTEX_WAIT_BITSET with an absolute one.  Each asks for SLEEP_MS,
 *    is checkpointed after FROZEN_AFTER_MS, stays checkpointed for longer
 *    than what is left, and must end that long after the restart: not
 *    at once (the sleep was lost, or the time spent checkpointed was
 *    counted), not after the whole duration again (it was restarted
 *    from the start), and without EINTR.  clock_nanosleep() with
 *    TIMER_ABSTIME is the exception: its deadline is absolute, as
 *    across a stop and continue, so it ends as soon as the job runs;
 *  - epoll_wait(), which Linux ends with EINTR after SIGSTOP/SIGCONT
 *    (signal(7)): after a restart it must do the same, compared with a
 *    run stopped and continued, and with a control run where it simply
 *    goes on waiting;
 *  - CKPT_CONTINUE of a process in nanosleep(): the sleep is neither
 *    shortened nor lengthened, and does not fail.
 *
 * System calls are made with syscall(2), so that the one named is the
 * one tested (the C library implements some of them with others).  The
 * test sees that a process is blocked in a call through
 * /proc/PID/syscall.  A process of the job that is not the test's child
 * (a "helper", forked by the test child) is reaped by the test as a
 * child subreaper once the checkpoint killed it, so that its PID is free
 * for the restart.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <linux/futex.h>

#include "ckpt_test.h"

/* Timed cases take about 7 s each under TCG. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

/* What a timed call asks for, and when it is checkpointed. */
#define SLEEP_MS		4000
#define FROZEN_AFTER_MS		2500
/* Wake-up latency allowed on top of the time that was left. */
#define SLACK_MS		1500
/* How long a restored process must be seen still blocked. */
#define STILL_MS		300

#define MSG			"written after the restart"

/* --------------------------------------------------------------------
 * Helpers
 */

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The calling thread's blocked mask, as the kernel has it. */
static uint64_t kmask(void)
{
	uint64_t mask = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
	return mask;
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The "SigBlk"-style hex mask of /proc/@pid/status, ~0 if unreadable. */
static uint64_t status_mask(pid_t pid, const char *field)
{
	char val[64];

	if (ckpt_status_field(pid, field, val, sizeof(val)))
		return ~0ULL;
	return strtoull(val, NULL, 16);
}

/*
 * The system call thread @tid (0: the main thread) of @pid is blocked
 * in, from /proc/PID/syscall: -1 if it is running or not in a call, -2
 * if the file cannot be read.
 */
static long proc_syscall(pid_t pid, pid_t tid)
{
	char path[80], buf[256];

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall",
			 (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (ckpt_read_file(path, buf, sizeof(buf)) < 0)
		return -2;
	if (!isdigit((unsigned char)buf[0]))
		return -1;
	return strtol(buf, NULL, 10);
}

/* Wait up to @ms for @pid to sleep ('S') in system call @nr or @alt. */
static bool wait_in_either(pid_t pid, long nr, long alt, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	long cur;

	for (;;) {
		cur = proc_syscall(pid, 0);
		if ((cur == nr || cur == alt) && ckpt_proc_state(pid) == 'S')
			return true;
		if (ckpt_now_ms() >= end)
			break;
		ckpt_sleep_ms(5);
	}
	ckpt_msg("%d is not blocked in system call %ld: in %ld, state %c",
		 (int)pid, nr, cur, ckpt_proc_state(pid) ?: '?');
	return false;
}

static bool wait_in_syscall(pid_t pid, long nr, unsigned int ms)
{
	return wait_in_either(pid, nr, nr, ms);
}

/* Has our child @pid exited?  It is left waitable. */
static bool exited(pid_t pid, int *status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL))
		return errno == ECHILD;
	if (si.si_pid != pid)
		return false;
	if (status)
		*status = si.si_code == CLD_EXITED ? si.si_status :
			  128 + si.si_status;
	return true;
}

/*
 * After a restart: is @pid, a moment later, still alive and blocked in
 * system call @nr, or in @alt: restart_syscall(2) for calls that resume
 * through it after SIGCONT (poll() does even without a timeout)?
 */
static bool still_in_either(pid_t pid, long nr, long alt)
{
	int status = -1;

	ckpt_sleep_ms(STILL_MS);
	if (exited(pid, &status)) {
		ckpt_msg("restored %d left its call and exited (status %d)",
			 (int)pid, status);
		return false;
	}
	return wait_in_either(pid, nr, alt, 5000);
}

static bool still_in_syscall(pid_t pid, long nr)
{
	return still_in_either(pid, nr, nr);
}

/*
 * Wait up to @ms for our child @pid to exit; its verdict as ckpt_reap()
 * gives it, with the time it was seen gone in @when.  On a timeout it
 * is killed and -2 is returned.
 */
static int wait_exit(pid_t pid, unsigned int ms, uint64_t *when)
{
	uint64_t end = ckpt_now_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG | __WALL);
		if (r == pid) {
			if (when)
				*when = ckpt_now_ms();
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			if (WIFSIGNALED(status))
				return 128 + WTERMSIG(status);
			return -1;
		}
		if (r < 0) {
			ckpt_msg("waitpid(%d): %s", (int)pid, strerror(errno));
			return -1;
		}
		if (ckpt_now_ms() >= end) {
			ckpt_msg("%d still there after %u ms (state %c, in call %ld)",
				 (int)pid, ms, ckpt_proc_state(pid) ?: '?',
				 proc_syscall(pid, 0));
			ckpt_kill_reap(pid);
			return -2;
		}
		ckpt_sleep_ms(5);
	}
}

/*
 * Wait up to @ms for process @pid (not necessarily our child) to be gone,
 * reaping it if it became ours.  0 once gone, -1 on a timeout.
 */
static int wait_gone(pid_t pid, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, NULL, WNOHANG | __WALL);
		if (r == pid || (r < 0 && !ckpt_pid_exists(pid)))
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("%d is still there", (int)pid);
			return -1;
		}
		ckpt_sleep_ms(5);
	}
}

/* Reap whatever was left to us (subreaper). */
static void reap_leftovers(void)
{
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
}

/* The only child of @pid (a test child's helper), or -1. */
static pid_t helper_of(pid_t pid)
{
	pid_t kid;

	if (ckpt_children_of(pid, &kid, 1) != 1) {
		ckpt_msg("%d does not have exactly one child", (int)pid);
		return -1;
	}
	return kid;
}

/* Times of one checkpoint/kill/restart cycle (ckpt_now_ms()). */
struct cycle {
	unsigned int gap_ms;	/* at least this long between the two */
	uint64_t t_ck0, t_ck1;	/* checkpoint() called, returned */
	uint64_t t_rs0, t_rs1;	/* restart() called, returned */
};

/*
 * checkpoint(@pid, @scope | CKPT_KILL), reap @pid (our child) and wait
 * for the @nothers other processes of the job to be gone, wait until
 * @c->gap_ms after the checkpoint, and restart the image, which must
 * give back @pid.  0, or a CKPT_CYCLE_* error.
 */
static int kill_and_restart(pid_t pid, unsigned int scope,
			    const pid_t *others, int nothers, struct cycle *c)
{
	uint64_t until;
	int fd, i, ret;

	fd = ckpt_image_open();
	if (fd < 0)
		return CKPT_CYCLE_EIMAGE;
	c->t_ck0 = ckpt_now_ms();
	if (ckpt_checkpoint(pid, fd, scope | CKPT_KILL)) {
		close(fd);
		return CKPT_CYCLE_ECHECKPOINT;
	}
	c->t_ck1 = ckpt_now_ms();
	ret = ckpt_reap(pid);
	if (ret != 128 + SIGKILL) {
		ckpt_msg("original %d: status %d instead of SIGKILL", (int)pid,
			 ret);
		close(fd);
		return CKPT_CYCLE_EKILL;
	}
	for (i = 0; i < nothers; i++) {
		if (wait_gone(others[i], 10000)) {
			close(fd);
			return CKPT_CYCLE_EKILL;
		}
	}
	until = c->t_ck1 + c->gap_ms;
	while (ckpt_now_ms() < until)
		ckpt_sleep_ms(until - ckpt_now_ms());
	c->t_rs0 = ckpt_now_ms();
	ret = ckpt_restart_as(fd, pid, 0);
	c->t_rs1 = ckpt_now_ms();
	close(fd);
	return ret < 0 ? ret : 0;
}

/* Make the test a child subreaper: the job's helpers come back to it. */
static bool subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		ckpt_msg("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		return false;
	}
	return true;
}

/* --------------------------------------------------------------------
 * In the test child
 */

/*
 * Fork a helper process of the job, which runs @fn and exits with its
 * value.  It drops the readiness pipe (held by the test, outside the
 * job) and dies with the test child.
 */
static pid_t fork_helper(int (*fn)(void))
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	if (ckpt_ready_fd >= 0) {
		close(ckpt_ready_fd);
		ckpt_ready_fd = -1;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(CKPT_EXIT_INIT);
	_exit(fn());
}

static int pipe_fds[2];

/* Helper: once woken by SIGUSR2, write MSG into the pipe and exit. */
static int writer_main(void)
{
	close(pipe_fds[0]);
	ckpt_child_wait();
	CHILD_CHECK(50, !ckpt_write_all(pipe_fds[1], MSG, strlen(MSG)),
		    "writer: %s", strerror(errno));
	return 0;
}

/* Helper: once woken by SIGUSR2, exit with status 42. */
static int exiter_main(void)
{
	ckpt_child_wait();
	return 42;
}

/* --------------------------------------------------------------------
 * Pipes
 */

static int read_main(void)
{
	char buf[128];
	int err, status;
	pid_t w;
	long n;

	CHILD_CHECK(1, !pipe(pipe_fds), "pipe: %s", strerror(errno));
	w = fork_helper(writer_main);
	CHILD_CHECK(1, w > 0, "fork: %s", strerror(errno));
	close(pipe_fds[1]);
	ckpt_child_ready();

	n = syscall(SYS_read, pipe_fds[0], buf, sizeof(buf));
	err = errno;
	CHILD_CHECK(2, n >= 0, "read() = %ld (%s)", n, strerror(err));
	CHILD_CHECK(3, n == (long)strlen(MSG) && !memcmp(buf, MSG, n),
		    "read() = %ld: '%.*s'", n, (int)n, buf);
	status = ckpt_reap(w);
	CHILD_CHECK(4, status == 0, "writer: status %d", status);
	return 0;
}

TEST(read_on_empty_pipe_gets_data_written_after_restart)
{
	struct cycle c = { 0 };
	pid_t child, w;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(subreaper());
	child = ckpt_spawn_main(read_main);
	ASSERT_GT(child, 0);
	w = helper_of(child);
	ASSERT_GT(w, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_read, 10000));
	ASSERT_TRUE(wait_in_syscall(w, SYS_rt_sigsuspend, 10000));

	ASSERT_EQ(0, kill_and_restart(child, CKPT_TREE, &w, 1, &c));
	EXPECT_TRUE(still_in_syscall(child, SYS_read));
	EXPECT_TRUE(wait_in_syscall(w, SYS_rt_sigsuspend, 5000));
	EXPECT_EQ(0, kill(w, CKPT_WAKE_SIG));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
	reap_leftovers();
}

#define EXTRA_LEN	100	/* bytes of the write blocked on the full pipe */

static size_t pipe_filled;	/* bytes in the pipe before that write */

static uint8_t pipe_byte(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

/* Helper: once woken, read the whole stream and check every byte. */
static int drain_main(void)
{
	static uint8_t buf[8192];
	size_t total = 0;
	ssize_t n, i;

	close(pipe_fds[1]);
	ckpt_child_wait();
	for (;;) {
		n = read(pipe_fds[0], buf, sizeof(buf));
		CHILD_CHECK(50, n >= 0, "reader: %s", strerror(errno));
		if (!n)
			break;
		for (i = 0; i < n; i++)
			CHILD_CHECK(51, buf[i] == pipe_byte(total + i),
				    "reader: byte %zu is %#x, expected %#x",
				    total + i, buf[i], pipe_byte(total + i));
		total += n;
	}
	CHILD_CHECK(52, total == pipe_filled + EXTRA_LEN,
		    "reader: %zu bytes, expected %zu", total,
		    pipe_filled + EXTRA_LEN);
	return 0;
}

static int write_main(void)
{
	uint8_t chunk[4096], extra[EXTRA_LEN];
	int fl, err, status;
	size_t i;
	pid_t w;
	long n;

	CHILD_CHECK(1, !setpgid(0, 0), "setpgid: %s", strerror(errno));
	CHILD_CHECK(1, !pipe(pipe_fds), "pipe: %s", strerror(errno));
	fl = fcntl(pipe_fds[1], F_GETFL);
	CHILD_CHECK(1, fl >= 0 && !fcntl(pipe_fds[1], F_SETFL, fl | O_NONBLOCK),
		    "O_NONBLOCK: %s", strerror(errno));
	for (;;) {
		for (i = 0; i < sizeof(chunk); i++)
			chunk[i] = pipe_byte(pipe_filled + i);
		n = write(pipe_fds[1], chunk, sizeof(chunk));
		if (n < 0)
			break;
		pipe_filled += n;
		CHILD_CHECK(1, pipe_filled < (1 << 24), "the pipe never fills");
	}
	CHILD_CHECK(1, errno == EAGAIN && pipe_filled > 0,
		    "filling the pipe: %s", strerror(errno));
	CHILD_CHECK(1, !fcntl(pipe_fds[1], F_SETFL, fl), "F_SETFL: %s",
		    strerror(errno));
	for (i = 0; i < EXTRA_LEN; i++)
		extra[i] = pipe_byte(pipe_filled + i);
	w = fork_helper(drain_main);
	CHILD_CHECK(1, w > 0, "fork: %s", strerror(errno));
	close(pipe_fds[0]);
	ckpt_child_ready();

	n = syscall(SYS_write, pipe_fds[1], extra, EXTRA_LEN);
	err = errno;
	CHILD_CHECK(2, n == EXTRA_LEN, "write() = %ld (%s)", n, strerror(err));
	close(pipe_fds[1]);
	status = ckpt_reap(w);
	CHILD_CHECK(3, status == 0, "reader: status %d", status);
	return 0;
}

TEST(write_on_full_pipe_completes_once_drained_after_restart)
{
	struct cycle c = { 0 };
	pid_t child, w;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(subreaper());
	child = ckpt_spawn_main(write_main);
	ASSERT_GT(child, 0);
	w = helper_of(child);
	ASSERT_GT(w, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_write, 10000));
	ASSERT_TRUE(wait_in_syscall(w, SYS_rt_sigsuspend, 10000));

	/* The job is the child's process group: the child and its reader. */
	ASSERT_EQ(0, kill_and_restart(child, CKPT_PGRP, &w, 1, &c));
	EXPECT_TRUE(still_in_syscall(child, SYS_write));
	EXPECT_TRUE(wait_in_syscall(w, SYS_rt_sigsuspend, 5000));
	EXPECT_EQ(0, kill(w, CKPT_WAKE_SIG));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
	reap_leftovers();
}

/* poll() without a timeout on the pipe; the helper writes. */
static int poll_forever_main(void)
{
	struct pollfd pfd;
	char buf[128];
	int err, status;
	pid_t w;
	long n;

	CHILD_CHECK(1, !setpgid(0, 0), "setpgid: %s", strerror(errno));
	CHILD_CHECK(1, !pipe(pipe_fds), "pipe: %s", strerror(errno));
	w = fork_helper(writer_main);
	CHILD_CHECK(1, w > 0, "fork: %s", strerror(errno));
	close(pipe_fds[1]);
	pfd.fd = pipe_fds[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	ckpt_child_ready();

	n = syscall(SYS_poll, &pfd, 1, -1);
	err = errno;
	CHILD_CHECK(2, n == 1 && (pfd.revents & POLLIN),
		    "poll() = %ld (%s), revents %#x", n, strerror(err),
		    pfd.revents);
	n = read(pipe_fds[0], buf, sizeof(buf));
	CHILD_CHECK(3, n == (long)strlen(MSG) && !memcmp(buf, MSG, n),
		    "read() = %ld", n);
	status = ckpt_reap(w);
	CHILD_CHECK(4, status == 0, "writer: status %d", status);
	return 0;
}

TEST(poll_without_timeout_returns_the_event_after_restart)
{
	struct cycle c = { 0 };
	pid_t child, w;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(subreaper());
	child = ckpt_spawn_main(poll_forever_main);
	ASSERT_GT(child, 0);
	w = helper_of(child);
	ASSERT_GT(w, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_poll, 10000));
	ASSERT_TRUE(wait_in_syscall(w, SYS_rt_sigsuspend, 10000));

	ASSERT_EQ(0, kill_and_restart(child, CKPT_PGRP, &w, 1, &c));
	EXPECT_TRUE(still_in_either(child, SYS_poll, SYS_restart_syscall));
	EXPECT_EQ(0, kill(w, CKPT_WAKE_SIG));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
	reap_leftovers();
}

/* --------------------------------------------------------------------
 * Waiting for a child
 */

static int wait4_main(void)
{
	struct rusage ru;
	int status = 0, err;
	pid_t w;
	long r;

	w = fork_helper(exiter_main);
	CHILD_CHECK(1, w > 0, "fork: %s", strerror(errno));
	ckpt_child_ready();

	r = syscall(SYS_wait4, w, &status, 0, &ru);
	err = errno;
	CHILD_CHECK(2, r == w, "wait4(%d) = %ld (%s)", (int)w, r, strerror(err));
	CHILD_CHECK(3, WIFEXITED(status) && WEXITSTATUS(status) == 42,
		    "status %#x, expected exit 42", status);
	return 0;
}

static int waitid_main(void)
{
	siginfo_t si;
	int err;
	pid_t w;
	long r;

	w = fork_helper(exiter_main);
	CHILD_CHECK(1, w > 0, "fork: %s", strerror(errno));
	memset(&si, 0, sizeof(si));
	ckpt_child_ready();

	r = syscall(SYS_waitid, P_PID, w, &si, WEXITED, NULL);
	err = errno;
	CHILD_CHECK(2, r == 0, "waitid(%d) = %ld (%s)", (int)w, r, strerror(err));
	CHILD_CHECK(3, si.si_signo == SIGCHLD && si.si_pid == w &&
		    si.si_code == CLD_EXITED && si.si_status == 42,
		    "signo %d pid %d code %d status %d", si.si_signo,
		    (int)si.si_pid, si.si_code, si.si_status);
	return 0;
}

static void wait_case(struct __test_metadata *_metadata, int (*fn)(void),
		      long nr)
{
	struct cycle c = { 0 };
	pid_t child, w;

	ASSERT_TRUE(subreaper());
	child = ckpt_spawn_main(fn);
	ASSERT_GT(child, 0);
	w = helper_of(child);
	ASSERT_GT(w, 0);
	ASSERT_TRUE(wait_in_syscall(child, nr, 10000));
	ASSERT_TRUE(wait_in_syscall(w, SYS_rt_sigsuspend, 10000));

	ASSERT_EQ(0, kill_and_restart(child, CKPT_TREE, &w, 1, &c));
	EXPECT_TRUE(still_in_syscall(child, nr));
	EXPECT_EQ(0, kill(w, CKPT_WAKE_SIG));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
	reap_leftovers();
}

TEST(wait4_gets_the_child_that_exits_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	wait_case(_metadata, wait4_main, SYS_wait4);
}

TEST(waitid_gets_the_child_that_exits_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	wait_case(_metadata, waitid_main, SYS_waitid);
}

/* --------------------------------------------------------------------
 * pause() and sigsuspend()
 */

/* Written by the handlers: read them with CKPT_LOAD(). */
static int usr1_count, term_count, sig_seq, usr1_seq, term_seq;

static void usr1_handler(int sig)
{
	(void)sig;
	__atomic_add_fetch(&usr1_count, 1, __ATOMIC_SEQ_CST);
	CKPT_STORE(usr1_seq, __atomic_add_fetch(&sig_seq, 1, __ATOMIC_SEQ_CST));
}

static void term_handler(int sig)
{
	(void)sig;
	__atomic_add_fetch(&term_count, 1, __ATOMIC_SEQ_CST);
	CKPT_STORE(term_seq, __atomic_add_fetch(&sig_seq, 1, __ATOMIC_SEQ_CST));
}

static int handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int pause_main(void)
{
	int err;
	long r;

	CHILD_CHECK(1, !handle(SIGUSR1, usr1_handler), "sigaction");
	ckpt_child_ready();

	r = syscall(SYS_pause);
	err = errno;
	CHILD_CHECK(2, r == -1 && err == EINTR, "pause() = %ld (%s)", r,
		    strerror(err));
	CHILD_CHECK(3, CKPT_LOAD(usr1_count) == 1,
		    "SIGUSR1 handled %d times", CKPT_LOAD(usr1_count));
	return 0;
}

TEST(pause_sleeps_on_after_restart_until_a_signal)
{
	struct cycle c = { 0 };
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(pause_main);
	ASSERT_GT(child, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_pause, 10000));
	ASSERT_EQ(0, kill_and_restart(child, CKPT_PROCESS, NULL, 0, &c));
	EXPECT_TRUE(still_in_syscall(child, SYS_pause));
	EXPECT_EQ(0, kill(child, SIGUSR1));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
}

/*
 * Mask outside the call: SIGUSR2 (the harness') and SIGUSR1.  Inside
 * sigsuspend(): SIGUSR2 and SIGTERM.  The test sends SIGTERM, which must
 * not wake the restored process, then SIGUSR1, which wakes it; SIGTERM
 * is delivered once the original mask is back.
 */
static int sigsuspend_main(void)
{
	uint64_t before, after, tmp;
	sigset_t set;
	int err;
	long r;

	CHILD_CHECK(1, !handle(SIGUSR1, usr1_handler), "sigaction");
	CHILD_CHECK(1, !handle(SIGTERM, term_handler), "sigaction");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	before = kmask();
	CHILD_CHECK(1, before == (sigbit(SIGUSR1) | sigbit(SIGUSR2)),
		    "mask %#llx", (unsigned long long)before);
	tmp = sigbit(SIGUSR2) | sigbit(SIGTERM);
	ckpt_child_ready();

	r = syscall(SYS_rt_sigsuspend, &tmp, 8);
	err = errno;
	after = kmask();
	CHILD_CHECK(2, r == -1 && err == EINTR, "sigsuspend() = %ld (%s)", r,
		    strerror(err));
	CHILD_CHECK(3, CKPT_LOAD(usr1_count) == 1 && CKPT_LOAD(term_count) == 1,
		    "handled SIGUSR1 %d times, SIGTERM %d times",
		    CKPT_LOAD(usr1_count), CKPT_LOAD(term_count));
	CHILD_CHECK(4, CKPT_LOAD(usr1_seq) < CKPT_LOAD(term_seq),
		    "SIGTERM got through sigsuspend()'s mask before SIGUSR1");
	CHILD_CHECK(5, after == before,
		    "mask after sigsuspend() %#llx, was %#llx",
		    (unsigned long long)after, (unsigned long long)before);
	return 0;
}

TEST(sigsuspend_keeps_its_mask_after_restart_and_restores_the_old_one)
{
	struct cycle c = { 0 };
	uint64_t blk = 0, end;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(sigsuspend_main);
	ASSERT_GT(child, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_rt_sigsuspend, 10000));
	ASSERT_EQ(sigbit(SIGUSR2) | sigbit(SIGTERM),
		  status_mask(child, "SigBlk"));
	ASSERT_EQ(0, kill_and_restart(child, CKPT_PROCESS, NULL, 0, &c));

	EXPECT_TRUE(still_in_syscall(child, SYS_rt_sigsuspend));
	/* Back in the call, with its temporary mask. */
	end = ckpt_now_ms() + 5000;
	do {
		blk = status_mask(child, "SigBlk");
		if (blk == (sigbit(SIGUSR2) | sigbit(SIGTERM)))
			break;
		ckpt_sleep_ms(10);
	} while (ckpt_now_ms() < end);
	EXPECT_EQ(sigbit(SIGUSR2) | sigbit(SIGTERM), blk);
	EXPECT_EQ(0, kill(child, SIGTERM));
	EXPECT_TRUE(still_in_syscall(child, SYS_rt_sigsuspend));
	EXPECT_EQ(0, kill(child, SIGUSR1));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
}

/* --------------------------------------------------------------------
 * FUTEX_WAIT without a timeout, woken by another thread
 */

static uint32_t fx_word;
static pid_t fx_tid;

/* Waits for SIGUSR2 (blocked in the main thread), then wakes it. */
static void *fx_waker(void *arg)
{
	sigset_t mask;

	(void)arg;
	CKPT_STORE(fx_tid, gettid());
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	sigdelset(&mask, CKPT_WAKE_SIG);
	while (!CKPT_LOAD(ckpt_woken))
		sigsuspend(&mask);
	CKPT_STORE(fx_word, 1);
	syscall(SYS_futex, &fx_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	return NULL;
}

/* Wait up to 10 s for thread *@tid of ours to block in call @nr. */
static bool thread_in_syscall(pid_t *tid, long nr)
{
	uint64_t end = ckpt_now_ms() + 10000;

	while (ckpt_now_ms() < end) {
		if (CKPT_LOAD(*tid) &&
		    proc_syscall(getpid(), CKPT_LOAD(*tid)) == nr)
			return true;
		ckpt_sleep_ms(2);
	}
	return false;
}

static int futex_main(void)
{
	pthread_t th;
	int err;
	long r;

	CHILD_CHECK(1, !pthread_create(&th, NULL, fx_waker, NULL),
		    "pthread_create");
	CHILD_CHECK(1, thread_in_syscall(&fx_tid, SYS_rt_sigsuspend),
		    "the waker thread does not wait");
	ckpt_child_ready();

	r = syscall(SYS_futex, &fx_word, FUTEX_WAIT, 0, NULL, NULL, 0);
	err = errno;
	CHILD_CHECK(2, r == 0, "futex(FUTEX_WAIT) = %ld (%s)", r, strerror(err));
	CHILD_CHECK(3, CKPT_LOAD(fx_word) == 1, "returned with the word at %u",
		    CKPT_LOAD(fx_word));
	CHILD_CHECK(4, !pthread_join(th, NULL), "pthread_join");
	return 0;
}

TEST(futex_wait_without_timeout_is_woken_after_restart)
{
	struct cycle c = { 0 };
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(futex_main);
	ASSERT_GT(child, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_futex, 10000));
	ASSERT_EQ(0, kill_and_restart(child, CKPT_PROCESS, NULL, 0, &c));
	EXPECT_TRUE(still_in_syscall(child, SYS_futex));
	/* Process-directed: only the waker thread takes it. */
	EXPECT_EQ(0, kill(child, CKPT_WAKE_SIG));
	EXPECT_EQ(0, wait_exit(child, 20000, NULL));
}

/* --------------------------------------------------------------------
 * Timed calls
 */

enum timed_kind {
	T_NANOSLEEP,
	T_CLOCK_MONOTONIC,
	T_CLOCK_REALTIME,
	T_CLOCK_ABSTIME,
	T_POLL,
	T_SELECT,
	T_PPOLL,
	T_FUTEX,
	T_FUTEX_BITSET_ABS,
};

static const char * const timed_name[] = {
	[T_NANOSLEEP] = "nanosleep",
	[T_CLOCK_MONOTONIC] = "clock_nanosleep(CLOCK_MONOTONIC)",
	[T_CLOCK_REALTIME] = "clock_nanosleep(CLOCK_REALTIME)",
	[T_CLOCK_ABSTIME] = "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)",
	[T_POLL] = "poll",
	[T_SELECT] = "select",
	[T_PPOLL] = "ppoll",
	[T_FUTEX] = "futex(FUTEX_WAIT)",
	[T_FUTEX_BITSET_ABS] = "futex(FUTEX_WAIT_BITSET)",
};

static const long timed_nr[] = {
	[T_NANOSLEEP] = SYS_nanosleep,
	[T_CLOCK_MONOTONIC] = SYS_clock_nanosleep,
	[T_CLOCK_REALTIME] = SYS_clock_nanosleep,
	[T_CLOCK_ABSTIME] = SYS_clock_nanosleep,
	[T_POLL] = SYS_poll,
	[T_SELECT] = SYS_select,
	[T_PPOLL] = SYS_ppoll,
	[T_FUTEX] = SYS_futex,
	[T_FUTEX_BITSET_ABS] = SYS_futex,
};

/* Set by the test before it forks the child. */
static int timed_kind;
static bool timed_check_upper;	/* also check it did not take too long */

static struct timespec ns_to_ts(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	return ts;
}

static bool is_abs(int kind)
{
	return kind == T_CLOCK_ABSTIME || kind == T_FUTEX_BITSET_ABS;
}

/*
 * Make the call timed_kind asks for, SLEEP_MS long and with nothing to
 * wake it, and check what it gave: its normal result after a timeout.
 */
static int timed_main(void)
{
	const int64_t full = SLEEP_MS * 1000000LL;
	const char *name = timed_name[timed_kind];
	struct timespec ts = ns_to_ts(full), rem = { 0, 0 };
	struct timeval tv = { SLEEP_MS / 1000, SLEEP_MS % 1000 * 1000 };
	uint64_t before, tmpmask;
	int64_t t0, el, deadline = 0;
	struct pollfd pfd;
	fd_set rfds;
	int p[2], err;
	long r = -1;

	CHILD_CHECK(1, !pipe(p), "pipe: %s", strerror(errno));
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	before = kmask();
	tmpmask = before | sigbit(SIGUSR1);
	if (is_abs(timed_kind)) {
		deadline = clock_ns(CLOCK_MONOTONIC) + full;
		ts = ns_to_ts(deadline);
	}
	ckpt_child_ready();

	t0 = clock_ns(CLOCK_MONOTONIC);
	switch (timed_kind) {
	case T_NANOSLEEP:
		r = syscall(SYS_nanosleep, &ts, &rem);
		break;
	case T_CLOCK_MONOTONIC:
		r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, &rem);
		break;
	case T_CLOCK_REALTIME:
		r = syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &ts, &rem);
		break;
	case T_CLOCK_ABSTIME:
		r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME,
			    &ts, NULL);
		break;
	case T_POLL:
		r = syscall(SYS_poll, &pfd, 1, SLEEP_MS);
		break;
	case T_SELECT:
		r = syscall(SYS_select, p[0] + 1, &rfds, NULL, NULL, &tv);
		break;
	case T_PPOLL:
		r = syscall(SYS_ppoll, &pfd, 1, &ts, &tmpmask, 8);
		break;
	case T_FUTEX:
		r = syscall(SYS_futex, &fx_word, FUTEX_WAIT, 0, &ts, NULL, 0);
		break;
	case T_FUTEX_BITSET_ABS:
		r = syscall(SYS_futex, &fx_word, FUTEX_WAIT_BITSET, 0, &ts,
			    NULL, FUTEX_BITSET_MATCH_ANY);
		break;
	}
	err = errno;
	el = clock_ns(CLOCK_MONOTONIC) - t0;

	switch (timed_kind) {
	case T_FUTEX:
	case T_FUTEX_BITSET_ABS:
		CHILD_CHECK(2, r == -1 && err == ETIMEDOUT,
			    "%s = %ld (%s), expected ETIMEDOUT", name, r,
			    strerror(err));
		break;
	default:
		CHILD_CHECK(2, r == 0, "%s = %ld (%s), expected 0", name, r,
			    r < 0 ? strerror(err) : "no error");
		break;
	}
	switch (timed_kind) {
	case T_POLL:
		CHILD_CHECK(3, pfd.revents == 0, "revents %#x", pfd.revents);
		break;
	case T_SELECT:
		CHILD_CHECK(3, !FD_ISSET(p[0], &rfds), "the fd is set");
		CHILD_CHECK(4, tv.tv_sec == 0 && tv.tv_usec == 0,
			    "timeout left %ld.%06ld", (long)tv.tv_sec,
			    (long)tv.tv_usec);
		break;
	case T_PPOLL:
		CHILD_CHECK(3, pfd.revents == 0, "revents %#x", pfd.revents);
		CHILD_CHECK(4, ts.tv_sec == 0 && ts.tv_nsec == 0,
			    "timeout left %ld.%09ld", (long)ts.tv_sec,
			    ts.tv_nsec);
		CHILD_CHECK(5, kmask() == before, "mask %#llx after ppoll, was %#llx",
			    (unsigned long long)kmask(),
			    (unsigned long long)before);
		break;
	}
	/* Never early. */
	if (is_abs(timed_kind))
		CHILD_CHECK(6, clock_ns(CLOCK_MONOTONIC) >= deadline,
			    "%s returned %lld ns before its deadline", name,
			    (long long)(deadline - clock_ns(CLOCK_MONOTONIC)));
	else
		CHILD_CHECK(6, el >= full - 1000000,
			    "%s returned after %lld ms of %d", name,
			    (long long)(el / 1000000), SLEEP_MS);
	if (timed_check_upper)
		CHILD_CHECK(7, el <= full + SLACK_MS * 1000000LL,
			    "%s took %lld ms instead of %d", name,
			    (long long)(el / 1000000), SLEEP_MS);
	return 0;
}

/*
 * The call of @kind is checkpointed FROZEN_AFTER_MS into its SLEEP_MS,
 * stays checkpointed for longer than what was left, and must end that
 * long (r_max at most) after the restart.
 */
static void timed_case(struct __test_metadata *_metadata, int kind)
{
	struct cycle c = { 0 };
	int64_t r_max, d, lo, hi;
	uint64_t seen, t_exit = 0;
	pid_t child;
	int status;

	timed_kind = kind;
	timed_check_upper = false;
	child = ckpt_spawn_main(timed_main);
	ASSERT_GT(child, 0);
	ASSERT_TRUE(wait_in_syscall(child, timed_nr[kind], 10000));
	seen = ckpt_now_ms();
	ckpt_sleep_ms(FROZEN_AFTER_MS);
	/* Checkpointed for longer than the sleep has left. */
	c.gap_ms = SLEEP_MS - FROZEN_AFTER_MS + 500;
	ASSERT_EQ(0, kill_and_restart(child, CKPT_PROCESS, NULL, 0, &c));
	status = wait_exit(child, SLEEP_MS + 20000, &t_exit);
	ASSERT_EQ(0, status) TH_LOG("%s", timed_name[kind]);

	/*
	 * It slept since before @seen: at most r_max was left when it was
	 * frozen.  If the sleep were lost or counted the time checkpointed,
	 * it would end at once; if restarted, SLEEP_MS after the restart.
	 */
	r_max = SLEEP_MS - (int64_t)(c.t_ck0 - seen);
	d = (int64_t)(t_exit - c.t_rs1);
	lo = r_max / 3;
	hi = r_max + SLACK_MS;
	ckpt_msg("%s: <= %lld ms left when checkpointed (for %llu ms)",
		 timed_name[kind], (long long)r_max,
		 (unsigned long long)(c.t_ck1 - c.t_ck0));
	ckpt_msg("%s: checkpointed %llu ms, restart %llu ms, ended %lld ms after",
		 timed_name[kind], (unsigned long long)(c.t_rs0 - c.t_ck1),
		 (unsigned long long)(c.t_rs1 - c.t_rs0), (long long)d);
	ASSERT_GE(r_max, 600) TH_LOG("the test ran late: inconclusive");
	ASSERT_LT(hi, SLEEP_MS - 500);
	if (kind == T_CLOCK_ABSTIME) {
		/*
		 * An absolute deadline stays absolute, as across a stop and
		 * continue: it passed while checkpointed, so the call ends
		 * as soon as the job runs again (and not with EINTR).
		 */
		EXPECT_LE(d, SLACK_MS) TH_LOG("%s: absolute deadline not kept",
					      timed_name[kind]);
		return;
	}
	EXPECT_GE(d, lo) TH_LOG("%s: too early (lost, or time checkpointed counted)",
				timed_name[kind]);
	EXPECT_LE(d, hi) TH_LOG("%s: too late (restarted from the start?)",
				timed_name[kind]);
}

TEST(nanosleep_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_NANOSLEEP);
}

TEST(clock_nanosleep_monotonic_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_CLOCK_MONOTONIC);
}

TEST(clock_nanosleep_realtime_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_CLOCK_REALTIME);
}

TEST(clock_nanosleep_abstime_keeps_its_deadline_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_CLOCK_ABSTIME);
}

TEST(poll_with_timeout_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_POLL);
}

TEST(select_with_timeout_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_SELECT);
}

TEST(ppoll_with_timeout_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_PPOLL);
}

TEST(futex_wait_with_timeout_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_FUTEX);
}

TEST(futex_wait_bitset_absolute_finishes_the_time_left_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	timed_case(_metadata, T_FUTEX_BITSET_ABS);
}

TEST(checkpoint_continue_neither_shortens_nor_lengthens_nanosleep)
{
	uint64_t seen, t_exit = 0;
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	timed_kind = T_NANOSLEEP;
	/* The child checks SLEEP_MS <= elapsed <= SLEEP_MS + SLACK_MS. */
	timed_check_upper = true;
	child = ckpt_spawn_main(timed_main);
	ASSERT_GT(child, 0);
	ASSERT_TRUE(wait_in_syscall(child, SYS_nanosleep, 10000));
	seen = ckpt_now_ms();
	ckpt_sleep_ms(1500);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ckpt_checkpoint(child, fd, CKPT_CONTINUE));
	close(fd);
	EXPECT_EQ(0, wait_exit(child, SLEEP_MS + 20000, &t_exit));
	EXPECT_LE((int64_t)(t_exit - seen), SLEEP_MS + SLACK_MS);
}

/* --------------------------------------------------------------------
 * epoll_wait(): EINTR, as after SIGSTOP/SIGCONT
 */

/* What the epoll thread's call did: the child's exit status. */
enum {
	EP_EINTR = 10,		/* -1, EINTR */
	EP_ERROR,		/* -1, another error */
	EP_RETURNED,		/* returned events (there are none) */
	EP_BLOCKED,		/* still waiting */
};

static int ep_fd = -1;
static pid_t ep_tid;
/* Written by the epoll thread: read them with CKPT_LOAD(). */
static long ep_ret;
static int ep_err, ep_done;

static void *ep_thread(void *arg)
{
	struct epoll_event ev;
	long r;

	(void)arg;
	CKPT_STORE(ep_tid, gettid());
	r = syscall(SYS_epoll_wait, ep_fd, &ev, 1, -1);
	CKPT_STORE(ep_err, errno);
	CKPT_STORE(ep_ret, r);
	CKPT_STORE(ep_done, 1);
	return NULL;
}

/*
 * A thread waits forever in epoll_wait() on an empty epoll instance
 * whose descriptor is then closed (the call holds its own reference to
 * the set, which no descriptor names any more).  The main thread waits
 * for SIGUSR2, then reports what became of the call.
 */
static int epoll_main(void)
{
	pthread_t th;
	uint64_t end;

	ep_fd = epoll_create1(0);
	CHILD_CHECK(1, ep_fd >= 0, "epoll_create1: %s", strerror(errno));
	CHILD_CHECK(1, !pthread_create(&th, NULL, ep_thread, NULL),
		    "pthread_create");
	CHILD_CHECK(1, thread_in_syscall(&ep_tid, SYS_epoll_wait),
		    "the thread is not in epoll_wait()");
	close(ep_fd);
	ckpt_child_wait();

	end = ckpt_now_ms() + 3000;
	while (!CKPT_LOAD(ep_done) && ckpt_now_ms() < end)
		ckpt_sleep_ms(10);
	if (!CKPT_LOAD(ep_done))
		return EP_BLOCKED;
	pthread_join(th, NULL);
	if (CKPT_LOAD(ep_ret) == -1 && CKPT_LOAD(ep_err) == EINTR)
		return EP_EINTR;
	ckpt_msg("epoll_wait() = %ld (%s)", CKPT_LOAD(ep_ret),
		 strerror(CKPT_LOAD(ep_err)));
	return CKPT_LOAD(ep_ret) < 0 ? EP_ERROR : EP_RETURNED;
}

enum { EP_RUN_PLAIN, EP_RUN_STOP, EP_RUN_RESTART };

/* One run of epoll_main(), with what @how says done to it. */
static int epoll_run(int how)
{
	struct cycle c = { 0 };
	pid_t child;

	child = ckpt_spawn_main(epoll_main);
	if (child < 0)
		return -1;
	if (!wait_in_syscall(child, SYS_rt_sigsuspend, 10000)) {
		ckpt_kill_reap(child);
		return -1;
	}
	switch (how) {
	case EP_RUN_STOP:
		if (kill(child, SIGSTOP) || ckpt_wait_state(child, "T", 5000) != 'T') {
			ckpt_msg("%d does not stop", (int)child);
			ckpt_kill_reap(child);
			return -1;
		}
		ckpt_sleep_ms(200);
		kill(child, SIGCONT);
		break;
	case EP_RUN_RESTART:
		if (kill_and_restart(child, CKPT_PROCESS, NULL, 0, &c)) {
			ckpt_kill_reap(child);
			return -1;
		}
		break;
	}
	ckpt_sleep_ms(STILL_MS);
	return ckpt_wake_reap(child);
}

TEST(epoll_wait_gets_eintr_after_restart_as_after_sigstop_sigcont)
{
	int plain, stopped, restarted;

	if (!ckpt_preamble(_metadata))
		return;
	plain = epoll_run(EP_RUN_PLAIN);
	stopped = epoll_run(EP_RUN_STOP);
	restarted = epoll_run(EP_RUN_RESTART);
	/* Left alone, it goes on waiting: the runs can tell. */
	EXPECT_EQ(EP_BLOCKED, plain);
	/* Stopped and continued: EINTR (signal(7)). */
	EXPECT_EQ(EP_EINTR, stopped);
	/* Restarted: the same. */
	EXPECT_EQ(stopped, restarted);
	EXPECT_EQ(EP_EINTR, restarted);
}

TEST_HARNESS_MAIN
