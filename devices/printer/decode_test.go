package printer

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	full32    = "----------- full cut -----------\n"
	partial32 = "--------- partial cut ----------\n"
	partial48 = "----------------- partial cut ------------------\n"
)

func decodeAll(t *testing.T, opts []VirtualOption, data []byte) *Virtual {
	t.Helper()
	v := NewVirtual(opts...)
	if _, err := v.Write(data); err != nil {
		t.Fatal(err)
	}
	return v
}

// Byte streams as other software writes them, and the text the virtual
// printer prints for them.
func TestDecodeOtherSoftware(t *testing.T) {
	raster := []byte{0x1d, 'v', '0', 0, 2, 0, 3, 0, 0xff, 0x00, 0x81, 0x81, 0x00, 0xff}
	tests := []struct {
		name string
		opts []VirtualOption
		in   []byte
		want string
	}{
		{"esc ! double and bold", []VirtualOption{WithWidth(32)},
			cat([]byte{0x1b, '@', 0x1b, 'a', '1', 0x1b, '!', 0x38}, []byte("BIG\n"), []byte{0x1b, '!', 0}, []byte("small\n"), []byte{0x1d, 'V', '0'}),
			"             B I G\n             small\n" + full32},
		{"esc d feeds, gs v 1 partial", []VirtualOption{WithWidth(32)},
			cat([]byte("a"), []byte{0x1b, 'd', 2}, []byte("b"), []byte{0x1d, 'V', 1}),
			"a\n\nb\n" + partial32},
		{"old esc i / esc m cuts", []VirtualOption{WithWidth(32)}, cat([]byte("x\n"), []byte{0x1b, 'm'}), "x\n" + partial32},
		{"gs v 66 n", []VirtualOption{WithWidth(32)}, cat([]byte("x\n"), []byte{0x1d, 'V', 66, 3}), "x\n" + partial32},
		{"right align and tabs", []VirtualOption{WithWidth(32)},
			cat([]byte{0x1b, 'a', 2}, []byte("12.30\n"), []byte{0x1b, 'a', 0}, []byte("a\tb\n"), []byte{0x1d, 'V', 0}),
			"                           12.30\na       b\n" + full32},
		{"cp437 and cp1252 via ESC t", []VirtualOption{WithWidth(32)},
			cat([]byte{0x82, '\n', 0x1b, 't', 16, 0xe9, '\n', 0x1b, 't', 99, 0xe9, '\n'}, []byte{0x1d, 'V', 0}),
			"é\né\n?\n" + full32},
		{"big5 under FS &", nil,
			cat([]byte{0x1c, '&', 0xa4, 0xa4, 0xa4, 0xe5, 0x1c, '.', '!', '\n', 0x1d, 'V', 1}),
			"中文!\n" + partial48},
		{"gb18030 printer in Chinese mode from power-on", []VirtualOption{WithEncoding(GB18030), WithChineseModeAtStart()},
			cat([]byte{0xd6, 0xd0, 0xce, 0xc4, '\n', 0x1d, 'V', 1}),
			"中文\n" + partial48},
		{"gb18030 four-byte form", []VirtualOption{WithEncoding(GB18030)},
			cat([]byte{0x1c, '&', 0x81, 0x30, 0x81, 0x30, 0x1c, '.', '\n', 0x1d, 'V', 1}),
			"\u0080\n" + partial48},
		{"raster image and barcode", []VirtualOption{WithWidth(32)},
			cat(raster, []byte{0x1d, 'k', 73, 4, '1', '2', '3', '4'}, []byte{0x1d, 'k', 4, 'A', 'B', 0}, []byte{0x1d, 'V', 0}),
			"[image 16x3]\n[barcode: 1234]\n[barcode: AB]\n" + full32},
		{"drawer kicks", []VirtualOption{WithWidth(32)},
			cat([]byte{0x1b, 'p', 0, 50, 100, 0x10, 0x14, 1, 1, 2, 0x1d, 'V', 0}),
			"[drawer kick: pin 2, 100 ms]\n[drawer kick: pin 5, 200 ms]\n" + full32},
		{"settings commands are consumed", []VirtualOption{WithWidth(32)},
			cat([]byte{0x1b, '3', 40, 0x1b, '2', 0x1b, 'M', 1, 0x1d, 'B', 1, 0x1d, 'L', 0, 0, 0x1d, 'W', 0, 2, 0x1b, 'D', 8, 16, 0, 0x1b, '-', 1, 0x1b, 'R', 0, 0x1c, 'C', 1, 0x10, 0x05, 1},
				[]byte("ok\n"), []byte{0x1d, 'V', 0}),
			"ok\n" + full32},
		{"unknown commands are listed", []VirtualOption{WithWidth(32)},
			cat([]byte{0x1b, 'Z', 'x', '\n', 0x1d, 'Z', 0x1d, '(', 'k', 3, 0, 48, 65, 0, 0x1d, 'V', 0}),
			"x\n[skipped: ESC 0x5a]\n[skipped: GS 0x5a]\n[skipped: GS ( k symbol cn=48 fn=65]\n" + full32},
		{"long line wraps at the paper edge", []VirtualOption{WithWidth(32)},
			cat([]byte(strings.Repeat("x", 40)+"\n"), []byte{0x1d, 'V', 0}),
			strings.Repeat("x", 32) + "\n" + strings.Repeat("x", 8) + "\n" + full32},
	}
	for _, tt := range tests {
		v := decodeAll(t, tt.opts, tt.in)
		p := v.Last()
		if p == nil {
			t.Errorf("%s: nothing printed (pending %+v)", tt.name, v.Pending())
			continue
		}
		if got := p.Text(); got != tt.want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestDecodeStylesAndQR(t *testing.T) {
	data, err := Layout(SampleReceipt(Big5), Format{Width: 48})
	if err != nil {
		t.Fatal(err)
	}
	p := decodeAll(t, nil, data).Last()
	if p.Bytes != len(data) || p.Cut != "partial" {
		t.Fatalf("bytes %d cut %q", p.Bytes, p.Cut)
	}
	first := p.Elements[0]
	if first.Align != Center || len(first.Runs) != 2 || !first.Runs[0].Bold || first.Runs[0].W != 2 || first.Runs[0].H != 2 || first.Runs[1].Wide != true {
		t.Errorf("title decoded as %+v", first)
	}
	var qr *Element
	for i, e := range p.Elements {
		if e.Kind == KindQR {
			qr = &p.Elements[i]
		}
		if e.Kind == KindText && e.Cols() > 48 {
			t.Errorf("line of %d columns: %+v", e.Cols(), e)
		}
	}
	if qr == nil || qr.Data != "T20261123170509001" || qr.Module != 6 || qr.Level != QRLevelM || qr.Align != Center {
		t.Errorf("QR decoded as %+v", qr)
	}
	if len(p.Unknown) != 0 {
		t.Errorf("own output has unknown commands: %v", p.Unknown)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("printout does not marshal: %v", err)
	}
}

// DLE EOT is answered wherever it falls, and only 1..4.
func TestVirtualAnswersStatus(t *testing.T) {
	v := NewVirtual()
	defer v.Close()
	v.Write([]byte("abc\x10\x04\x01de\x10"))
	v.Write([]byte("\x04\x04\x10\x04\x09"))
	v.SetPaperOut(true)
	v.Write(statusQuery)
	buf := make([]byte, 16)
	n, _ := v.Read(buf)
	want := []byte{0x12, 0x12, 0x1a, 0x32, 0x12, 0x72}
	if !bytes.Equal(buf[:n], want) {
		t.Errorf("answers % x, want % x", buf[:n], want)
	}
	v.SetSilent(true)
	v.Write(statusQuery)
	v.Close()
	if n, err := v.Read(buf); n != 0 || err == nil {
		t.Errorf("silent printer answered % x, %v", buf[:n], err)
	}
}

// Feeding one byte at a time gives the same printouts as one write.
func TestDecodeChunkingInvariant(t *testing.T) {
	for _, enc := range []Encoding{Big5, GB18030} {
		data, err := Layout(SampleReceipt(enc), Format{Width: 42, Encoding: enc})
		if err != nil {
			t.Fatal(err)
		}
		whole := decodeAll(t, []VirtualOption{WithEncoding(enc), WithWidth(42)}, data).Last()
		v := NewVirtual(WithEncoding(enc), WithWidth(42))
		for i := range data {
			v.Write(data[i : i+1])
		}
		one := v.Last()
		a, _ := json.Marshal(whole)
		b, _ := json.Marshal(one)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: byte-wise decode differs", enc)
		}
	}
}

// Oversized payloads are skipped without being buffered.
func TestDecodeHugeImageIsSkipped(t *testing.T) {
	v := NewVirtual(WithWidth(32))
	head := []byte{0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff} // 65535 x 65535 bytes declared
	v.Write(head)
	chunk := bytes.Repeat([]byte{0x1d}, 1<<16)
	for range 4 {
		v.Write(chunk)
	}
	v.dec.skip = 0 // pretend the image ended
	v.Write([]byte("ok\n\x1dV\x00"))
	p := v.Last()
	if p == nil || !strings.Contains(p.Text(), "ok") || len(p.Unknown) == 0 {
		t.Fatalf("after huge image: %+v", p)
	}
	if cap(v.dec.pend) > maxPending*2 {
		t.Errorf("pending buffer grew to %d", cap(v.dec.pend))
	}
}

func FuzzDecode(f *testing.F) {
	data, _ := Layout(SampleReceipt(Big5), Format{Width: 32})
	f.Add(data, uint8(0))
	data, _ = Layout(SampleReceipt(GB18030), Format{Width: 48, Encoding: GB18030})
	f.Add(data, uint8(1))
	f.Add([]byte{0x1d, '(', 'k', 0xff, 0xff, 49, 80}, uint8(7))
	f.Add([]byte{0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3}, uint8(3))
	f.Add([]byte{0x1b, '*', 33, 0xff, 0xff, 0x10, 0x04, 0x01}, uint8(2))
	f.Add([]byte{0x1c, '&', 0x81, 0x30, 0x81, 0xff, 0x1b, 'D', 1, 2, 3}, uint8(5))
	f.Fuzz(func(t *testing.T, in []byte, opt uint8) {
		enc := []Encoding{Big5, GB18030}[opt&1]
		width := []int{32, 42, 48}[int(opt>>1)%3]
		v := NewVirtual(WithEncoding(enc), WithWidth(width))
		step := int(opt>>3) + 1
		for i := 0; i < len(in); i += step {
			v.Write(in[i:min(i+step, len(in))])
		}
		if len(v.dec.pend) > maxPending+step {
			t.Fatalf("pending %d bytes", len(v.dec.pend))
		}
		for _, p := range append(v.Receipts(), v.Pending()) {
			for _, e := range p.Elements {
				if e.Kind == KindText && e.Cols() > width*8 {
					t.Fatalf("line of %d columns on %d", e.Cols(), width)
				}
			}
			_ = p.Text()
			if len(p.Elements) > maxElements {
				t.Fatalf("%d elements", len(p.Elements))
			}
		}
		v.Close()
	})
}
