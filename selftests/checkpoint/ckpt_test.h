/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckpt_test.h - shared helpers for the checkpoint/restart selftests.
 *
 * The tests follow the ZDTM pattern ("zero downtime migration", from
 * CRIU): a child process sets up some known state, the test checkpoints
 * it, kills it, restarts the image and wakes the restored copy, which
 * then checks that its state is still what it set up and reports
 * through its exit status.
 *
 *	pid_t child = ckpt_spawn(setup, verify);
 *	ASSERT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
 *
 * The child process:
 *  - gets SIGKILL as parent-death signal, so it never outlives the test;
 *  - closes every descriptor above 2 and unmaps the harness' shared
 *    anonymous mapping: neither can be checkpointed, and the child has
 *    no use for them;
 *  - has SIGUSR2 blocked and handled by the harness (ckpt_wake_handler()
 *    sets ckpt_woken): SIGUSR2's handler belongs to the harness, tests
 *    must not change it;
 *  - runs setup(); a non-zero return value becomes its exit status;
 *  - tells the parent it is ready through a pipe that it then closes,
 *    and waits in sigsuspend() (with SIGUSR2 unblocked) until SIGUSR2
 *    arrives;
 *  - runs verify() and exits with its return value.
 *
 * Exit statuses: 0 is a pass, 1..99 are the test's own check failures
 * (CHILD_CHECK(code, cond, ...) prints a line to fd 2, which the child
 * shares with the test, and exits with @code at once), 100..127 are
 * failures of the helpers in the child, and 128 + N means the child was
 * killed by signal N.
 *
 * Children with a main function of their own (ckpt_spawn_main()) call
 * ckpt_child_wait() wherever they want to be checkpointed, or
 * ckpt_child_ready() before a busy loop that polls ckpt_woken.
 *
 * Everything here runs as root: every test starts with
 *
 *	if (!ckpt_preamble(_metadata))
 *		return;
 *
 * which skips it otherwise, or when the kernel lacks the system calls.
 *
 * This header includes the kselftest harness itself.
 */
#ifndef _CKPT_TEST_H
#define _CKPT_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/checkpoint.h>
#include <linux/futex.h>
#include <xxhash.h>		/* libxxhash */
#include "ckpt_syscalls.h"
#include "md_sha256.h"		/* libmd */

/*
 * With -Wextra, the harness' own functions and the wrappers that TEST()
 * generates have unused parameters: the warning is off from here on.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../kselftest_harness.h"

/* Signal that wakes a waiting test child (its handler is the harness'). */
#define CKPT_WAKE_SIG		SIGUSR2

/* Where the child keeps the write end of its readiness pipe. */
#define CKPT_READY_FD		100

/* Exit statuses of the helpers in the child (100..127). */
#define CKPT_EXIT_INIT		100	/* ckpt_child_init() failed */
#define CKPT_EXIT_READY		101	/* could not tell the parent */
#define CKPT_EXIT_WAIT		102	/* sigsuspend() misbehaved */

/* ckpt_cycle() results below 0: which step of the cycle failed. */
#define CKPT_CYCLE_ECHECKPOINT	(-1)
#define CKPT_CYCLE_EKILL	(-2)
#define CKPT_CYCLE_ERESTART	(-3)
#define CKPT_CYCLE_EPID		(-4)
#define CKPT_CYCLE_EWAIT	(-5)
#define CKPT_CYCLE_EIMAGE	(-6)

/* Atomic accesses, for what signal handlers and other processes see. */
#define CKPT_LOAD(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define CKPT_STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

/*
 * Set by the SIGUSR2 handler; read it with CKPT_LOAD().  Not static:
 * busy loops written in assembly poll it by name.
 */
sig_atomic_t ckpt_woken;

/* In the child: the write end of the readiness pipe, -1 once used. */
static int ckpt_ready_fd = -1;

