// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of scheduling attributes (CKPT_REC_SCHED) and of
 * the prctl(2) modes of the address space.
 *
 * Each thread's scheduling attributes are saved, and each restored
 * thread sets them again on itself.  After a checkpoint, kill and
 * restart, every thread checks from inside that it has what it set up
 * (sched_getattr(2), getpriority(2), sched_getaffinity(2),
 * ioprio_get(2), PR_GET_TIMERSLACK), and the test compares the nice
 * value, real-time priority, policy and allowed CPUs that /proc shows
 * of every thread before and after:
 *  - SCHED_OTHER, SCHED_BATCH and SCHED_IDLE threads, each with its own
 *    nice value (a negative one included), and the nice values that
 *    SCHED_IDLE, real-time and deadline threads keep for themselves
 *    (setpriority(2)), other than the main thread's;
 *  - SCHED_FIFO and SCHED_RR threads with their priorities, whose timer
 *    slack is 0 and whose default slack comes back when one switches
 *    back to SCHED_OTHER;
 *  - SCHED_DEADLINE threads with their runtime, deadline and period
 *    (and SCHED_FLAG_DL_OVERRUN, whose SIGXCPU the process ignores);
 *  - SCHED_RESET_ON_FORK, which still acts: a child forked after the
 *    restart is SCHED_OTHER at nice 0;
 *  - a thread pinned to CPU 1, one to CPU 0 (where they run after the
 *    restart), and a main thread allowed on every CPU;
 *  - I/O priorities per thread (best effort level 5, idle, real time);
 *  - timer slack per thread, and the default that PR_SET_TIMERSLACK 0
 *    gives back;
 *  - one thread with all of these at once;
 *  - a custom EEVDF slice (sched_setattr(2) of SCHED_OTHER with a
 *    sched_runtime) is kept, or the checkpoint is refused, naming it.
 * The process's oom_score_adj (500, and -100) comes back, and so do
 * PR_SET_THP_DISABLE and PR_SET_MDWE (PR_MDWE_REFUSE_EXEC_GAIN, still
 * refusing mprotect(PROT_EXEC) and inherited by a child forked after
 * the restart; with PR_MDWE_NO_INHERIT, not inherited).
 *
 * A restored thread sets its attributes with its own credentials: a
 * process of user nobody whose thread was made SCHED_FIFO by root fails
 * to restart with EPERM, naming the scheduling policy, whoever restarts
 * it (an unprivileged restarter, or root), and leaves nothing behind;
 * with an RLIMIT_RTPRIO that allows the priority, the same image
 * restarts under the unprivileged restarter.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/ioprio.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE		6
#endif
#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK	0x01
#endif
#ifndef SCHED_FLAG_DL_OVERRUN
#define SCHED_FLAG_DL_OVERRUN	0x04
#endif
#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_GET_MDWE			66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN	1UL
#endif
#ifndef PR_MDWE_NO_INHERIT
#define PR_MDWE_NO_INHERIT		2UL
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE	40
#endif

/* IOPRIO_PRIO_VALUE(), which is no constant expression in the uapi header */
#define IOPRIO(class, level)	((class) << IOPRIO_CLASS_SHIFT | (level))

#define MS		1000000ULL
#define NOBODY		65534
#define MAX_THREADS	8

static int ioprio_get_self(void)
{
	return syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, gettid());
}

static const char *policy_name(unsigned int policy)
{
	static const char *const names[] = {
		"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "?",
		"SCHED_IDLE", "SCHED_DEADLINE",
	};

	return policy < ARRAY_SIZE(names) ? names[policy] : "?";
}

static long online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* --------------------------------------------------------------------
 * Threads with given scheduling attributes
 *
 * Thread 0 is the main thread; it sets up its attributes before it
 * creates the others, which inherit them and then set up their own.
 * Each records what it has, sleeps until after the restart, then checks
 * that it has exactly that, and what its spec asked for.
 */

struct tspec {
	int policy;		/* SCHED_* */
	int nice;
	unsigned int prio;	/* SCHED_FIFO, SCHED_RR */
	uint64_t runtime;	/* SCHED_DEADLINE; or a fair thread's slice */
	uint64_t deadline, period;
	uint64_t flags;		/* SCHED_FLAG_RESET_ON_FORK, _DL_OVERRUN */
	int cpu;		/* pinned to this CPU; -1: left on all */
	int ioprio;		/* set with ioprio_set(); 0: not set */
	unsigned long slack;	/* PR_SET_TIMERSLACK; 0: not set */
};

/* What a thread has, as it sees it. */
struct tstate {
	pid_t tid;
	struct ckpt_sched_attr attr;
	cpu_set_t cpus;
	int nice;
	int ioprio;
	long slack;
};

static struct tspec spec[MAX_THREADS];
static int nspec;
/* Called in each thread after its checks, with its index. */
static void (*extra_verify)(int i);

static struct tstate before[MAX_THREADS];
static unsigned long main_initial_slack;
static uint32_t go;
static int ready;

