// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unix-domain sockets (CKPT_REC_UNIX).
 *
 * A socket is saved when the job alone holds it and, if it is connected,
 * its peer too (or its peer has been closed): its type, its state
 * (unconnected, listening, connected, peer closed), its name and the
 * socket file it is bound to, its shutdown state and pending error, the
 * options that change what it does, its peer's credentials
 * (SO_PEERCRED), and every message queued for it to read, byte for byte
 * with its boundaries, its sender and the credentials it carries.  The
 * job's sockets get ids before anything is written (the scan), so that
 * a record can name its peer and the senders of its messages, whatever
 * order the records come in.
 *
 * Restart works in three steps.  Reading a record makes the socket, binds
 * it to its name (replacing a socket file that no live socket is bound
 * to) and makes it listen.  Once every process is restored and the image
 * is read (finish), the restarter connects the sockets in pairs, as
 * socketpair(2) does, and a socket whose peer had been closed to a peer
 * of its own; then sends each queued message again, from the socket that
 * sent it, and gives it back its credentials; then closes the stand-in
 * peers and sets the shutdown state, errors and options, which would have
 * stopped the sends.
 *
 * Descriptors in flight (sent with SCM_RIGHTS, not yet received) go
 * with their message: each file is written before the socket's record,
 * as an open file with no descriptor (ckpt_write_in_flight()), and the
 * message names it by its id.  Restart puts the files on descriptors of
 * the restarter for the moment it sends the message again with
 * SCM_RIGHTS, so the kernel's own accounting of files in flight (and
 * its garbage collector) sees them as it would any other.  A socket in
 * flight is refused: its own queue could carry more, or itself.
 *
 * Refused, each with the reason: a socket or its peer also held outside
 * the job (or in flight), a connection not accepted yet, a socket in
 * flight, urgent data (MSG_OOB), a socket filter, and a datagram from a
 * named socket that is not the job's.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/pid_namespace.h>
#include <linux/security.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/scm.h>
#include <net/sock.h>

#include "internal.h"

#define CKPT_UNIX_NAME_MAX	((u32)sizeof(struct sockaddr_un))
#define CKPT_UNIX_NAME_MIN	((u32)offsetof(struct sockaddr_un, sun_path) + 1)

static_assert(CKPT_MAX_UNIX_FDS == SCM_MAX_FD);

static struct sock *ckpt_unix_sk(struct file *f)
{
	struct socket *sock = sock_from_file(f);

	return sock && sock->sk && sock->sk->sk_family == AF_UNIX ? sock->sk : NULL;
}

/**
 * ckpt_is_unix_socket - is a file a unix-domain socket?
 * @f: the file
 *
 * Return: true for an AF_UNIX socket.
 */
bool ckpt_is_unix_socket(struct file *f)
{
	return ckpt_unix_sk(f);
}

/*
 * Reference every file in flight (SCM_RIGHTS) to @sk, in queue order,
 * into a new array *@out; return their number, or a negative errno.  A
 * datagram may arrive meanwhile from outside the job: count, then take.
 */
static int ckpt_unix_grab_in_flight(struct sock *sk, struct file ***out)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	unsigned int nr, max = 0, tries, i;
	struct file **v = NULL;
	struct sk_buff *skb;

	for (tries = 0; tries < 4; tries++) {
		nr = 0;
		spin_lock(&q->lock);
		skb_queue_walk(q, skb) {
			struct scm_fp_list *fp = UNIXCB(skb).fp;

			for (i = 0; fp && i < fp->count; i++, nr++)
				if (nr < max)
					v[nr] = get_file(fp->fp[i]);
		}
		spin_unlock(&q->lock);
		if (nr <= max) {
			*out = v;
			return nr;
		}
		for (i = 0; i < max; i++)
			fput(v[i]);
		kvfree(v);
		if (nr > CKPT_MAX_UNIX_MSGS)
			return -EFBIG;
		max = nr + 16;
		v = kvmalloc_array(max, sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
	}
	for (i = 0; i < max; i++)
		fput(v[i]);
	kvfree(v);
	return -EAGAIN;
}

static void ckpt_unix_put_in_flight(struct file **v, int nr)
{
	while (nr > 0)
		fput(v[--nr]);
	kvfree(v);
}

/**
 * ckpt_unix_walk_in_flight - call a function on each file in flight to
 * a unix socket
 * @ctx:	the checkpoint context, with the job frozen
 * @sock_file:	a unix socket that a descriptor of the job is on
 * @fn:		called with each file (referenced for the call) and @arg
 * @arg:	for @fn
 *
 * A file is passed once per message that carries it.
 *
 * Return: 0, a negative errno with the reason logged, or the first
 * non-zero value @fn returned.
 */
int ckpt_unix_walk_in_flight(struct ckpt_ctx *ctx, struct file *sock_file,
			     int (*fn)(struct ckpt_ctx *, struct file *, void *), void *arg)
{
	struct file **v;
	int nr, i, err = 0;

	nr = ckpt_unix_grab_in_flight(ckpt_unix_sk(sock_file), &v);
	if (nr < 0)
		return ckpt_err(ctx, nr,
				"cannot list the descriptors in flight on a unix socket (error %d)",
				nr);
	for (i = 0; i < nr && !err; i++)
		err = fn(ctx, v[i], arg);
	ckpt_unix_put_in_flight(v, nr);
	return err;
}

/* The job's file of a live socket, or NULL. */
static struct ckpt_file_use *ckpt_unix_use(struct ckpt_ctx *ctx, struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);

	if (sock_flag(sk, SOCK_DEAD) || !sock || !sock->file)
		return NULL;
	return ckpt_find_file_use(&ctx->socks, sock->file);
}

static int ckpt_unix_file(struct ckpt_ctx *ctx, struct file *f, void *arg)
{
	return ckpt_unix_sk(f) ? ckpt_count_file_use(&ctx->socks, f) : 0;
}

/*
 * Find the job's sockets and give each an id.  A socket file with more
 * references than the job's descriptors is held outside the job too (by
 * a process, or in flight).  The job is frozen, so the counts hold; the
 * walk's own references are gone when they are taken.
 */
static int ckpt_unix_scan(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int err;

	err = ckpt_walk_files(ctx, ckpt_unix_file, NULL);
	for (i = 0; i < ctx->socks.nr && !err; i++) {
		struct ckpt_file_use *use = &ctx->socks.v[i];

		use->outside = file_count(use->file) > use->refs;
		use->id = ckpt_obj_new_id(&ctx->objs);
	}
	return err;
}

/* Is the socket's peer alive and not the job's? */
static bool ckpt_unix_peer_outside(struct ckpt_ctx *ctx, struct sock *sk)
{
	struct sock *peer = unix_peer_get(sk);
	bool outside = peer && !sock_flag(peer, SOCK_DEAD) && !ckpt_unix_use(ctx, peer);

	if (peer)
		sock_put(peer);
	return outside;
}

static void ckpt_unix_release(struct ckpt_ctx *ctx)
{
	ckpt_free_file_uses(&ctx->socks);
}

/* The job's own, or on descriptors 0-2 the restarter's standard I/O. */
static bool ckpt_unix_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	struct ckpt_file_use *use;

	if (!ckpt_unix_sk(f))
		return false;
	if (fd > 2)
		return true;
	use = ckpt_find_file_use(&ctx->socks, f);
	return use && !use->outside && !ckpt_unix_peer_outside(ctx, ckpt_unix_sk(f));
}

