// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: the address space of a process.
 *
 * Each test forks a child that builds some memory state, checkpoints
 * it, kills it, restarts the image and lets the restored copy check its
 * own memory (see ckpt_test.h): malloc'ed heap, the brk area (and that
 * brk still works), deep stack frames, anonymous mappings with holes, a
 * sparse and a fully populated 256 MiB region, mprotect()ed ranges
 * (protection really enforced), private file mappings (COW pages from
 * the image, the rest from the file), pages of zeroes (left out of the
 * image if anonymous, kept if copy-on-write pages of a file), shared
 * file mappings (still writing to the file), /proc/self/maps unchanged,
 * and the vDSO.
 *
 * Locked memory and advice: an mlock()ed range comes back locked (its
 * neighbours not), mlockall(MCL_CURRENT | MCL_FUTURE) is kept, each
 * madvise() flag (DONTDUMP, DONTFORK, WIPEONFORK, and HUGEPAGE,
 * NOHUGEPAGE, MERGEABLE where the kernel has them) is set again and
 * acts in a child forked after restart; locking on fault is refused at
 * checkpoint; a locked mapping or mlockall(MCL_FUTURE) that the
 * process's own RLIMIT_MEMLOCK (without CAP_IPC_LOCK) does not allow
 * fails the restart.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <linux/auxvec.h>
#include <linux/capability.h>
#include <linux/elf.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define PG		4096UL
#define MiB		(1024 * 1024UL)

/* A file in /tmp that the test creates and the child maps. */
static char mm_path[128];

static void set_mm_path(const char *what)
{
	snprintf(mm_path, sizeof(mm_path), "/tmp/ckpt-mm-%s-%d", what,
		 (int)getpid());
}

/* Create @path with @pages pages, page p filled with seed @seed + p. */
static int make_file(const char *path, size_t pages, uint64_t seed)
{
	static uint64_t page[PG / 8];
	size_t p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (p = 0; p < pages; p++) {
		ckpt_fill(page, PG, seed + p);
		if (ckpt_write_all(fd, page, PG)) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* Is the page at @p all zero? */
static bool page_is_zero(const void *p)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < PG / 8; i++)
		if (w[i])
			return false;
	return true;
}

/*
 * The line of /proc/self/maps that covers @addr: its permissions, offset
 * and path.  Returns 0, or -1 if no mapping covers @addr.
 */
static int maps_lookup(const void *addr, char perms[8], unsigned long *off,
		       char *path, size_t pathlen)
{
	static char maps[131072];
	unsigned long a = (unsigned long)addr;
	char *line, *end;

	if (ckpt_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return -1;
	for (line = maps; *line; line = end + 1) {
		unsigned long start, stop, o;
		int path_off = 0;

		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &start, &stop,
			   perms, &o, &path_off) < 4)
			continue;
		if (a < start || a >= stop)
			continue;
		if (off)
			*off = o;
		if (path)
			snprintf(path, pathlen, "%s",
				 path_off ? line + path_off : "");
		return 0;
	}
	return -1;
}

/* Start address of the mapping named @name ("[heap]", "[vdso]"...). */
static unsigned long maps_find_named(const char *name, unsigned long *endp)
{
	static char maps[131072];
	char *line, *end;

	if (ckpt_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return 0;
	for (line = maps; *line; line = end + 1) {
		unsigned long start, stop;
		int path_off = 0;

		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &stop,
			   &path_off) < 2 || !path_off)
			continue;
		if (!strcmp(line + path_off, name)) {
			if (endp)
				*endp = stop;
			return start;
		}
	}
	return 0;
}

/* --------------------------------------------------------------------
 * Faulting probes
 */

static sigjmp_buf probe_env;

static void probe_handler(int sig)
{
	siglongjmp(probe_env, sig);
}

/* Access @addr; returns 0 if it worked, the signal number if it faulted. */
static int probe(char *addr, bool write)
{
	struct sigaction sa, old_segv, old_bus;
	char c;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	ret = sigsetjmp(probe_env, 1);
	if (ret == 0) {
		c = __atomic_load_n(addr, __ATOMIC_RELAXED);
		if (write)
			__atomic_store_n(addr, c, __ATOMIC_RELAXED);
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return ret;
}

/* --------------------------------------------------------------------
 * Heap
 */

#define HEAP_BIG	(8 * MiB)
#define HEAP_SMALL_N	512

static uint64_t *heap_big;
static uint64_t *heap_small[HEAP_SMALL_N];

static size_t heap_small_size(int i)
{
	return 64 + (i % 32) * 64;
}

static int heap_setup(void)
{
	int i;

	heap_big = malloc(HEAP_BIG);
	CHILD_CHECK(1, heap_big, "malloc(8 MiB)");
	ckpt_fill(heap_big, HEAP_BIG, 1);
	for (i = 0; i < HEAP_SMALL_N; i++) {
		heap_small[i] = malloc(heap_small_size(i));
		CHILD_CHECK(1, heap_small[i], "malloc(%zu)", heap_small_size(i));
		ckpt_fill(heap_small[i], heap_small_size(i), 1000 + i);
	}
	/* Leave some holes in malloc's free lists. */
	for (i = 0; i < HEAP_SMALL_N; i += 3) {
		free(heap_small[i]);
		heap_small[i] = NULL;
	}
	return 0;
}

static int heap_verify(void)
{
	uint64_t *p;
	long bad;
	int i;

	bad = ckpt_check_fill(heap_big, HEAP_BIG, 1);
	CHILD_CHECK(2, bad < 0, "8 MiB block: word %ld differs", bad);
	for (i = 0; i < HEAP_SMALL_N; i++) {
		if (!heap_small[i])
			continue;
		bad = ckpt_check_fill(heap_small[i], heap_small_size(i),
				      1000 + i);
		CHILD_CHECK(3, bad < 0, "small block %d: word %ld differs", i,
			    bad);
	}
	/* malloc's own data must be intact too. */
	for (i = 0; i < HEAP_SMALL_N; i++)
		free(heap_small[i]);
	free(heap_big);
	p = malloc(HEAP_BIG);
	CHILD_CHECK(4, p, "malloc(8 MiB) after restart");
	ckpt_fill(p, HEAP_BIG, 5);
	bad = ckpt_check_fill(p, HEAP_BIG, 5);
	CHILD_CHECK(5, bad < 0, "new block: word %ld", bad);
	free(p);
	for (i = 0; i < HEAP_SMALL_N; i++) {
		heap_small[i] = malloc(heap_small_size(i));
		CHILD_CHECK(6, heap_small[i], "small malloc after restart");
		ckpt_fill(heap_small[i], heap_small_size(i), i);
	}
	for (i = 0; i < HEAP_SMALL_N; i++) {
		bad = ckpt_check_fill(heap_small[i], heap_small_size(i), i);
		CHILD_CHECK(7, bad < 0, "new small block %d: word %ld", i, bad);
		free(heap_small[i]);
	}
	return 0;
}

TEST(heap_blocks_keep_contents_and_malloc_still_works)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(heap_setup, heap_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
	EXPECT_FALSE(ckpt_have_children());
}

/* --------------------------------------------------------------------
 * brk
 */

#define BRK_GROW	MiB
#define BRK_MORE	(256 * 1024UL)

static char *brk0, *brk1;
/* startcode, endcode, startstack, start_data..env_end of /proc/self/stat */
static const int brk_stat_fields[] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };
#define NR_BRK_FIELDS	ARRAY_SIZE(brk_stat_fields)
static unsigned long long brk_stat_before[NR_BRK_FIELDS];

static int brk_setup(void)
{
	size_t i;

	brk0 = sbrk(0);
	CHILD_CHECK(1, brk0 != (void *)-1, "sbrk(0)");
	CHILD_CHECK(1, sbrk(BRK_GROW) == brk0, "sbrk(1 MiB)");
	brk1 = sbrk(0);
	CHILD_CHECK(1, brk1 == brk0 + BRK_GROW, "break at %p", brk1);
	ckpt_fill(brk0, BRK_GROW, 2);
	for (i = 0; i < NR_BRK_FIELDS; i++)
		CHILD_CHECK(1, !ckpt_proc_stat_field(0, brk_stat_fields[i],
						     &brk_stat_before[i]),
			    "stat field %d", brk_stat_fields[i]);
	return 0;
}

