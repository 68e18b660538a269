package printer

import (
	"errors"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name string
		raw  [4]byte
		want error
		str  string
	}{
		{"clean", [4]byte{0x12, 0x12, 0x12, 0x12}, nil, "ok"},
		{"near end only warns", [4]byte{0x12, 0x12, 0x12, 0x1e}, nil, "paper near end"},
		{"paper out (sensor)", [4]byte{0x1a, 0x32, 0x12, 0x72}, ErrPaperOut, "offline, paper out"},
		{"paper out (n=2 only)", [4]byte{0x12, 0x32, 0x12, 0x12}, ErrPaperOut, "paper out"},
		{"cover open", [4]byte{0x1a, 0x16, 0x12, 0x12}, ErrCoverOpen, "offline, cover open"},
		{"cover open wins over paper", [4]byte{0x1a, 0x36, 0x12, 0x72}, ErrCoverOpen, "offline, cover open, paper out"},
		{"cutter error", [4]byte{0x1a, 0x52, 0x1a, 0x12}, ErrFault, "offline, cutter error"},
		{"offline, no cause", [4]byte{0x1a, 0x12, 0x12, 0x12}, ErrOffline, "offline"},
	}
	for _, tt := range tests {
		st := ParseStatus(tt.raw)
		err := st.Err()
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: Err() = %v, want %v", tt.name, err, tt.want)
		}
		if err != nil {
			var se *StatusError
			if !errors.As(err, &se) || se.Status.Raw != tt.raw {
				t.Errorf("%s: not a *StatusError with the raw bytes: %v", tt.name, err)
			}
		}
		if st.String() != tt.str {
			t.Errorf("%s: String() = %q, want %q", tt.name, st.String(), tt.str)
		}
	}
}

// The virtual printer's answers are valid status bytes that parse back to
// its state; XON and XOFF are never mistaken for status.
func TestVirtualAnswersParse(t *testing.T) {
	states := []virtualState{{}, {paperOut: true}, {coverOpen: true}, {nearEnd: true}, {fault: true}, {paperOut: true, coverOpen: true}}
	for _, st := range states {
		var raw [4]byte
		for n := byte(1); n <= 4; n++ {
			b, ok := st.answer(n)
			if !ok || !validStatus(b) {
				t.Fatalf("%+v: answer(%d) = %#x %v", st, n, b, ok)
			}
			raw[n-1] = b
		}
		got := ParseStatus(raw)
		if got.PaperOut != st.paperOut || got.CoverOpen != st.coverOpen || got.PaperNearEnd != st.nearEnd ||
			got.CutterError != st.fault || got.Online == (st.paperOut || st.coverOpen) {
			t.Errorf("%+v parsed as %+v", st, got)
		}
	}
	if validStatus(xon) || validStatus(xof) {
		t.Error("XON/XOFF taken for status")
	}
	if _, ok := (virtualState{}).answer(5); ok {
		t.Error("DLE EOT 5 answered")
	}
}
