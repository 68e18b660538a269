package printer

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rastered lays r out with Chinese drawn as images and decodes it.
func rastered(t *testing.T, r Receipt, w int, enc Encoding) (*Printout, []byte) {
	t.Helper()
	data, err := Layout(r, Format{Width: w, Encoding: enc, Chinese: ChineseRaster})
	if err != nil {
		t.Fatal(err)
	}
	v := NewVirtual(WithWidth(w), WithEncoding(enc))
	defer v.Close()
	v.Write(data)
	if v.Last() == nil {
		t.Fatal("nothing printed")
	}
	return v.Last(), data
}

// goldenImage compares img with the PNG testdata/name, dot for dot, or
// rewrites it with -update.
func goldenImage(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to make it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if d := imageDiff(img, want); d != "" {
		t.Errorf("%s: %s", name, d)
	}
}

// imageDiff says how two pictures of paper differ, or "".
func imageDiff(a, b image.Image) string {
	if a.Bounds() != b.Bounds() {
		return fmt.Sprintf("size %v, want %v", a.Bounds(), b.Bounds())
	}
	n, first := 0, image.Point{-1, -1}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ar, _, _, _ := a.At(x, y).RGBA()
			br, _, _, _ := b.At(x, y).RGBA()
			if (ar < 0x8000) != (br < 0x8000) {
				if n == 0 {
					first = image.Pt(x, y)
				}
				n++
			}
		}
	}
	if n > 0 {
		return fmt.Sprintf("%d dots differ, the first at %v", n, first)
	}
	return ""
}

// Golden pictures of the sample receipt with its Chinese drawn as raster
// images, as the virtual printer decodes and draws them. They show every
// Chinese line; the text rendering shows where the images are.
func TestRasterGolden(t *testing.T) {
	for _, tt := range []struct {
		enc Encoding
		w   int
	}{{Big5, 48}, {GB18030, 32}, {Big5, 42}} {
		t.Run(fmt.Sprintf("%s-%d", tt.enc, tt.w), func(t *testing.T) {
			p, _ := rastered(t, SampleReceipt(tt.enc), tt.w, tt.enc)
			img, err := p.Image()
			if err != nil {
				t.Fatal(err)
			}
			goldenImage(t, fmt.Sprintf("raster-sale-%s-%d.png", tt.enc, tt.w), img)
			golden(t, fmt.Sprintf("raster-sale-%s-%d.txt", tt.enc, tt.w), p.Text())
		})
	}
}

// A rastered receipt sends no double-byte text at all, yet looks dot for
// dot as the native one (same font, cells and line pitch); its QR code
// still decodes.
func TestRasterLooksNative(t *testing.T) {
	for _, tt := range []struct {
		enc Encoding
		w   int
	}{{Big5, 48}, {GB18030, 32}, {Big5, 42}, {GB18030, 42}} {
		t.Run(fmt.Sprintf("%s-%d", tt.enc, tt.w), func(t *testing.T) {
			r := SampleReceipt(tt.enc)
			p, data := rastered(t, r, tt.w, tt.enc)
			if bytes.Contains(data, []byte{fs, '&'}) {
				t.Error("FS & (Chinese mode) sent in raster mode")
			}
			images := 0
			for _, e := range p.Elements {
				switch e.Kind {
				case KindImage:
					images++
					if e.Raster.Width > DotsPerLine(tt.w) {
						t.Errorf("image %d dots wide on %d-dot paper", e.Raster.Width, DotsPerLine(tt.w))
					}
				case KindText:
					for _, run := range e.Runs {
						if run.Wide || !isASCII(run.Text) {
							t.Errorf("text run %q from the double-byte font", run.Text)
						}
					}
				}
			}
			native := printed(t, r, tt.w, tt.enc)
			if want := chineseLines(native); images != want || images == 0 {
				t.Errorf("%d images for %d lines with Chinese", images, want)
			}
			a, err := p.Image()
			if err != nil {
				t.Fatal(err)
			}
			b, err := native.Image()
			if err != nil {
				t.Fatal(err)
			}
			if d := imageDiff(a, b); d != "" {
				t.Errorf("raster against native: %s", d)
			}
			path := filepath.Join(t.TempDir(), "r.png")
			var buf bytes.Buffer
			png.Encode(&buf, a)
			os.WriteFile(path, buf.Bytes(), 0o644)
			if got := zbarimg(t, path); got != r.QR {
				t.Errorf("QR decodes to %q", got)
			}
		})
	}
}

