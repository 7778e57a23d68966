// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart and file locks.
 *
 * A lock is a promise to other processes that a checkpoint cannot keep:
 * between the checkpoint and the restart the file is unlocked.  So a job
 * that holds one is refused unless the caller asks for its locks to be
 * saved: a POSIX record lock (F_SETLK, write or read), an open file
 * description lock (F_OFD_SETLK), a flock(2) lock or a lease makes
 * checkpoint(2) fail with EBUSY, even with CKPT_KILL, and the log names
 * the process, the descriptor and file, and the lock:
 *
 *	pid N: fd 3 (name): holds a POSIX write lock on bytes 0-99: file
 *	locks are saved only with CKPT_FILE_LOCKS (--file-locks)
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
 * With CKPT_FILE_LOCKS the locks are saved, and the restored process
 * takes them back before it runs.  Each is seen from outside the job
 * (the test's F_GETLK, F_OFD_GETLK and flock(LOCK_NB) on descriptions
 * of its own) and from inside (the restored process's F_OFD_GETLK on a
 * new description, which conflicts with its own POSIX locks):
 *  - POSIX read and write locks on several ranges, one to the end of
 *    the file, with the restored process's pid; it unlocks them, half
 *    first, and the rest of the world sees each half go;
 *  - an OFD lock on a description that a parent and its child share
 *    (CKPT_TREE): held until the last of their descriptors on it closes;
 *  - flock() LOCK_EX and LOCK_SH, released by the restored LOCK_UN;
 *  - the POSIX locks of a parent and its child on two ranges, each with
 *    its own pid;
 *  - a conflicting lock that another process took meanwhile (POSIX, OFD
 *    or flock()) fails the restart, naming the file and that process,
 *    and leaves nothing of the job, not even the locks of a tree's
 *    other members; once it unlocks, the same image restarts and the
 *    lock is held again.
 * A lease is refused even so: "leases are not saved".
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

/* Why a refused lock is refused, without and with CKPT_FILE_LOCKS. */
#define LK_WHY_NO_FLAG	"file locks are saved only with CKPT_FILE_LOCKS (--file-locks)"
#define LK_WHY_LEASE	"leases are not saved"

/*
 * checkpoint(@pid, @flags), which must fail with EBUSY; the log, which
 * must name @holder, fd 3 and the file, and the lock @kind, and say why
 * (the flag that would save it, or that a lease is never saved), goes to
 * @log.
 */
static void lk_refused(struct __test_metadata *_metadata, pid_t pid, unsigned int flags,
		       pid_t holder, enum lk_kind kind, char *log, size_t size)
{
	int err = ckpt_checkpoint_log(pid, flags, log, size);
	const char *why;
	char who[128];

	EXPECT_EQ(EBUSY, err) TH_LOG("checkpoint: %s", strerror(err));
	TH_LOG("log: %s", log);
	snprintf(who, sizeof(who), "pid %d: fd 3 (%s): holds %s", (int)holder, lk_name,
		 lk_what[kind]);
	EXPECT_NE(NULL, strstr(log, who)) TH_LOG("the log does not say \"%s\"", who);
	if (lk_what_more[kind])
		EXPECT_NE(NULL, strstr(log, lk_what_more[kind]))
			TH_LOG("the log does not say \"%s\"", lk_what_more[kind]);
	why = flags & CKPT_FILE_LOCKS ? LK_WHY_LEASE : LK_WHY_NO_FLAG;
	EXPECT_NE(NULL, strstr(log, why)) TH_LOG("the log does not say \"%s\"", why);
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

/* checkpoint(@flags) of a process that holds the lock @kind is refused. */
static void lock_is_refused(struct __test_metadata *_metadata, enum lk_kind kind,
			    unsigned int flags)
{
	char log[4096];
	pid_t child;

	lk_kind = kind;
	child = ckpt_spawn(lk_setup, lk_verify);
	ASSERT_GT(child, 0);
	lk_refused(_metadata, child, flags, child, kind, log, sizeof(log));
	/* Not killed, not stopped, and it holds its lock. */
	EXPECT_EQ(0, waitpid(child, NULL, WNOHANG));
	EXPECT_EQ(0, lk_still_held(kind, child));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST_F(lockfile, posix_write_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_POSIX_WRITE, CKPT_KILL);
}

TEST_F(lockfile, posix_read_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_POSIX_READ, CKPT_KILL);
}

TEST_F(lockfile, open_file_description_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_OFD, CKPT_KILL);
}

TEST_F(lockfile, flock_lock_is_ebusy_and_named_and_still_held)
{
	lock_is_refused(_metadata, LK_FLOCK, CKPT_KILL);
}

/*
 * Can we take a read lease on the file at all (it must be ours, and
 * leases enabled)?  0, or the errno why not.
 */
