// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: decode and verify a checkpoint image without the kernel.
 *
 *   ckptinfo [--json] [--no-verify] [FILE]
 *
 * The image is read once, sequentially, from FILE or standard input, so
 * it can come from a pipe.  Every record is bounds-checked before it is
 * decoded: the input is untrusted.  After the records comes a view of the
 * whole job: its process tree, threads, pipes, FIFOs, pseudo-terminals and
 * terminal.
 *
 * Exit status: 0 if the image is well-formed and its digest (xxh64 or
 * SHA-256, as its header says) matches, 1 if it is malformed, truncated
 * or fails the checksum, 2 on usage errors.
 *
 * This file reads the image record by record and hands each record to the
 * decoder of its type (rec_ops[]); ckptinfo.h says where the rest is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckptinfo.h"

/*
 * The record types: the decoder of each, and the states (where) it may
 * come in.  TASK and TRAILER in ST_TASK: see allowed().
 */
static const struct rec_ops rec_ops[] = {
	{ CKPT_REC_HEADER,	decode_header,		BIT(ST_HEADER) },
	{ CKPT_REC_TASK,	decode_task,		BIT(ST_FIRST) | BIT(ST_TASK) },
	{ CKPT_REC_CRED,	decode_cred,		BIT(ST_CRED) },
	{ CKPT_REC_RLIMITS,	decode_rlimits,		BIT(ST_RLIMITS) },
	{ CKPT_REC_FS,		decode_fs,		BIT(ST_SHARES) | BIT(ST_FS) },
	{ CKPT_REC_MM,		decode_mm,		BIT(ST_MM) },
	{ CKPT_REC_VMA,		decode_vma,		BIT(ST_VMA) },
	{ CKPT_REC_PAGES,	decode_pages,		BIT(ST_PAGES) | BIT(ST_UPAGES) },
	{ CKPT_REC_SIGHAND,	decode_sighand,		BIT(ST_PAGES) },
	{ CKPT_REC_SIGNAL,	decode_signal,		BIT(ST_SIGNAL) },
	{ CKPT_REC_SIGINFO,	decode_siginfo,		BIT(ST_SIGINFO) },
	{ CKPT_REC_FILE,	decode_file,		BIT(ST_FILES) },
	{ CKPT_REC_FD,		decode_fd,		BIT(ST_FILES) },
	{ CKPT_REC_THREAD,	decode_thread,		BIT(ST_FILES) | BIT(ST_THREAD) },
	{ CKPT_REC_XSTATE,	decode_xstate,		BIT(ST_XSTATE) },
	{ CKPT_REC_TASK_END,	decode_task_end,	BIT(ST_END) },
	{ CKPT_REC_TRAILER,	decode_trailer,		BIT(ST_TASK) },
	{ CKPT_REC_PIPE,	decode_pipe,		BIT(ST_FILES) },
	{ CKPT_REC_TTY,		decode_tty,		BIT(ST_FIRST) },
	{ CKPT_REC_PTY,		decode_pty,		BIT(ST_FILES) },
	{ CKPT_REC_TIMERS,	decode_timers,		BIT(ST_TIMERS) },
	{ CKPT_REC_UNLINKED,	decode_unlinked,	BIT(ST_VMA) | BIT(ST_FILES) },
	{ CKPT_REC_EVENTFD,	decode_eventfd,		BIT(ST_FILES) },
	{ CKPT_REC_SIGNALFD,	decode_signalfd,	BIT(ST_FILES) },
	{ CKPT_REC_TIMERFD,	decode_timerfd,		BIT(ST_FILES) },
	{ CKPT_REC_EPOLL,	decode_epoll,		BIT(ST_FILES) },
	{ CKPT_REC_UNIX,	decode_unix,		BIT(ST_FILES) },
	{ CKPT_REC_POSIX_TIMERS, decode_posix_timers,	BIT(ST_PTIMERS) },
	{ CKPT_REC_LOCKS,	decode_locks,		BIT(ST_FILES) },
	{ CKPT_REC_SHARES,	decode_shares,		BIT(ST_SHARES) },
	{ CKPT_REC_SYSVSHM,	decode_sysvshm,		BIT(ST_VMA) },
	{ CKPT_REC_INOTIFY,	decode_inotify,		BIT(ST_FILES) },
	{ CKPT_REC_SCHED,	decode_sched,		BIT(ST_SCHED) },
	{ CKPT_REC_ACCT,	decode_acct,		BIT(ST_ACCT) },
	{ CKPT_REC_CKPTSIG,	decode_ckptsig,		BIT(ST_CKPTSIG) },
};

