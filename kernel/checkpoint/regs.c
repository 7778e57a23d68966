// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86_64 thread state: general registers and the XSAVE area (x87, SSE,
 * AVX, PKRU...), through the same regsets ptrace and core dumps use.
 *
 * Reading goes through regset_get(), whose xstate getter first flushes
 * registers still live in the CPU (the caller's own, for a
 * self-checkpoint).  Writing goes through the regsets' ->set() handlers,
 * so an image's registers get exactly ptrace's validation: user segment
 * selectors only, changeable flags only, bases below TASK_SIZE_MAX, an
 * XSAVE header without reserved bits or features the CPU lacks.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/audit.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/regset.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/user.h>
#include <asm/fpu/types.h>
#include <asm/vdso.h>

#include <linux/seccomp.h>

#include "internal.h"

static const struct user_regset *ckpt_regset(struct task_struct *t, unsigned int note)
{
	const struct user_regset_view *view = task_user_regset_view(t);
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note)
			return &view->regsets[i];
	return NULL;
}

static void ckpt_vdso_digest(u8 *digest)
{
	struct sha256_state sha;

	sha256_init(&sha);
	sha256_update(&sha, vdso_image_64.data, vdso_image_64.size);
	sha256_final(&sha, digest);
}

/**
 * ckpt_arch_header - fill in the architecture fields of the image header
 * @h: the header
 *
 * Return: 0.
 */
int ckpt_arch_header(struct ckpt_rec_header *h)
{
	h->arch = AUDIT_ARCH_X86_64;
	h->xstate_size = fpu_user_cfg.max_size;
	h->xfeatures = fpu_user_cfg.max_features;
	ckpt_vdso_digest(h->vdso_sha256);
	return 0;
}

/**
 * ckpt_arch_check_header - can this machine run the image?
 * @ctx:	the restart context
 * @h:		the image header
 *
 * The XSAVE area must have this CPU's size and use only features this
 * CPU has; the vDSO must be the one the job used, since the job may hold
 * pointers into it.
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_arch_check_header(struct ckpt_ctx *ctx, const struct ckpt_rec_header *h)
{
	u8 digest[SHA256_DIGEST_SIZE];

	if (h->arch != AUDIT_ARCH_X86_64)
		return ckpt_err(ctx, -ENOEXEC, "image is for another architecture (%#x)", h->arch);
	if (h->xfeatures & ~fpu_user_cfg.max_features)
		return ckpt_err(ctx, -ENOEXEC,
				"image uses xstate features %#llx this CPU lacks (it has %#llx)",
				h->xfeatures & ~fpu_user_cfg.max_features,
				fpu_user_cfg.max_features);
	if (h->xstate_size != fpu_user_cfg.max_size)
		return ckpt_err(ctx, -ENOEXEC, "image xstate is %u bytes, this CPU's is %u",
				h->xstate_size, fpu_user_cfg.max_size);
	ckpt_vdso_digest(digest);
	if (memcmp(digest, h->vdso_sha256, sizeof(digest)))
		return ckpt_err(ctx, -ENOEXEC,
				"image was taken with another vDSO (another kernel build)");
	return 0;
}

/*
 * Make the registers of a task frozen on its way out of an interrupted
 * system call re-enter that call, as the signal code does when no
 * handler runs.  orig_ax is cleared so that nothing restarts it twice.
 */
static void ckpt_syscall_restart(struct ckpt_ctx *ctx, struct ckpt_rec_thread *rec)
{
	struct ckpt_x86_64_regs *r = &rec->regs;

	if ((long)r->orig_ax >= 0) {
		switch ((long)r->ax) {
		case -ERESTARTNOHAND:
		case -ERESTARTSYS:
		case -ERESTARTNOINTR:
			r->ax = r->orig_ax;
			r->ip -= 2;
			break;
		case -ERESTART_RESTARTBLOCK:
			/* Resumed through restart_syscall(2) (resume.c). */
			if (rec->restart.kind != CKPT_RESTART_NONE) {
				r->ax = __NR_restart_syscall;
				r->ip -= 2;
				break;
			}
			ckpt_warn(ctx, "thread %d: system call %llu will return EINTR after restart",
				  rec->tid, r->orig_ax);
			r->ax = -EINTR;
			break;
		}
	}
	r->orig_ax = -1;
}

static int ckpt_write_thread_regs(struct ckpt_ctx *ctx, struct task_struct *t, bool self)
{
	const struct user_regset *gp = ckpt_regset(t, NT_PRSTATUS);
	const struct user_regset *xs = ckpt_regset(t, NT_X86_XSTATE);
	struct ckpt_rec_thread rec = {};
	struct ckpt_rec_xstate xrec = {};
	unsigned int size = fpu_user_cfg.max_size;
	void *xbuf;
	int n, err;

	BUILD_BUG_ON(sizeof(rec.regs) != sizeof(struct user_regs_struct));
	if (!gp || !xs)
		return ckpt_err(ctx, -EOPNOTSUPP, "no register sets");
	n = regset_get(t, gp, sizeof(rec.regs), &rec.regs);
	if (n != sizeof(rec.regs))
		return ckpt_err(ctx, n < 0 ? n : -EIO, "cannot read registers");
	if (self) {
		rec.regs.ax = CKPT_RESTARTED;
		rec.regs.orig_ax = -1;
	} else {
		if ((long)rec.regs.ax == -ERESTART_RESTARTBLOCK)
			ckpt_save_restart_block(ctx, t, &rec);
		ckpt_syscall_restart(ctx, &rec);
	}
	rec.tid = task_pid_vnr(t);
	ckpt_save_rseq(t, &rec);
	ckpt_save_thread_ids(t, &rec);
	err = ckpt_write_record(ctx, CKPT_REC_THREAD, &rec, sizeof(rec));
	if (err)
		return err;

	n = regset_get_alloc(t, xs, size, &xbuf);
	if (n < 0)
		return ckpt_err(ctx, n, "cannot read the FPU state");
	if (n != size) {
		kfree(xbuf);
		return ckpt_err(ctx, -EIO, "short FPU state");
	}
	/* XSTATE_BV: the header follows the 512-byte legacy area. */
	memcpy(&xrec.xfeatures, (u8 *)xbuf + 512, sizeof(xrec.xfeatures));
	err = ckpt_write_record_data(ctx, CKPT_REC_XSTATE, &xrec, sizeof(xrec), xbuf, size);
	kfree(xbuf);
	return err;
}

