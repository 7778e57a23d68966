// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint by signal: the SIG_CKPT and SIG_CKPT_KILL dispositions.
 *
 * get_signal() hands a signal whose disposition is SIG_CKPT or
 * SIG_CKPT_KILL to ckpt_signal(), in the thread that dequeued it, with
 * no lock held.  That thread checkpoints its job itself.  The job is the
 * process, its process group, its session, or the tree under the process
 * that chose that scope (prctl(PR_SET_CKPT_SCOPE), copied at fork, kept
 * across exec; the default is the process).  Every other thread of the
 * job is frozen as for checkpoint(2); the receiving thread is not, but it
 * is saved as if it were: its user registers are those of a thread
 * parked in get_signal(), so after a restart it goes on as a thawed
 * thread does.  The signal itself is consumed like an ignored one, and a
 * system call it interrupted is restarted.
 *
 * The image goes to a new file beside its final name (O_CREAT | O_EXCL,
 * so never through a symlink; mode 0600; created with the process's own
 * credentials), is synced, and is renamed to the name that
 * kernel.checkpoint_pattern, or the process's own pattern, gives -- all
 * before anything else happens, so a reader of the final name sees a
 * complete image or none.  Only then does SIG_CKPT_KILL end the job, each
 * process as if killed by the signal (no core dump); a parent sees
 * CLD_CKPTED.  If anything fails, the job is as it was, the new file is
 * removed, the reason goes to the kernel log, and the signal's default
 * action follows.  A process that is not dumpable (a setuid program, say)
 * is never saved, as it would get no core dump.
 *
 * Two jobs, or two members of one job, may receive such a signal at
 * once.  Checkpoints by signal are serialised: a thread that finds one
 * running puts its signal back and parks in the freezer trap -- where a
 * frozen thread parks -- until the running one ends.  So a member of the
 * running checkpoint's job is frozen like any other, and another job
 * waits its turn.  A member's pending instance of the signal that
 * started the checkpoint, when that member's disposition of it is a
 * checkpoint too, asks for the same checkpoint: it is left out of the
 * image, and after the thaw its delivery is consumed ("absorbed").
 *
 * Known limits: the freezer trap is one bit (JOBCTL_TRAP_FREEZE, which
 * the cgroup v2 freezer shares with checkpoint(2)), so a waiter that
 * another checkpoint froze meanwhile is thawed when the running one ends;
 * and a served signal that the process takes by other means before its
 * delivery (sigwaitinfo(), a signalfd) leaves its mark, which then
 * consumes the next delivery of that signal.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/ckpt_signal.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pid_namespace.h>
#include <linux/prctl.h>
#include <linux/random.h>
#include <linux/sched/coredump.h>
#include <linux/sched/jobctl.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "internal.h"

/**
 * struct ckpt_signal - a process's checkpoint settings and state
 * @scope:	CKPT_PROCESS, CKPT_PGRP, CKPT_SESSION or CKPT_TREE
 * @anchor:	for CKPT_TREE, the root of the tree
 * @pattern:	where images go, as kernel.checkpoint_pattern; "" for it
 * @notify:	the signal that announces a checkpoint, or 0
 * @blocks:	critical sections entered and not left
 * @pending:	a checkpoint of its job waits for it (notification, critical
 *		sections) or runs
 * @answer:	its answer to the notification: 0 none yet, 1 ready,
 *		-EAGAIN not now
 * @absorbed:	signals whose next delivery a checkpoint has served
 *		(under the process's siglock)
 * @deferred:	checkpoint signals that came inside a critical section,
 *		sent again when the last one is left
 * @ended:	it was ended by SIG_CKPT_KILL after its image was complete
 *
 * The first three are copied at fork and kept across exec but a secure
 * one; the others belong to the process.  All but @absorbed are under
 * ckpt_sig_lock.
 */
struct ckpt_signal {
	unsigned int scope;
	struct pid *anchor;
	char pattern[CKPT_PATTERN_MAX];
	int notify;
	unsigned int blocks;
	bool pending;
	int answer;
	sigset_t absorbed;
	sigset_t deferred;
	bool ended;
	struct ckpt_acct_base *bases;
};

static DEFINE_SPINLOCK(ckpt_sig_lock);
static DECLARE_WAIT_QUEUE_HEAD(ckpt_sig_wait);

/* The thread running a checkpoint by signal, and those waiting for it. */
static struct task_struct *ckpt_sig_owner;
static LIST_HEAD(ckpt_sig_waiters);

struct ckpt_sig_waiter {
	struct list_head node;
	struct task_struct *task;
};

static char ckpt_sysctl_pattern[CKPT_PATTERN_MAX] = "%e.%p.ckpt";
static unsigned int ckpt_sysctl_notify_ms = 10000;
static unsigned int ckpt_notify_ms_max = 600000;

/**
 * struct ckpt_sigreq - one checkpoint by signal
 * @sig:	the signal
 * @kill:	SIG_CKPT_KILL: end the job once the image is in place
 * @file:	the image, under its temporary name
 * @final:	the final name's last component
 * @committed:	the image has its final name
 */
struct ckpt_sigreq {
	int sig;
	bool kill;
	struct file *file;
	const char *final;
	bool committed;
};

static struct ckpt_signal *ckpt_sig_of(struct task_struct *p)
{
	return READ_ONCE(p->signal->ckpt);
}

/* @p's settings, made if it has none yet; NULL if out of memory. */
static struct ckpt_signal *ckpt_sig_get(struct task_struct *p)
{
	struct ckpt_signal *cs = ckpt_sig_of(p), *fresh;

