package main

import (
	"testing"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestFrequentCharacters: Big5 level 1 is 5,401 ideographs, GB2312 level 1
// is 3,755.
func TestFrequentCharacters(t *testing.T) {
	count := func(s string) int {
		n := 0
		for _, r := range s {
			if unicode.Is(unicode.Han, r) {
				n++
			}
		}
		return n
	}
	big5 := decodeRange(traditionalchinese.Big5, [2]int{0xA4, 0xC5}, [2]int{0x40, 0xFE}) +
		decodeRange(traditionalchinese.Big5, [2]int{0xC6, 0xC6}, [2]int{0x40, 0x7E})
	if n := count(big5); n != 5401 {
		t.Errorf("Big5 level 1: %d ideographs", n)
	}
	if n := count(decodeRange(simplifiedchinese.GBK, [2]int{0xB0, 0xD7}, [2]int{0xA1, 0xFE})); n != 3755 {
		t.Errorf("GB2312 level 1: %d ideographs", n)
	}
}

func TestCharSetHoldsTheTexts(t *testing.T) {
	set, err := charSet("../../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "收款今日訂單日結設定掃描顧客付款碼嘅㗎 ，。（）Ａ" {
		if !set[r] {
			t.Errorf("%q missing", r)
		}
	}
	if len(set) < 7500 {
		t.Errorf("only %d characters", len(set))
	}
}
