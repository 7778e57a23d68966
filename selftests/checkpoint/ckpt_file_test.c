// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: directories and O_PATH descriptors.
 *
 * A directory descriptor (opendir(3), O_DIRECTORY) comes back on the same
 * directory at the same read position, so that getdents64(2) goes on
 * where it was and *at() calls relative to it still work; an O_PATH
 * descriptor comes back on the same file, of the same type, a symbolic
 * link itself included.  A directory deleted while the job holds it is
 * refused, naming it, and the job runs on; one deleted after the
 * checkpoint fails the restart, leaving nothing behind.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <sys/stat.h>

#include "ckpt_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

#define NR_NAMES	40

static char dir_path[48];

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* A fresh directory with NR_NAMES empty files f00..f39. */
static int make_dir(void)
{
	char name[128];
	int i, fd;

	snprintf(dir_path, sizeof(dir_path), "/tmp/ckpt-dir-%d", (int)getpid());
	if (mkdir(dir_path, 0755))
		return -1;
	for (i = 0; i < NR_NAMES; i++) {
		snprintf(name, sizeof(name), "%s/f%02d", dir_path, i);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static void remove_dir(const char *path)
{
	char name[320];
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s/%s", path, e->d_name);
		unlink(name);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

/* Names seen through fd 3, before and after the checkpoint. */
static bool seen[NR_NAMES + 2];
static struct stat dir_st;

/* Read at most @max entries of fd 3 with getdents64, marking them. */
static int read_entries(int max, int code)
{
	char buf[512];
	int n = 0;

	while (n < max) {
		size_t want = 64 * (size_t)(max - n);
		long len = syscall(SYS_getdents64, 3, buf, want < sizeof(buf) ? want : sizeof(buf));
		long off;

		CHILD_CHECK(code, len >= 0, "getdents64: %s", strerror(errno));
		if (!len)
			break;
		for (off = 0; off < len; n++) {
			struct linux_dirent64 *e = (void *)(buf + off);
			int i;

			off += e->d_reclen;
			if (!strcmp(e->d_name, "."))
				i = NR_NAMES;
			else if (!strcmp(e->d_name, ".."))
				i = NR_NAMES + 1;
			else
				CHILD_CHECK(code, sscanf(e->d_name, "f%d", &i) == 1 &&
					    i >= 0 && i < NR_NAMES, "entry %s", e->d_name);
			CHILD_CHECK(code + 1, !seen[i], "entry %s seen twice", e->d_name);
			seen[i] = true;
		}
	}
	return n;
}

static int dir_setup(void)
{
	CHILD_CHECK(1, open(dir_path, O_RDONLY | O_DIRECTORY) == 3, "open the directory");
	CHILD_CHECK(1, open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) == 4, "dirfd");
	CHILD_CHECK(1, !fstat(3, &dir_st), "fstat");
	/* Part of the directory is read before the checkpoint. */
	CHILD_CHECK(2, read_entries(12, 2) >= 12, "the first entries");
	return 0;
}

static int dir_verify(void)
{
	struct stat st;
	int i, fd;

	CHILD_CHECK(10, !fstat(3, &st) && st.st_ino == dir_st.st_ino &&
		    st.st_dev == dir_st.st_dev, "fd 3 is another directory");
	CHILD_CHECK(11, fcntl(4, F_GETFD) == FD_CLOEXEC, "fd 4 lost FD_CLOEXEC");
	/* The rest of the directory, each entry once: nothing lost, nothing twice. */
	read_entries(NR_NAMES + 2, 12);
	for (i = 0; i < NR_NAMES + 2; i++)
		CHILD_CHECK(14, seen[i], "entry %d never seen", i);
	/* *at() calls relative to the directory descriptor. */
	fd = openat(4, "result.tmp", O_CREAT | O_WRONLY | O_EXCL, 0644);
	CHILD_CHECK(15, fd >= 0, "openat: %s", strerror(errno));
	close(fd);
	CHILD_CHECK(16, !renameat(4, "result.tmp", 4, "result"), "renameat: %s",
		    strerror(errno));
	return 0;
}

TEST(directory_fd_keeps_its_position_and_at_calls_still_work)
{
	char path[128];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	child = ckpt_spawn(dir_setup, dir_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	snprintf(path, sizeof(path), "%s/result", dir_path);
	EXPECT_EQ(0, access(path, F_OK)) TH_LOG("the restored process did not rename into it");
	remove_dir(dir_path);
}

/* O_PATH: a file, a directory, a symbolic link itself, a device. */
static struct stat opath_st[4];

static int opath_setup(void)
{
	char name[128], link[128];
	int i;

	snprintf(name, sizeof(name), "%s/f01", dir_path);
	snprintf(link, sizeof(link), "%s/link", dir_path);
	CHILD_CHECK(1, !symlink("f01", link), "symlink");
	CHILD_CHECK(1, open(name, O_PATH) == 3, "O_PATH file");
	CHILD_CHECK(1, open(dir_path, O_PATH | O_DIRECTORY) == 4, "O_PATH directory");
	CHILD_CHECK(1, open(link, O_PATH | O_NOFOLLOW) == 5, "O_PATH symlink");
	CHILD_CHECK(1, open("/dev/null", O_PATH) == 6, "O_PATH device");
	for (i = 0; i < 4; i++)
		CHILD_CHECK(2, !fstatat(3 + i, "", &opath_st[i], AT_EMPTY_PATH), "fstatat");
	return 0;
}

static int opath_verify(void)
{
	char target[16] = "";
	struct stat st;
	int i;

	for (i = 0; i < 4; i++) {
		CHILD_CHECK(10 + i, (fcntl(3 + i, F_GETFL) & O_PATH) &&
			    !fstatat(3 + i, "", &st, AT_EMPTY_PATH) &&
			    st.st_ino == opath_st[i].st_ino && st.st_dev == opath_st[i].st_dev &&
			    (st.st_mode & S_IFMT) == (opath_st[i].st_mode & S_IFMT),
			    "fd %d: not the same file, or not O_PATH", 3 + i);
	}
	CHILD_CHECK(20, readlinkat(5, "", target, sizeof(target) - 1) == 3 &&
		    !strcmp(target, "f01"), "the link reads %s", target);
	CHILD_CHECK(21, read(3, target, 1) == -1 && errno == EBADF, "O_PATH fd can read");
	return 0;
}

TEST(o_path_fds_name_the_same_files_a_symlink_included)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	child = ckpt_spawn(opath_setup, opath_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_KILL));
	remove_dir(dir_path);
}

static int held_setup(void)
{
	CHILD_CHECK(1, open(dir_path, O_RDONLY | O_DIRECTORY) == 3, "open the directory");
	return 0;
}

static int held_verify(void)
{
	struct stat st;

	CHILD_CHECK(10, !fstat(3, &st) && S_ISDIR(st.st_mode), "fd 3");
	return 0;
}

TEST(deleted_directory_is_refused_and_named_and_the_job_runs_on)
{
	char log[1024];
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	child = ckpt_spawn(held_setup, held_verify);
	ASSERT_GT(child, 0);
	remove_dir(dir_path);
	EXPECT_EQ(EOPNOTSUPP, ckpt_checkpoint_log(child, CKPT_KILL, log, sizeof(log)));
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "fd 3"));
	EXPECT_NE(NULL, strstr(log, dir_path)) TH_LOG("the directory is not named");
	EXPECT_EQ(0, ckpt_sleeper_intact(child));
}

