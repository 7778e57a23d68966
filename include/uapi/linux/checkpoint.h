/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Checkpoint/restart: system call flags and the checkpoint image format.
 *
 * An image is a stream of records, written sequentially (never seeked),
 * so that it can go to a file, a pipe or a socket.  Every record starts
 * with a struct ckpt_hdr giving its type and its length in bytes, header
 * included; records are padded with zeroes to a multiple of 8 bytes
 * (CKPT_ALIGN), and the padding is not counted in ckpt_hdr.len.
 *
 * The stream is:
 *
 *   CKPT_REC_HEADER                 once
 *   CKPT_REC_TTY                    if the job has a controlling terminal
 *   per process (nr_tasks), parents before their children:
 *     CKPT_REC_TASK                 starts the process
 *     (a zombie has only CKPT_REC_ACCT, then CKPT_REC_TASK_END)
 *     CKPT_REC_CRED, CKPT_REC_RLIMITS
 *     CKPT_REC_SHARES               if it shares tables with another process
 *     CKPT_REC_FS                   unless it shares another's (SHARES)
 *     CKPT_REC_MM, CKPT_REC_VMA...  then CKPT_REC_PAGES...; a
 *                                   CKPT_REC_UNLINKED and its pages
 *                                   before the first CKPT_REC_VMA or
 *                                   CKPT_REC_FILE that refers to it;
 *                                   a CKPT_REC_SYSVSHM and its pages
 *                                   before the first CKPT_REC_VMA
 *                                   that attaches it
 *     CKPT_REC_SIGHAND
 *     CKPT_REC_CKPTSIG              its checkpoint settings (version 8)
 *     CKPT_REC_TIMERS               interval timers (version 4)
 *     CKPT_REC_POSIX_TIMERS         if it has POSIX timers (version 5)
 *     CKPT_REC_FILE, CKPT_REC_FD... descriptors, in fd order; each open
 *                                   file once in the image, before the
 *                                   first CKPT_REC_FD that refers to its
 *                                   id; the record of the object a file
 *                                   is on (CKPT_REC_PIPE, CKPT_REC_PTY,
 *                                   CKPT_REC_UNIX...) before the first
 *                                   CKPT_REC_FILE on it
 *     CKPT_REC_LOCKS                if it holds file locks (CKPT_FILE_LOCKS)
 *     per thread (nr_threads), the leader first:
 *       CKPT_REC_THREAD             registers, TLS, futex and rseq state
 *       CKPT_REC_XSTATE             its FPU/extended state (XSAVE layout)
 *       CKPT_REC_SIGNAL             mask, alternate stack, then its
 *       CKPT_REC_SIGINFO...         queued signals (the leader's also
 *                                   carries the process-wide queue)
 *       CKPT_REC_SCHED              scheduling attributes (version 6)
 *       CKPT_REC_ACCT               CPU time and other counters; the
 *                                   leader's also the process's (v7)
 *     CKPT_REC_TASK_END
 *   CKPT_REC_TRAILER                the digest of every byte before it
 *
 * All integers are in the byte order of the architecture in the header.
 * The header names the digest (xxh64 by default, SHA-256 with
 * CKPT_DIGEST_SHA256); xxh64 detects corruption and truncation, SHA-256
 * also a deliberate edit by whoever cannot write the trailer too.
 * restart(2)'s safety never rests on the digest: it validates every field
 * whatever the digest says, and grants nothing beyond the caller's rights.
 * The format is versioned by CKPT_FORMAT_VERSION, which changes whenever
 * a record changes.  Documentation/checkpoint/image-format.rst describes
 * every field and what restart(2) checks.
 */
#ifndef _UAPI_LINUX_CHECKPOINT_H
#define _UAPI_LINUX_CHECKPOINT_H

#include <linux/types.h>

/* checkpoint(2) flags: what to do with the job once the image is written */
#define CKPT_CONTINUE		0x0	/* let it run on (default) */
#define CKPT_STOP		0x1	/* leave it stopped, as SIGSTOP would */
#define CKPT_KILL		0x2	/* SIGKILL it, after a complete image */
#define CKPT_ACTION_MASK	0x3

/* checkpoint(2) flags: what the pid argument names (the job) */
#define CKPT_PROCESS		0x0	/* a process and all its threads */
#define CKPT_PGRP		0x4	/* the process group whose id is pid */
#define CKPT_SESSION		0x8	/* the session whose id is pid */
#define CKPT_TREE		0xc	/* process pid and all its descendants */
#define CKPT_SCOPE_MASK		0xc

/*
 * A pipe end that a process outside the job also holds is refused; with
 * this flag the job's pipe is saved as if the outside holders had closed
 * their ends (the pipe is broken for the restored job).
 */
#define CKPT_OUTSIDE_PIPES_BROKEN 0x10

/*
 * A job holding a file lock (fcntl, OFD or flock) is refused: between the
 * checkpoint and the restart the lock is not held.  With this flag its
 * locks are saved, and restart takes them back (or fails if another
 * process holds a conflicting lock by then).
 */
#define CKPT_FILE_LOCKS		0x20

/*
 * The image's digest is xxh64 unless this flag asks for SHA-256 (through
 * the crypto API: SHA-NI or AVX2 where the CPU has them).
 */
#define CKPT_DIGEST_SHA256	0x40

/*
 * A job that runs on (CKPT_CONTINUE) is frozen only while its state is
 * captured and its private memory made copy-on-write, as fork(2) does;
 * its image is written while it runs.  This flag keeps it frozen until
 * the image is complete instead.
 */
#define CKPT_NO_COW		0x80

#define CKPT_FLAGS_ALL		(CKPT_ACTION_MASK | CKPT_SCOPE_MASK | \
				 CKPT_OUTSIDE_PIPES_BROKEN | CKPT_FILE_LOCKS | \
				 CKPT_DIGEST_SHA256 | CKPT_NO_COW)

/*
 * checkpoint(0, ...) checkpoints the caller itself and returns 0; when the
 * image is restarted, the same call returns CKPT_RESTARTED instead.
 */
#define CKPT_RESTARTED		1

/* restart(2) flags */
#define RESTART_STOPPED		0x1	/* leave the job stopped (SIGSTOP) */
#define RESTART_NEW_PIDS	0x2	/* a taken PID: give a new one, log it */
#define RESTART_FLAGS_ALL	(RESTART_STOPPED | RESTART_NEW_PIDS)

/* Image identification */
#define CKPT_MAGIC		"\177CKPTIMG"	/* 8 bytes, no terminator */
#define CKPT_MAGIC_LEN		8
#define CKPT_FORMAT_VERSION	9
#define CKPT_ALIGN		8

