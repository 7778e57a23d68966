// SPDX-License-Identifier: GPL-2.0-only
/*
 * System V shared memory: the segments a job has attached with shmat(2)
 * (CKPT_REC_SYSVSHM) and its attachments (CKPT_VMA_SYSVSHM mappings).
 *
 * A segment is saved once, the first time a mapping of it is written,
 * with its id, key, owner, creator, mode, times, whether it was removed
 * (IPC_RMID while attached) and its contents (as unlinked.c saves a
 * file's: pages of data, holes left out).  Like a file no path leads
 * to, it is the job's only if no process outside the job attaches it;
 * otherwise the checkpoint is refused, naming that process.  A segment
 * locked with SHM_LOCK, a hugetlb segment, or one of another IPC
 * namespace than the checkpointer's is refused too.  Segments that no
 * process of the job attaches are not part of it: they stay in their
 * IPC namespace, as files stay on their filesystem.
 *
 * Restart makes the segment again in the restored process that first
 * attaches it, with its id and key (shm_ckpt_restore()), so that a
 * program that kept the id, or finds the segment by its key, finds it;
 * the process is its creator, as it was (or a process of the job was).
 * On the machine the job was checkpointed on, a job killed after its
 * checkpoint left its segments behind (unless it had removed them): the
 * segment still there with the same id, key, size and creator, and that
 * nothing attaches, is taken back and its contents replaced by the
 * image's.  Any other segment with that id or key fails the restart
 * (EEXIST), naming both.  Each mapping of an attachment then attaches the
 * segment through one file, as shmat() does, so that shmdt() detaches the
 * whole attachment.  Once every process is restored, the segment gets
 * its times back, and a segment that had been removed is removed again
 * (it goes when its last process detaches it); if the restart fails, a
 * segment it made is removed.
 *
 * Owner and creator are restored as saved: creating a segment owned or
 * created by another user than the restarting process needs
 * CAP_SYS_ADMIN in the IPC namespace's user namespace, as giving it away
 * with IPC_SET would (for the owner) or could not be done at all (for
 * the creator).  shm_cpid and shm_lpid are the restored processes' that
 * made and last attached the segment at restart.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/capability.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/ipc_ckpt.h>
#include <linux/slab.h>

#include "internal.h"

#define CKPT_SHM_WHAT	64

static void ckpt_shm_what(char *what, int id, key_t key)
{
	snprintf(what, CKPT_SHM_WHAT, "System V shared memory segment %d (key %#x)", id, key);
}

/**
 * ckpt_sysvshm_file - is a mapping's file an attachment made by shmat(2)?
 * @f:	the file
 *
 * Context: may be called under the mmap lock.
 */
bool ckpt_sysvshm_file(struct file *f)
{
	struct shm_ckpt_info info;
	struct file *base;

	base = shm_ckpt_get(current->nsproxy->ipc_ns, f, &info);
	if (!IS_ERR(base))
		fput(base);
	return base != ERR_PTR(-EINVAL);
}

static u32 ckpt_shm_kuid(kuid_t uid)
{
	return from_kuid(current_user_ns(), uid);
}

static u32 ckpt_shm_kgid(kgid_t gid)
{
	return from_kgid(current_user_ns(), gid);
}

/**
 * ckpt_write_sysvshm - write the record and contents of a segment, the
 * first time a mapping of the job attaches it
 * @ctx:	the checkpoint context
 * @f:		the mapping's file (ckpt_sysvshm_file() said so)
 * @objid:	set to the segment's id in the image
 *
 * Return: 0, -EBUSY for a segment also attached outside the job,
 * -EOPNOTSUPP for one that is not saved (the reasons logged), or a
 * negative errno.
 */
