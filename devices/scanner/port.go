package scanner

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.bug.st/serial"
	"go.bug.st/serial/enumerator"
)

// Enumerator lists the serial ports with their USB identities;
// enumerator.GetDetailedPortsList is the real one. Tests inject their own.
type Enumerator func() ([]*enumerator.PortDetails, error)

func systemPorts() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() }

// PortSpec names a port either by path (/dev/ttyACM0, COM3) or by USB
// identity ("usb:VID:PID" or "usb:VID:PID:SERIAL", VID and PID in hex),
// which survives the device coming back under another path.
type PortSpec struct {
	Path   string
	VID    string
	PID    string
	Serial string
}

// ErrNoDevice means no port matches a USB identity right now.
var ErrNoDevice = errors.New("no such USB serial device")

// ParsePort reads a port name or a usb: identity.
func ParsePort(s string) (PortSpec, error) {
	if s == "" {
		return PortSpec{}, errors.New("scanner: no port given")
	}
	rest, ok := strings.CutPrefix(s, "usb:")
	if !ok {
		return PortSpec{Path: s}, nil
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) < 2 || !isHexID(parts[0]) || !isHexID(parts[1]) {
		return PortSpec{}, fmt.Errorf("scanner: bad USB port %q (want usb:VID:PID[:SERIAL], VID and PID as 4 hex digits)", s)
	}
	p := PortSpec{VID: strings.ToUpper(parts[0]), PID: strings.ToUpper(parts[1])}
	if len(parts) == 3 {
		p.Serial = parts[2]
	}
	return p, nil
}

func isHexID(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// String gives the spec back in the form ParsePort reads.
func (p PortSpec) String() string {
	if p.Path != "" {
		return p.Path
	}
	s := "usb:" + p.VID + ":" + p.PID
	if p.Serial != "" {
		s += ":" + p.Serial
	}
	return s
}

// Resolve returns the path to open: the path itself, or the first port (by
// name) whose USB identity matches, as the enumerator sees it now.
func (p PortSpec) Resolve(enum Enumerator) (string, error) {
	if p.Path != "" {
		return p.Path, nil
	}
	if enum == nil {
		enum = systemPorts
	}
	ports, err := enum()
	if err != nil {
		return "", fmt.Errorf("list serial ports: %w", err)
	}
	var names []string
	for _, d := range ports {
		if d == nil || !d.IsUSB || !strings.EqualFold(d.VID, p.VID) || !strings.EqualFold(d.PID, p.PID) {
			continue
		}
		if p.Serial != "" && d.SerialNumber != p.Serial {
			continue
		}
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%s: %w", p, ErrNoDevice)
	}
	sort.Strings(names)
	return names[0], nil
}

// Line is the serial line setting shared by scanners: baud rate, data bits,
// parity and stop bits.
type Line struct {
	Baud     int    // default 9600
	DataBits int    // 5..8, default 8
	Parity   string // none (default), odd, even, mark, space
	StopBits string // "1" (default), "1.5", "2"
}

func (l Line) mode() (*serial.Mode, error) {
	m := &serial.Mode{BaudRate: l.Baud, DataBits: l.DataBits}
	if m.BaudRate == 0 {
		m.BaudRate = 9600
	}
	if m.BaudRate < 0 {
		return nil, fmt.Errorf("scanner: bad baud rate %d", l.Baud)
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	if m.DataBits < 5 || m.DataBits > 8 {
		return nil, fmt.Errorf("scanner: bad data bits %d (want 5 to 8)", l.DataBits)
	}
	switch strings.ToLower(l.Parity) {
	case "", "none", "n":
		m.Parity = serial.NoParity
	case "odd", "o":
		m.Parity = serial.OddParity
	case "even", "e":
		m.Parity = serial.EvenParity
	case "mark", "m":
		m.Parity = serial.MarkParity
	case "space", "s":
		m.Parity = serial.SpaceParity
	default:
		return nil, fmt.Errorf("scanner: bad parity %q (want none, odd, even, mark or space)", l.Parity)
	}
	switch l.StopBits {
	case "", "1":
		m.StopBits = serial.OneStopBit
	case "1.5":
		m.StopBits = serial.OnePointFiveStopBits
	case "2":
		m.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("scanner: bad stop bits %q (want 1, 1.5 or 2)", l.StopBits)
	}
	return m, nil
}
