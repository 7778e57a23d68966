/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What checkpoint/restart uses of System V IPC: shared memory segments
 * (ipc/shm.c) and semaphore undo lists (ipc/sem.c).
 */
#ifndef _LINUX_IPC_CKPT_H
#define _LINUX_IPC_CKPT_H

#include <linux/err.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/uidgid_types.h>

struct file;
struct ipc_namespace;
struct task_struct;

/**
 * struct shm_ckpt_info - what checkpoint/restart saves of a segment
 * @id:		its shmid
 * @key:	its key (IPC_PRIVATE once removed)
 * @mode:	its permission bits
 * @dest:	removed with IPC_RMID, and goes on its last detach
 * @locked:	locked in memory with SHM_LOCK
 * @uid:	owner
 * @gid:	owner's group
 * @cuid:	creator
 * @cgid:	creator's group
 * @size:	its size in bytes, as shmget() was given it
 * @atime:	last attach
 * @dtime:	last detach
 * @ctime:	last change
 */
struct shm_ckpt_info {
	int id;
	key_t key;
	umode_t mode;
	bool dest;
	bool locked;
	kuid_t uid;
	kgid_t gid;
	kuid_t cuid;
	kgid_t cgid;
	size_t size;
	time64_t atime;
	time64_t dtime;
	time64_t ctime;
};

#ifdef CONFIG_SYSVIPC
bool sem_ckpt_has_undo(struct task_struct *tsk);
struct file *shm_ckpt_get(struct ipc_namespace *ns, struct file *file,
			  struct shm_ckpt_info *info);
struct file *shm_ckpt_restore(struct ipc_namespace *ns,
			      const struct shm_ckpt_info *info, bool *created);
struct file *shm_ckpt_file(struct ipc_namespace *ns, int id, struct file *base,
			   bool rdonly);
void shm_ckpt_settle(struct ipc_namespace *ns, struct file *base,
		     const struct shm_ckpt_info *info, bool remove);
#else
static inline bool sem_ckpt_has_undo(struct task_struct *tsk)
{
	return false;
}

static inline struct file *shm_ckpt_get(struct ipc_namespace *ns,
					struct file *file,
					struct shm_ckpt_info *info)
{
	return ERR_PTR(-EINVAL);
}

static inline struct file *shm_ckpt_restore(struct ipc_namespace *ns,
					    const struct shm_ckpt_info *info,
					    bool *created)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline struct file *shm_ckpt_file(struct ipc_namespace *ns, int id,
					 struct file *base, bool rdonly)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void shm_ckpt_settle(struct ipc_namespace *ns,
				   struct file *base,
				   const struct shm_ckpt_info *info,
				   bool remove)
{
}
#endif

#endif /* _LINUX_IPC_CKPT_H */
