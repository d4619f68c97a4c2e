// Package cpulist parses the kernel's list format for CPUs and memory
// nodes ("0-3,8,10-11"), as cpuset files print it and as
// process.execCPUAffinity takes it.
package cpulist

import (
	"errors"
	"strconv"
	"strings"
)

// Parse returns the numbers of list in order, ranges expanded. Blanks
// around the list and its parts are allowed, an empty list is none; a
// number above max, a range whose end is below its start, or anything
// else is an error (which the caller words with its own context).
func Parse(list string, max int) ([]int, error) {
	var out []int
	list = strings.TrimSpace(list)
	if list == "" {
		return nil, nil
	}
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b > max {
			return nil, errors.New("invalid cpu list")
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out, nil
}
