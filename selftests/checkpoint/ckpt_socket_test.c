// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of unix-domain sockets.
 *
 * Each test child makes its sockets (the harness closed every
 * descriptor above 2, so they are 3, 4... in the order they are made),
 * takes a snapshot of what each one shows without reading it (fdinfo
 * status flags and close-on-exec, type, the options below, SIOCINQ,
 * getsockname(), getpeername(), SO_PEERCRED), and is checkpointed with
 * CKPT_KILL (with CKPT_TREE when two processes share the sockets),
 * killed and restarted.  The restored processes, which keep their
 * pids, then check from inside that every socket shows what it showed,
 * and that it behaves as before:
 *
 *  - socketpairs: stream bytes queued both ways come back byte for
 *    byte, the unread rest of a partly read message included;
 *    datagrams and SOCK_SEQPACKET records keep their sizes and order,
 *    zero-length ones included; both directions work on.
 *  - half-closed and closed: after shutdown(SHUT_WR) the other end
 *    reads the data, then end of file, and the shut end cannot send
 *    (EPIPE) but still receives.  An end whose peer was closed reads
 *    what was queued, then behaves exactly as an un-checkpointed twin
 *    pair with the same history did before the checkpoint (stream: end
 *    of file, then EPIPE; datagram: EAGAIN, then ECONNREFUSED).
 *  - options: SO_PASSCRED, SO_SNDBUF, SO_RCVBUF, SO_RCVTIMEO,
 *    SO_SNDTIMEO, SO_PEEK_OFF (a peek starts there), SO_RCVLOWAT and
 *    SO_PRIORITY keep the values set, and defaults stay defaults.
 *  - credentials: datagrams and stream messages queued by the process,
 *    by its child (in the job) and with explicit SCM_CREDENTIALS come
 *    with the same pid, uid and gid, and stream messages of different
 *    writers are still not glued together; SO_PEERCRED of a pair that
 *    the child made under another effective uid and gid, passed to the
 *    parent with SCM_RIGHTS, still names the child and those ids.
 *  - a pair split between a parent and its child (CKPT_TREE): what each
 *    queued before the checkpoint arrives, and they ping-pong.
 *  - names: a listener bound to a path (absolute, or relative to the
 *    working directory) or to an abstract name, with an accepted
 *    connection: the names of all three ends are kept, new clients
 *    connect and are accepted, the old connection carries data both
 *    ways; autobound names are kept and stay registered (bind() to one
 *    is EADDRINUSE, a datagram sent to one arrives).  A datagram server
 *    bound to a path gives its queued datagrams with the sender
 *    addresses that an un-checkpointed twin server got, and its replies
 *    reach those senders.
 *  - descriptors: O_NONBLOCK and FD_CLOEXEC are kept, and dup()ed fds
 *    of one socket stay one open file description.
 *  - descriptors in flight (sent with SCM_RIGHTS, not received yet):
 *    each message comes with its own descriptors, and none is on a
 *    descriptor of the restored process before it is received: on a
 *    stream pair, on datagram and SOCK_SEQPACKET pairs (messages with
 *    none, with two, a zero-length one with one), both ways on a pair
 *    split between a parent and its child.  What is received works as
 *    before: an eventfd keeps its counter; a pipe's read end gives the
 *    data in the pipe, then what the write end kept writes; a regular
 *    file keeps its access mode and offset, a memfd its name, contents
 *    and offset; a directory, an O_PATH fd, an inotify instance with its
 *    watch and queued event, a signalfd and a timerfd work.  A file both
 *    on a descriptor and in flight, or in flight in two messages, is one
 *    open file description after receipt (one offset, one O_NONBLOCK).
 *
 * Refused, with the job left running and its sockets working: a socket,
 * or its socketpair peer, also held by a process outside the job, and a
 * connection whose accepted end is outside (EBUSY, the holder named); a
 * socket or an epoll set in flight (EOPNOTSUPP; the log says "in
 * flight" and names the fd of the socket it is queued on), an eventfd
 * in flight that a process outside the job holds too (EBUSY, the holder
 * named), a file in flight holding a flock() lock (EBUSY, the lock on
 * the log); a connection not yet accepted, pending MSG_OOB data
 * (EOPNOTSUPP, the reason on the log).  A restart whose listener's path
 * another listener has taken meanwhile fails, naming the path, and
 * leaves no process.
 *
 * Nothing waits for time to pass: a restored process waits (poll) at
 * most WAIT_MS for data that must come.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <linux/sockios.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/* How long a restored process waits for data that must come. */
#define WAIT_MS		10000

/* fds 3..MAX_FDS-1 can be in a snapshot. */
#define MAX_FDS		16

/* --------------------------------------------------------------------
 * Addresses
 */

/*
 * Fill @a with the unix address @name: a path, or an abstract name if
 * it starts with '@' (which stands for the leading NUL).  Returns its
 * length as bind() and connect() take it.
 */
static socklen_t un_addr(struct sockaddr_un *a, const char *name)
{
	size_t n = strlen(name);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (n >= sizeof(a->sun_path))
		n = sizeof(a->sun_path) - 1;
	memcpy(a->sun_path, name, n);
	if (name[0] == '@') {
		a->sun_path[0] = '\0';
		return offsetof(struct sockaddr_un, sun_path) + n;
	}
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

/* @a of @len bytes as text, in @buf: "(unnamed)", "@abstract" or a path. */
static const char *un_str(const struct sockaddr_un *a, socklen_t len, char *buf, size_t size)
{
	size_t off = offsetof(struct sockaddr_un, sun_path), i, n;
	char c;

	if (len > sizeof(*a))
		len = sizeof(*a);
	if (len <= off)
		return len ? "(unnamed)" : "(no address)";
	n = len - off;
	if (a->sun_path[0]) {
		snprintf(buf, size, "%.*s", (int)n, a->sun_path);
		return buf;
	}
	for (i = 0; i < n && i + 1 < size; i++) {
		c = a->sun_path[i];
		buf[i] = !i ? '@' : isprint((unsigned char)c) ? c : '.';
	}
	buf[i] = '\0';
	return buf;
}

/* --------------------------------------------------------------------
 * Making sockets (in the child)
 */

/* socket(AF_UNIX, @type), which must come out as fd @fd. */
static void new_sock(int code, int type, int fd)
{
	int s = socket(AF_UNIX, type, 0);

	CHILD_CHECK(code, s == fd, "socket: fd %d (%s), expected fd %d", s, strerror(errno), fd);
}

/* A socketpair of @type at fds @fd and @fd + 1. */
static void new_pair(int code, int type, int fd)
{
	int sv[2] = { -1, -1 };

	CHILD_CHECK(code, !socketpair(AF_UNIX, type, 0, sv), "socketpair: %s", strerror(errno));
	CHILD_CHECK(code, sv[0] == fd && sv[1] == fd + 1, "socketpair at fds %d %d, expected %d %d",
		    sv[0], sv[1], fd, fd + 1);
}

static void bind_to(int code, int fd, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = un_addr(&a, name);

	CHILD_CHECK(code, !bind(fd, (struct sockaddr *)&a, len), "fd %d: bind to %s: %s", fd, name,
		    strerror(errno));
}

/* Let the kernel choose an abstract name for @fd. */
static void autobind(int code, int fd)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	CHILD_CHECK(code, !bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t)),
		    "fd %d: bind with no name: %s", fd, strerror(errno));
}

static void connect_to(int code, int fd, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = un_addr(&a, name);

	CHILD_CHECK(code, !connect(fd, (struct sockaddr *)&a, len), "fd %d: connect to %s: %s", fd,
		    name, strerror(errno));
}

/* accept() a connection on the listener @fd, waiting up to WAIT_MS. */
static int accept_one(int code, int fd)
{
	int c;

	CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS), "listener fd %d: no connection in %d ms", fd,
		    WAIT_MS);
	c = accept(fd, NULL, NULL);
	CHILD_CHECK(code, c >= 0, "accept on fd %d: %s", fd, strerror(errno));
	return c;
}

static void set_int(int code, int fd, int opt, const char *name, int val)
{
	CHILD_CHECK(code, !setsockopt(fd, SOL_SOCKET, opt, &val, sizeof(val)),
		    "fd %d: %s = %d: %s", fd, name, val, strerror(errno));
}

static int get_int(int code, int fd, int opt, const char *name)
{
	socklen_t len = sizeof(int);
	int val = 0;

	CHILD_CHECK(code, !getsockopt(fd, SOL_SOCKET, opt, &val, &len), "fd %d: %s: %s", fd, name,
		    strerror(errno));
	return val;
}

static void set_timeout(int code, int fd, int opt, const char *name, const struct timeval *tv)
{
	CHILD_CHECK(code, !setsockopt(fd, SOL_SOCKET, opt, tv, sizeof(*tv)), "fd %d: %s: %s", fd,
		    name, strerror(errno));
}

static void get_peercred(int code, int fd, struct ucred *uc)
{
	socklen_t len = sizeof(*uc);

	CHILD_CHECK(code, !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len),
		    "fd %d: SO_PEERCRED: %s", fd, strerror(errno));
}

/* --------------------------------------------------------------------
 * Moving data (in the child)
 */

/* Byte pattern number @seed. */
static void pattern(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 131 + i * 7 + (i >> 8) * 13);
}

/* One send() of @len bytes (one datagram or record), without SIGPIPE or waiting. */
static void send_all(int code, int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	CHILD_CHECK(code, n == (ssize_t)len, "fd %d: send of %zu bytes: %zd (%s)", fd, len, n,
		    strerror(errno));
}

static void send_str(int code, int fd, const char *s)
{
	send_all(code, fd, s, strlen(s));
}

/* Receive exactly the @len bytes @want on @fd, waiting up to WAIT_MS. */
static void recv_exact(int code, int fd, const char *want, size_t len)
{
	char buf[256];
	size_t got = 0;
	ssize_t n;

	CHILD_CHECK(code, len <= sizeof(buf), "%zu bytes to receive", len);
	while (got < len) {
		CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS),
			    "fd %d: %zu of the %zu bytes of \"%.*s\" came", fd, got, len, (int)len,
			    want);
		n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		CHILD_CHECK(code, n > 0, "fd %d: recv: %zd (%s) after %zu bytes of \"%.*s\"", fd, n,
			    n ? strerror(errno) : "end of file", got, (int)len, want);
		got += n;
	}
	CHILD_CHECK(code, !memcmp(buf, want, len), "fd %d: received \"%.*s\", expected \"%.*s\"",
		    fd, (int)len, buf, (int)len, want);
}

static void recv_str(int code, int fd, const char *s)
{
	recv_exact(code, fd, s, strlen(s));
}

/*
 * Everything queued on the stream socket @fd, without waiting, up to
 * @size bytes into @buf.  Returns the count; *@eof: end of file came.
 */
static size_t drain(int code, int fd, char *buf, size_t size, bool *eof)
{
	size_t got = 0;
	ssize_t n;

	*eof = false;
	while (got < size) {
		n = recv(fd, buf + got, size - got, MSG_DONTWAIT);
		if (!n) {
			*eof = true;
			break;
		}
		if (n < 0) {
			CHILD_CHECK(code, errno == EAGAIN, "fd %d: recv: %s", fd, strerror(errno));
			break;
		}
		got += n;
	}
	return got;
}

/* Nothing to read on @fd, and no end of file either. */
static void expect_nothing(int code, int fd)
{
	ssize_t n;
	char c;

	n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
	CHILD_CHECK(code, n == -1 && errno == EAGAIN, "fd %d: more to read: %zd (%s)", fd, n,
		    n < 0 ? strerror(errno) : "");
}

/* The connected sockets @a and @b carry new data both ways. */
static void both_ways(int code, int a, int b)
{
	send_str(code, a, "ping");
	recv_str(code, b, "ping");
	send_str(code, b, "pong");
	recv_str(code, a, "pong");
}

/* A sendmsg() of @s with one control message (@type, @len bytes at @data). */
static void send_cmsg(int code, int fd, const char *s, int type, const void *data, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(64)];
	} c;
	struct iovec iov = { .iov_base = (void *)s, .iov_len = strlen(s) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = CMSG_SPACE(len),
	};
	struct cmsghdr *cm;
	ssize_t n;

	memset(&c, 0, sizeof(c));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
	n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	CHILD_CHECK(code, n == (ssize_t)iov.iov_len, "fd %d: sendmsg: %zd (%s)", fd, n,
		    strerror(errno));
}

/*
 * recvmsg() of one message on @fd (waiting up to WAIT_MS), which must
 * come with a control message @type: its first @len bytes go to @data.
 * Returns the length of the message.
 */
