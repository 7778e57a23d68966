// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: open files.  FILE records (open file descriptions, of the
 * kinds in file_kinds_ops[]) and FD records (a process's descriptors on
 * them).  The records of the objects a FILE names by ref_id are in the
 * file of each: pipe.c, tty.c, unlinked.c, eventfd.c, signalfd.c,
 * timerfd.c, epoll.c, inotify.c, unix.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckptinfo.h"

static const char *const file_kinds[CKPT_FILE_MAX] = { CKPT_FILE_NAMES };

#define OBJ_FILE_FLAGS	(00004000 | 00100000)	/* O_NONBLOCK | O_LARGEFILE */

const struct flag_name open_flags[] = {
	{ 00000001, "O_WRONLY" },
	{ 00000002, "O_RDWR" },
	{ 00002000, "O_APPEND" },
	{ 00004000, "O_NONBLOCK" },
	{ 00010000, "O_DSYNC" },
	{ 00020000, "O_ASYNC" },
	{ 00040000, "O_DIRECT" },
	{ 00100000, "O_LARGEFILE" },
	{ 01000000, "O_NOATIME" },
	{ 04000000, "__O_SYNC" },
	{ 0, NULL }
};

/* Access mode of a FILE record's mode (1 read, 2 write, 3 both) as O_* */
__u32 acc_mode(__u32 mode)
{
	return mode == 3 ? 2 : mode == 2 ? 1 : 0;
}

const char *acc_mode_name(__u32 acc)
{
	static const char *const names[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "3" };

	return names[acc & O_ACCMODE_BITS];
}

const char *mode_name(__u32 mode)
{
	static const char *const names[] = { "none", "r", "w", "rw" };

	return names[mode & 3];
}

/* Most files are opened to read (1), write (2) or both (3) */
int check_file_mode(struct img *im, const struct ckpt_rec_file *f)
{
	if (f->mode < 1 || f->mode > 3)
		return bad(im, "mode %u is not read (1), write (2) or both (3)", f->mode);
	return 0;
}

static int dir_check(struct img *im, const struct ckpt_rec_file *f)
{
	if (check_file_mode(im, f))
		return -1;
	if (f->size)
		return bad(im, "a directory's size is 0, not %llu", (__u64)f->size);
	return 0;
}

/*
 * The file of an eventfd, signalfd, timerfd, epoll set, inotify instance
 * or unix socket is the object itself, as its record made it: with the
 * object's own mode (read-write; an inotify instance read-only), at
 * offset 0, with no status flag but O_NONBLOCK (and O_LARGEFILE), as
 * ckpt_open_obj_file() and ckpt_unix_open() want
 */
static int obj_file_check(struct img *im, const struct ckpt_rec_file *f)
{
	__u32 mode = f->kind == CKPT_FILE_INOTIFY ? 1 : 3;

	if (f->mode != mode)
		return bad(im, "mode %u: a file of kind %s is %s (%u)", f->mode,
			   file_kinds[f->kind], mode == 1 ? "read-only" : "read-write", mode);
	if (f->pos || f->size)
		return bad(im, "pos %lld, size %llu: a file of kind %s has 0 for both",
			   (__s64)f->pos, (__u64)f->size, file_kinds[f->kind]);
	if (f->flags & ~OBJ_FILE_FLAGS)
		return bad(im, "flags 0%o: a file of kind %s has no status flag but O_NONBLOCK",
			   f->flags, file_kinds[f->kind]);
	return 0;
}

static int opath_check(struct img *im, const struct ckpt_rec_file *f)
{
	if (f->mode || f->pos || f->size & ~(__u64)S_IFMT)
		return bad(im, "an O_PATH file has mode 0, pos 0 and a file type as size");
	return 0;
}

/* Only fds 0-2 may be on an inherited file: see decode_fd() */
static int inherit_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
			  struct file_ent *e)
{
	if (idset_add(&im->inherit, f->objid) < 0)
		return nomem(im);
	return 0;
}

enum file_path {
	FILE_NO_PATH = 1,	/* has no path */
	FILE_BY_PATH,		/* reopened by path: one is required */
};

/*
 * What a kind of open file must have, and the checks of its own.  Every
 * hook returns 0, or -1 once bad() has said what is wrong.
 */
