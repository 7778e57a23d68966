// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pseudo-terminal pairs held by the job.
 *
 * A job that holds the master of a pty (a terminal emulator, script(1),
 * expect, a test harness driving a program through a terminal) holds the
 * whole pair: the pty is saved once, as CKPT_REC_PTY, with its termios
 * (the slave's: a master's cannot be set), the window size, the lock and packet-mode state, which
 * session has the slave as controlling terminal, and the unread data in
 * both directions.  Unread data is what the line discipline holds, with
 * its canonical line ends (n_tty_get_input()), followed by what the
 * line discipline has not processed yet (the port's flip buffers).  The
 * job's descriptors on it are CKPT_FILE_PTY_MASTER and _SLAVE.
 *
 * At restart a new pair is opened through the restored process's
 * /dev/ptmx (its number may differ), given the settings, and the data
 * is queued again as it was: processed input without being processed
 * or echoed a second time (n_tty_set_input()), the rest through the
 * flip buffers.  The slave is opened as TIOCGPTPEER opens it, and the
 * session is given it as controlling terminal when the tree is linked.
 *
 * The pty is the job's only if no process outside the job holds its
 * master or has its slave open or as controlling terminal; otherwise
 * the checkpoint is refused with the reason.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/devpts_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_flip.h>

#include "internal.h"

#define CKPT_PTY_EOL_BYTES	DIV_ROUND_UP(CKPT_MAX_PTY_IN, 8)

/**
 * struct ckpt_pty - checkpoint: a pty whose master the job holds
 * @master:	the master side (referenced)
 * @file:	the master's open file description
 * @refs:	descriptors of the job on @file
 * @slave_files: the job's open file descriptions of the slave
 * @objid:	its id in the image, once written
 */
struct ckpt_pty {
	struct tty_struct *master;
	struct file *file;
	unsigned int refs;
	unsigned int slave_files;
	u32 objid;
};

/**
 * struct ckpt_rpty - restart: a pty being recreated
 * @node:	in ctx->rptys
 * @rec:	its CKPT_REC_PTY, without the data
 * @master:	the new master
 * @master_used: a CKPT_FILE_PTY_MASTER record took it
 */
struct ckpt_rpty {
	struct list_head node;
	struct ckpt_rec_pty rec;
	struct file *master;
	bool master_used;
};

static struct tty_struct *ckpt_file_tty(struct file *f)
{
	struct tty_file_private *priv = f->private_data;

	return ckpt_is_tty(f) && priv ? priv->tty : NULL;
}

static bool ckpt_is_pty(struct tty_struct *tty, int subtype)
{
	return tty && tty->driver->type == TTY_DRIVER_TYPE_PTY &&
	       tty->driver->subtype == subtype && tty->link;
}

static struct ckpt_pty *ckpt_find_pty(struct ckpt_ctx *ctx, struct tty_struct *master)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_ptys; i++)
		if (ctx->ptys[i].master == master)
			return &ctx->ptys[i];
	return NULL;
}

static int ckpt_add_pty(struct ckpt_ctx *ctx, struct tty_struct *master, struct file *f,
			unsigned int *max)
{
	struct ckpt_pty *pty = ckpt_find_pty(ctx, master);
	int err;

	if (pty && pty->file != f)
		return ckpt_err(ctx, -EOPNOTSUPP, "pty %s: two files on its master",
				tty_name(master->link));
	if (pty) {
		pty->refs++;
		return 0;
	}
	err = ckpt_grow_array((void **)&ctx->ptys, sizeof(*ctx->ptys), ctx->nr_ptys, max,
			      ctx->nr_ptys + 1);
	if (err)
		return err;
	ctx->ptys[ctx->nr_ptys++] = (struct ckpt_pty){
		.master = tty_kref_get(master), .file = f, .refs = 1,
	};
	return 0;
}

