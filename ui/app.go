// Package ui draws the terminal with Fyne: the cashier window (sale, today's
// orders, end of day, manager settings), the customer display and the
// receipt preview. It renders state that the core owns (payments/checkout
// and the journal) and sends the cashier's intents back (charge, cancel,
// refund, reprint, save settings).
//
// It never calls a provider, a serial port or SQL itself, and never blocks
// the UI goroutine: the engine's and the journal's calls run on goroutines
// and their results come back through Config.Do (fyne.Do). It must not
// import the provider packages (payments/eftpay, payments/qfpay) or the
// sandbox; cmd/pos wires those in.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"qrpos/assets"
	"qrpos/devices/scanner"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// ProviderProbe is one provider whose reachability the status bar shows.
type ProviderProbe struct {
	Provider payments.Provider
	BaseURL  string
}

// Config is what cmd/pos hands the UI.
type Config struct {
	Engine   *checkout.Engine
	Receipts *checkout.Receipts
	Profile  checkout.Profile

	// Apply stores a profile the manager edited and rewires what depends on
	// it (gateways, devices), returning the engine to use from then on. It
	// runs off the UI goroutine, never while a sale is in progress. Nil:
	// the profile is saved in the journal and takes effect at the next start.
	Apply func(ctx context.Context, p checkout.Profile) (*checkout.Engine, error)
	// TestProvider checks one provider's connection and credentials with
	// the profile being edited (settings' "Test connection").
	TestProvider func(ctx context.Context, p checkout.Profile, prov payments.Provider) error
	// ListPorts lists the serial ports for the scanner and printer choices.
	ListPorts func(ctx context.Context) ([]string, error)

	// Kick asks the print spooler to look at the queue now (after the UI
	// queued a receipt); nil: the spooler finds it on its own.
	Kick func()
	// Scanner is the serial scanner's events (nil: keyboard wedge only). A
	// KindPort event of State "wedge" says no serial scanner is set up.
	Scanner <-chan scanner.Event
	// OnReady is called on the UI goroutine once recovery has finished and
	// sales can start.
	OnReady func()

	Providers  []ProviderProbe // reachability probes for the status bar
	ProbeEvery time.Duration   // default 30 s

	Demo       bool
	SandboxURL string // demo: the customer display's "pay" button posts /sandbox/pay here
	Kiosk      bool
	// CustomerFullScreenAfter: in kiosk mode the customer display goes full
	// screen this long after it is shown, on the monitor it is on by then
	// (window manager rules or xdotool move it there). Default 2 s.
	CustomerFullScreenAfter time.Duration
	// CustomerIdleAfter: the customer display returns to its idle screen
	// this long after a sale ended (default 20 s).
	CustomerIdleAfter time.Duration
	// ReportDir is where the day report's CSV goes (default: beside the journal).
	ReportDir string
	// OnQuit is called when the manager closes the terminal (default: app.Quit).
	OnQuit func()

	// Do runs f on the UI goroutine (default fyne.Do). Tests pump their own queue.
	Do   func(f func())
	Now  func() time.Time
	Log  *slog.Logger
	HTTP *http.Client
}

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
	http *http.Client

	eng   *checkout.Engine
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
	amount    string
	method    payments.Method
	money     payments.Money
	sale      *checkout.Sale
	order     payments.Order
	working   string
	saleErr   string
	receipt   bool // the engine queued the sale's receipt
	copyDone  bool // "Print receipt" was used
	early     map[string]payments.Order
	saleStop  chan struct{}
	idleTimer *time.Timer

	// Device and provider status.
	scanState   string
	scanPort    string
	scanErr     string
	printQueued int
	printErr    string
	probes      map[payments.Provider]*probeState
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
	if cfg.Engine == nil {
		return nil, fmt.Errorf("ui: no engine")
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
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second}
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
	tr, err := NewTranslator(Language(cfg.Profile.Language))
	if err != nil {
		return nil, err
	}
	t := &Terminal{cfg: cfg, app: a, tr: tr, do: cfg.Do, now: cfg.Now, log: cfg.Log, http: cfg.HTTP,
		eng: cfg.Engine, prof: cfg.Profile, early: map[string]payments.Order{}, probes: map[payments.Provider]*probeState{}}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	for _, p := range cfg.Providers {
		t.probes[p.Provider] = &probeState{}
	}
	if cfg.Scanner == nil {
		t.scanState = "wedge"
	}
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
	t.recover()
	if t.cfg.Scanner != nil {
		go t.readScanner(t.cfg.Scanner)
	}
	if len(t.cfg.Providers) > 0 {
		go t.runProbes()
	}
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
	ch, stop := t.eng.Subscribe(256)
	t.unsub = stop
	go func() {
		for u := range ch {
			t.do(func() { t.onUpdate(u) })
		}
	}()
}

