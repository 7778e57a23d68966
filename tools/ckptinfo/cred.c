// SPDX-License-Identifier: GPL-2.0
/* ckptinfo: the CRED record, a process's credentials */
#include "ckptinfo.h"

int decode_cred(struct img *im)
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
