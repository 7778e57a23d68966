// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: the privilege boundary of restart(2).
 *
 * restart(2) changes the credentials of the processes it creates only
 * as the system calls that change them would, and opens what they hold
 * as they would open it themselves.  Each rule is tested with a case
 * it allows and a case it refuses; a refused restart fails with the
 * errno the rule gives, names its reason in the log, and leaves nothing
 * behind (no child, the image's PID unused).
 *
 *  - Supplementary groups change only when may_setgroups() holds
 *    (CAP_SETGID and /proc/PID/setgroups "allow" in the restarter's user
 *    namespace).  An id the checkpointer's user namespace does not map
 *    is saved as CKPT_ID_UNMAPPED and stands for the restarter's own
 *    unmapped ids: accepted only when the restarter holds as many.
 *  - dumpable 2 (SUID_DUMP_ROOT) is never restored (ENOEXEC), and a
 *    process with it is not checkpointed (EOPNOTSUPP).
 *  - Open files, FIFOs, mapped files, the executable and the working
 *    directory are opened with the restored process's credentials, not
 *    the restarter's (no confused deputy).
 *  - The LSM hooks of setresuid/setresgid/setgroups/capset run
 *    (SafeSetID), CAP_SETUID/CAP_SETGID are checked with
 *    ns_capable_setid(), and a smaller bounding set needs CAP_SETPCAP.
 *  - A uid change over the new user's RLIMIT_NPROC sets
 *    PF_NPROC_EXCEEDED, as setresuid(2) does: the next execve() fails
 *    with EAGAIN.
 *
 * Tests in a user namespace fork a process that unshares a user and a
 * PID namespace; its first child is the namespace's init, which forks
 * the process to checkpoint and restarts it (init itself cannot be
 * checkpointed).  /proc shows the initial PID namespace there.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE	40
#endif

#define NOBODY		65534
#define GROUP_G		4242	/* a supplementary group */
#define GROUP_H		4243	/* another one */
#define MAX_GROUPS	64

/*
 * SafeSetID: uid SSID_FROM may become SSID_TO and nothing else.  No
 * other test uses these ids: the policy stays once written.
 */
#define SSID_FROM	3100
#define SSID_TO		3101
#define SSID_OTHER	3102
#define SSID_GID	3100
#define SSID_DIR	"/sys/kernel/security"
#define SSID_POLICY	SSID_DIR "/safesetid/uid_allowlist_policy"
#define SSID_RULES	"3100:3101\n3101:3101\n"

#define BUSYBOX		"/bin/busybox"
#define SUID_DUMPABLE	"/proc/sys/fs/suid_dumpable"

/* --------------------------------------------------------------------
 * Credentials
 */

#define CAPBIT(cap)	(1ULL << (cap))

/* Make exactly @eff effective, @perm permitted and @inh inheritable. */
static int set_caps(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i;

	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].effective = (uint32_t)(eff >> (32 * i));
		data[i].permitted = (uint32_t)(perm >> (32 * i));
		data[i].inheritable = (uint32_t)(inh >> (32 * i));
	}
	return syscall(SYS_capset, &hdr, data);
}

/*
 * As root: take @uid and @gid (real, effective, saved), the @ngroups
 * supplementary groups @groups, and exactly the capabilities @caps
 * (effective and permitted).  The parent-death signal, which the change
 * clears, is SIGKILL again.  0 or -1.
 */
