// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: failures, and what they leave behind.
 *
 * A checkpoint that fails leaves its target exactly as it was, even
 * when CKPT_KILL or CKPT_STOP was asked for: the image going to a full
 * tmpfs (ENOSPC) or to a pipe nobody reads any more (EPIPE); a target
 * holding an AF_INET socket (unix sockets are saved: ckpt_socket_test)
 * or a fanotify descriptor above fd 2, a thread with a working
 * directory or file table of its own, attached to a System V shared
 * memory segment locked with SHM_LOCK, or with System V semaphore
 * adjustments to undo (SEM_UNDO) (EOPNOTSUPP, with the reason on
 * logfd), or a pipe above fd 2 whose other end a process outside the
 * job holds, or a working directory shared (CLONE_FS) with a process
 * outside the job (EBUSY, the reason naming the pipe and that process);
 * a pipe with both ends in the process is saved.  A target killed
 * (SIGKILL) while it is being saved fails the checkpoint with ESRCH.
 * Argument errors: ESRCH for a pid that does not exist, EINVAL for
 * unknown flags, EBADF for bad descriptors, and init and kernel threads
 * are refused.  restart() of an empty file is ENOEXEC; of garbage, a
 * truncated or corrupted image, an error too, and nothing is left
 * behind.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <strings.h>
#include <pthread.h>
#include <sched.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>

#include <sys/time.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

/* Start the computing child and wait until it is well on its way. */
static pid_t start_compute(void)
{
	pid_t child = ckpt_spawn_main(ckpt_compute_main);
	uint64_t p;

	if (child < 0)
		return -1;
	p = ckpt_compute_wait_past(child, 10000, 20000);
	if (p == (uint64_t)-1 || p <= 10000) {
		ckpt_kill_reap(child);
		return -1;
	}
	return child;
}

/*
 * After a failed checkpoint: the computing child is still there, not
 * stopped, computes on, and finishes with the right result.
 */
static int compute_intact(pid_t child)
{
	uint64_t p;
	int status;

	if (waitpid(child, &status, WNOHANG) != 0) {
		ckpt_msg("target %d is gone", (int)child);
		return -1;
	}
	p = ckpt_compute_progress_of(child);
	if (p == (uint64_t)-1 || ckpt_compute_wait_past(child, p, 5000) <= p) {
		ckpt_msg("target %d does not compute any more (state %c)",
			 (int)child, ckpt_proc_state(child) ?: '?');
		ckpt_kill_reap(child);
		return -1;
	}
	return ckpt_wake_reap(child);
}

/* A sleeping child with memory to check. */
#define MEM_SIZE	(512 * 1024)

static uint64_t *mem;

static int mem_setup(void)
{
	mem = malloc(MEM_SIZE);
	CHILD_CHECK(1, mem, "malloc");
	ckpt_fill(mem, MEM_SIZE, 19);
	return 0;
}

static int mem_verify(void)
{
	long bad = ckpt_check_fill(mem, MEM_SIZE, 19);

	CHILD_CHECK(2, bad < 0, "word %ld", bad);
	return 0;
}

/* Read what is in the pipe @fd (write end closed) into @buf. */
static void read_log(int fd, char *buf, size_t size)
{
	ssize_t n = ckpt_read_all(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

/* --------------------------------------------------------------------
 * Writing the image fails
 */

TEST(enospc_on_a_full_tmpfs_leaves_target_running)
{
	char dir[64], path[96];
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(dir, sizeof(dir), "/tmp/ckpt-tiny-%d", (int)getpid());
	ASSERT_EQ(0, mkdir(dir, 0700));
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k")) {
		rmdir(dir);
		SKIP(return, "cannot mount a tmpfs: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/image", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);

	child = start_compute();
	ASSERT_GT(child, 0);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, fd, CKPT_KILL, 2));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, compute_intact(child));

	close(fd);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A checkpoint blocked writing to a full pipe nobody reads is
 * interrupted by a signal to the checkpointer: EINTR, and the target
 * runs on as before (not stopped although CKPT_STOP was asked for).
 */
