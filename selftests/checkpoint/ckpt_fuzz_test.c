// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: restart() of damaged images.
 *
 * A real image of a small process (a fresh exec of a copy of this
 * program in /tmp, so that it is small and so that nothing a damaged
 * image could do to its mapped files touches the real test binary; it
 * holds a pipe with a few bytes in it, a pty pair with unread data both
 * ways, a unix socketpair with a message queued and two descriptors in
 * flight (SCM_RIGHTS), an armed POSIX timer, an inotify watch and an
 * eventfd, so that the image has those records too) is mutated
 * over and over, deterministically (fixed seed), and fed to restart():
 * bit flips, truncation, record lengths set to 0, 7, ~0 or small values,
 * count and length fields (nr_vmas, nr_pages, ngroups, rlimit and
 * handler counts, nr_siginfo, path lengths, pty data lengths...) and
 * other fields set to extreme values, record types changed, records swapped,
 * duplicated and deleted.
 *
 * The first test leaves the trailer as it was (its digest is xxh64, the
 * default): every mutant must be refused.  The second recomputes the
 * trailer after mutating, by the digest the mutant's header names (the
 * real image's if it names none), so that only the kernel's validation
 * of the contents stands between a damaged image and a process: a
 * restart may then succeed (a changed page, a different nice value...),
 * and the process is killed and reaped; what must not happen is a
 * kernel crash or splat (the harness looks at the console) or a task
 * left behind.  Mutants are restarted with RESTART_STOPPED, except
 * those touching the registers, which run for a moment so that a bad
 * register state gets to the return to user space.
 *
 * The number of mutants can be changed with CKPT_FUZZ_ITERATIONS and
 * CKPT_FUZZ_FIXED_ITERATIONS in the environment: make check makes 4000
 * and 1000 (a few minutes); make fuzz (ckpt.fuzz=N on the guest's
 * command line) makes 50000 and 10000.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/inotify.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include "ckpt_test.h"

/* make check's; make fuzz runs CKPT_FUZZ_ITERATIONS=50000 */
#define FUZZ_ITERATIONS		4000
#define FUZZ_FIXED_ITERATIONS	1000
#define FUZZ_SEED		0x5eedf00dcafe1234ULL
#define FUZZ_CHILD_ARG		"--ckpt-fuzz-child"
#define MAX_RECS		8192
#define MAX_REPORTED		20

#define ALIGN8(x)		(((x) + 7) & ~(size_t)7)

/* --------------------------------------------------------------------
 * The process whose image is fuzzed: this program, exec'ed again
 */

static int fuzz_child_main(void)
{
	struct itimerspec its = { .it_value.tv_sec = 1000, .it_interval.tv_sec = 1 };
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	const int flight[2] = { 11, 4 };
	char c = 'R';
	int p[2], m, t, in;
	timer_t timer;

	/* fd 3 is the readiness pipe; nothing else above 2 may stay. */
	ckpt_close_range(4, ~0U);
	/* A pipe of our own (fds 4 and 5), with something in it. */
	if (pipe(p) || write(p[1], "fuzz", 4) != 4)
		return 1;
	/* And a pty pair (fds 6 and 7), with unread data both ways. */
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || unlockpt(m))
		return 1;
	t = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (t < 0 || write(m, "in\nput", 6) != 6 || write(t, "out\n", 4) != 4)
		return 1;
	/* A unix socketpair (fds 8 and 9) with a message queued. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) || write(p[0], "sock", 4) != 4)
		return 1;
	/* An armed POSIX timer, an inotify watch and an eventfd (fds 10, 11). */
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) || timer_settime(timer, 0, &its, NULL))
		return 1;
	in = inotify_init1(0);
	if (in < 0 || inotify_add_watch(in, "/tmp", IN_CREATE) < 0 || eventfd(5, 0) < 0)
		return 1;
	/*
	 * The eventfd and the pipe's read end in flight on the socketpair,
	 * with one byte ("F"); a failure exits 1.
	 */
	ckpt_send_fds(1, 8, "F", flight, 2);
	if (write(3, &c, 1) != 1)
		return 1;
	close(3);
	for (;;)
		pause();
}

/* --------------------------------------------------------------------
 * The image and its records
 */

struct rec {
	size_t off;	/* where the record starts */
	size_t span;	/* bytes up to the next record (padding included) */
	uint32_t type, len;
};

static uint8_t *orig;		/* the real image */
static size_t orig_len, body_len;	/* body: everything before the trailer */
static struct rec recs[MAX_RECS];
static int nrecs;		/* the trailer is the last one */
static pid_t orig_pid;
static char exe_copy[128];

static uint8_t *mut, *scratch;	/* the mutant being built */
static size_t mut_len;
static char desc[256];		/* what was done to it */
static uint32_t touched_type;	/* type of the record it changed */
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int parse_image(const uint8_t *buf, size_t len)
{
	size_t off = 0;
	struct ckpt_hdr h;

	nrecs = 0;
	while (off < len) {
		if (off + sizeof(h) > len || nrecs == MAX_RECS)
			return -1;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) || off + h.len > len)
			return -1;
		recs[nrecs].off = off;
		recs[nrecs].type = h.type;
		recs[nrecs].len = h.len;
		recs[nrecs].span = ALIGN8(h.len);
		if (off + recs[nrecs].span > len)
			recs[nrecs].span = len - off;
		off += recs[nrecs].span;
		nrecs++;
		if (h.type == CKPT_REC_TRAILER)
			break;
	}
	if (off != len || nrecs < 3 || recs[0].type != CKPT_REC_HEADER ||
	    recs[nrecs - 1].type != CKPT_REC_TRAILER)
		return -1;
	return 0;
}

static const char *rec_name(uint32_t type)
{
	static const char *const names[CKPT_REC_MAX] = { CKPT_REC_NAMES };

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "?";
}

/*
 * Append a trailer for the @len bytes at @buf (which has room for it),
 * by the digest its header names, or if that is not one (or the header
 * was moved) the real image's.
 */
static size_t add_trailer(uint8_t *buf, size_t len)
{
	const struct ckpt_rec_header *hdr = (const void *)buf;
	struct ckpt_rec_trailer t;

	memset(&t, 0, sizeof(t));
	t.h.type = CKPT_REC_TRAILER;
	t.h.len = sizeof(t);
	t.total_len = len;
	t.digest = ((const struct ckpt_rec_header *)orig)->digest;
	if (len >= sizeof(*hdr) && hdr->h.type == CKPT_REC_HEADER &&
	    (hdr->digest == CKPT_HASH_XXH64 || hdr->digest == CKPT_HASH_SHA256))
		t.digest = hdr->digest;
	ckpt_image_digest(t.digest, buf, len, t.value);
	memcpy(buf + len, &t, sizeof(t));
	return len + sizeof(t);
}

/* --------------------------------------------------------------------
 * Fields worth setting to extreme values
 */

struct field {
	uint32_t type;
	uint32_t off, size;
	uint32_t limit;		/* for counts and lengths: the format's limit */
	const char *name;
};

