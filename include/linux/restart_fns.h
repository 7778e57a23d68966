/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The restart_block functions of sleeping system calls.
 *
 * Checkpoint/restart (kernel/checkpoint/resume.c) recognises a task
 * frozen in one of these sleeps by its restart_block function, saves
 * the time left, and sets the same restart_block up again at restart.
 */
#ifndef _LINUX_RESTART_FNS_H
#define _LINUX_RESTART_FNS_H

struct restart_block;

long hrtimer_nanosleep_restart(struct restart_block *restart);
long futex_wait_restart(struct restart_block *restart);
long do_restart_poll(struct restart_block *restart);

#endif /* _LINUX_RESTART_FNS_H */