static void read_state(int code, struct tstate *s)
{
	s->tid = gettid();
	CHILD_CHECK(code, !ckpt_sched_getattr_self(&s->attr), "sched_getattr: %s", strerror(errno));
	CPU_ZERO(&s->cpus);
	CHILD_CHECK(code, !sched_getaffinity(0, sizeof(s->cpus), &s->cpus),
		    "sched_getaffinity: %s", strerror(errno));
	errno = 0;
	s->nice = getpriority(PRIO_PROCESS, gettid());
	CHILD_CHECK(code, !errno, "getpriority: %s", strerror(errno));
	s->ioprio = ioprio_get_self();
	CHILD_CHECK(code, s->ioprio >= 0, "ioprio_get: %s", strerror(errno));
	s->slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHILD_CHECK(code, s->slack >= 0, "PR_GET_TIMERSLACK: %s", strerror(errno));
}

static void apply_spec(int i)
{
	const struct tspec *s = &spec[i];
	struct ckpt_sched_attr a = {
		.size		= sizeof(a),
		.sched_policy	= s->policy,
		.sched_flags	= s->flags,
		.sched_nice	= s->nice,
		.sched_priority	= s->prio,
		.sched_runtime	= s->runtime,
		.sched_deadline	= s->deadline,
		.sched_period	= s->period,
	};
	cpu_set_t cpus;

	if (s->cpu >= 0) {
		CPU_ZERO(&cpus);
		CPU_SET(s->cpu, &cpus);
		CHILD_CHECK(90, !sched_setaffinity(0, sizeof(cpus), &cpus),
			    "thread %d: pin to CPU %d: %s", i, s->cpu, strerror(errno));
	}
	if (s->ioprio)
		CHILD_CHECK(90, !syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, gettid(), s->ioprio),
			    "thread %d: ioprio_set(%#x): %s", i, s->ioprio, strerror(errno));
	/* Before a real-time policy, which ignores it. */
	if (s->slack)
		CHILD_CHECK(90, !prctl(PR_SET_TIMERSLACK, s->slack, 0, 0, 0),
			    "thread %d: PR_SET_TIMERSLACK: %s", i, strerror(errno));
	CHILD_CHECK(90, !ckpt_sched_setattr_self(&a), "thread %d: sched_setattr(%s): %s", i,
		    policy_name(s->policy), strerror(errno));
	/*
	 * sched_setattr() leaves the nice value of a SCHED_IDLE, real-time
	 * or deadline thread as it was; setpriority(2) sets it.
	 */
	if (s->policy != SCHED_OTHER && s->policy != SCHED_BATCH)
		CHILD_CHECK(90, !setpriority(PRIO_PROCESS, gettid(), s->nice),
			    "thread %d: setpriority(%d): %s", i, s->nice, strerror(errno));
}

/* Does @st have what spec[@i] asked for? */
static void check_spec(int code, int i, const struct tstate *st)
{
	const struct tspec *s = &spec[i];
	const struct ckpt_sched_attr *a = &st->attr;
	bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
	bool dl = s->policy == SCHED_DEADLINE;

	CHILD_CHECK(code, a->sched_policy == (uint32_t)s->policy,
		    "thread %d: policy %s, expected %s", i, policy_name(a->sched_policy),
		    policy_name(s->policy));
	CHILD_CHECK(code, (a->sched_flags & (SCHED_FLAG_RESET_ON_FORK | SCHED_FLAG_DL_OVERRUN)) ==
		    s->flags, "thread %d: flags %#llx, expected %#llx", i,
		    (unsigned long long)a->sched_flags, (unsigned long long)s->flags);
	CHILD_CHECK(code, !!(sched_getscheduler(0) & SCHED_RESET_ON_FORK) ==
		    !!(s->flags & SCHED_FLAG_RESET_ON_FORK),
		    "thread %d: sched_getscheduler() %#x", i, sched_getscheduler(0));
	if (rt || dl)
		CHILD_CHECK(code, a->sched_priority == s->prio,
			    "thread %d: priority %u, expected %u", i, a->sched_priority, s->prio);
	/* sched_getattr() gives no nice value for real-time and deadline. */
	CHILD_CHECK(code, ((rt || dl) || a->sched_nice == s->nice) && st->nice == s->nice,
		    "thread %d: nice %d (getpriority %d), expected %d", i, a->sched_nice, st->nice,
		    s->nice);
	if (dl || s->runtime)
		CHILD_CHECK(code, a->sched_runtime == s->runtime,
			    "thread %d: runtime %llu ns, expected %llu", i,
			    (unsigned long long)a->sched_runtime, (unsigned long long)s->runtime);
	if (dl)
		CHILD_CHECK(code, a->sched_deadline == s->deadline && a->sched_period == s->period,
			    "thread %d: deadline %llu, period %llu ns, expected %llu, %llu", i,
			    (unsigned long long)a->sched_deadline,
			    (unsigned long long)a->sched_period,
			    (unsigned long long)s->deadline, (unsigned long long)s->period);
	if (s->cpu >= 0)
		CHILD_CHECK(code, CPU_COUNT(&st->cpus) == 1 && CPU_ISSET(s->cpu, &st->cpus),
			    "thread %d: %d CPUs allowed, expected CPU %d only", i,
			    CPU_COUNT(&st->cpus), s->cpu);
	else
		CHILD_CHECK(code, CPU_COUNT(&st->cpus) == online_cpus(),
			    "thread %d: %d CPUs allowed, expected all %ld", i,
			    CPU_COUNT(&st->cpus), online_cpus());
	if (s->ioprio)
		CHILD_CHECK(code, st->ioprio == s->ioprio,
			    "thread %d: I/O priority %#x, expected %#x", i, st->ioprio, s->ioprio);
	if (rt || dl)
		CHILD_CHECK(code, st->slack == 0, "thread %d: timer slack %ld, expected 0", i,
			    st->slack);
	else if (s->slack)
		CHILD_CHECK(code, st->slack == (long)s->slack,
			    "thread %d: timer slack %ld, expected %lu", i, st->slack, s->slack);
}

