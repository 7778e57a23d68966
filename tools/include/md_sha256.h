/* SPDX-License-Identifier: GPL-2.0 */
/*
 * md_sha256.h - SHA-256 from libmd (Debian's libmd-dev: <sha2.h>, link
 * with -lmd) for the tools and tests that check an image's digest.
 *
 * libmd names its functions SHA256Init(), SHA256Update() and
 * SHA256Final(); checkpatch refuses CamelCase in the tree, so they are
 * declared again here under lower-case names bound to the same symbols
 * (asm labels): these are libmd's functions, nothing more.
 *
 *	SHA2_CTX ctx;
 *	uint8_t digest[SHA256_DIGEST_LENGTH];
 *
 *	md_sha256_init(&ctx);
 *	md_sha256_update(&ctx, buf, len);	(any number of times)
 *	md_sha256_final(digest, &ctx);
 */
#ifndef _MD_SHA256_H
#define _MD_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <sha2.h>

void md_sha256_init(struct _SHA2_CTX *ctx) __asm__("SHA256Init");
void md_sha256_update(struct _SHA2_CTX *ctx, const uint8_t *p, size_t len)
	__asm__("SHA256Update");
void md_sha256_final(uint8_t digest[SHA256_DIGEST_LENGTH], struct _SHA2_CTX *ctx)
	__asm__("SHA256Final");

#endif /* _MD_SHA256_H */
