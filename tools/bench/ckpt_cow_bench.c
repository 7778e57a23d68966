// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_cow_bench: a job's downtime during a checkpoint, and a restored
 * job's own speed, in one VM run.
 *
 *   ckpt_cow_bench downtime [-m MIB] [-r RUNS] [-d DIR]
 *   ckpt_cow_bench speed [-r RUNS] [-d DIR]
 *
 * downtime: a job with MIB (default 1024) MiB of dirty private memory
 * runs a thread that reads CLOCK_MONOTONIC in a loop and keeps the
 * longest gap between two readings: the time it could not run.  That
 * gap is measured, with no kernel instrumentation, over a copy-on-write
 * checkpoint (CKPT_CONTINUE), over a checkpoint that keeps the job frozen
 * until its image is written (CKPT_NO_COW), and over a plain write of as
 * many bytes by this program (the noise floor: the CPU the writer takes).
 * The baseline is the time fork(2) of the same job takes, measured by
 * the job itself.  The image goes to a file in DIR (default /tmp).
 * Medians of RUNS (default 3).
 *
 * speed: a job times three fixed work units by their thread CPU time
 * (integer arithmetic, floating point, a walk over 16 MiB of memory),
 * the best of RUNS (default 5) each, then is checkpointed (CKPT_KILL),
 * restarted, and times them again: the ratio after / before should be 1.
 * The control: after each, a forked copy of the job whose pages are
 * copied (new pages, as a restarted job's are) times them as well.
 *
 * Prints times and ratios; exits non-zero only when an operation fails,
 * never because of a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/checkpoint.h>
#include "ckpt_bench.h"
#include "ckpt_syscalls.h"

#define MAX_RUNS	16

static double cputime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "ckpt_cow_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		p += n;
		len -= n;
	}
}

static void read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("read");
		p += n;
		len -= n;
	}
}

/* ---- downtime ---- */

/* Longest gap, in ns, and a request to start again (shared with the spinner). */
static int64_t max_gap;
static int gap_reset;

static void *spinner(void *arg)
{
	double prev = now();

	for (;;) {
		double t = now();
		int64_t gap = (int64_t)((t - prev) * 1e9);

		if (__atomic_load_n(&gap_reset, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&max_gap, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&gap_reset, 0, __ATOMIC_RELEASE);
		} else if (gap > __atomic_load_n(&max_gap, __ATOMIC_RELAXED)) {
			__atomic_store_n(&max_gap, gap, __ATOMIC_RELAXED);
		}
		prev = t;
	}
	return NULL;
}

/* The job: dirty memory, the spinner, and commands on @in, answers on @out. */
static void downtime_job(size_t bytes, int in, int out)
{
	pthread_t th;
	char *mem, cmd;
	size_t i;

	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	for (i = 0; i < bytes; i += 4096)
		mem[i] = (char)(i >> 12) | 1;
	if (pthread_create(&th, NULL, spinner, NULL))
		die("pthread_create");
	write_all(out, "R", 1);
	for (;;) {
		double v = 0, t0;
		pid_t pid;

		read_all(in, &cmd, 1);
		switch (cmd) {
		case 'r':
			__atomic_store_n(&gap_reset, 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&gap_reset, __ATOMIC_ACQUIRE))
				;
			break;
		case 'q':
			v = __atomic_load_n(&max_gap, __ATOMIC_RELAXED) / 1e9;
			break;
		case 'f':
			t0 = now();
			pid = fork();
			if (pid == 0)
				_exit(0);
			v = now() - t0;
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				v = -1;
			break;
		}
		write_all(out, &v, sizeof(v));
	}
}

static double ask(int in, int out, char cmd)
{
	double v;

	write_all(in, &cmd, 1);
	read_all(out, &v, sizeof(v));
	return v;
}

static double timed_gap(int in, int out, const char *path, unsigned int flags, size_t bytes,
			pid_t pid, double *took)
{
	double t0;
	int fd;

	ask(in, out, 'r');
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	t0 = now();
	if (flags == ~0U) {
		static char buf[1 << 20];
		size_t done;

		memset(buf, 0x5a, sizeof(buf));
		for (done = 0; done < bytes; done += sizeof(buf))
			write_all(fd, buf, sizeof(buf));
	} else if (checkpoint(pid, fd, flags, 2) < 0) {
		die("checkpoint");
	}
	*took = now() - t0;
	close(fd);
	unlink(path);
	return ask(in, out, 'q');
}

