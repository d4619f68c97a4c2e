# Facts that differ between runs, not runtimes.
s/^(mount [^ ]+ [^ ]+ [^ ]+ [^ ]+ .*)(size|nr_inodes)=[0-9]+k?/\1\2=N/g
s/inode64,?//g
s/^(fds: ).*/\1N/
# Documented differences (docs/design.md): berth mounts /sys/fs/cgroup
# read-only as a whole and, on a hybrid host, the unified hierarchy too.
s/^mount \/sys\/fs\/cgroup (ro|rw),/mount \/sys\/fs\/cgroup R,/
/^mount \/sys\/fs\/cgroup\/unified /d
# The runtime's name and logrus's timestamp.
s/time="[^"]*" //
s/(berth|runc) (run|create) failed/RUNTIME \2 failed/
# Newer runc, which berth follows (docs/design.md), where Debian's runc 1.1.5
# differs: linux.personality is applied (to exec'd processes too), and the
# idmap mount option is supported.
s/^uname -m: i686$/uname -m: x86_64/
s/^(mount [^ ]+ [^ ]*),idmapped /\1 /
# In a user namespace runc 1.1.5 mounts /dev/mqueue before its gid is
# mapped, so the directory's group shows as the overflow gid.
s/^(dev drwxrwxrwt 0) (0|65534) (- mqueue)$/\1 G \3/