static int become(uid_t uid, gid_t gid, int ngroups, const gid_t *groups,
		  uint64_t caps)
{
	if (caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -1;
	if (caps && (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ||
		     set_caps(caps, caps, 0)))
		return -1;
	return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static int become_nobody(void)
{
	return become(NOBODY, NOBODY, 0, NULL, 0);
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* Our supplementary groups, sorted, as "4242 4243" in @buf. */
static const char *groups_str(char *buf, size_t size)
{
	gid_t g[MAX_GROUPS];
	int n, i;
	size_t len = 0;

	buf[0] = '\0';
	n = getgroups(MAX_GROUPS, g);
	if (n < 0) {
		snprintf(buf, size, "getgroups: %s", strerror(errno));
		return buf;
	}
	qsort(g, n, sizeof(*g), cmp_gid);
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%u", i ? " " : "",
				(unsigned int)g[i]);
	return buf;
}

static int read_int_file(const char *path)
{
	char buf[32];

	if (ckpt_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atoi(buf);
}

/* --------------------------------------------------------------------
 * A scratch directory per test, and the files in it
 */

static char scratch[64];

static void scratch_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", scratch, name);
}

/* /tmp/ckpt-priv-PID, mode 0755 owned by root: every user may search it. */
static int scratch_make(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/ckpt-priv-%d", (int)getpid());
	if (mkdir(scratch, 0755) && errno != EEXIST)
		return -1;
	return chmod(scratch, 0755);
}

/* Remove the scratch directory and what is in it (one level deep). */
static void scratch_remove(void)
{
	char path[sizeof(scratch) + 258];
	struct dirent *de;
	DIR *dir;

	dir = opendir(scratch);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		scratch_path(path, sizeof(path), de->d_name);
		if (unlink(path))
			rmdir(path);	/* the empty directory "dir" */
	}
	closedir(dir);
	rmdir(scratch);
}

/*
 * Create @path with @content, owner @uid:@gid and mode @mode (not
 * subject to the umask).  0 or -1.
 */
static int make_file(const char *path, const char *content, uid_t uid,
		     gid_t gid, mode_t mode)
{
	int fd, ret;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	ret = ckpt_write_all(fd, content, strlen(content));
	if (!ret)
		ret = fchown(fd, uid, gid);
	if (!ret)
		ret = fchmod(fd, mode);
	close(fd);
	return ret;
}

/* Can the calling process open @path for reading?  0, or the errno. */
static int open_err(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* --------------------------------------------------------------------
 * Logs, images, restarts
 */

static int img_fd = -1, img2_fd = -1, log_fd = -1;
static char log_buf[8192];

/* Empty the log: the kernel appends at the log file's position. */
static void log_reset(int fd)
{
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		ckpt_msg("cannot empty the log: %s", strerror(errno));
}

static const char *log_text(void)
{
	return ckpt_log_read(log_fd, log_buf, sizeof(log_buf));
}

/* Copy the log to stderr, for whoever reads the test's output. */
static void log_show(const char *what)
{
	char buf[4096], *line, *end;

	ckpt_log_read(log_fd, buf, sizeof(buf));
	for (line = buf; *line; line = end) {
		end = strchrnul(line, '\n');
		ckpt_msg("%s log: %.*s", what, (int)(end - line), line);
		if (*end)
			end++;
	}
}

/* Exit statuses of restarter_run() besides the restored process's. */
#define RS_RESTARTED	200	/* restart() succeeded where it must fail */
#define RS_ERRNO	201	/* it failed with another errno */
#define RS_CHILDREN	202	/* a failed restart left a child */
#define RS_PID_USED	203	/* ... or the image's PID in use */
#define RS_FAILED	204	/* it failed where it must succeed */
#define RS_WAKE		205	/* the restored process could not be woken */
#define RS_BECOME	206	/* the restarter could not take its ids */
#define RS_IMAGE	207	/* the image could not be read or written */

/*
 * restart() the image in @img with @flags, the log in log_fd (emptied
 * first, copied to stderr after).  With @want_err 0 it must give back
 * @pid (0: any), which is then woken and reaped: returns its verdict,
 * or RS_*.  Otherwise it must fail with @want_err, leaving no child and
 * @pid (if not 0) unused: returns 0 or RS_*; a process restored against
 * the rule is woken all the same, and its verdict shown.
 */
static int restarter_run(int img, unsigned int flags, pid_t pid, int want_err)
{
	int err, status;
	pid_t r;

	log_reset(log_fd);
	if (lseek(img, 0, SEEK_SET))
		return RS_IMAGE;
	errno = 0;
	r = restart(img, flags, log_fd);
	err = errno;
	log_show("restart");
	if (want_err) {
		if (r >= 0) {
			ckpt_msg("restart() gave pid %d instead of failing with %s",
				 (int)r, strerror(want_err));
			if (r > 0) {
				status = ckpt_wake_reap(r);
				ckpt_msg("the restored process exited with %d", status);
			}
			return RS_RESTARTED;
		}
		if (err != want_err) {
			ckpt_msg("restart(): %s instead of %s", strerror(err),
				 strerror(want_err));
			return RS_ERRNO;
		}
		if (ckpt_have_children()) {
			ckpt_msg("the failed restart left a child");
			return RS_CHILDREN;
		}
		if (pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH)) {
			ckpt_msg("the failed restart left pid %d in use", (int)pid);
			return RS_PID_USED;
		}
		return 0;
	}
	if (r < 0) {
		ckpt_msg("restart(): %s", strerror(err));
		return RS_FAILED;
	}
	if (pid > 0 && r != pid) {
		ckpt_msg("restart() gave pid %d, expected %d", (int)r, (int)pid);
		ckpt_kill_reap(r);
		return RS_FAILED;
	}
	status = ckpt_wake_reap(r);
	if (status)
		ckpt_msg("restored %d: exit status %d", (int)r, status);
	return status < 0 ? RS_WAKE : status;
}

/* A restarter: these ids, no supplementary groups, exactly these capabilities. */
struct restarter {
	uid_t uid;
	gid_t gid;
	uint64_t caps;
};

/*
 * restarter_run() in this process (root) if @r is NULL, else in a forked
 * restarter @r (its exit status).  @pid 0: the image's pids are not kept
 * (RESTART_NEW_PIDS).
 */
static int restart_as(const struct restarter *r, int img, pid_t pid,
		      int want_err)
{
	unsigned int flags = pid ? 0 : RESTART_NEW_PIDS;
	pid_t p;

	if (!r)
		return restarter_run(img, flags, pid, want_err);
	fflush(NULL);
	p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) ||
		    become(r->uid, r->gid, 0, NULL, r->caps)) {
			ckpt_msg("restarter: cannot become %u/%u: %s", r->uid,
				 r->gid, strerror(errno));
			_exit(RS_BECOME);
		}
		_exit(restarter_run(img, flags, pid, want_err));
	}
	return ckpt_reap(p);
}

/* checkpoint(@child, CKPT_KILL) into @fd and reap it.  0 or -1. */
static int image_of(pid_t child, int fd)
{
	int status;

	if (ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		return -1;
	}
	status = ckpt_reap(child);
	if (status != 128 + SIGKILL) {
		ckpt_msg("checkpointed %d: status %d instead of SIGKILL",
			 (int)child, status);
		return -1;
	}
	return 0;
}

/* The first record of @type of the loaded image, to edit; NULL if none. */
static void *image_find(void *img, size_t len, uint32_t type)
{
	size_t off = 0;

	return (void *)(uintptr_t)ckpt_image_next(img, len, &off, type);
}

/* A malloc()ed copy of the first cred record of the image in @fd. */
static struct ckpt_rec_cred *image_cred(int fd)
{
	struct ckpt_rec_cred *c, *copy = NULL;
	size_t len;
	void *img;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return NULL;
	c = image_find(img, len, CKPT_REC_CRED);
	if (c && c->h.len >= sizeof(*c)) {
		copy = malloc(c->h.len);
		if (copy)
			memcpy(copy, c, c->h.len);
	}
	free(img);
	return copy;
}

/*
 * Copy the image in @in to @out with the @n supplementary groups
 * @groups in its cred record instead of its own: a record of another
 * size, the image re-signed.  0 or -1.
 */
static int image_set_groups(int in, int out, const uint32_t *groups, uint32_t n)
{
	struct ckpt_rec_cred *c, *edit = NULL;
	size_t len, copy_len = 0;
	void *img, *copy = NULL;
	int ret = -1;

	img = ckpt_image_load(in, &len);
	if (!img)
		return -1;
	c = image_find(img, len, CKPT_REC_CRED);
	if (c)
		edit = calloc(1, sizeof(*edit) + n * sizeof(edit->groups[0]));
	if (edit) {
		memcpy(edit, c, sizeof(*edit));
		edit->ngroups = n;
		memcpy(edit->groups, groups, n * sizeof(edit->groups[0]));
		edit->h.len = sizeof(*edit) + n * sizeof(edit->groups[0]);
		copy = ckpt_image_replace(img, len, &c->h, &edit->h, &copy_len);
	}
	if (copy)
		ret = ckpt_image_store(out, copy, copy_len);
	if (ret)
		ckpt_msg("cannot edit the groups of the image");
	free(copy);
	free(edit);
	free(img);
	return ret;
}

/* Fresh image and log files for a test. */
static int open_files(void)
{
	img_fd = ckpt_image_open();
	img2_fd = ckpt_image_open();
	log_fd = ckpt_log_open();
	return img_fd < 0 || img2_fd < 0 || log_fd < 0 ? -1 : 0;
}

/* --------------------------------------------------------------------
 * The steps of a test
 */

/*
 * Skip unless we are root with checkpoint/restart and @need (if not
 * NULL) returns 0, else the reason is @missing; then the scratch
 * directory and @make_files's files in it (if @make_files is not
 * NULL), and fresh image and log files.  false: skipped.
 */
static bool test_start(struct __test_metadata *_metadata,
		       int (*make_files)(void), int (*need)(void),
		       const char *missing)
{
	if (!ckpt_preamble(_metadata))
		return false;
	if (need && need())
		SKIP(return false, "%s", missing);
	if (make_files) {
		ASSERT_EQ(0, scratch_make());
		ASSERT_EQ(0, make_files());
	}
	ASSERT_EQ(0, open_files());
	return true;
}

