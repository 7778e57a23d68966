// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_bench: checkpoint and restart against plain I/O, in one VM run.
 *
 *   ckpt_bench [-d DIR] [-s MIB]... [-r ROUNDS] [-c CRIU] [-t TRUE]
 *
 * For each size (default 256 and 1024 MiB) a child dirties that much
 * anonymous memory; its checkpoint (CKPT_CONTINUE: copy-on-write) to DIR
 * (a tmpfs) is timed against a plain write() of as many bytes from
 * memory, and the restart against a plain read() of them: with the
 * default digest (xxh64), then with CKPT_DIGEST_SHA256.  After one
 * untimed plain write and read (the guest's memory is slow the first time
 * the host backs it), ROUNDS rounds (default 3) take turns; medians.
 * Then, for the first size, what the copy-on-write snapshot costs: a
 * checkpoint (default) and a frozen one (CKPT_NO_COW) against the same
 * plain writes, interleaved.
 * Then what the check for pages of zeroes costs and saves: a checkpoint
 * of the first size's memory every page different, all zeroes, and all
 * zeroes but each page's last byte (the check's worst case).
 * Then the full cycle (checkpoint, kill, restart, wait) of a small 4 MiB
 * process is timed against fork+exec+wait of a
 * small static program (TRUE, default /bin/true, run as "true": the
 * guest's busybox).  Prints ratios; exits non-zero only when an
 * operation fails, never because of a ratio.
 *
 * With -c CRIU (make bench-peer), the same children are also dumped and
 * restored by CRIU (CRIU dump -t PID, then CRIU restore -d) in the same
 * rounds, with images in DIR too, and the rows print both checkpointers
 * side by side against the same plain write and read; the digest,
 * zero-page and watched rows, which concern only ours, are left out.
 * CRIU's times are those of its command (exec and start-up included, as
 * a user runs it); ours are those of the system calls.  The children
 * then start a session of their own with no terminal, so that CRIU needs
 * no --shell-job, and this program is their subreaper, so that what
 * CRIU restores comes back to it to be reaped.
 *
 * The image carries a digest of itself, which the kernel computes while
 * it writes or reads (SHA-256 on another CPU): neither call can be
 * quicker than hashing the bytes alone.  That floor is measured too for
 * each digest: xxh64 with libxxhash (the kernel's lib/xxhash is the same
 * portable C), SHA-256 with the kernel's own through AF_ALG (libmd where
 * AF_ALG is not there); the calls are also given as a ratio to it.
 *
 * How long the stream itself takes is watched from a second thread
 * while each call runs: the image file's size during the checkpoint
 * (the trailer comes only once the digest is final), the restored
 * process's resident pages during the restart.  That time, as a ratio
 * to the plain write or read, is the cost of the data path alone; the
 * rest of the call is the wait for the digest.  The watch samples every
 * millisecond, so the time is within a sample of the truth; it is done
 * for the first size only, with the default digest, in a run of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/checkpoint.h>
#include <linux/if_alg.h>
#define XXH_STATIC_LINKING_ONLY	/* XXH64_state_t on the stack */
#include <xxhash.h>		/* libxxhash */
#include "ckpt_bench.h"
#include "ckpt_syscalls.h"
#include "md_sha256.h"		/* libmd */

static const char *dir = "/tmp";
static const char *criu;	/* -c: CRIU beside us */
static const char *true_prog = "/bin/true";	/* -t: the small static program */

#define MAX_ROUNDS	9
static int rounds = 3;

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void dirty(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		*(uint64_t *)(p + i) = i * 0x9e3779b97f4a7c15ull;
}

/*
 * The data-path watch: a thread that samples, until told to stop, the
 * size of @fd (while a checkpoint writes it) or the resident pages of
 * @pid (while a restart fills them).  Afterwards, watch_when() tells
 * when the value first reached a level known only then.
 */
#define WATCH_SAMPLES	262144

struct watch {
	pthread_t thread;
	int fd;
	pid_t pid;
	atomic_int stop;
	unsigned int nr;
	double t[WATCH_SAMPLES];
	long long v[WATCH_SAMPLES];
};

