// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the view of the whole job, after the records: its process
 * tree, with each process's CPU time, and threads, then (from pipe.c and
 * tty.c) its pipes, FIFOs, ptys and terminal with the descriptors on
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

#define MAX_TREE_INDENT	32	/* text: deeper processes are not indented more */

/* Parent, children and depth of every process, from ppid */
static void build_tree(struct img *im)
{
	struct task_ent *t = im->tasks;
	__u32 i, v;

	for (i = 0; i < im->nr_task_ents; i++) {
		t[i].parent = -1;
		t[i].child = -1;
		t[i].sibling = -1;
		t[i].depth = 0;
		/* a parent is a process (or a thread's process) earlier in the image */
		if (idset_get(&im->tids, (__u32)t[i].ppid, &v) && v < i) {
			t[i].parent = v;
			t[i].depth = t[v].depth + 1;
		}
	}
	for (i = im->nr_task_ents; i-- > 0;) {
		if (t[i].parent < 0)
			continue;
		t[i].sibling = t[t[i].parent].child;
		t[t[i].parent].child = i;
	}
}

/* The processes in tree order (parents before children, siblings in image order) */
static __u32 *tree_order(struct img *im)
{
	struct task_ent *t = im->tasks;
	__u32 *order, n = 0, i;
	long cur;

	order = calloc(im->nr_task_ents + 1, sizeof(*order));
	if (!order)
		return NULL;
	for (i = 0; i < im->nr_task_ents; i++) {
		if (t[i].parent >= 0)
			continue;
		cur = i;
		for (;;) {
			order[n++] = (__u32)cur;
			if (t[cur].child >= 0) {
				cur = t[cur].child;
				continue;
			}
			while (cur != (long)i && t[cur].sibling < 0)
				cur = t[cur].parent;
			if (cur == (long)i)
				break;
			cur = t[cur].sibling;
		}
	}
	return order;
}

/* Append ",@word" (or "@word" first) to @buf if it fits */
static void add_word(char *buf, size_t size, const char *word)
{
	size_t n = strlen(buf);

	if (n + 1 + strlen(word) < size)
		snprintf(buf + n, size - n, "%s%s", n ? "," : "", word);
}

static void task_state(struct img *im, const struct task_ent *t, char *buf, size_t size)
{
	char st[64], z[80], sh[40];

	buf[0] = 0;
	if (t->flags & CKPT_TASK_ZOMBIE) {
		wait_status_str(t->exit_code, st, sizeof(st));
		snprintf(z, sizeof(z), "zombie:%s", st);
		add_word(buf, size, z);
	}
	if (t->flags & CKPT_TASK_STOPPED)
		add_word(buf, size, "stopped");
	if (t->sid == t->pid)
		add_word(buf, size, "session-leader");
	if (t->pgid == t->pid)
		add_word(buf, size, "group-leader");
	if (im->tty_seen && t->pgid && t->pgid == im->tty.tty.fg_pgrp)
		add_word(buf, size, "foreground");
	if (t->flags & CKPT_TASK_CTTY)
		add_word(buf, size, "ctty");
	if (t->flags & CKPT_TASK_SUBREAPER)
		add_word(buf, size, "subreaper");
	if (t->flags & CKPT_TASK_SELF)
		add_word(buf, size, "self");
	if (t->files_of) {
		snprintf(sh, sizeof(sh), "files-of:%d", t->files_of);
		add_word(buf, size, sh);
	}
	if (t->fs_of) {
		snprintf(sh, sizeof(sh), "fs-of:%d", t->fs_of);
		add_word(buf, size, sh);
	}
	if (!buf[0])
		snprintf(buf, size, "-");
}

/* The process's CPU time (user + system, every thread's): "2.350000000s", or "-" */
static void cpu_time_str(const struct task_ent *t, char *buf, size_t size)
{
	__u64 ns;

	if (acct_cpu_time(t, &ns))
		snprintf(buf, size, "%llu.%09llus", ns / 1000000000ULL, ns % 1000000000ULL);
	else
		snprintf(buf, size, "-");
}

static int cmp_holds(const void *a, const void *b)
{
	const struct hold_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->task != y->task)
		return x->task < y->task ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/*
 * Sort the descriptors on pipes, ptys and the terminal by what they hold:
 * pipe index * 4 + mode, then (after the pipes) pty index * 2, + 1 for
 * the slave, and ~0 for the terminal (see the hold_key of file kinds)
 */
