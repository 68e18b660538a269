package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"go.bug.st/serial/enumerator"

	"qrpos/devices/printer"
	"qrpos/devices/scanner"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
	"qrpos/ui"
)

// appID is the Fyne application id (also in FyneApp.toml).
const appID = "hk.qrpos.terminal"

// testSaleEnv, when set to "AMOUNT METHOD_ID" (e.g. "12.30 qfpay:800101"),
// makes pos run start that sale once it is ready and print JSON lines on
// stdout: {"event":"ready",...}, then {"event":"qr",...} with the order
// number and the provider's QR code, then {"event":"state",...} for every
// state change. It is the hook of the end-to-end screen test.
const testSaleEnv = "QRPOS_TEST_SALE"

func init() {
	register(command{name: "run", summary: "open the terminal (--demo: built-in sandbox, virtual printer, no credentials)", run: runTerminal})
}

func runTerminal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	fs := newFlags("run", stderr)
	demo := fs.Bool("demo", false, "demo mode: built-in provider sandbox, virtual printer with preview, keyboard-wedge scanning")
	config := configFlag(fs)
	journalFlag := fs.String("journal", "", "demo mode: journal file (default demo.db in the user's config directory)")
	tid := fs.String("tid", "DEMO01", "demo mode: terminal id")
	kiosk := fs.Bool("kiosk", false, "kiosk: both windows full screen; closing the terminal needs the manager PIN")
	crashLog := fs.String("crash-log", "", "write crash reports to this file (kiosk default: crash.log beside the journal)")
	verbose := fs.Bool("v", false, "log at debug level")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := newLogger(stderr, level)
	slog.SetDefault(log)

	var r *runner
	var err error
	if *demo {
		r, err = openDemo(ctx, *journalFlag, *tid, log)
	} else {
		r, err = openReal(ctx, *config, log)
	}
	if err != nil {
		return err
	}
	defer r.close()
	stopAPI, err := startAPI(r)
	if err != nil {
		return err
	}
	defer stopAPI()
	if *crashLog == "" && *kiosk {
		*crashLog = filepath.Join(filepath.Dir(r.journal.Path()), "crash.log")
	}
	if *crashLog != "" {
		f, err := os.OpenFile(*crashLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("crash log: %w", err)
		}
		defer f.Close()
		if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
			return fmt.Errorf("crash log: %w", err)
		}
	}

	a := app.NewWithID(appID)
	hook := newTestHook(os.Getenv(testSaleEnv), stdout)
	var term *ui.Terminal
	r.devices.onPrinter = func(queued int, err error) {
		if term != nil {
			term.PrinterQueue(queued, err)
		}
	}
	probes := []ui.ProviderProbe{}
	if r.profile().EftpayConfigured() {
		probes = append(probes, ui.ProviderProbe{Provider: payments.Eftpay, BaseURL: r.profile().Eftpay.BaseURL})
	}
	if r.profile().QFPayConfigured() {
		probes = append(probes, ui.ProviderProbe{Provider: payments.QFPay, BaseURL: r.profile().QFPay.BaseURL})
	}
	term, err = ui.New(a, ui.Config{
		Engine:       r.cur.engine,
		Receipts:     r.receipts,
		Profile:      r.profile(),
		Apply:        r.apply,
		TestProvider: testProvider,
		ListPorts:    listPorts,
		Scanner:      r.devices.scanEvents,
		Providers:    probes,
		Demo:         *demo,
		SandboxURL:   r.sandboxURL,
		Kiosk:        *kiosk,
		Log:          log,
		OnReady: func() {
			ms := time.Since(started).Milliseconds()
			log.Info("terminal ready", "took_ms", ms)
			hook.ready(ms, r.sandboxURL)
		},
		Kick: r.devices.kick,
	})
	if err != nil {
		return err
	}
	if err := r.devices.start(ctx, r.profile(), term.ShowPrintout); err != nil {
		return err
	}
	if hook != nil {
		hook.follow(ctx, r, term)
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	fmt.Fprintf(stderr, "terminal %s: journal %s\n", r.profile().TID, r.journal.Path())
	term.Start(ctx)
	term.Show()
	a.Run()
	term.Stop()
	return nil
}

