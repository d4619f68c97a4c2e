#!/usr/bin/env bats
# update: every flag lands in the right cgroup file (v1, hybrid or v2),
# --resources from a file or stdin, merging with earlier updates, errors

load helpers


# cg_dir CTRL: the container's cgroup dir for v1 controller CTRL (or its
# v2 dir), from the init's /proc/PID/cgroup.
cg_dir() {
	local p
	if is_cgroup2; then
		p=$(sed -n 's/^0:://p' "/proc/$PID/cgroup")
		echo "/sys/fs/cgroup$p"
	else
		p=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$PID/cgroup")
		echo "/sys/fs/cgroup/$1$p"
	fi
}

# cg_is CTRL FILE VALUE: the container's CTRL/FILE holds VALUE.
cg_is() {
	local f
	f=$(cg_dir "$1")/$2
	[ -e "$f" ] || fail "$f does not exist"
	local got
	got=$(cat "$f")
	[ "$got" = "$3" ] || fail "$f: '$got', want '$3'"
}

# The kernel's "no limit" for v1 memory files (PAGE_COUNTER_MAX pages).
V1_UNLIMITED=9223372036854771712

# start_sleeper: a running container whose init sleeps; sets PID.
start_sleeper() {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	PID=$(state_field "$ID" pid)
}

@test "update --memory, --memory-swap, --memory-reservation (with units)" {
	start_sleeper
	run --separate-stderr berth update --memory 64m --memory-swap 128m --memory-reservation 32m "$ID"
	assert_status 0
	assert_output ""
	if is_cgroup2; then
		cg_is memory memory.max 67108864
		[ ! -e "$(cg_dir memory)/memory.swap.max" ] || cg_is memory memory.swap.max 67108864
		cg_is memory memory.low 33554432
	else
		cg_is memory memory.limit_in_bytes 67108864
		[ ! -e "$(cg_dir memory)/memory.memsw.limit_in_bytes" ] || cg_is memory memory.memsw.limit_in_bytes 134217728
		cg_is memory memory.soft_limit_in_bytes 33554432
	fi

	# go-units RAMInBytes forms: bare bytes, k/m/g with b or ib, a space, fractions
	berth update --memory-swap 3g --memory "1.5 GiB" "$ID"
	berth update --memory-reservation 1048576b "$ID"
	if is_cgroup2; then
		cg_is memory memory.max 1610612736
		cg_is memory memory.low 1048576
	else
		cg_is memory memory.limit_in_bytes 1610612736
		cg_is memory memory.soft_limit_in_bytes 1048576
	fi

	# -1 alone: memory and swap unlimited
	berth update --memory -1 "$ID"
	if is_cgroup2; then
		cg_is memory memory.max max
		[ ! -e "$(cg_dir memory)/memory.swap.max" ] || cg_is memory memory.swap.max max
	else
		cg_is memory memory.limit_in_bytes $V1_UNLIMITED
		[ ! -e "$(cg_dir memory)/memory.memsw.limit_in_bytes" ] || cg_is memory memory.memsw.limit_in_bytes $V1_UNLIMITED
	fi
}

@test "update --cpu-share, --cpu-quota, --cpu-period, --cpu-burst" {
	start_sleeper
	berth update --cpu-share 2 --cpu-period 100000 --cpu-quota 20000 "$ID"
	if is_cgroup2; then
		cg_is cpu cpu.weight 1
		cg_is cpu cpu.max "20000 100000"
	else
		cg_is cpu cpu.shares 2
		cg_is cpu cpu.cfs_quota_us 20000
		cg_is cpu cpu.cfs_period_us 100000
	fi

	# a period alone keeps the quota
	berth update --cpu-period 50000 "$ID"
	if is_cgroup2; then
		cg_is cpu cpu.max "20000 50000"
	else
		cg_is cpu cpu.cfs_quota_us 20000
		cg_is cpu cpu.cfs_period_us 50000
	fi

	berth update --cpu-quota -1 "$ID"
	if is_cgroup2; then
		cg_is cpu cpu.max "max 50000"
	else
		cg_is cpu cpu.cfs_quota_us -1
	fi

	local burst=cpu.cfs_burst_us
	is_cgroup2 && burst=cpu.max.burst
	if [ -e "$(cg_dir cpu)/$burst" ]; then
		berth update --cpu-quota 20000 --cpu-burst 1000 "$ID"
		cg_is cpu $burst 1000
	fi
}

