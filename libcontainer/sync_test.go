package libcontainer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The config goes as one line, followed by JSON messages on the same
// stream: strings with newlines stay escaped, and what follows the line
// is still there for init's decoder.
func TestConfigLineThenMessages(t *testing.T) {
	proc := &specs.Process{Args: []string{"sh", "-c", "echo a\nb"}, Env: []string{"X=1\n2"}, Cwd: "/"}
	cfg := &initConfig{ID: "c1", Bundle: "/b\nc", Spec: &specs.Spec{Version: specs.Version, Process: proc}, ExtraFDs: 2}
	var stream bytes.Buffer
	if err := writeConfig(&stream, cfg); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(stream.Bytes(), []byte("\n")); n != 1 {
		t.Fatalf("the config takes %d newlines, want 1: %q", n, stream.String())
	}
	if err := json.NewEncoder(&stream).Encode(syncMsg{Type: msgResume}); err != nil {
		t.Fatal(err)
	}
	in := bufio.NewReader(&stream)
	got, err := readConfig(in)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c1" || got.Bundle != "/b\nc" || got.ExtraFDs != 2 ||
		got.Spec.Process.Args[2] != "echo a\nb" || got.Spec.Process.Env[0] != "X=1\n2" {
		t.Fatalf("config after the trip: %+v, process %+v", got, got.Spec.Process)
	}
	var m syncMsg
	if err := json.NewDecoder(in).Decode(&m); err != nil || m.Type != msgResume {
		t.Fatalf("message after the config: %+v, %v", m, err)
	}
	if _, err := readConfig(bufio.NewReader(bytes.NewReader([]byte(`{"id":"c1"`)))); err == nil {
		t.Fatal("a config cut short was read")
	}
}
