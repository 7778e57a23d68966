// SPDX-License-Identifier: GPL-2.0-only
/*
 * The address space: mm fields (CKPT_REC_MM), every mapping
 * (CKPT_REC_VMA) and the contents of private memory (CKPT_REC_PAGES).
 *
 * Checkpoint writes, for private anonymous mappings, every page that is
 * present (never-touched pages and the shared zero page are holes), and
 * for private file mappings the pages that were copied on write; the
 * rest comes back from the file.  Shared file mappings are mapped again
 * from their file.  Pages are found with the page-table walker, pinned
 * with GUP under the mmap lock, and written after dropping it, as core
 * dumps do, so no file-system lock is taken under the mmap lock.
 *
 * Restart rebuilds the address space in the restored task itself:
 * everything it inherited is unmapped, then the vDSO is placed where it
 * was, and each mapping is made with vm_mmap() at its address; pages are
 * copied in with ordinary user copies, or with a forced GUP write where
 * the mapping is not writable.  Memory of a file no path leads to
 * (shared anonymous memory, a memfd, a deleted file) is mapped from
 * the file unlinked.c recreates, shared by every mapping of it; System
 * V shared memory is attached again to the segment sysvshm.c makes.
 * Device and hugetlb mappings and protection keys are refused at
 * checkpoint time.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/namei.h>
#include <linux/pagewalk.h>
#include <linux/pkeys.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#include <asm/vdso.h>

#include "internal.h"

#define CKPT_VMA_FLAGS	(CKPT_VMA_GROWSDOWN | CKPT_VMA_LOCKED | CKPT_VMA_DONTDUMP | \
			 CKPT_VMA_HEAP | CKPT_VMA_STACK | CKPT_VMA_SHM_RDONLY | \
			 CKPT_VMA_ADVICE | CKPT_VMA_EXE)

/* What madvise(2) set on a mapping, and restart sets again */
static const struct {
	u32 flag;
	unsigned long vm_flag;
	int advice;
} ckpt_vma_advice[] = {
	{ CKPT_VMA_DONTDUMP,	VM_DONTDUMP,	MADV_DONTDUMP },
	{ CKPT_VMA_DONTFORK,	VM_DONTCOPY,	MADV_DONTFORK },
	{ CKPT_VMA_WIPEONFORK,	VM_WIPEONFORK,	MADV_WIPEONFORK },
	{ CKPT_VMA_HUGEPAGE,	VM_HUGEPAGE,	MADV_HUGEPAGE },
	{ CKPT_VMA_NOHUGEPAGE,	VM_NOHUGEPAGE,	MADV_NOHUGEPAGE },
	{ CKPT_VMA_MERGEABLE,	VM_MERGEABLE,	MADV_MERGEABLE },
};

#define CKPT_VMA_ADVICE	(CKPT_VMA_DONTDUMP | CKPT_VMA_DONTFORK | CKPT_VMA_WIPEONFORK | \
			 CKPT_VMA_HUGEPAGE | CKPT_VMA_NOHUGEPAGE | CKPT_VMA_MERGEABLE)

struct ckpt_vma {
	unsigned long start, end, pgoff, vm_flags;
	u32 kind, prot, flags, objid;
	char *path;
	struct file *file;	/* CKPT_VMA_OBJ_*, _SYSVSHM: referenced */
};

static void ckpt_free_vmas(struct ckpt_vma *v, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		kfree(v[i].path);
		if (v[i].file)
			fput(v[i].file);
	}
	kvfree(v);
}

/*
 * State of the address space itself that is not saved: refused, named.
 * Called with the mmap lock held.
 */
static int ckpt_check_mm_state(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	if (READ_ONCE(mm->context.ldt))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"has a local descriptor table (modify_ldt(2)): not saved");
#endif
	if (test_bit(MMF_VM_MERGE_ANY, &mm->flags))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"has KSM merging on (PR_SET_MEMORY_MERGE): not saved");
	return 0;
}

/*
 * A deleted executable (a program replaced while it ran) is saved with
 * the mapping of it, as any deleted file: mark the first mapping of it,
 * whose file restart makes /proc/PID/exe again.  Return: false if no
 * mapping of the job's saves it.
 */
static bool ckpt_mark_exe(struct ckpt_vma *v, unsigned int nr, struct file *exe)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (v[i].kind == CKPT_VMA_OBJ_PRIVATE && v[i].file &&
		    file_inode(v[i].file) == file_inode(exe)) {
			v[i].flags |= CKPT_VMA_EXE;
			return true;
		}
	}
	return false;
}

/* Can this kernel and CPU hand out the protection keys in @map? */
static bool ckpt_pkeys_ok(u32 map)
{
#ifdef CONFIG_ARCH_HAS_PKEYS
	return arch_pkeys_enabled() && map < (1U << arch_max_pkey());
#else
	return false;
#endif
}