/* Is @now exactly what @was recorded before the checkpoint? */
static void check_same(int i, const struct tstate *was, const struct tstate *now)
{
	const struct ckpt_sched_attr *a = &now->attr, *b = &was->attr;

	CHILD_CHECK(1, now->tid == was->tid, "thread %d: tid %d, was %d", i, now->tid, was->tid);
	CHILD_CHECK(2, a->sched_policy == b->sched_policy, "thread %d: policy %s, was %s", i,
		    policy_name(a->sched_policy), policy_name(b->sched_policy));
	CHILD_CHECK(3, a->sched_flags == b->sched_flags, "thread %d: flags %#llx, were %#llx", i,
		    (unsigned long long)a->sched_flags, (unsigned long long)b->sched_flags);
	CHILD_CHECK(4, a->sched_nice == b->sched_nice && now->nice == was->nice,
		    "thread %d: nice %d (getpriority %d), was %d (%d)", i, a->sched_nice, now->nice,
		    b->sched_nice, was->nice);
	CHILD_CHECK(5, a->sched_priority == b->sched_priority, "thread %d: priority %u, was %u", i,
		    a->sched_priority, b->sched_priority);
	CHILD_CHECK(6, a->sched_runtime == b->sched_runtime &&
		    a->sched_deadline == b->sched_deadline && a->sched_period == b->sched_period,
		    "thread %d: runtime/deadline/period %llu/%llu/%llu ns, were %llu/%llu/%llu", i,
		    (unsigned long long)a->sched_runtime, (unsigned long long)a->sched_deadline,
		    (unsigned long long)a->sched_period, (unsigned long long)b->sched_runtime,
		    (unsigned long long)b->sched_deadline, (unsigned long long)b->sched_period);
	CHILD_CHECK(7, CPU_EQUAL(&now->cpus, &was->cpus),
		    "thread %d: affinity of %d CPUs, was %d", i, CPU_COUNT(&now->cpus),
		    CPU_COUNT(&was->cpus));
	CHILD_CHECK(8, now->ioprio == was->ioprio, "thread %d: I/O priority %#x, was %#x", i,
		    now->ioprio, was->ioprio);
	CHILD_CHECK(9, now->slack == was->slack, "thread %d: timer slack %ld ns, was %ld", i,
		    now->slack, was->slack);
}

/* After the restart, in thread @i. */
static void verify_thread(int i)
{
	struct tstate now;
	int cpu;

	read_state(10, &now);
	check_same(i, &before[i], &now);
	check_spec(11, i, &now);
	if (spec[i].cpu >= 0) {
		cpu = sched_getcpu();
		CHILD_CHECK(12, cpu == spec[i].cpu, "thread %d runs on CPU %d, pinned to %d", i,
			    cpu, spec[i].cpu);
	}
	if (extra_verify)
		extra_verify(i);
}

static void *spec_thread(void *arg)
{
	int i = (int)(intptr_t)arg;

	apply_spec(i);
	read_state(91, &before[i]);
	check_spec(92, i, &before[i]);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!CKPT_LOAD(go))
		ckpt_futex_wait(&go, 0, NULL);
	verify_thread(i);
	return NULL;
}

static int spec_main(void)
{
	pthread_t t[MAX_THREADS];
	int i, err;

	/* A deadline thread with SCHED_FLAG_DL_OVERRUN gets SIGXCPU on overruns. */
	CHILD_CHECK(90, signal(SIGXCPU, SIG_IGN) != SIG_ERR, "SIGXCPU");
	main_initial_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	apply_spec(0);
	read_state(91, &before[0]);
	check_spec(92, 0, &before[0]);
	for (i = 1; i < nspec; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], NULL, spec_thread, (void *)(intptr_t)i),
			    "pthread_create");
	ckpt_wait_count(&ready, nspec - 1);
	ckpt_child_wait();
	verify_thread(0);
	CKPT_STORE(go, 1);
	ckpt_futex_wake_all(&go);
	for (i = 1; i < nspec; i++) {
		err = ckpt_join_timed(t[i], NULL, 30000);
		CHILD_CHECK(20, !err, "thread %d: join: %s", i, strerror(err));
	}
	return 0;
}

