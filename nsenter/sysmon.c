/*
 * Timer slack for the Go runtime's monitor thread (sysmon), in the Go CLI.
 *
 * sysmon sleeps 20 us at a time after every syscall it sees block, which in
 * berth is all the time: ~60 wake-ups per run, each a timer (a trap to the
 * hypervisor in a VM) and a context switch that takes a CPU from the stage or
 * the init. With 2 ms of timer slack the kernel batches them: it wakes every
 * ~2 ms, which its jobs (taking the P from a blocked syscall, preempting a
 * goroutine that runs 10 ms) tolerate. Go has no setting for it.
 *
 * A timer slack is per thread and inherited by the threads and processes a
 * thread creates. cgo starts every Go thread with pthread_create, which the
 * link wraps (bootstrap.go: -Wl,--wrap=pthread_create): the first thread,
 * which runtime.main creates for sysmon before any Go code runs, gets the
 * slack; every other thread sets the caller's back as it starts, in case
 * sysmon created it. So the threads that fork the stage, the hooks and
 * everything else keep the caller's slack, and so do the containers.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSMON_SLACK_NS 2000000UL

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg);

struct slack_start {
	void *(*start)(void *);
	void *arg;
	unsigned long slack;
};

static unsigned long caller_slack;
static int threads_created;

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
	struct slack_start *s = malloc(sizeof(*s));

	if (s == NULL)
		return __real_pthread_create(thread, attr, start, arg);
	s->start = start;
	s->arg = arg;
	if (__atomic_fetch_add(&threads_created, 1, __ATOMIC_SEQ_CST) == 0) {
		// The main thread, creating sysmon; no other thread exists yet.
		long v = syscall(SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, 0);
		caller_slack = v > 0 ? (unsigned long)v : 0;
		s->slack = SYSMON_SLACK_NS;
	} else {
		s->slack = caller_slack;
	}
	int err = __real_pthread_create(thread, attr, start_with_slack, s);
	if (err != 0)
		free(s);
	return err;
}