/* Classify one mapping; a reason is logged for what is not supported. */
static int ckpt_classify_vma(struct ckpt_ctx *ctx, struct mm_struct *mm,
			     struct vm_area_struct *vma, struct ckpt_vma *v, char *buf)
{
	const char *name = NULL;
	unsigned int i;

	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->pgoff = vma->vm_pgoff;
	v->vm_flags = vma->vm_flags;
	v->prot = (vma->vm_flags & VM_READ ? PROT_READ : 0) |
		  (vma->vm_flags & VM_WRITE ? PROT_WRITE : 0) |
		  (vma->vm_flags & VM_EXEC ? PROT_EXEC : 0);
	v->flags = 0;
	if (vma->vm_flags & VM_GROWSDOWN)
		v->flags |= CKPT_VMA_GROWSDOWN;
	if (vma->vm_flags & VM_LOCKED)
		v->flags |= CKPT_VMA_LOCKED;
	for (i = 0; i < ARRAY_SIZE(ckpt_vma_advice); i++)
		if (vma->vm_flags & ckpt_vma_advice[i].vm_flag)
			v->flags |= ckpt_vma_advice[i].flag;
	if (vma->vm_start <= mm->start_stack && mm->start_stack < vma->vm_end)
		v->flags |= CKPT_VMA_STACK;
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk && !vma->vm_file &&
	    mm->brk > mm->start_brk)
		v->flags |= CKPT_VMA_HEAP;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (name && !strcmp(name, "[vdso]")) {
		v->kind = CKPT_VMA_VDSO;
		return 0;
	}
	if (name && !strcmp(name, "[vvar]")) {
		v->kind = CKPT_VMA_VVAR;
		return 0;
	}
	if (vma->vm_flags & VM_LOCKONFAULT)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is locked on fault (MLOCK_ONFAULT): not supported",
				v->start, v->end);
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP) || is_vm_hugetlb_page(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is a device or hugetlb mapping: not supported",
				v->start, v->end);
	if (name)
		return ckpt_err(ctx, -EOPNOTSUPP, "mapping %#lx-%#lx (%s): not supported",
				v->start, v->end, name);
	if (vma_pkey(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx uses protection key %d: not supported",
				v->start, v->end, vma_pkey(vma));
	if (anon_vma_name(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx has a name (PR_SET_VMA_ANON_NAME): not saved",
				v->start, v->end);
	if (userfaultfd_armed(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is registered with a userfaultfd: not supported",
				v->start, v->end);
#ifdef CONFIG_NUMA
	if (vma_policy(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx has a NUMA memory policy (mbind(2)): not saved",
				v->start, v->end);
#endif
	if (!vma->vm_file) {
		if (vma->vm_flags & VM_SHARED)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"mapping %#lx-%#lx is shared anonymous memory: not supported",
					v->start, v->end);
		v->kind = CKPT_VMA_ANON;
		return 0;
	}
	if (ckpt_sysvshm_file(vma->vm_file)) {
		/* Saved with its contents (sysvshm.c), outside the mmap lock. */
		v->file = get_file(vma->vm_file);
		v->kind = CKPT_VMA_SYSVSHM;
		if (!(vma->vm_flags & VM_MAYWRITE))
			v->flags |= CKPT_VMA_SHM_RDONLY;
		return 0;
	}
	if (!ckpt_path_reopenable(vma->vm_file) && ckpt_unlinked_kind(vma->vm_file)) {
		/* Saved with its contents (unlinked.c), outside the mmap lock. */
		v->file = get_file(vma->vm_file);
		v->kind = vma->vm_flags & VM_SHARED ? CKPT_VMA_OBJ_SHARED : CKPT_VMA_OBJ_PRIVATE;
		return 0;
	}
	if (!ckpt_path_reopenable(vma->vm_file)) {
		char what[96];

		return ckpt_err(ctx, -EOPNOTSUPP, "mapping %#lx-%#lx is %s%s: not supported",
				v->start, v->end, vma->vm_flags & VM_SHARED ? "shared, " : "",
				ckpt_file_kind(vma->vm_file, what, sizeof(what)));
	}
	name = d_path(&vma->vm_file->f_path, buf, PATH_MAX);
	if (IS_ERR(name))
		return ckpt_err(ctx, PTR_ERR(name), "mapping %#lx-%#lx: file path unavailable",
				v->start, v->end);
	v->path = kstrdup(name, GFP_KERNEL);
	if (!v->path)
		return -ENOMEM;
	v->kind = vma->vm_flags & VM_SHARED ? CKPT_VMA_FILE_SHARED : CKPT_VMA_FILE_PRIVATE;
	return 0;
}

/* Are the pages of this mapping saved with it? */
static bool ckpt_vma_has_pages(const struct ckpt_vma *v)
{
	return v->kind == CKPT_VMA_ANON || v->kind == CKPT_VMA_FILE_PRIVATE ||
	       v->kind == CKPT_VMA_OBJ_PRIVATE;
}

/* Collect up to CKPT_MAX_PAGES_PER_REC consecutive pages worth saving. */
struct ckpt_run {
	struct vm_area_struct *vma;
	unsigned long start;
	unsigned long next;
	unsigned int nr;
};

/* Is a page all zeroes?  Most pages are told apart by their first word. */
static bool ckpt_page_zero(struct page *page)
{
	void *kaddr = kmap_local_page(page);
	bool zero = !memchr_inv(kaddr, 0, PAGE_SIZE);

	kunmap_local(kaddr);
	return zero;
}

static int ckpt_run_pte(pte_t *ptep, unsigned long addr, unsigned long next,
			struct mm_walk *walk)
{
	struct ckpt_run *run = walk->private;
	pte_t pte = ptep_get(ptep);
	bool want = false;

	if (pte_present(pte)) {
		struct page *page = vm_normal_page(walk->vma, addr, pte);

		/* Private file pages not yet copied come back from the file. */
		want = page && (!walk->vma->vm_file || PageAnon(page));
		/* An anonymous page of zeroes comes back as it was never written. */
		if (want && !walk->vma->vm_file && ckpt_page_zero(page))
			want = false;
	} else if (!pte_none(pte)) {
		want = true;	/* swapped out: GUP brings it back */
	}

	if (run->nr && (!want || addr != run->start + run->nr * PAGE_SIZE ||
			run->nr == CKPT_MAX_PAGES_PER_REC)) {
		run->next = addr;
		return 1;
	}
	if (want) {
		if (!run->nr)
			run->start = addr;
		run->nr++;
	}
	return 0;
}

static const struct mm_walk_ops ckpt_run_ops = {
	.pte_entry	= ckpt_run_pte,
	.walk_lock	= PGWALK_RDLOCK,
};

static int ckpt_write_vma_pages(struct ckpt_ctx *ctx, struct task_struct *t,
				struct mm_struct *mm, const struct ckpt_vma *v,
				struct page **pages)
{
	unsigned long addr = v->start;
	struct ckpt_rec_pages rec = {};
	int err = 0;

	while (addr < v->end && !err) {
		struct ckpt_run run = { .next = v->end };
		struct vm_area_struct *vma;
		long got = 0, i;

		/* The OOM reaper empties a killed process's memory: stop here. */
		if (t && ckpt_task_killed(t))
			return ckpt_err(ctx, -ESRCH, "was killed during the checkpoint");
		if (mmap_read_lock_killable(mm))
			return ckpt_err(ctx, -EINTR, "interrupted by a signal");
		vma = vma_lookup(mm, addr);
		if (!vma || vma->vm_start != v->start || vma->vm_end != v->end) {
			mmap_read_unlock(mm);
			return ckpt_err(ctx, -EBUSY, "address space changed while frozen");
		}
		walk_page_range(mm, addr, v->end, &ckpt_run_ops, &run);
		if (run.nr) {
			got = get_user_pages_remote(mm, run.start, run.nr, FOLL_FORCE,
						    pages, NULL);
			if (got <= 0) {
				mmap_read_unlock(mm);
				return ckpt_err(ctx, got ? got : -EFAULT,
						"cannot read memory at %#lx", run.start);
			}
		}
		mmap_read_unlock(mm);
		if (!run.nr)
			break;

		rec.addr = run.start;
		rec.nr_pages = got;
		rec.h.type = CKPT_REC_PAGES;
		rec.h.len = sizeof(rec) + got * PAGE_SIZE;
		err = ckpt_write(ctx, &rec, sizeof(rec));
		if (!err)
			err = ckpt_write_pages(ctx, pages, got);
		for (i = 0; i < got; i++)
			put_page(pages[i]);
		addr = got < run.nr ? run.start + got * PAGE_SIZE : run.next;
		cond_resched();
	}
	return err;
}

/**
 * ckpt_write_snapshot_pages - write the pages of a mapping of a snapshot
 * @ctx:	the checkpoint context, no longer spooling
 * @snap:	a copy-on-write snapshot of a process's address space
 * @start:	the mapping's start
 * @end:	and end
 *
 * Return: 0 or a negative errno (the reason logged).
 */
int ckpt_write_snapshot_pages(struct ckpt_ctx *ctx, struct mm_struct *snap,
			      unsigned long start, unsigned long end)
{
	struct ckpt_vma v = { .start = start, .end = end };
	struct page **pages;
	int err;

	pages = kmalloc_array(CKPT_MAX_PAGES_PER_REC, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	err = ckpt_write_vma_pages(ctx, NULL, snap, &v, pages);
	kfree(pages);
	return err;
}

/* Does a mapping whose pages are saved have them in a fork's copy? */
static bool ckpt_vma_in_snapshot(const struct ckpt_vma *v)
{
	return !(v->vm_flags & (VM_DONTCOPY | VM_WIPEONFORK));
}

/*
 * The pages of the mappings that have them: spooled for a copy-on-write
 * checkpoint (read from a snapshot once the job is thawed), or written
 * from the frozen process itself.
 */
static int ckpt_write_mm_pages(struct ckpt_ctx *ctx, struct task_struct *t,
			       struct mm_struct *mm, struct ckpt_vma *vmas, unsigned int nr,
			       struct page **pages)
{
	struct mm_struct *snap = NULL;
	unsigned int i;
	int err = 0;

	for (i = 0; i < nr && ctx->spooling; i++)
		if (ckpt_vma_has_pages(&vmas[i]) && !ckpt_vma_in_snapshot(&vmas[i]))
			break;
	if (ctx->spooling && i == nr && !ckpt_cow_too_big(ctx, 0))
		snap = ckpt_cow_snapshot(ctx, mm);
	if (!snap)
		err = ckpt_cow_end(ctx);
	for (i = 0; i < nr && !err; i++) {
		if (!ckpt_vma_has_pages(&vmas[i]))
			continue;
		if (snap)
			err = ckpt_spool_pages(ctx, snap, vmas[i].start, vmas[i].end);
		else
			err = ckpt_write_vma_pages(ctx, t, mm, &vmas[i], pages);
	}
	if (snap)
		mmput(snap);
	return err;
}

/**
 * ckpt_write_mm - write the address space of a process
 * @ctx:	the checkpoint context
 * @t:		the frozen process (or current)
 *
 * Return: 0, -EOPNOTSUPP for a mapping that cannot be saved (with the
 * reason logged), or a negative errno.
 */
int ckpt_write_mm(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct mm_struct *mm = get_task_mm(t);
	struct ckpt_rec_mm *rec = NULL;
	struct ckpt_vma *vmas = NULL;
	struct page **pages = NULL;
	struct vm_area_struct *vma;
	struct file *exe;
	unsigned int nr = 0, i;
	char *buf, *exe_path = NULL;
	int err = 0;

	if (!mm)
		return ckpt_task_killed(t) ?
		       ckpt_err(ctx, -ESRCH, "was killed during the checkpoint") :
		       ckpt_err(ctx, -EINVAL, "has no address space");
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	pages = kmalloc_array(CKPT_MAX_PAGES_PER_REC, sizeof(*pages), GFP_KERNEL);
	if (!buf || !rec || !pages) {
		err = -ENOMEM;
		goto out;
	}

	if (mmap_read_lock_killable(mm)) {
		err = ckpt_err(ctx, -EINTR, "interrupted by a signal");
		goto out;
	}
	ckpt_log_hold(ctx);
	vmas = kvcalloc(mm->map_count, sizeof(*vmas), GFP_KERNEL);
	if (!vmas) {
		mmap_read_unlock(mm);
		ckpt_log_release(ctx);
		err = -ENOMEM;
		goto out;
	}
	/* Named before the mappings it locked on fault with MCL_CURRENT. */
	if (mm->def_flags & VM_LOCKONFAULT)
		err = ckpt_err(ctx, -EOPNOTSUPP,
			       "has mlockall(MCL_ONFAULT) set for its future mappings: not supported");
	if (!err)
		err = ckpt_check_mm_state(ctx, mm);
	if (!err) {
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if (nr == mm->map_count)
				break;
			err = ckpt_classify_vma(ctx, mm, vma, &vmas[nr], buf);
			if (!err && vma->vm_file)
				err = ckpt_check_mapped_locks(ctx, t, vma->vm_file, vma->vm_start);
			nr++;
			if (err)
				break;
		}
	}
	rec->start_code = mm->start_code;
	rec->end_code = mm->end_code;
	rec->start_data = mm->start_data;
	rec->end_data = mm->end_data;
	rec->start_brk = mm->start_brk;
	rec->brk = mm->brk;
	rec->start_stack = mm->start_stack;
	rec->arg_start = mm->arg_start;
	rec->arg_end = mm->arg_end;
	rec->env_start = mm->env_start;
	rec->env_end = mm->env_end;
	BUILD_BUG_ON(AT_VECTOR_SIZE > CKPT_AUXV_WORDS);
	rec->auxv_words = AT_VECTOR_SIZE;
	for (i = 0; i < AT_VECTOR_SIZE; i++)
		rec->auxv[i] = mm->saved_auxv[i];
	if (mm->def_flags & VM_LOCKED)
		rec->flags |= CKPT_MM_LOCK_FUTURE;
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		rec->flags |= CKPT_MM_THP_DISABLE;
	if (test_bit(MMF_HAS_MDWE, &mm->flags))
		rec->flags |= CKPT_MM_MDWE;
	if (test_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags))
		rec->flags |= CKPT_MM_MDWE_NO_INHERIT;
#ifdef CONFIG_ARCH_HAS_PKEYS
	/*
	 * The keys pkey_alloc(2) gave out.  Not the one the kernel took for
	 * PROT_EXEC-only mappings: a mapping with a key is refused, so it
	 * serves none.
	 */
	rec->flags |= (u32)(mm_pkey_allocation_map(mm) &
			    ~(mm->context.execute_only_pkey >= 0 ?
			      1U << mm->context.execute_only_pkey : 0)) << CKPT_MM_PKEYS_SHIFT;
#endif
	mmap_read_unlock(mm);
	ckpt_log_release(ctx);
	if (err)
		goto out;

	for (i = 0; i < nr; i++) {
		if (vmas[i].kind == CKPT_VMA_VDSO)
			rec->vdso = vmas[i].start;
		if (vmas[i].kind == CKPT_VMA_VVAR)
			rec->vvar = vmas[i].start;
	}
	rec->nr_vmas = nr;

	exe = get_mm_exe_file(mm);
	if (exe) {
		char *p = d_path(&exe->f_path, buf, PATH_MAX);

		if (!IS_ERR(p) && !d_unlinked(exe->f_path.dentry))
			exe_path = kstrdup(p, GFP_KERNEL);
		else if (!ckpt_mark_exe(vmas, nr, exe))
			ckpt_warn(ctx, "executable is deleted or unreachable: not recorded");
		fput(exe);
	}
	err = ckpt_write_record_str(ctx, CKPT_REC_MM, rec, sizeof(*rec), exe_path,
				    &rec->exe_len);

	for (i = 0; i < nr && !err; i++) {
		struct ckpt_rec_vma vr = {
			.start = vmas[i].start,
			.end = vmas[i].end,
			.pgoff = vmas[i].pgoff,
			.vm_flags = vmas[i].vm_flags,
			.kind = vmas[i].kind,
			.prot = vmas[i].prot,
			.flags = vmas[i].flags,
		};

		if (vmas[i].kind == CKPT_VMA_SYSVSHM)
			err = ckpt_write_sysvshm(ctx, vmas[i].file, &vr.objid);
		else if (vmas[i].file)
			err = ckpt_write_unlinked(ctx, vmas[i].file, &vr.objid);
		if (!err)
			err = ckpt_write_record_str(ctx, CKPT_REC_VMA, &vr, sizeof(vr),
						    vmas[i].path, &vr.path_len);
	}
	if (!err)
		err = ckpt_write_mm_pages(ctx, t, mm, vmas, nr, pages);
out:
	if (vmas)
		ckpt_free_vmas(vmas, nr);
	kfree(exe_path);
	kfree(pages);
	kfree(rec);
	kfree(buf);
	mmput(mm);
	return err;
}

/* ---- restart ---- */

static bool ckpt_user_range(u64 start, u64 end)
{
	return start <= end && end <= TASK_SIZE;
}

/*
 * What prctl(PR_SET_MM_MAP) checks when a process sets these fields
 * itself, which it may without privileges (validate_prctl_map_addr()):
 * the rule for a restart without CAP_CHECKPOINT_RESTORE.  RLIMIT_DATA is
 * the restored process's, already set.
 */
static const char *ckpt_check_mm_map(const struct ckpt_rec_mm *r)
{
	const u64 addrs[] = {
		r->start_code, r->end_code, r->start_data, r->end_data, r->start_brk,
		r->brk, r->start_stack, r->arg_start, r->arg_end, r->env_start, r->env_end,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		if (addrs[i] >= TASK_SIZE || addrs[i] < mmap_min_addr)
			return "field outside [mmap_min_addr, TASK_SIZE)";
	if (r->start_code >= r->end_code)
		return "empty code range";
	if (check_data_rlimit(rlimit(RLIMIT_DATA), r->brk, r->start_brk, r->end_data,
			      r->start_data))
		return "data and brk size above RLIMIT_DATA";
	return NULL;
}

static int ckpt_check_mm(struct ckpt_ctx *ctx, const struct ckpt_rec_mm *r)
{
	const char *bad = NULL;

	if (!ckpt_user_range(r->start_code, r->end_code))
		bad = "code";
	else if (!ckpt_user_range(r->start_data, r->end_data))
		bad = "data";
	else if (!ckpt_user_range(r->start_brk, r->brk))
		bad = "brk";
	else if (!ckpt_user_range(r->arg_start, r->arg_end))
		bad = "arguments";
	else if (!ckpt_user_range(r->env_start, r->env_end))
		bad = "environment";
	else if (r->start_stack >= TASK_SIZE)
		bad = "stack";
	else if (r->nr_vmas > CKPT_MAX_VMAS)
		bad = "mapping count";
	else if (r->auxv_words > AT_VECTOR_SIZE || r->auxv_words % 2 ||
		 (r->auxv_words && r->auxv[r->auxv_words - 2] != AT_NULL))
		bad = "auxiliary vector";
	else if (r->vdso && (r->vdso != r->vvar - vdso_image_64.sym_vvar_start ||
			     r->vdso + vdso_image_64.size > TASK_SIZE || !PAGE_ALIGNED(r->vvar)))
		bad = "vDSO address";
	else if (!r->vdso && r->vvar)
		bad = "vvar address";
	else if ((r->flags & ((1U << CKPT_MM_PKEYS_SHIFT) - 1) & ~CKPT_MM_FLAGS_ALL) ||
		 ((r->flags & CKPT_MM_MDWE_NO_INHERIT) && !(r->flags & CKPT_MM_MDWE)) ||
		 ((r->flags >> CKPT_MM_PKEYS_SHIFT) && !((r->flags >> CKPT_MM_PKEYS_SHIFT) & 1)))
		bad = "flags field";
	if (bad)
		return ckpt_err(ctx, -ENOEXEC, "mm record has a bad %s", bad);
	bad = ctx->unprivileged ? ckpt_check_mm_map(r) : NULL;
	if (bad)
		return ckpt_err(ctx, -EPERM,
				"mm record: %s, which prctl(PR_SET_MM_MAP) refuses; restoring it needs CAP_CHECKPOINT_RESTORE",
				bad);
	return 0;
}

static struct file *ckpt_open_mapped(struct ckpt_ctx *ctx, const char *path, int flags)
{
	struct file *f = filp_open(path, flags | O_LARGEFILE | O_NOFOLLOW, 0);

	if (IS_ERR(f)) {
		ckpt_err(ctx, PTR_ERR(f), "cannot open %s (error %ld)", path, PTR_ERR(f));
		return f;
	}
	if (!S_ISREG(file_inode(f)->i_mode)) {
		fput(f);
		ckpt_err(ctx, -EACCES, "%s is no longer a regular file", path);
		return ERR_PTR(-EACCES);
	}
	return f;
}

static int ckpt_set_exe(struct ckpt_ctx *ctx, const char *path)
{
	struct file *f = ckpt_open_mapped(ctx, path, O_RDONLY);
	int err;

	if (IS_ERR(f))
		return PTR_ERR(f);
	err = file_permission(f, MAY_EXEC);
	if (!err && path_noexec(&f->f_path))
		err = -EACCES;
	/*
	 * PR_SET_MM_EXE_FILE needs CAP_CHECKPOINT_RESTORE, lest a process
	 * pass for a set-user-ID program it never ran; a restarter without
	 * it restores an executable the process could run, and no such one.
	 */
	if (!err && ctx->unprivileged &&
	    (file_inode(f)->i_mode & (S_ISUID | S_ISGID))) {
		fput(f);
		return ckpt_err(ctx, -EPERM,
				"executable %s is set-user-ID or set-group-ID: restoring it needs CAP_CHECKPOINT_RESTORE",
				path);
	}
	if (!err)
		err = replace_mm_exe_file(current->mm, f);
	if (err)
		ckpt_err(ctx, err, "executable %s: cannot use it (error %d)", path, err);
	fput(f);
	return err;
}

/* Give a restored mapping what madvise(2) had set on it. */
static int ckpt_advise_vma(struct ckpt_ctx *ctx, const struct ckpt_rec_vma *r)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ckpt_vma_advice); i++) {
		if (!(r->flags & ckpt_vma_advice[i].flag))
			continue;
		err = do_madvise(current->mm, r->start, r->end - r->start,
				 ckpt_vma_advice[i].advice);
		if (err)
			return ckpt_err(ctx, err,
					"mapping %#llx-%#llx: cannot give it madvise(%d) again (error %d)",
					r->start, r->end, ckpt_vma_advice[i].advice, err);
	}
	return 0;
}