/* What the test sees of a thread from outside, in /proc. */
struct outside {
	pid_t tid;
	long long nice, rt_priority, policy;
	char cpus[64];
};

static int look_at_threads(pid_t pid, struct outside *o, int max)
{
	pid_t tids[MAX_THREADS];
	int n, i;

	n = ckpt_tids(pid, tids, MAX_THREADS);
	if (n < 0 || n > max)
		return -1;
	for (i = 0; i < n; i++) {
		o[i].tid = tids[i];
		o[i].nice = (int)ckpt_stat(tids[i], 19);
		o[i].rt_priority = ckpt_stat(tids[i], 40);
		o[i].policy = ckpt_stat(tids[i], 41);
		if (ckpt_status_field(tids[i], "Cpus_allowed_list", o[i].cpus, sizeof(o[i].cpus)))
			snprintf(o[i].cpus, sizeof(o[i].cpus), "?");
	}
	return n;
}

/*
 * Run spec_main() with the @n thread specs @specs (the main thread's
 * first): checkpoint it with CKPT_KILL, restart it, compare what /proc
 * shows of its threads, and let it check itself.
 */
static void spec_cycle(struct __test_metadata *_metadata, const struct tspec *specs, int n,
		       void (*extra)(int))
{
	struct outside was[MAX_THREADS], now[MAX_THREADS];
	int fd, nwas, nnow, i;
	pid_t child;

	memcpy(spec, specs, n * sizeof(*specs));
	nspec = n;
	extra_verify = extra;
	child = ckpt_spawn_main(spec_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	nwas = look_at_threads(child, was, MAX_THREADS);
	ASSERT_EQ(n, nwas);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);

	EXPECT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	nnow = look_at_threads(child, now, MAX_THREADS);
	EXPECT_EQ(nwas, nnow);
	for (i = 0; i < nwas && i < nnow; i++) {
		EXPECT_EQ(was[i].tid, now[i].tid);
		EXPECT_EQ(was[i].nice, now[i].nice) TH_LOG("thread %d", was[i].tid);
		EXPECT_EQ(was[i].rt_priority, now[i].rt_priority) TH_LOG("thread %d", was[i].tid);
		EXPECT_EQ(was[i].policy, now[i].policy) TH_LOG("thread %d", was[i].tid);
		EXPECT_STREQ(was[i].cpus, now[i].cpus) TH_LOG("thread %d", was[i].tid);
	}
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* A thread that asks for nothing: SCHED_OTHER, nice 0, all CPUs. */
#define PLAIN	{ .policy = SCHED_OTHER, .cpu = -1 }

/* --------------------------------------------------------------------
 * Policies, nice values and priorities
 */

TEST(fair_policies_and_nice_values_come_back_per_thread)
{
	static const struct tspec s[] = {
		{ .policy = SCHED_OTHER, .nice = 5, .cpu = -1 },
		{ .policy = SCHED_BATCH, .nice = 10, .cpu = -1 },
		/* The main thread's nice value: see the test after this one. */
		{ .policy = SCHED_IDLE, .nice = 5, .cpu = -1 },
		{ .policy = SCHED_OTHER, .nice = -3, .cpu = -1 },
		{ .policy = SCHED_BATCH, .nice = 0, .cpu = -1 },
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), NULL);
}

/*
 * A thread's nice value is its own under SCHED_IDLE, SCHED_FIFO, SCHED_RR
 * and SCHED_DEADLINE too (getpriority(2) gives it, and a thread that
 * goes back to SCHED_OTHER with sched_setscheduler(2) runs at it): it
 * must come back, not be the main thread's.
 */
TEST(nice_values_of_idle_real_time_and_deadline_threads_come_back)
{
	static const struct tspec s[] = {
		{ .policy = SCHED_OTHER, .nice = 2, .cpu = -1 },
		{ .policy = SCHED_IDLE, .nice = 15, .cpu = -1 },
		{ .policy = SCHED_IDLE, .nice = -2, .cpu = -1 },
		{ .policy = SCHED_FIFO, .prio = 10, .nice = 7, .cpu = -1 },
		{ .policy = SCHED_RR, .prio = 5, .nice = -4, .cpu = -1 },
		{ .policy = SCHED_DEADLINE, .runtime = 10 * MS, .deadline = 100 * MS,
		  .period = 100 * MS, .nice = 6, .cpu = -1 },
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), NULL);
}

#define RT_MAIN_SLACK	200000UL

/*
 * The SCHED_FIFO thread goes back to SCHED_OTHER: its timer slack is
 * then its default, the main thread's when it was created.
 */
