package libcontainer

import "errors"

// ErrInvalidID is returned for a container ID that could not be a directory
// name under the state root (runc's rule: letters, digits, '_', '+', '-', '.',
// not "." or "..", at most 1024 bytes).
var ErrInvalidID = errors.New("invalid container ID format")

// ValidateID accepts exactly the IDs runc accepts.
func ValidateID(id string) error {
	if id == "" || id == "." || id == ".." || len(id) > 1024 {
		return ErrInvalidID
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_' || c == '+' || c == '-' || c == '.':
		default:
			return ErrInvalidID
		}
	}
	return nil
}
