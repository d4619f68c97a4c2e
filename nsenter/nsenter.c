// The C stage of `berth init`: it runs as an ELF constructor, before the Go
// runtime starts any thread, because setns(2) into a mount or user namespace
// and unshare(CLONE_NEWUSER) need a single-threaded process.
//
// The protocol is described in bootstrap.go (Go side) and below; in short:
//
//   parent (berth)                      this stage (P0)
//   -- bootstrap message ------------>  join namespaces by path (user first),
//                                       unshare(CLONE_NEWUSER)
//   <-- 'U' (map my ids) -------------  (only with a new user namespace)
//   -- 'u' (maps written) ----------->  become root in it; unshare the rest;
//                                       write time offsets
//   -- 'T' + v1 tasks file fds ------>  (v1 and hybrid hosts) write "0" to
//      + u32 len, their paths           each: we move ourselves in
//   -- 'c' (in your cgroup), or ------>  (with BT_CGROUP_SYNC; 'T' and 'c'
//      'C' + cgroup dir fd (v2) ----->  may come before 'u') clone
//                                       (CLONE_PARENT), or with 'C' clone3
//                                       into that cgroup
//   <-- 'P' pid of the child ---------  P0 exits. The child (P1) is the
//                                       container's init, in C: create's
//                                       (BT_CREATE_PLAN, create.c) reads a
//                                       rootfs plan next, exec's
//                                       (BT_EXEC_PLAN, process.c) a process
//                                       plan. Go never starts in it.
//   <-- 'E' len message --------------  on any failure, then P0 exits 1.
//
// P0 reads exactly the bootstrap message, so whatever the parent writes
// after it stays in the socket for P1.
//
// With BT_SELF_INIT there is no stage: the parent cloned this process into
// its new namespaces and it is the init (self_init below). It reads the
// bootstrap, handles 'T' and 'c' as P0 would, makes the cgroup namespace,
// sends 'P' with pid 0 and goes on as P1.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "bootstrap.h"
#include "goheap.h"
#include "goruntime.h"
#include "plan.h"
#include "planio.h"
#include "rootfs.h"
#include "stageio.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#define MAX_JOIN 16

struct ns_join {
	uint32_t type;
	char *path;
	int fd;
};

struct bootstrap {
	uint32_t clone_flags;
	struct ns_join join[MAX_JOIN];
	int njoin;
	int join_pidfd;        /* -1: none */
	uint32_t join_pidfd_flags;
	char *time_offsets;
	char *oom_score_adj;
	int no_setgroups;
	int cgroup_sync;
	int clone_into;
	int exec_plan, create_plan;
	int self_init;
	char *fault; // test builds: a step where the stage dies
	// The cgroup namespace to create or join is left for last (cgroupns):
	// it must come after the cgroup, and with clone_into the init makes
	// it, so that we stay in the namespace whose cgroups we fork into.
	int new_cgroupns;
	int join_cgroupns; // through join_pidfd
};

// Whether the parent has said we are in the container's cgroup (it may say
// so while we wait for another answer).
static int cgroup_ready;

// The container's cgroup2 dir when the parent sent SYNC_CGROUP_FD: the init
// is then born in it (clone3 with CLONE_INTO_CGROUP) instead of the parent
// moving us there. A move takes the cgroup rwsem for writing, which waits
// for an RCU grace period (milliseconds); a birth in the cgroup does not.
static int cgroup_fd = -1;

// The init could not create or join its cgroup namespace (see clone_init):
// the errno. The init reports it (create.c, process.c): past the clone,
// only the init's messages reach the parent.
int berth_cgroupns_errno;

static int initpipe = -1;