#define ckpt_msg(fmt, ...) \
	fprintf(stderr, "# [%d] " fmt "\n", (int)getpid(), ##__VA_ARGS__)

/* Say which check failed in a test child, and exit with @code. */
static inline void ckpt_child_fail(int code, int line, const char *cond,
				   const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# [%d] child check %d failed at line %d: %s: ",
		(int)getpid(), code, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(code);
}

/*
 * In test children only: unless @cond holds, exit at once with status
 * @code (1..99), saying which check failed and why.
 */
#define CHILD_CHECK(code, cond, fmt, ...) do {				\
	if (!(cond))							\
		ckpt_child_fail(code, __LINE__, #cond, fmt, ##__VA_ARGS__); \
} while (0)

/* --------------------------------------------------------------------
 * Generic helpers
 */

static inline bool ckpt_supported(void)
{
	int nosys;

	/* What a system call that does not exist fails with. */
	syscall(-1L);
	nosys = errno;
	/* A bad descriptor: EBADF if the call exists. */
	errno = 0;
	if (restart(-1, 0, -1) >= 0)
		return true;	/* nonsense, but let the tests say so */
	return errno != nosys;
}

/* Skip the test unless we are root and the system calls exist. */
static inline bool ckpt_preamble(struct __test_metadata *_metadata)
{
	if (geteuid() != 0)
		SKIP(return false, "must run as root");
	if (!ckpt_supported())
		SKIP(return false, "checkpoint(2)/restart(2) not available");
	return true;
}

/* write() all of @len bytes, retrying on EINTR and short writes. */
static inline int ckpt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* read() until @len bytes or end of file; returns the bytes read or -1. */
static inline ssize_t ckpt_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/*
 * Read a whole (small) file into @buf, NUL-terminated, with read(2) only,
 * so that it allocates no memory.  Returns the length or -1.
 */
static inline ssize_t ckpt_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = ckpt_read_all(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* A line of /proc/self/maps */
struct map_line {
	unsigned long start, end;
	char perms[8];
	unsigned int major, minor;
	unsigned long ino;
	char path[256];
};

/* The /proc/self/maps line of the mapping that contains @addr; 0 or -1. */
static inline int map_line_of(const void *addr, struct map_line *ml)
{
	static char maps[65536];
	unsigned long a = (unsigned long)addr;
	char *line, *end;

	if (ckpt_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return -1;
	for (line = maps; *line; line = end + 1) {
		int off = 0;

		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		if (sscanf(line, "%lx-%lx %7s %*x %x:%x %lu %n", &ml->start, &ml->end,
			   ml->perms, &ml->major, &ml->minor, &ml->ino, &off) < 6)
			continue;
		if (a < ml->start || a >= ml->end)
			continue;
		snprintf(ml->path, sizeof(ml->path), "%s", off ? line + off : "");
		return 0;
	}
	return -1;
}

/*
 * Copy the value of the line "@name:" of /proc/@pid/status (0: self) into
 * @out, without the name and leading blanks.  Returns 0 or -1.
 */
static inline int ckpt_status_field(pid_t pid, const char *name, char *out,
				    size_t outlen)
{
	char path[64], buf[4096];
	size_t nlen = strlen(name);
	char *line, *end;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	if (ckpt_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = buf; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, name, nlen) && line[nlen] == ':') {
			line += nlen + 1;
			while (*line == ' ' || *line == '\t')
				line++;
			snprintf(out, outlen, "%s", line);
			return 0;
		}
	}
	return -1;
}

/* State letter of /proc/@pid/stat ('R', 'S', 'T', 'Z'...), or 0. */
static inline char ckpt_proc_state(pid_t pid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ckpt_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	return p[2];
}

/* Field @field (1-based, as in proc(5)) of /proc/@pid/stat as a number. */
static inline int ckpt_proc_stat_field(pid_t pid, int field,
				       unsigned long long *val)
{
	char path[64], buf[2048], *p, *tok, *save;
	int i;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/stat");
	if (ckpt_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || field < 3)
		return -1;
	/* Field 3 (state) is the first after the command name. */
	for (i = 3, tok = strtok_r(p + 1, "\n ", &save); tok;
	     i++, tok = strtok_r(NULL, "\n ", &save)) {
		if (i == field) {
			*val = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -1;
}

static inline uint64_t ckpt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void ckpt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Is there something to read on @fd (or a hang-up) within @ms? */
static inline bool ckpt_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & (POLLIN | POLLHUP));
}

/*
 * Wait up to @timeout_ms for @pid to be in one of the states in @states
 * (e.g. "S" or "T").  Returns the state reached, or 0 on timeout.
 */
static inline char ckpt_wait_state(pid_t pid, const char *states,
				   unsigned int timeout_ms)
{
	uint64_t end = ckpt_now_ms() + timeout_ms;
	char st;

	for (;;) {
		st = ckpt_proc_state(pid);
		if (st && strchr(states, st))
			return st;
		if (ckpt_now_ms() >= end)
			return 0;
		ckpt_sleep_ms(5);
	}
}

/*
 * Reap @pid.  Returns its exit code, 128 + signal number if a signal
 * killed it, or -1 if it could not be waited for.  __WALL: a restored
 * process keeps the exit signal it had, which need not be SIGCHLD.
 */
static inline int ckpt_reap(pid_t pid)
{
	int status;
	pid_t ret;

	do {
		ret = waitpid(pid, &status, __WALL);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0 || (pid > 0 && ret != pid))
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* SIGKILL and reap @pid; returns what ckpt_reap() says. */
static inline int ckpt_kill_reap(pid_t pid)
{
	if (pid <= 0)
		return -1;
	kill(pid, SIGKILL);
	return ckpt_reap(pid);
}

/* Wake a test child with SIGUSR2 and reap it: its verdict. */
static inline int ckpt_wake_reap(pid_t pid)
{
	if (kill(pid, CKPT_WAKE_SIG)) {
		ckpt_msg("kill(%d, SIGUSR2): %s", (int)pid, strerror(errno));
		ckpt_kill_reap(pid);
		return -1;
	}
	return ckpt_reap(pid);
}

/* Does @pid (a process or thread) exist at all, zombie included? */
static inline bool ckpt_pid_exists(pid_t pid)
{
	char path[64];
	struct stat st;

	if (kill(pid, 0) == 0 || errno != ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0;
}

/* Is there still a child of ours to wait for (zombies included)? */
static inline bool ckpt_have_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL))
		return errno != ECHILD;
	return true;
}

/*
 * Processes whose parent is @ppid (0: us), found by scanning /proc.
 * Returns the count, or -1.  The first @max of them go to @pids.
 */
static inline int ckpt_children_of(pid_t ppid, pid_t *pids, int max)
{
	unsigned long long pp;
	struct dirent *de;
	int count = 0;
	DIR *dir;

	if (!ppid)
		ppid = getpid();
	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (ckpt_proc_stat_field(pid, 4, &pp) || (pid_t)pp != ppid)
			continue;
		if (pids && count < max)
			pids[count] = pid;
		count++;
	}
	closedir(dir);
	return count;
}

/*
 * Number of processes in our process group.  The harness runs each test
 * in a process group of its own, and everything the test forks or
 * restarts stays in it, so a leftover shows up here even after it has
 * been reparented; processes of other tests and kernel threads do not.
 */
static inline int ckpt_count_user_processes(void)
{
	unsigned long long pgrp;
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (ckpt_proc_stat_field(atoi(de->d_name), 5, &pgrp))
			continue;	/* gone meanwhile */
		if ((pid_t)pgrp != getpgrp())
			continue;
		count++;
	}
	closedir(dir);
	return count;
}

/* Print every process (pid, state, comm), to explain a count mismatch. */
static inline void ckpt_list_processes(void)
{
	char path[300], line[256];
	struct dirent *de;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f))
			ckpt_msg("process: %.80s", line);
		fclose(f);
	}
	closedir(dir);
}

