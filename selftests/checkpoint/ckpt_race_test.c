// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart against a job that changes under it.
 *
 * Checkpoint: a process tree whose workers fork and reap short-lived
 * children in a tight loop is checkpointed (CKPT_TREE | CKPT_CONTINUE)
 * over and over, for CKPT_RACE_SECONDS (20 s) or CKPT_RACE_CHECKPOINTS
 * (2000) calls, whichever ends first.  A member collected as a zombie
 * can be reaped by its parent, not frozen yet, before the checkpoint
 * looks at it; that must not crash the kernel (it did: a NULL pid).
 * Every call succeeds, or fails with a reason on the log fd; most
 * succeed; the tree runs on, nothing of it stopped, and its workers
 * keep looping.  Then the tree is checkpointed and killed (CKPT_KILL),
 * restarted, and its workers loop on after the restart.  The same with
 * a process group whose short-lived members are forked and reaped in
 * batches by their parents outside the job (CKPT_PGRP | CKPT_CONTINUE).
 *
 * Restart: a process with 4 MiB of memory and three threads (each with
 * glibc's robust futex list and clear_child_tid) is checkpointed and
 * killed, then restarted CKPT_RACE_RESTARTS (60) times while the test
 * sends SIGKILL to the restored pid every 75 us from a moment that
 * sweeps from the start of restart() to 5/4 of its usual duration (the
 * killing slows it down: its end is covered too).  Each
 * restart either succeeds (the restored process may be killed right
 * after), or fails with ESRCH or EINTR and "killed during restart" on
 * the log, never as a corrupted image (a digest "mismatch"); and each
 * leaves nothing behind: no child of the restarter, none of the pids
 * or tids in use, as many processes as before.  The log goes to a file
 * or to a pipe, in turns: the reason must reach both.  The image
 * restarts fine afterwards.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 180

/* --------------------------------------------------------------------
 * Helpers
 */

/* A positive number from the environment, or @dflt. */
static int env_count(const char *var, int dflt)
{
	const char *s = getenv(var);

	return s && atoi(s) > 0 ? atoi(s) : dflt;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case ENOEXEC: return "ENOEXEC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case E2BIG: return "E2BIG";
	default: return strerror(e);
	}
}

/*
 * A line on the kernel's log (best effort), so that a splat on the
 * console can be placed against what the test was doing.
 */
static void console_mark(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1) < 0)
		ckpt_msg("/dev/kmsg: %s", strerror(errno));
	close(fd);
}

/* Empty the log file @fd for the next call. */
static int log_reset(int fd)
{
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		return -1;
	return 0;
}

/* Reap every child there is, for up to @ms, until none is left. */
static int drain_children(unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;

	for (;;) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		if (!ckpt_have_children())
			return 0;
		if (ckpt_now_ms() >= end)
			return -1;
		ckpt_sleep_ms(5);
	}
}

/* Wait until group @pgid has @n processes, reaping our children; 0 or -1. */
static int wait_pgrp_count(pid_t pgid, int n, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;

	for (;;) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		if (ckpt_pgrp_count(pgid) == n)
			return 0;
		if (ckpt_now_ms() >= end)
			return -1;
		ckpt_sleep_ms(5);
	}
}

/*
 * Outcomes of a series of checkpoint(2) calls: successes, and failures
 * per errno, each of which must have left a line on the log.
 */
struct outcomes {
	int calls, ok, failed, unlogged;
	int err[4];		/* ESRCH, EBUSY, EOPNOTSUPP, other */
	int min_tasks, max_tasks, zombies;
	uint64_t ms;
};

