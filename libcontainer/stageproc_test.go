package libcontainer

import (
	"os"
	"testing"
)

func TestStageProcessExitStatus(t *testing.T) {
	p, err := startStage("/bin/sh", []string{"sh", "-c", "exit 3"}, nil, []int{-1, 1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Success() || st.String() != "exit status 3" {
		t.Fatalf("got success=%v %q, want a failure \"exit status 3\"", st.Success(), st)
	}
}

func TestStageProcessKill(t *testing.T) {
	p, err := startStage("/bin/sh", []string{"sh", "-c", "exec sleep 100"}, nil, []int{-1, 1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	st, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Success() || st.String() != "signal: killed" {
		t.Fatalf("got success=%v %q, want \"signal: killed\"", st.Success(), st)
	}
}

// The fds are the child's exactly: a file at 3 stays 3, -1 closes stdin.
func TestStageProcessFiles(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	script := `[ ! -e /proc/self/fd/0 ] && echo ok >&3`
	p, err := startStage("/bin/sh", []string{"sh", "-c", script}, nil, []int{-1, 1, 2, int(w.Fd())}, nil)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st, err := p.Wait(); err != nil || !st.Success() {
		t.Fatalf("child: %v %v", st, err)
	}
	buf := make([]byte, 16)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "ok\n" {
		t.Fatalf("child wrote %q through fd 3, want \"ok\\n\"", buf[:n])
	}
}
