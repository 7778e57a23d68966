// SPDX-License-Identifier: GPL-2.0
/*
 * Restart by an ordinary user: user 65534, with no capability, restarts
 * a job of its own (1) in the caller's namespaces, where every process
 * gets a new PID, and (2) as the init of a user and PID namespace of its
 * own, with the job's original PIDs; and is refused what it could not
 * do itself: another user's job, a set-user-ID executable, a System V
 * segment with a chosen id, a limit above its own hard limit, mm fields
 * that prctl(PR_SET_MM_MAP) would refuse (an empty code range, an
 * address below vm.mmap_min_addr).  A job above its own soft limits,
 * lowered after it grew, comes back, and with those limits.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "ckpt_test.h"

#define NOBODY	65534

/* Drop to user 65534 for good, no capabilities left. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static int nobody_setup(void)
{
	return become_nobody() ? 1 : 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Checkpoint and kill @child; its image in *@img. */
static pid_t image_of(pid_t child, int *img)
{
	if (child <= 0)
		return -1;
	*img = ckpt_image_open();
	if (*img < 0 || ckpt_checkpoint(child, *img, CKPT_KILL))
		return -1;
	ckpt_reap(child);
	return child;
}

/* A checkpointed and killed job of user 65534, and its image. */
static pid_t make_image(struct __test_metadata *_metadata, int *img)
{
	(void)_metadata;
	return image_of(ckpt_spawn(nobody_setup, NULL), img);
}

/*
 * As user 65534 (in a child), restart(2) the image in @img: the PID it
 * returns, or -errno; the log in @log.  The job is killed again; or,
 * with @verdict, woken (SIGUSR2) and reaped, and its exit status (as
 * ckpt_reap() gives it) goes to *@verdict.
 */
static int restart_as_nobody_then(int img, char *log, size_t size, int *verdict)
{
	int p[2], st, res[2], ret = -EIO;	/* res: the PID or -errno; the verdict */
	pid_t pid;

	log[0] = '\0';
	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		char buf[4096];
		pid_t r;

		close(p[0]);
		if (become_nobody())
			_exit(90);
		r = ckpt_restart_log(img, buf, sizeof(buf));
		res[0] = r < 0 ? -errno : r;
		res[1] = -1;
		if (r > 0)
			res[1] = verdict ? ckpt_wake_reap(r) : ckpt_kill_reap(r);
		if (write(p[1], res, sizeof(res)) != sizeof(res) ||
		    write(p[1], buf, strlen(buf) + 1) < 0)
			_exit(91);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], res, sizeof(res)) == sizeof(res)) {
		ssize_t n = ckpt_read_all(p[0], log, size - 1);

		log[n > 0 ? n : 0] = '\0';
		ret = res[0];
		if (verdict)
			*verdict = res[1];
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	return ret;
}

static int restart_as_nobody(int img, char *log, size_t size)
{
	return restart_as_nobody_then(img, log, size, NULL);
}

/*
 * User 65534 restarts its own job in the caller's namespaces: it cannot
 * choose PIDs, so the process comes back with a new one, and the log
 * says so.
 */
TEST(ordinary_user_restarts_its_job_with_new_pids)
{
	char log[4096];
	pid_t job;
	int img, r;

	job = make_image(_metadata, &img);
	ASSERT_GT(job, 0);
	r = restart_as_nobody(img, log, sizeof(log));
	EXPECT_GT(r, 0) TH_LOG("restart: %s; log: %s", strerror(-r), log);
	EXPECT_NE(job, r);
	EXPECT_NE(NULL, strstr(log, "restored as pid")) TH_LOG("log: %s", log);
	close(img);
}

/* Another user's job (root's): its credentials are refused. */
TEST(ordinary_user_cannot_restart_another_user_s_job)
{
	char log[4096];
	int img, r;

	ASSERT_GT(image_of(ckpt_spawn(NULL, NULL), &img), 0);
	r = restart_as_nobody(img, log, sizeof(log));
	EXPECT_EQ(-EPERM, r) TH_LOG("restart: %d; log: %s", r, log);
	close(img);
}

/* A job whose limit is above the restarter's hard limit: refused. */
static int high_limit_setup(void)
{
	struct rlimit rl = { 2048, 2048 };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 1;
	return become_nobody() ? 1 : 0;
}

