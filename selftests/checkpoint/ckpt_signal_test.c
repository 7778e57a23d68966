// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: signal state.
 *
 * Handlers with their flags, masks and restorer (compared through the
 * raw rt_sigaction system call, and run after the restart), the blocked
 * mask, pending signals with their siginfo (queued real-time signals
 * twice, standard signals once, process-wide and thread-private queues
 * apart), the alternate signal stack (and a handler running on it), and
 * processes checkpointed while sleeping in pause() or sigsuspend(),
 * which must go on sleeping after the restart, with sigsuspend()'s
 * temporary mask, until a signal wakes them.
 *
 * SIGUSR2 belongs to the harness (see ckpt_test.h): it is blocked
 * outside the final wait, and its handler sets ckpt_woken.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

/* The kernel's view of a handler (struct sigaction of rt_sigaction(2)). */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define NSIG_MAX	64

#ifndef SS_AUTODISARM
#define SS_AUTODISARM	0x80000000U	/* include/uapi/linux/signal.h */
#endif

static int get_ksigaction(int sig, struct ksigaction *ka)
{
	memset(ka, 0, sizeof(*ka));
	return syscall(SYS_rt_sigaction, sig, NULL, ka, 8);
}

static uint64_t get_kmask(void)
{
	uint64_t mask = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);
	return mask;
}

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The hex mask of a /proc/self/status line ("SigBlk" etc.) as a number. */
static uint64_t status_mask(pid_t pid, const char *field)
{
	char val[64];

	if (ckpt_status_field(pid, field, val, sizeof(val)))
		return ~0ULL;
	return strtoull(val, NULL, 16);
}

/* --------------------------------------------------------------------
 * Handlers
 */

static struct ksigaction ka_before[NSIG_MAX + 1];
/* Written by the handlers: read them with CKPT_LOAD(). */
static int usr1_count, term_count, rt_count;
static int usr1_signo, usr1_code;
static uint64_t usr1_mask_in_handler, term_mask_in_handler;

static void usr1_action(int sig, siginfo_t *si, void *uc)
{
	CKPT_STORE(usr1_signo, si->si_signo);
	CKPT_STORE(usr1_code, si->si_code);
	CKPT_STORE(usr1_mask_in_handler, get_kmask());
	__atomic_add_fetch(&usr1_count, 1, __ATOMIC_SEQ_CST);
}

static void term_handler(int sig)
{
	CKPT_STORE(term_mask_in_handler, get_kmask());
	__atomic_add_fetch(&term_count, 1, __ATOMIC_SEQ_CST);
}

static void rt_handler(int sig)
{
	__atomic_add_fetch(&rt_count, 1, __ATOMIC_SEQ_CST);
}