static void rt_extra(int i)
{
	struct ckpt_sched_attr a = { .size = sizeof(a), .sched_policy = SCHED_OTHER };
	long slack;

	if (i != 1)
		return;
	CHILD_CHECK(30, !ckpt_sched_setattr_self(&a), "back to SCHED_OTHER: %s", strerror(errno));
	slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHILD_CHECK(31, slack == (long)RT_MAIN_SLACK,
		    "back to SCHED_OTHER, the timer slack is %ld ns, not the default %lu", slack,
		    RT_MAIN_SLACK);
}

TEST(real_time_policies_come_back_per_thread)
{
	static const struct tspec s[] = {
		{ .policy = SCHED_OTHER, .cpu = -1, .slack = RT_MAIN_SLACK },
		{ .policy = SCHED_FIFO, .prio = 10, .cpu = -1 },
		{ .policy = SCHED_RR, .prio = 20, .cpu = -1 },
		{ .policy = SCHED_FIFO, .prio = 99, .cpu = -1 },
		PLAIN,
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), rt_extra);
}

TEST(deadline_parameters_come_back)
{
	static const struct tspec s[] = {
		{ .policy = SCHED_OTHER, .cpu = -1 },
		{ .policy = SCHED_DEADLINE, .runtime = 10 * MS, .deadline = 100 * MS,
		  .period = 100 * MS, .cpu = -1 },
		{ .policy = SCHED_DEADLINE, .runtime = 5 * MS, .deadline = 50 * MS,
		  .period = 200 * MS, .flags = SCHED_FLAG_DL_OVERRUN, .cpu = -1 },
		PLAIN,
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), NULL);
}

/*
 * After the restart, threads with SCHED_RESET_ON_FORK fork a child,
 * which must be SCHED_OTHER at a nice value of at least 0, without the
 * flag.  (A thread's own checks already saw the flag.)
 */
static void reset_extra(int i)
{
	struct ckpt_sched_attr a;
	int status, nice;
	pid_t pid;

	if (!(spec[i].flags & SCHED_FLAG_RESET_ON_FORK))
		return;
	pid = fork();
	CHILD_CHECK(40, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		errno = 0;
		nice = getpriority(PRIO_PROCESS, 0);
		if (ckpt_sched_getattr_self(&a) || errno)
			_exit(1);
		if (a.sched_policy != (spec[i].policy == SCHED_BATCH ? SCHED_BATCH : SCHED_OTHER))
			_exit(2);
		if (a.sched_flags & SCHED_FLAG_RESET_ON_FORK)
			_exit(3);
		if (nice != (spec[i].nice > 0 ? spec[i].nice : 0))
			_exit(4);
		_exit(0);
	}
	CHILD_CHECK(41, waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHILD_CHECK(42, WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "thread %d: the child it forked has status %#x (SCHED_RESET_ON_FORK lost?)", i,
		    status);
}

TEST(sched_reset_on_fork_is_kept_and_acts)
{
	static const struct tspec s[] = {
		PLAIN,
		{ .policy = SCHED_FIFO, .prio = 15, .flags = SCHED_FLAG_RESET_ON_FORK, .cpu = -1 },
		{ .policy = SCHED_OTHER, .nice = -5, .flags = SCHED_FLAG_RESET_ON_FORK,
		  .cpu = -1 },
		{ .policy = SCHED_BATCH, .nice = 4, .flags = SCHED_FLAG_RESET_ON_FORK, .cpu = -1 },
		{ .policy = SCHED_RR, .prio = 3, .cpu = -1 },
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), reset_extra);
}

/*
 * A custom EEVDF slice (Linux 6.12: sched_setattr(2) of a fair policy
 * with a sched_runtime) must come back, or the checkpoint must say that
 * it is not saved.
 */
TEST(custom_eevdf_slice_is_kept_or_refused)
{
	static const struct tspec s[] = {
		PLAIN,
		{ .policy = SCHED_OTHER, .runtime = 3 * MS, .cpu = -1 },
		{ .policy = SCHED_BATCH, .nice = 1, .runtime = 7 * MS, .cpu = -1 },
	};
	char log[4096];
	pid_t child;
	int err;

	if (!ckpt_preamble(_metadata))
		return;
	memcpy(spec, s, sizeof(s));
	nspec = ARRAY_SIZE(s);
	extra_verify = NULL;
	child = ckpt_spawn_main(spec_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	err = ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log));
	if (err) {
		TH_LOG("refused: %s", log);
		EXPECT_EQ(EOPNOTSUPP, err);
		EXPECT_NE(NULL, strstr(log, "slice"));
		EXPECT_EQ(0, ckpt_sleeper_intact(child));
		return;
	}
	ckpt_kill_reap(child);
	spec_cycle(_metadata, s, ARRAY_SIZE(s), NULL);
}

/* --------------------------------------------------------------------
 * CPU affinity, I/O priority, timer slack
 */

