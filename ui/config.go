package ui

import (
	"context"
	"log/slog"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// Config is what cmd/pos hands the UI: the core, and how to present it.
type Config struct {
	// Core is the terminal the UI renders and drives.
	Core *terminal.Terminal

	// TestProvider checks one provider's connection and credentials with
	// the profile being edited (settings' "Test connection"; default
	// terminal.TestProvider).
	TestProvider func(ctx context.Context, p checkout.Profile, prov payments.Provider) error
	// ListPorts lists the serial ports for the scanner choices (default
	// terminal.ListPorts).
	ListPorts func(ctx context.Context) ([]string, error)
	// ListPrinterPorts lists the printer choices: serial ports, USB and
	// Windows printers (default terminal.ListPrinterPorts).
	ListPrinterPorts func(ctx context.Context) ([]string, error)
	// Scanner is the serial scanner's events (default: the core's). A
	// State "wedge" event says no serial scanner is set up.
	Scanner <-chan terminal.ScannerEvent
	// OnReady is called on the UI goroutine once recovery has finished and
	// sales can start.
	OnReady func()

	ProbeEvery time.Duration // the providers' health probes; default 30 s
	HQEvery    time.Duration // how often the status bar looks at the link to head office; default 5 s

	Kiosk bool
	// CustomerFullScreenAfter: in kiosk mode the customer display goes full
	// screen this long after it is shown, on the monitor it is on by then
	// (window manager rules or xdotool move it there). Default 2 s.
	CustomerFullScreenAfter time.Duration
	// CustomerIdleAfter: the customer display returns to its idle screen
	// this long after a sale ended (default 20 s).
	CustomerIdleAfter time.Duration
	// NewSaleAfter: the next sale comes up this long after a paid one
	// (default 8 s; negative: the cashier taps New sale).
	NewSaleAfter time.Duration
	// ReportDir is where the day report's CSV goes (default: the core's).
	ReportDir string
	// OnQuit is called when the manager closes the terminal (default: app.Quit).
	OnQuit func()

	// Do runs f on the UI goroutine (default fyne.Do). Tests pump their own queue.
	Do  func(f func())
	Now func() time.Time
	Log *slog.Logger
}
