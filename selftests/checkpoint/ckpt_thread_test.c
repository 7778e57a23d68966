// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of multi-threaded processes.
 *
 * Eight threads contending on pthread mutexes and condition variables
 * (four increment a counter under a mutex, two producers and two
 * consumers share a bounded queue) are checkpointed mid-run and killed;
 * restored, they go on, and their totals add up: the counter is the sum
 * of what each thread counted, everything produced was consumed, each
 * producer's items in order.  CKPT_STOP stops every thread.
 *
 * Per-thread state comes back with each thread: its tid, signal mask,
 * name, TLS (__thread variables and the fs base), alternate signal
 * stack, robust futex list, rseq registration, and clear_child_tid
 * (pthread_join() still works).  Threads blocked in futex waits, with
 * and without a timeout, resume without EINTR; a timeout that expires
 * after the restart gives ETIMEDOUT.  A signal sent with tgkill() to one
 * thread that blocks it is still pending on that thread, and is
 * delivered to it once it unblocks.  A 64-thread process restarts, and
 * so does a process group of multi-threaded processes.  A
 * multi-threaded process cannot checkpoint itself (pid 0).
 *
 * Checks inside the process exit it at once (CHILD_CHECK() from any
 * thread exits the whole process with that status); the test checks
 * from outside that every thread id is back, and compares what
 * /proc/PID/task/TID/status and get_robust_list(2) say before and after.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/rseq.h>
#include <asm/prctl.h>
#include <linux/futex.h>

#include "ckpt_test.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM	0x80000000U	/* include/uapi/linux/signal.h */
#endif

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define MAX_TIDS	128

/* --------------------------------------------------------------------
 * Helpers
 *
 * Threads are joined with ckpt_join_timed(): a join that never comes
 * means the kernel no longer clears the thread's tid (clear_child_tid)
 * when it exits.
 */

static uint64_t ns_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0->tv_sec) * 1000000000ULL +
	       t.tv_nsec - t0->tv_nsec;
}

/* The thread ids of @pid are @before[0..@n) (sorted); 0 or -1. */
static int same_tids(pid_t pid, const pid_t *before, int n)
{
	pid_t now[MAX_TIDS];
	int m, i;

	m = ckpt_tids(pid, now, MAX_TIDS);
	if (m == n && !memcmp(now, before, n * sizeof(*now)))
		return 0;
	ckpt_msg("process %d: %d threads, was %d", (int)pid, m, n);
	for (i = 0; i < n || i < m; i++)
		ckpt_msg("  %d: now %d, was %d", i, i < m ? (int)now[i] : -1,
			 i < n ? (int)before[i] : -1);
	return -1;
}

/* A hex mask line of /proc/@tid/status (SigBlk, SigPnd...); ~0 if none. */
static uint64_t status_mask(pid_t tid, const char *name)
{
	char val[128];

	if (ckpt_status_field(tid, name, val, sizeof(val)))
		return ~0ULL;
	return strtoull(val, NULL, 16);
}

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* What the test sees of one thread from outside. */
struct outside {
	pid_t tid;
	char name[32];
	uint64_t sigblk, sigpnd, shdpnd;
	void *robust;
	size_t robust_len;
};

static int look_at_threads(pid_t pid, struct outside *o, int max)
{
	pid_t tids[MAX_TIDS];
	int n, i;

	n = ckpt_tids(pid, tids, MAX_TIDS);
	if (n < 0 || n > max)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].tid = tids[i];
		ckpt_status_field(tids[i], "Name", o[i].name, sizeof(o[i].name));
		o[i].sigblk = status_mask(tids[i], "SigBlk");
		o[i].sigpnd = status_mask(tids[i], "SigPnd");
		o[i].shdpnd = status_mask(tids[i], "ShdPnd");
		if (syscall(SYS_get_robust_list, tids[i], &o[i].robust,
			    &o[i].robust_len))
			o[i].robust = (void *)-1;
	}
	return n;
}

/* --------------------------------------------------------------------
 * Mutexes and condition variables under contention
 */

#define MC_COUNTERS	4
#define MC_PRODUCERS	2
#define MC_CONSUMERS	2
#define MC_THREADS	(MC_COUNTERS + MC_PRODUCERS + MC_CONSUMERS)
#define MC_QCAP		16
#define MC_SEQ_MASK	((1ULL << 48) - 1)

static pthread_mutex_t mc_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t mc_shared, mc_own[MC_COUNTERS];
static int mc_stop;

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static uint64_t q_items[MC_QCAP];
static unsigned int q_head, q_len;
static int q_stop_producers, q_stop_consumers;
static uint64_t prod_n[MC_PRODUCERS], prod_sum[MC_PRODUCERS];
static uint64_t cons_n[MC_CONSUMERS], cons_sum[MC_CONSUMERS];

