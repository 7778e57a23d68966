// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: memory.  The MM record, its VMA records and the PAGES that
 * follow them.  VMA and PAGES records are printed once the pages have
 * been counted (at the first record after them), each VMA with its pages.
 * The UNLINKED and SYSVSHM records among the VMA records, and their
 * pages, are in unlinked.c and sysvshm.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

#define VMA_FLAGS	(CKPT_VMA_GROWSDOWN | CKPT_VMA_LOCKED | CKPT_VMA_DONTDUMP | \
			 CKPT_VMA_HEAP | CKPT_VMA_STACK | CKPT_VMA_SHM_RDONLY | \
			 CKPT_VMA_DONTFORK | CKPT_VMA_WIPEONFORK | CKPT_VMA_HUGEPAGE | \
			 CKPT_VMA_NOHUGEPAGE | CKPT_VMA_MERGEABLE | CKPT_VMA_EXE)
#define PROT_WRITE_BIT	2

static const char *const vma_kinds[] = {
	[CKPT_VMA_ANON] = "anon",
	[CKPT_VMA_FILE_PRIVATE] = "file_private",
	[CKPT_VMA_FILE_SHARED] = "file_shared",
	[CKPT_VMA_VDSO] = "vdso",
	[CKPT_VMA_VVAR] = "vvar",
	[CKPT_VMA_OBJ_SHARED] = "obj_shared",
	[CKPT_VMA_OBJ_PRIVATE] = "obj_private",
	[CKPT_VMA_SYSVSHM] = "sysvshm",
};

static const struct flag_name vma_flags[] = {
	{ CKPT_VMA_GROWSDOWN, "growsdown" },
	{ CKPT_VMA_LOCKED, "locked" },
	{ CKPT_VMA_DONTDUMP, "dontdump" },
	{ CKPT_VMA_HEAP, "heap" },
	{ CKPT_VMA_STACK, "stack" },
	{ CKPT_VMA_SHM_RDONLY, "shm_rdonly" },
	{ CKPT_VMA_DONTFORK, "dontfork" },
	{ CKPT_VMA_WIPEONFORK, "wipeonfork" },
	{ CKPT_VMA_HUGEPAGE, "hugepage" },
	{ CKPT_VMA_NOHUGEPAGE, "nohugepage" },
	{ CKPT_VMA_MERGEABLE, "mergeable" },
	{ CKPT_VMA_EXE, "exe" },
	{ 0, NULL }
};

static const struct flag_name mm_flags[] = {
	{ CKPT_MM_LOCK_FUTURE, "lock_future" },
	{ CKPT_MM_THP_DISABLE, "thp_disable" },
	{ CKPT_MM_MDWE, "mdwe" },
	{ CKPT_MM_MDWE_NO_INHERIT, "mdwe_no_inherit" },
	{ 0, NULL }
};

static void prot_str(__u32 prot, char out[4])
{
	out[0] = prot & 1 ? 'r' : '-';
	out[1] = prot & 2 ? 'w' : '-';
	out[2] = prot & 4 ? 'x' : '-';
	out[3] = 0;
}