/* Is a process outside the job in the session @tty controls? */
static bool ckpt_session_outside(struct ckpt_ctx *ctx, struct tty_struct *tty)
{
	struct task_struct *p;
	struct pid *sid;
	unsigned long flags;
	bool outside = false;

	spin_lock_irqsave(&tty->ctrl.lock, flags);
	sid = get_pid(tty->ctrl.session);
	spin_unlock_irqrestore(&tty->ctrl.lock, flags);
	if (!sid)
		return false;
	read_lock(&tasklist_lock);
	do_each_pid_task(sid, PIDTYPE_SID, p) {
		if (ckpt_member_index(ctx, p) < 0)
			outside = true;
	} while_each_pid_task(sid, PIDTYPE_SID, p);
	read_unlock(&tasklist_lock);
	put_pid(sid);
	return outside;
}

/* Every check that makes a pty the job's; the reason is logged. */
static int ckpt_check_pty(struct ckpt_ctx *ctx, struct ckpt_pty *pty,
			  const struct ckpt_file_uses *slaves)
{
	struct tty_struct *slave = pty->master->link;
	unsigned int i, opens = 0;

	if (file_count(pty->file) > pty->refs)
		return ckpt_err(ctx, -EBUSY, "pty %s: its master is also held outside the job",
				tty_name(slave));
	for (i = 0; i < slaves->nr; i++) {
		const struct ckpt_file_use *use = &slaves->v[i];

		if (ckpt_file_tty(use->file) != slave)
			continue;
		opens++;
		if (file_count(use->file) > use->refs)
			return ckpt_err(ctx, -EBUSY, "pty %s: also open outside the job",
					tty_name(slave));
	}
	/* The master holds one count on its slave (pty_common_install()). */
	if (READ_ONCE(slave->count) > opens + 1)
		return ckpt_err(ctx, -EBUSY, "pty %s: also open outside the job",
				tty_name(slave));
	if (ckpt_session_outside(ctx, slave))
		return ckpt_err(ctx, -EBUSY,
				"pty %s: the controlling terminal of a session partly outside the job",
				tty_name(slave));
	pty->slave_files = opens;
	return 0;
}

/* What ckpt_scan_ptys() collects besides ctx->ptys */
struct ckpt_pty_scan {
	struct ckpt_file_uses slaves;	/* the job's files on pty slaves */
	unsigned int max_ptys;
};

static int ckpt_pty_file(struct ckpt_ctx *ctx, struct file *f, void *arg)
{
	struct tty_struct *tty = ckpt_file_tty(f);
	struct ckpt_pty_scan *scan = arg;

	if (ckpt_is_pty(tty, PTY_TYPE_MASTER))
		return ckpt_add_pty(ctx, tty, f, &scan->max_ptys);
	if (ckpt_is_pty(tty, PTY_TYPE_SLAVE))
		return ckpt_count_file_use(&scan->slaves, f);
	return 0;
}

/*
 * Find the ptys whose master the job holds, and check that they are the
 * job's own: -EBUSY for a pty held or open outside the job.
 */
static int ckpt_scan_ptys(struct ckpt_ctx *ctx)
{
	struct ckpt_pty_scan scan = {};
	unsigned int i;
	int err;

	err = ckpt_walk_files(ctx, ckpt_pty_file, &scan);
	/* Our own references from the walk are gone: count now. */
	for (i = 0; i < ctx->nr_ptys && !err; i++)
		err = ckpt_check_pty(ctx, &ctx->ptys[i], &scan.slaves);
	ckpt_free_file_uses(&scan.slaves);
	return err;
}

/* Drop what ckpt_scan_ptys() found. */
static void ckpt_put_ptys(struct ckpt_ctx *ctx)
{
	while (ctx->nr_ptys)
		tty_kref_put(ctx->ptys[--ctx->nr_ptys].master);
	kvfree(ctx->ptys);
	ctx->ptys = NULL;
}

/**
 * ckpt_is_job_pty - is a terminal the slave of a pty the job holds?
 * @ctx:	the checkpoint context, after ckpt_scan_ptys()
 * @tty:	the terminal
 *
 * Return: true if it is, and it is no controlling terminal to restore
 * from the restarter's.
 */
