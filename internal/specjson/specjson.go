// Package specjson decodes and encodes the OCI spec with generated code
// (easyjson) instead of encoding/json's reflection. encoding/json builds its
// field tables for every struct type on first use, which cost ~1.2 ms of
// each berth process that read a config (twice per start: berth and its
// init); the generated code needs no warm-up (docs/performance.md).
//
// The generated decoder refuses unknown keys, so a config it accepts is one
// encoding/json decodes the same way. Anything else (a key in another
// case, a field newer than our runtime-spec, a type error) makes Unmarshal
// make Decode fall back to encoding/json, which keeps its leniency and its
// error messages.
package specjson

//go:generate go tool easyjson -disallow_unknown_fields -output_filename spec_easyjson.go specjson.go
//go:generate sed -i "s#\"github.com/mailru/easyjson\"#\"github.com/berth-runtime/berth/internal/jsoniface\"#" spec_easyjson.go
//go:generate gofmt -w spec_easyjson.go

import (
	"bytes"
	"encoding/json"
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

// Decode decodes data into s: with the generated decoder when it takes
// data, else with encoding/json, whose leniency and errors callers keep
// (its error is returned as it is).
func Decode(data []byte, s *specs.Spec) error {
	return decode(data, s, (*Spec)(s).UnmarshalJSON)
}

// DecodeProcess is Decode for a process (exec --process).
func DecodeProcess(data []byte, p *specs.Process) error {
	return decode(data, p, (*Process)(p).UnmarshalJSON)
}

func decode[T any](data []byte, v *T, dec func([]byte) error) error {
	if generated(data, v, dec) {
		return nil
	}
	return json.Unmarshal(data, v)
}

// generated decodes data into v with the generated decoder dec. It reports
// false when dec refused data, or would not decode it as encoding/json does
// (see plain); v is then zeroed, ready for encoding/json.
func generated[T any](data []byte, v *T, dec func([]byte) error) bool {
	if !plain(data) {
		return false
	}
	if dec(data) != nil {
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
// invalid bytes into U+FFFD, easyjson keeps them) and valid JSON as
// encoding/json's scanner sees it. easyjson's lexer is laxer: it takes a
// raw control character in a string, and numbers such as 00, +1 or .5
// (it hands them to strconv). The scan costs ~15 µs for a 3 KB config.
func plain(data []byte) bool {
	start := bytes.TrimLeft(data, " \t\r\n")
	return len(start) > 0 && start[0] == '{' && utf8.Valid(data) && json.Valid(data)
}
