// SPDX-License-Identifier: GPL-2.0
/*
 * mkimage: write synthetic checkpoint images for the ckptinfo host tests.
 *
 *   mkimage                   a valid image (one task, every record type)
 *   mkimage --two-tasks       a valid image of two processes
 *   mkimage --corrupt KIND    an image with one structural defect; the
 *                             trailer's SHA-256 is recomputed so that only
 *                             the defect is wrong (see kinds[] below)
 *   mkimage --mutate SEED     one random byte changed; odd seeds also
 *                             recompute the trailer's SHA-256
 *   mkimage --offset-of TYPE  print the offset of the first record TYPE
 *   mkimage --prefix-len      print the number of bytes before the trailer
 *   mkimage --sha256-selftest check ckpt_sha256.h against known vectors
 *
 * Images go to standard output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/checkpoint.h>

#include "ckpt_sha256.h"

#define PAGE	4096
#define XSTATE	832

struct image {
	uint8_t *p;
	size_t len, size;
	size_t rec;		/* offset of the record being written */
	size_t off[CKPT_REC_MAX];	/* first record of each type */
	size_t trailer;
};

static void put(struct image *im, const void *data, size_t n)
{
	if (im->len + n > im->size) {
		im->size = (im->len + n) * 2;
		im->p = realloc(im->p, im->size);
		if (!im->p) {
			perror("mkimage");
			exit(2);
		}
	}
	memcpy(im->p + im->len, data, n);
	im->len += n;
}

/* Append a record: @rec is its fixed part (header included), @tail follows */
static void record(struct image *im, uint32_t type, void *rec, size_t size,
		   const void *tail, size_t tail_len)
{
	static const uint8_t zero[CKPT_ALIGN];
	struct ckpt_hdr *h = rec;

	h->type = type;
	h->len = (uint32_t)(size + tail_len);
	im->rec = im->len;
	if (!im->off[type])
		im->off[type] = im->len;
	put(im, rec, size);
	if (tail_len)
		put(im, tail, tail_len);
	put(im, zero, (CKPT_ALIGN - im->len % CKPT_ALIGN) % CKPT_ALIGN);
}

static void trailer(struct image *im)
{
	struct ckpt_rec_trailer t;

	memset(&t, 0, sizeof(t));
	t.total_len = im->len;
	ckpt_sha256(im->p, im->len, t.sha256);
	im->trailer = im->len;
	record(im, CKPT_REC_TRAILER, &t, sizeof(t), NULL, 0);
}

/* Recompute the trailer after the bytes before it were changed */
static void rehash(struct image *im)
{
	struct ckpt_rec_trailer *t = (void *)(im->p + im->trailer);

	ckpt_sha256(im->p, im->trailer, t->sha256);
}

