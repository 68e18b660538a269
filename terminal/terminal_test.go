package terminal

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func privateDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fast(c *checkout.Config) {
	c.Poll = checkout.PollSchedule{First: 30 * time.Millisecond, Fast: 30 * time.Millisecond, FastFor: time.Second, Slow: 60 * time.Millisecond}
	c.UnknownTimeout = time.Second
}

// openDemoCore opens a demo terminal over a sandbox of the test's.
func openDemoCore(t *testing.T) (*Terminal, *sandbox.Server) {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000})
	t.Cleanup(sb.Close)
	c, err := Open(context.Background(), Options{Demo: true, DemoJournal: filepath.Join(privateDir(t), "demo.db"),
		DemoTID: "T001", DemoSandbox: sb, Log: quiet, Tune: fast})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, sb
}

// writeConfig writes a profile for the sandbox at base beside journal pos.db.
func writeConfig(t *testing.T, base string) string {
	t.Helper()
	path := filepath.Join(privateDir(t), "terminal.toml")
	cfg := fmt.Sprintf("tid = \"CFG01\"\nstore_name = \"Config Store\"\njournal = \"pos.db\"\n[eftpay]\nbase_url = %q\nuser_confirm_key = %q\nsecret = %q\n[qfpay]\nbase_url = %q\napp_code = %q\nclient_key = %q\n",
		base+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret, base, sandbox.DemoQFPayAppCode, sandbox.DemoQFPayKey)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenAndReadWhileOpen: Open takes the journal the config names; while
// it holds it, OpenJournal is refused and OpenForReading reads read-only.
func TestOpenAndReadWhileOpen(t *testing.T) {
	sb := sandbox.New(sandbox.Config{Logger: quiet})
	defer sb.Close()
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	config := writeConfig(t, srv.URL)
	ctx := context.Background()
	c, err := Open(ctx, Options{ConfigPath: config, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if c.Profile().TID != "CFG01" || c.Engine() == nil || c.Journal().Path() != filepath.Join(filepath.Dir(config), "pos.db") {
		t.Fatalf("opened %+v at %s", c.Profile().TID, c.Journal().Path())
	}
	var le *storage.LockedError
	if _, _, err := OpenJournal(ctx, config); !errors.As(err, &le) {
		t.Fatalf("second owner: %v", err)
	}
	j, p, err := OpenForReading(ctx, config)
	if err != nil || p.TID != "CFG01" {
		t.Fatalf("read-only while open: %v", err)
	}
	j.Close()
	c.Close()
	j, p, err = OpenJournal(ctx, config)
	if err != nil || p.StoreName != "Config Store" {
		t.Fatalf("after Close: %v", err)
	}
	j.Close()
}

// TestSaleWatchHasNoGap: a sale charged through the core is seen from its
// first snapshot to the paid end, in order, without a missing step.
func TestSaleWatchHasNoGap(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m := payments.Method{}
	for _, o := range c.Profile().Offered() {
		if o.Mode == payments.MPM && o.Provider == payments.QFPay {
			m = o
			break
		}
	}
	w, err := c.Charge(ctx, checkout.ChargeRequest{Provider: m.Provider, MethodCode: m.Code, Amount: payments.Money{Minor: 1230, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	first := w.First()
	if first.Order.OutTradeNo == "" || first.Ended {
		t.Fatalf("first view %+v", first)
	}
	no, paid := first.Order.OutTradeNo, false
	last := first
	for v := range w.Views() {
		if v.Order.UpdatedAt.Before(last.Order.UpdatedAt) {
			t.Fatalf("view went back in time: %v after %v", v.Order.UpdatedAt, last.Order.UpdatedAt)
		}
		last = v
		if v.Order.QRCode != "" && !paid {
			paid = true
			if err := c.SandboxPay(no, "success"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !last.Ended || last.Order.State != payments.Paid || last.Order.OutTradeNo != no || !paid {
		t.Fatalf("last view %+v (paid %v)", last, paid)
	}
	if s := c.Sale(no); s != nil {
		t.Fatalf("sale %s still in progress", no)
	}
}

// TestPINLockIsShared: wrong PINs at the screen and at the till count
// towards the one lock, which the right PIN then cannot open.
func TestPINLockIsShared(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		r, err := c.CheckPIN(ctx, "9999", "settings")
		if err != nil || r.OK || r.Locked {
			t.Fatalf("screen try %d: %+v %v", i, r, err)
		}
	}
	p := c.Profile()
	for i := 0; i < 2; i++ { // as the local API checks a till's refund PIN
		if _, err := checkout.CheckManagerPIN(ctx, c.Journal(), p.TID, p.ManagerPIN, "0000", "till", "refund"); err != nil {
			t.Fatal(err)
		}
	}
	l, err := c.PINLock(ctx)
	if err != nil || l.Failures != checkout.MaxPINTries || l.Left(time.Now()) < 50*time.Second {
		t.Fatalf("lock %+v %v", l, err)
	}
	r, err := c.CheckPIN(ctx, DefaultDemoPIN, "settings")
	if err != nil || r.OK || !r.Locked {
		t.Fatalf("right PIN while locked: %+v %v", r, err)
	}
	if _, err := c.SetPIN(ctx, "123"); err == nil {
		t.Fatal("a 3-digit PIN was accepted")
	}
}

// TestApplyRewiresAndRestartsDevices: a saved profile takes effect at once
// (a new engine), is in the journal, and the devices come back with it.
func TestApplyRewiresAndRestartsDevices(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	printed := 0
	err := c.StartDevices(ctx, DeviceWatch{Printout: func(image.Image, string) { mu.Lock(); printed++; mu.Unlock() }, PrintRetry: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-c.ScannerEvents(); ev.State != ScannerWedge {
		t.Fatalf("scanner %+v", ev)
	}
	old := c.Engine()
	p := c.Profile()
	p.StoreName = "Renamed 新名"
	if err := c.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	if c.Engine() == old || c.Profile().StoreName != "Renamed 新名" {
		t.Fatal("not rewired")
	}
	if lp, err := checkout.LoadProfile(ctx, c.Journal(), p.TID); err != nil || lp.StoreName != "Renamed 新名" {
		t.Fatalf("journal's profile %q %v", lp.StoreName, err)
	}
	if ev := <-c.ScannerEvents(); ev.State != ScannerWedge {
		t.Fatalf("scanner after apply %+v", ev)
	}
	if err := c.TestPrint(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := printed
		mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the test page never reached the virtual printer")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHealthProbesReportEachProvider: every configured provider is probed.
func TestHealthProbesReportEachProvider(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan Health, 8)
	c.WatchHealth(ctx, time.Hour, func(h Health) { got <- h })
	want := c.HealthProviders()
	if len(want) < 2 {
		t.Fatalf("providers %v", want)
	}
	for range want {
		select {
		case h := <-got:
			if !h.Checked || !h.Up {
				t.Fatalf("health %+v", h)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no health report")
		}
	}
}
