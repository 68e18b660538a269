package printer

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"github.com/skip2/go-qrcode"

	"qrpos/assets"
)

// Text renders a printout as plain text, one line per printed line, in its
// paper width: alignment is kept, a double-width character is followed by
// a space so columns line up as on paper, QR codes and images show as [QR: content] and
// [image WxH], the cut as a dashed line naming it.
func (p *Printout) Text() string {
	var b strings.Builder
	w := max(p.Width, 1)
	put := func(a Align, s string, cols int) {
		pad := 0
		switch a {
		case Center:
			pad = max(w-cols, 0) / 2
		case Right:
			pad = max(w-cols, 0)
		}
		b.WriteString(strings.TrimRight(strings.Repeat(" ", pad)+s, " "))
		b.WriteByte('\n')
	}
	for _, e := range p.Elements {
		switch e.Kind {
		case KindText:
			var s strings.Builder
			for _, r := range e.Runs {
				pad := strings.Repeat(" ", max(r.W, 1)-1)
				if r.Wide {
					pad += pad
				}
				for _, c := range r.Text {
					s.WriteRune(c)
					s.WriteString(pad) // a magnified character takes more columns
				}
			}
			put(e.Align, s.String(), e.Cols())
		case KindQR:
			s := fmt.Sprintf("[QR: %s]", e.Data)
			put(e.Align, s, TextWidth(s))
		case KindBarcode:
			s := fmt.Sprintf("[barcode: %s]", e.Data)
			put(e.Align, s, TextWidth(s))
		case KindImage:
			s := fmt.Sprintf("[image %dx%d]", e.Raster.Width, e.Raster.Height)
			put(e.Align, s, len(s))
		}
	}
	for _, k := range p.Drawer {
		fmt.Fprintf(&b, "[drawer kick: pin %d, %d ms]\n", []int{2, 5}[k.Pin&1], k.OnMS)
	}
	for _, u := range p.Unknown {
		fmt.Fprintf(&b, "[skipped: %s]\n", u)
	}
	if p.Cut != "" {
		label := " " + p.Cut + " cut "
		side := max(w-len(label), 2) / 2
		b.WriteString(strings.Repeat("-", side) + label + strings.Repeat("-", max(w-side-len(label), 1)) + "\n")
	}
	return b.String()
}

// Dot geometry of the rendering: a 203 dpi thermal head, 12x24 dots for a
// half-width character, 24x24 for a Chinese one (Unifont's 8x16 and 16x16
// bitmaps scaled by 1.5), 30-dot line pitch.
const (
	dotsPerCol  = 12
	charHeight  = 24
	lineSpacing = 6
	margin      = 24 // white paper around the print area, also the QR quiet zone
)

var paperPalette = color.Palette{color.White, color.Black}

