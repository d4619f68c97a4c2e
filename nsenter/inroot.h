// Paths inside the rootfs, resolved as if the rootfs were "/": nothing
// outside it is ever opened or created, whatever symlinks it holds
// (CVE-2021-30465). The functions return O_PATH fds; on failure -1, with
// the failed step in inroot_err.
#ifndef BERTH_INROOT_H
#define BERTH_INROOT_H

#include <stddef.h>
#include <sys/types.h>

#define INROOT_PATH_MAX 4096

// inroot_err is the last failure: "open /etc/foo" and its errno.
struct inroot_error {
	const char *op;
	char path[INROOT_PATH_MAX + 2];
	int err;
};
extern struct inroot_error inroot_err;

// clean_rel turns a container path into one relative to the rootfs ("."
// for the root), as Go's filepath.Clean("/"+p) without the slash. It
// returns -1 (ENAMETOOLONG in inroot_err) when it does not fit.
int clean_rel(const char *p, char *out, size_t size);
// open_in_root opens rel inside root: absolute symlinks and ".." stop at
// root, magic links are refused. One openat2 call, race-free.
int open_in_root(int root, const char *rel, int flags);
// mkdir_all_in_root creates rel and its missing parents and opens it.
// Dangling symlinks are followed inside root (their target is made, as
// runc does); a component that is not a directory is an error.
int mkdir_all_in_root(int root, const char *rel, mode_t mode);
// create_file_in_root opens the file rel, creating an empty one (and its
// parents) when missing.
int create_file_in_root(int root, const char *rel, mode_t mode);
// fd_path names an fd through procfs, for syscalls that want a path.
const char *fd_path(int fd, char *buf, size_t size);

#endif
