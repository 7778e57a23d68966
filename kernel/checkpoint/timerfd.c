// SPDX-License-Identifier: GPL-2.0-only
/*
 * timerfds: clock, flags, time left, interval and expirations not read
 * yet (CKPT_REC_TIMERFD).
 *
 * A relative timer comes back with the time it had left, as interval
 * timers do (timer.c): the time the job spent saved does not count.  A
 * TFD_TIMER_ABSTIME timer on CLOCK_REALTIME (or _ALARM) was set for a
 * date and keeps it, firing at once after restart if the date is past.
 * An absolute timer on another clock, whose time starts again at each
 * boot, comes back with the time it had left, still absolute.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/time.h>
#include <linux/timekeeping.h>
#include <linux/timerfd.h>

#include "internal.h"

static bool ckpt_is_realtime(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM;
}

static bool ckpt_timerfd_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	struct itimerspec64 t;
	int clockid, flags;
	u64 ticks;

	return !timerfd_file_state(f, &clockid, &flags, &t, &ticks);
}

static int ckpt_timerfd_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct ckpt_rec_timerfd rec = {};
	struct itimerspec64 t;
	int clockid, flags, err;

	err = ckpt_check_held_outside(ctx, w, "timerfd");
	if (err)
		return err;
	err = timerfd_file_state(w->file, &clockid, &flags, &t, &rec.ticks);
	if (err)
		return err;
	rec.clockid = clockid;
	rec.flags = flags;
	rec.value_ns = timespec64_to_ns(&t.it_value);
	rec.interval_ns = timespec64_to_ns(&t.it_interval);
	/* A periodic timer due this very moment is armed, not stopped. */
	if (!rec.value_ns && rec.interval_ns)
		rec.value_ns = 1;
	if (rec.value_ns && flags & TFD_TIMER_ABSTIME && ckpt_is_realtime(clockid))
		rec.expires_ns = ktime_get_real_ns() + rec.value_ns;
	rec.objid = ckpt_obj_new_id(&ctx->objs);
	w->rec.kind = CKPT_FILE_TIMERFD;
	w->rec.ref_id = rec.objid;
	return ckpt_write_record(ctx, CKPT_REC_TIMERFD, &rec, sizeof(rec));
}

static void ckpt_timerfd_put(void *f)
{
	fput(f);
}

/* Now, on a timerfd clock, for an absolute timer given its time left. */
static u64 ckpt_clock_now(int clockid)
{
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
		return ktime_get_real_ns();
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return ktime_get_boottime_ns();
	default:
		return ktime_get_ns();
	}
}

static int ckpt_timerfd_read(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_timerfd r;
	struct itimerspec64 t;
	struct file *f;
	u64 value;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_TIMERFD, &r, sizeof(r));
	if (err)
		return err;
	if (!r.objid || r.reserved || r.flags & ~TFD_SETTIME_FLAGS ||
	    r.value_ns > KTIME_MAX || r.interval_ns > KTIME_MAX || r.expires_ns > KTIME_MAX ||
	    (r.expires_ns && (!(r.flags & TFD_TIMER_ABSTIME) || !ckpt_is_realtime(r.clockid))))
		return ckpt_err(ctx, -ENOEXEC, "timerfd record %u is malformed", r.objid);
	value = r.value_ns;
	if (r.flags & TFD_TIMER_ABSTIME && value) {
		if (r.expires_ns)
			value = r.expires_ns;
		else
			value = min_t(u64, ckpt_clock_now(r.clockid) + value, KTIME_MAX);
	}
	t.it_value = ns_to_timespec64(value);
	t.it_interval = ns_to_timespec64(r.interval_ns);

	f = timerfd_file_create(r.clockid, 0);
	if (IS_ERR(f))
		return ckpt_err(ctx, PTR_ERR(f), "cannot create a timerfd on clock %d (error %ld)",
				r.clockid, PTR_ERR(f));
	err = timerfd_file_restore(f, r.flags, &t, r.ticks);
	if (err) {
		fput(f);
		return ckpt_err(ctx, err, "cannot set a timerfd (error %d)", err);
	}
	err = ckpt_obj_add(&ctx->objs, f, r.objid, CKPT_REC_TIMERFD, ckpt_timerfd_put);
	if (err) {
		fput(f);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r.objid);
	}
	return err;
}

static struct file *ckpt_timerfd_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				      const char *unused)
{
	return ckpt_open_obj_file(ctx, r, CKPT_REC_TIMERFD);
}

const struct ckpt_file_ops ckpt_timerfd_file_ops = {
	.name		= "timerfd",
	.kinds		= BIT(CKPT_FILE_TIMERFD),
	.obj_rec	= CKPT_REC_TIMERFD,
	.in_flight	= true,
	.owns		= ckpt_timerfd_owns,
	.write		= ckpt_timerfd_write,
	.read		= ckpt_timerfd_read,
	.open		= ckpt_timerfd_open,
};
