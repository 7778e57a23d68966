// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controlling terminal of a job.
 *
 * A job taken from an interactive shell reads and writes its terminal.
 * The image records that terminal once (CKPT_REC_TTY: its termios,
 * window size and foreground process group) and the job's descriptors
 * on it as CKPT_FILE_CTTY.  At restart those descriptors are opened on
 * the restarter's controlling terminal, through /dev/tty, which gets the
 * saved termios and window size; and when the foreground group was the
 * job's, the restored group becomes the foreground group of that
 * terminal: the job comes back in the foreground of the shell that
 * restarts it.  A restarter without a terminal gives the job its own
 * standard input and output instead, with a warning.
 *
 * A pty whose master the job holds is not this terminal but part of the
 * job, recreated by pty.c.  A job with two controlling terminals other
 * than such ptys is refused.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>

#include "internal.h"

/*
 * Find the job's controlling terminal (@ctx->tty, referenced, or NULL);
 * -EOPNOTSUPP for members with different terminals.  Ptys whose master
 * the job holds are left out: pty.c's scan, which runs first, has found
 * them already.
 */
static int ckpt_find_tty(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_members; i++) {
		struct task_struct *p = ctx->members[i].task;
		struct tty_struct *tty = NULL;
		unsigned long flags;

		if (p->exit_state || !lock_task_sighand(p, &flags))
			continue;
		tty = tty_kref_get(p->signal->tty);
		unlock_task_sighand(p, &flags);
		if (!tty || ckpt_is_job_pty(ctx, tty)) {
			tty_kref_put(tty);
			continue;
		}
		if (!ctx->tty) {
			ctx->tty = tty;
			continue;
		}
		if (tty != ctx->tty) {
			ctx->subject = ctx->members[i].pid;
			ckpt_err(ctx, -EOPNOTSUPP,
				 "has controlling terminal %s, another process of the job has %s",
				 tty_name(tty), tty_name(ctx->tty));
			tty_kref_put(tty);
			return -EOPNOTSUPP;
		}
		tty_kref_put(tty);
	}
	return 0;
}

static void ckpt_put_tty(struct ckpt_ctx *ctx)
{
	tty_kref_put(ctx->tty);
	ctx->tty = NULL;
}

/* A terminal file open on the job's controlling terminal (or /dev/tty)? */
static bool ckpt_ctty_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	struct tty_file_private *priv = f->private_data;

	return ckpt_is_tty(f) && ctx->tty && priv && priv->tty == ctx->tty;
}

static int ckpt_ctty_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	w->rec.kind = CKPT_FILE_CTTY;
	return 0;
}

/* A terminal's settings, for an image */
static void ckpt_save_termios(struct tty_struct *tty, struct ckpt_termios *t)
{
	struct ktermios kt;

	down_read(&tty->termios_rwsem);
	kt = tty->termios;
	up_read(&tty->termios_rwsem);
	t->iflag = kt.c_iflag;
	t->oflag = kt.c_oflag;
	t->cflag = kt.c_cflag;
	t->lflag = kt.c_lflag;
	t->line = kt.c_line;
	BUILD_BUG_ON(sizeof(t->cc) != sizeof(kt.c_cc));
	memcpy(t->cc, kt.c_cc, sizeof(t->cc));
	t->ispeed = kt.c_ispeed;
	t->ospeed = kt.c_ospeed;
}

/**
 * ckpt_save_tty_state - what an image keeps of a terminal besides its data
 * @tty:	the terminal
 * @st:		where it goes: session, foreground group, termios, window size
 */
void ckpt_save_tty_state(struct tty_struct *tty, struct ckpt_tty_state *st)
{
	unsigned long flags;

	/* The layout of version 3 images */
	BUILD_BUG_ON(sizeof(struct ckpt_tty_state) != 64);
	BUILD_BUG_ON(sizeof(struct ckpt_rec_tty) != 136);
	BUILD_BUG_ON(offsetof(struct ckpt_rec_pty, slave_in) != 88);

	spin_lock_irqsave(&tty->ctrl.lock, flags);
	st->sid = pid_vnr(tty->ctrl.session);
	st->fg_pgrp = pid_vnr(tty->ctrl.pgrp);
	spin_unlock_irqrestore(&tty->ctrl.lock, flags);
	ckpt_save_termios(tty, &st->termios);
	mutex_lock(&tty->winsize_mutex);
	st->ws.row = tty->winsize.ws_row;
	st->ws.col = tty->winsize.ws_col;
	st->ws.xpixel = tty->winsize.ws_xpixel;
	st->ws.ypixel = tty->winsize.ws_ypixel;
	mutex_unlock(&tty->winsize_mutex);
}

/**
 * ckpt_tty_state_ok - is a terminal's state from an image well formed?
 * @st: the state
 *
 * The flags and characters are the terminal's to judge, as with
 * tcsetattr(); only what the image itself adds is checked here.
 *
 * Return: true if the session and group ids are not negative, the line
 * discipline exists and the reserved field is 0.
 */
bool ckpt_tty_state_ok(const struct ckpt_tty_state *st)
{
	return st->sid >= 0 && st->fg_pgrp >= 0 && st->termios.line < NR_LDISCS &&
	       !st->termios.reserved;
}

