package printer

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// Limits that keep a hostile or broken byte stream from growing memory.
const (
	maxPending    = 1 << 17 // bytes of one incomplete command kept (GS ( k is at most 65538)
	maxRasterData = 1 << 20 // larger images are skipped
	maxElements   = 5000    // per printout; later lines are dropped
	maxPrintouts  = 100     // finished printouts kept
	maxUnknown    = 50      // unknown commands listed per printout
)

// decoder turns ESC/POS bytes into printouts, incrementally: bytes may
// arrive in any chunks, an incomplete command waits for the rest.
type decoder struct {
	enc          Encoding
	chineseStart bool // Chinese mode at power-on and after ESC @
	width        int  // columns
	onStatus     func(n byte)

	pend []byte
	skip int // bytes of an oversized payload still to skip

	// print modes
	align     Align
	bold      bool
	underline bool
	w, h      int
	chinese   bool
	codepage  byte

	// the line being assembled
	lineAlign Align
	line      []Run
	lineDots  int

	// QR symbol storage (GS ( k)
	qrModule int
	qrLevel  QRLevel
	qrData   string

	suppress bool // offline: commands are followed, nothing is printed

	cur  *Printout
	done []*Printout
	dec  *encoding.Decoder
}

func newDecoder(enc Encoding, width int, chineseStart bool) *decoder {
	d := &decoder{enc: enc, width: width, chineseStart: chineseStart, dec: enc.codec().NewDecoder()}
	d.reset()
	d.cur = &Printout{Width: width}
	return d
}

// reset is ESC @: modes back to power-on; the line buffer is cleared.
func (d *decoder) reset() {
	d.align, d.lineAlign = Left, Left
	d.bold, d.underline = false, false
	d.w, d.h = 1, 1
	d.chinese = d.chineseStart
	d.codepage = 0
	d.line, d.lineDots = nil, 0
	d.qrModule, d.qrLevel, d.qrData = 3, QRLevelL, ""
}

func (d *decoder) write(p []byte) {
	d.cur.Bytes += len(p)
	if d.skip > 0 {
		n := min(d.skip, len(p))
		d.skip -= n
		p = p[n:]
	}
	d.pend = append(d.pend, p...)
	i := 0
	for i < len(d.pend) {
		if d.skip > 0 {
			n := min(d.skip, len(d.pend)-i)
			d.skip -= n
			i += n
			continue
		}
		n := d.step(d.pend[i:])
		if n == 0 {
			break
		}
		i += n
	}
	rest := copy(d.pend, d.pend[i:])
	d.pend = d.pend[:rest]
	if len(d.pend) > maxPending {
		d.unknown(fmt.Sprintf("incomplete command 0x%02x of over %d bytes dropped", d.pend[0], maxPending))
		d.pend = d.pend[:0]
	}
}

func (d *decoder) unknown(what string) {
	if len(d.cur.Unknown) < maxUnknown {
		d.cur.Unknown = append(d.cur.Unknown, what)
	}
}

func (d *decoder) add(e Element) {
	if !d.suppress && len(d.cur.Elements) < maxElements {
		d.cur.Elements = append(d.cur.Elements, e)
	}
}

// flush prints the line buffer; a LF with nothing buffered prints a blank
// line.
func (d *decoder) flush() {
	d.add(Element{Kind: KindText, Align: d.lineAlign, Runs: d.line})
	d.line, d.lineDots = nil, 0
	d.lineAlign = d.align
}

// flushIfAny prints the line buffer only when it holds something.
func (d *decoder) flushIfAny() {
	if len(d.line) > 0 {
		d.flush()
	}
}

func (d *decoder) cut(kind string) {
	d.flushIfAny()
	if d.suppress {
		return
	}
	d.cur.Cut = kind
	d.done = append(d.done, d.cur)
	if len(d.done) > maxPrintouts {
		d.done = d.done[len(d.done)-maxPrintouts:]
	}
	d.cur = &Printout{Width: d.width}
}

