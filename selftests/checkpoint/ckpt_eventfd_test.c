// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart of event file descriptors: eventfd, timerfd,
 * signalfd, epoll and inotify.
 *
 * Each test child sets up its descriptors (the harness closed every
 * descriptor above 2, so they are 3, 4... in the order they are made),
 * takes a copy of their /proc/self/fdinfo, and is checkpointed with
 * CKPT_KILL, killed and restarted; the restored child then checks from
 * inside that each descriptor is the same kind of file with the same
 * fdinfo (status flags, close-on-exec, and what its kind shows: the
 * eventfd counter and semaphore mode, the timerfd clock, settime flags
 * and interval, the signalfd mask, the epoll entries, the inotify
 * watches), and that it behaves as before:
 *
 *  - eventfd: the counter (read gives what was written; at its maximum,
 *    a write would block), EFD_SEMAPHORE (one per read), O_NONBLOCK and
 *    FD_CLOEXEC, a zero counter that is not readable; two descriptors of
 *    one eventfd, in one process or in a parent and its child (a tree
 *    checkpoint), stay one open file description: counter and status
 *    flags shared.
 *  - timerfd: the clock; an interval timer's expirations not read before
 *    the checkpoint (at least as many as the child counted, at most as
 *    many as the time since it was set allows); a one-shot timer that
 *    expired unread reads 1; disarmed timers stay disarmed; an armed
 *    timer keeps its exact interval and at most the time it had left;
 *    TFD_TIMER_ABSTIME timers keep their absolute expiry even though the
 *    job was down for a few seconds (and TFD_TIMER_CANCEL_ON_SET); timers
 *    armed just before the checkpoint fire after the restart.
 *  - signalfd: the mask (exactly: a signal outside it is not reported),
 *    a signal queued before the checkpoint is read after it with its
 *    sigqueue() value, a signal sent after the restart is read.
 *  - epoll: every entry (fd, events, data) as /proc/self/fdinfo showed
 *    it, an entry whose fd was closed but whose file is still open (dup)
 *    included; readiness recomputed: a non-zero eventfd is reported with
 *    its data, an EPOLLONESHOT entry that fired before the checkpoint
 *    stays disarmed until EPOLL_CTL_MOD, one that had not fires once;
 *    an EPOLLET pipe is reported once per write; EPOLL_CTL_ADD says
 *    EEXIST, MOD and DEL work (MOD of an EPOLLEXCLUSIVE entry is EINVAL,
 *    as it was), and DEL twice is ENOENT.  A set in a set (either fd
 *    order) reports what the inner set has ready.
 *  - inotify: every watch with its descriptor, on its inode, with its
 *    mask (IN_ONESHOT and IN_EXCL_UNLINK included); a watch removed
 *    before the checkpoint stays removed, and a new watch gets a
 *    descriptor after all those given before (the removed one is not
 *    given again); the events queued and not read at the checkpoint are
 *    read first, as they were (wd, mask, cookie, name, order), then
 *    those after the restart; a queue that overflowed (the limit lowered
 *    to 4) gives the same events, IN_Q_OVERFLOW (wd -1) last.  The
 *    children work in the watched directory, in /tmp: a watch is saved
 *    by a path through the root, the working directory or an open
 *    file's mount, and /tmp is a mount of its own in the guest.
 *
 * An epoll set that watches a file no checkpoint can save (an AF_INET
 * socket), before or after the epoll descriptor, is refused with
 * EOPNOTSUPP and the socket named on the log; the job runs on with its
 * epoll set intact.  So is an inotify watch on a file unlinked while it
 * is open (no path leads to it: EOPNOTSUPP, the watch named), and an
 * inotify instance a process outside the job holds too (EBUSY, the
 * holder named); the job runs on with its watches.  A restart whose
 * watched directory was removed after the checkpoint fails with ENOENT,
 * naming the watch and the path, and leaves no process.
 *
 * Before event descriptors were saved every test here but the refusal
 * of a socket before the epoll set failed at the checkpoint, with
 * EOPNOTSUPP (the other refusal too: its log named the epoll set).
 *
 * The guest may be slow (QEMU TCG): timing checks are bounds that hold
 * however slow the machine is, and waits for events are long (10 s).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#define MS_NS		1000000LL
#define SEC_NS		1000000000LL

/* How long a restored child waits for an event that must come. */
#define EVENT_WAIT_MS	10000

/* --------------------------------------------------------------------
 * Helpers (in the child)
 */

/* /proc/self/fdinfo of fds 3..MAX_SNAP-1, as setup left them. */
#define MAX_SNAP	16
#define INFO_SIZE	4096
static char snap[MAX_SNAP][INFO_SIZE];

static ssize_t read_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return ckpt_read_file(path, buf, size);
}

/* Keep the fdinfo of fds 3..@last for same_info(). */
static void snapshot(int last)
{
	int fd;

	for (fd = 3; fd <= last; fd++)
		CHILD_CHECK(1, fd < MAX_SNAP && read_fdinfo(fd, snap[fd], INFO_SIZE) > 0,
			    "fdinfo of fd %d: %s", fd, strerror(errno));
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

/* The fdinfo lines @keys (NULL-terminated) of @fd are as in the snapshot. */
static void same_info(int code, int fd, const char *const *keys)
{
	char now[INFO_SIZE], a[256], b[256];

	CHILD_CHECK(code, read_fdinfo(fd, now, sizeof(now)) > 0, "fdinfo of fd %d: %s", fd,
		    strerror(errno));
	for (; *keys; keys++) {
		CHILD_CHECK(code, info_line(snap[fd], *keys, a, sizeof(a)),
			    "fd %d had no \"%s\" line before the checkpoint", fd, *keys);
		info_line(now, *keys, b, sizeof(b));
		CHILD_CHECK(code, !strcmp(a, b), "fd %d: \"%s\" before, \"%s\" after", fd, a, b);
	}
}

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

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static const char *const eventfd_keys[] = {
	"flags:", "eventfd-count:", "eventfd-semaphore:", NULL
};

static const char *const timerfd_keys[] = {
	"flags:", "clockid:", "settime flags:", "it_interval:", NULL
};

static const char *const signalfd_keys[] = { "flags:", "sigmask:", NULL };

static const char *const flags_key[] = { "flags:", NULL };

/*
 * The cycle of ckpt_cycle() with CKPT_KILL, where the job stays down for
 * @pause_ms between the kill and the restart.
 */
static int cycle_down(pid_t child, unsigned int pause_ms)
{
	int fd, ret;

	fd = ckpt_image_open();
	if (fd < 0) {
		ckpt_kill_reap(child);
		return CKPT_CYCLE_EIMAGE;
	}
	if (ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		close(fd);
		return CKPT_CYCLE_ECHECKPOINT;
	}
	if (ckpt_reap(child) != 128 + SIGKILL) {
		close(fd);
		return CKPT_CYCLE_EKILL;
	}
	ckpt_sleep_ms(pause_ms);
	ret = ckpt_restart_as(fd, child, 0);
	close(fd);
	if (ret < 0)
		return ret;
	ret = ckpt_wake_reap(child);
	if (ret)
		ckpt_msg("restored %d: exit status %d", (int)child, ret);
	return ret;
}

/* One child, one setup and one verify, one cycle with CKPT_KILL. */
/* The usual test: set up, checkpoint with CKPT_KILL, restart, verify. */
static void cycle(struct __test_metadata *_metadata, int (*setup)(void), int (*verify)(void))
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(setup, verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* --------------------------------------------------------------------
 * eventfd
 */

static uint64_t efd_read(int code, int fd)
{
	uint64_t v = 0;

	CHILD_CHECK(code, read(fd, &v, sizeof(v)) == sizeof(v), "read(eventfd %d): %s", fd,
		    strerror(errno));
	return v;
}

static void efd_write(int code, int fd, uint64_t v)
{
	CHILD_CHECK(code, write(fd, &v, sizeof(v)) == sizeof(v), "write(eventfd %d, %llu): %s",
		    fd, (unsigned long long)v, strerror(errno));
}

/* fd 3: counter 41; fd 4: the same eventfd (dup). */
static int counter_setup(void)
{
	CHILD_CHECK(1, eventfd(0, 0) == 3, "eventfd: %s", strerror(errno));
	efd_write(1, 3, 40);
	efd_write(1, 3, 1);
	CHILD_CHECK(1, dup(3) == 4, "dup");
	snapshot(4);
	return 0;
}

static int counter_verify(void)
{
	char a[64], b[64], info[INFO_SIZE];
	uint64_t v;

	check_kind(2, 3, "[eventfd]");
	same_info(3, 3, eventfd_keys);
	same_info(3, 4, eventfd_keys);
	CHILD_CHECK(4, !(fcntl(3, F_GETFL) & O_NONBLOCK), "fd 3 became O_NONBLOCK");
	v = efd_read(5, 3);
	CHILD_CHECK(5, v == 41, "read %llu, expected 41", (unsigned long long)v);
	CHILD_CHECK(6, !fd_readable(3, 0), "readable with a zero counter");
	/* fds 3 and 4: one eventfd, as dup() made them. */
	read_fdinfo(3, info, sizeof(info));
	info_line(info, "eventfd-id:", a, sizeof(a));
	read_fdinfo(4, info, sizeof(info));
	info_line(info, "eventfd-id:", b, sizeof(b));
	CHILD_CHECK(7, a[0] && !strcmp(a, b), "fd 3 \"%s\", fd 4 \"%s\"", a, b);
	efd_write(8, 4, 9);
	v = efd_read(8, 3);
	CHILD_CHECK(8, v == 9, "wrote 9 through fd 4, read %llu through fd 3",
		    (unsigned long long)v);
	return 0;
}

TEST(eventfd_counter_comes_back_and_dup_stays_one_eventfd)
{
	cycle(_metadata, counter_setup, counter_verify);
}

/* EFD_SEMAPHORE with a counter of 3. */
static int sem_setup(void)
{
	CHILD_CHECK(1, eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK) == 3, "eventfd: %s",
		    strerror(errno));
	snapshot(3);
	return 0;
}

static int sem_verify(void)
{
	uint64_t v = 0;
	int i;

	check_kind(2, 3, "[eventfd]");
	same_info(3, 3, eventfd_keys);
	for (i = 0; i < 3; i++) {
		v = efd_read(4, 3);
		CHILD_CHECK(4, v == 1, "semaphore read %d gave %llu", i, (unsigned long long)v);
	}
	CHILD_CHECK(5, read(3, &v, sizeof(v)) == -1 && errno == EAGAIN,
		    "a fourth read did not fail with EAGAIN");
	efd_write(6, 3, 2);
	CHILD_CHECK(6, efd_read(6, 3) == 1 && efd_read(6, 3) == 1, "semaphore after a write");
	return 0;
}

TEST(eventfd_semaphore_mode_reads_one_at_a_time)
{
	cycle(_metadata, sem_setup, sem_verify);
}

/*
 * fd 3: zero, EFD_NONBLOCK | EFD_CLOEXEC; fd 4: 7, neither; fd 5: zero,
 * blocking.
 */
static int flags_setup(void)
{
	CHILD_CHECK(1, eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) == 3, "eventfd: %s",
		    strerror(errno));
	CHILD_CHECK(1, eventfd(7, 0) == 4, "eventfd: %s", strerror(errno));
	CHILD_CHECK(1, eventfd(0, 0) == 5, "eventfd: %s", strerror(errno));
	snapshot(5);
	return 0;
}

