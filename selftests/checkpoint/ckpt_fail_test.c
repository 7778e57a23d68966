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
 *
 * State the image does not keep is refused the same way, each test
 * checking the reason on the log and, from inside the job afterwards,
 * that the state is still there (a test whose feature the kernel or CPU
 * lacks is skipped, saying so): another UTS or network namespace, or a
 * PID namespace for its children (unshare(CLONE_NEWPID) without a
 * fork); a thread with credentials of its own (the raw setresuid(2) in
 * one thread; seteuid(3), which changes every thread's alike, is saved
 * and every thread restarts with euid 1000); a thread keyring; rdtsc
 * disabled (PR_SET_TSC), a memory-error kill policy (PR_MCE_KILL),
 * PR_SET_IO_FLUSHER, syscall user dispatch, speculation control
 * (PR_SET_SPECULATION_CTRL) and CPUID faulting (ARCH_SET_CPUID); NUMA
 * memory policies of a thread (set_mempolicy(2)) and of a mapping
 * (mbind(2)); a TLS descriptor (set_thread_area(2)), an LDT
 * (modify_ldt(2)) and I/O port access (ioperm(2)); a named anonymous
 * mapping (PR_SET_VMA_ANON_NAME), a mapping registered with a
 * userfaultfd (an allocated protection key is saved: ckpt_regs_test);
 * signal-driven I/O on a pipe (F_SETOWN, O_ASYNC); a directory
 * notification (F_NOTIFY); and a character device whose driver
 * keeps state per open file (/dev/kmsg), while /dev/null, /dev/zero,
 * /dev/full, /dev/random and /dev/urandom are saved.  With EBUSY, naming
 * the process outside the job: a thread that traces one (PTRACE_SEIZE),
 * and a process sharing its memory with one (clone(CLONE_VM)), when
 * checkpointed alone.
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
#include <sys/fsuid.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <linux/futex.h>
#include <linux/keyctl.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>

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
 * A 16 MiB sleeper, and a new process (its pid in *@ckpt) that
 * checkpoints it with @flags into a one-page pipe (its read end in
 * *@img) and exits with checkpoint()'s errno, or 0.  The log goes to the
 * pipe @log (its write end closed here), or to fd 2 if @log is NULL.
 * Returns the sleeper's pid.
 */
