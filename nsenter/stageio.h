// I/O and message helpers shared by the stage (nsenter.c) and the init's
// C code (planio.c, rootfs.c).
#ifndef BERTH_STAGEIO_H
#define BERTH_STAGEIO_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
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

// recv_byte_fds reads one message byte from the socket sock and the fds
// sent with it (SCM_RIGHTS, made close-on-exec), at most max of them: 0
// with *nfds set, else the errno of the failure (EMSGSIZE: more fds or
// control data than fit), or -1 at the end of the stream.
static inline int recv_byte_fds(int sock, char *byte, int *fds, int max, int *nfds)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(64 * sizeof(int))];
	} ctl;
	*nfds = 0;
	if (max > 64)
		return EINVAL;
	struct iovec iov = {.iov_base = byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = CMSG_SPACE((size_t)max * sizeof(int))};
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	if (n == 0)
		return -1;
	if (msg.msg_flags & MSG_CTRUNC)
		return EMSGSIZE;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
		*nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(cm), (size_t)*nfds * sizeof(int));
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