/* Record types */
enum ckpt_rec_type {
	CKPT_REC_HEADER		= 1,
	CKPT_REC_TASK		= 2,
	CKPT_REC_CRED		= 3,
	CKPT_REC_RLIMITS	= 4,
	CKPT_REC_FS		= 5,
	CKPT_REC_MM		= 6,
	CKPT_REC_VMA		= 7,
	CKPT_REC_PAGES		= 8,
	CKPT_REC_SIGHAND	= 9,
	CKPT_REC_SIGNAL		= 10,
	CKPT_REC_SIGINFO	= 11,
	CKPT_REC_FILE		= 12,
	CKPT_REC_FD		= 13,
	CKPT_REC_THREAD		= 14,
	CKPT_REC_XSTATE		= 15,
	CKPT_REC_TASK_END	= 16,
	CKPT_REC_TRAILER	= 17,
	CKPT_REC_PIPE		= 18,
	CKPT_REC_TTY		= 19,
	CKPT_REC_PTY		= 20,
	CKPT_REC_TIMERS		= 21,
	CKPT_REC_UNLINKED	= 22,
	CKPT_REC_EVENTFD	= 23,
	CKPT_REC_SIGNALFD	= 24,
	CKPT_REC_TIMERFD	= 25,
	CKPT_REC_EPOLL		= 26,
	CKPT_REC_UNIX		= 27,
	CKPT_REC_POSIX_TIMERS	= 28,
	CKPT_REC_LOCKS		= 29,
	CKPT_REC_SHARES		= 30,
	CKPT_REC_SYSVSHM	= 31,
	CKPT_REC_INOTIFY	= 32,
	CKPT_REC_SCHED		= 33,
	CKPT_REC_ACCT		= 34,
	CKPT_REC_CKPTSIG	= 35,
	CKPT_REC_MAX
};

/*
 * The name of each record type, for the kernel's log lines and for
 * tools: "static const char *const names[CKPT_REC_MAX] = { CKPT_REC_NAMES };".
 * A new type is added here too (the kernel's build checks that the
 * last one has a name).
 */
#define CKPT_REC_NAMES				\
	[CKPT_REC_HEADER]	= "HEADER",	\
	[CKPT_REC_TASK]		= "TASK",	\
	[CKPT_REC_CRED]		= "CRED",	\
	[CKPT_REC_RLIMITS]	= "RLIMITS",	\
	[CKPT_REC_FS]		= "FS",		\
	[CKPT_REC_MM]		= "MM",		\
	[CKPT_REC_VMA]		= "VMA",	\
	[CKPT_REC_PAGES]	= "PAGES",	\
	[CKPT_REC_SIGHAND]	= "SIGHAND",	\
	[CKPT_REC_SIGNAL]	= "SIGNAL",	\
	[CKPT_REC_SIGINFO]	= "SIGINFO",	\
	[CKPT_REC_FILE]		= "FILE",	\
	[CKPT_REC_FD]		= "FD",		\
	[CKPT_REC_THREAD]	= "THREAD",	\
	[CKPT_REC_XSTATE]	= "XSTATE",	\
	[CKPT_REC_TASK_END]	= "TASK_END",	\
	[CKPT_REC_TRAILER]	= "TRAILER",	\
	[CKPT_REC_PIPE]		= "PIPE",	\
	[CKPT_REC_TTY]		= "TTY",	\
	[CKPT_REC_PTY]		= "PTY",	\
	[CKPT_REC_TIMERS]	= "TIMERS",	\
	[CKPT_REC_UNLINKED]	= "UNLINKED",	\
	[CKPT_REC_EVENTFD]	= "EVENTFD",	\
	[CKPT_REC_SIGNALFD]	= "SIGNALFD",	\
	[CKPT_REC_TIMERFD]	= "TIMERFD",	\
	[CKPT_REC_EPOLL]	= "EPOLL",	\
	[CKPT_REC_UNIX]		= "UNIX",	\
	[CKPT_REC_POSIX_TIMERS]	= "POSIX_TIMERS",	\
	[CKPT_REC_LOCKS]	= "LOCKS",	\
	[CKPT_REC_SHARES]	= "SHARES",	\
	[CKPT_REC_SYSVSHM]	= "SYSVSHM",	\
	[CKPT_REC_INOTIFY]	= "INOTIFY",	\
	[CKPT_REC_SCHED]	= "SCHED",		\
	[CKPT_REC_ACCT]		= "ACCT",		\
	[CKPT_REC_CKPTSIG]	= "CKPTSIG"

/* Limits restart(2) enforces on untrusted images */
#define CKPT_MAX_RECORD		(1U << 24)	/* any one record, in bytes */
#define CKPT_MAX_PAGES_PER_REC	256		/* pages in one CKPT_REC_PAGES */
#define CKPT_MAX_VMAS		65530		/* default vm.max_map_count */
#define CKPT_MAX_PATH		4096		/* PATH_MAX, terminator included */
#define CKPT_MAX_GROUPS		65536		/* NGROUPS_MAX */
#define CKPT_MAX_CPUS		1024		/* bits in a CKPT_REC_SCHED affinity */
#define CKPT_MAX_SIGINFO	4096		/* queued signals per task */
#define CKPT_PATTERN_MAX	128		/* an image name pattern, NUL included */
#define CKPT_MAX_FILES		1048576		/* fs.nr_open maximum */
#define CKPT_MAX_TASKS		4096		/* processes in one image */
#define CKPT_MAX_THREADS	4096		/* threads of one process */

/* Every record starts with this */
struct ckpt_hdr {
	__u32 type;		/* enum ckpt_rec_type */
	__u32 len;		/* bytes, this header included, padding not */
};

/* CKPT_REC_HEADER */
struct ckpt_rec_header {
	struct ckpt_hdr h;
	char magic[CKPT_MAGIC_LEN];	/* CKPT_MAGIC */
	__u32 version;		/* CKPT_FORMAT_VERSION */
	__u32 arch;		/* AUDIT_ARCH_* of the image (AUDIT_ARCH_X86_64) */
	__u32 page_size;
	__u32 nsig;		/* _NSIG */
	__u32 rlim_nlimits;	/* RLIM_NLIMITS */
	__u32 xstate_size;	/* bytes in CKPT_REC_XSTATE payloads */
	__u64 xfeatures;	/* XSAVE features the image's xstate may use */
	__u32 flags;		/* checkpoint(2) flags used */
	__u32 nr_tasks;		/* CKPT_REC_TASK records (processes) */
	__s64 time_sec;		/* CLOCK_REALTIME when the job was frozen */
	__s32 root_pid;		/* the pid checkpoint(2) was given */
	__u32 nr_threads;	/* CKPT_REC_THREAD records, all processes */
	__u8 vdso_sha256[32];	/* of the vDSO image the job was using */
	char release[65];	/* uname -r of the checkpointing kernel */
	char machine[65];	/* uname -m */
	__u8 reserved[2];
	__u32 digest;		/* CKPT_HASH_*: the trailer's digest (v9) */
};

/* Digest algorithms (ckpt_rec_header.digest, ckpt_rec_trailer.digest) */
#define CKPT_HASH_XXH64		1	/* xxh64, seed 0 */
#define CKPT_HASH_SHA256	2	/* SHA-256 */

