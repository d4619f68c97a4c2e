// The container's filesystem, in C, from a rootfs plan (rootfs.h): the
// init (create.c) calls rootfs_prepare while the host's filesystem is still
// visible (lo, the propagation of "/", the rootfs bind, the spec's mounts,
// device nodes, /dev symlinks, the cwd), then rootfs_finish after the
// createContainer hooks (pivot_root, hostname, sysctls, a read-only root,
// readonlyPaths, maskedPaths). The steps are in mounts.c and finish.c.
//
// Failures go to the parent as the JSON error message of sync.go, with the
// texts Go's init had.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "inroot.h"
#include "planio.h"
#include "rootfs.h"
#include "rootfs_steps.h"
#include "stageio.h"

char step_prefix[INROOT_PATH_MAX + 64];

void rfail(int errnum, const char *fmt, ...)
{
	char msg[2 * INROOT_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	plan_fail(errnum, "%s%s", step_prefix, msg);
}

void fail_path(const char *what)
{
	rfail(inroot_err.err, "%s%s %s", what, inroot_err.op, inroot_err.path);
}

void do_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)
{
	do_mount_named(src, src, target, fstype, flags, data);
}

void do_mount_named(const char *src, const char *shown_src, const char *target, const char *fstype,
		    unsigned long flags, const char *data)
{
	if (mount(src, target, fstype, flags, data) == 0)
		return;
	int err = errno;
	src = shown_src;
	char qs[INROOT_PATH_MAX * 2], qt[INROOT_PATH_MAX * 2], qf[512], qd[INROOT_PATH_MAX * 2], type[INROOT_PATH_MAX * 2 + 600];
	type[0] = '\0';
	if (fstype != NULL && fstype[0] != '\0') {
		if (data != NULL && data[0] != '\0')
			snprintf(type, sizeof(type), " (type %s, data %s)", go_quote(fstype, qf, sizeof(qf)),
				 go_quote(data, qd, sizeof(qd)));
		else
			snprintf(type, sizeof(type), " (type %s)", go_quote(fstype, qf, sizeof(qf)));
	}
	rfail(err, "mount %s on %s%s flags 0x%lx", go_quote(src ? src : "", qs, sizeof(qs)),
	      go_quote(target, qt, sizeof(qt)), type, flags);
}

// fault_point dies at the step the crash tests name: the parent first
// (asked over the pipe: we may be pid 1 of our own namespace and not see
// it), then us.
void fault_point(struct rootfs_plan *p, const char *step)
{
	if (p->fault == NULL || strcmp(p->fault, step) != 0)
		return;
	static const char msg[] = "{\"type\":\"fault\"}\n";
	if (plan_parent_fd >= 0 && write_exact(plan_parent_fd, msg, sizeof(msg) - 1) == 0) {
		char buf[64];
		while (read(plan_parent_fd, buf, sizeof(buf)) > 0) // EOF: the parent is gone
			;
	}
	_exit(137);
}

// locked_flags are the per-mount flags of a mount that a remount inside a
// user namespace must repeat, or it fails with EPERM.
static unsigned long locked_flags(const struct statfs *st)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ST_NOSUID, MS_NOSUID},     {ST_NODEV, MS_NODEV},		{ST_NOEXEC, MS_NOEXEC},
		{ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
	};
	unsigned long f = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((unsigned long)st->f_flags & map[i].st)
			f |= map[i].ms;
	return f;
}

void remount(int fd, const char *name, unsigned long flags, unsigned long clear)
{
	struct statfs st;
	char q[INROOT_PATH_MAX * 2], path[64];
	if (fstatfs(fd, &st) < 0)
		rfail(errno, "statfs %s", go_quote(name, q, sizeof(q)));
	flags |= MS_BIND | MS_REMOUNT | (locked_flags(&st) & ~clear);
	do_mount("", fd_path(fd, path, sizeof(path)), NULL, flags, NULL);
}

static void bad_record(uint32_t type)
{
	plan_fail(0, "rootfs plan: bad record %u", type);
}

// A record's reader: fixed fields, then strings.
struct reader {
	const char *p;
	uint32_t left, type;
};

