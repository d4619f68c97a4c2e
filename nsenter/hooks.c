// Hooks run by the init (hooks.h).
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gotext.h"
#include "hooks.h"
#include "planio.h"
#include "stageio.h"

extern char **environ;

#define CAPTURE_MAX 65536

struct capture {
	int fd;
	char buf[CAPTURE_MAX];
	size_t len;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// drain reads what fd has; at EOF it closes it.
static void drain(struct capture *c)
{
	char tmp[4096];
	ssize_t n = read(c->fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	size_t keep = (size_t)n;
	if (keep > CAPTURE_MAX - c->len)
		keep = CAPTURE_MAX - c->len;
	memcpy(c->buf + c->len, tmp, keep);
	c->len += keep;
}

// one_line folds a hook's output so an error stays one line: trimmed, cut
// at 1024 bytes, lines joined with " | ", runs of blanks made one space.
static void one_line(const char *s, size_t len, char *out, size_t size)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	int cut = len > 1024;
	if (cut)
		len = 1024;
	size_t o = 0;
	int blank = 0;
	for (size_t i = 0; i < len + (cut ? 3 : 0) && o + 4 < size; i++) {
		char c = i < len ? s[i] : '.';
		if (c == '\n') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			out[o++] = '|';
			blank = 1;
			continue;
		}
		if (isspace((unsigned char)c)) {
			blank = 1;
			continue;
		}
		if (blank && o > 0)
			out[o++] = ' ';
		blank = 0;
		out[o++] = c;
	}
	out[o] = '\0';
}

// write_state writes the state to the hook's stdin. A hook that exits
// without reading it is no failure: EPIPE is ignored, and the SIGPIPE it
// raises is blocked and then discarded, so that it never reaches us.
static void write_state(int fd, const char *state)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	(void)write_exact(fd, state, strlen(state));
	struct timespec zero = {0, 0};
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

// status_text is Go's ProcessState wording of a wait status.
static void status_text(int status, char *out, size_t size)
{
	if (WIFEXITED(status)) {
		snprintf(out, size, "exit status %d", WEXITSTATUS(status));
		return;
	}
	char name[32];
	const char *s = go_signal_string(WTERMSIG(status));
	if (s != NULL)
		snprintf(name, sizeof(name), "%s", s);
	else
		snprintf(name, sizeof(name), "signal %d", WTERMSIG(status));
	snprintf(out, size, "signal: %s%s", name, WCOREDUMP(status) ? " (core dumped)" : "");
}

int run_hook(const struct hook *h, const char *state, char *msg, size_t size)
{
	int in[2], out[2], err[2], ex[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0) {
		char e[128];
		go_errno_text(errno, e, sizeof(e));
		snprintf(msg, size, "pipe: %s", e);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		// dup2 clears close-on-exec on the copies.
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		execve(h->path, h->argv, h->envp != NULL ? h->envp : environ);
		int e = errno;
		(void)write_exact(ex[1], &e, sizeof(e));
		_exit(127);
	}
	int start_errno = pid < 0 ? errno : 0;
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(ex[1]);
	// The child's exec closes ex; a failed one writes its errno first.
	if (pid > 0 && read(ex[0], &start_errno, sizeof(start_errno)) == (ssize_t)sizeof(start_errno))
		waitpid(pid, NULL, 0);
	close(ex[0]);
	if (start_errno != 0) {
		char e[128];
		go_errno_text(start_errno, e, sizeof(e));
		snprintf(msg, size, "fork/exec %s: %s", h->path, e);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		return -1;
	}
	write_state(in[1], state);
	close(in[1]);

	static struct capture cap[2];
	cap[0].fd = out[0];
	cap[1].fd = err[0];
	cap[0].len = cap[1].len = 0;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long long start = now_ms(), exited_at = -1;
	int status = 0, timed_out = 0, reaped = 0;
	for (;;) {
		long long now = now_ms();
		if (!reaped && h->timeout > 0 && !timed_out && now - start >= (long long)h->timeout * 1000) {
			kill(pid, SIGKILL);
			timed_out = 1;
		}
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			exited_at = now;
		}
		// A hook that leaves a child holding its output must not hang
		// us: one second after its exit, we stop reading.
		if (reaped && ((cap[0].fd < 0 && cap[1].fd < 0) || now - exited_at >= 1000))
			break;
		struct pollfd fds[3];
		int nfds = 0;
		for (int i = 0; i < 2; i++)
			if (cap[i].fd >= 0)
				fds[nfds++] = (struct pollfd){.fd = cap[i].fd, .events = POLLIN};
		if (!reaped && pidfd >= 0)
			fds[nfds++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		int wait = reaped ? (int)(1000 - (now - exited_at)) : 100;
		if (!reaped && h->timeout > 0 && !timed_out) {
			long long left = (long long)h->timeout * 1000 - (now - start);
			if (left < wait)
				wait = (int)(left > 0 ? left : 0);
		}
		if (poll(fds, (nfds_t)nfds, wait) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (cap[i].fd >= 0) {
				struct pollfd q = {.fd = cap[i].fd, .events = POLLIN};
				if (poll(&q, 1, 0) > 0)
					drain(&cap[i]);
			}
	}
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < 2; i++)
		if (cap[i].fd >= 0)
			close(cap[i].fd);
	if (!reaped)
		waitpid(pid, &status, 0);
	if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	size_t o;
	if (timed_out)
		o = (size_t)snprintf(msg, size, "hook ran past specified timeout of %d.0s", h->timeout); // runc's words
	else {
		status_text(status, msg, size);
		o = strlen(msg);
	}
	static const char *const names[2] = {"stdout", "stderr"};
	for (int i = 0; i < 2 && o < size; i++) {
		char line[1200];
		one_line(cap[i].buf, cap[i].len, line, sizeof(line));
		if (line[0] != '\0')
			o += (size_t)snprintf(msg + o, size - o, ", %s: %s", names[i], line);
	}
	return -1;
}
