// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image stream: typed, length-prefixed, 8-byte aligned records,
 * written and read strictly sequentially so that the image can be a
 * pipe or a socket, with a digest of every byte kept on the way
 * (digest.c) and written (or checked) in the trailer.
 *
 * Everything read here is untrusted: record lengths are bounded before
 * anything is allocated, padding must be zero, and strings must be
 * terminated inside their record.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "internal.h"

static const char * const ckpt_rec_names[CKPT_REC_MAX] = { CKPT_REC_NAMES };
/* The newest record type has a name (so tools that use the list have it too). */
static_assert(sizeof((const char *[]){ CKPT_REC_NAMES }) == sizeof(ckpt_rec_names));

/**
 * ckpt_rec_name - name of a record type, for messages
 * @type: the type
 *
 * Return: a static string.
 */
const char *ckpt_rec_name(u32 type)
{
	if (type < CKPT_REC_MAX && ckpt_rec_names[type])
		return ckpt_rec_names[type];
	return "unknown";
}

/**
 * ckpt_kernel_write - write a kernel buffer to any writable file
 * @file:	the file
 * @buf:	the bytes
 * @len:	how many
 * @ppos:	file position, or NULL for streams
 *
 * kernel_write() refuses files that have both ->write and ->write_iter
 * (such as /dev/null); going through vfs_iter_write() works for every
 * file with ->write_iter: regular files, pipes, sockets, terminals.
 *
 * Return: bytes written or a negative errno.
 */
ssize_t ckpt_kernel_write(struct file *file, const void *buf, size_t len, loff_t *ppos)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	return vfs_iter_write(file, &iter, ppos, 0);
}

static ssize_t ckpt_kernel_read(struct file *file, void *buf, size_t len, loff_t *ppos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	return vfs_iter_read(file, &iter, ppos, 0);
}

static int ckpt_write_error(struct ckpt_ctx *ctx, ssize_t n)
{
	if (n >= 0 || n == -ERESTARTSYS || n == -ERESTARTNOINTR ||
	    n == -ERESTARTNOHAND || n == -EINTR)
		n = signal_pending(current) ? -EINTR : -EIO;
	return ckpt_err(ctx, n, "writing the image at byte %llu failed (error %zd)",
			ctx->offset, n);
}

/**
 * ckpt_write - append bytes to the image
 * @ctx:	the checkpoint context
 * @buf:	kernel buffer
 * @len:	bytes
 *
 * Return: 0, or a negative errno (-ENOSPC, -EPIPE, -EINTR...).
 */
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	const u8 *p = buf;
	size_t left = len;

	/* A copy-on-write checkpoint's first pass (cow.c). */
	if (ctx->spooling && !ckpt_cow_too_big(ctx, len)) {
		if (ckpt_spool_bytes(ctx, buf, len))
			return -ENOMEM;
		ctx->offset += len;
		return 0;
	}
	if (ctx->spooling) {
		int err = ckpt_cow_end(ctx);

		if (err)
			return err;
	}
	while (left) {
		ssize_t n = ckpt_kernel_write(ctx->file, p, left, ctx->ppos);

		if (n <= 0)
			return ckpt_write_error(ctx, n);
		if (fatal_signal_pending(current))
			return ckpt_err(ctx, -EINTR, "interrupted by a signal");
		p += n;
		left -= n;
	}
	ckpt_digest_bytes(&ctx->digest, buf, len);
	ctx->offset += len;
	return 0;
}

/* A vector over @nr whole pages, for one vectored write or read. */
static struct bio_vec *ckpt_page_bvec(struct page **pages, unsigned int nr)
{
	struct bio_vec *bv = kmalloc_array(nr, sizeof(*bv), GFP_KERNEL);
	unsigned int i;

	for (i = 0; bv && i < nr; i++)
		bvec_set_page(&bv[i], pages[i], PAGE_SIZE, 0);
	return bv;
}

