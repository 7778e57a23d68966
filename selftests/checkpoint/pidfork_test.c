// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for pidfork(2): fork a child with a PID chosen by the caller.
 *
 * The tests must run as root (they are skipped otherwise).  Every test
 * picks its own free PID through find_free_pid(), so tests
 * do not depend on each other or on the PIDs the system happens to use.
 *
 * Processes forked inside a test never use the harness' ASSERT/EXPECT
 * macros: they report through their exit status or a shared mapping,
 * and the test process checks what they reported.  Children that have
 * to stay alive for a while block reading a pipe whose write end only
 * the test process holds, so they go away even if the test aborts.  A
 * test that gets to its end kills and reaps anything still left, and
 * fails if there was anything.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt_syscalls.h"

/*
 * With -Wextra, the harness' own functions and the wrappers that TEST()
 * generates have unused parameters.  The wrappers are expanded below,
 * so the warning is off for the whole file; the helpers here mark their
 * unused parameters explicitly anyway.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../kselftest_harness.h"

/*
 * The race and reuse tests fork a few thousand times, which can take a
 * while under an emulator without hardware virtualization.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

#ifndef CLONE_NEWPID
#define CLONE_NEWPID 0x20000000
#endif

/* Numbers below this are never handed out by the PID allocator. */
#define RESERVED_PIDS		300
/* Where the search for a free PID starts when pid_max allows it. */
#define FREE_PID_START		30000

#define NOBODY			65534

#define RACE_ITERATIONS		200
#define LEAK_ITERATIONS		1000

/* --------------------------------------------------------------------
 * Generic helpers
 */