static bool ckpt_on_sock(struct file *f, const void *sk)
{
	struct socket *sock = sock_from_file(f);

	return sock && sock->sk == sk;
}

/* "the unix socket @/x" or "the unix socket", for log lines */
static const char *ckpt_unix_desc(struct sock *sk, char *buf, size_t len)
{
	/* Pairs with the release in bind, as unix_getname() reads it. */
	struct unix_address *addr = smp_load_acquire(&unix_sk(sk)->addr);
	int n;

	if (!addr)
		return "an unnamed unix socket";
	n = addr->len - offsetof(struct sockaddr_un, sun_path);
	if (addr->name->sun_path[0])
		snprintf(buf, len, "the unix socket %.*s", n, addr->name->sun_path);
	else
		snprintf(buf, len, "the unix socket @%.*s", n - 1, addr->name->sun_path + 1);
	return buf;
}

/*
 * Refuse a socket held outside the job, or connected to a peer that is
 * not the job's, naming the holder.
 */
static int ckpt_unix_check_outside(struct ckpt_ctx *ctx, struct ckpt_wfile *w,
				   struct ckpt_file_use *use, struct sock *peer)
{
	char desc[128];
	pid_t holder;

	if (use->outside) {
		holder = ckpt_outside_holder(ctx, ckpt_on_sock, ckpt_unix_sk(w->file));
		if (holder)
			return ckpt_err(ctx, -EBUSY,
					"fd %u: the unix socket is also held by pid %d, outside the job",
					w->fd, holder);
		return ckpt_err(ctx, -EBUSY,
				"fd %u: the unix socket is also in flight (SCM_RIGHTS), outside the job",
				w->fd);
	}
	if (!peer || sock_flag(peer, SOCK_DEAD) || ckpt_unix_use(ctx, peer))
		return 0;
	if (!READ_ONCE(peer->sk_socket))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"fd %u: the unix socket's connection to %s is not accepted yet",
				w->fd, ckpt_unix_desc(peer, desc, sizeof(desc)));
	holder = ckpt_outside_holder(ctx, ckpt_on_sock, peer);
	if (holder)
		return ckpt_err(ctx, -EBUSY,
				"fd %u: the unix socket is connected to %s, held by pid %d, outside the job",
				w->fd, ckpt_unix_desc(peer, desc, sizeof(desc)), holder);
	return ckpt_err(ctx, -EBUSY,
			"fd %u: the unix socket is connected to %s, which is in flight or outside the job",
			w->fd, ckpt_unix_desc(peer, desc, sizeof(desc)));
}

static u64 ckpt_timeo_ns(long t)
{
	return t == MAX_SCHEDULE_TIMEOUT ? CKPT_UNIX_NO_TIMEOUT : jiffies_to_nsecs(t);
}

/* Copy a name as getsockname() reports it; return its length. */
static u32 ckpt_unix_name(struct sock *sk, void *to)
{
	/* Pairs with the release in bind, as unix_getname() reads it. */
	struct unix_address *addr = smp_load_acquire(&unix_sk(sk)->addr);

	if (!addr)
		return 0;
	if (to)
		memcpy(to, addr->name, addr->len);
	return addr->len;
}

/**
 * struct ckpt_wsock - checkpoint: a socket being written
 * @ctx:	the checkpoint context
 * @w:		its file
 * @sk:		the socket
 * @peer:	its peer (referenced), or NULL
 * @rec:	its record, at the start of @buf
 * @buf:	the whole record
 * @size:	bytes in @buf
 * @msgs:	offset in @buf of its first message
 */
struct ckpt_wsock {
	struct ckpt_ctx *ctx;
	struct ckpt_wfile *w;
	struct sock *sk;
	struct sock *peer;
	struct ckpt_rec_unix *rec;
	void *buf;
	size_t size;
	size_t msgs;
};

/* Can restart send a datagram to this socket by its name? */
static bool ckpt_unix_reachable(const struct ckpt_rec_unix *rec)
{
	const struct sockaddr_un *name = (const void *)(rec + 1);

	return rec->type == SOCK_DGRAM && (rec->flags & CKPT_UNIX_BOUND) &&
	       (rec->path_len || !name->sun_path[0]);
}

/*
 * The sender of a queued message as restart will send it again: the id
 * of a socket of the job, or 0 for the closed peer's stand-in or an
 * unnamed socket not the job's; -1 if restart could not send it.
 * Called with the queue's lock held: the job is frozen, so the sockets'
 * peers hold still.
 */
static s64 ckpt_unix_sender(struct ckpt_wsock *ws, struct sock *from)
{
	struct ckpt_rec_unix *rec = ws->rec;
	struct ckpt_file_use *use;
	bool by_name;

	/* Sent by its peer, straight to it. */
	if (from == ws->peer &&
	    (sock_flag(from, SOCK_DEAD) || READ_ONCE(unix_sk(from)->peer) == ws->sk))
		return rec->peer_id;
	/* A datagram sent by name: restart sends it to the same name. */
	by_name = ckpt_unix_reachable(rec) && (!ws->peer || from == ws->peer);
	use = ckpt_unix_use(ws->ctx, from);
	if (by_name && use)
		return use->id;
	/* Unnamed: restart sends it from an unnamed socket of its own. */
	if (by_name && !use && from != ws->peer && !READ_ONCE(unix_sk(from)->addr))
		return 0;
	return -1;
}

enum ckpt_queue_refusal { CKPT_Q_OK, CKPT_Q_FDS, CKPT_Q_SENDER, CKPT_Q_BIG };

/*
 * The ids of the files in flight with a message, written before; false
 * if one is not (it arrived after they were).  @ids may be NULL.
 */
static bool ckpt_unix_fd_ids(struct ckpt_ctx *ctx, const struct scm_fp_list *fp, u32 *ids)
{
	unsigned int i;
	u32 kind, id;

	for (i = 0; fp && i < fp->count; i++) {
		id = ckpt_obj_lookup_ptr(&ctx->objs, fp->fp[i], &kind);
		if (!id || kind != CKPT_OBJ_FILE)
			return false;
		if (ids)
			ids[i] = id;
	}
	return true;
}

/*
 * Copy the messages queued on the socket into @ws->buf, if there is room
 * (@ws->size); return the room they need, or a negative errno with the
 * reason logged.
 */
