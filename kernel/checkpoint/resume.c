// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slow system calls that resume through restart_syscall(2).
 *
 * A thread frozen in a sleep with a timeout (nanosleep(), clock_nanosleep(),
 * poll(), a futex wait) leaves the system call with -ERESTART_RESTARTBLOCK
 * and the kernel keeps how to carry on in current->restart_block: which
 * function, and the absolute time the sleep ends on some clock.  The
 * image keeps the function as a kind and the time that was left when the
 * job was frozen; restart sets up the same restart_block with the end
 * moved to now + that remainder, so the sleep goes on for what was left,
 * as after a stop and continue that took no time.  The thread's
 * registers send it into restart_syscall(2) (regs.c).
 *
 * Other interrupted calls need nothing here: they returned -ERESTARTSYS
 * or -ERESTARTNOHAND and are re-entered with their arguments.  A
 * restart_block of another kind (alarm timers, CPU-time clocks, compat
 * sleeps) is not saved, and that call returns EINTR after restart, with
 * a warning in the log.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/hrtimer.h>
#include <linux/poll.h>
#include <linux/restart_fns.h>
#include <linux/sched.h>
#include <linux/time.h>
#include <linux/timekeeping.h>

#include "../futex/futex.h"
#include "internal.h"

static bool ckpt_clock_now(clockid_t id, ktime_t *now)
{
	switch (id) {
	case CLOCK_REALTIME:
		*now = ktime_get_real();
		return true;
	case CLOCK_MONOTONIC:
		*now = ktime_get();
		return true;
	case CLOCK_BOOTTIME:
		*now = ktime_get_boottime();
		return true;
	case CLOCK_TAI:
		*now = ktime_get_clocktai();
		return true;
	}
	return false;
}

static bool ckpt_remaining(struct ckpt_restart_block *r, clockid_t clock, ktime_t end)
{
	ktime_t now;

	if (!ckpt_clock_now(clock, &now))
		return false;
	r->clockid = clock;
	r->remaining_ns = max_t(s64, ktime_sub(end, now), 0);
	return true;
}

#define CKPT_FUTEX_KNOWN	(FLAGS_SIZE_MASK | FLAGS_SHARED | FLAGS_CLOCKRT | FLAGS_HAS_TIMEOUT)

/**
 * ckpt_save_restart_block - record a frozen thread's restart_block
 * @ctx:	the checkpoint context
 * @t:		the thread, frozen with -ERESTART_RESTARTBLOCK in ax
 * @rec:	its CKPT_REC_THREAD record
 *
 * Leaves @rec->restart.kind at CKPT_RESTART_NONE for a kind that cannot
 * be saved.
 */
void ckpt_save_restart_block(struct ckpt_ctx *ctx, struct task_struct *t,
			     struct ckpt_rec_thread *rec)
{
	const struct restart_block *rb = &t->restart_block;
	struct ckpt_restart_block *r = &rec->restart;

	memset(r, 0, sizeof(*r));
	if (rb->fn == hrtimer_nanosleep_restart) {
		if (rb->nanosleep.type == TT_COMPAT ||
		    !ckpt_remaining(r, rb->nanosleep.clockid, rb->nanosleep.expires))
			return;
		r->uaddr = (unsigned long)rb->nanosleep.rmtp;
		r->arg[0] = rb->nanosleep.type;
		r->kind = CKPT_RESTART_NANOSLEEP;
#ifdef CONFIG_FUTEX
	} else if (rb->fn == futex_wait_restart) {
		u32 flags = rb->futex.flags;

		if ((flags & ~CKPT_FUTEX_KNOWN) || (flags & FLAGS_SIZE_MASK) != FLAGS_SIZE_32 ||
		    !(flags & FLAGS_HAS_TIMEOUT) ||
		    !ckpt_remaining(r, flags & FLAGS_CLOCKRT ? CLOCK_REALTIME : CLOCK_MONOTONIC,
				    rb->futex.time))
			return;
		r->uaddr = (unsigned long)rb->futex.uaddr;
		r->arg[0] = rb->futex.val;
		r->arg[1] = (flags & FLAGS_SHARED ? CKPT_FUTEX_SHARED : 0) |
			    (flags & FLAGS_CLOCKRT ? CKPT_FUTEX_CLOCK_REALTIME : 0);
		r->arg[2] = rb->futex.bitset;
		r->kind = CKPT_RESTART_FUTEX;
#endif
	} else if (rb->fn == do_restart_poll) {
		r->clockid = CLOCK_MONOTONIC;
		if (rb->poll.has_timeout &&
		    !ckpt_remaining(r, CLOCK_MONOTONIC,
				    ktime_set(rb->poll.tv_sec, rb->poll.tv_nsec)))
			return;
		r->uaddr = (unsigned long)rb->poll.ufds;
		r->arg[0] = rb->poll.nfds;
		r->arg[1] = !!rb->poll.has_timeout;
		r->kind = CKPT_RESTART_POLL;
	}
}

