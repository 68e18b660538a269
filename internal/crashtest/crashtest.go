// Package crashtest is the rig of the crash tests: the real `pos-cli` binary,
// built with the killpoints tag, run as child processes against the
// providers' sandbox on loopback, killed with SIGKILL at a chosen point
// (internal/killpoint) or while the sandbox holds one of its calls
// (sandbox.FaultHold), then `pos reconcile`, then the checks that must
// hold after any crash (World.Check): journal and provider agree on every
// order and refund, no payment or refund number was sent twice, every paid
// sale and done refund has its receipt job.
//
// Tests and the soak import it; the terminal never does.
package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

var build struct {
	once     sync.Once
	dir, bin string
	err      error
}

// Binary builds the command line, `pos-cli` (qrpos/cmd/pos-cli), with the
// killpoints tag once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "pos-killpoints-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "pos-cli")
		out, err := exec.Command(goTool(), "build", "-tags", "killpoints", "-o", build.bin, "qrpos/cmd/pos-cli").CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build -tags killpoints: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// Cleanup removes what Binary built; call it from TestMain after m.Run.
func Cleanup() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

// Seed is the seed of a random test: $POS_CRASH_SEED when set (to replay a
// failure), else the clock. It is logged.
func Seed(t testing.TB) uint64 {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("POS_CRASH_SEED"); v != "" {
		if _, err := fmt.Sscan(v, &seed); err != nil {
			t.Fatalf("POS_CRASH_SEED=%q: %v", v, err)
		}
	}
	t.Logf("seed %d (replay: POS_CRASH_SEED=%d)", seed, seed)
	return seed
}

// Quiet is a logger that drops everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// NewLocalSandbox serves a new sandbox on loopback for the test's life,
// with QFPay's rate limit out of the way.
func NewLocalSandbox(t testing.TB) Local {
	s := sandbox.New(sandbox.Config{Logger: Quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000, NotifyRetry: []time.Duration{}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.ReleaseAll()
		srv.Close()
		s.Close()
	})
	return Local{S: s, Base: srv.URL}
}

// Options set up a Rig.
type Options struct {
	// Sandbox to use; nil: a new Local one.
	Sandbox Sandbox
	// NotFoundGiveUp is the children's $POS_TEST_NOT_FOUND_GIVE_UP: how long
	// a provider's "no such order" after a send whose outcome is unknown
	// must last before the engine believes it (default 1s).
	NotFoundGiveUp time.Duration
	// TID of the terminal (default K001).
	TID string
	// Notify has the terminal serve the providers' notifications
	// (notify_listen on a free loopback port).
	Notify bool
	// ReconcileFor bounds how long Reconcile tries (default 90 s; an
	// interrupted QR of a wallet that cannot be closed stays open until it
	// expires: order_timeout, 30 s, at eftPay, 5 minutes at QFPay).
	ReconcileFor time.Duration
}

// Rig is one terminal (a profile and its journal in a private directory)
// run as `pos` processes against one sandbox.
type Rig struct {
	T       testing.TB
	Bin     string
	Dir     string
	Config  string
	Journal string
	TID     string
	SB      Sandbox
	// Env is added to every child's environment.
	Env []string

	gateways     map[payments.Provider]payments.Gateway
	confirmed    map[string]bool
	reconcileFor time.Duration
}

