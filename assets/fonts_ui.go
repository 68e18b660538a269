package assets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// UIFontFullName is the file name of the whole font.
const UIFontFullName = "DroidSansFallbackFull.ttf"

// FullFontFiles are the files the whole font is read from, the first that
// exists: fonts/ beside the binary (where the Windows installer and
// `make build` put it), /usr/share/qrpos/fonts (the .deb's), then Debian's
// package fonts-droid-fallback (the same file, byte for byte). A name ending
// in .gz is unpacked. The binary does not carry the whole font (4 MB;
// issue 18): the repository keeps it as fonts/DroidSansFallbackFull.ttf.gz.
var FullFontFiles = fullFontFiles()

func fullFontFiles() []string {
	var files []string
	if exe, err := os.Executable(); err == nil {
		files = append(files, filepath.Join(filepath.Dir(exe), "fonts", UIFontFullName))
	}
	return append(files, "/usr/share/qrpos/fonts/"+UIFontFullName, "/usr/share/fonts/truetype/droid/"+UIFontFullName)
}

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

// UIFontFull returns the whole font, read on first use from the first of
// FullFontFiles that exists, for a store whose own texts need characters
// UIFont lacks (UIFontNeedsFull).
func UIFontFull() ([]byte, error) {
	fullOnce.Do(func() {
		fullFont, fullErr = readFullFont(FullFontFiles)
		if fullErr == nil {
			fullMap, fullErr = cmapOf(fullFont)
		}
	})
	return fullFont, fullErr
}

// readFullFont reads the first of files that exists.
func readFullFont(files []string) ([]byte, error) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(f, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err == nil {
				b, err = io.ReadAll(zr)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s is in none of %s (on Debian: apt-get install fonts-droid-fallback)", UIFontFullName, strings.Join(files, ", "))
}

// UIFontNeedsFull reports whether s holds a character that UIFont lacks and
// the whole font has. Only a character from U+2E80 on that UIFont lacks
// makes it look into the whole font (reading it, once).
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