	if (cs)
		return cs;
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return NULL;
	fresh->scope = CKPT_PROCESS;
	spin_lock(&ckpt_sig_lock);
	cs = p->signal->ckpt;
	if (!cs) {
		/* Initialised before seen: pairs with ckpt_sig_bases(). */
		smp_store_release(&p->signal->ckpt, fresh);
		cs = fresh;
		fresh = NULL;
	}
	spin_unlock(&ckpt_sig_lock);
	kfree(fresh);
	return cs;
}

/**
 * ckpt_copy_signal - give a new process its parent's checkpoint settings
 * @sig:	the new process's signal_struct
 * @parent:	the forking process's
 *
 * Context: copy_signal(), @sig not visible to anyone else yet.
 * Return: 0 or -ENOMEM.
 */
int ckpt_copy_signal(struct signal_struct *sig, struct signal_struct *parent)
{
	struct ckpt_signal *from = READ_ONCE(parent->ckpt), *cs;

	if (!from)
		return 0;
	cs = kzalloc(sizeof(*cs), GFP_KERNEL_ACCOUNT);
	if (!cs)
		return -ENOMEM;
	spin_lock(&ckpt_sig_lock);
	cs->scope = from->scope;
	cs->anchor = get_pid(from->anchor);
	memcpy(cs->pattern, from->pattern, sizeof(cs->pattern));
	spin_unlock(&ckpt_sig_lock);
	sig->ckpt = cs;
	return 0;
}

/**
 * ckpt_free_signal - free a process's checkpoint settings
 * @sig: its signal_struct, being freed
 */
void ckpt_free_signal(struct signal_struct *sig)
{
	struct ckpt_signal *cs = sig->ckpt;

	if (!cs)
		return;
	while (cs->bases) {
		struct ckpt_acct_base *base = cs->bases;

		cs->bases = base->next;
		put_pid(base->pid);
		kfree(base);
	}
	put_pid(cs->anchor);
	kfree(cs);
}

/**
 * ckpt_sig_add_base - keep a restored thread's earlier use with its process
 * @t:		the thread
 * @base:	what it had used; the process owns it from now on
 *
 * The list only grows, until the process is freed, so that it can be
 * read without a lock (ckpt_sig_bases()).
 *
 * Return: 0, or -ENOMEM (the caller still owns @base).
 */
int ckpt_sig_add_base(struct task_struct *t, struct ckpt_acct_base *base)
{
	struct ckpt_signal *cs = ckpt_sig_get(t);

	if (!cs)
		return -ENOMEM;
	spin_lock(&ckpt_sig_lock);
	base->next = cs->bases;
	/* Filled in before seen: pairs with ckpt_sig_bases(). */
	smp_store_release(&cs->bases, base);
	spin_unlock(&ckpt_sig_lock);
	return 0;
}

/**
 * ckpt_sig_bases - the restored threads' earlier use, kept with a process
 * @sig: the process's signal_struct, which the caller keeps alive
 *
 * Context: any; takes no lock.
 * Return: the first of the list, or NULL.
 */
const struct ckpt_acct_base *ckpt_sig_bases(struct signal_struct *sig)
{
	/* Pairs with the releases in ckpt_sig_get() and ckpt_sig_add_base(). */
	struct ckpt_signal *cs = smp_load_acquire(&sig->ckpt);

	/* As above. */
	return cs ? smp_load_acquire(&cs->bases) : NULL;
}

/**
 * ckpt_exec_signal - what an exec keeps of the checkpoint settings
 * @t:		the task that execs, alone in its thread group now
 * @secure:	the exec gains privileges (setuid, file capabilities...)
 *
 * The dispositions and the scope and pattern survive an exec, so that a
 * wrapper can arm a program; a secure exec resets them all.  The
 * notification and critical sections belong to the old program.
 */
void ckpt_exec_signal(struct task_struct *t, bool secure)
{
	struct ckpt_signal *cs = ckpt_sig_of(t);
	struct pid *anchor = NULL;
	int i;

	if (secure) {
		spin_lock_irq(&t->sighand->siglock);
		for (i = 0; i < _NSIG; i++) {
			struct k_sigaction *ka = &t->sighand->action[i];

			if (ckpt_sig_handler(ka->sa.sa_handler))
				ka->sa.sa_handler = SIG_DFL;
		}
		spin_unlock_irq(&t->sighand->siglock);
	}
	if (!cs)
		return;
	spin_lock(&ckpt_sig_lock);
	cs->notify = 0;
	cs->blocks = 0;
	sigemptyset(&cs->deferred);
	if (secure) {
		cs->scope = CKPT_PROCESS;
		anchor = cs->anchor;
		cs->anchor = NULL;
		cs->pattern[0] = '\0';
	}
	spin_unlock(&ckpt_sig_lock);
	put_pid(anchor);
	wake_up_all(&ckpt_sig_wait);
}

/**
 * ckpt_ended - was a process ended by SIG_CKPT_KILL?
 * @sig: its signal_struct
 *
 * Return: true if its image was written and it was then ended by the
 * signal: its parent is told CLD_CKPTED instead of CLD_KILLED.
 */
bool ckpt_ended(struct signal_struct *sig)
{
	struct ckpt_signal *cs = READ_ONCE(sig->ckpt);

	return cs && READ_ONCE(cs->ended);
}

/*
 * The image's name: the pattern with %p (pid), %P (pid in the initial
 * namespace), %u, %g (real uid and gid), %s (signal), %t (time, seconds
 * since the epoch), %h (host name), %e (command name) and %% expanded.
 * A '/' in a host or command name becomes '!', as in core file names.
 */
