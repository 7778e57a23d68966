// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of a job's accounting (CKPT_REC_ACCT): its counters
 * carry over from one run to the next.
 *
 * A restored thread is a new task, but what it reports of itself counts
 * every earlier run of the job.  After a checkpoint, kill and restart no
 * counter is below what it was before the checkpoint, and after two
 * restarts the CPU clocks hold at least the CPU time burnt in both runs.
 * A test child burns CPU time (measured with its own CPU clock, never
 * with wall time) and checks from inside:
 *  - times(2): tms_utime + tms_stime, and the tms_cutime and tms_cstime
 *    of a child it forked, which burnt CPU time, and waited for before
 *    the first checkpoint;
 *  - getrusage(2) RUSAGE_SELF, RUSAGE_THREAD and RUSAGE_CHILDREN: user
 *    plus system time, minor and major faults, voluntary and involuntary
 *    context switches, and the peak resident set (of memory touched,
 *    then unmapped, before the checkpoint);
 *  - CLOCK_PROCESS_CPUTIME_ID, and the CLOCK_THREAD_CPUTIME_ID of each
 *    of three threads that each burn CPU time in each run;
 *  - /proc/self/stat utime, stime, cutime and cstime, and each thread's
 *    /proc/self/task/TID/stat utime and stime; the test also reads them
 *    from outside before the checkpoint and after the restart, and finds
 *    in the image a CKPT_REC_ACCT record per thread;
 *  - the CPU time of a thread that exited before the checkpoint, in
 *    RUSAGE_SELF and in the process's CPU clock;
 *  - the CPU time of a zombie child (checkpointed with CKPT_TREE) that
 *    its parent reaps after the restart: wait4(2)'s rusage, and
 *    RUSAGE_CHILDREN.
 * The start time (/proc/self/stat field 22) is by design the new run's:
 * later than before the checkpoint.
 *
 * What is measured against the CPU clocks counts every run too:
 *  - RLIMIT_CPU: a process with a soft limit of 3 s that burnt 2 s
 *    before the checkpoint gets its SIGXCPU at 3 s of CPU time in all,
 *    after about 1 s of the restored run;
 *  - ITIMER_PROF fires once the process has used the CPU time the timer
 *    had left, at the time it was set for on the cumulative clock;
 *  - an absolute (TIMER_ABSTIME) POSIX timer on CLOCK_PROCESS_CPUTIME_ID
 *    fires when the cumulative clock reaches its date.
 *
 * BSD process accounting (acct(2)) and taskstats are the exception, by
 * design: the record written at the end of each run covers that run
 * only, so that the records of a job's runs add up to its CPU time once,
 * not nearly twice; and so does what a taskstats query reports of a
 * restored process, by its PID or its TGID.
 *
 * Before CKPT_REC_ACCT every counter started again from zero at each
 * restart, and a zombie's were lost: every test here failed then.  The
 * guest may be slow (QEMU TCG): no test decides anything on wall time,
 * only on CPU clocks and counters, with the slack that tick-sampled
 * counters need, and each burns at most a few seconds of CPU time.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <linux/acct.h>
#include <linux/futex.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define MS_NS		1000000LL
#define SEC_NS		1000000000LL

/* How long the test waits for a child to get ready (it burns CPU first). */
#define PHASE_WAIT_MS	60000

/*
 * Slack of the counters against the CPU clocks.  times(2) and /proc give
 * user and system time in clock ticks (10 ms), getrusage(2) in
 * microseconds, each rounded down; the kernel splits a process's run
 * time between the two again after a restart, so the sum of the rounded
 * parts may be one unit less than before although the time is not.  A
 * running thread's own time may also lack what it ran since the
 * scheduler last updated it (at most a scheduler tick, 4 ms).
 */
#define TICKS_ROUND	1		/* "not below": ticks */
#define RU_ROUND_NS	2000LL		/* "not below": getrusage() */
#define TICKS_SLACK	3		/* "at least what was burnt": ticks */
#define RU_SLACK_NS	(10 * MS_NS)	/* "at least what was burnt": getrusage() */

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return -1;
	return (long long)ts.tv_sec * SEC_NS + ts.tv_nsec;
}

static long long tv_ns(const struct timeval *tv)
{
	return (long long)tv->tv_sec * SEC_NS + (long long)tv->tv_usec * 1000;
}

/* User plus system time of a struct rusage, in ns. */
static long long ru_ns(const struct rusage *ru)
{
	return tv_ns(&ru->ru_utime) + tv_ns(&ru->ru_stime);
}

/* A clock tick of times(2) and /proc/PID/stat, in ns. */
static long long tick_ns(void)
{
	return SEC_NS / sysconf(_SC_CLK_TCK);
}

/* --------------------------------------------------------------------
 * Burning CPU time
 */

/* Steps between two looks at the clock: a few ms under TCG. */
#define BURN_CHUNK	20000

/* Where the burnt results go, so that the work is not optimized away. */
static uint64_t burn_sink;

/*
 * Burn CPU time in user mode until this thread's CPU clock has advanced
 * by @ns, or *@stop (if not NULL) is set.  Returns how far it advanced.
 */
static long long burn(long long ns, const sig_atomic_t *stop)
{
	long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID), now = start;
	uint64_t acc = (uint64_t)start, i = 0, j;

	while (now - start < ns && !(stop && CKPT_LOAD(*stop))) {
		for (j = 0; j < BURN_CHUNK; j++)
			acc = ckpt_compute_step(acc, i++);
		now = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	}
	__atomic_store_n(&burn_sink, acc, __ATOMIC_RELAXED);
	return now - start;
}

/* In the child: touch @bytes of fresh memory, a page at a time, and unmap it. */
static void touch_and_unmap(int code, size_t bytes)
{
	size_t page = sysconf(_SC_PAGESIZE), off;
	char *p;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(code, p != MAP_FAILED, "mmap(%zu): %s", bytes, strerror(errno));
	for (off = 0; off < bytes; off += page)
		p[off] = 1;
	CHILD_CHECK(code, !munmap(p, bytes), "munmap: %s", strerror(errno));
}

/* In the child: @n short sleeps, each a voluntary context switch. */
/*
 * Sleep until the thread has switched out voluntarily @n more times: a
 * short nanosleep() whose timer fired before the thread got to schedule
 * (a busy host, TCG) switches nothing, so count the switches themselves.
 */
static void sleep_many(int n)
{
	struct timespec ts = { 0, 50000 };
	struct rusage ru;
	long target;
	int i;

	getrusage(RUSAGE_THREAD, &ru);
	target = ru.ru_nvcsw + n;
	for (i = 0; i < 100 * n; i++) {
		nanosleep(&ts, NULL);
		getrusage(RUSAGE_THREAD, &ru);
		if (ru.ru_nvcsw >= target)
			break;
	}
}

/* --------------------------------------------------------------------
 * What a process and a thread report of themselves
 */

#define STAT_UTIME	14
#define STAT_STIME	15
#define STAT_CUTIME	16
#define STAT_CSTIME	17
#define STAT_START	22
#define STAT_FIELDS	STAT_START

/*
 * Fields 3 to STAT_FIELDS (as numbered in proc(5)) of the stat file
 * @path (/proc/PID/stat or /proc/PID/task/TID/stat), read at once, into
 * f[3..STAT_FIELDS].  0 or -1.
 */
static int read_stat(const char *path, long long f[STAT_FIELDS + 1])
{
	char buf[2048], *p, *tok, *save;
	int i;

	if (ckpt_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (i = 3, tok = strtok_r(p + 1, "\n ", &save); tok && i <= STAT_FIELDS;
	     i++, tok = strtok_r(NULL, "\n ", &save))
		f[i] = strtoll(tok, NULL, 10);
	return i > STAT_FIELDS ? 0 : -1;
}

/* A process's counters, as it sees them. */
struct pcount {
	long long cpu;			/* CLOCK_PROCESS_CPUTIME_ID, ns */
	long long tms;			/* times(): tms_utime + tms_stime, ticks */
	long long tms_cutime, tms_cstime;
	struct rusage self, children;	/* RUSAGE_SELF, RUSAGE_CHILDREN */
	long long stat_time;		/* /proc/self/stat utime + stime, ticks */
	long long stat_cutime, stat_cstime;
	long long start;		/* /proc/self/stat starttime, ticks */
	long long boottime;		/* CLOCK_BOOTTIME when they were read, ns */
};

/* A thread's counters, as it sees them. */
struct tcount {
	pid_t tid;
	long long cpu;			/* CLOCK_THREAD_CPUTIME_ID, ns */
	struct rusage ru;		/* RUSAGE_THREAD */
	long long stat_time;		/* /proc/self/task/TID/stat utime + stime */
};

static void read_pcount(int code, struct pcount *c)
{
	long long f[STAT_FIELDS + 1];
	struct tms t;

	c->cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHILD_CHECK(code, c->cpu >= 0, "CLOCK_PROCESS_CPUTIME_ID: %s", strerror(errno));
	CHILD_CHECK(code, times(&t) != (clock_t)-1, "times: %s", strerror(errno));
	c->tms = (long long)t.tms_utime + t.tms_stime;
	c->tms_cutime = t.tms_cutime;
	c->tms_cstime = t.tms_cstime;
	CHILD_CHECK(code, !getrusage(RUSAGE_SELF, &c->self) &&
		    !getrusage(RUSAGE_CHILDREN, &c->children), "getrusage: %s", strerror(errno));
	CHILD_CHECK(code, !read_stat("/proc/self/stat", f), "/proc/self/stat unreadable");
	c->stat_time = f[STAT_UTIME] + f[STAT_STIME];
	c->stat_cutime = f[STAT_CUTIME];
	c->stat_cstime = f[STAT_CSTIME];
	c->start = f[STAT_START];
	c->boottime = clock_ns(CLOCK_BOOTTIME);
}

static void read_tcount(int code, struct tcount *c)
{
	long long f[STAT_FIELDS + 1];
	char path[64];

	c->tid = gettid();
	c->cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	CHILD_CHECK(code, c->cpu >= 0, "CLOCK_THREAD_CPUTIME_ID: %s", strerror(errno));
	CHILD_CHECK(code, !getrusage(RUSAGE_THREAD, &c->ru), "getrusage(RUSAGE_THREAD): %s",
		    strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)c->tid);
	CHILD_CHECK(code, !read_stat(path, f), "%s unreadable", path);
	c->stat_time = f[STAT_UTIME] + f[STAT_STIME];
}