TEST(cpu_affinity_comes_back_per_thread)
{
	static const struct tspec s[] = {
		PLAIN,
		{ .policy = SCHED_OTHER, .cpu = 1 },
		{ .policy = SCHED_OTHER, .cpu = 0 },
		{ .policy = SCHED_FIFO, .prio = 5, .cpu = 1 },
	};

	if (!ckpt_preamble(_metadata))
		return;
	if (online_cpus() < 2)
		SKIP(return, "needs 2 CPUs, there are %ld", online_cpus());
	spec_cycle(_metadata, s, ARRAY_SIZE(s), NULL);
}

TEST(io_priorities_come_back_per_thread)
{
	static const struct tspec s[] = {
		PLAIN,
		{ .policy = SCHED_OTHER, .cpu = -1,
		  .ioprio = IOPRIO(IOPRIO_CLASS_BE, 5) },
		{ .policy = SCHED_OTHER, .cpu = -1,
		  .ioprio = IOPRIO(IOPRIO_CLASS_IDLE, 0) },
		{ .policy = SCHED_OTHER, .cpu = -1,
		  .ioprio = IOPRIO(IOPRIO_CLASS_RT, 2) },
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), NULL);
}

#define MAIN_SLACK	123456UL
#define THREAD_SLACK	777000UL

/*
 * PR_SET_TIMERSLACK 0 gives back the default: a thread's is the main
 * thread's slack when it was created; the main thread's is what it had
 * before it set its own.
 */
static void slack_extra(int i)
{
	unsigned long want = i == 0 ? main_initial_slack : MAIN_SLACK;
	long slack;

	if (i > 1)
		return;
	CHILD_CHECK(50, !prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0), "PR_SET_TIMERSLACK 0: %s",
		    strerror(errno));
	slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHILD_CHECK(51, slack == (long)want, "thread %d: default timer slack %ld ns, expected %lu",
		    i, slack, want);
}

TEST(timer_slack_comes_back_with_its_default)
{
	static const struct tspec s[] = {
		{ .policy = SCHED_OTHER, .cpu = -1, .slack = MAIN_SLACK },
		{ .policy = SCHED_OTHER, .cpu = -1, .slack = THREAD_SLACK },
		PLAIN,
	};

	if (!ckpt_preamble(_metadata))
		return;
	spec_cycle(_metadata, s, ARRAY_SIZE(s), slack_extra);
}

TEST(one_thread_with_every_attribute_comes_back)
{
	struct tspec s[] = {
		{ .policy = SCHED_OTHER, .nice = 3, .cpu = -1, .slack = 60000,
		  .ioprio = IOPRIO(IOPRIO_CLASS_BE, 7) },
		{ .policy = SCHED_BATCH, .nice = 9, .cpu = 1, .slack = 90000,
		  .flags = SCHED_FLAG_RESET_ON_FORK,
		  .ioprio = IOPRIO(IOPRIO_CLASS_BE, 5) },
		{ .policy = SCHED_RR, .prio = 7, .nice = 3, .cpu = 0,
		  .ioprio = IOPRIO(IOPRIO_CLASS_IDLE, 0) },
	};

	if (!ckpt_preamble(_metadata))
		return;
	if (online_cpus() < 2) {
		s[1].cpu = 0;
		TH_LOG("one CPU only: both threads pinned to CPU 0");
	}
	spec_cycle(_metadata, s, ARRAY_SIZE(s), reset_extra);
}

/* --------------------------------------------------------------------
 * The process's OOM score adjustment
 */

static int oom_value;

static int read_oom_adj(void)
{
	char buf[32];

	if (ckpt_read_file("/proc/self/oom_score_adj", buf, sizeof(buf)) <= 0)
		return -10000;
	return atoi(buf);
}

static int oom_setup(void)
{
	char buf[32];
	int fd, len;

	len = snprintf(buf, sizeof(buf), "%d\n", oom_value);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	CHILD_CHECK(90, fd >= 0, "open oom_score_adj: %s", strerror(errno));
	CHILD_CHECK(90, write(fd, buf, len) == len, "write oom_score_adj: %s", strerror(errno));
	close(fd);
	CHILD_CHECK(90, read_oom_adj() == oom_value, "oom_score_adj %d", read_oom_adj());
	return 0;
}

static int oom_verify(void)
{
	int adj = read_oom_adj();

	CHILD_CHECK(1, adj == oom_value, "oom_score_adj %d, expected %d", adj, oom_value);
	return 0;
}

static void oom_test(struct __test_metadata *_metadata, int value)
{
	char path[64], buf[32];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	oom_value = value;
	child = ckpt_spawn(oom_setup, oom_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	/* The test's own is untouched. */
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)getpid());
	ASSERT_LT(0, ckpt_read_file(path, buf, sizeof(buf)));
	EXPECT_NE(value, atoi(buf));
}

TEST(oom_score_adj_500_comes_back)
{
	oom_test(_metadata, 500);
}

TEST(oom_score_adj_minus_100_comes_back)
{
	oom_test(_metadata, -100);
}

/* --------------------------------------------------------------------
 * prctl(2) modes of the address space
 */

