// SPDX-License-Identifier: GPL-2.0
/*
 * mkimage: write synthetic checkpoint images for the ckptinfo host tests.
 *
 *   mkimage                   a valid image (one process, most record types)
 *   mkimage --two-tasks       a valid image of two processes (a tree)
 *   mkimage --job             a valid image of a session: a shell with the
 *                             terminal, a pipeline with a pipe, a FIFO, a
 *                             multi-threaded process (its other threads
 *                             SCHED_BATCH, pinned; checkpoint settings of
 *                             its own: its tree, a pattern, a notification
 *                             signal), a zombie, a stopped job (SIG_CKPT
 *                             and SIG_CKPT_KILL handlers, its process
 *                             group's scope); THP disabled or MDWE in some
 *                             (PR_SET_THP_DISABLE, PR_SET_MDWE)
 *   mkimage --job --no-tty    the same without its TTY record (invalid)
 *   mkimage --pty             a valid image of a process tree holding pseudo-
 *                             terminals: a terminal server with the masters
 *                             of two ptys, a shell in a session of its own on
 *                             one's slave, and a program reading from it
 *   mkimage --objects         a valid image of a process holding the objects
 *                             of format v5: shared anonymous memory and a
 *                             memfd mapped, the memfd and a deleted file
 *                             open, an eventfd, two timerfds, a signalfd
 *                             and an epoll set
 *   mkimage --unix            a valid image of a process tree holding unix
 *                             sockets: a listening socket with its file, a
 *                             stream socketpair with queued data (the other
 *                             end in a child), datagram sockets with a
 *                             file and an abstract name, a seqpacket
 *                             socket whose peer was closed, files in
 *                             flight (SCM_RIGHTS) to the child's end
 *   mkimage --shared          a valid image, taken with CKPT_FILE_LOCKS, of
 *                             a process tree: a server with two threads,
 *                             POSIX timers and file locks (POSIX, open file
 *                             description, flock), a zombie, and children
 *                             sharing its file table, its working
 *                             directory, or both, forked without execve(2)
 *                             (CKPT_ACCT_FORKNOEXEC); one with a lock of its
 *                             own
 *   mkimage --ipc             a valid image of a process tree holding System
 *                             V shared memory and inotify: a server that
 *                             attached a segment read-write and a removed
 *                             one, with mlockall(MCL_FUTURE) and madvise()
 *                             flags, and an inotify instance with two
 *                             watches and three queued events; its child
 *                             attaches the segment read-only (SHM_RDONLY)
 *
 * with, before those, --digest xxh64 (the default) or --digest sha256:
 * the digest the header names and the trailer holds;
 *
 * followed by nothing (the image), or one of:
 *
 *   mkimage --corrupt KIND    an image with one structural defect; the
 *                             trailer's digest is recomputed so that only
 *                             the defect is wrong (see kinds[] below)
 *   mkimage --mutate SEED     one random byte changed; odd seeds also
 *                             recompute the trailer's digest
 *   mkimage --mutate-in TYPE[,TYPE...] --mutate SEED
 *                             the same, the byte in a record of one of the
 *                             types TYPE
 *   mkimage --offset-of TYPE  print the offset of the first record TYPE
 *   mkimage --record-offsets  print the offset of every record, then the size
 *   mkimage --prefix-len      print the number of bytes before the trailer
 *   mkimage --sha256-selftest check the SHA-256 of libmd, fed in pieces,
 *                             against known vectors
 *   mkimage --xxh64-selftest  the same for the xxh64 of libxxhash
 *
 * Images go to standard output.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>

#include <linux/audit.h>
#include <linux/checkpoint.h>

#define XXH_STATIC_LINKING_ONLY	/* XXH64_state_t on the stack */
#include <xxhash.h>
#include "md_sha256.h"		/* libmd */

#define PAGE	4096
#define XSTATE	832
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct image {
	uint8_t *p;
	size_t len, size;
	size_t rec;		/* offset of the record being written */
	size_t off[CKPT_REC_MAX];	/* first record of each type */
	size_t trailer;
	size_t nrec;		/* every record: type and offset */
	uint32_t rtype[256];
	size_t roff[256];
};

/*
 * The images: a process, two (a tree), a whole job, a tree with ptys, a
 * process with unlinked files and event fds, a tree with unix sockets, a
 * tree sharing tables, with POSIX timers and file locks, or a tree with
 * System V shared memory and inotify
 */
enum shape { ONE, TWO, JOB, PTY, OBJ, SOCKS, SHARED, IPC };

static int omit_tty;		/* --no-tty: the job image without its TTY record */
static uint32_t digest_alg = CKPT_HASH_XXH64;	/* --digest NAME */
static uint64_t mutate_types;	/* --mutate-in TYPE,...: mutate a byte of these records */

static void put(struct image *im, const void *data, size_t n)
{
	if (im->len + n > im->size) {
		im->size = (im->len + n) * 2;
		im->p = realloc(im->p, im->size);
		if (!im->p) {
			perror("mkimage");
			exit(2);
		}
	}
	memcpy(im->p + im->len, data, n);
	im->len += n;
}

/* Append a record: @rec is its fixed part (header included), @tail follows */
static void record(struct image *im, uint32_t type, void *rec, size_t size,
		   const void *tail, size_t tail_len)
{
	static const uint8_t zero[CKPT_ALIGN];
	struct ckpt_hdr *h = rec;

	h->type = type;
	h->len = (uint32_t)(size + tail_len);
	im->rec = im->len;
	if (!im->off[type])
		im->off[type] = im->len;
	if (im->nrec < ARRAY_SIZE(im->roff)) {
		im->rtype[im->nrec] = type;
		im->roff[im->nrec++] = im->len;
	}
	put(im, rec, size);
	if (tail_len)
		put(im, tail, tail_len);
	put(im, zero, (CKPT_ALIGN - im->len % CKPT_ALIGN) % CKPT_ALIGN);
}

/* Offset of the @n-th (from 0) record of @type; exits if there is none */
static size_t nth(struct image *im, uint32_t type, int n)
{
	size_t i;

	for (i = 0; i < im->nrec; i++)
		if (im->rtype[i] == type && n-- == 0)
			return im->roff[i];
	fprintf(stderr, "mkimage: no such record\n");
	exit(2);
}

/*
 * The trailer's value for the @len bytes at @p with digest @alg: xxh64
 * (seed 0) as a little-endian __u64 and zeroes, or SHA-256.  An unknown
 * @alg leaves @value as it is.
 */
static void digest(uint32_t alg, const uint8_t *p, size_t len, uint8_t value[32])
{
	uint64_t x;
	SHA2_CTX s;
	int i;

	if (alg == CKPT_HASH_SHA256) {
		md_sha256_init(&s);
		md_sha256_update(&s, p, len);
		md_sha256_final(value, &s);
	} else if (alg == CKPT_HASH_XXH64) {
		x = XXH64(p, len, 0);
		memset(value, 0, 32);
		for (i = 0; i < 8; i++)
			value[i] = (uint8_t)(x >> (8 * i));
	}
}

static void trailer(struct image *im)
{
	struct ckpt_rec_trailer t;

	memset(&t, 0, sizeof(t));
	t.total_len = im->len;
	t.digest = digest_alg;
	digest(t.digest, im->p, im->len, t.value);
	im->trailer = im->len;
	record(im, CKPT_REC_TRAILER, &t, sizeof(t), NULL, 0);
}

/* Recompute the trailer's digest after the bytes before it were changed */
static void rehash(struct image *im)
{
	struct ckpt_rec_trailer *t = (void *)(im->p + im->trailer);

	digest(t->digest, im->p, im->trailer, t->value);
}

/* A process of a synthetic image */
struct proc {
	int32_t pid, ppid, pgid, sid, exit_code;
	uint32_t flags, nr_threads;
	const char *comm;
	int t;			/* index in the image */
	void (*files)(struct image *im, const struct proc *p);
	/* MM, VMA and PAGES records; NULL: simple_mm() */
	void (*mm)(struct image *im, const struct proc *p);
	/* per thread (up to 3): restart block kind, clock, time left */
	uint32_t rb_kind[3];
	int32_t rb_clock[3];
	int64_t rb_left[3];
	/* its SHARES record, if either is set: files then has no effect */
	int32_t files_of, fs_of;
	/* its POSIX timers, and the id timer_create() would try next */
	const struct ckpt_posix_timer *ptimers;
	uint32_t nr_ptimers, next_posix_id;
	uint32_t mm_flags;	/* CKPT_MM_* in simple_mm()'s MM record */
	/* its CKPTSIG record (all 0, pattern NULL: the defaults) */
	uint32_t ckpt_scope, ckpt_notify;
	int32_t ckpt_anchor;
	const char *ckpt_pattern;
	int sig_ckpt;		/* SIGUSR2 SIG_CKPT, SIGTERM SIG_CKPT_KILL */
};

static void file(struct image *im, uint32_t objid, uint32_t kind, uint32_t mode,
		 uint32_t flags, uint32_t pipe_id, const char *path)
{
	struct ckpt_rec_file f;
	size_t n = path ? strlen(path) + 1 : 0;

	memset(&f, 0, sizeof(f));
	f.objid = objid;
	f.kind = kind;
	f.mode = mode;
	f.flags = flags;
	f.ref_id = pipe_id;
	f.path_len = (uint32_t)n;
	if (kind == CKPT_FILE_REG) {
		f.pos = 100;
		f.size = 100;
	}
	record(im, CKPT_REC_FILE, &f, sizeof(f), path, n);
}

static void fd(struct image *im, uint32_t fdnum, uint32_t objid, uint32_t cloexec)
{
	struct ckpt_rec_fd d;

	memset(&d, 0, sizeof(d));
	d.fd = fdnum;
	d.objid = objid;
	d.cloexec = cloexec;
	record(im, CKPT_REC_FD, &d, sizeof(d), NULL, 0);
}

static void pipe_rec(struct image *im, uint32_t objid, uint32_t capacity, const char *data)
{
	struct ckpt_rec_pipe p;
	size_t n = data ? strlen(data) : 0;

	memset(&p, 0, sizeof(p));
	p.objid = objid;
	p.capacity = capacity;
	p.data_len = (uint32_t)n;
	record(im, CKPT_REC_PIPE, &p, sizeof(p), data, n);
}

/* The files of the simple images: fds 0-2 inherited, fd 3 a log file */
static void simple_files(struct image *im, const struct proc *p)
{
	static const char path[] = "/tmp/log \"odd\\name\"\n\xc3\xa9.txt";
	int i;

	file(im, 1 + 2 * p->t, CKPT_FILE_INHERIT, 3, 2, 0, NULL);
	file(im, 2 + 2 * p->t, CKPT_FILE_REG, 2, 02001, 0, path);	/* O_WRONLY | O_APPEND */
	for (i = 0; i < 3; i++)
		fd(im, i, 1 + 2 * p->t, 0);
	fd(im, 3, 2 + 2 * p->t, 1);
}

/*
 * The job image: a login shell (session 4200) with the terminal, running
 * the pipeline "producer | consumer" in the foreground (group 4210), the
 * consumer's child already a zombie, and a stopped background job.
 */
#define OBJ_TTY		1
#define OBJ_PIPE	10	/* producer -> consumer */
#define OBJ_PIPE_W	11
#define OBJ_PIPE_R	12
#define OBJ_FIFO_PIPE	20
#define OBJ_FIFO	21

static void shell_files(struct image *im, const struct proc *p)
{
	int i;

	file(im, OBJ_TTY, CKPT_FILE_CTTY, 3, 2, 0, NULL);
	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_TTY, 0);
	fd(im, 255, OBJ_TTY, 1);
}

static void producer_files(struct image *im, const struct proc *p)
{
	fd(im, 0, OBJ_TTY, 0);
	pipe_rec(im, OBJ_PIPE, 65536, "hello\n");
	file(im, OBJ_PIPE_W, CKPT_FILE_PIPE, 2, 1, OBJ_PIPE, NULL);
	fd(im, 1, OBJ_PIPE_W, 0);
	fd(im, 2, OBJ_TTY, 0);
}

static void consumer_files(struct image *im, const struct proc *p)
{
	file(im, OBJ_PIPE_R, CKPT_FILE_PIPE, 1, 0, OBJ_PIPE, NULL);
	fd(im, 0, OBJ_PIPE_R, 0);
	fd(im, 1, OBJ_TTY, 0);
	fd(im, 2, OBJ_TTY, 0);
	pipe_rec(im, OBJ_FIFO_PIPE, 16384, NULL);
	file(im, OBJ_FIFO, CKPT_FILE_FIFO, 1, 04000, OBJ_FIFO_PIPE, "/tmp/ctl");
	fd(im, 3, OBJ_FIFO, 1);
}

static void sleeper_files(struct image *im, const struct proc *p)
{
	int i;

	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_TTY, 0);
}

/*
 * The pty image: a terminal server (4300, its own session, no controlling
 * terminal) holds the masters of pts/5 and pts/6.  On pts/5, a shell
 * (4301) leads session 4301, and cat (4302, the foreground group) reads
 * it: a line and a half typed and processed, more typed and not yet
 * processed, the shell's output not yet read by the server.  pts/6 is in
 * packet mode, its slave closed, in raw mode, empty.
 */
#define OBJ_INHERIT	1
#define OBJ_PTY_A	30	/* pts/5 */
#define OBJ_PTY_A_M	31	/* its master, the server's fd 5 */
#define OBJ_PTY_A_S	32	/* its slave, the shell's fds 0-2 and 255 */
#define OBJ_PTY_A_S2	33	/* its slave, opened by cat as fd 3 */
#define OBJ_PTY_B	40	/* pts/6 */
#define OBJ_PTY_B_M	41	/* its master, the server's fd 7 */

#define PTY_O_RDWR	00000002
#define PTY_O_NONBLOCK	00004000
#define PTY_O_LARGEFILE	00100000

struct pty_def {
	uint32_t objid, index, flags, master_flags;
	int32_t sid, fg_pgrp;
	uint16_t rows, cols;
	int raw;		/* the slave in raw mode (cfmakeraw) */
	const char *slave_in, *slave_raw, *master_in, *master_raw;
};

/* Data, its line-end bitmap (a bit at each '\n' if @eol), then raw data */
static size_t pty_data(uint8_t *out, const char *in, const char *raw, int eol)
{
	size_t n = strlen(in), r = strlen(raw), i, len = n + (n + 7) / 8;

	memcpy(out, in, n);
	memset(out + n, 0, (n + 7) / 8);
	for (i = 0; eol && i < n; i++)
		if (in[i] == '\n')
			out[n + i / 8] |= 1 << (i % 8);
	memcpy(out + len, raw, r);
	return len + r;
}

/* A terminal as a shell leaves it (cooked), or as an editor sets it (raw) */
static void tty_state(struct ckpt_tty_state *st, int raw, int32_t sid, int32_t fg_pgrp,
		      uint16_t rows, uint16_t cols)
{
	st->sid = sid;
	st->fg_pgrp = fg_pgrp;
	st->termios.cflag = 0x00bf;		/* cs8 cread B38400 */
	st->termios.ispeed = 38400;
	st->termios.ospeed = 38400;
	st->termios.cc[6] = 1;			/* VMIN */
	if (!raw) {
		st->termios.iflag = 0x4500;	/* icrnl ixon iutf8 */
		st->termios.oflag = 0x0005;	/* opost onlcr */
		/* isig icanon echo echoe echok echoctl echoke iexten */
		st->termios.lflag = 0x8a3b;
		st->termios.cc[0] = 3;		/* ^C */
		st->termios.cc[2] = 0x7f;
		st->termios.cc[4] = 4;
		st->termios.cc[10] = 26;	/* ^Z */
	}
	st->ws.row = rows;
	st->ws.col = cols;
}

static void pty_rec(struct image *im, const struct pty_def *d)
{
	struct ckpt_rec_pty p;
	uint8_t data[512];
	size_t n;

	memset(&p, 0, sizeof(p));
	p.objid = d->objid;
	p.index = d->index;
	p.flags = d->flags;
	p.master_flags = d->master_flags;
	tty_state(&p.slave, d->raw, d->sid, d->fg_pgrp, d->rows, d->cols);
	p.slave_in = (uint32_t)strlen(d->slave_in);
	p.slave_raw = (uint32_t)strlen(d->slave_raw);
	p.master_in = (uint32_t)strlen(d->master_in);
	p.master_raw = (uint32_t)strlen(d->master_raw);
	n = pty_data(data, d->slave_in, d->slave_raw, !d->raw);
	/* the master's line discipline is always raw: no line ends */
	n += pty_data(data + n, d->master_in, d->master_raw, 0);
	record(im, CKPT_REC_PTY, &p, sizeof(p), data, n);
}

static void server_files(struct image *im, const struct proc *p)
{
	static const struct pty_def a = {
		.objid = OBJ_PTY_A, .index = 5, .master_flags = PTY_O_RDWR | PTY_O_NONBLOCK |
		PTY_O_LARGEFILE, .sid = 4301, .fg_pgrp = 4302, .rows = 50, .cols = 132,
		.slave_in = "ls -l\nec", .slave_raw = "ho\n", .master_in = "total 0\r\n$ ",
		.master_raw = "",
	};
	static const struct pty_def b = {
		.objid = OBJ_PTY_B, .index = 6, .flags = CKPT_PTY_PACKET | CKPT_PTY_SLAVE_CLOSED,
		.master_flags = PTY_O_RDWR | PTY_O_LARGEFILE, .raw = 1,
		.slave_in = "", .slave_raw = "", .master_in = "", .master_raw = "",
	};
	int i;

	file(im, OBJ_INHERIT, CKPT_FILE_INHERIT, 3, 0, 0, NULL);
	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	pty_rec(im, &a);
	file(im, OBJ_PTY_A_M, CKPT_FILE_PTY_MASTER, 3, PTY_O_NONBLOCK | PTY_O_LARGEFILE,
	     OBJ_PTY_A, NULL);
	fd(im, 5, OBJ_PTY_A_M, 1);
	pty_rec(im, &b);
	file(im, OBJ_PTY_B_M, CKPT_FILE_PTY_MASTER, 3, PTY_O_LARGEFILE, OBJ_PTY_B, NULL);
	fd(im, 7, OBJ_PTY_B_M, 1);
}

static void pty_shell_files(struct image *im, const struct proc *p)
{
	int i;

	file(im, OBJ_PTY_A_S, CKPT_FILE_PTY_SLAVE, 3, PTY_O_LARGEFILE, OBJ_PTY_A, NULL);
	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_PTY_A_S, 0);
	fd(im, 255, OBJ_PTY_A_S, 1);
}

static void pty_reader_files(struct image *im, const struct proc *p)
{
	int i;

	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_PTY_A_S, 0);
	file(im, OBJ_PTY_A_S2, CKPT_FILE_PTY_SLAVE, 1, PTY_O_LARGEFILE, OBJ_PTY_A, NULL);
	fd(im, 3, OBJ_PTY_A_S2, 0);
}

static const char exe[] = "/usr/bin/sleeper";

/* Page contents that are not all zeroes */
static void fill(uint8_t *pages, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		pages[i] = (uint8_t)(i * 31 + seed);
}

static void mm_rec(struct image *im, uint32_t nr_vmas)
{
	struct ckpt_rec_mm mm;

	memset(&mm, 0, sizeof(mm));
	mm.start_code = 0x400000;
	mm.end_code = 0x401800;
	mm.start_stack = 0x7ffd3ff0;
	mm.nr_vmas = nr_vmas;
	mm.auxv_words = 4;
	mm.auxv[0] = 6;				/* AT_PAGESZ */
	mm.auxv[1] = PAGE;
	mm.exe_len = sizeof(exe);
	record(im, CKPT_REC_MM, &mm, sizeof(mm), exe, sizeof(exe));
}

