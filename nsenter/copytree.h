// copy_tree is tmpcopyup's copy (rootfs.c), in its own file.
#ifndef BERTH_COPYTREE_H
#define BERTH_COPYTREE_H

#include <stddef.h>

// copy_tree copies the contents of the directory src into the directory
// dst (any fds naming them, O_PATH included), keeping modes (setuid and
// sticky bits too), owners and symlinks. It returns 0, or an errno with
// what failed ("copy etc/passwd") in what.
int copy_tree(int src, int dst, char *what, size_t size);

#endif
