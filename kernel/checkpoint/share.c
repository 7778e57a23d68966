// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tables that processes share without being threads of one process: a
 * file table (clone(2) with CLONE_FILES) and an fs_struct, the working
 * directory, root and umask (CLONE_FS).
 *
 * The first process of the job in image order that has such a table
 * saves it as usual; a later one that shares it writes a CKPT_REC_SHARES
 * record naming that process, and nothing of the table itself.  At
 * restart the later process, restored after the first, drops the table
 * it was created with and takes the first's, so that the two share it
 * again: a descriptor one opens or closes, or a chdir(2), is the other's
 * too.  A table also shared with a process outside the job is refused
 * (job.c), since restart could not share it with that process again.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/sched/task.h>

#include "internal.h"

/* The first process before @m in the image that has the same table. */
static pid_t ckpt_first_sharer(struct ckpt_ctx *ctx, const struct ckpt_member *m, bool files)
{
	unsigned int i, me = m - ctx->members;
	struct task_struct *p = m->task;
	void *mine = files ? (void *)READ_ONCE(p->files) : (void *)READ_ONCE(p->fs);

	for (i = 0; i < me && i < ctx->nr_members; i++) {
		struct task_struct *q = ctx->members[i].task;
		void *theirs = files ? (void *)READ_ONCE(q->files) : (void *)READ_ONCE(q->fs);

		if (!q->exit_state && theirs == mine)
			return ctx->members[i].pid;
	}
	return 0;
}

/**
 * ckpt_write_shares - write the CKPT_REC_SHARES record of a process that
 * shares a table with a process before it in the image
 * @ctx:	the checkpoint context
 * @m:		the process, one of @ctx->members
 * @files:	set if it shares its file table (its files are not written)
 * @fs:		set if it shares its fs_struct (its CKPT_REC_FS is not written)
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_shares(struct ckpt_ctx *ctx, const struct ckpt_member *m, bool *files, bool *fs)
{
	struct ckpt_rec_shares rec = {
		.files_of	= ckpt_first_sharer(ctx, m, true),
		.fs_of		= ckpt_first_sharer(ctx, m, false),
	};

	*files = rec.files_of;
	*fs = rec.fs_of;
	if (!rec.files_of && !rec.fs_of)
		return 0;
	return ckpt_write_record(ctx, CKPT_REC_SHARES, &rec, sizeof(rec));
}

/* The restored process before the current one whose pid was @pid. */
static struct task_struct *ckpt_sharer(struct ckpt_ctx *ctx, pid_t pid)
{
	struct ckpt_rproc *proc;

	for (proc = ctx->procs; proc < ctx->cur; proc++)
		if (proc->rec.pid == pid && !(proc->rec.flags & CKPT_TASK_ZOMBIE))
			return proc->task;
	return NULL;
}

static int ckpt_adopt_files(struct task_struct *from)
{
	struct files_struct *files, *old;

	task_lock(from);
	files = from->files;
	if (files)
		atomic_inc(&files->count);
	task_unlock(from);
	if (!files)
		return -ESRCH;
	task_lock(current);
	old = current->files;
	current->files = files;
	task_unlock(current);
	put_files_struct(old);
	return 0;
}

static int ckpt_adopt_fs(struct task_struct *from)
{
	struct fs_struct *fs;

	task_lock(from);
	fs = from->fs;
	if (fs) {
		spin_lock(&fs->lock);
		fs->users++;
		spin_unlock(&fs->lock);
	}
	task_unlock(from);
	if (!fs)
		return -ESRCH;
	exit_fs(current);
	task_lock(current);
	current->fs = fs;
	task_unlock(current);
	return 0;
}

/**
 * ckpt_read_shares - read the CKPT_REC_SHARES record of the process
 * being restored, if it has one, and share those tables again
 * @ctx:	the restart context; the process is current
 * @files:	set if it shares the file table of a process before it
 * @fs:		set if it shares the fs_struct of a process before it
 *
 * Return: 0, or -ENOEXEC (logged) for a record that names no process
 * restored before this one.
 */
int ckpt_read_shares(struct ckpt_ctx *ctx, bool *files, bool *fs)
{
	struct task_struct *files_of = NULL, *fs_of = NULL;
	struct ckpt_rec_shares r;
	int err, type;

	*files = false;
	*fs = false;
	type = ckpt_peek_type(ctx);
	if (type != CKPT_REC_SHARES)
		return type < 0 ? type : 0;
	err = ckpt_read_record_into(ctx, CKPT_REC_SHARES, &r, sizeof(r));
	if (err)
		return err;
	if (r.files_of)
		files_of = ckpt_sharer(ctx, r.files_of);
	if (r.fs_of)
		fs_of = ckpt_sharer(ctx, r.fs_of);
	if ((!r.files_of && !r.fs_of) || r.files_of < 0 || r.fs_of < 0 ||
	    (r.files_of && !files_of) || (r.fs_of && !fs_of))
		return ckpt_err(ctx, -ENOEXEC,
				"shares record: pids %d and %d are not processes restored before it",
				r.files_of, r.fs_of);
	if (files_of) {
		err = ckpt_adopt_files(files_of);
		if (err)
			return ckpt_err(ctx, err, "cannot share the file table of pid %d",
					r.files_of);
		*files = true;
	}
	if (fs_of) {
		err = ckpt_adopt_fs(fs_of);
		if (err)
			return ckpt_err(ctx, err, "cannot share the fs_struct of pid %d", r.fs_of);
		*fs = true;
	}
	return 0;
}
