/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel/fork.c gives checkpoint/restart: a copy-on-write snapshot
 * of an address space, made as fork(2) makes the child's (copy-on-write
 * checkpoints, kernel/checkpoint/cow.c).
 */
#ifndef _LINUX_CKPT_MM_H
#define _LINUX_CKPT_MM_H

struct mm_struct;
struct task_struct;

struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm);

#endif /* _LINUX_CKPT_MM_H */
