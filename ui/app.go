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
	"fyne.io/fyne/v2/widget"

	"qrpos/assets"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// phase is where the sale screen is.
type phase int

const (
	phaseEntry    phase = iota // typing the amount, choosing a method
	phaseScan                  // CPM: waiting for the customer's code
	phaseStarting              // the order is being journalled
	phaseWaiting               // the provider has it; waiting for the outcome
	phaseResult                // paid, failed, or what is being done about it
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

	// The sale in progress (UI goroutine only).
	phase     phase
	ask       *terminal.TillAsk // the till's charge on the screen, before the cashier's choice
	amount    string
	method    payments.Method
	money     payments.Money
	sale      *terminal.SaleWatch
	order     payments.Order
	working   string
	saleErr   string
	receipt   bool // the engine queued the sale's receipt
	copyDone  bool // "Print receipt" was used
	saleStop  chan struct{}
	idleTimer *time.Timer

	// Device and provider status.
	scanState   string
	scanPort    string
	scanErr     string
	printQueued int
	printErr    string
	providers   []payments.Provider // the providers the status bar shows
	health      map[payments.Provider]terminal.Health
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
	a.Settings().SetTheme(posTheme{})
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	t.win = a.NewWindow("")
	t.win.SetMaster()
	t.win.Resize(fyne.NewSize(1180, 760))
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
	t.recover()
	go t.readScanner(t.cfg.Scanner)
	t.core.WatchHealth(t.ctx, t.cfg.ProbeEvery, func(h terminal.Health) {
		t.do(func() { t.health[h.Provider] = h; t.status.refresh() })
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

// subscribe follows the engine's updates (again after the engine changed).
func (t *Terminal) subscribe() {
	if t.unsub != nil {
		t.unsub()
	}
	ch, stop := t.core.Subscribe(256)
	t.unsub = stop
	go func() {
		for u := range ch {
			t.do(func() { t.onUpdate(u) })
		}
	}()
}

// build (re)makes every screen in the current language.
func (t *Terminal) build() {
	title := t.tr.T("app.title", "TID", t.prof.TID)
	if t.core.Demo() {
		title += " — " + t.tr.T("app.demo")
	}
	t.win.SetTitle(title)
	t.cashier = newCashierScreen(t)
	t.history = newHistoryScreen(t)
	t.detail = nil
	t.report = newReportScreen(t)
	t.settings = newSettingsScreen(t)
	t.status = newStatusBar(t)
	t.banner = container.NewVBox()
	t.tabs = container.NewAppTabs(
		container.NewTabItem(t.tr.T("tab.sale"), t.cashier.root),
		container.NewTabItem(t.tr.T("tab.orders"), t.history.root),
		container.NewTabItem(t.tr.T("tab.report"), t.report.root),
		container.NewTabItem(t.tr.T("tab.settings"), t.settings.root),
	)
	t.tabs.OnSelected = func(ti *container.TabItem) {
		switch ti.Content {
		case t.history.root:
			t.history.reload()
		case t.report.root:
			t.report.load()
		}
		if ti.Content != t.settings.root {
			t.settings.lock()
		}
		if ti.Content == t.cashier.root {
			t.win.Canvas().Unfocus()
		}
	}
	header := t.header()
	t.win.SetContent(container.NewBorder(container.NewVBox(header, t.banner), t.status.root, nil, nil, t.tabs))
	t.win.Canvas().SetOnTypedRune(t.cashier.typedRune)
	t.win.Canvas().SetOnTypedKey(t.cashier.typedKey)
	t.cust.build()
	t.refreshBanner()
	t.refreshCashier()
	t.status.refresh()
}

// header is the store's name and the terminal's id above the tabs.
func (t *Terminal) header() fyne.CanvasObject {
	name := widget.NewLabelWithStyle(t.prof.StoreName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	right := t.tr.T("header.tid", "TID", t.prof.TID)
	if t.core.Demo() {
		right = t.tr.T("app.demo") + " · " + right
	}
	return container.NewBorder(nil, nil, nil, widget.NewLabel(right), name)
}

// showTab switches to the tab holding content.
func (t *Terminal) showTab(content fyne.CanvasObject) {
	for _, it := range t.tabs.Items {
		if it.Content == content {
			t.tabs.Select(it)
			return
		}
	}
}

// onUpdate takes one engine update (UI goroutine). The sale on the screen
// follows its own watch (followSale); this keeps the lists, the detail and
// the banner current and picks up the till's sales.
func (t *Terminal) onUpdate(u checkout.Update) {
	no := u.Order.OutTradeNo
	if u.Kind == checkout.UpdateCreated && u.Origin == "till" {
		t.adoptTillSale(no)
	}
	if u.Kind == checkout.UpdateAttention {
		// No final word from the provider for too long: the manager sees
		// it in the banner; the engine keeps checking.
		rec := checkout.Recovered{OutTradeNo: no, From: string(u.Order.State), To: string(u.Order.State), Note: u.Message}
		if u.Refund != nil {
			rec.RefundNo, rec.From, rec.To = u.Refund.RefundNo, string(u.Refund.State), string(u.Refund.State)
		}
		t.recovered = append(t.recovered, rec)
		t.refreshBanner()
	}
	if u.Kind != checkout.UpdateWorking {
		t.history.updated(u.Order)
		if t.detail != nil {
			t.detail.updated(u)
		}
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
