// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: a process checkpointing itself (pid 0).
 *
 * checkpoint(0, fd, flags, logfd) returns 0 in the caller and
 * CKPT_RESTARTED from the very same call in the restored copy.  With
 * CKPT_KILL it does not return in the caller at all; with CKPT_STOP the
 * caller stops until SIGCONT and then gets 0.  The children write their
 * image to a pipe on their fd 1 (fds 0-2 that are pipes are inherited
 * from the restarter; above fd 2, a pipe whose other end the copier
 * holds would make the checkpoint fail with EBUSY); a helper process
 * copies it to a file.  Also: regular files are
 * reopened at the same fd numbers, with the same offsets, status flags
 * and close-on-exec flags, and dup()ed descriptors still share their
 * offset.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

/* Exit statuses of the self-checkpointing children. */
#define ORIGINAL_OK	0	/* the original got 0 */
#define RESTORED_OK	42	/* the restored copy got CKPT_RESTARTED */

#define SELF_MEM	(128 * 1024)

static uint64_t *self_mem;
static pid_t self_pid_before;

/* In the original after the checkpoint: let go of the image pipe. */
static void drop_image_pipe(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		dup2(fd, 1);
		close(fd);
	}
}

static int self_prepare(void)
{
	self_mem = malloc(SELF_MEM);
	CHILD_CHECK(90, self_mem, "malloc");
	ckpt_fill(self_mem, SELF_MEM, 55);
	self_pid_before = getpid();
	/* The readiness pipe must be gone before the checkpoint. */
	ckpt_child_ready();
	return 0;
}

/* In the restored copy: the basics still hold. */
static int self_restored_checks(void)
{
	long bad = ckpt_check_fill(self_mem, SELF_MEM, 55);

	CHILD_CHECK(91, bad < 0, "memory word %ld", bad);
	CHILD_CHECK(92, getpid() == self_pid_before, "pid %d, was %d",
		    (int)getpid(), (int)self_pid_before);
	return 0;
}

struct self_run {
	pid_t child, copier;
	int image;
};

/*
 * Start @child_main with a pipe as its fd 1 and a copier from that pipe
 * to a new image file.
 */
static int self_start(struct self_run *run, int (*child_main)(void))
{
	int p[2];

	run->image = ckpt_image_open();
	if (run->image < 0 || pipe2(p, O_CLOEXEC))
		return -1;
	run->copier = ckpt_start_copier(p[0], run->image, p[1]);
	if (run->copier < 0)
		return -1;
	close(p[0]);
	run->child = ckpt_spawn_main_fd1(child_main, p[1]);
	close(p[1]);
	return run->child > 0 ? 0 : -1;
}

/* Wait up to @ms for @pid to exit; its status, or -1 if it did not. */
static int reap_within(pid_t pid, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
		if (r < 0 || ckpt_now_ms() >= end)
			return -1;
		ckpt_sleep_ms(10);
	}
}

/* Restart the image of @run, expect its pid, and get its exit status. */
static int self_restart(struct self_run *run)
{
	int status;

	if (ckpt_restart_as(run->image, run->child, 0) < 0)
		return -1;
	status = reap_within(run->child, 20000);
	if (status < 0) {
		ckpt_msg("restored copy did not exit (state %c)",
			 ckpt_proc_state(run->child) ?: '?');
		ckpt_kill_reap(run->child);
	}
	return status;
}

/* --------------------------------------------------------------------
 * CKPT_CONTINUE
 */

static int self_continue_main(void)
{
	long r;
	int ret;

	ret = self_prepare();
	if (ret)
		return ret;
	errno = 0;
	r = checkpoint(0, 1, CKPT_CONTINUE, 2);
	if (r == 0) {
		drop_image_pipe();
		return ORIGINAL_OK;
	}
	if (r == CKPT_RESTARTED) {
		ret = self_restored_checks();
		return ret ? ret : RESTORED_OK;
	}
	ckpt_msg("checkpoint(0) = %ld: %s", r, strerror(errno));
	return 1;
}

TEST(self_checkpoint_returns_0_then_restarted_in_the_copy)
{
	struct self_run run;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, self_start(&run, self_continue_main));
	EXPECT_EQ(ORIGINAL_OK, ckpt_reap(run.child));
	EXPECT_EQ(0, ckpt_reap(run.copier));
	ASSERT_GT(ckpt_fd_size(run.image), 0);
	EXPECT_EQ(RESTORED_OK, self_restart(&run));
	/* The image can be restarted again, with the same result. */
	EXPECT_EQ(RESTORED_OK, self_restart(&run));
	close(run.image);
}

/* --------------------------------------------------------------------
 * CKPT_KILL
 */