static pid_t big_into_a_pipe(struct __test_metadata *_metadata, unsigned int flags,
			     const int *log, int *img, pid_t *ckpt)
{
	pid_t child;
	int p[2];

	child = ckpt_spawn(big_setup, big_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_LE(0, fcntl(p[1], F_SETPIPE_SZ, 4096));
	*ckpt = fork();
	ASSERT_LE(0, *ckpt);
	if (*ckpt == 0) {
		close(p[0]);
		if (log)
			close(log[0]);
		_exit(checkpoint(child, p[1], flags, log ? log[1] : 2) ? errno : 0);
	}
	close(p[1]);
	if (log)
		close(log[1]);
	*img = p[0];
	return child;
}

/* Wait for the checkpointer @ckpt, which must exit: its exit status. */
static int checkpointer_exit(struct __test_metadata *_metadata, pid_t ckpt)
{
	int status;

	ASSERT_EQ(ckpt, waitpid(ckpt, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * Checkpoint a 16 MiB sleeper into a one-page pipe from another process,
 * keeping it frozen until the image is written (CKPT_NO_COW), read @skip
 * bytes of the image, then SIGKILL the target while the checkpointer
 * waits for room in the pipe.  The fatal signal takes the target out of
 * the freeze; the checkpoint must notice, fail with ESRCH and say why,
 * rather than save (or touch) a thread that is going away.
 */
static void killed_during_checkpoint(struct __test_metadata *_metadata, size_t skip)
{
	char log[4096], *buf;
	int img, lp[2], status;
	size_t got = 0;
	pid_t child, ckpt;
	ssize_t n;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, pipe2(lp, O_CLOEXEC));
	child = big_into_a_pipe(_metadata, CKPT_CONTINUE | CKPT_NO_COW, lp, &img, &ckpt);
	buf = malloc(65536);
	ASSERT_NE(NULL, buf);
	while (got < skip) {
		n = read(img, buf, skip - got < 65536 ? skip - got : 65536);
		ASSERT_GT(n, 0);
		got += n;
	}
	/* The checkpointer fills the pipe and waits; the target is frozen. */
	ckpt_sleep_ms(200);
	EXPECT_EQ('S', ckpt_proc_state(child));
	ASSERT_EQ(0, kill(child, SIGKILL));
	while ((n = read(img, buf, 65536)) > 0)
		got += n;
	free(buf);
	close(img);
	EXPECT_EQ(ESRCH, checkpointer_exit(_metadata, ckpt));
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

/*
 * A copy-on-write checkpoint: the target is thawed before its image is
 * written, so killing it amid its memory changes nothing -- the image,
 * read from the snapshot, is whole, and restarts.
 */
TEST(sigkill_of_the_target_amid_a_copy_on_write_image_leaves_it_whole)
{
	int img, status, fd, err;
	pid_t child, ckpt;
	size_t got = 0;
	char *buf;
	ssize_t n;

	if (!ckpt_preamble(_metadata))
		return;
	child = big_into_a_pipe(_metadata, CKPT_CONTINUE, NULL, &img, &ckpt);
	fd = memfd_create("image", 0);
	ASSERT_LE(0, fd);
	buf = malloc(65536);
	ASSERT_NE(NULL, buf);
	while (got < (4 << 20)) {
		n = read(img, buf, 65536);
		ASSERT_GT(n, 0);
		ASSERT_EQ(n, write(fd, buf, n));
		got += n;
	}
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	while ((n = read(img, buf, 65536)) > 0) {
		ASSERT_EQ(n, write(fd, buf, n));
		got += n;
	}
	free(buf);
	close(img);
	err = checkpointer_exit(_metadata, ckpt);
	ASSERT_EQ(0, err) TH_LOG("checkpoint: %s", strerror(err));
	TH_LOG("%zu image bytes", got);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(child, ckpt_restart(fd, 0));
	close(fd);
	if (ckpt_pid_exists(child))
		EXPECT_EQ(0, ckpt_wake_reap(child));
}

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
 * State the image does not keep
 *
 * Each of these is refused at checkpoint time, even with CKPT_KILL, with
 * a reason on the log that names it, and the job runs on with it.  A
 * setup returns UNAVAILABLE when the kernel or the CPU lacks what it
 * uses; it is tried first in a throwaway child, and the test is skipped
 * then, saying why.
 */

#define UNAVAILABLE	77

/*
 * In a setup, after a call failed: UNAVAILABLE if errno says that the
 * kernel or CPU lacks the feature, else 1 (the setup failed).
 */
static int unavailable(const char *what)
{
	int err = errno, nosys;

	ckpt_msg("%s: %s", what, strerror(err));
	/* What a system call that does not exist fails with. */
	syscall(-1L);
	nosys = errno;
	if (err == nosys || err == EINVAL || err == EOPNOTSUPP || err == ENODEV || err == ENXIO)
		return UNAVAILABLE;
	return 1;
}

/*
 * Run @setup in a throwaway child, with no descriptor above 2 as in a
 * test child: its return value, or -1.
 */
static int try_setup(int (*setup)(void))
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ckpt_close_range(3, ~0U);
		_exit(setup());
	}
	return ckpt_reap(pid);
}

/*
 * The child that @setup makes (with @what, which a skip names) is
 * refused with @err, the log saying @reason, and @verify then finds
 * its state intact.
 */
static void unsaved_refused(struct __test_metadata *_metadata, const char *what,
			    int (*setup)(void), int (*verify)(void), int err, const char *reason)
{
	char log[4096];
	pid_t child;
	int status;

	if (!ckpt_preamble(_metadata))
		return;
	status = try_setup(setup);
	if (status == UNAVAILABLE)
		SKIP(return, "%s is not available here", what);
	ASSERT_EQ(0, status) TH_LOG("the setup of %s fails", what);
	child = ckpt_spawn(setup, verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(err, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, reason)) TH_LOG("the log does not say \"%s\"", reason);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* Namespaces: each is refused (restart makes the job in the restarter's). */

static const char *ns_name;
static char ns_link[64];

static int ns_read(const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int ns_save(const char *name)
{
	ns_name = name;
	CHILD_CHECK(1, !ns_read(name, ns_link, sizeof(ns_link)), "readlink %s: %s", name,
		    strerror(errno));
	return mem_setup();
}

/* Still in the namespace it made. */
static int ns_verify(void)
{
	char now[64];

	CHILD_CHECK(3, !ns_read(ns_name, now, sizeof(now)) && !strcmp(now, ns_link),
		    "/proc/self/ns/%s is %s, was %s", ns_name, now, ns_link);
	return mem_verify();
}

static int uts_setup(void)
{
	if (unshare(CLONE_NEWUTS))
		return unavailable("unshare(CLONE_NEWUTS)");
	CHILD_CHECK(1, !sethostname("ckpt-uts", 8), "sethostname: %s", strerror(errno));
	return ns_save("uts");
}

static int uts_verify(void)
{
	char host[64];

	CHILD_CHECK(4, !gethostname(host, sizeof(host)) && !strcmp(host, "ckpt-uts"),
		    "hostname \"%s\"", host);
	return ns_verify();
}

TEST(uts_namespace_is_refused_and_named)
{
	unsaved_refused(_metadata, "unshare(CLONE_NEWUTS)", uts_setup, uts_verify,
			EOPNOTSUPP, "another UTS namespace");
}

static int net_setup(void)
{
	if (unshare(CLONE_NEWNET))
		return unavailable("unshare(CLONE_NEWNET)");
	return ns_save("net");
}

TEST(network_namespace_is_refused_and_named)
{
	unsaved_refused(_metadata, "unshare(CLONE_NEWNET)", net_setup, ns_verify,
			EOPNOTSUPP, "another network namespace");
}

/*
 * unshare(CLONE_NEWPID) without forking: only its children's PID
 * namespace differs.  (/proc/self/ns/pid_for_children names it only once
 * it has a process: the check forks one, last.)
 */
static int pidns_setup(void)
{
	if (unshare(CLONE_NEWPID))
		return unavailable("unshare(CLONE_NEWPID)");
	return mem_setup();
}

/* A child forked now is the first process of the new namespace. */
static int pidns_verify(void)
{
	int status;
	pid_t pid;

	CHILD_CHECK(3, mem_verify() == 0, "memory");
	pid = fork();
	CHILD_CHECK(4, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(getpid() == 1 ? 0 : 1);
	CHILD_CHECK(4, waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHILD_CHECK(5, WIFEXITED(status) && !WEXITSTATUS(status),
		    "its child is not pid 1 of a new PID namespace");
	return 0;
}

TEST(pid_namespace_for_children_is_refused_and_named)
{
	unsaved_refused(_metadata, "unshare(CLONE_NEWPID)", pidns_setup, pidns_verify,
			EOPNOTSUPP, "PID (for its children");
}

/*
 * Credentials: a thread that changed its own (the raw system call, not
 * the C library's, which changes every thread's) is refused; a process
 * whose threads all changed theirs alike (seteuid(3)) is saved.
 */

static uint32_t th_go;
static int th_ready;
static pid_t th_tid;

static void *own_euid_thread(void *arg)
{
	(void)arg;
	th_tid = gettid();
	if (syscall(SYS_setresuid, -1, 1000, -1))
		ckpt_child_fail(1, __LINE__, "setresuid", "%s", strerror(errno));
	__atomic_add_fetch(&th_ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

static int own_euid_setup(void)
{
	pthread_t t;

	CHILD_CHECK(1, !pthread_create(&t, NULL, own_euid_thread, NULL), "pthread_create");
	ckpt_wait_count(&th_ready, 1);
	return mem_setup();
}

/* Uid: real, effective, saved, filesystem of thread @tid. */
static int thread_uids(pid_t tid, unsigned int uid[4])
{
	char val[128];

	if (ckpt_status_field(tid, "Uid", val, sizeof(val)))
		return -1;
	return sscanf(val, "%u %u %u %u", &uid[0], &uid[1], &uid[2], &uid[3]) == 4 ? 0 : -1;
}

static int own_euid_verify(void)
{
	unsigned int uid[4] = { 0 };

	CHILD_CHECK(3, geteuid() == 0, "the main thread's euid is %u", geteuid());
	CHILD_CHECK(4, !thread_uids(th_tid, uid) && uid[0] == 0 && uid[1] == 1000 &&
		    uid[2] == 0 && uid[3] == 1000, "thread %d: uids %u %u %u %u", th_tid,
		    uid[0], uid[1], uid[2], uid[3]);
	return mem_verify();
}

TEST(thread_with_credentials_of_its_own_is_refused)
{
	unsaved_refused(_metadata, "setresuid(2) in one thread", own_euid_setup, own_euid_verify,
			EOPNOTSUPP, "credentials of its own");
}

#define EUID_THREADS	3

static void check_euid_1000(int code)
{
	uid_t r = -1, e = -1, s = -1;

	CHILD_CHECK(code, !getresuid(&r, &e, &s) && r == 0 && e == 1000 && s == 0,
		    "thread %d: uids %d %d %d, expected 0 1000 0", (int)gettid(), (int)r, (int)e,
		    (int)s);
	/* setfsuid() returns the fsuid it had: 1000 asks for no change. */
	CHILD_CHECK(code, setfsuid(1000) == 1000, "thread %d: fsuid is not 1000", (int)gettid());
}

static void *euid_thread(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&th_ready, 1, __ATOMIC_SEQ_CST);
	while (!CKPT_LOAD(th_go))
		ckpt_futex_wait(&th_go, 0, NULL);
	check_euid_1000(2);
	return NULL;
}

static int euid_main(void)
{
	pthread_t t[EUID_THREADS];
	int i;

	for (i = 0; i < EUID_THREADS; i++)
		CHILD_CHECK(90, !pthread_create(&t[i], NULL, euid_thread, NULL), "pthread_create");
	ckpt_wait_count(&th_ready, EUID_THREADS);
	/* The C library changes every thread's. */
	CHILD_CHECK(90, !seteuid(1000), "seteuid: %s", strerror(errno));
	CHILD_CHECK(90, !prctl(PR_SET_PDEATHSIG, SIGKILL), "PR_SET_PDEATHSIG");
	ckpt_child_wait();
	check_euid_1000(1);
	CKPT_STORE(th_go, 1);
	ckpt_futex_wake_all(&th_go);
	for (i = 0; i < EUID_THREADS; i++)
		CHILD_CHECK(3, !pthread_join(t[i], NULL), "pthread_join");
	return 0;
}

TEST(euid_changed_in_every_thread_by_seteuid_is_saved)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(euid_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_wait_threads_state(child, "S", 10000));
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/* A thread keyring (keyctl(2)). */
static long keyring_id;

static int keyring_setup(void)
{
	keyring_id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1);
	if (keyring_id < 0)
		return unavailable("keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING)");
	return mem_setup();
}

static int keyring_verify(void)
{
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0);

	CHILD_CHECK(3, id == keyring_id, "thread keyring %ld, was %ld", id, keyring_id);
	return mem_verify();
}

TEST(thread_keyring_is_refused_and_named)
{
	unsaved_refused(_metadata, "a thread keyring", keyring_setup, keyring_verify,
			EOPNOTSUPP, "keyring");
}

/* prctl(2) and arch_prctl(2) modes that the image does not keep. */

static int tsc_setup(void)
{
	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0))
		return unavailable("PR_SET_TSC");
	return mem_setup();
}

/* Nothing here may read the clock: rdtsc would fault. */
static int tsc_verify(void)
{
	int mode = 0;

	CHILD_CHECK(3, !prctl(PR_GET_TSC, &mode, 0, 0, 0) && mode == PR_TSC_SIGSEGV,
		    "PR_GET_TSC: %d", mode);
	return mem_verify();
}

TEST(rdtsc_disabled_is_refused_and_named)
{
	unsaved_refused(_metadata, "PR_SET_TSC", tsc_setup, tsc_verify, EOPNOTSUPP, "PR_SET_TSC");
}

static int mce_setup(void)
{
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		return unavailable("PR_MCE_KILL");
	return mem_setup();
}

static int mce_verify(void)
{
	int v = prctl(PR_MCE_KILL_GET, 0, 0, 0, 0);

	CHILD_CHECK(3, v == PR_MCE_KILL_EARLY, "PR_MCE_KILL_GET: %d", v);
	return mem_verify();
}

TEST(memory_error_kill_policy_is_refused_and_named)
{
	unsaved_refused(_metadata, "PR_MCE_KILL", mce_setup, mce_verify, EOPNOTSUPP, "PR_MCE_KILL");
}

static int io_flusher_setup(void)
{
	if (prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0))
		return unavailable("PR_SET_IO_FLUSHER");
	return mem_setup();
}

static int io_flusher_verify(void)
{
	int v = prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0);

	CHILD_CHECK(3, v == 1, "PR_GET_IO_FLUSHER: %d", v);
	return mem_verify();
}

TEST(io_flusher_is_refused_and_named)
{
	unsaved_refused(_metadata, "PR_SET_IO_FLUSHER", io_flusher_setup, io_flusher_verify,
			EOPNOTSUPP, "PR_SET_IO_FLUSHER");
}

/*
 * Syscall user dispatch, the selector allowing system calls.  To check
 * that it is still on, the verification blocks them for one call: the
 * SIGSYS handler allows them again and says which call it was.
 */
static char sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
static int sud_syscall = -1;

static void sud_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	CKPT_STORE(sud_selector, SYSCALL_DISPATCH_FILTER_ALLOW);
	CKPT_STORE(sud_syscall, si->si_syscall);
}

static int sud_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sud_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(1, !sigaction(SIGSYS, &sa, NULL), "sigaction");
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, &sud_selector))
		return unavailable("PR_SET_SYSCALL_USER_DISPATCH");
	return mem_setup();
}

