// Internal to the rootfs code (rootfs.c, mounts.c, finish.c): the parsed
// plan and the failure helpers.
#ifndef BERTH_ROOTFS_STEPS_H
#define BERTH_ROOTFS_STEPS_H

#include <stdint.h>
#include <sys/statfs.h>

#include "hooks.h"
#include "inroot.h"

struct cgroup_dir {
	uint32_t fresh;
	char *dest, *fstype, *arg; // arg: data (fresh) or source (bind)
};

struct mount_step {
	uint32_t index, kind, tmpcopyup, nprop;
	uint64_t flags, clear, rec_set, rec_clr;
	uint64_t *prop;
	char *dest, *source, *fstype, *data;
	struct cgroup_dir *dirs;
	int ndirs;
	int idmap_fd;  // -1, or a detached id-mapped tree the parent made
	int source_fd; // -1, or a detached copy of the bind source (see mount_bind)
	char *file_label; // NULL, or the SELinux label of the mount's root
};

struct device {
	uint32_t mode, uid, gid, bind;
	uint64_t rdev;
	char *path;
};

struct indexed_path {
	uint32_t index;
	char *path;
};

// A read-only mount the plan mounted read-write (RF_READONLY_MOUNT).
struct readonly_mount {
	uint32_t index;
	uint64_t flags;
	char *dest;
};

struct sysctl {
	char *path, *key, *value;
};

struct rootfs_plan_hooks {
	struct hook *list;
	int n;
	char *state; // the JSON they get on stdin
};

struct rootfs_plan {
	char *fault, *private_mount, *rootfs, *cwd;
	uint32_t propagation;
	int loopback, no_pivot, readonly_root, has_root_propagation;
	uint32_t root_propagation;
	char *hostname, *domainname;
	struct sysctl *sysctls;
	int nsysctls;
	struct indexed_path *readonly, *masked;
	int nreadonly, nmasked;
	struct readonly_mount *readonly_mounts;
	int nreadonly_mounts;
	struct mount_step *mounts;
	int nmounts;
	struct device *devices;
	int ndevices;
	int dev_links;
	int fifo_fd, runtime_hooks, trace;
	uint32_t nmount_fds; // RF_MOUNT_FDS: received after the plan
	struct rootfs_plan_hooks hooks[2]; // HOOK_CREATE_CONTAINER, HOOK_START_CONTAINER
};

// step_prefix starts every failure text while a step runs ("mounts[2] (/x): ").
extern char step_prefix[INROOT_PATH_MAX + 64];

// rfail fails with step_prefix, the text, and errnum's text unless it is 0.
void rfail(int errnum, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
// fail_path reports inroot_err, after what.
void fail_path(const char *what) __attribute__((noreturn));
// do_mount is mount(2), failing with every argument named.
void do_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data);
// do_mount_named is do_mount whose error names the source shown_src (src
// being the same path, relative to the cwd).
void do_mount_named(const char *src, const char *shown_src, const char *target, const char *fstype,
		    unsigned long flags, const char *data);
// fault_point dies at the step the crash tests name (rootfs.h RF_FAULT).
void fault_point(struct rootfs_plan *p, const char *step);
// remount remounts the mount opened as fd with MS_BIND|MS_REMOUNT|flags,
// repeating the per-mount flags a user namespace locks (it would refuse
// the remount otherwise) but those in clear; name is the path for errors.
void remount(int fd, const char *name, unsigned long flags, unsigned long clear);

// rootfs.c: parse the plan msg into p; build the rootfs (before the
// createContainer hooks); enter it and finish it (after them).
void rootfs_parse(const char *msg, uint32_t size, struct rootfs_plan *p);
void rootfs_prepare(struct rootfs_plan *p);
void rootfs_finish(struct rootfs_plan *p);
// rootfs_receive_fds takes the mount fds that follow the plan, if any.
void rootfs_receive_fds(struct rootfs_plan *p, int pipe_fd);

// mounts.c
void mount_one(struct rootfs_plan *p, int root, struct mount_step *m);
void create_device(int root, struct device *d);
void setup_dev_links(int root);

// finish.c
void bring_up_loopback(void);
void enter_rootfs(struct rootfs_plan *p);
void set_kernel_settings(struct rootfs_plan *p);
void finish_rootfs(struct rootfs_plan *p);

#endif