/**
 * ckpt_apply_tty_state - give a terminal the settings and window size
 * from an image
 * @tty:	the terminal
 * @st:		the state, checked with ckpt_tty_state_ok(); the line
 *		discipline, session and foreground group are the caller's
 */
void ckpt_apply_tty_state(struct tty_struct *tty, const struct ckpt_tty_state *st)
{
	const struct ckpt_termios *t = &st->termios;
	struct winsize ws = {
		.ws_row = st->ws.row, .ws_col = st->ws.col,
		.ws_xpixel = st->ws.xpixel, .ws_ypixel = st->ws.ypixel,
	};
	struct ktermios kt;

	down_read(&tty->termios_rwsem);
	kt = tty->termios;
	up_read(&tty->termios_rwsem);
	kt.c_iflag = t->iflag;
	kt.c_oflag = t->oflag;
	kt.c_cflag = t->cflag;
	kt.c_lflag = t->lflag;
	memcpy(kt.c_cc, t->cc, sizeof(kt.c_cc));
	kt.c_ispeed = t->ispeed;
	kt.c_ospeed = t->ospeed;
	tty_set_termios(tty, &kt);
	tty_do_resize(tty, &ws);
}

/**
 * ckpt_write_tty - write the CKPT_REC_TTY record, if the job has a
 * controlling terminal
 * @ctx: the checkpoint context
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_tty(struct ckpt_ctx *ctx)
{
	struct tty_struct *tty = ctx->tty;
	struct ckpt_rec_tty rec = {};

	if (!tty)
		return 0;
	ckpt_save_tty_state(tty, &rec.tty);
	strscpy(rec.name, tty_name(tty), sizeof(rec.name));
	return ckpt_write_record(ctx, CKPT_REC_TTY, &rec, sizeof(rec));
}

/**
 * ckpt_read_tty - read the CKPT_REC_TTY record, if the image has one,
 * and open the restarter's terminal for the job's descriptors on it
 * @ctx: the restart context
 *
 * Return: 0, -ENOEXEC for a malformed record, or a negative errno.
 */
int ckpt_read_tty(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_tty *rec = &ctx->ttyrec;
	struct file *f;
	int type, err;

	type = ckpt_peek_type(ctx);
	if (type != CKPT_REC_TTY)
		return type < 0 ? type : 0;
	err = ckpt_read_record_into(ctx, CKPT_REC_TTY, rec, sizeof(*rec));
	if (err)
		return err;
	if (!ckpt_tty_state_ok(&rec->tty) ||
	    strnlen(rec->name, sizeof(rec->name)) == sizeof(rec->name))
		return ckpt_err(ctx, -ENOEXEC, "malformed terminal record");
	ctx->have_tty = true;

	f = filp_open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK, 0);
	if (!IS_ERR(f))
		ctx->ctty = f;
	return 0;
}

/*
 * Open a descriptor of the job on the restarter's terminal, in the
 * process being restored, which still has the restarter's controlling
 * terminal.
 */
static struct file *ckpt_open_ctty(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				   const char *unused)
{
	unsigned int mode = r->mode, flags = r->flags;
	struct file *f;

	if (r->pos || r->size)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid));
	if (!ctx->have_tty)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "descriptor on a terminal the image lacks"));
	if (!ctx->ctty) {
		if (!ctx->tty_warned)
			ckpt_warn(ctx, "the restarter has no controlling terminal: the job's terminal (%s) is replaced by the restarter's standard input and output",
				  ctx->ttyrec.name);
		ctx->tty_warned = true;
		f = ctx->cur->stdio[mode == 1 ? 0 : 1];
		if (!f)
			return ERR_PTR(ckpt_err(ctx, -ENXIO,
						"no terminal, and no standard input or output"));
		return get_file(f);
	}
	f = dentry_open(&ctx->ctty->f_path, ckpt_acc_mode(mode) | flags | O_NOCTTY, current_cred());
	if (IS_ERR(f))
		ckpt_err(ctx, PTR_ERR(f), "cannot open the terminal (error %ld)", PTR_ERR(f));
	return f;
}

/**
 * ckpt_apply_tty - give the restarter's terminal the job's settings
 * @ctx:	the restart context
 * @fg:		the job's foreground process group, restored, or NULL
 */
void ckpt_apply_tty(struct ckpt_ctx *ctx, struct pid *fg)
{
	struct tty_struct *tty;
	unsigned long flags;

	if (!ctx->have_tty || !ctx->ctty)
		return;
	tty = get_current_tty();
	if (!tty)
		return;
	ckpt_apply_tty_state(tty, &ctx->ttyrec.tty);

	if (fg) {
		spin_lock_irqsave(&tty->ctrl.lock, flags);
		if (tty->ctrl.session == task_session(current)) {
			put_pid(tty->ctrl.pgrp);
			tty->ctrl.pgrp = get_pid(fg);
		}
		spin_unlock_irqrestore(&tty->ctrl.lock, flags);
	}
	tty_kref_put(tty);
}

const struct ckpt_file_ops ckpt_ctty_file_ops = {
	.name		= "controlling terminal",
	.kinds		= BIT(CKPT_FILE_CTTY),
	.scan		= ckpt_find_tty,
	.release	= ckpt_put_tty,
	.owns		= ckpt_ctty_owns,
	.write		= ckpt_ctty_write,
	.open		= ckpt_open_ctty,
};