@test "update --cpu-rt-period, --cpu-rt-runtime: set where the kernel has them, else a clear error" {
	start_sleeper
	local dir
	dir=$(cg_dir cpu)
	if ! is_cgroup2 && [ -e "$dir/cpu.rt_runtime_us" ]; then
		run --separate-stderr berth update --cpu-rt-period 900000 --cpu-rt-runtime 1000 "$ID"
		assert_status 0
		cg_is cpu cpu.rt_period_us 900000
		cg_is cpu cpu.rt_runtime_us 1000
	else
		run --separate-stderr berth update --cpu-rt-period 900000 --cpu-rt-runtime 1000 "$ID"
		assert_status 1
		assert_one_line_error
		assert_match 'rt_|[Rr]ealtime' "$(error_msg)"
	fi
}

@test "update --cpuset-cpus, --cpuset-mems" {
	start_sleeper
	berth update --cpuset-cpus 0 --cpuset-mems 0 "$ID"
	cg_is cpuset cpuset.cpus 0
	cg_is cpuset cpuset.mems 0
	if [ "$(nproc --all)" -gt 1 ]; then
		berth update --cpuset-cpus 0-1 "$ID"
		cg_is cpuset cpuset.cpus 0-1
		cg_is cpuset cpuset.mems 0
	fi
}

@test "update --pids-limit" {
	start_sleeper
	berth update --pids-limit 20 "$ID"
	cg_is pids pids.max 20
	berth update --pids-limit -1 "$ID"
	cg_is pids pids.max max
}

@test "update --blkio-weight: set where the kernel has a weight file, else a clear error" {
	start_sleeper
	local dir f=
	dir=$(cg_dir blkio)
	if is_cgroup2; then
		if [ -e "$dir/io.bfq.weight" ]; then f=io.bfq.weight; elif [ -e "$dir/io.weight" ]; then f=io.weight; fi
	else
		if [ -e "$dir/blkio.weight" ]; then f=blkio.weight; elif [ -e "$dir/blkio.bfq.weight" ]; then f=blkio.bfq.weight; fi
	fi
	run --separate-stderr berth update --blkio-weight 500 "$ID"
	if [ -z "$f" ]; then
		assert_status 1
		assert_one_line_error
		return
	fi
	assert_status 0
	case $f in
	io.weight) assert_contains "default 4950" "$(cat "$dir/$f")" ;; # 1 + (500-10)*9999/990
	io.bfq.weight) assert_contains "default 500" "$(cat "$dir/$f")" ;;
	*) cg_is blkio $f 500 ;;
	esac
}

@test "update --resources FILE and --resources - (stdin); other flags are then ignored" {
	start_sleeper
	cat >"$TEST_DIR/res.json" <<-'EOF'
		{"memory": {"limit": 100663296, "reservation": 50331648},
		 "cpu": {"shares": 300, "quota": 30000, "period": 60000, "cpus": "0"},
		 "pids": {"limit": 33}}
	EOF
	run --separate-stderr berth update -r "$TEST_DIR/res.json" --pids-limit 99 --memory 1g "$ID"
	assert_status 0
	cg_is pids pids.max 33
	cg_is cpuset cpuset.cpus 0
	if is_cgroup2; then
		cg_is memory memory.max 100663296
		cg_is memory memory.low 50331648
		cg_is cpu cpu.max "30000 60000"
	else
		cg_is memory memory.limit_in_bytes 100663296
		cg_is memory memory.soft_limit_in_bytes 50331648
		cg_is cpu cpu.shares 300
		cg_is cpu cpu.cfs_quota_us 30000
		cg_is cpu cpu.cfs_period_us 60000
	fi

	run --separate-stderr berth update --resources - "$ID" <<<'{"pids": {"limit": 44}, "memory": {"limit": 134217728}}'
	assert_status 0
	cg_is pids pids.max 44
	if is_cgroup2; then
		cg_is memory memory.max 134217728
	else
		cg_is memory memory.limit_in_bytes 134217728
	fi

	run --separate-stderr berth update -r - "$ID" <<<'{"pids": '
	assert_status 1
	assert_one_line_error
	run --separate-stderr berth update -r "$TEST_DIR/nonexistent.json" "$ID"
	assert_status 1
	assert_error "no such file or directory"
	cg_is pids pids.max 44
}

