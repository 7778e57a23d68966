// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: eventfds.  The EVENTFD record (an eventfd's counter and
 * mode), which comes among the files of a process before the FILE record
 * of kind eventfd that names it.
 */
#include "ckptinfo.h"

#define EFD_SEMAPHORE_BIT	0x1	/* EFD_SEMAPHORE */

static const struct flag_name efd_flags[] = {
	{ EFD_SEMAPHORE_BIT, "EFD_SEMAPHORE" },
	{ 0, NULL }
};

int decode_eventfd(struct img *im)
{
	struct ckpt_rec_eventfd *e = (void *)im->buf;

	if (check_len(im, sizeof(*e), "the EVENTFD record"))
		return -1;
	if (e->flags & ~EFD_SEMAPHORE_BIT)
		return bad(im, "flags 0x%x: an eventfd has no flag but EFD_SEMAPHORE (0x1)",
			   e->flags);
	if (claim_objid(im, e->objid))
		return -1;
	if (idset_add(&im->objidx[CKPT_REC_EVENTFD], e->objid) < 0)
		return nomem(im);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", e->objid);
	fu(im, "count", e->count);
	fflags(im, "flags", e->flags, efd_flags);
	rec_end(im);
	return 0;
}
