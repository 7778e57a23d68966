// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: inotify instances.  The INOTIFY record (an instance, each of
 * its watches with its descriptor, mask and the path of what it watches,
 * and the events queued on it as read(2) returns them), which comes
 * among the files of a process before the FILE record of kind inotify
 * that names it.  Its checks are those of ckpt_inotify_read() and of
 * inotify_ckpt_add_watch() and inotify_ckpt_queue(), in their order.
 */
#include <stdint.h>
#include <string.h>

#include "ckptinfo.h"

/* <linux/inotify.h> */
#define IN_ALL_EVENTS_BITS	0x00000fff
#define IN_UNMOUNT_BIT		0x00002000
#define IN_Q_OVERFLOW_BIT	0x00004000
#define IN_IGNORED_BIT		0x00008000
#define IN_EXCL_UNLINK_BIT	0x04000000
#define IN_ISDIR_BIT		0x40000000
#define IN_ONESHOT_BIT		0x80000000

/* What inotify_ckpt_add_watch() takes, and inotify_ckpt_queue() */
#define WATCH_MASK	(IN_ALL_EVENTS_BITS | IN_EXCL_UNLINK_BIT | IN_ONESHOT_BIT)
#define EVENT_MASK	(IN_ALL_EVENTS_BITS | IN_ISDIR_BIT | IN_UNMOUNT_BIT | IN_IGNORED_BIT | \
			 IN_Q_OVERFLOW_BIT)

#define ALIGN8(x)	(((__u64)(x) + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1))

/* struct inotify_event, without its name */
struct in_event {
	__s32 wd;
	__u32 mask, cookie, len;
};

static const struct flag_name in_flags[] = {
	{ 0x00000001, "IN_ACCESS" },
	{ 0x00000002, "IN_MODIFY" },
	{ 0x00000004, "IN_ATTRIB" },
	{ 0x00000008, "IN_CLOSE_WRITE" },
	{ 0x00000010, "IN_CLOSE_NOWRITE" },
	{ 0x00000020, "IN_OPEN" },
	{ 0x00000040, "IN_MOVED_FROM" },
	{ 0x00000080, "IN_MOVED_TO" },
	{ 0x00000100, "IN_CREATE" },
	{ 0x00000200, "IN_DELETE" },
	{ 0x00000400, "IN_DELETE_SELF" },
	{ 0x00000800, "IN_MOVE_SELF" },
	{ IN_UNMOUNT_BIT, "IN_UNMOUNT" },
	{ IN_Q_OVERFLOW_BIT, "IN_Q_OVERFLOW" },
	{ IN_IGNORED_BIT, "IN_IGNORED" },
	{ 0x01000000, "IN_ONLYDIR" },
	{ 0x02000000, "IN_DONT_FOLLOW" },
	{ IN_EXCL_UNLINK_BIT, "IN_EXCL_UNLINK" },
	{ 0x10000000, "IN_MASK_CREATE" },
	{ 0x20000000, "IN_MASK_ADD" },
	{ IN_ISDIR_BIT, "IN_ISDIR" },
	{ IN_ONESHOT_BIT, "IN_ONESHOT" },
	{ 0, NULL }
};

/* The fixed part, as ckpt_inotify_read() checks it */
static int check_fixed(struct img *im, const struct ckpt_rec_inotify *r)
{
	__u64 rest = im->rec_len - sizeof(*r);

	if (r->nr_watches > CKPT_MAX_INOTIFY_WATCHES)
		return bad(im, "nr_watches %u exceeds CKPT_MAX_INOTIFY_WATCHES (%d)", r->nr_watches,
			   CKPT_MAX_INOTIFY_WATCHES);
	if (r->next_wd > INT32_MAX)
		return bad(im, "next_wd %u is above INT_MAX", r->next_wd);
	if (r->events_len > rest)
		return bad(im, "events_len %u is more than the %llu bytes after the fixed part",
			   r->events_len, rest);
	if (r->events_len % sizeof(struct in_event))
		return bad(im, "events_len %u is not a multiple of %zu (struct inotify_event)",
			   r->events_len, sizeof(struct in_event));
	return 0;
}

/* Watch @i (from 1), at @p, of the watches that end at @end */
static int check_watch(struct img *im, const struct ckpt_inotify_watch *w, __u32 i, __s32 prev,
		       const __u8 *end)
{
	__u64 room = (__u64)(end - (const __u8 *)w);

	if (room < sizeof(*w))
		return bad(im, "watch %u: its %zu bytes run past the watches (%llu bytes left)", i,
			   sizeof(*w), room);
	if (w->reserved)
		return bad(im, "watch %u: reserved field is not zero", i);
	if (w->wd <= 0)
		return bad(im, "watch %u: wd %d is not positive", i, w->wd);
	if (w->wd <= prev)
		return bad(im, "watch %u: wd %d is not above the wd before it (%d)", i, w->wd,
			   prev);
	if (w->path_len < 2 || w->path_len > CKPT_MAX_PATH)
		return bad(im, "watch %u: path_len %u is not in 2..%d", i, w->path_len,
			   CKPT_MAX_PATH);
	if (ALIGN8(w->path_len) > room - sizeof(*w))
		return bad(im, "watch %u: its path of %u bytes (padded to 8) runs past the watches",
			   i, w->path_len);
	if (w->path[0] != '/')
		return bad(im, "watch %u: path is not absolute", i);
	if (w->path[w->path_len - 1])
		return bad(im, "watch %u: path of %u bytes is not NUL-terminated", i, w->path_len);
	if (strlen(w->path) != w->path_len - 1)
		return bad(im, "watch %u: path: NUL byte at %zu inside a path of %u bytes", i,
			   strlen(w->path), w->path_len);
	if (!(w->mask & IN_ALL_EVENTS_BITS))
		return bad(im, "watch %u: mask 0x%x has no event (IN_ALL_EVENTS)", i, w->mask);
	if (w->mask & ~WATCH_MASK)
		return bad(im,
			   "watch %u: mask 0x%x has bits other than events, IN_EXCL_UNLINK and IN_ONESHOT (0x%x)",
			   i, w->mask, w->mask & ~WATCH_MASK);
	return 0;
}

