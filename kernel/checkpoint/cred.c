// SPDX-License-Identifier: GPL-2.0-only
/*
 * Credentials: user and group ids, supplementary groups, capability
 * sets and securebits.
 *
 * Ids are written as the checkpointer's user namespace sees them and
 * read in the restarter's.  An id that namespace does not map (a group
 * kept from outside a user namespace) is written as CKPT_ID_UNMAPPED,
 * and stands for the restarter's own unmapped ids: no process can name
 * one, nor add or remove one except by dropping all of its groups.
 *
 * Restart never grants more than the restarter has, and changes the
 * credentials only as the system calls that change them would, with
 * the same checks and the same security hooks: setresuid(2) and
 * setresgid(2) (ns_capable_setid(), security_task_fix_setuid() and
 * security_task_fix_setgid(), RLIMIT_NPROC), setgroups(2)
 * (may_setgroups(), security_task_fix_setgroups()), capset(2)
 * (security_capset()), PR_CAPBSET_DROP and PR_SET_SECUREBITS
 * (CAP_SETPCAP).  Whatever they refuse makes restart fail with -EPERM,
 * or with the error a security module gives.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched/user.h>
#include <linux/securebits.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "internal.h"

static u64 ckpt_cap(kernel_cap_t c)
{
	return c.val;
}

/**
 * ckpt_write_cred - write the CKPT_REC_CRED record of a task
 * @ctx:	the checkpoint context
 * @t:		the task
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_cred(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *c = get_task_cred(t);
	struct ckpt_rec_cred *rec;
	size_t len;
	int i, err;

	len = struct_size(rec, groups, c->group_info->ngroups);
	rec = kvzalloc(len, GFP_KERNEL);
	if (!rec) {
		put_cred(c);
		return -ENOMEM;
	}
	rec->uid = from_kuid(ns, c->uid);
	rec->euid = from_kuid(ns, c->euid);
	rec->suid = from_kuid(ns, c->suid);
	rec->fsuid = from_kuid(ns, c->fsuid);
	rec->gid = from_kgid(ns, c->gid);
	rec->egid = from_kgid(ns, c->egid);
	rec->sgid = from_kgid(ns, c->sgid);
	rec->fsgid = from_kgid(ns, c->fsgid);
	rec->cap_inheritable = ckpt_cap(c->cap_inheritable);
	rec->cap_permitted = ckpt_cap(c->cap_permitted);
	rec->cap_effective = ckpt_cap(c->cap_effective);
	rec->cap_bset = ckpt_cap(c->cap_bset);
	rec->cap_ambient = ckpt_cap(c->cap_ambient);
	rec->securebits = c->securebits;
	rec->ngroups = c->group_info->ngroups;
	for (i = 0; i < rec->ngroups; i++)
		rec->groups[i] = from_kgid(ns, c->group_info->gid[i]);
	put_cred(c);
	err = ckpt_write_record(ctx, CKPT_REC_CRED, rec, len);
	kvfree(rec);
	return err;
}

static bool ckpt_may_uid(const struct cred *old, kuid_t uid)
{
	return uid_eq(uid, old->uid) || uid_eq(uid, old->euid) ||
	       uid_eq(uid, old->suid) || ns_capable_setid(old->user_ns, CAP_SETUID);
}

static bool ckpt_may_gid(const struct cred *old, kgid_t gid)
{
	return gid_eq(gid, old->gid) || gid_eq(gid, old->egid) ||
	       gid_eq(gid, old->sgid) || ns_capable_setid(old->user_ns, CAP_SETGID);
}

static bool ckpt_same_groups(const struct group_info *a, const struct group_info *b)
{
	int i;

	if (a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++)
		if (!gid_eq(a->gid[i], b->gid[i]))
			return false;
	return true;
}

/*
 * The id an image's @id stands for: mapped in @ns, or CKPT_ID_UNMAPPED
 * for the restarter's own @mine when that is unmapped too.
 */
static kuid_t ckpt_image_kuid(struct user_namespace *ns, u32 id, kuid_t mine)
{
	return id != CKPT_ID_UNMAPPED ? make_kuid(ns, id) : mine;
}

static kgid_t ckpt_image_kgid(struct user_namespace *ns, u32 id, kgid_t mine)
{
	return id != CKPT_ID_UNMAPPED ? make_kgid(ns, id) : mine;
}

/*
 * The image's supplementary groups, its unmapped ones being the
 * restarter's (exactly as many of them).
 */
