package scanner

import (
	"errors"
	"testing"

	"go.bug.st/serial/enumerator"
)

// The table of payments.TestClassifyAuthCode plus the edges of each rule:
// the two must stay identical (providers.md 2.3).
func TestClassify(t *testing.T) {
	tests := map[string]string{
		"134567890123456789":        WalletWeChat,
		"104567890123456789":        WalletWeChat,
		"144567890123456789":        WalletWeChat,
		"154567890123456789":        WalletWeChatHK,
		"094567890123456789":        WalletUnknown,
		"13456789012345678":         WalletUnknown, // 17 digits
		"283854702356157409":        WalletAlipay,
		"2838547023561574":          WalletAlipay,
		"250000000000000000000000":  WalletAlipay,  // 24 digits
		"2500000000000000000000000": WalletUnknown, // 25 digits
		"300000000000000":           WalletUnknown, // 15 digits
		"310000000000000000":        WalletUnknown,
		"6212345678901234567":       WalletUnionPay,
		"621234567890123456":        WalletUnknown, // 18 digits
		"999":                       WalletUnknown,
		"12345678901234567X":        WalletUnknown,
		"":                          WalletUnknown,
		"1":                         WalletUnknown,
		"194567890123456789":        WalletUnknown,
		"１３４５６７８９０１２３４５６７８９": WalletUnknown, // full-width digits
	}
	for code, want := range tests {
		if got := Classify(code); got != want {
			t.Errorf("Classify(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := map[string]string{
		"283854702356157409": "**************7409",
		"12345":              "*2345",
		"1234":               "****",
		"":                   "****",
		"訂單一二三四五":            "***二三四五",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePort(t *testing.T) {
	tests := []struct {
		in   string
		want PortSpec
		bad  bool
	}{
		{in: "/dev/ttyACM0", want: PortSpec{Path: "/dev/ttyACM0"}},
		{in: "COM3", want: PortSpec{Path: "COM3"}},
		{in: "usb:05e0:1200", want: PortSpec{VID: "05E0", PID: "1200"}},
		{in: "usb:05E0:1200:S/N:42", want: PortSpec{VID: "05E0", PID: "1200", Serial: "S/N:42"}},
		{in: "usb:5e0:1200", bad: true},
		{in: "usb:05e0", bad: true},
		{in: "usb:05eg:1200", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		got, err := ParsePort(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParsePort(%q) = %+v, %v", tt.in, got, err)
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
		spec, _ := ParsePort(in)
		if got, err := spec.Resolve(enum); err != nil || got != want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	spec, _ := ParsePort("usb:05E0:1200:C")
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
		if _, err := l.mode(); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
	bad := []Line{{Baud: -1}, {DataBits: 9}, {Parity: "x"}, {StopBits: "3"}}
	for _, l := range bad {
		if _, err := l.mode(); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}
