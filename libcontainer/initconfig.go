package libcontainer

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/internal/specjson"
)

//go:generate go tool easyjson -output_filename initconfig_easyjson.go initconfig.go
//go:generate sed -i "s#\"github.com/mailru/easyjson\"#\"github.com/berth-runtime/berth/internal/jsoniface\"#" initconfig_easyjson.go
//go:generate gofmt -w initconfig_easyjson.go

// initConfig is everything the container's init (P1) needs, sent by the
// parent as one line of JSON (step 3 in sync.go). Its (un)marshalers are
// generated: encoding/json's reflection would cost init ~1 ms of warm-up.
//
//easyjson:json
type initConfig struct {
	ID           string      `json:"id"`
	Bundle       string      `json:"bundle"`
	Rootfs       string      `json:"rootfs"` // absolute, symlinks resolved
	Spec         *specs.Spec `json:"-"`
	NoPivot      bool        `json:"no_pivot,omitempty"`
	NoNewKeyring bool        `json:"no_new_keyring,omitempty"`
	// ExtraFDs is how many fds after stdio the process keeps (--preserve-fds
	// plus LISTEN_FDS); they are 3..3+ExtraFDs-1.
	ExtraFDs int `json:"extra_fds,omitempty"`
	// RuntimeHooks says P must run prestart/createRuntime hooks (msgHooks).
	RuntimeHooks bool `json:"runtime_hooks,omitempty"`
	// CgroupPaths are the container's cgroup dirs on the host, for the
	// cgroup mount when there is no cgroup namespace.
	CgroupPaths map[string]string `json:"cgroup_paths,omitempty"`
	// Env is added to the process environment (LISTEN_FDS).
	Env []string `json:"env,omitempty"`
	// WireSpec carries Spec on the wire, as the type with generated
	// decoders (toWire, fromWire).
	WireSpec *specjson.Spec `json:"spec"`
	// SeccompProgram is linux.seccomp compiled by the parent.
	SeccompProgram []byte `json:"seccomp_program,omitempty"`
	// ClosedStdio lists the stdio fds (0-2) the caller had closed: init
	// closes them right before exec.
	ClosedStdio []int `json:"closed_stdio,omitempty"`
	// SeccompFlagsSet: linux.seccomp.flags was given, maybe empty.
	SeccompFlagsSet bool `json:"seccomp_flags_set,omitempty"`
}

// toWire fills the wire fields before the config is sent.
func (c *initConfig) toWire() *initConfig {
	c.WireSpec = (*specjson.Spec)(c.Spec)
	return c
}

// fromWire sets Spec from the wire field after a decode.
func (c *initConfig) fromWire() {
	c.Spec = (*specs.Spec)(c.WireSpec)
}

// hasNamespace reports whether the spec asks for ns (new or joined).
func hasNamespace(spec *specs.Spec, ns specs.LinuxNamespaceType) bool {
	if spec.Linux == nil {
		return false
	}
	for _, n := range spec.Linux.Namespaces {
		if n.Type == ns {
			return true
		}
	}
	return false
}

// namespacePath returns the path of a joined namespace, "" when new or absent.
func namespacePath(spec *specs.Spec, ns specs.LinuxNamespaceType) string {
	if spec.Linux == nil {
		return ""
	}
	for _, n := range spec.Linux.Namespaces {
		if n.Type == ns {
			return n.Path
		}
	}
	return ""
}
