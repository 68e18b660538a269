package terminal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// DefaultDemoPIN is the manager PIN a new demo terminal starts with.
const DefaultDemoPIN = "1234"

// ErrNotDemo: the call exists only in demo mode.
var ErrNotDemo = errors.New("only in demo mode")

// demo is the in-process provider sandbox of demo mode.
type demo struct {
	sandbox *sandbox.Server
	own     bool // started here: closed with the terminal
	srv     *http.Server
	url     string
}

func (d *demo) close() {
	d.srv.Close()
	if d.own {
		d.sandbox.Close()
	}
}

// startDemo serves a sandbox on a loopback port.
func startDemo(o Options) (*demo, error) {
	sb, own := o.DemoSandbox, o.DemoSandbox == nil
	if own {
		sb = sandbox.New(sandbox.Config{Logger: o.Log, KeepRequests: sandbox.DemoKeepRequests})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if own {
			sb.Close()
		}
		return nil, err
	}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return &demo{sandbox: sb, own: own, srv: srv, url: "http://" + ln.Addr().String()}, nil
}

// demoJournal is the demo's journal path, in a private folder.
func demoJournal(path string) (string, error) {
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		path = filepath.Join(dir, "qrpos", "demo.db")
		// The demo's own folder: private, as the journal requires (an
		// older version may have made it 0755).
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", err
		}
		if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
			return "", err
		}
	}
	return path, os.MkdirAll(filepath.Dir(path), 0o700)
}

// openDemo starts the sandbox and a terminal with the demo profile over it.
func openDemo(ctx context.Context, o Options) (*Terminal, error) {
	path, err := demoJournal(o.DemoJournal)
	if err != nil {
		return nil, err
	}
	d, err := startDemo(o)
	if err != nil {
		return nil, err
	}
	t, err := openDemoJournal(ctx, path, o, d)
	if err != nil {
		d.close()
		return nil, err
	}
	t.demo = d
	o.Log.Info("demo sandbox", "url", d.url, "journal", path)
	return t, nil
}

func openDemoJournal(ctx context.Context, path string, o Options, d *demo) (*Terminal, error) {
	j, err := storage.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	tid := o.DemoTID
	if tid == "" {
		tid = "DEMO01"
	}
	p, err := demoProfile(ctx, j, tid, d.url)
	if err == nil {
		var t *Terminal
		if t, err = newTerminal(ctx, j, p, o); err == nil {
			return t, nil
		}
	}
	j.Close()
	return nil, err
}

// demoProfile is the journal's demo profile (a manager's edits survive a
// restart) pointed at this run's sandbox, or a new one: a demo store,
// every method of every provider, the default manager PIN.
func demoProfile(ctx context.Context, j *storage.Journal, tid, sbURL string) (checkout.Profile, error) {
	p, err := checkout.LoadProfile(ctx, j, tid)
	if errors.Is(err, storage.ErrNotFound) {
		p = checkout.Profile{TID: tid, StoreName: "QR POS 示範店 Demo Store", StoreAddress: "香港中環示範街 1 號 1 Demo Street, Central",
			ReceiptFooter: "多謝惠顧 Thank you!", Currency: string(payments.DefaultCurrency)}
		err = nil
	}
	if err != nil {
		return p, err
	}
	pointAtSandbox(&p, sbURL)
	p.NotifyListen, p.NotifyURL = "", ""
	if p.ManagerPIN == "" {
		if p.ManagerPIN, err = checkout.HashPIN(DefaultDemoPIN); err != nil {
			return p, err
		}
	}
	return p, checkout.SaveProfile(ctx, j, p)
}

// Demo reports whether the terminal runs over the built-in sandbox.
func (t *Terminal) Demo() bool { return t.demo != nil }

// SandboxURL is the demo sandbox's address ("" outside demo mode).
func (t *Terminal) SandboxURL() string {
	if t.demo == nil {
		return ""
	}
	return t.demo.url
}

// SandboxPay plays the customer in demo mode: the sandbox pays order no
// (outcome "success", or "fail" to refuse it).
func (t *Terminal) SandboxPay(no, outcome string) error {
	if t.demo == nil {
		return ErrNotDemo
	}
	return t.demo.sandbox.Pay(no, outcome)
}