static const struct rec_ops *find_rec_ops(__u32 type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rec_ops); i++)
		if (rec_ops[i].type == type)
			return &rec_ops[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckptinfo [--json] [--no-verify] [FILE]\n"
		"Decode and check a checkpoint image (FILE, or standard input).\n\n"
		"  -j, --json       print one JSON object instead of text\n"
		"  -n, --no-verify  do not check the image's digest (xxh64 or SHA-256)\n"
		"  -h, --help       show this help\n\n"
		"Exit status: 0 image well-formed and verified, 1 malformed, truncated\n"
		"or checksum mismatch, 2 bad arguments.\n");
}

/* Read up to @n bytes; *@got is short only at end of input. */
static int read_full(struct img *im, void *p, size_t n, size_t *got)
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		r = read(im->fd, (char *)p + *got, n - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return bad(im, "read error: %s", strerror(errno));
		if (r == 0)
			break;
		*got += r;
	}
	return 0;
}

/* What the decoder expects next, for error messages */
static const char *expected(struct img *im, char *buf, size_t size)
{
	switch (im->st) {
	case ST_HEADER:
		return "HEADER";
	case ST_FIRST:
		return "TTY or TASK";
	case ST_TASK:
		if (im->nr_tasks)
			snprintf(buf, size, "TASK (%u more announced by the header)",
				 im->nr_tasks);
		else
			snprintf(buf, size, "TRAILER");
		return buf;
	case ST_CRED:
		return "CRED";
	case ST_RLIMITS:
		return "RLIMITS";
	case ST_SHARES:
		/* the first process has no process before it to share with */
		return im->tasks_done ? "SHARES or FS" : "FS";
	case ST_FS:
		return "FS";
	case ST_MM:
		if (!im->fs_of)
			return "MM";
		snprintf(buf, size, "MM (no FS: the process shares pid %d's)", im->fs_of);
		return buf;
	case ST_VMA:
		snprintf(buf, size, "VMA %u of %u", im->seen + 1, im->nr_vmas);
		return buf;
	case ST_PAGES:
		return "PAGES or SIGHAND";
	case ST_UPAGES:
		if (im->uowner == CKPT_REC_SYSVSHM)
			snprintf(buf, size, "PAGES (%llu more page%s of System V segment %u)",
				 im->upages_left, im->upages_left == 1 ? "" : "s",
				 im->sysvshms[im->ucur].r.objid);
		else
			snprintf(buf, size, "PAGES (%llu more page%s of unlinked file %u)",
				 im->upages_left, im->upages_left == 1 ? "" : "s",
				 im->unlinked[im->ucur].objid);
		return buf;
	case ST_CKPTSIG:
		return "CKPTSIG";
	case ST_TIMERS:
		return "TIMERS";
	case ST_PTIMERS:
		snprintf(buf, size, "POSIX_TIMERS (nr_posix %u)", im->nr_posix);
		return buf;
	case ST_FILES:
		if (!(im->hdr.flags & CKPT_FILE_LOCKS))
			return "FILE, FD, THREAD or an object (PIPE, PTY, UNLINKED, EVENTFD...)";
		return "FILE, FD, LOCKS, THREAD or an object (PIPE, PTY, UNLINKED, EVENTFD...)";
	case ST_XSTATE:
		return "XSTATE";
	case ST_SIGNAL:
		return "SIGNAL";
	case ST_SIGINFO:
		snprintf(buf, size, "SIGINFO %u of %u", im->seen + 1,
			 im->nr_siginfo);
		return buf;
	case ST_SCHED:
		return "SCHED";
	case ST_ACCT:
		return "ACCT";
	case ST_THREAD:
		if (!im->threads_seen && im->files_of)
			snprintf(buf, size,
				 "THREAD 1 of %u (no files: the process shares pid %d's file table)",
				 im->nr_threads, im->files_of);
		else
			snprintf(buf, size, "THREAD %u of %u", im->threads_seen + 1,
				 im->nr_threads);
		return buf;
	case ST_END:
		return "TASK_END";
	case ST_DONE:
		return "end of image";
	}
	return "?";
}