// die reports msg (with errno text when errnum != 0) to the parent and exits.
static void die(int errnum, const char *fmt, ...)
{
	char msg[1024], e[64];
	if (errnum != 0) {
		// Go's text with a capital, as glibc's strerror words it.
		go_errno_text(errnum, e, sizeof(e));
		if (e[0] >= 'a' && e[0] <= 'z')
			e[0] -= 'a' - 'A';
	}
	va_list ap;
	va_start(ap, fmt);
	size_t n = format_msg(msg, sizeof(msg), errnum != 0 ? e : NULL, fmt, ap);
	va_end(ap);
	if (initpipe >= 0) {
		char hdr[5];
		uint32_t len = (uint32_t)n;
		hdr[0] = SYNC_ERROR;
		memcpy(hdr + 1, &len, 4);
		if (write(initpipe, hdr, 5) == 5 && write(initpipe, msg, len) < 0) {
			// Nothing more can be done: the parent sees EOF.
		}
	} else {
		fprintf(stderr, "berth init: %s\n", msg);
	}
	_exit(1);
}

static void read_full(void *buf, size_t len)
{
	int err = read_exact(initpipe, buf, len);
	if (err > 0)
		die(err, "read bootstrap");
	if (err < 0)
		die(0, "read bootstrap: unexpected end of stream");
}

// read_msg reads one message byte and the fds sent with it (SCM_RIGHTS),
// at most max of them; *n is how many came.
static char read_msg(int *fds, int max, int *n)
{
	char c;
	int err = recv_byte_fds(initpipe, &c, fds, max, n);
	if (err == EMSGSIZE)
		die(0, "read from parent: truncated control message");
	if (err > 0)
		die(err, "read from parent");
	if (err < 0)
		die(0, "read from parent: unexpected end of stream");
	return c;
}

// join_v1_cgroups writes "0" to each of the n v1 `tasks` files open as
// fds: that moves the calling thread, which in this single-threaded
// process is all of it, and the init we fork inherits the cgroups. The
// parent writing our pid to cgroup.procs would take the kernel's cgroup
// threadgroup rwsem for writing, which first waits for an RCU grace period
// (3-20 ms here); a thread that moves itself needs no such lock. The kernel
// checks the credentials the parent opened the files with. names holds the
// files' paths, NUL-separated, for an error (exec's stage, in the
// container's mount namespace by now, cannot look them up).
static void join_v1_cgroups(const int *fds, int n, const char *names, size_t len)
{
	const char *name = names;
	for (int i = 0; i < n; i++) {
		if (write(fds[i], "0", 1) != 1)
			die(errno, "join cgroup %s", name < names + len ? name : "(unnamed)");
		close(fds[i]);
		if (name < names + len)
			name += strlen(name) + 1;
	}
}

// read_tasks_names reads the payload of SYNC_CGROUP_TASKS: u32 length, then
// the files' paths, NUL-separated. The result (NUL-terminated) is freed by
// the caller.
static char *read_tasks_names(size_t *len)
{
	char hdr[4];
	read_full(hdr, sizeof(hdr));
	uint32_t n;
	memcpy(&n, hdr, 4);
	if (n > 1 << 20)
		die(0, "cgroup message: %u bytes of names", n);
	char *names = malloc((size_t)n + 1);
	if (names == NULL)
		die(ENOMEM, "cgroup message");
	read_full(names, n);
	names[n] = '\0';
	*len = n;
	return names;
}

// read_sync waits for the one-byte message want from the parent, acting on
// the cgroup messages (SYNC_CGROUP_TASKS, SYNC_CGROUP, SYNC_CGROUP_FD) that
// arrive first.
static void read_sync(char want)
{
	for (;;) {
		if (want == SYNC_CGROUP && cgroup_ready)
			return;
		int fds[MAX_TASKS_FDS], n;
		char c = read_msg(fds, MAX_TASKS_FDS, &n);
		if (c == SYNC_CGROUP_TASKS) {
			size_t len;
			char *names = read_tasks_names(&len);
			join_v1_cgroups(fds, n, names, len);
			free(names);
			continue;
		}
		if (c == SYNC_CGROUP_FD && n == 1) {
			cgroup_fd = fds[0];
			cgroup_ready = 1;
			continue;
		}
		for (int i = 0; i < n; i++)
			close(fds[i]);
		if (c == SYNC_CGROUP) {
			cgroup_ready = 1;
			continue;
		}
		if (c != want)
			die(0, "unexpected message %d from parent (waiting for %c)", c, want);
		return;
	}
}