static int ckpt_sig_name(char *name, const char *pattern, int sig)
{
	const struct cred *cred = current_cred();
	char comm[TASK_COMM_LEN];
	char host[__NEW_UTS_LEN + 1];
	size_t n = 0;
	const char *p;

	for (p = pattern; *p; p++) {
		const char *esc = NULL;
		char num[24];

		if (*p != '%') {
			if (n + 1 >= PATH_MAX)
				return -ENAMETOOLONG;
			name[n++] = *p;
			continue;
		}
		switch (*++p) {
		case '\0':
			p--;
			continue;
		case '%':
			strscpy(num, "%");
			break;
		case 'p':
			snprintf(num, sizeof(num), "%d", task_tgid_vnr(current));
			break;
		case 'P':
			snprintf(num, sizeof(num), "%d", task_tgid_nr(current));
			break;
		case 'u':
			snprintf(num, sizeof(num), "%u", from_kuid(cred->user_ns, cred->uid));
			break;
		case 'g':
			snprintf(num, sizeof(num), "%u", from_kgid(cred->user_ns, cred->gid));
			break;
		case 's':
			snprintf(num, sizeof(num), "%d", sig);
			break;
		case 't':
			snprintf(num, sizeof(num), "%lld", ktime_get_real_seconds());
			break;
		case 'h':
			down_read(&uts_sem);
			strscpy(host, utsname()->nodename);
			up_read(&uts_sem);
			esc = host;
			break;
		case 'e':
			get_task_comm(comm, current);
			esc = comm;
			break;
		default:	/* unknown: dropped, as core_pattern does */
			continue;
		}
		for (esc = esc ?: num; *esc; esc++) {
			if (n + 1 >= PATH_MAX)
				return -ENAMETOOLONG;
			name[n++] = *esc == '/' ? '!' : *esc;
		}
	}
	name[n] = '\0';
	if (!n || name[n - 1] == '/')
		return -EINVAL;
	return 0;
}

/*
 * The directory entry of @file, referenced (an unlink must not find the
 * open file's reference the only one) and locked in its parent; or an
 * error.  ckpt_sig_unlock_parent() undoes it.
 */
static struct dentry *ckpt_sig_lock_parent(struct file *file, struct dentry **dirp)
{
	struct dentry *dentry = dget(file->f_path.dentry);
	struct dentry *dir = dget_parent(dentry);

	inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
	if (dentry->d_parent != dir || d_unhashed(dentry)) {
		inode_unlock(d_inode(dir));
		dput(dir);
		dput(dentry);
		return ERR_PTR(-ESTALE);	/* renamed or removed meanwhile */
	}
	*dirp = dir;
	return dentry;
}

static void ckpt_sig_unlock_parent(struct dentry *dentry, struct dentry *dir)
{
	inode_unlock(d_inode(dir));
	dput(dir);
	dput(dentry);
}

/* Remove the temporary file of a checkpoint that failed. */
static void ckpt_sig_unlink(struct file *file)
{
	struct dentry *dentry, *dir;

	if (mnt_want_write(file->f_path.mnt))
		return;
	dentry = ckpt_sig_lock_parent(file, &dir);
	if (!IS_ERR(dentry)) {
		vfs_unlink(file_mnt_idmap(file), d_inode(dir), dentry, NULL);
		ckpt_sig_unlock_parent(dentry, dir);
	}
	mnt_drop_write(file->f_path.mnt);
}

/* Give the complete image its final name, replacing what was there. */
static int ckpt_sig_rename(struct file *file, const char *final)
{
	struct renamedata rd = {};
	struct dentry *dentry, *dir, *target;
	int err;

	err = mnt_want_write(file->f_path.mnt);
	if (err)
		return err;
	dentry = ckpt_sig_lock_parent(file, &dir);
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
		goto out;
	}
	target = lookup_one_len(final, dir, strlen(final));
	if (IS_ERR(target)) {
		err = PTR_ERR(target);
	} else {
		rd.old_mnt_idmap = file_mnt_idmap(file);
		rd.old_dir = d_inode(dir);
		rd.old_dentry = dentry;
		rd.new_mnt_idmap = file_mnt_idmap(file);
		rd.new_dir = d_inode(dir);
		rd.new_dentry = target;
		err = vfs_rename(&rd);
		dput(target);
	}
	ckpt_sig_unlock_parent(dentry, dir);
out:
	mnt_drop_write(file->f_path.mnt);
	return err;
}

/*
 * Make the image's file, beside @name, as the process itself would with
 * open(O_CREAT | O_EXCL | O_NOFOLLOW, 0600) relative to its working
 * directory.
 */
static struct file *ckpt_sig_create(const char *name, char *tmp)
{
	struct file *file;

	if (snprintf(tmp, PATH_MAX, "%s.%08x.part", name, get_random_u32()) >= PATH_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	file = filp_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_LARGEFILE, 0600);
	if (IS_ERR(file))
		return file;
	if (!S_ISREG(file_inode(file)->i_mode)) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	return file;
}

/**
 * ckpt_sig_pending_ignored - is a queued signal one this checkpoint serves?
 * @ctx:	the checkpoint context
 * @t:		the thread whose queue it is in, its siglock held
 * @sig:	the signal
 *
 * Return: true if the checkpoint was started by @sig and @t's process
 * has a checkpoint disposition for it: the queued instance is left out
 * of the image.
 */
bool ckpt_sig_pending_ignored(struct ckpt_ctx *ctx, struct task_struct *t, int sig)
{
	return ctx->sigreq && sig == ctx->sigreq->sig &&
	       ckpt_sig_handler(t->sighand->action[sig - 1].sa.sa_handler);
}

/**
 * ckpt_sig_commit - the image is complete: put it in place
 * @ctx: the context of a checkpoint by signal, its job still frozen
 *
 * Return: 0 with the image under its final name, or a negative errno
 * with the reason logged.
 */