/* May a record of @ops's type come next? */
static int allowed(struct img *im, const struct rec_ops *ops)
{
	/* after a process: the next one, or the trailer after the last */
	if (im->st == ST_TASK)
		return ops->type == (im->nr_tasks ? CKPT_REC_TASK : CKPT_REC_TRAILER);
	return !!(ops->states & BIT(im->st));
}

/* Read and check one record; 1 at the end of the image, 0 ok, -1 error */
static int next_record(struct img *im)
{
	static const __u8 zero[CKPT_ALIGN];
	const struct rec_ops *ops;
	__u8 pad[CKPT_ALIGN];
	struct ckpt_hdr h;
	size_t got, padlen;
	char exp[128];
	int r;

	im->rec_off = im->off;
	im->rec_type = 0;
	if (read_full(im, &h, sizeof(h), &got))
		return -1;
	im->off += got;
	if (got == 0) {
		if (im->st == ST_DONE)
			return 1;
		if (im->off == 0)
			return bad(im, "truncated: the input is empty");
		return bad(im, "truncated: the image ends here, %s record expected",
			   expected(im, exp, sizeof(exp)));
	}
	if (im->st == ST_DONE)
		return bad(im, "data after the trailer: the image should end here");
	if (got < sizeof(h))
		return bad(im, "truncated: only %zu of the 8 bytes of a record header", got);
	/* a type without a decoder here is one this ckptinfo does not know */
	ops = find_rec_ops(h.type);
	if (ops)
		im->rec_type = h.type;
	if (h.len < sizeof(h))
		return bad(im, "length %u is smaller than the record header (%zu)",
			   h.len, sizeof(h));
	if (h.len > CKPT_MAX_RECORD)
		return bad(im, "length %u exceeds CKPT_MAX_RECORD (%u)", h.len,
			   CKPT_MAX_RECORD);
	if (!ops)
		return bad(im, "unknown record type %u (length %u)", h.type,
			   h.len);
	im->rec_len = h.len;
	if (!allowed(im, ops))
		return bad(im, "unexpected here: %s record expected",
			   expected(im, exp, sizeof(exp)));

	if (im->buf_size < h.len) {
		size_t size = h.len < 4096 ? 4096 : h.len;
		__u8 *b = malloc(size);

		if (!b)
			return nomem(im);
		free(im->buf);
		im->buf = b;
		im->buf_size = size;
	}
	memcpy(im->buf, &h, sizeof(h));
	if (read_full(im, im->buf + sizeof(h), h.len - sizeof(h), &got))
		return -1;
	im->off += got;
	padlen = (CKPT_ALIGN - h.len % CKPT_ALIGN) % CKPT_ALIGN;
	if (got < h.len - sizeof(h))
		return bad(im, "truncated: the record is %u bytes, only %zu present",
			   h.len, got + sizeof(h));
	if (read_full(im, pad, padlen, &got))
		return -1;
	im->off += got;
	if (got < padlen)
		return bad(im, "truncated: %zu of the %zu padding bytes after the record", got,
			   padlen);
	if (memcmp(pad, zero, padlen))
		return bad(im, "padding after the record is not zero");

	/* the header, which names the digest, is hashed once decoded */
	if (im->verify && h.type == CKPT_REC_TRAILER) {
		digest_final(im);
	} else if (im->verify && h.type != CKPT_REC_HEADER) {
		digest_update(im, im->buf, h.len);
		digest_update(im, pad, padlen);
	}
	im->nr_records++;
	/* the first record after the PAGES ends the process's memory */
	if (im->st == ST_PAGES && h.type != CKPT_REC_PAGES && mm_end(im))
		return -1;
	r = ops->decode(im);
	if (!r && im->verify && h.type == CKPT_REC_HEADER)
		digest_begin(im, pad, padlen);
	return r;
}

