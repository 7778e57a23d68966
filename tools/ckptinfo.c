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
 * Exit status: 0 if the image is well-formed and its SHA-256 matches,
 * 1 if it is malformed, truncated or fails the checksum, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <linux/audit.h>
#include <linux/types.h>
#include <linux/checkpoint.h>

#include "ckpt_sha256.h"

#define TEXT_WIDTH	100	/* wrap text output here */
#define TEXT_INDENT	31	/* column where decoded fields start */
#define MAX_NSIG	64	/* signal masks in the image are 64 bits */
#define MAX_RLIMITS	64
#define MAX_TREE_INDENT	32	/* text: deeper processes are not indented more */
#define MIN_XSTATE	576	/* legacy area + XSAVE header */
#define JSON_DEPTH	16

#define SIGKILL_NR	9
#define SIGSTOP_NR	19
#define SIGINFO_USED	48	/* bytes of info[] the kernel uses (kernel_siginfo_t) */
#define TASK_FLAGS	(CKPT_TASK_STOPPED | CKPT_TASK_NO_NEW_PRIVS | CKPT_TASK_SELF | \
			 CKPT_TASK_ZOMBIE | CKPT_TASK_CTTY | CKPT_TASK_SUBREAPER)
/*
 * What a pty master's open flags may hold (x86_64 values): O_ACCMODE and
 * the status flags O_APPEND, O_NONBLOCK, O_DSYNC, O_SYNC (__O_SYNC |
 * O_DSYNC), O_NOATIME, O_DIRECT, O_LARGEFILE and FASYNC.
 */
#define O_ACCMODE_BITS	00000003
#define PTY_MASTER_FLAGS (O_ACCMODE_BITS | 00002000 | 00004000 | 00010000 | 04000000 | \
			  01000000 | 00040000 | 00100000 | 00020000)
#define VMA_FLAGS	(CKPT_VMA_GROWSDOWN | CKPT_VMA_LOCKED | CKPT_VMA_DONTDUMP | \
			 CKPT_VMA_HEAP | CKPT_VMA_STACK)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Built with -D'__printf(a, b)=...' for format checking, if wanted */
#ifndef __printf
#define __printf(...)
#endif

static const char *const rec_names[CKPT_REC_MAX] = {
	[CKPT_REC_HEADER] = "HEADER",	[CKPT_REC_TASK] = "TASK",
	[CKPT_REC_CRED] = "CRED",	[CKPT_REC_RLIMITS] = "RLIMITS",
	[CKPT_REC_FS] = "FS",		[CKPT_REC_MM] = "MM",
	[CKPT_REC_VMA] = "VMA",		[CKPT_REC_PAGES] = "PAGES",
	[CKPT_REC_SIGHAND] = "SIGHAND",	[CKPT_REC_SIGNAL] = "SIGNAL",
	[CKPT_REC_SIGINFO] = "SIGINFO",	[CKPT_REC_FILE] = "FILE",
	[CKPT_REC_FD] = "FD",		[CKPT_REC_THREAD] = "THREAD",
	[CKPT_REC_XSTATE] = "XSTATE",	[CKPT_REC_TASK_END] = "TASK_END",
	[CKPT_REC_TRAILER] = "TRAILER",	[CKPT_REC_PIPE] = "PIPE",
	[CKPT_REC_TTY] = "TTY",		[CKPT_REC_PTY] = "PTY",
	[CKPT_REC_TIMERS] = "TIMERS",
};

static const char *const vma_kinds[] = {
	[CKPT_VMA_ANON] = "anon",
	[CKPT_VMA_FILE_PRIVATE] = "file_private",
	[CKPT_VMA_FILE_SHARED] = "file_shared",
	[CKPT_VMA_VDSO] = "vdso",
	[CKPT_VMA_VVAR] = "vvar",
};

static const char *const file_kinds[] = {
	[CKPT_FILE_REG] = "reg",
	[CKPT_FILE_CHR] = "chr",
	[CKPT_FILE_INHERIT] = "inherit",
	[CKPT_FILE_PIPE] = "pipe",
	[CKPT_FILE_FIFO] = "fifo",
	[CKPT_FILE_CTTY] = "ctty",
	[CKPT_FILE_PTY_MASTER] = "pty-master",
	[CKPT_FILE_PTY_SLAVE] = "pty-slave",
	[CKPT_FILE_DIR] = "dir",
	[CKPT_FILE_OPATH] = "o_path",
};

static const char *const scopes[] = {
	[CKPT_PROCESS >> 2] = "process",
	[CKPT_PGRP >> 2] = "pgrp",
	[CKPT_SESSION >> 2] = "session",
	[CKPT_TREE >> 2] = "tree",
};

static const char *const restart_kinds[] = {
	[CKPT_RESTART_NONE] = "none",
	[CKPT_RESTART_NANOSLEEP] = "nanosleep",
	[CKPT_RESTART_FUTEX] = "futex",
	[CKPT_RESTART_POLL] = "poll",
};

static const char *const clock_names[] = {
	"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
	"CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
	"CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME", "CLOCK_REALTIME_ALARM",
	"CLOCK_BOOTTIME_ALARM", NULL, "CLOCK_TAI",
};

static const char *const sig_names[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
	"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS",
};

static const char *const rlim_names[] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock",
	"as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime",
};

struct flag_name {
	__u64 bit;
	const char *name;
};

static const struct flag_name task_flags[] = {
	{ CKPT_TASK_STOPPED, "stopped" },
	{ CKPT_TASK_NO_NEW_PRIVS, "no_new_privs" },
	{ CKPT_TASK_SELF, "self" },
	{ CKPT_TASK_ZOMBIE, "zombie" },
	{ CKPT_TASK_CTTY, "ctty" },
	{ CKPT_TASK_SUBREAPER, "subreaper" },
	{ 0, NULL }
};

static const struct flag_name vma_flags[] = {
	{ CKPT_VMA_GROWSDOWN, "growsdown" },
	{ CKPT_VMA_LOCKED, "locked" },
	{ CKPT_VMA_DONTDUMP, "dontdump" },
	{ CKPT_VMA_HEAP, "heap" },
	{ CKPT_VMA_STACK, "stack" },
	{ 0, NULL }
};

static const struct flag_name pty_flags[] = {
	{ CKPT_PTY_LOCKED, "locked" },
	{ CKPT_PTY_PACKET, "packet" },
	{ CKPT_PTY_SLAVE_CLOSED, "slave-closed" },
	{ 0, NULL }
};

static const struct flag_name sa_flags[] = {
	{ 0x00000001, "SA_NOCLDSTOP" },
	{ 0x00000002, "SA_NOCLDWAIT" },
	{ 0x00000004, "SA_SIGINFO" },
	{ 0x04000000, "SA_RESTORER" },
	{ 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" },
	{ 0x40000000, "SA_NODEFER" },
	{ 0x80000000, "SA_RESETHAND" },
	{ 0, NULL }
};

static const struct flag_name open_flags[] = {
	{ 00000001, "O_WRONLY" },
	{ 00000002, "O_RDWR" },
	{ 00002000, "O_APPEND" },
	{ 00004000, "O_NONBLOCK" },
	{ 00010000, "O_DSYNC" },
	{ 00020000, "O_ASYNC" },
	{ 00040000, "O_DIRECT" },
	{ 00100000, "O_LARGEFILE" },
	{ 01000000, "O_NOATIME" },
	{ 04000000, "__O_SYNC" },
	{ 0, NULL }
};

/* termios bits (asm-generic/termbits.h, as on x86_64) */
static const struct flag_name tty_iflags[] = {
	{ 0x0001, "ignbrk" }, { 0x0002, "brkint" }, { 0x0004, "ignpar" },
	{ 0x0008, "parmrk" }, { 0x0010, "inpck" }, { 0x0020, "istrip" },
	{ 0x0040, "inlcr" }, { 0x0080, "igncr" }, { 0x0100, "icrnl" },
	{ 0x0200, "iuclc" }, { 0x0400, "ixon" }, { 0x0800, "ixany" },
	{ 0x1000, "ixoff" }, { 0x2000, "imaxbel" }, { 0x4000, "iutf8" },
	{ 0, NULL }
};

static const struct flag_name tty_oflags[] = {
	{ 0x0001, "opost" }, { 0x0002, "olcuc" }, { 0x0004, "onlcr" },
	{ 0x0008, "ocrnl" }, { 0x0010, "onocr" }, { 0x0020, "onlret" },
	{ 0, NULL }
};

static const struct flag_name tty_cflags[] = {
	{ 0x0040, "cstopb" }, { 0x0080, "cread" }, { 0x0100, "parenb" },
	{ 0x0200, "parodd" }, { 0x0400, "hupcl" }, { 0x0800, "clocal" },
	{ 0x80000000, "crtscts" },
	{ 0, NULL }
};

static const struct flag_name tty_lflags[] = {
	{ 0x0001, "isig" }, { 0x0002, "icanon" }, { 0x0008, "echo" },
	{ 0x0010, "echoe" }, { 0x0020, "echok" }, { 0x0040, "echonl" },
	{ 0x0080, "noflsh" }, { 0x0100, "tostop" }, { 0x0200, "echoctl" },
	{ 0x0400, "echoprt" }, { 0x0800, "echoke" }, { 0x8000, "iexten" },
	{ 0, NULL }
};

#define TTY_CSIZE	0x30
#define TTY_ICANON	0x2
#define TTY_NR_LDISCS	30	/* NR_LDISCS, which is not in the uapi */
#define TTY_ECHO	0x8
#define TTY_ISIG	0x1

/* Control characters shown, by index in c_cc (x86_64) */
static const struct {
	int idx;
	const char *name;
} tty_ccs[] = {
	{ 0, "intr" }, { 1, "quit" }, { 2, "erase" }, { 3, "kill" }, { 4, "eof" },
	{ 10, "susp" }, { 8, "start" }, { 9, "stop" }, { 6, "min" }, { 5, "time" },
};

enum state {
	ST_HEADER,	/* HEADER */
	ST_FIRST,	/* TTY or the first TASK */
	ST_TASK,	/* TASK, or TRAILER once nr_tasks have been seen */
	ST_CRED,
	ST_RLIMITS,
	ST_FS,
	ST_MM,
	ST_VMA,		/* nr_vmas VMA records */
	ST_PAGES,	/* PAGES, or SIGHAND */
	ST_TIMERS,
	ST_FILES,	/* FILE, PIPE, PTY, FD, or the first THREAD */
	ST_XSTATE,
	ST_SIGNAL,
	ST_SIGINFO,	/* nr_siginfo SIGINFO records */
	ST_THREAD,	/* THREAD of the next thread */
	ST_END,		/* TASK_END */
	ST_DONE,	/* after the trailer: end of input */
};

/* A VMA record, kept until the pages that follow it have been counted */
struct vma_ent {
	__u64 off;
	__u32 len;
	__u64 start, end, pgoff, vm_flags;
	__u32 kind, prot, flags;
	char *path;		/* NULL: none */
	__u64 pages;		/* pages of this VMA in the image */
};

struct pages_ent {
	__u64 off;
	__u32 len;
	__u64 addr;
	__u32 nr;
};

/* Open-addressing map of non-zero 32-bit ids to 32-bit values */
struct idset {
	__u32 *slot;
	__u32 *val;
	size_t nr, size;
};

/* What the job view needs, kept as the records go by */
struct task_ent {
	__u64 off;		/* of its TASK record */
	__s32 pid, ppid, pgid, sid, exit_code;
	__u32 flags, nr_threads;
	char comm[16];
	__u32 first_thread;	/* index in img.threads */
	__u32 threads;		/* THREAD records seen */
	long parent;		/* index of its parent in the job, or -1 */
	long child, sibling;	/* first child, next sibling, or -1 */
	__u32 depth;
};

struct thread_ent {
	__s32 tid;
	__u64 ip, sp;
	char comm[16];
	struct ckpt_restart_block rb;
};

/* A FILE record on a pipe, a FIFO, a pty or the terminal */
struct file_ent {
	__u32 objid, kind, mode, ref_id;
	char *path;		/* FIFO: its path; others: NULL */
};

/* A descriptor on one of those */
struct hold_ent {
	__u32 task;		/* index in img.tasks */
	__u32 fd;
	__u32 file;		/* index in img.files */
	__u64 key;		/* sort key: see sort_holds() */
};

struct pipe_ent {
	__u64 off;
	__u32 objid, capacity, data_len;
	long fifo;		/* index of a FIFO file on it, or -1 */
	__u32 kind;		/* CKPT_FILE_PIPE or _FIFO once a FILE is on it, or 0 */
};

struct pty_ent {
	__u64 off;
	__u32 objid, index, flags, master_flags;
	struct ckpt_tty_state st;	/* the slave's */
	__u32 slave_in, slave_lines, slave_raw;
	__u32 master_in, master_lines, master_raw;
	__u32 master_file;	/* objid of its PTY_MASTER file, or 0 */
};

struct img {
	int fd;
	const char *name;
	int json, verify;

	__u64 off;			/* bytes consumed */
	struct ckpt_sha256 sha;
	__u64 rec_off;		/* current record */
	__u32 rec_type, rec_len;
	__u8 *buf;
	size_t buf_size;

	struct ckpt_rec_header hdr;
	enum state st;
	__u64 nr_records;
	__u32 nr_tasks;
	__u64 pages, page_bytes;

	/* the task being decoded */
	__s32 pid;
	__u32 nr_vmas, nr_siginfo, nr_threads, seen, threads_seen;
	__u64 vdso, vvar;
	__u32 nr_files, nr_fds;
	__u64 task_pages;
	struct vma_ent *vmas;
	size_t vmas_size;
	struct pages_ent *pg;
	size_t nr_pg, pg_size;
	int mm_held;			/* VMA/PAGES output held back */
	__u8 *fdmap;			/* CKPT_MAX_FILES bits */
	struct idset objids, inherit;

	/* the job: processes, threads, pipes, terminal */
	struct task_ent *tasks;
	__u32 nr_task_ents;
	struct thread_ent *threads;
	size_t nr_thread_ents, threads_size;
	struct file_ent *files;
	size_t nr_file_ents, files_size;
	struct hold_ent *holds;
	size_t nr_holds, holds_size;
	struct pipe_ent *pipes;
	size_t nr_pipe_ents, pipes_size;
	struct pty_ent *ptys;
	size_t nr_pty_ents, ptys_size;
	struct idset tids;		/* pid or tid -> task index */
	struct idset fileidx;		/* FILE objid -> files[] index + 1, 0: other kind */
	struct idset pipeidx;		/* PIPE objid -> pipes[] index */
	struct idset ptyidx;		/* PTY objid -> ptys[] index */
	struct ckpt_rec_tty tty;
	int tty_seen, tasks_open;
	__u64 tty_off;

	int failed;
	char err[512];
	__u64 err_off;
	__u32 err_type;
	__u32 tasks_done;
	int trailer_seen;
	__u64 trailer_off;
	int len_ok;
	int sum_ok;			/* -1: not checked */
	__u8 sum[CKPT_SHA256_DIGEST_SIZE];
	struct ckpt_rec_trailer trailer;

	/* output */
	int col;			/* text: current column */
	int depth;			/* json: open containers */
	char jtype[JSON_DEPTH];
	int jfirst[JSON_DEPTH];
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckptinfo [--json] [--no-verify] [FILE]\n"
		"Decode and check a checkpoint image (FILE, or standard input).\n\n"
		"  -j, --json       print one JSON object instead of text\n"
		"  -n, --no-verify  do not check the image's SHA-256\n"
		"  -h, --help       show this help\n\n"
		"Exit status: 0 image well-formed and verified, 1 malformed, truncated\n"
		"or checksum mismatch, 2 bad arguments.\n");
}