static void vma_rec(struct image *im, uint64_t start, uint64_t end, uint32_t kind,
		    uint32_t prot, uint32_t flags, uint32_t objid, const char *path)
{
	struct ckpt_rec_vma vma;
	size_t n = path ? strlen(path) + 1 : 0;

	memset(&vma, 0, sizeof(vma));
	vma.start = start;
	vma.end = end;
	vma.kind = kind;
	vma.prot = prot;
	vma.flags = flags;
	vma.objid = objid;
	vma.path_len = (uint32_t)n;
	if (kind == CKPT_VMA_FILE_PRIVATE)
		vma.vm_flags = 0x875;
	record(im, CKPT_REC_VMA, &vma, sizeof(vma), path, n);
}

static void pages_rec(struct image *im, uint64_t addr, uint32_t nr, int seed)
{
	struct ckpt_rec_pages pg;
	uint8_t pages[3 * PAGE];

	fill(pages, nr * PAGE, seed);
	memset(&pg, 0, sizeof(pg));
	pg.addr = addr;
	pg.nr_pages = nr;
	record(im, CKPT_REC_PAGES, &pg, sizeof(pg), pages, nr * PAGE);
}

/* The memory of the simple images: the executable's text and the stack */
static void simple_mm(struct image *im, const struct proc *p)
{
	mm_rec(im, 2);
	((struct ckpt_rec_mm *)(im->p + im->rec))->flags = p->mm_flags;
	vma_rec(im, 0x400000, 0x402000, CKPT_VMA_FILE_PRIVATE, 5, 0, 0, exe);
	vma_rec(im, 0x7ffd0000, 0x7ffd4000, CKPT_VMA_ANON, 3,
		CKPT_VMA_GROWSDOWN | CKPT_VMA_STACK, 0, NULL);
	pages_rec(im, 0x400000, 1, 7);
	pages_rec(im, 0x7ffd2000, 2, 7 + PAGE * 31);
}

/*
 * The objects image: a server (4400) whose shared anonymous memory, and a
 * memfd it maps privately, are saved with their contents; the memfd and a
 * deleted file are open, with an eventfd, two timerfds (a relative one,
 * and one set for a date), a signalfd and an epoll set watching the
 * eventfd.
 */
#define OBJ_SHM		50	/* shared anonymous memory, 2 pages, 1 saved */
#define OBJ_MEMFD	51	/* memfd:cache, 5000 bytes */
#define OBJ_DELETED	52	/* a deleted file in /tmp, 10 bytes */
#define OBJ_MEMFD_FILE	60
#define OBJ_DELETED_FILE 61
#define OBJ_EVENTFD	70
#define OBJ_TIMERFD	72
#define OBJ_TIMERFD_RT	74
#define OBJ_SIGNALFD	76
#define OBJ_EPOLL	78

#define O_RDWR_BIT	00000002
#define O_NONBLOCK_BIT	00004000
#define O_LARGEFILE_BIT	00100000

static void unlinked_rec(struct image *im, uint32_t objid, uint32_t kind, uint64_t size,
			 uint64_t nr_pages, uint32_t mode, uint32_t seals, const char *path)
{
	struct ckpt_rec_unlinked u;
	size_t n = path ? strlen(path) + 1 : 0;

	memset(&u, 0, sizeof(u));
	u.objid = objid;
	u.kind = kind;
	u.size = size;
	u.nr_pages = nr_pages;
	u.mode = mode;
	u.seals = seals;
	u.path_len = (uint32_t)n;
	record(im, CKPT_REC_UNLINKED, &u, sizeof(u), path, n);
}

static void objects_mm(struct image *im, const struct proc *p)
{
	mm_rec(im, 4);
	vma_rec(im, 0x400000, 0x402000, CKPT_VMA_FILE_PRIVATE, 5, 0, 0, exe);
	unlinked_rec(im, OBJ_SHM, CKPT_UNLINKED_SHMEM, 2 * PAGE, 1, 0600, 0, NULL);
	pages_rec(im, PAGE, 1, 1);
	vma_rec(im, 0x10000000, 0x10002000, CKPT_VMA_OBJ_SHARED, 3, 0, OBJ_SHM, NULL);
	/* F_SEAL_SHRINK | F_SEAL_GROW */
	unlinked_rec(im, OBJ_MEMFD, CKPT_UNLINKED_MEMFD, 5000, 2, 0777, 0x6, "memfd:cache");
	pages_rec(im, 0, 1, 2);
	pages_rec(im, PAGE, 1, 3);
	vma_rec(im, 0x20000000, 0x20002000, CKPT_VMA_OBJ_PRIVATE, 3, 0, OBJ_MEMFD, NULL);
	vma_rec(im, 0x7ffd0000, 0x7ffd4000, CKPT_VMA_ANON, 3,
		CKPT_VMA_GROWSDOWN | CKPT_VMA_STACK, 0, NULL);
	pages_rec(im, 0x400000, 1, 7);
	pages_rec(im, 0x20001000, 1, 4);		/* a copy-on-write page of the memfd */
	pages_rec(im, 0x7ffd2000, 2, 5);
}

/* A FILE record of an object other than a pipe or pty */
static void obj_file(struct image *im, uint32_t objid, uint32_t kind, uint32_t mode,
		     uint32_t flags, uint32_t ref_id, int64_t pos, uint64_t size)
{
	struct ckpt_rec_file f;

	memset(&f, 0, sizeof(f));
	f.objid = objid;
	f.kind = kind;
	f.mode = mode;
	f.flags = flags;
	f.ref_id = ref_id;
	f.pos = pos;
	f.size = size;
	record(im, CKPT_REC_FILE, &f, sizeof(f), NULL, 0);
}

static void timerfd_rec(struct image *im, uint32_t objid, int32_t clockid, uint32_t flags,
			uint64_t value, uint64_t interval, uint64_t ticks, uint64_t expires)
{
	struct ckpt_rec_timerfd t;

	memset(&t, 0, sizeof(t));
	t.objid = objid;
	t.clockid = clockid;
	t.flags = flags;
	t.value_ns = value;
	t.interval_ns = interval;
	t.ticks = ticks;
	t.expires_ns = expires;
	record(im, CKPT_REC_TIMERFD, &t, sizeof(t), NULL, 0);
}

static void objects_files(struct image *im, const struct proc *p)
{
	static const uint64_t s = 1000000000;
	struct ckpt_rec_eventfd e;
	struct ckpt_rec_signalfd sfd;
	struct {
		struct ckpt_rec_epoll r;
		struct ckpt_epoll_item item;
	} ep;
	int i;

	file(im, OBJ_INHERIT, CKPT_FILE_INHERIT, 3, 0, 0, NULL);
	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	obj_file(im, OBJ_MEMFD_FILE, CKPT_FILE_UNLINKED, 3, O_RDWR_BIT | O_LARGEFILE_BIT,
		 OBJ_MEMFD, 100, 5000);
	fd(im, 3, OBJ_MEMFD_FILE, 1);
	unlinked_rec(im, OBJ_DELETED, CKPT_UNLINKED_DELETED, 10, 1, 0644, 0, "/tmp");
	pages_rec(im, 0, 1, 6);
	obj_file(im, OBJ_DELETED_FILE, CKPT_FILE_UNLINKED, 1, O_LARGEFILE_BIT, OBJ_DELETED,
		 10, 10);
	fd(im, 4, OBJ_DELETED_FILE, 0);

	memset(&e, 0, sizeof(e));
	e.objid = OBJ_EVENTFD;
	e.flags = 1;				/* EFD_SEMAPHORE */
	e.count = 3;
	record(im, CKPT_REC_EVENTFD, &e, sizeof(e), NULL, 0);
	obj_file(im, OBJ_EVENTFD + 1, CKPT_FILE_EVENTFD, 3, O_NONBLOCK_BIT, OBJ_EVENTFD, 0, 0);
	fd(im, 5, OBJ_EVENTFD + 1, 1);

	/* every second, next in 1.5 s, 2 expirations not read */
	timerfd_rec(im, OBJ_TIMERFD, 1, 0, 3 * s / 2, s, 2, 0);
	obj_file(im, OBJ_TIMERFD + 1, CKPT_FILE_TIMERFD, 3, 0, OBJ_TIMERFD, 0, 0);
	fd(im, 6, OBJ_TIMERFD + 1, 1);
	/*
	 * CLOCK_REALTIME, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, 10 s after
	 * the header's time
	 */
	timerfd_rec(im, OBJ_TIMERFD_RT, 0, 3, 10 * s, 0, 0, (1767225600 + 10) * s);
	obj_file(im, OBJ_TIMERFD_RT + 1, CKPT_FILE_TIMERFD, 3, O_NONBLOCK_BIT | O_LARGEFILE_BIT,
		 OBJ_TIMERFD_RT, 0, 0);
	fd(im, 7, OBJ_TIMERFD_RT + 1, 1);

	memset(&sfd, 0, sizeof(sfd));
	sfd.objid = OBJ_SIGNALFD;
	sfd.mask = 1ULL << 9 | 1ULL << 14;	/* SIGUSR1, SIGTERM */
	record(im, CKPT_REC_SIGNALFD, &sfd, sizeof(sfd), NULL, 0);
	obj_file(im, OBJ_SIGNALFD + 1, CKPT_FILE_SIGNALFD, 3, 0, OBJ_SIGNALFD, 0, 0);
	fd(im, 8, OBJ_SIGNALFD + 1, 1);

	memset(&ep, 0, sizeof(ep));
	ep.r.objid = OBJ_EPOLL;
	ep.r.nr_items = 1;
	ep.item.fd = 5;				/* the eventfd */
	ep.item.events = 0x80000001;		/* EPOLLIN | EPOLLET */
	ep.item.data = 0x1234;
	record(im, CKPT_REC_EPOLL, &ep, sizeof(ep), NULL, 0);
	obj_file(im, OBJ_EPOLL + 1, CKPT_FILE_EPOLL, 3, 0, OBJ_EPOLL, 0, 0);
	fd(im, 9, OBJ_EPOLL + 1, 1);
}

/*
 * The unix image: a server (4500) listening on /run/app.sock, with one
 * end of a stream socketpair (the other in its child, the worker, 4501)
 * holding 12 bytes the worker sent; a datagram socket bound to
 * /run/logd.sock with two datagrams (one from the job's client socket,
 * one from outside), that client socket, bound to an abstract name and
 * connected to it, with a reply; a seqpacket socket whose peer (named
 * /run/seq.sock) was closed, with its last two messages; and an unnamed
 * datagram socket with options.  Objids: UNIX records even, their FILE
 * records + 1.  The server sent two messages to the worker's end with
 * files in flight (SCM_RIGHTS): a log file it closed since, only in
 * flight, and the worker's config file, also on the worker's fd 4; their
 * FILE records come before the worker's socket.
 */
#define OBJ_LISTEN	90
#define OBJ_PAIR_A	92	/* the server's end */
#define OBJ_PAIR_B	94	/* the worker's end, later in the image */
#define OBJ_LOGD	96
#define OBJ_CLIENT	98
#define OBJ_SEQ		100
#define OBJ_UNNAMED	102
#define OBJ_FLIGHT_LOG	104	/* a file only in flight */
#define OBJ_FLIGHT_CONF	105	/* in flight, and on the worker's fd 4 */

#define SOCK_STREAM_NR		1
#define SOCK_DGRAM_NR		2
#define SOCK_SEQPACKET_NR	5
#define SUN_FAMILY_LEN		2
#define ALIGN8(x)		(((x) + 7) & ~(size_t)7)

struct unix_msg_def {
	uint32_t sender_id, pid, uid;
	const char *data;
	const uint32_t *fds;		/* files in flight with it */
	uint32_t nr_fds;
};

struct unix_def {
	uint32_t objid, peer_id, flags, backlog, sndbuf, rcvbuf, priority;
	int32_t peek_off;
	uint16_t type;
	uint8_t state, shutdown;
	uint32_t peer_pid;		/* with CKPT_UNIX_PEERCRED */
	uint64_t rcvtimeo_ns;		/* 0: none */
	const char *name;		/* sun_path bytes, name_len of them */
	size_t name_len;
	const char *peer_name;
	size_t peer_name_len;
	const char *path;
	const struct unix_msg_def *msgs;
	uint32_t nr_msgs;
};

/* A struct sockaddr_un of @n bytes of sun_path, padded to 8, at @out */
static size_t sun_name(uint8_t *out, const char *path, size_t n)
{
	uint16_t family = 1;		/* AF_UNIX */

	memset(out, 0, ALIGN8(SUN_FAMILY_LEN + n));
	memcpy(out, &family, sizeof(family));
	memcpy(out + SUN_FAMILY_LEN, path, n);
	return SUN_FAMILY_LEN + n;
}

static void unix_rec(struct image *im, const struct unix_def *d)
{
	struct ckpt_rec_unix u;
	struct ckpt_unix_msg m;
	uint8_t tail[1024];
	size_t n = 0, len;
	uint32_t i;

	memset(&u, 0, sizeof(u));
	memset(tail, 0, sizeof(tail));
	u.objid = d->objid;
	u.peer_id = d->peer_id;
	u.type = d->type;
	u.state = d->state;
	u.shutdown = d->shutdown;
	u.flags = d->flags;
	u.backlog = d->backlog;
	u.sndbuf = d->sndbuf ? d->sndbuf : 212992;
	u.rcvbuf = d->rcvbuf ? d->rcvbuf : 212992;
	u.peek_off = d->peek_off;
	u.rcvlowat = 1;
	u.priority = d->priority;
	if (d->flags & CKPT_UNIX_PEERCRED) {
		u.peer_pid = d->peer_pid;
		u.peer_uid = 1000;
		u.peer_gid = 1000;
	}
	u.sndtimeo_ns = CKPT_UNIX_NO_TIMEOUT;
	u.rcvtimeo_ns = d->rcvtimeo_ns ? d->rcvtimeo_ns : CKPT_UNIX_NO_TIMEOUT;
	if (d->name) {
		u.addr_len = (uint32_t)sun_name(tail, d->name, d->name_len);
		n += ALIGN8(u.addr_len);
	}
	if (d->peer_name) {
		u.peer_addr_len = (uint32_t)sun_name(tail + n, d->peer_name, d->peer_name_len);
		n += ALIGN8(u.peer_addr_len);
	}
	if (d->path) {
		u.path_len = (uint32_t)strlen(d->path) + 1;
		memcpy(tail + n, d->path, u.path_len);
		n += ALIGN8(u.path_len);
	}
	u.nr_msgs = d->nr_msgs;
	for (i = 0; i < d->nr_msgs; i++) {
		len = strlen(d->msgs[i].data);
		memset(&m, 0, sizeof(m));
		m.len = (uint32_t)len;
		m.sender_id = d->msgs[i].sender_id;
		m.pid = d->msgs[i].pid;
		m.uid = d->msgs[i].uid;
		m.gid = d->msgs[i].uid;
		m.nr_fds = d->msgs[i].nr_fds;
		memcpy(tail + n, &m, sizeof(m));
		memcpy(tail + n + sizeof(m), d->msgs[i].data, len);
		n += sizeof(m) + ALIGN8(len);
		if (m.nr_fds)
			memcpy(tail + n, d->msgs[i].fds, m.nr_fds * sizeof(uint32_t));
		n += ALIGN8(m.nr_fds * sizeof(uint32_t));
		u.data_len += len;
	}
	record(im, CKPT_REC_UNIX, &u, sizeof(u), tail, n);
}

static void server_unix_files(struct image *im, const struct proc *p)
{
	static const struct unix_msg_def pair_msgs[] = {
		{ OBJ_PAIR_B, 4501, 1000, "hello", NULL, 0 },
		{ OBJ_PAIR_B, 4501, 1000, " world\n", NULL, 0 },
	};
	static const struct unix_msg_def logd_msgs[] = {
		{ OBJ_CLIENT, 4500, 1000, "<13>started", NULL, 0 },
		{ 0, 4711, 0, "<14>ping", NULL, 0 },
	};
	static const struct unix_msg_def client_msgs[] = {
		{ OBJ_LOGD, 4500, 1000, "ack", NULL, 0 },
	};
	static const struct unix_msg_def seq_msgs[] = {
		{ 0, 0, 1000, "bye", NULL, 0 },
		{ 0, 0, 1000, "", NULL, 0 },
	};
	static const struct unix_def socks[] = {
		{ .objid = OBJ_LISTEN, .type = SOCK_STREAM_NR, .state = CKPT_UNIX_LISTEN,
		  .flags = CKPT_UNIX_BOUND, .backlog = 128, .peek_off = -1,
		  .name = "/run/app.sock", .name_len = 14, .path = "/run/app.sock" },
		{ .objid = OBJ_PAIR_A, .peer_id = OBJ_PAIR_B, .type = SOCK_STREAM_NR,
		  .state = CKPT_UNIX_CONNECTED, .flags = CKPT_UNIX_PASSCRED | CKPT_UNIX_PEERCRED |
		  CKPT_UNIX_SNDBUF_LOCK, .sndbuf = 131072, .peek_off = -1, .peer_pid = 4501,
		  .rcvtimeo_ns = 2500000000ULL, .msgs = pair_msgs, .nr_msgs = 2 },
		{ .objid = OBJ_LOGD, .type = SOCK_DGRAM_NR, .state = CKPT_UNIX_UNCONNECTED,
		  .flags = CKPT_UNIX_BOUND | CKPT_UNIX_PASSCRED, .peek_off = -1,
		  .name = "/run/logd.sock", .name_len = 15, .path = "/run/logd.sock",
		  .msgs = logd_msgs, .nr_msgs = 2 },
		{ .objid = OBJ_CLIENT, .peer_id = OBJ_LOGD, .type = SOCK_DGRAM_NR,
		  .state = CKPT_UNIX_CONNECTED, .flags = CKPT_UNIX_BOUND, .peek_off = -1,
		  .name = "\0client\x01", .name_len = 8, .msgs = client_msgs, .nr_msgs = 1 },
		{ .objid = OBJ_SEQ, .type = SOCK_SEQPACKET_NR, .state = CKPT_UNIX_PEER_CLOSED,
		  .shutdown = 3, .peek_off = -1, .peer_name = "/run/seq.sock",
		  .peer_name_len = 14, .msgs = seq_msgs, .nr_msgs = 2 },
		{ .objid = OBJ_UNNAMED, .type = SOCK_DGRAM_NR, .state = CKPT_UNIX_UNCONNECTED,
		  .flags = CKPT_UNIX_TIMESTAMP | CKPT_UNIX_TIMESTAMPNS | CKPT_UNIX_RXQ_OVFL,
		  .peek_off = 0, .priority = 6 },
	};
	size_t i;

	file(im, OBJ_INHERIT, CKPT_FILE_INHERIT, 3, 0, 0, NULL);
	for (i = 0; i < 3; i++)
		fd(im, (uint32_t)i, OBJ_INHERIT, 0);
	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		unix_rec(im, &socks[i]);
		obj_file(im, socks[i].objid + 1, CKPT_FILE_UNIX, 3,
			 socks[i].objid == OBJ_CLIENT ? O_NONBLOCK_BIT : 0, socks[i].objid, 0, 0);
		fd(im, (uint32_t)(3 + i), socks[i].objid + 1, 1);
	}
}

