// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files that no path leads back to: the shared memory behind
 * MAP_SHARED|MAP_ANONYMOUS and shared /dev/zero mappings, memfds, and
 * deleted files (a temporary file opened then unlinked; POSIX shared
 * memory or a POSIX semaphore after shm_unlink(3)).
 *
 * Such a file is saved once (CKPT_REC_UNLINKED) with its contents, as
 * CKPT_REC_PAGES records at offsets in the file; holes (SEEK_HOLE) are
 * left out.  Its mappings (CKPT_VMA_OBJ_SHARED, _PRIVATE) and open files
 * (CKPT_FILE_UNLINKED) name it by id, so that the processes that shared
 * it share it again after restart: restart creates it once, unlinked
 * from the start (shmem for shared anonymous memory and memfds, with
 * the memfd's name and seals; O_TMPFILE in the directory a deleted file
 * was in, so it stays on the same filesystem), fills it, and maps and
 * opens that one file wherever the image names it.
 *
 * The file is the job's only if no process outside the job maps it or
 * has a descriptor on it: otherwise restarting the job would silently
 * part it from that process, and the checkpoint is refused, naming the
 * process.  A deleted file on a filesystem other than tmpfs is saved up
 * to CKPT_MAX_DELETED_SIZE bytes of contents.  System V shared memory
 * (a shmem file too) is saved by sysvshm.c, with these helpers for its
 * contents.
 *
 * A memfd's seals are given back before it is mapped, so a memfd sealed
 * with F_SEAL_FUTURE_WRITE while mapped writable, which could not be
 * mapped so again, is refused at checkpoint.  Ownership of a deleted
 * file is not restored: it comes back owned by the restored process,
 * with its permission bits.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "internal.h"

#define CKPT_SEALS_ALL	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
			 F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)
#define CKPT_MEMFD_PREFIX	"memfd:"

/**
 * ckpt_unlinked_kind - is a file one that is saved with its contents?
 * @f: the file
 *
 * Return: its CKPT_UNLINKED_* kind, or 0: it can be reopened by path,
 * or it is of no kind saved so (System V shared memory, a deleted
 * directory or device, a kernel-internal file of another kind).
 */
u32 ckpt_unlinked_kind(struct file *f)
{
	struct dentry *dentry = f->f_path.dentry;
	const char *name = dentry->d_name.name;

	if (!S_ISREG(file_inode(f)->i_mode) || (f->f_mode & FMODE_PATH))
		return 0;
	if (f->f_path.mnt->mnt_flags & MNT_INTERNAL) {
		if (!shmem_file(f))
			return 0;
		if (!strncmp(name, CKPT_MEMFD_PREFIX, strlen(CKPT_MEMFD_PREFIX)))
			return CKPT_UNLINKED_MEMFD;
		if (!strcmp(name, "dev/zero"))
			return CKPT_UNLINKED_SHMEM;
		return 0;
	}
	return d_unlinked(dentry) ? CKPT_UNLINKED_DELETED : 0;
}

static bool ckpt_on_inode(struct file *f, const void *inode)
{
	return file_inode(f) == inode;
}

/* The first address space outside the job that maps @mapping, or NULL. */
static struct mm_struct *ckpt_mapped_outside(struct ckpt_ctx *ctx,
					     struct address_space *mapping)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm = NULL;

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, 0, ULONG_MAX) {
		if (!ckpt_job_mm(ctx, vma->vm_mm)) {
			mm = vma->vm_mm;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return mm;
}

/**
 * ckpt_check_unlinked - is a file saved with its contents the job's only?
 * @ctx:	the checkpoint context
 * @f:		the file
 * @what:	what to call it in the reason
 *
 * Return: 0, or -EBUSY if a process outside the job maps it or has a
 * descriptor on it, -EOPNOTSUPP for a memfd that could not be mapped
 * again as it is (the reason logged).
 */
int ckpt_check_unlinked(struct ckpt_ctx *ctx, struct file *f, const char *what)
{
	struct inode *inode = file_inode(f);
	struct mm_struct *mm;
	pid_t holder;
	u32 seals;

	mm = ckpt_mapped_outside(ctx, f->f_mapping);
	if (mm) {
		holder = ckpt_mm_holder(mm);
		if (holder)
			return ckpt_err(ctx, -EBUSY, "%s is also mapped by pid %d, outside the job",
					what, holder);
		return ckpt_err(ctx, -EBUSY, "%s is also mapped outside the job", what);
	}
	holder = ckpt_outside_holder(ctx, ckpt_on_inode, inode);
	if (holder)
		return ckpt_err(ctx, -EBUSY, "%s is also open in pid %d, outside the job",
				what, holder);
	seals = memfd_fcntl(f, F_GET_SEALS, 0);
	if ((int)seals > 0 && seals & F_SEAL_FUTURE_WRITE && mapping_writably_mapped(f->f_mapping))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"%s is sealed with F_SEAL_FUTURE_WRITE and mapped writable: not supported",
				what);
	return 0;
}

