// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the SCHED record, a thread's scheduling attributes (policy,
 * nice, priorities, affinity, I/O priority, timer slack) and its
 * process's OOM score adjustment.  The ACCT record follows it.
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

static const char *const policy_names[] = {
	[0] = "SCHED_OTHER", [1] = "SCHED_FIFO", [2] = "SCHED_RR",
	[3] = "SCHED_BATCH", [5] = "SCHED_IDLE", [6] = "SCHED_DEADLINE",
};

/*
 * The affinity as CPU ranges ("0-3,8"), or "all".  Each CPU is written at
 * most once, in at most 5 bytes ("1023,"): CPU_LIST_MAX holds any mask.
 */
#define CPU_LIST_MAX	(CKPT_MAX_CPUS * 5 + 1)

static void cpu_list(const struct ckpt_rec_sched *r, char *buf, size_t size)
{
	size_t n = 0;
	int cpu, first = -1;

	buf[0] = 0;
	if (r->flags & CKPT_SCHED_ALL_CPUS) {
		snprintf(buf, size, "all");
		return;
	}
	for (cpu = 0; cpu <= CKPT_MAX_CPUS; cpu++) {
		int set = cpu < CKPT_MAX_CPUS && (r->cpus[cpu / 64] >> (cpu % 64) & 1);

		if (set && first < 0)
			first = cpu;
		if (set || first < 0 || n >= size)
			continue;
		n += snprintf(buf + n, size - n, "%s%d", n ? "," : "", first);
		if (n < size && cpu - 1 > first)
			n += snprintf(buf + n, size - n, "-%d", cpu - 1);
		first = -1;
	}
	if (!n)
		snprintf(buf, size, "none");
}

int decode_sched(struct img *im)
{
	struct ckpt_rec_sched *r = (void *)im->buf;
	int rt, dl, fair, empty = 1;
	char cpus[5 + CPU_LIST_MAX];	/* "cpus=" and the list */
	size_t i;

	if (check_len(im, sizeof(*r), "the SCHED record"))
		return -1;
	rt = r->policy == 1 || r->policy == 2;
	dl = r->policy == 6;
	fair = r->policy == 0 || r->policy == 3;
	if (r->policy >= ARRAY_SIZE(policy_names) || !policy_names[r->policy])
		return bad(im, "unknown scheduling policy %u", r->policy);
	if (r->flags & ~CKPT_SCHED_FLAGS_ALL)
		return bad(im, "unknown flags %#x", r->flags & ~CKPT_SCHED_FLAGS_ALL);
	if ((r->flags & CKPT_SCHED_DL_OVERRUN) && !dl)
		return bad(im, "DL_OVERRUN without SCHED_DEADLINE");
	if (r->nice < -20 || r->nice > 19)
		return bad(im, "nice %d is outside -20..19", r->nice);
	if (rt ? r->rt_priority < 1 || r->rt_priority > 99 : r->rt_priority != 0)
		return bad(im, "real-time priority %u with policy %s", r->rt_priority,
			   policy_names[r->policy]);
	if (!dl && (r->dl_deadline || r->dl_period || (!fair && r->dl_runtime)))
		return bad(im, "deadline parameters without SCHED_DEADLINE");
	/* What sched_setattr(2) takes: 1024 ns <= runtime <= deadline <= period (or 0). */
	if (dl && (r->dl_runtime < 1024 || r->dl_deadline < r->dl_runtime ||
		   (r->dl_period && r->dl_period < r->dl_deadline) ||
		   (r->dl_deadline | r->dl_period) >> 63))
		return bad(im,
			   "deadline parameters runtime %llu, deadline %llu, period %llu ns out of order",
			   (__u64)r->dl_runtime, (__u64)r->dl_deadline, (__u64)r->dl_period);
	if (fair && r->dl_runtime && (r->dl_runtime < 100000 || r->dl_runtime > 100000000))
		return bad(im, "slice %llu ns is outside 0.1..100 ms", (__u64)r->dl_runtime);
	if (r->oom_score_adj < -1000 || r->oom_score_adj > 1000 ||
	    r->oom_score_adj_min < -1000 || r->oom_score_adj_min > 1000)
		return bad(im, "oom_score_adj %d or its minimum %d is outside -1000..1000",
			   r->oom_score_adj, r->oom_score_adj_min);
	for (i = 0; i < ARRAY_SIZE(r->cpus); i++)
		if (r->cpus[i])
			empty = 0;
	if ((r->flags & CKPT_SCHED_ALL_CPUS) && !empty)
		return bad(im, "ALL_CPUS with CPUs in the mask");
	if (!(r->flags & CKPT_SCHED_ALL_CPUS) && empty)
		return bad(im, "an empty CPU affinity");
	memcpy(cpus, "cpus=", 5);
	cpu_list(r, cpus + 5, sizeof(cpus) - 5);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fword(im, "policy", policy_names[r->policy]);
	fs(im, "nice", r->nice);
	if (rt)
		fu(im, "rt_priority", r->rt_priority);
	if (fair && r->dl_runtime)
		fns(im, "slice", r->dl_runtime);
	if (dl) {
		fns(im, "dl_runtime", r->dl_runtime);
		fns(im, "dl_deadline", r->dl_deadline);
		fns(im, "dl_period", r->dl_period);
	}
	if (r->flags & CKPT_SCHED_DL_OVERRUN)
		fword(im, "dl_overrun", "yes");
	if (r->flags & CKPT_SCHED_RESET_ON_FORK)
		fword(im, "reset_on_fork", "yes");
	/* not fword(): field_fmt() cuts a value at 127 bytes */
	if (im->json)
		fstr(im, "cpus", cpus + 5, strlen(cpus + 5));
	else
		text_field(im, cpus, (int)strlen(cpus));
	fx(im, "ioprio", r->ioprio);
	fu(im, "timer_slack_ns", r->timer_slack_ns);
	fu(im, "default_timer_slack_ns", r->default_timer_slack_ns);
	fs(im, "oom_score_adj", r->oom_score_adj);
	fs(im, "oom_score_adj_min", r->oom_score_adj_min);
	rec_end(im);
	im->st = ST_ACCT;
	return 0;
}
