// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_job_bench: whole-job checkpoint/restart benchmarks, in one VM run.
 *
 *   ckpt_job_bench freeze [-n TASKS] [-r RUNS]
 *   ckpt_job_bench exhibit1 -d DIR -c COMMAND [-r RUNS] [-p PERCENT]
 *
 * freeze: how long checkpoint(2) takes to stop every task of a job,
 * measured without kernel instrumentation as the time from the call to
 * the first byte of the image arriving on a pipe that a thread of this
 * program reads: the kernel writes the image header only once the freeze
 * barrier has closed.  Jobs: a group of TASKS processes (CKPT_PGRP) and
 * a process of TASKS threads (CKPT_PROCESS), default 64, their tasks
 * either idle (in pause()) or busy (spinning); the baseline is one
 * single-threaded process in the same state, in the same run.  Each is
 * checkpointed RUNS times (default 7) with CKPT_CONTINUE | CKPT_NO_COW
 * (a copy-on-write checkpoint writes nothing before the thaw); medians.
 *
 * exhibit1: checkpoint and restart time of a job: COMMAND (sh -c) runs
 * in DIR in its own session, uninterrupted once for the reference output
 * and duration, then RUNS times (default 3) checkpointed with CKPT_KILL |
 * CKPT_SESSION at PERCENT (default 50) of that duration into a file in
 * DIR, restarted from it, and waited for; its output must be identical
 * to the reference.  Baselines: a plain write and read of as many bytes
 * as the image, to and from the same directory.  Medians.
 *
 * Prints times and ratios; exits non-zero only when an operation fails
 * or a restarted job's output differs, never because of a time.
 */
#define _GNU_SOURCE		/* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/checkpoint.h>
#include "ckpt_bench.h"
#include "ckpt_syscalls.h"

#define MAX_RUNS	64

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- /proc: who is in a job, and in what state ---- */

struct proc_stat {
	char state;
	pid_t ppid, pgrp, sid;
};

static int read_stat(const char *path, struct proc_stat *ps)
{
	char buf[512], *p;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d %d", &ps->state, &ps->ppid, &ps->pgrp, &ps->sid) != 4)
		return -1;
	return 0;
}

static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Processes whose process group (by_sid 0) or session (by_sid 1) is @id:
 * returns how many there are; *settled = how many of them hold only fds
 * 0-2 and, if @want_sleep, sleep (state S).
 */
static int scan_job(pid_t id, int by_sid, int want_sleep, int *settled)
{
	struct proc_stat ps;
	struct dirent *de;
	char path[64];
	int n = 0;
	DIR *d;

	*settled = 0;
	d = opendir("/proc");
	if (!d)
		die("/proc");
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (read_stat(path, &ps) || (by_sid ? ps.sid : ps.pgrp) != id)
			continue;
		n++;
		if ((!want_sleep || ps.state == 'S') && count_fds(pid) == 3)
			(*settled)++;
	}
	closedir(d);
	return n;
}

/* Threads of @pid: returns how many; *settled = how many sleep (if @want_sleep) */
static int scan_threads(pid_t pid, int want_sleep, int *settled)
{
	struct proc_stat ps;
	struct dirent *de;
	char path[320];
	int n = 0;
	DIR *d;

	*settled = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, de->d_name);
		if (read_stat(path, &ps))
			continue;
		n++;
		if (!want_sleep || ps.state == 'S')
			(*settled)++;
	}
	closedir(d);
	return n;
}

/* ---- the jobs ---- */

static void idle_or_spin(int busy)
{
	unsigned long spins = 0;

	for (;;) {
		if (busy)
			__atomic_store_n(&spins, spins + 1, __ATOMIC_RELAXED);
		else
			pause();
	}
}

static void *thread_main(void *arg)
{
	idle_or_spin(*(int *)arg);
	return NULL;
}

/* A job member: fds 0-2 on /dev/null, nothing else open */
static void member_setup(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		_exit(1);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
}

enum job_kind { JOB_PROCESS, JOB_GROUP, JOB_THREADS };

/*
 * Start a job of @tasks tasks: one process (JOB_PROCESS, @tasks is 1), a
 * process group of @tasks processes, or a process of @tasks threads.
 * Returns the pid of its leader (also the group id) once every task is
 * there and settled.
 */
