# What the container's process sees, one fact per line (busybox sh).
echo "id: $(id)"
echo "cwd: $(pwd)"
echo "umask: $(umask)"
echo "hostname: $(hostname)"
echo "uname -m: $(uname -m)"
grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status
echo "oom_score_adj: $(cat /proc/self/oom_score_adj)"
ulimit -a | sed 's/^/ulimit /'
env | sort | sed 's/^/env /'
# mounts: point, options, type, source, super options
awk '{ for (i = 7; $i != "-"; i++); print "mount", $5, $6, $(i+1), $(i+2), $(i+3) }' /proc/self/mountinfo
# /dev: mode, owner, device numbers, name
ls -lan /dev | awk 'NR > 1 && $NF != "." && $NF != ".." { print "dev", $1, $3, $4, ($5 ~ /,$/ ? $5 $6 : "-"), $NF }'
for p in /proc/kcore /proc/sys /proc/sysrq-trigger /proc/acpi /sys/firmware /proc/keys /proc/timer_list; do
	printf 'path %s: ' "$p"
	if [ ! -e "$p" ]; then echo missing
	elif [ -d "$p" ]; then echo "dir entries=$(ls -A "$p" 2>/dev/null | wc -l) writable=$(touch "$p/.w" 2>/dev/null && echo yes || echo no)"
	else echo "file empty=$([ -s "$p" ] && echo no || echo yes) writable=$([ -w "$p" ] && echo yes || echo no)"
	fi
done
echo "sysctl ip_forward: $(cat /proc/sys/net/ipv4/ip_forward 2>&1)"
echo "sysctl shm_rmid_forced: $(cat /proc/sys/kernel/shm_rmid_forced 2>&1)"
echo "write /: $(touch /.w 2>&1 && echo ok)"
echo "write /tmp: $(touch /tmp/.w 2>&1 && echo ok)"
echo "mkdir /tmp/d: $(mkdir /tmp/d 2>&1 && echo ok)"
echo "hostdir: $(cat /hostdir/file 2>&1); write: $(touch /hostdir/.w 2>&1 && echo ok)"
echo "cgroup: $(cat /proc/self/cgroup | sed 's/^[0-9]*://' | sort | tr '\n' ' ')"
echo "pid 1: $([ $$ = 1 ] && echo yes || echo no)"
echo "net: $(ls /sys/class/net 2>&1 | tr '\n' ' ')"
echo "fds: $(ls /proc/self/fd | wc -l)"