static int handlers_setup(void)
{
	struct sigaction sa;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = usr1_action;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGRTMIN + 3);
	CHILD_CHECK(1, !sigaction(SIGUSR1, &sa, NULL), "sigaction SIGUSR1");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_handler;
	sa.sa_flags = SA_NODEFER | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(1, !sigaction(SIGTERM, &sa, NULL), "sigaction SIGTERM");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rt_handler;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	CHILD_CHECK(1, !sigaction(SIGRTMIN + 4, &sa, NULL), "sigaction RT");

	CHILD_CHECK(1, signal(SIGHUP, SIG_IGN) != SIG_ERR, "SIGHUP");
	CHILD_CHECK(1, signal(SIGWINCH, SIG_IGN) != SIG_ERR, "SIGWINCH");

	/* Flags on a default disposition count too. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGALRM);
	CHILD_CHECK(1, !sigaction(SIGCHLD, &sa, NULL), "sigaction SIGCHLD");

	for (sig = 1; sig <= NSIG_MAX; sig++)
		CHILD_CHECK(1, !get_ksigaction(sig, &ka_before[sig]),
			    "rt_sigaction(%d)", sig);
	return 0;
}

static int handlers_verify(void)
{
	struct ksigaction ka;
	uint64_t want, mask;
	int sig;

	for (sig = 1; sig <= NSIG_MAX; sig++) {
		struct ksigaction *b = &ka_before[sig];

		CHILD_CHECK(2, !get_ksigaction(sig, &ka), "rt_sigaction(%d)",
			    sig);
		CHILD_CHECK(3, ka.handler == b->handler,
			    "signal %d: handler %#llx, was %#llx", sig,
			    (unsigned long long)ka.handler,
			    (unsigned long long)b->handler);
		CHILD_CHECK(4, ka.flags == b->flags,
			    "signal %d: flags %#llx, were %#llx", sig,
			    (unsigned long long)ka.flags,
			    (unsigned long long)b->flags);
		CHILD_CHECK(5, ka.restorer == b->restorer,
			    "signal %d: restorer %#llx, was %#llx", sig,
			    (unsigned long long)ka.restorer,
			    (unsigned long long)b->restorer);
		CHILD_CHECK(6, ka.mask == b->mask,
			    "signal %d: mask %#llx, was %#llx", sig,
			    (unsigned long long)ka.mask,
			    (unsigned long long)b->mask);
	}

	/* The handlers run, with their masks. */
	CHILD_CHECK(7, !raise(SIGUSR1) && CKPT_LOAD(usr1_count) == 1, "SIGUSR1 handler");
	CHILD_CHECK(8, CKPT_LOAD(usr1_signo) == SIGUSR1 && CKPT_LOAD(usr1_code) == SI_TKILL,
		    "siginfo: signo %d code %d", CKPT_LOAD(usr1_signo), CKPT_LOAD(usr1_code));
	want = sigbit(SIGUSR1) | sigbit(SIGHUP) | sigbit(SIGRTMIN + 3) |
	       sigbit(SIGUSR2);
	mask = CKPT_LOAD(usr1_mask_in_handler);
	CHILD_CHECK(9, (mask & want) == want,
		    "mask in the SIGUSR1 handler %#llx lacks %#llx",
		    (unsigned long long)mask, (unsigned long long)want);
	CHILD_CHECK(10, !raise(SIGTERM) && CKPT_LOAD(term_count) == 1, "SIGTERM handler");
	mask = CKPT_LOAD(term_mask_in_handler);
	CHILD_CHECK(11, !(mask & sigbit(SIGTERM)),
		    "SA_NODEFER lost: SIGTERM blocked in its handler");
	CHILD_CHECK(12, !get_ksigaction(SIGTERM, &ka) && ka.handler == 0,
		    "SA_RESETHAND lost: handler %#llx after delivery",
		    (unsigned long long)ka.handler);
	CHILD_CHECK(13, !raise(SIGRTMIN + 4) && CKPT_LOAD(rt_count) == 1, "RT handler");
	CHILD_CHECK(14, !raise(SIGHUP), "ignored SIGHUP");
	/* The restorer works: we came back from three handlers. */
	return 0;
}

TEST(handlers_keep_flags_masks_restorer_and_run)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(handlers_setup, handlers_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Blocked mask
 */

static uint64_t blocked_before;

static int blocked_setup(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGRTMIN + 5);
	sigaddset(&set, SIGRTMAX);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	blocked_before = get_kmask();
	CHILD_CHECK(1, blocked_before & sigbit(SIGUSR2), "SIGUSR2 not blocked");
	return 0;
}

static int blocked_verify(void)
{
	uint64_t now = get_kmask();

	/* sigsuspend() returned: its saved mask is back in force. */
	CHILD_CHECK(2, now == blocked_before, "blocked %#llx, was %#llx",
		    (unsigned long long)now, (unsigned long long)blocked_before);
	CHILD_CHECK(3, status_mask(0, "SigBlk") == blocked_before,
		    "SigBlk %#llx", (unsigned long long)status_mask(0, "SigBlk"));
	return 0;
}

TEST(blocked_mask_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(blocked_setup, blocked_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Pending signals and their siginfo
 */

static uint64_t pending_before, shdpnd_before, sigpnd_before;
static pid_t pending_pid;
static uid_t pending_uid;
static int tkill_code;	/* si_code of a tgkill()ed signal, seen before */

/* Dequeue a pending @sig without waiting. */
static int take(int sig, siginfo_t *si)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&set, si, &zero);
}