static void count_outcome(struct outcomes *o, long ret, int err, int logfd,
			  int imgfd)
{
	struct ckpt_rec_header hdr;
	char log[2048];

	o->calls++;
	if (ret == 0) {
		o->ok++;
		if (ckpt_image_header(imgfd, &hdr) == 0) {
			if (!o->min_tasks || (int)hdr.nr_tasks < o->min_tasks)
				o->min_tasks = hdr.nr_tasks;
			if ((int)hdr.nr_tasks > o->max_tasks)
				o->max_tasks = hdr.nr_tasks;
			/* Live threads are fewer than processes: zombies. */
			if (hdr.nr_threads < hdr.nr_tasks)
				o->zombies++;
		}
		return;
	}
	o->failed++;
	o->err[err == ESRCH ? 0 : err == EBUSY ? 1 : err == EOPNOTSUPP ? 2 : 3]++;
	ckpt_log_read(logfd, log, sizeof(log));
	if (!log[0])
		o->unlogged++;
	if (o->failed <= 5 || !log[0])
		ckpt_msg("checkpoint call %d: %s, log: %s", o->calls,
			 errno_name(err), log[0] ? log : "(nothing)");
}

static void print_outcomes(struct __test_metadata *_metadata,
			   const char *what, const struct outcomes *o)
{
	TH_LOG("%s: %d checkpoints in %llu ms: %d succeeded, %d failed",
	       what, o->calls, (unsigned long long)o->ms, o->ok, o->failed);
	TH_LOG("%s: failures: ESRCH %d, EBUSY %d, EOPNOTSUPP %d, other %d; %d without a reason",
	       what, o->err[0], o->err[1], o->err[2], o->err[3], o->unlogged);
	TH_LOG("%s: images of %d to %d processes, %d with a zombie in them",
	       what, o->min_tasks, o->max_tasks, o->zombies);
}

/*
 * checkpoint(@pid, @flags) to @imgfd, emptied first, over and over for
 * CKPT_RACE_SECONDS or CKPT_RACE_CHECKPOINTS calls.  Between two calls
 * the job runs for 0 to 1.5 ms, so that each one finds it at another
 * point of its loops.
 */
static void checkpoint_loop(const char *what, pid_t pid, unsigned int flags,
			    int imgfd, int logfd, struct outcomes *o)
{
	int secs = env_count("CKPT_RACE_SECONDS", 20);
	int max = env_count("CKPT_RACE_CHECKPOINTS", 2000);
	uint64_t start = ckpt_now_ms(), end = start + secs * 1000ULL;
	uint64_t next = start + 5000;
	long ret;
	int err;

	memset(o, 0, sizeof(*o));
	console_mark("ckpt_race_test: %s %d: up to %d checkpoints in %d s\n",
		     what, (int)pid, max, secs);
	while (o->calls < max && ckpt_now_ms() < end) {
		if (ckpt_now_ms() >= next) {
			ckpt_msg("%s: %d checkpoints in %llu ms, %d succeeded",
				 what, o->calls,
				 (unsigned long long)(ckpt_now_ms() - start),
				 o->ok);
			next += 5000;
		}
		if (log_reset(logfd) || log_reset(imgfd)) {
			ckpt_msg("cannot empty the image or the log: %s",
				 strerror(errno));
			break;
		}
		errno = 0;
		ret = checkpoint(pid, imgfd, flags, logfd);
		err = errno;
		count_outcome(o, ret, err, logfd, imgfd);
		sleep_us((o->calls % 4) * 500);
	}
	o->ms = ckpt_now_ms() - start;
	console_mark("ckpt_race_test: %s %d: %d checkpoints done\n", what,
		     (int)pid, o->calls);
}

/* Did the counter at @addr in process @pid move within 10 s? */
static bool counter_moves(pid_t pid, const uint64_t *addr)
{
	uint64_t p = ckpt_peek_u64(pid, addr);

	if (p == (uint64_t)-1) {
		ckpt_msg("process %d: cannot read its counter (state %c)",
			 (int)pid, ckpt_proc_state(pid) ?: '?');
		return false;
	}
	if (ckpt_wait_counter_past(pid, addr, p, 10000) <= p ||
	    ckpt_peek_u64(pid, addr) == (uint64_t)-1) {
		ckpt_msg("process %d: counter stuck at %llu (state %c)",
			 (int)pid, (unsigned long long)p,
			 ckpt_proc_state(pid) ?: '?');
		return false;
	}
	return true;
}

/* --------------------------------------------------------------------
 * A tree whose workers fork and reap children in a loop
 */

