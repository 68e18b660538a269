package printer

import (
	"fmt"
	"strings"
)

// Paper widths in columns of the 12-dot font: 32 (58 mm paper, 384 dots),
// 42 (80 mm paper on 512-dot printers) and 48 (80 mm, 576 dots).
const (
	Width58mm   = 32
	Width80mm42 = 42
	Width80mm   = 48
)

// Format is how a printer lays out receipts.
type Format struct {
	Width         int         // columns: 32, 42 or 48 (default 48)
	Encoding      Encoding    // default Big5
	Chinese       ChineseMode // native (default) or raster: lines with Chinese as images
	NoChineseMode bool        // do not send FS & / FS . (printer fixed in Chinese mode)
	QRModule      int         // QR module size in dots; default 6 (5 on 32 columns)
	FullCut       bool        // full cut instead of partial
}

// Normalized is f with its defaults filled in (48 columns, Big5, native
// Chinese, the QR module for the width), or why f cannot print.
func (f Format) Normalized() (Format, error) {
	if f.Width == 0 {
		f.Width = Width80mm
	}
	switch f.Width {
	case Width58mm, Width80mm42, Width80mm:
	default:
		return f, fmt.Errorf("printer: width %d columns (want 32, 42 or 48)", f.Width)
	}
	enc, err := ParseEncoding(string(f.Encoding))
	if err != nil {
		return f, err
	}
	f.Encoding = enc
	if f.Chinese, err = ParseChinese(string(f.Chinese)); err != nil {
		return f, err
	}
	if f.QRModule == 0 {
		f.QRModule = 6
		if f.Width == Width58mm {
			f.QRModule = 5
		}
	}
	if f.QRModule < 1 || f.QRModule > 16 {
		return f, fmt.Errorf("printer: QR module size %d (want 1 to 16)", f.QRModule)
	}
	return f, nil
}

// Layout turns a receipt into the ESC/POS bytes of one job for the given
// width and encoding: title and notes, store, fields, amount, refunds,
// report lines, the QR code, footer, then the cut (and the drawer kick if
// asked).
func Layout(r Receipt, f Format) ([]byte, error) {
	f, err := f.Normalized()
	if err != nil {
		return nil, err
	}
	lo := layout{e: NewEncoder(f.Encoding, f.NoChineseMode), w: f.Width, f: f}
	if f.Chinese == ChineseRaster {
		if err := lo.e.RasterChinese(DotsPerLine(f.Width)); err != nil {
			return nil, err
		}
	}
	l := r.labels()
	rule := strings.Repeat("-", lo.w)

	lo.e.Init()
	lo.header(r)
	lo.e.Align(Left).Line(rule)
	lo.kv(l.TID, r.TID)
	lo.kv(l.Date, strings.TrimSpace(r.Date+" "+r.Time))
	lo.kv(l.Order, r.OrderNo)
	lo.kv(l.Method, r.Method)
	for _, x := range r.Refs {
		lo.kv(x.Label, x.Value)
	}
	if r.Amount != "" {
		lo.e.Line(rule).Bold(true).Size(2, 2)
		for _, s := range labelValue(lo.p(l.Amount), lo.p(r.Amount), lo.w/2) {
			lo.e.Line(s)
		}
		lo.e.Size(1, 1).Bold(false)
	}
	lo.kv(l.Status, r.Status)
	lo.block(r.Refunds, false, rule)
	lo.block(r.Lines, true, rule)
	lo.e.Line(rule)
	if err := lo.tail(r, f.QRModule); err != nil {
		return nil, err
	}
	if r.OpenDrawer {
		lo.e.Kick(0, 100, 100)
	}
	lo.e.Align(Left).Feed(3).Cut(!f.FullCut)
	return lo.e.Bytes(), nil
}

// layout is one receipt being encoded at one width.
type layout struct {
	e *Encoder
	w int
	f Format
}

// p makes s printable: in the printer's encoding, or, when Chinese is
// rastered, in the bundled font.
func (lo layout) p(s string) string {
	if lo.f.Chinese == ChineseRaster {
		return rasterPrintable(s)
	}
	return lo.f.Encoding.Printable(s)
}

