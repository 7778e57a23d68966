// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: System V shared memory.  The SYSVSHM record (a segment a
 * process of the job attached: its id, key, owner, creator, mode, times,
 * whether it was removed) and the PAGES records of its contents that
 * follow it, their addr an offset in the segment.  Mappings of kind
 * sysvshm (mm.c) name it by its objid.
 *
 * The record comes among the VMA records of a process, before the first
 * VMA record naming it (restart reads those before each VMA): its
 * output, and that of its pages, waits with the VMA records' (see
 * unlinked.c, whose checks of the pages it shares).
 */
#include <string.h>

#include "ckptinfo.h"

#define MAX_LFS_FILESIZE	0x7fffffffffffffffULL	/* LLONG_MAX, 64-bit */
#define SHM_MODE_BITS		0777
#define IPC_PRIVATE_KEY		0

static const struct flag_name shm_flags[] = {
	{ CKPT_SHM_REMOVED, "removed" },
	{ 0, NULL }
};

void print_sysvshm(struct img *im, __u32 idx)
{
	const struct sysvshm_ent *e = &im->sysvshms[idx];
	const struct ckpt_rec_sysvshm *r = &e->r;

	rec_begin(im, e->off, CKPT_REC_SYSVSHM, e->len);
	fu(im, "objid", r->objid);
	fs(im, "shmid", r->shmid);
	field_fmt(im, "key", 1, "0x%08x", (__u32)r->key);
	fu(im, "size", r->size);
	fu(im, "nr_pages", r->nr_pages);
	field_fmt(im, "mode", 1, "%04o", r->mode);
	fflags(im, "flags", r->flags, shm_flags);
	fid(im, "uid", r->uid);
	fid(im, "gid", r->gid);
	fid(im, "cuid", r->cuid);
	fid(im, "cgid", r->cgid);
	fs(im, "atime", r->atime);
	fs(im, "dtime", r->dtime);
	fs(im, "ctime", r->ctime);
	rec_end(im);
}

/* The fields, as ckpt_check_rec_sysvshm() checks them */
static int check_sysvshm(struct img *im, const struct ckpt_rec_sysvshm *r)
{
	__u64 ps = im->hdr.page_size, pages = r->size / ps + !!(r->size % ps);

	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (r->flags & ~CKPT_SHM_REMOVED)
		return bad(im, "unknown flags 0x%x", r->flags & ~CKPT_SHM_REMOVED);
	if (r->shmid < 0)
		return bad(im, "shmid %d is negative", r->shmid);
	if (r->mode & ~SHM_MODE_BITS)
		return bad(im, "mode %#o has bits other than the permission bits (0777)", r->mode);
	if (!r->size)
		return bad(im, "size 0: a segment has at least one byte");
	if (r->size > MAX_LFS_FILESIZE)
		return bad(im, "size %llu exceeds MAX_LFS_FILESIZE (%llu)", (__u64)r->size,
			   MAX_LFS_FILESIZE);
	if (r->nr_pages > pages)
		return bad(im,
			   "nr_pages %llu is more than the %llu pages of a segment of %llu bytes",
			   (__u64)r->nr_pages, pages, (__u64)r->size);
	if ((r->flags & CKPT_SHM_REMOVED) && r->key != IPC_PRIVATE_KEY)
		return bad(im,
			   "key 0x%08x on a removed segment: IPC_RMID made its key IPC_PRIVATE (0)",
			   (__u32)r->key);
	/* make_kuid() maps no id to (uid_t)-1: restart cannot make such a segment */
	if (r->uid == CKPT_ID_UNMAPPED || r->gid == CKPT_ID_UNMAPPED ||
	    r->cuid == CKPT_ID_UNMAPPED || r->cgid == CKPT_ID_UNMAPPED)
		return bad(im,
			   "segment %d: its owner or creator is unmapped (uid %u, gid %u, cuid %u, cgid %u): restart gives it no id",
			   r->shmid, r->uid, r->gid, r->cuid, r->cgid);
	return 0;
}

int decode_sysvshm(struct img *im)
{
	const struct ckpt_rec_sysvshm *r = (void *)im->buf;
	struct sysvshm_ent *e;
	__u32 idx;

	if (check_len(im, sizeof(*r), "the SYSVSHM record"))
		return -1;
	if (r->objid == 0)
		return claim_objid(im, r->objid);
	if (check_sysvshm(im, r) || claim_objid(im, r->objid))
		return -1;
	idx = (__u32)im->nr_sysvshm_ents;
	e = new_entry((void **)&im->sysvshms, &im->nr_sysvshm_ents, &im->sysvshms_size,
		      sizeof(*im->sysvshms), &im->objidx[CKPT_REC_SYSVSHM], r->objid);
	if (!e)
		return nomem(im);
	e->off = im->rec_off;
	e->len = im->rec_len;
	memcpy(&e->r, r, sizeof(*r));
	im->uowner = 0;
	if (show_mm_rec(im, CKPT_REC_SYSVSHM, idx, 0, 0))
		return -1;
	contents_begin(im, CKPT_REC_SYSVSHM, idx, r->nr_pages);
	return 0;
}

/* A mapping of the current process attaches the segment of @objid. */
void attach_sysvshm(struct img *im, __u32 objid)
{
	struct sysvshm_ent *e;
	__s32 pid;
	__u32 idx;

	if (idset_get(&im->objidx[CKPT_REC_SYSVSHM], objid, &idx) <= 0 || !im->tasks)
		return;
	e = &im->sysvshms[idx];
	pid = im->tasks[im->tasks_done].pid;
	/* the process's mappings come together: only the last one can be it */
	if (e->nr_attached && e->last_attached == pid)
		return;
	if (e->nr_attached < ARRAY_SIZE(e->attached))
		e->attached[e->nr_attached] = pid;
	e->last_attached = pid;
	e->nr_attached++;
}

/* The job view: each segment, and the processes that attach it */
void print_sysvshms(struct img *im)
{
	size_t i;
	__u32 j, n;

	if (im->json)
		json_open(im, "sysvshm", '[');
	else
		printf("System V shared memory:%s\n", im->nr_sysvshm_ents ? "" : " none");
	for (i = 0; i < im->nr_sysvshm_ents; i++) {
		const struct sysvshm_ent *e = &im->sysvshms[i];

		n = e->nr_attached < ARRAY_SIZE(e->attached) ? e->nr_attached :
			ARRAY_SIZE(e->attached);
		if (im->json) {
			sub_begin(im, NULL);
			fs(im, "shmid", e->r.shmid);
			field_fmt(im, "key", 1, "0x%08x", (__u32)e->r.key);
			fu(im, "size", e->r.size);
			field_fmt(im, "mode", 1, "%04o", e->r.mode);
			fbool(im, "removed", !!(e->r.flags & CKPT_SHM_REMOVED));
			json_open(im, "attached_by", '[');
			for (j = 0; j < n; j++)
				fs(im, NULL, e->attached[j]);
			json_close(im);
			sub_end(im);
			continue;
		}
		printf("  shmid %d key 0x%08x size %llu mode %04o%s attached by",
		       e->r.shmid, (__u32)e->r.key, (unsigned long long)e->r.size, e->r.mode,
		       e->r.flags & CKPT_SHM_REMOVED ? " removed" : "");
		for (j = 0; j < n; j++)
			printf("%s pid %d", j ? "," : "", e->attached[j]);
		if (e->nr_attached > n)
			printf(" and %u more", e->nr_attached - n);
		printf("\n");
	}
	if (im->json)
		json_close(im);
}