static int bench_downtime(int mib, int runs, const char *dir)
{
	double cow[MAX_RUNS], full[MAX_RUNS], plain[MAX_RUNS], frk[MAX_RUNS];
	double tcow[MAX_RUNS], tfull[MAX_RUNS], tplain[MAX_RUNS];
	size_t bytes = (size_t)mib << 20;
	int in[2], out[2], i;
	char path[4096], c;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/ckpt_cow_bench.img", dir);
	if (pipe(in) || pipe(out))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(in[1]);
		close(out[0]);
		downtime_job(bytes, in[0], out[1]);
	}
	close(in[0]);
	close(out[1]);
	read_all(out[0], &c, 1);
	for (i = 0; i < runs; i++) {
		unsigned int f = CKPT_CONTINUE | CKPT_OUTSIDE_PIPES_BROKEN;

		cow[i] = timed_gap(in[1], out[0], path, f, 0, pid, &tcow[i]);
		full[i] = timed_gap(in[1], out[0], path, f | CKPT_NO_COW, 0, pid, &tfull[i]);
		plain[i] = timed_gap(in[1], out[0], path, ~0U, bytes, pid, &tplain[i]);
		frk[i] = ask(in[1], out[0], 'f');
		if (frk[i] < 0) {
			fprintf(stderr, "ckpt_cow_bench: fork in the job failed\n");
			return 1;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("bench: downtime of a job with %d MiB of dirty memory", mib);
	printf(" (the longest gap its own thread saw), medians of %d\n", runs);
	printf("bench:   fork() of the job            %9.1f ms\n", median(frk, runs) * 1e3);
	printf("bench:   copy-on-write checkpoint     %9.1f ms (the call took %.0f ms)\n",
	       median(cow, runs) * 1e3, median(tcow, runs) * 1e3);
	printf("bench:   checkpoint, frozen (NO_COW)  %9.1f ms (the call took %.0f ms)\n",
	       median(full, runs) * 1e3, median(tfull, runs) * 1e3);
	printf("bench:   a plain write of as much     %9.1f ms (noise; the write took %.0f ms)\n",
	       median(plain, runs) * 1e3, median(tplain, runs) * 1e3);
	printf("bench: downtime ratio: copy-on-write vs fork %.2f (target <= 2.0),",
	       median(cow, runs) / median(frk, runs));
	printf(" vs frozen checkpoint %.3f (target <= 0.05)\n",
	       median(cow, runs) / median(full, runs));
	return 0;
}

/* ---- a restored job's own speed ---- */

#define WALK_BYTES	(16 << 20)

/* Results the compiler must compute: visible to any other unit. */
uint64_t ckpt_bench_sink;
double ckpt_bench_fsink;

static double unit_int(void)
{
	double t0 = cputime();
	uint64_t x = 88172645463325252ULL, s = 0;
	long i;

	for (i = 0; i < 20000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s += x % 1000003;
	}
	ckpt_bench_sink = s;
	return cputime() - t0;
}

static double unit_fpu(void)
{
	double t0 = cputime();
	double a[256], s = 0;
	int i, j;

	for (i = 0; i < 256; i++)
		a[i] = i * 0.5 + 1;
	for (j = 0; j < 20000; j++)
		for (i = 0; i < 256; i++) {
			a[i] = a[i] * 1.0000001 + sqrt(a[i]) / 1e9;
			s += a[i];
		}
	ckpt_bench_fsink = s;
	return cputime() - t0;
}

static double unit_mem(char *mem)
{
	double t0 = cputime();
	uint64_t s = 0;
	size_t i;
	int r;

	for (r = 0; r < 8; r++)
		for (i = 0; i < WALK_BYTES; i += 64) {
			mem[i] += 1;
			s += mem[(i * 7919) % WALK_BYTES];
		}
	ckpt_bench_sink = s;
	return cputime() - t0;
}

/*
 * Where the walked pages are in (guest) physical memory: how many
 * distinct 2 MiB frames they lie in (8 if contiguous), from
 * /proc/self/pagemap; 0 if the page frame numbers are hidden.  Under
 * QEMU the walk's speed follows it, through the host's TLB.
 */
static long frames_2m(char *mem)
{
	static uint64_t frame[WALK_BYTES / 4096];
	long n = 0, i, j;
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	for (i = 0; i < WALK_BYTES / 4096; i++) {
		if (pread(fd, &e, sizeof(e), ((uintptr_t)mem / 4096 + i) * 8) != sizeof(e) ||
		    !(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1))) {
			close(fd);
			return 0;
		}
		e = (e & ((1ULL << 55) - 1)) >> 9;
		for (j = 0; j < n && frame[j] != e; j++)
			;
		if (j == n)
			frame[n++] = e;
	}
	close(fd);
	return n;
}

static void time_units(FILE *f, const char *when, char *mem, int runs)
{
	double best[3] = { 1e9, 1e9, 1e9 };
	int i;

	for (i = 0; i < runs; i++) {
		best[0] = fmin(best[0], unit_int());
		best[1] = fmin(best[1], unit_fpu());
		best[2] = fmin(best[2], unit_mem(mem));
	}
	fprintf(f, "%s %.6f %.6f %.6f %ld\n", when, best[0], best[1], best[2], frames_2m(mem));
	fflush(f);
}

/*
 * The control: a forked copy of the job, its pages copied by a write to
 * each (as a restart's are new pages), times the units too.  What a
 * process's pages being new ones costs, restart or not.
 */
