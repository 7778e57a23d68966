// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: the controlling terminal.
 *
 * The setting is an interactive shell's: a session leader (the "shell",
 * not part of the job) has pty A's slave as controlling terminal and
 * puts the job, a process group of its own with fds 0-2 on the terminal,
 * in the foreground.  The job sets a non-default termios (raw, VMIN 5,
 * other control characters, another speed) and window size.  The test
 * checkpoints the job's process group with CKPT_PGRP | CKPT_KILL; a
 * "restarter", session leader with pty B's slave as controlling
 * terminal, restarts it and waits for it, as a shell would.  Then:
 *
 *  - the job's fds 0-2 are on pty B (TIOCGDEV of the descriptors, and
 *    what the job writes comes out of B's master, what is written to B's
 *    master is what the job reads);
 *  - pty B has the saved termios and window size, and the job's group
 *    as foreground process group; the job is in the restarter's
 *    session, with B as controlling terminal;
 *  - a job blocked in read() on its terminal when checkpointed reads,
 *    without EINTR, what is written to B after the restart;
 *  - the job sees all that from the inside too (tcgetattr(), TIOCGWINSZ,
 *    tcgetpgrp(), getsid());
 *  - a job that was in the background does not take B's foreground;
 *  - a restarter without a controlling terminal still restarts the job:
 *    its terminal descriptors fall back to the restarter's fd 0 (read)
 *    and fd 1 (write), with a warning on the log.
 *
 * The job reports through its exit status (ckpt_test.h conventions),
 * which the restarter, its parent after the restart, passes on as its
 * own; its failure messages go to its fd 2, the terminal, and show up
 * in what the test reads from B.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "ckpt_term.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif

#define JOB_VMIN		5	/* the job's reads return 5 bytes */

/* --------------------------------------------------------------------
 * Terminals
 */

struct pty {
	int master;
	char path[64];		/* the slave, /dev/pts/N */
	dev_t rdev;		/* the slave's device number */
};

static struct pty pty_a, pty_b;

static int pty_open(struct pty *p)
{
	struct stat st;

	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0) {
		ckpt_msg("posix_openpt: %s", strerror(errno));
		return -1;
	}
	if (grantpt(p->master) || unlockpt(p->master) ||
	    ptsname_r(p->master, p->path, sizeof(p->path)) ||
	    stat(p->path, &st)) {
		ckpt_msg("pty setup: %s", strerror(errno));
		close(p->master);
		return -1;
	}
	p->rdev = st.st_rdev;
	return 0;
}

/* A device number as /proc/PID/stat and TIOCGDEV give it. */
static unsigned int encode_dev(dev_t dev)
{
	unsigned int ma = major(dev), mi = minor(dev);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
}

/* Read @expect from @fd within 10 s; says what came instead. */
static bool expect_output(int fd, const char *expect)
{
	char buf[512];
	size_t len = strlen(expect), got, i;

	got = ckpt_read_within(fd, buf, len < sizeof(buf) - 1 ? len : sizeof(buf) - 1,
			       10000);
	if (got == len && !memcmp(buf, expect, len))
		return true;
	/* The job's own messages end up here too: get them all. */
	got += ckpt_read_within(fd, buf + got, sizeof(buf) - 1 - got, 200);
	for (i = 0; i < got; i++)
		if (!isprint((unsigned char)buf[i]))
			buf[i] = '.';
	ckpt_msg("expected \"%s\", read %zu bytes: \"%s\"", expect, got, buf);
	return false;
}

/* The terminal (TIOCGDEV) of @pid's descriptor @fd, 0 if none. */
static unsigned int fd_tty(pid_t pid, int fd)
{
	unsigned int dev = 0;
	int dup;

	dup = ckpt_grab_fd(pid, fd);
	if (dup < 0)
		return 0;
	if (ioctl(dup, TIOCGDEV, &dev))
		dev = 0;
	close(dup);
	return dev;
}

/* --------------------------------------------------------------------
 * The job
 */

enum job_mode {
	JOB_READ,	/* blocked in read() on the terminal */
	JOB_WAIT,	/* waits for SIGUSR2, then checks its terminal */
	JOB_BACKGROUND,	/* hands the terminal back, waits for SIGUSR2 */
};

/* Set by the test before forking: the job inherits them. */
static int job_mode;
static bool job_split_fds;	/* fd 0 read-only, fds 1-2 write-only */
static const struct winsize job_ws = { 37, 111, 555, 777 };