static void build_task(struct image *im, int t)
{
	static const char cwd_root[] = "/home/user\0/";
	static const char exe[] = "/usr/bin/sleeper";
	static const char path[] = "/tmp/log \"odd\\name\"\n\xc3\xa9.txt";
	struct ckpt_rec_task task;
	struct ckpt_rec_cred cred;
	uint32_t groups[2] = { 1000, 27 };
	struct ckpt_rec_rlimits rl;
	struct ckpt_rlimit rlim[16];
	struct ckpt_rec_fs fs;
	struct ckpt_rec_mm mm;
	struct ckpt_rec_vma vma;
	struct ckpt_rec_pages pg;
	uint8_t pages[3 * PAGE];
	struct ckpt_rec_sighand sh;
	struct ckpt_sigaction act[64];
	struct ckpt_rec_signal sig;
	struct ckpt_rec_siginfo si;
	struct ckpt_rec_file file;
	struct ckpt_rec_fd fd;
	struct ckpt_rec_thread th;
	struct ckpt_rec_xstate xs;
	uint8_t xsave[XSTATE];
	struct ckpt_rec_task_end end;
	int32_t v, pid = 4242 + t;
	int i;

	memset(&task, 0, sizeof(task));
	task.pid = pid;
	task.tgid = pid;
	task.ppid = 1;
	task.pgid = 4242;
	task.sid = 4200;
	task.exit_signal = 17;
	task.umask = 022;
	task.dumpable = 1;
	task.nr_threads = 1;
	task.flags = CKPT_TASK_STOPPED;
	strcpy(task.comm, "sleeper");
	record(im, CKPT_REC_TASK, &task, sizeof(task), NULL, 0);

	memset(&cred, 0, sizeof(cred));
	cred.uid = cred.euid = cred.suid = cred.fsuid = 1000;
	cred.gid = cred.egid = cred.sgid = cred.fsgid = 1000;
	cred.cap_bset = 0x1ffffffffffULL;
	cred.ngroups = 2;
	record(im, CKPT_REC_CRED, &cred, sizeof(cred), groups, sizeof(groups));

	memset(&rl, 0, sizeof(rl));
	rl.nr = 16;
	for (i = 0; i < 16; i++)
		rlim[i].cur = rlim[i].max = ~0ULL;
	rlim[3].cur = 8 << 20;			/* stack */
	rlim[7].cur = 1024;			/* nofile */
	rlim[7].max = 4096;
	record(im, CKPT_REC_RLIMITS, &rl, sizeof(rl), rlim, sizeof(rlim));

	memset(&fs, 0, sizeof(fs));
	fs.cwd_len = 11;
	fs.root_len = 2;
	record(im, CKPT_REC_FS, &fs, sizeof(fs), cwd_root, 13);

	memset(&mm, 0, sizeof(mm));
	mm.start_code = 0x400000;
	mm.end_code = 0x401800;
	mm.start_stack = 0x7ffd3ff0;
	mm.nr_vmas = 2;
	mm.auxv_words = 4;
	mm.auxv[0] = 6;				/* AT_PAGESZ */
	mm.auxv[1] = PAGE;
	mm.exe_len = sizeof(exe);
	record(im, CKPT_REC_MM, &mm, sizeof(mm), exe, sizeof(exe));

	memset(&vma, 0, sizeof(vma));
	vma.start = 0x400000;
	vma.end = 0x402000;
	vma.kind = CKPT_VMA_FILE_PRIVATE;
	vma.prot = 5;
	vma.vm_flags = 0x875;
	vma.path_len = sizeof(exe);
	record(im, CKPT_REC_VMA, &vma, sizeof(vma), exe, sizeof(exe));

	memset(&vma, 0, sizeof(vma));
	vma.start = 0x7ffd0000;
	vma.end = 0x7ffd4000;
	vma.kind = CKPT_VMA_ANON;
	vma.prot = 3;
	vma.flags = CKPT_VMA_GROWSDOWN | CKPT_VMA_STACK;
	record(im, CKPT_REC_VMA, &vma, sizeof(vma), NULL, 0);

	for (i = 0; i < (int)sizeof(pages); i++)
		pages[i] = (uint8_t)(i * 31 + 7);
	memset(&pg, 0, sizeof(pg));
	pg.addr = 0x400000;
	pg.nr_pages = 1;
	record(im, CKPT_REC_PAGES, &pg, sizeof(pg), pages, PAGE);
	pg.addr = 0x7ffd2000;
	pg.nr_pages = 2;
	record(im, CKPT_REC_PAGES, &pg, sizeof(pg), pages + PAGE, 2 * PAGE);

	memset(&sh, 0, sizeof(sh));
	memset(act, 0, sizeof(act));
	sh.nr = 64;
	act[1].handler = 0x401000;		/* SIGINT */
	act[1].flags = 0x14000000;		/* SA_RESTORER | SA_RESTART */
	act[1].restorer = 0x401100;
	act[1].mask = 1ULL << 14;		/* SIGTERM */
	act[12].handler = 1;			/* SIGPIPE ignored */
	record(im, CKPT_REC_SIGHAND, &sh, sizeof(sh), act, sizeof(act));

	memset(&sig, 0, sizeof(sig));
	sig.blocked = 1ULL << 9;		/* SIGUSR1 */
	sig.nr_siginfo = 1;
	record(im, CKPT_REC_SIGNAL, &sig, sizeof(sig), NULL, 0);

	memset(&si, 0, sizeof(si));
	si.shared = 1;
	v = 10;					/* SIGUSR1 */
	memcpy(si.info, &v, 4);
	v = 1;					/* si_pid */
	memcpy(si.info + 12, &v, 4);
	v = 1000;				/* si_uid */
	memcpy(si.info + 16, &v, 4);
	record(im, CKPT_REC_SIGINFO, &si, sizeof(si), NULL, 0);

	memset(&file, 0, sizeof(file));
	file.objid = 1 + 2 * t;
	file.kind = CKPT_FILE_INHERIT;
	file.mode = 3;
	file.flags = 2;
	record(im, CKPT_REC_FILE, &file, sizeof(file), NULL, 0);
	file.objid = 2 + 2 * t;
	file.kind = CKPT_FILE_REG;
	file.mode = 2;
	file.flags = 02001;			/* O_WRONLY | O_APPEND */
	file.pos = 100;
	file.size = 100;
	file.path_len = sizeof(path);
	record(im, CKPT_REC_FILE, &file, sizeof(file), path, sizeof(path));

	memset(&fd, 0, sizeof(fd));
	for (i = 0; i < 3; i++) {
		fd.fd = i;
		fd.objid = 1 + 2 * t;
		record(im, CKPT_REC_FD, &fd, sizeof(fd), NULL, 0);
	}
	fd.fd = 3;
	fd.objid = 2 + 2 * t;
	fd.cloexec = 1;
	record(im, CKPT_REC_FD, &fd, sizeof(fd), NULL, 0);

	memset(&th, 0, sizeof(th));
	th.tid = pid;
	th.regs.ip = 0x401234;
	th.regs.sp = 0x7ffd3f00;
	th.regs.ax = (uint64_t)-4;
	th.regs.orig_ax = 35;
	th.regs.flags = 0x246;
	th.regs.cs = 0x33;
	th.regs.ss = 0x2b;
	th.regs.fs_base = 0x7f1234567740ULL;
	record(im, CKPT_REC_THREAD, &th, sizeof(th), NULL, 0);

	memset(&xs, 0, sizeof(xs));
	xs.xfeatures = 0x3;
	for (i = 0; i < XSTATE; i++)
		xsave[i] = (uint8_t)i;
	record(im, CKPT_REC_XSTATE, &xs, sizeof(xs), xsave, sizeof(xsave));

	memset(&end, 0, sizeof(end));
	end.pid = pid;
	record(im, CKPT_REC_TASK_END, &end, sizeof(end), NULL, 0);
}

