package printer

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Encoding is the double-byte code system a printer is set to.
type Encoding string

// The encodings a printer can be set to.
const (
	Big5    Encoding = "big5"    // Traditional Chinese (Hong Kong, Taiwan); standard Big5, no HKSCS
	GB18030 Encoding = "gb18030" // Simplified Chinese (mainland)
)

// ParseEncoding reads "big5" or "gb18030" (any case; "" is big5).
func ParseEncoding(s string) (Encoding, error) {
	switch e := Encoding(strings.ToLower(s)); e {
	case Big5, GB18030:
		return e, nil
	case "":
		return Big5, nil
	}
	return "", fmt.Errorf("printer: unknown encoding %q (want big5 or gb18030)", s)
}

func (e Encoding) codec() encoding.Encoding {
	if e == GB18030 {
		return simplifiedchinese.GB18030
	}
	return traditionalchinese.Big5
}

// encodeRune appends the double-byte encoding of a non-ASCII rune; ok is
// false when the code system has no such character.
func (e Encoding) encodeRune(dst []byte, r rune) ([]byte, bool) {
	if e == Big5 {
		c, ok := big5Table()[r]
		if !ok {
			return dst, false
		}
		return append(dst, c[0], c[1]), true
	}
	var src [utf8.UTFMax]byte
	var out [8]byte
	n := utf8.EncodeRune(src[:], r)
	enc := gbEncoders.Get().(*encoding.Encoder)
	defer gbEncoders.Put(enc)
	enc.Reset()
	nDst, _, err := enc.Transform(out[:], src[:n], true)
	if err != nil || nDst == 0 {
		return dst, false
	}
	return append(dst, out[:nDst]...), true
}

var gbEncoders = sync.Pool{New: func() any { return simplifiedchinese.GB18030.NewEncoder() }}

var (
	big5Once sync.Once
	big5Map  map[rune][2]byte
)

// big5Table maps runes to standard Big5: symbols A140-A3BF, level 1
// A440-C67E, level 2 C940-F9D5; no ETEN or Hong Kong (HKSCS) extension,
// which a Big5 printer's font does not have. x/text's Big5 is the WHATWG
// one: its decoder is used to build the table, but not its encoder, which
// returns HKSCS codes for some standard characters (港 as FD BB, not
// B4 E4).
func big5Table() map[rune][2]byte {
	big5Once.Do(func() {
		big5Map = make(map[rune][2]byte, 13500)
		dec := traditionalchinese.Big5.NewDecoder()
		for lead := 0xa1; lead <= 0xf9; lead++ {
			for _, trail := range big5Trails {
				code := lead<<8 | trail
				if (code > 0xa3bf && code < 0xa440) || (code > 0xc67e && code < 0xc940) || code > 0xf9d5 {
					continue
				}
				out, err := dec.Bytes([]byte{byte(lead), byte(trail)})
				if err != nil {
					continue
				}
				r, size := utf8.DecodeRune(out)
				if r == utf8.RuneError || size != len(out) {
					continue
				}
				if _, dup := big5Map[r]; !dup {
					big5Map[r] = [2]byte{byte(lead), byte(trail)}
				}
			}
		}
	})
	return big5Map
}

var big5Trails = func() []int {
	var t []int
	for b := 0x40; b <= 0x7e; b++ {
		t = append(t, b)
	}
	for b := 0xa1; b <= 0xfe; b++ {
		t = append(t, b)
	}
	return t
}()

// Printable rewrites s to what the printer can print in this encoding:
// control characters become spaces and characters the code system lacks
// become '?'.
func (e Encoding) Printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte(' ')
		case r < 0x80:
			b.WriteRune(r)
		default:
			if _, ok := e.encodeRune(nil, r); ok {
				b.WriteRune(r)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// RuneWidth is the number of columns r takes on the printer: 1 for ASCII,
// 2 for everything printed from the double-byte font.
func RuneWidth(r rune) int {
	if r < 0x80 {
		return 1
	}
	return 2
}

// TextWidth is the number of columns s takes (see RuneWidth).
func TextWidth(s string) int {
	n := 0
	for _, r := range s {
		n += RuneWidth(r)
	}
	return n
}
