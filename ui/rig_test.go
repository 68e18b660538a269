package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"qrpos/devices/printer"
	"qrpos/devices/scanner"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// rig is a terminal UI over a real engine: a journal file in t.TempDir(),
// the sandbox over loopback HTTP, both real gateways, the real print
// spooler into the virtual printer, and Fyne's test driver. The UI's
// fyne.Do goes into a queue that the test goroutine pumps, so every
// widget is touched from one goroutine.
type rig struct {
	t       *testing.T
	sb      *sandbox.Server
	sbURL   string
	j       *storage.Journal
	eng     *checkout.Engine
	rc      *checkout.Receipts
	prof    checkout.Profile
	app     fyne.App
	term    *Terminal
	q       chan func()
	preview *PreviewPrinter
	spool   *checkout.Spooler
	scan    chan scanner.Event
	cancel  context.CancelFunc

	mu      sync.Mutex
	profile checkout.Profile // what receipts read
}

type rigOptions struct {
	language Language
	journal  string // reuse a journal file (restart tests)
	scanner  bool   // a serial scanner event channel
	noPIN    bool
	timeout  time.Duration // MPM order timeout
}

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

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, q: make(chan func(), 4096)}
	r.sb = sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000})
	srv := httptest.NewServer(r.sb.Handler())
	r.sbURL = srv.URL
	path := o.journal
	if path == "" {
		path = filepath.Join(privateDir(t), "pos.db")
	}
	j, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	r.j = j
	r.prof = checkout.Profile{TID: "T001", StoreName: "好味茶餐廳 Ho Mei Cafe", Currency: "HKD", Language: string(o.language),
		ReceiptFooter: "多謝惠顧 Thank you",
		Eftpay:        checkout.EftpayProfile{BaseURL: srv.URL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser, Secret: sandbox.DemoEftpaySecret},
		QFPay:         checkout.QFPayProfile{BaseURL: srv.URL, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey}}
	if !o.noPIN {
		r.prof.ManagerPIN = testPINHash()
	}
	if err := r.prof.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := checkout.SaveProfile(context.Background(), j, r.prof); err != nil {
		t.Fatal(err)
	}
	r.profile = r.prof
	eft, err := eftpay.NewGateway(eftpay.Config{BaseURL: srv.URL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser,
		Secret: sandbox.DemoEftpaySecret, TID: "T001", Timeout: 2 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	qf, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey,
		TID: "T001", Timeout: 2 * time.Second, Logger: quiet, RatePerSecond: 10000, RatePerMinute: 1000000})
	if err != nil {
		t.Fatal(err)
	}
	timeout := o.timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	r.eng, err = checkout.New(j, checkout.Config{TID: "T001", Currency: "HKD", OrderTimeout: timeout, CPMTimeout: 5 * time.Second,
		UnknownTimeout: time.Second, Poll: fastPoll(), Logger: quiet}, eft, qf)
	if err != nil {
		t.Fatal(err)
	}
	r.rc = &checkout.Receipts{J: j, Profile: func() checkout.Profile { r.mu.Lock(); defer r.mu.Unlock(); return r.profile }}
	r.eng.SetReceiptSink(r.rc)
	r.preview, err = NewPreviewPrinter(printer.Format{Width: 48, Encoding: printer.Big5})
	if err != nil {
		t.Fatal(err)
	}
	r.app = test.NewApp()
	cfg := Config{Engine: r.eng, Receipts: r.rc, Profile: r.prof, Demo: true, SandboxURL: srv.URL,
		Providers: []ProviderProbe{{payments.Eftpay, srv.URL + "/VMP"}, {payments.QFPay, srv.URL}},
		Do:        func(f func()) { r.q <- f }, Log: quiet, CustomerIdleAfter: time.Hour,
		Apply: func(ctx context.Context, p checkout.Profile) (*checkout.Engine, error) {
			if err := checkout.SaveProfile(ctx, j, p); err != nil {
				return nil, err
			}
			r.mu.Lock()
			r.profile = p
			r.mu.Unlock()
			return r.eng, nil
		},
	}
	if o.scanner {
		r.scan = make(chan scanner.Event, 8)
		cfg.Scanner = r.scan
	}
	r.spool = &checkout.Spooler{J: j, Printer: r.preview, Log: quiet, Retry: 50 * time.Millisecond}
	cfg.Kick = r.spool.Kick
	r.term, err = New(r.app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.spool.OnChange = r.term.PrinterQueue
	r.preview.OnShow(r.term.ShowPrintout)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	spoolDone := make(chan struct{})
	go func() { r.spool.Run(ctx); close(spoolDone) }()
	r.term.Start(ctx)
	r.term.Show()
	t.Cleanup(func() {
		r.term.Stop()
		cancel()
		<-spoolDone
		r.eng.Close()
		r.preview.Close()
		j.Close()
		srv.Close()
		r.sb.Close()
		r.app.Quit()
	})
	r.until("recovery done", func() bool { return r.term.ready })
	return r
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

// tap taps a button and runs what it queued.
func (r *rig) tap(b *widget.Button) {
	r.t.Helper()
	if b.Disabled() {
		r.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
}

// typeAmount types on the cashier window's canvas, as a keyboard does.
func (r *rig) typeAmount(s string) {
	test.TypeOnCanvas(r.term.win.Canvas(), s)
}

// method is the cashier's button of a method.
func (r *rig) method(id string) *widget.Button {
	r.t.Helper()
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