static const char *rec_name(__u32 type)
{
	if (type > 0 && type < CKPT_REC_MAX)
		return rec_names[type];
	return NULL;
}

static const char *sig_name(__u32 sig, char *buf, size_t size)
{
	if (sig > 0 && sig < 32)
		return sig_names[sig];
	if (sig >= 32 && sig <= MAX_NSIG)
		snprintf(buf, size, "SIGRTMIN+%u", sig - 32);
	else
		snprintf(buf, size, "SIG%u", sig);
	return buf;
}

static int bad(struct img *im, const char *fmt, ...) __printf(2, 3);

/* Report what is wrong with the current record; returns -1. */
static int bad(struct img *im, const char *fmt, ...)
{
	const char *name = rec_name(im->rec_type);
	char msg[512];
	va_list ap;

	if (im->failed)
		return -1;
	im->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): ", im->name,
		im->rec_off, im->rec_off);
	if (name)
		fprintf(stderr, "%s record: ", name);
	fprintf(stderr, "%s\n", msg);
	snprintf(im->err, sizeof(im->err), "%s", msg);
	im->err_off = im->rec_off;
	im->err_type = im->rec_type;
	return -1;
}

/* ---- output: text and JSON ---- */

static void json_str(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, seq;
	__u32 cp;

	putchar('"');
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			putchar(c);
			i++;
			continue;
		}
		/* pass valid UTF-8 through, escape other bytes as \u00XX */
		if (c >= 0xc2 && c <= 0xdf) {
			seq = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			seq = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			seq = 4;
			cp = c & 0x07;
		} else {
			seq = 0;
			cp = 0;
		}
		for (k = 1; seq && k < seq; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				seq = 0;
			else
				cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (seq && ((seq == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
			    (seq == 4 && (cp < 0x10000 || cp > 0x10ffff))))
			seq = 0;
		if (!seq) {
			printf("\\u%04x", c);
			i++;
			continue;
		}
		fwrite(p + i, 1, seq, stdout);
		i += seq;
	}
	putchar('"');
}

static void json_sep(struct img *im, const char *key)
{
	int i;

	if (im->depth > 0) {
		if (!im->jfirst[im->depth])
			putchar(',');
		putchar('\n');
		for (i = 0; i < im->depth; i++)
			fputs("  ", stdout);
	}
	im->jfirst[im->depth] = 0;
	if (key && im->depth > 0 && im->jtype[im->depth] == '{') {
		json_str(key, strlen(key));
		fputs(": ", stdout);
	}
}

static void json_open(struct img *im, const char *key, char type)
{
	json_sep(im, key);
	putchar(type);
	if (im->depth + 1 < JSON_DEPTH) {
		im->depth++;
		im->jtype[im->depth] = type;
		im->jfirst[im->depth] = 1;
	}
}

static void json_close(struct img *im)
{
	int i, empty = im->jfirst[im->depth];
	char type = im->jtype[im->depth];

	im->depth--;
	if (!empty) {
		putchar('\n');
		for (i = 0; i < im->depth; i++)
			fputs("  ", stdout);
	}
	putchar(type == '{' ? '}' : ']');
}

/* Text: emit one "key=value" field, wrapping at TEXT_WIDTH */
static void text_field(struct img *im, const char *s, int len)
{
	if (im->col > TEXT_INDENT && im->col + 1 + len > TEXT_WIDTH) {
		printf("\n%*s", TEXT_INDENT, "");
		im->col = TEXT_INDENT;
	} else if (im->col > TEXT_INDENT) {
		putchar(' ');
		im->col++;
	}
	fputs(s, stdout);
	im->col += len;
}

static void text_break(struct img *im)
{
	if (im->col > TEXT_INDENT) {
		printf("\n%*s", TEXT_INDENT, "");
		im->col = TEXT_INDENT;
	}
}

static void text_end(struct img *im)
{
	if (im->col) {
		putchar('\n');
		im->col = 0;
	}
}

static void field_fmt(struct img *im, const char *key, int json_quote, const char *fmt, ...)
	__printf(4, 5);

/* A field whose text and JSON forms are the same number or word */
static void field_fmt(struct img *im, const char *key, int json_quote, const char *fmt, ...)
{
	char val[128], txt[192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (im->json) {
		json_sep(im, key);
		if (json_quote)
			json_str(val, strlen(val));
		else
			fputs(val, stdout);
		return;
	}
	if (key)
		n = snprintf(txt, sizeof(txt), "%s=%s", key, val);
	else
		n = snprintf(txt, sizeof(txt), "%s", val);
	text_field(im, txt, n < (int)sizeof(txt) ? n : (int)sizeof(txt) - 1);
}

static void fu(struct img *im, const char *key, __u64 v)
{
	field_fmt(im, key, 0, "%llu", v);
}

static void fs(struct img *im, const char *key, __s64 v)
{
	field_fmt(im, key, 0, "%lld", v);
}

static void fx(struct img *im, const char *key, __u64 v)
{
	field_fmt(im, key, 1, "0x%llx", v);
}

static void fword(struct img *im, const char *key, const char *word)
{
	field_fmt(im, key, 1, "%s", word);
}

/* A user or group id: CKPT_ID_UNMAPPED is one the checkpointer could not name. */
static void fid(struct img *im, const char *key, __u32 v)
{
	if (v == CKPT_ID_UNMAPPED)
		fword(im, key, "unmapped");
	else
		fu(im, key, v);
}

static void fbool(struct img *im, const char *key, int v)
{
	field_fmt(im, key, 0, "%s", v ? "true" : "false");
}

/* A string from the image: escaped, never printed raw to a terminal */
static void fstr(struct img *im, const char *key, const char *s, size_t n)
{
	char *txt, *q;
	size_t i;

	if (im->json) {
		json_sep(im, key);
		json_str(s, n);
		return;
	}
	txt = malloc(strlen(key) + 4 * n + 4);
	if (!txt) {
		text_field(im, "?", 1);
		return;
	}
	q = txt + sprintf(txt, "%s=\"", key);
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			q += sprintf(q, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			q += sprintf(q, "\\x%02x", c);
		else
			*q++ = c;
	}
	*q++ = '"';
	*q = 0;
	text_field(im, txt, (int)(q - txt));
	free(txt);
}

/* Flags: hex, and the names of the bits we know */
static void fflags(struct img *im, const char *key, __u64 v, const struct flag_name *names)
{
	char txt[512], jkey[64];
	int n, i, first = 1;

	if (im->json) {
		fx(im, key, v);
		snprintf(jkey, sizeof(jkey), "%s_names", key);
		json_open(im, jkey, '[');
		for (i = 0; names[i].name; i++)
			if ((v & names[i].bit) == names[i].bit)
				fword(im, NULL, names[i].name);
		json_close(im);
		return;
	}
	n = snprintf(txt, sizeof(txt), "%s=0x%llx", key, v);
	for (i = 0; names[i].name && n < (int)sizeof(txt) - 40; i++) {
		if ((v & names[i].bit) != names[i].bit)
			continue;
		n += snprintf(txt + n, sizeof(txt) - n, "%s%s", first ? "(" : "|", names[i].name);
		first = 0;
	}
	if (!first)
		n += snprintf(txt + n, sizeof(txt) - n, ")");
	text_field(im, txt, n);
}

static void fsigset(struct img *im, const char *key, __u64 mask)
{
	char txt[1024], name[32], jkey[64];
	int n, sig, first = 1;

	if (im->json) {
		fx(im, key, mask);
		snprintf(jkey, sizeof(jkey), "%s_signals", key);
		json_open(im, jkey, '[');
		for (sig = 1; sig <= 64; sig++)
			if (mask & (1ULL << (sig - 1)))
				fword(im, NULL, sig_name(sig, name, sizeof(name)));
		json_close(im);
		return;
	}
	n = snprintf(txt, sizeof(txt), "%s=0x%llx", key, mask);
	for (sig = 1; sig <= 64; sig++) {
		if (!(mask & (1ULL << (sig - 1))))
			continue;
		n += snprintf(txt + n, sizeof(txt) - n, "%s%s", first ? "(" : ",",
			      sig_name(sig, name, sizeof(name)) + 3);
		first = 0;
	}
	if (!first)
		n += snprintf(txt + n, sizeof(txt) - n, ")");
	text_field(im, txt, n);
}

/* A list of numbers; text shows the first 32 */
static void fulist(struct img *im, const char *key, const __u32 *v, __u32 nr)
{
	char txt[512];
	__u32 i;
	int n;

	if (im->json) {
		json_open(im, key, '[');
		for (i = 0; i < nr; i++)
			fu(im, NULL, v[i]);
		json_close(im);
		return;
	}
	n = snprintf(txt, sizeof(txt), "%s=", key);
	for (i = 0; i < nr && i < 32; i++)
		n += snprintf(txt + n, sizeof(txt) - n, "%s%u", i ? "," : "", v[i]);
	if (nr > 32)
		n += snprintf(txt + n, sizeof(txt) - n, ",...(%u)", nr);
	if (!nr)
		n += snprintf(txt + n, sizeof(txt) - n, "none");
	text_field(im, txt, n);
}

/* Start a nested object: JSON object in an array, text line of its own */
static void sub_begin(struct img *im, const char *label)
{
	if (im->json) {
		json_open(im, NULL, '{');
		return;
	}
	text_break(im);
	if (label)
		text_field(im, label, (int)strlen(label));
}

static void sub_end(struct img *im)
{
	if (im->json)
		json_close(im);
}

static void list_begin(struct img *im, const char *key)
{
	if (im->json)
		json_open(im, key, '[');
}

static void list_end(struct img *im)
{
	if (im->json)
		json_close(im);
}

/* Start the output of one record */
static void rec_begin(struct img *im, __u64 off, __u32 type, __u32 len)
{
	if (im->json) {
		json_open(im, NULL, '{');
		fu(im, "offset", off);
		fword(im, "type", rec_name(type));
		fu(im, "len", len);
		return;
	}
	im->col = printf("%10llu  %-9s %8u", off, rec_name(type), len);
	while (im->col < TEXT_INDENT) {
		putchar(' ');
		im->col++;
	}
}

static void rec_end(struct img *im)
{
	if (im->json)
		json_close(im);
	else
		text_end(im);
}

static void prot_str(__u32 prot, char out[4])
{
	out[0] = prot & 1 ? 'r' : '-';
	out[1] = prot & 2 ? 'w' : '-';
	out[2] = prot & 4 ? 'x' : '-';
	out[3] = 0;
}

/* ---- reading ---- */

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

/* Add @id (not 0) with value @val: 1 added, 0 already there, -1 no memory */
static int idset_put(struct idset *s, __u32 id, __u32 val)
{
	size_t i, mask;

	if ((s->nr + 1) * 2 > s->size) {
		struct idset n = { .size = s->size ? s->size * 2 : 1024 };

		n.slot = calloc(n.size, sizeof(*n.slot));
		n.val = calloc(n.size, sizeof(*n.val));
		if (!n.slot || !n.val) {
			free(n.slot);
			free(n.val);
			return -1;
		}
		for (i = 0; i < s->size; i++)
			if (s->slot[i])
				idset_put(&n, s->slot[i], s->val[i]);
		free(s->slot);
		free(s->val);
		*s = n;
	}
	mask = s->size - 1;
	for (i = (id * 2654435761U) & mask; s->slot[i]; i = (i + 1) & mask)
		if (s->slot[i] == id)
			return 0;
	s->slot[i] = id;
	s->val[i] = val;
	s->nr++;
	return 1;
}

static int idset_add(struct idset *s, __u32 id)
{
	return idset_put(s, id, 0);
}

/* 1 and the value in *@val if @id is in the set, else 0 */
static int idset_get(const struct idset *s, __u32 id, __u32 *val)
{
	size_t i, mask;

	if (!s->size || !id)
		return 0;
	mask = s->size - 1;
	for (i = (id * 2654435761U) & mask; s->slot[i]; i = (i + 1) & mask) {
		if (s->slot[i] == id) {
			if (val)
				*val = s->val[i];
			return 1;
		}
	}
	return 0;
}

static int idset_has(const struct idset *s, __u32 id)
{
	return idset_get(s, id, NULL);
}

/* Make room for one more element in a growing array */
static int grow(void **arr, size_t nr, size_t *size, size_t elem)
{
	size_t n;
	void *p;

	if (nr < *size)
		return 0;
	n = *size ? *size * 2 : 16;
	p = realloc(*arr, n * elem);
	if (!p)
		return -1;
	*arr = p;
	*size = n;
	return 0;
}

static int nomem(struct img *im)
{
	return bad(im, "out of memory");
}

/* A new object id of the image: not 0, not seen before */
static int claim_objid(struct img *im, __u32 objid)
{
	int r;

	if (objid == 0)
		return bad(im, "objid 0 (object ids start at 1)");
	r = idset_add(&im->objids, objid);
	if (r < 0)
		return nomem(im);
	if (r == 0)
		return bad(im, "objid %u is used twice", objid);
	return 0;
}

/*
 * A new, zeroed entry at the end of a table found by object id through
 * @idx; NULL without memory.
 */
static void *new_entry(void **arr, size_t *nr, size_t *size, size_t elem, struct idset *idx,
		       __u32 objid)
{
	char *e;

	if (grow(arr, *nr, size, elem) || idset_put(idx, objid, (__u32)*nr) < 0)
		return NULL;
	e = (char *)*arr + *nr * elem;
	(*nr)++;
	memset(e, 0, elem);
	return e;
}

/* The record must be exactly @want bytes, as @why says */
static int check_len(struct img *im, __u64 want, const char *why)
{
	if (im->rec_len == want)
		return 0;
	return bad(im, "length %u does not match %s (expected %llu)",
		   im->rec_len, why, want);
}

/* Its fixed part must be there before any count in it is read */
static int check_min(struct img *im, size_t fixed)
{
	if (im->rec_len >= fixed)
		return 0;
	return bad(im, "length %u is less than the %zu bytes of its fixed part",
		   im->rec_len, fixed);
}

/* Reserved fields must be zero, as restart(2) requires */
static int check_reserved(struct img *im, const void *p, size_t size)
{
	const __u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i])
			return bad(im, "reserved field is not zero");
	return 0;
}

/* A NUL-terminated string of exactly @len bytes, terminator included */
static int check_str(struct img *im, const char *what, const char *s, __u32 len,
		     int may_be_empty)
{
	if (len == 0) {
		if (may_be_empty)
			return 0;
		return bad(im, "%s: length 0, a path is required", what);
	}
	if (len > CKPT_MAX_PATH)
		return bad(im, "%s: length %u exceeds CKPT_MAX_PATH (%d)", what, len,
			   CKPT_MAX_PATH);
	if (s[len - 1] != '\0')
		return bad(im, "%s: string of %u bytes is not NUL-terminated", what, len);
	if (strlen(s) != len - 1)
		return bad(im, "%s: NUL byte at %zu inside a string of %u bytes", what,
			   strlen(s), len);
	return 0;
}

static int check_cstr(struct img *im, const char *what, const char *s, size_t size)
{
	if (memchr(s, 0, size))
		return 0;
	return bad(im, "%s: no NUL terminator in its %zu bytes", what, size);
}

/* ---- records ---- */

static void print_time(struct img *im, __s64 t)
{
	char buf[64];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < -62135596800LL || t > 253402300799LL || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	fword(im, "time", buf);
}