/* CKPT_REC_TASK: one per process (thread group) */
struct ckpt_rec_task {
	struct ckpt_hdr h;
	__s32 pid;		/* in the checkpointer's PID namespace */
	__s32 tgid;
	__s32 ppid;
	__s32 pgid;
	__s32 sid;
	__s32 exit_signal;
	__s32 pdeath_signal;
	__s32 nice;
	__u32 personality;
	__u32 umask;
	__u32 dumpable;		/* SUID_DUMP_* */
	__u32 nr_threads;	/* CKPT_REC_THREAD records of this process */
	__u32 flags;		/* CKPT_TASK_* */
	__s32 exit_code;	/* zombie: its wait status */
	char comm[16];		/* TASK_COMM_LEN, NUL-terminated */
};

#define CKPT_TASK_STOPPED	0x1	/* was in a group stop (SIGSTOP) */
#define CKPT_TASK_NO_NEW_PRIVS	0x2
#define CKPT_TASK_SELF		0x4	/* checkpointed itself (pid 0) */
#define CKPT_TASK_ZOMBIE	0x8	/* had exited, not yet reaped */
#define CKPT_TASK_CTTY		0x10	/* has the job's controlling terminal */
#define CKPT_TASK_SUBREAPER	0x20	/* PR_SET_CHILD_SUBREAPER */

/* CKPT_REC_CRED: ids as seen in the checkpointer's user namespace */
struct ckpt_rec_cred {
	struct ckpt_hdr h;
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_bset;
	__u64 cap_ambient;
	__u32 securebits;
	__u32 ngroups;
	__u32 groups[];		/* ngroups supplementary group ids */
};

/*
 * An id of CKPT_REC_CRED that the checkpointer's user namespace does not
 * map (a group a process kept from outside its namespace).  Restart
 * gives back the restarter's own unmapped ids in its place, and only
 * when they are exactly as many: no process can name such an id.
 */
#define CKPT_ID_UNMAPPED	0xffffffffU

/* CKPT_REC_TIMERS: a process's interval timers (setitimer(2), alarm(2)) */
struct ckpt_itimer {
	__u64 value_ns;		/* time left to the next expiry; 0: disarmed */
	__u64 interval_ns;	/* the period after it; 0: it fires once */
};

struct ckpt_rec_timers {
	struct ckpt_hdr h;
	struct ckpt_itimer itimer[3];	/* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */
	__u32 nr_posix;		/* POSIX timers, in the CKPT_REC_POSIX_TIMERS after */
	__u32 next_posix_id;	/* the id timer_create(2) tries next, < 2^31 */
};

/*
 * CKPT_REC_POSIX_TIMERS: a process's POSIX timers (timer_create(2)),
 * right after its CKPT_REC_TIMERS when nr_posix is not 0 (version 5).
 */
/* value_ns is an expiry date on its clock (absolute REALTIME or TAI timer) */
#define CKPT_PTIMER_ABS		0x1
#define CKPT_PTIMER_PENDING	0x2	/* its signal is queued, not taken yet */
#define CKPT_PTIMER_FLAGS_ALL	0x3

struct ckpt_posix_timer {
	__s32 id;		/* its timer id, 0 .. 2^31-1, unique */
	/* its clockid; a CPU-time clock named by pid: the process, or cpu_tid */
	__s32 clock;
	__s32 notify;		/* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID|SIGEV_SIGNAL */
	__s32 signo;		/* the signal it sends, 1 .. 64 */
	__u64 value;		/* sigev_value */
	__s32 tid;		/* SIGEV_THREAD_ID: the thread it signals */
	__s32 cpu_tid;		/* CLOCK_THREAD_CPUTIME_ID: the thread it times */
	__s64 value_ns;		/* time left to its next expiry, 0: disarmed */
	__s64 interval_ns;	/* 0: one-shot */
	__s64 overrun;		/* overruns not reported yet, -1: none */
	__s64 overrun_last;	/* what timer_getoverrun(2) reports */
	__u32 flags;		/* CKPT_PTIMER_* */
	__s32 pending_overrun;	/* PENDING: the queued signal's si_overrun */
};

struct ckpt_rec_posix_timers {
	struct ckpt_hdr h;
	__u32 nr;		/* == the CKPT_REC_TIMERS's nr_posix */
	__u32 reserved;
	struct ckpt_posix_timer timers[];
};

#define CKPT_MAX_POSIX_TIMERS	65536

/* CKPT_REC_RLIMITS */
struct ckpt_rlimit {
	__u64 cur;
	__u64 max;		/* RLIM_INFINITY is ~0 */
};

struct ckpt_rec_rlimits {
	struct ckpt_hdr h;
	__u32 nr;		/* RLIM_NLIMITS */
	__u32 reserved;
	struct ckpt_rlimit rlim[];
};

/* CKPT_REC_FS: working and root directory, as two NUL-terminated paths */
struct ckpt_rec_fs {
	struct ckpt_hdr h;
	__u32 cwd_len;		/* bytes of cwd, terminator included */
	__u32 root_len;		/* bytes of root, terminator included */
	char paths[];		/* cwd, then root */
};

/*
 * CKPT_REC_SHARES: the tables a process shares with a process before it
 * in the image, without being its thread (clone(2) with CLONE_FILES or
 * CLONE_FS, version 5).  A process that shares the other's file table
 * has no CKPT_REC_FILE, CKPT_REC_FD or CKPT_REC_LOCKS of its own, and one
 * that shares its fs_struct (working directory, root, umask) no
 * CKPT_REC_FS.
 */
struct ckpt_rec_shares {
	struct ckpt_hdr h;
	__s32 files_of;		/* the pid whose file table it shares, or 0 */
	__s32 fs_of;		/* the pid whose fs_struct it shares, or 0 */
};

/* CKPT_REC_MM: address space layout (struct mm_struct fields) */
#define CKPT_AUXV_WORDS		64	/* >= AT_VECTOR_SIZE on every arch */

struct ckpt_rec_mm {
	struct ckpt_hdr h;
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 vdso;		/* address of the [vdso] text, 0 if none */
	__u64 vvar;		/* address of [vvar], 0 if none */
	__u32 nr_vmas;		/* CKPT_REC_VMA records that follow */
	__u32 auxv_words;	/* words of auxv used: even, ends with AT_NULL */
	__u64 auxv[CKPT_AUXV_WORDS];
	__u32 exe_len;		/* bytes of exe path, terminator included */
	__u32 flags;		/* CKPT_MM_* */
	char exe[];		/* /proc/PID/exe at checkpoint time */
};

#define CKPT_MM_LOCK_FUTURE	0x1	/* mlockall(MCL_FUTURE) */
#define CKPT_MM_THP_DISABLE	0x2	/* prctl(PR_SET_THP_DISABLE) (v6) */
#define CKPT_MM_MDWE		0x4	/* prctl(PR_SET_MDWE, REFUSE_EXEC_GAIN) (v6) */
#define CKPT_MM_MDWE_NO_INHERIT	0x8	/* ... | PR_MDWE_NO_INHERIT (v6) */
#define CKPT_MM_FLAGS_ALL	0xf
/*
 * Bits 16-31 of flags: the protection keys allocated (pkey_alloc(2)),
 * bit 16 + N for key N; key 0 is always allocated (v6).
 */