/**
 * ckpt_write_pages - append whole pages to the image
 * @ctx:	the checkpoint context
 * @pages:	pinned pages of the frozen job
 * @nr:		how many
 *
 * The pages go to the file in one vectored write per batch, with no
 * copy through a buffer of our own (the way core dumps emit pages), and
 * then to the digest.
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_pages(struct ckpt_ctx *ctx, struct page **pages, unsigned int nr)
{
	struct bio_vec *bv;
	struct iov_iter iter;
	int err;

	/* Pages the job can still write to: no copy-on-write (cow.c). */
	err = ckpt_cow_end(ctx);
	if (err)
		return err;
	bv = ckpt_page_bvec(pages, nr);
	if (!bv)
		return -ENOMEM;
	iov_iter_bvec(&iter, ITER_SOURCE, bv, nr, (size_t)nr * PAGE_SIZE);
	while (iov_iter_count(&iter)) {
		ssize_t n = vfs_iter_write(ctx->file, &iter, ctx->ppos, 0);

		if (n <= 0) {
			err = ckpt_write_error(ctx, n);
			break;
		}
		if (fatal_signal_pending(current)) {
			err = ckpt_err(ctx, -EINTR, "interrupted by a signal");
			break;
		}
	}
	if (!err) {
		ckpt_digest_pages(&ctx->digest, pages, nr);
		ctx->offset += (u64)nr * PAGE_SIZE;
	}
	kfree(bv);
	return err;
}

static const u8 ckpt_zeroes[CKPT_ALIGN];

/* Pad a record of @len bytes to CKPT_ALIGN. */
static int ckpt_write_padding(struct ckpt_ctx *ctx, size_t len)
{
	return ckpt_pad(len) ? ckpt_write(ctx, ckpt_zeroes, ckpt_pad(len)) : 0;
}

/**
 * ckpt_write_record - append one record
 * @ctx:	the checkpoint context
 * @type:	record type
 * @rec:	the record, starting with a struct ckpt_hdr that this fills in
 * @len:	its length in bytes
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_record(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len)
{
	return ckpt_write_record_data(ctx, type, rec, len, NULL, 0);
}

/**
 * ckpt_write_record_data - append a record whose fixed part is followed
 * by data
 * @ctx:	the checkpoint context
 * @type:	record type
 * @rec:	the fixed part, starting with a struct ckpt_hdr that this
 *		fills in
 * @len:	its length
 * @data:	the data
 * @data_len:	its length (may be 0)
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_record_data(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len,
			   const void *data, size_t data_len)
{
	struct ckpt_hdr *h = rec;
	int err;

	h->type = type;
	h->len = len + data_len;
	err = ckpt_write(ctx, rec, len);
	if (!err && data_len)
		err = ckpt_write(ctx, data, data_len);
	return err ?: ckpt_write_padding(ctx, len + data_len);
}

/**
 * ckpt_write_record_str - append a record that ends with a string
 * @ctx:	the checkpoint context
 * @type:	record type
 * @rec:	the fixed part of the record
 * @len:	its length
 * @str:	the string, or NULL for none
 * @str_len:	the record's field that gets the string's size, terminator
 *		included (0 for none)
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_record_str(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len,
			  const char *str, u32 *str_len)
{
	size_t slen = str ? strlen(str) + 1 : 0;

	*str_len = slen;
	return ckpt_write_record_data(ctx, type, rec, len, str, slen);
}

/**
 * ckpt_write_trailer - end the image with the digest of all of it
 * @ctx: the checkpoint context
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_trailer(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_trailer t = {};
	ssize_t n;
	int err;

	t.total_len = ctx->offset;
	t.digest = ctx->digest.alg;
	err = ckpt_digest_final(&ctx->digest, t.value);
	if (err == -EINTR)
		return ckpt_err(ctx, err, "interrupted by a signal");
	if (err)
		return ckpt_err(ctx, err, "cannot compute the image's digest");
	t.h.type = CKPT_REC_TRAILER;
	t.h.len = sizeof(t);
	/* The trailer itself is not part of the digest. */
	n = ckpt_kernel_write(ctx->file, &t, sizeof(t), ctx->ppos);
	if (n != sizeof(t))
		return ckpt_write_error(ctx, n);
	ctx->offset += sizeof(t);
	return 0;
}

