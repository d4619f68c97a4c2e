package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

var updateCommand = &cli.Command{
	Name:      "update",
	Usage:     "update container resource constraints",
	ArgsUsage: `<container-id>`,
	Flags: []cli.Flag{
		&cli.StringFlag{
			Name:    "resources",
			Aliases: []string{"r"},
			Usage: `path to the file containing the resources to update or '-' to read from the standard input

The accepted format is as follow (unchanged values can be omitted):

{
  "memory": {
    "limit": 0,
    "reservation": 0,
    "swap": 0,
    "checkBeforeUpdate": true
  },
  "cpu": {
    "shares": 0,
    "quota": 0,
    "burst": 0,
    "period": 0,
    "realtimeRuntime": 0,
    "realtimePeriod": 0,
    "cpus": "",
    "mems": "",
    "idle": 0
  },
  "blockIO": {
    "weight": 0
  }
}

Note: if data is to be read from a file or the standard input, all
other options are ignored.
`,
		},
		&cli.IntFlag{Name: "blkio-weight", Usage: "Specifies per cgroup weight, range is from 10 to 1000"},
		&cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
		&cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
		&cli.StringFlag{Name: "cpu-burst", Usage: "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period"},
		&cli.StringFlag{Name: "cpu-share", Usage: "CPU shares (relative weight vs. other containers)"},
		&cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
		&cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPU(s) to use"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "Memory node(s) to use"},
		&cli.StringFlag{Name: "kernel-memory", Usage: "(obsoleted; do not use)", Hidden: true},
		&cli.StringFlag{Name: "kernel-memory-tcp", Usage: "(obsoleted; do not use)", Hidden: true},
		&cli.StringFlag{Name: "memory", Usage: "Memory limit (in bytes)"},
		&cli.StringFlag{Name: "cpu-idle", Usage: "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"},
		&cli.StringFlag{Name: "memory-reservation", Usage: "Memory reservation or soft_limit (in bytes)"},
		&cli.StringFlag{Name: "memory-swap", Usage: "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
		&cli.IntFlag{Name: "pids-limit", Usage: "Maximum number of pids allowed in the container"},
		&cli.StringFlag{Name: "l3-cache-schema", Usage: "The string of Intel RDT/CAT L3 cache schema"},
		&cli.StringFlag{Name: "mem-bw-schema", Usage: "The string of Intel RDT/MBA memory bandwidth schema"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		r, err := updateResources(ctx)
		if err != nil {
			return err
		}
		if m := r.Memory; m != nil && (m.Kernel != nil || m.KernelTCP != nil) { //nolint:staticcheck // deprecated, only warned about
			logrus.Warn("Kernel memory settings are ignored and will be removed")
		}
		// berth has no Intel RDT support: RDT is never enabled.
		if ctx.String("l3-cache-schema") != "" {
			return libcontainer.ErrCATNotEnabled
		}
		if ctx.String("mem-bw-schema") != "" {
			return libcontainer.ErrMBANotEnabled
		}
		return c.Update(r)
	},
}

// updateResources is the update asked for: the --resources JSON, or else
// the flags (runc's parsing and error texts).
func updateResources(ctx *cli.Context) (*specs.LinuxResources, error) {
	f := false
	r := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{CheckBeforeUpdate: &f},
		CPU:     &specs.LinuxCPU{},
		BlockIO: &specs.LinuxBlockIO{},
		Pids:    &specs.LinuxPids{},
	}
	if in := ctx.String("resources"); in != "" {
		var src io.Reader = os.Stdin
		if in != "-" {
			file, err := os.Open(in)
			if err != nil {
				return nil, err
			}
			defer file.Close()
			src = file
		}
		if err := json.NewDecoder(src).Decode(r); err != nil {
			return nil, err
		}
		return r, nil
	}
	if v := ctx.Int("blkio-weight"); v != 0 {
		w := uint16(v)
		r.BlockIO.Weight = &w
	}
	r.CPU.Cpus = ctx.String("cpuset-cpus")
	r.CPU.Mems = ctx.String("cpuset-mems")
	if v := ctx.String("cpu-idle"); v != "" {
		idle, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid value for cpu-idle: %w", err)
		}
		r.CPU.Idle = &idle
	}
	for _, p := range []struct {
		opt  string
		dest **uint64
	}{
		{"cpu-burst", &r.CPU.Burst},
		{"cpu-period", &r.CPU.Period},
		{"cpu-rt-period", &r.CPU.RealtimePeriod},
		{"cpu-share", &r.CPU.Shares},
	} {
		if v := ctx.String(p.opt); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid value for %s: %w", p.opt, err)
			}
			*p.dest = &n
		}
	}
	for _, p := range []struct {
		opt  string
		dest **int64
	}{
		{"cpu-quota", &r.CPU.Quota},
		{"cpu-rt-runtime", &r.CPU.RealtimeRuntime},
	} {
		if v := ctx.String(p.opt); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid value for %s: %w", p.opt, err)
			}
			*p.dest = &n
		}
	}
	for _, p := range []struct {
		opt  string
		dest **int64
	}{
		{"memory", &r.Memory.Limit},
		{"memory-swap", &r.Memory.Swap},
		{"kernel-memory", &r.Memory.Kernel}, //nolint:staticcheck // deprecated, only warned about
		{"kernel-memory-tcp", &r.Memory.KernelTCP},
		{"memory-reservation", &r.Memory.Reservation},
	} {
		if v := ctx.String(p.opt); v != "" {
			n := int64(-1)
			if v != "-1" {
				var err error
				if n, err = ramInBytes(v); err != nil {
					return nil, fmt.Errorf("invalid value for %s: %w", p.opt, err)
				}
			}
			*p.dest = &n
		}
	}
	if ctx.IsSet("pids-limit") {
		n := int64(ctx.Int("pids-limit"))
		r.Pids.Limit = &n
	}
	return r, nil
}

// ramInBytes parses a size in bytes with an optional binary unit, as
// github.com/docker/go-units' RAMInBytes (v0.5): "1024", "512k", "1.5g",
// "64 MiB", "2gb"; units k, m, g, t, p (powers of 1024), case-insensitive,
// optionally followed by "b" or "ib", optionally after one space.
func ramInBytes(s string) (int64, error) {
	sep := strings.LastIndexAny(s, "01234567890. ")
	if sep == -1 {
		return -1, fmt.Errorf("invalid size: '%s'", s)
	}
	num, sfx := s[:sep+1], s[sep+1:]
	if s[sep] == ' ' {
		num = s[:sep]
	}
	size, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return -1, err
	}
	if size < 0 {
		return -1, fmt.Errorf("invalid size: '%s'", s)
	}
	if sfx == "" {
		return int64(size), nil
	}
	bad := fmt.Errorf("invalid suffix: '%s'", sfx)
	if len(sfx) > 3 {
		return -1, bad
	}
	sfx = strings.ToLower(sfx)
	bad = fmt.Errorf("invalid suffix: '%s'", sfx)
	if sfx[0] == 'b' {
		if len(sfx) > 1 {
			return -1, bad
		}
		return int64(size), nil
	}
	mul := int64(1)
	switch sfx[0] {
	case 'k':
		mul = 1 << 10
	case 'm':
		mul = 1 << 20
	case 'g':
		mul = 1 << 30
	case 't':
		mul = 1 << 40
	case 'p':
		mul = 1 << 50
	default:
		return -1, bad
	}
	if (len(sfx) == 2 && sfx[1] != 'b') || (len(sfx) == 3 && sfx[1:] != "ib") {
		return -1, bad
	}
	return int64(size * float64(mul)), nil
}