/* Read @len bytes at @addr of process @pid through /proc/PID/mem. */
static inline int ckpt_peek(pid_t pid, const void *addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)(uintptr_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* A 64-bit variable of process @pid at the same address as ours. */
static inline uint64_t ckpt_peek_u64(pid_t pid, const uint64_t *addr)
{
	uint64_t val = 0;

	if (ckpt_peek(pid, addr, &val, sizeof(val)))
		return (uint64_t)-1;
	return val;
}

/* Cheap deterministic pattern for memory checks. */
static inline uint64_t ckpt_pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = seed ^ (i * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

static inline void ckpt_fill(void *buf, size_t len, uint64_t seed)
{
	uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = ckpt_pattern(seed, i);
}

/* Are the @len bytes at @p all zero? */
static inline bool ckpt_all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

/* Index of the first word that does not match, or -1 if all do. */
static inline long ckpt_check_fill(const void *buf, size_t len, uint64_t seed)
{
	const uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != ckpt_pattern(seed, i))
			return (long)i;
	return -1;
}

/* --------------------------------------------------------------------
 * Images
 */

/* An empty, already unlinked image file in /tmp, open read-write. */
static inline int ckpt_image_open(void)
{
	char path[] = "/tmp/ckpt-img-XXXXXX";
	int fd;

	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		ckpt_msg("mkostemp(%s): %s", path, strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

static inline off_t ckpt_fd_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return st.st_size;
}

/*
 * checkpoint(@pid) into @fd with @flags and the reasons of a failure on
 * fd 2.  Returns what the call returned, with errno preserved.
 */
static inline long ckpt_checkpoint(pid_t pid, int fd, unsigned int flags)
{
	long ret;
	int err;

	errno = 0;
	ret = checkpoint(pid, fd, flags, 2);
	err = errno;
	if (ret)
		ckpt_msg("checkpoint(%d, flags %#x) = %ld: %s", (int)pid,
			 flags, ret, strerror(err));
	errno = err;
	return ret;
}

/* restart() from the start of @fd; errno preserved. */
static inline pid_t ckpt_restart(int fd, unsigned int flags)
{
	pid_t ret;
	int err;

	if (lseek(fd, 0, SEEK_SET) < 0) {
		ckpt_msg("lseek(image): %s", strerror(errno));
		return -1;
	}
	errno = 0;
	ret = restart(fd, flags, 2);
	err = errno;
	if (ret < 0)
		ckpt_msg("restart(flags %#x): %s", flags, strerror(err));
	errno = err;
	return ret;
}

/*
 * Restart the image in @fd, which must give back process @pid.
 * Returns @pid or a CKPT_CYCLE_* error (a wrong process is killed).
 */
static inline int ckpt_restart_as(int fd, pid_t pid, unsigned int flags)
{
	pid_t got = ckpt_restart(fd, flags);

	if (got < 0)
		return CKPT_CYCLE_ERESTART;
	if (got != pid) {
		ckpt_msg("restart() gave pid %d, expected %d", (int)got,
			 (int)pid);
		if (got > 0)
			ckpt_kill_reap(got);
		return CKPT_CYCLE_EPID;
	}
	return pid;
}

/*
 * The whole cycle on a child that waits for SIGUSR2:
 * checkpoint(@child, image, @flags) -> SIGKILL and reap @child ->
 * restart(image), which must give back @child's pid -> SIGUSR2 -> reap.
 *
 * Returns the restored child's verdict (exit status, or 128 + signal),
 * or a CKPT_CYCLE_* error, after killing whatever was left over.
 */
static inline int ckpt_cycle(pid_t child, unsigned int flags)
{
	int fd, ret, status;

	fd = ckpt_image_open();
	if (fd < 0) {
		ckpt_kill_reap(child);
		return CKPT_CYCLE_EIMAGE;
	}
	if (ckpt_checkpoint(child, fd, flags)) {
		ckpt_kill_reap(child);
		close(fd);
		return CKPT_CYCLE_ECHECKPOINT;
	}
	status = ckpt_kill_reap(child);
	if (status != 128 + SIGKILL) {
		ckpt_msg("original %d: status %d instead of SIGKILL",
			 (int)child, status);
		close(fd);
		return CKPT_CYCLE_EKILL;
	}
	ret = ckpt_restart_as(fd, child, 0);
	close(fd);
	if (ret < 0)
		return ret;
	status = ckpt_wake_reap(child);
	if (status < 0)
		return CKPT_CYCLE_EWAIT;
	if (status)
		ckpt_msg("restored %d: exit status %d", (int)child, status);
	return status;
}

/* --------------------------------------------------------------------
 * The child side
 */

static inline void ckpt_wake_handler(int sig)
{
	(void)sig;
	CKPT_STORE(ckpt_woken, 1);
}

/* close_range(2), with a loop as fallback on old kernels. */
static inline void ckpt_close_range(unsigned int first, unsigned int last)
{
	unsigned int fd;

	if (first > last)
		return;
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return;
	for (fd = first; fd <= last && fd < 4096; fd++)
		close(fd);
}

/*
 * Unmap the shared anonymous mappings the harness left us (its results
 * page): the image format has no room for them, and the child does not
 * use them.  Shared file mappings are kept.
 */
static inline int ckpt_drop_shared_anon(void)
{
	static char maps[65536];
	char *line, *end;

	if (ckpt_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return -1;
	for (line = maps; *line; line = end + 1) {
		unsigned long start, stop;
		char perms[8];
		int path_off = 0;
		const char *path;

		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &stop,
			   perms, &path_off) < 3)
			continue;
		path = path_off ? line + path_off : "";
		if (perms[3] != 's')
			continue;
		if (*path && strncmp(path, "/dev/zero", 9) &&
		    strncmp(path, "[anon_shmem", 11) &&
		    strncmp(path, "/SYSV", 5))
			continue;
		if (munmap((void *)start, stop - start))
			return -1;
	}
	return 0;
}

/*
 * Everything a test child does first: see the header comment.
 * @ready_fd is the write end of the readiness pipe.  Descriptors 3 to
 * 3 + @nkeep - 1 are kept (the child's own, see ckpt_job_spawn()).
 */
static inline void ckpt_child_init_keep(int ready_fd, pid_t parent,
					unsigned int nkeep)
{
	struct sigaction sa;
	sigset_t set;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(CKPT_EXIT_INIT);
	if (ready_fd != CKPT_READY_FD) {
		if (dup2(ready_fd, CKPT_READY_FD) < 0)
			_exit(CKPT_EXIT_INIT);
		close(ready_fd);
	}
	ckpt_ready_fd = CKPT_READY_FD;
	ckpt_close_range(3 + nkeep, CKPT_READY_FD - 1);
	ckpt_close_range(CKPT_READY_FD + 1, ~0U);
	if (ckpt_drop_shared_anon())
		_exit(CKPT_EXIT_INIT);

	sigemptyset(&set);
	sigaddset(&set, CKPT_WAKE_SIG);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		_exit(CKPT_EXIT_INIT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ckpt_wake_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(CKPT_WAKE_SIG, &sa, NULL))
		_exit(CKPT_EXIT_INIT);
	CKPT_STORE(ckpt_woken, 0);
}

static inline void ckpt_child_init(int ready_fd, pid_t parent)
{
	ckpt_child_init_keep(ready_fd, parent, 0);
}

/* Tell the parent we are ready, and close the pipe (idempotent). */
static inline void ckpt_child_ready(void)
{
	char c = 'R';

	if (ckpt_ready_fd < 0)
		return;
	if (ckpt_write_all(ckpt_ready_fd, &c, 1))
		_exit(CKPT_EXIT_READY);
	close(ckpt_ready_fd);
	ckpt_ready_fd = -1;
}

/* Unblock SIGUSR2 (for children that poll ckpt_woken). */
static inline void ckpt_child_unblock_wake(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, CKPT_WAKE_SIG);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * Tell the parent we are ready, then sleep in sigsuspend() with the
 * current mask less SIGUSR2 until SIGUSR2 has been handled.
 */
static inline void ckpt_child_wait(void)
{
	sigset_t mask;

	ckpt_child_ready();
	if (sigprocmask(SIG_BLOCK, NULL, &mask))
		_exit(CKPT_EXIT_WAIT);
	sigdelset(&mask, CKPT_WAKE_SIG);
	while (!CKPT_LOAD(ckpt_woken))
		sigsuspend(&mask);
}

/*
 * Fork a test child that runs @child_main() after ckpt_child_init() and
 * exits with its return value.  If @fd1 >= 0 it becomes the child's fd 1.
 * Returns the child's pid once it said it is ready, or -1 (the child is
 * then reaped, and what it exited with is printed).
 */
static inline pid_t ckpt_spawn_main_fd1(int (*child_main)(void), int fd1)
{
	pid_t parent = getpid(), pid;
	int pfd[2], status;
	ssize_t n;
	char c;

	if (pipe2(pfd, O_CLOEXEC)) {
		ckpt_msg("pipe2: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ckpt_msg("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (fd1 >= 0 && fd1 != 1 && dup2(fd1, 1) < 0)
			_exit(CKPT_EXIT_INIT);
		ckpt_child_init(pfd[1], parent);
		_exit(child_main());
	}
	close(pfd[1]);
	do {
		n = read(pfd[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != 1) {
		status = ckpt_reap(pid);
		ckpt_msg("child %d exited before it was ready: status %d",
			 (int)pid, status);
		return -1;
	}
	return pid;
}

static inline pid_t ckpt_spawn_main(int (*child_main)(void))
{
	return ckpt_spawn_main_fd1(child_main, -1);
}

/* The setup/verify pair of ckpt_spawn(), for ckpt_spawn_sv_main(). */
static int (*ckpt_setup_fn)(void);
static int (*ckpt_verify_fn)(void);

static inline int ckpt_spawn_sv_main(void)
{
	int ret;

	ret = ckpt_setup_fn ? ckpt_setup_fn() : 0;
	if (ret) {
		ckpt_msg("setup failed: %d", ret);
		return ret;
	}
	ckpt_child_wait();
	return ckpt_verify_fn ? ckpt_verify_fn() : 0;
}

/*
 * Fork a child that runs @setup, waits for SIGUSR2, then runs @verify
 * and exits with its result.  Returns once the child sleeps in
 * sigsuspend(), or -1.
 */
static inline pid_t ckpt_spawn(int (*setup)(void), int (*verify)(void))
{
	pid_t pid;

	ckpt_setup_fn = setup;
	ckpt_verify_fn = verify;
	pid = ckpt_spawn_main(ckpt_spawn_sv_main);
	if (pid < 0)
		return -1;
	if (ckpt_wait_state(pid, "S", 10000) != 'S') {
		ckpt_msg("child %d never went to sleep (state %c)", (int)pid,
			 ckpt_proc_state(pid) ?: '?');
		ckpt_kill_reap(pid);
		return -1;
	}
	return pid;
}

/* --------------------------------------------------------------------
 * A computing child: runs until SIGUSR2, then checks its result
 */

#define CKPT_COMPUTE_SEED	0x5eed5eed12345678ULL
#define CKPT_COMPUTE_HEAP	(1024 * 1024UL)

/* Iterations done so far; the parent reads it with ckpt_peek_u64(). */
static uint64_t ckpt_compute_progress;
static uint64_t *ckpt_compute_heap;

static inline uint64_t ckpt_compute_step(uint64_t acc, uint64_t i)
{
	acc ^= i * 0x9e3779b97f4a7c15ULL;
	acc = (acc << 13 | acc >> 51) * 0xff51afd7ed558ccdULL;
	return acc + (acc >> 29);
}

/*
 * Child main: fills 1 MiB of heap, then computes until SIGUSR2, then
 * recomputes the same number of steps uninterrupted and exits 0 if the
 * two results and the heap agree.
 */
static inline int ckpt_compute_main(void)
{
	uint64_t acc = CKPT_COMPUTE_SEED, ref = CKPT_COMPUTE_SEED, i = 0, j;
	long bad;

	ckpt_compute_heap = malloc(CKPT_COMPUTE_HEAP);
	CHILD_CHECK(1, ckpt_compute_heap, "malloc");
	ckpt_fill(ckpt_compute_heap, CKPT_COMPUTE_HEAP, 77);
	ckpt_child_unblock_wake();
	ckpt_child_ready();

	while (!CKPT_LOAD(ckpt_woken)) {
		acc = ckpt_compute_step(acc, i);
		__atomic_store_n(&ckpt_compute_progress, ++i, __ATOMIC_RELAXED);
	}
	for (j = 0; j < i; j++)
		ref = ckpt_compute_step(ref, j);
	CHILD_CHECK(2, acc == ref, "after %llu steps: %#llx, uninterrupted %#llx",
		    (unsigned long long)i, (unsigned long long)acc,
		    (unsigned long long)ref);
	CHILD_CHECK(3, CKPT_LOAD(ckpt_compute_progress) == i,
		    "progress %llu, i %llu",
		    (unsigned long long)CKPT_LOAD(ckpt_compute_progress),
		    (unsigned long long)i);
	bad = ckpt_check_fill(ckpt_compute_heap, CKPT_COMPUTE_HEAP, 77);
	CHILD_CHECK(4, bad < 0, "heap word %ld changed", bad);
	return 0;
}

/* Progress of a computing child, (uint64_t)-1 if unreadable. */
static inline uint64_t ckpt_compute_progress_of(pid_t pid)
{
	return ckpt_peek_u64(pid, &ckpt_compute_progress);
}

/*
 * Wait up to @timeout_ms for the counter at @addr in process @pid (same
 * address as ours) to get past @after.  Returns the value seen last,
 * (uint64_t)-1 if it could not be read.
 */
static inline uint64_t ckpt_wait_counter_past(pid_t pid, const uint64_t *addr,
					      uint64_t after,
					       unsigned int timeout_ms)
{
	uint64_t end = ckpt_now_ms() + timeout_ms, p;

	for (;;) {
		p = ckpt_peek_u64(pid, addr);
		if (p != (uint64_t)-1 && p > after)
			return p;
		if (ckpt_now_ms() >= end)
			return p;
		ckpt_sleep_ms(10);
	}
}

/* Wait for the computing child @pid to get past @after steps. */
static inline uint64_t ckpt_compute_wait_past(pid_t pid, uint64_t after,
					      unsigned int timeout_ms)
{
	return ckpt_wait_counter_past(pid, &ckpt_compute_progress, after,
				      timeout_ms);
}

/* --------------------------------------------------------------------
 * Copying a stream through a helper process
 */

/*
 * Fork a process that copies @in to @out until end of file and exits 0
 * (1 on an error).  @close_fd (if >= 0) is closed in it first: the other
 * end of a pipe the helper must not hold.  Returns its pid or -1.
 */
static inline pid_t ckpt_start_copier(int in, int out, int close_fd)
{
	static char buf[65536];
	pid_t pid;
	ssize_t n;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (close_fd >= 0)
		close(close_fd);
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(1);
		if (n == 0)
			_exit(0);
		if (ckpt_write_all(out, buf, n))
			_exit(1);
	}
}

/* --------------------------------------------------------------------
 * Logs and images
 */

/* An empty, unlinked file for checkpoint()'s or restart()'s log. */
static inline int ckpt_log_open(void)
{
	return ckpt_image_open();
}

/* The whole log in @fd, NUL-terminated, into @buf (also returned). */
static inline char *ckpt_log_read(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * checkpoint(@pid, @flags) to a scratch image, with its log read into
 * @log (NUL-terminated).  Returns 0 if it succeeded, else its errno.
 */
static inline int ckpt_checkpoint_log(pid_t pid, unsigned int flags, char *log, size_t size)
{
	int fd = ckpt_image_open(), logfd = ckpt_log_open(), err = 0;

	log[0] = '\0';
	if (fd < 0 || logfd < 0) {
		err = errno ?: EIO;
	} else {
		errno = 0;
		if (checkpoint(pid, fd, flags, logfd) < 0)
			err = errno ?: EIO;
		ckpt_log_read(logfd, log, size);
	}
	if (fd >= 0)
		close(fd);
	if (logfd >= 0)
		close(logfd);
	return err;
}

/*
 * restart() from the start of the image in @img, with its log read into
 * @log (NUL-terminated).  Returns the new pid, or -1 with errno.
 */
static inline pid_t ckpt_restart_log(int img, char *log, size_t size)
{
	int logfd = ckpt_log_open(), err;
	pid_t pid;

	log[0] = '\0';
	if (logfd < 0)
		return -1;
	if (lseek(img, 0, SEEK_SET)) {
		err = errno;
		close(logfd);
		errno = err;
		return -1;
	}
	errno = 0;
	pid = restart(img, 0, logfd);
	err = errno;
	ckpt_log_read(logfd, log, size);
	close(logfd);
	errno = err;
	return pid;
}

/*
 * After a refused checkpoint: @child, a ckpt_spawn() child waiting to be
 * woken, is neither gone nor stopped; it is then woken and reaped.
 * Returns its verdict (0: its state was intact), or -1.
 */
static inline int ckpt_sleeper_intact(pid_t child)
{
	int status;

	if (waitpid(child, &status, WNOHANG) != 0) {
		ckpt_msg("target %d is gone", (int)child);
		return -1;
	}
	if (ckpt_wait_state(child, "S", 2000) != 'S') {
		ckpt_msg("target %d: state %c", (int)child, ckpt_proc_state(child) ?: '?');
		ckpt_kill_reap(child);
		return -1;
	}
	return ckpt_wake_reap(child);
}

/*
 * Does @log contain @prefix immediately followed by the number @num (and
 * no other digit on either side)?
 */
static inline bool ckpt_log_has(const char *log, const char *prefix, long num)
{
	char pat[96];
	const char *p = log;
	size_t len;

	snprintf(pat, sizeof(pat), "%s%ld", prefix, num);
	len = strlen(pat);
	while ((p = strstr(p, pat))) {
		if (!isdigit((unsigned char)p[len]) &&
		    (p == log || !isdigit((unsigned char)p[-1])))
			return true;
		p++;
	}
	return false;
}

/* How many times @what occurs in @log. */
static inline int ckpt_log_count(const char *log, const char *what)
{
	const char *p = log;
	int n = 0;

	while ((p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

/* The header of the image in @fd (read at offset 0). */
static inline int ckpt_image_header(int fd, struct ckpt_rec_header *hdr)
{
	if (pread(fd, hdr, sizeof(*hdr), 0) != (ssize_t)sizeof(*hdr))
		return -1;
	if (hdr->h.type != CKPT_REC_HEADER ||
	    memcmp(hdr->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		return -1;
	return 0;
}

/* The whole image in @fd, in a malloc()ed buffer of *@len bytes. */
static inline void *ckpt_image_load(int fd, size_t *len)
{
	off_t size = ckpt_fd_size(fd);
	void *buf;

	if (size <= 0)
		return NULL;
	buf = malloc(size);
	if (!buf)
		return NULL;
	if (pread(fd, buf, size, 0) != size) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

/*
 * The next record of type @type (0: any) in @img at or after *@off,
 * which is moved past it.  NULL at the end or on a malformed record.
 */
static inline const struct ckpt_hdr *ckpt_image_next(const void *img,
						     size_t len, size_t *off,
						     uint32_t type)
{
	const struct ckpt_hdr *h;

	while (*off + sizeof(*h) <= len) {
		h = (const struct ckpt_hdr *)((const char *)img + *off);
		if (h->len < sizeof(*h) || *off + h->len > len)
			return NULL;
		*off += (h->len + CKPT_ALIGN - 1) & ~(size_t)(CKPT_ALIGN - 1);
		if (!type || h->type == type)
			return h;
	}
	return NULL;
}

/* --------------------------------------------------------------------
 * Digests
 *
 * An image ends with a digest of every byte before its trailer, by the
 * algorithm its header names (ckpt_rec_header.digest, CKPT_HASH_*):
 * xxh64 by default, SHA-256 with CKPT_DIGEST_SHA256.  The trailer's value
 * holds the xxh64 (seed 0) as a little-endian __u64 then 24 zero bytes,
 * or the 32 bytes of the SHA-256.  Computed here with libxxhash and libmd,
 * not as the kernel does.
 */
#define CKPT_DIGEST_VALUE_SIZE	sizeof(((struct ckpt_rec_trailer *)0)->value)

/*
 * The trailer's value for the @len bytes at @p by digest @alg into
 * @value.  Returns 0, or -1 if @alg is no CKPT_HASH_*.
 */
static inline int ckpt_image_digest(uint32_t alg, const void *p, size_t len,
				    uint8_t value[CKPT_DIGEST_VALUE_SIZE])
{
	SHA2_CTX sha;
	uint64_t x;
	int i;

	memset(value, 0, CKPT_DIGEST_VALUE_SIZE);
	switch (alg) {
	case CKPT_HASH_XXH64:
		x = XXH64(p, len, 0);
		for (i = 0; i < 8; i++)
			value[i] = (uint8_t)(x >> (8 * i));
		return 0;
	case CKPT_HASH_SHA256:
		md_sha256_init(&sha);
		md_sha256_update(&sha, p, len);
		md_sha256_final(value, &sha);
		return 0;
	}
	return -1;
}

static inline const char *ckpt_digest_name(uint32_t alg)
{
	return alg == CKPT_HASH_XXH64 ? "xxh64" :
	       alg == CKPT_HASH_SHA256 ? "SHA-256" : "unknown digest";
}

/*
 * The @len bytes at @img are a whole image: a header, and a trailer at
 * the end whose total_len is the bytes before it, whose digest is the
 * header's, and whose value is that digest of those bytes.  Returns 0,
 * or -1 and says why.
 */
static inline int ckpt_image_verify(const void *img, size_t len)
{
	const struct ckpt_rec_header *hdr = img;
	const struct ckpt_rec_trailer *t;
	uint8_t value[CKPT_DIGEST_VALUE_SIZE];

	if (len < sizeof(*hdr) + sizeof(*t) || hdr->h.type != CKPT_REC_HEADER) {
		ckpt_msg("image of %zu bytes: no header", len);
		return -1;
	}
	t = (const void *)((const char *)img + len - sizeof(*t));
	if (t->h.type != CKPT_REC_TRAILER || t->h.len != sizeof(*t) ||
	    t->total_len != len - sizeof(*t)) {
		ckpt_msg("image of %zu bytes: no trailer at its end", len);
		return -1;
	}
	if (t->digest != hdr->digest || t->reserved) {
		ckpt_msg("image of %zu bytes: trailer of digest %u (reserved %u), the header's %u",
			 len, t->digest, t->reserved, hdr->digest);
		return -1;
	}
	if (ckpt_image_digest(t->digest, img, len - sizeof(*t), value)) {
		ckpt_msg("image of %zu bytes: unknown digest %u", len, t->digest);
		return -1;
	}
	if (memcmp(value, t->value, sizeof(value))) {
		ckpt_msg("image of %zu bytes: its %s does not match its trailer",
			 len, ckpt_digest_name(t->digest));
		return -1;
	}
	return 0;
}

/* --------------------------------------------------------------------
 * Edited images
 *
 * A test that edits records of a loaded image (ckpt_image_load(),
 * ckpt_image_next()) re-signs it before restarting it, so that restart
 * judges the edit itself and not the stale digest of the trailer:
 *
 *	rec->dumpable = 2;			(an edit in place)
 *	ckpt_image_resign(img, len);
 *
 *	copy = ckpt_image_replace(img, len, old, &new->h, &copy_len);
 *						(a record of another size)
 *	ckpt_image_store(fd, copy, copy_len);
 */

/* Bytes a record of @len bytes takes in the stream, its padding included. */
static inline size_t ckpt_rec_span(size_t len)
{
	return (len + CKPT_ALIGN - 1) & ~(size_t)(CKPT_ALIGN - 1);
}

/*
 * Re-sign an image edited in place: set the total length and digest of
 * its trailer (the last record of the @len bytes at @img) to those of
 * everything before it, by the trailer's algorithm.  Returns 0, or -1 if
 * @img ends with no trailer or one of an unknown digest.
 */
static inline int ckpt_image_resign(void *img, size_t len)
{
	struct ckpt_rec_trailer *t;

	if (len < sizeof(*t))
		return -1;
	t = (struct ckpt_rec_trailer *)((char *)img + len - sizeof(*t));
	if (t->h.type != CKPT_REC_TRAILER || t->h.len != sizeof(*t))
		return -1;
	t->total_len = len - sizeof(*t);
	return ckpt_image_digest(t->digest, img, len - sizeof(*t), t->value);
}

/*
 * A re-signed copy of the image at @img (@len bytes) in which the record
 * @old (one of @img's, as ckpt_image_next() found it) is replaced by
 * @with, whose length with->len may differ; the records after it move
 * and the padding is redone.  Returns the malloc()ed copy, its length in
 * *@newlen, or NULL.
 */
static inline void *ckpt_image_replace(const void *img, size_t len,
				       const struct ckpt_hdr *old,
				       const struct ckpt_hdr *with,
				       size_t *newlen)
{
	size_t off = (const char *)old - (const char *)img;
	size_t old_span, new_span, n;
	char *copy;

	if (off >= len || old->len < sizeof(*old) || with->len < sizeof(*with))
		return NULL;
	old_span = ckpt_rec_span(old->len);
	new_span = ckpt_rec_span(with->len);
	if (off + old_span > len)
		return NULL;
	n = len - old_span + new_span;
	copy = calloc(1, n);
	if (!copy)
		return NULL;
	memcpy(copy, img, off);
	memcpy(copy + off, with, with->len);
	memcpy(copy + off + new_span, (const char *)img + off + old_span,
	       len - off - old_span);
	if (ckpt_image_resign(copy, n)) {
		free(copy);
		return NULL;
	}
	*newlen = n;
	return copy;
}

/* Make the file @fd hold the @len bytes of image at @img.  0 or -1. */
static inline int ckpt_image_store(int fd, const void *img, size_t len)
{
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		return -1;
	return ckpt_write_all(fd, img, len);
}

/* --------------------------------------------------------------------
 * Processes and threads seen from outside
 */

/* Field @field of /proc/@pid/stat, or -1. */
static inline long long ckpt_stat(pid_t pid, int field)
{
	unsigned long long v;

	if (ckpt_proc_stat_field(pid, field, &v))
		return -1;
	return (long long)v;
}

#define CKPT_STAT_PPID		4
#define CKPT_STAT_PGRP		5
#define CKPT_STAT_SESSION	6

/* Number of processes whose stat field @field (PGRP, SESSION) is @id. */
static inline int ckpt_count_with(int field, pid_t id)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (ckpt_stat(atoi(de->d_name), field) == id)
			count++;
	}
	closedir(dir);
	return count;
}

static inline int ckpt_pgrp_count(pid_t pgid)
{
	return ckpt_count_with(CKPT_STAT_PGRP, pgid);
}

static inline int ckpt_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* The thread ids of process @pid, sorted; returns their number or -1. */
static inline int ckpt_tids(pid_t pid, pid_t *tids, int max)
{
	struct dirent *de;
	char path[64];
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n < max)
			tids[n] = atoi(de->d_name);
		n++;
	}
	closedir(dir);
	qsort(tids, n < max ? n : max, sizeof(*tids), ckpt_cmp_pid);
	return n;
}

/*
 * Wait up to @timeout_ms for every thread of @pid to be in one of
 * @states.  Returns 0, or -1 (and says which thread is not).
 */
static inline int ckpt_wait_threads_state(pid_t pid, const char *states,
					  unsigned int timeout_ms)
{
	uint64_t end = ckpt_now_ms() + timeout_ms;
	pid_t tids[1024];
	int n, i;
	char st;

	for (;;) {
		n = ckpt_tids(pid, tids, 1024);
		for (i = 0; i < n && i < 1024; i++) {
			st = ckpt_proc_state(tids[i]);
			if (!st || !strchr(states, st))
				break;
		}
		if (n > 0 && i == n)
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("process %d: thread %d in state %c, not [%s]",
				 (int)pid, n > 0 && i < n ? (int)tids[i] : -1,
				 n > 0 && i < n ? (ckpt_proc_state(tids[i]) ?: '?') : '?',
				 states);
			return -1;
		}
		ckpt_sleep_ms(5);
	}
}

/* --------------------------------------------------------------------
 * Descriptors in flight (SCM_RIGHTS), in test children
 */

/* At most this many descriptors in a message of ckpt_send_fds(). */
#define CKPT_MAX_PASS		8

/*
 * A sendmsg() of @s on the socket @fd carrying the @n descriptors @fds
 * (none if 0); anything else is a failed check @code.
 */
static inline void ckpt_send_fds(int code, int fd, const char *s,
				 const int *fds, int n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(CKPT_MAX_PASS * sizeof(int))];
	} c;
	struct iovec iov = { .iov_base = (void *)s, .iov_len = strlen(s) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t len;

	CHILD_CHECK(code, n >= 0 && n <= CKPT_MAX_PASS, "%d fds to send", n);
	if (n) {
		memset(&c, 0, sizeof(c));
		msg.msg_control = c.buf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	}
	len = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	CHILD_CHECK(code, len == (ssize_t)iov.iov_len,
		    "fd %d: sendmsg of \"%s\" with %d fds: %zd (%s)", fd, s, n, len,
		    strerror(errno));
}

/*
 * recvmsg() of one message on the socket @fd, waiting up to @ms: it must
 * be all of @s, with exactly @n descriptors (SCM_RIGHTS), which go to
 * @fds (room for CKPT_MAX_PASS); anything else is a failed check @code.
 */
static inline void ckpt_recv_fds(int code, int fd, const char *s, int *fds,
				 int n, int ms)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(CKPT_MAX_PASS * sizeof(int))];
	} c;
	char buf[256];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof(c.buf),
	};
	size_t len = strlen(s);
	struct cmsghdr *cm;
	int got = 0, k;
	ssize_t r;

	CHILD_CHECK(code, ckpt_readable(fd, ms), "fd %d: \"%s\" did not come", fd, s);
	r = recvmsg(fd, &msg, MSG_DONTWAIT);
	CHILD_CHECK(code, r >= 0, "fd %d: recvmsg: %s", fd, strerror(errno));
	CHILD_CHECK(code, !(msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)),
		    "fd %d: message \"%.*s\" truncated: msg_flags %#x", fd, (int)r, buf,
		    msg.msg_flags);
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		CHILD_CHECK(code, cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS,
			    "fd %d: control message of level %d, type %d", fd, cm->cmsg_level,
			    cm->cmsg_type);
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		CHILD_CHECK(code, got + k <= CKPT_MAX_PASS, "fd %d: %d fds or more", fd, got + k);
		memcpy(fds + got, CMSG_DATA(cm), k * sizeof(int));
		got += k;
	}
	CHILD_CHECK(code, r == (ssize_t)len && !memcmp(buf, s, len),
		    "fd %d: received \"%.*s\", expected \"%s\"", fd, (int)r, buf, s);
	CHILD_CHECK(code, got == n, "fd %d: \"%s\" came with %d fds, expected %d", fd, s, got, n);
}