// recover finishes the orders a previous run left open, off the UI
// goroutine, then lets sales start and shows what it did.
func (t *Terminal) recover() {
	eng, ctx := t.eng, t.ctx
	t.ready = false
	t.refreshCashier()
	go func() {
		recs, err := eng.Recover(ctx)
		t.do(func() {
			t.ready = true
			t.recovered = append(t.recovered, recs...)
			if err != nil {
				t.recErr = err.Error()
			}
			t.refreshBanner()
			t.refreshCashier()
			t.refreshHistory()
			if t.cfg.OnReady != nil {
				t.cfg.OnReady()
			}
		})
	}()
}

// build (re)makes every screen in the current language.
func (t *Terminal) build() {
	title := t.tr.T("app.title", "TID", t.prof.TID)
	if t.cfg.Demo {
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
	if t.cfg.Demo {
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

// onUpdate takes one engine update (UI goroutine).
func (t *Terminal) onUpdate(u checkout.Update) {
	no := u.Order.OutTradeNo
	if u.Kind == checkout.UpdateRenumbered && u.Previous != "" && u.Previous == t.order.OutTradeNo {
		// The provider had the old number already: the sale goes on under
		// the fresh one.
		t.order = u.Order
		t.working = u.Message
	}
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
	switch {
	case no != "" && no == t.order.OutTradeNo:
		t.applyOrder(u.Order)
		switch u.Kind {
		case checkout.UpdateWorking:
			t.working = u.Message
		case checkout.UpdateReceipt:
			if u.Refund == nil {
				t.receipt = true
			}
		}
		t.refreshCashier()
		t.cust.refresh()
	case t.phase == phaseStarting && no != "":
		// The order may be ours before Charge has returned: keep it.
		if prev, ok := t.early[no]; !ok || !u.Order.UpdatedAt.Before(prev.UpdatedAt) {
			t.early[no] = u.Order
		}
	}
	if u.Kind != checkout.UpdateWorking {
		t.history.updated(u.Order)
		if t.detail != nil {
			t.detail.updated(u)
		}
	}
}

// applyOrder records a newer view of the current order.
func (t *Terminal) applyOrder(o payments.Order) {
	if o.UpdatedAt.Before(t.order.UpdatedAt) {
		return
	}
	t.order = o
}

// startSale charges the typed amount by method m (auth: the customer's
// code for CPM). Errors come back to the amount screen.
func (t *Terminal) startSale(m payments.Method, auth string) {
	if !t.ready || t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	r := payments.QFPayRange
	if m.Provider == payments.Eftpay {
		r = payments.EftpayRange
	}
	money, err := payments.ParseMoney(t.amount, t.currency(), r)
	if err != nil {
		t.phase = phaseEntry
		t.saleErr = err.Error()
		t.refreshCashier()
		return
	}
	if m.Mode == payments.CPM && strings.TrimSpace(auth) == "" {
		t.method, t.money = m, money
		t.phase = phaseScan
		t.saleErr = ""
		t.refreshCashier()
		t.cust.refresh()
		return
	}
	if m.Mode == payments.CPM && m.Wallet == payments.AnyWallet {
		m = t.cpmMethodFor(auth, m)
	}
	t.stopIdleTimer()
	t.method, t.money = m, money
	t.phase = phaseStarting
	t.saleErr, t.working = "", ""
	t.order = payments.Order{}
	t.receipt, t.copyDone = false, false
	t.early = map[string]payments.Order{}
	t.refreshCashier()
	t.cust.refresh()
	eng, ctx := t.eng, t.ctx
	req := checkout.ChargeRequest{Provider: m.Provider, MethodCode: m.Code, Amount: money, AuthCode: strings.TrimSpace(auth)}
	go func() {
		s, err := eng.Charge(ctx, req)
		if err != nil {
			t.do(func() {
				t.phase = phaseEntry
				t.saleErr = err.Error()
				t.refreshCashier()
				t.cust.refresh()
			})
			return
		}
		t.followSale(s)
	}()
}

// followSale shows sale s until it ends (any goroutine but the UI's).
func (t *Terminal) followSale(s *checkout.Sale) {
	eng, ctx := t.eng, t.ctx
	o, rerr := eng.Journal().Order(ctx, s.OutTradeNo())
	if rerr != nil {
		o = s.Order
	}
	stop := make(chan struct{})
	t.do(func() {
		t.sale = s
		t.saleStop = stop
		t.order = o
		if e, ok := t.early[o.OutTradeNo]; ok {
			t.applyOrder(e)
		}
		t.early = map[string]payments.Order{}
		t.phase = phaseWaiting
		t.refreshCashier()
		t.cust.refresh()
	})
	go t.countdown(s, stop)
	final, werr := s.Wait(ctx)
	close(stop)
	t.do(func() {
		if t.sale != s {
			return
		}
		t.finishSale(final, werr)
	})
}

// adoptTillSale shows a sale the shop's till rang up through the local API,
// when the counter is free: the customer display shows its QR, the cashier
// can cancel it. A sale arriving while the cashier is busy runs on; its
// result reaches the till either way (UI goroutine).
func (t *Terminal) adoptTillSale(no string) {
	if t.phase == phaseStarting || t.phase == phaseWaiting || t.phase == phaseScan {
		return
	}
	for _, s := range t.eng.Sales() {
		if s.Order.OutTradeNo != no {
			continue
		}
		m, err := s.Order.Method()
		if err != nil {
			return
		}
		t.stopIdleTimer()
		t.method, t.money, t.amount = m, s.Order.Amount, s.Order.Amount.Decimal()
		t.phase = phaseStarting
		t.saleErr, t.working = "", t.tr.T("working.from_till", "Amount", s.Order.Amount.String(), "Reference", s.Reference)
		t.receipt, t.copyDone = false, false
		t.early = map[string]payments.Order{}
		go t.followSale(s)
		return
	}
}

// countdown refreshes the time left once a second while the sale runs.
func (t *Terminal) countdown(s *checkout.Sale, stop <-chan struct{}) {
	tk := time.NewTicker(time.Second)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.ctx.Done():
			return
		case <-tk.C:
			t.do(func() {
				if t.sale == s && t.phase == phaseWaiting {
					t.cashier.refreshCountdown()
					t.cust.refreshCountdown()
				}
			})
		}
	}
}

// finishSale shows how the sale ended.
func (t *Terminal) finishSale(final payments.Order, err error) {
	if final.OutTradeNo != "" {
		t.applyOrder(final)
	}
	if err != nil {
		t.working = err.Error()
	}
	t.phase = phaseResult
	t.refreshCashier()
	t.cust.refresh()
	t.refreshHistory()
	t.startIdleTimer()
}

// cancelSale asks the engine to end the sale in progress.
func (t *Terminal) cancelSale() {
	switch t.phase {
	case phaseScan:
		t.phase = phaseEntry
		t.refreshCashier()
		t.cust.refresh()
	case phaseWaiting:
		if t.sale != nil {
			t.working = t.tr.T("working.cancelling")
			t.sale.Cancel()
			t.refreshCashier()
		}
	}
}

// newSale clears the screen for the next customer. keepAmount keeps the
// typed amount ("Try again").
func (t *Terminal) newSale(keepAmount bool) {
	if t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	t.phase = phaseEntry
	if !keepAmount {
		t.amount = ""
	}
	t.sale, t.order = nil, payments.Order{}
	t.saleErr, t.working = "", ""
	t.receipt, t.copyDone = false, false
	t.stopIdleTimer()
	t.refreshCashier()
	t.cust.refresh()
}

func (t *Terminal) startIdleTimer() {
	t.stopIdleTimer()
	no := t.order.OutTradeNo
	t.idleTimer = time.AfterFunc(t.cfg.CustomerIdleAfter, func() {
		t.do(func() {
			if t.phase == phaseResult && t.order.OutTradeNo == no {
				t.cust.idle = true
				t.cust.refresh()
			}
		})
	})
}

func (t *Terminal) stopIdleTimer() {
	if t.idleTimer != nil {
		t.idleTimer.Stop()
		t.idleTimer = nil
	}
	t.cust.idle = false
}

// printCopy queues a copy of the current sale's receipt (once a sale).
func (t *Terminal) printCopy() {
	if t.copyDone || !t.order.State.MoneyMoved() || t.cfg.Receipts == nil {
		return
	}
	t.copyDone = true
	t.refreshCashier()
	o, rc, j := t.order, t.cfg.Receipts, t.eng.Journal()
	go func() {
		err := rc.Reprint(t.ctx, o)
		t.audit(j, "cashier", "receipt_copy", o.OutTradeNo)
		t.kickSpooler()
		if err != nil {
			t.do(func() { t.showError(err) })
		}
	}()
}

// checkAgain runs recovery for orders left open (a sale that ended unknown).
func (t *Terminal) checkAgain() {
	if t.phase == phaseStarting || t.phase == phaseWaiting {
		return
	}
	no := t.order.OutTradeNo
	t.working = t.tr.T("working.checking")
	t.refreshCashier()
	eng, ctx := t.eng, t.ctx
	go func() {
		recs, err := eng.Recover(ctx)
		o, oerr := eng.Journal().Order(ctx, no)
		t.do(func() {
			t.recovered = append(t.recovered, recs...)
			if err != nil {
				t.recErr = err.Error()
			}
			if oerr == nil && t.order.OutTradeNo == no {
				t.applyOrder(o)
				t.working = ""
			}
			t.refreshBanner()
			t.refreshCashier()
			t.cust.refresh()
		})
	}()
}

// currency is the terminal's currency.
func (t *Terminal) currency() payments.Currency {
	c := payments.Currency(t.prof.Currency)
	if !c.Valid() {
		return payments.DefaultCurrency
	}
	return c
}

// offered is what the cashier may choose, MPM first.
func (t *Terminal) offered() (mpm, cpm []payments.Method) {
	for _, m := range t.prof.Offered() {
		switch m.Mode {
		case payments.MPM:
			mpm = append(mpm, m)
		case payments.CPM:
			cpm = append(cpm, m)
		}
	}
	return mpm, cpm
}

// cpmMethodFor picks the specific CPM method for a scanned code when this
// terminal offers it, else keeps the unified one.
func (t *Terminal) cpmMethodFor(code string, fallback payments.Method) payments.Method {
	want := payments.CPMMethodFor(payments.ClassifyAuthCode(code))
	for _, m := range t.prof.Offered() {
		if m.ID() == want.ID() {
			return m
		}
	}
	return fallback
}

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
		_, cpm := t.offered()
		if len(cpm) > 0 && t.amount != "" {
			t.startSale(t.cpmMethodFor(code, cpm[0]), code)
		}
	}
}

