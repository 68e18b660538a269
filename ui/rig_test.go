package ui

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
	"qrpos/terminal"
)

// rig is a terminal UI over the real core: a journal file in t.TempDir(),
// the core in demo mode over the test's sandbox (loopback HTTP, both real
// gateways), the core's print spooler into the virtual printer, and Fyne's
// test driver. The UI's fyne.Do goes into a queue that the test goroutine
// pumps, so every widget is touched from one goroutine.
type rig struct {
	t      *testing.T
	sb     *sandbox.Server
	sbURL  string
	core   *terminal.Terminal
	j      *storage.Journal // the core's, for the test's own checks
	eng    *checkout.Engine // the core's engine at start
	prof   checkout.Profile
	app    fyne.App
	term   *Terminal
	q      chan func()
	scan   chan terminal.ScannerEvent
	cancel context.CancelFunc
	once   sync.Once
}

type rigOptions struct {
	language Language
	journal  string        // reuse a journal file (restart tests)
	scanner  bool          // a serial scanner event channel
	timeout  time.Duration // MPM order timeout
	api      bool          // serve the local API (a till's charges)
	// newSaleAfter: the return to a new sale after a paid one (0: never).
	newSaleAfter time.Duration
	now          func() time.Time // the UI's clock (nil: time.Now)
	hq           string           // a head office's URL for the profile's [hq] (and the link started)
	beforeStart  func(r *rig)     // runs once the core (and its API) serves, before the UI starts
}

// rigMethods are the rig's ways to pay, in routing order: Alipay's QR from
// QFPay, AlipayHK's and WeChat Pay HK's from eftPay, and so on.
var rigMethods = []string{"qfpay:800101", "eftpay:ALIPAYHK", "eftpay:WECHATHK", "qfpay:800201", "eftpay:PAYME",
	"qfpay:802001", "qfpay:803701", "qfpay:800008", "qfpay:800208", "qfpay:800108", "qfpay:801008", "qfpay:805808", "qfpay:800708"}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testPINHash is the hash of "1234", made once (it takes a while under -race).
var testPINHash = sync.OnceValue(func() string {
	h, err := checkout.HashPIN(DefaultDemoPIN)
	if err != nil {
		panic(err)
	}
	return h
})

func fastPoll() checkout.PollSchedule {
	return checkout.PollSchedule{First: 40 * time.Millisecond, Fast: 40 * time.Millisecond, FastFor: time.Second, Slow: 80 * time.Millisecond}
}

// rigProfile stores the rig's store profile in the journal at path; the
// core's demo mode then points it at the sandbox.
func rigProfile(t *testing.T, path string, o rigOptions) checkout.Profile {
	t.Helper()
	j, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	p := checkout.Profile{TID: "T001", StoreName: "好味茶餐廳 Ho Mei Cafe", Currency: "HKD", Language: string(o.language),
		ReceiptFooter: "多謝惠顧 Thank you", ManagerPIN: testPINHash(), Methods: rigMethods}
	if old, err := checkout.LoadProfile(context.Background(), j, "T001"); err == nil {
		p = old // a restart keeps what the manager saved
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := checkout.SaveProfile(context.Background(), j, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, q: make(chan func(), 4096)}
	r.sb = sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000})
	path := o.journal
	if path == "" {
		path = filepath.Join(privateDir(t), "pos.db")
	}
	rigProfile(t, path, o)
	timeout := o.timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	core, err := terminal.Open(context.Background(), terminal.Options{Demo: true, DemoJournal: path, DemoTID: "T001",
		DemoSandbox: r.sb, Log: quiet, Tune: func(c *checkout.Config) {
			c.OrderTimeout, c.CPMTimeout, c.UnknownTimeout, c.Poll = timeout, 5*time.Second, time.Second, fastPoll()
		}})
	if err != nil {
		t.Fatal(err)
	}
	r.core, r.j, r.eng, r.prof, r.sbURL = core, core.Journal(), core.Engine(), core.Profile(), core.SandboxURL()
	r.app = test.NewApp()
	cfg := Config{Core: core, Do: func(f func()) { r.q <- f }, Log: quiet, CustomerIdleAfter: time.Hour, NewSaleAfter: o.newSaleAfter, Now: o.now,
		HQEvery: 50 * time.Millisecond}
	if cfg.NewSaleAfter == 0 {
		cfg.NewSaleAfter = -1 // the tests tap New sale
	}
	if o.scanner {
		r.scan = make(chan terminal.ScannerEvent, 8)
		cfg.Scanner = r.scan
	}
	r.term, err = New(r.app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	w := r.term.DeviceWatch()
	w.PrintRetry = 50 * time.Millisecond
	if err := core.StartDevices(ctx, w); err != nil {
		t.Fatal(err)
	}
	if o.hq != "" {
		// The token is a secret the journal never keeps: the profile in
		// force gets it as a config file would give it.
		p := core.Profile()
		p.HQ = checkout.HQProfile{URL: o.hq, Token: "rig-token-0123456789abcdefghijklmnopqrstuvwxyz"}
		if err := core.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
		core.StartHQ(ctx, "test")
	}
	if o.api {
		if err := core.ServeAPI("test"); err != nil {
			t.Fatal(err)
		}
	}
	if o.beforeStart != nil {
		o.beforeStart(r)
	}
	r.term.Start(ctx)
	r.term.Show()
	t.Cleanup(func() {
		r.close()
		r.sb.Close()
		r.app.Quit()
	})
	r.until("recovery done", func() bool { return r.term.ready })
	return r
}

