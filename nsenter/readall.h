// read_exact, shared by the stage (nsenter.c) and the exec init (process.c).
#ifndef BERTH_READALL_H
#define BERTH_READALL_H

#include <errno.h>
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

#endif