/* A child with @setup and @verify, checkpointed into img_fd: its pid. */
static pid_t imaged_child(struct __test_metadata *_metadata,
			  int (*setup)(void), int (*verify)(void))
{
	pid_t child = ckpt_spawn(setup, verify);

	ASSERT_GT(child, 0);
	ASSERT_EQ(0, image_of(child, img_fd));
	return child;
}

/* Such a child, restored by @r (see restart_as()): it passes @verify. */
static void expect_restored(struct __test_metadata *_metadata,
			    const struct restarter *r, int (*setup)(void),
			    int (*verify)(void))
{
	pid_t child = imaged_child(_metadata, setup, verify);

	EXPECT_EQ(0, restart_as(r, img_fd, child, 0));
}

/*
 * @r's restart of the image in @img (see restart_as()) fails with
 * @want_err, the log names @reason, and nothing is left behind: no
 * process, @pid (if not 0) unused.
 */
static void expect_refused(struct __test_metadata *_metadata,
			   const struct restarter *r, int img, pid_t pid,
			   int want_err, const char *reason)
{
	int before = ckpt_count_user_processes();

	EXPECT_EQ(0, restart_as(r, img, pid, want_err));
	EXPECT_NE(NULL, strstr(log_text(), reason)) TH_LOG("log: %s", log_buf);
	if (pid)
		EXPECT_FALSE(ckpt_pid_exists(pid));
	EXPECT_EQ(before, ckpt_count_user_processes());
}

/* --------------------------------------------------------------------
 * User namespaces
 */

enum ns_ids {
	NS_OWN_IDS,	/* 0 maps to the creator's uid and gid, setgroups "deny" */
	NS_NO_IDS,	/* nothing mapped: every id is unmapped inside */
	NS_ALL_IDS,	/* every id maps to itself (root outside writes the maps) */
};

/* Exit statuses of run_in_userns()'s own failures. */
#define NS_UNSUPPORTED	250	/* no user or PID namespaces: skip */
#define NS_PREP		251	/* the ids to unshare with could not be taken */
#define NS_SETUP	252	/* the namespace could not be set up */
/* ... and of the namespace's init. */
#define NS_SPAWN	240	/* the process to checkpoint could not start */
#define NS_CHECKPOINT	241	/* ... or be checkpointed */
#define NS_RECORD	242	/* the image's cred record is not as expected */

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

/* Write @val to /proc/@pid/@name (/proc/self/ if @pid is 0).  0 or -1. */
static int write_proc(pid_t pid, const char *name, const char *val)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	if (!write_str(path, val))
		return 0;
	ckpt_msg("%s %s: %s", path, val, strerror(errno));
	return -1;
}

/*
 * Fork a process that runs @prep (as root: the ids it enters the
 * namespaces with), unshares a user and a PID namespace with the ids
 * @ids, and forks the new PID namespace's init, which runs @fn.
 * Returns @fn's return value (or 128 + the signal that killed init),
 * or NS_*.
 */
static int run_in_userns(enum ns_ids ids, int (*prep)(void), int (*fn)(void))
{
	int ready[2], go[2], status;
	char umap[64], gmap[64], c = 'g';
	pid_t a;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		return -1;
	fflush(NULL);
	a = fork();
	if (a < 0)
		return -1;
	if (a == 0) {
		uid_t uid;
		gid_t gid;
		pid_t init;

		close(ready[0]);
		close(go[1]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || (prep && prep()))
			_exit(NS_PREP);
		uid = geteuid();
		gid = getegid();
		if (unshare(CLONE_NEWUSER | CLONE_NEWPID)) {
			ckpt_msg("unshare(CLONE_NEWUSER | CLONE_NEWPID): %s",
				 strerror(errno));
			_exit(errno == EINVAL || errno == ENOSPC ||
			      errno == EPERM ? NS_UNSUPPORTED : NS_SETUP);
		}
		/* In the namespace's init and its children too. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) ||
		    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(NS_SETUP);
		snprintf(umap, sizeof(umap), "0 %u 1", (unsigned int)uid);
		snprintf(gmap, sizeof(gmap), "0 %u 1", (unsigned int)gid);
		if (ids == NS_OWN_IDS &&
		    (write_proc(0, "setgroups", "deny") ||
		     write_proc(0, "uid_map", umap) ||
		     write_proc(0, "gid_map", gmap)))
			_exit(NS_SETUP);
		/* NS_ALL_IDS: the parent writes the maps meanwhile. */
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(NS_SETUP);
		fflush(NULL);
		init = fork();
		if (init < 0)
			_exit(NS_SETUP);
		if (init == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
				_exit(NS_SETUP);
			_exit(fn());
		}
		status = ckpt_reap(init);
		_exit(status < 0 || status > 255 ? NS_SETUP : status);
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) == 1 && ids == NS_ALL_IDS) {
		write_proc(a, "uid_map", "0 0 4294967295");
		write_proc(a, "gid_map", "0 0 4294967295");
	}
	if (write(go[1], &c, 1) != 1)
		ckpt_msg("cannot tell %d to go on", (int)a);
	close(ready[0]);
	close(go[1]);
	return ckpt_reap(a);
}

/*
 * ckpt_spawn() for a namespace's init: the child also reports its pid
 * in the initial PID namespace, which /proc shows, to be seen asleep.
 * Returns its pid in our namespace, or -1.
 */
static pid_t ns_spawn(int (*setup)(void), int (*verify)(void))
{
	pid_t parent = getpid(), pid, outer;
	char buf[sizeof(outer) + 1];
	int pfd[2], ret;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char self[32];

		close(pfd[0]);
		ckpt_child_init(pfd[1], parent);
		ret = setup ? setup() : 0;
		if (ret)
			_exit(ret);
		n = readlink("/proc/self", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = '\0';
		outer = atoi(self);
		if (write(ckpt_ready_fd, &outer, sizeof(outer)) != sizeof(outer))
			_exit(CKPT_EXIT_READY);
		ckpt_child_wait();
		_exit(verify ? verify() : 0);
	}
	close(pfd[1]);
	n = ckpt_read_all(pfd[0], buf, sizeof(buf));
	close(pfd[0]);
	if (n != sizeof(buf)) {
		ckpt_msg("child %d exited before it was ready: status %d",
			 (int)pid, ckpt_reap(pid));
		return -1;
	}
	memcpy(&outer, buf, sizeof(outer));
	if (ckpt_wait_state(outer, "S", 10000) != 'S') {
		ckpt_msg("child %d (%d outside) never went to sleep", (int)pid,
			 (int)outer);
		ckpt_kill_reap(pid);
		return -1;
	}
	return pid;
}