#define CKPT_MM_PKEYS_SHIFT	16

/* CKPT_REC_VMA: one mapping */
enum ckpt_vma_kind {
	CKPT_VMA_ANON		= 1,	/* private anonymous: pages in image */
	CKPT_VMA_FILE_PRIVATE	= 2,	/* file, MAP_PRIVATE: COW pages in image */
	CKPT_VMA_FILE_SHARED	= 3,	/* file, MAP_SHARED: re-mapped */
	CKPT_VMA_VDSO		= 4,
	CKPT_VMA_VVAR		= 5,
	CKPT_VMA_OBJ_SHARED	= 6,	/* CKPT_REC_UNLINKED objid, MAP_SHARED (v5) */
	CKPT_VMA_OBJ_PRIVATE	= 7,	/* the same, MAP_PRIVATE: COW pages in image */
	CKPT_VMA_SYSVSHM	= 8,	/* shmat(2) of CKPT_REC_SYSVSHM objid */
};

struct ckpt_rec_vma {
	struct ckpt_hdr h;
	__u64 start;
	__u64 end;
	__u64 pgoff;		/* in pages, for file mappings */
	__u64 vm_flags;		/* the kernel's VM_* flags, informational */
	__u32 kind;		/* enum ckpt_vma_kind */
	__u32 prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	__u32 flags;		/* CKPT_VMA_* */
	__u32 path_len;		/* bytes of path, terminator included; 0: none */
	__u32 objid;		/* OBJ_*: its CKPT_REC_UNLINKED (v5) */
	__u32 reserved;
	char path[];
};

#define CKPT_VMA_GROWSDOWN	0x1
#define CKPT_VMA_LOCKED		0x2
#define CKPT_VMA_DONTDUMP	0x4
#define CKPT_VMA_HEAP		0x8	/* the [heap] (brk) area */
#define CKPT_VMA_STACK		0x10	/* the [stack] */
#define CKPT_VMA_SHM_RDONLY	0x20	/* SYSVSHM: attached with SHM_RDONLY */
#define CKPT_VMA_DONTFORK	0x40	/* madvise(MADV_DONTFORK) */
#define CKPT_VMA_WIPEONFORK	0x80	/* madvise(MADV_WIPEONFORK) */
#define CKPT_VMA_HUGEPAGE	0x100	/* madvise(MADV_HUGEPAGE) */
#define CKPT_VMA_NOHUGEPAGE	0x200	/* madvise(MADV_NOHUGEPAGE) */
#define CKPT_VMA_MERGEABLE	0x400	/* madvise(MADV_MERGEABLE) */
/* OBJ_*: its file is the deleted executable, /proc/PID/exe (v6) */
#define CKPT_VMA_EXE		0x800

/*
 * CKPT_REC_PAGES: nr_pages consecutive pages starting at addr, followed
 * by their contents.  Pages not in the image are zero (anonymous) or the
 * file's (file mappings).  After a CKPT_REC_UNLINKED, addr is an offset
 * in that file instead, and the pages are its contents.
 */
struct ckpt_rec_pages {
	struct ckpt_hdr h;
	__u64 addr;
	__u32 nr_pages;		/* 1..CKPT_MAX_PAGES_PER_REC */
	__u32 reserved;
	/* followed by nr_pages * page_size bytes */
};

/*
 * CKPT_REC_UNLINKED (v5): a file that no path leads back to, saved with
 * its contents: the shared memory behind MAP_SHARED|MAP_ANONYMOUS and
 * shared /dev/zero mappings, a memfd, or a deleted file.  nr_pages pages
 * of contents follow in CKPT_REC_PAGES records (addr: offset in the
 * file, increasing); the rest of the file is holes.  Restart creates it
 * once, unlinked (a deleted file with O_TMPFILE in the directory it was
 * in), and every mapping (CKPT_VMA_OBJ_*) and open file
 * (CKPT_FILE_UNLINKED) that names its id shares it.
 */
enum ckpt_unlinked_kind {
	CKPT_UNLINKED_SHMEM	= 1,	/* shared anonymous memory */
	CKPT_UNLINKED_MEMFD	= 2,	/* memfd_create(2); path: its name */
	CKPT_UNLINKED_DELETED	= 3,	/* path: the directory it was in */
};

struct ckpt_rec_unlinked {
	struct ckpt_hdr h;
	__u32 objid;		/* > 0, shared id space with CKPT_REC_FILE */
	__u32 kind;		/* enum ckpt_unlinked_kind */
	__u64 size;		/* i_size, bytes */
	__u64 nr_pages;		/* pages of contents that follow */
	__u32 mode;		/* permission bits (07777) */
	__u32 seals;		/* MEMFD: F_SEAL_* (F_GET_SEALS) */
	__u32 path_len;		/* bytes of path, terminator included; 0: none */
	__u32 reserved;
	char path[];
};

/* A deleted file on a filesystem other than tmpfs: at most this big */
#define CKPT_MAX_DELETED_SIZE	(256ULL << 20)

/*
 * CKPT_REC_SYSVSHM: a System V shared memory segment a process of the
 * job has attached, saved once with its contents: nr_pages pages follow
 * in CKPT_REC_PAGES records (addr: offset in the segment, increasing);
 * the rest is zero.  Restart makes the segment again with its id and
 * key (or takes back the one still there: same id, key, size and
 * creator, not attached), and each mapping (CKPT_VMA_SYSVSHM) that names
 * objid attaches it.  It comes before the first CKPT_REC_VMA naming it.
 * Owner and creator ids are in the checkpointer's user namespace
 * (CKPT_ID_UNMAPPED: unmapped there).
 */
struct ckpt_rec_sysvshm {
	struct ckpt_hdr h;
	__u32 objid;		/* > 0, shared id space with CKPT_REC_FILE */
	__s32 shmid;		/* its id: >= 0 */
	__s32 key;		/* its key; IPC_PRIVATE (0) if REMOVED */
	__u32 mode;		/* permission bits (0777) */
	__u64 size;		/* shm_segsz, bytes */
	__u64 nr_pages;		/* pages of contents that follow */
	__u32 uid;		/* owner */
	__u32 gid;
	__u32 cuid;		/* creator */
	__u32 cgid;
	__s64 atime;		/* shm_atime, shm_dtime, shm_ctime: seconds */
	__s64 dtime;
	__s64 ctime;
	__u32 flags;		/* CKPT_SHM_* */
	__u32 reserved;
};

#define CKPT_SHM_REMOVED	0x1	/* IPC_RMID: goes when the last detaches */

/* CKPT_REC_SIGHAND: the signal handlers, one per signal 1.._NSIG */
struct ckpt_sigaction {
	__u64 handler;		/* SIG_DFL 0, SIG_IGN 1, or an address */
	__u64 flags;		/* SA_* */
	__u64 restorer;
	__u64 mask;
};

