// SPDX-License-Identifier: GPL-2.0-only
/*
 * Credentials: user and group ids, supplementary groups, capability
 * sets and securebits.
 *
 * Ids are written as the checkpointer's user namespace sees them and
 * read in the restarter's.  Restart never grants more than the
 * restarter has: an id the restarter could not switch to with
 * setresuid(2)/setresgid(2), other groups without CAP_SETGID, a
 * capability outside its permitted set or bounding set, or other
 * securebits without CAP_SETPCAP, make restart fail with -EPERM.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched/user.h>
#include <linux/securebits.h>
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
	rec->uid = from_kuid_munged(ns, c->uid);
	rec->euid = from_kuid_munged(ns, c->euid);
	rec->suid = from_kuid_munged(ns, c->suid);
	rec->fsuid = from_kuid_munged(ns, c->fsuid);
	rec->gid = from_kgid_munged(ns, c->gid);
	rec->egid = from_kgid_munged(ns, c->egid);
	rec->sgid = from_kgid_munged(ns, c->sgid);
	rec->fsgid = from_kgid_munged(ns, c->fsgid);
	rec->cap_inheritable = ckpt_cap(c->cap_inheritable);
	rec->cap_permitted = ckpt_cap(c->cap_permitted);
	rec->cap_effective = ckpt_cap(c->cap_effective);
	rec->cap_bset = ckpt_cap(c->cap_bset);
	rec->cap_ambient = ckpt_cap(c->cap_ambient);
	rec->securebits = c->securebits;
	rec->ngroups = c->group_info->ngroups;
	for (i = 0; i < rec->ngroups; i++)
		rec->groups[i] = from_kgid_munged(ns, c->group_info->gid[i]);
	put_cred(c);
	err = ckpt_write_record(ctx, CKPT_REC_CRED, rec, len);
	kvfree(rec);
	return err;
}

static bool ckpt_may_uid(const struct cred *old, kuid_t uid)
{
	return uid_eq(uid, old->uid) || uid_eq(uid, old->euid) ||
	       uid_eq(uid, old->suid) || ns_capable(old->user_ns, CAP_SETUID);
}

static bool ckpt_may_gid(const struct cred *old, kgid_t gid)
{
	return gid_eq(gid, old->gid) || gid_eq(gid, old->egid) ||
	       gid_eq(gid, old->sgid) || ns_capable(old->user_ns, CAP_SETGID);
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

/**
 * ckpt_read_cred - read the CKPT_REC_CRED record into new credentials
 * @ctx:	the restart context
 * @newp:	the credentials to commit, on success
 *
 * Runs in the task being restored, whose credentials are still the
 * restarter's.  Nothing is committed here, so that the task can open
 * what it needs first.
 *
 * Return: 0, -ENOEXEC for a malformed record, -EPERM when the image asks
 * for more than the restarter has.
 */
