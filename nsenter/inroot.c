// Path resolution inside the rootfs (inroot.h).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"

struct inroot_error inroot_err;

// set_err records a failed step; path is relative to the rootfs.
static int set_err(const char *op, const char *path, int err)
{
	inroot_err.op = op;
	snprintf(inroot_err.path, sizeof(inroot_err.path), "/%s", path);
	inroot_err.err = err;
	return -1;
}

const char *fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

int clean_rel(const char *p, char *out, size_t size)
{
	size_t o = 0;
	while (*p) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 1 && p[0] == '.') {
			// nothing
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			if (o + n + 2 > size) {
				out[0] = '\0';
				return set_err("resolve", "", ENAMETOOLONG);
			}
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

// split_last cuts the clean, non-root rel into its parent ("." at the top)
// and its last component.
static const char *split_last(const char *rel, char *dir, size_t size)
{
	const char *slash = strrchr(rel, '/');
	if (slash == NULL) {
		snprintf(dir, size, ".");
		return rel;
	}
	snprintf(dir, size, "%.*s", (int)(slash - rel), rel);
	return slash + 1;
}

static int openat2_retry(int dirfd, const char *path, struct open_how *how)
{
	for (;;) {
		int fd = (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
		// EAGAIN: a concurrent rename, the kernel asks us to retry.
		if (fd < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		return fd;
	}
}

int open_in_root(int root, const char *rel, int flags)
{
	char c[INROOT_PATH_MAX];
	if (clean_rel(rel, c, sizeof(c)) < 0)
		return -1;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = openat2_retry(root, c, &how);
	if (fd < 0)
		return set_err("open", c, errno);
	return fd;
}

// open_beneath opens the directory name in dir without following any link.
static int open_beneath(int dir, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	return openat2_retry(dir, name, &how);
}

// mkdir_under_parent makes rel's last component in its existing parent: the
// common case. Any surprise is left to the general path.
static int mkdir_under_parent(int root, const char *rel, mode_t mode)
{
	if (strcmp(rel, ".") == 0)
		return -1;
	char dir[INROOT_PATH_MAX];
	const char *base = split_last(rel, dir, sizeof(dir));
	int parent = open_in_root(root, dir, O_PATH | O_DIRECTORY);
	if (parent < 0)
		return -1;
	int fd = -1;
	if (mkdirat(parent, base, mode) == 0)
		fd = open_beneath(parent, base);
	close(parent);
	return fd;
}

// mkdir_resolved is mkdir -p of a path whose existing part has no symlinks.
// Each step opens what it made without following links, so a symlink
// swapped in meanwhile makes it fail rather than escape.
static int mkdir_resolved(int root, const char *rel, mode_t mode)
{
	int cur = open_in_root(root, ".", O_PATH | O_DIRECTORY);
	if (cur < 0 || strcmp(rel, ".") == 0)
		return cur;
	char done[INROOT_PATH_MAX];
	size_t dn = 0;
	const char *p = rel;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		char name[INROOT_PATH_MAX];
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		dn += (size_t)snprintf(done + dn, sizeof(done) - dn, "%s%s", dn ? "/" : "", name);
		if (mkdirat(cur, name, mode) < 0 && errno != EEXIST) {
			int err = errno;
			close(cur);
			return set_err("mkdir", done, err);
		}
		int next = open_beneath(cur, name);
		int err = errno;
		close(cur);
		if (next < 0)
			return set_err("open", done, err);
		cur = next;
		p = *end ? end + 1 : end;
	}
	return cur;
}

// append_component adds name to the path in buf (length *n).
static int append_component(char *buf, size_t *n, size_t size, const char *name, size_t len)
{
	if (*n + len + 2 > size)
		return -1;
	if (*n > 0)
		buf[(*n)++] = '/';
	memcpy(buf + *n, name, len);
	*n += len;
	buf[*n] = '\0';
	return 0;
}

static void drop_component(char *buf, size_t *n)
{
	while (*n > 0 && buf[*n - 1] != '/')
		(*n)--;
	if (*n > 0)
		(*n)--;
	buf[*n] = '\0';
}

// resolve_in_root follows the symlinks of rel's existing components as if
// root were "/" (".." stops at root, absolute targets restart there) and
// writes the symlink-free path they lead to, which may not exist yet.
static int resolve_in_root(int root, const char *rel, char *out, size_t size)
{
	char todo[2 * INROOT_PATH_MAX + 2], clean[INROOT_PATH_MAX];
	if (clean_rel(rel, clean, sizeof(clean)) < 0)
		return -1;
	snprintf(todo, sizeof(todo), "%s", clean);
	size_t dn = 0;
	out[0] = '\0';
	int links = 0, missing = 0;
	char *t = todo;
	while (*t) {
		char *end = strchrnul(t, '/');
		size_t n = (size_t)(end - t);
		char *next = *end ? end + 1 : end;
		if (n == 0 || (n == 1 && t[0] == '.')) {
			t = next;
			continue;
		}
		if (n == 2 && t[0] == '.' && t[1] == '.') {
			drop_component(out, &dn);
			t = next;
			continue;
		}
		size_t before = dn;
		if (append_component(out, &dn, size, t, n) < 0)
			return set_err("resolve", clean, ENAMETOOLONG);
		t = next;
		if (missing)
			continue; // past a missing component: only names remain
		char target[INROOT_PATH_MAX];
		ssize_t r = readlinkat(root, out, target, sizeof(target) - 1);
		if (r < 0 && errno == EINVAL)
			continue; // exists, not a symlink
		if (r < 0 && errno == ENOENT) {
			missing = 1; // the rest does not exist yet
			continue;
		}
		if (r < 0)
			return set_err("readlink", out, errno);
		target[r] = '\0';
		if (++links > 255)
			return set_err("resolve", clean, ELOOP);
		dn = target[0] == '/' ? 0 : before;
		out[dn] = '\0';
		char rest[2 * INROOT_PATH_MAX + 2];
		if ((size_t)snprintf(rest, sizeof(rest), "%s/%s", target, t) >= sizeof(rest))
			return set_err("resolve", clean, ENAMETOOLONG);
		memcpy(todo, rest, strlen(rest) + 1);
		t = todo;
	}
	if (dn == 0)
		snprintf(out, size, ".");
	return 0;
}

int mkdir_all_in_root(int root, const char *rel, mode_t mode)
{
	int fd = open_in_root(root, rel, O_PATH | O_DIRECTORY);
	if (fd >= 0 || inroot_err.err != ENOENT)
		return fd;
	struct inroot_error first = inroot_err;
	char c[INROOT_PATH_MAX];
	if (clean_rel(rel, c, sizeof(c)) < 0)
		return -1;
	fd = mkdir_under_parent(root, c, mode);
	if (fd >= 0)
		return fd;
	inroot_err = first;
	char resolved[INROOT_PATH_MAX];
	if (resolve_in_root(root, c, resolved, sizeof(resolved)) < 0)
		return -1;
	return mkdir_resolved(root, resolved, mode);
}

int create_file_in_root(int root, const char *rel, mode_t mode)
{
	int fd = open_in_root(root, rel, O_PATH);
	if (fd >= 0 || inroot_err.err != ENOENT)
		return fd;
	char resolved[INROOT_PATH_MAX], dir[INROOT_PATH_MAX];
	if (resolve_in_root(root, rel, resolved, sizeof(resolved)) < 0)
		return -1;
	if (strcmp(resolved, ".") == 0)
		return open_in_root(root, ".", O_PATH);
	const char *base = split_last(resolved, dir, sizeof(dir));
	int parent = mkdir_resolved(root, dir, 0755);
	if (parent < 0)
		return -1;
	fd = openat(parent, base, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, mode);
	int err = errno;
	close(parent);
	if (fd < 0 && err != EEXIST)
		return set_err("create", resolved, err);
	if (fd >= 0)
		close(fd);
	// Resolve again from the root: if a symlink sits there now, it is
	// followed inside the rootfs, never mounted on.
	return open_in_root(root, resolved, O_PATH);
}
