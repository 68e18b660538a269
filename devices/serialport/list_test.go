package serialport

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"go.bug.st/serial/enumerator"
)

// fakeDev is a /dev with two USB serial adapters, one of them with its
// /dev/serial/by-id link as udev makes it, and a built-in port.
func fakeDev(t *testing.T) (string, Enumerator) {
	dev := t.TempDir()
	byID := filepath.Join(dev, "serial", "by-id")
	if err := os.MkdirAll(byID, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ttyUSB0", "ttyACM0", "ttyS0"} {
		if err := os.WriteFile(filepath.Join(dev, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../../ttyUSB0", filepath.Join(byID, "usb-FTDI_FT232R_USB_UART_A12345-if00-port0")); err != nil {
		t.Fatal(err)
	}
	enum := func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{
			{Name: filepath.Join(dev, "ttyUSB0"), IsUSB: true, VID: "0403", PID: "6001", SerialNumber: "A12345", Product: "FT232R USB UART"},
			{Name: filepath.Join(dev, "ttyS0")},
			{Name: filepath.Join(dev, "ttyACM0"), IsUSB: true, VID: "0C2E", PID: "0B61"},
		}, nil
	}
	return dev, enum
}

// Ports come with their by-id link where udev made one, and each names
// itself the steadiest way first.
func TestListPrefersByID(t *testing.T) {
	dev, enum := fakeDev(t)
	got, err := List(enum, dev)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{filepath.Join(dev, "serial/by-id/usb-FTDI_FT232R_USB_UART_A12345-if00-port0"), "usb:0403:6001:A12345", filepath.Join(dev, "ttyUSB0")},
		{"usb:0C2E:0B61", filepath.Join(dev, "ttyACM0")},
		{filepath.Join(dev, "ttyS0")},
	}
	var names [][]string
	for _, p := range got {
		names = append(names, p.Names())
	}
	// List sorts by path: ttyACM0, ttyS0, ttyUSB0.
	if !reflect.DeepEqual(names, [][]string{want[1], want[2], want[0]}) {
		t.Fatalf("names %q", names)
	}
	if got[2].ByID == "" || got[2].Product != "FT232R USB UART" {
		t.Fatalf("ttyUSB0: %+v", got[2])
	}
	// No by-id directory (not Linux, or no USB serial device): paths and
	// identities only.
	got, err = List(enum, t.TempDir())
	if err != nil || got[2].ByID != "" || got[2].Names()[0] != "usb:0403:6001:A12345" {
		t.Fatalf("without by-id: %+v %v", got, err)
	}
}