static int flags_verify(void)
{
	uint64_t v;
	int fd;

	for (fd = 3; fd <= 5; fd++) {
		check_kind(2, fd, "[eventfd]");
		same_info(3, fd, eventfd_keys);
	}
	CHILD_CHECK(4, fcntl(3, F_GETFL) & O_NONBLOCK, "fd 3 lost O_NONBLOCK");
	CHILD_CHECK(4, fcntl(3, F_GETFD) == FD_CLOEXEC, "fd 3 lost FD_CLOEXEC");
	CHILD_CHECK(5, !(fcntl(4, F_GETFL) & O_NONBLOCK), "fd 4 became O_NONBLOCK");
	CHILD_CHECK(5, fcntl(4, F_GETFD) == 0, "fd 4 became FD_CLOEXEC");
	CHILD_CHECK(6, read(3, &v, sizeof(v)) == -1 && errno == EAGAIN,
		    "read of a zero counter: not EAGAIN");
	CHILD_CHECK(7, !fd_readable(5, 200), "a zero counter became readable");
	v = efd_read(8, 4);
	CHILD_CHECK(8, v == 7, "fd 4: read %llu, expected 7", (unsigned long long)v);
	return 0;
}

TEST(eventfd_status_flags_cloexec_and_zero_counter_kept)
{
	cycle(_metadata, flags_setup, flags_verify);
}

#define EFD_MAX		0xfffffffffffffffeULL

/* A counter at its maximum: a write of 1 would block. */
static int max_setup(void)
{
	CHILD_CHECK(1, eventfd(0, EFD_NONBLOCK) == 3, "eventfd: %s", strerror(errno));
	efd_write(1, 3, EFD_MAX);
	snapshot(3);
	return 0;
}

static int max_verify(void)
{
	uint64_t v = 1;

	same_info(2, 3, eventfd_keys);
	CHILD_CHECK(3, write(3, &v, sizeof(v)) == -1 && errno == EAGAIN,
		    "a write to a full counter did not fail with EAGAIN");
	v = efd_read(4, 3);
	CHILD_CHECK(4, v == EFD_MAX, "read %#llx, expected %#llx", (unsigned long long)v,
		    EFD_MAX);
	return 0;
}

TEST(eventfd_counter_at_its_maximum_stays_full)
{
	cycle(_metadata, max_setup, max_verify);
}

/*
 * A parent and its child share one eventfd (fd 3, inherited).  Before the
 * checkpoint the parent wrote 2 and the child 3.  After the restart the
 * child sets O_NONBLOCK on it, writes 10 and exits; the parent reaps it,
 * sees O_NONBLOCK, and reads 15.  Two eventfds instead of one would give
 * 5 and no O_NONBLOCK.
 */
enum { SH_PARENT = 1, SH_CHILD, SH_COUNT = SH_CHILD };

static int shared_child(void)
{
	efd_write(30, 3, 3);
	ckpt_member_wait(SH_CHILD);
	CHILD_CHECK(31, getpid() == ckpt_me.pid && getppid() == ckpt_me.ppid,
		    "pid %d parent %d, were %d and %d", (int)getpid(), (int)getppid(),
		    (int)ckpt_me.pid, (int)ckpt_me.ppid);
	check_kind(32, 3, "[eventfd]");
	CHILD_CHECK(33, !fcntl(3, F_SETFL, O_NONBLOCK), "F_SETFL: %s", strerror(errno));
	efd_write(34, 3, 10);
	return 0;
}

static int shared_parent(void *arg)
{
	int st = -1;
	uint64_t v;
	pid_t c, r;

	(void)arg;
	CHILD_CHECK(20, eventfd(0, 0) == 3, "eventfd: %s", strerror(errno));
	efd_write(20, 3, 2);
	c = ckpt_member_fork();
	CHILD_CHECK(20, c >= 0, "fork: %s", strerror(errno));
	if (c == 0)
		_exit(shared_child());
	ckpt_member_wait(SH_PARENT);
	do {
		r = waitpid(c, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(21, r == c && WIFEXITED(st) && !WEXITSTATUS(st),
		    "child %d: waitpid %d, status %#x", (int)c, (int)r, st);
	CHILD_CHECK(22, fcntl(3, F_GETFL) & O_NONBLOCK,
		    "the child's O_NONBLOCK is not ours: two open file descriptions");
	v = efd_read(23, 3);
	CHILD_CHECK(23, v == 15, "read %llu, expected 2 + 3 + 10 = 15", (unsigned long long)v);
	CHILD_CHECK(24, read(3, &v, sizeof(v)) == -1 && errno == EAGAIN, "second read");
	return 0;
}

TEST(eventfd_shared_by_parent_and_child_stays_one_in_a_tree)
{
	struct ckpt_member m[SH_COUNT];
	int n = 0, fd;
	pid_t root;

	if (!ckpt_preamble(_metadata))
		return;
	/* The original child comes to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(shared_parent, NULL, 0, NULL, 0, m, &n, SH_COUNT);
	ASSERT_GT(root, 0);
	ASSERT_EQ(SH_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(root, fd, CKPT_TREE | CKPT_KILL));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	ASSERT_EQ(root, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

/* --------------------------------------------------------------------
 * timerfd
 */

static long long ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * SEC_NS + ts->tv_nsec;
}

static struct timespec ns_ts(long long ns)
{
	struct timespec ts = { ns / SEC_NS, ns % SEC_NS };

	return ts;
}

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts_ns(&ts);
}

static void tfd_set(int fd, int flags, long long value, long long interval)
{
	struct itimerspec its = { ns_ts(interval), ns_ts(value) };

	CHILD_CHECK(1, !timerfd_settime(fd, flags, &its, NULL), "timerfd_settime(%d): %s", fd,
		    strerror(errno));
}

/* timerfd_gettime(@fd): value and interval in ns. */
static void tfd_get(int code, int fd, long long *value, long long *interval)
{
	struct itimerspec its;

	CHILD_CHECK(code, !timerfd_gettime(fd, &its), "timerfd_gettime(%d): %s", fd,
		    strerror(errno));
	*value = ts_ns(&its.it_value);
	*interval = ts_ns(&its.it_interval);
}

/* read() of a timerfd: its expirations, or -1 (errno set). */
static long long tfd_ticks(int fd)
{
	uint64_t t;

	if (read(fd, &t, sizeof(t)) != sizeof(t))
		return -1;
	return (long long)t;
}

/*
 * An interval timer of 10 ms that expires for 100 ms or more unread: the
 * child counts the expirations there were at least.
 */
#define TICK_NS		(10 * MS_NS)

static uint64_t tick_before_ms, tick_set_ms, tick_min;

static int ticks_setup(void)
{
	uint64_t end;

	CHILD_CHECK(1, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK) == 3, "timerfd_create: %s",
		    strerror(errno));
	tick_before_ms = ckpt_now_ms();
	tfd_set(3, 0, TICK_NS, TICK_NS);
	tick_set_ms = ckpt_now_ms();
	ckpt_sleep_ms(100);
	end = ckpt_now_ms();
	/* Set at most 1 ms (rounding) after tick_set_ms, checkpointed after end. */
	tick_min = end > tick_set_ms + 1 ? (end - tick_set_ms - 1) * MS_NS / TICK_NS : 0;
	CHILD_CHECK(1, tick_min >= 9, "only %llu expirations in 100 ms",
		    (unsigned long long)tick_min);
	snapshot(3);
	return 0;
}

