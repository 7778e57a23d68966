/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the checkpoint/restart subsystem.
 *
 * One kind of state lives in one file, with one writer (ckpt_write_*)
 * used at checkpoint time and one reader (ckpt_read_*) used at restart.
 * Writers run in the checkpointer's context with the target frozen;
 * readers run in the context of the task being restored, which rebuilds
 * itself from the stream.
 */
#ifndef _KERNEL_CHECKPOINT_INTERNAL_H
#define _KERNEL_CHECKPOINT_INTERNAL_H

#include <crypto/sha2.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xxhash.h>
#include <uapi/linux/checkpoint.h>

struct ckpt_digest_chunk;
struct shash_desc;
struct ckpt_pty;
struct tty_struct;

/**
 * struct ckpt_file_use - checkpoint: an open file of the job
 * @file:	the open file description (not referenced: the frozen job's
 *		descriptors hold it)
 * @refs:	descriptors of the job on it
 * @outside:	something outside the job holds it (pipes, sockets)
 * @id:		the id of the object it is on, if its kind gives one early
 *		(unix sockets)
 */
struct ckpt_file_use {
	struct file *file;
	unsigned int refs;
	bool outside;
	u32 id;
};

/**
 * struct ckpt_file_uses - checkpoint: a table of open files of the job
 * @v:		the entries
 * @nr:		how many
 * @max:	room in @v
 */
struct ckpt_file_uses {
	struct ckpt_file_use *v;
	unsigned int nr, max;
};

/*
 * Kinds of objects in the object table.  An object that a record of type
 * CKPT_REC_x describes (a pipe, a pty) has kind CKPT_REC_x; an open file
 * has kind CKPT_OBJ_FILE, and a standard descriptor saved as the
 * restarter's own (CKPT_FILE_INHERIT) CKPT_OBJ_INHERITED.  Ids are shared
 * by all kinds: a lookup names the kind it expects, so that an image
 * cannot make one kind of object pass for another.
 */
enum ckpt_obj_kind {
	CKPT_OBJ_FILE		= CKPT_REC_FILE,
	CKPT_OBJ_INHERITED	= CKPT_REC_MAX,
};

/* Object table: gives shared kernel objects an id within one image */
struct ckpt_obj {
	struct hlist_node by_ptr;
	struct hlist_node by_id;
	void *ptr;
	u32 id;
	u32 kind;
	void (*release)(void *ptr);
};

struct ckpt_objhash {
	DECLARE_HASHTABLE(by_ptr, 8);
	DECLARE_HASHTABLE(by_id, 8);
	u32 next_id;
};

/**
 * struct ckpt_rthread - restart: one thread being restored
 * @rec:	its CKPT_REC_THREAD
 * @xstate:	its CKPT_REC_XSTATE payload
 * @sig:	its CKPT_REC_SIGNAL
 * @siginfo:	its queued signals (the leader's include the process's)
 * @sched:	its CKPT_REC_SCHED
 * @acct:	its CKPT_REC_ACCT
 * @task:	the thread, once created (referenced)
 * @proc:	its process
 */
struct ckpt_rthread {
	struct ckpt_rec_thread rec;
	void *xstate;
	struct ckpt_rec_signal sig;
	struct ckpt_rec_siginfo *siginfo;
	struct ckpt_rec_sched sched;
	struct ckpt_rec_acct acct;
	struct task_struct *task;
	struct ckpt_rproc *proc;
};

/**
 * struct ckpt_rproc - restart: one process being restored
 * @ctx:	the restart context
 * @rec:	its CKPT_REC_TASK
 * @nr:		its PID now (differs from @rec.pid only with RESTART_NEW_PIDS)
 * @task:	its leader, once created (referenced)
 * @threads:	its @rec.nr_threads threads, the leader first
 * @cred:	its credentials, for its other threads to commit
 * @done:	the process has read its part of the stream
 * @err:	and the result
 * @threads_done: one of its other threads is ready
 * @thread_err:	the first error of its other threads
 * @sid:	tree.c: the session to put it in, or NULL
 * @pgrp:	tree.c: the process group to put it in, or NULL
 * @stdio:	the restarter's descriptors 0 and 1, for CKPT_FILE_CTTY
 *		when the restarter has no controlling terminal
 * @timers:	its CKPT_REC_TIMERS
 * @ptimers:	its CKPT_REC_POSIX_TIMERS, until its timers are recreated
 * @rlimits:	its CKPT_REC_RLIMITS, until its threads are created
 * @exe:	its deleted executable (read-only), until it is made
 *		/proc/PID/exe on the way back to user mode
 */