static void write_full(const void *buf, size_t len)
{
	int err = write_exact(initpipe, buf, len);
	if (err != 0)
		die(err, "write to parent");
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

// parse_bootstrap reads one message: magic, payload length, then records of
// (u32 type, u32 length, bytes). Strings arrive without a NUL; we add one.
static void parse_bootstrap(struct bootstrap *b)
{
	char hdr[8];
	read_full(hdr, 8);
	if (get_u32(hdr) != BOOTSTRAP_MAGIC)
		die(0, "bootstrap: bad magic");
	uint32_t total = get_u32(hdr + 4);
	if (total > BOOTSTRAP_MAX)
		die(0, "bootstrap: message too large (%u bytes)", total);
	char *data = malloc(total + 1);
	if (data == NULL)
		die(errno, "bootstrap: malloc");
	read_full(data, total);

	memset(b, 0, sizeof(*b));
	b->join_pidfd = -1;
	uint32_t off = 0;
	while (off + 8 <= total) {
		uint32_t type = get_u32(data + off);
		uint32_t len = get_u32(data + off + 4);
		off += 8;
		if (len > total - off)
			die(0, "bootstrap: truncated record %u", type);
		char *val = data + off;
		switch (type) {
		case BT_CLONE_FLAGS:
			if (len != 4)
				die(0, "bootstrap: bad clone flags");
			b->clone_flags = get_u32(val);
			break;
		case BT_NS_PATH: {
			if (len < 5)
				die(0, "bootstrap: bad namespace path record");
			if (b->njoin >= MAX_JOIN)
				die(0, "bootstrap: too many namespaces to join");
			struct ns_join *j = &b->join[b->njoin++];
			j->type = get_u32(val);
			j->path = strndup(val + 4, len - 4);
			j->fd = -1;
			break;
		}
		case BT_TIME_OFFSETS:
			b->time_offsets = strndup(val, len);
			break;
		case BT_OOM_SCORE_ADJ:
			b->oom_score_adj = strndup(val, len);
			break;
		case BT_NO_SETGROUPS:
			b->no_setgroups = 1;
			break;
		case BT_CGROUP_SYNC:
			b->cgroup_sync = 1;
			break;
		case BT_CLONE_INTO:
			b->clone_into = 1;
			break;
		case BT_EXEC_PLAN:
			b->exec_plan = 1;
			break;
		case BT_CREATE_PLAN:
			b->create_plan = 1;
			break;
		case BT_SELF_INIT:
			b->self_init = 1;
			break;
		case BT_FAULT:
			b->fault = strndup(val, len);
			break;
		case BT_JOIN_PIDFD:
			if (len != 8)
				die(0, "bootstrap: bad pidfd record");
			b->join_pidfd = (int)get_u32(val);
			b->join_pidfd_flags = get_u32(val + 4);
			break;
		default:
			die(0, "bootstrap: unknown record type %u", type);
		}
		off += len;
	}
	if (off != total)
		die(0, "bootstrap: trailing bytes");
	free(data);
	b->new_cgroupns = (b->clone_flags & CLONE_NEWCGROUP) != 0;
	b->clone_flags &= ~(uint32_t)CLONE_NEWCGROUP;
	if (b->clone_into && b->join_pidfd >= 0 && (b->join_pidfd_flags & CLONE_NEWCGROUP)) {
		b->join_cgroupns = 1;
		b->join_pidfd_flags &= ~(uint32_t)CLONE_NEWCGROUP;
	}
}

static const char *ns_name(uint32_t type)
{
	switch (type) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNET: return "net";
	case CLONE_NEWNS: return "mnt";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWTIME: return "time";
	}
	return "unknown";
}