static int sud_verify(void)
{
	CKPT_STORE(sud_selector, SYSCALL_DISPATCH_FILTER_BLOCK);
	syscall(SYS_getppid);
	CHILD_CHECK(3, CKPT_LOAD(sud_syscall) == SYS_getppid,
		    "a blocked getppid() did not raise SIGSYS (%d): dispatch is off",
		    CKPT_LOAD(sud_syscall));
	return mem_verify();
}

TEST(syscall_user_dispatch_is_refused_and_named)
{
	unsaved_refused(_metadata, "PR_SET_SYSCALL_USER_DISPATCH", sud_setup, sud_verify,
			EOPNOTSUPP, "syscall user dispatch");
}

/*
 * Speculative store bypass disabled, or else indirect branch speculation,
 * under the task's own control (PR_SPEC_PRCTL): with another mitigation
 * mode the call may succeed and change nothing.
 */
static int spec_which;

static int spec_setup(void)
{
	static const int which[] = { PR_SPEC_STORE_BYPASS, PR_SPEC_INDIRECT_BRANCH };
	const int want = PR_SPEC_PRCTL | PR_SPEC_DISABLE;
	unsigned int i;
	int v;

	for (i = 0; i < ARRAY_SIZE(which); i++) {
		spec_which = which[i];
		if (prctl(PR_SET_SPECULATION_CTRL, spec_which, PR_SPEC_DISABLE, 0, 0)) {
			ckpt_msg("PR_SET_SPECULATION_CTRL(%d): %s", spec_which, strerror(errno));
			continue;
		}
		v = prctl(PR_GET_SPECULATION_CTRL, spec_which, 0, 0, 0);
		if (v >= 0 && (v & want) == want)
			return mem_setup();
		ckpt_msg("PR_GET_SPECULATION_CTRL(%d): %#x, not per task", spec_which, v);
	}
	return UNAVAILABLE;
}

