// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a process or a thread can hold that the image does not, found
 * and refused before the process is written, each with a reason that
 * names it: a checkpoint that succeeds must restart the job as it was,
 * and a job that would come back without one of these (in the host's
 * network namespace instead of its own, without its LDT, tracing nothing)
 * would not be.  The audit table in Documentation/checkpoint.rst lists
 * every kind of state with what happens to it; this file is its
 * "refused" column for the task, its credentials and its namespaces.
 * Mappings and the address space are checked in mm.c, open files by
 * their kinds.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/mempolicy.h>
#include <linux/mnt_namespace.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/thread_info.h>
#include <linux/time_namespace.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <asm/desc.h>
#include <asm/fpu/xstate.h>
#include <net/net_namespace.h>

#include "internal.h"

/* Which namespace of @p is not the checkpointer's, or NULL. */
static const char *ckpt_other_namespace(struct task_struct *p)
{
	struct nsproxy *mine = current->nsproxy, *ns;
	const char *what = NULL;

	task_lock(p);
	ns = p->nsproxy;
	if (!ns)
		what = NULL;
	else if (ns->uts_ns != mine->uts_ns)
		what = "UTS";
	else if (ns->ipc_ns != mine->ipc_ns)
		what = "IPC";
	else if (ns->mnt_ns != mine->mnt_ns)
		what = "mount";
#ifdef CONFIG_NET
	else if (ns->net_ns != mine->net_ns)
		what = "network";
#endif
	else if (ns->cgroup_ns != mine->cgroup_ns)
		what = "cgroup";
	else if (ns->time_ns != mine->time_ns || ns->time_ns_for_children != mine->time_ns)
		what = "time";
	else if (ns->pid_ns_for_children != task_active_pid_ns(current))
		what = "PID (for its children, unshare(CLONE_NEWPID))";
	task_unlock(p);
	if (!what && task_active_pid_ns(p) != task_active_pid_ns(current))
		what = "PID";
	if (!what && task_cred_xxx(p, user_ns) != current_user_ns())
		what = "user";
	return what;
}

static bool ckpt_groups_differ(const struct group_info *a, const struct group_info *b)
{
	int i;

	if (a == b)
		return false;
	if (a->ngroups != b->ngroups)
		return true;
	for (i = 0; i < a->ngroups; i++)
		if (!gid_eq(a->gid[i], b->gid[i]))
			return true;
	return false;
}

/*
 * Do two threads' credentials differ in what the image keeps?  The C
 * library's setuid() and setgroups() give every thread new credentials
 * of their own, equal ones.
 */
static bool ckpt_creds_differ(const struct cred *a, const struct cred *b)
{
	if (a == b)
		return false;
	return !uid_eq(a->uid, b->uid) || !uid_eq(a->euid, b->euid) ||
	       !uid_eq(a->suid, b->suid) || !uid_eq(a->fsuid, b->fsuid) ||
	       !gid_eq(a->gid, b->gid) || !gid_eq(a->egid, b->egid) ||
	       !gid_eq(a->sgid, b->sgid) || !gid_eq(a->fsgid, b->fsgid) ||
	       ckpt_groups_differ(a->group_info, b->group_info) || a->securebits != b->securebits ||
	       !cap_issubset(a->cap_permitted, b->cap_permitted) ||
	       !cap_issubset(b->cap_permitted, a->cap_permitted) ||
	       !cap_issubset(a->cap_effective, b->cap_effective) ||
	       !cap_issubset(b->cap_effective, a->cap_effective) ||
	       !cap_issubset(a->cap_inheritable, b->cap_inheritable) ||
	       !cap_issubset(b->cap_inheritable, a->cap_inheritable) ||
	       !cap_issubset(a->cap_bset, b->cap_bset) || !cap_issubset(b->cap_bset, a->cap_bset) ||
	       !cap_issubset(a->cap_ambient, b->cap_ambient) ||
	       !cap_issubset(b->cap_ambient, a->cap_ambient);
}

/* A process @t traces, for the log line; 0 if none. */
static pid_t ckpt_tracee(struct task_struct *t)
{
	struct task_struct *child;
	pid_t nr = 0;

	read_lock(&tasklist_lock);
	child = list_first_entry_or_null(&t->ptraced, struct task_struct, ptrace_entry);
	if (child)
		nr = task_pid_vnr(child);
	read_unlock(&tasklist_lock);
	return nr;
}

