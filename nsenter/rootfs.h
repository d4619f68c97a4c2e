// Shared between the C init (create.c, rootfs.c) and rootfsplan.go: the
// rootfs plan, the container's filesystem as the parent computed it
// (options parsed, sources resolved, cgroup hierarchies listed, device
// nodes typed), with the hooks the init runs and its exec fifo.
//
// Wire form as plan.h: u32 magic, u32 payload length, then records of (u32
// type, u32 length, bytes). Inside a record, a "str" is a u32 length and
// the bytes. Records keep their order: mounts are made in the order given.
#ifndef BERTH_ROOTFS_H
#define BERTH_ROOTFS_H

#define ROOTFS_MAGIC 0x53465242u /* "BRFS" little-endian */
#define ROOTFS_MAX (16u << 20)

#define RF_FAULT 1       /* the fault step to die at ("init:..."), test builds */
#define RF_PROPAGATION 2 /* u32 MS_* propagation of "/" */
#define RF_PRIVATE 3     /* the mount point to make private before the bind */
#define RF_ROOTFS 4      /* the rootfs path */
#define RF_MOUNT 5       /* u32 index, u32 kind, u32 tmpcopyup, u32 count of
                            propagations, u64 flags, u64 clear, u64 rec_set,
                            u64 rec_clr, u64 propagation..., str destination,
                            str source, str type, str data */
#define RF_CGROUP_DIR 6  /* of the RF_MOUNT before it: u32 fresh, str
                            destination, str type, str data (fresh) or
                            source (bind) */
#define RF_DEVICE 7      /* u32 mode, u64 rdev, u32 uid, u32 gid, u32 bind, str path */
#define RF_DEV_LINKS 8   /* empty: /dev/fd, /dev/std*, /dev/core, /dev/ptmx */
#define RF_CWD 9         /* the process's cwd, created when missing */
#define RF_LOOPBACK 10   /* empty: bring up lo (a new network namespace) */
#define RF_NO_PIVOT 11   /* empty: MS_MOVE and chroot instead of pivot_root */
#define RF_ROOT_PROPAGATION 12 /* u32 MS_* propagation of "/" after the pivot */
#define RF_HOSTNAME 13
#define RF_DOMAINNAME 14
#define RF_SYSCTL 15     /* str procfs path ("sys/net/..."), str key, str value */
#define RF_READONLY_ROOT 16 /* empty: remount "/" read-only */
#define RF_READONLY_PATH 17 /* u32 index, path */
#define RF_MASKED_PATH 18   /* u32 index, path */
#define RF_FIFO 19          /* u32 fd of the exec fifo (O_PATH) */
#define RF_RUNTIME_HOOKS 20 /* empty: ask the parent to run its hooks ("hooks") */
#define RF_HOOK 21          /* u32 kind, u32 timeout (s), u32 argc, u32 envc
                               (ENV_INHERIT: the init's), str path, str arg...,
                               str env... */
#define RF_HOOK_STATE 22    /* u32 kind, the state JSON the hooks of that kind get */
#define RF_CLOEXEC_FD 23    /* u32 fd of berth's (console socket...) that no hook may inherit */
#define RF_TRACE 24         /* empty: print BERTH_TRACE's step lines on stderr */
#define RF_IDMAP 25         /* of the RF_MOUNT before it: u32 n, the n-th of the
                               mount fds: mount that id-mapped tree instead */
#define RF_MOUNT_FDS 26     /* u32 count: after the plan, that many mount fds
                               come, MOUNT_FDS_PER_MSG with each byte
                               (SCM_RIGHTS) */
#define RF_READONLY_MOUNT 27 /* u32 index, u64 flags, destination: mounts[index]
                                went up read-write; remount it with flags
                                (MS_RDONLY among them) after the pivot */
#define RF_SOURCE_FD 28   /* of the RF_MOUNT before it: u32 n, the n-th of the
                             mount fds: a detached copy of the bind source's
                             tree, for a source the init cannot reach */
#define RF_FILE_LABEL 29  /* of the RF_MOUNT before it: the SELinux label to
                             give the mount's root once mounted */

#define MOUNT_FDS_PER_MSG 64

#define HOOK_CREATE_CONTAINER 0
#define HOOK_START_CONTAINER 1
#define ENV_INHERIT 0xffffffffu

#define MK_BIND 0      /* a bind mount of source */
#define MK_FS 1        /* a new filesystem instance */
#define MK_CGROUP_V2 2 /* one cgroup hierarchy at the destination */
#define MK_CGROUP_V1 3 /* a tmpfs with one directory per hierarchy */

#include <stdint.h>
/* The container's init for create, without Go: read the rootfs plan from
   pipe_fd, build the rootfs, run the createContainer hooks, enter it, ask
   for the process plan and apply it, report "ready", wait on the exec fifo,
   run the startContainer hooks, exec. Failures are reported on pipe_fd as
   plan_fail does (on stderr past "ready") and end the process. */
void berth_run_create(int pipe_fd, int cgroupns_errno) __attribute__((noreturn));

#endif
