// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: what happens to the original, and how images move.
 *
 * CKPT_CONTINUE leaves the original running unchanged (it finishes its
 * computation correctly, and so does the image restarted afterwards);
 * CKPT_STOP leaves it stopped like SIGSTOP until SIGCONT; CKPT_KILL
 * kills it with SIGKILL once the image is complete.  RESTART_STOPPED
 * leaves the restored process stopped until SIGCONT.  restart() while
 * the pid is still in use fails with EBUSY and creates nothing.  Five
 * checkpoint/kill/restart cycles in a row of a computing process: its
 * progress never goes back, and its result equals an uninterrupted
 * computation.  Images go through pipes both ways.  An image ends with
 * the digest its header names: by default the xxh64 of every byte before
 * the trailer, with CKPT_DIGEST_SHA256 their SHA-256 (both recomputed
 * here with libxxhash and libmd); either image restarts.
 *
 * Most tests use the computing child of ckpt_test.h, which counts in
 * ckpt_compute_progress (read here through /proc/PID/mem) until SIGUSR2
 * and then checks its result against a recomputation from scratch.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/* Start the computing child and wait until it is well on its way. */
static pid_t start_compute(void)
{
	pid_t child = ckpt_spawn_main(ckpt_compute_main);
	uint64_t p;

	if (child < 0)
		return -1;
	p = ckpt_compute_wait_past(child, 10000, 20000);
	if (p == (uint64_t)-1 || p <= 10000) {
		ckpt_msg("computing child %d makes no progress", (int)child);
		ckpt_kill_reap(child);
		return -1;
	}
	return child;
}

/* Is the computing child @pid making progress right now? */
static bool computing(pid_t pid)
{
	uint64_t p = ckpt_compute_progress_of(pid);

	if (p == (uint64_t)-1)
		return false;
	return ckpt_compute_wait_past(pid, p, 10000) > p;
}

/* Is it standing still (stopped) over 300 ms? */
static bool standing_still(pid_t pid)
{
	uint64_t p = ckpt_compute_progress_of(pid);

	ckpt_sleep_ms(300);
	return p != (uint64_t)-1 && ckpt_compute_progress_of(pid) == p;
}

/*
 * A computing child, checkpointed with @flags into a new image file
 * (left open in *@fd): its pid.
 */
static pid_t checkpointed_compute(struct __test_metadata *_metadata, unsigned int flags,
				  int *fd)
{
	pid_t child = start_compute();

	ASSERT_GT(child, 0);
	*fd = ckpt_image_open();
	ASSERT_GE(*fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, *fd, flags));
	return child;
}

/*
 * The image in @fd restarts as @child, running, and the computation
 * finishes with the right result; then @fd is closed.
 */
static void restarts_and_finishes(struct __test_metadata *_metadata, int fd, pid_t child)
{
	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_TRUE(computing(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

/* waitpid(@pid, @options) for up to @ms; the status, or -1. */
static int wait_status(pid_t pid, int options, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, options | WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 || ckpt_now_ms() >= end)
			return -1;
		ckpt_sleep_ms(10);
	}
}

TEST(continue_leaves_original_running_and_image_restarts_later)
{
	uint64_t at_ckpt, p;
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = start_compute();
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	at_ckpt = ckpt_compute_progress_of(child);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_CONTINUE));

	/* The original goes on, and finishes with the right result. */
	EXPECT_TRUE(computing(child));
	EXPECT_NE('T', ckpt_proc_state(child));
	EXPECT_EQ(0, waitpid(child, NULL, WNOHANG));
	EXPECT_EQ(0, ckpt_wake_reap(child));

	/* Then the image: it starts from where the original was. */
	ASSERT_EQ(child, ckpt_restart_as(fd, child, RESTART_STOPPED));
	p = ckpt_compute_progress_of(child);
	EXPECT_GE(p, at_ckpt);
	ASSERT_EQ(0, kill(child, SIGCONT));
	EXPECT_TRUE(computing(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	EXPECT_FALSE(ckpt_have_children());
	close(fd);
}

TEST(stop_leaves_original_stopped_until_sigcont)
{
	pid_t child;
	int fd, status;

	if (!ckpt_preamble(_metadata))
		return;
	child = checkpointed_compute(_metadata, CKPT_STOP, &fd);

	status = wait_status(child, WUNTRACED, 5000);
	ASSERT_NE(-1, status) TH_LOG("no stop reported");
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(SIGSTOP, WSTOPSIG(status));
	EXPECT_EQ('T', ckpt_proc_state(child));
	EXPECT_TRUE(standing_still(child));

	ASSERT_EQ(0, kill(child, SIGCONT));
	status = wait_status(child, WCONTINUED, 5000);
	EXPECT_TRUE(status != -1 && WIFCONTINUED(status));
	EXPECT_TRUE(computing(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));

	/* The image restarts running: it was saved before the stop. */
	restarts_and_finishes(_metadata, fd, child);
}

TEST(kill_kills_original_once_image_is_complete)
{
	pid_t child;
	int fd, status;

	if (!ckpt_preamble(_metadata))
		return;
	child = checkpointed_compute(_metadata, CKPT_KILL, &fd);
	status = wait_status(child, 0, 5000);
	ASSERT_NE(-1, status) TH_LOG("original still alive");
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);

	restarts_and_finishes(_metadata, fd, child);
}

