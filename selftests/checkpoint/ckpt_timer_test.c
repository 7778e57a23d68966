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
 * POSIX timers (timer_create(2)) are saved (CKPT_REC_POSIX_TIMERS) with
 * their ids and the id the next timer_create() gives, and are seen from
 * inside the restored process:
 *  - a deleted id stays deleted (EINVAL), the next id is not reused;
 *  - the sigevent is kept: the default one (SIGALRM, the id as value),
 *    si_timerid and si_value of every signal, and a disarmed timer that
 *    is armed after the restart; SIGEV_NONE timers go on counting down;
 *    a SIGEV_THREAD_ID timer signals the same thread;
 *  - a CLOCK_MONOTONIC interval timer fires at its period, a relative
 *    one-shot CLOCK_REALTIME timer once after the time it had left, an
 *    absolute one (TIMER_ABSTIME) at its date although the job was down
 *    for a while;
 *  - CPU-time timers (the process's, a thread's; clocks named by pid and
 *    tid included) fire once the restored process has used the CPU time
 *    they had left;
 *  - timer_getoverrun() says what it said until the pending signal is
 *    taken, whose si_overrun counts the expirations the blocked signal
 *    missed; a signal queued at the checkpoint comes exactly once, and
 *    an interval timer goes on after it.
 * A timer on the CPU-time clock of a process outside the checkpoint is
 * refused, with the reason on the log, even with CKPT_KILL, and the
 * process runs on with its timer.
 *
 * Before CKPT_REC_TIMERS the timers were silently dropped: every test
 * here but the two whose timers are all disarmed failed then.  Before
 * CKPT_REC_POSIX_TIMERS a process with a POSIX timer was refused with
 * EOPNOTSUPP: every POSIX timer test but the refusal (refused then for
 * having a POSIX timer at all) failed then, at the checkpoint or, for
 * the timer deleted before it, because its id was given again.
 *
 * The guest may be slow (QEMU TCG): no test asserts a tight timing, only
 * exact intervals, bounds that hold however slow the machine is, and
 * signals that arrive within a generous delay (TIMER_WAIT_MS).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
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
static unsigned long long n_alrm, n_vtalrm, n_prof;