static int read_pid_max(void)
{
	FILE *f;
	int val = -1;

	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* Read ppid, process group and session of @pid from /proc/<pid>/stat. */
static int read_stat_ids(pid_t pid, pid_t *ppid, pid_t *pgrp, pid_t *sid)
{
	char path[64], buf[512], *p;
	char state;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (len <= 0)
		return -1;
	buf[len] = '\0';

	/* The command name may contain anything, so parse after its ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	if (sscanf(p + 1, " %c %d %d %d", &state, ppid, pgrp, sid) != 4)
		return -1;
	return 0;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Is @nr the process group or session of any process? */
static bool used_as_pgid_or_sid(pid_t nr)
{
	pid_t ppid, pgrp, sid;
	struct dirent *de;
	bool used = false;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return true;	/* cannot tell: treat as used */
	while (!used && (de = readdir(dir))) {
		if (!is_number(de->d_name))
			continue;
		if (read_stat_ids(atoi(de->d_name), &ppid, &pgrp, &sid))
			continue;
		used = (pgrp == nr || sid == nr);
	}
	closedir(dir);
	return used;
}

/*
 * Is @nr free for pidfork()?  No task (process or thread) may have it,
 * and it may not name a process group or a session.
 */
static bool pid_is_free(pid_t nr)
{
	char path[64];
	struct stat st;

	if (nr <= 1)
		return false;
	if (kill(nr, 0) == 0 || errno != ESRCH)
		return false;
	if (kill(-nr, 0) == 0 || errno != ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d", nr);
	if (stat(path, &st) == 0 || errno != ENOENT)
		return false;
	return !used_as_pgid_or_sid(nr);
}

/*
 * Find a free PID at or above @start (wrapping around below pid_max).
 * @start <= 0 picks the default starting point.  Returns -1 if none.
 */
static pid_t find_free_pid(pid_t start)
{
	int pid_max = read_pid_max();
	pid_t nr;
	int i;

	if (pid_max <= RESERVED_PIDS + 1)
		return -1;
	if (start <= RESERVED_PIDS || start >= pid_max)
		start = pid_max > FREE_PID_START + 2000 ?
			FREE_PID_START : pid_max / 2;

	nr = start;
	for (i = 0; i < pid_max; i++) {
		if (pid_is_free(nr))
			return nr;
		if (++nr >= pid_max)
			nr = RESERVED_PIDS + 1;
	}
	return -1;
}

/*
 * Reap @pid.  Returns its exit code, 128 + signal number if a signal
 * killed it, or -1 if it could not be waited for.
 */
static int reap(pid_t pid)
{
	pid_t ret;
	int status;

	do {
		ret = waitpid(pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0 || (pid > 0 && ret != pid))
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/*
 * Call pidfork(@nr).  Whatever the call returned, the new process never
 * comes back into the caller's code: if one was created it runs
 * @fn(return value of pidfork in the child, @arg) and exits with the
 * result (0 if @fn is NULL).  The child is told apart by its PID, not
 * by the return value, so that a wrong return value cannot make it run
 * the test code.  In the caller, errno is preserved.
 */
static pid_t pidfork_run(pid_t nr, int (*fn)(pid_t ret, void *arg), void *arg)
{
	pid_t self = getpid();
	pid_t ret;
	int err;

	errno = 0;
	ret = pidfork(nr);
	err = errno;
	if (getpid() != self)
		_exit(fn ? fn(ret, arg) : 0);
	errno = err;
	return ret;
}

/*
 * pidfork(@nr) where it is expected to fail.  Returns what pidfork()
 * returned and stores errno in *@err; a child created by mistake exits
 * at once and is reaped here (*@err is then 0).
 */
static pid_t pidfork_expect_fail(pid_t nr, int *err)
{
	pid_t ret = pidfork_run(nr, NULL, NULL);

	*err = errno;
	if (ret > 0) {
		reap(ret);
		*err = 0;
	} else if (ret == 0) {
		/* Bogus: reap whatever was created. */
		reap(-1);
		*err = 0;
	}
	return ret;
}

/* Child bodies, run through pidfork_run(). */
static int child_exit_zero(pid_t ret, void *arg)
{
	(void)ret;
	(void)arg;
	return 0;
}

static int child_check_pid(pid_t ret, void *arg)
{
	(void)ret;
	return getpid() == *(pid_t *)arg ? 0 : 1;
}

/*
 * Block until the write end of the pipe whose read end is @fd is closed
 * everywhere.
 */
static void wait_for_eof(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/*
 * Child body: @arg is a pipe.  Close its write end and wait until
 * nobody else holds it either.
 */
static int child_hold(pid_t ret, void *arg)
{
	int *fds = arg;

	(void)ret;
	close(fds[1]);
	wait_for_eof(fds[0]);
	return 0;
}

/* Shared memory through which forked processes report results. */
struct report {
	pid_t ret;	/* what pidfork() returned */
	int err;	/* errno after pidfork() */
	int status;	/* what reap() said about the pidfork child */
	int setup;	/* step that failed before pidfork(), 0 if none */
	pid_t value;	/* anything else the test wants to know */
};

static struct report *report_map(size_t n)
{
	struct report *r;
	size_t i;

	r = mmap(NULL, n * sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	for (i = 0; i < n; i++) {
		r[i].ret = -2;
		r[i].err = 0;
		r[i].status = -2;
		r[i].setup = 0;
		r[i].value = -2;
	}
	return r;
}

/* --------------------------------------------------------------------
 * Credentials
 */

/*
 * Become uid/gid NOBODY with no supplementary groups.  Without
 * @keep_caps this drops every capability.
 */
static int become_nobody(bool keep_caps)
{
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL))
		return -1;
	if (setresgid(NOBODY, NOBODY, NOBODY))
		return -1;
	if (setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return 0;
}

static int get_caps(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	return syscall(SYS_capget, &hdr, data);
}

/* Make @cap the only effective and permitted capability (-1: none). */
static int set_only_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i;

	memset(data, 0, sizeof(data));
	if (cap >= 0) {
		data[CAP_TO_INDEX(cap)].effective = CAP_TO_MASK(cap);
		data[CAP_TO_INDEX(cap)].permitted = CAP_TO_MASK(cap);
	}
	if (syscall(SYS_capset, &hdr, data))
		return -1;

	/* Check that the kernel now reports exactly that. */
	if (get_caps(data))
		return -1;
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		__u32 want = (cap >= 0 && CAP_TO_INDEX(cap) == i) ?
			     CAP_TO_MASK(cap) : 0;

		if (data[i].effective != want || data[i].permitted != want)
			return -1;
	}
	return 0;
}

/*
 * In a forked child: become NOBODY keeping only @cap (-1: none), set
 * RLIMIT_NPROC to @nproc if it is not RLIM_INFINITY, then pidfork(@nr).
 * Everything is reported through @r; a pidfork child checks its PID.
 */
static void nobody_pidfork(struct report *r, int cap, rlim_t nproc, pid_t nr)
{
	pid_t ret;

	if (become_nobody(cap >= 0)) {
		r->setup = 1;
		_exit(1);
	}
	if (set_only_cap(cap)) {
		r->setup = 2;
		_exit(1);
	}
	if (nproc != RLIM_INFINITY) {
		struct rlimit rl = { .rlim_cur = nproc, .rlim_max = nproc };

		if (setrlimit(RLIMIT_NPROC, &rl)) {
			r->setup = 3;
			_exit(1);
		}
	}
	ret = pidfork_run(nr, child_check_pid, &nr);
	r->err = errno;
	r->ret = ret;
	if (ret > 0)
		r->status = reap(ret);
	_exit(0);
}

/* Fork a child that runs nobody_pidfork(); returns its exit status. */
static int run_nobody_pidfork(struct report *r, int cap, rlim_t nproc, pid_t nr)
{
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (child == 0)
		nobody_pidfork(r, cap, nproc, nr);
	return reap(child);
}

/* --------------------------------------------------------------------
 * A process group or session that outlives its leader
 */

struct orphan_id {
	pid_t leader;	/* A: has exited and been reaped */
	pid_t member;	/* B: alive, in A's process group or session */
	int release;	/* closing this makes B exit */
};

/*
 * Child A makes a new process group (or session with @session), forks
 * B and exits.  With @session, B moves to a process group of its own,
 * so that A's number is only used as B's session id.  Needs
 * PR_SET_CHILD_SUBREAPER so that B can be reaped by the caller.
 */
static int make_orphan_id(bool session, struct orphan_id *o)
{
	int rel[2], info[2];
	pid_t a, b = -1;

	if (pipe(rel))
		return -1;
	if (pipe(info)) {
		close(rel[0]);
		close(rel[1]);
		return -1;
	}

	a = fork();
	if (a < 0)
		return -1;
	if (a == 0) {
		close(rel[1]);
		close(info[0]);
		if (session ? setsid() < 0 : setpgid(0, 0) < 0)
			_exit(1);
		b = fork();
		if (b < 0)
			_exit(2);
		if (b == 0) {
			close(info[1]);
			wait_for_eof(rel[0]);
			_exit(0);
		}
		if (session && setpgid(b, b))
			_exit(3);
		if (write(info[1], &b, sizeof(b)) != sizeof(b))
			_exit(4);
		_exit(0);
	}

	close(rel[0]);
	close(info[1]);
	if (read(info[0], &b, sizeof(b)) != sizeof(b))
		b = -1;
	close(info[0]);
	if (reap(a) != 0 || b <= 0) {
		close(rel[1]);
		if (b > 0)
			reap(b);
		return -1;
	}

	o->leader = a;
	o->member = b;
	o->release = rel[1];
	return 0;
}

/* Let B exit and reap it.  Returns B's exit status. */
static int release_orphan_id(struct orphan_id *o)
{
	close(o->release);
	o->release = -1;
	return reap(o->member);
}

/* --------------------------------------------------------------------
 * Process counting
 */

/*
 * Number of processes in /proc that belong to this test: its process
 * group (the harness gives every test a group of its own, and children
 * stay in it) or its children.  Other processes on the system may come
 * and go while a test runs, so they are not counted.
 */
static int count_own_processes(void)
{
	pid_t self = getpid(), group = getpgrp();
	pid_t pid, ppid, pgrp, sid;
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!is_number(de->d_name))
			continue;
		pid = atoi(de->d_name);
		if (read_stat_ids(pid, &ppid, &pgrp, &sid))
			continue;
		if (pgrp == group || ppid == self)
			n++;
	}
	closedir(dir);
	return n;
}

/*
 * Kill and reap every child of the caller (and, as the caller is a
 * child subreaper, every descendant that gets reparented to it).
 * Returns how many processes had to be reaped.
 */
static int kill_and_reap_children(void)
{
	pid_t self = getpid();
	pid_t pid, ppid, pgrp, sid;
	struct dirent *de;
	int reaped = 0;
	int round;
	DIR *dir;

	for (round = 0; round < 100; round++) {
		dir = opendir("/proc");
		if (dir) {
			while ((de = readdir(dir))) {
				if (!is_number(de->d_name))
					continue;
				pid = atoi(de->d_name);
				if (!read_stat_ids(pid, &ppid, &pgrp, &sid) &&
				    ppid == self)
					kill(pid, SIGKILL);
			}
			closedir(dir);
		}
		/* __WALL: also children with an exit signal other than SIGCHLD. */
		if (waitpid(-1, NULL, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			break;	/* ECHILD: nothing left */
		}
		reaped++;
	}
	return reaped;
}

/* --------------------------------------------------------------------
 * Per-test setup and final check
 */

/*
 * Skip unless root and become a child subreaper (so that orphaned
 * descendants can be reaped); SETUP_FREE_PID() also picks a PID that
 * is free right now.
 */
#define SETUP_ROOT() do {						\
	ASSERT_EQ((uid_t)0, geteuid())				\
		TH_LOG("pidfork tests must run as root");		\
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));	\
} while (0)

