// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: System V shared memory.
 *
 * A segment a process of the job has attached is saved once, with its
 * contents (the pages never touched left out), its id, key, owner,
 * creator, mode and times.  Restart makes it again with that id and key,
 * or takes back the one a killed job left behind, and attaches it to
 * every restored process as shmat() had:
 *
 *  - an IPC_PRIVATE segment shared by a parent (the job root,
 *    checkpointed with CKPT_TREE) and the helper it forked: the image
 *    holds it once; after restart the pattern written before is intact,
 *    the page never touched reads zero, a write by one is seen by the
 *    other both ways, and IPC_STAT in the restored parent shows the same
 *    id, key, mode, owner, creator, size and times, and two attaches;
 *  - a keyed segment whose mode was changed with IPC_SET (0640):
 *    shmget() of its key finds it under the same id, with that mode and
 *    its times; the times restart sets are the image's (edited to old
 *    ones, which no clock gives);
 *  - a segment removed with IPC_RMID while attached: it goes with the
 *    killed job (the test sees it gone), comes back removed (SHM_DEST,
 *    key IPC_PRIVATE, not found by its old key) and still shared, and
 *    goes when both processes have detached it;
 *  - an attachment made with SHM_RDONLY: still readable, mprotect()
 *    cannot make it writable (EACCES), and a store faults;
 *  - an attachment split by mprotect() into three mappings, and another
 *    one of the same segment partly unmapped: shmdt() still detaches
 *    each whole, and shm_nattch counts the mappings as before;
 *  - a keyed segment a killed job left behind, which the test writes
 *    to meanwhile: restart takes it back (same id) with the image's
 *    contents and times, not the test's bytes and its detach time.
 *
 * Refused at restart, leaving no process and no segment behind: another
 * segment holding the key (EEXIST, naming the segment); a restart that
 * fails after its first process made the segment (the second process's
 * pid is taken) removes the segment again.  Once the obstacle is gone
 * the same image restarts.
 *
 * Refused at checkpoint, naming the segment, with the job left running
 * unharmed: a segment also attached by a process outside the job
 * (EBUSY, naming that process) and one locked with SHM_LOCK
 * (EOPNOTSUPP).
 *
 * Everything is checkpointed with CKPT_KILL and checked from inside the
 * restored processes; what is in the IPC namespace between checkpoint
 * and restart the test checks itself.  Nothing waits for time to pass:
 * the parent wakes its helper with a signal and waits for it to exit.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define PG		4096UL

/* --------------------------------------------------------------------
 * Helpers
 */

/* The key of the test's segment: the test process's own. */
static key_t sv_key;

static void sv_set_key(void)
{
	sv_key = (key_t)(0x43500000 | getpid());
}

/* Is the page at @addr mapped?  msync() says ENOMEM if not. */
static bool page_mapped(const void *addr)
{
	return msync((void *)addr, PG, MS_ASYNC) == 0 || errno != ENOMEM;
}

/* shmctl(@id, IPC_STAT): 0, or the errno it failed with. */
static int sv_stat(int id, struct shmid_ds *ds)
{
	struct shmid_ds tmp;

	return shmctl(id, IPC_STAT, ds ?: &tmp) ? errno : 0;
}

/* Is segment @id gone (IPC_STAT: EINVAL, or EIDRM while it goes)? */
static bool sv_gone(int id)
{
	int err = sv_stat(id, NULL);

	return err == EINVAL || err == EIDRM;
}

/* shmget(sv_key, 0, 0): the id, or minus the errno. */
static int sv_find_key(void)
{
	int id = shmget(sv_key, 0, 0);

	return id >= 0 ? id : -errno;
}

/* Remove what a test may have left: segment @id, the one with sv_key. */
static void sv_remove(int id)
{
	int kid;

	if (id >= 0 && !sv_stat(id, NULL))
		shmctl(id, IPC_RMID, NULL);
	kid = shmget(sv_key, 0, 0);
	if (kid >= 0)
		shmctl(kid, IPC_RMID, NULL);
}

/* What the image holds of System V shared memory, and its processes. */
struct sv_image {
	int nr_shm;			/* CKPT_REC_SYSVSHM records */
	struct ckpt_rec_sysvshm shm;	/* the first */
	int nr_vmas;			/* CKPT_VMA_SYSVSHM mappings */
	int nr_rdonly;			/* of them, CKPT_VMA_SHM_RDONLY */
	int nr_tasks;
	pid_t first_task;		/* the first CKPT_REC_TASK's pid */
	bool shm_before_second_task;	/* the first segment: in the first process */
};

static int sv_image_read(int fd, struct sv_image *si)
{
	const struct ckpt_rec_vma *v;
	const struct ckpt_hdr *h;
	size_t len = 0, off = 0;
	void *img;

	memset(si, 0, sizeof(*si));
	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	while ((h = ckpt_image_next(img, len, &off, 0))) {
		switch (h->type) {
		case CKPT_REC_TASK:
			if (!si->nr_tasks++ && h->len >= sizeof(struct ckpt_rec_task))
				si->first_task = ((const struct ckpt_rec_task *)h)->pid;
			break;
		case CKPT_REC_SYSVSHM:
			if (!si->nr_shm++ && h->len >= sizeof(si->shm)) {
				memcpy(&si->shm, h, sizeof(si->shm));
				si->shm_before_second_task = si->nr_tasks == 1;
			}
			break;
		case CKPT_REC_VMA:
			v = (const struct ckpt_rec_vma *)h;
			if (h->len >= sizeof(*v) && v->kind == CKPT_VMA_SYSVSHM) {
				si->nr_vmas++;
				if (v->flags & CKPT_VMA_SHM_RDONLY)
					si->nr_rdonly++;
			}
			break;
		}
	}
	free(img);
	return 0;
}

/* A child that holds pid @nr until *@wfd is closed; its pid or -1. */
static pid_t hold_pid(pid_t nr, int *wfd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = pidfork(nr);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	if (pid < 0) {
		ckpt_msg("pidfork(%d): %s", (int)nr, strerror(errno));
		close(p[1]);
		return -1;
	}
	*wfd = p[1];
	return pid;
}