/* In the child, after a restart: @now is not below @was (less @slack). */
static void check_ge(int code, const char *who, const char *what, long long now, long long was,
		     long long slack)
{
	CHILD_CHECK(code, now + slack >= was,
		    "%s: %s went back: %lld, was %lld before the checkpoint",
		    who, what, now, was);
}

/*
 * In the child: @now, a CPU time after the restarts, holds at least the
 * @burnt ns that were burnt in the runs (less @slack).
 */
static void check_burnt(int code, const char *who, const char *what, long long now,
			long long burnt, long long slack)
{
	CHILD_CHECK(code, now + slack >= burnt,
		    "%s: %s is %lld ms, less than the %lld ms of CPU time burnt in its runs",
		    who, what, now / MS_NS, burnt / MS_NS);
}

/*
 * @who's rusage after a restart, against before it.  A process's or a
 * thread's own user and system time are split anew after a restart (see
 * RU_ROUND_NS): only their sum is compared.  Its children's are sums kept
 * as they are: each is compared (@split).
 */
static void check_rusage(int code, const char *who, const struct rusage *now,
			 const struct rusage *was, bool split)
{
	check_ge(code, who, "user + system time (ns)", ru_ns(now), ru_ns(was), RU_ROUND_NS);
	if (split) {
		check_ge(code, who, "user time (ns)", tv_ns(&now->ru_utime),
			 tv_ns(&was->ru_utime), 0);
		check_ge(code, who, "system time (ns)", tv_ns(&now->ru_stime),
			 tv_ns(&was->ru_stime), 0);
	}
	check_ge(code, who, "ru_minflt", now->ru_minflt, was->ru_minflt, 0);
	check_ge(code, who, "ru_majflt", now->ru_majflt, was->ru_majflt, 0);
	check_ge(code, who, "ru_nvcsw", now->ru_nvcsw, was->ru_nvcsw, 0);
	check_ge(code, who, "ru_nivcsw", now->ru_nivcsw, was->ru_nivcsw, 0);
	check_ge(code, who, "ru_maxrss (KiB)", now->ru_maxrss, was->ru_maxrss, 0);
}

/* A process's counters after a restart, against before it. */
static void check_pcount(int code, const struct pcount *now, const struct pcount *was)
{
	long long tick = tick_ns();

	check_ge(code, "process", "CLOCK_PROCESS_CPUTIME_ID (ns)", now->cpu, was->cpu, 0);
	check_ge(code, "times()", "tms_utime + tms_stime", now->tms, was->tms, TICKS_ROUND);
	check_ge(code, "times()", "tms_cutime", now->tms_cutime, was->tms_cutime, 0);
	check_ge(code, "times()", "tms_cstime", now->tms_cstime, was->tms_cstime, 0);
	check_rusage(code, "RUSAGE_SELF", &now->self, &was->self, false);
	check_rusage(code, "RUSAGE_CHILDREN", &now->children, &was->children, true);
	check_ge(code, "/proc/self/stat", "utime + stime", now->stat_time, was->stat_time,
		 TICKS_ROUND);
	check_ge(code, "/proc/self/stat", "cutime", now->stat_cutime, was->stat_cutime, 0);
	check_ge(code, "/proc/self/stat", "cstime", now->stat_cstime, was->stat_cstime, 0);
	/* The start time is this run's: after the checkpoint. */
	CHILD_CHECK(code, now->start > was->start && now->start >= was->boottime / tick,
		    "start time %lld ticks after boot; before the checkpoint it was %lld, and the time %lld",
		    now->start, was->start, was->boottime / tick);
}

/* A thread's counters after a restart, against before it. */
static void check_tcount(int code, const char *who, const struct tcount *now,
			 const struct tcount *was)
{
	CHILD_CHECK(code, now->tid == was->tid, "%s: tid %d, was %d", who, (int)now->tid,
		    (int)was->tid);
	check_ge(code, who, "CLOCK_THREAD_CPUTIME_ID (ns)", now->cpu, was->cpu, 0);
	check_rusage(code, who, &now->ru, &was->ru, false);
	check_ge(code, who, "/proc/self/task/TID/stat utime + stime", now->stat_time,
		 was->stat_time, TICKS_ROUND);
}

/* A process's CPU times after the restarts hold the @burnt ns burnt in its runs. */
static void check_process_burnt(int code, const struct pcount *c, long long burnt)
{
	long long tick = tick_ns();

	check_burnt(code, "process", "CLOCK_PROCESS_CPUTIME_ID", c->cpu, burnt, 0);
	check_burnt(code, "process", "times() tms_utime + tms_stime", c->tms * tick, burnt,
		    TICKS_SLACK * tick);
	check_burnt(code, "process", "RUSAGE_SELF user + system time", ru_ns(&c->self), burnt,
		    RU_SLACK_NS);
	check_burnt(code, "process", "/proc/self/stat utime + stime", c->stat_time * tick, burnt,
		    TICKS_SLACK * tick);
}

/* A thread's CPU times after the restarts hold the @burnt ns it burnt in its runs. */
static void check_thread_burnt(int code, const char *who, const struct tcount *c,
			       long long burnt)
{
	long long tick = tick_ns();

	check_burnt(code, who, "CLOCK_THREAD_CPUTIME_ID", c->cpu, burnt, 0);
	check_burnt(code, who, "RUSAGE_THREAD user + system time", ru_ns(&c->ru), burnt,
		    RU_SLACK_NS);
	check_burnt(code, who, "/proc/self/task/TID/stat utime + stime", c->stat_time * tick,
		    burnt, TICKS_SLACK * tick);
}

/* --------------------------------------------------------------------
 * Children checkpointed more than once
 *
 * Such a child says it is ready for its n-th checkpoint with
 * wait_phase(n), which the test reads in its memory, and sleeps as
 * ckpt_child_wait() does until SIGUSR2 wakes it after the restart.
 */

/* The phase the child announced last; the test reads it with ckpt_peek_u64(). */
static uint64_t phase;

static void wait_phase(uint64_t n)
{
	CKPT_STORE(ckpt_woken, 0);
	CKPT_STORE(phase, n);
	ckpt_child_wait();
}

/*
 * Wait up to PHASE_WAIT_MS for @child to announce phase @n, then for all
 * its threads to sleep.  0, or -1 if it did not (it is reaped then).
 */
static int await_phase(pid_t child, uint64_t n)
{
	uint64_t end = ckpt_now_ms() + PHASE_WAIT_MS, p;
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (!waitid(P_PID, child, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) &&
		    si.si_pid == child) {
			ckpt_msg("child %d ended before phase %llu: status %d", (int)child,
				 (unsigned long long)n, ckpt_reap(child));
			return -1;
		}
		p = ckpt_peek_u64(child, &phase);
		if (p != (uint64_t)-1 && p >= n)
			break;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("child %d: phase %lld after %d ms, expected %llu", (int)child,
				 (long long)p, PHASE_WAIT_MS, (unsigned long long)n);
			ckpt_kill_reap(child);
			return -1;
		}
		ckpt_sleep_ms(20);
	}
	if (ckpt_wait_threads_state(child, "S", 10000)) {
		ckpt_kill_reap(child);
		return -1;
	}
	return 0;
}

/*
 * Checkpoint @child with CKPT_KILL, reap it, and restart it (asleep, as
 * it was).  0, or a CKPT_CYCLE_* error (@child is gone then).
 */
static int kill_restart(pid_t child)
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
	ret = ckpt_reap(child);
	if (ret != 128 + SIGKILL) {
		ckpt_msg("original %d: status %d instead of SIGKILL", (int)child, ret);
		close(fd);
		return CKPT_CYCLE_EKILL;
	}
	ret = ckpt_restart_as(fd, child, 0);
	close(fd);
	return ret < 0 ? ret : 0;
}

/*
 * Run @child_main in a test child that announces phases 1 to @cycles:
 * at each it is checkpointed with CKPT_KILL, restarted and woken; after
 * the last it checks itself and exits.  Returns its verdict, or a
 * CKPT_CYCLE_* error.
 */
static int run_cycles(int (*child_main)(void), int cycles)
{
	pid_t child = ckpt_spawn_main(child_main);
	int c, ret;

	if (child < 0)
		return CKPT_CYCLE_EWAIT;
	for (c = 1; c <= cycles; c++) {
		if (await_phase(child, c))
			return CKPT_CYCLE_EWAIT;
		ret = kill_restart(child);
		if (ret) {
			ckpt_msg("cycle %d: %d", c, ret);
			return ret;
		}
		if (c < cycles && kill(child, CKPT_WAKE_SIG)) {
			ckpt_msg("kill(%d, SIGUSR2): %s", (int)child, strerror(errno));
			ckpt_kill_reap(child);
			return CKPT_CYCLE_EWAIT;
		}
	}
	ret = ckpt_wake_reap(child);
	if (ret < 0)
		return CKPT_CYCLE_EWAIT;
	if (ret)
		ckpt_msg("restored %d: exit status %d", (int)child, ret);
	return ret;
}

/* --------------------------------------------------------------------
 * Every counter, over two restarts
 */

#define CUMUL_BURN_NS	(400 * MS_NS)	/* by the process, in each of its first two runs */
#define CHILD_BURN_NS	(300 * MS_NS)	/* by its child, before the first checkpoint */
#define CUMUL_TOUCH	(16UL << 20)	/* touched, then unmapped, before it */
#define CHILD_TOUCH	(8UL << 20)	/* by the child */
#define CUMUL_SLEEPS	100		/* voluntary context switches, at least */

/*
 * In the child: fork a child that burns @ns of CPU time, touches @touch
 * bytes and sleeps, and wait for it; it must exit 0.
 */
static void fork_burner(int code, long long ns, size_t touch)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CHILD_CHECK(code, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		touch_and_unmap(code, touch);
		sleep_many(10);
		burn(ns, NULL);
		_exit(0);
	}
	CHILD_CHECK(code, waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHILD_CHECK(code, WIFEXITED(status) && !WEXITSTATUS(status), "child: status %#x", status);
}

/* The process, and its main (only) thread, before each checkpoint. */
static struct pcount cumul_p[2];
static struct tcount cumul_t[2];
static long long cumul_burnt[2];