int decode_mm(struct img *im)
{
	struct ckpt_rec_mm *m = (void *)im->buf;
	__u32 i, pkeys;

	if (check_min(im, sizeof(*m)))
		return -1;
	if (m->exe_len > CKPT_MAX_PATH)
		return bad(im, "exe_len %u exceeds CKPT_MAX_PATH (%d)", m->exe_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*m) + (__u64)m->exe_len, "exe_len"))
		return -1;
	if (check_str(im, "exe", m->exe, m->exe_len, 1))
		return -1;
	if (m->nr_vmas > CKPT_MAX_VMAS)
		return bad(im, "nr_vmas %u exceeds CKPT_MAX_VMAS (%d)", m->nr_vmas,
			   CKPT_MAX_VMAS);
	if (m->auxv_words > CKPT_AUXV_WORDS || m->auxv_words % 2)
		return bad(im, "auxv_words %u is odd or above %d", m->auxv_words,
			   CKPT_AUXV_WORDS);
	if (m->auxv_words && m->auxv[m->auxv_words - 2] != 0)
		return bad(im, "auxv does not end with AT_NULL");
	if (m->start_code > m->end_code || m->start_data > m->end_data ||
	    m->start_brk > m->brk || m->arg_start > m->arg_end || m->env_start > m->env_end)
		return bad(im, "code, data, brk, argument or environment range is reversed");
	if (!m->vdso && m->vvar)
		return bad(im, "vvar 0x%llx without a vdso", (__u64)m->vvar);
	pkeys = m->flags >> CKPT_MM_PKEYS_SHIFT;
	if (m->flags & ((1U << CKPT_MM_PKEYS_SHIFT) - 1) & ~CKPT_MM_FLAGS_ALL)
		return bad(im, "unknown mm flags 0x%x", m->flags);
	if (pkeys && !(pkeys & 1))
		return bad(im, "protection keys 0x%x allocated without key 0", pkeys);
	if ((m->flags & CKPT_MM_MDWE_NO_INHERIT) && !(m->flags & CKPT_MM_MDWE))
		return bad(im, "mdwe_no_inherit without mdwe");
	im->mm_exe = m->exe_len != 0;
	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "nr_vmas", m->nr_vmas);
	if ((m->flags & CKPT_MM_FLAGS_ALL) || im->json)
		fflags(im, "flags", m->flags & CKPT_MM_FLAGS_ALL, mm_flags);
	if (pkeys > 1)
		fx(im, "pkeys", pkeys);
	if (m->exe_len)
		fstr(im, "exe", m->exe, m->exe_len - 1);
	fx(im, "start_code", m->start_code);
	fx(im, "end_code", m->end_code);
	fx(im, "start_data", m->start_data);
	fx(im, "end_data", m->end_data);
	fx(im, "start_brk", m->start_brk);
	fx(im, "brk", m->brk);
	fx(im, "start_stack", m->start_stack);
	fx(im, "arg_start", m->arg_start);
	fx(im, "arg_end", m->arg_end);
	fx(im, "env_start", m->env_start);
	fx(im, "env_end", m->env_end);
	fx(im, "vdso", m->vdso);
	fx(im, "vvar", m->vvar);
	fu(im, "auxv_words", m->auxv_words);
	if (im->json) {
		list_begin(im, "auxv");
		for (i = 0; i + 1 < m->auxv_words; i += 2) {
			sub_begin(im, NULL);
			fu(im, "type", m->auxv[i]);
			fx(im, "value", m->auxv[i + 1]);
			sub_end(im);
		}
		list_end(im);
	}
	rec_end(im);

	im->nr_vmas = m->nr_vmas;
	im->vdso = m->vdso;
	im->vvar = m->vvar;
	im->seen = 0;
	im->nr_pg = 0;
	im->mm_held = 1;
	if (m->nr_vmas > im->vmas_size) {
		free(im->vmas);
		im->vmas = calloc(m->nr_vmas, sizeof(*im->vmas));
		if (!im->vmas) {
			im->vmas_size = 0;
			return nomem(im);
		}
		im->vmas_size = m->nr_vmas;
	}
	im->st = m->nr_vmas ? ST_VMA : ST_PAGES;
	return 0;
}

static unsigned int page_shift(struct img *im)
{
	return __builtin_ctz(im->hdr.page_size);
}