static void worker_unix_files(struct image *im, const struct proc *p)
{
	static const uint32_t take[] = { OBJ_FLIGHT_LOG, OBJ_FLIGHT_CONF };
	static const uint32_t again[] = { OBJ_FLIGHT_CONF };
	static const struct unix_msg_def pair_b_msgs[] = {
		{ OBJ_PAIR_A, 4500, 1000, "take", take, 2 },
		{ OBJ_PAIR_A, 4500, 1000, "again", again, 1 },
	};
	static const struct unix_def pair_b = {
		.objid = OBJ_PAIR_B, .peer_id = OBJ_PAIR_A, .type = SOCK_STREAM_NR,
		.state = CKPT_UNIX_CONNECTED, .flags = CKPT_UNIX_PEERCRED, .peek_off = -1,
		.peer_pid = 4500, .msgs = pair_b_msgs, .nr_msgs = 2,
	};
	int i;

	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	/* the files in flight to fd 3's socket come before it */
	file(im, OBJ_FLIGHT_LOG, CKPT_FILE_REG, 2, 02000, 0, "/var/log/app.log");
	file(im, OBJ_FLIGHT_CONF, CKPT_FILE_REG, 1, 0, 0, "/etc/app.conf");
	unix_rec(im, &pair_b);
	obj_file(im, OBJ_PAIR_B + 1, CKPT_FILE_UNIX, 3, 0, OBJ_PAIR_B, 0, 0);
	fd(im, 3, OBJ_PAIR_B + 1, 0);
	fd(im, 4, OBJ_FLIGHT_CONF, 1);
}

/*
 * The shared image, taken with CKPT_FILE_LOCKS: a server (4600, threads
 * 4600 and 4701) with five POSIX timers and three file locks on its
 * files, a zombie child (4601), a worker (4602) sharing its file table
 * (CLONE_FILES), a logger (4603) sharing its working directory, root and
 * umask (CLONE_FS), with a file and a flock() lock of its own, and a
 * helper (4604) sharing both.
 */
#define OBJ_DB		2	/* /var/lib/app/data.db, read-write: fds 3 and 6 */
#define OBJ_DB_RO	3	/* the same file, read-only: fd 4 */
#define OBJ_LOCKFILE	4	/* /var/lib/app/app.lock: fd 5 */
#define OBJ_LOG		10	/* the logger's /var/log/app.log: fd 3 */

#define O_WRONLY_BIT	00000001
#define O_APPEND_BIT	00002000
#define F_RDLCK_NR	0
#define F_WRLCK_NR	1
#define SIGEV_SIGNAL_NR	0
#define SIGEV_NONE_NR	1
#define SIGEV_THREAD_ID_NR 4
#define SERVER_THREAD	4701	/* the server's second thread */

/* The clock of a thread's CPU time, by tid (pthread_getcpuclockid()) */
#define THREAD_CPUCLOCK(tid, which) ((int32_t)((~(uint32_t)(tid) << 3) | 4 | (which)))
#define CPUCLOCK_SCHED_NR 2

#define SEC		1000000000LL

static const struct ckpt_posix_timer server_ptimers[] = {
	/* every second, next in 1.5 s, SIGALRM with a value */
	{ .id = 0, .clock = 1, .notify = SIGEV_SIGNAL_NR, .signo = 14, .value = 0x1234,
	  .value_ns = 3 * SEC / 2, .interval_ns = SEC, .overrun = -1 },
	/*
	 * an absolute CLOCK_REALTIME timer a minute after the header's time,
	 * SIGRTMIN+2 to the second thread, which has not taken its last one
	 */
	{ .id = 1, .clock = 0, .notify = SIGEV_THREAD_ID_NR | SIGEV_SIGNAL_NR, .signo = 34,
	  .value = 0x7f0000002000ULL, .tid = SERVER_THREAD,
	  .value_ns = (1767225600 + 60) * SEC, .overrun_last = 1,
	  .flags = CKPT_PTIMER_ABS | CKPT_PTIMER_PENDING, .pending_overrun = 2 },
	/* the CPU time of the second thread, by its tid, no signal */
	{ .id = 3, .clock = THREAD_CPUCLOCK(SERVER_THREAD, CPUCLOCK_SCHED_NR),
	  .notify = SIGEV_NONE_NR, .cpu_tid = SERVER_THREAD, .value_ns = 20000000,
	  .overrun = -1 },
	/* CLOCK_THREAD_CPUTIME_ID of the thread that made it, disarmed */
	{ .id = 7, .clock = 3, .notify = SIGEV_SIGNAL_NR, .signo = 24, .cpu_tid = 4600,
	  .overrun = -1 },
	/* CLOCK_PROCESS_CPUTIME_ID, SIGPROF every 0.5 s, 3 overruns */
	{ .id = 9, .clock = 2, .notify = SIGEV_SIGNAL_NR, .signo = 27, .value_ns = SEC / 2,
	  .interval_ns = SEC / 2, .overrun = 3, .overrun_last = 2 },
};

static void locks_rec(struct image *im, const struct ckpt_lock *locks, uint32_t nr)
{
	struct ckpt_rec_locks l;

	memset(&l, 0, sizeof(l));
	l.nr = nr;
	record(im, CKPT_REC_LOCKS, &l, sizeof(l), locks, nr * sizeof(locks[0]));
}

static void server_lock_files(struct image *im, const struct proc *p)
{
	static const struct ckpt_lock locks[] = {
		{ .fd = 3, .kind = CKPT_LOCK_POSIX, .type = F_WRLCK_NR, .start = 0, .end = 99 },
		{ .fd = 4, .kind = CKPT_LOCK_OFD, .type = F_RDLCK_NR, .start = 100,
		  .end = INT64_MAX },
		{ .fd = 5, .kind = CKPT_LOCK_FLOCK, .type = F_WRLCK_NR, .start = 0,
		  .end = INT64_MAX },
	};
	int i;

	file(im, OBJ_INHERIT, CKPT_FILE_INHERIT, 3, 0, 0, NULL);
	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	file(im, OBJ_DB, CKPT_FILE_REG, 3, O_RDWR_BIT, 0, "/var/lib/app/data.db");
	fd(im, 3, OBJ_DB, 1);
	file(im, OBJ_DB_RO, CKPT_FILE_REG, 1, 0, 0, "/var/lib/app/data.db");
	fd(im, 4, OBJ_DB_RO, 1);
	file(im, OBJ_LOCKFILE, CKPT_FILE_REG, 1, 0, 0, "/var/lib/app/app.lock");
	fd(im, 5, OBJ_LOCKFILE, 1);
	fd(im, 6, OBJ_DB, 0);			/* a dup() of fd 3 */
	locks_rec(im, locks, 3);
}

static void logger_lock_files(struct image *im, const struct proc *p)
{
	static const struct ckpt_lock lock = {
		.fd = 3, .kind = CKPT_LOCK_FLOCK, .type = F_RDLCK_NR, .start = 0,
		.end = INT64_MAX,
	};
	int i;

	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	file(im, OBJ_LOG, CKPT_FILE_REG, 2, O_WRONLY_BIT | O_APPEND_BIT, 0, "/var/log/app.log");
	fd(im, 3, OBJ_LOG, 1);
	locks_rec(im, &lock, 1);
}

/*
 * The ipc image: a server (4800) that made a System V shared memory
 * segment of 3 pages (2 saved) and attached it read-write, and holds a
 * segment of one page it removed (IPC_RMID) while attached; it has
 * called mlockall(MCL_FUTURE), and its heap has madvise() flags; it holds
 * an inotify instance with 2 watches and 3 events queued (a name, an
 * event without one, the overflow).  Its child (4801) attaches the first
 * segment read-only (SHM_RDONLY) and has the inotify descriptor too.
 */
#define OBJ_SEG		110	/* key 0x5eed, shmid 32769 */
#define OBJ_SEG_RMID	112	/* removed: key IPC_PRIVATE, shmid 5 */
#define OBJ_INOTIFY	120
#define OBJ_INOTIFY_FILE 121

#define SEG_ADDR	0x30000000ULL
#define SEG_RMID_ADDR	0x31000000ULL
#define HEAP_ADDR	0x40000000ULL
#define SEG_RO_ADDR	0x50000000ULL

#define IN_MODIFY_NR	0x00000002
#define IN_CREATE_NR	0x00000100
#define IN_DELETE_NR	0x00000200
#define IN_Q_OVERFLOW_NR 0x00004000
#define IN_EXCL_UNLINK_NR 0x04000000
#define IN_ONESHOT_NR	0x80000000

static void sysvshm_rec(struct image *im, uint32_t objid, int32_t shmid, int32_t key,
			uint64_t size, uint64_t nr_pages, uint32_t flags)
{
	struct ckpt_rec_sysvshm s;

	memset(&s, 0, sizeof(s));
	s.objid = objid;
	s.shmid = shmid;
	s.key = key;
	s.mode = 0640;
	s.size = size;
	s.nr_pages = nr_pages;
	s.uid = 1000;
	s.cuid = 1000;
	s.gid = 1000;
	s.cgid = 1000;
	s.atime = 1767225500;
	s.dtime = flags ? 1767225550 : 0;
	s.ctime = flags ? 1767225550 : 1767225400;
	s.flags = flags;
	record(im, CKPT_REC_SYSVSHM, &s, sizeof(s), NULL, 0);
}

static void ipc_server_mm(struct image *im, const struct proc *p)
{
	struct ckpt_rec_mm *mm;

	mm_rec(im, 5);
	mm = (void *)(im->p + im->rec);
	mm->flags = CKPT_MM_LOCK_FUTURE;
	vma_rec(im, 0x400000, 0x402000, CKPT_VMA_FILE_PRIVATE, 5, CKPT_VMA_LOCKED, 0, exe);
	sysvshm_rec(im, OBJ_SEG, 32769, 0x5eed, 3 * PAGE, 2, 0);
	pages_rec(im, 0, 1, 11);
	pages_rec(im, 2 * PAGE, 1, 12);
	vma_rec(im, SEG_ADDR, SEG_ADDR + 3 * PAGE, CKPT_VMA_SYSVSHM, 3,
		CKPT_VMA_LOCKED | CKPT_VMA_DONTFORK, OBJ_SEG, NULL);
	sysvshm_rec(im, OBJ_SEG_RMID, 5, 0, PAGE, 0, CKPT_SHM_REMOVED);
	vma_rec(im, SEG_RMID_ADDR, SEG_RMID_ADDR + PAGE, CKPT_VMA_SYSVSHM, 1,
		CKPT_VMA_LOCKED | CKPT_VMA_SHM_RDONLY, OBJ_SEG_RMID, NULL);
	vma_rec(im, HEAP_ADDR, HEAP_ADDR + 4 * PAGE, CKPT_VMA_ANON, 3,
		CKPT_VMA_LOCKED | CKPT_VMA_DONTDUMP | CKPT_VMA_DONTFORK | CKPT_VMA_WIPEONFORK |
		CKPT_VMA_HUGEPAGE | CKPT_VMA_MERGEABLE, 0, NULL);
	vma_rec(im, 0x7ffd0000, 0x7ffd4000, CKPT_VMA_ANON, 3,
		CKPT_VMA_GROWSDOWN | CKPT_VMA_STACK | CKPT_VMA_LOCKED, 0, NULL);
	pages_rec(im, 0x400000, 1, 7);
	pages_rec(im, HEAP_ADDR, 2, 13);
	pages_rec(im, 0x7ffd2000, 2, 5);
}

static void ipc_client_mm(struct image *im, const struct proc *p)
{
	mm_rec(im, 3);
	vma_rec(im, 0x400000, 0x402000, CKPT_VMA_FILE_PRIVATE, 5, 0, 0, exe);
	/* the second page on: an attachment with SHM_RDONLY split by munmap() */
	vma_rec(im, SEG_RO_ADDR + PAGE, SEG_RO_ADDR + 3 * PAGE, CKPT_VMA_SYSVSHM, 1,
		CKPT_VMA_SHM_RDONLY | CKPT_VMA_NOHUGEPAGE, OBJ_SEG, NULL);
	((struct ckpt_rec_vma *)(im->p + im->rec))->pgoff = 1;
	vma_rec(im, 0x7ffd0000, 0x7ffd4000, CKPT_VMA_ANON, 3,
		CKPT_VMA_GROWSDOWN | CKPT_VMA_STACK, 0, NULL);
	pages_rec(im, 0x400000, 1, 7);
	pages_rec(im, 0x7ffd2000, 2, 5);
}

/* A watch: @path padded to 8 */
static size_t in_watch(uint8_t *out, int32_t wd, uint32_t mask, const char *path)
{
	struct ckpt_inotify_watch w;
	size_t n = strlen(path) + 1;

	memset(&w, 0, sizeof(w));
	w.wd = wd;
	w.mask = mask;
	w.path_len = (uint32_t)n;
	memcpy(out, &w, sizeof(w));
	memset(out + sizeof(w), 0, ALIGN8(n));
	memcpy(out + sizeof(w), path, n);
	return sizeof(w) + ALIGN8(n);
}

/* An event as read(2) returns it: its name NUL-padded to 16 */
static size_t in_event(uint8_t *out, int32_t wd, uint32_t mask, uint32_t cookie,
		       const char *name)
{
	uint32_t len = name ? (uint32_t)((strlen(name) + 16) & ~(size_t)15) : 0;
	uint32_t ev[4] = { (uint32_t)wd, mask, cookie, len };

	memcpy(out, ev, sizeof(ev));
	memset(out + sizeof(ev), 0, len);
	if (name)
		memcpy(out + sizeof(ev), name, strlen(name));
	return sizeof(ev) + len;
}

static void ipc_server_files(struct image *im, const struct proc *p)
{
	struct ckpt_rec_inotify in;
	uint8_t tail[256];
	size_t n = 0, e;
	int i;

	file(im, OBJ_INHERIT, CKPT_FILE_INHERIT, 3, 0, 0, NULL);
	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	n += in_watch(tail + n, 1, IN_MODIFY_NR | IN_CREATE_NR | IN_DELETE_NR, "/etc/nginx");
	n += in_watch(tail + n, 3, IN_MODIFY_NR | IN_EXCL_UNLINK_NR | IN_ONESHOT_NR,
		      "/var/www/html");
	e = n;
	n += in_event(tail + n, 1, IN_CREATE_NR, 0, "site.conf");
	n += in_event(tail + n, 3, IN_MODIFY_NR, 0, NULL);
	n += in_event(tail + n, -1, IN_Q_OVERFLOW_NR, 0, NULL);
	memset(&in, 0, sizeof(in));
	in.objid = OBJ_INOTIFY;
	in.nr_watches = 2;
	in.next_wd = 4;
	in.events_len = (uint32_t)(n - e);
	record(im, CKPT_REC_INOTIFY, &in, sizeof(in), tail, n);
	obj_file(im, OBJ_INOTIFY_FILE, CKPT_FILE_INOTIFY, 1, O_NONBLOCK_BIT, OBJ_INOTIFY, 0, 0);
	fd(im, 3, OBJ_INOTIFY_FILE, 1);
}

static void ipc_client_files(struct image *im, const struct proc *p)
{
	int i;

	for (i = 0; i < 3; i++)
		fd(im, i, OBJ_INHERIT, 0);
	fd(im, 3, OBJ_INOTIFY_FILE, 0);
}

/* A thread's SCHED record: the main thread on every CPU, others pinned. */
static void sched_rec(struct image *im, unsigned int k)
{
	struct ckpt_rec_sched sc;

	memset(&sc, 0, sizeof(sc));
	sc.policy = k ? 3 : 0;			/* SCHED_BATCH, SCHED_OTHER */
	sc.nice = k ? 5 : 0;
	sc.timer_slack_ns = 50000;
	sc.default_timer_slack_ns = 50000;
	sc.oom_score_adj = 100;
	if (k)
		sc.cpus[0] = 0x5;		/* CPUs 0 and 2 */
	else
		sc.flags = CKPT_SCHED_ALL_CPUS;
	record(im, CKPT_REC_SCHED, &sc, sizeof(sc), NULL, 0);
}

/*
 * A thread's ACCT record: its own counters, and in the leader's (thread
 * @k 0, or the zombie's) the process's, its exited threads' and
 * children's.  A process sharing another's tables was forked and did not
 * execve(2).
 */
static void acct_rec(struct image *im, const struct proc *p, unsigned int k)
{
	struct ckpt_rec_acct ac;
	struct ckpt_acct_counters *c = &ac.self;

	memset(&ac, 0, sizeof(ac));
	if (p->files_of || p->fs_of)
		ac.flags = CKPT_ACCT_FORKNOEXEC;
	if (p->flags & CKPT_TASK_ZOMBIE) {
		/* its memory is gone: no peaks */
		c->utime = 20000000;
		c->stime = 10000000;
		c->runtime = 35000000;
		c->nvcsw = 5;
		c->nivcsw = 1;
		c->min_flt = 150;
		c->rchar = 4096;
		c->wchar = 100;
		c->syscr = 3;
		c->syscw = 2;
	} else if (k) {
		c->utime = 300000000;
		c->stime = 50000000;
		c->runtime = 400000000;
		c->nvcsw = 10 * k;
		c->nivcsw = 2;
		c->min_flt = 40;
		c->rchar = 512;
		c->wchar = 256;
		c->syscr = 4;
		c->syscw = 2;
	} else {
		c->utime = 1250000000;
		c->stime = 250000000;
		c->runtime = 1600000000;
		c->nvcsw = 120;
		c->nivcsw = 15;
		c->min_flt = 2400;
		c->maj_flt = 3;
		c->rchar = 65536;
		c->wchar = 4096;
		c->syscr = 48;
		c->syscw = 16;
		c->read_bytes = 8192;
		c->write_bytes = 4096;
		c = &ac.exited;
		c->utime = 500000000;
		c->stime = 100000000;
		c->runtime = 700000000;
		c->nvcsw = 30;
		c->nivcsw = 4;
		c->min_flt = 300;
		c->maj_flt = 1;
		c->inblock = 16;
		c->oublock = 8;
		c->maxrss = 2048;
		c->rchar = 1024;
		c->wchar = 512;
		c->syscr = 5;
		c->syscw = 3;
		c = &ac.children;
		c->utime = 2000000000;
		c->stime = 500000000;
		c->nvcsw = 200;
		c->nivcsw = 20;
		c->min_flt = 5000;
		c->maj_flt = 10;
		c->inblock = 64;
		c->oublock = 32;
		c->maxrss = 4096;
		c->rchar = 131072;
		c->wchar = 8192;
		c->syscr = 100;
		c->syscw = 40;
		c->read_bytes = 16384;
		c->write_bytes = 8192;
		c->cancelled_write_bytes = 4096;
		ac.hiwater_rss = 3072;
		ac.hiwater_vm = 10240;
	}
	record(im, CKPT_REC_ACCT, &ac, sizeof(ac), NULL, 0);
}

/*
 * A process's CKPTSIG record, after its SIGHAND: its checkpoint settings,
 * the defaults (the process, no anchor, no notification, the sysctl's
 * pattern) unless @p has its own
 */
static void ckptsig_rec(struct image *im, const struct proc *p)
{
	struct ckpt_rec_ckptsig cs;

	memset(&cs, 0, sizeof(cs));
	cs.scope = p->ckpt_scope;
	cs.anchor = p->ckpt_anchor;
	cs.notify = p->ckpt_notify;
	if (p->ckpt_pattern)
		snprintf(cs.pattern, sizeof(cs.pattern), "%s", p->ckpt_pattern);
	record(im, CKPT_REC_CKPTSIG, &cs, sizeof(cs), NULL, 0);
}

