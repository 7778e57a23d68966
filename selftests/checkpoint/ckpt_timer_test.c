// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of interval timers.
 *
 * A process's ITIMER_REAL (alarm(2) is the same timer), ITIMER_VIRTUAL
 * and ITIMER_PROF are saved (CKPT_REC_TIMERS) as the time they had left
 * and their interval, and armed again by the restored process just
 * before it runs.  After a checkpoint, kill and restart, getitimer(2)
 * gives back the exact intervals and at most the time that was left (a
 * CPU-time timer: plus the tick setitimer(2) adds when it arms one); an
 * ITIMER_REAL timer does not run while the job is down, and its SIGALRMs
 * come after the restart; alarm(2)'s seconds are there; the CPU-time
 * timers, which a sleeping process did not let fire, fire once the
 * restored process has used the CPU time they had left.  A disarmed
 * timer (never set, or cancelled) stays disarmed.  In a process group,
 * each process gets its own timers back.
 *
 * POSIX timers (timer_create(2)) are not saved: a process that has one
 * is refused with EOPNOTSUPP and the reason on the log, even with
 * CKPT_KILL, and runs on with its timer; one deleted before the
 * checkpoint does not count.
 *
 * Before CKPT_REC_TIMERS the timers were silently dropped: every test
 * here but the two whose timers are all disarmed failed then.
 *
 * The guest may be slow (QEMU TCG): no test asserts a tight timing, only
 * exact intervals, bounds that hold however slow the machine is, and
 * signals that arrive within a generous delay (TIMER_WAIT_MS).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/time.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#define MS_NS		1000000LL
#define SEC_NS		1000000000LL

/* How long a restored process waits for its timers' signals. */
#define TIMER_WAIT_MS	30000

static const char *const itimer_name[] = {
	[ITIMER_REAL]		= "ITIMER_REAL",
	[ITIMER_VIRTUAL]	= "ITIMER_VIRTUAL",
	[ITIMER_PROF]		= "ITIMER_PROF",
};

/* In the test child: the signals of the three timers, as they come. */
static uint64_t n_alrm, n_vtalrm, n_prof;

static void count_signal(int sig)
{
	uint64_t *n = sig == SIGALRM ? &n_alrm : sig == SIGVTALRM ? &n_vtalrm : &n_prof;

	__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
}

/*
 * Count SIGALRM, SIGVTALRM and SIGPROF instead of dying of them: a timer
 * that fires early (a slow machine) must not kill the child.
 */
static int count_timer_signals(void)
{
	static const int sigs[] = { SIGALRM, SIGVTALRM, SIGPROF };
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	return 0;
}

static long long tv_ns(const struct timeval *tv)
{
	return (long long)tv->tv_sec * SEC_NS + (long long)tv->tv_usec * 1000;
}

static struct timeval ns_tv(long long ns)
{
	struct timeval tv = { ns / SEC_NS, (ns % SEC_NS) / 1000 };

	return tv;
}

static int set_itimer(int which, long long value_ns, long long interval_ns)
{
	struct itimerval it = { ns_tv(interval_ns), ns_tv(value_ns) };

	return setitimer(which, &it, NULL);
}

/*
 * In the child: timer @which must be armed with an interval of exactly
 * @interval_ns and a value in (0, @max_ns], or be disarmed (value and
 * interval 0) if @max_ns is 0; exit with @code otherwise.  Returns the
 * value.
 */
static long long check_itimer(int code, int which, long long max_ns, long long interval_ns)
{
	struct itimerval it;
	long long value, interval;

	CHILD_CHECK(code, !getitimer(which, &it), "getitimer(%s): %s", itimer_name[which],
		    strerror(errno));
	value = tv_ns(&it.it_value);
	interval = tv_ns(&it.it_interval);
	if (!max_ns) {
		CHILD_CHECK(code, !value && !interval,
			    "%s should be disarmed: value %lld ns, interval %lld ns",
			    itimer_name[which], value, interval);
		return 0;
	}
	CHILD_CHECK(code, interval == interval_ns, "%s: interval %lld ns, expected %lld ns",
		    itimer_name[which], interval, interval_ns);
	CHILD_CHECK(code, value > 0 && value <= max_ns,
		    "%s: value %lld ns, expected in (0, %lld] ns", itimer_name[which], value,
		    max_ns);
	return value;
}

/*
 * The cycle of ckpt_cycle() with CKPT_KILL, where the job stays down for
 * @pause_ms between the kill and the restart, and the image is checked
 * by @check_image (if not NULL) before it is restarted.
 */
