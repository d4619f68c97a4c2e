// The container process's setup, in C, from a process plan (plan.h): the
// init the stage forks for `berth exec` applies it and execs
// (berth_run_plan), and create's init (create.c) applies it once its rootfs
// is ready and execs at start (berth_plan_prepare, then berth_plan_exec).
//
// The steps and their order are runc's: console; rlimits, keyring and
// umask as root; cwd as root; stdio ownership; personality, affinity,
// scheduler, I/O priority and LSM labels;
// seccomp (without no_new_privs it needs CAP_SYS_ADMIN); the bounding set;
// the user, keeping capabilities; cwd as the user if root could not; the
// capability sets; no_new_privs; the binary's lookup; seccomp (with
// no_new_privs, as late as possible); the final affinity; fds.
//
// Failures go to the parent as the JSON error message of sync.go
// ({"type":"error","error":...}), with the texts Go's init had.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "plan.h"
#include "planio.h"
#include "stageio.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEY_USR_SEARCH 0x080000
#define CAP_SETPCAP_BIT 8
#define CAP_VERSION_3 0x20080522

struct rlimit_step {
	uint32_t resource;
	struct rlimit lim;
	char *prefix;
};

struct plan {
	char **argv, **envp;
	int argc, envc, listen_pid;
	char *cwd;
	uint32_t uid, gid;
	gid_t *groups;
	int ngroups;
	int has_umask;
	mode_t umask;
	struct rlimit_step *rlimits;
	int nrlimits;
	char *keyring;
	int console_fd;
	uint32_t rows, cols, mount_console;
	int has_personality;
	uint32_t personality;
	char *personality_prefix;
	int has_mempolicy;
	uint32_t mempolicy_mode, mempolicy_mask_size;
	void *mempolicy_mask;
	char *mempolicy_prefix;
	struct {
		cpu_set_t *mask;
		size_t size;
		char *prefix;
	} affinity[2];
	char *sched_attr;
	uint32_t sched_size;
	char *sched_prefix;
	int has_ioprio;
	uint32_t ioprio;
	char *ioprio_prefix;
	char *lsm_label[2];
	uint64_t caps[5]; // bounding, effective, permitted, inheritable, ambient
	uint32_t last_cap;
	int no_new_privs;
	int has_seccomp;
	uint32_t seccomp_flags;
	struct sock_filter *filter;
	unsigned short filter_len;
	char *seccomp_einval;
	uint32_t extra_fds;
	uint32_t closed_stdio;
};

enum { CAP_BOUNDING, CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE, CAP_AMBIENT };

static void bad_record(uint32_t type)
{
	plan_fail(0, "process plan: bad record %u", type);
}

