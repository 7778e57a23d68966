// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of whole jobs: process groups, trees, sessions,
 * and the pipes and FIFOs between their processes.
 *
 * A process group of 64 computing processes comes back with the same
 * pids and group, and every process finishes its computation correctly.
 * A three-level tree (CKPT_TREE) with zombies in it comes back with the
 * same parents, groups and zombies, which their parents then reap with
 * the wait status they had; the root becomes our child.  A setsid()'ed
 * job (CKPT_SESSION) keeps its session and its two process groups.
 *
 * Pipes with both ends in the job keep their unread data (a pipeline
 * producer | filter | consumer with 1.5 MiB in flight in two 1 MiB
 * pipes delivers every byte, then end of file), their capacity, and
 * their half-closed state (data then end of file when the writer is
 * gone; EPIPE and SIGPIPE when the reader is).  A pipe that a process
 * outside the job also holds makes checkpoint() fail with EBUSY and a
 * reason, leaving the job running, unless CKPT_OUTSIDE_PIPES_BROKEN is
 * given.  A FIFO in /tmp is reopened by path, with its data.
 *
 * restart() while the original job still runs fails with EBUSY and
 * creates nothing, unless RESTART_NEW_PIDS is given: the job is then
 * restored with new pids, each logged.  CKPT_CONTINUE and CKPT_STOP
 * leave the whole job running or stopped; a stopped job comes back
 * stopped.  Argument errors: job scopes need a pid > 0 (EINVAL), a
 * group or session that does not exist is ESRCH, and a job the caller
 * belongs to is EINVAL.
 *
 * Processes that share a file table (CLONE_FILES) or a working
 * directory, root and umask (CLONE_FS) without being threads share them
 * again after restart: a descriptor one opens, closes or dup2()s, a
 * close-on-exec flag, a chdir() or a umask() of one is the other's,
 * whichever of them comes first in the image, with threads of their
 * own, and beside a process forked normally that keeps its own.  A
 * table also used by a process outside the job makes checkpoint() fail
 * with EBUSY, and so does a pipe end in a shared table that a process
 * outside the job holds too.
 *
 * Members are forked by ckpt_job_spawn() (ckpt_test.h), report their
 * ids before the checkpoint, and check after it that they are still
 * what they were; the test checks the same from outside, through
 * /proc, and through the image.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <strings.h>
#include <sys/ioctl.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define MAX_MEMBERS	80

/* --------------------------------------------------------------------
 * Helpers
 */

/* Reap every member (all our children), expecting @status of each. */
static int reap_all(const struct ckpt_member *m, int n, int status)
{
	int i, s, bad = 0;

	for (i = 0; i < n; i++) {
		s = ckpt_reap(m[i].pid);
		if (s != status) {
			ckpt_msg("member %d (role %d): status %d, expected %d",
				 (int)m[i].pid, (int)m[i].role, s, status);
			bad++;
		}
	}
	return bad;
}

/* waitpid(@pid, @options) for up to @ms; the status, or -1. */
static int wait_status(pid_t pid, int options, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, options | WNOHANG | __WALL);
		if (r == pid)
			return status;
		if (r < 0 || ckpt_now_ms() >= end)
			return -1;
		ckpt_sleep_ms(10);
	}
}

/*
 * read() from @fd until end of file or @len bytes, waiting at most @ms
 * for each read.  Returns the bytes read, -1 on an error, -2 on a
 * timeout (end of file never came).
 */
static ssize_t read_timed(int fd, void *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t done = 0;
	ssize_t n;
	int r;

	while (done < len) {
		r = poll(&pfd, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return -2;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* The CKPT_REC_TASK of @pid in the image, or NULL. */
static const struct ckpt_rec_task *image_task(const void *img, size_t len,
					      pid_t pid)
{
	const struct ckpt_rec_task *t;
	size_t off = 0;

	while ((t = (const void *)ckpt_image_next(img, len, &off,
						  CKPT_REC_TASK)))
		if (t->h.len >= sizeof(*t) && t->pid == pid)
			return t;
	return NULL;
}

static int image_count(const void *img, size_t len, uint32_t type)
{
	size_t off = 0;
	int n = 0;

	while (ckpt_image_next(img, len, &off, type))
		n++;
	return n;
}

/* Is there a CKPT_REC_PIPE of @capacity with @data_len bytes in it? */
static bool image_has_pipe(const void *img, size_t len, uint32_t capacity,
			   uint32_t data_len)
{
	const struct ckpt_rec_pipe *p;
	size_t off = 0;

	while ((p = (const void *)ckpt_image_next(img, len, &off,
						  CKPT_REC_PIPE))) {
		if (p->h.len < sizeof(*p))
			continue;
		ckpt_msg("image: pipe %u, capacity %u, %u bytes in it",
			 p->objid, p->capacity, p->data_len);
		if (p->capacity == capacity && p->data_len == data_len)
			return true;
	}
	return false;
}

/* --------------------------------------------------------------------
 * Workers: compute, keep memory, check both after waking
 */

#define W_BUSY		0x10000		/* compute until woken */
#define W_SETSID	0x20000		/* in a session of its own */
#define W_MEM		(64 * 1024)

/* Members check their pid and group after waking (not with new pids). */
static bool same_ids = true;

/* Steps a busy worker has done; the test reads it with ckpt_peek_u64(). */
static uint64_t w_progress;

static uint64_t w_seed(int i)
{
	return 0x6a6f62000000ULL + i;
}

/*
 * A worker fills 64 KiB of heap and computes some steps; a busy one then
 * computes on (napping now and then) until woken, a quiet one sleeps.
 * Once woken, it recomputes everything and checks its heap and ids.
 */
static int worker_main(void *arg)
{
	int a = (int)(intptr_t)arg, i = a & 0xffff;
	uint64_t acc = w_seed(i), ref = w_seed(i), n = 2000 + 37 * i, j;
	uint64_t *heap;
	long bad;

	if (a & W_SETSID)
		CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	heap = malloc(W_MEM);
	CHILD_CHECK(1, heap, "malloc");
	ckpt_fill(heap, W_MEM, w_seed(i));
	for (j = 0; j < n; j++)
		acc = ckpt_compute_step(acc, j);
	if (a & W_BUSY) {
		ckpt_child_unblock_wake();
		ckpt_member_report(i, 'R');
		while (!CKPT_LOAD(ckpt_woken)) {
			acc = ckpt_compute_step(acc, n++);
			__atomic_store_n(&w_progress, n, __ATOMIC_RELAXED);
			if (!(n & 8191))
				usleep(1000);
		}
	} else {
		ckpt_member_wait(i);
	}
	for (j = 0; j < n; j++)
		ref = ckpt_compute_step(ref, j);
	CHILD_CHECK(2, acc == ref, "worker %d: %#llx after %llu steps, expected %#llx",
		    i, (unsigned long long)acc, (unsigned long long)n,
		    (unsigned long long)ref);
	bad = ckpt_check_fill(heap, W_MEM, w_seed(i));
	CHILD_CHECK(3, bad < 0, "worker %d: heap word %ld changed", i, bad);
	CHILD_CHECK(4, getppid() == ckpt_me.ppid, "worker %d: parent %d, was %d",
		    i, (int)getppid(), (int)ckpt_me.ppid);
	CHILD_CHECK(5, getsid(0) == ckpt_me.sid, "worker %d: session %d, was %d",
		    i, (int)getsid(0), (int)ckpt_me.sid);
	if (same_ids) {
		CHILD_CHECK(6, getpid() == ckpt_me.pid, "worker %d: pid %d, was %d",
			    i, (int)getpid(), (int)ckpt_me.pid);
		CHILD_CHECK(7, getpgrp() == ckpt_me.pgid,
			    "worker %d: group %d, was %d", i, (int)getpgrp(),
			    (int)ckpt_me.pgid);
	}
	return 0;
}

/*
 * @count workers in a new process group, every @busy_every-th one busy
 * (0: none), all children of ours.  Returns the group (its first
 * member) once they have settled, or -1.
 */
static pid_t spawn_group(struct ckpt_member *m, int *n, int count,
			 int busy_every)
{
	pid_t leader = 0, pid;
	int i, a;

	for (i = 0; i < count; i++) {
		a = i;
		if (busy_every && i % busy_every == 0)
			a |= W_BUSY;
		pid = ckpt_job_spawn(worker_main, (void *)(intptr_t)a, leader,
				     NULL, 0, m, n, MAX_MEMBERS);
		if (pid < 0)
			return -1;
		if (!i)
			leader = pid;
	}
	if (ckpt_job_settle(m, *n, 20000))
		return -1;
	return leader;
}

/* Is busy worker @pid computing right now? */
static bool busy_moving(pid_t pid)
{
	uint64_t p = ckpt_peek_u64(pid, &w_progress);

	if (p == (uint64_t)-1)
		return false;
	return ckpt_wait_counter_past(pid, &w_progress, p, 10000) > p &&
	       ckpt_peek_u64(pid, &w_progress) != (uint64_t)-1;
}

/* Is busy worker @pid standing still over 300 ms? */
static bool busy_still(pid_t pid)
{
	uint64_t p = ckpt_peek_u64(pid, &w_progress);

	ckpt_sleep_ms(300);
	return p != (uint64_t)-1 && ckpt_peek_u64(pid, &w_progress) == p;
}

/* --------------------------------------------------------------------
 * Process groups
 */

#define PG_COUNT	64
#define PG_BUSY_EVERY	16

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 240

TEST(group_of_64_comes_back_with_the_same_pids_and_group)
{
	struct ckpt_member m[MAX_MEMBERS];
	struct ckpt_rec_header hdr;
	pid_t leader;
	int n = 0, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	leader = spawn_group(m, &n, PG_COUNT, PG_BUSY_EVERY);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(PG_COUNT, n);
	ASSERT_EQ(PG_COUNT, ckpt_pgrp_count(leader));
	for (i = 0; i < n; i += PG_BUSY_EVERY)
		ASSERT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));
	EXPECT_EQ(0, ckpt_pgrp_count(leader));
	ASSERT_EQ(0, ckpt_image_header(fd, &hdr));
	EXPECT_EQ(PG_COUNT, (int)hdr.nr_tasks);
	EXPECT_EQ(PG_COUNT, (int)hdr.nr_threads);
	EXPECT_EQ(leader, hdr.root_pid);
	EXPECT_EQ(CKPT_PGRP, (int)(hdr.flags & CKPT_SCOPE_MASK));

	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	EXPECT_EQ(PG_COUNT, ckpt_pgrp_count(leader));
	for (i = 0; i < n; i += PG_BUSY_EVERY)
		EXPECT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));
	EXPECT_EQ(0, ckpt_pgrp_count(leader));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

TEST(continue_leaves_the_group_running_and_the_image_restarts_stopped)
{
	struct ckpt_member m[MAX_MEMBERS];
	uint64_t at[6] = { 0 };
	pid_t leader;
	int n = 0, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	leader = spawn_group(m, &n, 6, 3);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(6, n);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	for (i = 0; i < n; i += 3)
		at[i] = ckpt_peek_u64(m[i].pid, &w_progress);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_CONTINUE));

	/* Every original runs on, and finishes correctly. */
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	for (i = 0; i < n; i += 3)
		EXPECT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));
	ASSERT_EQ(0, ckpt_pgrp_count(leader));

	/* The image, restarted stopped: every process of it stays put. */
	ASSERT_EQ(leader, ckpt_restart(fd, RESTART_STOPPED));
	for (i = 0; i < n; i++)
		EXPECT_EQ('T', ckpt_wait_state(m[i].pid, "T", 5000))
			TH_LOG("worker %d", i);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "T"));
	for (i = 0; i < n; i += 3) {
		EXPECT_TRUE(busy_still(m[i].pid)) TH_LOG("worker %d", i);
		EXPECT_GE(ckpt_peek_u64(m[i].pid, &w_progress), at[i]);
	}
	ASSERT_EQ(0, kill(-leader, SIGCONT));
	for (i = 0; i < n; i += 3)
		EXPECT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