static const struct field fields[] = {
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, version),
	  sizeof(((struct ckpt_rec_header *)0)->version), 0, "version" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, arch),
	  sizeof(((struct ckpt_rec_header *)0)->arch), 0, "arch" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, page_size),
	  sizeof(((struct ckpt_rec_header *)0)->page_size), 0, "page_size" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, nsig),
	  sizeof(((struct ckpt_rec_header *)0)->nsig), 64, "nsig" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, rlim_nlimits),
	  sizeof(((struct ckpt_rec_header *)0)->rlim_nlimits), 16, "rlim_nlimits" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, xstate_size),
	  sizeof(((struct ckpt_rec_header *)0)->xstate_size), 4096, "xstate_size" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, xfeatures),
	  sizeof(((struct ckpt_rec_header *)0)->xfeatures), 0, "xfeatures" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, flags),
	  sizeof(((struct ckpt_rec_header *)0)->flags), 0, "flags" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, nr_tasks),
	  sizeof(((struct ckpt_rec_header *)0)->nr_tasks), CKPT_MAX_TASKS, "nr_tasks" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, root_pid),
	  sizeof(((struct ckpt_rec_header *)0)->root_pid), 0, "root_pid" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, nr_threads),
	  sizeof(((struct ckpt_rec_header *)0)->nr_threads), CKPT_MAX_THREADS, "nr_threads" },
	{ CKPT_REC_HEADER, offsetof(struct ckpt_rec_header, digest),
	  sizeof(((struct ckpt_rec_header *)0)->digest), 0, "digest" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, pid),
	  sizeof(((struct ckpt_rec_task *)0)->pid), 0, "pid" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, tgid),
	  sizeof(((struct ckpt_rec_task *)0)->tgid), 0, "tgid" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, ppid),
	  sizeof(((struct ckpt_rec_task *)0)->ppid), 0, "ppid" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, pgid),
	  sizeof(((struct ckpt_rec_task *)0)->pgid), 0, "pgid" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, sid),
	  sizeof(((struct ckpt_rec_task *)0)->sid), 0, "sid" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, exit_signal),
	  sizeof(((struct ckpt_rec_task *)0)->exit_signal), 0, "exit_signal" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, pdeath_signal),
	  sizeof(((struct ckpt_rec_task *)0)->pdeath_signal), 0, "pdeath_signal" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, nice),
	  sizeof(((struct ckpt_rec_task *)0)->nice), 0, "nice" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, personality),
	  sizeof(((struct ckpt_rec_task *)0)->personality), 0, "personality" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, umask),
	  sizeof(((struct ckpt_rec_task *)0)->umask), 0, "umask" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, dumpable),
	  sizeof(((struct ckpt_rec_task *)0)->dumpable), 0, "dumpable" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, nr_threads),
	  sizeof(((struct ckpt_rec_task *)0)->nr_threads), CKPT_MAX_THREADS, "nr_threads" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, flags),
	  sizeof(((struct ckpt_rec_task *)0)->flags), 0, "flags" },
	{ CKPT_REC_TASK, offsetof(struct ckpt_rec_task, exit_code),
	  sizeof(((struct ckpt_rec_task *)0)->exit_code), 0, "exit_code" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, uid),
	  sizeof(((struct ckpt_rec_cred *)0)->uid), 0, "uid" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, euid),
	  sizeof(((struct ckpt_rec_cred *)0)->euid), 0, "euid" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, fsgid),
	  sizeof(((struct ckpt_rec_cred *)0)->fsgid), 0, "fsgid" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, cap_permitted),
	  sizeof(((struct ckpt_rec_cred *)0)->cap_permitted), 0, "cap_permitted" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, cap_effective),
	  sizeof(((struct ckpt_rec_cred *)0)->cap_effective), 0, "cap_effective" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, cap_bset),
	  sizeof(((struct ckpt_rec_cred *)0)->cap_bset), 0, "cap_bset" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, cap_ambient),
	  sizeof(((struct ckpt_rec_cred *)0)->cap_ambient), 0, "cap_ambient" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, securebits),
	  sizeof(((struct ckpt_rec_cred *)0)->securebits), 0, "securebits" },
	{ CKPT_REC_CRED, offsetof(struct ckpt_rec_cred, ngroups),
	  sizeof(((struct ckpt_rec_cred *)0)->ngroups), CKPT_MAX_GROUPS, "ngroups" },
	{ CKPT_REC_RLIMITS, offsetof(struct ckpt_rec_rlimits, nr),
	  sizeof(((struct ckpt_rec_rlimits *)0)->nr), 16, "nr" },
	{ CKPT_REC_FS, offsetof(struct ckpt_rec_fs, cwd_len),
	  sizeof(((struct ckpt_rec_fs *)0)->cwd_len), CKPT_MAX_PATH, "cwd_len" },
	{ CKPT_REC_FS, offsetof(struct ckpt_rec_fs, root_len),
	  sizeof(((struct ckpt_rec_fs *)0)->root_len), CKPT_MAX_PATH, "root_len" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, start_code),
	  sizeof(((struct ckpt_rec_mm *)0)->start_code), 0, "start_code" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, start_brk),
	  sizeof(((struct ckpt_rec_mm *)0)->start_brk), 0, "start_brk" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, brk),
	  sizeof(((struct ckpt_rec_mm *)0)->brk), 0, "brk" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, start_stack),
	  sizeof(((struct ckpt_rec_mm *)0)->start_stack), 0, "start_stack" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, arg_start),
	  sizeof(((struct ckpt_rec_mm *)0)->arg_start), 0, "arg_start" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, env_end),
	  sizeof(((struct ckpt_rec_mm *)0)->env_end), 0, "env_end" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, vdso),
	  sizeof(((struct ckpt_rec_mm *)0)->vdso), 0, "vdso" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, vvar),
	  sizeof(((struct ckpt_rec_mm *)0)->vvar), 0, "vvar" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, nr_vmas),
	  sizeof(((struct ckpt_rec_mm *)0)->nr_vmas), CKPT_MAX_VMAS, "nr_vmas" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, auxv_words),
	  sizeof(((struct ckpt_rec_mm *)0)->auxv_words), CKPT_AUXV_WORDS, "auxv_words" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, exe_len),
	  sizeof(((struct ckpt_rec_mm *)0)->exe_len), CKPT_MAX_PATH, "exe_len" },
	{ CKPT_REC_MM, offsetof(struct ckpt_rec_mm, flags),
	  sizeof(((struct ckpt_rec_mm *)0)->flags), 0, "flags" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, start),
	  sizeof(((struct ckpt_rec_vma *)0)->start), 0, "start" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, end),
	  sizeof(((struct ckpt_rec_vma *)0)->end), 0, "end" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, pgoff),
	  sizeof(((struct ckpt_rec_vma *)0)->pgoff), 0, "pgoff" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, kind),
	  sizeof(((struct ckpt_rec_vma *)0)->kind), 0, "kind" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, prot),
	  sizeof(((struct ckpt_rec_vma *)0)->prot), 0, "prot" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, flags),
	  sizeof(((struct ckpt_rec_vma *)0)->flags), 0, "flags" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, path_len),
	  sizeof(((struct ckpt_rec_vma *)0)->path_len), CKPT_MAX_PATH, "path_len" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, objid),
	  sizeof(((struct ckpt_rec_vma *)0)->objid), 0, "objid" },
	{ CKPT_REC_VMA, offsetof(struct ckpt_rec_vma, reserved),
	  sizeof(((struct ckpt_rec_vma *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_PAGES, offsetof(struct ckpt_rec_pages, addr),
	  sizeof(((struct ckpt_rec_pages *)0)->addr), 0, "addr" },
	{ CKPT_REC_PAGES, offsetof(struct ckpt_rec_pages, nr_pages),
	  sizeof(((struct ckpt_rec_pages *)0)->nr_pages), CKPT_MAX_PAGES_PER_REC, "nr_pages" },
	{ CKPT_REC_SIGHAND, offsetof(struct ckpt_rec_sighand, nr),
	  sizeof(((struct ckpt_rec_sighand *)0)->nr), 64, "nr" },
	{ CKPT_REC_TIMERS, offsetof(struct ckpt_rec_timers, itimer[0].value_ns),
	  sizeof(__u64), 0, "real value_ns" },
	{ CKPT_REC_TIMERS, offsetof(struct ckpt_rec_timers, itimer[2].interval_ns),
	  sizeof(__u64), 0, "prof interval_ns" },
	{ CKPT_REC_TIMERS, offsetof(struct ckpt_rec_timers, nr_posix),
	  sizeof(((struct ckpt_rec_timers *)0)->nr_posix), CKPT_MAX_POSIX_TIMERS, "nr_posix" },
	{ CKPT_REC_TIMERS, offsetof(struct ckpt_rec_timers, next_posix_id),
	  sizeof(((struct ckpt_rec_timers *)0)->next_posix_id), 0, "next_posix_id" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, nr),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->nr), CKPT_MAX_POSIX_TIMERS, "nr" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, reserved),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].id),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].id), 0, "timers[0].id" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].clock),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].clock), 0, "timers[0].clock" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].notify),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].notify), 0, "timers[0].notify" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].signo),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].signo), 0, "timers[0].signo" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].value),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].value), 0, "timers[0].value" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].tid),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].tid), 0, "timers[0].tid" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].cpu_tid),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].cpu_tid), 0, "timers[0].cpu_tid" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].value_ns),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].value_ns), 0,
	  "timers[0].value_ns" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].interval_ns),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].interval_ns), 0,
	  "timers[0].interval_ns" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].overrun),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].overrun), 0, "timers[0].overrun" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].overrun_last),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].overrun_last), 0,
	  "timers[0].overrun_last" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].flags),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].flags), 0, "timers[0].flags" },
	{ CKPT_REC_POSIX_TIMERS, offsetof(struct ckpt_rec_posix_timers, timers[0].pending_overrun),
	  sizeof(((struct ckpt_rec_posix_timers *)0)->timers[0].pending_overrun), 0,
	  "timers[0].pending_overrun" },
	{ CKPT_REC_SIGNAL, offsetof(struct ckpt_rec_signal, blocked),
	  sizeof(((struct ckpt_rec_signal *)0)->blocked), 0, "blocked" },
	{ CKPT_REC_SIGNAL, offsetof(struct ckpt_rec_signal, saved_sigmask),
	  sizeof(((struct ckpt_rec_signal *)0)->saved_sigmask), 0, "saved_sigmask" },
	{ CKPT_REC_SIGNAL, offsetof(struct ckpt_rec_signal, altstack_sp),
	  sizeof(((struct ckpt_rec_signal *)0)->altstack_sp), 0, "altstack_sp" },
	{ CKPT_REC_SIGNAL, offsetof(struct ckpt_rec_signal, altstack_size),
	  sizeof(((struct ckpt_rec_signal *)0)->altstack_size), 0, "altstack_size" },
	{ CKPT_REC_SIGNAL, offsetof(struct ckpt_rec_signal, altstack_flags),
	  sizeof(((struct ckpt_rec_signal *)0)->altstack_flags), 0, "altstack_flags" },
	{ CKPT_REC_SIGNAL, offsetof(struct ckpt_rec_signal, nr_siginfo),
	  sizeof(((struct ckpt_rec_signal *)0)->nr_siginfo), CKPT_MAX_SIGINFO, "nr_siginfo" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, policy),
	  sizeof(((struct ckpt_rec_sched *)0)->policy), 0, "policy" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, flags),
	  sizeof(((struct ckpt_rec_sched *)0)->flags), 0, "flags" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, nice),
	  sizeof(((struct ckpt_rec_sched *)0)->nice), 0, "nice" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, rt_priority),
	  sizeof(((struct ckpt_rec_sched *)0)->rt_priority), 0, "rt_priority" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, dl_runtime),
	  sizeof(((struct ckpt_rec_sched *)0)->dl_runtime), 0, "dl_runtime" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, dl_period),
	  sizeof(((struct ckpt_rec_sched *)0)->dl_period), 0, "dl_period" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, timer_slack_ns),
	  sizeof(((struct ckpt_rec_sched *)0)->timer_slack_ns), 0, "timer_slack_ns" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, ioprio),
	  sizeof(((struct ckpt_rec_sched *)0)->ioprio), 0, "ioprio" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, oom_score_adj),
	  sizeof(((struct ckpt_rec_sched *)0)->oom_score_adj), 0, "oom_score_adj" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, oom_score_adj_min),
	  sizeof(((struct ckpt_rec_sched *)0)->oom_score_adj_min), 0, "oom_score_adj_min" },
	{ CKPT_REC_SCHED, offsetof(struct ckpt_rec_sched, cpus[0]),
	  sizeof(((struct ckpt_rec_sched *)0)->cpus[0]), 0, "cpus[0]" },
	{ CKPT_REC_SIGINFO, offsetof(struct ckpt_rec_siginfo, shared),
	  sizeof(((struct ckpt_rec_siginfo *)0)->shared), 0, "shared" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, objid),
	  sizeof(((struct ckpt_rec_file *)0)->objid), 0, "objid" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, kind),
	  sizeof(((struct ckpt_rec_file *)0)->kind), 0, "kind" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, flags),
	  sizeof(((struct ckpt_rec_file *)0)->flags), 0, "flags" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, mode),
	  sizeof(((struct ckpt_rec_file *)0)->mode), 0, "mode" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, pos),
	  sizeof(((struct ckpt_rec_file *)0)->pos), 0, "pos" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, path_len),
	  sizeof(((struct ckpt_rec_file *)0)->path_len), CKPT_MAX_PATH, "path_len" },
	{ CKPT_REC_FILE, offsetof(struct ckpt_rec_file, ref_id),
	  sizeof(((struct ckpt_rec_file *)0)->ref_id), 0, "ref_id" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, objid),
	  sizeof(((struct ckpt_rec_pty *)0)->objid), 0, "objid" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, flags),
	  sizeof(((struct ckpt_rec_pty *)0)->flags), 0, "flags" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, master_flags),
	  sizeof(((struct ckpt_rec_pty *)0)->master_flags), 0, "master_flags" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, slave.sid),
	  sizeof(((struct ckpt_rec_pty *)0)->slave.sid), 0, "slave.sid" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, slave.termios.lflag),
	  sizeof(((struct ckpt_rec_pty *)0)->slave.termios.lflag), 0, "slave.termios.lflag" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, slave.termios.line),
	  sizeof(((struct ckpt_rec_pty *)0)->slave.termios.line), 0, "slave.termios.line" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, slave_in),
	  sizeof(((struct ckpt_rec_pty *)0)->slave_in), CKPT_MAX_PTY_IN, "slave_in" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, slave_raw),
	  sizeof(((struct ckpt_rec_pty *)0)->slave_raw), CKPT_MAX_PTY_RAW, "slave_raw" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, master_in),
	  sizeof(((struct ckpt_rec_pty *)0)->master_in), CKPT_MAX_PTY_IN, "master_in" },
	{ CKPT_REC_PTY, offsetof(struct ckpt_rec_pty, master_raw),
	  sizeof(((struct ckpt_rec_pty *)0)->master_raw), CKPT_MAX_PTY_RAW, "master_raw" },
	{ CKPT_REC_PIPE, offsetof(struct ckpt_rec_pipe, objid),
	  sizeof(((struct ckpt_rec_pipe *)0)->objid), 0, "objid" },
	{ CKPT_REC_PIPE, offsetof(struct ckpt_rec_pipe, capacity),
	  sizeof(((struct ckpt_rec_pipe *)0)->capacity), 0, "capacity" },
	{ CKPT_REC_PIPE, offsetof(struct ckpt_rec_pipe, data_len),
	  sizeof(((struct ckpt_rec_pipe *)0)->data_len), 65536, "data_len" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, objid),
	  sizeof(((struct ckpt_rec_unlinked *)0)->objid), 0, "objid" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, kind),
	  sizeof(((struct ckpt_rec_unlinked *)0)->kind), 0, "kind" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, size),
	  sizeof(((struct ckpt_rec_unlinked *)0)->size), 0, "size" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, nr_pages),
	  sizeof(((struct ckpt_rec_unlinked *)0)->nr_pages), 0, "nr_pages" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, mode),
	  sizeof(((struct ckpt_rec_unlinked *)0)->mode), 0, "mode" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, seals),
	  sizeof(((struct ckpt_rec_unlinked *)0)->seals), 0, "seals" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, path_len),
	  sizeof(((struct ckpt_rec_unlinked *)0)->path_len), CKPT_MAX_PATH, "path_len" },
	{ CKPT_REC_UNLINKED, offsetof(struct ckpt_rec_unlinked, reserved),
	  sizeof(((struct ckpt_rec_unlinked *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, objid),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->objid), 0, "objid" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, shmid),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->shmid), 0, "shmid" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, key),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->key), 0, "key" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, mode),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->mode), 0, "mode" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, size),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->size), 0, "size" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, nr_pages),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->nr_pages), 0, "nr_pages" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, uid),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->uid), 0, "uid" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, cuid),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->cuid), 0, "cuid" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, atime),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->atime), 0, "atime" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, flags),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->flags), 0, "flags" },
	{ CKPT_REC_SYSVSHM, offsetof(struct ckpt_rec_sysvshm, reserved),
	  sizeof(((struct ckpt_rec_sysvshm *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_EVENTFD, offsetof(struct ckpt_rec_eventfd, objid),
	  sizeof(((struct ckpt_rec_eventfd *)0)->objid), 0, "objid" },
	{ CKPT_REC_EVENTFD, offsetof(struct ckpt_rec_eventfd, flags),
	  sizeof(((struct ckpt_rec_eventfd *)0)->flags), 0, "flags" },
	{ CKPT_REC_EVENTFD, offsetof(struct ckpt_rec_eventfd, count),
	  sizeof(((struct ckpt_rec_eventfd *)0)->count), 0, "count" },
	{ CKPT_REC_SIGNALFD, offsetof(struct ckpt_rec_signalfd, objid),
	  sizeof(((struct ckpt_rec_signalfd *)0)->objid), 0, "objid" },
	{ CKPT_REC_SIGNALFD, offsetof(struct ckpt_rec_signalfd, reserved),
	  sizeof(((struct ckpt_rec_signalfd *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_SIGNALFD, offsetof(struct ckpt_rec_signalfd, mask),
	  sizeof(((struct ckpt_rec_signalfd *)0)->mask), 0, "mask" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, objid),
	  sizeof(((struct ckpt_rec_timerfd *)0)->objid), 0, "objid" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, clockid),
	  sizeof(((struct ckpt_rec_timerfd *)0)->clockid), 0, "clockid" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, flags),
	  sizeof(((struct ckpt_rec_timerfd *)0)->flags), 0, "flags" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, reserved),
	  sizeof(((struct ckpt_rec_timerfd *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, value_ns),
	  sizeof(((struct ckpt_rec_timerfd *)0)->value_ns), 0, "value_ns" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, interval_ns),
	  sizeof(((struct ckpt_rec_timerfd *)0)->interval_ns), 0, "interval_ns" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, ticks),
	  sizeof(((struct ckpt_rec_timerfd *)0)->ticks), 0, "ticks" },
	{ CKPT_REC_TIMERFD, offsetof(struct ckpt_rec_timerfd, expires_ns),
	  sizeof(((struct ckpt_rec_timerfd *)0)->expires_ns), 0, "expires_ns" },
	{ CKPT_REC_EPOLL, offsetof(struct ckpt_rec_epoll, objid),
	  sizeof(((struct ckpt_rec_epoll *)0)->objid), 0, "objid" },
	{ CKPT_REC_EPOLL, offsetof(struct ckpt_rec_epoll, nr_items),
	  sizeof(((struct ckpt_rec_epoll *)0)->nr_items), CKPT_MAX_EPOLL_ITEMS, "nr_items" },
	{ CKPT_REC_EPOLL, offsetof(struct ckpt_rec_epoll, items[0].fd),
	  sizeof(((struct ckpt_rec_epoll *)0)->items[0].fd), 0, "items[0].fd" },
	{ CKPT_REC_EPOLL, offsetof(struct ckpt_rec_epoll, items[0].events),
	  sizeof(((struct ckpt_rec_epoll *)0)->items[0].events), 0, "items[0].events" },
	{ CKPT_REC_EPOLL, offsetof(struct ckpt_rec_epoll, items[0].data),
	  sizeof(((struct ckpt_rec_epoll *)0)->items[0].data), 0, "items[0].data" },
	{ CKPT_REC_INOTIFY, offsetof(struct ckpt_rec_inotify, objid),
	  sizeof(((struct ckpt_rec_inotify *)0)->objid), 0, "objid" },
	{ CKPT_REC_INOTIFY, offsetof(struct ckpt_rec_inotify, nr_watches),
	  sizeof(((struct ckpt_rec_inotify *)0)->nr_watches), CKPT_MAX_INOTIFY_WATCHES,
	  "nr_watches" },
	{ CKPT_REC_INOTIFY, offsetof(struct ckpt_rec_inotify, next_wd),
	  sizeof(((struct ckpt_rec_inotify *)0)->next_wd), 0, "next_wd" },
	{ CKPT_REC_INOTIFY, offsetof(struct ckpt_rec_inotify, events_len),
	  sizeof(((struct ckpt_rec_inotify *)0)->events_len), CKPT_MAX_RECORD, "events_len" },
	{ CKPT_REC_INOTIFY,
	  sizeof(struct ckpt_rec_inotify) + offsetof(struct ckpt_inotify_watch, wd),
	  sizeof(((struct ckpt_inotify_watch *)0)->wd), 0, "watches[0].wd" },
	{ CKPT_REC_INOTIFY,
	  sizeof(struct ckpt_rec_inotify) + offsetof(struct ckpt_inotify_watch, mask),
	  sizeof(((struct ckpt_inotify_watch *)0)->mask), 0, "watches[0].mask" },
	{ CKPT_REC_INOTIFY,
	  sizeof(struct ckpt_rec_inotify) + offsetof(struct ckpt_inotify_watch, path_len),
	  sizeof(((struct ckpt_inotify_watch *)0)->path_len), CKPT_MAX_PATH,
	  "watches[0].path_len" },
	{ CKPT_REC_INOTIFY,
	  sizeof(struct ckpt_rec_inotify) + offsetof(struct ckpt_inotify_watch, reserved),
	  sizeof(((struct ckpt_inotify_watch *)0)->reserved), 0, "watches[0].reserved" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, objid),
	  sizeof(((struct ckpt_rec_unix *)0)->objid), 0, "objid" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, peer_id),
	  sizeof(((struct ckpt_rec_unix *)0)->peer_id), 0, "peer_id" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, type),
	  sizeof(((struct ckpt_rec_unix *)0)->type), 0, "type" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, state),
	  sizeof(((struct ckpt_rec_unix *)0)->state), 0, "state" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, shutdown),
	  sizeof(((struct ckpt_rec_unix *)0)->shutdown), 0, "shutdown" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, flags),
	  sizeof(((struct ckpt_rec_unix *)0)->flags), 0, "flags" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, err),
	  sizeof(((struct ckpt_rec_unix *)0)->err), 0, "err" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, backlog),
	  sizeof(((struct ckpt_rec_unix *)0)->backlog), 0, "backlog" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, sndbuf),
	  sizeof(((struct ckpt_rec_unix *)0)->sndbuf), 0, "sndbuf" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, rcvbuf),
	  sizeof(((struct ckpt_rec_unix *)0)->rcvbuf), 0, "rcvbuf" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, peek_off),
	  sizeof(((struct ckpt_rec_unix *)0)->peek_off), 0, "peek_off" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, rcvlowat),
	  sizeof(((struct ckpt_rec_unix *)0)->rcvlowat), 0, "rcvlowat" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, priority),
	  sizeof(((struct ckpt_rec_unix *)0)->priority), 0, "priority" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, peer_pid),
	  sizeof(((struct ckpt_rec_unix *)0)->peer_pid), 0, "peer_pid" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, peer_uid),
	  sizeof(((struct ckpt_rec_unix *)0)->peer_uid), 0, "peer_uid" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, peer_gid),
	  sizeof(((struct ckpt_rec_unix *)0)->peer_gid), 0, "peer_gid" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, sndtimeo_ns),
	  sizeof(((struct ckpt_rec_unix *)0)->sndtimeo_ns), 0, "sndtimeo_ns" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, rcvtimeo_ns),
	  sizeof(((struct ckpt_rec_unix *)0)->rcvtimeo_ns), 0, "rcvtimeo_ns" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, addr_len),
	  sizeof(((struct ckpt_rec_unix *)0)->addr_len), 110, "addr_len" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, path_len),
	  sizeof(((struct ckpt_rec_unix *)0)->path_len), 108, "path_len" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, nr_msgs),
	  sizeof(((struct ckpt_rec_unix *)0)->nr_msgs), CKPT_MAX_UNIX_MSGS, "nr_msgs" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, peer_addr_len),
	  sizeof(((struct ckpt_rec_unix *)0)->peer_addr_len), 110, "peer_addr_len" },
	{ CKPT_REC_UNIX, offsetof(struct ckpt_rec_unix, data_len),
	  sizeof(((struct ckpt_rec_unix *)0)->data_len), CKPT_MAX_RECORD, "data_len" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, nr),
	  sizeof(((struct ckpt_rec_locks *)0)->nr), CKPT_MAX_LOCKS, "nr" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, reserved),
	  sizeof(((struct ckpt_rec_locks *)0)->reserved), 0, "reserved" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, locks[0].fd),
	  sizeof(((struct ckpt_rec_locks *)0)->locks[0].fd), 0, "locks[0].fd" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, locks[0].kind),
	  sizeof(((struct ckpt_rec_locks *)0)->locks[0].kind), 0, "locks[0].kind" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, locks[0].type),
	  sizeof(((struct ckpt_rec_locks *)0)->locks[0].type), 0, "locks[0].type" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, locks[0].start),
	  sizeof(((struct ckpt_rec_locks *)0)->locks[0].start), 0, "locks[0].start" },
	{ CKPT_REC_LOCKS, offsetof(struct ckpt_rec_locks, locks[0].end),
	  sizeof(((struct ckpt_rec_locks *)0)->locks[0].end), 0, "locks[0].end" },
	{ CKPT_REC_SHARES, offsetof(struct ckpt_rec_shares, files_of),
	  sizeof(((struct ckpt_rec_shares *)0)->files_of), 0, "files_of" },
	{ CKPT_REC_SHARES, offsetof(struct ckpt_rec_shares, fs_of),
	  sizeof(((struct ckpt_rec_shares *)0)->fs_of), 0, "fs_of" },
	{ CKPT_REC_TTY, offsetof(struct ckpt_rec_tty, tty.sid),
	  sizeof(((struct ckpt_rec_tty *)0)->tty.sid), 0, "tty.sid" },
	{ CKPT_REC_TTY, offsetof(struct ckpt_rec_tty, tty.fg_pgrp),
	  sizeof(((struct ckpt_rec_tty *)0)->tty.fg_pgrp), 0, "tty.fg_pgrp" },
	{ CKPT_REC_TTY, offsetof(struct ckpt_rec_tty, tty.termios.line),
	  sizeof(((struct ckpt_rec_tty *)0)->tty.termios.line), 0, "tty.termios.line" },
	{ CKPT_REC_FD, offsetof(struct ckpt_rec_fd, fd),
	  sizeof(((struct ckpt_rec_fd *)0)->fd), 0, "fd" },
	{ CKPT_REC_FD, offsetof(struct ckpt_rec_fd, objid),
	  sizeof(((struct ckpt_rec_fd *)0)->objid), 0, "objid" },
	{ CKPT_REC_FD, offsetof(struct ckpt_rec_fd, cloexec),
	  sizeof(((struct ckpt_rec_fd *)0)->cloexec), 0, "cloexec" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, tid),
	  sizeof(((struct ckpt_rec_thread *)0)->tid), 0, "tid" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.ip),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.ip), 0, "regs.ip" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.sp),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.sp), 0, "regs.sp" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.cs),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.cs), 0, "regs.cs" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.ss),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.ss), 0, "regs.ss" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.ds),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.ds), 0, "regs.ds" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.fs),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.fs), 0, "regs.fs" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.flags),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.flags), 0, "regs.flags" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.orig_ax),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.orig_ax), 0, "regs.orig_ax" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.fs_base),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.fs_base), 0, "regs.fs_base" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, regs.gs_base),
	  sizeof(((struct ckpt_rec_thread *)0)->regs.gs_base), 0, "regs.gs_base" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, rseq),
	  sizeof(((struct ckpt_rec_thread *)0)->rseq), 0, "rseq" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, rseq_len),
	  sizeof(((struct ckpt_rec_thread *)0)->rseq_len), 0, "rseq_len" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, set_child_tid),
	  sizeof(((struct ckpt_rec_thread *)0)->set_child_tid), 0, "set_child_tid" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, clear_child_tid),
	  sizeof(((struct ckpt_rec_thread *)0)->clear_child_tid), 0, "clear_child_tid" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, robust_list),
	  sizeof(((struct ckpt_rec_thread *)0)->robust_list), 0, "robust_list" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, robust_list_len),
	  sizeof(((struct ckpt_rec_thread *)0)->robust_list_len), 0, "robust_list_len" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, restart.kind),
	  sizeof(((struct ckpt_rec_thread *)0)->restart.kind), 0, "restart.kind" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, restart.remaining_ns),
	  sizeof(((struct ckpt_rec_thread *)0)->restart.remaining_ns), 0, "restart.remaining_ns" },
	{ CKPT_REC_THREAD, offsetof(struct ckpt_rec_thread, restart.uaddr),
	  sizeof(((struct ckpt_rec_thread *)0)->restart.uaddr), 0, "restart.uaddr" },
	{ CKPT_REC_XSTATE, offsetof(struct ckpt_rec_xstate, xfeatures),
	  sizeof(((struct ckpt_rec_xstate *)0)->xfeatures), 0, "xfeatures" },
	{ CKPT_REC_TASK_END, offsetof(struct ckpt_rec_task_end, pid),
	  sizeof(((struct ckpt_rec_task_end *)0)->pid), 0, "pid" },
	{ CKPT_REC_TRAILER, offsetof(struct ckpt_rec_trailer, total_len),
	  sizeof(((struct ckpt_rec_trailer *)0)->total_len), 0, "total_len" },
	{ CKPT_REC_TRAILER, offsetof(struct ckpt_rec_trailer, digest),
	  sizeof(((struct ckpt_rec_trailer *)0)->digest), 0, "digest" },
	{ CKPT_REC_TRAILER, offsetof(struct ckpt_rec_trailer, reserved),
	  sizeof(((struct ckpt_rec_trailer *)0)->reserved), 0, "reserved" },
};

