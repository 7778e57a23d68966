// SPDX-License-Identifier: GPL-2.0-only
/*
 * epoll sets: every item, with the descriptor number it was added with,
 * its events and flags (EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE,
 * EPOLLWAKEUP) and its data (CKPT_REC_EPOLL).
 *
 * An item names a file and the descriptor it was added through.  The
 * set is written with the descriptors of the first process of the job
 * that holds it, and each item's descriptor must still be open there on
 * the item's file: then restart, once that process has all its
 * descriptors back, adds the items again with epoll_ctl(2)'s own code,
 * which recomputes what is ready (an eventfd with a non-zero counter is
 * reported again; an edge already reported is not remembered, so an
 * EPOLLET item whose file is ready is reported once more).  An item
 * whose descriptor was closed or reused since it was added (epoll
 * keeps watching the file) is refused, naming it.  A one-shot item
 * that fired stays disabled.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
/* after linux/fs.h and linux/uaccess.h, which it needs */
#include <linux/eventpoll.h>

#include "internal.h"

/**
 * struct ckpt_repoll - restart: an epoll set whose items are not added
 * yet
 * @node:	in ctx->repolls
 * @file:	the set (referenced by the object table)
 * @rec:	its record, items included
 */
struct ckpt_repoll {
	struct list_head node;
	struct file *file;
	struct ckpt_rec_epoll *rec;
};

/* The flags of an item, beside the events it listens for */
#define CKPT_EPOLL_FLAGS	(EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

struct ckpt_epoll_walk {
	struct ckpt_ctx *ctx;
	struct task_struct *task;
	unsigned int epfd;
	struct ckpt_epoll_item *items;
	unsigned int nr, max;
};

static bool ckpt_epoll_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	return !epoll_file_items(f, NULL, NULL);	/* is it an epoll set? */
}

/* Under the set's mutex: check one item and keep it. */
static int ckpt_epoll_item(void *arg, struct file *tfile, int fd, const struct epoll_event *ev)
{
	struct ckpt_epoll_walk *walk = arg;
	struct file *f = NULL;
	int err;

	task_lock(walk->task);
	rcu_read_lock();
	if (walk->task->files && fd >= 0)
		f = files_lookup_fd_raw(walk->task->files, fd);
	rcu_read_unlock();
	task_unlock(walk->task);
	if (f != tfile)
		return ckpt_err(walk->ctx, -EOPNOTSUPP,
				"fd %u: an epoll item on fd %d, which is closed or open on another file since it was added: not supported",
				walk->epfd, fd);
	if (walk->nr == CKPT_MAX_EPOLL_ITEMS)
		return ckpt_err(walk->ctx, -EOPNOTSUPP, "fd %u: an epoll set of more than %u items",
				walk->epfd, CKPT_MAX_EPOLL_ITEMS);
	err = ckpt_grow_array((void **)&walk->items, sizeof(*walk->items), walk->nr, &walk->max,
			      walk->nr + 1);
	if (err)
		return err;
	walk->items[walk->nr].fd = fd;
	walk->items[walk->nr].events = ev->events;
	walk->items[walk->nr].data = ev->data;
	walk->nr++;
	return 0;
}

static int ckpt_epoll_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct ckpt_epoll_walk walk = { .ctx = ctx, .task = w->task, .epfd = w->fd };
	struct ckpt_rec_epoll rec = {};
	int err;

	err = ckpt_check_held_outside(ctx, w, "epoll set");
	if (err)
		return err;
	/* Log lines are kept back while the set's mutex is held. */
	ckpt_log_hold(ctx);
	err = epoll_file_items(w->file, ckpt_epoll_item, &walk);
	ckpt_log_release(ctx);
	if (!err) {
		rec.objid = ckpt_obj_new_id(&ctx->objs);
		rec.nr_items = walk.nr;
		w->rec.kind = CKPT_FILE_EPOLL;
		w->rec.ref_id = rec.objid;
		err = ckpt_write_record_data(ctx, CKPT_REC_EPOLL, &rec, sizeof(rec), walk.items,
					     walk.nr * sizeof(*walk.items));
	}
	kvfree(walk.items);
	return err;
}

