package printer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"qrpos/assets"
)

// ChineseMode is how a printer prints Chinese text.
type ChineseMode string

// The ways to print Chinese.
const (
	// ChineseNative sends Chinese in the printer's code system (Big5 or
	// GB18030) for its own double-byte font.
	ChineseNative ChineseMode = "native"
	// ChineseRaster draws every line that holds non-ASCII text as a
	// bitmap (GS v 0) with the bundled font (GNU Unifont, 12x24 and 24x24
	// dots as the printer's own fonts): any ESC/POS printer prints it, with
	// or without a Chinese font, whatever code system it is set to, and
	// Hong Kong characters outside Big5 print too. Lines of plain ASCII
	// still go as text. It costs bandwidth: about 2 KB a line on 80 mm
	// paper, so a receipt takes some seconds on a 9600-baud line.
	ChineseRaster ChineseMode = "raster"
)

// ParseChinese reads "native" or "raster" (any case; "" is native).
func ParseChinese(s string) (ChineseMode, error) {
	switch m := ChineseMode(strings.ToLower(s)); m {
	case ChineseNative, ChineseRaster:
		return m, nil
	case "":
		return ChineseNative, nil
	}
	return "", fmt.Errorf("printer: unknown chinese mode %q (want native or raster)", s)
}

// DotsPerLine is the width in dots of a paper width in columns of the
// 12-dot font: 384 (32 columns, 58 mm), 504 (42, 80 mm on 512-dot
// printers), 576 (48, 80 mm on 576-dot printers). Raster lines are never
// wider, so they print whole on every printer of that width.
func DotsPerLine(cols int) int { return cols * dotsPerCol }

// rasterizer draws lines of text as bitmaps a paper's width wide, with the
// same glyphs, cells and line pitch as the virtual printer draws text, so
// a rastered receipt looks as the native one does.
type rasterizer struct {
	dots int
	font *assets.Font
}

// RasterChinese makes Line draw every line that holds non-ASCII text as a
// bitmap for paper dots wide (see ChineseRaster), in the alignment, bold
// and size in force. Text still sends text.
func (e *Encoder) RasterChinese(dots int) error {
	font, err := assets.Unifont()
	if err != nil {
		return fmt.Errorf("printer: raster font: %w", err)
	}
	if dots <= 0 || dots%8 != 0 {
		return fmt.Errorf("printer: raster width %d dots (want a positive multiple of 8)", dots)
	}
	e.raster = &rasterizer{dots: dots, font: font}
	return nil
}

// isASCII reports text the printer's single-byte font prints as it is.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// imageLine prints s as one raster image (GS v 0, normal density). The
// image starts at the left margin and holds the alignment's blank space
// itself, so it lands where text would whether or not the printer applies
// ESC a to images; ESC a is set back afterwards.
func (e *Encoder) imageLine(s string) *Encoder {
	bits, wBytes, height := e.raster.draw(s, e.align, e.bold, e.w, e.h)
	if e.align != Left {
		e.Raw(esc, 'a', byte(Left))
	}
	e.Raw(gs, 'v', '0', 0, byte(wBytes), byte(wBytes>>8), byte(height), byte(height>>8))
	e.buf = append(e.buf, bits...)
	if e.align != Left {
		e.Raw(esc, 'a', byte(e.align))
	}
	return e
}

// draw renders one line: rows of wBytes bytes, most significant bit
// leftmost, as wide as the text's right edge (plus a bold dot) needs.
func (r *rasterizer) draw(s string, a Align, bold bool, mw, mh int) (bits []byte, wBytes, height int) {
	mw, mh = max(mw, 1), max(mh, 1)
	textDots := TextWidth(s) * dotsPerCol * mw
	x0 := 0
	switch a {
	case Center:
		x0 = max(r.dots-textDots, 0) / 2
	case Right:
		x0 = max(r.dots-textDots, 0)
	}
	right := min(x0+textDots+1, r.dots)
	wBytes = max((right+7)/8, 1)
	height = charHeight*mh + lineSpacing
	bits = make([]byte, wBytes*height)
	set := func(x, y int) {
		if x >= 0 && x < wBytes*8 && y >= 0 && y < height {
			bits[y*wBytes+x/8] |= 0x80 >> (x % 8)
		}
	}
	x := x0
	for _, ch := range s {
		cw := dotsPerCol * mw * RuneWidth(ch)
		drawGlyph(r.font, ch, x, 0, cw, charHeight*mh, mw, mh, bold, set)
		x += cw
	}
	return bits, wBytes, height
}

// rasterPrintable is Printable for raster printing: control characters
// become spaces, characters the bundled font lacks become '?'.
func rasterPrintable(s string) string {
	font, err := assets.Unifont()
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte(' ')
		case r < 0x80:
			b.WriteRune(r)
		case err == nil && hasGlyph(font, r):
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func hasGlyph(f *assets.Font, r rune) bool {
	_, ok := f.Glyph(r)
	return ok
}