static struct group_info *ckpt_image_groups(struct ckpt_ctx *ctx, const struct ckpt_rec_cred *rec,
					    const struct cred *old)
{
	struct user_namespace *ns = current_user_ns();
	const struct group_info *mine = old->group_info;
	unsigned int unmapped = 0, n = 0;
	struct group_info *gi;
	int i;

	for (i = 0; i < rec->ngroups; i++)
		unmapped += rec->groups[i] == CKPT_ID_UNMAPPED;
	for (i = 0; i < mine->ngroups; i++)
		n += !kgid_has_mapping(ns, mine->gid[i]);
	if (unmapped != n) {
		ckpt_err(ctx, -EPERM,
			 "%u supplementary groups unmapped in the image, the restarter has %u",
			 unmapped, n);
		return ERR_PTR(-EPERM);
	}
	gi = groups_alloc(rec->ngroups);
	if (!gi)
		return ERR_PTR(-ENOMEM);
	for (i = 0, n = 0; i < rec->ngroups; i++) {
		if (rec->groups[i] != CKPT_ID_UNMAPPED) {
			gi->gid[i] = make_kgid(ns, rec->groups[i]);
			if (gid_valid(gi->gid[i]))
				continue;
			ckpt_err(ctx, -EINVAL, "group %u not mapped in this user namespace",
				 rec->groups[i]);
			put_group_info(gi);
			return ERR_PTR(-EINVAL);
		}
		while (kgid_has_mapping(ns, mine->gid[n]))
			n++;
		gi->gid[i] = mine->gid[n++];
	}
	groups_sort(gi);
	return gi;
}

/* The image's ids, checked as setresuid(2) and setresgid(2) check them. */
static int ckpt_cred_ids(struct ckpt_ctx *ctx, const struct ckpt_rec_cred *rec,
			 const struct cred *old, struct cred *new)
{
	struct user_namespace *ns = current_user_ns();
	const u32 uid[4] = { rec->uid, rec->euid, rec->suid, rec->fsuid };
	const u32 gid[4] = { rec->gid, rec->egid, rec->sgid, rec->fsgid };
	kuid_t *kuid[4] = { &new->uid, &new->euid, &new->suid, &new->fsuid };
	kgid_t *kgid[4] = { &new->gid, &new->egid, &new->sgid, &new->fsgid };
	int i;

	for (i = 0; i < 4; i++) {
		if ((uid[i] == CKPT_ID_UNMAPPED && kuid_has_mapping(ns, *kuid[i])) ||
		    (gid[i] == CKPT_ID_UNMAPPED && kgid_has_mapping(ns, *kgid[i])))
			return ckpt_err(ctx, -EPERM,
					"an id unmapped in the image stands for the restarter's, which is mapped");
		*kuid[i] = ckpt_image_kuid(ns, uid[i], *kuid[i]);
		*kgid[i] = ckpt_image_kgid(ns, gid[i], *kgid[i]);
		if (!uid_valid(*kuid[i]) || !gid_valid(*kgid[i]))
			return ckpt_err(ctx, -EINVAL,
					"user or group id not mapped in this user namespace");
		if (!ckpt_may_uid(old, *kuid[i]) || !ckpt_may_gid(old, *kgid[i]))
			return ckpt_err(ctx, -EPERM,
					"ids %u/%u/%u/%u, groups %u/%u/%u/%u: restarter may not take them",
					rec->uid, rec->euid, rec->suid, rec->fsuid,
					rec->gid, rec->egid, rec->sgid, rec->fsgid);
	}
	return 0;
}

/* The image's capability sets and securebits, checked as capset(2) would. */
static int ckpt_cred_caps(struct ckpt_ctx *ctx, const struct ckpt_rec_cred *rec,
			  const struct cred *old, struct cred *new)
{
	kernel_cap_t pi = { rec->cap_inheritable }, pp = { rec->cap_permitted };
	kernel_cap_t pe = { rec->cap_effective }, pb = { rec->cap_bset };
	kernel_cap_t pa = { rec->cap_ambient };
	int err;

	if ((pi.val | pp.val | pe.val | pb.val | pa.val) & ~CAP_VALID_MASK ||
	    !cap_issubset(pe, pp) || !cap_issubset(pa, cap_intersect(pp, pi)))
		return ckpt_err(ctx, -ENOEXEC, "inconsistent capability sets");
	if (!cap_issubset(pp, old->cap_permitted) || !cap_issubset(pi, old->cap_permitted) ||
	    !cap_issubset(pb, old->cap_bset))
		return ckpt_err(ctx, -EPERM, "capabilities %llx exceed the restarter's %llx",
				pp.val | pi.val, old->cap_permitted.val);
	if (!cap_issubset(old->cap_bset, pb) && !ns_capable(old->user_ns, CAP_SETPCAP))
		return ckpt_err(ctx, -EPERM,
				"a smaller bounding set (%llx) needs CAP_SETPCAP", pb.val);
	if (rec->securebits & ~SECUREBITS_DEFAULT & ~SECURE_ALL_BITS & ~SECURE_ALL_LOCKS)
		return ckpt_err(ctx, -ENOEXEC, "unknown securebits %x", rec->securebits);
	if (rec->securebits != old->securebits && !ns_capable(old->user_ns, CAP_SETPCAP))
		return ckpt_err(ctx, -EPERM, "changing securebits needs CAP_SETPCAP");

	new->cap_ambient = pa;
	err = security_capset(new, old, &pe, &pi, &pp);
	if (err)
		return ckpt_err(ctx, err,
				"capabilities refused by capset(2)'s rules or a security module (error %d)",
				err);
	new->cap_bset = pb;
	new->cap_ambient = pa;
	new->securebits = rec->securebits;
	return 0;
}

