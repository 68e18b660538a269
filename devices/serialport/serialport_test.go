package serialport

import (
	"errors"
	"testing"

	"go.bug.st/serial/enumerator"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
		bad  bool
	}{
		{in: "/dev/ttyACM0", want: Spec{Path: "/dev/ttyACM0"}},
		{in: "COM3", want: Spec{Path: "COM3"}},
		{in: "usb:05e0:1200", want: Spec{VID: "05E0", PID: "1200"}},
		{in: "usb:05E0:1200:S/N:42", want: Spec{VID: "05E0", PID: "1200", Serial: "S/N:42"}},
		{in: "usb:5e0:1200", bad: true},
		{in: "usb:05e0", bad: true},
		{in: "usb:05eg:1200", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v", tt.in, got, err)
		}
		if err == nil && got.String() != tt.in && tt.in[:4] != "usb:" {
			t.Errorf("String() = %q", got.String())
		}
	}
}

func TestResolve(t *testing.T) {
	ports := []*enumerator.PortDetails{
		{Name: "/dev/ttyS0"},
		{Name: "/dev/ttyACM1", IsUSB: true, VID: "05e0", PID: "1200", SerialNumber: "B"},
		{Name: "/dev/ttyACM0", IsUSB: true, VID: "05e0", PID: "1200", SerialNumber: "A"},
		{Name: "/dev/ttyUSB0", IsUSB: true, VID: "0403", PID: "6001"},
	}
	enum := func() ([]*enumerator.PortDetails, error) { return ports, nil }
	tests := map[string]string{
		"usb:05E0:1200":   "/dev/ttyACM0",
		"usb:05E0:1200:B": "/dev/ttyACM1",
		"usb:0403:6001":   "/dev/ttyUSB0",
		"/dev/whatever":   "/dev/whatever",
	}
	for in, want := range tests {
		spec, _ := Parse(in)
		if got, err := spec.Resolve(enum); err != nil || got != want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	spec, _ := Parse("usb:05E0:1200:C")
	if _, err := spec.Resolve(enum); !errors.Is(err, ErrNoDevice) {
		t.Errorf("missing serial: %v", err)
	}
	failing := func() ([]*enumerator.PortDetails, error) { return nil, errors.New("boom") }
	if _, err := spec.Resolve(failing); err == nil {
		t.Error("enumerator error swallowed")
	}
}

func TestLineMode(t *testing.T) {
	good := []Line{{}, {Baud: 115200, DataBits: 7, Parity: "even", StopBits: "2"}, {Parity: "odd"}, {Parity: "mark", StopBits: "1.5"}}
	for _, l := range good {
		if _, err := l.Mode(); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
	bad := []Line{{Baud: -1}, {DataBits: 9}, {Parity: "x"}, {StopBits: "3"}}
	for _, l := range bad {
		if _, err := l.Mode(); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}

func TestBitsPerChar(t *testing.T) {
	m, _ := Line{}.Mode()
	if got := BitsPerChar(m); got != 10 {
		t.Errorf("8N1 = %v bits, want 10", got)
	}
	m, _ = Line{Parity: "even", StopBits: "2"}.Mode()
	if got := BitsPerChar(m); got != 12 {
		t.Errorf("8E2 = %v bits, want 12", got)
	}
}
