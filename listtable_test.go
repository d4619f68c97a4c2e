package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// TestListTableLikeTabwriter: the table list lays out itself is, byte for
// byte, the one text/tabwriter makes of the same cells (runc's).
func TestListTableLikeTabwriter(t *testing.T) {
	created := time.Date(2026, 11, 29, 9, 30, 46, 620955412, time.UTC)
	st := func(id string, pid int, status, bundle, owner string) containerState {
		return containerState{ID: id, InitProcessPid: pid, Status: status, Bundle: bundle, Created: created, Owner: owner}
	}
	cases := map[string][]containerState{
		"none":      nil,
		"one":       {st("c1", 42, "created", "/b", "root")},
		"narrow":    {st("a", 0, "stopped", "", "")},
		"wide":      {st(strings.Repeat("x", 64), 4194304, "running", "/very/long/bundle/path/that/is/wide", "#123456")},
		"utf-8":     {st("c", 1, "paused", "/bündel/コンテナ", "jürgen"), st("d", 2, "created", "/b", "root")},
		"not utf-8": {st("c", 1, "running", "/b\xc3(\xe2\x82", "root")},
		"tab":       {st("c", 1, "running", "/b\tx", "root")},
		"newline":   {st("c", 1, "running", "/b\ny", "ro\vot")},
		"escape":    {st("c", 1, "running", "/b\xffz\xff", "root")},
	}
	r := rand.New(rand.NewPCG(1, 2))
	var many []containerState
	for i := range 300 {
		many = append(many, st(strings.Repeat("c", 1+r.IntN(20)), r.IntN(1<<22), "created",
			"/"+strings.Repeat("d", r.IntN(30)), strings.Repeat("u", r.IntN(15))))
		many[i].Created = created.Add(time.Duration(r.Int64N(1e15)))
	}
	cases["random"] = many
	for name, states := range cases {
		var got, want bytes.Buffer
		if err := writeListTable(bufio.NewWriter(&got), states); err != nil {
			t.Fatal(err)
		}
		// runc's table, as list.go wrote it before it laid it out itself.
		w := tabwriter.NewWriter(&want, 12, 1, 3, ' ', 0)
		fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
		for _, s := range states {
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.InitProcessPid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: got\n%q\nwant (tabwriter)\n%q", name, got.String(), want.String())
		}
	}
}
