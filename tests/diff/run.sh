#!/bin/bash
# run.sh [-shared] [-n CASES] [-k MUTATIONS] [-seed N] [-keep DIR]: `make diff-runc`.
# Runs the same configs under berth and runc and compares what a probe in
# the container sees (ids, capabilities, limits, mounts, /dev, masks,
# sysctls, cgroup), what the runtime prints and exits with, and what it
# leaves mounted on the host. Each case is the test bundle with K mutations
# drawn from mutations.json, and every other one execs the probe with a line
# of exec_flags.txt; a case whose normalized results differ is kept in DIR
# (config, both outputs, the diff) and named. Known, documented differences
# are normalized away (normalize.sed). -shared runs all as on a systemd
# host: / shared and each rootfs a mount of its own. Not part of make test:
# it finds, it does not judge.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
cases=40 k=3 seed=$RANDOM keep=$repo/diff-results
while [ $# -gt 0 ]; do
	case $1 in
	-n) cases=$2 ;;
	-k) k=$2 ;;
	-seed) seed=$2 ;;
	-keep) keep=$2 ;;
	-shared)
		# as on a systemd host: / shared, and each rootfs a mount of its
		# own (as an image's overlay is), in a mount namespace of ours
		shift
		exec unshare -m --propagation shared env DIFF_SHARED=1 bash "$0" "$@"
		;;
	*) echo "usage: $0 [-shared] [-n CASES] [-k MUTATIONS] [-seed N] [-keep DIR]" >&2; exit 2 ;;
	esac
	shift 2
done
berth=$repo/berth
runc=$(command -v runc) || { echo "diff: runc is not installed" >&2; exit 1; }
[ -x "$berth" ] || { echo "diff: no $berth (make build)" >&2; exit 1; }
work=$(mktemp -d /tmp/berth-diff.XXXXXX) && chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
rm -rf "$keep" && mkdir -p "$keep"
mapfile -t names < <(jq -r 'keys[]' tests/diff/mutations.json)
mapfile -t flag_sets <tests/diff/exec_flags.txt
RANDOM=$seed
differ=0
[ -n "${DIFF_SHARED:-}" ] && mount --make-rshared /
for ((c = 0; c < cases; c++)); do
	# K distinct mutations
	picked=()
	while [ ${#picked[@]} -lt "$k" ]; do
		m=${names[RANDOM % ${#names[@]}]}
		[[ " ${picked[*]} " == *" $m "* ]] || picked+=("$m")
	done
	filter=$(jq -r '[$ARGS.positional[] as $n | .[$n]] | join(" | ")' tests/diff/mutations.json --args "${picked[@]}")
	[ -n "$filter" ] || { echo "diff: no filter for ${picked[*]}" >&2; exit 1; }
	# every other case execs the probe, with one of exec's flag sets
	exec_flags=
	if [ $((RANDOM % 2)) = 1 ]; then
		exec_flags=${flag_sets[RANDOM % ${#flag_sets[@]}]}
		picked+=("exec[$exec_flags]")
	fi
	for rt in berth runc; do
		b=$work/$rt
		rm -rf "$b" && mkdir -p "$b" && cp -a tests/integration/bundle/rootfs "$b/rootfs"
		mkdir -p "$b/hostdir" && echo host >"$b/hostdir/file"
		jq --arg probe "$(cat tests/diff/probe.sh)" --arg hostdir "$b/hostdir" \
			'.root.path = "rootfs" | .process.args = ["sh", "-c", $probe] | .hostname = "diff"' \
			tests/integration/bundle/config.json >"$b/config.json"
		jq --arg hostdir "$b/hostdir" "$filter" "$b/config.json" >"$b/config.json.new" ||
			{ echo "diff: bad filter: $filter" >&2; exit 1; }
		mv "$b/config.json.new" "$b/config.json"
		# userns cases need a rootfs their root owns
		jq -e '.linux.namespaces | any(.type == "user")' "$b/config.json" >/dev/null &&
			chown -R -h 100000:100000 "$b/rootfs" "$b/hostdir"
		bin=$berth
		[ $rt = runc ] && bin=$runc
		[ -n "${DIFF_SHARED:-}" ] && mount --bind "$b/rootfs" "$b/rootfs"
		if [ -z "$exec_flags" ]; then
			(cd "$b" && timeout 20 "$bin" --root "$work/root-$rt" run --bundle "$b" "diff$c" </dev/null >"$b/out" 2>&1)
			echo "exit $?" >>"$b/out"
		else
			# the probe as an exec'd process, into a container running sleep
			jq '.process.args = ["sleep", "1000"]' "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
			(cd "$b" && timeout 20 "$bin" --root "$work/root-$rt" run -d --bundle "$b" "diff$c" </dev/null >"$b/out" 2>&1)
			echo "run -d exit $?" >>"$b/out"
			# shellcheck disable=SC2086 # the flags are words
			(cd "$b" && eval timeout 20 '"$bin"' --root '"$work/root-$rt"' exec $exec_flags '"diff$c"' sh -c '"$(cat "$repo/tests/diff/probe.sh")"' </dev/null >>"$b/out" 2>&1)
			echo "exec exit $?" >>"$b/out"
		fi
		"$bin" --root "$work/root-$rt" delete -f "diff$c" >/dev/null 2>&1
		# what the runtime left mounted on this side (the rootfs's own
		# mount under -shared is ours)
		left=$(awk -v b="$b/" -v r="$b/rootfs" 'index($5, b) == 1 && $5 != r' /proc/self/mountinfo | wc -l)
		echo "mounts left on the host: $left" >>"$b/out"
		[ -n "${DIFF_SHARED:-}" ] && while grep -q " $b/rootfs " /proc/self/mountinfo; do umount -l "$b/rootfs"; done
		sed -E -f tests/diff/normalize.sed -e "s|$b|BUNDLE|g; s|diff$c|ID|g" "$b/out" >"$b/norm"
	done
	if ! diff -u "$work/runc/norm" "$work/berth/norm" >"$work/diff"; then
		differ=$((differ + 1))
		d=$keep/case$c
		mkdir -p "$d"
		cp "$work/berth/config.json" "$d/config.json"
		cp "$work/berth/out" "$d/berth.out"
		cp "$work/runc/out" "$d/runc.out"
		cp "$work/diff" "$d/diff"
		echo "case $c: ${picked[*]}: differs ($d/diff)"
	else
		echo "case $c: ${picked[*]}: same"
	fi
done
rmdir "$work/root-berth" "$work/root-runc" 2>/dev/null
# the parent the cgroups-path mutation's cgroups had (both runtimes remove
# only the cgroup itself, not the parents they made)
for d in /sys/fs/cgroup/berth-diff /sys/fs/cgroup/*/berth-diff; do
	[ -d "$d" ] && rmdir "$d"
done
echo "diff: $differ of $cases cases differ (seed $seed)"