static void build_task(struct image *im, const struct proc *p)
{
	static const char cwd_root[] = "/home/user\0/";
	struct ckpt_rec_task task;
	struct ckpt_rec_cred cred;
	uint32_t groups[2] = { 1000, 27 };
	struct ckpt_rec_rlimits rl;
	struct ckpt_rlimit rlim[16];
	struct ckpt_rec_shares shares;
	struct ckpt_rec_posix_timers pt;
	struct ckpt_rec_fs fs;
	struct ckpt_rec_sighand sh;
	struct ckpt_rec_timers tm;
	struct ckpt_sigaction act[64];
	struct ckpt_rec_signal sig;
	struct ckpt_rec_siginfo si;
	struct ckpt_rec_thread th;
	struct ckpt_rec_xstate xs;
	uint8_t xsave[XSTATE];
	struct ckpt_rec_task_end end;
	int32_t v;
	uint32_t k;
	int i;

	memset(&task, 0, sizeof(task));
	task.pid = p->pid;
	task.tgid = p->pid;
	task.ppid = p->ppid;
	task.pgid = p->pgid;
	task.sid = p->sid;
	task.exit_signal = 17;
	task.umask = 022;
	task.dumpable = 1;
	task.nr_threads = p->nr_threads;
	task.flags = p->flags;
	task.exit_code = p->exit_code;
	snprintf(task.comm, sizeof(task.comm), "%s", p->comm);
	record(im, CKPT_REC_TASK, &task, sizeof(task), NULL, 0);
	if (p->flags & CKPT_TASK_ZOMBIE) {
		acct_rec(im, p, 0);
		goto end;
	}

	memset(&cred, 0, sizeof(cred));
	cred.uid = 1000;
	cred.euid = 1000;
	cred.suid = 1000;
	cred.fsuid = 1000;
	cred.gid = 1000;
	cred.egid = 1000;
	cred.sgid = 1000;
	cred.fsgid = 1000;
	cred.cap_bset = 0x1ffffffffffULL;
	cred.ngroups = 2;
	record(im, CKPT_REC_CRED, &cred, sizeof(cred), groups, sizeof(groups));

	memset(&rl, 0, sizeof(rl));
	rl.nr = 16;
	for (i = 0; i < 16; i++) {
		rlim[i].cur = ~0ULL;
		rlim[i].max = ~0ULL;
	}
	rlim[3].cur = 8 << 20;			/* stack */
	rlim[7].cur = 1024;			/* nofile */
	rlim[7].max = 4096;
	record(im, CKPT_REC_RLIMITS, &rl, sizeof(rl), rlim, sizeof(rlim));

	if (p->files_of || p->fs_of) {
		memset(&shares, 0, sizeof(shares));
		shares.files_of = p->files_of;
		shares.fs_of = p->fs_of;
		record(im, CKPT_REC_SHARES, &shares, sizeof(shares), NULL, 0);
	}

	if (!p->fs_of) {
		memset(&fs, 0, sizeof(fs));
		fs.cwd_len = 11;
		fs.root_len = 2;
		record(im, CKPT_REC_FS, &fs, sizeof(fs), cwd_root, 13);
	}

	if (p->mm)
		p->mm(im, p);
	else
		simple_mm(im, p);

	memset(&sh, 0, sizeof(sh));
	memset(act, 0, sizeof(act));
	sh.nr = 64;
	act[1].handler = 0x401000;		/* SIGINT */
	act[1].flags = 0x14000000;		/* SA_RESTORER | SA_RESTART */
	act[1].restorer = 0x401100;
	act[1].mask = 1ULL << 14;		/* SIGTERM */
	act[12].handler = 1;			/* SIGPIPE ignored */
	if (p->sig_ckpt) {
		act[11].handler = 3;		/* SIGUSR2: SIG_CKPT */
		act[14].handler = 4;		/* SIGTERM: SIG_CKPT_KILL */
	}
	record(im, CKPT_REC_SIGHAND, &sh, sizeof(sh), act, sizeof(act));
	ckptsig_rec(im, p);

	memset(&tm, 0, sizeof(tm));
	tm.itimer[ITIMER_REAL].value_ns = 1500000000;	/* alarm in 1.5 s */
	tm.itimer[ITIMER_PROF].value_ns = 20000000;	/* profiling every 20 ms */
	tm.itimer[ITIMER_PROF].interval_ns = 20000000;
	tm.nr_posix = p->nr_ptimers;
	tm.next_posix_id = p->next_posix_id;
	record(im, CKPT_REC_TIMERS, &tm, sizeof(tm), NULL, 0);
	if (p->nr_ptimers) {
		memset(&pt, 0, sizeof(pt));
		pt.nr = p->nr_ptimers;
		record(im, CKPT_REC_POSIX_TIMERS, &pt, sizeof(pt), p->ptimers,
		       p->nr_ptimers * sizeof(p->ptimers[0]));
	}

	if (!p->files_of)
		p->files(im, p);

	for (k = 0; k < p->nr_threads; k++) {
		memset(&th, 0, sizeof(th));
		th.tid = k ? p->pid + 100 + (int32_t)k : p->pid;
		th.regs.ip = 0x401234 + 0x10 * k;
		th.regs.sp = 0x7ffd3f00 - 0x100 * k;
		th.regs.ax = (uint64_t)-4;
		th.regs.orig_ax = 35;
		th.regs.flags = 0x246;
		th.regs.cs = 0x33;
		th.regs.ss = 0x2b;
		th.regs.fs_base = 0x7f1234567740ULL;
		th.clear_child_tid = k ? 0x7f12345679d0ULL : 0;
		th.robust_list = 0x7f1234567a20ULL;
		th.robust_list_len = 24;
		if (k)
			snprintf(th.comm, sizeof(th.comm), "%s-%u", p->comm, k);
		else
			snprintf(th.comm, sizeof(th.comm), "%s", p->comm);
		if (k < 3 && p->rb_kind[k]) {
			th.regs.ax = 219;		/* __NR_restart_syscall */
			th.restart.kind = p->rb_kind[k];
			th.restart.clockid = p->rb_clock[k];
			th.restart.remaining_ns = p->rb_left[k];
			th.restart.uaddr = 0x7f0000001000ULL;
			th.restart.arg[0] = 1;		/* TT_NATIVE; futex: val */
			if (p->rb_kind[k] == CKPT_RESTART_FUTEX)
				th.restart.arg[2] = 0xffffffff;	/* bitset */
		}
		record(im, CKPT_REC_THREAD, &th, sizeof(th), NULL, 0);

		memset(&xs, 0, sizeof(xs));
		xs.xfeatures = 0x3;
		for (i = 0; i < XSTATE; i++)
			xsave[i] = (uint8_t)i;
		record(im, CKPT_REC_XSTATE, &xs, sizeof(xs), xsave, sizeof(xsave));

		memset(&sig, 0, sizeof(sig));
		sig.blocked = 1ULL << 9;		/* SIGUSR1 */
		sig.nr_siginfo = k == 0;
		record(im, CKPT_REC_SIGNAL, &sig, sizeof(sig), NULL, 0);
		if (!k) {
			memset(&si, 0, sizeof(si));
			si.shared = 1;
			v = 10;				/* SIGUSR1 */
			memcpy(si.info, &v, 4);
			v = 1;				/* si_pid */
			memcpy(si.info + 12, &v, 4);
			v = 1000;			/* si_uid */
			memcpy(si.info + 16, &v, 4);
			record(im, CKPT_REC_SIGINFO, &si, sizeof(si), NULL, 0);
		}
		sched_rec(im, k);
		acct_rec(im, p, k);
	}
end:
	memset(&end, 0, sizeof(end));
	end.pid = p->pid;
	record(im, CKPT_REC_TASK_END, &end, sizeof(end), NULL, 0);
}

static void tty_rec(struct image *im)
{
	struct ckpt_rec_tty t;

	memset(&t, 0, sizeof(t));
	tty_state(&t.tty, 0, 4200, 4210, 24, 80);
	snprintf(t.name, sizeof(t.name), "pts/3");
	record(im, CKPT_REC_TTY, &t, sizeof(t), NULL, 0);
}

static void build(struct image *im, enum shape shape)
{
	static const int64_t ms = 1000000;
	struct proc job[] = {
		{ .pid = 4200, .ppid = 1, .pgid = 4200, .sid = 4200, .comm = "bash",
		  .flags = CKPT_TASK_CTTY, .nr_threads = 1, .files = shell_files },
		{ .pid = 4210, .ppid = 4200, .pgid = 4210, .sid = 4200, .comm = "producer",
		  .flags = CKPT_TASK_CTTY, .nr_threads = 3, .files = producer_files,
		  .mm_flags = CKPT_MM_THP_DISABLE,
		  .rb_kind = { 0, CKPT_RESTART_NANOSLEEP, CKPT_RESTART_FUTEX },
		  .rb_clock = { 0, 1, 1 }, .rb_left = { 0, 1500 * ms, 250 * ms },
		  .ckpt_scope = CKPT_TREE, .ckpt_anchor = 4210, .ckpt_notify = 10,
		  .ckpt_pattern = "/var/ckpt/%e.%p.ckpt" },
		{ .pid = 4211, .ppid = 4200, .pgid = 4210, .sid = 4200, .comm = "consumer",
		  .flags = CKPT_TASK_CTTY, .nr_threads = 1, .files = consumer_files,
		  .mm_flags = CKPT_MM_MDWE | CKPT_MM_MDWE_NO_INHERIT },
		{ .pid = 4212, .ppid = 4211, .pgid = 4210, .sid = 4200, .comm = "sort",
		  .flags = CKPT_TASK_ZOMBIE, .exit_code = 3 << 8 },
		{ .pid = 4220, .ppid = 4200, .pgid = 4220, .sid = 4200, .comm = "sleeper",
		  .flags = CKPT_TASK_STOPPED | CKPT_TASK_CTTY, .nr_threads = 1,
		  .files = sleeper_files, .mm_flags = CKPT_MM_MDWE,
		  .rb_kind = { CKPT_RESTART_NANOSLEEP },
		  .rb_clock = { 0 }, .rb_left = { 59250 * ms },
		  .ckpt_scope = CKPT_PGRP, .ckpt_notify = 34, .sig_ckpt = 1 },
	};
	struct proc simple[2] = {
		{ .pid = 4242, .ppid = 1, .pgid = 4242, .sid = 4200, .comm = "sleeper",
		  .flags = CKPT_TASK_STOPPED, .nr_threads = 1, .files = simple_files },
		{ .pid = 4243, .ppid = 4242, .pgid = 4242, .sid = 4200, .comm = "sleeper",
		  .flags = CKPT_TASK_STOPPED, .nr_threads = 1, .files = simple_files, .t = 1 },
	};
	struct proc pty[] = {
		{ .pid = 4300, .ppid = 1, .pgid = 4300, .sid = 4300, .comm = "termd",
		  .nr_threads = 1, .files = server_files },
		{ .pid = 4301, .ppid = 4300, .pgid = 4301, .sid = 4301, .comm = "sh",
		  .nr_threads = 1, .files = pty_shell_files },
		{ .pid = 4302, .ppid = 4301, .pgid = 4302, .sid = 4301, .comm = "cat",
		  .nr_threads = 1, .files = pty_reader_files },
	};
	struct proc objects = {
		.pid = 4400, .ppid = 1, .pgid = 4400, .sid = 4400, .comm = "server",
		.nr_threads = 1, .files = objects_files, .mm = objects_mm,
	};
	struct proc socks[] = {
		{ .pid = 4500, .ppid = 1, .pgid = 4500, .sid = 4500, .comm = "server",
		  .nr_threads = 1, .files = server_unix_files },
		{ .pid = 4501, .ppid = 4500, .pgid = 4500, .sid = 4500, .comm = "worker",
		  .nr_threads = 1, .files = worker_unix_files, .t = 1 },
	};
	struct proc shared[] = {
		{ .pid = 4600, .ppid = 1, .pgid = 4600, .sid = 4600, .comm = "server",
		  .nr_threads = 2, .files = server_lock_files, .ptimers = server_ptimers,
		  .nr_ptimers = ARRAY_SIZE(server_ptimers),
		  .next_posix_id = 10 },
		{ .pid = 4601, .ppid = 4600, .pgid = 4600, .sid = 4600, .comm = "cleanup",
		  .flags = CKPT_TASK_ZOMBIE },
		{ .pid = 4602, .ppid = 4600, .pgid = 4600, .sid = 4600, .comm = "worker",
		  .nr_threads = 1, .files_of = 4600 },
		{ .pid = 4603, .ppid = 4600, .pgid = 4600, .sid = 4600, .comm = "logger",
		  .nr_threads = 1, .files = logger_lock_files, .fs_of = 4600 },
		{ .pid = 4604, .ppid = 4600, .pgid = 4600, .sid = 4600, .comm = "helper",
		  .nr_threads = 1, .files_of = 4600, .fs_of = 4600 },
	};
	struct proc ipc[] = {
		{ .pid = 4800, .ppid = 1, .pgid = 4800, .sid = 4800, .comm = "shmserver",
		  .nr_threads = 1, .files = ipc_server_files, .mm = ipc_server_mm },
		{ .pid = 4801, .ppid = 4800, .pgid = 4800, .sid = 4800, .comm = "shmclient",
		  .nr_threads = 1, .files = ipc_client_files, .mm = ipc_client_mm, .t = 1 },
	};
	struct ckpt_rec_header hdr;
	struct proc *procs = shape == JOB ? job : shape == PTY ? pty :
			     shape == OBJ ? &objects : shape == SOCKS ? socks :
			     shape == SHARED ? shared : shape == IPC ? ipc : simple;
	int i, t, nr = shape == JOB || shape == SHARED ? 5 : shape == PTY ? 3 :
		       shape == TWO || shape == SOCKS || shape == IPC ? 2 : 1;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	hdr.version = CKPT_FORMAT_VERSION;
	hdr.arch = AUDIT_ARCH_X86_64;
	hdr.page_size = PAGE;
	hdr.nsig = 64;
	hdr.rlim_nlimits = 16;
	hdr.xstate_size = XSTATE;
	hdr.xfeatures = 0x7;
	hdr.digest = digest_alg;
	hdr.flags = shape == JOB ? CKPT_KILL | CKPT_SESSION :
		    shape == PTY || shape == SOCKS || shape == IPC ? CKPT_CONTINUE | CKPT_TREE :
		    shape == TWO ? CKPT_STOP | CKPT_TREE :
		    shape == SHARED ? CKPT_CONTINUE | CKPT_TREE | CKPT_FILE_LOCKS :
		    shape == OBJ ? CKPT_CONTINUE : CKPT_STOP;
	if (digest_alg == CKPT_HASH_SHA256)
		hdr.flags |= CKPT_DIGEST_SHA256;
	hdr.nr_tasks = nr;
	hdr.root_pid = shape == JOB ? 4200 : shape == PTY ? 4300 : shape == OBJ ? 4400 :
		       shape == SOCKS ? 4500 : shape == SHARED ? 4600 : shape == IPC ? 4800 : 4242;
	for (t = 0; t < nr; t++)
		hdr.nr_threads += procs[t].nr_threads;
	hdr.time_sec = 1767225600;	/* 2026-01-01 */
	for (i = 0; i < 32; i++)
		hdr.vdso_sha256[i] = (uint8_t)(i * 7);
	snprintf(hdr.release, sizeof(hdr.release), "6.12.0-ckpt");
	snprintf(hdr.machine, sizeof(hdr.machine), "x86_64");
	record(im, CKPT_REC_HEADER, &hdr, sizeof(hdr), NULL, 0);
	if (shape == JOB && !omit_tty)
		tty_rec(im);

	for (t = 0; t < nr; t++)
		build_task(im, &procs[t]);

	trailer(im);
}

static uint32_t *len_of(struct image *im, int type)
{
	return (uint32_t *)(im->p + im->off[type] + 4);
}

/* The @n-th (from 0) record of type @rtype, as a struct @type */
#define AT(rtype, n, type)	((struct type *)(im->p + nth(im, rtype, n)))