static int ckpt_map_vma(struct ckpt_ctx *ctx, const struct ckpt_rec_vma *r,
			const char *path)
{
	unsigned long len = r->end - r->start;
	unsigned long flags = MAP_FIXED_NOREPLACE;
	struct file *file = NULL;
	unsigned long addr;

	if (r->kind == CKPT_VMA_ANON) {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		if (r->flags & CKPT_VMA_GROWSDOWN)
			flags |= MAP_GROWSDOWN;
	} else if (r->kind == CKPT_VMA_OBJ_SHARED || r->kind == CKPT_VMA_OBJ_PRIVATE) {
		flags |= r->kind == CKPT_VMA_OBJ_SHARED ? MAP_SHARED : MAP_PRIVATE;
		file = ckpt_unlinked_file(ctx, r->objid);
		if (!file)
			return ckpt_err(ctx, -ENOEXEC, "mapping %#llx-%#llx: no unlinked file %u",
					r->start, r->end, r->objid);
		/*
		 * A private mapping needs no write access: map a read-only
		 * open, so that the file can be an executable again once the
		 * restart's own read-write open of it is closed.
		 */
		if (r->kind == CKPT_VMA_OBJ_PRIVATE)
			file = dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE, current_cred());
		else
			get_file(file);
		if (IS_ERR(file))
			return ckpt_err(ctx, PTR_ERR(file),
					"mapping %#llx-%#llx: cannot open unlinked file %u (error %ld)",
					r->start, r->end, r->objid, PTR_ERR(file));
		if (r->flags & CKPT_VMA_EXE)
			ctx->cur->exe = get_file(file);
	} else if (r->kind == CKPT_VMA_SYSVSHM) {
		flags |= MAP_SHARED;
		file = ckpt_sysvshm_attach(ctx, r->objid, r->start - (r->pgoff << PAGE_SHIFT),
					   r->flags & CKPT_VMA_SHM_RDONLY);
		if (!file)
			return ckpt_err(ctx, -ENOEXEC,
					"mapping %#llx-%#llx: no System V segment %u",
					r->start, r->end, r->objid);
		if (IS_ERR(file))
			return PTR_ERR(file);
	} else {
		int oflags = O_RDONLY;

		if (r->kind == CKPT_VMA_FILE_SHARED) {
			flags |= MAP_SHARED;
			if (r->prot & PROT_WRITE || r->vm_flags & VM_MAYWRITE)
				oflags = O_RDWR;
		} else {
			flags |= MAP_PRIVATE;
		}
		file = ckpt_open_mapped(ctx, path, oflags);
		if (IS_ERR(file) && oflags == O_RDWR && !(r->prot & PROT_WRITE)) {
			ctx->err_logged = false;
			file = ckpt_open_mapped(ctx, path, O_RDONLY);
		}
		if (IS_ERR(file))
			return PTR_ERR(file);
	}
	if (r->flags & CKPT_VMA_LOCKED)
		flags |= MAP_LOCKED;
	addr = vm_mmap(file, r->start, len, r->prot, flags, r->pgoff << PAGE_SHIFT);
	if (file)
		fput(file);
	if (IS_ERR_VALUE(addr))
		return ckpt_err(ctx, (long)addr, "cannot map %#llx-%#llx%s%s%s (error %ld)",
				r->start, r->end, path ? " of " : "", path ?: "",
				r->flags & CKPT_VMA_LOCKED ? ", locked in memory" : "", (long)addr);
	if (addr != r->start)
		return ckpt_err(ctx, -EINVAL, "mapping %#llx-%#llx landed at %#lx",
				r->start, r->end, addr);
	return ckpt_advise_vma(ctx, r);
}

