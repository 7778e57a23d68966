// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: timerfds.  The TIMERFD record (a timerfd's clock, flags, time
 * left, interval and expirations not read yet), which comes among the
 * files of a process before the FILE record of kind timerfd that names it.
 */
#include <stdint.h>

#include "ckptinfo.h"

/* The clocks timerfd_create(2) takes */
#define CLOCK_REALTIME_ID		0
#define CLOCK_MONOTONIC_ID		1
#define CLOCK_BOOTTIME_ID		7
#define CLOCK_REALTIME_ALARM_ID		8
#define CLOCK_BOOTTIME_ALARM_ID		9

#define TFD_ABSTIME_BIT		0x1	/* TFD_TIMER_ABSTIME */
#define TFD_CANCEL_ON_SET_BIT	0x2	/* TFD_TIMER_CANCEL_ON_SET */

static const struct flag_name tfd_flags[] = {
	{ TFD_ABSTIME_BIT, "TFD_TIMER_ABSTIME" },
	{ TFD_CANCEL_ON_SET_BIT, "TFD_TIMER_CANCEL_ON_SET" },
	{ 0, NULL }
};

static int timerfd_clock(__s32 clockid)
{
	return clockid == CLOCK_REALTIME_ID || clockid == CLOCK_MONOTONIC_ID ||
	       clockid == CLOCK_BOOTTIME_ID || clockid == CLOCK_REALTIME_ALARM_ID ||
	       clockid == CLOCK_BOOTTIME_ALARM_ID;
}

int decode_timerfd(struct img *im)
{
	struct ckpt_rec_timerfd *t = (void *)im->buf;
	int realtime;
	char clk[32];

	if (check_len(im, sizeof(*t), "the TIMERFD record"))
		return -1;
	if (!timerfd_clock(t->clockid))
		return bad(im, "clockid %d: not REALTIME, MONOTONIC, BOOTTIME or *_ALARM",
			   t->clockid);
	if (t->flags & ~(TFD_ABSTIME_BIT | TFD_CANCEL_ON_SET_BIT))
		return bad(im, "unknown flags 0x%x", t->flags & ~(TFD_ABSTIME_BIT |
							       TFD_CANCEL_ON_SET_BIT));
	if (check_reserved(im, &t->reserved, sizeof(t->reserved)))
		return -1;
	if (t->value_ns > INT64_MAX || t->interval_ns > INT64_MAX || t->expires_ns > INT64_MAX)
		return bad(im, "value_ns, interval_ns or expires_ns above INT64_MAX");
	realtime = t->clockid == CLOCK_REALTIME_ID || t->clockid == CLOCK_REALTIME_ALARM_ID;
	if (t->expires_ns && !(realtime && t->flags & TFD_ABSTIME_BIT))
		return bad(im, "expires_ns %llu: only an absolute realtime timer has a date",
			   (__u64)t->expires_ns);
	if (claim_objid(im, t->objid))
		return -1;
	if (idset_add(&im->objidx[CKPT_REC_TIMERFD], t->objid) < 0)
		return nomem(im);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", t->objid);
	fword(im, "clock", clock_name(t->clockid, clk, sizeof(clk)));
	fflags(im, "flags", t->flags, tfd_flags);
	fns(im, "value", t->value_ns);
	fns(im, "interval", t->interval_ns);
	fu(im, "ticks", t->ticks);
	if (t->expires_ns)
		fu(im, "expires_ns", t->expires_ns);
	rec_end(im);
	return 0;
}