TEST(restart_stopped_leaves_restored_process_stopped_until_sigcont)
{
	pid_t child;
	int fd, status;

	if (!ckpt_preamble(_metadata))
		return;
	child = checkpointed_compute(_metadata, CKPT_KILL, &fd);
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));

	ASSERT_EQ(child, ckpt_restart_as(fd, child, RESTART_STOPPED));
	EXPECT_EQ('T', ckpt_wait_state(child, "T", 2000));
	EXPECT_TRUE(standing_still(child));
	status = wait_status(child, WUNTRACED, 5000);
	EXPECT_TRUE(status != -1 && WIFSTOPPED(status) &&
		    WSTOPSIG(status) == SIGSTOP) TH_LOG("status %#x", status);

	ASSERT_EQ(0, kill(child, SIGCONT));
	EXPECT_TRUE(computing(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST(restart_while_pid_in_use_is_ebusy_and_creates_nothing)
{
	pid_t child, kids[4];
	int fd, n;

	if (!ckpt_preamble(_metadata))
		return;
	child = checkpointed_compute(_metadata, CKPT_CONTINUE, &fd);

	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	errno = 0;
	EXPECT_EQ(-1, restart(fd, 0, 2));
	EXPECT_EQ(EBUSY, errno);
	/* Only the original is there, and it still runs. */
	n = ckpt_children_of(0, kids, 4);
	EXPECT_EQ(1, n);
	if (n >= 1)
		EXPECT_EQ(child, kids[0]);
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG));
	EXPECT_TRUE(computing(child));
	EXPECT_EQ(0, ckpt_wake_reap(child));

	/* Once the pid is free, the same image restarts. */
	restarts_and_finishes(_metadata, fd, child);
}

TEST(five_cycles_in_a_row_keep_progress_and_give_the_right_result)
{
	static const unsigned int modes[] = {
		CKPT_CONTINUE, CKPT_KILL, CKPT_STOP, CKPT_CONTINUE, CKPT_KILL,
	};
	uint64_t before, restored, last = 0;
	pid_t child;
	int c, fd, status;

	if (!ckpt_preamble(_metadata))
		return;
	child = start_compute();
	ASSERT_GT(child, 0);
	for (c = 0; c < 5; c++) {
		before = ckpt_compute_wait_past(child, last, 10000);
		ASSERT_GT(before, last) TH_LOG("cycle %d: no progress", c);
		ASSERT_NE((uint64_t)-1, before);
		fd = ckpt_image_open();
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, ckpt_checkpoint(child, fd, modes[c]))
			TH_LOG("cycle %d", c);
		status = ckpt_kill_reap(child);
		ASSERT_EQ(128 + SIGKILL, status) TH_LOG("cycle %d", c);
		ASSERT_EQ(child, ckpt_restart_as(fd, child, RESTART_STOPPED))
			TH_LOG("cycle %d", c);
		close(fd);
		/* Stopped: exactly where the image was taken. */
		restored = ckpt_compute_progress_of(child);
		EXPECT_GE(restored, before) TH_LOG("cycle %d went back", c);
		ASSERT_EQ(0, kill(child, SIGCONT));
		last = ckpt_compute_wait_past(child, restored, 10000);
		ASSERT_GT(last, restored) TH_LOG("cycle %d: stuck", c);
		ASSERT_NE((uint64_t)-1, last);
	}
	EXPECT_EQ(0, ckpt_wake_reap(child));
}

/*
 * checkpoint(@flags | CKPT_KILL) of a computing child into a new image
 * file, loaded into *@img (*@len bytes, its header in *@hdr and its
 * trailer at *@t).  Returns the child's pid, killed and reaped, with
 * the image file open in *@fd; or -1.
 */
static pid_t take_image(unsigned int flags, int *fd, struct ckpt_rec_header *hdr,
			uint8_t **img, size_t *len, const struct ckpt_rec_trailer **t)
{
	pid_t child = start_compute();

	if (child < 0)
		return -1;
	*fd = ckpt_image_open();
	if (*fd < 0 || ckpt_checkpoint(child, *fd, flags | CKPT_KILL)) {
		ckpt_kill_reap(child);
		return -1;
	}
	if (ckpt_reap(child) != 128 + SIGKILL || ckpt_image_header(*fd, hdr))
		return -1;
	*img = ckpt_image_load(*fd, len);
	if (!*img || *len < sizeof(*hdr) + sizeof(**t)) {
		ckpt_msg("image of %zu bytes", *len);
		return -1;
	}
	*t = (const struct ckpt_rec_trailer *)(*img + *len - sizeof(**t));
	return child;
}

/*
 * take_image() with @flags (0 or CKPT_DIGEST_SHA256): both its header
 * and its trailer name the digest @hash, and the trailer is well formed.
 * Returns the child's pid.
 */
