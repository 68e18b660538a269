// Command mkfont cuts the subset of GNU Unifont that the receipt renderer
// needs out of Debian's unifont.hex (package unifont) and writes it gzipped
// for go:embed:
//
//	go run ./assets/internal/mkfont -in /usr/share/unifont/unifont.hex -out assets/fonts/unifont-subset.hex.gz
//
// It keeps the .hex format ("XXXX:hexbits", 8x16 or 16x16 bitmaps) and only
// drops lines outside the ranges below, so the output is a plain subset of
// the upstream font and the upstream licence applies unchanged.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ranges are the blocks a Hong Kong receipt can hold: ASCII and Latin-1,
// punctuation, currency and box drawing, CJK punctuation, kana, the CJK
// Unified Ideographs with extension A and the compatibility ideographs, the
// CJK compatibility forms, the half- and full-width forms, and U+FFFD.
var ranges = [][2]rune{
	{0x0020, 0x007E}, {0x00A0, 0x00FF},
	{0x2000, 0x206F}, {0x20A0, 0x20CF}, {0x2100, 0x214F}, {0x2190, 0x21FF},
	{0x2500, 0x25FF},
	{0x3000, 0x30FF},
	{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF},
	{0xFE30, 0xFE4F}, {0xFF00, 0xFFEF}, {0xFFFD, 0xFFFD},
}

func keep(r rune) bool {
	for _, rg := range ranges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

func main() {
	in := flag.String("in", "/usr/share/unifont/unifont.hex", "Unifont .hex file")
	out := flag.String("out", "assets/fonts/unifont-subset.hex.gz", "gzipped subset to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkfont:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(o, gzip.BestCompression)
	if err != nil {
		return err
	}
	kept := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		cp, bits, ok := strings.Cut(line, ":")
		if !ok || (len(bits) != 32 && len(bits) != 64) {
			continue
		}
		r, err := strconv.ParseUint(cp, 16, 32)
		if err != nil || !keep(rune(r)) {
			continue
		}
		if _, err := fmt.Fprintln(zw, line); err != nil {
			return err
		}
		kept++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "mkfont: kept %d glyphs in %s\n", kept, out)
	return nil
}
