package libcontainer

import (
	"fmt"
	"os"
	"time"
)

// envTrace turns on step timing (for profiling the start path, see
// docs/performance.md): BERTH_TRACE=1 makes the runtime and its init print
// one line per step to stderr with the milliseconds since process start.
const envTrace = "BERTH_TRACE"

var (
	traceOn    = os.Getenv(envTrace) == "1"
	traceStart = time.Now()
)

// traceStep records that a step of the start path is done.
func traceStep(step string) {
	if traceOn {
		fmt.Fprintf(os.Stderr, "berth-trace %d %7.3fms %s\n", os.Getpid(), float64(time.Since(traceStart).Microseconds())/1000, step)
	}
}

// TraceStep is traceStep for the CLI.
func TraceStep(step string) { traceStep(step) }
