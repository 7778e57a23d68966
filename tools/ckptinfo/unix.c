// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: unix-domain sockets.  The UNIX record (a socket, its name,
 * the socket file it is bound to, its state and options, and the
 * messages queued for it to read), which comes among the files of a
 * process before the FILE record of kind unix that names it.
 *
 * A record names its peer, and each message its sender, by objid; these
 * may come later in the image (a socketpair whose other end another
 * process holds), so restart links the sockets once every one is back:
 * unix_check_links(), at the trailer, makes its checks.  A message names
 * the files in flight with it (SCM_RIGHTS) by the objids of their FILE
 * records, which come earlier in the image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

#define SOCK_STREAM_NR		1
#define SOCK_DGRAM_NR		2
#define SOCK_SEQPACKET_NR	5
#define AF_UNIX_NR		1
#define SHUTDOWN_MASK		3	/* RCV_SHUTDOWN | SEND_SHUTDOWN */
#define MAX_ERRNO		4095
#define SUN_FAMILY_LEN		2	/* offsetof(struct sockaddr_un, sun_path) */
#define SUN_PATH_LEN		108	/* sizeof(sun_path) */
#define UNIX_NAME_MIN		(SUN_FAMILY_LEN + 1)
#define UNIX_NAME_MAX		(SUN_FAMILY_LEN + SUN_PATH_LEN)

#define ALIGN8(x)		(((__u64)(x) + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1))

static const char *const unix_states[] = {
	[CKPT_UNIX_UNCONNECTED] = "unconnected",
	[CKPT_UNIX_LISTEN] = "listen",
	[CKPT_UNIX_CONNECTED] = "connected",
	[CKPT_UNIX_PEER_CLOSED] = "peer-closed",
};

static const struct flag_name unix_flags[] = {
	{ CKPT_UNIX_PASSCRED, "passcred" },
	{ CKPT_UNIX_PASSPIDFD, "passpidfd" },
	{ CKPT_UNIX_PASSSEC, "passsec" },
	{ CKPT_UNIX_SNDBUF_LOCK, "sndbuf-lock" },
	{ CKPT_UNIX_RCVBUF_LOCK, "rcvbuf-lock" },
	{ CKPT_UNIX_PEERCRED, "peercred" },
	{ CKPT_UNIX_BOUND, "bound" },
	{ CKPT_UNIX_KEEPALIVE, "keepalive" },
	{ CKPT_UNIX_TIMESTAMP, "timestamp" },
	{ CKPT_UNIX_TIMESTAMPNS, "timestampns" },
	{ CKPT_UNIX_TSTAMP_NEW, "tstamp-new" },
	{ CKPT_UNIX_RXQ_OVFL, "rxq-ovfl" },
	{ 0, NULL }
};

static const struct flag_name shutdown_flags[] = {
	{ 1, "RCV_SHUTDOWN" },
	{ 2, "SEND_SHUTDOWN" },
	{ 0, NULL }
};

static const char *type_name(__u32 type)
{
	switch (type) {
	case SOCK_STREAM_NR:
		return "stream";
	case SOCK_DGRAM_NR:
		return "dgram";
	case SOCK_SEQPACKET_NR:
		return "seqpacket";
	}
	return "?";
}

/* Where the parts that follow the fixed part are, once checked */
struct unix_parts {
	const __u8 *name, *peer_name;	/* NULL: none */
	const char *path;		/* NULL: none */
	const __u8 *msgs;		/* the first message */
};

/* Padding after @len bytes at @p, to the next multiple of 8, must be zero */
static int check_pad(struct img *im, const __u8 *p, __u64 len, const char *what)
{
	__u64 i;

	for (i = len; i < ALIGN8(len); i++)
		if (p[i])
			return bad(im, "padding after %s is not zero", what);
	return 0;
}

/* A name as getsockname(2) gives it: the family, then at least a byte */
static int check_name_len(struct img *im, const char *key, __u32 len)
{
	if (len && (len < UNIX_NAME_MIN || len > UNIX_NAME_MAX))
		return bad(im, "%s %u: 0, or %d to %d (sizeof(struct sockaddr_un))", key, len,
			   UNIX_NAME_MIN, UNIX_NAME_MAX);
	return 0;
}

static int check_name(struct img *im, const char *what, const __u8 *name, __u32 len)
{
	__u16 family;

	memcpy(&family, name, sizeof(family));
	if (family != AF_UNIX_NR)
		return bad(im, "%s: family %u is not AF_UNIX (1)", what, family);
	return check_pad(im, name, len, what);
}

