package main

// The characters the screen font keeps.

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// hongKong are characters of Hong Kong shop signs, menus, addresses and
// written Cantonese that are not among Big5's 5,401 frequently used
// characters; the font keeps those it has (none beyond the BMP).
const hongKong = "嘅㗎咗啲嘢冇喺佢哋嚟攞睇瞓搵揾乜咩嗰噉咁啱嚿餸氹冚孖唔係咪嘞喇啩囉吖喎咋嘛咯噃啫嘥攰諗揸掂撳㩒執靚嘈踎脷埗涌鰂邨塱撈揼餃滷焗煲燉炆鑊粥麵粉撻菠蘿凍檸蜜酥餅糕糯啡咖鮑翅鯇鱔魷腩腸叉鵝舖鋪苑閣坊墟圍岡坑埔葵荃屯咀筲箕柴鯉澳嶺朗鞍窩嶼蠔蟹蝦鮮燴煎炸焯蒸腐乳豉蠣鴿乸鯪鯧鱸蜆蟶餛飩雲吞燶煀炒奀啤贈鱲"

// blocks are kept whole where the font has them: ASCII (the font's space
// sets the line height), the general punctuation, CJK symbols and
// punctuation, the half- and full-width forms.
var blocks = []*unicode.RangeTable{
	{R16: []unicode.Range16{{Lo: 0x0020, Hi: 0x007E, Stride: 1}}},
	{R16: []unicode.Range16{{Lo: 0x2000, Hi: 0x206F, Stride: 1}}},
	{R16: []unicode.Range16{{Lo: 0x3000, Hi: 0x303F, Stride: 1}}},
	{R16: []unicode.Range16{{Lo: 0xFF00, Hi: 0xFFEF, Stride: 1}}},
}

// charSet is every character the subset keeps: the translations' and the
// program's own texts (string literals in the module's Go files), Big5's
// symbols and 5,401 frequently used characters (level 1), GB2312's symbols
// and 3,755 level-1 characters, the Hong Kong list above and the blocks.
func charSet(root string) (map[rune]bool, error) {
	set := map[rune]bool{}
	add := func(s string) {
		for _, r := range s {
			if r >= ' ' {
				set[r] = true
			}
		}
	}
	if err := addTranslations(filepath.Join(root, "assets", "translations"), add); err != nil {
		return nil, err
	}
	if err := addSources(root, add); err != nil {
		return nil, err
	}
	add(decodeRange(traditionalchinese.Big5, [2]int{0xA1, 0xA3}, [2]int{0x40, 0xFE}))
	add(decodeRange(traditionalchinese.Big5, [2]int{0xA4, 0xC5}, [2]int{0x40, 0xFE}))
	add(decodeRange(traditionalchinese.Big5, [2]int{0xC6, 0xC6}, [2]int{0x40, 0x7E}))
	add(decodeRange(simplifiedchinese.GBK, [2]int{0xA1, 0xA9}, [2]int{0xA1, 0xFE}))
	add(decodeRange(simplifiedchinese.GBK, [2]int{0xB0, 0xD7}, [2]int{0xA1, 0xFE}))
	add(hongKong)
	for _, t := range blocks {
		for _, r16 := range t.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r++ {
				set[r] = true
			}
		}
	}
	return set, nil
}

// decodeRange decodes every two-byte code with its lead and trail bytes in
// the ranges; codes the encoding does not map are skipped.
func decodeRange(enc encoding.Encoding, lead, trail [2]int) string {
	var b strings.Builder
	dec := enc.NewDecoder()
	for l := lead[0]; l <= lead[1]; l++ {
		for t := trail[0]; t <= trail[1]; t++ {
			out, err := dec.Bytes([]byte{byte(l), byte(t)})
			if err != nil || strings.ContainsRune(string(out), unicode.ReplacementChar) {
				continue
			}
			b.Write(out)
		}
	}
	return b.String()
}

// addTranslations adds every text of the translation files.
func addTranslations(dir string, add func(string)) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("translations in %s: %v", dir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var texts map[string]string
		if err := json.Unmarshal(b, &texts); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, t := range texts {
			add(t)
		}
	}
	return nil
}

// addSources adds the module's Go files (tests and testdata excepted).
func addSources(root string, add func(string)) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && p != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		add(string(b))
		return nil
	})
}

// sortedText is the set as text, 64 characters a line.
func sortedText(set map[rune]bool) string {
	rs := make([]rune, 0, len(set))
	for r := range set {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	var b strings.Builder
	for i, r := range rs {
		b.WriteRune(r)
		if i%64 == 63 {
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	return b.String()
}