/* --------------------------------------------------------------------
 * Threads: futexes, joins and scheduling attributes
 */

/*
 * FUTEX_WAIT_PRIVATE on @word while it holds @val, for at most @rel
 * (NULL: no timeout).  Returns what the system call returned.
 */
static inline long ckpt_futex_wait(uint32_t *word, uint32_t val,
				   const struct timespec *rel)
{
	return syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, rel, NULL, 0);
}

/* Wake every thread waiting on @word (FUTEX_WAKE_PRIVATE). */
static inline void ckpt_futex_wake_all(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/*
 * In a test child: wait up to 10 s for the counter @c (of threads that
 * are ready) to reach @n; else exit with status 99.
 */
static inline void ckpt_wait_count(int *c, int n)
{
	int i;

	for (i = 0; i < 10000 && CKPT_LOAD(*c) < n; i++)
		usleep(1000);
	CHILD_CHECK(99, CKPT_LOAD(*c) >= n, "only %d of %d threads ready",
		    CKPT_LOAD(*c), n);
}

/* pthread_join() for at most @ms; 0 or the error (ETIMEDOUT...). */
static inline int ckpt_join_timed(pthread_t t, void **ret, unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(t, ret, &ts);
}

/*
 * struct sched_attr of include/uapi/linux/sched/types.h (SCHED_ATTR_SIZE_VER1),
 * under a name of its own: the C library may have one too.
 */
struct ckpt_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

/* sched_setattr(2) of the calling thread. */
static inline int ckpt_sched_setattr_self(const struct ckpt_sched_attr *attr)
{
	return syscall(SYS_sched_setattr, 0, attr, 0);
}

/* sched_getattr(2) of the calling thread, into a zeroed @attr. */
static inline int ckpt_sched_getattr_self(struct ckpt_sched_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	return syscall(SYS_sched_getattr, 0, attr, sizeof(*attr), 0);
}

/* --------------------------------------------------------------------
 * Jobs: process groups, sessions, trees
 *
 * ckpt_job_spawn() forks a job member with the descriptors it needs as
 * its 3, 4..., optionally in another process group.  Instead of a
 * readiness byte, every member, and every process it forks with
 * ckpt_member_fork() before it reports, writes one struct ckpt_member
 * to the readiness pipe (it is a report pipe then) and closes it:
 * ckpt_member_report(), or ckpt_member_wait() which then sleeps until
 * SIGUSR2 as ckpt_child_wait() does.  ckpt_job_spawn() returns once
 * the pipe is at end of file, that is once all of them have reported,
 * with their records.  ckpt_job_settle() then waits until each is in
 * the state it announced ('S' asleep, 'Z' a zombie, 'R' running).
 */

#define CKPT_MAX_FDS_KEPT	16

struct ckpt_member {
	int32_t role;		/* the test's own */
	int32_t pid, ppid, pgid, sid;
	int32_t state;		/* 'S', 'Z' or 'R' */
};

/* In a member: its own record as it reported it. */
static struct ckpt_member ckpt_me;

/* In a member: report (pid, parent, group, session) and close the pipe. */
static inline void ckpt_member_report(int role, char state)
{
	ckpt_me.role = role;
	ckpt_me.pid = getpid();
	ckpt_me.ppid = getppid();
	ckpt_me.pgid = getpgrp();
	ckpt_me.sid = getsid(0);
	ckpt_me.state = state;
	/* 24 bytes: one atomic write, whoever else writes to the pipe. */
	if (ckpt_ready_fd < 0 ||
	    write(ckpt_ready_fd, &ckpt_me, sizeof(ckpt_me)) != sizeof(ckpt_me))
		_exit(CKPT_EXIT_READY);
	close(ckpt_ready_fd);
	ckpt_ready_fd = -1;
}

/* In a member: report, then sleep until SIGUSR2 has been handled. */
static inline void ckpt_member_wait(int role)
{
	sigset_t mask;

	ckpt_member_report(role, 'S');
	if (sigprocmask(SIG_BLOCK, NULL, &mask))
		_exit(CKPT_EXIT_WAIT);
	sigdelset(&mask, CKPT_WAKE_SIG);
	while (!CKPT_LOAD(ckpt_woken))
		sigsuspend(&mask);
}

/*
 * In a member: fork another member (it must report too).  It dies with
 * its parent, and inherits everything else, the report pipe included.
 */
static inline pid_t ckpt_member_fork(void)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(CKPT_EXIT_INIT);
		CKPT_STORE(ckpt_woken, 0);
	}
	return pid;
}