struct ckpt_rproc {
	struct ckpt_ctx *ctx;
	struct ckpt_rec_task rec;
	pid_t nr;
	struct task_struct *task;
	struct ckpt_rthread *threads;
	struct cred *cred;
	struct completion done;
	int err;
	struct completion threads_done;
	int thread_err;
	struct pid *sid;
	struct pid *pgrp;
	struct file *stdio[2];
	struct ckpt_rec_timers timers;
	struct ckpt_rec_posix_timers *ptimers;
	struct ckpt_rec_rlimits *rlimits;
	struct file *exe;
	int notify;
};

/* Bytes of a digest's value in the trailer (the largest, SHA-256's). */
#define CKPT_DIGEST_MAX		32

/**
 * struct ckpt_digest - the image's digest, kept along the stream
 * @alg:	CKPT_HASH_*, 0 until ckpt_digest_start()
 * @failed:	bytes were lost (no memory before the start): no digest
 * @xxh:	xxh64's state, owned by the work item while @busy
 * @sha:	SHA-256's, likewise
 * @work:	hashes @queue in order
 * @lock:	protects @queue and @busy
 * @queue:	chunks of the stream not hashed yet
 * @busy:	@work is queued or running
 * @abort:	drop the queue without hashing it
 * @idle:	woken when @busy goes false
 * @stage:	bytes gathered into the next chunk (producer only)
 */
struct ckpt_digest {
	u32 alg;
	bool failed;
	struct xxh64_state xxh;
	struct shash_desc *sha;
	struct work_struct work;
	spinlock_t lock;		/* protects @queue and @busy */
	struct list_head queue;
	bool busy;
	bool abort;
	wait_queue_head_t idle;
	struct ckpt_digest_chunk *stage;
};

/**
 * struct ckpt_acct_base - what a restored thread had used before this run
 * @next:	the process's next restored thread's
 * @pid:	the thread's struct pid, referenced
 * @used:	its counters from the image
 */
struct ckpt_acct_base {
	struct ckpt_acct_base *next;
	struct pid *pid;
	struct ckpt_acct_counters used;
};

/**
 * struct ckpt_member - a process of the job being checkpointed
 * @task:	its leader, referenced
 * @parent:	its parent's leader, only ever compared, never dereferenced
 * @pid:	its pid in the checkpointer's PID namespace
 * @ppid:	its parent's
 * @pgid:	its process group's
 * @sid:	its session's
 * @reaper:	it is the init process of its PID namespace
 *
 * The ids are read when the process is collected, under tasklist_lock,
 * while it is still in the tree.  A zombie member whose parent is not
 * part of the job can be reaped at any moment after that (its pids then
 * read as 0, and its parent may be gone): nothing reads them from the
 * task again.
 */
struct ckpt_member {
	struct task_struct *task;
	struct task_struct *parent;
	pid_t pid, ppid, pgid, sid;
	bool reaper;
};

