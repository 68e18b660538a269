package terminal

import (
	"context"
	"fmt"
	"image"
	"sync"

	"qrpos/devices/printer"
)

// PreviewPrinter is the printer of demo mode and of a terminal with no
// printer port: receipts go through the real ESC/POS layout into the
// virtual printer, which decodes them; each printout is then rendered as
// a picture for the preview window. It is a checkout.ReceiptPrinter; the
// devices supervisor hands each printout to the face that shows it.
type PreviewPrinter struct {
	v *printer.Virtual
	p *printer.Printer

	mu     sync.Mutex
	onShow func(img image.Image, text string)
	count  int
}

// NewPreviewPrinter makes a virtual printer of format f.
func NewPreviewPrinter(f printer.Format) (*PreviewPrinter, error) {
	enc, err := printer.ParseEncoding(string(f.Encoding))
	if err != nil {
		return nil, err
	}
	width := f.Width
	if width == 0 {
		width = printer.Width80mm
	}
	v := printer.NewVirtual(printer.WithWidth(width), printer.WithEncoding(enc))
	p, err := printer.New(v, printer.Config{Format: f})
	if err != nil {
		v.Close()
		return nil, err
	}
	return &PreviewPrinter{v: v, p: p}, nil
}

// OnShow sets who sees each printout (the UI's preview window).
func (pp *PreviewPrinter) OnShow(f func(img image.Image, text string)) {
	pp.mu.Lock()
	pp.onShow = f
	pp.mu.Unlock()
}

// Print prints r on the virtual printer and shows the printout.
func (pp *PreviewPrinter) Print(ctx context.Context, r printer.Receipt) error {
	if err := pp.p.Print(ctx, r); err != nil {
		return err
	}
	last := pp.v.Last()
	if last == nil {
		return fmt.Errorf("preview %s: the virtual printer printed nothing", r.OrderNo)
	}
	img, err := last.Image()
	if err != nil {
		return fmt.Errorf("preview %s: %w", r.OrderNo, err)
	}
	pp.mu.Lock()
	pp.count++
	show := pp.onShow
	pp.mu.Unlock()
	if show != nil {
		show(img, last.Text())
	}
	return nil
}

// Printed is how many receipts went through.
func (pp *PreviewPrinter) Printed() int {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.count
}

// Last is the last printout, or nil.
func (pp *PreviewPrinter) Last() *printer.Printout { return pp.v.Last() }

// Close closes the virtual printer.
func (pp *PreviewPrinter) Close() error { return pp.p.Close() }