TEST(stop_leaves_every_process_of_the_group_stopped)
{
	struct ckpt_member m[MAX_MEMBERS];
	pid_t leader;
	int n = 0, i, fd, status;

	if (!ckpt_preamble(_metadata))
		return;
	leader = spawn_group(m, &n, 4, 2);
	ASSERT_GT(leader, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_STOP));

	for (i = 0; i < n; i++) {
		status = wait_status(m[i].pid, WUNTRACED, 5000);
		EXPECT_TRUE(status != -1 && WIFSTOPPED(status) &&
			    WSTOPSIG(status) == SIGSTOP)
			TH_LOG("worker %d: status %#x", i, status);
		EXPECT_EQ('T', ckpt_proc_state(m[i].pid));
	}
	for (i = 0; i < n; i += 2)
		EXPECT_TRUE(busy_still(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, SIGCONT));
	for (i = 0; i < n; i += 2)
		EXPECT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));

	/* The image was taken before the stop: it restarts running. */
	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	for (i = 0; i < n; i += 2)
		EXPECT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

TEST(a_stopped_group_comes_back_stopped)
{
	const struct ckpt_rec_task *t;
	struct ckpt_member m[MAX_MEMBERS];
	size_t len = 0;
	pid_t leader;
	int n = 0, i, fd, status;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	leader = spawn_group(m, &n, 4, 2);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(0, kill(-leader, SIGSTOP));
	for (i = 0; i < n; i++) {
		status = wait_status(m[i].pid, WUNTRACED, 5000);
		ASSERT_TRUE(status != -1 && WIFSTOPPED(status))
			TH_LOG("worker %d: status %#x", i, status);
	}
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));

	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	for (i = 0; i < n; i++) {
		t = image_task(img, len, m[i].pid);
		ASSERT_NE(NULL, t) TH_LOG("no task %d in the image", m[i].pid);
		EXPECT_TRUE((t->flags & CKPT_TASK_STOPPED) != 0)
			TH_LOG("task %d: flags %#x", m[i].pid, t->flags);
	}
	free(img);

	/* No RESTART_STOPPED: they come back stopped on their own. */
	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	for (i = 0; i < n; i++)
		EXPECT_EQ('T', ckpt_wait_state(m[i].pid, "T", 5000))
			TH_LOG("worker %d", i);
	for (i = 0; i < n; i += 2)
		EXPECT_TRUE(busy_still(m[i].pid)) TH_LOG("worker %d", i);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "T"));
	ASSERT_EQ(0, kill(-leader, SIGCONT));
	for (i = 0; i < n; i += 2)
		EXPECT_TRUE(busy_moving(m[i].pid)) TH_LOG("worker %d", i);
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* A group leader that just exits: its group lives on without it. */
static int leader_exits(void *arg)
{
	(void)arg;
	ckpt_member_report(0, 'Z');
	return 0;
}

TEST(group_whose_leader_is_gone_comes_back_with_its_id)
{
	struct ckpt_member m[MAX_MEMBERS];
	pid_t leader, pid, lowest = 0;
	int n = 0, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	leader = ckpt_job_spawn(leader_exits, NULL, 0, NULL, 0, m, &n,
				MAX_MEMBERS);
	ASSERT_GT(leader, 0);
	for (i = 1; i <= 3; i++) {
		pid = ckpt_job_spawn(worker_main, (void *)(intptr_t)i, leader,
				     NULL, 0, m, &n, MAX_MEMBERS);
		ASSERT_GT(pid, 0);
		if (!lowest || pid < lowest)
			lowest = pid;
	}
	ASSERT_EQ(0, ckpt_reap(leader));
	/* The job: the three others, in a group whose leader is gone. */
	memmove(&m[0], &m[1], 3 * sizeof(m[0]));
	n = 3;
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	ASSERT_EQ(3, ckpt_pgrp_count(leader));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));

	/* restart() gives the lowest pid; the group keeps its id. */
	ASSERT_EQ(lowest, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_FALSE(ckpt_pid_exists(leader));
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	EXPECT_EQ(0, reap_all(m, n, 0));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/*
 * The "warning: pid N: restored as pid M ..." lines of @log: M for @old,
 * or -1.
 */
static pid_t new_pid_of(const char *log, pid_t old)
{
	const char *p = log, *line;
	int a, b;

	while ((p = strstr(p, "restored as pid"))) {
		line = p;
		while (line > log && line[-1] != '\n')
			line--;
		if (!strncmp(line, "warning: ", 9))
			line += 9;
		if (sscanf(line, "pid %d: restored as pid %d", &a, &b) == 2 &&
		    a == old)
			return b;
		p++;
	}
	return -1;
}

TEST(restart_while_the_job_runs_is_ebusy_unless_new_pids)
{
	struct ckpt_member m[MAX_MEMBERS];
	pid_t leader, got, newpid[4];
	static char log[16384];
	int n = 0, i, fd, logfd, named = 0;

	if (!ckpt_preamble(_metadata))
		return;
	same_ids = false;	/* the copy gets new pids */
	leader = spawn_group(m, &n, 4, 0);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(4, n);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_CONTINUE));

	/* Every pid is taken: EBUSY, the pid named, nothing created. */
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	EXPECT_EQ(-1, restart(fd, 0, logfd));
	EXPECT_EQ(EBUSY, errno);
	ckpt_log_read(logfd, log, sizeof(log));
	close(logfd);
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "in use"));
	for (i = 0; i < n; i++)
		named += ckpt_log_has(log, "PID ", m[i].pid);
	EXPECT_LE(1, named);
	EXPECT_EQ(n, ckpt_children_of(0, NULL, 0));
	EXPECT_EQ(n, ckpt_pgrp_count(leader));
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));

	/* With RESTART_NEW_PIDS: a second copy, every pid changed, logged. */
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	got = restart(fd, RESTART_NEW_PIDS, logfd);
	ckpt_log_read(logfd, log, sizeof(log));
	close(logfd);
	TH_LOG("log: %s", log);
	ASSERT_GT(got, 0) TH_LOG("restart(RESTART_NEW_PIDS): %s",
				 strerror(errno));
	EXPECT_EQ(n, ckpt_log_count(log, "restored as pid"));
	for (i = 0; i < n; i++) {
		newpid[i] = new_pid_of(log, m[i].pid);
		ASSERT_GT(newpid[i], 0) TH_LOG("no new pid for %d", m[i].pid);
		EXPECT_NE(m[i].pid, newpid[i]);
		EXPECT_EQ(getpid(), ckpt_stat(newpid[i], CKPT_STAT_PPID));
		/* The group is the leader's, renumbered with it. */
		EXPECT_EQ(newpid[0], ckpt_stat(newpid[i], CKPT_STAT_PGRP));
		EXPECT_EQ(getsid(0), ckpt_stat(newpid[i], CKPT_STAT_SESSION));
	}
	EXPECT_EQ(newpid[0], got);
	EXPECT_EQ(2 * n, ckpt_children_of(0, NULL, 0));
	EXPECT_EQ(n, ckpt_pgrp_count(leader));

	/* Both copies finish correctly. */
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, ckpt_wake_reap(m[i].pid)) TH_LOG("original %d", i);
		EXPECT_EQ(0, ckpt_wake_reap(newpid[i])) TH_LOG("copy %d", i);
	}
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* --------------------------------------------------------------------
 * A tree with zombies
 */

enum { T_ROOT = 1, T_A, T_A1, T_A2, T_B, T_B1, T_Z, T_COUNT = T_Z };

#define T_Z_EXIT	42

/* After waking: still where we were in the tree. */
static void tree_check_ids(void)
{
	CHILD_CHECK(10, getpid() == ckpt_me.pid, "pid %d, was %d",
		    (int)getpid(), (int)ckpt_me.pid);
	CHILD_CHECK(11, getppid() == ckpt_me.ppid, "role %d: parent %d, was %d",
		    (int)ckpt_me.role, (int)getppid(), (int)ckpt_me.ppid);
	CHILD_CHECK(12, getpgrp() == ckpt_me.pgid, "role %d: group %d, was %d",
		    (int)ckpt_me.role, (int)getpgrp(), (int)ckpt_me.pgid);
	CHILD_CHECK(13, getsid(0) == ckpt_me.sid, "role %d: session %d, was %d",
		    (int)ckpt_me.role, (int)getsid(0), (int)ckpt_me.sid);
}

/* Our child @pid must be a zombie already, with wait status @status. */
static void tree_reap_zombie(pid_t pid, int status)
{
	int st = -1;
	pid_t r;

	r = waitpid(pid, &st, WNOHANG);
	CHILD_CHECK(20, r == pid, "role %d: zombie %d not waitable: %d (%s)",
		    (int)ckpt_me.role, (int)pid, (int)r, strerror(errno));
	CHILD_CHECK(21, st == status, "role %d: zombie %d: wait status %#x, expected %#x",
		    (int)ckpt_me.role, (int)pid, st, status);
}