static int spec_verify(void)
{
	int v = prctl(PR_GET_SPECULATION_CTRL, spec_which, 0, 0, 0);

	CHILD_CHECK(3, v >= 0 && (v & PR_SPEC_DISABLE), "PR_GET_SPECULATION_CTRL(%d): %#x",
		    spec_which, v);
	return mem_verify();
}

TEST(speculation_control_is_refused_and_named)
{
	unsaved_refused(_metadata, "PR_SET_SPECULATION_CTRL", spec_setup, spec_verify,
			EOPNOTSUPP, "PR_SET_SPECULATION_CTRL");
}

static int cpuid_setup(void)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0))
		return unavailable("ARCH_SET_CPUID");
	return mem_setup();
}

static int cpuid_verify(void)
{
	long v = syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0);

	CHILD_CHECK(3, v == 0, "ARCH_GET_CPUID: %ld", v);
	return mem_verify();
}

TEST(cpuid_faulting_is_refused_and_named)
{
	unsaved_refused(_metadata, "ARCH_SET_CPUID (CPUID faulting)", cpuid_setup, cpuid_verify,
			EOPNOTSUPP, "ARCH_SET_CPUID");
}

/* NUMA memory policies: of the thread, and of a mapping. */
static unsigned long node0 = 1;

static int get_policy(void *addr)
{
	int mode = -1;

	if (syscall(SYS_get_mempolicy, &mode, NULL, 0, addr, addr ? MPOL_F_ADDR : 0))
		return -1;
	return mode;
}

