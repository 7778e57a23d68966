// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: credentials and other per-process attributes.
 *
 * Preserved across checkpoint and restart: real/effective/saved/fs
 * user and group ids, supplementary groups, the capability sets
 * (effective, permitted, inheritable, bounding, ambient), securebits,
 * no_new_privs, resource limits, umask, working directory, comm,
 * personality, nice value, dumpable and the parent-death signal (also
 * for a process whose ids differ from its restarter's).
 *
 * Permissions: restart() never gives more than its caller has, so an
 * unprivileged restarter (uid 65534 with only CAP_CHECKPOINT_RESTORE)
 * gets EPERM for an image of a root process, and nothing is created;
 * it can restart an image of a process that ran with its own uid.  An
 * unprivileged caller cannot checkpoint a root process (EPERM), and the
 * process goes on as if nothing had happened.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE	40
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT			47
#define PR_CAP_AMBIENT_IS_SET		1
#define PR_CAP_AMBIENT_RAISE		2
#endif

#define NOBODY		65534
#define MAX_GROUPS	64
#define MAX_CAPS	64

/* --------------------------------------------------------------------
 * Snapshots of the credentials
 */

struct cred_snap {
	uid_t ruid, euid, suid, fsuid;
	gid_t rgid, egid, sgid, fsgid;
	int ngroups;
	gid_t groups[MAX_GROUPS];
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	uint64_t bset, ambient;
	int securebits, keepcaps, pdeathsig, dumpable, nnp;
};

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

static int get_caps(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	return syscall(SYS_capget, &hdr, data);
}

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

static uint64_t capbit(int cap)
{
	return 1ULL << cap;
}

static int cred_snapshot(struct cred_snap *s)
{
	int cap, ret;

	memset(s, 0, sizeof(*s));
	if (getresuid(&s->ruid, &s->euid, &s->suid) ||
	    getresgid(&s->rgid, &s->egid, &s->sgid))
		return -1;
	/* An invalid id changes nothing and returns the current one. */
	s->fsuid = setfsuid(-1);
	s->fsgid = setfsgid(-1);
	s->ngroups = getgroups(MAX_GROUPS, s->groups);
	if (s->ngroups < 0)
		return -1;
	qsort(s->groups, s->ngroups, sizeof(gid_t), cmp_gid);
	if (get_caps(s->caps))
		return -1;
	for (cap = 0; cap < MAX_CAPS; cap++) {
		ret = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (ret < 0)
			break;		/* past the last capability */
		if (ret)
			s->bset |= capbit(cap);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) > 0)
			s->ambient |= capbit(cap);
	}
	s->securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	s->keepcaps = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
	if (prctl(PR_GET_PDEATHSIG, &s->pdeathsig, 0, 0, 0))
		return -1;
	s->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	s->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	return 0;
}

