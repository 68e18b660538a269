package printer

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// zbarimg decodes the QR codes in a PNG; the tests need it (zbar-tools,
// installed by .ci/install-deps).
func zbarimg(t *testing.T, path string) string {
	t.Helper()
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatalf("zbarimg is required to check that rendered QR codes decode and was not found (%v): install it with 'apt-get install zbar-tools' (.ci/install-deps does)", err)
	}
	out, err := exec.Command(bin, "-q", "--raw", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v (no QR code found?)", path, err)
	}
	return strings.TrimSpace(string(out))
}

func printed(t *testing.T, r Receipt, w int, enc Encoding) *Printout {
	t.Helper()
	data, err := Layout(r, Format{Width: w, Encoding: enc})
	if err != nil {
		t.Fatal(err)
	}
	v := NewVirtual(WithWidth(w), WithEncoding(enc))
	v.Write(data)
	return v.Last()
}

// The rendered receipt is as wide as the paper, and its QR code decodes
// with zbarimg to the order number, for both encodings and paper widths.
func TestRenderPNGQRDecodes(t *testing.T) {
	for _, tt := range []struct {
		enc Encoding
		w   int
	}{{Big5, 48}, {GB18030, 32}, {Big5, 42}} {
		t.Run(fmt.Sprintf("%s-%d", tt.enc, tt.w), func(t *testing.T) {
			r := SampleReceipt(tt.enc)
			if tt.w == 42 { // a QR over 125 bytes: pL pH both in use
				r.QR = "https://pay.example.hk/receipt/T20261123170509001?sig=" + strings.Repeat("0123456789abcdef", 16)
			}
			p := printed(t, r, tt.w, tt.enc)
			var buf bytes.Buffer
			if err := p.RenderPNG(&buf); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := img.Bounds().Dx(), tt.w*12+2*margin; got != want {
				t.Errorf("width %d, want %d", got, want)
			}
			path := filepath.Join(t.TempDir(), "receipt.png")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := zbarimg(t, path); got != r.QR {
				t.Errorf("zbarimg read %q, want %q", got, r.QR)
			}
		})
	}
}

func blackIn(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c, _, _, _ := img.At(x, y).RGBA(); c == 0 {
				n++
			}
		}
	}
	return n
}

// A Chinese character is drawn from its Unifont glyph in a 24x24 cell, an
// ASCII one in 12x24, a character the font lacks as a box.
func TestRenderGlyphs(t *testing.T) {
	line := func(text string, wide bool) *Printout {
		return &Printout{Width: 32, Elements: []Element{{Kind: KindText, Runs: []Run{{Text: text, Wide: wide, W: 1, H: 1}}}}}
	}
	cell := func(col, cols int) image.Rectangle {
		return image.Rect(margin+col*12, margin, margin+(col+cols)*12, margin+24)
	}
	img, err := line("中", true).Image()
	if err != nil {
		t.Fatal(err)
	}
	// 中: a vertical stroke through the middle of the cell, nothing right of it.
	if n := blackIn(img, cell(0, 2)); n < 60 {
		t.Errorf("中 drew %d dots", n)
	}
	if n := blackIn(img, cell(2, 30)); n != 0 {
		t.Errorf("%d dots outside the cell", n)
	}
	if n := blackIn(img, image.Rect(margin+11, margin, margin+13, margin+24)); n < 20 {
		t.Errorf("no vertical stroke in 中 (%d)", n)
	}
	img, _ = line("A", false).Image()
	if n := blackIn(img, cell(0, 1)); n < 20 || blackIn(img, cell(1, 31)) != 0 {
		t.Errorf("A drew %d dots in its cell", n)
	}
	img, _ = line("\U0001F600", true).Image() // not in the font: a box
	if n := blackIn(img, cell(0, 2)); n < 60 {
		t.Errorf("missing glyph box: %d dots", n)
	}
}
