// The container's init for create, in C from start to exec: Go never
// starts in it (its start-up was most of an init's cost). The stage forks
// it and calls berth_run_create; the parent drives it over the init pipe:
//
//   parent -> init  the rootfs plan (rootfs.h)
//   init -> parent  {"type":"hooks"}, parent -> init {"type":"resume"}
//                   (only with prestart/createRuntime hooks)
//   init -> parent  {"type":"plan"}: the rootfs is entered; the parent
//                   looks the user up through it and sends
//   parent -> init  the process plan (plan.h)
//   init -> parent  {"type":"ready"}, then waits on the exec fifo (or, for
//                   run, for a byte on a socket berth holds).
//
// Failures go to the parent as {"type":"error",...} until "ready", on
// stderr after it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"
#include "inroot.h"
#include "plan.h"
#include "planio.h"
#include "rootfs.h"
#include "rootfs_steps.h"

// run_hooks runs the hooks of one kind in order and stops at the first
// failure.
static void run_hooks(struct rootfs_plan *p, int kind, const char *name)
{
	struct rootfs_plan_hooks *hs = &p->hooks[kind];
	for (int i = 0; i < hs->n; i++) {
		char msg[4096];
		if (run_hook(&hs->list[i], hs->state != NULL ? hs->state : "", msg, sizeof(msg)) < 0)
			plan_fail(0, "error running %s hook #%d: %s", name, i, msg);
	}
}

// trace_step is BERTH_TRACE's line for a step: milliseconds since the init
// started its work and the CPU time it has used (the parent prints the
// same columns).
static void trace_step(const struct rootfs_plan *p, const char *step)
{
	static struct timespec start;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (start.tv_sec == 0 && start.tv_nsec == 0)
		start = now;
	if (!p->trace)
		return;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	double wall = (double)(now.tv_sec - start.tv_sec) * 1e3 + (double)(now.tv_nsec - start.tv_nsec) / 1e6;
	fprintf(stderr, "berth-trace %d %7.3fms cpu %7.3fms %s\n", (int)getpid(), wall, cpu, step);
}

// unset_berth_env drops the variables berth passed the stage: hooks that
// inherit the init's environment must not see them.
static void unset_berth_env(void)
{
	extern char **environ;
	for (int i = 0; environ[i] != NULL;) {
		if (strncmp(environ[i], "_BERTH_", 7) == 0) {
			char name[64];
			const char *eq = strchr(environ[i], '=');
			snprintf(name, sizeof(name), "%.*s", (int)(eq ? eq - environ[i] : (long)strlen(environ[i])), environ[i]);
			unsetenv(name);
			continue;
		}
		i++;
	}
}

// die_of_signal ends the init as a Go program that does not catch sig
// ends: by the signal, or, where that is ignored (a pid namespace's init
// cannot be killed by a signal it has no handler for), with status 2.
static void die_of_signal(int sig)
{
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(2);
}

static void ignore_signal(int sig)
{
	(void)sig;
}

// react_to_signals_as_runc: until its exec, a created container's init
// meets signals as runc's (a Go program) does. The signals that end a Go
// program end it; `kill` of a created container with SIGTERM stops it,
// where without a handler the kernel would drop the signal for a pid
// namespace's init. The signals Go ignores are ignored, with or without a
// pid namespace. Handlers, unlike SIG_IGN, do not outlive the exec.
static void react_to_signals_as_runc(void)
{
	static const int fatal[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT,
				    SIGBUS, SIGFPE, SIGSEGV, SIGTERM, SIGSTKFLT, SIGSYS};
	static const int ignored[] = {SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF,
				      SIGXCPU, SIGXFSZ, SIGIO, SIGPWR};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = die_of_signal;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	sa.sa_handler = ignore_signal;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &sa, NULL);
	// Real-time signals too; the C library refuses the ones it keeps.
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL);
}

// wait_for_start returns once we are started, with the fd to write our byte
// to. fd is an O_PATH handle of the exec fifo, whose open for writing blocks
// until `start` opens it for reading; or, for run (which starts what it
// created, so makes no fifo), a socket on which berth sends a byte.
static int wait_for_start(int fd)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
		char b;
		ssize_t n = read(fd, &b, 1);
		if (n != 1)
			plan_fail(n < 0 ? errno : 0, "berth run went away before starting the container");
		return fd;
	}
	char path[64];
	int fifo = open(fd_path(fd, path, sizeof(path)), O_WRONLY | O_CLOEXEC);
	if (fifo < 0)
		plan_fail(errno, "open exec fifo");
	close(fd);
	return fifo;
}

void berth_run_create(int pipe_fd, int cgroupns_errno)
{
	plan_parent_fd = pipe_fd;
	static struct rootfs_plan plan;
	trace_step(&plan, "init started"); // starts the clock (no line: trace is not known yet)
	// No hook may hold the pipe: our death must reach the parent as EOF.
	if (fcntl(pipe_fd, F_SETFD, FD_CLOEXEC) < 0)
		plan_fail(errno, "init pipe");
	uint32_t size;
	char *msg = plan_read_frame(ROOTFS_MAGIC, ROOTFS_MAX, "rootfs plan", &size);
	if (cgroupns_errno != 0)
		plan_fail(cgroupns_errno, "enter the cgroup namespace");
	rootfs_parse(msg, size, &plan);
	free(msg);
	rootfs_receive_fds(&plan, pipe_fd);
	if (plan.fifo_fd < 0 || fcntl(plan.fifo_fd, F_SETFD, FD_CLOEXEC) < 0)
		plan_fail(0, "rootfs plan without an exec fifo");
	unset_berth_env();

	trace_step(&plan, "rootfs plan read");
	rootfs_prepare(&plan);
	trace_step(&plan, "rootfs prepared");
	if (plan.runtime_hooks) {
		plan_send_msg("hooks");
		plan_expect_msg("resume");
	}
	run_hooks(&plan, HOOK_CREATE_CONTAINER, "createContainer");
	rootfs_finish(&plan);
	trace_step(&plan, "rootfs finished");

	plan_send_msg("plan");
	msg = plan_read_frame(PLAN_MAGIC, PLAN_MAX, "process plan", &size);
	berth_plan_prepare(pipe_fd, msg, size);
	free(msg);
	berth_plan_release_console();
	trace_step(&plan, "process prepared");
	fault_point(&plan, "init:before-ready");
	// Before "ready": the parent hands out our pid (--pidfd-socket, the
	// pid file) as soon as it reads it, and a SIGTERM sent at once must
	// not be dropped for want of a handler.
	react_to_signals_as_runc();
	plan_send_msg("ready");
	close(pipe_fd);
	plan_parent_fd = -1;

	// Past "ready" nobody reads the pipe: failures go to stderr until
	// start releases us, then to start (plan_start_fd).
	int fifo = wait_for_start(plan.fifo_fd);
	plan_start_fd = fifo;
	trace_step(&plan, "released by start");
	run_hooks(&plan, HOOK_START_CONTAINER, "startContainer");
	// The byte tells `start` we reached the exec; the exec itself closes
	// the fifo (close-on-exec), after which `start` runs poststart hooks.
	plan_start_fd = -1;
	if (write(fifo, "0", 1) != 1)
		plan_fail(errno, "write exec fifo");
	trace_step(&plan, "exec");
	berth_plan_exec(-1);
}