// runner holds what pos run wires: the journal, the terminal (engine,
// gateways, notifications) for the profile in force, the receipts, the
// devices, and in demo mode the sandbox.
type runner struct {
	log        *slog.Logger
	journal    *storage.Journal
	receipts   *checkout.Receipts
	devices    *devices
	sandbox    *sandbox.Server
	sandboxSrv *http.Server
	sandboxURL string

	mu  sync.Mutex
	cur *terminal
}

func (r *runner) profile() checkout.Profile {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur.profile
}

// openReal opens the terminal of a config file.
func openReal(ctx context.Context, configPath string, log *slog.Logger) (*runner, error) {
	t, err := openTerminal(ctx, configPath, log)
	if err != nil {
		return nil, err
	}
	return newRunner(t, log), nil
}

func newRunner(t *terminal, log *slog.Logger) *runner {
	r := &runner{log: log, journal: t.journal, cur: t, devices: newDevices(t.journal, log)}
	r.receipts = &checkout.Receipts{J: t.journal, Profile: r.profile}
	t.engine.SetReceiptSink(r.receipts)
	return r
}

// openDemo starts the sandbox on a loopback port and a terminal with the
// demo profile over it.
func openDemo(ctx context.Context, journalPath, tid string, log *slog.Logger) (*runner, error) {
	if journalPath == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, err
		}
		journalPath = filepath.Join(dir, "qrpos", "demo.db")
		// The demo's own folder: private, as the journal requires (an
		// older version may have made it 0755).
		if err := os.MkdirAll(filepath.Dir(journalPath), 0o700); err != nil {
			return nil, err
		}
		if err := os.Chmod(filepath.Dir(journalPath), 0o700); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(journalPath), 0o700); err != nil {
		return nil, err
	}
	sb := sandbox.New(sandbox.Config{Logger: log})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sb.Close()
		return nil, err
	}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	sbURL := "http://" + ln.Addr().String()
	fail := func(err error) (*runner, error) {
		srv.Close()
		sb.Close()
		return nil, err
	}
	j, err := storage.Open(ctx, journalPath)
	if err != nil {
		return fail(err)
	}
	p, err := demoProfile(ctx, j, tid, sbURL)
	if err != nil {
		j.Close()
		return fail(err)
	}
	t, err := wireTerminal(ctx, j, p, log)
	if err != nil {
		j.Close()
		return fail(err)
	}
	r := newRunner(t, log)
	r.sandbox, r.sandboxSrv, r.sandboxURL = sb, srv, sbURL
	log.Info("demo sandbox", "url", sbURL, "journal", journalPath)
	return r, nil
}

// demoProfile is the journal's demo profile (a manager's edits survive a
// restart) pointed at this run's sandbox, or a new one: a demo store,
// every method of both providers, the default manager PIN.
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
	p.Eftpay = checkout.EftpayProfile{BaseURL: sbURL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser, Secret: sandbox.DemoEftpaySecret}
	p.QFPay.BaseURL, p.QFPay.AppCode, p.QFPay.ClientKey = sbURL, sandbox.DemoQFPayAppCode, sandbox.DemoQFPayKey
	p.NotifyListen, p.NotifyURL = "", ""
	if p.ManagerPIN == "" {
		if p.ManagerPIN, err = checkout.HashPIN(ui.DefaultDemoPIN); err != nil {
			return p, err
		}
	}
	if err := checkout.SaveProfile(ctx, j, p); err != nil {
		return p, err
	}
	return p, nil
}

// apply stores a profile the manager edited and rewires the terminal and
// the devices for it (the UI calls it only between sales).
func (r *runner) apply(ctx context.Context, p checkout.Profile) (*checkout.Engine, error) {
	if err := checkout.SaveProfile(ctx, r.journal, p); err != nil {
		return nil, err
	}
	r.mu.Lock()
	old := r.cur
	r.mu.Unlock()
	old.stopServing()
	nt, err := wireTerminal(ctx, r.journal, p, r.log)
	if err != nil {
		// Keep the terminal running on the old profile's gateways.
		if rerr := old.restartServing(ctx); rerr != nil {
			r.log.Error("notifications not restarted", "err", rerr)
		}
		return nil, err
	}
	nt.engine.SetReceiptSink(r.receipts)
	old.engine.Close()
	r.mu.Lock()
	r.cur = nt
	r.mu.Unlock()
	if err := r.devices.restart(ctx, p); err != nil {
		r.log.Error("devices", "err", err)
		return nt.engine, fmt.Errorf("saved, but the devices did not start: %w", err)
	}
	return nt.engine, nil
}