int ckpt_sig_commit(struct ckpt_ctx *ctx)
{
	struct ckpt_sigreq *req = ctx->sigreq;
	unsigned int i;
	int err;

	/* Each process's settings, where the kill or the absorption is noted. */
	for (i = 0; i < ctx->nr_members; i++)
		if (!ckpt_sig_get(ctx->members[i].task))
			return -ENOMEM;
	ctx->subject = 0;
	err = vfs_fsync(req->file, 0);
	if (err)
		return ckpt_err(ctx, err, "syncing the image failed (error %d)", err);
	err = ckpt_sig_rename(req->file, req->final);
	if (err)
		return ckpt_err(ctx, err, "renaming the image to %s failed (error %d)",
				req->final, err);
	req->committed = true;
	return 0;
}

/* Note in @p that the pending @sig has been served by this checkpoint. */
static void ckpt_sig_absorb(struct task_struct *p, int sig)
{
	struct ckpt_signal *cs = ckpt_sig_of(p);
	struct task_struct *t;
	unsigned long flags;
	bool pending;

	if (!cs || !lock_task_sighand(p, &flags))
		return;
	pending = sigismember(&p->signal->shared_pending.signal, sig);
	for_each_thread(p, t)
		pending = pending || sigismember(&t->pending.signal, sig);
	if (pending && ckpt_sig_handler(p->sighand->action[sig - 1].sa.sa_handler))
		sigaddset(&cs->absorbed, sig);
	unlock_task_sighand(p, &flags);
}

/* End @p as if killed by @sig, its image being complete. */
static void ckpt_sig_end(struct task_struct *p, int sig)
{
	struct ckpt_signal *cs = ckpt_sig_of(p);
	unsigned long flags;

	if (!lock_task_sighand(p, &flags))
		return;
	if (!(p->signal->flags & SIGNAL_GROUP_EXIT) && !p->signal->group_exec_task) {
		WRITE_ONCE(cs->ended, true);
		send_signal_locked(SIGKILL, SEND_SIG_PRIV, p, PIDTYPE_TGID);
		/* Its threads are frozen and need the siglock to exit. */
		p->signal->group_exit_code = sig;
	}
	unlock_task_sighand(p, &flags);
}

/**
 * ckpt_sig_act - what follows a checkpoint by signal whose image is in place
 * @ctx: the context, its job still frozen
 *
 * SIG_CKPT_KILL ends every process of the job before any thread of it
 * is thawed, the caller's included (which exits on its way out of
 * ckpt_signal()); SIG_CKPT notes the pending instances of the signal
 * that the checkpoint served.
 */
void ckpt_sig_act(struct ckpt_ctx *ctx)
{
	struct ckpt_sigreq *req = ctx->sigreq;
	unsigned int i;

	/*
	 * A process ended first runs at once, and its exit sends its
	 * children their parent-death signal (a SIGKILL, often) under the
	 * tasklist_lock write lock: holding it for reading until every
	 * process is ended, none gets another signal's exit code first.
	 */
	if (req->kill)
		read_lock(&tasklist_lock);
	for (i = 0; i < ctx->nr_members; i++) {
		struct task_struct *p = ctx->members[i].task;

		if (p->exit_state)
			continue;
		if (req->kill)
			ckpt_sig_end(p, req->sig);
		else
			ckpt_sig_absorb(p, req->sig);
	}
	if (req->kill)
		read_unlock(&tasklist_lock);
}

/* The id checkpoint(2) would take for the caller's job, or 0. */
static pid_t ckpt_sig_job(unsigned int scope, struct pid *anchor)
{
	switch (scope) {
	case CKPT_PGRP:
		return task_pgrp_vnr(current);
	case CKPT_SESSION:
		return task_session_vnr(current);
	case CKPT_TREE:
		if (anchor)
			return pid_vnr(anchor);
		fallthrough;
	default:
		return task_tgid_vnr(current);
	}
}

static const char *ckpt_sig_reason(int err)
{
	switch (err) {
	case -ENOSPC:
		return "no space left for the image";
	case -EDQUOT:
		return "disk quota exceeded";
	case -EEXIST:
		return "its temporary file exists";
	case -EACCES:
	case -EPERM:
		return "permission denied";
	case -ENOENT:
		return "no such directory";
	case -ENAMETOOLONG:
		return "name too long";
	default:
		return "failed";
	}
}

/* Checkpoint the caller's job for @sig.  Return: 0 or a negative errno. */
static int ckpt_sig_checkpoint(int sig, bool kill)
{
	struct ckpt_signal *cs = ckpt_sig_of(current);
	struct ckpt_sigreq req = { .sig = sig, .kill = kill };
	char pattern[CKPT_PATTERN_MAX];
	unsigned int scope = CKPT_PROCESS;
	struct pid *anchor = NULL;
	struct ckpt_ctx *ctx;
	char *name, *tmp;
	pid_t job;
	int err;

	if (!current->mm || get_dumpable(current->mm) != SUID_DUMP_USER) {
		pr_notice_ratelimited("signal %d to pid %d (%s): not dumpable: no image\n",
				      sig, task_tgid_vnr(current), current->comm);
		return -EPERM;
	}
	spin_lock(&ckpt_sig_lock);
	if (cs && cs->pattern[0])
		memcpy(pattern, cs->pattern, sizeof(pattern));
	else
		memcpy(pattern, ckpt_sysctl_pattern, sizeof(pattern));
	if (cs) {
		scope = cs->scope;
		anchor = get_pid(cs->anchor);
	}
	spin_unlock(&ckpt_sig_lock);
	job = ckpt_sig_job(scope, anchor);
	if (scope == CKPT_TREE && (!anchor || !pid_has_task(anchor, PIDTYPE_TGID)))
		job = 0;
	put_pid(anchor);
	if (!job) {
		pr_notice_ratelimited("signal %d to pid %d (%s): the root of its tree has exited: no image\n",
				      sig, task_tgid_vnr(current), current->comm);
		return -ESRCH;
	}

	name = __getname();
	tmp = __getname();
	if (!name || !tmp) {
		err = -ENOMEM;
		goto out;
	}
	err = ckpt_sig_name(name, pattern, sig);
	if (!err) {
		req.file = ckpt_sig_create(name, tmp);
		if (IS_ERR(req.file))
			err = PTR_ERR(req.file);
	}
	if (err) {
		pr_notice_ratelimited("signal %d to pid %d (%s): image %s: %s (error %d)\n",
				      sig, task_tgid_vnr(current), current->comm,
				      err == -EINVAL ? "(bad pattern)" : name,
				      ckpt_sig_reason(err), err);
		goto out;
	}
	req.final = kbasename(name);

	ctx = ckpt_ctx_alloc_file(req.file);
	if (IS_ERR(ctx)) {
		err = PTR_ERR(ctx);
	} else {
		ctx->sigreq = &req;
		ctx->klog_sig = sig;
		err = ckpt_checkpoint(ctx, job, scope | (kill ? CKPT_KILL : CKPT_CONTINUE));
		ckpt_ctx_put(ctx);
	}
	if (err && !req.committed)
		ckpt_sig_unlink(req.file);
	fput(req.file);
out:
	if (tmp)
		__putname(tmp);
	if (name)
		__putname(name);
	return err;
}

