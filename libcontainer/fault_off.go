//go:build !faultinject

package libcontainer

// faultPoint is a named step where a test build can make berth die; in
// normal builds it compiles to nothing. See fault_on.go.
func faultPoint(string) {}

func faultDie() {}

func (it *initer) faultPoint(string) {}

// faultEnv is empty in normal builds.
func faultEnv() []string { return nil }