static int thp_setup(void)
{
	CHILD_CHECK(90, !prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), "PR_SET_THP_DISABLE: %s",
		    strerror(errno));
	return 0;
}

static int thp_verify(void)
{
	int v = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);

	CHILD_CHECK(1, v == 1, "PR_GET_THP_DISABLE: %d", v);
	return 0;
}

TEST(thp_disable_comes_back)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(thp_setup, thp_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

static unsigned long mdwe_flags;

/* In a throwaway child: 0 if PR_SET_MDWE works here, else its errno (-1: no verdict). */
static int mdwe_probe(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(prctl(PR_SET_MDWE, mdwe_flags, 0, 0, 0) ? errno : 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int mdwe_setup(void)
{
	CHILD_CHECK(90, !prctl(PR_SET_MDWE, mdwe_flags, 0, 0, 0), "PR_SET_MDWE: %s",
		    strerror(errno));
	return 0;
}

/*
 * The flags are back, and act: an anonymous mapping cannot become
 * executable, and a child forked now has them unless NO_INHERIT.
 */
static int mdwe_verify(void)
{
	int v = prctl(PR_GET_MDWE, 0, 0, 0, 0), status;
	unsigned long want_child;
	void *p;
	pid_t pid;

	CHILD_CHECK(1, v == (int)mdwe_flags, "PR_GET_MDWE: %d, expected %lu", v, mdwe_flags);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(2, p != MAP_FAILED, "mmap: %s", strerror(errno));
	errno = 0;
	CHILD_CHECK(3, mprotect(p, 4096, PROT_READ | PROT_EXEC) == -1 && errno == EACCES,
		    "mprotect(PROT_EXEC) of an anonymous mapping: %s", strerror(errno));
	want_child = mdwe_flags & PR_MDWE_NO_INHERIT ? 0 : mdwe_flags;
	pid = fork();
	CHILD_CHECK(4, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(prctl(PR_GET_MDWE, 0, 0, 0, 0) == (int)want_child ? 0 : 1);
	CHILD_CHECK(4, waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHILD_CHECK(5, WIFEXITED(status) && !WEXITSTATUS(status),
		    "a forked child does not have MDWE flags %lu", want_child);
	return 0;
}

static void mdwe_test(struct __test_metadata *_metadata, unsigned long flags)
{
	pid_t child;
	int err;

	if (!ckpt_preamble(_metadata))
		return;
	mdwe_flags = flags;
	err = mdwe_probe();
	if (err == EINVAL)
		SKIP(return, "PR_SET_MDWE(%lu): %s", flags, strerror(err));
	ASSERT_EQ(0, err) TH_LOG("PR_SET_MDWE: %s", err < 0 ? "no verdict" : strerror(err));
	child = ckpt_spawn(mdwe_setup, mdwe_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

TEST(mdwe_refuse_exec_gain_comes_back)
{
	mdwe_test(_metadata, PR_MDWE_REFUSE_EXEC_GAIN);
}

TEST(mdwe_no_inherit_comes_back)
{
	mdwe_test(_metadata, PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT);
}

/* --------------------------------------------------------------------
 * A restored thread's own permission to take its policy back
 */

#define CAPBIT(cap)	(1ULL << (cap))

static int set_caps(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i;

	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].effective = (uint32_t)(caps >> (32 * i));
		data[i].permitted = (uint32_t)(caps >> (32 * i));
		data[i].inheritable = 0;
	}
	return syscall(SYS_capset, &hdr, data);
}

/*
 * As root, in every thread: become nobody, keeping exactly @caps.  The
 * parent-death signal, which the change clears, is SIGKILL again.
 */
static int become_nobody(uint64_t caps)
{
	if (caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	if (caps && (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) || set_caps(caps)))
		return -1;
	return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

#define RT_PRIO		10

/* RLIMIT_RTPRIO of the process that is checkpointed. */
static rlim_t rt_limit;
static int rt_ready;

static void *rt_nobody_thread(void *arg)
{
	struct ckpt_sched_attr a = {
		.size = sizeof(a), .sched_policy = SCHED_FIFO, .sched_priority = RT_PRIO,
	};

	(void)arg;
	/* As root: allowed whatever the limit. */
	CHILD_CHECK(90, !ckpt_sched_setattr_self(&a), "SCHED_FIFO: %s", strerror(errno));
	__atomic_add_fetch(&rt_ready, 1, __ATOMIC_SEQ_CST);
	while (!CKPT_LOAD(go))
		ckpt_futex_wait(&go, 0, NULL);
	CHILD_CHECK(1, !ckpt_sched_getattr_self(&a), "sched_getattr: %s", strerror(errno));
	CHILD_CHECK(2, a.sched_policy == SCHED_FIFO && a.sched_priority == RT_PRIO,
		    "policy %s priority %u", policy_name(a.sched_policy), a.sched_priority);
	CHILD_CHECK(3, geteuid() == NOBODY, "euid %d", (int)geteuid());
	return NULL;
}

/* Root makes its second thread SCHED_FIFO, then every thread nobody. */
static int rt_nobody_main(void)
{
	struct rlimit rl = { rt_limit, rt_limit };
	pthread_t t;
	int err;

	CHILD_CHECK(90, !setrlimit(RLIMIT_RTPRIO, &rl), "RLIMIT_RTPRIO: %s", strerror(errno));
	CHILD_CHECK(90, !pthread_create(&t, NULL, rt_nobody_thread, NULL), "pthread_create");
	ckpt_wait_count(&rt_ready, 1);
	CHILD_CHECK(90, !become_nobody(0), "become nobody: %s", strerror(errno));
	ckpt_child_wait();
	CKPT_STORE(go, 1);
	ckpt_futex_wake_all(&go);
	err = ckpt_join_timed(t, NULL, 30000);
	CHILD_CHECK(20, !err, "join: %s", strerror(err));
	return 0;
}

/* The image of a nobody process as rt_nobody_main() sets it up. */
static int rt_nobody_image(pid_t *pidp)
{
	pid_t child;
	int fd;

	child = ckpt_spawn_main(rt_nobody_main);
	if (child < 0)
		return -1;
	if (ckpt_wait_threads_state(child, "S", 10000)) {
		ckpt_kill_reap(child);
		return -1;
	}
	fd = ckpt_image_open();
	if (fd < 0 || ckpt_checkpoint(child, fd, CKPT_KILL) ||
	    ckpt_reap(child) != 128 + SIGKILL) {
		ckpt_kill_reap(child);
		return -1;
	}
	*pidp = child;
	return fd;
}

/*
 * In a child: restart the image in @fd as nobody with only
 * CAP_CHECKPOINT_RESTORE (and an RLIMIT_RTPRIO of RT_PRIO), or as root
 * if @root, the log going to @logfd.  Exits 0 if restart() failed with
 * @want_err and left no child; else, with @want_err 0, with the
 * verdict of the restored process.
 */
static void restarter(int fd, int logfd, int want_err, bool root)
{
	struct rlimit rl = { RT_PRIO, RT_PRIO };
	pid_t r;

	if (!root && (setrlimit(RLIMIT_RTPRIO, &rl) ||
		      become_nobody(CAPBIT(CAP_CHECKPOINT_RESTORE))))
		_exit(90);
	lseek(fd, 0, SEEK_SET);
	errno = 0;
	r = restart(fd, 0, logfd);
	if (want_err) {
		if (r >= 0) {
			ckpt_msg("restart() gave %d instead of failing", (int)r);
			ckpt_kill_reap(r);
			_exit(91);
		}
		if (errno != want_err) {
			ckpt_msg("restart(): %s instead of %s", strerror(errno),
				 strerror(want_err));
			_exit(92);
		}
		_exit(ckpt_have_children() ? 93 : 0);
	}
	if (r < 0) {
		ckpt_msg("restart(): %s", strerror(errno));
		_exit(94);
	}
	if (ckpt_wait_threads_state(r, "S", 10000)) {
		ckpt_kill_reap(r);
		_exit(95);
	}
	r = ckpt_wake_reap(r);
	_exit(r < 0 ? 96 : r);
}

static int run_restarter(int fd, int logfd, int want_err, bool root)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		restarter(fd, logfd, want_err, root);
	return ckpt_reap(pid);
}

TEST(real_time_thread_of_a_process_not_allowed_it_fails_restart_with_eperm)
{
	char log[4096];
	int fd, logfd;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	rt_limit = 0;
	fd = rt_nobody_image(&child);
	ASSERT_GE(fd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);

	/* An unprivileged restarter (which may itself use RT_PRIO). */
	EXPECT_EQ(0, run_restarter(fd, logfd, EPERM, false));
	ckpt_log_read(logfd, log, sizeof(log));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "scheduling policy"));
	EXPECT_NE(NULL, strstr(log, "SCHED_FIFO"));
	EXPECT_FALSE(ckpt_pid_exists(child)) TH_LOG("pid %d is in use", child);
	EXPECT_FALSE(ckpt_have_children());

	/* Root neither: the thread takes its policy back itself. */
	ASSERT_EQ(0, ftruncate(logfd, 0));
	ASSERT_EQ(0, lseek(logfd, 0, SEEK_SET));
	EXPECT_EQ(0, run_restarter(fd, logfd, EPERM, true));
	ckpt_log_read(logfd, log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "scheduling policy")) TH_LOG("log: %s", log);
	EXPECT_FALSE(ckpt_pid_exists(child));
	close(logfd);
	close(fd);
}

TEST(real_time_thread_allowed_by_rlimit_rtprio_restarts_unprivileged)
{
	int fd, logfd;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	rt_limit = RT_PRIO;
	fd = rt_nobody_image(&child);
	ASSERT_GE(fd, 0);
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	EXPECT_EQ(0, run_restarter(fd, logfd, 0, false));
	EXPECT_FALSE(ckpt_have_children());
	close(logfd);
	close(fd);
}

TEST_HARNESS_MAIN
