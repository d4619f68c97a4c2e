// Package devices turns the spec's linux.resources.devices list into what the
// kernel enforces: the writes to a cgroup v1 devices.allow/devices.deny pair,
// or a BPF_PROG_TYPE_CGROUP_DEVICE program for cgroup v2.
//
// Both follow the cgroup v1 semantics of an ordered rule list (see State):
// a rule of type "a" resets the cgroup to allow-all or deny-all, every other
// rule adds or removes an exception. runc implements the same semantics, so
// a config behaves the same under both runtimes and both cgroup versions.
package devices

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Wildcard is the Major or Minor of a rule that matches any number.
const Wildcard int64 = -1

// Type is the device type a rule applies to.
type Type byte

// Device types a cgroup rule can name.
const (
	All   Type = 'a' // every type; a rule of this type resets the cgroup
	Block Type = 'b'
	Char  Type = 'c'
)

// Access is a set of device access bits.
type Access uint8

// Access bits, as in the "rwm" of a devices.allow line.
const (
	Read  Access = 1 << iota // r
	Write                    // w
	Mknod                    // m

	RWM = Read | Write | Mknod
)

// ParseAccess parses a subset of "rwm" (any order, repeats allowed).
func ParseAccess(s string) (Access, error) {
	var a Access
	for _, c := range s {
		switch c {
		case 'r':
			a |= Read
		case 'w':
			a |= Write
		case 'm':
			a |= Mknod
		default:
			return 0, fmt.Errorf("invalid device access %q: only r, w and m are allowed", s)
		}
	}
	return a, nil
}

// String returns the access in canonical "rwm" order.
func (a Access) String() string {
	var b strings.Builder
	if a&Read != 0 {
		b.WriteByte('r')
	}
	if a&Write != 0 {
		b.WriteByte('w')
	}
	if a&Mknod != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

// Rule is one entry of a device rule list.
type Rule struct {
	Type   Type
	Major  int64 // Wildcard for any
	Minor  int64 // Wildcard for any
	Access Access
	Allow  bool
}

// String formats the rule as a line for devices.allow / devices.deny, e.g.
// "c 1:3 rwm" or "a".
func (r Rule) String() string {
	if r.Type == All {
		return "a"
	}
	return string(r.Type) + " " + num(r.Major) + ":" + num(r.Minor) + " " + r.Access.String()
}

func num(n int64) string {
	if n == Wildcard {
		return "*"
	}
	return strconv.FormatInt(n, 10)
}

// FromSpec converts linux.resources.devices. Errors name the entry:
// `linux.resources.devices[2]: invalid type "x"`.
func FromSpec(in []specs.LinuxDeviceCgroup) ([]Rule, error) {
	out := make([]Rule, 0, len(in))
	for i, d := range in {
		r := Rule{Type: All, Major: Wildcard, Minor: Wildcard, Allow: d.Allow}
		switch d.Type {
		case "", "a":
		case "b":
			r.Type = Block
		case "c":
			r.Type = Char
		default:
			return nil, fmt.Errorf("linux.resources.devices[%d]: invalid type %q", i, d.Type)
		}
		if d.Major != nil {
			if *d.Major < Wildcard || *d.Major > 1<<32-1 {
				return nil, fmt.Errorf("linux.resources.devices[%d]: invalid major %d", i, *d.Major)
			}
			r.Major = *d.Major
		}
		if d.Minor != nil {
			if *d.Minor < Wildcard || *d.Minor > 1<<32-1 {
				return nil, fmt.Errorf("linux.resources.devices[%d]: invalid minor %d", i, *d.Minor)
			}
			r.Minor = *d.Minor
		}
		if d.Access == "" {
			return nil, fmt.Errorf("linux.resources.devices[%d]: access cannot be empty", i)
		}
		a, err := ParseAccess(d.Access)
		if err != nil {
			return nil, fmt.Errorf("linux.resources.devices[%d]: %w", i, err)
		}
		r.Access = a
		out = append(out, r)
	}
	return out, nil
}

// defaultDevice is one device the runtime always allows; path is "" for
// rules that are not tied to a node the runtime creates.
type defaultDevice struct {
	path string
	rule Rule
}

func allowChar(major, minor int64, a Access) Rule {
	return Rule{Type: Char, Major: major, Minor: minor, Access: a, Allow: true}
}

// defaults returns runc's AllowedDevices (libcontainer/specconv), in order:
// mknod of any char/block device, the standard /dev nodes, /dev/pts/*,
// /dev/ptmx and /dev/net/tun. A fresh slice each call, never shared state.
func defaults() []defaultDevice {
	return []defaultDevice{
		{"", allowChar(Wildcard, Wildcard, Mknod)},
		{"", Rule{Type: Block, Major: Wildcard, Minor: Wildcard, Access: Mknod, Allow: true}},
		{"/dev/null", allowChar(1, 3, RWM)},
		{"/dev/random", allowChar(1, 8, RWM)},
		{"/dev/full", allowChar(1, 7, RWM)},
		{"/dev/tty", allowChar(5, 0, RWM)},
		{"/dev/zero", allowChar(1, 5, RWM)},
		{"/dev/urandom", allowChar(1, 9, RWM)},
		{"", allowChar(136, Wildcard, RWM)}, // /dev/pts/*
		{"", allowChar(5, 2, RWM)},          // /dev/ptmx
		{"", allowChar(10, 200, RWM)},       // /dev/net/tun
	}
}

// DefaultRules returns the rules the runtime appends after the spec's own,
// like runc: a default whose node path is also in nodes (linux.devices) is
// left out, so the spec's device takes its place.
func DefaultRules(nodes []specs.LinuxDevice) []Rule {
	var out []Rule
next:
	for _, d := range defaults() {
		if d.path != "" {
			for _, n := range nodes {
				if n.Path == d.path {
					continue next
				}
			}
		}
		out = append(out, d.rule)
	}
	return out
}

// DefaultNodePaths lists the /dev nodes behind DefaultRules, for the code
// that creates device nodes in the container.
func DefaultNodePaths() []string {
	var out []string
	for _, d := range defaults() {
		if d.path != "" {
			out = append(out, d.path)
		}
	}
	return out
}
