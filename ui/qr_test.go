package ui

import (
	"image"
	"testing"
)

func TestQRImageQuietZone(t *testing.T) {
	img := qrImage("https://qr.alipay.com/sbx20261123001795427285543001", customerQRSize)
	if img == nil {
		t.Fatal("no image")
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < customerQRSize*3/4 || b.Dx() > customerQRSize {
		t.Fatalf("size %v", b)
	}
	// The four-module quiet zone: the outer ring is white.
	g := img.(*image.Gray)
	m := b.Dx() / 33 // version 4 with border: 33+8 modules; at least the border's width
	for i := 0; i < b.Dx(); i++ {
		for _, p := range [][2]int{{i, 0}, {0, i}, {i, b.Dy() - 1}, {b.Dx() - 1, i}, {i, m}, {m, i}} {
			if g.GrayAt(p[0], p[1]).Y != 0xff {
				t.Fatalf("dark pixel in the quiet zone at %v", p)
			}
		}
	}
	if qrImage("", 100) != nil {
		t.Fatal("an empty code drew a QR image")
	}
}

// BenchmarkQRImage: drawing the customer display's QR code (done on the UI
// goroutine when a QR arrives).
func BenchmarkQRImage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		qrImage("https://qr.alipay.com/sbx20261123001795427285543001", customerQRSize)
	}
}
