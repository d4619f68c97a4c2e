// Package specjson decodes and encodes the OCI spec with generated code
// (easyjson) instead of encoding/json's reflection. encoding/json builds its
// field tables for every struct type on first use, which cost ~1.2 ms of
// each berth process that read a config (twice per start: berth and its
// init); the generated code needs no warm-up (docs/performance.md).
//
// The generated decoder refuses unknown keys, so a config it accepts is one
// encoding/json decodes the same way. Anything else (a key in another
// case, a field newer than our runtime-spec, a type error) makes Unmarshal
// report false, and callers decode with encoding/json, which keeps its
// leniency and its error messages.
package specjson

//go:generate go tool easyjson -disallow_unknown_fields -output_filename spec_easyjson.go specjson.go
//go:generate sed -i "s#\"github.com/mailru/easyjson\"#\"github.com/berth-runtime/berth/internal/jsoniface\"#" spec_easyjson.go
//go:generate gofmt -w spec_easyjson.go

import (
	"bytes"
	"unicode/utf8"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Spec is specs.Spec with generated (un)marshalers; a *Spec and a
// *specs.Spec convert to each other for free.
//
//easyjson:json
type Spec specs.Spec

// Process is specs.Process with generated (un)marshalers (exec's process).
//
//easyjson:json
type Process specs.Process

// Unmarshal decodes data into s with the generated decoder. It reports
// false when that decoder refused data; s is then zeroed, ready for a
// decode with encoding/json.
func Unmarshal(data []byte, s *specs.Spec) bool {
	return decode(data, s, (*Spec)(s).UnmarshalJSON)
}

// UnmarshalProcess is Unmarshal for a process (exec --process).
func UnmarshalProcess(data []byte, p *specs.Process) bool {
	return decode(data, p, (*Process)(p).UnmarshalJSON)
}

func decode[T any](data []byte, v *T, generated func([]byte) error) bool {
	if !plain(data) {
		return false
	}
	if generated(data) != nil {
		var zero T
		*v = zero
		return false
	}
	return true
}

// Marshal encodes s as encoding/json would (same keys, same omissions).
func Marshal(s *specs.Spec) ([]byte, error) {
	return (*Spec)(s).MarshalJSON()
}

// plain reports whether data is left to the generated decoder: a JSON
// object (easyjson takes null for one), valid UTF-8 (encoding/json turns
// invalid bytes into U+FFFD, easyjson keeps them) and no raw control
// character in a string (encoding/json refuses those, easyjson takes them).
func plain(data []byte) bool {
	start := bytes.TrimLeft(data, " \t\r\n")
	return len(start) > 0 && start[0] == '{' && utf8.Valid(data) && !controlInString(data)
}

// controlInString reports whether a string in data holds a raw byte below
// 0x20 (JSON wants those escaped).
func controlInString(data []byte) bool {
	inString, escaped := false, false
	for _, b := range data {
		switch {
		case !inString:
			inString = b == '"'
		case escaped:
			escaped = false
		case b == '\\':
			escaped = true
		case b == '"':
			inString = false
		case b < 0x20:
			return true
		}
	}
	return false
}