#define SETUP_FREE_PID(nr) do {						\
	pid_t __free;							\
									\
	SETUP_ROOT();							\
	__free = find_free_pid(0);					\
	ASSERT_GT(__free, RESERVED_PIDS)				\
		TH_LOG("no free PID found");				\
	(nr) = __free;							\
} while (0)

/*
 * At the end of a test that passed so far: nothing may be left behind.
 * (A test that aborts leaves its blocked children a pipe at EOF, so
 * they exit on their own.)
 */
#define CHECK_NOTHING_LEFT() do {					\
	int __left = kill_and_reap_children();				\
									\
	EXPECT_EQ(0, __left)						\
		TH_LOG("the test left %d processes behind", __left);	\
} while (0)

/* --------------------------------------------------------------------
 * The child gets the requested PID
 */

TEST(parent_gets_requested_pid)
{
	pid_t nr, ret;

	SETUP_FREE_PID(nr);

	ret = pidfork_run(nr, child_exit_zero, NULL);
	ASSERT_EQ(nr, ret)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	ASSERT_EQ(0, reap(ret));

	CHECK_NOTHING_LEFT();
}

TEST(child_getpid_is_requested_pid)
{
	pid_t nr, ret;

	SETUP_FREE_PID(nr);

	ret = pidfork_run(nr, child_check_pid, &nr);
	ASSERT_GT(ret, 0)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	EXPECT_EQ(0, reap(ret))
		TH_LOG("child's getpid() was not %d", nr);

	CHECK_NOTHING_LEFT();
}