/**
 * struct ckpt_ctx - one checkpoint or restart operation
 * @file:	the image stream
 * @fpos:	stream position for seekable files
 * @ppos:	&fpos, or NULL for streams (pipes, sockets)
 * @offset:	bytes of the image written or read so far
 * @digest:	SHA-256 of those bytes (digest.c)
 * @log:	where reasons for failures and warnings go, or NULL
 * @subject:	PID that log lines are about (0: none)
 * @err_logged:	a reason has been logged for the current error
 * @log_held:	log lines are kept back (ckpt_log_hold())
 * @held_line:	the first of them
 * @objs:	shared objects and their ids
 * @hdr:	the image header (restart) or the one being written
 * @next:	restart: header of the next record, if already read
 * @have_next:	restart: @next is valid
 * @flags:	checkpoint(2) or restart(2) flags
 * @members:	checkpoint: the job's processes, in image order once the
 *		barrier is closed
 * @nr_members:	checkpoint: how many
 * @frozen:	checkpoint: every thread the barrier froze (referenced)
 * @nr_frozen:	checkpoint: how many
 * @max_frozen:	checkpoint: room in @frozen
 * @tty:	checkpoint: the job's controlling terminal (referenced)
 * @pipes:	checkpoint: pipe files of the job and their descriptors
 * @socks:	checkpoint: unix socket files of the job, with their ids
 * @ptys:	checkpoint: ptys whose master the job holds
 * @nr_ptys:	checkpoint: how many
 * @refs:	restart: the context is shared with the tasks being restored
 * @go:		restart: the restarter lets the tasks run (or die)
 * @zgo:	restart: the restarter lets the zombies exit
 * @abort:	restart: the tasks must exit instead of running
 * @procs:	restart: the processes, in image order
 * @nr_procs:	restart: how many have been started
 * @cur:	restart: the process reading the stream
 * @new_pids:	restart: group and session ids allocated by tree.c
 * @nr_new_pids: restart: how many
 * @ctty:	restart: the restarter's /dev/tty, if it has a terminal
 * @ttyrec:	restart: the job's CKPT_REC_TTY
 * @have_tty:	restart: @ttyrec is valid
 * @tty_warned:	restart: the log says the terminal is replaced
 * @rptys:	restart: the ptys recreated (struct ckpt_rpty)
 * @repolls:	restart: epoll sets whose items are not added yet
 * @rsocks:	restart: the unix sockets recreated (struct ckpt_rsock)
 * @spooling:	checkpoint: a copy-on-write checkpoint's first pass: the
 *		stream goes to @spool (cow.c)
 * @spool:	checkpoint: the stream so far (struct ckpt_spool_chunk)
 * @spool_bytes: checkpoint: bytes in @spool
 */
struct ckpt_ctx {
	struct file *file;
	loff_t fpos;
	loff_t *ppos;
	u64 offset;
	struct ckpt_digest digest;
	struct file *log;
	pid_t subject;
	bool err_logged;
	bool log_held;
	char *held_line;
	struct ckpt_objhash objs;
	struct ckpt_rec_header hdr;

	struct ckpt_hdr next;
	bool have_next;
	unsigned int flags;

	struct ckpt_member *members;
	unsigned int nr_members;
	struct task_struct **frozen;
	unsigned int nr_frozen;
	unsigned int max_frozen;
	struct tty_struct *tty;
	struct ckpt_file_uses pipes;
	struct ckpt_file_uses socks;
	struct ckpt_pty *ptys;
	unsigned int nr_ptys;

	refcount_t refs;
	struct completion go;
	struct completion zgo;
	bool abort;
	struct ckpt_rproc *procs;
	unsigned int nr_procs;
	struct ckpt_rproc *cur;
	struct pid **new_pids;
	unsigned int nr_new_pids;
	struct file *ctty;
	struct ckpt_rec_tty ttyrec;
	bool have_tty;
	bool tty_warned;
	struct list_head rptys;
	struct list_head repolls;
	struct list_head rsocks;

	bool unprivileged;
	struct ckpt_sigreq *sigreq;
	int klog_sig;
	struct task_struct **notified;
	unsigned int nr_notified;

	bool spooling;
	struct list_head spool;
	size_t spool_bytes;
};

/**
 * struct ckpt_wfile - checkpoint: an open file being written
 * @task:	the process whose descriptors are being written
 * @file:	the file
 * @fd:		a descriptor of the job on it, for log lines
 * @rec:	its CKPT_REC_FILE; files.c fills in the id, flags and mode
 * @path:	the path the record carries, or NULL
 * @buf:	PATH_MAX bytes for @path
 */
struct ckpt_wfile {
	struct task_struct *task;
	struct file *file;
	unsigned int fd;
	struct ckpt_rec_file rec;
	const char *path;
	char *buf;
};

