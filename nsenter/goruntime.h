#ifndef BERTH_GORUNTIME_H
#define BERTH_GORUNTIME_H

#include <sched.h>

// go_runtime_start_with_one_p pins the calling (main) thread to its CPU
// until the Go runtime creates its first thread (goruntime.c). Only the Go
// CLI calls it, from the constructor.
void go_runtime_start_with_one_p(void);

// go_runtime_start_without_files makes every open fail (RLIMIT_NOFILE 0)
// until the Go runtime creates its first thread, so that the runtime's start
// reads no files (goruntime.c); nothing is changed if closed_stdio (a bit
// per fd 0-2) is not 0. Only the Go CLI calls it, from the constructor.
void go_runtime_start_without_files(int closed_stdio);

// go_runtime_may_pin: the pin is taken only if mask holds every possible CPU.
int go_runtime_may_pin(const cpu_set_t *mask, long possible_cpus);

#endif