static void print_summary(struct img *im, int ok)
{
	const char *alg = im->trailer_seen ? digest_name(im->trailer.digest) : NULL;
	char hex[DIGEST_HEX];
	const char *sum = digest_computed(im, hex);

	if (im->json) {
		json_open(im, "summary", '{');
		fu(im, "records", im->nr_records);
		fu(im, "tasks", im->tasks_done);
		fu(im, "pages", im->pages);
		fu(im, "page_bytes", im->page_bytes);
		fu(im, "bytes", im->off);
		json_close(im);
		if (im->trailer_seen)
			fbool(im, "total_len_ok", im->len_ok);
		else
			field_fmt(im, "total_len_ok", 0, "null");
		if (im->sum_ok >= 0)
			fbool(im, "checksum_ok", im->sum_ok);
		else
			field_fmt(im, "checksum_ok", 0, "null");
		if (sum) {
			fword(im, "digest", alg);
			fword(im, "computed", sum);
		}
		fbool(im, "ok", ok);
		if (im->failed) {
			json_open(im, "error", '{');
			fu(im, "offset", im->err_off);
			if (rec_name(im->err_type))
				fword(im, "record", rec_name(im->err_type));
			fstr(im, "message", im->err, strlen(im->err));
			json_close(im);
		} else {
			field_fmt(im, "error", 0, "null");
		}
		json_close(im);
		putchar('\n');
		return;
	}
	printf("\nsummary: %llu records, %u task%s, %llu pages (%llu bytes), %llu bytes read\n",
	       im->nr_records, im->tasks_done, im->tasks_done == 1 ? "" : "s", im->pages,
	       im->page_bytes, im->off);
	if (im->trailer_seen)
		printf("total_len: %llu %s\n", (__u64)im->trailer.total_len,
		       im->len_ok ? "ok" : "MISMATCH");
	else
		printf("total_len: no trailer\n");
	if (im->sum_ok > 0)
		printf("digest: %s %s ok\n", alg, sum);
	else if (im->sum_ok == 0)
		printf("digest: %s MISMATCH (computed %s)\n", alg, sum);
	else if (!im->verify)
		printf("digest: not verified (--no-verify)\n");
	else
		printf("digest: not verified (no trailer)\n");
	if (ok)
		printf("result: ok\n");
	else if (im->failed)
		printf("result: malformed image: %s\n", im->err);
	else if (!im->len_ok)
		printf("result: total_len mismatch\n");
	else
		printf("result: %s checksum mismatch\n", alg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct img im = { .fd = 0, .name = "<stdin>", .verify = 1, .sum_ok = -1 };
	int c, r, ok;

	while ((c = getopt_long(argc, argv, "jnh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			im.json = 1;
			break;
		case 'n':
			im.verify = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "-")) {
		im.name = argv[optind];
		im.fd = open(im.name, O_RDONLY | O_CLOEXEC);
		if (im.fd < 0) {
			fprintf(stderr, "ckptinfo: %s: %s\n", im.name, strerror(errno));
			return 2;
		}
	} else if (isatty(0)) {
		fprintf(stderr, "ckptinfo: will not read an image from a terminal\n");
		usage(stderr);
		return 2;
	}
	im.fdmap = calloc(CKPT_MAX_FILES / 8, 1);
	if (!im.fdmap) {
		fprintf(stderr, "ckptinfo: out of memory\n");
		return 1;
	}
	if (im.json) {
		json_open(&im, NULL, '{');
		fstr(&im, "file", im.name, strlen(im.name));
	} else {
		printf("%s:\n%10s  %-9s %8s  %s\n", im.name, "offset", "record", "len", "contents");
	}
	for (;;) {
		r = next_record(&im);
		if (r)
			break;
	}
	flush_mm(&im);
	check_trailer(&im);
	ok = !im.failed && im.trailer_seen && im.len_ok && im.sum_ok != 0;
	if (im.json) {
		while (im.depth > 1)
			json_close(&im);
	}
	print_job(&im);
	print_summary(&im, ok);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ckptinfo: write error on standard output\n");
		return 1;
	}
	return ok ? 0 : 1;
}
