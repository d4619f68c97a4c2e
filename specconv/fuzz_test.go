package specconv

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzLoadAndValidate feeds arbitrary bytes through DecodeSpec, Validate
// and ToRootless: nothing may panic, and every error must be a non-empty,
// single-line *ConfigError.
func FuzzLoadAndValidate(f *testing.F) {
	seed, err := json.Marshal(Example())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, s := range []string{
		`{"process":{"user":{"uid":"0"}}}`,
		`{"mounts":[{"destination":"/a"},{"destination":"/b","options":"ro"}]}`,
		`{"linux":{"sysctl":{"net.ipv4.ip_forward":"1"},"namespaces":[{"type":"network","path":"/proc/self/ns/net"}]}}`,
		`{"ociVersion":"1.0.0","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},"linux":{"namespaces":[{"type":"user"}]}}`,
		"{\"hostname\":\"\xff\"}",
		`null`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	bundle := newBundle(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSpec(data, ConfigName)
		if err != nil {
			checkOneLine(t, err)
			return
		}
		for _, opts := range []ValidateOptions{{}, {Systemd: true, Rootless: true, NoPivotRoot: true}} {
			if err := Validate(s, bundle, opts); err != nil {
				checkOneLine(t, err)
			}
		}
		ToRootless(s)
		if err := Validate(s, bundle, ValidateOptions{Rootless: true}); err != nil {
			checkOneLine(t, err)
		}
	})
}

func checkOneLine(t *testing.T, err error) {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %q is a %T, not a *ConfigError", err, err)
	}
	msg := err.Error()
	if msg == "" || strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("error is not one non-empty line: %q", msg)
	}
}