func chineseLines(p *Printout) int {
	n := 0
	for _, e := range p.Elements {
		if e.Kind != KindText {
			continue
		}
		for _, r := range e.Runs {
			if !isASCII(r.Text) {
				n++
				break
			}
		}
	}
	return n
}

// Raster prints what the printer's code system lacks: Hong Kong
// characters outside standard Big5 come out as themselves, not '?'.
func TestRasterPrintsBeyondBig5(t *testing.T) {
	r := Receipt{Store: "啱㗎茶記", Footer: []string{"Thanks"}}
	native := printed(t, r, 32, Big5)
	if !strings.Contains(native.Text(), "??茶記") {
		t.Fatalf("native: %q", native.Text())
	}
	if got := rasterPrintable("啱㗎茶記\x07é"); got != "啱㗎茶記 é" {
		t.Fatalf("rasterPrintable = %q", got)
	}
	p, _ := rastered(t, r, 32, Big5)
	img, err := p.Image()
	if err != nil {
		t.Fatal(err)
	}
	// The store line is an image with ink for all four characters: 96
	// dots of text centred on 384.
	e := p.Elements[0]
	if e.Kind != KindImage {
		t.Fatalf("first element %+v", e)
	}
	for i := range 4 {
		cell := image.Rect(margin+144+24*i, margin, margin+144+24*(i+1), margin+24)
		if blackIn(img, cell) < 20 {
			t.Errorf("character %d drew %d dots", i, blackIn(img, cell))
		}
	}
	if _, err := ParseChinese("bitmap"); err == nil {
		t.Error("ParseChinese took bitmap")
	}
	if _, err := Layout(r, Format{Chinese: "bitmap"}); err == nil {
		t.Error("Layout took chinese mode bitmap")
	}
}

// GS v 0's size modes: double width, height or both, as the printer
// prints them.
func TestDecodeRasterModes(t *testing.T) {
	img := []byte{0x1d, 'v', '0', 0, 1, 0, 2, 0, 0x81, 0x40} // 8x2: dots 0,7 / 1
	for _, tt := range []struct {
		m    byte
		w, h int
		bits []byte
	}{
		{0, 8, 2, []byte{0x81, 0x40}},
		{49, 16, 2, []byte{0xc0, 0x03, 0x30, 0x00}},
		{2, 8, 4, []byte{0x81, 0x81, 0x40, 0x40}},
		{51, 16, 4, []byte{0xc0, 0x03, 0xc0, 0x03, 0x30, 0x00, 0x30, 0x00}},
	} {
		in := append([]byte(nil), img...)
		in[3] = tt.m
		v := decodeAll(t, nil, in)
		e := v.Pending().Elements
		if len(e) != 1 || e[0].Raster == nil {
			t.Fatalf("m=%d: %+v", tt.m, e)
		}
		r := e[0].Raster
		if r.Width != tt.w || r.Height != tt.h || !bytes.Equal(r.Bits, tt.bits) {
			t.Errorf("m=%d: %dx%d % x, want %dx%d % x", tt.m, r.Width, r.Height, r.Bits, tt.w, tt.h, tt.bits)
		}
	}
}

// FuzzDecodeRaster: raster images of any header and data decode into
// bitmaps whose size matches their data, and draw, never panic.
func FuzzDecodeRaster(f *testing.F) {
	data, _ := Layout(SampleReceipt(Big5), Format{Width: 32, Chinese: ChineseRaster})
	f.Add(data[:min(len(data), 4000)], byte(0), uint16(2), uint16(3))
	f.Add([]byte{0xff, 0x00, 0x81}, byte(51), uint16(1), uint16(3))
	f.Add([]byte{}, byte(48), uint16(0), uint16(7))
	f.Fuzz(func(t *testing.T, payload []byte, m byte, xb, y uint16) {
		xb, y = xb%80, y%300 // the printer's own limits are larger; the decoder's cap is tested by TestDecodeHugeImageIsSkipped
		in := append([]byte{gs, 'v', '0', m, byte(xb), byte(xb >> 8), byte(y), byte(y >> 8)}, payload...)
		in = append(in, gs, 'V', 66, 0)
		v := NewVirtual(WithWidth(48))
		defer v.Close()
		v.Write(in)
		for _, p := range append(v.Receipts(), v.Pending()) {
			for _, e := range p.Elements {
				if e.Kind != KindImage {
					continue
				}
				r := e.Raster
				if r.Width <= 0 || r.Height <= 0 || r.Width%8 != 0 || len(r.Bits) != r.Width/8*r.Height {
					t.Fatalf("image %dx%d with %d bytes", r.Width, r.Height, len(r.Bits))
				}
			}
			if _, err := p.Image(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