/* The fields of the fixed part, as restart checks them before the rest */
static int check_fixed(struct img *im, const struct ckpt_rec_unix *u)
{
	if (u->type != SOCK_STREAM_NR && u->type != SOCK_DGRAM_NR &&
	    u->type != SOCK_SEQPACKET_NR)
		return bad(im, "type %u: not SOCK_STREAM (1), SOCK_DGRAM (2) or SOCK_SEQPACKET (5)",
			   u->type);
	if (u->state < CKPT_UNIX_UNCONNECTED || u->state > CKPT_UNIX_PEER_CLOSED)
		return bad(im, "unknown state %u", u->state);
	if (u->state == CKPT_UNIX_CONNECTED && !u->peer_id)
		return bad(im, "state connected, but peer_id 0");
	if (u->state != CKPT_UNIX_CONNECTED && u->peer_id)
		return bad(im, "peer_id %u in state %s: only a connected socket has one",
			   u->peer_id, unix_states[u->state]);
	if (u->peer_id && u->peer_id == u->objid)
		return bad(im, "peer_id %u is the socket itself", u->peer_id);
	if (u->state == CKPT_UNIX_LISTEN && u->type == SOCK_DGRAM_NR)
		return bad(im, "state listen: a dgram socket does not listen");
	if (u->state == CKPT_UNIX_LISTEN && !u->addr_len)
		return bad(im, "state listen, but addr_len 0: a listening socket has a name");
	if (u->state == CKPT_UNIX_LISTEN && u->nr_msgs)
		return bad(im, "state listen, but nr_msgs %u: a listening socket has no messages",
			   u->nr_msgs);
	if (u->shutdown & ~SHUTDOWN_MASK)
		return bad(im, "shutdown %u: not within RCV_SHUTDOWN | SEND_SHUTDOWN (3)",
			   u->shutdown);
	if (u->flags & ~CKPT_UNIX_FLAGS_ALL)
		return bad(im, "unknown flags 0x%x", u->flags & ~CKPT_UNIX_FLAGS_ALL);
	if ((u->flags & CKPT_UNIX_BOUND) && !u->addr_len)
		return bad(im, "flag bound, but addr_len 0: a bound socket has a name");
	if (u->err > MAX_ERRNO)
		return bad(im, "err %u is not an errno (at most %d)", u->err, MAX_ERRNO);
	if (u->peek_off < -1)
		return bad(im, "peek_off %d is below -1 (off)", u->peek_off);
	if (u->nr_msgs > CKPT_MAX_UNIX_MSGS)
		return bad(im, "nr_msgs %u exceeds CKPT_MAX_UNIX_MSGS (%d)", u->nr_msgs,
			   CKPT_MAX_UNIX_MSGS);
	if (u->sndbuf > INT32_MAX || u->rcvbuf > INT32_MAX || u->rcvlowat > INT32_MAX ||
	    u->backlog > INT32_MAX)
		return bad(im, "sndbuf, rcvbuf, rcvlowat or backlog above INT_MAX");
	if (check_name_len(im, "addr_len", u->addr_len))
		return -1;
	if (u->peer_addr_len && u->state != CKPT_UNIX_PEER_CLOSED)
		return bad(im, "peer_addr_len %u in state %s: only a peer-closed socket has one",
			   u->peer_addr_len, unix_states[u->state]);
	if (check_name_len(im, "peer_addr_len", u->peer_addr_len))
		return -1;
	if (u->path_len && (u->path_len < 2 || u->path_len > SUN_PATH_LEN))
		return bad(im, "path_len %u: 0, or 2 to %d (sizeof(sun_path))", u->path_len,
			   SUN_PATH_LEN);
	if (u->path_len && !u->addr_len)
		return bad(im, "path_len %u, but addr_len 0: a socket file needs a name",
			   u->path_len);
	if (u->path_len && !(u->flags & CKPT_UNIX_BOUND))
		return bad(im, "path_len %u without flag bound: only a bound socket has a file",
			   u->path_len);
	return 0;
}

/*
 * The names and the path: within the record, and as restart takes them;
 * @pt says where they are, and where the messages start.
 */