/* A read of the image that returned @n <= 0: the reason, logged. */
static int ckpt_read_error(struct ckpt_ctx *ctx, ssize_t n)
{
	if (n == 0)
		return ckpt_err(ctx, -ENOEXEC, "image truncated at byte %llu", ctx->offset);
	if (signal_pending(current))
		return ckpt_err(ctx, -EINTR, "interrupted by a signal");
	return ckpt_err(ctx, n, "reading the image at byte %llu failed (error %zd)",
			ctx->offset, n);
}

/*
 * Read exactly @len bytes without hashing them.
 */
static int ckpt_read_raw(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = ckpt_kernel_read(ctx->file, p, len, ctx->ppos);

		if (n <= 0)
			return ckpt_read_error(ctx, n);
		p += n;
		len -= n;
		ctx->offset += n;
	}
	return 0;
}

/**
 * ckpt_read - read bytes of the image
 * @ctx:	the restart context
 * @buf:	kernel buffer
 * @len:	bytes
 *
 * Return: 0, -ENOEXEC if the image ends early, or another negative errno.
 */
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	int err = ckpt_read_raw(ctx, buf, len);

	if (!err)
		ckpt_digest_bytes(&ctx->digest, buf, len);
	return err;
}

/**
 * ckpt_read_pages_into - read whole pages of the image into pages
 * @ctx:	the restart context
 * @pages:	the restored process's pages, pinned by the caller
 * @nr:		how many
 *
 * One copy, from the image straight into the pages, which then go to
 * the digest.
 *
 * Return: 0, -ENOEXEC if the image ends early, or another negative errno.
 */
int ckpt_read_pages_into(struct ckpt_ctx *ctx, struct page **pages, unsigned int nr)
{
	struct bio_vec *bv = ckpt_page_bvec(pages, nr);
	struct iov_iter iter;
	int err = 0;

	if (!bv)
		return -ENOMEM;
	iov_iter_bvec(&iter, ITER_DEST, bv, nr, (size_t)nr * PAGE_SIZE);
	while (iov_iter_count(&iter)) {
		ssize_t n = vfs_iter_read(ctx->file, &iter, ctx->ppos, 0);

		if (n <= 0) {
			err = ckpt_read_error(ctx, n);
			break;
		}
		ctx->offset += n;
	}
	if (!err)
		ckpt_digest_pages(&ctx->digest, pages, nr);
	kfree(bv);
	return err;
}

/**
 * ckpt_peek_type - the type of the next record, without consuming it
 * @ctx: the restart context
 *
 * Return: the type (> 0), or a negative errno.
 */
int ckpt_peek_type(struct ckpt_ctx *ctx)
{
	int err;

	/* A record of unknown type stays refused, however often it is asked. */
	if (ctx->have_next)
		return ctx->next.type && ctx->next.type < CKPT_REC_MAX ? ctx->next.type : -ENOEXEC;
	/* Hashed once taken: the trailer's own header is not in the digest. */
	err = ckpt_read_raw(ctx, &ctx->next, sizeof(ctx->next));
	if (err)
		return err;
	ctx->have_next = true;
	if (!ctx->next.type || ctx->next.type >= CKPT_REC_MAX)
		return ckpt_err(ctx, -ENOEXEC, "record of unknown type %u at byte %llu",
				ctx->next.type, ctx->offset - sizeof(ctx->next));
	return ctx->next.type;
}

