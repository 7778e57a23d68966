// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: threads.  The THREAD record (registers, thread pointers and
 * an interrupted system call's restart block) and the XSTATE record that
 * follows it.
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

const char *const restart_kinds[] = {
	[CKPT_RESTART_NONE] = "none",
	[CKPT_RESTART_NANOSLEEP] = "nanosleep",
	[CKPT_RESTART_FUTEX] = "futex",
	[CKPT_RESTART_POLL] = "poll",
};

static const char *const clock_names[] = {
	"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
	"CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
	"CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME", "CLOCK_REALTIME_ALARM",
	"CLOCK_BOOTTIME_ALARM", NULL, "CLOCK_TAI",
};

/* The last record of a thread is decoded: the next thread, or TASK_END */
void thread_done(struct img *im)
{
	im->st = ++im->threads_seen == im->nr_threads ? ST_END : ST_THREAD;
}

/* The name of clock @clockid: "CLOCK_MONOTONIC"; @buf holds it if need be */
const char *clock_name(__s32 clockid, char *buf, size_t size)
{
	if (clockid >= 0 && (size_t)clockid < ARRAY_SIZE(clock_names) && clock_names[clockid])
		return clock_names[clockid];
	snprintf(buf, size, "clock%d", clockid);
	return buf;
}

/* What is wrong with a restart block, as restart(2) checks it, or NULL */
static const char *restart_block_error(const struct ckpt_restart_block *r)
{
	switch (r->kind) {
	case CKPT_RESTART_NONE:
		if (r->clockid || r->remaining_ns || r->uaddr || r->arg[0] || r->arg[1] ||
		    r->arg[2])
			return "fields set in a block of kind none";
		break;
	case CKPT_RESTART_NANOSLEEP:
		if (r->clockid < 0 || (size_t)r->clockid >= ARRAY_SIZE(clock_names) ||
		    !clock_names[r->clockid])
			return "unknown clock";
		if (r->arg[0] > 1 || r->arg[1] || r->arg[2])
			return "bad arguments for nanosleep";
		break;
	case CKPT_RESTART_FUTEX:
		if (r->arg[1] & ~(__u64)(CKPT_FUTEX_SHARED | CKPT_FUTEX_CLOCK_REALTIME))
			return "unknown futex flags";
		if (r->clockid != (r->arg[1] & CKPT_FUTEX_CLOCK_REALTIME ? 0 : 1))
			return "the clock does not match the futex flags";
		if (r->arg[0] > 0xffffffffULL || !r->arg[2] || r->arg[2] > 0xffffffffULL)
			return "bad value or bitset for a futex wait";
		break;
	case CKPT_RESTART_POLL:
		if (r->clockid != 1 || r->arg[0] > 0x7fffffffULL || r->arg[1] > 1 || r->arg[2] ||
		    (!r->arg[1] && r->remaining_ns))
			return "bad clock or arguments for poll";
		break;
	default:
		return "unknown kind";
	}
	if (r->remaining_ns < 0)
		return "negative remaining_ns";
	return NULL;
}

/* A restart block's time left, as seconds */
static void remaining_str(__s64 ns, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%09llds", ns / 1000000000, ns % 1000000000);
}

