package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/internal/crashtest"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
	"qrpos/terminal"
)

// runningTerminal is a terminal as `pos run` opens it (terminal.Open and
// its local API on the Unix socket beside the journal), in this process,
// over a real journal in a private directory and the sandbox on loopback.
// It holds the journal's lock for the test's life, so every command below
// finds the journal locked and must go through the socket.
type runningTerminal struct {
	config string
	core   *terminal.Terminal
	sb     crashtest.Local
	once   sync.Once
}

func startTerminal(t *testing.T) *runningTerminal {
	t.Helper()
	sb := crashtest.NewLocalSandbox(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pin, err := checkout.HashPIN("1234")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "terminal.toml")
	cfg := fmt.Sprintf(`tid = "CLI01"
store_name = "CLI test"
journal = "pos.db"
manager_pin_hash = %q
[eftpay]
base_url = %q
user_confirm_key = %q
secret = %q
[qfpay]
base_url = %q
app_code = %q
client_key = %q
`, pin, sb.Base+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret, sb.Base, sandbox.DemoQFPayAppCode, sandbox.DemoQFPayKey)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	core, err := terminal.Open(context.Background(), terminal.Options{ConfigPath: config, Log: crashtest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := core.ServeAPI("test"); err != nil {
		core.Close()
		t.Fatal(err)
	}
	rt := &runningTerminal{config: config, core: core, sb: sb}
	t.Cleanup(rt.stop)
	return rt
}

// stop closes the terminal: its journal is free again.
func (rt *runningTerminal) stop() { rt.once.Do(rt.core.Close) }

// cmdRun is one command line run in this process, its output read while
// it runs.
type cmdRun struct {
	lines chan string
	done  chan int
	out   *lockedBuffer
	err   *lockedBuffer
}

func start(ctx context.Context, args ...string) *cmdRun {
	pr, pw := io.Pipe()
	c := &cmdRun{lines: make(chan string, 64), done: make(chan int, 1), out: &lockedBuffer{}, err: &lockedBuffer{}}
	go func() {
		code := dispatch(ctx, args, io.MultiWriter(pw, c.out), c.err)
		pw.Close()
		c.done <- code
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

// event waits for the --json event named kind.
func (c *cmdRun) event(t *testing.T, kind string) map[string]string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("the command ended before %q:\n%s\n%s", kind, c.out.String(), c.err.String())
			}
			var ev map[string]string
			if json.Unmarshal([]byte(l), &ev) == nil && ev["event"] == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event:\n%s\n%s", kind, c.out.String(), c.err.String())
		}
	}
}

// line waits for a text line that starts with prefix.
func (c *cmdRun) line(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("the command ended before a line %q:\n%s\n%s", prefix, c.out.String(), c.err.String())
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line %q:\n%s\n%s", prefix, c.out.String(), c.err.String())
		}
	}
}

func (c *cmdRun) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-c.done:
		for range c.lines {
		}
		return code
	case <-time.After(60 * time.Second):
		t.Fatalf("the command did not end:\n%s\n%s", c.out.String(), c.err.String())
		return -1
	}
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	c := start(context.Background(), args...)
	code = c.exit(t)
	return code, c.out.String(), c.err.String()
}

func (rt *runningTerminal) refundRequests() int {
	n := 0
	for _, r := range rt.sb.S.Requests() {
		if r.Op == sandbox.OpRefund {
			n++
		}
	}
	return n
}