static const char *take(struct reader *r, uint32_t n)
{
	if (n > r->left)
		bad_record(r->type);
	const char *v = r->p;
	r->p += n;
	r->left -= n;
	return v;
}

static uint32_t take_u32(struct reader *r) { return u32(take(r, 4)); }
static uint64_t take_u64(struct reader *r) { return u64(take(r, 8)); }

static char *take_str(struct reader *r)
{
	uint32_t n = take_u32(r);
	return plan_text(take(r, n), n);
}

static void parse_record(void *ctx, uint32_t type, const char *v, uint32_t len)
{
	struct rootfs_plan *p = ctx;
	struct reader r = {v, len, type};
	switch (type) {
	case RF_FAULT:
		p->fault = plan_text(v, len);
		return;
	case RF_PROPAGATION:
		p->propagation = take_u32(&r);
		break;
	case RF_PRIVATE:
		p->private_mount = plan_text(v, len);
		return;
	case RF_ROOTFS:
		p->rootfs = plan_text(v, len);
		return;
	case RF_CWD:
		p->cwd = plan_text(v, len);
		return;
	case RF_MOUNT: {
		p->mounts = plan_grow(p->mounts, p->nmounts, sizeof(*p->mounts));
		struct mount_step *m = &p->mounts[p->nmounts++];
		memset(m, 0, sizeof(*m));
		m->idmap_fd = -1;
		m->source_fd = -1;
		m->index = take_u32(&r);
		m->kind = take_u32(&r);
		m->tmpcopyup = take_u32(&r);
		m->nprop = take_u32(&r);
		m->flags = take_u64(&r);
		m->clear = take_u64(&r);
		m->rec_set = take_u64(&r);
		m->rec_clr = take_u64(&r);
		if (m->nprop > 64)
			bad_record(type);
		m->prop = calloc(m->nprop + 1, sizeof(uint64_t));
		if (m->prop == NULL)
			plan_fail(ENOMEM, "read plan");
		for (uint32_t i = 0; i < m->nprop; i++)
			m->prop[i] = take_u64(&r);
		m->dest = take_str(&r);
		m->source = take_str(&r);
		m->fstype = take_str(&r);
		m->data = take_str(&r);
		break;
	}
	case RF_CGROUP_DIR: {
		if (p->nmounts == 0)
			bad_record(type);
		struct mount_step *m = &p->mounts[p->nmounts - 1];
		m->dirs = plan_grow(m->dirs, m->ndirs, sizeof(*m->dirs));
		struct cgroup_dir *d = &m->dirs[m->ndirs++];
		d->fresh = take_u32(&r);
		d->dest = take_str(&r);
		d->fstype = take_str(&r);
		d->arg = take_str(&r);
		break;
	}
	case RF_DEVICE: {
		p->devices = plan_grow(p->devices, p->ndevices, sizeof(*p->devices));
		struct device *d = &p->devices[p->ndevices++];
		d->mode = take_u32(&r);
		d->rdev = take_u64(&r);
		d->uid = take_u32(&r);
		d->gid = take_u32(&r);
		d->bind = take_u32(&r);
		d->path = take_str(&r);
		break;
	}
	case RF_LOOPBACK:
		p->loopback = 1;
		break;
	case RF_NO_PIVOT:
		p->no_pivot = 1;
		break;
	case RF_ROOT_PROPAGATION:
		p->has_root_propagation = 1;
		p->root_propagation = take_u32(&r);
		break;
	case RF_HOSTNAME:
		p->hostname = plan_text(v, len);
		return;
	case RF_DOMAINNAME:
		p->domainname = plan_text(v, len);
		return;
	case RF_SYSCTL: {
		p->sysctls = plan_grow(p->sysctls, p->nsysctls, sizeof(*p->sysctls));
		struct sysctl *s = &p->sysctls[p->nsysctls++];
		s->path = take_str(&r);
		s->key = take_str(&r);
		s->value = take_str(&r);
		break;
	}
	case RF_READONLY_ROOT:
		p->readonly_root = 1;
		break;
	case RF_READONLY_PATH:
	case RF_MASKED_PATH: {
		struct indexed_path **list = type == RF_MASKED_PATH ? &p->masked : &p->readonly;
		int *n = type == RF_MASKED_PATH ? &p->nmasked : &p->nreadonly;
		*list = plan_grow(*list, *n, sizeof(**list));
		struct indexed_path *ip = &(*list)[(*n)++];
		ip->index = take_u32(&r);
		ip->path = plan_text(r.p, r.left);
		return;
	}
	case RF_READONLY_MOUNT: {
		p->readonly_mounts = plan_grow(p->readonly_mounts, p->nreadonly_mounts, sizeof(*p->readonly_mounts));
		struct readonly_mount *rm = &p->readonly_mounts[p->nreadonly_mounts++];
		rm->index = take_u32(&r);
		rm->flags = take_u64(&r);
		rm->dest = plan_text(r.p, r.left);
		return;
	}
	case RF_FIFO:
		p->fifo_fd = (int)take_u32(&r);
		break;
	case RF_CLOEXEC_FD:
		if (fcntl((int)take_u32(&r), F_SETFD, FD_CLOEXEC) < 0)
			plan_fail(errno, "rootfs plan: fd");
		break;
	case RF_IDMAP:
	case RF_SOURCE_FD: {
		if (p->nmounts == 0)
			bad_record(type);
		struct mount_step *m = &p->mounts[p->nmounts - 1];
		int *fd = type == RF_IDMAP ? &m->idmap_fd : &m->source_fd;
		*fd = (int)take_u32(&r); // an index until received
		break;
	}
	case RF_FILE_LABEL:
		if (p->nmounts == 0)
			bad_record(type);
		p->mounts[p->nmounts - 1].file_label = plan_text(r.p, r.left);
		return;
	case RF_MOUNT_FDS:
		p->nmount_fds = take_u32(&r);
		if (p->nmount_fds > 65536)
			bad_record(type);
		break;
	case RF_TRACE:
		p->trace = 1;
		break;
	case RF_RUNTIME_HOOKS:
		p->runtime_hooks = 1;
		break;
	case RF_HOOK: {
		uint32_t kind = take_u32(&r);
		if (kind > HOOK_START_CONTAINER)
			bad_record(type);
		struct rootfs_plan_hooks *hs = &p->hooks[kind];
		hs->list = plan_grow(hs->list, hs->n, sizeof(*hs->list));
		struct hook *h = &hs->list[hs->n++];
		h->timeout = (int)take_u32(&r);
		uint32_t argc = take_u32(&r), envc = take_u32(&r);
		if (argc > 4096 || (envc > 4096 && envc != ENV_INHERIT))
			bad_record(type);
		h->path = take_str(&r);
		h->argv = calloc(argc + 2, sizeof(char *));
		h->envp = envc == ENV_INHERIT ? NULL : calloc(envc + 1, sizeof(char *));
		if (h->argv == NULL || (envc != ENV_INHERIT && h->envp == NULL))
			plan_fail(ENOMEM, "read plan");
		for (uint32_t i = 0; i < argc; i++)
			h->argv[i] = take_str(&r);
		if (argc == 0)
			h->argv[0] = h->path;
		for (uint32_t i = 0; envc != ENV_INHERIT && i < envc; i++)
			h->envp[i] = take_str(&r);
		break;
	}
	case RF_HOOK_STATE: {
		uint32_t kind = take_u32(&r);
		if (kind > HOOK_START_CONTAINER)
			bad_record(type);
		p->hooks[kind].state = plan_text(r.p, r.left);
		return;
	}
	case RF_DEV_LINKS:
		p->dev_links = 1;
		break;
	default:
		bad_record(type);
	}
	if (r.left != 0)
		bad_record(type);
}