static int ticks_verify(void)
{
	long long ticks, max, value, interval;

	check_kind(2, 3, "[timerfd]");
	same_info(3, 3, timerfd_keys);
	ticks = tfd_ticks(3);
	/* However the time while the job was down counts, no more than this. */
	max = (long long)(ckpt_now_ms() - tick_before_ms + 1) * MS_NS / TICK_NS + 1;
	CHILD_CHECK(4, ticks >= (long long)tick_min,
		    "read %lld expirations (%s), there were at least %llu before the checkpoint",
		    ticks, ticks < 0 ? strerror(errno) : "", (unsigned long long)tick_min);
	CHILD_CHECK(5, ticks <= max, "read %lld expirations, at most %lld can have happened",
		    ticks, max);
	tfd_get(6, 3, &value, &interval);
	CHILD_CHECK(6, interval == TICK_NS, "interval %lld ns, expected %lld", interval, TICK_NS);
	/* 0 if the next expiry passed meanwhile (a slow machine). */
	CHILD_CHECK(7, value >= 0 && value <= TICK_NS, "value %lld ns", value);
	CHILD_CHECK(8, fd_readable(3, EVENT_WAIT_MS), "no expiration within %d ms",
		    EVENT_WAIT_MS);
	ticks = tfd_ticks(3);
	CHILD_CHECK(8, ticks >= 1, "read %lld after poll", ticks);
	return 0;
}

TEST(timerfd_interval_expirations_not_read_are_read_after_restart)
{
	cycle(_metadata, ticks_setup, ticks_verify);
}

/* fd 3: never armed; fd 4: armed then disarmed. */
static int disarmed_setup(void)
{
	CHILD_CHECK(1, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK) == 3, "timerfd_create: %s",
		    strerror(errno));
	CHILD_CHECK(1, timerfd_create(CLOCK_BOOTTIME, 0) == 4, "timerfd_create: %s",
		    strerror(errno));
	tfd_set(4, 0, 5 * SEC_NS, SEC_NS);
	tfd_set(4, 0, 0, 0);
	snapshot(4);
	return 0;
}

static int disarmed_verify(void)
{
	long long value, interval;
	int fd;

	for (fd = 3; fd <= 4; fd++) {
		check_kind(2, fd, "[timerfd]");
		same_info(3, fd, timerfd_keys);
		tfd_get(4, fd, &value, &interval);
		CHILD_CHECK(4, !value && !interval, "fd %d: value %lld ns, interval %lld ns",
			    fd, value, interval);
		CHILD_CHECK(5, !fd_readable(fd, 200), "fd %d is readable", fd);
	}
	CHILD_CHECK(6, tfd_ticks(3) == -1 && errno == EAGAIN, "read of fd 3: not EAGAIN");
	return 0;
}

TEST(timerfd_disarmed_stays_disarmed)
{
	cycle(_metadata, disarmed_setup, disarmed_verify);
}

/*
 * Armed for 1000 s: fd 3 CLOCK_MONOTONIC with a 7 s interval and
 * TFD_CLOEXEC, fd 4 CLOCK_BOOTTIME one-shot, fd 5 CLOCK_REALTIME
 * (relative) with a 3 s interval.
 */
#define LONG_VALUE	(1000 * SEC_NS)

static const long long long_interval[] = { 7 * SEC_NS, 0, 3 * SEC_NS };
static long long long_left[3];
static uint64_t long_snap_ms;

static int armed_setup(void)
{
	long long interval;
	int i;

	CHILD_CHECK(1, timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) == 3, "timerfd_create: %s",
		    strerror(errno));
	CHILD_CHECK(1, timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK) == 4, "timerfd_create: %s",
		    strerror(errno));
	CHILD_CHECK(1, timerfd_create(CLOCK_REALTIME, 0) == 5, "timerfd_create: %s",
		    strerror(errno));
	for (i = 0; i < 3; i++)
		tfd_set(3 + i, 0, LONG_VALUE, long_interval[i]);
	/* What they have left at most when they are checkpointed. */
	long_snap_ms = ckpt_now_ms();
	for (i = 0; i < 3; i++)
		tfd_get(1, 3 + i, &long_left[i], &interval);
	snapshot(5);
	return 0;
}

static int armed_verify(void)
{
	long long value, interval, since;
	int i;

	for (i = 0; i < 3; i++) {
		check_kind(2, 3 + i, "[timerfd]");
		same_info(3, 3 + i, timerfd_keys);
		tfd_get(4, 3 + i, &value, &interval);
		/* Counting only while the job ran, it lost at most the time since. */
		since = (long long)(ckpt_now_ms() - long_snap_ms + 1) * MS_NS;
		CHILD_CHECK(5, interval == long_interval[i],
			    "fd %d: interval %lld ns, expected %lld", 3 + i, interval,
			    long_interval[i]);
		CHILD_CHECK(6, value > 0 && value <= long_left[i],
			    "fd %d: value %lld ns, it had %lld ns left", 3 + i, value,
			    long_left[i]);
		CHILD_CHECK(7, value >= long_left[i] - since,
			    "fd %d: value %lld ns, %lld ns left %lld ns ago", 3 + i, value,
			    long_left[i], since);
		CHILD_CHECK(8, !fd_readable(3 + i, 0), "fd %d expired", 3 + i);
	}
	CHILD_CHECK(9, fcntl(3, F_GETFD) == FD_CLOEXEC, "fd 3 lost FD_CLOEXEC");
	CHILD_CHECK(9, fcntl(4, F_GETFL) & O_NONBLOCK, "fd 4 lost O_NONBLOCK");
	return 0;
}

TEST(timerfd_armed_keeps_its_clock_interval_and_at_most_the_time_left)
{
	cycle(_metadata, armed_setup, armed_verify);
}

/*
 * TFD_TIMER_ABSTIME at now + 1000 s: fd 3 CLOCK_REALTIME, fd 4
 * CLOCK_MONOTONIC, fd 5 CLOCK_REALTIME with TFD_TIMER_CANCEL_ON_SET.
 * The job is down for ABS_PAUSE_MS: a CLOCK_REALTIME timer restored as
 * relative, with the time it had left at the checkpoint, would expire
 * that much later.  A CLOCK_MONOTONIC one may do just that (the clock
 * starts again at each boot: the kernel documents that it comes back
 * with the time it had left, still absolute), or keep its expiry: it
 * must not expire earlier, nor have more time left than it had.
 */
#define ABS_PAUSE_MS	3000
#define ABS_SLACK_NS	(50 * MS_NS)

static const clockid_t abs_clock[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_REALTIME };
static const int abs_flags[] = {
	TFD_TIMER_ABSTIME, TFD_TIMER_ABSTIME, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET
};

static long long abs_expiry[3], abs_left[3];

static int abs_setup(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		CHILD_CHECK(1, timerfd_create(abs_clock[i], TFD_NONBLOCK) == 3 + i,
			    "timerfd_create: %s", strerror(errno));
		abs_expiry[i] = clock_ns(abs_clock[i]) + LONG_VALUE;
		tfd_set(3 + i, abs_flags[i], abs_expiry[i], 0);
	}
	for (i = 0; i < 3; i++) {
		long long interval;

		tfd_get(1, 3 + i, &abs_left[i], &interval);
	}
	snapshot(5);
	return 0;
}

static int abs_verify(void)
{
	long long before, after, value, interval;
	int i;

	for (i = 0; i < 3; i++) {
		check_kind(2, 3 + i, "[timerfd]");
		/* "settime flags:" is TFD_TIMER_ABSTIME (| CANCEL_ON_SET) */
		same_info(3, 3 + i, timerfd_keys);
		before = clock_ns(abs_clock[i]);
		tfd_get(4, 3 + i, &value, &interval);
		after = clock_ns(abs_clock[i]);
		CHILD_CHECK(5, !interval, "fd %d: interval %lld ns", 3 + i, interval);
		CHILD_CHECK(6, value >= abs_expiry[i] - after - ABS_SLACK_NS &&
			    (abs_clock[i] == CLOCK_MONOTONIC ? value <= abs_left[i] :
			     value <= abs_expiry[i] - before + ABS_SLACK_NS),
			    "fd %d: %lld ms left, the absolute expiry is %lld ms away: moved by %lld ms",
			    3 + i, value / MS_NS, (abs_expiry[i] - before) / MS_NS,
			    (value - (abs_expiry[i] - before)) / MS_NS);
		CHILD_CHECK(7, tfd_ticks(3 + i) == -1 && errno == EAGAIN, "fd %d expired, or %s",
			    3 + i, strerror(errno));
	}
	return 0;
}

TEST(timerfd_abstime_keeps_its_absolute_expiry_across_a_pause)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(abs_setup, abs_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle_down(child, ABS_PAUSE_MS));
}

/*
 * fd 3: one-shot 200 ms and fd 4: one-shot 2 s, armed just before the
 * checkpoint; fd 5: one-shot 1 ms that expired, unread, before it.
 */