/* Wait for our child @pid, which must exit 0. */
static void tree_reap_live(pid_t pid)
{
	int st = -1;
	pid_t r;

	do {
		r = waitpid(pid, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(22, r == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		    "role %d: child %d: waitpid %d, status %#x",
		    (int)ckpt_me.role, (int)pid, (int)r, st);
}

static pid_t tree_fork(int (*fn)(void))
{
	pid_t pid = ckpt_member_fork();

	CHILD_CHECK(90, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn());
	return pid;
}

static int tree_a1(void)
{
	ckpt_member_wait(T_A1);
	tree_check_ids();
	return 0;
}

static int tree_b1(void)
{
	ckpt_member_wait(T_B1);
	tree_check_ids();
	return 0;
}

/* Zombies: one exits with a code, one is killed by a signal. */
static int tree_z(void)
{
	ckpt_member_report(T_Z, 'Z');
	return T_Z_EXIT;
}

static int tree_a2(void)
{
	ckpt_member_report(T_A2, 'Z');
	raise(SIGTERM);
	return 99;
}

static int tree_a(void)
{
	pid_t a1 = tree_fork(tree_a1), a2 = tree_fork(tree_a2);

	ckpt_member_wait(T_A);
	tree_check_ids();
	tree_reap_zombie(a2, SIGTERM);	/* WIFSIGNALED, WTERMSIG SIGTERM */
	tree_reap_live(a1);
	return 0;
}

/* B has a process group of its own, with B1 in it. */
static int tree_b(void)
{
	pid_t b1;

	CHILD_CHECK(91, !setpgid(0, 0), "setpgid: %s", strerror(errno));
	b1 = tree_fork(tree_b1);
	ckpt_member_wait(T_B);
	tree_check_ids();
	tree_reap_live(b1);
	return 0;
}

static int tree_root(void *arg)
{
	pid_t z, a, b;

	(void)arg;
	z = tree_fork(tree_z);
	a = tree_fork(tree_a);
	b = tree_fork(tree_b);
	ckpt_member_wait(T_ROOT);
	tree_check_ids();
	tree_reap_zombie(z, T_Z_EXIT << 8);	/* WEXITSTATUS 42 */
	tree_reap_live(a);
	tree_reap_live(b);
	return 0;
}

TEST(tree_with_zombies_keeps_parents_groups_and_wait_statuses)
{
	const struct ckpt_rec_task *t;
	struct ckpt_member m[16];
	int n = 0, i, fd, r[T_COUNT + 1], zombies = 0;
	size_t len = 0;
	pid_t root;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	/* The originals' orphans come to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(tree_root, NULL, 0, NULL, 0, m, &n, 16);
	ASSERT_GT(root, 0);
	ASSERT_EQ(T_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	for (i = T_ROOT; i <= T_COUNT; i++) {
		r[i] = ckpt_job_find(m, n, i);
		ASSERT_LE(0, r[i]) TH_LOG("role %d did not report", i);
	}
	/* The shape: root -> A -> A1, A2 (zombie); root -> B -> B1; root -> Z (zombie). */
	ASSERT_EQ(root, m[r[T_ROOT]].pid);
	ASSERT_EQ(getpid(), m[r[T_ROOT]].ppid);
	ASSERT_EQ(root, m[r[T_A]].ppid);
	ASSERT_EQ(root, m[r[T_B]].ppid);
	ASSERT_EQ(root, m[r[T_Z]].ppid);
	ASSERT_EQ(m[r[T_A]].pid, m[r[T_A1]].ppid);
	ASSERT_EQ(m[r[T_A]].pid, m[r[T_A2]].ppid);
	ASSERT_EQ(m[r[T_B]].pid, m[r[T_B1]].ppid);
	ASSERT_EQ(root, m[r[T_A1]].pgid);
	ASSERT_EQ(m[r[T_B]].pid, m[r[T_B]].pgid);
	ASSERT_EQ(m[r[T_B]].pid, m[r[T_B1]].pgid);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(root, fd, CKPT_TREE | CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));

	/* The image: every process, the zombies with their wait statuses. */
	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	EXPECT_EQ(T_COUNT, image_count(img, len, CKPT_REC_TASK));
	for (i = 0; i < n; i++) {
		t = image_task(img, len, m[i].pid);
		ASSERT_NE(NULL, t) TH_LOG("no task %d in the image", m[i].pid);
		EXPECT_EQ(m[i].ppid, t->ppid);
		EXPECT_EQ(m[i].pgid, t->pgid);
		EXPECT_EQ(m[i].state == 'Z', !!(t->flags & CKPT_TASK_ZOMBIE))
			TH_LOG("task %d: flags %#x", m[i].pid, t->flags);
		if (!(t->flags & CKPT_TASK_ZOMBIE))
			continue;
		zombies++;
		EXPECT_EQ(m[i].role == T_Z ? T_Z_EXIT << 8 : SIGTERM,
			  t->exit_code);
	}
	EXPECT_EQ(2, zombies);
	free(img);

	ASSERT_EQ(root, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(root));
	/* Every other process was reaped by its own parent. */
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* --------------------------------------------------------------------
 * A session with two process groups
 */

enum { S_LEADER = 1, S_C1, S_C2, S_C3, S_COUNT = S_C3 };

static pid_t sess_group2;

static void sess_check_ids(void)
{
	CHILD_CHECK(10, getpid() == ckpt_me.pid, "pid %d, was %d",
		    (int)getpid(), (int)ckpt_me.pid);
	CHILD_CHECK(11, getppid() == ckpt_me.ppid, "role %d: parent %d, was %d",
		    (int)ckpt_me.role, (int)getppid(), (int)ckpt_me.ppid);
	CHILD_CHECK(12, getpgrp() == ckpt_me.pgid, "role %d: group %d, was %d",
		    (int)ckpt_me.role, (int)getpgrp(), (int)ckpt_me.pgid);
	CHILD_CHECK(13, getsid(0) == ckpt_me.sid, "role %d: session %d, was %d",
		    (int)ckpt_me.role, (int)getsid(0), (int)ckpt_me.sid);
}

static int sess_c1(void)
{
	ckpt_member_wait(S_C1);
	sess_check_ids();
	return 0;
}

static int sess_c2(void)
{
	CHILD_CHECK(1, !setpgid(0, 0), "setpgid: %s", strerror(errno));
	ckpt_member_wait(S_C2);
	sess_check_ids();
	return 0;
}

static int sess_c3(void)
{
	CHILD_CHECK(1, !setpgid(0, sess_group2) || getpgrp() == sess_group2,
		    "setpgid(0, %d): %s", (int)sess_group2, strerror(errno));
	ckpt_member_wait(S_C3);
	sess_check_ids();
	return 0;
}

static int sess_leader(void *arg)
{
	pid_t c1, c2, c3;

	(void)arg;
	CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	c1 = tree_fork(sess_c1);
	c2 = tree_fork(sess_c2);
	setpgid(c2, c2);	/* as a shell does; one of us wins */
	sess_group2 = c2;
	c3 = tree_fork(sess_c3);
	setpgid(c3, c2);
	ckpt_member_wait(S_LEADER);
	sess_check_ids();
	CHILD_CHECK(2, getsid(0) == getpid(), "not the session leader");
	tree_reap_live(c1);
	tree_reap_live(c2);
	tree_reap_live(c3);
	return 0;
}

TEST(session_comes_back_with_its_id_and_groups)
{
	struct ckpt_member m[16];
	struct ckpt_rec_header hdr;
	int n = 0, i, fd, r[S_COUNT + 1];
	pid_t leader, g2;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	leader = ckpt_job_spawn(sess_leader, NULL, -1, NULL, 0, m, &n, 16);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(S_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	for (i = S_LEADER; i <= S_COUNT; i++) {
		r[i] = ckpt_job_find(m, n, i);
		ASSERT_LE(0, r[i]) TH_LOG("role %d did not report", i);
		ASSERT_EQ(leader, m[r[i]].sid);
	}
	g2 = m[r[S_C2]].pid;
	ASSERT_EQ(leader, m[r[S_LEADER]].pgid);
	ASSERT_EQ(leader, m[r[S_C1]].pgid);
	ASSERT_EQ(g2, m[r[S_C2]].pgid);
	ASSERT_EQ(g2, m[r[S_C3]].pgid);
	ASSERT_NE(getsid(0), leader);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_SESSION | CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(leader));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	ASSERT_EQ(0, ckpt_image_header(fd, &hdr));
	EXPECT_EQ(S_COUNT, (int)hdr.nr_tasks);
	EXPECT_EQ(leader, hdr.root_pid);
	EXPECT_EQ(CKPT_SESSION, (int)(hdr.flags & CKPT_SCOPE_MASK));

	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	EXPECT_EQ(S_COUNT, ckpt_count_with(CKPT_STAT_SESSION, leader));
	EXPECT_EQ(2, ckpt_pgrp_count(leader));
	EXPECT_EQ(2, ckpt_pgrp_count(g2));
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(leader));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* --------------------------------------------------------------------
 * A pipeline: producer | filter | consumer, 1 MiB pipes
 */

#define CHAIN_CAP	(1024 * 1024)
#define CHAIN_CHUNK	(64 * 1024)
#define CHAIN_FIRST	(512 * 1024)	/* filtered before the checkpoint */
#define CHAIN_TOTAL	(CHAIN_FIRST + CHAIN_CAP + 4 * CHAIN_CHUNK)

enum { C_PRODUCER = 1, C_FILTER, C_CONSUMER };

/* Bytes the producer has written (the test reads it). */
static uint64_t chain_produced;

static void chain_chunk(void *buf, uint64_t c)
{
	ckpt_fill(buf, CHAIN_CHUNK, 0xc4a10000ULL + c);
}

/* What the filter does to the byte at offset @off of the stream. */
static void chain_transform(uint8_t *buf, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] ^= (uint8_t)(((off + i) * 131) >> 3) ^ 0x5a;
}

/* Writes CHAIN_TOTAL bytes to fd 3; blocks once both pipes are full. */
static int chain_producer(void *arg)
{
	static uint64_t buf[CHAIN_CHUNK / 8];
	uint64_t c;
	int cap;

	(void)arg;
	ckpt_member_report(C_PRODUCER, 'R');
	for (c = 0; c < CHAIN_TOTAL / CHAIN_CHUNK; c++) {
		chain_chunk(buf, c);
		CHILD_CHECK(1, !ckpt_write_all(3, buf, CHAIN_CHUNK),
			    "producer: chunk %llu: %s", (unsigned long long)c,
			    strerror(errno));
		CKPT_STORE(chain_produced, (c + 1) * CHAIN_CHUNK);
	}
	cap = fcntl(3, F_GETPIPE_SZ);
	CHILD_CHECK(2, cap == CHAIN_CAP, "producer: capacity %d", cap);
	close(3);
	return 0;
}

/* fd 3 -> transform -> fd 4; the first CHAIN_FIRST bytes before waiting. */
static int chain_filter(void *arg)
{
	static uint8_t buf[CHAIN_CHUNK];
	uint64_t off = 0;
	ssize_t n;
	int cap3, cap4;

	(void)arg;
	while (off < CHAIN_FIRST) {
		n = read(3, buf, CHAIN_FIRST - off < sizeof(buf) ?
				 CHAIN_FIRST - off : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		CHILD_CHECK(1, n > 0, "filter: read: %zd (%s)", n, strerror(errno));
		chain_transform(buf, n, off);
		CHILD_CHECK(1, !ckpt_write_all(4, buf, n), "filter: write: %s",
			    strerror(errno));
		off += n;
	}
	ckpt_member_wait(C_FILTER);
	cap3 = fcntl(3, F_GETPIPE_SZ);
	cap4 = fcntl(4, F_GETPIPE_SZ);
	CHILD_CHECK(2, cap3 == CHAIN_CAP && cap4 == CHAIN_CAP,
		    "filter: capacities %d and %d", cap3, cap4);
	for (;;) {
		n = read(3, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		CHILD_CHECK(3, n >= 0, "filter: read: %s", strerror(errno));
		if (n == 0)
			break;
		chain_transform(buf, n, off);
		CHILD_CHECK(4, !ckpt_write_all(4, buf, n), "filter: write: %s",
			    strerror(errno));
		off += n;
	}
	CHILD_CHECK(5, off == CHAIN_TOTAL, "filter: %llu bytes, expected %u",
		    (unsigned long long)off, CHAIN_TOTAL);
	close(4);
	return 0;
}

/* Reads fd 3 to the end: exactly the transformed stream, then EOF. */
static int chain_consumer(void *arg)
{
	static uint8_t buf[CHAIN_CHUNK], want[CHAIN_CHUNK];
	uint64_t off = 0, c = ~0ULL, sum = 0, wsum = 0;
	size_t i, room;
	ssize_t n;
	int cap;

	(void)arg;
	ckpt_member_wait(C_CONSUMER);
	cap = fcntl(3, F_GETPIPE_SZ);
	CHILD_CHECK(1, cap == CHAIN_CAP, "consumer: capacity %d", cap);
	for (;;) {
		room = CHAIN_CHUNK - off % CHAIN_CHUNK;
		n = read_timed(3, buf, room, 20000);
		CHILD_CHECK(2, n >= 0, "consumer: read at %llu: %zd (%s)",
			    (unsigned long long)off, n,
			    n == -2 ? "no end of file" : strerror(errno));
		if (n == 0)
			break;
		CHILD_CHECK(3, off + n <= CHAIN_TOTAL,
			    "consumer: more than %u bytes", CHAIN_TOTAL);
		if (off / CHAIN_CHUNK != c) {
			c = off / CHAIN_CHUNK;
			chain_chunk(want, c);
			chain_transform(want, CHAIN_CHUNK, c * CHAIN_CHUNK);
		}
		for (i = 0; i < (size_t)n; i++) {
			sum = (sum ^ buf[i]) * 0x100000001b3ULL;
			wsum = (wsum ^ want[off % CHAIN_CHUNK + i]) *
			       0x100000001b3ULL;
			CHILD_CHECK(4, buf[i] == want[off % CHAIN_CHUNK + i],
				    "consumer: byte %llu is %#x, expected %#x",
				    (unsigned long long)(off + i), buf[i],
				    want[off % CHAIN_CHUNK + i]);
		}
		off += n;
		if (n < (ssize_t)room)
			break;	/* end of file inside a chunk */
	}
	CHILD_CHECK(5, off == CHAIN_TOTAL,
		    "consumer: %llu bytes then end of file, expected %u",
		    (unsigned long long)off, CHAIN_TOTAL);
	CHILD_CHECK(6, sum == wsum, "consumer: checksum %#llx, expected %#llx",
		    (unsigned long long)sum, (unsigned long long)wsum);
	return 0;
}

TEST(pipeline_with_a_mebibyte_in_flight_delivers_every_byte)
{
	struct ckpt_member m[8];
	int p1[2], p2[2], fds[2], n = 0, fd;
	pid_t prod, filt, cons;
	size_t len = 0;
	uint64_t done;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, pipe2(p1, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p2, O_CLOEXEC));
	ASSERT_EQ(CHAIN_CAP, fcntl(p1[1], F_SETPIPE_SZ, CHAIN_CAP));
	ASSERT_EQ(CHAIN_CAP, fcntl(p2[1], F_SETPIPE_SZ, CHAIN_CAP));
	prod = ckpt_job_spawn(chain_producer, NULL, 0, &p1[1], 1, m, &n, 8);
	ASSERT_GT(prod, 0);
	fds[0] = p1[0];
	fds[1] = p2[1];
	filt = ckpt_job_spawn(chain_filter, NULL, prod, fds, 2, m, &n, 8);
	ASSERT_GT(filt, 0);
	cons = ckpt_job_spawn(chain_consumer, NULL, prod, &p2[0], 1, m, &n, 8);
	ASSERT_GT(cons, 0);
	/* Only the job holds the pipes now. */
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 20000));

	/* The first pipe is full and the producer blocks writing more. */
	done = ckpt_wait_counter_past(prod, &chain_produced,
				      CHAIN_FIRST + CHAIN_CAP - 1, 30000);
	ASSERT_EQ((uint64_t)CHAIN_FIRST + CHAIN_CAP, done);
	ASSERT_EQ('S', ckpt_wait_state(prod, "S", 10000));
	ckpt_sleep_ms(100);
	ASSERT_EQ((uint64_t)CHAIN_FIRST + CHAIN_CAP,
		  ckpt_peek_u64(prod, &chain_produced));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(prod, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));
	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	EXPECT_EQ(2, image_count(img, len, CKPT_REC_PIPE));
	EXPECT_TRUE(image_has_pipe(img, len, CHAIN_CAP, CHAIN_CAP));
	EXPECT_TRUE(image_has_pipe(img, len, CHAIN_CAP, CHAIN_FIRST));
	free(img);

	ASSERT_EQ(prod, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	EXPECT_EQ(0, kill(filt, CKPT_WAKE_SIG));
	EXPECT_EQ(0, kill(cons, CKPT_WAKE_SIG));
	EXPECT_EQ(0, ckpt_reap(prod));
	EXPECT_EQ(0, ckpt_reap(filt));
	EXPECT_EQ(0, ckpt_reap(cons));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/*
 * A shell's layout: the pipe is the producer's fd 1 and the consumer's
 * fd 0.  Both ends are in the job, so it is saved as a pipe, not
 * inherited from the restarter as standard descriptors held outside
 * the job are.  The data are text lines, harmless on a terminal.
 */
#define SH_LINE		32
#define SH_BEFORE	(1536 * SH_LINE)	/* 48 KiB */
#define SH_AFTER	(512 * SH_LINE)

static void sh_text(char *buf)
{
	int i;

	for (i = 0; i < (SH_BEFORE + SH_AFTER) / SH_LINE; i++)
		snprintf(buf + i * SH_LINE, SH_LINE + 1,
			 "# ckpt shell pipe line %08d\n", i);
}

static int sh_producer(void *arg)
{
	static char text[SH_BEFORE + SH_AFTER + 1];

	(void)arg;
	sh_text(text);
	CHILD_CHECK(1, dup2(3, 1) == 1 && !close(3), "dup2: %s", strerror(errno));
	CHILD_CHECK(2, !ckpt_write_all(1, text, SH_BEFORE), "write: %s",
		    strerror(errno));
	ckpt_member_wait(1);
	CHILD_CHECK(3, !ckpt_write_all(1, text + SH_BEFORE, SH_AFTER),
		    "write after restart: %s", strerror(errno));
	return 0;
}

static int sh_consumer(void *arg)
{
	static char text[SH_BEFORE + SH_AFTER + 1], got[SH_BEFORE + SH_AFTER + 1];
	ssize_t n;

	(void)arg;
	sh_text(text);
	CHILD_CHECK(1, dup2(3, 0) == 0 && !close(3), "dup2: %s", strerror(errno));
	ckpt_member_wait(2);
	n = read_timed(0, got, sizeof(got), 20000);
	CHILD_CHECK(2, n == SH_BEFORE + SH_AFTER,
		    "read %zd bytes from fd 0 (%s), expected %d then end of file",
		    n, n == -2 ? "no end of file" : "", SH_BEFORE + SH_AFTER);
	CHILD_CHECK(3, !memcmp(got, text, n), "the data differ");
	return 0;
}

TEST(pipe_on_stdout_and_stdin_inside_the_job_is_saved_as_a_pipe)
{
	struct ckpt_member m[4];
	pid_t prod, cons;
	int p[2], n = 0, fd;
	size_t len = 0;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	prod = ckpt_job_spawn(sh_producer, NULL, 0, &p[1], 1, m, &n, 4);
	ASSERT_GT(prod, 0);
	cons = ckpt_job_spawn(sh_consumer, NULL, prod, &p[0], 1, m, &n, 4);
	ASSERT_GT(cons, 0);
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(prod, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));
	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	EXPECT_TRUE(image_has_pipe(img, len, 65536, SH_BEFORE));
	free(img);

	ASSERT_EQ(prod, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(prod));
	EXPECT_EQ(0, ckpt_reap(cons));
	close(fd);
}