static int cycle(struct __test_metadata *_metadata, pid_t child, unsigned int pause_ms,
		 void (*check_image)(struct __test_metadata *, int))
{
	int fd, ret;

	fd = ckpt_image_open();
	if (fd < 0) {
		ckpt_kill_reap(child);
		return CKPT_CYCLE_EIMAGE;
	}
	if (ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		close(fd);
		return CKPT_CYCLE_ECHECKPOINT;
	}
	if (ckpt_reap(child) != 128 + SIGKILL) {
		close(fd);
		return CKPT_CYCLE_EKILL;
	}
	if (check_image)
		check_image(_metadata, fd);
	ckpt_sleep_ms(pause_ms);
	ret = ckpt_restart_as(fd, child, 0);
	close(fd);
	if (ret < 0)
		return ret;
	ret = ckpt_wake_reap(child);
	if (ret)
		ckpt_msg("restored %d: exit status %d", (int)child, ret);
	return ret;
}

/* The only CKPT_REC_TIMERS record of the one-process image in @fd. */
static bool image_timers(int fd, struct ckpt_rec_timers *rec)
{
	const struct ckpt_hdr *h;
	size_t len, off = 0;
	bool found = false;
	void *img;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return false;
	h = ckpt_image_next(img, len, &off, CKPT_REC_TIMERS);
	if (h && h->len == sizeof(*rec)) {
		memcpy(rec, h, sizeof(*rec));
		found = !ckpt_image_next(img, len, &off, CKPT_REC_TIMERS);
	}
	free(img);
	return found;
}

/* --------------------------------------------------------------------
 * ITIMER_REAL and alarm(2)
 */

#define REAL_VALUE	(20 * SEC_NS)
#define REAL_INTERVAL	(7 * SEC_NS)

static int real_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, REAL_VALUE, REAL_INTERVAL), "setitimer: %s",
		    strerror(errno));
	check_itimer(1, ITIMER_REAL, REAL_VALUE, REAL_INTERVAL);
	return 0;
}

static int real_verify(void)
{
	check_itimer(2, ITIMER_REAL, REAL_VALUE, REAL_INTERVAL);
	check_itimer(3, ITIMER_VIRTUAL, 0, 0);
	check_itimer(4, ITIMER_PROF, 0, 0);
	return 0;
}

static void real_image(struct __test_metadata *_metadata, int fd)
{
	struct ckpt_rec_timers rec;

	ASSERT_TRUE(image_timers(fd, &rec)) TH_LOG("no single CKPT_REC_TIMERS record");
	EXPECT_EQ(REAL_INTERVAL, (long long)rec.itimer[ITIMER_REAL].interval_ns);
	EXPECT_LT(0, (long long)rec.itimer[ITIMER_REAL].value_ns);
	EXPECT_GE(REAL_VALUE, (long long)rec.itimer[ITIMER_REAL].value_ns);
	EXPECT_EQ(0ULL, (unsigned long long)rec.itimer[ITIMER_VIRTUAL].value_ns);
	EXPECT_EQ(0ULL, (unsigned long long)rec.itimer[ITIMER_VIRTUAL].interval_ns);
	EXPECT_EQ(0ULL, (unsigned long long)rec.itimer[ITIMER_PROF].value_ns);
	EXPECT_EQ(0ULL, (unsigned long long)rec.itimer[ITIMER_PROF].interval_ns);
	EXPECT_EQ(0U, rec.nr_posix);
}

TEST(real_timer_keeps_its_interval_and_at_most_the_time_it_had_left)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(real_setup, real_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, 0, real_image));
}

/* 2 s to the first SIGALRM, then one a second. */
static int ticking_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, 2 * SEC_NS, SEC_NS), "setitimer: %s",
		    strerror(errno));
	return 0;
}

/* Two more SIGALRMs after the restart: only the restored timer sends them. */
static int ticking_verify(void)
{
	uint64_t n0 = CKPT_LOAD(n_alrm), end = ckpt_now_ms() + TIMER_WAIT_MS;

	check_itimer(2, ITIMER_REAL, 2 * SEC_NS, SEC_NS);
	while (CKPT_LOAD(n_alrm) < n0 + 2 && ckpt_now_ms() < end)
		ckpt_sleep_ms(20);
	CHILD_CHECK(3, CKPT_LOAD(n_alrm) >= n0 + 2,
		    "%llu SIGALRM in %d ms after the restart, expected 2 or more",
		    (unsigned long long)(CKPT_LOAD(n_alrm) - n0), TIMER_WAIT_MS);
	return 0;
}

TEST(real_timer_sends_its_sigalrms_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(ticking_setup, ticking_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * A one-shot 30 s timer, and a job kept down for 4 s between the kill
 * and the restart.  The timer counts only while the job runs: the time
 * it has left after the restart plus the time since it was set is its
 * 30 s plus the time the job was down.  A timer that ran on while the
 * job was down would make it 30 s.
 */
#define DOWN_VALUE	(30 * SEC_NS)
#define DOWN_PAUSE_MS	4000

static uint64_t down_set_ms;

static int down_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	down_set_ms = ckpt_now_ms();
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, DOWN_VALUE, 0), "setitimer: %s",
		    strerror(errno));
	return 0;
}