static ssize_t recv_cmsg(int code, int fd, char *buf, size_t size, int type, void *data,
			 size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(64)];
	} c;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof(c.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS), "fd %d: nothing to receive", fd);
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	CHILD_CHECK(code, n >= 0, "fd %d: recvmsg: %s", fd, strerror(errno));
	cm = CMSG_FIRSTHDR(&msg);
	CHILD_CHECK(code, cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == type &&
		    cm->cmsg_len >= CMSG_LEN(len), "fd %d: a message of %zd bytes without cmsg %d",
		    fd, n, type);
	memcpy(data, CMSG_DATA(cm), len);
	return n;
}

/* --------------------------------------------------------------------
 * What a socket shows without being read: snapshot and comparison
 */

#define OPT(o)	{ o, #o }

static const struct {
	int opt;
	const char *name;
} int_opts[] = {
	OPT(SO_TYPE), OPT(SO_DOMAIN), OPT(SO_PROTOCOL), OPT(SO_ACCEPTCONN),
	OPT(SO_PASSCRED), OPT(SO_SNDBUF), OPT(SO_RCVBUF), OPT(SO_PEEK_OFF),
	OPT(SO_RCVLOWAT), OPT(SO_PRIORITY),
};

struct un_name {
	int err;			/* errno of the call, 0 if it worked */
	socklen_t len;
	struct sockaddr_un addr;
};

struct sock_view {
	bool sock;			/* the fd is a socket */
	char flags[64];			/* its fdinfo "flags:" line */
	int opt[ARRAY_SIZE(int_opts)], opt_err[ARRAY_SIZE(int_opts)];
	struct timeval rcvtimeo, sndtimeo;
	struct ucred cred;
	int inq, inq_err;		/* SIOCINQ */
	struct un_name name, peer;
};

/* What fds 3..MAX_FDS-1 showed before the checkpoint. */
static struct sock_view before[MAX_FDS];

static void get_name(int fd, bool peer, struct un_name *n)
{
	int ret;

	memset(n, 0, sizeof(*n));
	n->len = sizeof(n->addr);
	if (peer)
		ret = getpeername(fd, (struct sockaddr *)&n->addr, &n->len);
	else
		ret = getsockname(fd, (struct sockaddr *)&n->addr, &n->len);
	if (ret)
		n->err = errno;
}

static bool same_name(const struct un_name *x, const struct un_name *y)
{
	return x->err == y->err && x->len == y->len &&
	       !memcmp(&x->addr, &y->addr, x->len < sizeof(x->addr) ? x->len : sizeof(x->addr));
}

/* The line of @info that starts with @key, into @out. */
static void info_line(const char *info, const char *key, char *out, size_t size)
{
	const char *p = info;
	size_t klen = strlen(key);

	out[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, klen)) {
			snprintf(out, size, "%.*s", (int)(strchrnul(p, '\n') - p), p);
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* What @fd shows, into @v.  0, or -1 if it is not a socket. */
static int view(int fd, struct sock_view *v)
{
	char path[64], info[1024];
	struct stat st;
	socklen_t len;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return -1;
	v->sock = true;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (ckpt_read_file(path, info, sizeof(info)) > 0)
		info_line(info, "flags:", v->flags, sizeof(v->flags));
	for (i = 0; i < ARRAY_SIZE(int_opts); i++) {
		len = sizeof(v->opt[i]);
		if (getsockopt(fd, SOL_SOCKET, int_opts[i].opt, &v->opt[i], &len))
			v->opt_err[i] = errno;
	}
	len = sizeof(v->rcvtimeo);
	getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &v->rcvtimeo, &len);
	len = sizeof(v->sndtimeo);
	getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &v->sndtimeo, &len);
	len = sizeof(v->cred);
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &v->cred, &len);
	if (ioctl(fd, SIOCINQ, &v->inq))
		v->inq_err = errno;
	get_name(fd, false, &v->name);
	get_name(fd, true, &v->peer);
	return 0;
}

/* Keep what fds 3..@last show, for same_view(). */
static void snapshot(int last)
{
	int fd;

	CHILD_CHECK(1, last < MAX_FDS, "fd %d: too many fds to keep", last);
	for (fd = 3; fd <= last; fd++)
		view(fd, &before[fd]);
}

/* The socket @fd shows what it showed in the snapshot. */
static void same_view(int code, int fd)
{
	const struct sock_view *b = &before[fd];
	char x[128], y[128];
	struct sock_view a;
	unsigned int i;

	CHILD_CHECK(code, fd < MAX_FDS && b->sock, "fd %d was not a socket in the snapshot", fd);
	CHILD_CHECK(code, !view(fd, &a), "fd %d is not a socket any more", fd);
	CHILD_CHECK(code, !strcmp(a.flags, b->flags), "fd %d: fdinfo \"%s\", was \"%s\"", fd,
		    a.flags, b->flags);
	for (i = 0; i < ARRAY_SIZE(int_opts); i++)
		CHILD_CHECK(code, a.opt[i] == b->opt[i] && a.opt_err[i] == b->opt_err[i],
			    "fd %d: %s is %d (%s), was %d (%s)", fd, int_opts[i].name, a.opt[i],
			    strerror(a.opt_err[i]), b->opt[i], strerror(b->opt_err[i]));
	CHILD_CHECK(code, a.rcvtimeo.tv_sec == b->rcvtimeo.tv_sec &&
		    a.rcvtimeo.tv_usec == b->rcvtimeo.tv_usec,
		    "fd %d: SO_RCVTIMEO is %ld.%06ld s, was %ld.%06ld s", fd,
		    (long)a.rcvtimeo.tv_sec, (long)a.rcvtimeo.tv_usec,
		    (long)b->rcvtimeo.tv_sec, (long)b->rcvtimeo.tv_usec);
	CHILD_CHECK(code, a.sndtimeo.tv_sec == b->sndtimeo.tv_sec &&
		    a.sndtimeo.tv_usec == b->sndtimeo.tv_usec,
		    "fd %d: SO_SNDTIMEO is %ld.%06ld s, was %ld.%06ld s", fd,
		    (long)a.sndtimeo.tv_sec, (long)a.sndtimeo.tv_usec,
		    (long)b->sndtimeo.tv_sec, (long)b->sndtimeo.tv_usec);
	CHILD_CHECK(code, a.cred.pid == b->cred.pid && a.cred.uid == b->cred.uid &&
		    a.cred.gid == b->cred.gid,
		    "fd %d: SO_PEERCRED is pid %d uid %d gid %d, was pid %d uid %d gid %d", fd,
		    (int)a.cred.pid, (int)a.cred.uid, (int)a.cred.gid, (int)b->cred.pid,
		    (int)b->cred.uid, (int)b->cred.gid);
	CHILD_CHECK(code, a.inq == b->inq && a.inq_err == b->inq_err,
		    "fd %d: SIOCINQ is %d (%s), was %d (%s)", fd, a.inq, strerror(a.inq_err),
		    b->inq, strerror(b->inq_err));
	CHILD_CHECK(code, same_name(&a.name, &b->name), "fd %d: getsockname %s (%s), was %s (%s)",
		    fd, un_str(&a.name.addr, a.name.len, x, sizeof(x)), strerror(a.name.err),
		    un_str(&b->name.addr, b->name.len, y, sizeof(y)), strerror(b->name.err));
	CHILD_CHECK(code, same_name(&a.peer, &b->peer), "fd %d: getpeername %s (%s), was %s (%s)",
		    fd, un_str(&a.peer.addr, a.peer.len, x, sizeof(x)), strerror(a.peer.err),
		    un_str(&b->peer.addr, b->peer.len, y, sizeof(y)), strerror(b->peer.err));
}

/* same_view() of every fd from 3 to @last that was a socket. */
static void same_views(int code, int last)
{
	int fd;

	for (fd = 3; fd <= last && fd < MAX_FDS; fd++)
		if (before[fd].sock)
			same_view(code, fd);
}

/* --------------------------------------------------------------------
 * The test side
 */

