// Failure reports and allocation helpers of the plan code (planio.h).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mountapi.h"
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "gotext.h"
#include "planio.h"
#include "stageio.h"

int plan_parent_fd = -1;
int plan_start_fd = -1;

void go_errno_text(int errnum, char *buf, size_t size)
{
	const char *s = go_errno_string(errnum);
	if (s != NULL)
		snprintf(buf, size, "%s", s);
	else
		snprintf(buf, size, "errno %d", errnum);
}

void plan_fail(int errnum, const char *fmt, ...)
{
	char msg[2048], e[256];
	if (errnum != 0)
		go_errno_text(errnum, e, sizeof(e));
	va_list ap;
	va_start(ap, fmt);
	format_msg(msg, sizeof(msg), errnum != 0 ? e : NULL, fmt, ap);
	va_end(ap);
	char out[sizeof(msg) * 6 + 64];
	size_t o = (size_t)snprintf(out, sizeof(out), "{\"type\":\"error\",\"error\":\"");
	for (const unsigned char *c = (const unsigned char *)msg; *c; c++) {
		if (*c == '"' || *c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*c;
		} else if (*c < 0x20) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", *c);
		} else {
			out[o++] = (char)*c;
		}
	}
	o += (size_t)snprintf(out + o, sizeof(out) - o, "\"}\n");
	// If the parent is gone, it sees EOF: nothing more to do.
	if (plan_parent_fd >= 0) {
		(void)write_exact(plan_parent_fd, out, o);
	} else if (plan_start_fd >= 0) {
		char told[sizeof(msg) + 1];
		int n = snprintf(told, sizeof(told), "E%s", msg);
		if (write_exact(plan_start_fd, told, (size_t)n) != 0)
			fprintf(stderr, "berth init: %s\n", msg);
	} else {
		fprintf(stderr, "berth init: %s\n", msg);
	}
	_exit(1);
}

const char *go_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	buf[o++] = '"';
	for (const unsigned char *c = (const unsigned char *)s; *c && o + 6 < size; c++) {
		if (*c == '"' || *c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)*c;
		} else if (*c < 0x20 || *c == 0x7f) {
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", *c);
		} else {
			buf[o++] = (char)*c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

char *plan_text(const char *p, uint32_t len)
{
	char *s = strndup(p, len);
	if (s == NULL)
		plan_fail(ENOMEM, "read plan");
	return s;
}

void *plan_bytes(const char *p, size_t len)
{
	void *c = malloc(len + 1);
	if (c == NULL)
		plan_fail(ENOMEM, "read plan");
	memcpy(c, p, len);
	return c;
}

void *plan_grow(void *arr, int n, size_t elem)
{
	void *p = realloc(arr, (size_t)(n + 1) * elem);
	if (p == NULL)
		plan_fail(ENOMEM, "read plan");
	return p;
}

int private_proc(const char **step)
{
	int fsfd = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		*step = "fsopen proc";
		return -1;
	}
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		*step = "create procfs";
		int err = errno;
		close(fsfd);
		errno = err;
		return -1;
	}
	int proc = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	int err = errno;
	close(fsfd);
	errno = err;
	if (proc < 0)
		*step = "fsmount procfs";
	return proc;
}

int private_proc_write(int proc, const char *rel, const char *text, const char **step)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	*step = "open";
	int fd = (int)syscall(SYS_openat2, proc, rel, &how, sizeof(how));
	if (fd < 0)
		return -1;
	*step = "write";
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)len ? 0 : -1;
}

void plan_send_msg(const char *type)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "{\"type\":\"%s\"}\n", type);
	int err = write_exact(plan_parent_fd, msg, (size_t)n);
	if (err != 0)
		plan_fail(err, "send %s to parent", type);
}

void plan_expect_msg(const char *type)
{
	char line[128], want[128];
	size_t got = 0;
	for (;;) {
		char c;
		ssize_t k = read(plan_parent_fd, &c, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			plan_fail(k < 0 ? errno : 0, "read from parent");
		if (c == '\n')
			break;
		if (got < sizeof(line) - 1)
			line[got++] = c;
	}
	line[got] = '\0';
	snprintf(want, sizeof(want), "{\"type\":\"%s\"}", type);
	if (strcmp(line, want) != 0) {
		char q[300];
		plan_fail(0, "parent sent %s, expected \"%s\"", go_quote(line, q, sizeof(q)), type);
	}
}

char *plan_read_frame(uint32_t magic, uint32_t max, const char *what, uint32_t *size)
{
	char hdr[8];
	int err = read_exact(plan_parent_fd, hdr, 8);
	if (err != 0)
		plan_fail(err > 0 ? err : 0, "read %s%s", what, err < 0 ? ": unexpected end of stream" : "");
	uint32_t total = u32(hdr + 4);
	if (u32(hdr) != magic)
		plan_fail(0, "%s: bad magic", what);
	if (total > max)
		plan_fail(0, "%s: too large (%u bytes)", what, total);
	char *msg = malloc(8 + (size_t)total);
	if (msg == NULL)
		plan_fail(ENOMEM, "read %s", what);
	memcpy(msg, hdr, 8);
	err = read_exact(plan_parent_fd, msg + 8, total);
	if (err != 0)
		plan_fail(err > 0 ? err : 0, "read %s%s", what, err < 0 ? ": unexpected end of stream" : "");
	*size = 8 + total;
	return msg;
}

void plan_walk(const char *msg, uint32_t size, uint32_t magic, const char *what,
	       void (*record)(void *ctx, uint32_t type, const char *v, uint32_t len), void *ctx)
{
	if (size < 8 || u32(msg) != magic)
		plan_fail(0, "%s: bad magic", what);
	uint32_t total = u32(msg + 4);
	if (total != size - 8)
		plan_fail(0, "%s: %u bytes, header says %u", what, size - 8, total);
	const char *data = msg + 8;
	uint32_t off = 0;
	while (off + 8 <= total) {
		uint32_t type = u32(data + off), len = u32(data + off + 4);
		off += 8;
		if (len > total - off)
			plan_fail(0, "%s: bad record %u", what, type);
		record(ctx, type, data + off, len);
		off += len;
	}
	if (off != total)
		plan_fail(0, "%s: trailing bytes", what);
}