/*
 * In a namespace's init: spawn a child with @setup and @verify and
 * checkpoint it into img_fd, killed.  Its pid, or -NS_*.
 */
static pid_t ns_image(int (*setup)(void), int (*verify)(void))
{
	pid_t c = ns_spawn(setup, verify);

	if (c < 0)
		return -NS_SPAWN;
	if (image_of(c, img_fd))
		return -NS_CHECKPOINT;
	return c;
}

/* A user namespace, and the process to checkpoint in it. */
struct ns_proc {
	int (*make_files)(void);	/* scratch files; NULL: none */
	enum ns_ids ids;		/* what the namespace maps */
	int (*prep)(void);		/* the ids to unshare with; NULL: root */
	int (*setup)(void);		/* the process's, as ckpt_spawn()'s */
	int (*verify)(void);
};

/* What a test in a user namespace does with the process's image. */
struct ns_case {
	const struct ns_proc *ns;
	/* The image's cred record is as it says; NULL: not checked. */
	bool (*record_ok)(const struct ckpt_rec_cred *c);
	bool set_groups;		/* restart with these groups instead */
	const uint32_t *groups;
	uint32_t ngroups;
	bool root_outside;		/* restarted outside by root, not inside */
	int want_err;			/* restart's errno, or 0 */
	const char *log_has;		/* what restart's log says (or NULL) */
	const char *log_lacks;		/* ... and does not say (or NULL) */
};

static const struct ns_case *ns_current;

/* The cred record of the image in img_fd is as @ok says: 0 or NS_RECORD. */
static int check_record(bool (*ok)(const struct ckpt_rec_cred *c))
{
	struct ckpt_rec_cred *c = image_cred(img_fd);
	int ret = 0;

	if (!c)
		ckpt_msg("the image has no cred record");
	if (!c || !ok(c))
		ret = NS_RECORD;
	free(c);
	return ret;
}

/*
 * The namespace's init, for ns_test(): checkpoint the process of
 * ns_current, check and edit its image, restart it (unless root is to
 * restart it outside).
 */
static int ns_main(void)
{
	const struct ns_case *k = ns_current;
	pid_t c = ns_image(k->ns->setup, k->ns->verify);
	int img = img_fd, record = 0, ret;

	if (c < 0)
		return -c;
	if (k->root_outside)
		return 0;
	if (k->record_ok)
		record = check_record(k->record_ok);
	if (k->set_groups) {
		if (image_set_groups(img_fd, img2_fd, k->groups, k->ngroups))
			return RS_IMAGE;
		img = img2_fd;
	}
	ret = restarter_run(img, 0, c, k->want_err);
	return ret ?: record;
}

/*
 * Run @k in a user namespace (skipped without one); root outside then
 * restarts the image if @k says so, which must be refused.
 */
static void ns_test(struct __test_metadata *_metadata, const struct ns_case *k)
{
	int status;

	if (!test_start(_metadata, k->ns->make_files, NULL, NULL))
		return;
	ns_current = k;
	status = run_in_userns(k->ns->ids, k->ns->prep, ns_main);
	if (status == NS_UNSUPPORTED) {
		scratch_remove();
		SKIP(return, "user and PID namespaces not available");
	}
	if (k->root_outside) {
		ASSERT_EQ(0, status);
		/* Every id of the namespace is mapped outside. */
		expect_refused(_metadata, NULL, img_fd, 0, k->want_err,
			       k->log_has);
	} else {
		EXPECT_EQ(0, status);
		if (k->log_has)
			EXPECT_NE(NULL, strstr(log_text(), k->log_has))
				TH_LOG("log: %s", log_buf);
	}
	if (k->log_lacks)
		EXPECT_EQ(NULL, strstr(log_text(), k->log_lacks))
			TH_LOG("log: %s", log_buf);
	scratch_remove();
}

/*
 * The image of @ns's process, with ids unmapped there, restarted by
 * root outside: EPERM, the log says "unmapped", nothing left behind.
 */
static void ns_root_refuses(struct __test_metadata *_metadata,
			    const struct ns_proc *ns)
{
	const struct ns_case k = {
		.ns = ns,
		.root_outside = true,
		.want_err = EPERM,
		.log_has = "unmapped",
	};

	ns_test(_metadata, &k);
}

/* --------------------------------------------------------------------
 * Supplementary groups in a user namespace with setgroups denied
 *
 * A process of uid NOBODY with supplementary group GROUP_G makes a user
 * namespace that maps only its uid and gid (to 0), so GROUP_G is not
 * mapped there and setgroups is denied.  It cannot drop GROUP_G
 * itself: g0604 (root:G, 0604) stays unreadable to it, g0640 (root:G,
 * 0640) readable, whatever its capabilities in the namespace.
 */

static char g0640[128], g0604[128];

static int make_group_files(void)
{
	scratch_path(g0640, sizeof(g0640), "g0640");
	scratch_path(g0604, sizeof(g0604), "g0604");
	return make_file(g0640, "group G may read this\n", 0, GROUP_G, 0640) ||
	       make_file(g0604, "group G may not read this\n", 0, GROUP_G, 0604);
}

static int prep_nobody_with_g(void)
{
	static const gid_t g = GROUP_G;

	return become(NOBODY, NOBODY, 1, &g, 0);
}

/* Checks @code and @code + 1: the process still holds GROUP_G. */
static int check_holds_g(int code)
{
	int err;

	err = open_err(g0604);
	CHILD_CHECK(code, err == EACCES,
		    "%s (root:%d, 0604) opens (%s): group %d is gone",
		    g0604, GROUP_G, strerror(err), GROUP_G);
	err = open_err(g0640);
	CHILD_CHECK(code + 1, !err, "%s (root:%d, 0640): %s", g0640, GROUP_G,
		    strerror(err));
	return 0;
}

static int ns_group_setup(void)
{
	char groups[256];

	CHILD_CHECK(1, getgroups(0, NULL) == 1, "groups %s, expected one",
		    groups_str(groups, sizeof(groups)));
	return check_holds_g(1);
}

static int ns_group_verify(void)
{
	char groups[256];
	int ret;

	ret = check_holds_g(2);
	if (ret)
		return ret;
	/* Unmapped: the overflow gid. */
	CHILD_CHECK(4, !strcmp(groups_str(groups, sizeof(groups)), "65534"),
		    "groups %s, expected one unmapped (65534)", groups);
	CHILD_CHECK(5, getuid() == 0 && getgid() == 0, "ids %u/%u in the namespace",
		    getuid(), getgid());
	return 0;
}

static const struct ns_proc group_ns = {
	make_group_files, NS_OWN_IDS, prep_nobody_with_g, ns_group_setup,
	ns_group_verify
};