/* Structural defects, each found by ckptinfo with the message given */
static const char *const kinds[] = {
	"bad-magic", "bad-version", "bad-arch", "len-max", "len-small", "len-short",
	"no-nul", "bad-type", "wrong-order", "vma-overlap", "pages-outside",
	"fd-objid", "dup-objid", "trailing", "bad-padding", "total-len", "nr-vmas",
	"nsig", "nr-tasks", "pages-span", "reserved", "inherit-fd", "caps",
	"process-scope", "root-pid",
	/* on the job image (--job) */
	"pipe-id", "pipe-mode", "pipe-overfull", "pipe-capacity", "fd-on-pipe",
	"parent-order", "thread-count", "dup-tid", "zombie-threads", "zombie-status",
	"session", "restart-kind", "tty-name", "thread-order", "siginfo-count",
	"pipe-objid", "ctty-pipe-id", "fifo-and-pipe", "zombie-flags",
	"futex-clock",
	/* on the pty image (--pty) */
	"pty-flags", "pty-len", "pty-ref", "pty-ref-file", "pty-two-masters",
	"pty-master-mode", "pty-objid", "pty-objid-zero", "pty-master-flags",
	"pty-master-accmode", "pty-line", "pty-reserved", "pty-sid", "pty-in-max",
	"pty-raw-max", "pty-ref-kind", "fd-on-pty",
	/* on the objects image (--objects) */
	"unlinked-objid-zero", "unlinked-objid-dup", "unlinked-kind", "unlinked-reserved",
	"unlinked-mode", "unlinked-size", "unlinked-nr-pages", "unlinked-seals-shmem",
	"unlinked-seals-unknown", "unlinked-memfd-name", "unlinked-shmem-path",
	"unlinked-no-path", "unlinked-pages-order", "unlinked-pages-past",
	"unlinked-pages-missing", "unlinked-pages-extra", "unlinked-file-ref",
	"unlinked-file-pos", "vma-objid-missing", "vma-objid-later", "vma-objid-anon",
	"vma-reserved", "pages-obj-shared", "eventfd-in-mm", "eventfd-flags",
	"eventfd-objid", "signalfd-reserved", "timerfd-clock", "timerfd-flags",
	"timerfd-reserved", "timerfd-range", "timerfd-expires", "timerfd-expires-relative",
	"epoll-nr-items", "epoll-max", "epoll-objid-zero", "obj-file-mode", "obj-file-pos",
	"obj-file-size", "obj-file-flags", "obj-file-ref", "epoll-file-ref",
	"fd-on-eventfd",
	/* on the unix image (--unix) */
	"unix-objid-zero", "unix-objid-dup", "unix-type", "unix-state", "unix-connected-no-peer",
	"unix-peer-unconnected", "unix-peer-self", "unix-listen-dgram", "unix-listen-no-addr",
	"unix-listen-msgs", "unix-shutdown", "unix-flags", "unix-bound-no-addr", "unix-err",
	"unix-peek-off", "unix-nr-msgs", "unix-int-max", "unix-addr-len", "unix-addr-len-max",
	"unix-peer-addr-state", "unix-peer-addr-len", "unix-path-len", "unix-path-max",
	"unix-path-no-addr", "unix-path-unbound", "unix-len-short", "unix-family",
	"unix-peer-addr-family", "unix-addr-pad", "unix-path-relative", "unix-path-nul",
	"unix-path-inner-nul", "unix-path-abstract", "unix-path-pad", "unix-msgs-short", "unix-len",
	"unix-stream-empty", "unix-msg-len", "unix-msg-pad", "unix-data-len", "unix-nr-fds",
	"unix-fds-past", "unix-fd-missing", "unix-fd-later", "unix-fd-kind", "unix-fd-inherit",
	"unix-fd-pad",
	"unix-peer-missing", "unix-peer-type", "unix-peer-not-back", "unix-dgram-peer-no-name",
	"unix-sender-missing", "unix-sender-outside", "unix-sender-not-peer",
	"unix-dgram-unreachable", "unix-file-ref", "unix-file-later", "unix-file-mode",
	"unix-file-flags", "fd-on-unix",
	/* on the shared image (--shared) */
	"header-flags", "ptimer-nr-posix-max", "ptimer-next-id", "ptimer-nr", "ptimer-unexpected",
	"ptimer-reserved", "ptimer-len", "ptimer-id", "ptimer-dup-id", "ptimer-value",
	"ptimer-interval", "ptimer-flags", "ptimer-overrun", "ptimer-overrun-last",
	"ptimer-notify", "ptimer-notify-thread-none", "ptimer-tid-zero", "ptimer-tid-unexpected",
	"ptimer-signo", "ptimer-no-cpu-tid", "ptimer-cpu-tid-unexpected",
	"ptimer-cpu-tid-negative", "ptimer-pending-none", "ptimer-tid-thread",
	"ptimer-cpu-tid-thread", "ptimer-clock", "ptimer-clock-fd", "locks-no-flag", "locks-short",
	"locks-nr-zero", "locks-nr-max", "locks-reserved", "locks-len", "locks-before-fd",
	"lock-fd", "lock-type", "lock-kind", "lock-flock-range", "lock-start", "lock-end",
	"lock-fd-missing", "lock-ofd-access", "lock-posix-access", "shares-none",
	"shares-negative", "shares-unknown", "shares-later", "shares-thread", "shares-self",
	"shares-zombie", "shares-fs-record", "shares-files-fd", "shares-order", "shares-len",
	/* on the ipc image (--ipc) */
	"sysvshm-objid-zero", "sysvshm-objid-dup", "sysvshm-len", "sysvshm-reserved",
	"sysvshm-flags", "sysvshm-shmid", "sysvshm-mode", "sysvshm-size-zero", "sysvshm-size-max",
	"sysvshm-nr-pages", "sysvshm-removed-key", "sysvshm-unmapped", "sysvshm-pages-order",
	"sysvshm-pages-past", "sysvshm-pages-missing", "sysvshm-pages-extra", "sysvshm-in-files",
	"sysvshm-after-vma", "vma-sysvshm-objid", "vma-sysvshm-inotify", "vma-objid-sysvshm",
	"vma-kind", "vma-flags", "vma-rdonly-kind", "vma-rdonly-write", "vma-wipeonfork",
	"pages-sysvshm", "mm-flags", "inotify-objid-zero", "inotify-objid-dup", "inotify-short",
	"inotify-nr-watches-max", "inotify-next-wd", "inotify-events-len", "inotify-events-align",
	"inotify-nr-watches", "inotify-trailing", "inotify-watch-reserved", "inotify-wd-zero",
	"inotify-wd-order", "inotify-path-len", "inotify-path-max", "inotify-path-past",
	"inotify-path-relative", "inotify-path-nul", "inotify-path-inner-nul", "inotify-same-path",
	"inotify-mask-none", "inotify-mask-bits", "inotify-event-len", "inotify-event-mask",
	"inotify-event-len-align", "inotify-event-name-nul", "inotify-overflow-wd",
	"inotify-overflow-mask", "inotify-file-mode", "inotify-file-pos", "inotify-file-flags",
	"inotify-file-ref", "fd-on-inotify",
	/* on the simple image, again */
	"posix-timers", "itimer-range",
	/* SCHED records, on the simple image */
	"sched-policy", "sched-policy-max", "sched-rt-priority", "sched-rt-priority-zero",
	"sched-nice", "sched-all-cpus-mask", "sched-cpus-empty", "sched-flags",
	"sched-dl-overrun", "sched-dl-fair", "sched-slice", "sched-slice-max", "sched-oom",
	"sched-oom-min", "sched-len", "sched-missing", "sched-before-siginfo",
	/* ... and on the job image: SCHED records, mm flags */
	"sched-missing-thread", "sched-twice", "sched-idle-runtime", "sched-zombie",
	"mm-mdwe-no-inherit",
	/* ACCT records, on the simple image */
	"acct-flags", "acct-reserved", "acct-self-inblock", "acct-self-oublock",
	"acct-self-maxrss", "acct-children-runtime", "acct-self-time-max",
	"acct-self-runtime-max", "acct-exited-time-max", "acct-children-time-max", "acct-sum",
	"acct-len", "acct-missing", "acct-before-sched",
	/* ... and on the job image: other threads' records, the zombie's */
	"acct-thread-exited", "acct-thread-children", "acct-thread-hiwater", "acct-sum-threads",
	"acct-missing-thread", "acct-twice", "acct-zombie-missing", "acct-zombie-twice",
	"acct-zombie-sum",
	/* CKPTSIG records, on the simple image */
	"ckptsig-scope", "ckptsig-reserved", "ckptsig-anchor-negative", "ckptsig-anchor-max",
	"ckptsig-notify-huge", "ckptsig-notify-max", "ckptsig-notify-kill",
	"ckptsig-notify-stop", "ckptsig-pattern-nul", "ckptsig-pattern-pipe", "ckptsig-len",
	"ckptsig-missing", "ckptsig-before-sighand",
	/* ... and on the job image: a process's twice, the zombie's */
	"ckptsig-twice", "ckptsig-zombie", "ckptsig-job-scope",
	/* the digest (format v9), on the simple image of either digest */
	"digest-unknown", "digest-zero", "digest-flag", "header-reserved", "digest-differs",
	"digest-trailer-unknown", "trailer-reserved", "digest-garbage", NULL
};

/* Swap the record at @off with the one after it */
static void swap_next(struct image *im, size_t off)
{
	size_t i, a, b;
	uint8_t *tmp;

	for (i = 0; i + 2 < im->nrec && im->roff[i] != off; i++)
		;
	a = im->roff[i + 1] - off;
	b = im->roff[i + 2] - im->roff[i + 1];
	tmp = malloc(a);
	if (!tmp) {
		perror("mkimage");
		exit(2);
	}
	memcpy(tmp, im->p + off, a);
	memmove(im->p + off, im->p + off + a, b);
	memcpy(im->p + off + b, tmp, a);
	free(tmp);
}

/*
 * Remove the record at @off, or write it twice (@dup): the bytes after it
 * move, the trailer's total_len follows (im->roff[] and im->off[] are not
 * kept up to date: rehash() is all that may come after)
 */
static void cut_or_dup(struct image *im, size_t off, int dup)
{
	size_t n = ALIGN8(((struct ckpt_hdr *)(im->p + off))->len);
	uint8_t *copy = malloc(n);

	if (!copy) {
		perror("mkimage");
		exit(2);
	}
	memcpy(copy, im->p + off, n);
	if (dup) {
		put(im, copy, n);
		memmove(im->p + off + 2 * n, im->p + off + n, im->len - off - 2 * n);
		memcpy(im->p + off + n, copy, n);
		im->trailer += n;
	} else {
		memmove(im->p + off, im->p + off + n, im->len - off - n);
		im->len -= n;
		im->trailer -= n;
	}
	((struct ckpt_rec_trailer *)(im->p + im->trailer))->total_len = im->trailer;
	free(copy);
}

/*
 * The defects of the SCHED records: the simple image's one (SCHED_OTHER,
 * every CPU), or the job image's (its first, the shell's; then the
 * producer's three threads, the last two SCHED_BATCH on CPUs 0 and 2)
 */
static int corrupt_sched(struct image *im, const char *kind)
{
	struct ckpt_rec_sched *sc = AT(CKPT_REC_SCHED, 0, ckpt_rec_sched);

	if (!strcmp(kind, "sched-policy")) {
		sc->policy = 4;				/* SCHED_ISO: not in Linux */
	} else if (!strcmp(kind, "sched-policy-max")) {
		sc->policy = 7;				/* SCHED_EXT */
	} else if (!strcmp(kind, "sched-rt-priority")) {
		sc->rt_priority = 10;
	} else if (!strcmp(kind, "sched-rt-priority-zero")) {
		sc->policy = 1;				/* SCHED_FIFO */
	} else if (!strcmp(kind, "sched-nice")) {
		sc->nice = 20;
	} else if (!strcmp(kind, "sched-all-cpus-mask")) {
		sc->cpus[CKPT_MAX_CPUS / 64 - 1] = 1ULL << 63;	/* CPU 1023 */
	} else if (!strcmp(kind, "sched-cpus-empty")) {
		sc->flags &= ~CKPT_SCHED_ALL_CPUS;
	} else if (!strcmp(kind, "sched-flags")) {
		sc->flags |= 0x8;
	} else if (!strcmp(kind, "sched-dl-overrun")) {
		sc->flags |= CKPT_SCHED_DL_OVERRUN;
	} else if (!strcmp(kind, "sched-dl-fair")) {
		/* a slice, which SCHED_OTHER may have, with a deadline and period */
		sc->dl_runtime = 1000000;
		sc->dl_deadline = 10000000;
		sc->dl_period = 10000000;
	} else if (!strcmp(kind, "sched-slice")) {
		sc->dl_runtime = 99999;
	} else if (!strcmp(kind, "sched-slice-max")) {
		sc->dl_runtime = 100000001;
	} else if (!strcmp(kind, "sched-oom")) {
		sc->oom_score_adj = 1001;
	} else if (!strcmp(kind, "sched-oom-min")) {
		sc->oom_score_adj_min = -1001;
	} else if (!strcmp(kind, "sched-len")) {
		sc->h.len -= 8;
	} else if (!strcmp(kind, "sched-missing")) {
		/* the only thread's: its ACCT record comes instead */
		cut_or_dup(im, nth(im, CKPT_REC_SCHED, 0), 0);
	} else if (!strcmp(kind, "sched-before-siginfo")) {
		swap_next(im, nth(im, CKPT_REC_SIGINFO, 0));
	} else if (!strcmp(kind, "sched-missing-thread")) {
		/* the producer's first thread's: its second THREAD comes instead */
		cut_or_dup(im, nth(im, CKPT_REC_SCHED, 1), 0);
	} else if (!strcmp(kind, "sched-twice")) {
		/* the producer's second thread's, twice */
		cut_or_dup(im, nth(im, CKPT_REC_SCHED, 2), 1);
	} else if (!strcmp(kind, "sched-idle-runtime")) {
		/* the producer's second thread SCHED_IDLE, with its slice kept */
		sc = AT(CKPT_REC_SCHED, 2, ckpt_rec_sched);
		sc->policy = 5;
		sc->dl_runtime = 1000000;
	} else if (!strcmp(kind, "sched-zombie")) {
		/* the zombie sort's TASK_END made a SCHED record */
		((struct ckpt_hdr *)(im->p + nth(im, CKPT_REC_TASK_END, 3)))->type =
			CKPT_REC_SCHED;
	} else {
		return -1;
	}
	return 0;
}

/*
 * The defects of the ACCT records: the simple image's one (its only
 * thread's, the leader's, with exited threads' and children's counters),
 * or the job image's (the shell's; the producer's three threads'; the
 * consumer's; the zombie sort's, its only record)
 */
static int corrupt_acct(struct image *im, const char *kind)
{
	struct ckpt_rec_acct *ac = AT(CKPT_REC_ACCT, 0, ckpt_rec_acct);

	if (!strcmp(kind, "acct-flags")) {
		ac->flags |= 0x2;
	} else if (!strcmp(kind, "acct-reserved")) {
		ac->reserved = 1;
	} else if (!strcmp(kind, "acct-self-inblock")) {
		ac->self.inblock = 16;
	} else if (!strcmp(kind, "acct-self-oublock")) {
		ac->self.oublock = 8;
	} else if (!strcmp(kind, "acct-self-maxrss")) {
		ac->self.maxrss = 2048;
	} else if (!strcmp(kind, "acct-children-runtime")) {
		ac->children.runtime = 1;
	} else if (!strcmp(kind, "acct-self-time-max")) {
		ac->self.utime = CKPT_ACCT_MAX_NS + 1;
	} else if (!strcmp(kind, "acct-self-runtime-max")) {
		ac->self.runtime = ~0ULL;
	} else if (!strcmp(kind, "acct-exited-time-max")) {
		ac->exited.stime = CKPT_ACCT_MAX_NS + 1;
	} else if (!strcmp(kind, "acct-children-time-max")) {
		/* children.gtime may be set; not above the bound */
		ac->children.gtime = CKPT_ACCT_MAX_NS + 1;
	} else if (!strcmp(kind, "acct-sum")) {
		/* each at most the bound, the process's utime 1 ns above it */
		ac->self.utime = CKPT_ACCT_MAX_NS - ac->exited.utime + 1;
	} else if (!strcmp(kind, "acct-len")) {
		ac->h.len -= 8;
	} else if (!strcmp(kind, "acct-missing")) {
		/* the only thread's: an image of format v6 announced as v7 */
		cut_or_dup(im, nth(im, CKPT_REC_ACCT, 0), 0);
	} else if (!strcmp(kind, "acct-before-sched")) {
		swap_next(im, nth(im, CKPT_REC_SCHED, 0));
	} else if (!strcmp(kind, "acct-thread-exited")) {
		/* the producer's second thread with exited threads' times */
		AT(CKPT_REC_ACCT, 2, ckpt_rec_acct)->exited.utime = 1;
	} else if (!strcmp(kind, "acct-thread-children")) {
		AT(CKPT_REC_ACCT, 3, ckpt_rec_acct)->children.nvcsw = 1;
	} else if (!strcmp(kind, "acct-thread-hiwater")) {
		AT(CKPT_REC_ACCT, 2, ckpt_rec_acct)->hiwater_vm = 10240;
	} else if (!strcmp(kind, "acct-sum-threads")) {
		/*
		 * The producer's third thread's runtime: at most the bound,
		 * but 1 ns above it with the leader's (1.6 s), its exited
		 * threads' (0.7 s) and the second thread's (0.4 s)
		 */
		AT(CKPT_REC_ACCT, 3, ckpt_rec_acct)->self.runtime =
			CKPT_ACCT_MAX_NS - 2700000000ULL + 1;
	} else if (!strcmp(kind, "acct-missing-thread")) {
		/* the producer's first thread's: its second THREAD comes instead */
		cut_or_dup(im, nth(im, CKPT_REC_ACCT, 1), 0);
	} else if (!strcmp(kind, "acct-twice")) {
		/* the producer's second thread's, twice */
		cut_or_dup(im, nth(im, CKPT_REC_ACCT, 2), 1);
	} else if (!strcmp(kind, "acct-zombie-missing")) {
		/* the zombie sort's, its only record: an image of format v6 */
		cut_or_dup(im, nth(im, CKPT_REC_ACCT, 5), 0);
	} else if (!strcmp(kind, "acct-zombie-twice")) {
		cut_or_dup(im, nth(im, CKPT_REC_ACCT, 5), 1);
	} else if (!strcmp(kind, "acct-zombie-sum")) {
		/* the zombie is its process's leader: its exited threads count */
		ac = AT(CKPT_REC_ACCT, 5, ckpt_rec_acct);
		ac->self.stime = CKPT_ACCT_MAX_NS;
		ac->exited.stime = 1;
	} else {
		return -1;
	}
	return 0;
}

/*
 * The defects of the CKPTSIG records: the simple image's one (the
 * defaults), or the job image's (the shell's, the producer's with its own
 * tree, pattern and notification, the consumer's, the sleeper's; the
 * zombie has none)
 */
static int corrupt_ckptsig(struct image *im, const char *kind)
{
	struct ckpt_rec_ckptsig *cs = AT(CKPT_REC_CKPTSIG, 0, ckpt_rec_ckptsig);

	if (!strcmp(kind, "ckptsig-scope")) {
		cs->scope = CKPT_TREE | 0x1;	/* a checkpoint(2) action bit */
	} else if (!strcmp(kind, "ckptsig-reserved")) {
		cs->reserved = 1;
	} else if (!strcmp(kind, "ckptsig-anchor-negative")) {
		cs->scope = CKPT_TREE;
		cs->anchor = -1;
	} else if (!strcmp(kind, "ckptsig-anchor-max")) {
		/* PID_MAX_LIMIT: above any pid_max */
		cs->scope = CKPT_TREE;
		cs->anchor = 4194304;
	} else if (!strcmp(kind, "ckptsig-notify-huge")) {
		cs->notify = 0x80000000;
	} else if (!strcmp(kind, "ckptsig-notify-max")) {
		cs->notify = 65;		/* _NSIG + 1 */
	} else if (!strcmp(kind, "ckptsig-notify-kill")) {
		cs->notify = 9;
	} else if (!strcmp(kind, "ckptsig-notify-stop")) {
		cs->notify = 19;
	} else if (!strcmp(kind, "ckptsig-pattern-nul")) {
		memset(cs->pattern, 'a', sizeof(cs->pattern));
	} else if (!strcmp(kind, "ckptsig-pattern-pipe")) {
		snprintf(cs->pattern, sizeof(cs->pattern), "|/usr/bin/save %%p");
	} else if (!strcmp(kind, "ckptsig-len")) {
		cs->h.len -= 8;
	} else if (!strcmp(kind, "ckptsig-missing")) {
		/* an image of format v7 announced as v8: TIMERS comes instead */
		cut_or_dup(im, nth(im, CKPT_REC_CKPTSIG, 0), 0);
	} else if (!strcmp(kind, "ckptsig-before-sighand")) {
		swap_next(im, nth(im, CKPT_REC_SIGHAND, 0));
	} else if (!strcmp(kind, "ckptsig-twice")) {
		/* the producer's, twice */
		cut_or_dup(im, nth(im, CKPT_REC_CKPTSIG, 1), 1);
	} else if (!strcmp(kind, "ckptsig-zombie")) {
		/* the zombie sort's ACCT, its only record, made a CKPTSIG record */
		((struct ckpt_hdr *)(im->p + nth(im, CKPT_REC_ACCT, 5)))->type =
			CKPT_REC_CKPTSIG;
	} else if (!strcmp(kind, "ckptsig-job-scope")) {
		/* the producer's, with its tree, pattern and notification */
		AT(CKPT_REC_CKPTSIG, 1, ckpt_rec_ckptsig)->scope = 0x10;
	} else {
		return -1;
	}
	return 0;
}

/* The SHARES records of the shared image, in the image's order */
enum { SH_WORKER, SH_LOGGER, SH_HELPER };

