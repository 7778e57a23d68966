// SPDX-License-Identifier: GPL-2.0
/* ckptinfo: the FS record, a process's working and root directories */
#include "ckptinfo.h"

int decode_fs(struct img *im)
{
	struct ckpt_rec_fs *f = (void *)im->buf;

	if (check_min(im, sizeof(*f)))
		return -1;
	if (f->cwd_len > CKPT_MAX_PATH || f->root_len > CKPT_MAX_PATH)
		return bad(im, "cwd_len %u or root_len %u exceeds CKPT_MAX_PATH (%d)",
			   f->cwd_len, f->root_len, CKPT_MAX_PATH);
	if (check_len(im, sizeof(*f) + (__u64)f->cwd_len + f->root_len,
		      "cwd_len + root_len"))
		return -1;
	if (check_str(im, "cwd", f->paths, f->cwd_len, 0) ||
	    check_str(im, "root", f->paths + f->cwd_len, f->root_len, 0))
		return -1;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fstr(im, "cwd", f->paths, f->cwd_len - 1);
	fstr(im, "root", f->paths + f->cwd_len, f->root_len - 1);
	rec_end(im);
	im->st = ST_MM;
	return 0;
}
