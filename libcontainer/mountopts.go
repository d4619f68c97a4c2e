package libcontainer

import (
	"strings"

	"golang.org/x/sys/unix"
)

// mountOptions is a spec mount's option list split the way mount(2) and
// mount_setattr(2) want it.
type mountOptions struct {
	flags       uintptr   // MS_* to set
	clear       uintptr   // MS_* the options explicitly clear (e.g. "rw", "dev")
	propagation []uintptr // MS_SHARED, MS_SLAVE|MS_REC, ... in order
	recSet      uint64    // MOUNT_ATTR_* to set recursively ("rro", "rnosuid", ...)
	recClr      uint64    // MOUNT_ATTR_* to clear recursively ("rrw", ...)
	data        []string  // filesystem-specific options, passed as data
	tmpcopyup   bool
	idmap       bool // "idmap" / "ridmap": an id-mapped mount
	ridmap      bool // "ridmap": id-map the submounts too
	recursive   bool // "ridmap" / "rbind"
}

type flagOpt struct {
	clear bool
	flag  uintptr
}

func lookupFlag(o string) (flagOpt, bool) {
	switch o {
	case "async":
		return flagOpt{true, unix.MS_SYNCHRONOUS}, true
	case "atime":
		return flagOpt{true, unix.MS_NOATIME}, true
	case "bind":
		return flagOpt{false, unix.MS_BIND}, true
	case "defaults":
		return flagOpt{false, 0}, true
	case "dev":
		return flagOpt{true, unix.MS_NODEV}, true
	case "diratime":
		return flagOpt{true, unix.MS_NODIRATIME}, true
	case "dirsync":
		return flagOpt{false, unix.MS_DIRSYNC}, true
	case "exec":
		return flagOpt{true, unix.MS_NOEXEC}, true
	case "iversion":
		return flagOpt{false, unix.MS_I_VERSION}, true
	case "lazytime":
		return flagOpt{false, unix.MS_LAZYTIME}, true
	case "loud":
		return flagOpt{true, unix.MS_SILENT}, true
	case "mand":
		return flagOpt{false, unix.MS_MANDLOCK}, true
	case "noatime":
		return flagOpt{false, unix.MS_NOATIME}, true
	case "nodev":
		return flagOpt{false, unix.MS_NODEV}, true
	case "nodiratime":
		return flagOpt{false, unix.MS_NODIRATIME}, true
	case "noexec":
		return flagOpt{false, unix.MS_NOEXEC}, true
	case "noiversion":
		return flagOpt{true, unix.MS_I_VERSION}, true
	case "nolazytime":
		return flagOpt{true, unix.MS_LAZYTIME}, true
	case "nomand":
		return flagOpt{true, unix.MS_MANDLOCK}, true
	case "norelatime":
		return flagOpt{true, unix.MS_RELATIME}, true
	case "nostrictatime":
		return flagOpt{true, unix.MS_STRICTATIME}, true
	case "nosuid":
		return flagOpt{false, unix.MS_NOSUID}, true
	case "nosymfollow":
		return flagOpt{false, unix.MS_NOSYMFOLLOW}, true
	case "rbind":
		return flagOpt{false, unix.MS_BIND | unix.MS_REC}, true
	case "relatime":
		return flagOpt{false, unix.MS_RELATIME}, true
	case "remount":
		return flagOpt{false, unix.MS_REMOUNT}, true
	case "ro":
		return flagOpt{false, unix.MS_RDONLY}, true
	case "rw":
		return flagOpt{true, unix.MS_RDONLY}, true
	case "silent":
		return flagOpt{false, unix.MS_SILENT}, true
	case "strictatime":
		return flagOpt{false, unix.MS_STRICTATIME}, true
	case "suid":
		return flagOpt{true, unix.MS_NOSUID}, true
	case "sync":
		return flagOpt{false, unix.MS_SYNCHRONOUS}, true
	case "symfollow":
		return flagOpt{true, unix.MS_NOSYMFOLLOW}, true
	}
	return flagOpt{}, false
}

