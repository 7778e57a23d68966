// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of one job that holds one of every kind of state
 * that is saved, all at once (a "kitchen sink").
 *
 * The job is a tree: the root R, a second thread T of R, a child C that
 * R forks, and a process S that R clones with CLONE_FILES (S shares R's
 * file table, and is not a thread).  It is checkpointed with
 * CKPT_TREE | CKPT_KILL | CKPT_FILE_LOCKS, killed, restarted, and each
 * process checks from inside that what it held is as it was and still
 * works, with the checks of the tests of each kind:
 *
 *  - files: a regular file opened O_APPEND at an offset (the offset and
 *    the flag are kept, a write goes to the end); a directory stream
 *    (opendir(3)) read in part (every entry comes once, *at() calls on
 *    dirfd() work); an O_PATH descriptor, on the same file after it;
 *    /dev/null, read-write on a high descriptor (NULL_FD, past the first
 *    file table), which reads end of file and takes writes;
 *  - a pipe and a FIFO in a temporary directory, with data in them;
 *  - memory: a MAP_SHARED | MAP_ANONYMOUS mapping, a POSIX shared memory
 *    object (shm_open(), mmap(), shm_unlink()) and a memfd sealed against
 *    shrinking and growing, mapped shared and kept open, each shared by R
 *    and C (the image holds each once): what C wrote before the
 *    checkpoint is seen by R, and a write of one is seen by the other both
 *    ways; the memfd keeps its name, seals, offset and close-on-exec flag;
 *    an unlinked file keeps its contents, mode and offset, and stays
 *    unlinked;
 *  - an eventfd in semaphore mode with a counter, a signalfd (its mask;
 *    a signal queued for it is read with its value), a timerfd armed with
 *    an interval, and an epoll set watching them and more with 64-bit
 *    data values: the same items, and exactly the ready ones reported;
 *  - unix sockets: a stream socketpair split between R and C with data
 *    queued both ways, a datagram socketpair with queued datagrams (their
 *    boundaries, a zero-length one included), a listener bound in the
 *    temporary directory with an accepted connection that carries data
 *    both ways, and a new connection after the restart;
 *  - descriptors in flight: after its data, R sent C on the stream pair a
 *    message that carries (SCM_RIGHTS) a pipe's read end, with data in
 *    the pipe, and an eventfd with a counter, on which R then closed its
 *    descriptors (the pipe's write end too: both are in flight only),
 *    and a file that R keeps on a descriptor; C receives the message in
 *    its place in the stream after the restart, with the three
 *    descriptors: the pipe gives its data then end of file, the eventfd
 *    its counter, and the file is one open file description with R's
 *    (each sees where the other moved the offset);
 *  - an ITIMER_REAL interval timer (1000 s, SIGALRM blocked too) and a
 *    POSIX timer whose id and the next id are kept, and which fires with
 *    its id and value once armed again;
 *  - a POSIX record lock and a flock() lock, seen from the test after
 *    the restart (F_GETLK names R), and from inside;
 *  - signals: a blocked SIGUSR1 queued with a value, its SA_ONSTACK
 *    handler, which runs on the alternate stack with that value once
 *    unblocked; T's own pending signal, name, tid and mask;
 *  - scheduling, each thread checking its own (sched_getattr(2),
 *    getpriority(2), sched_getaffinity(2), ioprio_get(2),
 *    PR_GET_TIMERSLACK): T is SCHED_BATCH at nice 7, allowed on CPU 0
 *    only (and runs there), with the best-effort I/O priority 6 and the
 *    timer slack it had; R's main thread is SCHED_OTHER at nice 3 with a
 *    timer slack of 200 us, on the CPUs it had; R's oom_score_adj is 250;
 *  - S and R share the file table again: a descriptor R opened before the
 *    checkpoint (its number sent to S through a pipe) is in S's table
 *    after it, and one each opens or closes after the restart is, or is
 *    no longer, in the other's.
 *
 * Nothing waits for time to pass: the processes talk through pipes and
 * sockets, and a restored process waits at most WAIT_MS for what must
 * come.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <linux/ioprio.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/*
 * The harness' TEST_F() wrapper keeps the pid of the test process it
 * forks in a variable that a failed ASSERT_*()'s longjmp() may clobber.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#define PG		4096UL
#define MS_NS		1000000LL
#define SEC_NS		1000000000LL

/* How long a restored process waits for what must come. */
#define WAIT_MS		10000

#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL	0x0001
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#endif

enum { R_ROOT = 1, R_CHILD, R_SHARER, NR_ROLES = R_SHARER };

/* --------------------------------------------------------------------
 * The temporary directory: made by the test, used by the job
 *
 *	data	DATA_SIZE bytes, byte i is 'a' + i % 26; R appends to it
 *	opath	an empty file, under R's O_PATH descriptor
 *	dir/	NR_NAMES empty files f00..f39, read by R's directory stream
 *	fifo	a FIFO
 *	sock	R's listener (made by R)
 *	plock	LK_SIZE bytes: R's POSIX write lock on bytes 0..PLOCK_LEN-1
 *	flock	R's flock(LOCK_EX) lock
 *	deleted	made and unlinked by R
 *	flight	LK_SIZE bytes, like data: R's descriptor on it is in flight too
 */
#define DATA_SIZE	1000
#define NR_NAMES	40
#define LK_SIZE		200
#define PLOCK_LEN	100

static char sink_dir[64];

static void sink_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", sink_dir, name);
}

