package specconv

import (
	"bytes"
	"encoding/json"
)

// pathAtOffset returns the JSON path of the value that ends at (for a
// scalar) or opens at (for an object or array) byte offset off of data,
// the offset encoding/json reports in an UnmarshalTypeError. Unlike the
// error's own Field, the path carries array indices: "mounts[3].options".
// It walks the document token by token and is only used on the error path.
func pathAtOffset(data []byte, off int64) (string, bool) {
	type frame struct {
		object    bool
		expectKey bool
		key       string
		index     int
	}
	render := func(stack []frame) string {
		path := ""
		for _, f := range stack {
			if f.object {
				path = key(path, f.key)
			} else {
				path = idx(path, f.index)
			}
		}
		return path
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].expectKey {
			if k, ok := tok.(string); ok {
				stack[top].key = k
				stack[top].expectKey = false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:top]
			if top > 0 && stack[top-1].object {
				stack[top-1].expectKey = true
			}
			continue
		}
		// tok starts a value: a scalar, '{' or '['.
		if top >= 0 && !stack[top].object {
			stack[top].index++
		}
		if dec.InputOffset() >= off {
			return render(stack), true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, frame{index: -1})
		default:
			if top >= 0 && stack[top].object {
				stack[top].expectKey = true
			}
		}
	}
}
