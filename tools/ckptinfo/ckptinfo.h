/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckptinfo: what the parts of the decoder share.
 *
 *   main.c      reading the image, the order of records, the summary, main()
 *   check.c     bad() and the checks every record makes, object id maps
 *   output.c    text and JSON output, names of records and signals
 *   job.c       the view of the whole job after the records
 *
 * and one file per kind of state, each decoding its records and showing
 * its part of the job: header.c, task.c, cred.c, rlimits.c, fs.c, mm.c,
 * share.c, unlinked.c, sysvshm.c, signal.c, ckptsig.c, ptimer.c, files.c,
 * pipe.c, tty.c, eventfd.c, signalfd.c, timerfd.c, epoll.c, inotify.c,
 * unix.c, lock.c, thread.c, sched.c, acct.c, trailer.c.
 *
 * A record type is decoded by its entry in rec_ops[] (main.c); a kind of
 * open file is checked by its entry in file_kinds_ops[] (files.c).  So a
 * new kind of object is a file with its decoder (declared below) and its
 * rec_ops[] entry, saying in which states of the decoder it may come; a
 * new kind of open file is a file_kinds_ops[] entry, with hooks in the
 * file of the object its ref_id names, if it names one.
 */
#ifndef CKPTINFO_H
#define CKPTINFO_H

#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>
#include <linux/checkpoint.h>

/* the trailer's digests: libxxhash (its state on the stack) and libmd */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#include "md_sha256.h"

#define TEXT_WIDTH	100	/* wrap text output here */
#define TEXT_INDENT	31	/* column where decoded fields start */
#define MAX_NSIG	64	/* signal masks in the image are 64 bits */
#define JSON_DEPTH	16

#define SIGKILL_NR	9
#define SIGSTOP_NR	19
#define SIG_CKPT_NR	3	/* the SIG_CKPT disposition, as a handler value */
#define SIG_CKPT_KILL_NR 4	/* SIG_CKPT_KILL */
#define PID_MAX_LIMIT	4194304	/* the highest pid_max (64-bit) */
#define O_ACCMODE_BITS	00000003
#define TTY_CSIZE	0x30
#define PIPE_DATA_SHOWN	32	/* bytes of a pipe's contents shown */
#define ACCT_TIMES	4	/* utime, stime, gtime, runtime */
#define DIGEST_SIZE	32	/* ckpt_rec_trailer.value: SHA-256, or xxh64 and zeroes */
#define XXH64_SIZE	8	/* the bytes of value an xxh64 digest uses */
#define DIGEST_HEX	(2 * DIGEST_SIZE + 1)	/* a digest in hex, terminator included */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1U << (n))

/* Built with -D'__printf(a, b)=...' for format checking, if wanted */
#ifndef __printf
#define __printf(...)
#endif

struct flag_name {
	__u64 bit;
	const char *name;
};

/* Where the decoder is in the image: what may come next */
enum state {
	ST_HEADER,	/* HEADER */
	ST_FIRST,	/* TTY or the first TASK */
	ST_TASK,	/* TASK, or TRAILER once nr_tasks have been seen */
	ST_CRED,
	ST_RLIMITS,
	ST_SHARES,	/* SHARES or FS */
	ST_FS,
	ST_MM,
	ST_VMA,		/* nr_vmas VMA records, each after any UNLINKED or SYSVSHM */
	ST_PAGES,	/* PAGES, or SIGHAND */
	ST_UPAGES,	/* the PAGES of an UNLINKED or SYSVSHM record */
	ST_CKPTSIG,	/* the process's CKPTSIG record, after SIGHAND */
	ST_TIMERS,
	ST_PTIMERS,	/* POSIX_TIMERS, as TIMERS announced */
	ST_FILES,	/* FILE, FD, an object record, LOCKS, or the first THREAD */
	ST_XSTATE,
	ST_SIGNAL,
	ST_SIGINFO,	/* nr_siginfo SIGINFO records */
	ST_SCHED,	/* the thread's SCHED record */
	ST_ACCT,	/* the thread's ACCT record, its last; a zombie's only one */
	ST_THREAD,	/* THREAD of the next thread */
	ST_END,		/* TASK_END */
	ST_DONE,	/* after the trailer: end of input */
};