/* The usual test: set up, checkpoint with CKPT_KILL, restart, verify. */
static void cycle(struct __test_metadata *_metadata, int (*setup)(void), int (*verify)(void))
{
	pid_t child;

	child = ckpt_spawn(setup, verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * A job of a root and the helper it forks, checkpointed as a tree with
 * CKPT_KILL and restarted.  Only the root is woken: it wakes the helper
 * (wake_helper()) once nothing it does can change what the helper is
 * about to check.  Each checks its own sockets.
 */
#define ROLE_ROOT	1
#define ROLE_HELPER	2

static void tree_cycle(struct __test_metadata *_metadata, int (*root_main)(void *))
{
	struct ckpt_member m[2];
	int n = 0, fd;
	pid_t root;

	/* The original helper comes to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(root_main, NULL, 0, NULL, 0, m, &n, 2);
	ASSERT_GT(root, 0);
	ASSERT_EQ(2, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(root, fd, CKPT_TREE | CKPT_KILL)) {
		ckpt_kill_reap(root);
		ckpt_job_gone(m, n, 10000);
	}
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	ASSERT_EQ(root, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_wake_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* In the root: wake the helper @h. */
static void wake_helper(int code, pid_t h)
{
	CHILD_CHECK(code, !kill(h, CKPT_WAKE_SIG), "kill(%d): %s", (int)h, strerror(errno));
}

/* In the root: wait for the helper @h, which must exit 0. */
static void reap_helper(int code, pid_t h)
{
	int st = -1;
	pid_t r;

	do {
		r = waitpid(h, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(code, r == h && WIFEXITED(st) && !WEXITSTATUS(st),
		    "helper %d: waitpid %d, status %#x (exit %d)", (int)h, (int)r, st,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* A fresh directory for socket files: /tmp/ckpt-unix-PID. */
static char sock_dir[64];

static int make_dir(void)
{
	snprintf(sock_dir, sizeof(sock_dir), "/tmp/ckpt-unix-%d", (int)getpid());
	return mkdir(sock_dir, 0755);
}

/* Remove sock_dir and the socket files in it. */
static void remove_dir(void)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir(sock_dir);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(dir), de->d_name, 0);
	closedir(dir);
	rmdir(sock_dir);
}

/* --------------------------------------------------------------------
 * Socketpairs: the bytes and messages queued
 */

/* fds 3, 4: a stream pair; 1000 bytes queued to 4, three writes to 3. */
#define BIG_LEN		1000

static const char *const small_writes[] = { "first", "second write", "3" };
static const char small_all[] = "firstsecond write3";

static int stream_setup(void)
{
	char big[BIG_LEN];
	unsigned int i;

	new_pair(1, SOCK_STREAM, 3);
	pattern(big, sizeof(big), 1);
	send_all(1, 3, big, sizeof(big));
	for (i = 0; i < ARRAY_SIZE(small_writes); i++)
		send_str(1, 4, small_writes[i]);
	snapshot(4);
	return 0;
}

static int stream_verify(void)
{
	char want[BIG_LEN], buf[2 * BIG_LEN];
	bool eof;
	size_t n;

	same_views(2, 4);
	pattern(want, sizeof(want), 1);
	n = drain(3, 4, buf, sizeof(buf), &eof);
	CHILD_CHECK(3, n == BIG_LEN && !eof, "fd 4: %zu bytes%s, expected %d", n,
		    eof ? " and end of file" : "", BIG_LEN);
	CHILD_CHECK(3, !memcmp(buf, want, BIG_LEN), "fd 4: the bytes differ");
	n = drain(4, 3, buf, sizeof(buf), &eof);
	CHILD_CHECK(4, n == strlen(small_all) && !memcmp(buf, small_all, n) && !eof,
		    "fd 3: \"%.*s\"%s, expected \"%s\"", (int)n, buf, eof ? " and end of file" : "",
		    small_all);
	both_ways(5, 3, 4);
	return 0;
}

TEST(stream_socketpair_keeps_the_bytes_queued_both_ways)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle(_metadata, stream_setup, stream_verify);
}

/*
 * fds 3, 4: a datagram or SOCK_SEQPACKET pair; messages of rec_sizes
 * queued to 4, of back_sizes to 3, zero-length ones included.
 */
static const unsigned int rec_sizes[] = { 100, 0, 1, 3000, 17, 0, 64 };
static const unsigned int back_sizes[] = { 9, 0, 200 };

static int rec_type;

static void send_records(int code, int fd, const unsigned int *sizes, unsigned int n,
			 unsigned int seed)
{
	char buf[4096];
	unsigned int i;

	for (i = 0; i < n; i++) {
		pattern(buf, sizes[i], seed + i);
		send_all(code, fd, buf, sizes[i]);
	}
}

/* Receive those messages on @fd, one per recv(), and nothing more. */
static void recv_records(int code, int fd, const unsigned int *sizes, unsigned int n,
			 unsigned int seed)
{
	char buf[8192], want[4096];
	unsigned int i;
	ssize_t got;

	for (i = 0; i < n; i++) {
		pattern(want, sizes[i], seed + i);
		got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		CHILD_CHECK(code, got == (ssize_t)sizes[i],
			    "fd %d: message %u: %zd bytes (%s), expected %u", fd, i, got,
			    got < 0 ? strerror(errno) : "", sizes[i]);
		CHILD_CHECK(code, !memcmp(buf, want, sizes[i]),
			    "fd %d: message %u: the bytes differ", fd, i);
	}
	expect_nothing(code, fd);
}

static int records_setup(void)
{
	new_pair(1, rec_type, 3);
	send_records(1, 3, rec_sizes, ARRAY_SIZE(rec_sizes), 10);
	send_records(1, 4, back_sizes, ARRAY_SIZE(back_sizes), 20);
	snapshot(4);
	return 0;
}

static int records_verify(void)
{
	same_views(2, 4);
	recv_records(3, 4, rec_sizes, ARRAY_SIZE(rec_sizes), 10);
	recv_records(4, 3, back_sizes, ARRAY_SIZE(back_sizes), 20);
	send_records(5, 3, back_sizes, ARRAY_SIZE(back_sizes), 30);
	recv_records(5, 4, back_sizes, ARRAY_SIZE(back_sizes), 30);
	send_records(6, 4, rec_sizes, ARRAY_SIZE(rec_sizes), 40);
	recv_records(6, 3, rec_sizes, ARRAY_SIZE(rec_sizes), 40);
	return 0;
}

TEST(dgram_socketpair_keeps_the_datagrams_and_their_boundaries)
{
	if (!ckpt_preamble(_metadata))
		return;
	rec_type = SOCK_DGRAM;
	cycle(_metadata, records_setup, records_verify);
}

TEST(seqpacket_socketpair_keeps_the_records_and_their_boundaries)
{
	if (!ckpt_preamble(_metadata))
		return;
	rec_type = SOCK_SEQPACKET;
	cycle(_metadata, records_setup, records_verify);
}

/*
 * fds 3, 4: a stream pair; 100 bytes written to 4 and 30 of them read,
 * then 20 more written: the 70 unread and the 20 come back.
 */
static int partial_setup(void)
{
	char buf[100];

	new_pair(1, SOCK_STREAM, 3);
	pattern(buf, 100, 4);
	send_all(1, 3, buf, 100);
	CHILD_CHECK(1, recv(4, buf, 30, MSG_DONTWAIT) == 30, "recv of 30 bytes: %s",
		    strerror(errno));
	pattern(buf, 20, 5);
	send_all(1, 3, buf, 20);
	snapshot(4);
	return 0;
}

static int partial_verify(void)
{
	char want[100], buf[256];
	bool eof;
	size_t n;

	same_views(2, 4);
	n = drain(3, 4, buf, sizeof(buf), &eof);
	CHILD_CHECK(3, n == 90 && !eof, "fd 4: %zu bytes%s, expected 70 + 20", n,
		    eof ? " and end of file" : "");
	pattern(want, 100, 4);
	CHILD_CHECK(4, !memcmp(buf, want + 30, 70), "the 70 bytes not read differ");
	pattern(want, 20, 5);
	CHILD_CHECK(5, !memcmp(buf + 70, want, 20), "the 20 bytes after them differ");
	both_ways(6, 3, 4);
	return 0;
}

TEST(stream_message_partly_read_gives_back_the_unread_rest)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle(_metadata, partial_setup, partial_verify);
}

/* --------------------------------------------------------------------
 * Half-closed and closed
 */

/* fds 3, 4: a stream pair, data queued both ways, then shutdown(3, SHUT_WR). */
static int shutdown_setup(void)
{
	new_pair(1, SOCK_STREAM, 3);
	send_str(1, 4, "to the shut end");
	send_str(1, 3, "before the shutdown");
	CHILD_CHECK(1, !shutdown(3, SHUT_WR), "shutdown: %s", strerror(errno));
	snapshot(4);
	return 0;
}

static int shutdown_verify(void)
{
	char buf[64];
	bool eof;
	size_t n;

	same_views(2, 4);
	n = drain(3, 4, buf, sizeof(buf), &eof);
	CHILD_CHECK(3, n == strlen("before the shutdown") && !memcmp(buf, "before the shutdown", n),
		    "fd 4: \"%.*s\"", (int)n, buf);
	CHILD_CHECK(4, eof, "fd 4: no end of file after the data");
	CHILD_CHECK(4, recv(4, buf, 1, MSG_DONTWAIT) == 0, "fd 4: no end of file the second time");
	errno = 0;
	CHILD_CHECK(5, send(3, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == -1 && errno == EPIPE,
		    "fd 3: send after SHUT_WR: %s", errno ? strerror(errno) : "it worked");
	/* The shut end still receives. */
	n = drain(6, 3, buf, sizeof(buf), &eof);
	CHILD_CHECK(6, n == strlen("to the shut end") && !memcmp(buf, "to the shut end", n) && !eof,
		    "fd 3: \"%.*s\"%s", (int)n, buf, eof ? " and end of file" : "");
	send_str(7, 4, "after");
	recv_str(7, 3, "after");
	return 0;
}

TEST(shutdown_wr_gives_the_data_then_eof_and_the_shut_end_epipe)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle(_metadata, shutdown_setup, shutdown_verify);
}

/*
 * fds 3, 4: a pair of closed_type; closed_msgs sent from 3 to 4, then 3
 * closed.  Its twin, made, closed and looked at the same way before the
 * checkpoint, says what fd 4 must show.
 */
static const char *const closed_msgs[] = { "one", "", "three" };

static int closed_type;
static char closed_twin[512];

/* Append to the text @out of @size bytes. */
static void append(char *out, size_t size, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(out + len, size - len, fmt, ap);
	va_end(ap);
}

static void closed_make(int code, int a)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(closed_msgs); i++)
		send_str(code, a, closed_msgs[i]);
	CHILD_CHECK(code, !close(a), "close: %s", strerror(errno));
}

/*
 * What @fd, whose peer was closed, shows: recv() up to two times more
 * than there were messages, then one send(), as text in @out.
 */
static void closed_observe(int fd, char *out, size_t size)
{
	unsigned int i;
	char buf[64];
	ssize_t n;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(closed_msgs) + 2; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n >= 0)
			append(out, size, "recv \"%.*s\"; ", (int)n, buf);
		else
			append(out, size, "recv: %s; ", strerror(errno));
	}
	n = send(fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	append(out, size, "send: %s", n < 0 ? strerror(errno) : "sent");
}

static int closed_setup(void)
{
	new_pair(1, closed_type, 3);
	closed_make(1, 3);
	closed_observe(4, closed_twin, sizeof(closed_twin));
	CHILD_CHECK(1, !close(4), "close: %s", strerror(errno));
	new_pair(1, closed_type, 3);
	closed_make(1, 3);
	snapshot(4);
	return 0;
}

static int closed_verify(void)
{
	char now[512];

	same_views(2, 4);
	closed_observe(4, now, sizeof(now));
	CHILD_CHECK(3, !strcmp(now, closed_twin), "fd 4: %s; its twin before the checkpoint: %s",
		    now, closed_twin);
	ckpt_msg("as the twin: %s", now);
	return 0;
}

TEST(stream_peer_closed_gives_the_data_then_eof_and_epipe)
{
	if (!ckpt_preamble(_metadata))
		return;
	closed_type = SOCK_STREAM;
	cycle(_metadata, closed_setup, closed_verify);
}

TEST(dgram_peer_closed_keeps_the_datagrams_and_send_fails_as_before)
{
	if (!ckpt_preamble(_metadata))
		return;
	closed_type = SOCK_DGRAM;
	cycle(_metadata, closed_setup, closed_verify);
}

TEST(seqpacket_peer_closed_gives_the_records_then_eof_as_before)
{
	if (!ckpt_preamble(_metadata))
		return;
	closed_type = SOCK_SEQPACKET;
	cycle(_metadata, closed_setup, closed_verify);
}

/* --------------------------------------------------------------------
 * Options
 *
 * fds 3, 4: a stream pair, fd 3 with every option set, fd 4 with none,
 * and data queued to 3 by 4; fd 5: an unbound datagram socket with some.
 */

static const struct timeval rcv_tmo = { 2, 500000 };
static const struct timeval snd_tmo = { 1, 250000 };
static const struct timeval dg_tmo = { 0, 300000 };

static const char opts_data[] = "0123456789abcdef";

static int opts_setup(void)
{
	new_pair(1, SOCK_STREAM, 3);
	new_sock(1, SOCK_DGRAM, 5);
	set_int(1, 3, SO_PASSCRED, "SO_PASSCRED", 1);
	set_int(1, 3, SO_SNDBUF, "SO_SNDBUF", 40000);
	set_int(1, 3, SO_RCVBUF, "SO_RCVBUF", 50000);
	set_timeout(1, 3, SO_RCVTIMEO, "SO_RCVTIMEO", &rcv_tmo);
	set_timeout(1, 3, SO_SNDTIMEO, "SO_SNDTIMEO", &snd_tmo);
	set_int(1, 3, SO_PEEK_OFF, "SO_PEEK_OFF", 5);
	set_int(1, 3, SO_RCVLOWAT, "SO_RCVLOWAT", 10);
	set_int(1, 3, SO_PRIORITY, "SO_PRIORITY", 3);
	set_int(1, 5, SO_PASSCRED, "SO_PASSCRED", 1);
	set_int(1, 5, SO_SNDBUF, "SO_SNDBUF", 30000);
	set_int(1, 5, SO_RCVBUF, "SO_RCVBUF", 20000);
	set_timeout(1, 5, SO_RCVTIMEO, "SO_RCVTIMEO", &dg_tmo);
	set_int(1, 5, SO_PRIORITY, "SO_PRIORITY", 6);
	send_str(1, 4, opts_data);
	snapshot(5);
	/* The snapshot has the values set, not defaults: they took. */
	CHILD_CHECK(1, get_int(1, 3, SO_PEEK_OFF, "SO_PEEK_OFF") == 5 &&
		    get_int(1, 4, SO_PEEK_OFF, "SO_PEEK_OFF") == -1 &&
		    get_int(1, 3, SO_RCVLOWAT, "SO_RCVLOWAT") == 10 &&
		    get_int(1, 3, SO_PRIORITY, "SO_PRIORITY") == 3 &&
		    get_int(1, 5, SO_PASSCRED, "SO_PASSCRED") == 1 &&
		    before[3].rcvtimeo.tv_sec == 2 && before[5].rcvtimeo.tv_usec,
		    "an option did not take");
	return 0;
}

static int opts_verify(void)
{
	struct ucred uc;
	char buf[64];
	ssize_t n;

	same_views(2, 5);
	/* SO_PEEK_OFF: a peek starts at byte 5, and moves it on. */
	n = recv(3, buf, 4, MSG_PEEK | MSG_DONTWAIT);
	CHILD_CHECK(3, n == 4 && !memcmp(buf, "5678", 4), "peek at SO_PEEK_OFF 5: \"%.*s\"",
		    n > 0 ? (int)n : 0, buf);
	n = get_int(3, 3, SO_PEEK_OFF, "SO_PEEK_OFF");
	CHILD_CHECK(3, n == 9, "SO_PEEK_OFF %zd after a peek of 4 bytes at 5", n);
	/* SO_PASSCRED: the data come with our credentials. */
	n = recv_cmsg(4, 3, buf, sizeof(buf), SCM_CREDENTIALS, &uc, sizeof(uc));
	CHILD_CHECK(4, n == (ssize_t)strlen(opts_data) && !memcmp(buf, opts_data, n),
		    "fd 3: \"%.*s\"", (int)n, buf);
	CHILD_CHECK(5, uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid(),
		    "credentials pid %d uid %d gid %d", (int)uc.pid, (int)uc.uid, (int)uc.gid);
	both_ways(6, 3, 4);
	return 0;
}

TEST(options_keep_their_values)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle(_metadata, opts_setup, opts_verify);
}

/* --------------------------------------------------------------------
 * Credentials
 *
 * The root: fds 3, 4 a datagram pair, 5, 6 a stream pair, SO_PASSCRED
 * on 4 and 6.  To each of 4 and 6 go one message of the root, one of the
 * helper it forked (both sharing the four fds), and one the root sends
 * with explicit SCM_CREDENTIALS: the helper's pid, uid CR_UID, gid
 * CR_GID.  After restart the root receives them with those credentials,
 * the stream messages one writer at a time.
 */