/* The size of @fd if it is >= 0, else the resident pages of @pid */
static long long watch_sample(int fd, pid_t pid)
{
	long long size, resident;
	struct stat st;
	char path[64];
	FILE *f;

	if (fd >= 0)
		return fstat(fd, &st) ? -1 : (long long)st.st_size;
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld %lld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident;
}

static void *watch_main(void *arg)
{
	const struct timespec tick = { 0, 1000000 };
	struct watch *w = arg;

	while (!w->stop && w->nr < WATCH_SAMPLES) {
		w->v[w->nr] = watch_sample(w->fd, w->pid);
		w->t[w->nr] = now();
		w->nr++;
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static void watch_start(struct watch *w, int fd, pid_t pid)
{
	w->fd = fd;
	w->pid = pid;
	w->stop = 0;
	w->nr = 0;
	if (pthread_create(&w->thread, NULL, watch_main, w))
		die("pthread_create");
}

static void watch_stop(struct watch *w)
{
	w->stop = 1;
	pthread_join(w->thread, NULL);
}

/* Seconds from @t0 until the value first was @level or more, or -1 */
static double watch_when(const struct watch *w, long long level, double t0)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->v[i] >= level)
			return w->t[i] - t0;
	return -1;
}

/* A child holding @mib MiB of dirty memory, waiting in pause(). */
/*
 * What the child's memory holds: FILL_DIRTY, every page different;
 * FILL_ZERO, written with zeroes; FILL_LAST, zeroes but for each page's
 * last byte (the zero-page check's worst case: a whole page read, then
 * written).
 */
enum { FILL_DIRTY, FILL_ZERO, FILL_LAST };
static int fill = FILL_DIRTY;