static void parse_record(void *ctx, uint32_t type, const char *v, uint32_t len)
{
	struct plan *p = ctx;
	switch (type) {
	case PL_ARG:
		p->argv = plan_grow(p->argv, p->argc + 1, sizeof(char *));
		p->argv[p->argc++] = plan_text(v, len);
		p->argv[p->argc] = NULL;
		break;
	case PL_ENV:
		p->envp = plan_grow(p->envp, p->envc + 1, sizeof(char *));
		p->envp[p->envc++] = plan_text(v, len);
		p->envp[p->envc] = NULL;
		break;
	case PL_LISTEN_PID:
		p->listen_pid = 1;
		break;
	case PL_CWD:
		p->cwd = plan_text(v, len);
		break;
	case PL_USER:
		if (len < 8 || len % 4 != 0)
			bad_record(type);
		p->uid = u32(v);
		p->gid = u32(v + 4);
		p->ngroups = (int)(len - 8) / 4;
		p->groups = calloc((size_t)p->ngroups + 1, sizeof(gid_t));
		if (p->groups == NULL)
			plan_fail(ENOMEM, "read process plan");
		for (int i = 0; i < p->ngroups; i++)
			p->groups[i] = u32(v + 8 + 4 * i);
		break;
	case PL_UMASK:
		if (len != 4)
			bad_record(type);
		p->has_umask = 1;
		p->umask = (mode_t)u32(v);
		break;
	case PL_RLIMIT: {
		if (len < 20)
			bad_record(type);
		p->rlimits = plan_grow(p->rlimits, p->nrlimits, sizeof(struct rlimit_step));
		struct rlimit_step *r = &p->rlimits[p->nrlimits++];
		r->resource = u32(v);
		r->lim.rlim_cur = u64(v + 4);
		r->lim.rlim_max = u64(v + 12);
		r->prefix = plan_text(v + 20, len - 20);
		break;
	}
	case PL_KEYRING:
		p->keyring = plan_text(v, len);
		break;
	case PL_CONSOLE:
		if (len != 16)
			bad_record(type);
		p->console_fd = (int)u32(v);
		p->rows = u32(v + 4);
		p->cols = u32(v + 8);
		p->mount_console = u32(v + 12);
		break;
	case PL_PERSONALITY:
		if (len < 4)
			bad_record(type);
		p->has_personality = 1;
		p->personality = u32(v);
		p->personality_prefix = plan_text(v + 4, len - 4);
		break;
	case PL_MEMPOLICY: {
		if (len < 8)
			bad_record(type);
		uint32_t size = u32(v + 4);
		if (size > len - 8 || size % 8 != 0)
			bad_record(type);
		p->has_mempolicy = 1;
		p->mempolicy_mode = u32(v);
		p->mempolicy_mask_size = size;
		p->mempolicy_mask = size > 0 ? plan_bytes(v + 8, size) : NULL;
		p->mempolicy_prefix = plan_text(v + 8 + size, len - 8 - size);
		break;
	}
	case PL_AFFINITY: {
		if (len < 8)
			bad_record(type);
		uint32_t when = u32(v), size = u32(v + 4);
		if (when > 1 || size > len - 8 || size == 0)
			bad_record(type);
		p->affinity[when].mask = plan_bytes(v + 8, size);
		p->affinity[when].size = size;
		p->affinity[when].prefix = plan_text(v + 8 + size, len - 8 - size);
		break;
	}
	case PL_SCHED:
		if (len < 4 || u32(v) > len - 4)
			bad_record(type);
		p->sched_size = u32(v);
		p->sched_attr = plan_bytes(v + 4, p->sched_size);
		p->sched_prefix = plan_text(v + 4 + p->sched_size, len - 4 - p->sched_size);
		break;
	case PL_IOPRIO:
		if (len < 4)
			bad_record(type);
		p->has_ioprio = 1;
		p->ioprio = u32(v);
		p->ioprio_prefix = plan_text(v + 4, len - 4);
		break;
	case PL_LSM_LABEL:
		if (len < 4 || u32(v) > LSM_SELINUX)
			bad_record(type);
		p->lsm_label[u32(v)] = plan_text(v + 4, len - 4);
		break;
	case PL_CAPS:
		if (len != 44)
			bad_record(type);
		for (int i = 0; i < 5; i++)
			p->caps[i] = u64(v + 8 * i);
		p->last_cap = u32(v + 40);
		break;
	case PL_NO_NEW_PRIVS:
		p->no_new_privs = 1;
		break;
	case PL_SECCOMP: {
		if (len < 8)
			bad_record(type);
		uint32_t size = u32(v + 4);
		if (size > len - 8 || size == 0 || size % sizeof(struct sock_filter) != 0 ||
		    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
			bad_record(type);
		p->has_seccomp = 1;
		p->seccomp_flags = u32(v);
		p->filter = plan_bytes(v + 8, size);
		p->filter_len = (unsigned short)(size / sizeof(struct sock_filter));
		p->seccomp_einval = plan_text(v + 8 + size, len - 8 - size);
		break;
	}
	case PL_EXTRA_FDS:
		if (len != 4)
			bad_record(type);
		p->extra_fds = u32(v);
		break;
	case PL_CLOSED_STDIO:
		if (len != 4)
			bad_record(type);
		p->closed_stdio = u32(v);
		break;
	default:
		bad_record(type);
	}
}

// parse_plan reads one whole plan message: magic, length, records.
static void parse_plan(const char *msg, uint32_t size, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->console_fd = -1;
	plan_walk(msg, size, PLAN_MAGIC, "process plan", parse_record, p);
	if (p->argc == 0 || p->cwd == NULL)
		plan_fail(0, "process plan without args or cwd");
	if (p->envp == NULL) {
		p->envp = calloc(2, sizeof(char *));
		if (p->envp == NULL)
			plan_fail(ENOMEM, "read process plan");
	}
}

// mount_console bind-mounts the pty's peer onto /dev/console (create).
static void mount_console(int slave)
{
	int target = open("/dev/console", O_CREAT | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0600);
	if (target < 0)
		plan_fail(errno, "create /dev/console");
	char src[32], dst[32];
	snprintf(src, sizeof(src), "/proc/self/fd/%d", slave);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d", target);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		plan_fail(errno, "mount \"%s\" on \"%s\" flags 0x%x", src, dst, MS_BIND);
	close(target);
}