/* --------------------------------------------------------------------
 * A parent and its helper sharing a segment
 *
 * The job root makes a segment of SV_PAGES pages (keyed with sv_key or
 * IPC_PRIVATE, as sv_how says) and attaches it: pages 0-1 and 3 hold a
 * pattern, page 2 is never touched, page 4 is the mailbox.  It forks
 * the helper, which inherits the attachment, notes what IPC_STAT says
 * (sv_before) and both wait for SIGUSR2.  Woken (after restart, or
 * after a refused checkpoint), the root checks the segment and what
 * IPC_STAT says of it, writes to the mailbox and wakes the helper; the
 * helper checks it sees all that, writes its result (a sum of the
 * pattern pages) and exits; the root checks that it sees the result.
 * If the segment was removed, the root then detaches it: it is gone.
 */

enum { R_ROOT = 1, R_HELPER };

#define SV_PAGES	5
#define SV_SIZE		(SV_PAGES * PG)
#define SV_HOLE		2
#define SV_MBOX		4
#define SV_SEED		0x5356ULL
#define SV_JUNK		0x6a756e6bULL
#define SV_BEFORE	0xbef0feULL
#define SV_FROM_ROOT	0x1234abcdULL

/* Times edited into the image (SV_IMAGE_TIMES): 2001, which no clock gives. */
#define SV_OLD_ATIME	1000000001LL
#define SV_OLD_DTIME	1000000002LL
#define SV_OLD_CTIME	1000000003LL

/* How the root makes its segment: sv_how, set before the job starts. */
#define SV_KEYED	0x1	/* key sv_key, not IPC_PRIVATE */
#define SV_MODE		0x2	/* mode changed to 0640 with IPC_SET */
#define SV_RMID		0x4	/* removed with IPC_RMID, both attached */
#define SV_LOCK		0x8	/* locked with SHM_LOCK */
#define SV_IMAGE_TIMES	0x10	/* the test puts the SV_OLD_* times in the image */

struct sv_mailbox {
	uint64_t before;	/* written before the checkpoint */
	uint64_t from_root;	/* after it, by the root */
	uint64_t from_helper;	/* after it, by the helper: sv_sum() */
};

static unsigned int sv_how;

/* The root's, which the test reads with ckpt_peek(). */
static int sv_id = -1;
static struct shmid_ds sv_before;
static char *sv_map;
static struct map_line sv_map_before;

static struct sv_mailbox *sv_mbox(void)
{
	return (struct sv_mailbox *)(sv_map + SV_MBOX * PG);
}

static void sv_fill(char *map)
{
	ckpt_fill(map, 2 * PG, SV_SEED);
	ckpt_fill(map + 3 * PG, PG, SV_SEED + 1);
}

/* First word of the pattern pages that differs (-1: none), hole included. */
static long sv_bad_word(const char *map)
{
	long bad;

	bad = ckpt_check_fill(map, 2 * PG, SV_SEED);
	if (bad >= 0)
		return bad;
	if (!ckpt_all_zero(map + SV_HOLE * PG, PG))
		return SV_HOLE * PG / 8;
	bad = ckpt_check_fill(map + 3 * PG, PG, SV_SEED + 1);
	return bad >= 0 ? (long)(3 * PG / 8) + bad : -1;
}

/* The result the helper computes from the pattern pages: what it must be. */
static uint64_t sv_sum_expected(void)
{
	uint64_t sum = 0, i;

	for (i = 0; i < 2 * PG / 8; i++)
		sum = sum * 31 + ckpt_pattern(SV_SEED, i);
	for (i = 0; i < PG / 8; i++)
		sum = sum * 31 + ckpt_pattern(SV_SEED + 1, i);
	return sum;
}

/* The same, from the memory. */
static uint64_t sv_sum(const char *map)
{
	const uint64_t *a = (const uint64_t *)map, *b = (const uint64_t *)(map + 3 * PG);
	uint64_t sum = 0, i;

	for (i = 0; i < 2 * PG / 8; i++)
		sum = sum * 31 + a[i];
	for (i = 0; i < PG / 8; i++)
		sum = sum * 31 + b[i];
	return sum;
}

/* The attachment is still one mapping of the segment, as it was. */
static void sv_check_map(int code, const char *who)
{
	struct map_line ml;

	CHILD_CHECK(code, !map_line_of(sv_map, &ml), "%s: the segment is not mapped", who);
	CHILD_CHECK(code, ml.start == (unsigned long)sv_map &&
		    ml.end == (unsigned long)sv_map + SV_SIZE && !strcmp(ml.perms, "rw-s"),
		    "%s: mapping %#lx-%#lx %s, expected %p, %lu bytes, rw-s", who, ml.start,
		    ml.end, ml.perms, sv_map, SV_SIZE);
	/* A removed segment is made again with the key it then had: IPC_PRIVATE. */
	if (sv_how & SV_RMID)
		CHILD_CHECK(code, !strncmp(ml.path, "/SYSV", 5), "%s: mapping of %s", who,
			    ml.path);
	else
		CHILD_CHECK(code, !strcmp(ml.path, sv_map_before.path),
			    "%s: mapping of %s, was %s", who, ml.path, sv_map_before.path);
}

/*
 * IPC_STAT of the segment, compared with what it said before the
 * checkpoint: its id, key, owner, creator, mode, size, times; @nattch
 * attaches.
 */