int ckpt_write_sysvshm(struct ckpt_ctx *ctx, struct file *f, u32 *objid)
{
	struct ckpt_rec_sysvshm rec = {};
	char what[CKPT_SHM_WHAT];
	struct shm_ckpt_info info;
	struct file *base, *rf;
	u32 kind;
	int err;

	base = shm_ckpt_get(current->nsproxy->ipc_ns, f, &info);
	if (base == ERR_PTR(-EXDEV))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"a System V shared memory segment of another IPC namespace is attached: not supported");
	if (IS_ERR(base))
		return ckpt_err(ctx, PTR_ERR(base),
				"a System V shared memory segment went away during the checkpoint");
	*objid = ckpt_obj_lookup_ptr(&ctx->objs, file_inode(base), &kind);
	if (*objid) {
		fput(base);
		return kind == CKPT_REC_SYSVSHM ? 0 : -EINVAL;
	}

	ckpt_shm_what(what, info.id, info.key);
	if (info.locked) {
		err = ckpt_err(ctx, -EOPNOTSUPP, "%s is locked in memory (SHM_LOCK): not supported",
			       what);
		goto out;
	}
	if (is_file_hugepages(base)) {
		err = ckpt_err(ctx, -EOPNOTSUPP, "%s is of huge pages: not supported", what);
		goto out;
	}
	err = ckpt_check_unlinked(ctx, base, what);
	if (err)
		goto out;

	/* A description of its own to read it: the segment's is shared. */
	rf = dentry_open(&base->f_path, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(rf)) {
		err = ckpt_err(ctx, PTR_ERR(rf), "%s: cannot read it (error %ld)", what,
			       PTR_ERR(rf));
		goto out;
	}
	rec.shmid = info.id;
	rec.key = info.key;
	rec.mode = info.mode;
	rec.size = info.size;
	rec.uid = ckpt_shm_kuid(info.uid);
	rec.gid = ckpt_shm_kgid(info.gid);
	rec.cuid = ckpt_shm_kuid(info.cuid);
	rec.cgid = ckpt_shm_kgid(info.cgid);
	rec.atime = info.atime;
	rec.dtime = info.dtime;
	rec.ctime = info.ctime;
	rec.flags = info.dest ? CKPT_SHM_REMOVED : 0;
	err = ckpt_count_data(rf, i_size_read(file_inode(rf)), &rec.nr_pages);
	if (err < 0) {
		err = ckpt_err(ctx, err, "%s: cannot find its data (error %d)", what, err);
		goto out_rf;
	}
	rec.objid = ckpt_obj_new_id(&ctx->objs);
	err = ckpt_obj_add(&ctx->objs, file_inode(base), rec.objid, CKPT_REC_SYSVSHM, NULL);
	if (!err)
		err = ckpt_write_record(ctx, CKPT_REC_SYSVSHM, &rec, sizeof(rec));
	if (!err)
		err = ckpt_write_data(ctx, rf, i_size_read(file_inode(rf)), rec.nr_pages, what);
	if (!err)
		*objid = rec.objid;
out_rf:
	fput(rf);
out:
	fput(base);
	return err;
}

/* ---- restart ---- */

/**
 * struct ckpt_rshm - restart: a segment made again or taken back
 * @ctx:	the restart: whether it failed, when the table is dropped
 * @ns:		the IPC namespace it is in
 * @base:	its shmem file
 * @info:	the segment as saved
 * @created:	made by this restart (removed again if it fails)
 * @proc:	the process @attach belongs to
 * @attach:	that process's last attachment of it, for its next mapping
 * @attach_at:	the address @attach maps the segment's start at
 * @attach_rdonly: @attach was made with SHM_RDONLY
 */
struct ckpt_rshm {
	struct ckpt_ctx *ctx;
	struct ipc_namespace *ns;
	struct file *base;
	struct shm_ckpt_info info;
	bool created;
	struct ckpt_rproc *proc;
	struct file *attach;
	u64 attach_at;
	bool attach_rdonly;
};

/*
 * Dropped with the object table: once every process is restored (the
 * segment gets its times, and is removed again if it had been), or when
 * the restart failed (a segment it made is removed; the processes that
 * attached it are being killed, so it goes with their last detach).
 */
