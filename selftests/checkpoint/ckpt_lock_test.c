// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart and file locks.
 *
 * A lock is a promise to other processes that a checkpoint cannot keep:
 * between the checkpoint and the restart the file is unlocked.  So a job
 * that holds one is refused: a POSIX record lock (F_SETLK, write or
 * read), an open file description lock (F_OFD_SETLK), a flock(2) lock or
 * a lease makes checkpoint(2) fail with EBUSY, even with CKPT_KILL, and
 * the log names the process, the descriptor and file, and the lock:
 *
 *	pid N: fd 3 (name): holds a POSIX write lock on bytes 0-99 ...
 *
 * The job runs on and still holds its lock: the test's own attempts
 * still conflict with it (F_GETLK, F_OFD_GETLK, flock(LOCK_NB), and
 * /proc/locks for the lease), and so do the job's when it is woken.
 *
 * What is not refused: locks taken and released before the checkpoint,
 * and locks that a process outside the job holds on a file the job has
 * open, through an open file description of its own or through the one
 * the job shares; these jobs are checkpointed (CKPT_CONTINUE), then
 * killed, restarted, and read the file.  In a process group, the member
 * that holds the lock is the one named, not a member that has the same
 * file open, even through the same open file description.
 *
 * Every test works on a file of its own in /tmp, removed afterwards.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/file.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

/*
 * The harness' TEST_F() wrapper keeps the pid of the test process it
 * forks in a variable that a failed ASSERT_*()'s longjmp() may clobber;
 * -Wextra warns about it in every test.  The teardown is the parent's
 * kind, so that it runs whatever happened.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

/* The file's size and contents: byte i is 'a' + i % 26. */
#define LK_SIZE		200

/* The test's file; a global, so that the test's children see it. */
static char lk_path[64];
static const char *lk_name;

enum lk_kind {
	LK_NONE,
	LK_POSIX_WRITE,		/* F_SETLK, F_WRLCK, bytes 0-99 */
	LK_POSIX_READ,		/* F_SETLK, F_RDLCK, bytes 10-29 */
	LK_OFD,			/* F_OFD_SETLK, F_WRLCK, bytes 100-149 */
	LK_FLOCK,		/* flock(LOCK_EX) */
	LK_LEASE,		/* F_SETLEASE, F_RDLCK */
};

#define LK_KINDS	(LK_LEASE + 1)

/* How the log line must describe each lock, after "holds ". */
static const char *const lk_what[LK_KINDS] = {
	[LK_POSIX_WRITE]	= "a POSIX write lock on bytes 0-99",
	[LK_POSIX_READ]		= "a POSIX read lock on bytes 10-29",
	[LK_OFD]		= "an open file description",
	[LK_FLOCK]		= "a flock() lock (exclusive)",
	[LK_LEASE]		= "a lease",
};

/* And what else it must say (the OFD lock's type and range). */
static const char *const lk_what_more[LK_KINDS] = {
	[LK_OFD]		= "write lock on bytes 100-149",
};

FIXTURE(lockfile)
{
	char path[64];
};

