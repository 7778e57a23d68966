// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: epoll sets.  The EPOLL record (a set and its items, each the
 * descriptor number it was added with), which comes among the files of a
 * process before the FILE record of kind epoll that names it.
 */
#include "ckptinfo.h"

static const struct flag_name epoll_events[] = {
	{ 0x00000001, "EPOLLIN" },
	{ 0x00000002, "EPOLLPRI" },
	{ 0x00000004, "EPOLLOUT" },
	{ 0x00000008, "EPOLLERR" },
	{ 0x00000010, "EPOLLHUP" },
	{ 0x00000020, "EPOLLNVAL" },
	{ 0x00000040, "EPOLLRDNORM" },
	{ 0x00000080, "EPOLLRDBAND" },
	{ 0x00000100, "EPOLLWRNORM" },
	{ 0x00000200, "EPOLLWRBAND" },
	{ 0x00000400, "EPOLLMSG" },
	{ 0x00002000, "EPOLLRDHUP" },
	{ 0x10000000, "EPOLLEXCLUSIVE" },
	{ 0x20000000, "EPOLLWAKEUP" },
	{ 0x40000000, "EPOLLONESHOT" },
	{ 0x80000000, "EPOLLET" },
	{ 0, NULL }
};

int decode_epoll(struct img *im)
{
	struct ckpt_rec_epoll *e = (void *)im->buf;
	const struct ckpt_epoll_item *it;
	__u32 i;

	if (check_min(im, sizeof(*e)))
		return -1;
	if (e->nr_items > CKPT_MAX_EPOLL_ITEMS)
		return bad(im, "nr_items %u exceeds CKPT_MAX_EPOLL_ITEMS (%d)", e->nr_items,
			   CKPT_MAX_EPOLL_ITEMS);
	if (check_len(im, sizeof(*e) + (__u64)e->nr_items * sizeof(*it), "nr_items"))
		return -1;
	if (claim_objid(im, e->objid))
		return -1;
	if (idset_add(&im->objidx[CKPT_REC_EPOLL], e->objid) < 0)
		return nomem(im);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", e->objid);
	fu(im, "nr_items", e->nr_items);
	list_begin(im, "items");
	for (i = 0; i < e->nr_items; i++) {
		it = &e->items[i];
		sub_begin(im, NULL);
		fs(im, "fd", it->fd);
		fflags(im, "events", it->events, epoll_events);
		fx(im, "data", it->data);
		sub_end(im);
	}
	list_end(im);
	rec_end(im);
	return 0;
}
