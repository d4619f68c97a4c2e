// Shared between nsenter.c and bootstrap.go: the bootstrap message format.
#ifndef BERTH_BOOTSTRAP_H
#define BERTH_BOOTSTRAP_H

#define ENV_INITPIPE "_BERTH_INITPIPE"
#define ENV_EXEFD "_BERTH_EXEFD"
#define ENV_USERNS_HOLD "_BERTH_USERNS_HOLD"

#define BOOTSTRAP_MAGIC 0x48545242u /* "BRTH" little-endian */
#define BOOTSTRAP_MAX (1u << 20)

/* Record types. */
#define BT_CLONE_FLAGS 1   /* u32: namespaces to create */
#define BT_NS_PATH 2       /* u32 clone flag of the type, then the path */
#define BT_TIME_OFFSETS 3  /* text for /proc/self/timens_offsets */
#define BT_OOM_SCORE_ADJ 4 /* text for /proc/self/oom_score_adj */
#define BT_NO_SETGROUPS 5  /* empty: setgroups is denied in the new userns */
#define BT_JOIN_PIDFD 6    /* u32 fd of a pidfd, u32 CLONE_NEW* flags: join them all */
#define BT_CGROUP_SYNC 7   /* empty: wait for SYNC_CGROUP before the cgroup ns and the clone */
#define BT_CLONE_INTO 8    /* empty: SYNC_CGROUP_FD may come; leave the cgroup ns to the init */
#define BT_EXEC_PLAN 9     /* empty: the init reads a process plan (plan.h) and execs it, no Go */
#define BT_CREATE_PLAN 10  /* empty: the init is create's (create.c), no Go */
#define BT_FAULT 12        /* test builds: a fault step of the stage ("stage:...") */
#define BT_SELF_INIT 11    /* empty: no stage: the parent cloned this process into
                              its new namespaces, it is the init itself */

/* One-byte messages on the init pipe. */
#define SYNC_USERMAP 'U'     /* stage -> parent: write my uid/gid maps */
#define SYNC_USERMAP_ACK 'u' /* parent -> stage: done */
#define SYNC_PID 'P'         /* stage -> parent: u32 pid of the init (0 from a
                                self init: the parent knows it) */
#define SYNC_CGROUP 'c'      /* parent -> stage: you are in the container's cgroup */
#define SYNC_CGROUP_FD 'C'   /* parent -> stage, with a cgroup2 dir fd (SCM_RIGHTS):
                                clone the init into that cgroup */
#define SYNC_CGROUP_TASKS 'T' /* parent -> stage, with v1 `tasks` files open for
                                 writing (SCM_RIGHTS), then u32 length and their
                                 paths, NUL-separated: move yourself into each */
#define MAX_TASKS_FDS 64     /* at most this many fds with SYNC_CGROUP_TASKS */
#define SYNC_ERROR 'E'       /* stage -> parent: u32 length, message */

#endif
