package specconv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"unicode/utf8"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/specjson"
)

// ConfigName is the name of the configuration file inside a bundle.
const ConfigName = "config.json"

// LoadSpec reads and decodes <bundle>/config.json.
//
// It only decodes; call Validate to check the result. Every error is a
// single-line *ConfigError: a missing file gives runc's text
// "JSON specification file config.json not found" (and wraps
// fs.ErrNotExist); an empty file, invalid UTF-8, invalid or truncated JSON
// (with the byte offset, line and column) and a value of the wrong type
// (with the JSON path of the field, e.g.
// "config.json: process.user.uid: cannot use string as uint32") are named
// as such. Memory use is the size of the file plus the decoded spec.
func LoadSpec(bundle string) (*specs.Spec, error) {
	return readSpec(filepath.Join(bundle, ConfigName), ConfigName)
}

// ReadSpecFile is LoadSpec for a configuration file at any path; errors
// name the file by the path given.
func ReadSpecFile(path string) (*specs.Spec, error) {
	return readSpec(path, displayName(path))
}

// DecodeSpec decodes a configuration held in memory, with the errors of
// LoadSpec; name is used as the file name in them.
func DecodeSpec(data []byte, name string) (*specs.Spec, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ConfigError{File: name, Msg: "file is empty"}
	}
	if !utf8.Valid(data) {
		off := invalidUTF8Offset(data)
		return nil, &ConfigError{File: name, Msg: "invalid UTF-8 at " + position(data, off)}
	}
	var s specs.Spec
	if err := specjson.Decode(data, &s); err != nil {
		return nil, jsonError(data, name, err)
	}
	if first := bytes.TrimLeft(data, " \t\r\n"); first[0] != '{' {
		// Only "null" decodes without error into a struct.
		return nil, &ConfigError{File: name, Msg: "top-level value must be a JSON object, got null"}
	}
	return &s, nil
}

func readSpec(path, name string) (*specs.Spec, error) {
	// Plain syscalls: os.Open would also set the fd up for the poller.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &ConfigError{Msg: "JSON specification file " + name + " not found", Err: err}
		}
		return nil, &ConfigError{File: name, Msg: "cannot open: " + errnoText(err), Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &ConfigError{File: name, Msg: "cannot stat: " + errnoText(err), Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, &ConfigError{File: name, Msg: "not a regular file"}
	}
	// Read exactly the file's size: no doubling buffer, no second copy.
	data := make([]byte, st.Size)
	if err := readFull(fd, data); err != nil {
		return nil, &ConfigError{File: name, Msg: "cannot read: " + errnoText(err), Err: err}
	}
	return DecodeSpec(data, name)
}

// readFull fills buf from fd; a file shorter than buf is io.ErrUnexpectedEOF.
func readFull(fd int, buf []byte) error {
	for len(buf) > 0 {
		n, err := unix.Read(fd, buf)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n == 0:
			return io.ErrUnexpectedEOF
		}
		buf = buf[n:]
	}
	return nil
}

// jsonError turns an error from json.Unmarshal into a one-line *ConfigError.
func jsonError(data []byte, name string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		if syn.Error() == "unexpected end of JSON input" || syn.Offset > int64(len(data)) {
			return &ConfigError{File: name, Msg: "truncated JSON: unexpected end of input at " + position(data, int64(len(data))), Err: err}
		}
		// Offset counts the bytes read, the offending one included.
		return &ConfigError{File: name, Msg: "invalid JSON at " + position(data, syn.Offset-1) + ": " + syn.Error(), Err: err}
	case errors.As(err, &typ):
		path, ok := pathAtOffset(data, typ.Offset)
		if !ok {
			path = typ.Field
		}
		if path == "" {
			return &ConfigError{File: name, Msg: "top-level value must be a JSON object, got " + typ.Value, Err: err}
		}
		return &ConfigError{File: name, Path: path, Msg: "cannot use " + typ.Value + " as " + jsonTypeName(typ.Type), Err: err}
	}
	return &ConfigError{File: name, Msg: err.Error(), Err: err}
}

// jsonTypeName names the Go type a JSON value had to fit, the way a config
// author thinks of it: numbers by their Go width, structs and maps as object.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Bool:
		return "boolean"
	case reflect.Interface:
		return "value"
	}
	return t.Kind().String() // string, int, uint32, int64, ...
}

// position formats a byte offset with its 1-based line and column.
func position(data []byte, off int64) string {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := off - int64(bytes.LastIndexByte(before, '\n'))
	return fmt.Sprintf("byte offset %d (line %d, column %d)", off, line, col)
}

func invalidUTF8Offset(data []byte) int64 {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return int64(i)
		}
		i += size
	}
	return int64(len(data))
}

// errnoText gives the bare reason of a file-system error ("permission
// denied"), without the path, which may contain anything.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "file shrank while reading"
	}
	return oneLine(err.Error())
}

// displayName returns a file name as is when it is plain, quoted otherwise.
func displayName(name string) string {
	q := strconv.Quote(name)
	if q[1:len(q)-1] == name && !bytes.ContainsAny([]byte(name), " \t") {
		return name
	}
	return q
}