/* The defects of the shared image (--shared) */
static int corrupt_shared(struct image *im, const char *kind)
{
	struct ckpt_rec_header *hdr = (void *)im->p;
	struct ckpt_rec_timers *tm = AT(CKPT_REC_TIMERS, 0, ckpt_rec_timers);
	struct ckpt_rec_posix_timers *pt = AT(CKPT_REC_POSIX_TIMERS, 0, ckpt_rec_posix_timers);
	struct ckpt_posix_timer *t = pt->timers;
	struct ckpt_rec_locks *locks = AT(CKPT_REC_LOCKS, 0, ckpt_rec_locks);
	struct ckpt_lock *l = locks->locks;
	struct ckpt_rec_shares *worker = AT(CKPT_REC_SHARES, SH_WORKER, ckpt_rec_shares);
	struct ckpt_rec_shares *logger = AT(CKPT_REC_SHARES, SH_LOGGER, ckpt_rec_shares);

	if (!strcmp(kind, "header-flags")) {
		hdr->flags |= 0x100;
	} else if (!strcmp(kind, "ptimer-nr-posix-max")) {
		tm->nr_posix = CKPT_MAX_POSIX_TIMERS + 1;
	} else if (!strcmp(kind, "ptimer-next-id")) {
		tm->next_posix_id = 0x80000000;
	} else if (!strcmp(kind, "ptimer-nr")) {
		tm->nr_posix = 4;
	} else if (!strcmp(kind, "ptimer-unexpected")) {
		/* the TIMERS record announces none, but the record follows */
		tm->nr_posix = 0;
	} else if (!strcmp(kind, "ptimer-reserved")) {
		pt->reserved = 1;
	} else if (!strcmp(kind, "ptimer-len")) {
		/* 4 timers announced by both, 5 in the record */
		tm->nr_posix = 4;
		pt->nr = 4;
	} else if (!strcmp(kind, "ptimer-id")) {
		t[0].id = -1;
	} else if (!strcmp(kind, "ptimer-dup-id")) {
		t[2].id = 1;
	} else if (!strcmp(kind, "ptimer-value")) {
		t[0].value_ns = -1;
	} else if (!strcmp(kind, "ptimer-interval")) {
		t[0].interval_ns = -5;
	} else if (!strcmp(kind, "ptimer-flags")) {
		t[0].flags = 4;
	} else if (!strcmp(kind, "ptimer-overrun")) {
		t[0].overrun = -2;
	} else if (!strcmp(kind, "ptimer-overrun-last")) {
		t[0].overrun_last = -1;
	} else if (!strcmp(kind, "ptimer-notify")) {
		t[0].notify = 2;		/* SIGEV_THREAD: glibc's, not the kernel's */
	} else if (!strcmp(kind, "ptimer-notify-thread-none")) {
		t[2].notify = SIGEV_THREAD_ID_NR | SIGEV_NONE_NR;
	} else if (!strcmp(kind, "ptimer-tid-zero")) {
		t[1].tid = 0;
	} else if (!strcmp(kind, "ptimer-tid-unexpected")) {
		t[0].tid = 4600;
	} else if (!strcmp(kind, "ptimer-signo")) {
		t[0].signo = 65;
	} else if (!strcmp(kind, "ptimer-no-cpu-tid")) {
		t[2].cpu_tid = 0;
	} else if (!strcmp(kind, "ptimer-cpu-tid-unexpected")) {
		t[0].cpu_tid = 4600;
	} else if (!strcmp(kind, "ptimer-cpu-tid-negative")) {
		t[3].cpu_tid = -1;
	} else if (!strcmp(kind, "ptimer-pending-none")) {
		t[2].flags = CKPT_PTIMER_PENDING;
	} else if (!strcmp(kind, "ptimer-tid-thread")) {
		/* the thread signalled is the worker, another process */
		t[1].tid = 4602;
	} else if (!strcmp(kind, "ptimer-cpu-tid-thread")) {
		t[2].cpu_tid = 4799;
	} else if (!strcmp(kind, "ptimer-clock")) {
		t[0].clock = 4;				/* CLOCK_MONOTONIC_RAW */
	} else if (!strcmp(kind, "ptimer-clock-fd")) {
		t[0].clock = (__s32)(~3U << 3 | 3);	/* FD_TO_CLOCKID(3) */
	} else if (!strcmp(kind, "locks-no-flag")) {
		hdr->flags &= ~CKPT_FILE_LOCKS;
	} else if (!strcmp(kind, "locks-short")) {
		/* no room for a lock */
		locks->h.len = sizeof(*locks);
	} else if (!strcmp(kind, "locks-nr-zero")) {
		locks->nr = 0;
	} else if (!strcmp(kind, "locks-nr-max")) {
		locks->nr = CKPT_MAX_LOCKS + 1;
	} else if (!strcmp(kind, "locks-reserved")) {
		locks->reserved = 1;
	} else if (!strcmp(kind, "locks-len")) {
		locks->nr = 2;
	} else if (!strcmp(kind, "locks-before-fd")) {
		/* the server's fd 6, which no lock names, after its LOCKS record */
		swap_next(im, nth(im, CKPT_REC_FD, 6));
	} else if (!strcmp(kind, "lock-fd")) {
		l[0].fd = -1;
	} else if (!strcmp(kind, "lock-type")) {
		l[1].type = 2;				/* F_UNLCK */
	} else if (!strcmp(kind, "lock-kind")) {
		l[0].kind = 4;
	} else if (!strcmp(kind, "lock-flock-range")) {
		l[2].start = 1;
	} else if (!strcmp(kind, "lock-start")) {
		l[1].start = -1;
	} else if (!strcmp(kind, "lock-end")) {
		l[1].end = 99;
	} else if (!strcmp(kind, "lock-fd-missing")) {
		l[0].fd = 9;
	} else if (!strcmp(kind, "lock-ofd-access")) {
		/* a write lock on the description of fd 4, open read-only */
		l[1].type = 1;				/* F_WRLCK */
	} else if (!strcmp(kind, "lock-posix-access")) {
		/* fd 5 is app.lock read-only, and no other fd is on it */
		l[0].fd = 5;
	} else if (!strcmp(kind, "shares-none")) {
		worker->files_of = 0;
	} else if (!strcmp(kind, "shares-negative")) {
		logger->fs_of = -1;
	} else if (!strcmp(kind, "shares-unknown")) {
		worker->files_of = 4999;
	} else if (!strcmp(kind, "shares-later")) {
		/* the logger, whose records come after the worker's */
		worker->files_of = 4603;
	} else if (!strcmp(kind, "shares-thread")) {
		worker->files_of = SERVER_THREAD;
	} else if (!strcmp(kind, "shares-self")) {
		worker->files_of = 4602;
	} else if (!strcmp(kind, "shares-zombie")) {
		logger->fs_of = 4601;
	} else if (!strcmp(kind, "shares-fs-record")) {
		/* the worker, which has its FS record, said to share the server's */
		worker->fs_of = 4600;
	} else if (!strcmp(kind, "shares-files-fd")) {
		/* the logger, which has its descriptors, said to share the server's */
		logger->files_of = 4600;
	} else if (!strcmp(kind, "shares-order")) {
		/* the worker's SHARES record after its FS */
		swap_next(im, nth(im, CKPT_REC_SHARES, SH_WORKER));
	} else if (!strcmp(kind, "shares-len")) {
		worker->h.len = 24;
	} else {
		return -1;
	}
	return 0;
}

/* The defects of the objects image (--objects) */
static int corrupt_objects(struct image *im, const char *kind)
{
	if (!strcmp(kind, "unlinked-objid-zero")) {
		AT(CKPT_REC_UNLINKED, 0, ckpt_rec_unlinked)->objid = 0;
	} else if (!strcmp(kind, "unlinked-objid-dup")) {
		/* the memfd gets the id of the shared memory */
		AT(CKPT_REC_UNLINKED, 1, ckpt_rec_unlinked)->objid = OBJ_SHM;
	} else if (!strcmp(kind, "unlinked-kind")) {
		AT(CKPT_REC_UNLINKED, 0, ckpt_rec_unlinked)->kind = 4;
	} else if (!strcmp(kind, "unlinked-reserved")) {
		AT(CKPT_REC_UNLINKED, 1, ckpt_rec_unlinked)->reserved = 1;
	} else if (!strcmp(kind, "unlinked-mode")) {
		AT(CKPT_REC_UNLINKED, 0, ckpt_rec_unlinked)->mode |= 0100000;	/* S_IFREG */
	} else if (!strcmp(kind, "unlinked-size")) {
		AT(CKPT_REC_UNLINKED, 2, ckpt_rec_unlinked)->size = 1ULL << 63;
	} else if (!strcmp(kind, "unlinked-nr-pages")) {
		/* 3 pages of a memfd of 5000 bytes */
		AT(CKPT_REC_UNLINKED, 1, ckpt_rec_unlinked)->nr_pages = 3;
	} else if (!strcmp(kind, "unlinked-seals-shmem")) {
		AT(CKPT_REC_UNLINKED, 0, ckpt_rec_unlinked)->seals = 1;
	} else if (!strcmp(kind, "unlinked-seals-unknown")) {
		AT(CKPT_REC_UNLINKED, 1, ckpt_rec_unlinked)->seals |= 0x40;
	} else if (!strcmp(kind, "unlinked-memfd-name")) {
		AT(CKPT_REC_UNLINKED, 1, ckpt_rec_unlinked)->path[0] = 'x';
	} else if (!strcmp(kind, "unlinked-shmem-path")) {
		/* the deleted file, which has a directory, made shared memory */
		AT(CKPT_REC_UNLINKED, 2, ckpt_rec_unlinked)->kind = CKPT_UNLINKED_SHMEM;
	} else if (!strcmp(kind, "unlinked-no-path")) {
		/* the shared memory, which has no name, made a memfd */
		AT(CKPT_REC_UNLINKED, 0, ckpt_rec_unlinked)->kind = CKPT_UNLINKED_MEMFD;
	} else if (!strcmp(kind, "unlinked-pages-order")) {
		/* the memfd's second page at offset 0 again */
		AT(CKPT_REC_PAGES, 2, ckpt_rec_pages)->addr = 0;
	} else if (!strcmp(kind, "unlinked-pages-past")) {
		/* the shared memory's page after its end */
		AT(CKPT_REC_PAGES, 0, ckpt_rec_pages)->addr = 2 * PAGE;
	} else if (!strcmp(kind, "unlinked-pages-missing")) {
		AT(CKPT_REC_UNLINKED, 0, ckpt_rec_unlinked)->nr_pages = 2;
	} else if (!strcmp(kind, "unlinked-pages-extra")) {
		AT(CKPT_REC_UNLINKED, 1, ckpt_rec_unlinked)->nr_pages = 1;
	} else if (!strcmp(kind, "unlinked-file-ref")) {
		/* the memfd's file names the eventfd */
		AT(CKPT_REC_FILE, 1, ckpt_rec_file)->ref_id = OBJ_EVENTFD;
	} else if (!strcmp(kind, "unlinked-file-pos")) {
		AT(CKPT_REC_FILE, 1, ckpt_rec_file)->pos = -1;
	} else if (!strcmp(kind, "vma-objid-missing")) {
		AT(CKPT_REC_VMA, 1, ckpt_rec_vma)->objid = 99;
	} else if (!strcmp(kind, "vma-objid-later")) {
		/* the shared mapping names the memfd, whose record comes after it */
		AT(CKPT_REC_VMA, 1, ckpt_rec_vma)->objid = OBJ_MEMFD;
	} else if (!strcmp(kind, "vma-objid-anon")) {
		AT(CKPT_REC_VMA, 3, ckpt_rec_vma)->objid = OBJ_SHM;
	} else if (!strcmp(kind, "vma-reserved")) {
		AT(CKPT_REC_VMA, 2, ckpt_rec_vma)->reserved = 1;
	} else if (!strcmp(kind, "pages-obj-shared")) {
		/* the memfd's copy-on-write page moved into the shared mapping */
		AT(CKPT_REC_PAGES, 4, ckpt_rec_pages)->addr = 0x10000000;
	} else if (!strcmp(kind, "eventfd-in-mm")) {
		/* an EVENTFD record among the VMA records */
		AT(CKPT_REC_UNLINKED, 0, ckpt_hdr)->type = CKPT_REC_EVENTFD;
	} else if (!strcmp(kind, "eventfd-flags")) {
		AT(CKPT_REC_EVENTFD, 0, ckpt_rec_eventfd)->flags = 2;
	} else if (!strcmp(kind, "eventfd-objid")) {
		AT(CKPT_REC_EVENTFD, 0, ckpt_rec_eventfd)->objid = OBJ_INHERIT;
	} else if (!strcmp(kind, "signalfd-reserved")) {
		AT(CKPT_REC_SIGNALFD, 0, ckpt_rec_signalfd)->reserved = 1;
	} else if (!strcmp(kind, "timerfd-clock")) {
		AT(CKPT_REC_TIMERFD, 0, ckpt_rec_timerfd)->clockid = 3;	/* thread CPU time */
	} else if (!strcmp(kind, "timerfd-flags")) {
		AT(CKPT_REC_TIMERFD, 0, ckpt_rec_timerfd)->flags = 4;
	} else if (!strcmp(kind, "timerfd-reserved")) {
		AT(CKPT_REC_TIMERFD, 1, ckpt_rec_timerfd)->reserved = 1;
	} else if (!strcmp(kind, "timerfd-range")) {
		AT(CKPT_REC_TIMERFD, 0, ckpt_rec_timerfd)->interval_ns = 1ULL << 63;
	} else if (!strcmp(kind, "timerfd-expires")) {
		/* a date on the relative CLOCK_MONOTONIC timer */
		AT(CKPT_REC_TIMERFD, 0, ckpt_rec_timerfd)->expires_ns = 1;
	} else if (!strcmp(kind, "timerfd-expires-relative")) {
		/* the CLOCK_REALTIME timer, with its date, made relative */
		AT(CKPT_REC_TIMERFD, 1, ckpt_rec_timerfd)->flags = 2;
	} else if (!strcmp(kind, "epoll-nr-items")) {
		AT(CKPT_REC_EPOLL, 0, ckpt_rec_epoll)->nr_items = 2;
	} else if (!strcmp(kind, "epoll-max")) {
		AT(CKPT_REC_EPOLL, 0, ckpt_rec_epoll)->nr_items = CKPT_MAX_EPOLL_ITEMS + 1;
	} else if (!strcmp(kind, "epoll-objid-zero")) {
		AT(CKPT_REC_EPOLL, 0, ckpt_rec_epoll)->objid = 0;
	} else if (!strcmp(kind, "obj-file-mode")) {
		/* the eventfd's file read-only */
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->mode = 1;
	} else if (!strcmp(kind, "obj-file-pos")) {
		AT(CKPT_REC_FILE, 4, ckpt_rec_file)->pos = 1;
	} else if (!strcmp(kind, "obj-file-size")) {
		AT(CKPT_REC_FILE, 7, ckpt_rec_file)->size = 1;
	} else if (!strcmp(kind, "obj-file-flags")) {
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->flags |= 02000;	/* O_APPEND */
	} else if (!strcmp(kind, "obj-file-ref")) {
		/* the eventfd's file names the timerfd */
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->ref_id = OBJ_TIMERFD;
	} else if (!strcmp(kind, "epoll-file-ref")) {
		AT(CKPT_REC_FILE, 7, ckpt_rec_file)->ref_id = 0;
	} else if (!strcmp(kind, "fd-on-eventfd")) {
		/* fd 5 names the EVENTFD record instead of its FILE */
		AT(CKPT_REC_FD, 5, ckpt_rec_fd)->objid = OBJ_EVENTFD;
	} else {
		return -1;
	}
	return 0;
}

/* The UNIX records of the unix image, in the image's order */
enum { U_LISTEN, U_PAIR_A, U_LOGD, U_CLIENT, U_SEQ, U_UNNAMED, U_PAIR_B };

/* Where the parts after a UNIX record's fixed part are */
static uint8_t *unix_name(struct ckpt_rec_unix *u)
{
	return (uint8_t *)(u + 1);
}

static uint8_t *unix_peer_name(struct ckpt_rec_unix *u)
{
	return unix_name(u) + ALIGN8(u->addr_len);
}

static char *unix_path(struct ckpt_rec_unix *u)
{
	return (char *)unix_peer_name(u) + ALIGN8(u->peer_addr_len);
}

/* Its message @n (from 0) */
static struct ckpt_unix_msg *unix_msg(struct ckpt_rec_unix *u, uint32_t n)
{
	uint8_t *p = (uint8_t *)unix_path(u) + ALIGN8(u->path_len);
	struct ckpt_unix_msg *m = (void *)p;

	while (n--) {
		p += sizeof(*m) + ALIGN8(m->len) + ALIGN8(m->nr_fds * sizeof(uint32_t));
		m = (void *)p;
	}
	return m;
}

/* The file ids in flight with message @m */
static uint32_t *unix_msg_fds(struct ckpt_unix_msg *m)
{
	return (uint32_t *)((uint8_t *)(m + 1) + ALIGN8(m->len));
}

/* The defects of the unix image (--unix) */
static int corrupt_unix(struct image *im, const char *kind)
{
	struct ckpt_rec_unix *listen = AT(CKPT_REC_UNIX, U_LISTEN, ckpt_rec_unix);
	struct ckpt_rec_unix *pair = AT(CKPT_REC_UNIX, U_PAIR_A, ckpt_rec_unix);
	struct ckpt_rec_unix *logd = AT(CKPT_REC_UNIX, U_LOGD, ckpt_rec_unix);
	struct ckpt_rec_unix *client = AT(CKPT_REC_UNIX, U_CLIENT, ckpt_rec_unix);
	struct ckpt_rec_unix *seq = AT(CKPT_REC_UNIX, U_SEQ, ckpt_rec_unix);
	struct ckpt_rec_unix *unnamed = AT(CKPT_REC_UNIX, U_UNNAMED, ckpt_rec_unix);
	struct ckpt_rec_unix *pair_b = AT(CKPT_REC_UNIX, U_PAIR_B, ckpt_rec_unix);
	uint16_t family = 2;		/* AF_INET */

	if (!strcmp(kind, "unix-objid-zero")) {
		listen->objid = 0;
	} else if (!strcmp(kind, "unix-objid-dup")) {
		/* the socketpair's end gets the id of the listening socket's file */
		pair->objid = OBJ_LISTEN + 1;
	} else if (!strcmp(kind, "unix-type")) {
		pair->type = 3;				/* SOCK_RAW */
	} else if (!strcmp(kind, "unix-state")) {
		listen->state = 5;
	} else if (!strcmp(kind, "unix-connected-no-peer")) {
		pair->peer_id = 0;
	} else if (!strcmp(kind, "unix-peer-unconnected")) {
		logd->peer_id = OBJ_CLIENT;
	} else if (!strcmp(kind, "unix-peer-self")) {
		pair->peer_id = OBJ_PAIR_A;
	} else if (!strcmp(kind, "unix-listen-dgram")) {
		logd->state = CKPT_UNIX_LISTEN;
	} else if (!strcmp(kind, "unix-listen-no-addr")) {
		/* the seqpacket socket, which has no name, made to listen */
		seq->state = CKPT_UNIX_LISTEN;
	} else if (!strcmp(kind, "unix-listen-msgs")) {
		listen->nr_msgs = 1;
	} else if (!strcmp(kind, "unix-shutdown")) {
		seq->shutdown = 4;
	} else if (!strcmp(kind, "unix-flags")) {
		pair->flags |= 0x80000000;
	} else if (!strcmp(kind, "unix-bound-no-addr")) {
		unnamed->flags |= CKPT_UNIX_BOUND;
	} else if (!strcmp(kind, "unix-err")) {
		seq->err = 4096;
	} else if (!strcmp(kind, "unix-peek-off")) {
		pair->peek_off = -2;
	} else if (!strcmp(kind, "unix-nr-msgs")) {
		pair->nr_msgs = CKPT_MAX_UNIX_MSGS + 1;
	} else if (!strcmp(kind, "unix-int-max")) {
		pair->sndbuf = 0x80000000;
	} else if (!strcmp(kind, "unix-addr-len")) {
		listen->addr_len = 2;
	} else if (!strcmp(kind, "unix-addr-len-max")) {
		logd->addr_len = 111;
	} else if (!strcmp(kind, "unix-peer-addr-state")) {
		pair->peer_addr_len = 16;
	} else if (!strcmp(kind, "unix-peer-addr-len")) {
		seq->peer_addr_len = 2;
	} else if (!strcmp(kind, "unix-path-len")) {
		listen->path_len = 1;
	} else if (!strcmp(kind, "unix-path-max")) {
		listen->path_len = 109;
	} else if (!strcmp(kind, "unix-path-no-addr")) {
		/* the log socket's name dropped (and the flag bound, which needs one) */
		logd->addr_len = 0;
		logd->flags &= ~CKPT_UNIX_BOUND;
	} else if (!strcmp(kind, "unix-path-unbound")) {
		logd->flags &= ~CKPT_UNIX_BOUND;
	} else if (!strcmp(kind, "unix-len-short")) {
		/* a name of 110 bytes: past the end of the record */
		pair->addr_len = 110;
	} else if (!strcmp(kind, "unix-family")) {
		memcpy(unix_name(listen), &family, sizeof(family));
	} else if (!strcmp(kind, "unix-peer-addr-family")) {
		memcpy(unix_peer_name(seq), &family, sizeof(family));
	} else if (!strcmp(kind, "unix-addr-pad")) {
		/* the log socket's name is 17 bytes: 7 bytes of padding follow it */
		unix_name(logd)[logd->addr_len + 3] = 1;
	} else if (!strcmp(kind, "unix-path-relative")) {
		unix_path(listen)[0] = 'r';
	} else if (!strcmp(kind, "unix-path-nul")) {
		unix_path(listen)[listen->path_len - 1] = 'x';
	} else if (!strcmp(kind, "unix-path-inner-nul")) {
		unix_path(listen)[4] = 0;
	} else if (!strcmp(kind, "unix-path-abstract")) {
		unix_name(listen)[SUN_FAMILY_LEN] = 0;
	} else if (!strcmp(kind, "unix-path-pad")) {
		unix_path(listen)[listen->path_len] = 1;
	} else if (!strcmp(kind, "unix-msgs-short")) {
		pair->nr_msgs = 3;
	} else if (!strcmp(kind, "unix-len")) {
		pair->nr_msgs = 1;
	} else if (!strcmp(kind, "unix-nr-fds")) {
		unix_msg(pair_b, 0)->nr_fds = CKPT_MAX_UNIX_FDS + 1;
	} else if (!strcmp(kind, "unix-fds-past")) {
		unix_msg(pair_b, 1)->nr_fds = 200;
	} else if (!strcmp(kind, "unix-fd-missing")) {
		unix_msg_fds(unix_msg(pair_b, 0))[1] = 77;
	} else if (!strcmp(kind, "unix-fd-later")) {
		/* the file on the worker's own socket, whose record comes after it */
		unix_msg_fds(unix_msg(pair_b, 0))[0] = OBJ_PAIR_B + 1;
	} else if (!strcmp(kind, "unix-fd-kind")) {
		/* the file of the listening socket: a socket in flight */
		unix_msg_fds(unix_msg(pair_b, 1))[0] = OBJ_LISTEN + 1;
	} else if (!strcmp(kind, "unix-fd-inherit")) {
		unix_msg_fds(unix_msg(pair_b, 1))[0] = OBJ_INHERIT;
	} else if (!strcmp(kind, "unix-fd-pad")) {
		/* one id: 4 bytes of padding follow it */
		unix_msg_fds(unix_msg(pair_b, 1))[1] = 1;
	} else if (!strcmp(kind, "unix-stream-empty")) {
		unix_msg(pair, 0)->len = 0;
	} else if (!strcmp(kind, "unix-msg-len")) {
		unix_msg(pair, 1)->len = 1000;
	} else if (!strcmp(kind, "unix-msg-pad")) {
		/* "hello": 3 bytes of padding follow it */
		((uint8_t *)(unix_msg(pair, 0) + 1))[6] = 1;
	} else if (!strcmp(kind, "unix-data-len")) {
		pair->data_len++;
	} else if (!strcmp(kind, "unix-peer-missing")) {
		client->peer_id = 77;
	} else if (!strcmp(kind, "unix-peer-type")) {
		client->peer_id = OBJ_PAIR_A;
	} else if (!strcmp(kind, "unix-peer-not-back")) {
		/* the worker's end connected to the listening socket instead */
		pair_b->peer_id = OBJ_LISTEN;
	} else if (!strcmp(kind, "unix-dgram-peer-no-name")) {
		client->peer_id = OBJ_UNNAMED;
	} else if (!strcmp(kind, "unix-sender-missing")) {
		/* a message from the client socket's file, not a socket */
		unix_msg(pair, 0)->sender_id = OBJ_CLIENT + 1;
	} else if (!strcmp(kind, "unix-sender-outside")) {
		unix_msg(pair, 0)->sender_id = 0;
	} else if (!strcmp(kind, "unix-sender-not-peer")) {
		unix_msg(pair, 0)->sender_id = OBJ_LISTEN;
	} else if (!strcmp(kind, "unix-dgram-unreachable")) {
		/* the client socket named after a listener: nothing sends to its name */
		client->flags &= ~CKPT_UNIX_BOUND;
	} else if (!strcmp(kind, "unix-file-ref")) {
		/* the socketpair end's file names the client socket's file */
		AT(CKPT_REC_FILE, 2, ckpt_rec_file)->ref_id = OBJ_CLIENT + 1;
	} else if (!strcmp(kind, "unix-file-later")) {
		/* ... the worker's end, whose record comes later */
		AT(CKPT_REC_FILE, 2, ckpt_rec_file)->ref_id = OBJ_PAIR_B;
	} else if (!strcmp(kind, "unix-file-mode")) {
		AT(CKPT_REC_FILE, 1, ckpt_rec_file)->mode = 1;
	} else if (!strcmp(kind, "unix-file-flags")) {
		AT(CKPT_REC_FILE, 1, ckpt_rec_file)->flags |= 02000;	/* O_APPEND */
	} else if (!strcmp(kind, "fd-on-unix")) {
		/* fd 3 names the UNIX record instead of its FILE */
		AT(CKPT_REC_FD, 3, ckpt_rec_fd)->objid = OBJ_LISTEN;
	} else {
		return -1;
	}
	return 0;
}

