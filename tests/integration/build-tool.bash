# shellcheck shell=bash
# build_tool NAME: tests/cmd/NAME, built (static, unless it needs cgo) once
# per source version into a cache, exported as $NAME_BIN (upper case, - as
# _). The cache is $BERTH_TOOL_CACHE if set (the VM lanes point it at tools
# their host built before boot: the guest does not compile), else $TMPDIR.
# Needs REPO_ROOT.

# The tools that link libseccomp (cgo).
BERTH_CGO_TOOLS="seccomp-agent"

build_tool() {
	local name=$1 cgo=0 go sum dir var cache=${BERTH_TOOL_CACHE:-${TMPDIR:-/tmp}}
	case " $BERTH_CGO_TOOLS " in *" $name "*) cgo=1 ;; esac
	go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
	sum=$(cat "$REPO_ROOT"/tests/cmd/"$name"/*.go "$REPO_ROOT"/libcontainer/seccomp/*.go "$REPO_ROOT/go.sum" |
		sha256sum | cut -c1-16)
	dir=$cache/berth-$name/$sum
	if [ ! -x "$dir/$name" ]; then
		mkdir -p "$dir"
		# the caller's build cache if it has one (fast), else a private one
		"$go" env GOCACHE >/dev/null 2>&1 || export GOCACHE=$cache/berth-$name/gocache
		(cd "$REPO_ROOT" && CGO_ENABLED=$cgo "$go" build -o "$dir/$name.$$" "./tests/cmd/$name") &&
			mv -f "$dir/$name.$$" "$dir/$name"
	fi
	var=$(echo "${name}_BIN" | tr 'a-z-' 'A-Z_')
	export "$var=$dir/$name"
	[ -x "$dir/$name" ]
}
