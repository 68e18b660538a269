package terminal

import (
	"context"
	"errors"
	"sync"
	"time"

	"qrpos/devices/printer"
)

// PrinterStatus is what the printer's connection tells of the printer
// itself, beside the print queue.
type PrinterStatus struct {
	// Readable is false where the connection cannot carry the printer's
	// status (the USB printer class, the Windows spooler, a network
	// printer set to ?status=off): jobs count as printed once written.
	Readable bool
	// DrawerOpen: the cash drawer on the printer's drawer port reads open.
	DrawerOpen bool
}

// printerWatch relays a printer's status to the face: whether it can be
// read at all, and the cash drawer, which is asked again every poll while
// it is open, until it shuts. The printer is never asked otherwise: the
// drawer's state also comes with the status of every job.
type printerWatch struct {
	report func(PrinterStatus) // nil: nobody listens
	every  time.Duration
	wake   chan struct{}

	mu         sync.Mutex
	readable   bool
	known      bool
	drawerOpen bool
}

func newPrinterWatch(report func(PrinterStatus), every time.Duration, readable bool) *printerWatch {
	if every <= 0 {
		every = time.Second
	}
	return &printerWatch{report: report, every: every, readable: readable, wake: make(chan struct{}, 1)}
}

// heard takes every status the printer answered (printer.Config.OnStatus:
// the printer is busy, so it only notes and wakes).
func (w *printerWatch) heard(st printer.Status) {
	w.mu.Lock()
	changed := !w.known || st.DrawerOpen() != w.drawerOpen
	w.known, w.drawerOpen = true, st.DrawerOpen()
	w.mu.Unlock()
	if !changed {
		return
	}
	w.send()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *printerWatch) send() {
	if w.report == nil {
		return
	}
	w.mu.Lock()
	st := PrinterStatus{Readable: w.readable, DrawerOpen: w.drawerOpen}
	w.mu.Unlock()
	w.report(st)
}

func (w *printerWatch) open() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.drawerOpen
}

// run asks the printer once, then follows an open drawer until ctx ends
// (nothing to ask where the status cannot be read).
func (w *printerWatch) run(ctx context.Context, pr *printer.Printer) {
	if !w.readable {
		return
	}
	// The answer, if any, comes through heard. A port named like a serial
	// line may turn out to be a USB printer-class device (a udev link).
	if _, err := pr.Status(ctx); errors.Is(err, printer.ErrNoStatus) {
		w.mu.Lock()
		w.readable = false
		w.mu.Unlock()
		w.send()
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		for w.open() {
			t := time.NewTimer(w.every)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			pr.Status(ctx)
		}
	}
}