static int brk_verify(void)
{
	unsigned long long val;
	char perms[8], path[64];
	char *p;
	long bad;
	size_t i;

	CHILD_CHECK(2, sbrk(0) == brk1, "break %p, expected %p", sbrk(0), brk1);
	bad = ckpt_check_fill(brk0, BRK_GROW, 2);
	CHILD_CHECK(3, bad < 0, "brk area word %ld differs", bad);
	for (i = 0; i < NR_BRK_FIELDS; i++) {
		CHILD_CHECK(4, !ckpt_proc_stat_field(0, brk_stat_fields[i], &val),
			    "stat field %d", brk_stat_fields[i]);
		CHILD_CHECK(5, val == brk_stat_before[i],
			    "/proc/self/stat field %d: %#llx, was %#llx",
			    brk_stat_fields[i], val, brk_stat_before[i]);
	}
	/*
	 * The mapping that ends at the break is the heap.  (After fork(),
	 * brk() growth is a mapping of its own: look at the last one.)
	 */
	CHILD_CHECK(6, !maps_lookup(brk1 - 1, perms, NULL, path, sizeof(path)),
		    "break not mapped");
	CHILD_CHECK(7, !strcmp(path, "[heap]") && !strcmp(perms, "rw-p"),
		    "mapping below the break: %s %s", perms, path);
	CHILD_CHECK(7, !maps_lookup((char *)(((unsigned long)brk1 + PG - 1) &
					     ~(PG - 1)) - 1, perms, NULL, path,
				    sizeof(path)) && !strcmp(path, "[heap]"),
		    "last page of the heap: %s", path);
	CHILD_CHECK(7, maps_lookup((char *)(((unsigned long)brk1 + PG - 1) &
					    ~(PG - 1)), perms, NULL, path,
				   sizeof(path)) < 0 || strcmp(path, "[heap]"),
		    "[heap] goes on past the break %p", brk1);

	/* Growing, using and shrinking the break still works. */
	p = sbrk(BRK_MORE);
	CHILD_CHECK(8, p == brk1, "sbrk(256 KiB) = %p, expected %p", p, brk1);
	ckpt_fill(p, BRK_MORE, 3);
	bad = ckpt_check_fill(p, BRK_MORE, 3);
	CHILD_CHECK(9, bad < 0, "new brk memory word %ld", bad);
	CHILD_CHECK(10, sbrk(0) == brk1 + BRK_MORE, "break %p", sbrk(0));
	CHILD_CHECK(11, brk(brk1) == 0, "brk(shrink): %s", strerror(errno));
	CHILD_CHECK(12, sbrk(0) == brk1, "break %p after shrinking", sbrk(0));
	bad = ckpt_check_fill(brk0, BRK_GROW, 2);
	CHILD_CHECK(13, bad < 0, "brk area word %ld after shrink", bad);
	return 0;
}