TEST(signal_to_the_checkpointer_fails_with_eintr_and_leaves_target_running)
{
	struct sigaction sa;
	struct itimerval it;
	pid_t child;
	int p[2];

	if (!ckpt_preamble(_metadata))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	child = start_compute();
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 500000;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, p[1], CKPT_STOP, 2));
	EXPECT_EQ(EINTR, errno);
	close(p[0]);
	close(p[1]);
	EXPECT_NE('T', ckpt_proc_state(child));
	EXPECT_EQ(0, compute_intact(child));
}

TEST(epipe_on_a_closed_pipe_leaves_target_running)
{
	pid_t child;
	int p[2];

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	child = start_compute();
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	close(p[0]);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, p[1], CKPT_STOP, 2));
	EXPECT_EQ(EPIPE, errno);
	close(p[1]);
	EXPECT_NE('T', ckpt_proc_state(child));
	EXPECT_EQ(0, compute_intact(child));
}

/* --------------------------------------------------------------------
 * The target is killed while it is being saved
 */

#define BIG_SIZE	(16 << 20)

static uint64_t *big;

static int big_setup(void)
{
	big = malloc(BIG_SIZE);
	CHILD_CHECK(1, big, "malloc");
	ckpt_fill(big, BIG_SIZE, 23);
	return 0;
}

static int big_verify(void)
{
	long bad = ckpt_check_fill(big, BIG_SIZE, 23);

	CHILD_CHECK(2, bad < 0, "word %ld", bad);
	return 0;
}

/*
 * Checkpoint a 16 MiB sleeper into a one-page pipe from another process,
 * read @skip bytes of the image, then SIGKILL the target while the
 * checkpointer waits for room in the pipe.  The fatal signal takes the
 * target out of the freeze; the checkpoint must notice, fail with ESRCH
 * and say why, rather than save (or touch) a thread that is going away.
 */