static pid_t start_job(enum job_kind kind, int tasks, int busy)
{
	static int busy_arg;
	pid_t pid;
	int i, n, settled, tries;

	busy_arg = busy;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		member_setup();
		if (kind == JOB_GROUP) {
			setpgid(0, 0);
			for (i = 1; i < tasks; i++) {
				pid_t c = fork();

				if (c < 0)
					_exit(1);
				if (!c)
					idle_or_spin(busy);
			}
		} else if (kind == JOB_THREADS) {
			for (i = 1; i < tasks; i++) {
				pthread_t th;

				if (pthread_create(&th, NULL, thread_main, &busy_arg))
					_exit(1);
			}
		}
		idle_or_spin(busy);
	}
	if (kind == JOB_GROUP)
		setpgid(pid, pid);	/* either of us may do it first */
	for (tries = 0; tries < 3000; tries++) {
		if (kind != JOB_GROUP) {
			n = scan_threads(pid, !busy, &settled);
			if (n == tasks && settled == tasks && count_fds(pid) == 3)
				return pid;
		} else {
			n = scan_job(pid, 0, !busy, &settled);
			if (n == tasks && settled == tasks)
				return pid;
		}
		usleep(10000);
	}
	fprintf(stderr, "bench: the job of %d tasks did not settle (%d there, %d settled)\n",
		tasks, n, settled);
	exit(1);
}

static void stop_job(enum job_kind kind, pid_t pid)
{
	int n, settled, tries;

	if (kind == JOB_GROUP)
		kill(-pid, SIGKILL);
	else
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* the group's other members are reaped by init: wait for them */
	for (tries = 0; kind == JOB_GROUP && tries < 1000; tries++) {
		n = scan_job(pid, 0, 0, &settled);
		if (!n)
			break;
		usleep(10000);
	}
}

/* ---- freeze time: checkpoint(2) call to the first byte of the image ---- */

struct reader {
	int fd;
	int started;		/* __atomic */
	double t_first;
	unsigned long long bytes;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	static char buf[1 << 16];
	ssize_t n;

	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	for (;;) {
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!r->bytes)
			r->t_first = now();
		r->bytes += n;
	}
	return NULL;
}

static int reader_fifo = -1;	/* the reader runs SCHED_FIFO: 1 yes, 0 no */

/*
 * The reader is real-time when it can be: woken by the image header, it
 * preempts the checkpointing thread (and any busy task) at once, so the
 * time it sees is the header's, not the time the pipe filled up.
 */
static void start_reader(pthread_t *th, struct reader *r)
{
	struct sched_param sp = { .sched_priority = 1 };
	pthread_attr_t attr;

	if (reader_fifo) {
		pthread_attr_init(&attr);
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
		reader_fifo = !pthread_create(th, &attr, reader_main, r);
		pthread_attr_destroy(&attr);
		if (reader_fifo)
			return;
	}
	if (pthread_create(th, NULL, reader_main, r))
		die("pthread_create");
}

/* One checkpoint of @pid to a pipe: *freeze and *total in seconds */
static void timed_checkpoint(pid_t pid, unsigned int flags, double *freeze, double *total,
			     unsigned long long *bytes)
{
	struct reader r = { 0 };
	pthread_t th;
	double t0, t1;
	int p[2];
	long rc;

	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	r.fd = p[0];
	start_reader(&th, &r);
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(20000);		/* let it block in read() */
	t0 = now();
	rc = checkpoint(pid, p[1], flags, 2);
	t1 = now();
	if (rc < 0)
		die("checkpoint");
	close(p[1]);
	pthread_join(th, NULL);
	close(p[0]);
	if (!r.bytes) {
		fprintf(stderr, "bench: checkpoint wrote no image\n");
		exit(1);
	}
	*freeze = r.t_first - t0;
	*total = t1 - t0;
	*bytes = r.bytes;
}

struct freeze_result {
	double freeze, total;
	unsigned long long bytes;
};

static struct freeze_result measure_freeze(enum job_kind kind, int tasks, int busy, int runs)
{
	double freeze[MAX_RUNS], total[MAX_RUNS];
	unsigned long long bytes = 0;
	struct freeze_result res;
	/* Frozen throughout: a copy-on-write one writes its header after the thaw. */
	unsigned int flags = CKPT_CONTINUE | CKPT_NO_COW;
	pid_t pid;
	int i;