static int sink_make_file(const char *name, size_t size)
{
	char path[128], buf[DATA_SIZE];
	size_t i;
	int fd, err;

	for (i = 0; i < size && i < sizeof(buf); i++)
		buf[i] = 'a' + i % 26;
	sink_path(path, sizeof(path), name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	err = ckpt_write_all(fd, buf, size < sizeof(buf) ? size : sizeof(buf));
	close(fd);
	return err;
}

static void sink_remove_dir(void)
{
	char path[128];
	struct dirent *de;
	DIR *dir;

	sink_path(path, sizeof(path), "dir");
	dir = opendir(path);
	while (dir && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(dir), de->d_name, 0);
	if (dir)
		closedir(dir);
	rmdir(path);
	dir = opendir(sink_dir);
	while (dir && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(dir), de->d_name, 0);
	if (dir)
		closedir(dir);
	rmdir(sink_dir);
}

static int sink_make_dir(void)
{
	char path[128], name[16];
	int i, fd;

	snprintf(sink_dir, sizeof(sink_dir), "/tmp/ckpt-sink-%d", (int)getpid());
	sink_remove_dir();
	if (mkdir(sink_dir, 0755))
		return -1;
	if (sink_make_file("data", DATA_SIZE) || sink_make_file("opath", 0) ||
	    sink_make_file("plock", LK_SIZE) || sink_make_file("flock", LK_SIZE) ||
	    sink_make_file("flight", LK_SIZE))
		return -1;
	sink_path(path, sizeof(path), "fifo");
	if (mkfifo(path, 0600))
		return -1;
	sink_path(path, sizeof(path), "dir");
	if (mkdir(path, 0755))
		return -1;
	for (i = 0; i < NR_NAMES; i++) {
		snprintf(name, sizeof(name), "dir/f%02d", i);
		sink_path(path, sizeof(path), name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* --------------------------------------------------------------------
 * What the job holds
 */

/* R's descriptors, in R's memory (and C's and S's copies of it). */
static struct {
	int reg, opath, pipe_r, pipe_w, fifo_r, fifo_w, memfd, deleted;
	int efd, sfd, tfd, ep;
	int st_root, st_child;		/* the stream pair: R's end, C's end */
	int dg[2];			/* the datagram pair, both R's */
	int listener, client, accepted;
	int plock, flock;
	int to_s[2], to_p[2];		/* pipes R -> S, S -> R */
	int to_t[2], t_ready[2];	/* pipes R -> T, T -> R */
	int late;			/* opened by R after the clone of S */
	int probe;			/* R's own probe of the POSIX lock */
	int flight;			/* on flight, and in flight to C too */
} fds;

static DIR *sink_d;			/* R's directory stream on dir/ */
static pid_t root_pid, child_pid, sharer_pid;
static int s_ready_fd;			/* S's descriptor on the report pipe */

/* /dev/null's descriptor: past the 64 of the first file table. */
#define NULL_FD		1000

/* The regular file: appended to, then read from REG_POS. */
#define APPEND_BEFORE	"[appended before the checkpoint]"
#define APPEND_AFTER	"[after]"
#define REG_POS		300
#define REG_READ	20

/* The directory stream: entries read before the checkpoint. */
#define DIR_BEFORE	12
static bool dir_seen[NR_NAMES + 2];

/* Where R's late descriptor and the ones opened after the restart are. */
#define LATE_OFF	111
#define S_OFF_R		222
#define S_OFF_S		333

/* The pipe, the FIFO, the sockets. */
#define PIPE_DATA	"in the pipe"
#define FIFO_DATA	"in the FIFO, in flight"
#define ROOT_BEFORE	"root before;"
#define CHILD_BEFORE	"child before;"
#define CLIENT_BEFORE	"client before"
#define SERVER_BEFORE	"server before"

static const char *const dg_msgs[] = { "one", "", "the third datagram, longer" };

#define DG_BACK		"back"

/*
 * In flight to C on the stream pair, after ROOT_BEFORE: FLIGHT_MSG with
 * the pipe's read end (FLIGHT_DATA in the pipe, O_NONBLOCK), the eventfd
 * (FLIGHT_COUNT) and R's descriptor on flight (at FLIGHT_POS).  After the
 * restart R moves it to FLIGHT_MOVED, C reads FLIGHT_READ bytes there.
 */
#define FLIGHT_MSG	"three descriptors;"
#define FLIGHT_DATA	"in a pipe in flight"
#define FLIGHT_COUNT	41
#define FLIGHT_POS	40
#define FLIGHT_MOVED	90
#define FLIGHT_READ	16

/* Signals: their numbers are not constants. */
#define SIG_SFD		(SIGRTMIN + 1)	/* queued for the signalfd */
#define SIG_PT		(SIGRTMIN + 2)	/* the POSIX timer's */
#define SIG_T		(SIGRTMIN + 3)	/* pending on T alone */
#define USR1_VALUE	4242
#define SFD_VALUE	77
#define PT_VALUE	0xb0b

/* Timers. */
#define ITV_VALUE	(1000 * SEC_NS)
#define ITV_INTERVAL	(500 * SEC_NS)
#define PT_LONG		(1000 * SEC_NS)
#define PT_INTERVAL	(60 * SEC_NS)
#define PT_SHORT	(10 * MS_NS)
#define TFD_VALUE	(1000 * SEC_NS)
#define TFD_INTERVAL	(7 * SEC_NS)

static long long itv_left, tfd_left;
static int pt_id;

/* The eventfd: semaphore mode, this counter. */
#define EFD_COUNT	3

/* The epoll items' data, and whether each is ready at the restart. */
#define EP_EFD		0xe1e1000000000001ULL
#define EP_PIPE		0xe2e2000000000002ULL
#define EP_SFD		0xe3e3000000000003ULL
#define EP_TFD		0xe4e4000000000004ULL
#define EP_STREAM	0xe5e5000000000005ULL
#define EP_LISTENER	0xe6e6000000000006ULL
#define EP_FIFO		0xe7e7000000000007ULL

static const struct {
	int *fd;
	unsigned long long data;
	bool ready;
} ep_items[] = {
	{ &fds.efd, EP_EFD, true },
	{ &fds.pipe_r, EP_PIPE, true },
	{ &fds.sfd, EP_SFD, true },
	{ &fds.tfd, EP_TFD, false },
	{ &fds.st_root, EP_STREAM, true },
	{ &fds.listener, EP_LISTENER, false },
	{ &fds.fifo_r, EP_FIFO, true },
};

/* Shared memory: page 0 a pattern, page 1 the mailbox. */
enum { SH_ANON, SH_SHM, SH_MEMFD, NR_SH };

static const char *const sh_what[NR_SH] = {
	"shared anonymous memory", "POSIX shm", "the memfd"
};

#define SH_SEED		0x5111ULL
#define SH_BEFORE	0xbef0feULL
#define SH_FROM_ROOT	0x1234abcdULL
#define SH_FROM_CHILD	0x4321dcbaULL
#define MEMFD_NAME	"ckpt-sink"
#define MEMFD_POS	100
#define MEMFD_SEALS	(F_SEAL_SHRINK | F_SEAL_GROW)

struct mailbox {
	unsigned long long before;	/* by C, before the checkpoint */
	unsigned long long from_root;	/* by R, after the restart */
	unsigned long long from_child;	/* by C, after the restart */
};

static char *sh_map[NR_SH];
static char shm_name[64];

static struct mailbox *mbox(int i)
{
	return (struct mailbox *)(sh_map[i] + PG);
}

/* The unlinked file. */
#define DEL_SIZE	(PG + 300)
#define DEL_POS		777
#define DEL_SEED	0xde1ULL
static unsigned char del_data[2 * PG];

/* T: the second thread of R. */
#define T_NAME		"sink-thread"
static pthread_t t_thread;
static pid_t t_tid;
static int t_tkill_code;		/* si_code of a tgkill()ed signal, seen before */

/* IOPRIO_PRIO_VALUE(), which is no constant expression in the uapi header */
#define IOPRIO(class, level)	((class) << IOPRIO_CLASS_SHIFT | (level))

/* Scheduling: T's, R's main thread's, R's. */
#define T_NICE		7
#define T_CPU		0
#define T_IOPRIO	IOPRIO(IOPRIO_CLASS_BE, 6)
#define R_NICE		3
#define R_SLACK		200000L
#define R_OOM_ADJ	250

static long t_slack;			/* T's timer slack, as it was */
static cpu_set_t r_cpus;		/* R's main thread's CPUs, as they were */

/* The signal state R set up. */
#define ALTSTACK_SIZE	(64 * 1024)
static char altstack[ALTSTACK_SIZE];
static stack_t ss_before;
static struct sigaction usr1_before;
static int usr1_n, usr1_code, usr1_value, usr1_pid, usr1_ss_flags = -1;
static uintptr_t usr1_local;

/* /proc/self/fdinfo of the event descriptors, as set up. */
#define INFO_SIZE	4096
static char snap_efd[INFO_SIZE], snap_sfd[INFO_SIZE], snap_tfd[INFO_SIZE];
static char snap_ep[INFO_SIZE];

/* --------------------------------------------------------------------
 * Helpers (in the job)
 */

static ssize_t read_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return ckpt_read_file(path, buf, size);
}

/* The line of @info that starts with @key, into @out. */
static bool info_line(const char *info, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = info, *e;

	out[0] = '\0';
	while (p && *p) {
		e = strchrnul(p, '\n');
		if (!strncmp(p, key, klen)) {
			snprintf(out, len, "%.*s", (int)(e - p), p);
			return true;
		}
		p = *e ? e + 1 : NULL;
	}
	return false;
}

/* The fdinfo lines @keys (NULL-terminated) of @fd are as in @snap. */
static void same_info(int code, int fd, const char *snap, const char *const *keys)
{
	char now[INFO_SIZE], a[256], b[256];

	CHILD_CHECK(code, read_fdinfo(fd, now, sizeof(now)) > 0, "fdinfo of fd %d: %s", fd,
		    strerror(errno));
	for (; *keys; keys++) {
		CHILD_CHECK(code, info_line(snap, *keys, a, sizeof(a)),
			    "fd %d had no \"%s\" line before the checkpoint", fd, *keys);
		info_line(now, *keys, b, sizeof(b));
		CHILD_CHECK(code, !strcmp(a, b), "fd %d: \"%s\" before, \"%s\" after", fd, a, b);
	}
}

static const char *const eventfd_keys[] = {
	"flags:", "eventfd-count:", "eventfd-semaphore:", NULL
};

static const char *const signalfd_keys[] = { "flags:", "sigmask:", NULL };

static const char *const timerfd_keys[] = {
	"flags:", "clockid:", "settime flags:", "it_interval:", NULL
};

/* @fd is an anonymous file whose name contains @name ("[eventfd]"). */
static void check_kind(int code, int fd, const char *name)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	CHILD_CHECK(code, n > 0, "readlink(%s): %s", path, strerror(errno));
	link[n] = '\0';
	CHILD_CHECK(code, strstr(link, name), "fd %d is %s, not %s", fd, link, name);
}

/* readlink() of /proc/self/fd/@fd into @buf, NUL-terminated. */
static void fd_link(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* Is @fd on the file sink_dir/@name? */
static bool same_file(int fd, const char *name)
{
	struct stat a, b;
	char path[128];

	sink_path(path, sizeof(path), name);
	return !fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int sink_open(const char *name, int flags)
{
	char path[128];

	sink_path(path, sizeof(path), name);
	return open(path, flags);
}

/* An int through a pipe, each way; the reader waits up to WAIT_MS. */
static void tell(int code, int fd, int v)
{
	CHILD_CHECK(code, !ckpt_write_all(fd, &v, sizeof(v)), "write to fd %d: %s", fd,
		    strerror(errno));
}

static int hear(int code, int fd)
{
	int v = -1;

	CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS), "fd %d: nothing came in %d ms", fd, WAIT_MS);
	CHILD_CHECK(code, read(fd, &v, sizeof(v)) == sizeof(v), "read from fd %d: %s", fd,
		    strerror(errno));
	return v;
}

/* Each member: still the process it reported itself as. */
static void check_ids(int code)
{
	CHILD_CHECK(code, getpid() == ckpt_me.pid && getppid() == ckpt_me.ppid &&
		    getpgrp() == ckpt_me.pgid && getsid(0) == ckpt_me.sid,
		    "role %d: pid/ppid/pgid/sid %d/%d/%d/%d, were %d/%d/%d/%d", (int)ckpt_me.role,
		    (int)getpid(), (int)getppid(), (int)getpgrp(), (int)getsid(0),
		    (int)ckpt_me.pid, (int)ckpt_me.ppid, (int)ckpt_me.pgid, (int)ckpt_me.sid);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* Sockets */

static socklen_t un_addr(struct sockaddr_un *a, const char *path)
{
	size_t n = strlen(path);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (n >= sizeof(a->sun_path))
		n = sizeof(a->sun_path) - 1;
	memcpy(a->sun_path, path, n);
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

static void send_str(int code, int fd, const char *s)
{
	ssize_t n = send(fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT);

	CHILD_CHECK(code, n == (ssize_t)strlen(s), "fd %d: send \"%s\": %zd (%s)", fd, s, n,
		    strerror(errno));
}

/* Receive exactly the bytes of @want on the stream socket @fd. */
static void recv_str(int code, int fd, const char *want)
{
	size_t len = strlen(want), got = 0;
	char buf[256];
	ssize_t n;

	while (got < len) {
		CHILD_CHECK(code, ckpt_readable(fd, WAIT_MS),
			    "fd %d: %zu of the %zu bytes of \"%s\" came", fd, got, len, want);
		n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		CHILD_CHECK(code, n > 0, "fd %d: recv: %zd (%s) after %zu bytes of \"%s\"", fd, n,
			    n ? strerror(errno) : "end of file", got, want);
		got += n;
	}
	CHILD_CHECK(code, !memcmp(buf, want, len), "fd %d: received \"%.*s\", expected \"%s\"",
		    fd, (int)len, buf, want);
}

/* Nothing to read on the socket @fd, and no end of file either. */
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

/* Is the name @n (@len bytes) sink_dir/@name? */
static bool named(const struct sockaddr_un *n, socklen_t len, const char *name)
{
	char path[128];

	sink_path(path, sizeof(path), name);
	return len > offsetof(struct sockaddr_un, sun_path) && !strcmp(n->sun_path, path);
}

/* Signals */

static unsigned long long sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The pending signals of the calling thread, process-wide ones included. */
static unsigned long long pending_mask(void)
{
	unsigned long long m = 0;
	sigset_t set;
	int sig;

	if (sigpending(&set))
		return ~0ULL;
	for (sig = 1; sig <= 64; sig++)
		if (sigismember(&set, sig) == 1)
			m |= sigbit(sig);
	return m;
}

/* Dequeue @sig, waiting up to @ms for it; the signal number or -1. */
static int take(int sig, siginfo_t *si, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, sig);
	memset(si, 0, sizeof(*si));
	do {
		ret = sigtimedwait(&set, si, &ts);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

static void usr1_action(int sig, siginfo_t *si, void *uc)
{
	stack_t cur;
	char local;

	(void)sig;
	(void)uc;
	CKPT_STORE(usr1_local, (uintptr_t)&local);
	CKPT_STORE(usr1_code, si->si_code);
	CKPT_STORE(usr1_value, si->si_value.sival_int);
	CKPT_STORE(usr1_pid, si->si_pid);
	if (!sigaltstack(NULL, &cur))
		CKPT_STORE(usr1_ss_flags, cur.ss_flags);
	__atomic_add_fetch(&usr1_n, 1, __ATOMIC_SEQ_CST);
}

/* The signals R blocks (and T, C and S with it), SIGUSR2 aside. */
static void blocked_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGALRM);
	sigaddset(set, SIG_SFD);
	sigaddset(set, SIG_PT);
	sigaddset(set, SIG_T);
}

/* Timers */

static long long ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * SEC_NS + ts->tv_nsec;
}

static struct timespec ns_ts(long long ns)
{
	struct timespec ts = { ns / SEC_NS, ns % SEC_NS };

	return ts;
}

static long long tv_ns(const struct timeval *tv)
{
	return (long long)tv->tv_sec * SEC_NS + (long long)tv->tv_usec * 1000;
}

static struct timeval ns_tv(long long ns)
{
	struct timeval tv = { ns / SEC_NS, (ns % SEC_NS) / 1000 };

	return tv;
}

static int ptimer_create(int value)
{
	struct sigevent sev;
	int id = -1;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIG_PT;
	sev.sigev_value.sival_int = value;
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id))
		return -1;
	return id;
}

