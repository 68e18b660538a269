package assets

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUIFontCoversTexts fails when a translation or a text in the program
// holds a Chinese character (or any other the whole font draws) that the
// screen font subset lacks: run `make uifont` to cut the subset again.
func TestUIFontCoversTexts(t *testing.T) {
	sub, err := cmapOf(UIFont)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := UIFontFull(); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{} // text -> where
	err = fs.WalkDir(Translations, TranslationsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Translations.ReadFile(p)
		if err != nil {
			return err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		for k, v := range m {
			texts[v] = p + " " + k
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && p != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		texts[string(b)] = p
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	missing := map[rune]string{}
	for text, where := range texts {
		for _, r := range text {
			if _, ok := sub.Lookup(r); ok {
				continue
			}
			if _, ok := fullMap.Lookup(r); ok {
				missing[r] = where
			}
		}
	}
	for r, where := range missing {
		t.Errorf("%q (U+%04X, %s) is not in %s: run make uifont", r, r, where, UIFontName)
	}
	if len(texts) < 400 {
		t.Errorf("only %d texts read", len(texts))
	}
}

func TestUIFontNeedsFull(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", false},
		{"Ho Mei Cafe · Café", false},
		{"好味茶餐廳", false},
		{"好味茶餐厅", false}, // Simplified
		{"嘅㗎啲冇", false},  // Cantonese
		{"合計 TOTAL：HK$88.50", false},
		{"龘記", true},          // U+9F98: in the whole font only
		{"好味 䶵", true},        // U+4DB5, extension A
		{"\U00020B9F", false}, // extension B: in neither font
		{"☕", false},          // not in either Droid font: the system's fonts draw it
	}
	for _, tt := range tests {
		if got := UIFontNeedsFull(tt.text); got != tt.want {
			t.Errorf("UIFontNeedsFull(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestUIFontSubsetOfFull(t *testing.T) {
	full, err := UIFontFull()
	if err != nil {
		t.Fatal(err)
	}
	if len(full) < 3<<20 || len(UIFont) > len(full)/3 {
		t.Errorf("whole font %d bytes, subset %d", len(full), len(UIFont))
	}
	sub, err := cmapOf(UIFont)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := rune(0x3400); r <= 0x9FFF; r++ {
		_, inFull := fullMap.Lookup(r)
		if _, inSub := sub.Lookup(r); inSub {
			n++
			if !inFull {
				t.Errorf("U+%04X in the subset, not in the whole font", r)
			}
		}
	}
	if n < 6500 || n > 9000 {
		t.Errorf("the subset has %d ideographs, want about 6,800", n)
	}
	if _, ok := sub.Lookup(' '); !ok {
		t.Error("no space: the line height would come from another font")
	}
}

// The tests read the whole font from the repository; the binary has none.
func init() { FullFontFiles = []string{"fonts/DroidSansFallbackFull.ttf.gz"} }

// TestFullFontFiles: the first file that exists is read, unpacked when
// gzipped, plain otherwise; none gives an error that says what to install.
func TestFullFontFiles(t *testing.T) {
	gz, err := readFullFont([]string{"fonts/DroidSansFallbackFull.ttf.gz"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, UIFontFullName)
	if err := os.WriteFile(plain, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readFullFont([]string{filepath.Join(dir, "missing.ttf"), plain, "fonts/DroidSansFallbackFull.ttf.gz"})
	if err != nil || len(got) != len(gz) || len(got) < 3<<20 {
		t.Fatalf("plain file: %d bytes, %v; want %d", len(got), err, len(gz))
	}
	if _, err := cmapOf(got); err != nil {
		t.Fatal(err)
	}
	_, err = readFullFont([]string{filepath.Join(dir, "a.ttf"), filepath.Join(dir, "b.ttf")})
	if err == nil || !strings.Contains(err.Error(), "fonts-droid-fallback") {
		t.Errorf("no file: %v, want the package to install", err)
	}
	bad := filepath.Join(dir, "bad.ttf.gz")
	if err := os.WriteFile(bad, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readFullFont([]string{bad, plain}); err == nil {
		t.Error("a damaged file is taken for the font")
	}
}
