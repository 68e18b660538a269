package terminal

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"sync"
	"time"

	"qrpos/devices/printer"
	"qrpos/devices/scanner"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// ScannerEvent is what the scanner reports to a face: a code, or the state
// of its port ("wedge": no serial scanner, codes come as keystrokes;
// "up"; "down" with Err).
type ScannerEvent struct {
	Code   string // a scanned code ("" for a port event)
	Wallet string // the wallet the code belongs to, when known
	State  string // port events: "wedge", "up" or "down"
	Port   string
	Err    string
	Time   time.Time
}

// Scanner port states of a ScannerEvent.
const (
	ScannerWedge = "wedge"
	ScannerUp    = scanner.StateUp
	ScannerDown  = scanner.StateDown
)

// DeviceWatch is who hears from the devices: each may be nil; they are
// called from the devices' goroutines.
type DeviceWatch struct {
	// Printer reports the print queue: jobs waiting and the last error.
	Printer func(queued int, err error)
	// Printout shows what the virtual printer printed (no printer port).
	Printout func(img image.Image, text string)
	// PrintRetry is the spooler's pause after a failed print (0: its default).
	PrintRetry time.Duration
	// PrinterStatus hears whether the printer's status can be read on its
	// connection and whether its cash drawer is open.
	PrinterStatus func(PrinterStatus)
	// DrawerPoll is how often an open drawer is asked again (0: 1 s).
	DrawerPoll time.Duration
}

// devices runs the printer (through the journal's print queue) and the
// scanner for the profile in force, and restarts them when it changes.
type devices struct {
	j     *storage.Journal
	log   *slog.Logger
	scans chan ScannerEvent // the face's, across restarts

	mu      sync.Mutex
	started bool
	ctx     context.Context
	watch   DeviceWatch
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	spooler *checkout.Spooler
	closer  io.Closer
}

func newDevices(j *storage.Journal, log *slog.Logger) *devices {
	return &devices{j: j, log: log, scans: make(chan ScannerEvent, 16)}
}

// StartDevices opens the printer and the scanner of the profile in force
// until ctx ends or Close; w hears from them.
func (t *Terminal) StartDevices(ctx context.Context, w DeviceWatch) error {
	d := t.devices
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ctx, d.watch, d.started = ctx, w, true
	return d.startLocked(t.Profile())
}

// ScannerEvents is the scanner's stream, across profile changes.
func (t *Terminal) ScannerEvents() <-chan ScannerEvent { return t.devices.scans }

// KickPrinter asks the spooler to print now.
func (t *Terminal) KickPrinter() {
	d := t.devices
	d.mu.Lock()
	sp := d.spooler
	d.mu.Unlock()
	if sp != nil {
		sp.Kick()
	}
}

func (d *devices) startLocked(p checkout.Profile) error {
	ctx, cancel := context.WithCancel(d.ctx)
	rp, closer, watch, err := d.openPrinter(p)
	if err != nil {
		cancel()
		return err
	}
	d.wg.Add(1)
	go func() { defer d.wg.Done(); watch(ctx) }()
	d.cancel, d.closer = cancel, closer
	d.spooler = &checkout.Spooler{J: d.j, Printer: rp, Log: d.log, OnChange: d.watch.Printer, Retry: d.watch.PrintRetry}
	sp := d.spooler
	d.wg.Add(1)
	go func() { defer d.wg.Done(); sp.Run(ctx) }()
	d.startScanner(ctx, p)
	return nil
}

// printerFormat is how p's printer lays out receipts, as p says it.
func printerFormat(p checkout.Profile) printer.Format {
	return printer.Format{Width: p.Printer.Width, Encoding: printer.Encoding(p.Printer.Encoding), Chinese: printer.ChineseMode(p.Printer.Chinese)}
}

// openPrinter opens p's printer, or the virtual one with a preview, and
// says how to follow its status.
func (d *devices) openPrinter(p checkout.Profile) (checkout.ReceiptPrinter, io.Closer, func(context.Context), error) {
	format := printerFormat(p)
	if p.Printer.Port == "" {
		pp, err := NewPreviewPrinter(format)
		if err != nil {
			return nil, nil, nil, err
		}
		pp.OnShow(d.watch.Printout)
		newPrinterWatch(d.watch.PrinterStatus, 0, true).send()
		return pp, pp, func(context.Context) {}, nil
	}
	t, err := printer.ParseTarget(p.Printer.Port)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("printer: %w", err)
	}
	w := newPrinterWatch(d.watch.PrinterStatus, d.watch.DrawerPoll, t.StatusReadable())
	w.send() // before anything the printer says, which follows it
	pr, err := printer.Open(printer.Config{Port: p.Printer.Port, Line: printer.Line{Baud: p.Printer.Baud},
		Flow: printer.Flow(p.Printer.Flow), Format: format, Logger: d.log, OnStatus: w.heard})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("printer: %w", err)
	}
	return pr, pr, func(ctx context.Context) { w.run(ctx, pr) }, nil
}

// startScanner opens p's serial scanner and relays its events.
func (d *devices) startScanner(ctx context.Context, p checkout.Profile) {
	if p.Scanner.Port == "" {
		d.relay(ctx, ScannerEvent{State: ScannerWedge, Time: time.Now()})
		return
	}
	events, err := scanner.Start(ctx, scanner.Config{Port: p.Scanner.Port, Line: scanner.Line{Baud: p.Scanner.Baud},
		Suffix: scanner.Suffix(p.Scanner.Suffix), Logger: d.log})
	if err != nil {
		// The terminal still sells with a keyboard-wedge scanner.
		d.relay(ctx, ScannerEvent{State: ScannerDown, Port: p.Scanner.Port, Err: err.Error(), Time: time.Now()})
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for ev := range events {
			switch ev.Kind {
			case scanner.KindCode:
				d.relay(ctx, ScannerEvent{Code: ev.Code, Wallet: string(payments.ClassifyAuthCode(ev.Code)), Time: ev.Time})
			case scanner.KindPort:
				d.relay(ctx, ScannerEvent{State: ev.State, Port: ev.Port, Err: ev.Err, Time: ev.Time})
			}
		}
	}()
}

// relay hands a scanner event to the face unless the devices stopped.
func (d *devices) relay(ctx context.Context, ev ScannerEvent) {
	select {
	case d.scans <- ev:
	case <-ctx.Done():
	default:
		go func() {
			select {
			case d.scans <- ev:
			case <-ctx.Done():
			}
		}()
	}
}

func (d *devices) stopLocked() {
	if d.cancel != nil {
		d.cancel()
		d.cancel = nil
	}
	d.wg.Wait()
	if d.closer != nil {
		d.closer.Close()
		d.closer = nil
	}
	d.spooler = nil
}

func (d *devices) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
	d.started = false
}

// restart reopens the devices for a new profile, when they run.
func (d *devices) restart(p checkout.Profile) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return nil
	}
	d.stopLocked()
	return d.startLocked(p)
}