/* Compare @now with @was field by field; 0 or a check number 20..39. */
static int cred_compare(const struct cred_snap *now, const struct cred_snap *was)
{
	int i;

	CHILD_CHECK(20, now->ruid == was->ruid && now->euid == was->euid &&
		    now->suid == was->suid,
		    "uids %u/%u/%u, were %u/%u/%u", now->ruid, now->euid,
		    now->suid, was->ruid, was->euid, was->suid);
	CHILD_CHECK(21, now->fsuid == was->fsuid, "fsuid %u, was %u",
		    now->fsuid, was->fsuid);
	CHILD_CHECK(22, now->rgid == was->rgid && now->egid == was->egid &&
		    now->sgid == was->sgid,
		    "gids %u/%u/%u, were %u/%u/%u", now->rgid, now->egid,
		    now->sgid, was->rgid, was->egid, was->sgid);
	CHILD_CHECK(23, now->fsgid == was->fsgid, "fsgid %u, was %u",
		    now->fsgid, was->fsgid);
	CHILD_CHECK(24, now->ngroups == was->ngroups, "%d groups, were %d",
		    now->ngroups, was->ngroups);
	for (i = 0; i < now->ngroups; i++)
		CHILD_CHECK(25, now->groups[i] == was->groups[i],
			    "group %d: %u, was %u", i, now->groups[i],
			    was->groups[i]);
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		CHILD_CHECK(26, now->caps[i].effective == was->caps[i].effective,
			    "effective caps[%d] %#x, were %#x", i,
			    now->caps[i].effective, was->caps[i].effective);
		CHILD_CHECK(27, now->caps[i].permitted == was->caps[i].permitted,
			    "permitted caps[%d] %#x, were %#x", i,
			    now->caps[i].permitted, was->caps[i].permitted);
		CHILD_CHECK(28, now->caps[i].inheritable ==
			    was->caps[i].inheritable,
			    "inheritable caps[%d] %#x, were %#x", i,
			    now->caps[i].inheritable, was->caps[i].inheritable);
	}
	CHILD_CHECK(29, now->bset == was->bset, "bounding set %#llx, was %#llx",
		    (unsigned long long)now->bset, (unsigned long long)was->bset);
	CHILD_CHECK(30, now->ambient == was->ambient, "ambient %#llx, was %#llx",
		    (unsigned long long)now->ambient,
		    (unsigned long long)was->ambient);
	CHILD_CHECK(31, now->securebits == was->securebits,
		    "securebits %#x, were %#x", now->securebits, was->securebits);
	CHILD_CHECK(32, now->keepcaps == was->keepcaps, "keepcaps %d, was %d",
		    now->keepcaps, was->keepcaps);
	CHILD_CHECK(33, now->pdeathsig == was->pdeathsig,
		    "parent-death signal %d, was %d", now->pdeathsig,
		    was->pdeathsig);
	CHILD_CHECK(34, now->dumpable == was->dumpable, "dumpable %d, was %d",
		    now->dumpable, was->dumpable);
	CHILD_CHECK(35, now->nnp == was->nnp, "no_new_privs %d, was %d",
		    now->nnp, was->nnp);
	return 0;
}

static struct cred_snap cred_before, cred_now;

/* verify(): everything in cred_before is still so. */
static int cred_verify(void)
{
	CHILD_CHECK(2, !cred_snapshot(&cred_now), "snapshot");
	return cred_compare(&cred_now, &cred_before);
}

/* --------------------------------------------------------------------
 * Ids, groups, capabilities, securebits
 */

#define IDS_CAPS_PERM	(capbit(CAP_CHOWN) | capbit(CAP_KILL) |		\
			 capbit(CAP_SETUID) | capbit(CAP_SETGID) |	\
			 capbit(CAP_SYS_NICE) | capbit(CAP_SETPCAP))
#define IDS_CAPS_EFF	(capbit(CAP_KILL) | capbit(CAP_SYS_NICE) |	\
			 capbit(CAP_SETPCAP))
#define IDS_CAPS_INH	(capbit(CAP_CHOWN) | capbit(CAP_KILL))

static int ids_setup(void)
{
	static const gid_t groups[] = { 300, 100, 200 };

	CHILD_CHECK(1, !prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0),
		    "PR_CAPBSET_DROP: %s", strerror(errno));
	CHILD_CHECK(1, !prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0),
		    "PR_CAPBSET_DROP");
	CHILD_CHECK(1, !setgroups(3, groups), "setgroups: %s", strerror(errno));
	CHILD_CHECK(1, !setresgid(1000, 1001, 1002), "setresgid");
	setfsgid(1002);
	CHILD_CHECK(1, setfsgid(-1) == 1002, "setfsgid");
	/* Keep the capabilities through the uid change. */
	CHILD_CHECK(1, !prctl(PR_SET_SECUREBITS,
			      SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS, 0, 0, 0),
		    "PR_SET_SECUREBITS: %s", strerror(errno));
	CHILD_CHECK(1, !setresuid(1000, 1001, 0), "setresuid");
	setfsuid(1000);
	CHILD_CHECK(1, setfsuid(-1) == 1000, "setfsuid");
	CHILD_CHECK(1, !set_caps(IDS_CAPS_EFF, IDS_CAPS_PERM, IDS_CAPS_INH),
		    "capset: %s", strerror(errno));
	CHILD_CHECK(1, !prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN,
			      0, 0), "ambient raise: %s", strerror(errno));
	/* Credential changes reset these two: set them afterwards. */
	CHILD_CHECK(1, !prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0), "pdeathsig");
	CHILD_CHECK(1, !prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "dumpable");
	CHILD_CHECK(1, !cred_snapshot(&cred_before), "snapshot");
	return 0;
}