static int lk_lease_possible(void)
{
	int fd = open(lk_path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (fcntl(fd, F_SETLEASE, F_RDLCK))
		err = errno;
	else if (fcntl(fd, F_SETLEASE, F_UNLCK))
		err = errno;
	close(fd);
	return err;
}

TEST_F(lockfile, lease_is_ebusy_and_named_and_still_held)
{
	int err = lk_lease_possible();

	if (err)
		SKIP(return, "no read lease on %s: %s", lk_path, strerror(err));
	lock_is_refused(_metadata, LK_LEASE, CKPT_KILL);
}

TEST_F(lockfile, lease_is_ebusy_even_with_file_locks_and_still_held)
{
	int err = lk_lease_possible();

	if (err)
		SKIP(return, "no read lease on %s: %s", lk_path, strerror(err));
	lock_is_refused(_metadata, LK_LEASE, CKPT_FILE_LOCKS | CKPT_KILL);
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

/* --------------------------------------------------------------------
 * Saved with CKPT_FILE_LOCKS: seen from outside and from inside
 */

/*
 * A range of the file and what a lock there should be: F_RDLCK or
 * F_WRLCK held over exactly that range, or F_UNLCK (nothing on it).
 * @len 0: to the end of the file, as in struct flock.
 */
struct lk_range {
	short type;
	off_t start, len;
};

/*
 * Through @fd, a description of the caller's own on the file, ask @cmd
 * (F_GETLK or F_OFD_GETLK) about each range of @r: a write lock on it
 * must conflict with exactly the lock r->type on that range, held by
 * @pid (-1 for an OFD or flock() lock), or with nothing for F_UNLCK; a
 * read lock on a read-locked range with nothing.  F_OFD_GETLK also finds
 * the caller's own POSIX locks (their owner is not the description).
 * Returns the number of mismatches, each said on stderr.
 */
static int lk_expect(int fd, int cmd, const struct lk_range *r, int n, pid_t pid)
{
	const char *name = cmd == F_GETLK ? "F_GETLK" : "F_OFD_GETLK";
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_start = r[i].start, .l_len = r[i].len };
		bool ok;

		if (fcntl(fd, cmd, &fl)) {
			ckpt_msg("%s bytes %lld+%lld: %s", name, (long long)r[i].start,
				 (long long)r[i].len, strerror(errno));
			bad++;
			continue;
		}
		if (r[i].type == F_UNLCK)
			ok = fl.l_type == F_UNLCK;
		else
			ok = fl.l_type == r[i].type && fl.l_start == r[i].start &&
			     fl.l_len == r[i].len && fl.l_pid == pid;
		if (!ok) {
			ckpt_msg("%s bytes %lld+%lld: type %d, start %lld, len %lld, pid %d",
				 name, (long long)r[i].start, (long long)r[i].len, fl.l_type,
				 (long long)fl.l_start, (long long)fl.l_len, (int)fl.l_pid);
			ckpt_msg("  expected type %d, pid %d", r[i].type, (int)pid);
			bad++;
		}
		if (r[i].type != F_RDLCK)
			continue;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_RDLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = r[i].start;
		fl.l_len = r[i].len;
		if (fcntl(fd, cmd, &fl)) {
			ckpt_msg("%s read lock on bytes %lld+%lld: %s", name,
				 (long long)r[i].start, (long long)r[i].len, strerror(errno));
			bad++;
		} else if (fl.l_type != F_UNLCK) {
			ckpt_msg("%s read lock on bytes %lld+%lld: conflicts with type %d, pid %d",
				 name, (long long)r[i].start, (long long)r[i].len, fl.l_type,
				 (int)fl.l_pid);
			bad++;
		}
	}
	return bad;
}

/* lk_expect() from outside the job, through a description of our own. */
static int lk_expect_outside(int cmd, const struct lk_range *r, int n, pid_t pid)
{
	int fd = open(lk_path, O_RDWR | O_CLOEXEC), bad;

	if (fd < 0) {
		ckpt_msg("open %s: %s", lk_path, strerror(errno));
		return 1;
	}
	bad = lk_expect(fd, cmd, r, n, pid);
	close(fd);
	return bad;
}

/* The whole file, unlocked. */
static const struct lk_range lk_free[] = { { F_UNLCK, 0, 0 } };

/*
 * From outside: flock(@op | LOCK_NB) on a description of our own; it is
 * undone at once.  0 if it was granted, else its errno.
 */