bool ckpt_is_job_pty(struct ckpt_ctx *ctx, struct tty_struct *tty)
{
	return ckpt_is_pty(tty, PTY_TYPE_SLAVE) && ckpt_find_pty(ctx, tty->link);
}

/*
 * One direction's unread data, at @out: the line discipline's (with
 * its line-end bitmap after it), then the flip buffers'.
 */
static int ckpt_save_input(struct ckpt_ctx *ctx, struct tty_struct *tty, u8 *out,
			   unsigned long *eol, u32 *in, u32 *raw)
{
	struct tty_port *port = tty->port;
	struct tty_buffer *b;
	ssize_t n;
	u8 *bits;
	int i, err = 0;

	tty_buffer_lock_exclusive(port);
	n = n_tty_get_input(tty, out, eol);
	if (n < 0) {
		err = ckpt_err(ctx, n == -EINVAL ? -EOPNOTSUPP : n,
			       "pty %s: line discipline %d is not supported",
			       tty_name(tty), tty->termios.c_line);
		goto out;
	}
	if (n > CKPT_MAX_PTY_IN) {
		err = ckpt_err(ctx, -EOPNOTSUPP, "pty %s: %zd bytes of unread input",
			       tty_name(tty), n);
		goto out;
	}
	*in = n;
	bits = out + n;
	memset(bits, 0, DIV_ROUND_UP(n, 8));
	for (i = 0; i < n; i++)
		if (test_bit(i, eol))
			bits[i / 8] |= 1 << (i % 8);
	out = bits + DIV_ROUND_UP(n, 8);
	*raw = 0;
	for (b = port->buf.head; b; b = b->next) {
		/* Pairs with the producer's smp_store_release(), as in flush_to_ldisc(). */
		unsigned int read = b->read, commit = smp_load_acquire(&b->commit);

		if (commit <= read)
			continue;
		if (b->flags || *raw + commit - read > CKPT_MAX_PTY_RAW) {
			err = ckpt_err(ctx, -EOPNOTSUPP,
				       "pty %s: unprocessed input with error flags or too long",
				       tty_name(tty));
			goto out;
		}
		memcpy(out + *raw, char_buf_ptr(b, read), commit - read);
		*raw += commit - read;
	}
out:
	tty_buffer_unlock_exclusive(port);
	return err;
}

static int ckpt_write_pty(struct ckpt_ctx *ctx, struct ckpt_pty *pty)
{
	struct tty_struct *master = pty->master, *slave = master->link;
	size_t max = 2 * (CKPT_MAX_PTY_IN + CKPT_PTY_EOL_BYTES + CKPT_MAX_PTY_RAW);
	struct ckpt_rec_pty rec = {};
	unsigned long *eol, flags;
	size_t len;
	u8 *data;
	int err;

	rec.objid = pty->objid;
	rec.index = master->index;
	rec.master_flags = pty->file->f_flags & (O_ACCMODE | CKPT_FILE_STATUS_FLAGS);
	if (test_bit(TTY_PTY_LOCK, &master->flags))
		rec.flags |= CKPT_PTY_LOCKED;
	if (!pty->slave_files && test_bit(TTY_OTHER_CLOSED, &master->flags))
		rec.flags |= CKPT_PTY_SLAVE_CLOSED;
	spin_lock_irqsave(&master->ctrl.lock, flags);
	if (master->ctrl.packet)
		rec.flags |= CKPT_PTY_PACKET;
	spin_unlock_irqrestore(&master->ctrl.lock, flags);
	ckpt_save_tty_state(slave, &rec.slave);

	data = kvmalloc(max, GFP_KERNEL);
	eol = bitmap_alloc(N_TTY_BUF_SIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (!data || !eol)
		goto out;
	err = ckpt_save_input(ctx, slave, data, eol, &rec.slave_in, &rec.slave_raw);
	if (err)
		goto out;
	len = rec.slave_in + DIV_ROUND_UP(rec.slave_in, 8) + rec.slave_raw;
	err = ckpt_save_input(ctx, master, data + len, eol, &rec.master_in, &rec.master_raw);
	if (err)
		goto out;
	len += rec.master_in + DIV_ROUND_UP(rec.master_in, 8) + rec.master_raw;

	err = ckpt_write_record_data(ctx, CKPT_REC_PTY, &rec, sizeof(rec), data, len);
out:
	bitmap_free(eol);
	kvfree(data);
	return err;
}

/* A master or slave of a pty the job holds the master of. */
static bool ckpt_pty_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	struct tty_struct *tty = ckpt_file_tty(f);

	if (ckpt_is_pty(tty, PTY_TYPE_MASTER))
		return ckpt_find_pty(ctx, tty);
	return ckpt_is_pty(tty, PTY_TYPE_SLAVE) && ckpt_find_pty(ctx, tty->link);
}

