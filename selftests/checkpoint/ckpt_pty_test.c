// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: a pseudo-terminal pair entirely inside the job.
 *
 * The setting is a terminal emulator's, or script(1)'s, or a job that
 * drives a program through a pty: a process P of the job holds the
 * master (/dev/ptmx), and its child C, in a session of its own, has the
 * slave as controlling terminal.  Nothing outside the job holds either
 * side.  The test checkpoints the tree rooted at P with CKPT_TREE |
 * CKPT_KILL and restarts it; restart() creates a new pty (its number
 * may differ) and gives it to the job in place of the old one.  Then:
 *
 *  - the slave has the termios the job set (canonical, no echo, IUTF8,
 *    other erase, end-of-line, kill and interrupt characters, another
 *    speed) and the window size, seen from both sides (termios and
 *    window size ioctls on a master act on its slave: the master's own
 *    termios cannot be seen from user space);
 *  - what the master wrote and the slave has not read is still there:
 *    a complete line comes back as that line, and a partial line stays
 *    partial (the rest of it, written after the restart with an erase
 *    in it, completes it);
 *  - what the slave wrote and the master has not read is still there,
 *    as output processing made it ("\n" became "\r\n");
 *  - C's session has the new slave as controlling terminal, with its
 *    group in the foreground: tcgetsid(), tcgetpgrp(), /dev/tty, the
 *    descriptor C had on /dev/tty, /proc/self/stat all agree;
 *  - the lock (TIOCSPTLCK) and packet mode (TIOCPKT) of the master come
 *    back, and work: a locked slave cannot be opened until unlocked, and
 *    the master reads the slave's output with the packet mode prefix;
 *  - a master whose slave was opened and then closed everywhere reads
 *    what the slave wrote, then fails with EIO, as it did before.
 *
 * A pty of which a process outside the job also holds a side cannot be
 * restored: checkpoint() fails with EBUSY and says why on its log
 * ("also open outside the job" for the slave, "outside the job" for the
 * master), and the job runs on untouched.
 *
 * The job is forked by ckpt_job_spawn() (ckpt_test.h); P and C report
 * through the report pipe, which is closed before the checkpoint, so
 * that no pipe to the test is left.  P makes a session of its own (the
 * test's controlling terminal, if any, stays out of the job).  C checks
 * its side and reports through its exit status, which P, its parent,
 * passes on as its own after its own checks: statuses 1..49 are P's,
 * 50..99 are C's (ckpt_test.h conventions otherwise).  In the other
 * tests, the job is P alone.  Whatever happens, what is left of a job is
 * killed in the fixture's teardown.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "ckpt_term.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif

#define PTS_MAJOR_FIRST		136	/* UNIX98_PTY_SLAVE_MAJOR */
#define PTS_MAJORS		8	/* UNIX98_PTY_MAJOR_COUNT */

/* Where the job keeps its pty descriptors. */
#define MASTER_FD		10	/* P: the master */
#define SLAVE_FD		11	/* C: the slave, opened by name */
#define DEVTTY_FD		12	/* C: the slave, opened as /dev/tty */

#define MAX_MEMBERS		8

enum { ROLE_P = 1, ROLE_C };

/* --------------------------------------------------------------------
 * Helpers for both sides
 */

/* @len bytes of @buf as a C string literal would show them, in @out. */
static const char *shown(const char *buf, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = buf[i];

		if (c == '\n')
			o += snprintf(out + o, size - o, "\\n");
		else if (c == '\r')
			o += snprintf(out + o, size - o, "\\r");
		else if (isprint(c) && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o < size ? o : size - 1] = '\0';
	return out;
}

/* One read() of @fd once it is readable, within @ms: its result. */
static ssize_t read_once(int fd, char *buf, size_t size, unsigned int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	int r;

	do {
		r = poll(&pfd, 1, (int)ms);
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		errno = r ? errno : ETIMEDOUT;
		return -1;
	}
	do {
		n = read(fd, buf, size - 1);
	} while (n < 0 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* A byte from the pipe @fd within @ms; -1 at end of file, -2 on a timeout. */
static int recv_byte(int fd, unsigned int ms)
{
	unsigned char c;
	char buf[2];
	ssize_t n;

	n = read_once(fd, buf, sizeof(buf), ms);
	if (n == 1) {
		c = buf[0];
		return c;
	}
	return n < 0 && errno == ETIMEDOUT ? -2 : -1;
}

/* Wait up to @ms for FIONREAD on @fd to reach @want; the last count seen. */
static int wait_inq(int fd, int want, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	int n = -1;

	for (;;) {
		if (ioctl(fd, FIONREAD, &n))
			return -1;
		if (n >= want || ckpt_now_ms() >= end)
			return n;
		ckpt_sleep_ms(2);
	}
}

/* Is the encoded device number @dev (TIOCGDEV, tty_nr) a pty slave's? */
static bool is_pts_dev(unsigned long long dev)
{
	unsigned int major = (dev >> 8) & 0xfff;

	return major >= PTS_MAJOR_FIRST && major < PTS_MAJOR_FIRST + PTS_MAJORS;
}

/* --------------------------------------------------------------------
 * Helpers of the job
 */

/* In a member: exit with @code unless reading @fd gives exactly @want. */
static void child_expect_read(int code, int fd, const char *want, size_t len,
			      unsigned int ms)
{
	char buf[256], a[512], b[512];
	size_t got;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	got = ckpt_read_within(fd, buf, len, ms);
	CHILD_CHECK(code, got == len && !memcmp(buf, want, len),
		    "read %zu bytes \"%s\", expected \"%s\"", got,
		    shown(buf, got, a, sizeof(a)), shown(want, len, b, sizeof(b)));
}

/* In a member: exit with @code unless @fd has nothing more to read. */
static void child_expect_nothing(int code, int fd, unsigned int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[64], a[256];
	ssize_t n = 0;
	int r;

	r = poll(&pfd, 1, (int)ms);
	if (r > 0 && (pfd.revents & POLLIN))
		n = read(fd, buf, sizeof(buf));
	CHILD_CHECK(code, n <= 0, "%zd unexpected bytes: \"%s\"", n,
		    shown(buf, n > 0 ? n : 0, a, sizeof(a)));
}

/*
 * In a member: open a pty master as MASTER_FD, unlocked or not, its
 * slave's path in @path.  Exits with @code on a failure.
 */
static void child_open_master(int code, bool unlock, char *path, size_t size)
{
	int fd;

	fd = posix_openpt(O_RDWR | O_NOCTTY);
	CHILD_CHECK(code, fd >= 0, "posix_openpt: %s", strerror(errno));
	CHILD_CHECK(code, dup2(fd, MASTER_FD) == MASTER_FD, "dup2: %s",
		    strerror(errno));
	if (fd != MASTER_FD)
		close(fd);
	CHILD_CHECK(code, !grantpt(MASTER_FD), "grantpt: %s", strerror(errno));
	if (unlock)
		CHILD_CHECK(code, !unlockpt(MASTER_FD), "unlockpt: %s",
			    strerror(errno));
	CHILD_CHECK(code, !ptsname_r(MASTER_FD, path, size), "ptsname_r: %s",
		    strerror(errno));
}

/* In a member: an int-valued ioctl of @fd, or -1. */
static int ioctl_int(int fd, unsigned long req)
{
	int v = -1;

	if (ioctl(fd, req, &v))
		return -1;
	return v;
}

/* In P: what to exit with for the status @st of its child C. */
static int pass_on(int st)
{
	if (st >= 0 && st < 128)
		return st;
	ckpt_msg("C: status %d (killed, or not reaped)", st);
	return 99;
}

/* --------------------------------------------------------------------
 * Helpers of the test
 */

/*
 * checkpoint(@root, CKPT_TREE | CKPT_KILL) into a new image: its
 * descriptor, or -1 with the call's log shown.
 */
static int checkpoint_tree(pid_t root)
{
	static char log[8192];
	int img, logfd, err;
	long r;

	img = ckpt_image_open();
	if (img < 0)
		return -1;
	logfd = ckpt_log_open();
	if (logfd < 0) {
		close(img);
		return -1;
	}
	errno = 0;
	r = checkpoint(root, img, CKPT_TREE | CKPT_KILL, logfd);
	err = errno;
	if (r) {
		ckpt_msg("checkpoint(%d, CKPT_TREE | CKPT_KILL) = %ld: %s",
			 (int)root, r, strerror(err));
		ckpt_msg("log: %s", ckpt_log_read(logfd, log, sizeof(log)));
		close(img);
		img = -1;
	}
	close(logfd);
	return img;
}

/* restart() the image @img: what it returned, its log shown if any. */
static pid_t restart_image(int img)
{
	static char log[8192];
	int logfd, err;
	pid_t r;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	logfd = ckpt_log_open();
	if (logfd < 0)
		return -1;
	errno = 0;
	r = restart(img, 0, logfd);
	err = errno;
	ckpt_log_read(logfd, log, sizeof(log));
	if (r < 0)
		ckpt_msg("restart: %s", strerror(err));
	if (r < 0 || log[0])
		ckpt_msg("restart log: %s", log);
	close(logfd);
	return r;
}

/*
 * checkpoint(@root, CKPT_TREE | CKPT_KILL), which is to be refused:
 * its result, errno in *@err, its log in @log.
 */
static long checkpoint_refused(pid_t root, int *err, char *log, size_t size)
{
	int img, logfd;
	long r;

	log[0] = '\0';
	*err = 0;
	img = ckpt_image_open();
	logfd = ckpt_log_open();
	if (img < 0 || logfd < 0) {
		if (img >= 0)
			close(img);
		if (logfd >= 0)
			close(logfd);
		return -2;
	}
	errno = 0;
	r = checkpoint(root, img, CKPT_TREE | CKPT_KILL, logfd);
	*err = errno;
	ckpt_log_read(logfd, log, size);
	close(logfd);
	close(img);
	return r;
}

/*
 * Checkpoint the job rooted at @root, kill it, check it is all gone,
 * and restart it: 0, or -1 after saying which step failed.
 */
static int cycle_tree(pid_t root, const struct ckpt_member *m, int n)
{
	int img, st;
	pid_t got;

	img = checkpoint_tree(root);
	if (img < 0)
		return -1;
	st = ckpt_reap(root);
	if (st != 128 + SIGKILL) {
		ckpt_msg("root %d: status %d instead of SIGKILL", (int)root, st);
		close(img);
		return -1;
	}
	if (ckpt_job_gone(m, n, 10000)) {
		close(img);
		return -1;
	}
	got = restart_image(img);
	close(img);
	if (got != root) {
		ckpt_msg("restart() gave %d, expected %d", (int)got, (int)root);
		return -1;
	}
	return 0;
}

/* Is @pid (a zombie too) running this program, as the job's members do? */
static bool same_program(pid_t pid)
{
	char path[64], comm[64], ours[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (ckpt_read_file(path, comm, sizeof(comm)) <= 0 ||
	    ckpt_read_file("/proc/self/comm", ours, sizeof(ours)) <= 0)
		return false;
	return !strcmp(comm, ours);
}

/*
 * Kill what is left of the job and reap what is ours to reap.  Members
 * are recognized by their pid and their program; zombies that are not
 * our children are left to their parent.
 */
static void job_cleanup(const struct ckpt_member *m, int n)
{
	uint64_t end = ckpt_now_ms() + 10000;
	bool left;
	char st;
	int i;

	do {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		left = false;
		for (i = 0; i < n; i++) {
			if (m[i].pid <= 0 || m[i].pid == getpid() ||
			    !same_program(m[i].pid))
				continue;
			st = ckpt_proc_state(m[i].pid);
			if (st == 'Z' && ckpt_stat(m[i].pid, CKPT_STAT_PPID) != getpid())
				continue;
			if (st != 'Z')
				kill(m[i].pid, SIGKILL);
			left = true;
		}
		if (left)
			ckpt_sleep_ms(10);
	} while (left && ckpt_now_ms() < end);
	if (left)
		ckpt_msg("members of the job are still there");
}

/* --------------------------------------------------------------------
 * The fixture: whatever happens, the job does not outlive the test.
 *
 * The harness' TEST_F() wrapper keeps the pid of the test process it
 * forks in a variable that a failed ASSERT_*()'s longjmp() may clobber,
 * so that a teardown of the child's kind is skipped then.  The teardown
 * is the parent's kind: it runs in the test process or in its parent,
 * whichever gets there first, and the members' records are in memory
 * both share.  -Wextra warns about that variable in every test.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

FIXTURE(pty)
{
	struct ckpt_member m[MAX_MEMBERS];
	int n;
};

FIXTURE_SETUP(pty)
{
	self->n = 0;
	/* The originals' orphans come to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

FIXTURE_TEARDOWN_PARENT(pty)
{
	job_cleanup(self->m, self->n);
}

/* A job of one process P running @fn(@arg), settled, in @m[0]. */
static pid_t spawn_p(struct __test_metadata *_metadata, struct ckpt_member *m,
		     int *n, int (*fn)(void *), void *arg)
{
	pid_t p;

	p = ckpt_job_spawn(fn, arg, -1, NULL, 0, m, n, MAX_MEMBERS);
	ASSERT_GT(p, 0);
	ASSERT_EQ(1, *n);
	ASSERT_EQ(0, ckpt_job_settle(m, *n, 10000));
	return p;
}

/* Wake the job of @p and see it end well, leaving nothing behind. */
static void finish_job(struct __test_metadata *_metadata,
		       const struct ckpt_member *m, int n, pid_t p)
{
	ASSERT_EQ(0, ckpt_job_wake(m, n));
	EXPECT_EQ(0, ckpt_wait_reap_within(p, 30000));
	EXPECT_FALSE(ckpt_have_children());
}

/* P running @fn: checkpointed, killed, restarted, then its own checks. */
static void cycle_p(struct __test_metadata *_metadata, struct ckpt_member *m,
		    int *n, int (*fn)(void *))
{
	pid_t p = spawn_p(_metadata, m, n, fn, NULL);

	ASSERT_EQ(0, cycle_tree(p, m, *n));
	EXPECT_EQ(0, ckpt_job_intact(m, *n, "RS"));
	finish_job(_metadata, m, *n, p);
}

/* --------------------------------------------------------------------
 * A pty pair inside the job, with unread data both ways
 */

static const struct winsize in_ws = { 33, 77, 1, 2 };

static char in_path[64];		/* the slave, as P found it */
static int in_c2p[2], in_p2c[2];	/* C -> P, P -> C */
static struct termios in_slave_tio;	/* as C set it, read back */

#define IN_TO_SLAVE	"hello\nworX\b"	/* a line, and a partial one */
#define IN_REST		"Q\bld!"	/* after the restart */
#define IN_TO_MASTER	"out1\n"

/* C's terminal: canonical, no echo, other characters and speed. */
static void in_c_setup_tty(void)
{
	struct termios t;
	struct winsize ws;

	CHILD_CHECK(53, !tcgetattr(SLAVE_FD, &t), "tcgetattr: %s",
		    strerror(errno));
	t.c_lflag |= ICANON;
	t.c_lflag &= ~ECHO;
	t.c_iflag |= IUTF8;
	t.c_cc[VERASE] = '\b';
	t.c_cc[VEOL] = '!';
	t.c_cc[VKILL] = 0x0b;
	t.c_cc[VINTR] = 0x0e;
	cfsetispeed(&t, B9600);
	cfsetospeed(&t, B9600);
	CHILD_CHECK(53, !tcsetattr(SLAVE_FD, TCSANOW, &t), "tcsetattr: %s",
		    strerror(errno));
	CHILD_CHECK(53, !tcgetattr(SLAVE_FD, &in_slave_tio), "tcgetattr: %s",
		    strerror(errno));
	CHILD_CHECK(53, (in_slave_tio.c_lflag & ICANON) &&
		    !(in_slave_tio.c_lflag & ECHO) &&
		    (in_slave_tio.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR) &&
		    in_slave_tio.c_cc[VERASE] == '\b' &&
		    in_slave_tio.c_cc[VEOL] == '!' &&
		    cfgetospeed(&in_slave_tio) == B9600, "termios not taken");
	CHILD_CHECK(54, !ioctl(SLAVE_FD, TIOCSWINSZ, &in_ws), "TIOCSWINSZ: %s",
		    strerror(errno));
	CHILD_CHECK(54, !ioctl(SLAVE_FD, TIOCGWINSZ, &ws) && ckpt_ws_equal(&ws, &in_ws),
		    "window size not taken");
}

/* C, after the restart: its terminal, as it sees it. */
static void in_c_check_tty(void)
{
	unsigned int dev, dev_tty = 0, dev_new = 0;
	unsigned long long tty_nr = 0;
	struct termios t;
	struct winsize ws;
	char why[160];
	int fd;

	CHILD_CHECK(60, !tcgetattr(SLAVE_FD, &t), "tcgetattr: %s",
		    strerror(errno));
	CHILD_CHECK(61, ckpt_termios_equal(&t, &in_slave_tio, why, sizeof(why)),
		    "termios: %s", why);
	CHILD_CHECK(62, !ioctl(SLAVE_FD, TIOCGWINSZ, &ws) && ckpt_ws_equal(&ws, &in_ws),
		    "window %ux%u (%ux%u pixels)", ws.ws_row, ws.ws_col,
		    ws.ws_xpixel, ws.ws_ypixel);
	CHILD_CHECK(63, getsid(0) == getpid(), "session %d, we are %d",
		    (int)getsid(0), (int)getpid());
	CHILD_CHECK(64, tcgetsid(SLAVE_FD) == getpid(),
		    "the slave's session is %d (%s), we are %d",
		    (int)tcgetsid(SLAVE_FD), strerror(errno), (int)getpid());
	CHILD_CHECK(65, tcgetpgrp(SLAVE_FD) == getpgrp(),
		    "foreground group %d, ours %d", (int)tcgetpgrp(SLAVE_FD),
		    (int)getpgrp());
	CHILD_CHECK(66, !ioctl(SLAVE_FD, TIOCGDEV, &dev) && is_pts_dev(dev),
		    "TIOCGDEV of the slave: %s", strerror(errno));
	CHILD_CHECK(66, !ioctl(DEVTTY_FD, TIOCGDEV, &dev_tty) && dev_tty == dev,
		    "our /dev/tty descriptor is on %#x, the slave is %#x",
		    dev_tty, dev);
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHILD_CHECK(67, fd >= 0, "no controlling terminal: %s", strerror(errno));
	CHILD_CHECK(67, !ioctl(fd, TIOCGDEV, &dev_new) && dev_new == dev,
		    "/dev/tty is %#x, the slave is %#x", dev_new, dev);
	close(fd);
	CHILD_CHECK(68, !ckpt_proc_stat_field(0, 7, &tty_nr) && tty_nr == dev,
		    "tty_nr %#llx, the slave is %#x", tty_nr, dev);
}

static int in_c_main(void)
{
	char buf[64], a[160];
	int fd, c;
	ssize_t n;

	close(in_c2p[0]);
	close(in_p2c[1]);
	CHILD_CHECK(50, setsid() == getpid(), "setsid: %s", strerror(errno));
	/* No O_NOCTTY: the slave becomes our controlling terminal. */
	fd = open(in_path, O_RDWR);
	CHILD_CHECK(51, fd >= 0, "open(%s): %s", in_path, strerror(errno));
	CHILD_CHECK(51, dup2(fd, SLAVE_FD) == SLAVE_FD, "dup2: %s",
		    strerror(errno));
	if (fd != SLAVE_FD)
		close(fd);
	CHILD_CHECK(52, tcgetsid(SLAVE_FD) == getpid(),
		    "%s is not our controlling terminal", in_path);
	fd = open("/dev/tty", O_RDWR);
	CHILD_CHECK(52, fd >= 0, "open(/dev/tty): %s", strerror(errno));
	CHILD_CHECK(52, dup2(fd, DEVTTY_FD) == DEVTTY_FD, "dup2: %s",
		    strerror(errno));
	if (fd != DEVTTY_FD)
		close(fd);
	in_c_setup_tty();

	/* Output for P, which it will not read before the restart. */
	CHILD_CHECK(55, !ckpt_write_all(SLAVE_FD, IN_TO_MASTER,
					strlen(IN_TO_MASTER)),
		    "write: %s", strerror(errno));
	CHILD_CHECK(56, !ckpt_write_all(in_c2p[1], "s", 1), "write: %s",
		    strerror(errno));
	c = recv_byte(in_p2c[0], 10000);
	CHILD_CHECK(57, c == 'w', "P did not write: %d", c);
	/* P's input has reached our line discipline: one complete line. */
	n = wait_inq(SLAVE_FD, 6, 5000);
	CHILD_CHECK(58, n == 6, "%zd bytes of complete lines to read, not 6", n);

	ckpt_member_wait(ROLE_C);

	in_c_check_tty();
	/* The line, and only it: the partial line is still partial. */
	n = read_once(SLAVE_FD, buf, sizeof(buf), 10000);
	CHILD_CHECK(69, n == 6 && !memcmp(buf, "hello\n", 6),
		    "read() = %zd (%s): \"%s\", expected \"hello\\n\"", n,
		    n < 0 ? strerror(errno) : "", shown(buf, n > 0 ? n : 0, a, sizeof(a)));
	CHILD_CHECK(70, !ckpt_write_all(in_c2p[1], "r", 1), "write: %s",
		    strerror(errno));
	/* P writes the rest, with an erase in it; VEOL ends the line. */
	n = read_once(SLAVE_FD, buf, sizeof(buf), 10000);
	CHILD_CHECK(71, n == 6 && !memcmp(buf, "world!", 6),
		    "read() = %zd (%s): \"%s\", expected \"world!\"", n,
		    n < 0 ? strerror(errno) : "", shown(buf, n > 0 ? n : 0, a, sizeof(a)));
	CHILD_CHECK(72, wait_inq(SLAVE_FD, 1, 0) == 0, "more to read");
	return 0;
}

static int in_p_main(void *arg)
{
	struct termios t;
	struct winsize ws;
	struct stat st;
	char why[160];
	pid_t c;
	int ch, n;

	(void)arg;
	CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	child_open_master(2, true, in_path, sizeof(in_path));
	n = 0;
	CHILD_CHECK(2, !ioctl(MASTER_FD, TIOCPKT, &n), "TIOCPKT: %s",
		    strerror(errno));
	CHILD_CHECK(3, !pipe(in_c2p) && !pipe(in_p2c), "pipe: %s",
		    strerror(errno));

	c = ckpt_member_fork();
	CHILD_CHECK(4, c >= 0, "fork: %s", strerror(errno));
	if (c == 0)
		_exit(in_c_main());
	close(in_c2p[1]);
	close(in_p2c[0]);

	/* C has set its terminal up (no echo) and written to it. */
	ch = recv_byte(in_c2p[0], 10000);
	if (ch != 's') {
		ckpt_msg("P: C is not ready (%d)", ch);
		return pass_on(ckpt_wait_reap_within(c, 10000));
	}
	CHILD_CHECK(5, !ckpt_write_all(MASTER_FD, IN_TO_SLAVE, strlen(IN_TO_SLAVE)),
		    "write: %s", strerror(errno));
	CHILD_CHECK(5, !ckpt_write_all(in_p2c[1], "w", 1), "write: %s",
		    strerror(errno));
	/* C's output is in our line discipline, ONLCR applied. */
	n = wait_inq(MASTER_FD, 6, 5000);
	CHILD_CHECK(6, n == 6, "%d bytes to read from the master, not 6", n);

	ckpt_member_wait(ROLE_P);

	child_expect_read(10, MASTER_FD, "out1\r\n", 6, 10000);
	/* Through the master: the termios of its slave, as C set it. */
	CHILD_CHECK(12, !tcgetattr(MASTER_FD, &t), "tcgetattr: %s",
		    strerror(errno));
	CHILD_CHECK(12, (t.c_lflag & ICANON) && !(t.c_lflag & ECHO) &&
		    t.c_cc[VEOL] == '!' && t.c_cc[VERASE] == '\b' &&
		    cfgetospeed(&t) == B9600,
		    "termios through the master: lflag %#x, VEOL %#x, VERASE %#x",
		    t.c_lflag, t.c_cc[VEOL], t.c_cc[VERASE]);
	n = ioctl_int(MASTER_FD, TIOCGPTLCK);
	CHILD_CHECK(13, n == 0, "TIOCGPTLCK = %d (%s)", n, strerror(errno));
	n = ioctl_int(MASTER_FD, TIOCGPKT);
	CHILD_CHECK(14, n == 0, "TIOCGPKT = %d (%s)", n, strerror(errno));
	CHILD_CHECK(15, !ioctl(MASTER_FD, TIOCGWINSZ, &ws) && ckpt_ws_equal(&ws, &in_ws),
		    "window %ux%u on the master", ws.ws_row, ws.ws_col);
	CHILD_CHECK(16, !ptsname_r(MASTER_FD, why, sizeof(why)) &&
		    !stat(why, &st) && S_ISCHR(st.st_mode),
		    "the slave of the master: %s", strerror(errno));

	/* C has read the line; the rest of the partial one. */
	ch = recv_byte(in_c2p[0], 20000);
	if (ch != 'r') {
		ckpt_msg("P: C did not ask for the rest (%d)", ch);
		return pass_on(ckpt_wait_reap_within(c, 10000));
	}
	CHILD_CHECK(17, !ckpt_write_all(MASTER_FD, IN_REST, strlen(IN_REST)),
		    "write: %s", strerror(errno));
	n = pass_on(ckpt_wait_reap_within(c, 20000));
	if (n)
		return n;
	/* No echo, nothing else from the slave. */
	child_expect_nothing(11, MASTER_FD, 100);
	return 0;
}

TEST_F(pty, pty_pair_inside_job_comes_back_with_its_state_and_unread_data)
{
	struct ckpt_member *m = self->m;
	int ip, ic;
	pid_t p, c;

	if (!ckpt_preamble(_metadata))
		return;
	p = ckpt_job_spawn(in_p_main, NULL, -1, NULL, 0, m, &self->n,
			   MAX_MEMBERS);
	ASSERT_GT(p, 0);
	ASSERT_EQ(2, self->n);
	ASSERT_EQ(0, ckpt_job_settle(m, self->n, 10000));
	ip = ckpt_job_find(m, self->n, ROLE_P);
	ic = ckpt_job_find(m, self->n, ROLE_C);
	ASSERT_LE(0, ip);
	ASSERT_LE(0, ic);
	c = m[ic].pid;
	ASSERT_EQ(p, m[ip].pid);
	ASSERT_EQ(p, m[ip].sid);
	ASSERT_EQ(p, m[ic].ppid);
	ASSERT_EQ(c, m[ic].sid);
	ASSERT_EQ(c, m[ic].pgid);
	/* C's controlling terminal is a pty slave. */
	ASSERT_TRUE(is_pts_dev(ckpt_stat(c, 7)))
		TH_LOG("tty_nr of C: %#llx", ckpt_stat(c, 7));

	ASSERT_EQ(0, cycle_tree(p, m, self->n));
	EXPECT_EQ(0, ckpt_job_intact(m, self->n, "RS"));
	/* From outside too: C has a pty slave as controlling terminal. */
	EXPECT_TRUE(is_pts_dev(ckpt_stat(c, 7)))
		TH_LOG("tty_nr of C after the restart: %#llx", ckpt_stat(c, 7));

	ASSERT_EQ(0, ckpt_job_wake(m, self->n));
	EXPECT_EQ(0, ckpt_wait_reap_within(p, 30000));
	EXPECT_EQ(0, ckpt_job_gone(m, self->n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * A master whose slave was closed everywhere: the data, then EIO
 */

static char closed_path[64];

/* C: raw mode, three bytes, and exit: the last slave descriptor goes. */
static int closed_c_main(void)
{
	struct termios t;
	int fd;

	fd = open(closed_path, O_RDWR | O_NOCTTY);
	CHILD_CHECK(50, fd >= 0, "open(%s): %s", closed_path, strerror(errno));
	CHILD_CHECK(51, !tcgetattr(fd, &t), "tcgetattr: %s", strerror(errno));
	cfmakeraw(&t);
	CHILD_CHECK(51, !tcsetattr(fd, TCSANOW, &t), "tcsetattr: %s",
		    strerror(errno));
	CHILD_CHECK(52, !ckpt_write_all(fd, "bye", 3), "write: %s",
		    strerror(errno));
	return 0;
}

static int closed_p_main(void *arg)
{
	struct pollfd pfd;
	char buf[64];
	ssize_t w;
	pid_t c;
	int n, st;

	(void)arg;
	CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	child_open_master(2, true, closed_path, sizeof(closed_path));
	c = ckpt_member_fork();
	CHILD_CHECK(3, c >= 0, "fork: %s", strerror(errno));
	if (c == 0)
		_exit(closed_c_main());
	/* The job is P alone. */
	st = ckpt_wait_reap_within(c, 10000);
	if (st)
		return pass_on(st);
	n = wait_inq(MASTER_FD, 3, 5000);
	CHILD_CHECK(4, n == 3, "%d bytes to read from the master, not 3", n);
	/* To a slave nobody has open: nobody reads it, whatever happens to it. */
	w = write(MASTER_FD, "abc", 3);
	(void)w;

	ckpt_member_wait(ROLE_P);

	child_expect_read(10, MASTER_FD, "bye", 3, 10000);
	/* The slave is gone: a hang-up to poll(), EIO to read(). */
	pfd.fd = MASTER_FD;
	pfd.events = POLLIN;
	n = poll(&pfd, 1, 5000);
	CHILD_CHECK(11, n == 1 && (pfd.revents & POLLHUP),
		    "poll() after the data = %d, revents %#x", n, pfd.revents);
	errno = 0;
	n = read(MASTER_FD, buf, sizeof(buf));
	CHILD_CHECK(12, n == -1 && errno == EIO,
		    "read() after the data = %d (%s), expected EIO", n,
		    strerror(errno));
	return 0;
}

TEST_F(pty, raw_mode_data_then_eio_after_the_slave_closed)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle_p(_metadata, self->m, &self->n, closed_p_main);
}

/* --------------------------------------------------------------------
 * Packet mode and lock
 */

static int pkt_p_main(void *arg)
{
	char path[64], buf[16], a[64];
	ssize_t r;
	int n, fd;

	(void)arg;
	CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	/* Locked, as posix_openpt() leaves it. */
	child_open_master(2, false, path, sizeof(path));
	n = 1;
	CHILD_CHECK(3, !ioctl(MASTER_FD, TIOCPKT, &n), "TIOCPKT: %s",
		    strerror(errno));
	CHILD_CHECK(4, ioctl_int(MASTER_FD, TIOCGPKT) == 1, "TIOCGPKT");
	CHILD_CHECK(4, ioctl_int(MASTER_FD, TIOCGPTLCK) == 1, "TIOCGPTLCK");

	ckpt_member_wait(ROLE_P);

	n = ioctl_int(MASTER_FD, TIOCGPKT);
	CHILD_CHECK(10, n == 1, "TIOCGPKT = %d (%s)", n, strerror(errno));
	n = ioctl_int(MASTER_FD, TIOCGPTLCK);
	CHILD_CHECK(11, n == 1, "TIOCGPTLCK = %d (%s)", n, strerror(errno));
	CHILD_CHECK(12, !ptsname_r(MASTER_FD, path, sizeof(path)), "ptsname_r: %s",
		    strerror(errno));
	/* Locked indeed: the slave cannot be opened. */
	errno = 0;
	fd = open(path, O_RDWR | O_NOCTTY);
	CHILD_CHECK(13, fd < 0 && errno == EIO,
		    "open(%s) of a locked slave = %d (%s), expected EIO", path,
		    fd, strerror(errno));
	CHILD_CHECK(14, !unlockpt(MASTER_FD), "unlockpt: %s", strerror(errno));
	n = ioctl_int(MASTER_FD, TIOCGPTLCK);
	CHILD_CHECK(14, n == 0, "TIOCGPTLCK after unlockpt() = %d", n);
	fd = open(path, O_RDWR | O_NOCTTY);
	CHILD_CHECK(15, fd >= 0, "open(%s): %s", path, strerror(errno));
	/* Packet mode indeed: data comes with a TIOCPKT_DATA byte first. */
	CHILD_CHECK(16, !ckpt_write_all(fd, "pk", 2), "write: %s",
		    strerror(errno));
	n = wait_inq(MASTER_FD, 2, 5000);
	CHILD_CHECK(17, n == 2, "%d bytes to read from the master, not 2", n);
	r = read_once(MASTER_FD, buf, sizeof(buf), 5000);
	CHILD_CHECK(18, r == 3 && !memcmp(buf, "\0pk", 3),
		    "read() = %zd: \"%s\", expected \"\\x00pk\"", r,
		    shown(buf, r > 0 ? r : 0, a, sizeof(a)));
	close(fd);
	return 0;
}

TEST_F(pty, packet_mode_and_lock_survive)
{
	if (!ckpt_preamble(_metadata))
		return;
	cycle_p(_metadata, self->m, &self->n, pkt_p_main);
}

/* --------------------------------------------------------------------
 * A side of the pty held outside the job: refused, the job runs on
 */

static unsigned int refused_ptn;

/*
 * P: an unlocked pair; after waking, the same pair, with @arg (a
 * string) to read from the master first, and working both ways.
 */
static int refused_p_main(void *arg)
{
	const char *want = arg;
	char path[64];
	unsigned int ptn = ~0U;
	int fd;

	CHILD_CHECK(1, setsid() == getpid(), "setsid: %s", strerror(errno));
	child_open_master(2, true, path, sizeof(path));
	CHILD_CHECK(3, !ioctl(MASTER_FD, TIOCGPTN, &refused_ptn), "TIOCGPTN: %s",
		    strerror(errno));

	ckpt_member_wait(ROLE_P);

	CHILD_CHECK(10, !ioctl(MASTER_FD, TIOCGPTN, &ptn) && ptn == refused_ptn,
		    "pty %u, was %u", ptn, refused_ptn);
	if (*want)
		child_expect_read(11, MASTER_FD, want, strlen(want), 10000);
	fd = open(path, O_RDWR | O_NOCTTY);
	CHILD_CHECK(12, fd >= 0, "open(%s): %s", path, strerror(errno));
	CHILD_CHECK(13, !ckpt_write_all(fd, "rt\n", 3), "write: %s",
		    strerror(errno));
	child_expect_read(14, MASTER_FD, "rt\r\n", 4, 10000);
	close(fd);
	return 0;
}

/* The refusal as the test sees it; @why is to be in the log. */
static void expect_refused(struct __test_metadata *_metadata, pid_t p,
			   const struct ckpt_member *m, int n, const char *why)
{
	static char log[8192];
	long r;
	int err;

	r = checkpoint_refused(p, &err, log, sizeof(log));
	TH_LOG("checkpoint() = %ld (%s), log: %s", r, strerror(err), log);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EBUSY, err);
	EXPECT_NE(NULL, strstr(log, why))
		TH_LOG("\"%s\" is not in the log", why);
	/* Neither killed nor stopped. */
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(0, ckpt_job_intact(m, n, "S"));
}

TEST_F(pty, slave_open_outside_the_job_is_refused_and_the_job_runs_on)
{
	int dup, slave;
	char path[64];
	unsigned int ptn;
	pid_t p;

	if (!ckpt_preamble(_metadata))
		return;
	p = spawn_p(_metadata, self->m, &self->n, refused_p_main, "ping\r\n");

	/* Which pty: ask a copy of the master, then let it go. */
	dup = ckpt_grab_fd(p, MASTER_FD);
	ASSERT_LE(0, dup);
	ASSERT_EQ(0, ioctl(dup, TIOCGPTN, &ptn));
	close(dup);
	snprintf(path, sizeof(path), "/dev/pts/%u", ptn);
	slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, slave) TH_LOG("open(%s): %s", path, strerror(errno));

	expect_refused(_metadata, p, self->m, self->n, "also open outside the job");

	/* The pair is still the one the test has a side of. */
	ASSERT_EQ(0, ckpt_write_all(slave, "ping\n", 5));
	finish_job(_metadata, self->m, self->n, p);
	close(slave);
}

TEST_F(pty, master_held_outside_the_job_is_refused)
{
	int master;
	pid_t p;

	if (!ckpt_preamble(_metadata))
		return;
	p = spawn_p(_metadata, self->m, &self->n, refused_p_main, "");

	/* The test holds the very master file P has. */
	master = ckpt_grab_fd(p, MASTER_FD);
	ASSERT_LE(0, master);

	expect_refused(_metadata, p, self->m, self->n, "outside the job");

	finish_job(_metadata, self->m, self->n, p);
	close(master);
}

TEST_HARNESS_MAIN