/* Put @info back on the caller's queue and park until the owner is done. */
static void ckpt_sig_wait_turn(kernel_siginfo_t *info, struct ckpt_sig_waiter *w)
{
	w->task = get_task_struct(current);
	list_add_tail(&w->node, &ckpt_sig_waiters);
	spin_lock_irq(&current->sighand->siglock);
	send_signal_locked(info->si_signo, info, current, PIDTYPE_PID);
	current->jobctl |= JOBCTL_TRAP_FREEZE;
	spin_unlock_irq(&current->sighand->siglock);
}

/* End the caller's turn: let the threads that waited for it go. */
static void ckpt_sig_end_turn(void)
{
	struct ckpt_sig_waiter *w, *next;
	LIST_HEAD(list);

	spin_lock(&ckpt_sig_lock);
	ckpt_sig_owner = NULL;
	list_splice_init(&ckpt_sig_waiters, &list);
	list_for_each_entry(w, &list, node)
		ckpt_thaw(w->task);
	spin_unlock(&ckpt_sig_lock);
	list_for_each_entry_safe(w, next, &list, node) {
		put_task_struct(w->task);
		kfree(w);
	}
}

/* Has a checkpoint already served this delivery of @sig? */
static bool ckpt_sig_absorbed(int sig)
{
	struct ckpt_signal *cs = ckpt_sig_of(current);
	bool served = false;

	if (!cs)
		return false;
	spin_lock_irq(&current->sighand->siglock);
	if (sigismember(&cs->absorbed, sig)) {
		sigdelset(&cs->absorbed, sig);
		served = true;
	}
	spin_unlock_irq(&current->sighand->siglock);
	return served;
}

/* Is the caller's process in a critical section?  Then later. */
static bool ckpt_sig_deferred(int sig)
{
	struct ckpt_signal *cs = ckpt_sig_of(current);
	bool later = false;

	if (!cs)
		return false;
	spin_lock(&ckpt_sig_lock);
	if (cs->blocks) {
		sigaddset(&cs->deferred, sig);
		later = true;
	}
	spin_unlock(&ckpt_sig_lock);
	return later;
}

/**
 * ckpt_signal - deliver a signal whose disposition is a checkpoint
 * @info:	the signal, dequeued
 * @handler:	SIG_CKPT or SIG_CKPT_KILL
 *
 * Checkpoints the caller's job (see the top of this file).  With
 * SIG_CKPT_KILL and a complete image, does not return: the process ends
 * as if killed by the signal.
 *
 * Context: get_signal(), no lock held.
 * Return: true if the signal was dealt with (the job was checkpointed,
 * the signal waits for another checkpoint to end, or one served it);
 * false if the signal's default action must follow.
 */
bool ckpt_signal(kernel_siginfo_t *info, __sighandler_t handler)
{
	int sig = info->si_signo;
	struct ckpt_sig_waiter *w;
	int err;

	if (current->flags & (PF_KTHREAD | PF_USER_WORKER))
		return false;
	if (ckpt_sig_absorbed(sig) || ckpt_sig_deferred(sig))
		return true;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return false;
	spin_lock(&ckpt_sig_lock);
	if (ckpt_sig_owner) {
		ckpt_sig_wait_turn(info, w);
		spin_unlock(&ckpt_sig_lock);
		return true;
	}
	ckpt_sig_owner = current;
	spin_unlock(&ckpt_sig_lock);
	kfree(w);

	err = ckpt_sig_checkpoint(sig, handler == SIG_CKPT_KILL);
	ckpt_sig_end_turn();
	if (err == -EINTR && !fatal_signal_pending(current) &&
	    (READ_ONCE(current->jobctl) & JOBCTL_TRAP_FREEZE)) {
		/* Another checkpoint is freezing us: after it, try again. */
		spin_lock_irq(&current->sighand->siglock);
		send_signal_locked(sig, info, current, PIDTYPE_PID);
		spin_unlock_irq(&current->sighand->siglock);
		return true;
	}
	/* A periodic checkpoint the job put off is skipped, not fatal. */
	if (err == -EAGAIN && handler == SIG_CKPT)
		return true;
	if (err)
		return false;
	if (handler == SIG_CKPT_KILL) {
		current->flags |= PF_SIGNALED;
		do_group_exit(sig);
	}
	return true;
}

/**
 * ckpt_sig_interrupted - must the checkpointer give up its wait?
 * @ctx: the checkpoint context
 *
 * checkpoint(2) gives up on any signal.  A checkpoint by signal runs in
 * signal delivery, where the caller's other pending signals wait their
 * turn: it gives up only for a fatal signal, or when another checkpoint
 * (or the cgroup freezer) is freezing the caller.
 *
 * Return: true to give up with -EINTR.
 */
