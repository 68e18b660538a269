package printer

import (
	"bytes"
	"strings"
	"testing"
)

func TestEncoderCommands(t *testing.T) {
	tests := []struct {
		name string
		do   func(e *Encoder)
		want []byte
	}{
		{"init", func(e *Encoder) { e.Init() }, []byte{0x1b, '@'}},
		{"align center", func(e *Encoder) { e.Align(Center) }, []byte{0x1b, 'a', 1}},
		{"align right", func(e *Encoder) { e.Align(Right) }, []byte{0x1b, 'a', 2}},
		{"bold on off", func(e *Encoder) { e.Bold(true).Bold(false) }, []byte{0x1b, 'E', 1, 0x1b, 'E', 0}},
		{"double", func(e *Encoder) { e.Size(2, 2) }, []byte{0x1d, '!', 0x11}},
		{"double height", func(e *Encoder) { e.Size(1, 2) }, []byte{0x1d, '!', 0x01}},
		{"size clamps", func(e *Encoder) { e.Size(9, 0) }, []byte{0x1d, '!', 0x70}},
		{"lf and feed", func(e *Encoder) { e.LF().Feed(3) }, []byte{0x0a, 0x1b, 'd', 3}},
		{"partial cut", func(e *Encoder) { e.Cut(true) }, []byte{0x1d, 'V', 66, 0}},
		{"full cut", func(e *Encoder) { e.Cut(false) }, []byte{0x1d, 'V', 65, 0}},
		{"kick", func(e *Encoder) { e.Kick(0, 100, 200) }, []byte{0x1b, 'p', 0, 50, 100}},
		{"kick pin 5", func(e *Encoder) { e.Kick(1, 1000, 2) }, []byte{0x1b, 'p', 1, 255, 1}},
		{"ascii", func(e *Encoder) { e.Text("Total 12.30") }, []byte("Total 12.30")},
		{"control chars become spaces", func(e *Encoder) { e.Text("a\tb\x1bc") }, []byte("a b c")},
	}
	for _, tt := range tests {
		e := NewEncoder(Big5, false)
		tt.do(e)
		if !bytes.Equal(e.Bytes(), tt.want) {
			t.Errorf("%s: % x, want % x", tt.name, e.Bytes(), tt.want)
		}
	}
}

func TestEncoderChinese(t *testing.T) {
	tests := []struct {
		enc    Encoding
		noMode bool
		text   string
		want   []byte
	}{
		// 中 is A4 A4 in Big5 and D6 D0 in GB18030; 文 is A4 E5 / CE C4.
		{Big5, false, "A中文B", []byte{'A', 0x1c, '&', 0xa4, 0xa4, 0xa4, 0xe5, 0x1c, '.', 'B'}},
		{GB18030, false, "A中文B", []byte{'A', 0x1c, '&', 0xd6, 0xd0, 0xce, 0xc4, 0x1c, '.', 'B'}},
		{Big5, true, "中", []byte{0xa4, 0xa4}},
		{Big5, false, "中", []byte{0x1c, '&', 0xa4, 0xa4, 0x1c, '.'}},
		// Simplified 门 is not in Big5: it prints as '?'.
		{Big5, false, "门", []byte{'?'}},
		{GB18030, false, "门", []byte{0x1c, '&', 0xc3, 0xc5, 0x1c, '.'}},
	}
	for _, tt := range tests {
		got := NewEncoder(tt.enc, tt.noMode).Text(tt.text).Bytes()
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s %q: % x, want % x", tt.enc, tt.text, got, tt.want)
		}
	}
}

