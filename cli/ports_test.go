package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.bug.st/serial/enumerator"

	"qrpos/devices/printer"
)

// pos ports on a machine with a USB serial adapter that has a by-id link
// and a USB printer-class printer (a fake /dev and sysfs): each is listed
// with the port that finds it again after a replug.
func TestPortsListsPrintersAndByID(t *testing.T) {
	root := t.TempDir()
	dev, sys := filepath.Join(root, "dev"), filepath.Join(root, "sys")
	usbdev := filepath.Join(sys, "devices/usb1/1-2")
	mustDo(t, os.MkdirAll(filepath.Join(dev, "serial/by-id"), 0o755), os.MkdirAll(filepath.Join(usbdev, "1-2:1.0"), 0o755),
		os.MkdirAll(filepath.Join(sys, "class/usbmisc/lp0"), 0o755), os.WriteFile(filepath.Join(dev, "ttyUSB0"), nil, 0o644),
		os.Symlink("../../ttyUSB0", filepath.Join(dev, "serial/by-id/usb-Prolific_PL2303-if00-port0")),
		os.Symlink(filepath.Join(usbdev, "1-2:1.0"), filepath.Join(sys, "class/usbmisc/lp0/device")),
		os.WriteFile(filepath.Join(usbdev, "idVendor"), []byte("0519\n"), 0o644),
		os.WriteFile(filepath.Join(usbdev, "idProduct"), []byte("0001\n"), 0o644),
		os.WriteFile(filepath.Join(usbdev, "product"), []byte("Star TSP100\n"), 0o644))
	portsWhere = printer.ListOptions{Sysfs: printer.Sysfs{Sys: sys, Dev: dev}, Enumerate: func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{{Name: filepath.Join(dev, "ttyUSB0"), IsUSB: true, VID: "067B", PID: "2303"}}, nil
	}}
	defer func() { portsWhere = printer.ListOptions{} }()

	var stdout, stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"ports"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"PORT ", filepath.Join(dev, "serial/by-id/usb-Prolific_PL2303-if00-port0"), "usblp:0519:0001", "Star TSP100", "tcp://HOST:9100"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	stdout.Reset()
	if code := dispatch(context.Background(), []string{"ports", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	var kinds []string
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var p printer.PortInfo
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		kinds = append(kinds, string(p.Kind)+" "+p.OpenAs)
	}
	if got := strings.Join(kinds, ", "); got != "serial "+filepath.Join(dev, "serial/by-id/usb-Prolific_PL2303-if00-port0")+", usblp usblp:0519:0001" {
		t.Errorf("ports: %s", got)
	}
}

func mustDo(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