#define CR_UID		1001
#define CR_GID		1002

static const char *const cr_dgram[] = { "A", "B", "C" };
static const char *const cr_stream[] = { "aaaa", "bbbb", "cccc" };
static struct ucred cr_want[3];

static int creds_helper(int sync)
{
	send_str(30, 3, cr_dgram[1]);
	send_str(30, 5, cr_stream[1]);
	CHILD_CHECK(30, write(sync, "s", 1) == 1, "write: %s", strerror(errno));
	close(sync);
	ckpt_member_wait(ROLE_HELPER);
	return 0;
}

static void same_cred(int code, const char *what, int i, const struct ucred *uc)
{
	const struct ucred *w = &cr_want[i];

	CHILD_CHECK(code, uc->pid == w->pid && uc->uid == w->uid && uc->gid == w->gid,
		    "%s %d: pid %d uid %d gid %d, sent with pid %d uid %d gid %d", what, i,
		    (int)uc->pid, (int)uc->uid, (int)uc->gid, (int)w->pid, (int)w->uid,
		    (int)w->gid);
}

static int creds_root(void *arg)
{
	struct ucred uc;
	char buf[64], c;
	int p[2], i;
	ssize_t n;
	pid_t h;

	(void)arg;
	new_pair(20, SOCK_DGRAM, 3);
	new_pair(20, SOCK_STREAM, 5);
	set_int(20, 4, SO_PASSCRED, "SO_PASSCRED", 1);
	set_int(20, 6, SO_PASSCRED, "SO_PASSCRED", 1);
	CHILD_CHECK(20, !pipe(p) && p[0] == 7 && p[1] == 8, "pipe: %s", strerror(errno));
	send_str(20, 3, cr_dgram[0]);
	send_str(20, 5, cr_stream[0]);
	h = ckpt_member_fork();
	CHILD_CHECK(20, h >= 0, "fork: %s", strerror(errno));
	if (h == 0) {
		close(7);
		_exit(creds_helper(8));
	}
	close(8);
	CHILD_CHECK(20, read(7, &c, 1) == 1, "the helper did not send");
	close(7);
	cr_want[0] = (struct ucred){ .pid = getpid(), .uid = getuid(), .gid = getgid() };
	cr_want[1] = (struct ucred){ .pid = h, .uid = getuid(), .gid = getgid() };
	cr_want[2] = (struct ucred){ .pid = h, .uid = CR_UID, .gid = CR_GID };
	send_cmsg(20, 3, cr_dgram[2], SCM_CREDENTIALS, &cr_want[2], sizeof(cr_want[2]));
	send_cmsg(20, 5, cr_stream[2], SCM_CREDENTIALS, &cr_want[2], sizeof(cr_want[2]));
	snapshot(6);
	ckpt_member_wait(ROLE_ROOT);

	same_views(21, 6);
	for (i = 0; i < 3; i++) {
		n = recv_cmsg(22, 4, buf, sizeof(buf), SCM_CREDENTIALS, &uc, sizeof(uc));
		CHILD_CHECK(22, n == 1 && buf[0] == cr_dgram[i][0],
			    "datagram %d: \"%.*s\", expected \"%s\"", i, (int)n, buf, cr_dgram[i]);
		same_cred(23, "datagram", i, &uc);
	}
	expect_nothing(24, 4);
	for (i = 0; i < 3; i++) {
		n = recv_cmsg(25, 6, buf, sizeof(buf), SCM_CREDENTIALS, &uc, sizeof(uc));
		CHILD_CHECK(25, n == 4 && !memcmp(buf, cr_stream[i], 4),
			    "stream read %d: \"%.*s\", expected \"%s\" alone", i, (int)n, buf,
			    cr_stream[i]);
		same_cred(26, "stream message", i, &uc);
	}
	expect_nothing(27, 6);
	wake_helper(28, h);
	reap_helper(28, h);
	return 0;
}

TEST(scm_credentials_of_queued_messages_are_kept)
{
	if (!ckpt_preamble(_metadata))
		return;
	tree_cycle(_metadata, creds_root);
}

/*
 * The root makes the stream pair 3, 4 and forks the helper; the helper
 * makes the pair 5, 6 with effective uid PC_UID and gid PC_GID, passes 5
 * to the root through 4 (SCM_RIGHTS; it is the root's fd 5) and keeps 6.
 * SO_PEERCRED: the root for 3 and 4, the helper with PC_UID and PC_GID
 * for 5 and 6, before the checkpoint and after.
 */
#define PC_UID		1001
#define PC_GID		1002

static void expect_peercred(int code, int fd, pid_t pid, uid_t uid, gid_t gid)
{
	struct ucred uc;

	get_peercred(code, fd, &uc);
	CHILD_CHECK(code, uc.pid == pid && uc.uid == uid && uc.gid == gid,
		    "fd %d: SO_PEERCRED pid %d uid %d gid %d, expected %d %d %d", fd, (int)uc.pid,
		    (int)uc.uid, (int)uc.gid, (int)pid, (int)uid, (int)gid);
}

static int peercred_helper(pid_t root)
{
	int fd = 5;

	CHILD_CHECK(30, !setegid(PC_GID) && !seteuid(PC_UID), "seteuid: %s", strerror(errno));
	new_pair(30, SOCK_STREAM, 5);
	CHILD_CHECK(30, !seteuid(0) && !setegid(0), "seteuid back: %s", strerror(errno));
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	send_cmsg(30, 4, "fd", SCM_RIGHTS, &fd, sizeof(fd));
	close(5);
	expect_peercred(30, 6, getpid(), PC_UID, PC_GID);
	snapshot(6);
	ckpt_member_wait(ROLE_HELPER);

	/* fds 3 and 4 are the root's too: it checks them. */
	same_view(31, 6);
	expect_peercred(32, 6, getpid(), PC_UID, PC_GID);
	expect_peercred(32, 4, root, 0, 0);
	send_str(33, 6, "checked");
	recv_str(33, 6, "hello");
	return 0;
}

static int peercred_root(void *arg)
{
	char buf[8];
	int fd = -1;
	pid_t h;

	(void)arg;
	CHILD_CHECK(20, !getuid() && !getgid(), "not root");
	new_pair(20, SOCK_STREAM, 3);
	h = ckpt_member_fork();
	CHILD_CHECK(20, h >= 0, "fork: %s", strerror(errno));
	if (h == 0)
		_exit(peercred_helper(getppid()));
	recv_cmsg(20, 3, buf, sizeof(buf), SCM_RIGHTS, &fd, sizeof(fd));
	CHILD_CHECK(20, fd == 5, "received fd %d", fd);
	expect_peercred(20, 5, h, PC_UID, PC_GID);
	expect_peercred(20, 3, getpid(), 0, 0);
	snapshot(5);
	ckpt_member_wait(ROLE_ROOT);

	same_views(21, 5);
	expect_peercred(22, 3, getpid(), 0, 0);
	expect_peercred(22, 4, getpid(), 0, 0);
	expect_peercred(23, 5, h, PC_UID, PC_GID);
	wake_helper(24, h);
	recv_str(24, 5, "checked");
	send_str(24, 5, "hello");
	reap_helper(25, h);
	return 0;
}

TEST(so_peercred_is_kept_for_pairs_made_by_another_process)
{
	if (!ckpt_preamble(_metadata))
		return;
	tree_cycle(_metadata, peercred_root);
}

/* --------------------------------------------------------------------
 * A pair split between two processes
 *
 * The root makes the pair 3, 4 of pp_type, queues a message to 4, forks
 * the helper and closes 4; the helper closes 3 and queues a message to
 * 3.  After restart the root checks its end and reads the helper's
 * message, then wakes the helper, which checks its end and says so; the
 * helper reads the root's message, they ping-pong PINGS times, and the
 * root closes its end: the helper reads end of file.
 */
#define PINGS		20

static int pp_type;

static int pingpong_helper(void)
{
	char msg[16];
	int i;

	close(3);
	send_str(30, 4, "to the root, before");
	snapshot(4);
	ckpt_member_wait(ROLE_HELPER);

	same_view(31, 4);
	send_str(32, 4, "checked");
	recv_str(32, 4, "to the helper, before");
	for (i = 0; i < PINGS; i++) {
		snprintf(msg, sizeof(msg), "ping %02d", i);
		recv_str(33, 4, msg);
		snprintf(msg, sizeof(msg), "pong %02d", i);
		send_str(34, 4, msg);
	}
	CHILD_CHECK(35, ckpt_readable(4, WAIT_MS) && recv(4, msg, sizeof(msg), MSG_DONTWAIT) == 0,
		    "no end of file once the root closed its end");
	return 0;
}

static int pingpong_root(void *arg)
{
	char msg[16];
	pid_t h;
	int i;

	(void)arg;
	new_pair(20, pp_type, 3);
	send_str(20, 3, "to the helper, before");
	h = ckpt_member_fork();
	CHILD_CHECK(20, h >= 0, "fork: %s", strerror(errno));
	if (h == 0)
		_exit(pingpong_helper());
	close(4);
	/* The helper's message is there before the snapshot. */
	CHILD_CHECK(20, ckpt_readable(3, WAIT_MS), "the helper sent nothing");
	snapshot(3);
	ckpt_member_wait(ROLE_ROOT);

	same_view(21, 3);
	recv_str(22, 3, "to the root, before");
	wake_helper(22, h);
	recv_str(22, 3, "checked");
	for (i = 0; i < PINGS; i++) {
		snprintf(msg, sizeof(msg), "ping %02d", i);
		send_str(23, 3, msg);
		snprintf(msg, sizeof(msg), "pong %02d", i);
		recv_str(24, 3, msg);
	}
	close(3);
	reap_helper(25, h);
	return 0;
}

TEST(stream_pair_split_between_parent_and_child_ping_pongs)
{
	if (!ckpt_preamble(_metadata))
		return;
	pp_type = SOCK_STREAM;
	tree_cycle(_metadata, pingpong_root);
}

TEST(seqpacket_pair_split_between_parent_and_child_ping_pongs)
{
	if (!ckpt_preamble(_metadata))
		return;
	pp_type = SOCK_SEQPACKET;
	tree_cycle(_metadata, pingpong_root);
}

/* --------------------------------------------------------------------
 * Listeners and names
 *
 * In sock_dir, the working directory: fd 3 listens, bound to srv_name
 * ("srv", relative, or its absolute path srv_path); fd 4 connected to
 * it, fd 5 the accepted end; data queued both ways.
 */
static char srv_name[128], srv_path[128];

static int listen_setup(void)
{
	CHILD_CHECK(1, !chdir(sock_dir), "chdir %s: %s", sock_dir, strerror(errno));
	new_sock(1, SOCK_STREAM, 3);
	bind_to(1, 3, srv_name);
	CHILD_CHECK(1, !listen(3, 8), "listen: %s", strerror(errno));
	new_sock(1, SOCK_STREAM, 4);
	connect_to(1, 4, srv_name);
	CHILD_CHECK(1, accept_one(1, 3) == 5, "the accepted end is not fd 5");
	send_str(1, 4, "from the client, before");
	send_str(1, 5, "from the server, before");
	snapshot(5);
	return 0;
}

/* @fd's name (@peer: its peer's) is @name. */
static void expect_name(int code, int fd, bool peer, const char *name)
{
	struct un_name want, got;
	char x[128];

	memset(&want, 0, sizeof(want));
	want.len = un_addr(&want.addr, name);
	get_name(fd, peer, &got);
	CHILD_CHECK(code, same_name(&got, &want), "fd %d: %s %s (%s), expected %s", fd,
		    peer ? "getpeername" : "getsockname", un_str(&got.addr, got.len, x, sizeof(x)),
		    strerror(got.err), name);
}

/*
 * A new client connects to @name, bound by the listener fd 3 as
 * @bound: it and the end accepted for it work and have its name.
 */
static void new_client(int code, const char *name, const char *bound)
{
	int c, s;

	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHILD_CHECK(code, c >= 0, "socket: %s", strerror(errno));
	connect_to(code, c, name);
	s = accept_one(code, 3);
	both_ways(code, c, s);
	expect_name(code, c, true, bound);
	expect_name(code, s, false, bound);
	close(c);
	close(s);
}

static int listen_verify(void)
{
	char cwd[128];

	same_views(2, 5);
	CHILD_CHECK(3, getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, sock_dir), "cwd %s", cwd);
	expect_name(4, 3, false, srv_name);
	expect_name(4, 4, true, srv_name);
	expect_name(4, 5, false, srv_name);
	recv_str(5, 5, "from the client, before");
	recv_str(5, 4, "from the server, before");
	new_client(6, srv_name, srv_name);
	new_client(7, srv_path, srv_name);
	both_ways(8, 4, 5);
	return 0;
}