static void count_signal(int sig)
{
	unsigned long long *n = sig == SIGALRM ? &n_alrm : sig == SIGVTALRM ? &n_vtalrm : &n_prof;

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
	unsigned long long n0 = CKPT_LOAD(n_alrm), end = ckpt_now_ms() + TIMER_WAIT_MS;

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

static unsigned long long down_set_ms;

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
static unsigned long long spin_result;

/* Spin (user time) until both timers fired twice more, or TIMER_WAIT_MS. */
static int cpu_verify(void)
{
	unsigned long long v0 = CKPT_LOAD(n_vtalrm), p0 = CKPT_LOAD(n_prof);
	unsigned long long end = ckpt_now_ms() + TIMER_WAIT_MS, acc = 0, i = 0, j;

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
 *
 * Through the system calls themselves, so that an id is the kernel's
 * (glibc's timer_t is an encoding of its own).  The signals go to
 * record_signal(), which keeps, per signal number, how many came and
 * what the last one said.
 */

/* How much later than its expiry a timer may fire on a busy guest. */
#define FIRE_LATE_MS	2000

struct seen {
	unsigned long long n;		/* signals taken */
	unsigned long long overruns;	/* the sum of their si_overrun */
	unsigned long long ms;		/* ckpt_now_ms() when the last came */
	long long real_ns;		/* CLOCK_REALTIME then */
	int code;			/* the last one's si_code, */
	int timerid;			/* si_timerid, */
	int value;			/* si_value.sival_int, */
	int overrun;			/* si_overrun */
	int tid;			/* and the thread that took it */
	int want_tid;			/* not 0: the only thread that may take it */
	unsigned long long wrong_tid;	/* taken by another thread than want_tid */
};

static struct seen seen[65];

/* Timer signals the current thread took. */
static __thread unsigned long long thread_taken;

static void record_signal(int sig, siginfo_t *si, void *uc)
{
	struct seen *s = &seen[sig];
	struct timespec ts;
	int err = errno;

	(void)uc;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->real_ns = (long long)ts.tv_sec * SEC_NS + ts.tv_nsec;
	s->ms = ckpt_now_ms();
	s->code = si->si_code;
	s->timerid = si->si_timerid;
	s->value = si->si_value.sival_int;
	s->overrun = si->si_overrun;
	s->tid = gettid();
	if (s->want_tid && s->tid != s->want_tid)
		__atomic_add_fetch(&s->wrong_tid, 1, __ATOMIC_SEQ_CST);
	s->overruns += si->si_overrun;
	thread_taken++;
	__atomic_add_fetch(&s->n, 1, __ATOMIC_SEQ_CST);
	errno = err;
}

/* The @k-th real-time signal, one per timer of a test. */
static int rt_sig(int k)
{
	return SIGRTMIN + k;
}

static void handle_signal(int code, int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(code, !sigaction(sig, &sa, NULL), "sigaction(%d): %s", sig, strerror(errno));
}

static void mask_signal(int code, int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	CHILD_CHECK(code, !sigprocmask(how, &set, NULL), "sigprocmask: %s", strerror(errno));
}

static bool signal_pending(int sig)
{
	sigset_t set;

	return !sigpending(&set) && sigismember(&set, sig) == 1;
}

/* Wait up to @ms for signal @sig to have come @n times in all. */
static bool wait_seen(int sig, unsigned long long n, unsigned int ms)
{
	unsigned long long end = ckpt_now_ms() + ms;

	while (CKPT_LOAD(seen[sig].n) < n && ckpt_now_ms() < end)
		ckpt_sleep_ms(10);
	return CKPT_LOAD(seen[sig].n) >= n;
}

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * SEC_NS + ts.tv_nsec;
}

static struct timespec ns_ts(long long ns)
{
	struct timespec ts = { ns / SEC_NS, ns % SEC_NS };

	return ts;
}

/*
 * timer_create(2) on @clock, notifying by @notify (SIGEV_SIGNAL,
 * SIGEV_NONE, SIGEV_THREAD_ID | SIGEV_SIGNAL) with signal @signo and
 * sival_int @value, to thread @tid.  Returns the timer id, or -1.
 */
static int ptimer_create(clockid_t clock, int notify, int signo, int value, pid_t tid)
{
	struct sigevent sev;
	int id = -1;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = notify;
	sev.sigev_signo = signo;
	sev.sigev_value.sival_int = value;
	sev._sigev_un._tid = tid;
	if (syscall(SYS_timer_create, clock, &sev, &id))
		return -1;
	return id;
}

static int ptimer_set(int id, int flags, long long value_ns, long long interval_ns)
{
	struct itimerspec its = { ns_ts(interval_ns), ns_ts(value_ns) };

	return syscall(SYS_timer_settime, id, flags, &its, NULL);
}

static int ptimer_get(int id, long long *value_ns, long long *interval_ns)
{
	struct itimerspec its;

	if (syscall(SYS_timer_gettime, id, &its))
		return -1;
	*value_ns = (long long)its.it_value.tv_sec * SEC_NS + its.it_value.tv_nsec;
	*interval_ns = (long long)its.it_interval.tv_sec * SEC_NS + its.it_interval.tv_nsec;
	return 0;
}

static int ptimer_overrun(int id)
{
	return syscall(SYS_timer_getoverrun, id);
}

static int ptimer_delete(int id)
{
	return syscall(SYS_timer_delete, id);
}

/* In the child: ptimer_create(), or exit with @code. */
static int new_ptimer(int code, clockid_t clock, int notify, int signo, int value, pid_t tid)
{
	int id = ptimer_create(clock, notify, signo, value, tid);

	CHILD_CHECK(code, id >= 0, "timer_create(clock %d, notify %d): %s", (int)clock, notify,
		    strerror(errno));
	return id;
}

/* In the child: ptimer_set(), or exit with @code. */
static void set_ptimer(int code, int id, int flags, long long value_ns, long long interval_ns)
{
	CHILD_CHECK(code, !ptimer_set(id, flags, value_ns, interval_ns),
		    "timer_settime(%d): %s", id, strerror(errno));
}

/*
 * In the child: timer @id must be armed with an interval of exactly
 * @interval_ns and a value in (0, @max_ns], or be disarmed if @max_ns
 * is 0; exit with @code otherwise.  Returns the value.
 */
static long long check_ptimer(int code, int id, long long max_ns, long long interval_ns)
{
	long long value, interval;

	CHILD_CHECK(code, !ptimer_get(id, &value, &interval), "timer_gettime(%d): %s", id,
		    strerror(errno));
	if (!max_ns) {
		CHILD_CHECK(code, !value && !interval,
			    "timer %d should be disarmed: value %lld ns, interval %lld ns", id,
			    value, interval);
		return 0;
	}
	CHILD_CHECK(code, interval == interval_ns, "timer %d: interval %lld ns, expected %lld ns",
		    id, interval, interval_ns);
	CHILD_CHECK(code, value > 0 && value <= max_ns,
		    "timer %d: value %lld ns, expected in (0, %lld] ns", id, value, max_ns);
	return value;
}

/* In the child: the last @sig came from timer @id with sival_int @value. */
static void check_last(int code, int sig, int id, int value)
{
	const struct seen *s = &seen[sig];

	CHILD_CHECK(code, CKPT_LOAD(s->n), "no signal %d from timer %d", sig, id);
	CHILD_CHECK(code, s->code == SI_TIMER && s->timerid == id && s->value == value,
		    "signal %d: si_code %d, si_timerid %d, sival_int %#x; expected %d, %d, %#x",
		    sig, s->code, s->timerid, s->value, SI_TIMER, id, value);
}

/*
 * The CKPT_REC_TIMERS record of the one-process image in @fd into @rec,
 * and the ids of the CKPT_REC_POSIX_TIMERS record after it (the first
 * @max into @ids).  Returns their number, or -1 for a malformed image.
 */
static int image_posix_ids(int fd, struct ckpt_rec_timers *rec, int *ids, int max)
{
	const struct ckpt_rec_posix_timers *p;
	const struct ckpt_hdr *h;
	size_t len, off = 0;
	void *img;
	int n = -1;
	unsigned int i;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	h = ckpt_image_next(img, len, &off, CKPT_REC_TIMERS);
	if (!h || h->len != sizeof(*rec))
		goto out;
	memcpy(rec, h, sizeof(*rec));
	if (!rec->nr_posix) {
		n = 0;
		goto out;
	}
	h = ckpt_image_next(img, len, &off, 0);
	if (!h || h->type != CKPT_REC_POSIX_TIMERS || h->len < sizeof(*p))
		goto out;
	p = (const struct ckpt_rec_posix_timers *)h;
	if (p->nr != rec->nr_posix || h->len < sizeof(*p) + p->nr * sizeof(p->timers[0]))
		goto out;
	for (i = 0; i < p->nr && (int)i < max; i++)
		ids[i] = p->timers[i].id;
	n = p->nr;
out:
	free(img);
	return n;
}

/* --- The default sigevent: SIGALRM with the timer id as its value --- */

static int dflt_id;

static int dflt_setup(void)
{
	handle_signal(1, SIGALRM);
	CHILD_CHECK(1, !syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &dflt_id),
		    "timer_create: %s", strerror(errno));
	return 0;
}

static int dflt_verify(void)
{
	check_ptimer(2, dflt_id, 0, 0);
	CHILD_CHECK(3, !CKPT_LOAD(seen[SIGALRM].n), "a SIGALRM came from a disarmed timer");
	set_ptimer(4, dflt_id, 0, 100 * MS_NS, 0);
	CHILD_CHECK(4, wait_seen(SIGALRM, 1, TIMER_WAIT_MS), "no SIGALRM in %d ms",
		    TIMER_WAIT_MS);
	check_last(5, SIGALRM, dflt_id, dflt_id);
	CHILD_CHECK(6, !ptimer_delete(dflt_id), "timer_delete: %s", strerror(errno));
	return 0;
}

static void dflt_image(struct __test_metadata *_metadata, int fd)
{
	struct ckpt_rec_timers rec;
	int ids[2];

	ASSERT_EQ(1, image_posix_ids(fd, &rec, ids, 2));
	EXPECT_EQ(dflt_id, ids[0]);
	EXPECT_EQ(1U, rec.next_posix_id);
}

/* Was refused with EOPNOTSUPP before CKPT_REC_POSIX_TIMERS. */
TEST(posix_timer_with_the_default_sigevent_is_saved)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(dflt_setup, dflt_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, 0, dflt_image));
}

