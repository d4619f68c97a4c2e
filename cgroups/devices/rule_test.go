package devices

import (
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func i64(v int64) *int64 { return &v }

func TestFromSpec(t *testing.T) {
	got, err := FromSpec([]specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: i64(1), Minor: i64(3), Access: "rw"},
		{Allow: true, Type: "b", Major: i64(8), Access: "mr"},
		{Allow: false, Type: "a", Major: i64(1), Minor: i64(-1), Access: "r"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Type: All, Major: Wildcard, Minor: Wildcard, Access: RWM},
		{Type: Char, Major: 1, Minor: 3, Access: Read | Write, Allow: true},
		{Type: Block, Major: 8, Minor: Wildcard, Access: Read | Mknod, Allow: true},
		{Type: All, Major: 1, Minor: Wildcard, Access: Read},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestFromSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		in   specs.LinuxDeviceCgroup
		want string
	}{
		{specs.LinuxDeviceCgroup{Type: "x", Access: "r"}, `linux.resources.devices[0]: invalid type "x"`},
		{specs.LinuxDeviceCgroup{Type: "c"}, `linux.resources.devices[0]: access cannot be empty`},
		{specs.LinuxDeviceCgroup{Type: "c", Access: "rx"}, `linux.resources.devices[0]: invalid device access "rx"`},
		{specs.LinuxDeviceCgroup{Type: "c", Major: i64(-2), Access: "r"}, `invalid major -2`},
		{specs.LinuxDeviceCgroup{Type: "c", Minor: i64(1 << 33), Access: "r"}, `invalid minor`},
	} {
		_, err := FromSpec([]specs.LinuxDeviceCgroup{tc.in})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromSpec(%+v) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestRuleString(t *testing.T) {
	for _, tc := range []struct {
		r    Rule
		want string
	}{
		{Rule{Type: Char, Major: 1, Minor: 3, Access: RWM}, "c 1:3 rwm"},
		{Rule{Type: Block, Major: Wildcard, Minor: Wildcard, Access: Mknod}, "b *:* m"},
		{Rule{Type: Char, Major: 136, Minor: Wildcard, Access: Write | Read}, "c 136:* rw"},
		{Rule{Type: All, Major: 1, Minor: 2, Access: Read}, "a"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestDefaultRules(t *testing.T) {
	var lines []string
	for _, r := range DefaultRules(nil) {
		if !r.Allow {
			t.Errorf("default rule %q is not an allow rule", r)
		}
		lines = append(lines, r.String())
	}
	want := "c *:* m|b *:* m|c 1:3 rwm|c 1:8 rwm|c 1:7 rwm|c 5:0 rwm|c 1:5 rwm|c 1:9 rwm|c 136:* rwm|c 5:2 rwm|c 10:200 rwm"
	if got := strings.Join(lines, "|"); got != want {
		t.Errorf("DefaultRules = %s\nwant %s", got, want)
	}
	// A spec device at a default path replaces the default rule.
	got := DefaultRules([]specs.LinuxDevice{{Path: "/dev/null", Type: "c", Major: 1, Minor: 3}})
	if len(got) != 10 {
		t.Fatalf("with /dev/null in linux.devices: %d rules, want 10", len(got))
	}
	for _, r := range got {
		if r.Major == 1 && r.Minor == 3 {
			t.Errorf("rule %q not dropped", r)
		}
	}
	if p := DefaultNodePaths(); len(p) != 6 || p[0] != "/dev/null" {
		t.Errorf("DefaultNodePaths = %v", p)
	}
}