/**
 * struct ckpt_file_ops - one kind of open file
 * @name:	what the kind is called in log lines
 * @kinds:	the CKPT_FILE_* kinds of its file records, as BIT(kind)
 * @path_kinds:	those of @kinds whose records carry a path
 * @obj_rec:	the type of the record (CKPT_REC_PIPE...) of the object
 *		that its file records name by ref_id, or 0 for none
 * @in_flight:	a file of this kind can be saved while it is in flight
 *		(SCM_RIGHTS) on a unix socket of the job, where no
 *		descriptor is on it: @write does not depend on the
 *		descriptor or the process it is given
 * @scan:	checkpoint, optional: with the job frozen and before
 *		anything is written, find the job's objects of this kind
 *		and check that the job alone holds them
 * @release:	checkpoint, optional: drop what @scan found, whether or
 *		not the checkpoint succeeded
 * @owns:	checkpoint: is this file of this kind?
 * @write:	checkpoint: fill in the kind, position, size, ref_id and
 *		path of the file's record; the first time the object of
 *		@obj_rec it is on is met, give the object an id and write
 *		its record
 * @read:	restart: read a record of type @obj_rec, and put what it
 *		rebuilt in the object table, of kind @obj_rec
 * @open:	restart: the file of a file record (its kind one of
 *		@kinds, its path checked), referenced; NULL for a
 *		descriptor that stays the restarter's; or an ERR_PTR with
 *		the reason logged
 * @settle:	restart, optional: once the process being restored has
 *		every descriptor of its own in place
 * @finish:	restart, optional: once every process is restored and
 *		the image is read, before any is linked into the tree;
 *		in the restarter, may sleep and fail
 * @commit:	restart, optional: once every process is restored and
 *		linked into the tree, with tasklist_lock held for writing
 *
 * ckpt_file_kinds[] in files.c has one entry per kind, in the order a
 * file is offered to them at checkpoint: the first whose @owns is true
 * saves it.  A new kind of file is a new file with its ops and one entry
 * in that table.
 */
struct ckpt_file_ops {
	const char *name;
	u32 kinds;
	u32 path_kinds;
	u32 obj_rec;
	bool in_flight;
	int (*scan)(struct ckpt_ctx *ctx);
	void (*release)(struct ckpt_ctx *ctx);
	bool (*owns)(struct ckpt_ctx *ctx, struct file *f, unsigned int fd);
	int (*write)(struct ckpt_ctx *ctx, struct ckpt_wfile *w);
	int (*read)(struct ckpt_ctx *ctx);
	struct file *(*open)(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
			     const char *path);
	int (*settle)(struct ckpt_ctx *ctx);
	int (*finish)(struct ckpt_ctx *ctx);
	void (*commit)(struct ckpt_ctx *ctx);
};

extern const struct ckpt_file_ops ckpt_reg_file_ops;	/* path.c */
extern const struct ckpt_file_ops ckpt_dir_file_ops;	/* path.c */
extern const struct ckpt_file_ops ckpt_pipe_file_ops;	/* pipe.c */
extern const struct ckpt_file_ops ckpt_ctty_file_ops;	/* tty.c */
extern const struct ckpt_file_ops ckpt_pty_file_ops;	/* pty.c */
extern const struct ckpt_file_ops ckpt_unlinked_file_ops;	/* unlinked.c */
extern const struct ckpt_file_ops ckpt_eventfd_file_ops;	/* eventfd.c */
extern const struct ckpt_file_ops ckpt_signalfd_file_ops;	/* signalfd.c */
extern const struct ckpt_file_ops ckpt_timerfd_file_ops;	/* timerfd.c */
extern const struct ckpt_file_ops ckpt_epoll_file_ops;		/* epoll.c */
extern const struct ckpt_file_ops ckpt_unix_file_ops;		/* unix.c */
extern const struct ckpt_file_ops ckpt_inotify_file_ops;	/* inotify.c */

/* The O_* status flags a CKPT_REC_FILE keeps */
#define CKPT_FILE_STATUS_FLAGS	(O_APPEND | O_NONBLOCK | O_NDELAY | O_DSYNC | O_SYNC | \
				 O_NOATIME | O_DIRECT | O_LARGEFILE | FASYNC)