struct ckpt_rec_sighand {
	struct ckpt_hdr h;
	__u32 nr;		/* _NSIG */
	__u32 reserved;
	struct ckpt_sigaction action[];
};

/* CKPT_REC_SIGNAL: per-thread signal state */
struct ckpt_rec_signal {
	struct ckpt_hdr h;
	__u64 blocked;
	__u64 saved_sigmask;
	__u64 altstack_sp;
	__u64 altstack_size;
	__u32 altstack_flags;
	__u32 nr_siginfo;	/* CKPT_REC_SIGINFO records that follow */
};

/*
 * CKPT_REC_SCHED: a thread's scheduling attributes, after its signal
 * records (v6).  oom_score_adj and oom_score_adj_min are the process's,
 * in every thread's record.
 */
struct ckpt_rec_sched {
	struct ckpt_hdr h;
	__u32 policy;		/* SCHED_NORMAL, _FIFO, _RR, _BATCH, _IDLE, _DEADLINE */
	__u32 flags;		/* CKPT_SCHED_* */
	__s32 nice;		/* -20 .. 19 */
	__u32 rt_priority;	/* SCHED_FIFO, SCHED_RR: 1 .. 99; else 0 */
	__u64 dl_runtime;	/* SCHED_DEADLINE; or a fair policy's own slice; ns */
	__u64 dl_deadline;
	__u64 dl_period;
	__u64 timer_slack_ns;	/* PR_SET_TIMERSLACK */
	__u64 default_timer_slack_ns;	/* what PR_SET_TIMERSLACK 0 restores */
	__u32 ioprio;		/* ioprio_set(2)'s value; 0: none set */
	__s16 oom_score_adj;	/* the process's: -1000 .. 1000 */
	__s16 oom_score_adj_min;
	__u64 cpus[CKPT_MAX_CPUS / 64];	/* affinity, unless CKPT_SCHED_ALL_CPUS */
};

#define CKPT_SCHED_RESET_ON_FORK	0x1	/* SCHED_RESET_ON_FORK */
#define CKPT_SCHED_DL_OVERRUN		0x2	/* SCHED_FLAG_DL_OVERRUN */
#define CKPT_SCHED_ALL_CPUS		0x4	/* allowed on every CPU */
#define CKPT_SCHED_FLAGS_ALL		0x7

/*
 * The counters getrusage(2), times(2), the CPU clocks and /proc report,
 * summed over every earlier run of the job.  Times in nanoseconds,
 * sizes in KiB.  The I/O fields are 0 where the checkpointing kernel
 * lacks CONFIG_TASK_XACCT (rchar..syscw) or CONFIG_TASK_IO_ACCOUNTING
 * (read_bytes..cancelled_write_bytes).
 */
struct ckpt_acct_counters {
	__u64 utime;		/* in user mode (tick-sampled) */
	__u64 stime;		/* in the kernel (tick-sampled) */
	__u64 gtime;		/* running a virtual CPU (KVM) */
	__u64 runtime;		/* on a CPU, by the scheduler's clock */
	__u64 nvcsw;		/* voluntary context switches */
	__u64 nivcsw;		/* involuntary ones */
	__u64 min_flt;		/* page faults served without I/O */
	__u64 maj_flt;		/* and with I/O */
	__u64 inblock;		/* 512-byte blocks read (not in "self") */
	__u64 oublock;		/* and written (not in "self") */
	__u64 maxrss;		/* peak resident set, KiB (not in "self") */
	__u64 rchar;		/* bytes read by read(2) and the like */
	__u64 wchar;		/* bytes written */
	__u64 syscr;		/* read system calls */
	__u64 syscw;		/* write system calls */
	__u64 read_bytes;	/* bytes read from storage */
	__u64 write_bytes;	/* bytes written to storage */
	__u64 cancelled_write_bytes;	/* written, then truncated away */
};

/*
 * CKPT_REC_ACCT: a thread's accounting, after its CKPT_REC_SCHED (v7).
 * The leader's record (and a zombie's, its only one) also carries the
 * process's: its exited threads' totals, its waited-for children's
 * (children.runtime is 0: the kernel keeps none) and its memory's peaks;
 * in other threads' records these are 0.
 */
struct ckpt_rec_acct {
	struct ckpt_hdr h;
	__u32 flags;		/* CKPT_ACCT_* */
	__u32 reserved;
	struct ckpt_acct_counters self;		/* the thread's own */
	struct ckpt_acct_counters exited;	/* leader: exited threads' */
	struct ckpt_acct_counters children;	/* leader: children's */
	__u64 hiwater_rss;	/* leader: peak resident set (VmHWM), KiB */
	__u64 hiwater_vm;	/* leader: peak size (VmPeak), KiB */
};

#define CKPT_ACCT_FORKNOEXEC	0x1	/* no execve(2) since its fork (acct AFORK) */
#define CKPT_ACCT_FLAGS_ALL	0x1
/* Bound on any time in a record, and on a process's sum of each (ns). */
#define CKPT_ACCT_MAX_NS	(1ULL << 62)

/*
 * CKPT_REC_CKPTSIG: what a SIG_CKPT or SIG_CKPT_KILL disposition of the
 * process saves and where, and its checkpoint notification: the
 * settings of prctl(PR_SET_CKPT_SCOPE, _PATTERN, _NOTIFY) (v8).
 */
struct ckpt_rec_ckptsig {
	struct ckpt_hdr h;
	__u32 scope;		/* CKPT_PROCESS, CKPT_PGRP, CKPT_SESSION, CKPT_TREE */
	__s32 anchor;		/* CKPT_TREE: the tree's root, by pid; 0: none */
	__u32 notify;		/* the notification signal; 0: none */
	__u32 reserved;
	char pattern[CKPT_PATTERN_MAX];	/* NUL-terminated; "": the sysctl's */
};

/* CKPT_REC_SIGINFO: one queued signal */
struct ckpt_rec_siginfo {
	struct ckpt_hdr h;
	__u32 shared;		/* 1: process-wide queue (leader), 0: thread's */
	__u32 reserved;
	__u8 info[128];		/* siginfo_t as the process would see it */
};