static int fire_setup(void)
{
	int i;

	for (i = 0; i < 3; i++)
		CHILD_CHECK(1, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK) == 3 + i,
			    "timerfd_create: %s", strerror(errno));
	tfd_set(5, 0, MS_NS, 0);
	CHILD_CHECK(1, fd_readable(5, EVENT_WAIT_MS), "the 1 ms timer did not expire");
	tfd_set(3, 0, 200 * MS_NS, 0);
	tfd_set(4, 0, 2 * SEC_NS, 0);
	snapshot(5);
	return 0;
}

static int fire_verify(void)
{
	long long value, interval, ticks;
	int fd;

	ticks = tfd_ticks(5);
	CHILD_CHECK(2, ticks == 1, "the expired one-shot timer read %lld (%s), expected 1",
		    ticks, ticks < 0 ? strerror(errno) : "");
	for (fd = 3; fd <= 4; fd++) {
		check_kind(3, fd, "[timerfd]");
		same_info(3, fd, timerfd_keys);
		tfd_get(4, fd, &value, &interval);
		ckpt_msg("fd %d: %lld ms left after the restart", fd, value / MS_NS);
		CHILD_CHECK(5, fd_readable(fd, EVENT_WAIT_MS), "fd %d did not fire within %d ms",
			    fd, EVENT_WAIT_MS);
		ticks = tfd_ticks(fd);
		CHILD_CHECK(6, ticks == 1, "fd %d read %lld, expected 1", fd, ticks);
		tfd_get(7, fd, &value, &interval);
		CHILD_CHECK(7, !value && !interval, "fd %d is still armed", fd);
		CHILD_CHECK(8, tfd_ticks(fd) == -1 && errno == EAGAIN, "fd %d: second read", fd);
	}
	return 0;
}

TEST(timerfd_armed_just_before_the_checkpoint_fires_after_restart)
{
	cycle(_metadata, fire_setup, fire_verify);
}

/* --------------------------------------------------------------------
 * signalfd
 */

#define SIGQ_VALUE	77

/*
 * SIGUSR1 and SIGRTMIN blocked; fd 3 watches both (SFD_NONBLOCK |
 * SFD_CLOEXEC), fd 4 SIGUSR1 only; a SIGRTMIN with a value is pending.
 */
static int sigfd_setup(void)
{
	union sigval sv = { .sival_int = SIGQ_VALUE };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	CHILD_CHECK(1, signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC) == 3, "signalfd: %s",
		    strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(1, signalfd(-1, &set, 0) == 4, "signalfd: %s", strerror(errno));
	CHILD_CHECK(1, !sigqueue(getpid(), SIGRTMIN, sv), "sigqueue: %s", strerror(errno));
	snapshot(4);
	return 0;
}

static void sigfd_read(int code, int fd, struct signalfd_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	CHILD_CHECK(code, read(fd, si, sizeof(*si)) == sizeof(*si), "read(signalfd %d): %s", fd,
		    strerror(errno));
}

static int sigfd_verify(void)
{
	union sigval sv = { .sival_int = SIGQ_VALUE + 1 };
	struct signalfd_siginfo si;

	check_kind(2, 3, "[signalfd]");
	check_kind(2, 4, "[signalfd]");
	same_info(3, 3, signalfd_keys);
	same_info(3, 4, signalfd_keys);
	CHILD_CHECK(4, fcntl(3, F_GETFD) == FD_CLOEXEC && (fcntl(3, F_GETFL) & O_NONBLOCK),
		    "fd 3 lost FD_CLOEXEC or O_NONBLOCK");
	CHILD_CHECK(4, !fcntl(4, F_GETFD) && !(fcntl(4, F_GETFL) & O_NONBLOCK),
		    "fd 4 gained FD_CLOEXEC or O_NONBLOCK");
	/* Queued before the checkpoint. */
	sigfd_read(5, 3, &si);
	CHILD_CHECK(5, si.ssi_signo == (uint32_t)SIGRTMIN && si.ssi_code == SI_QUEUE &&
		    si.ssi_int == SIGQ_VALUE && si.ssi_pid == (uint32_t)getpid(),
		    "signal %u code %d value %d pid %u, expected %d SI_QUEUE %d %d", si.ssi_signo,
		    si.ssi_code, si.ssi_int, si.ssi_pid, SIGRTMIN, SIGQ_VALUE, (int)getpid());
	CHILD_CHECK(6, read(3, &si, sizeof(si)) == -1 && errno == EAGAIN,
		    "something else was pending: signal %u", si.ssi_signo);
	/* Sent after the restart. */
	CHILD_CHECK(7, !kill(getpid(), SIGUSR1), "kill");
	sigfd_read(7, 3, &si);
	CHILD_CHECK(7, si.ssi_signo == SIGUSR1 && si.ssi_code == SI_USER,
		    "signal %u code %d, expected SIGUSR1 SI_USER", si.ssi_signo, si.ssi_code);
	CHILD_CHECK(8, !kill(getpid(), SIGUSR1), "kill");
	CHILD_CHECK(8, fd_readable(4, 0), "fd 4 does not see SIGUSR1");
	sigfd_read(8, 4, &si);
	CHILD_CHECK(8, si.ssi_signo == SIGUSR1, "fd 4: signal %u", si.ssi_signo);
	/* fd 4's mask is SIGUSR1 only: SIGRTMIN is not its. */
	CHILD_CHECK(9, !sigqueue(getpid(), SIGRTMIN, sv), "sigqueue");
	CHILD_CHECK(9, !fd_readable(4, 0), "fd 4 reports SIGRTMIN, not in its mask");
	CHILD_CHECK(10, fd_readable(3, 0), "fd 3 does not report SIGRTMIN");
	sigfd_read(10, 3, &si);
	CHILD_CHECK(10, si.ssi_signo == (uint32_t)SIGRTMIN && si.ssi_int == SIGQ_VALUE + 1,
		    "signal %u value %d", si.ssi_signo, si.ssi_int);
	return 0;
}

TEST(signalfd_keeps_its_mask_and_reads_pending_and_new_signals)
{
	cycle(_metadata, sigfd_setup, sigfd_verify);
}

/* --------------------------------------------------------------------
 * epoll
 *
 * fd 3: the epoll set (EPOLL_CLOEXEC), which watches
 *  fd 4: eventfd, counter 1, EPOLLIN, data EP_DATA_A
 *  fd 5: read end of a pipe (fd 6: its write end), EPOLLIN | EPOLLET, data 7
 *  fd 7: eventfd, counter 0, EPOLLIN | EPOLLONESHOT, data EP_DATA_ONESHOT
 *  fd 8: eventfd, counter 1, EPOLLIN | EPOLLONESHOT, data 8, which already
 *        fired (epoll_wait() returned it): disarmed
 *  fd 9: eventfd, counter 0, EPOLLIN | EPOLLEXCLUSIVE | EPOLLWAKEUP, data 9
 *        (EPOLLWAKEUP is dropped without CONFIG_PM_SLEEP: fdinfo tells)
 *  fd 10: read end of a pipe with a byte in it (fd 11: its write end),
 *        EPOLLIN | EPOLLONESHOT, data 10, which already fired: disarmed,
 *        for EPOLLHUP too (epoll_ctl(2) adds EPOLLERR | EPOLLHUP to every
 *        item, and a one-shot that fires keeps none of them)
 */
#define EP_DATA_A	0x1234ULL
#define EP_DATA_PIPE	7ULL
#define EP_DATA_ONESHOT	0xabcdef0123456789ULL
#define EP_DATA_FIRED	8ULL
#define EP_DATA_EXCL	9ULL
#define EP_DATA_FIRED_PIPE 10ULL

struct ep_entry {
	int tfd;
	unsigned int events;
	unsigned long long data;
};

#define MAX_ENTRIES	32

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

/* The entries of epoll fd @fd are those of the snapshot. */
static void same_entries(int code, int fd)
{
	struct ep_entry a[MAX_ENTRIES], b[MAX_ENTRIES];
	char now[INFO_SIZE];
	int na, nb, i;

	CHILD_CHECK(code, read_fdinfo(fd, now, sizeof(now)) > 0, "fdinfo: %s", strerror(errno));
	na = ep_entries(snap[fd], a, MAX_ENTRIES);
	nb = ep_entries(now, b, MAX_ENTRIES);
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
		CHILD_CHECK(code, 0, "epoll fd %d: %d entries before, %d after, entry %d differs",
			    fd, na, nb, i);
	}
}

static void ep_add(int epfd, int fd, unsigned int events, unsigned long long data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	CHILD_CHECK(1, !epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev), "EPOLL_CTL_ADD %d: %s", fd,
		    strerror(errno));
}

/* epoll_wait(@epfd) for up to @timeout_ms; returns the count, events in @ev. */
static int ep_wait_on(int code, int epfd, struct epoll_event *ev, int max, int timeout_ms)
{
	int n;

	do {
		n = epoll_wait(epfd, ev, max, timeout_ms);
	} while (n < 0 && errno == EINTR);
	CHILD_CHECK(code, n >= 0, "epoll_wait(%d): %s", epfd, strerror(errno));
	return n;
}

static int ep_wait(int code, struct epoll_event *ev, int max, int timeout_ms)
{
	return ep_wait_on(code, 3, ev, max, timeout_ms);
}

