/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckpt_sha256.h - a small header-only SHA-256 (FIPS 180-4) for the
 * checkpoint tools, which verify the trailer of an image without help
 * from the kernel or an external library.
 *
 *	struct ckpt_sha256 s;
 *	uint8_t digest[CKPT_SHA256_DIGEST_SIZE];
 *
 *	ckpt_sha256_init(&s);
 *	ckpt_sha256_update(&s, buf, len);	(any number of times)
 *	ckpt_sha256_final(&s, digest);
 */
#ifndef _CKPT_SHA256_H
#define _CKPT_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CKPT_SHA256_DIGEST_SIZE	32
#define CKPT_SHA256_BLOCK_SIZE	64

struct ckpt_sha256 {
	uint32_t state[8];
	uint64_t count;		/* bytes hashed so far */
	uint8_t buf[CKPT_SHA256_BLOCK_SIZE];
};

static inline uint32_t ckpt_sha256_ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline void ckpt_sha256_block(struct ckpt_sha256 *s, const uint8_t *p)
{
	static const uint32_t k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
		0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
		0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
		0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
		0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
		0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
		0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
		0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
		0xc67178f2,
	};
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		t1 = ckpt_sha256_ror(w[i - 2], 17) ^ ckpt_sha256_ror(w[i - 2], 19) ^
		     (w[i - 2] >> 10);
		t2 = ckpt_sha256_ror(w[i - 15], 7) ^ ckpt_sha256_ror(w[i - 15], 18) ^
		     (w[i - 15] >> 3);
		w[i] = t1 + w[i - 7] + t2 + w[i - 16];
	}
	a = s->state[0];
	b = s->state[1];
	c = s->state[2];
	d = s->state[3];
	e = s->state[4];
	f = s->state[5];
	g = s->state[6];
	h = s->state[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ckpt_sha256_ror(e, 6) ^ ckpt_sha256_ror(e, 11) ^ ckpt_sha256_ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + k[i] + w[i];
		t2 = (ckpt_sha256_ror(a, 2) ^ ckpt_sha256_ror(a, 13) ^ ckpt_sha256_ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->state[0] += a;
	s->state[1] += b;
	s->state[2] += c;
	s->state[3] += d;
	s->state[4] += e;
	s->state[5] += f;
	s->state[6] += g;
	s->state[7] += h;
}

static inline void ckpt_sha256_init(struct ckpt_sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->state, iv, sizeof(iv));
	s->count = 0;
}

static inline void ckpt_sha256_update(struct ckpt_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = s->count % CKPT_SHA256_BLOCK_SIZE;
	size_t n;

	s->count += len;
	if (used) {
		n = CKPT_SHA256_BLOCK_SIZE - used;
		if (n > len)
			n = len;
		memcpy(s->buf + used, p, n);
		p += n;
		len -= n;
		if (used + n < CKPT_SHA256_BLOCK_SIZE)
			return;
		ckpt_sha256_block(s, s->buf);
	}
	while (len >= CKPT_SHA256_BLOCK_SIZE) {
		ckpt_sha256_block(s, p);
		p += CKPT_SHA256_BLOCK_SIZE;
		len -= CKPT_SHA256_BLOCK_SIZE;
	}
	if (len)
		memcpy(s->buf, p, len);
}

static inline void ckpt_sha256_final(struct ckpt_sha256 *s, uint8_t out[CKPT_SHA256_DIGEST_SIZE])
{
	uint64_t bits = s->count * 8;
	size_t used = s->count % CKPT_SHA256_BLOCK_SIZE;
	int i;

	s->buf[used++] = 0x80;
	if (used > CKPT_SHA256_BLOCK_SIZE - 8) {
		memset(s->buf + used, 0, CKPT_SHA256_BLOCK_SIZE - used);
		ckpt_sha256_block(s, s->buf);
		used = 0;
	}
	memset(s->buf + used, 0, CKPT_SHA256_BLOCK_SIZE - 8 - used);
	for (i = 0; i < 8; i++)
		s->buf[CKPT_SHA256_BLOCK_SIZE - 1 - i] = (uint8_t)(bits >> (8 * i));
	ckpt_sha256_block(s, s->buf);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->state[i];
	}
	memset(s, 0, sizeof(*s));
}

/* Hash @len bytes at @data in one go. */
static inline void ckpt_sha256(const void *data, size_t len, uint8_t out[CKPT_SHA256_DIGEST_SIZE])
{
	struct ckpt_sha256 s;

	ckpt_sha256_init(&s);
	ckpt_sha256_update(&s, data, len);
	ckpt_sha256_final(&s, out);
}

#endif /* _CKPT_SHA256_H */