/* In the job: its terminal as it set it. */
static struct termios job_tio;
static dev_t job_tty_before;

/* Write "O:<data>;" to fd 1 and "E:<data>;" to fd 2. */
static void job_reply(const char *data, size_t len)
{
	char buf[64];
	int n;

	n = snprintf(buf, sizeof(buf), "O:%.*s;", (int)len, data);
	CHILD_CHECK(40, !ckpt_write_all(1, buf, n), "write(1): %s",
		    strerror(errno));
	n = snprintf(buf, sizeof(buf), "E:%.*s;", (int)len, data);
	CHILD_CHECK(41, !ckpt_write_all(2, buf, n), "write(2): %s",
		    strerror(errno));
}

static void job_setup_tty(void)
{
	struct termios t;
	struct stat st;

	CHILD_CHECK(1, !tcgetattr(0, &t), "tcgetattr: %s", strerror(errno));
	cfmakeraw(&t);
	t.c_cc[VMIN] = JOB_VMIN;
	t.c_cc[VTIME] = 0;
	t.c_cc[VINTR] = 0x0b;
	t.c_cc[VQUIT] = 0x1d;
	t.c_cc[VSUSP] = 0x0f;
	t.c_cc[VEOF] = 0x06;
	cfsetispeed(&t, B19200);
	cfsetospeed(&t, B19200);
	CHILD_CHECK(1, !tcsetattr(0, TCSANOW, &t), "tcsetattr: %s",
		    strerror(errno));
	CHILD_CHECK(1, !ioctl(0, TIOCSWINSZ, &job_ws), "TIOCSWINSZ: %s",
		    strerror(errno));
	CHILD_CHECK(1, !tcgetattr(0, &job_tio), "tcgetattr: %s",
		    strerror(errno));
	CHILD_CHECK(1, !(job_tio.c_lflag & (ICANON | ECHO)) &&
		    job_tio.c_cc[VMIN] == JOB_VMIN &&
		    cfgetospeed(&job_tio) == B19200, "termios not taken");
	CHILD_CHECK(1, !fstat(0, &st), "fstat");
	job_tty_before = st.st_rdev;
}

/* JOB_READ: the read in progress must get what comes after the restart. */
static int job_read(void)
{
	char buf[64];
	int err;
	long n;

	ckpt_child_ready();
	n = syscall(SYS_read, 0, buf, sizeof(buf));
	err = errno;
	CHILD_CHECK(2, n >= 0, "read() = %ld (%s)", n, strerror(err));
	CHILD_CHECK(3, n == JOB_VMIN && !memcmp(buf, "hello", JOB_VMIN),
		    "read() = %ld: '%.*s'", n, (int)n, buf);
	job_reply(buf, n);
	return 0;
}

/* JOB_WAIT: after the restart, the terminal as the job sees it. */
static int job_wait(void)
{
	unsigned int dev[3];
	struct winsize ws;
	struct termios t;
	char why[160], buf[64];
	int fd;
	long n;

	ckpt_child_wait();
	/* All three on one terminal, not the one we had. */
	for (fd = 0; fd <= 2; fd++) {
		CHILD_CHECK(10, isatty(fd), "fd %d is not a terminal", fd);
		CHILD_CHECK(11, !ioctl(fd, TIOCGDEV, &dev[fd]), "TIOCGDEV(%d)",
			    fd);
	}
	CHILD_CHECK(11, dev[0] == dev[1] && dev[1] == dev[2],
		    "fds 0-2 on terminals %#x, %#x, %#x", dev[0], dev[1], dev[2]);
	CHILD_CHECK(11, dev[0] != encode_dev(job_tty_before),
		    "still on the terminal of the checkpoint (%#x)", dev[0]);
	CHILD_CHECK(12, !tcgetattr(0, &t), "tcgetattr: %s", strerror(errno));
	CHILD_CHECK(13, ckpt_termios_equal(&t, &job_tio, why, sizeof(why)),
		    "termios: %s", why);
	CHILD_CHECK(14, !ioctl(0, TIOCGWINSZ, &ws), "TIOCGWINSZ");
	CHILD_CHECK(15, ws.ws_row == job_ws.ws_row && ws.ws_col == job_ws.ws_col &&
		    ws.ws_xpixel == job_ws.ws_xpixel &&
		    ws.ws_ypixel == job_ws.ws_ypixel,
		    "window %ux%u (%ux%u pixels)", ws.ws_row, ws.ws_col,
		    ws.ws_xpixel, ws.ws_ypixel);
	CHILD_CHECK(16, tcgetpgrp(0) == getpgrp() && getpgrp() == getpid(),
		    "foreground %d, our group %d", (int)tcgetpgrp(0),
		    (int)getpgrp());
	CHILD_CHECK(17, getsid(0) == getppid(),
		    "session %d, not the restarter's (%d)", (int)getsid(0),
		    (int)getppid());
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	CHILD_CHECK(18, fd >= 0, "no controlling terminal: %s", strerror(errno));
	close(fd);

	CHILD_CHECK(19, !ckpt_write_all(1, "ready>", 6), "write: %s",
		    strerror(errno));
	n = read(0, buf, sizeof(buf));
	CHILD_CHECK(20, n == JOB_VMIN && !memcmp(buf, "world", JOB_VMIN),
		    "read() = %ld", n);
	job_reply(buf, n);
	return 0;
}