/* The cred record lists exactly one group, unmapped. */
static bool one_unmapped_group(const struct ckpt_rec_cred *c)
{
	if (c->ngroups == 1 && c->groups[0] == CKPT_ID_UNMAPPED)
		return true;
	ckpt_msg("cred record: %u groups, the first %#x; expected 1, %#x",
		 c->ngroups, c->ngroups ? c->groups[0] : 0, CKPT_ID_UNMAPPED);
	return false;
}

TEST(unmapped_group_is_given_back_by_a_restarter_holding_it)
{
	static const struct ns_case k = {
		.ns = &group_ns,
		.record_ok = one_unmapped_group,
	};

	ns_test(_metadata, &k);
}

/* Edit the image to list no groups: the restored process drops GROUP_G. */
TEST(dropping_a_group_where_setgroups_is_denied_is_eperm)
{
	static const struct ns_case k = {
		.ns = &group_ns,
		.set_groups = true,
		.want_err = EPERM,
		.log_has = "supplementary groups",
	};

	ns_test(_metadata, &k);
}

/*
 * Edit the image to add group 0 (the namespace's only mapped group)
 * beside the unmapped one: as many unmapped groups as the restarter, but
 * setgroups is denied.
 */
TEST(adding_a_group_where_setgroups_is_denied_is_eperm)
{
	static const uint32_t groups[] = { CKPT_ID_UNMAPPED, 0 };
	static const struct ns_case k = {
		.ns = &group_ns,
		.set_groups = true,
		.groups = groups,
		.ngroups = 2,
		.want_err = EPERM,
		.log_has = "supplementary groups",
		/* The reason is setgroups, not the unmapped group (kept). */
		.log_lacks = "unmapped",
	};

	ns_test(_metadata, &k);
}

/* Root outside the namespace: every group of it is mapped. */
TEST(restarter_without_unmapped_groups_refuses_an_image_with_one)
{
	ns_root_refuses(_metadata, &group_ns);
}

/* --------------------------------------------------------------------
 * Unmapped user and group ids
 *
 * A process of uid NOBODY makes a user namespace and maps nothing: its
 * uid and gid are unmapped there.  own0600 (NOBODY's, 0600) is readable
 * to it, root0600 (root's, 0600) not.
 */

static char own0600[128], root0600[128];
static unsigned int overflow_uid = 65534, overflow_gid = 65534;

static int make_uid_files(void)
{
	int v;

	scratch_path(own0600, sizeof(own0600), "own0600");
	scratch_path(root0600, sizeof(root0600), "root0600");
	v = read_int_file("/proc/sys/kernel/overflowuid");
	if (v >= 0)
		overflow_uid = v;
	v = read_int_file("/proc/sys/kernel/overflowgid");
	if (v >= 0)
		overflow_gid = v;
	return make_file(own0600, "NOBODY may read this\n", NOBODY, NOBODY, 0600) ||
	       make_file(root0600, "only root may read this\n", 0, 0, 0600);
}

static int ns_uid_check(int code)
{
	int err;

	CHILD_CHECK(code, getuid() == overflow_uid && geteuid() == overflow_uid &&
		    getgid() == overflow_gid, "ids %u/%u/%u, not unmapped",
		    getuid(), geteuid(), getgid());
	err = open_err(own0600);
	CHILD_CHECK(code + 1, !err, "%s (NOBODY's, 0600): %s", own0600,
		    strerror(err));
	err = open_err(root0600);
	CHILD_CHECK(code + 2, err == EACCES, "%s (root's, 0600): %s", root0600,
		    strerror(err));
	return 0;
}

static int ns_uid_setup(void)
{
	return ns_uid_check(1);
}

static int ns_uid_verify(void)
{
	return ns_uid_check(4);
}

static const struct ns_proc uid_ns = {
	make_uid_files, NS_NO_IDS, become_nobody, ns_uid_setup, ns_uid_verify
};

/* Every id of the cred record is unmapped. */
static bool all_ids_unmapped(const struct ckpt_rec_cred *c)
{
	if (c->uid == CKPT_ID_UNMAPPED && c->euid == CKPT_ID_UNMAPPED &&
	    c->suid == CKPT_ID_UNMAPPED && c->fsuid == CKPT_ID_UNMAPPED &&
	    c->gid == CKPT_ID_UNMAPPED && c->egid == CKPT_ID_UNMAPPED &&
	    c->sgid == CKPT_ID_UNMAPPED && c->fsgid == CKPT_ID_UNMAPPED)
		return true;
	ckpt_msg("cred record ids %#x/%#x/%#x/%#x %#x/%#x/%#x/%#x, expected %#x",
		 c->uid, c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid,
		 c->fsgid, CKPT_ID_UNMAPPED);
	return false;
}

TEST(unmapped_ids_are_given_back_by_a_restarter_whose_ids_are_unmapped)
{
	static const struct ns_case k = {
		.ns = &uid_ns,
		.record_ok = all_ids_unmapped,
	};

	ns_test(_metadata, &k);
}

TEST(restarter_with_mapped_ids_refuses_an_image_with_unmapped_ids)
{
	ns_root_refuses(_metadata, &uid_ns);
}

/* --------------------------------------------------------------------
 * Supplementary groups where setgroups is allowed
 *
 * The process has GROUP_G and GROUP_H; the image is edited to list
 * GROUP_G only, and its restart gives the process GROUP_G only.
 */

static int two_groups_setup(void)
{
	static const gid_t g[] = { GROUP_G, GROUP_H };
	char groups[256];

	CHILD_CHECK(1, !setgroups(2, g), "setgroups: %s", strerror(errno));
	CHILD_CHECK(1, !strcmp(groups_str(groups, sizeof(groups)), "4242 4243"),
		    "groups %s", groups);
	return 0;
}

static int one_group_verify(void)
{
	char groups[256];

	CHILD_CHECK(2, !strcmp(groups_str(groups, sizeof(groups)), "4242"),
		    "groups %s, expected those of the edited image: 4242", groups);
	return 0;
}

static const uint32_t group_g_only[] = { GROUP_G };

TEST(root_may_restart_with_an_edited_group_list)
{
	pid_t child;

	if (!test_start(_metadata, NULL, NULL, NULL))
		return;
	child = imaged_child(_metadata, two_groups_setup, one_group_verify);
	ASSERT_EQ(0, image_set_groups(img_fd, img2_fd, group_g_only, 1));
	EXPECT_EQ(0, restarter_run(img2_fd, 0, child, 0));
}

TEST(namespace_root_with_setgroups_allowed_may_restart_with_an_edited_group_list)
{
	static const struct ns_proc all_ns = {
		NULL, NS_ALL_IDS, NULL, two_groups_setup, one_group_verify
	};
	static const struct ns_case k = {
		.ns = &all_ns,
		.set_groups = true,
		.groups = group_g_only,
		.ngroups = 1,
	};

	ns_test(_metadata, &k);
}

/* --------------------------------------------------------------------
 * dumpable
 */