/* Operations done, all threads together; the test reads it. */
static uint64_t mc_progress;

static void mc_step(void)
{
	__atomic_add_fetch(&mc_progress, 1, __ATOMIC_RELAXED);
}

static void *mc_counter(void *arg)
{
	int i = (int)(intptr_t)arg;
	pid_t tid = gettid();
	uint64_t k = 0;

	while (!CKPT_LOAD(mc_stop)) {
		pthread_mutex_lock(&mc_lock);
		mc_shared++;
		mc_own[i]++;
		pthread_mutex_unlock(&mc_lock);
		mc_step();
		if (!(++k & 1023))
			sched_yield();
	}
	CHILD_CHECK(1, gettid() == tid, "counter %d: tid %d, was %d", i,
		    (int)gettid(), (int)tid);
	return NULL;
}

static void *mc_producer(void *arg)
{
	int p = (int)(intptr_t)arg;
	pid_t tid = gettid();
	uint64_t seq = 0, item;

	for (;;) {
		item = ((uint64_t)p << 48) | ++seq;
		pthread_mutex_lock(&q_lock);
		while (q_len == MC_QCAP && !q_stop_producers)
			pthread_cond_wait(&q_not_full, &q_lock);
		if (q_stop_producers) {
			pthread_mutex_unlock(&q_lock);
			break;
		}
		q_items[(q_head + q_len) % MC_QCAP] = item;
		q_len++;
		pthread_cond_signal(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
		prod_n[p]++;
		prod_sum[p] += item;
		mc_step();
	}
	CHILD_CHECK(2, gettid() == tid, "producer %d: tid %d, was %d", p,
		    (int)gettid(), (int)tid);
	return NULL;
}

static void *mc_consumer(void *arg)
{
	uint64_t last[MC_PRODUCERS] = { 0 }, item, seq;
	int c = (int)(intptr_t)arg;
	pid_t tid = gettid();
	unsigned int p;

	for (;;) {
		pthread_mutex_lock(&q_lock);
		while (!q_len && !q_stop_consumers)
			pthread_cond_wait(&q_not_empty, &q_lock);
		if (!q_len) {
			pthread_mutex_unlock(&q_lock);
			break;
		}
		item = q_items[q_head];
		q_head = (q_head + 1) % MC_QCAP;
		q_len--;
		pthread_cond_signal(&q_not_full);
		pthread_mutex_unlock(&q_lock);
		/* The queue is FIFO: each producer's items come in order. */
		p = item >> 48;
		seq = item & MC_SEQ_MASK;
		CHILD_CHECK(3, p < MC_PRODUCERS && seq > last[p],
			    "consumer %d: item %#llx after %#llx", c,
			    (unsigned long long)item,
			    (unsigned long long)(p < MC_PRODUCERS ? last[p] : 0));
		last[p] = seq;
		cons_n[c]++;
		cons_sum[c] += item;
	}
	CHILD_CHECK(4, gettid() == tid, "consumer %d: tid %d, was %d", c,
		    (int)gettid(), (int)tid);
	return NULL;
}

/* Start the counters (and with @queue the producers and consumers). */
static void mc_start(pthread_t *t, bool queue)
{
	int i, k = 0;

	for (i = 0; i < MC_COUNTERS; i++)
		CHILD_CHECK(90, !pthread_create(&t[k++], NULL, mc_counter,
						(void *)(intptr_t)i), "pthread_create");
	if (!queue)
		return;
	for (i = 0; i < MC_PRODUCERS; i++)
		CHILD_CHECK(90, !pthread_create(&t[k++], NULL, mc_producer,
						(void *)(intptr_t)i), "pthread_create");
	for (i = 0; i < MC_CONSUMERS; i++)
		CHILD_CHECK(90, !pthread_create(&t[k++], NULL, mc_consumer,
						(void *)(intptr_t)i), "pthread_create");
}

/* Stop and join them all, then check the totals. */
static int mc_finish(pthread_t *t, bool queue)
{
	uint64_t own = 0, pn = 0, ps = 0, cn = 0, cs = 0;
	int i, k = 0, err;

	CKPT_STORE(mc_stop, 1);
	for (i = 0; i < MC_COUNTERS; i++, k++) {
		err = ckpt_join_timed(t[k], NULL, 30000);
		CHILD_CHECK(10, !err, "counter %d: join: %s", i, strerror(err));
		own += mc_own[i];
	}
	CHILD_CHECK(11, own == mc_shared && own,
		    "counted %llu in all, the counter says %llu",
		    (unsigned long long)own, (unsigned long long)mc_shared);
	if (!queue)
		return 0;
	pthread_mutex_lock(&q_lock);
	q_stop_producers = 1;
	pthread_cond_broadcast(&q_not_full);
	pthread_mutex_unlock(&q_lock);
	for (i = 0; i < MC_PRODUCERS; i++, k++) {
		err = ckpt_join_timed(t[k], NULL, 30000);
		CHILD_CHECK(12, !err, "producer %d: join: %s", i, strerror(err));
		pn += prod_n[i];
		ps += prod_sum[i];
	}
	pthread_mutex_lock(&q_lock);
	q_stop_consumers = 1;
	pthread_cond_broadcast(&q_not_empty);
	pthread_mutex_unlock(&q_lock);
	for (i = 0; i < MC_CONSUMERS; i++, k++) {
		err = ckpt_join_timed(t[k], NULL, 30000);
		CHILD_CHECK(13, !err, "consumer %d: join: %s", i, strerror(err));
		cn += cons_n[i];
		cs += cons_sum[i];
	}
	CHILD_CHECK(14, pn == cn && ps == cs && pn,
		    "produced %llu (sum %#llx), consumed %llu (sum %#llx)",
		    (unsigned long long)pn, (unsigned long long)ps,
		    (unsigned long long)cn, (unsigned long long)cs);
	return 0;
}

static int mc_main(void)
{
	pthread_t t[MC_THREADS];

	mc_start(t, true);
	ckpt_child_wait();
	return mc_finish(t, true);
}

/* The process is making progress right now. */
static bool mc_moving(pid_t pid)
{
	uint64_t p = ckpt_peek_u64(pid, &mc_progress);

	return p != (uint64_t)-1 &&
	       ckpt_wait_counter_past(pid, &mc_progress, p, 10000) > p &&
	       ckpt_peek_u64(pid, &mc_progress) != (uint64_t)-1;
}

static bool mc_still(pid_t pid)
{
	uint64_t p = ckpt_peek_u64(pid, &mc_progress);

	ckpt_sleep_ms(300);
	return p != (uint64_t)-1 && ckpt_peek_u64(pid, &mc_progress) == p;
}

TEST(eight_threads_on_mutexes_and_condvars_go_on_after_restart)
{
	struct ckpt_rec_header hdr;
	pid_t child, tids[MAX_TIDS];
	uint64_t at;
	int n, fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(mc_main);
	ASSERT_GT(child, 0);
	at = ckpt_wait_counter_past(child, &mc_progress, 20000, 20000);
	ASSERT_NE((uint64_t)-1, at);
	ASSERT_LT((uint64_t)20000, at) TH_LOG("the threads make no progress");
	n = ckpt_tids(child, tids, MAX_TIDS);
	ASSERT_EQ(MC_THREADS + 1, n);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(0, ckpt_image_header(fd, &hdr));
	EXPECT_EQ(1, (int)hdr.nr_tasks);
	EXPECT_EQ(MC_THREADS + 1, (int)hdr.nr_threads);

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, same_tids(child, tids, n));
	EXPECT_TRUE(mc_moving(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST(stop_stops_every_thread_and_the_image_restarts_running)
{
	pid_t child, tids[MAX_TIDS];
	int n, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(mc_main);
	ASSERT_GT(child, 0);
	ASSERT_TRUE(mc_moving(child));
	n = ckpt_tids(child, tids, MAX_TIDS);
	ASSERT_EQ(MC_THREADS + 1, n);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_STOP));

	for (i = 0; i < n; i++)
		EXPECT_EQ('T', ckpt_wait_state(tids[i], "T", 5000))
			TH_LOG("thread %d", tids[i]);
	EXPECT_TRUE(mc_still(child));
	ASSERT_EQ(0, kill(child, SIGCONT));
	EXPECT_TRUE(mc_moving(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, same_tids(child, tids, n));
	EXPECT_TRUE(mc_moving(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* --------------------------------------------------------------------
 * Per-thread state
 */

#define PT_N		6
#define PT_ALTSTACK	(64 * 1024)
#define PT_ONSTACK_SIG	(SIGRTMIN + 10)

struct pt_state {
	pid_t tid;
	unsigned long fs;
	void *robust;
	size_t robust_len;
	stack_t ss;
	sigset_t mask;
	char name[16];
	bool rseq;
};

static struct pt_state pt[PT_N];
static __thread uint64_t pt_tls_word;
static __thread char pt_tls_buf[256];
static __thread int pt_on_altstack;
static __thread uintptr_t pt_alt_lo, pt_alt_hi;
static uint32_t pt_go;
static int pt_ready;

static void *rseq_area(void)
{
	unsigned long tp;

	asm volatile("mov %%fs:0, %0" : "=r"(tp));
	return (void *)(tp + __rseq_offset);
}

/*
 * Is this thread's rseq area registered?  Registering it again gives
 * EBUSY if it is (and would register it if it is not).
 */
static bool rseq_registered(void)
{
	long r = syscall(SYS_rseq, rseq_area(), __rseq_size < 32 ? 32 : __rseq_size,
			 0, RSEQ_SIG);

	return r < 0 && errno == EBUSY;
}

/* Runs on the thread's alternate stack, wherever that is. */
static void pt_onstack_handler(int sig)
{
	char here;

	(void)sig;
	if ((uintptr_t)&here >= pt_alt_lo && (uintptr_t)&here < pt_alt_hi)
		CKPT_STORE(pt_on_altstack, 1);
}

static bool same_mask(const sigset_t *a, const sigset_t *b)
{
	int s;

	for (s = 1; s <= 64; s++)
		if (sigismember(a, s) != sigismember(b, s))
			return false;
	return true;
}

static void *pt_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct pt_state *s = &pt[i];
	struct timespec to = { 120, 0 }, *timeout = i == 0 ? &to : NULL;
	unsigned long fs = 0;
	char name[16], cur[16];
	sigset_t set, mask;
	void *robust = NULL;
	size_t robust_len = 0;
	stack_t ss;
	size_t k;
	long r;

	/* Make every thread's state its own. */
	s->tid = gettid();
	pt_tls_word = 0x7100000000ULL + i;
	memset(pt_tls_buf, 'a' + i, sizeof(pt_tls_buf));
	snprintf(s->name, sizeof(s->name), "ckpt-pt%d", i);
	CHILD_CHECK(90, !pthread_setname_np(pthread_self(), s->name), "setname");
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1 + i);
	if (i & 1)
		sigaddset(&set, SIGHUP);
	CHILD_CHECK(90, !pthread_sigmask(SIG_BLOCK, &set, NULL), "sigmask");
	pthread_sigmask(SIG_BLOCK, NULL, &s->mask);
	ss.ss_size = PT_ALTSTACK + i * 4096;
	ss.ss_sp = malloc(ss.ss_size);
	ss.ss_flags = (i & 1) ? (int)SS_AUTODISARM : 0;
	CHILD_CHECK(90, ss.ss_sp && !sigaltstack(&ss, NULL), "sigaltstack: %s",
		    strerror(errno));
	sigaltstack(NULL, &s->ss);
	pt_alt_lo = (uintptr_t)ss.ss_sp;
	pt_alt_hi = pt_alt_lo + ss.ss_size;
	CHILD_CHECK(90, !syscall(SYS_arch_prctl, ARCH_GET_FS, &s->fs), "ARCH_GET_FS");
	CHILD_CHECK(90, !syscall(SYS_get_robust_list, 0, &s->robust,
				 &s->robust_len) && s->robust,
		    "no robust list: %s", strerror(errno));
	s->rseq = rseq_registered();
	CHILD_CHECK(90, s->rseq, "thread %d: rseq not registered by the C library", i);
	__atomic_add_fetch(&pt_ready, 1, __ATOMIC_SEQ_CST);

	/* Thread 0 waits with a timeout, the others without. */
	while (!CKPT_LOAD(pt_go)) {
		errno = 0;
		r = ckpt_futex_wait(&pt_go, 0, timeout);
		CHILD_CHECK(1, r == 0 || errno == EAGAIN,
			    "thread %d: futex wait%s: %ld (%s)", i,
			    timeout ? " with a timeout" : "", r, strerror(errno));
		CHILD_CHECK(1, CKPT_LOAD(pt_go),
			    "thread %d: futex wait returned, nobody woke it", i);
	}

	/* Everything as it was. */
	CHILD_CHECK(2, gettid() == s->tid, "thread %d: tid %d, was %d", i,
		    (int)gettid(), (int)s->tid);
	CHILD_CHECK(3, pt_tls_word == 0x7100000000ULL + (uint64_t)i,
		    "thread %d: TLS word %#llx", i,
		    (unsigned long long)pt_tls_word);
	for (k = 0; k < sizeof(pt_tls_buf); k++)
		CHILD_CHECK(3, pt_tls_buf[k] == 'a' + i, "thread %d: TLS byte %zu",
			    i, k);
	CHILD_CHECK(4, !syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) && fs == s->fs &&
		    fs == (unsigned long)pthread_self(),
		    "thread %d: fs base %#lx, was %#lx", i, fs, s->fs);
	CHILD_CHECK(5, !prctl(PR_GET_NAME, cur) && !strcmp(cur, s->name) &&
		    !pthread_getname_np(pthread_self(), name, sizeof(name)) &&
		    !strcmp(name, s->name),
		    "thread %d: name \"%s\", was \"%s\"", i, cur, s->name);
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	CHILD_CHECK(6, same_mask(&mask, &s->mask), "thread %d: signal mask", i);
	CHILD_CHECK(7, !sigaltstack(NULL, &ss) && ss.ss_sp == s->ss.ss_sp &&
		    ss.ss_size == s->ss.ss_size && ss.ss_flags == s->ss.ss_flags,
		    "thread %d: altstack %p/%zu/%#x, was %p/%zu/%#x", i, ss.ss_sp,
		    ss.ss_size, ss.ss_flags, s->ss.ss_sp, s->ss.ss_size,
		    s->ss.ss_flags);
	syscall(SYS_tgkill, getpid(), gettid(), PT_ONSTACK_SIG);
	CHILD_CHECK(7, CKPT_LOAD(pt_on_altstack),
		    "thread %d: handler not on the altstack", i);
	CHILD_CHECK(8, !syscall(SYS_get_robust_list, 0, &robust, &robust_len) &&
		    robust == s->robust && robust_len == s->robust_len,
		    "thread %d: robust list %p/%zu, was %p/%zu", i, robust,
		    robust_len, s->robust, s->robust_len);
	CHILD_CHECK(9, rseq_registered(), "thread %d: rseq not registered", i);
	CHILD_CHECK(9, ((struct rseq *)rseq_area())->cpu_id < (uint32_t)CPU_SETSIZE,
		    "thread %d: rseq cpu_id %d", i,
		    (int)((struct rseq *)rseq_area())->cpu_id);
	return NULL;
}

static int pt_main(void)
{
	pthread_t t[PT_N];
	struct sigaction sa;
	int i, err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pt_onstack_handler;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(90, !sigaction(PT_ONSTACK_SIG, &sa, NULL), "sigaction");
	for (i = 0; i < PT_N; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], NULL, pt_thread,
						(void *)(intptr_t)i), "pthread_create");
	ckpt_wait_count(&pt_ready, PT_N);
	ckpt_child_wait();
	CKPT_STORE(pt_go, 1);
	ckpt_futex_wake_all(&pt_go);
	for (i = 0; i < PT_N; i++) {
		err = ckpt_join_timed(t[i], NULL, 30000);
		CHILD_CHECK(20, !err, "thread %d: join: %s", i, strerror(err));
	}
	return 0;
}