// NewRig makes a terminal profile in a fresh private directory.
func NewRig(t testing.TB, opt Options) *Rig {
	t.Helper()
	if opt.Sandbox == nil {
		opt.Sandbox = NewLocalSandbox(t)
	}
	if opt.NotFoundGiveUp == 0 {
		opt.NotFoundGiveUp = time.Second
	}
	if opt.TID == "" {
		opt.TID = "K001"
	}
	if opt.ReconcileFor == 0 {
		opt.ReconcileFor = 90 * time.Second
	}
	r := &Rig{T: t, Bin: Binary(t), Dir: t.TempDir(), TID: opt.TID, SB: opt.Sandbox, confirmed: map[string]bool{}, reconcileFor: opt.ReconcileFor,
		Env: []string{"POS_TEST_NOT_FOUND_GIVE_UP=" + opt.NotFoundGiveUp.String()}}
	// The terminal refuses a journal directory others can read; t.TempDir
	// makes it 0755 under the usual umask.
	if err := os.Chmod(r.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r.Journal = filepath.Join(r.Dir, "pos.db")
	r.Config = filepath.Join(r.Dir, "terminal.toml")
	url := r.SB.URL()
	// The shortest timeouts the profile allows: an interrupted QR of a
	// wallet that cannot be closed stays open until order_timeout.
	cfg := fmt.Sprintf(`tid = %q
store_name = "Crash Test"
journal = "pos.db"
order_timeout = 30
cpm_timeout = 10
[eftpay]
base_url = %q
user_confirm_key = %q
secret = %q
[qfpay]
base_url = %q
app_code = %q
client_key = %q
`, r.TID, url+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret, url, sandbox.DemoQFPayAppCode, sandbox.DemoQFPayKey)
	if opt.Notify {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cfg = fmt.Sprintf("notify_listen = %q\nnotify_url = %q\n", addr, "http://"+addr+"/notify") + cfg
	}
	if err := os.WriteFile(r.Config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	eft, qf, err := Gateways(url, r.TID, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.gateways = byProvider(eft, qf)
	return r
}

// Gateways are both providers' gateways on the sandbox at url, for the
// checks and the in-process soak; timeout bounds each call (0: the
// gateways' default).
func Gateways(url, tid string, timeout time.Duration) (*eftpay.Gateway, *qfpay.Gateway, error) {
	eft, err := eftpay.NewGateway(eftpay.Config{BaseURL: url + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser,
		Secret: sandbox.DemoEftpaySecret, TID: tid, Timeout: timeout, Logger: Quiet})
	if err != nil {
		return nil, nil, err
	}
	qf, err := qfpay.New(qfpay.Config{BaseURL: url, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey,
		TID: tid, Timeout: timeout, RatePerSecond: 10000, RatePerMinute: 600000, Logger: Quiet})
	if err != nil {
		return nil, nil, err
	}
	return eft, qf, nil
}

// byProvider maps the gateways by provider, as World wants them.
func byProvider(gws ...payments.Gateway) map[payments.Provider]payments.Gateway {
	out := map[payments.Provider]payments.Gateway{}
	for _, g := range gws {
		out[g.Provider()] = g
	}
	return out
}

// Event is one JSON line a child printed (pos charge --json, pos
// reconcile --json), its values as text.
type Event map[string]string

// Proc is one running `pos`.
type Proc struct {
	Args   []string
	cmd    *exec.Cmd
	events chan Event
	done   chan struct{}

	mu     sync.Mutex
	stdout []string
	stderr bytes.Buffer
}

// Exit is how a child ended.
type Exit struct {
	Code     int    // -1 when killed by a signal
	Signal   string // the signal that killed it, if any
	TimedOut bool   // the test killed it because it did not end in time
}

// Start runs `pos args[0] --config CONFIG args[1:]...` with the rig's
// environment and env.
func (r *Rig) Start(env []string, args ...string) *Proc {
	r.T.Helper()
	full := append([]string{args[0], "--config", r.Config}, args[1:]...)
	p := &Proc{Args: full, events: make(chan Event, 1024), done: make(chan struct{})}
	p.cmd = exec.Command(r.Bin, full...)
	p.cmd.Env = childEnv(append(append([]string{}, r.Env...), env...))
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.stderr}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		r.T.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		r.T.Fatal(err)
	}
	go func() {
		defer close(p.events)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stdout = append(p.stdout, line)
			p.mu.Unlock()
			var raw map[string]any
			if json.Unmarshal([]byte(line), &raw) != nil {
				continue
			}
			ev := Event{}
			for k, v := range raw {
				ev[k] = fmt.Sprint(v)
			}
			select {
			case p.events <- ev:
			default:
			}
		}
	}()
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// childEnv is this process's environment without killpoint settings,
// plus extra.
func childEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "POS_KILLPOINT") && !strings.HasPrefix(kv, "POS_TEST_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// Await waits up to d for the child's next event named name (any event
// when name is empty); false when it ended or d ran out first.
func (p *Proc) Await(name string, d time.Duration) (Event, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				return nil, false
			}
			if name == "" || ev["event"] == name {
				return ev, true
			}
		case <-t.C:
			return nil, false
		}
	}
}