static void sv_check_stat(int code, unsigned long nattch)
{
	const struct ipc_perm *a, *b = &sv_before.shm_perm;
	struct shmid_ds ds;

	a = &ds.shm_perm;
	CHILD_CHECK(code, !shmctl(sv_id, IPC_STAT, &ds), "IPC_STAT of segment %d: %s", sv_id,
		    strerror(errno));
	CHILD_CHECK(code, a->__key == b->__key, "key %#x, was %#x", a->__key, b->__key);
	CHILD_CHECK(code, a->mode == b->mode, "mode %#o, was %#o", (unsigned int)a->mode,
		    (unsigned int)b->mode);
	CHILD_CHECK(code, a->uid == b->uid && a->gid == b->gid && a->cuid == b->cuid &&
		    a->cgid == b->cgid, "owner %u:%u, creator %u:%u; were %u:%u, %u:%u",
		    a->uid, a->gid, a->cuid, a->cgid, b->uid, b->gid, b->cuid, b->cgid);
	CHILD_CHECK(code, ds.shm_segsz == SV_SIZE, "size %zu", ds.shm_segsz);
	CHILD_CHECK(code + 1, ds.shm_nattch == nattch, "%lu attaches, expected %lu",
		    (unsigned long)ds.shm_nattch, nattch);
	CHILD_CHECK(code + 1, ds.shm_cpid == getpid(), "creator pid %d", (int)ds.shm_cpid);
	if (sv_how & SV_IMAGE_TIMES)
		CHILD_CHECK(code + 2, ds.shm_atime == SV_OLD_ATIME &&
			    ds.shm_dtime == SV_OLD_DTIME && ds.shm_ctime == SV_OLD_CTIME,
			    "times %lld %lld %lld, the image's %lld %lld %lld",
			    (long long)ds.shm_atime, (long long)ds.shm_dtime,
			    (long long)ds.shm_ctime, SV_OLD_ATIME, SV_OLD_DTIME, SV_OLD_CTIME);
	else
		CHILD_CHECK(code + 2, ds.shm_atime == sv_before.shm_atime &&
			    ds.shm_dtime == sv_before.shm_dtime &&
			    ds.shm_ctime == sv_before.shm_ctime,
			    "times %lld %lld %lld, were %lld %lld %lld",
			    (long long)ds.shm_atime, (long long)ds.shm_dtime,
			    (long long)ds.shm_ctime, (long long)sv_before.shm_atime,
			    (long long)sv_before.shm_dtime, (long long)sv_before.shm_ctime);
}

static int sv_helper(void)
{
	struct sv_mailbox *mb = sv_mbox();
	long bad = sv_bad_word(sv_map);

	CHILD_CHECK(30, bad < 0, "helper: word %ld of the segment changed", bad);
	CHILD_CHECK(31, mb->before == SV_BEFORE, "helper: mailbox %#llx",
		    (unsigned long long)mb->before);
	CHILD_CHECK(32, mb->from_root == SV_FROM_ROOT,
		    "helper: the root's write is not seen: %#llx",
		    (unsigned long long)mb->from_root);
	sv_check_map(33, "helper");
	mb->from_helper = sv_sum(sv_map);
	return 0;
}