TEST(per_thread_state_comes_back_with_each_thread)
{
	struct outside before[MAX_TIDS], after[MAX_TIDS];
	pid_t child;
	int n, m, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	if (!__rseq_size)
		SKIP(return, "the C library does not register rseq");
	child = ckpt_spawn_main(pt_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	n = look_at_threads(child, before, MAX_TIDS);
	ASSERT_EQ(PT_N + 1, n);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));

	/* Back in their futex waits, every thread as it was. */
	EXPECT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	m = look_at_threads(child, after, MAX_TIDS);
	ASSERT_EQ(n, m);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(before[i].tid, after[i].tid);
		EXPECT_STREQ(before[i].name, after[i].name);
		/* The main thread's mask is sigsuspend()'s, for a moment. */
		if (before[i].tid != child)
			EXPECT_EQ(before[i].sigblk, after[i].sigblk)
				TH_LOG("thread %d", before[i].tid);
		EXPECT_EQ(before[i].sigpnd, after[i].sigpnd);
		EXPECT_EQ(before[i].shdpnd, after[i].shdpnd);
		EXPECT_NE((void *)-1, after[i].robust);
		EXPECT_EQ(before[i].robust, after[i].robust)
			TH_LOG("thread %d", before[i].tid);
		EXPECT_EQ(before[i].robust_len, after[i].robust_len);
	}
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* --------------------------------------------------------------------
 * Futex waits
 */

