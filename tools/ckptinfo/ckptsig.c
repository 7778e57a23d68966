// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the CKPTSIG record, a process's checkpoint settings: what a
 * SIG_CKPT or SIG_CKPT_KILL disposition saves (its scope, and for a tree
 * the pid of the tree's root), where the image goes (its own name
 * pattern, or "" for the kernel.checkpoint_pattern sysctl's) and the
 * signal that announces a checkpoint.  It follows the SIGHAND record of a
 * live process; a zombie has none.
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

int decode_ckptsig(struct img *im)
{
	struct ckpt_rec_ckptsig *r = (void *)im->buf;
	size_t n;
	char name[32];

	if (check_len(im, sizeof(*r), "the CKPTSIG record"))
		return -1;
	if (r->scope & ~CKPT_SCOPE_MASK)
		return bad(im, "scope 0x%x has bits outside CKPT_SCOPE_MASK (0x%x)", r->scope,
			   CKPT_SCOPE_MASK);
	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (r->anchor < 0)
		return bad(im, "anchor %d is negative", r->anchor);
	/*
	 * restart(2) wants the anchor below the restarting system's pid_max,
	 * which is at most PID_MAX_LIMIT: an anchor at or above that is
	 * refused by every kernel.
	 */
	if (r->anchor >= PID_MAX_LIMIT)
		return bad(im, "anchor %d is not below PID_MAX_LIMIT (%d), the highest pid_max",
			   r->anchor, PID_MAX_LIMIT);
	if (r->notify > im->hdr.nsig)
		return bad(im, "notify %u is not a signal in 1..%u", r->notify, im->hdr.nsig);
	if (r->notify == SIGKILL_NR || r->notify == SIGSTOP_NR)
		return bad(im, "notify %s cannot be caught: it cannot announce a checkpoint",
			   sig_name(r->notify, name, sizeof(name)));
	if (check_cstr(im, "pattern", r->pattern, sizeof(r->pattern)))
		return -1;
	if (r->pattern[0] == '|')
		return bad(im, "pattern starts with '|': an image is not piped to a program");
	n = strnlen(r->pattern, sizeof(r->pattern));

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fword(im, "scope", scopes[r->scope >> 2]);
	if (r->anchor)
		fs(im, "anchor", r->anchor);
	else if (im->json)
		field_fmt(im, "anchor", 0, "null");
	else
		fword(im, "anchor", "none");
	if (r->notify)
		fword(im, "notify", sig_name(r->notify, name, sizeof(name)));
	else if (im->json)
		field_fmt(im, "notify", 0, "null");
	else
		fword(im, "notify", "none");
	fstr(im, "pattern", r->pattern, n);
	rec_end(im);
	im->st = ST_TIMERS;
	return 0;
}