static int ckpt_read_vma(struct ckpt_ctx *ctx, const struct ckpt_rec_mm *mr,
			 struct ckpt_vma *v, u64 prev_end)
{
	struct ckpt_rec_vma *r;
	const char *path = NULL;
	long vvar_size = -vdso_image_64.sym_vvar_start;
	int err = -ENOEXEC;

	r = ckpt_read_record(ctx, CKPT_REC_VMA, sizeof(*r), sizeof(*r) + CKPT_MAX_PATH);
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (!PAGE_ALIGNED(r->start) || !PAGE_ALIGNED(r->end) || r->start >= r->end || r->reserved ||
	    !r->objid != (r->kind != CKPT_VMA_OBJ_SHARED && r->kind != CKPT_VMA_OBJ_PRIVATE &&
			  r->kind != CKPT_VMA_SYSVSHM) ||
	    (r->flags & CKPT_VMA_SHM_RDONLY &&
	     (r->kind != CKPT_VMA_SYSVSHM || r->prot & PROT_WRITE)) ||
	    (r->flags & CKPT_VMA_EXE &&
	     (r->kind != CKPT_VMA_OBJ_PRIVATE || mr->exe_len || ctx->cur->exe)) ||
	    r->end > TASK_SIZE || r->start < prev_end || r->start < mmap_min_addr ||
	    r->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) || r->flags & ~CKPT_VMA_FLAGS ||
	    r->pgoff > (ULONG_MAX >> PAGE_SHIFT) - ((r->end - r->start) >> PAGE_SHIFT)) {
		ckpt_err(ctx, err, "mapping %#llx-%#llx: bad range, protection or flags",
			 r->start, r->end);
		goto out;
	}
	switch (r->kind) {
	case CKPT_VMA_ANON:
	case CKPT_VMA_OBJ_SHARED:
	case CKPT_VMA_OBJ_PRIVATE:
	case CKPT_VMA_SYSVSHM:
		if (r->path_len || r->h.len != sizeof(*r))
			goto bad;
		break;
	case CKPT_VMA_FILE_PRIVATE:
	case CKPT_VMA_FILE_SHARED:
		path = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->path_len, "mapped file");
		if (!path || sizeof(*r) + r->path_len != r->h.len)
			goto bad;
		break;
	case CKPT_VMA_VDSO:
		if (r->start != mr->vdso || r->end - r->start != vdso_image_64.size ||
		    r->h.len != sizeof(*r))
			goto bad;
		break;
	case CKPT_VMA_VVAR:
		if (r->start != mr->vvar || r->end - r->start != vvar_size ||
		    r->h.len != sizeof(*r))
			goto bad;
		break;
	default:
		goto bad;
	}
	v->start = r->start;
	v->end = r->end;
	v->kind = r->kind;
	v->objid = r->objid;
	err = 0;
	if (r->kind != CKPT_VMA_VDSO && r->kind != CKPT_VMA_VVAR)
		err = ckpt_map_vma(ctx, r, path);
	goto out;
