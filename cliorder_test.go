package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestReorderArgs(t *testing.T) {
	app := newApp()
	for _, tc := range []struct{ in, want string }{
		// flags after the ID move in front of it
		{"berth delete ID --force", "berth delete --force ID"},
		{"berth kill ID KILL --all", "berth kill --all ID KILL"},
		{"berth --root /r update ID --pids-limit 42", "berth --root /r update --pids-limit 42 ID"},
		{"berth update ID --pids-limit=42 -r f", "berth update --pids-limit=42 -r f ID"},
		{"berth run ID -d --bundle b", "berth run -d --bundle b ID"},
		// help, whatever else is there (v2 would look for a help topic)
		{"berth state ID --help", "berth state --help"},
		{"berth kill -h ID", "berth kill --help"},
		{"berth kill ID -- -h", "berth kill ID -- -h"},
		// flags first, nothing after the ID: unchanged
		{"berth --log l --log-format json create --bundle b ID", "berth --log l --log-format json create --bundle b ID"},
		{"berth delete --force ID", "berth delete --force ID"},
		// what follows the ID is the process's (exec) or ps's
		{"berth exec ID sh -c --force", "berth exec ID sh -c --force"},
		{"berth ps ID -ef", "berth ps ID -ef"},
		// after "--" nothing is a flag
		{"berth kill ID -- --all", "berth kill ID -- --all"},
		{"berth kill ID --all -- -9", "berth kill --all -- ID -9"},
		// unknown flags stay where they are, for the parser to report
		{"berth delete ID --nope", "berth delete ID --nope"},
		{"berth --nope delete ID --force", "berth --nope delete ID --force"},
		{"berth nope ID --force", "berth nope ID --force"},
		{"berth", "berth"},
	} {
		got := reorderArgs(app, strings.Fields(tc.in))
		if want := strings.Fields(tc.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, want)
		}
	}
}