// Kill sends SIGKILL.
func (p *Proc) Kill() { p.cmd.Process.Signal(syscall.SIGKILL) }

// Interrupt sends SIGINT (the cashier's Ctrl-C).
func (p *Proc) Interrupt() { p.cmd.Process.Signal(syscall.SIGINT) }

// Wait waits up to d for the child to end, killing it when d runs out.
func (p *Proc) Wait(d time.Duration) Exit {
	var ex Exit
	select {
	case <-p.done:
	case <-time.After(d):
		ex.TimedOut = true
		p.Kill()
		<-p.done
	}
	ws, _ := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	ex.Code = p.cmd.ProcessState.ExitCode()
	if ws.Signaled() {
		ex.Signal = ws.Signal().String()
	}
	return ex
}

// Output is what the child printed, for failure messages.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("$ pos %s\nstdout:\n  %s\nstderr:\n  %s", strings.Join(p.Args, " "),
		strings.Join(p.stdout, "\n  "), strings.ReplaceAll(strings.TrimSpace(p.stderr.String()), "\n", "\n  "))
}

// KilledAt reports whether the child killed itself at killpoint point.
func (p *Proc) KilledAt(point string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Contains(p.stderr.String(), "killpoint "+point+": SIGKILL")
}

// Run runs pos to its end (at most d) and returns how it ended.
func (r *Rig) Run(d time.Duration, env []string, args ...string) (*Proc, Exit) {
	p := r.Start(env, args...)
	return p, p.Wait(d)
}

// KillAt runs pos with args until it kills itself at killpoint point after
// skipping skip passes; the test fails when it does not get there.
func (r *Rig) KillAt(point string, skip int, args ...string) *Proc {
	r.T.Helper()
	p := r.Start([]string{"POS_KILLPOINT=" + point, fmt.Sprintf("POS_KILLPOINT_SKIP=%d", skip)}, args...)
	ex := p.Wait(60 * time.Second)
	if ex.Signal != "killed" || !p.KilledAt(point) {
		r.T.Fatalf("pos did not die at killpoint %s (skip %d): %+v\n%s", point, skip, ex, p.Output())
	}
	return p
}

// KillWhenHeld makes the sandbox hold the next call matching f (a hold,
// Count 1), runs pos with args, kills it with SIGKILL while the call is
// held, and waits until the sandbox has let the call go (processed or not,
// as f.Stage says). It returns the held call.
func (r *Rig) KillWhenHeld(f sandbox.Fault, args ...string) sandbox.Held {
	r.T.Helper()
	var p *Proc
	return r.HoldAndKill(f, func() *Proc { p = r.Start(nil, args...); return p })
}

// HoldAndKill is KillWhenHeld for a child that start starts, or that is
// already running and start only prompts (it returns the child): the hold
// is injected first, then start is called, and the child is killed once
// the call is held.
func (r *Rig) HoldAndKill(f sandbox.Fault, start func() *Proc) sandbox.Held {
	r.T.Helper()
	f.Kind, f.Count = sandbox.FaultHold, 1
	before, err := r.SB.Holding()
	if err != nil {
		r.T.Fatal(err)
	}
	after := 0
	for _, h := range before {
		after = max(after, h.ID)
	}
	if err := r.SB.InjectFault(f); err != nil {
		r.T.Fatal(err)
	}
	p := start()
	ctx, cancel := contextFor(30 * time.Second)
	defer cancel()
	held, err := r.SB.WaitHeld(ctx, after)
	if err != nil {
		p.Kill()
		p.Wait(10 * time.Second)
		r.SB.ClearFaults()
		r.T.Fatalf("the sandbox held no call matching %+v: %v\n%s", f, err, p.Output())
	}
	p.Kill()
	if ex := p.Wait(10 * time.Second); ex.Signal != "killed" {
		r.T.Fatalf("pos was not killed while its call was held: %+v\n%s", ex, p.Output())
	}
	r.waitReleased(held[0].ID - 1)
	return held[0]
}