static int dumpable_value;

static int dumpable_setup(void)
{
	CHILD_CHECK(1, !prctl(PR_SET_DUMPABLE, dumpable_value, 0, 0, 0),
		    "PR_SET_DUMPABLE %d: %s", dumpable_value, strerror(errno));
	return 0;
}

static int dumpable_verify(void)
{
	int d = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);

	CHILD_CHECK(2, d == dumpable_value, "dumpable %d, was %d", d,
		    dumpable_value);
	return 0;
}

TEST(dumpable_0_and_1_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	for (dumpable_value = 0; dumpable_value <= 1; dumpable_value++) {
		child = ckpt_spawn(dumpable_setup, dumpable_verify);
		ASSERT_GT(child, 0);
		EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE))
			TH_LOG("dumpable %d", dumpable_value);
	}
}

TEST(restart_of_an_image_with_dumpable_2_is_enoexec)
{
	struct ckpt_rec_task *t;
	pid_t child;
	size_t len;
	void *img;

	if (!test_start(_metadata, NULL, NULL, NULL))
		return;
	dumpable_value = 1;
	child = imaged_child(_metadata, dumpable_setup, dumpable_verify);
	img = ckpt_image_load(img_fd, &len);
	ASSERT_NE(NULL, img);
	t = image_find(img, len, CKPT_REC_TASK);
	ASSERT_NE(NULL, t);
	ASSERT_EQ(1U, t->dumpable);
	t->dumpable = 2;	/* SUID_DUMP_ROOT */
	ASSERT_EQ(0, ckpt_image_resign(img, len));
	ASSERT_EQ(0, ckpt_image_store(img2_fd, img, len));
	free(img);

	expect_refused(_metadata, NULL, img2_fd, child, ENOEXEC, "dumpable");
}

/* Set by the kernel from fs.suid_dumpable when the uids change. */
static int suid_dumpable_setup(void)
{
	int d;

	CHILD_CHECK(1, !become_nobody(), "become NOBODY: %s", strerror(errno));
	d = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	CHILD_CHECK(1, d == 2, "dumpable %d after a uid change with suid_dumpable 2", d);
	return 0;
}

static int suid_dumpable_verify(void)
{
	int d = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);

	CHILD_CHECK(2, d == 2, "dumpable %d, was 2", d);
	CHILD_CHECK(3, getuid() == NOBODY, "uid %u", getuid());
	return 0;
}

TEST(checkpoint_of_a_process_with_dumpable_2_is_eopnotsupp_and_it_runs_on)
{
	int saved, set, status, err;
	char val[16];
	pid_t child;
	long ret;

	if (!test_start(_metadata, NULL, NULL, NULL))
		return;
	saved = read_int_file(SUID_DUMPABLE);
	ASSERT_GE(saved, 0);
	set = write_str(SUID_DUMPABLE, "2");
	child = set ? -1 : ckpt_spawn(suid_dumpable_setup, suid_dumpable_verify);
	/* Back to what it was at once: the child's dumpable is set. */
	snprintf(val, sizeof(val), "%d", saved);
	EXPECT_EQ(0, write_str(SUID_DUMPABLE, val));
	ASSERT_EQ(0, set) TH_LOG("%s: %s", SUID_DUMPABLE, strerror(errno));
	ASSERT_GT(child, 0);

	errno = 0;
	ret = checkpoint(child, img_fd, CKPT_KILL, log_fd);
	err = errno;
	log_show("checkpoint");
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err) TH_LOG("checkpoint(): %s", strerror(err));
	EXPECT_NE(NULL, strstr(log_text(), "dumpable")) TH_LOG("log: %s", log_buf);
	if (ret == 0) {
		EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
		return;
	}
	/* It runs on: asleep, neither stopped nor killed, and wakes up. */
	EXPECT_EQ(0, waitpid(child, &status, WNOHANG));
	EXPECT_EQ('S', ckpt_wait_state(child, "S", 2000));
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/* --------------------------------------------------------------------
 * The confused deputy: what the process holds is opened with its own
 * credentials
 *
 * A NOBODY process reads "read" (root's, 0644), writes "write" (root's,
 * 0666), maps "map" (root's, 0644), holds both ends of "fifo" (0666)
 * with bytes in it, and works in "dir" (root's, 0755).  Root restarts
 * its image, after taking one of these rights away.
 */

#define READ_DATA	"0123456789abcdef"
#define FIFO_DATA	"fifo-data"

static char p_read[128], p_write[128], p_map[128], p_fifo[128], p_dir[128];
static int fd_read, fd_write, fd_fifo_r, fd_fifo_w;
static const char *map_addr;
static char map_data[4096];

static int make_deputy_files(void)
{
	size_t i;

	scratch_path(p_read, sizeof(p_read), "read");
	scratch_path(p_write, sizeof(p_write), "write");
	scratch_path(p_map, sizeof(p_map), "map");
	scratch_path(p_fifo, sizeof(p_fifo), "fifo");
	scratch_path(p_dir, sizeof(p_dir), "dir");
	for (i = 0; i < sizeof(map_data) - 1; i++)
		map_data[i] = 'a' + i % 26;
	map_data[i] = '\0';
	if (make_file(p_read, READ_DATA, 0, 0, 0644) ||
	    make_file(p_write, "", 0, 0, 0666) ||
	    make_file(p_map, map_data, 0, 0, 0644))
		return -1;
	unlink(p_fifo);
	if (mkfifo(p_fifo, 0600) || chmod(p_fifo, 0666))
		return -1;
	if (mkdir(p_dir, 0755) && errno != EEXIST)
		return -1;
	return chmod(p_dir, 0755);
}

static int deputy_setup(void)
{
	char buf[8];
	int fd;

	CHILD_CHECK(1, !become_nobody(), "become NOBODY: %s", strerror(errno));
	fd_read = open(p_read, O_RDONLY);
	CHILD_CHECK(1, fd_read >= 0, "open %s: %s", p_read, strerror(errno));
	CHILD_CHECK(1, read(fd_read, buf, 4) == 4 && !memcmp(buf, "0123", 4),
		    "read %s", p_read);
	fd_write = open(p_write, O_WRONLY);
	CHILD_CHECK(1, fd_write >= 0, "open %s: %s", p_write, strerror(errno));
	CHILD_CHECK(1, write(fd_write, "before ", 7) == 7, "write: %s",
		    strerror(errno));
	fd = open(p_map, O_RDONLY);
	CHILD_CHECK(1, fd >= 0, "open %s: %s", p_map, strerror(errno));
	map_addr = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHILD_CHECK(1, map_addr != MAP_FAILED, "mmap: %s", strerror(errno));
	close(fd);
	fd_fifo_r = open(p_fifo, O_RDONLY | O_NONBLOCK);
	CHILD_CHECK(1, fd_fifo_r >= 0, "open %s: %s", p_fifo, strerror(errno));
	fd_fifo_w = open(p_fifo, O_WRONLY);
	CHILD_CHECK(1, fd_fifo_w >= 0, "open %s: %s", p_fifo, strerror(errno));
	CHILD_CHECK(1, write(fd_fifo_w, FIFO_DATA, strlen(FIFO_DATA)) ==
		    (ssize_t)strlen(FIFO_DATA), "write FIFO: %s", strerror(errno));
	CHILD_CHECK(1, !chdir(p_dir), "chdir %s: %s", p_dir, strerror(errno));
	return 0;
}