static int lk_flock_outside(int op)
{
	int fd = open(lk_path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (flock(fd, op | LOCK_NB))
		err = errno;
	close(fd);
	return err;
}

/*
 * In the image in @fd: the number of CKPT_REC_LOCKS records, and of the
 * locks in them in *@nlocks; -1 if it cannot be read.
 */
static int lk_image_locks(int fd, int *nlocks)
{
	const struct ckpt_rec_locks *r;
	const struct ckpt_hdr *h;
	size_t len, off = 0;
	int nrec = 0;
	void *img;

	*nlocks = 0;
	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	while ((h = ckpt_image_next(img, len, &off, CKPT_REC_LOCKS))) {
		r = (const struct ckpt_rec_locks *)h;
		nrec++;
		*nlocks += r->nr;
	}
	free(img);
	return nrec;
}

/*
 * checkpoint(@pid, @flags | CKPT_KILL) into a new image, whose fd it
 * returns (-1 on failure); the job is killed (@pid reaped: it must be
 * our child).
 */
static int lk_checkpoint_kill(pid_t pid, unsigned int flags)
{
	int fd = ckpt_image_open(), status;

	if (fd < 0)
		return -1;
	if (ckpt_checkpoint(pid, fd, flags | CKPT_KILL)) {
		ckpt_kill_reap(pid);
		close(fd);
		return -1;
	}
	status = ckpt_reap(pid);
	if (status != 128 + SIGKILL)
		ckpt_msg("original %d: status %d instead of SIGKILL", (int)pid, status);
	return fd;
}

/*
 * A restored process stops itself (raise(SIGSTOP)) when it wants the
 * test to look from outside.  Wait for @pid, our child, to stop: 0, or
 * the verdict it exited with instead (never 0), said on stderr.
 */
static int lk_wait_stopped(pid_t pid)
{
	int status;
	pid_t r;

	do {
		r = waitpid(pid, &status, WUNTRACED | __WALL);
	} while (r < 0 && errno == EINTR);
	if (r == pid && WIFSTOPPED(status))
		return 0;
	ckpt_msg("%d did not stop: waitpid %d, status %#x", (int)pid, (int)r, status);
	if (r == pid && WIFEXITED(status))
		return WEXITSTATUS(status) ?: -1;
	if (r == pid && WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* --------------------------------------------------------------------
 * POSIX read and write locks on several ranges, one to the end of file
 */

/* The locks fd 3 takes, and the gaps between them. */
static const struct lk_range pr_all[] = {
	{ F_WRLCK, 0, 10 }, { F_UNLCK, 10, 10 }, { F_RDLCK, 20, 20 }, { F_UNLCK, 40, 10 },
	{ F_WRLCK, 50, 10 }, { F_UNLCK, 60, 40 }, { F_RDLCK, 100, 0 },
};

/* After the first and the last of them are unlocked. */
static const struct lk_range pr_half[] = {
	{ F_UNLCK, 0, 20 }, { F_RDLCK, 20, 20 }, { F_UNLCK, 40, 10 }, { F_WRLCK, 50, 10 },
	{ F_UNLCK, 60, 0 },
};

#define PR_NR_LOCKS	4

/* Through fd 3: take the locks of @r, or with @type F_UNLCK undo them. */
static int pr_set(short type, const struct lk_range *r, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
				    .l_start = r[i].start, .l_len = r[i].len };

		if (r[i].type == F_UNLCK)
			continue;
		if (type != F_UNLCK)
			fl.l_type = r[i].type;
		if (fcntl(3, F_SETLK, &fl))
			return -1;
	}
	return 0;
}

/*
 * fd 3: the file, with the locks of pr_all; fd 4: a second description
 * of it, through which the same POSIX locks must not be saved twice.
 */
static int pr_setup(void)
{
	CHILD_CHECK(1, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(1, open(lk_path, O_RDONLY) == 4, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(1, !pr_set(F_WRLCK, pr_all, ARRAY_SIZE(pr_all)), "F_SETLK: %s",
		    strerror(errno));
	return 0;
}

/*
 * Restored: the locks are ours; unlock the first and the last, stop for
 * the test to look, unlock the others, stop again.  The probe stays
 * open until the end: closing it would drop our POSIX locks.
 */
static const struct lk_range pr_first_last[] = { { F_WRLCK, 0, 10 }, { F_RDLCK, 100, 0 } };
static const struct lk_range pr_middle[] = { { F_RDLCK, 20, 20 }, { F_WRLCK, 50, 10 } };

static int pr_verify(void)
{
	int probe = open(lk_path, O_RDWR | O_CLOEXEC);

	CHILD_CHECK(2, probe >= 0, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(3, lk_contents_ok(3), "fd 3 does not read the file");
	CHILD_CHECK(4, !lk_expect(probe, F_OFD_GETLK, pr_all, ARRAY_SIZE(pr_all), getpid()),
		    "our locks are not as we took them");
	CHILD_CHECK(5, !pr_set(F_UNLCK, pr_first_last, ARRAY_SIZE(pr_first_last)),
		    "F_SETLK F_UNLCK: %s", strerror(errno));
	CHILD_CHECK(6, !lk_expect(probe, F_OFD_GETLK, pr_half, ARRAY_SIZE(pr_half), getpid()),
		    "after unlocking the first and last");
	raise(SIGSTOP);
	CHILD_CHECK(7, !pr_set(F_UNLCK, pr_middle, ARRAY_SIZE(pr_middle)),
		    "F_SETLK F_UNLCK: %s", strerror(errno));
	CHILD_CHECK(8, !lk_expect(probe, F_OFD_GETLK, lk_free, 1, 0),
		    "after unlocking them all");
	raise(SIGSTOP);
	close(probe);
	return 0;
}

TEST_F(lockfile, posix_locks_on_several_ranges_come_back_with_the_restored_pid)
{
	int nlocks;
	int fd, status;
	pid_t child;

	child = ckpt_spawn(pr_setup, pr_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, lk_expect_outside(F_GETLK, pr_all, ARRAY_SIZE(pr_all), child));

	/* Saving them takes nothing away from a job that runs on. */
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ckpt_checkpoint(child, fd, CKPT_FILE_LOCKS | CKPT_CONTINUE));
	close(fd);
	EXPECT_EQ('S', ckpt_wait_state(child, "S", 5000));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, pr_all, ARRAY_SIZE(pr_all), child));

	fd = lk_checkpoint_kill(child, CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	/* One record, each lock once although two descriptors are on the file. */
	EXPECT_EQ(1, lk_image_locks(fd, &nlocks));
	EXPECT_EQ(PR_NR_LOCKS, nlocks);
	/* Gone with the job... */
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, lk_free, 1, 0));

	/* ...and back before the restored process runs. */
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, pr_all, ARRAY_SIZE(pr_all), child));
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));

	status = lk_wait_stopped(child);
	ASSERT_EQ(0, status);
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, pr_half, ARRAY_SIZE(pr_half), child));
	ASSERT_EQ(0, kill(child, SIGCONT));
	status = lk_wait_stopped(child);
	ASSERT_EQ(0, status);
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, lk_free, 1, 0));
	ASSERT_EQ(0, kill(child, SIGCONT));
	EXPECT_EQ(0, ckpt_reap(child));
}

