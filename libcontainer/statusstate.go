package libcontainer

import (
	"path/filepath"
	"time"

	"github.com/mailru/easyjson/jlexer"
)

//go:generate go tool easyjson -output_filename statusstate_easyjson.go statusstate.go
//go:generate sed -i "s#\"github.com/mailru/easyjson\"#\"github.com/berth-runtime/berth/internal/jsoniface\"#" statusstate_easyjson.go
//go:generate gofmt -w statusstate_easyjson.go

// LoadForStatus reads container id as far as Status and `list` need it.
// `list` reads a thousand state files: decoding every cgroup and namespace
// path into maps was a fifth of its CPU time. The State it returns holds
// only the fields of statusState (no CgroupPaths: the Container keeps the
// one its freezer is asked through), so the Container is for reading its
// status and showing it, never for changing it (use Load).
func LoadForStatus(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	var s statusState
	var ok bool
	err := withSmallFile(filepath.Join(dir, stateFile), func(data []byte) error {
		ok = s.UnmarshalJSON(data) == nil
		return nil
	})
	if err != nil || !ok {
		return Load(root, id) // its error, in its words
	}
	st := &State{
		ID: s.ID, Bundle: s.Bundle, Rootfs: s.Rootfs,
		InitPid: s.InitPid, InitStartTime: s.InitStartTime, Created: s.Created,
		Creating: s.Creating, CreatorPid: s.CreatorPid, CreatorStartTime: s.CreatorStartTime,
		Annotations: s.Annotations, CgroupsPath: s.CgroupsPath, Systemd: s.Systemd, Rootless: s.Rootless,
	}
	if err := checkState(dir, st, s.CgroupPaths.count); err != nil {
		return Load(root, id)
	}
	return &Container{ID: id, Dir: dir, State: st, statusCgroups: &s.CgroupPaths}, nil
}

// statusState is the part of State that Status and `list` read. The state
// file's other keys (namespace_paths, hooks, ...) are skipped unread.
//
//easyjson:json
type statusState struct {
	ID               string            `json:"id"`
	Bundle           string            `json:"bundle"`
	Rootfs           string            `json:"rootfs"`
	InitPid          int               `json:"init_pid"`
	InitStartTime    uint64            `json:"init_start_time"`
	Created          time.Time         `json:"created"`
	Creating         bool              `json:"creating,omitempty"`
	CreatorPid       int               `json:"creator_pid,omitempty"`
	CreatorStartTime uint64            `json:"creator_start_time,omitempty"`
	Annotations      map[string]string `json:"annotations,omitempty"`
	CgroupPaths      freezerPaths      `json:"cgroup_paths,omitempty"`
	CgroupsPath      string            `json:"cgroups_path,omitempty"`
	Systemd          bool              `json:"systemd,omitempty"`
	Rootless         bool              `json:"rootless,omitempty"`
}

// freezerPaths is cgroup_paths as the freezer is asked through it
// (cgroups.Load): the v1 "freezer" dir, or the only path there is (a v2
// host's, key ""), and how many paths there were (checkState). Strings,
// not a map: a map per container was a third of what `list` allocated.
type freezerPaths struct {
	freezer       string
	loneKey, lone string
	count         int
}

// UnmarshalEasyJSON reads the paths object, copying out only what it keeps.
func (f *freezerPaths) UnmarshalEasyJSON(in *jlexer.Lexer) {
	if in.IsNull() {
		in.Skip()
		return
	}
	in.Delim('{')
	for !in.IsDelim('}') {
		key := in.UnsafeFieldName(false)
		in.WantColon()
		f.count++
		switch {
		case key == "freezer":
			f.freezer = in.String()
		case f.count == 1:
			f.loneKey, f.lone = string(key), in.String()
		default:
			in.SkipRecursive()
		}
		in.WantComma()
	}
	in.Delim('}')
}

// paths is the map cgroups.Load takes: the same manager, for the freezer,
// as the full map makes (cgroups.V2Dir tells a v2 host by a lone path).
func (f *freezerPaths) paths() map[string]string {
	switch {
	case f.count == 1 && f.freezer == "":
		return map[string]string{f.loneKey: f.lone}
	case f.freezer != "":
		return map[string]string{"freezer": f.freezer}
	}
	return nil
}