FIXTURE_SETUP(lockfile)
{
	char buf[LK_SIZE];
	int fd, i;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(lk_path, sizeof(lk_path), "/tmp/ckpt-lock-%d", (int)getpid());
	lk_name = strrchr(lk_path, '/') + 1;
	fd = open(lk_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", lk_path, strerror(errno));
	snprintf(self->path, sizeof(self->path), "%s", lk_path);
	for (i = 0; i < LK_SIZE; i++)
		buf[i] = 'a' + i % 26;
	ASSERT_EQ(LK_SIZE, write(fd, buf, LK_SIZE));
	close(fd);
}

FIXTURE_TEARDOWN_PARENT(lockfile)
{
	if (self->path[0])
		unlink(self->path);
}

/* Take the lock @kind through @fd; 0 or -1. */
static int lk_take(int fd, enum lk_kind kind)
{
	struct flock fl = { .l_whence = SEEK_SET };

	switch (kind) {
	case LK_POSIX_WRITE:
		fl.l_type = F_WRLCK;
		fl.l_len = 100;
		return fcntl(fd, F_SETLK, &fl);
	case LK_POSIX_READ:
		fl.l_type = F_RDLCK;
		fl.l_start = 10;
		fl.l_len = 20;
		return fcntl(fd, F_SETLK, &fl);
	case LK_OFD:
		fl.l_type = F_WRLCK;
		fl.l_start = 100;
		fl.l_len = 50;
		return fcntl(fd, F_OFD_SETLK, &fl);
	case LK_FLOCK:
		return flock(fd, LOCK_EX | LOCK_NB);
	case LK_LEASE:
		return fcntl(fd, F_SETLEASE, F_RDLCK);
	case LK_NONE:
		break;
	}
	return 0;
}

/* Does fd @fd read the file's contents? */
static bool lk_contents_ok(int fd)
{
	char buf[LK_SIZE + 1];
	int i;

	if (pread(fd, buf, sizeof(buf), 0) != LK_SIZE)
		return false;
	for (i = 0; i < LK_SIZE; i++)
		if (buf[i] != 'a' + i % 26)
			return false;
	return true;
}

/*
 * Does a write lock on the whole file conflict with a lock through an
 * open file description other than @fd's?  What F_OFD_GETLK found goes
 * to @fl.  An OFD lock's owner is its description, so this also finds
 * the POSIX locks of the caller itself.
 */
static int lk_ofd_test(struct flock *fl)
{
	int fd = open(lk_path, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	ret = fcntl(fd, F_OFD_GETLK, fl);
	close(fd);
	return ret;
}

/* In the job: is the lock @kind (taken through fd 3) still held? */
static void lk_child_check_held(enum lk_kind kind)
{
	struct flock fl;
	int fd;

	switch (kind) {
	case LK_POSIX_WRITE:
	case LK_POSIX_READ:
		CHILD_CHECK(10, !lk_ofd_test(&fl), "F_OFD_GETLK: %s", strerror(errno));
		CHILD_CHECK(11, fl.l_type == (kind == LK_POSIX_WRITE ? F_WRLCK : F_RDLCK) &&
			    fl.l_pid == getpid(), "our POSIX lock is gone: type %d, pid %d",
			    fl.l_type, (int)fl.l_pid);
		break;
	case LK_OFD:
		CHILD_CHECK(10, !lk_ofd_test(&fl), "F_OFD_GETLK: %s", strerror(errno));
		CHILD_CHECK(11, fl.l_type == F_WRLCK && fl.l_start == 100 && fl.l_len == 50,
			    "our OFD lock is gone: type %d, start %lld, len %lld", fl.l_type,
			    (long long)fl.l_start, (long long)fl.l_len);
		break;
	case LK_FLOCK:
		fd = open(lk_path, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(10, fd >= 0, "open %s: %s", lk_path, strerror(errno));
		CHILD_CHECK(11, flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
			    "our flock() lock is gone: %s", strerror(errno));
		close(fd);
		break;
	case LK_LEASE:
		CHILD_CHECK(11, fcntl(3, F_GETLEASE) == F_RDLCK, "our lease is gone: %d",
			    fcntl(3, F_GETLEASE));
		break;
	case LK_NONE:
		break;
	}
}

/*
 * From outside the job: does process @holder still hold the lock @kind?
 * 0, or -1 with the reason.
 */
static int lk_still_held(enum lk_kind kind, pid_t holder)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char line[256];
	int fd, ret = -1;
	FILE *f;

	if (kind == LK_LEASE) {
		/* Opening the file for writing would break the lease. */
		f = fopen("/proc/locks", "re");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f)) {
			char kindname[16];
			int pid;

			if (sscanf(line, "%*d: %15s %*s %*s %d", kindname, &pid) == 2 &&
			    !strcmp(kindname, "LEASE") && pid == holder)
				ret = 0;
		}
		fclose(f);
		if (ret)
			ckpt_msg("no lease of %d in /proc/locks", (int)holder);
		return ret;
	}
	fd = open(lk_path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	switch (kind) {
	case LK_POSIX_WRITE:
	case LK_POSIX_READ:
		if (fcntl(fd, F_GETLK, &fl))
			break;
		if (fl.l_type != (kind == LK_POSIX_WRITE ? F_WRLCK : F_RDLCK) ||
		    fl.l_pid != holder || fl.l_start != (kind == LK_POSIX_WRITE ? 0 : 10) ||
		    fl.l_len != (kind == LK_POSIX_WRITE ? 100 : 20)) {
			ckpt_msg("F_GETLK: type %d, pid %d, start %lld, len %lld", fl.l_type,
				 (int)fl.l_pid, (long long)fl.l_start, (long long)fl.l_len);
			break;
		}
		fl.l_type = F_WRLCK;
		fl.l_start = 0;
		fl.l_len = 0;
		errno = 0;
		if (fcntl(fd, F_SETLK, &fl) != -1 || (errno != EAGAIN && errno != EACCES)) {
			ckpt_msg("a write lock on the file: %s", strerror(errno));
			break;
		}
		ret = 0;
		break;
	case LK_OFD:
		if (fcntl(fd, F_OFD_GETLK, &fl))
			break;
		if (fl.l_type != F_WRLCK || fl.l_pid != -1 || fl.l_start != 100 ||
		    fl.l_len != 50) {
			ckpt_msg("F_OFD_GETLK: type %d, pid %d, start %lld, len %lld", fl.l_type,
				 (int)fl.l_pid, (long long)fl.l_start, (long long)fl.l_len);
			break;
		}
		ret = 0;
		break;
	case LK_FLOCK:
		errno = 0;
		if (flock(fd, LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK) {
			ckpt_msg("flock(LOCK_EX | LOCK_NB): %s", strerror(errno));
			break;
		}
		ret = 0;
		break;
	default:
		break;
	}
	close(fd);
	return ret;
}

/*
 * checkpoint(@pid, @flags), which must fail with EBUSY; the log, which
 * must name @holder, fd 3 and the file, and the lock @kind, goes to @log.
 */
static void lk_refused(struct __test_metadata *_metadata, pid_t pid, unsigned int flags,
		       pid_t holder, enum lk_kind kind, char *log, size_t size)
{
	char who[128];
	int err = ckpt_checkpoint_log(pid, flags, log, size);

	EXPECT_EQ(EBUSY, err) TH_LOG("checkpoint: %s", strerror(err));
	TH_LOG("log: %s", log);
	snprintf(who, sizeof(who), "pid %d: fd 3 (%s): holds %s", (int)holder, lk_name,
		 lk_what[kind]);
	EXPECT_NE(NULL, strstr(log, who)) TH_LOG("the log does not say \"%s\"", who);
	if (lk_what_more[kind])
		EXPECT_NE(NULL, strstr(log, lk_what_more[kind]))
			TH_LOG("the log does not say \"%s\"", lk_what_more[kind]);
}

/* --------------------------------------------------------------------
 * One process holding a lock
 */

static enum lk_kind lk_kind;

/* fd 3: the file, with the lock lk_kind on it. */
static int lk_setup(void)
{
	int fd = open(lk_path, lk_kind == LK_LEASE ? O_RDONLY : O_RDWR);

	CHILD_CHECK(1, fd == 3, "open %s: %d (%s)", lk_path, fd, strerror(errno));
	CHILD_CHECK(1, !lk_take(3, lk_kind), "lock %d: %s", lk_kind, strerror(errno));
	return 0;
}

/* Woken after the refused checkpoint: the file and the lock are there. */
static int lk_verify(void)
{
	CHILD_CHECK(2, lk_contents_ok(3), "fd 3 does not read the file");
	lk_child_check_held(lk_kind);
	return 0;
}

static void lock_is_refused(struct __test_metadata *_metadata, enum lk_kind kind)
{
	char log[4096];
	pid_t child;

	lk_kind = kind;
	child = ckpt_spawn(lk_setup, lk_verify);
	ASSERT_GT(child, 0);
	lk_refused(_metadata, child, CKPT_KILL, child, kind, log, sizeof(log));
	/* Not killed, not stopped, and it holds its lock. */
	EXPECT_EQ(0, waitpid(child, NULL, WNOHANG));
	EXPECT_EQ(0, lk_still_held(kind, child));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST_F(lockfile, posix_write_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_POSIX_WRITE);
}

TEST_F(lockfile, posix_read_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_POSIX_READ);
}

TEST_F(lockfile, open_file_description_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_OFD);
}