static void build(struct image *im, int nr_tasks)
{
	struct ckpt_rec_header hdr;
	int i, t;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	hdr.version = CKPT_FORMAT_VERSION;
	hdr.arch = AUDIT_ARCH_X86_64;
	hdr.page_size = PAGE;
	hdr.nsig = 64;
	hdr.rlim_nlimits = 16;
	hdr.xstate_size = XSTATE;
	hdr.xfeatures = 0x7;
	hdr.flags = CKPT_STOP;
	hdr.nr_tasks = nr_tasks;
	hdr.time_sec = 1767225600;	/* 2026-01-01 */
	for (i = 0; i < 32; i++)
		hdr.vdso_sha256[i] = (uint8_t)(i * 7);
	strcpy(hdr.release, "6.12.0-ckpt");
	strcpy(hdr.machine, "x86_64");
	record(im, CKPT_REC_HEADER, &hdr, sizeof(hdr), NULL, 0);

	for (t = 0; t < nr_tasks; t++)
		build_task(im, t);

	trailer(im);
}

static uint32_t *len_of(struct image *im, int type)
{
	return (uint32_t *)(im->p + im->off[type] + 4);
}

/* Structural defects, each found by ckptinfo with the message given */
static const char *const kinds[] = {
	"bad-magic", "bad-version", "bad-arch", "len-max", "len-small", "len-short",
	"no-nul", "bad-type", "wrong-order", "vma-overlap", "pages-outside",
	"fd-objid", "dup-objid", "trailing", "bad-padding", "total-len", "nr-vmas",
	"nsig", "nr-tasks", "pages-span", "reserved", "inherit-fd", "caps", NULL
};