static void killed_during_checkpoint(struct __test_metadata *_metadata, size_t skip)
{
	char log[4096], *buf;
	size_t got = 0;
	pid_t child, ckpt;
	int img[2], lp[2], status;
	ssize_t n;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(big_setup, big_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, pipe2(img, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(lp, O_CLOEXEC));
	ASSERT_LE(0, fcntl(img[1], F_SETPIPE_SZ, 4096));
	ckpt = fork();
	ASSERT_LE(0, ckpt);
	if (ckpt == 0) {
		close(img[0]);
		close(lp[0]);
		_exit(checkpoint(child, img[1], CKPT_CONTINUE, lp[1]) ? errno : 0);
	}
	close(img[1]);
	close(lp[1]);
	buf = malloc(65536);
	ASSERT_NE(NULL, buf);
	while (got < skip) {
		n = read(img[0], buf, skip - got < 65536 ? skip - got : 65536);
		ASSERT_GT(n, 0);
		got += n;
	}
	/* The checkpointer fills the pipe and waits; the target is frozen. */
	ckpt_sleep_ms(200);
	EXPECT_EQ('S', ckpt_proc_state(child));
	ASSERT_EQ(0, kill(child, SIGKILL));
	while ((n = read(img[0], buf, 65536)) > 0)
		got += n;
	free(buf);
	close(img[0]);
	ASSERT_EQ(ckpt, waitpid(ckpt, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(ESRCH, WEXITSTATUS(status));
	read_log(lp[0], log, sizeof(log));
	close(lp[0]);
	TH_LOG("%zu image bytes; log: %s", got, log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "was killed during the checkpoint"));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(sigkill_of_the_target_at_the_first_records_is_esrch_and_logged)
{
	killed_during_checkpoint(_metadata, 0);
}

TEST(sigkill_of_the_target_amid_its_memory_is_esrch_and_logged)
{
	killed_during_checkpoint(_metadata, 4 << 20);
}

/* --------------------------------------------------------------------
 * Unsupported descriptors
 */

/* fd 5: an AF_INET datagram socket, which no checkpoint saves. */
static int socket_setup(void)
{
	int s;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHILD_CHECK(1, s >= 0, "socket: %s", strerror(errno));
	CHILD_CHECK(1, dup2(s, 5) == 5, "dup2");
	close(s);
	return mem_setup();
}

static int socket_verify(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct stat st;

	CHILD_CHECK(3, !fstat(5, &st) && S_ISSOCK(st.st_mode),
		    "fd 5 is not a socket any more");
	CHILD_CHECK(4, !getsockname(5, (struct sockaddr *)&ss, &len) && ss.ss_family == AF_INET,
		    "fd 5 is not an AF_INET socket any more");
	return mem_verify();
}

TEST(socket_at_fd_5_is_eopnotsupp_and_logged)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(socket_setup, socket_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "fd 5 is an AF_INET socket"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* A pipe at fds 3 (read) and 4 (write), with data in it. */
static int pipe_fd_setup(void)
{
	int p[2];

	CHILD_CHECK(1, !pipe(p), "pipe");
	CHILD_CHECK(1, p[0] == 3 && p[1] == 4, "pipe at fds %d %d", p[0], p[1]);
	CHILD_CHECK(1, write(4, "before", 6) == 6, "write");
	return mem_setup();
}

static int pipe_fd_verify(void)
{
	struct stat st;
	char buf[8];

	CHILD_CHECK(3, !fstat(3, &st) && S_ISFIFO(st.st_mode), "fd 3");
	CHILD_CHECK(4, read(3, buf, sizeof(buf)) == 6 && !memcmp(buf, "before", 6),
		    "the data in the pipe are gone");
	CHILD_CHECK(5, write(4, "x", 1) == 1 && read(3, buf, 1) == 1 &&
		    buf[0] == 'x', "fds 3 and 4 are not one pipe any more");
	return mem_verify();
}

/* Both ends in the process: the pipe is saved with its data. */
TEST(pipe_with_both_ends_in_the_process_is_saved)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(pipe_fd_setup, pipe_fd_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* fd 3: the read end of a pipe whose writer is the test. */
static int pipe_outside_main(void *arg)
{
	char buf[32];
	ssize_t n;

	(void)arg;
	mem_setup();
	ckpt_member_wait(1);
	n = ckpt_read_all(3, buf, sizeof(buf) - 1);
	CHILD_CHECK(3, n == 11 && !memcmp(buf, "beforeafter", 11),
		    "read %zd bytes from fd 3", n);
	return mem_verify();
}

TEST(pipe_end_held_outside_is_ebusy_and_logged)
{
	struct ckpt_member m[1];
	char log[4096];
	int p[2], n = 0;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	/* The child gets the read end as its fd 3; we keep the write end. */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_GT(p[1], 2);
	ASSERT_EQ(6, write(p[1], "before", 6));
	child = ckpt_job_spawn(pipe_outside_main, NULL, -1, &p[0], 1, m, &n, 1);
	ASSERT_GT(child, 0);
	close(p[0]);
	ASSERT_EQ(0, ckpt_job_settle(m, n, 10000));

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strcasestr(log, "pipe"));
	EXPECT_TRUE(ckpt_log_has(log, "", getpid()))
		TH_LOG("the outside holder, pid %d, is not named", getpid());
	/* The pipe was not touched: what we write now follows. */
	ASSERT_EQ(5, write(p[1], "after", 5));
	close(p[1]);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * A fanotify descriptor, which checkpoint(2) does not save: refused,
 * naming the descriptor and what it is, and the job runs on with its
 * mark.  (inotify is saved: ckpt_eventfd_test.)
 */
static char fanotify_file[64];

static int fanotify_setup(void)
{
	int fd;

	snprintf(fanotify_file, sizeof(fanotify_file), "/tmp/ckpt-fanotify-%d", (int)getpid());
	fd = open(fanotify_file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHILD_CHECK(1, fd >= 0, "create %s: %s", fanotify_file, strerror(errno));
	close(fd);
	CHILD_CHECK(1, fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY) == 3,
		    "fanotify_init: %s", strerror(errno));
	CHILD_CHECK(1, !fanotify_mark(3, FAN_MARK_ADD, FAN_MODIFY, AT_FDCWD, fanotify_file),
		    "fanotify_mark: %s", strerror(errno));
	return mem_setup();
}

/* The mark is still there: a write is reported. */
static int fanotify_verify(void)
{
	struct fanotify_event_metadata ev;
	int fd;

	CHILD_CHECK(3, read(3, &ev, sizeof(ev)) == -1 && errno == EAGAIN, "an event already");
	fd = open(fanotify_file, O_WRONLY | O_CLOEXEC);
	CHILD_CHECK(3, fd >= 0 && write(fd, "x", 1) == 1, "write: %s", strerror(errno));
	close(fd);
	CHILD_CHECK(4, read(3, &ev, sizeof(ev)) == sizeof(ev) && ev.mask & FAN_MODIFY,
		    "no FAN_MODIFY event: %s", strerror(errno));
	if (ev.fd >= 0)
		close(ev.fd);
	unlink(fanotify_file);
	return mem_verify();
}

TEST(fanotify_is_refused_and_named)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(fanotify_setup, fanotify_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "fd 3 is an anonymous file ([fanotify])"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * System V semaphore adjustments to undo at exit (semop() with SEM_UNDO)
 * are not saved: refused, naming SEM_UNDO, and the job runs on with its
 * adjustment (its exit gives the semaphore back).  A process whose
 * threads merely share an undo list, without SEM_UNDO, is saved (every
 * multithreaded test does that).
 */
static int semundo_id = -1;

static int semundo_setup(void)
{
	struct sembuf op = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };

	semundo_id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	CHILD_CHECK(1, semundo_id >= 0, "semget: %s", strerror(errno));
	CHILD_CHECK(1, !semop(semundo_id, &op, 1), "semop: %s", strerror(errno));
	return mem_setup();
}

static int semundo_verify(void)
{
	int val = semctl(semundo_id, 0, GETVAL);

	semctl(semundo_id, 0, IPC_RMID);
	CHILD_CHECK(3, val == 1, "the semaphore is %d, not 1 (%s)", val, strerror(errno));
	return mem_verify();
}

TEST(semaphore_undo_is_refused_and_named)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(semundo_setup, semundo_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "SEM_UNDO"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * Tables a process shares in ways the image cannot say: a thread with a
 * working directory of its own (unshare(CLONE_FS)), a thread with a file
 * table of its own (unshare(CLONE_FILES)), and a process sharing its
 * working directory with one outside the job (clone(CLONE_FS) without
 * CLONE_THREAD).  Each is refused, naming it, and the job runs on as it
 * was.
 */
static int unshare_what;
static int unshare_ready[2];

static void *unshare_thread(void *arg)
{
	char c = unshare(unshare_what) ? 'E' : 'R';

	if (c == 'R' && unshare_what == CLONE_FS)
		c = chdir("/tmp") ? 'E' : 'R';
	if (write(unshare_ready[1], &c, 1) != 1)
		return NULL;
	for (;;)
		pause();
	return NULL;
}

static int unshare_setup(void)
{
	pthread_t th;
	char c = 0;

	CHILD_CHECK(1, !pipe(unshare_ready), "pipe");
	CHILD_CHECK(1, !pthread_create(&th, NULL, unshare_thread, NULL), "pthread_create");
	CHILD_CHECK(1, read(unshare_ready[0], &c, 1) == 1 && c == 'R', "unshare: %c", c);
	close(unshare_ready[0]);
	close(unshare_ready[1]);
	return 0;
}

static int unshare_verify(void)
{
	char cwd[PATH_MAX];

	CHILD_CHECK(3, getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tmp"),
		    "the main thread's directory moved");
	return 0;
}

static void unshared_refused(struct __test_metadata *_metadata, int what, const char *reason)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	unshare_what = what;
	child = ckpt_spawn(unshare_setup, unshare_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, reason));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST(thread_with_its_own_working_directory_is_refused)
{
	unshared_refused(_metadata, CLONE_FS, "has a working directory and root of its own");
}

TEST(thread_with_its_own_file_table_is_refused)
{
	unshared_refused(_metadata, CLONE_FILES, "has a file table of its own");
}

static int clone_fs_child(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static int clone_fs_setup(void)
{
	size_t size = 64 * 1024;
	char *stack = malloc(size);
	pid_t pid;

	CHILD_CHECK(1, stack, "malloc");
	pid = clone(clone_fs_child, stack + size, CLONE_FS | SIGCHLD, NULL);
	CHILD_CHECK(1, pid > 0, "clone: %s", strerror(errno));
	return 0;
}

static int clone_fs_verify(void)
{
	return 0;
}

TEST(working_directory_shared_outside_the_job_is_refused)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(clone_fs_setup, clone_fs_verify);
	ASSERT_GT(child, 0);
	/* Alone, without the process it shares with (with it: ckpt_job_test). */
	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "with a process outside the job (CLONE_FS)"))
		TH_LOG("log: %s", log);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* --------------------------------------------------------------------
 * System V shared memory locked in memory
 *
 * A System V segment is saved with its contents and made again at
 * restart (ckpt_sysvshm_test), but not one locked with SHM_LOCK: the
 * checkpoint is refused, naming the segment and SHM_LOCK, and the job
 * runs on, the segment still locked.  (It is removed from the start, so
 * that it goes with the job.)
 */

static void *sysv_map;
static int sysv_id = -1;

static int sysv_setup(void)
{
	sysv_id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	CHILD_CHECK(1, sysv_id >= 0, "shmget: %s", strerror(errno));
	sysv_map = shmat(sysv_id, NULL, 0);
	CHILD_CHECK(1, sysv_map != (void *)-1, "shmat: %s", strerror(errno));
	CHILD_CHECK(1, !shmctl(sysv_id, SHM_LOCK, NULL), "SHM_LOCK: %s", strerror(errno));
	CHILD_CHECK(1, !shmctl(sysv_id, IPC_RMID, NULL), "IPC_RMID: %s", strerror(errno));
	memset(sysv_map, 0x5a, 4096);
	return mem_setup();
}

static int sysv_verify(void)
{
	const unsigned char *p = sysv_map;
	struct shmid_ds ds;
	int i;

	for (i = 0; i < 4096; i++)
		CHILD_CHECK(3, p[i] == 0x5a, "byte %d of the segment changed", i);
	CHILD_CHECK(4, !shmctl(sysv_id, IPC_STAT, &ds) && ds.shm_perm.mode & SHM_LOCKED &&
		    ds.shm_nattch == 1, "IPC_STAT: mode %#o, %lu attaches (%s)",
		    (unsigned int)ds.shm_perm.mode, (unsigned long)ds.shm_nattch,
		    strerror(errno));
	return mem_verify();
}

TEST(system_v_shared_memory_locked_in_memory_is_refused_and_named)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(sysv_setup, sysv_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "System V shared memory segment"))
		TH_LOG("the log does not name the System V shared memory segment");
	EXPECT_NE(NULL, strstr(log, "SHM_LOCK")) TH_LOG("the log does not say SHM_LOCK");
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/*
 * fd 0 is an AF_INET socket, which restart replaces with the
 * restarter's fd 0; fd 3 is the same socket, which it cannot: refused
 * at checkpoint time, not left to fail at restart.
 */
static int inherited_dup_setup(void)
{
	int s;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHILD_CHECK(1, s >= 0, "socket: %s", strerror(errno));
	CHILD_CHECK(1, dup2(s, 0) == 0, "dup2");
	close(s);
	CHILD_CHECK(1, dup(0) == 3, "dup");
	return mem_setup();
}

static int inherited_dup_verify(void)
{
	struct stat st;

	CHILD_CHECK(3, !fstat(3, &st) && S_ISSOCK(st.st_mode), "fd 3 is gone");
	return mem_verify();
}

TEST(stdio_file_also_above_fd_2_is_eopnotsupp_and_logged)
{
	char log[4096];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(inherited_dup_setup, inherited_dup_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "fd 3"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* --------------------------------------------------------------------
 * Bad arguments
 */

TEST(nonexistent_pid_is_esrch)
{
	pid_t gone;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	gone = fork();
	ASSERT_GE(gone, 0);
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(0, ckpt_reap(gone));
	errno = 0;
	EXPECT_EQ(-1, checkpoint(gone, fd, 0, 2));
	EXPECT_EQ(ESRCH, errno);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(-1, fd, 0, 2));
	EXPECT_TRUE(errno == ESRCH || errno == EINVAL) TH_LOG("%s",
							      strerror(errno));
	EXPECT_EQ(0, ckpt_fd_size(fd));
	close(fd);
}

TEST(unknown_flags_are_einval)
{
	pid_t child, kids[4];
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mem_setup, mem_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, fd, 0x80000000, 2));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, fd, CKPT_FLAGS_ALL + 1, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ckpt_fd_size(fd));

	/* restart() with bad flags, from a good image: nothing created. */
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	EXPECT_EQ(-1, restart(fd, 0x80000000, 2));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	EXPECT_EQ(-1, restart(fd, RESTART_FLAGS_ALL + 1, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ckpt_children_of(0, kids, 4));
	EXPECT_FALSE(ckpt_pid_exists(child));

	/* The image was good all along. */
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST(bad_descriptors_are_ebadf)
{
	char path[] = "/tmp/ckpt-ro-XXXXXX";
	int fd, ro, wo;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mem_setup, mem_verify);
	ASSERT_GT(child, 0);
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(ro, 0);
	wo = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_GE(wo, 0);
	unlink(path);

	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, -1, CKPT_KILL, 2));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, 999, CKPT_KILL, 2));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(child, ro, CKPT_KILL, 2));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));

	errno = 0;
	EXPECT_EQ(-1, restart(-1, 0, 2));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, restart(999, 0, 2));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, restart(wo, 0, 2));
	EXPECT_EQ(EBADF, errno);
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
	close(ro);
	close(wo);
}

