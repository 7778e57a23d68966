// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: POSIX timers.  The POSIX_TIMERS record (a process's
 * timer_create(2) timers: id, clock, notification, time left, interval,
 * overruns and a queued signal), right after its TIMERS record when that
 * counts any.
 *
 * A timer that signals a thread (SIGEV_THREAD_ID), or times one (a
 * thread's CPU-time clock), names it by tid; restart finds that thread
 * among the process's once they exist, so ptimer_check_threads(), at the
 * process's TASK_END, checks the tids against its THREAD records.
 */
#include <stdlib.h>

#include "ckptinfo.h"

#define SIGEV_SIGNAL_NR		0
#define SIGEV_NONE_NR		1
#define SIGEV_THREAD_ID_NR	4
#define CLOCK_THREAD_CPUTIME_NR	3

/* A clock < 0: a CPU-time clock named by pid or tid, or a clock fd */
#define CPUCLOCK_WHICH_MASK	3	/* CPUCLOCK_PROF, _VIRT, _SCHED */
#define CPUCLOCK_PERTHREAD_BIT	4
#define CLOCKFD_NR		3	/* with the bits above: a clock fd */

static const struct flag_name ptimer_flags[] = {
	{ CKPT_PTIMER_ABS, "abs" },
	{ CKPT_PTIMER_PENDING, "pending" },
	{ 0, NULL }
};

/*
 * Can timer_create(2) make a timer on @clock?  Not on CLOCK_MONOTONIC_RAW,
 * the coarse clocks, a clock fd (a dynamic clock), or a CPU-time clock
 * with no valid CPUCLOCK_WHICH: restart's timer_create() fails there.
 */
static int timer_clock(__s32 clock)
{
	static const __u32 ok = 1U << 0 | 1U << 1 | 1U << 2 | 1U << 3 | 1U << 7 | 1U << 8 |
				1U << 9 | 1U << 11;

	if (clock < 0)
		return (clock & CPUCLOCK_WHICH_MASK) != CLOCKFD_NR;
	return clock < 32 && (ok & (1U << clock));
}

/* Does @clock time one thread, as restart's ckpt_thread_clock() says? */
static int thread_clock(__s32 clock)
{
	return clock == CLOCK_THREAD_CPUTIME_NR || (clock < 0 && (clock & CPUCLOCK_PERTHREAD_BIT));
}

/*
 * The name of a timer's clock: "CLOCK_MONOTONIC", "thread-cpu:4701:sched"
 * for the CPU-time clock of a thread named by its tid (process-cpu: of a
 * process by its pid), "fd:3" for a clock fd; @buf holds it if need be
 */
static const char *ptimer_clock(__s32 clock, char *buf, size_t size)
{
	static const char *const which[] = { "prof", "virt", "sched" };
	int id = ~(clock >> 3);

	if (clock >= 0)
		return clock_name(clock, buf, size);
	if ((clock & (CPUCLOCK_WHICH_MASK | CPUCLOCK_PERTHREAD_BIT)) == CLOCKFD_NR)
		snprintf(buf, size, "fd:%d", id);
	else if ((clock & CPUCLOCK_WHICH_MASK) == CLOCKFD_NR)
		snprintf(buf, size, "clock%d", clock);
	else
		snprintf(buf, size, "%s-cpu:%d:%s",
			 clock & CPUCLOCK_PERTHREAD_BIT ? "thread" : "process", id,
			 which[clock & CPUCLOCK_WHICH_MASK]);
	return buf;
}

static const char *notify_name(__s32 notify)
{
	switch (notify) {
	case SIGEV_SIGNAL_NR:
		return "SIGEV_SIGNAL";
	case SIGEV_NONE_NR:
		return "SIGEV_NONE";
	case SIGEV_THREAD_ID_NR | SIGEV_SIGNAL_NR:
		return "SIGEV_THREAD_ID";
	}
	return "?";
}

/* Timer @n (from 1) of the record, checked as restart's ckpt_ptimer_ok() does */
static int check_ptimer(struct img *im, __u32 n, const struct ckpt_posix_timer *pt)
{
	int how = pt->notify & ~SIGEV_THREAD_ID_NR;
	char clk[48];

	if (pt->id < 0)
		return bad(im, "timer %u: id %d is negative", n, pt->id);
	if (pt->value_ns < 0)
		return bad(im, "timer %u: value_ns %lld is negative", n, (__s64)pt->value_ns);
	if (pt->interval_ns < 0)
		return bad(im, "timer %u: interval_ns %lld is negative", n, (__s64)pt->interval_ns);
	if (pt->flags & ~CKPT_PTIMER_FLAGS_ALL)
		return bad(im, "timer %u: unknown flags 0x%x", n,
			   pt->flags & ~CKPT_PTIMER_FLAGS_ALL);
	if (pt->overrun < -1)
		return bad(im, "timer %u: overrun %lld is below -1 (none)", n, (__s64)pt->overrun);
	if (pt->overrun_last < 0)
		return bad(im, "timer %u: overrun_last %lld is negative", n,
			   (__s64)pt->overrun_last);
	if ((how != SIGEV_SIGNAL_NR && how != SIGEV_NONE_NR) ||
	    ((pt->notify & SIGEV_THREAD_ID_NR) && how != SIGEV_SIGNAL_NR))
		return bad(im,
			   "timer %u: notify %d: not SIGEV_SIGNAL (0), SIGEV_NONE (1) or SIGEV_THREAD_ID | SIGEV_SIGNAL (4)",
			   n, pt->notify);
	if ((pt->notify & SIGEV_THREAD_ID_NR) && pt->tid <= 0)
		return bad(im, "timer %u: SIGEV_THREAD_ID, but tid %d", n, pt->tid);
	if (!(pt->notify & SIGEV_THREAD_ID_NR) && pt->tid)
		return bad(im, "timer %u: tid %d without SIGEV_THREAD_ID", n, pt->tid);
	if (how == SIGEV_SIGNAL_NR && (pt->signo <= 0 || (__u32)pt->signo > im->hdr.nsig))
		return bad(im, "timer %u: signo %d is not a signal (1..%u)", n, pt->signo,
			   im->hdr.nsig);
	if (thread_clock(pt->clock) && !pt->cpu_tid)
		return bad(im, "timer %u: clock %s times a thread, but cpu_tid 0", n,
			   ptimer_clock(pt->clock, clk, sizeof(clk)));
	if (!thread_clock(pt->clock) && pt->cpu_tid)
		return bad(im, "timer %u: cpu_tid %d, but clock %s does not time a thread", n,
			   pt->cpu_tid, ptimer_clock(pt->clock, clk, sizeof(clk)));
	if (pt->cpu_tid < 0)
		return bad(im, "timer %u: cpu_tid %d is negative", n, pt->cpu_tid);
	if ((pt->flags & CKPT_PTIMER_PENDING) && how == SIGEV_NONE_NR)
		return bad(im, "timer %u: flag pending, but SIGEV_NONE sends no signal", n);
	if (!timer_clock(pt->clock))
		return bad(im, "timer %u: clock %s: timer_create(2) makes no timer on it", n,
			   ptimer_clock(pt->clock, clk, sizeof(clk)));
	return 0;
}

/* Keep the tids a timer names, for ptimer_check_threads() */
static int keep_ptimer(struct img *im, __u32 n, const struct ckpt_posix_timer *pt)
{
	struct ptimer_ent *e;

	if (!pt->tid && !pt->cpu_tid)
		return 0;
	if (grow((void **)&im->ptimers, im->nr_ptimer_ents, &im->ptimers_size,
		 sizeof(*im->ptimers)))
		return nomem(im);
	e = &im->ptimers[im->nr_ptimer_ents++];
	e->nr = n;
	e->tid = pt->tid;
	e->cpu_tid = pt->cpu_tid;
	return 0;
}

/* Every timer, and no id twice; @ids: id + 1 -> the timer's number */
static int check_ptimers(struct img *im, const struct ckpt_rec_posix_timers *r,
			 struct idset *ids)
{
	__u32 i, other;
	int added;

	for (i = 0; i < r->nr; i++) {
		if (check_ptimer(im, i + 1, &r->timers[i]))
			return -1;
		added = idset_put(ids, (__u32)r->timers[i].id + 1, i + 1);
		if (added < 0)
			return nomem(im);
		if (!added && idset_get(ids, (__u32)r->timers[i].id + 1, &other))
			return bad(im, "timer %u: id %d is also timer %u's", i + 1,
				   r->timers[i].id, other);
		if (keep_ptimer(im, i + 1, &r->timers[i]))
			return -1;
	}
	return 0;
}

static void print_ptimer(struct img *im, const struct ckpt_posix_timer *pt)
{
	int how = pt->notify & ~SIGEV_THREAD_ID_NR;
	char clk[48], sig[32];

	sub_begin(im, "timer:");
	fs(im, "id", pt->id);
	fword(im, "clock", ptimer_clock(pt->clock, clk, sizeof(clk)));
	if (pt->cpu_tid)
		fs(im, "cpu_tid", pt->cpu_tid);
	fword(im, "notify", notify_name(pt->notify));
	if (how == SIGEV_SIGNAL_NR)
		fword(im, "signo", sig_name((__u32)pt->signo, sig, sizeof(sig)));
	if (pt->tid)
		fs(im, "tid", pt->tid);
	fx(im, "sigev_value", pt->value);
	fns(im, "value", (__u64)pt->value_ns);
	fns(im, "interval", (__u64)pt->interval_ns);
	fs(im, "overrun", pt->overrun);
	fs(im, "overrun_last", pt->overrun_last);
	fflags(im, "flags", pt->flags, ptimer_flags);
	if (pt->flags & CKPT_PTIMER_PENDING)
		fs(im, "pending_overrun", pt->pending_overrun);
	sub_end(im);
}

int decode_posix_timers(struct img *im)
{
	struct ckpt_rec_posix_timers *r = (void *)im->buf;
	struct idset ids = { NULL };
	__u32 i;
	int err;

	if (check_min(im, sizeof(*r)))
		return -1;
	if (r->nr != im->nr_posix)
		return bad(im, "nr %u differs from the TIMERS record's nr_posix %u", r->nr,
			   im->nr_posix);
	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (check_len(im, sizeof(*r) + (__u64)r->nr * sizeof(r->timers[0]), "nr"))
		return -1;
	err = check_ptimers(im, r, &ids);
	free(ids.slot);
	free(ids.val);
	if (err)
		return -1;
	im->ptimers_off = im->rec_off;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr", r->nr);
	list_begin(im, "timers");
	for (i = 0; i < r->nr; i++)
		print_ptimer(im, &r->timers[i]);
	list_end(im);
	rec_end(im);
	files_begin(im);
	return 0;
}

/* Is @tid a thread of the process being decoded, its leader included? */
static int own_thread(struct img *im, __s32 tid)
{
	__u32 v;

	return tid > 0 && idset_get(&im->tids, (__u32)tid, &v) && v == im->tasks_done;
}

/**
 * ptimer_check_threads - at a process's TASK_END, the threads its POSIX
 * timers signal or time are its own
 * @im: the image, at the TASK_END record
 *
 * Restart looks each tid up among the threads of the process it has
 * restored, and fails without it; a problem is reported at the
 * POSIX_TIMERS record.
 *
 * Return: 0, or -1 once bad() has said what is wrong.
 */
int ptimer_check_threads(struct img *im)
{
	const struct ptimer_ent *e;
	size_t k;

	for (k = 0; k < im->nr_ptimer_ents; k++) {
		e = &im->ptimers[k];
		if (e->tid && !own_thread(im, e->tid)) {
			im->rec_off = im->ptimers_off;
			im->rec_type = CKPT_REC_POSIX_TIMERS;
			return bad(im,
				   "timer %u: tid %d, which it signals, is not a thread of the process",
				   e->nr, e->tid);
		}
		if (e->cpu_tid && !own_thread(im, e->cpu_tid)) {
			im->rec_off = im->ptimers_off;
			im->rec_type = CKPT_REC_POSIX_TIMERS;
			return bad(im,
				   "timer %u: cpu_tid %d, whose CPU time it counts, is not a thread of the process",
				   e->nr, e->cpu_tid);
		}
	}
	return 0;
}
