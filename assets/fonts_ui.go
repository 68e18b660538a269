package assets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/font/opentype/tables"
)

// UIFont is the screen font for Chinese: the part of Droid Sans Fallback
// (Apache-2.0, fonts/DROID-LICENSE.txt) that the terminal's own texts and
// everyday Traditional and Simplified Chinese use, about 7,300 characters
// (fonts/DroidSansFallback-subset.txt, cut by assets/internal/mkuifont). It
// has no Latin letters; the UI theme puts it before Fyne's own font, which
// draws those. Fyne parses the screen font once per text style, so its size
// is much of the terminal's Go heap: 3.6 MiB a style, the whole font 12.9.
//
//go:embed fonts/DroidSansFallback-subset.ttf
var UIFont []byte

// UIFontName is the file name of UIFont.
const UIFontName = "DroidSansFallback-subset.ttf"

// uiFontFull is the whole of Droid Sans Fallback (28,600 characters),
// gzipped: see UIFontFull.
//
//go:embed fonts/DroidSansFallbackFull.ttf.gz
var uiFontFull []byte

// UIFontFullName is the file name of the whole font.
const UIFontFullName = "DroidSansFallbackFull.ttf"

// UIFontLicense is the licence notice of UIFont and the whole font.
//
//go:embed fonts/DROID-LICENSE.txt
var UIFontLicense string

var (
	subsetOnce sync.Once
	subsetMap  font.Cmap
	subsetErr  error

	fullOnce sync.Once
	fullFont []byte
	fullMap  font.Cmap
	fullErr  error
)

// UIFontFull returns the whole font, unpacked on first use (4 MB), for a
// store whose own texts need characters UIFont lacks (UIFontNeedsFull).
func UIFontFull() ([]byte, error) {
	fullOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(uiFontFull))
		if err != nil {
			fullErr = fmt.Errorf("%s: %w", UIFontFullName, err)
			return
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			fullErr = fmt.Errorf("%s: %w", UIFontFullName, err)
			return
		}
		fullFont = b
		fullMap, fullErr = cmapOf(b)
	})
	return fullFont, fullErr
}

// UIFontNeedsFull reports whether s holds a character that UIFont lacks and
// the whole font has. Only a character from U+2E80 on that UIFont lacks
// makes it look into the whole font (unpacking it, once).
func UIFontNeedsFull(s string) bool {
	subsetOnce.Do(func() { subsetMap, subsetErr = cmapOf(UIFont) })
	for _, r := range s {
		if r < 0x2E80 {
			continue
		}
		if subsetErr == nil {
			if _, ok := subsetMap.Lookup(r); ok {
				continue
			}
		}
		if _, err := UIFontFull(); err != nil {
			return false
		}
		if _, ok := fullMap.Lookup(r); ok {
			return true
		}
	}
	return false
}

// cmapOf reads only the character map of a TrueType font.
func cmapOf(b []byte) (font.Cmap, error) {
	ld, err := ot.NewLoader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	raw, err := ld.RawTable(ot.MustNewTag("cmap"))
	if err != nil {
		return nil, err
	}
	cm, _, err := tables.ParseCmap(raw)
	if err != nil {
		return nil, err
	}
	m, _, err := font.ProcessCmap(cm, 0)
	return m, err
}