/* epoll_wait(@epfd) must report exactly one event, @data with EPOLLIN. */
static void ep_expect_one_on(int code, int epfd, unsigned long long data, int timeout_ms)
{
	struct epoll_event ev[8];
	int n, i;

	n = ep_wait_on(code, epfd, ev, 8, timeout_ms);
	if (n == 1 && ev[0].data.u64 == data && (ev[0].events & EPOLLIN))
		return;
	for (i = 0; i < n; i++)
		ckpt_msg("epoll_wait: events %#x data %#llx", ev[i].events,
			 (unsigned long long)ev[i].data.u64);
	CHILD_CHECK(code, 0,
		    "epoll fd %d: %d events, expected one with data %#llx and EPOLLIN", epfd, n,
		    data);
}

static void ep_expect_one(int code, unsigned long long data, int timeout_ms)
{
	ep_expect_one_on(code, 3, data, timeout_ms);
}

static void ep_expect_none(int code)
{
	struct epoll_event ev[8];
	int n, i;

	n = ep_wait(code, ev, 8, 0);
	for (i = 0; i < n; i++)
		ckpt_msg("epoll_wait: events %#x data %#llx", ev[i].events,
			 (unsigned long long)ev[i].data.u64);
	CHILD_CHECK(code, n == 0, "%d events, expected none", n);
}

static int epoll_setup(void)
{
	struct epoll_event ev[8];
	int p[2], i;

	CHILD_CHECK(1, epoll_create1(EPOLL_CLOEXEC) == 3, "epoll_create1: %s", strerror(errno));
	CHILD_CHECK(1, eventfd(1, EFD_NONBLOCK) == 4, "eventfd: %s", strerror(errno));
	CHILD_CHECK(1, !pipe2(p, O_NONBLOCK) && p[0] == 5 && p[1] == 6, "pipe2");
	CHILD_CHECK(1, eventfd(0, EFD_NONBLOCK) == 7, "eventfd: %s", strerror(errno));
	CHILD_CHECK(1, eventfd(1, EFD_NONBLOCK) == 8, "eventfd: %s", strerror(errno));
	CHILD_CHECK(1, eventfd(0, EFD_NONBLOCK) == 9, "eventfd: %s", strerror(errno));
	CHILD_CHECK(1, !pipe2(p, O_NONBLOCK) && p[0] == 10 && p[1] == 11, "pipe2");
	CHILD_CHECK(1, write(11, "z", 1) == 1, "write");
	ep_add(3, 4, EPOLLIN, EP_DATA_A);
	ep_add(3, 5, EPOLLIN | EPOLLET, EP_DATA_PIPE);
	ep_add(3, 7, EPOLLIN | EPOLLONESHOT, EP_DATA_ONESHOT);
	ep_add(3, 8, EPOLLIN | EPOLLONESHOT, EP_DATA_FIRED);
	ep_add(3, 9, EPOLLIN | EPOLLEXCLUSIVE | EPOLLWAKEUP, EP_DATA_EXCL);
	ep_add(3, 10, EPOLLIN | EPOLLONESHOT, EP_DATA_FIRED_PIPE);
	/* fd 4 (level), fds 8 and 10 (one-shot, which then are disarmed). */
	CHILD_CHECK(1, ep_wait(1, ev, 8, 0) == 3, "epoll_wait before the checkpoint");
	for (i = 0; i < 3; i++)
		CHILD_CHECK(1, ev[i].data.u64 == EP_DATA_A || ev[i].data.u64 == EP_DATA_FIRED ||
			    ev[i].data.u64 == EP_DATA_FIRED_PIPE,
			    "data %#llx", (unsigned long long)ev[i].data.u64);
	ep_expect_one(1, EP_DATA_A, 0);
	snapshot(11);
	return 0;
}

/* fdinfo of the epoll set: every entry, as it was. */
static int epoll_info_verify(void)
{
	check_kind(2, 3, "[eventpoll]");
	same_info(3, 3, flags_key);
	CHILD_CHECK(4, fcntl(3, F_GETFD) == FD_CLOEXEC, "fd 3 lost FD_CLOEXEC");
	same_entries(5, 3);
	return 0;
}

TEST(epoll_entries_in_fdinfo_are_the_same_after_restart)
{
	cycle(_metadata, epoll_setup, epoll_info_verify);
}

/* Ready: fd 4 only; fd 8 fired before the checkpoint and is disarmed. */
static int epoll_ready_verify(void)
{
	uint64_t one = 1;

	ep_expect_one(2, EP_DATA_A, 0);
	/* Level-triggered: again, until it is read. */
	ep_expect_one(3, EP_DATA_A, 0);
	efd_read(4, 4);
	ep_expect_none(4);
	/* fd 4 comes back when written to. */
	efd_write(5, 4, 1);
	ep_expect_one(5, EP_DATA_A, EVENT_WAIT_MS);
	efd_read(5, 4);
	/* fd 9 (exclusive) is watched too. */
	CHILD_CHECK(6, write(9, &one, sizeof(one)) == sizeof(one), "write");
	ep_expect_one(6, EP_DATA_EXCL, EVENT_WAIT_MS);
	return 0;
}

TEST(epoll_reports_a_nonzero_eventfd_with_its_data_after_restart)
{
	cycle(_metadata, epoll_setup, epoll_ready_verify);
}

/* The pipe is edge-triggered: once per write. */
static int epoll_et_verify(void)
{
	efd_read(2, 4);
	ep_expect_none(2);
	CHILD_CHECK(3, write(6, "x", 1) == 1, "write");
	ep_expect_one(3, EP_DATA_PIPE, EVENT_WAIT_MS);
	ep_expect_none(4);
	CHILD_CHECK(5, write(6, "y", 1) == 1, "write");
	ep_expect_one(5, EP_DATA_PIPE, EVENT_WAIT_MS);
	ep_expect_none(6);
	return 0;
}

TEST(epoll_edge_triggered_pipe_is_reported_once_per_write)
{
	cycle(_metadata, epoll_setup, epoll_et_verify);
}

/* fd 7 fires once; fds 8 and 10 stay disarmed until EPOLL_CTL_MOD. */
static int epoll_oneshot_verify(void)
{
	struct epoll_event ev;

	efd_read(2, 4);
	/* fds 8 and 10 are readable, but their one shot was used before the checkpoint. */
	CHILD_CHECK(2, fd_readable(8, 0) && fd_readable(10, 0), "fd 8 or 10 lost its data");
	ep_expect_none(2);
	/* Not even for EPOLLHUP: the pipe's writer goes. */
	CHILD_CHECK(3, !close(11), "close");
	ep_expect_none(3);
	efd_write(3, 7, 1);
	ep_expect_one(3, EP_DATA_ONESHOT, EVENT_WAIT_MS);
	efd_write(4, 7, 1);
	ep_expect_none(4);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 0x77;
	CHILD_CHECK(5, !epoll_ctl(3, EPOLL_CTL_MOD, 7, &ev), "EPOLL_CTL_MOD 7: %s",
		    strerror(errno));
	ep_expect_one(5, 0x77, EVENT_WAIT_MS);
	ep_expect_none(6);
	ev.events = EPOLLIN;
	ev.data.u64 = 0x88;
	CHILD_CHECK(7, !epoll_ctl(3, EPOLL_CTL_MOD, 8, &ev), "EPOLL_CTL_MOD 8: %s",
		    strerror(errno));
	ep_expect_one(7, 0x88, EVENT_WAIT_MS);
	return 0;
}

TEST(epoll_oneshot_fires_once_and_a_fired_one_stays_disarmed)
{
	cycle(_metadata, epoll_setup, epoll_oneshot_verify);
}

/* EPOLL_CTL_ADD, MOD, DEL on the registered fds: they are registered. */
static int epoll_ctl_verify(void)
{
	static const int fds[] = { 4, 5, 7, 8, 9, 10 };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x99 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		CHILD_CHECK(2, epoll_ctl(3, EPOLL_CTL_ADD, fds[i], &ev) == -1 && errno == EEXIST,
			    "EPOLL_CTL_ADD %d: not EEXIST (%s)", fds[i], strerror(errno));
	/* fd 6, the pipe's write end, is not registered. */
	CHILD_CHECK(3, !epoll_ctl(3, EPOLL_CTL_ADD, 6, &ev), "EPOLL_CTL_ADD 6: %s",
		    strerror(errno));
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		errno = 0;
		if (fds[i] == 9)
			/* EPOLLEXCLUSIVE entries cannot be modified. */
			CHILD_CHECK(4, epoll_ctl(3, EPOLL_CTL_MOD, 9, &ev) == -1 && errno == EINVAL,
				    "EPOLL_CTL_MOD of the EPOLLEXCLUSIVE entry: %s",
				    errno ? strerror(errno) : "it worked");
		else
			CHILD_CHECK(5, !epoll_ctl(3, EPOLL_CTL_MOD, fds[i], &ev),
				    "EPOLL_CTL_MOD %d: %s", fds[i], strerror(errno));
	}
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		CHILD_CHECK(6, !epoll_ctl(3, EPOLL_CTL_DEL, fds[i], NULL), "EPOLL_CTL_DEL %d: %s",
			    fds[i], strerror(errno));
		CHILD_CHECK(7, epoll_ctl(3, EPOLL_CTL_DEL, fds[i], NULL) == -1 && errno == ENOENT,
			    "EPOLL_CTL_DEL %d twice: not ENOENT", fds[i]);
	}
	/* fd 6 was added above; everything else is gone. */
	CHILD_CHECK(8, !epoll_ctl(3, EPOLL_CTL_DEL, 6, NULL), "EPOLL_CTL_DEL 6: %s",
		    strerror(errno));
	ep_expect_none(9);
	return 0;
}