/**
 * ckpt_write_thread - write the registers and xstate of a thread
 * @ctx:	the checkpoint context
 * @t:		the thread, frozen or current
 * @self:	@t is current, inside checkpoint(2)
 *
 * A thread checkpointing itself is saved as returning CKPT_RESTARTED
 * from checkpoint(2).
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_thread(struct ckpt_ctx *ctx, struct task_struct *t, bool self)
{
	int err;

	/*
	 * The user registers live on the kernel stack, which goes away with
	 * a thread that a fatal signal made exit: hold it while reading.
	 */
	/* Its filters are not saved: it would come back unconfined. */
	if (seccomp_mode(&t->seccomp) != SECCOMP_MODE_DISABLED)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d runs under seccomp: its filters are not saved: not supported",
				task_pid_vnr(t));
	if (ckpt_task_killed(t) || !try_get_task_stack(t))
		return ckpt_err(ctx, -ESRCH, "was killed during the checkpoint");
	err = ckpt_write_thread_regs(ctx, t, self);
	put_task_stack(t);
	return err;
}

/**
 * ckpt_read_thread - read a thread's registers and xstate for later
 * @ctx:	the restart context
 * @th:		where to keep them
 *
 * Runs in the process being restored, which cannot set registers
 * through the regsets on itself; they are kept for the restarter to
 * apply with ckpt_apply_thread() while the thread waits.
 *
 * Return: 0 or a negative errno.
 */
int ckpt_read_thread(struct ckpt_ctx *ctx, struct ckpt_rthread *th)
{
	unsigned int size = ctx->hdr.xstate_size;
	struct ckpt_rec_xstate xrec;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_THREAD, &th->rec, sizeof(th->rec));
	if (err)
		return err;
	if (th->rec.tid <= 0 || th->rec.tid >= READ_ONCE(pid_max) || th->rec.reserved)
		return ckpt_err(ctx, -ENOEXEC, "bad thread record (tid %d)", th->rec.tid);
	err = ckpt_check_rseq(ctx, &th->rec);
	if (!err)
		err = ckpt_check_thread_ids(ctx, &th->rec);
	if (!err)
		err = ckpt_check_restart_block(ctx, &th->rec);
	if (err)
		return err;

	if (ckpt_peek_type(ctx) != CKPT_REC_XSTATE || ctx->next.len != sizeof(xrec) + size)
		return ckpt_err(ctx, -ENOEXEC, "missing or malformed xstate record");
	ckpt_take_next(ctx);
	xrec.h = ctx->next;
	err = ckpt_read(ctx, &xrec.xfeatures, sizeof(xrec.xfeatures));
	if (err)
		return err;
	th->xstate = kvmalloc(size, GFP_KERNEL);
	if (!th->xstate)
		return -ENOMEM;
	err = ckpt_read(ctx, th->xstate, size);
	if (!err && ckpt_pad(xrec.h.len)) {
		u8 pad[CKPT_ALIGN];

		err = ckpt_read(ctx, pad, ckpt_pad(xrec.h.len));
		if (!err && memchr_inv(pad, 0, ckpt_pad(xrec.h.len)))
			err = ckpt_err(ctx, -ENOEXEC, "non-zero padding after xstate");
	}
	return err;
}

/**
 * ckpt_apply_thread - set a restored thread's registers and xstate
 * @ctx:	the restart context
 * @th:		what ckpt_read_thread() read; @th->task is waiting off the
 *		CPU for the restarter
 *
 * A SIGKILL can wake the thread and make it exit at any moment: its
 * kernel stack, where the user registers live, is held while they are
 * written, as ckpt_write_thread() holds it while they are read.
 *
 * Return: 0, -ESRCH if the thread was killed, or -EINVAL when the
 * regsets refuse the values (with the reason logged).
 */
int ckpt_apply_thread(struct ckpt_ctx *ctx, struct ckpt_rthread *th)
{
	struct task_struct *t = th->task;
	const struct user_regset *gp = ckpt_regset(t, NT_PRSTATUS);
	const struct user_regset *xs = ckpt_regset(t, NT_X86_XSTATE);
	int err;

	if (!gp || !xs || !gp->set || !xs->set)
		return ckpt_err(ctx, -EOPNOTSUPP, "no register sets");
	if (ckpt_task_killed(t) || !try_get_task_stack(t))
		return ckpt_err(ctx, -ESRCH, "was killed during restart");
	err = gp->set(t, gp, 0, sizeof(th->rec.regs), &th->rec.regs, NULL);
	if (err) {
		err = ckpt_err(ctx, -EINVAL, "invalid registers (segments, flags or bases)");
		goto out;
	}
	err = xs->set(t, xs, 0, ctx->hdr.xstate_size, th->xstate, NULL);
	if (err)
		err = ckpt_err(ctx, -EINVAL, "invalid xstate (header, features or MXCSR)");
out:
	put_task_stack(t);
	return err;
}