/* A POSIX timer created and deleted, and an ITIMER_REAL to keep. */
static int deleted_setup(void)
{
	int id;

	CHILD_CHECK(1, !count_timer_signals(), "sigaction");
	id = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	CHILD_CHECK(1, id == 0, "timer_create gave id %d, expected 0", id);
	CHILD_CHECK(1, !ptimer_delete(id), "timer_delete: %s", strerror(errno));
	CHILD_CHECK(1, !set_itimer(ITIMER_REAL, REAL_VALUE, REAL_INTERVAL), "setitimer: %s",
		    strerror(errno));
	return 0;
}

/* Gone, but its id is not given again. */
static int deleted_verify(void)
{
	long long value, interval;
	int id;

	real_verify();
	errno = 0;
	CHILD_CHECK(5, ptimer_get(0, &value, &interval) && errno == EINVAL,
		    "timer_gettime of the deleted timer: %s", strerror(errno));
	id = ptimer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	CHILD_CHECK(6, id == 1, "timer_create gave id %d (%s), expected 1", id,
		    id < 0 ? strerror(errno) : "");
	return 0;
}

static void deleted_image(struct __test_metadata *_metadata, int fd)
{
	struct ckpt_rec_timers rec;

	real_image(_metadata, fd);
	ASSERT_TRUE(image_timers(fd, &rec));
	EXPECT_EQ(1U, rec.next_posix_id);
}

TEST(deleted_posix_timer_is_not_in_the_image_and_its_id_not_reused)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(deleted_setup, deleted_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, 0, deleted_image));
}

/* --- Timer ids --- */

/*
 * Timers 0 to 3 (ids go up from 0 in a new process), 1 and 3 deleted:
 * the next timer_create() gives 4, not 1 nor 3, which a restart that
 * recreated 0 and 2 in a row would give.  0 is a one-shot, 2 has an
 * interval.
 */
#define IDS_N		4
#define IDS_VALUE	(100 * SEC_NS)
#define IDS_INTERVAL	(10 * SEC_NS)

static int ids_setup(void)
{
	int i, id;

	for (i = 0; i < IDS_N; i++) {
		id = ptimer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
		CHILD_CHECK(1, id == i, "timer_create gave id %d (%s), expected %d", id,
			    id < 0 ? strerror(errno) : "", i);
	}
	set_ptimer(1, 0, 0, IDS_VALUE, 0);
	set_ptimer(1, 2, 0, IDS_VALUE, IDS_INTERVAL);
	CHILD_CHECK(1, !ptimer_delete(1) && !ptimer_delete(3), "timer_delete: %s",
		    strerror(errno));
	return 0;
}

static int ids_verify(void)
{
	long long value, interval;
	int id, gone;

	check_ptimer(2, 0, IDS_VALUE, 0);
	check_ptimer(3, 2, IDS_VALUE, IDS_INTERVAL);
	for (gone = 1; gone < IDS_N; gone += 2) {
		errno = 0;
		CHILD_CHECK(4, ptimer_get(gone, &value, &interval) && errno == EINVAL,
			    "timer_gettime(%d) of a deleted timer: %s", gone, strerror(errno));
		errno = 0;
		CHILD_CHECK(4, ptimer_set(gone, 0, SEC_NS, 0) && errno == EINVAL,
			    "timer_settime(%d) of a deleted timer: %s", gone, strerror(errno));
		errno = 0;
		CHILD_CHECK(4, ptimer_overrun(gone) < 0 && errno == EINVAL,
			    "timer_getoverrun(%d) of a deleted timer: %s", gone, strerror(errno));
	}
	set_ptimer(5, 0, 0, IDS_VALUE / 2, 0);
	check_ptimer(5, 0, IDS_VALUE / 2, 0);
	set_ptimer(5, 2, 0, IDS_VALUE / 4, IDS_INTERVAL / 2);
	check_ptimer(5, 2, IDS_VALUE / 4, IDS_INTERVAL / 2);
	id = ptimer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	CHILD_CHECK(6, id == IDS_N, "timer_create gave id %d (%s), expected %d", id,
		    id < 0 ? strerror(errno) : "", IDS_N);
	id = ptimer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	CHILD_CHECK(7, id == IDS_N + 1, "the timer after it: id %d, expected %d", id, IDS_N + 1);
	CHILD_CHECK(8, !ptimer_delete(0) && !ptimer_delete(2), "timer_delete: %s",
		    strerror(errno));
	return 0;
}

static void ids_image(struct __test_metadata *_metadata, int fd)
{
	struct ckpt_rec_timers rec;
	int ids[4];

	ASSERT_EQ(2, image_posix_ids(fd, &rec, ids, 4));
	EXPECT_TRUE((ids[0] == 0 && ids[1] == 2) || (ids[0] == 2 && ids[1] == 0))
		TH_LOG("ids %d and %d in the image, expected 0 and 2", ids[0], ids[1]);
	EXPECT_EQ((unsigned int)IDS_N, rec.next_posix_id);
}