TEST(epoll_ctl_add_mod_del_see_the_registered_fds)
{
	cycle(_metadata, epoll_setup, epoll_ctl_verify);
}

/*
 * An entry whose fd was closed while its file stays open under another
 * fd: epoll keeps it, under the old fd number (fdinfo shows tfd 4), and
 * reports it when the file is ready.  fd 3: epoll; fd 5: dup of the
 * eventfd that was fd 4.  Restart adds items back through the
 * descriptor they name, which no longer leads to the file, so the
 * checkpoint refuses the set, naming it and the item (a documented
 * limit), and the job runs on with its set as it was.
 */
static int closed_setup(void)
{
	struct ep_entry e[MAX_ENTRIES];

	CHILD_CHECK(1, epoll_create1(0) == 3, "epoll_create1: %s", strerror(errno));
	CHILD_CHECK(1, eventfd(0, EFD_NONBLOCK) == 4, "eventfd: %s", strerror(errno));
	ep_add(3, 4, EPOLLIN, 0x44);
	CHILD_CHECK(1, dup(4) == 5, "dup");
	CHILD_CHECK(1, !close(4), "close");
	snapshot(3);
	CHILD_CHECK(1, ep_entries(snap[3], e, MAX_ENTRIES) == 1 && e[0].tfd == 4 &&
		    e[0].data == 0x44, "epoll fdinfo: %s", snap[3]);
	return 0;
}

/* After the refusal: the set still has its entry and reports it. */
static int closed_verify(void)
{
	same_entries(2, 3);
	CHILD_CHECK(3, fcntl(4, F_GETFD) == -1 && errno == EBADF, "fd 4 is open again");
	ep_expect_none(4);
	efd_write(5, 5, 1);
	ep_expect_one(5, 0x44, EVENT_WAIT_MS);
	return 0;
}

TEST(epoll_entry_of_a_closed_fd_whose_file_is_open_under_another_is_refused)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(closed_setup, closed_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "fd 3: an epoll item on fd 4,"))
		TH_LOG("the set and its item are not named");
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * Nested epoll sets, both ways round: fd 3 watches the set fd 4, which
 * watches the eventfd fd 5 (counter 1); the set fd 7 watches the set
 * fd 6, which watches the eventfd fd 8 (counter 0).  Restart adds the
 * items of a set once the process has its descriptors, in some order:
 * the outer set must see what the inner one has ready either way.
 */
static int nested_setup(void)
{
	int fd;

	for (fd = 3; fd <= 8; fd++) {
		if (fd == 5 || fd == 8)
			CHILD_CHECK(1, eventfd(fd == 5, EFD_NONBLOCK) == fd, "eventfd: %s",
				    strerror(errno));
		else
			CHILD_CHECK(1, epoll_create1(0) == fd, "epoll_create1: %s",
				    strerror(errno));
	}
	ep_add(4, 5, EPOLLIN, 0x55);
	ep_add(3, 4, EPOLLIN, 0x44);
	ep_add(6, 8, EPOLLIN, 0x88);
	ep_add(7, 6, EPOLLIN, 0x66);
	ep_expect_one_on(1, 3, 0x44, 0);
	snapshot(8);
	return 0;
}

static int nested_verify(void)
{
	struct epoll_event ev[4];
	int fd;

	for (fd = 3; fd <= 7; fd++) {
		if (fd == 5)
			continue;
		check_kind(2, fd, "[eventpoll]");
		same_entries(3, fd);
	}
	/* fd 5 is ready: through fd 4, and fd 4 through fd 3. */
	ep_expect_one_on(4, 3, 0x44, 0);
	ep_expect_one_on(5, 4, 0x55, 0);
	/* fd 8 is not, until written to. */
	CHILD_CHECK(6, ep_wait_on(6, 7, ev, 4, 0) == 0, "fd 7 reports something");
	efd_write(7, 8, 1);
	ep_expect_one_on(7, 7, 0x66, EVENT_WAIT_MS);
	ep_expect_one_on(8, 6, 0x88, 0);
	/* Drained, the outer sets go quiet. */
	efd_read(9, 5);
	efd_read(9, 8);
	CHILD_CHECK(9, ep_wait_on(9, 3, ev, 4, 0) == 0 && ep_wait_on(9, 7, ev, 4, 0) == 0,
		    "an outer set still reports its inner set");
	return 0;
}

TEST(epoll_nested_sets_come_back_both_ways_round)
{
	cycle(_metadata, nested_setup, nested_verify);
}

/*
 * Refused: the epoll set watches an AF_INET socket.  @sock_first: the
 * socket is fd 3 and the epoll set fd 4, else the other way round.
 */
static bool refuse_sock_first;

static int refuse_setup(void)
{
	int ep = refuse_sock_first ? 4 : 3, sock = refuse_sock_first ? 3 : 4;
	int a, b;

	if (refuse_sock_first) {
		a = socket(AF_INET, SOCK_DGRAM, 0);
		b = epoll_create1(0);
	} else {
		a = epoll_create1(0);
		b = socket(AF_INET, SOCK_DGRAM, 0);
	}
	CHILD_CHECK(1, a == 3 && b == 4, "epoll or socket: %s", strerror(errno));
	ep_add(ep, sock, EPOLLIN, 0x5050);
	return 0;
}

/* After the refusal: the epoll set still watches the socket. */
static int refuse_verify(void)
{
	int ep = refuse_sock_first ? 4 : 3, sock = refuse_sock_first ? 3 : 4;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
	char info[INFO_SIZE];

	CHILD_CHECK(2, read_fdinfo(ep, info, sizeof(info)) > 0 && strstr(info, "tfd:"),
		    "the entry is gone: %s", info);
	CHILD_CHECK(3, epoll_ctl(ep, EPOLL_CTL_ADD, sock, &ev) == -1 && errno == EEXIST,
		    "EPOLL_CTL_ADD: not EEXIST");
	CHILD_CHECK(4, !epoll_ctl(ep, EPOLL_CTL_DEL, sock, NULL), "EPOLL_CTL_DEL: %s",
		    strerror(errno));
	return 0;
}

