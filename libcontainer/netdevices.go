package libcontainer

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// moveNetDevices gives the container the host network devices named in
// linux.netDevices (runtime-spec 1.3): each one moves from our network
// namespace into the init's, under its new name if it has one, keeps its
// permanent addresses of global scope (the kernel drops every address on a
// move) and is brought up there. Nothing moves them back: when the
// container's namespace goes, the kernel returns a physical device to the
// host's initial namespace and destroys a virtual one (a veth with its peer).
func moveNetDevices(spec *specs.Spec, pid int) error {
	if spec.Linux == nil || len(spec.Linux.NetDevices) == 0 {
		return nil
	}
	target, err := netns.GetFromPath("/proc/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return fmt.Errorf("linux.netDevices: open the container's network namespace: %w", err)
	}
	defer target.Close()
	// rtnetlink only: without a family the library opens one socket per
	// family it knows, and a kernel without xfrm refuses the lot.
	host, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("linux.netDevices: %w", err)
	}
	defer host.Close()
	inside, err := netlink.NewHandleAt(target, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("linux.netDevices: netlink in the container's network namespace: %w", err)
	}
	defer inside.Close()

	names := make([]string, 0, len(spec.Linux.NetDevices))
	for name := range spec.Linux.NetDevices {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		newName := spec.Linux.NetDevices[name].Name
		if newName == "" {
			newName = name
		}
		if err := moveNetDevice(host, inside, target, name, newName); err != nil {
			return fmt.Errorf("linux.netDevices[%q]: %w", name, err)
		}
	}
	return nil
}

// moveNetDevice moves one device (see moveNetDevices).
func moveNetDevice(host, inside *netlink.Handle, target netns.NsHandle, name, newName string) error {
	link, err := host.LinkByName(name)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return fmt.Errorf("no network device %q in berth's network namespace: %w", name, err)
	}
	addrs, err := host.AddrList(link, netlink.FAMILY_ALL)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return fmt.Errorf("list its addresses: %w", err)
	}
	// Down first, so that nothing on the host uses it while it goes.
	if err := host.LinkSetDown(link); err != nil {
		return fmt.Errorf("set it down: %w", err)
	}
	if err := host.LinkSetNsFd(link, int(target)); err != nil {
		return fmt.Errorf("move it into the container's network namespace: %w", err)
	}
	// Found again by index: the name may already be taken there (by lo).
	moved, err := inside.LinkByIndex(link.Attrs().Index)
	if err != nil {
		return fmt.Errorf("find it in the container's network namespace: %w", err)
	}
	if newName != moved.Attrs().Name {
		if err := inside.LinkSetName(moved, newName); err != nil {
			return fmt.Errorf("rename it to %q: %w", newName, err)
		}
	}
	for _, a := range addrs {
		// Addresses the kernel or a daemon gave it (link-local, DHCP with a
		// lifetime) belong to the host's network, not to the device.
		if a.Flags&unix.IFA_F_PERMANENT == 0 || a.Scope != unix.RT_SCOPE_UNIVERSE {
			continue
		}
		if err := inside.AddrAdd(moved, &netlink.Addr{IPNet: a.IPNet}); err != nil {
			return fmt.Errorf("add its address %s: %w", a.IPNet, err)
		}
	}
	if err := inside.LinkSetUp(moved); err != nil {
		return fmt.Errorf("set it up: %w", err)
	}
	return nil
}
