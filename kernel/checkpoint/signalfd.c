// SPDX-License-Identifier: GPL-2.0-only
/*
 * signalfds: the set of signals one reports (CKPT_REC_SIGNALFD), with
 * the descriptor's O_NONBLOCK in its CKPT_REC_FILE.  The signals it
 * reads are the process's pending signals, which the image carries
 * already (signal.c).
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/signal.h>
#include <linux/signalfd.h>

#include "internal.h"

static bool ckpt_signalfd_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	sigset_t mask;

	return !signalfd_file_mask(f, &mask);
}

static int ckpt_signalfd_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct ckpt_rec_signalfd rec = {};
	sigset_t mask;
	int err;

	err = ckpt_check_held_outside(ctx, w, "signalfd");
	if (err)
		return err;
	err = signalfd_file_mask(w->file, &mask);
	if (err)
		return err;
	/* The file keeps the complement of the set signalfd(2) was given. */
	signotset(&mask);
	rec.mask = mask.sig[0];
	rec.objid = ckpt_obj_new_id(&ctx->objs);
	w->rec.kind = CKPT_FILE_SIGNALFD;
	w->rec.ref_id = rec.objid;
	return ckpt_write_record(ctx, CKPT_REC_SIGNALFD, &rec, sizeof(rec));
}

static void ckpt_signalfd_put(void *f)
{
	fput(f);
}

static int ckpt_signalfd_read(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_signalfd r;
	sigset_t mask;
	struct file *f;
	int err;

	BUILD_BUG_ON(_NSIG_WORDS != 1);
	err = ckpt_read_record_into(ctx, CKPT_REC_SIGNALFD, &r, sizeof(r));
	if (err)
		return err;
	if (!r.objid || r.reserved)
		return ckpt_err(ctx, -ENOEXEC, "signalfd record %u is malformed", r.objid);
	mask.sig[0] = r.mask;
	/* As signalfd4(2) does: SIGKILL and SIGSTOP are never read. */
	sigdelsetmask(&mask, sigmask(SIGKILL) | sigmask(SIGSTOP));
	signotset(&mask);
	f = signalfd_file_create(&mask, 0);
	if (IS_ERR(f))
		return ckpt_err(ctx, PTR_ERR(f), "cannot create a signalfd (error %ld)",
				PTR_ERR(f));
	err = ckpt_obj_add(&ctx->objs, f, r.objid, CKPT_REC_SIGNALFD, ckpt_signalfd_put);
	if (err) {
		fput(f);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r.objid);
	}
	return err;
}

static struct file *ckpt_signalfd_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				       const char *unused)
{
	return ckpt_open_obj_file(ctx, r, CKPT_REC_SIGNALFD);
}

const struct ckpt_file_ops ckpt_signalfd_file_ops = {
	.name		= "signalfd",
	.kinds		= BIT(CKPT_FILE_SIGNALFD),
	.obj_rec	= CKPT_REC_SIGNALFD,
	.in_flight	= true,
	.owns		= ckpt_signalfd_owns,
	.write		= ckpt_signalfd_write,
	.read		= ckpt_signalfd_read,
	.open		= ckpt_signalfd_open,
};