static int child_ret_is_zero(pid_t ret, void *arg)
{
	(void)arg;
	return ret == 0 ? 0 : 1;
}

TEST(child_return_value_is_zero)
{
	pid_t nr, ret;

	SETUP_FREE_PID(nr);

	ret = pidfork_run(nr, child_ret_is_zero, NULL);
	ASSERT_GT(ret, 0)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	EXPECT_EQ(0, reap(ret))
		TH_LOG("pidfork() did not return 0 in the child");

	CHECK_NOTHING_LEFT();
}

static int child_check_ppid(pid_t ret, void *arg)
{
	(void)ret;
	return getppid() == *(pid_t *)arg ? 0 : 1;
}

TEST(child_getppid_is_caller)
{
	pid_t nr;
	pid_t parent = getpid();
	pid_t ret;

	SETUP_FREE_PID(nr);

	ret = pidfork_run(nr, child_check_ppid, &parent);
	ASSERT_GT(ret, 0)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	EXPECT_EQ(0, reap(ret))
		TH_LOG("child's getppid() was not %d", parent);

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * EEXIST: the number is still in use
 */

TEST(pid_of_live_process_is_eexist)
{
	int hold[2], err;
	pid_t live, ret;

	SETUP_ROOT();

	ASSERT_EQ(0, pipe(hold));
	live = fork();
	ASSERT_GE(live, 0);
	if (live == 0) {
		close(hold[1]);
		wait_for_eof(hold[0]);
		_exit(0);
	}
	close(hold[0]);

	ret = pidfork_expect_fail(live, &err);
	close(hold[1]);
	EXPECT_EQ(0, reap(live));
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EEXIST, err)
		TH_LOG("errno %d (%s)", err, strerror(err));

	CHECK_NOTHING_LEFT();
}

TEST(pid_of_init_is_eexist)
{
	pid_t ret;
	int err;

	SETUP_ROOT();

	ret = pidfork_expect_fail(1, &err);
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EEXIST, err)
		TH_LOG("errno %d (%s)", err, strerror(err));

	CHECK_NOTHING_LEFT();
}

TEST(pid_of_zombie_is_eexist)
{
	siginfo_t info;
	pid_t zombie, ret;
	int err;

	SETUP_ROOT();

	zombie = fork();
	ASSERT_GE(zombie, 0);
	if (zombie == 0)
		_exit(0);

	/* Wait until it is a zombie, but leave it unreaped. */
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, waitid(P_PID, zombie, &info, WEXITED | WNOWAIT));
	ASSERT_EQ(zombie, info.si_pid);

	ret = pidfork_expect_fail(zombie, &err);
	EXPECT_EQ(0, reap(zombie));
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EEXIST, err)
		TH_LOG("errno %d (%s)", err, strerror(err));

	CHECK_NOTHING_LEFT();
}

TEST(pid_used_only_as_pgid_is_eexist)
{
	struct orphan_id o;
	pid_t ret;
	int err;

	SETUP_ROOT();

	ASSERT_EQ(0, make_orphan_id(false, &o));
	/* A's number names no process, only B's process group. */
	EXPECT_EQ(o.leader, getpgid(o.member));
	errno = 0;
	EXPECT_EQ(-1, kill(o.leader, 0));
	EXPECT_EQ(ESRCH, errno);

	ret = pidfork_expect_fail(o.leader, &err);
	EXPECT_EQ(0, release_orphan_id(&o));
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EEXIST, err)
		TH_LOG("errno %d (%s)", err, strerror(err));

	CHECK_NOTHING_LEFT();
}

TEST(pgid_is_free_again_once_group_is_gone)
{
	struct orphan_id o;
	pid_t ret;

	SETUP_ROOT();

	ASSERT_EQ(0, make_orphan_id(false, &o));
	ASSERT_EQ(o.leader, getpgid(o.member));
	ASSERT_EQ(0, release_orphan_id(&o));

	ret = pidfork_run(o.leader, child_check_pid, &o.leader);
	ASSERT_EQ(o.leader, ret)
		TH_LOG("pidfork(%d): %s", o.leader, strerror(errno));
	EXPECT_EQ(0, reap(ret));

	CHECK_NOTHING_LEFT();
}

TEST(pid_used_only_as_sid_is_eexist)
{
	struct orphan_id o;
	pid_t ret;
	int err;

	SETUP_ROOT();

	ASSERT_EQ(0, make_orphan_id(true, &o));
	/* A's number names no process and no group, only B's session. */
	EXPECT_EQ(o.leader, getsid(o.member));
	EXPECT_EQ(o.member, getpgid(o.member));
	errno = 0;
	EXPECT_EQ(-1, kill(o.leader, 0));
	EXPECT_EQ(ESRCH, errno);
	errno = 0;
	EXPECT_EQ(-1, kill(-o.leader, 0));
	EXPECT_EQ(ESRCH, errno);

	ret = pidfork_expect_fail(o.leader, &err);
	EXPECT_EQ(0, release_orphan_id(&o));
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EEXIST, err)
		TH_LOG("errno %d (%s)", err, strerror(err));

	CHECK_NOTHING_LEFT();
}