bool ckpt_sig_interrupted(struct ckpt_ctx *ctx)
{
	if (!ctx->sigreq)
		return signal_pending(current);
	return fatal_signal_pending(current) ||
	       (READ_ONCE(current->jobctl) & JOBCTL_TRAP_FREEZE);
}

/* Notification and critical sections. */

static bool ckpt_notify_settled(struct ckpt_ctx *ctx)
{
	unsigned int i;
	bool done = true;

	spin_lock(&ckpt_sig_lock);
	for (i = 0; i < ctx->nr_notified && done; i++) {
		struct ckpt_signal *cs = ckpt_sig_of(ctx->notified[i]);

		done = !cs->blocks && (!cs->notify || cs->answer);
	}
	spin_unlock(&ckpt_sig_lock);
	return done;
}

/**
 * ckpt_notify_job - tell a job a checkpoint is coming, and wait for it
 * @ctx:	the checkpoint context, its members collected (not frozen)
 *
 * Each member that registered with prctl(PR_SET_CKPT_NOTIFY) gets its
 * signal with si_code SI_CKPT_PENDING, and the checkpoint waits until
 * each has answered prctl(PR_CKPT_READY) and no member is inside a
 * critical section (prctl(PR_CKPT_BLOCK)), for at most
 * kernel.checkpoint_notify_timeout_ms.  From here until
 * ckpt_notify_end(), a member entering a critical section waits.
 *
 * Return: 0; -EAGAIN if a member answered PR_CKPT_NOT_NOW or stayed in
 * a critical section; -EINTR; -ENOMEM.  The reason is logged; a member
 * that did not answer in time is a warning only.
 */
int ckpt_notify_job(struct ckpt_ctx *ctx)
{
	unsigned long timeout = msecs_to_jiffies(READ_ONCE(ckpt_sysctl_notify_ms));
	unsigned long deadline = jiffies + timeout;
	unsigned int i;
	int err = 0;

	ctx->notified = kvmalloc_array(ctx->nr_members, sizeof(*ctx->notified), GFP_KERNEL);
	if (!ctx->notified)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_members; i++) {
		struct task_struct *p = ctx->members[i].task;
		struct ckpt_signal *cs;

		if (p->exit_state)
			continue;
		cs = ckpt_sig_get(p);
		if (!cs)
			return -ENOMEM;
		spin_lock(&ckpt_sig_lock);
		cs->pending = true;
		cs->answer = 0;
		spin_unlock(&ckpt_sig_lock);
		ctx->notified[ctx->nr_notified++] = get_task_struct(p);
	}
	for (i = 0; i < ctx->nr_notified; i++) {
		struct task_struct *p = ctx->notified[i];
		struct ckpt_signal *cs = ckpt_sig_of(p);
		struct kernel_siginfo info;
		int signo;

		spin_lock(&ckpt_sig_lock);
		signo = cs->notify;
		/* The caller of a checkpoint by signal cannot answer. */
		if (signo && same_thread_group(p, current))
			cs->answer = 1;
		spin_unlock(&ckpt_sig_lock);
		if (!signo || same_thread_group(p, current))
			continue;
		clear_siginfo(&info);
		info.si_signo = signo;
		info.si_code = SI_CKPT_PENDING;
		do_send_sig_info(signo, &info, p, PIDTYPE_TGID);
	}
	while (!ckpt_notify_settled(ctx)) {
		long left = (long)(deadline - jiffies);

		if (ckpt_sig_interrupted(ctx))
			return ckpt_err(ctx, -EINTR,
					"interrupted by a signal while the job prepared");
		if (left <= 0)
			break;
		wait_event_killable_timeout(ckpt_sig_wait, ckpt_notify_settled(ctx),
					    min_t(long, left, HZ / 20));
	}
	spin_lock(&ckpt_sig_lock);
	for (i = 0; i < ctx->nr_notified && !err; i++) {
		struct ckpt_signal *cs = ckpt_sig_of(ctx->notified[i]);

		ctx->subject = task_tgid_vnr(ctx->notified[i]);
		if (cs->answer == -EAGAIN)
			err = -EAGAIN;
		else if (cs->blocks)
			err = -EBUSY;
		else if (cs->notify && !cs->answer)
			err = 1;
	}
	spin_unlock(&ckpt_sig_lock);
	if (err == -EAGAIN)
		return ckpt_err(ctx, -EAGAIN, "asked not to be checkpointed now (PR_CKPT_NOT_NOW)");
	if (err == -EBUSY)
		return ckpt_err(ctx, -EAGAIN,
				"stayed in a critical section (PR_CKPT_BLOCK) for %u ms",
				jiffies_to_msecs(timeout));
	if (err)
		ckpt_warn(ctx, "did not answer the checkpoint notification within %u ms",
			  jiffies_to_msecs(timeout));
	return 0;
}

/**
 * ckpt_notify_end - the checkpoint is over: let critical sections begin
 * @ctx: the checkpoint context
 */
void ckpt_notify_end(struct ckpt_ctx *ctx)
{
	unsigned int i;

	if (!ctx->notified)
		return;
	spin_lock(&ckpt_sig_lock);
	for (i = 0; i < ctx->nr_notified; i++)
		ckpt_sig_of(ctx->notified[i])->pending = false;
	spin_unlock(&ckpt_sig_lock);
	wake_up_all(&ckpt_sig_wait);
	for (i = 0; i < ctx->nr_notified; i++)
		put_task_struct(ctx->notified[i]);
	kvfree(ctx->notified);
	ctx->notified = NULL;
	ctx->nr_notified = 0;
}

/* prctl() */

