// SPDX-License-Identifier: GPL-2.0
/* ckptinfo: the HEADER record, what the image is and how it was taken */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/audit.h>

#include "ckptinfo.h"

#define MAX_RLIMITS	64
#define MIN_XSTATE	576	/* legacy area + XSAVE header */

const char *const scopes[] = {
	[CKPT_PROCESS >> 2] = "process",
	[CKPT_PGRP >> 2] = "pgrp",
	[CKPT_SESSION >> 2] = "session",
	[CKPT_TREE >> 2] = "tree",
};

static void print_time(struct img *im, __s64 t)
{
	char buf[64];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < -62135596800LL || t > 253402300799LL || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	fword(im, "time", buf);
}

int decode_header(struct img *im)
{
	struct ckpt_rec_header *h = (void *)im->buf;
	static const char *const actions[] = { "continue", "stop", "kill" };
	char vdso[2 * sizeof(h->vdso_sha256) + 1];
	__u32 ps, scope;
	int sha256;

	if (check_len(im, sizeof(*h), "the HEADER record"))
		return -1;
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		return bad(im, "bad magic: not a checkpoint image");
	if (h->version != CKPT_FORMAT_VERSION)
		return bad(im, "unsupported format version %u (this ckptinfo reads %d)",
			   h->version, CKPT_FORMAT_VERSION);
	if (h->arch != AUDIT_ARCH_X86_64)
		return bad(im, "arch 0x%x is not x86_64 (0x%x): cannot decode", h->arch,
			   AUDIT_ARCH_X86_64);
	ps = h->page_size;
	if (ps < 4096 || ps > 65536 || (ps & (ps - 1)))
		return bad(im, "page_size %u is not a power of 2 in 4096..65536", ps);
	if (h->nsig == 0 || h->nsig > MAX_NSIG)
		return bad(im, "nsig %u is not in 1..%d", h->nsig, MAX_NSIG);
	if (h->rlim_nlimits == 0 || h->rlim_nlimits > MAX_RLIMITS)
		return bad(im, "rlim_nlimits %u is not in 1..%d", h->rlim_nlimits,
			   MAX_RLIMITS);
	if (h->xstate_size < MIN_XSTATE ||
	    h->xstate_size > CKPT_MAX_RECORD - sizeof(struct ckpt_rec_xstate))
		return bad(im, "xstate_size %u is not in %d..%zu", h->xstate_size,
			   MIN_XSTATE, CKPT_MAX_RECORD - sizeof(struct ckpt_rec_xstate));
	if (h->flags & ~CKPT_FLAGS_ALL || (h->flags & CKPT_ACTION_MASK) > CKPT_KILL)
		return bad(im, "unknown checkpoint flags 0x%x", h->flags);
	if (h->nr_tasks == 0 || h->nr_tasks > CKPT_MAX_TASKS)
		return bad(im, "nr_tasks %u is not in 1..CKPT_MAX_TASKS (%d)", h->nr_tasks,
			   CKPT_MAX_TASKS);
	scope = h->flags & CKPT_SCOPE_MASK;
	if (scope == CKPT_PROCESS && h->nr_tasks != 1)
		return bad(im, "nr_tasks is %u, but a process checkpoint has one process",
			   h->nr_tasks);
	if (h->root_pid <= 0)
		return bad(im, "root_pid %d is not a valid %s id", h->root_pid,
			   scopes[scope >> 2]);
	if (h->nr_threads > (__u64)h->nr_tasks * CKPT_MAX_THREADS)
		return bad(im, "nr_threads %u is above nr_tasks * CKPT_MAX_THREADS (%d)",
			   h->nr_threads, CKPT_MAX_THREADS);
	if (!digest_name(h->digest))
		return bad(im, "unknown digest algorithm %u (%d is xxh64, %d sha256)", h->digest,
			   CKPT_HASH_XXH64, CKPT_HASH_SHA256);
	/* the flag asks checkpoint(2) for SHA-256: they go together */
	sha256 = h->digest == CKPT_HASH_SHA256;
	if (!!(h->flags & CKPT_DIGEST_SHA256) != sha256)
		return bad(im, "the digest is %s, but flags 0x%x %s CKPT_DIGEST_SHA256 (0x%x)",
			   digest_name(h->digest), h->flags, sha256 ? "lack" : "have",
			   CKPT_DIGEST_SHA256);
	if (check_reserved(im, h->reserved, sizeof(h->reserved)))
		return -1;
	if (check_cstr(im, "release", h->release, sizeof(h->release)) ||
	    check_cstr(im, "machine", h->machine, sizeof(h->machine)))
		return -1;
	im->tasks = calloc(h->nr_tasks, sizeof(*im->tasks));
	if (!im->tasks)
		return nomem(im);
	im->hdr = *h;
	im->nr_tasks = h->nr_tasks;

	hexstr(h->vdso_sha256, sizeof(h->vdso_sha256), vdso);
	if (im->json) {
		json_open(im, "header", '{');
		fu(im, "offset", im->rec_off);
		fu(im, "len", im->rec_len);
	} else {
		rec_begin(im, im->rec_off, CKPT_REC_HEADER, im->rec_len);
	}
	fu(im, "version", h->version);
	fword(im, "arch", "x86_64");
	fu(im, "page_size", ps);
	fword(im, "scope", scopes[scope >> 2]);
	fs(im, "root_pid", h->root_pid);
	fu(im, "nr_tasks", h->nr_tasks);
	fu(im, "nr_threads", h->nr_threads);
	fword(im, "action", actions[h->flags & CKPT_ACTION_MASK]);
	fbool(im, "outside_pipes_broken", !!(h->flags & CKPT_OUTSIDE_PIPES_BROKEN));
	if (h->flags & CKPT_FILE_LOCKS)
		fbool(im, "file_locks", 1);
	fx(im, "flags", h->flags);
	fs(im, "time_sec", h->time_sec);
	print_time(im, h->time_sec);
	fstr(im, "release", h->release, strlen(h->release));
	fstr(im, "machine", h->machine, strlen(h->machine));
	fu(im, "nsig", h->nsig);
	fu(im, "rlim_nlimits", h->rlim_nlimits);
	fu(im, "xstate_size", h->xstate_size);
	fx(im, "xfeatures", h->xfeatures);
	fword(im, "digest", digest_name(h->digest));
	fword(im, "vdso_sha256", vdso);
	if (im->json)
		json_close(im);
	else
		rec_end(im);
	im->st = ST_FIRST;
	return 0;
}