#define NR_FIELDS	ARRAY_SIZE(fields)

static uint64_t field_value(const struct field *f, uint64_t old)
{
	static const uint64_t special[] = {
		0, 1, 7, 8, 0x10, 0x2b, 0x33, 0x7f, 0x80, 0xff, 0x100,
		0x3202,			/* IOPL 3 */
		0x20202,		/* VM86 */
		0x4302,			/* NT, TF */
		0xfff, 0x1000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0x00007ffffffff000ULL, 0x0000800000000000ULL,
		0xffff800000000000ULL, 0xffffffffff600000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
	};
	static const uint64_t counts[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8, 0x10000,
	};

	if (f->limit) {
		switch (rnd_below(6)) {
		case 0:
			return f->limit;
		case 1:
			return (uint64_t)f->limit + 1;
		case 2:
			return old + 1;
		case 3:
			return old ? old - 1 : 2;
		case 4:
			return old * 2 + 1;
		default:
			return counts[rnd_below(ARRAY_SIZE(counts))];
		}
	}
	switch (rnd_below(5)) {
	case 0:
		return old + 1;
	case 1:
		return old - 1;
	case 2:
		return old ^ (1ULL << rnd_below(f->size * 8));
	case 3:
		return rnd();
	default:
		return special[rnd_below(ARRAY_SIZE(special))];
	}
}