/* A mode prctl(2) or arch_prctl(2) set on @t that is not saved, or NULL. */
static const char *ckpt_unsaved_mode(struct task_struct *t)
{
	unsigned int i;

	if (task_spec_ssb_disable(t) || task_spec_ssb_force_disable(t) ||
	    task_spec_ssb_noexec(t) || task_spec_ib_disable(t) || task_spec_ib_force_disable(t))
		return "speculation control (PR_SET_SPECULATION_CTRL)";
	if (t->flags & (PF_MCE_PROCESS | PF_MCE_EARLY))
		return "a memory-error kill policy (PR_MCE_KILL)";
	if ((t->flags & (PF_MEMALLOC_NOIO | PF_LOCAL_THROTTLE)) ==
	    (PF_MEMALLOC_NOIO | PF_LOCAL_THROTTLE))
		return "PR_SET_IO_FLUSHER";
	if (test_task_syscall_work(t, SYSCALL_USER_DISPATCH))
		return "syscall user dispatch (PR_SET_SYSCALL_USER_DISPATCH)";
	if (test_tsk_thread_flag(t, TIF_NOTSC))
		return "rdtsc disabled (PR_SET_TSC)";
	if (test_tsk_thread_flag(t, TIF_NOCPUID))
		return "cpuid faulting (ARCH_SET_CPUID)";
	if (test_tsk_thread_flag(t, TIF_SPEC_L1D_FLUSH))
		return "L1D flushing (PR_SET_SPECULATION_CTRL, PR_SPEC_L1D_FLUSH)";
#ifdef CONFIG_SCHED_CORE
	if (t->core_cookie)
		return "a core scheduling cookie (PR_SCHED_CORE)";
#endif
#ifdef CONFIG_NUMA
	if (t->mempolicy)
		return "a NUMA memory policy (set_mempolicy(2))";
#endif
#ifdef CONFIG_X86_USER_SHADOW_STACK
	if (t->thread.features)
		return "a shadow stack (ARCH_SHSTK_ENABLE)";
#endif
	if (t->group_leader->thread.fpu.perm.__state_perm & XFEATURE_MASK_USER_DYNAMIC)
		return "AMX state permitted (ARCH_REQ_XCOMP_PERM)";
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		if (!desc_empty(&t->thread.tls_array[i]))
			return "a TLS descriptor (set_thread_area(2))";
#ifdef CONFIG_X86_IOPL_IOPERM
	if (t->thread.io_bitmap || t->thread.iopl_emul)
		return "I/O port access (ioperm(2) or iopl(2))";
#endif
	return NULL;
}

static int ckpt_check_thread(struct ckpt_ctx *ctx, struct task_struct *p, struct task_struct *t)
{
	pid_t tid = task_pid_vnr(t);
	const struct cred *cred;
	const char *what;
	bool differ, keyring = false;
	u32 secid, mine;
	pid_t tracee;

	rcu_read_lock();
	cred = __task_cred(t);
	differ = ckpt_creds_differ(cred, __task_cred(p));
#ifdef CONFIG_KEYS
	keyring = cred->thread_keyring || cred->process_keyring;
#endif
	security_cred_getsecid(cred, &secid);
	rcu_read_unlock();
	if (differ)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d has credentials of its own (ids, groups or capabilities): the image keeps the process's",
				tid);
	if (keyring)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d has a thread or process keyring (keyctl(2)): not saved",
				tid);
	security_cred_getsecid(current_cred(), &mine);
	if (secid != mine)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d runs under another security label than the checkpointer's: not saved",
				tid);
	what = ckpt_unsaved_mode(t);
	if (what)
		return ckpt_err(ctx, -EOPNOTSUPP, "thread %d has %s: not saved", tid, what);
	tracee = ckpt_tracee(t);
	if (tracee)
		return ckpt_err(ctx, -EBUSY, "thread %d traces pid %d (ptrace): not saved",
				tid, tracee);
	return 0;
}

/* A process outside the job that shares @p's memory or signal handlers. */
static int ckpt_check_shared_outside(struct ckpt_ctx *ctx, struct task_struct *p)
{
	struct mm_struct *mm = p->mm;
	struct sighand_struct *sighand = p->sighand;
	struct task_struct *q;
	pid_t vm = 0, sig = 0;

	rcu_read_lock();
	for_each_process(q) {
		if (ckpt_member_index(ctx, q) >= 0)
			continue;
		task_lock(q);
		if (q->mm == mm)
			vm = task_pid_vnr(q);
		task_unlock(q);
		if (!vm && rcu_access_pointer(q->sighand) == sighand)
			sig = task_pid_vnr(q);
		if (vm || sig)
			break;
	}
	rcu_read_unlock();
	if (vm)
		return ckpt_err(ctx, -EBUSY,
				"shares its memory with pid %d, outside the job (CLONE_VM)", vm);
	if (sig)
		return ckpt_err(ctx, -EBUSY,
				"shares its signal handlers with pid %d, outside the job (CLONE_SIGHAND)",
				sig);
	return 0;
}

/**
 * ckpt_check_unsaved - refuse a process that holds state the image
 * does not keep
 * @ctx:	the checkpoint context
 * @p:		the frozen process (not a zombie)
 * @threads:	its threads, the leader first
 * @n:		how many
 *
 * Its namespaces must be the checkpointer's (restart recreates the job
 * in the restarter's); each thread's credentials must be the process's,
 * with no keyring of its own and the checkpointer's security label; no
 * prctl(2) or arch_prctl(2) mode the image does not keep may be set; no
 * thread may trace another process; and no process outside the job may
 * share its memory or signal handlers.
 *
 * Return: 0, or -EOPNOTSUPP or -EBUSY with the reason logged.
 */
int ckpt_check_unsaved(struct ckpt_ctx *ctx, struct task_struct *p,
		       struct task_struct **threads, unsigned int n)
{
	const char *ns = ckpt_other_namespace(p);
	unsigned int i;
	int err = 0;

	if (ns)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"runs in another %s namespace than the checkpointer: namespaces are not saved",
				ns);
	for (i = 0; i < n && !err; i++)
		err = ckpt_check_thread(ctx, p, threads[i]);
	return err ?: ckpt_check_shared_outside(ctx, p);
}
