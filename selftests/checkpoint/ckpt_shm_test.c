// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: shared memory, memfds and deleted files, the
 * memory and files that no path leads back to.
 *
 * They are saved with their contents, once, and after restart the
 * processes of the job that shared one share it again:
 *
 *  - a MAP_SHARED|MAP_ANONYMOUS mapping, a MAP_SHARED mapping of
 *    /dev/zero, a POSIX shared memory object mapped then shm_unlink()ed
 *    (what a Python multiprocessing semaphore is), and a memfd mapped
 *    MAP_SHARED with its fd kept, each shared by a parent (the job root,
 *    checkpointed with CKPT_TREE) and the helper it forked: the image
 *    holds it once, without the page never touched; after restart the
 *    pattern written before is intact, that page reads zero, a write by
 *    one is seen by the other both ways, and a process-shared semaphore
 *    in it counts for both;
 *  - the pattern outside test suites use: a directory descriptor on a
 *    fresh start directory and a shared anonymous page between a parent
 *    and its helper, which after restart computes a result into the
 *    page; the parent writes it to a file and renames it with
 *    renameat() relative to the directory descriptor;
 *  - a memfd (sealable, and not) as a descriptor with its offset, flags,
 *    size, contents with a hole, mode, seals and name, and as a
 *    MAP_SHARED and a MAP_PRIVATE mapping of it, all the one file after
 *    restart: a write through the fd shows in the shared mapping, the
 *    private mapping keeps its COW page, and the seals still hold;
 *  - a file in /tmp opened twice and mapped, then unlinked: it comes
 *    back unlinked (st_nlink 0) on the same filesystem, with both
 *    descriptors, their offsets and the mapping on the one file;
 *  - each kind alone in one process (CKPT_PROCESS), with no descriptor
 *    left for the mappings that have none;
 *  - a program that deleted its own executable (as an upgrade replaces
 *    it): /proc/self/exe is still a deleted file there, with its bytes.
 *
 * Still refused, naming the object, with the job left running unharmed:
 * shared anonymous memory or a memfd that a process outside the job maps
 * too (EBUSY, naming that process).  System V shared memory is saved
 * as well: ckpt_sysvshm_test.
 *
 * memfd seals are kept: F_SEAL_WRITE with a read-only shared mapping
 * still stops every write after restart; F_SEAL_FUTURE_WRITE added while
 * a writable shared mapping exists, which could not be mapped so again,
 * is refused (EOPNOTSUPP).  The size limit on deleted files
 * (CKPT_MAX_DELETED_SIZE) applies off tmpfs only, and /tmp and /dev/shm
 * are tmpfs in the test guest: it is not tested here.
 *
 * Everything is checkpointed with CKPT_KILL and checked from inside the
 * restored processes.  Nothing waits for time to pass: the parent wakes
 * its helper with a signal and waits for it to exit.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <semaphore.h>
#include <sys/sysmacros.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define PG		4096UL

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

/* --------------------------------------------------------------------
 * Helpers
 */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* readlink() of /proc/self/fd/@fd into @buf, NUL-terminated; its length or -1. */