static int self_kill_main(void)
{
	long r;
	int ret;

	ret = self_prepare();
	if (ret)
		return ret;
	errno = 0;
	r = checkpoint(0, 1, CKPT_KILL, 2);
	if (r == CKPT_RESTARTED) {
		ret = self_restored_checks();
		return ret ? ret : RESTORED_OK;
	}
	if (r == 0) {
		ckpt_msg("checkpoint(0, CKPT_KILL) returned in the original");
		return 2;
	}
	ckpt_msg("checkpoint(0, CKPT_KILL) = %ld: %s", r, strerror(errno));
	return 1;
}

TEST(self_checkpoint_with_kill_never_returns_in_the_original)
{
	struct self_run run;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, self_start(&run, self_kill_main));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(run.child));
	EXPECT_EQ(0, ckpt_reap(run.copier));
	ASSERT_GT(ckpt_fd_size(run.image), 0);
	EXPECT_EQ(RESTORED_OK, self_restart(&run));
	close(run.image);
}

/* --------------------------------------------------------------------
 * CKPT_STOP
 */

static int self_stop_main(void)
{
	long r;
	int ret;

	ret = self_prepare();
	if (ret)
		return ret;
	errno = 0;
	r = checkpoint(0, 1, CKPT_STOP, 2);
	if (r == 0) {
		drop_image_pipe();
		return ORIGINAL_OK;
	}
	if (r == CKPT_RESTARTED) {
		ret = self_restored_checks();
		return ret ? ret : RESTORED_OK;
	}
	ckpt_msg("checkpoint(0, CKPT_STOP) = %ld: %s", r, strerror(errno));
	return 1;
}