/* --------------------------------------------------------------------
 * Half-closed pipes
 */

enum { H_READER = 1, H_WRITER, H_GONE };

#define H_DATA		(40 * 1024)

/* Writes H_DATA bytes to fd 3 and exits: the pipe has no writer left. */
static int half_gone(void *arg)
{
	static uint64_t data[H_DATA / 8];

	(void)arg;
	ckpt_fill(data, H_DATA, 0x4a1f);
	CHILD_CHECK(1, !ckpt_write_all(3, data, H_DATA), "write: %s",
		    strerror(errno));
	ckpt_member_report(H_GONE, 'Z');
	return 0;
}

/* fd 3: a pipe whose writer is gone: the data, then end of file. */
static int half_reader(void *arg)
{
	static uint64_t want[H_DATA / 8];
	static char got[H_DATA + 1];
	ssize_t n;

	(void)arg;
	ckpt_fill(want, H_DATA, 0x4a1f);
	ckpt_member_wait(H_READER);
	n = read_timed(3, got, sizeof(got), 10000);
	CHILD_CHECK(1, n == H_DATA, "read %zd bytes (%s), expected %d then end of file",
		    n, n == -2 ? "no end of file" : "", H_DATA);
	CHILD_CHECK(2, !memcmp(got, want, H_DATA), "the data differ");
	return 0;
}

/* fd 3: a pipe whose reader is gone: EPIPE, then SIGPIPE. */
static int half_writer(void *arg)
{
	ssize_t n;

	(void)arg;
	CHILD_CHECK(1, signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal");
	ckpt_member_wait(H_WRITER);
	errno = 0;
	n = write(3, "x", 1);
	CHILD_CHECK(2, n == -1 && errno == EPIPE,
		    "write with no reader: %zd (%s)", n, strerror(errno));
	CHILD_CHECK(3, signal(SIGPIPE, SIG_DFL) != SIG_ERR, "signal");
	n = write(3, "x", 1);
	CHILD_CHECK(4, 0, "second write with no reader: %zd (%s), no SIGPIPE",
		    n, strerror(errno));
	return 4;
}

TEST(half_closed_pipes_give_eof_and_epipe_as_before)
{
	struct ckpt_member m[4];
	pid_t reader, writer, gone;
	int a[2], b[2], n = 0, fd;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, pipe2(a, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(b, O_CLOEXEC));
	reader = ckpt_job_spawn(half_reader, NULL, 0, &a[0], 1, m, &n, 4);
	ASSERT_GT(reader, 0);
	writer = ckpt_job_spawn(half_writer, NULL, reader, &b[1], 1, m, &n, 4);
	ASSERT_GT(writer, 0);
	gone = ckpt_job_spawn(half_gone, NULL, reader, &a[1], 1, m, &n, 4);
	ASSERT_GT(gone, 0);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	/* The writer of pipe a exited; nobody ever reads pipe b again. */
	ASSERT_EQ(0, ckpt_reap(gone));
	ASSERT_EQ(3, n);
	ASSERT_EQ(gone, m[2].pid);
	n = 2;		/* the job: reader and writer */
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(reader, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));

	ASSERT_EQ(reader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(reader));
	EXPECT_EQ(128 + SIGPIPE, ckpt_reap(writer));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* --------------------------------------------------------------------
 * Pipes in one process: data, capacity, flags
 */

#define CAP_X		4096		/* full */
#define CAP_Z		(256 * 1024)
#define CAP_E		(128 * 1024)	/* empty */
#define DATA_Y		1000
#define DATA_Z		200000

static int cap_before[11];

static int cap_setup(void)
{
	static uint64_t data[DATA_Z / 8 + 1];
	int p[2], i;

	ckpt_fill(data, sizeof(data), 0xcafe);
	for (i = 3; i <= 9; i += 2) {
		CHILD_CHECK(1, !pipe(p) && p[0] == i && p[1] == i + 1,
			    "pipe: %d %d (%s)", p[0], p[1], strerror(errno));
	}
	CHILD_CHECK(2, fcntl(4, F_SETPIPE_SZ, CAP_X) == CAP_X, "F_SETPIPE_SZ");
	CHILD_CHECK(2, fcntl(8, F_SETPIPE_SZ, CAP_Z) == CAP_Z, "F_SETPIPE_SZ");
	CHILD_CHECK(2, fcntl(9, F_SETPIPE_SZ, CAP_E) == CAP_E, "F_SETPIPE_SZ");
	CHILD_CHECK(3, !fcntl(4, F_SETFL, O_NONBLOCK), "O_NONBLOCK");
	CHILD_CHECK(3, !fcntl(5, F_SETFD, FD_CLOEXEC), "FD_CLOEXEC");
	CHILD_CHECK(4, write(4, data, CAP_X) == CAP_X, "fill pipe x");
	CHILD_CHECK(4, write(4, data, 1) == -1 && errno == EAGAIN, "x not full");
	CHILD_CHECK(4, write(6, data, DATA_Y) == DATA_Y, "write pipe y");
	CHILD_CHECK(4, write(8, data, DATA_Z) == DATA_Z, "write pipe z");
	for (i = 3; i <= 10; i++)
		cap_before[i] = fcntl(i, F_GETPIPE_SZ);
	return 0;
}

/* Pipe @rd/@wr holds @len bytes of the pattern, and still works. */
static void cap_check_pipe(int rd, int wr, int len, int code)
{
	static uint64_t want[DATA_Z / 8 + 1];
	static char got[DATA_Z + 8];
	int avail = -1;
	ssize_t n;

	ckpt_fill(want, sizeof(want), 0xcafe);
	CHILD_CHECK(code, fcntl(rd, F_GETPIPE_SZ) == cap_before[rd] &&
		    fcntl(wr, F_GETPIPE_SZ) == cap_before[wr],
		    "fds %d/%d: capacity %d/%d, was %d/%d", rd, wr,
		    fcntl(rd, F_GETPIPE_SZ), fcntl(wr, F_GETPIPE_SZ),
		    cap_before[rd], cap_before[wr]);
	CHILD_CHECK(code + 1, !ioctl(rd, FIONREAD, &avail) && avail == len,
		    "fd %d: %d bytes in the pipe, expected %d", rd, avail, len);
	n = len ? ckpt_read_all(rd, got, len) : 0;
	CHILD_CHECK(code + 2, n == len && !memcmp(got, want, len),
		    "fd %d: read %zd of %d bytes, or they differ", rd, n, len);
	/* Both ends are still ends of the same pipe. */
	CHILD_CHECK(code + 3, write(wr, "ping", 4) == 4 &&
		    read(rd, got, 8) == 4 && !memcmp(got, "ping", 4),
		    "fds %d/%d are not one pipe any more", rd, wr);
}

static int cap_verify(void)
{
	CHILD_CHECK(10, (fcntl(4, F_GETFL) & O_NONBLOCK) &&
		    !(fcntl(3, F_GETFL) & O_NONBLOCK), "O_NONBLOCK flags");
	CHILD_CHECK(10, fcntl(5, F_GETFD) == FD_CLOEXEC && fcntl(6, F_GETFD) == 0,
		    "close-on-exec flags");
	CHILD_CHECK(10, (fcntl(3, F_GETFL) & O_ACCMODE) == O_RDONLY &&
		    (fcntl(4, F_GETFL) & O_ACCMODE) == O_WRONLY, "access modes");
	/* Pipe x is exactly full: its capacity is really 4096. */
	errno = 0;
	CHILD_CHECK(11, write(4, "y", 1) == -1 && errno == EAGAIN,
		    "pipe x is not full any more (%s)", strerror(errno));
	cap_check_pipe(3, 4, CAP_X, 20);
	cap_check_pipe(5, 6, DATA_Y, 30);
	cap_check_pipe(7, 8, DATA_Z, 40);
	cap_check_pipe(9, 10, 0, 50);
	return 0;
}

TEST(pipes_inside_one_process_keep_data_capacity_and_flags)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(cap_setup, cap_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * A pipe end reopened through /proc/self/fd is an open file description
 * of its own: after restart, O_NONBLOCK set on one still does not show
 * on the other, and each has its own access mode.
 */
static int reopen_setup(void)
{
	int p[2];

	CHILD_CHECK(1, !pipe(p) && p[0] == 3 && p[1] == 4, "pipe at 3, 4");
	CHILD_CHECK(1, open("/proc/self/fd/4", O_WRONLY) == 5, "reopen the write end");
	CHILD_CHECK(1, open("/proc/self/fd/3", O_RDONLY | O_NONBLOCK) == 6,
		    "reopen the read end");
	CHILD_CHECK(1, dup(5) == 7, "dup");
	CHILD_CHECK(2, !fcntl(5, F_SETFL, O_NONBLOCK), "O_NONBLOCK on fd 5");
	CHILD_CHECK(3, write(4, "ab", 2) == 2 && write(5, "cd", 2) == 2, "write");
	return 0;
}

static int reopen_verify(void)
{
	char buf[8];

	CHILD_CHECK(10, !(fcntl(4, F_GETFL) & O_NONBLOCK), "fd 4 became non-blocking");
	CHILD_CHECK(11, fcntl(5, F_GETFL) & O_NONBLOCK, "fd 5 lost O_NONBLOCK");
	CHILD_CHECK(12, fcntl(7, F_GETFL) & O_NONBLOCK, "fd 7 (dup of 5) is another description");
	CHILD_CHECK(13, !(fcntl(3, F_GETFL) & O_NONBLOCK) && (fcntl(6, F_GETFL) & O_NONBLOCK),
		    "read ends: flags %#x %#x", fcntl(3, F_GETFL), fcntl(6, F_GETFL));
	CHILD_CHECK(14, !fcntl(5, F_SETFL, 0) && (fcntl(7, F_GETFL) & O_NONBLOCK) == 0 &&
		    (fcntl(4, F_GETFL) & O_NONBLOCK) == 0,
		    "fd 5 and its dup 7 are not one description any more");
	CHILD_CHECK(15, read(6, buf, 4) == 4 && !memcmp(buf, "abcd", 4), "the data");
	CHILD_CHECK(16, write(7, "e", 1) == 1 && read(3, buf, 1) == 1 && buf[0] == 'e',
		    "fds 7 and 3 are not one pipe any more");
	return 0;
}

TEST(pipe_end_reopened_through_proc_stays_a_description_of_its_own)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(reopen_setup, reopen_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * Pipe ends held outside the job
 */

#define OUT_TEST	"written by the test before the checkpoint\n"
#define OUT_JOB		"written by the job after it\n"

enum { O_READER = 1, O_WRITER };

/* fd 3: read everything to end of file; it must be @arg. */
static int out_reader(void *arg)
{
	const char *want = arg;
	char got[256];
	ssize_t n;

	ckpt_member_wait(O_READER);
	n = read_timed(3, got, sizeof(got) - 1, 10000);
	CHILD_CHECK(1, n >= 0, "read: %zd (%s)", n,
		    n == -2 ? "no end of file" : strerror(errno));
	got[n] = '\0';
	CHILD_CHECK(2, !strcmp(got, want), "read \"%s\", expected \"%s\"", got,
		    want);
	return 0;
}

/* fd 3: write OUT_JOB, which must work (@arg 0) or give EPIPE. */
static int out_writer(void *arg)
{
	bool epipe = !!arg;
	ssize_t n;

	CHILD_CHECK(1, signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal");
	ckpt_member_wait(O_WRITER);
	errno = 0;
	n = write(3, OUT_JOB, strlen(OUT_JOB));
	if (epipe)
		CHILD_CHECK(2, n == -1 && errno == EPIPE,
			    "write to a pipe whose reader is gone: %zd (%s)", n,
			    strerror(errno));
	else
		CHILD_CHECK(3, n == (ssize_t)strlen(OUT_JOB), "write: %zd (%s)",
			    n, strerror(errno));
	close(3);
	return 0;
}

TEST(pipe_end_held_outside_is_ebusy_and_the_job_runs_on)
{
	static char log[8192];
	struct ckpt_member m[4];
	pid_t reader, writer;
	int x[2], keep, n = 0, fd, logfd;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, pipe2(x, O_CLOEXEC));
	keep = fcntl(x[1], F_DUPFD_CLOEXEC, 10);
	ASSERT_LE(10, keep);
	ASSERT_EQ(0, ckpt_write_all(keep, OUT_TEST, strlen(OUT_TEST)));
	reader = ckpt_job_spawn(out_reader, OUT_TEST OUT_JOB, 0, &x[0], 1, m,
				&n, 4);
	ASSERT_GT(reader, 0);
	writer = ckpt_job_spawn(out_writer, NULL, reader, &x[1], 1, m, &n, 4);
	ASSERT_GT(writer, 0);
	close(x[0]);
	close(x[1]);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(reader, fd, CKPT_PGRP | CKPT_KILL, logfd));
	EXPECT_EQ(EBUSY, errno);
	ckpt_log_read(logfd, log, sizeof(log));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strcasestr(log, "pipe"));
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());

	/* Neither killed nor stopped: the job runs on as if nothing happened. */
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	close(keep);
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(reader));
	EXPECT_EQ(0, ckpt_reap(writer));
	close(logfd);
	close(fd);
}

