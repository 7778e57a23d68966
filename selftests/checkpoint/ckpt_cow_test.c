// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: copy-on-write checkpoints.
 *
 * A checkpoint that lets its job run on (CKPT_CONTINUE without
 * CKPT_NO_COW), by a caller outside the job, keeps the job frozen only
 * while it captures its state: records and file contents go to a spool
 * in the kernel, each process's private memory to a snapshot made the
 * way fork(2) makes one.  Then the job is thawed, and only then is the
 * image written out.  The job runs while its image is written, and the
 * image is the job at the instant of the freeze.
 *
 * The job of these tests loops over the pages of its regions: step k of
 * generation g writes g + 1 into every word of page k of each region,
 * then stores its position, g * N + k + 1 (N: the pages of its largest
 * region), in one word of its header: k and g both, so that no instant
 * sees one without the other.  At every instant between two steps, the
 * pages below k hold g + 1 and the others g.  Woken by SIGUSR2, the job
 * checks exactly that over every page, before any further step could
 * mend a page; then it runs one more generation and checks again.  The
 * test reads the job's position through /proc/PID/mem (ckpt_peek()).
 * Images go to a pipe that a thread of the test writes to with
 * checkpoint(2) and that nobody reads until the test has seen what the
 * job does meanwhile.
 *
 *  - job_runs_while_its_image_is_written: with CKPT_CONTINUE, once the
 *    image's first bytes are in the pipe, the job goes two whole
 *    generations further while the call waits for room in the pipe;
 *    then the image is read, the call returns 0, the image's digest is
 *    right, and it restarts at a position between the one before the
 *    call and the one when its first bytes came, its invariant intact.
 *  - image_is_the_instant_of_the_freeze, with xxh64 and with SHA-256:
 *    the same with 32 MiB of private anonymous memory, a 16 MiB
 *    MAP_PRIVATE and a 16 MiB MAP_SHARED mapping of memfds, every page of
 *    which the job rewrites while its image waits in the pipe: pages
 *    read from the snapshots after the thaw, and the shared memfd's,
 *    copied at the freeze, must all be of the same instant.  A memfd's
 *    contents go to the spool, and the private one's file holds
 *    generation 0, so the spool holds 16 + 16 MiB: the regions are sized
 *    to keep it well under its 64 MiB bound, past which the kernel would
 *    keep the job frozen.
 *  - no_cow_keeps_the_job_frozen_until_the_image_is_written: with
 *    CKPT_NO_COW the job stands still while the call waits for room in
 *    the pipe, runs on once the image is complete, and the image
 *    restarts exactly where the job stood.
 *  - dontfork_mapping_falls_back_to_a_frozen_checkpoint: a MADV_DONTFORK
 *    mapping, which a fork's copy does not hold, keeps the job frozen as
 *    without copy-on-write, and its contents are in the image; once the
 *    job has made it MADV_DOFORK, the next checkpoint lets it run.
 *  - small_fs.failure_after_the_thaw_leaves_the_job_running_and_the_image_refused:
 *    ENOSPC on a 2 MiB tmpfs, with and without copy-on-write, and EPIPE
 *    when the image's reader goes away after the job was seen running
 *    during the call: the call fails, the job runs on (neither stopped
 *    nor killed), and restart(2) refuses each partial image (ENOEXEC: it
 *    has no trailer).
 *  - stop_and_kill_do_not_let_the_job_run_before_the_image_is_complete:
 *    CKPT_CONTINUE lets the job run while the call waits (the control);
 *    CKPT_STOP and CKPT_KILL keep it frozen until the image is complete,
 *    then CKPT_STOP leaves it stopped where it stood and CKPT_KILL kills
 *    it; the CKPT_KILL image restarts where the job stood.
 *
 * Every test fails on a kernel without copy-on-write checkpoints, where
 * a checkpoint keeps its job frozen until the trailer is written:
 * job_runs_while_its_image_is_written and image_is_the_instant_of_the_freeze
 * see the job stand still while the call waits; CKPT_NO_COW is an
 * unknown flag there (EINVAL, no image); the DONTFORK and STOP/KILL
 * tests see their control, a checkpoint that must let the job run,
 * keep it frozen; and the failure test sees EINVAL for CKPT_NO_COW, and
 * a job that does not run while its image is written before the EPIPE.
 *
 * Nothing here waits for time to pass as a success condition, but for
 * the one check that a frozen job stands still over 300 ms, which no
 * running job passes; every other wait is for an observable state, with
 * a generous bound that only a failure reaches.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

/*
 * The harness' TEST_F() wrapper keeps the pid of the test process it
 * forks in a variable that a failed ASSERT_*()'s longjmp() may clobber.
 * The small_fs teardown is the parent's kind, so that it runs whatever
 * happened.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#define PG		4096UL
#define PG_WORDS	(PG / sizeof(unsigned long long))

/* A position that ckpt_peek() could not read. */
#define NOPOS		(~0ULL)