static int pending_setup(void)
{
	union sigval v;
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGRTMIN + 2);
	CHILD_CHECK(1, !sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	pending_pid = getpid();
	pending_uid = getuid();

	/* What tgkill() looks like here (SI_TKILL on Linux). */
	CHILD_CHECK(1, !syscall(SYS_tgkill, pending_pid, gettid(),
				SIGRTMIN + 2), "tgkill");
	CHILD_CHECK(1, take(SIGRTMIN + 2, &si) == SIGRTMIN + 2, "sigtimedwait");
	tkill_code = si.si_code;

	v.sival_int = 42;
	CHILD_CHECK(1, !sigqueue(pending_pid, SIGRTMIN, v), "sigqueue");
	CHILD_CHECK(1, !sigqueue(pending_pid, SIGRTMIN, v), "sigqueue");
	v.sival_int = 7;
	CHILD_CHECK(1, !sigqueue(pending_pid, SIGUSR1, v), "sigqueue");
	v.sival_int = 44;
	CHILD_CHECK(1, !sigqueue(pending_pid, SIGRTMIN + 1, v), "sigqueue");
	/* Thread-private, not process-wide. */
	CHILD_CHECK(1, !syscall(SYS_tgkill, pending_pid, gettid(),
				SIGRTMIN + 2), "tgkill");

	CHILD_CHECK(1, !sigpending(&set), "sigpending");
	pending_before = sigbit(SIGUSR1) | sigbit(SIGRTMIN) |
			 sigbit(SIGRTMIN + 1) | sigbit(SIGRTMIN + 2);
	shdpnd_before = status_mask(0, "ShdPnd");
	sigpnd_before = status_mask(0, "SigPnd");
	CHILD_CHECK(1, shdpnd_before == (pending_before & ~sigbit(SIGRTMIN + 2)),
		    "ShdPnd %#llx", (unsigned long long)shdpnd_before);
	CHILD_CHECK(1, sigpnd_before == sigbit(SIGRTMIN + 2), "SigPnd %#llx",
		    (unsigned long long)sigpnd_before);
	return 0;
}

static int pending_verify(void)
{
	uint64_t pnd = 0;
	siginfo_t si;
	sigset_t set;
	int i, sig;

	CHILD_CHECK(2, !sigpending(&set), "sigpending");
	for (sig = 1; sig <= NSIG_MAX; sig++)
		if (sigismember(&set, sig) == 1)
			pnd |= sigbit(sig);
	CHILD_CHECK(3, pnd == pending_before, "pending %#llx, expected %#llx",
		    (unsigned long long)pnd, (unsigned long long)pending_before);
	CHILD_CHECK(4, status_mask(0, "ShdPnd") == shdpnd_before,
		    "process-wide pending %#llx, was %#llx",
		    (unsigned long long)status_mask(0, "ShdPnd"),
		    (unsigned long long)shdpnd_before);
	CHILD_CHECK(5, status_mask(0, "SigPnd") == sigpnd_before,
		    "thread pending %#llx, was %#llx",
		    (unsigned long long)status_mask(0, "SigPnd"),
		    (unsigned long long)sigpnd_before);

	/* SIGRTMIN was queued twice, with its value. */
	for (i = 0; i < 2; i++) {
		CHILD_CHECK(6, take(SIGRTMIN, &si) == SIGRTMIN,
			    "SIGRTMIN #%d not pending: %s", i + 1,
			    strerror(errno));
		CHILD_CHECK(7, si.si_code == SI_QUEUE &&
			    si.si_value.sival_int == 42,
			    "SIGRTMIN #%d: code %d value %d", i + 1,
			    si.si_code, si.si_value.sival_int);
		CHILD_CHECK(8, si.si_pid == pending_pid &&
			    si.si_uid == pending_uid,
			    "SIGRTMIN sender %d/%d", si.si_pid, si.si_uid);
	}
	CHILD_CHECK(9, take(SIGRTMIN, &si) < 0 && errno == EAGAIN,
		    "SIGRTMIN a third time");

	CHILD_CHECK(10, take(SIGUSR1, &si) == SIGUSR1, "SIGUSR1 not pending");
	CHILD_CHECK(11, si.si_code == SI_QUEUE && si.si_value.sival_int == 7 &&
		    si.si_pid == pending_pid,
		    "SIGUSR1: code %d value %d pid %d", si.si_code,
		    si.si_value.sival_int, si.si_pid);
	CHILD_CHECK(12, take(SIGUSR1, &si) < 0 && errno == EAGAIN,
		    "SIGUSR1 twice");

	CHILD_CHECK(13, take(SIGRTMIN + 1, &si) == SIGRTMIN + 1 &&
		    si.si_value.sival_int == 44, "SIGRTMIN+1: value %d",
		    si.si_value.sival_int);
	CHILD_CHECK(14, take(SIGRTMIN + 2, &si) == SIGRTMIN + 2 &&
		    si.si_code == tkill_code && si.si_pid == pending_pid,
		    "SIGRTMIN+2: code %d (expected %d) pid %d", si.si_code,
		    tkill_code, si.si_pid);

	CHILD_CHECK(15, !sigpending(&set), "sigpending");
	for (sig = 1; sig <= NSIG_MAX; sig++)
		CHILD_CHECK(16, sigismember(&set, sig) != 1,
			    "signal %d still pending", sig);
	return 0;
}