// join_namespaces opens every path first (a joined mount namespace would
// change what later paths mean), then joins the other namespaces it may
// join as it is, the user namespace, and last those it could join only as
// root of that user namespace (rootless), as runc does: root on the host
// may join a namespace the joined user namespace does not own (the host's
// network namespace), which root inside it may not. The user namespace
// owns the namespaces cloned afterwards either way.
static void join_namespaces(struct bootstrap *b)
{
	for (int i = 0; i < b->njoin; i++) {
		struct ns_join *j = &b->join[i];
		j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
		if (j->fd < 0)
			die(errno, "open %s namespace %s", ns_name(j->type), j->path);
	}
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < b->njoin; i++) {
			struct ns_join *j = &b->join[i];
			int is_user = j->type == CLONE_NEWUSER;
			if (j->fd < 0 || (pass == 1) != is_user)
				continue;
			if (setns(j->fd, j->type) < 0) {
				if (pass == 0 && errno == EPERM)
					continue; // again after the user namespace
				die(errno, "setns %s namespace %s", ns_name(j->type), j->path);
			}
			close(j->fd);
			j->fd = -1;
			if (is_user) {
				// Be root inside the joined user namespace.
				if (setresgid(0, 0, 0) < 0)
					die(errno, "setresgid in joined user namespace");
				if (setresuid(0, 0, 0) < 0)
					die(errno, "setresuid in joined user namespace");
			}
		}
	}
}

// join_pidfd enters every namespace of a running process at once through
// its pidfd (Linux 5.8): the kernel orders them, and the pidfd guarantees
// the process is the one the parent checked, not a recycled pid.
static void join_pidfd(struct bootstrap *b)
{
	if (b->join_pidfd < 0)
		return;
	if (setns(b->join_pidfd, (int)b->join_pidfd_flags) < 0)
		die(errno, "setns to the container's namespaces (flags 0x%x)", b->join_pidfd_flags);
	if (!b->join_cgroupns)
		close(b->join_pidfd);
	if (b->join_pidfd_flags & CLONE_NEWUSER) {
		if (setresgid(0, 0, 0) < 0)
			die(errno, "setresgid in the container's user namespace");
		if (setresuid(0, 0, 0) < 0)
			die(errno, "setresuid in the container's user namespace");
	}
}

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(errno, "open %s", path);
	size_t len = strlen(data);
	if (write(fd, data, len) != (ssize_t)len)
		die(errno, "write %s", path);
	close(fd);
}

static void new_user_namespace(struct bootstrap *b)
{
	if (unshare(CLONE_NEWUSER) < 0)
		die(errno, "unshare user namespace");
	// The parent writes /proc/<our pid>/{setgroups,uid_map,gid_map}. A
	// non-root parent can only do that while we are dumpable.
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		die(errno, "prctl dumpable");
	char req = SYNC_USERMAP;
	write_full(&req, 1);
	read_sync(SYNC_USERMAP_ACK);
	// Stay dumpable until the time offsets are written: as root of the new
	// namespace we may only open our own /proc files while dumpable.
	if (setresgid(0, 0, 0) < 0)
		die(errno, "setresgid to root in the new user namespace");
	if (setresuid(0, 0, 0) < 0)
		die(errno, "setresuid to root in the new user namespace");
	if (!b->no_setgroups && setgroups(0, NULL) < 0)
		die(errno, "setgroups in the new user namespace");
	// Changing ids reset dumpable; we still need our /proc files (see above).
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		die(errno, "prctl dumpable");
}

static pid_t clone_parent(void)
{
	// A raw clone: CLONE_PARENT makes the child a sibling of ours, i.e. a
	// child of the berth process that started us, which can then wait for it
	// (or, once that exits, the caller's subreaper adopts it).
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
}

