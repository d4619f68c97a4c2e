// Unit test of goruntime.c, linked with pthread_create wrapped as in berth:
// after go_runtime_start_with_one_p the main thread runs on one CPU until
// it creates its first thread; from then on every thread has the caller's
// CPU mask. The first thread gets 10 ms of timer slack, every other thread
// the caller's, even one that the first thread creates (which would
// otherwise inherit the 10 ms). After go_runtime_start_without_files every
// open fails until the first thread exists, and the caller's RLIMIT_NOFILE
// is back from then on; with a closed std fd nothing changes. Built and run by `make unit` (no root needed).
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../goruntime.h"

#define CALLER_SLACK 70000L

static int failures;
static cpu_set_t caller_mask;

static void expect(const char *who, const char *what, long got, long want)
{
	if (got != want) {
		fprintf(stderr, "FAIL: %s: %s is %ld, want %ld\n", who, what, got, want);
		failures++;
	}
}

static void check(const char *who, long want_slack)
{
	cpu_set_t mask;

	expect(who, "the timer slack", syscall(SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, 0), want_slack);
	sched_getaffinity(0, sizeof(mask), &mask);
	expect(who, "the CPU mask equal to the caller's", CPU_EQUAL(&mask, &caller_mask), 1);
}

static void *later(void *name)
{
	check(name, CALLER_SLACK);
	return NULL;
}

static void *first(void *arg)
{
	pthread_t t;

	(void)arg;
	check("the first thread", 10000000);
	pthread_create(&t, NULL, later, "a thread the first one created");
	pthread_join(t, NULL);
	return NULL;
}

// The pin is taken only when the caller's mask holds every possible CPU.
static void test_may_pin(void)
{
	cpu_set_t m;

	CPU_ZERO(&m);
	CPU_SET(0, &m);
	expect("one CPU of one", "go_runtime_may_pin", go_runtime_may_pin(&m, 1), 0);
	CPU_SET(1, &m);
	CPU_SET(2, &m);
	expect("three CPUs of four (offline or not allowed)", "go_runtime_may_pin", go_runtime_may_pin(&m, 4), 0);
	CPU_SET(3, &m);
	expect("four CPUs of four", "go_runtime_may_pin", go_runtime_may_pin(&m, 4), 1);
}

static long nofile_soft(void)
{
	struct rlimit r;

	getrlimit(RLIMIT_NOFILE, &r);
	return (long)r.rlim_cur;
}

// open's errno, or 0 if it opened (and closed) the file.
static long open_errno(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_closed_stdio_keeps_nofile(void)
{
	long before = nofile_soft();

	go_runtime_start_without_files(1 << 0);
	expect("a closed stdin", "RLIMIT_NOFILE's soft limit", nofile_soft(), before);
	expect("a closed stdin", "open's errno", open_errno(), 0);
}

int main(void)
{
	pthread_t t;
	cpu_set_t mask;

	test_may_pin();

	prctl(PR_SET_TIMERSLACK, CALLER_SLACK, 0, 0, 0);
	sched_getaffinity(0, sizeof(caller_mask), &caller_mask);
	test_closed_stdio_keeps_nofile();
	long caller_nofile = nofile_soft();
	go_runtime_start_with_one_p();
	go_runtime_start_without_files(0);
	expect("the main thread before the first thread", "open's errno", open_errno(), EMFILE);
	sched_getaffinity(0, sizeof(mask), &mask);
	if (CPU_COUNT(&caller_mask) > 1)
		expect("the main thread before the first thread", "its CPU count", CPU_COUNT(&mask), 1);
	else
		printf("goruntime_test: one CPU here, the pin is not tested\n");
	pthread_create(&t, NULL, first, NULL);
	check("the main thread after the first thread", CALLER_SLACK);
	expect("the main thread after the first thread", "RLIMIT_NOFILE's soft limit", nofile_soft(), caller_nofile);
	expect("the main thread after the first thread", "open's errno", open_errno(), 0);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, later, "a thread the main one created");
	pthread_join(t, NULL);
	if (failures)
		return 1;
	printf("goruntime_test: ok\n");
	return 0;
}
