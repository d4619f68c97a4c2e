// Unit test of sysmon.c: with pthread_create wrapped, the first thread a
// process creates gets 2 ms of timer slack, and every other thread the
// caller's, even one that the first thread creates (which would otherwise
// inherit the 2 ms). Built and run by `make unit` (no root needed).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CALLER_SLACK 70000L

static int failures;

static long my_slack(void)
{
	return syscall(SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, 0);
}

static void expect(const char *who, long got, long want)
{
	if (got != want) {
		fprintf(stderr, "FAIL: %s has a timer slack of %ld ns, want %ld\n", who, got, want);
		failures++;
	}
}

static void *later(void *name)
{
	expect(name, my_slack(), CALLER_SLACK);
	return NULL;
}

static void *first(void *arg)
{
	pthread_t t;

	(void)arg;
	expect("the first thread", my_slack(), 2000000);
	pthread_create(&t, NULL, later, "a thread the first one created");
	pthread_join(t, NULL);
	return NULL;
}

int main(void)
{
	pthread_t t;

	prctl(PR_SET_TIMERSLACK, CALLER_SLACK, 0, 0, 0);
	pthread_create(&t, NULL, first, NULL);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, later, "a thread the main one created");
	pthread_join(t, NULL);
	expect("the main thread", my_slack(), CALLER_SLACK);
	if (failures)
		return 1;
	printf("sysmon_test: ok\n");
	return 0;
}