/* Pages of data (not holes) in @f, from SEEK_DATA and SEEK_HOLE. */
static int ckpt_next_data(struct file *f, loff_t pos, loff_t size, loff_t *start, loff_t *end)
{
	loff_t s, e;

	if (pos >= size)
		return 0;
	s = vfs_llseek(f, pos, SEEK_DATA);
	if (s == -ENXIO)
		return 0;
	if (s < 0)
		return s;
	e = vfs_llseek(f, s, SEEK_HOLE);
	if (e < 0)
		return e;
	*start = round_down(s, PAGE_SIZE);
	*end = min_t(loff_t, round_up(e, PAGE_SIZE), round_up(size, PAGE_SIZE));
	return *end > *start;
}

/**
 * ckpt_count_data - pages of data (not holes) in a file
 * @f:		a description that can read the file
 * @size:	its size
 * @nr:		set to the number of pages
 *
 * Return: 0 or a negative errno.
 */
int ckpt_count_data(struct file *f, loff_t size, u64 *nr)
{
	loff_t pos = 0, start, end;
	int more;

	*nr = 0;
	while ((more = ckpt_next_data(f, pos, size, &start, &end)) > 0) {
		*nr += (end - start) >> PAGE_SHIFT;
		pos = end;
	}
	return more;
}

/**
 * ckpt_write_data - write a file's pages of data in CKPT_REC_PAGES records
 * @ctx:	the checkpoint context
 * @f:		a description that can read the file
 * @size:	its size
 * @nr:		the pages ckpt_count_data() counted, that the record before
 *		announced
 * @what:	what to call it in a reason
 *
 * Return: 0, -EBUSY if the file changed since it was counted, or a
 * negative errno (the reason logged).
 */