static void sort_holds(struct img *im)
{
	struct hold_ent *h;
	size_t i;

	for (i = 0; i < im->nr_holds; i++) {
		h = &im->holds[i];
		h->key = file_hold_key(im, &im->files[h->file]);
	}
	if (im->nr_holds)
		qsort(im->holds, im->nr_holds, sizeof(*im->holds), cmp_holds);
}

/* The descriptors with sort key @key: holds[*lo..*hi) */
void hold_range(struct img *im, __u64 key, size_t *lo, size_t *hi)
{
	size_t a = 0, b = im->nr_holds, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (im->holds[m].key < key)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < im->nr_holds && im->holds[b].key == key; b++)
		;
	*hi = b;
}

/* Text: "pid 101 fds 1,4; pid 102 fd 1", or "none" */
void print_holders(struct img *im, const char *label, __u64 key, const char *none)
{
	size_t lo, hi, i, j, k;

	hold_range(im, key, &lo, &hi);
	if (im->json) {
		json_open(im, label, '[');
		for (i = lo; i < hi; i++) {
			sub_begin(im, NULL);
			fs(im, "pid", im->tasks[im->holds[i].task].pid);
			fu(im, "fd", im->holds[i].fd);
			sub_end(im);
		}
		json_close(im);
		return;
	}
	printf("    %-11s", label);
	if (lo == hi)
		printf(" %s", none);
	for (i = lo; i < hi; i = j) {
		for (j = i + 1; j < hi && im->holds[j].task == im->holds[i].task; j++)
			;
		printf("%s pid %d fd%s ", i > lo ? ";" : "", im->tasks[im->holds[i].task].pid,
		       j - i > 1 ? "s" : "");
		for (k = i; k < j; k++)
			printf("%s%u", k > i ? "," : "", im->holds[k].fd);
	}
	putchar('\n');
}

static void print_processes(struct img *im, const __u32 *order)
{
	char state[160], comm[4 * 16 + 1], cpu[32];
	__u32 i, k, d;
	int w = 5, cw = 3;
	__u64 ns;

	if (im->json) {
		json_open(im, "processes", '[');
		for (k = 0; k < im->nr_task_ents; k++) {
			const struct task_ent *t = &im->tasks[order[k]];

			sub_begin(im, NULL);
			fs(im, "pid", t->pid);
			fs(im, "ppid", t->ppid);
			fs(im, "pgid", t->pgid);
			fs(im, "sid", t->sid);
			fstr(im, "comm", t->comm, strnlen(t->comm, sizeof(t->comm)));
			fu(im, "depth", t->depth);
			if (t->parent >= 0)
				fs(im, "parent", im->tasks[t->parent].pid);
			else
				field_fmt(im, "parent", 0, "null");
			fu(im, "nr_threads", t->nr_threads);
			if (acct_cpu_time(t, &ns))
				fns(im, "cpu_time", ns);
			else
				field_fmt(im, "cpu_time", 0, "null");
			fbool(im, "zombie", !!(t->flags & CKPT_TASK_ZOMBIE));
			fbool(im, "stopped", !!(t->flags & CKPT_TASK_STOPPED));
			fbool(im, "ctty", !!(t->flags & CKPT_TASK_CTTY));
			fbool(im, "subreaper", !!(t->flags & CKPT_TASK_SUBREAPER));
			fbool(im, "session_leader", t->sid == t->pid);
			fbool(im, "group_leader", t->pgid == t->pid);
			if (t->files_of)
				fs(im, "files_of", t->files_of);
			if (t->fs_of)
				fs(im, "fs_of", t->fs_of);
			if (t->flags & CKPT_TASK_ZOMBIE) {
				wait_status_str(t->exit_code, state, sizeof(state));
				fs(im, "exit_code", t->exit_code);
				fword(im, "exit", state);
			} else {
				field_fmt(im, "exit_code", 0, "null");
				field_fmt(im, "exit", 0, "null");
			}
			json_open(im, "threads", '[');
			for (i = 0; i < t->threads; i++) {
				const struct thread_ent *th = &im->threads[t->first_thread + i];

				sub_begin(im, NULL);
				fs(im, "tid", th->tid);
				fstr(im, "comm", th->comm, strnlen(th->comm, sizeof(th->comm)));
				fx(im, "ip", th->ip);
				fx(im, "sp", th->sp);
				if (th->rb.kind == CKPT_RESTART_NONE) {
					field_fmt(im, "restart", 0, "null");
				} else {
					json_open(im, "restart", '{');
					fword(im, "kind", restart_kinds[th->rb.kind]);
					fs(im, "clockid", th->rb.clockid);
					fs(im, "remaining_ns", th->rb.remaining_ns);
					restart_str(&th->rb, state, sizeof(state));
					fword(im, "summary", state);
					json_close(im);
				}
				sub_end(im);
			}
			json_close(im);
			sub_end(im);
		}
		json_close(im);
		return;
	}

	if (!im->nr_task_ents) {
		printf("processes: none\nthreads: none\n");
		return;
	}
	for (k = 0; k < im->nr_task_ents; k++) {
		task_state(im, &im->tasks[k], state, sizeof(state));
		if ((int)strlen(state) > w)
			w = (int)strlen(state);
		cpu_time_str(&im->tasks[k], cpu, sizeof(cpu));
		if ((int)strlen(cpu) > cw)
			cw = (int)strlen(cpu);
	}
	printf("processes:\n%8s %8s %8s %8s %7s %*s  %-*s  %s\n", "PID", "PPID", "PGID", "SID",
	       "THREADS", cw, "CPU", w, "STATE", "COMMAND");
	for (k = 0; k < im->nr_task_ents; k++) {
		const struct task_ent *t = &im->tasks[order[k]];

		task_state(im, t, state, sizeof(state));
		cpu_time_str(t, cpu, sizeof(cpu));
		text_esc(comm, sizeof(comm), t->comm, strnlen(t->comm, sizeof(t->comm)));
		printf("%8d %8d %8d %8d %7u %*s  %-*s  ", t->pid, t->ppid, t->pgid, t->sid,
		       t->nr_threads, cw, cpu, w, state);
		d = t->depth < MAX_TREE_INDENT ? t->depth : MAX_TREE_INDENT;
		if (d)
			printf("%*s\\_ ", (int)(d - 1) * 3, "");
		printf("%s\n", comm);
	}

	printf("threads:\n%8s %8s  %-18s  %-18s  %-16s  %s\n", "PID", "TID", "IP", "SP", "COMM",
	       "RESTART");
	for (k = 0; k < im->nr_task_ents; k++) {
		const struct task_ent *t = &im->tasks[order[k]];

		for (i = 0; i < t->threads; i++) {
			const struct thread_ent *th = &im->threads[t->first_thread + i];

			text_esc(comm, sizeof(comm), th->comm, strnlen(th->comm, sizeof(th->comm)));
			restart_str(&th->rb, state, sizeof(state));
			printf("%8d %8d  0x%016llx  0x%016llx  %-16s  %s\n", t->pid, th->tid,
			       th->ip, th->sp, comm, state);
		}
	}
}