/* JOB_BACKGROUND: the terminal stays with the restarter's group. */
static int job_background(void)
{
	pid_t fg;

	/* Hand the terminal back to the shell, which is in the foreground. */
	CHILD_CHECK(1, !tcsetpgrp(0, getsid(0)), "tcsetpgrp: %s",
		    strerror(errno));
	ckpt_child_wait();
	fg = tcgetpgrp(0);
	CHILD_CHECK(30, fg == getsid(0) && fg != getpgrp(),
		    "foreground group %d (session %d, ours %d)", (int)fg,
		    (int)getsid(0), (int)getpgrp());
	return 0;
}

/* The job: a process group of its own, in the foreground of pty A. */
static int job_main(pid_t shell, int ready_w)
{
	uint64_t end;
	int fd, wfd;

	if (setpgid(0, 0))
		return CKPT_EXIT_INIT;
	if (job_split_fds) {
		fd = open(pty_a.path, O_RDONLY | O_NOCTTY);
		wfd = open(pty_a.path, O_WRONLY | O_NOCTTY);
	} else {
		fd = open(pty_a.path, O_RDWR | O_NOCTTY);
		wfd = fd;
	}
	if (fd < 0 || wfd < 0 || dup2(fd, 0) < 0 || dup2(wfd, 1) < 0 ||
	    dup2(wfd, 2) < 0)
		return CKPT_EXIT_INIT;
	/* Everything else goes (the pty masters with it). */
	ckpt_child_init(ready_w, shell);
	end = ckpt_now_ms() + 10000;
	while (tcgetpgrp(0) != getpid()) {
		if (ckpt_now_ms() >= end)
			return CKPT_EXIT_INIT;
		ckpt_sleep_ms(2);
	}
	job_setup_tty();
	switch (job_mode) {
	case JOB_READ:
		return job_read();
	case JOB_WAIT:
		return job_wait();
	default:
		return job_background();
	}
}

/*
 * The shell: session leader with pty A as controlling terminal; forks
 * the job, puts it in the foreground and exits with its status.
 */
static void shell_main(int ready_r, int ready_w)
{
	pid_t me = getpid(), job;
	int fd;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || setsid() < 0)
		_exit(CKPT_EXIT_INIT);
	fd = open(pty_a.path, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0))
		_exit(CKPT_EXIT_INIT);
	fflush(NULL);
	job = fork();
	if (job < 0)
		_exit(CKPT_EXIT_INIT);
	if (job == 0) {
		close(ready_r);
		_exit(job_main(me, ready_w));
	}
	close(ready_r);
	close(ready_w);
	setpgid(job, job);	/* as the job does: whoever comes first */
	if (tcsetpgrp(fd, job))
		ckpt_msg("shell: tcsetpgrp(%d): %s", (int)job, strerror(errno));
	_exit(ckpt_reap(job) & 0xff);
}

/*
 * Start the shell and its job; returns the shell's pid once the job is
 * set up, with the job's in *@job, or -1.
 */