int ckpt_write_data(struct ckpt_ctx *ctx, struct file *f, loff_t size, u64 nr, const char *what)
{
	size_t bufsize = CKPT_MAX_PAGES_PER_REC * PAGE_SIZE;
	loff_t pos = 0, start, end;
	u64 done = 0;
	void *buf;
	int more, err = 0;

	buf = kvmalloc(bufsize, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (!err && (more = ckpt_next_data(f, pos, size, &start, &end)) > 0) {
		for (pos = start; pos < end && !err; ) {
			struct ckpt_rec_pages rec = { .addr = pos };
			size_t len = min_t(loff_t, end - pos, bufsize);
			loff_t off = pos;
			ssize_t n;

			memset(buf, 0, len);
			n = kernel_read(f, buf, len, &off);
			if (n < 0) {
				err = ckpt_err(ctx, n, "%s: cannot read it (error %zd)", what, n);
				break;
			}
			rec.nr_pages = len >> PAGE_SHIFT;
			done += rec.nr_pages;
			if (done > nr) {
				err = ckpt_err(ctx, -EBUSY, "%s changed while the job was frozen",
					       what);
				break;
			}
			err = ckpt_write_record_data(ctx, CKPT_REC_PAGES, &rec, sizeof(rec), buf,
						     len);
			pos += len;
			cond_resched();
		}
	}
	kvfree(buf);
	if (!err && more < 0)
		err = ckpt_err(ctx, more, "%s: cannot find its data (error %d)", what, more);
	if (!err && done != nr)
		err = ckpt_err(ctx, -EBUSY, "%s changed while the job was frozen", what);
	return err;
}

/**
 * ckpt_write_unlinked - write the record and contents of a file no path
 * leads to, the first time the job is found to hold it
 * @ctx:	the checkpoint context
 * @f:		a file for which ckpt_unlinked_kind() is not 0, that a member
 *		maps or has a descriptor on
 * @objid:	set to its id in the image
 *
 * Return: 0, -EBUSY for a file also held outside the job, -EFBIG for a
 * deleted file too big to save (the reasons logged), or a negative errno.
 */
int ckpt_write_unlinked(struct ckpt_ctx *ctx, struct file *f, u32 *objid)
{
	struct ckpt_rec_unlinked rec = {};
	struct inode *inode = file_inode(f);
	const char *path = NULL;
	char *buf, *what;
	struct file *rf;
	u32 kind;
	int err;

	*objid = ckpt_obj_lookup_ptr(&ctx->objs, inode, &kind);
	if (*objid)
		return kind == CKPT_REC_UNLINKED ? 0 : -EINVAL;

	rec.kind = ckpt_unlinked_kind(f);
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	what = kmalloc(PATH_MAX + 32, GFP_KERNEL);
	if (!buf || !what) {
		err = -ENOMEM;
		goto out;
	}
	/* Reading the contents needs a description that can read. */
	rf = dentry_open(&f->f_path, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(rf)) {
		err = ckpt_err(ctx, PTR_ERR(rf), "%s: cannot read it (error %ld)",
			       ckpt_file_kind(f, what, PATH_MAX + 32), PTR_ERR(rf));
		goto out;
	}
	ckpt_file_kind(f, what, PATH_MAX + 32);
	err = ckpt_check_unlinked(ctx, f, what);
	if (err)
		goto out_rf;

	rec.size = i_size_read(inode);
	rec.mode = inode->i_mode & 07777;
	switch (rec.kind) {
	case CKPT_UNLINKED_MEMFD:
		err = memfd_fcntl(f, F_GET_SEALS, 0);
		if (err < 0)
			goto out_rf;
		rec.seals = err;
		path = f->f_path.dentry->d_name.name;
		break;
	case CKPT_UNLINKED_DELETED: {
		struct path dir = { .mnt = f->f_path.mnt,
				    .dentry = dget_parent(f->f_path.dentry) };

		path = d_unlinked(dir.dentry) ? ERR_PTR(-ENOENT) : d_path(&dir, buf, PATH_MAX);
		dput(dir.dentry);
		if (IS_ERR(path)) {
			err = ckpt_err(ctx, -EOPNOTSUPP,
				       "%s: the directory it was in is gone: not supported", what);
			goto out_rf;
		}
		break;
	}
	}
	err = ckpt_count_data(rf, rec.size, &rec.nr_pages);
	if (err < 0) {
		err = ckpt_err(ctx, err, "%s: cannot find its data (error %d)", what, err);
		goto out_rf;
	}
	if (rec.kind == CKPT_UNLINKED_DELETED && !shmem_file(f) &&
	    rec.nr_pages > CKPT_MAX_DELETED_SIZE >> PAGE_SHIFT) {
		err = ckpt_err(ctx, -EFBIG, "%s holds %llu bytes, more than the %llu saved",
			       what, rec.nr_pages << PAGE_SHIFT, CKPT_MAX_DELETED_SIZE);
		goto out_rf;
	}

	rec.objid = ckpt_obj_new_id(&ctx->objs);
	err = ckpt_obj_add(&ctx->objs, inode, rec.objid, CKPT_REC_UNLINKED, NULL);
	if (!err)
		err = ckpt_write_record_str(ctx, CKPT_REC_UNLINKED, &rec, sizeof(rec), path,
					    &rec.path_len);
	if (!err)
		err = ckpt_write_data(ctx, rf, rec.size, rec.nr_pages, what);
	if (!err)
		*objid = rec.objid;
out_rf:
	fput(rf);
out:
	kfree(what);
	kfree(buf);
	return err;
}

/* ---- restart ---- */

static void ckpt_unlinked_put(void *f)
{
	fput(f);
}

static struct file *ckpt_create_unlinked(struct ckpt_ctx *ctx,
					 const struct ckpt_rec_unlinked *r, const char *path)
{
	struct file *f;

	switch (r->kind) {
	case CKPT_UNLINKED_SHMEM:
		/* As shmem_zero_setup() makes it for a shared anonymous mmap. */
		f = shmem_kernel_file_setup("dev/zero", r->size, 0);
		break;
	case CKPT_UNLINKED_MEMFD:
		/* As memfd_create() makes it. */
		f = shmem_file_setup(path, 0, VM_NORESERVE);
		if (!IS_ERR(f)) {
			f->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
			f->f_flags |= O_LARGEFILE;
		}
		break;
	default:
		f = filp_open(path, O_TMPFILE | O_RDWR | O_LARGEFILE, r->mode & 0777);
		if (!IS_ERR(f) && !S_ISREG(file_inode(f)->i_mode)) {
			fput(f);
			f = ERR_PTR(-EINVAL);
		}
		break;
	}
	if (IS_ERR(f))
		ckpt_err(ctx, PTR_ERR(f), "cannot recreate unlinked file %u%s%s (error %ld)",
			 r->objid, path ? " in " : "", path ?: "", PTR_ERR(f));
	return f;
}

/**
 * ckpt_read_data - read a file's pages of data from the image into it
 * @ctx:	the restart context
 * @f:		a description that can write the file
 * @size:	its size, that no page may pass
 * @nr_pages:	the pages of data its record announced
 * @what:	what to call it in a reason
 *
 * Return: 0, -ENOEXEC for malformed pages, or a negative errno (the
 * reason logged).
 */
int ckpt_read_data(struct ckpt_ctx *ctx, struct file *f, u64 size, u64 nr_pages, const char *what)
{
	size_t bufsize = CKPT_MAX_PAGES_PER_REC * PAGE_SIZE;
	u64 left = nr_pages, next = 0;
	void *buf;
	int err = 0;

	buf = kvmalloc(bufsize, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (left && !err) {
		struct ckpt_rec_pages p;
		size_t len;
		loff_t pos;
		ssize_t n;
		long rl;

		rl = ckpt_read_record_head(ctx, CKPT_REC_PAGES, &p, sizeof(p), sizeof(p) + bufsize);
		if (rl < 0) {
			err = rl;
			break;
		}
		len = (size_t)p.nr_pages << PAGE_SHIFT;
		if (!p.nr_pages || p.nr_pages > CKPT_MAX_PAGES_PER_REC || p.reserved ||
		    p.nr_pages > left || rl != sizeof(p) + len || !PAGE_ALIGNED(p.addr) ||
		    p.addr < next || p.addr + len > round_up(size, PAGE_SIZE)) {
			err = ckpt_err(ctx, -ENOEXEC, "%s: malformed pages at %#llx", what, p.addr);
			break;
		}
		err = ckpt_read(ctx, buf, len);
		if (err)
			break;
		pos = p.addr;
		n = kernel_write(f, buf, len, &pos);
		if (n != len)
			err = ckpt_err(ctx, n < 0 ? n : -ENOSPC,
				       "%s: cannot write its contents (error %zd)", what, n);
		next = p.addr + len;
		left -= p.nr_pages;
		cond_resched();
	}
	kvfree(buf);
	return err;
}

/* Give the file its size, permission bits and seals. */
static int ckpt_finish_unlinked(struct ckpt_ctx *ctx, struct file *f,
				const struct ckpt_rec_unlinked *r)
{
	struct dentry *dentry = f->f_path.dentry;
	struct inode *inode = file_inode(f);
	struct iattr attr = { .ia_valid = ATTR_MODE,
			      .ia_mode = (inode->i_mode & S_IFMT) | r->mode };
	int err = 0;

	if (i_size_read(inode) != r->size)
		err = do_truncate(file_mnt_idmap(f), dentry, r->size, 0, f);
	if (!err && (inode->i_mode & 07777) != r->mode) {
		inode_lock(inode);
		err = notify_change(file_mnt_idmap(f), dentry, &attr, NULL);
		inode_unlock(inode);
	}
	if (!err && r->kind == CKPT_UNLINKED_MEMFD) {
		/* shmem starts every file with F_SEAL_SEAL */
		inode_lock(inode);
		SHMEM_I(inode)->seals = 0;
		inode_unlock(inode);
		if (r->seals)
			err = memfd_fcntl(f, F_ADD_SEALS, r->seals);
	}
	if (err)
		ckpt_err(ctx, err, "unlinked file %u: cannot restore its size, mode or seals (error %d)",
			 r->objid, err);
	return err;
}

/**
 * ckpt_read_unlinked - recreate the file of a CKPT_REC_UNLINKED record
 * @ctx: the restart context
 *
 * Runs in the process being restored, with its credentials: a deleted
 * file is created where that process may create one.
 *
 * Return: 0, -ENOEXEC for a malformed record, or a negative errno with
 * the reason logged.
 */
int ckpt_read_unlinked(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_unlinked *r;
	char what[32];
	const char *path = NULL;
	bool shmem_kind;
	struct file *f;
	int err = -ENOEXEC;

	r = ckpt_read_record(ctx, CKPT_REC_UNLINKED, sizeof(*r), sizeof(*r) + CKPT_MAX_PATH);
	if (IS_ERR(r))
		return PTR_ERR(r);
	shmem_kind = r->kind == CKPT_UNLINKED_SHMEM;
	if (!r->objid || r->reserved || r->mode & ~07777 || r->size > MAX_LFS_FILESIZE ||
	    r->nr_pages > DIV_ROUND_UP(r->size, PAGE_SIZE) ||
	    (r->seals && (r->kind != CKPT_UNLINKED_MEMFD || r->seals & ~CKPT_SEALS_ALL)) ||
	    r->kind < CKPT_UNLINKED_SHMEM || r->kind > CKPT_UNLINKED_DELETED ||
	    /* shared anonymous memory alone has no name or directory */
	    !r->path_len == !shmem_kind) {
		ckpt_err(ctx, err, "unlinked file record %u is malformed", r->objid);
		goto out;
	}
	if (r->path_len) {
		path = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->path_len, "unlinked file");
		if (!path || sizeof(*r) + r->path_len != r->h.len)
			goto out;
		if (r->kind == CKPT_UNLINKED_MEMFD &&
		    (strncmp(path, CKPT_MEMFD_PREFIX, strlen(CKPT_MEMFD_PREFIX)) ||
		     strlen(path) > NAME_MAX)) {
			ckpt_err(ctx, err, "unlinked file record %u: bad memfd name", r->objid);
			goto out;
		}
	} else if (r->h.len != sizeof(*r)) {
		ckpt_err(ctx, err, "unlinked file record %u is malformed", r->objid);
		goto out;
	}

	f = ckpt_create_unlinked(ctx, r, path);
	if (IS_ERR(f)) {
		err = PTR_ERR(f);
		goto out;
	}
	err = ckpt_obj_add(&ctx->objs, f, r->objid, CKPT_REC_UNLINKED, ckpt_unlinked_put);
	if (err) {
		fput(f);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r->objid);
		goto out;
	}
	snprintf(what, sizeof(what), "unlinked file %u", r->objid);
	err = ckpt_read_data(ctx, f, r->size, r->nr_pages, what);
	if (!err)
		err = ckpt_finish_unlinked(ctx, f, r);
out:
	kvfree(r);
	return err;
}