// readScanner follows the serial scanner's events.
func (t *Terminal) readScanner(ch <-chan scanner.Event) {
	for {
		select {
		case <-t.ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				t.do(func() { t.scanState = "down"; t.status.refresh() })
				return
			}
			switch ev.Kind {
			case scanner.KindCode:
				code := ev.Code
				t.do(func() { t.onScan(code) })
			case scanner.KindPort:
				t.do(func() {
					t.scanState, t.scanPort, t.scanErr = ev.State, ev.Port, ev.Err
					t.status.refresh()
				})
			}
		}
	}
}

// PrinterQueue is the spooler's report (checkout.Spooler.OnChange): safe
// from any goroutine.
func (t *Terminal) PrinterQueue(queued int, lastErr error) {
	msg := ""
	if lastErr != nil {
		msg = lastErr.Error()
	}
	t.do(func() {
		t.printQueued, t.printErr = queued, msg
		t.status.refresh()
	})
}

// Sell types amount and chooses the method with id ("qfpay:800101") as a
// cashier would; safe from any goroutine (pos run's test hook).
func (t *Terminal) Sell(amount, methodID string) {
	t.do(func() {
		for _, m := range t.prof.Offered() {
			if m.ID() == methodID {
				t.amount = amount
				t.startSale(m, "")
				return
			}
		}
		t.saleErr = fmt.Sprintf("method %s is not offered", methodID)
		t.refreshCashier()
	})
}

