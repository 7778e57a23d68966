// SPDX-License-Identifier: GPL-2.0
/* ckptinfo: the RLIMITS record, a process's resource limits */
#include <stdio.h>

#include "ckptinfo.h"

static const char *const rlim_names[] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock",
	"as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime",
};

static void frlim(struct img *im, const char *key, __u64 v)
{
	if (v == ~0ULL)
		fword(im, key, "unlimited");
	else
		fu(im, key, v);
}

int decode_rlimits(struct img *im)
{
	struct ckpt_rec_rlimits *r = (void *)im->buf;
	char name[32];
	__u32 i;

	if (check_min(im, sizeof(*r)))
		return -1;
	if (r->nr != im->hdr.rlim_nlimits)
		return bad(im, "nr %u differs from the header's rlim_nlimits %u",
			   r->nr, im->hdr.rlim_nlimits);
	if (check_reserved(im, &r->reserved, sizeof(r->reserved)))
		return -1;
	if (check_len(im, sizeof(*r) + (__u64)r->nr * sizeof(r->rlim[0]), "nr"))
		return -1;
	for (i = 0; i < r->nr; i++)
		if (r->rlim[i].cur > r->rlim[i].max)
			return bad(im, "limit %u: soft limit %llu above hard limit %llu", i,
				   (__u64)r->rlim[i].cur, (__u64)r->rlim[i].max);
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr", r->nr);
	list_begin(im, "rlimits");
	for (i = 0; i < r->nr; i++) {
		if (i < ARRAY_SIZE(rlim_names))
			snprintf(name, sizeof(name), "%s", rlim_names[i]);
		else
			snprintf(name, sizeof(name), "rlimit%u", i);
		if (im->json) {
			sub_begin(im, NULL);
			fword(im, "name", name);
			frlim(im, "cur", r->rlim[i].cur);
			frlim(im, "max", r->rlim[i].max);
			sub_end(im);
		} else {
			char txt[96], c[24], m[24];

			snprintf(c, sizeof(c), "%llu", (__u64)r->rlim[i].cur);
			snprintf(m, sizeof(m), "%llu", (__u64)r->rlim[i].max);
			text_field(im, txt, snprintf(txt, sizeof(txt), "%s=%s/%s", name,
						     r->rlim[i].cur == ~0ULL ? "unlimited" : c,
						     r->rlim[i].max == ~0ULL ? "unlimited" : m));
		}
	}
	list_end(im);
	rec_end(im);
	im->st = ST_SHARES;
	return 0;
}