TEST(self_checkpoint_with_stop_stops_the_caller_until_sigcont)
{
	struct self_run run;
	int status;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, self_start(&run, self_stop_main));
	ASSERT_EQ(run.child, waitpid(run.child, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(SIGSTOP, WSTOPSIG(status));
	EXPECT_EQ('T', ckpt_proc_state(run.child));
	ASSERT_EQ(0, kill(run.child, SIGCONT));
	EXPECT_EQ(ORIGINAL_OK, ckpt_reap(run.child));
	EXPECT_EQ(0, ckpt_reap(run.copier));
	ASSERT_GT(ckpt_fd_size(run.image), 0);
	/* The copy was saved running in checkpoint(): it runs. */
	EXPECT_EQ(RESTORED_OK, self_restart(&run));
	close(run.image);
}

/* --------------------------------------------------------------------
 * Regular files
 */

#define FD_A	5	/* O_RDWR at offset 123 */
#define FD_B	7	/* O_WRONLY | O_APPEND, close-on-exec */
#define FD_DUP	8	/* dup of FD_A */
#define FD_RO	10	/* O_RDONLY | O_NONBLOCK at offset 50 */
#define A_SIZE	200

static const int file_fds[] = { FD_A, FD_B, FD_DUP, FD_RO };
#define NR_FILE_FDS	ARRAY_SIZE(file_fds)

static char fa_path[128], fb_path[128];
static int fl_before[NR_FILE_FDS], fd_flags_before[NR_FILE_FDS];
static off_t off_before[NR_FILE_FDS];

static int open_at(const char *path, int flags, int fd)
{
	int tmp = open(path, flags, 0600);

	if (tmp < 0)
		return -1;
	if (tmp == fd)
		return 0;
	if (dup3(tmp, fd, flags & O_CLOEXEC) < 0)
		return -1;
	close(tmp);
	return 0;
}

static int files_restored_checks(void)
{
	char buf[A_SIZE + 1];
	struct stat st1, st2;
	size_t i;

	for (i = 0; i < NR_FILE_FDS; i++) {
		int fd = file_fds[i];

		CHILD_CHECK(2, fcntl(fd, F_GETFL) == fl_before[i],
			    "fd %d: flags %#x, were %#x", fd, fcntl(fd, F_GETFL),
			    fl_before[i]);
		CHILD_CHECK(3, fcntl(fd, F_GETFD) == fd_flags_before[i],
			    "fd %d: fd flags %#x, were %#x", fd,
			    fcntl(fd, F_GETFD), fd_flags_before[i]);
		CHILD_CHECK(4, lseek(fd, 0, SEEK_CUR) == off_before[i],
			    "fd %d: offset %lld, was %lld", fd,
			    (long long)lseek(fd, 0, SEEK_CUR),
			    (long long)off_before[i]);
	}
	CHILD_CHECK(5, !fstat(FD_A, &st1) && !stat(fa_path, &st2) &&
		    st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev,
		    "fd %d is not %s", FD_A, fa_path);

	/* Writing goes on where it was... */
	CHILD_CHECK(6, write(FD_A, "XYZ", 3) == 3, "write: %s", strerror(errno));
	/* ...and a dup()ed descriptor still shares the offset. */
	CHILD_CHECK(7, lseek(FD_DUP, 0, SEEK_CUR) == 126,
		    "dup'ed fd offset %lld", (long long)lseek(FD_DUP, 0, SEEK_CUR));
	CHILD_CHECK(8, write(FD_B, "world\n", 6) == 6, "append: %s",
		    strerror(errno));
	CHILD_CHECK(9, read(FD_RO, buf, 10) == 10 && !memcmp(buf, "aaaaaaaaaa", 10),
		    "read-only fd");
	CHILD_CHECK(9, lseek(FD_RO, 0, SEEK_CUR) == 60, "read-only offset");

	CHILD_CHECK(10, pread(FD_RO, buf, A_SIZE + 1, 0) == A_SIZE, "pread");
	for (i = 0; i < A_SIZE; i++) {
		char want = (i >= 123 && i < 126) ? "XYZ"[i - 123] : 'a';

		CHILD_CHECK(11, buf[i] == want, "file a byte %zu: %c", i, buf[i]);
	}
	CHILD_CHECK(12, ckpt_read_file(fb_path, buf, sizeof(buf)) == 12 &&
		    !strcmp(buf, "hello\nworld\n"), "file b: %s", buf);
	return 0;
}

static int self_files_main(void)
{
	char a[A_SIZE];
	size_t i;
	long r;
	int ret;

	memset(a, 'a', sizeof(a));
	CHILD_CHECK(1, !open_at(fa_path, O_RDWR | O_CREAT | O_TRUNC, FD_A),
		    "open a: %s", strerror(errno));
	CHILD_CHECK(1, write(FD_A, a, sizeof(a)) == sizeof(a), "write");
	CHILD_CHECK(1, lseek(FD_A, 123, SEEK_SET) == 123, "lseek");
	CHILD_CHECK(1, !open_at(fb_path, O_WRONLY | O_CREAT | O_TRUNC |
				O_APPEND | O_CLOEXEC, FD_B), "open b");
	CHILD_CHECK(1, write(FD_B, "hello\n", 6) == 6, "write");
	CHILD_CHECK(1, dup2(FD_A, FD_DUP) == FD_DUP, "dup2");
	CHILD_CHECK(1, !open_at(fa_path, O_RDONLY | O_NONBLOCK, FD_RO), "open");
	CHILD_CHECK(1, lseek(FD_RO, 50, SEEK_SET) == 50, "lseek");
	for (i = 0; i < NR_FILE_FDS; i++) {
		fl_before[i] = fcntl(file_fds[i], F_GETFL);
		fd_flags_before[i] = fcntl(file_fds[i], F_GETFD);
		off_before[i] = lseek(file_fds[i], 0, SEEK_CUR);
	}
	CHILD_CHECK(1, fd_flags_before[1] == FD_CLOEXEC &&
		    fd_flags_before[0] == 0, "close-on-exec flags");
	CHILD_CHECK(1, (fl_before[1] & O_APPEND) && (fl_before[3] & O_NONBLOCK),
		    "status flags");

	ret = self_prepare();
	if (ret)
		return ret;
	errno = 0;
	r = checkpoint(0, 1, CKPT_CONTINUE, 2);
	if (r == 0) {
		/* The original leaves the files alone for the copy. */
		drop_image_pipe();
		return ORIGINAL_OK;
	}
	if (r != CKPT_RESTARTED) {
		ckpt_msg("checkpoint(0) = %ld: %s", r, strerror(errno));
		return 1;
	}
	ret = self_restored_checks();
	if (!ret)
		ret = files_restored_checks();
	return ret ? ret : RESTORED_OK;
}

TEST(regular_files_keep_fd_numbers_offsets_and_flags)
{
	struct self_run run;
	char buf[64];

	if (!ckpt_preamble(_metadata))
		return;
	snprintf(fa_path, sizeof(fa_path), "/tmp/ckpt-self-a-%d", (int)getpid());
	snprintf(fb_path, sizeof(fb_path), "/tmp/ckpt-self-b-%d", (int)getpid());
	ASSERT_EQ(0, self_start(&run, self_files_main));
	EXPECT_EQ(ORIGINAL_OK, ckpt_reap(run.child));
	EXPECT_EQ(0, ckpt_reap(run.copier));
	EXPECT_EQ(RESTORED_OK, self_restart(&run));
	EXPECT_EQ(12, ckpt_read_file(fb_path, buf, sizeof(buf)));
	EXPECT_STREQ("hello\nworld\n", buf);
	close(run.image);
	unlink(fa_path);
	unlink(fb_path);
}

TEST_HARNESS_MAIN
