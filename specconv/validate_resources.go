package specconv

import (
	"fmt"
	"math"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// resources checks linux.resources for values no kernel accepts and for
// cgroup file names that could leave the cgroup directory. Whether a
// value suits this host's cgroup version and controllers is the cgroups
// package's business.
func (v *validator) resources() error {
	r := v.linux().Resources
	if r == nil {
		return nil
	}
	const p = "linux.resources"
	for i, d := range r.Devices {
		dp := idx(p+".devices", i)
		switch d.Type {
		case "", "a", "b", "c":
		default:
			return cfgErr(dp+".type", fmt.Sprintf("unknown device type %q (want a, b or c)", d.Type))
		}
		if d.Access == "" {
			return cfgErr(dp+".access", "must not be empty")
		}
		if strings.Trim(d.Access, "rwm") != "" {
			return cfgErr(dp+".access", fmt.Sprintf("invalid access %q (want a combination of r, w and m)", d.Access))
		}
		if err := anyOrNonNegative(dp+".major", d.Major); err != nil {
			return err
		}
		if err := anyOrNonNegative(dp+".minor", d.Minor); err != nil {
			return err
		}
	}
	if m := r.Memory; m != nil {
		for _, f := range [...]struct {
			name string
			val  *int64
		}{{"limit", m.Limit}, {"reservation", m.Reservation}, {"swap", m.Swap}} {
			if f.val != nil && *f.val < -1 {
				return cfgErr(p+".memory."+f.name, fmt.Sprintf("%d is invalid (want -1 for unlimited, or a size in bytes)", *f.val))
			}
		}
		if s := m.Swappiness; s != nil && *s > 100 && *s != math.MaxUint64 {
			return cfgErr(p+".memory.swappiness", fmt.Sprintf("%d is out of range [0, 100]", *s))
		}
	}
	if c := r.CPU; c != nil {
		if c.Quota != nil && *c.Quota < -1 {
			return cfgErr(p+".cpu.quota", fmt.Sprintf("%d is invalid (want -1 for unlimited, or microseconds)", *c.Quota))
		}
		if c.RealtimeRuntime != nil && *c.RealtimeRuntime < -1 {
			return cfgErr(p+".cpu.realtimeRuntime", fmt.Sprintf("%d is invalid (want -1 for unlimited, or microseconds)", *c.RealtimeRuntime))
		}
		if c.Idle != nil && *c.Idle != 0 && *c.Idle != 1 {
			return cfgErr(p+".cpu.idle", fmt.Sprintf("%d is invalid (want 0 or 1)", *c.Idle))
		}
		if err := checkList(p+".cpu.cpus", c.Cpus); err != nil {
			return err
		}
		if err := checkList(p+".cpu.mems", c.Mems); err != nil {
			return err
		}
	}
	if err := checkBlockIO(p+".blockIO", r.BlockIO); err != nil {
		return err
	}
	for i, h := range r.HugepageLimits {
		if !validPageSize(h.Pagesize) {
			return cfgErr(idx(p+".hugepageLimits", i)+".pageSize", fmt.Sprintf("invalid page size %q (want e.g. \"2MB\")", h.Pagesize))
		}
	}
	if n := r.Network; n != nil {
		for i, prio := range n.Priorities {
			if prio.Name == "" {
				return cfgErr(idx(p+".network.priorities", i)+".name", "must not be empty")
			}
		}
	}
	for _, k := range sortedKeys(r.Unified) {
		controller, file, ok := strings.Cut(k, ".")
		if !ok || controller == "" || file == "" || strings.ContainsAny(k, "/\x00") {
			return cfgErr(key(p+".unified", k), "must be a cgroup file name of the form \"controller.file\"")
		}
	}
	return nil
}

func anyOrNonNegative(path string, n *int64) error {
	if n != nil && *n < -1 {
		return cfgErr(path, fmt.Sprintf("%d is invalid (want -1 for any, or a device number)", *n))
	}
	return nil
}

func checkBlockIO(p string, b *specs.LinuxBlockIO) error {
	if b == nil {
		return nil
	}
	weight := func(path string, w *uint16) error {
		if w != nil && *w != 0 && (*w < 10 || *w > 1000) {
			return cfgErr(path, fmt.Sprintf("%d is out of range [10, 1000]", *w))
		}
		return nil
	}
	if err := weight(p+".weight", b.Weight); err != nil {
		return err
	}
	if err := weight(p+".leafWeight", b.LeafWeight); err != nil {
		return err
	}
	for i, wd := range b.WeightDevice {
		if err := weight(idx(p+".weightDevice", i)+".weight", wd.Weight); err != nil {
			return err
		}
		if err := weight(idx(p+".weightDevice", i)+".leafWeight", wd.LeafWeight); err != nil {
			return err
		}
	}
	return nil
}

// validPageSize accepts "<digits><K|M|G|T|P>B", the form hugetlb file names use.
func validPageSize(s string) bool {
	n := len(s)
	if n < 3 || s[n-1] != 'B' || !strings.ContainsRune("KMGTP", rune(s[n-2])) {
		return false
	}
	return isNumber(s[:n-2])
}