static int cumul_main(void)
{
	long long tick = tick_ns();
	struct pcount p;
	struct tcount t;

	/* First run: a child, memory touched and given back, sleeps, CPU time. */
	fork_burner(90, CHILD_BURN_NS, CHILD_TOUCH);
	touch_and_unmap(90, CUMUL_TOUCH);
	sleep_many(CUMUL_SLEEPS);
	cumul_burnt[0] = burn(CUMUL_BURN_NS, NULL);
	read_pcount(90, &cumul_p[0]);
	read_tcount(90, &cumul_t[0]);
	/* The first run did what the checks after the restarts rely on. */
	CHILD_CHECK(91, ru_ns(&cumul_p[0].children) >= CHILD_BURN_NS &&
		    cumul_p[0].self.ru_maxrss >= (long)(CUMUL_TOUCH >> 10) &&
		    cumul_p[0].children.ru_maxrss >= (long)(CHILD_TOUCH >> 10) &&
		    cumul_p[0].self.ru_nvcsw >= CUMUL_SLEEPS,
		    "before the checkpoint: children %lld ms, maxrss %ld KiB, children's %ld KiB, %ld voluntary switches",
		    ru_ns(&cumul_p[0].children) / MS_NS, cumul_p[0].self.ru_maxrss,
		    cumul_p[0].children.ru_maxrss, cumul_p[0].self.ru_nvcsw);
	wait_phase(1);

	/* Second run: nothing went back; burn some more. */
	read_pcount(1, &p);
	read_tcount(1, &t);
	check_pcount(2, &p, &cumul_p[0]);
	check_tcount(3, "main thread", &t, &cumul_t[0]);
	cumul_burnt[1] = burn(CUMUL_BURN_NS, NULL);
	read_pcount(92, &cumul_p[1]);
	read_tcount(92, &cumul_t[1]);
	wait_phase(2);

	/* Third run: nothing went back, and both runs' CPU time is there. */
	read_pcount(4, &p);
	read_tcount(4, &t);
	check_pcount(5, &p, &cumul_p[1]);
	check_tcount(6, "main thread", &t, &cumul_t[1]);
	check_thread_burnt(7, "main thread", &t, cumul_burnt[0] + cumul_burnt[1]);
	check_process_burnt(8, &p, cumul_burnt[0] + cumul_burnt[1]);
	/* The child waited for in the first run still counts. */
	check_burnt(9, "RUSAGE_CHILDREN", "user + system time", ru_ns(&p.children), CHILD_BURN_NS,
		    RU_ROUND_NS);
	check_burnt(9, "times()", "tms_cutime + tms_cstime", (p.tms_cutime + p.tms_cstime) * tick,
		    CHILD_BURN_NS, 2 * tick);
	check_burnt(9, "/proc/self/stat", "cutime + cstime", (p.stat_cutime + p.stat_cstime) * tick,
		    CHILD_BURN_NS, 2 * tick);
	return 0;
}

TEST(cpu_time_and_resource_usage_add_up_over_two_restarts)
{
	if (!ckpt_preamble(_metadata))
		return;
	EXPECT_EQ(0, run_cycles(cumul_main, 2));
}

/* --------------------------------------------------------------------
 * Each thread's own CPU clock, over two restarts
 */

#define NTHREADS	3		/* the main thread and two others */
#define THREAD_BURN_NS	(250 * MS_NS)	/* by each, in each of its first two runs */

static struct tcount th_before[2][NTHREADS];
static long long th_burnt[2][NTHREADS];
static uint32_t th_run;		/* the run the threads may go on with */
static int th_parked;		/* how many times a thread waited for it */

/* Thread @i in run @r (0, 1, 2): check what it had, then burn CPU time. */
static void thread_run(int i, int r)
{
	struct tcount now;
	char who[32];

	snprintf(who, sizeof(who), "thread %d", i);
	if (r > 0) {
		read_tcount(10 + r, &now);
		check_tcount(10 + r, who, &now, &th_before[r - 1][i]);
	}
	if (r == 2) {
		check_thread_burnt(13, who, &now, th_burnt[0][i] + th_burnt[1][i]);
		return;
	}
	th_burnt[r][i] = burn(THREAD_BURN_NS, NULL);
	read_tcount(93, &th_before[r][i]);
}

