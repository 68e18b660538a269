package assets

import (
	"strings"
	"testing"
)

func TestUnifontCoversReceiptText(t *testing.T) {
	f, err := Unifont()
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() < 25000 {
		t.Errorf("only %d glyphs", f.Len())
	}
	tests := []struct {
		r     rune
		width int
	}{
		{'A', 8}, {'0', 8}, {'$', 8}, {'好', 16}, {'味', 16}, {'餐', 16}, {'厅', 16},
		{'號', 16}, {'㗎', 16}, {'，', 16}, {'。', 16}, {'（', 16}, {'Ａ', 16},
	}
	for _, tt := range tests {
		g, ok := f.Glyph(tt.r)
		if !ok {
			t.Errorf("no glyph for %q", tt.r)
			continue
		}
		if g.Width != tt.width {
			t.Errorf("%q: width %d, want %d", tt.r, g.Width, tt.width)
		}
	}
	// 'A' in Unifont: rows 4..5 have the apex dots "00011000".
	a, _ := f.Glyph('A')
	if !a.Set(3, 4) || !a.Set(4, 4) || a.Set(0, 4) {
		t.Errorf("'A' bitmap unexpected: %04x", a.Rows)
	}
	if _, ok := f.Glyph(0x0E01); ok {
		t.Error("Thai should not be in the subset")
	}
	if !strings.Contains(UnifontLicense, "SIL OPEN FONT LICENSE Version 1.1") {
		t.Error("licence text missing")
	}
}

func TestParseHexRejectsBadLines(t *testing.T) {
	bad := []string{"0041", "ZZZZ:00", "0041:0011", "0041:XX000000000000000000000000000000"}
	for _, s := range bad {
		if _, err := ParseHex([]byte(s), false); err == nil {
			t.Errorf("ParseHex(%q) accepted", s)
		}
	}
	f, err := ParseHex([]byte("0041:0000000018242442427E424242420000\n"), false)
	if err != nil || f.Len() != 1 {
		t.Fatalf("good line: %v", err)
	}
}

// TestParseHexOrder: a file out of code point order is found all the same,
// and of a code point given twice the last glyph counts.
func TestParseHexOrder(t *testing.T) {
	f, err := ParseHex([]byte("0042:00000000000000000000000000000000\n"+
		"0041:0000000018242442427E424242420000\n"+
		"0043:00000000000000000000000000000000\n"+
		"0042:0000000000000000000000000000FFFF\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 3 {
		t.Errorf("%d glyphs, want 3", f.Len())
	}
	if a, ok := f.Glyph('A'); !ok || !a.Set(3, 4) {
		t.Errorf("'A' %v %04x", ok, a.Rows)
	}
	if b, ok := f.Glyph('B'); !ok || b.Rows[15] != 0xFF00 {
		t.Errorf("'B' %v %04x: want the second glyph", ok, b.Rows)
	}
	if _, ok := f.Glyph('D'); ok {
		t.Error("'D' found")
	}
}

func BenchmarkUnifontParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHex(unifontHex, true); err != nil {
			b.Fatal(err)
		}
	}
}