static int mempolicy_setup(void)
{
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &node0, 8 * sizeof(node0)))
		return unavailable("set_mempolicy(MPOL_BIND)");
	return mem_setup();
}

static int mempolicy_verify(void)
{
	int mode = get_policy(NULL);

	CHILD_CHECK(3, mode == MPOL_BIND, "the thread's policy is %d", mode);
	return mem_verify();
}

TEST(thread_memory_policy_is_refused_and_named)
{
	unsaved_refused(_metadata, "set_mempolicy(2)", mempolicy_setup, mempolicy_verify,
			EOPNOTSUPP, "set_mempolicy");
}

#define BOUND_SIZE	(16 * 4096)

static void *bound;

static int mbind_setup(void)
{
	bound = mmap(NULL, BOUND_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, bound != MAP_FAILED, "mmap: %s", strerror(errno));
	if (syscall(SYS_mbind, bound, BOUND_SIZE, MPOL_BIND, &node0, 8 * sizeof(node0), 0))
		return unavailable("mbind(MPOL_BIND)");
	memset(bound, 0x3c, BOUND_SIZE);
	return mem_setup();
}

static int mbind_verify(void)
{
	int mode = get_policy(bound);

	CHILD_CHECK(3, mode == MPOL_BIND, "the mapping's policy is %d", mode);
	CHILD_CHECK(4, ((unsigned char *)bound)[BOUND_SIZE - 1] == 0x3c, "the mapping changed");
	return mem_verify();
}

TEST(mapping_memory_policy_is_refused_and_named)
{
	unsaved_refused(_metadata, "mbind(2)", mbind_setup, mbind_verify, EOPNOTSUPP, "mbind");
}

/* x86 segments and I/O ports. */
static struct user_desc tls_desc = {
	.entry_number = -1, .base_addr = 0x12345000, .limit = 0xfff, .seg_32bit = 1,
};

static int tls_setup(void)
{
	if (syscall(SYS_set_thread_area, &tls_desc))
		return unavailable("set_thread_area");
	return mem_setup();
}

static int tls_verify(void)
{
	struct user_desc d = { .entry_number = tls_desc.entry_number };

	CHILD_CHECK(3, !syscall(SYS_get_thread_area, &d) && d.base_addr == tls_desc.base_addr,
		    "TLS entry %u: base %#x (%s)", d.entry_number, d.base_addr, strerror(errno));
	return mem_verify();
}

TEST(tls_descriptor_is_refused_and_named)
{
	unsaved_refused(_metadata, "set_thread_area(2)", tls_setup, tls_verify,
			EOPNOTSUPP, "set_thread_area");
}