static void print_vma(struct img *im, const struct vma_ent *v)
{
	char prot[4], range[80];
	__u64 ps = im->hdr.page_size;

	prot_str(v->prot, prot);
	rec_begin(im, v->off, CKPT_REC_VMA, v->len);
	if (im->json) {
		fx(im, "start", v->start);
		fx(im, "end", v->end);
		fword(im, "prot", prot);
		fword(im, "kind", vma_kinds[v->kind]);
	} else {
		snprintf(range, sizeof(range), "%012llx-%012llx %s %s", v->start,
			 v->end, prot, vma_kinds[v->kind]);
		text_field(im, range, (int)strlen(range));
	}
	fu(im, "pages", v->pages);
	fu(im, "bytes", v->pages * ps);
	if (v->path)
		fstr(im, "path", v->path, strlen(v->path));
	if (v->objid)
		fu(im, "objid", v->objid);
	fu(im, "size", v->end - v->start);
	fx(im, "pgoff", v->pgoff);
	fx(im, "vm_flags", v->vm_flags);
	fflags(im, "flags", v->flags, vma_flags);
	rec_end(im);
}

static void print_pages(struct img *im, const struct pages_ent *p)
{
	rec_begin(im, p->off, CKPT_REC_PAGES, p->len);
	fx(im, "addr", p->addr);
	fu(im, "nr_pages", p->nr);
	fu(im, "bytes", (__u64)p->nr * im->hdr.page_size);
	rec_end(im);
}

/* Print the held-back VMA and PAGES records, now that pages are counted */
void flush_mm(struct img *im)
{
	size_t i;

	if (!im->mm_held)
		return;
	im->mm_held = 0;
	for (i = 0; i < im->seen && i < im->nr_vmas; i++) {
		flush_unlinked(im, im->vmas[i].off);
		print_vma(im, &im->vmas[i]);
	}
	flush_unlinked(im, ~0ULL);
	for (i = 0; i < im->nr_pg; i++)
		print_pages(im, &im->pg[i]);
	for (i = 0; i < im->nr_vmas && i < im->vmas_size; i++) {
		free(im->vmas[i].path);
		im->vmas[i].path = NULL;
	}
}

