package printer

import (
	"errors"

	"qrpos/devices/serialport"
)

// PortInfo is one place a printer can be found, as pos ports lists it.
type PortInfo struct {
	Kind LinkKind `json:"kind"`
	// OpenAs is the port to give the profile: the steadiest of Names.
	OpenAs string `json:"open_as"`
	// Names are every port that reaches it, the steadiest first (a
	// /dev/serial/by-id link, a usb: or usblp: identity, the path).
	Names   []string `json:"names"`
	Path    string   `json:"path,omitempty"`
	ByID    string   `json:"by_id,omitempty"`
	USB     string   `json:"usb,omitempty"` // VID:PID
	Serial  string   `json:"serial,omitempty"`
	Maker   string   `json:"maker,omitempty"`
	Product string   `json:"product,omitempty"`
}

// ListOptions say where ListPorts looks; the zero value is the system.
type ListOptions struct {
	Enumerate Enumerator // serial ports; nil: the system's
	Sysfs     Sysfs      // USB printers and /dev/serial/by-id

	winspool winspool // Windows printers; nil: the system's
}

// ListPorts lists where printers can be: the serial ports (with their
// by-id links on Linux), the USB printer-class devices (Linux) and the
// installed Windows printers. Network printers cannot be listed: they
// are given as tcp://HOST:9100. What one kind failed to list is in the
// error, beside what the others found.
func ListPorts(o ListOptions) ([]PortInfo, error) {
	var out []PortInfo
	var errs []error
	serial, err := serialport.List(o.Enumerate, o.Sysfs.Dev)
	errs = append(errs, err)
	for _, p := range serial {
		names := p.Names()
		info := PortInfo{Kind: LinkSerial, OpenAs: names[0], Names: names, Path: p.Path, ByID: p.ByID, Serial: p.Serial, Product: p.Product}
		if p.USB {
			info.USB = p.VID + ":" + p.PID
		}
		out = append(out, info)
	}
	usb, err := o.Sysfs.USBPrinters()
	errs = append(errs, err)
	for _, u := range usb {
		names := []string{u.Spec(), u.Path}
		out = append(out, PortInfo{Kind: LinkUSBLP, OpenAs: names[0], Names: names, Path: u.Path,
			USB: u.VID + ":" + u.PID, Serial: u.Serial, Maker: u.Maker, Product: u.Product})
	}
	sp := o.winspool
	if sp == nil {
		sp = systemSpooler()
	}
	queues, err := windowsPrinters(sp)
	errs = append(errs, err)
	for _, q := range queues {
		out = append(out, PortInfo{Kind: LinkWindows, OpenAs: q, Names: []string{q}, Product: q[len("windows:"):]})
	}
	return out, errors.Join(errs...)
}
