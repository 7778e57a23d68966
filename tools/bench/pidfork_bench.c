// SPDX-License-Identifier: GPL-2.0
/*
 * pidfork_bench - compare the cost of pidfork(2) with that of fork(2).
 *
 * One operation is: create a child, the child calls _exit(0), the parent
 * reaps it with waitpid().  The fork side uses the raw fork system call
 * (not the C library's fork(), which also runs atfork handlers), so that
 * both sides measure the kernel path only.  The pidfork side asks for
 * the same free PID every time: it is released when the child is reaped.
 *
 * The two are measured in interleaved rounds, alternating which goes
 * first, so that drift (frequency scaling, a noisy neighbour, caches)
 * affects both alike.  The exit status is non-zero only if an operation
 * fails; the ratio is reported, not judged.
 *
 * Usage: pidfork_bench [-n iterations per round] [-r rounds]
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../include/ckpt_syscalls.h"

#define DEFAULT_ITERATIONS	200
#define DEFAULT_ROUNDS		20
#define FREE_PID_START		30000
#define RESERVED_PIDS		300

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int read_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int val = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* No task has @nr, no process group is named after it. */
static int pid_looks_free(pid_t nr)
{
	char path[64];
	struct stat st;

	if (kill(nr, 0) == 0 || errno != ESRCH)
		return 0;
	if (kill(-nr, 0) == 0 || errno != ESRCH)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d", nr);
	return stat(path, &st) < 0 && errno == ENOENT;
}

static pid_t find_free_pid(void)
{
	int pid_max = read_pid_max();
	pid_t nr;
	int i;

	if (pid_max <= RESERVED_PIDS + 1)
		return -1;
	nr = pid_max > FREE_PID_START + 2000 ? FREE_PID_START : pid_max / 2;
	for (i = 0; i < pid_max; i++) {
		if (pid_looks_free(nr))
			return nr;
		if (++nr >= pid_max)
			nr = RESERVED_PIDS + 1;
	}
	return -1;
}

/* Reap @pid; 0 if it exited with status 0. */
static int reap(pid_t pid)
{
	int status;
	pid_t ret;

	do {
		ret = waitpid(pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret != pid) {
		fprintf(stderr, "bench: waitpid(%d): %s\n", pid,
			strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: child %d did not exit cleanly (%#x)\n",
			pid, status);
		return -1;
	}
	return 0;
}

/* @n fork operations; returns the elapsed time in ns, or -1. */
static long long run_fork(int n)
{
	long long start = now_ns();
	pid_t pid;
	int i;

	for (i = 0; i < n; i++) {
		pid = (pid_t)syscall(SYS_fork);
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			fprintf(stderr, "bench: fork: %s\n", strerror(errno));
			return -1;
		}
		if (reap(pid))
			return -1;
	}
	return now_ns() - start;
}

/* @n pidfork(@nr) operations; returns the elapsed time in ns, or -1. */
static long long run_pidfork(int n, pid_t nr)
{
	long long start = now_ns();
	pid_t pid;
	int i;

	for (i = 0; i < n; i++) {
		pid = pidfork(nr);
		if (pid == 0)
			_exit(0);
		if (pid != nr) {
			if (pid > 0) {
				fprintf(stderr,
					"bench: pidfork(%d) returned %d\n",
					nr, pid);
				reap(pid);
			} else {
				fprintf(stderr, "bench: pidfork(%d): %s\n",
					nr, strerror(errno));
			}
			return -1;
		}
		if (reap(pid))
			return -1;
	}
	return now_ns() - start;
}

static int parse_positive(const char *s, int *val)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 100000000)
		return -1;
	*val = (int)v;
	return 0;
}

static void print_help(const char *prog)
{
	fprintf(stderr, "usage: %s [-n iterations] [-r rounds]\n", prog);
}

int main(int argc, char **argv)
{
	int iterations = DEFAULT_ITERATIONS;
	int rounds = DEFAULT_ROUNDS;
	long long fork_ns = 0, pidfork_ns = 0, t;
	double fork_op, pidfork_op;
	pid_t nr;
	int opt, round, side;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_positive(optarg, &iterations)) {
				print_help(argv[0]);
				return 2;
			}
			break;
		case 'r':
			if (parse_positive(optarg, &rounds)) {
				print_help(argv[0]);
				return 2;
			}
			break;
		case 'h':
			print_help(argv[0]);
			return 0;
		default:
			print_help(argv[0]);
			return 2;
		}
	}

	nr = find_free_pid();
	if (nr < 0) {
		fprintf(stderr, "bench: no free PID found\n");
		return 1;
	}
	printf("bench: %d rounds x %d iterations, pidfork pid %d\n",
	       rounds, iterations, nr);

	/* Warm up both paths (and fail early if pidfork does not work). */
	if (run_fork(iterations / 10 + 1) < 0 ||
	    run_pidfork(iterations / 10 + 1, nr) < 0)
		return 1;

	for (round = 0; round < rounds; round++) {
		for (side = 0; side < 2; side++) {
			if (!side == !(round % 2)) {
				t = run_fork(iterations);
				if (t < 0)
					return 1;
				fork_ns += t;
			} else {
				t = run_pidfork(iterations, nr);
				if (t < 0)
					return 1;
				pidfork_ns += t;
			}
		}
	}

	fork_op = (double)fork_ns / ((double)rounds * iterations);
	pidfork_op = (double)pidfork_ns / ((double)rounds * iterations);
	printf("bench: fork            %.0f ns/op\n", fork_op);
	printf("bench: pidfork         %.0f ns/op\n", pidfork_op);
	printf("bench: pidfork/fork ratio %.3f (target <= 1.10)\n",
	       pidfork_op / fork_op);
	return 0;
}