static void listen_test(struct __test_metadata *_metadata, bool relative)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	snprintf(srv_path, sizeof(srv_path), "%s/srv", sock_dir);
	snprintf(srv_name, sizeof(srv_name), "%s", relative ? "srv" : srv_path);
	cycle(_metadata, listen_setup, listen_verify);
	remove_dir();
}

TEST(listener_bound_to_a_path_accepts_and_keeps_its_connection)
{
	listen_test(_metadata, false);
}

TEST(listener_bound_to_a_relative_path_accepts_and_keeps_its_connection)
{
	listen_test(_metadata, true);
}

/*
 * fd 3 listens on the abstract name abs_name; fd 4, autobound, connected
 * to it; fd 5 the accepted end; data queued both ways.  fd 6: an
 * autobound datagram socket.
 */
static char abs_name[64];

static int abstract_setup(void)
{
	new_sock(1, SOCK_STREAM, 3);
	bind_to(1, 3, abs_name);
	CHILD_CHECK(1, !listen(3, 8), "listen: %s", strerror(errno));
	new_sock(1, SOCK_STREAM, 4);
	autobind(1, 4);
	connect_to(1, 4, abs_name);
	CHILD_CHECK(1, accept_one(1, 3) == 5, "the accepted end is not fd 5");
	new_sock(1, SOCK_DGRAM, 6);
	autobind(1, 6);
	send_str(1, 4, "from the client, before");
	send_str(1, 5, "from the server, before");
	snapshot(6);
	return 0;
}

/* The name of @fd in the snapshot is taken: bind() to it is EADDRINUSE. */
static void name_taken(int code, int fd, int type)
{
	const struct un_name *n = &before[fd].name;
	char x[128];
	int s;

	s = socket(AF_UNIX, type, 0);
	CHILD_CHECK(code, s >= 0, "socket: %s", strerror(errno));
	errno = 0;
	CHILD_CHECK(code, bind(s, (const struct sockaddr *)&n->addr, n->len) == -1 &&
		    errno == EADDRINUSE, "fd %d's name %s is free: bind %s", fd,
		    un_str(&n->addr, n->len, x, sizeof(x)), errno ? strerror(errno) : "worked");
	close(s);
}

static int abstract_verify(void)
{
	const struct un_name *n = &before[6].name;
	char x[128];
	ssize_t len;
	int s;

	same_views(2, 6);
	expect_name(3, 3, false, abs_name);
	CHILD_CHECK(3, before[4].name.len > offsetof(struct sockaddr_un, sun_path) + 1 &&
		    !before[4].name.addr.sun_path[0], "fd 4 had no autobound name: %s",
		    un_str(&before[4].name.addr, before[4].name.len, x, sizeof(x)));
	name_taken(4, 3, SOCK_STREAM);
	name_taken(4, 4, SOCK_STREAM);
	name_taken(4, 6, SOCK_DGRAM);
	recv_str(5, 5, "from the client, before");
	recv_str(5, 4, "from the server, before");
	new_client(6, abs_name, abs_name);
	/* A datagram to the autobound name of fd 6 arrives. */
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHILD_CHECK(7, s >= 0, "socket: %s", strerror(errno));
	len = sendto(s, "to the autobound", 16, MSG_DONTWAIT, (const struct sockaddr *)&n->addr,
		     n->len);
	CHILD_CHECK(7, len == 16, "sendto %s: %s", un_str(&n->addr, n->len, x, sizeof(x)),
		    strerror(errno));
	recv_str(7, 6, "to the autobound");
	close(s);
	both_ways(8, 4, 5);
	return 0;
}

TEST(abstract_and_autobound_names_are_kept_and_stay_registered)
{
	if (!ckpt_preamble(_metadata))
		return;
	snprintf(abs_name, sizeof(abs_name), "@ckpt-unix-%d-listen", (int)getpid());
	cycle(_metadata, abstract_setup, abstract_verify);
}

/*
 * A datagram server: fd 3 bound to dsrv_path; its twin fd 4 bound to
 * dtwin_path; senders fd 5 (autobound), fd 6 (bound to dcli_path) and
 * fd 7 (no name) send dg_sends to both.  The twin's datagrams are read
 * before the checkpoint, and it is closed: the server must give the
 * same after restart, sender addresses included.
 */
#define NR_DG		5

static const struct {
	int from;
	const char *data;
} dg_sends[NR_DG] = {
	{ 5, "from the autobound client" },
	{ 6, "from the client bound to a path" },
	{ 7, "from a client without a name" },
	{ 5, "" },
	{ 6, "last" },
};

struct dg_got {
	ssize_t len;
	char data[64];
	struct un_name from;
};

static struct dg_got dg_twin[NR_DG];
static char dsrv_path[128], dtwin_path[128], dcli_path[128];

static void dg_send(int code, int from, const char *to, const char *s)
{
	struct sockaddr_un a;
	socklen_t alen = un_addr(&a, to);
	ssize_t n;

	n = sendto(from, s, strlen(s), MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a, alen);
	CHILD_CHECK(code, n == (ssize_t)strlen(s), "fd %d: sendto %s: %zd (%s)", from, to, n,
		    strerror(errno));
}

static void dg_recv(int code, int fd, struct dg_got *g)
{
	memset(g, 0, sizeof(*g));
	g->from.len = sizeof(g->from.addr);
	g->len = recvfrom(fd, g->data, sizeof(g->data), MSG_DONTWAIT,
			  (struct sockaddr *)&g->from.addr, &g->from.len);
	CHILD_CHECK(code, g->len >= 0, "fd %d: recvfrom: %s", fd, strerror(errno));
}

static int dgram_server_setup(void)
{
	int i;

	new_sock(1, SOCK_DGRAM, 3);
	bind_to(1, 3, dsrv_path);
	new_sock(1, SOCK_DGRAM, 4);
	bind_to(1, 4, dtwin_path);
	new_sock(1, SOCK_DGRAM, 5);
	autobind(1, 5);
	new_sock(1, SOCK_DGRAM, 6);
	bind_to(1, 6, dcli_path);
	new_sock(1, SOCK_DGRAM, 7);
	for (i = 0; i < NR_DG; i++) {
		dg_send(1, dg_sends[i].from, dtwin_path, dg_sends[i].data);
		dg_send(1, dg_sends[i].from, dsrv_path, dg_sends[i].data);
	}
	for (i = 0; i < NR_DG; i++)
		dg_recv(1, 4, &dg_twin[i]);
	CHILD_CHECK(1, !close(4) && !unlink(dtwin_path), "twin: %s", strerror(errno));
	snapshot(7);
	return 0;
}

static int dgram_server_verify(void)
{
	struct dg_got g, got[NR_DG];
	char x[128], y[128];
	int i;

	same_views(2, 7);
	for (i = 0; i < NR_DG; i++) {
		const struct dg_got *t = &dg_twin[i];

		dg_recv(3, 3, &g);
		CHILD_CHECK(3, g.len == t->len && !memcmp(g.data, t->data, t->len),
			    "datagram %d: \"%.*s\", expected \"%.*s\"", i, (int)g.len, g.data,
			    (int)t->len, t->data);
		CHILD_CHECK(4, same_name(&g.from, &t->from),
			    "datagram %d: from %s, the twin's from %s", i,
			    un_str(&g.from.addr, g.from.len, x, sizeof(x)),
			    un_str(&t->from.addr, t->from.len, y, sizeof(y)));
		got[i] = g;
	}
	expect_nothing(5, 3);
	/* Replies to the addresses the first two came from. */
	for (i = 0; i < 2; i++) {
		const struct un_name *f = &got[i].from;
		ssize_t n;

		n = sendto(3, "reply", 5, MSG_DONTWAIT, (const struct sockaddr *)&f->addr, f->len);
		CHILD_CHECK(6, n == 5, "reply to %s: %s", un_str(&f->addr, f->len, x, sizeof(x)),
			    strerror(errno));
		recv_str(6, dg_sends[i].from, "reply");
	}
	dg_send(7, 7, dsrv_path, "after");
	recv_str(7, 3, "after");
	return 0;
}

TEST(dgram_server_keeps_its_queued_datagrams_and_their_senders)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	snprintf(dsrv_path, sizeof(dsrv_path), "%s/dsrv", sock_dir);
	snprintf(dtwin_path, sizeof(dtwin_path), "%s/dtwin", sock_dir);
	snprintf(dcli_path, sizeof(dcli_path), "%s/dcli", sock_dir);
	cycle(_metadata, dgram_server_setup, dgram_server_verify);
	remove_dir();
}

/* --------------------------------------------------------------------
 * Descriptors
 *
 * fds 3, 4: a stream pair, 3 made O_NONBLOCK; fd 5: dup(3), FD_CLOEXEC;
 * fd 6: a datagram socket made SOCK_NONBLOCK | SOCK_CLOEXEC.
 */
static int fds_setup(void)
{
	new_pair(1, SOCK_STREAM, 3);
	CHILD_CHECK(1, !fcntl(3, F_SETFL, O_NONBLOCK), "F_SETFL: %s", strerror(errno));
	CHILD_CHECK(1, dup(3) == 5, "dup: %s", strerror(errno));
	CHILD_CHECK(1, !fcntl(5, F_SETFD, FD_CLOEXEC), "F_SETFD: %s", strerror(errno));
	new_sock(1, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 6);
	snapshot(6);
	return 0;
}

static int fds_verify(void)
{
	struct stat s3, s4, s5;
	char c;

	same_views(2, 6);
	CHILD_CHECK(3, (fcntl(3, F_GETFL) & O_NONBLOCK) && (fcntl(5, F_GETFL) & O_NONBLOCK) &&
		    (fcntl(6, F_GETFL) & O_NONBLOCK) && !(fcntl(4, F_GETFL) & O_NONBLOCK),
		    "O_NONBLOCK: fd 3 %#x, 4 %#x, 5 %#x, 6 %#x", fcntl(3, F_GETFL),
		    fcntl(4, F_GETFL), fcntl(5, F_GETFL), fcntl(6, F_GETFL));
	CHILD_CHECK(4, fcntl(3, F_GETFD) == 0 && fcntl(4, F_GETFD) == 0 &&
		    fcntl(5, F_GETFD) == FD_CLOEXEC && fcntl(6, F_GETFD) == FD_CLOEXEC,
		    "FD_CLOEXEC: fd 3 %d, 4 %d, 5 %d, 6 %d", fcntl(3, F_GETFD), fcntl(4, F_GETFD),
		    fcntl(5, F_GETFD), fcntl(6, F_GETFD));
	errno = 0;
	CHILD_CHECK(5, recv(3, &c, 1, 0) == -1 && errno == EAGAIN,
		    "fd 3: a recv() with nothing queued: %s", errno ? strerror(errno) : "read");
	CHILD_CHECK(5, recv(6, &c, 1, 0) == -1 && errno == EAGAIN,
		    "fd 6: a recv() with nothing queued: %s", strerror(errno));
	/* fds 3 and 5: one socket, one open file description. */
	CHILD_CHECK(6, !fstat(3, &s3) && !fstat(4, &s4) && !fstat(5, &s5) &&
		    s3.st_ino == s5.st_ino && s3.st_ino != s4.st_ino,
		    "inodes: fd 3 %lu, fd 4 %lu, fd 5 %lu", (unsigned long)s3.st_ino,
		    (unsigned long)s4.st_ino, (unsigned long)s5.st_ino);
	CHILD_CHECK(7, !fcntl(5, F_SETFL, 0), "F_SETFL: %s", strerror(errno));
	CHILD_CHECK(7, !(fcntl(3, F_GETFL) & O_NONBLOCK),
		    "O_NONBLOCK cleared through fd 5 is still set on fd 3: two open file descriptions");
	send_str(8, 4, "through 4");
	recv_str(8, 5, "through");
	recv_str(8, 3, " 4");
	return 0;
}

TEST(nonblock_cloexec_and_dup_of_one_socket_are_kept)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle(_metadata, fds_setup, fds_verify);
}

/* --------------------------------------------------------------------
 * Descriptors in flight (SCM_RIGHTS, sent and not received yet)
 *
 * The sender closes what it sent, unless a test says it keeps it: the
 * file is then in flight only, and comes back with its message.  At most
 * CKPT_MAX_PASS descriptors go in one message (ckpt_send_fds()).
 */