// centred prints each text wrapped and centred.
func (lo layout) centred(texts ...string) {
	lo.e.Align(Center)
	for _, x := range texts {
		for _, s := range wrap(lo.p(x), lo.w) {
			lo.e.Line(s)
		}
	}
}

// header prints the title (double size), the notes and the shop.
func (lo layout) header(r Receipt) {
	if r.Title != "" {
		lo.e.Align(Center).Bold(true).Size(2, 2)
		for _, s := range wrap(lo.p(r.Title), lo.w/2) {
			lo.e.Line(s)
		}
		lo.e.Size(1, 1).Bold(false)
	}
	if len(r.Notes) > 0 {
		lo.e.Bold(true)
		lo.centred(r.Notes...)
		lo.e.Bold(false)
	}
	if r.Store != "" || len(r.Address) > 0 {
		lo.e.Bold(true)
		lo.centred(r.Store)
		lo.e.Bold(false)
		lo.centred(r.Address...)
	}
}

// kv prints label left and value right; nothing when value is empty.
func (lo layout) kv(label, value string) {
	if value == "" {
		return
	}
	for _, s := range labelValue(lo.p(label), lo.p(value), lo.w) {
		lo.e.Line(s)
	}
}

// heading prints a block's first line in bold: the label, and the value
// on the right when there is one.
func (lo layout) heading(x Field) {
	lo.e.Bold(true)
	lines := wrap(lo.p(x.Label), lo.w)
	if x.Value != "" {
		lines = labelValue(lo.p(x.Label), lo.p(x.Value), lo.w)
	}
	for _, s := range lines {
		lo.e.Line(s)
	}
	lo.e.Bold(false)
}

// block prints a rule, then fields; bare labels are headings when
// bareIsHeading (report lines). A heading after the block's first line
// has a blank line above it, so blocks stand apart.
func (lo layout) block(fields []Field, bareIsHeading bool, rule string) {
	if len(fields) == 0 {
		return
	}
	lo.e.Line(rule)
	for i, x := range fields {
		if x.Heading || bareIsHeading && x.Value == "" {
			if i > 0 {
				lo.e.LF()
			}
			lo.heading(x)
			continue
		}
		lo.kv(x.Label, x.Value)
	}
}

// tail prints the QR code with its text, then the footer.
func (lo layout) tail(r Receipt, module int) error {
	if r.QR != "" {
		lo.e.Align(Center)
		if err := lo.e.QR(r.QR, module, QRLevelM); err != nil {
			return fmt.Errorf("layout %s: %w", r.OrderNo, err)
		}
		lo.e.LF()
		lo.centred(r.QR)
	}
	if len(r.Footer) > 0 {
		lo.centred(r.Footer...)
	}
	return nil
}

// labelValue puts label left and value right on one line of w columns, or,
// when they do not fit, the label on its own line(s) and the value right
// aligned below.
func labelValue(label, value string, w int) []string {
	lw, vw := TextWidth(label), TextWidth(value)
	if lw+1+vw <= w {
		return []string{label + strings.Repeat(" ", w-lw-vw) + value}
	}
	var out []string
	if label != "" {
		out = wrap(label, w)
	}
	for _, s := range wrap(value, w) {
		out = append(out, strings.Repeat(" ", w-TextWidth(s))+s)
	}
	return out
}

// wrap breaks s into lines of at most w columns, at spaces when a word
// fits, anywhere otherwise (CJK text has no spaces).
func wrap(s string, w int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if w < 2 {
		w = 2
	}
	var out []string
	for s != "" {
		if TextWidth(s) <= w {
			out = append(out, s)
			break
		}
		cut, col, lastSpace := 0, 0, -1
		for i, r := range s {
			rw := RuneWidth(r)
			if col+rw > w {
				break
			}
			if r == ' ' {
				lastSpace = i
			}
			col += rw
			cut = i + len(string(r))
		}
		if lastSpace > 0 && s[cut] != ' ' {
			cut = lastSpace
		}
		out = append(out, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return out
}
