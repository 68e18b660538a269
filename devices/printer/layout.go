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
	Width         int      // columns: 32, 42 or 48 (default 48)
	Encoding      Encoding // default Big5
	NoChineseMode bool     // do not send FS & / FS . (printer fixed in Chinese mode)
	QRModule      int      // QR module size in dots; default 6 (5 on 32 columns)
	FullCut       bool     // full cut instead of partial
}

func (f Format) normalized() (Format, error) {
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
// width and encoding: title, store, fields, amount, refunds, report lines,
// the QR code, footer, then the cut (and the drawer kick if asked).
func Layout(r Receipt, f Format) ([]byte, error) {
	f, err := f.normalized()
	if err != nil {
		return nil, err
	}
	w := f.Width
	e := NewEncoder(f.Encoding, f.NoChineseMode)
	p := func(s string) string { return f.Encoding.Printable(s) }
	l := r.labels()
	rule := strings.Repeat("-", w)

	e.Init()
	if r.Title != "" {
		e.Align(Center).Bold(true).Size(2, 2)
		for _, s := range wrap(p(r.Title), w/2) {
			e.Line(s)
		}
		e.Size(1, 1).Bold(false)
	}
	if r.Store != "" || len(r.Address) > 0 {
		e.Align(Center).Bold(true)
		for _, s := range wrap(p(r.Store), w) {
			e.Line(s)
		}
		e.Bold(false)
		for _, a := range r.Address {
			for _, s := range wrap(p(a), w) {
				e.Line(s)
			}
		}
	}
	e.Align(Left).Line(rule)
	kv := func(label, value string) {
		if value == "" {
			return
		}
		for _, s := range labelValue(p(label), p(value), w) {
			e.Line(s)
		}
	}
	kv(l.TID, r.TID)
	kv(l.Date, strings.TrimSpace(r.Date+" "+r.Time))
	kv(l.Order, r.OrderNo)
	kv(l.Method, r.Method)
	for _, x := range r.Refs {
		kv(x.Label, x.Value)
	}
	if r.Amount != "" {
		e.Line(rule).Bold(true).Size(2, 2)
		for _, s := range labelValue(p(l.Amount), p(r.Amount), w/2) {
			e.Line(s)
		}
		e.Size(1, 1).Bold(false)
	}
	kv(l.Status, r.Status)
	for _, block := range [][]Field{r.Refunds, r.Lines} {
		if len(block) == 0 {
			continue
		}
		e.Line(rule)
		for _, x := range block {
			kv(x.Label, x.Value)
		}
	}
	e.Line(rule)
	if r.QR != "" {
		e.Align(Center)
		if err := e.QR(r.QR, f.QRModule, QRLevelM); err != nil {
			return nil, fmt.Errorf("layout %s: %w", r.OrderNo, err)
		}
		e.LF()
		for _, s := range wrap(p(r.QR), w) {
			e.Line(s)
		}
	}
	if len(r.Footer) > 0 {
		e.Align(Center)
		for _, x := range r.Footer {
			for _, s := range wrap(p(x), w) {
				e.Line(s)
			}
		}
	}
	if r.OpenDrawer {
		e.Kick(0, 100, 100)
	}
	e.Align(Left).Feed(3).Cut(!f.FullCut)
	return e.Bytes(), nil
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