/* The eventfd @fd reads @want (which is not 0), and is 0 then. */
static void expect_eventfd(int code, int fd, eventfd_t want)
{
	eventfd_t v = 0;

	CHILD_CHECK(code, ckpt_readable(fd, 0), "fd %d: the eventfd is 0, expected %llu", fd,
		    (unsigned long long)want);
	CHILD_CHECK(code, !eventfd_read(fd, &v) && v == want,
		    "fd %d: the eventfd reads %llu (%s), expected %llu", fd, (unsigned long long)v,
		    strerror(errno), (unsigned long long)want);
}

/* How many descriptors above 2 the process has. */
static int fds_above_2(void)
{
	struct dirent *de;
	int n = 0, fd;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		fd = atoi(de->d_name);
		if (fd > 2 && fd != dirfd(dir))
			n++;
	}
	closedir(dir);
	return n;
}

/* The process has @n descriptors above 2: none in flight is on one. */
static void expect_nr_fds(int code, int n)
{
	int got = fds_above_2();

	CHILD_CHECK(code, got == n, "%d descriptors above 2, expected %d", got, n);
}

/* The files at @fd and @path are one file (device and inode). */
static void same_file(int code, int fd, const char *path)
{
	struct stat a, b;

	CHILD_CHECK(code, !fstat(fd, &a) && !stat(path, &b), "fd %d, %s: %s", fd, path,
		    strerror(errno));
	CHILD_CHECK(code, a.st_dev == b.st_dev && a.st_ino == b.st_ino,
		    "fd %d is inode %lu, %s is inode %lu", fd, (unsigned long)a.st_ino, path,
		    (unsigned long)b.st_ino);
}

/* Read what comes on the pipe @fd (waiting up to WAIT_MS): it must be @s. */
static void read_pipe(int code, int fd, const char *s)
{
	char buf[64];
	ssize_t n;

	CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS), "fd %d: \"%s\" did not come", fd, s);
	n = read(fd, buf, sizeof(buf));
	CHILD_CHECK(code, n == (ssize_t)strlen(s) && !memcmp(buf, s, n),
		    "fd %d: read \"%.*s\" (%s), expected \"%s\"", fd, n > 0 ? (int)n : 0, buf,
		    n < 0 ? strerror(errno) : "", s);
}

/* A file of @len bytes of pattern @seed at flight_path, open as @fd. */
static char flight_path[128];

static void make_file(int code, int fd, int flags, size_t len, unsigned int seed)
{
	char buf[256];

	CHILD_CHECK(code, len <= sizeof(buf), "%zu bytes", len);
	CHILD_CHECK(code, open(flight_path, flags | O_CREAT | O_TRUNC, 0644) == fd,
		    "open %s: not fd %d (%s)", flight_path, fd, strerror(errno));
	pattern(buf, len, seed);
	CHILD_CHECK(code, !ckpt_write_all(fd, buf, len), "write: %s", strerror(errno));
}

/* fds 3, 4: a stream pair; an eventfd (counter 7) sent through 3 and closed. */
static int inflight_setup(void)
{
	int efd;

	new_pair(1, SOCK_STREAM, 3);
	efd = eventfd(7, 0);
	CHILD_CHECK(1, efd == 5, "eventfd: %d (%s)", efd, strerror(errno));
	ckpt_send_fds(1, 3, "fd", &efd, 1);
	close(5);
	snapshot(4);
	return 0;
}

static int inflight_verify(void)
{
	int fds[CKPT_MAX_PASS];

	same_views(2, 4);
	expect_nr_fds(3, 2);
	ckpt_recv_fds(4, 4, "fd", fds, 1, WAIT_MS);
	expect_eventfd(5, fds[0], 7);
	expect_nothing(6, 4);
	expect_nothing(6, 3);
	both_ways(7, 3, 4);
	return 0;
}

TEST(eventfd_in_flight_comes_back_with_its_message_and_counter)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle(_metadata, inflight_setup, inflight_verify);
}

/*
 * fds 3, 4: a stream pair; fds 5, 6: a pipe with PIPE_DATA in it; fd 7:
 * flight_path, read-write, FILE_LEN bytes of pattern 5, at offset 37; fd
 * 8: a memfd "inflight" of MEMFD_LEN bytes of pattern 6, at offset 1234.
 * One message through 3 carries 5, 7 and 8, which are then closed; the
 * pipe's write end 6 is kept.
 */
#define PIPE_DATA	"in the pipe"
#define FILE_LEN	100
#define MEMFD_LEN	5000

static int several_setup(void)
{
	const int fds[] = { 5, 7, 8 };
	static char buf[MEMFD_LEN];
	int p[2];

	new_pair(1, SOCK_STREAM, 3);
	CHILD_CHECK(1, !pipe(p) && p[0] == 5 && p[1] == 6, "pipe: %s", strerror(errno));
	CHILD_CHECK(1, !ckpt_write_all(6, PIPE_DATA, strlen(PIPE_DATA)), "write: %s",
		    strerror(errno));
	make_file(1, 7, O_RDWR, FILE_LEN, 5);
	CHILD_CHECK(1, lseek(7, 37, SEEK_SET) == 37, "lseek: %s", strerror(errno));
	CHILD_CHECK(1, memfd_create("inflight", 0) == 8, "memfd_create: %s", strerror(errno));
	pattern(buf, MEMFD_LEN, 6);
	CHILD_CHECK(1, !ckpt_write_all(8, buf, MEMFD_LEN), "write: %s", strerror(errno));
	CHILD_CHECK(1, lseek(8, 1234, SEEK_SET) == 1234, "lseek: %s", strerror(errno));
	ckpt_send_fds(1, 3, "three", fds, 3);
	close(5);
	close(7);
	close(8);
	snapshot(6);
	return 0;
}

static int several_verify(void)
{
	static char want[MEMFD_LEN], buf[MEMFD_LEN];
	char link[64], path[64];
	int fds[CKPT_MAX_PASS];
	struct stat st;
	ssize_t n;

	same_views(2, 6);
	expect_nr_fds(3, 3);
	ckpt_recv_fds(4, 4, "three", fds, 3, WAIT_MS);
	/* The pipe's read end: the data in the pipe, then what fd 6 writes. */
	CHILD_CHECK(5, (fcntl(fds[0], F_GETFL) & O_ACCMODE) == O_RDONLY, "pipe end flags %#x",
		    fcntl(fds[0], F_GETFL));
	read_pipe(5, fds[0], PIPE_DATA);
	CHILD_CHECK(5, !ckpt_write_all(6, "more", 4), "write: %s", strerror(errno));
	read_pipe(5, fds[0], "more");
	/* The file: read-write, at offset 37. */
	same_file(6, fds[1], flight_path);
	CHILD_CHECK(6, (fcntl(fds[1], F_GETFL) & O_ACCMODE) == O_RDWR, "file flags %#x",
		    fcntl(fds[1], F_GETFL));
	CHILD_CHECK(6, lseek(fds[1], 0, SEEK_CUR) == 37, "the file is at offset %lld, not 37",
		    (long long)lseek(fds[1], 0, SEEK_CUR));
	pattern(want, FILE_LEN, 5);
	n = read(fds[1], buf, FILE_LEN);
	CHILD_CHECK(6, n == FILE_LEN - 37 && !memcmp(buf, want + 37, n),
		    "read at 37: %zd bytes (%s)", n, strerror(errno));
	/* The memfd: its name, contents and offset. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[2]);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHILD_CHECK(7, !strncmp(link, "/memfd:inflight", 15), "the memfd is \"%s\"", link);
	CHILD_CHECK(7, !fstat(fds[2], &st) && st.st_size == MEMFD_LEN, "memfd size %lld",
		    (long long)st.st_size);
	CHILD_CHECK(7, lseek(fds[2], 0, SEEK_CUR) == 1234, "the memfd is at offset %lld",
		    (long long)lseek(fds[2], 0, SEEK_CUR));
	pattern(want, MEMFD_LEN, 6);
	CHILD_CHECK(7, pread(fds[2], buf, MEMFD_LEN, 0) == MEMFD_LEN &&
		    !memcmp(buf, want, MEMFD_LEN), "the memfd's contents differ");
	expect_nothing(8, 4);
	both_ways(8, 3, 4);
	return 0;
}

TEST(pipe_file_and_memfd_in_one_message_keep_data_offset_and_contents)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	snprintf(flight_path, sizeof(flight_path), "%s/flight", sock_dir);
	cycle(_metadata, several_setup, several_verify);
	remove_dir();
}

/*
 * fds 3, 4: a stream pair; fd 5: sock_dir; fd 6: an inotify instance
 * watching it for IN_CREATE, with the event of flight_path's creation
 * queued; fd 7: flight_path with O_PATH; fd 8: a signalfd for SIGUSR1,
 * blocked; fd 9: a timerfd firing every TICK_MS.  One message through 3
 * carries 5 to 9, which are then closed.
 */
#define TICK_MS		10

static int kinds_setup(void)
{
	const int fds[] = { 5, 6, 7, 8, 9 };
	struct itimerspec its = {
		.it_interval = { 0, TICK_MS * 1000000L },
		.it_value = { 0, TICK_MS * 1000000L },
	};
	sigset_t set;

	new_pair(1, SOCK_STREAM, 3);
	CHILD_CHECK(1, open(sock_dir, O_RDONLY | O_DIRECTORY) == 5, "open %s: %s", sock_dir,
		    strerror(errno));
	CHILD_CHECK(1, inotify_init1(IN_NONBLOCK) == 6, "inotify_init1: %s", strerror(errno));
	CHILD_CHECK(1, inotify_add_watch(6, sock_dir, IN_CREATE) == 1, "inotify_add_watch: %s",
		    strerror(errno));
	make_file(1, 7, O_WRONLY, 0, 0);
	close(7);
	CHILD_CHECK(1, open(flight_path, O_PATH) == 7, "O_PATH: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask: %s", strerror(errno));
	CHILD_CHECK(1, signalfd(-1, &set, SFD_NONBLOCK) == 8, "signalfd: %s", strerror(errno));
	CHILD_CHECK(1, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK) == 9, "timerfd_create: %s",
		    strerror(errno));
	CHILD_CHECK(1, !timerfd_settime(9, 0, &its, NULL), "timerfd_settime: %s",
		    strerror(errno));
	ckpt_send_fds(1, 3, "kinds", fds, 5);
	close(5);
	close(6);
	close(7);
	close(8);
	close(9);
	return 0;
}

/* The next inotify event on @fd: IN_CREATE of @name. */
static void expect_created(int code, int fd, const char *name)
{
	union {
		struct inotify_event ev;
		char buf[sizeof(struct inotify_event) + NAME_MAX + 1];
	} u;
	ssize_t n;

	CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS), "fd %d: no event for %s", fd, name);
	n = read(fd, &u, sizeof(u));
	CHILD_CHECK(code, n >= (ssize_t)sizeof(u.ev) && u.ev.wd == 1 && (u.ev.mask & IN_CREATE) &&
		    u.ev.len && !strcmp(u.ev.name, name),
		    "fd %d: event of %zd bytes, wd %d, mask %#x, name \"%s\"; expected IN_CREATE %s",
		    fd, n, u.ev.wd, u.ev.mask, n > (ssize_t)sizeof(u.ev) ? u.ev.name : "", name);
}

static int kinds_verify(void)
{
	struct signalfd_siginfo si;
	struct itimerspec its;
	int fds[CKPT_MAX_PASS], fd;
	unsigned long long ticks = 0;
	struct stat st;

	expect_nr_fds(2, 2);
	ckpt_recv_fds(3, 4, "kinds", fds, 5, WAIT_MS);
	/* The directory: the one it was, and the *at() calls work from it. */
	same_file(4, fds[0], sock_dir);
	CHILD_CHECK(4, !fstatat(fds[0], "flight", &st, 0) && S_ISREG(st.st_mode),
		    "fstatat(\"flight\"): %s", strerror(errno));
	/* inotify: the event queued, and the watch still watches. */
	expect_created(5, fds[1], "flight");
	fd = openat(fds[0], "second", O_WRONLY | O_CREAT, 0644);
	CHILD_CHECK(5, fd >= 0, "create second: %s", strerror(errno));
	close(fd);
	expect_created(5, fds[1], "second");
	/* O_PATH */
	CHILD_CHECK(6, fcntl(fds[2], F_GETFL) & O_PATH, "flags %#x: no O_PATH",
		    fcntl(fds[2], F_GETFL));
	same_file(6, fds[2], flight_path);
	/* signalfd: SIGUSR1, still blocked, is read from it. */
	CHILD_CHECK(7, !kill(getpid(), SIGUSR1), "kill: %s", strerror(errno));
	CHILD_CHECK(7, ckpt_readable(fds[3], WAIT_MS), "no SIGUSR1 on the signalfd");
	CHILD_CHECK(7, read(fds[3], &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR1,
		    "signalfd: signal %u (%s)", si.ssi_signo, strerror(errno));
	/* timerfd: every TICK_MS, and it fires. */
	CHILD_CHECK(8, !timerfd_gettime(fds[4], &its) && !its.it_interval.tv_sec &&
		    its.it_interval.tv_nsec == TICK_MS * 1000000L, "interval %ld.%09ld s",
		    (long)its.it_interval.tv_sec, its.it_interval.tv_nsec);
	CHILD_CHECK(8, ckpt_readable(fds[4], WAIT_MS), "the timerfd does not fire");
	CHILD_CHECK(8, read(fds[4], &ticks, sizeof(ticks)) == sizeof(ticks) && ticks >= 1,
		    "timerfd: %llu expirations (%s)", ticks, strerror(errno));
	both_ways(9, 3, 4);
	return 0;
}

TEST(directory_o_path_inotify_signalfd_and_timerfd_in_flight_work_after_restart)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	snprintf(flight_path, sizeof(flight_path), "%s/flight", sock_dir);
	cycle(_metadata, kinds_setup, kinds_verify);
	remove_dir();
}