/* The CKPT_REC_FILE mode of a file: 1 read, 2 write, 3 both */
static inline u32 ckpt_file_mode(const struct file *f)
{
	return (f->f_mode & FMODE_READ ? 1 : 0) | (f->f_mode & FMODE_WRITE ? 2 : 0);
}

/* open(2) access mode of a CKPT_REC_FILE mode (1 read, 2 write, 3 both) */
static inline int ckpt_acc_mode(u32 mode)
{
	return mode == 3 ? O_RDWR : mode == 2 ? O_WRONLY : O_RDONLY;
}

static inline size_t ckpt_pad(size_t len)
{
	return ALIGN(len, CKPT_ALIGN) - len;
}

/* digest.c */
void ckpt_digest_init(struct ckpt_digest *d);
int ckpt_digest_start(struct ckpt_digest *d, u32 alg);
const char *ckpt_digest_name(u32 alg);
void ckpt_digest_bytes(struct ckpt_digest *d, const void *buf, size_t len);
void ckpt_digest_pages(struct ckpt_digest *d, struct page **pages, unsigned int nr);
int ckpt_digest_final(struct ckpt_digest *d, u8 *out);
void ckpt_digest_destroy(struct ckpt_digest *d);

/* ctx.c */
struct ckpt_ctx *ckpt_ctx_alloc(int fd, int logfd, fmode_t mode);
struct ckpt_ctx *ckpt_ctx_alloc_file(struct file *file);
void ckpt_ctx_get(struct ckpt_ctx *ctx);
void ckpt_ctx_put(struct ckpt_ctx *ctx);
__printf(3, 4) int ckpt_err(struct ckpt_ctx *ctx, int err, const char *fmt, ...);
__printf(2, 3) void ckpt_warn(struct ckpt_ctx *ctx, const char *fmt, ...);
void ckpt_log_hold(struct ckpt_ctx *ctx);
void ckpt_log_release(struct ckpt_ctx *ctx);

/* stream.c */
ssize_t ckpt_kernel_write(struct file *file, const void *buf, size_t len, loff_t *ppos);
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len);
int ckpt_write_pages(struct ckpt_ctx *ctx, struct page **pages, unsigned int nr);
int ckpt_write_record(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len);
int ckpt_write_record_data(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len,
			   const void *data, size_t data_len);
int ckpt_write_record_str(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len,
			  const char *str, u32 *str_len);
int ckpt_write_trailer(struct ckpt_ctx *ctx);
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len);
int ckpt_peek_type(struct ckpt_ctx *ctx);
void ckpt_take_next(struct ckpt_ctx *ctx);
int ckpt_read_pages_into(struct ckpt_ctx *ctx, struct page **pages, unsigned int nr);
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min, size_t max);
int ckpt_read_record_into(struct ckpt_ctx *ctx, u32 type, void *rec, size_t len);
long ckpt_read_record_head(struct ckpt_ctx *ctx, u32 type, void *rec, size_t fixed,
			   size_t max);
int ckpt_read_trailer(struct ckpt_ctx *ctx, int (*settled)(struct ckpt_ctx *ctx));
const char *ckpt_rec_str(struct ckpt_ctx *ctx, const void *rec, size_t rec_len,
			 size_t off, u32 len, const char *what);
const char *ckpt_rec_name(u32 type);

/* objhash.c */
void ckpt_obj_init(struct ckpt_objhash *h);
void ckpt_obj_destroy(struct ckpt_objhash *h);
u32 ckpt_obj_lookup_ptr(struct ckpt_objhash *h, void *ptr, u32 *kind);
int ckpt_obj_add(struct ckpt_objhash *h, void *ptr, u32 id, u32 kind, void (*release)(void *));
u32 ckpt_obj_new_id(struct ckpt_objhash *h);
void *ckpt_obj_lookup(struct ckpt_objhash *h, u32 id, u32 kind);

