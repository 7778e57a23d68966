// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: pipes and FIFOs.  The PIPE record (a pipe and the data in
 * it), the FILE kinds on a pipe, and the job's pipes and FIFOs with the
 * descriptors on their ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

int decode_pipe(struct img *im)
{
	struct ckpt_rec_pipe *p = (void *)im->buf;
	const char *data = (const char *)(p + 1);
	struct pipe_ent *e;

	if (check_min(im, sizeof(*p)))
		return -1;
	if (!p->capacity || p->capacity % im->hdr.page_size || p->capacity > 1U << 31)
		return bad(im, "capacity %u is not a multiple of the page size in %u..2^31",
			   p->capacity, im->hdr.page_size);
	if (p->data_len > p->capacity)
		return bad(im, "data_len %u is above the capacity %u", p->data_len,
			   p->capacity);
	if (check_len(im, sizeof(*p) + (__u64)p->data_len, "data_len"))
		return -1;
	if (check_reserved(im, &p->reserved, sizeof(p->reserved)))
		return -1;
	if (claim_objid(im, p->objid))
		return -1;
	e = new_entry((void **)&im->pipes, &im->nr_pipe_ents, &im->pipes_size,
		      sizeof(*im->pipes), &im->objidx[CKPT_REC_PIPE], p->objid);
	if (!e)
		return nomem(im);
	e->off = im->rec_off;
	e->objid = p->objid;
	e->capacity = p->capacity;
	e->data_len = p->data_len;
	e->fifo = -1;
	e->kind = 0;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", p->objid);
	fu(im, "capacity", p->capacity);
	fu(im, "data_len", p->data_len);
	if (p->data_len)
		fstr(im, "data", data, p->data_len < PIPE_DATA_SHOWN ?
				       p->data_len : PIPE_DATA_SHOWN);
	rec_end(im);
	return 0;
}

/* ---- FILE records on a pipe: an end of an anonymous pipe, or a FIFO ---- */

int pipe_file_check(struct img *im, const struct ckpt_rec_file *f)
{
	if (check_file_mode(im, f))
		return -1;
	if (f->mode == 3)
		return bad(im, "mode 3: a pipe end is either read (1) or write (2)");
	return 0;
}

int pipe_file_link(struct img *im, const struct ckpt_rec_file *f, __u32 ref)
{
	if (im->pipes[ref].kind && im->pipes[ref].kind != f->kind)
		return bad(im, "pipe %u is both a FIFO and an anonymous pipe", f->ref_id);
	return 0;
}

int pipe_file_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		     struct file_ent *e)
{
	im->pipes[ref].kind = f->kind;
	return 0;
}

/* A FIFO is shown by the path of the first FILE record on it */
int fifo_file_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		     struct file_ent *e)
{
	im->pipes[ref].kind = f->kind;
	e->path = strdup(f->path);
	if (!e->path)
		return nomem(im);
	if (im->pipes[ref].fifo < 0)
		im->pipes[ref].fifo = e - im->files;
	return 0;
}

/* ---- the job view: pipes and FIFOs ---- */

/* Sort key of the descriptors on pipes[@i] opened with @mode (1 r, 2 w, 3 rw) */
static __u64 pipe_key(size_t i, __u32 mode)
{
	return (__u64)i * 4 + mode;
}

__u64 pipe_hold_key(struct img *im, const struct file_ent *f)
{
	__u32 idx;

	if (!idset_get(&im->objidx[CKPT_REC_PIPE], f->ref_id, &idx))
		return ~0ULL;
	return pipe_key(idx, f->mode);
}

static void print_pipe(struct img *im, size_t i)
{
	const struct pipe_ent *p = &im->pipes[i];
	const struct file_ent *f = p->fifo >= 0 ? &im->files[p->fifo] : NULL;
	char path[4 * CKPT_MAX_PATH + 1];
	size_t lo, hi;

	if (im->json) {
		sub_begin(im, NULL);
		if (f)
			fstr(im, "path", f->path, strlen(f->path));
		fu(im, "id", p->objid);
		fu(im, "capacity", p->capacity);
		fu(im, "bytes", p->data_len);
	} else {
		if (f) {
			text_esc(path, sizeof(path), f->path, strlen(f->path));
			printf("  fifo %s (pipe %u):", path, p->objid);
		} else {
			printf("  pipe %u:", p->objid);
		}
		printf(" capacity %u, ", p->capacity);
		if (p->data_len)
			printf("%u byte%s in flight\n", p->data_len, p->data_len == 1 ? "" : "s");
		else
			printf("empty\n");
	}
	print_holders(im, im->json ? "read" : "read end:", pipe_key(i, 1),
		      "none (closed after restart)");
	print_holders(im, im->json ? "write" : "write end:", pipe_key(i, 2),
		      "none (closed after restart)");
	hold_range(im, pipe_key(i, 3), &lo, &hi);
	if (f && (im->json || lo < hi))
		print_holders(im, im->json ? "read_write" : "read+write:", pipe_key(i, 3),
			      "none");
	sub_end(im);
}

void print_pipes(struct img *im, int fifos)
{
	size_t i, n = 0;
	int is_fifo;

	if (im->json)
		json_open(im, fifos ? "fifos" : "pipes", '[');
	else
		printf("%s:", fifos ? "fifos" : "pipes");
	for (i = 0; i < im->nr_pipe_ents; i++) {
		is_fifo = im->pipes[i].fifo >= 0;
		if (is_fifo != fifos)
			continue;
		if (!im->json && !n)
			putchar('\n');
		n++;
		print_pipe(im, i);
	}
	if (im->json)
		json_close(im);
	else if (!n)
		printf(" none\n");
}