/* CKPT_REC_FILE: an open file description, referred to by object id */
enum ckpt_file_kind {
	CKPT_FILE_REG		= 1,	/* regular file, reopened by path */
	CKPT_FILE_CHR		= 2,	/* character device, reopened by path */
	CKPT_FILE_INHERIT	= 3,	/* standard fd: the restarter's own */
	CKPT_FILE_PIPE		= 4,	/* an end of pipe ref_id (mode: which) */
	CKPT_FILE_FIFO		= 5,	/* a FIFO by path; its pipe is ref_id */
	CKPT_FILE_CTTY		= 6,	/* the job's controlling terminal */
	CKPT_FILE_PTY_MASTER	= 7,	/* the master of pty ref_id */
	CKPT_FILE_PTY_SLAVE	= 8,	/* an open of pty ref_id's slave */
	CKPT_FILE_DIR		= 9,	/* a directory by path, at pos (v4) */
	CKPT_FILE_OPATH		= 10,	/* an O_PATH fd by path; mode 0 (v4) */
	CKPT_FILE_UNLINKED	= 11,	/* an open of CKPT_REC_UNLINKED ref_id (v5) */
	CKPT_FILE_EVENTFD	= 12,	/* the eventfd of CKPT_REC_EVENTFD ref_id (v5) */
	CKPT_FILE_SIGNALFD	= 13,	/* ... CKPT_REC_SIGNALFD ref_id (v5) */
	CKPT_FILE_TIMERFD	= 14,	/* ... CKPT_REC_TIMERFD ref_id (v5) */
	CKPT_FILE_EPOLL		= 15,	/* ... CKPT_REC_EPOLL ref_id (v5) */
	CKPT_FILE_UNIX		= 16,	/* the socket of CKPT_REC_UNIX ref_id (v5) */
	CKPT_FILE_INOTIFY	= 17,	/* ... CKPT_REC_INOTIFY ref_id (v5) */
	CKPT_FILE_MAX
};

/* The name of each kind, as CKPT_REC_NAMES; { CKPT_FILE_NAMES } */
#define CKPT_FILE_NAMES					\
	[CKPT_FILE_REG]		= "reg",		\
	[CKPT_FILE_CHR]		= "chr",		\
	[CKPT_FILE_INHERIT]	= "inherit",		\
	[CKPT_FILE_PIPE]	= "pipe",		\
	[CKPT_FILE_FIFO]	= "fifo",		\
	[CKPT_FILE_CTTY]	= "ctty",		\
	[CKPT_FILE_PTY_MASTER]	= "pty-master",		\
	[CKPT_FILE_PTY_SLAVE]	= "pty-slave",		\
	[CKPT_FILE_DIR]		= "dir",		\
	[CKPT_FILE_OPATH]	= "o_path",		\
	[CKPT_FILE_UNLINKED]	= "unlinked",		\
	[CKPT_FILE_EVENTFD]	= "eventfd",		\
	[CKPT_FILE_SIGNALFD]	= "signalfd",		\
	[CKPT_FILE_TIMERFD]	= "timerfd",		\
	[CKPT_FILE_EPOLL]	= "epoll",		\
	[CKPT_FILE_UNIX]	= "unix",		\
	[CKPT_FILE_INOTIFY]	= "inotify"

struct ckpt_rec_file {
	struct ckpt_hdr h;
	__u32 objid;		/* > 0, unique in the image */
	__u32 kind;		/* enum ckpt_file_kind */
	__u32 flags;		/* O_* status flags (O_APPEND, O_NONBLOCK...) */
	__u32 mode;		/* FMODE_READ 0x1 | FMODE_WRITE 0x2 */
	__s64 pos;		/* file offset */
	__u64 size;		/* i_size at checkpoint (REG); S_IFMT type (OPATH) */
	__u32 path_len;		/* bytes of path, terminator included */
	/* the object's record: PIPE (PIPE, FIFO), PTY (PTY_*), UNLINKED... */
	__u32 ref_id;
	char path[];
};

/*
 * CKPT_REC_PIPE: a pipe (or a FIFO's pipe) and the bytes in it, which
 * checkpoint(2) reads without consuming them.  A pipe end no process
 * of the job holds is closed after restart: a pipe with data and no
 * writers gives the data, then end-of-file.
 */
struct ckpt_rec_pipe {
	struct ckpt_hdr h;
	__u32 objid;		/* > 0, shared id space with CKPT_REC_FILE */
	__u32 capacity;		/* bytes, as F_GETPIPE_SZ */
	__u32 data_len;		/* bytes in flight, <= capacity */
	__u32 reserved;
	/* followed by data_len bytes */
};

/*
 * Event descriptors (v5).  Each is saved once, before the CKPT_REC_FILE
 * of kind EVENTFD, SIGNALFD, TIMERFD or EPOLL that refers to it by id.
 */

/* CKPT_REC_EVENTFD: an eventfd's counter and mode */
struct ckpt_rec_eventfd {
	struct ckpt_hdr h;
	__u32 objid;
	__u32 flags;		/* EFD_SEMAPHORE */
	__u64 count;
};

/* CKPT_REC_SIGNALFD: the signals a signalfd reports */
struct ckpt_rec_signalfd {
	struct ckpt_hdr h;
	__u32 objid;
	__u32 reserved;
	__u64 mask;		/* bit N-1: signal N */
};

/*
 * CKPT_REC_TIMERFD: a timerfd.  A relative timer comes back with the
 * time it had left (the time the job spent checkpointed does not count,
 * as for interval timers); an absolute CLOCK_REALTIME timer
 * (TFD_TIMER_ABSTIME) keeps its date, and fires at once if that is past.
 */
struct ckpt_rec_timerfd {
	struct ckpt_hdr h;
	__u32 objid;
	__s32 clockid;		/* CLOCK_REALTIME, _MONOTONIC, _BOOTTIME(_ALARM) */
	__u32 flags;		/* TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET */
	__u32 reserved;
	__u64 value_ns;		/* time left; 0: disarmed */
	__u64 interval_ns;
	__u64 ticks;		/* expirations not read yet */
	__u64 expires_ns;	/* absolute CLOCK_REALTIME timer: its date */
};

/*
 * CKPT_REC_EPOLL: an epoll set and its items, each the descriptor
 * number it was added with, in the process whose CKPT_REC_FILE first
 * names the set, and which holds that file at that number.
 */
struct ckpt_epoll_item {
	__s32 fd;
	__u32 events;		/* EPOLLIN ... EPOLLET, EPOLLONESHOT ... */
	__u64 data;
};

struct ckpt_rec_epoll {
	struct ckpt_hdr h;
	__u32 objid;
	__u32 nr_items;
	struct ckpt_epoll_item items[];
};

#define CKPT_MAX_EPOLL_ITEMS	65536

/*
 * CKPT_REC_INOTIFY: an inotify instance, its watches and the events
 * queued on it.  Followed by nr_watches watches, each a struct
 * ckpt_inotify_watch and path_len bytes of the absolute path of what it
 * watches (terminator included), padded to 8; then events_len bytes of
 * the queued events exactly as read(2) returns them (struct
 * inotify_event, each with its name NUL-padded to a multiple of 16),
 * padded to 8.  Restart adds each watch again by its path, with its
 * descriptor.
 */
struct ckpt_inotify_watch {
	__s32 wd;		/* its watch descriptor: > 0, increasing */
	__u32 mask;		/* IN_* events, IN_EXCL_UNLINK, IN_ONESHOT */
	__u32 path_len;		/* 2 .. CKPT_MAX_PATH */
	__u32 reserved;
	char path[];
};