TEST(posix_timer_ids_and_the_next_id_are_kept)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(ids_setup, ids_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, 0, ids_image));
}

/* --- An interval timer on CLOCK_MONOTONIC --- */

#define TICK_PERIOD	(250 * MS_NS)
#define TICK_VALUE	0x7105
#define TICK_WINDOW_MS	4000

static int tick_id;

static int tick_setup(void)
{
	int sig = rt_sig(0);

	handle_signal(1, sig);
	tick_id = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, TICK_VALUE, 0);
	set_ptimer(1, tick_id, 0, TICK_PERIOD, TICK_PERIOD);
	CHILD_CHECK(1, wait_seen(sig, 2, TIMER_WAIT_MS), "not 2 signals in %d ms",
		    TIMER_WAIT_MS);
	check_last(1, sig, tick_id, TICK_VALUE);
	return 0;
}

/*
 * Over TICK_WINDOW_MS, the signals and the overruns they report are the
 * expirations of the period: at least half as many as the window holds
 * (however slow the machine, an hrtimer expires on time, and what is
 * not delivered is an overrun), at most as many plus 10% and 3.
 */
static int tick_verify(void)
{
	int sig = rt_sig(0);
	unsigned long long n0, ov0, t0, n1, ov1, t1;
	long long fired, expected;

	check_ptimer(2, tick_id, TICK_PERIOD, TICK_PERIOD);
	n0 = CKPT_LOAD(seen[sig].n);
	ov0 = seen[sig].overruns;
	t0 = ckpt_now_ms();
	ckpt_sleep_ms(TICK_WINDOW_MS);
	n1 = CKPT_LOAD(seen[sig].n);
	ov1 = seen[sig].overruns;
	t1 = ckpt_now_ms();
	fired = (long long)(n1 - n0 + ov1 - ov0);
	expected = (long long)(t1 - t0) * MS_NS / TICK_PERIOD;
	ckpt_msg("%llu signals, %llu overruns in %llu ms", (unsigned long long)(n1 - n0),
		 (unsigned long long)(ov1 - ov0), (unsigned long long)(t1 - t0));
	CHILD_CHECK(3, n1 - n0 >= 2, "%llu signals in %llu ms", (unsigned long long)(n1 - n0),
		    (unsigned long long)(t1 - t0));
	CHILD_CHECK(4, fired >= expected / 2, "%lld expirations in %llu ms of a %lld ms period",
		    fired, (unsigned long long)(t1 - t0), TICK_PERIOD / MS_NS);
	CHILD_CHECK(4, (long long)(n1 - n0) <= expected + expected / 10 + 3,
		    "%llu signals in %llu ms of a %lld ms period", (unsigned long long)(n1 - n0),
		    (unsigned long long)(t1 - t0), TICK_PERIOD / MS_NS);
	check_last(5, sig, tick_id, TICK_VALUE);
	return 0;
}