/*
 * Fork a job member that runs @member_main(@arg) after
 * ckpt_child_init() and exits with what it returns.  @pgid: -1 stays
 * in our process group, 0 makes a group of its own, > 0 joins that
 * group.  Our descriptors @fds[0..@nfds) (all below 100) become its 3,
 * 4...; everything else above 2 is closed.  Returns once it and its
 * descendants have reported, with their records appended to @members
 * (*@nmembers of at most @max); -1 if it did not report (it is then
 * killed and reaped).
 */
static inline pid_t ckpt_job_spawn(int (*member_main)(void *), void *arg,
				   pid_t pgid, const int *fds, int nfds,
				   struct ckpt_member *members, int *nmembers,
				   int max)
{
	pid_t parent = getpid(), pid;
	struct ckpt_member m;
	int pfd[2], i, status;
	bool self = false;
	ssize_t n;

	if (nfds < 0 || nfds > CKPT_MAX_FDS_KEPT)
		return -1;
	if (pipe2(pfd, O_CLOEXEC)) {
		ckpt_msg("pipe2: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ckpt_msg("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int tmp[CKPT_MAX_FDS_KEPT];

		close(pfd[0]);
		if (pgid >= 0 && setpgid(0, pgid))
			_exit(CKPT_EXIT_INIT);
		/* Out of the way first: fds[] may overlap 3, 4... */
		for (i = 0; i < nfds; i++) {
			tmp[i] = fcntl(fds[i], F_DUPFD, 200);
			if (tmp[i] < 0)
				_exit(CKPT_EXIT_INIT);
		}
		if (dup2(pfd[1], CKPT_READY_FD) != CKPT_READY_FD)
			_exit(CKPT_EXIT_INIT);
		for (i = 0; i < nfds; i++)
			if (dup2(tmp[i], 3 + i) != 3 + i)
				_exit(CKPT_EXIT_INIT);
		ckpt_child_init_keep(CKPT_READY_FD, parent, nfds);
		_exit(member_main(arg));
	}
	/* As a shell does: whichever of us comes first. */
	if (pgid >= 0)
		setpgid(pid, pgid ? pgid : pid);
	close(pfd[1]);
	for (;;) {
		n = read(pfd[0], &m, sizeof(m));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (n != sizeof(m)) {
			ckpt_msg("member record of %zd bytes", n);
			break;
		}
		if (m.pid == pid)
			self = true;
		if (*nmembers < max)
			members[(*nmembers)++] = m;
		else
			ckpt_msg("more than %d members", max);
	}
	close(pfd[0]);
	if (!self) {
		status = ckpt_kill_reap(pid);
		ckpt_msg("member %d did not report: status %d", (int)pid,
			 status);
		return -1;
	}
	return pid;
}

/* Index of the first member with role @role, or -1. */
static inline int ckpt_job_find(const struct ckpt_member *m, int n, int role)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].role == role)
			return i;
	return -1;
}

