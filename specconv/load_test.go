package specconv

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, data string) string {
	t.Helper()
	bundle := t.TempDir()
	if err := writeFile(bundle, []byte(data)); err != nil {
		t.Fatal(err)
	}
	return bundle
}

func writeFile(bundle string, data []byte) error {
	return os.WriteFile(filepath.Join(bundle, ConfigName), data, 0o644)
}

func exampleJSON(t testing.TB) string {
	data, err := json.MarshalIndent(Example(), "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestLoadSpec(t *testing.T) {
	good := exampleJSON(t)
	tests := []struct {
		name   string
		config string // "" with noFile: no config.json at all
		noFile bool
		want   string // exact error text, or "" for success
	}{
		{name: "fine", config: good},
		{name: "missing", noFile: true, want: "JSON specification file config.json not found"},
		{name: "empty", config: "", want: "config.json: file is empty"},
		{name: "blank", config: " \n\t\n", want: "config.json: file is empty"},
		{name: "truncated", config: good[:100],
			want: "config.json: truncated JSON: unexpected end of input at byte offset 100 (line 8, column 4)"},
		{name: "syntax", config: "{\n  \"ociVersion\": \"1.0.0\",\n  }",
			want: "config.json: invalid JSON at byte offset 29 (line 3, column 3): invalid character '}' looking for beginning of object key string"},
		{name: "trailing garbage", config: `{"ociVersion": "1.0.0"} x`,
			want: "config.json: invalid JSON at byte offset 24 (line 1, column 25): invalid character 'x' after top-level value"},
		{name: "uid string", config: `{"process": {"user": {"uid": "0"}}}`,
			want: "config.json: process.user.uid: cannot use string as uint32"},
		{name: "uid negative", config: `{"process": {"user": {"uid": -1}}}`,
			want: "config.json: process.user.uid: cannot use number -1 as uint32"},
		{name: "array element", config: `{"process": {"capabilities": {"bounding": ["CAP_KILL", 7]}}}`,
			want: "config.json: process.capabilities.bounding[1]: cannot use number as string"},
		{name: "nested index", config: `{"mounts": [{"destination": "/a"}, {"destination": "/b", "options": "ro"}]}`,
			want: "config.json: mounts[1].options: cannot use string as array"},
		{name: "object for array", config: `{"process": {"args": {"a": 1}}}`,
			want: "config.json: process.args: cannot use object as array"},
		{name: "dotted map key", config: `{"linux": {"sysctl": {"net.ipv4.ip_forward": 1}}}`,
			want: `config.json: linux.sysctl["net.ipv4.ip_forward"]: cannot use number as string`},
		{name: "bool for object", config: `{"root": true}`,
			want: "config.json: root: cannot use bool as object"},
		{name: "top-level array", config: `[1, 2]`,
			want: "config.json: top-level value must be a JSON object, got array"},
		{name: "top-level null", config: `null`,
			want: "config.json: top-level value must be a JSON object, got null"},
		{name: "invalid utf-8", config: "{\"hostname\": \"a\xffb\"}",
			want: "config.json: invalid UTF-8 at byte offset 15 (line 1, column 16)"},
		{name: "newline in key", config: "{\"annotations\": {\"a\\nb\": 1}}",
			want: `config.json: annotations["a\nb"]: cannot use number as string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bundle := t.TempDir()
			if !tt.noFile {
				bundle = writeConfig(t, tt.config)
			}
			s, err := LoadSpec(bundle)
			if tt.want == "" {
				if err != nil || s == nil {
					t.Fatalf("LoadSpec = %v, %v", s, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadSpec succeeded, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *ConfigError", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestLoadSpecMissingIsNotExist(t *testing.T) {
	_, err := LoadSpec(t.TempDir())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadSpec of an empty bundle = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadSpecNotRegular(t *testing.T) {
	bundle := t.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, ConfigName), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSpec(bundle)
	if err == nil || err.Error() != "config.json: not a regular file" {
		t.Fatalf("LoadSpec of a directory = %v", err)
	}
}

func TestReadSpecFile(t *testing.T) {
	bundle := writeConfig(t, exampleJSON(t))
	s, err := ReadSpecFile(filepath.Join(bundle, ConfigName))
	if err != nil || s.Hostname != "berth" {
		t.Fatalf("ReadSpecFile = %+v, %v", s, err)
	}
	missing := filepath.Join(bundle, "nope.json")
	if _, err := ReadSpecFile(missing); err == nil || err.Error() != "JSON specification file "+missing+" not found" {
		t.Fatalf("ReadSpecFile(missing) = %v", err)
	}
}