static int corrupt(struct image *im, const char *kind)
{
	uint8_t *p = im->p;
	struct ckpt_rec_vma *vma;
	struct ckpt_rec_fs *fs;

	if (!strcmp(kind, "bad-magic")) {
		p[im->off[CKPT_REC_HEADER] + 9] = 'X';
	} else if (!strcmp(kind, "bad-version")) {
		((struct ckpt_rec_header *)p)->version = 99;
	} else if (!strcmp(kind, "bad-arch")) {
		((struct ckpt_rec_header *)p)->arch = 0x40000028;	/* ARM */
	} else if (!strcmp(kind, "len-max")) {
		*len_of(im, CKPT_REC_TASK) = 0xffffffff;
	} else if (!strcmp(kind, "len-small")) {
		*len_of(im, CKPT_REC_TASK) = 4;
	} else if (!strcmp(kind, "len-short")) {
		/* a VMA record cut below its fixed part */
		*len_of(im, CKPT_REC_VMA) = 16;
	} else if (!strcmp(kind, "no-nul")) {
		fs = (void *)(p + im->off[CKPT_REC_FS]);
		fs->paths[fs->cwd_len - 1] = 'x';
	} else if (!strcmp(kind, "bad-type")) {
		*(len_of(im, CKPT_REC_SIGNAL) - 1) = 99;
	} else if (!strcmp(kind, "wrong-order")) {
		*(len_of(im, CKPT_REC_SIGNAL) - 1) = CKPT_REC_TASK_END;
	} else if (!strcmp(kind, "vma-overlap")) {
		vma = (void *)(p + im->off[CKPT_REC_VMA]);
		vma->end = 0x7ffd1000;
	} else if (!strcmp(kind, "pages-outside")) {
		((struct ckpt_rec_pages *)(p + im->off[CKPT_REC_PAGES]))->addr = 0x500000;
	} else if (!strcmp(kind, "fd-objid")) {
		((struct ckpt_rec_fd *)(p + im->off[CKPT_REC_FD]))->objid = 9;
	} else if (!strcmp(kind, "dup-objid")) {
		((struct ckpt_rec_file *)(p + im->off[CKPT_REC_FILE]))->objid = 2;
	} else if (!strcmp(kind, "trailing")) {
		put(im, "\0\0\0\0\0\0\0\0", 8);
		return 0;
	} else if (!strcmp(kind, "bad-padding")) {
		/* FS is 29 bytes: 3 bytes of padding follow it */
		p[im->off[CKPT_REC_FS] + *len_of(im, CKPT_REC_FS) + 1] = 1;
	} else if (!strcmp(kind, "total-len")) {
		((struct ckpt_rec_trailer *)(p + im->trailer))->total_len += 8;
	} else if (!strcmp(kind, "nr-vmas")) {
		((struct ckpt_rec_mm *)(p + im->off[CKPT_REC_MM]))->nr_vmas = 3;
	} else if (!strcmp(kind, "pages-span")) {
		/* the second PAGES record: 2 pages from the last page of the stack */
		((struct ckpt_rec_pages *)(p + im->off[CKPT_REC_PAGES] + 24 + PAGE))->addr =
			0x7ffd3000;
	} else if (!strcmp(kind, "reserved")) {
		((struct ckpt_rec_task *)(p + im->off[CKPT_REC_TASK]))->reserved = 1;
	} else if (!strcmp(kind, "inherit-fd")) {
		/* fd 3, the fourth FD record, made to refer to the inherited file */
		((struct ckpt_rec_fd *)(p + im->off[CKPT_REC_FD] + 3 * 24))->objid = 1;
	} else if (!strcmp(kind, "caps")) {
		((struct ckpt_rec_cred *)(p + im->off[CKPT_REC_CRED]))->cap_effective = 1;
	} else if (!strcmp(kind, "nr-tasks")) {
		((struct ckpt_rec_header *)p)->nr_tasks = 2;
	} else if (!strcmp(kind, "nsig")) {
		((struct ckpt_rec_sighand *)(p + im->off[CKPT_REC_SIGHAND]))->nr = 32;
	} else {
		return -1;
	}
	rehash(im);
	return 0;
}