TEST(pending_signals_keep_siginfo_and_queue_counts)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(pending_setup, pending_verify);
	ASSERT_GT(child, 0);
	/* The restored process has them pending too: check from here. */
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Alternate signal stack
 */

#define ALTSTACK_SIZE	(64 * 1024)

static char altstack[ALTSTACK_SIZE];
static stack_t ss_before;
/* Written by the handler: read them with CKPT_LOAD(). */
static uintptr_t onstack_local;
static int onstack_flags = -1;

static void onstack_handler(int sig)
{
	stack_t cur;
	char local;

	CKPT_STORE(onstack_local, (uintptr_t)&local);
	if (!sigaltstack(NULL, &cur))
		CKPT_STORE(onstack_flags, cur.ss_flags);
}

static int altstack_setup_flags(int flags)
{
	struct sigaction sa;
	stack_t ss;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = flags;	/* int: SS_AUTODISARM is bit 31 */
	CHILD_CHECK(1, !sigaltstack(&ss, NULL), "sigaltstack: %s",
		    strerror(errno));
	CHILD_CHECK(1, !sigaltstack(NULL, &ss_before), "sigaltstack");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onstack_handler;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(1, !sigaction(SIGUSR1, &sa, NULL), "sigaction");
	return 0;
}

static int altstack_setup(void)
{
	return altstack_setup_flags(0);
}

static int altstack_autodisarm_setup(void)
{
	return altstack_setup_flags(SS_AUTODISARM);
}

static int altstack_verify(void)
{
	uintptr_t lo = (uintptr_t)altstack, hi = lo + sizeof(altstack);
	stack_t ss;

	CHILD_CHECK(2, !sigaltstack(NULL, &ss), "sigaltstack");
	CHILD_CHECK(3, ss.ss_sp == ss_before.ss_sp &&
		    ss.ss_size == ss_before.ss_size &&
		    ss.ss_flags == ss_before.ss_flags,
		    "altstack %p/%zu/%#x, was %p/%zu/%#x", ss.ss_sp, ss.ss_size,
		    ss.ss_flags, ss_before.ss_sp, ss_before.ss_size,
		    ss_before.ss_flags);
	CHILD_CHECK(4, ss.ss_sp == altstack && ss.ss_size == sizeof(altstack),
		    "altstack %p/%zu", ss.ss_sp, ss.ss_size);
	CHILD_CHECK(5, !raise(SIGUSR1) && CKPT_LOAD(onstack_local), "handler did not run");
	CHILD_CHECK(6, CKPT_LOAD(onstack_local) >= lo && CKPT_LOAD(onstack_local) < hi,
		    "handler ran at %#lx, not on the altstack %#lx-%#lx",
		    (unsigned long)CKPT_LOAD(onstack_local), (unsigned long)lo,
		    (unsigned long)hi);
	/* Inside, the stack showed as in use (or disarmed, with SS_AUTODISARM). */
	if (ss_before.ss_flags & SS_AUTODISARM)
		CHILD_CHECK(7, CKPT_LOAD(onstack_flags) == SS_DISABLE,
			    "flags in the handler %#x", CKPT_LOAD(onstack_flags));
	else
		CHILD_CHECK(7, CKPT_LOAD(onstack_flags) == SS_ONSTACK,
			    "flags in the handler %#x", CKPT_LOAD(onstack_flags));
	return 0;
}