/**
 * ckpt_check_restart_block - validate a recorded restart_block
 * @ctx:	the restart context
 * @rec:	the CKPT_REC_THREAD record
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_check_restart_block(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec)
{
	const struct ckpt_restart_block *r = &rec->restart;
	ktime_t now;
	bool ok;

	switch (r->kind) {
	case CKPT_RESTART_NONE:
		ok = !r->clockid && !r->remaining_ns && !r->uaddr &&
		     !memchr_inv(r->arg, 0, sizeof(r->arg));
		break;
	case CKPT_RESTART_NANOSLEEP:
		ok = ckpt_clock_now(r->clockid, &now) &&
		     (r->arg[0] == TT_NONE || r->arg[0] == TT_NATIVE) && !r->arg[1] && !r->arg[2];
		break;
	case CKPT_RESTART_FUTEX:
		ok = IS_ENABLED(CONFIG_FUTEX) &&
		     r->clockid == (r->arg[1] & CKPT_FUTEX_CLOCK_REALTIME ?
				    CLOCK_REALTIME : CLOCK_MONOTONIC) &&
		     r->arg[0] <= U32_MAX && r->arg[2] && r->arg[2] <= U32_MAX &&
		     !(r->arg[1] & ~(CKPT_FUTEX_SHARED | CKPT_FUTEX_CLOCK_REALTIME));
		break;
	case CKPT_RESTART_POLL:
		ok = r->clockid == CLOCK_MONOTONIC && r->arg[0] <= INT_MAX && r->arg[1] <= 1 &&
		     !r->arg[2] && (r->arg[1] || !r->remaining_ns);
		break;
	default:
		ok = false;
	}
	if (!ok || r->remaining_ns < 0 || r->uaddr >= TASK_SIZE_MAX)
		return ckpt_err(ctx, -ENOEXEC, "thread %d: bad restart state (kind %u)",
				rec->tid, r->kind);
	return 0;
}

/**
 * ckpt_restore_restart_block - set up current's restart_block
 * @rec: the CKPT_REC_THREAD record, checked by ckpt_check_restart_block()
 */
void ckpt_restore_restart_block(const struct ckpt_rec_thread *rec)
{
	const struct ckpt_restart_block *r = &rec->restart;
	struct restart_block *rb = &current->restart_block;
	ktime_t end = 0;

	if (r->kind == CKPT_RESTART_NONE)
		return;
	if (ckpt_clock_now(r->clockid, &end))
		end = ktime_add_safe(end, ns_to_ktime(r->remaining_ns));
	switch (r->kind) {
	case CKPT_RESTART_NANOSLEEP:
		rb->nanosleep.clockid = r->clockid;
		rb->nanosleep.type = r->arg[0];
		rb->nanosleep.rmtp = u64_to_user_ptr(r->uaddr);
		rb->nanosleep.expires = end;
		set_restart_fn(rb, hrtimer_nanosleep_restart);
		break;
#ifdef CONFIG_FUTEX
	case CKPT_RESTART_FUTEX:
		rb->futex.uaddr = u64_to_user_ptr(r->uaddr);
		rb->futex.val = r->arg[0];
		rb->futex.bitset = r->arg[2];
		rb->futex.time = end;
		rb->futex.flags = FLAGS_SIZE_32 | FLAGS_HAS_TIMEOUT |
				  (r->arg[1] & CKPT_FUTEX_SHARED ? FLAGS_SHARED : 0) |
				  (r->arg[1] & CKPT_FUTEX_CLOCK_REALTIME ? FLAGS_CLOCKRT : 0);
		set_restart_fn(rb, futex_wait_restart);
		break;
#endif
	case CKPT_RESTART_POLL:
		rb->poll.ufds = u64_to_user_ptr(r->uaddr);
		rb->poll.nfds = r->arg[0];
		rb->poll.has_timeout = r->arg[1];
		if (r->arg[1]) {
			struct timespec64 ts = ktime_to_timespec64(end);

			rb->poll.tv_sec = ts.tv_sec;
			rb->poll.tv_nsec = ts.tv_nsec;
		}
		set_restart_fn(rb, do_restart_poll);
		break;
	}
}