/*
 * fd 3: flight_path, read-write, at offset 10; fds 4, 5: a stream pair;
 * fds 6, 7: a pipe.  One message through 4 carries fd 3 (below the
 * socket) and the pipe's write end 7 (above it), both kept: each is on
 * a descriptor and in flight.
 */
static int both_setup(void)
{
	const int fds[] = { 3, 7 };
	int p[2];

	make_file(1, 3, O_RDWR, FILE_LEN, 7);
	CHILD_CHECK(1, lseek(3, 10, SEEK_SET) == 10, "lseek: %s", strerror(errno));
	new_pair(1, SOCK_STREAM, 4);
	CHILD_CHECK(1, !pipe(p) && p[0] == 6 && p[1] == 7, "pipe: %s", strerror(errno));
	ckpt_send_fds(1, 4, "shared", fds, 2);
	snapshot(7);
	return 0;
}

static int both_verify(void)
{
	int fds[CKPT_MAX_PASS], f, w;

	same_views(2, 7);
	expect_nr_fds(3, 5);
	ckpt_recv_fds(4, 5, "shared", fds, 2, WAIT_MS);
	f = fds[0];
	w = fds[1];
	/* The file: one offset, one set of status flags. */
	same_file(5, f, flight_path);
	CHILD_CHECK(5, lseek(3, 0, SEEK_CUR) == 10 && lseek(f, 0, SEEK_CUR) == 10,
		    "offsets %lld and %lld, expected 10", (long long)lseek(3, 0, SEEK_CUR),
		    (long long)lseek(f, 0, SEEK_CUR));
	CHILD_CHECK(6, lseek(f, 50, SEEK_SET) == 50 && lseek(3, 0, SEEK_CUR) == 50,
		    "fd 3 at %lld after fd %d moved to 50: two open file descriptions",
		    (long long)lseek(3, 0, SEEK_CUR), f);
	CHILD_CHECK(6, !(fcntl(f, F_GETFL) & O_NONBLOCK) && !fcntl(3, F_SETFL, O_NONBLOCK) &&
		    (fcntl(f, F_GETFL) & O_NONBLOCK),
		    "O_NONBLOCK set on fd 3 is not on fd %d: two open file descriptions", f);
	/* The pipe's write end: one set of status flags, and it writes to fd 6. */
	CHILD_CHECK(7, !(fcntl(7, F_GETFL) & O_NONBLOCK) && !fcntl(w, F_SETFL, O_NONBLOCK) &&
		    (fcntl(7, F_GETFL) & O_NONBLOCK),
		    "O_NONBLOCK set on fd %d is not on fd 7: two open file descriptions", w);
	CHILD_CHECK(7, !ckpt_write_all(w, "via", 3), "write: %s", strerror(errno));
	read_pipe(7, 6, "via");
	both_ways(8, 4, 5);
	return 0;
}

TEST(file_on_a_descriptor_and_in_flight_stays_one_open_file_description)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	snprintf(flight_path, sizeof(flight_path), "%s/flight", sock_dir);
	cycle(_metadata, both_setup, both_verify);
	remove_dir();
}

/*
 * fds 3, 4: a datagram or SOCK_SEQPACKET pair; fds 5 to 8: eventfds with
 * counters 11, 22, 33 and 44.  To 4 go the messages of fl_msgs, each with
 * its own descriptors or none, a zero-length one included; to 3 goes
 * "back" with fd 5 again.  Then 5 to 8 are closed: fd 5's eventfd is in
 * flight twice.
 */
static int fl_type;

static const struct {
	const char *data;
	int nr;
	int fds[2];
} fl_msgs[] = {
	{ "one", 1, { 5 } },
	{ "two", 0, { 0 } },
	{ "three", 2, { 6, 7 } },
	{ "", 1, { 8 } },
	{ "five", 0, { 0 } },
};

/* The counter of the eventfd the sender had at fd @fd. */
static eventfd_t fl_counter(int fd)
{
	return (fd - 4) * 11;
}

static int fl_setup(void)
{
	unsigned int i;
	int fd = 5;

	new_pair(1, fl_type, 3);
	for (i = 5; i <= 8; i++)
		CHILD_CHECK(1, eventfd(fl_counter(i), 0) == (int)i, "eventfd: %s",
			    strerror(errno));
	for (i = 0; i < ARRAY_SIZE(fl_msgs); i++)
		ckpt_send_fds(1, 3, fl_msgs[i].data, fl_msgs[i].fds, fl_msgs[i].nr);
	ckpt_send_fds(1, 4, "back", &fd, 1);
	for (i = 5; i <= 8; i++)
		close(i);
	snapshot(4);
	return 0;
}

static int fl_verify(void)
{
	int got[ARRAY_SIZE(fl_msgs)][CKPT_MAX_PASS], back[CKPT_MAX_PASS];
	unsigned int i;
	int k;

	same_views(2, 4);
	expect_nr_fds(3, 2);
	for (i = 0; i < ARRAY_SIZE(fl_msgs); i++)
		ckpt_recv_fds(4, 4, fl_msgs[i].data, got[i], fl_msgs[i].nr, WAIT_MS);
	expect_nothing(5, 4);
	ckpt_recv_fds(6, 3, "back", back, 1, WAIT_MS);
	expect_nothing(6, 3);
	for (i = 0; i < ARRAY_SIZE(fl_msgs); i++)
		for (k = 0; k < fl_msgs[i].nr; k++)
			expect_eventfd(7, got[i][k], fl_counter(fl_msgs[i].fds[k]));
	/* "one" and "back" carried one eventfd. */
	CHILD_CHECK(8, !eventfd_write(back[0], 5), "eventfd_write: %s", strerror(errno));
	expect_eventfd(8, got[0][0], 5);
	send_records(9, 3, back_sizes, ARRAY_SIZE(back_sizes), 30);
	recv_records(9, 4, back_sizes, ARRAY_SIZE(back_sizes), 30);
	send_records(9, 4, back_sizes, ARRAY_SIZE(back_sizes), 40);
	recv_records(9, 3, back_sizes, ARRAY_SIZE(back_sizes), 40);
	return 0;
}

TEST(dgram_messages_keep_their_own_descriptors_in_flight)
{
	if (!ckpt_preamble(_metadata))
		return;
	fl_type = SOCK_DGRAM;
	cycle(_metadata, fl_setup, fl_verify);
}

TEST(seqpacket_records_keep_their_own_descriptors_in_flight)
{
	if (!ckpt_preamble(_metadata))
		return;
	fl_type = SOCK_SEQPACKET;
	cycle(_metadata, fl_setup, fl_verify);
}

/*
 * The root makes the stream pair 3, 4 and the pipe 5, 6 with TREE_DATA
 * in it, and forks the helper.  The helper closes 3, 5 and 6, sends an
 * eventfd (counter 5) through 4 to the root and closes it.  The root
 * closes 4, sends the pipe's read end 5 through 3 to the helper and
 * closes it, keeping the write end 6.  After restart the root receives
 * the eventfd and wakes the helper, which receives the pipe's read end
 * and reads the data, then what the root writes once told.
 */
#define TREE_DATA	"through the pipe"

static int tree_fl_helper(void)
{
	int fds[CKPT_MAX_PASS], efd;

	close(3);
	close(5);
	close(6);
	efd = eventfd(5, 0);
	CHILD_CHECK(30, efd == 3, "eventfd: %d (%s)", efd, strerror(errno));
	ckpt_send_fds(30, 4, "eventfd", &efd, 1);
	close(3);
	ckpt_member_wait(ROLE_HELPER);

	expect_nr_fds(31, 1);
	ckpt_recv_fds(32, 4, "pipe", fds, 1, WAIT_MS);
	read_pipe(33, fds[0], TREE_DATA);
	send_str(34, 4, "read");
	read_pipe(35, fds[0], "more");
	return 0;
}

static int tree_fl_root(void *arg)
{
	int fds[CKPT_MAX_PASS], p[2], fd = 5;
	pid_t h;

	(void)arg;
	new_pair(20, SOCK_STREAM, 3);
	CHILD_CHECK(20, !pipe(p) && p[0] == 5 && p[1] == 6, "pipe: %s", strerror(errno));
	CHILD_CHECK(20, !ckpt_write_all(6, TREE_DATA, strlen(TREE_DATA)), "write: %s",
		    strerror(errno));
	h = ckpt_member_fork();
	CHILD_CHECK(20, h >= 0, "fork: %s", strerror(errno));
	if (h == 0)
		_exit(tree_fl_helper());
	close(4);
	ckpt_send_fds(20, 3, "pipe", &fd, 1);
	close(5);
	/* The helper's eventfd is in flight before the snapshot. */
	CHILD_CHECK(20, ckpt_readable(3, WAIT_MS), "the helper sent nothing");
	ckpt_member_wait(ROLE_ROOT);

	expect_nr_fds(21, 2);
	ckpt_recv_fds(22, 3, "eventfd", fds, 1, WAIT_MS);
	expect_eventfd(23, fds[0], 5);
	wake_helper(24, h);
	recv_str(24, 3, "read");
	CHILD_CHECK(25, !ckpt_write_all(6, "more", 4), "write: %s", strerror(errno));
	reap_helper(26, h);
	return 0;
}

TEST(descriptors_in_flight_both_ways_between_parent_and_child)
{
	if (!ckpt_preamble(_metadata))
		return;
	tree_cycle(_metadata, tree_fl_root);
}

/* --------------------------------------------------------------------
 * Refused: held outside the job
 *
 * The test makes a stream pair.  Same end: the child gets both ends (its
 * fds 3 and 4) and the test keeps a copy of the child's fd 3.  Peer: the
 * child gets one end (its fd 3), the test keeps the other.  The child
 * sends "before" through its fd 3; after the refusal the test sends
 * "after" through its end, the child receives what came and answers
 * "back", which the test receives.
 */
static bool held_same_end;

static int held_main(void *arg)
{
	int fd = held_same_end ? 4 : 3;

	(void)arg;
	send_str(20, 3, "before");
	ckpt_member_wait(1);
	recv_str(21, fd, held_same_end ? "beforeafter" : "after");
	send_str(22, fd, "back");
	return 0;
}

static void held_outside(struct __test_metadata *_metadata, bool same_end)
{
	struct ckpt_member m[1];
	int sv[2], n = 0, keep;
	char log[4096], buf[16];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	held_same_end = same_end;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	child = ckpt_job_spawn(held_main, NULL, -1, sv, same_end ? 2 : 1, m, &n, 1);
	ASSERT_GT(child, 0);
	keep = same_end ? sv[0] : sv[1];
	close(same_end ? sv[1] : sv[0]);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());
	if (!same_end) {
		EXPECT_EQ(6, recv(keep, buf, sizeof(buf), MSG_DONTWAIT));
		EXPECT_EQ(0, memcmp(buf, "before", 6));
	}
	ASSERT_EQ(5, send(keep, "after", 5, MSG_NOSIGNAL));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
	EXPECT_EQ(4, recv(keep, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(buf, "back", 4));
	close(keep);
}

TEST(socket_also_held_outside_the_job_is_refused_and_runs_on)
{
	held_outside(_metadata, true);
}

TEST(socketpair_peer_held_outside_the_job_is_refused_and_runs_on)
{
	held_outside(_metadata, false);
}

/*
 * The child connects to a listener of the test's (an abstract name),
 * and the test accepts: the peer is outside.  The same exchange follows
 * the refusal.
 */
static char out_name[64];