// setup_console: a new pty from the container's devpts; the master goes to
// the caller over the console socket (the pty's name as payload), the
// peer becomes our controlling terminal and stdio.
static void setup_console(struct plan *p)
{
	if (p->console_fd < 0)
		return;
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		plan_fail(errno, "open /dev/ptmx");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		plan_fail(errno, "unlock pty");
	unsigned int n;
	if (ioctl(master, TIOCGPTN, &n) < 0)
		plan_fail(errno, "get pty number");
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%u", n);
	if (p->rows != 0 || p->cols != 0) {
		struct winsize ws = {.ws_row = (unsigned short)p->rows, .ws_col = (unsigned short)p->cols};
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			plan_fail(errno, "set console size");
	}
	// The peer through the master, not by name: no path to race.
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		plan_fail(errno, "open pty slave");
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = name, .iov_len = strlen(name)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	ssize_t sent;
	do
		sent = sendmsg(p->console_fd, &msg, 0);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		plan_fail(errno, "send pty master over the console socket");
	close(master);
	if (p->mount_console)
		mount_console(slave);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		plan_fail(errno, "set controlling terminal");
	for (int fd = 0; fd <= 2; fd++)
		if (dup3(slave, fd, 0) < 0)
			plan_fail(errno, "dup pty slave to fd %d", fd);
	if (slave > 2)
		close(slave);
}

// join_session_keyring gives the process its own session keyring (so it
// cannot read the caller's keys) and lets its user search it.
static void join_session_keyring(const char *name)
{
	long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
	if (id < 0) {
		if (errno == ENOSYS)
			return;
		plan_fail(errno, "join session keyring");
	}
	char desc[512];
	long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1, 0);
	if (n < 0)
		plan_fail(errno, "describe session keyring");
	desc[n < (long)sizeof(desc) ? n : (long)sizeof(desc) - 1] = '\0';
	// "type;uid;gid;perm;description", perm in hex.
	char *field = desc;
	for (int i = 0; i < 3 && field != NULL; i++) {
		field = strchr(field, ';');
		if (field != NULL)
			field++;
	}
	char *end = NULL;
	unsigned long perm = field != NULL ? strtoul(field, &end, 16) : 0;
	if (field == NULL || end == field || *end != ';') {
		char q[600];
		plan_fail(0, "describe session keyring: unexpected %s", go_quote(desc, q, sizeof(q)));
	}
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, (unsigned long)(perm | KEY_USR_SEARCH), 0, 0) < 0)
		plan_fail(errno, "set session keyring permissions");
}

// add_listen_pid appends LISTEN_PID=<our pid>, or replaces one: socket
// activation names the process that owns the fds, which is us after exec.
static void add_listen_pid(struct plan *p)
{
	char *kv;
	if (asprintf(&kv, "LISTEN_PID=%d", getpid()) < 0)
		plan_fail(ENOMEM, "environment");
	for (int i = 0; i < p->envc; i++) {
		if (strncmp(p->envp[i], "LISTEN_PID=", 11) == 0) {
			p->envp[i] = kv;
			return;
		}
	}
	p->envp = plan_grow(p->envp, p->envc + 1, sizeof(char *));
	p->envp[p->envc++] = kv;
	p->envp[p->envc] = NULL;
}

// fix_stdio_ownership gives the user its stdio pipes and sockets, so that it
// can reopen them through /proc/self/fd (/dev/stdout). Files and devices
// are left alone.
static void fix_stdio_ownership(uid_t uid)
{
	if (uid == 0)
		return;
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0 || st.st_uid == uid)
			continue;
		if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
			(void)fchown(fd, uid, st.st_gid);
	}
}

static void set_affinity(struct plan *p, int when)
{
	if (p->affinity[when].mask == NULL)
		return;
	if (sched_setaffinity(0, p->affinity[when].size, p->affinity[when].mask) < 0)
		plan_fail(errno, "%s", p->affinity[when].prefix);
}