static int do_header(struct img *im)
{
	struct ckpt_rec_header *h = (void *)im->buf;
	static const char *const actions[] = { "continue", "stop", "kill" };
	char digest[2 * CKPT_SHA256_DIGEST_SIZE + 1];
	__u32 ps, scope;
	int i;

	if (check_len(im, sizeof(*h), "the HEADER record"))
		return -1;
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		return bad(im, "bad magic: not a checkpoint image");
	if (h->version != CKPT_FORMAT_VERSION)
		return bad(im, "unsupported format version %u (this ckptinfo reads %d)",
			   h->version, CKPT_FORMAT_VERSION);
	if (h->arch != AUDIT_ARCH_X86_64)
		return bad(im, "arch 0x%x is not x86_64 (0x%x): cannot decode", h->arch,
			   AUDIT_ARCH_X86_64);
	ps = h->page_size;
	if (ps < 4096 || ps > 65536 || (ps & (ps - 1)))
		return bad(im, "page_size %u is not a power of 2 in 4096..65536", ps);
	if (h->nsig == 0 || h->nsig > MAX_NSIG)
		return bad(im, "nsig %u is not in 1..%d", h->nsig, MAX_NSIG);
	if (h->rlim_nlimits == 0 || h->rlim_nlimits > MAX_RLIMITS)
		return bad(im, "rlim_nlimits %u is not in 1..%d", h->rlim_nlimits,
			   MAX_RLIMITS);
	if (h->xstate_size < MIN_XSTATE ||
	    h->xstate_size > CKPT_MAX_RECORD - sizeof(struct ckpt_rec_xstate))
		return bad(im, "xstate_size %u is not in %d..%zu", h->xstate_size,
			   MIN_XSTATE, CKPT_MAX_RECORD - sizeof(struct ckpt_rec_xstate));
	if (h->flags & ~CKPT_FLAGS_ALL || (h->flags & CKPT_ACTION_MASK) > CKPT_KILL)
		return bad(im, "unknown checkpoint flags 0x%x", h->flags);
	if (h->nr_tasks == 0 || h->nr_tasks > CKPT_MAX_TASKS)
		return bad(im, "nr_tasks %u is not in 1..CKPT_MAX_TASKS (%d)", h->nr_tasks,
			   CKPT_MAX_TASKS);
	scope = h->flags & CKPT_SCOPE_MASK;
	if (scope == CKPT_PROCESS && h->nr_tasks != 1)
		return bad(im, "nr_tasks is %u, but a process checkpoint has one process",
			   h->nr_tasks);
	if (h->root_pid <= 0)
		return bad(im, "root_pid %d is not a valid %s id", h->root_pid,
			   scopes[scope >> 2]);
	if (h->nr_threads > (__u64)h->nr_tasks * CKPT_MAX_THREADS)
		return bad(im, "nr_threads %u is above nr_tasks * CKPT_MAX_THREADS (%d)",
			   h->nr_threads, CKPT_MAX_THREADS);
	if (check_reserved(im, h->reserved, sizeof(h->reserved)))
		return -1;
	if (check_cstr(im, "release", h->release, sizeof(h->release)) ||
	    check_cstr(im, "machine", h->machine, sizeof(h->machine)))
		return -1;
	im->tasks = calloc(h->nr_tasks, sizeof(*im->tasks));
	if (!im->tasks)
		return nomem(im);
	im->hdr = *h;
	im->nr_tasks = h->nr_tasks;

	for (i = 0; i < CKPT_SHA256_DIGEST_SIZE; i++)
		sprintf(digest + 2 * i, "%02x", h->vdso_sha256[i]);
	if (im->json) {
		json_open(im, "header", '{');
		fu(im, "offset", im->rec_off);
		fu(im, "len", im->rec_len);
	} else {
		rec_begin(im, im->rec_off, CKPT_REC_HEADER, im->rec_len);
	}
	fu(im, "version", h->version);
	fword(im, "arch", "x86_64");
	fu(im, "page_size", ps);
	fword(im, "scope", scopes[scope >> 2]);
	fs(im, "root_pid", h->root_pid);
	fu(im, "nr_tasks", h->nr_tasks);
	fu(im, "nr_threads", h->nr_threads);
	fword(im, "action", actions[h->flags & CKPT_ACTION_MASK]);
	fbool(im, "outside_pipes_broken", !!(h->flags & CKPT_OUTSIDE_PIPES_BROKEN));
	fx(im, "flags", h->flags);
	fs(im, "time_sec", h->time_sec);
	print_time(im, h->time_sec);
	fstr(im, "release", h->release, strlen(h->release));
	fstr(im, "machine", h->machine, strlen(h->machine));
	fu(im, "nsig", h->nsig);
	fu(im, "rlim_nlimits", h->rlim_nlimits);
	fu(im, "xstate_size", h->xstate_size);
	fx(im, "xfeatures", h->xfeatures);
	fword(im, "vdso_sha256", digest);
	if (im->json)
		json_close(im);
	else
		rec_end(im);
	im->st = ST_FIRST;
	return 0;
}

/* A control character as stty(1) shows it */
static void cc_str(unsigned int c, char *buf, size_t size)
{
	if (c == 0)
		snprintf(buf, size, "undef");
	else if (c < 0x20)
		snprintf(buf, size, "^%c", c + 0x40);
	else if (c == 0x7f)
		snprintf(buf, size, "^?");
	else if (c < 0x7f)
		snprintf(buf, size, "%c", c);
	else
		snprintf(buf, size, "0x%02x", c);
}

/* The main control characters: a "cc" object in JSON, fields in text */
static void print_cc(struct img *im, const __u8 *cc)
{
	char key[32], val[16];
	size_t i;

	if (im->json)
		json_open(im, "cc", '{');
	for (i = 0; i < ARRAY_SIZE(tty_ccs); i++) {
		unsigned int c = cc[tty_ccs[i].idx];

		if (tty_ccs[i].idx == 5 || tty_ccs[i].idx == 6) {
			fu(im, tty_ccs[i].name, c);
			continue;
		}
		cc_str(c, val, sizeof(val));
		if (im->json) {
			fword(im, tty_ccs[i].name, val);
		} else {
			snprintf(key, sizeof(key), "%s", tty_ccs[i].name);
			fstr(im, key, val, strlen(val));
		}
	}
	if (im->json)
		json_close(im);
}

/* The flag words of terminal settings, and the character size */
static void print_termios_flags(struct img *im, const struct ckpt_termios *t)
{
	fflags(im, "iflag", t->iflag, tty_iflags);
	fflags(im, "oflag", t->oflag, tty_oflags);
	fflags(im, "cflag", t->cflag, tty_cflags);
	field_fmt(im, "csize", 0, "%u", 5 + ((t->cflag & TTY_CSIZE) >> 4));
	fflags(im, "lflag", t->lflag, tty_lflags);
}

/*
 * The state the TTY and PTY records share.  A pty is recreated with
 * N_TTY; the restarter's terminal keeps its own line discipline.
 */
static int check_tty_state(struct img *im, const struct ckpt_tty_state *st, int n_tty_only)
{
	if (st->sid < 0 || st->fg_pgrp < 0)
		return bad(im, "sid %d or fg_pgrp %d is negative", st->sid, st->fg_pgrp);
	if (n_tty_only && st->termios.line != 0)
		return bad(im, "termios: line discipline %u is not N_TTY (0)", st->termios.line);
	if (st->termios.line >= TTY_NR_LDISCS)
		return bad(im, "termios: line discipline %u does not exist (the kernel has %d)",
			   st->termios.line, TTY_NR_LDISCS);
	if (st->termios.reserved)
		return bad(im, "termios: reserved field is not zero");
	return 0;
}

/* Session, foreground group and window size */
static void print_tty_ctl(struct img *im, const struct ckpt_tty_state *st)
{
	fs(im, "sid", st->sid);
	fs(im, "fg_pgrp", st->fg_pgrp);
	fu(im, "rows", st->ws.row);
	fu(im, "cols", st->ws.col);
	fu(im, "xpixel", st->ws.xpixel);
	fu(im, "ypixel", st->ws.ypixel);
}

static int do_tty(struct img *im)
{
	struct ckpt_rec_tty *t = (void *)im->buf;

	if (check_len(im, sizeof(*t), "the TTY record"))
		return -1;
	if (check_tty_state(im, &t->tty, 0))
		return -1;
	if (check_cstr(im, "name", t->name, sizeof(t->name)))
		return -1;
	im->tty = *t;
	im->tty_seen = 1;
	im->tty_off = im->rec_off;
	if (im->json) {
		json_open(im, "tty", '{');
		fu(im, "offset", im->rec_off);
		fu(im, "len", im->rec_len);
	} else {
		rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	}
	fstr(im, "name", t->name, strlen(t->name));
	print_tty_ctl(im, &t->tty);
	fu(im, "ispeed", t->tty.termios.ispeed);
	fu(im, "ospeed", t->tty.termios.ospeed);
	print_termios_flags(im, &t->tty.termios);
	fu(im, "line", t->tty.termios.line);
	print_cc(im, t->tty.termios.cc);
	rec_end(im);
	im->st = ST_TASK;
	return 0;
}

/* A wait status, as a shell would describe it */
static void wait_status_str(__s32 st, char *buf, size_t size)
{
	char name[32];

	if ((st & 0x7f) == 0)
		snprintf(buf, size, "exited(%d)", (st >> 8) & 0xff);
	else
		snprintf(buf, size, "killed(%s%s)", sig_name(st & 0x7f, name, sizeof(name)),
			 st & 0x80 ? ",core" : "");
}

static int do_task(struct img *im)
{
	struct ckpt_rec_task *t = (void *)im->buf;
	__u32 scope = im->hdr.flags & CKPT_SCOPE_MASK, idx = im->tasks_done, v;
	int zombie = !!(t->flags & CKPT_TASK_ZOMBIE);
	struct task_ent *e;
	char buf[64];
	__u32 j;
	int r;

	if (check_len(im, sizeof(*t), "the TASK record"))
		return -1;
	if (t->pid <= 0)
		return bad(im, "pid %d is not positive", t->pid);
	if (t->tgid != t->pid)
		return bad(im, "tgid %d differs from pid %d", t->tgid, t->pid);
	if (t->ppid < 0 || t->pgid < 0 || t->sid < 0)
		return bad(im, "ppid %d, pgid %d or sid %d is negative", t->ppid, t->pgid,
			   t->sid);
	if (check_cstr(im, "comm", t->comm, sizeof(t->comm)))
		return -1;
	if (t->flags & ~TASK_FLAGS)
		return bad(im, "unknown task flags 0x%x", t->flags);
	if (zombie && t->nr_threads != 0)
		return bad(im, "nr_threads is %u, but a zombie has no THREAD records",
			   t->nr_threads);
	if (!zombie && (t->nr_threads == 0 || t->nr_threads > CKPT_MAX_THREADS))
		return bad(im, "nr_threads %u is not in 1..CKPT_MAX_THREADS (%d)",
			   t->nr_threads, CKPT_MAX_THREADS);
	if (zombie && (t->exit_code < 0 || t->exit_code > 0xffff ||
		       ((t->exit_code & 0x7f) && (t->exit_code & 0xff00)) ||
		       (t->exit_code & 0x7f) == 0x7f ||
		       (!(t->exit_code & 0x7f) && (t->exit_code & 0x80))))
		return bad(im, "exit_code 0x%x is not the wait status of a process that exited",
			   (__u32)t->exit_code);
	if (!zombie && t->exit_code)
		return bad(im, "exit_code 0x%x in a process that has not exited",
			   (__u32)t->exit_code);
	if (zombie && t->flags != CKPT_TASK_ZOMBIE)
		return bad(im, "flags 0x%x: a zombie has no flag but zombie", t->flags);
	if (t->exit_signal < 0 || (__u32)t->exit_signal > im->hdr.nsig ||
	    t->exit_signal == SIGKILL_NR || t->exit_signal == SIGSTOP_NR)
		return bad(im, "exit_signal %d is not a valid signal", t->exit_signal);
	if (t->pdeath_signal < 0 || (__u32)t->pdeath_signal > im->hdr.nsig)
		return bad(im, "pdeath_signal %d is not a valid signal", t->pdeath_signal);
	if (t->nice < -20 || t->nice > 19)
		return bad(im, "nice %d is not in -20..19", t->nice);
	if (t->umask & ~0777U)
		return bad(im, "umask %#o has bits outside 0777", t->umask);
	if (t->dumpable > 1)
		return bad(im, "dumpable %u is not 0 or 1 (what PR_SET_DUMPABLE sets)",
			   t->dumpable);
	if ((t->flags & CKPT_TASK_CTTY) && !im->tty_seen)
		return bad(im, "has the job's terminal (flag ctty), but no TTY record came before");
	if (idset_get(&im->tids, (__u32)t->pid, &v)) {
		if (im->tasks[v].pid == t->pid)
			return bad(im, "pid %d appears twice in the image", t->pid);
		return bad(im, "pid %d is already a thread of pid %d", t->pid, im->tasks[v].pid);
	}

	/* The job: parents first, and every process in the scope */
	for (j = 0; j < idx; j++)
		if (im->tasks[j].ppid == t->pid)
			return bad(im, "pid %d is the parent of pid %d, which comes before it",
				   t->pid, im->tasks[j].pid);
	if ((scope == CKPT_PROCESS || scope == CKPT_TREE) && idx == 0 &&
	    t->pid != im->hdr.root_pid)
		return bad(im, "pid %d is not the header's root_pid %d", t->pid, im->hdr.root_pid);
	if (scope == CKPT_TREE && idx > 0 && !idset_has(&im->tids, (__u32)t->ppid))
		return bad(im, "ppid %d is not in the image: not a descendant of pid %d",
			   t->ppid, im->hdr.root_pid);
	if (scope == CKPT_PGRP && t->pgid != im->hdr.root_pid)
		return bad(im, "pgid %d is not the process group %d that was checkpointed",
			   t->pgid, im->hdr.root_pid);
	if (scope == CKPT_SESSION && t->sid != im->hdr.root_pid)
		return bad(im, "sid %d is not the session %d that was checkpointed", t->sid,
			   im->hdr.root_pid);

	r = idset_put(&im->tids, (__u32)t->pid, idx);
	if (r < 0)
		return nomem(im);
	e = &im->tasks[idx];
	e->off = im->rec_off;
	e->pid = t->pid;
	e->ppid = t->ppid;
	e->pgid = t->pgid;
	e->sid = t->sid;
	e->exit_code = t->exit_code;
	e->flags = t->flags;
	e->nr_threads = t->nr_threads;
	memcpy(e->comm, t->comm, sizeof(e->comm));
	e->first_thread = (__u32)im->nr_thread_ents;
	e->threads = 0;
	im->nr_task_ents = idx + 1;

	im->pid = t->pid;
	im->nr_threads = t->nr_threads;
	im->threads_seen = 0;
	im->nr_files = 0;
	im->nr_fds = 0;
	im->task_pages = 0;
	memset(im->fdmap, 0, CKPT_MAX_FILES / 8);

	if (im->json) {
		if (!im->tasks_open) {
			json_open(im, "tasks", '[');
			im->tasks_open = 1;
		}
		json_open(im, NULL, '{');
		fs(im, "pid", t->pid);
		fstr(im, "comm", t->comm, strlen(t->comm));
		json_open(im, "records", '[');
	}
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "pid", t->pid);
	fstr(im, "comm", t->comm, strlen(t->comm));
	fs(im, "tgid", t->tgid);
	fs(im, "ppid", t->ppid);
	fs(im, "pgid", t->pgid);
	fs(im, "sid", t->sid);
	fs(im, "exit_signal", t->exit_signal);
	fs(im, "pdeath_signal", t->pdeath_signal);
	fs(im, "nice", t->nice);
	fx(im, "personality", t->personality);
	field_fmt(im, "umask", 1, "%04o", t->umask);
	fu(im, "dumpable", t->dumpable);
	fu(im, "nr_threads", t->nr_threads);
	fflags(im, "flags", t->flags, task_flags);
	if (zombie || t->exit_code)
		fx(im, "exit_code", (__u32)t->exit_code);
	if (zombie) {
		wait_status_str(t->exit_code, buf, sizeof(buf));
		fword(im, "exit", buf);
	}
	rec_end(im);
	im->st = zombie ? ST_END : ST_CRED;
	return 0;
}

