package cgroups

import (
	"fmt"
	"math"
	"strings"

	sd "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultScopePrefix names scopes made for an empty cgroupsPath:
// "berth-<id>.scope" (runc uses "runc-<id>.scope").
const defaultScopePrefix = "berth"

// systemdUnit splits a systemd cgroupsPath "slice:prefix:name" into the
// parent slice and the scope unit name "prefix-name.scope". An empty path
// means "system.slice" (or "user.slice" rootless) and "berth-<id>.scope";
// an empty slice field means the same default slice.
func systemdUnit(cfg Config) (slice, unit string, err error) {
	prefix, name, slice := defaultScopePrefix, cfg.ID, ""
	if cfg.Path != "" {
		parts := strings.Split(cfg.Path, ":")
		if len(parts) != 3 {
			return "", "", fmt.Errorf("systemd cgroup driver: cgroupsPath %q is not of the form \"slice:prefix:name\"", cfg.Path)
		}
		slice, prefix, name = parts[0], parts[1], parts[2]
	}
	if slice == "" {
		slice = "system.slice"
		if cfg.Rootless {
			slice = "user.slice"
		}
	}
	if name == "" || strings.ContainsRune(name, '/') {
		return "", "", fmt.Errorf("systemd cgroup driver: invalid unit name %q", name)
	}
	if strings.HasSuffix(name, ".slice") {
		return "", "", fmt.Errorf("systemd cgroup driver: a slice (%q) as the container's unit is not supported", name)
	}
	unit = name + ".scope"
	if prefix != "" {
		unit = prefix + "-" + unit
	}
	return slice, unit, nil
}

// expandSlice turns a slice name into its cgroup path the way systemd
// nests slices: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice",
// "-.slice" (the root slice) -> "/".
func expandSlice(slice string) (string, error) {
	name, ok := strings.CutSuffix(slice, ".slice")
	if !ok || strings.ContainsRune(slice, '/') {
		return "", fmt.Errorf("systemd cgroup driver: invalid slice name %q", slice)
	}
	if name == "-" {
		return "/", nil
	}
	if name == "" || strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return "", fmt.Errorf("systemd cgroup driver: invalid slice name %q", slice)
	}
	var path, prefix strings.Builder
	for _, c := range strings.Split(name, "-") {
		prefix.WriteString(c)
		path.WriteString("/" + prefix.String() + ".slice")
		prefix.WriteByte('-')
	}
	return path.String(), nil
}

func prop(name string, v any) sd.Property {
	return sd.Property{Name: name, Value: dbus.MakeVariant(v)}
}

// unitProperties returns the unit's resource properties for r: memory,
// cpu weight and quota, tasks and io weight — the limits systemd would
// otherwise reset on a daemon-reload. Everything else is set through the
// cgroup files by the fs driver underneath (Delegate=yes allows it).
func unitProperties(r *specs.LinuxResources, v2 bool) []sd.Property {
	var p []sd.Property
	if r == nil {
		return p
	}
	if m := r.Memory; m != nil && m.Limit != nil && *m.Limit != 0 {
		v := uint64(math.MaxUint64) // infinity
		if *m.Limit > 0 {
			v = uint64(*m.Limit)
		}
		if v2 {
			p = append(p, prop("MemoryMax", v))
		} else {
			p = append(p, prop("MemoryLimit", v))
		}
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil && *c.Shares != 0 {
			if v2 {
				p = append(p, prop("CPUWeight", CPUSharesToWeight(*c.Shares)))
			} else {
				p = append(p, prop("CPUShares", *c.Shares))
			}
		}
		p = append(p, cpuQuotaProps(c)...)
	}
	if r.Pids != nil && r.Pids.Limit != nil {
		v := uint64(math.MaxUint64)
		if l := *r.Pids.Limit; l > 0 {
			v = uint64(l)
		} else if l == 0 {
			v = 1 // systemd cannot express 0; see pidsMax
		}
		p = append(p, prop("TasksMax", v))
	}
	if b := r.BlockIO; b != nil && b.Weight != nil && *b.Weight != 0 {
		if v2 {
			p = append(p, prop("IOWeight", BlkioWeightToIOWeight(*b.Weight)))
		} else {
			p = append(p, prop("BlockIOWeight", uint64(*b.Weight)))
		}
	}
	return p
}

// cpuQuotaProps expresses quota/period as systemd does: CPUQuotaPerSecUSec
// (µs per second of wall time) rounded up to whole percent (10ms), since
// systemd keeps it as a percentage, plus CPUQuotaPeriodUSec.
func cpuQuotaProps(c *specs.LinuxCPU) []sd.Property {
	var quota int64
	var period uint64
	if c.Quota != nil {
		quota = *c.Quota
	}
	if c.Period != nil {
		period = *c.Period
	}
	var p []sd.Property
	if period != 0 {
		p = append(p, prop("CPUQuotaPeriodUSec", period))
	}
	if quota == 0 {
		return p // a period alone keeps the quota in force
	}
	if period == 0 {
		period = 100000
	}
	perSec := uint64(math.MaxUint64)
	if quota > 0 {
		perSec = uint64(quota) * 1000000 / period
		if perSec%10000 != 0 {
			perSec = (perSec/10000 + 1) * 10000
		}
	}
	return append(p, prop("CPUQuotaPerSecUSec", perSec))
}