static int ckpt_prctl_scope(unsigned long scope)
{
	struct ckpt_signal *cs;
	struct pid *old, *anchor = NULL;

	if (scope & ~CKPT_SCOPE_MASK)
		return -EINVAL;
	cs = ckpt_sig_get(current);
	if (!cs)
		return -ENOMEM;
	if (scope == CKPT_TREE)
		anchor = get_task_pid(current, PIDTYPE_TGID);
	spin_lock(&ckpt_sig_lock);
	cs->scope = scope;
	old = cs->anchor;
	cs->anchor = anchor;
	spin_unlock(&ckpt_sig_lock);
	put_pid(old);
	return 0;
}

static int ckpt_prctl_set_pattern(const char __user *upattern)
{
	char pattern[CKPT_PATTERN_MAX] = "";
	struct ckpt_signal *cs;
	long n;

	if (upattern) {
		n = strncpy_from_user(pattern, upattern, sizeof(pattern));
		if (n < 0)
			return n;
		if (n == sizeof(pattern))
			return -ENAMETOOLONG;
		if (!n || pattern[0] == '|')
			return -EINVAL;
	}
	cs = ckpt_sig_get(current);
	if (!cs)
		return -ENOMEM;
	spin_lock(&ckpt_sig_lock);
	memcpy(cs->pattern, pattern, sizeof(pattern));
	spin_unlock(&ckpt_sig_lock);
	return 0;
}

static int ckpt_prctl_get_pattern(char __user *buf, unsigned long size)
{
	struct ckpt_signal *cs = ckpt_sig_of(current);
	char pattern[CKPT_PATTERN_MAX] = "";
	size_t len;

	spin_lock(&ckpt_sig_lock);
	if (cs)
		memcpy(pattern, cs->pattern, sizeof(pattern));
	spin_unlock(&ckpt_sig_lock);
	len = strlen(pattern);
	if (size < len + 1)
		return -ERANGE;
	if (copy_to_user(buf, pattern, len + 1))
		return -EFAULT;
	return len;
}

/* PR_CKPT_BLOCK: wait while a checkpoint of the job is coming. */
static int ckpt_prctl_block(struct ckpt_signal *cs)
{
	int err = 0;

	spin_lock(&ckpt_sig_lock);
	while (cs->pending) {
		spin_unlock(&ckpt_sig_lock);
		if (wait_event_interruptible(ckpt_sig_wait, !READ_ONCE(cs->pending)))
			return -ERESTARTNOINTR;	/* frozen meanwhile: again after */
		spin_lock(&ckpt_sig_lock);
	}
	if (cs->blocks == UINT_MAX)
		err = -EOVERFLOW;
	else
		cs->blocks++;
	spin_unlock(&ckpt_sig_lock);
	return err;
}

/**
 * ckpt_prctl - the checkpoint prctl()s
 * @option:	PR_SET_CKPT_SCOPE ... PR_CKPT_UNBLOCK
 * @arg2:	its argument
 * @arg3:	the size of PR_GET_CKPT_PATTERN's buffer; else 0
 * @arg4:	0
 * @arg5:	0
 *
 * Return: 0, a value for the PR_GET_ ones, or a negative errno.
 */
int ckpt_prctl(int option, unsigned long arg2, unsigned long arg3,
	       unsigned long arg4, unsigned long arg5)
{
	struct ckpt_signal *cs;
	sigset_t deferred;
	int ret = 0, sig;

	sigemptyset(&deferred);
	if (arg4 || arg5 || (arg3 && option != PR_GET_CKPT_PATTERN))
		return -EINVAL;
	switch (option) {
	case PR_SET_CKPT_SCOPE:
		return ckpt_prctl_scope(arg2);
	case PR_SET_CKPT_PATTERN:
		return ckpt_prctl_set_pattern((const char __user *)arg2);
	case PR_GET_CKPT_PATTERN:
		return ckpt_prctl_get_pattern((char __user *)arg2, arg3);
	case PR_SET_CKPT_NOTIFY:
		if (arg2 && (!valid_signal(arg2) || sig_kernel_only(arg2)))
			return -EINVAL;
		break;
	default:
		if (arg2)
			return -EINVAL;
		break;
	}

	cs = option == PR_GET_CKPT_SCOPE || option == PR_GET_CKPT_NOTIFY ?
	     ckpt_sig_of(current) : ckpt_sig_get(current);
	if (option == PR_GET_CKPT_SCOPE)
		return cs ? READ_ONCE(cs->scope) : CKPT_PROCESS;
	if (option == PR_GET_CKPT_NOTIFY)
		return cs ? READ_ONCE(cs->notify) : 0;
	if (!cs)
		return -ENOMEM;
	if (option == PR_CKPT_BLOCK)
		return ckpt_prctl_block(cs);

	spin_lock(&ckpt_sig_lock);
	switch (option) {
	case PR_SET_CKPT_NOTIFY:
		cs->notify = arg2;
		break;
	case PR_CKPT_READY:
	case PR_CKPT_NOT_NOW:
		if (!cs->pending || !cs->notify || cs->answer)
			ret = -EINVAL;	/* nothing waits for an answer */
		else
			cs->answer = option == PR_CKPT_READY ? 1 : -EAGAIN;
		break;
	case PR_CKPT_UNBLOCK:
		if (!cs->blocks) {
			ret = -EINVAL;
		} else if (!--cs->blocks) {
			deferred = cs->deferred;
			sigemptyset(&cs->deferred);
		}
		break;
	default:
		ret = -EINVAL;
		break;
	}
	spin_unlock(&ckpt_sig_lock);
	wake_up_all(&ckpt_sig_wait);
	/* Checkpoint signals that came inside the critical section. */
	for (sig = 1; sig < _NSIG; sig++)
		if (sigismember(&deferred, sig))
			send_sig_info(sig, SEND_SIG_PRIV, current);
	return ret;
}

/* sysctl */

