// Package specconv loads, validates and defaults an OCI bundle's config.json,
// and produces the default spec written by `berth spec`.
//
// berth uses specs.Spec (github.com/opencontainers/runtime-spec/specs-go)
// as its one configuration; this package never copies it into a second
// struct. Every error it returns is a single line that names the offending
// field by its JSON path, e.g. `linux.namespaces[2].type: unknown namespace "foo"`.
package specconv

import (
	"strconv"
	"strings"
)

// ConfigError is one problem found in a container configuration.
//
// Error() renders it as "<File>: <Path>: <Msg>", leaving out the parts
// that are empty, and is guaranteed to be a single line. Errors from
// Validate have an empty File; errors from LoadSpec and ReadSpecFile name
// the file they read.
type ConfigError struct {
	// File is the configuration file the problem was found in, as the
	// user named it (e.g. "config.json"), or empty.
	File string
	// Path is the JSON path of the offending field, e.g.
	// "process.capabilities.bounding[1]" or `linux.sysctl["net.ipv4.ip_forward"]`;
	// empty when the problem concerns the document as a whole.
	Path string
	// Msg says what is wrong, in lower case without a trailing period.
	Msg string
	// Err is the underlying cause (e.g. fs.ErrNotExist), if any.
	Err error
}

// Error returns the single-line message described on ConfigError.
func (e *ConfigError) Error() string {
	var b strings.Builder
	for _, part := range [...]string{e.File, e.Path, e.Msg} {
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(part)
	}
	return oneLine(b.String())
}

// Unwrap returns the underlying cause, so that errors.Is and errors.As see it.
func (e *ConfigError) Unwrap() error { return e.Err }

// oneLine replaces line breaks so that a message can never span lines, even
// if a caller-supplied string slipped into it unquoted.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r") {
		return s
	}
	return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
}

// cfgErr builds a *ConfigError for Validate.
func cfgErr(path, msg string) error {
	return &ConfigError{Path: path, Msg: msg}
}

// idx appends an array index to a JSON path: idx("mounts", 3) == "mounts[3]".
func idx(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// key appends an object key to a JSON path, as ".key" when the key is a
// plain identifier and as `["key"]` (quoted) otherwise.
func key(path, k string) string {
	if isIdent(k) {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	return path + "[" + strconv.Quote(k) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