/*
 * Fill in the file record of a pty master or slave the job holds,
 * writing the pty's record first if it is not in the image yet.
 */
static int ckpt_write_pty_file(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct tty_struct *tty = ckpt_file_tty(w->file);
	struct ckpt_pty *pty;
	int err;

	if (ckpt_is_pty(tty, PTY_TYPE_MASTER)) {
		pty = ckpt_find_pty(ctx, tty);
		w->rec.kind = CKPT_FILE_PTY_MASTER;
	} else {
		pty = ckpt_find_pty(ctx, tty->link);
		w->rec.kind = CKPT_FILE_PTY_SLAVE;
	}
	if (!pty->objid) {
		pty->objid = ckpt_obj_new_id(&ctx->objs);
		err = ckpt_write_pty(ctx, pty);
		if (err)
			return err;
	}
	w->rec.ref_id = pty->objid;
	return 0;
}

static void ckpt_rpty_release(void *p)
{
	struct ckpt_rpty *rpty = p;

	if (rpty->master)
		fput(rpty->master);
	kfree(rpty);
}

/* Queue one direction's data again; @data as ckpt_save_input() left it. */
static int ckpt_restore_input(struct ckpt_ctx *ctx, struct tty_struct *tty, const u8 *data,
			      u32 in, u32 raw, unsigned long *eol)
{
	const u8 *bits = data + in;
	unsigned int i;
	int err;

	bitmap_zero(eol, N_TTY_BUF_SIZE);
	for (i = 0; i < in; i++)
		if (bits[i / 8] & (1 << (i % 8)))
			__set_bit(i, eol);
	err = n_tty_set_input(tty, data, eol, in);
	if (err)
		return ckpt_err(ctx, err, "pty: cannot queue its unread input (error %d)", err);
	if (raw) {
		if (tty_insert_flip_string(tty->port, bits + DIV_ROUND_UP(in, 8), raw) != raw)
			return ckpt_err(ctx, -ENOMEM, "pty: cannot queue %u bytes of input", raw);
		tty_flip_buffer_push(tty->port);
	}
	return 0;
}

