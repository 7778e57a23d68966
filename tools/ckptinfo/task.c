// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: processes.  The TASK record that opens a process's records
 * (the job's tree is checked as they come), and the TASK_END that closes
 * them.
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

#define TASK_FLAGS	(CKPT_TASK_STOPPED | CKPT_TASK_NO_NEW_PRIVS | CKPT_TASK_SELF | \
			 CKPT_TASK_ZOMBIE | CKPT_TASK_CTTY | CKPT_TASK_SUBREAPER)

static const struct flag_name task_flags[] = {
	{ CKPT_TASK_STOPPED, "stopped" },
	{ CKPT_TASK_NO_NEW_PRIVS, "no_new_privs" },
	{ CKPT_TASK_SELF, "self" },
	{ CKPT_TASK_ZOMBIE, "zombie" },
	{ CKPT_TASK_CTTY, "ctty" },
	{ CKPT_TASK_SUBREAPER, "subreaper" },
	{ 0, NULL }
};

/* A wait status, as a shell would describe it */
void wait_status_str(__s32 st, char *buf, size_t size)
{
	char name[32];

	if ((st & 0x7f) == 0)
		snprintf(buf, size, "exited(%d)", (st >> 8) & 0xff);
	else
		snprintf(buf, size, "killed(%s%s)", sig_name(st & 0x7f, name, sizeof(name)),
			 st & 0x80 ? ",core" : "");
}

