// The spec's mounts and the device nodes of the rootfs plan (rootfs.c
// drives them). Every target is created and opened inside the rootfs
// without following symlinks out of it (inroot.c), and the mount goes onto
// that fd, so a symlink swapped in afterwards cannot redirect it
// (CVE-2021-30465).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mountapi.h"
#include "mountdata.h"
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "copytree.h"
#include "inroot.h"
#include "planio.h"
#include "rootfs.h"
#include "rootfs_steps.h"

static int open_mount_target(int root, const char *dest, int dir)
{
	int fd = dir ? mkdir_all_in_root(root, dest, 0755) : create_file_in_root(root, dest, 0644);
	if (fd < 0)
		fail_path("");
	return fd;
}

// check_proc_target refuses mounts over /proc or inside it, except a real
// proc mount (or a bind of one) on /proc and the files lxcfs emulates:
// mounting over procfs files is a known way out of a container. "Inside
// /proc" is decided by where the target really is and by the filesystem it
// is on (a procfs reached another way counts too). proc and sysfs must be
// mounted on an ordinary directory, not through a symlink.
static void check_proc_target(struct rootfs_plan *p, int target, struct mount_step *m)
{
	char link[64], real[INROOT_PATH_MAX + 1], q[INROOT_PATH_MAX * 2];
	ssize_t n = readlink(fd_path(target, link, sizeof(link)), real, sizeof(real) - 1);
	if (n < 0)
		rfail(errno, "readlink %s", link);
	real[n] = '\0';
	char rel[INROOT_PATH_MAX], want[2 * INROOT_PATH_MAX + 2];
	if (clean_rel(m->dest, rel, sizeof(rel)) < 0)
		fail_path("");
	if (strcmp(rel, ".") == 0)
		snprintf(want, sizeof(want), "%s", p->rootfs);
	else
		snprintf(want, sizeof(want), "%s/%s", p->rootfs, rel);
	int special = strcmp(m->fstype, "proc") == 0 || strcmp(m->fstype, "sysfs") == 0;
	if (special && strcmp(real, want) != 0)
		rfail(0, "%s: %s must be mounted on ordinary directory, not through a symlink",
		      go_quote(m->dest, q, sizeof(q)), m->fstype);
	struct statfs st;
	if (fstatfs(target, &st) < 0)
		rfail(errno, "statfs %s", go_quote(m->dest, q, sizeof(q)));
	char procdir[INROOT_PATH_MAX + 8];
	snprintf(procdir, sizeof(procdir), "%s/proc", p->rootfs);
	size_t pl = strlen(procdir);
	int on_proc = st.f_type == PROC_SUPER_MAGIC;
	int is_proc = strcmp(real, procdir) == 0;
	int under_proc = strncmp(real, procdir, pl) == 0 && real[pl] == '/';
	if (!is_proc && !under_proc && !on_proc)
		return;
	if (is_proc && !on_proc) {
		if (strcmp(m->fstype, "proc") == 0)
			return;
		// A bind of a procfs (the host's /proc, with its pid namespace),
		// as runc allows.
		struct statfs src;
		if (m->kind == MK_BIND && statfs(m->source, &src) == 0 && src.f_type == PROC_SUPER_MAGIC)
			return;
		rfail(0, "%s cannot be mounted because it is not of type proc", go_quote(m->dest, q, sizeof(q)));
	}
	static const char *const emulated[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
		"/proc/swaps",   "/proc/uptime",    "/proc/loadavg", "/proc/slabinfo",
		"/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	size_t rl = strlen(p->rootfs);
	if (strncmp(real, p->rootfs, rl) == 0)
		for (size_t i = 0; i < sizeof(emulated) / sizeof(emulated[0]); i++)
			if (strcmp(real + rl, emulated[i]) == 0)
				return;
	rfail(0, "%s cannot be mounted because it is inside /proc", go_quote(m->dest, q, sizeof(q)));
}

// apply_attrs sets propagation and the recursive "r*" attributes on the
// mount opened as mnt.
static void apply_attrs(int mnt, struct mount_step *m)
{
	char path[64];
	for (uint32_t i = 0; i < m->nprop; i++)
		do_mount("", fd_path(mnt, path, sizeof(path)), NULL, m->prop[i], NULL);
	if (m->rec_set == 0 && m->rec_clr == 0)
		return;
	struct mount_attr attr = {.attr_set = m->rec_set, .attr_clr = m->rec_clr};
	if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		rfail(errno, "mount_setattr");
}

// apply_attrs_at is apply_attrs on the mount now at m->dest, if needed.
static void apply_attrs_at(int root, struct mount_step *m)
{
	if (m->nprop == 0 && m->rec_set == 0 && m->rec_clr == 0)
		return;
	int mnt = open_mount_target(root, m->dest, 1);
	apply_attrs(mnt, m);
	close(mnt);
}

// mount_bind bind-mounts the source, then applies the per-mount flags with a
// remount, as mount(8) does.
static void mount_bind(struct rootfs_plan *p, int root, struct mount_step *m)
{
	struct stat st;
	// The parent made the id-mapped tree (it needs privileges over the
	// source's filesystem the container does not have): attach it.
	int tree = m->idmap_fd;
	if (stat(m->source, &st) < 0) {
		// In a user namespace, root may not reach a source that the
		// parent (root on the host) could: attach the copy it made, as
		// runc binds the source it opened.
		int err = errno;
		if (m->source_fd < 0 || (err != EACCES && err != EPERM) || fstat(m->source_fd, &st) < 0)
			rfail(err, "bind mount source: stat %s", m->source);
		tree = m->source_fd;
	} else if (m->source_fd >= 0) {
		close(m->source_fd);
	}
	int dir = S_ISDIR(st.st_mode);
	int target = open_mount_target(root, m->dest, dir);
	check_proc_target(p, target, m);
	char path[64];
	if (tree >= 0) {
		if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			rfail(errno, "move_mount the tree of %s", m->source);
		close(tree);
	} else {
		do_mount(m->source, fd_path(target, path, sizeof(path)), NULL, MS_BIND | (m->flags & MS_REC), NULL);
	}
	close(target);
	// The old fd still names the directory under the new mount: reopen the
	// destination to reach the mount itself.
	int mnt = open_mount_target(root, m->dest, dir);
	const uint64_t own = MS_BIND | MS_REC | MS_REMOUNT;
	if ((m->flags & ~own) != 0 || m->clear != 0)
		remount(mnt, m->dest, m->flags & ~own, m->clear);
	apply_attrs(mnt, m);
	close(mnt);
}

static uint64_t mount_attr_of(uint64_t flags)
{
	static const struct {
		uint64_t ms, attr;
	} map[] = {
		{MS_RDONLY, MOUNT_ATTR_RDONLY},	      {MS_NOSUID, MOUNT_ATTR_NOSUID},
		{MS_NODEV, MOUNT_ATTR_NODEV},	      {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
		{MS_NOATIME, MOUNT_ATTR_NOATIME},     {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
		{MS_STRICTATIME, MOUNT_ATTR_STRICTATIME},
	};
	uint64_t a = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (flags & map[i].ms)
			a |= map[i].attr;
	return a;
}

// mount_tmpfs_copyup mounts on target a tmpfs that starts with a copy of
// what the directory held ("tmpcopyup"): built detached (fsopen), filled,
// given its flags, then moved onto target.
static void mount_tmpfs_copyup(int target, struct mount_step *m, int keep, mode_t mode)
{
	char q[INROOT_PATH_MAX * 2];
	int fsfd = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		rfail(errno, "fsopen tmpfs");
	const char *source = m->source[0] ? m->source : "tmpfs";
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		rfail(errno, "tmpfs source %s", go_quote(source, q, sizeof(q)));
	// data is the comma-separated option list, as mount(2) takes it.
	char *data = strdup(m->data), *rest = data;
	if (data == NULL)
		rfail(ENOMEM, "tmpcopyup");
	for (char *o; (o = next_option(&rest)) != NULL;) {
		char *eq = strchr(o, '=');
		long r;
		if (eq != NULL) {
			char *v = eq + 1, *u = unquote(v);
			*eq = '\0';
			r = syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, o, u, 0);
			*eq = '=';
			if (u != v) // the closing quote back, for the error below
				v[strlen(v)] = '"';
		} else {
			r = syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FLAG, o, NULL, 0);
		}
		if (r < 0)
			rfail(errno, "tmpfs option %s", go_quote(o, q, sizeof(q)));
	}
	free(data);
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		rfail(errno, "create tmpfs");
	int mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, 0);
	if (mfd < 0)
		rfail(errno, "fsmount tmpfs");
	close(fsfd);
	char what[INROOT_PATH_MAX];
	int err = copy_tree(target, mfd, what, sizeof(what));
	if (err != 0)
		rfail(err, "tmpcopyup %s: %s", go_quote(m->dest, q, sizeof(q)), what);
	char path[64];
	if (keep && chmod(fd_path(mfd, path, sizeof(path)), mode) < 0)
		rfail(errno, "tmpcopyup %s: chmod", go_quote(m->dest, q, sizeof(q)));
	uint64_t attr = mount_attr_of(m->flags);
	if (attr != 0) {
		struct mount_attr a = {.attr_set = attr};
		if (syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
			rfail(errno, "mount_setattr %s", go_quote(m->dest, q, sizeof(q)));
	}
	if (syscall(SYS_move_mount, mfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		rfail(errno, "move_mount tmpfs to %s", go_quote(m->dest, q, sizeof(q)));
	close(mfd);
}

// has_option says whether the comma-separated data has an option name=...
static int has_option(const char *data, const char *name)
{
	size_t n = strlen(name);
	for (const char *o = data; o != NULL; o = strchr(o, ',')) {
		if (*o == ',')
			o++;
		if (strncmp(o, name, n) == 0 && o[n] == '=')
			return 1;
	}
	return 0;
}

// mount_fs mounts a new filesystem instance (proc, sysfs, tmpfs, devpts,
// mqueue, cgroup2, overlay, ...) on a directory.
static void mount_fs(struct rootfs_plan *p, int root, struct mount_step *m)
{
	// A tmpfs over an existing directory takes that directory's mode,
	// unless it has a mode= option (newer runc; 1.1.5 let the directory's
	// win over it too).
	int keep = 0;
	mode_t mode = 0;
	if (strcmp(m->fstype, "tmpfs") == 0 && !has_option(m->data, "mode")) {
		int h = open_in_root(root, m->dest, O_PATH | O_DIRECTORY);
		struct stat st;
		if (h >= 0 && fstat(h, &st) == 0) {
			keep = 1;
			mode = st.st_mode & 07777;
		}
		if (h >= 0)
			close(h);
	}
	int target = open_mount_target(root, m->dest, 1);
	check_proc_target(p, target, m);
	if (m->tmpcopyup) { // the parent sets it for tmpfs only
		mount_tmpfs_copyup(target, m, keep, mode);
		close(target);
		apply_attrs_at(root, m);
		return;
	}
	const char *src = m->source[0] ? m->source : m->fstype;
	unsigned long flags = m->flags & ~(uint64_t)MS_REMOUNT;
	char path[64];
	do_mount(src, fd_path(target, path, sizeof(path)), m->fstype, flags, m->data);
	close(target);
	char q[INROOT_PATH_MAX * 2];
	if (keep && !(flags & MS_RDONLY)) {
		int mnt = open_mount_target(root, m->dest, 1);
		if (chmod(fd_path(mnt, path, sizeof(path)), mode) < 0)
			rfail(errno, "chmod tmpfs %s", go_quote(m->dest, q, sizeof(q)));
		close(mnt);
	}
	if (m->file_label != NULL) {
		int mnt = open_mount_target(root, m->dest, 1);
		const char *l = m->file_label;
		if (setxattr(fd_path(mnt, path, sizeof(path)), "security.selinux", l, strlen(l), 0) < 0)
			rfail(errno, "set SELinux label of %s to %s", go_quote(m->dest, q, sizeof(q)), l);
		close(mnt);
	}
	apply_attrs_at(root, m);
}

// A v1 cgroup mount's hierarchies are looked up from two directories
// opened once, not from the roots: their targets from the tmpfs just
// mounted at the mount's destination (<rootfs>/sys/fs/cgroup), their bind
// sources from the host's /sys/fs/cgroup (the init's cwd while they are
// mounted), under which cgroupHierarchies (libcontainer) takes them all.
// A path from either root crosses sysfs ("sys/fs"), and each sysfs
// component of a lookup waits for the sysfs root's lock, which every
// network namespace created or torn down elsewhere takes for writing
// (docs/performance.md).
struct hierarchy_dirs {
	int target;	  // the tmpfs's root, or -1: from the rootfs
	const char *dest; // the mount's destination, the tmpfs's path
	int source;	  // 1: the cwd is the host's /sys/fs/cgroup
};

#define CGROUP_ROOT "/sys/fs/cgroup/"

static int open_hierarchy_target(int root, struct hierarchy_dirs *h, const char *dest)
{
	size_t n = h->target >= 0 ? strlen(h->dest) : 0;
	if (n > 0 && strncmp(dest, h->dest, n) == 0 && dest[n] == '/') {
		int fd = mkdir_all_in_root(h->target, dest + n + 1, 0755);
		if (fd >= 0)
			return fd;
	}
	// (again from the rootfs, for the error to name the whole path)
	return open_mount_target(root, dest, 1);
}

// mount_hierarchy mounts one cgroup hierarchy: afresh inside a cgroup
// namespace, else a bind of the container's own cgroup dir.
static void mount_hierarchy(int root, struct hierarchy_dirs *h, struct cgroup_dir *d, unsigned long flags)
{
	char path[64];
	int target = open_hierarchy_target(root, h, d->dest);
	if (d->fresh) {
		// The source is only a name in mountinfo; runc's for the named
		// systemd hierarchy is "systemd", and tools match on it.
		const char *source = strcmp(d->arg, "name=systemd") == 0 ? "systemd" : d->fstype;
		do_mount(source, fd_path(target, path, sizeof(path)), d->fstype, flags, d->arg);
		close(target);
		return;
	}
	const char *source = d->arg;
	size_t n = strlen(CGROUP_ROOT);
	if (h->source && strncmp(source, CGROUP_ROOT, n) == 0 && source[n] != '\0')
		source += n;
	do_mount_named(source, d->arg, fd_path(target, path, sizeof(path)), NULL, MS_BIND | MS_REC, NULL);
	close(target);
	int mnt = open_hierarchy_target(root, h, d->dest);
	do_mount("", fd_path(mnt, path, sizeof(path)), NULL, MS_BIND | MS_REMOUNT | flags, NULL);
	close(mnt);
}

// enter_cgroup_root makes the host's /sys/fs/cgroup the cwd, returning an
// fd of the cwd before it (-1, the cwd unchanged, if either cannot be
// opened: the sources are then looked up whole).
static int enter_cgroup_root(void)
{
	int old = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old < 0)
		return -1;
	int dir = open(CGROUP_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || fchdir(dir) < 0) {
		if (dir >= 0)
			close(dir);
		close(old);
		return -1;
	}
	close(dir);
	return old;
}

// mount_cgroup gives the container a view of its own cgroup: on cgroup v2
// one mount; on v1 (and hybrid) a tmpfs with one mount per hierarchy.
static void mount_cgroup(int root, struct mount_step *m)
{
	const unsigned long hardened = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	unsigned long flags = (m->flags & ~(uint64_t)(MS_BIND | MS_REC | MS_REMOUNT)) | hardened;
	struct hierarchy_dirs whole = {.target = -1};
	if (m->kind == MK_CGROUP_V2) {
		for (int i = 0; i < m->ndirs; i++)
			mount_hierarchy(root, &whole, &m->dirs[i], flags);
		return;
	}
	char path[64];
	int target = open_mount_target(root, m->dest, 1);
	do_mount("tmpfs", fd_path(target, path, sizeof(path)), "tmpfs", hardened, "mode=755");
	close(target);
	struct hierarchy_dirs h = {.target = open_mount_target(root, m->dest, 1), .dest = m->dest};
	int cwd = enter_cgroup_root();
	h.source = cwd >= 0;
	for (int i = 0; i < m->ndirs; i++)
		mount_hierarchy(root, &h, &m->dirs[i], flags);
	if (cwd >= 0) {
		if (fchdir(cwd) < 0)
			rfail(errno, "return to the cwd after the cgroup mounts");
		close(cwd);
	}
	close(h.target);
	if (flags & MS_RDONLY) {
		int mnt = open_mount_target(root, m->dest, 1);
		do_mount("", fd_path(mnt, path, sizeof(path)), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | hardened, NULL);
		close(mnt);
	}
}

// ---- /dev ----

// create_device makes one node; where mknod is not allowed (a user
// namespace) the host's node is bind-mounted instead.
void create_device(int root, struct device *d)
{
	char rel[INROOT_PATH_MAX], dir[INROOT_PATH_MAX];
	if (clean_rel(d->path, rel, sizeof(rel)) < 0)
		fail_path("");
	if (strncmp(rel, "dev/", 4) != 0)
		rfail(0, "device path must be under /dev");
	const char *slash = strrchr(rel, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
	const char *name = slash + 1;
	int dirfd = mkdir_all_in_root(root, dir, 0755);
	if (dirfd < 0)
		fail_path("");
	if (!d->bind) {
		// Replace whatever the rootfs holds at that name.
		int err = 0;
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			err = errno;
		if (err != 0 && err != EPERM)
			rfail(err, "remove existing");
		if (err == 0 && mknodat(dirfd, name, d->mode, d->rdev) == 0) {
			if (fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
				rfail(errno, "chown");
			close(dirfd);
			return;
		}
		if (err == 0 && errno != EPERM)
			rfail(errno, "mknod");
		// Not allowed to mknod: bind-mount the host's node.
	}
	close(dirfd);
	int target = create_file_in_root(root, rel, 0644);
	if (target < 0)
		fail_path("create bind target: ");
	char path[64];
	do_mount(d->path, fd_path(target, path, sizeof(path)), NULL, MS_BIND, NULL);
	close(target);
}

// setup_dev_links creates /dev/fd, /dev/std{in,out,err}, /dev/core and
// /dev/ptmx -> pts/ptmx (as runc, also where no devpts is mounted).
void setup_dev_links(int root)
{
	int dev = mkdir_all_in_root(root, "dev", 0755);
	if (dev < 0)
		fail_path("");
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"},
		{"/proc/kcore", "core"},
		{"pts/ptmx", "ptmx"},
	};
	struct stat st;
	int core = stat("/proc/kcore", &st) == 0;
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		rfail(errno, "remove /dev/ptmx"); // a real node there must not win
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (i == 4 && !core)
			continue;
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			rfail(errno, "symlink /dev/%s", links[i][1]);
	}
	close(dev);
}

void mount_one(struct rootfs_plan *p, int root, struct mount_step *m)
{
	switch (m->kind) {
	case MK_BIND:
		mount_bind(p, root, m);
		break;
	case MK_FS:
		mount_fs(p, root, m);
		break;
	default:
		mount_cgroup(root, m);
	}
}