static int ckpt_rebuild_pty(struct ckpt_ctx *ctx, struct ckpt_rpty *rpty, const u8 *data)
{
	const struct ckpt_rec_pty *rec = &rpty->rec;
	struct tty_struct *master, *slave;
	const u8 *master_data;
	unsigned long *eol;
	int err;

	rpty->master = filp_open("/dev/ptmx", (rec->master_flags & ~FASYNC) | O_NOCTTY, 0);
	if (IS_ERR(rpty->master)) {
		err = PTR_ERR(rpty->master);
		rpty->master = NULL;
		return ckpt_err(ctx, err, "cannot open /dev/ptmx (error %d)", err);
	}
	master = ckpt_file_tty(rpty->master);
	if (!ckpt_is_pty(master, PTY_TYPE_MASTER))
		return ckpt_err(ctx, -ENODEV, "/dev/ptmx is not a pty master");
	slave = master->link;
	/* Unlocked while the job's processes open the slave; see ckpt_commit_ptys(). */
	clear_bit(TTY_PTY_LOCK, &master->flags);
	ckpt_apply_tty_state(slave, &rec->slave);

	eol = bitmap_alloc(N_TTY_BUF_SIZE, GFP_KERNEL);
	if (!eol)
		return -ENOMEM;
	master_data = data + rec->slave_in + DIV_ROUND_UP(rec->slave_in, 8) + rec->slave_raw;
	err = ckpt_restore_input(ctx, master, master_data, rec->master_in, rec->master_raw, eol);
	if (!err)
		err = ckpt_restore_input(ctx, slave, data, rec->slave_in, rec->slave_raw, eol);
	bitmap_free(eol);
	if (err)
		return err;

	spin_lock_irq(&master->ctrl.lock);
	if (rec->flags & CKPT_PTY_PACKET) {
		slave->ctrl.pktstatus = 0;
		/* As TIOCPKT does: pktstatus is clear before packet mode shows. */
		smp_mb();
	}
	master->ctrl.packet = rec->flags & CKPT_PTY_PACKET;
	spin_unlock_irq(&master->ctrl.lock);
	if (rec->flags & CKPT_PTY_SLAVE_CLOSED) {
		/* As the slave's last close leaves it (pty_close()). */
		set_bit(TTY_IO_ERROR, &slave->flags);
		set_bit(TTY_OTHER_CLOSED, &master->flags);
	}
	return 0;
}

/*
 * Read a CKPT_REC_PTY and create the pty it describes, in the process
 * being restored, whose /dev/ptmx is opened.
 */
static int ckpt_read_pty(struct ckpt_ctx *ctx)
{
	size_t max = sizeof(struct ckpt_rec_pty) +
		     2 * (CKPT_MAX_PTY_IN + CKPT_PTY_EOL_BYTES + CKPT_MAX_PTY_RAW);
	struct ckpt_rec_pty *rec;
	struct ckpt_rpty *rpty;
	u64 len;
	int err = -ENOEXEC;

	rec = ckpt_read_record(ctx, CKPT_REC_PTY, sizeof(*rec), max);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	len = sizeof(*rec) + (u64)rec->slave_in + DIV_ROUND_UP(rec->slave_in, 8) +
	      rec->slave_raw + rec->master_in + DIV_ROUND_UP(rec->master_in, 8) +
	      rec->master_raw;
	if (!rec->objid || rec->flags & ~CKPT_PTY_FLAGS_ALL ||
	    rec->master_flags & ~(O_ACCMODE | CKPT_FILE_STATUS_FLAGS) ||
	    (rec->master_flags & O_ACCMODE) == O_ACCMODE ||
	    !ckpt_tty_state_ok(&rec->slave) || rec->slave.termios.line != N_TTY ||
	    rec->slave_in > CKPT_MAX_PTY_IN || rec->master_in > CKPT_MAX_PTY_IN ||
	    rec->slave_raw > CKPT_MAX_PTY_RAW || rec->master_raw > CKPT_MAX_PTY_RAW ||
	    rec->h.len != len) {
		err = ckpt_err(ctx, -ENOEXEC, "pty record %u is malformed", rec->objid);
		goto out;
	}
	err = -ENOMEM;
	rpty = kzalloc(sizeof(*rpty), GFP_KERNEL);
	if (!rpty)
		goto out;
	rpty->rec = *rec;
	err = ckpt_obj_add(&ctx->objs, rpty, rec->objid, CKPT_REC_PTY, ckpt_rpty_release);
	if (err) {
		kfree(rpty);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", rec->objid);
		goto out;
	}
	list_add_tail(&rpty->node, &ctx->rptys);
	err = ckpt_rebuild_pty(ctx, rpty, (const u8 *)(rec + 1));
out:
	kvfree(rec);
	return err;
}

/* Open a job's file on a recreated pty: its master, or its slave. */
static struct file *ckpt_open_pty_file(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				       const char *unused)
{
	struct ckpt_rpty *rpty = ckpt_obj_lookup(&ctx->objs, r->ref_id, CKPT_REC_PTY);
	struct tty_struct *master;
	struct path path;
	struct file *f;