/* After the records: the job as a whole */
void print_job(struct img *im)
{
	__u32 scope = im->hdr.flags & CKPT_SCOPE_MASK, i, zombies = 0, stopped = 0;
	__u32 *order;

	if (!im->tasks) {
		if (im->json)
			field_fmt(im, "job", 0, "null");
		return;
	}
	build_tree(im);
	sort_holds(im);
	order = tree_order(im);
	if (!order) {
		fprintf(stderr, "ckptinfo: out of memory\n");
		if (im->json)
			field_fmt(im, "job", 0, "null");
		return;
	}
	for (i = 0; i < im->nr_task_ents; i++) {
		zombies += !!(im->tasks[i].flags & CKPT_TASK_ZOMBIE);
		stopped += !!(im->tasks[i].flags & CKPT_TASK_STOPPED);
	}
	if (im->json) {
		json_open(im, "job", '{');
		fword(im, "scope", scopes[scope >> 2]);
		fs(im, "root_pid", im->hdr.root_pid);
		fu(im, "nr_processes", im->nr_task_ents);
		fu(im, "nr_threads", im->nr_thread_ents);
		fu(im, "zombies", zombies);
		fu(im, "stopped", stopped);
		fbool(im, "complete", im->tasks_done == im->hdr.nr_tasks);
	} else {
		printf("\njob: scope=%s root_pid=%d processes=%u threads=%zu ",
		       scopes[scope >> 2], im->hdr.root_pid, im->nr_task_ents,
		       im->nr_thread_ents);
		printf("zombies=%u stopped=%u%s\n",
		       zombies, stopped,
		       im->tasks_done == im->hdr.nr_tasks ? "" : " (incomplete: decoding stopped)");
	}
	print_processes(im, order);
	print_pipes(im, 0);
	print_pipes(im, 1);
	print_ptys(im);
	print_sysvshms(im);
	print_tty(im);
	if (im->json)
		json_close(im);
	free(order);
}