/* Wait until every member is in the state it announced; 0 or -1. */
static inline int ckpt_job_settle(const struct ckpt_member *m, int n,
				  unsigned int timeout_ms)
{
	const char *states;
	int i;

	for (i = 0; i < n; i++) {
		states = m[i].state == 'Z' ? "Z" : m[i].state == 'R' ? "RS" : "S";
		if (!ckpt_wait_state(m[i].pid, states, timeout_ms)) {
			ckpt_msg("member %d (role %d): state %c, not [%s]",
				 (int)m[i].pid, (int)m[i].role,
				 ckpt_proc_state(m[i].pid) ?: '?', states);
			return -1;
		}
	}
	return 0;
}

/*
 * Reap children (any) until none of the @n members exists any more, for
 * up to @timeout_ms.  For after a job was killed, once the members that
 * are our own children have been reaped and their status checked; with
 * PR_SET_CHILD_SUBREAPER, the others come to us too.  0 or -1.
 */
static inline int ckpt_job_gone(const struct ckpt_member *m, int n,
				unsigned int timeout_ms)
{
	uint64_t end = ckpt_now_ms() + timeout_ms;
	int i;

	for (;;) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		for (i = 0; i < n && !ckpt_pid_exists(m[i].pid); i++)
			;
		if (i == n)
			return 0;
		if (ckpt_now_ms() >= end) {
			ckpt_msg("member %d (role %d) is still there, state %c",
				 (int)m[i].pid, (int)m[i].role,
				 ckpt_proc_state(m[i].pid) ?: '?');
			return -1;
		}
		ckpt_sleep_ms(10);
	}
}