TEST_F(lockfile, flock_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_FLOCK);
}

TEST_F(lockfile, lease_is_ebusy_and_named_and_still_held)
{
	int fd;

	/* Can we take a read lease here at all? */
	fd = open(lk_path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	if (fcntl(fd, F_SETLEASE, F_RDLCK))
		SKIP(close(fd); return, "no read lease on %s: %s", lk_path, strerror(errno));
	ASSERT_EQ(0, fcntl(fd, F_SETLEASE, F_UNLCK));
	close(fd);
	lock_is_refused(_metadata, LK_LEASE);
}

/* --------------------------------------------------------------------
 * What does not refuse
 */

/* Every kind of lock, taken and released through fd 3. */
static int released_setup(void)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	CHILD_CHECK(1, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(1, !lk_take(3, LK_POSIX_WRITE), "F_SETLK: %s", strerror(errno));
	CHILD_CHECK(1, !lk_take(3, LK_OFD), "F_OFD_SETLK: %s", strerror(errno));
	CHILD_CHECK(1, !lk_take(3, LK_FLOCK), "flock: %s", strerror(errno));
	CHILD_CHECK(1, !fcntl(3, F_SETLK, &fl), "F_SETLK F_UNLCK: %s", strerror(errno));
	CHILD_CHECK(1, !fcntl(3, F_OFD_SETLK, &fl), "F_OFD_SETLK F_UNLCK: %s",
		    strerror(errno));
	CHILD_CHECK(1, !flock(3, LOCK_UN), "flock(LOCK_UN): %s", strerror(errno));
	return 0;
}

/*
 * Restored: the file reads, and its last 50 bytes, which nobody has
 * locked, can be locked.
 */
static int unlocked_verify(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 150,
			    .l_len = 50 };

	CHILD_CHECK(2, lk_contents_ok(3), "fd 3 does not read the file");
	CHILD_CHECK(3, !fcntl(3, F_OFD_SETLK, &fl), "F_OFD_SETLK: %s", strerror(errno));
	return 0;
}