/* --------------------------------------------------------------------
 * Mutations
 */

enum {
	MUT_BITFLIP, MUT_TRUNCATE, MUT_LEN, MUT_FIELD, MUT_TYPE, MUT_SWAP,
	MUT_DUP, MUT_DELETE, NR_MUT
};

/* Weights out of 100. */
static const int mut_weight[NR_MUT] = { 24, 8, 15, 25, 4, 8, 8, 8 };

static int pick_mutation(void)
{
	int r = rnd_below(100), m;

	for (m = 0; m < NR_MUT; m++) {
		if (r < mut_weight[m])
			return m;
		r -= mut_weight[m];
	}
	return MUT_BITFLIP;
}

/*
 * Apply one mutation to mut[0..mut_len), which holds the records
 * recs[0..nr) unchanged.  @limit: bytes that may be touched.  Returns 0,
 * or -1 if this mutation does not apply (pick another).
 */
static int mutate_once(int nr, size_t limit, bool allow_dup_last)
{
	int m = pick_mutation(), i, k, n;
	struct rec *a, *b;
	uint64_t v, old;

	i = rnd_below(nr);
	a = &recs[i];
	touched_type = a->type;
	switch (m) {
	case MUT_BITFLIP: {
		size_t region_off = 0, region_len = limit, pos = 0;

		n = 1 + rnd_below(8);
		if (rnd_below(10) < 6) {
			/* Mostly where the metadata is: record starts. */
			region_off = a->off;
			region_len = a->span < 128 ? a->span : 128;
		}
		for (k = 0; k < n; k++) {
			pos = region_off + rnd_below(region_len);
			mut[pos] ^= 1 << rnd_below(8);
		}
		if (region_len == limit) {
			for (k = 0; k < nr; k++)
				if (pos >= recs[k].off &&
				    pos < recs[k].off + recs[k].span)
					touched_type = recs[k].type;
		}
		snprintf(desc, sizeof(desc), "flip %d bits, last at %#zx (%s)",
			 n, pos, rec_name(touched_type));
		return 0;
	}
	case MUT_TRUNCATE:
		if (rnd_below(2))
			mut_len = a->off + rnd_below(16);
		else
			mut_len = rnd_below(limit);
		if (mut_len >= limit)
			mut_len = limit - 1;
		snprintf(desc, sizeof(desc), "truncate to %#zx (%s)", mut_len,
			 rec_name(a->type));
		return 0;
	case MUT_LEN: {
		static const uint32_t lens[] = {
			0, 7, 8, 0xffffffff, 0x80000000, CKPT_MAX_RECORD + 1,
		};
		uint32_t len;

		switch (rnd_below(4)) {
		case 0:
			len = rnd_below(a->len);
			break;
		case 1:
			len = a->len + 1 + rnd_below(16);
			break;
		case 2:
			len = a->len - 1 - rnd_below(a->len < 16 ? a->len : 16);
			break;
		default:
			len = lens[rnd_below(ARRAY_SIZE(lens))];
		}
		if (len == a->len)
			return -1;
		memcpy(mut + a->off + offsetof(struct ckpt_hdr, len), &len,
		       sizeof(len));
		snprintf(desc, sizeof(desc), "record %d (%s) len %u -> %u", i,
			 rec_name(a->type), a->len, len);
		return 0;
	}
	case MUT_FIELD: {
		const struct field *f = &fields[rnd_below(NR_FIELDS)];
		int cand[64], nc = 0;

		for (k = 0; k < nr && nc < 64; k++)
			if (recs[k].type == f->type &&
			    f->off + f->size <= recs[k].len)
				cand[nc++] = k;
		if (!nc)
			return -1;
		i = cand[rnd_below(nc)];
		a = &recs[i];
		touched_type = a->type;
		old = 0;
		memcpy(&old, mut + a->off + f->off, f->size);
		v = field_value(f, old);
		if (f->size == 4)
			v = (uint32_t)v;
		if (v == old)
			return -1;
		memcpy(mut + a->off + f->off, &v, f->size);
		snprintf(desc, sizeof(desc), "record %d (%s) %s %#llx -> %#llx",
			 i, rec_name(a->type), f->name, (unsigned long long)old,
			 (unsigned long long)v);
		return 0;
	}
	case MUT_TYPE: {
		uint32_t t = rnd_below(4) ? rnd_below(CKPT_REC_MAX + 2) :
			     (uint32_t)rnd();

		if (t == a->type)
			return -1;
		memcpy(mut + a->off, &t, sizeof(t));
		snprintf(desc, sizeof(desc), "record %d (%s) type -> %u", i,
			 rec_name(a->type), t);
		return 0;
	}
	case MUT_SWAP:
		if (i + 1 >= nr)
			return -1;
		b = &recs[i + 1];
		if (a->span == b->span &&
		    !memcmp(mut + a->off, mut + b->off, a->span))
			return -1;
		memcpy(scratch, mut + a->off, a->span);
		memmove(mut + a->off, mut + b->off, b->span);
		memcpy(mut + a->off + b->span, scratch, a->span);
		snprintf(desc, sizeof(desc), "swap records %d (%s) and %d (%s)",
			 i, rec_name(a->type), i + 1, rec_name(b->type));
		return 0;
	case MUT_DUP:
		/* A copy of the last record after it changes nothing read. */
		if (i == nr - 1 && !allow_dup_last)
			return -1;
		memmove(mut + a->off + 2 * a->span, mut + a->off + a->span,
			mut_len - a->off - a->span);
		memcpy(mut + a->off + a->span, mut + a->off, a->span);
		mut_len += a->span;
		snprintf(desc, sizeof(desc), "duplicate record %d (%s)", i,
			 rec_name(a->type));
		return 0;
	case MUT_DELETE:
		memmove(mut + a->off, mut + a->off + a->span,
			mut_len - a->off - a->span);
		mut_len -= a->span;
		snprintf(desc, sizeof(desc), "delete record %d (%s)", i,
			 rec_name(a->type));
		return 0;
	}
	return -1;
}