/* --------------------------------------------------------------------
 * An OFD lock on a description a parent and its child share
 */

enum { OFD_PARENT = 1, OFD_CHILD, OFD_COUNT = OFD_CHILD };

static const struct lk_range ofd_held[] = {
	{ F_UNLCK, 0, 100 }, { F_WRLCK, 100, 50 }, { F_UNLCK, 150, 0 },
};

/* Through a new description of our own: is the OFD lock held or not? */
static int ofd_probe(bool held)
{
	int fd = open(lk_path, O_RDWR | O_CLOEXEC), bad;

	if (fd < 0)
		return -1;
	if (held)
		bad = lk_expect(fd, F_OFD_GETLK, ofd_held, ARRAY_SIZE(ofd_held), -1);
	else
		bad = lk_expect(fd, F_OFD_GETLK, lk_free, 1, 0);
	close(fd);
	return bad;
}

static int ofd_child(void)
{
	ckpt_member_wait(OFD_CHILD);
	CHILD_CHECK(30, getpid() == ckpt_me.pid && getppid() == ckpt_me.ppid,
		    "pid %d parent %d, were %d and %d", (int)getpid(), (int)getppid(),
		    (int)ckpt_me.pid, (int)ckpt_me.ppid);
	CHILD_CHECK(31, !ofd_probe(true), "the OFD lock is not held");
	return 0;	/* closes our fd 3: the parent's still holds it */
}

/*
 * fd 3: the file, with an OFD write lock on bytes 100-149, inherited by
 * a child.  Woken after the child has exited: the lock is held, until
 * our fd 3 closes.
 */
