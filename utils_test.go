package main

import "testing"

func TestIsIdentityUIDMap(t *testing.T) {
	for m, want := range map[string]bool{
		"         0          0 4294967295\n":                        true,
		"0 0 4294967295":                                            true,
		"         0       1000          1\n":                        false,
		"         0     100000      65536\n         1000  1000 1\n": false,
		"         0          0 4294967294\n":                        false,
		"":                                                          false,
	} {
		if got := isIdentityUIDMap(m); got != want {
			t.Errorf("isIdentityUIDMap(%q) = %v, want %v", m, got, want)
		}
	}
}