bad:
	ckpt_err(ctx, -ENOEXEC, "mapping %#llx-%#llx: malformed record of kind %u",
		 r->start, r->end, r->kind);
out:
	kvfree(r);
	return err;
}

/* The restored mapping that holds [addr, addr + len), or NULL. */
static const struct ckpt_vma *ckpt_find_vma(const struct ckpt_vma *v, unsigned int nr,
					    u64 addr, u64 len)
{
	unsigned int lo = 0, hi = nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (addr >= v[mid].end)
			lo = mid + 1;
		else if (addr < v[mid].start)
			hi = mid;
		else
			return len <= v[mid].end - addr ? &v[mid] : NULL;
	}
	return NULL;
}

#define CKPT_READ_BATCH	64

static int ckpt_read_pages(struct ckpt_ctx *ctx, const struct ckpt_vma *vmas,
			   unsigned int nr, struct page **pages)
{
	struct ckpt_rec_pages r;
	const struct ckpt_vma *v;
	u64 addr, left;
	long len, got, i;
	int err;

	len = ckpt_read_record_head(ctx, CKPT_REC_PAGES, &r, sizeof(r),
				    sizeof(r) + CKPT_MAX_PAGES_PER_REC * PAGE_SIZE);
	if (len < 0)
		return len;
	if (!r.nr_pages || r.nr_pages > CKPT_MAX_PAGES_PER_REC || r.reserved ||
	    len != sizeof(r) + (u64)r.nr_pages * PAGE_SIZE || !PAGE_ALIGNED(r.addr))
		return ckpt_err(ctx, -ENOEXEC, "malformed pages record at %#llx", r.addr);
	left = r.nr_pages;
	v = ckpt_find_vma(vmas, nr, r.addr, left * PAGE_SIZE);
	if (!v || (v->kind != CKPT_VMA_ANON && v->kind != CKPT_VMA_FILE_PRIVATE &&
		   v->kind != CKPT_VMA_OBJ_PRIVATE))
		return ckpt_err(ctx, -ENOEXEC, "pages at %#llx are outside private mappings",
				r.addr);

	/*
	 * Fault the pages in for writing, as ptrace's access_remote_vm()
	 * does (read-only mappings too), and read the image into them.
	 */
	addr = r.addr;
	while (left) {
		unsigned int n = min_t(u64, left, CKPT_READ_BATCH);

		if (mmap_read_lock_killable(current->mm))
			return ckpt_err(ctx, -EINTR, "interrupted by a signal");
		got = get_user_pages(addr, n, FOLL_WRITE | FOLL_FORCE, pages);
		mmap_read_unlock(current->mm);
		if (got != n) {
			for (i = 0; i < got; i++)
				put_page(pages[i]);
			return ckpt_err(ctx, got < 0 ? got : -EFAULT,
					"cannot fill memory at %#llx", addr);
		}
		err = ckpt_read_pages_into(ctx, pages, n);
		for (i = 0; i < n; i++) {
			set_page_dirty_lock(pages[i]);
			put_page(pages[i]);
		}
		if (err)
			return err;
		addr += (u64)n * PAGE_SIZE;
		left -= n;
		cond_resched();
	}
	return 0;
}