/* The root's side, once woken. */
static int sv_root_after(pid_t helper)
{
	struct sv_mailbox *mb = sv_mbox();
	uint64_t want = sv_sum_expected();
	long bad = sv_bad_word(sv_map);
	struct shmid_ds ds;
	int st = -1, id;
	pid_t r;

	CHILD_CHECK(10, bad < 0, "root: word %ld of the segment changed", bad);
	CHILD_CHECK(11, mb->before == SV_BEFORE && !mb->from_root && !mb->from_helper,
		    "root: mailbox %#llx %#llx %#llx", (unsigned long long)mb->before,
		    (unsigned long long)mb->from_root, (unsigned long long)mb->from_helper);
	sv_check_map(12, "root");
	sv_check_stat(13, 2);

	/* Found by its key as before, or by none once removed. */
	id = shmget(sv_key, 0, 0);
	if (sv_how & SV_RMID) {
		CHILD_CHECK(16, id == -1 && errno == ENOENT, "shmget(%#x): %d (%s)", sv_key, id,
			    strerror(errno));
		CHILD_CHECK(16, !shmctl(sv_id, IPC_STAT, &ds) &&
			    ds.shm_perm.__key == IPC_PRIVATE && ds.shm_perm.mode & SHM_DEST,
			    "removed: key %#x, mode %#o", ds.shm_perm.__key,
			    (unsigned int)ds.shm_perm.mode);
	} else if (sv_how & SV_KEYED) {
		CHILD_CHECK(16, id == sv_id, "shmget(%#x): %d (%s), expected %d", sv_key, id,
			    strerror(errno), sv_id);
	}
	if (sv_how & SV_MODE)
		CHILD_CHECK(17, !shmctl(sv_id, IPC_STAT, &ds) &&
			    (ds.shm_perm.mode & 0777) == 0640, "mode %#o, expected 0640",
			    (unsigned int)ds.shm_perm.mode);
	if (sv_how & SV_LOCK)
		CHILD_CHECK(17, !shmctl(sv_id, IPC_STAT, &ds) && ds.shm_perm.mode & SHM_LOCKED,
			    "no longer locked: mode %#o", (unsigned int)ds.shm_perm.mode);

	/* The root writes, the helper must see it. */
	mb->from_root = SV_FROM_ROOT;
	CHILD_CHECK(18, !kill(helper, CKPT_WAKE_SIG), "root: kill(%d): %s", (int)helper,
		    strerror(errno));
	do {
		r = waitpid(helper, &st, 0);
	} while (r < 0 && errno == EINTR);
	CHILD_CHECK(19, r == helper && WIFEXITED(st) && !WEXITSTATUS(st),
		    "root: helper %d: waitpid %d, status %#x (exit %d)", (int)helper, (int)r,
		    st, WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* The helper wrote, the root must see it. */
	CHILD_CHECK(20, mb->from_helper == want, "root: the helper's result %#llx, expected %#llx",
		    (unsigned long long)mb->from_helper, (unsigned long long)want);
	bad = sv_bad_word(sv_map);
	CHILD_CHECK(20, bad < 0, "root: word %ld changed at the end", bad);
	CHILD_CHECK(21, !shmctl(sv_id, IPC_STAT, &ds) && ds.shm_nattch == 1,
		    "after the helper's exit: %lu attaches (%s)", (unsigned long)ds.shm_nattch,
		    strerror(errno));
	if (!(sv_how & SV_RMID))
		return 0;

	/* Removed: it goes with its last detach. */
	CHILD_CHECK(22, !shmdt(sv_map), "shmdt: %s", strerror(errno));
	CHILD_CHECK(23, sv_gone(sv_id), "segment %d is still there after its last detach: %s",
		    sv_id, strerror(sv_stat(sv_id, NULL)));
	return 0;
}

static int sv_root(void *arg)
{
	struct shmid_ds ds;
	pid_t helper;

	(void)arg;
	sv_id = shmget(sv_how & SV_KEYED ? sv_key : IPC_PRIVATE, SV_SIZE,
		       IPC_CREAT | IPC_EXCL | 0600);
	CHILD_CHECK(1, sv_id >= 0, "shmget: %s", strerror(errno));
	sv_map = shmat(sv_id, NULL, 0);
	CHILD_CHECK(1, sv_map != (void *)-1, "shmat: %s", strerror(errno));
	sv_fill(sv_map);
	sv_mbox()->before = SV_BEFORE;
	CHILD_CHECK(1, !map_line_of(sv_map, &sv_map_before), "the segment is not mapped");
	if (sv_how & SV_MODE) {
		CHILD_CHECK(2, !shmctl(sv_id, IPC_STAT, &ds), "IPC_STAT: %s", strerror(errno));
		ds.shm_perm.mode = 0640;
		CHILD_CHECK(2, !shmctl(sv_id, IPC_SET, &ds), "IPC_SET: %s", strerror(errno));
	}
	if (sv_how & SV_LOCK)
		CHILD_CHECK(3, !shmctl(sv_id, SHM_LOCK, NULL), "SHM_LOCK: %s", strerror(errno));
	helper = ckpt_member_fork();
	CHILD_CHECK(4, helper >= 0, "fork: %s", strerror(errno));
	if (helper == 0) {
		ckpt_member_wait(R_HELPER);
		_exit(sv_helper());
	}
	if (sv_how & SV_RMID)
		CHILD_CHECK(5, !shmctl(sv_id, IPC_RMID, NULL), "IPC_RMID: %s", strerror(errno));
	CHILD_CHECK(6, !shmctl(sv_id, IPC_STAT, &sv_before), "IPC_STAT: %s", strerror(errno));
	CHILD_CHECK(6, sv_before.shm_nattch == 2, "%lu attaches",
		    (unsigned long)sv_before.shm_nattch);
	ckpt_member_wait(R_ROOT);
	return sv_root_after(helper);
}

/* The job seen from the test. */
struct sv_job {
	struct ckpt_member m[4];
	int n;
	pid_t root, helper;
	int id;			/* the root's sv_id */
	struct shmid_ds before;	/* the root's sv_before */
	int fd;			/* the image */
};

/* Start the pair with a segment made as @how says; read its id. */
static void sv_start(struct __test_metadata *_metadata, unsigned int how, struct sv_job *j)
{
	int i;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->id = -1;
	sv_set_key();
	sv_how = how;
	/* The originals' orphans come to us when the job is killed. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	j->root = ckpt_job_spawn(sv_root, NULL, 0, NULL, 0, j->m, &j->n, 4);
	ASSERT_GT(j->root, 0);
	ASSERT_EQ(2, j->n) {
		ckpt_kill_reap(j->root);
	}
	ASSERT_EQ(0, ckpt_job_settle(j->m, j->n, 10000)) {
		ckpt_kill_reap(j->root);
	}
	i = ckpt_job_find(j->m, j->n, R_HELPER);
	ASSERT_LE(0, i) {
		ckpt_kill_reap(j->root);
	}
	ASSERT_EQ(j->root, j->m[i].ppid) {
		ckpt_kill_reap(j->root);
	}
	j->helper = j->m[i].pid;
	ASSERT_EQ(0, ckpt_peek(j->root, &sv_id, &j->id, sizeof(j->id))) {
		ckpt_kill_reap(j->root);
	}
	ASSERT_EQ(0, ckpt_peek(j->root, &sv_before, &j->before, sizeof(j->before))) {
		ckpt_kill_reap(j->root);
	}
	ASSERT_LE(0, j->id);
}

/* Checkpoint the tree into j->fd and kill it; it is gone on return. */
static void sv_checkpoint_kill(struct __test_metadata *_metadata, struct sv_job *j)
{
	j->fd = ckpt_image_open();
	ASSERT_LE(0, j->fd) {
		ckpt_kill_reap(j->root);
	}
	ASSERT_EQ(0, ckpt_checkpoint(j->root, j->fd, CKPT_TREE | CKPT_KILL)) {
		TH_LOG("checkpoint: %s", strerror(errno));
		ckpt_kill_reap(j->root);
	}
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(j->root));
	ASSERT_EQ(0, ckpt_job_gone(j->m, j->n, 10000));
}

/* Restart the image: the job is back, waiting to be woken. */
static void sv_restart(struct __test_metadata *_metadata, struct sv_job *j)
{
	ASSERT_EQ(j->root, ckpt_restart(j->fd, 0));
	EXPECT_EQ(0, ckpt_job_intact(j->m, j->n, "RS"));
}

/* Wake the root: its verdict, then nothing of the job is left. */
static void sv_wake(struct __test_metadata *_metadata, struct sv_job *j)
{
	EXPECT_EQ(0, ckpt_wake_reap(j->root));
	EXPECT_EQ(0, ckpt_job_gone(j->m, j->n, 10000));
	EXPECT_FALSE(ckpt_have_children());
}

/* The killed job left its segment behind, unattached: remove it. */
static void sv_remove_left_behind(struct __test_metadata *_metadata, struct sv_job *j)
{
	struct shmid_ds ds;

	ASSERT_EQ(0, sv_stat(j->id, &ds)) TH_LOG("the killed job's segment %d is gone", j->id);
	EXPECT_EQ(0UL, ds.shm_nattch);
	ASSERT_EQ(0, shmctl(j->id, IPC_RMID, NULL));
	EXPECT_TRUE(sv_gone(j->id));
	if (sv_how & SV_KEYED)
		EXPECT_EQ(-ENOENT, sv_find_key());
}

/* The image's record of the pair's segment, as the root made it. */
static void sv_expect_record(struct __test_metadata *_metadata, const struct sv_job *j,
			     const struct sv_image *si)
{
	EXPECT_EQ(1, si->nr_shm) TH_LOG("the segment is saved %d times", si->nr_shm);
	EXPECT_EQ(2, si->nr_vmas);
	EXPECT_EQ(0, si->nr_rdonly);
	EXPECT_EQ(j->id, si->shm.shmid);
	EXPECT_EQ(j->before.shm_perm.__key, si->shm.key);
	EXPECT_EQ(j->before.shm_perm.mode & 0777, si->shm.mode);
	EXPECT_EQ(SV_SIZE, si->shm.size);
	/* The page never touched is a hole. */
	EXPECT_EQ(SV_PAGES - 1ULL, si->shm.nr_pages);
	EXPECT_EQ(j->before.shm_perm.uid, si->shm.uid);
	EXPECT_EQ(j->before.shm_perm.cuid, si->shm.cuid);
	EXPECT_EQ(j->before.shm_atime, si->shm.atime);
	EXPECT_EQ(j->before.shm_dtime, si->shm.dtime);
	EXPECT_EQ(j->before.shm_ctime, si->shm.ctime);
	EXPECT_EQ(sv_how & SV_RMID ? CKPT_SHM_REMOVED : 0U, si->shm.flags);
}

/* --------------------------------------------------------------------
 * Saved and restored
 */

TEST(private_segment_shared_by_a_parent_and_its_helper)
{
	struct sv_image si;
	struct shmid_ds ds;
	struct sv_job j;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, 0, &j);
	sv_checkpoint_kill(_metadata, &j);
	ASSERT_EQ(0, sv_image_read(j.fd, &si));
	sv_expect_record(_metadata, &j, &si);
	EXPECT_EQ(IPC_PRIVATE, si.shm.key);
	EXPECT_EQ(0600U, si.shm.mode);

	/* Gone from the namespace, restart makes it again under its id. */
	sv_remove_left_behind(_metadata, &j);
	sv_restart(_metadata, &j);
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_EQ(2UL, ds.shm_nattch);
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);
	sv_wake(_metadata, &j);
	close(j.fd);
	sv_remove(j.id);
}