static int deputy_verify(void)
{
	char buf[64], cwd[256];
	ssize_t n;

	CHILD_CHECK(2, getuid() == NOBODY && geteuid() == NOBODY, "uid %u/%u",
		    getuid(), geteuid());
	n = read(fd_read, buf, 4);
	CHILD_CHECK(3, n == 4 && !memcmp(buf, "4567", 4),
		    "read %s after restart: %zd (%s)", p_read, n, strerror(errno));
	CHILD_CHECK(4, write(fd_write, "after", 5) == 5,
		    "write %s after restart: %s", p_write, strerror(errno));
	n = ckpt_read_file(p_write, buf, sizeof(buf));
	CHILD_CHECK(5, n == 12 && !strcmp(buf, "before after"), "%s holds \"%s\"",
		    p_write, n >= 0 ? buf : strerror(errno));
	CHILD_CHECK(6, getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, p_dir),
		    "cwd %s, expected %s", cwd, p_dir);
	CHILD_CHECK(7, !memcmp(map_addr, map_data, 4096), "mapping of %s differs",
		    p_map);
	n = read(fd_fifo_r, buf, sizeof(buf));
	CHILD_CHECK(8, n == (ssize_t)strlen(FIFO_DATA) && !memcmp(buf, FIFO_DATA, n),
		    "read FIFO: %zd (%s)", n, strerror(errno));
	return 0;
}

/*
 * Scratch files by @make_files, a child with @setup and @verify
 * checkpointed and then, if @path is not NULL, @path's mode made @mode:
 * root restores it, or (@path) its restart is refused with EACCES, the
 * log naming @path.
 */
static void chmod_test(struct __test_metadata *_metadata,
		       int (*make_files)(void), int (*setup)(void),
		       int (*verify)(void), const char *path, mode_t mode)
{
	pid_t child;

	if (!test_start(_metadata, make_files, NULL, NULL))
		return;
	if (!path) {
		expect_restored(_metadata, NULL, setup, verify);
	} else {
		child = imaged_child(_metadata, setup, verify);
		ASSERT_EQ(0, chmod(path, mode));
		expect_refused(_metadata, NULL, img_fd, child, EACCES, path);
	}
	scratch_remove();
}

static void deputy_test(struct __test_metadata *_metadata, const char *path,
			mode_t mode)
{
	chmod_test(_metadata, make_deputy_files, deputy_setup, deputy_verify,
		   path, mode);
}

TEST(restored_process_keeps_the_files_and_directory_it_may_still_use)
{
	deputy_test(_metadata, NULL, 0);
}

TEST(restart_refuses_a_file_the_process_may_no_longer_read)
{
	deputy_test(_metadata, p_read, 0600);
}

TEST(restart_refuses_a_file_the_process_may_no_longer_write)
{
	deputy_test(_metadata, p_write, 0644);
}

TEST(restart_refuses_a_directory_the_process_may_no_longer_search)
{
	deputy_test(_metadata, p_dir, 0700);
}

TEST(restart_refuses_a_mapping_of_a_file_the_process_may_no_longer_read)
{
	deputy_test(_metadata, p_map, 0600);
}

TEST(restart_refuses_a_fifo_the_process_may_no_longer_open)
{
	deputy_test(_metadata, p_fifo, 0600);
}

/*
 * The executable: a NOBODY process runs a copy of this program ("exe",
 * root's, 0755), whose constructor plays the test child: it finds the
 * readiness pipe on CKPT_READY_FD and the copy's path in EXE_CHILD_ENV.
 */
#define EXE_CHILD_ENV	"CKPT_PRIV_EXE_CHILD"

static char p_exe[128];