	if (kind == JOB_GROUP)
		flags |= CKPT_PGRP;
	pid = start_job(kind, tasks, busy);
	for (i = 0; i < runs; i++)
		timed_checkpoint(pid, flags, &freeze[i], &total[i], &bytes);
	stop_job(kind, pid);
	res.freeze = median(freeze, runs);
	res.total = median(total, runs);
	res.bytes = bytes;
	return res;
}

static void print_freeze(const char *what, struct freeze_result *r, struct freeze_result *base)
{
	printf("bench: %-24s freeze %8.3f ms  (checkpoint %8.2f ms, image %6llu KiB)",
	       what, r->freeze * 1e3, r->total * 1e3, r->bytes >> 10);
	if (base)
		printf("  ratio %.2f\n", r->freeze / base->freeze);
	else
		printf("  baseline\n");
}

static int freeze_bench(int tasks, int runs)
{
	struct freeze_result base, group, threads;
	char what[64];
	int busy;

	printf("bench: freeze: from the checkpoint(2) call to the first image byte on a pipe\n");
	printf("bench: (median of %d runs, CKPT_CONTINUE)\n", runs);
	for (busy = 0; busy <= 1; busy++) {
		const char *state = busy ? "busy" : "idle";

		if (busy)
			printf("bench: busy: every task spins, competing with the checkpointer\n");

		base = measure_freeze(JOB_PROCESS, 1, busy, runs);
		group = measure_freeze(JOB_GROUP, tasks, busy, runs);
		threads = measure_freeze(JOB_THREADS, tasks, busy, runs);
		snprintf(what, sizeof(what), "1 process, %s", state);
		print_freeze(what, &base, NULL);
		snprintf(what, sizeof(what), "%d-process group, %s", tasks, state);
		print_freeze(what, &group, &base);
		snprintf(what, sizeof(what), "%d-thread process, %s", tasks, state);
		print_freeze(what, &threads, &base);
	}
	if (!reader_fifo)
		printf("bench: (no SCHED_FIFO for the image reader: times include its wake-up)\n");
	return 0;
}

/* ---- the Exhibit 1 job: checkpoint and restart time ---- */

static const char *job_dir, *job_cmd;

/* Run the job in its own session: stdout to @out, stderr to @err */
static pid_t spawn_job(const char *out, const char *err)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	if (chdir(job_dir) || setsid() < 0)
		_exit(126);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(126);
	fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(126);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execl("/bin/sh", "sh", "-c", job_cmd, (char *)NULL);
	_exit(127);
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			die("waitpid");
	return status;
}