// GS ( k fn 80: pL pH = data length + 3, little endian, for every length
// (the libraries that break at 125 bytes put the length in one byte or
// forget the 3).
func TestEncoderQRLengths(t *testing.T) {
	for _, n := range []int{1, 124, 125, 252, 253, 256, 1000, QRMaxData} {
		data := strings.Repeat("7", n)
		e := NewEncoder(Big5, false)
		if err := e.QR(data, 6, QRLevelM); err != nil {
			t.Fatalf("%d: %v", n, err)
		}
		b := e.Bytes()
		head := []byte{
			0x1d, '(', 'k', 4, 0, 49, 65, 50, 0,
			0x1d, '(', 'k', 3, 0, 49, 67, 6,
			0x1d, '(', 'k', 3, 0, 49, 69, 49,
			0x1d, '(', 'k', byte((n + 3) & 0xff), byte((n + 3) >> 8), 49, 80, 48,
		}
		if !bytes.HasPrefix(b, head) {
			t.Fatalf("%d: head % x", n, b[:min(len(b), len(head))])
		}
		if got := string(b[len(head) : len(head)+n]); got != data {
			t.Fatalf("%d: data differs", n)
		}
		tail := []byte{0x1d, '(', 'k', 3, 0, 49, 81, 48}
		if !bytes.Equal(b[len(head)+n:], tail) {
			t.Fatalf("%d: tail % x", n, b[len(head)+n:])
		}
		// And the decoder reads it back whole.
		v := NewVirtual()
		v.Write(b)
		p := v.Pending()
		if len(p.Elements) != 1 || p.Elements[0].Data != data || p.Elements[0].Module != 6 || p.Elements[0].Level != QRLevelM {
			t.Fatalf("%d: decoded %+v", n, p.Elements)
		}
	}
	for _, n := range []int{0, QRMaxData + 1} {
		if err := NewEncoder(Big5, false).QR(strings.Repeat("1", n), 6, QRLevelM); err == nil {
			t.Errorf("QR of %d bytes accepted", n)
		}
	}
	if err := NewEncoder(Big5, false).QR("x", 6, 52); err == nil {
		t.Error("QR level 52 accepted")
	}
}

func TestWidths(t *testing.T) {
	tests := map[string]int{"abc": 3, "中文": 4, "A中": 3, "Café": 5, "": 0, "，": 2}
	for s, want := range tests {
		if got := TextWidth(s); got != want {
			t.Errorf("TextWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		want []string
	}{
		{"Thank you please come again", 10, []string{"Thank you", "please", "come again"}},
		{"香港九龍旺角彌敦道", 8, []string{"香港九龍", "旺角彌敦", "道"}},
		{"香港九龍旺角", 7, []string{"香港九", "龍旺角"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"  ", 4, nil},
		{"ab 中文字", 6, []string{"ab", "中文字"}},
	}
	for _, tt := range tests {
		got := wrap(tt.s, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
		for _, l := range got {
			if TextWidth(l) > tt.w {
				t.Errorf("wrap(%q, %d): line %q too wide", tt.s, tt.w, l)
			}
		}
	}
}

func TestLabelValue(t *testing.T) {
	got := labelValue("TID", "DEMO01", 12)
	if len(got) != 1 || got[0] != "TID   DEMO01" {
		t.Errorf("fits: %q", got)
	}
	got = labelValue("付款 Method", "WeChat Pay HK", 16)
	want := []string{"付款 Method", "   WeChat Pay HK"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("split: %q, want %q", got, want)
	}
}

func TestParseEncodingAndFlow(t *testing.T) {
	for in, want := range map[string]Encoding{"": Big5, "BIG5": Big5, "gb18030": GB18030} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseEncoding("utf8"); err == nil {
		t.Error("utf8 accepted")
	}
	for in, want := range map[string]Flow{"": FlowNone, "RTS/CTS": FlowRTSCTS, "xonxoff": FlowXONXOFF, "none": FlowNone} {
		if got, err := ParseFlow(in); err != nil || got != want {
			t.Errorf("ParseFlow(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFlow("dtr"); err == nil {
		t.Error("dtr accepted")
	}
}

// Standard Big5 codes, not the HKSCS duplicates x/text's encoder picks.
func TestBig5Table(t *testing.T) {
	tests := map[rune][2]byte{'港': {0xb4, 0xe4}, '香': {0xad, 0xbb}, '中': {0xa4, 0xa4}, '號': {0xb8, 0xb9}, '，': {0xa1, 0x41}, '龜': {0xc0, 0x74}}
	for r, want := range tests {
		if got, ok := big5Table()[r]; !ok || got != want {
			t.Errorf("%c: % x %v, want % x", r, got, ok, want)
		}
	}
	if n := len(big5Table()); n < 13000 {
		t.Errorf("only %d Big5 characters", n)
	}
	for _, r := range "门é" {
		if _, ok := big5Table()[r]; ok {
			t.Errorf("%c is not standard Big5", r)
		}
	}
}
