// SPDX-License-Identifier: GPL-2.0
/*
 * Restart by an ordinary user: user 65534, with no capability, restarts
 * a job of its own (1) in the caller's namespaces, where every process
 * gets a new PID, and (2) as the init of a user and PID namespace of its
 * own, with the job's original PIDs; and is refused what it could not
 * do itself: another user's job, a set-user-ID executable, a System V
 * segment with a chosen id, a limit above its own hard limit.
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
 * returns, or -errno; the log in @log.  The job is killed again.
 */
static int restart_as_nobody(int img, char *log, size_t size)
{
	int p[2], st, ret = -EIO;
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
		if (r < 0)
			r = -errno;
		if (write(p[1], &r, sizeof(r)) != sizeof(r) ||
		    write(p[1], buf, strlen(buf) + 1) < 0)
			_exit(91);
		if (r > 0) {
			kill(r, SIGKILL);
			waitpid(r, NULL, 0);
		}
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &ret, sizeof(ret)) == sizeof(ret)) {
		ssize_t n = read(p[0], log, size - 1);

		log[n > 0 ? n : 0] = '\0';
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	return ret;
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