TEST(outside_pipes_broken_saves_outside_ends_as_closed)
{
	static char log[8192];
	struct ckpt_member m[4];
	pid_t reader, writer;
	int x[2], y[2], n = 0, fd, logfd;
	char c;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	/* x: the job reads, we write; y: the job writes, we read. */
	ASSERT_EQ(0, pipe2(x, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(y, O_CLOEXEC));
	ASSERT_EQ(0, ckpt_write_all(x[1], OUT_TEST, strlen(OUT_TEST)));
	reader = ckpt_job_spawn(out_reader, OUT_TEST, 0, &x[0], 1, m, &n, 4);
	ASSERT_GT(reader, 0);
	writer = ckpt_job_spawn(out_writer, "epipe", reader, &y[1], 1, m, &n, 4);
	ASSERT_GT(writer, 0);
	close(x[0]);
	close(y[1]);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	/* Without the flag: refused, and the log names our pid. */
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(reader, fd, CKPT_PGRP | CKPT_KILL, logfd));
	EXPECT_EQ(EBUSY, errno);
	ckpt_log_read(logfd, log, sizeof(log));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	close(logfd);
	close(fd);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(reader, fd, CKPT_PGRP | CKPT_KILL |
				     CKPT_OUTSIDE_PIPES_BROKEN));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));
	/* Our ends now belong to pipes nobody else holds. */
	errno = 0;
	EXPECT_EQ(-1, write(x[1], "z", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, read(y[0], &c, 1));

	/*
	 * Restored, the job's pipes have no outside ends: the reader gets
	 * what we had written, then end of file; the writer gets EPIPE.
	 */
	ASSERT_EQ(reader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(reader));
	EXPECT_EQ(0, ckpt_reap(writer));
	close(x[1]);
	close(y[0]);
	close(fd);
}

/* --------------------------------------------------------------------
 * A FIFO
 */

#define FIFO_BEFORE	(20 * 1024)
#define FIFO_AFTER	(8 * 1024)

enum { F_READER = 1, F_WRITER };

static char fifo_path[64];

static void fifo_data(void *buf)
{
	ckpt_fill(buf, FIFO_BEFORE + FIFO_AFTER, 0xf1f0);
}

static int fifo_reader(void *arg)
{
	static uint64_t want[(FIFO_BEFORE + FIFO_AFTER) / 8];
	static char got[FIFO_BEFORE + FIFO_AFTER + 1];
	ssize_t n;
	int fd;

	(void)arg;
	fifo_data(want);
	/* Opened without waiting for a writer, then blocking. */
	fd = open(fifo_path, O_RDONLY | O_NONBLOCK);
	CHILD_CHECK(1, fd == 3, "open(%s): %d (%s)", fifo_path, fd,
		    strerror(errno));
	CHILD_CHECK(1, !fcntl(3, F_SETFL, 0), "F_SETFL");
	ckpt_member_wait(F_READER);
	n = read_timed(3, got, sizeof(got), 10000);
	CHILD_CHECK(2, n == FIFO_BEFORE + FIFO_AFTER,
		    "read %zd bytes (%s), expected %d then end of file", n,
		    n == -2 ? "no end of file" : "", FIFO_BEFORE + FIFO_AFTER);
	CHILD_CHECK(3, !memcmp(got, want, n), "the data differ");
	return 0;
}

static int fifo_writer(void *arg)
{
	static uint64_t data[(FIFO_BEFORE + FIFO_AFTER) / 8];
	struct stat st;
	int fd;

	(void)arg;
	fifo_data(data);
	fd = open(fifo_path, O_WRONLY);
	CHILD_CHECK(1, fd == 3, "open(%s): %d (%s)", fifo_path, fd,
		    strerror(errno));
	CHILD_CHECK(2, !ckpt_write_all(3, data, FIFO_BEFORE), "write: %s",
		    strerror(errno));
	ckpt_member_wait(F_WRITER);
	CHILD_CHECK(3, !fstat(3, &st) && S_ISFIFO(st.st_mode), "fd 3 is no FIFO");
	CHILD_CHECK(4, !ckpt_write_all(3, (char *)data + FIFO_BEFORE, FIFO_AFTER),
		    "write after restart: %s", strerror(errno));
	close(3);
	return 0;
}

TEST(fifo_between_two_members_keeps_its_data)
{
	const struct ckpt_rec_file *f;
	struct ckpt_member m[4];
	size_t len = 0, off = 0;
	int n = 0, fd, fifos = 0;
	pid_t reader, writer;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(fifo_path, sizeof(fifo_path), "/tmp/ckpt-fifo-%d", (int)getpid());
	unlink(fifo_path);
	ASSERT_EQ(0, mkfifo(fifo_path, 0600));
	reader = ckpt_job_spawn(fifo_reader, NULL, 0, NULL, 0, m, &n, 4);
	ASSERT_GT(reader, 0);
	writer = ckpt_job_spawn(fifo_writer, NULL, reader, NULL, 0, m, &n, 4);
	ASSERT_GT(writer, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(reader, fd, CKPT_PGRP | CKPT_KILL));
	EXPECT_EQ(0, reap_all(m, n, 128 + SIGKILL));
	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	while ((f = (const void *)ckpt_image_next(img, len, &off, CKPT_REC_FILE)))
		if (f->h.len > sizeof(*f) && f->kind == CKPT_FILE_FIFO &&
		    !strcmp(f->path, fifo_path))
			fifos++;
	EXPECT_EQ(2, fifos);
	EXPECT_TRUE(image_has_pipe(img, len, 65536, FIFO_BEFORE));
	free(img);

	ASSERT_EQ(reader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(reader));
	EXPECT_EQ(0, ckpt_reap(writer));
	unlink(fifo_path);
	close(fd);
}

/* --------------------------------------------------------------------
 * Processes that share a file table or a working directory
 *
 * P clones C with CLONE_FILES, CLONE_FS or both, without CLONE_THREAD.
 * Before the checkpoint each opens descriptors (pipes, a file at an
 * offset, a close-on-exec flag) and C moves the working directory and
 * the umask; P checks that it sees them.  After the restart of the tree
 * the two talk through two pipes, one each way, P leading: a descriptor
 * one opens, closes or dup2()s is at the same number in the other, a
 * close-on-exec flag one sets shows in the other, the write end of a
 * pipe closed by one gives the other end of file, and a chdir() or a
 * umask() of one is the other's.  A process forked normally keeps a
 * table and a directory of its own; threads of C share with P too.
 */

#ifndef __NR_clone3
#define __NR_clone3	435
#endif

/* What P shares with C (CLONE_FILES, CLONE_FS), and the variants. */
#define SH_THIRD	0x1	/* P also forks T, which shares nothing */
#define SH_THREADS	0x2	/* C has two threads, which do C's part */
#define SH_ROOT		0x4	/* P is a child of R, the root of the tree */
#define SH_SIBLING	0x8	/* C is R's child with a pid below P's */
#define SH_OUTSIDE	0x10	/* P's fd 3 is a pipe end the test holds too */

/* The descriptors, at the same numbers in every process. */
#define SH_TO_C		3	/* pipe P -> C: 3, 4 */
#define SH_TO_P		5	/* pipe C -> P: 5, 6 */
#define SH_FILE_P	7	/* "a", opened by P at SH_OFF_P */
#define SH_FILE_C	8	/* "b", opened by C at SH_OFF_C, close-on-exec */
#define SH_PIPE_C	9	/* C's pipe: 9, 10, with SH_DATA_C in it */
#define SH_TO_T		11	/* pipe P -> T: 11, 12 */
#define SH_FROM_T	13	/* pipe T -> P: 13, 14 */
#define SH_GO		15	/* C's threads wait on 15 and 17 (16, 18) */
#define SH_OUT		19	/* the pipe end of SH_OUTSIDE */
#define SH_DUP		20	/* where P dup2()s C's file after restart */
#define SH_LAST		22	/* where P leaves a file last, for C */

#define SH_OFF_P	1000
#define SH_OFF_C	2000
#define SH_OFF_NEW	77
#define SH_DATA_C	"in C's pipe before the checkpoint;"
#define SH_MORE_C	"written after it"

/* Messages on the pipes. */
enum { SH_READY = 100, SH_EARLY_P, SH_EARLY_C, SH_STEP, SH_DONE };