/* A VMA record, kept until the pages that follow it have been counted */
struct vma_ent {
	__u64 off;
	__u32 len;
	__u64 start, end, pgoff, vm_flags;
	__u32 kind, prot, flags, objid;
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
	__s32 files_of, fs_of;	/* SHARES: whose file table, fs_struct; or 0 */
	long parent;		/* index of its parent in the job, or -1 */
	long child, sibling;	/* first child, next sibling, or -1 */
	__u32 depth;
	__u32 accts;		/* ACCT records seen */
	/* their utime, stime, gtime, runtime: self + exited, summed */
	__u64 acct_ns[ACCT_TIMES];
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
	__u64 key;		/* sort key: see file_hold_key() */
};

struct pipe_ent {
	__u64 off;
	__u32 objid, capacity, data_len;
	long fifo;		/* index of a FIFO file on it, or -1 */
	__u32 kind;		/* CKPT_FILE_PIPE or _FIFO once a FILE is on it, or 0 */
};

/* An UNLINKED record, kept for its output and the checks of its pages */
struct unlinked_ent {
	__u64 off;
	__u32 len;
	__u32 objid, kind, mode, seals;
	__u64 size, nr_pages;
	char *path;		/* NULL: none */
};

/* A SYSVSHM record, kept for its output and the checks of its pages */
struct sysvshm_ent {
	__u64 off;
	__u32 len;
	struct ckpt_rec_sysvshm r;
	__u32 nr_attached;	/* processes that attach it, for the job view */
	__s32 attached[8];	/* the first of them */
	__s32 last_attached;	/* the last of them */
};

/*
 * A record whose output waits for the VMA records around it: see
 * unlinked.c.  UNLINKED: @idx in img.unlinked; SYSVSHM: @idx in
 * img.sysvshms; PAGES: @addr, @nr, and @owner (UNLINKED or SYSVSHM) and
 * @idx the record whose contents they are
 */
struct held_rec {
	__u64 off;
	__u32 len, type;
	__u32 idx, nr, owner;
	__u64 addr;
};

/*
 * A UNIX record, kept for the checks restart makes once every socket is
 * back: its peer, and the senders of its messages
 */
struct unix_ent {
	__u64 off;
	__u32 objid, peer_id, flags;
	__u16 type;
	__u8 state;
	__u8 by_name;		/* a datagram can be sent to it by its name */
	size_t first_sender;	/* its messages' sender_id in img.unix_senders */
	__u32 nr_msgs;
};

/*
 * A POSIX timer of the process being decoded that signals or times one
 * of its threads, kept until its THREAD records have been seen
 */
struct ptimer_ent {
	__u32 nr;		/* the timer's place in its record, from 1 */
	__s32 tid, cpu_tid;
};

/*
 * A FILE record of an image taken with CKPT_FILE_LOCKS, kept for the
 * descriptors that locks are taken back through (lock.c)
 */
struct lockfile_ent {
	__u32 objid, kind, mode, ref_id;
	char *path;		/* a file opened by path: its path; else NULL */
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
	/* the digest the header names, of the bytes from the header on */
	union {
		XXH64_state_t xxh64;
		SHA2_CTX sha256;
	} hash;
	__u64 rec_off;		/* current record */
	__u32 rec_type, rec_len;
	__u8 *buf;
	size_t buf_size;
	/* at the TRAILER: the digest of the bytes before it, as value holds it */
	__u8 digest[DIGEST_SIZE];

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
	int mm_exe;			/* an exe path, or a mapping flagged exe */
	__u8 *fdmap;			/* CKPT_MAX_FILES bits */
	struct idset objids, inherit;
	__s32 files_of, fs_of;		/* its SHARES record's, or 0 */
	__u32 nr_posix;			/* its TIMERS record's */
	__u64 ptimers_off;		/* its POSIX_TIMERS record */
	struct ptimer_ent *ptimers;
	size_t nr_ptimer_ents, ptimers_size;
	struct idset fd_objids;		/* with CKPT_FILE_LOCKS: its fd + 1 -> objid */

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
	struct unlinked_ent *unlinked;
	size_t nr_unlinked_ents, unlinked_size;
	struct sysvshm_ent *sysvshms;
	size_t nr_sysvshm_ents, sysvshms_size;
	struct unix_ent *unixes;
	size_t nr_unix_ents, unixes_size;
	struct lockfile_ent *lockfiles;	/* objid -> index: lockfile_idx */
	size_t nr_lockfile_ents, lockfiles_size;
	struct idset lockfile_idx;
	struct idset file_kinds;	/* FILE objid -> its kind */
	__u32 *unix_senders;
	size_t nr_unix_senders, unix_senders_size;
	/*
	 * ST_UPAGES: the record whose pages come (UNLINKED: its unlinked[]
	 * index; SYSVSHM: its sysvshms[] index), how many are left, the offset
	 * the next may start at, the state after
	 */
	__u32 uowner, ucur;
	__u64 upages_left, unext;
	enum state ust_ret;
	struct held_rec *held;		/* UNLINKED and its PAGES among held VMAs */
	size_t nr_held, held_size, held_next;
	struct idset tids;		/* pid or tid -> task index */
	/*
	 * Object id -> index in the table of its record type: PIPE pipes[],
	 * PTY ptys[], UNLINKED unlinked[], SYSVSHM sysvshms[], UNIX unixes[];
	 * FILE files[] index
	 * + 1, or 0 for a kind not kept there; 0 for the event records
	 */
	struct idset objidx[CKPT_REC_MAX];
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
	struct ckpt_rec_trailer trailer;