static int ids_verify(void)
{
	char line[256];
	int ret;

	ret = cred_verify();
	if (ret)
		return ret;
	/* Spelled out, in case the snapshot has a blind spot. */
	CHILD_CHECK(3, !ckpt_status_field(0, "Uid", line, sizeof(line)) &&
		    !strcmp(line, "1000\t1001\t0\t1000"), "Uid: %s", line);
	CHILD_CHECK(4, !ckpt_status_field(0, "Gid", line, sizeof(line)) &&
		    !strcmp(line, "1000\t1001\t1002\t1002"), "Gid: %s", line);
	CHILD_CHECK(5, !ckpt_status_field(0, "Groups", line, sizeof(line)) &&
		    !strncmp(line, "100 200 300", 11), "Groups: %s", line);
	CHILD_CHECK(6, cred_now.caps[0].effective == (uint32_t)IDS_CAPS_EFF &&
		    cred_now.caps[0].permitted == (uint32_t)IDS_CAPS_PERM &&
		    cred_now.caps[0].inheritable == (uint32_t)IDS_CAPS_INH,
		    "caps %#x/%#x/%#x", cred_now.caps[0].effective,
		    cred_now.caps[0].permitted, cred_now.caps[0].inheritable);
	CHILD_CHECK(7, !(cred_now.bset & capbit(CAP_SYS_BOOT)) &&
		    (cred_now.bset & capbit(CAP_SYS_ADMIN)),
		    "bounding set %#llx", (unsigned long long)cred_now.bset);
	CHILD_CHECK(8, cred_now.ambient == capbit(CAP_CHOWN), "ambient %#llx",
		    (unsigned long long)cred_now.ambient);
	CHILD_CHECK(9, cred_now.pdeathsig == SIGHUP && cred_now.dumpable == 1,
		    "pdeathsig %d dumpable %d", cred_now.pdeathsig,
		    cred_now.dumpable);
	/* The effective CAP_KILL works: euid 1001 may signal init. */
	CHILD_CHECK(10, kill(1, 0) == 0, "kill(1, 0): %s", strerror(errno));
	return 0;
}

