/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the checkpoint/restart subsystem.
 *
 * One kind of state lives in one file, with one writer (ckpt_write_*)
 * used at checkpoint time and one reader (ckpt_read_*) used at restart.
 * Writers run in the checkpointer's context with the target frozen;
 * readers run in the context of the task being restored, which rebuilds
 * itself from the stream.
 */
#ifndef _KERNEL_CHECKPOINT_INTERNAL_H
#define _KERNEL_CHECKPOINT_INTERNAL_H

#include <crypto/sha2.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <uapi/linux/checkpoint.h>

/* Object table: gives shared kernel objects an id within one image */
struct ckpt_obj {
	struct hlist_node by_ptr;
	struct hlist_node by_id;
	void *ptr;
	u32 id;
	void (*release)(void *ptr);
};

struct ckpt_objhash {
	DECLARE_HASHTABLE(by_ptr, 8);
	DECLARE_HASHTABLE(by_id, 8);
	u32 next_id;
};

/**
 * struct ckpt_ctx - one checkpoint or restart operation
 * @file:	the image stream
 * @fpos:	stream position for seekable files
 * @ppos:	&fpos, or NULL for streams (pipes, sockets)
 * @offset:	bytes of the image written or read so far
 * @sha:	SHA-256 of those bytes
 * @log:	where reasons for failures and warnings go, or NULL
 * @subject:	PID that log lines are about (0: none)
 * @err_logged:	a reason has been logged for the current error
 * @objs:	shared objects and their ids
 * @hdr:	the image header (restart) or the one being written
 * @next:	restart: header of the next record, if already read
 * @have_next:	restart: @next is valid
 * @sha_at_next: restart: SHA-256 state before @next was read
 * @refs:	restart: the context is shared with the task being restored
 * @child:	restart: the task being restored
 * @child_done:	restart: the child has consumed its part of the stream
 * @go:		restart: the restarter lets the child run (or die)
 * @child_err:	restart: the child's result
 * @abort:	restart: the child must exit instead of running
 * @regs:	restart: the child's CKPT_REC_THREAD, for the restarter
 * @xstate:	restart: the child's CKPT_REC_XSTATE payload
 * @task:	restart: the CKPT_REC_TASK being restored
 * @siginfo:	restart: queued signals, to queue once the task is complete
 * @nr_siginfo:	restart: how many
 */
struct ckpt_ctx {
	struct file *file;
	loff_t fpos;
	loff_t *ppos;
	u64 offset;
	struct sha256_state sha;
	struct file *log;
	pid_t subject;
	bool err_logged;
	struct ckpt_objhash objs;
	struct ckpt_rec_header hdr;

	struct ckpt_hdr next;
	bool have_next;
	struct sha256_state sha_at_next;

	refcount_t refs;
	struct task_struct *child;
	struct completion child_done;
	struct completion go;
	int child_err;
	bool abort;
	struct ckpt_rec_thread *regs;
	void *xstate;
	struct ckpt_rec_task task;
	struct ckpt_rec_siginfo *siginfo;
	u32 nr_siginfo;
};

static inline size_t ckpt_pad(size_t len)
{
	return ALIGN(len, CKPT_ALIGN) - len;
}

/* ctx.c */
struct ckpt_ctx *ckpt_ctx_alloc(int fd, int logfd, fmode_t mode);
void ckpt_ctx_get(struct ckpt_ctx *ctx);
void ckpt_ctx_put(struct ckpt_ctx *ctx);
__printf(3, 4) int ckpt_err(struct ckpt_ctx *ctx, int err, const char *fmt, ...);
__printf(2, 3) void ckpt_warn(struct ckpt_ctx *ctx, const char *fmt, ...);

/* stream.c */
ssize_t ckpt_kernel_write(struct file *file, const void *buf, size_t len, loff_t *ppos);
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len);
int ckpt_write_pages(struct ckpt_ctx *ctx, struct page **pages, unsigned int nr);
int ckpt_write_padding(struct ckpt_ctx *ctx, size_t len);
int ckpt_write_record(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len);
int ckpt_write_record_str(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len,
			  const char *str, u32 *str_len);
int ckpt_write_trailer(struct ckpt_ctx *ctx);
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len);
int ckpt_peek_type(struct ckpt_ctx *ctx);
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min, size_t max);
int ckpt_read_record_into(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len);
long ckpt_read_record_head(struct ckpt_ctx *ctx, u32 type, void *rec, size_t fixed,
			   size_t max);
int ckpt_read_trailer(struct ckpt_ctx *ctx);
const char *ckpt_rec_str(struct ckpt_ctx *ctx, const void *rec, size_t rec_len,
			 size_t off, u32 len, const char *what);
const char *ckpt_rec_name(u32 type);

/* objhash.c */
void ckpt_obj_init(struct ckpt_objhash *h);
void ckpt_obj_destroy(struct ckpt_objhash *h);
u32 ckpt_obj_lookup_ptr(struct ckpt_objhash *h, void *ptr);
int ckpt_obj_add(struct ckpt_objhash *h, void *ptr, u32 id, void (*release)(void *));
u32 ckpt_obj_new_id(struct ckpt_objhash *h);
void *ckpt_obj_lookup_id(struct ckpt_objhash *h, u32 id);

/* freeze.c */
int ckpt_freeze(struct ckpt_ctx *ctx, struct task_struct *t);
void ckpt_thaw(struct task_struct *t);
bool ckpt_task_stopped(struct task_struct *t);

/* task.c */
int ckpt_write_task(struct ckpt_ctx *ctx, struct task_struct *t, bool self);
int ckpt_check_task(struct ckpt_ctx *ctx, const struct ckpt_rec_task *rec);
int ckpt_read_task(struct ckpt_ctx *ctx, const struct ckpt_rec_task *rec);

/* cred.c */
int ckpt_write_cred(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_cred(struct ckpt_ctx *ctx, struct cred **newp);

/* rlimit.c */
int ckpt_write_rlimits(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_rlimits(struct ckpt_ctx *ctx);

/* fs.c */
int ckpt_write_fs(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_fs(struct ckpt_ctx *ctx);

/* mm.c */
int ckpt_write_mm(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_mm(struct ckpt_ctx *ctx);

/* signal.c */
int ckpt_write_sighand(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_sighand(struct ckpt_ctx *ctx);
int ckpt_write_signal(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_signal(struct ckpt_ctx *ctx);
int ckpt_queue_signals(struct ckpt_ctx *ctx);

/* files.c */
int ckpt_write_files(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_files(struct ckpt_ctx *ctx);

/* rseq.c */
void ckpt_save_rseq(struct task_struct *t, struct ckpt_rec_thread *rec);
int ckpt_check_rseq(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec);
void ckpt_restore_rseq(const struct ckpt_rec_thread *rec);

/* regs.c */
int ckpt_write_thread(struct ckpt_ctx *ctx, struct task_struct *t, bool self);
int ckpt_read_thread(struct ckpt_ctx *ctx);
int ckpt_apply_thread(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_arch_header(struct ckpt_rec_header *h);
int ckpt_arch_check_header(struct ckpt_ctx *ctx, const struct ckpt_rec_header *h);

/* checkpoint.c, restart.c */
int ckpt_checkpoint(struct ckpt_ctx *ctx, pid_t pid, unsigned int flags);
pid_t ckpt_restart(struct ckpt_ctx *ctx, unsigned int flags);

#endif /* _KERNEL_CHECKPOINT_INTERNAL_H */