	/* output */
	int col;			/* text: current column */
	int depth;			/* json: open containers */
	char jtype[JSON_DEPTH];
	int jfirst[JSON_DEPTH];
};

/*
 * How a record type is decoded: the function that checks and prints the
 * record in im->buf and moves im->st on, returning 0, or -1 once bad()
 * has said what is wrong; and the states (BIT(ST_*)) the record may come
 * in.  The table of them is rec_ops[] in main.c.
 */
struct rec_ops {
	__u32 type;			/* enum ckpt_rec_type */
	int (*decode)(struct img *im);
	__u32 states;
};

/* check.c: errors and the checks records share */
int bad(struct img *im, const char *fmt, ...) __printf(2, 3);
int nomem(struct img *im);
int check_len(struct img *im, __u64 want, const char *why);
int check_min(struct img *im, size_t fixed);
int check_reserved(struct img *im, const void *p, size_t size);
int check_str(struct img *im, const char *what, const char *s, __u32 len, int may_be_empty);
int check_cstr(struct img *im, const char *what, const char *s, size_t size);
int claim_objid(struct img *im, __u32 objid);
int idset_put(struct idset *s, __u32 id, __u32 val);
int idset_add(struct idset *s, __u32 id);
int idset_get(const struct idset *s, __u32 id, __u32 *val);
int idset_has(const struct idset *s, __u32 id);
int grow(void **arr, size_t nr, size_t *size, size_t elem);
void *new_entry(void **arr, size_t *nr, size_t *size, size_t elem, struct idset *idx,
		__u32 objid);

/* output.c: names, and text or JSON output */
const char *rec_name(__u32 type);
const char *sig_name(__u32 sig, char *buf, size_t size);
void json_open(struct img *im, const char *key, char type);
void json_close(struct img *im);
void text_field(struct img *im, const char *s, int len);
void text_break(struct img *im);
void field_fmt(struct img *im, const char *key, int json_quote, const char *fmt, ...)
	__printf(4, 5);
void fu(struct img *im, const char *key, __u64 v);
void fs(struct img *im, const char *key, __s64 v);
void fx(struct img *im, const char *key, __u64 v);
void fns(struct img *im, const char *key, __u64 ns);
void fword(struct img *im, const char *key, const char *word);
void fid(struct img *im, const char *key, __u32 v);
void fbool(struct img *im, const char *key, int v);
void fstr(struct img *im, const char *key, const char *s, size_t n);
void fflags(struct img *im, const char *key, __u64 v, const struct flag_name *names);
void fsigset(struct img *im, const char *key, __u64 mask);
void fulist(struct img *im, const char *key, const __u32 *v, __u32 nr);
void sub_begin(struct img *im, const char *label);
void sub_end(struct img *im);
void list_begin(struct img *im, const char *key);
void list_end(struct img *im);
void rec_begin(struct img *im, __u64 off, __u32 type, __u32 len);
void rec_end(struct img *im);
void text_esc(char *out, size_t size, const char *s, size_t n);
void hexstr(const __u8 *d, size_t n, char *out);

/* job.c: the view of the whole job, after the records */
void print_job(struct img *im);
void print_holders(struct img *im, const char *label, __u64 key, const char *none);
void hold_range(struct img *im, __u64 key, size_t *lo, size_t *hi);

/*
 * The kinds of state: the decoders of their record types (for rec_ops[]),
 * the hooks of the file kinds on their objects (for file_kinds_ops[]: @ref
 * is the index of the object the file's ref_id names, in the table of its
 * record type), and their parts of the job view.
 */

/* header.c */
extern const char *const scopes[];
int decode_header(struct img *im);

/* task.c */
int decode_task(struct img *im);
int decode_task_end(struct img *im);
void wait_status_str(__s32 st, char *buf, size_t size);