static int check(const char *name, const void *data, size_t len, size_t chunk,
		 const char *want)
{
	uint8_t d[CKPT_SHA256_DIGEST_SIZE];
	char hex[2 * CKPT_SHA256_DIGEST_SIZE + 1];
	struct ckpt_sha256 s;
	size_t i, n;

	ckpt_sha256_init(&s);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		ckpt_sha256_update(&s, (const uint8_t *)data + i, n);
	}
	ckpt_sha256_final(&s, d);
	for (i = 0; i < CKPT_SHA256_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	if (strcmp(hex, want)) {
		printf("sha256 %s (chunks of %zu): got %s, want %s\n", name, chunk, hex, want);
		return 1;
	}
	return 0;
}

static int sha256_selftest(void)
{
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const size_t chunks[] = { 1000000, 1, 3, 55, 63, 64, 65, 127 };
	char *a = malloc(1000000);
	int fails = 0;
	size_t i;

	if (!a)
		return 1;
	memset(a, 'a', 1000000);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		fails += check("\"abc\"", "abc", 3, chunks[i],
			       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		fails += check("\"\"", "", 0, chunks[i],
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		fails += check("448 bits", two, strlen(two), chunks[i],
			       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
		fails += check("1000000 x a", a, 1000000, chunks[i],
			       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	/* 55, 56 and 64 bytes: the padding edge cases */
	fails += check("55 x a", a, 55, 64,
		       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	fails += check("56 x a", a, 56, 64,
		       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	fails += check("64 x a", a, 64, 64,
		       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	free(a);
	printf("sha256 selftest: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}

static int write_all(const void *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = write(1, p, n);
		if (r <= 0) {
			perror("mkimage: write");
			return 1;
		}
		p = (const char *)p + r;
		n -= r;
	}
	return 0;
}

static int type_of(const char *name)
{
	static const char *const names[CKPT_REC_MAX] = {
		NULL, "HEADER", "TASK", "CRED", "RLIMITS", "FS", "MM", "VMA", "PAGES",
		"SIGHAND", "SIGNAL", "SIGINFO", "FILE", "FD", "THREAD", "XSTATE",
		"TASK_END", "TRAILER",
	};
	int i;

	for (i = 1; i < CKPT_REC_MAX; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	struct image im;
	uint64_t x;
	size_t at;
	int t, i;

	memset(&im, 0, sizeof(im));
	if (argc == 2 && !strcmp(argv[1], "--two-tasks")) {
		build(&im, 2);
		return write_all(im.p, im.len);
	}
	build(&im, 1);
	if (argc == 1)
		return write_all(im.p, im.len);
	if (argc == 2 && !strcmp(argv[1], "--sha256-selftest"))
		return sha256_selftest();
	if (argc == 2 && !strcmp(argv[1], "--prefix-len")) {
		printf("%zu\n", im.trailer);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--kinds")) {
		for (i = 0; kinds[i]; i++)
			printf("%s\n", kinds[i]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--offset-of")) {
		t = type_of(argv[2]);
		if (t < 0)
			return 2;
		printf("%zu\n", t == CKPT_REC_TRAILER ? im.trailer : im.off[t]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--corrupt")) {
		if (corrupt(&im, argv[2])) {
			fprintf(stderr, "mkimage: unknown defect %s\n", argv[2]);
			return 2;
		}
		return write_all(im.p, im.len);
	}
	if (argc == 3 && !strcmp(argv[1], "--mutate")) {
		x = strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ULL + 1;
		for (i = 0; i < 4; i++) {		/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		/* half of the mutations hit the first 1 KiB: more fields there */
		at = (x >> 8) % 2 ? (x >> 16) % 1024 : (x >> 16) % im.len;
		im.p[at] ^= (uint8_t)((x & 0xff) ? (x & 0xff) : 0x80);
		if (strtoull(argv[2], NULL, 0) % 2 && at < im.trailer)
			rehash(&im);
		return write_all(im.p, im.len);
	}
	fprintf(stderr, "usage: mkimage [--two-tasks | --corrupt KIND | --mutate SEED |\n"
		"                --offset-of TYPE | --prefix-len | --kinds | --sha256-selftest]\n");
	return 2;
}