int decode_thread(struct img *im)
{
	struct ckpt_rec_thread *t = (void *)im->buf;
	const struct ckpt_restart_block *rb = &t->restart;
	struct task_ent *task = &im->tasks[im->tasks_done];
	struct thread_ent *e;
	const char *why;
	char buf[64];
	__u32 v;

	if (check_len(im, sizeof(*t), "the THREAD record"))
		return -1;
	if (t->tid <= 0)
		return bad(im, "tid %d is not positive", t->tid);
	if (im->threads_seen == 0 && t->tid != im->pid)
		return bad(im, "the first thread's tid %d is not the pid %d",
			   t->tid, im->pid);
	if (im->threads_seen && idset_get(&im->tids, (__u32)t->tid, &v))
		return bad(im, "tid %d is already %s %d in the image", t->tid,
			   im->tasks[v].pid == t->tid ? "the process" : "a thread of pid",
			   im->tasks[v].pid);
	if (check_reserved(im, &t->reserved, sizeof(t->reserved)))
		return -1;
	if (check_cstr(im, "comm", t->comm, sizeof(t->comm)))
		return -1;
	why = restart_block_error(rb);
	if (why)
		return bad(im, "restart block of kind %u: %s", rb->kind, why);
	if (im->threads_seen && idset_put(&im->tids, (__u32)t->tid, im->tasks_done) < 0)
		return nomem(im);
	if (grow((void **)&im->threads, im->nr_thread_ents, &im->threads_size,
		 sizeof(*im->threads)))
		return nomem(im);
	e = &im->threads[im->nr_thread_ents++];
	e->tid = t->tid;
	e->ip = t->regs.ip;
	e->sp = t->regs.sp;
	memcpy(e->comm, t->comm, sizeof(e->comm));
	e->rb = *rb;
	task->threads++;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "tid", t->tid);
	fstr(im, "comm", t->comm, strlen(t->comm));
	fx(im, "ip", t->regs.ip);
	fx(im, "sp", t->regs.sp);
	fx(im, "ax", t->regs.ax);
	fx(im, "orig_ax", t->regs.orig_ax);
	fx(im, "flags", t->regs.flags);
	fx(im, "fs_base", t->regs.fs_base);
	fx(im, "gs_base", t->regs.gs_base);
	fx(im, "cs", t->regs.cs);
	fx(im, "ss", t->regs.ss);
	fx(im, "rseq", t->rseq);
	if (t->rseq) {
		fu(im, "rseq_len", t->rseq_len);
		fx(im, "rseq_sig", t->rseq_sig);
	}
	fx(im, "set_child_tid", t->set_child_tid);
	fx(im, "clear_child_tid", t->clear_child_tid);
	fx(im, "robust_list", t->robust_list);
	if (t->robust_list)
		fu(im, "robust_list_len", t->robust_list_len);
	if (rb->kind == CKPT_RESTART_NONE) {
		if (im->json)
			field_fmt(im, "restart", 0, "null");
	} else {
		if (im->json)
			json_open(im, "restart", '{');
		else
			text_break(im);
		fword(im, im->json ? "kind" : "restart", restart_kinds[rb->kind]);
		fword(im, "clock", clock_name(rb->clockid, buf, sizeof(buf)));
		fs(im, "remaining_ns", rb->remaining_ns);
		fx(im, "uaddr", rb->uaddr);
		fx(im, "arg0", rb->arg[0]);
		fx(im, "arg1", rb->arg[1]);
		fx(im, "arg2", rb->arg[2]);
		if (im->json)
			json_close(im);
	}
	rec_end(im);
	im->st = ST_XSTATE;
	return 0;
}

int decode_xstate(struct img *im)
{
	struct ckpt_rec_xstate *x = (void *)im->buf;

	if (check_len(im, sizeof(*x) + (__u64)im->hdr.xstate_size,
		      "the header's xstate_size"))
		return -1;
	if (x->xfeatures & ~im->hdr.xfeatures)
		return bad(im, "xfeatures 0x%llx has features outside the header's 0x%llx",
			   (__u64)x->xfeatures, (__u64)im->hdr.xfeatures);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "size", im->hdr.xstate_size);
	fx(im, "xfeatures", x->xfeatures);
	rec_end(im);
	im->st = ST_SIGNAL;
	return 0;
}

/* What a thread was waiting for, for the job view: "futex wait 0x..., 1.5s left" */
void restart_str(const struct ckpt_restart_block *rb, char *buf, size_t size)
{
	char left[40], clk[32];

	remaining_str(rb->remaining_ns, left, sizeof(left));
	switch (rb->kind) {
	case CKPT_RESTART_NANOSLEEP:
		snprintf(buf, size, "nanosleep %s, %s left",
			 clock_name(rb->clockid, clk, sizeof(clk)), left);
		break;
	case CKPT_RESTART_FUTEX:
		snprintf(buf, size, "futex wait 0x%llx%s, %s left", (__u64)rb->uaddr,
			 rb->arg[1] & CKPT_FUTEX_SHARED ? " (shared)" : "", left);
		break;
	case CKPT_RESTART_POLL:
		if (rb->arg[1])
			snprintf(buf, size, "poll %llu fds, %s left", (__u64)rb->arg[0], left);
		else
			snprintf(buf, size, "poll %llu fds, no timeout", (__u64)rb->arg[0]);
		break;
	default:
		snprintf(buf, size, "-");
	}
}