int decode_vma(struct img *im)
{
	struct ckpt_rec_vma *v = (void *)im->buf;
	struct vma_ent *e = &im->vmas[im->seen];
	__u64 mask = im->hdr.page_size - 1;

	if (check_min(im, sizeof(*v)))
		return -1;
	if (v->path_len > CKPT_MAX_PATH)
		return bad(im, "path_len %u exceeds CKPT_MAX_PATH (%d)", v->path_len,
			   CKPT_MAX_PATH);
	if (check_len(im, sizeof(*v) + (__u64)v->path_len, "path_len"))
		return -1;
	if (check_str(im, "path", v->path, v->path_len, 1))
		return -1;
	if (v->start >= v->end || (v->start & mask) || (v->end & mask))
		return bad(im, "range 0x%llx-0x%llx is empty or not page-aligned",
			   (__u64)v->start, (__u64)v->end);
	if (im->seen && v->start < im->vmas[im->seen - 1].end)
		return bad(im, "range 0x%llx-0x%llx overlaps or precedes the VMA before",
			   (__u64)v->start, (__u64)v->end);
	if (v->kind < CKPT_VMA_ANON || v->kind > CKPT_VMA_SYSVSHM)
		return bad(im, "unknown VMA kind %u", v->kind);
	if (check_reserved(im, &v->reserved, sizeof(v->reserved)))
		return -1;
	if (v->prot & ~7U)
		return bad(im, "unknown prot bits 0x%x", v->prot);
	if (v->flags & ~VMA_FLAGS)
		return bad(im, "unknown VMA flags 0x%x", v->flags & ~VMA_FLAGS);
	if (v->pgoff > (~0ULL >> page_shift(im)) - ((v->end - v->start) >> page_shift(im)))
		return bad(im, "pgoff 0x%llx overflows", (__u64)v->pgoff);
	if (v->kind == CKPT_VMA_FILE_PRIVATE || v->kind == CKPT_VMA_FILE_SHARED) {
		if (!v->path_len)
			return bad(im, "%s mapping without a path", vma_kinds[v->kind]);
	} else if (v->path_len) {
		return bad(im, "%s mapping with a path", vma_kinds[v->kind]);
	}
	if (v->kind == CKPT_VMA_OBJ_SHARED || v->kind == CKPT_VMA_OBJ_PRIVATE) {
		if (!idset_has(&im->objidx[CKPT_REC_UNLINKED], v->objid))
			return bad(im, "%s mapping: objid %u names no earlier UNLINKED record",
				   vma_kinds[v->kind], v->objid);
	} else if (v->kind == CKPT_VMA_SYSVSHM) {
		if (!idset_has(&im->objidx[CKPT_REC_SYSVSHM], v->objid))
			return bad(im, "%s mapping: objid %u names no earlier SYSVSHM record",
				   vma_kinds[v->kind], v->objid);
		attach_sysvshm(im, v->objid);
	} else if (v->objid) {
		return bad(im,
			   "%s mapping with objid %u: only obj_shared, obj_private and sysvshm have one",
			   vma_kinds[v->kind], v->objid);
	}
	if ((v->flags & CKPT_VMA_EXE) && v->kind != CKPT_VMA_OBJ_PRIVATE)
		return bad(im, "flag exe on a mapping of kind %s: only obj_private has it",
			   vma_kinds[v->kind]);
	if ((v->flags & CKPT_VMA_EXE) && im->mm_exe)
		return bad(im, "flag exe, but the process already has an executable");
	if (v->flags & CKPT_VMA_EXE)
		im->mm_exe = 1;
	if ((v->flags & CKPT_VMA_SHM_RDONLY) && v->kind != CKPT_VMA_SYSVSHM)
		return bad(im,
			   "flag shm_rdonly on a mapping of kind %s: only a sysvshm mapping has it",
			   vma_kinds[v->kind]);
	if ((v->flags & CKPT_VMA_SHM_RDONLY) && (v->prot & PROT_WRITE_BIT))
		return bad(im,
			   "flag shm_rdonly, but prot has PROT_WRITE: an attachment made with SHM_RDONLY is not writable");
	/* restart gives the advice again; madvise(2) refuses this one elsewhere */
	if ((v->flags & CKPT_VMA_WIPEONFORK) && v->kind != CKPT_VMA_ANON &&
	    v->kind != CKPT_VMA_VDSO && v->kind != CKPT_VMA_VVAR)
		return bad(im,
			   "flag wipeonfork on a mapping of kind %s: madvise(MADV_WIPEONFORK) takes private anonymous memory only",
			   vma_kinds[v->kind]);
	if ((v->kind == CKPT_VMA_VDSO && v->start != im->vdso) ||
	    (v->kind == CKPT_VMA_VVAR && v->start != im->vvar))
		return bad(im, "%s mapping at 0x%llx, but the MM record says 0x%llx",
			   vma_kinds[v->kind], (__u64)v->start,
			   (__u64)(v->kind == CKPT_VMA_VDSO ? im->vdso : im->vvar));

	e->off = im->rec_off;
	e->len = im->rec_len;
	e->start = v->start;
	e->end = v->end;
	e->pgoff = v->pgoff;
	e->vm_flags = v->vm_flags;
	e->kind = v->kind;
	e->prot = v->prot;
	e->flags = v->flags;
	e->objid = v->objid;
	e->pages = 0;
	e->path = NULL;
	if (v->path_len) {
		e->path = strdup(v->path);
		if (!e->path)
			return nomem(im);
	}
	if (++im->seen == im->nr_vmas)
		im->st = ST_PAGES;
	return 0;
}