TEST(ordinary_user_cannot_raise_a_hard_limit)
{
	struct rlimit low = { 1024, 1024 }, old;
	char log[4096];
	int img, r;

	ASSERT_GT(image_of(ckpt_spawn(high_limit_setup, NULL), &img), 0);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &low));
	r = restart_as_nobody(img, log, sizeof(log));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	EXPECT_EQ(-EPERM, r) TH_LOG("restart: %d; log: %s", r, log);
	EXPECT_NE(NULL, strstr(log, "hard limit")) TH_LOG("log: %s", log);
	close(img);
}

/* A System V segment: making it with its id needs the capability. */
static int shm_setup(void)
{
	int id;

	if (become_nobody())
		return 1;
	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0 || shmat(id, NULL, 0) == (void *)-1)
		return 2;
	return 0;
}

TEST(ordinary_user_cannot_choose_a_system_v_segment_id)
{
	struct shmid_ds ds;
	char log[4096];
	int img, r, id, max;

	ASSERT_GT(image_of(ckpt_spawn(shm_setup, NULL), &img), 0);
	r = restart_as_nobody(img, log, sizeof(log));
	EXPECT_EQ(-EPERM, r) TH_LOG("restart: %d; log: %s", r, log);
	EXPECT_NE(NULL, strstr(log, "CAP_CHECKPOINT_RESTORE")) TH_LOG("log: %s", log);
	/* The segment the killed job left behind. */
	max = shmctl(0, SHM_INFO, (struct shmid_ds *)&ds);
	for (id = 0; id <= max; id++) {
		int shmid = shmctl(id, SHM_STAT, &ds);

		if (shmid >= 0 && ds.shm_perm.uid == NOBODY)
			shmctl(shmid, IPC_RMID, NULL);
	}
	close(img);
}

/*
 * The executable: one the process could run is restored; once it is
 * set-user-ID, a process claiming it is refused (PR_SET_MM_EXE_FILE
 * needs CAP_CHECKPOINT_RESTORE for that reason).
 */
TEST(ordinary_user_cannot_restore_a_set_user_id_executable)
{
	char dir[] = "/tmp/ckpt-user.XXXXXX", prog[64], log[4096];
	int in, out, img, r;
	struct stat st;
	pid_t child;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, chmod(dir, 0755));
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	in = open("/proc/self/exe", O_RDONLY);
	ASSERT_LE(0, in);
	ASSERT_EQ(0, fstat(in, &st));
	out = open(prog, O_WRONLY | O_CREAT | O_EXCL, 0755);
	ASSERT_LE(0, out);
	ASSERT_EQ(st.st_size, sendfile(out, in, NULL, st.st_size));
	close(in);
	close(out);

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (become_nobody())
			_exit(90);
		execl(prog, prog, "--sleep", NULL);
		_exit(91);
	}
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	ASSERT_GT(image_of(child, &img), 0);

	r = restart_as_nobody(img, log, sizeof(log));
	EXPECT_GT(r, 0) TH_LOG("restart: %d; log: %s", r, log);
	ASSERT_EQ(0, chmod(prog, 04755));
	r = restart_as_nobody(img, log, sizeof(log));
	EXPECT_EQ(-EPERM, r) TH_LOG("restart: %d; log: %s", r, log);
	EXPECT_NE(NULL, strstr(log, "set-user-ID")) TH_LOG("log: %s", log);
	close(img);
	unlink(prog);
	rmdir(dir);
}

/*
 * In a user and PID namespace of its own, where it holds
 * CAP_CHECKPOINT_RESTORE, user 65534 gets its job's original PID.
 */
TEST(ordinary_user_restarts_with_its_pids_in_its_own_pid_namespace)
{
	char log[4096], map[64];
	int img, st;
	pid_t job, pid, r;

	job = make_image(_metadata, &img);
	ASSERT_GT(job, 0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pid_t init, p;

		if (become_nobody())
			_exit(90);
		if (unshare(CLONE_NEWUSER | CLONE_NEWPID)) {
			fprintf(stderr, "# unshare: %s\n", strerror(errno));
			_exit(91);
		}
		snprintf(map, sizeof(map), "%d %d 1", NOBODY, NOBODY);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", map) ||
		    write_file("/proc/self/gid_map", map)) {
			fprintf(stderr, "# id maps: %s\n", strerror(errno));
			_exit(92);
		}
		init = fork();
		if (init < 0)
			_exit(93);
		if (!init) {
			p = ckpt_restart_log(img, log, sizeof(log));
			if (p != job)
				fprintf(stderr, "# restart: %d (%s), job was %d; log: %s\n",
					(int)p, p < 0 ? strerror(errno) : "ok", (int)job, log);
			if (p < 0)
				_exit(1);
			kill(p, SIGKILL);
			waitpid(p, NULL, 0);
			_exit(p == job ? 0 : 2);
		}
		waitpid(init, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 3);
	}
	r = waitpid(pid, &st, 0);
	ASSERT_EQ(pid, r);
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("status %#x", st);
}