// TestCommandsWhileTheTerminalRuns: with a terminal running (its journal
// locked), pos charge takes a payment through its local API (the order is
// the API's: it has an idempotency key), pos orders lists it, pos report
// counts it, pos refund with the same --key twice refunds once, Ctrl-C on a
// charge cancels it at the provider (with the terminal's note in text),
// and pos reconcile finds nothing open. Then the terminal stops: orders and
// report print exactly what they printed through it, and a refund key
// means the same refund to both.
func TestCommandsWhileTheTerminalRuns(t *testing.T) {
	rt := startTerminal(t)
	ctx := context.Background()
	if _, err := storage.Open(ctx, filepath.Join(filepath.Dir(rt.config), "pos.db")); err == nil {
		t.Fatal("the journal is not locked: the test would not use the socket")
	}
	cfg := "--config=" + rt.config

	// A QR charge, paid by the customer.
	c := start(ctx, "charge", cfg, "--provider", "qfpay", "--method", "800101", "--amount", "12.30", "--json")
	created := c.event(t, "created")
	qr := c.event(t, "qr")
	no := qr["out_trade_no"]
	if created["out_trade_no"] != no || qr["qr_code"] == "" || qr["amount"] != "12.30" || qr["provider"] != "qfpay" || qr["method"] != "800101" {
		t.Fatalf("created %v, qr %v", created, qr)
	}
	if err := rt.sb.S.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	paid := c.event(t, "paid")
	if code := c.exit(t); code != 0 || paid["out_trade_no"] != no || paid["provider_ref"] == "" {
		t.Fatalf("exit %d, %v\n%s", code, paid, c.err.String())
	}
	if ac, err := rt.core.Journal().APIChargeFor(ctx, no); err != nil || ac.TokenID != "socket" {
		t.Fatalf("the charge did not go through the local API: %+v %v", ac, err)
	}
	if o, err := rt.core.Journal().Order(ctx, no); err != nil || o.State != payments.Paid || o.Amount.Minor != 1230 {
		t.Fatalf("journal: %+v %v", o, err)
	}

	// The day's orders, as JSON and as text.
	code, out, errOut := run(t, "orders", cfg, "--json")
	var line orderLine
	if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(out)), &line) != nil || line.OutTradeNo != no || line.State != "paid" || line.Amount != "12.30" {
		t.Fatalf("orders --json: %d %q %s", code, out, errOut)
	}
	code, out, _ = run(t, "orders", cfg, "--search", no[len(no)-6:])
	if code != 0 || !strings.Contains(out, no) || !strings.Contains(out, "1 orders on ") {
		t.Fatalf("orders: %d %q", code, out)
	}

	// The day report counts the sale.
	code, out, errOut = run(t, "report", cfg)
	if code != 0 || !regexp.MustCompile(`Total: 1 sales HK\$12\.30, 0 refunds HK\$0\.00, net HK\$12\.30`).MatchString(out) {
		t.Fatalf("report: %d %q %s", code, out, errOut)
	}
	if code, _, errOut = run(t, "report", cfg, "--print"); code != 1 || !strings.Contains(errOut, "End of day screen") {
		t.Fatalf("report --print while the terminal runs: %d %s", code, errOut)
	}

	// A refund needs the PIN; the same key twice refunds once.
	if code, _, errOut = run(t, "refund", cfg, "--order", no, "--amount", "2.00"); code != 1 || !strings.Contains(errOut, "refund_not_allowed") {
		t.Fatalf("refund without the PIN: %d %s", code, errOut)
	}
	refundLine := regexp.MustCompile(`^refund (\S+) of HK\$2\.00 for ` + no + `: done`)
	code, first, errOut := run(t, "refund", cfg, "--order", no, "--amount", "2.00", "--pin", "1234", "--key", "till-7-r1")
	m := refundLine.FindStringSubmatch(first)
	if code != 0 || m == nil {
		t.Fatalf("refund: %d %q %s", code, first, errOut)
	}
	t.Setenv(pinEnv, "1234")
	code, again, errOut := run(t, "refund", cfg, "--order", no, "--amount", "2.00", "--key", "till-7-r1")
	if code != 0 || again != first {
		t.Fatalf("the same key again: %d %q (first %q) %s", code, again, first, errOut)
	}
	if n := rt.refundRequests(); n != 1 {
		t.Fatalf("%d refund requests reached the provider, want 1", n)
	}
	if rs, _ := rt.core.Journal().Refunds(ctx, no); len(rs) != 1 || rs[0].RefundNo != m[1] {
		t.Fatalf("journal refunds: %+v", rs)
	}

	// Ctrl-C on a charge: cancelled at the provider, exit 1.
	cctx, interrupt := context.WithCancel(ctx)
	defer interrupt()
	c = start(cctx, "charge", cfg, "--provider", "eftpay", "--method", "ALIPAYHK", "--amount", "8.00", "--json")
	no2 := c.event(t, "qr")["out_trade_no"]
	interrupt()
	closed := c.event(t, "closed")
	if code := c.exit(t); code != 1 || closed["out_trade_no"] != no2 {
		t.Fatalf("interrupted charge: exit %d, %v\n%s", code, closed, c.err.String())
	}
	if o, _ := rt.core.Journal().Order(ctx, no2); o.State != payments.Closed {
		t.Fatalf("interrupted order %s", o.State)
	}
	if v, ok := rt.sb.S.Order(no2); !ok || v.Paid {
		t.Fatalf("sandbox order after the interruption: %+v %v", v, ok)
	}

	// The same in text, with the terminal's note while it closes the order.
	cctx, interrupt = context.WithCancel(ctx)
	defer interrupt()
	c = start(cctx, "charge", cfg, "--provider", "eftpay", "--method", "ALIPAYHK", "--amount", "9.00")
	c.line(t, "qr ")
	interrupt()
	if code := c.exit(t); code != 1 || !regexp.MustCompile(`(?m)^\.\.\. Closing the order with the provider`).MatchString(c.out.String()) ||
		!regexp.MustCompile(`(?m)^closed +\S+ HKD 9\.00 eftpay:ALIPAYHK`).MatchString(c.out.String()) {
		t.Fatalf("interrupted charge, text: exit %d\n%s\n%s", code, c.out.String(), c.err.String())
	}

	code, out, errOut = run(t, "reconcile", cfg)
	if code != 0 || !strings.Contains(out, "every order is settled") {
		t.Fatalf("reconcile: %d %q %s", code, out, errOut)
	}

	// The reading commands print the same through the terminal as on
	// their own, once it has stopped.
	same := [][]string{{"orders", cfg, "--json"}, {"orders", cfg}, {"report", cfg}, {"report", cfg, "--csv"}}
	through := make([]string, len(same))
	for i, args := range same {
		code, through[i], errOut = run(t, args...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errOut)
		}
	}
	rt.stop()
	if j, err := storage.Open(ctx, filepath.Join(filepath.Dir(rt.config), "pos.db")); err != nil {
		t.Fatalf("the journal is still locked: %v", err)
	} else {
		j.Close()
	}
	for i, args := range same {
		code, own, errOut := run(t, args...)
		if code != 0 || own != through[i] {
			t.Errorf("%v on its own: %d\n%s\nthrough the terminal:\n%s\n%s", args, code, own, through[i], errOut)
		}
	}

	// A refund key means the same refund on its own as through the
	// terminal: the key the terminal kept shows its refund; a new key
	// twice refunds once.
	if code, own, errOut := run(t, "refund", cfg, "--order", no, "--amount", "2.00", "--key", "till-7-r1"); code != 0 || own != first {
		t.Fatalf("the terminal's key on its own: %d %q (first %q) %s", code, own, first, errOut)
	}
	code, second, errOut := run(t, "refund", cfg, "--order", no, "--amount", "3.00", "--key", "till-7-r2")
	if code != 0 || !strings.Contains(second, "of HK$3.00 for "+no+": done") {
		t.Fatalf("a refund on its own: %d %q %s", code, second, errOut)
	}
	if code, again, _ := run(t, "refund", cfg, "--order", no, "--amount", "3.00", "--key", "till-7-r2"); code != 0 || again != second {
		t.Fatalf("its key again: %d %q", code, again)
	}
	if code, _, errOut := run(t, "refund", cfg, "--order", no, "--amount", "4.00", "--key", "till-7-r2"); code != 1 || !strings.Contains(errOut, "was used for another refund") {
		t.Fatalf("its key for another refund: %d %s", code, errOut)
	}
	if n := rt.refundRequests(); n != 2 {
		t.Fatalf("%d refund requests reached the provider, want 2", n)
	}
}