TEST(monotonic_interval_timer_fires_at_its_period_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(tick_setup, tick_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- A one-shot relative CLOCK_REALTIME timer --- */

/* Long enough not to expire before a slow checkpoint. */
#define ONCE_VALUE	(4 * SEC_NS)
#define ONCE_SIVAL	0x0e1

static int once_id;
static long long once_left;

static int once_setup(void)
{
	int sig = rt_sig(1);

	handle_signal(1, sig);
	once_id = new_ptimer(1, CLOCK_REALTIME, SIGEV_SIGNAL, sig, ONCE_SIVAL, 0);
	set_ptimer(1, once_id, 0, ONCE_VALUE, 0);
	once_left = check_ptimer(1, once_id, ONCE_VALUE, 0);
	return 0;
}

/* Fires once, no earlier than 10% before what it has left, at most 2 s late. */
static int once_verify(void)
{
	int sig = rt_sig(1);
	long long left, after;
	unsigned long long t0;

	CHILD_CHECK(2, !CKPT_LOAD(seen[sig].n), "fired before the verification");
	t0 = ckpt_now_ms();
	left = check_ptimer(3, once_id, once_left, 0);
	CHILD_CHECK(4, wait_seen(sig, 1, left / MS_NS + FIRE_LATE_MS + 1000),
		    "no signal %lld ms after it had %lld ms left", left / MS_NS + FIRE_LATE_MS,
		    left / MS_NS);
	after = (long long)(seen[sig].ms - t0) * MS_NS;
	CHILD_CHECK(5, after >= left - left / 10 && after <= left + FIRE_LATE_MS * MS_NS,
		    "fired %lld ms after it had %lld ms left", after / MS_NS, left / MS_NS);
	check_last(6, sig, once_id, ONCE_SIVAL);
	check_ptimer(7, once_id, 0, 0);
	ckpt_sleep_ms(500);
	CHILD_CHECK(8, CKPT_LOAD(seen[sig].n) == 1, "%llu signals from a one-shot timer",
		    (unsigned long long)CKPT_LOAD(seen[sig].n));
	return 0;
}

TEST(realtime_one_shot_fires_once_after_the_time_it_had_left)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(once_setup, once_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- An absolute CLOCK_REALTIME timer --- */

/*
 * Set for a date ABS_AHEAD away; the job is down for ABS_PAUSE_MS.  A
 * timer restored with the time it had left at the checkpoint would
 * expire ABS_PAUSE_MS after its date, and show that much more left.
 */
#define ABS_AHEAD	(6 * SEC_NS)
#define ABS_PAUSE_MS	2000
#define ABS_SLACK	(300 * MS_NS)
#define ABS_SIVAL	0xab5

static int abs_id;
static long long abs_date;

static int abs_setup(void)
{
	int sig = rt_sig(2);

	handle_signal(1, sig);
	abs_id = new_ptimer(1, CLOCK_REALTIME, SIGEV_SIGNAL, sig, ABS_SIVAL, 0);
	abs_date = clock_ns(CLOCK_REALTIME) + ABS_AHEAD;
	set_ptimer(1, abs_id, TIMER_ABSTIME, abs_date, 0);
	return 0;
}

static int abs_verify(void)
{
	int sig = rt_sig(2);
	long long before, left, after, at;

	CHILD_CHECK(2, !CKPT_LOAD(seen[sig].n), "fired %lld ms before its date",
		    (abs_date - seen[sig].real_ns) / MS_NS);
	before = clock_ns(CLOCK_REALTIME);
	left = check_ptimer(3, abs_id, ABS_AHEAD, 0);
	after = clock_ns(CLOCK_REALTIME);
	CHILD_CHECK(4, left >= abs_date - after - ABS_SLACK &&
		    left <= abs_date - before + ABS_SLACK,
		    "%lld ms left, its date is %lld ms away: moved by %lld ms", left / MS_NS,
		    (abs_date - before) / MS_NS, (left - (abs_date - before)) / MS_NS);
	CHILD_CHECK(5, wait_seen(sig, 1, left / MS_NS + FIRE_LATE_MS + 1000),
		    "no signal %lld ms after its date", (long long)FIRE_LATE_MS + 1000);
	at = seen[sig].real_ns - abs_date;
	CHILD_CHECK(6, at >= -left / 10 && at <= FIRE_LATE_MS * MS_NS,
		    "fired %lld ms after its date", at / MS_NS);
	check_last(7, sig, abs_id, ABS_SIVAL);
	check_ptimer(8, abs_id, 0, 0);
	return 0;
}

TEST(realtime_abstime_timer_keeps_its_date_across_a_pause)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(abs_setup, abs_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle(_metadata, child, ABS_PAUSE_MS, NULL));
}

/* --- Disarmed timers keep their sigevent --- */

#define OFF_SIVAL_NEVER	0x0ff1
#define OFF_SIVAL_ONCE	0x0ff2

static int off_never, off_once;

/* One never armed (CLOCK_MONOTONIC), one armed then disarmed (CLOCK_REALTIME). */
static int off_setup(void)
{
	handle_signal(1, rt_sig(3));
	handle_signal(1, rt_sig(4));
	off_never = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_SIGNAL, rt_sig(3), OFF_SIVAL_NEVER, 0);
	off_once = new_ptimer(1, CLOCK_REALTIME, SIGEV_SIGNAL, rt_sig(4), OFF_SIVAL_ONCE, 0);
	set_ptimer(1, off_once, 0, 100 * SEC_NS, SEC_NS);
	set_ptimer(1, off_once, 0, 0, 0);
	return 0;
}

static int off_verify(void)
{
	check_ptimer(2, off_never, 0, 0);
	check_ptimer(3, off_once, 0, 0);
	CHILD_CHECK(4, !CKPT_LOAD(seen[rt_sig(3)].n) && !CKPT_LOAD(seen[rt_sig(4)].n),
		    "a disarmed timer sent a signal");
	set_ptimer(5, off_never, 0, 100 * MS_NS, 0);
	set_ptimer(5, off_once, 0, 100 * MS_NS, 0);
	CHILD_CHECK(6, wait_seen(rt_sig(3), 1, TIMER_WAIT_MS) &&
		    wait_seen(rt_sig(4), 1, TIMER_WAIT_MS),
		    "the timers armed after the restart did not both fire");
	check_last(7, rt_sig(3), off_never, OFF_SIVAL_NEVER);
	check_last(8, rt_sig(4), off_once, OFF_SIVAL_ONCE);
	return 0;
}

TEST(disarmed_timers_stay_disarmed_and_keep_their_sigevent)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(off_setup, off_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- SIGEV_NONE --- */

#define NONE_VALUE	(100 * SEC_NS)
#define NONE_PERIOD	(300 * MS_NS)

static int none_once, none_tick;
static long long none_left;

/* A one-shot and an interval timer that send nothing. */
static int sigev_none_setup(void)
{
	none_once = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	none_tick = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0);
	set_ptimer(1, none_once, 0, NONE_VALUE, 0);
	set_ptimer(1, none_tick, 0, NONE_PERIOD, NONE_PERIOD);
	none_left = check_ptimer(1, none_once, NONE_VALUE, 0);
	return 0;
}

/* The one-shot counts down by the time that passes between two reads. */
static int sigev_none_verify(void)
{
	long long a, v1, b, c, v2, d;

	a = clock_ns(CLOCK_MONOTONIC);
	v1 = check_ptimer(2, none_once, none_left, 0);
	b = clock_ns(CLOCK_MONOTONIC);
	ckpt_sleep_ms(500);
	c = clock_ns(CLOCK_MONOTONIC);
	v2 = check_ptimer(3, none_once, v1, 0);
	d = clock_ns(CLOCK_MONOTONIC);
	CHILD_CHECK(4, v1 - v2 >= c - b && v1 - v2 <= d - a,
		    "went down by %lld us between two reads %lld to %lld us apart",
		    (v1 - v2) / 1000, (c - b) / 1000, (d - a) / 1000);
	check_ptimer(5, none_tick, NONE_PERIOD, NONE_PERIOD);
	return 0;
}

TEST(sigev_none_timers_keep_counting_down_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(sigev_none_setup, sigev_none_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- SIGEV_THREAD_ID: a signal for a second thread --- */

#define TID_PERIOD	(200 * MS_NS)
#define TID_SIVAL	0x71d

static pthread_t tid_thread;
static pid_t tid_target;
static int tid_go, tid_id;

/*
 * The second thread: sleeps until told to go (after the restart), then
 * waits for two more signals of its own.  The main thread does not
 * block the signal either: were it sent to the process, the main thread
 * would be the first to take it.
 */
static void *tid_main(void *arg)
{
	pid_t me = gettid();
	unsigned long long n0, end;

	(void)arg;
	CKPT_STORE(tid_target, me);
	while (!CKPT_LOAD(tid_go))
		ckpt_sleep_ms(10);
	CHILD_CHECK(20, gettid() == me, "thread %d came back as %d", (int)me, (int)gettid());
	n0 = thread_taken;
	end = ckpt_now_ms() + TIMER_WAIT_MS;
	while (thread_taken < n0 + 2 && ckpt_now_ms() < end)
		ckpt_sleep_ms(10);
	CHILD_CHECK(21, thread_taken >= n0 + 2, "thread %d: %llu signals in %d ms", (int)me,
		    (unsigned long long)(thread_taken - n0), TIMER_WAIT_MS);
	return NULL;
}

static int tid_setup(void)
{
	int sig = rt_sig(5);
	unsigned long long end = ckpt_now_ms() + 10000;

	handle_signal(1, sig);
	CHILD_CHECK(1, !pthread_create(&tid_thread, NULL, tid_main, NULL), "pthread_create");
	while (!CKPT_LOAD(tid_target) && ckpt_now_ms() < end)
		ckpt_sleep_ms(5);
	CHILD_CHECK(1, CKPT_LOAD(tid_target), "the thread did not start");
	seen[sig].want_tid = tid_target;
	tid_id = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_THREAD_ID | SIGEV_SIGNAL, sig, TID_SIVAL,
			    tid_target);
	set_ptimer(1, tid_id, 0, TID_PERIOD, TID_PERIOD);
	CHILD_CHECK(1, wait_seen(sig, 2, TIMER_WAIT_MS), "no signals before the checkpoint");
	CHILD_CHECK(1, !CKPT_LOAD(seen[sig].wrong_tid) && seen[sig].tid == tid_target,
		    "before the checkpoint: signal taken by thread %d, not %d", seen[sig].tid,
		    (int)tid_target);
	return 0;
}

static int tid_verify(void)
{
	int sig = rt_sig(5), err;

	CKPT_STORE(tid_go, 1);
	err = ckpt_join_timed(tid_thread, NULL, TIMER_WAIT_MS + 10000);
	CHILD_CHECK(2, !err, "join: %s", strerror(err));
	CHILD_CHECK(3, !CKPT_LOAD(seen[sig].wrong_tid),
		    "%llu signals taken by another thread than %d",
		    (unsigned long long)CKPT_LOAD(seen[sig].wrong_tid), (int)tid_target);
	check_last(4, sig, tid_id, TID_SIVAL);
	check_ptimer(5, tid_id, TID_PERIOD, TID_PERIOD);
	return 0;
}

TEST(sigev_thread_id_timer_signals_the_same_thread_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(tid_setup, tid_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- CPU-time clocks --- */

#define PCPU_VALUE	(300 * MS_NS)
#define PCPU_INTERVAL	(100 * MS_NS)

static int pcpu_proc, pcpu_thread;
static long long pcpu_left[2];

/* Spin until @sig1 and @sig2 came @more times each, or TIMER_WAIT_MS. */
static bool spin_for(int sig1, int sig2, unsigned long long more)
{
	unsigned long long n1 = CKPT_LOAD(seen[sig1].n) + more, n2 = CKPT_LOAD(seen[sig2].n) + more;
	unsigned long long end = ckpt_now_ms() + TIMER_WAIT_MS, acc = 0, i = 0, j;

	while ((CKPT_LOAD(seen[sig1].n) < n1 || CKPT_LOAD(seen[sig2].n) < n2) &&
	       ckpt_now_ms() < end)
		for (j = 0; j < 100000; j++)
			acc = ckpt_compute_step(acc, i++);
	CKPT_STORE(spin_result, acc);
	return CKPT_LOAD(seen[sig1].n) >= n1 && CKPT_LOAD(seen[sig2].n) >= n2;
}

/* Set while the child sleeps: it uses no CPU time, they do not fire. */
static int pcpu_setup(void)
{
	handle_signal(1, rt_sig(6));
	handle_signal(1, rt_sig(7));
	pcpu_proc = new_ptimer(1, CLOCK_PROCESS_CPUTIME_ID, SIGEV_SIGNAL, rt_sig(6), 6, 0);
	pcpu_thread = new_ptimer(1, CLOCK_THREAD_CPUTIME_ID, SIGEV_SIGNAL, rt_sig(7), 7, 0);
	set_ptimer(1, pcpu_proc, 0, PCPU_VALUE, PCPU_INTERVAL);
	set_ptimer(1, pcpu_thread, 0, PCPU_VALUE, PCPU_INTERVAL);
	pcpu_left[0] = check_ptimer(1, pcpu_proc, PCPU_VALUE, PCPU_INTERVAL);
	pcpu_left[1] = check_ptimer(1, pcpu_thread, PCPU_VALUE, PCPU_INTERVAL);
	return 0;
}

static int pcpu_verify(void)
{
	check_ptimer(2, pcpu_proc, pcpu_left[0] + CPU_TICK, PCPU_INTERVAL);
	check_ptimer(3, pcpu_thread, pcpu_left[1] + CPU_TICK, PCPU_INTERVAL);
	CHILD_CHECK(4, spin_for(rt_sig(6), rt_sig(7), 2),
		    "%llu process and %llu thread CPU-time signals in %d ms of spinning",
		    (unsigned long long)CKPT_LOAD(seen[rt_sig(6)].n),
		    (unsigned long long)CKPT_LOAD(seen[rt_sig(7)].n), TIMER_WAIT_MS);
	check_last(5, rt_sig(6), pcpu_proc, 6);
	check_last(6, rt_sig(7), pcpu_thread, 7);
	return 0;
}

TEST(process_and_thread_cpu_time_timers_fire_on_cpu_time_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(pcpu_setup, pcpu_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * The same clocks named by pid and tid: the process's own with
 * clock_getcpuclockid(getpid()), a second thread's with
 * pthread_getcpuclockid().  The second thread spins after the restart.
 */
static pthread_t named_thread;
static int named_proc, named_thread_timer, named_go, named_stop;

static void *named_main(void *arg)
{
	unsigned long long acc = 0, i = 0, j;

	(void)arg;
	while (!CKPT_LOAD(named_go))
		ckpt_sleep_ms(10);
	while (!CKPT_LOAD(named_stop))
		for (j = 0; j < 100000; j++)
			acc = ckpt_compute_step(acc, i++);
	CKPT_STORE(spin_result, acc);
	return NULL;
}

static int named_setup(void)
{
	clockid_t proc_clock, thread_clock;
	int err;

	handle_signal(1, rt_sig(8));
	handle_signal(1, rt_sig(9));
	CHILD_CHECK(1, !pthread_create(&named_thread, NULL, named_main, NULL), "pthread_create");
	err = clock_getcpuclockid(getpid(), &proc_clock);
	CHILD_CHECK(1, !err, "clock_getcpuclockid: %s", strerror(err));
	err = pthread_getcpuclockid(named_thread, &thread_clock);
	CHILD_CHECK(1, !err, "pthread_getcpuclockid: %s", strerror(err));
	named_proc = new_ptimer(1, proc_clock, SIGEV_SIGNAL, rt_sig(8), 8, 0);
	named_thread_timer = new_ptimer(1, thread_clock, SIGEV_SIGNAL, rt_sig(9), 9, 0);
	set_ptimer(1, named_proc, 0, PCPU_VALUE, PCPU_INTERVAL);
	set_ptimer(1, named_thread_timer, 0, PCPU_VALUE, PCPU_INTERVAL);
	return 0;
}

static int named_verify(void)
{
	unsigned long long p0 = CKPT_LOAD(seen[rt_sig(8)].n), t0 = CKPT_LOAD(seen[rt_sig(9)].n);
	bool fired;
	int err;

	check_ptimer(2, named_proc, PCPU_VALUE + CPU_TICK, PCPU_INTERVAL);
	check_ptimer(3, named_thread_timer, PCPU_VALUE + CPU_TICK, PCPU_INTERVAL);
	CKPT_STORE(named_go, 1);
	fired = wait_seen(rt_sig(8), p0 + 2, TIMER_WAIT_MS / 2) &&
		wait_seen(rt_sig(9), t0 + 2, TIMER_WAIT_MS / 2);
	CKPT_STORE(named_stop, 1);
	err = ckpt_join_timed(named_thread, NULL, 10000);
	CHILD_CHECK(4, !err, "join: %s", strerror(err));
	CHILD_CHECK(5, fired, "%llu process and %llu thread CPU-time signals while it spun",
		    (unsigned long long)(CKPT_LOAD(seen[rt_sig(8)].n) - p0),
		    (unsigned long long)(CKPT_LOAD(seen[rt_sig(9)].n) - t0));
	check_last(6, rt_sig(8), named_proc, 8);
	check_last(7, rt_sig(9), named_thread_timer, 9);
	return 0;
}

TEST(cpu_time_timers_on_clocks_named_by_pid_and_tid_come_back)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(named_setup, named_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- Overruns --- */

/*
 * A 20 ms interval timer whose signal is blocked, taken once with
 * sigtimedwait() after OV_FIRST_MS (its si_overrun is what
 * timer_getoverrun() says from then on), then left pending OV_SECOND_MS
 * before the checkpoint.  After the restart timer_getoverrun() says the
 * same until the signal is taken; the signal then reports at least half
 * the expirations there were before the checkpoint, and no more than
 * the time since the first one allows; it keeps firing.
 */
#define OV_PERIOD	(20 * MS_NS)
#define OV_FIRST_MS	300
#define OV_SECOND_MS	1500
#define OV_SIVAL	0x0e7

static int ov_id, ov_first;
static unsigned long long ov_taken_ms, ov_ready_ms;

/* Take signal @sig with sigtimedwait() within TIMER_WAIT_MS, or exit. */
static void take_signal(int code, int sig, siginfo_t *si)
{
	struct timespec ts = { TIMER_WAIT_MS / 1000, 0 };
	sigset_t set;
	int got;

	sigemptyset(&set);
	sigaddset(&set, sig);
	do {
		got = sigtimedwait(&set, si, &ts);
	} while (got < 0 && errno == EINTR);
	CHILD_CHECK(code, got == sig, "sigtimedwait: %d (%s)", got, strerror(errno));
}

static int ov_setup(void)
{
	int sig = rt_sig(10);
	siginfo_t si;

	mask_signal(1, SIG_BLOCK, sig);
	ov_id = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, OV_SIVAL, 0);
	set_ptimer(1, ov_id, 0, OV_PERIOD, OV_PERIOD);
	ckpt_sleep_ms(OV_FIRST_MS);
	ov_taken_ms = ckpt_now_ms();
	take_signal(1, sig, &si);
	ov_first = ptimer_overrun(ov_id);
	CHILD_CHECK(1, si.si_timerid == ov_id && si.si_overrun > 0 && ov_first == si.si_overrun,
		    "si_timerid %d, si_overrun %d, timer_getoverrun %d", si.si_timerid,
		    si.si_overrun, ov_first);
	ckpt_sleep_ms(OV_SECOND_MS);
	CHILD_CHECK(1, signal_pending(sig), "its signal is not pending");
	ov_ready_ms = ckpt_now_ms();
	return 0;
}

static int ov_verify(void)
{
	int sig = rt_sig(10), before, after;
	long long least, most;
	siginfo_t si;

	CHILD_CHECK(2, signal_pending(sig), "its signal is not pending after the restart");
	before = ptimer_overrun(ov_id);
	CHILD_CHECK(3, before == ov_first, "timer_getoverrun %d before the signal, was %d",
		    before, ov_first);
	take_signal(4, sig, &si);
	after = ptimer_overrun(ov_id);
	least = (long long)(ov_ready_ms - ov_taken_ms) * MS_NS / OV_PERIOD / 2;
	most = (long long)(ckpt_now_ms() - ov_taken_ms) * MS_NS / OV_PERIOD + 2;
	ckpt_msg("overruns: %d before the checkpoint, %d after (bounds %lld to %lld)",
		 ov_first, si.si_overrun, least, most);
	CHILD_CHECK(5, si.si_code == SI_TIMER && si.si_timerid == ov_id &&
		    si.si_value.sival_int == OV_SIVAL,
		    "si_code %d, si_timerid %d, sival_int %#x", si.si_code, si.si_timerid,
		    si.si_value.sival_int);
	CHILD_CHECK(6, after == si.si_overrun, "timer_getoverrun %d, si_overrun %d", after,
		    si.si_overrun);
	CHILD_CHECK(7, after >= ov_first && after >= least && after <= most,
		    "%d overruns, expected %d or more, and %lld to %lld", after, ov_first, least,
		    most);
	take_signal(8, sig, &si);
	CHILD_CHECK(8, si.si_timerid == ov_id, "si_timerid %d", si.si_timerid);
	return 0;
}

TEST(overruns_of_a_blocked_interval_timer_are_kept)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(ov_setup, ov_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- A timer signal queued, not taken, at the checkpoint --- */

#define PEND_PERIOD	(200 * MS_NS)
#define PEND_SIVAL_ONCE	0x9e1
#define PEND_SIVAL_TICK	0x9e2

static int pend_once, pend_tick;

/* A one-shot and an interval timer, both fired, their signals blocked. */
static int pend_setup(void)
{
	int s1 = rt_sig(11), s2 = rt_sig(12);
	unsigned long long end = ckpt_now_ms() + TIMER_WAIT_MS;

	handle_signal(1, s1);
	handle_signal(1, s2);
	mask_signal(1, SIG_BLOCK, s1);
	mask_signal(1, SIG_BLOCK, s2);
	pend_once = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_SIGNAL, s1, PEND_SIVAL_ONCE, 0);
	pend_tick = new_ptimer(1, CLOCK_MONOTONIC, SIGEV_SIGNAL, s2, PEND_SIVAL_TICK, 0);
	set_ptimer(1, pend_once, 0, 10 * MS_NS, 0);
	set_ptimer(1, pend_tick, 0, 10 * MS_NS, PEND_PERIOD);
	while (!(signal_pending(s1) && signal_pending(s2)) && ckpt_now_ms() < end)
		ckpt_sleep_ms(10);
	CHILD_CHECK(1, signal_pending(s1) && signal_pending(s2), "signals not pending");
	return 0;
}

/* Unblocked: one signal each; the interval timer goes on. */
static int pend_verify(void)
{
	int s1 = rt_sig(11), s2 = rt_sig(12);
	unsigned long long n2;

	CHILD_CHECK(2, signal_pending(s1) && signal_pending(s2),
		    "not pending after the restart: %s%s", signal_pending(s1) ? "" : "one-shot ",
		    signal_pending(s2) ? "" : "interval");
	CHILD_CHECK(3, !CKPT_LOAD(seen[s1].n) && !CKPT_LOAD(seen[s2].n), "taken while blocked");
	check_ptimer(4, pend_once, 0, 0);
	mask_signal(5, SIG_UNBLOCK, s1);
	mask_signal(5, SIG_UNBLOCK, s2);
	CHILD_CHECK(6, wait_seen(s1, 1, 1000) && wait_seen(s2, 1, 1000),
		    "not taken once unblocked: %llu one-shot, %llu interval",
		    (unsigned long long)CKPT_LOAD(seen[s1].n),
		    (unsigned long long)CKPT_LOAD(seen[s2].n));
	check_last(7, s1, pend_once, PEND_SIVAL_ONCE);
	check_last(8, s2, pend_tick, PEND_SIVAL_TICK);
	n2 = CKPT_LOAD(seen[s2].n);
	CHILD_CHECK(9, wait_seen(s2, n2 + 2, TIMER_WAIT_MS),
		    "the interval timer stopped: %llu signals in %d ms",
		    (unsigned long long)(CKPT_LOAD(seen[s2].n) - n2), TIMER_WAIT_MS);
	check_last(10, s2, pend_tick, PEND_SIVAL_TICK);
	CHILD_CHECK(11, CKPT_LOAD(seen[s1].n) == 1, "%llu signals from the one-shot timer",
		    (unsigned long long)CKPT_LOAD(seen[s1].n));
	check_ptimer(12, pend_tick, PEND_PERIOD, PEND_PERIOD);
	return 0;
}

TEST(timer_signal_pending_at_the_checkpoint_comes_once_after_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(pend_setup, pend_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- Refused: a timer on another process's CPU-time clock --- */

static int foreign_id;

/* A timer on the CPU-time clock of the test itself, our parent. */
static int foreign_setup(void)
{
	clockid_t clock;
	int err;

	err = clock_getcpuclockid(getppid(), &clock);
	CHILD_CHECK(1, !err, "clock_getcpuclockid: %s", strerror(err));
	foreign_id = new_ptimer(1, clock, SIGEV_NONE, 0, 0, 0);
	set_ptimer(1, foreign_id, 0, NONE_VALUE, 0);
	return 0;
}

/* After the refused checkpoint: the timer is still ours. */
static int foreign_verify(void)
{
	check_ptimer(2, foreign_id, NONE_VALUE, 0);
	CHILD_CHECK(3, !ptimer_delete(foreign_id), "timer_delete: %s", strerror(errno));
	return 0;
}

TEST(timer_on_another_process_cpu_clock_is_refused_and_the_process_runs_on)
{
	char log[4096];
	pid_t child;
	int err;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(foreign_setup, foreign_verify);
	ASSERT_GT(child, 0);
	err = ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log));
	TH_LOG("log: %s", log);
	EXPECT_EQ(EOPNOTSUPP, err);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "POSIX timer"));
	/* The process whose clock it is: the test, its parent. */
	EXPECT_TRUE(ckpt_log_has(log, "pid ", getpid()));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST_HARNESS_MAIN