/*
 * The security hooks of the calls that would have made @new: each may
 * refuse (SafeSetID, for one, also kills the caller).  commoncap's own
 * setuid fixup of the capability sets is overridden by the capset that
 * follows, as a process's capset(2) after its setresuid(2) would.
 */
static int ckpt_cred_hooks(struct ckpt_ctx *ctx, struct cred *new, const struct cred *old)
{
	int err = 0;

	if (!uid_eq(new->uid, old->uid) || !uid_eq(new->euid, old->euid) ||
	    !uid_eq(new->suid, old->suid) || !uid_eq(new->fsuid, old->fsuid))
		err = security_task_fix_setuid(new, old, LSM_SETID_RES);
	if (!err && (!gid_eq(new->gid, old->gid) || !gid_eq(new->egid, old->egid) ||
		     !gid_eq(new->sgid, old->sgid) || !gid_eq(new->fsgid, old->fsgid)))
		err = security_task_fix_setgid(new, old, LSM_SETID_RES);
	if (!err && !ckpt_same_groups(new->group_info, old->group_info))
		err = security_task_fix_setgroups(new, old);
	if (err)
		ckpt_err(ctx, err, "credentials refused by a security module (error %d)", err);
	return err;
}

/* As setresuid(2): account the process to its new user. */
static int ckpt_cred_user(struct cred *new, const struct cred *old)
{
	struct user_struct *user;

	if (uid_eq(new->uid, old->uid))
		return 0;
	user = alloc_uid(new->uid);
	if (!user)
		return -ENOMEM;
	free_uid(new->user);
	new->user = user;
	return set_cred_ucounts(new);
}

/**
 * ckpt_read_cred - read the CKPT_REC_CRED record into new credentials
 * @ctx:	the restart context
 * @newp:	the credentials to commit, on success
 *
 * Runs in the task being restored, whose credentials are still the
 * restarter's.  Nothing is committed here: the task opens what it holds
 * with these credentials (override_creds()) and then commits them.
 *
 * Return: 0, -ENOEXEC for a malformed record, -EINVAL for ids this user
 * namespace cannot express, -EPERM when the image asks for more than
 * the restarter has, or what a security module refused with.
 */
int ckpt_read_cred(struct ckpt_ctx *ctx, struct cred **newp)
{
	const struct cred *old = current_cred();
	struct ckpt_rec_cred *rec;
	struct group_info *gi;
	struct cred *new;
	int err;

	rec = ckpt_read_record(ctx, CKPT_REC_CRED, sizeof(*rec),
			       struct_size(rec, groups, CKPT_MAX_GROUPS));
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	if (rec->h.len != struct_size(rec, groups, rec->ngroups)) {
		err = ckpt_err(ctx, -ENOEXEC, "cred record length does not match its %u groups",
			       rec->ngroups);
		goto out;
	}
	new = prepare_creds();
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	err = ckpt_cred_ids(ctx, rec, old, new);
	if (err)
		goto fail;
	gi = ckpt_image_groups(ctx, rec, old);
	if (IS_ERR(gi)) {
		err = PTR_ERR(gi);
		goto fail;
	}
	set_groups(new, gi);
	put_group_info(gi);
	if (!ckpt_same_groups(new->group_info, old->group_info) && !may_setgroups()) {
		err = ckpt_err(ctx, -EPERM,
			       "changing supplementary groups needs CAP_SETGID and setgroups allowed in the user namespace");
		goto fail;
	}
	err = ckpt_cred_hooks(ctx, new, old);
	if (!err)
		err = ckpt_cred_caps(ctx, rec, old, new);
	if (!err)
		err = ckpt_cred_user(new, old);
	if (err)
		goto fail;
	*newp = new;
	goto out;
fail:
	abort_creds(new);
out:
	kvfree(rec);
	return err;
}

/**
 * ckpt_commit_cred - give a restored process its credentials
 * @cred:	what ckpt_read_cred() made, consumed
 *
 * As setresuid(2) does when a process takes another user: if that user
 * is over its RLIMIT_NPROC (the process's own, restored by now), the
 * process's next execve() fails with -EAGAIN.
 *
 * Context: the restored process itself, its limits restored.
 */
void ckpt_commit_cred(struct cred *cred)
{
	bool other = !uid_eq(cred->uid, current_uid());

	commit_creds(cred);
	if (!other)
		return;
	if (is_rlimit_overlimit(current_ucounts(), UCOUNT_RLIMIT_NPROC, rlimit(RLIMIT_NPROC)) &&
	    current_user() != INIT_USER)
		current->flags |= PF_NPROC_EXCEEDED;
	else
		current->flags &= ~PF_NPROC_EXCEEDED;
}
