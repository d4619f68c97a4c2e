package main

import (
	"encoding/json"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/specconv"
)

// Annotations of `berth features` (berth's own keys; runc's are
// org.opencontainers.runc.*).
const (
	annotationVersion    = "com.github.berth-runtime.berth.version"
	annotationCommit     = "com.github.berth-runtime.berth.commit"
	annotationCheckpoint = "com.github.berth-runtime.berth.checkpoint.enabled"
)

var featuresCommand = &cli.Command{
	Name:      "features",
	Usage:     "show the enabled features",
	ArgsUsage: "",
	Description: `Show the enabled features.
   The result is parsable as a JSON.
   See https://github.com/opencontainers/runtime-spec/blob/main/features.md for the type definition.
`,
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0, exactArgs); err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "    ")
		return enc.Encode(berthFeatures())
	},
}

// berthFeatures describes what this build of berth supports (and, for the
// LSMs, what the host has).
func berthFeatures() *features.Features {
	t, f := true, false
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks: []string{
			"prestart", "createRuntime", "createContainer",
			"startContainer", "poststart", "poststop",
		},
		MountOptions: specconv.KnownMountOptions(),
		Linux: &features.Linux{
			Namespaces:   specconv.KnownNamespaces(),
			Capabilities: specconv.KnownCapabilities(),
			Cgroup: &features.Cgroup{
				V1:          &t,
				V2:          &t,
				Systemd:     &t,
				SystemdUser: &f,
				Rdma:        &t,
			},
			Seccomp: seccompFeatures(),
			// "Compiled in", the spec says, "unrelated to whether the
			// host supports" them: berth always applies both when asked.
			Apparmor: &features.Apparmor{Enabled: &t},
			Selinux:  &features.Selinux{Enabled: &t},
			IntelRdt: &features.IntelRdt{Enabled: &f},
			MountExtensions: &features.MountExtensions{
				IDMap: &features.IDMap{Enabled: &t},
			},
			NetDevices:   &features.NetDevices{Enabled: &t},
			MemoryPolicy: memoryPolicyFeatures(),
		},
		Annotations: map[string]string{
			annotationVersion:    version,
			annotationCommit:     gitCommit,
			annotationCheckpoint: "true",
		},
	}
}

// seccompFeatures are runc's lists for libseccomp 2.5.4 (sorted, as runc
// prints them).
func seccompFeatures() *features.Seccomp {
	t := true
	return &features.Seccomp{
		Enabled: &t,
		Actions: []string{
			"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
			"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
			"SCMP_ACT_TRAP",
		},
		Operators: []string{
			"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
			"SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
		},
		Archs: []string{
			"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
			"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
			"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
			"SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32",
			"SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
		},
		KnownFlags: []string{
			"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
		},
		SupportedFlags: []string{
			"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
		},
	}
}

// memoryPolicyFeatures lists the linux.memoryPolicy modes and flags berth
// knows.
func memoryPolicyFeatures() *features.MemoryPolicy {
	modes, flags := libcontainer.MemoryPolicyNames()
	return &features.MemoryPolicy{Modes: modes, Flags: flags}
}