/* The inotify record's watch @n (from 0), and its event @e */
static struct ckpt_inotify_watch *in_watch_at(struct ckpt_rec_inotify *in, uint32_t n)
{
	uint8_t *p = (uint8_t *)(in + 1);
	struct ckpt_inotify_watch *w = (void *)p;

	while (n--) {
		p += sizeof(*w) + ALIGN8(w->path_len);
		w = (void *)p;
	}
	return w;
}

static uint32_t *in_event_at(struct ckpt_rec_inotify *in, uint32_t e)
{
	uint8_t *p = (uint8_t *)in + in->h.len - in->events_len;
	uint32_t *ev = (void *)p;

	while (e--) {
		p += 16 + ev[3];
		ev = (void *)p;
	}
	return ev;
}

/* The VMA records of the ipc image, in the image's order */
enum { V_EXE, V_SEG, V_RMID, V_HEAP, V_STACK, V_CLIENT_EXE, V_SEG_RO };

/* The defects of the ipc image (--ipc) */
static int corrupt_ipc(struct image *im, const char *kind)
{
	struct ckpt_rec_sysvshm *seg = AT(CKPT_REC_SYSVSHM, 0, ckpt_rec_sysvshm);
	struct ckpt_rec_sysvshm *rmid = AT(CKPT_REC_SYSVSHM, 1, ckpt_rec_sysvshm);
	struct ckpt_rec_inotify *in = AT(CKPT_REC_INOTIFY, 0, ckpt_rec_inotify);
	struct ckpt_rec_file *inf = AT(CKPT_REC_FILE, 1, ckpt_rec_file);
	struct ckpt_inotify_watch *w1 = in_watch_at(in, 0), *w2 = in_watch_at(in, 1);

	if (!strcmp(kind, "sysvshm-objid-zero")) {
		seg->objid = 0;
	} else if (!strcmp(kind, "sysvshm-objid-dup")) {
		rmid->objid = OBJ_SEG;
	} else if (!strcmp(kind, "sysvshm-len")) {
		/* the removed segment's record 8 bytes short (its reserved field) */
		rmid->h.len -= 8;
	} else if (!strcmp(kind, "sysvshm-reserved")) {
		seg->reserved = 1;
	} else if (!strcmp(kind, "sysvshm-flags")) {
		seg->flags = 2;
	} else if (!strcmp(kind, "sysvshm-shmid")) {
		seg->shmid = -1;
	} else if (!strcmp(kind, "sysvshm-mode")) {
		seg->mode = 01640;
	} else if (!strcmp(kind, "sysvshm-size-zero")) {
		rmid->size = 0;
	} else if (!strcmp(kind, "sysvshm-size-max")) {
		seg->size = 1ULL << 63;
	} else if (!strcmp(kind, "sysvshm-nr-pages")) {
		seg->nr_pages = 4;
	} else if (!strcmp(kind, "sysvshm-removed-key")) {
		rmid->key = 0x5eee;
	} else if (!strcmp(kind, "sysvshm-unmapped")) {
		seg->cuid = CKPT_ID_UNMAPPED;
	} else if (!strcmp(kind, "sysvshm-pages-order")) {
		/* the segment's second page at offset 0 again */
		AT(CKPT_REC_PAGES, 1, ckpt_rec_pages)->addr = 0;
	} else if (!strcmp(kind, "sysvshm-pages-past")) {
		AT(CKPT_REC_PAGES, 1, ckpt_rec_pages)->addr = 3 * PAGE;
	} else if (!strcmp(kind, "sysvshm-pages-missing")) {
		seg->nr_pages = 3;
	} else if (!strcmp(kind, "sysvshm-pages-extra")) {
		seg->nr_pages = 1;
	} else if (!strcmp(kind, "sysvshm-in-files")) {
		/* the segment's record among the files: the INOTIFY record's place */
		in->h.type = CKPT_REC_SYSVSHM;
	} else if (!strcmp(kind, "sysvshm-after-vma")) {
		/* the removed segment's record after the VMA that attaches it */
		swap_next(im, nth(im, CKPT_REC_SYSVSHM, 1));
	} else if (!strcmp(kind, "vma-sysvshm-objid")) {
		AT(CKPT_REC_VMA, V_SEG, ckpt_rec_vma)->objid = 99;
	} else if (!strcmp(kind, "vma-sysvshm-inotify")) {
		/* the client's attachment names the inotify instance */
		AT(CKPT_REC_VMA, V_SEG_RO, ckpt_rec_vma)->objid = OBJ_INOTIFY;
	} else if (!strcmp(kind, "vma-objid-sysvshm")) {
		/* the heap names the segment */
		AT(CKPT_REC_VMA, V_HEAP, ckpt_rec_vma)->objid = OBJ_SEG;
	} else if (!strcmp(kind, "vma-kind")) {
		AT(CKPT_REC_VMA, V_HEAP, ckpt_rec_vma)->kind = 9;
	} else if (!strcmp(kind, "vma-flags")) {
		AT(CKPT_REC_VMA, V_HEAP, ckpt_rec_vma)->flags |= 0x80000000;
	} else if (!strcmp(kind, "vma-rdonly-kind")) {
		AT(CKPT_REC_VMA, V_HEAP, ckpt_rec_vma)->flags |= CKPT_VMA_SHM_RDONLY;
	} else if (!strcmp(kind, "vma-rdonly-write")) {
		AT(CKPT_REC_VMA, V_SEG_RO, ckpt_rec_vma)->prot = 3;
	} else if (!strcmp(kind, "vma-wipeonfork")) {
		AT(CKPT_REC_VMA, V_SEG, ckpt_rec_vma)->flags |= CKPT_VMA_WIPEONFORK;
	} else if (!strcmp(kind, "pages-sysvshm")) {
		/* the heap's pages moved into the segment's attachment */
		AT(CKPT_REC_PAGES, 3, ckpt_rec_pages)->addr = SEG_ADDR;
	} else if (!strcmp(kind, "mm-flags")) {
		AT(CKPT_REC_MM, 0, ckpt_rec_mm)->flags = 0x10;
	} else if (!strcmp(kind, "inotify-objid-zero")) {
		in->objid = 0;
	} else if (!strcmp(kind, "inotify-objid-dup")) {
		in->objid = OBJ_SEG;
	} else if (!strcmp(kind, "inotify-short")) {
		in->h.len = 16;
	} else if (!strcmp(kind, "inotify-nr-watches-max")) {
		in->nr_watches = CKPT_MAX_INOTIFY_WATCHES + 1;
	} else if (!strcmp(kind, "inotify-next-wd")) {
		in->next_wd = 0x80000000;
	} else if (!strcmp(kind, "inotify-events-len")) {
		in->events_len = 256;
	} else if (!strcmp(kind, "inotify-events-align")) {
		in->events_len -= 8;
	} else if (!strcmp(kind, "inotify-nr-watches")) {
		in->nr_watches = 3;
	} else if (!strcmp(kind, "inotify-trailing")) {
		in->nr_watches = 1;
	} else if (!strcmp(kind, "inotify-watch-reserved")) {
		w2->reserved = 1;
	} else if (!strcmp(kind, "inotify-wd-zero")) {
		w1->wd = 0;
	} else if (!strcmp(kind, "inotify-wd-order")) {
		w2->wd = 1;
	} else if (!strcmp(kind, "inotify-path-len")) {
		w1->path_len = 1;
	} else if (!strcmp(kind, "inotify-path-max")) {
		w1->path_len = CKPT_MAX_PATH + 1;
	} else if (!strcmp(kind, "inotify-path-past")) {
		w2->path_len = 40;
	} else if (!strcmp(kind, "inotify-path-relative")) {
		w1->path[0] = 'e';
	} else if (!strcmp(kind, "inotify-path-nul")) {
		w1->path[w1->path_len - 1] = 'x';
	} else if (!strcmp(kind, "inotify-path-inner-nul")) {
		w2->path[4] = 0;
	} else if (!strcmp(kind, "inotify-same-path")) {
		/* the second watch on /etc/nginx too */
		w2->path_len = w1->path_len;
		memcpy(w2->path, w1->path, w1->path_len);
	} else if (!strcmp(kind, "inotify-mask-none")) {
		w2->mask = IN_ONESHOT_NR;
	} else if (!strcmp(kind, "inotify-mask-bits")) {
		w1->mask |= 0x20000000;			/* IN_MASK_ADD */
	} else if (!strcmp(kind, "inotify-event-len")) {
		in_event_at(in, 0)[3] = 1000;
	} else if (!strcmp(kind, "inotify-event-mask")) {
		in_event_at(in, 1)[1] |= 0x10000;
	} else if (!strcmp(kind, "inotify-event-len-align")) {
		in_event_at(in, 0)[3] = 8;
	} else if (!strcmp(kind, "inotify-event-name-nul")) {
		memset(in_event_at(in, 0) + 4, 'x', 16);
	} else if (!strcmp(kind, "inotify-overflow-wd")) {
		in_event_at(in, 2)[0] = 1;
	} else if (!strcmp(kind, "inotify-overflow-mask")) {
		in_event_at(in, 1)[1] |= IN_Q_OVERFLOW_NR;
	} else if (!strcmp(kind, "inotify-file-mode")) {
		inf->mode = 3;
	} else if (!strcmp(kind, "inotify-file-pos")) {
		inf->pos = 5;
	} else if (!strcmp(kind, "inotify-file-flags")) {
		inf->flags |= 02000;			/* O_APPEND */
	} else if (!strcmp(kind, "inotify-file-ref")) {
		/* the inotify file names the segment */
		inf->ref_id = OBJ_SEG;
	} else if (!strcmp(kind, "fd-on-inotify")) {
		/* the client's fd 3 names the INOTIFY record instead of its FILE */
		AT(CKPT_REC_FD, 7, ckpt_rec_fd)->objid = OBJ_INOTIFY;
	} else {
		return -1;
	}
	return 0;
}

/*
 * The defects of the digest fields: the header's digest unknown, the
 * trailer's another (its value that digest's, recomputed) or unknown,
 * reserved fields, and a byte after the 8 of an xxh64 value (with
 * --digest sha256, a byte of the SHA-256 changed)
 */
static int corrupt_digest(struct image *im, const char *kind)
{
	struct ckpt_rec_trailer *t = (void *)(im->p + im->trailer);
	struct ckpt_rec_header *hdr = (void *)im->p;

	if (!strcmp(kind, "digest-unknown")) {
		hdr->digest = 3;
	} else if (!strcmp(kind, "digest-zero")) {
		/* where a v8 image has reserved bytes */
		hdr->digest = 0;
	} else if (!strcmp(kind, "digest-flag")) {
		/* CKPT_DIGEST_SHA256 in the flags, or not, against the digest */
		hdr->flags ^= CKPT_DIGEST_SHA256;
	} else if (!strcmp(kind, "header-reserved")) {
		hdr->reserved[1] = 1;
	} else if (!strcmp(kind, "digest-differs")) {
		t->digest = t->digest == CKPT_HASH_XXH64 ? CKPT_HASH_SHA256 : CKPT_HASH_XXH64;
	} else if (!strcmp(kind, "digest-trailer-unknown")) {
		t->digest = 3;
	} else if (!strcmp(kind, "trailer-reserved")) {
		t->reserved = 1;
	} else if (!strcmp(kind, "digest-garbage")) {
		/* after the digest is recomputed, so that the byte stays */
		rehash(im);
		t->value[20] = 0x5a;
		return 0;
	} else {
		return -1;
	}
	rehash(im);
	return 0;
}