/*
 * A job may be above its own soft limits: it grew its heap, or opened a
 * descriptor, then lowered the limit, which setrlimit(2) allows.  Restart
 * gives a process the image's limits on what it holds only once all of
 * it is restored (until then their soft limit is the hard one), so such
 * a job comes back, with its lowered limits.  Before, restart applied
 * them first, and mapping the heap failed (ENOMEM, "cannot map"), as
 * root too.
 */

#define HEAP_GROW	(4 * 1024 * 1024UL)	/* the heap grows by this, with sbrk() */
#define HEAP_LIMIT	(1024 * 1024UL)	/* the soft RLIMIT_DATA it may lower then */
#define HEAP_SEED	0x6865617062726bULL

static char *heap_start, *heap_end;	/* the heap's new part */
static struct rlimit heap_rl;		/* RLIMIT_DATA at the checkpoint */

/* The kernel's program break (glibc's sbrk(0) says what it cached). */
static char *cur_brk(void)
{
	return (char *)syscall(SYS_brk, 0);
}

/* As user 65534: grow the heap by HEAP_GROW and fill it, every page. */
static int heap_setup(void)
{
	void *p;

	if (become_nobody())
		return 1;
	p = sbrk(HEAP_GROW);
	if (p == (void *)-1)
		return 2;
	heap_start = p;
	heap_end = cur_brk();
	if (heap_end != heap_start + HEAP_GROW)
		return 3;
	ckpt_fill(heap_start, HEAP_GROW, HEAP_SEED);
	return getrlimit(RLIMIT_DATA, &heap_rl) ? 4 : 0;
}

/*
 * The same, then: lower the soft RLIMIT_DATA below the heap's size; hold
 * /dev/null open on HELD_FD and lower the soft RLIMIT_NOFILE below it.
 * (Not the fd 100 of the tests' usual example: that is CKPT_READY_FD,
 * the readiness pipe, open until the job sleeps.)
 */
#define HELD_FD		80
#define NOFILE_LIMIT	50

static struct rlimit nofile_rl;		/* RLIMIT_NOFILE at the checkpoint */
static dev_t held_rdev;			/* /dev/null's */

static int heap_lowered_setup(void)
{
	struct stat st;
	int ret = heap_setup(), fd;

	if (ret)
		return ret;
	if (heap_rl.rlim_max < HEAP_LIMIT)
		return 5;
	heap_rl.rlim_cur = HEAP_LIMIT;
	if (setrlimit(RLIMIT_DATA, &heap_rl))
		return 6;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || fd >= NOFILE_LIMIT || dup2(fd, HELD_FD) != HELD_FD || close(fd) ||
	    fstat(HELD_FD, &st) || !S_ISCHR(st.st_mode))
		return 7;
	held_rdev = st.st_rdev;
	if (getrlimit(RLIMIT_NOFILE, &nofile_rl) || nofile_rl.rlim_max < NOFILE_LIMIT)
		return 8;
	nofile_rl.rlim_cur = NOFILE_LIMIT;
	return setrlimit(RLIMIT_NOFILE, &nofile_rl) ? 9 : 0;
}

/*
 * After the restart: the heap holds what it did and ends where it did;
 * RLIMIT_DATA is what it was, and brk(2) still obeys it: it grows the
 * heap by a page below the limit, not above it.
 */