enum { SH_P = 1, SH_C, SH_T, SH_R };

static int sh_how;
static char sh_dir[64];
static pid_t sh_parent_pid;
static pthread_t sh_threads[2];

static void sh_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", sh_dir, name);
}

static void sh_remove_dir(void)
{
	char path[128];

	sh_path(path, sizeof(path), "a");
	unlink(path);
	sh_path(path, sizeof(path), "b");
	unlink(path);
	sh_path(path, sizeof(path), "d");
	rmdir(path);
	rmdir(sh_dir);
}

/* sh_dir with files "a" and "b" (8 KiB each) and a directory "d". */
static int sh_make_dir(void)
{
	static char data[8192];
	static const char *const names[] = { "a", "b" };
	char path[128];
	unsigned int i;
	int fd, err;

	snprintf(sh_dir, sizeof(sh_dir), "/tmp/ckpt-share-%d", (int)getpid());
	sh_remove_dir();
	sh_path(path, sizeof(path), "d");
	if (mkdir(sh_dir, 0755) || mkdir(path, 0755))
		return -1;
	memset(data, 's', sizeof(data));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		sh_path(path, sizeof(path), names[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		err = ckpt_write_all(fd, data, sizeof(data));
		close(fd);
		if (err)
			return -1;
	}
	return 0;
}

static ino_t sh_ino(const char *name)
{
	char path[128];
	struct stat st;

	sh_path(path, sizeof(path), name);
	return stat(path, &st) ? 0 : st.st_ino;
}

static ino_t sh_fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? (ino_t)-1 : st.st_ino;
}

static off_t sh_offset(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static int sh_open(const char *name, int flags)
{
	char path[128];

	sh_path(path, sizeof(path), name);
	return open(path, flags);
}

/* Move descriptor @fd to @want. */
static void sh_at(int fd, int want)
{
	CHILD_CHECK(80, fd >= 0 && (fd == want || dup2(fd, want) == want),
		    "fd %d to %d: %s", fd, want, strerror(errno));
	if (fd != want)
		close(fd);
}

/* A pipe whose read end is @want and write end @want + 1. */
static void sh_pipe_at(int want)
{
	int p[2], r, w;

	CHILD_CHECK(80, !pipe(p), "pipe: %s", strerror(errno));
	r = fcntl(p[0], F_DUPFD, 40);
	w = fcntl(p[1], F_DUPFD, 40);
	close(p[0]);
	close(p[1]);
	sh_at(r, want);
	sh_at(w, want + 1);
}

static void sh_tell(int fd, int v)
{
	CHILD_CHECK(81, !ckpt_write_all(fd, &v, sizeof(v)), "role %d: write to fd %d: %s",
		    (int)ckpt_me.role, fd, strerror(errno));
}

static int sh_hear(int fd)
{
	ssize_t n;
	int v = -1;

	n = read_timed(fd, &v, sizeof(v), 20000);
	CHILD_CHECK(82, n == (ssize_t)sizeof(v), "role %d: read from fd %d: %zd (%s)",
		    (int)ckpt_me.role, fd, n, n == -2 ? "nothing came" : strerror(errno));
	return v;
}

/*
 * The calling thread's umask, read without changing it: the other
 * process may be looking at the same one.
 */
static int sh_umask(void)
{
	char buf[4096], *p;

	if (ckpt_read_file("/proc/thread-self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nUmask:");
	return p ? (int)strtol(p + 7, NULL, 8) : -1;
}

static const char *sh_cwd(void)
{
	static char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "(%s)", strerror(errno));
	return cwd;
}

/* Is the working directory sh_dir/@sub ("": sh_dir itself; NULL: "/")? */
static bool sh_cwd_is(const char *sub)
{
	char want[PATH_MAX];

	if (!sub)
		snprintf(want, sizeof(want), "/");
	else if (*sub)
		sh_path(want, sizeof(want), sub);
	else
		snprintf(want, sizeof(want), "%s", sh_dir);
	return !strcmp(sh_cwd(), want);
}

/* In C and its threads: what P did last. */
static void sh_check_last(void)
{
	if (sh_how & CLONE_FILES)
		CHILD_CHECK(70, fcntl(SH_LAST, F_GETFD) == 0 && sh_fd_ino(SH_LAST) == sh_ino("a"),
			    "role %d: fd %d that P left is not there", (int)ckpt_me.role, SH_LAST);
	if (sh_how & CLONE_FS)
		CHILD_CHECK(71, sh_cwd_is("d") && sh_umask() == 062,
			    "role %d: working directory %s, umask %#o, P left %s/d and 062",
			    (int)ckpt_me.role, sh_cwd(), sh_umask(), sh_dir);
}

/* P's part after the restart (or after a refused checkpoint). */
static void sh_p_side(void)
{
	char buf[128];
	ssize_t got;
	int n;

	CHILD_CHECK(10, sh_hear(SH_TO_P) == SH_EARLY_C, "the data C left in the pipe");
	if (sh_how & CLONE_FILES) {
		/* Opened by each before the checkpoint: one table. */
		CHILD_CHECK(11, fcntl(SH_FILE_C, F_GETFD) == FD_CLOEXEC &&
			    fcntl(SH_FILE_P, F_GETFD) == 0,
			    "close-on-exec flags %d and %d", fcntl(SH_FILE_C, F_GETFD),
			    fcntl(SH_FILE_P, F_GETFD));
		CHILD_CHECK(12, sh_fd_ino(SH_FILE_C) == sh_ino("b") &&
			    sh_offset(SH_FILE_C) == SH_OFF_C &&
			    sh_fd_ino(SH_FILE_P) == sh_ino("a") && sh_offset(SH_FILE_P) == SH_OFF_P,
			    "fds %d and %d: offsets %lld and %lld", SH_FILE_C, SH_FILE_P,
			    (long long)sh_offset(SH_FILE_C), (long long)sh_offset(SH_FILE_P));
		/* A descriptor P opens now: C sees it, closes it. */
		n = sh_open("a", O_RDONLY);
		CHILD_CHECK(13, n >= 0 && lseek(n, SH_OFF_NEW, SEEK_SET) == SH_OFF_NEW,
			    "open: %s", strerror(errno));
		sh_tell(SH_TO_C + 1, n);
		CHILD_CHECK(14, sh_hear(SH_TO_P) == n, "C's answer");
		errno = 0;
		CHILD_CHECK(15, fcntl(n, F_GETFD) == -1 && errno == EBADF,
			    "fd %d, closed by C, is still open here", n);
		/* A dup2() and a close-on-exec flag of P's: C sees them. */
		CHILD_CHECK(16, dup2(SH_FILE_C, SH_DUP) == SH_DUP &&
			    !fcntl(SH_FILE_P, F_SETFD, FD_CLOEXEC), "dup2, F_SETFD: %s",
			    strerror(errno));
		sh_tell(SH_TO_C + 1, SH_DUP);
		CHILD_CHECK(17, sh_hear(SH_TO_P) == SH_STEP, "C's answer");
		/* C cleared its flag, wrote into its pipe and closed the write end. */
		CHILD_CHECK(18, fcntl(SH_FILE_C, F_GETFD) == 0,
			    "fd %d: C cleared its close-on-exec flag, here it is %d", SH_FILE_C,
			    fcntl(SH_FILE_C, F_GETFD));
		got = read_timed(SH_PIPE_C, buf, sizeof(buf), 10000);
		CHILD_CHECK(19, got == (ssize_t)strlen(SH_DATA_C SH_MORE_C) &&
			    !memcmp(buf, SH_DATA_C SH_MORE_C, got),
			    "C's pipe: %zd bytes (%s), expected its data then end of file", got,
			    got == -2 ? "no end of file" : "");
	}
	if (sh_how & CLONE_FS) {
		CHILD_CHECK(20, sh_cwd_is("d") && sh_umask() == 027,
			    "working directory %s and umask %#o, C had set %s/d and 027",
			    sh_cwd(), sh_umask(), sh_dir);
		CHILD_CHECK(21, !chdir(sh_dir), "chdir: %s", strerror(errno));
		umask(077);
		sh_tell(SH_TO_C + 1, SH_STEP);
		CHILD_CHECK(22, sh_hear(SH_TO_P) == SH_STEP, "C's answer");
		CHILD_CHECK(23, sh_cwd_is(NULL) && sh_umask() == 022,
			    "working directory %s and umask %#o, C set / and 022", sh_cwd(),
			    sh_umask());
	}
	/* What C (its threads) checks last. */
	if (sh_how & CLONE_FILES)
		CHILD_CHECK(24, dup2(SH_FILE_P, SH_LAST) == SH_LAST, "dup2: %s", strerror(errno));
	if (sh_how & CLONE_FS) {
		sh_path(buf, sizeof(buf), "d");
		CHILD_CHECK(24, !chdir(buf), "chdir(%s): %s", buf, strerror(errno));
		umask(062);
	}
	sh_tell(SH_TO_C + 1, SH_DONE);
}

/* C's part, the mirror of P's. */
static void sh_c_side(void)
{
	int n;

	CHILD_CHECK(30, sh_hear(SH_TO_C) == SH_EARLY_P, "the data P left in the pipe");
	if (sh_how & CLONE_FILES) {
		CHILD_CHECK(31, fcntl(SH_FILE_P, F_GETFD) == 0 &&
			    sh_fd_ino(SH_FILE_P) == sh_ino("a") && sh_offset(SH_FILE_P) == SH_OFF_P,
			    "P's fd %d: offset %lld", SH_FILE_P, (long long)sh_offset(SH_FILE_P));
		n = sh_hear(SH_TO_C);
		CHILD_CHECK(32, fcntl(n, F_GETFD) == 0 && sh_fd_ino(n) == sh_ino("a") &&
			    sh_offset(n) == SH_OFF_NEW,
			    "fd %d that P opened: F_GETFD %d (%s), offset %lld", n,
			    fcntl(n, F_GETFD), strerror(errno), (long long)sh_offset(n));
		CHILD_CHECK(33, !close(n), "close(%d): %s", n, strerror(errno));
		sh_tell(SH_TO_P + 1, n);
		CHILD_CHECK(34, sh_hear(SH_TO_C) == SH_DUP, "P's message");
		CHILD_CHECK(35, fcntl(SH_DUP, F_GETFD) == 0 && sh_fd_ino(SH_DUP) == sh_ino("b") &&
			    sh_offset(SH_DUP) == SH_OFF_C,
			    "fd %d that P dup2()ed is not C's file", SH_DUP);
		CHILD_CHECK(36, fcntl(SH_FILE_P, F_GETFD) == FD_CLOEXEC,
			    "fd %d: P set its close-on-exec flag, here it is %d", SH_FILE_P,
			    fcntl(SH_FILE_P, F_GETFD));
		CHILD_CHECK(37, !fcntl(SH_FILE_C, F_SETFD, 0) &&
			    !ckpt_write_all(SH_PIPE_C + 1, SH_MORE_C, strlen(SH_MORE_C)) &&
			    !close(SH_PIPE_C + 1), "fd %d, %d: %s", SH_FILE_C, SH_PIPE_C + 1,
			    strerror(errno));
		sh_tell(SH_TO_P + 1, SH_STEP);
	}
	if (sh_how & CLONE_FS) {
		CHILD_CHECK(38, sh_hear(SH_TO_C) == SH_STEP, "P's message");
		CHILD_CHECK(39, sh_cwd_is("") && sh_umask() == 077 && !access("d", F_OK),
			    "working directory %s and umask %#o, P set %s and 077", sh_cwd(),
			    sh_umask(), sh_dir);
		CHILD_CHECK(40, !chdir("/"), "chdir: %s", strerror(errno));
		umask(022);
		sh_tell(SH_TO_P + 1, SH_STEP);
	}
	CHILD_CHECK(41, sh_hear(SH_TO_C) == SH_DONE, "P's message");
	/* P closes fd SH_TO_C, in the table C shares, once C has read it. */
	if (sh_how & SH_THIRD)
		sh_tell(SH_TO_P + 1, SH_DONE);
	sh_check_last();
}

/* A thread of C: waits on its pipe, then does C's part or checks it. */
static void *sh_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	ssize_t n;
	char c;

	do {
		n = read(SH_GO + 2 * i, &c, 1);
	} while (n < 0 && errno == EINTR);
	CHILD_CHECK(60, n == 1, "thread %d: read: %zd (%s)", i, n, strerror(errno));
	if (i == 0)
		sh_c_side();
	else
		sh_check_last();
	return NULL;
}