static void ckpt_repoll_release(void *ptr)
{
	struct ckpt_repoll *p = ptr;

	list_del(&p->node);
	fput(p->file);
	kvfree(p->rec);
	kfree(p);
}

static int ckpt_epoll_read(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_epoll *r;
	struct ckpt_repoll *p;
	struct file *f;
	int err;

	r = ckpt_read_record(ctx, CKPT_REC_EPOLL, sizeof(*r),
			     struct_size(r, items, CKPT_MAX_EPOLL_ITEMS));
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (!r->objid || r->nr_items > CKPT_MAX_EPOLL_ITEMS ||
	    r->h.len != struct_size(r, items, r->nr_items)) {
		err = ckpt_err(ctx, -ENOEXEC, "epoll record %u is malformed", r->objid);
		goto out;
	}
	err = -ENOMEM;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out;
	f = epoll_file_create();
	if (IS_ERR(f)) {
		kfree(p);
		err = ckpt_err(ctx, PTR_ERR(f), "cannot create an epoll set (error %ld)",
			       PTR_ERR(f));
		goto out;
	}
	p->file = f;
	p->rec = r;
	list_add_tail(&p->node, &ctx->repolls);
	err = ckpt_obj_add(&ctx->objs, p, r->objid, CKPT_REC_EPOLL, ckpt_repoll_release);
	if (err) {
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r->objid);
		/* Frees r too. */
		ckpt_repoll_release(p);
	}
	return err;
out:
	kvfree(r);
	return err;
}

static struct file *ckpt_epoll_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				    const char *unused)
{
	struct ckpt_repoll *p = ckpt_obj_lookup(&ctx->objs, r->ref_id, CKPT_REC_EPOLL);

	if (!p || r->pos || r->size || r->mode != 3 || r->flags & ~(O_NONBLOCK | O_LARGEFILE))
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC,
					"file record %u: malformed, or no epoll set %u before it",
					r->objid, r->ref_id));
	ckpt_set_status(p->file, r->flags);
	return get_file(p->file);
}

static int ckpt_match_file(const void *file, struct file *f, unsigned int fd)
{
	return f == file ? fd + 1 : 0;
}

/*
 * Once the process has its descriptors, add the items of the sets that
 * came with them, through a descriptor it has on each set.
 */
static int ckpt_epoll_settle(struct ckpt_ctx *ctx)
{
	struct ckpt_repoll *p;
	unsigned int i;
	int epfd, err;

	list_for_each_entry(p, &ctx->repolls, node) {
		if (!p->rec)
			continue;
		epfd = iterate_fd(current->files, 0, ckpt_match_file, p->file) - 1;
		if (epfd < 0)
			return ckpt_err(ctx, -ENOEXEC, "epoll set %u: no descriptor on it",
					p->rec->objid);
		for (i = 0; i < p->rec->nr_items; i++) {
			struct ckpt_epoll_item *it = &p->rec->items[i];
			struct epoll_event ev = { .events = it->events, .data = it->data };

			err = do_epoll_ctl(epfd, EPOLL_CTL_ADD, it->fd, &ev, false);
			/* A one-shot item that fired listens for nothing, not even errors. */
			if (!err && !(it->events & ~CKPT_EPOLL_FLAGS)) {
				struct file *tfile = fget_raw(it->fd);

				err = tfile ? epoll_file_disarm(p->file, tfile, it->fd) : -EBADF;
				if (tfile)
					fput(tfile);
			}
			if (err)
				return ckpt_err(ctx, err,
						"fd %d: cannot add fd %d to the epoll set (error %d)",
						epfd, it->fd, err);
		}
		kvfree(p->rec);
		p->rec = NULL;
	}
	return 0;
}

const struct ckpt_file_ops ckpt_epoll_file_ops = {
	.name		= "epoll set",
	.kinds		= BIT(CKPT_FILE_EPOLL),
	.obj_rec	= CKPT_REC_EPOLL,
	.owns		= ckpt_epoll_owns,
	.write		= ckpt_epoll_write,
	.read		= ckpt_epoll_read,
	.open		= ckpt_epoll_open,
	.settle		= ckpt_epoll_settle,
};
