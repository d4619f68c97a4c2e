package devices

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// key identifies an exception: a (type, major, minor) triple; wildcards are
// ordinary values here, exactly as the kernel's exception list stores them.
type key struct {
	typ          Type
	major, minor int64
}

// State is the effective state of a cgroup v1 devices controller: a default
// verdict plus a list of exceptions to it. Applying a rule list to State
// gives what the kernel would hold after the same writes, with one
// deliberate difference (as in runc): removing access that a wildcard
// exception still grants is an error, because the kernel would silently
// ignore it and leave the device accessible.
type State struct {
	defaultAllow bool
	exceptions   map[key]Access
}

// NewState returns the state of a cgroup after writing "a" to devices.deny:
// deny everything, no exceptions.
func NewState() *State { return &State{exceptions: map[key]Access{}} }

// Emulate applies rules, in order, to a deny-all cgroup.
func Emulate(rules []Rule) (*State, error) {
	s := NewState()
	for _, r := range rules {
		if err := s.Apply(r); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// DefaultAllow reports whether devices not covered by an exception are allowed.
func (s *State) DefaultAllow() bool { return s.defaultAllow }

// Apply updates the state as writing r to devices.allow (r.Allow) or
// devices.deny would. A rule of type All resets the state whatever its
// numbers say, as the kernel only looks at the leading "a".
func (s *State) Apply(r Rule) error {
	if r.Type != All && r.Type != Block && r.Type != Char {
		return fmt.Errorf("device rule %q: invalid type %q", r, string(r.Type))
	}
	if r.Type == All {
		s.defaultAllow = r.Allow
		s.exceptions = map[key]Access{}
		return nil
	}
	if r.Access&^RWM != 0 || r.Access == 0 {
		return fmt.Errorf("device rule %q: invalid access", r)
	}
	k := key{r.Type, r.Major, r.Minor}
	if r.Allow == s.defaultAllow {
		// The rule agrees with the default: it removes an exception.
		return s.remove(k, r)
	}
	s.exceptions[k] |= r.Access
	return nil
}

// remove drops access bits from the exception with exactly key k, as the
// kernel does, refusing when a wildcard exception would keep granting them.
func (s *State) remove(k key, r Rule) error {
	for _, w := range []key{
		{k.typ, Wildcard, k.minor},
		{k.typ, k.major, Wildcard},
		{k.typ, Wildcard, Wildcard},
	} {
		if w == k {
			continue
		}
		if s.exceptions[w]&r.Access != 0 {
			wr := Rule{Type: w.typ, Major: w.major, Minor: w.minor, Access: s.exceptions[w]}
			return fmt.Errorf("device rule %q cannot be applied: it would punch a hole in the wildcard rule %q, which cgroup v1 cannot express", r, wr)
		}
	}
	if left := s.exceptions[k] &^ r.Access; left != 0 {
		s.exceptions[k] = left
	} else {
		delete(s.exceptions, k)
	}
	return nil
}

// Exceptions returns the exceptions as rules (Allow is the opposite of the
// default), sorted by type, major, minor so output is deterministic.
func (s *State) Exceptions() []Rule {
	out := make([]Rule, 0, len(s.exceptions))
	for k, a := range s.exceptions {
		out = append(out, Rule{Type: k.typ, Major: k.major, Minor: k.minor, Access: a, Allow: !s.defaultAllow})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Major != b.Major {
			return a.Major < b.Major
		}
		return a.Minor < b.Minor
	})
	return out
}

// Equal reports whether two states allow exactly the same accesses.
func (s *State) Equal(o *State) bool {
	if s.defaultAllow != o.defaultAllow || len(s.exceptions) != len(o.exceptions) {
		return false
	}
	for k, a := range s.exceptions {
		if o.exceptions[k] != a {
			return false
		}
	}
	return true
}

// ParseList reads a devices.list. An allow-all cgroup lists only
// "a *:* rwm" whatever deny exceptions it holds, so such a list gives an
// allow-all State whose exceptions are unknown (see Transition).
func ParseList(list string) (*State, error) {
	s := NewState()
	for _, line := range strings.Split(list, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("devices.list: malformed line %q", line)
		}
		r := Rule{Type: Type(f[0][0]), Allow: true}
		if len(f[0]) != 1 || (r.Type != All && r.Type != Block && r.Type != Char) {
			return nil, fmt.Errorf("devices.list: malformed line %q", line)
		}
		maj, min, ok := strings.Cut(f[1], ":")
		var err1, err2, err3 error
		if r.Major, err1 = parseNum(maj); ok {
			r.Minor, err2 = parseNum(min)
		}
		r.Access, err3 = ParseAccess(f[2])
		if !ok || err1 != nil || err2 != nil || err3 != nil || r.Access == 0 {
			return nil, fmt.Errorf("devices.list: malformed line %q", line)
		}
		if err := s.Apply(r); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseNum(s string) (int64, error) {
	if s == "*" {
		return Wildcard, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// Transition returns the writes that turn a cgroup in state cur into one in
// state target while disturbing running processes as little as possible:
// no deny-all/allow-all reset unless the default changes or cur is
// allow-all (whose deny exceptions cannot be read back); otherwise only the
// access bits that differ. It returns nil when nothing needs writing.
func (cur *State) Transition(target *State) []Rule {
	var out []Rule
	old := cur.exceptions
	if cur.defaultAllow || cur.defaultAllow != target.defaultAllow {
		out = append(out, Rule{Type: All, Major: Wildcard, Minor: Wildcard, Access: RWM, Allow: target.defaultAllow})
		old = nil
	}
	// Grants first, then revocations: an access kept by both states is
	// never briefly lost.
	for _, r := range target.Exceptions() {
		k := key{r.Type, r.Major, r.Minor}
		if gain := r.Access &^ old[k]; gain != 0 {
			r.Access = gain
			out = append(out, r)
		}
	}
	oldState := &State{defaultAllow: target.defaultAllow, exceptions: old}
	for _, r := range oldState.Exceptions() {
		k := key{r.Type, r.Major, r.Minor}
		if lose := r.Access &^ target.exceptions[k]; lose != 0 {
			r.Access = lose
			r.Allow = target.defaultAllow
			out = append(out, r)
		}
	}
	return out
}