TEST(keyed_segment_keeps_its_id_key_mode_and_times)
{
	struct sv_image si;
	struct shmid_ds ds;
	struct sv_job j;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED | SV_MODE, &j);
	ASSERT_EQ(0640U, j.before.shm_perm.mode & 0777);
	sv_checkpoint_kill(_metadata, &j);
	ASSERT_EQ(0, sv_image_read(j.fd, &si));
	sv_expect_record(_metadata, &j, &si);
	EXPECT_EQ(sv_key, si.shm.key);
	EXPECT_EQ(0640U, si.shm.mode);

	/* Left behind, found by its key; once removed, made again. */
	EXPECT_EQ(j.id, sv_find_key());
	sv_remove_left_behind(_metadata, &j);
	sv_restart(_metadata, &j);
	EXPECT_EQ(j.id, sv_find_key());
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_EQ(0640U, ds.shm_perm.mode & 0777);
	EXPECT_EQ(j.before.shm_atime, ds.shm_atime);
	EXPECT_EQ(j.before.shm_ctime, ds.shm_ctime);
	sv_wake(_metadata, &j);
	close(j.fd);
	sv_remove(j.id);
}

/* The times the restored segment gets are the image's, whatever the clock says. */
TEST(restored_times_are_the_image_s)
{
	struct ckpt_rec_sysvshm *rec;
	const struct ckpt_hdr *h;
	size_t len = 0, off = 0;
	struct shmid_ds ds;
	struct sv_job j;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED | SV_IMAGE_TIMES, &j);
	sv_checkpoint_kill(_metadata, &j);
	sv_remove_left_behind(_metadata, &j);

	img = ckpt_image_load(j.fd, &len);
	ASSERT_NE(NULL, img);
	h = ckpt_image_next(img, len, &off, CKPT_REC_SYSVSHM);
	ASSERT_NE(NULL, h);
	rec = (struct ckpt_rec_sysvshm *)h;
	rec->atime = SV_OLD_ATIME;
	rec->dtime = SV_OLD_DTIME;
	rec->ctime = SV_OLD_CTIME;
	ASSERT_EQ(0, ckpt_image_resign(img, len));
	ASSERT_EQ(0, ckpt_image_store(j.fd, img, len));
	free(img);

	sv_restart(_metadata, &j);
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_EQ(SV_OLD_ATIME, (long long)ds.shm_atime);
	EXPECT_EQ(SV_OLD_DTIME, (long long)ds.shm_dtime);
	EXPECT_EQ(SV_OLD_CTIME, (long long)ds.shm_ctime);
	sv_wake(_metadata, &j);
	close(j.fd);
	sv_remove(j.id);
}

TEST(segment_removed_while_attached_comes_back_removed)
{
	struct sv_image si;
	struct shmid_ds ds;
	struct sv_job j;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED | SV_RMID, &j);
	ASSERT_TRUE(!!(j.before.shm_perm.mode & SHM_DEST));
	ASSERT_EQ(IPC_PRIVATE, j.before.shm_perm.__key);
	sv_checkpoint_kill(_metadata, &j);
	ASSERT_EQ(0, sv_image_read(j.fd, &si));
	sv_expect_record(_metadata, &j, &si);
	EXPECT_EQ(IPC_PRIVATE, si.shm.key);

	/* It went with the killed job... */
	EXPECT_TRUE(sv_gone(j.id)) TH_LOG("segment %d outlived the job that removed it", j.id);
	EXPECT_EQ(-ENOENT, sv_find_key());

	/* ...and is back, still removed: the restored processes hold it. */
	sv_restart(_metadata, &j);
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_TRUE(!!(ds.shm_perm.mode & SHM_DEST))
		TH_LOG("mode %#o", (unsigned int)ds.shm_perm.mode);
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);
	EXPECT_EQ(2UL, ds.shm_nattch);
	EXPECT_EQ(-ENOENT, sv_find_key());
	sv_wake(_metadata, &j);
	/* Both detached it: gone. */
	EXPECT_TRUE(sv_gone(j.id));
	close(j.fd);
	sv_remove(j.id);
}

/*
 * A segment the killed job left behind, written to meanwhile by the
 * test (which attaches and detaches it): restart takes it back, with
 * the image's contents, the hole a hole again, and its times.
 */
