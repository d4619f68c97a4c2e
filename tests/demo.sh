#!/bin/bash
# demo.sh BERTH BUNDLE: run one real container from the busybox bundle that
# shows its hostname, its user and its view of pid 1 (`make run`).
set -euo pipefail
berth=$1
bundle=$(cd "$2" && pwd)
demo=$(mktemp -d /tmp/berth-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
jq --arg root "$bundle/rootfs" '
	.root.path = $root |
	.hostname = "berth-demo" |
	.process.args = ["sh", "-c",
		"echo \"hostname: $(hostname)\"; echo \"id:       $(id)\"; echo \"pid 1:    $(tr \"\\0\" \" \" </proc/1/cmdline)\"; echo; ps"]
' "$bundle/config.json" >"$demo/config.json"
# Not exec: the trap must still remove the bundle copy afterwards.
"$berth" run --bundle "$demo" "berth-demo-$$"