static int ldt_setup(void)
{
	struct user_desc d = {
		.entry_number = 0, .base_addr = 0x23456000, .limit = 0xfff, .seg_32bit = 1,
	};

	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)))
		return unavailable("modify_ldt");
	return mem_setup();
}

static int ldt_verify(void)
{
	uint32_t ldt[2] = { 0, 0 };
	long n = syscall(SYS_modify_ldt, 0, ldt, sizeof(ldt));

	/* Descriptor bits 16..31 of the first word: the base's low half. */
	CHILD_CHECK(3, n == sizeof(ldt) && ldt[0] >> 16 == 0x6000,
		    "LDT read: %ld bytes, %#x %#x", n, ldt[0], ldt[1]);
	return mem_verify();
}

TEST(ldt_is_refused_and_named)
{
	unsaved_refused(_metadata, "modify_ldt(2)", ldt_setup, ldt_verify,
			EOPNOTSUPP, "modify_ldt");
}

static int ioperm_setup(void)
{
	if (ioperm(0x80, 1, 1))
		return unavailable("ioperm");
	return mem_setup();
}

/* Without the permission, inb faults. */
static int ioperm_verify(void)
{
	unsigned char v;

	asm volatile("inb %w1, %0" : "=a"(v) : "Nd"((unsigned short)0x80));
	(void)v;
	return mem_verify();
}

TEST(io_port_permission_is_refused_and_named)
{
	unsaved_refused(_metadata, "ioperm(2)", ioperm_setup, ioperm_verify, EOPNOTSUPP, "ioperm");
}

/* The address space: a named mapping, a userfaultfd, a protection key. */
#define NAMED_SIZE	(4 * 4096)

static void *named;

static int anon_name_setup(void)
{
	named = mmap(NULL, NAMED_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, named != MAP_FAILED, "mmap: %s", strerror(errno));
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, named, NAMED_SIZE, "ckpt-named"))
		return unavailable("PR_SET_VMA_ANON_NAME");
	return mem_setup();
}

static int anon_name_verify(void)
{
	struct map_line ml;

	CHILD_CHECK(3, !map_line_of(named, &ml) && !strcmp(ml.path, "[anon:ckpt-named]"),
		    "the mapping is named \"%s\"", ml.path);
	return mem_verify();
}

TEST(named_anonymous_mapping_is_refused_and_named)
{
	unsaved_refused(_metadata, "PR_SET_VMA_ANON_NAME", anon_name_setup, anon_name_verify,
			EOPNOTSUPP, "PR_SET_VMA_ANON_NAME");
}

static void *uffd_area;
static int uffd = -1;

static int uffd_setup(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	uffd_area = mmap(NULL, NAMED_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	CHILD_CHECK(1, uffd_area != MAP_FAILED, "mmap: %s", strerror(errno));
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return unavailable("userfaultfd");
	CHILD_CHECK(1, !ioctl(uffd, UFFDIO_API, &api), "UFFDIO_API: %s", strerror(errno));
	reg.range.start = (uintptr_t)uffd_area;
	reg.range.len = NAMED_SIZE;
	CHILD_CHECK(1, !ioctl(uffd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER: %s",
		    strerror(errno));
	return mem_setup();
}

/* Still registered: UFFDIO_ZEROPAGE fills a missing page. */
static int uffd_verify(void)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (uintptr_t)uffd_area, .len = 4096 },
	};

	CHILD_CHECK(3, !ioctl(uffd, UFFDIO_ZEROPAGE, &zp) && zp.zeropage == 4096,
		    "UFFDIO_ZEROPAGE: %s", strerror(errno));
	CHILD_CHECK(4, ((char *)uffd_area)[100] == 0, "the page is not zero");
	return mem_verify();
}

TEST(userfaultfd_is_refused_and_named)
{
	unsaved_refused(_metadata, "userfaultfd(2)", uffd_setup, uffd_verify,
			EOPNOTSUPP, "userfaultfd");
}

/* A process outside the job that a job's thread traces. */
static pid_t outside_pid;

static int ptrace_setup(void)
{
	if (ptrace(PTRACE_SEIZE, outside_pid, 0, 0))
		return unavailable("PTRACE_SEIZE");
	return mem_setup();
}

static int tracer_of(pid_t pid)
{
	char val[32];

	if (ckpt_status_field(pid, "TracerPid", val, sizeof(val)))
		return -1;
	return atoi(val);
}

static int ptrace_verify(void)
{
	CHILD_CHECK(3, tracer_of(outside_pid) == getpid(), "pid %d is traced by %d",
		    outside_pid, tracer_of(outside_pid));
	return mem_verify();
}

/* A process of ours that sleeps until killed. */
static pid_t start_sleeper(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

TEST(tracing_a_process_outside_the_job_is_ebusy_and_named)
{
	char reason[64];

	outside_pid = start_sleeper();
	ASSERT_GT(outside_pid, 0);
	snprintf(reason, sizeof(reason), "traces pid %d", (int)outside_pid);
	unsaved_refused(_metadata, "PTRACE_SEIZE", ptrace_setup, ptrace_verify, EBUSY, reason);
	EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(outside_pid));
}