static int ptimer_set(int id, long long value_ns, long long interval_ns)
{
	struct itimerspec its = { ns_ts(interval_ns), ns_ts(value_ns) };

	return syscall(SYS_timer_settime, id, 0, &its, NULL);
}

static int ptimer_get(int id, long long *value_ns, long long *interval_ns)
{
	struct itimerspec its;

	if (syscall(SYS_timer_gettime, id, &its))
		return -1;
	*value_ns = ts_ns(&its.it_value);
	*interval_ns = ts_ns(&its.it_interval);
	return 0;
}

/* Scheduling */

/* The calling thread's nice value, or -100. */
static int nice_self(void)
{
	int nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, gettid());
	return errno ? -100 : nice;
}

/* epoll */

struct ep_entry {
	int tfd;
	unsigned int events;
	unsigned long long data;
};

#define MAX_ENTRIES	16

static int cmp_entry(const void *a, const void *b)
{
	const struct ep_entry *x = a, *y = b;

	if (x->tfd != y->tfd)
		return x->tfd < y->tfd ? -1 : 1;
	return x->data < y->data ? -1 : x->data > y->data;
}

/* The "tfd:" lines of an epoll fdinfo, sorted by fd.  Returns how many. */
static int ep_entries(const char *info, struct ep_entry *e, int max)
{
	const char *p = info;
	int n = 0;

	while ((p = strstr(p, "tfd:"))) {
		if (n < max && sscanf(p, "tfd: %d events: %x data: %llx", &e[n].tfd,
				      &e[n].events, &e[n].data) == 3)
			n++;
		p += 4;
	}
	qsort(e, n, sizeof(*e), cmp_entry);
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* --------------------------------------------------------------------
 * Setting up (in R)
 */

static void setup_signals(void)
{
	struct sigaction sa;
	sigset_t set;
	stack_t ss;

	blocked_set(&set);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask: %s", strerror(errno));
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	CHILD_CHECK(1, !sigaltstack(&ss, NULL), "sigaltstack: %s", strerror(errno));
	CHILD_CHECK(1, !sigaltstack(NULL, &ss_before), "sigaltstack");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = usr1_action;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	CHILD_CHECK(1, !sigaction(SIGUSR1, &sa, NULL), "sigaction: %s", strerror(errno));
	CHILD_CHECK(1, !sigaction(SIGUSR1, NULL, &usr1_before), "sigaction");
}

static void setup_files(void)
{
	struct dirent *de;
	char path[128];
	int i, n, p[2], fd;

	fds.reg = sink_open("data", O_RDWR | O_APPEND);
	CHILD_CHECK(2, fds.reg >= 0, "open data: %s", strerror(errno));
	CHILD_CHECK(2, !ckpt_write_all(fds.reg, APPEND_BEFORE, strlen(APPEND_BEFORE)) &&
		    lseek(fds.reg, REG_POS, SEEK_SET) == REG_POS, "write, lseek: %s",
		    strerror(errno));
	fds.opath = sink_open("opath", O_PATH);
	CHILD_CHECK(2, fds.opath >= 0, "open opath O_PATH: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR);
	CHILD_CHECK(2, fd >= 0 && dup2(fd, NULL_FD) == NULL_FD && !close(fd),
		    "/dev/null on fd %d: %s", NULL_FD, strerror(errno));

	/* The directory stream, read in part. */
	sink_path(path, sizeof(path), "dir");
	sink_d = opendir(path);
	CHILD_CHECK(2, sink_d, "opendir: %s", strerror(errno));
	for (n = 0; n < DIR_BEFORE; n++) {
		de = readdir(sink_d);
		CHILD_CHECK(2, de, "readdir: %s", strerror(errno));
		if (!strcmp(de->d_name, "."))
			i = NR_NAMES;
		else if (!strcmp(de->d_name, ".."))
			i = NR_NAMES + 1;
		else
			CHILD_CHECK(2, sscanf(de->d_name, "f%d", &i) == 1 && i >= 0 &&
				    i < NR_NAMES, "entry %s", de->d_name);
		dir_seen[i] = true;
	}

	/* The unlinked file. */
	fds.deleted = sink_open("deleted", O_RDWR | O_CREAT | O_EXCL);
	CHILD_CHECK(2, fds.deleted >= 0, "create deleted: %s", strerror(errno));
	ckpt_fill(del_data, sizeof(del_data), DEL_SEED);
	memset(del_data + DEL_SIZE, 0, sizeof(del_data) - DEL_SIZE);
	CHILD_CHECK(2, !fchmod(fds.deleted, 0640) &&
		    !ckpt_write_all(fds.deleted, del_data, DEL_SIZE) &&
		    lseek(fds.deleted, DEL_POS, SEEK_SET) == DEL_POS, "deleted: %s",
		    strerror(errno));
	sink_path(path, sizeof(path), "deleted");
	CHILD_CHECK(2, !unlink(path), "unlink %s: %s", path, strerror(errno));

	/* The pipe and the FIFO, with data. */
	CHILD_CHECK(3, !pipe(p), "pipe: %s", strerror(errno));
	fds.pipe_r = p[0];
	fds.pipe_w = p[1];
	CHILD_CHECK(3, !fcntl(fds.pipe_r, F_SETFL, O_NONBLOCK) &&
		    !ckpt_write_all(fds.pipe_w, PIPE_DATA, strlen(PIPE_DATA)), "pipe: %s",
		    strerror(errno));
	fds.fifo_r = sink_open("fifo", O_RDONLY | O_NONBLOCK);
	CHILD_CHECK(3, fds.fifo_r >= 0, "open the FIFO to read: %s", strerror(errno));
	fds.fifo_w = sink_open("fifo", O_WRONLY);
	CHILD_CHECK(3, fds.fifo_w >= 0, "open the FIFO to write: %s", strerror(errno));
	CHILD_CHECK(3, !ckpt_write_all(fds.fifo_w, FIFO_DATA, strlen(FIFO_DATA)), "FIFO: %s",
		    strerror(errno));
}

static void setup_memory(void)
{
	int i, fd;

	sh_map[SH_ANON] = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
	CHILD_CHECK(4, sh_map[SH_ANON] != MAP_FAILED, "mmap: %s", strerror(errno));

	snprintf(shm_name, sizeof(shm_name), "/ckpt-sink-%d", (int)getpid());
	fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHILD_CHECK(4, fd >= 0, "shm_open %s: %s", shm_name, strerror(errno));
	CHILD_CHECK(4, !ftruncate(fd, 2 * PG), "ftruncate: %s", strerror(errno));
	sh_map[SH_SHM] = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHILD_CHECK(4, sh_map[SH_SHM] != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(4, !shm_unlink(shm_name), "shm_unlink: %s", strerror(errno));
	close(fd);

	fds.memfd = memfd_create(MEMFD_NAME, MFD_ALLOW_SEALING | MFD_CLOEXEC);
	CHILD_CHECK(4, fds.memfd >= 0, "memfd_create: %s", strerror(errno));
	CHILD_CHECK(4, !ftruncate(fds.memfd, 2 * PG), "ftruncate: %s", strerror(errno));
	sh_map[SH_MEMFD] = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fds.memfd, 0);
	CHILD_CHECK(4, sh_map[SH_MEMFD] != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(4, lseek(fds.memfd, MEMFD_POS, SEEK_SET) == MEMFD_POS &&
		    !fcntl(fds.memfd, F_ADD_SEALS, MEMFD_SEALS), "memfd: %s", strerror(errno));

	for (i = 0; i < NR_SH; i++)
		ckpt_fill(sh_map[i], PG, SH_SEED + i);
}

static void setup_events(void)
{
	struct itimerspec its = { ns_ts(TFD_INTERVAL), ns_ts(TFD_VALUE) };
	sigset_t set;

	fds.efd = eventfd(EFD_COUNT, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHILD_CHECK(5, fds.efd >= 0, "eventfd: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIG_SFD);
	fds.sfd = signalfd(-1, &set, SFD_NONBLOCK);
	CHILD_CHECK(5, fds.sfd >= 0, "signalfd: %s", strerror(errno));
	fds.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	CHILD_CHECK(5, fds.tfd >= 0, "timerfd_create: %s", strerror(errno));
	CHILD_CHECK(5, !timerfd_settime(fds.tfd, 0, &its, NULL), "timerfd_settime: %s",
		    strerror(errno));
	CHILD_CHECK(5, !timerfd_gettime(fds.tfd, &its), "timerfd_gettime: %s", strerror(errno));
	tfd_left = ts_ns(&its.it_value);
}

static void setup_sockets(void)
{
	struct sockaddr_un a;
	char path[128];
	socklen_t len;
	unsigned int i;
	int sv[2];

	CHILD_CHECK(6, !socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair: %s",
		    strerror(errno));
	fds.st_root = sv[0];
	fds.st_child = sv[1];
	CHILD_CHECK(6, !socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds.dg),
		    "socketpair: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(dg_msgs); i++)
		send_str(6, fds.dg[0], dg_msgs[i]);
	send_str(6, fds.dg[1], DG_BACK);

	sink_path(path, sizeof(path), "sock");
	len = un_addr(&a, path);
	fds.listener = socket(AF_UNIX, SOCK_STREAM, 0);
	CHILD_CHECK(6, fds.listener >= 0 && !bind(fds.listener, (struct sockaddr *)&a, len) &&
		    !listen(fds.listener, 4), "listener %s: %s", path, strerror(errno));
	fds.client = socket(AF_UNIX, SOCK_STREAM, 0);
	CHILD_CHECK(6, fds.client >= 0 && !connect(fds.client, (struct sockaddr *)&a, len),
		    "connect to %s: %s", path, strerror(errno));
	CHILD_CHECK(6, ckpt_readable(fds.listener, WAIT_MS), "no connection to accept");
	fds.accepted = accept(fds.listener, NULL, NULL);
	CHILD_CHECK(6, fds.accepted >= 0, "accept: %s", strerror(errno));
	send_str(6, fds.client, CLIENT_BEFORE);
	send_str(6, fds.accepted, SERVER_BEFORE);
}

/*
 * After C's fork, so that C has none of them: the message in flight to C
 * on the stream pair (see FLIGHT_MSG).  We close the pipe, both its ends,
 * and the eventfd: they are in flight only; we keep fds.flight.
 */
static void setup_flight(void)
{
	int p[2], sent[3];

	CHILD_CHECK(17, !pipe(p), "pipe: %s", strerror(errno));
	CHILD_CHECK(17, !fcntl(p[0], F_SETFL, O_NONBLOCK) &&
		    !ckpt_write_all(p[1], FLIGHT_DATA, strlen(FLIGHT_DATA)), "pipe: %s",
		    strerror(errno));
	sent[0] = p[0];
	sent[1] = eventfd(FLIGHT_COUNT, EFD_NONBLOCK);
	CHILD_CHECK(17, sent[1] >= 0, "eventfd: %s", strerror(errno));
	fds.flight = sink_open("flight", O_RDWR);
	CHILD_CHECK(17, fds.flight >= 0 && lseek(fds.flight, FLIGHT_POS, SEEK_SET) == FLIGHT_POS,
		    "open flight: %s", strerror(errno));
	sent[2] = fds.flight;
	ckpt_send_fds(17, fds.st_root, FLIGHT_MSG, sent, 3);
	CHILD_CHECK(17, !close(p[0]) && !close(p[1]) && !close(sent[1]), "close: %s",
		    strerror(errno));
}

static void setup_epoll(void)
{
	unsigned int i;

	fds.ep = epoll_create1(EPOLL_CLOEXEC);
	CHILD_CHECK(7, fds.ep >= 0, "epoll_create1: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(ep_items); i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ep_items[i].data };

		CHILD_CHECK(7, !epoll_ctl(fds.ep, EPOLL_CTL_ADD, *ep_items[i].fd, &ev),
			    "EPOLL_CTL_ADD %d: %s", *ep_items[i].fd, strerror(errno));
	}
}

static void setup_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = PLOCK_LEN };

	CHILD_CHECK(8, !fcntl(fds.plock, F_SETLK, &fl), "F_SETLK: %s", strerror(errno));
	CHILD_CHECK(8, !flock(fds.flock, LOCK_EX | LOCK_NB), "flock: %s", strerror(errno));
}

static void setup_timers(void)
{
	struct itimerval it = { ns_tv(ITV_INTERVAL), ns_tv(ITV_VALUE) };
	int gone;

	CHILD_CHECK(9, !setitimer(ITIMER_REAL, &it, NULL), "setitimer: %s", strerror(errno));
	CHILD_CHECK(9, !getitimer(ITIMER_REAL, &it), "getitimer: %s", strerror(errno));
	itv_left = tv_ns(&it.it_value);
	/* Ids 0 and 1; 0 is deleted: 1 is kept, and 2 is the next. */
	gone = ptimer_create(0);
	pt_id = ptimer_create(PT_VALUE);
	CHILD_CHECK(9, gone == 0 && pt_id == 1, "timer_create gave ids %d and %d (%s)", gone,
		    pt_id, strerror(errno));
	CHILD_CHECK(9, !syscall(SYS_timer_delete, gone), "timer_delete: %s", strerror(errno));
	CHILD_CHECK(9, !ptimer_set(pt_id, PT_LONG, PT_INTERVAL), "timer_settime: %s",
		    strerror(errno));
}

static void queue_signals(void)
{
	union sigval v;

	v.sival_int = USR1_VALUE;
	CHILD_CHECK(10, !sigqueue(getpid(), SIGUSR1, v), "sigqueue: %s", strerror(errno));
	v.sival_int = SFD_VALUE;
	CHILD_CHECK(10, !sigqueue(getpid(), SIG_SFD, v), "sigqueue: %s", strerror(errno));
	CHILD_CHECK(10, pending_mask() == (sigbit(SIGUSR1) | sigbit(SIG_SFD)),
		    "pending %#llx", pending_mask());
}

/* After T's creation: T keeps the timer slack it had. */
static void setup_sched(void)
{
	char buf[16];
	int fd, len;

	CHILD_CHECK(18, !setpriority(PRIO_PROCESS, gettid(), R_NICE), "setpriority(%d): %s",
		    R_NICE, strerror(errno));
	CHILD_CHECK(18, !prctl(PR_SET_TIMERSLACK, R_SLACK, 0, 0, 0), "PR_SET_TIMERSLACK: %s",
		    strerror(errno));
	CHILD_CHECK(18, !sched_getaffinity(0, sizeof(r_cpus), &r_cpus), "sched_getaffinity: %s",
		    strerror(errno));
	len = snprintf(buf, sizeof(buf), "%d\n", R_OOM_ADJ);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	CHILD_CHECK(18, fd >= 0 && write(fd, buf, len) == len && !close(fd),
		    "oom_score_adj: %s", strerror(errno));
}

static void snapshot(void)
{
	CHILD_CHECK(11, read_fdinfo(fds.efd, snap_efd, INFO_SIZE) > 0 &&
		    read_fdinfo(fds.sfd, snap_sfd, INFO_SIZE) > 0 &&
		    read_fdinfo(fds.tfd, snap_tfd, INFO_SIZE) > 0 &&
		    read_fdinfo(fds.ep, snap_ep, INFO_SIZE) > 0, "fdinfo: %s", strerror(errno));
}

/* --------------------------------------------------------------------
 * T, the second thread of R
 */

/* The SigPnd line of the calling thread's status. */
static unsigned long long thread_sigpnd(void)
{
	char buf[4096], line[64];

	if (ckpt_read_file("/proc/thread-self/status", buf, sizeof(buf)) < 0 ||
	    !info_line(buf, "SigPnd:", line, sizeof(line)))
		return ~0ULL;
	return strtoull(line + 7, NULL, 16);
}

/* T sets its own scheduling attributes. */
static void t_sched_setup(void)
{
	struct ckpt_sched_attr a = {
		.size		= sizeof(a),
		.sched_policy	= SCHED_BATCH,
		.sched_nice	= T_NICE,
	};
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(T_CPU, &cpus);
	CHILD_CHECK(18, !ckpt_sched_setattr_self(&a), "T: sched_setattr(SCHED_BATCH): %s",
		    strerror(errno));
	CHILD_CHECK(18, !sched_setaffinity(0, sizeof(cpus), &cpus), "T: pin to CPU %d: %s",
		    T_CPU, strerror(errno));
	CHILD_CHECK(18, !syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, gettid(), T_IOPRIO),
		    "T: ioprio_set(%#x): %s", T_IOPRIO, strerror(errno));
	t_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHILD_CHECK(18, t_slack > 0 && t_slack != R_SLACK, "T: timer slack %ld ns (%s)", t_slack,
		    strerror(errno));
}

/* After the restart, T checks its own. */
static void t_sched_verify(void)
{
	struct ckpt_sched_attr a;
	cpu_set_t cpus;
	int ioprio, cpu;
	long slack;

	CHILD_CHECK(19, !ckpt_sched_getattr_self(&a), "T: sched_getattr: %s", strerror(errno));
	CHILD_CHECK(19, a.sched_policy == SCHED_BATCH && a.sched_nice == T_NICE &&
		    nice_self() == T_NICE,
		    "T: policy %u, nice %d (getpriority %d), expected SCHED_BATCH (%d) at %d",
		    a.sched_policy, a.sched_nice, nice_self(), SCHED_BATCH, T_NICE);
	CPU_ZERO(&cpus);
	CHILD_CHECK(19, !sched_getaffinity(0, sizeof(cpus), &cpus) && CPU_COUNT(&cpus) == 1 &&
		    CPU_ISSET(T_CPU, &cpus), "T: %d CPUs allowed, expected CPU %d only",
		    CPU_COUNT(&cpus), T_CPU);
	cpu = sched_getcpu();
	CHILD_CHECK(19, cpu == T_CPU, "T runs on CPU %d, pinned to %d", cpu, T_CPU);
	ioprio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, gettid());
	CHILD_CHECK(19, ioprio == T_IOPRIO, "T: I/O priority %#x (%s), expected %#x", ioprio,
		    strerror(errno), T_IOPRIO);
	slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHILD_CHECK(19, slack == t_slack, "T: timer slack %ld ns, was %ld", slack, t_slack);
}

static void *t_main(void *arg)
{
	char name[16] = "";
	sigset_t set, want;
	siginfo_t si;
	ssize_t n;
	char c;
	int sig;

	(void)arg;
	CHILD_CHECK(12, !prctl(PR_SET_NAME, T_NAME), "PR_SET_NAME: %s", strerror(errno));
	CKPT_STORE(t_tid, gettid());
	/* What tgkill() looks like here (glibc folds SI_TKILL into SI_USER). */
	CHILD_CHECK(12, !syscall(SYS_tgkill, getpid(), gettid(), SIG_T) &&
		    take(SIG_T, &si, 0) == SIG_T, "tgkill: %s", strerror(errno));
	t_tkill_code = si.si_code;
	CHILD_CHECK(12, !syscall(SYS_tgkill, getpid(), gettid(), SIG_T), "tgkill: %s",
		    strerror(errno));
	t_sched_setup();
	CHILD_CHECK(12, write(fds.t_ready[1], "r", 1) == 1, "write: %s", strerror(errno));
	do {
		n = read(fds.to_t[0], &c, 1);
	} while (n < 0 && errno == EINTR);

	/* After the restart. */
	CHILD_CHECK(70, n == 1, "T: read: %zd (%s)", n, strerror(errno));
	CHILD_CHECK(71, gettid() == t_tid, "T: tid %d, was %d", (int)gettid(), (int)t_tid);
	CHILD_CHECK(72, !prctl(PR_GET_NAME, name) && !strcmp(name, T_NAME), "T: name \"%s\"",
		    name);
	CHILD_CHECK(73, !pthread_sigmask(SIG_BLOCK, NULL, &set), "pthread_sigmask");
	blocked_set(&want);
	sigaddset(&want, CKPT_WAKE_SIG);
	for (sig = 1; sig <= 64; sig++)
		CHILD_CHECK(73, sigismember(&set, sig) == sigismember(&want, sig),
			    "T: signal %d is %sblocked", sig, sigismember(&set, sig) ? "" : "not ");
	CHILD_CHECK(74, thread_sigpnd() == sigbit(SIG_T), "T: SigPnd %#llx, expected %#llx",
		    thread_sigpnd(), sigbit(SIG_T));
	CHILD_CHECK(75, take(SIG_T, &si, 0) == SIG_T && si.si_code == t_tkill_code &&
		    si.si_pid == getpid(), "T: SIGRTMIN+3: code %d (expected %d), pid %d",
		    si.si_code, t_tkill_code, (int)si.si_pid);
	CHILD_CHECK(76, thread_sigpnd() == 0, "T: SigPnd %#llx",
		    thread_sigpnd());
	t_sched_verify();
	return NULL;
}

/* --------------------------------------------------------------------
 * C, R's child
 */

/* After the restart: the message in flight from R, next on the stream pair. */
static void child_flight(void)
{
	char buf[64], want[FLIGHT_READ];
	unsigned long long v = 0;
	int got[CKPT_MAX_PASS], fl, i;
	ssize_t n;

	ckpt_recv_fds(26, fds.st_child, FLIGHT_MSG, got, 3, WAIT_MS);
	/* The pipe's read end: the data, then end of file (no writer is left). */
	fl = fcntl(got[0], F_GETFL);
	CHILD_CHECK(27, fl != -1 && (fl & O_ACCMODE) == O_RDONLY && (fl & O_NONBLOCK),
		    "C: the pipe's read end: flags %#x", fl);
	n = read(got[0], buf, sizeof(buf));
	CHILD_CHECK(27, n == (ssize_t)strlen(FLIGHT_DATA) && !memcmp(buf, FLIGHT_DATA, n),
		    "C: the pipe in flight: read %zd (%s)", n, strerror(errno));
	n = read(got[0], buf, sizeof(buf));
	CHILD_CHECK(27, n == 0, "C: the pipe in flight: %zd (%s), not end of file", n,
		    n < 0 ? strerror(errno) : "more data");
	/* The eventfd: its counter, then nothing. */
	check_kind(28, got[1], "[eventfd]");
	CHILD_CHECK(28, read(got[1], &v, 8) == 8 && v == FLIGHT_COUNT,
		    "C: the eventfd in flight reads %llu (%s), expected %d", v, strerror(errno),
		    FLIGHT_COUNT);
	CHILD_CHECK(28, read(got[1], &v, 8) == -1 && errno == EAGAIN,
		    "C: the eventfd in flight reads again");
	/* The file: R's open file description, where R moved it after the restart. */
	fl = fcntl(got[2], F_GETFL);
	CHILD_CHECK(29, same_file(got[2], "flight") && fl != -1 && (fl & O_ACCMODE) == O_RDWR,
		    "C: fd %d is not flight, read-write: flags %#x", got[2], fl);
	CHILD_CHECK(29, lseek(got[2], 0, SEEK_CUR) == FLIGHT_MOVED,
		    "C: flight at offset %lld, R moved it to %d: two open file descriptions",
		    (long long)lseek(got[2], 0, SEEK_CUR), FLIGHT_MOVED);
	for (i = 0; i < FLIGHT_READ; i++)
		want[i] = 'a' + (FLIGHT_MOVED + i) % 26;
	CHILD_CHECK(29, read(got[2], buf, FLIGHT_READ) == FLIGHT_READ &&
		    !memcmp(buf, want, FLIGHT_READ), "C: read flight: %s", strerror(errno));
}

static int child_main(void)
{
	int i;

	CHILD_CHECK(20, !close(fds.st_root), "close: %s", strerror(errno));
	send_str(20, fds.st_child, CHILD_BEFORE);
	for (i = 0; i < NR_SH; i++)
		mbox(i)->before = SH_BEFORE + i;
	ckpt_member_wait(R_CHILD);

	/* After the restart; R has written its part. */
	check_ids(21);
	for (i = 0; i < NR_SH; i++) {
		long bad = ckpt_check_fill(sh_map[i], PG, SH_SEED + i);

		CHILD_CHECK(22, bad < 0, "C: word %ld of %s changed", bad, sh_what[i]);
		CHILD_CHECK(23, mbox(i)->before == SH_BEFORE + i &&
			    mbox(i)->from_root == SH_FROM_ROOT + i,
			    "C: %s: before %#llx, from R %#llx", sh_what[i], mbox(i)->before,
			    mbox(i)->from_root);
		mbox(i)->from_child = SH_FROM_CHILD + i;
	}
	/* What R sent before the checkpoint, its message in flight, then "ping". */
	recv_str(24, fds.st_child, ROOT_BEFORE);
	child_flight();
	recv_str(24, fds.st_child, "ping");
	expect_nothing(24, fds.st_child);
	send_str(25, fds.st_child, "pong");
	return 0;
}

/* --------------------------------------------------------------------
 * S, R's clone with CLONE_FILES
 */

static int sharer_main(void)
{
	int late, n, m;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != root_pid)
		_exit(CKPT_EXIT_INIT);
	CKPT_STORE(ckpt_woken, 0);
	/* The report pipe is R's descriptor too: report through our own. */
	ckpt_ready_fd = s_ready_fd;
	ckpt_member_wait(R_SHARER);

	/* After the restart. */
	check_ids(40);
	CHILD_CHECK(41, same_file(fds.plock, "plock") && same_file(fds.flock, "flock") &&
		    same_file(fds.reg, "data"), "S: the table's files are not there");
	/* R opened it after our clone, before the checkpoint. */
	late = hear(42, fds.to_s[0]);
	CHILD_CHECK(42, same_file(late, "data") && lseek(late, 0, SEEK_CUR) == LATE_OFF,
		    "S: fd %d that R opened before the checkpoint: offset %lld", late,
		    (long long)lseek(late, 0, SEEK_CUR));
	/* R opens one now: we see it, and close it once we have opened ours. */
	n = hear(43, fds.to_s[0]);
	CHILD_CHECK(43, same_file(n, "opath") && lseek(n, 0, SEEK_CUR) == S_OFF_R,
		    "S: fd %d that R opened after the restart: offset %lld", n,
		    (long long)lseek(n, 0, SEEK_CUR));
	/* We open one: R sees it. */
	m = sink_open("data", O_RDONLY);
	CHILD_CHECK(44, m >= 0 && lseek(m, S_OFF_S, SEEK_SET) == S_OFF_S, "S: open: %s",
		    strerror(errno));
	CHILD_CHECK(45, !close(n), "S: close(%d): %s", n, strerror(errno));
	tell(46, fds.to_p[1], n);
	tell(46, fds.to_p[1], m);
	return 0;
}