__attribute__((constructor))
static void exe_child_main(void)
{
	const char *path = getenv(EXE_CHILD_ENV);
	struct sigaction sa;
	char self[256];
	ssize_t n;

	if (!path)
		return;
	/* execve() kept the mask (SIGUSR2 blocked), not the handler. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ckpt_wake_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(CKPT_WAKE_SIG, &sa, NULL))
		_exit(CKPT_EXIT_INIT);
	ckpt_ready_fd = CKPT_READY_FD;
	ckpt_child_wait();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	CHILD_CHECK(2, !strcmp(self, path), "executable %s, expected %s", self,
		    path);
	CHILD_CHECK(3, getuid() == NOBODY, "uid %u", getuid());
	_exit(0);
}

static int exe_setup(void)
{
	char env[192];
	char *const argv[] = { "ckpt_priv_test", NULL };
	char *const envp[] = { env, NULL };

	snprintf(env, sizeof(env), "%s=%s", EXE_CHILD_ENV, p_exe);
	CHILD_CHECK(1, !become_nobody(), "become NOBODY: %s", strerror(errno));
	execve(p_exe, argv, envp);
	CHILD_CHECK(1, 0, "execve %s: %s", p_exe, strerror(errno));
	return 1;
}

static int copy_exe(void)
{
	static char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	scratch_path(p_exe, sizeof(p_exe), "exe");
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(p_exe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (ckpt_write_all(out, buf, n))
				break;
		ret = n == 0 ? fchmod(out, 0755) : -1;
		close(out);
	}
	close(in);
	return ret;
}

TEST(restored_process_keeps_an_executable_it_may_still_run)
{
	chmod_test(_metadata, copy_exe, exe_setup, NULL, NULL, 0);
}

TEST(restart_refuses_an_executable_the_process_may_no_longer_open)
{
	chmod_test(_metadata, copy_exe, exe_setup, NULL, p_exe, 0700);
}

/* --------------------------------------------------------------------
 * Security modules: SafeSetID
 *
 * The restarter runs as SSID_FROM with CAP_SETUID, CAP_SETGID,
 * CAP_CHECKPOINT_RESTORE (and CAP_KILL); the policy lets SSID_FROM
 * become SSID_TO only.
 */

/* CAP_KILL: to wake the restored process, which has another uid. */
static const struct restarter ssid_restarter = {
	SSID_FROM, SSID_GID, CAPBIT(CAP_SETUID) | CAPBIT(CAP_SETGID) |
	CAPBIT(CAP_CHECKPOINT_RESTORE) | CAPBIT(CAP_KILL)
};

/* Install SSID_RULES beside whatever policy there is.  0, or -1: skip. */
static int safesetid_policy(void)
{
	char policy[4096];
	struct stat st;
	ssize_t n;

	if (stat(SSID_POLICY, &st)) {
		if (mount("securityfs", SSID_DIR, "securityfs", 0, NULL) &&
		    errno != EBUSY)
			return -1;
		if (stat(SSID_POLICY, &st))
			return -1;
	}
	n = ckpt_read_file(SSID_POLICY, policy, sizeof(policy) - sizeof(SSID_RULES));
	if (n < 0)
		return -1;
	if (strstr(policy, SSID_RULES))
		return 0;
	strcat(policy, SSID_RULES);
	if (write_str(SSID_POLICY, policy)) {
		ckpt_msg("writing %s: %s", SSID_POLICY, strerror(errno));
		return -1;
	}
	return 0;
}

static uid_t ssid_uid;

static int ssid_setup(void)
{
	CHILD_CHECK(1, !become(ssid_uid, SSID_GID, 0, NULL, 0), "become %u: %s",
		    ssid_uid, strerror(errno));
	return 0;
}

static int ssid_verify(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	CHILD_CHECK(2, !getresuid(&r, &e, &s) && r == ssid_uid && e == ssid_uid &&
		    s == ssid_uid, "uids %u/%u/%u, expected %u", r, e, s, ssid_uid);
	CHILD_CHECK(3, !getresgid(&rg, &eg, &sg) && rg == SSID_GID &&
		    eg == SSID_GID && sg == SSID_GID, "gids %u/%u/%u", rg, eg, sg);
	return 0;
}

/* SafeSetID's policy installed, ssid_uid @uid.  false: skipped. */
static bool ssid_start(struct __test_metadata *_metadata, uid_t uid)
{
	ssid_uid = uid;
	return test_start(_metadata, NULL, safesetid_policy,
			  "SafeSetID not available (" SSID_POLICY ")");
}

TEST(safesetid_allows_restart_as_a_uid_the_policy_allows)
{
	if (!ssid_start(_metadata, SSID_TO))
		return;
	expect_restored(_metadata, &ssid_restarter, ssid_setup, ssid_verify);
}

TEST(safesetid_refuses_restart_as_a_uid_the_policy_forbids)
{
	pid_t child;

	if (!ssid_start(_metadata, SSID_OTHER))
		return;
	child = imaged_child(_metadata, ssid_setup, ssid_verify);
	expect_refused(_metadata, &ssid_restarter, img_fd, child, EACCES,
		       "security module");
}

/* --------------------------------------------------------------------
 * The bounding set: dropping capabilities from it needs CAP_SETPCAP
 */

static int bset_setup(void)
{
	CHILD_CHECK(1, !prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0),
		    "PR_CAPBSET_DROP: %s", strerror(errno));
	CHILD_CHECK(1, !become_nobody(), "become NOBODY: %s", strerror(errno));
	return 0;
}

static int bset_verify(void)
{
	CHILD_CHECK(2, prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0) == 0,
		    "CAP_SYS_BOOT is back in the bounding set");
	CHILD_CHECK(3, prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1,
		    "CAP_SYS_ADMIN left the bounding set");
	CHILD_CHECK(4, getuid() == NOBODY, "uid %u", getuid());
	return 0;
}

TEST(restart_with_a_smaller_bounding_set_needs_cap_setpcap)
{
	static const struct restarter r = {
		NOBODY, NOBODY, CAPBIT(CAP_CHECKPOINT_RESTORE)
	};
	pid_t child;

	if (!test_start(_metadata, NULL, NULL, NULL))
		return;
	child = imaged_child(_metadata, bset_setup, bset_verify);
	expect_refused(_metadata, &r, img_fd, child, EPERM, "bounding set");
}

TEST(restarter_with_cap_setpcap_may_restore_a_smaller_bounding_set)
{
	static const struct restarter r = {
		NOBODY, NOBODY,
		CAPBIT(CAP_CHECKPOINT_RESTORE) | CAPBIT(CAP_SETPCAP)
	};

	if (!test_start(_metadata, NULL, NULL, NULL))
		return;
	expect_restored(_metadata, &r, bset_setup, bset_verify);
}

/* --------------------------------------------------------------------
 * RLIMIT_NPROC on a uid change
 *
 * Root restarts a NOBODY process whose RLIMIT_NPROC is 1.  With two
 * other NOBODY processes, the user is over it whether or not the
 * restored process counts: its execve() fails with EAGAIN.  Alone, it
 * is not: execve() works.
 */

/* For ckpt_spawn_main(): a NOBODY process that sleeps until killed. */
static int nobody_sleeper(void)
{
	if (become_nobody())
		return 1;
	ckpt_child_ready();
	for (;;)
		pause();
}

static int no_busybox(void)
{
	return access(BUSYBOX, X_OK);
}

static int nproc_setup(void)
{
	struct rlimit rl = { 1, 1 };

	CHILD_CHECK(1, !become_nobody(), "become NOBODY: %s", strerror(errno));
	CHILD_CHECK(1, !setrlimit(RLIMIT_NPROC, &rl), "RLIMIT_NPROC: %s",
		    strerror(errno));
	return 0;
}

/* Over the limit: execve() must fail; "sh -c 'exit 42'" says it did not. */
static int nproc_over_verify(void)
{
	char *const argv[] = { "sh", "-c", "exit 42", NULL };
	char *const envp[] = { NULL };

	errno = 0;
	execve(BUSYBOX, argv, envp);
	CHILD_CHECK(2, errno == EAGAIN, "execve: %s instead of EAGAIN",
		    strerror(errno));
	return 0;
}

static int nproc_within_verify(void)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };

	execve(BUSYBOX, argv, envp);
	CHILD_CHECK(2, 0, "execve: %s", strerror(errno));
	return 2;
}

TEST(restored_process_of_a_user_over_rlimit_nproc_cannot_execve)
{
	pid_t child, helper[2];
	int i;

	if (!test_start(_metadata, NULL, no_busybox, "no " BUSYBOX))
		return;
	for (i = 0; i < 2; i++) {
		helper[i] = ckpt_spawn_main(nobody_sleeper);
		ASSERT_GT(helper[i], 0);
	}
	child = imaged_child(_metadata, nproc_setup, nproc_over_verify);
	EXPECT_EQ(0, restarter_run(img_fd, 0, child, 0))
		TH_LOG("42: execve() worked");
	for (i = 0; i < 2; i++)
		EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(helper[i]));
}

TEST(restored_process_of_a_user_within_rlimit_nproc_can_execve)
{
	if (!test_start(_metadata, NULL, no_busybox, "no " BUSYBOX))
		return;
	expect_restored(_metadata, NULL, nproc_setup, nproc_within_verify);
}

TEST_HARNESS_MAIN