static void ckpt_rshm_release(void *p)
{
	struct ckpt_rshm *rs = p;
	bool failed = READ_ONCE(rs->ctx->abort);

	shm_ckpt_settle(rs->ns, rs->base, &rs->info, failed ? rs->created : rs->info.dest);
	if (rs->attach)
		fput(rs->attach);
	fput(rs->base);
	put_ipc_ns(rs->ns);
	kfree(rs);
}

static int ckpt_check_rec_sysvshm(struct ckpt_ctx *ctx, const struct ckpt_rec_sysvshm *r,
				  struct shm_ckpt_info *info)
{
	struct user_namespace *uns = current_user_ns();

	if (!r->objid || r->reserved || r->flags & ~CKPT_SHM_REMOVED || r->shmid < 0 ||
	    r->mode & ~0777 || !r->size || r->size > MAX_LFS_FILESIZE ||
	    r->nr_pages > DIV_ROUND_UP(r->size, PAGE_SIZE) ||
	    (r->flags & CKPT_SHM_REMOVED && r->key != IPC_PRIVATE))
		return ckpt_err(ctx, -ENOEXEC, "System V shared memory record %u is malformed",
				r->objid);
	info->id = r->shmid;
	info->key = r->key;
	info->mode = r->mode;
	info->dest = r->flags & CKPT_SHM_REMOVED;
	info->size = r->size;
	info->uid = make_kuid(uns, r->uid);
	info->gid = make_kgid(uns, r->gid);
	info->cuid = make_kuid(uns, r->cuid);
	info->cgid = make_kgid(uns, r->cgid);
	info->atime = r->atime;
	info->dtime = r->dtime;
	info->ctime = r->ctime;
	if (!uid_valid(info->uid) || !gid_valid(info->gid) || !uid_valid(info->cuid) ||
	    !gid_valid(info->cgid))
		return ckpt_err(ctx, -EINVAL,
				"System V shared memory segment %d: its owner or creator has no id here",
				r->shmid);
	return 0;
}

/* Make the segment, or take it back; log why not. */
static int ckpt_restore_shm(struct ckpt_ctx *ctx, struct ckpt_rshm *rs, const char *what)
{
	const struct shm_ckpt_info *info = &rs->info;
	struct file *base;

	/* As kernel.shm_next_id, the way to choose an id, needs it. */
	if (!checkpoint_restore_ns_capable(rs->ns->user_ns))
		return ckpt_err(ctx, -EPERM,
				"%s: making it with its id needs CAP_CHECKPOINT_RESTORE over the IPC namespace",
				what);
	if ((!uid_eq(info->cuid, current_euid()) || !gid_eq(info->cgid, current_egid())) &&
	    !ns_capable(rs->ns->user_ns, CAP_SYS_ADMIN))
		return ckpt_err(ctx, -EPERM,
				"%s: making it with its creator %u:%u needs CAP_SYS_ADMIN",
				what, from_kuid_munged(current_user_ns(), info->cuid),
				from_kgid_munged(current_user_ns(), info->cgid));

	base = shm_ckpt_restore(rs->ns, info, &rs->created);
	switch (PTR_ERR_OR_ZERO(base)) {
	case 0:
		rs->base = base;
		return 0;
	case -EEXIST:
		return ckpt_err(ctx, -EEXIST,
				"%s: another segment has its id or key (ipcs -m shows it)", what);
	case -EBUSY:
		return ckpt_err(ctx, -EBUSY,
				"%s is still there and attached: is the job still running?", what);
	case -EPERM:
		return ckpt_err(ctx, -EPERM, "%s is still there, and not this user's", what);
	default:
		return ckpt_err(ctx, PTR_ERR(base), "%s: cannot make it (error %ld)", what,
				PTR_ERR(base));
	}
}