TEST(segment_left_behind_is_taken_back_with_the_image_s_contents)
{
	struct shmid_ds ds;
	struct sv_job j;
	char *p;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED, &j);
	/* Never detached before the checkpoint: the test's detach shows. */
	ASSERT_EQ(0, j.before.shm_dtime);
	sv_checkpoint_kill(_metadata, &j);

	ASSERT_EQ(j.id, sv_find_key());
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_EQ(0UL, ds.shm_nattch);
	p = shmat(j.id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ckpt_fill(p, SV_SIZE, SV_JUNK);
	ASSERT_EQ(0, shmdt(p));
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_NE(0, ds.shm_dtime);

	sv_restart(_metadata, &j);
	/* The same segment, not another one. */
	EXPECT_EQ(j.id, sv_find_key());
	ASSERT_EQ(0, sv_stat(j.id, &ds));
	EXPECT_EQ(2UL, ds.shm_nattch);
	EXPECT_EQ(j.root, ds.shm_cpid);
	EXPECT_EQ(j.before.shm_atime, ds.shm_atime);
	EXPECT_EQ(j.before.shm_dtime, ds.shm_dtime);
	EXPECT_EQ(j.before.shm_ctime, ds.shm_ctime);
	/* The root finds the image's contents, not the test's. */
	sv_wake(_metadata, &j);
	close(j.fd);
	sv_remove(j.id);
}

/* --------------------------------------------------------------------
 * One process, its attachments in several mappings or read-only
 */

#define RO_SEED		71

static int ro_id = -1;
static char *ro_map;
static sigjmp_buf ro_jmp;

static void ro_segv(int sig)
{
	(void)sig;
	siglongjmp(ro_jmp, 1);
}

/* Two pages: page 0 written through a writable attachment, page 1 never touched. */
static int ro_setup(void)
{
	struct map_line ml;
	char *rw;

	ro_id = shmget(sv_key, 2 * PG, IPC_CREAT | IPC_EXCL | 0600);
	CHILD_CHECK(1, ro_id >= 0, "shmget: %s", strerror(errno));
	rw = shmat(ro_id, NULL, 0);
	CHILD_CHECK(1, rw != (void *)-1, "shmat: %s", strerror(errno));
	ckpt_fill(rw, PG, RO_SEED);
	CHILD_CHECK(1, !shmdt(rw), "shmdt: %s", strerror(errno));
	ro_map = shmat(ro_id, NULL, SHM_RDONLY);
	CHILD_CHECK(2, ro_map != (void *)-1, "shmat(SHM_RDONLY): %s", strerror(errno));
	CHILD_CHECK(3, !map_line_of(ro_map, &ml) && !strcmp(ml.perms, "r--s"), "perms %s",
		    ml.perms);
	return 0;
}

static int ro_verify(void)
{
	struct sigaction sa, old;
	struct shmid_ds ds;
	struct map_line ml;
	int faulted;
	long bad;

	bad = ckpt_check_fill(ro_map, PG, RO_SEED);
	CHILD_CHECK(10, bad < 0, "page 0: word %ld", bad);
	CHILD_CHECK(10, ckpt_all_zero(ro_map + PG, PG), "page 1 is not zero");
	CHILD_CHECK(11, !map_line_of(ro_map, &ml) && ml.start == (unsigned long)ro_map &&
		    ml.end == (unsigned long)ro_map + 2 * PG && !strcmp(ml.perms, "r--s") &&
		    !strncmp(ml.path, "/SYSV", 5), "mapping %#lx-%#lx %s %s", ml.start, ml.end,
		    ml.perms, ml.path);

	/* Attached read-only: it cannot be made writable... */
	CHILD_CHECK(12, mprotect(ro_map, 2 * PG, PROT_READ | PROT_WRITE) == -1 &&
		    errno == EACCES, "mprotect(PROT_WRITE): %s", strerror(errno));
	/* ...and a store faults. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ro_segv;
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(13, !sigaction(SIGSEGV, &sa, &old), "sigaction: %s", strerror(errno));
	faulted = sigsetjmp(ro_jmp, 1);
	if (!faulted)
		__atomic_store_n(ro_map, 'x', __ATOMIC_RELAXED);
	sigaction(SIGSEGV, &old, NULL);
	CHILD_CHECK(13, faulted, "a store to the read-only attachment did not fault");
	bad = ckpt_check_fill(ro_map, PG, RO_SEED);
	CHILD_CHECK(14, bad < 0, "page 0 changed: word %ld", bad);

	CHILD_CHECK(15, !shmctl(ro_id, IPC_STAT, &ds) && ds.shm_nattch == 1,
		    "%lu attaches (%s)", (unsigned long)ds.shm_nattch, strerror(errno));
	CHILD_CHECK(16, !shmdt(ro_map), "shmdt: %s", strerror(errno));
	CHILD_CHECK(16, !page_mapped(ro_map) && !page_mapped(ro_map + PG), "still mapped");
	CHILD_CHECK(16, !shmctl(ro_id, IPC_STAT, &ds) && ds.shm_nattch == 0,
		    "%lu attaches after shmdt", (unsigned long)ds.shm_nattch);
	return 0;
}

TEST(read_only_attachment_stays_read_only)
{
	struct sv_image si;
	pid_t child;
	int id = -1, fd;

	if (!ckpt_preamble(_metadata))
		return;
	sv_set_key();
	child = ckpt_spawn(ro_setup, ro_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_peek(child, &ro_id, &id, sizeof(id))) {
		ckpt_kill_reap(child);
	}
	fd = ckpt_image_open();
	ASSERT_LE(0, fd) {
		ckpt_kill_reap(child);
	}
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		sv_remove(id);
	}
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(0, sv_image_read(fd, &si));
	EXPECT_EQ(1, si.nr_shm);
	EXPECT_EQ(1, si.nr_vmas);
	EXPECT_EQ(1, si.nr_rdonly) TH_LOG("the mapping is not marked CKPT_VMA_SHM_RDONLY");
	EXPECT_EQ(1ULL, si.shm.nr_pages);

	/* Made again, not taken back. */
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(child, ckpt_restart_as(fd, child, 0));
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
	sv_remove(id);
}

/*
 * Attachment A of four pages, its page 1 made read-only (three
 * mappings); attachment B of the same segment, its page 0 unmapped (one
 * mapping, at offset one page).  shm_nattch counts the four mappings.
 */
#define SP_SEED		81