// close stops the UI and closes the core (and its journal), once.
func (r *rig) close() {
	r.once.Do(func() {
		r.term.Stop()
		r.cancel()
		r.core.Close()
	})
}

// until runs the UI queue until cond holds, failing after 15 s.
func (r *rig) until(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.After(15 * time.Second)
	for !cond() {
		select {
		case f := <-r.q:
			f()
		case <-deadline:
			r.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// drain runs what is queued right now, and what arrives within d.
func (r *rig) drain(d time.Duration) {
	end := time.After(d)
	for {
		select {
		case f := <-r.q:
			f()
		case <-end:
			return
		}
	}
}

// tappable is a button or a keypad key.
type tappable interface {
	fyne.Tappable
	Disabled() bool
}

// tap taps a button and runs what it queued.
func (r *rig) tap(b tappable) {
	r.t.Helper()
	if b.Disabled() {
		r.t.Fatalf("%T %v is disabled", b, b)
	}
	test.Tap(b)
}

// typeAmount types on the cashier window's canvas, as a keyboard does.
func (r *rig) typeAmount(s string) {
	test.TypeOnCanvas(r.term.win.Canvas(), s)
}

// method is the cashier's button of a method: a QR method's wallet, or
// the scan for a customer-code method.
func (r *rig) method(id string) *payButton {
	r.t.Helper()
	if m, err := payments.LookupMethodID(id); err == nil && m.Mode == payments.CPM && r.term.cashier.scanBtn != nil {
		return r.term.cashier.scanBtn
	}
	b, ok := r.term.cashier.methodBtns[id]
	if !ok {
		r.t.Fatalf("no button for method %s", id)
	}
	return b
}

// enterPIN types pin into the open PIN prompt and submits it.
func (r *rig) enterPIN(pin string) {
	r.t.Helper()
	r.until("PIN prompt", func() bool { return r.term.pin != nil })
	p := r.term.pin
	test.Type(p.entry, pin)
	r.tap(p.ok)
	r.until("PIN checked", func() bool { return r.term.pin != p || !p.busy })
}

// order reads an order from the journal.
func (r *rig) order(no string) payments.Order {
	r.t.Helper()
	o, err := r.j.Order(context.Background(), no)
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

// audit lists the audit log's actions, oldest first.
func (r *rig) audit() []storage.AuditEntry {
	r.t.Helper()
	es, err := r.j.AuditLog(context.Background(), "T001", 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	for i, k := 0, len(es)-1; i < k; i, k = i+1, k-1 {
		es[i], es[k] = es[k], es[i]
	}
	return es
}

// loadProfile reads the terminal's profile from the journal.
func loadProfile(r *rig) (checkout.Profile, error) {
	return checkout.LoadProfile(context.Background(), r.j, "T001")
}

// privateDir is a temporary directory the journal accepts (mode 0700: the
// journal refuses a directory others can read).
func privateDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}