static ssize_t ckpt_unix_copy_queue(struct ckpt_wsock *ws)
{
	struct sk_buff_head *q = &ws->sk->sk_receive_queue;
	size_t off = ws->msgs, need = ws->msgs;
	enum ckpt_queue_refusal why = CKPT_Q_OK;
	struct ckpt_rec_unix *rec = ws->rec;
	struct sock *bad = NULL;
	struct sk_buff *skb;
	char desc[128];
	u64 total = 0;
	u32 nr = 0;

	spin_lock(&q->lock);
	skb_queue_walk(q, skb) {
		u32 skip = rec->type == SOCK_STREAM ? UNIXCB(skb).consumed : 0;
		struct scm_fp_list *fp = UNIXCB(skb).fp;
		u32 len = skb->len - skip, nr_fds = fp ? fp->count : 0;
		struct ckpt_unix_msg *m;
		s64 sender;

		if (rec->type == SOCK_STREAM && !len)
			continue;
		if (!ckpt_unix_fd_ids(ws->ctx, fp, NULL)) {
			why = CKPT_Q_FDS;
			break;
		}
		sender = ckpt_unix_sender(ws, skb->sk);
		if (sender < 0) {
			why = CKPT_Q_SENDER;
			bad = skb->sk;
			sock_hold(bad);
			break;
		}
		need += sizeof(*m) + ALIGN(len, CKPT_ALIGN) +
			ALIGN(nr_fds * sizeof(u32), CKPT_ALIGN);
		if (++nr > CKPT_MAX_UNIX_MSGS || need > CKPT_MAX_RECORD) {
			why = CKPT_Q_BIG;
			break;
		}
		total += len;
		if (need > ws->size)
			continue;
		m = ws->buf + off;
		*m = (struct ckpt_unix_msg){
			.len = len,
			.sender_id = sender,
			.pid = pid_vnr(UNIXCB(skb).pid),
			.uid = from_kuid_munged(current_user_ns(), UNIXCB(skb).uid),
			.gid = from_kgid_munged(current_user_ns(), UNIXCB(skb).gid),
			.nr_fds = nr_fds,
		};
		off += sizeof(*m);
		/* Cannot fail: the offsets are within the buffer. */
		skb_copy_bits(skb, skip, ws->buf + off, len);
		memset(ws->buf + off + len, 0, ckpt_pad(len));
		off += ALIGN(len, CKPT_ALIGN);
		ckpt_unix_fd_ids(ws->ctx, fp, ws->buf + off);
		memset(ws->buf + off + nr_fds * sizeof(u32), 0, ckpt_pad(nr_fds * sizeof(u32)));
		off += ALIGN(nr_fds * sizeof(u32), CKPT_ALIGN);
	}
	spin_unlock(&q->lock);

	switch (why) {
	case CKPT_Q_OK:
		break;
	case CKPT_Q_FDS:
		return ckpt_err(ws->ctx, -EAGAIN,
				"fd %u: descriptors arrived in flight (SCM_RIGHTS) on the unix socket during the checkpoint",
				ws->w->fd);
	case CKPT_Q_SENDER:
		ckpt_err(ws->ctx, -EOPNOTSUPP,
			 "fd %u: a datagram from %s, not its peer or not the job's, is queued on the unix socket",
			 ws->w->fd, ckpt_unix_desc(bad, desc, sizeof(desc)));
		sock_put(bad);
		return -EOPNOTSUPP;
	case CKPT_Q_BIG:
		return ckpt_err(ws->ctx, -EFBIG,
				"fd %u: too much is queued on the unix socket to save", ws->w->fd);
	}
	if (need <= ws->size) {
		rec->nr_msgs = nr;
		rec->data_len = total;
	}
	return need;
}

/* The parts of the record that are not messages. */
static int ckpt_unix_fill(struct ckpt_wsock *ws)
{
	struct ckpt_rec_unix *rec = ws->rec;
	struct sock *sk = ws->sk, *peer = ws->peer;
	struct unix_sock *u = unix_sk(sk);
	struct socket *sock = sk->sk_socket;
	void *p = rec + 1;
	const struct cred *pc;
	bool bsd_bound;
	char *path;

	rec->objid = ckpt_find_file_use(&ws->ctx->socks, ws->w->file)->id;
	rec->type = sk->sk_type;
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		rec->state = CKPT_UNIX_LISTEN;
	else if (peer && sock_flag(peer, SOCK_DEAD))
		rec->state = CKPT_UNIX_PEER_CLOSED;
	else if (peer)
		rec->state = CKPT_UNIX_CONNECTED;
	else
		rec->state = CKPT_UNIX_UNCONNECTED;
	if (rec->state == CKPT_UNIX_CONNECTED)
		rec->peer_id = ckpt_unix_use(ws->ctx, peer)->id;
	rec->shutdown = READ_ONCE(sk->sk_shutdown);
	rec->err = READ_ONCE(sk->sk_err);
	rec->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	rec->sndbuf = READ_ONCE(sk->sk_sndbuf);
	rec->rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	rec->peek_off = READ_ONCE(sk->sk_peek_off);
	rec->rcvlowat = READ_ONCE(sk->sk_rcvlowat);
	rec->priority = READ_ONCE(sk->sk_priority);
	rec->sndtimeo_ns = ckpt_timeo_ns(READ_ONCE(sk->sk_sndtimeo));
	rec->rcvtimeo_ns = ckpt_timeo_ns(READ_ONCE(sk->sk_rcvtimeo));
	if (test_bit(SOCK_PASSCRED, &sock->flags))
		rec->flags |= CKPT_UNIX_PASSCRED;
	if (test_bit(SOCK_PASSPIDFD, &sock->flags))
		rec->flags |= CKPT_UNIX_PASSPIDFD;
	if (test_bit(SOCK_PASSSEC, &sock->flags))
		rec->flags |= CKPT_UNIX_PASSSEC;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		rec->flags |= CKPT_UNIX_KEEPALIVE;
	if (sock_flag(sk, SOCK_RCVTSTAMP))
		rec->flags |= CKPT_UNIX_TIMESTAMP;
	if (sock_flag(sk, SOCK_RCVTSTAMPNS))
		rec->flags |= CKPT_UNIX_TIMESTAMPNS;
	if (sock_flag(sk, SOCK_TSTAMP_NEW))
		rec->flags |= CKPT_UNIX_TSTAMP_NEW;
	if (sock_flag(sk, SOCK_RXQ_OVFL))
		rec->flags |= CKPT_UNIX_RXQ_OVFL;
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		rec->flags |= CKPT_UNIX_SNDBUF_LOCK;
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		rec->flags |= CKPT_UNIX_RCVBUF_LOCK;
	spin_lock(&sk->sk_peer_lock);
	pc = sk->sk_peer_cred;
	if (pc) {
		rec->flags |= CKPT_UNIX_PEERCRED;
		rec->peer_pid = pid_vnr(sk->sk_peer_pid);
		rec->peer_uid = from_kuid_munged(current_user_ns(), pc->euid);
		rec->peer_gid = from_kgid_munged(current_user_ns(), pc->egid);
	}
	spin_unlock(&sk->sk_peer_lock);

	/*
	 * Bound by bind(2) (or autobind) to a file or an abstract name, as
	 * opposed to named after the listener that accepted it, which
	 * shares the listener's name and file but is in neither table.
	 */
	rec->addr_len = ckpt_unix_name(sk, p);
	bsd_bound = !hlist_unhashed_lockless(&sk->sk_bind_node);
	if (rec->addr_len && (bsd_bound || (!((struct sockaddr_un *)p)->sun_path[0] &&
					    READ_ONCE(sk->sk_hash) > UNIX_HASH_MOD)))
		rec->flags |= CKPT_UNIX_BOUND;
	p += ALIGN(rec->addr_len, CKPT_ALIGN);
	if (rec->state == CKPT_UNIX_PEER_CLOSED) {
		rec->peer_addr_len = ckpt_unix_name(peer, p);
		p += ALIGN(rec->peer_addr_len, CKPT_ALIGN);
	}
	if (bsd_bound && u->path.dentry && !d_unlinked(u->path.dentry)) {
		path = d_path(&u->path, ws->w->buf, PATH_MAX);
		if (IS_ERR(path))
			return ckpt_err(ws->ctx, PTR_ERR(path),
					"fd %u: cannot name the unix socket's file (error %ld)",
					ws->w->fd, PTR_ERR(path));
		if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return ckpt_err(ws->ctx, -ENAMETOOLONG,
					"fd %u: the unix socket's file %s has a path too long to bind again",
					ws->w->fd, path);
		rec->path_len = strlen(path) + 1;
		strscpy(p, path, rec->path_len);
		p += ALIGN(rec->path_len, CKPT_ALIGN);
	}
	ws->msgs = p - ws->buf;
	return 0;
}

