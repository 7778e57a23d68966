// SPDX-License-Identifier: GPL-2.0-only
/*
 * The context of one checkpoint or restart, and how it reports why it
 * failed.
 *
 * An errno alone cannot say "pid 123: fd 5 is a socket: not supported",
 * so both system calls take a log file descriptor: each reason for a
 * failure, and each warning, is written to it as one line of text.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sprintf.h>

#include "internal.h"

#define CKPT_LOG_LINE	256

static struct ckpt_ctx *ckpt_ctx_new(void)
{
	struct ckpt_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return NULL;
	refcount_set(&ctx->refs, 1);
	init_completion(&ctx->go);
	init_completion(&ctx->zgo);
	INIT_LIST_HEAD(&ctx->rptys);
	INIT_LIST_HEAD(&ctx->repolls);
	INIT_LIST_HEAD(&ctx->rsocks);
	INIT_LIST_HEAD(&ctx->spool);
	ckpt_obj_init(&ctx->objs);
	ckpt_digest_init(&ctx->digest);
	return ctx;
}

/**
 * ckpt_ctx_alloc_file - set up a checkpoint context writing to a file
 * @file: the image file, open for writing; the context takes a reference
 *
 * For a checkpoint the kernel starts itself (sigckpt.c): there is no log
 * descriptor, and the reason for a failure goes to the kernel log.
 *
 * Return: the context, or ERR_PTR(-ENOMEM).
 */
struct ckpt_ctx *ckpt_ctx_alloc_file(struct file *file)
{
	struct ckpt_ctx *ctx = ckpt_ctx_new();

	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ctx->file = get_file(file);
	ctx->fpos = file->f_pos;
	ctx->ppos = &ctx->fpos;
	return ctx;
}

/**
 * ckpt_ctx_alloc - set up a checkpoint or restart context
 * @fd:		the image stream
 * @logfd:	file descriptor for reasons and warnings, or -1
 * @mode:	FMODE_WRITE for checkpoint, FMODE_READ for restart
 *
 * Return: the context, or an ERR_PTR: -EBADF if @fd or @logfd is not
 * open for the needed access.
 */
struct ckpt_ctx *ckpt_ctx_alloc(int fd, int logfd, fmode_t mode)
{
	struct ckpt_ctx *ctx;
	int err = -EBADF;

	ctx = ckpt_ctx_new();
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	if (logfd >= 0) {
		ctx->log = fget(logfd);
		if (!ctx->log || !(ctx->log->f_mode & FMODE_WRITE))
			goto fail;
	}
	ctx->file = fget(fd);
	if (!ctx->file || !(ctx->file->f_mode & mode))
		goto fail;
	if (!(ctx->file->f_mode & FMODE_STREAM)) {
		ctx->fpos = ctx->file->f_pos;
		ctx->ppos = &ctx->fpos;
	}
	return ctx;
fail:
	ckpt_ctx_put(ctx);
	return ERR_PTR(err);
}

/**
 * ckpt_ctx_get - take a reference to a context
 * @ctx: the context
 */
void ckpt_ctx_get(struct ckpt_ctx *ctx)
{
	refcount_inc(&ctx->refs);
}

/**
 * ckpt_ctx_put - drop a reference to a context, freeing it on the last
 * @ctx: the context
 *
 * Writes the stream position back to a seekable image file, so that a
 * following read or write continues after the image.
 */
void ckpt_ctx_put(struct ckpt_ctx *ctx)
{
	if (!refcount_dec_and_test(&ctx->refs))
		return;
	ckpt_cow_free(ctx);
	ckpt_digest_destroy(&ctx->digest);
	if (ctx->file) {
		if (ctx->ppos)
			ctx->file->f_pos = ctx->fpos;
		fput(ctx->file);
	}
	kfree(ctx->held_line);
	if (ctx->log)
		fput(ctx->log);
	if (ctx->ctty)
		fput(ctx->ctty);
	ckpt_obj_destroy(&ctx->objs);
	kfree(ctx);
}

/* Append @line (kmalloc'ed, consumed) to the log. */
static void ckpt_log_write(struct ckpt_ctx *ctx, char *line)
{
	/* Appended at the log file's own position, as write(2) would. */
	ckpt_kernel_write(ctx->log, line, strlen(line),
			  ctx->log->f_mode & FMODE_STREAM ? NULL : &ctx->log->f_pos);
	kfree(line);
}

