package reconcile_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/merchants"
	"qrpos/hq/pgtest"
	"qrpos/hq/reconcile"
	"qrpos/hq/store"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/terminal"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// appCodes makes each rig's QFPay app code its own, so that each has its
// own rate limiter in this process (QFPay's limiter is per credential).
var appCodes atomic.Int64

// rig is a head office, the providers' sandbox over loopback, and the
// chain's terminals (real ones: their journals, engines and uploaders),
// each uploading to head office.
type rig struct {
	hq      *hqtest.Rig
	sb      *sandbox.Server
	base    string // the sandbox's URL
	appCode string
	terms   map[string]*terminal.Terminal
	tokens  map[string]string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{hq: hqtest.New(t), appCode: fmt.Sprintf("RECONCILE%022d", appCodes.Add(1)),
		terms: map[string]*terminal.Terminal{}, tokens: map[string]string{}}
	r.sb = sandbox.New(sandbox.Config{Logger: quiet, QFPayAppCode: r.appCode, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000})
	t.Cleanup(r.sb.Close)
	srv := httptest.NewServer(r.sb.Handler())
	t.Cleanup(srv.Close)
	r.base = srv.URL
	return r
}

// terminal enrols tid of shop at head office and opens it: both providers
// in the sandbox, uploading to head office.
func (r *rig) terminal(t *testing.T, tid, shop string) *terminal.Terminal {
	t.Helper()
	token := r.hq.Enrol(tid, shop)
	r.tokens[tid] = token
	c := hqtest.OpenTerminal(t, hqtest.Terminal{TID: tid, Store: shop, Sandbox: r.base, AppCode: r.appCode, Eftpay: true,
		HQ: r.hq.Server.URL, Token: token, Tune: func(c *checkout.Config) {
			c.Poll = checkout.PollSchedule{First: 20 * time.Millisecond, Fast: 20 * time.Millisecond, FastFor: time.Second, Slow: 50 * time.Millisecond}
		}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.StartHQ(ctx, "reconcile-test")
	r.terms[tid] = c
	return c
}

// merchantsFile is the chain's merchants file: one QFPay and one eftPay
// credential at the sandbox serving every terminal; qfExtra and eftExtra
// are more lines of their tables.
func (r *rig) merchantsFile(qfKey, qfExtra, eftSecret, eftExtra string) string {
	return fmt.Sprintf("[merchant.chain-qf]\nprovider = \"qfpay\"\nbase_url = %q\napp_code = %q\nclient_key = %q\n%s"+
		"[merchant.chain-eft]\nprovider = \"eftpay\"\nbase_url = %q\nuser_confirm_key = %q\nsecret = %q\n%s",
		r.base, r.appCode, qfKey, qfExtra, r.base+"/VMP", sandbox.DemoEftpayUser, eftSecret, eftExtra)
}

// merchants parses file.
func merchantsOf(t *testing.T, file string) []merchants.Merchant {
	t.Helper()
	ms, err := merchants.Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// runner reconciles the rig's head office with ms.
func (r *rig) runner(ms []merchants.Merchant) *reconcile.Runner {
	return &reconcile.Runner{DB: r.hq.DB, Merchants: ms, Location: hqtest.HKT, Log: quiet}
}

// synced waits until head office holds every entry of the rig's
// terminals (a guard against hanging, not a measure of time).
func (r *rig) synced(t *testing.T) {
	t.Helper()
	for tid, c := range r.terms {
		waitFor(t, tid+"'s uploads", func() bool {
			backlog, _, _ := c.HQStatus()
			return backlog == 0
		})
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ctxOf(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// today is the chain's day now.
func today() string { return time.Now().In(hqtest.HKT).Format(time.DateOnly) }

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

// cpmSale is a paid QFPay sale by the customer's code (WeChat Pay).
func cpmSale(t *testing.T, c *terminal.Terminal, minor int64) payments.Order {
	t.Helper()
	w, err := c.Charge(ctxOf(t), checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800008", Amount: hkd(minor),
		AuthCode: fmt.Sprintf("1345678901%06d12", minor)})
	if err != nil {
		t.Fatal(err)
	}
	last := w.First()
	for v := range w.Views() {
		last = v
	}
	if last.Order.State != payments.Paid {
		t.Fatalf("sale %s ended %s: %s", last.Order.OutTradeNo, last.Order.State, last.Order.Reason)
	}
	return last.Order
}

// qrSale charges an MPM method and, once the QR is up, has the customer
// pay (pay) or the cashier cancel it; it returns the order as it ended.
func qrSale(t *testing.T, c *terminal.Terminal, sb *sandbox.Server, p payments.Provider, code string, minor int64, pay bool) payments.Order {
	t.Helper()
	w, err := c.Charge(ctxOf(t), checkout.ChargeRequest{Provider: p, MethodCode: code, Amount: hkd(minor)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	last, acted := w.First(), false
	for !last.Ended {
		if !acted && last.Order.State == payments.Pending && last.Order.QRCode != "" {
			acted = true
			if pay {
				if err := sb.Pay(last.Order.OutTradeNo, "success"); err != nil {
					t.Fatal(err)
				}
			} else {
				w.Cancel()
			}
		}
		v, ok := <-w.Views()
		if !ok {
			break
		}
		last = v
	}
	want := map[bool]payments.State{true: payments.Paid, false: payments.Closed}[pay]
	if last.Order.State != want {
		t.Fatalf("%s sale %s ended %s, want %s: %s", code, last.Order.OutTradeNo, last.Order.State, want, last.Order.Reason)
	}
	return last.Order
}

func refund(t *testing.T, c *terminal.Terminal, no string, minor int64) payments.Refund {
	t.Helper()
	r, err := c.Engine().Refund(ctxOf(t), no, hkd(minor))
	if err != nil || r.State != payments.RefundDone {
		t.Fatalf("refund of %s: %+v %v", no, r, err)
	}
	return r
}

// lines are differences as "kind tid store out_trade_no refund_no", sorted.
func lines(ds []store.Difference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, strings.Join([]string{d.Kind, d.TID, d.Store, d.OutTradeNo, d.RefundNo}, " "))
	}
	sort.Strings(out)
	return out
}

// same reports whether got and want hold the same lines, in any order.
func same(got, want []string) bool {
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	return strings.Join(g, "\n") == strings.Join(w, "\n")
}