static int check_names(struct img *im, const struct ckpt_rec_unix *u, struct unix_parts *pt)
{
	const __u8 *p = (const __u8 *)(u + 1);
	__u64 need = sizeof(*u) + ALIGN8(u->addr_len) + ALIGN8(u->peer_addr_len) +
		     ALIGN8(u->path_len);

	if (need > im->rec_len)
		return bad(im, "length %u is below the %llu of its fixed part, names and path",
			   im->rec_len, need);
	if (u->addr_len) {
		if (check_name(im, "the name", p, u->addr_len))
			return -1;
		pt->name = p;
		p += ALIGN8(u->addr_len);
	}
	if (u->peer_addr_len) {
		if (check_name(im, "the peer's name", p, u->peer_addr_len))
			return -1;
		pt->peer_name = p;
		p += ALIGN8(u->peer_addr_len);
	}
	if (u->path_len) {
		pt->path = (const char *)p;
		if (check_str(im, "path", pt->path, u->path_len, 0))
			return -1;
		if (pt->path[0] != '/')
			return bad(im, "path: not an absolute path");
		if (!pt->name[SUN_FAMILY_LEN])
			return bad(im, "path: an abstract name has no socket file");
		if (check_pad(im, p, u->path_len, "the path"))
			return -1;
		p += ALIGN8(u->path_len);
	}
	pt->msgs = p;
	return 0;
}

/* Bytes of a message's file ids, before their padding */
#define FDS_LEN(m)		((__u64)(m)->nr_fds * sizeof(__u32))

/* Bytes a message takes in the record: its header, bytes and file ids */
static __u64 msg_span(const struct ckpt_unix_msg *m)
{
	return sizeof(*m) + ALIGN8(m->len) + ALIGN8(FDS_LEN(m));
}

/*
 * A message's files in flight (SCM_RIGHTS), the @m->nr_fds ids at @p:
 * each the objid of a FILE record earlier in the image, of a kind that
 * checkpoint saves in flight.  Restart sends them again with the message.
 */
static int check_msg_fds(struct img *im, __u32 n, const struct ckpt_unix_msg *m, const __u8 *p)
{
	const char *kind;
	__u32 i, id;

	for (i = 0; i < m->nr_fds; i++) {
		memcpy(&id, p + i * sizeof(id), sizeof(id));
		if (!idset_has(&im->objidx[CKPT_REC_FILE], id))
			return bad(im, "message %u: file id %u names no earlier FILE record", n,
				   id);
		kind = file_not_in_flight(im, id);
		if (kind)
			return bad(im,
				   "message %u: file id %u is a file of kind %s, which cannot be in flight",
				   n, id, kind);
	}
	return check_pad(im, p, FDS_LEN(m), "a message's file ids");
}

/* The messages: each within the record, and together its rest exactly */
static int check_msgs(struct img *im, const struct ckpt_rec_unix *u, const struct unix_parts *pt)
{
	const __u8 *p = pt->msgs, *end = im->buf + im->rec_len;
	struct ckpt_unix_msg m;
	__u64 total = 0;
	__u32 i;

	for (i = 0; i < u->nr_msgs; i++) {
		if ((size_t)(end - p) < sizeof(m))
			return bad(im, "length %u ends before message %u of %u", im->rec_len,
				   i + 1, u->nr_msgs);
		memcpy(&m, p, sizeof(m));
		p += sizeof(m);
		if (m.nr_fds > CKPT_MAX_UNIX_FDS)
			return bad(im, "message %u: nr_fds %u exceeds CKPT_MAX_UNIX_FDS (%d)",
				   i + 1, m.nr_fds, CKPT_MAX_UNIX_FDS);
		if (!m.len && u->type == SOCK_STREAM_NR)
			return bad(im, "message %u: empty, and a stream socket's messages are not",
				   i + 1);
		if (m.len > (size_t)(end - p))
			return bad(im, "message %u: its %u bytes run past the record's %u",
				   i + 1, m.len, im->rec_len);
		if (ALIGN8(m.len) > (size_t)(end - p))
			return bad(im, "message %u: its padding runs past the record",
				   i + 1);
		if (check_pad(im, p, m.len, "a message's bytes"))
			return -1;
		total += m.len;
		p += ALIGN8(m.len);
		if (ALIGN8(FDS_LEN(&m)) > (size_t)(end - p))
			return bad(im, "message %u: its %u file ids run past the record's %u",
				   i + 1, m.nr_fds, im->rec_len);
		if (check_msg_fds(im, i + 1, &m, p))
			return -1;
		p += ALIGN8(FDS_LEN(&m));
	}
	if (p != end)
		return bad(im, "length %u does not match its names, path and %u messages (%llu)",
			   im->rec_len, u->nr_msgs, (__u64)(p - im->buf));
	if (total != u->data_len)
		return bad(im, "data_len %llu is not the %llu bytes of the messages",
			   (__u64)u->data_len, total);
	return 0;
}