static pid_t digest_image(struct __test_metadata *_metadata, unsigned int flags, int hash,
			  int *fd, uint8_t **img, size_t *len,
			  const struct ckpt_rec_trailer **trailer)
{
	const struct ckpt_rec_trailer *t;
	struct ckpt_rec_header hdr;
	pid_t child = take_image(flags, fd, &hdr, img, len, trailer);

	ASSERT_GT(child, 0);
	t = *trailer;
	EXPECT_EQ(hash, (int)hdr.digest);
	EXPECT_EQ((int)flags, (int)(hdr.flags & CKPT_DIGEST_SHA256));
	ASSERT_EQ(CKPT_REC_TRAILER, (int)t->h.type);
	ASSERT_EQ(sizeof(*t), t->h.len);
	EXPECT_EQ(*len - sizeof(*t), t->total_len);
	EXPECT_EQ(hash, (int)t->digest);
	EXPECT_EQ(0, (int)t->reserved);
	return child;
}

TEST(default_digest_is_the_xxh64_of_the_bytes_before_the_trailer)
{
	const struct ckpt_rec_trailer *t;
	uint64_t want, got = 0;
	size_t len = 0;
	uint8_t *img;
	pid_t child;
	int fd, i;

	if (!ckpt_preamble(_metadata))
		return;
	child = digest_image(_metadata, 0, CKPT_HASH_XXH64, &fd, &img, &len, &t);

	/* A little-endian __u64, seed 0, then zeroes. */
	want = XXH64(img, len - sizeof(*t), 0);
	for (i = 0; i < 8; i++)
		got |= (uint64_t)t->value[i] << (8 * i);
	EXPECT_EQ(want, got) TH_LOG("trailer %016llx, xxh64 %016llx",
				    (unsigned long long)got, (unsigned long long)want);
	EXPECT_TRUE(ckpt_all_zero(t->value + 8, sizeof(t->value) - 8));
	free(img);

	restarts_and_finishes(_metadata, fd, child);
	EXPECT_FALSE(ckpt_have_children());
}

TEST(digest_sha256_image_ends_with_the_sha256_of_its_bytes_and_restarts)
{
	uint8_t want[SHA256_DIGEST_LENGTH];
	const struct ckpt_rec_trailer *t;
	size_t len = 0;
	SHA2_CTX sha;
	uint8_t *img;
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = digest_image(_metadata, CKPT_DIGEST_SHA256, CKPT_HASH_SHA256, &fd, &img, &len, &t);

	md_sha256_init(&sha);
	md_sha256_update(&sha, img, len - sizeof(*t));
	md_sha256_final(want, &sha);
	ASSERT_EQ(sizeof(want), sizeof(t->value));
	EXPECT_EQ(0, memcmp(want, t->value, sizeof(want)))
		TH_LOG("the trailer is not the SHA-256 of the %zu bytes before it",
		       len - sizeof(*t));
	free(img);

	restarts_and_finishes(_metadata, fd, child);
	EXPECT_FALSE(ckpt_have_children());
}

/* A sleeping child with some memory, for the pipe tests. */
#define PIPE_MEM	(1024 * 1024UL)	/* more than a pipe holds */

static uint64_t *pipe_mem;

static int pipe_setup(void)
{
	pipe_mem = malloc(PIPE_MEM);
	CHILD_CHECK(1, pipe_mem, "malloc");
	ckpt_fill(pipe_mem, PIPE_MEM, 8);
	return 0;
}

static int pipe_verify(void)
{
	long bad = ckpt_check_fill(pipe_mem, PIPE_MEM, 8);

	CHILD_CHECK(2, bad < 0, "word %ld", bad);
	return 0;
}

TEST(checkpoint_into_a_pipe_then_restart_from_the_copy)
{
	pid_t child, copier;
	int p[2], fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(pipe_setup, pipe_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	copier = ckpt_start_copier(p[0], fd, p[1]);
	ASSERT_GT(copier, 0);
	close(p[0]);
	EXPECT_EQ(0, ckpt_checkpoint(child, p[1], CKPT_KILL));
	close(p[1]);
	EXPECT_EQ(0, ckpt_reap(copier));
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	EXPECT_GT(ckpt_fd_size(fd), (off_t)PIPE_MEM);

	ASSERT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST(restart_reading_the_image_from_a_pipe)
{
	pid_t child, copier, got;
	int p[2], fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(pipe_setup, pipe_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));

	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	copier = ckpt_start_copier(fd, p[1], p[0]);
	ASSERT_GT(copier, 0);
	close(p[1]);
	errno = 0;
	got = restart(p[0], 0, 2);
	EXPECT_EQ(child, got) TH_LOG("restart from a pipe: %s", strerror(errno));
	close(p[0]);
	EXPECT_EQ(0, ckpt_reap(copier));
	if (got > 0 && got != child)
		ckpt_kill_reap(got);
	if (got == child)
		EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
}

TEST_HARNESS_MAIN