// PropagationFlag maps a propagation option ("rslave", ...) to its MS_* flags.
func PropagationFlag(o string) (uintptr, bool) {
	switch o {
	case "private":
		return unix.MS_PRIVATE, true
	case "rprivate":
		return unix.MS_PRIVATE | unix.MS_REC, true
	case "shared":
		return unix.MS_SHARED, true
	case "rshared":
		return unix.MS_SHARED | unix.MS_REC, true
	case "slave":
		return unix.MS_SLAVE, true
	case "rslave":
		return unix.MS_SLAVE | unix.MS_REC, true
	case "unbindable":
		return unix.MS_UNBINDABLE, true
	case "runbindable":
		return unix.MS_UNBINDABLE | unix.MS_REC, true
	}
	return 0, false
}

// recAttr maps the recursive "r*" options to MOUNT_ATTR_* (clear=true: unset).
func recAttr(o string) (attr uint64, clear, ok bool) {
	switch o {
	case "rro":
		return unix.MOUNT_ATTR_RDONLY, false, true
	case "rrw":
		return unix.MOUNT_ATTR_RDONLY, true, true
	case "rnosuid":
		return unix.MOUNT_ATTR_NOSUID, false, true
	case "rsuid":
		return unix.MOUNT_ATTR_NOSUID, true, true
	case "rnodev":
		return unix.MOUNT_ATTR_NODEV, false, true
	case "rdev":
		return unix.MOUNT_ATTR_NODEV, true, true
	case "rnoexec":
		return unix.MOUNT_ATTR_NOEXEC, false, true
	case "rexec":
		return unix.MOUNT_ATTR_NOEXEC, true, true
	case "rnodiratime":
		return unix.MOUNT_ATTR_NODIRATIME, false, true
	case "rdiratime":
		return unix.MOUNT_ATTR_NODIRATIME, true, true
	case "rrelatime":
		return unix.MOUNT_ATTR_RELATIME, false, true
	case "rnorelatime":
		return unix.MOUNT_ATTR_RELATIME, true, true
	case "rnoatime":
		return unix.MOUNT_ATTR_NOATIME, false, true
	case "ratime":
		return unix.MOUNT_ATTR_NOATIME, true, true
	case "rstrictatime":
		return unix.MOUNT_ATTR_STRICTATIME, false, true
	case "rnostrictatime":
		return unix.MOUNT_ATTR_STRICTATIME, true, true
	case "rnosymfollow":
		return unix.MOUNT_ATTR_NOSYMFOLLOW, false, true
	case "rsymfollow":
		return unix.MOUNT_ATTR_NOSYMFOLLOW, true, true
	}
	return 0, false, false
}

// parseMountOptions splits options into flags, propagation, recursive
// attributes, berth extensions and the data string, as runc does.
func parseMountOptions(options []string) mountOptions {
	var m mountOptions
	for _, o := range options {
		if f, ok := lookupFlag(o); ok {
			if f.clear {
				m.flags &^= f.flag
				m.clear |= f.flag
			} else {
				m.flags |= f.flag
				m.clear &^= f.flag
			}
			continue
		}
		if p, ok := PropagationFlag(o); ok {
			m.propagation = append(m.propagation, p)
			continue
		}
		if a, clr, ok := recAttr(o); ok {
			if clr && a&unix.MOUNT_ATTR__ATIME != 0 {
				// ratime, rnostrictatime: back to the default atime mode,
				// relatime (mount_setattr(2) takes no partial clear of the
				// atime mode).
				m.recClr |= unix.MOUNT_ATTR__ATIME
				m.recSet &^= unix.MOUNT_ATTR__ATIME
			} else if clr {
				m.recClr |= a
				m.recSet &^= a
			} else {
				m.recSet |= a
				m.recClr &^= a
				// mount_setattr(2): an atime mode in attr_set needs
				// MOUNT_ATTR__ATIME in attr_clr.
				if a&unix.MOUNT_ATTR__ATIME == a {
					m.recClr |= unix.MOUNT_ATTR__ATIME
				}
			}
			continue
		}
		switch o {
		case "tmpcopyup":
			m.tmpcopyup = true
		case "idmap":
			m.idmap = true
		case "ridmap":
			m.idmap, m.ridmap, m.recursive = true, true, true
		default:
			m.data = append(m.data, o)
		}
	}
	if m.flags&unix.MS_REC != 0 {
		m.recursive = true
	}
	return m
}

func (m *mountOptions) dataString() string { return strings.Join(m.data, ",") }

// IsBind reports whether a spec mount is a bind mount (type "bind" or a
// bind/rbind option).
func IsBind(typ string, options []string) bool {
	if typ == "bind" {
		return true
	}
	for _, o := range options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}
