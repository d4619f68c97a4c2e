package cpulist

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want []int
		bad  bool
	}{
		{"", 10, nil, false},
		{" \n", 10, nil, false},
		{"0", 10, []int{0}, false},
		{"0-3,8,10", 10, []int{0, 1, 2, 3, 8, 10}, false},
		{" 1 , 3-4 \n", 10, []int{1, 3, 4}, false},
		{"11", 10, nil, true},
		{"3-1", 10, nil, true},
		{"-1", 10, nil, true},
		{"1,,2", 10, nil, true},
		{"a", 10, nil, true},
		{"1-", 10, nil, true},
		{"1-2-3", 10, nil, true},
	} {
		got, err := Parse(c.in, c.max)
		if (err != nil) != c.bad || !slices.Equal(got, c.want) {
			t.Errorf("Parse(%q, %d) = %v, %v; want %v (error: %v)", c.in, c.max, got, err, c.want, c.bad)
		}
	}
}
