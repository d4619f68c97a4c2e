package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	good := map[string]unix.Signal{
		"9": unix.SIGKILL, "KILL": unix.SIGKILL, "SIGKILL": unix.SIGKILL, "kill": unix.SIGKILL,
		"sigterm": unix.SIGTERM, "HUP": unix.SIGHUP, "15": unix.SIGTERM, "USR1": unix.SIGUSR1,
		// numbers as runc takes them: the kernel judges
		"0": 0, "-1": unix.Signal(-1), "65": unix.Signal(65),
	}
	for in, want := range good {
		got, err := parseSignal(in)
		if err != nil || got != want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"FOO", "SIG", "", "9x", "4294967305", "-4294967287"} {
		if _, err := parseSignal(in); err == nil {
			t.Errorf("parseSignal(%q) succeeded", in)
		}
	}
}
