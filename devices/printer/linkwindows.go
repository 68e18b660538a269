package printer

import (
	"context"
	"errors"
	"fmt"
)

// winspool is the Windows print spooler's raw byte path (winspool.drv):
// a printer handle, and one document of datatype RAW per job, so the
// bytes reach the printer untouched by any driver. winspool_windows.go
// calls the DLL; the tests use a fake.
type winspool interface {
	Open(name string) (spoolHandle, error)
	StartDoc(h spoolHandle, doc, datatype string) error
	StartPage(h spoolHandle) error
	Write(h spoolHandle, p []byte) (int, error)
	EndPage(h spoolHandle) error
	EndDoc(h spoolHandle) error
	Abort(h spoolHandle) error
	Close(h spoolHandle) error
	// Queues lists the installed printers (local and connected).
	Queues() ([]string, error)
}

// spoolHandle is a printer handle of OpenPrinterW.
type spoolHandle uintptr

// windowsLink is an installed Windows printer. The spooler takes the job
// whether or not the printer is there and reports nothing back, so there
// is no status: a job counts as printed once the spooler has it.
type windowsLink struct {
	t  Target
	sp winspool
}

func (l *windowsLink) target() Target { return l.t }

func (l *windowsLink) open(context.Context) (*endpoint, error) {
	h, err := l.sp.Open(l.t.Queue)
	if err != nil {
		return nil, fmt.Errorf("printer: open Windows printer %q: %w", l.t.Queue, err)
	}
	d := &spoolDoc{sp: l.sp, h: h}
	return &endpoint{rw: d, path: l.t.String(), doc: d}, nil
}

// spoolDoc writes jobs to one open printer handle, each as a document.
type spoolDoc struct {
	sp     winspool
	h      spoolHandle
	inDoc  bool // StartDoc succeeded and neither EndDoc nor Abort followed
	inPage bool
}

// errNoRead: the spooler carries bytes one way.
var errNoRead = errors.New("the Windows spooler cannot be read")

func (d *spoolDoc) Read([]byte) (int, error) { return 0, errNoRead }

func (d *spoolDoc) Write(p []byte) (int, error) {
	if !d.inPage {
		return 0, errors.New("WritePrinter outside a document")
	}
	n, err := d.sp.Write(d.h, p)
	if err != nil {
		return n, fmt.Errorf("WritePrinter: %w", err)
	}
	return n, nil
}

func (d *spoolDoc) begin(name string) error {
	if err := d.sp.StartDoc(d.h, "QR POS "+name, "RAW"); err != nil {
		return fmt.Errorf("StartDocPrinter: %w", err)
	}
	d.inDoc = true
	if err := d.sp.StartPage(d.h); err != nil {
		d.abort()
		return fmt.Errorf("StartPagePrinter: %w", err)
	}
	d.inPage = true
	return nil
}

func (d *spoolDoc) end() error {
	if d.inPage {
		d.inPage = false
		if err := d.sp.EndPage(d.h); err != nil {
			d.abort()
			return fmt.Errorf("EndPagePrinter: %w", err)
		}
	}
	d.inDoc = false
	if err := d.sp.EndDoc(d.h); err != nil {
		return fmt.Errorf("EndDocPrinter: %w", err)
	}
	return nil
}

// abort deletes the document being spooled, so half a job never prints;
// the whole job is sent again.
func (d *spoolDoc) abort() {
	if d.inDoc {
		d.sp.Abort(d.h)
	}
	d.inDoc, d.inPage = false, false
}

func (d *spoolDoc) Close() error {
	d.abort()
	return d.sp.Close(d.h)
}

// WindowsPrinters lists the installed Windows printers, as windows:NAME
// ports; none on other systems.
func WindowsPrinters() ([]string, error) { return windowsPrinters(systemSpooler()) }

func windowsPrinters(sp winspool) ([]string, error) {
	qs, err := sp.Queues()
	if err != nil {
		return nil, fmt.Errorf("list Windows printers: %w", err)
	}
	out := make([]string, 0, len(qs))
	for _, q := range qs {
		out = append(out, "windows:"+q)
	}
	return out, nil
}
