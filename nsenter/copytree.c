// The copy of tmpcopyup (copytree.h).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copytree.h"
#include "stageio.h"

static int copy_file(int src, int dst, const char *name, mode_t mode)
{
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return errno;
	int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out < 0) {
		int err = errno;
		close(in);
		return err;
	}
	char buf[65536];
	int err = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		if ((err = write_exact(out, buf, (size_t)n)) != 0)
			break;
	}
	close(in);
	if (close(out) < 0 && err == 0)
		err = errno;
	return err;
}

// copy_entry copies src/name to dst/name; rel names it in errors.
static int copy_dir(int src, int dst, char *rel, size_t size);

static int copy_entry(int src, int dst, const char *name, char *rel, size_t size)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	mode_t mode = st.st_mode & 07777;
	int err = 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if (mkdirat(dst, name, mode) < 0)
			return errno;
		break;
	case S_IFLNK: {
		char target[4096];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return errno;
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return errno;
		break;
	}
	case S_IFREG:
		if ((err = copy_file(src, dst, name, mode)) != 0)
			return err;
		break;
	default:
		if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
			return errno;
	}
	if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	if (S_ISLNK(st.st_mode))
		return 0;
	// Past the umask, with the special bits.
	if (fchmodat(dst, name, mode, 0) < 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return 0;
	int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0)
		return errno;
	int d = openat(dst, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0) {
		err = errno;
		close(s);
		return err;
	}
	err = copy_dir(s, d, rel, size);
	close(d);
	return err;
}

// copy_dir copies the entries of src (an fd it takes over) into dst.
static int copy_dir(int src, int dst, char *rel, size_t size)
{
	DIR *dir = fdopendir(src);
	if (dir == NULL) {
		int err = errno;
		close(src);
		return err;
	}
	int err = 0;
	size_t len = strlen(rel);
	struct dirent *e;
	while (err == 0) {
		errno = 0;
		if ((e = readdir(dir)) == NULL) {
			err = errno;
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(rel + len, size - len, "%s%s", len ? "/" : "", e->d_name);
		err = copy_entry(dirfd(dir), dst, e->d_name, rel, size);
		if (err == 0)
			rel[len] = '\0';
	}
	closedir(dir);
	return err;
}

int copy_tree(int src, int dst, char *what, size_t size)
{
	char rel[4096] = "";
	int s = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0) {
		snprintf(what, size, "open");
		return errno;
	}
	int err = copy_dir(s, dst, rel, sizeof(rel));
	if (err != 0)
		snprintf(what, size, "copy %s", rel[0] ? rel : ".");
	return err;
}
