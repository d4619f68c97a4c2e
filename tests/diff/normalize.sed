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
