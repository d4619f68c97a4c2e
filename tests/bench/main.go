// Command bench measures berth against runc and crun in one run, interleaved,
// and prints medians and ratios (make bench; see docs/performance.md).
//
// It expects to run as root inside a private mount namespace in which crun's
// requirements are met (tests/bench/run.sh sets that up), with a busybox
// bundle whose config runs /bin/true.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// runtime is one runtime under test, with its own state root.
type runtime struct {
	Name string
	Bin  string
	Root string
}

func (r runtime) cmd(args ...string) *exec.Cmd {
	return exec.Command(r.Bin, append([]string{"--root", r.Root}, args...)...)
}

// sample is one measured command.
type sample struct {
	Wall, CPU time.Duration
	MaxRSSKiB int64
}

// measure runs c and returns its wall time, the CPU time of it and its
// waited-for descendants, and its peak RSS.
func measure(c *exec.Cmd) (sample, error) {
	// A file, not a pipe: a created container keeps the runtime's stdio.
	f, err := os.CreateTemp("", "bench-out")
	if err != nil {
		return sample{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	c.Stdout, c.Stderr = f, f
	start := time.Now()
	err = c.Run()
	wall := time.Since(start)
	if err != nil {
		out, _ := os.ReadFile(f.Name())
		return sample{}, fmt.Errorf("%s: %v: %s", strings.Join(c.Args, " "), err, out)
	}
	ru := c.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// Go starts a command with vfork: until its exec the child shares our
	// memory, and the exec records our peak RSS as the child's. A peak no
	// higher than ours is then ours, not the runtime's: unknown (0).
	rss := ru.Maxrss
	var self syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || rss <= self.Maxrss {
		rss = 0
	}
	return sample{Wall: wall, CPU: cpu, MaxRSSKiB: rss}, nil
}

// stats summarises samples of one case and runtime.
type stats struct {
	Runs                    int
	WallMedianMs, WallMinMs float64
	WallMaxMs, CPUMedianMs  float64
	CPUMinMs, CPUMaxMs      float64
	MaxRSSMedianKiB         int64   // 0: not known (see measure)
	PerSecond               float64 `json:",omitempty"`
}

func summarize(ss []sample) stats {
	walls := make([]float64, len(ss))
	cpus := make([]float64, len(ss))
	var rss []int64 // the known ones
	for i, s := range ss {
		walls[i] = float64(s.Wall.Microseconds()) / 1000
		cpus[i] = float64(s.CPU.Microseconds()) / 1000
		if s.MaxRSSKiB > 0 {
			rss = append(rss, s.MaxRSSKiB)
		}
	}
	sort.Float64s(walls)
	sort.Float64s(cpus)
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	st := stats{
		Runs: len(ss), WallMedianMs: median(walls), WallMinMs: walls[0], WallMaxMs: walls[len(walls)-1],
		CPUMedianMs: median(cpus), CPUMinMs: cpus[0], CPUMaxMs: cpus[len(cpus)-1],
	}
	// A median only if most samples know it (see measure).
	if len(rss) > len(ss)/2 {
		st.MaxRSSMedianKiB = rss[len(rss)/2]
	}
	return st
}

func median(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

type bench struct {
	runtimes []runtime
	bundle   string
	reps     int
	results  map[string]map[string]stats // case -> runtime -> stats
	order    []string
}

func (b *bench) record(name string, per map[string][]sample) {
	if b.results[name] == nil {
		b.results[name] = map[string]stats{}
		b.order = append(b.order, name)
	}
	for rt, ss := range per {
		if len(ss) > 0 {
			b.results[name][rt] = summarize(ss)
		}
	}
}

// each runs f for every runtime, reps times, interleaved (the runtimes take
// turns, so a slow phase of the machine hits all of them alike).
func (b *bench) each(f func(r runtime, i int) (sample, error)) (map[string][]sample, error) {
	per := map[string][]sample{}
	for i := 0; i < b.reps; i++ {
		for _, r := range b.turn(i) {
			s, err := f(r, i)
			if err != nil {
				return nil, err
			}
			per[r.Name] = append(per[r.Name], s)
		}
	}
	return per, nil
}

// evictAndWarm drops bin's pages from the page cache, then runs it once, so
// that every runtime's binary is read back the same way: a binary the Go
// linker just wrote sits in the cache in large folios, which a process
// maps whole, and berth's peak RSS measured ~1 MB (~14%) higher right
// after a build than after its pages were read back.
func evictAndWarm(bin string) error {
	path, err := exec.LookPath(bin)
	if err != nil {
		return err
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	err = unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED)
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("evict %s from the page cache: %w", path, err)
	}
	if out, err := exec.Command(path, "--version").CombinedOutput(); err != nil {
		return fmt.Errorf("%s --version: %v: %s", path, err, out)
	}
	return nil
}

// turn is the order of the runtimes in repetition i: each rotation of the
// list, forwards and then backwards (for three runtimes, every order).
// A fixed order is not fair: what a runtime leaves behind (its processes
// being torn down, the RCU state its cgroup moves leave) speeds up or slows
// down whichever runs next; runc's run made the next run ~8 ms slower here.
func (b *bench) turn(i int) []runtime {
	n := len(b.runtimes)
	out := make([]runtime, n)
	for j := range out {
		out[j] = b.runtimes[(i+j)%n]
	}
	if (i/n)%2 == 1 {
		slices.Reverse(out)
	}
	return out
}

func id(r runtime, what string, i int) string { return fmt.Sprintf("bench-%s-%s-%d", r.Name, what, i) }

func (b *bench) runTrue() error {
	per, err := b.each(func(r runtime, i int) (sample, error) {
		return measure(r.cmd("run", "--bundle", b.bundle, id(r, "run", i)))
	})
	if err != nil {
		return err
	}
	b.record("run /bin/true", per)
	return nil
}

func (b *bench) createStartDelete() error {
	create, start, del := map[string][]sample{}, map[string][]sample{}, map[string][]sample{}
	for i := 0; i < b.reps; i++ {
		for _, r := range b.turn(i) {
			cid := id(r, "csd", i)
			s, err := measure(r.cmd("create", "--bundle", b.bundle, cid))
			if err != nil {
				return err
			}
			create[r.Name] = append(create[r.Name], s)
			if s, err = measure(r.cmd("start", cid)); err != nil {
				return err
			}
			start[r.Name] = append(start[r.Name], s)
			waitStopped(r, cid)
			if s, err = measure(r.cmd("delete", cid)); err != nil {
				return err
			}
			del[r.Name] = append(del[r.Name], s)
		}
	}
	b.record("create", create)
	b.record("start", start)
	b.record("delete", del)
	return nil
}

func waitStopped(r runtime, cid string) {
	for i := 0; i < 500; i++ {
		out, err := r.cmd("state", cid).Output()
		if err != nil || strings.Contains(string(out), `"stopped"`) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (b *bench) execTrue(sleepBundle string) error {
	for _, r := range b.runtimes {
		if _, err := measure(r.cmd("run", "-d", "--bundle", sleepBundle, id(r, "exec", 0))); err != nil {
			return err
		}
	}
	defer func() {
		for _, r := range b.runtimes {
			_ = r.cmd("delete", "-f", id(r, "exec", 0)).Run()
		}
	}()
	per, err := b.each(func(r runtime, i int) (sample, error) {
		return measure(r.cmd("exec", id(r, "exec", 0), "/bin/true"))
	})
	if err != nil {
		return err
	}
	b.record("exec /bin/true", per)
	return nil
}

// concurrent runs n containers at once and reports containers per second,
// and the CPU time per container (the runtime's and the container's, from
// rusage): at parity the rate swings with the machine, CPU time less so.
func (b *bench) concurrent(n, rounds int) error {
	rates := map[string][]float64{}
	cpus := map[string][]float64{}
	for round := 0; round < rounds; round++ {
		for _, r := range b.turn(round) {
			var wg sync.WaitGroup
			errs := make(chan error, n)
			cpu := make([]time.Duration, n)
			start := time.Now()
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					cid := id(r, fmt.Sprintf("conc%d", round), i)
					c := r.cmd("run", "--bundle", b.bundle, cid)
					if out, err := c.CombinedOutput(); err != nil {
						errs <- fmt.Errorf("%s: %v: %s", cid, err, out)
						return
					}
					ru := c.ProcessState.SysUsage().(*syscall.Rusage)
					cpu[i] = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				}(i)
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				return err
			}
			rates[r.Name] = append(rates[r.Name], float64(n)/time.Since(start).Seconds())
			var sum time.Duration
			for _, c := range cpu {
				sum += c
			}
			cpus[r.Name] = append(cpus[r.Name], float64(sum.Microseconds())/1000/float64(n))
		}
	}
	res := map[string]stats{}
	for name, rs := range rates {
		sort.Float64s(rs)
		cs := cpus[name]
		sort.Float64s(cs)
		res[name] = stats{Runs: rounds, PerSecond: median(rs), CPUMedianMs: median(cs), CPUMinMs: cs[0], CPUMaxMs: cs[len(cs)-1]}
	}
	name := fmt.Sprintf("%d concurrent runs (containers/s)", n)
	b.results[name] = res
	b.order = append(b.order, name)
	return nil
}

// many creates n containers per runtime, then times state and list.
func (b *bench) many(n int, sleepBundle string) error {
	for _, r := range b.runtimes {
		if err := parallel(n, 4, func(i int) error {
			_, err := measure(r.cmd("create", "--bundle", sleepBundle, id(r, "many", i)))
			return err
		}); err != nil {
			return err
		}
	}
	defer func() {
		for _, r := range b.runtimes {
			_ = parallel(n, 8, func(i int) error { return r.cmd("delete", "-f", id(r, "many", i)).Run() })
		}
	}()
	per, err := b.each(func(r runtime, i int) (sample, error) { return measure(r.cmd("state", id(r, "many", i%n))) })
	if err != nil {
		return err
	}
	b.record(fmt.Sprintf("state (%d containers)", n), per)
	per, err = b.each(func(r runtime, i int) (sample, error) { return measure(r.cmd("list")) })
	if err != nil {
		return err
	}
	b.record(fmt.Sprintf("list (%d containers)", n), per)
	return nil
}

func parallel(n, width int, f func(int) error) error {
	sem := make(chan struct{}, width)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return first
}

func (b *bench) print() {
	fmt.Printf("\n%-34s %-9s %10s %10s %10s %10s %9s\n", "case", "", "wall med", "min", "max", "cpu med", "rss KiB")
	for _, name := range b.order {
		res := b.results[name]
		for _, r := range b.runtimes {
			s, ok := res[r.Name]
			if !ok {
				continue
			}
			if s.PerSecond > 0 {
				fmt.Printf("%-34s %-9s %10.1f/s %35.2fms\n", name, r.Name, s.PerSecond, s.CPUMedianMs)
				continue
			}
			rss := "-" // not known: at most the bench's own (see measure)
			if s.MaxRSSMedianKiB > 0 {
				rss = strconv.FormatInt(s.MaxRSSMedianKiB, 10)
			}
			fmt.Printf("%-34s %-9s %8.2fms %8.2fms %8.2fms %8.2fms %9s\n", name, r.Name, s.WallMedianMs, s.WallMinMs, s.WallMaxMs, s.CPUMedianMs, rss)
		}
	}
	// berth against every other runtime, one column each
	others := b.runtimes[1:]
	row := func(label string, cell func(other string) string) {
		fmt.Printf("%-34s", label)
		for _, o := range others {
			fmt.Printf(" %12s", cell(o.Name))
		}
		fmt.Println()
	}
	fmt.Println()
	row("ratios (median wall; rate: inverse)", func(o string) string { return "berth/" + o })
	for _, name := range b.order {
		res := b.results[name]
		me, ok := res["berth"]
		row(name, func(other string) string {
			o, ok2 := res[other]
			if !ok || !ok2 {
				return "-"
			}
			if me.PerSecond > 0 {
				return fmt.Sprintf("%.2f", o.PerSecond/me.PerSecond)
			}
			return fmt.Sprintf("%.2f", me.WallMedianMs/o.WallMedianMs)
		})
		if ok && me.PerSecond > 0 {
			row("  the same, CPU time per container", func(other string) string {
				if o, ok := res[other]; ok && o.CPUMedianMs > 0 {
					return fmt.Sprintf("%.2f", me.CPUMedianMs/o.CPUMedianMs)
				}
				return "-"
			})
		}
	}
}

func main() {
	berth := flag.String("berth", "./berth", "berth binary")
	bundle := flag.String("bundle", "", "busybox bundle whose process runs /bin/true")
	sleepBundle := flag.String("sleep-bundle", "", "the same bundle running sleep")
	reps := flag.Int("reps", 20, "repetitions per case and runtime")
	many := flag.Int("many", 1000, "containers for the state/list case (0 to skip)")
	evict := flag.Bool("evict", true, "drop each runtime's binary from the page cache first (see evictAndWarm)")
	out := flag.String("json", "bench-results/bench.json", "where to write the results as JSON")
	var also []runtime
	flag.Func("also", "`name=binary`: one more runtime to measure, such as an older berth (repeatable)", func(v string) error {
		name, bin, ok := strings.Cut(v, "=")
		if !ok || name == "" || bin == "" || slices.Contains([]string{"berth", "crun", "runc"}, name) {
			return fmt.Errorf("want name=binary with a name other than berth, crun and runc, got %q", v)
		}
		abs, err := filepath.Abs(bin)
		if err != nil {
			return err
		}
		also = append(also, runtime{name, abs, "/run/bench-" + name})
		return nil
	})
	flag.Parse()
	abs, _ := filepath.Abs(*berth)
	rts := []runtime{{"berth", abs, "/run/bench-berth"}, {"crun", "crun", "/run/bench-crun"}, {"runc", "runc", "/run/bench-runc"}}
	rts = append(rts, also...)
	b := &bench{runtimes: rts, bundle: *bundle, reps: *reps, results: map[string]map[string]stats{}}
	steps := []func() error{
		b.runTrue,
		b.createStartDelete,
		func() error { return b.execTrue(*sleepBundle) },
		func() error { return b.concurrent(20, max(9, *reps/2)) },
	}
	if *many > 0 {
		steps = append(steps, func() error { return b.many(*many, *sleepBundle) })
	}
	for _, r := range rts {
		if *evict {
			if err := evictAndWarm(r.Bin); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				os.Exit(1)
			}
		}
	}
	// The state roots are ours: remove them (empty by then) however we end.
	removeRoots := func() {
		for _, r := range rts {
			_ = os.Remove(r.Root)
		}
	}
	for _, step := range steps {
		if err := step(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			removeRoots()
			os.Exit(1)
		}
	}
	removeRoots()
	b.print()
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err == nil {
		data, _ := json.MarshalIndent(map[string]any{"date": time.Now().UTC(), "reps": *reps, "results": b.results}, "", "  ")
		_ = os.WriteFile(*out, data, 0o644)
	}
}