static int sharer_fn(void *arg)
{
	(void)arg;
	_exit(sharer_main());
}

/* --------------------------------------------------------------------
 * R: checks after the restart
 */

static void verify_epoll(void)
{
	struct ep_entry a[MAX_ENTRIES], b[MAX_ENTRIES];
	unsigned long long want[MAX_ENTRIES], got[MAX_ENTRIES];
	struct epoll_event ev[MAX_ENTRIES];
	char now[INFO_SIZE];
	int na, nb, i, n, nw = 0;

	check_kind(30, fds.ep, "[eventpoll]");
	CHILD_CHECK(30, read_fdinfo(fds.ep, now, sizeof(now)) > 0, "fdinfo: %s",
		    strerror(errno));
	na = ep_entries(snap_ep, a, MAX_ENTRIES);
	nb = ep_entries(now, b, MAX_ENTRIES);
	CHILD_CHECK(30, na == (int)ARRAY_SIZE(ep_items), "%d epoll items before", na);
	for (i = 0; i < na || i < nb; i++) {
		if (i < na && i < nb && a[i].tfd == b[i].tfd && a[i].events == b[i].events &&
		    a[i].data == b[i].data)
			continue;
		if (i < na)
			ckpt_msg("before: tfd %d events %#x data %#llx", a[i].tfd, a[i].events,
				 a[i].data);
		if (i < nb)
			ckpt_msg("after:  tfd %d events %#x data %#llx", b[i].tfd, b[i].events,
				 b[i].data);
		CHILD_CHECK(30, 0, "epoll: %d items before, %d after, item %d differs", na, nb, i);
	}
	/* Exactly the ready ones, each once. */
	for (i = 0; i < (int)ARRAY_SIZE(ep_items); i++)
		if (ep_items[i].ready)
			want[nw++] = ep_items[i].data;
	do {
		n = epoll_wait(fds.ep, ev, MAX_ENTRIES, 0);
	} while (n < 0 && errno == EINTR);
	CHILD_CHECK(31, n >= 0, "epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		got[i] = ev[i].data.u64;
		CHILD_CHECK(31, ev[i].events == EPOLLIN, "data %#llx: events %#x", got[i],
			    ev[i].events);
	}
	qsort(want, nw, sizeof(want[0]), cmp_u64);
	qsort(got, n, sizeof(got[0]), cmp_u64);
	for (i = 0; i < n || i < nw; i++) {
		if (i < n && i < nw && got[i] == want[i])
			continue;
		for (i = 0; i < n; i++)
			ckpt_msg("ready: %#llx", got[i]);
		CHILD_CHECK(31, 0, "epoll_wait: %d ready, expected %d", n, nw);
	}
}