/* A name as ss(8) shows it: an abstract one with '@' for its leading NUL */
static void print_name(struct img *im, const char *key, const __u8 *name, __u32 len)
{
	const char *s = (const char *)name + SUN_FAMILY_LEN;
	size_t n = len - SUN_FAMILY_LEN;
	char buf[UNIX_NAME_MAX + 1];

	if (s[0]) {
		fstr(im, key, s, strnlen(s, n));
		return;
	}
	buf[0] = '@';
	memcpy(buf + 1, s + 1, n - 1);
	fstr(im, key, buf, n);
}

static void print_unix(struct img *im, const struct ckpt_rec_unix *u, const struct unix_parts *pt)
{
	__u32 fds[CKPT_MAX_UNIX_FDS];
	const __u8 *p = pt->msgs;
	struct ckpt_unix_msg m;
	__u32 i;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", u->objid);
	/* "type" is the record type's key */
	fword(im, "sock_type", type_name(u->type));
	fword(im, "state", unix_states[u->state]);
	if (u->peer_id)
		fu(im, "peer_id", u->peer_id);
	if (pt->name)
		print_name(im, "name", pt->name, u->addr_len);
	if (pt->path)
		fstr(im, "path", pt->path, u->path_len - 1);
	if (pt->peer_name)
		print_name(im, "peer_name", pt->peer_name, u->peer_addr_len);
	fflags(im, "flags", u->flags, unix_flags);
	fflags(im, "shutdown", u->shutdown, shutdown_flags);
	if (u->err)
		fu(im, "err", u->err);
	if (u->state == CKPT_UNIX_LISTEN)
		fu(im, "backlog", u->backlog);
	fu(im, "sndbuf", u->sndbuf);
	fu(im, "rcvbuf", u->rcvbuf);
	fu(im, "rcvlowat", u->rcvlowat);
	if (u->peek_off != -1)
		fs(im, "peek_off", u->peek_off);
	if (u->priority)
		fu(im, "priority", u->priority);
	if (u->sndtimeo_ns != CKPT_UNIX_NO_TIMEOUT)
		fns(im, "sndtimeo", u->sndtimeo_ns);
	if (u->rcvtimeo_ns != CKPT_UNIX_NO_TIMEOUT)
		fns(im, "rcvtimeo", u->rcvtimeo_ns);
	if (u->flags & CKPT_UNIX_PEERCRED) {
		fu(im, "peer_pid", u->peer_pid);
		fid(im, "peer_uid", u->peer_uid);
		fid(im, "peer_gid", u->peer_gid);
	}
	fu(im, "nr_msgs", u->nr_msgs);
	fu(im, "data_len", u->data_len);
	list_begin(im, "msgs");
	for (i = 0; i < u->nr_msgs; i++) {
		memcpy(&m, p, sizeof(m));
		sub_begin(im, "msg:");
		fu(im, "len", m.len);
		fu(im, "sender_id", m.sender_id);
		fu(im, "pid", m.pid);
		fid(im, "uid", m.uid);
		fid(im, "gid", m.gid);
		if (m.nr_fds) {
			memcpy(fds, p + sizeof(m) + ALIGN8(m.len), FDS_LEN(&m));
			fulist(im, "fds", fds, m.nr_fds);
		}
		if (m.len)
			fstr(im, "data", (const char *)p + sizeof(m),
			     m.len < PIPE_DATA_SHOWN ? m.len : PIPE_DATA_SHOWN);
		sub_end(im);
		p += msg_span(&m);
	}
	list_end(im);
	rec_end(im);
}

/* Keep what the checks at the end of the image need */
static int keep_unix(struct img *im, const struct ckpt_rec_unix *u, const struct unix_parts *pt)
{
	const __u8 *p = pt->msgs;
	struct ckpt_unix_msg m;
	struct unix_ent *e;
	__u32 i;

	e = new_entry((void **)&im->unixes, &im->nr_unix_ents, &im->unixes_size,
		      sizeof(*im->unixes), &im->objidx[CKPT_REC_UNIX], u->objid);
	if (!e)
		return nomem(im);
	e->off = im->rec_off;
	e->objid = u->objid;
	e->peer_id = u->peer_id;
	e->flags = u->flags;
	e->type = u->type;
	e->state = u->state;
	/* restart sends to its socket file, or to its abstract name */
	e->by_name = pt->name && (u->flags & CKPT_UNIX_BOUND) &&
		     (pt->path || !pt->name[SUN_FAMILY_LEN]);
	e->first_sender = im->nr_unix_senders;
	e->nr_msgs = u->nr_msgs;
	for (i = 0; i < u->nr_msgs; i++) {
		memcpy(&m, p, sizeof(m));
		p += msg_span(&m);
		if (grow((void **)&im->unix_senders, im->nr_unix_senders,
			 &im->unix_senders_size, sizeof(*im->unix_senders)))
			return nomem(im);
		im->unix_senders[im->nr_unix_senders++] = m.sender_id;
	}
	return 0;
}