TEST(sid_is_free_again_once_session_is_gone)
{
	struct orphan_id o;
	pid_t ret;

	SETUP_ROOT();

	ASSERT_EQ(0, make_orphan_id(true, &o));
	ASSERT_EQ(o.leader, getsid(o.member));
	ASSERT_EQ(0, release_orphan_id(&o));

	ret = pidfork_run(o.leader, child_check_pid, &o.leader);
	ASSERT_EQ(o.leader, ret)
		TH_LOG("pidfork(%d): %s", o.leader, strerror(errno));
	EXPECT_EQ(0, reap(ret));

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * EINVAL: the number is out of range
 */

static void check_einval(struct __test_metadata *_metadata, pid_t nr)
{
	pid_t ret;
	int err;

	ret = pidfork_expect_fail(nr, &err);
	ASSERT_EQ(-1, ret)
		TH_LOG("pidfork(%d) returned %d", nr, ret);
	ASSERT_EQ(EINVAL, err)
		TH_LOG("pidfork(%d): errno %d (%s)", nr, err, strerror(err));
}

TEST(pid_zero_is_einval)
{
	SETUP_ROOT();

	check_einval(_metadata, 0);

	CHECK_NOTHING_LEFT();
}

TEST(pid_minus_one_is_einval)
{
	SETUP_ROOT();

	check_einval(_metadata, -1);

	CHECK_NOTHING_LEFT();
}

TEST(pid_int_min_is_einval)
{
	SETUP_ROOT();

	check_einval(_metadata, INT_MIN);

	CHECK_NOTHING_LEFT();
}

TEST(pid_max_is_einval)
{
	int pid_max = read_pid_max();

	SETUP_ROOT();
	ASSERT_GT(pid_max, RESERVED_PIDS + 1);

	check_einval(_metadata, pid_max);

	CHECK_NOTHING_LEFT();
}

TEST(pid_max_plus_one_is_einval)
{
	int pid_max = read_pid_max();

	SETUP_ROOT();
	ASSERT_GT(pid_max, RESERVED_PIDS + 1);

	check_einval(_metadata, pid_max + 1);

	CHECK_NOTHING_LEFT();
}

TEST(pid_int_max_is_einval)
{
	SETUP_ROOT();

	check_einval(_metadata, INT_MAX);

	CHECK_NOTHING_LEFT();
}

TEST(pid_max_minus_one_is_allowed)
{
	int pid_max = read_pid_max();
	pid_t nr = pid_max - 1;
	pid_t ret;

	SETUP_ROOT();
	ASSERT_GT(pid_max, RESERVED_PIDS + 1);

	if (!pid_is_free(nr))
		SKIP(return, "PID %d is in use", nr);

	ret = pidfork_run(nr, child_check_pid, &nr);
	ASSERT_EQ(nr, ret)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	EXPECT_EQ(0, reap(ret));

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * EPERM: capabilities
 */

TEST(caller_without_capabilities_is_eperm)
{
	struct report *r = report_map(1);
	int status;
	pid_t nr;

	SETUP_FREE_PID(nr);

	ASSERT_NE(NULL, r);
	status = run_nobody_pidfork(r, -1, RLIM_INFINITY, nr);
	ASSERT_EQ(0, r->setup)
		TH_LOG("dropping privileges failed at step %d", r->setup);
	ASSERT_EQ(0, status);
	EXPECT_EQ(-1, r->ret);
	EXPECT_EQ(EPERM, r->err)
		TH_LOG("errno %d (%s)", r->err, strerror(r->err));
	/* The failed call must not have taken the number. */
	EXPECT_TRUE(pid_is_free(nr));
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

TEST(cap_checkpoint_restore_alone_is_enough)
{
	struct report *r = report_map(1);
	int status;
	pid_t nr;

	SETUP_FREE_PID(nr);

	ASSERT_NE(NULL, r);
	status = run_nobody_pidfork(r, CAP_CHECKPOINT_RESTORE, RLIM_INFINITY,
				    nr);
	ASSERT_EQ(0, r->setup)
		TH_LOG("dropping privileges failed at step %d", r->setup);
	ASSERT_EQ(0, status);
	ASSERT_EQ(nr, r->ret)
		TH_LOG("pidfork(%d): errno %d (%s)", nr, r->err,
		       strerror(r->err));
	EXPECT_EQ(0, r->status);
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

TEST(cap_sys_admin_alone_is_enough)
{
	struct report *r = report_map(1);
	int status;
	pid_t nr;

	SETUP_FREE_PID(nr);

	ASSERT_NE(NULL, r);
	status = run_nobody_pidfork(r, CAP_SYS_ADMIN, RLIM_INFINITY, nr);
	ASSERT_EQ(0, r->setup)
		TH_LOG("dropping privileges failed at step %d", r->setup);
	ASSERT_EQ(0, status);
	ASSERT_EQ(nr, r->ret)
		TH_LOG("pidfork(%d): errno %d (%s)", nr, r->err,
		       strerror(r->err));
	EXPECT_EQ(0, r->status);
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * EAGAIN: RLIMIT_NPROC
 */

TEST(nproc_limit_is_eagain_and_pid_stays_free)
{
	struct report *r = report_map(1);
	int status;
	pid_t nr, ret;

	SETUP_FREE_PID(nr);

	ASSERT_NE(NULL, r);
	/* The caller is itself one process of uid NOBODY: the limit is hit. */
	status = run_nobody_pidfork(r, CAP_CHECKPOINT_RESTORE, 1, nr);
	ASSERT_EQ(0, r->setup)
		TH_LOG("dropping privileges failed at step %d", r->setup);
	ASSERT_EQ(0, status);
	EXPECT_EQ(-1, r->ret);
	EXPECT_EQ(EAGAIN, r->err)
		TH_LOG("errno %d (%s)", r->err, strerror(r->err));
	munmap(r, sizeof(*r));

	/* The number is still free: root can take it. */
	ASSERT_TRUE(pid_is_free(nr));
	ret = pidfork_run(nr, child_check_pid, &nr);
	ASSERT_EQ(nr, ret)
		TH_LOG("pidfork(%d) after EAGAIN: %s", nr,
		       strerror(errno));
	EXPECT_EQ(0, reap(ret));

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * Two callers racing for one number
 */

struct race_fds {
	int hold;	/* read end: the winner's child waits for EOF */
	int done;	/* write end: racers report here */
};

static int race_winner_child(pid_t ret, void *arg)
{
	struct race_fds *fds = arg;

	(void)ret;
	close(fds->done);
	wait_for_eof(fds->hold);
	return 0;
}

/*
 * One round: two racers block on @go, then both pidfork(@nr).  The
 * winner's child stays alive until both racers have reported, so that
 * the loser cannot get the number after the winner's child is gone.
 */
static int race_once(pid_t nr, struct report *r)
{
	int go[2], hold[2], done[2];
	pid_t racer[2];
	int i, n, status = 0;
	char buf[2];
	ssize_t len;

	if (pipe(go) || pipe(hold) || pipe(done))
		return -1;
	for (i = 0; i < 2; i++) {
		r[i].ret = -2;
		r[i].err = 0;
		r[i].status = -2;
	}

	for (i = 0; i < 2; i++) {
		racer[i] = fork();
		if (racer[i] < 0) {
			/* Closing everything lets an earlier racer finish. */
			close(go[0]);
			close(go[1]);
			close(hold[0]);
			close(hold[1]);
			close(done[0]);
			close(done[1]);
			while (i-- > 0)
				reap(racer[i]);
			return -1;
		}
		if (racer[i] == 0) {
			struct race_fds fds = { hold[0], done[1] };
			pid_t ret;

			close(go[1]);
			close(hold[1]);
			close(done[0]);
			wait_for_eof(go[0]);
			ret = pidfork_run(nr, race_winner_child, &fds);
			r[i].err = errno;
			r[i].ret = ret;
			if (write(done[1], "x", 1) != 1)
				_exit(2);
			if (ret > 0)
				r[i].status = reap(ret);
			_exit(0);
		}
	}
	close(go[0]);
	close(hold[0]);
	close(done[1]);

	/* Start the race. */
	close(go[1]);

	/* Wait until both have called pidfork(), then let the winner go. */
	for (n = 0; n < 2; n += len) {
		len = read(done[0], buf, 2 - n);
		if (len < 0 && errno == EINTR)
			len = 0;
		else if (len <= 0)
			break;
	}
	close(hold[1]);
	close(done[0]);

	for (i = 0; i < 2; i++)
		if (reap(racer[i]) != 0)
			status = -1;
	return status;
}

TEST(racing_pidforks_for_one_pid_have_one_winner)
{
	struct report *r = report_map(2);
	pid_t nr;
	int iter, i, wins, eexist;

	SETUP_FREE_PID(nr);

	ASSERT_NE(NULL, r);
	for (iter = 0; iter < RACE_ITERATIONS; iter++) {
		if (iter) {
			nr = find_free_pid(nr + 1);
			ASSERT_GT(nr, 0);
		}
		ASSERT_EQ(0, race_once(nr, r))
			TH_LOG("round %d: a racer failed", iter);

		wins = 0;
		eexist = 0;
		for (i = 0; i < 2; i++) {
			if (r[i].ret == nr && r[i].status == 0)
				wins++;
			else if (r[i].ret == -1 && r[i].err == EEXIST)
				eexist++;
		}
		ASSERT_EQ(1, wins)
			TH_LOG("round %d, pid %d: racers got %d (%s) and %d (%s)",
			       iter, nr, r[0].ret, strerror(r[0].err),
			       r[1].ret, strerror(r[1].err));
		ASSERT_EQ(1, eexist)
			TH_LOG("round %d, pid %d: racers got %d (%s) and %d (%s)",
			       iter, nr, r[0].ret, strerror(r[0].err),
			       r[1].ret, strerror(r[1].err));
	}
	munmap(r, 2 * sizeof(*r));

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * The number is released when the child is reaped
 */

TEST(pid_is_released_each_time_child_is_reaped)
{
	int before, after, i, status;
	pid_t nr, ret;

	SETUP_FREE_PID(nr);

	before = count_own_processes();
	ASSERT_GT(before, 0);	/* at least the test itself */

	for (i = 0; i < LEAK_ITERATIONS; i++) {
		ret = pidfork_run(nr, child_exit_zero, NULL);
		ASSERT_EQ(nr, ret)
			TH_LOG("iteration %d: pidfork(%d): %s", i, nr,
			       strerror(errno));
		status = reap(ret);
		ASSERT_EQ(0, status)
			TH_LOG("iteration %d: child status %d", i, status);
	}

	/* No child is left, and the number is free again. */
	errno = 0;
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
	EXPECT_TRUE(pid_is_free(nr));

	after = count_own_processes();
	EXPECT_EQ(before, after);

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * PID namespaces: the number is taken in pid_ns_for_children
 */

/*
 * Fork a child that calls unshare(CLONE_NEWPID), so that its children
 * are created in a new PID namespace, then runs @fn.
 */
static pid_t fork_into_new_pidns_caller(struct report *r,
					void (*fn)(struct report *r))
{
	pid_t child = fork();

	if (child == 0) {
		if (unshare(CLONE_NEWPID)) {
			/* Reported through r->setup, checked by the test. */
			r->setup = 1;
			r->err = errno;
			_exit(0);
		}
		fn(r);
		_exit(0);
	}
	return child;
}

static int child_getpid_is_one(pid_t ret, void *arg)
{
	(void)ret;
	(void)arg;
	return getpid() == 1 ? 0 : 1;
}

static void pidns_pid_one(struct report *r)
{
	pid_t ret = pidfork_run(1, child_getpid_is_one, NULL);

	r->err = errno;
	r->ret = ret;
	if (ret > 0)
		r->status = reap(ret);
}

TEST(pid_one_in_new_pidns_becomes_its_init)
{
	struct report *r = report_map(1);
	pid_t child;

	SETUP_ROOT();

	ASSERT_NE(NULL, r);
	child = fork_into_new_pidns_caller(r, pidns_pid_one);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, reap(child));
	ASSERT_EQ(0, r->setup)
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(r->err));
	ASSERT_GT(r->ret, 0)
		TH_LOG("pidfork(1): errno %d (%s)", r->err, strerror(r->err));
	EXPECT_EQ(0, r->status)
		TH_LOG("the child's getpid() was not 1");
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

/* Read the first two numbers of the NSpid line of /proc/<pid>/status. */
static int read_nspid(pid_t pid, pid_t *outer, pid_t *inner)
{
	char path[64], line[256];
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "NSpid: %d %d", outer, inner) == 2) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static void pidns_parent_view(struct report *r)
{
	pid_t ret, outer = -1, inner = -1;
	int hold[2];

	if (pipe(hold)) {
		r->setup = 2;
		return;
	}
	ret = pidfork_run(1, child_hold, hold);
	r->err = errno;
	r->ret = ret;
	close(hold[0]);
	if (ret > 0 && !read_nspid(ret, &outer, &inner) && outer == ret)
		r->value = inner;
	close(hold[1]);
	if (ret > 0)
		r->status = reap(ret);
}

TEST(parent_in_old_pidns_gets_pid_in_its_own_pidns)
{
	struct report *r = report_map(1);
	pid_t child;

	SETUP_ROOT();

	ASSERT_NE(NULL, r);
	child = fork_into_new_pidns_caller(r, pidns_parent_view);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, reap(child));
	ASSERT_EQ(0, r->setup);
	ASSERT_GT(r->ret, 0)
		TH_LOG("pidfork(1): errno %d (%s)", r->err, strerror(r->err));
	/* The caller still lives in the old namespace and sees that PID. */
	EXPECT_NE(1, r->ret);
	EXPECT_EQ(1, r->value)
		TH_LOG("/proc/%d/status does not show NSpid %d 1", r->ret,
		       r->ret);
	EXPECT_EQ(0, r->status);
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

#define PIDNS_INNER_PID	100

static int pidns_init_body(pid_t ret, void *arg)
{
	struct report *r = arg;
	pid_t nr = PIDNS_INNER_PID;
	pid_t inner;

	(void)ret;
	if (getpid() != 1)
		return 1;
	inner = pidfork_run(nr, child_check_pid, &nr);
	r->err = errno;
	r->ret = inner;
	if (inner > 0)
		r->status = reap(inner);
	return 0;
}

static void pidns_init_pidforks(struct report *r)
{
	pid_t init = pidfork_run(1, pidns_init_body, r);

	if (init <= 0) {
		r->setup = 3;
		r->err = errno;
		return;
	}
	r->value = reap(init);
}

TEST(init_of_new_pidns_gets_requested_pid_in_it)
{
	struct report *r = report_map(1);
	pid_t child;

	SETUP_ROOT();

	ASSERT_NE(NULL, r);
	child = fork_into_new_pidns_caller(r, pidns_init_pidforks);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, reap(child));
	ASSERT_EQ(0, r->setup)
		TH_LOG("setup step %d failed: errno %d (%s)", r->setup,
		       r->err, strerror(r->err));
	ASSERT_EQ(0, r->value)
		TH_LOG("the new namespace's init did not run as PID 1");
	ASSERT_EQ(PIDNS_INNER_PID, r->ret)
		TH_LOG("pidfork(%d) in the new namespace: errno %d (%s)",
		       PIDNS_INNER_PID, r->err, strerror(r->err));
	EXPECT_EQ(0, r->status)
		TH_LOG("the child's getpid() was not %d", PIDNS_INNER_PID);
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

static void pidns_no_init(struct report *r)
{
	int err;

	r->ret = pidfork_expect_fail(5, &err);
	r->err = err;
}

TEST(pid_other_than_one_in_pidns_without_init_is_einval)
{
	struct report *r = report_map(1);
	pid_t child;

	SETUP_ROOT();

	ASSERT_NE(NULL, r);
	child = fork_into_new_pidns_caller(r, pidns_no_init);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, reap(child));
	ASSERT_EQ(0, r->setup)
		TH_LOG("unshare(CLONE_NEWPID): %s", strerror(r->err));
	EXPECT_EQ(-1, r->ret);
	EXPECT_EQ(EINVAL, r->err)
		TH_LOG("errno %d (%s)", r->err, strerror(r->err));
	munmap(r, sizeof(*r));

	CHECK_NOTHING_LEFT();
}

/* --------------------------------------------------------------------
 * Like fork(2)
 */

/* Accessed with __atomic builtins so the compiler keeps every access. */
static int cow_value;

static int child_memory_check(pid_t ret, void *arg)
{
	int *heap = arg;
	int ok;

	(void)ret;
	ok = __atomic_load_n(&cow_value, __ATOMIC_SEQ_CST) == 42 && *heap == 42;
	__atomic_store_n(&cow_value, 7, __ATOMIC_SEQ_CST);
	*heap = 7;
	return ok ? 0 : 1;
}

TEST(child_memory_is_private_copy)
{
	pid_t nr;
	int *heap = malloc(sizeof(*heap));
	pid_t ret;

	SETUP_FREE_PID(nr);

	ASSERT_NE(NULL, heap);
	__atomic_store_n(&cow_value, 42, __ATOMIC_SEQ_CST);
	*heap = 42;

	ret = pidfork_run(nr, child_memory_check, heap);
	ASSERT_EQ(nr, ret)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	EXPECT_EQ(0, reap(ret))
		TH_LOG("the child did not see the parent's memory");
	/* The child's writes went to its own copy. */
	EXPECT_EQ(42, __atomic_load_n(&cow_value, __ATOMIC_SEQ_CST));
	EXPECT_EQ(42, *heap);
	free(heap);

	CHECK_NOTHING_LEFT();
}

/* Written by the handler, read with __atomic builtins. */
static int sigchld_count;
static pid_t sigchld_pid;
static int sigchld_code;

static void on_sigchld(int sig, siginfo_t *info, void *uctx)
{
	(void)sig;
	(void)uctx;
	__atomic_store_n(&sigchld_pid, info->si_pid, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sigchld_code, info->si_code, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&sigchld_count, 1, __ATOMIC_SEQ_CST);
}

TEST(exit_signal_is_sigchld)
{
	pid_t nr;
	struct sigaction sa;
	pid_t ret;
	int i;

	SETUP_FREE_PID(nr);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigchld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGCHLD, &sa, NULL));

	ret = pidfork_run(nr, child_exit_zero, NULL);
	ASSERT_EQ(nr, ret)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));
	EXPECT_EQ(0, reap(ret));

	/* The signal is delivered by the time wait returns; be lenient. */
	for (i = 0; i < 100 && !__atomic_load_n(&sigchld_count, __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	signal(SIGCHLD, SIG_DFL);

	ASSERT_EQ(1, __atomic_load_n(&sigchld_count, __ATOMIC_SEQ_CST));
	EXPECT_EQ(nr, __atomic_load_n(&sigchld_pid, __ATOMIC_SEQ_CST));
	EXPECT_EQ(CLD_EXITED, __atomic_load_n(&sigchld_code, __ATOMIC_SEQ_CST));

	CHECK_NOTHING_LEFT();
}

TEST(waitpid_without_wall_reaps_child)
{
	pid_t nr;
	pid_t ret, waited;
	int status = -1;

	SETUP_FREE_PID(nr);

	ret = pidfork_run(nr, child_exit_zero, NULL);
	ASSERT_EQ(nr, ret)
		TH_LOG("pidfork(%d): %s", nr, strerror(errno));

	/* Only children with exit signal SIGCHLD are found without __WALL. */
	do {
		waited = waitpid(ret, &status, 0);
	} while (waited < 0 && errno == EINTR);
	if (waited < 0) {
		int err = errno;

		/* Do not leave it behind before failing. */
		waitpid(ret, NULL, __WALL);
		errno = err;
	}
	ASSERT_EQ(ret, waited)
		TH_LOG("waitpid(%d, 0): %s", ret, strerror(errno));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	CHECK_NOTHING_LEFT();
}

TEST_HARNESS_MAIN