void rootfs_parse(const char *msg, uint32_t size, struct rootfs_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->fifo_fd = -1;
	plan_walk(msg, size, ROOTFS_MAGIC, "rootfs plan", parse_record, p);
	if (p->rootfs == NULL)
		plan_fail(0, "rootfs plan without a rootfs");
}

void rootfs_prepare(struct rootfs_plan *p)
{
	if (p->loopback)
		bring_up_loopback();
	// "/" gets rslave unless linux.rootfsPropagation says otherwise.
	do_mount("", "/", NULL, p->propagation, NULL);
	fault_point(p, "init:after-propagation");
	// The mount the rootfs is on, if still shared (the parent found it):
	// pivot_root refuses a new root whose parent mount is shared, and
	// what we mount under it would appear on the host. From here on
	// nothing we mount propagates back to the host.
	if (p->private_mount != NULL)
		do_mount("", p->private_mount, NULL, MS_PRIVATE, NULL);
	// pivot_root needs the new root to be a mount point.
	do_mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL);
	fault_point(p, "init:after-rootfs-bind");
	int root = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		plan_fail(errno, "open rootfs");

	for (int i = 0; i < p->nmounts; i++) {
		struct mount_step *m = &p->mounts[i];
		snprintf(step_prefix, sizeof(step_prefix), "mounts[%u] (%s): ", m->index, m->dest);
		mount_one(p, root, m);
		char step[64];
		snprintf(step, sizeof(step), "init:after-mount-%u", m->index);
		fault_point(p, step);
	}
	if (p->dev_links || p->ndevices > 0) {
		mode_t old = umask(0);
		for (int i = 0; i < p->ndevices; i++) {
			char q[INROOT_PATH_MAX * 2];
			snprintf(step_prefix, sizeof(step_prefix), "device %s: ", go_quote(p->devices[i].path, q, sizeof(q)));
			create_device(root, &p->devices[i]);
		}
		umask(old);
		step_prefix[0] = '\0';
		if (p->dev_links)
			setup_dev_links(root);
		fault_point(p, "init:after-devices");
	}
	// A missing cwd is created, as runc does (after the mounts, so that a
	// cwd on a tmpfs lands in it).
	if (p->cwd != NULL && p->cwd[0] != '\0') {
		snprintf(step_prefix, sizeof(step_prefix), "process.cwd: ");
		int fd = mkdir_all_in_root(root, p->cwd, 0755);
		if (fd < 0)
			fail_path("");
		close(fd);
	}
	step_prefix[0] = '\0';
	close(root);
}

