// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: file locks.  The LOCKS record (the POSIX, open file
 * description and flock() locks a process holds, each with a descriptor
 * of the process it is taken back through), in images taken with
 * CKPT_FILE_LOCKS only, after the process's last descriptor record and
 * before its threads.
 *
 * Restart takes each lock back through a descriptor open for the access
 * it needs, so in such an image the FILE records, and the descriptors
 * of the process being decoded, are kept: lock_note_file(),
 * lock_note_fd().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

#define F_RDLCK_NR	0
#define F_WRLCK_NR	1
#define FMODE_READ_NR	0x1
#define FMODE_WRITE_NR	0x2

static const char *const lock_kinds[] = {
	[CKPT_LOCK_POSIX] = "posix",
	[CKPT_LOCK_OFD] = "ofd",
	[CKPT_LOCK_FLOCK] = "flock",
};

/* Lock @n (from 1), checked as restart's ckpt_lock_ok() does */
static int check_lock(struct img *im, __u32 n, const struct ckpt_lock *l)
{
	if (l->fd < 0)
		return bad(im, "lock %u: fd %d is negative", n, l->fd);
	if (l->type != F_RDLCK_NR && l->type != F_WRLCK_NR)
		return bad(im, "lock %u: type %u is not F_RDLCK (0) or F_WRLCK (1)", n, l->type);
	if (l->kind == CKPT_LOCK_FLOCK) {
		if (l->start || l->end != INT64_MAX)
			return bad(im,
				   "lock %u: a flock() lock covers the whole file: start 0 and end %lld, not %lld and %lld",
				   n, (__s64)INT64_MAX, (__s64)l->start, (__s64)l->end);
		return 0;
	}
	if (l->kind != CKPT_LOCK_POSIX && l->kind != CKPT_LOCK_OFD)
		return bad(im, "lock %u: unknown kind %u", n, l->kind);
	if (l->start < 0)
		return bad(im, "lock %u: start %lld is negative", n, (__s64)l->start);
	if (l->end < l->start)
		return bad(im, "lock %u: end %lld is before start %lld", n, (__s64)l->end,
			   (__s64)l->start);
	return 0;
}

/**
 * lock_note_file - keep a FILE record of an image taken with
 * CKPT_FILE_LOCKS, for the locks that descriptors on it name
 * @im: the image, at a FILE record that has passed its checks
 *
 * Return: 0, or -1 once bad() has said what is wrong.
 */
int lock_note_file(struct img *im, const struct ckpt_rec_file *f)
{
	struct lockfile_ent *e;

	if (!(im->hdr.flags & CKPT_FILE_LOCKS))
		return 0;
	e = new_entry((void **)&im->lockfiles, &im->nr_lockfile_ents, &im->lockfiles_size,
		      sizeof(*e), &im->lockfile_idx, f->objid);
	if (!e)
		return nomem(im);
	e->objid = f->objid;
	e->kind = f->kind;
	e->mode = f->mode;
	e->ref_id = f->ref_id;
	if (f->path_len) {
		e->path = strndup(f->path, f->path_len);
		if (!e->path)
			return nomem(im);
	}
	return 0;
}

/**
 * lock_note_fd - keep a descriptor of the process being decoded, in an
 * image taken with CKPT_FILE_LOCKS
 * @im: the image, at an FD record that has passed its checks
 *
 * Return: 0, or -1 once bad() has said what is wrong.
 */
int lock_note_fd(struct img *im, const struct ckpt_rec_fd *d)
{
	if (!(im->hdr.flags & CKPT_FILE_LOCKS))
		return 0;
	if (idset_put(&im->fd_objids, d->fd + 1, d->objid) < 0)
		return nomem(im);
	return 0;
}

/* A new process: none of its descriptors seen yet */
void lock_task_begin(struct img *im)
{
	free(im->fd_objids.slot);
	free(im->fd_objids.val);
	memset(&im->fd_objids, 0, sizeof(im->fd_objids));
}

/* The FILE record of @objid, or NULL */
static const struct lockfile_ent *objid_file(struct img *im, __u32 objid)
{
	__u32 idx;

	if (!idset_get(&im->lockfile_idx, objid, &idx))
		return NULL;
	return &im->lockfiles[idx];
}

/* The file the process's descriptor @fd is on, or NULL */
static const struct lockfile_ent *fd_file(struct img *im, __u32 fd)
{
	__u32 objid;

	if (!idset_get(&im->fd_objids, fd + 1, &objid))
		return NULL;
	return objid_file(im, objid);
}

/*
 * Are @a and @b one file once restored: one description, files on the
 * same object (the ends of a pipe, opens of a pty's slave or of an
 * unlinked file), the controlling terminal, or opens of the same path
 */
static int same_file(const struct lockfile_ent *a, const struct lockfile_ent *b)
{
	if (a->objid == b->objid)
		return 1;
	if (a->path || b->path)
		return a->path && b->path && !strcmp(a->path, b->path);
	if (a->kind == CKPT_FILE_CTTY || b->kind == CKPT_FILE_CTTY)
		return a->kind == b->kind;
	if (a->kind != b->kind &&
	    (a->kind == CKPT_FILE_PTY_MASTER || b->kind == CKPT_FILE_PTY_MASTER))
		return 0;
	return a->ref_id && a->ref_id == b->ref_id;
}