static void *thread_main(void *arg)
{
	int i = (int)(intptr_t)arg, r;
	uint32_t v;

	for (r = 0; r <= 2; r++) {
		while ((v = CKPT_LOAD(th_run)) < (uint32_t)r)
			ckpt_futex_wait(&th_run, v, NULL);
		thread_run(i, r);
		if (r < 2)
			__atomic_add_fetch(&th_parked, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void threads_go(uint32_t r)
{
	CKPT_STORE(th_run, r);
	ckpt_futex_wake_all(&th_run);
}

static int threads_main(void)
{
	struct pcount p, before[2];
	pthread_t t[NTHREADS];
	long long sum = 0;
	int i, r;

	for (i = 1; i < NTHREADS; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i),
			    "pthread_create");
	for (r = 0; r < 2; r++) {
		if (r) {
			read_pcount(20 + r, &p);
			check_pcount(20 + r, &p, &before[r - 1]);
			threads_go(r);
		}
		thread_run(0, r);
		ckpt_wait_count(&th_parked, (r + 1) * (NTHREADS - 1));
		read_pcount(94, &before[r]);
		wait_phase(r + 1);
	}
	read_pcount(23, &p);
	check_pcount(23, &p, &before[1]);
	threads_go(2);
	thread_run(0, 2);
	for (i = 1; i < NTHREADS; i++)
		CHILD_CHECK(24, !pthread_join(t[i], NULL), "pthread_join");
	for (r = 0; r < 2; r++)
		for (i = 0; i < NTHREADS; i++)
			sum += th_burnt[r][i];
	read_pcount(25, &p);
	check_process_burnt(25, &p, sum);
	return 0;
}

TEST(each_thread_cpu_clock_adds_up_over_two_restarts)
{
	if (!ckpt_preamble(_metadata))
		return;
	EXPECT_EQ(0, run_cycles(threads_main, 2));
}

/* --------------------------------------------------------------------
 * A thread that exited before the checkpoint
 */

#define EXITED_BURN_NS	(400 * MS_NS)
#define EXITED_TOUCH	(4UL << 20)

static long long exited_burnt;
static struct pcount exited_before;

static void *exiting_thread(void *arg)
{
	(void)arg;
	touch_and_unmap(90, EXITED_TOUCH);
	exited_burnt = burn(EXITED_BURN_NS, NULL);
	return NULL;
}

static int exited_setup(void)
{
	uint64_t end = ckpt_now_ms() + PHASE_WAIT_MS;
	pthread_t t;
	pid_t tids[4];

	CHILD_CHECK(90, !pthread_create(&t, NULL, exiting_thread, NULL), "pthread_create");
	CHILD_CHECK(90, !pthread_join(t, NULL), "pthread_join");
	/* Gone, not just joined: its time is the process's now. */
	while (ckpt_tids(getpid(), tids, 4) != 1 && ckpt_now_ms() < end)
		ckpt_sleep_ms(2);
	CHILD_CHECK(90, ckpt_tids(getpid(), tids, 4) == 1, "the thread is still there");
	read_pcount(91, &exited_before);
	CHILD_CHECK(91, exited_before.cpu >= exited_burnt &&
		    ru_ns(&exited_before.self) + RU_SLACK_NS >= exited_burnt,
		    "before the checkpoint: process CPU time %lld ms, RUSAGE_SELF %lld ms, the thread burnt %lld ms",
		    exited_before.cpu / MS_NS, ru_ns(&exited_before.self) / MS_NS,
		    exited_burnt / MS_NS);
	return 0;
}

static int exited_verify(void)
{
	struct pcount p;

	read_pcount(1, &p);
	check_pcount(2, &p, &exited_before);
	check_process_burnt(3, &p, exited_burnt);
	return 0;
}

TEST(cpu_time_of_a_thread_that_exited_before_the_checkpoint_still_counts)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(exited_setup, exited_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * A zombie child, reaped after the restart
 */

#define ZOMBIE_BURN_NS	(300 * MS_NS)
#define ZOMBIE_EXIT	7

enum { Z_ROOT = 1, Z_ZOMBIE, Z_COUNT = Z_ZOMBIE };

static int zombie_child(void)
{
	burn(ZOMBIE_BURN_NS, NULL);
	ckpt_member_report(Z_ZOMBIE, 'Z');
	return ZOMBIE_EXIT;
}

static int zombie_root(void *arg)
{
	long long tick = tick_ns();
	struct rusage ru, children;
	struct tms t;
	int status = -1;
	pid_t z, r;

	(void)arg;
	z = ckpt_member_fork();
	CHILD_CHECK(90, z >= 0, "fork: %s", strerror(errno));
	if (z == 0)
		_exit(zombie_child());
	ckpt_member_wait(Z_ROOT);

	do {
		r = wait4(z, &status, 0, &ru);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(1, r == z && WIFEXITED(status) && WEXITSTATUS(status) == ZOMBIE_EXIT,
		    "wait4(%d): %d, status %#x (%s)", (int)z, (int)r, status, strerror(errno));
	check_burnt(2, "the zombie", "wait4()'s user + system time", ru_ns(&ru), ZOMBIE_BURN_NS,
		    RU_ROUND_NS);
	CHILD_CHECK(3, !getrusage(RUSAGE_CHILDREN, &children), "getrusage: %s", strerror(errno));
	check_burnt(3, "RUSAGE_CHILDREN", "user + system time", ru_ns(&children), ZOMBIE_BURN_NS,
		    RU_ROUND_NS);
	CHILD_CHECK(4, times(&t) != (clock_t)-1, "times: %s", strerror(errno));
	check_burnt(4, "times()", "tms_cutime + tms_cstime",
		    ((long long)t.tms_cutime + t.tms_cstime) * tick, ZOMBIE_BURN_NS, 2 * tick);
	return 0;
}

TEST(cpu_time_of_a_zombie_counts_when_it_is_reaped_after_restart)
{
	struct ckpt_member m[Z_COUNT];
	int n = 0, fd;
	pid_t root;

	if (!ckpt_preamble(_metadata))
		return;
	/* The originals' zombie comes to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(zombie_root, NULL, 0, NULL, 0, m, &n, Z_COUNT);
	ASSERT_GT(root, 0);
	ASSERT_EQ(Z_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(root, fd, CKPT_TREE | CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	ASSERT_EQ(root, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_wake_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * /proc/PID/stat seen from outside, and the image's records
 */

#define OUT_THREADS	2
#define OUT_BURN_NS	(300 * MS_NS)	/* by each thread */

static uint32_t out_go;
static int out_parked;

static void out_check_own(int code)
{
	long long cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);

	check_burnt(code, "a thread", "CLOCK_THREAD_CPUTIME_ID", cpu, OUT_BURN_NS, 0);
}

static void *out_thread(void *arg)
{
	(void)arg;
	burn(OUT_BURN_NS, NULL);
	__atomic_add_fetch(&out_parked, 1, __ATOMIC_SEQ_CST);
	while (!CKPT_LOAD(out_go))
		ckpt_futex_wait(&out_go, 0, NULL);
	out_check_own(2);
	return NULL;
}

static int out_main(void)
{
	pthread_t t;

	CHILD_CHECK(90, !pthread_create(&t, NULL, out_thread, NULL), "pthread_create");
	burn(OUT_BURN_NS, NULL);
	ckpt_wait_count(&out_parked, 1);
	ckpt_child_wait();
	out_check_own(1);
	CKPT_STORE(out_go, 1);
	ckpt_futex_wake_all(&out_go);
	CHILD_CHECK(3, !pthread_join(t, NULL), "pthread_join");
	return 0;
}

/* What the test sees of a process from outside, in /proc. */
struct outside {
	long long time, start;		/* /proc/PID/stat utime + stime, starttime */
	int n;				/* threads */
	pid_t tid[OUT_THREADS];
	long long ttime[OUT_THREADS];	/* /proc/PID/task/TID/stat utime + stime */
};

static int look_from_outside(pid_t pid, struct outside *o)
{
	long long f[STAT_FIELDS + 1];
	char path[64];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_stat(path, f))
		return -1;
	o->time = f[STAT_UTIME] + f[STAT_STIME];
	o->start = f[STAT_START];
	o->n = ckpt_tids(pid, o->tid, OUT_THREADS);
	if (o->n < 0 || o->n > OUT_THREADS)
		return -1;
	for (i = 0; i < o->n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)o->tid[i]);
		if (read_stat(path, f))
			return -1;
		o->ttime[i] = f[STAT_UTIME] + f[STAT_STIME];
	}
	return 0;
}

/*
 * The CKPT_REC_ACCT records of the image in @fd: their number (-1 for a
 * record of the wrong size), the first @max of them into @recs.
 */
static int image_acct(int fd, struct ckpt_rec_acct *recs, int max)
{
	const struct ckpt_hdr *h;
	size_t len, off = 0;
	int n = 0;
	void *img;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	while ((h = ckpt_image_next(img, len, &off, CKPT_REC_ACCT))) {
		if (h->len != sizeof(*recs)) {
			n = -1;
			break;
		}
		if (n < max)
			memcpy(&recs[n], h, sizeof(*recs));
		n++;
	}
	free(img);
	return n;
}

TEST(proc_stat_cpu_times_seen_from_outside_do_not_go_back)
{
	struct ckpt_rec_acct recs[OUT_THREADS + 1];
	struct outside was, now;
	pid_t child;
	int fd, n, i;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(out_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", PHASE_WAIT_MS));
	ASSERT_EQ(0, look_from_outside(child, &was));
	ASSERT_EQ(OUT_THREADS, was.n);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));

	/* A record per thread, the leader's first, with the CPU time each burnt. */
	n = image_acct(fd, recs, OUT_THREADS + 1);
	EXPECT_EQ(OUT_THREADS, n);
	for (i = 0; i < n && i < OUT_THREADS; i++)
		EXPECT_LE(OUT_BURN_NS, (long long)recs[i].self.runtime) TH_LOG("record %d", i);
	if (n > 0) {
		/* Forked by the test, it never called execve(). */
		EXPECT_NE(0U, recs[0].flags & CKPT_ACCT_FORKNOEXEC);
		EXPECT_LT(0ULL, (unsigned long long)recs[0].hiwater_rss);
	}

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	ASSERT_EQ(0, look_from_outside(child, &now));
	EXPECT_EQ(was.n, now.n);
	/* See TICKS_ROUND. */
	EXPECT_LE(was.time, now.time + TICKS_ROUND)
		TH_LOG("process: utime + stime %lld ticks, was %lld", now.time, was.time);
	for (i = 0; i < was.n && i < now.n; i++) {
		EXPECT_EQ(was.tid[i], now.tid[i]);
		EXPECT_LE(was.ttime[i], now.ttime[i] + TICKS_ROUND)
			TH_LOG("thread %d: utime + stime %lld ticks, was %lld", (int)now.tid[i],
			       now.ttime[i], was.ttime[i]);
	}
	/* By design, the start time is the new run's. */
	EXPECT_LT(was.start, now.start);
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* --------------------------------------------------------------------
 * What counts CPU time: RLIMIT_CPU, ITIMER_PROF, a CPU-clock POSIX timer
 *
 * The child notes when the timer's signal first comes, and burns CPU
 * time until it does.
 *
 * RLIMIT_CPU and ITIMER_PROF count the process's user + system time as
 * the scheduler tick samples it, which may run slower or faster than
 * CLOCK_PROCESS_CPUTIME_ID, the scheduler's own clock: a tick that a busy
 * host delays is lost, time a hypervisor steals is counted in whole
 * ticks.  Their checks measure that clock itself, with a stopwatch
 * (ITIMER_PROF set far ahead: what it used is what getitimer(2) no
 * longer has left), or allow for the difference.  The stopwatch is
 * stopped before each checkpoint: what it measures must not depend on
 * how a timer comes back.
 */

static sig_atomic_t sig_count;
static long long sig_at;	/* CLOCK_PROCESS_CPUTIME_ID then, ns */
static long long sig_watch;	/* the stopwatch then, if it ran */

#define WATCH_S		100000	/* never reached */

/* The stopwatch's origin (watch_start()), -1 while it is stopped. */
static long long watch_origin = -1;

static long long itimer_left(int which)
{
	struct itimerval it;

	if (getitimer(which, &it))
		return -1;
	return tv_ns(&it.it_value);
}

/* Tick-sampled CPU time since the stopwatch started, ns. */
static long long watch_read(void)
{
	return watch_origin - itimer_left(ITIMER_PROF);
}

static void watch_start(int code)
{
	struct itimerval it = { { 0, 0 }, { WATCH_S, 0 } };

	CHILD_CHECK(code, !setitimer(ITIMER_PROF, &it, NULL), "setitimer(ITIMER_PROF): %s",
		    strerror(errno));
	CKPT_STORE(watch_origin, itimer_left(ITIMER_PROF));
}

/* Stop the stopwatch; returns what it read. */
static long long watch_stop(int code)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	long long used = watch_read();

	CHILD_CHECK(code, !setitimer(ITIMER_PROF, &it, NULL), "setitimer(ITIMER_PROF): %s",
		    strerror(errno));
	CKPT_STORE(watch_origin, -1);
	return used;
}

/* Burn CPU time until the stopwatch reads @ns. */
static void burn_watch(long long ns)
{
	while (watch_read() < ns)
		burn(10 * MS_NS, NULL);
}

static void on_cpu_signal(int sig)
{
	int err = errno;

	(void)sig;
	if (!CKPT_LOAD(sig_count)) {
		CKPT_STORE(sig_at, clock_ns(CLOCK_PROCESS_CPUTIME_ID));
		if (CKPT_LOAD(watch_origin) >= 0)
			CKPT_STORE(sig_watch, watch_read());
	}
	__atomic_add_fetch(&sig_count, 1, __ATOMIC_SEQ_CST);
	errno = err;
}

static void catch_cpu_signal(int code, int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cpu_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(code, !sigaction(sig, &sa, NULL), "sigaction(%d): %s", sig, strerror(errno));
}

/*
 * Burn CPU time until the signal came, or @max_ns of this thread's CPU
 * time went by.  Returns whether it came.
 */
static bool burn_until_signal(long long max_ns)
{
	burn(max_ns, &sig_count);
	return CKPT_LOAD(sig_count) > 0;
}

/* --- RLIMIT_CPU --- */

#define XCPU_SOFT_S	3
#define XCPU_HARD_S	20
#define XCPU_BEFORE_NS	(2 * SEC_NS)	/* tick-sampled CPU time before the checkpoint */
/* SIGXCPU comes at the tick that takes the time past the limit. */
#define XCPU_LATE_NS	(20 * MS_NS)
/* What the stopwatches do not see: the start of the first run, the restore. */
#define XCPU_EARLY_NS	(500 * MS_NS)
#define XCPU_BURN_NS	(8 * SEC_NS)	/* give up after this much in a run */

static long long xcpu_before;	/* the stopwatch, at the end of the first run */
static long long xcpu_ckpt;	/* CLOCK_PROCESS_CPUTIME_ID then */

static int xcpu_setup(void)
{
	struct rlimit rl = { XCPU_SOFT_S, XCPU_HARD_S };

	catch_cpu_signal(90, SIGXCPU);
	CHILD_CHECK(90, !setrlimit(RLIMIT_CPU, &rl), "RLIMIT_CPU: %s", strerror(errno));
	watch_start(90);
	burn_watch(XCPU_BEFORE_NS);
	xcpu_before = watch_stop(90);
	xcpu_ckpt = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHILD_CHECK(91, !CKPT_LOAD(sig_count), "SIGXCPU before the checkpoint, at %lld ms",
		    CKPT_LOAD(sig_at) / MS_NS);
	return 0;
}

/*
 * After the restart, SIGXCPU comes once the first run's and this run's
 * (tick-sampled) CPU time add up to the limit: after about 1 s, not 3 s.
 */
