// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: signalfds.  The SIGNALFD record (the signals a signalfd
 * reports), which comes among the files of a process before the FILE
 * record of kind signalfd that names it.
 */
#include "ckptinfo.h"

int decode_signalfd(struct img *im)
{
	struct ckpt_rec_signalfd *s = (void *)im->buf;

	if (check_len(im, sizeof(*s), "the SIGNALFD record"))
		return -1;
	if (check_reserved(im, &s->reserved, sizeof(s->reserved)))
		return -1;
	if (claim_objid(im, s->objid))
		return -1;
	if (idset_add(&im->objidx[CKPT_REC_SIGNALFD], s->objid) < 0)
		return nomem(im);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", s->objid);
	fsigset(im, "mask", s->mask);
	rec_end(im);
	return 0;
}