#define FW_SHORT_S	6	/* expires after the restart */

static uint32_t fw_word, fw_never;
static int fw_ready;
static long fw_ret[3];
static int fw_err[3];
static uint64_t fw_ns[3];
static pid_t fw_tid[3];

static void *fw_thread(void *arg)
{
	static const struct timespec long_to = { 120, 0 };
	static const struct timespec short_to = { FW_SHORT_S, 0 };
	int i = (int)(intptr_t)arg;
	struct timespec t0;

	fw_tid[i] = gettid();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	__atomic_add_fetch(&fw_ready, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	switch (i) {
	case 0:		/* no timeout, woken */
		fw_ret[i] = ckpt_futex_wait(&fw_word, 0, NULL);
		break;
	case 1:		/* a long timeout, woken */
		fw_ret[i] = ckpt_futex_wait(&fw_word, 0, &long_to);
		break;
	default:	/* a short one, never woken */
		fw_ret[i] = ckpt_futex_wait(&fw_never, 0, &short_to);
		break;
	}
	fw_err[i] = errno;
	fw_ns[i] = ns_since(&t0);
	return NULL;
}

static int fw_main(void)
{
	pthread_t t[3];
	int i, err;

	for (i = 0; i < 3; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], NULL, fw_thread,
						(void *)(intptr_t)i), "pthread_create");
	ckpt_wait_count(&fw_ready, 3);
	ckpt_child_wait();
	/* Nothing came back before we woke them (the short one may have). */
	CHILD_CHECK(1, !fw_ret[0] && !fw_ret[1] && !fw_ns[0] && !fw_ns[1],
		    "a futex wait returned before the wake: %ld (%s), %ld (%s)",
		    fw_ret[0], strerror(fw_err[0]), fw_ret[1], strerror(fw_err[1]));
	CKPT_STORE(fw_word, 1);
	ckpt_futex_wake_all(&fw_word);
	for (i = 0; i < 3; i++) {
		err = ckpt_join_timed(t[i], NULL, 30000);
		CHILD_CHECK(2, !err, "thread %d: join: %s", i, strerror(err));
	}
	for (i = 0; i < 2; i++)
		CHILD_CHECK(3, fw_ret[i] == 0, "thread %d: futex wait: %ld (%s)", i,
			    fw_ret[i], strerror(fw_err[i]));
	CHILD_CHECK(4, fw_ret[2] == -1 && fw_err[2] == ETIMEDOUT,
		    "short futex wait: %ld (%s), expected ETIMEDOUT", fw_ret[2],
		    strerror(fw_err[2]));
	CHILD_CHECK(5, fw_ns[2] >= FW_SHORT_S * 1000000000ULL - 20000000,
		    "short futex wait: %llu ms, expected %d s",
		    (unsigned long long)fw_ns[2] / 1000000, FW_SHORT_S);
	return 0;
}