/* freeze.c */
bool ckpt_freeze_task(struct task_struct *t);
bool ckpt_task_frozen(struct task_struct *t);
void ckpt_thaw(struct task_struct *t);
bool ckpt_task_stopped(struct task_struct *t);
bool ckpt_task_killed(struct task_struct *t);

/* job.c */
int ckpt_freeze_job(struct ckpt_ctx *ctx, pid_t nr);
int ckpt_self_job(struct ckpt_ctx *ctx);
const char *ckpt_new_pid_why(struct ckpt_ctx *ctx, const char *taken);

/* sigckpt.c: checkpoint by signal, notification, critical sections */
bool ckpt_sig_pending_ignored(struct ckpt_ctx *ctx, struct task_struct *t, int sig);
int ckpt_sig_commit(struct ckpt_ctx *ctx);
int ckpt_sig_add_base(struct task_struct *t, struct ckpt_acct_base *base);
const struct ckpt_acct_base *ckpt_sig_bases(struct signal_struct *sig);
void ckpt_sig_act(struct ckpt_ctx *ctx);
bool ckpt_sig_interrupted(struct ckpt_ctx *ctx);
int ckpt_notify_job(struct ckpt_ctx *ctx);
void ckpt_notify_end(struct ckpt_ctx *ctx);
int ckpt_write_ckptsig(struct ckpt_ctx *ctx, struct task_struct *p);
int ckpt_read_ckptsig(struct ckpt_ctx *ctx, struct ckpt_rproc *proc);
void ckpt_notify_restarted(struct ckpt_ctx *ctx);
int ckpt_check_job(struct ckpt_ctx *ctx);
void ckpt_thaw_job(struct ckpt_ctx *ctx);
int ckpt_member_index(struct ckpt_ctx *ctx, struct task_struct *p);
int ckpt_walk_files(struct ckpt_ctx *ctx, int (*fn)(struct ckpt_ctx *, struct file *, void *),
		    void *arg);
pid_t ckpt_outside_holder(struct ckpt_ctx *ctx, bool (*match)(struct file *f, const void *obj),
			  const void *obj);
bool ckpt_job_mm(struct ckpt_ctx *ctx, struct mm_struct *mm);
pid_t ckpt_mm_holder(struct mm_struct *mm);
int ckpt_grow_array(void **v, size_t size, unsigned int nr, unsigned int *max,
		    unsigned int need);
struct ckpt_file_use *ckpt_find_file_use(const struct ckpt_file_uses *uses, struct file *f);
int ckpt_count_file_use(struct ckpt_file_uses *uses, struct file *f);
void ckpt_free_file_uses(struct ckpt_file_uses *uses);
unsigned int ckpt_nr_threads(struct task_struct *p);
struct task_struct **ckpt_get_threads(struct task_struct *p, unsigned int *nr);
void ckpt_put_threads(struct task_struct **v, unsigned int nr);

/* tree.c */
int ckpt_tree_prepare(struct ckpt_ctx *ctx);
void ckpt_tree_commit(struct ckpt_ctx *ctx);
void ckpt_tree_release(struct ckpt_ctx *ctx, bool committed);

/* unix.c */
bool ckpt_is_unix_socket(struct file *f);
int ckpt_unix_walk_in_flight(struct ckpt_ctx *ctx, struct file *sock_file,
			     int (*fn)(struct ckpt_ctx *, struct file *, void *), void *arg);

/* pipe.c */
bool ckpt_pipe_outside(struct ckpt_ctx *ctx, struct file *f);

/* tty.c */
void ckpt_save_tty_state(struct tty_struct *tty, struct ckpt_tty_state *st);
bool ckpt_tty_state_ok(const struct ckpt_tty_state *st);
void ckpt_apply_tty_state(struct tty_struct *tty, const struct ckpt_tty_state *st);
int ckpt_write_tty(struct ckpt_ctx *ctx);
int ckpt_read_tty(struct ckpt_ctx *ctx);
void ckpt_apply_tty(struct ckpt_ctx *ctx, struct pid *fg);

/* pty.c */
bool ckpt_is_job_pty(struct ckpt_ctx *ctx, struct tty_struct *tty);