/**
 * ckpt_read_mm - rebuild current's address space from the image
 * @ctx: the restart context
 *
 * Runs in the task being restored, which still has a copy of the
 * restarter's address space.
 *
 * Return: 0, -ENOEXEC for a malformed image, or the error of the
 * mapping or file that could not be recreated (logged).
 */
int ckpt_read_mm(struct ckpt_ctx *ctx)
{
	struct mm_struct *mm = current->mm;
	struct ckpt_vma *vmas = NULL;
	struct ckpt_rec_mm *r;
	const char *exe = NULL;
	struct page **pages = NULL;
	unsigned int i;
	u64 prev_end = 0;
	u32 pkeys;
	int err;

	r = ckpt_read_record(ctx, CKPT_REC_MM, sizeof(*r), sizeof(*r) + CKPT_MAX_PATH);
	if (IS_ERR(r))
		return PTR_ERR(r);
	err = ckpt_check_mm(ctx, r);
	if (err)
		goto out;
	if (r->exe_len) {
		exe = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->exe_len, "executable");
		if (!exe || sizeof(*r) + r->exe_len != r->h.len) {
			err = -ENOEXEC;
			goto out;
		}
	} else if (r->h.len != sizeof(*r)) {
		err = ckpt_err(ctx, -ENOEXEC, "mm record has trailing bytes");
		goto out;
	}

	err = -ENOMEM;
	vmas = kvcalloc(r->nr_vmas ?: 1, sizeof(*vmas), GFP_KERNEL);
	pages = kmalloc_array(CKPT_READ_BATCH, sizeof(*pages), GFP_KERNEL);
	if (!vmas || !pages)
		goto out;

	/* Start from an empty address space. */
	err = vm_munmap(0, TASK_SIZE);
	if (err) {
		ckpt_err(ctx, err, "cannot empty the address space (error %d)", err);
		goto out;
	}
	if (exe) {
		err = ckpt_set_exe(ctx, exe);
		if (err)
			goto out;
	}
	if (r->vdso) {
		err = map_vdso_once(&vdso_image_64, r->vvar);
		if (!err && (unsigned long)mm->context.vdso != r->vdso)
			err = -EBUSY;
		if (err) {
			ckpt_err(ctx, err,
				 "cannot place the vDSO at %#llx (error %d)", r->vdso, err);
			goto out;
		}
	}

	for (i = 0; i < r->nr_vmas; i++) {
		while ((err = ckpt_peek_type(ctx)) == CKPT_REC_UNLINKED ||
		       err == CKPT_REC_SYSVSHM) {
			err = err == CKPT_REC_UNLINKED ? ckpt_read_unlinked(ctx) :
							 ckpt_read_sysvshm(ctx);
			if (err)
				goto out;
		}
		if (err < 0)
			goto out;
		err = ckpt_read_vma(ctx, r, &vmas[i], prev_end);
		if (err)
			goto out;
		prev_end = vmas[i].end;
	}
	while ((err = ckpt_peek_type(ctx)) == CKPT_REC_PAGES) {
		err = ckpt_read_pages(ctx, vmas, r->nr_vmas, pages);
		if (err)
			goto out;
	}
	if (err < 0)
		goto out;

	/* As mlockall(MCL_FUTURE) checks it. */
	pkeys = r->flags >> CKPT_MM_PKEYS_SHIFT;
	if (pkeys > 1 && !ckpt_pkeys_ok(pkeys)) {
		err = ckpt_err(ctx, -EOPNOTSUPP,
			       "protection keys %#x were allocated: this CPU or kernel lacks them",
			       pkeys);
		goto out;
	}
	if (r->flags & CKPT_MM_LOCK_FUTURE && !can_do_mlock()) {
		err = ckpt_err(ctx, -EPERM,
			       "mlockall(MCL_FUTURE): RLIMIT_MEMLOCK is 0 and it lacks CAP_IPC_LOCK");
		goto out;
	}
	if (mmap_write_lock_killable(mm)) {
		err = -EINTR;
		goto out;
	}
	if (r->flags & CKPT_MM_LOCK_FUTURE)
		mm->def_flags |= VM_LOCKED;
	/* As prctl(2) sets them; MDWE, once set, cannot be cleared. */
	if (r->flags & CKPT_MM_THP_DISABLE)
		set_bit(MMF_DISABLE_THP, &mm->flags);
	if (r->flags & CKPT_MM_MDWE_NO_INHERIT)
		set_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags);
	if (r->flags & CKPT_MM_MDWE)
		set_bit(MMF_HAS_MDWE, &mm->flags);
#ifdef CONFIG_ARCH_HAS_PKEYS
	if (pkeys)
		mm_pkey_allocation_map(mm) = pkeys;
#endif
	mm->start_code = r->start_code;
	mm->end_code = r->end_code;
	mm->start_data = r->start_data;
	mm->end_data = r->end_data;
	mm->start_brk = r->start_brk;
	mm->brk = r->brk;
	mm->start_stack = r->start_stack;
	mm->arg_start = r->arg_start;
	mm->arg_end = r->arg_end;
	mm->env_start = r->env_start;
	mm->env_end = r->env_end;
	memset(mm->saved_auxv, 0, sizeof(mm->saved_auxv));
	for (i = 0; i < r->auxv_words; i++)
		mm->saved_auxv[i] = r->auxv[i];
	mmap_write_unlock(mm);
	err = 0;
out:
	kfree(pages);
	kvfree(vmas);
	kvfree(r);
	return err;
}