/*
 * Build the next mutant in mut/mut_len.  @fix_trailer: mutate the body
 * only, then append a correct trailer.
 */
static void make_mutant(bool fix_trailer)
{
	size_t limit = fix_trailer ? body_len : orig_len;
	int nr = fix_trailer ? nrecs - 1 : nrecs;

	for (;;) {
		memcpy(mut, orig, limit);
		mut_len = limit;
		if (mutate_once(nr, limit, fix_trailer))
			continue;
		if (fix_trailer)
			mut_len = add_trailer(mut, mut_len);
		if (mut_len != orig_len || memcmp(mut, orig, orig_len))
			return;
	}
}

/* --------------------------------------------------------------------
 * Setting up and checking
 */

static int copy_file(const char *from, const char *to)
{
	static char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (ckpt_write_all(out, buf, n))
				break;
		ret = n == 0 ? 0 : -1;
		close(out);
	}
	close(in);
	return ret;
}

/* Take the image of a fresh, small process into orig. */
static int take_image(void)
{
	static const uint32_t wanted[] = {
		CKPT_REC_PIPE, CKPT_REC_PTY, CKPT_REC_UNIX, CKPT_REC_POSIX_TIMERS,
		CKPT_REC_INOTIFY, CKPT_REC_EVENTFD,
	};
	unsigned int t;
	int p[2], fd;
	ssize_t n;
	pid_t pid;
	off_t size;
	char c;

	snprintf(exe_copy, sizeof(exe_copy), "/tmp/ckpt-fuzz-exe-%d",
		 (int)getpid());
	if (copy_file("/proc/self/exe", exe_copy)) {
		ckpt_msg("copy of /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(p[1], 3) != 3)
			_exit(126);
		ckpt_close_range(4, ~0U);
		execl(exe_copy, "ckpt_fuzz_child", FUZZ_CHILD_ARG, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], &c, 1);
	close(p[0]);
	if (n != 1 || ckpt_wait_state(pid, "S", 10000) != 'S') {
		ckpt_msg("fuzz child did not start: %d", ckpt_kill_reap(pid));
		return -1;
	}
	fd = ckpt_image_open();
	if (fd < 0 || ckpt_checkpoint(pid, fd, CKPT_KILL) ||
	    ckpt_reap(pid) != 128 + SIGKILL) {
		ckpt_kill_reap(pid);
		return -1;
	}
	size = ckpt_fd_size(fd);
	if (size <= 0 || size > (1 << 30)) {
		ckpt_msg("image of %lld bytes", (long long)size);
		close(fd);
		return -1;
	}
	orig = malloc(size);
	mut = malloc(2 * size + 4096);
	scratch = malloc(size);
	if (!orig || !mut || !scratch || pread(fd, orig, size, 0) != size) {
		close(fd);
		return -1;
	}
	close(fd);
	orig_len = size;
	orig_pid = pid;
	if (parse_image(orig, orig_len)) {
		ckpt_msg("cannot walk the records of the image (%zu bytes)",
			 orig_len);
		return -1;
	}
	body_len = recs[nrecs - 1].off;
	for (t = 0; t < ARRAY_SIZE(wanted); t++) {
		for (n = 0; n < nrecs && recs[n].type != wanted[t]; n++)
			;
		if (n == nrecs) {
			ckpt_msg("the image has no record of type %u to fuzz", wanted[t]);
			return -1;
		}
	}
	return 0;
}

/* Load mut into @fd from the start. */
static int load(int fd, const uint8_t *buf, size_t len)
{
	if (ftruncate(fd, 0) || pwrite(fd, buf, len, 0) != (ssize_t)len ||
	    lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	return 0;
}

/*
 * Kill and reap a process restart() gave us.  Returns -1 if it was not
 * our child to reap.
 */
static int dispose(pid_t pid, bool let_run)
{
	if (let_run)
		ckpt_sleep_ms(20);
	kill(pid, SIGKILL);
	return ckpt_reap(pid) < 0 ? -1 : 0;
}

/* Kill and reap whatever children are left (strays included). */
static int sweep_children(void)
{
	pid_t kids[64];
	int n, i, found = 0;

	for (;;) {
		n = ckpt_children_of(0, kids, 64);
		if (n <= 0)
			break;
		for (i = 0; i < n && i < 64; i++) {
			ckpt_msg("left over: process %d", (int)kids[i]);
			ckpt_kill_reap(kids[i]);
			found++;
		}
		if (found > 1000)
			break;
	}
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		found++;
	return found;
}

/*
 * Mutants may give the restored process any exit signal, which we, its
 * parent, would receive when it dies: keep them all pending instead.
 */
static void block_signals(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

static int iterations(const char *var, int dflt)
{
	const char *s = getenv(var);

	return s && atoi(s) > 0 ? atoi(s) : dflt;
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOEXEC: return "ENOEXEC";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case EPERM: return "EPERM";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EOVERFLOW: return "EOVERFLOW";
	case EBADMSG: return "EBADMSG";
	case EEXIST: return "EEXIST";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ERANGE: return "ERANGE";
	default: return NULL;
	}
}

static void print_errnos(struct __test_metadata *_metadata,
			 const unsigned int *count)
{
	char line[512];
	size_t used = 0;
	int e;

	line[0] = '\0';
	for (e = 0; e < 256 && used < sizeof(line) - 32; e++) {
		if (!count[e])
			continue;
		if (errno_name(e))
			used += snprintf(line + used, sizeof(line) - used,
					 " %s:%u", errno_name(e), count[e]);
		else
			used += snprintf(line + used, sizeof(line) - used,
					 " %d:%u", e, count[e]);
	}
	TH_LOG("errors:%s", line);
}

/* The unmutated image restarts (so failures are the mutations' doing). */
static int check_original_restarts(void)
{
	int fd = memfd_create("ckpt-fuzz-orig", MFD_CLOEXEC);
	pid_t got;

	if (fd < 0 || load(fd, orig, orig_len))
		return -1;
	got = restart(fd, RESTART_STOPPED, 2);
	close(fd);
	if (got != orig_pid) {
		ckpt_msg("the intact image does not restart: %d (%s)",
			 (int)got, strerror(errno));
		if (got > 0)
			ckpt_kill_reap(got);
		return -1;
	}
	return dispose(got, false);
}

/* --------------------------------------------------------------------
 * The tests
 */

/*
 * Generous: the guest runner's timeout (900 s, more for make fuzz)
 * stops a hang; these are the ceilings for make fuzz's long runs.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 14400

TEST(mutated_images_are_all_refused)
{
	unsigned int errs[256] = { 0 };
	int n = iterations("CKPT_FUZZ_ITERATIONS", FUZZ_ITERATIONS);
	int i, fd, logfd, procs_before, accepted = 0, leftovers = 0;
	uint64_t start = ckpt_now_ms();
	pid_t got;

	if (!ckpt_preamble(_metadata))
		return;
	block_signals();
	ASSERT_EQ(0, take_image());
	TH_LOG("image: %zu bytes, %d records, pid %d", orig_len, nrecs,
	       orig_pid);
	ASSERT_EQ(0, check_original_restarts());
	procs_before = ckpt_count_user_processes();
	fd = memfd_create("ckpt-fuzz", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_GE(logfd, 0);

	rng = FUZZ_SEED;
	for (i = 0; i < n; i++) {
		make_mutant(false);
		ASSERT_EQ(0, load(fd, mut, mut_len));
		errno = 0;
		got = restart(fd, RESTART_STOPPED, logfd);
		if (got >= 0) {
			if (++accepted <= MAX_REPORTED)
				TH_LOG("mutant %d accepted as pid %d: %s", i,
				       got, desc);
			if (got > 0 && dispose(got, false))
				TH_LOG("mutant %d: pid %d is not our child",
				       i, got);
		} else {
			errs[errno & 255]++;
		}
		if (ckpt_have_children()) {
			if (++leftovers <= MAX_REPORTED)
				TH_LOG("mutant %d left a child: %s", i, desc);
			sweep_children();
		}
		if ((i + 1) % 1000 == 0)
			TH_LOG("%d mutants, %d accepted, %llu s", i + 1,
			       accepted,
			       (unsigned long long)(ckpt_now_ms() - start) / 1000);
	}
	print_errnos(_metadata, errs);
	EXPECT_EQ(0, accepted);
	EXPECT_EQ(0, leftovers);
	if (errs[EBUSY] > (unsigned int)n / 2)
		TH_LOG("most mutants failed with EBUSY: was pid %d in use?",
		       orig_pid);

	/* Nothing left behind, and the pid is still free. */
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(procs_before, ckpt_count_user_processes())
		ckpt_list_processes();
	EXPECT_EQ(0, check_original_restarts());
	close(logfd);
	close(fd);
	unlink(exe_copy);
}

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 7200

TEST(mutated_images_with_valid_checksums_leave_nothing_behind)
{
	unsigned int errs[256] = { 0 };
	int n = iterations("CKPT_FUZZ_FIXED_ITERATIONS", FUZZ_FIXED_ITERATIONS);
	int i, fd, logfd, procs_before, accepted = 0, lost = 0;
	uint64_t start = ckpt_now_ms();
	bool run;
	pid_t got;

	if (!ckpt_preamble(_metadata))
		return;
	block_signals();
	ASSERT_EQ(0, take_image());
	/* Do we compute the trailer as the kernel does? */
	ASSERT_EQ(0, ckpt_image_verify(orig, orig_len))
		TH_LOG("the trailer is not the digest of the bytes before it");
	ASSERT_EQ(0, check_original_restarts());
	/* Strays of restored processes come back to us. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	procs_before = ckpt_count_user_processes();
	fd = memfd_create("ckpt-fuzz", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_GE(logfd, 0);

	rng = FUZZ_SEED ^ 0xa5a5a5a5a5a5a5a5ULL;
	for (i = 0; i < n; i++) {
		make_mutant(true);
		ASSERT_EQ(0, load(fd, mut, mut_len));
		/* Broken registers only show on the way back to user mode. */
		run = touched_type == CKPT_REC_THREAD ||
		      touched_type == CKPT_REC_XSTATE;
		errno = 0;
		got = restart(fd, run ? 0 : RESTART_STOPPED, logfd);
		if (got >= 0) {
			accepted++;
			if (got == 0 || dispose(got, run)) {
				if (++lost <= MAX_REPORTED)
					TH_LOG("mutant %d: restart() = %d, not a child to reap: %s",
					       i, got, desc);
			}
		} else {
			errs[errno & 255]++;
		}
		if (ckpt_have_children() && sweep_children() &&
		    ++lost <= MAX_REPORTED)
			TH_LOG("mutant %d left processes behind: %s", i, desc);
		if ((i + 1) % 1000 == 0)
			TH_LOG("%d mutants, %d restarted, %llu s", i + 1,
			       accepted,
			       (unsigned long long)(ckpt_now_ms() - start) / 1000);
	}
	print_errnos(_metadata, errs);
	TH_LOG("%d of %d mutants restarted (and were killed)", accepted, n);
	EXPECT_EQ(0, lost);
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(procs_before, ckpt_count_user_processes())
		ckpt_list_processes();
	EXPECT_EQ(0, check_original_restarts());
	close(logfd);
	close(fd);
	unlink(exe_copy);
}

/* The fuzzed process is this program again, started with FUZZ_CHILD_ARG. */
int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], FUZZ_CHILD_ARG))
		return fuzz_child_main();
	return test_harness_run(argc, argv);
}
