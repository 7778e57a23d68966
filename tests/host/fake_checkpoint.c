// SPDX-License-Identifier: GPL-2.0
/*
 * fake_checkpoint.so: stands in for the kernel's checkpoint(2) when
 * tests/host/ckptinfo.sh runs the ckpt tool on a kernel without it
 * (LD_PRELOAD; the tool calls checkpoint(2) through syscall(3)), to see
 * the flags its options give.  It writes nothing and succeeds, after
 * printing the call on standard error as
 * "fake checkpoint: pid N flags 0x..".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define NR_CHECKPOINT 464

long syscall(long nr, ...)
{
	unsigned int flags;
	va_list ap;
	int pid;

	/* ckpt makes no other call through syscall(3) */
	if (nr != NR_CHECKPOINT) {
		errno = EINVAL;
		return -1;
	}
	va_start(ap, nr);
	pid = va_arg(ap, int);
	va_arg(ap, int);			/* fd */
	flags = va_arg(ap, unsigned int);
	va_end(ap);
	fprintf(stderr, "fake checkpoint: pid %d flags 0x%x\n", pid, flags);
	return 0;
}
