// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image digest: the SHA-256 of every byte of the image before the
 * trailer, computed on another CPU while the stream is written or read.
 *
 * SHA-256 is a single sequential chain, so it cannot be split; but it
 * need not hold up the stream.  The task writing (or reading) the image
 * queues what it wrote (or read), in stream order, and a work item on an
 * unbound workqueue hashes the queue.  Only the final digest waits for
 * the queue to drain.  The checkpoint and restart time then approaches
 * the larger of the two costs instead of their sum.
 *
 * Two kinds of chunks go into the queue:
 *  - bytes of records, copied into a staging buffer (records are small
 *    and their buffers are often on the producer's stack);
 *  - pages of memory, by reference: the pinned pages of the frozen job
 *    at checkpoint, the restored process's own pages at restart.  Nothing
 *    else writes to them until the digest is final: the job stays frozen
 *    until the trailer is written, and a restored process does not run
 *    before its image is verified.
 *
 * The producer side is used by one task at a time (the checkpointer, or
 * the restored tasks in turn and then the restarter), handed over by the
 * restart's own ordering.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"

#define CKPT_DIGEST_STAGE	(16 * 1024)

/*
 * One chunk of the stream: @nr pages, or (when @nr is 0) @len bytes in
 * @data.
 */
struct ckpt_digest_chunk {
	struct list_head list;
	unsigned int nr;
	size_t len;
	union {
		DECLARE_FLEX_ARRAY(struct page *, pages);
		DECLARE_FLEX_ARRAY(u8, data);
	};
};

static void ckpt_digest_free_chunk(struct ckpt_digest_chunk *c)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		put_page(c->pages[i]);
	kvfree(c);
}

static void ckpt_digest_hash_chunk(struct ckpt_digest *d, struct ckpt_digest_chunk *c)
{
	unsigned int i;

	if (!c->nr) {
		sha256_update(&d->sha, c->data, c->len);
		return;
	}
	for (i = 0; i < c->nr && !READ_ONCE(d->abort); i++) {
		void *kaddr = kmap_local_page(c->pages[i]);

		sha256_update(&d->sha, kaddr, PAGE_SIZE);
		kunmap_local(kaddr);
		cond_resched();
	}
}

static void ckpt_digest_work(struct work_struct *work)
{
	struct ckpt_digest *d = container_of(work, struct ckpt_digest, work);
	struct ckpt_digest_chunk *c;

	for (;;) {
		spin_lock(&d->lock);
		c = list_first_entry_or_null(&d->queue, struct ckpt_digest_chunk, list);
		if (!c) {
			d->busy = false;
			spin_unlock(&d->lock);
			wake_up_all(&d->idle);
			return;
		}
		list_del(&c->list);
		spin_unlock(&d->lock);
		if (!READ_ONCE(d->abort))
			ckpt_digest_hash_chunk(d, c);
		ckpt_digest_free_chunk(c);
	}
}

/**
 * ckpt_digest_init - start an empty digest
 * @d: the digest, in its context
 */
void ckpt_digest_init(struct ckpt_digest *d)
{
	sha256_init(&d->sha);
	INIT_WORK(&d->work, ckpt_digest_work);
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->queue);
	init_waitqueue_head(&d->idle);
}

static bool ckpt_digest_idle(struct ckpt_digest *d)
{
	bool busy;

	spin_lock(&d->lock);
	busy = d->busy;
	spin_unlock(&d->lock);
	return !busy;
}

static void ckpt_digest_submit(struct ckpt_digest *d, struct ckpt_digest_chunk *c)
{
	bool start;

	spin_lock(&d->lock);
	list_add_tail(&c->list, &d->queue);
	start = !d->busy;
	d->busy = true;
	spin_unlock(&d->lock);
	if (start)
		queue_work(system_unbound_wq, &d->work);
}

static void ckpt_digest_flush_stage(struct ckpt_digest *d)
{
	if (d->stage && d->stage->len)
		ckpt_digest_submit(d, d->stage);
	else
		kvfree(d->stage);
	d->stage = NULL;
}

/*
 * Without memory for a chunk, hash in the producer: after the queue has
 * drained, so that the order is kept.  Slower, never wrong.
 */
static void ckpt_digest_inline(struct ckpt_digest *d, const void *buf, size_t len)
{
	ckpt_digest_flush_stage(d);
	wait_event(d->idle, ckpt_digest_idle(d));
	sha256_update(&d->sha, buf, len);
}

/**
 * ckpt_digest_bytes - add bytes of the stream to the digest
 * @d:		the digest
 * @buf:	the bytes; the caller may reuse the buffer on return
 * @len:	how many
 */
void ckpt_digest_bytes(struct ckpt_digest *d, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		struct ckpt_digest_chunk *c = d->stage;
		size_t n;

		if (!c) {
			c = kvmalloc(struct_size(c, data, CKPT_DIGEST_STAGE), GFP_KERNEL);
			if (!c) {
				ckpt_digest_inline(d, p, len);
				return;
			}
			c->nr = 0;
			c->len = 0;
			d->stage = c;
		}
		n = min(len, CKPT_DIGEST_STAGE - c->len);
		memcpy(c->data + c->len, p, n);
		c->len += n;
		p += n;
		len -= n;
		if (c->len == CKPT_DIGEST_STAGE)
			ckpt_digest_flush_stage(d);
	}
}

/**
 * ckpt_digest_pages - add whole pages of the stream to the digest
 * @d:		the digest
 * @pages:	the pages, in stream order; each gets a reference of the
 *		digest's own, dropped once it is hashed
 * @nr:		how many
 *
 * The pages must not change until ckpt_digest_final().
 */
void ckpt_digest_pages(struct ckpt_digest *d, struct page **pages, unsigned int nr)
{
	struct ckpt_digest_chunk *c;
	unsigned int i;

	if (!nr)
		return;
	ckpt_digest_flush_stage(d);
	c = kvmalloc(struct_size(c, pages, nr), GFP_KERNEL);
	if (!c) {
		wait_event(d->idle, ckpt_digest_idle(d));
		for (i = 0; i < nr; i++) {
			void *kaddr = kmap_local_page(pages[i]);

			sha256_update(&d->sha, kaddr, PAGE_SIZE);
			kunmap_local(kaddr);
		}
		return;
	}
	c->nr = nr;
	c->len = 0;
	for (i = 0; i < nr; i++) {
		get_page(pages[i]);
		c->pages[i] = pages[i];
	}
	ckpt_digest_submit(d, c);
}

/**
 * ckpt_digest_final - wait for the queue to drain and give the digest
 * @d:		the digest
 * @out:	SHA256_DIGEST_SIZE bytes
 *
 * Return: 0, or -EINTR if a fatal signal came while waiting (the digest
 * is then unusable: the operation fails).
 */
int ckpt_digest_final(struct ckpt_digest *d, u8 *out)
{
	ckpt_digest_flush_stage(d);
	if (wait_event_killable(d->idle, ckpt_digest_idle(d)))
		return -EINTR;
	sha256_final(&d->sha, out);
	return 0;
}

/**
 * ckpt_digest_destroy - stop hashing and drop what is queued
 * @d: the digest
 *
 * Called when the context goes away, after a failure as well as after
 * ckpt_digest_final(): returns once the work item is done with @d.
 */
void ckpt_digest_destroy(struct ckpt_digest *d)
{
	kvfree(d->stage);
	d->stage = NULL;
	WRITE_ONCE(d->abort, true);
	wait_event(d->idle, ckpt_digest_idle(d));
	flush_work(&d->work);
}
