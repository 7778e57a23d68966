// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: shared tables.  The SHARES record, right after a process's
 * RLIMITS, says that it shares the file table (CLONE_FILES) or the
 * working directory, root and umask (CLONE_FS) of a process before it in
 * the image, without being its thread: it then has no FILE, FD or LOCKS
 * records, or no FS record, of its own.
 */
#include "ckptinfo.h"

/*
 * The process @pid that a SHARES field names: as restart finds it, a
 * process restored before this one, and not a zombie (which has no
 * tables left)
 */
static int check_sharer(struct img *im, const char *key, __s32 pid)
{
	const struct task_ent *t;
	__u32 v;

	if (!pid)
		return 0;
	if (!idset_get(&im->tids, (__u32)pid, &v))
		return bad(im, "%s %d: no process before it in the image has that pid", key, pid);
	t = &im->tasks[v];
	if (t->pid != pid)
		return bad(im, "%s %d is a thread of pid %d, not a process", key, pid, t->pid);
	if (v == im->tasks_done)
		return bad(im, "%s %d is the process itself", key, pid);
	if (t->flags & CKPT_TASK_ZOMBIE)
		return bad(im, "%s %d is a zombie, which has no tables to share", key, pid);
	return 0;
}

int decode_shares(struct img *im)
{
	struct ckpt_rec_shares *r = (void *)im->buf;
	struct task_ent *e = &im->tasks[im->tasks_done];

	if (check_len(im, sizeof(*r), "the SHARES record"))
		return -1;
	if (!r->files_of && !r->fs_of)
		return bad(im, "files_of and fs_of are 0: the record shares nothing");
	if (r->files_of < 0 || r->fs_of < 0)
		return bad(im, "files_of %d or fs_of %d is negative", r->files_of, r->fs_of);
	if (check_sharer(im, "files_of", r->files_of) || check_sharer(im, "fs_of", r->fs_of))
		return -1;
	im->files_of = r->files_of;
	im->fs_of = r->fs_of;
	e->files_of = r->files_of;
	e->fs_of = r->fs_of;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "files_of", r->files_of);
	fs(im, "fs_of", r->fs_of);
	rec_end(im);
	im->st = r->fs_of ? ST_MM : ST_FS;
	return 0;
}

/*
 * After the TIMERS and POSIX_TIMERS records: the process's files, or, if
 * it shares another's file table, its threads
 */
void files_begin(struct img *im)
{
	im->st = im->files_of ? ST_THREAD : ST_FILES;
}