struct ckpt_rec_inotify {
	struct ckpt_hdr h;
	__u32 objid;
	__u32 nr_watches;	/* <= CKPT_MAX_INOTIFY_WATCHES */
	__u32 next_wd;		/* where the next new watch's wd is tried */
	__u32 events_len;	/* bytes of queued events */
};

#define CKPT_MAX_INOTIFY_WATCHES	65536

/*
 * CKPT_REC_UNIX: a unix-domain socket of the job, with the messages
 * queued for it to read.  A connected socket names its peer's record,
 * which the image also holds, or has CKPT_UNIX_PEER_CLOSED.
 *
 * Followed by addr_len bytes of its name (a struct sockaddr_un, family
 * included, as getsockname(2) gives it), padded to 8; peer_addr_len
 * bytes of the name of its closed peer (as getpeername(2) gives it),
 * padded to 8; path_len bytes of the absolute path of the socket file
 * it is bound to, terminator included, padded to 8; then nr_msgs
 * messages, each a struct ckpt_unix_msg, len bytes padded to 8, and
 * nr_fds __u32 file ids padded to 8.
 */
enum ckpt_unix_state {
	CKPT_UNIX_UNCONNECTED	= 1,	/* never connected (or a datagram socket) */
	CKPT_UNIX_LISTEN	= 2,	/* listen(2), no connection waiting */
	CKPT_UNIX_CONNECTED	= 3,	/* to the socket of peer_id */
	CKPT_UNIX_PEER_CLOSED	= 4,	/* its peer has been closed */
};

#define CKPT_UNIX_PASSCRED	0x1	/* SO_PASSCRED */
#define CKPT_UNIX_PASSPIDFD	0x2	/* SO_PASSPIDFD */
#define CKPT_UNIX_PASSSEC	0x4	/* SO_PASSSEC */
#define CKPT_UNIX_SNDBUF_LOCK	0x8	/* SO_SNDBUF was set: sndbuf holds */
#define CKPT_UNIX_RCVBUF_LOCK	0x10	/* SO_RCVBUF was set: rcvbuf holds */
#define CKPT_UNIX_PEERCRED	0x20	/* peer_pid, peer_uid, peer_gid are set */
/* bound to its name (else named after the listener that accepted it) */
#define CKPT_UNIX_BOUND		0x40
#define CKPT_UNIX_KEEPALIVE	0x80	/* SO_KEEPALIVE */
#define CKPT_UNIX_TIMESTAMP	0x100	/* SO_TIMESTAMP (or _NS with the next) */
#define CKPT_UNIX_TIMESTAMPNS	0x200	/* SO_TIMESTAMPNS */
#define CKPT_UNIX_TSTAMP_NEW	0x400	/* the _NEW (64-bit) form of those */
#define CKPT_UNIX_RXQ_OVFL	0x800	/* SO_RXQ_OVFL */
#define CKPT_UNIX_FLAGS_ALL	0xfff

#define CKPT_UNIX_NO_TIMEOUT	(~0ULL)	/* sndtimeo_ns, rcvtimeo_ns: none */

struct ckpt_rec_unix {
	struct ckpt_hdr h;
	__u32 objid;		/* > 0, shared id space with CKPT_REC_FILE */
	__u32 peer_id;		/* CONNECTED: its peer's CKPT_REC_UNIX; else 0 */
	__u16 type;		/* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	__u8 state;		/* enum ckpt_unix_state */
	__u8 shutdown;		/* 1: no more receptions, 2: no more sends */
	__u32 flags;		/* CKPT_UNIX_* */
	__u32 err;		/* pending error (SO_ERROR), a positive errno */
	__u32 backlog;		/* LISTEN: listen(2)'s backlog */
	__u32 sndbuf;		/* SO_SNDBUF, bytes as the kernel keeps them */
	__u32 rcvbuf;		/* SO_RCVBUF, the same */
	__s32 peek_off;		/* SO_PEEK_OFF, -1: off */
	__u32 rcvlowat;		/* SO_RCVLOWAT */
	__u32 priority;		/* SO_PRIORITY */
	__u32 peer_pid;		/* SO_PEERCRED, pid 0 if it has exited */
	__u32 peer_uid;
	__u32 peer_gid;
	__u64 sndtimeo_ns;	/* SO_SNDTIMEO, or CKPT_UNIX_NO_TIMEOUT */
	__u64 rcvtimeo_ns;	/* SO_RCVTIMEO, or CKPT_UNIX_NO_TIMEOUT */
	__u32 addr_len;		/* 0: unnamed; else 3 .. 110 (sockaddr_un) */
	__u32 path_len;		/* 0: no socket file; else 2 .. 108 (sun_path) */
	__u32 nr_msgs;		/* messages queued, <= CKPT_MAX_UNIX_MSGS */
	__u32 peer_addr_len;	/* PEER_CLOSED: its closed peer's name; else 0 */
	__u64 data_len;		/* their bytes, headers and padding not included */
};

/*
 * One queued message: its bytes, who sent it, the credentials it
 * carries, and the descriptors in flight with it (SCM_RIGHTS).
 * sender_id is the CKPT_REC_UNIX of the socket that sent it (the
 * peer's, for a connected socket), or 0 for an unnamed socket that is
 * not the job's (closed, or outside).  The descriptors are named by
 * the objid of their CKPT_REC_FILE, which comes earlier in the image
 * (a file only in flight has a file record and no CKPT_REC_FD).
 */
struct ckpt_unix_msg {
	__u32 len;		/* bytes; a stream socket's unread part */
	__u32 sender_id;
	__u32 pid;		/* sender's process, 0 if it has exited */
	__u32 uid;		/* sender's uid and gid */
	__u32 gid;
	__u32 nr_fds;		/* SCM_RIGHTS: 0 .. CKPT_MAX_UNIX_FDS */
};

#define CKPT_MAX_UNIX_FDS	253	/* SCM_MAX_FD */

#define CKPT_MAX_UNIX_MSGS	65536

/* Terminal settings (struct termios as the kernel keeps it) */
struct ckpt_termios {
	__u32 iflag, oflag, cflag, lflag;
	__u32 ispeed, ospeed;
	__u8 line;
	__u8 cc[19];		/* NCCS */
	__u32 reserved;
};

/* A terminal's window size, as TIOCGWINSZ gives it */
struct ckpt_winsize {
	__u16 row, col, xpixel, ypixel;
};

/* What the TTY and PTY records keep of a terminal besides its data */
struct ckpt_tty_state {
	__s32 sid;		/* session it is the controlling terminal of, or 0 */
	__s32 fg_pgrp;		/* that session's foreground process group, or 0 */
	struct ckpt_termios termios;
	struct ckpt_winsize ws;
};

/*
 * CKPT_REC_TTY: the job's controlling terminal.  At restart, the job's
 * descriptors on it (CKPT_FILE_CTTY) are opened on the restarter's
 * controlling terminal, which gets this termios and window size, and
 * fg_pgrp as foreground process group when that group is in the job.
 */
struct ckpt_rec_tty {
	struct ckpt_hdr h;
	struct ckpt_tty_state tty;
	char name[64];		/* e.g. "pts/3", informational */
};