struct file_kind {
	enum file_path path;	/* 0: a kind this ckptinfo does not know */
	/*
	 * The ref_id names an earlier record of this type, shown as ref_key;
	 * 0: the ref_id must be 0
	 */
	__u32 ref_type;
	const char *ref_key;
	/* mode, pos and size; NULL: check_file_mode() */
	int (*check)(struct img *im, const struct ckpt_rec_file *f);
	/* against the image and the object @ref (its index) the ref_id names */
	int (*link)(struct img *im, const struct ckpt_rec_file *f, __u32 ref);
	/* once the file is accepted: @e is its entry in files[], or NULL */
	int (*commit)(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		      struct file_ent *e);
	/*
	 * Kept in files[] for the job view, which shows the descriptors on
	 * the file in the order of this key; NULL: not kept
	 */
	__u64 (*hold_key)(struct img *im, const struct file_ent *f);
	/*
	 * Checkpoint refuses a file of this kind in flight (SCM_RIGHTS) on a
	 * unix socket: a message in the image never carries one
	 */
	int not_in_flight;
};

static const struct file_kind file_kinds_ops[CKPT_FILE_MAX] = {
	[CKPT_FILE_REG] = {
		.path = FILE_BY_PATH,
	},
	[CKPT_FILE_CHR] = {
		.path = FILE_BY_PATH,
	},
	[CKPT_FILE_INHERIT] = {
		.path = FILE_NO_PATH,
		.commit = inherit_commit,
		.not_in_flight = 1,
	},
	[CKPT_FILE_PIPE] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_PIPE,
		.ref_key = "pipe_id",
		.check = pipe_file_check,
		.link = pipe_file_link,
		.commit = pipe_file_commit,
		.hold_key = pipe_hold_key,
	},
	[CKPT_FILE_FIFO] = {
		.path = FILE_BY_PATH,
		.ref_type = CKPT_REC_PIPE,
		.ref_key = "pipe_id",
		.link = pipe_file_link,
		.commit = fifo_file_commit,
		.hold_key = pipe_hold_key,
	},
	[CKPT_FILE_CTTY] = {
		.path = FILE_NO_PATH,
		.link = ctty_link,
		.hold_key = ctty_hold_key,
		.not_in_flight = 1,
	},
	[CKPT_FILE_PTY_MASTER] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_PTY,
		.ref_key = "pty_id",
		.link = pty_master_link,
		.commit = pty_master_commit,
		.hold_key = pty_master_hold_key,
		.not_in_flight = 1,
	},
	[CKPT_FILE_PTY_SLAVE] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_PTY,
		.ref_key = "pty_id",
		.hold_key = pty_slave_hold_key,
		.not_in_flight = 1,
	},
	[CKPT_FILE_DIR] = {
		.path = FILE_BY_PATH,
		.check = dir_check,
	},
	[CKPT_FILE_OPATH] = {
		.path = FILE_BY_PATH,
		.check = opath_check,
	},
	[CKPT_FILE_UNLINKED] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_UNLINKED,
		.ref_key = "unlinked_id",
	},
	[CKPT_FILE_EVENTFD] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_EVENTFD,
		.ref_key = "eventfd_id",
		.check = obj_file_check,
	},
	[CKPT_FILE_SIGNALFD] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_SIGNALFD,
		.ref_key = "signalfd_id",
		.check = obj_file_check,
	},
	[CKPT_FILE_TIMERFD] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_TIMERFD,
		.ref_key = "timerfd_id",
		.check = obj_file_check,
	},
	[CKPT_FILE_EPOLL] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_EPOLL,
		.ref_key = "epoll_id",
		.check = obj_file_check,
		.not_in_flight = 1,
	},
	[CKPT_FILE_UNIX] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_UNIX,
		.ref_key = "unix_id",
		.check = obj_file_check,
		.not_in_flight = 1,
	},
	[CKPT_FILE_INOTIFY] = {
		.path = FILE_NO_PATH,
		.ref_type = CKPT_REC_INOTIFY,
		.ref_key = "inotify_id",
		.check = obj_file_check,
	},
};

/* Sort key of the descriptors on @f, a file kept for the job view */
__u64 file_hold_key(struct img *im, const struct file_ent *f)
{
	return file_kinds_ops[f->kind].hold_key(im, f);
}

/**
 * file_not_in_flight - can a message carry a file in flight?
 * @im:		the image
 * @objid:	the objid of an earlier FILE record
 *
 * Return: NULL if it can, else the name of its kind, which checkpoint
 * refuses in flight (a socket, an epoll set, a terminal, a standard fd
 * inherited from outside the job).
 */
const char *file_not_in_flight(struct img *im, __u32 objid)
{
	__u32 kind;

	if (!idset_get(&im->file_kinds, objid, &kind) || kind >= CKPT_FILE_MAX)
		return NULL;
	return file_kinds_ops[kind].not_in_flight ? file_kinds[kind] : NULL;
}