// Ready reports whether recovery has finished (UI goroutine).
func (t *Terminal) Ready() bool { return t.ready }

// kickSpooler asks the spooler to print now.
func (t *Terminal) kickSpooler() {
	if t.cfg.Kick != nil {
		t.cfg.Kick()
	}
}

// audit writes a manager or cashier action to the journal's audit log
// (off the UI goroutine).
func (t *Terminal) audit(j *storage.Journal, actor, action, detail string) {
	if err := j.Audit(t.ctx, storage.AuditEntry{TID: t.prof.TID, Actor: actor, Action: action, Detail: detail}); err != nil {
		t.log.Error("audit", "action", action, "err", err)
	}
}

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

// refreshBanner shows what recovery did at start, until dismissed.
func (t *Terminal) refreshBanner() {
	if t.banner == nil {
		return
	}
	t.banner.Objects = nil
	if len(t.recovered) > 0 || t.recErr != "" {
		t.banner.Add(newRecoveryBanner(t))
	}
	t.banner.Refresh()
}

// recoveredLines describes recovered orders for people.
func (t *Terminal) recoveredLines() []string {
	var out []string
	recs := append([]checkout.Recovered(nil), t.recovered...)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].OutTradeNo < recs[j].OutTradeNo })
	for _, r := range recs {
		what := r.OutTradeNo
		if r.RefundNo != "" {
			what = t.tr.T("banner.refund", "Refund", r.RefundNo, "Order", r.OutTradeNo)
		}
		line := t.tr.T("banner.line", "What", what, "From", t.stateName(payments.State(r.From)), "To", t.stateName(payments.State(r.To)))
		if r.Note != "" {
			line += " — " + r.Note
		}
		out = append(out, line)
	}
	if t.recErr != "" {
		out = append(out, t.tr.T("banner.error", "Error", t.recErr))
	}
	return out
}

// Profile is the profile the UI runs with (UI goroutine).
func (t *Terminal) Profile() checkout.Profile { return t.prof }

// Translator is the UI's current translator (UI goroutine).
func (t *Terminal) Translator() *Translator { return t.tr }