/*
 * The watches, from @start; @end is where the events start.  The same
 * path watched twice is the same inode, which restart cannot watch twice.
 */
static int check_watches(struct img *im, const struct ckpt_rec_inotify *r, const __u8 *start,
			 const __u8 *end)
{
	const __u8 *p = start, *q;
	const struct ckpt_inotify_watch *w, *o;
	__s32 prev = 0;
	__u32 i, j;

	for (i = 0; i < r->nr_watches; i++) {
		w = (const void *)p;
		if (check_watch(im, w, i + 1, prev, end))
			return -1;
		for (q = start, j = 0; j < i; j++) {
			o = (const void *)q;
			if (o->path_len == w->path_len && !memcmp(o->path, w->path, w->path_len))
				return bad(im, "watch %u: path is watched by watch %u already",
					   i + 1, j + 1);
			q += sizeof(*o) + ALIGN8(o->path_len);
		}
		prev = w->wd;
		p += sizeof(*w) + ALIGN8(w->path_len);
	}
	if (p != end)
		return bad(im,
			   "length %u: %zu bytes after the %u watches, before the %u bytes of events",
			   im->rec_len, (size_t)(end - p), r->nr_watches, r->events_len);
	return 0;
}

/* The events, from @p to the end of the record; their number in *@nr */
static int check_events(struct img *im, const __u8 *p, __u32 *nr)
{
	const __u8 *end = im->buf + im->rec_len;
	struct in_event ev;
	__u32 i;

	for (i = 1; p < end; i++) {
		if ((size_t)(end - p) < sizeof(ev))
			return bad(im, "event %u: its header runs past the record", i);
		memcpy(&ev, p, sizeof(ev));
		p += sizeof(ev);
		if (ev.len > (size_t)(end - p))
			return bad(im, "event %u: len %u runs past the record (%zu bytes left)", i,
				   ev.len, (size_t)(end - p));
		if (ev.mask & ~EVENT_MASK)
			return bad(im, "event %u: unknown mask bits 0x%x", i,
				   ev.mask & ~EVENT_MASK);
		if (ev.len % sizeof(ev))
			return bad(im, "event %u: len %u is not a multiple of %zu", i, ev.len,
				   sizeof(ev));
		if (ev.len && !memchr(p, 0, ev.len))
			return bad(im, "event %u: name: no NUL in its %u bytes", i, ev.len);
		if ((ev.mask & IN_Q_OVERFLOW_BIT) &&
		    (ev.mask != IN_Q_OVERFLOW_BIT || ev.wd != -1 || ev.len))
			return bad(im,
				   "event %u: IN_Q_OVERFLOW with wd %d, len %u and mask 0x%x: the overflow event has wd -1, len 0 and no other bit",
				   i, ev.wd, ev.len, ev.mask);
		p += ev.len;
	}
	*nr = i - 1;
	return 0;
}

static void print_inotify(struct img *im, const struct ckpt_rec_inotify *r, __u32 nr_events)
{
	const __u8 *p = (const __u8 *)(r + 1), *end = im->buf + im->rec_len;
	const struct ckpt_inotify_watch *w;
	struct in_event ev;
	__u32 i;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", r->objid);
	fu(im, "nr_watches", r->nr_watches);
	fu(im, "next_wd", r->next_wd);
	fu(im, "events_len", r->events_len);
	fu(im, "nr_events", nr_events);
	list_begin(im, "watches");
	for (i = 0; i < r->nr_watches; i++) {
		w = (const void *)p;
		sub_begin(im, "watch:");
		fs(im, "wd", w->wd);
		fflags(im, "mask", w->mask, in_flags);
		fstr(im, "path", w->path, w->path_len - 1);
		sub_end(im);
		p += sizeof(*w) + ALIGN8(w->path_len);
	}
	list_end(im);
	list_begin(im, "events");
	p = end - r->events_len;
	while (p < end) {
		memcpy(&ev, p, sizeof(ev));
		p += sizeof(ev);
		sub_begin(im, "event:");
		fs(im, "wd", ev.wd);
		fflags(im, "mask", ev.mask, in_flags);
		fu(im, "cookie", ev.cookie);
		fu(im, "len", ev.len);
		if (ev.len)
			fstr(im, "name", (const char *)p, strnlen((const char *)p, ev.len));
		sub_end(im);
		p += ev.len;
	}
	list_end(im);
	rec_end(im);
}

int decode_inotify(struct img *im)
{
	const struct ckpt_rec_inotify *r = (void *)im->buf;
	const __u8 *events;
	__u32 nr_events = 0;

	if (check_min(im, sizeof(*r)))
		return -1;
	if (r->objid == 0)
		return claim_objid(im, r->objid);
	if (check_fixed(im, r) || claim_objid(im, r->objid))
		return -1;
	if (idset_add(&im->objidx[CKPT_REC_INOTIFY], r->objid) < 0)
		return nomem(im);
	events = im->buf + im->rec_len - r->events_len;
	if (check_watches(im, r, (const __u8 *)(r + 1), events) ||
	    check_events(im, events, &nr_events))
		return -1;
	print_inotify(im, r, nr_events);
	return 0;
}