static int xcpu_verify(void)
{
	long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID), run, total;
	bool fired;

	CHILD_CHECK(1, !CKPT_LOAD(sig_count), "SIGXCPU at once after the restart, at %lld ms",
		    CKPT_LOAD(sig_at) / MS_NS);
	watch_start(1);
	fired = burn_until_signal(XCPU_BURN_NS);
	run = fired ? CKPT_LOAD(sig_watch) : watch_read();
	watch_stop(1);
	total = xcpu_before + run;
	CHILD_CHECK(2, fired, "no SIGXCPU after %lld ms of CPU time in this run, %lld ms in all",
		    run / MS_NS, total / MS_NS);
	CHILD_CHECK(3, total <= XCPU_SOFT_S * SEC_NS + XCPU_LATE_NS,
		    "SIGXCPU after %lld ms of CPU time in this run, %lld ms in all: RLIMIT_CPU (%d s) did not count the %lld ms before the checkpoint",
		    run / MS_NS, total / MS_NS, XCPU_SOFT_S, xcpu_before / MS_NS);
	CHILD_CHECK(4, total >= XCPU_SOFT_S * SEC_NS - XCPU_EARLY_NS,
		    "SIGXCPU after only %lld ms of CPU time in this run, %lld ms in all: before RLIMIT_CPU (%d s)",
		    run / MS_NS, total / MS_NS, XCPU_SOFT_S);
	check_ge(5, "process", "CLOCK_PROCESS_CPUTIME_ID (ns)", start, xcpu_ckpt, 0);
	return 0;
}

TEST(rlimit_cpu_counts_the_cpu_time_of_earlier_runs)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(xcpu_setup, xcpu_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- ITIMER_PROF --- */

#define PROF_BEFORE_NS	(1000 * MS_NS)	/* burnt before the timer is set */
#define PROF_VALUE_NS	(500 * MS_NS)	/* the timer */
#define PROF_AFTER_NS	(250 * MS_NS)	/* burnt after, before the checkpoint */
/* Of its time left, the restore may use a few ticks. */
#define PROF_LEFT_NS	(50 * MS_NS)
#define PROF_BURN_NS	(5 * SEC_NS)	/* give up after this much */

static long long prof_left;	/* getitimer() before the checkpoint */
static long long prof_ckpt;	/* CLOCK_PROCESS_CPUTIME_ID then */

static int prof_setup(void)
{
	struct itimerval it = {
		.it_value = { PROF_VALUE_NS / SEC_NS, PROF_VALUE_NS % SEC_NS / 1000 },
	};

	catch_cpu_signal(90, SIGPROF);
	burn(PROF_BEFORE_NS, NULL);
	CHILD_CHECK(90, !setitimer(ITIMER_PROF, &it, NULL), "setitimer: %s", strerror(errno));
	burn(PROF_AFTER_NS, NULL);
	prof_left = itimer_left(ITIMER_PROF);
	prof_ckpt = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHILD_CHECK(91, !CKPT_LOAD(sig_count) && prof_left > 0,
		    "before the checkpoint, at %lld ms of CPU time: %d SIGPROF, %lld ms left",
		    prof_ckpt / MS_NS, (int)CKPT_LOAD(sig_count), prof_left / MS_NS);
	return 0;
}

/*
 * The timer has the time it had left, on a clock that goes on from where
 * it was: its SIGPROF comes once the process has used that time after
 * the restart, when its CPU clock is past what it was at the checkpoint
 * by about that much (at least half of it, whatever the ticks missed).
 */
static int prof_verify(void)
{
	long long left = itimer_left(ITIMER_PROF), start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	bool fired;

	fired = burn_until_signal(PROF_BURN_NS);
	CHILD_CHECK(1, left > 0 && left >= prof_left - PROF_LEFT_NS &&
		    left <= prof_left + PROF_LEFT_NS,
		    "after the restart, ITIMER_PROF has %lld ms left, %lld ms before the checkpoint",
		    left / MS_NS, prof_left / MS_NS);
	CHILD_CHECK(2, fired, "no SIGPROF after %lld ms of CPU time in this run",
		    (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start) / MS_NS);
	CHILD_CHECK(3, CKPT_LOAD(sig_at) >= prof_ckpt + prof_left / 2,
		    "SIGPROF at %lld ms of CPU time (%lld ms in this run); at the checkpoint it was %lld ms, with %lld ms left",
		    CKPT_LOAD(sig_at) / MS_NS, (CKPT_LOAD(sig_at) - start) / MS_NS,
		    prof_ckpt / MS_NS, prof_left / MS_NS);
	check_ge(4, "process", "CLOCK_PROCESS_CPUTIME_ID (ns)", start, prof_ckpt, 0);
	return 0;
}

TEST(itimer_prof_fires_when_the_cumulative_cpu_time_reaches_it)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(prof_setup, prof_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --- An absolute POSIX timer on CLOCK_PROCESS_CPUTIME_ID --- */

/* This one counts on the scheduler's clock, which the test reads too. */
#define PT_BEFORE_NS	(1000 * MS_NS)	/* burnt before the checkpoint */
#define PT_DATE_NS	(2500 * MS_NS)	/* its expiry, on the process's CPU clock */
#define PT_SLACK_NS	(10 * MS_NS)
#define PT_LATE_NS	(500 * MS_NS)

static timer_t pt_timer;
static long long pt_ckpt;	/* CLOCK_PROCESS_CPUTIME_ID before the checkpoint */

static int ptimer_setup(void)
{
	struct itimerspec its = { { 0, 0 }, { PT_DATE_NS / SEC_NS, PT_DATE_NS % SEC_NS } };
	struct sigevent sev;

	catch_cpu_signal(90, SIGRTMIN + 1);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 1;
	CHILD_CHECK(90, !timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &pt_timer),
		    "timer_create: %s", strerror(errno));
	burn(PT_BEFORE_NS, NULL);
	CHILD_CHECK(90, !timer_settime(pt_timer, TIMER_ABSTIME, &its, NULL), "timer_settime: %s",
		    strerror(errno));
	pt_ckpt = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHILD_CHECK(91, !CKPT_LOAD(sig_count) && pt_ckpt < PT_DATE_NS - PT_LATE_NS,
		    "at %lld ms of CPU time, before the checkpoint: %d signals", pt_ckpt / MS_NS,
		    (int)CKPT_LOAD(sig_count));
	return 0;
}

/* It fires at its date on the cumulative clock, not that long after the restart. */
static int ptimer_verify(void)
{
	long long left, now;
	struct itimerspec its;
	bool fired;

	/* Its time left, then the clock: together, at least its date. */
	CHILD_CHECK(1, !timer_gettime(pt_timer, &its), "timer_gettime: %s", strerror(errno));
	now = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	left = (long long)its.it_value.tv_sec * SEC_NS + its.it_value.tv_nsec;
	fired = burn_until_signal(PT_DATE_NS + PT_LATE_NS);
	CHILD_CHECK(2, fired, "no signal: %lld ms of CPU time in all, its date %lld ms",
		    clock_ns(CLOCK_PROCESS_CPUTIME_ID) / MS_NS, PT_DATE_NS / MS_NS);
	CHILD_CHECK(3, CKPT_LOAD(sig_at) >= PT_DATE_NS - PT_SLACK_NS,
		    "it fired at %lld ms of CPU time (%lld ms in this run), its date is %lld ms: early",
		    CKPT_LOAD(sig_at) / MS_NS, (CKPT_LOAD(sig_at) - now) / MS_NS,
		    PT_DATE_NS / MS_NS);
	CHILD_CHECK(4, CKPT_LOAD(sig_at) <= PT_DATE_NS + PT_LATE_NS,
		    "it fired at %lld ms of CPU time, its date is %lld ms: late",
		    CKPT_LOAD(sig_at) / MS_NS, PT_DATE_NS / MS_NS);
	CHILD_CHECK(5, left > 0 && now + left >= PT_DATE_NS - PT_SLACK_NS,
		    "after the restart, %lld ms left at %lld ms of CPU time: not its date, %lld ms",
		    left / MS_NS, now / MS_NS, PT_DATE_NS / MS_NS);
	check_ge(6, "process", "CLOCK_PROCESS_CPUTIME_ID (ns)", now, pt_ckpt, 0);
	return 0;
}

TEST(absolute_process_cpu_clock_timer_fires_at_its_date_on_the_cumulative_clock)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(ptimer_setup, ptimer_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * BSD process accounting: each run's record covers that run only
 *
 * The child, named "ckptacct<pid>", burns CPU time, is checkpointed and
 * killed (acct(2) writes a record), restarted, burns more and exits (a
 * second record).  The two records add up to its CPU time in all, as
 * times(2) gives it at the end: not to nearly twice that, as they would
 * if the second one also covered the first run.
 *
 * The kernel writes struct acct, version 2 (version 3 needs
 * CONFIG_BSD_PROCESS_ACCT_V3), with the tick-sampled user and system
 * time of the process, each in comp_t (13 bits of mantissa, 3 of base-8
 * exponent) units of 1/ac_ahz s, rounded down; times(2) is scaled to the
 * scheduler's clock.  The ratio of the two clocks, which the child
 * measures in each run with the stopwatch (see above), turns times()
 * into the records' clock.
 */

#define ACCT_RUN1_NS		(500 * MS_NS)
#define ACCT_RUN2_NS		(300 * MS_NS)
#define ACCT_SLACK_TICKS	5
#define ACCT_SLACK_PCT		10
#define ACCT_MAX_RECS		4

/*
 * In the child, for each run: the stopwatch, and what times() says it
 * used meanwhile; and what times() says at the end.  In ns.
 */
static uint64_t acct_watch[2], acct_times[2], acct_total;

/* Its command name: unique, and short enough (15 characters) to be whole. */
static void acct_comm(pid_t pid, char *buf, size_t size)
{
	snprintf(buf, size, "ckptacct%u", (unsigned int)pid % 10000000U);
}

/* In the child: times() user + system time, ns. */
static long long times_ns(int code)
{
	struct tms t;

	CHILD_CHECK(code, times(&t) != (clock_t)-1, "times: %s", strerror(errno));
	return ((long long)t.tms_utime + t.tms_stime) * tick_ns();
}

static int acct_main(void)
{
	long long t0;
	char name[16];

	acct_comm(getpid(), name, sizeof(name));
	CHILD_CHECK(90, !prctl(PR_SET_NAME, name, 0, 0, 0), "PR_SET_NAME: %s", strerror(errno));
	watch_start(90);
	burn(ACCT_RUN1_NS, NULL);
	CKPT_STORE(acct_watch[0], (uint64_t)watch_stop(90));
	/* Since the fork: all of the first run. */
	CKPT_STORE(acct_times[0], (uint64_t)times_ns(90));
	wait_phase(1);

	t0 = times_ns(1);
	watch_start(1);
	burn(ACCT_RUN2_NS, NULL);
	CKPT_STORE(acct_watch[1], (uint64_t)watch_stop(1));
	CKPT_STORE(acct_total, (uint64_t)times_ns(1));
	CKPT_STORE(acct_times[1], acct_total - t0);
	/* The test reads them, then wakes us: we exit. */
	wait_phase(2);
	return 0;
}

static unsigned long long comp_decode(comp_t c)
{
	return (unsigned long long)(c & 0x1fff) << (3 * (c >> 13));
}

/* User + system time of an acct(2) record, in ns. */
static long long acct_time_ns(const struct acct *a)
{
	return (long long)((comp_decode(a->ac_utime) + comp_decode(a->ac_stime)) * SEC_NS /
			   a->ac_ahz);
}

/*
 * The records of the acct(2) file @path whose command is @comm: their
 * number (-1 if the file is unreadable or ends in a partial record), the
 * first @max into @recs.
 */
static int acct_records(const char *path, const char *comm, struct acct *recs, int max)
{
	struct acct a;
	int fd, n = 0;
	ssize_t r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((r = ckpt_read_all(fd, &a, sizeof(a))) == (ssize_t)sizeof(a)) {
		if (strncmp(a.ac_comm, comm, sizeof(a.ac_comm)))
			continue;
		if (n < max)
			recs[n] = a;
		n++;
	}
	close(fd);
	return r == 0 ? n : -1;
}

/* |@a - @b| is at most ACCT_SLACK_TICKS ticks and ACCT_SLACK_PCT % of @b. */
static bool acct_close(long long a, long long b)
{
	return llabs(a - b) <= ACCT_SLACK_TICKS * tick_ns() + b * ACCT_SLACK_PCT / 100;
}

/*
 * The harness' TEST_F() wrapper keeps the pid of the test process it
 * forks in a variable that a failed ASSERT_*()'s longjmp() may clobber.
 * The teardown is the parent's kind, so that it runs whatever happened.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

FIXTURE(bsd_acct) {
	char path[64];
	bool on;	/* acct(2) is on: the teardown turns it off */
};

FIXTURE_SETUP(bsd_acct)
{
	snprintf(self->path, sizeof(self->path), "/tmp/ckpt-acct-%d", (int)getpid());
	self->on = false;
}

/* In the parent: also after the test failed, or died. */
FIXTURE_TEARDOWN_PARENT(bsd_acct)
{
	if (self->on && acct(NULL))
		TH_LOG("acct(NULL): %s", strerror(errno));
	unlink(self->path);
}

TEST_F(bsd_acct, records_of_the_runs_add_up_to_the_cpu_time_once)
{
	long long ns[ACCT_MAX_RECS], watch[2], tms[2], total, expected, sum = 0;
	struct acct recs[ACCT_MAX_RECS];
	char comm[16];
	pid_t child;
	int fd, n, i, ret, nosys;

	if (!ckpt_preamble(_metadata))
		return;
	fd = open(self->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", self->path, strerror(errno));
	close(fd);
	/* What a system call this kernel lacks fails with. */
	syscall(-1L);
	nosys = errno;
	errno = 0;
	ret = acct(self->path);
	if (ret && (errno == nosys || errno == EPERM))
		SKIP(return, "acct(): %s", strerror(errno));
	ASSERT_EQ(0, ret) TH_LOG("acct(%s): %s", self->path, strerror(errno));
	self->on = true;

	child = ckpt_spawn_main(acct_main);
	ASSERT_GT(child, 0);
	acct_comm(child, comm, sizeof(comm));
	ASSERT_EQ(0, await_phase(child, 1));
	ASSERT_EQ(0, kill_restart(child));
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));
	ASSERT_EQ(0, await_phase(child, 2));
	for (i = 0; i < 2; i++) {
		watch[i] = (long long)ckpt_peek_u64(child, &acct_watch[i]);
		tms[i] = (long long)ckpt_peek_u64(child, &acct_times[i]);
	}
	total = (long long)ckpt_peek_u64(child, &acct_total);
	EXPECT_EQ(0, ckpt_wake_reap(child));
	ASSERT_EQ(0, acct(NULL)) TH_LOG("acct(NULL): %s", strerror(errno));
	self->on = false;
	ASSERT_LT(0, watch[0] + watch[1]);
	ASSERT_LT(0, tms[0] + tms[1]);
	ASSERT_LE(0, total);

	/* One record per run: the killed original's, then the restored one's. */
	n = acct_records(self->path, comm, recs, ACCT_MAX_RECS);
	ASSERT_EQ(2, n) TH_LOG("records of %s in %s", comm, self->path);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(2, recs[i].ac_version & 0x7f) TH_LOG("record %d", i);
		ASSERT_LT(0, recs[i].ac_ahz) TH_LOG("record %d", i);
		/* Forked by the test, it never called execve(), in either run. */
		EXPECT_NE(0, recs[i].ac_flag & AFORK)
			TH_LOG("record %d: flags %#x", i,
			       (unsigned int)(unsigned char)recs[i].ac_flag);
		ns[i] = acct_time_ns(&recs[i]);
		sum += ns[i];
		TH_LOG("record %d: user %llu, system %llu (1/%u s): %lld ms", i,
		       comp_decode(recs[i].ac_utime), comp_decode(recs[i].ac_stime),
		       (unsigned int)recs[i].ac_ahz, ns[i] / MS_NS);
		TH_LOG("record %d: its run's stopwatch %lld ms, times() %lld ms", i,
		       watch[i] / MS_NS, tms[i] / MS_NS);
	}
	/* times() at the end, on the records' clock. */
	expected = total * (watch[0] + watch[1]) / (tms[0] + tms[1]);
	TH_LOG("times(): %lld ms in all, %lld ms on the records' clock; records: %lld ms",
	       total / MS_NS, expected / MS_NS, sum / MS_NS);
	EXPECT_TRUE(acct_close(ns[0], watch[0]))
		TH_LOG("the first run's record has %lld ms, the run used %lld ms", ns[0] / MS_NS,
		       watch[0] / MS_NS);
	EXPECT_TRUE(acct_close(sum, expected))
		TH_LOG("the records add up to %lld ms, not to the %lld ms of CPU time in all%s",
		       sum / MS_NS, expected / MS_NS,
		       sum > expected ? ": does each cover the earlier runs too?" : "");
}