static int heap_verify(void)
{
	char *end = cur_brk(), *grown;
	struct rlimit rl;
	long bad;

	CHILD_CHECK(1, end == heap_end, "the heap ends at %p, not %p", (void *)end,
		    (void *)heap_end);
	bad = ckpt_check_fill(heap_start, HEAP_GROW, HEAP_SEED);
	CHILD_CHECK(2, bad < 0, "heap word %ld changed", bad);
	CHILD_CHECK(3, !getrlimit(RLIMIT_DATA, &rl) && rl.rlim_cur == heap_rl.rlim_cur &&
		    rl.rlim_max == heap_rl.rlim_max, "RLIMIT_DATA %llu/%llu, was %llu/%llu",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
		    (unsigned long long)heap_rl.rlim_cur, (unsigned long long)heap_rl.rlim_max);
	grown = (char *)syscall(SYS_brk, end + 4096);
	if (heap_rl.rlim_cur == HEAP_LIMIT) {
		CHILD_CHECK(4, grown == end, "brk(2) grew the heap to %p above RLIMIT_DATA",
			    (void *)grown);
		errno = 0;
		CHILD_CHECK(4, brk(end + 4096) == -1 && errno == ENOMEM,
			    "brk() above RLIMIT_DATA: %s", errno ? strerror(errno) : "grown");
	} else {
		CHILD_CHECK(5, grown == end + 4096, "brk(2) could not grow the heap: %p",
			    (void *)grown);
		CHILD_CHECK(5, (char *)syscall(SYS_brk, end) == end,
			    "brk(2) could not shrink the heap back");
	}
	return 0;
}

/*
 * After the restart of heap_lowered_setup()'s job: what heap_verify()
 * checks; and RLIMIT_NOFILE is what it was, HELD_FD still /dev/null, and
 * the limit still obeyed: no new descriptor at NOFILE_LIMIT or above.
 */
static int heap_lowered_verify(void)
{
	int ret = heap_verify(), fd;
	struct rlimit rl;
	struct stat st;

	if (ret)
		return ret;
	CHILD_CHECK(10, !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur == nofile_rl.rlim_cur &&
		    rl.rlim_max == nofile_rl.rlim_max, "RLIMIT_NOFILE %llu/%llu, was %llu/%llu",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
		    (unsigned long long)nofile_rl.rlim_cur, (unsigned long long)nofile_rl.rlim_max);
	CHILD_CHECK(11, !fstat(HELD_FD, &st), "fd %d: %s", HELD_FD, strerror(errno));
	CHILD_CHECK(12, S_ISCHR(st.st_mode) && st.st_rdev == held_rdev,
		    "fd %d is not /dev/null: mode %#o", HELD_FD, (unsigned int)st.st_mode);
	errno = 0;
	fd = fcntl(HELD_FD, F_DUPFD, NOFILE_LIMIT);
	CHILD_CHECK(13, fd < 0 && errno == EINVAL,
		    "F_DUPFD at RLIMIT_NOFILE: %d (%s)", fd, errno ? strerror(errno) : "made");
	return 0;
}

/* (brk - start_brk) + (end_data - start_data) of the image's mm record, or -1. */
static long long image_data_brk(int img)
{
	const struct ckpt_rec_mm *mm;
	size_t len, off = 0;
	long long size = -1;
	void *buf;

	buf = ckpt_image_load(img, &len);
	if (!buf)
		return -1;
	mm = (const struct ckpt_rec_mm *)ckpt_image_next(buf, len, &off, CKPT_REC_MM);
	if (mm && mm->h.len >= sizeof(*mm))
		size = (long long)(mm->brk - mm->start_brk + mm->end_data - mm->start_data);
	free(buf);
	return size;
}

/*
 * A process above its own soft RLIMIT_DATA (its heap) and RLIMIT_NOFILE
 * (a descriptor it holds): user 65534 restores it, with a new PID, and
 * root restores the same image, with its PID; each time the process
 * finds its heap, its descriptor and its lowered limits as they were,
 * and the limits still obeyed.
 */
