// SPDX-License-Identifier: GPL-2.0-only
/*
 * eventfds: the counter and the EFD_SEMAPHORE mode (CKPT_REC_EVENTFD),
 * with the descriptor's O_NONBLOCK in its CKPT_REC_FILE.  An eventfd is
 * shared only by inheriting or passing its open file description, so
 * restart makes one file per record, and every descriptor of the job on
 * it shares that file again.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "internal.h"

static bool ckpt_eventfd_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	u64 count;
	int flags;

	return !eventfd_file_state(f, &count, &flags);
}

static int ckpt_eventfd_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct ckpt_rec_eventfd rec = {};
	int flags, err;

	err = ckpt_check_held_outside(ctx, w, "eventfd");
	if (err)
		return err;
	err = eventfd_file_state(w->file, &rec.count, &flags);
	if (err)
		return err;
	rec.flags = flags;
	rec.objid = ckpt_obj_new_id(&ctx->objs);
	w->rec.kind = CKPT_FILE_EVENTFD;
	w->rec.ref_id = rec.objid;
	return ckpt_write_record(ctx, CKPT_REC_EVENTFD, &rec, sizeof(rec));
}

static void ckpt_eventfd_put(void *f)
{
	fput(f);
}

static int ckpt_eventfd_read(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_eventfd r;
	struct file *f;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_EVENTFD, &r, sizeof(r));
	if (err)
		return err;
	if (!r.objid || r.flags & ~EFD_SEMAPHORE)
		return ckpt_err(ctx, -ENOEXEC, "eventfd record %u is malformed", r.objid);
	f = eventfd_file_create(r.count, r.flags);
	if (IS_ERR(f))
		return ckpt_err(ctx, PTR_ERR(f), "cannot create an eventfd (error %ld)",
				PTR_ERR(f));
	err = ckpt_obj_add(&ctx->objs, f, r.objid, CKPT_REC_EVENTFD, ckpt_eventfd_put);
	if (err) {
		fput(f);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r.objid);
	}
	return err;
}

static struct file *ckpt_eventfd_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				      const char *unused)
{
	return ckpt_open_obj_file(ctx, r, CKPT_REC_EVENTFD);
}

const struct ckpt_file_ops ckpt_eventfd_file_ops = {
	.name		= "eventfd",
	.kinds		= BIT(CKPT_FILE_EVENTFD),
	.obj_rec	= CKPT_REC_EVENTFD,
	.in_flight	= true,
	.owns		= ckpt_eventfd_owns,
	.write		= ckpt_eventfd_write,
	.read		= ckpt_eventfd_read,
	.open		= ckpt_eventfd_open,
};