static int do_cred(struct img *im)
{
	struct ckpt_rec_cred *c = (void *)im->buf;

	if (check_min(im, sizeof(*c)))
		return -1;
	if (c->ngroups > CKPT_MAX_GROUPS)
		return bad(im, "ngroups %u exceeds CKPT_MAX_GROUPS (%d)", c->ngroups,
			   CKPT_MAX_GROUPS);
	if (check_len(im, sizeof(*c) + (__u64)c->ngroups * sizeof(c->groups[0]),
		      "ngroups"))
		return -1;
	if (c->cap_effective & ~c->cap_permitted)
		return bad(im, "cap_effective 0x%llx is not within cap_permitted 0x%llx",
			   (__u64)c->cap_effective, (__u64)c->cap_permitted);
	if (c->cap_ambient & ~(c->cap_permitted & c->cap_inheritable))
		return bad(im, "cap_ambient 0x%llx is not within cap_permitted & cap_inheritable",
			   (__u64)c->cap_ambient);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fid(im, "uid", c->uid);
	fid(im, "euid", c->euid);
	fid(im, "suid", c->suid);
	fid(im, "fsuid", c->fsuid);
	fid(im, "gid", c->gid);
	fid(im, "egid", c->egid);
	fid(im, "sgid", c->sgid);
	fid(im, "fsgid", c->fsgid);
	fulist(im, "groups", c->groups, c->ngroups);
	fx(im, "cap_inheritable", c->cap_inheritable);
	fx(im, "cap_permitted", c->cap_permitted);
	fx(im, "cap_effective", c->cap_effective);
	fx(im, "cap_bset", c->cap_bset);
	fx(im, "cap_ambient", c->cap_ambient);
	fx(im, "securebits", c->securebits);
	rec_end(im);
	im->st = ST_RLIMITS;
	return 0;
}

static void frlim(struct img *im, const char *key, __u64 v)
{
	if (v == ~0ULL)
		fword(im, key, "unlimited");
	else
		fu(im, key, v);
}

static int do_rlimits(struct img *im)
{
	struct ckpt_rec_rlimits *r = (void *)im->buf;
	char name[32];
	__u32 i;

	if (check_min(im, sizeof(*r)))
		return -1;
	if (r->nr != im->hdr.rlim_nlimits)
		return bad(im, "nr %u differs from the header's rlim_nlimits %u",
			   r->nr, im->hdr.rlim_nlimits);
	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (check_len(im, sizeof(*r) + (__u64)r->nr * sizeof(r->rlim[0]), "nr"))
		return -1;
	for (i = 0; i < r->nr; i++)
		if (r->rlim[i].cur > r->rlim[i].max)
			return bad(im, "limit %u: soft limit %llu above hard limit %llu", i,
				   (__u64)r->rlim[i].cur, (__u64)r->rlim[i].max);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr", r->nr);
	list_begin(im, "rlimits");
	for (i = 0; i < r->nr; i++) {
		if (i < ARRAY_SIZE(rlim_names))
			snprintf(name, sizeof(name), "%s", rlim_names[i]);
		else
			snprintf(name, sizeof(name), "rlimit%u", i);
		if (im->json) {
			sub_begin(im, NULL);
			fword(im, "name", name);
			frlim(im, "cur", r->rlim[i].cur);
			frlim(im, "max", r->rlim[i].max);
			sub_end(im);
		} else {
			char txt[96], c[24], m[24];

			snprintf(c, sizeof(c), "%llu", (__u64)r->rlim[i].cur);
			snprintf(m, sizeof(m), "%llu", (__u64)r->rlim[i].max);
			text_field(im, txt, snprintf(txt, sizeof(txt), "%s=%s/%s", name,
						     r->rlim[i].cur == ~0ULL ? "unlimited" : c,
						     r->rlim[i].max == ~0ULL ? "unlimited" : m));
		}
	}
	list_end(im);
	rec_end(im);
	im->st = ST_FS;
	return 0;
}

static int do_fs(struct img *im)
{
	struct ckpt_rec_fs *f = (void *)im->buf;

	if (check_min(im, sizeof(*f)))
		return -1;
	if (f->cwd_len > CKPT_MAX_PATH || f->root_len > CKPT_MAX_PATH)
		return bad(im, "cwd_len %u or root_len %u exceeds CKPT_MAX_PATH (%d)",
			   f->cwd_len, f->root_len, CKPT_MAX_PATH);
	if (check_len(im, sizeof(*f) + (__u64)f->cwd_len + f->root_len,
		      "cwd_len + root_len"))
		return -1;
	if (check_str(im, "cwd", f->paths, f->cwd_len, 0) ||
	    check_str(im, "root", f->paths + f->cwd_len, f->root_len, 0))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fstr(im, "cwd", f->paths, f->cwd_len - 1);
	fstr(im, "root", f->paths + f->cwd_len, f->root_len - 1);
	rec_end(im);
	im->st = ST_MM;
	return 0;
}

static int do_mm(struct img *im)
{
	struct ckpt_rec_mm *m = (void *)im->buf;
	__u32 i;

	if (check_min(im, sizeof(*m)))
		return -1;
	if (m->exe_len > CKPT_MAX_PATH)
		return bad(im, "exe_len %u exceeds CKPT_MAX_PATH (%d)", m->exe_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*m) + (__u64)m->exe_len, "exe_len"))
		return -1;
	if (check_str(im, "exe", m->exe, m->exe_len, 1))
		return -1;
	if (m->nr_vmas > CKPT_MAX_VMAS)
		return bad(im, "nr_vmas %u exceeds CKPT_MAX_VMAS (%d)", m->nr_vmas,
			   CKPT_MAX_VMAS);
	if (m->auxv_words > CKPT_AUXV_WORDS || m->auxv_words % 2)
		return bad(im, "auxv_words %u is odd or above %d", m->auxv_words,
			   CKPT_AUXV_WORDS);
	if (m->auxv_words && m->auxv[m->auxv_words - 2] != 0)
		return bad(im, "auxv does not end with AT_NULL");
	if (m->start_code > m->end_code || m->start_data > m->end_data ||
	    m->start_brk > m->brk || m->arg_start > m->arg_end || m->env_start > m->env_end)
		return bad(im, "code, data, brk, argument or environment range is reversed");
	if (!m->vdso && m->vvar)
		return bad(im, "vvar 0x%llx without a vdso", (__u64)m->vvar);
	if (check_reserved(im, &m->reserved, sizeof(m->reserved)))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr_vmas", m->nr_vmas);
	if (m->exe_len)
		fstr(im, "exe", m->exe, m->exe_len - 1);
	fx(im, "start_code", m->start_code);
	fx(im, "end_code", m->end_code);
	fx(im, "start_data", m->start_data);
	fx(im, "end_data", m->end_data);
	fx(im, "start_brk", m->start_brk);
	fx(im, "brk", m->brk);
	fx(im, "start_stack", m->start_stack);
	fx(im, "arg_start", m->arg_start);
	fx(im, "arg_end", m->arg_end);
	fx(im, "env_start", m->env_start);
	fx(im, "env_end", m->env_end);
	fx(im, "vdso", m->vdso);
	fx(im, "vvar", m->vvar);
	fu(im, "auxv_words", m->auxv_words);
	if (im->json) {
		list_begin(im, "auxv");
		for (i = 0; i + 1 < m->auxv_words; i += 2) {
			sub_begin(im, NULL);
			fu(im, "type", m->auxv[i]);
			fx(im, "value", m->auxv[i + 1]);
			sub_end(im);
		}
		list_end(im);
	}
	rec_end(im);

	im->nr_vmas = m->nr_vmas;
	im->vdso = m->vdso;
	im->vvar = m->vvar;
	im->seen = 0;
	im->nr_pg = 0;
	im->mm_held = 1;
	if (m->nr_vmas > im->vmas_size) {
		free(im->vmas);
		im->vmas = calloc(m->nr_vmas, sizeof(*im->vmas));
		if (!im->vmas) {
			im->vmas_size = 0;
			return nomem(im);
		}
		im->vmas_size = m->nr_vmas;
	}
	im->st = m->nr_vmas ? ST_VMA : ST_PAGES;
	return 0;
}

static unsigned int page_shift(struct img *im)
{
	return __builtin_ctz(im->hdr.page_size);
}

static void print_vma(struct img *im, const struct vma_ent *v)
{
	char prot[4], range[80];
	__u64 ps = im->hdr.page_size;

	prot_str(v->prot, prot);
	rec_begin(im, v->off, CKPT_REC_VMA, v->len);
	if (im->json) {
		fx(im, "start", v->start);
		fx(im, "end", v->end);
		fword(im, "prot", prot);
		fword(im, "kind", vma_kinds[v->kind]);
	} else {
		snprintf(range, sizeof(range), "%012llx-%012llx %s %s", v->start,
			 v->end, prot, vma_kinds[v->kind]);
		text_field(im, range, (int)strlen(range));
	}
	fu(im, "pages", v->pages);
	fu(im, "bytes", v->pages * ps);
	if (v->path)
		fstr(im, "path", v->path, strlen(v->path));
	fu(im, "size", v->end - v->start);
	fx(im, "pgoff", v->pgoff);
	fx(im, "vm_flags", v->vm_flags);
	fflags(im, "flags", v->flags, vma_flags);
	rec_end(im);
}

static void print_pages(struct img *im, const struct pages_ent *p)
{
	rec_begin(im, p->off, CKPT_REC_PAGES, p->len);
	fx(im, "addr", p->addr);
	fu(im, "nr_pages", p->nr);
	fu(im, "bytes", (__u64)p->nr * im->hdr.page_size);
	rec_end(im);
}

/* Print the held-back VMA and PAGES records, now that pages are counted */
static void flush_mm(struct img *im)
{
	size_t i;

	if (!im->mm_held)
		return;
	im->mm_held = 0;
	for (i = 0; i < im->seen && i < im->nr_vmas; i++)
		print_vma(im, &im->vmas[i]);
	for (i = 0; i < im->nr_pg; i++)
		print_pages(im, &im->pg[i]);
	for (i = 0; i < im->nr_vmas && i < im->vmas_size; i++) {
		free(im->vmas[i].path);
		im->vmas[i].path = NULL;
	}
}

static int do_vma(struct img *im)
{
	struct ckpt_rec_vma *v = (void *)im->buf;
	struct vma_ent *e = &im->vmas[im->seen];
	__u64 mask = im->hdr.page_size - 1;

	if (check_min(im, sizeof(*v)))
		return -1;
	if (v->path_len > CKPT_MAX_PATH)
		return bad(im, "path_len %u exceeds CKPT_MAX_PATH (%d)", v->path_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*v) + (__u64)v->path_len, "path_len"))
		return -1;
	if (check_str(im, "path", v->path, v->path_len, 1))
		return -1;
	if (v->start >= v->end || (v->start & mask) || (v->end & mask))
		return bad(im, "range 0x%llx-0x%llx is empty or not page-aligned",
			   (__u64)v->start, (__u64)v->end);
	if (im->seen && v->start < im->vmas[im->seen - 1].end)
		return bad(im, "range 0x%llx-0x%llx overlaps or precedes the VMA before",
			   (__u64)v->start, (__u64)v->end);
	if (v->kind < CKPT_VMA_ANON || v->kind > CKPT_VMA_VVAR)
		return bad(im, "unknown VMA kind %u", v->kind);
	if (v->prot & ~7U)
		return bad(im, "unknown prot bits 0x%x", v->prot);
	if (v->flags & ~VMA_FLAGS)
		return bad(im, "unknown VMA flags 0x%x", v->flags);
	if (v->pgoff > (~0ULL >> page_shift(im)) - ((v->end - v->start) >> page_shift(im)))
		return bad(im, "pgoff 0x%llx overflows", (__u64)v->pgoff);
	if (v->kind == CKPT_VMA_FILE_PRIVATE || v->kind == CKPT_VMA_FILE_SHARED) {
		if (!v->path_len)
			return bad(im, "%s mapping without a path", vma_kinds[v->kind]);
	} else if (v->path_len) {
		return bad(im, "%s mapping with a path", vma_kinds[v->kind]);
	}
	if ((v->kind == CKPT_VMA_VDSO && v->start != im->vdso) ||
	    (v->kind == CKPT_VMA_VVAR && v->start != im->vvar))
		return bad(im, "%s mapping at 0x%llx, but the MM record says 0x%llx",
			   vma_kinds[v->kind], (__u64)v->start,
			   (__u64)(v->kind == CKPT_VMA_VDSO ? im->vdso : im->vvar));

	e->off = im->rec_off;
	e->len = im->rec_len;
	e->start = v->start;
	e->end = v->end;
	e->pgoff = v->pgoff;
	e->vm_flags = v->vm_flags;
	e->kind = v->kind;
	e->prot = v->prot;
	e->flags = v->flags;
	e->pages = 0;
	e->path = NULL;
	if (v->path_len) {
		e->path = strdup(v->path);
		if (!e->path)
			return nomem(im);
	}
	if (++im->seen == im->nr_vmas)
		im->st = ST_PAGES;
	return 0;
}

