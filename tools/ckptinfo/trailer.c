// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the TRAILER record, the image's length and digest, which are
 * checked once it has been read, and the digest itself: the one the
 * header names (xxh64 with libxxhash, SHA-256 with libmd), of every byte
 * from the header to the trailer.  Before the trailer is accepted come
 * the checks that need the whole image: the number of threads, and the
 * peers and senders of unix sockets (unix.c).
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

/* The name of digest algorithm @alg (CKPT_HASH_*), or NULL if unknown */
const char *digest_name(__u32 alg)
{
	switch (alg) {
	case CKPT_HASH_XXH64:
		return "xxh64";
	case CKPT_HASH_SHA256:
		return "sha256";
	}
	return NULL;
}

/*
 * Start the digest the header (decoded, so known) names with the header
 * record itself, in im->buf, and its @padlen bytes of padding at @pad.
 */
void digest_begin(struct img *im, const void *pad, size_t padlen)
{
	if (im->hdr.digest == CKPT_HASH_SHA256)
		md_sha256_init(&im->hash.sha256);
	else
		XXH64_reset(&im->hash.xxh64, 0);
	digest_update(im, im->buf, im->rec_len);
	digest_update(im, pad, padlen);
}

void digest_update(struct img *im, const void *p, size_t n)
{
	if (im->hdr.digest == CKPT_HASH_SHA256)
		md_sha256_update(&im->hash.sha256, p, n);
	else
		XXH64_update(&im->hash.xxh64, p, n);
}

/* The digest of the bytes so far into im->digest, as the trailer holds it */
void digest_final(struct img *im)
{
	XXH64_hash_t x;
	int i;

	memset(im->digest, 0, sizeof(im->digest));
	if (im->hdr.digest == CKPT_HASH_SHA256) {
		md_sha256_final(im->digest, &im->hash.sha256);
		return;
	}
	/* a __u64 in the image's byte order: x86_64's, little-endian */
	x = XXH64_digest(&im->hash.xxh64);
	for (i = 0; i < XXH64_SIZE; i++)
		im->digest[i] = (__u8)(x >> (8 * i));
}

/*
 * A trailer's @value of algorithm @alg in hex, as xxhsum(1) and
 * sha256sum(1) print them: xxh64 as a 64-bit number
 */
static void digest_hex(__u32 alg, const __u8 *value, char *out)
{
	__u64 x = 0;
	int i;

	if (alg != CKPT_HASH_XXH64) {
		hexstr(value, DIGEST_SIZE, out);
		return;
	}
	for (i = 0; i < XXH64_SIZE; i++)
		x |= (__u64)value[i] << (8 * i);
	snprintf(out, DIGEST_HEX, "%016llx", x);
}

/* The trailer's own fields: its digest is the header's, and in shape */
static int check_digest_fields(struct img *im, const struct ckpt_rec_trailer *t)
{
	const char *name = digest_name(t->digest);
	int i;

	if (t->digest != im->hdr.digest) {
		if (!name)
			return bad(im, "unknown digest algorithm %u, the header's is %s",
				   t->digest, digest_name(im->hdr.digest));
		return bad(im, "digest %s differs from the header's %s", name,
			   digest_name(im->hdr.digest));
	}
	if (check_reserved(im, &t->reserved, sizeof(t->reserved)))
		return -1;
	if (t->digest != CKPT_HASH_XXH64)
		return 0;
	for (i = XXH64_SIZE; i < DIGEST_SIZE; i++)
		if (t->value[i])
			return bad(im,
				   "xxh64 value: byte %d of %d is not zero (an xxh64 digest is %d bytes)",
				   i, DIGEST_SIZE, XXH64_SIZE);
	return 0;
}

int decode_trailer(struct img *im)
{
	struct ckpt_rec_trailer *t = (void *)im->buf;
	char hex[DIGEST_HEX];

	if (check_len(im, sizeof(*t), "the TRAILER record"))
		return -1;
	if (check_digest_fields(im, t))
		return -1;
	if (im->nr_thread_ents != im->hdr.nr_threads)
		return bad(im, "the header announces %u threads, the image has %zu THREAD records",
			   im->hdr.nr_threads, im->nr_thread_ents);
	if (unix_check_links(im))
		return -1;
	im->trailer = *t;
	im->trailer_seen = 1;
	im->trailer_off = im->rec_off;
	if (im->verify)
		im->sum_ok = !memcmp(im->digest, t->value, DIGEST_SIZE);
	digest_hex(t->digest, t->value, hex);
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
	fword(im, "digest", digest_name(t->digest));
	fword(im, "value", hex);
	if (im->json)
		json_close(im);
	else
		rec_end(im);
	im->st = ST_DONE;
	return 0;
}

/*
 * The digest computed at the trailer in hex into @out (DIGEST_HEX bytes),
 * for the summary; NULL if it was not computed
 */
const char *digest_computed(struct img *im, char *out)
{
	if (im->sum_ok < 0)
		return NULL;
	digest_hex(im->trailer.digest, im->digest, out);
	return out;
}

/* Checks made once the trailer is read: total_len and the digest */
void check_trailer(struct img *im)
{
	char want[DIGEST_HEX], got[DIGEST_HEX];
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
		digest_hex(im->trailer.digest, im->trailer.value, want);
		digest_computed(im, got);
		fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): TRAILER record: ", im->name,
			off, off);
		fprintf(stderr, "checksum mismatch: the trailer has %s %s,\n",
			digest_name(im->trailer.digest), want);
		fprintf(stderr, "  the %llu bytes before it hash to %s\n", off, got);
	}
}
