// The rootfs plan's steps around the pivot (rootfs.c drives them): lo in a
// new network namespace; entering the rootfs; hostname, domainname and
// sysctls; then a read-only root, readonlyPaths and maskedPaths, in runc's
// order.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "planio.h"
#include "rootfs_steps.h"

// bring_up_loopback sets lo up, as runc does in a new network namespace.
void bring_up_loopback(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		plan_fail(errno, "bring up lo: socket");
	struct ifreq req;
	memset(&req, 0, sizeof(req));
	snprintf(req.ifr_name, sizeof(req.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &req) < 0)
		plan_fail(errno, "bring up lo: get flags");
	req.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &req) < 0)
		plan_fail(errno, "bring up lo: set flags");
	close(fd);
}

// pivot makes the rootfs "/" and detaches the old root with the
// pivot_root(".", ".") idiom: no directory for the old root is needed
// inside the rootfs, and the old root is stacked under the new one until
// unmounted.
static void pivot(const char *rootfs)
{
	int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		plan_fail(errno, "open old root");
	int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		plan_fail(errno, "open rootfs");
	if (fchdir(newroot) < 0)
		plan_fail(errno, "chdir to rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		plan_fail(errno, "pivot_root");
	if (fchdir(oldroot) < 0)
		plan_fail(errno, "chdir to old root");
	// Keep the unmount from propagating to the host.
	do_mount("", ".", NULL, MS_SLAVE | MS_REC, NULL);
	if (umount2(".", MNT_DETACH) < 0)
		plan_fail(errno, "umount \".\"");
	if (chdir("/") < 0)
		plan_fail(errno, "chdir to new root");
	close(oldroot);
	close(newroot);
}

// unescape_mountinfo undoes mountinfo's octal escapes (\040 for space) in place.
static void unescape_mountinfo(char *s)
{
	char *o = s;
	for (char *c = s; *c; c++) {
		if (c[0] == '\\' && c[1] >= '0' && c[1] <= '7' && c[2] >= '0' && c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
			*o++ = (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
			c += 3;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
}

// is_under reports whether path is dir or inside it.
static int is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

// move_root is --no-pivot: for a rootfs on a ramfs (where pivot_root fails),
// detach every mount outside the rootfs, move the rootfs onto "/" and
// chroot.
static void move_root(const char *rootfs)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		plan_fail(errno, "open /proc/self/mountinfo");
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		// id parent major:minor root mountpoint ...
		char *save = NULL, *mp = NULL, *field = strtok_r(line, " ", &save);
		for (int i = 1; field != NULL && i < 5; i++)
			field = strtok_r(NULL, " ", &save);
		if ((mp = field) == NULL)
			continue;
		unescape_mountinfo(mp);
		if (strcmp(mp, "/") == 0 || is_under(mp, rootfs) || is_under(rootfs, mp))
			continue;
		// Best effort: a mount whose parent was already detached is gone.
		if (mount("", mp, NULL, MS_PRIVATE | MS_REC, NULL) == 0)
			(void)umount2(mp, MNT_DETACH);
	}
	free(line);
	fclose(f);
	if (chdir(rootfs) < 0)
		plan_fail(errno, "chdir to rootfs");
	do_mount(rootfs, "/", NULL, MS_MOVE, NULL);
	if (chroot(".") < 0)
		plan_fail(errno, "chroot \".\"");
	if (chdir("/") < 0)
		plan_fail(errno, "chdir to new root");
}

void enter_rootfs(struct rootfs_plan *p)
{
	if (p->no_pivot)
		move_root(p->rootfs);
	else
		pivot(p->rootfs);
	// linux.rootfsPropagation is the propagation of the container's "/".
	if (p->has_root_propagation)
		do_mount("", "/", NULL, p->root_propagation, NULL);
}

// set_kernel_settings sets hostname, domainname and sysctls, all inside the
// container's namespaces (validation refused those that would reach the
// host). Sysctls go through a procfs of our own (CVE-2025-52881).
void set_kernel_settings(struct rootfs_plan *p)
{
	char q[1024];
	if (p->hostname != NULL && sethostname(p->hostname, strlen(p->hostname)) < 0)
		plan_fail(errno, "sethostname %s", go_quote(p->hostname, q, sizeof(q)));
	if (p->domainname != NULL && setdomainname(p->domainname, strlen(p->domainname)) < 0)
		plan_fail(errno, "setdomainname %s", go_quote(p->domainname, q, sizeof(q)));
	if (p->nsysctls == 0)
		return;
	const char *step;
	int proc = private_proc(&step);
	if (proc < 0)
		plan_fail(errno, "linux.sysctl: %s", step);
	for (int i = 0; i < p->nsysctls; i++) {
		struct sysctl *s = &p->sysctls[i];
		if (private_proc_write(proc, s->path, s->value, &step) < 0)
			plan_fail(errno, "linux.sysctl: set %s to %s: %s /proc/%s", s->key, go_quote(s->value, q, sizeof(q)), step, s->path);
	}
	close(proc);
}

// open_nofollow opens path (after the pivot) without following a final
// symlink; -1 for a missing path, which is skipped.
static int open_nofollow(const char *path)
{
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		rfail(errno, "open %s", path);
	return fd;
}

// readonly_path bind-mounts path onto itself read-only. A missing path is
// fine: the spec's default list names files not every kernel has.
static void readonly_path(const char *path)
{
	int f = open_nofollow(path);
	if (f < 0)
		return;
	char fdp[64];
	fd_path(f, fdp, sizeof(fdp));
	do_mount(fdp, fdp, NULL, MS_BIND | MS_REC, NULL);
	close(f);
	// The old fd names the file under the new mount: reopen it.
	int mnt = open_nofollow(path);
	if (mnt < 0)
		rfail(ENOENT, "open %s", path);
	remount(mnt, path, MS_RDONLY | MS_REC, 0);
	close(mnt);
}

static int is_null_device(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

// open_dev_null opens the container's /dev/null (flags: O_PATH, O_RDWR)
// and checks it is the null character device (1:3): a symlink or another
// file there would turn a mask into an exposure (CVE-2025-31133).
static int open_dev_null(int flags)
{
	int fd = open("/dev/null", flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		rfail(errno, "open /dev/null");
	struct stat st;
	if (fstat(fd, &st) < 0)
		rfail(errno, "stat /dev/null");
	if (!is_null_device(&st))
		rfail(0, "/dev/null is not the null device");
	return fd;
}

// mask_path hides path: a directory gets an empty read-only tmpfs, anything
// else the container's /dev/null.
static void mask_path(const char *path, int null)
{
	int f = open_nofollow(path);
	if (f < 0)
		return;
	struct stat st;
	char q[INROOT_PATH_MAX * 2], fdp[64], nullp[64];
	if (fstat(f, &st) < 0)
		rfail(errno, "stat %s", go_quote(path, q, sizeof(q)));
	fd_path(f, fdp, sizeof(fdp));
	if (S_ISDIR(st.st_mode))
		do_mount("tmpfs", fdp, "tmpfs", MS_RDONLY, "");
	else
		do_mount(fd_path(null, nullp, sizeof(nullp)), fdp, NULL, MS_BIND, NULL);
	close(f);
}

// reopen_dev_null points stdio that is a /dev/null outside the container
// (podman's stdin, `</dev/null` from a shell) at the container's own, as
// runc does: criu cannot dump an fd on a mount the container does not
// have, so such a container could not be checkpointed. Only for a /dev the
// runtime made, where /dev/null is the node it created.
static void reopen_dev_null(void)
{
	int null = -1;
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0 || !is_null_device(&st))
			continue;
		if (null < 0)
			null = open_dev_null(O_RDWR | O_NOCTTY);
		if (dup2(null, fd) < 0)
			rfail(errno, "reopen /dev/null as fd %d", fd);
	}
	if (null >= 0)
		close(null);
}

// remount_readonly makes read-only the tmpfs and /dev mounts that went up
// read-write so that the mounts, devices and modes under them could be
// made (as runc does).
static void remount_readonly(struct rootfs_plan *p)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		rfail(errno, "open /");
	for (int i = 0; i < p->nreadonly_mounts; i++) {
		struct readonly_mount *m = &p->readonly_mounts[i];
		char q[INROOT_PATH_MAX * 2];
		snprintf(step_prefix, sizeof(step_prefix), "mounts[%u] (%s): ", m->index, go_quote(m->dest, q, sizeof(q)));
		int mnt = open_in_root(root, m->dest, O_PATH | O_DIRECTORY);
		if (mnt < 0)
			fail_path("");
		remount(mnt, m->dest, (unsigned long)m->flags, 0);
		close(mnt);
	}
	close(root);
}

void finish_rootfs(struct rootfs_plan *p)
{
	if (p->dev_links) {
		snprintf(step_prefix, sizeof(step_prefix), "stdio: ");
		reopen_dev_null();
	}
	remount_readonly(p);
	if (p->readonly_root) {
		snprintf(step_prefix, sizeof(step_prefix), "root.readonly: ");
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			rfail(errno, "open /");
		remount(root, "/", MS_RDONLY, 0);
		close(root);
	}
	for (int i = 0; i < p->nreadonly; i++) {
		snprintf(step_prefix, sizeof(step_prefix), "linux.readonlyPaths[%u]: ", p->readonly[i].index);
		readonly_path(p->readonly[i].path);
	}
	if (p->nmasked > 0) {
		snprintf(step_prefix, sizeof(step_prefix), "linux.maskedPaths: ");
		int null = open_dev_null(O_PATH);
		for (int i = 0; i < p->nmasked; i++) {
			snprintf(step_prefix, sizeof(step_prefix), "linux.maskedPaths[%u]: ", p->masked[i].index);
			mask_path(p->masked[i].path, null);
		}
		close(null);
	}
	step_prefix[0] = '\0';
}
