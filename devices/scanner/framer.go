package scanner

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Suffix is what the scanner sends after each code.
type Suffix string

// The suffixes a scanner can be set to. SuffixAuto ends a frame at CR or LF
// and takes CRLF as one suffix.
const (
	SuffixAuto Suffix = "auto"
	SuffixCR   Suffix = "cr"
	SuffixLF   Suffix = "lf"
	SuffixCRLF Suffix = "crlf"
)

// ParseSuffix reads "auto", "cr", "lf" or "crlf" (any case).
func ParseSuffix(s string) (Suffix, error) {
	switch x := Suffix(strings.ToLower(s)); x {
	case SuffixAuto, SuffixCR, SuffixLF, SuffixCRLF:
		return x, nil
	case "":
		return SuffixAuto, nil
	}
	return "", fmt.Errorf("scanner: unknown suffix %q (want auto, cr, lf or crlf)", s)
}

// DropReason says why a frame was not delivered as a code.
type DropReason string

// Reasons a frame is dropped.
const (
	DropTooLong    DropReason = "too long"
	DropControl    DropReason = "control character"
	DropBadUTF8    DropReason = "invalid UTF-8"
	DropIncomplete DropReason = "incomplete (no suffix)"
)

// DefaultMaxLen is the longest code accepted, in bytes.
const DefaultMaxLen = 128

// Frame is one suffix-terminated piece of the byte stream: a code, or a
// dropped frame with its reason and length in bytes (its content is not
// kept: it may be part of a customer's code).
type Frame struct {
	Code string
	Drop DropReason
	Len  int
}

// Framer cuts a scanner's byte stream into frames. It holds at most maxLen
// bytes however long a frame runs. The zero value is not usable: use
// NewFramer.
type Framer struct {
	suffix    Suffix
	max       int
	buf       []byte
	overLen   int  // bytes seen in a frame that went over max (0 when not over)
	pendingCR bool // CRLF mode: a CR waits for its LF
	strayCR   bool // CRLF mode: this frame held a CR not followed by LF
	afterCR   bool // auto mode: the last frame ended on CR, so a LF now is its pair
}

// NewFramer makes a framer for the suffix; maxLen <= 0 means DefaultMaxLen.
func NewFramer(suffix Suffix, maxLen int) *Framer {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	if suffix == "" {
		suffix = SuffixAuto
	}
	return &Framer{suffix: suffix, max: maxLen, buf: make([]byte, 0, maxLen)}
}

// Pending is the number of bytes of an unfinished frame.
func (f *Framer) Pending() int {
	n := len(f.buf) + f.overLen
	if f.pendingCR {
		n++
	}
	return n
}

// Flush ends an unfinished frame (the port went away, or the scanner went
// quiet in the middle of a code) and reports it as incomplete; ok is false
// when nothing was pending.
func (f *Framer) Flush() (fr Frame, ok bool) {
	n := f.Pending()
	f.reset()
	f.afterCR = false
	if n == 0 {
		return Frame{}, false
	}
	return Frame{Drop: DropIncomplete, Len: n}, true
}

func (f *Framer) reset() {
	f.buf = f.buf[:0]
	f.overLen = 0
	f.pendingCR = false
	f.strayCR = false
}

// Feed adds bytes from the port and calls emit for every frame they end,
// in order.
func (f *Framer) Feed(p []byte, emit func(Frame)) {
	for _, b := range p {
		switch f.suffix {
		case SuffixCR:
			if b == '\r' {
				f.end(emit)
				continue
			}
		case SuffixLF:
			if b == '\n' {
				f.end(emit)
				continue
			}
		case SuffixCRLF:
			if f.pendingCR {
				f.pendingCR = false
				if b == '\n' {
					f.end(emit)
					continue
				}
				f.strayCR = true
				f.add('\r')
			}
			if b == '\r' {
				f.pendingCR = true
				continue
			}
		default: // auto
			if b == '\n' && f.afterCR {
				f.afterCR = false
				continue
			}
			f.afterCR = false
			if b == '\r' || b == '\n' {
				f.afterCR = b == '\r'
				f.end(emit)
				continue
			}
		}
		f.add(b)
	}
}

func (f *Framer) add(b byte) {
	if f.overLen > 0 {
		f.overLen++
		return
	}
	if len(f.buf) == f.max {
		f.overLen = len(f.buf) + 1
		f.buf = f.buf[:0]
		return
	}
	f.buf = append(f.buf, b)
}

// end closes the frame at a suffix; an empty frame (a lone suffix) is
// ignored.
func (f *Framer) end(emit func(Frame)) {
	defer f.reset()
	switch {
	case f.overLen > 0:
		emit(Frame{Drop: DropTooLong, Len: f.overLen})
	case len(f.buf) == 0:
	case f.strayCR || hasControl(f.buf):
		emit(Frame{Drop: DropControl, Len: len(f.buf)})
	case !utf8.Valid(f.buf):
		emit(Frame{Drop: DropBadUTF8, Len: len(f.buf)})
	default:
		emit(Frame{Code: string(f.buf), Len: len(f.buf)})
	}
}

// hasControl reports C0 controls, DEL, and (in valid UTF-8) C1 controls.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x80 && r <= 0x9f {
			return true
		}
		i += n
	}
	return false
}