// waitReleased waits until the sandbox holds no call above ID after (a
// killed terminal's held call is let go once the sandbox sees its
// connection closed).
func (r *Rig) waitReleased(after int) {
	r.T.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		still, err := r.SB.Holding()
		if err != nil {
			r.T.Fatal(err)
		}
		gone := true
		for _, s := range still {
			gone = gone && s.ID <= after
		}
		if gone {
			return
		}
		if time.Now().After(deadline) {
			r.T.Fatalf("the sandbox still holds calls of a killed terminal: %+v", still)
		}
	}
}

func contextFor(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// Reconcile runs `pos reconcile` until it exits 0 (every order and refund
// settled), for at most Options.ReconcileFor.
func (r *Rig) Reconcile() {
	r.T.Helper()
	deadline := time.Now().Add(r.reconcileFor)
	for {
		p, ex := r.Run(time.Minute, nil, "reconcile", "--json")
		if ex.Code == 0 {
			return
		}
		if time.Now().After(deadline) || ex.TimedOut {
			var open []string
			for _, o := range r.Orders() {
				if !o.State.Settled() {
					v, _ := r.SandboxOrder(o.OutTradeNo)
					open = append(open, fmt.Sprintf("%s %s:%s %s %s created %s expires %s (%s); provider: %s",
						o.OutTradeNo, o.Provider, o.MethodCode, o.Amount.Decimal(), o.State, o.CreatedAt.Format(time.TimeOnly),
						o.ExpiresAt.Format(time.TimeOnly), o.Reason, v.State))
				}
			}
			r.T.Fatalf("pos reconcile did not settle everything within %v: %+v\n%s\nopen:\n  %s", r.reconcileFor, ex, p.Output(), strings.Join(open, "\n  "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Check runs World.Check on the journal and the sandbox and fails the test
// with every disagreement found.
func (r *Rig) Check() {
	r.T.Helper()
	if problems := r.Problems(); len(problems) > 0 {
		r.T.Fatalf("journal and provider disagree after reconcile:\n  %s", strings.Join(problems, "\n  "))
	}
}

// Problems is what Check would report.
func (r *Rig) Problems() []string {
	r.T.Helper()
	ctx := context.Background()
	j := r.open()
	defer j.Close()
	orders, err := r.SB.Orders()
	if err != nil {
		r.T.Fatal(err)
	}
	reqs, err := r.SB.Requests()
	if err != nil {
		r.T.Fatal(err)
	}
	w := World{Journal: j, TID: r.TID, Orders: orders, Requests: reqs, Gateways: r.gateways, Confirmed: r.confirmed}
	problems, err := w.Check(ctx)
	if err != nil {
		r.T.Fatal(err)
	}
	return problems
}

// AfterKill is what every crash test does after the kill: reconcile, then
// check.
func (r *Rig) AfterKill() {
	r.T.Helper()
	r.Reconcile()
	r.Check()
}

// open opens the journal read-only: the checks never write, and may run
// while a pos process owns the journal.
func (r *Rig) open() *storage.Journal {
	r.T.Helper()
	j, err := storage.OpenReadOnly(context.Background(), r.Journal)
	if err != nil {
		r.T.Fatal(err)
	}
	return j
}

// Orders lists the journal's orders (none before the first pos ran).
func (r *Rig) Orders() []payments.Order {
	r.T.Helper()
	if _, err := os.Stat(r.Journal); os.IsNotExist(err) {
		return nil
	}
	j := r.open()
	defer j.Close()
	orders, err := j.Orders(context.Background(), storage.Filter{})
	if err != nil {
		r.T.Fatal(err)
	}
	return orders
}

// Order is one order of the journal.
func (r *Rig) Order(no string) payments.Order {
	r.T.Helper()
	for _, o := range r.Orders() {
		if o.OutTradeNo == no {
			return o
		}
	}
	r.T.Fatalf("the journal has no order %s", no)
	return payments.Order{}
}

// Refunds lists an order's refunds.
func (r *Rig) Refunds(no string) []payments.Refund {
	r.T.Helper()
	j := r.open()
	defer j.Close()
	rs, err := j.Refunds(context.Background(), no)
	if err != nil {
		r.T.Fatal(err)
	}
	return rs
}

// Numbers is the set of the journal's order numbers.
func (r *Rig) Numbers() map[string]bool {
	out := map[string]bool{}
	for _, o := range r.Orders() {
		out[o.OutTradeNo] = true
	}
	return out
}

// NewOrder is the one order of the journal that is not in before.
func (r *Rig) NewOrder(before map[string]bool) payments.Order {
	r.T.Helper()
	var fresh []payments.Order
	for _, o := range r.Orders() {
		if !before[o.OutTradeNo] {
			fresh = append(fresh, o)
		}
	}
	if len(fresh) != 1 {
		r.T.Fatalf("%d new orders in the journal, want 1: %+v", len(fresh), fresh)
	}
	return fresh[0]
}

// Requests is the sandbox's request log, only the calls naming no (as
// sale or refund) when no is given.
func (r *Rig) Requests(no string) []sandbox.Request {
	r.T.Helper()
	reqs, err := r.SB.Requests()
	if err != nil {
		r.T.Fatal(err)
	}
	if no == "" {
		return reqs
	}
	var out []sandbox.Request
	for _, c := range reqs {
		if c.OutTradeNo == no || c.RefundNo == no {
			out = append(out, c)
		}
	}
	return out
}

// SandboxOrder is the sandbox's view of one order; false when it has none.
func (r *Rig) SandboxOrder(no string) (sandbox.OrderView, bool) {
	r.T.Helper()
	orders, err := r.SB.Orders()
	if err != nil {
		r.T.Fatal(err)
	}
	for _, v := range orders {
		if v.OutTradeNo == no {
			return v, true
		}
	}
	return sandbox.OrderView{}, false
}

// AuthCode is a fresh 18-digit customer code ending in ending, which
// chooses the QFPay sandbox's outcome (README: 00 paid, 43 password then
// paid, 46 pending until reversed, ...).
func AuthCode(ending string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e14))
	return fmt.Sprintf("13%014d%s", n, ending)
}

// Charge is `pos charge --json` for a method and an amount; authCode only
// for CPM.
func Charge(provider, method, amount, authCode string) []string {
	args := []string{"charge", "--json", "--provider", provider, "--method", method, "--amount", amount}
	if authCode != "" {
		args = append(args, "--auth-code", authCode)
	}
	return args
}

// PaidSale takes a paid sale through `pos charge` and returns its number:
// a QFPay customer code that pays at once, or an MPM QR the customer pays.
func (r *Rig) PaidSale(provider, method, amount string) string {
	r.T.Helper()
	m, err := payments.LookupMethod(payments.Provider(provider), method)
	if err != nil {
		r.T.Fatal(err)
	}
	code := ""
	if m.Mode == payments.CPM {
		code = AuthCode("00")
	}
	p := r.Start(nil, Charge(provider, method, amount, code)...)
	if m.Mode == payments.MPM {
		ev, ok := p.Await("qr", 30*time.Second)
		if !ok {
			p.Kill()
			p.Wait(10 * time.Second)
			r.T.Fatalf("no QR event:\n%s", p.Output())
		}
		if err := r.SB.Pay(ev["out_trade_no"], "success"); err != nil {
			r.T.Fatal(err)
		}
	}
	ex := p.Wait(30 * time.Second)
	if ex.Code != 0 {
		r.T.Fatalf("the sale did not end paid: %+v\n%s", ex, p.Output())
	}
	for _, line := range strings.Split(p.Output(), "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &ev) == nil && ev["event"] == "paid" {
			return fmt.Sprint(ev["out_trade_no"])
		}
	}
	r.T.Fatalf("no paid event:\n%s", p.Output())
	return ""
}