// write_lsm_label writes the label for our next execve (attr "exec"), or
// SELinux's for the keys we create next (attr "keycreate"), through a procfs
// of our own: no mount the container placed over /proc can redirect the
// write (CVE-2019-16884, CVE-2025-52881).
static void write_lsm_label(int kind, const char *attr, const char *text)
{
	char q[600];
	const char *what = "set SELinux label";
	if (kind == LSM_APPARMOR)
		what = "apply AppArmor profile";
	else if (strcmp(attr, "keycreate") == 0)
		what = "set SELinux label of the session keyring to";
	const char *name = kind == LSM_APPARMOR ? text + strlen("exec ") : text;
	const char *step;
	int proc = private_proc(&step);
	if (proc < 0)
		plan_fail(errno, "%s %s: %s", what, go_quote(name, q, sizeof(q)), step);
	char rel[2][96];
	int n = 0;
	if (kind == LSM_APPARMOR)
		snprintf(rel[n++], sizeof(rel[0]), "%d/task/%d/attr/apparmor/%s", getpid(), (int)syscall(SYS_gettid), attr);
	snprintf(rel[n++], sizeof(rel[0]), "%d/task/%d/attr/%s", getpid(), (int)syscall(SYS_gettid), attr);
	for (int i = 0; i < n; i++) {
		if (private_proc_write(proc, rel[i], text, &step) == 0)
			break;
		// Older kernels have no attr/apparmor: the generic file then.
		if (errno == ENOENT && strcmp(step, "open") == 0 && i + 1 < n)
			continue;
		plan_fail(errno, "%s %s: %s /proc/%s", what, go_quote(name, q, sizeof(q)), step, rel[i]);
	}
	close(proc);
}

// load_seccomp installs the filter on this thread. A notify listener fd is
// announced to the parent, which copies it with pidfd_getfd and hands it to
// the agent; we wait for its answer before going on.
static void load_seccomp(struct plan *p)
{
	struct sock_fprog prog = {.len = p->filter_len, .filter = p->filter};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->seccomp_flags, &prog);
	if (r < 0) {
		if (errno == EINVAL && p->seccomp_einval[0] != '\0')
			plan_fail(0, "%s", p->seccomp_einval);
		plan_fail(errno, "load seccomp filter");
	}
	if (!(p->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) {
		if (r != 0) // TSYNC: the thread that could not follow
			plan_fail(0, "load seccomp filter: thread %ld could not be synchronized", r);
		return;
	}
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "{\"type\":\"seccomp\",\"fd\":%ld}\n", r);
	(void)write_exact(plan_parent_fd, msg, (size_t)n); // a failure shows in the read below
	plan_expect_msg("seccompDone");
	close((int)r);
}

struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

