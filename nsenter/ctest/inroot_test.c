// Unit tests of inroot.c, the path resolution every mount target goes
// through: nothing outside the rootfs is opened or created, whatever
// symlinks it holds. Built and run by `make unit` (no root needed).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../inroot.h"

static int failures;
static char top[256], rootfs[300], outside[300];

#define CHECK(cond, ...)                                           \
	do {                                                       \
		if (!(cond)) {                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);              \
			fprintf(stderr, "\n");                     \
			failures++;                                \
		}                                                  \
	} while (0)

static void sh(const char *fmt, const char *a)
{
	char cmd[2 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), fmt, a, a, a);
	if (system(cmd) != 0) {
		fprintf(stderr, "setup failed: %s\n", cmd);
		exit(2);
	}
}

// real_path is where fd really is, relative to the rootfs ("" outside it).
static const char *real_path(int fd)
{
	static char buf[PATH_MAX];
	char link[64], real[PATH_MAX];
	ssize_t n = readlink(fd_path(fd, link, sizeof(link)), real, sizeof(real) - 1);
	if (n < 0)
		return "?";
	real[n] = '\0';
	size_t rl = strlen(rootfs);
	if (strncmp(real, rootfs, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
		return "";
	snprintf(buf, sizeof(buf), "%s", real[rl] ? real + rl : "/");
	return buf;
}

static int exists(const char *dir, const char *name)
{
	char p[2 * PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

int main(void)
{
	snprintf(top, sizeof(top), "%s/inroot-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL)
		return 2;
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	sh("mkdir -p %s/rootfs/etc %s/outside", top);
	int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	// clean_rel is filepath.Clean("/"+p) without the slash.
	char c[INROOT_PATH_MAX];
	const char *cases[][2] = {{"/", "."}, {"", "."}, {"/a//b/./c/", "a/b/c"}, {"../../a/../b", "b"}, {"a/..", "."}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clean_rel(cases[i][0], c, sizeof(c));
		CHECK(strcmp(c, cases[i][1]) == 0, "clean_rel(%s) = %s, want %s", cases[i][0], c, cases[i][1]);
	}

	// Absolute and climbing symlinks to the outside resolve inside.
	char cmd[2 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "ln -s %s %s/abs && ln -s ../../../../../../..%s %s/climb && ln -s /made/here %s/dangling",
		 outside, rootfs, outside, rootfs, rootfs);
	if (system(cmd) != 0)
		return 2;
	// (The links point at outside's host path: inside the rootfs, that path.)
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/sub", outside);
	int fd = mkdir_all_in_root(root, "/abs/sub", 0755);
	CHECK(fd >= 0 && strcmp(real_path(fd), want) == 0, "abs/sub is at %s", fd >= 0 ? real_path(fd) : "error");
	CHECK(!exists(outside, "sub"), "abs/sub was made outside the rootfs");
	if (fd >= 0)
		close(fd);
	snprintf(want, sizeof(want), "%s/x", outside);
	fd = mkdir_all_in_root(root, "climb/x", 0755);
	CHECK(fd >= 0 && strcmp(real_path(fd), want) == 0, "climb/x is at %s", fd >= 0 ? real_path(fd) : "error");
	CHECK(!exists(outside, "x"), "climb/x was made outside the rootfs");
	if (fd >= 0)
		close(fd);

	// A dangling link's target is made inside the rootfs.
	fd = mkdir_all_in_root(root, "/dangling/d", 0755);
	CHECK(fd >= 0 && strcmp(real_path(fd), "/made/here/d") == 0, "dangling: %s", fd >= 0 ? real_path(fd) : "error");
	if (fd >= 0)
		close(fd);

	// A regular file in the path is an error naming it.
	sh("touch %s/rootfs/etc/file", top);
	fd = mkdir_all_in_root(root, "/etc/file/sub", 0755);
	CHECK(fd < 0 && inroot_err.err == ENOTDIR && strcmp(inroot_err.path, "/etc/file/sub") == 0,
	      "file component: fd %d err %d path %s", fd, inroot_err.err, inroot_err.path);

	// A file target through a link to a host file: made inside, the host
	// file untouched.
	snprintf(cmd, sizeof(cmd), "echo host >%s/hostfile && ln -s %s/hostfile %s/etc/evil", outside, outside, rootfs);
	if (system(cmd) != 0)
		return 2;
	fd = create_file_in_root(root, "/etc/evil", 0644);
	snprintf(want, sizeof(want), "%s/hostfile", outside);
	CHECK(fd >= 0 && strcmp(real_path(fd), want) == 0, "etc/evil is at %s", fd >= 0 ? real_path(fd) : "error");
	if (fd >= 0)
		close(fd);

	// open_in_root never leaves the rootfs either.
	fd = open_in_root(root, "/abs/../../../..", O_PATH | O_DIRECTORY);
	CHECK(fd >= 0 && strcmp(real_path(fd), "/") == 0, "../ escaped: %s", fd >= 0 ? real_path(fd) : "error");
	if (fd >= 0)
		close(fd);

	sh("rm -rf %s", top);
	if (failures > 0) {
		fprintf(stderr, "inroot: %d failures\n", failures);
		return 1;
	}
	printf("inroot: ok\n");
	return 0;
}