// Image draws the printout as a thermal printer would: black dots on white
// paper, the paper's width in dots plus a margin. QR codes are real,
// decodable symbols.
func (p *Printout) Image() (image.Image, error) {
	font, err := assets.Unifont()
	if err != nil {
		return nil, err
	}
	width := max(p.Width, 1) * dotsPerCol
	type placed struct {
		e   Element
		y   int
		h   int
		bmp [][]bool // QR modules
	}
	var items []placed
	y := margin
	for _, e := range p.Elements {
		it := placed{e: e, y: y}
		switch e.Kind {
		case KindText:
			hmax := 1
			for _, r := range e.Runs {
				hmax = max(hmax, r.H)
			}
			it.h = charHeight*hmax + lineSpacing
		case KindQR:
			q, err := qrcode.New(e.Data, qrLevel(e.Level))
			if err != nil {
				return nil, fmt.Errorf("render QR %q: %w", e.Data, err)
			}
			q.DisableBorder = true
			it.bmp = q.Bitmap()
			it.h = len(it.bmp)*max(e.Module, 1) + lineSpacing
		case KindImage:
			it.h = e.Raster.Height
		case KindBarcode:
			it.h = charHeight + lineSpacing
		}
		y += it.h
		items = append(items, it)
	}
	cutY := y + lineSpacing
	img := image.NewPaletted(image.Rect(0, 0, width+2*margin, cutY+margin), paperPalette)
	set := func(x, y int) {
		if x >= 0 && x < width {
			img.SetColorIndex(x+margin, y, 1)
		}
	}
	left := func(a Align, w int) int {
		switch a {
		case Center:
			return max(width-w, 0) / 2
		case Right:
			return max(width-w, 0)
		}
		return 0
	}
	drawText := func(runs []Run, a Align, top, h int) {
		cols := Element{Runs: runs}.Cols()
		x := left(a, cols*dotsPerCol)
		hmax := 1
		for _, r := range runs {
			hmax = max(hmax, r.H)
		}
		for _, r := range runs {
			for _, ch := range r.Text {
				cw := dotsPerCol * max(r.W, 1)
				if r.Wide {
					cw *= 2
				}
				chH := charHeight * max(r.H, 1)
				base := top + (hmax-max(r.H, 1))*charHeight // bottom-align mixed heights
				drawGlyph(font, ch, x, base, cw, chH, max(r.W, 1), max(r.H, 1), r.Bold, set)
				if r.Underline {
					for dx := range cw {
						set(x+dx, base+chH-1)
					}
				}
				x += cw
			}
		}
	}
	for _, it := range items {
		e := it.e
		switch e.Kind {
		case KindText:
			drawText(e.Runs, e.Align, it.y, it.h)
		case KindQR:
			m := max(e.Module, 1)
			x0 := left(e.Align, len(it.bmp)*m)
			for row, bits := range it.bmp {
				for col, on := range bits {
					if !on {
						continue
					}
					for dy := range m {
						for dx := range m {
							set(x0+col*m+dx, it.y+row*m+dy)
						}
					}
				}
			}
		case KindImage:
			r := e.Raster
			x0 := left(e.Align, r.Width)
			stride := (r.Width + 7) / 8
			for row := range r.Height {
				for col := range r.Width {
					if r.Bits[row*stride+col/8]&(0x80>>(col%8)) != 0 {
						set(x0+col, it.y+row)
					}
				}
			}
		case KindBarcode:
			drawText([]Run{{Text: "[barcode: " + e.Data + "]", W: 1, H: 1}}, e.Align, it.y, it.h)
		}
	}
	if p.Cut != "" { // a dashed tear line where the knife went
		for x := 0; x < width+2*margin; x++ {
			if (x/8)%2 == 0 {
				img.SetColorIndex(x, cutY, 1)
			}
		}
	}
	return img, nil
}

// RenderPNG writes the printout as a PNG (see Image).
func (p *Printout) RenderPNG(w io.Writer) error {
	img, err := p.Image()
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// drawGlyph draws one character in a cell of cw x ch dots at (x, y):
// the Unifont bitmap scaled by 1.5 times the magnification, centred
// horizontally (a narrow glyph printed from the wide font keeps its
// shape); bold strikes it twice, one dot apart. A missing glyph is a box.
func drawGlyph(font *assets.Font, r rune, x, y, cw, ch, mw, mh int, bold bool, set func(x, y int)) {
	g, ok := font.Glyph(r)
	if !ok {
		if r == ' ' {
			return
		}
		for dx := 2; dx < cw-2; dx++ {
			set(x+dx, y+2)
			set(x+dx, y+ch-3)
		}
		for dy := 2; dy < ch-2; dy++ {
			set(x+2, y+dy)
			set(x+cw-3, y+dy)
		}
		return
	}
	gw := g.Width * 3 * mw / 2 // scaled glyph width
	gh := 16 * 3 * mh / 2
	ox := x + (cw-gw)/2
	oy := y + (ch-gh)/2
	for ty := range gh {
		gy := ty * 16 / gh
		for tx := range gw {
			if g.Set(tx*g.Width/gw, gy) {
				set(ox+tx, oy+ty)
				if bold {
					set(ox+tx+1, oy+ty)
				}
			}
		}
	}
}

func qrLevel(l QRLevel) qrcode.RecoveryLevel {
	switch l {
	case QRLevelM:
		return qrcode.Medium
	case QRLevelQ:
		return qrcode.High
	case QRLevelH:
		return qrcode.Highest
	}
	return qrcode.Low
}
