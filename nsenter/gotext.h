// Go's wording of errnos and signals for the C stage and init, so that their
// messages read as berth's Go code (and runc) word them, whatever libc berth
// links: musl's strerror and strsignal word many of them differently.
#ifndef BERTH_GOTEXT_H
#define BERTH_GOTEXT_H

// go_errno_string is syscall.Errno(errnum).Error(); NULL for an errno Go
// has no text for (Go says "errno N").
const char *go_errno_string(int errnum);
// go_signal_string is syscall.Signal(sig).String(); NULL for a signal Go
// has no name for (Go says "signal N").
const char *go_signal_string(int sig);

#endif