/*
 * CKPT_REC_PTY: a pseudo-terminal pair whose master a process of the job
 * holds, and whose slave no process outside the job has open.  Restart
 * creates a new pair (its number may differ) with these settings and
 * queues the unread data again.  Unread data is in two parts per side:
 * input the line discipline has processed (canonical line ends kept),
 * then input the line discipline has not seen yet.  The payload is, in
 * this order: slave_in bytes, slave_eol bitmap, slave_raw bytes,
 * master_in bytes, master_eol bitmap, master_raw bytes.  A bitmap has a
 * bit per byte of the data before it (bit i % 8 of byte i / 8 for byte
 * i) set where a canonical line ends, and is (len + 7) / 8 bytes long.
 */
struct ckpt_rec_pty {
	struct ckpt_hdr h;
	__u32 objid;		/* > 0, shared id space with CKPT_REC_FILE */
	__u32 index;		/* N of /dev/pts/N, informational */
	__u32 flags;		/* CKPT_PTY_* */
	__u32 master_flags;	/* O_* access mode and status flags of the master */
	struct ckpt_tty_state slave;	/* a master has no settings of its own */
	__u32 slave_in;		/* bytes the slave's readers have not read */
	__u32 slave_raw;	/* written to the master, not yet processed */
	__u32 master_in;	/* bytes the master's reader has not read */
	__u32 master_raw;	/* written to the slave, not yet processed */
	/* followed by the data described above */
};

#define CKPT_PTY_LOCKED		0x1	/* TIOCSPTLCK: the slave cannot be opened */
#define CKPT_PTY_PACKET		0x2	/* TIOCPKT: packet mode */
#define CKPT_PTY_SLAVE_CLOSED	0x4	/* the slave was opened, then closed */
#define CKPT_PTY_FLAGS_ALL	(CKPT_PTY_LOCKED | CKPT_PTY_PACKET | CKPT_PTY_SLAVE_CLOSED)

/* Pseudo-terminal data limits: N_TTY_BUF_SIZE - 1, and 64 KiB not yet processed */
#define CKPT_MAX_PTY_IN		4095
#define CKPT_MAX_PTY_RAW	65536

/* CKPT_REC_FD: a file descriptor */
struct ckpt_rec_fd {
	struct ckpt_hdr h;
	__u32 fd;
	__u32 objid;		/* a CKPT_REC_FILE earlier in the image */
	__u32 cloexec;
	__u32 reserved;
};

/*
 * CKPT_REC_LOCKS: the file locks a process holds, saved with
 * CKPT_FILE_LOCKS, after its descriptors (version 5).  Each is taken
 * again through the descriptor it names: a POSIX lock by the process, an
 * open file description lock or a flock() lock on that description.
 */
enum ckpt_lock_kind {
	CKPT_LOCK_POSIX	= 1,		/* fcntl(F_SETLK) */
	CKPT_LOCK_OFD	= 2,		/* fcntl(F_OFD_SETLK) */
	CKPT_LOCK_FLOCK	= 3,		/* flock(2) */
};

struct ckpt_lock {
	__s32 fd;		/* a descriptor of the process on the file */
	__u16 kind;		/* enum ckpt_lock_kind */
	__u16 type;		/* F_RDLCK (0) or F_WRLCK (1) */
	__s64 start;		/* first byte; FLOCK: 0 */
	__s64 end;		/* last byte, LLONG_MAX: to the end; FLOCK: LLONG_MAX */
};

struct ckpt_rec_locks {
	struct ckpt_hdr h;
	__u32 nr;		/* 1 .. CKPT_MAX_LOCKS */
	__u32 reserved;
	struct ckpt_lock locks[];
};

#define CKPT_MAX_LOCKS		65536

/* CKPT_REC_THREAD: a thread's registers (x86_64 struct user_regs_struct) */
struct ckpt_x86_64_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10;
	__u64 r9, r8, ax, cx, dx, si, di, orig_ax;
	__u64 ip, cs, flags, sp, ss, fs_base, gs_base;
	__u64 ds, es, fs, gs;
};

/*
 * The kernel's restart state of a thread frozen in a system call that
 * resumes through restart_syscall(2) (regs.ax is __NR_restart_syscall):
 * a sleep's remaining time, not its absolute end, is saved.
 */
enum ckpt_restart_kind {
	CKPT_RESTART_NONE	= 0,
	CKPT_RESTART_NANOSLEEP	= 1,	/* uaddr: rmtp; arg[0]: TT_* type */
	CKPT_RESTART_FUTEX	= 2,	/* uaddr; arg: val, flags, bitset */
	CKPT_RESTART_POLL	= 3,	/* uaddr: fds; arg: nfds, has_timeout */
};

/* CKPT_RESTART_FUTEX arg[1] */
#define CKPT_FUTEX_SHARED	0x1	/* not FUTEX_PRIVATE_FLAG */
#define CKPT_FUTEX_CLOCK_REALTIME 0x2	/* FUTEX_CLOCK_REALTIME */

struct ckpt_restart_block {
	__u32 kind;		/* enum ckpt_restart_kind */
	__s32 clockid;		/* clock of the timeout */
	__s64 remaining_ns;	/* time left when frozen (0 if expired) */
	__u64 uaddr;
	__u64 arg[3];
};

struct ckpt_rec_thread {
	struct ckpt_hdr h;
	__s32 tid;
	__u32 reserved;
	struct ckpt_x86_64_regs regs;
	__u64 rseq;		/* rseq(2) area, 0 if not registered */
	__u32 rseq_len;
	__u32 rseq_sig;
	__u64 set_child_tid;	/* CLONE_CHILD_SETTID address */
	__u64 clear_child_tid;	/* set_tid_address(2) */
	__u64 robust_list;	/* set_robust_list(2) head, 0 if none */
	__u64 robust_list_len;
	char comm[16];		/* the thread's name, NUL-terminated */
	struct ckpt_restart_block restart;
};

/* CKPT_REC_XSTATE: the thread's XSAVE area, xstate_size bytes */
struct ckpt_rec_xstate {
	struct ckpt_hdr h;
	__u64 xfeatures;	/* XSTATE_BV of the area */
	/* followed by the header's xstate_size bytes (ptrace NT_X86_XSTATE) */
};

/* CKPT_REC_TASK_END */
struct ckpt_rec_task_end {
	struct ckpt_hdr h;
	__s32 pid;
	__u32 reserved;
};

/* CKPT_REC_TRAILER: ends the image */
struct ckpt_rec_trailer {
	struct ckpt_hdr h;
	__u64 total_len;	/* bytes before this record */
	__u32 digest;		/* CKPT_HASH_*, as in the header (v9) */
	__u32 reserved;
	/*
	 * The digest of those bytes: xxh64 as a __u64 in the image's byte
	 * order, then zeroes; or the 32 bytes of SHA-256.
	 */
	__u8 value[32];
};

#endif /* _UAPI_LINUX_CHECKPOINT_H */