/* The CKPT_REC_THREAD of @tid in the image, or NULL. */
static const struct ckpt_rec_thread *image_thread(const void *img, size_t len,
						  pid_t tid)
{
	const struct ckpt_rec_thread *t;
	size_t off = 0;

	while ((t = (const void *)ckpt_image_next(img, len, &off,
						  CKPT_REC_THREAD)))
		if (t->h.len >= sizeof(*t) && t->tid == tid)
			return t;
	return NULL;
}

TEST(futex_waits_resume_without_eintr)
{
	const struct ckpt_rec_thread *t;
	pid_t child, tids[MAX_TIDS], ft[3];
	size_t len = 0;
	int n, fd, i;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(fw_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	ASSERT_EQ(0, ckpt_peek(child, fw_tid, ft, sizeof(ft)));
	n = ckpt_tids(child, tids, MAX_TIDS);
	ASSERT_EQ(4, n);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));

	/* The timed waits were saved with the time they had left. */
	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img);
	for (i = 0; i < 3; i++) {
		t = image_thread(img, len, ft[i]);
		ASSERT_NE(NULL, t) TH_LOG("no thread %d in the image", ft[i]);
		TH_LOG("thread %d: restart kind %u, %lld ns left", ft[i],
		       t->restart.kind, (long long)t->restart.remaining_ns);
		if (i == 0)
			continue;
		EXPECT_EQ(CKPT_RESTART_FUTEX, (int)t->restart.kind);
		EXPECT_LT(0, t->restart.remaining_ns);
		EXPECT_GE((i == 1 ? 120LL : FW_SHORT_S) * 1000000000LL,
			  t->restart.remaining_ns);
	}
	free(img);

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, same_tids(child, tids, n));
	/* Back in their waits; the process checks how they end. */
	EXPECT_EQ(0, ckpt_wait_threads_state(child, "S", 5000));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* --------------------------------------------------------------------
 * A signal pending on one thread
 */