static ssize_t fd_link(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/*
 * The CKPT_REC_UNLINKED records of the image in @fd: their number, and
 * the first one's kind, size and pages of contents.  -1 if the image
 * cannot be read.
 */
static int image_unlinked(int fd, uint32_t *kind, uint64_t *size, uint64_t *nr_pages)
{
#if CKPT_FORMAT_VERSION >= 5
	const struct ckpt_rec_unlinked *u;
	const struct ckpt_hdr *h;
	size_t len = 0, off = 0;
	int n = 0;
	void *img;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	while ((h = ckpt_image_next(img, len, &off, CKPT_REC_UNLINKED))) {
		u = (const struct ckpt_rec_unlinked *)h;
		if (!n++ && h->len >= sizeof(*u)) {
			*kind = u->kind;
			*size = u->size;
			*nr_pages = u->nr_pages;
		}
	}
	free(img);
	return n;
#else
	(void)fd; (void)kind; (void)size; (void)nr_pages;
	return -1;
#endif
}

#if CKPT_FORMAT_VERSION >= 5
#define UNLINKED_SHMEM		CKPT_UNLINKED_SHMEM
#define UNLINKED_MEMFD		CKPT_UNLINKED_MEMFD
#define UNLINKED_DELETED	CKPT_UNLINKED_DELETED
#else
#define UNLINKED_SHMEM		1
#define UNLINKED_MEMFD		2
#define UNLINKED_DELETED	3
#endif

/*
 * The image in @fd holds exactly one file saved with its contents, of
 * kind @kind, @size bytes, @nr_pages pages of data (holes left out).
 */
static void expect_one_unlinked(struct __test_metadata *_metadata, int fd,
				uint32_t kind, uint64_t size, uint64_t nr_pages)
{
	uint64_t sz = 0, nr = 0;
	uint32_t k = 0;
	int n;

	n = image_unlinked(fd, &k, &sz, &nr);
	if (n < 0) {
		TH_LOG("the image could not be read, or the uapi header is older than v5");
		EXPECT_LE(0, n);
		return;
	}
	EXPECT_EQ(1, n) TH_LOG("the shared object is saved %d times", n);
	EXPECT_EQ(kind, k);
	EXPECT_EQ(size, sz);
	EXPECT_EQ(nr_pages, nr) TH_LOG("pages of contents saved: %llu", (unsigned long long)nr);
}

/* --------------------------------------------------------------------
 * A parent and its helper sharing memory
 *
 * The job root maps PAIR_PAGES pages shared: pages 0-1 and 3 hold a
 * pattern, page 2 is never touched, page 4 is the mailbox with a
 * process-shared semaphore posted once.  It forks the helper, and both
 * wait for SIGUSR2.  Woken (after restart, or after a refused
 * checkpoint), the root checks the memory, writes to the mailbox,
 * posts the semaphore, wakes the helper with SIGUSR2 and waits for it;
 * the helper checks that it sees all that, writes its result (a sum of
 * the pattern pages, read from the shared memory), posts the semaphore
 * and exits; the root then checks that it sees the result and the post.
 */

enum { R_ROOT = 1, R_HELPER };

enum pair_kind {
	PAIR_ANON,		/* MAP_SHARED | MAP_ANONYMOUS */
	PAIR_DEV_ZERO,		/* MAP_SHARED of /dev/zero */
	PAIR_POSIX_SHM,		/* shm_open(), mmap(), shm_unlink() */
	PAIR_MEMFD,		/* a memfd, MAP_SHARED, its fd kept open */
};

#define PAIR_PAGES	5
#define PAIR_HOLE	2
#define PAIR_MBOX	4
#define PAIR_SEED	0x5a5aULL
#define PAIR_BEFORE	0xbef0feULL
#define PAIR_FROM_ROOT	0x1234abcdULL

struct mailbox {
	uint64_t before;	/* written before the checkpoint */
	uint64_t from_root;	/* after it, by the root */
	uint64_t from_helper;	/* after it, by the helper: pair_sum() */
	sem_t sem;		/* posted once before the checkpoint */
};

struct pair_cfg {
	enum pair_kind kind;
	bool dir;		/* hold a directory fd, leave a result file in it */
};

static char *pair_map;
static char pair_shm_name[64];
static int pair_memfd = -1;
static char pair_dir[64];
static int pair_dirfd = -1;

static struct mailbox *pair_mbox(void)
{
	return (struct mailbox *)(pair_map + PAIR_MBOX * PG);
}

static void pair_fill(char *map)
{
	ckpt_fill(map, 2 * PG, PAIR_SEED);
	ckpt_fill(map + 3 * PG, PG, PAIR_SEED + 1);
}

/* First word of the pattern pages that differs (-1: none), hole included. */
static long pair_bad_word(const char *map)
{
	long bad;

	bad = ckpt_check_fill(map, 2 * PG, PAIR_SEED);
	if (bad >= 0)
		return bad;
	if (!ckpt_all_zero(map + PAIR_HOLE * PG, PG))
		return PAIR_HOLE * PG / 8;
	bad = ckpt_check_fill(map + 3 * PG, PG, PAIR_SEED + 1);
	return bad >= 0 ? (long)(3 * PG / 8) + bad : -1;
}

/* The result the helper computes from the shared pages: what it must be. */
static uint64_t pair_sum_expected(void)
{
	uint64_t sum = 0, i;

	for (i = 0; i < 2 * PG / 8; i++)
		sum = sum * 31 + ckpt_pattern(PAIR_SEED, i);
	for (i = 0; i < PG / 8; i++)
		sum = sum * 31 + ckpt_pattern(PAIR_SEED + 1, i);
	return sum;
}

/* The same, from the memory. */
static uint64_t pair_sum(const char *map)
{
	const uint64_t *a = (const uint64_t *)map, *b = (const uint64_t *)(map + 3 * PG);
	uint64_t sum = 0, i;

	for (i = 0; i < 2 * PG / 8; i++)
		sum = sum * 31 + a[i];
	for (i = 0; i < PG / 8; i++)
		sum = sum * 31 + b[i];
	return sum;
}

static char *pair_create(enum pair_kind kind)
{
	size_t len = PAIR_PAGES * PG;
	void *p = MAP_FAILED;
	int fd;

	switch (kind) {
	case PAIR_ANON:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		break;
	case PAIR_DEV_ZERO:
		fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
		CHILD_CHECK(1, fd >= 0, "open /dev/zero: %s", strerror(errno));
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		break;
	case PAIR_POSIX_SHM:
		snprintf(pair_shm_name, sizeof(pair_shm_name), "/ckpt-sem-%d", (int)getpid());
		fd = shm_open(pair_shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		CHILD_CHECK(1, fd >= 0, "shm_open %s: %s", pair_shm_name, strerror(errno));
		CHILD_CHECK(1, !ftruncate(fd, len), "ftruncate: %s", strerror(errno));
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHILD_CHECK(1, !shm_unlink(pair_shm_name), "shm_unlink: %s", strerror(errno));
		close(fd);
		break;
	case PAIR_MEMFD:
		pair_memfd = memfd_create("ckpt-pair", MFD_CLOEXEC);
		CHILD_CHECK(1, pair_memfd >= 0, "memfd_create: %s", strerror(errno));
		CHILD_CHECK(1, !ftruncate(pair_memfd, len), "ftruncate: %s", strerror(errno));
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, pair_memfd, 0);
		break;
	}
	CHILD_CHECK(1, p != MAP_FAILED, "mapping of kind %d: %s", kind, strerror(errno));
	return p;
}

/* POSIX shm: still the one deleted file on /dev/shm, not linked again. */
static void pair_check_shm_file(void)
{
	char path[96];
	struct map_line ml;
	struct stat st;

	CHILD_CHECK(13, !map_line_of(pair_map, &ml) && !strcmp(ml.perms, "rw-s") &&
		    ends_with(ml.path, " (deleted)"), "maps: %s %s", ml.perms, ml.path);
	CHILD_CHECK(13, !stat("/dev/shm", &st) && ml.major == major(st.st_dev) &&
		    ml.minor == minor(st.st_dev), "maps: device %x:%x, /dev/shm is %x:%x",
		    ml.major, ml.minor, major(st.st_dev), minor(st.st_dev));
	snprintf(path, sizeof(path), "/dev/shm%s", pair_shm_name);
	CHILD_CHECK(14, access(path, F_OK) && errno == ENOENT, "%s exists again", path);
}

/* memfd: the fd and the mapping are on the one file; a write through the fd shows. */
static void pair_check_memfd(int code)
{
	struct map_line ml;
	struct stat st;
	uint64_t v = 0;

	CHILD_CHECK(code, !fstat(pair_memfd, &st) && !map_line_of(pair_map, &ml) &&
		    ml.ino == st.st_ino && !strcmp(ml.path, "/memfd:ckpt-pair (deleted)"),
		    "fd %d: inode %lu; the mapping: inode %lu %s", pair_memfd,
		    (unsigned long)st.st_ino, ml.ino, ml.path);
	CHILD_CHECK(code, pread(pair_memfd, &v, 8, PAIR_MBOX * PG) == 8 && v == PAIR_BEFORE,
		    "the fd reads %#llx", (unsigned long long)v);
}

static int pair_helper(void)
{
	struct mailbox *mb = pair_mbox();
	long bad = pair_bad_word(pair_map);
	int val = -1;

	CHILD_CHECK(30, bad < 0, "helper: word %ld of the shared pages changed", bad);
	CHILD_CHECK(31, mb->before == PAIR_BEFORE, "helper: mailbox %#llx",
		    (unsigned long long)mb->before);
	if (pair_memfd >= 0)
		pair_check_memfd(37);
	CHILD_CHECK(32, mb->from_root == PAIR_FROM_ROOT,
		    "helper: the root's write is not seen: %#llx",
		    (unsigned long long)mb->from_root);
	CHILD_CHECK(33, !sem_getvalue(&mb->sem, &val) && val == 2,
		    "helper: semaphore value %d, expected 2", val);
	CHILD_CHECK(34, !sem_trywait(&mb->sem) && !sem_trywait(&mb->sem),
		    "helper: sem_trywait: %s", strerror(errno));
	CHILD_CHECK(35, sem_trywait(&mb->sem) && errno == EAGAIN,
		    "helper: the semaphore had a third post");
	mb->from_helper = pair_sum(pair_map);
	CHILD_CHECK(36, !sem_post(&mb->sem), "helper: sem_post: %s", strerror(errno));
	return 0;
}

/* The root's side, once woken. */
static int pair_root_after(const struct pair_cfg *cfg, pid_t helper)
{
	struct mailbox *mb = pair_mbox();
	uint64_t want = pair_sum_expected();
	long bad = pair_bad_word(pair_map);
	char line[32], cwd[128];
	int val = -1, st = -1, fd;
	pid_t r;

	CHILD_CHECK(10, bad < 0, "root: word %ld of the shared pages changed", bad);
	CHILD_CHECK(11, mb->before == PAIR_BEFORE && !mb->from_root && !mb->from_helper,
		    "root: mailbox %#llx %#llx %#llx", (unsigned long long)mb->before,
		    (unsigned long long)mb->from_root, (unsigned long long)mb->from_helper);
	CHILD_CHECK(12, !sem_getvalue(&mb->sem, &val) && val == 1,
		    "root: semaphore value %d, expected 1", val);
	if (cfg->kind == PAIR_POSIX_SHM)
		pair_check_shm_file();
	if (cfg->kind == PAIR_MEMFD)
		pair_check_memfd(25);

	/* The root writes, the helper must see it. */
	mb->from_root = PAIR_FROM_ROOT;
	CHILD_CHECK(15, !sem_post(&mb->sem), "root: sem_post: %s", strerror(errno));
	CHILD_CHECK(16, !kill(helper, CKPT_WAKE_SIG), "root: kill(%d): %s", (int)helper,
		    strerror(errno));
	do {
		r = waitpid(helper, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(17, r == helper && WIFEXITED(st) && !WEXITSTATUS(st),
		    "root: helper %d: waitpid %d, status %#x (exit %d)", (int)helper, (int)r,
		    st, WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* The helper wrote, the root must see it. */
	CHILD_CHECK(18, mb->from_helper == want, "root: the helper's result %#llx, expected %#llx",
		    (unsigned long long)mb->from_helper, (unsigned long long)want);
	CHILD_CHECK(19, !sem_trywait(&mb->sem), "root: the helper's sem_post is not seen");
	CHILD_CHECK(19, sem_trywait(&mb->sem) && errno == EAGAIN, "root: semaphore too high");
	bad = pair_bad_word(pair_map);
	CHILD_CHECK(20, bad < 0, "root: word %ld changed at the end", bad);
	if (!cfg->dir)
		return 0;

	/* The result goes to a file renamed into place in the start directory. */
	CHILD_CHECK(21, getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, pair_dir), "cwd %s", cwd);
	fd = openat(pair_dirfd, "result.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	CHILD_CHECK(22, fd >= 0, "openat(result.tmp): %s", strerror(errno));
	snprintf(line, sizeof(line), "%016llx\n", (unsigned long long)mb->from_helper);
	CHILD_CHECK(23, !ckpt_write_all(fd, line, strlen(line)) && !close(fd), "write: %s",
		    strerror(errno));
	CHILD_CHECK(24, !renameat(pair_dirfd, "result.tmp", pair_dirfd, "result"),
		    "renameat: %s", strerror(errno));
	return 0;
}

static int pair_root(void *arg)
{
	const struct pair_cfg *cfg = arg;
	struct mailbox *mb;
	pid_t helper;

	pair_map = pair_create(cfg->kind);
	pair_fill(pair_map);
	mb = pair_mbox();
	mb->before = PAIR_BEFORE;
	CHILD_CHECK(2, !sem_init(&mb->sem, 1, 0) && !sem_post(&mb->sem), "sem: %s",
		    strerror(errno));
	if (cfg->dir) {
		pair_dirfd = open(pair_dir, O_RDONLY | O_DIRECTORY);
		CHILD_CHECK(3, pair_dirfd >= 0, "open %s: %s", pair_dir, strerror(errno));
		CHILD_CHECK(3, !chdir(pair_dir), "chdir: %s", strerror(errno));
	}
	helper = ckpt_member_fork();
	CHILD_CHECK(4, helper >= 0, "fork: %s", strerror(errno));
	if (helper == 0) {
		ckpt_member_wait(R_HELPER);
		_exit(pair_helper());
	}
	ckpt_member_wait(R_ROOT);
	return pair_root_after(cfg, helper);
}

/* Start the pair; *@n members (2) in @m.  Returns the root. */
static pid_t pair_start(struct __test_metadata *_metadata, const struct pair_cfg *cfg,
			struct ckpt_member *m, int *n)
{
	pid_t root;
	int i;

	/* The originals' orphans come to us when the job is killed. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -1;
	*n = 0;
	root = ckpt_job_spawn(pair_root, (void *)cfg, 0, NULL, 0, m, n, 4);
	if (root <= 0)
		return -1;
	if (*n != 2 || ckpt_job_settle(m, *n, 10000)) {
		TH_LOG("%d members, or they do not settle", *n);
		ckpt_kill_reap(root);
		return -1;
	}
	i = ckpt_job_find(m, *n, R_HELPER);
	if (i < 0 || m[i].ppid != root) {
		TH_LOG("no helper forked by the root");
		ckpt_kill_reap(root);
		return -1;
	}
	return root;
}

/* The whole cycle: checkpoint the tree, kill it, restart it, wake the root. */
static void pair_cycle(struct __test_metadata *_metadata, const struct pair_cfg *cfg,
		       uint32_t unlinked_kind)
{
	struct ckpt_member m[4];
	pid_t root;
	int n, fd;

	root = pair_start(_metadata, cfg, m, &n);
	ASSERT_GT(root, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(root, fd, CKPT_TREE | CKPT_KILL)) {
		TH_LOG("checkpoint: %s", strerror(errno));
		ckpt_kill_reap(root);
	}
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(root));
	ASSERT_EQ(0, ckpt_job_gone(m, n, 10000));
	/* Saved once, for both processes; the page never touched is a hole. */
	expect_one_unlinked(_metadata, fd, unlinked_kind, PAIR_PAGES * PG, PAIR_PAGES - 1);

	ASSERT_EQ(root, ckpt_restart(fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "RS"));
	EXPECT_EQ(0, ckpt_wake_reap(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

TEST(shared_anon_fork)
{
	static const struct pair_cfg cfg = { .kind = PAIR_ANON };

	if (!ckpt_preamble(_metadata))
		return;
	pair_cycle(_metadata, &cfg, UNLINKED_SHMEM);
}

TEST(dev_zero_shared)
{
	static const struct pair_cfg cfg = { .kind = PAIR_DEV_ZERO };

	if (!ckpt_preamble(_metadata))
		return;
	pair_cycle(_metadata, &cfg, UNLINKED_SHMEM);
}

TEST(posix_shm_semaphore_like)
{
	static const struct pair_cfg cfg = { .kind = PAIR_POSIX_SHM };

	if (!ckpt_preamble(_metadata))
		return;
	if (access("/dev/shm", W_OK))
		SKIP(return, "no /dev/shm");
	pair_cycle(_metadata, &cfg, UNLINKED_DELETED);
}

TEST(memfd_shared_fork)
{
	static const struct pair_cfg cfg = { .kind = PAIR_MEMFD };

	if (!ckpt_preamble(_metadata))
		return;
	pair_cycle(_metadata, &cfg, UNLINKED_MEMFD);
}

TEST(common_pattern)
{
	static const struct pair_cfg cfg = { .kind = PAIR_ANON, .dir = true };
	char path[128], buf[64], want[32];
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(pair_dir, sizeof(pair_dir), "/tmp/ckpt-start-%d", (int)getpid());
	ASSERT_EQ(0, mkdir(pair_dir, 0755));
	pair_cycle(_metadata, &cfg, UNLINKED_SHMEM);

	/* The helper's result, in the file the root renamed into place. */
	snprintf(want, sizeof(want), "%016llx\n", (unsigned long long)pair_sum_expected());
	snprintf(path, sizeof(path), "%s/result", pair_dir);
	fd = open(path, O_RDONLY);
	EXPECT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	if (fd >= 0) {
		ssize_t len = ckpt_read_all(fd, buf, sizeof(buf) - 1);

		buf[len > 0 ? len : 0] = '\0';
		EXPECT_STREQ(want, buf);
		close(fd);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/result.tmp", pair_dir);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("result.tmp is left over");
	unlink(path);
	EXPECT_EQ(0, rmdir(pair_dir)) TH_LOG("rmdir %s: %s", pair_dir, strerror(errno));
}

/* --------------------------------------------------------------------
 * Refused: memory shared outside the job
 */

/*
 * The parent and its helper checkpointed each alone (CKPT_PROCESS): the
 * other one, outside the job, maps the memory too.
 */
static void outside_refused(struct __test_metadata *_metadata, const struct pair_cfg *cfg,
			    const char *what)
{
	struct ckpt_member m[4];
	char log[4096];
	pid_t root, helper;
	int n, i;

	root = pair_start(_metadata, cfg, m, &n);
	ASSERT_GT(root, 0);
	i = ckpt_job_find(m, n, R_HELPER);
	helper = m[i].pid;

	/* The helper alone: its parent maps the memory too. */
	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(helper, CKPT_PROCESS | CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not name %s", what);
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "pid ", root))
		TH_LOG("the outside process, pid %d, is not named", (int)root);
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));

	/* The parent alone: its helper maps it too. */
	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(root, CKPT_PROCESS | CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not name %s", what);
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "pid ", helper))
		TH_LOG("the outside process, pid %d, is not named", (int)helper);

	/* Both still there, still sharing the memory. */
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
	EXPECT_EQ(0, ckpt_sleeper_intact(root));
	EXPECT_EQ(0, ckpt_job_gone(m, n, 10000));
}

TEST(refused_shared_anon_mapped_outside_the_job)
{
	static const struct pair_cfg cfg = { .kind = PAIR_ANON };

	if (!ckpt_preamble(_metadata))
		return;
	outside_refused(_metadata, &cfg, "shared anonymous memory");
}

TEST(refused_memfd_mapped_outside_the_job)
{
	static const struct pair_cfg cfg = { .kind = PAIR_MEMFD };

	if (!ckpt_preamble(_metadata))
		return;
	outside_refused(_metadata, &cfg, "memfd:ckpt-pair");
}

/* --------------------------------------------------------------------
 * A memfd as a descriptor and as mappings
 *
 * fd 3: a sealable memfd of MFD_SIZE bytes (not a page multiple): pages
 * 0-1 and 3-4 written through the fd, page 2 a hole, the offset left at
 * MFD_POS.  Mapped MAP_SHARED and MAP_PRIVATE (page 1 of the private
 * one written: a COW page), then sealed against shrinking and growing.
 */

#define MFD_NAME	"ckpt-shm"
#define MFD_PAGES	5
#define MFD_SIZE	(4 * PG + 123)
#define MFD_POS		5000
#define MFD_SEED	31
#define MFD_COW_SEED	33
#define MFD_NEW_SEED	34

static unsigned char mfd_expect[MFD_PAGES * PG];
static char *mfd_shared, *mfd_private;
static char mfd_link[128];
static struct stat mfd_st;
static int mfd_flags;

static int memfd_setup(void)
{
	int fd;

	fd = memfd_create(MFD_NAME, MFD_ALLOW_SEALING | MFD_CLOEXEC);
	CHILD_CHECK(1, fd == 3, "memfd_create: %d (%s)", fd, strerror(errno));
	ckpt_fill(mfd_expect, 2 * PG, MFD_SEED);
	ckpt_fill(mfd_expect + 3 * PG, 2 * PG, MFD_SEED + 1);
	memset(mfd_expect + MFD_SIZE, 0, sizeof(mfd_expect) - MFD_SIZE);
	CHILD_CHECK(2, pwrite(3, mfd_expect, 2 * PG, 0) == 2 * PG &&
		    pwrite(3, mfd_expect + 3 * PG, MFD_SIZE - 3 * PG, 3 * PG) ==
		    MFD_SIZE - 3 * PG, "pwrite: %s", strerror(errno));
	CHILD_CHECK(2, lseek(3, MFD_POS, SEEK_SET) == MFD_POS, "lseek");
	mfd_shared = mmap(NULL, MFD_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
	mfd_private = mmap(NULL, MFD_PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, 3, 0);
	CHILD_CHECK(3, mfd_shared != MAP_FAILED && mfd_private != MAP_FAILED, "mmap: %s",
		    strerror(errno));
	ckpt_fill(mfd_private + PG, PG, MFD_COW_SEED);
	CHILD_CHECK(4, !fcntl(3, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), "F_ADD_SEALS: %s",
		    strerror(errno));
	CHILD_CHECK(5, fd_link(3, mfd_link, sizeof(mfd_link)) > 0, "readlink");
	CHILD_CHECK(5, !strcmp(mfd_link, "/memfd:" MFD_NAME " (deleted)"), "fd 3 is %s",
		    mfd_link);
	CHILD_CHECK(5, !fstat(3, &mfd_st), "fstat");
	mfd_flags = fcntl(3, F_GETFL);
	return 0;
}

static int memfd_verify(void)
{
	static unsigned char buf[MFD_PAGES * PG];
	struct map_line shared, priv;
	char link[128];
	struct stat st;
	long bad;
	int seals;

	/* The descriptor: the same kind of file, size, offset, flags, seals, name. */
	CHILD_CHECK(10, !fstat(3, &st), "fstat: %s", strerror(errno));
	CHILD_CHECK(10, st.st_size == MFD_SIZE, "size %lld", (long long)st.st_size);
	CHILD_CHECK(10, st.st_mode == mfd_st.st_mode && st.st_nlink == mfd_st.st_nlink &&
		    st.st_dev == mfd_st.st_dev, "mode %o nlink %lu dev %lx, was %o %lu %lx",
		    st.st_mode, (unsigned long)st.st_nlink, (unsigned long)st.st_dev,
		    mfd_st.st_mode, (unsigned long)mfd_st.st_nlink, (unsigned long)mfd_st.st_dev);
	CHILD_CHECK(11, lseek(3, 0, SEEK_CUR) == MFD_POS, "offset %lld",
		    (long long)lseek(3, 0, SEEK_CUR));
	CHILD_CHECK(12, fcntl(3, F_GETFL) == mfd_flags, "flags %#x, were %#x",
		    fcntl(3, F_GETFL), mfd_flags);
	CHILD_CHECK(12, fcntl(3, F_GETFD) == FD_CLOEXEC, "FD_CLOEXEC lost");
	seals = fcntl(3, F_GET_SEALS);
	CHILD_CHECK(13, seals == (F_SEAL_SHRINK | F_SEAL_GROW), "seals %#x", seals);
	fd_link(3, link, sizeof(link));
	CHILD_CHECK(14, !strcmp(link, mfd_link), "fd 3 is %s, was %s", link, mfd_link);

	/* The contents, the hole included, through the fd and both mappings. */
	CHILD_CHECK(15, pread(3, buf, MFD_SIZE, 0) == MFD_SIZE, "pread: %s", strerror(errno));
	CHILD_CHECK(15, !memcmp(buf, mfd_expect, MFD_SIZE), "contents differ");
	CHILD_CHECK(16, !memcmp(mfd_shared, mfd_expect, MFD_PAGES * PG),
		    "the shared mapping differs");
	CHILD_CHECK(17, !memcmp(mfd_private, mfd_expect, PG) &&
		    !memcmp(mfd_private + 2 * PG, mfd_expect + 2 * PG, 3 * PG),
		    "the private mapping's file pages differ");
	bad = ckpt_check_fill(mfd_private + PG, PG, MFD_COW_SEED);
	CHILD_CHECK(18, bad < 0, "the private COW page: word %ld", bad);

	/* Both mappings are of the file the fd is open on. */
	CHILD_CHECK(19, !map_line_of(mfd_shared, &shared) && !map_line_of(mfd_private, &priv),
		    "mappings not in /proc/self/maps");
	CHILD_CHECK(19, !strcmp(shared.perms, "rw-s") && !strcmp(priv.perms, "rw-p"),
		    "perms %s and %s", shared.perms, priv.perms);
	CHILD_CHECK(20, shared.ino == st.st_ino && priv.ino == st.st_ino,
		    "inodes %lu and %lu, fd 3 is on %lu", shared.ino, priv.ino,
		    (unsigned long)st.st_ino);
	CHILD_CHECK(20, !strcmp(shared.path, mfd_link) && !strcmp(priv.path, mfd_link),
		    "mapping names %s and %s", shared.path, priv.path);

	/* A write through the fd shows in the shared mapping, not in the COW page. */
	ckpt_fill(buf, PG, MFD_NEW_SEED);
	CHILD_CHECK(21, pwrite(3, buf, PG, PG) == PG, "pwrite: %s", strerror(errno));
	bad = ckpt_check_fill(mfd_shared + PG, PG, MFD_NEW_SEED);
	CHILD_CHECK(21, bad < 0, "the shared mapping does not see the write: word %ld", bad);
	bad = ckpt_check_fill(mfd_private + PG, PG, MFD_COW_SEED);
	CHILD_CHECK(22, bad < 0, "the COW page changed with the file: word %ld", bad);
	/* write() at the offset moves it, and shows in the mapping too. */
	CHILD_CHECK(23, write(3, "offset!", 8) == 8, "write: %s", strerror(errno));
	CHILD_CHECK(23, lseek(3, 0, SEEK_CUR) == MFD_POS + 8, "offset after write");
	CHILD_CHECK(23, !memcmp(mfd_shared + MFD_POS, "offset!", 8), "write not in the mapping");
	/* And the other way. */
	memcpy(mfd_shared + 3 * PG, "mapped", 7);
	CHILD_CHECK(24, pread(3, buf, 7, 3 * PG) == 7 && !memcmp(buf, "mapped", 7),
		    "a store in the mapping is not in the file");
	/* Nothing else changed. */
	ckpt_fill(mfd_expect + PG, PG, MFD_NEW_SEED);
	memcpy(mfd_expect + MFD_POS, "offset!", 8);
	memcpy(mfd_expect + 3 * PG, "mapped", 7);
	CHILD_CHECK(24, pread(3, buf, sizeof(buf), 0) == MFD_SIZE &&
		    !memcmp(buf, mfd_expect, MFD_SIZE), "the file differs at the end");
	CHILD_CHECK(24, !memcmp(mfd_shared, mfd_expect, MFD_PAGES * PG),
		    "the shared mapping differs at the end");

	/* The seals still hold, and more can be added. */
	CHILD_CHECK(25, ftruncate(3, PG) && errno == EPERM, "shrinking: %s",
		    strerror(errno));
	CHILD_CHECK(25, ftruncate(3, 8 * PG) && errno == EPERM, "growing: %s",
		    strerror(errno));
	CHILD_CHECK(26, !fcntl(3, F_ADD_SEALS, F_SEAL_SEAL), "F_ADD_SEALS: %s",
		    strerror(errno));
	seals = fcntl(3, F_GET_SEALS);
	CHILD_CHECK(26, seals == (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW), "seals %#x", seals);
	return 0;
}

/* ckpt_cycle() with the image kept, for a look at it: 0 or the cycle's error. */
static int cycle_keep(struct __test_metadata *_metadata, pid_t child, int *imgfd)
{
	int fd, status;

	fd = ckpt_image_open();
	if (fd < 0) {
		ckpt_kill_reap(child);
		return CKPT_CYCLE_EIMAGE;
	}
	*imgfd = fd;
	if (ckpt_checkpoint(child, fd, CKPT_KILL)) {
		TH_LOG("checkpoint: %s", strerror(errno));
		ckpt_kill_reap(child);
		return CKPT_CYCLE_ECHECKPOINT;
	}
	status = ckpt_reap(child);
	if (status != 128 + SIGKILL)
		return CKPT_CYCLE_EKILL;
	if (ckpt_restart_as(fd, child, 0) != child)
		return CKPT_CYCLE_ERESTART;
	return ckpt_wake_reap(child);
}

TEST(memfd_fd_and_map)
{
	int fd = -1;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(memfd_setup, memfd_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle_keep(_metadata, child, &fd));
	/* One memfd for the fd and both mappings; the hole is not saved. */
	if (fd >= 0) {
		expect_one_unlinked(_metadata, fd, UNLINKED_MEMFD, MFD_SIZE, MFD_PAGES - 1);
		close(fd);
	}
}

/* A memfd without MFD_ALLOW_SEALING: sealed with F_SEAL_SEAL from the start. */
#define NOSEAL_NAME	"ckpt-nosealing"
#define NOSEAL_POS	10

static char noseal_link[128];

static int noseal_setup(void)
{
	static char data[300];
	int fd, seals;

	fd = memfd_create(NOSEAL_NAME, 0);
	CHILD_CHECK(1, fd == 3, "memfd_create: %d (%s)", fd, strerror(errno));
	ckpt_fill(data, sizeof(data), 41);
	CHILD_CHECK(2, write(3, data, sizeof(data)) == sizeof(data), "write");
	CHILD_CHECK(2, lseek(3, NOSEAL_POS, SEEK_SET) == NOSEAL_POS, "lseek");
	seals = fcntl(3, F_GET_SEALS);
	CHILD_CHECK(3, seals == F_SEAL_SEAL, "seals %#x before", seals);
	CHILD_CHECK(4, fd_link(3, noseal_link, sizeof(noseal_link)) > 0 &&
		    !strcmp(noseal_link, "/memfd:" NOSEAL_NAME " (deleted)"), "fd 3 is %s",
		    noseal_link);
	return 0;
}

static int noseal_verify(void)
{
	char data[600], link[128];
	int seals;

	seals = fcntl(3, F_GET_SEALS);
	CHILD_CHECK(10, seals == F_SEAL_SEAL, "seals %#x, expected F_SEAL_SEAL", seals);
	CHILD_CHECK(11, fcntl(3, F_ADD_SEALS, F_SEAL_WRITE) && errno == EPERM,
		    "a seal could be added: %s", strerror(errno));
	fd_link(3, link, sizeof(link));
	CHILD_CHECK(12, !strcmp(link, noseal_link), "fd 3 is %s, was %s", link, noseal_link);
	CHILD_CHECK(13, lseek(3, 0, SEEK_CUR) == NOSEAL_POS, "offset");
	CHILD_CHECK(13, fcntl(3, F_GETFD) == 0, "FD_CLOEXEC appeared");
	CHILD_CHECK(14, pread(3, data, sizeof(data), 0) == 300, "size");
	CHILD_CHECK(14, ckpt_check_fill(data, 300, 41) < 0, "contents");
	/* Not sealed: it still grows. */
	CHILD_CHECK(15, !ftruncate(3, 2 * PG), "ftruncate: %s", strerror(errno));
	return 0;
}

TEST(memfd_no_sealing)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(noseal_setup, noseal_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * A memfd sealed against writing, then mapped read-only MAP_SHARED (a
 * sealed buffer handed out read-only): after restart the seal holds for
 * the fd, the mapping and new mappings alike.
 */
static char *wseal_map;

static int wseal_setup(void)
{
	int fd;

	fd = memfd_create("ckpt-wseal", MFD_ALLOW_SEALING);
	CHILD_CHECK(1, fd == 3, "memfd_create: %d (%s)", fd, strerror(errno));
	CHILD_CHECK(1, !ftruncate(3, 2 * PG), "ftruncate");
	CHILD_CHECK(1, pwrite(3, "sealed", 7, PG) == 7, "pwrite");
	CHILD_CHECK(2, !fcntl(3, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW),
		    "F_ADD_SEALS: %s", strerror(errno));
	wseal_map = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, 3, 0);
	CHILD_CHECK(3, wseal_map != MAP_FAILED, "mmap: %s", strerror(errno));
	return 0;
}

static int wseal_verify(void)
{
	int seals = fcntl(3, F_GET_SEALS);

	CHILD_CHECK(10, seals == (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW), "seals %#x",
		    seals);
	CHILD_CHECK(11, !memcmp(wseal_map + PG, "sealed", 7) && ckpt_all_zero(wseal_map, PG),
		    "contents");
	CHILD_CHECK(12, pwrite(3, "x", 1, 0) == -1 && errno == EPERM, "write: %s",
		    strerror(errno));
	CHILD_CHECK(13, mprotect(wseal_map, 2 * PG, PROT_READ | PROT_WRITE) == -1,
		    "the mapping can be made writable");
	CHILD_CHECK(14, mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0) == MAP_FAILED &&
		    errno == EPERM, "a writable shared mapping: %s", strerror(errno));
	return 0;
}

TEST(memfd_write_sealed_mapped_read_only)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(wseal_setup, wseal_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * F_SEAL_FUTURE_WRITE added while a writable shared mapping exists: the
 * mapping stays writable, but could not be mapped so again after the
 * seal.  Refused, naming the memfd; the process runs on, its mapping
 * still writable and the fd still sealed.
 */
static char *fseal_map;

static int fseal_setup(void)
{
	int fd;

	fd = memfd_create("ckpt-fseal", MFD_ALLOW_SEALING);
	CHILD_CHECK(1, fd == 3, "memfd_create: %d (%s)", fd, strerror(errno));
	CHILD_CHECK(1, !ftruncate(3, PG), "ftruncate");
	fseal_map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
	CHILD_CHECK(2, fseal_map != MAP_FAILED, "mmap: %s", strerror(errno));
	memcpy(fseal_map, "before", 7);
	CHILD_CHECK(3, !fcntl(3, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), "F_ADD_SEALS: %s",
		    strerror(errno));
	return 0;
}

static int fseal_verify(void)
{
	char buf[8] = "";

	CHILD_CHECK(10, !memcmp(fseal_map, "before", 7), "contents");
	memcpy(fseal_map, "after!", 7);
	CHILD_CHECK(11, pread(3, buf, 7, 0) == 7 && !memcmp(buf, "after!", 7),
		    "the mapping no longer writes to the memfd");
	CHILD_CHECK(12, pwrite(3, "x", 1, 0) == -1 && errno == EPERM, "write: %s",
		    strerror(errno));
	return 0;
}

TEST(refused_memfd_future_write_sealed_while_mapped_writable)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(fseal_setup, fseal_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "memfd:ckpt-fseal")) TH_LOG("the memfd is not named");
	EXPECT_NE(NULL, strstr(log, "F_SEAL_FUTURE_WRITE"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* --------------------------------------------------------------------
 * A deleted file
 *
 * /tmp/ckpt-deleted-PID: fd 3 read-write at DEL_POS3, fd 4 read-only at
 * DEL_POS4 (another open file description), mapped MAP_SHARED; pages 0
 * and 2-3 written, page 1 a hole; mode 0640; then unlinked.
 */

#define DEL_PAGES	4
#define DEL_SIZE	(3 * PG + 77)
#define DEL_POS3	1234
#define DEL_POS4	(2 * PG + 5)
#define DEL_SEED	51

static unsigned char del_expect[DEL_PAGES * PG];
static char del_path[64];
static char *del_map;

static int deleted_setup(void)
{
	snprintf(del_path, sizeof(del_path), "/tmp/ckpt-deleted-%d", (int)getpid());
	CHILD_CHECK(1, open(del_path, O_RDWR | O_CREAT | O_EXCL, 0600) == 3, "open %s: %s",
		    del_path, strerror(errno));
	CHILD_CHECK(1, open(del_path, O_RDONLY) == 4, "open %s again", del_path);
	CHILD_CHECK(1, !fchmod(3, 0640), "fchmod");
	ckpt_fill(del_expect, PG, DEL_SEED);
	ckpt_fill(del_expect + 2 * PG, 2 * PG, DEL_SEED + 1);
	memset(del_expect + DEL_SIZE, 0, sizeof(del_expect) - DEL_SIZE);
	CHILD_CHECK(2, pwrite(3, del_expect, PG, 0) == PG &&
		    pwrite(3, del_expect + 2 * PG, DEL_SIZE - 2 * PG, 2 * PG) ==
		    DEL_SIZE - 2 * PG, "pwrite: %s", strerror(errno));
	CHILD_CHECK(2, lseek(3, DEL_POS3, SEEK_SET) == DEL_POS3 &&
		    lseek(4, DEL_POS4, SEEK_SET) == DEL_POS4, "lseek");
	del_map = mmap(NULL, DEL_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
	CHILD_CHECK(3, del_map != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(4, !unlink(del_path), "unlink: %s", strerror(errno));
	return 0;
}

static int deleted_verify(void)
{
	static unsigned char buf[DEL_PAGES * PG];
	struct stat st3, st4, tmp;
	struct map_line ml;

	CHILD_CHECK(10, !fstat(3, &st3) && !fstat(4, &st4) && !stat("/tmp", &tmp), "fstat");
	CHILD_CHECK(10, S_ISREG(st3.st_mode) && st3.st_nlink == 0, "fd 3: mode %o, %lu links",
		    st3.st_mode, (unsigned long)st3.st_nlink);
	CHILD_CHECK(11, st3.st_dev == tmp.st_dev, "fd 3 is on device %lx, /tmp on %lx",
		    (unsigned long)st3.st_dev, (unsigned long)tmp.st_dev);
	CHILD_CHECK(12, (st3.st_mode & 07777) == 0640, "mode %o", st3.st_mode & 07777);
	CHILD_CHECK(12, st3.st_size == DEL_SIZE, "size %lld", (long long)st3.st_size);
	CHILD_CHECK(13, st4.st_ino == st3.st_ino && st4.st_dev == st3.st_dev,
		    "fd 4 is on another file");
	CHILD_CHECK(14, access(del_path, F_OK) && errno == ENOENT, "%s exists again", del_path);

	/* Each description with its offset and access mode. */
	CHILD_CHECK(15, lseek(3, 0, SEEK_CUR) == DEL_POS3 && lseek(4, 0, SEEK_CUR) == DEL_POS4,
		    "offsets %lld %lld", (long long)lseek(3, 0, SEEK_CUR),
		    (long long)lseek(4, 0, SEEK_CUR));
	CHILD_CHECK(16, (fcntl(3, F_GETFL) & O_ACCMODE) == O_RDWR &&
		    (fcntl(4, F_GETFL) & O_ACCMODE) == O_RDONLY, "access modes");
	CHILD_CHECK(16, write(4, "x", 1) == -1 && errno == EBADF, "fd 4 can write");

	/* The contents, the hole included, through fd 4 and the mapping. */
	CHILD_CHECK(17, pread(4, buf, sizeof(buf), 0) == DEL_SIZE, "pread: %s", strerror(errno));
	CHILD_CHECK(17, !memcmp(buf, del_expect, DEL_SIZE), "contents differ");
	CHILD_CHECK(18, !memcmp(del_map, del_expect, DEL_PAGES * PG), "the mapping differs");
	CHILD_CHECK(19, !map_line_of(del_map, &ml) && !strcmp(ml.perms, "rw-s") &&
		    ml.ino == st3.st_ino && ends_with(ml.path, " (deleted)"),
		    "maps: %s inode %lu %s; fd 3 is on %lu", ml.perms, ml.ino, ml.path,
		    (unsigned long)st3.st_ino);

	/* A write through fd 3 at its offset: in the mapping and through fd 4. */
	CHILD_CHECK(20, write(3, "written", 8) == 8, "write: %s", strerror(errno));
	CHILD_CHECK(20, lseek(3, 0, SEEK_CUR) == DEL_POS3 + 8, "offset after write");
	CHILD_CHECK(21, !memcmp(del_map + DEL_POS3, "written", 8), "write not in the mapping");
	CHILD_CHECK(22, pread(4, buf, 8, DEL_POS3) == 8 && !memcmp(buf, "written", 8),
		    "write not seen through fd 4");
	/* A store in the mapping, seen through fd 4 (the hole page). */
	memcpy(del_map + PG, "stored", 7);
	CHILD_CHECK(23, pread(4, buf, 7, PG) == 7 && !memcmp(buf, "stored", 7),
		    "a store in the mapping is not in the file");
	/* Nothing else changed: the file is what it was plus those two writes. */
	memcpy(del_expect + DEL_POS3, "written", 8);
	memcpy(del_expect + PG, "stored", 7);
	CHILD_CHECK(24, pread(4, buf, sizeof(buf), 0) == DEL_SIZE &&
		    !memcmp(buf, del_expect, DEL_SIZE), "the file differs at the end");
	CHILD_CHECK(24, !memcmp(del_map, del_expect, DEL_PAGES * PG),
		    "the mapping differs at the end");
	CHILD_CHECK(25, !fstat(3, &st3) && st3.st_nlink == 0, "linked again");
	return 0;
}

TEST(deleted_file)
{
	int fd = -1;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(deleted_setup, deleted_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, cycle_keep(_metadata, child, &fd));
	/* One file for both fds and the mapping; the hole is not saved. */
	if (fd >= 0) {
		expect_one_unlinked(_metadata, fd, UNLINKED_DELETED, DEL_SIZE, DEL_PAGES - 1);
		close(fd);
	}
}

/* --------------------------------------------------------------------
 * Each kind alone in one process, with no descriptor on it
 *
 * Two pages: page 0 written; page 1 never touched (shared memory, a
 * deleted /dev/shm file), or a COW page (a private memfd mapping, whose
 * memfd has pages 0 and 1 of its own).
 */

enum alone_kind { ALONE_ANON, ALONE_DEV_ZERO, ALONE_MEMFD_PRIVATE, ALONE_SHM_FILE };

#define ALONE_SEED	61

static enum alone_kind alone_kind;
static struct map_line alone_before;
static char *alone_map;

static int alone_setup(void)
{
	char path[64], data[2 * PG];
	void *p = MAP_FAILED;
	int fd;

	switch (alone_kind) {
	case ALONE_ANON:
		p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		break;
	case ALONE_DEV_ZERO:
		fd = open("/dev/zero", O_RDWR);
		CHILD_CHECK(1, fd >= 0, "open /dev/zero");
		p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		break;
	case ALONE_MEMFD_PRIVATE:
		fd = memfd_create("ckpt-alone", 0);
		CHILD_CHECK(1, fd >= 0, "memfd_create");
		ckpt_fill(data, sizeof(data), ALONE_SEED + 10);
		CHILD_CHECK(1, write(fd, data, sizeof(data)) == sizeof(data), "write");
		p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		close(fd);
		break;
	case ALONE_SHM_FILE:
		snprintf(path, sizeof(path), "/dev/shm/ckpt-alone.%d", (int)getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
		CHILD_CHECK(1, fd >= 0 && !ftruncate(fd, 2 * PG), "open %s", path);
		p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		unlink(path);
		break;
	}
	CHILD_CHECK(2, p != MAP_FAILED, "mapping %d: %s", alone_kind, strerror(errno));
	alone_map = p;
	ckpt_fill(alone_map, PG, ALONE_SEED);
	if (alone_kind == ALONE_MEMFD_PRIVATE)
		ckpt_fill(alone_map + PG, PG, ALONE_SEED + 1);
	CHILD_CHECK(3, !map_line_of(alone_map, &alone_before), "not in /proc/self/maps");
	return 0;
}

static int alone_verify(void)
{
	struct map_line ml;
	struct stat st;
	long bad;

	bad = ckpt_check_fill(alone_map, PG, ALONE_SEED);
	CHILD_CHECK(10, bad < 0, "page 0: word %ld", bad);
	if (alone_kind == ALONE_MEMFD_PRIVATE) {
		bad = ckpt_check_fill(alone_map + PG, PG, ALONE_SEED + 1);
		CHILD_CHECK(11, bad < 0, "the COW page: word %ld", bad);
	} else {
		CHILD_CHECK(11, ckpt_all_zero(alone_map + PG, PG), "page 1 is not zero");
	}
	CHILD_CHECK(12, !map_line_of(alone_map, &ml), "not in /proc/self/maps");
	CHILD_CHECK(12, !strcmp(ml.perms, alone_before.perms), "perms %s, were %s", ml.perms,
		    alone_before.perms);
	switch (alone_kind) {
	case ALONE_MEMFD_PRIVATE:
		CHILD_CHECK(13, !strcmp(ml.path, alone_before.path), "%s, was %s", ml.path,
			    alone_before.path);
		break;
	case ALONE_SHM_FILE:
		CHILD_CHECK(13, !stat("/dev/shm", &st) && ml.major == major(st.st_dev) &&
			    ml.minor == minor(st.st_dev) && ends_with(ml.path, " (deleted)"),
			    "%x:%x %s", ml.major, ml.minor, ml.path);
		break;
	default:
		break;
	}
	/* Still writable, and still what it was: shared or private. */
	memcpy(alone_map + PG, "still", 6);
	CHILD_CHECK(14, !memcmp(alone_map + PG, "still", 6), "store lost");
	return 0;
}

static void alone_cycle(struct __test_metadata *_metadata, enum alone_kind kind)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	if (kind == ALONE_SHM_FILE && access("/dev/shm", W_OK))
		SKIP(return, "no /dev/shm");
	alone_kind = kind;
	child = ckpt_spawn(alone_setup, alone_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

TEST(shared_anon_alone)
{
	alone_cycle(_metadata, ALONE_ANON);
}

TEST(dev_zero_shared_alone)
{
	alone_cycle(_metadata, ALONE_DEV_ZERO);
}

TEST(memfd_private_mapping_alone)
{
	alone_cycle(_metadata, ALONE_MEMFD_PRIVATE);
}

TEST(deleted_shm_file_mapping_alone)
{
	alone_cycle(_metadata, ALONE_SHM_FILE);
}

/*
 * A program replaced while it runs (an upgrade): the child runs a copy
 * of this binary, which deletes itself.  After restart /proc/self/exe
 * still names a deleted file in that directory (not the restarter's
 * program) and reads the same bytes, and a second mapping of it (one
 * the program made) still reads them too.
 */
#define DELETED_EXE_ARG	"--deleted-exe-child"

static char exe_copy[64];

/* A sum of the file's bytes, and its size; -1 on error. */
static long long exe_sum(const char *path, long long *size)
{
	unsigned char buf[4096];
	long long sum = 0;
	ssize_t n, i;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			sum = sum * 31 + buf[i];
		*size += n;
	}
	close(fd);
	return n < 0 ? -1 : sum;
}

static int deleted_exe_child(const char *path)
{
	char link[128], want[128];
	long long sum, sum2, size, size2;
	unsigned char *map;
	ssize_t n;
	int fd;

	ckpt_child_init_keep(CKPT_READY_FD, getppid(), 0);
	sum = exe_sum("/proc/self/exe", &size);
	CHILD_CHECK(1, sum != -1 && size > 0, "cannot read /proc/self/exe");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(2, fd >= 0, "open %s: %s", path, strerror(errno));
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHILD_CHECK(3, map != MAP_FAILED, "mmap: %s", strerror(errno));
	close(fd);
	CHILD_CHECK(4, !unlink(path), "unlink %s: %s", path, strerror(errno));
	ckpt_child_wait();

	/* Recreated unlinked in the same directory: the name may differ. */
	snprintf(want, sizeof(want), "%.*s", (int)(strrchr(path, '/') + 1 - path), path);
	n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	CHILD_CHECK(5, n > 0, "readlink: %s", strerror(errno));
	link[n] = 0;
	CHILD_CHECK(6, !strncmp(link, want, strlen(want)) && n > 10 &&
		    !strcmp(link + n - 10, " (deleted)"),
		    "/proc/self/exe is %s, not a deleted file in %s", link, want);
	sum2 = exe_sum("/proc/self/exe", &size2);
	CHILD_CHECK(7, sum2 == sum && size2 == size,
		    "/proc/self/exe reads %lld bytes (sum %lld), was %lld (%lld)",
		    size2, sum2, size, sum);
	CHILD_CHECK(8, !memcmp(map, "\177ELF", 4), "the mapping of the program lost its bytes");
	return 0;
}

/* In the forked child: run a copy of this program that deletes itself. */
static int deleted_exe_setup(void)
{
	char *const argv[] = { exe_copy, DELETED_EXE_ARG, exe_copy, NULL };
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	out = open(exe_copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		return 10;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			return 11;
	close(in);
	if (n < 0 || close(out))
		return 12;
	execv(exe_copy, argv);
	return 13;
}

TEST(deleted_executable_stays_proc_self_exe)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(exe_copy, sizeof(exe_copy), "/tmp/ckpt-exe-%d", (int)getpid());
	unlink(exe_copy);
	child = ckpt_spawn(deleted_exe_setup, NULL);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	unlink(exe_copy);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], DELETED_EXE_ARG))
		return deleted_exe_child(argv[2]);
	return test_harness_run(argc, argv);
}
