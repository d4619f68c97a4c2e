// I/O and message helpers shared by the stage (nsenter.c) and the process
// setup (process.c).
#ifndef BERTH_STAGEIO_H
#define BERTH_STAGEIO_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

// read_exact reads len bytes from fd: 0 when done, else the errno of the
// failure, or -1 at the end of the stream.
static inline int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

// write_exact writes len bytes to fd: 0 when done, else the errno of the
// failure.
static inline int write_exact(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

// format_msg writes fmt's text into msg, then ": errtext" unless errtext is
// NULL, truncated to fit; it returns the length.
static inline size_t format_msg(char *msg, size_t size, const char *errtext, const char *fmt, va_list ap)
{
	int n = vsnprintf(msg, size, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	if (errtext != NULL) {
		int m = snprintf(msg + n, size - (size_t)n, ": %s", errtext);
		if (m > 0)
			n += m;
		if ((size_t)n >= size)
			n = (int)size - 1;
	}
	return (size_t)n;
}

#endif