/* Index of the VMA containing @addr, or -1 */
static long find_vma(struct img *im, __u64 addr)
{
	long lo = 0, hi = (long)im->nr_vmas - 1, mid;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < im->vmas[mid].start)
			hi = mid - 1;
		else if (addr >= im->vmas[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

static int do_pages(struct img *im)
{
	struct ckpt_rec_pages *p = (void *)im->buf;
	__u64 ps = im->hdr.page_size, end;
	struct pages_ent *e;
	long v;

	if (check_min(im, sizeof(*p)))
		return -1;
	if (p->nr_pages == 0 || p->nr_pages > CKPT_MAX_PAGES_PER_REC)
		return bad(im, "nr_pages %u is not in 1..%d", p->nr_pages,
			   CKPT_MAX_PAGES_PER_REC);
	if (check_len(im, sizeof(*p) + (__u64)p->nr_pages * ps, "nr_pages * page_size"))
		return -1;
	if (p->addr & (ps - 1))
		return bad(im, "addr 0x%llx is not page-aligned", (__u64)p->addr);
	if (p->addr > ~0ULL - p->nr_pages * ps)
		return bad(im, "addr 0x%llx + %u pages wraps around", (__u64)p->addr,
			   p->nr_pages);
	if (check_reserved(im, &p->reserved, sizeof(p->reserved)))
		return -1;
	end = p->addr + p->nr_pages * ps;
	v = find_vma(im, p->addr);
	if (v < 0)
		return bad(im, "page at 0x%llx is not inside any VMA", (__u64)p->addr);
	if (end > im->vmas[v].end)
		return bad(im, "pages 0x%llx-0x%llx run past the end of their VMA (0x%llx)",
			   (__u64)p->addr, end, im->vmas[v].end);
	if (im->vmas[v].kind != CKPT_VMA_ANON && im->vmas[v].kind != CKPT_VMA_FILE_PRIVATE)
		return bad(im, "pages at 0x%llx are in a %s VMA, which has no pages",
			   (__u64)p->addr, vma_kinds[im->vmas[v].kind]);
	im->vmas[v].pages += p->nr_pages;
	if (im->nr_pg == im->pg_size) {
		size_t n = im->pg_size ? im->pg_size * 2 : 64;
		struct pages_ent *pg = realloc(im->pg, n * sizeof(*pg));

		if (!pg)
			return nomem(im);
		im->pg = pg;
		im->pg_size = n;
	}
	e = &im->pg[im->nr_pg++];
	e->off = im->rec_off;
	e->len = im->rec_len;
	e->addr = p->addr;
	e->nr = p->nr_pages;
	im->task_pages += p->nr_pages;
	im->pages += p->nr_pages;
	im->page_bytes += p->nr_pages * ps;
	return 0;
}

static int cmp_pages(const void *a, const void *b)
{
	const struct pages_ent *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* At the end of the PAGES records: no page may be in the image twice */
static int check_page_overlap(struct img *im)
{
	struct pages_ent *s;
	__u64 ps = im->hdr.page_size;
	size_t i;

	if (im->nr_pg < 2)
		return 0;
	s = malloc(im->nr_pg * sizeof(*s));
	if (!s)
		return nomem(im);
	memcpy(s, im->pg, im->nr_pg * sizeof(*s));
	qsort(s, im->nr_pg, sizeof(*s), cmp_pages);
	for (i = 1; i < im->nr_pg; i++) {
		if (s[i].addr < s[i - 1].addr + s[i - 1].nr * ps) {
			__u64 a = s[i].addr, o1 = s[i - 1].off, o2 = s[i].off;

			free(s);
			return bad(im, "page 0x%llx is twice in the image (PAGES at %llu and %llu)",
				   a, o1, o2);
		}
	}
	free(s);
	return 0;
}

static int do_sighand(struct img *im)
{
	struct ckpt_rec_sighand *s = (void *)im->buf;
	char name[32];
	__u32 i;

	if (check_min(im, sizeof(*s)))
		return -1;
	if (s->nr != im->hdr.nsig)
		return bad(im, "nr %u differs from the header's nsig %u", s->nr,
			   im->hdr.nsig);
	if (check_reserved(im, &s->reserved, sizeof(s->reserved)))
		return -1;
	if (check_len(im, sizeof(*s) + (__u64)s->nr * sizeof(s->action[0]), "nr"))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr", s->nr);
	list_begin(im, "handlers");
	for (i = 0; i < s->nr; i++) {
		const struct ckpt_sigaction *a = &s->action[i];

		if (a->flags > 0xffffffffULL)
			return bad(im, "signal %u: flags 0x%llx do not fit in 32 bits", i + 1,
				   (__u64)a->flags);
	}
	for (i = 0; i < s->nr; i++) {
		const struct ckpt_sigaction *a = &s->action[i];

		if (a->handler == 0)
			continue;
		sub_begin(im, NULL);
		fword(im, "signal", sig_name(i + 1, name, sizeof(name)));
		if (a->handler == 1)
			fword(im, "handler", "SIG_IGN");
		else
			fx(im, "handler", a->handler);
		fflags(im, "flags", a->flags, sa_flags);
		fx(im, "restorer", a->restorer);
		fsigset(im, "mask", a->mask);
		sub_end(im);
	}
	list_end(im);
	rec_end(im);
	im->st = ST_TIMERS;
	return 0;
}

/* Nanoseconds as seconds with 9 decimals */
static void fns(struct img *im, const char *key, __u64 ns)
{
	field_fmt(im, key, 0, "%llu.%09llu", ns / 1000000000ULL, ns % 1000000000ULL);
}

static int do_timers(struct img *im)
{
	static const char *const names[] = { "real", "virtual", "prof" };
	struct ckpt_rec_timers *t = (void *)im->buf;
	__u32 i;

	if (check_len(im, sizeof(*t), "its size"))
		return -1;
	if (t->nr_posix)
		return bad(im, "nr_posix %u: POSIX timers are not in this format version",
			   t->nr_posix);
	if (check_reserved(im, &t->reserved, sizeof(t->reserved)))
		return -1;
	for (i = 0; i < 3; i++)
		if (t->itimer[i].value_ns > INT64_MAX || t->itimer[i].interval_ns > INT64_MAX)
			return bad(im, "interval timer %s out of range", names[i]);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	list_begin(im, "itimers");
	for (i = 0; i < 3; i++) {
		if (!t->itimer[i].value_ns)
			continue;
		sub_begin(im, NULL);
		fword(im, "which", names[i]);
		fns(im, "value", t->itimer[i].value_ns);
		fns(im, "interval", t->itimer[i].interval_ns);
		sub_end(im);
	}
	list_end(im);
	rec_end(im);
	im->st = ST_FILES;
	return 0;
}

/* The last record of a thread is decoded: the next thread, or TASK_END */
static void thread_done(struct img *im)
{
	im->st = ++im->threads_seen == im->nr_threads ? ST_END : ST_THREAD;
}

static int do_signal(struct img *im)
{
	struct ckpt_rec_signal *s = (void *)im->buf;

	if (check_len(im, sizeof(*s), "the SIGNAL record"))
		return -1;
	if (s->nr_siginfo > CKPT_MAX_SIGINFO)
		return bad(im, "nr_siginfo %u exceeds CKPT_MAX_SIGINFO (%d)",
			   s->nr_siginfo, CKPT_MAX_SIGINFO);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fsigset(im, "blocked", s->blocked);
	fsigset(im, "saved_sigmask", s->saved_sigmask);
	fx(im, "altstack_sp", s->altstack_sp);
	fu(im, "altstack_size", s->altstack_size);
	fx(im, "altstack_flags", s->altstack_flags);
	fu(im, "nr_siginfo", s->nr_siginfo);
	rec_end(im);
	im->nr_siginfo = s->nr_siginfo;
	im->seen = 0;
	if (s->nr_siginfo)
		im->st = ST_SIGINFO;
	else
		thread_done(im);
	return 0;
}

static const char *si_code_name(__s32 code)
{
	switch (code) {
	case 0:
		return "SI_USER";
	case 0x80:
		return "SI_KERNEL";
	case -1:
		return "SI_QUEUE";
	case -2:
		return "SI_TIMER";
	case -3:
		return "SI_MESGQ";
	case -4:
		return "SI_ASYNCIO";
	case -5:
		return "SI_SIGIO";
	case -6:
		return "SI_TKILL";
	}
	return NULL;
}

static int do_siginfo(struct img *im)
{
	struct ckpt_rec_siginfo *s = (void *)im->buf;
	__s32 signo, err, code, pid;
	__u32 uid;
	size_t i;
	const char *cname;
	char name[32];

	if (check_len(im, sizeof(*s), "the SIGINFO record"))
		return -1;
	memcpy(&signo, s->info, 4);
	memcpy(&err, s->info + 4, 4);
	memcpy(&code, s->info + 8, 4);
	memcpy(&pid, s->info + 12, 4);
	memcpy(&uid, s->info + 16, 4);
	if (s->shared > 1)
		return bad(im, "shared is %u, not 0 or 1", s->shared);
	if (s->shared && im->threads_seen)
		return bad(im, "thread %u: only the leader's SIGINFO records hold shared signals",
			   im->threads_seen + 1);
	if (signo <= 0 || (__u32)signo > im->hdr.nsig || signo == SIGKILL_NR || signo == SIGSTOP_NR)
		return bad(im, "si_signo %d is not a signal that can be queued", signo);
	if (check_reserved(im, &s->reserved, sizeof(s->reserved)))
		return -1;
	for (i = SIGINFO_USED; i < sizeof(s->info); i++)
		if (s->info[i])
			return bad(im, "info byte %zu is not zero (only %d are used)", i,
				   SIGINFO_USED);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fword(im, "signo", sig_name(signo, name, sizeof(name)));
	cname = si_code_name(code);
	if (cname)
		fword(im, "code", cname);
	else
		fs(im, "code", code);
	fs(im, "errno", err);
	if (code == 0 || code == -1 || code == -6) {
		fs(im, "sender_pid", pid);
		fu(im, "sender_uid", uid);
	}
	fword(im, "queue", s->shared ? "shared" : "thread");
	rec_end(im);
	if (++im->seen == im->nr_siginfo)
		thread_done(im);
	return 0;
}

/* Access mode of a FILE record's mode (1 read, 2 write, 3 both) as O_* */
static __u32 acc_mode(__u32 mode)
{
	return mode == 3 ? 2 : mode == 2 ? 1 : 0;
}

static const char *acc_mode_name(__u32 acc)
{
	static const char *const names[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "3" };

	return names[acc & O_ACCMODE_BITS];
}

static const char *mode_name(__u32 mode)
{
	static const char *const names[] = { "none", "r", "w", "rw" };

	return names[mode & 3];
}

static int do_file(struct img *im)
{
	struct ckpt_rec_file *f = (void *)im->buf;
	int on_pipe = 0, on_pty = 0;
	__u32 pidx = 0, fidx = 0, tidx = 0;
	struct pty_ent *pty = NULL;
	struct file_ent *e;

	if (check_min(im, sizeof(*f)))
		return -1;
	if (f->path_len > CKPT_MAX_PATH)
		return bad(im, "path_len %u exceeds CKPT_MAX_PATH (%d)", f->path_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*f) + (__u64)f->path_len, "path_len"))
		return -1;
	switch (f->kind) {
	case CKPT_FILE_INHERIT:
	case CKPT_FILE_PIPE:
	case CKPT_FILE_CTTY:
	case CKPT_FILE_PTY_MASTER:
	case CKPT_FILE_PTY_SLAVE:
		if (f->path_len)
			return bad(im, "%s file with a path", file_kinds[f->kind]);
		break;
	case CKPT_FILE_REG:
	case CKPT_FILE_CHR:
	case CKPT_FILE_FIFO:
	case CKPT_FILE_DIR:
	case CKPT_FILE_OPATH:
		if (check_str(im, "path", f->path, f->path_len, 0))
			return -1;
		break;
	default:
		return bad(im, "unknown file kind %u", f->kind);
	}
	if (f->kind == CKPT_FILE_OPATH) {
		if (f->mode || f->pos || f->size & ~(__u64)S_IFMT)
			return bad(im, "an O_PATH file has mode 0, pos 0 and a file type as size");
	} else if (f->mode < 1 || f->mode > 3) {
		return bad(im, "mode %u is not read (1), write (2) or both (3)", f->mode);
	}
	if (f->kind == CKPT_FILE_DIR && f->size)
		return bad(im, "a directory's size is 0, not %llu", (__u64)f->size);
	if (f->kind == CKPT_FILE_PIPE && f->mode == 3)
		return bad(im, "mode 3: a pipe end is either read (1) or write (2)");
	on_pipe = f->kind == CKPT_FILE_PIPE || f->kind == CKPT_FILE_FIFO;
	if (on_pipe && !idset_get(&im->pipeidx, f->ref_id, &pidx))
		return bad(im, "pipe_id %u: no earlier PIPE record has that objid", f->ref_id);
	if (on_pipe && im->pipes[pidx].kind && im->pipes[pidx].kind != f->kind)
		return bad(im, "pipe %u is both a FIFO and an anonymous pipe", f->ref_id);
	on_pty = f->kind == CKPT_FILE_PTY_MASTER || f->kind == CKPT_FILE_PTY_SLAVE;
	if (on_pty && !idset_get(&im->ptyidx, f->ref_id, &tidx))
		return bad(im, "pty_id %u: no earlier PTY record has that objid", f->ref_id);
	if (on_pty)
		pty = &im->ptys[tidx];
	if (f->kind == CKPT_FILE_PTY_MASTER && pty->master_file)
		return bad(im, "pty %u has two master files: objids %u and %u", f->ref_id,
			   pty->master_file, f->objid);
	if (f->kind == CKPT_FILE_PTY_MASTER &&
	    acc_mode(f->mode) != (pty->master_flags & O_ACCMODE_BITS))
		return bad(im, "mode %s does not match the access mode %s in pty %u's master_flags",
			   mode_name(f->mode), acc_mode_name(pty->master_flags), f->ref_id);
	if (!on_pipe && !on_pty && f->ref_id)
		return bad(im, "ref_id %u in a file of kind %s: only pipes, FIFOs, ptys have one",
			   f->ref_id, file_kinds[f->kind]);
	if (f->kind == CKPT_FILE_CTTY && !im->tty_seen)
		return bad(im, "a file on the job's terminal, but the image has no TTY record");
	if (f->pos < 0)
		return bad(im, "negative file offset %lld", (__s64)f->pos);
	if (claim_objid(im, f->objid))
		return -1;
	if (++im->nr_files > CKPT_MAX_FILES)
		return bad(im, "more than CKPT_MAX_FILES (%d) FILE records", CKPT_MAX_FILES);
	if (f->kind == CKPT_FILE_INHERIT && idset_add(&im->inherit, f->objid) < 0)
		return nomem(im);
	if (on_pipe)
		im->pipes[pidx].kind = f->kind;
	if (f->kind == CKPT_FILE_PTY_MASTER)
		pty->master_file = f->objid;
	if (on_pipe || on_pty || f->kind == CKPT_FILE_CTTY) {
		if (grow((void **)&im->files, im->nr_file_ents, &im->files_size,
			 sizeof(*im->files)))
			return nomem(im);
		e = &im->files[im->nr_file_ents];
		e->objid = f->objid;
		e->kind = f->kind;
		e->mode = f->mode;
		e->ref_id = f->ref_id;
		e->path = NULL;
		if (f->kind == CKPT_FILE_FIFO) {
			e->path = strdup(f->path);
			if (!e->path)
				return nomem(im);
			if (im->pipes[pidx].fifo < 0)
				im->pipes[pidx].fifo = (long)im->nr_file_ents;
		}
		im->nr_file_ents++;
		fidx = (__u32)im->nr_file_ents;
	}
	if (idset_put(&im->fileidx, f->objid, fidx) < 0)
		return nomem(im);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", f->objid);
	fword(im, "kind", file_kinds[f->kind]);
	if (f->path_len)
		fstr(im, "path", f->path, f->path_len - 1);
	if (on_pipe)
		fu(im, "pipe_id", f->ref_id);
	if (on_pty)
		fu(im, "pty_id", f->ref_id);
	fword(im, "mode", mode_name(f->mode));
	fflags(im, "flags", f->flags, open_flags);
	fs(im, "pos", f->pos);
	fu(im, "size", f->size);
	rec_end(im);
	return 0;
}

#define PIPE_DATA_SHOWN	32	/* bytes of a pipe's contents shown */

static int do_pipe(struct img *im)
{
	struct ckpt_rec_pipe *p = (void *)im->buf;
	const char *data = (const char *)(p + 1);
	struct pipe_ent *e;

	if (check_min(im, sizeof(*p)))
		return -1;
	if (!p->capacity || p->capacity % im->hdr.page_size || p->capacity > 1U << 31)
		return bad(im, "capacity %u is not a multiple of the page size in %u..2^31",
			   p->capacity, im->hdr.page_size);
	if (p->data_len > p->capacity)
		return bad(im, "data_len %u is above the capacity %u", p->data_len,
			   p->capacity);
	if (check_len(im, sizeof(*p) + (__u64)p->data_len, "data_len"))
		return -1;
	if (check_reserved(im, &p->reserved, sizeof(p->reserved)))
		return -1;
	if (claim_objid(im, p->objid))
		return -1;
	e = new_entry((void **)&im->pipes, &im->nr_pipe_ents, &im->pipes_size,
		      sizeof(*im->pipes), &im->pipeidx, p->objid);
	if (!e)
		return nomem(im);
	e->off = im->rec_off;
	e->objid = p->objid;
	e->capacity = p->capacity;
	e->data_len = p->data_len;
	e->fifo = -1;
	e->kind = 0;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", p->objid);
	fu(im, "capacity", p->capacity);
	fu(im, "data_len", p->data_len);
	if (p->data_len)
		fstr(im, "data", data, p->data_len < PIPE_DATA_SHOWN ?
				       p->data_len : PIPE_DATA_SHOWN);
	rec_end(im);
	return 0;
}

/* Terminal settings: restart(2) knows the N_TTY line discipline only */
/* One direction's data: bytes processed (with their bitmap), then not */
static int check_pty_data(struct img *im, const char *side, __u32 in, __u32 raw)
{
	if (in > CKPT_MAX_PTY_IN)
		return bad(im, "%s_in %u exceeds CKPT_MAX_PTY_IN (%d)", side, in, CKPT_MAX_PTY_IN);
	if (raw > CKPT_MAX_PTY_RAW)
		return bad(im, "%s_raw %u exceeds CKPT_MAX_PTY_RAW (%d)", side, raw,
			   CKPT_MAX_PTY_RAW);
	return 0;
}

/* Bytes of one direction's data in the record: in, its line-end bitmap, raw */
static __u64 pty_data_len(__u32 in, __u32 raw)
{
	return (__u64)in + (in + 7ULL) / 8 + raw;
}

/* Canonical lines ended in @in bytes whose line-end bitmap is @eol */
static __u32 pty_lines(const __u8 *eol, __u32 in)
{
	__u32 i, n = 0;

	for (i = 0; i < in; i++)
		n += (eol[i / 8] >> (i % 8)) & 1;
	return n;
}

/* A part of a PTY record: a JSON object @key, or a text line of its own */
static void pty_part_begin(struct img *im, const char *key)
{
	char label[16];

	if (im->json) {
		json_open(im, key, '{');
		return;
	}
	text_break(im);
	snprintf(label, sizeof(label), "%s:", key);
	text_field(im, label, (int)strlen(label));
}

/* The slave's settings (the master has none of its own) */
static void print_pty_termios(struct img *im, const struct ckpt_termios *t)
{
	pty_part_begin(im, "termios");
	fbool(im, "icanon", !!(t->lflag & TTY_ICANON));
	fbool(im, "echo", !!(t->lflag & TTY_ECHO));
	print_termios_flags(im, t);
	fu(im, "ispeed", t->ispeed);
	fu(im, "ospeed", t->ospeed);
	if (im->json) {
		print_cc(im, t->cc);
		json_close(im);
	}
}

/* The data one side's readers have not read: processed (in), then not (raw) */
static void print_pty_data(struct img *im, const char *side, const __u8 *data, __u32 in,
			   __u32 lines, __u32 raw)
{
	pty_part_begin(im, side);
	fu(im, "in", in);
	fu(im, "lines", lines);
	fu(im, "raw", raw);
	if (in)
		fstr(im, "in_data", (const char *)data,
		     in < PIPE_DATA_SHOWN ? in : PIPE_DATA_SHOWN);
	if (raw)
		fstr(im, "raw_data", (const char *)data + in + (in + 7) / 8,
		     raw < PIPE_DATA_SHOWN ? raw : PIPE_DATA_SHOWN);
	if (im->json)
		json_close(im);
}

static int do_pty(struct img *im)
{
	struct ckpt_rec_pty *p = (void *)im->buf;
	const __u8 *slave = (const __u8 *)(p + 1), *master;
	struct pty_ent *e;

	if (check_min(im, sizeof(*p)))
		return -1;
	if (p->flags & ~CKPT_PTY_FLAGS_ALL)
		return bad(im, "unknown pty flags 0x%x", p->flags);
	if (p->master_flags & ~PTY_MASTER_FLAGS)
		return bad(im, "master_flags 0%o: bits other than access mode and status flags",
			   p->master_flags);
	if ((p->master_flags & O_ACCMODE_BITS) == O_ACCMODE_BITS)
		return bad(im, "master_flags 0%o: access mode 3 is not a valid one",
			   p->master_flags);
	if (check_tty_state(im, &p->slave, 1))
		return -1;
	if (check_pty_data(im, "slave", p->slave_in, p->slave_raw) ||
	    check_pty_data(im, "master", p->master_in, p->master_raw))
		return -1;
	if (check_len(im, sizeof(*p) + pty_data_len(p->slave_in, p->slave_raw) +
		      pty_data_len(p->master_in, p->master_raw),
		      "slave_in, slave_raw, master_in, master_raw and their line-end bitmaps"))
		return -1;
	if (claim_objid(im, p->objid))
		return -1;
	e = new_entry((void **)&im->ptys, &im->nr_pty_ents, &im->ptys_size, sizeof(*im->ptys),
		      &im->ptyidx, p->objid);
	if (!e)
		return nomem(im);
	master = slave + pty_data_len(p->slave_in, p->slave_raw);
	e->off = im->rec_off;
	e->objid = p->objid;
	e->index = p->index;
	e->flags = p->flags;
	e->master_flags = p->master_flags;
	e->st = p->slave;
	e->slave_in = p->slave_in;
	e->slave_lines = pty_lines(slave + p->slave_in, p->slave_in);
	e->slave_raw = p->slave_raw;
	e->master_in = p->master_in;
	e->master_lines = pty_lines(master + p->master_in, p->master_in);
	e->master_raw = p->master_raw;
	e->master_file = 0;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", p->objid);
	fu(im, "index", p->index);
	field_fmt(im, "name", 1, "pts/%u", p->index);
	fflags(im, "flags", p->flags, pty_flags);
	fflags(im, "master_flags", p->master_flags, open_flags);
	fword(im, "master_mode", acc_mode_name(p->master_flags));
	print_tty_ctl(im, &p->slave);
	print_pty_termios(im, &p->slave.termios);
	print_pty_data(im, "slave", slave, p->slave_in, e->slave_lines, p->slave_raw);
	print_pty_data(im, "master", master, p->master_in, e->master_lines, p->master_raw);
	rec_end(im);
	return 0;
}

static int do_fd(struct img *im)
{
	struct ckpt_rec_fd *d = (void *)im->buf;
	struct hold_ent *h;
	__u32 fidx;

	if (check_len(im, sizeof(*d), "the FD record"))
		return -1;
	if (d->fd >= CKPT_MAX_FILES)
		return bad(im, "fd %u is not below CKPT_MAX_FILES (%d)", d->fd,
			   CKPT_MAX_FILES);
	if (im->fdmap[d->fd / 8] & (1 << (d->fd % 8)))
		return bad(im, "fd %u appears twice", d->fd);
	if (!idset_get(&im->fileidx, d->objid, &fidx))
		return bad(im, "fd %u refers to objid %u, which no earlier FILE record has",
			   d->fd, d->objid);
	if (d->cloexec > 1)
		return bad(im, "cloexec is %u, not 0 or 1", d->cloexec);
	if (d->fd > 2 && idset_has(&im->inherit, d->objid))
		return bad(im, "fd %u refers to an inherited file: only fds 0-2 can be", d->fd);
	if (check_reserved(im, &d->reserved, sizeof(d->reserved)))
		return -1;
	if (fidx) {
		if (grow((void **)&im->holds, im->nr_holds, &im->holds_size, sizeof(*im->holds)))
			return nomem(im);
		h = &im->holds[im->nr_holds++];
		h->task = im->tasks_done;
		h->fd = d->fd;
		h->file = fidx - 1;
		h->key = 0;
	}
	im->fdmap[d->fd / 8] |= 1 << (d->fd % 8);
	im->nr_fds++;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "fd", d->fd);
	fu(im, "objid", d->objid);
	fbool(im, "cloexec", d->cloexec);
	rec_end(im);
	return 0;
}

