// The OCI hooks the container's init runs itself: createContainer (after
// the mounts, before pivot_root) and startContainer (after start, before
// the exec), each with the container's state on stdin.
#ifndef BERTH_HOOKS_H
#define BERTH_HOOKS_H

#include <stddef.h>

struct hook {
	char *path;
	char **argv; // NULL-terminated; {path} when the spec has no args
	char **envp; // NULL-terminated; NULL: the init's environment
	int timeout; // seconds, 0 for none
};

// run_hook runs h with state on stdin and waits for it (killing it at its
// timeout). It returns 0, or -1 with the failure in Go's wording ("exit
// status 3, stderr: ...") in msg.
int run_hook(const struct hook *h, const char *state, char *msg, size_t size);

#endif