/* Its contents are the image's: what a segment taken back held goes. */
static int ckpt_fill_shm(struct ckpt_ctx *ctx, struct ckpt_rshm *rs,
			 const struct ckpt_rec_sysvshm *r, const char *what)
{
	struct file *wf;
	int err = 0;

	wf = dentry_open(&rs->base->f_path, O_RDWR | O_LARGEFILE, current_cred());
	if (IS_ERR(wf))
		return ckpt_err(ctx, PTR_ERR(wf), "%s: cannot write it (error %ld)", what,
				PTR_ERR(wf));
	if (!rs->created)
		err = vfs_fallocate(wf, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
				    i_size_read(file_inode(wf)));
	if (err)
		ckpt_err(ctx, err, "%s: cannot empty it (error %d)", what, err);
	else
		err = ckpt_read_data(ctx, wf, r->size, r->nr_pages, what);
	fput(wf);
	return err;
}

/**
 * ckpt_read_sysvshm - make the segment of a CKPT_REC_SYSVSHM record, or
 * take it back, and fill it
 * @ctx: the restart context
 *
 * Context: the process being restored, with its credentials, which
 * becomes the segment's creating process.
 *
 * Return: 0, -ENOEXEC for a malformed record, or a negative errno with
 * the reason logged.
 */
int ckpt_read_sysvshm(struct ckpt_ctx *ctx)
{
	char what[CKPT_SHM_WHAT];
	struct ckpt_rec_sysvshm r;
	struct ckpt_rshm *rs;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_SYSVSHM, &r, sizeof(r));
	if (err)
		return err;
	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return -ENOMEM;
	err = ckpt_check_rec_sysvshm(ctx, &r, &rs->info);
	if (err) {
		kfree(rs);
		return err;
	}
	ckpt_shm_what(what, r.shmid, r.key);
	rs->ctx = ctx;
	rs->ns = get_ipc_ns(current->nsproxy->ipc_ns);
	err = ckpt_restore_shm(ctx, rs, what);
	if (err) {
		put_ipc_ns(rs->ns);
		kfree(rs);
		return err;
	}
	err = ckpt_obj_add(&ctx->objs, rs, r.objid, CKPT_REC_SYSVSHM, ckpt_rshm_release);
	if (err) {
		/* Not in the table: settle it here, as if the restart failed. */
		shm_ckpt_settle(rs->ns, rs->base, &rs->info, rs->created);
		fput(rs->base);
		put_ipc_ns(rs->ns);
		kfree(rs);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r.objid);
		return err;
	}
	return ckpt_fill_shm(ctx, rs, &r, what);
}

/**
 * ckpt_sysvshm_attach - the file a restored mapping attaches its segment
 * through
 * @ctx:	the restart context
 * @objid:	the segment's id in the image
 * @at:		the address the mapping's attachment maps the segment's
 *		start at (the mapping's start less its offset)
 * @rdonly:	attached with SHM_RDONLY
 *
 * The mappings of one attachment in one process share one file, as
 * shmat() made them, so that shmdt() detaches them together.
 *
 * Context: the process being restored.
 * Return: the file, referenced; NULL if the image has no such segment
 * before this point; or an ERR_PTR (the reason logged).
 */
struct file *ckpt_sysvshm_attach(struct ckpt_ctx *ctx, u32 objid, u64 at, bool rdonly)
{
	struct ckpt_rshm *rs = ckpt_obj_lookup(&ctx->objs, objid, CKPT_REC_SYSVSHM);
	char what[CKPT_SHM_WHAT];
	struct file *f;

	if (!rs)
		return NULL;
	if (rs->attach && rs->proc == ctx->cur && rs->attach_at == at &&
	    rs->attach_rdonly == rdonly)
		return get_file(rs->attach);

	f = shm_ckpt_file(rs->ns, rs->info.id, rs->base, rdonly);
	if (IS_ERR(f)) {
		ckpt_shm_what(what, rs->info.id, rs->info.key);
		ckpt_err(ctx, PTR_ERR(f), "%s: cannot attach it (error %ld)", what, PTR_ERR(f));
		return f;
	}
	if (rs->attach)
		fput(rs->attach);
	rs->attach = get_file(f);
	rs->proc = ctx->cur;
	rs->attach_at = at;
	rs->attach_rdonly = rdonly;
	return f;
}
