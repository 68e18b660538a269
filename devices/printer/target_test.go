package printer

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in     string
		kind   LinkKind
		back   string // String(); "" is in
		status bool
	}{
		{"/dev/ttyUSB0", LinkSerial, "", true},
		{"COM3", LinkSerial, "", true},
		{"/dev/serial/by-id/usb-Prolific_USB-Serial-if00-port0", LinkSerial, "", true},
		{"usb:0403:6001:A12345", LinkSerial, "", true},
		{"usb:0403:6001", LinkSerial, "", true},
		{"/dev/usb/lp0", LinkUSBLP, "", false},
		{"/dev/lp1", LinkUSBLP, "", false},
		{"/tmp/x/lp12", LinkUSBLP, "", false},
		{"usblp:04b8:0202", LinkUSBLP, "usblp:04B8:0202", false},
		{"usblp:04B8:0E28:X4ZK012345", LinkUSBLP, "", false},
		{"tcp://192.168.1.50:9100", LinkTCP, "", true},
		{"tcp://192.168.1.50", LinkTCP, "tcp://192.168.1.50:9100", true},
		{"tcp://printer.local:9101/", LinkTCP, "tcp://printer.local:9101", true},
		{"tcp://[fe80::1]:9100", LinkTCP, "", true},
		{"tcp://10.0.0.9:9100?status=off", LinkTCP, "", false},
		{"windows:EPSON TM-T82 Receipt", LinkWindows, "", false},
		{`windows:\\server\Receipt 2`, LinkWindows, "", false},
	} {
		got, err := ParseTarget(tt.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tt.in, err)
			continue
		}
		want := tt.back
		if want == "" {
			want = tt.in
		}
		if got.Kind != tt.kind || got.String() != want || got.StatusReadable() != tt.status {
			t.Errorf("ParseTarget(%q) = %s %q status %v, want %s %q %v", tt.in, got.Kind, got.String(), got.StatusReadable(), tt.kind, want, tt.status)
		}
	}
	for _, bad := range []string{"", "tcp://", "tcp://:9100", "tcp://host:0", "tcp://host:70000", "tcp://host:", "tcp://u@host:9100",
		"tcp://host:9100/path", "tcp://host?status=maybe", "tcp://host?x=1", "windows:", "windows:  ", "usblp:04b8", "usblp:4b8:0202",
		"usblp:zzzz:0202", "usb:1:2", "tcp://::1", "tcp://[::1"} {
		if got, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted: %+v", bad, got)
		}
	}
}

// FuzzParseTarget: any port a manager types is taken or refused, never a
// panic; what is taken reads back to itself.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"/dev/ttyUSB0", "COM3", "usb:0403:6001:A1", "/dev/usb/lp0", "usblp:04b8:0202:X", "tcp://192.168.1.50:9100",
		"tcp://[::1]:9100?status=off", "windows:EPSON TM-T82", "tcp://h:%zz", "tcp://a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		again, err := ParseTarget(tg.String())
		if err != nil {
			t.Fatalf("%q parsed as %+v, whose String %q does not parse: %v", s, tg, tg.String(), err)
		}
		if again != tg {
			t.Fatalf("%q: %+v, read back as %+v", s, tg, again)
		}
		if tg.Kind == LinkTCP && (tg.Addr == "" || strings.HasPrefix(tg.Addr, ":")) {
			t.Fatalf("%q: network printer without a host: %+v", s, tg)
		}
	})
}