/* resume.c */
void ckpt_save_restart_block(struct ckpt_ctx *ctx, struct task_struct *t,
			     struct ckpt_rec_thread *rec);
int ckpt_check_restart_block(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec);
void ckpt_restore_restart_block(const struct ckpt_rec_thread *rec);

/* thread.c */
void ckpt_save_thread_ids(struct task_struct *t, struct ckpt_rec_thread *rec);
int ckpt_check_thread_ids(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec);
void ckpt_restore_thread_ids(const struct ckpt_rec_thread *rec);

/* timer.c */
int ckpt_write_timers(struct ckpt_ctx *ctx, struct task_struct *t);

/* share.c */
int ckpt_write_shares(struct ckpt_ctx *ctx, const struct ckpt_member *m, bool *files, bool *fs);
int ckpt_read_shares(struct ckpt_ctx *ctx, bool *files, bool *fs);

/* ptimer.c */
unsigned int ckpt_count_posix_timers(struct task_struct *t);
int ckpt_write_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t, unsigned int nr);
int ckpt_read_posix_timers(struct ckpt_ctx *ctx, const struct ckpt_rec_timers *timers,
			   struct ckpt_rec_posix_timers **out);
int ckpt_restore_posix_timers(struct ckpt_ctx *ctx, struct ckpt_rproc *proc);
int ckpt_read_timers(struct ckpt_ctx *ctx, struct ckpt_rec_timers *rec);
void ckpt_restore_timers(const struct ckpt_rec_timers *rec);

/* lock.c */
int ckpt_check_locks(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
		     unsigned int fd);