/* An option that changes what the socket does and is not saved, or NULL. */
static const char *ckpt_unix_unsaved_option(struct sock *sk)
{
	if (rcu_access_pointer(sk->sk_filter))
		return "a filter (SO_ATTACH_FILTER)";
	if (READ_ONCE(sk->sk_mark))
		return "SO_MARK";
	if (sock_flag(sk, SOCK_LINGER))
		return "SO_LINGER";
	if (READ_ONCE(sk->sk_tsflags))
		return "SO_TIMESTAMPING";
	if (READ_ONCE(sk->sk_bound_dev_if))
		return "SO_BINDTODEVICE";
	if (sock_flag(sk, SOCK_ZEROCOPY))
		return "SO_ZEROCOPY";
	if (sock_flag(sk, SOCK_TXTIME))
		return "SO_TXTIME";
	if (sock_flag(sk, SOCK_WIFI_STATUS) || sock_flag(sk, SOCK_NOFCS) ||
	    sock_flag(sk, SOCK_SELECT_ERR_QUEUE))
		return "SO_WIFI_STATUS, SO_NOFCS or SO_SELECT_ERR_QUEUE";
	if (sock_flag(sk, SOCK_URGINLINE))
		return "SO_OOBINLINE";
	if (sock_flag(sk, SOCK_RCVMARK))
		return "SO_RCVMARK";
	return NULL;
}

/*
 * Write the files in flight to the socket, before its record names
 * them.  A socket in flight is refused: its queue could carry more
 * files, or the socket itself (the cycles the unix garbage collector
 * breaks).
 */
static int ckpt_unix_write_in_flight(struct ckpt_ctx *ctx, struct ckpt_wfile *w, struct sock *sk)
{
	char what[96];
	struct file **v;
	int nr, i, err = 0;

	nr = ckpt_unix_grab_in_flight(sk, &v);
	if (nr < 0)
		return ckpt_err(ctx, nr,
				"fd %u: cannot list the descriptors in flight on the unix socket (error %d)",
				w->fd, nr);
	for (i = 0; i < nr && !err; i++) {
		if (sock_from_file(v[i]))
			err = ckpt_err(ctx, -EOPNOTSUPP,
				       "fd %u: %s is in flight (SCM_RIGHTS) on the unix socket: not supported",
				       w->fd, ckpt_file_kind(v[i], what, sizeof(what)));
		else
			err = ckpt_write_in_flight(ctx, w->task, v[i], w->fd);
	}
	ckpt_unix_put_in_flight(v, nr);
	return err;
}

static int ckpt_unix_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct ckpt_wsock ws = { .ctx = ctx, .w = w, .sk = ckpt_unix_sk(w->file) };
	struct ckpt_file_use *use = ckpt_find_file_use(&ctx->socks, w->file);
	struct sock *sk = ws.sk;
	ssize_t need;
	int err, tries;

	if (!use)
		return ckpt_err(ctx, -EBUSY, "fd %u: the unix socket was not found in the job",
				w->fd);
	ws.peer = unix_peer_get(sk);
	err = ckpt_unix_check_outside(ctx, w, use, ws.peer);
	if (err)
		goto out;
	err = -EOPNOTSUPP;
	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_DGRAM &&
	    sk->sk_type != SOCK_SEQPACKET) {
		ckpt_err(ctx, err, "fd %u: a unix socket of type %d", w->fd, sk->sk_type);
		goto out;
	}
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN &&
	    !skb_queue_empty_lockless(&sk->sk_receive_queue)) {
		ckpt_err(ctx, err, "fd %u: the listening unix socket has connections not accepted yet",
			 w->fd);
		goto out;
	}
#if IS_ENABLED(CONFIG_AF_UNIX_OOB)
	if (READ_ONCE(unix_sk(sk)->oob_skb)) {
		ckpt_err(ctx, err, "fd %u: urgent data (MSG_OOB) is pending on the unix socket",
			 w->fd);
		goto out;
	}
#endif
	if (ckpt_unix_unsaved_option(sk)) {
		ckpt_err(ctx, err, "fd %u: the unix socket has %s set, which is not saved",
			 w->fd, ckpt_unix_unsaved_option(sk));
		goto out;
	}

	err = ckpt_unix_write_in_flight(ctx, w, sk);
	if (err)
		goto out;

	/* Size the record, then fill it; the queue may grow from outside. */
	ws.size = sizeof(*ws.rec) + 3 * CKPT_UNIX_NAME_MAX + PATH_MAX;
	for (tries = 0; tries < 4; tries++) {
		err = -ENOMEM;
		ws.buf = kvzalloc(ws.size, GFP_KERNEL);
		if (!ws.buf)
			goto out;
		ws.rec = ws.buf;
		err = ckpt_unix_fill(&ws);
		if (err)
			goto out;
		need = ckpt_unix_copy_queue(&ws);
		if (need < 0) {
			err = need;
			goto out;
		}
		if (need <= ws.size)
			break;
		kvfree(ws.buf);
		ws.buf = NULL;
		ws.size = need + PAGE_SIZE;
	}
	err = -EAGAIN;
	if (!ws.buf) {
		ckpt_err(ctx, err, "fd %u: the unix socket's queue keeps growing", w->fd);
		goto out;
	}
	w->rec.kind = CKPT_FILE_UNIX;
	w->rec.ref_id = ws.rec->objid;
	err = ckpt_write_record(ctx, CKPT_REC_UNIX, ws.rec, need);
out:
	kvfree(ws.buf);
	if (ws.peer)
		sock_put(ws.peer);
	return err;
}

/**
 * struct ckpt_rsock - restart: a unix socket recreated
 * @node:	in ctx->rsocks
 * @file:	its file (referenced)
 * @sock:	its socket
 * @rec:	its record, whole
 * @name:	its name in @rec, or NULL
 * @peer_name:	its closed peer's name in @rec, or NULL
 * @path:	its socket file's path in @rec, or NULL
 * @stand_in:	restart: the stand-in for its closed peer
 * @unnamed:	restart: an unnamed socket that sends it datagrams
 *		from outside the job
 * @backlog:	its queue limit once the messages are back
 */
struct ckpt_rsock {
	struct list_head node;
	struct file *file;
	struct socket *sock;
	struct ckpt_rec_unix *rec;
	struct sockaddr_un *name;
	struct sockaddr_un *peer_name;
	const char *path;
	struct socket *stand_in;
	struct socket *unnamed;
	u32 backlog;
};

static void ckpt_rsock_release(void *arg)
{
	struct ckpt_rsock *rs = arg;

	list_del(&rs->node);
	if (rs->stand_in)
		sock_release(rs->stand_in);
	if (rs->unnamed)
		sock_release(rs->unnamed);
	fput(rs->file);
	kvfree(rs->rec);
	kfree(rs);
}

static bool ckpt_unix_name_ok(const void *p, u32 len)
{
	const struct sockaddr_un *sun = p;

	return len >= CKPT_UNIX_NAME_MIN && len <= CKPT_UNIX_NAME_MAX &&
	       sun->sun_family == AF_UNIX;
}