/*
 * Has the process a descriptor on @f open for @want (FMODE_*)?  @memo
 * keeps the answer for @f's objid (1: no, 2: yes), so that many locks
 * on one file do not walk every descriptor each.  -1 without memory.
 */
static int access_on(struct img *im, const struct lockfile_ent *f, __u32 want,
		     struct idset *memo)
{
	const struct lockfile_ent *o;
	__u32 known;
	size_t i;
	int yes = 0;

	if (idset_get(memo, f->objid, &known))
		return known == 2;
	for (i = 0; i < im->fd_objids.size && !yes; i++) {
		if (!im->fd_objids.slot[i])
			continue;
		o = objid_file(im, im->fd_objids.val[i]);
		yes = o && o->kind != CKPT_FILE_INHERIT && (o->mode & want) && same_file(f, o);
	}
	if (idset_put(memo, f->objid, yes + 1) < 0)
		return -1;
	return yes;
}

/*
 * Lock @n is taken back through its fd, which restart wants open for the
 * lock's access: for a POSIX lock (the process's), that fd or another of
 * the process on the same file.  A flock() lock needs no access, and a
 * standard file is the restarter's own.
 */
static int check_lock_access(struct img *im, __u32 n, const struct ckpt_lock *l,
			     struct idset memo[2])
{
	const struct lockfile_ent *f = fd_file(im, (__u32)l->fd);
	__u32 want = l->type == F_WRLCK_NR ? FMODE_WRITE_NR : FMODE_READ_NR;
	const char *type = l->type == F_WRLCK_NR ? "write" : "read";
	const char *access = l->type == F_WRLCK_NR ? "writing" : "reading";

	if (!f || f->kind == CKPT_FILE_INHERIT || l->kind == CKPT_LOCK_FLOCK || (f->mode & want))
		return 0;
	if (l->kind == CKPT_LOCK_OFD)
		return bad(im,
			   "lock %u: an open file description %s lock, but fd %d is not open for %s",
			   n, type, l->fd, access);
	switch (access_on(im, f, want, &memo[want == FMODE_WRITE_NR])) {
	case 1:
		return 0;
	case -1:
		return nomem(im);
	}
	return bad(im,
		   "lock %u: a POSIX %s lock, but neither fd %d nor another descriptor of the process on its file is open for %s",
		   n, type, l->fd, access);
}

/* Each lock is taken back through a descriptor of the process, in order */
static int check_lock_fds(struct img *im, const struct ckpt_rec_locks *r)
{
	struct idset memo[2] = { { NULL }, { NULL } };
	const struct ckpt_lock *l;
	int err = 0;
	__u32 i;

	for (i = 0; i < r->nr && !err; i++) {
		l = &r->locks[i];
		if (l->fd >= CKPT_MAX_FILES || !(im->fdmap[l->fd / 8] & (1 << (l->fd % 8))))
			err = bad(im,
				  "lock %u: fd %d is not a descriptor of the process (no FD record)",
				  i + 1, l->fd);
		else
			err = check_lock_access(im, i + 1, l, memo);
	}
	for (i = 0; i < 2; i++) {
		free(memo[i].slot);
		free(memo[i].val);
	}
	return err;
}

int decode_locks(struct img *im)
{
	struct ckpt_rec_locks *r = (void *)im->buf;
	const struct ckpt_lock *l;
	__u32 i;

	if (check_min(im, sizeof(*r) + sizeof(r->locks[0])))
		return -1;
	if (!(im->hdr.flags & CKPT_FILE_LOCKS))
		return bad(im,
			   "file locks in an image taken without CKPT_FILE_LOCKS (header flags 0x%x)",
			   im->hdr.flags);
	if (!r->nr || r->nr > CKPT_MAX_LOCKS)
		return bad(im, "nr %u is not in 1..CKPT_MAX_LOCKS (%d)", r->nr, CKPT_MAX_LOCKS);
	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (check_len(im, sizeof(*r) + (__u64)r->nr * sizeof(r->locks[0]), "nr"))
		return -1;
	for (i = 0; i < r->nr; i++)
		if (check_lock(im, i + 1, &r->locks[i]))
			return -1;
	if (check_lock_fds(im, r))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr", r->nr);
	list_begin(im, "locks");
	for (i = 0; i < r->nr; i++) {
		l = &r->locks[i];
		sub_begin(im, "lock:");
		fs(im, "fd", l->fd);
		fword(im, "kind", lock_kinds[l->kind]);
		fword(im, "type", l->type == F_WRLCK_NR ? "write" : "read");
		if (l->kind != CKPT_LOCK_FLOCK) {
			fs(im, "start", l->start);
			fs(im, "end", l->end);
		}
		sub_end(im);
	}
	list_end(im);
	rec_end(im);
	im->st = ST_THREAD;
	return 0;
}
