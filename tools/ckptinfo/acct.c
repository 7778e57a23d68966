// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the ACCT record, a thread's accounting (CPU times, context
 * switches, page faults, I/O) and, in its process's leader's record (or a
 * zombie's, its only one), the process's: its exited threads' totals,
 * its waited-for children's and its memory's peaks.  The last record of
 * a thread.
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

#define NSEC_PER_SEC	1000000000ULL

static const struct flag_name acct_flags[] = {
	{ CKPT_ACCT_FORKNOEXEC, "forknoexec" },
	{ 0, NULL }
};

/* The time fields of struct ckpt_acct_counters, and their names */
static const char *const time_names[ACCT_TIMES] = {
	"utime", "stime", "gtime", "runtime",
};

static void acct_times(const struct ckpt_acct_counters *c, __u64 *t)
{
	t[0] = c->utime;
	t[1] = c->stime;
	t[2] = c->gtime;
	t[3] = c->runtime;
}

/* A time: text "1.250000000s", JSON seconds as fns() gives them */
static void fsec(struct img *im, const char *key, __u64 ns)
{
	if (im->json)
		fns(im, key, ns);
	else
		field_fmt(im, key, 0, "%llu.%09llus", ns / NSEC_PER_SEC, ns % NSEC_PER_SEC);
}

/* What is wrong with a counters struct's times, as restart(2) checks them */
static int check_times(struct img *im, const char *what, const struct ckpt_acct_counters *c)
{
	__u64 t[ACCT_TIMES];
	int i;

	acct_times(c, t);
	for (i = 0; i < ACCT_TIMES; i++)
		if (t[i] > CKPT_ACCT_MAX_NS)
			return bad(im, "%s.%s %llu ns exceeds CKPT_ACCT_MAX_NS (%llu)", what,
				   time_names[i], t[i], CKPT_ACCT_MAX_NS);
	return 0;
}

static int nonzero(const void *p, size_t size)
{
	const __u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i])
			return 1;
	return 0;
}

/*
 * The counters of @c: a JSON object @key, or a text line of its own with
 * the label @key (none for the thread's own, which follow the flags).
 * The thread's own have no block I/O or peak RSS: they are not printed.
 */
static void print_counters(struct img *im, const char *key, const struct ckpt_acct_counters *c,
			   int self)
{
	char label[16];

	if (im->json) {
		json_open(im, key, '{');
	} else if (!self) {
		text_break(im);
		snprintf(label, sizeof(label), "%s:", key);
		text_field(im, label, (int)strlen(label));
	}
	fsec(im, "utime", c->utime);
	fsec(im, "stime", c->stime);
	fsec(im, "gtime", c->gtime);
	fsec(im, "runtime", c->runtime);
	fu(im, "nvcsw", c->nvcsw);
	fu(im, "nivcsw", c->nivcsw);
	fu(im, "min_flt", c->min_flt);
	fu(im, "maj_flt", c->maj_flt);
	if (!self) {
		fu(im, "inblock", c->inblock);
		fu(im, "oublock", c->oublock);
		fu(im, "maxrss", c->maxrss);
	}
	fu(im, "rchar", c->rchar);
	fu(im, "wchar", c->wchar);
	fu(im, "syscr", c->syscr);
	fu(im, "syscw", c->syscw);
	fu(im, "read_bytes", c->read_bytes);
	fu(im, "write_bytes", c->write_bytes);
	fu(im, "cancelled_write_bytes", c->cancelled_write_bytes);
	if (im->json)
		json_close(im);
}

int decode_acct(struct img *im)
{
	struct ckpt_rec_acct *r = (void *)im->buf;
	struct task_ent *task = &im->tasks[im->tasks_done];
	int zombie = !!(task->flags & CKPT_TASK_ZOMBIE);
	/* the first thread's record, or the zombie's */
	int leader = im->threads_seen == 0;
	__u64 self[ACCT_TIMES], exited[ACCT_TIMES];
	int i;

	if (check_len(im, sizeof(*r), "the ACCT record"))
		return -1;
	if (r->flags & ~CKPT_ACCT_FLAGS_ALL)
		return bad(im, "unknown flags %#x", r->flags & ~CKPT_ACCT_FLAGS_ALL);
	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (r->self.inblock || r->self.oublock || r->self.maxrss)
		return bad(im,
			   "self: inblock %llu, oublock %llu, maxrss %llu: the kernel keeps none of these per thread (all 0)",
			   (__u64)r->self.inblock, (__u64)r->self.oublock, (__u64)r->self.maxrss);
	if (r->children.runtime)
		return bad(im,
			   "children.runtime %llu: the kernel keeps no runtime for children (0)",
			   (__u64)r->children.runtime);
	if (!leader && (nonzero(&r->exited, sizeof(r->exited)) ||
			nonzero(&r->children, sizeof(r->children)) ||
			r->hiwater_rss || r->hiwater_vm))
		return bad(im,
			   "thread %u of %u has exited, children or hiwater counters: only the leader's record has the process's",
			   im->threads_seen + 1, im->nr_threads);
	if (check_times(im, "self", &r->self) || check_times(im, "exited", &r->exited) ||
	    check_times(im, "children", &r->children))
		return -1;
	/*
	 * The process's times, summed over its threads and its exited
	 * threads: each term is at most 2^62, so the sum cannot overflow
	 * before it is found too big.
	 */
	acct_times(&r->self, self);
	acct_times(&r->exited, exited);
	for (i = 0; i < ACCT_TIMES; i++) {
		__u64 sum = task->acct_ns[i] + self[i] + exited[i];

		if (sum > CKPT_ACCT_MAX_NS)
			return bad(im,
				   "the process's %s, %llu ns over its threads and exited threads so far, exceeds CKPT_ACCT_MAX_NS (%llu)",
				   time_names[i], sum, CKPT_ACCT_MAX_NS);
	}
	for (i = 0; i < ACCT_TIMES; i++)
		task->acct_ns[i] += self[i] + exited[i];
	task->accts++;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fflags(im, "flags", r->flags, acct_flags);
	print_counters(im, "self", &r->self, 1);
	if (leader) {
		print_counters(im, "exited", &r->exited, 0);
		print_counters(im, "children", &r->children, 0);
		text_break(im);
		fu(im, "hiwater_rss", r->hiwater_rss);
		fu(im, "hiwater_vm", r->hiwater_vm);
	}
	rec_end(im);
	if (zombie)
		im->st = ST_END;
	else
		thread_done(im);
	return 0;
}

/* The process's CPU time for the job view: user and system, of all its threads */
int acct_cpu_time(const struct task_ent *t, __u64 *ns)
{
	__u32 want = t->flags & CKPT_TASK_ZOMBIE ? 1 : t->nr_threads;

	if (t->accts != want)
		return 0;
	*ns = t->acct_ns[0] + t->acct_ns[1];
	return 1;
}