// stopServing stops the notification server (its port is reused).
func (t *terminal) stopServing() {
	if t.notify != nil {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t.notify.Shutdown(c)
		cancel()
		t.notify = nil
	}
}

func (t *terminal) restartServing(ctx context.Context) error {
	if t.profile.NotifyListen == "" {
		return nil
	}
	return t.serveNotifications(ctx)
}

func (r *runner) close() {
	r.devices.stop()
	r.mu.Lock()
	t := r.cur
	r.mu.Unlock()
	t.Close() // engine, notifications, journal
	if r.sandboxSrv != nil {
		r.sandboxSrv.Close()
		r.sandbox.Close()
	}
}

// devices runs the printer (through the journal's print queue) and the
// scanner for the profile in force, and restarts them when it changes.
type devices struct {
	j          *storage.Journal
	log        *slog.Logger
	scanEvents chan scanner.Event // the UI's, across restarts
	onPrinter  func(queued int, err error)

	mu      sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	spooler *checkout.Spooler
	closer  io.Closer
	show    func(img image.Image, text string)
}

func newDevices(j *storage.Journal, log *slog.Logger) *devices {
	return &devices{j: j, log: log, scanEvents: make(chan scanner.Event, 16)}
}

// start opens the printer and the scanner of p. show receives the virtual
// printer's printouts.
func (d *devices) start(ctx context.Context, p checkout.Profile, show func(img image.Image, text string)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.show = show
	return d.startLocked(ctx, p)
}

func (d *devices) startLocked(ctx context.Context, p checkout.Profile) error {
	ctx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	format := printer.Format{Width: p.Printer.Width, Encoding: printer.Encoding(p.Printer.Encoding)}
	var rp checkout.ReceiptPrinter
	if p.Printer.Port == "" {
		pp, err := ui.NewPreviewPrinter(format)
		if err != nil {
			cancel()
			return err
		}
		pp.OnShow(d.show)
		rp, d.closer = pp, pp
	} else {
		pr, err := printer.Open(printer.Config{Port: p.Printer.Port, Line: printer.Line{Baud: p.Printer.Baud},
			Flow: printer.Flow(p.Printer.Flow), Format: format, Logger: d.log})
		if err != nil {
			cancel()
			return fmt.Errorf("printer: %w", err)
		}
		rp, d.closer = pr, pr
	}
	d.spooler = &checkout.Spooler{J: d.j, Printer: rp, Log: d.log, OnChange: d.onPrinter}
	sp := d.spooler
	d.wg.Add(1)
	go func() { defer d.wg.Done(); sp.Run(ctx) }()
	if p.Scanner.Port == "" {
		d.relay(ctx, scanner.Event{Kind: scanner.KindPort, State: "wedge", Time: time.Now()})
		return nil
	}
	events, err := scanner.Start(ctx, scanner.Config{Port: p.Scanner.Port, Line: scanner.Line{Baud: p.Scanner.Baud},
		Suffix: scanner.Suffix(p.Scanner.Suffix), Logger: d.log})
	if err != nil {
		d.relay(ctx, scanner.Event{Kind: scanner.KindPort, State: scanner.StateDown, Port: p.Scanner.Port, Err: err.Error(), Time: time.Now()})
		return nil // the terminal still sells with a keyboard-wedge scanner
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for ev := range events {
			d.relay(ctx, ev)
		}
	}()
	return nil
}

// relay hands a scanner event to the UI unless the devices stopped.
func (d *devices) relay(ctx context.Context, ev scanner.Event) {
	select {
	case d.scanEvents <- ev:
	case <-ctx.Done():
	default:
		go func() {
			select {
			case d.scanEvents <- ev:
			case <-ctx.Done():
			}
		}()
	}
}

// kick asks the spooler to print now.
func (d *devices) kick() {
	d.mu.Lock()
	sp := d.spooler
	d.mu.Unlock()
	if sp != nil {
		sp.Kick()
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
}

// restart reopens the devices for a new profile.
func (d *devices) restart(ctx context.Context, p checkout.Profile) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
	return d.startLocked(ctx, p)
}