TEST(directory_gone_at_restart_fails_it_and_leaves_nothing)
{
	char log[1024];
	pid_t child;
	int fd, lp[2], before;
	ssize_t n;

	if (!ckpt_preamble(_metadata))
		return;
	ASSERT_EQ(0, make_dir());
	child = ckpt_spawn(held_setup, held_verify);
	ASSERT_GT(child, 0);
	fd = ckpt_image_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ckpt_checkpoint(child, fd, CKPT_KILL));
	ASSERT_EQ(128 + SIGKILL, ckpt_reap(child));
	remove_dir(dir_path);
	before = ckpt_count_user_processes();
	ASSERT_EQ(0, pipe2(lp, O_CLOEXEC));
	lseek(fd, 0, SEEK_SET);
	errno = 0;
	EXPECT_EQ(-1, restart(fd, 0, lp[1]));
	EXPECT_EQ(ENOENT, errno);
	close(lp[1]);
	n = ckpt_read_all(lp[0], log, sizeof(log) - 1);
	log[n > 0 ? n : 0] = '\0';
	close(lp[0]);
	TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, dir_path)) TH_LOG("the directory is not named");
	EXPECT_FALSE(ckpt_pid_exists(child));
	EXPECT_FALSE(ckpt_have_children());
	EXPECT_EQ(before, ckpt_count_user_processes());
	close(fd);
}

TEST_HARNESS_MAIN