static void verify_files(void)
{
	char buf[DATA_SIZE], want[REG_READ], path[128];
	static unsigned char got[2 * PG];
	struct stat st, dst, opath_st;
	struct dirent *de;
	off_t size;
	int i, fd;

	/* The regular file: offset, O_APPEND, contents; a write goes to the end. */
	CHILD_CHECK(32, same_file(fds.reg, "data"), "fd %d is not on data", fds.reg);
	CHILD_CHECK(32, lseek(fds.reg, 0, SEEK_CUR) == REG_POS, "offset %lld, was %d",
		    (long long)lseek(fds.reg, 0, SEEK_CUR), REG_POS);
	CHILD_CHECK(32, (fcntl(fds.reg, F_GETFL) & (O_APPEND | O_ACCMODE)) == (O_APPEND | O_RDWR),
		    "flags %#x", fcntl(fds.reg, F_GETFL));
	for (i = 0; i < REG_READ; i++)
		want[i] = 'a' + (REG_POS + i) % 26;
	CHILD_CHECK(33, read(fds.reg, buf, REG_READ) == REG_READ && !memcmp(buf, want, REG_READ),
		    "read at the offset: %s", strerror(errno));
	size = DATA_SIZE + strlen(APPEND_BEFORE);
	CHILD_CHECK(33, !fstat(fds.reg, &st) && st.st_size == size, "size %lld, expected %lld",
		    (long long)st.st_size, (long long)size);
	CHILD_CHECK(34, !ckpt_write_all(fds.reg, APPEND_AFTER, strlen(APPEND_AFTER)) &&
		    lseek(fds.reg, 0, SEEK_CUR) == size + (off_t)strlen(APPEND_AFTER),
		    "O_APPEND write: offset %lld", (long long)lseek(fds.reg, 0, SEEK_CUR));
	CHILD_CHECK(34, pread(fds.reg, buf, strlen(APPEND_BEFORE APPEND_AFTER), DATA_SIZE) ==
		    (ssize_t)strlen(APPEND_BEFORE APPEND_AFTER) &&
		    !memcmp(buf, APPEND_BEFORE APPEND_AFTER, strlen(APPEND_BEFORE APPEND_AFTER)),
		    "the end of the file");

	/* The directory stream: every entry once, and *at() on it. */
	CHILD_CHECK(35, !fstat(dirfd(sink_d), &dst) && S_ISDIR(dst.st_mode) &&
		    same_file(dirfd(sink_d), "dir"), "the directory stream's fd");
	while ((de = readdir(sink_d))) {
		if (!strcmp(de->d_name, "."))
			i = NR_NAMES;
		else if (!strcmp(de->d_name, ".."))
			i = NR_NAMES + 1;
		else
			CHILD_CHECK(35, sscanf(de->d_name, "f%d", &i) == 1 && i >= 0 &&
				    i < NR_NAMES, "entry %s", de->d_name);
		CHILD_CHECK(36, !dir_seen[i], "entry %s seen twice", de->d_name);
		dir_seen[i] = true;
	}
	for (i = 0; i < NR_NAMES + 2; i++)
		CHILD_CHECK(36, dir_seen[i], "entry %d never seen", i);
	fd = openat(dirfd(sink_d), "result", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	CHILD_CHECK(37, fd >= 0, "openat: %s", strerror(errno));
	close(fd);

	/* O_PATH. */
	sink_path(path, sizeof(path), "opath");
	CHILD_CHECK(38, (fcntl(fds.opath, F_GETFL) & O_PATH) &&
		    !fstatat(fds.opath, "", &st, AT_EMPTY_PATH) && !stat(path, &opath_st) &&
		    st.st_ino == opath_st.st_ino && S_ISREG(st.st_mode),
		    "fd %d: not O_PATH on %s", fds.opath, path);
	CHILD_CHECK(38, read(fds.opath, buf, 1) == -1 && errno == EBADF, "O_PATH fd reads");

	/* The unlinked file. */
	CHILD_CHECK(39, !fstat(fds.deleted, &st) && !stat(sink_dir, &dst), "fstat: %s",
		    strerror(errno));
	CHILD_CHECK(39, S_ISREG(st.st_mode) && st.st_nlink == 0 && (st.st_mode & 07777) == 0640 &&
		    st.st_size == (off_t)DEL_SIZE && st.st_dev == dst.st_dev,
		    "deleted: mode %o, %lu links, size %lld, device %lx (the directory's %lx)",
		    st.st_mode, (unsigned long)st.st_nlink, (long long)st.st_size,
		    (unsigned long)st.st_dev, (unsigned long)dst.st_dev);
	sink_path(path, sizeof(path), "deleted");
	CHILD_CHECK(40, access(path, F_OK) && errno == ENOENT, "%s exists again", path);
	CHILD_CHECK(40, lseek(fds.deleted, 0, SEEK_CUR) == DEL_POS, "deleted: offset %lld",
		    (long long)lseek(fds.deleted, 0, SEEK_CUR));
	CHILD_CHECK(41, pread(fds.deleted, got, sizeof(got), 0) == (ssize_t)DEL_SIZE &&
		    !memcmp(got, del_data, DEL_SIZE), "deleted: the contents differ");
	fd_link(fds.deleted, path, sizeof(path));
	CHILD_CHECK(41, ends_with(path, " (deleted)"), "deleted: fd is %s", path);

	/* /dev/null, on its high descriptor. */
	CHILD_CHECK(97, !fstat(NULL_FD, &st) && !stat("/dev/null", &dst) && S_ISCHR(st.st_mode) &&
		    st.st_rdev == dst.st_rdev, "fd %d is not /dev/null: %s", NULL_FD,
		    strerror(errno));
	CHILD_CHECK(97, (fcntl(NULL_FD, F_GETFL) & O_ACCMODE) == O_RDWR &&
		    fcntl(NULL_FD, F_GETFD) == 0, "fd %d: flags %#x, fd flags %d", NULL_FD,
		    fcntl(NULL_FD, F_GETFL), fcntl(NULL_FD, F_GETFD));
	CHILD_CHECK(97, write(NULL_FD, "gone", 4) == 4 && read(NULL_FD, buf, 1) == 0,
		    "/dev/null on fd %d: %s", NULL_FD, strerror(errno));
}

static void verify_pipes(void)
{
	char buf[64];
	struct stat st;
	ssize_t n;

	n = read(fds.pipe_r, buf, sizeof(buf));
	CHILD_CHECK(42, n == (ssize_t)strlen(PIPE_DATA) && !memcmp(buf, PIPE_DATA, n),
		    "pipe: read %zd (%s)", n, strerror(errno));
	CHILD_CHECK(42, read(fds.pipe_r, buf, 1) == -1 && errno == EAGAIN, "pipe: more data");
	CHILD_CHECK(43, write(fds.pipe_w, "x", 1) == 1 && read(fds.pipe_r, buf, 2) == 1 &&
		    buf[0] == 'x', "pipe: a new byte: %s", strerror(errno));

	CHILD_CHECK(44, !fstat(fds.fifo_r, &st) && S_ISFIFO(st.st_mode) &&
		    same_file(fds.fifo_r, "fifo") && same_file(fds.fifo_w, "fifo"),
		    "the FIFO's fds are not on %s/fifo", sink_dir);
	n = read(fds.fifo_r, buf, sizeof(buf));
	CHILD_CHECK(44, n == (ssize_t)strlen(FIFO_DATA) && !memcmp(buf, FIFO_DATA, n),
		    "FIFO: read %zd (%s)", n, strerror(errno));
	CHILD_CHECK(45, write(fds.fifo_w, "more", 4) == 4 && read(fds.fifo_r, buf, 8) == 4 &&
		    !memcmp(buf, "more", 4), "FIFO: new data: %s", strerror(errno));
	CHILD_CHECK(45, read(fds.fifo_r, buf, 1) == -1 && errno == EAGAIN, "FIFO: more data");
}

static void verify_memory(void)
{
	struct map_line ml;
	char link[128];
	struct stat st;
	unsigned long long v = 0;
	int i;

	for (i = 0; i < NR_SH; i++) {
		long bad = ckpt_check_fill(sh_map[i], PG, SH_SEED + i);

		CHILD_CHECK(46, bad < 0, "%s: word %ld changed", sh_what[i], bad);
		CHILD_CHECK(47, mbox(i)->before == SH_BEFORE + i && !mbox(i)->from_root &&
			    !mbox(i)->from_child, "%s: mailbox %#llx %#llx %#llx", sh_what[i],
			    mbox(i)->before, mbox(i)->from_root, mbox(i)->from_child);
		CHILD_CHECK(47, ckpt_all_zero(sh_map[i] + PG + sizeof(struct mailbox),
					      PG - sizeof(struct mailbox)),
			    "%s: page 1", sh_what[i]);
		CHILD_CHECK(48, !map_line_of(sh_map[i], &ml) && !strcmp(ml.perms, "rw-s"),
			    "%s: maps %s %s", sh_what[i], ml.perms, ml.path);
	}
	/* POSIX shm: still the deleted file on /dev/shm. */
	map_line_of(sh_map[SH_SHM], &ml);
	CHILD_CHECK(49, !stat("/dev/shm", &st) && ml.major == major(st.st_dev) &&
		    ml.minor == minor(st.st_dev) && ends_with(ml.path, " (deleted)"),
		    "POSIX shm: %x:%x %s", ml.major, ml.minor, ml.path);
	snprintf(link, sizeof(link), "/dev/shm%s", shm_name);
	CHILD_CHECK(49, access(link, F_OK) && errno == ENOENT, "%s exists again", link);

	/* The memfd: name, seals, offset, flags; the fd and the mapping are one file. */
	fd_link(fds.memfd, link, sizeof(link));
	CHILD_CHECK(50, !strcmp(link, "/memfd:" MEMFD_NAME " (deleted)"), "memfd: fd is %s",
		    link);
	CHILD_CHECK(50, fcntl(fds.memfd, F_GET_SEALS) == MEMFD_SEALS, "memfd: seals %#x",
		    fcntl(fds.memfd, F_GET_SEALS));
	CHILD_CHECK(50, lseek(fds.memfd, 0, SEEK_CUR) == MEMFD_POS &&
		    fcntl(fds.memfd, F_GETFD) == FD_CLOEXEC, "memfd: offset %lld, fd flags %d",
		    (long long)lseek(fds.memfd, 0, SEEK_CUR), fcntl(fds.memfd, F_GETFD));
	map_line_of(sh_map[SH_MEMFD], &ml);
	CHILD_CHECK(51, !fstat(fds.memfd, &st) && ml.ino == st.st_ino &&
		    st.st_size == (off_t)(2 * PG),
		    "memfd: inode %lu, the mapping's %lu, size %lld", (unsigned long)st.st_ino,
		    ml.ino, (long long)st.st_size);
	CHILD_CHECK(51, pread(fds.memfd, &v, 8, PG) == 8 && v == SH_BEFORE + SH_MEMFD,
		    "memfd: the fd reads %#llx", v);
	v = 0x5eed;
	CHILD_CHECK(52, pwrite(fds.memfd, &v, 8, PG + 2048) == 8 &&
		    *(unsigned long long *)(sh_map[SH_MEMFD] + PG + 2048) == 0x5eed,
		    "memfd: a write through the fd is not in the mapping");
	v = 0;
	CHILD_CHECK(52, pwrite(fds.memfd, &v, 8, PG + 2048) == 8, "pwrite");
	CHILD_CHECK(53, ftruncate(fds.memfd, PG) == -1 && errno == EPERM &&
		    ftruncate(fds.memfd, 4 * PG) == -1 && errno == EPERM,
		    "memfd: the seals do not hold: %s", strerror(errno));
}

static void verify_events(void)
{
	struct signalfd_siginfo ssi;
	struct itimerspec its;
	long long value;
	unsigned long long v = 0;
	int i;

	check_kind(54, fds.efd, "[eventfd]");
	same_info(54, fds.efd, snap_efd, eventfd_keys);
	for (i = 0; i < EFD_COUNT; i++)
		CHILD_CHECK(55, read(fds.efd, &v, 8) == 8 && v == 1,
			    "eventfd: semaphore read %d gave %llu (%s)", i, v,
			    strerror(errno));
	CHILD_CHECK(55, read(fds.efd, &v, 8) == -1 && errno == EAGAIN, "eventfd: a fourth read");

	check_kind(56, fds.sfd, "[signalfd]");
	same_info(56, fds.sfd, snap_sfd, signalfd_keys);
	memset(&ssi, 0, sizeof(ssi));
	CHILD_CHECK(57, read(fds.sfd, &ssi, sizeof(ssi)) == sizeof(ssi), "signalfd: read: %s",
		    strerror(errno));
	CHILD_CHECK(57, ssi.ssi_signo == (uint32_t)SIG_SFD && ssi.ssi_code == SI_QUEUE &&
		    ssi.ssi_int == SFD_VALUE && ssi.ssi_pid == (uint32_t)getpid(),
		    "signalfd: signal %u code %d value %d pid %u", ssi.ssi_signo, ssi.ssi_code,
		    ssi.ssi_int, ssi.ssi_pid);
	CHILD_CHECK(57, read(fds.sfd, &ssi, sizeof(ssi)) == -1 && errno == EAGAIN,
		    "signalfd: signal %u as well", ssi.ssi_signo);

	check_kind(58, fds.tfd, "[timerfd]");
	same_info(58, fds.tfd, snap_tfd, timerfd_keys);
	CHILD_CHECK(59, !timerfd_gettime(fds.tfd, &its), "timerfd_gettime: %s", strerror(errno));
	value = ts_ns(&its.it_value);
	CHILD_CHECK(59, ts_ns(&its.it_interval) == TFD_INTERVAL && value > 0 && value <= tfd_left,
		    "timerfd: value %lld ns (had %lld left), interval %lld ns", value, tfd_left,
		    ts_ns(&its.it_interval));
	CHILD_CHECK(59, read(fds.tfd, &v, 8) == -1 && errno == EAGAIN, "timerfd: expired");
}

static void verify_sockets(void)
{
	struct sockaddr_un a, n;
	char buf[64], path[128];
	socklen_t len, nlen;
	unsigned int i;
	struct stat st;
	ssize_t got;
	int c, s;

	/* The datagram pair: each datagram as it was sent. */
	for (i = 0; i < ARRAY_SIZE(dg_msgs); i++) {
		got = recv(fds.dg[1], buf, sizeof(buf), MSG_DONTWAIT);
		CHILD_CHECK(60, got == (ssize_t)strlen(dg_msgs[i]) &&
			    !memcmp(buf, dg_msgs[i], got), "datagram %u: %zd bytes (%s)", i, got,
			    got < 0 ? strerror(errno) : "");
	}
	expect_nothing(60, fds.dg[1]);
	got = recv(fds.dg[0], buf, sizeof(buf), MSG_DONTWAIT);
	CHILD_CHECK(61, got == (ssize_t)strlen(DG_BACK) && !memcmp(buf, DG_BACK, got),
		    "datagram back: %zd bytes", got);
	expect_nothing(61, fds.dg[0]);
	send_str(61, fds.dg[0], "new");
	send_str(61, fds.dg[1], "");
	CHILD_CHECK(61, recv(fds.dg[1], buf, sizeof(buf), MSG_DONTWAIT) == 3 &&
		    recv(fds.dg[0], buf, sizeof(buf), MSG_DONTWAIT) == 0,
		    "new datagrams: %s", strerror(errno));

	/* The stream pair: what C sent before the checkpoint. */
	recv_str(62, fds.st_root, CHILD_BEFORE);
	expect_nothing(62, fds.st_root);

	/* The listener, its connection and a new one. */
	sink_path(path, sizeof(path), "sock");
	CHILD_CHECK(63, !stat(path, &st) && S_ISSOCK(st.st_mode), "%s is no socket", path);
	nlen = sizeof(n);
	CHILD_CHECK(63, !getsockname(fds.listener, (struct sockaddr *)&n, &nlen) &&
		    named(&n, nlen, "sock"), "the listener's name");
	nlen = sizeof(n);
	CHILD_CHECK(63, !getsockname(fds.accepted, (struct sockaddr *)&n, &nlen) &&
		    named(&n, nlen, "sock"), "the accepted socket's name");
	nlen = sizeof(n);
	CHILD_CHECK(63, !getpeername(fds.client, (struct sockaddr *)&n, &nlen) &&
		    named(&n, nlen, "sock"), "the client's peer name");
	recv_str(64, fds.accepted, CLIENT_BEFORE);
	recv_str(64, fds.client, SERVER_BEFORE);
	both_ways(64, fds.client, fds.accepted);
	expect_nothing(64, fds.accepted);
	expect_nothing(64, fds.client);
	len = un_addr(&a, path);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(65, c >= 0 && !connect(c, (struct sockaddr *)&a, len), "connect: %s",
		    strerror(errno));
	CHILD_CHECK(65, ckpt_readable(fds.listener, WAIT_MS), "the listener has no new connection");
	s = accept4(fds.listener, NULL, NULL, SOCK_CLOEXEC);
	CHILD_CHECK(65, s >= 0, "accept: %s", strerror(errno));
	both_ways(65, c, s);
	close(c);
	close(s);
}

static void verify_timers(void)
{
	long long value, interval;
	struct itimerval it;
	siginfo_t si;
	int id;

	CHILD_CHECK(66, !getitimer(ITIMER_REAL, &it), "getitimer: %s", strerror(errno));
	value = tv_ns(&it.it_value);
	CHILD_CHECK(66, tv_ns(&it.it_interval) == ITV_INTERVAL && value > 0 && value <= itv_left,
		    "ITIMER_REAL: value %lld ns (had %lld), interval %lld ns", value, itv_left,
		    tv_ns(&it.it_interval));

	CHILD_CHECK(67, !ptimer_get(pt_id, &value, &interval), "timer_gettime(%d): %s", pt_id,
		    strerror(errno));
	CHILD_CHECK(67, interval == PT_INTERVAL && value > 0 && value <= PT_LONG,
		    "POSIX timer %d: value %lld ns, interval %lld ns", pt_id, value, interval);
	errno = 0;
	CHILD_CHECK(68, ptimer_get(0, &value, &interval) && errno == EINVAL,
		    "the deleted timer 0: %s", strerror(errno));
	id = ptimer_create(0);
	CHILD_CHECK(68, id == pt_id + 1, "timer_create gave id %d (%s), expected %d", id,
		    strerror(errno), pt_id + 1);
	CHILD_CHECK(68, !syscall(SYS_timer_delete, id), "timer_delete: %s", strerror(errno));
	/* Armed again for a moment: its signal names it. */
	CHILD_CHECK(69, !ptimer_set(pt_id, PT_SHORT, 0), "timer_settime: %s", strerror(errno));
	CHILD_CHECK(69, take(SIG_PT, &si, WAIT_MS) == SIG_PT, "no timer signal in %d ms",
		    WAIT_MS);
	CHILD_CHECK(69, si.si_code == SI_TIMER && si.si_timerid == pt_id &&
		    si.si_value.sival_int == PT_VALUE, "timer signal: code %d, id %d, value %#x",
		    si.si_code, si.si_timerid, si.si_value.sival_int);
}

static void verify_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd;

	CHILD_CHECK(77, same_file(fds.plock, "plock") && same_file(fds.flock, "flock"),
		    "the lock files' fds");
	/* Kept open to the end: closing it would drop our POSIX lock. */
	fds.probe = sink_open("plock", O_RDWR | O_CLOEXEC);
	CHILD_CHECK(77, fds.probe >= 0 && !fcntl(fds.probe, F_OFD_GETLK, &fl),
		    "F_OFD_GETLK: %s", strerror(errno));
	CHILD_CHECK(77, fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == PLOCK_LEN &&
		    fl.l_pid == getpid(), "our POSIX lock: type %d, %lld+%lld, pid %d",
		    fl.l_type, (long long)fl.l_start, (long long)fl.l_len, (int)fl.l_pid);
	fd = sink_open("flock", O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(78, fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
		    "our flock() lock is gone: %s", strerror(errno));
	close(fd);
}

static void verify_signals(void)
{
	uintptr_t lo = (uintptr_t)altstack, hi = lo + sizeof(altstack);
	struct sigaction sa;
	sigset_t set;
	stack_t ss;

	CHILD_CHECK(79, !sigaction(SIGUSR1, NULL, &sa) &&
		    sa.sa_sigaction == usr1_before.sa_sigaction &&
		    sa.sa_flags == usr1_before.sa_flags && sigismember(&sa.sa_mask, SIGHUP) == 1,
		    "SIGUSR1's handler: flags %#x, was %#x", sa.sa_flags, usr1_before.sa_flags);
	CHILD_CHECK(80, !sigaltstack(NULL, &ss) && ss.ss_sp == ss_before.ss_sp &&
		    ss.ss_size == ss_before.ss_size && ss.ss_flags == ss_before.ss_flags,
		    "altstack %p/%zu/%#x, was %p/%zu/%#x", ss.ss_sp, ss.ss_size, ss.ss_flags,
		    ss_before.ss_sp, ss_before.ss_size, ss_before.ss_flags);
	CHILD_CHECK(81, pending_mask() == sigbit(SIGUSR1), "pending %#llx, only SIGUSR1 expected",
		    pending_mask());
	/* Unblocked, the queued SIGUSR1 runs its handler on the alternate stack. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(82, !sigprocmask(SIG_UNBLOCK, &set, NULL), "sigprocmask: %s",
		    strerror(errno));
	CHILD_CHECK(82, CKPT_LOAD(usr1_n) == 1, "SIGUSR1's handler ran %d times",
		    CKPT_LOAD(usr1_n));
	CHILD_CHECK(83, CKPT_LOAD(usr1_code) == SI_QUEUE && CKPT_LOAD(usr1_value) == USR1_VALUE &&
		    CKPT_LOAD(usr1_pid) == getpid(), "SIGUSR1: code %d value %d pid %d",
		    CKPT_LOAD(usr1_code), CKPT_LOAD(usr1_value), CKPT_LOAD(usr1_pid));
	CHILD_CHECK(84, CKPT_LOAD(usr1_local) >= lo && CKPT_LOAD(usr1_local) < hi &&
		    CKPT_LOAD(usr1_ss_flags) == SS_ONSTACK,
		    "the handler ran at %#lx (flags %#x), not on the altstack %#lx-%#lx",
		    (unsigned long)CKPT_LOAD(usr1_local), CKPT_LOAD(usr1_ss_flags),
		    (unsigned long)lo, (unsigned long)hi);
	CHILD_CHECK(85, !sigprocmask(SIG_BLOCK, &set, NULL) && pending_mask() == 0,
		    "pending %#llx", pending_mask());
}

static void verify_sched(void)
{
	struct ckpt_sched_attr a;
	cpu_set_t cpus;
	char buf[16] = "";
	long slack;

	CHILD_CHECK(98, !ckpt_sched_getattr_self(&a), "sched_getattr: %s", strerror(errno));
	CHILD_CHECK(98, a.sched_policy == SCHED_OTHER && a.sched_nice == R_NICE &&
		    nice_self() == R_NICE,
		    "policy %u, nice %d (getpriority %d), expected SCHED_OTHER at %d",
		    a.sched_policy, a.sched_nice, nice_self(), R_NICE);
	CPU_ZERO(&cpus);
	CHILD_CHECK(98, !sched_getaffinity(0, sizeof(cpus), &cpus) && CPU_EQUAL(&cpus, &r_cpus),
		    "%d CPUs allowed, %d before", CPU_COUNT(&cpus), CPU_COUNT(&r_cpus));
	slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	CHILD_CHECK(98, slack == R_SLACK, "timer slack %ld ns, expected %ld", slack, R_SLACK);
	CHILD_CHECK(98, ckpt_read_file("/proc/self/oom_score_adj", buf, sizeof(buf)) > 0 &&
		    atoi(buf) == R_OOM_ADJ, "oom_score_adj %s, expected %d", buf, R_OOM_ADJ);
}

/* waitpid() for R's child @pid, which must exit 0. */
static void reap_ok(int code, pid_t pid)
{
	int st = -1;
	pid_t r;

	do {
		r = waitpid(pid, &st, __WALL);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(code, r == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		    "%d: waitpid %d, status %#x (exit %d)", (int)pid, (int)r, st,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void verify_thread(void)
{
	struct timespec ts;
	int err;

	CHILD_CHECK(86, write(fds.to_t[1], "g", 1) == 1, "write: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	err = pthread_timedjoin_np(t_thread, NULL, &ts);
	CHILD_CHECK(86, !err, "T: pthread_join: %s", strerror(err));
}

static void verify_sharer(void)
{
	int n, m, k;

	/* A descriptor we open now is S's too; S closes it. */
	n = sink_open("opath", O_RDONLY);
	CHILD_CHECK(87, n >= 0 && lseek(n, S_OFF_R, SEEK_SET) == S_OFF_R, "open: %s",
		    strerror(errno));
	CHILD_CHECK(87, !kill(sharer_pid, CKPT_WAKE_SIG), "kill: %s", strerror(errno));
	tell(87, fds.to_s[1], n);
	k = hear(88, fds.to_p[0]);
	m = hear(88, fds.to_p[0]);
	CHILD_CHECK(88, k == n, "S closed fd %d, not %d", k, n);
	reap_ok(89, sharer_pid);
	errno = 0;
	CHILD_CHECK(90, fcntl(n, F_GETFD) == -1 && errno == EBADF,
		    "fd %d, closed by S, is still open here", n);
	CHILD_CHECK(90, same_file(m, "data") && lseek(m, 0, SEEK_CUR) == S_OFF_S,
		    "fd %d, that S opened, is not here: offset %lld", m,
		    (long long)lseek(m, 0, SEEK_CUR));
	CHILD_CHECK(90, !close(m) && same_file(fds.late, "data") &&
		    lseek(fds.late, 0, SEEK_CUR) == LATE_OFF, "close, or our late fd %d",
		    fds.late);
}

static void verify_child(void)
{
	int i;

	for (i = 0; i < NR_SH; i++)
		mbox(i)->from_root = SH_FROM_ROOT + i;
	/* Our file in flight to C: where it was; C sees where we move it. */
	CHILD_CHECK(99, same_file(fds.flight, "flight") &&
		    lseek(fds.flight, 0, SEEK_CUR) == FLIGHT_POS &&
		    (fcntl(fds.flight, F_GETFL) & O_ACCMODE) == O_RDWR,
		    "fd %d: not flight, read-write, at %d: offset %lld", fds.flight, FLIGHT_POS,
		    (long long)lseek(fds.flight, 0, SEEK_CUR));
	CHILD_CHECK(99, lseek(fds.flight, FLIGHT_MOVED, SEEK_SET) == FLIGHT_MOVED, "lseek: %s",
		    strerror(errno));
	send_str(91, fds.st_root, "ping");
	CHILD_CHECK(91, !kill(child_pid, CKPT_WAKE_SIG), "kill: %s", strerror(errno));
	reap_ok(92, child_pid);
	for (i = 0; i < NR_SH; i++)
		CHILD_CHECK(93, mbox(i)->from_child == SH_FROM_CHILD + i,
			    "%s: C's write is not seen: %#llx", sh_what[i],
			    mbox(i)->from_child);
	recv_str(94, fds.st_root, "pong");
	/* C's read moved our offset: one open file description. */
	CHILD_CHECK(99, lseek(fds.flight, 0, SEEK_CUR) == FLIGHT_MOVED + FLIGHT_READ,
		    "flight at offset %lld after C read %d bytes at %d: two open file descriptions",
		    (long long)lseek(fds.flight, 0, SEEK_CUR), FLIGHT_READ, FLIGHT_MOVED);
}

static int root_verify(void)
{
	check_ids(95);
	CHILD_CHECK(96, pending_mask() == (sigbit(SIGUSR1) | sigbit(SIG_SFD)),
		    "pending %#llx, expected SIGUSR1 and SIGRTMIN+1 (%#llx)",
		    pending_mask(),
		    (sigbit(SIGUSR1) | sigbit(SIG_SFD)));
	verify_epoll();
	verify_files();
	verify_pipes();
	verify_memory();
	verify_events();
	verify_sockets();
	verify_timers();
	verify_locks();
	verify_signals();
	verify_sched();
	verify_thread();
	verify_sharer();
	verify_child();
	return 0;
}

/* --------------------------------------------------------------------
 * R
 */

static int root_main(void *arg)
{
	size_t stack_size = 256 * 1024;
	char *stack;
	char c;

	(void)arg;
	root_pid = getpid();
	setup_signals();
	setup_files();
	setup_memory();
	setup_events();
	setup_sockets();

	/* C: a plain fork, with the stream pair split between us. */
	child_pid = ckpt_member_fork();
	CHILD_CHECK(13, child_pid >= 0, "fork: %s", strerror(errno));
	if (child_pid == 0)
		_exit(child_main());
	CHILD_CHECK(13, !close(fds.st_child), "close: %s", strerror(errno));
	send_str(13, fds.st_root, ROOT_BEFORE);
	setup_flight();

	/* S: shares our file table; it reports through a descriptor of its own. */
	fds.plock = sink_open("plock", O_RDWR);
	fds.flock = sink_open("flock", O_RDWR);
	CHILD_CHECK(14, fds.plock >= 0 && fds.flock >= 0, "open the lock files: %s",
		    strerror(errno));
	CHILD_CHECK(14, !pipe(fds.to_s) && !pipe(fds.to_p), "pipe: %s", strerror(errno));
	s_ready_fd = fcntl(CKPT_READY_FD, F_DUPFD_CLOEXEC, CKPT_READY_FD + 1);
	CHILD_CHECK(14, s_ready_fd > CKPT_READY_FD, "F_DUPFD: %s", strerror(errno));
	stack = malloc(stack_size);
	CHILD_CHECK(14, stack, "malloc");
	fflush(NULL);
	sharer_pid = clone(sharer_fn, stack + stack_size, CLONE_FILES | SIGCHLD, NULL);
	CHILD_CHECK(14, sharer_pid > 0, "clone: %s", strerror(errno));
	/* Opened after the clone: in S's table too, S learns where after the restart. */
	fds.late = sink_open("data", O_RDONLY);
	CHILD_CHECK(15, fds.late >= 0 && lseek(fds.late, LATE_OFF, SEEK_SET) == LATE_OFF,
		    "open: %s", strerror(errno));
	tell(15, fds.to_s[1], fds.late);

	setup_epoll();
	setup_locks();
	setup_timers();
	queue_signals();

	/* T: the second thread. */
	CHILD_CHECK(16, !pipe(fds.to_t) && !pipe(fds.t_ready), "pipe: %s", strerror(errno));
	CHILD_CHECK(16, !pthread_create(&t_thread, NULL, t_main, NULL), "pthread_create");
	CHILD_CHECK(16, read(fds.t_ready[0], &c, 1) == 1, "T is not ready: %s",
		    strerror(errno));
	CHILD_CHECK(16, !close(fds.t_ready[0]) && !close(fds.t_ready[1]), "close: %s",
		    strerror(errno));
	setup_sched();

	snapshot();
	ckpt_member_wait(R_ROOT);
	return root_verify();
}

/* --------------------------------------------------------------------
 * The test
 */

/*
 * From outside the job: the POSIX write lock on bytes 0..PLOCK_LEN-1 and
 * the flock() lock are held, by @holder for the POSIX one, or (@holder
 * 0) neither is.  Returns the number of mismatches, each said.
 */
static int locks_outside(pid_t holder)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, bad = 0;

	fd = sink_open("plock", O_RDWR | O_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_GETLK, &fl)) {
		ckpt_msg("F_GETLK: %s", strerror(errno));
		bad++;
	} else if (holder ? fl.l_type != F_WRLCK || fl.l_start || fl.l_len != PLOCK_LEN ||
		   fl.l_pid != holder : fl.l_type != F_UNLCK) {
		ckpt_msg("F_GETLK: type %d, %lld+%lld, pid %d; expected %s by %d", fl.l_type,
			 (long long)fl.l_start, (long long)fl.l_len, (int)fl.l_pid,
			 holder ? "a write lock on 0+100" : "nothing", (int)holder);
		bad++;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = PLOCK_LEN;
	if (fd >= 0 && (fcntl(fd, F_GETLK, &fl) || fl.l_type != F_UNLCK)) {
		ckpt_msg("F_GETLK past the lock: type %d, pid %d", fl.l_type, (int)fl.l_pid);
		bad++;
	}
	if (fd >= 0)
		close(fd);

	fd = sink_open("flock", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ckpt_msg("open flock: %s", strerror(errno));
		return bad + 1;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB)) {
		if (holder) {
			ckpt_msg("flock(LOCK_EX): granted, the job's lock is not there");
			bad++;
		}
	} else if (!holder || errno != EWOULDBLOCK) {
		ckpt_msg("flock(LOCK_EX): %s", strerror(errno));
		bad++;
	}
	close(fd);
	return bad;
}

/* Records of @type in the image in @fd, or -1. */
static int image_count(int fd, uint32_t type)
{
	size_t len = 0, off = 0;
	int n = 0;
	void *img;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	while (ckpt_image_next(img, len, &off, type))
		n++;
	free(img);
	return n;
}

FIXTURE(sink)
{
	char dir[64];
};

FIXTURE_SETUP(sink)
{
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, sink_make_dir()) TH_LOG("%s: %s", sink_dir, strerror(errno));
	snprintf(self->dir, sizeof(self->dir), "%s", sink_dir);
}

FIXTURE_TEARDOWN_PARENT(sink)
{
	if (self->dir[0]) {
		snprintf(sink_dir, sizeof(sink_dir), "%s", self->dir);
		sink_remove_dir();
	}
}

TEST_F(sink, one_job_with_one_of_every_kind_comes_back_whole_and_working)
{
	pid_t root, tids[4], tids_after[4];
	struct ckpt_member m[NR_ROLES];
	char path[128];
	struct stat st;
	int n = 0, fd;

	if (!self->dir[0])
		return;
	/* C and S come to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(root_main, NULL, 0, NULL, 0, m, &n, NR_ROLES);
	ASSERT_GT(root, 0);
	ASSERT_EQ(NR_ROLES, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	ASSERT_EQ(2, ckpt_tids(root, tids, 4));
	EXPECT_EQ(0, locks_outside(root));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(root, fd, CKPT_TREE | CKPT_KILL | CKPT_FILE_LOCKS)) {
		ckpt_kill_reap(root);
		ckpt_job_gone(m, n, 10000);
	}
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	/* Not held while the job is down. */
	EXPECT_EQ(0, locks_outside(0));
	/* Each object once: the shared memory, shm, memfd, unlinked file; one shared table. */
	EXPECT_EQ(4, image_count(fd, CKPT_REC_UNLINKED));
	EXPECT_EQ(1, image_count(fd, CKPT_REC_SHARES));
	/* R's eventfd (in C's table too) and the one in flight. */
	EXPECT_EQ(2, image_count(fd, CKPT_REC_EVENTFD));

	ASSERT_EQ(root, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(2, ckpt_tids(root, tids_after, 4));
	EXPECT_EQ(tids[0], tids_after[0]);
	EXPECT_EQ(tids[1], tids_after[1]);
	/* Taken back before the job runs. */
	EXPECT_EQ(0, locks_outside(root));

	EXPECT_EQ(0, ckpt_wake_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(0, locks_outside(0));
	sink_path(path, sizeof(path), "dir/result");
	EXPECT_EQ(0, access(path, F_OK)) TH_LOG("R did not create %s", path);
	sink_path(path, sizeof(path), "data");
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(DATA_SIZE + strlen(APPEND_BEFORE APPEND_AFTER), (size_t)st.st_size);
}

TEST_HARNESS_MAIN