static const char *clock_name(__s32 clockid, char *buf, size_t size)
{
	if (clockid >= 0 && (size_t)clockid < ARRAY_SIZE(clock_names) && clock_names[clockid])
		return clock_names[clockid];
	snprintf(buf, size, "clock%d", clockid);
	return buf;
}

/* What is wrong with a restart block, as restart(2) checks it, or NULL */
static const char *restart_block_error(const struct ckpt_restart_block *r)
{
	switch (r->kind) {
	case CKPT_RESTART_NONE:
		if (r->clockid || r->remaining_ns || r->uaddr || r->arg[0] || r->arg[1] ||
		    r->arg[2])
			return "fields set in a block of kind none";
		break;
	case CKPT_RESTART_NANOSLEEP:
		if (r->clockid < 0 || (size_t)r->clockid >= ARRAY_SIZE(clock_names) ||
		    !clock_names[r->clockid])
			return "unknown clock";
		if (r->arg[0] > 1 || r->arg[1] || r->arg[2])
			return "bad arguments for nanosleep";
		break;
	case CKPT_RESTART_FUTEX:
		if (r->arg[1] & ~(__u64)(CKPT_FUTEX_SHARED | CKPT_FUTEX_CLOCK_REALTIME))
			return "unknown futex flags";
		if (r->clockid != (r->arg[1] & CKPT_FUTEX_CLOCK_REALTIME ? 0 : 1))
			return "the clock does not match the futex flags";
		if (r->arg[0] > 0xffffffffULL || !r->arg[2] || r->arg[2] > 0xffffffffULL)
			return "bad value or bitset for a futex wait";
		break;
	case CKPT_RESTART_POLL:
		if (r->clockid != 1 || r->arg[0] > 0x7fffffffULL || r->arg[1] > 1 || r->arg[2] ||
		    (!r->arg[1] && r->remaining_ns))
			return "bad clock or arguments for poll";
		break;
	default:
		return "unknown kind";
	}
	if (r->remaining_ns < 0)
		return "negative remaining_ns";
	return NULL;
}

/* A restart block's time left, as seconds */
static void remaining_str(__s64 ns, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%09llds", ns / 1000000000, ns % 1000000000);
}

static int do_thread(struct img *im)
{
	struct ckpt_rec_thread *t = (void *)im->buf;
	const struct ckpt_restart_block *rb = &t->restart;
	struct task_ent *task = &im->tasks[im->tasks_done];
	struct thread_ent *e;
	const char *why;
	char buf[64];
	__u32 v;

	if (check_len(im, sizeof(*t), "the THREAD record"))
		return -1;
	if (t->tid <= 0)
		return bad(im, "tid %d is not positive", t->tid);
	if (im->threads_seen == 0 && t->tid != im->pid)
		return bad(im, "the first thread's tid %d is not the pid %d",
			   t->tid, im->pid);
	if (im->threads_seen && idset_get(&im->tids, (__u32)t->tid, &v))
		return bad(im, "tid %d is already %s %d in the image", t->tid,
			   im->tasks[v].pid == t->tid ? "the process" : "a thread of pid",
			   im->tasks[v].pid);
	if (check_reserved(im, &t->reserved, sizeof(t->reserved)))
		return -1;
	if (check_cstr(im, "comm", t->comm, sizeof(t->comm)))
		return -1;
	why = restart_block_error(rb);
	if (why)
		return bad(im, "restart block of kind %u: %s", rb->kind, why);
	if (im->threads_seen && idset_put(&im->tids, (__u32)t->tid, im->tasks_done) < 0)
		return nomem(im);
	if (grow((void **)&im->threads, im->nr_thread_ents, &im->threads_size,
		 sizeof(*im->threads)))
		return nomem(im);
	e = &im->threads[im->nr_thread_ents++];
	e->tid = t->tid;
	e->ip = t->regs.ip;
	e->sp = t->regs.sp;
	memcpy(e->comm, t->comm, sizeof(e->comm));
	e->rb = *rb;
	task->threads++;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "tid", t->tid);
	fstr(im, "comm", t->comm, strlen(t->comm));
	fx(im, "ip", t->regs.ip);
	fx(im, "sp", t->regs.sp);
	fx(im, "ax", t->regs.ax);
	fx(im, "orig_ax", t->regs.orig_ax);
	fx(im, "flags", t->regs.flags);
	fx(im, "fs_base", t->regs.fs_base);
	fx(im, "gs_base", t->regs.gs_base);
	fx(im, "cs", t->regs.cs);
	fx(im, "ss", t->regs.ss);
	fx(im, "rseq", t->rseq);
	if (t->rseq) {
		fu(im, "rseq_len", t->rseq_len);
		fx(im, "rseq_sig", t->rseq_sig);
	}
	fx(im, "set_child_tid", t->set_child_tid);
	fx(im, "clear_child_tid", t->clear_child_tid);
	fx(im, "robust_list", t->robust_list);
	if (t->robust_list)
		fu(im, "robust_list_len", t->robust_list_len);
	if (rb->kind == CKPT_RESTART_NONE) {
		if (im->json)
			field_fmt(im, "restart", 0, "null");
	} else {
		if (im->json)
			json_open(im, "restart", '{');
		else
			text_break(im);
		fword(im, im->json ? "kind" : "restart", restart_kinds[rb->kind]);
		fword(im, "clock", clock_name(rb->clockid, buf, sizeof(buf)));
		fs(im, "remaining_ns", rb->remaining_ns);
		fx(im, "uaddr", rb->uaddr);
		fx(im, "arg0", rb->arg[0]);
		fx(im, "arg1", rb->arg[1]);
		fx(im, "arg2", rb->arg[2]);
		if (im->json)
			json_close(im);
	}
	rec_end(im);
	im->st = ST_XSTATE;
	return 0;
}

static int do_xstate(struct img *im)
{
	struct ckpt_rec_xstate *x = (void *)im->buf;

	if (check_len(im, sizeof(*x) + (__u64)im->hdr.xstate_size,
		      "the header's xstate_size"))
		return -1;
	if (x->xfeatures & ~im->hdr.xfeatures)
		return bad(im, "xfeatures 0x%llx has features outside the header's 0x%llx",
			   (__u64)x->xfeatures, (__u64)im->hdr.xfeatures);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "size", im->hdr.xstate_size);
	fx(im, "xfeatures", x->xfeatures);
	rec_end(im);
	im->st = ST_SIGNAL;
	return 0;
}

static int do_task_end(struct img *im)
{
	struct ckpt_rec_task_end *e = (void *)im->buf;

	if (check_len(im, sizeof(*e), "the TASK_END record"))
		return -1;
	if (e->pid != im->pid)
		return bad(im, "pid %d differs from the TASK record's %d", e->pid,
			   im->pid);
	if (check_reserved(im, &e->reserved, sizeof(e->reserved)))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fs(im, "pid", e->pid);
	fu(im, "pages", im->task_pages);
	fu(im, "page_bytes", im->task_pages * im->hdr.page_size);
	fu(im, "files", im->nr_files);
	fu(im, "fds", im->nr_fds);
	rec_end(im);
	if (im->json) {
		json_close(im);		/* records */
		fu(im, "pages", im->task_pages);
		fu(im, "page_bytes", im->task_pages * im->hdr.page_size);
		json_close(im);		/* the task */
	}
	im->nr_tasks--;
	im->tasks_done++;
	im->st = ST_TASK;
	return 0;
}