TEST(sigaltstack_survives_and_handlers_run_on_it)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(altstack_setup, altstack_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

TEST(sigaltstack_autodisarm_flag_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(altstack_autodisarm_setup, altstack_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Sleeping in pause() and sigsuspend()
 */

static int pause_main(void)
{
	int ret, err;

	ckpt_child_unblock_wake();
	ckpt_child_ready();
	ret = pause();
	err = errno;
	CHILD_CHECK(1, CKPT_LOAD(ckpt_woken), "pause() returned %d (%s) without SIGUSR2",
		    ret, strerror(err));
	CHILD_CHECK(2, ret == -1 && err == EINTR, "pause() = %d, %s", ret,
		    strerror(err));
	return 0;
}

/*
 * Restart the image in @fd as @pid, check it goes on sleeping for a
 * while, then wake it.  Before waking it with SIGUSR2, @pre_sig (if not
 * 0) is sent, which must not wake it either.
 */
static int restart_check_asleep(int fd, pid_t pid, int pre_sig)
{
	int status;

	int i;

	if (ckpt_restart_as(fd, pid, 0) < 0)
		return -1;
	/*
	 * As after a stop and continue, the restored task re-enters its
	 * call on its own; a signal sent before then meets its own mask.
	 * Probe the call's temporary mask once the task is back in it.
	 */
	for (i = 0; pre_sig && i < 500; i++) {
		if (ckpt_proc_state(pid) == 'S' &&
		    status_mask(pid, "SigBlk") & sigbit(pre_sig))
			break;
		ckpt_sleep_ms(10);
	}
	if (pre_sig)
		kill(pid, pre_sig);
	ckpt_sleep_ms(300);
	if (waitpid(pid, &status, WNOHANG) != 0) {
		ckpt_msg("restored %d did not go on sleeping", (int)pid);
		return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
	}
	if (ckpt_proc_state(pid) != 'S') {
		ckpt_msg("restored %d: state %c", (int)pid,
			 ckpt_proc_state(pid));
		ckpt_kill_reap(pid);
		return -3;
	}
	if (pre_sig && !(status_mask(pid, "SigBlk") & sigbit(pre_sig))) {
		ckpt_msg("restored %d: temporary mask lost: SigBlk %#llx",
			 (int)pid,
			 (unsigned long long)status_mask(pid, "SigBlk"));
		ckpt_kill_reap(pid);
		return -4;
	}
	return ckpt_wake_reap(pid);
}

TEST(process_sleeping_in_pause_sleeps_on_after_restart)
{
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(pause_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	EXPECT_EQ(0, restart_check_asleep(fd, child, 0));
	close(fd);
}

/* Written by the handler: read them with CKPT_LOAD(). */
static int susp_usr1_count;
static int susp_usr1_before_wake;

static void susp_usr1_handler(int sig)
{
	__atomic_add_fetch(&susp_usr1_count, 1, __ATOMIC_SEQ_CST);
	if (!CKPT_LOAD(ckpt_woken))
		CKPT_STORE(susp_usr1_before_wake, 1);
}

/*
 * Sleep in sigsuspend() with SIGUSR1 blocked only for the duration of
 * the call; the test sends SIGUSR1 to the restored process, which must
 * not wake it, and then SIGUSR2, after which SIGUSR1 gets through.
 */
static int sigsuspend_main(void)
{
	struct sigaction sa;
	uint64_t mask_before;
	sigset_t tmp;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = susp_usr1_handler;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(1, !sigaction(SIGUSR1, &sa, NULL), "sigaction");
	mask_before = get_kmask();
	CHILD_CHECK(1, mask_before == sigbit(SIGUSR2), "mask %#llx",
		    (unsigned long long)mask_before);
	sigemptyset(&tmp);
	sigaddset(&tmp, SIGUSR1);

	ckpt_child_ready();
	while (!CKPT_LOAD(ckpt_woken))
		sigsuspend(&tmp);
	CHILD_CHECK(2, !CKPT_LOAD(susp_usr1_before_wake),
		    "SIGUSR1 got through sigsuspend()'s mask");
	CHILD_CHECK(3, CKPT_LOAD(susp_usr1_count) == 1,
		    "SIGUSR1 handled %d times after the wake-up",
		    CKPT_LOAD(susp_usr1_count));
	CHILD_CHECK(4, get_kmask() == mask_before,
		    "mask after sigsuspend() %#llx, expected %#llx",
		    (unsigned long long)get_kmask(),
		    (unsigned long long)mask_before);
	return 0;
}

TEST(process_sleeping_in_sigsuspend_keeps_temporary_mask)
{
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(sigsuspend_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_CONTINUE));
	ASSERT_EQ(128 + SIGKILL, ckpt_kill_reap(child));
	EXPECT_EQ(0, restart_check_asleep(fd, child, SIGUSR1));
	close(fd);
}

TEST_HARNESS_MAIN
