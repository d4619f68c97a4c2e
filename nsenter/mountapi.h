// The new mount API's flags and struct mount_attr (open_tree, move_mount,
// mount_setattr, fsopen). glibc's <sys/mount.h> has them since 2.36, musl's
// has not: then take them from the kernel's header.
#ifndef BERTH_MOUNTAPI_H
#define BERTH_MOUNTAPI_H

#include <sys/mount.h>
#ifndef MOUNT_ATTR_RDONLY
#include <linux/mount.h>
#endif

#endif