/* Are the @pad bytes after @len bytes at @p within the record and zero? */
static bool ckpt_unix_pad_ok(const void *p, u32 len, const void *end)
{
	size_t pad = ckpt_pad(len);

	return p + len + pad <= end && !memchr_inv(p + len, 0, pad);
}

/* The ids of the files in flight with a message, after its bytes. */
static const u32 *ckpt_unix_msg_fds(const struct ckpt_unix_msg *m)
{
	return (const void *)(m + 1) + ALIGN(m->len, CKPT_ALIGN);
}

/* The message after @m. */
static void *ckpt_unix_msg_next(const struct ckpt_unix_msg *m)
{
	return (void *)ckpt_unix_msg_fds(m) + ALIGN(m->nr_fds * sizeof(u32), CKPT_ALIGN);
}

/* Check the variable part of a record; set the pointers into it. */
static bool ckpt_unix_parse(struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	void *p = r + 1, *end = (void *)r + r->h.len;
	u64 total = 0;
	u32 i;

	if (r->addr_len) {
		if (!ckpt_unix_pad_ok(p, r->addr_len, end) || !ckpt_unix_name_ok(p, r->addr_len))
			return false;
		rs->name = p;
		p += ALIGN(r->addr_len, CKPT_ALIGN);
	}
	if (r->peer_addr_len) {
		if (r->state != CKPT_UNIX_PEER_CLOSED ||
		    !ckpt_unix_pad_ok(p, r->peer_addr_len, end) ||
		    !ckpt_unix_name_ok(p, r->peer_addr_len))
			return false;
		rs->peer_name = p;
		p += ALIGN(r->peer_addr_len, CKPT_ALIGN);
	}
	if (r->path_len) {
		const char *path = p;

		/* A path it can be bound to again: absolute, fits sun_path. */
		if (r->path_len < 2 || r->path_len > sizeof(rs->name->sun_path) ||
		    !ckpt_unix_pad_ok(p, r->path_len, end) || path[0] != '/' ||
		    strnlen(path, r->path_len) != r->path_len - 1 ||
		    !rs->name || !rs->name->sun_path[0] || !(r->flags & CKPT_UNIX_BOUND))
			return false;
		rs->path = path;
		p += ALIGN(r->path_len, CKPT_ALIGN);
	}
	for (i = 0; i < r->nr_msgs; i++) {
		struct ckpt_unix_msg *m = p;

		if (p + sizeof(*m) > end || m->nr_fds > CKPT_MAX_UNIX_FDS ||
		    (r->type == SOCK_STREAM && !m->len) || m->len > end - p - sizeof(*m) ||
		    !ckpt_unix_pad_ok(m + 1, m->len, end) ||
		    !ckpt_unix_pad_ok(ckpt_unix_msg_fds(m), m->nr_fds * sizeof(u32), end))
			return false;
		total += m->len;
		p = ckpt_unix_msg_next(m);
	}
	return p == end && total == r->data_len;
}

static bool ckpt_unix_rec_ok(const struct ckpt_rec_unix *r)
{
	bool connected = r->state == CKPT_UNIX_CONNECTED;

	return r->objid && (r->type == SOCK_STREAM || r->type == SOCK_DGRAM ||
			    r->type == SOCK_SEQPACKET) &&
	       r->state >= CKPT_UNIX_UNCONNECTED && r->state <= CKPT_UNIX_PEER_CLOSED &&
	       connected == !!r->peer_id && r->peer_id != r->objid &&
	       (r->state != CKPT_UNIX_LISTEN ||
		(r->type != SOCK_DGRAM && r->addr_len && !r->nr_msgs)) &&
	       !(r->shutdown & ~SHUTDOWN_MASK) && !(r->flags & ~CKPT_UNIX_FLAGS_ALL) &&
	       (r->addr_len || !(r->flags & CKPT_UNIX_BOUND)) &&
	       r->err <= MAX_ERRNO && r->peek_off >= -1 && r->nr_msgs <= CKPT_MAX_UNIX_MSGS &&
	       r->sndbuf <= INT_MAX && r->rcvbuf <= INT_MAX && r->rcvlowat <= INT_MAX &&
	       r->backlog <= INT_MAX;
}

/*
 * Remove a socket file no live socket is bound to, as bind(2) needs:
 * what unlink(2) does, with the check that the file is a stale socket
 * made under the directory's lock.
 */
static int ckpt_unix_unlink_stale(struct ckpt_ctx *ctx, const char *path)
{
	const char *name = strrchr(path, '/') + 1;
	struct path parent;
	struct dentry *d;
	char *dir;
	int err;

	/* The directory: "/" for "/x", else up to the last slash. */
	dir = kstrndup(path, name - path > 1 ? name - path - 1 : 1, GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	err = kern_path(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &parent);
	kfree(dir);
	if (err)
		return err == -ENOENT ? 0 : err;
	err = mnt_want_write(parent.mnt);
	if (err)
		goto out_path;
	inode_lock_nested(d_inode(parent.dentry), I_MUTEX_PARENT);
	d = lookup_one_len(name, parent.dentry, strlen(name));
	err = PTR_ERR_OR_ZERO(d);
	if (err)
		goto out_unlock;
	if (d_is_negative(d))
		goto out_dput;
	err = -EADDRINUSE;
	if (!S_ISSOCK(d_inode(d)->i_mode) || unix_inode_bound(d_inode(d)))
		goto out_dput;
	err = security_path_unlink(&parent, d);
	if (!err)
		err = vfs_unlink(mnt_idmap(parent.mnt), d_inode(parent.dentry), d, NULL);
out_dput:
	dput(d);
out_unlock:
	inode_unlock(d_inode(parent.dentry));
	mnt_drop_write(parent.mnt);
out_path:
	path_put(&parent);
	return err;
}

/* Bind a socket to its name again, as the restored process. */
static int ckpt_unix_bind(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	umode_t old_umask;
	int err;

	if (!rs->name)
		return 0;
	if (!(r->flags & CKPT_UNIX_BOUND) || (rs->name->sun_path[0] && !rs->path)) {
		/* Named after its listener, or its file is gone. */
		err = unix_sock_set_name(rs->sock->sk, rs->name, r->addr_len);
		goto out;
	}
	if (!rs->path) {
		err = kernel_bind(rs->sock, (struct sockaddr *)rs->name, r->addr_len);
		goto out;
	}
	err = ckpt_unix_unlink_stale(ctx, rs->path);
	if (err)
		return ckpt_err(ctx, err, "cannot bind a unix socket to %s: %s (error %d)",
				rs->path, err == -EADDRINUSE ? "it is in use" :
				"the old socket file cannot be removed", err);
	strscpy(sun.sun_path, rs->path, sizeof(sun.sun_path));
	/* The socket file gets the process's umask, as when it was bound. */
	old_umask = current->fs->umask;
	current->fs->umask = ctx->cur->rec.umask & 0777;
	err = kernel_bind(rs->sock, (struct sockaddr *)&sun, sizeof(sun));
	current->fs->umask = old_umask;
	if (!err && strncmp(rs->name->sun_path, rs->path, r->addr_len -
			    offsetof(struct sockaddr_un, sun_path)))
		err = unix_sock_set_name(rs->sock->sk, rs->name, r->addr_len);
out:
	if (err)
		return ckpt_err(ctx, err, "cannot bind a unix socket to %s (error %d)",
				rs->path ? rs->path : "its name", err);
	return 0;
}

static int ckpt_unix_read(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_unix *r;
	struct ckpt_rsock *rs;
	struct socket *sock;
	struct file *f;
	int err;

	r = ckpt_read_record(ctx, CKPT_REC_UNIX, sizeof(*r), CKPT_MAX_RECORD);
	if (IS_ERR(r))
		return PTR_ERR(r);
	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs) {
		kvfree(r);
		return -ENOMEM;
	}
	rs->rec = r;
	INIT_LIST_HEAD(&rs->node);
	if (!ckpt_unix_rec_ok(r) || !ckpt_unix_parse(rs)) {
		err = ckpt_err(ctx, -ENOEXEC, "unix socket record %u is malformed", r->objid);
		goto out;
	}
	err = sock_create(AF_UNIX, r->type, 0, &sock);
	if (err) {
		err = ckpt_err(ctx, err, "cannot create a unix socket (error %d)", err);
		goto out;
	}
	f = sock_alloc_file(sock, 0, NULL);
	if (IS_ERR(f)) {
		err = ckpt_err(ctx, PTR_ERR(f), "cannot create a unix socket (error %ld)",
			       PTR_ERR(f));
		goto out;
	}
	rs->file = f;
	rs->sock = sock;
	list_add_tail(&rs->node, &ctx->rsocks);
	err = ckpt_obj_add(&ctx->objs, rs, r->objid, CKPT_REC_UNIX, ckpt_rsock_release);
	if (err) {
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r->objid);
		/* Frees r too. */
		ckpt_rsock_release(rs);
		return err;
	}
	err = ckpt_unix_bind(ctx, rs);
	if (!err && r->state == CKPT_UNIX_LISTEN) {
		err = kernel_listen(sock, r->backlog);
		if (err)
			err = ckpt_err(ctx, err, "cannot listen on unix socket %u (error %d)",
				       r->objid, err);
	}
	return err;