static int ofd_parent(void *arg)
{
	int st = -1;
	pid_t c, r;

	(void)arg;
	CHILD_CHECK(20, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(20, !lk_take(3, LK_OFD), "F_OFD_SETLK: %s", strerror(errno));
	c = ckpt_member_fork();
	CHILD_CHECK(20, c >= 0, "fork: %s", strerror(errno));
	if (c == 0)
		_exit(ofd_child());
	ckpt_member_wait(OFD_PARENT);
	do {
		r = waitpid(c, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(21, r == c && WIFEXITED(st) && !WEXITSTATUS(st),
		    "child %d: waitpid %d, status %#x", (int)c, (int)r, st);
	CHILD_CHECK(22, !ofd_probe(true), "the OFD lock went with the child's fd");
	CHILD_CHECK(23, !close(3), "close: %s", strerror(errno));
	CHILD_CHECK(24, !ofd_probe(false), "the OFD lock outlived its description");
	raise(SIGSTOP);
	return 0;
}

TEST_F(lockfile, ofd_lock_on_a_shared_description_comes_back_and_goes_with_its_last_fd)
{
	struct ckpt_member m[OFD_COUNT];
	int nlocks;
	int n = 0, fd, i, status;
	pid_t root, child;

	/* The original child comes to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(ofd_parent, NULL, 0, NULL, 0, m, &n, OFD_COUNT);
	ASSERT_GT(root, 0);
	ASSERT_EQ(OFD_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	i = ckpt_job_find(m, n, OFD_CHILD);
	ASSERT_LE(0, i);
	child = m[i].pid;
	ASSERT_EQ(0, lk_expect_outside(F_OFD_GETLK, ofd_held, ARRAY_SIZE(ofd_held), -1));

	fd = lk_checkpoint_kill(root, CKPT_TREE | CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	/* Each process has the description, so each record has the lock. */
	EXPECT_EQ(2, lk_image_locks(fd, &nlocks));
	EXPECT_EQ(2, nlocks);
	EXPECT_EQ(0, lk_expect_outside(F_OFD_GETLK, lk_free, 1, 0));

	ASSERT_EQ(root, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, lk_expect_outside(F_OFD_GETLK, ofd_held, ARRAY_SIZE(ofd_held), -1));

	/* The child exits: the parent's fd 3 still holds the lock. */
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));
	EXPECT_EQ('Z', ckpt_wait_state(child, "Z", 10000));
	EXPECT_EQ(0, lk_expect_outside(F_OFD_GETLK, ofd_held, ARRAY_SIZE(ofd_held), -1));

	/* The parent reaps it and closes its fd 3: the lock goes. */
	ASSERT_EQ(0, kill(root, CKPT_WAKE_SIG));
	status = lk_wait_stopped(root);
	ASSERT_EQ(0, status);
	EXPECT_EQ(0, lk_expect_outside(F_OFD_GETLK, lk_free, 1, 0));
	ASSERT_EQ(0, kill(root, SIGCONT));
	EXPECT_EQ(0, ckpt_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * flock(): LOCK_EX and LOCK_SH
 */

static int fl_op;

/* fd 3: the file, flock()ed; fd 4: the same description, dup()ed. */
static int fl_setup(void)
{
	CHILD_CHECK(1, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(1, dup(3) == 4, "dup: %s", strerror(errno));
	CHILD_CHECK(1, !flock(3, fl_op | LOCK_NB), "flock: %s", strerror(errno));
	return 0;
}

/*
 * Restored: a description of our own conflicts with our lock as any
 * other would (a shared lock admits another shared one); LOCK_UN through
 * fd 4 (the same description as fd 3) lets it take an exclusive one.
 */
static int fl_verify(void)
{
	int probe = open(lk_path, O_RDONLY | O_CLOEXEC);

	CHILD_CHECK(2, probe >= 0, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(3, lk_contents_ok(3), "fd 3 does not read the file");
	CHILD_CHECK(4, flock(probe, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
		    "our flock() lock is gone: %s", strerror(errno));
	if (fl_op == LOCK_SH) {
		CHILD_CHECK(5, !flock(probe, LOCK_SH | LOCK_NB), "LOCK_SH beside ours: %s",
			    strerror(errno));
		CHILD_CHECK(5, !flock(probe, LOCK_UN), "LOCK_UN: %s", strerror(errno));
	}
	CHILD_CHECK(6, !flock(4, LOCK_UN), "LOCK_UN: %s", strerror(errno));
	CHILD_CHECK(7, !flock(probe, LOCK_EX | LOCK_NB), "LOCK_EX after LOCK_UN: %s",
		    strerror(errno));
	CHILD_CHECK(7, !flock(probe, LOCK_UN), "LOCK_UN: %s", strerror(errno));
	raise(SIGSTOP);
	close(probe);
	return 0;
}

static void flock_comes_back(struct __test_metadata *_metadata, int op)
{
	int nlocks;
	int fd, status;
	pid_t child;

	fl_op = op;
	child = ckpt_spawn(fl_setup, fl_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(EWOULDBLOCK, lk_flock_outside(LOCK_EX));

	fd = lk_checkpoint_kill(child, CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	/* Once, although two descriptors are on its description. */
	EXPECT_EQ(1, lk_image_locks(fd, &nlocks));
	EXPECT_EQ(1, nlocks);
	EXPECT_EQ(0, lk_flock_outside(LOCK_EX));

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	EXPECT_EQ(EWOULDBLOCK, lk_flock_outside(LOCK_EX));
	EXPECT_EQ(op == LOCK_SH ? 0 : EWOULDBLOCK, lk_flock_outside(LOCK_SH));
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));
	status = lk_wait_stopped(child);
	ASSERT_EQ(0, status);
	EXPECT_EQ(0, lk_flock_outside(LOCK_EX));
	ASSERT_EQ(0, kill(child, SIGCONT));
	EXPECT_EQ(0, ckpt_reap(child));
}

TEST_F(lockfile, flock_exclusive_lock_comes_back_until_lock_un)
{
	flock_comes_back(_metadata, LOCK_EX);
}

TEST_F(lockfile, flock_shared_lock_comes_back_until_lock_un)
{
	flock_comes_back(_metadata, LOCK_SH);
}

/* --------------------------------------------------------------------
 * The POSIX locks of a parent and its child: each its own
 */

enum { TW_PARENT = 1, TW_CHILD, TW_COUNT = TW_CHILD };

static const struct lk_range tw_parent[] = { { F_WRLCK, 0, 50 } };
static const struct lk_range tw_child[] = { { F_WRLCK, 100, 50 } };
static const struct lk_range tw_gaps[] = { { F_UNLCK, 50, 50 }, { F_UNLCK, 150, 0 } };
static const struct lk_range tw_after_child[] = { { F_UNLCK, 50, 0 } };
static const struct lk_range tw_parent_free[] = { { F_UNLCK, 0, 50 } };

/* Through a new description: the locks of @parent and @child as @r. */
static int tw_probe(pid_t parent, pid_t child, bool child_gone)
{
	int fd = open(lk_path, O_RDWR | O_CLOEXEC), bad;

	if (fd < 0)
		return -1;
	bad = lk_expect(fd, F_OFD_GETLK, tw_parent, 1, parent);
	if (child_gone)
		bad += lk_expect(fd, F_OFD_GETLK, tw_after_child, 1, 0);
	else
		bad += lk_expect(fd, F_OFD_GETLK, tw_child, 1, child) +
		       lk_expect(fd, F_OFD_GETLK, tw_gaps, ARRAY_SIZE(tw_gaps), 0);
	/* Closing it drops our own POSIX locks: the last thing we do. */
	close(fd);
	return bad;
}

/* The child locks bytes 100-149 through the fd 3 it shares. */
static int tw_child_main(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100,
			    .l_len = 50 };

	CHILD_CHECK(40, !fcntl(3, F_SETLK, &fl), "F_SETLK: %s", strerror(errno));
	ckpt_member_wait(TW_CHILD);
	CHILD_CHECK(41, !tw_probe(getppid(), getpid(), false), "the locks are not ours");
	return 0;
}

static int tw_parent_main(void *arg)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 50 };
	int st = -1;
	pid_t c, r;

	(void)arg;
	CHILD_CHECK(50, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(50, !fcntl(3, F_SETLK, &fl), "F_SETLK: %s", strerror(errno));
	c = ckpt_member_fork();
	CHILD_CHECK(50, c >= 0, "fork: %s", strerror(errno));
	if (c == 0)
		_exit(tw_child_main());
	ckpt_member_wait(TW_PARENT);
	do {
		r = waitpid(c, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(51, r == c && WIFEXITED(st) && !WEXITSTATUS(st),
		    "child %d: waitpid %d, status %#x", (int)c, (int)r, st);
	CHILD_CHECK(52, !tw_probe(getpid(), 0, true), "our lock is not ours alone");
	return 0;
}

TEST_F(lockfile, posix_locks_of_parent_and_child_come_back_each_with_its_pid)
{
	struct ckpt_member m[TW_COUNT];
	int nlocks;
	int n = 0, fd, i;
	pid_t root, child;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(tw_parent_main, NULL, 0, NULL, 0, m, &n, TW_COUNT);
	ASSERT_GT(root, 0);
	ASSERT_EQ(TW_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	i = ckpt_job_find(m, n, TW_CHILD);
	ASSERT_LE(0, i);
	child = m[i].pid;
	ASSERT_EQ(0, lk_expect_outside(F_GETLK, tw_parent, 1, root));
	ASSERT_EQ(0, lk_expect_outside(F_GETLK, tw_child, 1, child));

	fd = lk_checkpoint_kill(root, CKPT_TREE | CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_EQ(2, lk_image_locks(fd, &nlocks));
	EXPECT_EQ(2, nlocks);
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, lk_free, 1, 0));

	ASSERT_EQ(root, ckpt_restart(fd, 0));
	close(fd);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_parent, 1, root));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_child, 1, child));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_gaps, ARRAY_SIZE(tw_gaps), 0));

	/* The child's lock goes with it; the parent's stays. */
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));
	EXPECT_EQ('Z', ckpt_wait_state(child, "Z", 10000));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_parent, 1, root));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_after_child, 1, 0));
	ASSERT_EQ(0, kill(root, CKPT_WAKE_SIG));
	EXPECT_EQ(0, ckpt_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * A conflicting lock taken between checkpoint and restart
 */

/*
 * A process outside the job, with a description of its own, that holds
 * a lock conflicting with the job's lock @kind until told to unlock:
 * for a POSIX write lock on bytes 0-99 a POSIX write lock on 50-59, for
 * an OFD write lock on 100-149 a POSIX read lock on 120-129, for an
 * exclusive flock() a shared one.
 */
struct lk_holder {
	pid_t pid;
	int cmd;	/* write 'u': unlock; close: exit */
	int ack;	/* 'R' when locked, 'U' when unlocked */
};

static int lk_holder_lock(int fd, enum lk_kind kind, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	if (kind == LK_FLOCK)
		return flock(fd, (type == F_UNLCK ? LOCK_UN : LOCK_SH) | LOCK_NB);
	if (type != F_UNLCK) {
		fl.l_start = kind == LK_OFD ? 120 : 50;
		fl.l_len = 10;
	}
	return fcntl(fd, F_SETLK, &fl);
}

static void lk_holder_main(int cmd, int ack, enum lk_kind kind)
{
	int fd = open(lk_path, O_RDWR | O_CLOEXEC);
	char c;

	if (fd < 0 || lk_holder_lock(fd, kind, kind == LK_OFD ? F_RDLCK : F_WRLCK) ||
	    write(ack, "R", 1) != 1)
		_exit(1);
	while (read(cmd, &c, 1) == 1) {
		if (lk_holder_lock(fd, kind, F_UNLCK) || write(ack, "U", 1) != 1)
			_exit(2);
	}
	_exit(0);
}

/* Start the holder; 0, or -1 if it did not take its lock. */
static int lk_holder_start(struct lk_holder *h, enum lk_kind kind)
{
	pid_t parent = getpid();
	int cmd[2], ack[2];
	char c = 0;

	h->pid = -1;
	if (pipe2(cmd, O_CLOEXEC))
		return -1;
	if (pipe2(ack, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	fflush(NULL);
	h->pid = fork();
	if (h->pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(CKPT_EXIT_INIT);
		close(cmd[1]);
		close(ack[0]);
		lk_holder_main(cmd[0], ack[1], kind);
	}
	close(cmd[0]);
	close(ack[1]);
	h->cmd = cmd[1];
	h->ack = ack[0];
	if (h->pid < 0 || read(h->ack, &c, 1) != 1 || c != 'R') {
		ckpt_msg("the holder did not take its lock");
		return -1;
	}
	return 0;
}

/* The holder unlocks; 0 or -1. */
static int lk_holder_unlock(struct lk_holder *h)
{
	char c = 0;

	if (write(h->cmd, "u", 1) != 1 || read(h->ack, &c, 1) != 1 || c != 'U')
		return -1;
	return 0;
}

/* The holder exits; its exit status. */
static int lk_holder_stop(struct lk_holder *h)
{
	close(h->cmd);
	close(h->ack);
	return h->pid > 0 ? ckpt_reap(h->pid) : -1;
}

/*
 * The job holds the lock @kind (a POSIX or OFD write lock, or an
 * exclusive flock()); after its checkpoint another process takes a
 * conflicting one.  The restart fails with EAGAIN, naming the file and
 * the lock, and the holder (which F_GETLK can tell for a record lock);
 * nothing of the job is left.  Once the holder unlocks, the same image
 * restarts, and the lock is held again.
 */
static void conflict_fails_restart(struct __test_metadata *_metadata, enum lk_kind kind)
{
	/* The holder's lock, as F_GETLK sees it. */
	const struct lk_range hr = { kind == LK_OFD ? F_RDLCK : F_WRLCK,
				     kind == LK_OFD ? 120 : 50, 10 };
	struct lk_holder h;
	char log[4096], what[256];
	int fd, before, err;
	pid_t child, got;
	bool held;

	lk_kind = kind;
	child = ckpt_spawn(lk_setup, lk_verify);
	ASSERT_GT(child, 0);
	fd = lk_checkpoint_kill(child, CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lk_holder_start(&h, kind)) {
		lk_holder_stop(&h);
		close(fd);
	}

	before = ckpt_count_user_processes();
	got = ckpt_restart_log(fd, log, sizeof(log));
	err = errno;
	EXPECT_EQ(-1, got) {
		if (got > 0)
			ckpt_kill_reap(got);
	}
	EXPECT_EQ(EAGAIN, err) TH_LOG("restart: %s", strerror(err));
	TH_LOG("log: %s", log);
	if (kind == LK_FLOCK)
		snprintf(what, sizeof(what),
			 "fd 3 (%s): cannot take back its flock() write lock (error -%d)",
			 lk_name, EAGAIN);
	else
		snprintf(what, sizeof(what),
			 "fd 3 (%s): cannot take back its %s write lock on bytes %s: pid %d holds a conflicting lock",
			 lk_name, kind == LK_OFD ? "open file description" : "POSIX",
			 kind == LK_OFD ? "100-149" : "0-99", (int)h.pid);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not say \"%s\"", what);
	EXPECT_FALSE(ckpt_pid_exists(child));
	EXPECT_EQ(before, ckpt_count_user_processes());

	/* The holder's lock is untouched; once it is gone, the restart works. */
	if (kind == LK_FLOCK)
		held = lk_flock_outside(LOCK_EX) == EWOULDBLOCK;
	else
		held = !lk_expect_outside(F_GETLK, &hr, 1, h.pid);
	EXPECT_TRUE(held) TH_LOG("the holder %d lost its lock", (int)h.pid);
	ASSERT_EQ(0, lk_holder_unlock(&h));
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0)) {
		lk_holder_stop(&h);
		close(fd);
	}
	close(fd);
	EXPECT_EQ(0, lk_still_held(kind, child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	EXPECT_EQ(0, lk_holder_stop(&h));
}

TEST_F(lockfile, conflicting_posix_lock_fails_restart_naming_its_holder)
{
	conflict_fails_restart(_metadata, LK_POSIX_WRITE);
}

TEST_F(lockfile, conflicting_lock_on_an_ofd_lock_fails_restart_naming_its_holder)
{
	conflict_fails_restart(_metadata, LK_OFD);
}

TEST_F(lockfile, conflicting_flock_fails_restart_naming_the_file)
{
	conflict_fails_restart(_metadata, LK_FLOCK);
}

/*
 * A parent holds bytes 0-49 and its child 100-149; before the restart
 * another process takes a read lock on 120-129.  The restart fails,
 * naming it, and the parent's lock, if it was taken back before the
 * child failed, is gone with the rest of the job.
 */
TEST_F(lockfile, conflict_in_a_tree_fails_restart_and_leaves_no_lock)
{
	struct ckpt_member m[TW_COUNT];
	struct lk_holder h;
	char log[4096], what[256];
	int n = 0, fd, i, err, before;
	pid_t root, child, got;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	root = ckpt_job_spawn(tw_parent_main, NULL, 0, NULL, 0, m, &n, TW_COUNT);
	ASSERT_GT(root, 0);
	ASSERT_EQ(TW_COUNT, n);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));
	i = ckpt_job_find(m, n, TW_CHILD);
	ASSERT_LE(0, i);
	child = m[i].pid;
	fd = lk_checkpoint_kill(root, CKPT_TREE | CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	/* A POSIX read lock on bytes 120-129, in the child's range. */
	ASSERT_EQ(0, lk_holder_start(&h, LK_OFD)) {
		lk_holder_stop(&h);
		close(fd);
	}

	before = ckpt_count_user_processes();
	got = ckpt_restart_log(fd, log, sizeof(log));
	err = errno;
	EXPECT_EQ(-1, got) {
		if (got > 0)
			ckpt_kill_reap(got);
	}
	EXPECT_EQ(EAGAIN, err) TH_LOG("restart: %s", strerror(err));
	TH_LOG("log: %s", log);
	snprintf(what, sizeof(what),
		 "fd 3 (%s): cannot take back its POSIX write lock on bytes 100-149: pid %d holds a conflicting lock",
		 lk_name, (int)h.pid);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not say \"%s\"", what);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child)) TH_LOG("the child is not named");
	EXPECT_FALSE(ckpt_pid_exists(root));
	EXPECT_FALSE(ckpt_pid_exists(child));
	EXPECT_EQ(before, ckpt_count_user_processes());
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_parent_free, 1, 0));

	ASSERT_EQ(0, lk_holder_unlock(&h));
	ASSERT_EQ(root, ckpt_restart(fd, 0)) {
		lk_holder_stop(&h);
		close(fd);
	}
	close(fd);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_parent, 1, root));
	EXPECT_EQ(0, lk_expect_outside(F_GETLK, tw_child, 1, child));
	ASSERT_EQ(0, kill(child, CKPT_WAKE_SIG));
	EXPECT_EQ('Z', ckpt_wait_state(child, "Z", 10000));
	ASSERT_EQ(0, kill(root, CKPT_WAKE_SIG));
	EXPECT_EQ(0, ckpt_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_EQ(0, lk_holder_stop(&h));
}