@test "an update re-applies the resources of earlier updates (they are saved)" {
	start_sleeper
	berth update --cpu-share 512 --memory-reservation 32m "$ID"
	# Someone changes the files behind the runtime's back ...
	if is_cgroup2; then
		echo 77 >"$(cg_dir cpu)/cpu.weight"
	else
		echo 1000 >"$(cg_dir cpu)/cpu.shares"
	fi
	echo 5 >"$(cg_dir pids)/pids.max"
	# ... and an unrelated update puts the saved values back.
	berth update --memory-reservation 16m "$ID"
	if is_cgroup2; then
		[ "$(cat "$(cg_dir cpu)/cpu.weight")" != 77 ] || fail "cpu.weight not re-applied"
		cg_is memory memory.low 16777216
	else
		cg_is cpu cpu.shares 512
		cg_is memory memory.soft_limit_in_bytes 16777216
	fi
}

@test "update works on created and paused containers" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	PID=$(state_field "$ID" pid)
	berth update --pids-limit 30 "$ID"
	cg_is pids pids.max 30
	berth pause "$ID"
	berth update --pids-limit 31 "$ID"
	cg_is pids pids.max 31
	run state_field "$ID" status
	assert_output paused
	berth resume "$ID"
}

@test "update errors: stopped or unknown container, bad values, arguments" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth update --pids-limit 10 "$ID"
	assert_status 1
	assert_error "container not running"
	berth delete "$ID"

	run --separate-stderr berth update --pids-limit 10 "$ID"
	assert_status 1
	assert_error "container does not exist"

	start_sleeper
	run --separate-stderr berth update --memory 1x "$ID"
	assert_status 1
	assert_error "invalid value for memory: invalid s" # size (go-units < 0.5) or suffix
	run --separate-stderr berth update --memory-swap=-5m "$ID"
	assert_status 1
	assert_error "invalid value for memory-swap"
	run --separate-stderr berth update --cpu-share abc "$ID"
	assert_status 1
	assert_error 'invalid value for cpu-share: strconv.ParseUint: parsing "abc": invalid syntax'
	run --separate-stderr berth update --cpu-quota 1.5 "$ID"
	assert_status 1
	assert_error 'invalid value for cpu-quota: strconv.ParseInt: parsing "1.5": invalid syntax'
	run --separate-stderr berth update --pids-limit abc "$ID"
	assert_status 1
	run --separate-stderr berth update
	assert_status 1
	assert_contains 'requires exactly 1 argument(s)' "$stderr"
	run --separate-stderr berth update "$ID" extra
	assert_status 1
	assert_contains 'requires exactly 1 argument(s)' "$stderr"
	cg_is pids pids.max max
}

@test "an update the kernel refuses fails in runc's words and leaves the limits as they were" {
	start_sleeper
	berth update --memory 64m "$ID"
	run --separate-stderr berth update --cpuset-cpus 4096 "$ID"
	assert_status 1
	assert_error "failed to write \"4096\": write $(cg_dir cpuset)/cpuset.cpus: "
	# the memory limit is written before the cpu period, and put back
	run --separate-stderr berth update --memory 32m --cpu-period 100 "$ID"
	assert_status 1
	assert_error 'failed to write "'
	if is_cgroup2; then
		cg_is memory memory.max 67108864
	else
		cg_is memory memory.limit_in_bytes 67108864
	fi
}

@test "update --kernel-memory and --kernel-memory-tcp are accepted and ignored with a warning" {
	start_sleeper
	run --separate-stderr berth update --kernel-memory 100m --kernel-memory-tcp 10m "$ID"
	assert_status 0
	assert_output ""
	assert_contains "Kernel memory settings are ignored" "$stderr"
	# nothing else changed
	if is_cgroup2; then
		cg_is memory memory.max max
	else
		cg_is memory memory.limit_in_bytes $V1_UNLIMITED
	fi
}

@test "update --l3-cache-schema / --mem-bw-schema: Intel RDT is not enabled" {
	[ ! -d /sys/fs/resctrl/info ] || skip "this host has Intel RDT (resctrl mounted)"
	start_sleeper
	run --separate-stderr berth update --l3-cache-schema "L3:0=f" "$ID"
	assert_status 1
	assert_error "Intel RDT/CAT: l3 cache schema is not enabled"
	run --separate-stderr berth update --mem-bw-schema "MB:0=70" "$ID"
	assert_status 1
	assert_error "Intel RDT/MBA: memory bandwidth schema is not enabled"
}
