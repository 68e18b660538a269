package printer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The kernel's /dev/usb/lpN cannot exist in a test, so a pty pair (socat)
// stands in for it: the printer opens the link's end as the usblp driver's
// device file, written to only, and a virtual printer reads the other end.
// socat going away is the unplug: the open file fails (EIO) and the path
// disappears; a new pair is the replug. Not tested here, for want of
// hardware: the real driver's ENODEV on unplug, its writes stalling while
// the paper is out (PauseTimeout bounds them), and sysfs on a real kernel.

// fakeSysfs is a sysfs tree with USB printer-class devices in a temporary
// directory, shaped as the kernel's: class/usbmisc/lpN/device leads to the
// USB interface, whose parent is the USB device with its identity.
type fakeSysfs struct {
	t   *testing.T
	fs  Sysfs
	usb string // dev/usb, where the pty links go
}

func newFakeSysfs(t *testing.T) *fakeSysfs {
	root := t.TempDir()
	f := &fakeSysfs{t: t, fs: Sysfs{Sys: filepath.Join(root, "sys"), Dev: filepath.Join(root, "dev")}}
	f.usb = filepath.Join(f.fs.Dev, "usb")
	if err := os.MkdirAll(f.usb, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// plug shows device lp (e.g. "lp0") with the identity in sysfs.
func (f *fakeSysfs) plug(lp, port, vid, pid, serial string) {
	f.t.Helper()
	dev := filepath.Join(f.fs.Sys, "devices/pci0000:00/0000:00:14.0/usb1", port)
	iface := filepath.Join(dev, port+":1.0")
	class := filepath.Join(f.fs.Sys, "class/usbmisc", lp)
	for _, d := range []string{iface, class} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.t.Fatal(err)
		}
	}
	files := map[string]string{"idVendor": vid, "idProduct": pid, "manufacturer": "EPSON", "product": "TM-T82IIIL"}
	if serial != "" {
		files["serial"] = serial
	}
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(dev, name), []byte(v+"\n"), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := os.Symlink(iface, filepath.Join(class, "device")); err != nil {
		f.t.Fatal(err)
	}
}

// unplug removes device lp from sysfs.
func (f *fakeSysfs) unplug(lp string) {
	if err := os.RemoveAll(filepath.Join(f.fs.Sys, "class/usbmisc", lp)); err != nil {
		f.t.Fatal(err)
	}
}

// /dev/usb/lp0 by path: printed with no status (Status says so); the
// device unplugged: the job in hand and the next fail; plugged back under
// the same name: printed.
func TestUSBLPByPathReplug(t *testing.T) {
	sys := newFakeSysfs(t)
	pair := startPair(t, sys.usb, "printer-side", "lp0")
	v := NewVirtual()
	defer v.Close()
	pair.serveA(v)
	p, err := Open(Config{Port: pair.B, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Kind() != LinkUSBLP || p.StatusReadable() {
		t.Fatalf("kind %s, status readable %v", p.Kind(), p.StatusReadable())
	}
	r := SampleReceipt(Big5)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	golden(t, "sale-big5-48.txt", waitPrinted(t, v, 1)[0].Text())
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrNoStatus) {
		t.Fatalf("status over usblp: %v", err)
	}
	pair.Stop()
	for i := range 2 {
		if err := p.Print(context.Background(), r); err == nil {
			t.Fatalf("try %d: printed to an unplugged printer", i+1)
		}
	}
	pair2 := startPair(t, sys.usb, "printer-side", "lp0")
	v2 := NewVirtual()
	defer v2.Close()
	pair2.serveA(v2)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatalf("after replug: %v", err)
	}
	if got := waitPrinted(t, v2, 1); len(got) != 1 {
		t.Fatalf("%d printouts after replug", len(got))
	}
}

// usblp:VID:PID:SERIAL: found through sysfs, and found again when the
// printer comes back as another lpN; a printer with another serial number
// is not taken for it.
func TestUSBLPByIdentityReplug(t *testing.T) {
	sys := newFakeSysfs(t)
	other := startPair(t, sys.usb, "other-side", "lp0")
	sys.plug("lp0", "1-1", "04b8", "0e28", "OTHER0001")
	vo := NewVirtual()
	defer vo.Close()
	other.serveA(vo)
	pair := startPair(t, sys.usb, "printer-side", "lp1")
	sys.plug("lp1", "1-2", "04b8", "0e28", "X4ZK012345")
	v := NewVirtual()
	defer v.Close()
	pair.serveA(v)

	p, err := Open(Config{Port: "usblp:04B8:0E28:X4ZK012345", Sysfs: sys.fs, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := SampleReceipt(Big5)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	waitPrinted(t, v, 1)
	pair.Stop()
	sys.unplug("lp1")
	if err := p.Print(context.Background(), r); err == nil {
		t.Fatal("printed to an unplugged printer")
	}
	if err := p.Print(context.Background(), r); !errors.Is(err, ErrNoUSBPrinter) {
		t.Fatalf("unplugged: %v, want ErrNoUSBPrinter", err)
	}
	back := startPair(t, sys.usb, "printer-side-2", "lp2")
	sys.plug("lp2", "1-3", "04b8", "0e28", "X4ZK012345")
	v2 := NewVirtual()
	defer v2.Close()
	back.serveA(v2)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatalf("after replug as lp2: %v", err)
	}
	waitPrinted(t, v2, 1)
	if n := len(vo.Receipts()); n != 0 {
		t.Fatalf("the other printer printed %d receipts", n)
	}
	got, err := sys.fs.USBPrinters()
	if err != nil || len(got) != 2 || got[1].Spec() != "usblp:04B8:0E28:X4ZK012345" || got[1].Path != filepath.Join(sys.usb, "lp2") || got[1].Product != "TM-T82IIIL" {
		t.Fatalf("USB printers %+v, %v", got, err)
	}
}