int ckpt_read_cred(struct ckpt_ctx *ctx, struct cred **newp)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *old = current_cred();
	struct ckpt_rec_cred *rec;
	struct group_info *gi = NULL;
	kernel_cap_t pi, pp, pe, pb, pa;
	kuid_t uids[4];
	kgid_t gids[4];
	struct cred *new;
	int i, err = -ENOEXEC;

	rec = ckpt_read_record(ctx, CKPT_REC_CRED, sizeof(*rec),
			       struct_size(rec, groups, CKPT_MAX_GROUPS));
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	if (rec->h.len != struct_size(rec, groups, rec->ngroups)) {
		ckpt_err(ctx, err, "cred record length does not match its %u groups",
			 rec->ngroups);
		goto out;
	}

	uids[0] = make_kuid(ns, rec->uid);
	uids[1] = make_kuid(ns, rec->euid);
	uids[2] = make_kuid(ns, rec->suid);
	uids[3] = make_kuid(ns, rec->fsuid);
	gids[0] = make_kgid(ns, rec->gid);
	gids[1] = make_kgid(ns, rec->egid);
	gids[2] = make_kgid(ns, rec->sgid);
	gids[3] = make_kgid(ns, rec->fsgid);
	for (i = 0; i < 4; i++) {
		if (!uid_valid(uids[i]) || !gid_valid(gids[i])) {
			ckpt_err(ctx, -EINVAL,
				 "user or group id not mapped in this user namespace");
			err = -EINVAL;
			goto out;
		}
		if (!ckpt_may_uid(old, uids[i]) || !ckpt_may_gid(old, gids[i])) {
			ckpt_err(ctx, -EPERM,
				 "ids %u/%u/%u/%u, groups %u/%u/%u/%u: restarter may not take them",
				 rec->uid, rec->euid, rec->suid, rec->fsuid,
				 rec->gid, rec->egid, rec->sgid, rec->fsgid);
			err = -EPERM;
			goto out;
		}
	}

	pi.val = rec->cap_inheritable;
	pp.val = rec->cap_permitted;
	pe.val = rec->cap_effective;
	pb.val = rec->cap_bset;
	pa.val = rec->cap_ambient;
	if ((pi.val | pp.val | pe.val | pb.val | pa.val) & ~CAP_VALID_MASK ||
	    !cap_issubset(pe, pp) || !cap_issubset(pa, cap_intersect(pp, pi))) {
		ckpt_err(ctx, err, "inconsistent capability sets");
		goto out;
	}
	if (!cap_issubset(pp, old->cap_permitted) || !cap_issubset(pi, old->cap_permitted) ||
	    !cap_issubset(pb, old->cap_bset)) {
		ckpt_err(ctx, -EPERM, "capabilities %llx exceed the restarter's %llx",
			 pp.val | pi.val, old->cap_permitted.val);
		err = -EPERM;
		goto out;
	}
	if (rec->securebits & ~SECUREBITS_DEFAULT & ~SECURE_ALL_BITS & ~SECURE_ALL_LOCKS) {
		ckpt_err(ctx, err, "unknown securebits %x", rec->securebits);
		goto out;
	}
	if (rec->securebits != old->securebits && !ns_capable(old->user_ns, CAP_SETPCAP)) {
		ckpt_err(ctx, -EPERM, "changing securebits needs CAP_SETPCAP");
		err = -EPERM;
		goto out;
	}

	gi = groups_alloc(rec->ngroups);
	if (!gi) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rec->ngroups; i++) {
		gi->gid[i] = make_kgid(ns, rec->groups[i]);
		if (!gid_valid(gi->gid[i])) {
			ckpt_err(ctx, -EINVAL, "group %u not mapped in this user namespace",
				 rec->groups[i]);
			err = -EINVAL;
			goto out;
		}
	}
	groups_sort(gi);
	if (!ckpt_same_groups(gi, old->group_info) && !ns_capable(old->user_ns, CAP_SETGID)) {
		ckpt_err(ctx, -EPERM, "changing supplementary groups needs CAP_SETGID");
		err = -EPERM;
		goto out;
	}

	new = prepare_creds();
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	new->uid = uids[0];
	new->euid = uids[1];
	new->suid = uids[2];
	new->fsuid = uids[3];
	new->gid = gids[0];
	new->egid = gids[1];
	new->sgid = gids[2];
	new->fsgid = gids[3];
	new->cap_inheritable = pi;
	new->cap_permitted = pp;
	new->cap_effective = pe;
	new->cap_bset = pb;
	new->cap_ambient = pa;
	new->securebits = rec->securebits;
	set_groups(new, gi);
	if (!uid_eq(new->uid, old->uid)) {
		/* As setresuid(2): account the process to its new user. */
		struct user_struct *user = alloc_uid(new->uid);

		if (!user || set_cred_ucounts(new)) {
			if (user)
				free_uid(user);
			abort_creds(new);
			err = -ENOMEM;
			goto out;
		}
		free_uid(new->user);
		new->user = user;
	}
	*newp = new;
	err = 0;
out:
	if (gi)
		put_group_info(gi);
	kvfree(rec);
	return err;
}
