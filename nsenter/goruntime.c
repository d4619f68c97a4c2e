/*
 * How the Go runtime of the berth CLI starts: with one P, and with a
 * monitor thread that wakes up less. berth lives for milliseconds and mostly
 * waits on syscalls; Go has no setting for either.
 *
 * One P from the start. The runtime sizes itself from the CPUs the process
 * may run on (sched_getaffinity), before any Go code runs: with two, it makes
 * a second P, starts threads to spin on it, and main's GOMAXPROCS(1) then
 * stops the world to tear it down again (page faults, a futex round, a few
 * hundred microseconds). So the constructor (nsenter.c) pins the main thread
 * to the CPU it is on (if the caller may run on every CPU: see
 * go_runtime_may_pin), and the first pthread_create, which runtime.main
 * calls for sysmon after the runtime has sized itself and before any other
 * thread exists, restores the caller's mask. Every thread and process after
 * that inherits the caller's mask; the containers get it. The price:
 * runtime.NumCPU() says 1 (berth counts CPUs itself: list.go).
 *
 * A slow sysmon. sysmon sleeps 20 us at a time after every syscall it sees
 * block, which in berth is all the time: ~60 wake-ups per run, each a timer
 * (a trap to the hypervisor in a VM) and a context switch that takes a CPU
 * from the stage or the init. With 10 ms of timer slack the kernel batches
 * them: each comes up to 10 ms late, sysmon's own longest sleep, which its
 * jobs (taking the P from a blocked syscall, preempting a goroutine that
 * runs 10 ms) tolerate. 2 ms, the first choice, left ~20 wake-ups in each
 * of 20 concurrent runs (docs/performance.md). A timer slack is per thread
 * and inherited, so it is set as each thread starts: sysmon's thread sets
 * 10 ms, every other thread sets the caller's back, in case
 * sysmon created it. The stage, the hooks and the containers keep the
 * caller's slack.
 *
 * No files opened by the runtime's start. Before any Go code runs, the
 * runtime reads the transparent huge page size from sysfs and, even with
 * containermaxprocs=0 (main.go), finds its CPU cgroup: /proc/self/cgroup,
 * all of /proc/self/mountinfo, and opens of the cpu quota and period files
 * (only to count a GODEBUG metric). ~0.2 ms of CPU per process here, lookups
 * that cross sysfs and kernfs (waiting on their root's rwsem while other
 * containers' cgroups and network namespaces come and go), and a mount
 * table that grows with the host's. Each of those opens gives up on an
 * error, so the constructor sets RLIMIT_NOFILE's soft limit to 0 (every
 * open fails with EMFILE) and the first pthread_create puts the caller's
 * limit back, before any package's init. Not when stdin, stdout or stderr
 * is closed: the runtime then opens /dev/null for it, and fails without.
 *
 * The runtime's first thread is also when the heap's other huge page
 * blocks are given up (goheap.c).
 *
 * cgo starts every Go thread with pthread_create, which the link wraps
 * (bootstrap.go: -Wl,--wrap=pthread_create).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "goheap.h"
#include "goruntime.h"

#define SYSMON_SLACK_NS 10000000UL

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg);

static cpu_set_t caller_mask;
static struct rlimit caller_nofile;
static int nofile_lowered;
static int pinned;
static unsigned long caller_slack;
static int threads_created;

// go_runtime_may_pin tells whether the caller's mask, as sched_getaffinity
// reports it, can be put back exactly: only if it holds every CPU the
// machine can have.
// The report leaves out offline CPUs, and a mask the caller asked for that
// its cpuset narrows shows narrowed; putting back either would keep the
// containers from CPUs that come online or that the cpuset gains later.
int go_runtime_may_pin(const cpu_set_t *mask, long possible_cpus)
{
	int n = CPU_COUNT(mask);
	return n >= 2 && n == possible_cpus;
}

void go_runtime_start_with_one_p(void)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(caller_mask), &caller_mask) != 0 ||
	    !go_runtime_may_pin(&caller_mask, sysconf(_SC_NPROCESSORS_CONF)))
		return;
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &caller_mask))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == 0)
		pinned = 1;
}

// restore_caller_mask runs on the main thread before any other exists. A
// container must never inherit the pin: if the mask cannot be put back,
// berth stops here.
static void restore_caller_mask(void)
{
	if (!pinned)
		return;
	if (sched_setaffinity(0, sizeof(caller_mask), &caller_mask) != 0) {
		perror("berth: restore the CPU affinity");
		_exit(1);
	}
	pinned = 0;
}

// prlimit64 rather than setrlimit: musl's setrlimit signals every thread
// (__synccall), for kernels where limits were per thread.
static int swap_nofile(const struct rlimit *new, struct rlimit *old)
{
	return (int)syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, new, old);
}

void go_runtime_start_without_files(int closed_stdio)
{
	struct rlimit none;

	if (closed_stdio != 0 || swap_nofile(NULL, &caller_nofile) != 0)
		return;
	none.rlim_cur = 0;
	none.rlim_max = caller_nofile.rlim_max;
	if (swap_nofile(&none, NULL) == 0)
		nofile_lowered = 1;
}

// restore_caller_nofile runs on the main thread before any other exists,
// and before any Go package's init. berth and all it starts must have the
// caller's limit: if it cannot be put back, berth stops here.
static void restore_caller_nofile(void)
{
	if (!nofile_lowered)
		return;
	if (swap_nofile(&caller_nofile, NULL) != 0) {
		perror("berth: restore RLIMIT_NOFILE");
		_exit(1);
	}
	nofile_lowered = 0;
}

struct slack_start {
	void *(*start)(void *);
	void *arg;
	unsigned long slack;
};

static void *start_with_slack(void *p)
{
	struct slack_start s = *(struct slack_start *)p;

	free(p);
	if (s.slack > 0)
		syscall(SYS_prctl, PR_SET_TIMERSLACK, s.slack, 0, 0, 0);
	return s.start(s.arg);
}

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg)
{
	int first = __atomic_fetch_add(&threads_created, 1, __ATOMIC_SEQ_CST) == 0;

	if (first) {
		// The main thread, creating sysmon; no other thread exists yet.
		restore_caller_mask();
		restore_caller_nofile();
		go_heap_keep_touched_huge_page();
		long v = syscall(SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, 0);
		caller_slack = v > 0 ? (unsigned long)v : 0;
	}
	struct slack_start *s = malloc(sizeof(*s));
	if (s == NULL)
		return __real_pthread_create(thread, attr, start, arg);
	s->start = start;
	s->arg = arg;
	s->slack = first ? SYSMON_SLACK_NS : caller_slack;
	int err = __real_pthread_create(thread, attr, start_with_slack, s);
	if (err != 0)
		free(s);
	return err;
}