#define SG_N		4
#define SG_TARGET	2

static pid_t sg_tid[SG_N], sg_sender;
static int sg_ready, sg_count;
static uint32_t sg_go;
static pid_t sg_handled_on;
static siginfo_t sg_info;

static void sg_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	(void)sig;
	sg_handled_on = gettid();
	sg_info = *si;
	__atomic_add_fetch(&sg_count, 1, __ATOMIC_SEQ_CST);
}

static void *sg_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	sigset_t set;

	sg_tid[i] = gettid();
	__atomic_add_fetch(&sg_ready, 1, __ATOMIC_SEQ_CST);
	while (!CKPT_LOAD(sg_go))
		ckpt_futex_wait(&sg_go, 0, NULL);
	/* SIGUSR1 was blocked since the start: unblock it now. */
	CHILD_CHECK(1, !CKPT_LOAD(sg_count) || i != SG_TARGET,
		    "SIGUSR1 handled while blocked");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (i != SG_TARGET)
		return NULL;
	CHILD_CHECK(2, CKPT_LOAD(sg_count) == 1 && sg_handled_on == gettid(),
		    "the signal for thread %d: %d handled, on thread %d",
		    (int)gettid(), CKPT_LOAD(sg_count), (int)sg_handled_on);
	CHILD_CHECK(3, sg_info.si_signo == SIGUSR1 && sg_info.si_code == SI_TKILL &&
		    sg_info.si_pid == sg_sender,
		    "siginfo: signo %d code %d pid %d, expected %d %d %d",
		    sg_info.si_signo, sg_info.si_code, (int)sg_info.si_pid,
		    SIGUSR1, SI_TKILL, (int)sg_sender);
	return NULL;
}