static int do_trailer(struct img *im, const __u8 *sum)
{
	struct ckpt_rec_trailer *t = (void *)im->buf;
	char hex[2 * CKPT_SHA256_DIGEST_SIZE + 1];
	int i;

	if (check_len(im, sizeof(*t), "the TRAILER record"))
		return -1;
	if (im->nr_thread_ents != im->hdr.nr_threads)
		return bad(im, "the header announces %u threads, the image has %zu THREAD records",
			   im->hdr.nr_threads, im->nr_thread_ents);
	im->trailer = *t;
	im->trailer_seen = 1;
	im->trailer_off = im->rec_off;
	if (im->verify) {
		memcpy(im->sum, sum, CKPT_SHA256_DIGEST_SIZE);
		im->sum_ok = !memcmp(sum, t->sha256, CKPT_SHA256_DIGEST_SIZE);
	}
	for (i = 0; i < CKPT_SHA256_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", t->sha256[i]);
	if (im->json) {
		if (im->tasks_open)
			json_close(im);		/* tasks */
		im->tasks_open = 0;
		json_open(im, "trailer", '{');
		fu(im, "offset", im->rec_off);
		fu(im, "len", im->rec_len);
	} else {
		rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	}
	fu(im, "total_len", t->total_len);
	fword(im, "sha256", hex);
	if (im->json)
		json_close(im);
	else
		rec_end(im);
	im->st = ST_DONE;
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
	case ST_FS:
		return "FS";
	case ST_MM:
		return "MM";
	case ST_VMA:
		snprintf(buf, size, "VMA %u of %u", im->seen + 1, im->nr_vmas);
		return buf;
	case ST_PAGES:
		return "PAGES or SIGHAND";
	case ST_TIMERS:
		return "TIMERS";
	case ST_FILES:
		return "FILE, PIPE, PTY, FD or THREAD";
	case ST_XSTATE:
		return "XSTATE";
	case ST_SIGNAL:
		return "SIGNAL";
	case ST_SIGINFO:
		snprintf(buf, size, "SIGINFO %u of %u", im->seen + 1,
			 im->nr_siginfo);
		return buf;
	case ST_THREAD:
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

static int allowed(struct img *im, __u32 type)
{
	switch (im->st) {
	case ST_HEADER:
		return type == CKPT_REC_HEADER;
	case ST_FIRST:
		return type == CKPT_REC_TTY || type == CKPT_REC_TASK;
	case ST_TASK:
		return type == (im->nr_tasks ? CKPT_REC_TASK : CKPT_REC_TRAILER);
	case ST_CRED:
		return type == CKPT_REC_CRED;
	case ST_RLIMITS:
		return type == CKPT_REC_RLIMITS;
	case ST_FS:
		return type == CKPT_REC_FS;
	case ST_MM:
		return type == CKPT_REC_MM;
	case ST_VMA:
		return type == CKPT_REC_VMA;
	case ST_PAGES:
		return type == CKPT_REC_PAGES || type == CKPT_REC_SIGHAND;
	case ST_TIMERS:
		return type == CKPT_REC_TIMERS;
	case ST_FILES:
		return type == CKPT_REC_FILE || type == CKPT_REC_PIPE || type == CKPT_REC_PTY ||
		       type == CKPT_REC_FD || type == CKPT_REC_THREAD;
	case ST_XSTATE:
		return type == CKPT_REC_XSTATE;
	case ST_SIGNAL:
		return type == CKPT_REC_SIGNAL;
	case ST_SIGINFO:
		return type == CKPT_REC_SIGINFO;
	case ST_THREAD:
		return type == CKPT_REC_THREAD;
	case ST_END:
		return type == CKPT_REC_TASK_END;
	case ST_DONE:
		return 0;
	}
	return 0;
}

static int dispatch(struct img *im, const __u8 *sum)
{
	switch (im->rec_type) {
	case CKPT_REC_HEADER:
		return do_header(im);
	case CKPT_REC_TASK:
		return do_task(im);
	case CKPT_REC_CRED:
		return do_cred(im);
	case CKPT_REC_RLIMITS:
		return do_rlimits(im);
	case CKPT_REC_FS:
		return do_fs(im);
	case CKPT_REC_MM:
		return do_mm(im);
	case CKPT_REC_VMA:
		return do_vma(im);
	case CKPT_REC_PAGES:
		return do_pages(im);
	case CKPT_REC_SIGHAND:
		if (check_page_overlap(im))
			return -1;
		flush_mm(im);
		return do_sighand(im);
	case CKPT_REC_TIMERS:
		return do_timers(im);
	case CKPT_REC_SIGNAL:
		return do_signal(im);
	case CKPT_REC_SIGINFO:
		return do_siginfo(im);
	case CKPT_REC_FILE:
		return do_file(im);
	case CKPT_REC_FD:
		return do_fd(im);
	case CKPT_REC_PIPE:
		return do_pipe(im);
	case CKPT_REC_PTY:
		return do_pty(im);
	case CKPT_REC_TTY:
		return do_tty(im);
	case CKPT_REC_THREAD:
		return do_thread(im);
	case CKPT_REC_XSTATE:
		return do_xstate(im);
	case CKPT_REC_TASK_END:
		return do_task_end(im);
	case CKPT_REC_TRAILER:
		return do_trailer(im, sum);
	}
	return bad(im, "unknown record type %u", im->rec_type);
}

/* Read and check one record; 1 at the end of the image, 0 ok, -1 error */
static int next_record(struct img *im)
{
	static const __u8 zero[CKPT_ALIGN];
	__u8 sum[CKPT_SHA256_DIGEST_SIZE], pad[CKPT_ALIGN];
	struct ckpt_sha256 at_trailer;
	struct ckpt_hdr h;
	size_t got, padlen;
	char exp[96];

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
	if (rec_name(h.type))
		im->rec_type = h.type;
	if (h.len < sizeof(h))
		return bad(im, "length %u is smaller than the record header (%zu)",
			   h.len, sizeof(h));
	if (h.len > CKPT_MAX_RECORD)
		return bad(im, "length %u exceeds CKPT_MAX_RECORD (%u)", h.len,
			   CKPT_MAX_RECORD);
	if (!rec_name(h.type))
		return bad(im, "unknown record type %u (length %u)", h.type,
			   h.len);
	im->rec_len = h.len;
	if (!allowed(im, h.type))
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

	if (h.type == CKPT_REC_TRAILER) {
		at_trailer = im->sha;
		ckpt_sha256_final(&at_trailer, sum);
	} else if (im->verify) {
		ckpt_sha256_update(&im->sha, im->buf, h.len);
		ckpt_sha256_update(&im->sha, pad, padlen);
	}
	im->nr_records++;
	if (im->st == ST_PAGES && h.type != CKPT_REC_PAGES && h.type != CKPT_REC_SIGHAND)
		flush_mm(im);
	return dispatch(im, sum);
}

static void hexstr(const __u8 *d, char *out)
{
	int i;

	for (i = 0; i < CKPT_SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Checks made once the trailer is read: total_len and the SHA-256 */
static void check_trailer(struct img *im)
{
	char want[2 * CKPT_SHA256_DIGEST_SIZE + 1], got[2 * CKPT_SHA256_DIGEST_SIZE + 1];
	__u64 off = im->trailer_off;

	if (!im->trailer_seen)
		return;
	fflush(stdout);
	im->len_ok = im->trailer.total_len == off;
	if (!im->len_ok) {
		fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): TRAILER record: ", im->name,
			off, off);
		fprintf(stderr, "total_len %llu does not match the %llu bytes before it\n",
			(__u64)im->trailer.total_len, off);
	}
	if (im->sum_ok == 0) {
		hexstr(im->trailer.sha256, want);
		hexstr(im->sum, got);
		fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): TRAILER record: ", im->name,
			off, off);
		fprintf(stderr, "checksum mismatch: the trailer has sha256 %s,\n", want);
		fprintf(stderr, "  the %llu bytes before it hash to %s\n", off, got);
	}
}

/* ---- the job: process tree, threads, pipes, terminal ---- */

/* @s (@n bytes) with backslashes and unprintable bytes escaped, for tables */
static void text_esc(char *out, size_t size, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && s[i] && o + 5 < size; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			o += snprintf(out + o, size - o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	out[o] = 0;
}

/* Parent, children and depth of every process, from ppid */
static void build_tree(struct img *im)
{
	struct task_ent *t = im->tasks;
	__u32 i, v;

	for (i = 0; i < im->nr_task_ents; i++) {
		t[i].parent = -1;
		t[i].child = -1;
		t[i].sibling = -1;
		t[i].depth = 0;
		/* a parent is a process (or a thread's process) earlier in the image */
		if (idset_get(&im->tids, (__u32)t[i].ppid, &v) && v < i) {
			t[i].parent = v;
			t[i].depth = t[v].depth + 1;
		}
	}
	for (i = im->nr_task_ents; i-- > 0;) {
		if (t[i].parent < 0)
			continue;
		t[i].sibling = t[t[i].parent].child;
		t[t[i].parent].child = i;
	}
}

/* The processes in tree order (parents before children, siblings in image order) */
static __u32 *tree_order(struct img *im)
{
	struct task_ent *t = im->tasks;
	__u32 *order, n = 0, i;
	long cur;

	order = calloc(im->nr_task_ents + 1, sizeof(*order));
	if (!order)
		return NULL;
	for (i = 0; i < im->nr_task_ents; i++) {
		if (t[i].parent >= 0)
			continue;
		cur = i;
		for (;;) {
			order[n++] = (__u32)cur;
			if (t[cur].child >= 0) {
				cur = t[cur].child;
				continue;
			}
			while (cur != (long)i && t[cur].sibling < 0)
				cur = t[cur].parent;
			if (cur == (long)i)
				break;
			cur = t[cur].sibling;
		}
	}
	return order;
}

static int in_job_pgrp(struct img *im, __s32 pgrp)
{
	__u32 i;

	for (i = 0; pgrp > 0 && i < im->nr_task_ents; i++)
		if (im->tasks[i].pgid == pgrp)
			return 1;
	return 0;
}

static int in_job_session(struct img *im, __s32 sid)
{
	__u32 i;

	for (i = 0; sid > 0 && i < im->nr_task_ents; i++)
		if (im->tasks[i].sid == sid)
			return 1;
	return 0;
}

/* Append ",@word" (or "@word" first) to @buf if it fits */
static void add_word(char *buf, size_t size, const char *word)
{
	size_t n = strlen(buf);

	if (n + 1 + strlen(word) < size)
		snprintf(buf + n, size - n, "%s%s", n ? "," : "", word);
}

static void task_state(struct img *im, const struct task_ent *t, char *buf, size_t size)
{
	char st[64], z[80];

	buf[0] = 0;
	if (t->flags & CKPT_TASK_ZOMBIE) {
		wait_status_str(t->exit_code, st, sizeof(st));
		snprintf(z, sizeof(z), "zombie:%s", st);
		add_word(buf, size, z);
	}
	if (t->flags & CKPT_TASK_STOPPED)
		add_word(buf, size, "stopped");
	if (t->sid == t->pid)
		add_word(buf, size, "session-leader");
	if (t->pgid == t->pid)
		add_word(buf, size, "group-leader");
	if (im->tty_seen && t->pgid && t->pgid == im->tty.tty.fg_pgrp)
		add_word(buf, size, "foreground");
	if (t->flags & CKPT_TASK_CTTY)
		add_word(buf, size, "ctty");
	if (t->flags & CKPT_TASK_SUBREAPER)
		add_word(buf, size, "subreaper");
	if (t->flags & CKPT_TASK_SELF)
		add_word(buf, size, "self");
	if (!buf[0])
		snprintf(buf, size, "-");
}

static void restart_str(const struct ckpt_restart_block *rb, char *buf, size_t size)
{
	char left[40], clk[32];

	remaining_str(rb->remaining_ns, left, sizeof(left));
	switch (rb->kind) {
	case CKPT_RESTART_NANOSLEEP:
		snprintf(buf, size, "nanosleep %s, %s left",
			 clock_name(rb->clockid, clk, sizeof(clk)), left);
		break;
	case CKPT_RESTART_FUTEX:
		snprintf(buf, size, "futex wait 0x%llx%s, %s left", (__u64)rb->uaddr,
			 rb->arg[1] & CKPT_FUTEX_SHARED ? " (shared)" : "", left);
		break;
	case CKPT_RESTART_POLL:
		if (rb->arg[1])
			snprintf(buf, size, "poll %llu fds, %s left", (__u64)rb->arg[0], left);
		else
			snprintf(buf, size, "poll %llu fds, no timeout", (__u64)rb->arg[0]);
		break;
	default:
		snprintf(buf, size, "-");
	}
}

static int cmp_holds(const void *a, const void *b)
{
	const struct hold_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->task != y->task)
		return x->task < y->task ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/* Sort key of the descriptors on the master (or slave) of ptys[@i] */
static __u64 pty_key(struct img *im, size_t i, int slave)
{
	return (__u64)im->nr_pipe_ents * 4 + (__u64)i * 2 + !!slave;
}

/*
 * Sort the descriptors on pipes, ptys and the terminal by what they hold:
 * pipe index * 4 + mode, then (after the pipes) pty index * 2, + 1 for
 * the slave, and ~0 for the terminal
 */
static void sort_holds(struct img *im)
{
	struct hold_ent *h;
	struct file_ent *f;
	size_t i;
	__u32 idx;

	for (i = 0; i < im->nr_holds; i++) {
		h = &im->holds[i];
		f = &im->files[h->file];
		if ((f->kind == CKPT_FILE_PIPE || f->kind == CKPT_FILE_FIFO) &&
		    idset_get(&im->pipeidx, f->ref_id, &idx))
			h->key = (__u64)idx * 4 + f->mode;
		else if ((f->kind == CKPT_FILE_PTY_MASTER || f->kind == CKPT_FILE_PTY_SLAVE) &&
			 idset_get(&im->ptyidx, f->ref_id, &idx))
			h->key = pty_key(im, idx, f->kind == CKPT_FILE_PTY_SLAVE);
		else
			h->key = ~0ULL;
	}
	if (im->nr_holds)
		qsort(im->holds, im->nr_holds, sizeof(*im->holds), cmp_holds);
}

/* The descriptors with sort key @key: holds[*lo..*hi) */
static void hold_range(struct img *im, __u64 key, size_t *lo, size_t *hi)
{
	size_t a = 0, b = im->nr_holds, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (im->holds[m].key < key)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < im->nr_holds && im->holds[b].key == key; b++)
		;
	*hi = b;
}

/* Text: "pid 101 fds 1,4; pid 102 fd 1", or "none" */
static void print_holders(struct img *im, const char *label, __u64 key, const char *none)
{
	size_t lo, hi, i, j, k;

	hold_range(im, key, &lo, &hi);
	if (im->json) {
		json_open(im, label, '[');
		for (i = lo; i < hi; i++) {
			sub_begin(im, NULL);
			fs(im, "pid", im->tasks[im->holds[i].task].pid);
			fu(im, "fd", im->holds[i].fd);
			sub_end(im);
		}
		json_close(im);
		return;
	}
	printf("    %-11s", label);
	if (lo == hi)
		printf(" %s", none);
	for (i = lo; i < hi; i = j) {
		for (j = i + 1; j < hi && im->holds[j].task == im->holds[i].task; j++)
			;
		printf("%s pid %d fd%s ", i > lo ? ";" : "", im->tasks[im->holds[i].task].pid,
		       j - i > 1 ? "s" : "");
		for (k = i; k < j; k++)
			printf("%s%u", k > i ? "," : "", im->holds[k].fd);
	}
	putchar('\n');
}