static void copy_control(FILE *f, char *mem, int runs)
{
	pid_t pid = fork();
	size_t i;

	if (pid < 0)
		_exit(1);
	if (!pid) {
		for (i = 0; i < WALK_BYTES; i += 4096)
			mem[i] = 1;
		time_units(f, "copy", mem, runs);
		_exit(0);
	}
	if (waitpid(pid, NULL, 0) != pid)
		_exit(1);
}

static void on_usr1(int sig)
{
}

static int bench_speed(int runs, const char *dir)
{
	static const char * const units[] = {
		"integer", "floating point", "memory walk (16 MiB)",
	};
	char path[4096], res[4096], c;
	double before[3], after[3], copy[3], copy2[3];
	long fr[4];
	struct sigaction sa = { .sa_handler = on_usr1 };
	int p[2], fd, status, i;
	sigset_t set, old;
	pid_t pid, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ckpt_cow_bench.speed.img", dir);
	snprintf(res, sizeof(res), "%s/ckpt_cow_bench.speed.txt", dir);
	unlink(res);
	if (pipe(p))
		die("pipe");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *mem = malloc(WALK_BYTES);

		sigaction(SIGUSR1, &sa, NULL);
		close(p[0]);
		f = fopen(res, "a");
		if (!mem || !f)
			_exit(1);
		memset(mem, 1, WALK_BYTES);
		time_units(f, "before", mem, runs);
		copy_control(f, mem, runs);
		write_all(p[1], "R", 1);
		close(p[1]);
		sigsuspend(&old);	/* after the restart, SIGUSR1 */
		time_units(f, "after", mem, runs);
		copy_control(f, mem, runs);
		fclose(f);
		_exit(0);
	}
	close(p[1]);
	read_all(p[0], &c, 1);
	close(p[0]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	if (checkpoint(pid, fd, CKPT_KILL, 2) < 0)
		die("checkpoint");
	waitpid(pid, NULL, 0);
	if (lseek(fd, 0, SEEK_SET) < 0)
		die("lseek");
	got = restart(fd, 0, 2);
	if (got < 0)
		die("restart");
	close(fd);
	unlink(path);
	kill(got, SIGUSR1);
	if (waitpid(got, &status, 0) != got || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ckpt_cow_bench: the restored job failed (status %#x)\n", status);
		return 1;
	}
	f = fopen(res, "r");
	if (!f || fscanf(f, "before %lf %lf %lf %ld\n", &before[0], &before[1], &before[2],
			 &fr[0]) != 4 ||
	    fscanf(f, "copy %lf %lf %lf %ld\n", &copy[0], &copy[1], &copy[2], &fr[1]) != 4 ||
	    fscanf(f, "after %lf %lf %lf %ld\n", &after[0], &after[1], &after[2], &fr[2]) != 4 ||
	    fscanf(f, "copy %lf %lf %lf %ld\n", &copy2[0], &copy2[1], &copy2[2], &fr[3]) != 4) {
		fprintf(stderr, "ckpt_cow_bench: no results in %s\n", res);
		return 1;
	}
	fclose(f);
	unlink(res);
	printf("bench: a restored job's own speed (thread CPU time, best of %d,", runs);
	printf(" before the checkpoint / after the restart)\n");
	for (i = 0; i < 3; i++)
		printf("bench:   %-28s %8.1f ms / %8.1f ms: %.3f (target <= 1.02)\n",
		       units[i], before[i] * 1e3, after[i] * 1e3, after[i] / before[i]);
	printf("bench: the control, a forked copy of the job with its pages copied, before it:\n");
	for (i = 0; i < 3; i++)
		printf("bench:   %-28s %8.1f ms / %8.1f ms: %.3f\n",
		       units[i], before[i] * 1e3, copy[i] * 1e3, copy[i] / before[i]);
	printf("bench: and a forked copy of the restored job, after it:\n");
	for (i = 0; i < 3; i++)
		printf("bench:   %-28s %8.1f ms / %8.1f ms: %.3f\n",
		       units[i], after[i] * 1e3, copy2[i] * 1e3, copy2[i] / after[i]);
	printf("bench: the walked 16 MiB lie in 2 MiB physical frames: %ld before, %ld copy, %ld after, %ld its copy\n",
	       fr[0], fr[1], fr[2], fr[3]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	int mib = 1024, runs = 0, opt;

	if (argc < 2) {
		fputs("usage: ckpt_cow_bench downtime|speed [-m MIB] [-r RUNS] [-d DIR]\n", stderr);
		return 2;
	}
	optind = 2;
	while ((opt = getopt(argc, argv, "m:r:d:")) != -1) {
		switch (opt) {
		case 'm':
			mib = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			return 2;
		}
	}
	if (runs > MAX_RUNS || mib <= 0) {
		fprintf(stderr, "ckpt_cow_bench: at most %d runs, a positive size\n", MAX_RUNS);
		return 2;
	}
	if (!strcmp(argv[1], "downtime"))
		return bench_downtime(mib, runs ? runs : 3, dir);
	if (!strcmp(argv[1], "speed"))
		return bench_speed(runs ? runs : 5, dir);
	fprintf(stderr, "ckpt_cow_bench: unknown benchmark %s\n", argv[1]);
	return 2;
}
