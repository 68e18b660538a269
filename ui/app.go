// Package ui draws the terminal with Fyne: the cashier window (sale, today's
// orders, end of day, manager settings), the customer display and the
// receipt preview. It renders state that the core owns (payments/checkout
// through qrpos/terminal) and sends the cashier's intents back (charge,
// cancel, refund, reprint, save settings).
//
// It only translates: it imports the core (qrpos/terminal, with the
// payments and payments/checkout types as its vocabulary), never storage,
// devices/*, net/http or database/sql (imports_test.go fails when it does),
// and never blocks the UI goroutine: the core's calls run on goroutines and
// their results come back through Config.Do (fyne.Do).
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"qrpos/assets"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// Terminal is the running UI: the cashier window, the customer display and
// the receipt preview, and the state they render.
type Terminal struct {
	cfg  Config
	app  fyne.App
	tr   *Translator
	do   func(func())
	now  func() time.Time
	log  *slog.Logger
	core *terminal.Terminal

	prof  checkout.Profile
	unsub func()

	ctx    context.Context
	cancel context.CancelFunc

	win     fyne.Window
	cust    *customerDisplay
	preview *previewWindow

	ready     bool // recovery finished: sales may start
	recovered []checkout.Recovered
	recErr    string

	counterSale // the sale on the screen (sale.go)

	// Device and provider status.
	scanState   string
	scanPort    string
	scanErr     string
	printQueued int
	printErr    string
	providers   []payments.Provider // the providers the status bar shows
	health      map[payments.Provider]terminal.Health
	hqState     terminal.HQState  // the link to head office, as last watched
	scanWaiter  func(code string) // settings' "Test scan"

	cashier  *cashierScreen
	history  *historyScreen
	detail   *orderDetail
	report   *reportScreen
	settings *settingsScreen
	status   *statusBar
	tabs     *container.AppTabs
	banner   *fyne.Container
	pin      *pinPrompt
}

// New builds the windows for cfg; call Start, then show them with
// ShowAndRun (or Show and the app's Run).
func New(a fyne.App, cfg Config) (*Terminal, error) {
	if cfg.Core == nil {
		return nil, fmt.Errorf("ui: no terminal")
	}
	if cfg.TestProvider == nil {
		cfg.TestProvider = terminal.TestProvider
	}
	if cfg.ListPorts == nil {
		cfg.ListPorts = terminal.ListPorts
	}
	if cfg.ListPrinterPorts == nil {
		cfg.ListPrinterPorts = terminal.ListPrinterPorts
	}
	if cfg.Scanner == nil {
		cfg.Scanner = cfg.Core.ScannerEvents()
	}
	if cfg.Do == nil {
		cfg.Do = fyne.Do
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.ProbeEvery == 0 {
		cfg.ProbeEvery = 30 * time.Second
	}
	if cfg.CustomerFullScreenAfter == 0 {
		cfg.CustomerFullScreenAfter = 2 * time.Second
	}
	if cfg.CustomerIdleAfter == 0 {
		cfg.CustomerIdleAfter = 20 * time.Second
	}
	prof := cfg.Core.Profile()
	tr, err := NewTranslator(Language(prof.Language))
	if err != nil {
		return nil, err
	}
	t := &Terminal{cfg: cfg, app: a, tr: tr, do: cfg.Do, now: cfg.Now, log: cfg.Log, core: cfg.Core,
		prof: prof, providers: cfg.Core.HealthProviders(), health: map[payments.Provider]terminal.Health{}}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.applyTheme()
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	t.win = a.NewWindow("")
	t.win.SetMaster()
	t.win.Resize(fyne.NewSize(800, 600)) // fits the smallest counter screen; kiosks go full screen
	t.cust = newCustomerDisplay(t)
	t.preview = newPreviewWindow(t)
	t.build()
	if cfg.Kiosk {
		t.win.SetFullScreen(true)
		t.win.SetCloseIntercept(func() { t.askQuit() })
	}
	return t, nil
}

// Window is the cashier window.
func (t *Terminal) Window() fyne.Window { return t.win }

// CustomerWindow is the customer display.
func (t *Terminal) CustomerWindow() fyne.Window { return t.cust.win }

// Show shows the cashier window and the customer display.
func (t *Terminal) Show() {
	t.cust.win.Show()
	t.win.Show()
	if t.cfg.Kiosk {
		go func() {
			select {
			case <-time.After(t.cfg.CustomerFullScreenAfter):
				t.do(func() { t.cust.win.SetFullScreen(true) })
			case <-t.ctx.Done():
			}
		}()
	}
}

// Start runs what the UI listens to: the engine's updates, crash recovery
// (sales start once it has finished), the scanner and the provider probes.
// They stop with ctx or Stop.
func (t *Terminal) Start(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
			t.cancel()
		case <-t.ctx.Done():
		}
	}()
	t.subscribe()
	t.watchAsks()
	t.watchProfile()
	t.recover()
	go t.readScanner(t.cfg.Scanner)
	t.core.WatchHealth(t.ctx, t.cfg.ProbeEvery, func(h terminal.Health) {
		t.do(func() { t.health[h.Provider] = h; t.status.refresh() })
	})
	t.core.WatchHQ(t.ctx, t.cfg.HQEvery, func(s terminal.HQState) {
		t.do(func() { t.hqState = s; t.status.refresh() })
	})
}

// Stop ends the UI's background work.
func (t *Terminal) Stop() {
	t.cancel()
	if t.unsub != nil {
		t.unsub()
		t.unsub = nil
	}
}

// Ready reports whether recovery has finished (UI goroutine).
func (t *Terminal) Ready() bool { return t.ready }

// audit writes a manager or cashier action to the audit log (off the UI
// goroutine).
func (t *Terminal) audit(actor, action, detail string) { t.core.Audit(t.ctx, actor, action, detail) }

func (t *Terminal) refreshCashier() {
	if t.cashier != nil {
		t.cashier.refresh()
	}
}

func (t *Terminal) refreshHistory() {
	if t.history != nil && t.tabs != nil && t.tabs.Selected() != nil && t.tabs.Selected().Content == t.history.root {
		t.history.reload()
	}
}

// Profile is the profile the UI runs with (UI goroutine).
func (t *Terminal) Profile() checkout.Profile { return t.prof }

// Translator is the UI's current translator (UI goroutine).
func (t *Terminal) Translator() *Translator { return t.tr }