static void print_pipe(struct img *im, size_t i)
{
	const struct pipe_ent *p = &im->pipes[i];
	const struct file_ent *f = p->fifo >= 0 ? &im->files[p->fifo] : NULL;
	char path[4 * CKPT_MAX_PATH + 1];
	size_t lo, hi;

	if (im->json) {
		sub_begin(im, NULL);
		if (f)
			fstr(im, "path", f->path, strlen(f->path));
		fu(im, "id", p->objid);
		fu(im, "capacity", p->capacity);
		fu(im, "bytes", p->data_len);
	} else {
		if (f) {
			text_esc(path, sizeof(path), f->path, strlen(f->path));
			printf("  fifo %s (pipe %u):", path, p->objid);
		} else {
			printf("  pipe %u:", p->objid);
		}
		printf(" capacity %u, ", p->capacity);
		if (p->data_len)
			printf("%u byte%s in flight\n", p->data_len, p->data_len == 1 ? "" : "s");
		else
			printf("empty\n");
	}
	print_holders(im, im->json ? "read" : "read end:", (__u64)i * 4 + 1,
		      "none (closed after restart)");
	print_holders(im, im->json ? "write" : "write end:", (__u64)i * 4 + 2,
		      "none (closed after restart)");
	hold_range(im, (__u64)i * 4 + 3, &lo, &hi);
	if (f && (im->json || lo < hi))
		print_holders(im, im->json ? "read_write" : "read+write:", (__u64)i * 4 + 3,
			      "none");
	sub_end(im);
}

static void print_pipes(struct img *im, int fifos)
{
	size_t i, n = 0;
	int is_fifo;

	if (im->json)
		json_open(im, fifos ? "fifos" : "pipes", '[');
	else
		printf("%s:", fifos ? "fifos" : "pipes");
	for (i = 0; i < im->nr_pipe_ents; i++) {
		is_fifo = im->pipes[i].fifo >= 0;
		if (is_fifo != fifos)
			continue;
		if (!im->json && !n)
			putchar('\n');
		n++;
		print_pipe(im, i);
	}
	if (im->json)
		json_close(im);
	else if (!n)
		printf(" none\n");
}

/* stty(1)-like summary of a terminal's modes */
static void termios_words(__u32 iflag, __u32 oflag, __u32 cflag, __u32 lflag,
			  char words[][12], int *nr)
{
	static const struct {
		int which;		/* 0 iflag, 1 oflag, 3 lflag */
		__u32 bit;
		const char *name;
	} shown[] = {
		{ 3, 0x0002, "icanon" }, { 3, 0x0008, "echo" }, { 3, 0x0001, "isig" },
		{ 3, 0x8000, "iexten" }, { 0, 0x0100, "icrnl" }, { 0, 0x0400, "ixon" },
		{ 1, 0x0001, "opost" }, { 1, 0x0004, "onlcr" },
	};
	__u32 flags[4] = { iflag, oflag, cflag, lflag };
	size_t i;

	*nr = 0;
	for (i = 0; i < ARRAY_SIZE(shown); i++)
		snprintf(words[(*nr)++], 12, "%s%s",
			 flags[shown[i].which] & shown[i].bit ? "" : "-", shown[i].name);
	snprintf(words[(*nr)++], 12, "cs%u", 5 + ((cflag & TTY_CSIZE) >> 4));
}

/* Text: "8 bytes unread (1 line), 3 unprocessed", or "empty" */
static void print_pty_unread(const char *label, __u32 in, __u32 lines, __u32 raw)
{
	printf("    %-11s ", label);
	if (!in && !raw) {
		printf("empty\n");
		return;
	}
	printf("%u byte%s unread", in, in == 1 ? "" : "s");
	if (lines)
		printf(" (%u line%s)", lines, lines == 1 ? "" : "s");
	if (raw)
		printf(", %u unprocessed", raw);
	putchar('\n');
}

static void print_pty(struct img *im, size_t i)
{
	const struct pty_ent *p = &im->ptys[i];
	const struct ckpt_tty_state *st = &p->st;
	const struct ckpt_termios *t = &st->termios;
	int sid_in = in_job_session(im, st->sid), fg_in = in_job_pgrp(im, st->fg_pgrp);
	char words[16][12], name[32];
	int nr, k;

	termios_words(t->iflag, t->oflag, t->cflag, t->lflag, words, &nr);
	snprintf(name, sizeof(name), "pts/%u", p->index);
	if (im->json) {
		sub_begin(im, NULL);
		fu(im, "id", p->objid);
		fword(im, "name", name);
		fs(im, "sid", st->sid);
		fbool(im, "sid_in_job", sid_in);
		fs(im, "fg_pgrp", st->fg_pgrp);
		fbool(im, "fg_pgrp_in_job", fg_in);
		fu(im, "rows", st->ws.row);
		fu(im, "cols", st->ws.col);
		fbool(im, "locked", !!(p->flags & CKPT_PTY_LOCKED));
		fbool(im, "packet", !!(p->flags & CKPT_PTY_PACKET));
		fbool(im, "slave_closed", !!(p->flags & CKPT_PTY_SLAVE_CLOSED));
		json_open(im, "termios", '[');
		for (k = 0; k < nr; k++)
			fword(im, NULL, words[k]);
		json_close(im);
		print_holders(im, "master", pty_key(im, i, 0), "");
		print_holders(im, "slave", pty_key(im, i, 1), "");
		fu(im, "slave_in", p->slave_in);
		fu(im, "slave_lines", p->slave_lines);
		fu(im, "slave_raw", p->slave_raw);
		fu(im, "master_in", p->master_in);
		fu(im, "master_lines", p->master_lines);
		fu(im, "master_raw", p->master_raw);
		sub_end(im);
		return;
	}
	printf("  pty %u (%s): ", p->objid, name);
	if (st->sid)
		printf("session %d (%s the job)", st->sid, sid_in ? "in" : "not in");
	else
		printf("no session");
	if (st->fg_pgrp)
		printf(", foreground group %d (%s the job)", st->fg_pgrp, fg_in ? "in" : "not in");
	printf(", %ux%u", st->ws.row, st->ws.col);
	if (p->flags & CKPT_PTY_LOCKED)
		printf(", locked");
	if (p->flags & CKPT_PTY_PACKET)
		printf(", packet mode");
	if (p->flags & CKPT_PTY_SLAVE_CLOSED)
		printf(", slave closed");
	putchar('\n');
	printf("    termios:   ");
	for (k = 0; k < nr; k++)
		printf(" %s", words[k]);
	putchar('\n');
	print_holders(im, "master:", pty_key(im, i, 0), "none (closed after restart)");
	print_holders(im, "slave:", pty_key(im, i, 1), "none");
	print_pty_unread("to slave:", p->slave_in, p->slave_lines, p->slave_raw);
	print_pty_unread("to master:", p->master_in, p->master_lines, p->master_raw);
}

static void print_ptys(struct img *im)
{
	size_t i;

	if (im->json)
		json_open(im, "ptys", '[');
	else
		printf("ptys:%s\n", im->nr_pty_ents ? "" : " none");
	for (i = 0; i < im->nr_pty_ents; i++)
		print_pty(im, i);
	if (im->json)
		json_close(im);
}

static void print_tty(struct img *im)
{
	const struct ckpt_rec_tty *t = &im->tty;
	const struct ckpt_tty_state *st = &t->tty;
	char words[16][12], name[4 * sizeof(t->name) + 1];
	int nr, i, fg_in = in_job_pgrp(im, st->fg_pgrp);

	if (!im->tty_seen) {
		if (im->json)
			field_fmt(im, "tty", 0, "null");
		else
			printf("terminal: none\n");
		return;
	}
	termios_words(st->termios.iflag, st->termios.oflag, st->termios.cflag,
		      st->termios.lflag, words, &nr);
	if (im->json) {
		json_open(im, "tty", '{');
		fstr(im, "name", t->name, strlen(t->name));
		fs(im, "sid", st->sid);
		fs(im, "fg_pgrp", st->fg_pgrp);
		fbool(im, "fg_pgrp_in_job", fg_in);
		fu(im, "rows", st->ws.row);
		fu(im, "cols", st->ws.col);
		fu(im, "ispeed", st->termios.ispeed);
		fu(im, "ospeed", st->termios.ospeed);
		json_open(im, "termios", '[');
		for (i = 0; i < nr; i++)
			fword(im, NULL, words[i]);
		json_close(im);
		print_holders(im, "fds", ~0ULL, "");
		json_close(im);
		return;
	}
	text_esc(name, sizeof(name), t->name, strlen(t->name));
	printf("terminal: %s, session %d, ", name[0] ? name : "(no name)", st->sid);
	if (st->fg_pgrp)
		printf("foreground group %d (%s the job)", st->fg_pgrp, fg_in ? "in" : "not in");
	else
		printf("no foreground group");
	printf(", %ux%u, %u baud\n", st->ws.row, st->ws.col, st->termios.ospeed);
	printf("    termios:   ");
	for (i = 0; i < nr; i++)
		printf(" %s", words[i]);
	putchar('\n');
	print_holders(im, "held by:", ~0ULL, "no descriptor");
}

static void print_processes(struct img *im, const __u32 *order)
{
	char state[160], comm[4 * 16 + 1];
	__u32 i, k, d;
	int w = 5;

	if (im->json) {
		json_open(im, "processes", '[');
		for (k = 0; k < im->nr_task_ents; k++) {
			const struct task_ent *t = &im->tasks[order[k]];

			sub_begin(im, NULL);
			fs(im, "pid", t->pid);
			fs(im, "ppid", t->ppid);
			fs(im, "pgid", t->pgid);
			fs(im, "sid", t->sid);
			fstr(im, "comm", t->comm, strnlen(t->comm, sizeof(t->comm)));
			fu(im, "depth", t->depth);
			if (t->parent >= 0)
				fs(im, "parent", im->tasks[t->parent].pid);
			else
				field_fmt(im, "parent", 0, "null");
			fu(im, "nr_threads", t->nr_threads);
			fbool(im, "zombie", !!(t->flags & CKPT_TASK_ZOMBIE));
			fbool(im, "stopped", !!(t->flags & CKPT_TASK_STOPPED));
			fbool(im, "ctty", !!(t->flags & CKPT_TASK_CTTY));
			fbool(im, "subreaper", !!(t->flags & CKPT_TASK_SUBREAPER));
			fbool(im, "session_leader", t->sid == t->pid);
			fbool(im, "group_leader", t->pgid == t->pid);
			if (t->flags & CKPT_TASK_ZOMBIE) {
				wait_status_str(t->exit_code, state, sizeof(state));
				fs(im, "exit_code", t->exit_code);
				fword(im, "exit", state);
			} else {
				field_fmt(im, "exit_code", 0, "null");
				field_fmt(im, "exit", 0, "null");
			}
			json_open(im, "threads", '[');
			for (i = 0; i < t->threads; i++) {
				const struct thread_ent *th = &im->threads[t->first_thread + i];

				sub_begin(im, NULL);
				fs(im, "tid", th->tid);
				fstr(im, "comm", th->comm, strnlen(th->comm, sizeof(th->comm)));
				fx(im, "ip", th->ip);
				fx(im, "sp", th->sp);
				if (th->rb.kind == CKPT_RESTART_NONE) {
					field_fmt(im, "restart", 0, "null");
				} else {
					json_open(im, "restart", '{');
					fword(im, "kind", restart_kinds[th->rb.kind]);
					fs(im, "clockid", th->rb.clockid);
					fs(im, "remaining_ns", th->rb.remaining_ns);
					restart_str(&th->rb, state, sizeof(state));
					fword(im, "summary", state);
					json_close(im);
				}
				sub_end(im);
			}
			json_close(im);
			sub_end(im);
		}
		json_close(im);
		return;
	}

	if (!im->nr_task_ents) {
		printf("processes: none\nthreads: none\n");
		return;
	}
	for (k = 0; k < im->nr_task_ents; k++) {
		task_state(im, &im->tasks[k], state, sizeof(state));
		if ((int)strlen(state) > w)
			w = (int)strlen(state);
	}
	printf("processes:\n%8s %8s %8s %8s %7s  %-*s  %s\n", "PID", "PPID", "PGID", "SID",
	       "THREADS", w, "STATE", "COMMAND");
	for (k = 0; k < im->nr_task_ents; k++) {
		const struct task_ent *t = &im->tasks[order[k]];

		task_state(im, t, state, sizeof(state));
		text_esc(comm, sizeof(comm), t->comm, strnlen(t->comm, sizeof(t->comm)));
		printf("%8d %8d %8d %8d %7u  %-*s  ", t->pid, t->ppid, t->pgid, t->sid,
		       t->nr_threads, w, state);
		d = t->depth < MAX_TREE_INDENT ? t->depth : MAX_TREE_INDENT;
		if (d)
			printf("%*s\\_ ", (int)(d - 1) * 3, "");
		printf("%s\n", comm);
	}

	printf("threads:\n%8s %8s  %-18s  %-18s  %-16s  %s\n", "PID", "TID", "IP", "SP", "COMM",
	       "RESTART");
	for (k = 0; k < im->nr_task_ents; k++) {
		const struct task_ent *t = &im->tasks[order[k]];

		for (i = 0; i < t->threads; i++) {
			const struct thread_ent *th = &im->threads[t->first_thread + i];

			text_esc(comm, sizeof(comm), th->comm, strnlen(th->comm, sizeof(th->comm)));
			restart_str(&th->rb, state, sizeof(state));
			printf("%8d %8d  0x%016llx  0x%016llx  %-16s  %s\n", t->pid, th->tid,
			       th->ip, th->sp, comm, state);
		}
	}
}

/* After the records: the job as a whole */
static void print_job(struct img *im)
{
	__u32 scope = im->hdr.flags & CKPT_SCOPE_MASK, i, zombies = 0, stopped = 0;
	__u32 *order;

	if (!im->tasks) {
		if (im->json)
			field_fmt(im, "job", 0, "null");
		return;
	}
	build_tree(im);
	sort_holds(im);
	order = tree_order(im);
	if (!order) {
		fprintf(stderr, "ckptinfo: out of memory\n");
		if (im->json)
			field_fmt(im, "job", 0, "null");
		return;
	}
	for (i = 0; i < im->nr_task_ents; i++) {
		zombies += !!(im->tasks[i].flags & CKPT_TASK_ZOMBIE);
		stopped += !!(im->tasks[i].flags & CKPT_TASK_STOPPED);
	}
	if (im->json) {
		json_open(im, "job", '{');
		fword(im, "scope", scopes[scope >> 2]);
		fs(im, "root_pid", im->hdr.root_pid);
		fu(im, "nr_processes", im->nr_task_ents);
		fu(im, "nr_threads", im->nr_thread_ents);
		fu(im, "zombies", zombies);
		fu(im, "stopped", stopped);
		fbool(im, "complete", im->tasks_done == im->hdr.nr_tasks);
	} else {
		printf("\njob: scope=%s root_pid=%d processes=%u threads=%zu ",
		       scopes[scope >> 2], im->hdr.root_pid, im->nr_task_ents,
		       im->nr_thread_ents);
		printf("zombies=%u stopped=%u%s\n",
		       zombies, stopped,
		       im->tasks_done == im->hdr.nr_tasks ? "" : " (incomplete: decoding stopped)");
	}
	print_processes(im, order);
	print_pipes(im, 0);
	print_pipes(im, 1);
	print_ptys(im);
	print_tty(im);
	if (im->json)
		json_close(im);
	free(order);
}

static void print_summary(struct img *im, int ok)
{
	char sum[2 * CKPT_SHA256_DIGEST_SIZE + 1];

	hexstr(im->sum, sum);
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
		if (im->sum_ok >= 0)
			fword(im, "sha256", sum);
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
		printf("sha256: %s ok\n", sum);
	else if (im->sum_ok == 0)
		printf("sha256: MISMATCH (computed %s)\n", sum);
	else if (!im->verify)
		printf("sha256: not verified (--no-verify)\n");
	else
		printf("sha256: not verified (no trailer)\n");
	if (ok)
		printf("result: ok\n");
	else if (im->failed)
		printf("result: malformed image: %s\n", im->err);
	else if (!im->len_ok)
		printf("result: total_len mismatch\n");
	else
		printf("result: checksum mismatch\n");
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
	ckpt_sha256_init(&im.sha);

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