static int ckpt_check_padding(struct ckpt_ctx *ctx, u32 len)
{
	u8 pad[CKPT_ALIGN];
	size_t n = ckpt_pad(len);
	int err;

	if (!n)
		return 0;
	err = ckpt_read(ctx, pad, n);
	if (err)
		return err;
	if (memchr_inv(pad, 0, n))
		return ckpt_err(ctx, -ENOEXEC, "non-zero padding after a %s record",
				ckpt_rec_name(ctx->next.type));
	return 0;
}

/**
 * ckpt_take_next - consume the record header ckpt_peek_type() read
 * @ctx: the restart context
 *
 * The caller then reads the rest of the record with ckpt_read().
 */
void ckpt_take_next(struct ckpt_ctx *ctx)
{
	ctx->have_next = false;
	ckpt_digest_bytes(&ctx->digest, &ctx->next, sizeof(ctx->next));
}

/*
 * Consume the next record's header, which must be of @type and between
 * @min and @max bytes long.  Returns its length.
 */
static long ckpt_take_header(struct ckpt_ctx *ctx, u32 type, size_t min, size_t max)
{
	int t = ckpt_peek_type(ctx);

	if (t < 0)
		return t;
	if (t != type)
		return ckpt_err(ctx, -ENOEXEC, "expected a %s record at byte %llu, found %s",
				ckpt_rec_name(type), ctx->offset - sizeof(ctx->next),
				ckpt_rec_name(t));
	if (ctx->next.len < min || ctx->next.len > max || ctx->next.len > CKPT_MAX_RECORD)
		return ckpt_err(ctx, -ENOEXEC, "%s record at byte %llu has bad length %u",
				ckpt_rec_name(type), ctx->offset - sizeof(ctx->next),
				ctx->next.len);
	ckpt_take_next(ctx);
	return ctx->next.len;
}

/**
 * ckpt_read_record - read a whole record of a given type
 * @ctx:	the restart context
 * @type:	the type it must have
 * @min:	its smallest valid length (at least its fixed part)
 * @max:	its largest valid length
 *
 * Return: the record (kvfree() it), with its header; or an ERR_PTR,
 * -ENOEXEC when the image does not hold such a record here.
 */
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min, size_t max)
{
	long len = ckpt_take_header(ctx, type, min, max);
	struct ckpt_hdr *rec;
	int err;

	if (len < 0)
		return ERR_PTR(len);
	rec = kvmalloc(len, GFP_KERNEL);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	*rec = ctx->next;
	err = ckpt_read(ctx, rec + 1, len - sizeof(*rec));
	if (!err)
		err = ckpt_check_padding(ctx, len);
	if (err) {
		kvfree(rec);
		return ERR_PTR(err);
	}
	return rec;
}

/**
 * ckpt_read_record_into - read a fixed-size record into a buffer
 * @ctx:	the restart context
 * @type:	the type it must have
 * @rec:	buffer of @len bytes
 * @len:	the record's exact length
 *
 * Return: 0 or a negative errno.
 */
int ckpt_read_record_into(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len)
{
	long n = ckpt_take_header(ctx, type, len, len);
	int err;

	if (n < 0)
		return n;
	*(struct ckpt_hdr *)rec = ctx->next;
	err = ckpt_read(ctx, (u8 *)rec + sizeof(struct ckpt_hdr),
			len - sizeof(struct ckpt_hdr));
	return err ?: ckpt_check_padding(ctx, len);
}

/**
 * ckpt_read_record_head - read the fixed part of a variable-size record
 * @ctx:	the restart context
 * @type:	the type it must have
 * @rec:	buffer for the fixed part, header included
 * @fixed:	size of the fixed part
 * @max:	the record's largest valid length
 *
 * The caller reads the rest with ckpt_read().
 *
 * Return: the record's length, or a negative errno.
 */