/* cred.c, rlimits.c, fs.c */
int decode_cred(struct img *im);
int decode_rlimits(struct img *im);
int decode_fs(struct img *im);

/* share.c */
int decode_shares(struct img *im);
void files_begin(struct img *im);

/* mm.c */
int decode_mm(struct img *im);
int decode_vma(struct img *im);
int decode_pages(struct img *im);
int mm_end(struct img *im);
void flush_mm(struct img *im);

/* unlinked.c */
int decode_unlinked(struct img *im);
int decode_unlinked_pages(struct img *im);
int show_mm_rec(struct img *im, __u32 type, __u32 idx, __u64 addr, __u32 nr);
void flush_unlinked(struct img *im, __u64 before);
void contents_begin(struct img *im, __u32 owner, __u32 idx, __u64 nr_pages);

/* sysvshm.c */
int decode_sysvshm(struct img *im);
void print_sysvshm(struct img *im, __u32 idx);
void attach_sysvshm(struct img *im, __u32 objid);
void print_sysvshms(struct img *im);

/* signal.c */
int decode_sighand(struct img *im);
int decode_timers(struct img *im);
int decode_signal(struct img *im);
int decode_siginfo(struct img *im);
int decode_sched(struct img *im);

/* ckptsig.c */
int decode_ckptsig(struct img *im);

/* acct.c */
int decode_acct(struct img *im);
int acct_cpu_time(const struct task_ent *t, __u64 *ns);

/* ptimer.c */
int decode_posix_timers(struct img *im);
int ptimer_check_threads(struct img *im);

/* files.c */
extern const struct flag_name open_flags[];
int decode_file(struct img *im);
int decode_fd(struct img *im);
__u32 acc_mode(__u32 mode);
const char *acc_mode_name(__u32 acc);
const char *mode_name(__u32 mode);
int check_file_mode(struct img *im, const struct ckpt_rec_file *f);
__u64 file_hold_key(struct img *im, const struct file_ent *f);
const char *file_not_in_flight(struct img *im, __u32 objid);

/* pipe.c */
int decode_pipe(struct img *im);
int pipe_file_check(struct img *im, const struct ckpt_rec_file *f);
int pipe_file_link(struct img *im, const struct ckpt_rec_file *f, __u32 ref);
int pipe_file_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		     struct file_ent *e);
int fifo_file_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		     struct file_ent *e);
__u64 pipe_hold_key(struct img *im, const struct file_ent *f);
void print_pipes(struct img *im, int fifos);

/* tty.c */
int decode_tty(struct img *im);
int decode_pty(struct img *im);
int pty_master_link(struct img *im, const struct ckpt_rec_file *f, __u32 ref);
int pty_master_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		      struct file_ent *e);
__u64 pty_master_hold_key(struct img *im, const struct file_ent *f);
__u64 pty_slave_hold_key(struct img *im, const struct file_ent *f);
int ctty_link(struct img *im, const struct ckpt_rec_file *f, __u32 ref);
__u64 ctty_hold_key(struct img *im, const struct file_ent *f);
void print_ptys(struct img *im);
void print_tty(struct img *im);

/* eventfd.c, signalfd.c, timerfd.c, epoll.c, inotify.c */
int decode_eventfd(struct img *im);
int decode_signalfd(struct img *im);
int decode_timerfd(struct img *im);
int decode_epoll(struct img *im);
int decode_inotify(struct img *im);

/* unix.c */
int decode_unix(struct img *im);
int unix_check_links(struct img *im);

/* lock.c */
int decode_locks(struct img *im);
int lock_note_file(struct img *im, const struct ckpt_rec_file *f);
int lock_note_fd(struct img *im, const struct ckpt_rec_fd *d);
void lock_task_begin(struct img *im);

/* thread.c */
extern const char *const restart_kinds[];
int decode_thread(struct img *im);
int decode_xstate(struct img *im);
void thread_done(struct img *im);
void restart_str(const struct ckpt_restart_block *rb, char *buf, size_t size);
const char *clock_name(__s32 clockid, char *buf, size_t size);

/* trailer.c */
const char *digest_name(__u32 alg);
void digest_begin(struct img *im, const void *pad, size_t padlen);
void digest_update(struct img *im, const void *p, size_t n);
void digest_final(struct img *im);
const char *digest_computed(struct img *im, char *out);
int decode_trailer(struct img *im);
void check_trailer(struct img *im);

#endif /* CKPTINFO_H */