int ckpt_check_file_locks(struct ckpt_ctx *ctx, struct file *f, unsigned int sock_fd);
int ckpt_write_locks(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_check_mapped_locks(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
			    unsigned long start);
int ckpt_read_locks(struct ckpt_ctx *ctx);

/* task.c */
int ckpt_write_task(struct ckpt_ctx *ctx, const struct ckpt_member *m, unsigned int nr_threads,
		    bool self);
int ckpt_check_task(struct ckpt_ctx *ctx, const struct ckpt_rec_task *rec);
int ckpt_read_task(struct ckpt_ctx *ctx, const struct ckpt_rec_task *rec);

/* cred.c */
int ckpt_write_cred(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_cred(struct ckpt_ctx *ctx, struct cred **newp);
void ckpt_commit_cred(struct cred *cred);

/* rlimit.c */
int ckpt_write_rlimits(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_rlimits(struct ckpt_ctx *ctx, struct ckpt_rproc *proc);
int ckpt_apply_rlimits(struct ckpt_ctx *ctx, struct ckpt_rproc *proc);

/* fs.c */
int ckpt_write_fs(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_fs(struct ckpt_ctx *ctx);

/* mm.c */
int ckpt_write_mm(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_write_snapshot_pages(struct ckpt_ctx *ctx, struct mm_struct *snap,
			      unsigned long start, unsigned long end);
int ckpt_read_mm(struct ckpt_ctx *ctx);

/* signal.c */
int ckpt_write_sighand(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_sighand(struct ckpt_ctx *ctx);
int ckpt_write_signal(struct ckpt_ctx *ctx, struct task_struct *t, bool leader);
int ckpt_read_signal(struct ckpt_ctx *ctx, struct ckpt_rthread *th, bool leader);
int ckpt_restore_signal(struct ckpt_ctx *ctx, struct ckpt_rthread *th);

/* refuse.c */
int ckpt_check_unsaved(struct ckpt_ctx *ctx, struct task_struct *p,
		       struct task_struct **threads, unsigned int n);

/* sched.c */
int ckpt_write_sched(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_sched(struct ckpt_ctx *ctx, struct ckpt_rec_sched *rec, pid_t tid);
int ckpt_restore_sched(struct ckpt_ctx *ctx, const struct ckpt_rec_sched *rec, pid_t tid,
		       bool leader);

/* acct.c */
int ckpt_write_acct(struct ckpt_ctx *ctx, struct task_struct *t, bool leader);
int ckpt_read_acct(struct ckpt_ctx *ctx, struct ckpt_rec_acct *rec, pid_t tid, bool leader);
int ckpt_check_acct(struct ckpt_ctx *ctx, const struct ckpt_rproc *proc);
int ckpt_restore_acct(struct ckpt_ctx *ctx, const struct ckpt_rec_acct *rec, pid_t tid,
		      bool leader);

/* cow.c */
void ckpt_cow_start(struct ckpt_ctx *ctx);
int ckpt_spool_bytes(struct ckpt_ctx *ctx, const void *buf, size_t len);
bool ckpt_cow_too_big(const struct ckpt_ctx *ctx, size_t more);
struct mm_struct *ckpt_cow_snapshot(struct ckpt_ctx *ctx, struct mm_struct *mm);
int ckpt_spool_pages(struct ckpt_ctx *ctx, struct mm_struct *snap, unsigned long start,
		     unsigned long end);
int ckpt_cow_end(struct ckpt_ctx *ctx);
void ckpt_cow_free(struct ckpt_ctx *ctx);

/* files.c */
int ckpt_scan_files(struct ckpt_ctx *ctx);
void ckpt_release_files(struct ckpt_ctx *ctx);
int ckpt_write_files(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_read_files(struct ckpt_ctx *ctx);
int ckpt_finish_files(struct ckpt_ctx *ctx);
void ckpt_commit_files(struct ckpt_ctx *ctx);
const char *ckpt_file_kind(struct file *f, char *buf, size_t len);
bool ckpt_is_tty(struct file *f);
void ckpt_set_status(struct file *f, unsigned int flags);
int ckpt_check_held_outside(struct ckpt_ctx *ctx, struct ckpt_wfile *w, const char *what);
int ckpt_write_in_flight(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
			 unsigned int sock_fd);
struct file *ckpt_open_obj_file(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r, u32 type);

/* path.c */
bool ckpt_path_reopenable(struct file *f);
bool ckpt_stateless_chr(struct file *f);

/* unlinked.c */
u32 ckpt_unlinked_kind(struct file *f);
int ckpt_write_unlinked(struct ckpt_ctx *ctx, struct file *f, u32 *objid);
struct file *ckpt_unlinked_file(struct ckpt_ctx *ctx, u32 objid);
int ckpt_read_unlinked(struct ckpt_ctx *ctx);
int ckpt_check_unlinked(struct ckpt_ctx *ctx, struct file *f, const char *what);
int ckpt_count_data(struct file *f, loff_t size, u64 *nr);
int ckpt_write_data(struct ckpt_ctx *ctx, struct file *f, loff_t size, u64 nr, const char *what);
int ckpt_read_data(struct ckpt_ctx *ctx, struct file *f, u64 size, u64 nr_pages, const char *what);

/* sysvshm.c */
bool ckpt_sysvshm_file(struct file *f);
int ckpt_write_sysvshm(struct ckpt_ctx *ctx, struct file *f, u32 *objid);
int ckpt_read_sysvshm(struct ckpt_ctx *ctx);
struct file *ckpt_sysvshm_attach(struct ckpt_ctx *ctx, u32 objid, u64 base, bool rdonly);

/* rseq.c */
void ckpt_save_rseq(struct task_struct *t, struct ckpt_rec_thread *rec);
int ckpt_check_rseq(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec);
void ckpt_restore_rseq(const struct ckpt_rec_thread *rec);

/* regs.c */
int ckpt_write_thread(struct ckpt_ctx *ctx, struct task_struct *t, bool self);
int ckpt_read_thread(struct ckpt_ctx *ctx, struct ckpt_rthread *th);
int ckpt_apply_thread(struct ckpt_ctx *ctx, struct ckpt_rthread *th);
int ckpt_arch_header(struct ckpt_rec_header *h);
int ckpt_arch_check_header(struct ckpt_ctx *ctx, const struct ckpt_rec_header *h);

/* checkpoint.c, restart.c */
int ckpt_checkpoint(struct ckpt_ctx *ctx, pid_t pid, unsigned int flags);
pid_t ckpt_restart(struct ckpt_ctx *ctx, unsigned int flags);

#endif /* _KERNEL_CHECKPOINT_INTERNAL_H */
