// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image digest: a hash of every byte of the image before the
 * trailer, named in the header and kept in the trailer.  Two algorithms,
 * chosen per checkpoint (CKPT_DIGEST_SHA256), as btrfs lets its users
 * choose a checksum:
 *
 *  - xxh64 (lib/xxhash), the default.  It detects corruption and
 *    truncation, not a deliberate edit, and costs a fraction of the copy
 *    it checks (about 1/8 under QEMU TCG, where the copy is emulated).
 *  - SHA-256 through the crypto API (so SHA-NI or AVX2 where the CPU has
 *    them), for images kept where others could change them.  It costs
 *    several times the copy.
 *
 * Both run beside the stream: the task writing (or reading) the image
 * queues what it wrote (or read), in stream order, and a work item on an
 * unbound workqueue hashes the queue.  Only the final digest waits for
 * the queue to drain, and the call takes about the larger of the two
 * costs, not their sum.  For xxh64 this was measured against hashing on
 * the CPU that copies, right after each copy: with a second CPU free, a
 * checkpoint of 256 MiB took 1.13 times a plain write beside and 1.25
 * times on the copying CPU, a restart 1.06 and 1.11 times a plain read
 * (make bench, TCG, 2 vCPUs): the difference is the hash's own cost.
 *
 * Restart's safety never rests on the digest: every field is validated
 * whatever it says, and nothing is granted beyond the caller's rights.
 *
 * Until the algorithm is known (a restart learns it from the header,
 * which is hashed too), bytes are only gathered.  Two kinds of chunks go
 * into the queue:
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

#include <crypto/hash.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xxhash.h>

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

/* Hash @len bytes at @buf, in the producer or in the work item. */
static void ckpt_digest_update(struct ckpt_digest *d, const void *buf, size_t len)
{
	if (d->alg == CKPT_HASH_XXH64)
		xxh64_update(&d->xxh, buf, len);
	else
		crypto_shash_update(d->sha, buf, len);
}

static void ckpt_digest_update_pages(struct ckpt_digest *d, struct page **pages,
				     unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr && !READ_ONCE(d->abort); i++) {
		void *kaddr = kmap_local_page(pages[i]);

		ckpt_digest_update(d, kaddr, PAGE_SIZE);
		kunmap_local(kaddr);
		cond_resched();
	}
}

static void ckpt_digest_free_chunk(struct ckpt_digest_chunk *c)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		put_page(c->pages[i]);
	kvfree(c);
}

static void ckpt_digest_hash_chunk(struct ckpt_digest *d, struct ckpt_digest_chunk *c)
{
	if (c->nr)
		ckpt_digest_update_pages(d, c->pages, c->nr);
	else
		ckpt_digest_update(d, c->data, c->len);
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
 * ckpt_digest_init - set up a digest whose algorithm is not chosen yet
 * @d: the digest, in its context
 *
 * Bytes added before ckpt_digest_start() are gathered, not hashed.
 */
void ckpt_digest_init(struct ckpt_digest *d)
{
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
	struct ckpt_digest_chunk *c = d->stage;

	if (!c)
		return;
	d->stage = NULL;
	if (c->len)
		ckpt_digest_submit(d, c);
	else
		kvfree(c);
}

/**
 * ckpt_digest_name - the name of a digest algorithm, for messages
 * @alg: CKPT_HASH_*
 *
 * Return: its name.
 */
const char *ckpt_digest_name(u32 alg)
{
	return alg == CKPT_HASH_SHA256 ? "SHA-256" : "xxh64";
}

/**
 * ckpt_digest_start - choose the algorithm and hash what was gathered
 * @d:		the digest
 * @alg:	CKPT_HASH_XXH64 or CKPT_HASH_SHA256, checked by the caller
 *
 * Return: 0, or -ENOMEM (or the crypto API's error) if SHA-256 cannot
 * be set up.
 */
int ckpt_digest_start(struct ckpt_digest *d, u32 alg)
{
	struct crypto_shash *tfm;

	if (alg == CKPT_HASH_SHA256) {
		tfm = crypto_alloc_shash("sha256", 0, 0);
		if (IS_ERR(tfm))
			return PTR_ERR(tfm);
		d->sha = kmalloc(sizeof(*d->sha) + crypto_shash_descsize(tfm), GFP_KERNEL);
		if (!d->sha) {
			crypto_free_shash(tfm);
			return -ENOMEM;
		}
		d->sha->tfm = tfm;
		crypto_shash_init(d->sha);
	} else {
		xxh64_reset(&d->xxh, 0);
	}
	d->alg = alg;
	ckpt_digest_flush_stage(d);
	return 0;
}

/*
 * Without memory for a chunk, hash in the producer: after the queue has
 * drained, so that the order is kept.  Slower, never wrong.
 */
static void ckpt_digest_now(struct ckpt_digest *d, const void *buf, size_t len)
{
	ckpt_digest_flush_stage(d);
	wait_event(d->idle, ckpt_digest_idle(d));
	ckpt_digest_update(d, buf, len);
}

/**
 * ckpt_digest_bytes - add bytes of the stream to the digest
 * @d:		the digest
 * @buf:	the bytes; the caller may reuse the buffer on return
 * @len:	how many
 *
 * Before ckpt_digest_start(), at most CKPT_DIGEST_STAGE bytes in all
 * (the header): more is a bug of the caller's, and makes the digest fail.
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
				if (d->alg)
					ckpt_digest_now(d, p, len);
				else
					d->failed = true;
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
		if (c->len == CKPT_DIGEST_STAGE) {
			if (!d->alg) {
				d->failed = true;
				return;
			}
			ckpt_digest_flush_stage(d);
		}
	}
}

/**
 * ckpt_digest_pages - add whole pages of the stream to the digest
 * @d:		the digest, started
 * @pages:	the pages, in stream order; the queue takes a reference
 *		of its own on each, dropped once it is hashed
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
	if (!d->alg) {
		d->failed = true;
		return;
	}
	ckpt_digest_flush_stage(d);
	c = kvmalloc(struct_size(c, pages, nr), GFP_KERNEL);
	if (!c) {
		wait_event(d->idle, ckpt_digest_idle(d));
		ckpt_digest_update_pages(d, pages, nr);
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
 * @d:		the digest, started
 * @out:	CKPT_DIGEST_MAX bytes: xxh64 as a u64 then zeroes, or
 *		SHA-256
 *
 * Return: 0, -EINTR if a fatal signal came while waiting, or -EIO if
 * the digest could not be kept (the operation then fails).
 */
int ckpt_digest_final(struct ckpt_digest *d, u8 *out)
{
	u64 x;

	memset(out, 0, CKPT_DIGEST_MAX);
	if (!d->alg || d->failed)
		return -EIO;
	ckpt_digest_flush_stage(d);
	if (wait_event_killable(d->idle, ckpt_digest_idle(d)))
		return -EINTR;
	if (d->alg == CKPT_HASH_SHA256)
		return crypto_shash_final(d->sha, out);
	x = xxh64_digest(&d->xxh);
	memcpy(out, &x, sizeof(x));
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
	if (d->sha) {
		crypto_free_shash(d->sha->tfm);
		kfree_sensitive(d->sha);
		d->sha = NULL;
	}
}