// testProvider checks one provider's connection and credentials in p by
// asking for an order that cannot exist: a verified "no such order" means
// the host answered and accepted the signature.
func testProvider(ctx context.Context, p checkout.Profile, prov payments.Provider) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var g payments.Gateway
	switch prov {
	case payments.Eftpay:
		if !p.EftpayConfigured() {
			return errors.New("eftPay: fill in the base URL, user_confirm_key and secret")
		}
		gw, err := eftpay.NewGateway(eftpay.Config{BaseURL: p.Eftpay.BaseURL, UserConfirmKey: p.Eftpay.UserConfirmKey,
			Secret: p.Eftpay.Secret, TID: p.TID, Timeout: 10 * time.Second, Logger: quiet})
		if err != nil {
			return err
		}
		g = gw
	case payments.QFPay:
		if !p.QFPayConfigured() {
			return errors.New("QFPay: fill in the base URL, app code and client key")
		}
		st, err := qfpay.ParseSignType(p.QFPay.SignType)
		if err != nil {
			return err
		}
		gw, err := qfpay.New(qfpay.Config{BaseURL: p.QFPay.BaseURL, AppCode: p.QFPay.AppCode, ClientKey: p.QFPay.ClientKey,
			MchID: p.QFPay.MchID, SignType: st, TID: p.TID, Timeout: 10 * time.Second, Logger: quiet})
		if err != nil {
			return err
		}
		g = gw
	default:
		return fmt.Errorf("unknown provider %q", prov)
	}
	methods := payments.MethodsOf(prov)
	no, err := payments.NewOrderNumber(p.TID, time.Now(), rand.Reader)
	if err != nil {
		return err
	}
	_, err = g.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: methods[0], Amount: payments.Money{Minor: 100, Currency: payments.Currency(p.Currency)}})
	var pe *payments.ProviderError
	switch {
	case err == nil, payments.IsKind(err, payments.KindNotFound):
		return nil
	case errors.As(err, &pe) && (pe.Kind == payments.KindAuth || pe.Kind == payments.KindBadSignature):
		return fmt.Errorf("credentials refused: %s", pe.Message)
	case errors.Is(err, payments.ErrOutcomeUnknown):
		return fmt.Errorf("no answer: %w", err)
	case errors.As(err, &pe):
		return fmt.Errorf("%s: %s", pe.Code, pe.Message)
	}
	return err
}

// listPorts lists the serial ports: paths, and usb:VID:PID[:SERIAL]
// identities that survive a replug.
func listPorts(ctx context.Context) ([]string, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ports {
		out = append(out, p.Name)
		if p.IsUSB {
			spec := "usb:" + p.VID + ":" + p.PID
			if p.SerialNumber != "" {
				spec += ":" + p.SerialNumber
			}
			out = append(out, spec)
		}
	}
	sort.Strings(out)
	return out, nil
}

// testHook is the end-to-end test's view of a run (QRPOS_TEST_SALE).
type testHook struct {
	amount, method string
	mu             sync.Mutex
	enc            *json.Encoder
	term           *ui.Terminal
	started        bool
}

func newTestHook(spec string, stdout io.Writer) *testHook {
	amount, method, ok := strings.Cut(strings.TrimSpace(spec), " ")
	if !ok {
		return nil
	}
	return &testHook{amount: amount, method: strings.TrimSpace(method), enc: json.NewEncoder(stdout)}
}

func (h *testHook) emit(v map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.enc.Encode(v)
}

// ready reports start-up and starts the sale (UI goroutine).
func (h *testHook) ready(ms int64, sandboxURL string) {
	if h == nil || h.started {
		return
	}
	h.started = true
	h.emit(map[string]any{"event": "ready", "ms": ms, "sandbox": sandboxURL})
	h.term.Sell(h.amount, h.method)
}

// follow prints the QR code and the state changes of the test sale.
func (h *testHook) follow(ctx context.Context, r *runner, term *ui.Terminal) {
	h.term = term
	ch, stop := r.cur.engine.Subscribe(64)
	go func() {
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case u, ok := <-ch:
				if !ok {
					return
				}
				switch u.Kind {
				case checkout.UpdateQR:
					h.emit(map[string]any{"event": "qr", "out_trade_no": u.Order.OutTradeNo, "qr_code": u.Order.QRCode})
				case checkout.UpdateState:
					h.emit(map[string]any{"event": "state", "out_trade_no": u.Order.OutTradeNo, "state": u.Order.State})
				}
			}
		}
	}()
}
