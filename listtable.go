package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// List's table has runc's layout: text/tabwriter with a minimum cell width
// of 12 and a padding of 3. writeListTable lays it out itself, a column's
// width from its widest cell as tabwriter does, because tabwriter keeps
// every cell, scans each byte for its control characters and writes each
// cell and each padding on its own: for 1000 containers that was 7% of the
// CPU of `list`, all of it after the parallel loading.
const (
	listMinWidth = 12
	listPadding  = 3
)

var listHeader = [...]string{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}

const spaces = "                                "

func writeListTable(out *bufio.Writer, states []containerState) error {
	rows := make([][len(listHeader)]string, len(states))
	for i, s := range states {
		rows[i] = [...]string{s.ID, strconv.Itoa(s.InitProcessPid), s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner}
		for _, cell := range rows[i] {
			if tabwriterControl(cell) {
				return writeListTabwriter(out, rows)
			}
		}
	}
	var widths [len(listHeader) - 1]int // the last column is not padded
	for c := range widths {
		widths[c] = max(listMinWidth, utf8.RuneCountInString(listHeader[c])+listPadding)
		for i := range rows {
			widths[c] = max(widths[c], utf8.RuneCountInString(rows[i][c])+listPadding)
		}
	}
	line := func(cells *[len(listHeader)]string) {
		for c, w := range widths {
			out.WriteString(cells[c])
			for n := w - utf8.RuneCountInString(cells[c]); n > 0; n -= len(spaces) {
				out.WriteString(spaces[:min(n, len(spaces))])
			}
		}
		out.WriteString(cells[len(widths)])
		out.WriteByte('\n')
	}
	header := listHeader
	line(&header)
	for i := range rows {
		line(&rows[i])
	}
	return out.Flush()
}

// tabwriterControl says whether s holds a byte tabwriter gives a meaning
// (cell and line ends, its escape): tabwriter lays out such a table itself,
// as runc's does.
func tabwriterControl(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\v', '\n', '\f', tabwriter.Escape:
			return true
		}
	}
	return false
}

// writeListTabwriter is the table through text/tabwriter itself.
func writeListTabwriter(out *bufio.Writer, rows [][len(listHeader)]string) error {
	w := tabwriter.NewWriter(out, listMinWidth, 1, listPadding, ' ', 0)
	header := listHeader
	for _, r := range append([][len(listHeader)]string{header}, rows...) {
		fmt.Fprintln(w, strings.Join(r[:], "\t"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Flush()
}