static int connected_out_main(void *arg)
{
	(void)arg;
	new_sock(20, SOCK_STREAM, 3);
	connect_to(20, 3, out_name);
	send_str(20, 3, "before");
	ckpt_member_wait(1);
	recv_str(21, 3, "after");
	send_str(22, 3, "back");
	return 0;
}

TEST(connection_accepted_outside_the_job_is_refused_and_runs_on)
{
	struct ckpt_member m[1];
	struct sockaddr_un a;
	char log[4096], buf[16];
	struct pollfd p;
	int lfd, s, n = 0;
	socklen_t len;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(out_name, sizeof(out_name), "@ckpt-unix-%d-outside", (int)getpid());
	len = un_addr(&a, out_name);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, listen(lfd, 4));
	child = ckpt_job_spawn(connected_out_main, NULL, -1, NULL, 0, m, &n, 1);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 10000));
	s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, s);

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());
	EXPECT_EQ(6, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(buf, "before", 6));
	ASSERT_EQ(5, send(s, "after", 5, MSG_NOSIGNAL));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
	EXPECT_EQ(4, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(buf, "back", 4));
	close(s);
	close(lfd);
}

/* --------------------------------------------------------------------
 * Refused: state that is not saved
 */

/*
 * A checkpoint of @child refused with @err, whose log must contain @what
 * (and "fd @fd" if @fd >= 0); then it runs on.
 */
static void refused_as(struct __test_metadata *_metadata, int (*setup)(void),
		       int (*verify)(void), int err, const char *what, int fd)
{
	char log[4096];
	pid_t child;

	child = ckpt_spawn(setup, verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(err, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not say \"%s\"", what);
	if (fd >= 0)
		EXPECT_TRUE(ckpt_log_has(log, "fd ", fd)) TH_LOG("fd %d is not named", fd);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* Refused with EOPNOTSUPP, the log saying @what; then it runs on. */
static void refused(struct __test_metadata *_metadata, int (*setup)(void), int (*verify)(void),
		    const char *what)
{
	refused_as(_metadata, setup, verify, EOPNOTSUPP, what, -1);
}

/* --------------------------------------------------------------------
 * Refused: descriptors in flight that are not saved
 *
 * Each file goes through fd 3 of a stream pair 3, 4 and is queued on 4,
 * which the log names.
 */

/*
 * fds 5, 6: another stream pair, whose end 5 is sent and closed: a
 * socket in flight.  After the refusal it is received, and it still
 * talks to 6.
 */
static int sock_flight_setup(void)
{
	int fd = 5;

	new_pair(1, SOCK_STREAM, 3);
	new_pair(1, SOCK_STREAM, 5);
	ckpt_send_fds(1, 3, "socket", &fd, 1);
	close(5);
	return 0;
}

static int sock_flight_verify(void)
{
	int fds[CKPT_MAX_PASS];

	ckpt_recv_fds(2, 4, "socket", fds, 1, WAIT_MS);
	both_ways(3, fds[0], 6);
	both_ways(4, 3, 4);
	return 0;
}

TEST(unix_socket_in_flight_is_refused_and_runs_on)
{
	if (!ckpt_preamble(_metadata))
		return;
	refused_as(_metadata, sock_flight_setup, sock_flight_verify, EOPNOTSUPP, "in flight", 4);
}

/*
 * fd 5: an eventfd (counter 1); fd 6: an epoll set watching it, sent
 * and closed.  After the refusal the epoll set received reports the
 * eventfd.
 */
#define EP_DATA		0x5eedULL

static int epoll_flight_setup(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EP_DATA };
	int fd = 6;

	new_pair(1, SOCK_STREAM, 3);
	CHILD_CHECK(1, eventfd(1, 0) == 5, "eventfd: %s", strerror(errno));
	CHILD_CHECK(1, epoll_create1(0) == 6, "epoll_create1: %s", strerror(errno));
	CHILD_CHECK(1, !epoll_ctl(6, EPOLL_CTL_ADD, 5, &ev), "epoll_ctl: %s", strerror(errno));
	ckpt_send_fds(1, 3, "epoll", &fd, 1);
	close(6);
	return 0;
}

static int epoll_flight_verify(void)
{
	struct epoll_event ev = { 0 };
	int fds[CKPT_MAX_PASS], n;

	ckpt_recv_fds(2, 4, "epoll", fds, 1, WAIT_MS);
	n = epoll_wait(fds[0], &ev, 1, WAIT_MS);
	CHILD_CHECK(3, n == 1 && ev.data.u64 == EP_DATA && (ev.events & EPOLLIN),
		    "epoll_wait: %d (%s), data %#llx, events %#x", n, strerror(errno),
		    (unsigned long long)ev.data.u64, ev.events);
	both_ways(4, 3, 4);
	return 0;
}

TEST(epoll_set_in_flight_is_refused_and_runs_on)
{
	if (!ckpt_preamble(_metadata))
		return;
	refused_as(_metadata, epoll_flight_setup, epoll_flight_verify, EOPNOTSUPP, "in flight",
		   4);
}

/*
 * fd 5: flight_path, with a flock() lock taken through it, sent and
 * closed: the lock is held through a file in flight.  After the refusal
 * the lock is still held (another open of the file cannot take it) until
 * the file received lets go of it.
 */
static int flock_flight_setup(void)
{
	int fd = 5;

	new_pair(1, SOCK_STREAM, 3);
	make_file(1, 5, O_RDWR, 0, 0);
	CHILD_CHECK(1, !flock(5, LOCK_EX | LOCK_NB), "flock: %s", strerror(errno));
	ckpt_send_fds(1, 3, "locked", &fd, 1);
	close(5);
	return 0;
}

static int flock_flight_verify(void)
{
	int fds[CKPT_MAX_PASS], fd;

	fd = open(flight_path, O_RDWR);
	CHILD_CHECK(2, fd >= 0, "open %s: %s", flight_path, strerror(errno));
	errno = 0;
	CHILD_CHECK(2, flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
		    "the lock held through the file in flight is gone: flock %s",
		    errno ? strerror(errno) : "worked");
	ckpt_recv_fds(3, 4, "locked", fds, 1, WAIT_MS);
	CHILD_CHECK(4, !flock(fds[0], LOCK_UN), "LOCK_UN: %s", strerror(errno));
	CHILD_CHECK(4, !flock(fd, LOCK_EX | LOCK_NB), "flock after LOCK_UN: %s", strerror(errno));
	both_ways(5, 3, 4);
	return 0;
}

TEST(file_in_flight_holding_a_flock_lock_is_refused_and_runs_on)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	snprintf(flight_path, sizeof(flight_path), "%s/flight", sock_dir);
	refused_as(_metadata, flock_flight_setup, flock_flight_verify, EBUSY, "lock", 4);
	remove_dir();
}

/*
 * The test makes an eventfd (counter 9) and gives the child a copy as its
 * fd 3; the child makes the stream pair 4, 5, sends 3 through 4 and
 * closes it: in flight, queued on 5, and held by the test, outside the
 * job.  After the refusal the test adds 1, and the child receives the
 * eventfd, which reads 10.
 */
static int held_flight_main(void *arg)
{
	int fds[CKPT_MAX_PASS], fd = 3;

	(void)arg;
	new_pair(20, SOCK_STREAM, 4);
	ckpt_send_fds(20, 4, "eventfd", &fd, 1);
	close(3);
	ckpt_member_wait(1);
	ckpt_recv_fds(21, 5, "eventfd", fds, 1, WAIT_MS);
	expect_eventfd(22, fds[0], 10);
	both_ways(23, 4, 5);
	return 0;
}

TEST(eventfd_in_flight_also_held_outside_the_job_is_refused_and_runs_on)
{
	struct ckpt_member m[1];
	char log[4096];
	int n = 0, efd;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	efd = eventfd(9, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	child = ckpt_job_spawn(held_flight_main, NULL, -1, &efd, 1, m, &n, 1);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());
	EXPECT_TRUE(ckpt_log_has(log, "fd ", 5))
		TH_LOG("the socket it is queued on, fd 5, is not named");
	ASSERT_EQ(0, eventfd_write(efd, 1));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
	close(efd);
}

/* fd 3 listens on an abstract name; fd 4 connected to it, not accepted, with data. */
static char pending_name[64];

static int pending_setup(void)
{
	new_sock(1, SOCK_STREAM, 3);
	bind_to(1, 3, pending_name);
	CHILD_CHECK(1, !listen(3, 4), "listen: %s", strerror(errno));
	new_sock(1, SOCK_STREAM, 4);
	connect_to(1, 4, pending_name);
	send_str(1, 4, "early");
	return 0;
}

static int pending_verify(void)
{
	int s = accept_one(2, 3);

	recv_str(3, s, "early");
	both_ways(4, 4, s);
	return 0;
}

TEST(connection_not_accepted_is_refused_and_runs_on)
{
	if (!ckpt_preamble(_metadata))
		return;
	snprintf(pending_name, sizeof(pending_name), "@ckpt-unix-%d-pending", (int)getpid());
	refused(_metadata, pending_setup, pending_verify, "not accepted");
}

/* fds 3, 4: a stream pair; "normal", then the urgent byte '!' sent to 4. */
static int oob_setup(void)
{
	new_pair(1, SOCK_STREAM, 3);
	send_str(1, 3, "normal");
	CHILD_CHECK(1, send(3, "!", 1, MSG_OOB | MSG_NOSIGNAL) == 1, "MSG_OOB: %s",
		    strerror(errno));
	return 0;
}

static int oob_verify(void)
{
	char buf[16], c = 0;
	bool eof;
	size_t n;

	CHILD_CHECK(2, recv(4, &c, 1, MSG_OOB | MSG_DONTWAIT) == 1 && c == '!',
		    "urgent byte: %s", strerror(errno));
	n = drain(3, 4, buf, sizeof(buf), &eof);
	CHILD_CHECK(3, n == 6 && !memcmp(buf, "normal", 6), "fd 4: \"%.*s\"", (int)n, buf);
	both_ways(4, 3, 4);
	return 0;
}

TEST(pending_msg_oob_is_refused_and_runs_on)
{
	int sv[2];

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	if (send(sv[0], "!", 1, MSG_OOB | MSG_NOSIGNAL) != 1) {
		close(sv[0]);
		close(sv[1]);
		SKIP(return, "no MSG_OOB on unix sockets (CONFIG_AF_UNIX_OOB)");
	}
	close(sv[0]);
	close(sv[1]);
	refused(_metadata, oob_setup, oob_verify, "MSG_OOB");
}

/* --------------------------------------------------------------------
 * Restart fails: the listener's path is taken
 */
static char taken_path[128];

static int taken_setup(void)
{
	new_sock(1, SOCK_STREAM, 3);
	bind_to(1, 3, taken_path);
	CHILD_CHECK(1, !listen(3, 4), "listen: %s", strerror(errno));
	return 0;
}

static int taken_verify(void)
{
	return 0;
}

/* In sock_dir: checkpoint and kill the listener, take its path, restart. */
static void path_taken(struct __test_metadata *_metadata)
{
	int fd, logfd, other, c, s, before_count, err;
	struct sockaddr_un a;
	struct pollfd p;
	char log[4096];
	socklen_t len;
	pid_t child, got;

	snprintf(taken_path, sizeof(taken_path), "%s/taken", sock_dir);
	len = un_addr(&a, taken_path);
	child = ckpt_spawn(taken_setup, taken_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));

	/* Another listener at the path, in place of the stale socket file. */
	ASSERT_EQ(0, unlink(taken_path));
	other = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, bind(other, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, listen(other, 4));

	before_count = ckpt_count_user_processes();
	logfd = ckpt_log_open();
	ASSERT_GE(logfd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	got = restart(fd, 0, logfd);
	err = errno;
	ckpt_log_read(logfd, log, sizeof(log));
	close(logfd);
	TH_LOG("restart: %d (%s); log: %s", (int)got, strerror(err), log);
	EXPECT_EQ(-1, got);
	if (got > 0)
		ckpt_kill_reap(got);
	EXPECT_NE(NULL, strstr(log, taken_path)) TH_LOG("the path is not named");
	EXPECT_FALSE(ckpt_pid_exists(child));
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(before_count, ckpt_count_user_processes());

	/* The other listener was not touched. */
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, connect(c, (struct sockaddr *)&a, len));
	p = (struct pollfd){ .fd = other, .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, 10000));
	s = accept4(other, NULL, NULL, SOCK_CLOEXEC);
	EXPECT_LE(0, s);
	if (s >= 0)
		close(s);
	close(c);
	close(other);
	close(fd);
}

TEST(restart_fails_when_another_listener_took_the_path_and_leaves_nothing)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	path_taken(_metadata);
	remove_dir();
}

TEST_HARNESS_MAIN