/* --------------------------------------------------------------------
 * Taskstats: a restored process's cover this run only
 *
 * Taskstats (the generic netlink family "TASKSTATS") report a thread's
 * or a process's user and system time, faults, context switches and I/O
 * counts: on request (TASKSTATS_CMD_GET with TASKSTATS_CMD_ATTR_PID or
 * _TGID), and in a record sent at each thread's exit to the listeners
 * registered for the CPU it exits on (TASKSTATS_CMD_ATTR_REGISTER_CPUMASK).
 * Like acct(2)'s records, a restored process's taskstats cover this run
 * only: the earlier runs are in their own exit records, and the records
 * of a job's runs add up to its CPU time once.  Before the change, they
 * reported every run, as times(2) does.
 *
 * Taskstats report the tick-sampled user and system time (task_cputime(),
 * in µs), which the image's CKPT_REC_ACCT record holds too, and which the
 * PROF CPU clocks give (see cpu_clock()); the scheduler's clock
 * (CLOCK_*_CPUTIME_ID) may run faster or slower than the tick under TCG.
 * So the children burn CPU time until both clocks have advanced by as
 * much, and sums are compared with the PROF clock, which counts every
 * run: no bound here is on wall time.
 */

/* CPU clocks by their kernel id: make_process_cpuclock() of <linux/posix-timers.h>. */
#define CLK_PROF	0	/* CPUCLOCK_PROF: user + system time, tick-sampled */
#define CLK_SCHED	2	/* CPUCLOCK_SCHED: the scheduler's clock */
#define CLK_THREAD	4	/* CPUCLOCK_PERTHREAD_MASK */

/* The CPU clock @which of process @pid, or thread @pid with CLK_THREAD (0: the caller). */
static clockid_t cpu_clock(pid_t pid, unsigned int which)
{
	return (clockid_t)(~(unsigned int)pid << 3 | which);
}

/* Give up once the thread burnt this much and its PROF clock still lags. */
#define BOTH_MAX_NS	(10 * SEC_NS)

/*
 * In the child: burn CPU time until this thread's scheduler clock and
 * its PROF clock have both advanced by @ns.  Returns how far the
 * scheduler's clock advanced.
 */
static long long burn_both(int code, long long ns)
{
	clockid_t prof = cpu_clock(0, CLK_THREAD | CLK_PROF);
	long long s0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), p0 = clock_ns(prof);
	long long s = s0, p = p0;

	CHILD_CHECK(code, s0 >= 0 && p0 >= 0, "CPU clocks: %s", strerror(errno));
	while (s - s0 < ns || p - p0 < ns) {
		CHILD_CHECK(code, s - s0 < BOTH_MAX_NS,
			    "after %lld ms of CPU time, its tick-sampled (PROF) clock advanced by %lld ms only",
			    (s - s0) / MS_NS, (p - p0) / MS_NS);
		burn(10 * MS_NS, NULL);
		s = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		p = clock_ns(prof);
	}
	return s - s0;
}

/* --- A generic netlink client: enough of one for taskstats --- */

/* Any controller or taskstats message fits (a taskstats one is < 1 KiB). */
#define GENL_BUF		16384
/* Room for the exit records of the system's other threads meanwhile. */
#define GENL_RCVBUF		(4 << 20)
/* How long the kernel may take to answer: a timeout, not a measure. */
#define GENL_WAIT_MS		10000

/* A message received. */
union genl_msg {
	struct nlmsghdr n;
	char buf[GENL_BUF];
};

/* A request: its headers and a few attributes. */
union genl_req {
	struct nlmsghdr n;
	char buf[256];
};

/* A socket talking to one generic netlink family. */
struct genl {
	int fd;
	__u32 portid;	/* the socket's, which answers to it carry */
	__u32 seq;	/* the last request's */
	__u16 family;	/* the family's id, from the controller */
};

/* Start in @req the request @cmd (of @version) to the family @family. */
static void genl_start(union genl_req *req, __u16 family, __u8 cmd, __u8 version)
{
	struct genlmsghdr *g = (struct genlmsghdr *)(req->buf + NLMSG_HDRLEN);

	memset(req, 0, sizeof(*req));
	req->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req->n.nlmsg_type = family;
	req->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g->cmd = cmd;
	g->version = version;
}