out:
	kvfree(r);
	kfree(rs);
	return err;
}

static struct file *ckpt_unix_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				   const char *unused)
{
	struct ckpt_rsock *rs = ckpt_obj_lookup(&ctx->objs, r->ref_id, CKPT_REC_UNIX);

	if (!rs || r->pos || r->size || r->mode != 3 || r->flags & ~(O_NONBLOCK | O_LARGEFILE))
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC,
					"file record %u: malformed, or no unix socket %u before it",
					r->objid, r->ref_id));
	ckpt_set_status(rs->file, r->flags);
	return get_file(rs->file);
}

/* The address a datagram is sent to, by name: its socket file or name. */
static int ckpt_unix_addr(struct ckpt_rsock *rs, struct sockaddr_un *sun)
{
	if (!rs->name || !(rs->rec->flags & CKPT_UNIX_BOUND))
		return -EDESTADDRREQ;
	if (rs->path) {
		*sun = (struct sockaddr_un){ .sun_family = AF_UNIX };
		strscpy(sun->sun_path, rs->path, sizeof(sun->sun_path));
		return sizeof(*sun);
	}
	if (rs->name->sun_path[0])
		return -EDESTADDRREQ;	/* its file is gone */
	memcpy(sun, rs->name, rs->rec->addr_len);
	return rs->rec->addr_len;
}

static struct ckpt_rsock *ckpt_unix_find(struct ckpt_ctx *ctx, u32 id)
{
	return id ? ckpt_obj_lookup(&ctx->objs, id, CKPT_REC_UNIX) : NULL;
}

/* Step 1: connect each socket to its peer, or to a stand-in for it. */
static int ckpt_unix_connect(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	struct ckpt_rsock *peer = ckpt_unix_find(ctx, r->peer_id);
	struct sockaddr_un sun;
	int err, len;

	if (r->state == CKPT_UNIX_PEER_CLOSED) {
		err = sock_create(AF_UNIX, r->type, 0, &rs->stand_in);
		if (!err)
			err = rs->sock->ops->socketpair(rs->sock, rs->stand_in);
		if (!err && rs->peer_name)
			err = unix_sock_set_name(rs->stand_in->sk, rs->peer_name,
						 r->peer_addr_len);
		if (err)
			return ckpt_err(ctx, err,
					"unix socket %u: cannot make a closed peer (error %d)",
					r->objid, err);
		return 0;
	}
	if (r->state != CKPT_UNIX_CONNECTED)
		return 0;
	if (!peer || peer->rec->type != r->type)
		return ckpt_err(ctx, -ENOEXEC, "unix socket %u: its peer %u is not in the image",
				r->objid, r->peer_id);
	if (peer->rec->peer_id == r->objid) {
		/* A pair, connected once, as socketpair(2) does. */
		if (r->objid > peer->rec->objid)
			return 0;
		err = rs->sock->ops->socketpair(rs->sock, peer->sock);
		return err ? ckpt_err(ctx, err, "unix socket %u: cannot connect it (error %d)",
				      r->objid, err) : 0;
	}
	len = ckpt_unix_addr(peer, &sun);
	if (r->type != SOCK_DGRAM || len < 0)
		return ckpt_err(ctx, -ENOEXEC,
				"unix socket %u: its peer %u is not connected to it, and has no name",
				r->objid, r->peer_id);
	err = kernel_connect(rs->sock, (struct sockaddr *)&sun, len, 0);
	return err ? ckpt_err(ctx, err, "unix socket %u: cannot connect it to %u (error %d)",
			      r->objid, r->peer_id, err) : 0;
}

/*
 * Credentials restart gives back as they were: its own, or any with the
 * capabilities to set them.
 */
static int ckpt_unix_ids(struct ckpt_ctx *ctx, u32 uid, u32 gid, kuid_t *kuid, kgid_t *kgid)
{
	*kuid = make_kuid(current_user_ns(), uid);
	*kgid = make_kgid(current_user_ns(), gid);
	if (!uid_valid(*kuid) || !gid_valid(*kgid))
		return ckpt_err(ctx, -ENOEXEC, "unix socket credentials %u:%u are not mapped",
				uid, gid);
	if ((!uid_eq(*kuid, current_uid()) && !uid_eq(*kuid, current_euid()) &&
	     !ns_capable_setid(current_user_ns(), CAP_SETUID)) ||
	    (!gid_eq(*kgid, current_gid()) && !gid_eq(*kgid, current_egid()) &&
	     !ns_capable_setid(current_user_ns(), CAP_SETGID)))
		return ckpt_err(ctx, -EPERM,
				"cannot give a unix socket the credentials %u:%u", uid, gid);
	return 0;
}

/*
 * The pid a message or SO_PEERCRED names: a process of the job, none, or
 * (as SCM_CREDENTIALS allows) any other only with CAP_SYS_ADMIN.
 */
static int ckpt_unix_cred_pid(struct ckpt_ctx *ctx, pid_t nr, struct pid **pid)
{
	unsigned int i;

	*pid = NULL;
	if (!nr)
		return 0;
	for (i = 0; i < ctx->nr_procs; i++)
		if (ctx->procs[i].rec.pid == nr && ctx->procs[i].task) {
			*pid = get_pid(task_tgid(ctx->procs[i].task));
			return 0;
		}
	if (!ns_capable(task_active_pid_ns(current)->user_ns, CAP_SYS_ADMIN))
		return ckpt_err(ctx, -EPERM,
				"cannot give a unix socket the credentials of pid %d, outside the job",
				nr);
	*pid = find_get_pid(nr);
	return 0;
}

/*
 * Put the files in flight with a message on descriptors of the
 * restarter, @fds, for the SCM_RIGHTS message that sends them again.
 */