	if (r->pos || r->size)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid));
	if (!rpty)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file %u: no pty %u before it",
					r->objid, r->ref_id));
	if (r->kind == CKPT_FILE_PTY_MASTER) {
		if (rpty->master_used ||
		    ckpt_acc_mode(r->mode) != (rpty->rec.master_flags & O_ACCMODE))
			return ERR_PTR(ckpt_err(ctx, -ENOEXEC,
						"file %u: not the master of pty %u",
						r->objid, r->ref_id));
		rpty->master_used = true;
		return get_file(rpty->master);
	}
	/* The slave, opened as TIOCGPTPEER (ptm_open_peer()) does. */
	master = ckpt_file_tty(rpty->master);
	path.mnt = devpts_mntget(rpty->master, master->driver_data);
	if (IS_ERR(path.mnt))
		return ERR_PTR(ckpt_err(ctx, PTR_ERR(path.mnt),
					"pty %u: no devpts mount for its slave", r->ref_id));
	path.dentry = master->link->driver_data;
	f = dentry_open(&path, ckpt_acc_mode(r->mode) | (r->flags & ~FASYNC) | O_NOCTTY,
			current_cred());
	mntput(path.mnt);
	if (IS_ERR(f))
		ckpt_err(ctx, PTR_ERR(f), "cannot open the slave of pty %u (error %ld)",
			 r->ref_id, PTR_ERR(f));
	return f;
}

/*
 * Give the recreated ptys their sessions and lock, with tasklist_lock
 * held for writing and the processes in their groups and sessions: a
 * process of a recreated session whose controlling terminal was a pty
 * gets the new pty's slave; the pty gets that session and its
 * foreground group.
 */
static void ckpt_commit_ptys(struct ckpt_ctx *ctx)
{
	struct ckpt_rpty *rpty;
	unsigned int i;

	list_for_each_entry(rpty, &ctx->rptys, node) {
		struct tty_struct *master = ckpt_file_tty(rpty->master);
		struct tty_struct *slave = master->link;
		const struct ckpt_tty_state *st = &rpty->rec.slave;
		struct pid *session = NULL, *fg = NULL;

		if (rpty->rec.flags & CKPT_PTY_LOCKED)
			set_bit(TTY_PTY_LOCK, &master->flags);
		if (!st->sid)
			continue;
		for (i = 0; i < ctx->nr_procs; i++) {
			struct ckpt_rproc *p = &ctx->procs[i];
			struct task_struct *t = p->task;

			if (p->rec.flags & CKPT_TASK_ZOMBIE)
				continue;
			if (st->fg_pgrp && p->rec.pgid == st->fg_pgrp && p->pgrp)
				fg = p->pgrp;
			if (p->rec.sid != st->sid || !p->sid)
				continue;
			session = p->sid;
			spin_lock(&t->sighand->siglock);
			if (!t->signal->tty)
				t->signal->tty = tty_kref_get(slave);
			spin_unlock(&t->sighand->siglock);
		}
		if (!session)
			continue;
		spin_lock(&slave->ctrl.lock);
		put_pid(slave->ctrl.session);
		put_pid(slave->ctrl.pgrp);
		slave->ctrl.session = get_pid(session);
		slave->ctrl.pgrp = get_pid(fg);
		spin_unlock(&slave->ctrl.lock);
	}
}

const struct ckpt_file_ops ckpt_pty_file_ops = {
	.name		= "pty",
	.kinds		= BIT(CKPT_FILE_PTY_MASTER) | BIT(CKPT_FILE_PTY_SLAVE),
	.obj_rec	= CKPT_REC_PTY,
	.scan		= ckpt_scan_ptys,
	.release	= ckpt_put_ptys,
	.owns		= ckpt_pty_owns,
	.write		= ckpt_write_pty_file,
	.read		= ckpt_read_pty,
	.open		= ckpt_open_pty_file,
	.commit		= ckpt_commit_ptys,
};
