// Package seccomp turns a runtime-spec linux.seccomp section into a seccomp
// BPF filter (built with libseccomp) and installs it, and implements the
// runtime's half of the seccomp notify protocol (listenerPath).
//
// The package does no work at init: libseccomp is only touched by Compile
// (and Load), for a container that has a seccomp configuration. Load is
// Compile then LoadProgram; a caller may instead Compile in the parent and
// send the Program to the init, whose LoadProgram needs no libseccomp.
//
// # Where the init calls Load
//
// A filter is per thread and survives execve, so the container's init loads
// it on its locked OS thread shortly before it execs the user's process,
// and everything the init does after Load (including the execve itself) runs
// under the filter. Loading a filter needs no_new_privs or CAP_SYS_ADMIN in
// the current user namespace, which gives runc's order:
//
//   - process.noNewPrivileges true: set no_new_privs, finish every other
//     step (user, capabilities, cwd, finding the binary), then call Load as
//     late as possible, so that few syscalls run under the filter.
//   - process.noNewPrivileges false: call Load while the init still has
//     CAP_SYS_ADMIN, that is before it changes uid and drops capabilities;
//     the rest of the setup then runs under the filter.
//
// Load never sets no_new_privs itself.
//
// # The notify fd
//
// With an SCMP_ACT_NOTIFY rule, Load returns the filter's listener fd. The
// init passes it to its parent, which calls SendToAgent to give it to the
// agent at linux.seccomp.listenerPath; the init then closes its copy. The
// init must not send the fd with a syscall the filter may notify (nobody
// would answer), which is why SCMP_ACT_NOTIFY is refused on write(2) and as
// the default action: the init writes the fd's number to its parent, which
// takes the fd with pidfd_getfd(2).
//
// # Behaviour, as runc
//
//   - A nil section, or one with neither defaultAction nor syscalls, means no
//     filter; Load returns -1 and nil.
//   - Syscall names that libseccomp does not know are skipped.
//   - A rule whose action (including its errno) equals the default action is
//     skipped: it would change nothing.
//   - Conditions on different arguments in one rule must all match. When one
//     rule has several conditions on the same argument, each condition
//     becomes a rule of its own, so any one of them matching is enough.
//   - errnoRet and defaultErrnoRet default to EPERM for SCMP_ACT_ERRNO and
//     SCMP_ACT_TRACE, and are ignored for the other actions.
//   - flags nil means SECCOMP_FILTER_FLAG_SPEC_ALLOW when the kernel has it;
//     an empty, non-nil list means no flag.
//   - Unless the default action lets syscalls through (ALLOW, LOG, TRACE)
//     or defaultErrnoRet is ENOSYS, syscalls numbered above the highest one
//     the profile names on each listed architecture fail with ENOSYS rather
//     than the default action, so that programs fall back from syscalls newer
//     than the profile (runc's "-ENOSYS stub").
//   - The filter is installed with seccomp(2) on the calling thread only,
//     unless flags has SECCOMP_FILTER_FLAG_TSYNC.
package seccomp