static void refused(struct __test_metadata *_metadata, bool sock_first)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	refuse_sock_first = sock_first;
	child = ckpt_spawn(refuse_setup, refuse_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "fd ", sock_first ? 3 : 4))
		TH_LOG("the socket's fd is not named");
	EXPECT_NE(NULL, strstr(log, "AF_INET socket"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST(epoll_watching_an_inet_socket_is_refused_and_runs_on)
{
	refused(_metadata, false);
}

TEST(inet_socket_watched_by_a_later_epoll_is_refused_and_runs_on)
{
	refused(_metadata, true);
}

/* --------------------------------------------------------------------
 * inotify
 *
 * Each test works in a fresh directory D in /tmp, and its child works
 * in D (chdir): a watch is saved by a path to what it watches through
 * the process's root, its working directory or the mount of one of its
 * open files, and /tmp is a mount of its own in the guest.
 *
 * The usual test: fd 3 (IN_NONBLOCK | IN_CLOEXEC) watches D/a with
 * IN_CREATE | IN_MOVED_TO | IN_EXCL_UNLINK, D/b with IN_DELETE (removed
 * again before the checkpoint: a gap in the watch descriptors, and an
 * IN_IGNORED queued), and the file D/f with IN_MODIFY | IN_ONESHOT; the
 * IN_CREATE of D/a/before is queued after that IN_IGNORED, not read.
 */
static char ino_dir[64];

struct ino_watch {
	int wd;
	unsigned long ino;
	unsigned int sdev, mask;
};

/* The "inotify wd:" lines of an fdinfo.  Returns how many. */
static int ino_watches(const char *info, struct ino_watch *w, int max)
{
	const char *p = info;
	int n = 0;

	while ((p = strstr(p, "inotify wd:"))) {
		if (n < max && sscanf(p, "inotify wd:%x ino:%lx sdev:%x mask:%x", &w[n].wd,
				      &w[n].ino, &w[n].sdev, &w[n].mask) == 4)
			n++;
		p += 11;
	}
	return n;
}

/* What read() gave from fd 3, and how far the child has looked at it. */
struct ino_queue {
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	ssize_t len;
	size_t off;
};

/* The next event of fd 3, waiting up to EVENT_WAIT_MS for one. */
static struct inotify_event *ino_next(int code, struct ino_queue *q)
{
	struct inotify_event *e;

	if (q->off >= (size_t)q->len) {
		CHILD_CHECK(code, fd_readable(3, EVENT_WAIT_MS), "no inotify event in %d ms",
			    EVENT_WAIT_MS);
		q->len = read(3, q->u.buf, sizeof(q->u.buf));
		CHILD_CHECK(code, q->len > 0, "read(inotify): %s", strerror(errno));
		q->off = 0;
	}
	e = (struct inotify_event *)(q->u.buf + q->off);
	CHILD_CHECK(code, q->off + sizeof(*e) <= (size_t)q->len &&
		    q->off + sizeof(*e) + e->len <= (size_t)q->len,
		    "a truncated inotify event at byte %zu of %zd", q->off, q->len);
	q->off += sizeof(*e) + e->len;
	return e;
}

/* The next event is exactly @wd, @mask, cookie 0 and @name ("": none). */
static void ino_expect(int code, struct ino_queue *q, int wd, uint32_t mask, const char *name)
{
	struct inotify_event *e = ino_next(code, q);
	const char *got = e->len ? e->name : "";

	CHILD_CHECK(code, e->wd == wd && e->mask == mask && !e->cookie && !strcmp(got, name),
		    "event wd %d mask %#x cookie %u name \"%s\", expected wd %d mask %#x name \"%s\"",
		    e->wd, e->mask, e->cookie, got, wd, mask, name);
}

/* No event comes within @timeout_ms. */
static void ino_expect_none(int code, struct ino_queue *q, int timeout_ms)
{
	struct inotify_event *e;

	if (q->off >= (size_t)q->len && !fd_readable(3, timeout_ms))
		return;
	e = ino_next(code, q);
	CHILD_CHECK(code, false, "one event too many: wd %d mask %#x name \"%s\"", e->wd, e->mask,
		    e->len ? e->name : "");
}

/*
 * A fresh D (ino_dir) with @names in it, in that order (NULL-terminated;
 * "x/" is a directory).
 */
static void ino_make(struct __test_metadata *_metadata, const char *const *names)
{
	char path[256];
	size_t n;
	int fd;

	snprintf(ino_dir, sizeof(ino_dir), "/tmp/ckpt-inotify-%d", (int)getpid());
	ASSERT_EQ(0, mkdir(ino_dir, 0755)) TH_LOG("mkdir %s: %s", ino_dir, strerror(errno));
	for (; *names; names++) {
		n = strlen(*names);
		snprintf(path, sizeof(path), "%s/%s", ino_dir, *names);
		if ((*names)[n - 1] == '/') {
			ASSERT_EQ(0, mkdir(path, 0755))
				TH_LOG("mkdir %s: %s", path, strerror(errno));
		} else {
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			ASSERT_LE(0, fd) TH_LOG("create %s: %s", path, strerror(errno));
			close(fd);
		}
	}
}

/* rm -r @path */
static void ino_rmtree(const char *path)
{
	char sub[512];
	struct dirent *d;
	DIR *dir;

	if (!unlink(path) || errno != EISDIR)
		return;
	dir = opendir(path);
	if (dir) {
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
				snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
				ino_rmtree(sub);
			}
		closedir(dir);
	}
	rmdir(path);
}

static int wd_a, wd_b, wd_f, ino_queued;

static int ino_setup(void)
{
	int fd;

	CHILD_CHECK(1, !chdir(ino_dir), "chdir %s: %s", ino_dir, strerror(errno));
	CHILD_CHECK(1, inotify_init1(IN_NONBLOCK | IN_CLOEXEC) == 3, "inotify_init1: %s",
		    strerror(errno));
	wd_a = inotify_add_watch(3, "a", IN_CREATE | IN_MOVED_TO | IN_EXCL_UNLINK);
	wd_b = inotify_add_watch(3, "b", IN_DELETE);
	wd_f = inotify_add_watch(3, "f", IN_MODIFY | IN_ONESHOT);
	CHILD_CHECK(1, wd_a > 0 && wd_b > wd_a && wd_f > wd_b, "inotify_add_watch: %d %d %d (%s)",
		    wd_a, wd_b, wd_f, strerror(errno));
	CHILD_CHECK(1, !inotify_rm_watch(3, wd_b), "inotify_rm_watch: %s", strerror(errno));
	fd = open("a/before", O_CREAT | O_WRONLY, 0644);
	CHILD_CHECK(1, fd == 4, "create a/before: %s", strerror(errno));
	close(fd);
	CHILD_CHECK(1, !ioctl(3, FIONREAD, &ino_queued) && ino_queued > 0,
		    "FIONREAD: %d bytes (%s)", ino_queued, strerror(errno));
	snapshot(3);
	return 0;
}

static int ino_verify(void)
{
	struct ino_queue q = { .len = 0 };
	struct ino_watch a[8], b[8];
	char info[INFO_SIZE];
	int na, nb, i, j, n, wd, fd;
	struct stat st;

	check_kind(2, 3, "inotify");
	same_info(3, 3, flags_key);
	CHILD_CHECK(3, fcntl(3, F_GETFL) & O_NONBLOCK, "fd 3 lost O_NONBLOCK");
	CHILD_CHECK(4, read_fdinfo(3, info, sizeof(info)) > 0, "fdinfo: %s", strerror(errno));
	na = ino_watches(snap[3], a, 8);
	nb = ino_watches(info, b, 8);
	CHILD_CHECK(5, na == 2, "%d watches before the checkpoint", na);
	CHILD_CHECK(5, nb == na, "%d watches before the checkpoint, %d after", na, nb);
	/* Each watch with its descriptor, on its inode, with its mask. */
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && b[j].wd != a[i].wd; j++)
			;
		CHILD_CHECK(6, j < nb, "watch %d (inode %lu) is gone", a[i].wd, a[i].ino);
		CHILD_CHECK(7, b[j].ino == a[i].ino && b[j].sdev == a[i].sdev &&
			    b[j].mask == a[i].mask,
			    "watch %d: inode %lu dev %#x mask %#x, was inode %lu dev %#x mask %#x",
			    a[i].wd, b[j].ino, b[j].sdev, b[j].mask, a[i].ino, a[i].sdev,
			    a[i].mask);
		if (b[j].wd == wd_a)
			CHILD_CHECK(8, b[j].mask == (IN_CREATE | IN_MOVED_TO | IN_EXCL_UNLINK),
				    "watch %d (D/a): mask %#x", wd_a, b[j].mask);
		else
			CHILD_CHECK(8, b[j].wd == wd_f && b[j].mask == (IN_MODIFY | IN_ONESHOT),
				    "watch %d: mask %#x, expected D/f's %d, %#x", b[j].wd,
				    b[j].mask, wd_f, IN_MODIFY | IN_ONESHOT);
	}
	/* The removed watch of D/b stays removed. */
	CHILD_CHECK(9, !stat("b", &st), "stat b: %s", strerror(errno));
	for (j = 0; j < nb; j++)
		CHILD_CHECK(9, b[j].ino != st.st_ino, "D/b is watched again, by %d", b[j].wd);
	CHILD_CHECK(9, inotify_rm_watch(3, wd_b) == -1 && errno == EINVAL,
		    "inotify_rm_watch(%d), D/b's removed watch: not EINVAL (%s)", wd_b,
		    strerror(errno));

	/* The events queued at the checkpoint, first and as they were. */
	CHILD_CHECK(10, !ioctl(3, FIONREAD, &n) && n == ino_queued,
		    "FIONREAD: %d bytes, %d before the checkpoint", n, ino_queued);
	ino_expect(11, &q, wd_b, IN_IGNORED, "");
	ino_expect(12, &q, wd_a, IN_CREATE, "before");
	ino_expect_none(13, &q, 0);

	/* D/a: IN_CREATE, with the name. */
	fd = open("a/after", O_CREAT | O_WRONLY, 0644);
	CHILD_CHECK(14, fd >= 0, "create a/after: %s", strerror(errno));
	ino_expect(15, &q, wd_a, IN_CREATE, "after");
	/* D/f: IN_MODIFY once, then IN_IGNORED: IN_ONESHOT. */
	CHILD_CHECK(16, write(fd, "x", 1) == 1, "write");	/* not watched */
	close(fd);
	fd = open("f", O_WRONLY | O_APPEND);
	CHILD_CHECK(17, fd >= 0 && write(fd, "x", 1) == 1 && write(fd, "y", 1) == 1,
		    "write f: %s", strerror(errno));
	close(fd);
	ino_expect(18, &q, wd_f, IN_MODIFY, "");
	ino_expect(19, &q, wd_f, IN_IGNORED, "");
	/* D/b was not watched at the checkpoint: nothing for its deletion. */
	CHILD_CHECK(20, !unlink("b/victim"), "unlink b/victim: %s", strerror(errno));
	ino_expect_none(21, &q, 200);

	/* A new watch: a descriptor after all those given before, not D/b's. */
	wd = inotify_add_watch(3, "b", IN_DELETE);
	CHILD_CHECK(22, wd > wd_f, "the new watch of D/b is %d; before: %d, %d (removed), %d", wd,
		    wd_a, wd_b, wd_f);
	fd = open("b/victim", O_CREAT | O_WRONLY, 0644);
	CHILD_CHECK(23, fd >= 0 && !close(fd) && !unlink("b/victim"), "b/victim: %s",
		    strerror(errno));
	ino_expect(24, &q, wd, IN_DELETE, "victim");
	ino_expect_none(25, &q, 0);
	return 0;
}

TEST(inotify_watches_and_queued_events)
{
	static const char *const names[] = { "a/", "b/", "b/victim", "f", NULL };
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	ino_make(_metadata, names);
	child = ckpt_spawn(ino_setup, ino_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	ino_rmtree(ino_dir);
}

/*
 * A queue that overflowed: with fs.inotify.max_queued_events at
 * QUEUE_MAX when the child makes its instance, D watched for IN_CREATE
 * (fd 3) and QUEUE_FILES files made in it, the queue holds the
 * IN_CREATE of e0..e3, then IN_Q_OVERFLOW (wd -1); e4 and e5 are lost.
 * The limit stays until the restart is done: the restored queue has
 * the limit of its time.
 */
#define MAX_QUEUED	"/proc/sys/fs/inotify/max_queued_events"
#define QUEUE_MAX	4
#define QUEUE_FILES	6

static int q_wd, q_bytes;

static int write_str(const char *path, const char *s)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = ckpt_write_all(fd, s, strlen(s));
	close(fd);
	return ret;
}