static int ckpt_pattern_handler(const struct ctl_table *table, int write, void *buffer,
				size_t *lenp, loff_t *ppos)
{
	char pattern[CKPT_PATTERN_MAX];
	struct ctl_table t = *table;
	int err;

	t.data = pattern;
	spin_lock(&ckpt_sig_lock);
	memcpy(pattern, ckpt_sysctl_pattern, sizeof(pattern));
	spin_unlock(&ckpt_sig_lock);
	err = proc_dostring(&t, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (!pattern[0] || pattern[0] == '|')
		return -EINVAL;
	spin_lock(&ckpt_sig_lock);
	memcpy(ckpt_sysctl_pattern, pattern, sizeof(pattern));
	spin_unlock(&ckpt_sig_lock);
	return 0;
}

static struct ctl_table ckpt_sysctls[] = {
	{
		.procname	= "checkpoint_pattern",
		.data		= ckpt_sysctl_pattern,
		.maxlen		= CKPT_PATTERN_MAX,
		.mode		= 0644,
		.proc_handler	= ckpt_pattern_handler,
	},
	{
		.procname	= "checkpoint_notify_timeout_ms",
		.data		= &ckpt_sysctl_notify_ms,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &ckpt_notify_ms_max,
	},
};

static int __init ckpt_sigckpt_init(void)
{
	register_sysctl_init("kernel", ckpt_sysctls);
	return 0;
}
late_initcall(ckpt_sigckpt_init);

/* The image: CKPT_REC_CKPTSIG */

/**
 * ckpt_write_ckptsig - write a process's checkpoint settings
 * @ctx:	the checkpoint context
 * @p:		the process, frozen (or the caller)
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_ckptsig(struct ckpt_ctx *ctx, struct task_struct *p)
{
	struct ckpt_rec_ckptsig rec = { .scope = CKPT_PROCESS };
	struct ckpt_signal *cs = ckpt_sig_of(p);
	struct pid *anchor = NULL;

	BUILD_BUG_ON(sizeof(rec.pattern) != sizeof(cs->pattern));
	if (cs) {
		spin_lock(&ckpt_sig_lock);
		rec.scope = cs->scope;
		rec.notify = cs->notify;
		memcpy(rec.pattern, cs->pattern, sizeof(rec.pattern));
		anchor = get_pid(cs->anchor);
		spin_unlock(&ckpt_sig_lock);
	}
	if (anchor && pid_has_task(anchor, PIDTYPE_TGID))
		rec.anchor = pid_vnr(anchor);
	put_pid(anchor);
	return ckpt_write_record(ctx, CKPT_REC_CKPTSIG, &rec, sizeof(rec));
}

/* The restored process of the image's pid @nr, if it is restored yet. */
static struct pid *ckpt_restored_pid(struct ckpt_ctx *ctx, pid_t nr)
{
	unsigned int i;

	for (i = 0; i < ctx->hdr.nr_tasks; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];

		if (proc->rec.pid == nr && proc->task)
			return get_task_pid(proc->task, PIDTYPE_TGID);
	}
	return NULL;
}

/**
 * ckpt_read_ckptsig - read and set the process's checkpoint settings
 * @ctx:	the restart context
 * @proc:	the process being restored, which is current
 *
 * A tree anchored at a process the image does not have (the job was
 * part of a larger tree) is anchored nowhere: a checkpoint by signal
 * then saves the tree under the process that receives the signal.
 *
 * Return: 0, -ENOEXEC for a malformed record, or -ENOMEM.
 */
int ckpt_read_ckptsig(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	struct ckpt_rec_ckptsig rec;
	struct ckpt_signal *cs;
	struct pid *anchor = NULL, *old;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_CKPTSIG, &rec, sizeof(rec));
	if (err)
		return err;
	if ((rec.scope & ~CKPT_SCOPE_MASK) || rec.reserved || rec.anchor < 0 ||
	    rec.anchor >= READ_ONCE(pid_max) ||
	    (rec.notify && (!valid_signal(rec.notify) || sig_kernel_only(rec.notify))) ||
	    !memchr(rec.pattern, '\0', sizeof(rec.pattern)) || rec.pattern[0] == '|')
		return ckpt_err(ctx, -ENOEXEC, "bad checkpoint settings record");
	/* A restored process starts with the restarter's settings. */
	if (!ckpt_sig_of(current) && rec.scope == CKPT_PROCESS && !rec.notify &&
	    !rec.pattern[0])
		return 0;
	cs = ckpt_sig_get(current);
	if (!cs)
		return -ENOMEM;
	if (rec.scope == CKPT_TREE && rec.anchor)
		anchor = rec.anchor == proc->rec.pid ? get_task_pid(current, PIDTYPE_TGID) :
						       ckpt_restored_pid(ctx, rec.anchor);
	spin_lock(&ckpt_sig_lock);
	cs->scope = rec.scope;
	cs->notify = rec.notify;
	memcpy(cs->pattern, rec.pattern, sizeof(cs->pattern));
	old = cs->anchor;
	cs->anchor = anchor;
	spin_unlock(&ckpt_sig_lock);
	put_pid(old);
	proc->notify = rec.notify;
	return 0;
}

/**
 * ckpt_notify_restarted - tell a restored job's processes it was restarted
 * @ctx: the restart context, every process restored and let go
 *
 * Each process registered with prctl(PR_SET_CKPT_NOTIFY) gets its signal
 * with si_code SI_CKPT_RESTARTED, to reconnect what the image could not
 * keep.
 */
void ckpt_notify_restarted(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];
		struct kernel_siginfo info;

		if (!proc->notify || !proc->task || (proc->rec.flags & CKPT_TASK_ZOMBIE))
			continue;
		clear_siginfo(&info);
		info.si_signo = proc->notify;
		info.si_code = SI_CKPT_RESTARTED;
		do_send_sig_info(proc->notify, &info, proc->task, PIDTYPE_TGID);
	}
}
