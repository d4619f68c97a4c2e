package libcontainer

// The parent/child handshake of a container's birth, in one place.
//
// Processes: the parent P is the berth command (create, run); P0 is the
// re-executed `berth init` whose C stage (nsenter/) joins and creates the
// namespaces; P1 is the container's init, a child of P (CLONE_PARENT). P1
// runs C only (nsenter/create.c, or process.c for exec): Go never starts
// inside the container.
//
// Without a stage (Bootstrap.SelfInit, see mayCloneInit): P creates the
// cgroup first, then clones P1 itself into the new namespaces (on cgroup2,
// into its cgroup). P1 then runs P0's part of steps 1 and 2 for itself: it
// reads the bootstrap, moves itself into the v1 cgroups, waits for 'c',
// makes the cgroup namespace and reports 'P' (pid 0: P knows it) or 'E'.
// From step 3 on nothing differs.
//
// All messages travel over one socketpair (the "init pipe"); P0 and P1 share
// the child end, P keeps the other.
//
//  1. P starts P0 and sends the bootstrap (nsenter.Bootstrap: binary,
//     length-prefixed). While P0 works, P creates the container's cgroup and
//     applies the resources. On a v1 or hybrid host it moves P0 into the
//     cgroups and says so ('c'); on a v2 host it sends the cgroup's dir fd
//     instead ('C', see cgroupready_linux.go).
//  2. P0 joins/creates namespaces. With a new user namespace it asks P to
//     write the id maps ('U'/'u'). It waits for 'c' or 'C' before it clones
//     P1, so P1 starts in the cgroup (after 'C', P0 clones it into the
//     cgroup), and before the cgroup namespace is made, whose root must be
//     the container's cgroup (P0 makes it, or P1 after 'C'). It reports P1's
//     pid ('P'), or an error ('E'), and exits. P reaps P0. P1 holds the
//     pipe too, so P watches a pidfd of P0 while it waits for the report
//     (stageProcess.reports): a P0 that dies without one fails the create.
//  3. P saves a first state file (status "creating"), then sends P1 the
//     rootfs plan (nsenter.RootfsPlan, binary, length-prefixed). From here
//     on every message from P1 is a JSON syncMsg, one per line; P1 writes
//     nothing before it has read the plan, so its messages never mix with
//     P0's.
//  4. P1 builds the rootfs. If the spec has prestart or createRuntime hooks
//     it sends "hooks" and waits; P runs them and answers "resume". P1 runs
//     createContainer hooks itself, pivots and sends "plan"; P looks the
//     user up through P1's root and sends the process plan
//     (nsenter.ProcessPlan). P1 applies it (it may send "seccomp" and wait
//     for "seccompDone") and sends "ready". Any failure is sent as "error"
//     and P1 exits.
//  5. On "ready" P saves the final state and the pid file and closes its end;
//     P1 closes its end and blocks opening the exec fifo until `start`
//     (for run, which makes no fifo: reading a socket pair until run's
//     start writes a byte to it).
//
// `berth exec` (exec.go) runs steps 1 and 2 only, with BT_EXEC_PLAN: once
// P has P1's pid it sends a process plan, which P1 applies and execs
// (nsenter/process.c). P1 writes at most a "seccomp" message (and reads
// "seccompDone") and an "error" line, in the JSON below; its exec closes
// the pipe, and that EOF is success.
//
// Who closes what: P closes the child end right after starting P0; P1 closes
// the pipe after "ready"; P closes its end when create returns.

const (
	msgHooks  = "hooks"  // P1 -> P: run prestart and createRuntime hooks now
	msgResume = "resume" // P -> P1: hooks done
	msgPlan   = "plan"   // P1 -> P: the rootfs is entered, send the process plan
	msgReady  = "ready"  // P1 -> P: waiting on the exec fifo (run: socket) next
	msgError  = "error"  // P1 -> P: setup failed, Error says why
	// P1 -> P: the seccomp filter is installed and Fd (a number in P1) is
	// its notify listener; P copies it (pidfd_getfd), hands it to the agent
	// and answers msgSeccompDone. Sent by exec's init too.
	msgSeccomp     = "seccomp"
	msgSeccompDone = "seccompDone"
	// P1 -> P, test builds only (fault_on.go): die now.
	msgFault = "fault"
)

type syncMsg struct {
	Type  string `json:"type"`
	Error string `json:"error,omitempty"`
	Fd    int    `json:"fd,omitempty"`
}

// Environment variables of `berth init`: fd numbers for P1 are sent in its
// rootfs plan, the names tell spawnStage which file is which.
const (
	envFifoFD    = "_BERTH_FIFOFD"    // O_PATH fd of the exec fifo
	envConsoleFD = "_BERTH_CONSOLEFD" // connected console socket, if any
	envExeFD     = "_BERTH_EXEFD"     // the sealed binary we were executed from (closed by the C stage)
	envPidfdFD   = "_BERTH_PIDFD"     // exec: pidfd of the container's init (read by the C stage via the bootstrap)
)
