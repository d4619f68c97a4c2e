package cgroups

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	sd "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// systemdTimeout bounds each D-Bus job (start or stop of the scope).
const systemdTimeout = 30 * time.Second

// systemdManager is the systemd driver: the container's cgroup is a
// transient scope unit (Delegate=yes) that systemd creates with the pid in
// it; everything else (other v1 hierarchies, files systemd has no property
// for, freezing, stats) is done by the fs driver on the scope's cgroup.
type systemdManager struct {
	cfg   Config
	slice string
	unit  string
	fs    Manager
	v2    bool
}

// systemdRunning tells whether systemd is the init system (sd_booted(3)).
func systemdRunning() error {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return errors.New("systemd not running on this host, cannot use systemd cgroups manager") // runc's words
	}
	return nil
}

func newSystemd(cfg Config) (Manager, error) {
	if err := systemdRunning(); err != nil {
		return nil, err
	}
	slice, unit, err := systemdUnit(cfg)
	if err != nil {
		return nil, err
	}
	base, err := expandSlice(slice)
	if err != nil {
		return nil, err
	}
	fsCfg := cfg
	fsCfg.Systemd = false
	fsCfg.Path = strings.TrimSuffix(base, "/") + "/" + unit
	fs, err := New(fsCfg)
	if err != nil {
		return nil, err
	}
	_, v2 := fs.(*v2Manager)
	return &systemdManager{cfg: cfg, slice: slice, unit: unit, fs: fs, v2: v2}, nil
}

// loadSystemd rebuilds the driver from saved paths; it needs no D-Bus until
// an operation talks to systemd.
func loadSystemd(cfg Config, paths map[string]string) (Manager, error) {
	slice, unit, err := systemdUnit(cfg)
	if err != nil {
		return nil, err
	}
	fsCfg := cfg
	fsCfg.Systemd = false
	fs := loadFS(fsCfg, paths)
	_, v2 := fs.(*v2Manager)
	return &systemdManager{cfg: cfg, slice: slice, unit: unit, fs: fs, v2: v2}, nil
}

func (m *systemdManager) connect(ctx context.Context) (*sd.Conn, error) {
	var c *sd.Conn
	var err error
	if m.cfg.Rootless {
		c, err = sd.NewUserConnectionContext(ctx)
	} else {
		c, err = sd.NewWithContext(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("systemd cgroup driver: connect to D-Bus: %w", err)
	}
	return c, nil
}

// job runs one systemd job and waits for its result ("done").
func (m *systemdManager) job(what string, start func(ctx context.Context, c *sd.Conn, ch chan<- string) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	c, err := m.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	ch := make(chan string, 1)
	if err := start(ctx, c, ch); err != nil {
		return fmt.Errorf("systemd cgroup driver: %s %s: %w", what, m.unit, err)
	}
	select {
	case res := <-ch:
		if res != "done" {
			return fmt.Errorf("systemd cgroup driver: %s %s: job %s", what, m.unit, res)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("systemd cgroup driver: %s %s: no answer in %v", what, m.unit, systemdTimeout)
	}
}

// Apply starts the scope with pid in it, then lets the fs driver create the
// cgroup in hierarchies systemd does not manage and join pid there.
func (m *systemdManager) Apply(pid int) error {
	props := []sd.Property{
		sd.PropDescription("berth container " + m.cfg.ID),
		sd.PropSlice(m.slice),
		prop("Delegate", true),
		prop("DefaultDependencies", false),
		prop("MemoryAccounting", true),
		prop("CPUAccounting", true),
		prop("TasksAccounting", true),
	}
	if m.v2 {
		props = append(props, prop("IOAccounting", true))
	} else {
		props = append(props, prop("BlockIOAccounting", true))
	}
	if pid > 0 {
		props = append(props, sd.PropPids(uint32(pid)))
	}
	props = append(props, unitProperties(m.cfg.Resources, m.v2)...)
	err := m.job("start", func(ctx context.Context, c *sd.Conn, ch chan<- string) error {
		_, err := c.StartTransientUnitContext(ctx, m.unit, "replace", props, ch)
		return err
	})
	if err != nil {
		return err
	}
	return m.fs.Apply(pid)
}

// Set updates the unit's properties, then writes every field through the
// fs driver.
func (m *systemdManager) Set(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	if props := unitProperties(r, m.v2); len(props) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
		defer cancel()
		c, err := m.connect(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.SetUnitPropertiesContext(ctx, m.unit, true, props...); err != nil {
			return fmt.Errorf("systemd cgroup driver: set properties of %s: %w", m.unit, err)
		}
	}
	return m.fs.Set(r)
}

// Destroy stops the scope (killing what is left) when systemd is up, then
// removes whatever cgroup dirs remain.
func (m *systemdManager) Destroy() error {
	if systemdRunning() == nil {
		err := m.job("stop", func(ctx context.Context, c *sd.Conn, ch chan<- string) error {
			_, err := c.StopUnitContext(ctx, m.unit, "replace", ch)
			return err
		})
		var de dbus.Error
		if err != nil && !(errors.As(err, &de) && de.Name == "org.freedesktop.systemd1.NoSuchUnit") {
			return err
		}
	}
	return m.fs.Destroy()
}

func (m *systemdManager) Paths() map[string]string     { return m.fs.Paths() }
func (m *systemdManager) Path(s string) string         { return m.fs.Path(s) }
func (m *systemdManager) GetPids() ([]int, error)      { return m.fs.GetPids() }
func (m *systemdManager) Freeze() error                { return m.fs.Freeze() }
func (m *systemdManager) Thaw() error                  { return m.fs.Thaw() }
func (m *systemdManager) State() (FreezerState, error) { return m.fs.State() }
func (m *systemdManager) Exists() bool                 { return m.fs.Exists() }
func (m *systemdManager) GetStats() (*Stats, error)    { return m.fs.GetStats() }