static int ckpt_unix_fds_in(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
			    const struct ckpt_unix_msg *m, int *fds)
{
	const u32 *ids = ckpt_unix_msg_fds(m);
	struct file *f;
	u32 i;
	int fd;

	for (i = 0; i < m->nr_fds; i++)
		fds[i] = -1;
	for (i = 0; i < m->nr_fds; i++) {
		f = ckpt_obj_lookup(&ctx->objs, ids[i], CKPT_OBJ_FILE);
		if (!f)
			return ckpt_err(ctx, -ENOEXEC,
					"unix socket %u: a descriptor in flight is file %u, not in the image",
					rs->rec->objid, ids[i]);
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0)
			return ckpt_err(ctx, fd,
					"unix socket %u: no descriptor free to send a file in flight again (error %d)",
					rs->rec->objid, fd);
		fd_install(fd, get_file(f));
		fds[i] = fd;
	}
	return 0;
}

static void ckpt_unix_fds_out(const int *fds, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (fds[i] >= 0)
			close_fd(fds[i]);
}

/*
 * The SCM_RIGHTS control message of @m, its files on descriptors of the
 * restarter (ckpt_unix_fds_out() closes them); NULL if it has none.
 */
static struct cmsghdr *ckpt_unix_rights(struct ckpt_ctx *ctx, struct ckpt_rsock *rs,
					const struct ckpt_unix_msg *m, struct msghdr *msg)
{
	size_t len = CMSG_SPACE(m->nr_fds * sizeof(int));
	struct cmsghdr *cmsg;
	int err;

	if (!m->nr_fds)
		return NULL;
	cmsg = kzalloc(len, GFP_KERNEL);
	if (!cmsg)
		return ERR_PTR(-ENOMEM);
	cmsg->cmsg_len = CMSG_LEN(m->nr_fds * sizeof(int));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	err = ckpt_unix_fds_in(ctx, rs, m, (int *)CMSG_DATA(cmsg));
	if (err) {
		ckpt_unix_fds_out((int *)CMSG_DATA(cmsg), m->nr_fds);
		kfree(cmsg);
		return ERR_PTR(err);
	}
	/* A kernel buffer: msg_control_is_user stays false. */
	msg->msg_control = cmsg;
	msg->msg_controllen = len;
	return cmsg;
}

/* Send one message again from @from to @rs, and give it its credentials. */
static int ckpt_unix_resend(struct ckpt_ctx *ctx, struct ckpt_rsock *rs, struct socket *from,
			    bool by_name, const struct ckpt_unix_msg *m)
{
	struct sk_buff_head *q = &rs->sock->sk->sk_receive_queue;
	struct kvec iov = { .iov_base = (void *)(m + 1), .iov_len = m->len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct sk_buff *tail, *skb;
	struct sockaddr_un sun;
	struct cmsghdr *rights;
	struct pid *pid;
	kuid_t uid;
	kgid_t gid;
	int err;

	err = ckpt_unix_ids(ctx, m->uid, m->gid, &uid, &gid);
	if (err)
		return err;
	if (by_name) {
		err = ckpt_unix_addr(rs, &sun);
		if (err < 0)
			return ckpt_err(ctx, -ENOEXEC,
					"unix socket %u: a queued datagram cannot be sent to it again",
					rs->rec->objid);
		msg.msg_name = &sun;
		msg.msg_namelen = err;
	}
	rights = ckpt_unix_rights(ctx, rs, m, &msg);
	if (IS_ERR(rights))
		return PTR_ERR(rights);
	/* Room for it, whatever the limits now. */
	WRITE_ONCE(from->sk->sk_sndbuf, INT_MAX / 2);
	spin_lock(&q->lock);
	tail = skb_peek_tail(q);
	spin_unlock(&q->lock);
	err = kernel_sendmsg(from, &msg, &iov, 1, m->len);
	if (rights) {
		ckpt_unix_fds_out((int *)CMSG_DATA(rights), m->nr_fds);
		kfree(rights);
	}
	if (err != m->len)
		return ckpt_err(ctx, err < 0 ? err : -EIO,
				"unix socket %u: cannot queue a message again (error %d)",
				rs->rec->objid, err);
	err = ckpt_unix_cred_pid(ctx, m->pid, &pid);
	if (err)
		return err;
	spin_lock(&q->lock);
	skb = tail ? tail->next : q->next;
	for (; skb != (struct sk_buff *)q; skb = skb->next) {
		struct pid *old;

		if (skb->sk != from->sk)
			continue;
		old = UNIXCB(skb).pid;
		UNIXCB(skb).pid = get_pid(pid);
		UNIXCB(skb).uid = uid;
		UNIXCB(skb).gid = gid;
		put_pid(old);
	}
	spin_unlock(&q->lock);
	put_pid(pid);
	return 0;
}

/* Step 2: queue its messages again, each from the socket that sent it. */
static int ckpt_unix_requeue(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	struct sock *sk = rs->sock->sk;
	unsigned int i;
	int err = 0;
	void *p;

	if (!r->nr_msgs)
		return 0;
	/* The first message is after the names and the path. */
	p = (void *)(r + 1) + ALIGN(r->addr_len, CKPT_ALIGN) +
	    ALIGN(r->peer_addr_len, CKPT_ALIGN) + ALIGN(r->path_len, CKPT_ALIGN);
	rs->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	WRITE_ONCE(sk->sk_max_ack_backlog, U32_MAX);
	for (i = 0; i < r->nr_msgs && !err; i++) {
		const struct ckpt_unix_msg *m = p;
		struct ckpt_rsock *from = ckpt_unix_find(ctx, m->sender_id);
		struct socket *sender;
		bool by_name = true;

		if (m->sender_id && !from)
			return ckpt_err(ctx, -ENOEXEC,
					"unix socket %u: a message's sender %u is not in the image",
					r->objid, m->sender_id);
		if (from) {
			sender = from->sock;
			by_name = from->rec->peer_id != r->objid;
		} else if (rs->stand_in) {
			sender = rs->stand_in;
			by_name = false;
		} else {
			if (!rs->unnamed)
				err = sock_create(AF_UNIX, SOCK_DGRAM, 0, &rs->unnamed);
			if (err)
				return ckpt_err(ctx, err, "cannot create a unix socket (error %d)",
						err);
			sender = rs->unnamed;
		}
		if (by_name && r->type != SOCK_DGRAM)
			return ckpt_err(ctx, -ENOEXEC,
					"unix socket %u: a message comes from %u, not its peer",
					r->objid, m->sender_id);
		err = ckpt_unix_resend(ctx, rs, sender, by_name, m);
		p = ckpt_unix_msg_next(m);
	}
	return err;
}

static void ckpt_unix_set_peercred(struct sock *sk, struct pid *pid, const struct cred *cred)
{
	const struct cred *old_cred;
	struct pid *old_pid;

	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = pid;
	sk->sk_peer_cred = cred;
	spin_unlock(&sk->sk_peer_lock);
	put_pid(old_pid);
	put_cred(old_cred);
}

/*
 * SO_PEERCRED as it was: the credentials of the peer process if it is
 * the job's and they still match, else ones made from the restarter's
 * with the saved ids (and no supplementary groups).
 */
static int ckpt_unix_peercred(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	const struct cred *cred = NULL;
	struct pid *pid;
	struct group_info *groups;
	struct task_struct *t;
	struct cred *new;
	kuid_t uid;
	kgid_t gid;
	int err;

	if (!(r->flags & CKPT_UNIX_PEERCRED)) {
		ckpt_unix_set_peercred(rs->sock->sk, NULL, NULL);
		return 0;
	}
	err = ckpt_unix_cred_pid(ctx, r->peer_pid, &pid);
	if (err)
		return err;
	uid = make_kuid(current_user_ns(), r->peer_uid);
	gid = make_kgid(current_user_ns(), r->peer_gid);
	t = pid ? get_pid_task(pid, PIDTYPE_TGID) : NULL;
	if (t) {
		const struct cred *tc = get_task_cred(t);

		if (uid_eq(tc->euid, uid) && gid_eq(tc->egid, gid))
			cred = tc;
		else
			put_cred(tc);
		put_task_struct(t);
	}
	if (!cred) {
		err = ckpt_unix_ids(ctx, r->peer_uid, r->peer_gid, &uid, &gid);
		if (err)
			goto fail;
		err = -ENOMEM;
		new = prepare_creds();
		groups = groups_alloc(0);
		if (!new || !groups) {
			if (new)
				abort_creds(new);
			if (groups)
				put_group_info(groups);
			goto fail;
		}
		new->uid = uid;
		new->euid = uid;
		new->suid = uid;
		new->fsuid = uid;
		new->gid = gid;
		new->egid = gid;
		new->sgid = gid;
		new->fsgid = gid;
		set_groups(new, groups);
		put_group_info(groups);
		cred = new;
	}
	ckpt_unix_set_peercred(rs->sock->sk, pid, cred);
	return 0;
fail:
	put_pid(pid);
	return err;
}

static long ckpt_timeo(u64 ns)
{
	unsigned long j = ns == CKPT_UNIX_NO_TIMEOUT ? MAX_SCHEDULE_TIMEOUT : nsecs_to_jiffies(ns);

	return min_t(unsigned long, j, MAX_SCHEDULE_TIMEOUT);
}

/*
 * Options setsockopt(2) would not let the restarter set: buffers beyond
 * net.core.wmem_max and rmem_max (SO_SNDBUFFORCE, SO_RCVBUFFORCE) and a
 * priority above 6 need CAP_NET_ADMIN.
 */
static int ckpt_unix_check_options(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	struct sock *sk = rs->sock->sk;
	bool admin = ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN);

	if (admin)
		return 0;
	if (r->sndbuf > max_t(u32, 2 * READ_ONCE(sysctl_wmem_max), READ_ONCE(sk->sk_sndbuf)) ||
	    r->rcvbuf > max_t(u32, 2 * READ_ONCE(sysctl_rmem_max), READ_ONCE(sk->sk_rcvbuf)))
		return ckpt_err(ctx, -EPERM,
				"unix socket %u: its buffer sizes need CAP_NET_ADMIN", r->objid);
	if (r->priority > 6 && !ns_capable(sock_net(sk)->user_ns, CAP_NET_RAW))
		return ckpt_err(ctx, -EPERM,
				"unix socket %u: its priority %u needs CAP_NET_RAW or CAP_NET_ADMIN",
				r->objid, r->priority);
	return 0;
}

