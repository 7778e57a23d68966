// SPDX-License-Identifier: GPL-2.0-only
/*
 * A process's timers: the interval timers of setitimer(2) and alarm(2)
 * (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF), in CKPT_REC_TIMERS.
 *
 * Each is saved as the time left to its next expiry and its interval,
 * read as getitimer(2) reads them, and set again by the restored process
 * with setitimer(2)'s own code, as the last step before it runs: an
 * ITIMER_REAL timer then fires as long after the restart as it had left
 * at the checkpoint, and the CPU-time timers after as much more CPU time.
 *
 * POSIX timers (timer_create(2)) are counted here and saved in the
 * record after (ptimer.c).
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/sched/signal.h>
#include <linux/jiffies.h>
#include <linux/time.h>

#include "internal.h"

/**
 * ckpt_write_timers - write the CKPT_REC_TIMERS record of a process
 * @ctx:	the checkpoint context
 * @t:		the frozen (or current) process
 *
 * Return: 0, -EOPNOTSUPP for POSIX timers that cannot be saved (logged),
 * or a negative errno.
 */
int ckpt_write_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_timers rec = {};
	int i, err;

	rec.nr_posix = ckpt_count_posix_timers(t);
	rec.next_posix_id = READ_ONCE(t->signal->next_posix_timer_id) & INT_MAX;
	if (rec.nr_posix > CKPT_MAX_POSIX_TIMERS)
		return ckpt_err(ctx, -EOPNOTSUPP, "has more than %u POSIX timers",
				CKPT_MAX_POSIX_TIMERS);
	for (i = 0; i < ARRAY_SIZE(rec.itimer); i++) {
		struct itimerspec64 v;

		err = do_getitimer(t, i, &v);
		if (err)
			return err;
		rec.itimer[i].value_ns = timespec64_to_ns(&v.it_value);
		rec.itimer[i].interval_ns = timespec64_to_ns(&v.it_interval);
	}
	err = ckpt_write_record(ctx, CKPT_REC_TIMERS, &rec, sizeof(rec));
	if (!err)
		err = ckpt_write_posix_timers(ctx, t, rec.nr_posix);
	return err;
}

/**
 * ckpt_read_timers - read and check the CKPT_REC_TIMERS record
 * @ctx:	the restart context
 * @rec:	where to keep it until ckpt_restore_timers()
 *
 * Return: 0, -ENOEXEC for a malformed record, or a negative errno.
 */
int ckpt_read_timers(struct ckpt_ctx *ctx, struct ckpt_rec_timers *rec)
{
	int err, i;

	err = ckpt_read_record_into(ctx, CKPT_REC_TIMERS, rec, sizeof(*rec));
	if (err)
		return err;
	if (rec->nr_posix > CKPT_MAX_POSIX_TIMERS || rec->next_posix_id > INT_MAX)
		return ckpt_err(ctx, -ENOEXEC, "timers record: bad POSIX timer count or id");
	for (i = 0; i < ARRAY_SIZE(rec->itimer); i++)
		if (rec->itimer[i].value_ns > KTIME_MAX || rec->itimer[i].interval_ns > KTIME_MAX)
			return ckpt_err(ctx, -ENOEXEC,
					"timers record: interval timer %d out of range", i);
	return 0;
}

/**
 * ckpt_restore_timers - arm current's interval timers as @rec says
 * @rec:	what ckpt_read_timers() read
 *
 * Context: the restored process itself, as the last step before it waits
 * for the restarter's verdict.
 */
void ckpt_restore_timers(const struct ckpt_rec_timers *rec)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(rec->itimer); i++) {
		u64 value = rec->itimer[i].value_ns;
		struct itimerspec64 v = {
			.it_interval	= ns_to_timespec64(rec->itimer[i].interval_ns),
		};

		if (!value)
			continue;
		/*
		 * setitimer(2) arms a CPU-time timer a tick late (it cannot
		 * fire between ticks anyway); the time left was read after
		 * that tick, so take it back rather than add one per restart.
		 */
		if (i != ITIMER_REAL && value > TICK_NSEC)
			value -= TICK_NSEC;
		v.it_value = ns_to_timespec64(value);
		do_setitimer(i, &v, NULL);
	}
}
