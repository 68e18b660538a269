// Command mkuifont cuts the screen font that the terminal loads at start out
// of Droid Sans Fallback: the characters of the translations and of the
// program's own texts, Big5's and GB2312's symbols and frequently used
// characters, Hong Kong's shop and Cantonese characters and the CJK
// punctuation and full-width forms (chars.go): about 7,300 of the font's
// 28,600 characters. Run it after a translation or a text gains a Chinese
// character that the subset lacks (assets' TestUIFontCoversTexts says
// which):
//
//	make uifont
//
// which installs Debian's fonttools (pyftsubset) and runs
//
//	go run ./assets/internal/mkuifont
//
// It writes assets/fonts/DroidSansFallback-subset.txt (the characters, for
// review) and assets/fonts/DroidSansFallback-subset.ttf (no hinting: Fyne
// does not hint), both committed, so that building and testing need no
// Python. The whole font stays in assets/fonts/DroidSansFallbackFull.ttf.gz,
// loaded only when a store's own texts need a character the subset lacks.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	root := flag.String("root", ".", "the module's root directory")
	full := flag.String("full", "assets/fonts/DroidSansFallbackFull.ttf.gz", "the whole font, gzipped")
	out := flag.String("out", "assets/fonts/DroidSansFallback-subset.ttf", "the subset to write")
	list := flag.String("chars", "assets/fonts/DroidSansFallback-subset.txt", "the list of characters to write")
	flag.Parse()
	if err := run(*root, *full, *out, *list); err != nil {
		fmt.Fprintln(os.Stderr, "mkuifont:", err)
		os.Exit(1)
	}
}

func run(root, full, out, list string) error {
	set, err := charSet(root)
	if err != nil {
		return err
	}
	if err := os.WriteFile(list, []byte(sortedText(set)), 0o644); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "mkuifont-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ttf := filepath.Join(tmp, "full.ttf")
	if err := gunzip(full, ttf); err != nil {
		return err
	}
	cmd := exec.Command("pyftsubset", ttf, "--text-file="+list, "--output-file="+out,
		"--no-hinting", "--name-IDs=*", "--name-languages=*", "--drop-tables+=vhea,vmtx")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pyftsubset (Debian package fonttools): %w", err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "mkuifont: %d characters asked for, %s is %d bytes\n", len(set), out, fi.Size())
	return nil
}

// gunzip writes the gzipped file from to the file to.
func gunzip(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, zr); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	return os.WriteFile(to, buf.Bytes(), 0o644)
}