TEST_F(lockfile, locks_released_before_the_checkpoint_do_not_refuse_it)
{
	pid_t child;
	int fd;

	child = ckpt_spawn(released_setup, unlocked_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ckpt_checkpoint(child, fd, CKPT_CONTINUE));
	close(fd);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* fd 3: the file, open but never locked. */
static int open_setup(void)
{
	CHILD_CHECK(1, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	return 0;
}

/*
 * We (outside the job) hold a POSIX write lock and a flock() lock through
 * one open file description of ours and an OFD lock through another; the
 * job has the file open through its own.
 */
TEST_F(lockfile, locks_held_outside_the_job_do_not_refuse_it)
{
	char log[4096];
	int a, b;
	pid_t child;

	a = open(lk_path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a);
	b = open(lk_path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, lk_take(a, LK_POSIX_WRITE));
	ASSERT_EQ(0, lk_take(a, LK_FLOCK));
	ASSERT_EQ(0, lk_take(b, LK_OFD));
	child = ckpt_spawn(open_setup, unlocked_verify);
	ASSERT_GT(child, 0);

	EXPECT_EQ(0, ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log)))
		TH_LOG("log: %s", log);
	EXPECT_EQ(NULL, strstr(log, "holds")) TH_LOG("log: %s", log);
	EXPECT_EQ('S', ckpt_wait_state(child, "S", 5000));
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	close(b);
	close(a);
}