static pid_t start_shell(pid_t *job)
{
	int pfd[2], n;
	pid_t shell;
	char c;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	shell = fork();
	if (shell < 0)
		return -1;
	if (shell == 0)
		shell_main(pfd[0], pfd[1]);
	close(pfd[1]);
	do {
		n = read(pfd[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != 1) {
		ckpt_msg("the job never got ready: shell status %d",
			 ckpt_reap(shell));
		return -1;
	}
	if (ckpt_children_of(shell, job, 1) != 1) {
		ckpt_msg("the shell has no job");
		ckpt_kill_reap(shell);
		return -1;
	}
	return shell;
}

/* --------------------------------------------------------------------
 * The restarter
 */

struct restarted {
	int32_t pid;		/* what restart() returned */
	int32_t err;		/* its errno */
};

/*
 * The restarter: a session leader with @ctty (NULL: none) as controlling
 * terminal, and @in / @out as fds 0 / 1 if >= 0.  It restarts the image
 * in @img with its reasons on @logfd, tells the test on @status_w, waits
 * for the job and exits with its status.
 */
static void restarter_main(int img, int logfd, int status_w,
			   const char *ctty, int in, int out)
{
	struct restarted r;
	int fd;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || setsid() < 0)
		_exit(CKPT_EXIT_INIT);
	if (ctty) {
		fd = open(ctty, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0))
			_exit(CKPT_EXIT_INIT);
	}
	if (in >= 0 && (dup2(in, 0) < 0 || dup2(out, 1) < 0))
		_exit(CKPT_EXIT_INIT);
	if (lseek(img, 0, SEEK_SET))
		_exit(CKPT_EXIT_INIT);
	errno = 0;
	r.pid = restart(img, 0, logfd);
	r.err = errno;
	if (ckpt_write_all(status_w, &r, sizeof(r)) || r.pid <= 0)
		_exit(CKPT_EXIT_INIT);
	_exit(ckpt_reap(r.pid) & 0xff);
}

/*
 * Fork the restarter; returns its pid, with what restart() gave in *@r
 * (pid -1 if it did not say within 30 s).
 */
static pid_t start_restarter(int img, int logfd, const char *ctty, int in,
			     int out, struct restarted *r)
{
	char buf[sizeof(*r) + 1];
	int pfd[2];
	size_t n;
	pid_t pid;

	r->pid = -1;
	r->err = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(pfd[0]);
		restarter_main(img, logfd, pfd[1], ctty, in, out);
	}
	close(pfd[1]);
	n = ckpt_read_within(pfd[0], buf, sizeof(*r), 30000);
	if (n == sizeof(*r))
		memcpy(r, buf, sizeof(*r));
	close(pfd[0]);
	if (r->pid < 0)
		ckpt_msg("restart() in the restarter: %s", strerror(r->err));
	return pid;
}

/* Checkpoint the job's group and kill it; the shell exits with it. */
static int checkpoint_job(pid_t shell, pid_t job)
{
	int fd, status;

	fd = ckpt_image_open();
	if (fd < 0)
		return -1;
	if (ckpt_checkpoint(job, fd, CKPT_PGRP | CKPT_KILL)) {
		close(fd);
		return -1;
	}
	status = ckpt_reap(shell);
	if (status != 128 + SIGKILL) {
		ckpt_msg("the shell says its job ended with %d, not SIGKILL",
			 status);
		close(fd);
		return -1;
	}
	return fd;
}

/* The terminal state the job left on pty A. */
struct tty_state {
	struct termios tio;
	struct winsize ws;
	pid_t fg;
};

