// Package assets holds the files the terminal embeds: the icon, translations
// and fonts. It owns no logic beyond decoding them and imports nothing of
// the project.
package assets

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// unifontHex is a subset of GNU Unifont in its .hex format, gzipped; see
// fonts/UNIFONT-LICENSE.txt (SIL OFL 1.1) and assets/internal/mkfont.
//
//go:embed fonts/unifont-subset.hex.gz
var unifontHex []byte

// UnifontLicense is the licence of the embedded Unifont subset, for an
// about box or a --licenses flag.
//
//go:embed fonts/UNIFONT-LICENSE.txt
var UnifontLicense string

// Glyph is one Unifont bitmap, 16 rows high and 8 or 16 dots wide. Row i,
// column x (0 = left) is set when Rows[i] has bit 15-x set.
type Glyph struct {
	Width int
	Rows  [16]uint16
}

// Set reports whether the dot at column x, row y is black.
func (g Glyph) Set(x, y int) bool {
	if x < 0 || x >= g.Width || y < 0 || y >= 16 {
		return false
	}
	return g.Rows[y]&(1<<(15-x)) != 0
}

// Font maps runes to bitmap glyphs: two slices in code point order, looked
// up by binary search (a map of the 32,000 glyphs took 3.8 MiB of heap,
// these take 1.4 MiB).
type Font struct {
	runes  []rune
	glyphs []Glyph
}

// Glyph returns the glyph of r and whether the font has one.
func (f *Font) Glyph(r rune) (Glyph, bool) {
	i, ok := slices.BinarySearch(f.runes, r)
	if !ok {
		return Glyph{}, false
	}
	return f.glyphs[i], true
}

// Len is the number of glyphs in the font.
func (f *Font) Len() int { return len(f.runes) }

// add appends a glyph read from the file.
func (f *Font) add(r rune, g Glyph) {
	f.runes = append(f.runes, r)
	f.glyphs = append(f.glyphs, g)
}

// sortGlyphs puts the glyphs in code point order when the file did not
// have them so; of a code point given twice the last glyph counts.
func (f *Font) sortGlyphs() {
	increasing := true
	for i := 1; i < len(f.runes) && increasing; i++ {
		increasing = f.runes[i-1] < f.runes[i]
	}
	if increasing {
		return
	}
	idx := make([]int, len(f.runes))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(f.runes[a], f.runes[b]) })
	runes, glyphs := make([]rune, 0, len(idx)), make([]Glyph, 0, len(idx))
	for _, i := range idx {
		if n := len(runes); n > 0 && runes[n-1] == f.runes[i] {
			glyphs[n-1] = f.glyphs[i]
			continue
		}
		runes, glyphs = append(runes, f.runes[i]), append(glyphs, f.glyphs[i])
	}
	f.runes, f.glyphs = runes, glyphs
}

var (
	unifontOnce sync.Once
	unifont     *Font
	unifontErr  error
)

// Unifont returns the embedded GNU Unifont subset (ASCII, Latin-1,
// punctuation, box drawing, CJK punctuation, kana, CJK Unified Ideographs
// with extension A and compatibility ideographs, full-width forms). It is
// decoded once, on first use.
func Unifont() (*Font, error) {
	unifontOnce.Do(func() {
		unifont, unifontErr = ParseHex(unifontHex, true)
	})
	return unifont, unifontErr
}

// ParseHex reads a font in Unifont's .hex format ("XXXX:hexbits" lines of
// 32 hex digits for 8x16 glyphs or 64 for 16x16 ones), optionally gzipped.
func ParseHex(data []byte, gzipped bool) (*Font, error) {
	var r = bytes.NewReader(data)
	sc := bufio.NewScanner(r)
	if gzipped {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("unifont: %w", err)
		}
		defer zr.Close()
		sc = bufio.NewScanner(zr)
	}
	f := &Font{runes: make([]rune, 0, 32768), glyphs: make([]Glyph, 0, 32768)}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		cp, bits, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("unifont line %d: no colon", line)
		}
		r, err := strconv.ParseUint(cp, 16, 32)
		if err != nil {
			return nil, fmt.Errorf("unifont line %d: code point: %w", line, err)
		}
		raw, err := hex.DecodeString(bits)
		if err != nil {
			return nil, fmt.Errorf("unifont line %d: bitmap: %w", line, err)
		}
		var g Glyph
		switch len(raw) {
		case 16:
			g.Width = 8
			for i := range 16 {
				g.Rows[i] = uint16(raw[i]) << 8
			}
		case 32:
			g.Width = 16
			for i := range 16 {
				g.Rows[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
		default:
			return nil, fmt.Errorf("unifont line %d: bitmap of %d bytes", line, len(raw))
		}
		f.add(rune(r), g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("unifont: %w", err)
	}
	f.sortGlyphs()
	return f, nil
}
