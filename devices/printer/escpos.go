package printer

import "fmt"

// ESC/POS bytes used by the encoder and the decoder.
const (
	esc = 0x1b
	gs  = 0x1d
	fs  = 0x1c
	dle = 0x10
	eot = 0x04
	lf  = 0x0a
	xon = 0x11
	xof = 0x13
)

// Align is a line's justification (ESC a n).
type Align byte

// Alignments.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

func (a Align) String() string {
	switch a {
	case Center:
		return "center"
	case Right:
		return "right"
	}
	return "left"
}

// QRLevel is a QR code's error correction level (GS ( k fn 69).
type QRLevel byte

// QR error correction levels, as sent to the printer.
const (
	QRLevelL QRLevel = 48 // 7%
	QRLevelM QRLevel = 49 // 15%
	QRLevelQ QRLevel = 50 // 25%
	QRLevelH QRLevel = 51 // 30%
)

// QRMaxData is the most data a model 2 QR code holds (numeric, level L);
// GS ( k fn 80 takes at most 7089 bytes.
const QRMaxData = 7089

// Encoder builds ESC/POS bytes. Text goes through the printer's encoding;
// every run of non-ASCII text is wrapped in FS & ... FS . (Chinese mode)
// unless NoChineseMode was asked for (printers fixed in Chinese mode), or
// drawn as an image (RasterChinese).
type Encoder struct {
	enc           Encoding
	noChineseMode bool
	buf           []byte

	// The print modes in force, for lines drawn as images.
	align  Align
	bold   bool
	w, h   int
	raster *rasterizer // nil: Chinese goes as text
}

// NewEncoder starts an empty command stream for a printer set to enc.
func NewEncoder(enc Encoding, noChineseMode bool) *Encoder {
	return &Encoder{enc: enc, noChineseMode: noChineseMode, buf: make([]byte, 0, 2048), w: 1, h: 1}
}

// Bytes returns the commands so far.
func (e *Encoder) Bytes() []byte { return e.buf }

// Raw appends bytes as they are.
func (e *Encoder) Raw(b ...byte) *Encoder {
	e.buf = append(e.buf, b...)
	return e
}

// Init resets the printer (ESC @): modes, alignment and sizes to default.
func (e *Encoder) Init() *Encoder {
	e.align, e.bold, e.w, e.h = Left, false, 1, 1
	return e.Raw(esc, '@')
}

// Align sets the justification of the lines that follow (ESC a n).
func (e *Encoder) Align(a Align) *Encoder {
	e.align = a
	return e.Raw(esc, 'a', byte(a))
}

// Bold turns emphasis on or off (ESC E n).
func (e *Encoder) Bold(on bool) *Encoder {
	var n byte
	if on {
		n = 1
	}
	e.bold = on
	return e.Raw(esc, 'E', n)
}

// Size sets the character magnification, 1 to 8 each way (GS ! n).
func (e *Encoder) Size(width, height int) *Encoder {
	width = min(max(width, 1), 8)
	height = min(max(height, 1), 8)
	e.w, e.h = width, height
	return e.Raw(gs, '!', byte((width-1)<<4|(height-1)))
}

// Text appends s in the printer's encoding, with no line feed. Characters
// the code system lacks print as '?', control characters as spaces.
func (e *Encoder) Text(s string) *Encoder {
	inChinese := false
	for _, r := range e.enc.Printable(s) {
		if r < 0x80 {
			if inChinese {
				e.Raw(fs, '.')
				inChinese = false
			}
			e.buf = append(e.buf, byte(r))
			continue
		}
		if !inChinese && !e.noChineseMode {
			e.Raw(fs, '&')
			inChinese = true
		}
		var ok bool
		if e.buf, ok = e.enc.encodeRune(e.buf, r); !ok {
			e.buf = append(e.buf, '?') // unreachable after Printable
		}
	}
	if inChinese {
		e.Raw(fs, '.')
	}
	return e
}

// Line appends s and a line feed, or, under RasterChinese, s drawn as an
// image when it holds non-ASCII text.
func (e *Encoder) Line(s string) *Encoder {
	if e.raster != nil && !isASCII(s) {
		return e.imageLine(s)
	}
	return e.Text(s).LF()
}

// LF prints the line buffer and feeds one line.
func (e *Encoder) LF() *Encoder { return e.Raw(lf) }

// Feed prints the line buffer and feeds n lines (ESC d n).
func (e *Encoder) Feed(n int) *Encoder { return e.Raw(esc, 'd', byte(min(max(n, 0), 255))) }

// QR prints a model 2 QR code of data with the given module size in dots
// (1 to 16) and error correction (GS ( k functions 65, 67, 69, 80, 81).
// The store function's length pL pH is data length + 3, little endian, so
// any length up to QRMaxData works.
func (e *Encoder) QR(data string, module int, level QRLevel) error {
	if len(data) == 0 || len(data) > QRMaxData {
		return fmt.Errorf("printer: QR data of %d bytes (want 1 to %d)", len(data), QRMaxData)
	}
	if level < QRLevelL || level > QRLevelH {
		return fmt.Errorf("printer: QR level %d", level)
	}
	module = min(max(module, 1), 16)
	e.Raw(gs, '(', 'k', 4, 0, 49, 65, 50, 0)        // fn 65: model 2
	e.Raw(gs, '(', 'k', 3, 0, 49, 67, byte(module)) // fn 67: module size
	e.Raw(gs, '(', 'k', 3, 0, 49, 69, byte(level))  // fn 69: error correction
	n := len(data) + 3
	e.Raw(gs, '(', 'k', byte(n), byte(n>>8), 49, 80, 48) // fn 80: store
	e.buf = append(e.buf, data...)
	e.Raw(gs, '(', 'k', 3, 0, 49, 81, 48) // fn 81: print
	return nil
}

// Cut feeds to the cutter and cuts, partially (one point left) or fully
// (GS V 66 0 / GS V 65 0).
func (e *Encoder) Cut(partial bool) *Encoder {
	if partial {
		return e.Raw(gs, 'V', 66, 0)
	}
	return e.Raw(gs, 'V', 65, 0)
}

// Kick pulses the cash drawer connector pin 2 (pin 0) or pin 5 (pin 1) for
// on ms, then waits off ms (ESC p m t1 t2; units of 2 ms).
func (e *Encoder) Kick(pin int, on, off int) *Encoder {
	return e.Raw(esc, 'p', byte(pin&1), byte(min(max(on/2, 1), 255)), byte(min(max(off/2, 1), 255)))
}

// statusQuery is DLE EOT 1..4: printer, offline cause, error cause and paper
// sensor status, answered at once even mid-job.
var statusQuery = []byte{dle, eot, 1, dle, eot, 2, dle, eot, 3, dle, eot, 4}