/**
 * ckpt_unlinked_file - the file recreated for a CKPT_REC_UNLINKED record
 * @ctx:	the restart context
 * @objid:	the record's id
 *
 * Return: the file (not referenced: the object table holds it), or NULL
 * if the image has no such record before this point.
 */
struct file *ckpt_unlinked_file(struct ckpt_ctx *ctx, u32 objid)
{
	return ckpt_obj_lookup(&ctx->objs, objid, CKPT_REC_UNLINKED);
}

/* ---- descriptors ---- */

static bool ckpt_unlinked_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	return ckpt_unlinked_kind(f);
}

static int ckpt_unlinked_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	w->rec.kind = CKPT_FILE_UNLINKED;
	w->rec.pos = w->file->f_pos;
	w->rec.size = i_size_read(file_inode(w->file));
	return ckpt_write_unlinked(ctx, w->file, &w->rec.ref_id);
}

/* A new open file description on the recreated file, as the job's was. */
static struct file *ckpt_unlinked_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				       const char *unused)
{
	struct file *obj = ckpt_unlinked_file(ctx, r->ref_id);
	struct file *f;
	loff_t pos;

	if (!obj)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file %u: no unlinked file %u before it",
					r->objid, r->ref_id));
	f = dentry_open(&obj->f_path, ckpt_acc_mode(r->mode) | r->flags, current_cred());
	if (IS_ERR(f))
		return ERR_PTR(ckpt_err(ctx, PTR_ERR(f),
					"file %u: cannot open unlinked file %u (error %ld)",
					r->objid, r->ref_id, PTR_ERR(f)));
	pos = vfs_llseek(f, r->pos, SEEK_SET);
	if (pos != r->pos) {
		fput(f);
		return ERR_PTR(ckpt_err(ctx, pos < 0 ? pos : -EINVAL,
					"file %u: cannot seek to %lld", r->objid, r->pos));
	}
	return f;
}

const struct ckpt_file_ops ckpt_unlinked_file_ops = {
	.name		= "unlinked file",
	.kinds		= BIT(CKPT_FILE_UNLINKED),
	.obj_rec	= CKPT_REC_UNLINKED,
	.in_flight	= true,
	.owns		= ckpt_unlinked_owns,
	.write		= ckpt_unlinked_write,
	.read		= ckpt_read_unlinked,
	.open		= ckpt_unlinked_open,
};
