package printer

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"qrpos/devices/serialport"
)

// LinkKind is how the terminal reaches a printer.
type LinkKind string

// The kinds of printer connection.
const (
	// LinkSerial is a serial line (USB-CDC or RS-232): a path, a COM port
	// or usb:VID:PID[:SERIAL]. Status (DLE EOT) comes back on the line.
	LinkSerial LinkKind = "serial"
	// LinkUSBLP is a USB printer-class device on Linux (the usblp driver):
	// /dev/usb/lpN, or usblp:VID:PID[:SERIAL] found through sysfs at
	// every (re)connection. Written to only: no status.
	LinkUSBLP LinkKind = "usblp"
	// LinkTCP is a network printer's raw port (tcp://HOST[:PORT], 9100
	// by default). Status comes back on the same socket unless the port
	// says ?status=off.
	LinkTCP LinkKind = "tcp"
	// LinkWindows is an installed Windows printer (windows:Printer Name):
	// raw bytes through the spooler, one document per job. No status.
	LinkWindows LinkKind = "windows"
)

// DefaultTCPPort is the raw printing port of network printers (JetDirect).
const DefaultTCPPort = 9100

// Target is a parsed printer port: which kind of link, and where.
type Target struct {
	Kind LinkKind
	// Serial is the port of a LinkSerial.
	Serial PortSpec
	// Path is a LinkUSBLP device file; empty when USB names the device.
	Path string
	// USB is a LinkUSBLP's identity (usblp:VID:PID[:SERIAL]).
	USB USBID
	// Addr is a LinkTCP's host:port.
	Addr string
	// NoStatus says a LinkTCP printer does not answer DLE EOT (?status=off).
	NoStatus bool
	// Queue is a LinkWindows printer's name as Windows lists it.
	Queue string
}

// USBID is a USB device's identity: vendor and product (4 hex digits,
// upper case) and, optionally, its serial number.
type USBID struct {
	VID, PID, Serial string
}

// lpName is the kernel's name of a printer-class device node.
var lpName = regexp.MustCompile(`^lp[0-9]+$`)

// ParseTarget reads a printer port: tcp://HOST[:PORT][?status=off],
// windows:NAME, usblp:VID:PID[:SERIAL], a printer-class device file
// (/dev/usb/lpN, or any path whose last element is lpN), or a serial port
// (a path, COMn or usb:VID:PID[:SERIAL]).
func ParseTarget(s string) (Target, error) {
	switch {
	case s == "":
		return Target{}, errors.New("printer: no port given")
	case strings.HasPrefix(s, "tcp://"):
		return parseTCP(s)
	case strings.HasPrefix(s, "windows:"):
		q := strings.TrimPrefix(s, "windows:")
		if strings.TrimSpace(q) == "" || strings.ContainsAny(q, "\x00") {
			return Target{}, fmt.Errorf("printer: bad Windows printer %q (want windows:Printer Name)", s)
		}
		return Target{Kind: LinkWindows, Queue: q}, nil
	case strings.HasPrefix(s, "usblp:"):
		id, err := parseUSBID(strings.TrimPrefix(s, "usblp:"))
		if err != nil {
			return Target{}, fmt.Errorf("printer: bad USB printer %q (want usblp:VID:PID[:SERIAL], VID and PID as 4 hex digits)", s)
		}
		return Target{Kind: LinkUSBLP, USB: id}, nil
	case isLPPath(s):
		return Target{Kind: LinkUSBLP, Path: s}, nil
	}
	spec, err := ParsePort(s)
	if err != nil {
		return Target{}, fmt.Errorf("printer: %w", err)
	}
	return Target{Kind: LinkSerial, Serial: spec}, nil
}

// isLPPath reports a path that names a printer-class device node.
func isLPPath(s string) bool {
	if strings.ContainsAny(s, "\x00") {
		return false
	}
	return strings.HasPrefix(s, "/dev/usb/lp") || lpName.MatchString(filepath.Base(s)) && strings.ContainsRune(s, '/')
}

func parseTCP(s string) (Target, error) {
	bad := func(why string) (Target, error) {
		return Target{}, fmt.Errorf("printer: bad network printer %q: %s (want tcp://HOST[:PORT], e.g. tcp://192.168.1.50:9100)", s, why)
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("not a URL")
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.Fragment != "" || u.Opaque != "" {
		return bad("only a host and a port")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" || strings.ContainsAny(host, " /\\%[]") || strings.Contains(host, ":") && !strings.HasPrefix(u.Host, "[") {
		return bad("no host (an IPv6 address goes in brackets)")
	}
	n := DefaultTCPPort
	if port != "" {
		if n, err = strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad("port out of range")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return bad("empty port")
	}
	t := Target{Kind: LinkTCP, Addr: net.JoinHostPort(host, strconv.Itoa(n))}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("bad options")
	}
	for k, v := range q {
		if k != "status" || len(v) != 1 || (v[0] != "off" && v[0] != "on") {
			return bad("the only option is status=off")
		}
		t.NoStatus = v[0] == "off"
	}
	return t, nil
}

func parseUSBID(s string) (USBID, error) {
	vid, pid, serial, ok := serialport.ParseUSBID(s)
	if !ok {
		return USBID{}, errors.New("bad USB identity")
	}
	return USBID{VID: vid, PID: pid, Serial: serial}, nil
}

// String gives the identity in the form usblp: takes after its prefix.
func (id USBID) String() string {
	s := id.VID + ":" + id.PID
	if id.Serial != "" {
		s += ":" + id.Serial
	}
	return s
}

// String gives the target back in the form ParseTarget reads.
func (t Target) String() string {
	switch t.Kind {
	case LinkTCP:
		s := "tcp://" + t.Addr
		if t.NoStatus {
			s += "?status=off"
		}
		return s
	case LinkWindows:
		return "windows:" + t.Queue
	case LinkUSBLP:
		if t.Path != "" {
			return t.Path
		}
		return "usblp:" + t.USB.String()
	}
	return t.Serial.String()
}

// StatusReadable reports whether the printer's real-time status can be
// read over this kind of link: serial lines and network printers (unless
// ?status=off) answer DLE EOT; the USB printer class and the Windows
// spooler carry bytes one way only.
func (t Target) StatusReadable() bool {
	switch t.Kind {
	case LinkSerial:
		return true
	case LinkTCP:
		return !t.NoStatus
	}
	return false
}