static int down_verify(void)
{
	long long left = check_itimer(2, ITIMER_REAL, DOWN_VALUE, 0);
	long long since = (long long)(ckpt_now_ms() - down_set_ms) * MS_NS;

	CHILD_CHECK(3, left + since >= DOWN_VALUE + (DOWN_PAUSE_MS - 1000) * MS_NS,
		    "%lld ms left %lld ms after it was set: the timer ran while the job was down",
		    left / MS_NS, since / MS_NS);
	return 0;
}

TEST(real_timer_does_not_run_while_the_job_is_down)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(down_setup, down_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, DOWN_PAUSE_MS, NULL));
}

static int alarm_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, alarm(100) == 0, "an alarm was already set");
	return 0;
}

static int alarm_verify(void)
{
	unsigned int left = alarm(0);

	CHILD_CHECK(2, left >= 1 && left <= 100, "alarm(0) = %u, expected 1 to 100", left);
	check_itimer(3, ITIMER_REAL, 0, 0);
	return 0;
}

TEST(alarm_comes_back_with_the_seconds_it_had_left)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(alarm_setup, alarm_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * CPU-time timers
 */

#define CPU_VALUE	(300 * MS_NS)
#define CPU_INTERVAL	(100 * MS_NS)

/*
 * setitimer(2) arms a CPU-time timer one tick later than asked, so that
 * it never fires early: getitimer(2) shows up to a tick more than was
 * set, and the restored process's own setitimer() adds a tick again.
 * A tick is at most 10 ms (HZ >= 100).
 */
#define CPU_TICK	(10 * MS_NS)

/* What getitimer() said right after setitimer(), in the child. */
static long long cpu_set_value[3];

/* Set while the child sleeps: it uses no CPU time, they do not fire. */
static int cpu_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !set_itimer(ITIMER_VIRTUAL, CPU_VALUE, CPU_INTERVAL),
		    "setitimer(ITIMER_VIRTUAL): %s", strerror(errno));
	CHILD_CHECK(1, !set_itimer(ITIMER_PROF, CPU_VALUE, CPU_INTERVAL),
		    "setitimer(ITIMER_PROF): %s", strerror(errno));
	cpu_set_value[ITIMER_VIRTUAL] = check_itimer(1, ITIMER_VIRTUAL, CPU_VALUE + CPU_TICK,
						     CPU_INTERVAL);
	cpu_set_value[ITIMER_PROF] = check_itimer(1, ITIMER_PROF, CPU_VALUE + CPU_TICK,
						  CPU_INTERVAL);
	return 0;
}

/* Where the spinning's result goes, so that it is not optimized away. */
static uint64_t spin_result;

/* Spin (user time) until both timers fired twice more, or TIMER_WAIT_MS. */
static int cpu_verify(void)
{
	uint64_t v0 = CKPT_LOAD(n_vtalrm), p0 = CKPT_LOAD(n_prof);
	uint64_t end = ckpt_now_ms() + TIMER_WAIT_MS, acc = 0, i = 0, j;

	/* At most what they had left, plus the tick of the restore's setitimer(). */
	check_itimer(2, ITIMER_VIRTUAL, cpu_set_value[ITIMER_VIRTUAL] + CPU_TICK, CPU_INTERVAL);
	check_itimer(3, ITIMER_PROF, cpu_set_value[ITIMER_PROF] + CPU_TICK, CPU_INTERVAL);
	check_itimer(4, ITIMER_REAL, 0, 0);
	while ((CKPT_LOAD(n_vtalrm) < v0 + 2 || CKPT_LOAD(n_prof) < p0 + 2) &&
	       ckpt_now_ms() < end)
		for (j = 0; j < 100000; j++)
			acc = ckpt_compute_step(acc, i++);
	CKPT_STORE(spin_result, acc);
	CHILD_CHECK(5, CKPT_LOAD(n_vtalrm) >= v0 + 2 && CKPT_LOAD(n_prof) >= p0 + 2,
		    "%llu SIGVTALRM and %llu SIGPROF in %d ms of spinning, expected 2 or more",
		    (unsigned long long)(CKPT_LOAD(n_vtalrm) - v0),
		    (unsigned long long)(CKPT_LOAD(n_prof) - p0), TIMER_WAIT_MS);
	return 0;
}