/* --------------------------------------------------------------------
 * Which descriptor a lock is taken back through; locks that only a
 * mapping keeps (these fail on the kernel as of this writing)
 */

static int wfd_first_flags;

/*
 * fd 3: the file opened with wfd_first_flags (O_RDONLY or O_PATH); fd 4:
 * opened read-write, and a POSIX write lock on bytes 0-99 through it.
 */
static int wfd_setup(void)
{
	CHILD_CHECK(1, open(lk_path, wfd_first_flags) == 3, "open %s: %s", lk_path,
		    strerror(errno));
	CHILD_CHECK(1, open(lk_path, O_RDWR) == 4, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(1, !lk_take(4, LK_POSIX_WRITE), "F_SETLK: %s", strerror(errno));
	return 0;
}

static int wfd_verify(void)
{
	lk_child_check_held(LK_POSIX_WRITE);
	return 0;
}

/*
 * A write lock can only be taken through a descriptor open for writing:
 * the first descriptor on the file is not necessarily one.
 */
static void write_lock_through_second_fd(struct __test_metadata *_metadata, int first)
{
	char log[4096];
	pid_t child, got;
	int fd;

	wfd_first_flags = first;
	child = ckpt_spawn(wfd_setup, wfd_verify);
	ASSERT_GT(child, 0);
	fd = lk_checkpoint_kill(child, CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	got = ckpt_restart_log(fd, log, sizeof(log));
	EXPECT_EQ(child, got) TH_LOG("restart: %s, log: %s", strerror(errno), log);
	close(fd);
	ASSERT_EQ(child, got);
	EXPECT_EQ(0, lk_still_held(LK_POSIX_WRITE, child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

TEST_F(lockfile, posix_write_lock_comes_back_after_a_read_only_fd_on_the_file)
{
	write_lock_through_second_fd(_metadata, O_RDONLY);
}

TEST_F(lockfile, posix_write_lock_comes_back_after_an_o_path_fd_on_the_file)
{
	write_lock_through_second_fd(_metadata, O_PATH);
}

/*
 * flock(LOCK_EX) and an OFD lock through fd 3, which is then mapped and
 * closed: the mapping keeps the open file description, and the locks.
 */
static int mapped_setup(void)
{
	void *p;

	CHILD_CHECK(1, open(lk_path, O_RDWR) == 3, "open %s: %s", lk_path, strerror(errno));
	CHILD_CHECK(1, !lk_take(3, LK_FLOCK), "flock: %s", strerror(errno));
	CHILD_CHECK(1, !lk_take(3, LK_OFD), "F_OFD_SETLK: %s", strerror(errno));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
	CHILD_CHECK(1, p != MAP_FAILED, "mmap: %s", strerror(errno));
	close(3);
	return 0;
}

/*
 * Refused without CKPT_FILE_LOCKS; with it, either refused too or saved
 * and taken back, never silently dropped.
 */
TEST_F(lockfile, locks_held_through_a_mapping_only_are_refused_or_kept)
{
	char log[4096];
	pid_t child;
	int err, fd;

	child = ckpt_spawn(mapped_setup, NULL);
	ASSERT_GT(child, 0);
	ASSERT_EQ(EWOULDBLOCK, lk_flock_outside(LOCK_EX));
	ASSERT_EQ(0, lk_still_held(LK_OFD, child));
	err = ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log));
	EXPECT_EQ(EBUSY, err) TH_LOG("without CKPT_FILE_LOCKS: %s, log: %s", strerror(err), log);
	if (err != EBUSY) {
		ckpt_kill_reap(child);
		return;
	}
	err = ckpt_checkpoint_log(child, CKPT_FILE_LOCKS | CKPT_CONTINUE, log, sizeof(log));
	TH_LOG("with CKPT_FILE_LOCKS: %s, log: %s", strerror(err), log);
	if (err == EBUSY) {
		EXPECT_EQ(0, ckpt_sleeper_intact(child));
		return;
	}
	fd = lk_checkpoint_kill(child, CKPT_FILE_LOCKS);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	EXPECT_EQ(EWOULDBLOCK, lk_flock_outside(LOCK_EX));
	EXPECT_EQ(0, lk_still_held(LK_OFD, child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

TEST_HARNESS_MAIN
