package printer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"qrpos/devices/serialport"
)

// Sysfs says where Linux shows its devices: the sysfs tree and the device
// nodes. Tests point it at a fake tree.
type Sysfs struct {
	Sys string // default /sys
	Dev string // default /dev
}

func (s Sysfs) sys() string { return cmp.Or(s.Sys, "/sys") }
func (s Sysfs) dev() string { return cmp.Or(s.Dev, "/dev") }

// USBPrinter is one USB printer-class device of the kernel's usblp driver.
type USBPrinter struct {
	Path string // its device node, /dev/usb/lpN
	USBID
	Maker   string
	Product string
}

// Spec is the port that finds this printer again after a replug:
// usblp:VID:PID:SERIAL (or usblp:VID:PID when it has no serial number).
func (u USBPrinter) Spec() string { return "usblp:" + u.USBID.String() }

// ErrNoUSBPrinter means no USB printer-class device matches an identity
// right now (unplugged, switched off, or not a printer-class device).
var ErrNoUSBPrinter = errors.New("no such USB printer")

// USBPrinters lists the USB printer-class devices: each lpN of sysfs'
// usbmisc class (usb on old kernels), its USB identity read from the USB
// device its interface belongs to. None where there is no sysfs.
func (s Sysfs) USBPrinters() ([]USBPrinter, error) {
	var out []USBPrinter
	seen := map[string]bool{}
	for _, class := range []string{"class/usbmisc", "class/usb"} {
		dir := filepath.Join(s.sys(), class)
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list USB printers: %w", err)
		}
		for _, e := range entries {
			if !lpName.MatchString(e.Name()) || seen[e.Name()] {
				continue
			}
			if u, ok := s.usbPrinter(filepath.Join(dir, e.Name()), e.Name()); ok {
				seen[e.Name()] = true
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b USBPrinter) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// usbPrinter reads one lpN: its device link leads to the USB interface,
// whose parent directory is the USB device with idVendor, idProduct and
// serial.
func (s Sysfs) usbPrinter(classDir, name string) (USBPrinter, bool) {
	iface, err := filepath.EvalSymlinks(filepath.Join(classDir, "device"))
	if err != nil {
		return USBPrinter{}, false
	}
	usbdev := filepath.Dir(iface)
	read := func(f string) string {
		b, err := os.ReadFile(filepath.Join(usbdev, f))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	vid, pid := read("idVendor"), read("idProduct")
	if !serialport.IsHexID(vid) || !serialport.IsHexID(pid) {
		return USBPrinter{}, false
	}
	return USBPrinter{
		Path:  filepath.Join(s.dev(), "usb", name),
		USBID: USBID{VID: strings.ToUpper(vid), PID: strings.ToUpper(pid), Serial: read("serial")},
		Maker: read("manufacturer"), Product: read("product"),
	}, true
}

// Find returns the device node of the first USB printer (by path) with
// identity id, as sysfs shows them now.
func (s Sysfs) Find(id USBID) (string, error) {
	all, err := s.USBPrinters()
	if err != nil {
		return "", err
	}
	for _, u := range all {
		if strings.EqualFold(u.VID, id.VID) && strings.EqualFold(u.PID, id.PID) && (id.Serial == "" || u.Serial == id.Serial) {
			return u.Path, nil
		}
	}
	return "", fmt.Errorf("usblp:%s: %w", id, ErrNoUSBPrinter)
}

// usblpLink is a USB printer-class device: its node opened for writing.
// The usblp driver passes bytes one way only for most printers, so there
// is no status; a write that fails (unplugged: ENODEV) or stalls beyond
// PauseTimeout fails the job, and the next one looks the printer up again.
type usblpLink struct {
	t   Target
	cfg *Config
}

func (l *usblpLink) target() Target { return l.t }

func (l *usblpLink) open(context.Context) (*endpoint, error) {
	path := l.t.Path
	if path == "" {
		var err error
		if path, err = l.cfg.Sysfs.Find(l.t.USB); err != nil {
			return nil, fmt.Errorf("printer: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("printer: open %s: %w", path, err)
	}
	l.cfg.Logger.Info("printer device open", "path", path, "status", false)
	return &endpoint{rw: fileDeadline(f, l.cfg.PauseTimeout), path: path}, nil
}