TEST(cpu_time_timers_come_back_and_fire_on_cpu_time_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(cpu_setup, cpu_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * Disarmed timers
 */

static int none_verify(void)
{
	check_itimer(2, ITIMER_REAL, 0, 0);
	check_itimer(3, ITIMER_VIRTUAL, 0, 0);
	check_itimer(4, ITIMER_PROF, 0, 0);
	return 0;
}

static void none_image(struct __test_metadata *_metadata, int fd)
{
	struct ckpt_rec_timers rec, zero;

	ASSERT_TRUE(image_timers(fd, &rec)) TH_LOG("no single CKPT_REC_TIMERS record");
	memset(&zero, 0, sizeof(zero));
	EXPECT_EQ(0, memcmp(rec.itimer, zero.itimer, sizeof(rec.itimer)));
	EXPECT_EQ(0U, rec.nr_posix);
}

TEST(process_without_timers_has_none_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(NULL, none_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, 0, none_image));
}

#define ONESHOT_VALUE	(50 * SEC_NS)

/* CPU-time timers set then cancelled, next to a one-shot ITIMER_REAL. */
static int cancelled_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !set_itimer(ITIMER_VIRTUAL, SEC_NS, SEC_NS), "setitimer");
	CHILD_CHECK(1, !set_itimer(ITIMER_PROF, SEC_NS, SEC_NS), "setitimer");
	CHILD_CHECK(1, !set_itimer(ITIMER_VIRTUAL, 0, 0), "setitimer");
	CHILD_CHECK(1, !set_itimer(ITIMER_PROF, 0, 0), "setitimer");
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, ONESHOT_VALUE, 0), "setitimer");
	return 0;
}

static int cancelled_verify(void)
{
	check_itimer(2, ITIMER_REAL, ONESHOT_VALUE, 0);
	check_itimer(3, ITIMER_VIRTUAL, 0, 0);
	check_itimer(4, ITIMER_PROF, 0, 0);
	return 0;
}

TEST(cancelled_timers_stay_disarmed_next_to_an_armed_one_shot)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(cancelled_setup, cancelled_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * A process group: each process its own timers
 */

#define GROUP_SIZE	2

static long long group_value(int role)
{
	return (40 + 20 * role) * SEC_NS;
}

static long long group_interval(int role)
{
	return (5 + 4 * role) * SEC_NS;
}

static int timer_member(void *arg)
{
	int role = (int)(intptr_t)arg;

	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, group_value(role), group_interval(role)),
		    "setitimer: %s", strerror(errno));
	ckpt_member_wait(role);
	check_itimer(2, ITIMER_REAL, group_value(role), group_interval(role));
	check_itimer(3, ITIMER_VIRTUAL, 0, 0);
	check_itimer(4, ITIMER_PROF, 0, 0);
	return 0;
}

TEST(group_members_each_get_their_own_real_timer_back)
{
	struct ckpt_member m[GROUP_SIZE];
	pid_t leader = 0, pid;
	int n = 0, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	for (i = 0; i < GROUP_SIZE; i++) {
		pid = ckpt_job_spawn(timer_member, (void *)(intptr_t)i, leader, NULL, 0, m, &n,
				     GROUP_SIZE);
		ASSERT_GT(pid, 0);
		if (!i)
			leader = pid;
	}
	ASSERT_EQ(GROUP_SIZE, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_KILL));
	for (i = 0; i < n; i++)
		EXPECT_EQ(128 + SIGKILL, ckpt_reap(m[i].pid));
	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, ckpt_reap(m[i].pid)) TH_LOG("member %d (role %d)",
							 (int)m[i].pid, (int)m[i].role);
	close(fd);
}

/* --------------------------------------------------------------------
 * POSIX timers
 */

static timer_t posix_timer;

static int posix_setup(void)
{
	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !timer_create(CLOCK_MONOTONIC, NULL, &posix_timer), "timer_create: %s",
		    strerror(errno));
	return 0;
}

/* After the refused checkpoint: the timer is still ours. */
static int posix_verify(void)
{
	struct itimerspec its;

	CHILD_CHECK(2, !timer_gettime(posix_timer, &its), "timer_gettime: %s", strerror(errno));
	CHILD_CHECK(3, !timer_delete(posix_timer), "timer_delete: %s", strerror(errno));
	return 0;
}

TEST(posix_timer_is_refused_with_eopnotsupp_and_the_process_runs_on)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(posix_setup, posix_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "POSIX timers"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* A POSIX timer created and deleted, and an ITIMER_REAL to keep. */
static int deleted_setup(void)
{
	timer_t t;

	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	CHILD_CHECK(1, !timer_create(CLOCK_MONOTONIC, NULL, &t), "timer_create: %s",
		    strerror(errno));
	CHILD_CHECK(1, !timer_delete(t), "timer_delete: %s", strerror(errno));
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, REAL_VALUE, REAL_INTERVAL), "setitimer: %s",
		    strerror(errno));
	return 0;
}

TEST(deleted_posix_timer_does_not_refuse_the_checkpoint)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(deleted_setup, real_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

TEST_HARNESS_MAIN
