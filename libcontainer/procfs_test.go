package libcontainer

import (
	"os"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	line := "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615\n"
	st, err := parseProcStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != 'S' || st.StartTime != 987654 || st.Flags != 4194560 {
		t.Fatalf("got state %c start %d, want S 987654", st.State, st.StartTime)
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S 1 2", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 notanumber"} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parseProcStat(%q) succeeded", bad)
		}
	}
}

func TestProcessAlive(t *testing.T) {
	st, err := readProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !processAlive(os.Getpid(), st.StartTime) {
		t.Error("our own process is not alive")
	}
	if processAlive(os.Getpid(), st.StartTime+1) {
		t.Error("a different start time must read as a recycled pid")
	}
	if processAlive(0, 0) || processAlive(-1, 0) {
		t.Error("pid <= 0 must not be alive")
	}
}

func TestParseProcStatComm(t *testing.T) {
	st, err := parseProcStat([]byte("7 (berth:[init]) S 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 55 1000 100 0\n"))
	if err != nil || st.Comm != initComm || st.StartTime != 55 {
		t.Fatalf("got %+v, %v", st, err)
	}
}
