package scanner

import (
	"strings"
	"testing"
)

// BenchmarkFramer: framing a burst of codes as they come off the port.
func BenchmarkFramer(b *testing.B) {
	stream := []byte(strings.Repeat("134567890123456789\r\n2838547023561574\r\n6212345678901234567\r\n", 20))
	f := NewFramer(SuffixAuto, 0)
	n := 0
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		f.Feed(stream, func(Frame) { n++ })
	}
	if n == 0 {
		b.Fatal("no frames")
	}
}
