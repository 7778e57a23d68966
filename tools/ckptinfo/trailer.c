// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the TRAILER record, the image's length and SHA-256, which
 * are checked once it has been read.  Before it is accepted come the
 * checks that need the whole image: the number of threads, and the
 * peers and senders of unix sockets (unix.c).
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

int decode_trailer(struct img *im)
{
	struct ckpt_rec_trailer *t = (void *)im->buf;
	char hex[2 * CKPT_SHA256_DIGEST_SIZE + 1];
	int i;

	if (check_len(im, sizeof(*t), "the TRAILER record"))
		return -1;
	if (im->nr_thread_ents != im->hdr.nr_threads)
		return bad(im, "the header announces %u threads, the image has %zu THREAD records",
			   im->hdr.nr_threads, im->nr_thread_ents);
	if (unix_check_links(im))
		return -1;
	im->trailer = *t;
	im->trailer_seen = 1;
	im->trailer_off = im->rec_off;
	if (im->verify) {
		memcpy(im->sum, im->digest, CKPT_SHA256_DIGEST_SIZE);
		im->sum_ok = !memcmp(im->digest, t->sha256, CKPT_SHA256_DIGEST_SIZE);
	}
	for (i = 0; i < CKPT_SHA256_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", t->sha256[i]);
	if (im->json) {
		if (im->tasks_open)
			json_close(im);		/* tasks */
		im->tasks_open = 0;
		json_open(im, "trailer", '{');
		fu(im, "offset", im->rec_off);
		fu(im, "len", im->rec_len);
	} else {
		rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	}
	fu(im, "total_len", t->total_len);
	fword(im, "sha256", hex);
	if (im->json)
		json_close(im);
	else
		rec_end(im);
	im->st = ST_DONE;
	return 0;
}

/* Checks made once the trailer is read: total_len and the SHA-256 */
void check_trailer(struct img *im)
{
	char want[2 * CKPT_SHA256_DIGEST_SIZE + 1], got[2 * CKPT_SHA256_DIGEST_SIZE + 1];
	__u64 off = im->trailer_off;

	if (!im->trailer_seen)
		return;
	fflush(stdout);
	im->len_ok = im->trailer.total_len == off;
	if (!im->len_ok) {
		fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): TRAILER record: ", im->name,
			off, off);
		fprintf(stderr, "total_len %llu does not match the %llu bytes before it\n",
			(__u64)im->trailer.total_len, off);
	}
	if (im->sum_ok == 0) {
		hexstr(im->trailer.sha256, want);
		hexstr(im->sum, got);
		fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): TRAILER record: ", im->name,
			off, off);
		fprintf(stderr, "checksum mismatch: the trailer has sha256 %s,\n", want);
		fprintf(stderr, "  the %llu bytes before it hash to %s\n", off, got);
	}
}
