// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: files no path leads back to.  The UNLINKED record (shared
 * anonymous memory, a memfd or a deleted file, saved with its contents)
 * and the PAGES records of its contents that follow it, their addr an
 * offset in the file.  Mappings (VMA kinds obj_shared and obj_private)
 * and open files (FILE kind unlinked) name it by its objid.
 *
 * An UNLINKED record comes before the first VMA or FILE record that
 * names it: before any VMA record of a process (restart reads those
 * that come before each VMA), or among its files.  The output of VMA
 * records waits until their pages are counted (mm.c): an UNLINKED record
 * among them, and its pages, wait with them, so that the records are
 * shown in the order of the image.  A SYSVSHM record (sysvshm.c) and its
 * pages come among the VMA records too: the same holds for them.
 */
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

#define MAX_LFS_FILESIZE	0x7fffffffffffffffULL	/* LLONG_MAX, 64-bit */
#define MEMFD_PREFIX		"memfd:"
#define MEMFD_NAME_MAX		255			/* NAME_MAX */

static const char *const unlinked_kinds[] = {
	[CKPT_UNLINKED_SHMEM] = "shmem",
	[CKPT_UNLINKED_MEMFD] = "memfd",
	[CKPT_UNLINKED_DELETED] = "deleted",
};

/* F_SEAL_*: the seals F_GET_SEALS gives */
static const struct flag_name seal_names[] = {
	{ 0x0001, "F_SEAL_SEAL" },
	{ 0x0002, "F_SEAL_SHRINK" },
	{ 0x0004, "F_SEAL_GROW" },
	{ 0x0008, "F_SEAL_WRITE" },
	{ 0x0010, "F_SEAL_FUTURE_WRITE" },
	{ 0x0020, "F_SEAL_EXEC" },
	{ 0, NULL }
};

#define SEALS_ALL	0x003f

static void print_unlinked(struct img *im, const struct unlinked_ent *u)
{
	rec_begin(im, u->off, CKPT_REC_UNLINKED, u->len);
	fu(im, "objid", u->objid);
	fword(im, "kind", unlinked_kinds[u->kind]);
	if (u->path)
		fstr(im, "path", u->path, strlen(u->path));
	fu(im, "size", u->size);
	fu(im, "nr_pages", u->nr_pages);
	field_fmt(im, "mode", 1, "%04o", u->mode);
	if (u->kind == CKPT_UNLINKED_MEMFD)
		fflags(im, "seals", u->seals, seal_names);
	rec_end(im);
}

static void print_contents_pages(struct img *im, const struct held_rec *h)
{
	rec_begin(im, h->off, CKPT_REC_PAGES, h->len);
	fx(im, "addr", h->addr);
	fu(im, "nr_pages", h->nr);
	fu(im, "bytes", (__u64)h->nr * im->hdr.page_size);
	if (h->owner == CKPT_REC_SYSVSHM)
		fu(im, "sysvshm_id", im->sysvshms[h->idx].r.objid);
	else
		fu(im, "unlinked_id", im->unlinked[h->idx].objid);
	rec_end(im);
}

static void print_held(struct img *im, const struct held_rec *h)
{
	if (h->type == CKPT_REC_UNLINKED)
		print_unlinked(im, &im->unlinked[h->idx]);
	else if (h->type == CKPT_REC_SYSVSHM)
		print_sysvshm(im, h->idx);
	else
		print_contents_pages(im, h);
}

/*
 * Show the current record -- an UNLINKED or SYSVSHM record (@idx in its
 * table), or PAGES of their contents (@addr, @nr) -- now, or keep it for
 * flush_unlinked() among held VMAs
 */
int show_mm_rec(struct img *im, __u32 type, __u32 idx, __u64 addr, __u32 nr)
{
	struct held_rec h = {
		.off = im->rec_off, .len = im->rec_len, .type = type,
		.idx = idx, .nr = nr, .addr = addr, .owner = im->uowner,
	};

	if (!im->mm_held) {
		print_held(im, &h);
		return 0;
	}
	if (grow((void **)&im->held, im->nr_held, &im->held_size, sizeof(*im->held)))
		return nomem(im);
	im->held[im->nr_held++] = h;
	return 0;
}

/* Show the records kept by show_mm_rec() that come before offset @before */
void flush_unlinked(struct img *im, __u64 before)
{
	const struct held_rec *h;

	while (im->held_next < im->nr_held && im->held[im->held_next].off < before) {
		h = &im->held[im->held_next++];
		print_held(im, h);
	}
	if (im->held_next == im->nr_held) {
		im->nr_held = 0;
		im->held_next = 0;
	}
}