static int sp_id = -1;
static char *sp_a, *sp_b;
static unsigned long sp_nattch;

static void sp_expect_mapping(int code, const char *p, unsigned long len, const char *perms)
{
	struct map_line ml;

	CHILD_CHECK(code, !map_line_of(p, &ml), "%p is not mapped", p);
	CHILD_CHECK(code, ml.start == (unsigned long)p && ml.end == (unsigned long)p + len &&
		    !strcmp(ml.perms, perms) && !strncmp(ml.path, "/SYSV", 5),
		    "mapping %#lx-%#lx %s %s, expected %p, %lu bytes, %s", ml.start, ml.end,
		    ml.perms, ml.path, p, len, perms);
}

static void sp_expect_mappings(int code)
{
	sp_expect_mapping(code, sp_a, PG, "rw-s");
	sp_expect_mapping(code, sp_a + PG, PG, "r--s");
	sp_expect_mapping(code, sp_a + 2 * PG, 2 * PG, "rw-s");
	sp_expect_mapping(code, sp_b + PG, 3 * PG, "rw-s");
}

static unsigned long sp_attaches(int code)
{
	struct shmid_ds ds;

	CHILD_CHECK(code, !shmctl(sp_id, IPC_STAT, &ds), "IPC_STAT: %s", strerror(errno));
	return ds.shm_nattch;
}

static int sp_setup(void)
{
	sp_id = shmget(sv_key, 4 * PG, IPC_CREAT | IPC_EXCL | 0600);
	CHILD_CHECK(1, sp_id >= 0, "shmget: %s", strerror(errno));
	sp_a = shmat(sp_id, NULL, 0);
	CHILD_CHECK(1, sp_a != (void *)-1, "shmat: %s", strerror(errno));
	ckpt_fill(sp_a, 4 * PG, SP_SEED);
	CHILD_CHECK(2, !mprotect(sp_a + PG, PG, PROT_READ), "mprotect: %s", strerror(errno));
	sp_b = shmat(sp_id, NULL, 0);
	CHILD_CHECK(3, sp_b != (void *)-1, "shmat: %s", strerror(errno));
	CHILD_CHECK(3, !munmap(sp_b, PG), "munmap: %s", strerror(errno));
	sp_expect_mappings(4);
	sp_nattch = sp_attaches(5);
	CHILD_CHECK(5, sp_nattch == 4, "%lu attaches for four mappings", sp_nattch);
	return 0;
}

static int sp_verify(void)
{
	unsigned long n;
	long bad;
	int i;

	sp_expect_mappings(10);
	bad = ckpt_check_fill(sp_a, 4 * PG, SP_SEED);
	CHILD_CHECK(11, bad < 0, "A: word %ld", bad);
	CHILD_CHECK(11, !memcmp(sp_b + PG, sp_a + PG, 3 * PG), "B differs from A");
	n = sp_attaches(12);
	CHILD_CHECK(12, n == sp_nattch, "%lu attaches, were %lu", n, sp_nattch);
	/* One segment: a store through B shows through A. */
	memcpy(sp_b + 2 * PG, "through B", 10);
	CHILD_CHECK(13, !memcmp(sp_a + 2 * PG, "through B", 10), "A does not see B's store");

	/* shmdt(A) detaches its three mappings, and only them. */
	CHILD_CHECK(14, !shmdt(sp_a), "shmdt(A): %s", strerror(errno));
	for (i = 0; i < 4; i++)
		CHILD_CHECK(15, !page_mapped(sp_a + i * PG), "page %d of A still mapped", i);
	CHILD_CHECK(16, page_mapped(sp_b + PG) && !memcmp(sp_b + 2 * PG, "through B", 10),
		    "B went with A");
	n = sp_attaches(17);
	CHILD_CHECK(17, n == sp_nattch - 3, "%lu attaches after shmdt(A)", n);

	/* shmdt(B), whose page 0 is not mapped, detaches the rest. */
	CHILD_CHECK(18, !shmdt(sp_b), "shmdt(B): %s", strerror(errno));
	for (i = 1; i < 4; i++)
		CHILD_CHECK(19, !page_mapped(sp_b + i * PG), "page %d of B still mapped", i);
	n = sp_attaches(20);
	CHILD_CHECK(20, n == 0, "%lu attaches after shmdt(B)", n);
	return 0;
}

TEST(split_and_partly_unmapped_attachments_are_detached_whole)
{
	struct sv_image si;
	struct shmid_ds ds;
	unsigned long nattch = 0;
	pid_t child;
	int id = -1, fd;

	if (!ckpt_preamble(_metadata))
		return;
	sv_set_key();
	child = ckpt_spawn(sp_setup, sp_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_peek(child, &sp_id, &id, sizeof(id))) {
		ckpt_kill_reap(child);
	}
	ASSERT_EQ(0, ckpt_peek(child, &sp_nattch, &nattch, sizeof(nattch))) {
		ckpt_kill_reap(child);
	}
	fd = ckpt_image_open();
	ASSERT_LE(0, fd) {
		ckpt_kill_reap(child);
	}
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		sv_remove(id);
	}
	EXPECT_EQ(128 + SIGKILL, ckpt_reap(child));
	ASSERT_EQ(0, sv_image_read(fd, &si));
	EXPECT_EQ(1, si.nr_shm);
	EXPECT_EQ(4, si.nr_vmas);
	EXPECT_EQ(4ULL, si.shm.nr_pages);

	/* Left behind, taken back. */
	ASSERT_EQ(0, sv_stat(id, &ds));
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_EQ(child, ckpt_restart_as(fd, child, 0));
	ASSERT_EQ(0, sv_stat(id, &ds));
	EXPECT_EQ(nattch, ds.shm_nattch);
	EXPECT_EQ(0, ckpt_wake_reap(child));
	close(fd);
	sv_remove(id);
}

/* --------------------------------------------------------------------
 * Refused at restart, leaving nothing behind
 */

/*
 * Nothing of the job: none of its pids exists (but @except, which the
 * test holds), and no child of ours but that one, nor one to reap.
 */