void rootfs_finish(struct rootfs_plan *p)
{
	enter_rootfs(p);
	fault_point(p, "init:after-pivot");
	// Sysctls go in before readonlyPaths make /proc/sys read-only.
	set_kernel_settings(p);
	finish_rootfs(p);
	fault_point(p, "init:after-masks");
}

// mount_fd turns a mount's index into the mount fds into the fd itself.
static void mount_fd(struct rootfs_plan *p, const int *fds, int *fd)
{
	if (*fd < 0)
		return;
	if ((uint32_t)*fd >= p->nmount_fds)
		plan_fail(0, "rootfs plan: mount fd %d of %u", *fd, p->nmount_fds);
	*fd = fds[*fd];
}

void rootfs_receive_fds(struct rootfs_plan *p, int pipe_fd)
{
	if (p->nmount_fds == 0)
		return;
	// They come MOUNT_FDS_PER_MSG to a message (SendMountFDs).
	int *fds = malloc(p->nmount_fds * sizeof(int));
	if (fds == NULL)
		plan_fail(ENOMEM, "receive mount fds");
	for (uint32_t got = 0; got < p->nmount_fds;) {
		uint32_t want = p->nmount_fds - got;
		if (want > MOUNT_FDS_PER_MSG)
			want = MOUNT_FDS_PER_MSG;
		char byte;
		int n;
		int err = recv_byte_fds(pipe_fd, &byte, fds + got, (int)want, &n);
		if (err > 0)
			plan_fail(err, "receive mount fds");
		if (err < 0 || (uint32_t)n != want)
			plan_fail(0, "receive mount fds: expected %u", p->nmount_fds);
		got += want;
	}
	for (int i = 0; i < p->nmounts; i++) {
		mount_fd(p, fds, &p->mounts[i].idmap_fd);
		mount_fd(p, fds, &p->mounts[i].source_fd);
	}
	free(fds);
}