static pid_t spawn(size_t mib)
{
	int p[2];
	pid_t pid;
	char c = 0;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		char *mem = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int nul;

		if (mem == MAP_FAILED)
			_exit(1);
		if (criu) {
			nul = open("/dev/null", O_RDWR);
			if (nul < 0 || setsid() < 0 || dup2(nul, 0) < 0 ||
			    dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
				_exit(1);
			close(nul);
		}
		dirty(mem, mib << 20);
		if (fill != FILL_DIRTY) {
			size_t i;

			memset(mem, 0, mib << 20);
			for (i = 4095; fill == FILL_LAST && i < mib << 20; i += 4096)
				mem[i] = 1;
		}
		close(p[0]);
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die("child setup");
	close(p[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
}

static int tmpfile_in(const char *name, char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	return fd;
}

/*
 * Seconds the kernel's SHA-256 takes over @len bytes at @buf, through an
 * AF_ALG hash socket; -1 if the kernel has none.
 */
static double kernel_sha256(const char *buf, size_t len)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "hash",
		.salg_name = "sha256",
	};
	unsigned char digest[32];
	size_t off, chunk = 1 << 20;
	double t0, t = -1;
	int tfm, op;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -1;
	op = bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ? -1 : accept(tfm, NULL, 0);
	if (op >= 0) {
		t0 = now();
		for (off = 0; off < len; off += chunk) {
			size_t n = len - off < chunk ? len - off : chunk;

			if (send(op, buf + off, n, off + n < len ? MSG_MORE : 0) != (ssize_t)n)
				die("AF_ALG send");
		}
		if (read(op, digest, sizeof(digest)) != sizeof(digest))
			die("AF_ALG read");
		t = now() - t0;
		close(op);
	}
	close(tfm);
	return t;
}

/*
 * Checkpoint a child with @mib MiB to a file, with @digest (0 or
 * CKPT_DIGEST_SHA256), then restart it: the seconds each call took.
 * With @data, also when each call's data path was done (see the top);
 * the watch costs a little CPU, so the calls are then timed again
 * rather than in the same run.
 */
static void cycle(size_t mib, unsigned int digest, double *t_ckpt, double *t_rst,
		  double *data)
{
	static struct watch w;
	struct stat st;
	char img[256];
	pid_t pid, got;
	double t0;
	int fd;

	pid = spawn(mib);
	fd = tmpfile_in("bench.img", img, sizeof(img));
	if (data)
		watch_start(&w, fd, -1);
	t0 = now();
	if (checkpoint(pid, fd, CKPT_CONTINUE | digest, 2))
		die("checkpoint");
	*t_ckpt = now() - t0;
	reap(pid);
	if (data) {
		watch_stop(&w);
		/* Every byte but the trailer is written. */
		if (fstat(fd, &st))
			die("fstat");
		data[0] = watch_when(&w, st.st_size - sizeof(struct ckpt_rec_trailer), t0);
		if (data[0] < 0)	/* not before the call returned */
			data[0] = *t_ckpt;
		watch_start(&w, -1, pid);
	}
	lseek(fd, 0, SEEK_SET);
	t0 = now();
	got = restart(fd, RESTART_STOPPED, 2);
	*t_rst = now() - t0;
	if (got != pid)
		die("restart");
	if (data) {
		watch_stop(&w);
		/* The restored process has all its pages. */
		data[1] = watch_when(&w, watch_sample(-1, got), t0);
		if (data[1] < 0)
			data[1] = *t_rst;
	}
	reap(got);
	close(fd);
	unlink(img);
}

/*
 * Run CRIU with @args (after the program name) in @imgdir, its log in
 * @imgdir/@log; the seconds it took.  A failure prints the log's end.
 */
static double run_criu(const char *imgdir, const char *log, const char * const *args)
{
	const char *argv[16] = { criu };
	char cmd[512];
	int i, n = 1, status;
	double t0;
	pid_t pid;

	for (i = 0; args[i] && n < 10; i++)
		argv[n++] = args[i];
	argv[n++] = "-D";
	argv[n++] = imgdir;
	argv[n++] = "-o";
	argv[n++] = log;
	argv[n++] = "-v2";
	argv[n] = NULL;
	t0 = now();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		execv(criu, (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid criu");
	t0 = now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: %s %s failed (status %#x); its log ends:\n",
			criu, args[0], status);
		snprintf(cmd, sizeof(cmd), "tail -n 20 %s/%s >&2", imgdir, log);
		if (system(cmd))
			fprintf(stderr, "bench: no log\n");
		exit(1);
	}
	return t0;
}

/*
 * criu dump (which ends the child) and criu restore -d of a child with
 * @mib MiB: the seconds each command took.  The restored process must be
 * back, as this program's child (its subreaper), with its memory.
 */
static void criu_cycle(size_t mib, double *t_dump, double *t_restore)
{
	const char *dump[] = { "dump", "-t", NULL, NULL };
	const char *restore[] = { "restore", "-d", NULL };
	char imgdir[256], cmd[300], pidstr[16];
	pid_t pid;

	snprintf(imgdir, sizeof(imgdir), "%s/bench.criu", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", imgdir);
	if (system(cmd) || mkdir(imgdir, 0700))
		die(imgdir);
	pid = spawn(mib);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	dump[2] = pidstr;
	*t_dump = run_criu(imgdir, "dump.log", dump);
	/* criu dump killed it: reap it, so that its PID is free again */
	if (waitpid(pid, NULL, 0) != pid)
		die("waitpid dumped child");
	*t_restore = run_criu(imgdir, "restore.log", restore);
	if (watch_sample(-1, pid) < (long long)(mib << 20) / 4096) {
		fprintf(stderr, "bench: criu restore: process %d missing or without its memory\n",
			(int)pid);
		exit(1);
	}
	reap(pid);
	if (system(cmd))
		die(imgdir);
}

/* A plain write and read of @len bytes to and from a file in DIR. */
static void plain_io(size_t len, double *t_write, double *t_read)
{
	char plain[256];
	size_t off;
	double t0;
	char *buf;
	int fd;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	dirty(buf, len);
	fd = tmpfile_in("bench.plain", plain, sizeof(plain));
	t0 = now();
	for (off = 0; off < len; ) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n <= 0)
			die("write");
		off += n;
	}
	*t_write = now() - t0;
	lseek(fd, 0, SEEK_SET);
	munmap(buf, len);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
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
	unlink(plain);
}

/*
 * What the copy-on-write snapshot costs: 7 rounds that interleave a plain
 * write, a copy-on-write checkpoint (the default), a frozen one
 * (CKPT_NO_COW) and another plain write, so that the two checkpoints are
 * compared with the same baseline; medians.
 */
static void cow_vs_frozen(size_t mib)
{
	double w[14], cow[7], frozen[7], unused[7], t_write;
	int i;

	for (i = 0; i < 7; i++) {
		plain_io(mib << 20, &w[2 * i], &unused[i]);
		cycle(mib, 0, &cow[i], &unused[i], NULL);
		cycle(mib, CKPT_NO_COW, &frozen[i], &unused[i], NULL);
		plain_io(mib << 20, &w[2 * i + 1], &unused[i]);
	}
	t_write = median(w, 14);
	printf("bench: %4zu MiB: checkpoint %.3f s copy-on-write, %.3f s frozen; write %.3f s: ratios %.2f, %.2f (interleaved, 7 rounds)\n",
	       mib, median(cow, 7), median(frozen, 7), t_write, median(cow, 7) / t_write,
	       median(frozen, 7) / t_write);
}

/*
 * -c: checkpoint(2)/restart(2) and CRIU's dump/restore of @mib MiB, in
 * rounds that take turns with a plain write and read; medians.
 */
static void beside_criu(size_t mib)
{
	double w[MAX_ROUNDS], r[MAX_ROUNDS], ck[MAX_ROUNDS], rs[MAX_ROUNDS];
	double cd[MAX_ROUNDS], cr[MAX_ROUNDS];
	double t_write, t_read;
	int i;

	for (i = 0; i < rounds; i++) {
		plain_io(mib << 20, &w[i], &r[i]);
		cycle(mib, 0, &ck[i], &rs[i], NULL);
		criu_cycle(mib, &cd[i], &cr[i]);
	}
	t_write = median(w, rounds);
	t_read = median(r, rounds);
	printf("bench-peer: %4zu MiB: write %7.3f s | checkpoint(2) %7.3f s %5.2f x | criu dump    %7.3f s %5.2f x\n",
	       mib, t_write, median(ck, rounds), median(ck, rounds) / t_write,
	       median(cd, rounds), median(cd, rounds) / t_write);
	printf("bench-peer: %4zu MiB: read  %7.3f s | restart(2)    %7.3f s %5.2f x | criu restore %7.3f s %5.2f x\n",
	       mib, t_read, median(rs, rounds), median(rs, rounds) / t_read,
	       median(cr, rounds), median(cr, rounds) / t_read);
}

static void one_size(size_t mib, int watch)
{
	double w[MAX_ROUNDS], r[MAX_ROUNDS], ck[MAX_ROUNDS], rs[MAX_ROUNDS];
	double cks[MAX_ROUNDS], rss[MAX_ROUNDS];
	double t0, t_ckpt, t_rst, t_write, t_read, t_xxh, t_sha, data[2], wck, wrs;
	double t_ckpt_sha, t_rst_sha;
	const char *sha_where = "kernel, AF_ALG";
	size_t len = mib << 20;
	XXH64_state_t xxh;
	char *buf;
	int i;

	/*
	 * The guest's memory is slow the first time it is touched (the host
	 * allocates it): once untimed, then rounds that take turns.
	 */
	plain_io(len, &t_write, &t_read);
	if (criu) {
		beside_criu(mib);
		return;
	}
	for (i = 0; i < rounds; i++) {
		plain_io(len, &w[i], &r[i]);
		cycle(mib, 0, &ck[i], &rs[i], NULL);
		cycle(mib, CKPT_DIGEST_SHA256, &cks[i], &rss[i], NULL);
	}
	t_write = median(w, rounds);
	t_read = median(r, rounds);
	t_ckpt = median(ck, rounds);
	t_rst = median(rs, rounds);
	t_ckpt_sha = median(cks, rounds);
	t_rst_sha = median(rss, rounds);

	/* What hashing alone costs here: the image carries a digest of itself. */
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	dirty(buf, len);
	t0 = now();
	if (XXH64_reset(&xxh, 0) == XXH_ERROR || XXH64_update(&xxh, buf, len) == XXH_ERROR)
		die("xxh64");
	XXH64_digest(&xxh);
	t_xxh = now() - t0;
	t_sha = kernel_sha256(buf, len);
	if (t_sha < 0) {
		unsigned char digest[SHA256_DIGEST_LENGTH];
		SHA2_CTX sha;

		sha_where = "userspace, libmd";
		t0 = now();
		md_sha256_init(&sha);
		md_sha256_update(&sha, (const uint8_t *)buf, len);
		md_sha256_final(digest, &sha);
		t_sha = now() - t0;
	}
	munmap(buf, len);

	/* the default digest, xxh64 */
	printf("bench: %4zu MiB: checkpoint %7.3f s, write %7.3f s, ratio %.2f (target 1.10)\n",
	       mib, t_ckpt, t_write, t_ckpt / t_write);
	printf("bench: %4zu MiB: restart    %7.3f s, read  %7.3f s, ratio %.2f (target 1.30)\n",
	       mib, t_rst, t_read, t_rst / t_read);
	printf("bench: %4zu MiB: xxh64 alone (userspace, libxxhash) %7.3f s, %.2f x the write\n",
	       mib, t_xxh, t_xxh / t_write);
	printf("bench: %4zu MiB: checkpoint %.2f x, restart %.2f x the xxh64 alone\n",
	       mib, t_ckpt / t_xxh, t_rst / t_xxh);
	/* CKPT_DIGEST_SHA256 */
	printf("bench: %4zu MiB: sha256 checkpoint %7.3f s, write %7.3f s, ratio %.2f\n",
	       mib, t_ckpt_sha, t_write, t_ckpt_sha / t_write);
	printf("bench: %4zu MiB: sha256 restart    %7.3f s, read  %7.3f s, ratio %.2f\n",
	       mib, t_rst_sha, t_read, t_rst_sha / t_read);
	printf("bench: %4zu MiB: SHA-256 alone (%s) %7.3f s, %.2f x the write\n",
	       mib, sha_where, t_sha, t_sha / t_write);
	printf("bench: %4zu MiB: sha256 checkpoint %.2f x, restart %.2f x the SHA-256 alone\n",
	       mib, t_ckpt_sha / t_sha, t_rst_sha / t_sha);
	if (!watch)
		return;
	cycle(mib, 0, &wck, &wrs, data);
	printf("bench: %4zu MiB: checkpoint data path %7.3f s, %.2f x the write; ",
	       mib, data[0], data[0] / t_write);
	printf("the call %.3f s (watched run)\n", wck);
	printf("bench: %4zu MiB: restart data path    %7.3f s, %.2f x the read;  ",
	       mib, data[1], data[1] / t_read);
	printf("the call %.3f s (watched run)\n", wrs);
}

/*
 * Pages of zeroes are not written: what the check costs, and saves.  A
 * checkpoint (kept frozen, CKPT_NO_COW) of @mib MiB of each fill; medians.
 */
static void zero_pages(size_t mib)
{
	static const char * const what[] = {
		"every page different", "all zeroes", "zeroes, each page's last byte not",
	};
	double t[3][MAX_ROUNDS], t0;
	long long size[3] = { 0 };
	struct stat st;
	char img[256];
	int f, i, fd;
	pid_t pid;

	for (i = 0; i < rounds; i++)
		for (f = FILL_DIRTY; f <= FILL_LAST; f++) {
			fill = f;
			pid = spawn(mib);
			fd = tmpfile_in("bench.img", img, sizeof(img));
			t0 = now();
			if (checkpoint(pid, fd, CKPT_KILL | CKPT_NO_COW, 2))
				die("checkpoint");
			t[f][i] = now() - t0;
			if (fstat(fd, &st))
				die("fstat");
			size[f] = st.st_size;
			reap(pid);
			close(fd);
			unlink(img);
		}
	fill = FILL_DIRTY;
	for (f = FILL_DIRTY; f <= FILL_LAST; f++)
		printf("bench: %4zu MiB %-34s checkpoint %7.3f s, image %8lld KiB, %.2f x\n",
		       mib, what[f], median(t[f], rounds), size[f] >> 10,
		       median(t[f], rounds) / median(t[0], rounds));
}

static void small_cycle(int reps)
{
	double t0, t1, t_cycle = 0, t_fork = 0, t_ck = 0, t_rs = 0;
	char img[256];
	int i, fd;

	for (i = 0; i < reps; i++) {
		pid_t pid = spawn(4), got;

		fd = tmpfile_in("bench-small.img", img, sizeof(img));
		t0 = now();
		if (checkpoint(pid, fd, CKPT_KILL, 2))
			die("checkpoint");
		t_ck += now() - t0;
		waitpid(pid, NULL, 0);
		lseek(fd, 0, SEEK_SET);
		t1 = now();
		got = restart(fd, 0, 2);
		t_rs += now() - t1;
		if (got != pid)
			die("restart");
		kill(got, SIGKILL);
		waitpid(got, NULL, __WALL);
		t_cycle += now() - t0;
		close(fd);
		unlink(img);

		t0 = now();
		pid = fork();
		if (!pid) {
			execl(true_prog, "true", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
		t_fork += now() - t0;
	}
	if (criu) {
		double t_dump = 0, t_restore = 0, d, r;

		for (i = 0; i < reps; i++) {
			criu_cycle(4, &d, &r);
			t_dump += d;
			t_restore += r;
		}
		printf("bench-peer: 4 MiB: fork+exec+wait %.1f ms | checkpoint(2)+restart(2) %.1f ms %.2f x | criu dump+restore %.1f ms %.2f x\n",
		       t_fork * 1e3 / reps, t_cycle * 1e3 / reps, t_cycle / t_fork,
		       (t_dump + t_restore) * 1e3 / reps, (t_dump + t_restore) / t_fork);
		printf("bench-peer: 4 MiB: checkpoint(2) %.1f ms, restart(2) %.1f ms | criu dump %.1f ms, criu restore %.1f ms\n",
		       t_ck * 1e3 / reps, t_rs * 1e3 / reps, t_dump * 1e3 / reps,
		       t_restore * 1e3 / reps);
		return;
	}
	printf("bench: 4 MiB: ckpt+kill+restart %.1f ms, fork+exec+wait %.1f ms, ratio %.2f\n",
	       t_cycle * 1e3 / reps, t_fork * 1e3 / reps, t_cycle / t_fork);
	printf("bench: 4 MiB: of which checkpoint(2) %.1f ms, restart(2) %.1f ms\n",
	       t_ck * 1e3 / reps, t_rs * 1e3 / reps);
}

int main(int argc, char **argv)
{
	size_t sizes[8] = { 256, 1024 };
	int nsizes = 0, c, i;

	while ((c = getopt(argc, argv, "c:d:s:r:t:")) != -1) {
		if (c == 'c')
			criu = optarg;
		else if (c == 't')
			true_prog = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 's' && nsizes < 8)
			sizes[nsizes++] = strtoul(optarg, NULL, 10);
		else if (c == 'r' && atoi(optarg) > 0 && atoi(optarg) <= MAX_ROUNDS)
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (!nsizes)
		nsizes = 2;
	/* What CRIU restores comes back to us, to be reaped */
	if (criu && prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER");
	for (i = 0; i < nsizes; i++)
		one_size(sizes[i], i == 0);
	if (!criu) {
		cow_vs_frozen(sizes[0]);
		zero_pages(sizes[0]);
	}
	small_cycle(10);
	return 0;
}