// char adds one printed character, wrapping to a new line at the paper's
// edge as a printer does.
func (d *decoder) char(r rune, wide bool) {
	dots := 12
	if wide {
		dots = 24
	}
	dots *= d.w
	if d.suppress {
		return
	}
	if d.lineDots > 0 && d.lineDots+dots > d.width*12 {
		d.flush()
	}
	if len(d.line) == 0 {
		d.lineAlign = d.align
	}
	st := Run{Bold: d.bold, Underline: d.underline, Wide: wide, W: d.w, H: d.h}
	if n := len(d.line); n > 0 {
		last := &d.line[n-1]
		if last.Bold == st.Bold && last.Underline == st.Underline && last.Wide == st.Wide && last.W == st.W && last.H == st.H {
			last.Text += string(r)
			d.lineDots += dots
			return
		}
	}
	st.Text = string(r)
	d.line = append(d.line, st)
	d.lineDots += dots
}

// need returns n if b holds n bytes, else 0 (wait for more).
func need(b []byte, n int) int {
	if len(b) < n {
		return 0
	}
	return n
}

// step decodes the command or character at the start of b and returns the
// bytes it took, or 0 when b ends before the command does.
func (d *decoder) step(b []byte) int {
	c := b[0]
	switch {
	case c == lf:
		d.flush()
		return 1
	case c == 0x0c: // FF: in standard mode, print the buffer
		d.flushIfAny()
		return 1
	case c == 0x09: // HT: next 8-column tab
		for n := 0; n == 0 || (d.lineDots/12)%8 != 0; n++ {
			d.char(' ', false)
		}
		return 1
	case c == esc:
		return d.stepESC(b)
	case c == gs:
		return d.stepGS(b)
	case c == fs:
		return d.stepFS(b)
	case c == dle:
		return d.stepDLE(b)
	case c < 0x20 || c == 0x7f: // CR, NUL, CAN, ...: nothing to print
		return 1
	case c < 0x80:
		d.char(rune(c), false)
		return 1
	case d.chinese && c >= 0x81 && c <= 0xfe:
		return d.doubleByte(b)
	default:
		d.char(d.singleByte(c), false)
		return 1
	}
}

// doubleByte decodes one Big5 or GB18030 character (2 bytes, or 4 for
// GB18030's four-byte form).
func (d *decoder) doubleByte(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	n := 2
	if d.enc == GB18030 && b[1] >= 0x30 && b[1] <= 0x39 {
		if len(b) < 4 {
			return 0
		}
		n = 4
	}
	r := '?'
	out, err := d.dec.Bytes(b[:n])
	if err == nil {
		if x, size := utf8.DecodeRune(out); size == len(out) && x != utf8.RuneError {
			r = x
		}
	}
	d.char(r, true)
	return n
}

// singleByte maps a byte >= 0x80 through the code page chosen by ESC t.
func (d *decoder) singleByte(c byte) rune {
	var cm *charmap.Charmap
	switch d.codepage {
	case 0:
		cm = charmap.CodePage437
	case 2:
		cm = charmap.CodePage850
	case 16:
		cm = charmap.Windows1252
	case 19:
		cm = charmap.CodePage858
	default:
		return '?'
	}
	return cm.DecodeByte(c)
}

var escLen = map[byte]int{
	'!': 3, '-': 3, '2': 2, '3': 3, '=': 3, '?': 3, 'E': 3, 'G': 3, 'J': 3, 'K': 3, 'L': 2, 'M': 3,
	'R': 3, 'S': 2, 'T': 3, 'U': 3, 'V': 3, '{': 3, ' ': 3, '$': 4, '\\': 4, '%': 3, 'r': 3, 'e': 3,
	'W': 10, 'c': 4, 'i': 2, 'm': 2,
}