static int sg_main(void)
{
	struct sigaction sa;
	pthread_t t[SG_N];
	sigset_t set;
	int i, err;

	sg_sender = getppid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sg_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(90, !sigaction(SIGUSR1, &sa, NULL), "sigaction");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(90, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	for (i = 0; i < SG_N; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], NULL, sg_thread,
						(void *)(intptr_t)i), "pthread_create");
	ckpt_wait_count(&sg_ready, SG_N);
	ckpt_child_wait();
	CKPT_STORE(sg_go, 1);
	ckpt_futex_wake_all(&sg_go);
	for (i = 0; i < SG_N; i++) {
		err = ckpt_join_timed(t[i], NULL, 30000);
		CHILD_CHECK(10, !err, "thread %d: join: %s", i, strerror(err));
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	CHILD_CHECK(11, CKPT_LOAD(sg_count) == 1, "SIGUSR1 handled %d times",
		    CKPT_LOAD(sg_count));
	return 0;
}

/* SIGUSR1 pending on @target only, not process-wide. */
static int pending_on(pid_t pid, pid_t target)
{
	pid_t tids[MAX_TIDS];
	uint64_t pnd, shd;
	int n, i, bad = 0;
	bool want, has;

	n = ckpt_tids(pid, tids, MAX_TIDS);
	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		pnd = status_mask(tids[i], "SigPnd");
		shd = status_mask(tids[i], "ShdPnd");
		want = tids[i] == target;
		has = pnd & sigbit(SIGUSR1);
		if (has != want || (shd & sigbit(SIGUSR1))) {
			ckpt_msg("thread %d: SigPnd %#llx ShdPnd %#llx", tids[i],
				 (unsigned long long)pnd, (unsigned long long)shd);
			bad++;
		}
	}
	return bad;
}

TEST(tgkill_to_a_blocking_thread_stays_with_that_thread)
{
	pid_t child, target = 0, tids[MAX_TIDS];
	int n, fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(sg_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	ASSERT_EQ(0, ckpt_peek(child, &sg_tid[SG_TARGET], &target, sizeof(target)));
	ASSERT_GT(target, 0);
	ASSERT_NE(child, target);
	ASSERT_EQ(0, syscall(SYS_tgkill, child, target, SIGUSR1));
	ASSERT_EQ(0, pending_on(child, target));
	n = ckpt_tids(child, tids, MAX_TIDS);
	ASSERT_EQ(SG_N + 1, n);

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, same_tids(child, tids, n));
	EXPECT_EQ(0, pending_on(child, target));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* --------------------------------------------------------------------
 * Many threads
 */

#define BIG_N		64

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t big_cond = PTHREAD_COND_INITIALIZER;
static int big_ready, big_go;
static __thread int big_tls;

static void *big_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	pid_t tid = gettid();
	char name[16], cur[16];

	big_tls = 1000 + i;
	snprintf(name, sizeof(name), "ckpt-big%02d", i);
	CHILD_CHECK(90, !pthread_setname_np(pthread_self(), name), "setname");
	pthread_mutex_lock(&big_lock);
	big_ready++;
	while (!big_go)
		pthread_cond_wait(&big_cond, &big_lock);
	pthread_mutex_unlock(&big_lock);
	CHILD_CHECK(1, gettid() == tid, "thread %d: tid %d, was %d", i,
		    (int)gettid(), (int)tid);
	CHILD_CHECK(2, big_tls == 1000 + i, "thread %d: TLS %d", i, big_tls);
	CHILD_CHECK(3, !prctl(PR_GET_NAME, cur) && !strcmp(cur, name),
		    "thread %d: name %s", i, cur);
	return NULL;
}

static int big_main(void)
{
	pthread_t t[BIG_N];
	pthread_attr_t attr;
	int i, err;

	CHILD_CHECK(90, !pthread_attr_init(&attr) &&
		    !pthread_attr_setstacksize(&attr, 128 * 1024), "attr");
	for (i = 0; i < BIG_N; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], &attr, big_thread,
						(void *)(intptr_t)i), "pthread_create %d", i);
	for (i = 0; i < 10000; i++) {
		pthread_mutex_lock(&big_lock);
		err = big_ready;
		pthread_mutex_unlock(&big_lock);
		if (err == BIG_N)
			break;
		usleep(1000);
	}
	CHILD_CHECK(91, err == BIG_N, "%d threads ready", err);
	ckpt_child_wait();
	pthread_mutex_lock(&big_lock);
	big_go = 1;
	pthread_cond_broadcast(&big_cond);
	pthread_mutex_unlock(&big_lock);
	for (i = 0; i < BIG_N; i++) {
		err = ckpt_join_timed(t[i], NULL, 30000);
		CHILD_CHECK(10, !err, "thread %d: join: %s", i, strerror(err));
	}
	return 0;
}