static int same_file(const char *a, const char *b)
{
	static char ba[1 << 16], bb[1 << 16];
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY), same = fa >= 0 && fb >= 0;
	ssize_t na, nb;

	while (same) {
		na = read(fa, ba, sizeof(ba));
		nb = read(fb, bb, na > 0 ? (size_t)na : sizeof(bb));
		if (na != nb || (na > 0 && memcmp(ba, bb, na)))
			same = 0;
		if (na <= 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

/* Plain write then read of @len bytes in @dir: the I/O baseline */
static void plain_io(unsigned long long len, double *t_write, double *t_read)
{
	char path[4096];
	size_t off;
	double t0;
	char *buf;
	int fd;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	for (off = 0; off < len; off += 8)
		*(uint64_t *)(buf + off) = off * 0x9e3779b97f4a7c15ull;
	snprintf(path, sizeof(path), "%s/bench.plain", job_dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	t0 = now();
	for (off = 0; off < len; ) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n <= 0)
			die("write");
		off += n;
	}
	*t_write = now() - t0;
	munmap(buf, len);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	lseek(fd, 0, SEEK_SET);
	t0 = now();
	for (off = 0; off < len; ) {
		ssize_t n = read(fd, buf + off, len - off);

		if (n <= 0)
			die("read");
		off += n;
	}
	*t_read = now() - t0;
	munmap(buf, len);
	close(fd);
	unlink(path);
}

static int exhibit1_bench(int runs, int percent)
{
	double t_ckpt[MAX_RUNS], t_rst[MAX_RUNS], t_write[MAX_RUNS], t_read[MAX_RUNS];
	double t_all[MAX_RUNS], t0, t_ref, ckpt_at;
	char ref[4096], ref_err[4096], out[4096], err[4096], img[4096];
	unsigned long long bytes[MAX_RUNS];
	int i, status, tries, settled, fd, failed = 0;
	struct timespec ts;
	struct stat st;
	pid_t pid, got;

	snprintf(ref, sizeof(ref), "%s/bench.ref", job_dir);
	snprintf(ref_err, sizeof(ref_err), "%s/bench.ref.err", job_dir);
	snprintf(out, sizeof(out), "%s/bench.out", job_dir);
	snprintf(err, sizeof(err), "%s/bench.err", job_dir);
	snprintf(img, sizeof(img), "%s/bench.img", job_dir);

	t0 = now();
	pid = spawn_job(ref, ref_err);
	status = wait_status(pid);
	t_ref = now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: the job failed (status 0x%x): %s\n", status, job_cmd);
		return 1;
	}
	ckpt_at = t_ref * percent / 100;
	printf("bench: exhibit1: %s\n", job_cmd);
	printf("bench: exhibit1: uninterrupted run %.2f s\n", t_ref);
	printf("bench: exhibit1: CKPT_KILL|CKPT_SESSION at %d%% (%.2f s), restart; median of %d\n",
	       percent, ckpt_at, runs);

	for (i = 0; i < runs; i++) {
		pid = spawn_job(out, err);
		ts.tv_sec = (time_t)ckpt_at;
		ts.tv_nsec = (long)((ckpt_at - ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die(img);
		t0 = now();
		if (checkpoint(pid, fd, CKPT_KILL | CKPT_SESSION, 2) < 0)
			die("checkpoint of the job");
		t_ckpt[i] = now() - t0;
		status = wait_status(pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			fprintf(stderr, "bench: the job was not killed (status 0x%x)\n", status);
			return 1;
		}
		/* its other processes are reaped by init: their PIDs must be free */
		for (tries = 0; tries < 1000 && scan_job(pid, 1, 0, &settled); tries++)
			usleep(10000);
		fstat(fd, &st);
		bytes[i] = st.st_size;
		lseek(fd, 0, SEEK_SET);
		t0 = now();
		got = restart(fd, 0, 2);
		t_rst[i] = now() - t0;
		if (got < 0)
			die("restart of the job");
		close(fd);
		status = wait_status(got);
		t_all[i] = now() - t0;
		if (got != pid || !WIFEXITED(status) || WEXITSTATUS(status) ||
		    !same_file(ref, out) || !same_file(ref_err, err)) {
			fprintf(stderr, "bench: run %d: restarted job %d (status 0x%x): %s\n",
				i + 1, got, status, "not the reference output");
			failed = 1;
		}
		unlink(img);
		plain_io(bytes[i], &t_write[i], &t_read[i]);
	}
	printf("bench: exhibit1: image %llu KiB\n", bytes[0] >> 10);
	printf("bench: exhibit1: checkpoint %8.1f ms, plain write %7.1f ms, ratio %.2f\n",
	       median(t_ckpt, runs) * 1e3, median(t_write, runs) * 1e3,
	       median(t_ckpt, runs) / median(t_write, runs));
	printf("bench: exhibit1: restart    %8.1f ms, plain read  %7.1f ms, ratio %.2f\n",
	       median(t_rst, runs) * 1e3, median(t_read, runs) * 1e3,
	       median(t_rst, runs) / median(t_read, runs));
	printf("bench: exhibit1: restart to the end of the job %.2f s (%d%% of the run left)\n",
	       median(t_all, runs), 100 - percent);
	unlink(out);
	unlink(err);
	return failed;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: ckpt_job_bench freeze [-n TASKS] [-r RUNS]\n"
		"       ckpt_job_bench exhibit1 -d DIR -c COMMAND [-r RUNS] [-p PERCENT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int c, tasks = 64, runs = 0, percent = 50;
	const char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "n:r:d:c:p:")) != -1) {
		switch (c) {
		case 'n':
			tasks = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'd':
			job_dir = optarg;
			break;
		case 'c':
			job_cmd = optarg;
			break;
		case 'p':
			percent = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || tasks < 1 || tasks > 4096 || runs < 0 || runs > MAX_RUNS ||
	    percent < 1 || percent > 99)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "freeze"))
		return freeze_bench(tasks, runs ? runs : 7);
	if (!strcmp(mode, "exhibit1")) {
		if (!job_dir || !job_cmd)
			usage();
		return exhibit1_bench(runs ? runs : 3, percent);
	}
	usage();
	return 2;
}