/* Step 3: the state that would have stopped the sends. */
static int ckpt_unix_settle_state(struct ckpt_ctx *ctx, struct ckpt_rsock *rs)
{
	struct ckpt_rec_unix *r = rs->rec;
	struct socket *sock = rs->sock;
	struct sock *sk = sock->sk;
	int err;

	if (rs->stand_in) {
		sock_release(rs->stand_in);
		rs->stand_in = NULL;
	}
	if (rs->unnamed) {
		sock_release(rs->unnamed);
		rs->unnamed = NULL;
	}
	err = ckpt_unix_check_options(ctx, rs);
	if (!err)
		err = ckpt_unix_peercred(ctx, rs);
	if (err)
		return err;
	if (r->nr_msgs)
		WRITE_ONCE(sk->sk_max_ack_backlog, rs->backlog);
	assign_bit(SOCK_PASSCRED, &sock->flags, r->flags & CKPT_UNIX_PASSCRED);
	assign_bit(SOCK_PASSPIDFD, &sock->flags, r->flags & CKPT_UNIX_PASSPIDFD);
	assign_bit(SOCK_PASSSEC, &sock->flags, r->flags & CKPT_UNIX_PASSSEC);
	if (r->flags & CKPT_UNIX_KEEPALIVE)
		sock_set_keepalive(sk);
	lock_sock(sk);
	if (r->flags & CKPT_UNIX_TIMESTAMP)
		sock_set_timestamp(sk, r->flags & CKPT_UNIX_TIMESTAMPNS ?
				   (r->flags & CKPT_UNIX_TSTAMP_NEW ? SO_TIMESTAMPNS_NEW :
				    SO_TIMESTAMPNS_OLD) :
				   (r->flags & CKPT_UNIX_TSTAMP_NEW ? SO_TIMESTAMP_NEW :
				    SO_TIMESTAMP_OLD), true);
	sock_valbool_flag(sk, SOCK_RXQ_OVFL, r->flags & CKPT_UNIX_RXQ_OVFL);
	if (r->flags & CKPT_UNIX_SNDBUF_LOCK)
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	if (r->flags & CKPT_UNIX_RCVBUF_LOCK)
		sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	release_sock(sk);
	WRITE_ONCE(sk->sk_sndbuf, max_t(u32, r->sndbuf, SOCK_MIN_SNDBUF));
	WRITE_ONCE(sk->sk_rcvbuf, max_t(u32, r->rcvbuf, SOCK_MIN_RCVBUF));
	WRITE_ONCE(sk->sk_peek_off, r->peek_off);
	WRITE_ONCE(sk->sk_rcvlowat, r->rcvlowat ? r->rcvlowat : 1);
	WRITE_ONCE(sk->sk_priority, r->priority);
	WRITE_ONCE(sk->sk_sndtimeo, ckpt_timeo(r->sndtimeo_ns));
	WRITE_ONCE(sk->sk_rcvtimeo, ckpt_timeo(r->rcvtimeo_ns));
	unix_state_lock(sk);
	WRITE_ONCE(sk->sk_shutdown, r->shutdown);
	WRITE_ONCE(sk->sk_err, r->err);
	unix_state_unlock(sk);
	return 0;
}

/*
 * Once every socket is back: connect them, queue their messages again,
 * then set the state that would have stopped the sends.
 */
static int ckpt_unix_finish(struct ckpt_ctx *ctx)
{
	struct ckpt_rsock *rs;
	int err = 0;

	list_for_each_entry(rs, &ctx->rsocks, node) {
		err = ckpt_unix_connect(ctx, rs);
		if (err)
			return err;
	}
	list_for_each_entry(rs, &ctx->rsocks, node) {
		err = ckpt_unix_requeue(ctx, rs);
		if (err)
			return err;
	}
	list_for_each_entry(rs, &ctx->rsocks, node) {
		err = ckpt_unix_settle_state(ctx, rs);
		if (err)
			return err;
	}
	return 0;
}

const struct ckpt_file_ops ckpt_unix_file_ops = {
	.name		= "unix socket",
	.kinds		= BIT(CKPT_FILE_UNIX),
	.obj_rec	= CKPT_REC_UNIX,
	.scan		= ckpt_unix_scan,
	.release	= ckpt_unix_release,
	.owns		= ckpt_unix_owns,
	.write		= ckpt_unix_write,
	.read		= ckpt_unix_read,
	.open		= ckpt_unix_open,
	.finish		= ckpt_unix_finish,
};
