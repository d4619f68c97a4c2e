package libcontainer

import (
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// envTrace turns on step timing (for profiling the start path, see
// docs/performance.md): BERTH_TRACE=1 makes the runtime and its init print
// one line per step to stderr with the milliseconds since process start and
// the CPU time the process has used so far (all its threads).
const envTrace = "BERTH_TRACE"

var (
	traceOn    = os.Getenv(envTrace) == "1"
	traceStart = time.Now()
)

// traceStep records that a step of the start path is done: a debug log
// line under --debug, and a timed line on stderr under BERTH_TRACE.
func traceStep(step string) {
	if logrus.IsLevelEnabled(logrus.DebugLevel) {
		logrus.Debug(step)
	}
	if traceOn {
		var ru unix.Rusage
		_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		fmt.Fprintf(os.Stderr, "berth-trace %d %7.3fms cpu %7.3fms %s\n", os.Getpid(),
			float64(time.Since(traceStart).Microseconds())/1000, float64(cpu.Microseconds())/1000, step)
	}
}

// TraceStep is traceStep for the CLI.
func TraceStep(step string) { traceStep(step) }