/*
 * A process sharing its memory (clone(CLONE_VM) without CLONE_THREAD)
 * with one outside the job: checkpointed alone, it is refused, naming
 * the other.
 */
#define VM_STACK	(64 * 1024)

static pid_t vm_child;

static int vm_child_fn(void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static int clone_vm_setup(void)
{
	char *stack = malloc(VM_STACK);

	CHILD_CHECK(1, stack, "malloc");
	vm_child = clone(vm_child_fn, stack + VM_STACK, CLONE_VM | SIGCHLD, NULL);
	CHILD_CHECK(1, vm_child > 0, "clone: %s", strerror(errno));
	return mem_setup();
}

static int clone_vm_verify(void)
{
	CHILD_CHECK(3, !kill(vm_child, 0), "pid %d is gone", vm_child);
	kill(vm_child, SIGKILL);
	CHILD_CHECK(4, waitpid(vm_child, NULL, 0) == vm_child, "waitpid: %s", strerror(errno));
	return mem_verify();
}

TEST(memory_shared_with_a_process_outside_the_job_is_ebusy_and_named)
{
	pid_t child, kids[4];
	char log[4096];
	int n;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(clone_vm_setup, clone_vm_verify);
	ASSERT_GT(child, 0);
	n = ckpt_children_of(child, kids, 4);
	ASSERT_EQ(1, n);
	/* Alone, without the process it shares with. */
	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "CLONE_VM"));
	EXPECT_TRUE(ckpt_log_has(log, "pid ", kids[0]))
		TH_LOG("the process it shares with, pid %d, is not named", kids[0]);
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

/* Signal-driven I/O on a pipe whose both ends the process holds. */
static int setown_setup(void)
{
	CHILD_CHECK(1, signal(SIGIO, SIG_IGN) != SIG_ERR, "signal");
	CHILD_CHECK(1, !pipe_fd_setup(), "pipe");
	CHILD_CHECK(1, !fcntl(3, F_SETOWN, getpid()), "F_SETOWN: %s", strerror(errno));
	return 0;
}

static int setown_verify(void)
{
	CHILD_CHECK(6, fcntl(3, F_GETOWN) == getpid(), "F_GETOWN: %d", fcntl(3, F_GETOWN));
	return pipe_fd_verify();
}

TEST(pipe_with_an_owner_for_sigio_is_refused_and_named)
{
	unsaved_refused(_metadata, "F_SETOWN", setown_setup, setown_verify,
			EOPNOTSUPP, "signal-driven I/O");
}

static int async_setup(void)
{
	int fl;

	CHILD_CHECK(1, signal(SIGIO, SIG_IGN) != SIG_ERR, "signal");
	CHILD_CHECK(1, !pipe_fd_setup(), "pipe");
	fl = fcntl(3, F_GETFL);
	CHILD_CHECK(1, fl >= 0 && !fcntl(3, F_SETFL, fl | O_ASYNC), "F_SETFL: %s",
		    strerror(errno));
	return 0;
}

static int async_verify(void)
{
	CHILD_CHECK(6, fcntl(3, F_GETFL) & O_ASYNC, "O_ASYNC is gone");
	return pipe_fd_verify();
}

TEST(pipe_with_o_async_is_refused_and_named)
{
	unsaved_refused(_metadata, "O_ASYNC", async_setup, async_verify,
			EOPNOTSUPP, "signal-driven I/O");
}

/*
 * A directory notification (fcntl(F_NOTIFY)) on fd 3, a directory of
 * its own; SIGIO, which it sends, is blocked and taken by the verify.
 */
static char dn_dir[64];

static int dnotify_setup(void)
{
	sigset_t io;
	int fd;

	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &io, NULL), "sigprocmask");
	/* One name, so that the trial run's directory goes here. */
	snprintf(dn_dir, sizeof(dn_dir), "/tmp/ckpt-dnotify");
	rmdir(dn_dir);
	CHILD_CHECK(1, !mkdir(dn_dir, 0700), "mkdir %s: %s", dn_dir, strerror(errno));
	fd = open(dn_dir, O_RDONLY | O_DIRECTORY);
	CHILD_CHECK(1, fd >= 0 && dup2(fd, 3) == 3, "open %s: %s", dn_dir, strerror(errno));
	if (fd != 3)
		close(fd);
	if (fcntl(3, F_NOTIFY, DN_CREATE | DN_MULTISHOT)) {
		int status = unavailable("F_NOTIFY");

		rmdir(dn_dir);
		return status;
	}
	return 0;
}