static int tty_state(int master, struct tty_state *s)
{
	memset(s, 0, sizeof(*s));
	if (tcgetattr(master, &s->tio) || ioctl(master, TIOCGWINSZ, &s->ws) ||
	    ioctl(master, TIOCGPGRP, &s->fg)) {
		ckpt_msg("terminal state: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* /proc/@pid/stat field @field, or -1. */
static long long stat_field(pid_t pid, int field)
{
	unsigned long long v;

	if (ckpt_proc_stat_field(pid, field, &v))
		return -1;
	return (long long)(int)v;
}

/* Is @pid blocked in system call @nr within 5 s? */
static bool blocked_in(pid_t pid, long nr)
{
	char path[64], buf[128];
	uint64_t end = ckpt_now_ms() + 5000;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (;;) {
		if (ckpt_read_file(path, buf, sizeof(buf)) > 0 &&
		    isdigit((unsigned char)buf[0]) &&
		    strtol(buf, NULL, 10) == nr && ckpt_proc_state(pid) == 'S')
			return true;
		if (ckpt_now_ms() >= end)
			break;
		ckpt_sleep_ms(5);
	}
	ckpt_msg("%d is not blocked in system call %ld (state %c)", (int)pid,
		 nr, ckpt_proc_state(pid) ?: '?');
	return false;
}

/* Open both ptys; the test also holds B's slave, so B never hangs up. */
static bool open_ptys(int *b_slave)
{
	if (pty_open(&pty_a) || pty_open(&pty_b))
		return false;
	*b_slave = open(pty_b.path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return *b_slave >= 0;
}

/* --------------------------------------------------------------------
 * Tests
 */

TEST(job_blocked_in_tty_read_continues_on_the_restarters_terminal)
{
	struct tty_state saved, b_before, b;
	struct restarted r;
	pid_t shell, job, rs;
	char why[160];
	int img, b_slave, fd, fl, dup;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(open_ptys(&b_slave));
	job_mode = JOB_READ;
	job_split_fds = false;
	shell = start_shell(&job);
	ASSERT_GT(shell, 0);
	ASSERT_TRUE(blocked_in(job, SYS_read));

	/* What the checkpoint saves, and B is different before the restart. */
	ASSERT_EQ(0, tty_state(pty_a.master, &saved));
	ASSERT_EQ(job, saved.fg);
	ASSERT_TRUE(ckpt_ws_equal(&saved.ws, &job_ws));
	ASSERT_EQ(0, tty_state(pty_b.master, &b_before));
	ASSERT_FALSE(ckpt_termios_equal(&b_before.tio, &saved.tio, why, sizeof(why)));
	ASSERT_FALSE(ckpt_ws_equal(&b_before.ws, &saved.ws));

	img = checkpoint_job(shell, job);
	ASSERT_GE(img, 0);
	rs = start_restarter(img, 2, pty_b.path, -1, -1, &r);
	ASSERT_GT(rs, 0);
	ASSERT_EQ(job, r.pid);

	/* Still reading: no EINTR. */
	EXPECT_TRUE(blocked_in(job, SYS_read));

	/* On pty B, in the restarter's session, in the foreground. */
	for (fd = 0; fd <= 2; fd++) {
		EXPECT_EQ(encode_dev(pty_b.rdev), fd_tty(job, fd))
			TH_LOG("fd %d is not on %s", fd, pty_b.path);
		dup = ckpt_grab_fd(job, fd);
		fl = dup >= 0 ? fcntl(dup, F_GETFL) : -1;
		EXPECT_EQ(O_RDWR, fl & O_ACCMODE) TH_LOG("fd %d", fd);
		if (dup >= 0)
			close(dup);
	}
	EXPECT_EQ(job, stat_field(job, 5));			/* pgrp */
	EXPECT_EQ(rs, stat_field(job, 6));			/* session */
	EXPECT_EQ(encode_dev(pty_b.rdev), stat_field(job, 7));	/* tty_nr */
	ASSERT_EQ(0, tty_state(pty_b.master, &b));
	EXPECT_EQ(job, b.fg);
	EXPECT_TRUE(ckpt_termios_equal(&b.tio, &saved.tio, why, sizeof(why)))
		TH_LOG("pty B: %s", why);
	EXPECT_TRUE(ckpt_ws_equal(&b.ws, &saved.ws))
		TH_LOG("pty B window %ux%u", b.ws.ws_row, b.ws.ws_col);

	/* VMIN 5, no echo, no output processing: exactly this comes back. */
	ASSERT_EQ(5, write(pty_b.master, "hello", 5));
	EXPECT_TRUE(expect_output(pty_b.master, "O:hello;E:hello;"));
	EXPECT_EQ(0, ckpt_wait_reap_within(rs, 20000));
	close(img);
	close(b_slave);
}

TEST(job_sees_its_terminal_state_from_inside_after_restart)
{
	struct restarted r;
	pid_t shell, job, rs;
	int img, b_slave;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(open_ptys(&b_slave));
	job_mode = JOB_WAIT;
	job_split_fds = false;
	shell = start_shell(&job);
	ASSERT_GT(shell, 0);
	ASSERT_TRUE(blocked_in(job, SYS_rt_sigsuspend));

	img = checkpoint_job(shell, job);
	ASSERT_GE(img, 0);
	rs = start_restarter(img, 2, pty_b.path, -1, -1, &r);
	ASSERT_GT(rs, 0);
	ASSERT_EQ(job, r.pid);
	EXPECT_TRUE(blocked_in(job, SYS_rt_sigsuspend));

	/* It checks termios, window, foreground, session; then talks. */
	ASSERT_EQ(0, kill(job, CKPT_WAKE_SIG));
	ASSERT_TRUE(expect_output(pty_b.master, "ready>"));
	ASSERT_EQ(5, write(pty_b.master, "world", 5));
	EXPECT_TRUE(expect_output(pty_b.master, "O:world;E:world;"));
	EXPECT_EQ(0, ckpt_wait_reap_within(rs, 20000));
	close(img);
	close(b_slave);
}

TEST(background_job_does_not_take_the_restarters_terminal)
{
	struct tty_state saved, b;
	struct restarted r;
	pid_t shell, job, rs;
	char why[160];
	int img, b_slave;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(open_ptys(&b_slave));
	job_mode = JOB_BACKGROUND;
	job_split_fds = false;
	shell = start_shell(&job);
	ASSERT_GT(shell, 0);
	ASSERT_TRUE(blocked_in(job, SYS_rt_sigsuspend));
	ASSERT_EQ(0, tty_state(pty_a.master, &saved));
	ASSERT_EQ(shell, saved.fg);

	img = checkpoint_job(shell, job);
	ASSERT_GE(img, 0);
	rs = start_restarter(img, 2, pty_b.path, -1, -1, &r);
	ASSERT_GT(rs, 0);
	ASSERT_EQ(job, r.pid);

	ASSERT_EQ(0, tty_state(pty_b.master, &b));
	/* The restarter keeps the foreground ... */
	EXPECT_EQ(rs, b.fg);
	/* ... the terminal settings still come with the job. */
	EXPECT_TRUE(ckpt_termios_equal(&b.tio, &saved.tio, why, sizeof(why)))
		TH_LOG("pty B: %s", why);
	EXPECT_TRUE(ckpt_ws_equal(&b.ws, &saved.ws));
	EXPECT_EQ(encode_dev(pty_b.rdev), fd_tty(job, 0));
	EXPECT_EQ(job, stat_field(job, 5));
	EXPECT_EQ(rs, stat_field(job, 6));
	ASSERT_EQ(0, kill(job, CKPT_WAKE_SIG));
	EXPECT_EQ(0, ckpt_wait_reap_within(rs, 20000));
	close(img);
	close(b_slave);
}

/* Does the log hold at least one "pid N: ..." line? */
static bool log_has_line(int logfd)
{
	char buf[4096], *line;
	ssize_t n;

	n = pread(logfd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		ckpt_msg("the log is empty");
		return false;
	}
	buf[n] = '\0';
	for (line = buf; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, "warning: ", 9))
			line += 9;
		if (!strncmp(line, "pid ", 4))
			return true;
	}
	ckpt_msg("no \"pid N:\" line in the log: %s", buf);
	return false;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

TEST(restarter_without_terminal_gives_its_fd0_and_fd1_with_a_warning)
{
	int img, b_slave, logfd, in[2], out[2], fd, dup;
	struct restarted r;
	pid_t shell, job, rs;
	static const int want_mode[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_TRUE(open_ptys(&b_slave));
	job_mode = JOB_READ;
	job_split_fds = true;
	shell = start_shell(&job);
	ASSERT_GT(shell, 0);
	ASSERT_TRUE(blocked_in(job, SYS_read));

	img = checkpoint_job(shell, job);
	ASSERT_GE(img, 0);
	logfd = ckpt_image_open();
	ASSERT_GE(logfd, 0);
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	rs = start_restarter(img, logfd, NULL, in[0], out[1], &r);
	ASSERT_GT(rs, 0);
	ASSERT_EQ(job, r.pid);
	EXPECT_TRUE(log_has_line(logfd));

	/* fd 0 is the restarter's fd 0; fds 1 and 2 its fd 1. */
	for (fd = 0; fd <= 2; fd++) {
		dup = ckpt_grab_fd(job, fd);
		EXPECT_GE(dup, 0);
		if (dup < 0)
			continue;
		EXPECT_EQ(fd ? fd_ino(out[1]) : fd_ino(in[0]), fd_ino(dup))
			TH_LOG("fd %d is not the restarter's pipe", fd);
		EXPECT_EQ(want_mode[fd], fcntl(dup, F_GETFL) & O_ACCMODE)
			TH_LOG("fd %d", fd);
		close(dup);
	}
	/* No controlling terminal to be had. */
	EXPECT_EQ(0, stat_field(job, 7));
	EXPECT_EQ(rs, stat_field(job, 6));

	/* The read in progress goes on, on the pipe. */
	EXPECT_TRUE(blocked_in(job, SYS_read));
	ASSERT_EQ(5, write(in[1], "hello", 5));
	EXPECT_TRUE(expect_output(out[0], "O:hello;E:hello;"));
	EXPECT_EQ(0, ckpt_wait_reap_within(rs, 20000));
	close(img);
	close(logfd);
	close(b_slave);
}

TEST_HARNESS_MAIN
