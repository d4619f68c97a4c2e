//go:build !faultinject

package libcontainer

// faultPoint is a named step where a test build can make berth die; in
// normal builds it compiles to nothing. See fault_on.go.
func faultPoint(string) {}

func faultDie() {}

// initFaultStep is the init's fault step for the rootfs plan: none.
func initFaultStep() string { return "" }

// stageFaultStep is the stage's fault step for the bootstrap: none.
func stageFaultStep() string { return "" }