/*
 * Check from outside that member @m is there as it reported itself:
 * same pid, parent, process group and session, in one of @states.
 * Returns 0 or -1 (and says what differs).
 */
static inline int ckpt_member_intact(const struct ckpt_member *m,
				     const char *states)
{
	long long ppid = ckpt_stat(m->pid, CKPT_STAT_PPID);
	long long pgid = ckpt_stat(m->pid, CKPT_STAT_PGRP);
	long long sid = ckpt_stat(m->pid, CKPT_STAT_SESSION);
	char st = ckpt_proc_state(m->pid);

	if (ppid == m->ppid && pgid == m->pgid && sid == m->sid && st &&
	    strchr(states, st))
		return 0;
	ckpt_msg("member %d (role %d): ppid/pgid/sid %lld/%lld/%lld, state %c",
		 (int)m->pid, (int)m->role, ppid, pgid, sid, st ?: '?');
	ckpt_msg("  expected %d/%d/%d, state in [%s]", (int)m->ppid,
		 (int)m->pgid, (int)m->sid, states);
	return -1;
}

/* SIGUSR2 to every member that is not a zombie; 0 or -1. */
static inline int ckpt_job_wake(const struct ckpt_member *m, int n)
{
	int i, ret = 0;

	for (i = 0; i < n; i++) {
		if (m[i].state == 'Z')
			continue;
		if (kill(m[i].pid, CKPT_WAKE_SIG)) {
			ckpt_msg("kill(%d, SIGUSR2): %s", (int)m[i].pid,
				 strerror(errno));
			ret = -1;
		}
	}
	return ret;
}

/*
 * Every member as it reported itself, in one of @states (zombies: Z)
 * within 5 s (a process just thawed may run for a moment).  Returns the
 * number of members that are not.
 */
static inline int ckpt_job_intact(const struct ckpt_member *m, int n,
				  const char *states)
{
	const char *st;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		st = m[i].state == 'Z' ? "Z" : states;
		ckpt_wait_state(m[i].pid, st, 5000);
		if (ckpt_member_intact(&m[i], st))
			bad++;
	}
	return bad;
}

#endif /* _CKPT_TEST_H */