static int corrupt(struct image *im, const char *kind)
{
	struct ckpt_rec_header *hdr = (void *)im->p;
	uint8_t *p = im->p;
	struct ckpt_rec_vma *vma;
	struct ckpt_rec_fs *fs;

	if (!strcmp(kind, "bad-magic")) {
		p[im->off[CKPT_REC_HEADER] + 9] = 'X';
	} else if (!strcmp(kind, "bad-version")) {
		hdr->version = 99;
	} else if (!strcmp(kind, "bad-arch")) {
		hdr->arch = 0x40000028;	/* ARM */
	} else if (!strcmp(kind, "len-max")) {
		*len_of(im, CKPT_REC_TASK) = 0xffffffff;
	} else if (!strcmp(kind, "len-small")) {
		*len_of(im, CKPT_REC_TASK) = 4;
	} else if (!strcmp(kind, "len-short")) {
		/* a VMA record cut below its fixed part */
		*len_of(im, CKPT_REC_VMA) = 16;
	} else if (!strcmp(kind, "no-nul")) {
		fs = (void *)(p + im->off[CKPT_REC_FS]);
		fs->paths[fs->cwd_len - 1] = 'x';
	} else if (!strcmp(kind, "bad-type")) {
		*(len_of(im, CKPT_REC_SIGNAL) - 1) = 99;
	} else if (!strcmp(kind, "wrong-order")) {
		*(len_of(im, CKPT_REC_SIGNAL) - 1) = CKPT_REC_TASK_END;
	} else if (!strcmp(kind, "vma-overlap")) {
		vma = (void *)(p + im->off[CKPT_REC_VMA]);
		vma->end = 0x7ffd1000;
	} else if (!strcmp(kind, "pages-outside")) {
		((struct ckpt_rec_pages *)(p + im->off[CKPT_REC_PAGES]))->addr = 0x500000;
	} else if (!strcmp(kind, "fd-objid")) {
		((struct ckpt_rec_fd *)(p + im->off[CKPT_REC_FD]))->objid = 9;
	} else if (!strcmp(kind, "dup-objid")) {
		((struct ckpt_rec_file *)(p + im->off[CKPT_REC_FILE]))->objid = 2;
	} else if (!strcmp(kind, "trailing")) {
		put(im, "\0\0\0\0\0\0\0\0", 8);
		return 0;
	} else if (!strcmp(kind, "bad-padding")) {
		/* FS is 29 bytes: 3 bytes of padding follow it */
		p[im->off[CKPT_REC_FS] + *len_of(im, CKPT_REC_FS) + 1] = 1;
	} else if (!strcmp(kind, "total-len")) {
		((struct ckpt_rec_trailer *)(p + im->trailer))->total_len += 8;
	} else if (!strcmp(kind, "nr-vmas")) {
		((struct ckpt_rec_mm *)(p + im->off[CKPT_REC_MM]))->nr_vmas = 3;
	} else if (!strcmp(kind, "pages-span")) {
		/* the second PAGES record: 2 pages from the last page of the stack */
		AT(CKPT_REC_PAGES, 1, ckpt_rec_pages)->addr = 0x7ffd3000;
	} else if (!strcmp(kind, "reserved")) {
		((struct ckpt_rec_thread *)(p + im->off[CKPT_REC_THREAD]))->reserved = 1;
	} else if (!strcmp(kind, "inherit-fd")) {
		/* fd 3, the fourth FD record, made to refer to the inherited file */
		AT(CKPT_REC_FD, 3, ckpt_rec_fd)->objid = 1;
	} else if (!strcmp(kind, "caps")) {
		((struct ckpt_rec_cred *)(p + im->off[CKPT_REC_CRED]))->cap_effective = 1;
	} else if (!strcmp(kind, "nr-tasks")) {
		hdr->nr_tasks = 2;
		hdr->flags |= CKPT_TREE;
	} else if (!strcmp(kind, "process-scope")) {
		hdr->nr_tasks = 2;
	} else if (!strcmp(kind, "root-pid")) {
		hdr->root_pid = 4243;
	} else if (!strcmp(kind, "nsig")) {
		((struct ckpt_rec_sighand *)(p + im->off[CKPT_REC_SIGHAND]))->nr = 32;
	} else if (!strcmp(kind, "posix-timers")) {
		((struct ckpt_rec_timers *)(p + im->off[CKPT_REC_TIMERS]))->nr_posix = 1;
	} else if (!strcmp(kind, "itimer-range")) {
		((struct ckpt_rec_timers *)(p + im->off[CKPT_REC_TIMERS]))->itimer[1].value_ns =
			1ULL << 63;
	} else if (!strcmp(kind, "pipe-id")) {
		/* the consumer's read end: on a pipe that is not in the image */
		AT(CKPT_REC_FILE, 2, ckpt_rec_file)->ref_id = 99;
	} else if (!strcmp(kind, "pipe-mode")) {
		AT(CKPT_REC_FILE, 2, ckpt_rec_file)->mode = 3;
	} else if (!strcmp(kind, "fifo-and-pipe")) {
		/* the FIFO opened on the anonymous pipe */
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->ref_id = OBJ_PIPE;
	} else if (!strcmp(kind, "ctty-pipe-id")) {
		AT(CKPT_REC_FILE, 0, ckpt_rec_file)->ref_id = OBJ_PIPE;
	} else if (!strcmp(kind, "pipe-overfull")) {
		AT(CKPT_REC_PIPE, 0, ckpt_rec_pipe)->capacity = 4096;
		AT(CKPT_REC_PIPE, 0, ckpt_rec_pipe)->data_len = 4097;
	} else if (!strcmp(kind, "pipe-capacity")) {
		AT(CKPT_REC_PIPE, 0, ckpt_rec_pipe)->capacity = 1000;
	} else if (!strcmp(kind, "pipe-objid")) {
		/* the FIFO's pipe gets the id of the first pipe */
		AT(CKPT_REC_PIPE, 1, ckpt_rec_pipe)->objid = OBJ_PIPE;
	} else if (!strcmp(kind, "fd-on-pipe")) {
		/* the consumer's fd 0 names the PIPE record instead of a FILE */
		AT(CKPT_REC_FD, 7, ckpt_rec_fd)->objid = OBJ_PIPE;
	} else if (!strcmp(kind, "parent-order")) {
		/* the shell made a child of the consumer, which comes later */
		AT(CKPT_REC_TASK, 0, ckpt_rec_task)->ppid = 4211;
	} else if (!strcmp(kind, "thread-count")) {
		hdr->nr_threads++;
	} else if (!strcmp(kind, "dup-tid")) {
		AT(CKPT_REC_THREAD, 2, ckpt_rec_thread)->tid = 4200;
	} else if (!strcmp(kind, "thread-order")) {
		/* the producer's leader after another thread */
		AT(CKPT_REC_THREAD, 1, ckpt_rec_thread)->tid = 4310;
	} else if (!strcmp(kind, "zombie-threads")) {
		AT(CKPT_REC_TASK, 3, ckpt_rec_task)->nr_threads = 1;
	} else if (!strcmp(kind, "zombie-status")) {
		AT(CKPT_REC_TASK, 3, ckpt_rec_task)->exit_code = 0x137f;
	} else if (!strcmp(kind, "zombie-flags")) {
		AT(CKPT_REC_TASK, 3, ckpt_rec_task)->flags |= CKPT_TASK_STOPPED;
	} else if (!strcmp(kind, "session")) {
		AT(CKPT_REC_TASK, 4, ckpt_rec_task)->sid = 4300;
	} else if (!strcmp(kind, "restart-kind")) {
		AT(CKPT_REC_THREAD, 2, ckpt_rec_thread)->restart.kind = 9;
	} else if (!strcmp(kind, "futex-clock")) {
		AT(CKPT_REC_THREAD, 3, ckpt_rec_thread)->restart.clockid = 0;
	} else if (!strcmp(kind, "tty-name")) {
		memset(AT(CKPT_REC_TTY, 0, ckpt_rec_tty)->name, 'x', 64);
	} else if (!strcmp(kind, "tty-line")) {
		AT(CKPT_REC_TTY, 0, ckpt_rec_tty)->tty.termios.line = 30;
	} else if (!strcmp(kind, "tty-fg")) {
		AT(CKPT_REC_TTY, 0, ckpt_rec_tty)->tty.fg_pgrp = -4210;
	} else if (!strcmp(kind, "pty-flags")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->flags |= 0x8;
	} else if (!strcmp(kind, "pty-len")) {
		/* one byte less of unprocessed input than the record holds */
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->slave_raw--;
	} else if (!strcmp(kind, "pty-ref")) {
		/* the shell's slave: on a pty that is not in the image */
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->ref_id = 99;
	} else if (!strcmp(kind, "pty-ref-file")) {
		/* the shell's slave: on the inherited file, not a PTY record */
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->ref_id = OBJ_INHERIT;
	} else if (!strcmp(kind, "pty-two-masters")) {
		/* the shell's slave made a second master of pts/5 */
		AT(CKPT_REC_FILE, 3, ckpt_rec_file)->kind = CKPT_FILE_PTY_MASTER;
	} else if (!strcmp(kind, "pty-master-mode")) {
		/* the master of pts/5 read-only, but master_flags say O_RDWR */
		AT(CKPT_REC_FILE, 1, ckpt_rec_file)->mode = 1;
	} else if (!strcmp(kind, "pty-objid")) {
		/* pts/6 gets the id of pts/5's master file */
		AT(CKPT_REC_PTY, 1, ckpt_rec_pty)->objid = OBJ_PTY_A_M;
	} else if (!strcmp(kind, "pty-objid-zero")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->objid = 0;
	} else if (!strcmp(kind, "pty-master-flags")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->master_flags |= 0100;	/* O_CREAT */
	} else if (!strcmp(kind, "pty-master-accmode")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->master_flags |= 3;
	} else if (!strcmp(kind, "pty-line")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->slave.termios.line = 2;	/* N_MOUSE */
	} else if (!strcmp(kind, "pty-reserved")) {
		AT(CKPT_REC_PTY, 1, ckpt_rec_pty)->slave.termios.reserved = 1;
	} else if (!strcmp(kind, "pty-sid")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->slave.sid = -1;
	} else if (!strcmp(kind, "pty-in-max")) {
		AT(CKPT_REC_PTY, 0, ckpt_rec_pty)->slave_in = CKPT_MAX_PTY_IN + 1;
	} else if (!strcmp(kind, "pty-raw-max")) {
		AT(CKPT_REC_PTY, 1, ckpt_rec_pty)->master_raw = CKPT_MAX_PTY_RAW + 1;
	} else if (!strcmp(kind, "pty-ref-kind")) {
		/* the inherited file names pts/5 */
		AT(CKPT_REC_FILE, 0, ckpt_rec_file)->ref_id = OBJ_PTY_A;
	} else if (!strcmp(kind, "fd-on-pty")) {
		/* the shell's fd 0 names the PTY record instead of a FILE */
		AT(CKPT_REC_FD, 5, ckpt_rec_fd)->objid = OBJ_PTY_A;
	} else if (!strncmp(kind, "sysvshm-", 8) || !strncmp(kind, "inotify-", 8) ||
		   !strcmp(kind, "vma-sysvshm-objid") || !strcmp(kind, "vma-sysvshm-inotify") ||
		   !strcmp(kind, "vma-objid-sysvshm") || !strcmp(kind, "vma-kind") ||
		   !strcmp(kind, "vma-flags") || !strncmp(kind, "vma-rdonly-", 11) ||
		   !strcmp(kind, "vma-wipeonfork") || !strcmp(kind, "pages-sysvshm") ||
		   !strcmp(kind, "mm-flags") || !strcmp(kind, "fd-on-inotify")) {
		if (corrupt_ipc(im, kind))
			return -1;
	} else if (!strncmp(kind, "unlinked-", 9) || !strncmp(kind, "vma-", 4) ||
		   !strcmp(kind, "pages-obj-shared") || !strncmp(kind, "eventfd-", 8) ||
		   !strncmp(kind, "signalfd-", 9) || !strncmp(kind, "timerfd-", 8) ||
		   !strncmp(kind, "epoll-", 6) || !strncmp(kind, "obj-", 4) ||
		   !strcmp(kind, "fd-on-eventfd")) {
		if (corrupt_objects(im, kind))
			return -1;
	} else if (!strncmp(kind, "unix-", 5) || !strcmp(kind, "fd-on-unix")) {
		if (corrupt_unix(im, kind))
			return -1;
	} else if (!strncmp(kind, "ptimer-", 7) || !strncmp(kind, "lock", 4) ||
		   !strncmp(kind, "shares-", 7) || !strcmp(kind, "header-flags")) {
		if (corrupt_shared(im, kind))
			return -1;
	} else if (!strncmp(kind, "sched-", 6)) {
		if (corrupt_sched(im, kind))
			return -1;
	} else if (!strncmp(kind, "acct-", 5)) {
		if (corrupt_acct(im, kind))
			return -1;
	} else if (!strncmp(kind, "ckptsig-", 8)) {
		if (corrupt_ckptsig(im, kind))
			return -1;
	} else if (!strcmp(kind, "mm-mdwe-no-inherit")) {
		/* the consumer's PR_MDWE_NO_INHERIT, without PR_SET_MDWE */
		AT(CKPT_REC_MM, 2, ckpt_rec_mm)->flags &= ~CKPT_MM_MDWE;
	} else if (!strcmp(kind, "siginfo-count")) {
		/* a second thread announces a queued signal that is not there */
		AT(CKPT_REC_SIGNAL, 2, ckpt_rec_signal)->nr_siginfo = 1;
	} else if (!strncmp(kind, "digest-", 7) || !strcmp(kind, "header-reserved") ||
		   !strcmp(kind, "trailer-reserved")) {
		return corrupt_digest(im, kind);
	} else {
		return -1;
	}
	rehash(im);
	return 0;
}

/*
 * The digest @alg of the @len bytes at @data, fed to the library
 * @chunk bytes at a time, in hex (xxh64 as a 64-bit number): @want?
 */
static int check(uint32_t alg, const char *name, const void *data, size_t len,
		 size_t chunk, const char *want)
{
	const uint8_t *p = data;
	uint8_t d[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	XXH64_state_t x;
	SHA2_CTX s;
	size_t i, n;

	if (alg == CKPT_HASH_SHA256)
		md_sha256_init(&s);
	else
		XXH64_reset(&x, 0);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		if (alg == CKPT_HASH_SHA256)
			md_sha256_update(&s, p + i, n);
		else
			XXH64_update(&x, p + i, n);
	}
	if (alg == CKPT_HASH_SHA256) {
		md_sha256_final(d, &s);
		for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
			sprintf(hex + 2 * i, "%02x", d[i]);
	} else {
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)XXH64_digest(&x));
	}
	if (strcmp(hex, want)) {
		printf("%s %s (chunks of %zu): got %s, want %s\n",
		       alg == CKPT_HASH_SHA256 ? "sha256" : "xxh64", name, chunk, hex, want);
		return 1;
	}
	return 0;
}

#define CHECK_SHA256(...)	check(CKPT_HASH_SHA256, __VA_ARGS__)
#define CHECK_XXH64(...)	check(CKPT_HASH_XXH64, __VA_ARGS__)

static int sha256_selftest(void)
{
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const size_t chunks[] = { 1000000, 1, 3, 55, 63, 64, 65, 127 };
	char *a = malloc(1000000);
	int fails = 0;
	size_t i;

	if (!a)
		return 1;
	memset(a, 'a', 1000000);
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		fails += CHECK_SHA256("\"abc\"", "abc", 3, chunks[i],
				      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		fails += CHECK_SHA256("\"\"", "", 0, chunks[i],
				      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		fails += CHECK_SHA256("448 bits", two, strlen(two), chunks[i],
				      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
		fails += CHECK_SHA256("1000000 x a", a, 1000000, chunks[i],
				      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	/* 55, 56 and 64 bytes: the padding edge cases */
	fails += CHECK_SHA256("55 x a", a, 55, 64,
			      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	fails += CHECK_SHA256("56 x a", a, 56, 64,
			      "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	fails += CHECK_SHA256("64 x a", a, 64, 64,
			      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	free(a);
	printf("sha256 selftest: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}

/*
 * xxh64 (seed 0) against the values of the reference implementation
 * (xxhsum -H64), fed in pieces of sizes around its 32-byte stripes
 */
static int xxh64_selftest(void)
{
	static const char spam[] = "Nobody inspects the spammish repetition";
	static const size_t chunks[] = { 10243, 1, 3, 7, 31, 32, 33, 100 };
	uint8_t *b = malloc(10243);
	int fails = 0;
	size_t i;

	if (!b)
		return 1;
	for (i = 0; i < 10240; i++)
		b[i] = (uint8_t)i;
	memcpy(b + 10240, "xyz", 3);
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		fails += CHECK_XXH64("\"\"", "", 0, chunks[i], "ef46db3751d8e999");
		fails += CHECK_XXH64("\"a\"", "a", 1, chunks[i], "d24ec4f1a98c6e5b");
		fails += CHECK_XXH64("\"abc\"", "abc", 3, chunks[i], "44bc2cf5ad770999");
		fails += CHECK_XXH64("spam", spam, strlen(spam), chunks[i], "fbcea83c8a378bf1");
		fails += CHECK_XXH64("0..255 x 40, xyz", b, 10243, chunks[i], "7310338eaf604e73");
	}
	free(b);
	printf("xxh64 selftest: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}

static int write_all(const void *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = write(1, p, n);
		if (r <= 0) {
			perror("mkimage: write");
			return 1;
		}
		p = (const char *)p + r;
		n -= r;
	}
	return 0;
}

static int type_of(const char *name)
{
	static const char *const names[CKPT_REC_MAX] = { CKPT_REC_NAMES };
	int i;

	for (i = 1; i < CKPT_REC_MAX; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

/* The record types named in @list, "TYPE[,TYPE...]", as bits in *@types */
static int types_of(const char *list, uint64_t *types)
{
	char name[32];
	size_t n;
	int t;

	*types = 0;
	while (*list) {
		n = strcspn(list, ",");
		if (n >= sizeof(name))
			return -1;
		memcpy(name, list, n);
		name[n] = 0;
		t = type_of(name);
		if (t < 0)
			return -1;
		*types |= 1ULL << t;
		list += n;
		if (*list == ',')
			list++;
	}
	return *types ? 0 : -1;
}

/* The byte at @x (modulo their bytes, padding included) of the records of @types */
static size_t in_records(struct image *im, uint64_t types, uint64_t x)
{
	size_t i, end, total = 0;

	for (i = 0; i < im->nrec; i++) {
		end = i + 1 < im->nrec ? im->roff[i + 1] : im->len;
		if (types & 1ULL << im->rtype[i])
			total += end - im->roff[i];
	}
	if (!total) {
		fprintf(stderr, "mkimage: no such record\n");
		exit(2);
	}
	x %= total;
	for (i = 0; i < im->nrec; i++) {
		end = i + 1 < im->nrec ? im->roff[i + 1] : im->len;
		if (!(types & 1ULL << im->rtype[i]))
			continue;
		if (x < end - im->roff[i])
			break;
		x -= end - im->roff[i];
	}
	return im->roff[i] + x;
}

/* The digest named @name, "xxh64" or "sha256", in *@alg */
static int digest_of(const char *name, uint32_t *alg)
{
	if (!strcmp(name, "xxh64"))
		*alg = CKPT_HASH_XXH64;
	else if (!strcmp(name, "sha256"))
		*alg = CKPT_HASH_SHA256;
	else
		return -1;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "Usage: mkimage [--two-tasks | --job [--no-tty] | --pty | --objects |\n"
		"                --unix | --shared | --ipc] [--digest xxh64|sha256]\n"
		"               [--mutate-in TYPE[,TYPE...]]\n"
		"               [--corrupt KIND | --mutate SEED | --offset-of TYPE |\n"
		"                --record-offsets | --prefix-len | --kinds | --sha256-selftest |\n"
		"                --xxh64-selftest]\n");
	return 2;
}

int main(int argc, char **argv)
{
	enum shape shape = ONE;
	struct image im;
	uint64_t x, seed;
	size_t at, i;
	int t, a = 1;

	memset(&im, 0, sizeof(im));
	for (; a < argc; a++) {
		if (!strcmp(argv[a], "--two-tasks"))
			shape = TWO;
		else if (!strcmp(argv[a], "--job"))
			shape = JOB;
		else if (!strcmp(argv[a], "--no-tty"))
			omit_tty = 1;
		else if (!strcmp(argv[a], "--pty"))
			shape = PTY;
		else if (!strcmp(argv[a], "--objects"))
			shape = OBJ;
		else if (!strcmp(argv[a], "--unix"))
			shape = SOCKS;
		else if (!strcmp(argv[a], "--shared"))
			shape = SHARED;
		else if (!strcmp(argv[a], "--ipc"))
			shape = IPC;
		else if (!strcmp(argv[a], "--mutate-in") && a + 1 < argc &&
			 !types_of(argv[a + 1], &mutate_types))
			a++;
		else if (!strcmp(argv[a], "--digest") && a + 1 < argc &&
			 !digest_of(argv[a + 1], &digest_alg))
			a++;
		else
			break;
	}
	if (a < argc && !strcmp(argv[a], "--sha256-selftest"))
		return sha256_selftest();
	if (a < argc && !strcmp(argv[a], "--xxh64-selftest"))
		return xxh64_selftest();
	if (a < argc && !strcmp(argv[a], "--kinds")) {
		for (t = 0; kinds[t]; t++)
			printf("%s\n", kinds[t]);
		return 0;
	}
	build(&im, shape);
	if (a == argc)
		return write_all(im.p, im.len);
	if (a + 1 == argc && !strcmp(argv[a], "--prefix-len")) {
		printf("%zu\n", im.trailer);
		return 0;
	}
	if (a + 1 == argc && !strcmp(argv[a], "--record-offsets")) {
		/* the offset of every record, then the end of the image */
		for (i = 0; i < im.nrec; i++)
			printf("%zu\n", im.roff[i]);
		printf("%zu\n", im.len);
		return 0;
	}
	if (a + 2 == argc && !strcmp(argv[a], "--offset-of")) {
		t = type_of(argv[a + 1]);
		if (t < 0)
			return usage();
		printf("%zu\n", t == CKPT_REC_TRAILER ? im.trailer : im.off[t]);
		return 0;
	}
	if (a + 2 == argc && !strcmp(argv[a], "--corrupt")) {
		if (corrupt(&im, argv[a + 1])) {
			fprintf(stderr, "mkimage: unknown defect %s\n", argv[a + 1]);
			return 2;
		}
		return write_all(im.p, im.len);
	}
	if (a + 2 == argc && !strcmp(argv[a], "--mutate")) {
		seed = strtoull(argv[a + 1], NULL, 0);
		x = seed * 0x9e3779b97f4a7c15ULL + 1;
		for (t = 0; t < 4; t++) {		/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		/* half of the mutations hit the first 1 KiB: more fields there */
		if (mutate_types)
			at = in_records(&im, mutate_types, x >> 16);
		else
			at = (x >> 8) % 2 ? (x >> 16) % 1024 : (x >> 16) % im.len;
		im.p[at] ^= (uint8_t)((x & 0xff) ? (x & 0xff) : 0x80);
		if (seed % 2 && at < im.trailer)
			rehash(&im);
		return write_all(im.p, im.len);
	}
	return usage();
}
