package cgroups

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestStatsV1(t *testing.T) {
	m, _, _ := newFakeV1(t, ModeV1, Config{})
	fakeFiles(t, m.paths["cpu"], map[string]string{"cpu.stat": "nr_periods 10\nnr_throttled 3\nthrottled_time 12345\n"})
	fakeFiles(t, m.paths["cpuacct"], map[string]string{
		"cpuacct.usage": "5000", "cpuacct.usage_percpu": "2000 3000 \n", "cpuacct.stat": "user 7\nsystem 2\n",
		"cpuacct.usage_all": "cpu user system\n0 1500 500\n1 2500 500\n",
	})
	fakeFiles(t, m.paths["cpuset"], map[string]string{"cpuset.cpus": "0-2,5", "cpuset.mems": "0", "cpuset.cpu_exclusive": "1",
		"cpuset.sched_load_balance": "1", "cpuset.sched_relax_domain_level": "-1"})
	fakeFiles(t, m.paths["memory"], map[string]string{
		"memory.stat": "cache 100\nrss 200\n", "memory.usage_in_bytes": "300", "memory.max_usage_in_bytes": "400",
		"memory.failcnt": "1", "memory.limit_in_bytes": "9223372036854771712",
		"memory.memsw.usage_in_bytes": "310", "memory.memsw.max_usage_in_bytes": "410", "memory.memsw.failcnt": "0", "memory.memsw.limit_in_bytes": "1000",
	})
	fakeFiles(t, m.paths["pids"], map[string]string{"pids.current": "3", "pids.max": "max"})
	fakeFiles(t, m.paths["blkio"], map[string]string{
		"blkio.throttle.io_serviced_recursive":      "8:0 Read 4\n8:0 Write 5\nTotal 9\n",
		"blkio.throttle.io_service_bytes_recursive": "8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n",
	})
	st, err := m.GetStats()
	if err != nil {
		t.Fatal(err)
	}
	if want := (CPUUsage{Total: 5000, Percpu: []uint64{2000, 3000}, PercpuKernel: []uint64{500, 500}, PercpuUser: []uint64{1500, 2500},
		Kernel: 2 * 10000000, User: 7 * 10000000}); !reflect.DeepEqual(st.CPU.Usage, want) {
		t.Errorf("cpu usage %+v\nwant %+v", st.CPU.Usage, want)
	}
	if st.CPU.Throttling != (Throttling{10, 3, 12345}) {
		t.Errorf("throttling %+v", st.CPU.Throttling)
	}
	if !reflect.DeepEqual(st.CPUSet.CPUs, []uint16{0, 1, 2, 5}) || st.CPUSet.CPUExclusive != 1 || st.CPUSet.SchedRelaxDomainLevel != -1 {
		t.Errorf("cpuset %+v", st.CPUSet)
	}
	if st.Memory.Cache != 100 || st.Memory.Usage != (MemoryEntry{Limit: 9223372036854771712, Usage: 300, Max: 400, Failcnt: 1}) ||
		st.Memory.Swap != (MemoryEntry{Limit: 1000, Usage: 310, Max: 410}) || st.Memory.Raw["rss"] != 200 || st.Memory.Kernel != (MemoryEntry{}) {
		t.Errorf("memory %+v", st.Memory)
	}
	if st.Pids != (Pids{Current: 3}) {
		t.Errorf("pids %+v", st.Pids)
	}
	if want := []BlkioEntry{{8, 0, "Read", 4096}, {8, 0, "Write", 8192}}; !reflect.DeepEqual(st.Blkio.IoServiceBytesRecursive, want) {
		t.Errorf("blkio %+v", st.Blkio)
	}
}

func TestStatsV2(t *testing.T) {
	m, _, _, _ := newFakeV2(t, "c1")
	fakeFiles(t, m.dir, map[string]string{
		"cpu.stat":            "usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 5\nnr_throttled 1\nthrottled_usec 7\n",
		"cpu.pressure":        "some avg10=1.50 avg60=0.00 avg300=0.00 total=42\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n",
		"memory.stat":         "anon 10\nfile 20\n",
		"memory.current":      "30",
		"memory.max":          "1000",
		"memory.peak":         "40",
		"memory.swap.current": "5", "memory.swap.max": "max",
		"pids.current": "2", "pids.max": "50",
		"io.stat": "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.usage=1.5\n",
	})
	st, err := m.GetStats()
	if err != nil {
		t.Fatal(err)
	}
	if st.CPU.Usage.Total != 100000 || st.CPU.Usage.User != 60000 || st.CPU.Usage.Kernel != 40000 || st.CPU.Throttling.ThrottledTime != 7000 {
		t.Errorf("cpu %+v", st.CPU)
	}
	if st.CPU.PSI == nil || st.CPU.PSI.Some.Avg10 != 1.5 || st.CPU.PSI.Full.Total != 7 {
		t.Errorf("cpu psi %+v", st.CPU.PSI)
	}
	if st.Memory.Cache != 20 || st.Memory.Usage != (MemoryEntry{Limit: 1000, Usage: 30, Max: 40}) ||
		st.Memory.Swap != (MemoryEntry{Limit: math.MaxUint64, Usage: 35}) {
		t.Errorf("memory %+v", st.Memory)
	}
	if st.Pids != (Pids{Current: 2, Limit: 50}) {
		t.Errorf("pids %+v", st.Pids)
	}
	want := []BlkioEntry{{8, 0, "Read", 1}, {8, 0, "Write", 2}, {8, 0, "Discard", 5}}
	if !reflect.DeepEqual(st.Blkio.IoServiceBytesRecursive, want) || len(st.Blkio.IoServicedRecursive) != 3 {
		t.Errorf("io %+v", st.Blkio)
	}
}

// The JSON must carry runc's key names (types/events.go).
func TestStatsJSON(t *testing.T) {
	st := newStats()
	st.CPU.Usage.Total = 1
	st.Memory.Swap.Usage = 2
	st.Memory.KernelTCP.Usage = 3
	st.Hugetlb["2MB"] = Hugetlb{Usage: 4}
	st.Blkio.IoServiceBytesRecursive = []BlkioEntry{{Major: 8, Op: "Read", Value: 5}}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"cpu":{"usage":{"total":1,"kernel":0,"user":0},"throttling":{}}`, `"cpuset":{`, `"swap":{"limit":0,"usage":2,"failcnt":0}`,
		`"kernelTCP":{"limit":0,"usage":3,"failcnt":0}`, `"hugetlb":{"2MB":{"usage":4,"failcnt":0}}`,
		`"blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":5}]}`, `"pids":{}`, `"intel_rdt":{}`, `"network_interfaces":null`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s:\n%s", key, b)
		}
	}
}