/* Index of the VMA containing @addr, or -1 */
static long find_vma(struct img *im, __u64 addr)
{
	long lo = 0, hi = (long)im->nr_vmas - 1, mid;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < im->vmas[mid].start)
			hi = mid - 1;
		else if (addr >= im->vmas[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

int decode_pages(struct img *im)
{
	struct ckpt_rec_pages *p = (void *)im->buf;
	__u64 ps = im->hdr.page_size, end;
	struct pages_ent *e;
	long v;

	if (check_min(im, sizeof(*p)))
		return -1;
	if (p->nr_pages == 0 || p->nr_pages > CKPT_MAX_PAGES_PER_REC)
		return bad(im, "nr_pages %u is not in 1..%d", p->nr_pages,
			   CKPT_MAX_PAGES_PER_REC);
	if (check_len(im, sizeof(*p) + (__u64)p->nr_pages * ps, "nr_pages * page_size"))
		return -1;
	if (p->addr & (ps - 1))
		return bad(im, "addr 0x%llx is not page-aligned", (__u64)p->addr);
	if (p->addr > ~0ULL - p->nr_pages * ps)
		return bad(im, "addr 0x%llx + %u pages wraps around", (__u64)p->addr,
			   p->nr_pages);
	if (check_reserved(im, &p->reserved, sizeof(p->reserved)))
		return -1;
	if (im->st == ST_UPAGES)
		return decode_unlinked_pages(im);
	end = p->addr + p->nr_pages * ps;
	v = find_vma(im, p->addr);
	if (v < 0)
		return bad(im, "page at 0x%llx is not inside any VMA", (__u64)p->addr);
	if (end > im->vmas[v].end)
		return bad(im, "pages 0x%llx-0x%llx run past the end of their VMA (0x%llx)",
			   (__u64)p->addr, end, im->vmas[v].end);
	if (im->vmas[v].kind != CKPT_VMA_ANON && im->vmas[v].kind != CKPT_VMA_FILE_PRIVATE &&
	    im->vmas[v].kind != CKPT_VMA_OBJ_PRIVATE)
		return bad(im, "pages at 0x%llx are in a %s VMA, which has no pages",
			   (__u64)p->addr, vma_kinds[im->vmas[v].kind]);
	im->vmas[v].pages += p->nr_pages;
	if (im->nr_pg == im->pg_size) {
		size_t n = im->pg_size ? im->pg_size * 2 : 64;
		struct pages_ent *pg = realloc(im->pg, n * sizeof(*pg));

		if (!pg)
			return nomem(im);
		im->pg = pg;
		im->pg_size = n;
	}
	e = &im->pg[im->nr_pg++];
	e->off = im->rec_off;
	e->len = im->rec_len;
	e->addr = p->addr;
	e->nr = p->nr_pages;
	im->task_pages += p->nr_pages;
	im->pages += p->nr_pages;
	im->page_bytes += p->nr_pages * ps;
	return 0;
}

static int cmp_pages(const void *a, const void *b)
{
	const struct pages_ent *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* At the end of the PAGES records: no page may be in the image twice */
static int check_page_overlap(struct img *im)
{
	struct pages_ent *s;
	__u64 ps = im->hdr.page_size;
	size_t i;

	if (im->nr_pg < 2)
		return 0;
	s = malloc(im->nr_pg * sizeof(*s));
	if (!s)
		return nomem(im);
	memcpy(s, im->pg, im->nr_pg * sizeof(*s));
	qsort(s, im->nr_pg, sizeof(*s), cmp_pages);
	for (i = 1; i < im->nr_pg; i++) {
		if (s[i].addr < s[i - 1].addr + s[i - 1].nr * ps) {
			__u64 a = s[i].addr, o1 = s[i - 1].off, o2 = s[i].off;

			free(s);
			return bad(im, "page 0x%llx is twice in the image (PAGES at %llu and %llu)",
				   a, o1, o2);
		}
	}
	free(s);
	return 0;
}

/*
 * The first record after the PAGES records (SIGHAND): the pages are all
 * there, so check them and print the VMA and PAGES records held back
 */
int mm_end(struct img *im)
{
	if (check_page_overlap(im))
		return -1;
	flush_mm(im);
	return 0;
}