#define RT_WORKERS	5
#define RT_MAX		16

/* Each worker's rounds: the test reads it with ckpt_peek_u64(). */
static uint64_t rt_rounds;

/* Fork a child that exits at once, and reap it, forever. */
static int rt_worker(int role)
{
	pid_t c, r;
	int st;

	ckpt_member_report(role, 'R');
	for (;;) {
		c = fork();
		CHILD_CHECK(1, c >= 0, "worker %d: fork: %s", role,
			    strerror(errno));
		if (c == 0)
			_exit(0);
		do {
			r = waitpid(c, &st, 0);
		} while (r < 0 && errno == EINTR);
		CHILD_CHECK(2, r == c && WIFEXITED(st) && !WEXITSTATUS(st),
			    "worker %d: child %d: waitpid %d (%s), status %#x",
			    role, (int)c, (int)r, r < 0 ? strerror(errno) : "",
			    st);
		__atomic_store_n(&rt_rounds, rt_rounds + 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* The root: forks the workers, then sleeps until SIGUSR2. */
static int rt_root(void *arg)
{
	pid_t pid;
	int i;

	(void)arg;
	for (i = 1; i <= RT_WORKERS; i++) {
		pid = ckpt_member_fork();
		CHILD_CHECK(90, pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0)
			_exit(rt_worker(i));
	}
	ckpt_member_wait(0);
	return 0;
}

/* Every worker of the tree is looping. */
static int rt_workers_loop(const struct ckpt_member *m, int n)
{
	int i, stuck = 0;

	for (i = 0; i < n; i++)
		if (m[i].role && !counter_moves(m[i].pid, &rt_rounds))
			stuck++;
	return stuck;
}

/*
 * Kill the tree (its group) and reap it: the root is our child, the
 * workers and their children come to us (we are a subreaper).
 */
static int rt_kill(pid_t root, const struct ckpt_member *m, int n)
{
	int status;

	kill(-root, SIGKILL);
	status = ckpt_reap(root);
	if (status != 128 + SIGKILL)
		ckpt_msg("root %d: status %d", (int)root, status);
	if (ckpt_job_gone(m, n, 10000) || wait_pgrp_count(root, 0, 10000) ||
	    drain_children(10000))
		return -1;
	return status == 128 + SIGKILL ? 0 : -1;
}

TEST(tree_whose_workers_fork_and_reap_children_survives_checkpoints)
{
	struct ckpt_member m[RT_MAX];
	char log[4096];
	struct outcomes o;
	int n = 0, i, imgfd, logfd, err;
	pid_t root;
	long ret;

	if (!ckpt_preamble(_metadata))
		return;
	/* The workers' orphans come to us when the tree is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(rt_root, NULL, 0, NULL, 0, m, &n, RT_MAX);
	ASSERT_GT(root, 0);
	ASSERT_EQ(RT_WORKERS + 1, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	ASSERT_EQ(0, rt_workers_loop(m, n));

	imgfd = ckpt_image_open();
	ASSERT_GE(imgfd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	checkpoint_loop("tree", root, CKPT_TREE | CKPT_CONTINUE, imgfd, logfd,
			&o);
	print_outcomes(_metadata, "tree", &o);
	EXPECT_EQ(0, o.unlogged);
	EXPECT_LE(1, o.ok);
	EXPECT_LE(o.calls, 2 * o.ok) TH_LOG("most checkpoints failed");
	EXPECT_LE(RT_WORKERS + 1, o.min_tasks);

	/* The tree runs on: nothing stopped, every worker loops. */
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RSD"));
	for (i = 0; i < n; i++)
		EXPECT_NE('T', ckpt_proc_state(m[i].pid)) TH_LOG("member %d", i);
	EXPECT_EQ(0, rt_workers_loop(m, n));

	/* Checkpoint and kill it; a clean failure may be tried again. */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, log_reset(logfd));
		ASSERT_EQ(0, log_reset(imgfd));
		errno = 0;
		ret = checkpoint(root, imgfd, CKPT_TREE | CKPT_KILL, logfd);
		err = errno;
		if (!ret)
			break;
		TH_LOG("checkpoint(CKPT_KILL): %s, log: %s", errno_name(err),
		       ckpt_log_read(logfd, log, sizeof(log)));
		ASSERT_NE(0, log[0]);
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	ASSERT_EQ(0, wait_pgrp_count(root, 0, 10000));
	ASSERT_EQ(0, drain_children(10000));

	/* Restarted, the tree is back as it was and its workers loop on. */
	ASSERT_EQ(0, log_reset(logfd));
	ASSERT_EQ(0, lseek(imgfd, 0, SEEK_SET));
	errno = 0;
	ret = restart(imgfd, 0, logfd);
	err = errno;
	ASSERT_EQ(root, ret) TH_LOG("restart: %s, log: %s", errno_name(err),
				    ckpt_log_read(logfd, log, sizeof(log)));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RSD"));
	EXPECT_EQ(0, rt_workers_loop(m, n));
	EXPECT_EQ(0, rt_kill(root, m, n));
	EXPECT_FALSE(ckpt_have_children());
	close(imgfd);
	close(logfd);
}

/* --------------------------------------------------------------------
 * A group whose members' parents, outside the job, reap them
 */

#define PG_REAPERS	3
#define PG_BATCH	8

static pid_t pg_group;

/* Each reaper's rounds, read by the test with ckpt_peek_u64(). */
static uint64_t pg_rounds;

/* A member that only makes the group exist: sleeps until SIGUSR2. */
static int pg_leader(void *arg)
{
	(void)arg;
	ckpt_member_wait(0);
	return 0;
}

/*
 * Outside the group, forever: fork PG_BATCH children that join it and
 * exit at once, then reap them, the oldest first.  A group lists its
 * newest member first: the zombies reaped first are the ones a
 * checkpoint looks at last.
 */
static int pg_reaper(void)
{
	pid_t c[PG_BATCH], r;
	int i, st;

	ckpt_child_ready();
	for (;;) {
		for (i = 0; i < PG_BATCH; i++) {
			c[i] = fork();
			CHILD_CHECK(1, c[i] >= 0, "fork: %s", strerror(errno));
			if (c[i] == 0)
				_exit(setpgid(0, pg_group) ? 1 : 0);
			/* As a shell does: whichever of us comes first. */
			setpgid(c[i], pg_group);
		}
		for (i = 0; i < PG_BATCH; i++) {
			do {
				r = waitpid(c[i], &st, 0);
			} while (r < 0 && errno == EINTR);
			CHILD_CHECK(2, r == c[i] && WIFEXITED(st) && !WEXITSTATUS(st),
				    "child %d: waitpid %d (%s), status %#x",
				    (int)c[i], (int)r,
				    r < 0 ? strerror(errno) : "", st);
		}
		__atomic_store_n(&pg_rounds, pg_rounds + 1, __ATOMIC_RELAXED);
	}
	return 0;
}

TEST(group_whose_members_are_reaped_from_outside_survives_checkpoints)
{
	struct ckpt_member m[1];
	pid_t leader, reaper[PG_REAPERS];
	struct outcomes o;
	int n = 0, i, imgfd, logfd;

	if (!ckpt_preamble(_metadata))
		return;
	leader = ckpt_job_spawn(pg_leader, NULL, 0, NULL, 0, m, &n, 1);
	ASSERT_GT(leader, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	pg_group = leader;
	for (i = 0; i < PG_REAPERS; i++) {
		reaper[i] = ckpt_spawn_main(pg_reaper);
		ASSERT_GT(reaper[i], 0);
		ASSERT_TRUE(counter_moves(reaper[i], &pg_rounds));
	}

	imgfd = ckpt_image_open();
	ASSERT_GE(imgfd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	checkpoint_loop("group", leader, CKPT_PGRP | CKPT_CONTINUE, imgfd,
			logfd, &o);
	print_outcomes(_metadata, "group", &o);
	EXPECT_EQ(0, o.unlogged);
	EXPECT_LE(1, o.ok);
	EXPECT_LE(o.calls, 2 * o.ok) TH_LOG("most checkpoints failed");

	/* The leader sleeps on, the reapers and their children go on. */
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	for (i = 0; i < PG_REAPERS; i++) {
		EXPECT_TRUE(counter_moves(reaper[i], &pg_rounds));
		EXPECT_NE('T', ckpt_proc_state(reaper[i]));
	}

	for (i = 0; i < PG_REAPERS; i++)
		EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(reaper[i]));
	EXPECT_EQ(0, ckpt_wake_reap(leader));
	EXPECT_EQ(0, wait_pgrp_count(leader, 0, 10000));
	EXPECT_EQ(0, drain_children(10000));
	close(imgfd);
	close(logfd);
}

/* --------------------------------------------------------------------
 * SIGKILL to a process while restart() rebuilds it
 */

#define K_MEM		(4UL << 20)
#define K_THREADS	3
#define K_TMEM		(64 * 1024)
#define K_SEED		31

static uint64_t *k_mem;
static sem_t k_go[K_THREADS];
static int k_started;

static void *k_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	uint64_t *mem = malloc(K_TMEM);
	long bad;

	if (!mem)
		return (void *)1;
	ckpt_fill(mem, K_TMEM, 200 + i);
	__atomic_add_fetch(&k_started, 1, __ATOMIC_SEQ_CST);
	while (sem_wait(&k_go[i]) && errno == EINTR)
		;
	bad = ckpt_check_fill(mem, K_TMEM, 200 + i);
	free(mem);
	return (void *)(intptr_t)(bad < 0 ? 0 : 2);
}

/*
 * 4 MiB of memory and three threads waiting on semaphores; once woken,
 * check the memory, let the threads check theirs and join them
 * (clear_child_tid at work).
 */
static int k_main(void)
{
	pthread_t th[K_THREADS];
	void *ret;
	long bad;
	int i;

	k_mem = malloc(K_MEM);
	CHILD_CHECK(1, k_mem, "malloc");
	ckpt_fill(k_mem, K_MEM, K_SEED);
	for (i = 0; i < K_THREADS; i++) {
		CHILD_CHECK(1, !sem_init(&k_go[i], 0, 0), "sem_init");
		CHILD_CHECK(1, !pthread_create(&th[i], NULL, k_thread,
					       (void *)(intptr_t)i),
			    "pthread_create");
	}
	while (CKPT_LOAD(k_started) < K_THREADS)
		usleep(1000);
	ckpt_child_wait();
	bad = ckpt_check_fill(k_mem, K_MEM, K_SEED);
	CHILD_CHECK(2, bad < 0, "word %ld changed", bad);
	for (i = 0; i < K_THREADS; i++) {
		CHILD_CHECK(3, !sem_post(&k_go[i]), "sem_post");
		ret = (void *)-1;
		CHILD_CHECK(4, !pthread_join(th[i], &ret) && !ret,
			    "thread %d: %p", i, ret);
	}
	return 0;
}

struct k_result {
	int32_t ret;	/* what restart() returned */
	int32_t err;	/* its errno */
};

/* Exit statuses of the restarter. */
#define RS_OK		0	/* failed, or restored and killed */
#define RS_SETUP	1	/* could not start */
#define RS_RESTORED	2	/* the restored process did not die of SIGKILL */

/*
 * In a child of ours (the restored process must be its child): say
 * "go" on @gofd, restart the image in @fd, send what restart() returned
 * on @resfd, and reap the restored process once the test has killed it.
 */
static void k_restarter(int fd, int logfd, int gofd, int resfd)
{
	struct k_result r;
	int status;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || lseek(fd, 0, SEEK_SET))
		_exit(RS_SETUP);
	if (write(gofd, "g", 1) != 1)
		_exit(RS_SETUP);
	errno = 0;
	r.ret = restart(fd, 0, logfd);
	r.err = errno;
	if (write(resfd, &r, sizeof(r)) != sizeof(r))
		_exit(RS_SETUP);
	if (r.ret <= 0)
		_exit(RS_OK);
	status = ckpt_reap(r.ret);
	_exit(status == 128 + SIGKILL ? RS_OK : RS_RESTORED);
}

/* Where restart() writes its log: a file, or a pipe. */
struct k_log {
	int file;		/* a log file, emptied before each restart */
	bool pipe;		/* use a pipe instead */
	char text[16384];	/* what restart() wrote */
};

/*
 * One restart of the image in @fd by a restarter child.  From @delay_us
 * after the restarter says go (never if @delay_us < 0), SIGKILL @pid
 * every 75 us until restart() returns.  The restored process, if any, is
 * killed then.  Returns the restarter's exit status, with restart()'s
 * result in @r, its log in @log->text, and its duration in @dur_us; -1
 * if it went wrong.
 */
static int k_restart_once(int fd, struct k_log *log, pid_t pid,
			  long delay_us, struct k_result *r, uint64_t *dur_us)
{
	int go[2], res[2], lp[2] = { -1, -1 }, logfd, status = -1;
	struct pollfd pfd;
	ssize_t len;
	uint64_t t0;
	pid_t rs;
	char c;

	log->text[0] = '\0';
	r->ret = -1;
	r->err = -1;
	if (log->pipe ? pipe2(lp, O_CLOEXEC) : log_reset(log->file))
		return -1;
	logfd = log->pipe ? lp[1] : log->file;
	if (pipe2(go, O_CLOEXEC))
		goto out_log;
	if (pipe2(res, O_CLOEXEC))
		goto out_go;
	fflush(NULL);
	rs = fork();
	if (rs == 0) {
		close(go[0]);
		close(res[0]);
		k_restarter(fd, logfd, go[1], res[1]);
	}
	close(go[1]);
	close(res[1]);
	go[1] = -1;
	res[1] = -1;
	if (log->pipe) {
		close(lp[1]);
		lp[1] = -1;
	}
	if (rs < 0)
		goto out_res;
	if (read(go[0], &c, 1) != 1) {
		ckpt_msg("restarter: status %d", ckpt_reap(rs));
		goto out_res;
	}
	t0 = now_us();
	pfd.fd = res[0];
	pfd.events = POLLIN;
	if (delay_us >= 0) {
		sleep_us(delay_us);
		for (;;) {
			kill(pid, SIGKILL);
			if (poll(&pfd, 1, 0) > 0)
				break;
			sleep_us(75);
		}
	}
	len = ckpt_read_all(res[0], r, sizeof(*r));
	*dur_us = now_us() - t0;
	if (r->ret > 0)
		kill(r->ret, SIGKILL);
	status = ckpt_reap(rs);
	if (len != sizeof(*r)) {
		ckpt_msg("the restarter died before restart() returned: status %d",
			 status);
		status = -1;
	}
	/* The restarter is gone: the pipe is at end of file after the log. */
	if (log->pipe) {
		len = ckpt_read_all(lp[0], log->text, sizeof(log->text) - 1);
		log->text[len > 0 ? len : 0] = '\0';
	} else {
		ckpt_log_read(log->file, log->text, sizeof(log->text));
	}
out_res:
	close(res[0]);
	if (res[1] >= 0)
		close(res[1]);
out_go:
	close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
out_log:
	if (log->pipe) {
		close(lp[0]);
		if (lp[1] >= 0)
			close(lp[1]);
	}
	return status;
}

/* None of the process's ids (pid, tids) names anything any more. */
static int k_ids_free(const pid_t *tids, int ntids)
{
	int i;

	for (i = 0; i < ntids; i++) {
		if (ckpt_pid_exists(tids[i])) {
			ckpt_msg("id %d is in use (state %c)", (int)tids[i],
				 ckpt_proc_state(tids[i]) ?: '?');
			return -1;
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(sigkill_at_any_point_of_a_restart_reports_the_kill)
{
	int n = env_count("CKPT_RACE_RESTARTS", 60);
	int i, fd, ntids, status, before, kind;
	int ok = 0, esrch = 0, eintr = 0, bad = 0, wrong_in[2] = { 0, 0 };
	static const char *const kind_name[2] = { "file", "pipe" };
	uint64_t dur, base[3], typical, start;
	pid_t pid, tids[K_THREADS + 1];
	static struct k_log log;
	struct k_result r;
	bool wrong;
	long delay;

	if (!ckpt_preamble(_metadata))
		return;
	pid = ckpt_spawn_main(k_main);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(pid, "S", 10000));
	ntids = ckpt_tids(pid, tids, K_THREADS + 1);
	ASSERT_EQ(K_THREADS + 1, ntids);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	log.file = ckpt_log_open();
	ASSERT_GE(log.file, 0);
	ASSERT_EQ(0, ckpt_checkpoint(pid, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(pid));
	before = ckpt_count_user_processes();
	ASSERT_LT(0, before);

	/* How long a restart takes, undisturbed. */
	for (i = 0; i < 3; i++) {
		status = k_restart_once(fd, &log, pid, -1, &r, &base[i]);
		ASSERT_EQ(pid, r.ret) TH_LOG("restart: %s, log: %s",
					     errno_name(r.err), log.text);
		ASSERT_EQ(RS_OK, status);
		ASSERT_EQ(0, k_ids_free(tids, ntids));
	}
	qsort(base, 3, sizeof(base[0]), cmp_u64);
	typical = base[1];
	TH_LOG("image: %lld bytes; restart takes %llu us (%llu..%llu)",
	       (long long)ckpt_fd_size(fd), (unsigned long long)typical,
	       (unsigned long long)base[0], (unsigned long long)base[2]);

	/*
	 * The log goes to a file in even rounds, to a pipe in odd ones: the
	 * line must get through either way, written by whichever task.
	 */
	console_mark("ckpt_race_test: %d restarts of %d with SIGKILL\n", n,
		     (int)pid);
	start = ckpt_now_ms();
	for (i = 0; i < n; i++) {
		delay = n > 1 ? (long)(typical * 5 / 4 * i / (n - 1)) : 0;
		kind = i & 1;
		log.pipe = kind;
		status = k_restart_once(fd, &log, pid, delay, &r, &dur);
		ASSERT_LE(0, status) TH_LOG("round %d: the restarter failed", i);
		EXPECT_EQ(RS_OK, status) TH_LOG("round %d", i);
		/* Restored, or failed because of the kill, and said so. */
		wrong = strstr(log.text, "mismatch") ||
			strstr(log.text, "corrupted");
		if (r.ret > 0) {
			wrong |= r.ret != pid;
			ok++;
		} else if ((r.err == ESRCH || r.err == EINTR) &&
			   strstr(log.text, "killed during restart")) {
			if (r.err == ESRCH)
				esrch++;
			else
				eintr++;
		} else {
			wrong = true;
		}
		if (wrong) {
			wrong_in[kind]++;
			if (bad++ < 6)
				TH_LOG("round %d (kill at %ld us, took %llu us, log %s): %s %d: %s",
				       i, delay, (unsigned long long)dur,
				       kind_name[kind],
				       r.ret > 0 ? "restored as" : errno_name(r.err),
				       r.ret, log.text[0] ? log.text : "(nothing)");
		}
		/* Nothing left behind. */
		ASSERT_FALSE(ckpt_have_children()) TH_LOG("round %d", i);
		ASSERT_EQ(0, k_ids_free(tids, ntids)) TH_LOG("round %d", i);
		ASSERT_EQ(before, ckpt_count_user_processes())
			TH_LOG("round %d", i);
	}
	TH_LOG("%d restarts in %llu ms, SIGKILL from 0 to %llu us after the start",
	       n, (unsigned long long)(ckpt_now_ms() - start),
	       (unsigned long long)typical * 5 / 4);
	TH_LOG("%d restored, %d ESRCH, %d EINTR, %d wrong (log to a file %d, to a pipe %d)",
	       ok, esrch, eintr, bad, wrong_in[0], wrong_in[1]);
	EXPECT_EQ(0, bad);

	/* The image is as good as ever. */
	ASSERT_EQ(pid, ckpt_restart_as(fd, pid, 0));
	EXPECT_EQ(0, ckpt_wake_reap(pid));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
	close(log.file);
}

TEST_HARNESS_MAIN