/* A kernel thread: kthreadd (pid 2), or any other if that is not one. */
static pid_t find_kthread(void)
{
	unsigned long long flags;
	struct dirent *de;
	pid_t pid = -1;
	DIR *dir;

	if (!ckpt_proc_stat_field(2, 9, &flags) && (flags & 0x00200000))
		return 2;
	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (!ckpt_proc_stat_field(atoi(de->d_name), 9, &flags) &&
		    (flags & 0x00200000)) {
			pid = atoi(de->d_name);
			break;
		}
	}
	closedir(dir);
	return pid;
}

TEST(init_and_kernel_threads_are_refused)
{
	pid_t kthread;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	/* CKPT_CONTINUE only: should this ever succeed, nothing dies. */
	errno = 0;
	EXPECT_EQ(-1, checkpoint(1, fd, CKPT_CONTINUE, 2));
	EXPECT_TRUE(errno == EPERM || errno == EINVAL)
		TH_LOG("init: %s", strerror(errno));
	EXPECT_EQ(0, kill(1, 0));
	EXPECT_NE('T', ckpt_proc_state(1));

	kthread = find_kthread();
	ASSERT_GT(kthread, 0);
	errno = 0;
	EXPECT_EQ(-1, checkpoint(kthread, fd, CKPT_CONTINUE, 2));
	EXPECT_TRUE(errno == EPERM || errno == EINVAL)
		TH_LOG("kernel thread %d: %s", kthread, strerror(errno));
	EXPECT_TRUE(ckpt_pid_exists(kthread));
	close(fd);
}