long ckpt_read_record_head(struct ckpt_ctx *ctx, u32 type, void *rec, size_t fixed,
			   size_t max)
{
	long len = ckpt_take_header(ctx, type, fixed, max);
	int err;

	if (len < 0)
		return len;
	*(struct ckpt_hdr *)rec = ctx->next;
	err = ckpt_read(ctx, (u8 *)rec + sizeof(struct ckpt_hdr),
			fixed - sizeof(struct ckpt_hdr));
	return err ?: len;
}

/**
 * ckpt_read_trailer - read the trailer and check the image's digest
 * @ctx:	the restart context
 * @settled:	called once the digest is final, before it is compared;
 *		an error it returns (with its reason logged) is the result
 *
 * The digest reads the restored processes' pages after they were filled
 * (it holds a reference on each, so none is freed or reused before it
 * is hashed).  A process that a SIGKILL makes exit meanwhile writes its
 * own memory on the way out (clear_child_tid, the robust futex list),
 * so its pages may no longer be the image's: @settled reports that kill
 * rather than a corrupted image.
 *
 * Return: 0 if the trailer matches everything read before it, what
 * @settled returned, or -ENOEXEC.
 */
int ckpt_read_trailer(struct ckpt_ctx *ctx, int (*settled)(struct ckpt_ctx *ctx))
{
	struct ckpt_rec_trailer t;
	u8 digest[CKPT_DIGEST_MAX];
	u64 before;
	int type, err;

	type = ckpt_peek_type(ctx);
	if (type < 0)
		return type;
	/* Everything before the trailer's header has been hashed. */
	before = ctx->offset - sizeof(struct ckpt_hdr);
	if (type != CKPT_REC_TRAILER || ctx->next.len != sizeof(t))
		return ckpt_err(ctx, -ENOEXEC, "expected the trailer at byte %llu, found %s",
				before, ckpt_rec_name(type));
	ctx->have_next = false;
	t.h = ctx->next;
	if (ckpt_read_raw(ctx, (u8 *)&t + sizeof(t.h), sizeof(t) - sizeof(t.h)))
		return -ENOEXEC;
	err = ckpt_digest_final(&ctx->digest, digest);
	if (err == -EINTR)
		return ckpt_err(ctx, err, "interrupted by a signal");
	if (err)
		return ckpt_err(ctx, err, "cannot compute the image's digest");
	err = settled(ctx);
	if (err)
		return err;
	if (t.total_len != before)
		return ckpt_err(ctx, -ENOEXEC, "trailer says %llu bytes, image has %llu",
				t.total_len, before);
	if (t.digest != ctx->digest.alg || t.reserved)
		return ckpt_err(ctx, -ENOEXEC, "malformed trailer (digest %u, the header's %u)",
				t.digest, ctx->digest.alg);
	if (memcmp(digest, t.value, sizeof(digest)))
		return ckpt_err(ctx, -ENOEXEC, "%s mismatch: image corrupted",
				ckpt_digest_name(ctx->digest.alg));
	return 0;
}

/**
 * ckpt_rec_str - check and return a string stored inside a record
 * @ctx:	the restart context
 * @rec:	the record
 * @rec_len:	its length
 * @off:	offset of the string in the record
 * @len:	the string's size as the record states it, terminator included
 * @what:	what the string is, for the message
 *
 * Return: the string, or NULL (with a reason logged) if it does not fit
 * the record, is empty, too long, or not terminated where stated.
 */
const char *ckpt_rec_str(struct ckpt_ctx *ctx, const void *rec, size_t rec_len,
			 size_t off, u32 len, const char *what)
{
	const char *s = (const char *)rec + off;

	if (off > rec_len || len > rec_len - off || len < 2 || len > CKPT_MAX_PATH ||
	    s[len - 1] != '\0' || strnlen(s, len) != len - 1) {
		ckpt_err(ctx, -ENOEXEC, "malformed %s string", what);
		return NULL;
	}
	return s;
}