/* Failure bounds: nothing waits this long when all goes well. */
#define RUN_MS		10000	/* a running job gets so far */
#define BIG_RUN_MS	60000	/* the same, rewriting 64 MiB on the way */
#define IMAGE_MS	120000	/* a checkpoint writes its image */
#define STILL_MS	300	/* a frozen job stands still this long */

/* Steps a job that runs on after a checkpoint must make within RUN_MS. */
#define RUN_STEPS	1024ULL

/* --------------------------------------------------------------------
 * The job
 */

enum { REG_ANON, REG_MEMFD_PRIVATE, REG_MEMFD_SHARED, NR_REGS };

static const char *const reg_name[NR_REGS] = {
	[REG_ANON]		= "private anonymous mapping",
	[REG_MEMFD_PRIVATE]	= "MAP_PRIVATE mapping of a memfd",
	[REG_MEMFD_SHARED]	= "MAP_SHARED mapping of a memfd",
};

struct job_cfg {
	size_t pages[NR_REGS];	/* of each region; 0: no such region */
	size_t dontfork_pages;	/* of a MADV_DONTFORK mapping; 0: none */
};

/* 8 MiB */
static const struct job_cfg job_8m = { .pages = { [REG_ANON] = 2048 } };

/* 4 MiB */
static const struct job_cfg job_4m = { .pages = { [REG_ANON] = 1024 } };

/* 16 MiB, for a 2 MiB file system */
static const struct job_cfg job_16m = { .pages = { [REG_ANON] = 4096 } };

/* 32 + 16 + 16 MiB */
static const struct job_cfg job_big = {
	.pages = {
		[REG_ANON]		= 8192,
		[REG_MEMFD_PRIVATE]	= 4096,
		[REG_MEMFD_SHARED]	= 4096,
	},
};

/* 4 MiB, and 1 MiB of known contents marked MADV_DONTFORK */
static const struct job_cfg job_4m_dontfork = {
	.pages = { [REG_ANON] = 1024 },
	.dontfork_pages = 256,
};

#define DONTFORK_SEED	0xd0f0d0f0d0f0ULL

/* What the next job is made of: set by the test before it forks it. */
static struct job_cfg job_cfg;

/* The job's header: the test reads it at the same address in the job. */
static struct {
	unsigned long long pos;		/* g * N + k */
	unsigned long long dofork_done;	/* 1 once MADV_DOFORK is done */
} job_hdr;

static unsigned long long *job_reg[NR_REGS];
static unsigned long long *job_dontfork;
static sig_atomic_t job_dofork_req;	/* SIGUSR1: MADV_DOFORK, please */

/* N: the pages of the largest region. */
static size_t job_pages(const struct job_cfg *cfg)
{
	size_t n = 0;
	int r;

	for (r = 0; r < NR_REGS; r++)
		if (cfg->pages[r] > n)
			n = cfg->pages[r];
	return n;
}

/* Every word of page @i of region @r in generation @gen. */
static unsigned long long page_val(int r, size_t i, unsigned long long gen)
{
	return 0xc0c0000000000000ULL ^ (gen << 24) ^ ((unsigned long long)r << 20) ^ i;
}

/* The generation that @val, in page @i of region @r, stands for. */
static unsigned long long val_gen(int r, size_t i, unsigned long long val)
{
	return (val ^ page_val(r, i, 0)) >> 24;
}

static void fill_page(unsigned long long *p, unsigned long long val)
{
	size_t w;

	for (w = 0; w < PG_WORDS; w++)
		p[w] = val;
}

static void job_sigusr1(int sig)
{
	(void)sig;
	CKPT_STORE(job_dofork_req, 1);
}