/* Append to @req the attribute @type, of the @len bytes at @data: 0 or -EMSGSIZE. */
static int genl_put(union genl_req *req, __u16 type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->n.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(req->buf + off);

	if (off + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(*req))
		return -EMSGSIZE;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(req->buf + off + NLA_HDRLEN, data, len);
	/* The padding is the memset() of genl_start()'s. */
	req->n.nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return 0;
}

/* The message after @n (NULL: the first) in the @len bytes at @buf, or NULL. */
static const struct nlmsghdr *genl_next(const void *buf, size_t len, const struct nlmsghdr *n)
{
	size_t off = 0;

	if (n)
		off = (size_t)((const char *)n - (const char *)buf) + NLMSG_ALIGN(n->nlmsg_len);
	if (off >= len || len - off < NLMSG_HDRLEN)
		return NULL;
	n = (const struct nlmsghdr *)((const char *)buf + off);
	if (n->nlmsg_len < NLMSG_HDRLEN || n->nlmsg_len > len - off)
		return NULL;
	return n;
}

/* The attributes of the generic netlink message @n: *@len bytes (0 if it has none). */
static const void *genl_attrs(const struct nlmsghdr *n, size_t *len)
{
	*len = 0;
	if (n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return NULL;
	*len = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	return (const char *)n + NLMSG_LENGTH(GENL_HDRLEN);
}

/* The command of the generic netlink message @n (which has its header). */
static __u8 genl_cmd(const struct nlmsghdr *n)
{
	return ((const struct genlmsghdr *)((const char *)n + NLMSG_HDRLEN))->cmd;
}

/* The payload of the attribute @a, and its length. */
static const void *nla_payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t nla_payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* The first attribute of type @type among the @len bytes at @attrs, or NULL. */
static const struct nlattr *genl_find(const void *attrs, size_t len, __u16 type)
{
	const char *p = attrs;
	const struct nlattr *a;
	size_t step;

	while (p && len >= NLA_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		step = NLA_ALIGN((size_t)a->nla_len);
		if (step >= len)
			return NULL;
		p += step;
		len -= step;
	}
	return NULL;
}

/*
 * One datagram from @s into @msg, waiting up to @ms: its length, or
 * -errno (-ETIMEDOUT; -ENOBUFS: the socket overflowed, messages were
 * lost).
 */
static ssize_t genl_recv(struct genl *s, union genl_msg *msg, int ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n;
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (!r)
		return -ETIMEDOUT;
	n = recv(s->fd, msg, sizeof(*msg), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n > sizeof(*msg))
		return -EMSGSIZE;
	return n;
}

/*
 * Send @req on @s and wait for the kernel's answer: 0 once it acked the
 * request, its error (-errno) if it refused it.  The first message of
 * its reply goes to @reply if not NULL (-ENODATA: none came).  Messages
 * that are not the answer, such as exit records to a listener (whose
 * sequence numbers are the kernel's own), are passed over; so is an
 * overflow, after which the answer may still come.
 */
static int genl_talk(struct genl *s, union genl_req *req, union genl_msg *reply)
{
	static union genl_msg in;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct nlmsghdr *n;
	const struct nlmsgerr *e;
	bool got = false;
	ssize_t len;

	req->n.nlmsg_seq = ++s->seq;
	req->n.nlmsg_pid = s->portid;
	len = sendto(s->fd, req, req->n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	if (len < 0)
		return -errno;
	if (len != (ssize_t)req->n.nlmsg_len)
		return -EIO;
	for (;;) {
		len = genl_recv(s, &in, GENL_WAIT_MS);
		if (len == -ENOBUFS)
			continue;
		if (len < 0)
			return len;
		for (n = genl_next(&in, len, NULL); n; n = genl_next(&in, len, n)) {
			if (n->nlmsg_pid != s->portid || n->nlmsg_seq != s->seq)
				continue;
			if (n->nlmsg_type != NLMSG_ERROR) {
				if (reply && !got)
					memcpy(reply, n, n->nlmsg_len);
				got = true;
				continue;
			}
			if (n->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			e = (const struct nlmsgerr *)((const char *)n + NLMSG_HDRLEN);
			if (e->error)
				return e->error;
			return reply && !got ? -ENODATA : 0;
		}
	}
}

static void genl_close(struct genl *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * Open @s on the generic netlink family @name: 0, or -errno; -ENOENT
 * from the controller means this kernel has no such family.
 */
static int genl_open(struct genl *s, const char *name)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	static union genl_msg rep;
	const struct nlattr *a;
	int size = GENL_RCVBUF;
	union genl_req req;
	const void *attrs;
	size_t len;
	int err;

	memset(s, 0, sizeof(*s));
	s->seq = (__u32)time(NULL);
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	/* Bound, so that its port id is known; SO_RCVBUFFORCE: we are root. */
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &salen) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size))) {
		err = -errno;
		goto fail;
	}
	s->portid = sa.nl_pid;
	genl_start(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	err = genl_put(&req, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (!err)
		err = genl_talk(s, &req, &rep);
	if (err)
		goto fail;
	attrs = genl_attrs(&rep.n, &len);
	a = genl_find(attrs, len, CTRL_ATTR_FAMILY_ID);
	if (rep.n.nlmsg_type != GENL_ID_CTRL || !a || nla_payload_len(a) < sizeof(s->family)) {
		err = -EBADMSG;
		goto fail;
	}
	memcpy(&s->family, nla_payload(a), sizeof(s->family));
	return 0;
fail:
	genl_close(s);
	return err;
}

/* --- Taskstats over it --- */

/*
 * The struct taskstats of the nest @aggr (TASKSTATS_TYPE_AGGR_PID or
 * _AGGR_TGID) of the taskstats message @n, and the id beside it in the
 * nest (TASKSTATS_TYPE_PID or _TGID) in *@id.  0, or -EBADMSG.
 */
static int ts_parse(const struct genl *s, const struct nlmsghdr *n, __u16 aggr, __u32 *id,
		    struct taskstats *ts)
{
	__u16 id_type = aggr == TASKSTATS_TYPE_AGGR_PID ? TASKSTATS_TYPE_PID : TASKSTATS_TYPE_TGID;
	const struct nlattr *nest, *a, *st;
	const void *attrs;
	size_t len;

	if (n->nlmsg_type != s->family)
		return -EBADMSG;
	attrs = genl_attrs(n, &len);
	if (!attrs || genl_cmd(n) != TASKSTATS_CMD_NEW)
		return -EBADMSG;
	nest = genl_find(attrs, len, aggr);
	if (!nest)
		return -EBADMSG;
	a = genl_find(nla_payload(nest), nla_payload_len(nest), id_type);
	st = genl_find(nla_payload(nest), nla_payload_len(nest), TASKSTATS_TYPE_STATS);
	/* A newer kernel's struct may be longer: what this one knows of it. */
	if (!a || nla_payload_len(a) != sizeof(*id) || !st ||
	    nla_payload_len(st) < offsetof(struct taskstats, ac_stime) + sizeof(ts->ac_stime))
		return -EBADMSG;
	memcpy(id, nla_payload(a), sizeof(*id));
	memset(ts, 0, sizeof(*ts));
	memcpy(ts, nla_payload(st), nla_payload_len(st) < sizeof(*ts) ? nla_payload_len(st) :
	       sizeof(*ts));
	return 0;
}

/* TASKSTATS_CMD_GET of thread @id (@cmd_attr TASKSTATS_CMD_ATTR_PID) or process @id (_TGID). */
static int ts_query(struct genl *s, __u16 cmd_attr, pid_t id, struct taskstats *ts)
{
	__u16 aggr = cmd_attr == TASKSTATS_CMD_ATTR_PID ? TASKSTATS_TYPE_AGGR_PID :
							  TASKSTATS_TYPE_AGGR_TGID;
	static union genl_msg rep;
	__u32 want = id, got;
	union genl_req req;
	int err;

	genl_start(&req, s->family, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION);
	err = genl_put(&req, cmd_attr, &want, sizeof(want));
	if (!err)
		err = genl_talk(s, &req, &rep);
	if (!err)
		err = ts_parse(s, &rep.n, aggr, &got, ts);
	if (!err && got != want)
		err = -EBADMSG;
	return err;
}

/* Register @s for the exit records of the CPUs in @cpus ("0-3"), or (!@on) deregister it. */
static int ts_listen(struct genl *s, const char *cpus, bool on)
{
	union genl_req req;
	int err;

	genl_start(&req, s->family, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION);
	err = genl_put(&req, on ? TASKSTATS_CMD_ATTR_REGISTER_CPUMASK :
			     TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, cpus, strlen(cpus) + 1);
	return err ?: genl_talk(s, &req, NULL);
}

/*
 * The next exit record of thread @pid (its TASKSTATS_TYPE_AGGR_PID) that
 * comes to the listener @s, waiting up to @ms: a thread's is sent before
 * it becomes a zombie, so it is there once the thread has been reaped.
 * 0, -ETIMEDOUT, or -ENOBUFS if it did not come but records were lost.
 */
static int ts_exit_record(struct genl *s, pid_t pid, struct taskstats *ts, int ms)
{
	long long end = (long long)ckpt_now_ms() + ms, left;
	static union genl_msg in;
	const struct nlmsghdr *n;
	bool lost = false;
	ssize_t len;
	__u32 id;

	for (;;) {
		left = end - (long long)ckpt_now_ms();
		if (left <= 0)
			return lost ? -ENOBUFS : -ETIMEDOUT;
		len = genl_recv(s, &in, (int)left);
		if (len == -ENOBUFS)
			lost = true;
		if (len == -ENOBUFS || len == -ETIMEDOUT)
			continue;
		if (len < 0)
			return len;
		for (n = genl_next(&in, len, NULL); n; n = genl_next(&in, len, n))
			if (!ts_parse(s, n, TASKSTATS_TYPE_AGGR_PID, &id, ts) && id == (__u32)pid)
				return 0;
	}
}

/* The online CPUs as a list ("0-3") in @buf: 0 or -1. */
static int online_cpus(char *buf, size_t size)
{
	char *nl;

	if (ckpt_read_file("/sys/devices/system/cpu/online", buf, size) <= 0)
		return -1;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf[0] ? 0 : -1;
}

/* User + system time of @ts (µs each) in ns. */
static long long ts_ns(const struct taskstats *ts)
{
	return (long long)(ts->ac_utime + ts->ac_stime) * 1000;
}

/* What a failed check of a restored run's taskstats suggests. */
#define TS_BOTH_RUNS	"is the run before the checkpoint counted too?"

/* Taskstats round user and system time down to a µs each. */
#define TS_ROUND_NS		2000LL
/*
 * How far a sum of taskstats may be from the PROF clock: what the
 * process used between the two (its checkpoint, its exit), a tick or
 * two.
 */
#define TS_SUM_SLACK_NS		(50 * MS_NS)
/* How long an exit record may take to come: a timeout, not a measure. */
#define TS_RECORD_WAIT_MS	10000

/*
 * The preamble, then @s open on the taskstats generic netlink family.
 * false: the test is skipped (also without CONFIG_TASKSTATS).
 */
static bool ts_start(struct __test_metadata *_metadata, struct genl *s)
{
	int err;

	if (!ckpt_preamble(_metadata))
		return false;
	err = genl_open(s, TASKSTATS_GENL_NAME);
	if (err == -ENOENT)
		SKIP(return false, "no generic netlink family %s: CONFIG_TASKSTATS is off",
		     TASKSTATS_GENL_NAME);
	ASSERT_EQ(0, err) TH_LOG("generic netlink family %s: %s", TASKSTATS_GENL_NAME,
				 strerror(-err));
	return true;
}

/* --- A query, while the restored process sleeps --- */

#define TSQ_BURN_NS	(400 * MS_NS)	/* by both clocks, before the checkpoint */
/* What the restored run may use before it sleeps again: its restore. */
#define TSQ_RUN_MAX_NS	(200 * MS_NS)

static long long tsq_burnt;	/* by the scheduler's clock, before the checkpoint */

static int tsq_main(void)
{
	struct pcount p;

	tsq_burnt = burn_both(90, TSQ_BURN_NS);
	wait_phase(1);
	/* Restored, and queried meanwhile: our own counters hold both runs. */
	read_pcount(1, &p);
	check_process_burnt(2, &p, tsq_burnt);
	return 0;
}

/*
 * The child burns 400 ms of CPU time, is checkpointed, killed and
 * restarted.  While it sleeps, its CPU clocks say it used 400 ms or
 * more, but taskstats (by PID and by TGID) report this run's time, its
 * restore: under 200 ms, and what its PROF clock holds less what
 * taskstats reported before the checkpoint.  The child then checks that
 * times(2), getrusage(2), CLOCK_PROCESS_CPUTIME_ID and /proc/self/stat
 * still count both runs.
 */
TEST(taskstats_query_of_a_restored_process_counts_this_run_only)
{
	long long before, sched, prof;
	struct taskstats ts, tgid;
	struct genl s;
	pid_t child;
	int err;

	if (!ts_start(_metadata, &s))
		return;
	child = ckpt_spawn_main(tsq_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, await_phase(child, 1));

	/* Before the checkpoint: what it burnt, as its PROF clock has it. */
	err = ts_query(&s, TASKSTATS_CMD_ATTR_PID, child, &ts);
	ASSERT_EQ(0, err) TH_LOG("TASKSTATS_CMD_ATTR_PID %d: %s", (int)child, strerror(-err));
	before = ts_ns(&ts);
	EXPECT_LE(TSQ_BURN_NS, before + TS_ROUND_NS)
		TH_LOG("before the checkpoint, taskstats report %lld ms: the query does not work",
		       before / MS_NS);

	ASSERT_EQ(0, kill_restart(child));
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));

	/* Asleep: its CPU clocks count both runs, its taskstats this run only. */
	sched = clock_ns(cpu_clock(child, CLK_SCHED));
	prof = clock_ns(cpu_clock(child, CLK_PROF));
	err = ts_query(&s, TASKSTATS_CMD_ATTR_PID, child, &ts);
	ASSERT_EQ(0, err) TH_LOG("TASKSTATS_CMD_ATTR_PID %d: %s", (int)child, strerror(-err));
	err = ts_query(&s, TASKSTATS_CMD_ATTR_TGID, child, &tgid);
	ASSERT_EQ(0, err) TH_LOG("TASKSTATS_CMD_ATTR_TGID %d: %s", (int)child, strerror(-err));
	genl_close(&s);
	TH_LOG("before the checkpoint, taskstats: %lld ms", before / MS_NS);
	TH_LOG("after the restart: CPU clock %lld ms, PROF clock %lld ms", sched / MS_NS,
	       prof / MS_NS);
	TH_LOG("after the restart, taskstats: by PID %lld ms, by TGID %lld ms",
	       ts_ns(&ts) / MS_NS, ts_ns(&tgid) / MS_NS);
	EXPECT_LE(TSQ_BURN_NS, sched);
	EXPECT_LE(TSQ_BURN_NS, prof);
	EXPECT_EQ((__u32)child, ts.ac_pid);
	EXPECT_GT(TSQ_RUN_MAX_NS, ts_ns(&ts))
		TH_LOG("by PID, taskstats report %lld ms: %s", ts_ns(&ts) / MS_NS, TS_BOTH_RUNS);
	EXPECT_GT(TSQ_RUN_MAX_NS, ts_ns(&tgid))
		TH_LOG("by TGID, taskstats report %lld ms: %s", ts_ns(&tgid) / MS_NS,
		       TS_BOTH_RUNS);
	/* This run's exactly: all it used, less what it had used before. */
	EXPECT_GE(TS_SUM_SLACK_NS, llabs(before + ts_ns(&ts) - prof))
		TH_LOG("taskstats before and after: %lld + %lld ms; its PROF clock: %lld ms",
		       before / MS_NS, ts_ns(&ts) / MS_NS, prof / MS_NS);
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* --- Exit records, to a listener --- */

