// Package serialport names and opens the serial ports of the counter's
// devices: a port is a path (/dev/ttyACM0, COM3) or a USB identity
// (usb:VID:PID[:SERIAL]) looked up again at every (re)connection, with its
// line settings. It is shared by devices/scanner and devices/printer and
// knows nothing of either, nor of payments.
package serialport

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

// SystemPorts is the real Enumerator.
func SystemPorts() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() }

// Spec names a port either by path (/dev/ttyACM0, COM3) or by USB
// identity ("usb:VID:PID" or "usb:VID:PID:SERIAL", VID and PID in hex),
// which survives the device coming back under another path.
type Spec struct {
	Path   string
	VID    string
	PID    string
	Serial string
}

// ErrNoDevice means no port matches a USB identity right now.
var ErrNoDevice = errors.New("no such USB serial device")

// Parse reads a port name or a usb: identity.
func Parse(s string) (Spec, error) {
	if s == "" {
		return Spec{}, errors.New("serial port: no port given")
	}
	rest, ok := strings.CutPrefix(s, "usb:")
	if !ok {
		return Spec{Path: s}, nil
	}
	vid, pid, serial, ok := ParseUSBID(rest)
	if !ok {
		return Spec{}, fmt.Errorf("serial port: bad USB port %q (want usb:VID:PID[:SERIAL], VID and PID as 4 hex digits)", s)
	}
	return Spec{VID: vid, PID: pid, Serial: serial}, nil
}

// ParseUSBID reads a USB identity, VID:PID[:SERIAL], as the usb: and
// usblp: port names carry it: VID and PID are 4 hex digits (returned in
// upper case), the serial number is the rest.
func ParseUSBID(s string) (vid, pid, serial string, ok bool) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || !IsHexID(parts[0]) || !IsHexID(parts[1]) {
		return "", "", "", false
	}
	if len(parts) == 3 {
		serial = parts[2]
	}
	return strings.ToUpper(parts[0]), strings.ToUpper(parts[1]), serial, true
}

// IsHexID reports whether s is a USB vendor or product id: 4 hex digits.
func IsHexID(s string) bool {
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

// String gives the spec back in the form Parse reads.
func (p Spec) String() string {
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
func (p Spec) Resolve(enum Enumerator) (string, error) {
	if p.Path != "" {
		return p.Path, nil
	}
	if enum == nil {
		enum = SystemPorts
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

// Line is the serial line setting of a port: baud rate, data bits, parity
// and stop bits.
type Line struct {
	Baud     int    // default 9600
	DataBits int    // 5..8, default 8
	Parity   string // none (default), odd, even, mark, space
	StopBits string // "1" (default), "1.5", "2"
}

// Mode checks the line settings and turns them into the library's mode,
// defaults filled in (9600 8N1).
func (l Line) Mode() (*serial.Mode, error) {
	m := &serial.Mode{BaudRate: l.Baud, DataBits: l.DataBits}
	if m.BaudRate == 0 {
		m.BaudRate = 9600
	}
	if m.BaudRate < 0 {
		return nil, fmt.Errorf("serial port: bad baud rate %d", l.Baud)
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	if m.DataBits < 5 || m.DataBits > 8 {
		return nil, fmt.Errorf("serial port: bad data bits %d (want 5 to 8)", l.DataBits)
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
		return nil, fmt.Errorf("serial port: bad parity %q (want none, odd, even, mark or space)", l.Parity)
	}
	switch l.StopBits {
	case "", "1":
		m.StopBits = serial.OneStopBit
	case "1.5":
		m.StopBits = serial.OnePointFiveStopBits
	case "2":
		m.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("serial port: bad stop bits %q (want 1, 1.5 or 2)", l.StopBits)
	}
	return m, nil
}

// BitsPerChar is how many bits one byte takes on the wire: start bit, data
// bits, parity bit, stop bits.
func BitsPerChar(m *serial.Mode) float64 {
	b := 1 + float64(m.DataBits)
	if m.Parity != serial.NoParity {
		b++
	}
	switch m.StopBits {
	case serial.OnePointFiveStopBits:
		b += 1.5
	case serial.TwoStopBits:
		b += 2
	default:
		b++
	}
	return b
}
