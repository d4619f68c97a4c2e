package libcontainer

import (
	"strings"
	"testing"
)

func TestValidateID(t *testing.T) {
	good := []string{"a", "abc-123", "A_b.c+d", "x..y", strings.Repeat("a", 1024)}
	for _, id := range good {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v, want nil", id, err)
		}
	}
	bad := []string{"", ".", "..", "a/b", "../x", "a b", "a\x00b", "é", "a:b", strings.Repeat("a", 1025)}
	for _, id := range bad {
		if err := ValidateID(id); err != ErrInvalidID {
			t.Errorf("ValidateID(%q) = %v, want ErrInvalidID", id, err)
		}
	}
}
