package serialport

import (
	"cmp"
	"os"
	"path/filepath"
	"sort"
)

// Port is one serial port as the system lists it.
type Port struct {
	Path string `json:"path"` // /dev/ttyUSB0, COM3
	// ByID is its /dev/serial/by-id link (Linux, USB devices): a name made
	// of the maker, model and serial number, which survives a replug.
	ByID    string `json:"by_id,omitempty"`
	USB     bool   `json:"usb"`
	VID     string `json:"vid,omitempty"`
	PID     string `json:"pid,omitempty"`
	Serial  string `json:"serial,omitempty"`
	Product string `json:"product,omitempty"`
}

// USBSpec is the port's usb:VID:PID[:SERIAL] identity, or "" when it is
// not a USB device.
func (p Port) USBSpec() string {
	if !p.USB {
		return ""
	}
	return Spec{VID: p.VID, PID: p.PID, Serial: p.Serial}.String()
}

// Names are the names a profile can give the port, the steadiest first:
// the by-id link, the USB identity, the path.
func (p Port) Names() []string {
	var out []string
	for _, n := range []string{p.ByID, p.USBSpec(), p.Path} {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// List lists the serial ports with, on Linux, their /dev/serial/by-id
// links (under dev, "" for /dev). enum nil is the system's.
func List(enum Enumerator, dev string) ([]Port, error) {
	if enum == nil {
		enum = SystemPorts
	}
	details, err := enum()
	if err != nil {
		return nil, err
	}
	byID := byIDLinks(filepath.Join(cmp.Or(dev, "/dev"), "serial", "by-id"))
	var out []Port
	for _, d := range details {
		if d == nil {
			continue
		}
		out = append(out, Port{Path: d.Name, ByID: byID[resolve(d.Name)], USB: d.IsUSB,
			VID: d.VID, PID: d.PID, Serial: d.SerialNumber, Product: d.Product})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// byIDLinks maps each device a by-id link points at to the link (the
// first by name when several do). None when the directory is missing.
func byIDLinks(dir string) map[string]string {
	m := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return m
	}
	for _, e := range entries { // ReadDir sorts by name
		link := filepath.Join(dir, e.Name())
		target, err := filepath.EvalSymlinks(link)
		if err != nil {
			continue
		}
		if _, dup := m[target]; !dup {
			m[target] = link
		}
	}
	return m
}

func resolve(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p
	}
	return path
}