static int qover_setup(void)
{
	/* Each IN_CREATE with its name "eN" padded to 16 bytes. */
	const int bytes = QUEUE_MAX * (sizeof(struct inotify_event) + 16) +
			  sizeof(struct inotify_event);
	char name[16];
	int i, fd;

	CHILD_CHECK(1, !chdir(ino_dir), "chdir %s: %s", ino_dir, strerror(errno));
	CHILD_CHECK(1, inotify_init1(IN_NONBLOCK) == 3, "inotify_init1: %s", strerror(errno));
	q_wd = inotify_add_watch(3, ".", IN_CREATE);
	CHILD_CHECK(1, q_wd > 0, "inotify_add_watch: %s", strerror(errno));
	for (i = 0; i < QUEUE_FILES; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		CHILD_CHECK(1, fd == 4, "create %s: %s", name, strerror(errno));
		close(fd);
	}
	CHILD_CHECK(1, !ioctl(3, FIONREAD, &q_bytes), "FIONREAD: %s", strerror(errno));
	CHILD_CHECK(1, q_bytes == bytes, "%d bytes queued, not %d: no overflow after %d events?",
		    q_bytes, bytes, QUEUE_MAX);
	snapshot(3);
	return 0;
}

static int qover_verify(void)
{
	struct ino_queue q = { .len = 0 };
	char name[16];
	int i, n, fd;

	check_kind(2, 3, "inotify");
	same_info(3, 3, flags_key);
	CHILD_CHECK(4, !ioctl(3, FIONREAD, &n) && n == q_bytes,
		    "FIONREAD: %d bytes, %d before the checkpoint", n, q_bytes);
	for (i = 0; i < QUEUE_MAX; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		ino_expect(5, &q, q_wd, IN_CREATE, name);
	}
	ino_expect(6, &q, -1, IN_Q_OVERFLOW, "");
	ino_expect_none(7, &q, 0);
	/* Read, the queue takes events again. */
	fd = open("later", O_CREAT | O_WRONLY, 0644);
	CHILD_CHECK(8, fd >= 0, "create later: %s", strerror(errno));
	close(fd);
	ino_expect(8, &q, q_wd, IN_CREATE, "later");
	ino_expect_none(9, &q, 0);
	return 0;
}

TEST(inotify_queue_overflow_is_kept)
{
	static const char *const names[] = { NULL };
	char old[32], max[16];
	pid_t child = -1;
	int set;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_LT(0, ckpt_read_file(MAX_QUEUED, old, sizeof(old)))
		TH_LOG("%s: %s", MAX_QUEUED, strerror(errno));
	ino_make(_metadata, names);
	/* No ASSERT from here on: the old limit must be put back. */
	snprintf(max, sizeof(max), "%d", QUEUE_MAX);
	set = write_str(MAX_QUEUED, max);
	EXPECT_EQ(0, set) TH_LOG("%s: %s", MAX_QUEUED, strerror(errno));
	if (!set)
		child = ckpt_spawn(qover_setup, qover_verify);
	EXPECT_GT(child, 0);
	if (child > 0)
		EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	EXPECT_EQ(0, write_str(MAX_QUEUED, old)) TH_LOG("%s: %s", MAX_QUEUED, strerror(errno));
	ino_rmtree(ino_dir);
}

/*
 * Refused: a watch on a file unlinked while the child keeps it open.
 * The watch stays (IN_DELETE_SELF only comes with the last close), on
 * an inode no path leads to.  fd 3 watches D (GONE_WD_DIR, IN_DELETE)
 * and D/gone (GONE_WD, IN_MODIFY | IN_DELETE_SELF); fd 4 is D/gone.
 */
#define GONE_WD_DIR	1
#define GONE_WD		2

static int gone_setup(void)
{
	struct ino_queue q = { .len = 0 };
	struct ino_watch w[4];
	char info[INFO_SIZE];

	CHILD_CHECK(1, !chdir(ino_dir), "chdir %s: %s", ino_dir, strerror(errno));
	CHILD_CHECK(1, inotify_init1(IN_NONBLOCK) == 3, "inotify_init1: %s", strerror(errno));
	CHILD_CHECK(1, inotify_add_watch(3, ".", IN_DELETE) == GONE_WD_DIR,
		    "inotify_add_watch(D): %s", strerror(errno));
	CHILD_CHECK(1, inotify_add_watch(3, "gone", IN_MODIFY | IN_DELETE_SELF) == GONE_WD,
		    "inotify_add_watch(D/gone): %s", strerror(errno));
	CHILD_CHECK(1, open("gone", O_RDWR) == 4, "open gone: %s", strerror(errno));
	CHILD_CHECK(1, !unlink("gone"), "unlink gone: %s", strerror(errno));
	ino_expect(1, &q, GONE_WD_DIR, IN_DELETE, "gone");
	ino_expect_none(1, &q, 0);
	CHILD_CHECK(1, read_fdinfo(3, info, sizeof(info)) > 0 && ino_watches(info, w, 4) == 2,
		    "the watch of the unlinked file is gone: %s", info);
	return 0;
}

/* After the refusal: the watch is there, and goes with the last close. */
static int gone_verify(void)
{
	struct ino_queue q = { .len = 0 };

	CHILD_CHECK(2, write(4, "x", 1) == 1, "write: %s", strerror(errno));
	ino_expect(3, &q, GONE_WD, IN_MODIFY, "");
	CHILD_CHECK(4, !close(4), "close: %s", strerror(errno));
	ino_expect(5, &q, GONE_WD, IN_DELETE_SELF, "");
	ino_expect(6, &q, GONE_WD, IN_IGNORED, "");
	ino_expect_none(7, &q, 0);
	return 0;
}

TEST(inotify_watch_on_a_deleted_file_is_refused)
{
	static const char *const names[] = { "gone", NULL };
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	ino_make(_metadata, names);
	child = ckpt_spawn(gone_setup, gone_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_TRUE(ckpt_log_has(log, "inotify watch ", GONE_WD))
		TH_LOG("the watch is not named");
	EXPECT_NE(NULL, strstr(log, "deleted"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
	ino_rmtree(ino_dir);
}

/*
 * Refused: the test makes the instance, watching D for IN_CREATE, and
 * gives the child a copy as its fd 3; the test holds it outside the job.
 * After the refusal the child sees the IN_CREATE of D/x.
 */
static int held_wd;

static int held_main(void *arg)
{
	struct ino_queue q = { .len = 0 };
	int fd;

	(void)arg;
	ckpt_member_wait(1);
	CHILD_CHECK(20, !chdir(ino_dir), "chdir %s: %s", ino_dir, strerror(errno));
	fd = open("x", O_CREAT | O_WRONLY, 0644);
	CHILD_CHECK(21, fd >= 0, "create x: %s", strerror(errno));
	close(fd);
	ino_expect(22, &q, held_wd, IN_CREATE, "x");
	ino_expect_none(23, &q, 0);
	return 0;
}

TEST(inotify_held_outside_is_refused)
{
	static const char *const names[] = { NULL };
	struct ckpt_member m[1];
	char log[4096];
	int n = 0, ifd;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	ino_make(_metadata, names);
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, ifd);
	held_wd = inotify_add_watch(ifd, ino_dir, IN_CREATE);
	ASSERT_LT(0, held_wd);
	child = ckpt_job_spawn(held_main, NULL, -1, &ifd, 1, m, &n, 1);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_TRUE(ckpt_log_has(log, "the inotify instance is also held by pid ", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
	close(ifd);
	ino_rmtree(ino_dir);
}

/*
 * The child watches D/a (wd 1), from D; after its checkpoint the test
 * removes D/a.  The restart fails, naming the watch and the path, and
 * leaves no process.
 */
static int pathgone_setup(void)
{
	CHILD_CHECK(1, !chdir(ino_dir), "chdir %s: %s", ino_dir, strerror(errno));
	CHILD_CHECK(1, inotify_init1(IN_NONBLOCK) == 3, "inotify_init1: %s", strerror(errno));
	CHILD_CHECK(1, inotify_add_watch(3, "a", IN_CREATE) == 1, "inotify_add_watch: %s",
		    strerror(errno));
	return 0;
}

/* Never runs: there is no restored child. */
static int pathgone_verify(void)
{
	return 99;
}

TEST(inotify_path_gone_fails_restart)
{
	static const char *const names[] = { "a/", NULL };
	int fd, logfd, before_count, err;
	char log[4096], path[256];
	pid_t child, got;

	if (!ckpt_preamble(_metadata))
		return;
	ino_make(_metadata, names);
	snprintf(path, sizeof(path), "%s/a", ino_dir);
	child = ckpt_spawn(pathgone_setup, pathgone_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(0, rmdir(path)) TH_LOG("rmdir %s: %s", path, strerror(errno));

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
	EXPECT_EQ(ENOENT, err);
	EXPECT_TRUE(ckpt_log_has(log, "inotify watch ", 1)) TH_LOG("the watch is not named");
	EXPECT_NE(NULL, strstr(log, path)) TH_LOG("the path is not named");
	EXPECT_FALSE(ckpt_pid_exists(child));
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(before_count, ckpt_count_user_processes());
	close(fd);
	ino_rmtree(ino_dir);
}

TEST_HARNESS_MAIN
