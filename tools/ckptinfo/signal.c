// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: signals and timers.  The SIGHAND record (a process's signal
 * handlers, SIG_CKPT and SIG_CKPT_KILL named; the CKPTSIG record after
 * it is ckptsig.c's), TIMERS (its interval timers, and how many POSIX
 * timers the POSIX_TIMERS record after it holds: see ptimer.c), and per
 * thread SIGNAL (masks and alternate stack) with the SIGINFO records of
 * its pending signals.
 */
#include <stdint.h>
#include <string.h>

#include "ckptinfo.h"

#define SIGINFO_USED	48	/* bytes of info[] the kernel uses (kernel_siginfo_t) */

static const struct flag_name sa_flags[] = {
	{ 0x00000001, "SA_NOCLDSTOP" },
	{ 0x00000002, "SA_NOCLDWAIT" },
	{ 0x00000004, "SA_SIGINFO" },
	{ 0x04000000, "SA_RESTORER" },
	{ 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" },
	{ 0x40000000, "SA_NODEFER" },
	{ 0x80000000, "SA_RESETHAND" },
	{ 0, NULL }
};

int decode_sighand(struct img *im)
{
	struct ckpt_rec_sighand *s = (void *)im->buf;
	char name[32];
	__u32 i;

	if (check_min(im, sizeof(*s)))
		return -1;
	if (s->nr != im->hdr.nsig)
		return bad(im, "nr %u differs from the header's nsig %u", s->nr,
			   im->hdr.nsig);
	if (check_reserved(im, &s->reserved, sizeof(s->reserved)))
		return -1;
	if (check_len(im, sizeof(*s) + (__u64)s->nr * sizeof(s->action[0]), "nr"))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr", s->nr);
	list_begin(im, "handlers");
	for (i = 0; i < s->nr; i++) {
		const struct ckpt_sigaction *a = &s->action[i];

		if (a->flags > 0xffffffffULL)
			return bad(im, "signal %u: flags 0x%llx do not fit in 32 bits", i + 1,
				   (__u64)a->flags);
	}
	for (i = 0; i < s->nr; i++) {
		const struct ckpt_sigaction *a = &s->action[i];

		if (a->handler == 0)
			continue;
		sub_begin(im, NULL);
		fword(im, "signal", sig_name(i + 1, name, sizeof(name)));
		if (a->handler == 1)
			fword(im, "handler", "SIG_IGN");
		else if (a->handler == SIG_CKPT_NR)
			fword(im, "handler", "SIG_CKPT");
		else if (a->handler == SIG_CKPT_KILL_NR)
			fword(im, "handler", "SIG_CKPT_KILL");
		else
			fx(im, "handler", a->handler);
		fflags(im, "flags", a->flags, sa_flags);
		fx(im, "restorer", a->restorer);
		fsigset(im, "mask", a->mask);
		sub_end(im);
	}
	list_end(im);
	rec_end(im);
	im->st = ST_CKPTSIG;
	return 0;
}

int decode_timers(struct img *im)
{
	static const char *const names[] = { "real", "virtual", "prof" };
	struct ckpt_rec_timers *t = (void *)im->buf;
	__u32 i;

	if (check_len(im, sizeof(*t), "its size"))
		return -1;
	if (t->nr_posix > CKPT_MAX_POSIX_TIMERS)
		return bad(im, "nr_posix %u exceeds CKPT_MAX_POSIX_TIMERS (%d)", t->nr_posix,
			   CKPT_MAX_POSIX_TIMERS);
	if (t->next_posix_id > INT32_MAX)
		return bad(im, "next_posix_id %u is above INT_MAX", t->next_posix_id);
	for (i = 0; i < 3; i++)
		if (t->itimer[i].value_ns > INT64_MAX || t->itimer[i].interval_ns > INT64_MAX)
			return bad(im, "interval timer %s out of range", names[i]);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	if (t->nr_posix || t->next_posix_id) {
		fu(im, "nr_posix", t->nr_posix);
		fu(im, "next_posix_id", t->next_posix_id);
	}
	list_begin(im, "itimers");
	for (i = 0; i < 3; i++) {
		if (!t->itimer[i].value_ns)
			continue;
		sub_begin(im, NULL);
		fword(im, "which", names[i]);
		fns(im, "value", t->itimer[i].value_ns);
		fns(im, "interval", t->itimer[i].interval_ns);
		sub_end(im);
	}
	list_end(im);
	rec_end(im);
	im->nr_posix = t->nr_posix;
	if (t->nr_posix)
		im->st = ST_PTIMERS;
	else
		files_begin(im);
	return 0;
}

int decode_signal(struct img *im)
{
	struct ckpt_rec_signal *s = (void *)im->buf;

	if (check_len(im, sizeof(*s), "the SIGNAL record"))
		return -1;
	if (s->nr_siginfo > CKPT_MAX_SIGINFO)
		return bad(im, "nr_siginfo %u exceeds CKPT_MAX_SIGINFO (%d)",
			   s->nr_siginfo, CKPT_MAX_SIGINFO);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fsigset(im, "blocked", s->blocked);
	fsigset(im, "saved_sigmask", s->saved_sigmask);
	fx(im, "altstack_sp", s->altstack_sp);
	fu(im, "altstack_size", s->altstack_size);
	fx(im, "altstack_flags", s->altstack_flags);
	fu(im, "nr_siginfo", s->nr_siginfo);
	rec_end(im);
	im->nr_siginfo = s->nr_siginfo;
	im->seen = 0;
	if (s->nr_siginfo)
		im->st = ST_SIGINFO;
	else
		im->st = ST_SCHED;
	return 0;
}

static const char *si_code_name(__s32 code)
{
	switch (code) {
	case 0:
		return "SI_USER";
	case 0x80:
		return "SI_KERNEL";
	case -1:
		return "SI_QUEUE";
	case -2:
		return "SI_TIMER";
	case -3:
		return "SI_MESGQ";
	case -4:
		return "SI_ASYNCIO";
	case -5:
		return "SI_SIGIO";
	case -6:
		return "SI_TKILL";
	}
	return NULL;
}

int decode_siginfo(struct img *im)
{
	struct ckpt_rec_siginfo *s = (void *)im->buf;
	__s32 signo, err, code, pid;
	__u32 uid;
	size_t i;
	const char *cname;
	char name[32];

	if (check_len(im, sizeof(*s), "the SIGINFO record"))
		return -1;
	memcpy(&signo, s->info, 4);
	memcpy(&err, s->info + 4, 4);
	memcpy(&code, s->info + 8, 4);
	memcpy(&pid, s->info + 12, 4);
	memcpy(&uid, s->info + 16, 4);
	if (s->shared > 1)
		return bad(im, "shared is %u, not 0 or 1", s->shared);
	if (s->shared && im->threads_seen)
		return bad(im, "thread %u: only the leader's SIGINFO records hold shared signals",
			   im->threads_seen + 1);
	if (signo <= 0 || (__u32)signo > im->hdr.nsig || signo == SIGKILL_NR || signo == SIGSTOP_NR)
		return bad(im, "si_signo %d is not a signal that can be queued", signo);
	if (check_reserved(im, &s->reserved, sizeof(s->reserved)))
		return -1;
	for (i = SIGINFO_USED; i < sizeof(s->info); i++)
		if (s->info[i])
			return bad(im, "info byte %zu is not zero (only %d are used)", i,
				   SIGINFO_USED);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fword(im, "signo", sig_name(signo, name, sizeof(name)));
	cname = si_code_name(code);
	if (cname)
		fword(im, "code", cname);
	else
		fs(im, "code", code);
	fs(im, "errno", err);
	if (code == 0 || code == -1 || code == -6) {
		fs(im, "sender_pid", pid);
		fu(im, "sender_uid", uid);
	}
	fword(im, "queue", s->shared ? "shared" : "thread");
	rec_end(im);
	if (++im->seen == im->nr_siginfo)
		im->st = ST_SCHED;
	return 0;
}