TEST(sixty_four_threads_come_back)
{
	struct ckpt_rec_header hdr;
	pid_t child, tids[MAX_TIDS];
	int n, fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(big_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 20000));
	n = ckpt_tids(child, tids, MAX_TIDS);
	ASSERT_EQ(BIG_N + 1, n);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(0, ckpt_image_header(fd, &hdr));
	EXPECT_EQ(BIG_N + 1, (int)hdr.nr_threads);

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, same_tids(child, tids, n));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* --------------------------------------------------------------------
 * Threads in a job, and a multi-threaded process checkpointing itself
 */

#define MT_PROCS	3

/* A job member with MC_COUNTERS counting threads. */
static int mt_member(void *arg)
{
	pthread_t t[MC_COUNTERS];

	mc_start(t, false);
	ckpt_member_wait((int)(intptr_t)arg);
	CHILD_CHECK(30, getpid() == ckpt_me.pid && getpgrp() == ckpt_me.pgid,
		    "pid %d group %d, were %d %d", (int)getpid(), (int)getpgrp(),
		    (int)ckpt_me.pid, (int)ckpt_me.pgid);
	return mc_finish(t, false);
}

TEST(group_of_multithreaded_processes_comes_back)
{
	struct ckpt_member m[MT_PROCS];
	pid_t tids[MT_PROCS][MAX_TIDS], leader = 0, pid;
	struct ckpt_rec_header hdr;
	int nt[MT_PROCS], n = 0, i, fd;

	if (!ckpt_preamble(_metadata))
		return;
	for (i = 0; i < MT_PROCS; i++) {
		pid = ckpt_job_spawn(mt_member, (void *)(intptr_t)i, leader,
				     NULL, 0, m, &n, MT_PROCS);
		ASSERT_GT(pid, 0);
		if (!i)
			leader = pid;
	}
	for (i = 0; i < MT_PROCS; i++) {
		ASSERT_TRUE(mc_moving(m[i].pid));
		nt[i] = ckpt_tids(m[i].pid, tids[i], MAX_TIDS);
		ASSERT_EQ(MC_COUNTERS + 1, nt[i]);
	}
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(leader, fd, CKPT_PGRP | CKPT_KILL));
	for (i = 0; i < MT_PROCS; i++)
		EXPECT_EQ(128 + SIGKILL, ckpt_reap(m[i].pid));
	ASSERT_EQ(0, ckpt_image_header(fd, &hdr));
	EXPECT_EQ(MT_PROCS, (int)hdr.nr_tasks);
	EXPECT_EQ(MT_PROCS * (MC_COUNTERS + 1), (int)hdr.nr_threads);

	ASSERT_EQ(leader, ckpt_restart(fd, 0));
	for (i = 0; i < MT_PROCS; i++) {
		EXPECT_EQ(0, ckpt_member_intact(&m[i], "RS"));
		EXPECT_EQ(0, same_tids(m[i].pid, tids[i], nt[i]));
		EXPECT_TRUE(mc_moving(m[i].pid));
	}
	ASSERT_EQ(0, kill(-leader, CKPT_WAKE_SIG));
	for (i = 0; i < MT_PROCS; i++)
		EXPECT_EQ(0, ckpt_reap(m[i].pid));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int self_mt_main(void)
{
	pid_t tids[4];
	pthread_t t;
	int fd;
	long r;

	CHILD_CHECK(90, !pthread_create(&t, NULL, idle_thread, NULL),
		    "pthread_create");
	fd = ckpt_image_open();
	CHILD_CHECK(90, fd >= 0, "image");
	ckpt_child_ready();
	errno = 0;
	r = checkpoint(0, fd, CKPT_CONTINUE, 2);
	CHILD_CHECK(1, r == -1, "checkpoint(0) with two threads gave %ld", r);
	CHILD_CHECK(2, errno == EINVAL || errno == EOPNOTSUPP,
		    "checkpoint(0) with two threads: %s", strerror(errno));
	/* And we go on as if nothing happened. */
	CHILD_CHECK(3, ckpt_tids(getpid(), tids, 4) == 2, "threads lost");
	CHILD_CHECK(4, ckpt_proc_state(tids[1]) == 'S', "the other thread: state %c",
		    ckpt_proc_state(tids[1]) ?: '?');
	return 0;
}

TEST(multithreaded_process_cannot_checkpoint_itself)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(self_mt_main);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_reap(child));
}

TEST_HARNESS_MAIN