TEST(ids_groups_capabilities_and_securebits_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(ids_setup, ids_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * no_new_privs
 */

static int nnp_setup(void)
{
	CHILD_CHECK(1, !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
		    "PR_SET_NO_NEW_PRIVS");
	CHILD_CHECK(1, !cred_snapshot(&cred_before), "snapshot");
	CHILD_CHECK(1, cred_before.nnp == 1, "no_new_privs not set");
	return 0;
}

static int nnp_verify(void)
{
	char val[32];
	int ret;

	ret = cred_verify();
	if (ret)
		return ret;
	CHILD_CHECK(3, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1,
		    "no_new_privs lost");
	CHILD_CHECK(4, !ckpt_status_field(0, "NoNewPrivs", val, sizeof(val)) &&
		    !strcmp(val, "1"), "NoNewPrivs: %s", val);
	return 0;
}

TEST(no_new_privs_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(nnp_setup, nnp_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Resource limits
 */

static const struct {
	int res;
	rlim_t cur, max;
} rlimits_set[] = {
	{ RLIMIT_NOFILE, 200, 300 },
	{ RLIMIT_STACK, 4UL << 20, 64UL << 20 },
	{ RLIMIT_CORE, 1UL << 20, 4UL << 20 },
	{ RLIMIT_CPU, 3600, 7200 },
	{ RLIMIT_FSIZE, 1UL << 30, 2UL << 30 },
	{ RLIMIT_NPROC, 4000, 5000 },
	{ RLIMIT_MEMLOCK, 32 << 10, 64 << 10 },
	{ RLIMIT_LOCKS, 100, 200 },
	{ RLIMIT_SIGPENDING, 100, 200 },
	{ RLIMIT_MSGQUEUE, 4096, 8192 },
	{ RLIMIT_NICE, 10, 15 },
	{ RLIMIT_RTPRIO, 1, 2 },
	{ RLIMIT_RTTIME, 500000, 1000000 },
};

static struct rlimit rlim_before[RLIM_NLIMITS];

static int rlimits_setup(void)
{
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(rlimits_set); i++) {
		struct rlimit rl, old;

		/* Never above the current hard limit (wherever we run). */
		CHILD_CHECK(1, !getrlimit(rlimits_set[i].res, &old), "getrlimit");
		rl.rlim_max = rlimits_set[i].max;
		if (old.rlim_max != RLIM_INFINITY && rl.rlim_max > old.rlim_max)
			rl.rlim_max = old.rlim_max;
		rl.rlim_cur = rlimits_set[i].cur;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		CHILD_CHECK(1, !setrlimit(rlimits_set[i].res, &rl),
			    "setrlimit(%d): %s", rlimits_set[i].res,
			    strerror(errno));
	}
	for (r = 0; r < RLIM_NLIMITS; r++)
		CHILD_CHECK(1, !getrlimit(r, &rlim_before[r]), "getrlimit");
	return 0;
}

static int rlimits_verify(void)
{
	struct rlimit rl;
	int r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		CHILD_CHECK(2, !getrlimit(r, &rl), "getrlimit(%d)", r);
		CHILD_CHECK(3, rl.rlim_cur == rlim_before[r].rlim_cur &&
			    rl.rlim_max == rlim_before[r].rlim_max,
			    "limit %d: %llu/%llu, was %llu/%llu", r,
			    (unsigned long long)rl.rlim_cur,
			    (unsigned long long)rl.rlim_max,
			    (unsigned long long)rlim_before[r].rlim_cur,
			    (unsigned long long)rlim_before[r].rlim_max);
	}
	/* RLIMIT_NOFILE (always settable: it is below the default) works. */
	CHILD_CHECK(5, dup2(0, 250) < 0 && errno == EBADF,
		    "dup2 to fd 250 with RLIMIT_NOFILE 200");
	CHILD_CHECK(6, dup2(0, 150) == 150, "dup2 to fd 150: %s",
		    strerror(errno));
	close(150);
	return 0;
}

TEST(resource_limits_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(rlimits_setup, rlimits_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * umask, cwd, comm
 */

#define COMM_NAME	"ckpt-comm-test"

static char cwd_top[128], cwd_path[192];

static int fs_setup(void)
{
	umask(027);
	CHILD_CHECK(1, !chdir(cwd_path), "chdir(%s): %s", cwd_path,
		    strerror(errno));
	CHILD_CHECK(1, !prctl(PR_SET_NAME, COMM_NAME, 0, 0, 0), "PR_SET_NAME");
	return 0;
}

static int fs_verify(void)
{
	char buf[512], comm[32];
	struct stat st;
	ssize_t n;
	mode_t old;
	int fd;

	CHILD_CHECK(2, getcwd(buf, sizeof(buf)) && !strcmp(buf, cwd_path),
		    "cwd %s, expected %s", buf, cwd_path);
	n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHILD_CHECK(3, !strcmp(buf, cwd_path), "/proc/self/cwd -> %s", buf);
	CHILD_CHECK(4, !ckpt_status_field(0, "Umask", buf, sizeof(buf)) &&
		    !strcmp(buf, "0027"), "Umask: %s", buf);
	old = umask(027);
	CHILD_CHECK(5, old == 027, "umask %#o", old);
	/* The umask and the cwd are used for real. */
	fd = open("file", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
	CHILD_CHECK(6, fd >= 0, "create in cwd: %s", strerror(errno));
	close(fd);
	snprintf(buf, sizeof(buf), "%s/file", cwd_path);
	CHILD_CHECK(7, !stat(buf, &st) && (st.st_mode & 0777) == 0640,
		    "mode %#o", st.st_mode & 0777);
	unlink("file");
	memset(comm, 0, sizeof(comm));
	CHILD_CHECK(8, !prctl(PR_GET_NAME, comm, 0, 0, 0) &&
		    !strcmp(comm, COMM_NAME), "comm %s", comm);
	CHILD_CHECK(9, ckpt_read_file("/proc/self/comm", buf, sizeof(buf)) > 0 &&
		    !strcmp(buf, COMM_NAME "\n"), "/proc/self/comm %s", buf);
	return 0;
}

TEST(umask_cwd_and_comm_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(cwd_top, sizeof(cwd_top), "/tmp/ckpt-cwd-%d", (int)getpid());
	snprintf(cwd_path, sizeof(cwd_path), "%s/a dir with spaces", cwd_top);
	ASSERT_EQ(0, mkdir(cwd_top, 0755));
	ASSERT_EQ(0, mkdir(cwd_path, 0755));
	child = ckpt_spawn(fs_setup, fs_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
	EXPECT_EQ(0, rmdir(cwd_path));
	EXPECT_EQ(0, rmdir(cwd_top));
}

/* --------------------------------------------------------------------
 * personality, nice
 */

static int pers_before;

static int personality_setup(void)
{
	CHILD_CHECK(1, personality(PER_LINUX | UNAME26 | ADDR_NO_RANDOMIZE) >= 0,
		    "personality: %s", strerror(errno));
	pers_before = personality(0xffffffff);
	CHILD_CHECK(1, pers_before == (PER_LINUX | UNAME26 | ADDR_NO_RANDOMIZE),
		    "personality %#x", pers_before);
	return 0;
}

static int personality_verify(void)
{
	struct utsname u;
	int now = personality(0xffffffff);

	CHILD_CHECK(2, now == pers_before, "personality %#x, was %#x", now,
		    pers_before);
	/* UNAME26 is in force: the release looks like 2.6. */
	CHILD_CHECK(3, !uname(&u) && !strncmp(u.release, "2.6.", 4),
		    "release %s with UNAME26", u.release);
	return 0;
}

TEST(personality_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(personality_setup, personality_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

#define NICE_VALUE	7

static int nice_setup(void)
{
	CHILD_CHECK(1, !setpriority(PRIO_PROCESS, 0, NICE_VALUE),
		    "setpriority: %s", strerror(errno));
	return 0;
}

static int nice_verify(void)
{
	unsigned long long stat_nice;
	int prio;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, 0);
	CHILD_CHECK(2, !errno && prio == NICE_VALUE, "nice %d", prio);
	CHILD_CHECK(3, !ckpt_proc_stat_field(0, 19, &stat_nice) &&
		    stat_nice == NICE_VALUE, "/proc/self/stat nice %llu",
		    stat_nice);
	return 0;
}

TEST(nice_value_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(nice_setup, nice_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * dumpable, parent-death signal
 */

static int dumpable_setup(void)
{
	CHILD_CHECK(1, !prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE");
	CHILD_CHECK(1, !prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0),
		    "PR_SET_PDEATHSIG");
	CHILD_CHECK(1, !cred_snapshot(&cred_before), "snapshot");
	return 0;
}

static int dumpable_verify(void)
{
	int sig = -1, ret;

	ret = cred_verify();
	if (ret)
		return ret;
	CHILD_CHECK(3, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0, "dumpable");
	CHILD_CHECK(4, !prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) && sig == SIGUSR1,
		    "parent-death signal %d", sig);
	return 0;
}

TEST(dumpable_and_parent_death_signal_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(dumpable_setup, dumpable_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Permissions
 */

/*
 * Become uid/gid NOBODY without supplementary groups, keeping @cap
 * effective and permitted (-1: no capability at all).
 */
static int become_nobody(int cap)
{
	if (cap >= 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	if (cap < 0)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		return -1;
	return set_caps(capbit(cap), capbit(cap), 0);
}

/* A root process with some memory to check. */
#define MEM_SIZE	(256 * 1024)

static uint64_t *mem;

static int mem_setup(void)
{
	mem = malloc(MEM_SIZE);
	CHILD_CHECK(1, mem, "malloc");
	ckpt_fill(mem, MEM_SIZE, 31);
	return 0;
}

static int mem_verify(void)
{
	long bad = ckpt_check_fill(mem, MEM_SIZE, 31);

	CHILD_CHECK(2, bad < 0, "word %ld", bad);
	CHILD_CHECK(3, getuid() == 0 && geteuid() == 0, "not root any more");
	return 0;
}

/* The image of a root process, killed afterwards. */
static int root_image(pid_t *pidp)
{
	pid_t child;
	int fd;

	child = ckpt_spawn(mem_setup, mem_verify);
	if (child < 0)
		return -1;
	fd = ckpt_image_open();
	if (fd < 0 || ckpt_checkpoint(child, fd, CKPT_KILL) ||
	    ckpt_reap(child) != 128 + SIGKILL) {
		ckpt_kill_reap(child);
		return -1;
	}
	*pidp = child;
	return fd;
}

TEST(unprivileged_restart_of_root_image_is_eperm_and_creates_nothing)
{
	pid_t child, restarter;
	int fd, before, status;

	if (!ckpt_preamble(_metadata))
		return;
	fd = root_image(&child);
	ASSERT_GE(fd, 0);
	before = ckpt_count_user_processes();

	fflush(NULL);
	restarter = fork();
	ASSERT_GE(restarter, 0);
	if (restarter == 0) {
		pid_t r;

		if (become_nobody(CAP_CHECKPOINT_RESTORE))
			_exit(1);
		lseek(fd, 0, SEEK_SET);
		errno = 0;
		r = restart(fd, 0, 2);
		if (r >= 0) {
			ckpt_msg("unprivileged restart() created %d", (int)r);
			if (r > 0)
				ckpt_kill_reap(r);
			_exit(2);
		}
		if (errno != EPERM) {
			ckpt_msg("restart(): %s instead of EPERM",
				 strerror(errno));
			_exit(3);
		}
		_exit(ckpt_have_children() ? 4 : 0);
	}
	status = ckpt_reap(restarter);
	EXPECT_EQ(0, status);
	EXPECT_FALSE(ckpt_pid_exists(child)) TH_LOG("pid %d is in use", child);
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(before, ckpt_count_user_processes());

	/* The image itself is fine: root restarts it. */
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

static int nobody_setup(void)
{
	CHILD_CHECK(1, !become_nobody(-1), "become nobody: %s", strerror(errno));
	CHILD_CHECK(1, !cred_snapshot(&cred_before), "snapshot");
	return mem_setup();
}

static int nobody_verify(void)
{
	int ret = cred_verify();

	if (ret)
		return ret;
	CHILD_CHECK(3, cred_now.euid == NOBODY && !cred_now.caps[0].permitted &&
		    !cred_now.caps[1].permitted, "euid %u caps %#x",
		    cred_now.euid, cred_now.caps[0].permitted);
	CHILD_CHECK(4, ckpt_check_fill(mem, MEM_SIZE, 31) < 0, "memory");
	return 0;
}

TEST(unprivileged_restarter_restores_image_of_its_own_uid)
{
	pid_t child, restarter;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(nobody_setup, nobody_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));

	fflush(NULL);
	restarter = fork();
	ASSERT_GE(restarter, 0);
	if (restarter == 0) {
		pid_t r;

		if (become_nobody(CAP_CHECKPOINT_RESTORE))
			_exit(1);
		r = ckpt_restart(fd, 0);
		if (r != child) {
			if (r > 0)
				ckpt_kill_reap(r);
			_exit(2);
		}
		/* Its verdict, or 3 if it could not be woken. */
		r = ckpt_wake_reap(r);
		_exit(r < 0 ? 3 : r);
	}
	EXPECT_EQ(0, ckpt_reap(restarter));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

TEST(unprivileged_checkpoint_of_root_process_is_eperm)
{
	pid_t child, checker;
	int fd, status;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mem_setup, mem_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);

	fflush(NULL);
	checker = fork();
	ASSERT_GE(checker, 0);
	if (checker == 0) {
		/* With CAP_CHECKPOINT_RESTORE, then without anything. */
		if (become_nobody(CAP_CHECKPOINT_RESTORE))
			_exit(1);
		errno = 0;
		if (checkpoint(child, fd, CKPT_KILL, 2) == 0)
			_exit(2);
		if (errno != EPERM) {
			ckpt_msg("checkpoint(): %s instead of EPERM",
				 strerror(errno));
			_exit(3);
		}
		if (set_caps(0, 0, 0))
			_exit(1);
		errno = 0;
		if (checkpoint(child, fd, CKPT_KILL, 2) == 0)
			_exit(4);
		if (errno != EPERM) {
			ckpt_msg("checkpoint() without capabilities: %s",
				 strerror(errno));
			_exit(5);
		}
		_exit(0);
	}
	EXPECT_EQ(0, ckpt_reap(checker));

	/* The target never noticed: still asleep, not stopped, not killed. */
	EXPECT_EQ(0, waitpid(child, &status, WNOHANG));
	EXPECT_EQ('S', ckpt_wait_state(child, "S", 2000));
	EXPECT_EQ(0, ckpt_fd_size(fd)) TH_LOG("an image was written");
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST_HARNESS_MAIN
