package printer

import (
	"errors"
	"path/filepath"
	"testing"

	"go.bug.st/serial/enumerator"
)

// pos ports' list: serial ports, USB printer-class devices found in sysfs
// and Windows printers, each with the port to give the profile.
func TestListPorts(t *testing.T) {
	sys := newFakeSysfs(t)
	sys.plug("lp0", "1-2", "04b8", "0e28", "X4ZK012345")
	enum := func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{{Name: "/dev/ttyUSB0", IsUSB: true, VID: "067B", PID: "2303", Product: "USB-Serial Controller"}}, nil
	}
	got, err := ListPorts(ListOptions{Enumerate: enum, Sysfs: sys.fs, winspool: newFakeSpooler("EPSON TM-T82III Receipt")})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind   LinkKind
		openAs string
	}{{LinkSerial, "usb:067B:2303"}, {LinkUSBLP, "usblp:04B8:0E28:X4ZK012345"}, {LinkWindows, "windows:EPSON TM-T82III Receipt"}}
	if len(got) != len(want) {
		t.Fatalf("%d ports: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].OpenAs != w.openAs || got[i].Names[0] != w.openAs {
			t.Errorf("port %d: %+v, want %s %s", i, got[i], w.kind, w.openAs)
		}
	}
	if u := got[1]; u.Path != filepath.Join(sys.usb, "lp0") || u.Names[1] != u.Path || u.Maker != "EPSON" || u.USB != "04B8:0E28" {
		t.Errorf("USB printer %+v", u)
	}
	// One kind failing to list leaves the others listed.
	broken := func() ([]*enumerator.PortDetails, error) { return nil, errors.New("no permission") }
	got, err = ListPorts(ListOptions{Enumerate: broken, Sysfs: sys.fs, winspool: newFakeSpooler()})
	if err == nil || len(got) != 1 || got[0].Kind != LinkUSBLP {
		t.Fatalf("with the serial list failing: %+v, %v", got, err)
	}
}