func (d *decoder) stepESC(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '@':
		d.reset()
		return 2
	case 'a':
		if len(b) < 3 {
			return 0
		}
		d.align = Align((b[2] & 3) % 3)
		if len(d.line) == 0 {
			d.lineAlign = d.align
		}
		return 3
	case 'E', 'G':
		if len(b) < 3 {
			return 0
		}
		d.bold = b[2]&1 == 1
		return 3
	case '-':
		if len(b) < 3 {
			return 0
		}
		d.underline = b[2]&3 != 0 && b[2] != '0'
		return 3
	case '!':
		if len(b) < 3 {
			return 0
		}
		n := b[2]
		d.bold = n&0x08 != 0
		d.h = 1 + int(n>>4&1)
		d.w = 1 + int(n>>5&1)
		d.underline = n&0x80 != 0
		return 3
	case 'd':
		if len(b) < 3 {
			return 0
		}
		lines := int(b[2])
		if len(d.line) > 0 {
			d.flush()
			lines--
		}
		for range lines {
			d.flush()
		}
		return 3
	case 'J':
		if len(b) < 3 {
			return 0
		}
		d.flushIfAny()
		return 3
	case 't':
		if len(b) < 3 {
			return 0
		}
		d.codepage = b[2]
		return 3
	case 'p':
		if len(b) < 5 {
			return 0
		}
		d.cur.Drawer = append(d.cur.Drawer, Kick{Pin: int(b[2] & 1), OnMS: 2 * int(b[3]), OffMS: 2 * int(b[4])})
		return 5
	case 'i':
		d.cut("full")
		return 2
	case 'm':
		d.cut("partial")
		return 2
	case 'D': // tab positions, NUL-terminated, at most 32
		for i := 2; i < len(b) && i < 35; i++ {
			if b[i] == 0 {
				return i + 1
			}
		}
		if len(b) >= 35 {
			return 35
		}
		return 0
	case '*': // bit image: ESC * m nL nH d1..dk
		if len(b) < 5 {
			return 0
		}
		k := int(b[3]) | int(b[4])<<8
		if b[2] >= 32 {
			k *= 3
		}
		d.flushIfAny()
		d.unknown("ESC * bit image (not drawn)")
		return d.skipPayload(b, 5, k)
	}
	if n, ok := escLen[b[1]]; ok {
		return need(b, n)
	}
	d.unknown(fmt.Sprintf("ESC 0x%02x", b[1]))
	return 2
}

// skipPayload consumes a header of h bytes and k bytes of data, streaming
// past data too large to keep.
func (d *decoder) skipPayload(b []byte, h, k int) int {
	if len(b) >= h+k {
		return h + k
	}
	if k > maxPending/2 {
		d.skip = h + k - len(b)
		return len(b)
	}
	return 0
}

var gsLen = map[byte]int{
	'B': 3, 'b': 3, 'H': 3, 'h': 3, 'w': 3, 'f': 3, 'L': 4, 'W': 4, 'P': 4, 'a': 3, 'r': 3, 'I': 3,
	'/': 3, 'T': 3, '$': 4, '\\': 4, 'E': 3, 'j': 3,
}

func (d *decoder) stepGS(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '!':
		if len(b) < 3 {
			return 0
		}
		d.w = min(int(b[2]>>4)+1, 8)
		d.h = min(int(b[2]&15)+1, 8)
		return 3
	case 'V':
		if len(b) < 3 {
			return 0
		}
		m := b[2]
		n := 3
		if m >= 65 {
			n = 4
			if len(b) < 4 {
				return 0
			}
		}
		switch m {
		case 0, 48, 65, 97, 103:
			d.cut("full")
		default:
			d.cut("partial")
		}
		return n
	case '(':
		if len(b) < 5 {
			return 0
		}
		k := int(b[3]) | int(b[4])<<8
		if len(b) < 5+k {
			return 0
		}
		if b[2] == 'k' {
			d.symbol(b[5 : 5+k])
		}
		return 5 + k
	case 'v':
		if len(b) < 8 {
			return 0
		}
		if b[2] != '0' {
			d.unknown(fmt.Sprintf("GS v 0x%02x", b[2]))
			return 3
		}
		xb := int(b[4]) | int(b[5])<<8
		y := int(b[6]) | int(b[7])<<8
		k := xb * y
		if k > maxRasterData {
			d.flushIfAny()
			d.unknown(fmt.Sprintf("raster image %dx%d too large (not drawn)", xb*8, y))
			return d.skipPayload(b, 8, k)
		}
		if len(b) < 8+k {
			return 0
		}
		d.flushIfAny()
		if k > 0 {
			d.add(Element{Kind: KindImage, Align: d.align, Raster: scaledRaster(b[8:8+k], xb, y, b[3])})
		}
		return 8 + k
	case 'k':
		if len(b) < 3 {
			return 0
		}
		m := b[2]
		if m <= 6 {
			for i := 3; i < len(b); i++ {
				if b[i] == 0 {
					d.barcode(string(b[3:i]))
					return i + 1
				}
				if i > 255+3 {
					d.unknown("GS k barcode without end")
					return i
				}
			}
			return 0
		}
		if len(b) < 4 {
			return 0
		}
		n := int(b[3])
		if len(b) < 4+n {
			return 0
		}
		d.barcode(string(b[4 : 4+n]))
		return 4 + n
	case '*': // define downloaded bit image: GS * x y d1..d(x*y*8)
		if len(b) < 4 {
			return 0
		}
		return d.skipPayload(b, 4, int(b[2])*int(b[3])*8)
	}
	if n, ok := gsLen[b[1]]; ok {
		return need(b, n)
	}
	d.unknown(fmt.Sprintf("GS 0x%02x", b[1]))
	return 2
}

