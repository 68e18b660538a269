package printer

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkLayout: encode time and bytes of a typical receipt.
func BenchmarkLayout(b *testing.B) {
	for _, enc := range []Encoding{Big5, GB18030} {
		b.Run(string(enc), func(b *testing.B) {
			r := SampleReceipt(enc)
			big5Table() // built once per process, not per receipt
			b.ReportAllocs()
			var n int
			for b.Loop() {
				data, err := Layout(r, Format{Width: 48, Encoding: enc})
				if err != nil {
					b.Fatal(err)
				}
				n = len(data)
			}
			b.ReportMetric(float64(n), "bytes/receipt")
		})
	}
}

// BenchmarkDecode: the virtual printer decoding a receipt.
func BenchmarkDecode(b *testing.B) {
	data, _ := Layout(SampleReceipt(Big5), Format{})
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		v := NewVirtual()
		v.Write(data)
		if v.Last() == nil {
			b.Fatal("nothing printed")
		}
	}
}

// BenchmarkRenderPNG: the receipt preview.
func BenchmarkRenderPNG(b *testing.B) {
	data, _ := Layout(SampleReceipt(Big5), Format{})
	v := NewVirtual()
	v.Write(data)
	p := v.Last()
	if _, err := p.Image(); err != nil { // the font is decoded once per process
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.RenderPNG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrintPty: one receipt printed over a real pty pair at the baud
// rate set, status before and after included, against the line-rate bound
// bytes*10/baud of the receipt alone.
func BenchmarkPrintPty(b *testing.B) {
	data, _ := Layout(SampleReceipt(Big5), Format{})
	for _, baud := range []int{9600, 115200} {
		b.Run(fmt.Sprint(baud), func(b *testing.B) {
			pair := startPair(b, b.TempDir(), "printer-side", "ttyUSB0")
			v := NewVirtual()
			defer v.Close()
			pair.serveA(v)
			p, err := Open(Config{Port: pair.B, Line: Line{Baud: baud}, Flow: FlowXONXOFF, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			r := SampleReceipt(Big5)
			for b.Loop() {
				if err := p.Print(context.Background(), r); err != nil {
					b.Fatal(err)
				}
			}
			bound := time.Duration(len(data)) * 10 * time.Second / time.Duration(baud)
			perOp := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(len(data)), "bytes/receipt")
			b.ReportMetric(float64(bound.Microseconds())/1000, "bound-ms")
			b.ReportMetric(float64(perOp)/float64(bound), "x-bound")
		})
	}
}