int decode_task(struct img *im)
{
	struct ckpt_rec_task *t = (void *)im->buf;
	__u32 scope = im->hdr.flags & CKPT_SCOPE_MASK, idx = im->tasks_done, v;
	int zombie = !!(t->flags & CKPT_TASK_ZOMBIE);
	struct task_ent *e;
	char buf[64];
	__u32 j;
	int r;

	if (check_len(im, sizeof(*t), "the TASK record"))
		return -1;
	if (t->pid <= 0)
		return bad(im, "pid %d is not positive", t->pid);
	if (t->tgid != t->pid)
		return bad(im, "tgid %d differs from pid %d", t->tgid, t->pid);
	if (t->ppid < 0 || t->pgid < 0 || t->sid < 0)
		return bad(im, "ppid %d, pgid %d or sid %d is negative", t->ppid, t->pgid,
			   t->sid);
	if (check_cstr(im, "comm", t->comm, sizeof(t->comm)))
		return -1;
	if (t->flags & ~TASK_FLAGS)
		return bad(im, "unknown task flags 0x%x", t->flags);
	if (zombie && t->nr_threads != 0)
		return bad(im, "nr_threads is %u, but a zombie has no THREAD records",
			   t->nr_threads);
	if (!zombie && (t->nr_threads == 0 || t->nr_threads > CKPT_MAX_THREADS))
		return bad(im, "nr_threads %u is not in 1..CKPT_MAX_THREADS (%d)",
			   t->nr_threads, CKPT_MAX_THREADS);
	if (zombie && (t->exit_code < 0 || t->exit_code > 0xffff ||
		       ((t->exit_code & 0x7f) && (t->exit_code & 0xff00)) ||
		       (t->exit_code & 0x7f) == 0x7f ||
		       (!(t->exit_code & 0x7f) && (t->exit_code & 0x80))))
		return bad(im, "exit_code 0x%x is not the wait status of a process that exited",
			   (__u32)t->exit_code);
	if (!zombie && t->exit_code)
		return bad(im, "exit_code 0x%x in a process that has not exited",
			   (__u32)t->exit_code);
	if (zombie && t->flags != CKPT_TASK_ZOMBIE)
		return bad(im, "flags 0x%x: a zombie has no flag but zombie", t->flags);
	if (t->exit_signal < 0 || (__u32)t->exit_signal > im->hdr.nsig ||
	    t->exit_signal == SIGKILL_NR || t->exit_signal == SIGSTOP_NR)
		return bad(im, "exit_signal %d is not a valid signal", t->exit_signal);
	if (t->pdeath_signal < 0 || (__u32)t->pdeath_signal > im->hdr.nsig)
		return bad(im, "pdeath_signal %d is not a valid signal", t->pdeath_signal);
	if (t->nice < -20 || t->nice > 19)
		return bad(im, "nice %d is not in -20..19", t->nice);
	if (t->umask & ~0777U)
		return bad(im, "umask %#o has bits outside 0777", t->umask);
	if (t->dumpable > 1)
		return bad(im, "dumpable %u is not 0 or 1 (what PR_SET_DUMPABLE sets)",
			   t->dumpable);
	if ((t->flags & CKPT_TASK_CTTY) && !im->tty_seen)
		return bad(im, "has the job's terminal (flag ctty), but no TTY record came before");
	if (idset_get(&im->tids, (__u32)t->pid, &v)) {
		if (im->tasks[v].pid == t->pid)
			return bad(im, "pid %d appears twice in the image", t->pid);
		return bad(im, "pid %d is already a thread of pid %d", t->pid, im->tasks[v].pid);
	}

	/* The job: parents first, and every process in the scope */
	for (j = 0; j < idx; j++)
		if (im->tasks[j].ppid == t->pid)
			return bad(im, "pid %d is the parent of pid %d, which comes before it",
				   t->pid, im->tasks[j].pid);
	if ((scope == CKPT_PROCESS || scope == CKPT_TREE) && idx == 0 &&
	    t->pid != im->hdr.root_pid)
		return bad(im, "pid %d is not the header's root_pid %d", t->pid, im->hdr.root_pid);
	if (scope == CKPT_TREE && idx > 0 && !idset_has(&im->tids, (__u32)t->ppid))
		return bad(im, "ppid %d is not in the image: not a descendant of pid %d",
			   t->ppid, im->hdr.root_pid);
	if (scope == CKPT_PGRP && t->pgid != im->hdr.root_pid)
		return bad(im, "pgid %d is not the process group %d that was checkpointed",
			   t->pgid, im->hdr.root_pid);
	if (scope == CKPT_SESSION && t->sid != im->hdr.root_pid)
		return bad(im, "sid %d is not the session %d that was checkpointed", t->sid,
			   im->hdr.root_pid);

	r = idset_put(&im->tids, (__u32)t->pid, idx);
	if (r < 0)
		return nomem(im);
	e = &im->tasks[idx];
	e->off = im->rec_off;
	e->pid = t->pid;
	e->ppid = t->ppid;
	e->pgid = t->pgid;
	e->sid = t->sid;
	e->exit_code = t->exit_code;
	e->flags = t->flags;
	e->nr_threads = t->nr_threads;
	memcpy(e->comm, t->comm, sizeof(e->comm));
	e->first_thread = (__u32)im->nr_thread_ents;
	e->threads = 0;
	e->files_of = 0;
	e->fs_of = 0;
	e->accts = 0;
	memset(e->acct_ns, 0, sizeof(e->acct_ns));
	im->nr_task_ents = idx + 1;

	im->pid = t->pid;
	im->nr_threads = t->nr_threads;
	im->threads_seen = 0;
	im->nr_files = 0;
	im->nr_fds = 0;
	im->task_pages = 0;
	im->files_of = 0;
	im->fs_of = 0;
	im->nr_posix = 0;
	im->nr_ptimer_ents = 0;
	lock_task_begin(im);
	memset(im->fdmap, 0, CKPT_MAX_FILES / 8);

	if (im->json) {
		if (!im->tasks_open) {
			json_open(im, "tasks", '[');
			im->tasks_open = 1;
		}
		json_open(im, NULL, '{');
		fs(im, "pid", t->pid);
		fstr(im, "comm", t->comm, strlen(t->comm));
		json_open(im, "records", '[');
	}
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "pid", t->pid);
	fstr(im, "comm", t->comm, strlen(t->comm));
	fs(im, "tgid", t->tgid);
	fs(im, "ppid", t->ppid);
	fs(im, "pgid", t->pgid);
	fs(im, "sid", t->sid);
	fs(im, "exit_signal", t->exit_signal);
	fs(im, "pdeath_signal", t->pdeath_signal);
	fs(im, "nice", t->nice);
	fx(im, "personality", t->personality);
	field_fmt(im, "umask", 1, "%04o", t->umask);
	fu(im, "dumpable", t->dumpable);
	fu(im, "nr_threads", t->nr_threads);
	fflags(im, "flags", t->flags, task_flags);
	if (zombie || t->exit_code)
		fx(im, "exit_code", (__u32)t->exit_code);
	if (zombie) {
		wait_status_str(t->exit_code, buf, sizeof(buf));
		fword(im, "exit", buf);
	}
	rec_end(im);
	/* a zombie has its ACCT record only */
	im->st = zombie ? ST_ACCT : ST_CRED;
	return 0;
}

int decode_task_end(struct img *im)
{
	struct ckpt_rec_task_end *e = (void *)im->buf;

	if (check_len(im, sizeof(*e), "the TASK_END record"))
		return -1;
	if (e->pid != im->pid)
		return bad(im, "pid %d differs from the TASK record's %d", e->pid,
			   im->pid);
	if (check_reserved(im, &e->reserved, sizeof(e->reserved)))
		return -1;
	if (ptimer_check_threads(im))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "pid", e->pid);
	fu(im, "pages", im->task_pages);
	fu(im, "page_bytes", im->task_pages * im->hdr.page_size);
	fu(im, "files", im->nr_files);
	fu(im, "fds", im->nr_fds);
	rec_end(im);
	if (im->json) {
		json_close(im);		/* records */
		fu(im, "pages", im->task_pages);
		fu(im, "page_bytes", im->task_pages * im->hdr.page_size);
		json_close(im);		/* the task */
	}
	im->nr_tasks--;
	im->tasks_done++;
	im->st = ST_TASK;
	return 0;
}
