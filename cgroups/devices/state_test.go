package devices

import (
	"strings"
	"testing"
)

func rule(s string, allow bool) Rule {
	st, err := ParseList(s)
	if err != nil || len(st.exceptions) != 1 {
		panic("bad test rule " + s)
	}
	r := st.Exceptions()[0]
	r.Allow = allow
	return r
}

func denyAll() Rule { return Rule{Type: All, Major: Wildcard, Minor: Wildcard, Access: RWM} }
func allowAll() Rule {
	return Rule{Type: All, Major: Wildcard, Minor: Wildcard, Access: RWM, Allow: true}
}

func lines(rs []Rule) string {
	var out []string
	for _, r := range rs {
		verb := "deny "
		if r.Allow {
			verb = "allow "
		}
		out = append(out, verb+r.String())
	}
	return strings.Join(out, "|")
}

func TestEmulateDefaultSpec(t *testing.T) {
	s, err := Emulate(append([]Rule{denyAll()}, DefaultRules(nil)...))
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultAllow() {
		t.Fatal("default spec must be deny-by-default")
	}
	want := "allow b *:* m|allow c *:* m|allow c 1:3 rwm|allow c 1:5 rwm|allow c 1:7 rwm|allow c 1:8 rwm|allow c 1:9 rwm|allow c 5:0 rwm|allow c 5:2 rwm|allow c 10:200 rwm|allow c 136:* rwm"
	if got := lines(s.Exceptions()); got != want {
		t.Errorf("exceptions = %s\nwant %s", got, want)
	}
}

func TestEmulateSemantics(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []Rule
		allow bool
		want  string
	}{
		{"empty list is deny-all", nil, false, ""},
		{"allow all", []Rule{allowAll()}, true, ""},
		{"allow all then deny one", []Rule{allowAll(), rule("c 1:3 w", false)}, true, "deny c 1:3 w"},
		{"permissions merge", []Rule{rule("c 1:3 r", true), rule("c 1:3 w", true)}, false, "allow c 1:3 rw"},
		{"partial removal", []Rule{rule("c 1:3 rwm", true), rule("c 1:3 r", false)}, false, "allow c 1:3 wm"},
		{"full removal", []Rule{rule("c 1:3 rw", true), rule("c 1:3 rwm", false)}, false, ""},
		{"removing an absent exception is a no-op", []Rule{rule("c 1:5 r", false)}, false, ""},
		{"an 'a' rule resets whatever its numbers", []Rule{rule("c 1:3 r", true), {Type: All, Major: 4, Minor: 4, Access: Read}}, false, ""},
		{"later deny-all wipes earlier allows", []Rule{rule("c 1:3 r", true), denyAll(), rule("c 1:5 r", true)}, false, "allow c 1:5 r"},
	} {
		s, err := Emulate(tc.rules)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if s.DefaultAllow() != tc.allow || lines(s.Exceptions()) != tc.want {
			t.Errorf("%s: default allow %v, exceptions %q; want %v, %q", tc.name, s.DefaultAllow(), lines(s.Exceptions()), tc.allow, tc.want)
		}
	}
}

func TestEmulateRefusesHolesInWildcards(t *testing.T) {
	for _, rs := range [][]Rule{
		{rule("c *:* rwm", true), rule("c 1:3 r", false)},
		{rule("c 1:* rw", true), rule("c 1:3 w", false)},
		{rule("c *:3 m", true), rule("c 1:3 rm", false)},
		{allowAll(), rule("c *:* w", false), rule("c 1:3 w", true)},
	} {
		if _, err := Emulate(rs); err == nil || !strings.Contains(err.Error(), "punch a hole") {
			t.Errorf("Emulate(%s) = %v, want hole-punching error", lines(rs), err)
		}
	}
	// Disjoint access bits are fine: "c *:* m" does not grant read.
	if _, err := Emulate([]Rule{rule("c *:* m", true), rule("c 1:3 r", false)}); err != nil {
		t.Error(err)
	}
}

func TestParseList(t *testing.T) {
	s, err := ParseList("a *:* rwm\n")
	if err != nil || !s.DefaultAllow() || len(s.Exceptions()) != 0 {
		t.Fatalf("allow-all list: %v %+v", err, s)
	}
	s, err = ParseList("c 1:3 rwm\nc *:* m\nb *:* m\nc 136:* rwm\n")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Emulate([]Rule{denyAll(), rule("c 1:3 rwm", true), rule("c *:* m", true), rule("b *:* m", true), rule("c 136:* rwm", true)})
	if !s.Equal(want) {
		t.Errorf("ParseList = %s, want %s", lines(s.Exceptions()), lines(want.Exceptions()))
	}
	if s, err := ParseList(""); err != nil || s.DefaultAllow() {
		t.Errorf("empty list (deny all): %v %v", s, err)
	}
	for _, bad := range []string{"x 1:3 rwm", "c 1-3 rwm", "c 1:3", "c 1:3 rwx", "c a:3 r"} {
		if _, err := ParseList(bad); err == nil {
			t.Errorf("ParseList(%q) succeeded", bad)
		}
	}
}

func TestTransition(t *testing.T) {
	defaultSpec, _ := Emulate(append([]Rule{denyAll()}, DefaultRules(nil)...))
	fresh, _ := ParseList("a *:* rwm")

	// A new cgroup (allow-all) gets the reset and then every exception.
	got := lines(fresh.Transition(defaultSpec))
	if !strings.HasPrefix(got, "deny a|allow b *:* m|allow c *:* m|allow c 1:3 rwm") || strings.Count(got, "|") != 11 {
		t.Errorf("fresh -> default: %s", got)
	}
	// Re-applying the same rules writes nothing.
	if tr := defaultSpec.Transition(defaultSpec); tr != nil {
		t.Errorf("same state: %s", lines(tr))
	}
	// A whitelist update adds and removes only what changed, never resets.
	cur, _ := Emulate([]Rule{rule("c 1:3 rw", true), rule("c 1:5 rwm", true)})
	target, _ := Emulate([]Rule{rule("c 1:3 rwm", true), rule("c 1:9 r", true)})
	if got, want := lines(cur.Transition(target)), "allow c 1:3 m|allow c 1:9 r|deny c 1:5 rwm"; got != want {
		t.Errorf("update: %s\nwant %s", got, want)
	}
	// Whitelist -> allow-all needs the reset (allow a) only.
	allow, _ := Emulate([]Rule{allowAll()})
	if got := lines(cur.Transition(allow)); got != "allow a" {
		t.Errorf("to allow-all: %s", got)
	}
	// From allow-all to allow-all with a deny: deny exceptions of the
	// current state are unknowable, so it resets first.
	target, _ = Emulate([]Rule{allowAll(), rule("b 8:0 w", false)})
	if got := lines(allow.Transition(target)); got != "allow a|deny b 8:0 w" {
		t.Errorf("blacklist: %s", got)
	}
}
