// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: the checks framework.  bad() reports what is wrong with the
 * current record, once, and every check returns its -1; the checks here
 * are those records of many types make: lengths, reserved fields,
 * strings, object ids.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

/* Report what is wrong with the current record; returns -1. */
int bad(struct img *im, const char *fmt, ...)
{
	const char *name = rec_name(im->rec_type);
	char msg[512];
	va_list ap;

	if (im->failed)
		return -1;
	im->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "ckptinfo: %s: offset %llu (0x%llx): ", im->name,
		im->rec_off, im->rec_off);
	if (name)
		fprintf(stderr, "%s record: ", name);
	fprintf(stderr, "%s\n", msg);
	snprintf(im->err, sizeof(im->err), "%s", msg);
	im->err_off = im->rec_off;
	im->err_type = im->rec_type;
	return -1;
}

/* Add @id (not 0) with value @val: 1 added, 0 already there, -1 no memory */
int idset_put(struct idset *s, __u32 id, __u32 val)
{
	size_t i, mask;

	if ((s->nr + 1) * 2 > s->size) {
		struct idset n = { .size = s->size ? s->size * 2 : 1024 };

		n.slot = calloc(n.size, sizeof(*n.slot));
		n.val = calloc(n.size, sizeof(*n.val));
		if (!n.slot || !n.val) {
			free(n.slot);
			free(n.val);
			return -1;
		}
		for (i = 0; i < s->size; i++)
			if (s->slot[i])
				idset_put(&n, s->slot[i], s->val[i]);
		free(s->slot);
		free(s->val);
		*s = n;
	}
	mask = s->size - 1;
	for (i = (id * 2654435761U) & mask; s->slot[i]; i = (i + 1) & mask)
		if (s->slot[i] == id)
			return 0;
	s->slot[i] = id;
	s->val[i] = val;
	s->nr++;
	return 1;
}

int idset_add(struct idset *s, __u32 id)
{
	return idset_put(s, id, 0);
}

/* 1 and the value in *@val if @id is in the set, else 0 */
int idset_get(const struct idset *s, __u32 id, __u32 *val)
{
	size_t i, mask;

	if (!s->size || !id)
		return 0;
	mask = s->size - 1;
	for (i = (id * 2654435761U) & mask; s->slot[i]; i = (i + 1) & mask) {
		if (s->slot[i] == id) {
			if (val)
				*val = s->val[i];
			return 1;
		}
	}
	return 0;
}

int idset_has(const struct idset *s, __u32 id)
{
	return idset_get(s, id, NULL);
}

/* Make room for one more element in a growing array */
int grow(void **arr, size_t nr, size_t *size, size_t elem)
{
	size_t n;
	void *p;

	if (nr < *size)
		return 0;
	n = *size ? *size * 2 : 16;
	p = realloc(*arr, n * elem);
	if (!p)
		return -1;
	*arr = p;
	*size = n;
	return 0;
}

int nomem(struct img *im)
{
	return bad(im, "out of memory");
}

/* A new object id of the image: not 0, not seen before */
int claim_objid(struct img *im, __u32 objid)
{
	int r;

	if (objid == 0)
		return bad(im, "objid 0 (object ids start at 1)");
	r = idset_add(&im->objids, objid);
	if (r < 0)
		return nomem(im);
	if (r == 0)
		return bad(im, "objid %u is used twice", objid);
	return 0;
}

/*
 * A new, zeroed entry at the end of a table found by object id through
 * @idx; NULL without memory.
 */
void *new_entry(void **arr, size_t *nr, size_t *size, size_t elem, struct idset *idx,
		__u32 objid)
{
	char *e;

	if (grow(arr, *nr, size, elem) || idset_put(idx, objid, (__u32)*nr) < 0)
		return NULL;
	e = (char *)*arr + *nr * elem;
	(*nr)++;
	memset(e, 0, elem);
	return e;
}

/* The record must be exactly @want bytes, as @why says */
int check_len(struct img *im, __u64 want, const char *why)
{
	if (im->rec_len == want)
		return 0;
	return bad(im, "length %u does not match %s (expected %llu)",
		   im->rec_len, why, want);
}

/* Its fixed part must be there before any count in it is read */
int check_min(struct img *im, size_t fixed)
{
	if (im->rec_len >= fixed)
		return 0;
	return bad(im, "length %u is less than the %zu bytes of its fixed part",
		   im->rec_len, fixed);
}

/* Reserved fields must be zero, as restart(2) requires */
int check_reserved(struct img *im, const void *p, size_t size)
{
	const __u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i])
			return bad(im, "reserved field is not zero");
	return 0;
}

/* A NUL-terminated string of exactly @len bytes, terminator included */
int check_str(struct img *im, const char *what, const char *s, __u32 len,
	      int may_be_empty)
{
	if (len == 0) {
		if (may_be_empty)
			return 0;
		return bad(im, "%s: length 0, a path is required", what);
	}
	if (len > CKPT_MAX_PATH)
		return bad(im, "%s: length %u exceeds CKPT_MAX_PATH (%d)", what, len,
			   CKPT_MAX_PATH);
	if (s[len - 1] != '\0')
		return bad(im, "%s: string of %u bytes is not NUL-terminated", what, len);
	if (strlen(s) != len - 1)
		return bad(im, "%s: NUL byte at %zu inside a string of %u bytes", what,
			   strlen(s), len);
	return 0;
}

int check_cstr(struct img *im, const char *what, const char *s, size_t size)
{
	if (memchr(s, 0, size))
		return 0;
	return bad(im, "%s: no NUL terminator in its %zu bytes", what, size);
}