static void ckpt_log(struct ckpt_ctx *ctx, const char *kind, const char *fmt,
		     va_list args)
{
	char *line;
	int n;

	if (!ctx->log && !ctx->klog_sig)
		return;
	line = kmalloc(CKPT_LOG_LINE, GFP_KERNEL);
	if (!line)
		return;
	if (ctx->subject)
		n = scnprintf(line, CKPT_LOG_LINE, "%spid %d: ", kind, ctx->subject);
	else
		n = scnprintf(line, CKPT_LOG_LINE, "%s", kind);
	n += vscnprintf(line + n, CKPT_LOG_LINE - n - 1, fmt, args);
	line[n++] = '\n';
	line[n] = '\0';
	if (!ctx->log) {
		/* A checkpoint by signal: no one to tell but the kernel log. */
		pr_notice_ratelimited("signal %d to pid %d (%s): %s", ctx->klog_sig,
				      task_tgid_vnr(current), current->comm, line);
		kfree(line);
		return;
	}
	/*
	 * A task with a fatal signal pending cannot write (a SIGKILL stops a
	 * write to tmpfs, say): a restored task that is being killed -- by a
	 * user, or by a security module refusing its credentials -- leaves
	 * its line to the restarter, which writes it when it gives up.
	 */
	if (ctx->log_held || fatal_signal_pending(current)) {
		/* Threads of a restored process may race here. */
		if (cmpxchg(&ctx->held_line, NULL, line))
			kfree(line);
		return;
	}
	ckpt_log_write(ctx, line);
}

/**
 * ckpt_log_hold - keep log lines back while a lock is held
 * @ctx: the context
 *
 * Writing to the log takes the log file's own locks (a pipe's mutex),
 * and a writer into a pipe can fault, taking an mm's mmap_lock: a line
 * logged with an mmap_lock held would order the two the other way.
 * Between this and ckpt_log_release(), the first line is kept back, as
 * it is when the task logging it has a fatal signal pending.
 */
void ckpt_log_hold(struct ckpt_ctx *ctx)
{
	ctx->log_held = true;
}

/**
 * ckpt_log_release - write the line kept back since ckpt_log_hold()
 * @ctx: the context
 */
void ckpt_log_release(struct ckpt_ctx *ctx)
{
	char *line = xchg(&ctx->held_line, NULL);

	ctx->log_held = false;
	if (line)
		ckpt_log_write(ctx, line);
}

/*
 * Did a fatal signal make the current step of a restart fail?  A task
 * being restored that is killed sees its copies, faults, locks and
 * clones fail with these errors; the kill is the reason to give.
 */
static bool ckpt_killed_in_restart(struct ckpt_ctx *ctx, int err)
{
	if (!ctx->procs || !fatal_signal_pending(current))
		return false;
	return err == -EINTR || err == -EFAULT || err == -ERESTARTSYS ||
	       err == -ERESTARTNOINTR || err == -ERESTARTNOHAND;
}

static void ckpt_log_line(struct ckpt_ctx *ctx, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	ckpt_log(ctx, "", fmt, args);
	va_end(args);
}

/**
 * ckpt_err - report why a checkpoint or restart fails
 * @ctx:	the context
 * @err:	the (negative) errno the operation will fail with
 * @fmt:	the reason, printf-style, without a trailing newline
 *
 * Only the first reason of a failure is logged: later ones are usually
 * consequences of it.  A restart step that failed because its task was
 * killed is reported as that kill, with -ESRCH.
 *
 * Return: @err (or -ESRCH for a kill), so that callers can write
 * "return ckpt_err(...)".
 */
int ckpt_err(struct ckpt_ctx *ctx, int err, const char *fmt, ...)
{
	bool killed = ckpt_killed_in_restart(ctx, err);
	va_list args;

	if (killed)
		err = -ESRCH;
	if (ctx->err_logged)
		return err;
	ctx->err_logged = true;
	if (killed) {
		ckpt_log_line(ctx, "was killed during restart");
		return err;
	}
	va_start(args, fmt);
	ckpt_log(ctx, "", fmt, args);
	va_end(args);
	return err;
}

/**
 * ckpt_warn - report something the user should know that is no failure
 * @ctx:	the context
 * @fmt:	the warning, printf-style, without a trailing newline
 */
void ckpt_warn(struct ckpt_ctx *ctx, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	ckpt_log(ctx, "warning: ", fmt, args);
	va_end(args);
}