TEST(brk_area_keeps_contents_and_still_moves)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(brk_setup, brk_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Stack
 */

#define STACK_BIG_WORDS	(64 * 1024)	/* 512 KiB */
#define STACK_FRAMES	200
#define FRAME_WORDS	256		/* 2 KiB a frame */

/* Keep the compiler from knowing what is in @p: it has to be in memory. */
static void opaque(void *p)
{
	asm volatile("" : : "r"(p) : "memory");
}

static int stack_recurse(int depth)
{
	uint64_t frame[FRAME_WORDS];
	int ret, i;

	for (i = 0; i < FRAME_WORDS; i++)
		frame[i] = ckpt_pattern(depth, i);
	opaque(frame);
	if (depth == 0) {
		ckpt_child_wait();
		ret = 0;
	} else {
		ret = stack_recurse(depth - 1);
	}
	opaque(frame);
	if (ret)
		return ret;
	for (i = 0; i < FRAME_WORDS; i++)
		CHILD_CHECK(2, frame[i] == ckpt_pattern(depth, i),
			    "frame at depth %d, word %d", depth, i);
	return 0;
}

static int stack_main(void)
{
	uint64_t big[STACK_BIG_WORDS];
	int i, ret;

	for (i = 0; i < STACK_BIG_WORDS; i++)
		big[i] = ckpt_pattern(4, i);
	opaque(big);
	ret = stack_recurse(STACK_FRAMES);
	opaque(big);
	if (ret)
		return ret;
	for (i = 0; i < STACK_BIG_WORDS; i++)
		CHILD_CHECK(3, big[i] == ckpt_pattern(4, i),
			    "stack array word %d", i);
	return 0;
}

TEST(stack_array_and_deep_call_chain_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(stack_main);
	ASSERT_GT(child, 0);
	ASSERT_EQ('S', ckpt_wait_state(child, "S", 10000));
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Anonymous mappings with holes
 */

#define HOLES_PAGES	32
#define HOLES_FILLED	25	/* pages 25.. are never touched */

static char *holes;

static bool holes_is_hole(int p)
{
	return (p >= 5 && p <= 7) || p == 12 || p == 20 || p == 21;
}

static int holes_setup(void)
{
	int p;

	holes = mmap(NULL, HOLES_PAGES * PG, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, holes != MAP_FAILED, "mmap: %s", strerror(errno));
	for (p = 0; p < HOLES_FILLED; p++)
		ckpt_fill(holes + p * PG, PG, 100 + p);
	for (p = 0; p < HOLES_PAGES; p++)
		if (holes_is_hole(p))
			CHILD_CHECK(1, !munmap(holes + p * PG, PG), "munmap");
	return 0;
}

static int holes_verify(void)
{
	unsigned char vec;
	long bad;
	int p;

	for (p = 0; p < HOLES_PAGES; p++) {
		char *page = holes + p * PG;

		if (holes_is_hole(p)) {
			CHILD_CHECK(2, mincore(page, PG, &vec) < 0 &&
				    errno == ENOMEM,
				    "page %d should be unmapped", p);
			continue;
		}
		CHILD_CHECK(3, mincore(page, PG, &vec) == 0,
			    "page %d should be mapped: %s", p, strerror(errno));
		if (p < HOLES_FILLED) {
			bad = ckpt_check_fill(page, PG, 100 + p);
			CHILD_CHECK(4, bad < 0, "page %d word %ld", p, bad);
		} else {
			CHILD_CHECK(5, page_is_zero(page),
				    "untouched page %d is not zero", p);
		}
	}
	/* Still writable. */
	for (p = 0; p < HOLES_PAGES; p++)
		if (!holes_is_hole(p))
			CHILD_CHECK(6, probe(holes + p * PG, true) == 0,
				    "page %d not writable", p);
	return 0;
}

TEST(anon_mappings_keep_holes_and_contents)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(holes_setup, holes_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * 256 MiB regions
 */

#define BIG_SIZE	(256 * MiB)
#define BIG_PAGES	(BIG_SIZE / PG)
#define SPARSE_STRIDE	(MiB / PG)	/* one touched page per MiB */

static char *big;

static int sparse_setup(void)
{
	size_t p;

	big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHILD_CHECK(1, big != MAP_FAILED, "mmap(256 MiB): %s", strerror(errno));
	for (p = 0; p < BIG_PAGES; p += SPARSE_STRIDE)
		ckpt_fill(big + p * PG, PG, 7000 + p);
	return 0;
}

static int sparse_verify(void)
{
	long bad;
	size_t p;

	for (p = 0; p < BIG_PAGES; p += SPARSE_STRIDE) {
		bad = ckpt_check_fill(big + p * PG, PG, 7000 + p);
		CHILD_CHECK(2, bad < 0, "page %zu word %ld", p, bad);
		if (p + 1 < BIG_PAGES)
			CHILD_CHECK(3, page_is_zero(big + (p + 1) * PG),
				    "page %zu should be zero", p + 1);
	}
	/* A sample of the untouched pages. */
	for (p = 5; p < BIG_PAGES; p += 13)
		if (p % SPARSE_STRIDE)
			CHILD_CHECK(4, page_is_zero(big + p * PG),
				    "page %zu should be zero", p);
	return 0;
}

TEST(sparse_256mib_region_keeps_touched_pages_and_zeroes)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(sparse_setup, sparse_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

static const size_t full_pages[] = { 0, 1000, 30000, BIG_PAGES - 1 };

static int full_setup(void)
{
	size_t p, i;

	big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHILD_CHECK(1, big != MAP_FAILED, "mmap(256 MiB): %s", strerror(errno));
	/* One word in every page makes every page part of the image. */
	for (p = 0; p < BIG_PAGES; p++)
		*(uint64_t *)(big + p * PG + (p % 512) * 8) = ckpt_pattern(3, p);
	for (i = 0; i < ARRAY_SIZE(full_pages); i++)
		ckpt_fill(big + full_pages[i] * PG, PG, 400 + full_pages[i]);
	return 0;
}

static int full_verify(void)
{
	size_t p, i;
	long bad;

	for (i = 0; i < ARRAY_SIZE(full_pages); i++) {
		p = full_pages[i];
		bad = ckpt_check_fill(big + p * PG, PG, 400 + p);
		CHILD_CHECK(2, bad < 0, "full page %zu word %ld", p, bad);
		ckpt_fill(big + p * PG, PG, 0);
		*(uint64_t *)(big + p * PG + (p % 512) * 8) = ckpt_pattern(3, p);
	}
	for (p = 0; p < BIG_PAGES; p++) {
		uint64_t *w = (uint64_t *)(big + p * PG);
		size_t k = p % 512;
		bool full = false;

		for (i = 0; i < ARRAY_SIZE(full_pages); i++)
			full |= full_pages[i] == p;
		if (full)
			continue;
		CHILD_CHECK(3, w[k] == ckpt_pattern(3, p),
			    "page %zu: word %zu is %#llx", p, k,
			    (unsigned long long)w[k]);
		CHILD_CHECK(4, w[(k + 256) % 512] == 0,
			    "page %zu: word %zu should be zero", p,
			    (k + 256) % 512);
	}
	return 0;
}

/* 256 MiB goes through the image twice: give it time under TCG. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
TEST(every_page_of_256mib_region_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(full_setup, full_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/* --------------------------------------------------------------------
 * mprotect()ed ranges
 */

#define MP_PAGES	8

static char *mp;
/* Page 7 is unmapped, so that the range ends with page 6. */
static const int mp_prot[MP_PAGES - 1] = {
	PROT_READ | PROT_WRITE,		/* 0 */
	PROT_READ,			/* 1 */
	PROT_NONE, PROT_NONE,		/* 2, 3 */
	PROT_READ | PROT_EXEC,		/* 4 */
	PROT_READ | PROT_WRITE,		/* 5 */
	PROT_WRITE,			/* 6 */
};

static const char *const mp_perms[MP_PAGES - 1] = {
	"rw-p", "r--p", "---p", "---p", "r-xp", "rw-p", "-w-p",
};

static int mprotect_setup(void)
{
	int p;

	mp = mmap(NULL, MP_PAGES * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, mp != MAP_FAILED, "mmap: %s", strerror(errno));
	for (p = 0; p < MP_PAGES; p++)
		ckpt_fill(mp + p * PG, PG, 200 + p);
	CHILD_CHECK(1, !munmap(mp + 7 * PG, PG), "munmap");
	for (p = 0; p < MP_PAGES - 1; p++)
		CHILD_CHECK(1, !mprotect(mp + p * PG, PG, mp_prot[p]),
			    "mprotect page %d: %s", p, strerror(errno));
	return 0;
}

static int mprotect_verify(void)
{
	char perms[8];
	long bad;
	int p;

	for (p = 0; p < MP_PAGES - 1; p++) {
		CHILD_CHECK(2, !maps_lookup(mp + p * PG, perms, NULL, NULL, 0),
			    "page %d not mapped", p);
		CHILD_CHECK(3, !strcmp(perms, mp_perms[p]),
			    "page %d: perms %s, expected %s", p, perms,
			    mp_perms[p]);
	}
	/* Readable pages read back. */
	for (p = 0; p < MP_PAGES - 1; p++) {
		if (!(mp_prot[p] & PROT_READ))
			continue;
		bad = ckpt_check_fill(mp + p * PG, PG, 200 + p);
		CHILD_CHECK(4, bad < 0, "page %d word %ld", p, bad);
	}
	/* The protection is enforced, not only shown. */
	CHILD_CHECK(5, probe(mp + 1 * PG, true) == SIGSEGV,
		    "writing the read-only page did not fault");
	CHILD_CHECK(6, probe(mp + 2 * PG, false) == SIGSEGV,
		    "reading a PROT_NONE page did not fault");
	CHILD_CHECK(7, probe(mp + 0 * PG, true) == 0, "page 0 not writable");
	CHILD_CHECK(8, maps_lookup(mp + 7 * PG, perms, NULL, NULL, 0) < 0,
		    "page 7 should be unmapped");
	/* The contents of the PROT_NONE and write-only pages survived. */
	CHILD_CHECK(9, !mprotect(mp + 2 * PG, 2 * PG, PROT_READ),
		    "mprotect: %s", strerror(errno));
	CHILD_CHECK(9, !mprotect(mp + 6 * PG, PG, PROT_READ), "mprotect");
	for (p = 2; p < MP_PAGES - 1; p++) {
		bad = ckpt_check_fill(mp + p * PG, PG, 200 + p);
		CHILD_CHECK(10, bad < 0, "page %d word %ld", p, bad);
	}
	return 0;
}

TEST(mprotected_ranges_keep_protection_and_contents)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mprotect_setup, mprotect_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Private file mapping
 */

#define PF_PAGES	8
#define PF_SEED		300
#define PF_COW_SEED	500

static char *pf, *pf_ro;
static uint64_t pf_sum;

static bool pf_is_cow(int p)
{
	return p == 1 || p == 4;
}

static int private_file_setup(void)
{
	uint64_t sum = 0;
	size_t i;
	int fd, p;

	fd = open(mm_path, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(1, fd >= 0, "open %s: %s", mm_path, strerror(errno));
	pf = mmap(NULL, PF_PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		  fd, 0);
	CHILD_CHECK(1, pf != MAP_FAILED, "mmap: %s", strerror(errno));
	pf_ro = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
	CHILD_CHECK(1, pf_ro != MAP_FAILED, "mmap: %s", strerror(errno));
	close(fd);
	/* Read everything (file pages), then modify some (COW). */
	for (i = 0; i < PF_PAGES * PG; i += 512)
		sum += pf[i];
	for (i = 0; i < 3 * PG; i += 512)
		sum += pf_ro[i];
	pf_sum = sum;
	for (p = 0; p < PF_PAGES; p++)
		if (pf_is_cow(p))
			ckpt_fill(pf + p * PG, PG, PF_COW_SEED + p);
	pf[6 * PG + 100] ^= 0xff;
	return 0;
}

static int private_file_verify(void)
{
	char perms[8], path[256], page[PG];
	unsigned long off;
	long bad;
	int p, fd;

	for (p = 0; p < PF_PAGES; p++) {
		char *pp = pf + p * PG;

		if (pf_is_cow(p)) {
			bad = ckpt_check_fill(pp, PG, PF_COW_SEED + p);
			CHILD_CHECK(2, bad < 0, "COW page %d word %ld", p, bad);
			continue;
		}
		if (p == 6)
			pp[100] ^= 0xff;
		bad = ckpt_check_fill(pp, PG, PF_SEED + p);
		if (p == 6)
			pp[100] ^= 0xff;
		CHILD_CHECK(3, bad < 0, "page %d word %ld", p, bad);
	}
	for (p = 0; p < 3; p++) {
		bad = ckpt_check_fill(pf_ro + p * PG, PG, PF_SEED + 2 + p);
		CHILD_CHECK(4, bad < 0, "read-only mapping page %d word %ld", p,
			    bad);
	}
	CHILD_CHECK(5, !maps_lookup(pf, perms, &off, path, sizeof(path)),
		    "mapping gone");
	CHILD_CHECK(6, !strcmp(perms, "rw-p") && off == 0 &&
		    !strcmp(path, mm_path), "maps: %s %lx %s", perms, off, path);
	CHILD_CHECK(5, !maps_lookup(pf_ro, perms, &off, path, sizeof(path)),
		    "read-only mapping gone");
	CHILD_CHECK(7, !strcmp(perms, "r--p") && off == 2 * PG &&
		    !strcmp(path, mm_path), "maps: %s %lx %s", perms, off, path);
	CHILD_CHECK(8, probe(pf_ro, true) == SIGSEGV,
		    "read-only file mapping is writable");

	/* Still private: writes do not reach the file. */
	ckpt_fill(pf, PG, 999);
	fd = open(mm_path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(9, fd >= 0, "open: %s", strerror(errno));
	CHILD_CHECK(9, pread(fd, page, PG, 0) == (ssize_t)PG, "pread");
	close(fd);
	bad = ckpt_check_fill(page, PG, PF_SEED);
	CHILD_CHECK(10, bad < 0, "file changed through a private mapping");
	return 0;
}

TEST(private_file_mapping_keeps_cow_pages_and_file_pages)
{
	char page[PG];
	pid_t child;
	long bad;
	int fd, p;

	if (!ckpt_preamble(_metadata))
		return;
	set_mm_path("private");
	ASSERT_EQ(0, make_file(mm_path, PF_PAGES, PF_SEED));
	child = ckpt_spawn(private_file_setup, private_file_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
	/* The file itself never changed. */
	fd = open(mm_path, O_RDONLY);
	ASSERT_GE(fd, 0);
	for (p = 0; p < PF_PAGES; p++) {
		ASSERT_EQ((ssize_t)PG, pread(fd, page, PG, p * PG));
		bad = ckpt_check_fill(page, PG, PF_SEED + p);
		EXPECT_LT(bad, 0)
			TH_LOG("file page %d changed (word %ld)", p, bad);
	}
	close(fd);
	unlink(mm_path);
}

/* --------------------------------------------------------------------
 * Pages of zeroes
 *
 * A page of a private anonymous mapping that holds only zero bytes is
 * left out of the image: restart leaves it unpopulated, and it reads as
 * zeroes.  A copy-on-write page of a private file mapping is saved even
 * if it is all zero, or the file's contents would come back instead.
 */

#define ZP_PAGES	64
#define ZP_SEED		1600
#define ZP_FILE_PAGES	4
#define ZP_FILE_SEED	1700
#define ZP_FILE_ZERO	1	/* the file mapping's copy-on-write page of zeroes */

static char *zp, *zpf;

/* Anonymous pages 8..39 and 63 get a pattern, then zeroes. */
static bool zp_is_zero(int p)
{
	return (p >= 8 && p <= 39) || p == ZP_PAGES - 1;
}

static int zero_pages_setup(void)
{
	unsigned char vec[ZP_PAGES];
	int fd, p;

	zp = mmap(NULL, ZP_PAGES * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, zp != MAP_FAILED, "mmap: %s", strerror(errno));
	for (p = 0; p < ZP_PAGES; p++)
		ckpt_fill(zp + p * PG, PG, ZP_SEED + p);
	opaque(zp);
	for (p = 0; p < ZP_PAGES; p++)
		if (zp_is_zero(p))
			memset(zp + p * PG, 0, PG);
	opaque(zp);
	/* Every page is in memory: whatever is missing later was left out. */
	CHILD_CHECK(1, !mincore(zp, ZP_PAGES * PG, vec), "mincore: %s",
		    strerror(errno));
	for (p = 0; p < ZP_PAGES; p++)
		CHILD_CHECK(1, vec[p] & 1, "page %d not resident", p);

	fd = open(mm_path, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(1, fd >= 0, "open %s: %s", mm_path, strerror(errno));
	zpf = mmap(NULL, ZP_FILE_PAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE, fd, 0);
	CHILD_CHECK(1, zpf != MAP_FAILED, "mmap: %s", strerror(errno));
	close(fd);
	memset(zpf + ZP_FILE_ZERO * PG, 0, PG);
	opaque(zpf);
	return 0;
}

static int zero_pages_verify(void)
{
	unsigned char vec[ZP_PAGES];
	long bad;
	int p;

	/* Before anything reads them: the pages of zeroes are not there. */
	CHILD_CHECK(2, !mincore(zp, ZP_PAGES * PG, vec), "mincore: %s",
		    strerror(errno));
	for (p = 0; p < ZP_PAGES; p++)
		CHILD_CHECK(3, !zp_is_zero(p) || !(vec[p] & 1),
			    "anonymous page %d of zeroes is resident after restart",
			    p);
	for (p = 0; p < ZP_PAGES; p++) {
		if (zp_is_zero(p)) {
			CHILD_CHECK(4, page_is_zero(zp + p * PG),
				    "anonymous page %d is not zero", p);
			continue;
		}
		bad = ckpt_check_fill(zp + p * PG, PG, ZP_SEED + p);
		CHILD_CHECK(5, bad < 0, "anonymous page %d word %ld", p, bad);
	}
	for (p = 0; p < ZP_FILE_PAGES; p++) {
		if (p == ZP_FILE_ZERO) {
			CHILD_CHECK(6, page_is_zero(zpf + p * PG),
				    "file mapping page %d is not zero", p);
			continue;
		}
		bad = ckpt_check_fill(zpf + p * PG, PG, ZP_FILE_SEED + p);
		CHILD_CHECK(7, bad < 0, "file mapping page %d word %ld", p, bad);
	}
	return 0;
}

TEST(pages_of_zeroes_are_not_written)
{
	bool anon_in[ZP_PAGES] = { false }, file_in[ZP_FILE_PAGES] = { false };
	int zeroes_in = 0, missing = 0, first_in = -1, first_missing = -1;
	int bad_data = 0, fd, p;
	const struct ckpt_rec_pages *rec;
	bool file_zero_data = false;
	unsigned long a, anon, file;
	char *anon_p, *file_p;
	size_t len, off = 0;
	const char *data;
	unsigned int i;
	pid_t child;
	void *img;

	if (!ckpt_preamble(_metadata))
		return;
	set_mm_path("zeroes");
	ASSERT_EQ(0, make_file(mm_path, ZP_FILE_PAGES, ZP_FILE_SEED));
	child = ckpt_spawn(zero_pages_setup, zero_pages_verify);
	ASSERT_GT(child, 0) unlink(mm_path);
	ASSERT_EQ(0, ckpt_peek(child, &zp, &anon_p, sizeof(anon_p))) {
		ckpt_kill_reap(child);
		unlink(mm_path);
	}
	ASSERT_EQ(0, ckpt_peek(child, &zpf, &file_p, sizeof(file_p))) {
		ckpt_kill_reap(child);
		unlink(mm_path);
	}
	anon = (unsigned long)anon_p;
	file = (unsigned long)file_p;

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0) {
		ckpt_kill_reap(child);
		unlink(mm_path);
	}
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		close(fd);
		unlink(mm_path);
	}
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child)) {
		close(fd);
		unlink(mm_path);
	}

	/* Which pages of the two mappings the image holds. */
	img = ckpt_image_load(fd, &len);
	ASSERT_NE(NULL, img) {
		close(fd);
		unlink(mm_path);
	}
	while ((rec = (const struct ckpt_rec_pages *)
			ckpt_image_next(img, len, &off, CKPT_REC_PAGES))) {
		ASSERT_EQ(sizeof(*rec) + (size_t)rec->nr_pages * PG,
			  (size_t)rec->h.len) {
			free(img);
			close(fd);
			unlink(mm_path);
		}
		data = (const char *)(rec + 1);
		for (i = 0; i < rec->nr_pages; i++, data += PG) {
			a = rec->addr + i * PG;
			if (a >= anon && a < anon + ZP_PAGES * PG) {
				p = (a - anon) / PG;
				anon_in[p] = true;
				if (!zp_is_zero(p) &&
				    ckpt_check_fill(data, PG, ZP_SEED + p) >= 0)
					bad_data++;
			} else if (a >= file && a < file + ZP_FILE_PAGES * PG) {
				p = (a - file) / PG;
				file_in[p] = true;
				if (p == ZP_FILE_ZERO)
					file_zero_data = page_is_zero(data);
			}
		}
	}
	free(img);
	for (p = 0; p < ZP_PAGES; p++) {
		if (zp_is_zero(p) && anon_in[p] && zeroes_in++ == 0)
			first_in = p;
		if (!zp_is_zero(p) && !anon_in[p] && missing++ == 0)
			first_missing = p;
	}
	EXPECT_EQ(0, zeroes_in)
		TH_LOG("%d anonymous pages of zeroes are in the image (the first: page %d)",
		       zeroes_in, first_in);
	EXPECT_EQ(0, missing)
		TH_LOG("%d anonymous pages with data are not in the image (the first: page %d)",
		       missing, first_missing);
	EXPECT_EQ(0, bad_data)
		TH_LOG("%d anonymous pages in the image hold other data", bad_data);
	EXPECT_TRUE(file_in[ZP_FILE_ZERO])
		TH_LOG("the file mapping's copy-on-write page of zeroes is not in the image");
	EXPECT_TRUE(file_zero_data)
		TH_LOG("the file mapping's page %d is not zero in the image",
		       ZP_FILE_ZERO);

	/* The restored process checks its memory itself. */
	EXPECT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	if (ckpt_pid_exists(child))
		EXPECT_EQ(0, ckpt_wake_reap(child));
	EXPECT_FALSE(ckpt_have_children());
	unlink(mm_path);
}

/* --------------------------------------------------------------------
 * Shared file mapping
 */

#define SF_PAGES	4

static char *sf;

static int shared_file_setup(void)
{
	int fd;

	fd = open(mm_path, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(1, fd >= 0, "open %s: %s", mm_path, strerror(errno));
	sf = mmap(NULL, SF_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		  fd, 0);
	CHILD_CHECK(1, sf != MAP_FAILED, "mmap: %s", strerror(errno));
	close(fd);
	ckpt_fill(sf, PG, 600);
	CHILD_CHECK(1, !msync(sf, PG, MS_SYNC), "msync");
	return 0;
}

static int shared_file_verify(void)
{
	char perms[8], path[256], page[PG];
	long bad;
	int fd;

	bad = ckpt_check_fill(sf, PG, 600);
	CHILD_CHECK(2, bad < 0, "page 0 word %ld", bad);
	CHILD_CHECK(3, page_is_zero(sf + 3 * PG), "page 3 should be zero");
	CHILD_CHECK(4, !maps_lookup(sf, perms, NULL, path, sizeof(path)),
		    "mapping gone");
	CHILD_CHECK(5, !strcmp(perms, "rw-s") && !strcmp(path, mm_path),
		    "maps: %s %s", perms, path);

	/* Writes through the mapping reach the file... */
	ckpt_fill(sf + PG, PG, 601);
	CHILD_CHECK(6, !msync(sf, SF_PAGES * PG, MS_SYNC), "msync: %s",
		    strerror(errno));
	fd = open(mm_path, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(7, fd >= 0, "open: %s", strerror(errno));
	CHILD_CHECK(7, pread(fd, page, PG, 0) == (ssize_t)PG, "pread");
	bad = ckpt_check_fill(page, PG, 600);
	CHILD_CHECK(8, bad < 0, "file page 0 word %ld", bad);
	CHILD_CHECK(7, pread(fd, page, PG, PG) == (ssize_t)PG, "pread");
	bad = ckpt_check_fill(page, PG, 601);
	CHILD_CHECK(9, bad < 0, "write after restart did not reach the file");

	/* ...and writes to the file show in the mapping. */
	ckpt_fill(page, PG, 602);
	CHILD_CHECK(10, pwrite(fd, page, PG, 2 * PG) == (ssize_t)PG, "pwrite");
	close(fd);
	bad = ckpt_check_fill(sf + 2 * PG, PG, 602);
	CHILD_CHECK(11, bad < 0, "file write not seen in the mapping");
	return 0;
}

TEST(shared_file_mapping_still_writes_through_to_file)
{
	char page[PG];
	pid_t child;
	int fd;

	if (!ckpt_preamble(_metadata))
		return;
	set_mm_path("shared");
	fd = open(mm_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, SF_PAGES * PG));
	child = ckpt_spawn(shared_file_setup, shared_file_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
	ASSERT_EQ((ssize_t)PG, pread(fd, page, PG, PG));
	EXPECT_LT(ckpt_check_fill(page, PG, 601), 0)
		TH_LOG("the restored process' write is not in the file");
	close(fd);
	unlink(mm_path);
}

/* --------------------------------------------------------------------
 * /proc/self/maps as a whole
 */

struct map_entry {
	unsigned long start, end, off;
	char perms[8];
	char path[160];
};

#define MAX_MAPS	256

static char maps_before[65536], maps_after[65536];
static struct map_entry ents_before[MAX_MAPS], ents_after[MAX_MAPS];
static char *mx_anon, *mx_priv, *mx_shared;

/*
 * Parse a /proc/PID/maps text, ignoring the device and inode columns,
 * and merge neighbours the kernel could merge on its own (same
 * permissions and path, contiguous, and contiguous file offsets).
 * Returns the number of entries or -1.
 */
static int parse_maps(const char *text, struct map_entry *e, int max)
{
	const char *line = text, *end;
	int n = 0;

	for (; *line; line = end + 1) {
		struct map_entry cur;
		char buf[512];
		int path_off = 0;
		size_t len;

		end = strchr(line, '\n');
		if (!end)
			break;
		len = end - line;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		memset(&cur, 0, sizeof(cur));
		if (sscanf(buf, "%lx-%lx %7s %lx %*s %*s %n", &cur.start,
			   &cur.end, cur.perms, &cur.off, &path_off) < 4)
			return -1;
		if (path_off)
			snprintf(cur.path, sizeof(cur.path), "%s", buf + path_off);
		if (!cur.path[0])
			cur.off = 0;
		if (n > 0) {
			struct map_entry *prev = &e[n - 1];

			if (prev->end == cur.start &&
			    !strcmp(prev->perms, cur.perms) &&
			    !strcmp(prev->path, cur.path) &&
			    (!cur.path[0] || cur.path[0] == '[' ||
			     prev->off + (prev->end - prev->start) == cur.off)) {
				prev->end = cur.end;
				continue;
			}
		}
		if (n == max)
			return -1;
		e[n++] = cur;
	}
	return n;
}

static int maps_setup(void)
{
	int fd;

	/* A bit of everything, so that the comparison means something. */
	mx_anon = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, mx_anon != MAP_FAILED, "mmap");
	ckpt_fill(mx_anon, 16 * PG, 11);
	CHILD_CHECK(1, !munmap(mx_anon + 4 * PG, 2 * PG), "munmap");
	CHILD_CHECK(1, !mprotect(mx_anon + 8 * PG, PG, PROT_NONE), "mprotect");
	CHILD_CHECK(1, !mprotect(mx_anon + 10 * PG, PG, PROT_READ), "mprotect");
	fd = open(mm_path, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(1, fd >= 0, "open %s", mm_path);
	mx_priv = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		       PG);
	mx_shared = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	CHILD_CHECK(1, mx_priv != MAP_FAILED && mx_shared != MAP_FAILED, "mmap");
	mx_priv[PG] = 1;
	CHILD_CHECK(1, sbrk(64 * 1024) != (void *)-1, "sbrk");
	CHILD_CHECK(1, ckpt_read_file("/proc/self/maps", maps_before,
				      sizeof(maps_before)) > 0, "read maps");
	return 0;
}

static int maps_verify(void)
{
	int nb, na, i;

	CHILD_CHECK(2, ckpt_read_file("/proc/self/maps", maps_after,
				      sizeof(maps_after)) > 0, "read maps");
	nb = parse_maps(maps_before, ents_before, MAX_MAPS);
	na = parse_maps(maps_after, ents_after, MAX_MAPS);
	CHILD_CHECK(3, nb > 0 && na > 0, "cannot parse maps");
	for (i = 0; i < nb && i < na; i++) {
		struct map_entry *b = &ents_before[i], *a = &ents_after[i];

		if (b->start == a->start && b->end == a->end &&
		    b->off == a->off && !strcmp(b->perms, a->perms) &&
		    !strcmp(b->path, a->path))
			continue;
		ckpt_msg("maps differ at entry %d: was %lx-%lx %s %lx %s, now %lx-%lx %s %lx %s",
			 i, b->start, b->end, b->perms, b->off, b->path,
			 a->start, a->end, a->perms, a->off, a->path);
		break;
	}
	if (i < nb || i < na) {
		ckpt_msg("before checkpoint:\n%s", maps_before);
		ckpt_msg("after restart:\n%s", maps_after);
	}
	CHILD_CHECK(4, i == nb && i == na, "%d mappings before, %d after", nb,
		    na);
	return 0;
}

TEST(proc_self_maps_is_unchanged)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	set_mm_path("maps");
	ASSERT_EQ(0, make_file(mm_path, 8, 800));
	child = ckpt_spawn(maps_setup, maps_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
	unlink(mm_path);
}

/* --------------------------------------------------------------------
 * The vDSO
 */

typedef int (*vdso_cgt_t)(clockid_t, struct timespec *);
typedef int (*vdso_gtod_t)(struct timeval *, void *);

static unsigned long vdso_base;
static vdso_cgt_t vdso_cgt;
static vdso_gtod_t vdso_gtod;
static struct timespec mono_before;
static char auxv_before[4096];
static ssize_t auxv_before_len;

/* The value of @type in /proc/self/auxv (the kernel's saved copy). */
static unsigned long auxv_value(unsigned long type)
{
	unsigned long auxv[256];
	ssize_t n;
	int i;

	n = ckpt_read_file("/proc/self/auxv", (char *)auxv, sizeof(auxv));
	for (i = 0; n > 0 && i + 1 < n / (ssize_t)sizeof(long); i += 2)
		if (auxv[i] == type)
			return auxv[i + 1];
	return 0;
}

/* Look @name up in the dynamic symbols of the vDSO mapped at @base. */
static void *vdso_sym(unsigned long base, const char *name)
{
	const struct elf64_hdr *eh = (const struct elf64_hdr *)base;
	const struct elf64_phdr *ph;
	const struct elf64_shdr *sh;
	unsigned long load = base;
	int i;

	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return NULL;
	ph = (const struct elf64_phdr *)(base + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			load = base + ph[i].p_offset - ph[i].p_vaddr;
			break;
		}
	}
	sh = (const struct elf64_shdr *)(base + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const struct elf64_sym *sym;
		const char *str;
		size_t j, n;

		if (sh[i].sh_type != SHT_DYNSYM || !sh[i].sh_entsize)
			continue;
		sym = (const struct elf64_sym *)(base + sh[i].sh_offset);
		str = (const char *)(base + sh[sh[i].sh_link].sh_offset);
		n = sh[i].sh_size / sh[i].sh_entsize;
		for (j = 0; j < n; j++)
			if (sym[j].st_name && sym[j].st_shndx != SHN_UNDEF &&
			    !strcmp(str + sym[j].st_name, name))
				return (void *)(load + sym[j].st_value);
	}
	return NULL;
}

static long long ts_diff_ms(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000LL +
	       (a->tv_nsec - b->tv_nsec) / 1000000;
}

static int raw_clock_gettime(clockid_t clk, struct timespec *ts)
{
	return syscall(SYS_clock_gettime, clk, ts);
}

static int vdso_setup(void)
{
	struct timespec v, s;

	vdso_base = auxv_value(AT_SYSINFO_EHDR);
	CHILD_CHECK(1, vdso_base, "no vDSO");
	vdso_cgt = (vdso_cgt_t)vdso_sym(vdso_base, "__vdso_clock_gettime");
	vdso_gtod = (vdso_gtod_t)vdso_sym(vdso_base, "__vdso_gettimeofday");
	CHILD_CHECK(1, vdso_cgt && vdso_gtod, "vDSO symbols not found");
	CHILD_CHECK(1, !vdso_cgt(CLOCK_MONOTONIC, &v), "vDSO clock_gettime");
	CHILD_CHECK(1, !raw_clock_gettime(CLOCK_MONOTONIC, &s), "clock_gettime");
	CHILD_CHECK(1, llabs(ts_diff_ms(&v, &s)) < 2000, "vDSO clock is off");
	mono_before = s;
	auxv_before_len = ckpt_read_file("/proc/self/auxv", auxv_before,
					 sizeof(auxv_before));
	CHILD_CHECK(1, auxv_before_len > 0, "read /proc/self/auxv");
	return 0;
}

static int vdso_verify(void)
{
	static char auxv_after[4096];
	struct timespec v, s, g;
	struct timeval tv, stv;
	unsigned long start;
	ssize_t len;
	time_t t;

	start = maps_find_named("[vdso]", NULL);
	CHILD_CHECK(2, start == vdso_base, "[vdso] at %#lx, was at %#lx",
		    start, vdso_base);
	CHILD_CHECK(3, auxv_value(AT_SYSINFO_EHDR) == vdso_base,
		    "AT_SYSINFO_EHDR changed");

	/* The vDSO functions found before the checkpoint still work. */
	CHILD_CHECK(4, !vdso_cgt(CLOCK_REALTIME, &v), "vDSO CLOCK_REALTIME");
	CHILD_CHECK(4, !raw_clock_gettime(CLOCK_REALTIME, &s), "clock_gettime");
	CHILD_CHECK(5, llabs(ts_diff_ms(&v, &s)) < 2000,
		    "vDSO realtime %lld ms off the system call",
		    ts_diff_ms(&v, &s));
	CHILD_CHECK(6, !vdso_cgt(CLOCK_MONOTONIC, &v), "vDSO CLOCK_MONOTONIC");
	CHILD_CHECK(6, !raw_clock_gettime(CLOCK_MONOTONIC, &s), "clock_gettime");
	CHILD_CHECK(7, llabs(ts_diff_ms(&v, &s)) < 2000,
		    "vDSO monotonic %lld ms off the system call",
		    ts_diff_ms(&v, &s));
	CHILD_CHECK(8, ts_diff_ms(&v, &mono_before) >= 0,
		    "monotonic clock went back");
	CHILD_CHECK(9, !vdso_gtod(&tv, NULL), "vDSO gettimeofday");
	CHILD_CHECK(9, !syscall(SYS_gettimeofday, &stv, NULL), "gettimeofday");
	CHILD_CHECK(10, llabs((long long)tv.tv_sec - stv.tv_sec) < 2,
		    "vDSO gettimeofday off by %lld s",
		    (long long)tv.tv_sec - stv.tv_sec);

	/* So do the C library's wrappers, which call the vDSO. */
	CHILD_CHECK(11, !clock_gettime(CLOCK_REALTIME, &g), "clock_gettime");
	CHILD_CHECK(12, !raw_clock_gettime(CLOCK_REALTIME, &s) &&
		    llabs(ts_diff_ms(&g, &s)) < 2000, "libc realtime off");
	CHILD_CHECK(13, !gettimeofday(&tv, NULL) &&
		    llabs((long long)tv.tv_sec - s.tv_sec) < 2,
		    "libc gettimeofday off");
	t = time(NULL);
	CHILD_CHECK(14, llabs((long long)t - s.tv_sec) < 2, "time() off");

	len = ckpt_read_file("/proc/self/auxv", auxv_after, sizeof(auxv_after));
	CHILD_CHECK(15, len == auxv_before_len &&
		    !memcmp(auxv_before, auxv_after, len),
		    "/proc/self/auxv changed");
	return 0;
}

TEST(vdso_still_works_at_the_same_address)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(vdso_setup, vdso_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * Locked mappings, mlockall() and madvise() state
 */

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT	4
#endif

/* What /proc/self/smaps says about the mapping that covers an address. */
struct smaps_info {
	unsigned long start, end;
	unsigned long size_kb, rss_kb, locked_kb;
	char vmflags[256];
};

/* The smaps entry of the mapping that covers @addr: 0, or -1 if none. */
static int smaps_lookup(const void *addr, struct smaps_info *si)
{
	static char smaps[262144];
	unsigned long a = (unsigned long)addr;
	char *line, *end;
	bool in = false;

	memset(si, 0, sizeof(*si));
	if (ckpt_read_file("/proc/self/smaps", smaps, sizeof(smaps)) < 0)
		return -1;
	for (line = smaps; *line; line = end + 1) {
		unsigned long start, stop;
		char perms[8];

		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		if (sscanf(line, "%lx-%lx %7s", &start, &stop, perms) == 3) {
			if (in)
				break;
			in = a >= start && a < stop;
			si->start = start;
			si->end = stop;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "Size: %lu kB", &si->size_kb) == 1 ||
		    sscanf(line, "Rss: %lu kB", &si->rss_kb) == 1 ||
		    sscanf(line, "Locked: %lu kB", &si->locked_kb) == 1)
			continue;
		if (!strncmp(line, "VmFlags:", 8))
			snprintf(si->vmflags, sizeof(si->vmflags), "%s", line + 8);
	}
	return in ? 0 : -1;
}

/* Is the two-letter @flag one of the words of a VmFlags line? */
static bool vmflag(const struct smaps_info *si, const char *flag)
{
	const char *p = si->vmflags;
	size_t len = strlen(flag);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, flag, len) && (p[len] == ' ' || !p[len]))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* VmLck of /proc/self/status in kB, or -1. */
static long vmlck_kb(void)
{
	char val[64];

	if (ckpt_status_field(0, "VmLck", val, sizeof(val)))
		return -1;
	return strtol(val, NULL, 10);
}

/* Keep exactly the capabilities we have, less @cap. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	data[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return true;
	return data[cap / 32].effective & (1U << (cap % 32));
}

/* Set RLIMIT_MEMLOCK of the (one) process of the image in @fd. */
static int image_set_memlock(int fd, uint64_t limit)
{
	struct ckpt_rec_rlimits *rl;
	size_t len, off = 0;
	void *img;
	int ret = -1;

	img = ckpt_image_load(fd, &len);
	if (!img)
		return -1;
	rl = (struct ckpt_rec_rlimits *)ckpt_image_next(img, len, &off,
						      CKPT_REC_RLIMITS);
	if (rl && rl->nr > (uint32_t)RLIMIT_MEMLOCK) {
		rl->rlim[RLIMIT_MEMLOCK].cur = limit;
		rl->rlim[RLIMIT_MEMLOCK].max = limit;
		if (!ckpt_image_resign(img, len) && !ckpt_image_store(fd, img, len))
			ret = 0;
	}
	free(img);
	return ret;
}

/*
 * mlock() of the middle of a mapping: after restart those pages are
 * locked (VmFlags "lo", "Locked:" all of them, VmLck as before) and the
 * pages on either side are not; a new mapping is not locked either.
 */
#define LK_PAGES	8
#define LK_FIRST	2	/* pages 2..5 locked */
#define LK_NR		4

static char *lk;
static long lk_vmlck;

static int mlock_setup(void)
{
	lk = mmap(NULL, LK_PAGES * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, lk != MAP_FAILED, "mmap: %s", strerror(errno));
	ckpt_fill(lk, LK_PAGES * PG, 1100);
	CHILD_CHECK(1, !mlock(lk + LK_FIRST * PG, LK_NR * PG), "mlock: %s",
		    strerror(errno));
	lk_vmlck = vmlck_kb();
	CHILD_CHECK(1, lk_vmlck >= (long)(LK_NR * PG / 1024), "VmLck %ld kB",
		    lk_vmlck);
	return 0;
}

static int mlock_verify(void)
{
	struct smaps_info si;
	char *p;
	long bad;

	bad = ckpt_check_fill(lk, LK_PAGES * PG, 1100);
	CHILD_CHECK(2, bad < 0, "word %ld differs", bad);
	CHILD_CHECK(3, !smaps_lookup(lk + LK_FIRST * PG, &si), "not in smaps");
	CHILD_CHECK(4, si.start == (unsigned long)(lk + LK_FIRST * PG) &&
		    si.end == (unsigned long)(lk + (LK_FIRST + LK_NR) * PG),
		    "locked mapping is %#lx-%#lx, expected %p-%p", si.start,
		    si.end, lk + LK_FIRST * PG, lk + (LK_FIRST + LK_NR) * PG);
	CHILD_CHECK(5, vmflag(&si, "lo"), "VmFlags:%s", si.vmflags);
	CHILD_CHECK(6, si.locked_kb == LK_NR * PG / 1024 &&
		    si.size_kb == LK_NR * PG / 1024,
		    "Size: %lu kB, Locked: %lu kB", si.size_kb, si.locked_kb);
	CHILD_CHECK(7, !vmflag(&si, "lf"), "locked on fault: VmFlags:%s",
		    si.vmflags);
	CHILD_CHECK(8, vmlck_kb() == lk_vmlck, "VmLck %ld kB, was %ld kB",
		    vmlck_kb(), lk_vmlck);

	/* The neighbours are in memory, and not locked. */
	CHILD_CHECK(9, !smaps_lookup(lk, &si), "page 0 not in smaps");
	CHILD_CHECK(10, !vmflag(&si, "lo") && si.locked_kb == 0 &&
		    si.rss_kb > 0,
		    "page 0: Rss %lu kB, Locked %lu kB, VmFlags:%s", si.rss_kb,
		    si.locked_kb, si.vmflags);
	CHILD_CHECK(9, !smaps_lookup(lk + (LK_FIRST + LK_NR) * PG, &si),
		    "page %d not in smaps", LK_FIRST + LK_NR);
	CHILD_CHECK(11, !vmflag(&si, "lo") && si.locked_kb == 0 &&
		    si.rss_kb > 0,
		    "page %d: Rss %lu kB, Locked %lu kB, VmFlags:%s",
		    LK_FIRST + LK_NR, si.rss_kb, si.locked_kb, si.vmflags);

	/* No mlockall(MCL_FUTURE) came with it. */
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(12, p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(12, !smaps_lookup(p, &si), "new mapping not in smaps");
	CHILD_CHECK(13, !vmflag(&si, "lo"), "new mapping locked: VmFlags:%s",
		    si.vmflags);

	/* Still an ordinary locked range: munlock() unlocks it. */
	CHILD_CHECK(14, !munlock(lk + LK_FIRST * PG, LK_NR * PG), "munlock: %s",
		    strerror(errno));
	CHILD_CHECK(15, !smaps_lookup(lk + LK_FIRST * PG, &si) &&
		    !vmflag(&si, "lo") && si.locked_kb == 0,
		    "after munlock: Locked %lu kB, VmFlags:%s", si.locked_kb,
		    si.vmflags);
	return 0;
}

TEST(mlocked_range_comes_back_locked_and_its_neighbours_do_not)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mlock_setup, mlock_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * mlockall(MCL_CURRENT | MCL_FUTURE): what was mapped is locked again,
 * and so is what the restored process maps.
 */
#define LA_PAGES	8

static char *la;

static int mlockall_setup(void)
{
	la = mmap(NULL, LA_PAGES * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, la != MAP_FAILED, "mmap: %s", strerror(errno));
	ckpt_fill(la, LA_PAGES * PG, 1200);
	CHILD_CHECK(1, !mlockall(MCL_CURRENT | MCL_FUTURE), "mlockall: %s",
		    strerror(errno));
	return 0;
}

static int mlockall_verify(void)
{
	struct smaps_info si;
	long bad, kb;
	char *p;

	bad = ckpt_check_fill(la, LA_PAGES * PG, 1200);
	CHILD_CHECK(2, bad < 0, "word %ld differs", bad);
	CHILD_CHECK(3, !smaps_lookup(la, &si), "not in smaps");
	CHILD_CHECK(4, vmflag(&si, "lo") && si.locked_kb == si.size_kb,
		    "old mapping: Locked %lu kB of %lu, VmFlags:%s",
		    si.locked_kb, si.size_kb, si.vmflags);
	kb = vmlck_kb();
	CHILD_CHECK(5, kb >= (long)(LA_PAGES * PG / 1024), "VmLck %ld kB", kb);

	/* MCL_FUTURE: a new mapping is locked, and in memory. */
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(6, p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(7, !smaps_lookup(p, &si), "new mapping not in smaps");
	CHILD_CHECK(8, vmflag(&si, "lo") && !vmflag(&si, "lf"),
		    "new mapping: VmFlags:%s", si.vmflags);
	CHILD_CHECK(9, si.locked_kb == si.size_kb && si.size_kb >= 4 * PG / 1024,
		    "new mapping: Locked %lu kB of %lu", si.locked_kb,
		    si.size_kb);
	CHILD_CHECK(10, vmlck_kb() >= kb + (long)(4 * PG / 1024),
		    "VmLck %ld kB, was %ld kB before a 16 kB mapping",
		    vmlck_kb(), kb);
	return 0;
}

TEST(mlockall_current_and_future_is_kept)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(mlockall_setup, mlockall_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * madvise() state, one mapping per advice: each comes back with its own
 * VmFlags word and no other of the six, and behaves so in a child
 * forked after restart (MADV_DONTFORK: not there; MADV_WIPEONFORK:
 * zero there, intact in the parent).  MADV_HUGEPAGE and MADV_NOHUGEPAGE
 * need transparent huge pages, MADV_MERGEABLE needs KSM: without them
 * madvise() says EINVAL, and those mappings are left out.
 */
#define MA_PAGES	4

enum {
	MA_PLAIN, MA_DONTDUMP, MA_DONTFORK, MA_WIPEONFORK, MA_HUGEPAGE,
	MA_NOHUGEPAGE, MA_MERGEABLE, MA_NR
};

static const struct {
	int advice;
	const char *word, *name;
} ma_advice[MA_NR] = {
	[MA_PLAIN]	= { -1, NULL, "none" },
	[MA_DONTDUMP]	= { MADV_DONTDUMP, "dd", "MADV_DONTDUMP" },
	[MA_DONTFORK]	= { MADV_DONTFORK, "dc", "MADV_DONTFORK" },
	[MA_WIPEONFORK]	= { MADV_WIPEONFORK, "wf", "MADV_WIPEONFORK" },
	[MA_HUGEPAGE]	= { MADV_HUGEPAGE, "hg", "MADV_HUGEPAGE" },
	[MA_NOHUGEPAGE]	= { MADV_NOHUGEPAGE, "nh", "MADV_NOHUGEPAGE" },
	[MA_MERGEABLE]	= { MADV_MERGEABLE, "mg", "MADV_MERGEABLE" },
};

static char *ma[MA_NR];
static bool ma_used[MA_NR];

/* Does this kernel take @advice at all (not EINVAL)? */
static bool madvise_supported(int advice)
{
	void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok;

	if (p == MAP_FAILED)
		return true;	/* let the child say what fails */
	ok = !madvise(p, PG, advice) || errno != EINVAL;
	munmap(p, PG);
	return ok;
}

static int madvise_setup(void)
{
	int i;

	for (i = 0; i < MA_NR; i++) {
		if (!ma_used[i])
			continue;
		ma[i] = mmap(NULL, MA_PAGES * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHILD_CHECK(1, ma[i] != MAP_FAILED, "mmap: %s", strerror(errno));
		ckpt_fill(ma[i], MA_PAGES * PG, 1300 + i);
		if (ma_advice[i].advice >= 0)
			CHILD_CHECK(1, !madvise(ma[i], MA_PAGES * PG,
						ma_advice[i].advice),
				    "madvise(%s): %s", ma_advice[i].name,
				    strerror(errno));
	}
	return 0;
}

/* In a child forked after restart: what fork() did to each mapping. */
static int madvise_forked(void)
{
	unsigned char vec[MA_PAGES];
	char perms[8];
	long bad;
	int i, p;

	for (i = 0; i < MA_NR; i++) {
		if (!ma_used[i])
			continue;
		if (i == MA_DONTFORK) {
			CHILD_CHECK(20, mincore(ma[i], MA_PAGES * PG, vec) < 0 &&
				    errno == ENOMEM &&
				    maps_lookup(ma[i], perms, NULL, NULL, 0) < 0,
				    "MADV_DONTFORK mapping %p is in the child",
				    ma[i]);
			continue;
		}
		if (i == MA_WIPEONFORK) {
			for (p = 0; p < MA_PAGES; p++)
				CHILD_CHECK(21, page_is_zero(ma[i] + p * PG),
					    "MADV_WIPEONFORK page %d not zero in the child",
					    p);
			continue;
		}
		bad = ckpt_check_fill(ma[i], MA_PAGES * PG, 1300 + i);
		CHILD_CHECK(22, bad < 0, "%s mapping in the child: word %ld",
			    ma_advice[i].name, bad);
	}
	return 0;
}

static int madvise_verify(void)
{
	struct smaps_info si;
	int i, j, status;
	pid_t pid;
	long bad;

	for (i = 0; i < MA_NR; i++) {
		if (!ma_used[i])
			continue;
		bad = ckpt_check_fill(ma[i], MA_PAGES * PG, 1300 + i);
		CHILD_CHECK(2, bad < 0, "%s mapping: word %ld differs",
			    ma_advice[i].name, bad);
		CHILD_CHECK(3, !smaps_lookup(ma[i], &si), "%s mapping not in smaps",
			    ma_advice[i].name);
		for (j = 1; j < MA_NR; j++)
			CHILD_CHECK(4, vmflag(&si, ma_advice[j].word) == (i == j),
				    "%s mapping: VmFlags:%s (\"%s\" should %sbe there)",
				    ma_advice[i].name, si.vmflags,
				    ma_advice[j].word, i == j ? "" : "not ");
	}

	fflush(NULL);
	pid = fork();
	CHILD_CHECK(5, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(madvise_forked());
	CHILD_CHECK(6, waitpid(pid, &status, 0) == pid, "waitpid: %s",
		    strerror(errno));
	CHILD_CHECK(7, WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "forked child: status %#x", status);
	/* The parent keeps its data. */
	for (i = 0; i < MA_NR; i++) {
		if (!ma_used[i])
			continue;
		bad = ckpt_check_fill(ma[i], MA_PAGES * PG, 1300 + i);
		CHILD_CHECK(8, bad < 0, "%s mapping after fork: word %ld",
			    ma_advice[i].name, bad);
	}
	return 0;
}

TEST(madvise_state_of_each_mapping_is_given_again)
{
	pid_t child;
	int i;

	if (!ckpt_preamble(_metadata))
		return;
	for (i = 0; i < MA_NR; i++) {
		ma_used[i] = ma_advice[i].advice < 0 ||
			     madvise_supported(ma_advice[i].advice);
		if (!ma_used[i])
			TH_LOG("%s: EINVAL, not in this kernel: that part is skipped",
			       ma_advice[i].name);
	}
	child = ckpt_spawn(madvise_setup, madvise_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
}

/*
 * Locking on fault is refused: mlock2(MLOCK_ONFAULT) on a mapping, and
 * mlockall(MCL_ONFAULT).  The process runs on as it was.
 */
static char *of;

static int onfault_setup(void)
{
	of = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, of != MAP_FAILED, "mmap: %s", strerror(errno));
	ckpt_fill(of, PG, 1400);
	CHILD_CHECK(1, !syscall(SYS_mlock2, of, 4 * PG, MLOCK_ONFAULT),
		    "mlock2(MLOCK_ONFAULT): %s", strerror(errno));
	return 0;
}

static int onfault_verify(void)
{
	struct smaps_info si;
	long bad;

	bad = ckpt_check_fill(of, PG, 1400);
	CHILD_CHECK(2, bad < 0, "word %ld differs", bad);
	CHILD_CHECK(3, !smaps_lookup(of, &si) && vmflag(&si, "lo") &&
		    vmflag(&si, "lf"), "VmFlags:%s", si.vmflags);
	return 0;
}

TEST(mlock2_onfault_is_refused)
{
	char log[4096], what[128];
	uint64_t addr = 0;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(onfault_setup, onfault_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_peek(child, &of, &addr, sizeof(of)));
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log,
						  sizeof(log)));
	TH_LOG("log: %s", log);
	snprintf(what, sizeof(what), "mapping %#llx-%#llx is locked on fault",
		 (unsigned long long)addr, (unsigned long long)addr + 4 * PG);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("no \"%s\"", what);
	EXPECT_NE(NULL, strstr(log, "MLOCK_ONFAULT"));
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

static int mcl_flags;

static int mcl_onfault_setup(void)
{
	CHILD_CHECK(1, !mlockall(mcl_flags), "mlockall(%#x): %s", mcl_flags,
		    strerror(errno));
	return 0;
}

/* Still locking on fault what it maps. */
static int mcl_onfault_verify(void)
{
	struct smaps_info si;
	char *p;

	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(2, p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(3, !smaps_lookup(p, &si) && vmflag(&si, "lo") &&
		    vmflag(&si, "lf"), "new mapping: VmFlags:%s", si.vmflags);
	return 0;
}

static void mcl_onfault_refused(struct __test_metadata *_metadata, int flags)
{
	char log[4096];
	pid_t child;

	mcl_flags = flags;
	child = ckpt_spawn(mcl_onfault_setup, mcl_onfault_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log,
						  sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_TRUE(ckpt_log_has(log, "pid ", child));
	EXPECT_NE(NULL, strstr(log, "mlockall(MCL_ONFAULT)"))
		TH_LOG("mlockall(MCL_ONFAULT) is not named");
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST(mlockall_future_onfault_is_refused)
{
	if (!ckpt_preamble(_metadata))
		return;
	mcl_onfault_refused(_metadata, MCL_FUTURE | MCL_ONFAULT);
}

TEST(mlockall_current_future_onfault_is_refused)
{
	if (!ckpt_preamble(_metadata))
		return;
	mcl_onfault_refused(_metadata, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
}

/*
 * Restart maps a locked mapping locked within the process's own
 * RLIMIT_MEMLOCK and capabilities, not the restarter's: a root process
 * that locked 16 pages, then lowered its RLIMIT_MEMLOCK to one page and
 * gave up CAP_IPC_LOCK, cannot be restarted (EAGAIN, the mapping
 * named), and nothing of it is left.  With the image's limit raised to
 * exactly 16 pages, the same image restarts, locked.  Likewise
 * mlockall(MCL_FUTURE) with RLIMIT_MEMLOCK 0 (EPERM).
 */
#define LF_PAGES	16

static char *lf;

static int lockfail_drop(rlim_t limit)
{
	struct rlimit rl = { limit, limit };

	CHILD_CHECK(1, !setrlimit(RLIMIT_MEMLOCK, &rl), "setrlimit: %s",
		    strerror(errno));
	CHILD_CHECK(1, !drop_cap(CAP_IPC_LOCK), "capset: %s", strerror(errno));
	CHILD_CHECK(1, !has_cap(CAP_IPC_LOCK), "CAP_IPC_LOCK still there");
	return 0;
}

static int lockfail_setup(void)
{
	char *more;

	lf = mmap(NULL, LF_PAGES * PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	CHILD_CHECK(1, lf != MAP_FAILED, "mmap: %s", strerror(errno));
	ckpt_fill(lf, LF_PAGES * PG, 1500);
	lockfail_drop(PG);
	/* Over its limit now: it cannot lock even one more page. */
	more = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(1, more != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(1, mlock(more, PG) < 0 && errno == ENOMEM,
		    "mlock over RLIMIT_MEMLOCK: %s", strerror(errno));
	CHILD_CHECK(1, !munmap(more, PG), "munmap");
	return 0;
}

static int lockfail_verify(void)
{
	struct smaps_info si;
	struct rlimit rl;
	long bad;

	bad = ckpt_check_fill(lf, LF_PAGES * PG, 1500);
	CHILD_CHECK(2, bad < 0, "word %ld differs", bad);
	CHILD_CHECK(3, !smaps_lookup(lf, &si) && vmflag(&si, "lo") &&
		    si.locked_kb == LF_PAGES * PG / 1024,
		    "Locked %lu kB, VmFlags:%s", si.locked_kb, si.vmflags);
	CHILD_CHECK(4, !getrlimit(RLIMIT_MEMLOCK, &rl) &&
		    rl.rlim_cur == LF_PAGES * PG && rl.rlim_max == LF_PAGES * PG,
		    "RLIMIT_MEMLOCK %llu/%llu", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)rl.rlim_max);
	CHILD_CHECK(5, !has_cap(CAP_IPC_LOCK), "CAP_IPC_LOCK is back");
	return 0;
}

static int lockfail_future_setup(void)
{
	CHILD_CHECK(1, !mlockall(MCL_FUTURE), "mlockall: %s", strerror(errno));
	lockfail_drop(0);
	CHILD_CHECK(1, mlock(&lf, 1) < 0 && errno == EPERM,
		    "mlock with RLIMIT_MEMLOCK 0: %s", strerror(errno));
	return 0;
}

static int lockfail_future_verify(void)
{
	struct smaps_info si;
	char *p;

	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(2, p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHILD_CHECK(3, !smaps_lookup(p, &si) && vmflag(&si, "lo"),
		    "new mapping: VmFlags:%s", si.vmflags);
	return 0;
}

/*
 * Checkpoint @child (CKPT_KILL), restart: fails with @err and @what in
 * the log, nothing left; then with the image's RLIMIT_MEMLOCK set to
 * @limit, restarts and passes its own checks.
 */
static void lock_limit_fails_restart(struct __test_metadata *_metadata,
				     pid_t child, int err, const char *what,
				     uint64_t limit)
{
	char log[4096];
	int fd, before, e;
	pid_t got;

	fd = ckpt_image_open();
	ASSERT_GE(fd, 0) ckpt_kill_reap(child);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL)) {
		ckpt_kill_reap(child);
		close(fd);
	}
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child)) close(fd);

	before = ckpt_count_user_processes();
	got = ckpt_restart_log(fd, log, sizeof(log));
	e = errno;
	EXPECT_EQ(-1, got) {
		if (got > 0)
			ckpt_kill_reap(got);
	}
	EXPECT_EQ(err, e) TH_LOG("restart: %s", strerror(e));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, what)) TH_LOG("no \"%s\"", what);
	EXPECT_FALSE(ckpt_pid_exists(child));
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(before, ckpt_count_user_processes()) ckpt_list_processes();

	/* Within its limit, the same image restarts. */
	ASSERT_EQ(0, image_set_memlock(fd, limit)) close(fd);
	EXPECT_EQ(child, ckpt_restart_as(fd, child, 0));
	close(fd);
	if (ckpt_pid_exists(child))
		EXPECT_EQ(0, ckpt_wake_reap(child));
}

TEST(locked_mapping_over_the_process_memlock_limit_fails_restart)
{
	char what[128];
	uint64_t addr = 0;
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(lockfail_setup, lockfail_verify);
	ASSERT_GT(child, 0);
	ASSERT_EQ(0, ckpt_peek(child, &lf, &addr, sizeof(lf)))
		ckpt_kill_reap(child);
	snprintf(what, sizeof(what),
		 "cannot map %#llx-%#llx, locked in memory (error %d)",
		 (unsigned long long)addr,
		 (unsigned long long)addr + LF_PAGES * PG, -EAGAIN);
	lock_limit_fails_restart(_metadata, child, EAGAIN, what,
				 LF_PAGES * PG);
}

TEST(mlockall_future_with_memlock_limit_zero_fails_restart)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(lockfail_future_setup, lockfail_future_verify);
	ASSERT_GT(child, 0);
	lock_limit_fails_restart(_metadata, child, EPERM,
				 "mlockall(MCL_FUTURE): RLIMIT_MEMLOCK is 0",
				 LF_PAGES * PG);
}

TEST_HARNESS_MAIN
