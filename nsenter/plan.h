// Shared between process.c and plan.go: the process plan, everything an exec
// init needs to turn itself into the user's process without Go. The parent
// computes it (names resolved, user looked up, seccomp compiled, error texts
// prefixed); process.c only makes the syscalls, in runc's order.
//
// Wire form: u32 magic, u32 payload length, then records of (u32 type, u32
// length, bytes), all little-endian; strings without a NUL. Records of one
// type that may repeat (PL_ARG, PL_ENV, PL_RLIMIT) keep their order.
#ifndef BERTH_PLAN_H
#define BERTH_PLAN_H

#define PLAN_MAGIC 0x4e4c5042u /* "BPLN" little-endian */
#define PLAN_MAX (8u << 20)

#define PL_ARG 1          /* one argv entry */
#define PL_ENV 2          /* one KEY=value */
#define PL_LISTEN_PID 3   /* empty: add LISTEN_PID=<our pid> to the env */
#define PL_CWD 4          /* the working directory */
#define PL_USER 5         /* u32 uid, u32 gid, u32 supplementary gids... */
#define PL_UMASK 6        /* u32 */
#define PL_RLIMIT 7       /* u32 resource, u64 soft, u64 hard, error prefix */
#define PL_KEYRING 8      /* name of the session keyring to join */
#define PL_CONSOLE 9      /* u32 console socket fd, u32 rows, u32 cols (0: leave),
                             u32 1: bind the pty onto /dev/console */
#define PL_AFFINITY 10    /* u32 when (0 initial, 1 final), u32 mask length, mask, error prefix */
#define PL_SCHED 11       /* u32 length, struct sched_attr, error prefix */
#define PL_IOPRIO 12      /* u32 ioprio value, error prefix */
#define PL_LSM_LABEL 13   /* u32 kind (0 AppArmor, 1 SELinux), the text to write */
#define PL_CAPS 14        /* u64 bounding, effective, permitted, inheritable, ambient */
#define PL_NO_NEW_PRIVS 15 /* empty */
#define PL_SECCOMP 16     /* u32 flags, u32 program length, program, text on EINVAL */
#define PL_EXTRA_FDS 17   /* u32: fds 3..3+n-1 reach the process */
#define PL_CLOSED_STDIO 18 /* u32 bit mask of stdio fds to close before exec */
#define PL_PERSONALITY 19 /* u32 persona for personality(2), error prefix */
#define PL_MEMPOLICY 20   /* u32 mode with its flags, u32 mask length, node mask, error prefix */

#define LSM_APPARMOR 0
#define LSM_SELINUX 1

/* process.c. Failures are reported on pipe_fd (the JSON error line of
   sync.go), or on stderr when it is -1, and end the process. */
#include <stdint.h>
#include <sys/resource.h>
/* Apply the plan msg (the whole message) up to the exec. */
void berth_plan_prepare(int pipe_fd, const char *msg, uint32_t size);
/* Exec the plan's process. */
void berth_plan_exec(int pipe_fd) __attribute__((noreturn));
/* Close the console socket berth_plan_prepare sent the pty on. */
void berth_plan_release_console(void);
/* Read the plan from pipe_fd, apply it and exec (exec's init). */
void berth_run_plan(int pipe_fd, int cgroupns_errno) __attribute__((noreturn));
/* RLIMIT_NOFILE when the init started, before Go raised it. */
extern struct rlimit berth_nofile_at_start;

#endif