/* Map region @r of @n pages, in generation 0. */
static unsigned long long *job_map(int r, size_t n)
{
	static unsigned long long page[PG_WORDS];
	size_t len = n * PG, i;
	unsigned long long *p;
	int fd = -1, flags;

	flags = r == REG_MEMFD_SHARED ? MAP_SHARED : MAP_PRIVATE;
	if (r == REG_ANON) {
		flags |= MAP_ANONYMOUS;
	} else {
		fd = memfd_create(r == REG_MEMFD_SHARED ? "ckpt-cow-shared" : "ckpt-cow-private",
				  MFD_CLOEXEC);
		CHILD_CHECK(90, fd >= 0, "memfd_create: %s", strerror(errno));
		CHILD_CHECK(90, !ftruncate(fd, len), "ftruncate: %s", strerror(errno));
	}
	/* Generation 0 of the private memfd is the file's: every step copies on write. */
	for (i = 0; r == REG_MEMFD_PRIVATE && i < n; i++) {
		fill_page(page, page_val(r, i, 0));
		CHILD_CHECK(90, pwrite(fd, page, PG, i * PG) == (ssize_t)PG,
			    "memfd page %zu: %s", i, strerror(errno));
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	CHILD_CHECK(90, p != MAP_FAILED, "mmap of the %s: %s", reg_name[r], strerror(errno));
	if (fd >= 0)
		close(fd);
	for (i = 0; r != REG_MEMFD_PRIVATE && i < n; i++)
		fill_page(p + i * PG_WORDS, page_val(r, i, 0));
	return p;
}

/* One step at position @pos: page k of every region to generation g + 1. */
static void job_step(unsigned long long pos, size_t n)
{
	unsigned long long g = pos / n;
	size_t k = pos % n;
	int r;

	for (r = 0; r < NR_REGS; r++)
		if (k < job_cfg.pages[r])
			fill_page(job_reg[r] + k * PG_WORDS, page_val(r, k, g + 1));
}

/*
 * The invariant at the position in the header: in every region, the
 * pages below k hold generation g + 1 and the others generation g; and
 * the MADV_DONTFORK mapping holds its pattern.  A failed check exits
 * with @code + the region (@code + NR_REGS: the DONTFORK mapping),
 * naming the first bad page.
 */
static void job_verify(int code, size_t n)
{
	unsigned long long pos = job_hdr.pos, g = pos / n, want;
	const unsigned long long *p;
	size_t k = pos % n, i, w;
	long bad;
	int r;

	for (r = 0; r < NR_REGS; r++) {
		for (i = 0; i < job_cfg.pages[r]; i++) {
			want = page_val(r, i, i < k ? g + 1 : g);
			p = job_reg[r] + i * PG_WORDS;
			for (w = 0; w < PG_WORDS; w++)
				CHILD_CHECK(code + r, p[w] == want,
					    "%s, page %zu of %zu, word %zu: %#llx (generation %llu), expected generation %llu at position %llu (g %llu, k %zu)",
					    reg_name[r], i, job_cfg.pages[r], w, p[w],
					    val_gen(r, i, p[w]), i < k ? g + 1 : g, pos, g, k);
		}
	}
	if (job_cfg.dontfork_pages) {
		bad = ckpt_check_fill(job_dontfork, job_cfg.dontfork_pages * PG, DONTFORK_SEED);
		CHILD_CHECK(code + NR_REGS, bad < 0, "MADV_DONTFORK mapping: word %ld changed",
			    bad);
	}
}

/*
 * The job: its regions in generation 0, then the loop, until SIGUSR2.
 * SIGUSR1 has it make its MADV_DONTFORK mapping MADV_DOFORK.
 */
static int job_main(void)
{
	size_t n = job_pages(&job_cfg), len, i;
	unsigned long long pos;
	struct sigaction sa;
	int r;

	CHILD_CHECK(90, n > 0 && n < (1UL << 20), "%zu pages", n);
	for (r = 0; r < NR_REGS; r++)
		if (job_cfg.pages[r])
			job_reg[r] = job_map(r, job_cfg.pages[r]);
	len = job_cfg.dontfork_pages * PG;
	if (len) {
		job_dontfork = mmap(NULL, len, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHILD_CHECK(91, job_dontfork != MAP_FAILED, "mmap: %s", strerror(errno));
		ckpt_fill(job_dontfork, len, DONTFORK_SEED);
		CHILD_CHECK(91, !madvise(job_dontfork, len, MADV_DONTFORK),
			    "MADV_DONTFORK: %s", strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = job_sigusr1;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(92, !sigaction(SIGUSR1, &sa, NULL), "sigaction: %s", strerror(errno));
	ckpt_child_unblock_wake();
	ckpt_child_ready();

	while (!CKPT_LOAD(ckpt_woken)) {
		pos = job_hdr.pos;
		if (CKPT_LOAD(job_dofork_req) && !job_hdr.dofork_done) {
			CHILD_CHECK(93, len && !madvise(job_dontfork, len, MADV_DOFORK),
				    "MADV_DOFORK: %s", strerror(errno));
			CKPT_STORE(job_hdr.dofork_done, 1);
		}
		job_step(pos, n);
		CKPT_STORE(job_hdr.pos, pos + 1);
	}
	/* Woken between two steps: no page was rewritten since the restart. */
	job_verify(1, n);
	for (i = 0; i < n; i++) {
		pos = job_hdr.pos;
		job_step(pos, n);
		CKPT_STORE(job_hdr.pos, pos + 1);
	}
	job_verify(11, n);
	return 0;
}

/* --------------------------------------------------------------------
 * The job seen from the test
 */

/* The job's position (NOPOS if unreadable). */
static unsigned long long pos_of(pid_t pid)
{
	return ckpt_peek_u64(pid, (const uint64_t *)&job_hdr.pos);
}

/* Wait up to @ms for the job to get past @after: its last position seen. */
static unsigned long long pos_past(pid_t pid, unsigned long long after, unsigned int ms)
{
	return ckpt_wait_counter_past(pid, (const uint64_t *)&job_hdr.pos, after, ms);
}

/* Fork a job of @cfg, and wait until it is well into its first generation. */
static pid_t job_start(const struct job_cfg *cfg)
{
	unsigned long long want = job_pages(cfg) / 4, p;
	pid_t pid;

	job_cfg = *cfg;
	pid = ckpt_spawn_main(job_main);
	if (pid < 0)
		return -1;
	p = pos_past(pid, want, BIG_RUN_MS);
	if (p == NOPOS || p <= want) {
		ckpt_msg("job %d: at position %llu, not past %llu", (int)pid, p, want);
		ckpt_kill_reap(pid);
		return -1;
	}
	return pid;
}

/*
 * The job @pid runs: neither stopped nor gone, and more than RUN_STEPS
 * further within RUN_MS.
 */
static bool job_running(pid_t pid)
{
	const unsigned long long steps = RUN_STEPS;
	unsigned long long p, q;
	int status = 0;
	pid_t w;
	char st;

	w = waitpid(pid, &status, WNOHANG | WUNTRACED);
	if (w) {
		ckpt_msg("job %d: waitpid %d, status %#x: stopped or gone", (int)pid, (int)w,
			 status);
		return false;
	}
	st = ckpt_proc_state(pid);
	if (!st || strchr("TtZX", st)) {
		ckpt_msg("job %d: state %c", (int)pid, st ?: '?');
		return false;
	}
	p = pos_of(pid);
	q = pos_past(pid, p + steps, RUN_MS);
	if (p == NOPOS || q == NOPOS || q <= p + steps) {
		ckpt_msg("job %d: from position %llu to %llu in %d ms, not past %llu", (int)pid,
			 p, q, RUN_MS, p + steps);
		return false;
	}
	return true;
}

/* waitpid(@pid, @options) for up to @ms; the status, or -1. */
static int wait_status(pid_t pid, int options, unsigned int ms)
{
	unsigned long long end = ckpt_now_ms() + ms;
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

/*
 * Restart the image in @fd, which must give back the job @pid, stopped:
 * its position goes to *@pos.  Then wake it: it checks its invariant
 * before any step, runs one more generation and checks it again.
 * Returns its exit status (0: it held), or a CKPT_CYCLE_* error.
 */
static int job_restart(int fd, pid_t pid, unsigned long long *pos)
{
	int ret;

	*pos = NOPOS;
	ret = ckpt_restart_as(fd, pid, RESTART_STOPPED);
	if (ret < 0)
		return ret;
	if (ckpt_wait_state(pid, "T", RUN_MS) != 'T') {
		ckpt_msg("restored job %d: state %c, not stopped", (int)pid,
			 ckpt_proc_state(pid) ?: '?');
		ckpt_kill_reap(pid);
		return CKPT_CYCLE_EWAIT;
	}
	*pos = pos_of(pid);
	/* SIGUSR2 is handled before the first instruction after SIGCONT. */
	if (kill(pid, CKPT_WAKE_SIG) || kill(pid, SIGCONT)) {
		ckpt_msg("kill(%d): %s", (int)pid, strerror(errno));
		ckpt_kill_reap(pid);
		return CKPT_CYCLE_EWAIT;
	}
	ret = ckpt_reap(pid);
	if (ret)
		ckpt_msg("restored job %d: status %d", (int)pid, ret);
	return ret;
}

/*
 * restart(2) of the partial image in @fd, which must fail: its errno, or
 * 0 if it restarted something (which is then killed).
 */
static int restart_refused(int fd)
{
	pid_t got;
	int err;

	if (lseek(fd, 0, SEEK_SET)) {
		ckpt_msg("lseek: %s", strerror(errno));
		return 0;
	}
	errno = 0;
	got = restart(fd, 0, 2);
	err = errno;
	if (got >= 0) {
		ckpt_msg("restart() of a partial image gave %d", (int)got);
		if (got > 0)
			ckpt_kill_reap(got);
		return 0;
	}
	return err;
}

/* --------------------------------------------------------------------
 * A checkpoint into a pipe, in a thread of the test
 */

struct bg_ckpt {
	pthread_t thread;
	pid_t pid;
	unsigned int flags;
	int rfd;	/* the pipe's read end: the test's */
	int wfd;	/* its write end: the thread closes it after the call */
	long ret;	/* what checkpoint() returned, once joined */
	int err;	/* and its errno */
	int done;	/* set once it returned */
};

static void *bg_main(void *arg)
{
	struct bg_ckpt *b = arg;

	b->ret = ckpt_checkpoint(b->pid, b->wfd, b->flags);
	b->err = errno;
	close(b->wfd);
	CKPT_STORE(b->done, 1);
	return NULL;
}

/*
 * checkpoint(@pid, the write end of a new pipe, @flags) in a new thread.
 * Nobody reads the pipe until bg_copy(): the call waits for room once
 * the pipe is full.  @b must outlive the thread (a static).  0 or -1.
 */
static int bg_start(struct bg_ckpt *b, pid_t pid, unsigned int flags)
{
	int p[2], err;

	memset(b, 0, sizeof(*b));
	if (pipe2(p, O_CLOEXEC)) {
		ckpt_msg("pipe2: %s", strerror(errno));
		return -1;
	}
	b->rfd = p[0];
	b->wfd = p[1];
	b->pid = pid;
	b->flags = flags;
	err = pthread_create(&b->thread, NULL, bg_main, b);
	if (err) {
		ckpt_msg("pthread_create: %s", strerror(err));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	return 0;
}

/*
 * Wait up to @ms for the image's first bytes in the pipe.  False if the
 * call ended without writing any (the reason is on fd 2), or on timeout.
 */
static bool bg_wait_data(struct bg_ckpt *b, unsigned int ms)
{
	int n = 0;

	if (!ckpt_readable(b->rfd, ms)) {
		ckpt_msg("checkpoint(flags %#x): no image bytes within %u ms", b->flags, ms);
		return false;
	}
	if (ioctl(b->rfd, FIONREAD, &n) || n <= 0) {
		ckpt_msg("checkpoint(flags %#x) ended without writing an image", b->flags);
		return false;
	}
	return true;
}

/*
 * Copy the pipe into @out until its end or @max bytes, within @ms.
 * Returns the bytes copied, or -1.
 */
static ssize_t bg_copy(struct bg_ckpt *b, int out, size_t max, unsigned int ms)
{
	static char buf[1 << 20];
	unsigned long long end = ckpt_now_ms() + ms, now;
	size_t total = 0;
	ssize_t n;

	while (total < max) {
		now = ckpt_now_ms();
		if (now >= end || !ckpt_readable(b->rfd, end - now)) {
			ckpt_msg("checkpoint(flags %#x): image incomplete after %u ms (%zu bytes)",
				 b->flags, ms, total);
			return -1;
		}
		n = read(b->rfd, buf, max - total < sizeof(buf) ? max - total : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ckpt_msg("read(image pipe): %s", strerror(errno));
			return -1;
		}
		if (!n)
			break;
		if (ckpt_write_all(out, buf, n)) {
			ckpt_msg("write(image copy): %s", strerror(errno));
			return -1;
		}
		total += n;
	}
	return total;
}

/* Close the pipe's read end and join the thread within @ms; 0 or -1. */
static int bg_join(struct bg_ckpt *b, unsigned int ms)
{
	int err;

	if (b->rfd >= 0)
		close(b->rfd);
	b->rfd = -1;
	err = ckpt_join_timed(b->thread, NULL, ms);
	if (err) {
		ckpt_msg("checkpoint thread not joined: %s", strerror(err));
		return -1;
	}
	return 0;
}

/*
 * The whole image, read from the pipe into a new memfd (its size in
 * *@len), then the thread joined: b->ret and b->err are the call's.
 * Returns the memfd, or -1.
 */
static int bg_finish(struct bg_ckpt *b, size_t *len)
{
	ssize_t n;
	int out;

	out = memfd_create("ckpt-cow-image", MFD_CLOEXEC);
	if (out < 0) {
		ckpt_msg("memfd_create: %s", strerror(errno));
		return -1;
	}
	n = bg_copy(b, out, SIZE_MAX, IMAGE_MS);
	if (n < 0 || bg_join(b, IMAGE_MS)) {
		close(out);
		return -1;
	}
	*len = n;
	return out;
}

/*
 * While @b's call has not returned and nobody reads its pipe, the job
 * @pid gets more than @steps past @from within @ms.
 */
static bool runs_while_blocked(struct bg_ckpt *b, pid_t pid, unsigned long long from,
			       unsigned long long steps, unsigned int ms)
{
	unsigned long long p = pos_past(pid, from + steps, ms);

	if (p == NOPOS || p <= from + steps) {
		ckpt_msg("job %d: at position %llu after %u ms, not past %llu:", (int)pid, p, ms,
			 from + steps);
		ckpt_msg("it does not run while its image is written");
		return false;
	}
	if (CKPT_LOAD(b->done)) {
		ckpt_msg("checkpoint(flags %#x) returned while nobody read its image", b->flags);
		return false;
	}
	return true;
}

/*
 * While @b's call waits for room in the pipe, the job @pid stands still
 * over STILL_MS; its position goes to *@pos.
 */
static bool still_while_blocked(struct bg_ckpt *b, pid_t pid, unsigned long long *pos)
{
	unsigned long long p = pos_of(pid), q;

	ckpt_sleep_ms(STILL_MS);
	q = pos_of(pid);
	*pos = p;
	if (p == NOPOS || q != p) {
		ckpt_msg("job %d: from position %llu to %llu in %d ms while its image was written",
			 (int)pid, p, q, STILL_MS);
		return false;
	}
	if (CKPT_LOAD(b->done)) {
		ckpt_msg("checkpoint(flags %#x) returned while nobody read its image", b->flags);
		return false;
	}
	return true;
}

/* The image in the memfd @fd (@len bytes) is whole, with a right @alg digest. */
static int image_ok(int fd, size_t len, unsigned int alg)
{
	const struct ckpt_rec_header *hdr;
	void *img;
	int ret;

	if (len < sizeof(*hdr)) {
		ckpt_msg("image of %zu bytes", len);
		return -1;
	}
	img = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (img == MAP_FAILED) {
		ckpt_msg("mmap(image): %s", strerror(errno));
		return -1;
	}
	hdr = img;
	ret = ckpt_image_verify(img, len);
	if (!ret && hdr->digest != alg) {
		ckpt_msg("image of digest %u, not %u", hdr->digest, alg);
		ret = -1;
	}
	munmap(img, len);
	return ret;
}

/*
 * checkpoint(@job, @flags) into a pipe in @b (see bg_start()): once the
 * image's first bytes are in it, and while nobody reads it, the job gets
 * more than @steps further within @ms.  Returns its position when the
 * first bytes came.
 */
static unsigned long long bg_running(struct __test_metadata *_metadata, struct bg_ckpt *b,
				     pid_t job, unsigned int flags, unsigned long long steps,
				     unsigned int ms)
{
	unsigned long long at_data;

	ASSERT_EQ(0, bg_start(b, job, flags));
	ASSERT_TRUE(bg_wait_data(b, IMAGE_MS));
	at_data = pos_of(job);
	ASSERT_NE(NOPOS, at_data);
	ASSERT_TRUE(runs_while_blocked(b, job, at_data, steps, ms));
	return at_data;
}

/*
 * checkpoint(@job, @flags) into a pipe in @b (see bg_start()): once the
 * image's first bytes are in it, and while nobody reads it, the job
 * stands still (its position in *@still).  Then the whole image is read
 * into a memfd (*@len bytes), and the call returned 0.  Returns the memfd.
 */
static int frozen_image(struct __test_metadata *_metadata, struct bg_ckpt *b, pid_t job,
			unsigned int flags, unsigned long long *still, size_t *len)
{
	int img;

	ASSERT_EQ(0, bg_start(b, job, flags));
	ASSERT_TRUE(bg_wait_data(b, IMAGE_MS));
	ASSERT_TRUE(still_while_blocked(b, job, still));
	img = bg_finish(b, len);
	ASSERT_LE(0, img);
	ASSERT_EQ(0, b->ret) TH_LOG("checkpoint: %s", strerror(b->err));
	return img;
}

/*
 * The image in the memfd @img restarts as the job @job, at position
 * @still, its invariant intact; then @img is closed, and no child is
 * left.
 */
static void restarts_where_it_stood(struct __test_metadata *_metadata, int img, pid_t job,
				    unsigned long long still)
{
	unsigned long long restored;

	EXPECT_EQ(0, job_restart(img, job, &restored));
	EXPECT_EQ(still, restored);
	close(img);
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * The job runs while its image is written
 */

/*
 * A job of @cfg, checkpointed with CKPT_CONTINUE | @flags into a pipe
 * that nobody reads until the job is @steps further (within @ms) than it
 * was when the image's first bytes came: the image is whole, of the
 * digest @alg, and restarts at a position between the one before the
 * call and the one when its first bytes came (the freeze came between
 * them), with its invariant intact.
 */
static void cow_cycle(struct __test_metadata *_metadata, const struct job_cfg *cfg,
		      unsigned int flags, unsigned int alg, unsigned long long steps,
		      unsigned int ms)
{
	static struct bg_ckpt bg;
	unsigned long long before, at_data, restored;
	size_t len = 0;
	pid_t job;
	int img;

	if (!ckpt_preamble(_metadata))
		return;
	job = job_start(cfg);
	ASSERT_GT(job, 0);
	before = pos_of(job);
	ASSERT_NE(NOPOS, before);
	/* Without copy-on-write, the job stays frozen until we read. */
	at_data = bg_running(_metadata, &bg, job, CKPT_CONTINUE | flags, steps, ms);

	img = bg_finish(&bg, &len);
	ASSERT_LE(0, img);
	ASSERT_EQ(0, bg.ret) TH_LOG("checkpoint: %s", strerror(bg.err));
	EXPECT_GT(len, (size_t)job_pages(cfg) * PG);
	EXPECT_EQ(0, image_ok(img, len, alg));
	EXPECT_TRUE(job_running(job));

	EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(job));
	EXPECT_EQ(0, job_restart(img, job, &restored));
	EXPECT_LE(before, restored);
	EXPECT_GE(at_data, restored);
	TH_LOG("positions: %llu before the call, %llu at its first bytes, %llu in the image",
	       before, at_data, restored);
	TH_LOG("image: %zu bytes", len);
	close(img);
	EXPECT_FALSE(ckpt_have_children());
}

TEST(job_runs_while_its_image_is_written)
{
	/* Two whole generations: every page rewritten twice meanwhile. */
	cow_cycle(_metadata, &job_8m, 0, CKPT_HASH_XXH64, 2 * job_pages(&job_8m), RUN_MS);
}

TEST(image_is_the_instant_of_the_freeze)
{
	/* One whole generation: every page of every region rewritten. */
	cow_cycle(_metadata, &job_big, 0, CKPT_HASH_XXH64, job_pages(&job_big), BIG_RUN_MS);
}

TEST(image_is_the_instant_of_the_freeze_sha256)
{
	cow_cycle(_metadata, &job_big, CKPT_DIGEST_SHA256, CKPT_HASH_SHA256,
		  job_pages(&job_big), BIG_RUN_MS);
}

/* --------------------------------------------------------------------
 * Checkpoints that keep the job frozen
 */

TEST(no_cow_keeps_the_job_frozen_until_the_image_is_written)
{
	unsigned long long still;
	static struct bg_ckpt bg;
	size_t len = 0;
	pid_t job;
	int img;

	if (!ckpt_preamble(_metadata))
		return;
	job = job_start(&job_4m);
	ASSERT_GT(job, 0);
	/* Without copy-on-write, CKPT_NO_COW is unknown: EINVAL, no image. */
	img = frozen_image(_metadata, &bg, job, CKPT_CONTINUE | CKPT_NO_COW, &still, &len);
	EXPECT_EQ(0, image_ok(img, len, CKPT_HASH_XXH64));
	EXPECT_TRUE(job_running(job));

	EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(job));
	restarts_where_it_stood(_metadata, img, job, still);
}

TEST(dontfork_mapping_falls_back_to_a_frozen_checkpoint)
{
	unsigned long long n = job_pages(&job_4m_dontfork), still;
	static struct bg_ckpt bg;
	size_t len = 0, len2 = 0;
	int img, img2;
	pid_t job;

	if (!ckpt_preamble(_metadata))
		return;
	job = job_start(&job_4m_dontfork);
	ASSERT_GT(job, 0);

	/* A mapping that a fork's copy does not hold: frozen throughout. */
	img = frozen_image(_metadata, &bg, job, CKPT_CONTINUE, &still, &len);
	EXPECT_EQ(0, image_ok(img, len, CKPT_HASH_XXH64));
	EXPECT_TRUE(job_running(job));

	/*
	 * The control, which a kernel without copy-on-write fails: once the
	 * mapping is MADV_DOFORK, the same job runs while its image is written.
	 */
	ASSERT_EQ(0, kill(job, SIGUSR1));
	ASSERT_EQ(1ULL, ckpt_wait_counter_past(job, (const uint64_t *)&job_hdr.dofork_done, 0,
					       RUN_MS));
	bg_running(_metadata, &bg, job, CKPT_CONTINUE, n, RUN_MS);
	img2 = bg_finish(&bg, &len2);
	ASSERT_LE(0, img2);
	EXPECT_EQ(0, bg.ret) TH_LOG("checkpoint: %s", strerror(bg.err));
	EXPECT_EQ(0, image_ok(img2, len2, CKPT_HASH_XXH64));
	close(img2);

	/* The first image: where the job stood, its DONTFORK mapping intact. */
	EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(job));
	restarts_where_it_stood(_metadata, img, job, still);
}

/* --------------------------------------------------------------------
 * Failures after the thaw
 */

FIXTURE(small_fs)
{
	char dir[64];
	bool made;	/* the teardown removes the directory */
	bool mounted;	/* and unmounts the file system first */
};

/* A 2 MiB tmpfs on a new directory in /tmp. */
FIXTURE_SETUP(small_fs)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ckpt-cow-XXXXXX");
	self->made = false;
	self->mounted = false;
	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp: %s", strerror(errno));
	self->made = true;
	ASSERT_EQ(0, mount("tmpfs", self->dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700"))
		TH_LOG("mount tmpfs on %s: %s", self->dir, strerror(errno));
	self->mounted = true;
}

/* In the parent: also after the test failed, or died. */
FIXTURE_TEARDOWN_PARENT(small_fs)
{
	if (self->mounted && umount2(self->dir, MNT_DETACH))
		TH_LOG("umount %s: %s", self->dir, strerror(errno));
	if (self->made && rmdir(self->dir))
		TH_LOG("rmdir %s: %s", self->dir, strerror(errno));
}

/* A new memfd with the contents of the file @fd, its size in *@len. */
static int copy_to_memfd(int fd, size_t *len)
{
	static char buf[1 << 16];
	off_t off = 0;
	ssize_t n;
	int out;

	out = memfd_create("ckpt-cow-partial", MFD_CLOEXEC);
	if (out < 0)
		return -1;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (ckpt_write_all(out, buf, n))
			break;
		off += n;
	}
	if (n) {
		ckpt_msg("copying the partial image: %s", strerror(errno));
		close(out);
		return -1;
	}
	*len = off;
	return out;
}

/* Image bytes read before the pipe's reader goes away. */
#define PARTIAL		(1024 * 1024UL)

TEST_F(small_fs, failure_after_the_thaw_leaves_the_job_running_and_the_image_refused)
{
	static const unsigned int modes[2] = { CKPT_CONTINUE, CKPT_CONTINUE | CKPT_NO_COW };
	unsigned long long n = job_pages(&job_16m);
	static struct bg_ckpt bg;
	size_t len;
	int part[3], fd, i;
	char path[96];
	pid_t job;

	if (!ckpt_preamble(_metadata))
		return;
	job = job_start(&job_16m);
	ASSERT_GT(job, 0);
	snprintf(path, sizeof(path), "%s/image", self->dir);

	/* No room for 16 MiB: with copy-on-write, the job was thawed first. */
	for (i = 0; i < 2; i++) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, ckpt_checkpoint(job, fd, modes[i]));
		EXPECT_EQ(ENOSPC, errno) TH_LOG("flags %#x: %s", modes[i], strerror(errno));
		len = 0;
		part[i] = copy_to_memfd(fd, &len);
		ASSERT_LE(0, part[i]);
		EXPECT_LT(0UL, len) TH_LOG("flags %#x: nothing written", modes[i]);
		close(fd);
		ASSERT_EQ(0, unlink(path));
		EXPECT_TRUE(job_running(job)) TH_LOG("after flags %#x", modes[i]);
	}

	/* The reader goes away after the job was seen running during the call. */
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	bg_running(_metadata, &bg, job, CKPT_CONTINUE, n, RUN_MS);
	part[2] = memfd_create("ckpt-cow-partial", MFD_CLOEXEC);
	ASSERT_LE(0, part[2]);
	EXPECT_EQ((ssize_t)PARTIAL, bg_copy(&bg, part[2], PARTIAL, IMAGE_MS));
	ASSERT_EQ(0, bg_join(&bg, IMAGE_MS));
	EXPECT_EQ(-1, bg.ret);
	EXPECT_EQ(EPIPE, bg.err) TH_LOG("%s", strerror(bg.err));
	EXPECT_TRUE(job_running(job)) TH_LOG("after EPIPE");

	/* No partial image restarts: none has its trailer. */
	EXPECT_EQ(128 + SIGKILL, ckpt_kill_reap(job));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(ENOEXEC, restart_refused(part[i])) TH_LOG("partial image %d", i);
		close(part[i]);
	}
	EXPECT_FALSE(ckpt_have_children());

	ASSERT_EQ(0, umount2(self->dir, 0)) TH_LOG("umount %s: %s", self->dir, strerror(errno));
	self->mounted = false;
}

/* --------------------------------------------------------------------
 * CKPT_STOP and CKPT_KILL
 */

TEST(stop_and_kill_do_not_let_the_job_run_before_the_image_is_complete)
{
	unsigned long long n = job_pages(&job_4m), still;
	static struct bg_ckpt bg;
	size_t len = 0;
	int img, status;
	pid_t job;

	if (!ckpt_preamble(_metadata))
		return;
	job = job_start(&job_4m);
	ASSERT_GT(job, 0);

	/* The control, which a kernel without copy-on-write fails. */
	bg_running(_metadata, &bg, job, CKPT_CONTINUE, n, RUN_MS);
	img = bg_finish(&bg, &len);
	ASSERT_LE(0, img);
	ASSERT_EQ(0, bg.ret) TH_LOG("checkpoint: %s", strerror(bg.err));
	close(img);

	/* CKPT_STOP: frozen until the image is complete, then stopped there. */
	img = frozen_image(_metadata, &bg, job, CKPT_STOP, &still, &len);
	EXPECT_EQ(0, image_ok(img, len, CKPT_HASH_XXH64));
	close(img);
	status = wait_status(job, WUNTRACED, RUN_MS);
	ASSERT_NE(-1, status) TH_LOG("no stop reported");
	EXPECT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP)
		TH_LOG("status %#x", status);
	EXPECT_EQ(still, pos_of(job));
	ASSERT_EQ(0, kill(job, SIGCONT));
	EXPECT_TRUE(job_running(job));

	/* CKPT_KILL: frozen until the image is complete, then killed. */
	img = frozen_image(_metadata, &bg, job, CKPT_KILL, &still, &len);
	EXPECT_EQ(0, image_ok(img, len, CKPT_HASH_XXH64));
	status = wait_status(job, 0, RUN_MS);
	ASSERT_NE(-1, status) TH_LOG("the job is still alive");
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);

	/* Its image restarts where it stood. */
	restarts_where_it_stood(_metadata, img, job, still);
}

TEST_HARNESS_MAIN