/* Still watched: creating a file in the directory sends SIGIO. */
static int dnotify_verify(void)
{
	struct timespec wait = { .tv_sec = 10 };
	char path[96];
	sigset_t io;
	int fd, sig;

	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	snprintf(path, sizeof(path), "%s/new", dn_dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHILD_CHECK(3, fd >= 0, "create %s: %s", path, strerror(errno));
	close(fd);
	sig = sigtimedwait(&io, NULL, &wait);
	unlink(path);
	rmdir(dn_dir);
	CHILD_CHECK(4, sig == SIGIO, "no SIGIO for a file created in %s: %s", dn_dir,
		    strerror(errno));
	return 0;
}

TEST(directory_notification_is_refused_and_named)
{
	unsaved_refused(_metadata, "F_NOTIFY (CONFIG_DNOTIFY)", dnotify_setup, dnotify_verify,
			EOPNOTSUPP, "F_NOTIFY");
}

/*
 * Character devices: one whose driver keeps state per open file
 * (/dev/kmsg, its read position) is refused; /dev/null, /dev/zero,
 * /dev/full, /dev/random and /dev/urandom are saved.
 */
static int open_at(const char *path, int flags, int fd)
{
	int f = open(path, flags | O_CLOEXEC);

	if (f < 0)
		return -1;
	if (f != fd) {
		if (dup2(f, fd) != fd)
			return -1;
		close(f);
	}
	return 0;
}

static bool is_chr(int fd, unsigned int major, unsigned int minor)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && major(st.st_rdev) == major &&
	       minor(st.st_rdev) == minor;
}

static int kmsg_setup(void)
{
	CHILD_CHECK(1, !open_at("/dev/kmsg", O_RDONLY | O_NONBLOCK, 5), "open /dev/kmsg: %s",
		    strerror(errno));
	return mem_setup();
}

static int kmsg_verify(void)
{
	CHILD_CHECK(3, is_chr(5, 1, 11), "fd 5 is not /dev/kmsg any more");
	return mem_verify();
}

TEST(kmsg_descriptor_is_refused_and_named)
{
	unsaved_refused(_metadata, "/dev/kmsg", kmsg_setup, kmsg_verify,
			EOPNOTSUPP, "character device");
}

static int memdev_setup(void)
{
	CHILD_CHECK(1, !open_at("/dev/null", O_WRONLY, 3), "/dev/null: %s", strerror(errno));
	CHILD_CHECK(1, !open_at("/dev/zero", O_RDONLY, 4), "/dev/zero: %s", strerror(errno));
	CHILD_CHECK(1, !open_at("/dev/urandom", O_RDONLY, 5), "/dev/urandom: %s",
		    strerror(errno));
	CHILD_CHECK(1, !open_at("/dev/full", O_WRONLY, 6), "/dev/full: %s", strerror(errno));
	CHILD_CHECK(1, !open_at("/dev/random", O_RDONLY | O_NONBLOCK, 7), "/dev/random: %s",
		    strerror(errno));
	return mem_setup();
}

static int memdev_verify(void)
{
	static const struct { int fd, minor, acc; } dev[] = {
		{ 3, 3, O_WRONLY }, { 4, 5, O_RDONLY }, { 5, 9, O_RDONLY }, { 6, 7, O_WRONLY },
		{ 7, 8, O_RDONLY },
	};
	unsigned char buf[64], any = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dev); i++) {
		CHILD_CHECK(3, is_chr(dev[i].fd, 1, dev[i].minor), "fd %d is not device 1:%d",
			    dev[i].fd, dev[i].minor);
		CHILD_CHECK(3, (fcntl(dev[i].fd, F_GETFL) & O_ACCMODE) == dev[i].acc,
			    "fd %d: flags %#x", dev[i].fd, fcntl(dev[i].fd, F_GETFL));
	}
	CHILD_CHECK(4, (fcntl(7, F_GETFL) & O_NONBLOCK), "fd 7 lost O_NONBLOCK");
	CHILD_CHECK(5, write(3, "gone", 4) == 4, "write /dev/null: %s", strerror(errno));
	memset(buf, 0xff, sizeof(buf));
	CHILD_CHECK(6, read(4, buf, sizeof(buf)) == sizeof(buf), "read /dev/zero");
	for (i = 0; i < sizeof(buf); i++)
		CHILD_CHECK(6, !buf[i], "byte %u of /dev/zero is %#x", i, buf[i]);
	CHILD_CHECK(7, read(5, buf, sizeof(buf)) == sizeof(buf), "read /dev/urandom");
	for (i = 0; i < sizeof(buf); i++)
		any |= buf[i];
	CHILD_CHECK(7, any, "64 zero bytes from /dev/urandom");
	errno = 0;
	CHILD_CHECK(8, write(6, "x", 1) == -1 && errno == ENOSPC, "write /dev/full: %s",
		    strerror(errno));
	CHILD_CHECK(9, read(7, buf, 16) == 16, "read /dev/random: %s", strerror(errno));
	return mem_verify();
}

TEST(null_zero_full_random_and_urandom_descriptors_are_saved)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(memdev_setup, memdev_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
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