TEST(heap_above_a_lowered_soft_rlimit_data_restarts)
{
	int img, r, err, verdict = -1;
	char log[4096];
	long long size;
	pid_t job;

	if (!ckpt_preamble(_metadata))
		return;
	job = image_of(ckpt_spawn(heap_lowered_setup, heap_lowered_verify), &img);
	ASSERT_GT(job, 0);
	size = image_data_brk(img);
	ASSERT_LT((long long)HEAP_LIMIT, size) TH_LOG("the image's data and brk size: %lld", size);

	r = restart_as_nobody_then(img, log, sizeof(log), &verdict);
	EXPECT_LT(0, r) TH_LOG("restart: %s%s; log: %s", strerror(-r),
			       r == -ENOMEM ? " (mapped under the restored RLIMIT_DATA?)" : "",
			       log);
	EXPECT_NE(job, r);
	EXPECT_EQ(0, verdict) TH_LOG("the restored process: status %d; log: %s", verdict, log);

	/* Root, with CAP_CHECKPOINT_RESTORE, restores it with its PID. */
	r = ckpt_restart_log(img, log, sizeof(log));
	err = r < 0 ? errno : 0;
	EXPECT_EQ(job, r) TH_LOG("restart as root: %s%s; log: %s",
				 err ? strerror(err) : "another PID",
				 err == ENOMEM ? " (mapped under the restored RLIMIT_DATA?)" : "",
				 log);
	if (r > 0)
		EXPECT_EQ(0, ckpt_wake_reap(r));
	close(img);
}

/*
 * The same process, its limit left as it was: user 65534 restores it
 * (with a new PID), and it finds its heap as it was.
 */
TEST(ordinary_user_restores_a_heap_grown_with_brk)
{
	int img, r, verdict = -1;
	struct rlimit rl;
	char log[4096];
	long long size;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_GT(image_of(ckpt_spawn(heap_setup, heap_verify), &img), 0);
	size = image_data_brk(img);
	ASSERT_LE((long long)HEAP_GROW, size) TH_LOG("the image's data and brk size: %lld", size);
	/* The job has our limit: the premise is that the heap is within it. */
	ASSERT_EQ(0, getrlimit(RLIMIT_DATA, &rl));
	ASSERT_TRUE(rl.rlim_cur == RLIM_INFINITY || (long long)rl.rlim_cur >= size);

	r = restart_as_nobody_then(img, log, sizeof(log), &verdict);
	EXPECT_LT(0, r) TH_LOG("restart: %s; log: %s", strerror(-r), log);
	EXPECT_EQ(0, verdict) TH_LOG("the restored process: status %d; log: %s", verdict, log);
	close(img);
}

/*
 * The mm record's fields (code, data, brk, stack, arguments and
 * environment addresses): without CAP_CHECKPOINT_RESTORE, restart
 * follows prctl(PR_SET_MM_MAP)'s rules, which let any process set them
 * within bounds, and refuses (EPERM) what that would refuse.  Two edits
 * of an image that user 65534 restores as it is: an empty code range,
 * and an address below vm.mmap_min_addr (arg_start 0, arg_end left
 * above it).  Root, with the capability, restores either, and the job,
 * which does not look at those fields, runs to its end.
 */
static void mm_empty_code(struct ckpt_rec_mm *mm)
{
	mm->start_code = mm->end_code;
}

static void mm_arg_start_0(struct ckpt_rec_mm *mm)
{
	mm->arg_start = 0;
}

static const struct {
	void (*edit)(struct ckpt_rec_mm *mm);
	const char *what, *reason;	/* the edit; what the log says of it */
} mm_edits[] = {
	{ mm_empty_code, "start_code = end_code", "empty code range" },
	{ mm_arg_start_0, "arg_start = 0", "outside [mmap_min_addr, TASK_SIZE)" },
};

/*
 * A new image file: the image in @img with its mm record edited by
 * @edit, re-signed.  Its descriptor, or -1.
 */
static int image_with_mm(int img, void (*edit)(struct ckpt_rec_mm *mm))
{
	struct ckpt_rec_mm *mm;
	size_t len, off = 0;
	int fd = -1;
	void *buf;

	buf = ckpt_image_load(img, &len);
	if (!buf)
		return -1;
	mm = (struct ckpt_rec_mm *)ckpt_image_next(buf, len, &off, CKPT_REC_MM);
	if (mm && mm->h.len >= sizeof(*mm) && mm->start_code < mm->end_code &&
	    mm->arg_start && mm->arg_start <= mm->arg_end) {
		edit(mm);
		fd = ckpt_image_open();
		if (fd >= 0 && (ckpt_image_resign(buf, len) || ckpt_image_store(fd, buf, len))) {
			close(fd);
			fd = -1;
		}
	}
	free(buf);
	return fd;
}