int decode_file(struct img *im)
{
	struct ckpt_rec_file *f = (void *)im->buf;
	const struct file_kind *k;
	struct file_ent *e = NULL;
	__u32 ref = 0, fidx = 0;

	if (check_min(im, sizeof(*f)))
		return -1;
	if (f->path_len > CKPT_MAX_PATH)
		return bad(im, "path_len %u exceeds CKPT_MAX_PATH (%d)", f->path_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*f) + (__u64)f->path_len, "path_len"))
		return -1;
	if (f->kind >= CKPT_FILE_MAX || !file_kinds_ops[f->kind].path)
		return bad(im, "unknown file kind %u", f->kind);
	k = &file_kinds_ops[f->kind];
	if (k->path == FILE_NO_PATH && f->path_len)
		return bad(im, "%s file with a path", file_kinds[f->kind]);
	if (k->path == FILE_BY_PATH && check_str(im, "path", f->path, f->path_len, 0))
		return -1;
	if (k->check ? k->check(im, f) : check_file_mode(im, f))
		return -1;
	if (k->ref_type) {
		if (!idset_get(&im->objidx[k->ref_type], f->ref_id, &ref))
			return bad(im, "%s %u: no earlier %s record has that objid", k->ref_key,
				   f->ref_id, rec_name(k->ref_type));
	} else if (f->ref_id) {
		return bad(im, "ref_id %u in a file of kind %s, which names no object",
			   f->ref_id, file_kinds[f->kind]);
	}
	if (k->link && k->link(im, f, ref))
		return -1;
	if (f->pos < 0)
		return bad(im, "negative file offset %lld", (__s64)f->pos);
	if (claim_objid(im, f->objid))
		return -1;
	if (++im->nr_files > CKPT_MAX_FILES)
		return bad(im, "more than CKPT_MAX_FILES (%d) FILE records", CKPT_MAX_FILES);
	if (k->hold_key) {
		if (grow((void **)&im->files, im->nr_file_ents, &im->files_size,
			 sizeof(*im->files)))
			return nomem(im);
		e = &im->files[im->nr_file_ents++];
		e->objid = f->objid;
		e->kind = f->kind;
		e->mode = f->mode;
		e->ref_id = f->ref_id;
		e->path = NULL;
		fidx = (__u32)im->nr_file_ents;
	}
	if (k->commit && k->commit(im, f, ref, e))
		return -1;
	if (idset_put(&im->objidx[CKPT_REC_FILE], f->objid, fidx) < 0 ||
	    idset_put(&im->file_kinds, f->objid, f->kind) < 0)
		return nomem(im);
	if (lock_note_file(im, f))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", f->objid);
	fword(im, "kind", file_kinds[f->kind]);
	if (f->path_len)
		fstr(im, "path", f->path, f->path_len - 1);
	if (k->ref_type)
		fu(im, k->ref_key, f->ref_id);
	fword(im, "mode", mode_name(f->mode));
	fflags(im, "flags", f->flags, open_flags);
	fs(im, "pos", f->pos);
	fu(im, "size", f->size);
	rec_end(im);
	return 0;
}

int decode_fd(struct img *im)
{
	struct ckpt_rec_fd *d = (void *)im->buf;
	struct hold_ent *h;
	__u32 fidx;

	if (check_len(im, sizeof(*d), "the FD record"))
		return -1;
	if (d->fd >= CKPT_MAX_FILES)
		return bad(im, "fd %u is not below CKPT_MAX_FILES (%d)", d->fd,
			   CKPT_MAX_FILES);
	if (im->fdmap[d->fd / 8] & (1 << (d->fd % 8)))
		return bad(im, "fd %u appears twice", d->fd);
	if (!idset_get(&im->objidx[CKPT_REC_FILE], d->objid, &fidx))
		return bad(im, "fd %u refers to objid %u, which no earlier FILE record has",
			   d->fd, d->objid);
	if (d->cloexec > 1)
		return bad(im, "cloexec is %u, not 0 or 1", d->cloexec);
	if (d->fd > 2 && idset_has(&im->inherit, d->objid))
		return bad(im, "fd %u refers to an inherited file: only fds 0-2 can be", d->fd);
	if (check_reserved(im, &d->reserved, sizeof(d->reserved)))
		return -1;
	if (lock_note_fd(im, d))
		return -1;
	if (fidx) {
		if (grow((void **)&im->holds, im->nr_holds, &im->holds_size, sizeof(*im->holds)))
			return nomem(im);
		h = &im->holds[im->nr_holds++];
		h->task = im->tasks_done;
		h->fd = d->fd;
		h->file = fidx - 1;
		h->key = 0;
	}
	im->fdmap[d->fd / 8] |= 1 << (d->fd % 8);
	im->nr_fds++;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "fd", d->fd);
	fu(im, "objid", d->objid);
	fbool(im, "cloexec", d->cloexec);
	rec_end(im);
	return 0;
}