static void sv_expect_no_job(struct __test_metadata *_metadata, const struct sv_job *j,
			     pid_t except)
{
	int i;

	for (i = 0; i < j->n; i++)
		if (j->m[i].pid != except)
			EXPECT_FALSE(ckpt_pid_exists(j->m[i].pid))
				TH_LOG("pid %d of the job exists", j->m[i].pid);
	EXPECT_GE(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(except ? 1 : 0, ckpt_children_of(0, NULL, 0));
}

TEST(restart_refused_when_another_segment_has_the_key)
{
	char log[4096], what[96];
	struct shmid_ds ds;
	struct sv_job j;
	int other;
	pid_t got;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED, &j);
	sv_checkpoint_kill(_metadata, &j);
	sv_remove_left_behind(_metadata, &j);
	other = shmget(sv_key, PG, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_LE(0, other);
	EXPECT_NE(j.id, other);

	got = ckpt_restart_log(j.fd, log, sizeof(log));
	EXPECT_EQ(EEXIST, errno) TH_LOG("restart: %s", strerror(errno));
	EXPECT_EQ(-1, got) {
		if (got > 0)
			ckpt_kill_reap(got);
	}
	TH_LOG("log: %s", log);
	snprintf(what, sizeof(what), "System V shared memory segment %d (key %#x)", j.id,
		 sv_key);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not name %s", what);
	sv_expect_no_job(_metadata, &j, 0);
	/* The other segment is untouched, and no segment has the old id. */
	EXPECT_EQ(other, sv_find_key());
	ASSERT_EQ(0, sv_stat(other, &ds));
	EXPECT_EQ(PG, ds.shm_segsz);
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_TRUE(sv_gone(j.id));

	/* The other one removed, the same image restarts. */
	ASSERT_EQ(0, shmctl(other, IPC_RMID, NULL));
	sv_restart(_metadata, &j);
	EXPECT_EQ(j.id, sv_find_key());
	sv_wake(_metadata, &j);
	close(j.fd);
	sv_remove(j.id);
}

/*
 * The root is restored first and makes the segment; the helper's pid is
 * taken, so the restart fails then: the segment it made goes too.
 */
TEST(failed_restart_removes_the_segment_it_made)
{
	struct sv_image si;
	char log[4096];
	struct sv_job j;
	pid_t holder, got;
	int wfd = -1;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED, &j);
	sv_checkpoint_kill(_metadata, &j);
	ASSERT_EQ(0, sv_image_read(j.fd, &si));
	ASSERT_EQ(2, si.nr_tasks);
	ASSERT_EQ(j.root, si.first_task);
	ASSERT_TRUE(si.shm_before_second_task) TH_LOG("the segment is not the first process's");
	sv_remove_left_behind(_metadata, &j);

	holder = hold_pid(j.helper, &wfd);
	ASSERT_EQ(j.helper, holder);
	got = ckpt_restart_log(j.fd, log, sizeof(log));
	EXPECT_EQ(EBUSY, errno) TH_LOG("restart: %s", strerror(errno));
	EXPECT_EQ(-1, got) {
		if (got > 0)
			ckpt_kill_reap(got);
	}
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "PID ", j.helper)) TH_LOG("the helper's pid is not named");
	sv_expect_no_job(_metadata, &j, j.helper);
	/* No segment under its id or key. */
	EXPECT_TRUE(sv_gone(j.id)) TH_LOG("segment %d outlived the failed restart: %s", j.id,
					  strerror(sv_stat(j.id, NULL)));
	EXPECT_EQ(-ENOENT, sv_find_key());

	/* The pid free again, the same image restarts. */
	close(wfd);
	EXPECT_EQ(0, ckpt_reap(holder));
	sv_restart(_metadata, &j);
	sv_wake(_metadata, &j);
	close(j.fd);
	sv_remove(j.id);
}

/* --------------------------------------------------------------------
 * Refused at checkpoint, the job running on
 */

/*
 * The parent and its helper checkpointed each alone (CKPT_PROCESS): the
 * other one, outside the job, attaches the segment too.
 */
TEST(refused_segment_attached_outside_the_job)
{
	char log[4096], what[96];
	struct sv_job j;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED, &j);
	snprintf(what, sizeof(what), "System V shared memory segment %d (key %#x)", j.id,
		 sv_key);

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(j.helper, CKPT_PROCESS | CKPT_KILL, log,
					     sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not name %s", what);
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "pid ", j.root))
		TH_LOG("the outside process, pid %d, is not named", (int)j.root);
	EXPECT_EQ(0, ckpt_job_intact(j.m, j.n, "S"));

	EXPECT_EQ(EBUSY, ckpt_checkpoint_log(j.root, CKPT_PROCESS | CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not name %s", what);
	EXPECT_NE(NULL, strstr(log, "outside the job"));
	EXPECT_TRUE(ckpt_log_has(log, "pid ", j.helper))
		TH_LOG("the outside process, pid %d, is not named", (int)j.helper);

	/* Both still there, the segment as it was (its times and attaches too). */
	EXPECT_EQ(0, ckpt_job_intact(j.m, j.n, "S"));
	EXPECT_EQ(0, ckpt_sleeper_intact(j.root));
	EXPECT_EQ(0, ckpt_job_gone(j.m, j.n, 10000));
	sv_remove(j.id);
}

TEST(refused_segment_locked_with_shm_lock)
{
	char log[4096], what[96];
	struct sv_job j;

	if (!ckpt_preamble(_metadata))
		return;
	sv_start(_metadata, SV_KEYED | SV_LOCK, &j);
	ASSERT_TRUE(!!(j.before.shm_perm.mode & SHM_LOCKED));
	snprintf(what, sizeof(what), "System V shared memory segment %d (key %#x)", j.id,
		 sv_key);

	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(j.root, CKPT_TREE | CKPT_KILL, log,
						  sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("the log does not name %s", what);
	EXPECT_NE(NULL, strstr(log, "SHM_LOCK")) TH_LOG("the log does not say SHM_LOCK");

	EXPECT_EQ(0, ckpt_job_intact(j.m, j.n, "S"));
	EXPECT_EQ(0, ckpt_sleeper_intact(j.root));
	EXPECT_EQ(0, ckpt_job_gone(j.m, j.n, 10000));
	sv_remove(j.id);
}

TEST_HARNESS_MAIN