// The kernel's struct clone_args, up to the cgroup field (Linux 5.7).
struct berth_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

// clone_parent_into is clone_parent with the child born in the cgroup of
// dir fd cg. Kernels without CLONE_INTO_CGROUP (or a seccomp filter that
// hides clone3) fail with ENOSYS, E2BIG or EINVAL.
static pid_t clone_parent_into(int cg)
{
	// No exit_signal: clone3 refuses one with CLONE_PARENT, whose child
	// gets ours (SIGCHLD), like clone_parent's.
	struct berth_clone_args args = {
		.flags = CLONE_PARENT | CLONE_INTO_CGROUP,
		.cgroup = (uint64_t)cg,
	};
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

// cgroupns creates or joins the cgroup namespace; the init's cgroup must be
// ours by then, as a namespace's root is the cgroup it is made in (or for
// a join, what it can see). It returns the errno of a failure, or 0.
static int cgroupns(struct bootstrap *b)
{
	if (b->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return errno;
	if (b->join_cgroupns) {
		int err = setns(b->join_pidfd, CLONE_NEWCGROUP) < 0 ? errno : 0;
		close(b->join_pidfd);
		return err;
	}
	return 0;
}

// clone_init forks the container's init. With cgroup_fd, the init is born
// in that cgroup and enters the cgroup namespace itself
// (berth_cgroupns_errno); where the kernel cannot do that, we move
// ourselves there first. Otherwise the parent moved us already.
static pid_t clone_init(struct bootstrap *b)
{
	if (cgroup_fd >= 0) {
		pid_t child = clone_parent_into(cgroup_fd);
		if (child == 0) {
			close(cgroup_fd);
			berth_cgroupns_errno = cgroupns(b);
			return 0;
		}
		if (child > 0)
			return child;
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			die(errno, "clone the init into its cgroup");
		int procs = openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (procs < 0)
			die(errno, "open the container's cgroup.procs");
		if (write(procs, "0", 1) != 1)
			die(errno, "join the container's cgroup");
		close(procs);
	}
	int err = cgroupns(b);
	if (err != 0)
		die(err, "%s cgroup namespace", b->new_cgroupns ? "unshare" : "join the container's");
	return clone_parent();
}

// report_pid sends the parent SYNC_PID with the init's pid (0 from an init
// without a stage: the parent knows it).
static void report_pid(uint32_t pid)
{
	char msg[5];
	msg[0] = SYNC_PID;
	memcpy(msg + 1, &pid, 4);
	write_full(msg, 5);
}

// run_init goes on as the container's init, all in C: exec's (process.c)
// or create's (create.c). Go never starts in it.
static void run_init(struct bootstrap *b)
{
	prctl(PR_SET_NAME, (unsigned long)"berth:[init]", 0, 0, 0);
	if (b->exec_plan)
		berth_run_plan(initpipe, berth_cgroupns_errno);
	if (b->create_plan)
		berth_run_create(initpipe, berth_cgroupns_errno);
	die(0, "bootstrap names no plan for the init");
}

// self_init is an init with no stage: the parent cloned us into our new
// namespaces (and on cgroup2 into our cgroup), which saves a process, an
// exec and an exit per container. It does so only where a stage has
// nothing else to do: no namespace to join (setns of a mount or user
// namespace needs a single-threaded process, which the parent is not), no
// user namespace (its maps must be written before it acts) and no time
// namespace (offsets must be written before a process is in it). We move
// ourselves into the v1 cgroups, make the cgroup namespace and go on.
static void self_init(struct bootstrap *b)
{
	if (b->clone_flags != 0 || b->njoin > 0 || b->join_pidfd >= 0 || b->time_offsets != NULL)
		die(0, "bootstrap: an init without a stage cannot make or join namespaces");
	if (b->cgroup_sync)
		read_sync(SYNC_CGROUP);
	if (cgroup_fd >= 0)
		die(0, "bootstrap: an init without a stage got a cgroup to fork into");
	int err = cgroupns(b);
	if (err != 0)
		die(err, "unshare cgroup namespace");
	report_pid(0);
	run_init(b);
}

// Which of fds 0-2 were closed when we were executed. The Go runtime opens
// /dev/null on closed stdio fds before main runs, so only a constructor can
// still tell (berth passes a closed stdio on to the container closed).
int berth_closed_stdio;

// The lowest fd above stdio that was closed when we were executed: fds 3
// up to it are the caller's. Every fd berth opens lands at or above it
// (or in a stdio hole), so --preserve-fds must not reach it: berth would
// pass its own fds (the state dir's lock, the init pipe) to the container.
int berth_first_unopened_fd = 3;

__attribute__((constructor)) static void nsenter(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			berth_closed_stdio |= 1 << fd;
	// A user namespace holder (idmap.go) only waits to be killed.
	if (getenv(ENV_USERNS_HOLD) != NULL)
		for (;;)
			pause();
	const char *env = getenv(ENV_INITPIPE);
	if (env == NULL) {
		// Only the CLI passes fds on (a stage or an init never asks).
		while (fcntl(berth_first_unopened_fd, F_GETFD) >= 0 || errno != EBADF)
			berth_first_unopened_fd++;
		// The Go CLI: each thread cgo starts would make itself a malloc
		// arena (three syscalls and a page fault) for one small malloc.
#ifdef M_ARENA_MAX // glibc's: musl's malloc has no arenas
		mallopt(M_ARENA_MAX, 1);
#endif
		go_runtime_start_with_one_p();
		go_runtime_start_without_files(berth_closed_stdio);
		go_heap_in_huge_page();
		return;
	}
	initpipe = atoi(env);
	if (initpipe < 3)
		die(0, "bad %s=%s", ENV_INITPIPE, env);
	if (getrlimit(RLIMIT_NOFILE, &berth_nofile_at_start) < 0)
		die(errno, "getrlimit RLIMIT_NOFILE");
	// The handle of the sealed binary we run from: nothing needs it now.
	const char *exefd = getenv(ENV_EXEFD);
	if (exefd != NULL && atoi(exefd) > 2)
		close(atoi(exefd));
	// Until exec, nobody in the container may ptrace us or open our /proc
	// entries (our exe is the runtime binary).
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct bootstrap b;
	parse_bootstrap(&b);
	// We were executed as /proc/self/fd/N: give ps a better name than "N".
	prctl(PR_SET_NAME, (unsigned long)(b.self_init ? "berth:[init]" : "berth:[stage]"), 0, 0, 0);

	if (b.oom_score_adj != NULL)
		write_file("/proc/self/oom_score_adj", b.oom_score_adj);
	if (b.self_init)
		self_init(&b);

	join_pidfd(&b);
	join_namespaces(&b);
	if (b.clone_flags & CLONE_NEWUSER)
		new_user_namespace(&b);
	// Everything but the cgroup namespace now, while the parent creates
	// the cgroup; its root must be the container's cgroup, so it waits.
	uint32_t rest = b.clone_flags & ~(uint32_t)CLONE_NEWUSER;
	if (rest != 0 && unshare((int)rest) < 0)
		die(errno, "unshare namespaces (flags 0x%x)", rest);
	if (b.time_offsets != NULL)
		write_file("/proc/self/timens_offsets", b.time_offsets);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die(errno, "prctl dumpable");
	if (b.cgroup_sync)
		read_sync(SYNC_CGROUP);

	pid_t child = clone_init(&b);
	if (child < 0)
		die(errno, "clone init process");
	if (child == 0)
		run_init(&b); // P1
	if (b.fault != NULL && strcmp(b.fault, "stage:after-clone") == 0)
		_exit(1); // test builds: die with the init forked and not reported
	report_pid((uint32_t)child);
	_exit(0);
}