static void sh_run_thread(int i)
{
	CHILD_CHECK(61, write(SH_GO + 2 * i + 1, "g", 1) == 1, "write: %s", strerror(errno));
	CHILD_CHECK(62, !pthread_join(sh_threads[i], NULL), "pthread_join");
}

/* C, P's clone. */
static int sh_child(void)
{
	int i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != sh_parent_pid)
		_exit(CKPT_EXIT_INIT);
	CKPT_STORE(ckpt_woken, 0);
	if (sh_how & CLONE_FILES) {
		sh_at(sh_open("b", O_RDWR), SH_FILE_C);
		CHILD_CHECK(1, lseek(SH_FILE_C, SH_OFF_C, SEEK_SET) == SH_OFF_C &&
			    !fcntl(SH_FILE_C, F_SETFD, FD_CLOEXEC), "lseek, F_SETFD");
		sh_pipe_at(SH_PIPE_C);
		CHILD_CHECK(1, !ckpt_write_all(SH_PIPE_C + 1, SH_DATA_C, strlen(SH_DATA_C)),
			    "write: %s", strerror(errno));
	}
	if (sh_how & CLONE_FS) {
		CHILD_CHECK(2, !chdir(sh_dir) && !chdir("d"), "chdir: %s", strerror(errno));
		umask(027);
	}
	if (sh_how & SH_THREADS) {
		for (i = 0; i < 2; i++) {
			sh_pipe_at(SH_GO + 2 * i);
			CHILD_CHECK(3, !pthread_create(&sh_threads[i], NULL, sh_thread,
						       (void *)(intptr_t)i), "pthread_create");
		}
	}
	/*
	 * The report pipe is P's descriptor too: report through a
	 * descriptor of our own on it, and leave P to close the pipe.
	 */
	if (sh_how & CLONE_FILES) {
		ckpt_ready_fd = fcntl(CKPT_READY_FD, F_DUPFD_CLOEXEC, CKPT_READY_FD + 1);
		CHILD_CHECK(4, ckpt_ready_fd > CKPT_READY_FD, "F_DUPFD: %s", strerror(errno));
	}
	sh_tell(SH_TO_P + 1, SH_READY);
	sh_tell(SH_TO_P + 1, SH_EARLY_C);
	ckpt_member_wait(SH_C);

	if (sh_how & SH_THREADS) {
		sh_run_thread(0);
		sh_run_thread(1);
	} else {
		sh_c_side();
	}
	sh_check_last();
	return 0;
}

static int sh_clone_fn(void *arg)
{
	(void)arg;
	_exit(sh_child());
}

/* clone3(2)'s arguments, up to set_tid (CLONE_ARGS_SIZE_VER1). */
struct sh_clone_args {
	__u64 flags, pidfd, child_tid, parent_tid, exit_signal;
	__u64 stack, stack_size, tls, set_tid, set_tid_size;
};

/*
 * clone3() with @flags, the child's pid the first free one below ours
 * (set_tid).  As fork(), returns 0 in the child.
 */
static pid_t sh_clone_below(int flags)
{
	struct sh_clone_args args = { .flags = flags, .set_tid_size = 1 };
	pid_t tid, pid = -1;

	for (tid = getpid() - 1; tid > 1; tid--) {
		args.set_tid = (uintptr_t)&tid;
		pid = syscall(__NR_clone3, &args, sizeof(args));
		if (pid >= 0 || errno != EEXIST)
			break;
	}
	return pid;
}

/* P: clone C, sharing what sh_how says. */
static pid_t sh_clone(void)
{
	int flags = sh_how & (CLONE_FILES | CLONE_FS);
	size_t size = 256 * 1024;
	char *stack = malloc(size);
	pid_t pid;

	CHILD_CHECK(90, stack, "malloc");
	sh_parent_pid = sh_how & SH_SIBLING ? getppid() : getpid();
	fflush(NULL);
	if (sh_how & SH_SIBLING)
		pid = sh_clone_below(flags | CLONE_PARENT);
	else
		pid = clone(sh_clone_fn, stack + size, flags | SIGCHLD, NULL);
	CHILD_CHECK(90, pid >= 0, "clone: %s", strerror(errno));
	if (pid == 0)
		_exit(sh_child());
	return pid;
}

/* T, forked normally by P before the clone: nothing of P's moves it. */
static int sh_third(void)
{
	char cwd[PATH_MAX];
	int mask = sh_umask();

	snprintf(cwd, sizeof(cwd), "%s", sh_cwd());
	ckpt_member_wait(SH_T);
	CHILD_CHECK(50, sh_hear(SH_TO_T) == SH_STEP, "P's message");
	errno = 0;
	CHILD_CHECK(51, fcntl(SH_FILE_C, F_GETFD) == -1 && fcntl(SH_LAST, F_GETFD) == -1 &&
		    errno == EBADF, "C's and P's later descriptors are in T's table");
	CHILD_CHECK(52, fcntl(SH_FILE_P, F_GETFD) == 0,
		    "P's close-on-exec flag on fd %d shows in T's table", SH_FILE_P);
	CHILD_CHECK(53, !strcmp(sh_cwd(), cwd) && sh_umask() == mask,
		    "T: working directory %s and umask %#o, was %s and %#o", sh_cwd(),
		    sh_umask(), cwd, mask);
	/* Closed here, moved here: P and C keep theirs. */
	CHILD_CHECK(54, !close(SH_FILE_P) && !chdir("/"), "close, chdir: %s", strerror(errno));
	umask(0);
	sh_tell(SH_FROM_T + 1, SH_STEP);
	CHILD_CHECK(55, sh_hear(SH_TO_T) == SH_DONE, "P's message");
	CHILD_CHECK(56, fcntl(SH_TO_C, F_GETFD) == 0, "fd %d, closed by P, is closed in T too",
		    SH_TO_C);
	return 0;
}

/* P's part with T, once C has been told it is done. */
static void sh_p_third(void)
{
	CHILD_CHECK(57, sh_hear(SH_TO_P) == SH_DONE, "C's last answer");
	sh_tell(SH_TO_T + 1, SH_STEP);
	CHILD_CHECK(57, sh_hear(SH_FROM_T) == SH_STEP, "T's answer");
	CHILD_CHECK(58, fcntl(SH_FILE_P, F_GETFD) == FD_CLOEXEC,
		    "fd %d, closed by T, is closed in P too", SH_FILE_P);
	CHILD_CHECK(59, sh_cwd_is("d") && sh_umask() == 062,
		    "P: working directory %s and umask %#o after T's chdir and umask", sh_cwd(),
		    sh_umask());
	CHILD_CHECK(59, !close(SH_TO_C), "close: %s", strerror(errno));
	sh_tell(SH_TO_T + 1, SH_DONE);
}

/*
 * Reap @count children, whichever they are (a copy restarted with new
 * pids does not know theirs): each must exit 0.
 */
static void sh_reap_children(int count)
{
	int st = -1;
	pid_t pid;

	while (count--) {
		do {
			pid = waitpid(-1, &st, 0);
		} while (pid < 0 && errno == EINTR);
		CHILD_CHECK(91, pid > 0 && WIFEXITED(st) && !WEXITSTATUS(st),
			    "role %d: waitpid %d (%s), status %#x", (int)ckpt_me.role, (int)pid,
			    strerror(errno), st);
	}
}

static int sh_parent_main(void)
{
	if (sh_how & SH_OUTSIDE)
		sh_at(3, SH_OUT);
	sh_pipe_at(SH_TO_C);
	sh_pipe_at(SH_TO_P);
	sh_at(sh_open("a", O_RDONLY), SH_FILE_P);
	CHILD_CHECK(5, lseek(SH_FILE_P, SH_OFF_P, SEEK_SET) == SH_OFF_P, "lseek");
	sh_tell(SH_TO_C + 1, SH_EARLY_P);
	if (sh_how & SH_THIRD) {
		sh_pipe_at(SH_TO_T);
		sh_pipe_at(SH_FROM_T);
		tree_fork(sh_third);
	}
	sh_clone();
	CHILD_CHECK(6, sh_hear(SH_TO_P) == SH_READY, "C is not ready");
	/* Shared before the checkpoint, as the clone flags say. */
	if (sh_how & CLONE_FILES)
		CHILD_CHECK(7, fcntl(SH_FILE_C, F_GETFD) == FD_CLOEXEC, "C's fd %d is not here",
			    SH_FILE_C);
	if (sh_how & CLONE_FS)
		CHILD_CHECK(8, sh_cwd_is("d"), "C's chdir did not move P: %s", sh_cwd());
	ckpt_member_wait(SH_P);

	sh_p_side();
	if (sh_how & SH_THIRD)
		sh_p_third();
	sh_reap_children(!(sh_how & SH_SIBLING) + !!(sh_how & SH_THIRD));
	return 0;
}

static int sh_parent(void *arg)
{
	(void)arg;
	return sh_parent_main();
}

/* R: P's parent; in the SH_SIBLING case C's too. */
static int sh_root(void *arg)
{
	(void)arg;
	tree_fork(sh_parent_main);
	ckpt_member_wait(SH_R);
	sh_reap_children(1 + !!(sh_how & SH_SIBLING));
	return 0;
}

/* Where process @pid's records are in the image: [*start, *end). */
static bool image_proc(const void *img, size_t len, pid_t pid, size_t *start, size_t *end)
{
	const struct ckpt_hdr *h;
	size_t off = 0, at = 0;
	bool in = false;

	while ((h = ckpt_image_next(img, len, &off, 0))) {
		if (!in && h->type == CKPT_REC_TASK && h->len >= sizeof(struct ckpt_rec_task) &&
		    ((const struct ckpt_rec_task *)h)->pid == pid) {
			in = true;
			*start = at;
		}
		if (in && h->type == CKPT_REC_TASK_END) {
			*end = off;
			return true;
		}
		at = off;
	}
	return false;
}

/* Records of @type among process @pid's, or -1 if it is not there. */
static int image_count_of(const void *img, size_t len, pid_t pid, uint32_t type)
{
	size_t start, end;
	int n = 0;

	if (!image_proc(img, len, pid, &start, &end))
		return -1;
	while (ckpt_image_next(img, end, &start, type))
		n++;
	return n;
}

/* The CKPT_REC_SHARES of process @pid, or NULL. */
static const struct ckpt_rec_shares *image_shares(const void *img, size_t len, pid_t pid)
{
	const struct ckpt_hdr *h;
	size_t start, end;

	if (!image_proc(img, len, pid, &start, &end))
		return NULL;
	h = ckpt_image_next(img, end, &start, CKPT_REC_SHARES);
	return h && h->len >= sizeof(struct ckpt_rec_shares) ? (const void *)h : NULL;
}

/*
 * The image: @first, the first of the two in it, has its tables;
 * @second has a CKPT_REC_SHARES naming @first instead.
 */
static void sh_check_image(struct __test_metadata *_metadata, int fd, pid_t first,
			   pid_t second)
{
	const struct ckpt_rec_shares *s;
	size_t len = 0, s1, e1, s2, e2;
	bool files = sh_how & CLONE_FILES, fs = sh_how & CLONE_FS;
	void *img;

	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	ASSERT_TRUE(image_proc(img, len, first, &s1, &e1)) TH_LOG("no process %d", first);
	ASSERT_TRUE(image_proc(img, len, second, &s2, &e2)) TH_LOG("no process %d", second);
	EXPECT_LT(s1, s2) TH_LOG("%d is after %d in the image", first, second);
	EXPECT_EQ(1, image_count(img, len, CKPT_REC_SHARES));
	EXPECT_EQ(NULL, image_shares(img, len, first));
	s = image_shares(img, len, second);
	ASSERT_NE(NULL, s) TH_LOG("no shares record for %d", second);
	EXPECT_EQ(files ? first : 0, s->files_of);
	EXPECT_EQ(fs ? first : 0, s->fs_of);
	EXPECT_LT(0, image_count_of(img, len, first, CKPT_REC_FD));
	EXPECT_EQ(1, image_count_of(img, len, first, CKPT_REC_FS));
	EXPECT_EQ(!fs, image_count_of(img, len, second, CKPT_REC_FS));
	if (files) {
		EXPECT_EQ(0, image_count_of(img, len, second, CKPT_REC_FD));
		EXPECT_EQ(0, image_count_of(img, len, second, CKPT_REC_FILE));
		EXPECT_EQ(0, image_count_of(img, len, second, CKPT_REC_PIPE));
	} else {
		EXPECT_LT(0, image_count_of(img, len, second, CKPT_REC_FD));
	}
	free(img);
}

