package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func uniform(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func TestScale(t *testing.T) {
	checker := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			if (x+y)%2 == 0 {
				checker.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
			} else {
				checker.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	// Half of the pixels opaque red, half fully transparent (with a black
	// colour that must not bleed into the result).
	halfRed := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	halfRed.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	halfRed.SetNRGBA(1, 1, color.NRGBA{255, 0, 0, 255})
	halfRed.SetNRGBA(1, 0, color.NRGBA{0, 0, 0, 0})
	halfRed.SetNRGBA(0, 1, color.NRGBA{0, 0, 0, 0})
	tests := []struct {
		name string
		src  image.Image
		w, h int
		want color.NRGBA // every destination pixel
	}{
		{"uniform 256 to 48", uniform(256, 256, color.NRGBA{10, 200, 30, 255}), 48, 48, color.NRGBA{10, 200, 30, 255}},
		{"uniform 256 to 16", uniform(256, 256, color.NRGBA{1, 2, 3, 128}), 16, 16, color.NRGBA{1, 2, 3, 128}},
		{"checker averages to grey", checker, 2, 2, color.NRGBA{128, 128, 128, 255}},
		{"transparent does not darken", halfRed, 1, 1, color.NRGBA{255, 0, 0, 128}},
		{"same size", uniform(5, 5, color.NRGBA{7, 8, 9, 255}), 5, 5, color.NRGBA{7, 8, 9, 255}},
		{"enlarge", uniform(2, 2, color.NRGBA{7, 8, 9, 255}), 7, 7, color.NRGBA{7, 8, 9, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scale(tt.src, tt.w, tt.h)
			if got.Bounds().Dx() != tt.w || got.Bounds().Dy() != tt.h {
				t.Fatalf("size %v, want %dx%d", got.Bounds(), tt.w, tt.h)
			}
			for y := 0; y < tt.h; y++ {
				for x := 0; x < tt.w; x++ {
					if c := got.NRGBAAt(x, y); !near(c, tt.want) {
						t.Fatalf("pixel %d,%d = %v, want %v", x, y, c, tt.want)
					}
				}
			}
		})
	}
}

// near allows one step of rounding per channel.
func near(a, b color.NRGBA) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= 1 && int(y)-int(x) <= 1 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// icoEntry is one directory entry of an .ico, read back for checking.
type icoEntry struct {
	w, h, bits int
	data       []byte
}

func readICO(t *testing.T, b []byte) []icoEntry {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 6 || le.Uint16(b[0:]) != 0 || le.Uint16(b[2:]) != 1 {
		t.Fatalf("not an icon header: % x", b[:min(6, len(b))])
	}
	n := int(le.Uint16(b[4:]))
	var out []icoEntry
	for i := 0; i < n; i++ {
		e := b[6+16*i : 6+16*i+16]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		size, off := le.Uint32(e[8:]), le.Uint32(e[12:])
		if int(off)+int(size) > len(b) {
			t.Fatalf("entry %d runs past the file: offset %d size %d of %d", i, off, size, len(b))
		}
		out = append(out, icoEntry{w: w, h: h, bits: int(le.Uint16(e[6:])), data: b[off : off+size]})
	}
	return out
}

func TestWriteICO(t *testing.T) {
	// A 256 icon with a transparent top-left quarter and a known pixel.
	src := uniform(256, 256, color.NRGBA{0, 0, 255, 255})
	for y := 0; y < 128; y++ {
		for x := 0; x < 128; x++ {
			src.SetNRGBA(x, y, color.NRGBA{})
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "icon.png")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	icoPath, hicolor := filepath.Join(dir, "icon.ico"), filepath.Join(dir, "hicolor")
	if err := run(in, icoPath, hicolor, "hk.qrpos.terminal"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(icoPath)
	if err != nil {
		t.Fatal(err)
	}
	entries := readICO(t, b)
	if len(entries) != len(icoSizes) {
		t.Fatalf("%d entries, want %d", len(entries), len(icoSizes))
	}
	le := binary.LittleEndian
	for i, e := range entries {
		s := icoSizes[i]
		if e.w != s || e.h != s || e.bits != 32 {
			t.Fatalf("entry %d: %dx%d %d bits, want %dx%d 32 bits", i, e.w, e.h, e.bits, s, s)
		}
		if s == 256 {
			img, err := png.Decode(bytes.NewReader(e.data))
			if err != nil {
				t.Fatalf("256 entry is not a PNG: %v", err)
			}
			if img.Bounds().Dx() != 256 {
				t.Fatalf("256 entry decodes to %v", img.Bounds())
			}
			continue
		}
		if le.Uint32(e.data[0:]) != 40 || int(le.Uint32(e.data[4:])) != s || int(le.Uint32(e.data[8:])) != 2*s {
			t.Fatalf("entry %d: bad BITMAPINFOHEADER % x", i, e.data[:16])
		}
		maskStride := (s + 31) / 32 * 4
		if len(e.data) != 40+4*s*s+maskStride*s {
			t.Fatalf("entry %d: %d bytes, want %d", i, len(e.data), 40+4*s*s+maskStride*s)
		}
		// Bottom-up rows: the last stored row is the top of the image,
		// whose left half is transparent and right half blue.
		top := 40 + 4*s*(s-1)
		if px := e.data[top : top+4]; px[3] != 0 {
			t.Fatalf("entry %d: top-left pixel %v, want transparent", i, px)
		}
		if px := e.data[top+4*(s-1) : top+4*s]; px[0] != 255 || px[2] != 0 || px[3] != 255 {
			t.Fatalf("entry %d: top-right pixel BGRA %v, want opaque blue", i, px)
		}
		mask := e.data[40+4*s*s:]
		if mask[(s-1)*maskStride]&0x80 == 0 || mask[0]&0x80 != 0 {
			t.Fatalf("entry %d: AND mask should be set top-left only", i)
		}
	}
	for _, s := range hicolorSizes {
		p := filepath.Join(hicolor, strconv.Itoa(s)+"x"+strconv.Itoa(s), "apps", "hk.qrpos.terminal.png")
		img, err := readPNG(p)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != s {
			t.Fatalf("%s is %v", p, img.Bounds())
		}
	}
}

func TestRejects(t *testing.T) {
	dir := t.TempDir()
	notSquare := filepath.Join(dir, "wide.png")
	f, _ := os.Create(notSquare)
	png.Encode(f, uniform(20, 10, color.NRGBA{A: 255}))
	f.Close()
	notPNG := filepath.Join(dir, "text.png")
	os.WriteFile(notPNG, []byte("hello"), 0o644)
	for _, in := range []string{notSquare, notPNG, filepath.Join(dir, "missing.png")} {
		if err := run(in, filepath.Join(dir, "out.ico"), "", "x"); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
	if err := writeICO(&bytes.Buffer{}, []image.Image{uniform(300, 300, color.NRGBA{})}); err == nil {
		t.Error("300x300 accepted in an icon")
	}
}
