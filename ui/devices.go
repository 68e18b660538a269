package ui

// What the UI hears from the core's devices: scanned codes and the
// scanner's port, the print queue, the virtual printer's printouts.

import (
	"strings"

	"qrpos/terminal"
)

// onScan takes a scanned code from the serial scanner or a keyboard-wedge
// scanner (UI goroutine).
func (t *Terminal) onScan(code string) {
	code = strings.TrimSpace(code)
	if code == "" {
		return
	}
	if w := t.scanWaiter; w != nil {
		t.scanWaiter = nil
		w(code)
		return
	}
	switch t.phase {
	case phaseScan:
		t.startSale(t.method, code)
	case phaseEntry:
		// A code scanned with an amount typed starts a CPM sale at once.
		m, ok := t.anyWalletMethod()
		switch {
		case !ok:
			t.saleErr = t.tr.T("cashier.scan_not_offered")
		case t.amount == "":
			t.saleErr = t.tr.T("cashier.scan_needs_amount")
		default:
			t.startSale(m, code)
			return
		}
		t.refreshCashier()
	}
}

// readScanner follows the serial scanner's events.
func (t *Terminal) readScanner(ch <-chan terminal.ScannerEvent) {
	for {
		select {
		case <-t.ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				t.do(func() { t.scanState = terminal.ScannerDown; t.status.refresh() })
				return
			}
			if ev.Code != "" {
				t.do(func() { t.onScan(ev.Code) })
				continue
			}
			t.do(func() {
				t.scanState, t.scanPort, t.scanErr = ev.State, ev.Port, ev.Err
				t.status.refresh()
			})
		}
	}
}

// DeviceWatch is what the UI wants to hear from the core's devices: the
// print queue, the printer's own status and the virtual printer's
// printouts.
func (t *Terminal) DeviceWatch() terminal.DeviceWatch {
	return terminal.DeviceWatch{Printer: t.PrinterQueue, Printout: t.ShowPrintout, PrinterStatus: t.PrinterStatus}
}

// PrinterQueue is the print queue's report: safe from any goroutine.
func (t *Terminal) PrinterQueue(queued int, lastErr error) {
	msg := ""
	if lastErr != nil {
		msg = lastErr.Error()
	}
	t.do(func() {
		t.printQueued, t.printErr = queued, msg
		t.status.refresh()
		t.printerChanged()
	})
}
