package scanner

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func feedAll(f *Framer, chunks ...string) []Frame {
	var out []Frame
	for _, c := range chunks {
		f.Feed([]byte(c), func(fr Frame) { out = append(out, fr) })
	}
	return out
}

func code(s string) Frame            { return Frame{Code: s, Len: len(s)} }
func drop(r DropReason, n int) Frame { return Frame{Drop: r, Len: n} }

func TestFramer(t *testing.T) {
	long := strings.Repeat("1", 129)
	max := strings.Repeat("2", 128)
	tests := []struct {
		name    string
		suffix  Suffix
		chunks  []string
		want    []Frame
		pending int
	}{
		{"cr", SuffixCR, []string{"134567890123456789\r"}, []Frame{code("134567890123456789")}, 0},
		{"lf", SuffixLF, []string{"28385470235615740\n"}, []Frame{code("28385470235615740")}, 0},
		{"crlf", SuffixCRLF, []string{"6212345678901234567\r\n"}, []Frame{code("6212345678901234567")}, 0},
		{"crlf split", SuffixCRLF, []string{"123", "45\r", "\n678\r", "\n"}, []Frame{code("12345"), code("678")}, 0},
		{"crlf stray cr", SuffixCRLF, []string{"12\r34\r\n"}, []Frame{drop(DropControl, 5)}, 0},
		{"auto cr", SuffixAuto, []string{"abc\rdef\r"}, []Frame{code("abc"), code("def")}, 0},
		{"auto lf", SuffixAuto, []string{"abc\ndef\n"}, []Frame{code("abc"), code("def")}, 0},
		{"auto crlf", SuffixAuto, []string{"abc\r", "\ndef\r\n"}, []Frame{code("abc"), code("def")}, 0},
		{"auto lfcr is two suffixes", SuffixAuto, []string{"abc\n\rdef\n"}, []Frame{code("abc"), code("def")}, 0},
		{"empty frames ignored", SuffixAuto, []string{"\r\n\r\n\n\n"}, nil, 0},
		{"lf in cr mode is a control char", SuffixCR, []string{"abc\r\ndef\r"}, []Frame{code("abc"), drop(DropControl, 4)}, 0},
		{"128 bytes pass", SuffixCR, []string{max + "\r"}, []Frame{code(max)}, 0},
		{"129 bytes dropped", SuffixCR, []string{long + "\r", "ok\r"}, []Frame{drop(DropTooLong, 129), code("ok")}, 0},
		{"very long dropped whole", SuffixLF, []string{strings.Repeat("x", 5000), "\nok\n"}, []Frame{drop(DropTooLong, 5000), code("ok")}, 0},
		{"control char", SuffixCR, []string{"12\x0034\r"}, []Frame{drop(DropControl, 5)}, 0},
		{"escape", SuffixCR, []string{"\x1b[A\r"}, []Frame{drop(DropControl, 3)}, 0},
		{"del", SuffixCR, []string{"12\x7f\r"}, []Frame{drop(DropControl, 3)}, 0},
		{"c1 control", SuffixCR, []string{"12\u0085\r"}, []Frame{drop(DropControl, 4)}, 0},
		{"bad utf8", SuffixCR, []string{"12\xff\r"}, []Frame{drop(DropBadUTF8, 3)}, 0},
		{"utf8 passes", SuffixCR, []string{"訂單123\r"}, []Frame{code("訂單123")}, 0},
		{"unterminated pending", SuffixCR, []string{"1234"}, nil, 4},
		{"crlf pending cr", SuffixCRLF, []string{"1234\r"}, nil, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFramer(tt.suffix, 0)
			got := feedAll(f, tt.chunks...)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("frames = %+v, want %+v", got, tt.want)
			}
			if f.Pending() != tt.pending {
				t.Errorf("pending = %d, want %d", f.Pending(), tt.pending)
			}
			fr, ok := f.Flush()
			if ok != (tt.pending > 0) || (ok && (fr.Drop != DropIncomplete || fr.Len != tt.pending)) {
				t.Errorf("flush = %+v %v", fr, ok)
			}
		})
	}
}

// Byte-at-a-time feeding gives the same frames as one chunk.
func TestFramerChunkingInvariant(t *testing.T) {
	stream := "134567890123456789\r\n" + strings.Repeat("9", 200) + "\r\nab\x01c\r\n2838547023561574\r\n"
	for _, sfx := range []Suffix{SuffixAuto, SuffixCR, SuffixLF, SuffixCRLF} {
		whole := feedAll(NewFramer(sfx, 0), stream)
		var bytesWise []string
		for i := range len(stream) {
			bytesWise = append(bytesWise, stream[i:i+1])
		}
		one := feedAll(NewFramer(sfx, 0), bytesWise...)
		if !reflect.DeepEqual(whole, one) {
			t.Errorf("%s: chunked %+v != bytewise %+v", sfx, whole, one)
		}
	}
}

func TestParseSuffix(t *testing.T) {
	for in, want := range map[string]Suffix{"": SuffixAuto, "CR": SuffixCR, "lf": SuffixLF, "CrLf": SuffixCRLF, "auto": SuffixAuto} {
		if got, err := ParseSuffix(in); err != nil || got != want {
			t.Errorf("ParseSuffix(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSuffix("tab"); err == nil {
		t.Error("ParseSuffix(tab) accepted")
	}
}

func FuzzFramer(f *testing.F) {
	f.Add([]byte("134567890123456789\r\n"), uint8(0), uint8(3))
	f.Add([]byte("abc\rdef\n\r\n"), uint8(1), uint8(1))
	f.Add(bytes.Repeat([]byte("9"), 300), uint8(2), uint8(7))
	f.Add([]byte("12\x00\xff\u0085\r"), uint8(3), uint8(2))
	suffixes := []Suffix{SuffixAuto, SuffixCR, SuffixLF, SuffixCRLF}
	f.Fuzz(func(t *testing.T, data []byte, sfx, split uint8) {
		fr := NewFramer(suffixes[int(sfx)%len(suffixes)], 0)
		var frames []Frame
		emit := func(x Frame) { frames = append(frames, x) }
		step := int(split)%16 + 1
		for i := 0; i < len(data); i += step {
			fr.Feed(data[i:min(i+step, len(data))], emit)
			if len(fr.buf) > DefaultMaxLen {
				t.Fatalf("buffer grew to %d", len(fr.buf))
			}
		}
		total := 0
		for _, x := range frames {
			if x.Drop == "" {
				if x.Code == "" || len(x.Code) > DefaultMaxLen || hasControl([]byte(x.Code)) || strings.ContainsAny(x.Code, "\r\n") {
					t.Fatalf("bad code delivered: %q", x.Code)
				}
			} else if x.Code != "" || x.Len <= 0 {
				t.Fatalf("bad drop: %+v", x)
			}
			total += x.Len
		}
		if total+fr.Pending() > len(data) {
			t.Fatalf("frames hold %d+%d bytes, input %d", total, fr.Pending(), len(data))
		}
	})
}
