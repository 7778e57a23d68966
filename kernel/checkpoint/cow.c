// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copy-on-write checkpoints: the job is frozen only while its state is
 * captured, not while its image is written.
 *
 * A checkpoint that lets the job run on (CKPT_CONTINUE, unless
 * CKPT_NO_COW) writes its stream in two passes.  While the job is frozen,
 * everything but the pages of its private memory goes to a spool in
 * kernel memory, records and file contents alike, in stream order; and
 * each process's address space is duplicated the way fork(2) does it
 * (dup_mm(): the page tables are copied, and private pages are shared
 * copy-on-write, write-protected in the job).  The spool stands for the
 * pages of each mapping by the mapping's range in that snapshot.  Then
 * the job is thawed, and the spool is written out: its bytes as they
 * are, the pages read from the snapshots, which the job's writes no
 * longer reach.  The image is the job at the instant of the freeze; the
 * job's downtime is the capture and the copy of its page tables, about
 * what a fork of it costs.  Writing to its memory meanwhile costs it a
 * page copy per page, as after a fork.
 *
 * What a snapshot cannot hold, or what would make the spool too large,
 * ends the copy-on-write: the spool is written out while the job is still
 * frozen, the rest of the image is written directly, and the job is
 * thawed only after the trailer, as without copy-on-write.  That is a
 * mapping fork does not copy (MADV_DONTFORK, MADV_WIPEONFORK), pages
 * that are not in a snapshot, a snapshot that cannot be made (no memory,
 * overcommit refused), and more than CKPT_SPOOL_MAX bytes of records and
 * file contents (a large memfd, System V segment or deleted file, whose
 * contents are copied into the spool: they are shared, so a snapshot of
 * them by reference would not be one).
 *
 * A failure after the thaw leaves the job running and the image without
 * its trailer: restart(2) refuses it.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/mm.h>
#include <linux/ckpt_mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"

#define CKPT_SPOOL_CHUNK	(64 * 1024)
#define CKPT_SPOOL_MAX		(64 * 1024 * 1024)

/*
 * One piece of the spool: @len bytes in @data, or (when @mm is set) the
 * pages of the mapping @start-@end of the snapshot @mm.
 */
struct ckpt_spool_chunk {
	struct list_head list;
	struct mm_struct *mm;
	unsigned long start;
	unsigned long end;
	size_t len;
	u8 data[];
};

/**
 * ckpt_cow_start - write the stream to the spool until the job is thawed
 * @ctx: the checkpoint context, its job frozen, the caller not in it
 */
void ckpt_cow_start(struct ckpt_ctx *ctx)
{
	ctx->spooling = true;
}

static void ckpt_spool_free_chunk(struct ckpt_spool_chunk *c)
{
	list_del(&c->list);
	if (c->mm)
		mmput(c->mm);
	kvfree(c);
}

/**
 * ckpt_spool_bytes - add bytes of the stream to the spool
 * @ctx:	the checkpoint context, spooling
 * @buf:	the bytes
 * @len:	how many
 *
 * Return: 0, or -ENOMEM.
 */
int ckpt_spool_bytes(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		struct ckpt_spool_chunk *c = NULL;
		size_t n;

		if (!list_empty(&ctx->spool))
			c = list_last_entry(&ctx->spool, struct ckpt_spool_chunk, list);
		if (!c || c->mm || c->len == CKPT_SPOOL_CHUNK) {
			c = kvmalloc(struct_size(c, data, CKPT_SPOOL_CHUNK), GFP_KERNEL_ACCOUNT);
			if (!c)
				return -ENOMEM;
			c->mm = NULL;
			c->len = 0;
			list_add_tail(&c->list, &ctx->spool);
		}
		n = min(len, CKPT_SPOOL_CHUNK - c->len);
		memcpy(c->data + c->len, p, n);
		c->len += n;
		ctx->spool_bytes += n;
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * ckpt_cow_too_big - whether the spool would grow past its bound
 * @ctx:	the checkpoint context, spooling
 * @more:	by this many bytes
 *
 * Return: true if the copy-on-write should end here.
 */
bool ckpt_cow_too_big(const struct ckpt_ctx *ctx, size_t more)
{
	return ctx->spool_bytes + more > CKPT_SPOOL_MAX;
}

/**
 * ckpt_cow_snapshot - duplicate a frozen process's address space
 * @ctx:	the checkpoint context, spooling
 * @mm:		the address space
 *
 * Return: the snapshot (the caller's reference), or NULL if none can be
 * made; the caller then ends the copy-on-write.
 */
struct mm_struct *ckpt_cow_snapshot(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	return dup_mm(current, mm);
}

/**
 * ckpt_spool_pages - add the pages of a mapping, to be read from a snapshot
 * @ctx:	the checkpoint context, spooling
 * @snap:	the snapshot; the spool takes a reference of its own
 * @start:	the mapping's start
 * @end:	and end
 *
 * Return: 0, or -ENOMEM.
 */
int ckpt_spool_pages(struct ckpt_ctx *ctx, struct mm_struct *snap, unsigned long start,
		     unsigned long end)
{
	struct ckpt_spool_chunk *c = kmalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);

	if (!c)
		return -ENOMEM;
	mmget(snap);
	c->mm = snap;
	c->start = start;
	c->end = end;
	c->len = 0;
	list_add_tail(&c->list, &ctx->spool);
	return 0;
}

/**
 * ckpt_cow_end - write the spool out and write directly from now on
 * @ctx: the checkpoint context
 *
 * Called with the job frozen when the copy-on-write cannot go on (the
 * job then stays frozen until the trailer), or once it is thawed.
 * Nothing if the context is not spooling.
 *
 * Return: 0, or the first error writing the image (the reason logged).
 */
int ckpt_cow_end(struct ckpt_ctx *ctx)
{
	struct ckpt_spool_chunk *c, *tmp;
	int err = 0;

	if (!ctx->spooling)
		return 0;
	ctx->spooling = false;
	/* ckpt_write() counts the bytes again, now into the digest too. */
	ctx->offset = 0;
	list_for_each_entry_safe(c, tmp, &ctx->spool, list) {
		if (!err && c->mm)
			err = ckpt_write_snapshot_pages(ctx, c->mm, c->start, c->end);
		else if (!err)
			err = ckpt_write(ctx, c->data, c->len);
		ckpt_spool_free_chunk(c);
		cond_resched();
	}
	ctx->spool_bytes = 0;
	return err;
}

/**
 * ckpt_cow_free - drop what the spool holds, after a failure
 * @ctx: the checkpoint context
 */
void ckpt_cow_free(struct ckpt_ctx *ctx)
{
	struct ckpt_spool_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, &ctx->spool, list)
		ckpt_spool_free_chunk(c);
	ctx->spooling = false;
}