// apply_bounding drops every capability outside the bounding set; that
// takes CAP_SETPCAP, without which the set stays (moby/sys/capability's
// rule, which create's init follows).
static void apply_bounding(struct plan *p)
{
	struct cap_header hdr = {.version = CAP_VERSION_3};
	struct cap_data data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		plan_fail(errno, "apply bounding capabilities");
	if (!(data[0].effective & (1u << CAP_SETPCAP_BIT)))
		return;
	for (uint32_t c = 0; c <= p->last_cap && c < 64; c++) {
		if (p->caps[CAP_BOUNDING] & (1ull << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			plan_fail(errno, "apply bounding capabilities");
	}
}

// apply_caps sets effective, permitted and inheritable, then the ambient
// set; an ambient capability the other sets do not allow is skipped.
static void apply_caps(struct plan *p)
{
	struct cap_header hdr = {.version = CAP_VERSION_3};
	struct cap_data data[2];
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(p->caps[CAP_EFFECTIVE] >> (32 * i));
		data[i].permitted = (uint32_t)(p->caps[CAP_PERMITTED] >> (32 * i));
		data[i].inheritable = (uint32_t)(p->caps[CAP_INHERITABLE] >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		plan_fail(errno, "apply capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		plan_fail(errno, "clear ambient capabilities");
	for (uint32_t c = 0; c <= p->last_cap && c < 64; c++) {
		if (!(p->caps[CAP_AMBIENT] & (1ull << c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM && errno != EINVAL)
			plan_fail(errno, "raise ambient capability %u", c);
	}
}

// setgroups_allowed is false in a user namespace where setgroups is denied.
static int setgroups_allowed(void)
{
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	char buf[16] = {0};
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return !(n >= 4 && strncmp(buf, "deny", 4) == 0);
}

// set_user switches to the user with raw syscalls: libc's wrappers (glibc's
// and musl's) would signal every thread, and this process has one.
static void set_user(struct plan *p)
{
	if (setgroups_allowed() && syscall(SYS_setgroups, p->ngroups, p->groups) < 0) {
		char list[1024];
		size_t o = 0;
		list[o++] = '[';
		for (int i = 0; i < p->ngroups && o < sizeof(list) - 16; i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, i ? " %u" : "%u", p->groups[i]);
		snprintf(list + o, sizeof(list) - o, "]");
		plan_fail(errno, "setgroups %s", list);
	}
	if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
		plan_fail(errno, "setresgid %u", p->gid);
	if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
		plan_fail(errno, "setresuid %u", p->uid);
}

static const char *env_value(struct plan *p, const char *key)
{
	size_t klen = strlen(key);
	for (int i = p->envc - 1; i >= 0; i--)
		if (strncmp(p->envp[i], key, klen) == 0 && p->envp[i][klen] == '=')
			return p->envp[i] + klen + 1;
	return "";
}

// executable is 0 for a file with an execute bit, NOT_EXECUTABLE for a
// directory or a file without one, else stat's errno.
#define NOT_EXECUTABLE (-1)
static int executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
		return NOT_EXECUTABLE;
	return 0;
}

// look_path finds argv[0] in the process's PATH as Go's exec.LookPath would,
// with its error texts (podman maps them to exit codes 126 and 127).
static char *look_path(struct plan *p)
{
	const char *name = p->argv[0];
	char q[600];
	if (strchr(name, '/') != NULL) {
		int err = executable(name);
		if (err == NOT_EXECUTABLE)
			plan_fail(0, "exec: %s: permission denied", go_quote(name, q, sizeof(q)));
		if (err != 0)
			plan_fail(err, "exec: %s: stat %s", go_quote(name, q, sizeof(q)), name);
		return (char *)name;
	}
	const char *path = env_value(p, "PATH");
	for (const char *dir = path;; dir++) {
		const char *end = strchrnul(dir, ':');
		size_t dlen = (size_t)(end - dir);
		char *cand;
		if (dlen == 0 || (dlen == 1 && dir[0] == '.')) {
			cand = strdup(name);
		} else {
			while (dlen > 1 && dir[dlen - 1] == '/')
				dlen--;
			if (asprintf(&cand, "%.*s/%s", (int)dlen, dir, name) < 0)
				cand = NULL;
		}
		if (cand == NULL)
			plan_fail(ENOMEM, "look up the binary");
		if (executable(cand) == 0)
			return cand;
		free(cand);
		if (*end == '\0')
			break;
		dir = end;
	}
	plan_fail(0, "exec: %s: executable file not found in $PATH", go_quote(name, q, sizeof(q)));
}

// The plan being applied, and the binary it execs, between
// berth_plan_prepare and berth_plan_exec.
static struct plan the_plan;
static char *exec_path;

// berth_nofile_at_start is RLIMIT_NOFILE as the init was started with (the
// stage records it): Go raises the soft limit at start, and the process
// must not inherit that.
struct rlimit berth_nofile_at_start;

void berth_plan_prepare(int pipe_fd, const char *msg, uint32_t size)
{
	plan_parent_fd = pipe_fd;
	struct plan *p = &the_plan;
	parse_plan(msg, size, p);
	char q[4200];

	// Its own session, tty or not, as with runc: job control signals of the
	// caller's terminal (^C to its foreground group) reach berth, which
	// forwards them, not the container's processes a second time; and a
	// checkpoint needs the session leader inside the container.
	if (setsid() < 0)
		plan_fail(errno, "setsid");
	// The process starts with every signal at its default, as runc's do.
	// An exec resets caught signals, not ignored ones; the Go runtime in
	// berth catches all but these, which a caller's SIG_IGN (nohup, a
	// shell's background job) would otherwise pass on to the container.
	static const int inherited[] = {SIGHUP, SIGINT, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU};
	for (size_t i = 0; i < sizeof(inherited) / sizeof(inherited[0]); i++)
		signal(inherited[i], SIG_DFL);
	setup_console(p);
	if (berth_nofile_at_start.rlim_max != 0)
		(void)setrlimit(RLIMIT_NOFILE, &berth_nofile_at_start);
	for (int i = 0; i < p->nrlimits; i++)
		if (setrlimit((int)p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
			plan_fail(errno, "%s", p->rlimits[i].prefix);
	if (p->keyring != NULL) {
		// The keyring gets the process's SELinux label, as with runc: a
		// policy that confines the label then lets it use its keyring.
		if (p->lsm_label[LSM_SELINUX] != NULL)
			write_lsm_label(LSM_SELINUX, "keycreate", p->lsm_label[LSM_SELINUX]);
		join_session_keyring(p->keyring);
	}
	if (p->has_umask)
		umask(p->umask);
	if (p->listen_pid)
		add_listen_pid(p);

	// The cwd as root first: the user may not be able to reach it yet can
	// have it as cwd. EACCES is retried as the user below.
	int cwd_done = chdir(p->cwd) == 0;
	if (!cwd_done && errno != EACCES)
		plan_fail(errno, "chdir to cwd (%s) set in config.json failed", go_quote(p->cwd, q, sizeof(q)));
	fix_stdio_ownership(p->uid);
	if (p->console_fd >= 0 && p->uid != 0 && fchown(0, p->uid, (gid_t)-1) < 0)
		plan_fail(errno, "chown the pty to uid %u", p->uid);

	if (p->has_personality && syscall(SYS_personality, p->personality) < 0)
		plan_fail(errno, "%s", p->personality_prefix);
	// The kernel reads maxnode - 1 bits of the mask (a historic off by one).
	if (p->has_mempolicy &&
	    syscall(SYS_set_mempolicy, p->mempolicy_mode, p->mempolicy_mask,
		    p->mempolicy_mask_size > 0 ? (unsigned long)p->mempolicy_mask_size * 8 + 1 : 0UL) < 0)
		plan_fail(errno, "%s", p->mempolicy_prefix);
	set_affinity(p, 0);
	if (p->sched_attr != NULL && syscall(SYS_sched_setattr, 0, p->sched_attr, 0) < 0)
		plan_fail(errno, "%s", p->sched_prefix);
	if (p->has_ioprio && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p->ioprio) < 0)
		plan_fail(errno, "%s", p->ioprio_prefix);
	for (int kind = LSM_APPARMOR; kind <= LSM_SELINUX; kind++)
		if (p->lsm_label[kind] != NULL)
			write_lsm_label(kind, "exec", p->lsm_label[kind]);

	if (p->has_seccomp && !p->no_new_privs)
		load_seccomp(p);
	apply_bounding(p);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		plan_fail(errno, "prctl keepcaps");
	set_user(p);
	if (!cwd_done && chdir(p->cwd) < 0)
		plan_fail(errno, "chdir to cwd (%s) set in config.json failed", go_quote(p->cwd, q, sizeof(q)));
	// A cwd reached through a leaked fd or a magic link would be outside the
	// container's root; the kernel then reports no path (CVE-2024-21626).
	char wd[4096];
	if (getcwd(wd, sizeof(wd)) == NULL || wd[0] != '/')
		plan_fail(0, "chdir to cwd (%s): the working directory is outside the container's root -- possible container breakout",
		     go_quote(p->cwd, q, sizeof(q)));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		plan_fail(errno, "prctl keepcaps");
	apply_caps(p);
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		plan_fail(errno, "prctl no_new_privs");
	exec_path = look_path(p);
	if (p->has_seccomp && p->no_new_privs)
		load_seccomp(p);
	set_affinity(p, 1);

	// Nothing but stdio and the fds the caller asked for may reach the
	// process (CVE-2024-21626).
	if (syscall(SYS_close_range, 3 + p->extra_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		plan_fail(errno, "close_range");
}

void berth_plan_exec(int pipe_fd)
{
	plan_parent_fd = pipe_fd;
	// The caller's closed stdio stays closed (the init may have opened its
	// own files there meanwhile).
	for (int fd = 0; fd <= 2; fd++)
		if (the_plan.closed_stdio & (1u << fd))
			close(fd);
	execve(exec_path, the_plan.argv, the_plan.envp);
	plan_fail(errno, "exec %s", exec_path); // unquoted, as Go's os.PathError (runc)
}

void berth_run_plan(int pipe_fd, int cgroupns_errno)
{
	plan_parent_fd = pipe_fd;
	uint32_t size;
	char *msg = plan_read_frame(PLAN_MAGIC, PLAN_MAX, "process plan", &size);
	if (cgroupns_errno != 0)
		plan_fail(cgroupns_errno, "enter the cgroup namespace");
	berth_plan_prepare(pipe_fd, msg, size);
	free(msg);
	berth_plan_exec(pipe_fd);
}

void berth_plan_release_console(void)
{
	if (the_plan.console_fd >= 0)
		close(the_plan.console_fd);
	the_plan.console_fd = -1;
}