int decode_unix(struct img *im)
{
	struct ckpt_rec_unix *u = (void *)im->buf;
	struct unix_parts pt = { NULL };

	if (check_min(im, sizeof(*u)))
		return -1;
	if (check_fixed(im, u) || check_names(im, u, &pt) || check_msgs(im, u, &pt))
		return -1;
	if (claim_objid(im, u->objid))
		return -1;
	if (keep_unix(im, u, &pt))
		return -1;
	print_unix(im, u, &pt);
	return 0;
}

/* ---- once every socket is in: peers and senders ---- */

/* Report a problem of the UNIX record @e, at its offset */
static void at_unix(struct img *im, const struct unix_ent *e)
{
	im->rec_off = e->off;
	im->rec_type = CKPT_REC_UNIX;
}

static const struct unix_ent *find_unix(struct img *im, __u32 objid)
{
	__u32 idx;

	if (!idset_get(&im->objidx[CKPT_REC_UNIX], objid, &idx))
		return NULL;
	return &im->unixes[idx];
}

/*
 * A connected socket's peer: a socket of the same type that names it
 * back (a pair), or, for a datagram socket, one it can reach by name.
 */
static int check_peer(struct img *im, const struct unix_ent *e)
{
	const struct unix_ent *peer;

	if (e->state != CKPT_UNIX_CONNECTED)
		return 0;
	peer = find_unix(im, e->peer_id);
	if (!peer)
		return bad(im, "peer_id %u names no UNIX record in the image", e->peer_id);
	if (peer->type != e->type)
		return bad(im, "peer %u is a %s socket, this one a %s socket", e->peer_id,
			   type_name(peer->type), type_name(e->type));
	if (peer->peer_id == e->objid)
		return 0;
	if (e->type != SOCK_DGRAM_NR)
		return bad(im, "peer %u is not connected to this %s socket (its peer_id is %u)",
			   e->peer_id, type_name(e->type), peer->peer_id);
	if (!peer->by_name)
		return bad(im, "peer %u does not name it back, and cannot be sent to by name",
			   e->peer_id);
	return 0;
}

/*
 * A message's sender: a socket of the image, or 0 for one outside the
 * job.  Restart sends it again from that socket (a stand-in for the
 * closed peer, an unnamed socket for one outside): through the sender's
 * connection if it is connected to this socket or was its closed peer,
 * else by name, which only a datagram socket bound to a socket file or
 * an abstract name can be sent to.
 */
static int check_sender(struct img *im, const struct unix_ent *e, __u32 i)
{
	__u32 id = im->unix_senders[e->first_sender + i];
	const struct unix_ent *from = NULL;
	int by_name;

	if (id) {
		from = find_unix(im, id);
		if (!from)
			return bad(im, "message %u: sender_id %u names no UNIX record in the image",
				   i + 1, id);
		by_name = from->peer_id != e->objid;
	} else {
		by_name = e->state != CKPT_UNIX_PEER_CLOSED;
	}
	if (by_name && e->type != SOCK_DGRAM_NR && !id)
		return bad(im, "message %u: sender_id 0, but this %s socket's peer is not closed",
			   i + 1, type_name(e->type));
	if (by_name && e->type != SOCK_DGRAM_NR)
		return bad(im, "message %u: sender_id %u is not this %s socket's peer", i + 1, id,
			   type_name(e->type));
	if (by_name && !e->by_name)
		return bad(im, "message %u: sender_id %u: not its peer, and not reachable by name",
			   i + 1, id);
	return 0;
}

/**
 * unix_check_links - the checks restart makes once every socket is back
 * @im: the image, at its trailer
 *
 * Every connected socket's peer, then every message's sender, in the
 * order of the image; a problem is reported at the socket's record.
 *
 * Return: 0, or -1 once bad() has said what is wrong.
 */
int unix_check_links(struct img *im)
{
	__u64 off = im->rec_off;
	__u32 type = im->rec_type;
	size_t k;
	__u32 i;

	for (k = 0; k < im->nr_unix_ents; k++) {
		at_unix(im, &im->unixes[k]);
		if (check_peer(im, &im->unixes[k]))
			return -1;
	}
	for (k = 0; k < im->nr_unix_ents; k++) {
		at_unix(im, &im->unixes[k]);
		for (i = 0; i < im->unixes[k].nr_msgs; i++)
			if (check_sender(im, &im->unixes[k], i))
				return -1;
	}
	im->rec_off = off;
	im->rec_type = type;
	return 0;
}