/* --------------------------------------------------------------------
 * Bad images
 */

/* restart() of @len bytes of @buf: must fail, without leftovers. */
static int restart_bytes_fails(const void *buf, size_t len, int *err)
{
	int fd = ckpt_image_open();
	pid_t got;

	*err = 0;
	if (fd < 0 || ckpt_write_all(fd, buf, len) ||
	    lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	errno = 0;
	got = restart(fd, 0, 2);
	*err = errno;
	close(fd);
	if (got >= 0) {
		ckpt_msg("restart() of a bad image gave %d", (int)got);
		if (got > 0)
			ckpt_kill_reap(got);
		return -1;
	}
	if (ckpt_have_children()) {
		ckpt_msg("restart() failed but left a child");
		return -1;
	}
	return 0;
}

TEST(restart_of_an_empty_file_is_enoexec)
{
	int err;

	if (!ckpt_preamble(_metadata))
		return;
	EXPECT_EQ(0, restart_bytes_fails("", 0, &err));
	EXPECT_EQ(ENOEXEC, err)
		TH_LOG("%s", strerror(err));
}

TEST(restart_of_garbage_fails)
{
	static uint64_t junk[1024];
	struct ckpt_rec_header hdr;
	int err;

	if (!ckpt_preamble(_metadata))
		return;
	ckpt_fill(junk, sizeof(junk), 1234);
	EXPECT_EQ(0, restart_bytes_fails(junk, sizeof(junk), &err));
	EXPECT_NE(0, err);
	TH_LOG("random bytes: %s", strerror(err));

	/* A plausible header with a bad magic, and nothing after it. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.h.type = CKPT_REC_HEADER;
	hdr.h.len = sizeof(hdr);
	memcpy(hdr.magic, "\177CKPTIMX", CKPT_MAGIC_LEN);
	hdr.version = CKPT_FORMAT_VERSION;
	EXPECT_EQ(0, restart_bytes_fails(&hdr, sizeof(hdr), &err));
	EXPECT_EQ(ENOEXEC, err)
		TH_LOG("%s", strerror(err));

	/* The right magic, but a version from the future. */
	memcpy(hdr.magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	hdr.version = CKPT_FORMAT_VERSION + 100;
	EXPECT_EQ(0, restart_bytes_fails(&hdr, sizeof(hdr), &err));
	EXPECT_NE(0, err);
}

TEST(truncated_or_corrupted_image_fails_without_leftovers)
{
	pid_t child;
	char *img;
	off_t size;
	int fd, err;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mem_setup, mem_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	size = ckpt_fd_size(fd);
	ASSERT_GT(size, (off_t)MEM_SIZE);
	img = malloc(size);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(size, pread(fd, img, size, 0));

	EXPECT_EQ(0, restart_bytes_fails(img, size / 2, &err));
	EXPECT_EQ(0, restart_bytes_fails(img, size - 1, &err));
	EXPECT_EQ(0, restart_bytes_fails(img, sizeof(struct ckpt_rec_header),
					 &err));
	/* One bit of memory contents: only the checksum can tell. */
	img[size / 2] ^= 0x10;
	EXPECT_EQ(0, restart_bytes_fails(img, size, &err));
	img[size / 2] ^= 0x10;
	/* One bit of the checksum itself. */
	img[size - 1] ^= 0x01;
	EXPECT_EQ(0, restart_bytes_fails(img, size, &err));
	img[size - 1] ^= 0x01;
	EXPECT_FALSE(ckpt_pid_exists(child));

	/* The intact image still restarts. */
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	free(img);
	close(fd);
}

TEST_HARNESS_MAIN
