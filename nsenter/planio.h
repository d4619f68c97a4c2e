// Helpers shared by the C code that applies a plan from the parent:
// process.c (the process) and rootfs.c (the container's filesystem).
#ifndef BERTH_PLANIO_H
#define BERTH_PLANIO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// plan_parent_fd is the init pipe failures are reported on; -1: stderr.
extern int plan_parent_fd;
// plan_start_fd, between `start`'s release and our byte, is where `start`
// waits for that byte (the exec fifo, or run's socket): a failure is told
// there, as 'E' and the message, so that start fails saying why.
extern int plan_start_fd;

// plan_fail sends {"type":"error","error":msg} (msg ends with Go's text of
// errnum unless it is 0) on plan_parent_fd (else plan_start_fd, else
// stderr) and exits.
void plan_fail(int errnum, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
// go_errno_text is Go's wording of an errno (gotext.h).
void go_errno_text(int errnum, char *buf, size_t size);
// go_quote is Go's %q of s, for the texts that name a path or a binary.
const char *go_quote(const char *s, char *buf, size_t size);
// plan_send_msg sends {"type":"<type>"} and a newline to the parent.
void plan_send_msg(const char *type);
// plan_expect_msg reads one line from the parent and fails unless it is
// {"type":"<type>"}.
void plan_expect_msg(const char *type);
// plan_read_frame reads a whole plan message (u32 magic, u32 length,
// payload) from the parent; what names it in errors. It returns the
// malloc'ed message and sets *size.
char *plan_read_frame(uint32_t magic, uint32_t max, const char *what, uint32_t *size);
// plan_walk checks a whole plan message (u32 magic, u32 length, records)
// and calls record for each (type, value) in order; what names the plan in
// errors.
void plan_walk(const char *msg, uint32_t size, uint32_t magic, const char *what,
	       void (*record)(void *ctx, uint32_t type, const char *v, uint32_t len), void *ctx);
// plan_text, plan_bytes and plan_grow allocate, failing on ENOMEM.
char *plan_text(const char *p, uint32_t len);
void *plan_bytes(const char *p, size_t len);
void *plan_grow(void *arr, int n, size_t elem);

// private_proc mounts a procfs of our own, attached nowhere: writes that
// matter (sysctls, LSM labels) go through it, so that no mount the
// container placed over /proc can redirect them (CVE-2019-16884,
// CVE-2025-52881). On failure it returns -1 with the failed step in *step.
int private_proc(const char **step);
// private_proc_write writes text to rel beneath it, opened without
// symlinks and without leaving the filesystem: 0, or -1 with errno and the
// failed step ("open" or "write") in *step.
int private_proc_write(int proc, const char *rel, const char *text, const char **step);

static inline uint32_t u32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t u64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#endif