/*
 * Spawn the job as sh_how says; *@top is its root (P, or R), @pc gets
 * P's and C's pids.  Returns the number of members, or -1.
 */
static int sh_spawn(struct ckpt_member *m, int max, pid_t *top, pid_t pc[2],
		    const int *fds, int nfds)
{
	int n = 0, want = 2 + !!(sh_how & (SH_THIRD | SH_ROOT)), p, c;

	*top = ckpt_job_spawn(sh_how & SH_ROOT ? sh_root : sh_parent, NULL, 0, fds, nfds, m,
			      &n, max);
	p = ckpt_job_find(m, n, SH_P);
	c = ckpt_job_find(m, n, SH_C);
	if (*top < 0 || n != want || p < 0 || c < 0) {
		ckpt_msg("%d members, %d expected", n, want);
		return -1;
	}
	pc[0] = m[p].pid;
	pc[1] = m[c].pid;
	if (ckpt_job_settle(m, n, 10000))
		return -1;
	return n;
}

/* Checkpoint the tree, kill it, check the image, restart it, wake it. */
static void sh_cycle(struct __test_metadata *_metadata, int how)
{
	struct ckpt_member m[8];
	pid_t top, pc[2];
	int n, fd;

	if (!ckpt_preamble(_metadata))
		return;
	sh_how = how;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, sh_make_dir());
	n = sh_spawn(m, 8, &top, pc, NULL, 0);
	ASSERT_LT(0, n);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(top, fd, CKPT_TREE | CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(top));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	if (how & SH_SIBLING) {
		ASSERT_LT(pc[1], pc[0]);
		sh_check_image(_metadata, fd, pc[1], pc[0]);
	} else {
		sh_check_image(_metadata, fd, pc[0], pc[1]);
	}

	ASSERT_EQ(top, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(top));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	sh_remove_dir();
	close(fd);
}

TEST(processes_sharing_a_file_table_share_it_again_after_restart)
{
	sh_cycle(_metadata, CLONE_FILES);
}

TEST(processes_sharing_a_working_directory_and_umask_share_them_again)
{
	sh_cycle(_metadata, CLONE_FS);
}

TEST(both_tables_shared_and_a_forked_process_keeps_its_own)
{
	sh_cycle(_metadata, CLONE_FILES | CLONE_FS | SH_THIRD);
}

TEST(threads_of_a_sharing_process_share_with_the_other_process_too)
{
	sh_cycle(_metadata, CLONE_FILES | CLONE_FS | SH_THREADS);
}

TEST(a_grandchild_sharing_its_parents_table_shares_it_again)
{
	sh_cycle(_metadata, CLONE_FILES | SH_ROOT);
}

TEST(tables_shared_with_a_sibling_first_in_the_image_are_shared_again)
{
	sh_cycle(_metadata, CLONE_FILES | CLONE_FS | SH_ROOT | SH_SIBLING);
}

/*
 * A copy restarted with new pids beside the originals, which run on: its
 * processes share their tables with each other, not with the originals
 * (the image names the old pids), and both do the whole exchange.
 */
TEST(a_copy_with_new_pids_shares_within_itself_beside_the_originals)
{
	struct ckpt_member m[8];
	static char log[8192];
	pid_t top, pc[2], got, pid;
	int n, i, fd, logfd;

	if (!ckpt_preamble(_metadata))
		return;
	sh_how = CLONE_FILES | CLONE_FS | SH_THIRD;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, sh_make_dir());
	n = sh_spawn(m, 8, &top, pc, NULL, 0);
	ASSERT_LT(0, n);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(top, fd, CKPT_TREE | CKPT_CONTINUE));

	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	got = restart(fd, RESTART_NEW_PIDS, logfd);
	ckpt_log_read(logfd, log, sizeof(log));
	close(logfd);
	ASSERT_GT(got, 0) TH_LOG("restart(RESTART_NEW_PIDS): %s; log: %s", strerror(errno), log);
	EXPECT_EQ(n, ckpt_log_count(log, "restored as pid")) TH_LOG("log: %s", log);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	for (i = 0; i < n; i++) {
		pid = new_pid_of(log, m[i].pid);
		EXPECT_GT(pid, 0) TH_LOG("no new pid for %d", m[i].pid);
		if (pid > 0)
			EXPECT_EQ(0, kill(pid, CKPT_WAKE_SIG));
	}
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(top));
	EXPECT_EQ(0, ckpt_reap(got));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	sh_remove_dir();
	close(fd);
}

TEST(file_table_shared_with_a_process_outside_the_job_is_ebusy)
{
	static const char why[] =
		"shares its file table with a process outside the job (CLONE_FILES)";
	struct ckpt_member m[8];
	static char log[4096];
	pid_t top, pc[2];
	int n, i;

	if (!ckpt_preamble(_metadata))
		return;
	sh_how = CLONE_FILES;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, sh_make_dir());
	n = sh_spawn(m, 8, &top, pc, NULL, 0);
	ASSERT_LT(0, n);

	/* C alone, then P alone: each shares with the other, outside. */
	for (i = 1; i >= 0; i--) {
		EXPECT_EQ(EBUSY, ckpt_checkpoint_log(pc[i], CKPT_KILL, log, sizeof(log)))
			TH_LOG("pid %d", pc[i]);
		EXPECT_NE(NULL, strstr(log, why)) TH_LOG("log: %s", log);
		EXPECT_TRUE(ckpt_log_has(log, "pid ", pc[i])) TH_LOG("log: %s", log);
	}
	/* Neither killed nor stopped, and they still share. */
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(top));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	sh_remove_dir();
}

/*
 * A pipe end in the shared table that the test holds too: the job's
 * descriptors on it are one (the table is one, however many processes
 * use it), so the test's is one more, outside the job.
 */
TEST(pipe_in_a_shared_file_table_also_held_outside_is_ebusy)
{
	struct ckpt_member m[8];
	static char log[4096];
	int n, x[2], keep, fd, logfd;
	pid_t top, pc[2];
	long ret;

	if (!ckpt_preamble(_metadata))
		return;
	sh_how = CLONE_FILES | SH_OUTSIDE;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, sh_make_dir());
	ASSERT_EQ(0, pipe2(x, O_CLOEXEC));
	keep = fcntl(x[1], F_DUPFD_CLOEXEC, 10);
	ASSERT_LE(10, keep);
	n = sh_spawn(m, 8, &top, pc, &x[1], 1);
	close(x[0]);
	close(x[1]);
	ASSERT_LT(0, n);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	errno = 0;
	ret = checkpoint(top, fd, CKPT_TREE | CKPT_KILL, logfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EBUSY, errno);
	ckpt_log_read(logfd, log, sizeof(log));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "pipe"));
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());
	if (ret == 0) {
		/* Saved and killed after all. */
		EXPECT_EQ(128 + SIGKILL, ckpt_reap(top));
	} else {
		EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
		EXPECT_EQ(0, ckpt_job_wake(m, n));
		EXPECT_EQ(0, ckpt_reap(top));
	}
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	close(keep);
	close(logfd);
	close(fd);
	sh_remove_dir();
}

/* --------------------------------------------------------------------
 * Argument errors
 */

TEST(job_scopes_need_a_pid_above_0)
{
	static const unsigned int scopes[] = { CKPT_PGRP, CKPT_SESSION, CKPT_TREE };
	static const pid_t pids[] = { 0, -1, INT_MIN };
	struct ckpt_member m[4];
	unsigned int s, p;
	int fd, n = 0;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	for (s = 0; s < ARRAY_SIZE(scopes); s++) {
		for (p = 0; p < ARRAY_SIZE(pids); p++) {
			errno = 0;
			EXPECT_EQ(-1, checkpoint(pids[p], fd,
						 scopes[s] | CKPT_CONTINUE, 2));
			EXPECT_EQ(EINVAL, errno) TH_LOG("scope %#x pid %d: %s",
							scopes[s], pids[p],
							strerror(errno));
		}
	}
	EXPECT_EQ(0, ckpt_fd_size(fd));

	/*
	 * The scopes themselves are known: with a real session (also its
	 * group and its tree) each is accepted.
	 */
	child = ckpt_job_spawn(worker_main, (void *)(intptr_t)(3 | W_SETSID),
			       -1, NULL, 0, m, &n, 4);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	ASSERT_EQ(child, m[0].sid);
	for (s = 0; s < ARRAY_SIZE(scopes); s++) {
		ASSERT_EQ(0, ftruncate(fd, 0));
		ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
		EXPECT_EQ(0, ckpt_checkpoint(child, fd, scopes[s] | CKPT_CONTINUE))
			TH_LOG("scope %#x", scopes[s]);
		EXPECT_LT(0, ckpt_fd_size(fd));
	}
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST(a_group_or_session_that_does_not_exist_is_esrch)
{
	static const unsigned int scopes[] = { CKPT_PGRP, CKPT_SESSION, CKPT_TREE };
	struct ckpt_member m[4];
	int fd, n = 0;
	unsigned int s;
	pid_t gone, child;

	if (!ckpt_preamble(_metadata))
		return;
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	gone = fork();
	ASSERT_GE(gone, 0);
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(0, ckpt_reap(gone));
	for (s = 0; s < ARRAY_SIZE(scopes); s++) {
		errno = 0;
		EXPECT_EQ(-1, checkpoint(gone, fd, scopes[s] | CKPT_KILL, 2));
		EXPECT_EQ(ESRCH, errno) TH_LOG("scope %#x: %s", scopes[s],
					       strerror(errno));
	}

	/* A live process whose pid is no group's and no session's id. */
	child = ckpt_job_spawn(worker_main, (void *)1, -1, NULL, 0, m, &n, 4);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	ASSERT_NE(child, m[0].pgid);
	ASSERT_NE(child, m[0].sid);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, fd, CKPT_PGRP | CKPT_KILL, 2));
	EXPECT_EQ(ESRCH, errno) TH_LOG("group %d: %s", child, strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, fd, CKPT_SESSION | CKPT_KILL, 2));
	EXPECT_EQ(ESRCH, errno) TH_LOG("session %d: %s", child, strerror(errno));
	EXPECT_EQ(0, ckpt_fd_size(fd));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* In a session of its own: checkpoint() of that session must refuse. */
static int insider_main(void)
{
	char log[4096];
	int fd, logfd;
	long r;

	ckpt_child_ready();
	CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	logfd = ckpt_log_open();
	CHILD_CHECK(2, fd >= 0 && logfd >= 0, "open: %s", strerror(errno));
	errno = 0;
	r = checkpoint(getpid(), fd, CKPT_SESSION | CKPT_CONTINUE, logfd);
	CHILD_CHECK(3, r == -1 && errno == EINVAL,
		    "checkpoint of our own session: %ld (%s)", r, strerror(errno));
	ckpt_log_read(logfd, log, sizeof(log));
	CHILD_CHECK(4, strstr(log, "the caller is a member of the job"),
		    "log: %s", log);
	close(logfd);
	close(fd);
	return 0;
}

TEST(a_job_containing_the_caller_is_einval)
{
	static const struct {
		unsigned int scope;
		const char *what;
	} own[] = {
		{ CKPT_PGRP, "our group" },
		{ CKPT_TREE, "our own tree" },
		{ CKPT_TREE, "our parent's tree" },
	};
	struct ckpt_member m[4];
	static char log[4096];
	int fd, logfd, n = 0;
	unsigned int i;
	pid_t child, pid;

	if (!ckpt_preamble(_metadata))
		return;
	/* The harness runs each test in a group of its own: ours. */
	ASSERT_EQ(getpid(), getpgrp());
	/* A member of our group that must come out of it untouched. */
	child = ckpt_job_spawn(worker_main, (void *)2, -1, NULL, 0, m, &n, 4);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(own); i++) {
		pid = i == 2 ? getppid() : getpid();
		logfd = ckpt_log_open();
		ASSERT_GE(logfd, 0);
		errno = 0;
		EXPECT_EQ(-1, checkpoint(pid, fd, own[i].scope | CKPT_CONTINUE,
					 logfd));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", own[i].what,
						strerror(errno));
		ckpt_log_read(logfd, log, sizeof(log));
		close(logfd);
		EXPECT_NE(NULL, strstr(log, "the caller is a member of the job"))
			TH_LOG("%s: log: %s", own[i].what, log);
	}
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_wake_reap(child));

	/* And a session, from a process inside it. */
	child = ckpt_spawn_main(insider_main);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_reap(child));
	close(fd);
}

TEST_HARNESS_MAIN