int decode_unlinked(struct img *im)
{
	struct ckpt_rec_unlinked *u = (void *)im->buf;
	__u64 ps = im->hdr.page_size;
	struct unlinked_ent *e;
	__u32 idx;

	if (check_min(im, sizeof(*u)))
		return -1;
	if (u->path_len > CKPT_MAX_PATH)
		return bad(im, "path_len %u exceeds CKPT_MAX_PATH (%d)", u->path_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*u) + (__u64)u->path_len, "path_len"))
		return -1;
	if (u->kind < CKPT_UNLINKED_SHMEM || u->kind > CKPT_UNLINKED_DELETED)
		return bad(im, "unknown unlinked file kind %u", u->kind);
	if (check_reserved(im, &u->reserved, sizeof(u->reserved)))
		return -1;
	if (u->mode & ~07777U)
		return bad(im, "mode %#o has bits other than the permission bits (07777)",
			   u->mode);
	if (u->size > MAX_LFS_FILESIZE)
		return bad(im, "size %llu exceeds MAX_LFS_FILESIZE (%llu)", (__u64)u->size,
			   MAX_LFS_FILESIZE);
	if (u->nr_pages > u->size / ps + !!(u->size % ps))
		return bad(im, "nr_pages %llu is more than the %llu pages of a file of %llu bytes",
			   (__u64)u->nr_pages, u->size / ps + !!(u->size % ps), (__u64)u->size);
	if (u->seals && u->kind != CKPT_UNLINKED_MEMFD)
		return bad(im, "seals 0x%x on a %s file: only a memfd has seals", u->seals,
			   unlinked_kinds[u->kind]);
	if (u->seals & ~SEALS_ALL)
		return bad(im, "unknown seals 0x%x", u->seals & ~SEALS_ALL);
	if (u->kind == CKPT_UNLINKED_SHMEM) {
		if (u->path_len)
			return bad(im, "path: a shmem file has none");
	} else if (check_str(im, "path", u->path, u->path_len, 0)) {
		return -1;
	}
	if (u->kind == CKPT_UNLINKED_MEMFD &&
	    (strncmp(u->path, MEMFD_PREFIX, strlen(MEMFD_PREFIX)) ||
	     strlen(u->path) > MEMFD_NAME_MAX))
		return bad(im, "path: a memfd's name starts with \"%s\" and has at most %d bytes",
			   MEMFD_PREFIX, MEMFD_NAME_MAX);
	if (claim_objid(im, u->objid))
		return -1;
	idx = (__u32)im->nr_unlinked_ents;
	e = new_entry((void **)&im->unlinked, &im->nr_unlinked_ents, &im->unlinked_size,
		      sizeof(*im->unlinked), &im->objidx[CKPT_REC_UNLINKED], u->objid);
	if (!e)
		return nomem(im);
	e->off = im->rec_off;
	e->len = im->rec_len;
	e->objid = u->objid;
	e->kind = u->kind;
	e->mode = u->mode;
	e->seals = u->seals;
	e->size = u->size;
	e->nr_pages = u->nr_pages;
	if (u->path_len) {
		e->path = strdup(u->path);
		if (!e->path)
			return nomem(im);
	}
	im->uowner = 0;
	if (show_mm_rec(im, CKPT_REC_UNLINKED, idx, 0, 0))
		return -1;
	contents_begin(im, CKPT_REC_UNLINKED, idx, u->nr_pages);
	return 0;
}

/*
 * After an UNLINKED or SYSVSHM record (@owner, @idx in its table): the
 * @nr_pages pages of its contents come next, if there are any
 */
void contents_begin(struct img *im, __u32 owner, __u32 idx, __u64 nr_pages)
{
	if (!nr_pages)
		return;
	im->uowner = owner;
	im->ucur = idx;
	im->upages_left = nr_pages;
	im->unext = 0;
	im->ust_ret = im->st;
	im->st = ST_UPAGES;
}

/*
 * A PAGES record of the contents of the UNLINKED or SYSVSHM record before
 * it, which decode_pages() has checked as any PAGES record: its offsets
 * increase, and stay within the last page of the file (restart:
 * ckpt_read_data()).
 */
int decode_unlinked_pages(struct img *im)
{
	struct ckpt_rec_pages *p = (void *)im->buf;
	__u64 ps = im->hdr.page_size, end = p->addr + (__u64)p->nr_pages * ps;
	int shm = im->uowner == CKPT_REC_SYSVSHM;
	__u64 size = shm ? im->sysvshms[im->ucur].r.size : im->unlinked[im->ucur].size;
	__u32 objid = shm ? im->sysvshms[im->ucur].r.objid : im->unlinked[im->ucur].objid;
	const char *what = shm ? "System V segment" : "unlinked file";
	__u64 file_end = (size + ps - 1) & ~(ps - 1);

	if (p->nr_pages > im->upages_left)
		return bad(im, "nr_pages %u is more than the %llu pages left of %s %u",
			   p->nr_pages, im->upages_left, what, objid);
	if (p->addr < im->unext)
		return bad(im, "%s %u: offset 0x%llx is below the pages before (0x%llx)",
			   what, objid, (__u64)p->addr, im->unext);
	if (end > file_end)
		return bad(im, "%s %u: pages 0x%llx-0x%llx run past its %llu bytes",
			   what, objid, (__u64)p->addr, end, size);
	if (show_mm_rec(im, CKPT_REC_PAGES, im->ucur, p->addr, p->nr_pages))
		return -1;
	im->upages_left -= p->nr_pages;
	im->unext = end;
	im->task_pages += p->nr_pages;
	im->pages += p->nr_pages;
	im->page_bytes += p->nr_pages * ps;
	if (!im->upages_left)
		im->st = im->ust_ret;
	return 0;
}