/* The job's fd 3 is the test's open file description, never locked. */
static int shared_member(void *arg)
{
	(void)arg;
	ckpt_member_wait(1);
	CHILD_CHECK(2, lk_contents_ok(3), "fd 3 does not read the file");
	return 0;
}

/*
 * We hold a POSIX lock through an open file description that the job
 * has too (it inherited it): the lock is ours (its owner is our table of
 * descriptors), not the job's.
 */
TEST_F(lockfile, posix_lock_held_outside_through_a_shared_description_does_not_refuse)
{
	struct ckpt_member m[1];
	int a, n = 0;
	char log[4096];
	pid_t child;

	a = open(lk_path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, lk_take(a, LK_POSIX_WRITE));
	child = ckpt_job_spawn(shared_member, NULL, -1, &a, 1, m, &n, 1);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	EXPECT_EQ(0, ckpt_checkpoint_log(child, CKPT_CONTINUE, log, sizeof(log)))
		TH_LOG("log: %s", log);
	EXPECT_EQ(NULL, strstr(log, "holds")) TH_LOG("log: %s", log);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	close(a);
}

/* --------------------------------------------------------------------
 * A process group: the holder is the one named
 */

#define LKM_OWN_OPEN	1	/* open the file itself as fd 3 */
#define LKM_LOCK	2	/* take a POSIX write lock through fd 3 */

static int lock_member(void *arg)
{
	int a = (int)(intptr_t)arg;

	if (a & LKM_OWN_OPEN)
		CHILD_CHECK(1, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path,
			    strerror(errno));
	if (a & LKM_LOCK)
		CHILD_CHECK(1, !lk_take(3, LK_POSIX_WRITE), "F_SETLK: %s", strerror(errno));
	ckpt_member_wait(a & LKM_LOCK ? 2 : 1);
	CHILD_CHECK(2, lk_contents_ok(3), "fd 3 does not read the file");
	if (a & LKM_LOCK)
		lk_child_check_held(LK_POSIX_WRITE);
	return 0;
}

/*
 * A group of two: its leader has the file open and holds no lock, the
 * other member holds a POSIX write lock on it.  With @shared, both have
 * the file through one open file description, which the leader opened
 * before it forked the other... as the test does here: it opens it and
 * gives it to both.
 */
static void group_holder_is_named(struct __test_metadata *_metadata, bool shared)
{
	struct ckpt_member m[2];
	int a = -1, n = 0, i, how;
	pid_t leader, holder;
	char log[4096];

	how = shared ? 0 : LKM_OWN_OPEN;
	if (shared) {
		a = open(lk_path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, a);
	}
	leader = ckpt_job_spawn(lock_member, (void *)(intptr_t)how, 0, &a, shared, m, &n, 2);
	ASSERT_GT(leader, 0);
	holder = ckpt_job_spawn(lock_member, (void *)(intptr_t)(how | LKM_LOCK), leader, &a,
				shared, m, &n, 2);
	ASSERT_GT(holder, 0);
	if (shared)
		close(a);
	ASSERT_EQ(2, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	lk_refused(_metadata, leader, CKPT_PGRP | CKPT_KILL, holder, LK_POSIX_WRITE, log,
		   sizeof(log));
	EXPECT_FALSE(ckpt_log_has(log, "pid ", leader))
		TH_LOG("the leader %d holds no lock, but the log names it", (int)leader);

	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, lk_still_held(LK_POSIX_WRITE, holder));
	EXPECT_EQ(0, ckpt_job_wake(m, n));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, ckpt_reap(m[i].pid)) TH_LOG("member %d", (int)m[i].pid);
}

TEST_F(lockfile, group_member_holding_the_lock_is_the_one_named)
{
	group_holder_is_named(_metadata, false);
}

TEST_F(lockfile, group_member_holding_the_lock_on_a_shared_description_is_the_one_named)
{
	group_holder_is_named(_metadata, true);
}

TEST_HARNESS_MAIN