#define TSE_RUN1_NS	(400 * MS_NS)	/* by both clocks, before the checkpoint */
#define TSE_RUN2_NS	(100 * MS_NS)	/* and after the restart */
/* The restored run's record: its 100 ms and its restore, with room both ways. */
#define TSE_RUN2_MIN_NS	(50 * MS_NS)
#define TSE_RUN2_MAX_NS	(300 * MS_NS)

/* In the child: its PROF clock at the end of each run, ns. */
static long long tse_prof[2];

static int tse_main(void)
{
	clockid_t prof = cpu_clock(0, CLK_THREAD | CLK_PROF);

	burn_both(90, TSE_RUN1_NS);
	tse_prof[0] = clock_ns(prof);
	wait_phase(1);
	burn_both(1, TSE_RUN2_NS);
	tse_prof[1] = clock_ns(prof);
	wait_phase(2);
	return 0;
}

/*
 * A listener for the exit records of every online CPU gets one for each
 * run of the child: the original's, when the checkpoint kills it, and
 * the restored process's, when it exits after burning 100 ms more.  The
 * second covers that run only (not under 50 ms, under 300 ms), and what
 * the image says the process had used before, plus that record, is what
 * its PROF clock holds at the end; so are the two records together.
 */
TEST(taskstats_exit_records_of_the_runs_add_up_to_the_cpu_time_once)
{
	long long before, prof[2] = { -1, -1 }, run[2];
	struct ckpt_rec_acct acct[2];
	struct taskstats rec[2];
	char cpus[256];
	struct genl s;
	int err, fd, n;
	pid_t child;

	if (!ts_start(_metadata, &s))
		return;
	ASSERT_EQ(0, online_cpus(cpus, sizeof(cpus)));
	err = ts_listen(&s, cpus, true);
	ASSERT_EQ(0, err) TH_LOG("TASKSTATS_CMD_ATTR_REGISTER_CPUMASK %s: %s", cpus,
				 strerror(-err));

	child = ckpt_spawn_main(tse_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, await_phase(child, 1));
	ASSERT_EQ(0, ckpt_peek(child, &tse_prof[0], &prof[0], sizeof(prof[0])));
	fd = ckpt_image_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	err = ts_exit_record(&s, child, &rec[0], TS_RECORD_WAIT_MS);
	ASSERT_EQ(0, err) TH_LOG("the exit record of the original %d: %s", (int)child,
				 strerror(-err));
	/* What it had used, as the image has it: taskstats take it off. */
	n = image_acct(fd, acct, 2);
	ASSERT_EQ(1, n);
	before = (long long)(acct[0].self.utime + acct[0].self.stime);

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));
	ASSERT_EQ(0, await_phase(child, 2));
	ASSERT_EQ(0, ckpt_peek(child, &tse_prof[1], &prof[1], sizeof(prof[1])));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	err = ts_exit_record(&s, child, &rec[1], TS_RECORD_WAIT_MS);
	ASSERT_EQ(0, err) TH_LOG("the exit record of the restored %d: %s", (int)child,
				 strerror(-err));
	err = ts_listen(&s, cpus, false);
	EXPECT_EQ(0, err) TH_LOG("TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK %s: %s", cpus,
				 strerror(-err));
	genl_close(&s);

	run[0] = ts_ns(&rec[0]);
	run[1] = ts_ns(&rec[1]);
	TH_LOG("PROF clock at the checkpoint %lld ms, in the image %lld ms, at the end %lld ms",
	       prof[0] / MS_NS, before / MS_NS, prof[1] / MS_NS);
	TH_LOG("exit records: the original's %lld ms, the restored one's %lld ms", run[0] / MS_NS,
	       run[1] / MS_NS);
	EXPECT_LE(prof[0], before);
	EXPECT_LE(TSE_RUN2_MIN_NS, run[1]);
	EXPECT_GT(TSE_RUN2_MAX_NS, run[1])
		TH_LOG("the restored run's record has %lld ms: %s", run[1] / MS_NS,
		       TS_BOTH_RUNS);
	EXPECT_GE(TS_SUM_SLACK_NS, llabs(before + run[1] - prof[1]))
		TH_LOG("the image's and the record's: %lld + %lld ms; its PROF clock: %lld ms",
		       before / MS_NS, run[1] / MS_NS, prof[1] / MS_NS);
	/* The original's: what the image holds, and its way out. */
	EXPECT_LE(before, run[0] + TS_ROUND_NS);
	EXPECT_GE(TS_SUM_SLACK_NS, run[0] - before);
	EXPECT_GE(TS_SUM_SLACK_NS, llabs(run[0] + run[1] - prof[1]))
		TH_LOG("the records add up to %lld ms, not to the %lld ms of CPU time in all",
		       (run[0] + run[1]) / MS_NS, prof[1] / MS_NS);
}

TEST_HARNESS_MAIN