func (d *decoder) barcode(data string) {
	d.flushIfAny()
	d.add(Element{Kind: KindBarcode, Align: d.align, Data: data})
}

// symbol handles GS ( k: cn 49 is QR code (functions 65 model, 67 module
// size, 69 error correction, 80 store, 81 print); other symbols are
// skipped.
func (d *decoder) symbol(p []byte) {
	if len(p) < 2 || p[0] != 49 {
		if len(p) >= 2 {
			d.unknown(fmt.Sprintf("GS ( k symbol cn=%d fn=%d", p[0], p[1]))
		}
		return
	}
	switch p[1] {
	case 65: // model
	case 67:
		if len(p) >= 3 && p[2] >= 1 && p[2] <= 16 {
			d.qrModule = int(p[2])
		}
	case 69:
		if len(p) >= 3 && p[2] >= 48 && p[2] <= 51 {
			d.qrLevel = QRLevel(p[2])
		}
	case 80:
		if len(p) >= 3 {
			d.qrData = string(p[3:])
		}
	case 81:
		d.flushIfAny()
		if d.qrData != "" {
			d.add(Element{Kind: KindQR, Align: d.align, Data: d.qrData, Module: d.qrModule, Level: d.qrLevel})
		}
	default:
		d.unknown(fmt.Sprintf("GS ( k QR fn=%d", p[1]))
	}
}

func (d *decoder) stepFS(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '&':
		d.chinese = true
		return 2
	case '.':
		d.chinese = false
		return 2
	case '!', '-', 'W', 'C', 'I': // Chinese print modes and code system: ignored
		return need(b, 3)
	case 'S', 'p':
		return need(b, 4)
	case '(':
		if len(b) < 5 {
			return 0
		}
		return d.skipPayload(b, 5, int(b[3])|int(b[4])<<8)
	}
	d.unknown(fmt.Sprintf("FS 0x%02x", b[1]))
	return 2
}

func (d *decoder) stepDLE(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case eot:
		if len(b) < 3 {
			return 0
		}
		if d.onStatus != nil {
			d.onStatus(b[2])
		}
		return 3
	case 0x05: // DLE ENQ n: real-time request
		return need(b, 3)
	case 0x14: // DLE DC4 fn ...
		if len(b) < 3 {
			return 0
		}
		switch b[2] {
		case 1: // pulse: DLE DC4 1 m t
			if len(b) < 5 {
				return 0
			}
			d.cur.Drawer = append(d.cur.Drawer, Kick{Pin: int(b[3] & 1), OnMS: 100 * int(b[4]), OffMS: 100 * int(b[4])})
			return 5
		case 2, 7:
			return need(b, 5)
		case 8:
			return need(b, 10)
		}
		return 3
	}
	// A lone DLE is a control character: nothing printed.
	return 1
}

// scaledRaster copies the data of GS v 0 (xb bytes by y rows) at the size
// mode m asks: 0 normal, 1 double width, 2 double height, 3 both (48-51
// the same).
func scaledRaster(data []byte, xb, y int, m byte) *Raster {
	sx, sy := 1, 1
	if m&1 != 0 {
		sx = 2
	}
	if m&2 != 0 {
		sy = 2
	}
	if sx == 1 && sy == 1 {
		return &Raster{Width: xb * 8, Height: y, Bits: append([]byte(nil), data...)}
	}
	w := xb * 8 * sx
	stride := w / 8
	bits := make([]byte, stride*y*sy)
	for row := range y {
		for col := range xb * 8 {
			if data[row*xb+col/8]&(0x80>>(col%8)) == 0 {
				continue
			}
			for dy := range sy {
				for dx := range sx {
					x := col*sx + dx
					bits[(row*sy+dy)*stride+x/8] |= 0x80 >> (x % 8)
				}
			}
		}
	}
	return &Raster{Width: w, Height: y * sy, Bits: bits}
}