TEST(ordinary_user_is_refused_mm_fields_pr_set_mm_map_refuses)
{
	unsigned long min_addr = 0;
	char log[4096], buf[32];
	int img, copy, n, r, err;
	unsigned int i;
	pid_t job;

	if (!ckpt_preamble(_metadata))
		return;
	if (ckpt_read_file("/proc/sys/vm/mmap_min_addr", buf, sizeof(buf)) > 0)
		min_addr = strtoul(buf, NULL, 0);
	if (!min_addr)
		SKIP(return, "vm.mmap_min_addr is 0 (or unreadable): no address is below it");
	/* Whatever a refused restart left behind would come to us. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	job = make_image(_metadata, &img);
	ASSERT_GT(job, 0);
	/* As it is, the image is user 65534's to restore. */
	r = restart_as_nobody(img, log, sizeof(log));
	ASSERT_LT(0, r) TH_LOG("restart of the unedited image: %s; log: %s", strerror(-r), log);

	for (i = 0; i < ARRAY_SIZE(mm_edits); i++) {
		copy = image_with_mm(img, mm_edits[i].edit);
		ASSERT_LE(0, copy) TH_LOG("%s: no edited image (no mm record?)", mm_edits[i].what);

		n = ckpt_count_user_processes();
		r = restart_as_nobody(copy, log, sizeof(log));
		EXPECT_EQ(-EPERM, r) TH_LOG("%s: restart: %d (%s); log: %s", mm_edits[i].what, r,
					    r < 0 ? strerror(-r) : "restored", log);
		EXPECT_NE(NULL, strstr(log, "PR_SET_MM_MAP"))
			TH_LOG("%s: log: %s", mm_edits[i].what, log);
		EXPECT_NE(NULL, strstr(log, mm_edits[i].reason))
			TH_LOG("%s: log: %s", mm_edits[i].what, log);
		EXPECT_NE(NULL, strstr(log, "CAP_CHECKPOINT_RESTORE"))
			TH_LOG("%s: log: %s", mm_edits[i].what, log);
		EXPECT_FALSE(ckpt_have_children()) TH_LOG("%s", mm_edits[i].what);
		EXPECT_EQ(n, ckpt_count_user_processes()) TH_LOG("%s", mm_edits[i].what);

		/* Root, with CAP_CHECKPOINT_RESTORE, restores it with its PID. */
		r = ckpt_restart_log(copy, log, sizeof(log));
		err = r < 0 ? errno : 0;
		EXPECT_EQ(job, r) TH_LOG("%s: restart as root: %s; log: %s", mm_edits[i].what,
					 err ? strerror(err) : "another PID", log);
		if (r > 0)
			EXPECT_EQ(0, ckpt_wake_reap(r)) TH_LOG("%s", mm_edits[i].what);
		close(copy);
	}
	close(img);
}

/* A job that ends by itself: 7, after about two seconds of naps. */
static int nap_main(void)
{
	int i;

	if (become_nobody())
		return 1;
	ckpt_child_ready();
	for (i = 0; i < 20; i++)
		usleep(100 * 1000);
	return 7;
}

/*
 * restart --pidns does the same for its user: its job comes back with
 * its PID (printed) in the namespaces the tool makes, runs to its end,
 * and the tool exits with its status.
 */
TEST(restart_tool_pidns_gives_an_ordinary_user_its_pids)
{
	char buf[32];
	pid_t job, tool;
	int img, out[2], st;
	ssize_t n;

	job = image_of(ckpt_spawn_main(nap_main), &img);
	ASSERT_GT(job, 0);
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	ASSERT_EQ(0, pipe(out));
	fflush(NULL);
	tool = fork();
	ASSERT_LE(0, tool);
	if (!tool) {
		if (become_nobody() || dup2(img, 0) < 0 || dup2(out[1], 1) < 0)
			_exit(90);
		execlp("restart", "restart", "--pidns", NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(out[1]);
	n = read(out[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(out[0]);
	ASSERT_EQ(tool, waitpid(tool, &st, 0));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		SKIP(return, "the restart tool is not on PATH");
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7) TH_LOG("status %#x", st);
	EXPECT_EQ(job, atoi(buf)) TH_LOG("printed \"%s\"", buf);
	close(img);
}

int main(int argc, char **argv)
{
	/* The executable of the set-user-ID test's job. */
	if (argc == 2 && !strcmp(argv[1], "--sleep")) {
		for (;;)
			pause();
	}
	return test_harness_run(argc, argv);
}
