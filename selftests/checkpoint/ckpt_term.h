/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the terminal selftests (ckpt_tty_test, ckpt_pty_test).
 */
#ifndef _CKPT_TERM_H
#define _CKPT_TERM_H

#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "ckpt_test.h"

#define KERNEL_NCCS		19	/* c_cc entries the kernel keeps */

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif

/*
 * Read from @fd until @len bytes came or @ms passed, into @buf (which
 * holds @len + 1, NUL-terminated).  Returns the bytes read.
 */
static inline size_t ckpt_read_within(int fd, char *buf, size_t len, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms, now;
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t done = 0;
	ssize_t n;

	while (done < len && (now = ckpt_now_ms()) < end) {
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		n = read(fd, buf + done, len - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	buf[done] = '\0';
	return done;
}

/*
 * Wait up to @ms for our child @pid to exit: its exit code, 128 + the
 * signal that killed it, -1, or -2 after killing it on a timeout.
 */
static inline int ckpt_wait_reap_within(pid_t pid, unsigned int ms)
{
	uint64_t end = ckpt_now_ms() + ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG | __WALL);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			return -1;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("%d is still there after %u ms", (int)pid, ms);
			ckpt_kill_reap(pid);
			return -2;
		}
		ckpt_sleep_ms(10);
	}
}

/* Compare two termios as the kernel keeps them; why not in @why. */
static inline bool ckpt_termios_equal(const struct termios *a,
				      const struct termios *b,
				      char *why, size_t len)
{
	int i;

	if (a->c_iflag != b->c_iflag || a->c_oflag != b->c_oflag ||
	    a->c_cflag != b->c_cflag || a->c_lflag != b->c_lflag) {
		snprintf(why, len, "flags i/o/c/l %#x/%#x/%#x/%#x vs %#x/%#x/%#x/%#x",
			 a->c_iflag, a->c_oflag, a->c_cflag, a->c_lflag,
			 b->c_iflag, b->c_oflag, b->c_cflag, b->c_lflag);
		return false;
	}
	if (a->c_line != b->c_line) {
		snprintf(why, len, "line discipline %d vs %d", a->c_line,
			 b->c_line);
		return false;
	}
	for (i = 0; i < KERNEL_NCCS; i++) {
		if (a->c_cc[i] != b->c_cc[i]) {
			snprintf(why, len, "c_cc[%d] %#x vs %#x", i, a->c_cc[i],
				 b->c_cc[i]);
			return false;
		}
	}
	if (cfgetispeed(a) != cfgetispeed(b) ||
	    cfgetospeed(a) != cfgetospeed(b)) {
		snprintf(why, len, "speeds %u/%u vs %u/%u",
			 (unsigned int)cfgetispeed(a), (unsigned int)cfgetospeed(a),
			 (unsigned int)cfgetispeed(b), (unsigned int)cfgetospeed(b));
		return false;
	}
	return true;
}

static inline bool ckpt_ws_equal(const struct winsize *a, const struct winsize *b)
{
	return a->ws_row == b->ws_row && a->ws_col == b->ws_col &&
	       a->ws_xpixel == b->ws_xpixel && a->ws_ypixel == b->ws_ypixel;
}

/* A duplicate of process @pid's descriptor @fd (pidfd_getfd()), or -1. */
static inline int ckpt_grab_fd(pid_t pid, int fd)
{
	int pidfd, ret;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		ckpt_msg("pidfd_open(%d): %s", (int)pid, strerror(errno));
		return -1;
	}
	ret = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (ret < 0)
		ckpt_msg("pidfd_getfd(%d, %d): %s", (int)pid, fd, strerror(errno));
	close(pidfd);
	return ret;
}

#endif /* _CKPT_TERM_H */
