package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
)

// frontRig is a sandbox on loopback with both providers' real gateways.
type frontRig struct {
	t   *testing.T
	s   *Server
	url string
	eft *eftpay.Gateway
	qf  *qfpay.Gateway
}

func newFrontRig(t *testing.T) *frontRig {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := New(Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 100000})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { srv.Close(); s.Close() })
	eft, err := eftpay.NewGateway(eftpay.Config{BaseURL: srv.URL + "/VMP", UserConfirmKey: DemoEftpayUser, Secret: DemoEftpaySecret,
		TID: "F1", Timeout: 5 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	qf, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: DemoQFPayAppCode, ClientKey: DemoQFPayKey, TID: "F1",
		Timeout: 5 * time.Second, RatePerSecond: 10000, RatePerMinute: 100000, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return &frontRig{t: t, s: s, url: srv.URL, eft: eft, qf: qf}
}

func method(t *testing.T, p payments.Provider, code string) payments.Method {
	t.Helper()
	m, err := payments.LookupMethod(p, code)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

// cpmPay pays no by QFPay CPM with an auth code that pays at once.
func (r *frontRig) cpmPay(ctx context.Context, no string) (payments.PayResult, error) {
	return r.qf.Pay(ctx, payments.PayRequest{OutTradeNo: no, TID: "F1", Method: method(r.t, payments.QFPay, "800208"),
		Amount: hkd(1000), Subject: "s", AuthCode: "134567890123456700"[:16] + no[len(no)-2:]})
}

// awaitHeld waits for the next held call on the channel.
func (r *frontRig) awaitHeld() Held {
	r.t.Helper()
	select {
	case h := <-r.s.Held():
		return h
	case <-time.After(5 * time.Second):
		r.t.Fatal("no call was held")
		return Held{}
	}
}

func TestHoldBeforeProcessing(t *testing.T) {
	r := newFrontRig(t)
	if err := r.s.InjectFault(Fault{Kind: FaultHold, Stage: HoldBefore, Provider: "qfpay", Op: OpPay, Count: 2}); err != nil {
		t.Fatal(err)
	}
	// Released: processed and answered as usual.
	done := make(chan error, 1)
	go func() { _, err := r.cpmPay(context.Background(), "HB000000000000000100"); done <- err }()
	h := r.awaitHeld()
	if h.Stage != HoldBefore || h.Op != OpPay || h.OutTradeNo != "HB000000000000000100" || h.Provider != "qfpay" {
		t.Fatalf("held %+v", h)
	}
	if _, known := r.s.Order("HB000000000000000100"); known {
		t.Fatal("held before processing, yet the provider has the order")
	}
	if !r.s.Release(h.ID) || r.s.Release(h.ID) {
		t.Fatal("release: want true once, then false")
	}
	if err := <-done; err != nil {
		t.Fatalf("released call: %v", err)
	}
	if o, _ := r.s.Order("HB000000000000000100"); !o.Paid {
		t.Fatalf("released call not processed: %+v", o)
	}

	// Abandoned by its client: never processed, no answer.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, err := r.cpmPay(ctx, "HB000000000000000200"); done <- err }()
	r.awaitHeld()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("abandoned call answered")
	}
	waitFor(t, func() bool { return len(r.s.Holding()) == 0 })
	if _, known := r.s.Order("HB000000000000000200"); known {
		t.Fatal("a call abandoned before processing reached the provider")
	}
	reqs := r.s.Requests()
	if last := reqs[len(reqs)-1]; last.OutTradeNo != "HB000000000000000200" || last.Status != 0 {
		t.Fatalf("request log: %+v", last)
	}
}

func TestHoldAfterProcessing(t *testing.T) {
	r := newFrontRig(t)
	m := method(t, payments.Eftpay, "ALIPAYHK")
	if err := r.s.InjectFault(Fault{Kind: FaultHold, Stage: HoldAfter, Op: OpPay, Count: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.eft.Pay(ctx, payments.PayRequest{OutTradeNo: "HA1", TID: "F1", Method: m, Amount: hkd(1234), Subject: "s"})
		done <- err
	}()
	h := r.awaitHeld()
	if h.Stage != HoldAfter || h.Provider != "eftpay" || h.Service != m.Services.PreOrder {
		t.Fatalf("held %+v", h)
	}
	if _, known := r.s.Order("HA1"); !known {
		t.Fatal("held after processing, yet the provider has no order")
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("abandoned call answered")
	}
	// The answer was lost; the provider keeps the order.
	if o, known := r.s.Order("HA1"); !known || o.State != eftpay.TradeWaiting {
		t.Fatalf("order after the lost answer: %+v", o)
	}
	// Only the number filter and the count: a query goes through untouched.
	if _, err := r.eft.Query(context.Background(), payments.QueryRequest{OutTradeNo: "HA1", Method: m, Amount: hkd(1234)}); err != nil {
		t.Fatalf("query after the hold was used up: %v", err)
	}
}

// TestHeldLongPoll drives a hold through the HTTP control endpoints, as a
// test does with a separate `pos sandbox` process.
func TestHeldLongPoll(t *testing.T) {
	r := newFrontRig(t)
	post := func(path, contentType, body string) (int, string) {
		resp, err := http.Post(r.url+path, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	held := func(query string) []Held {
		resp, err := http.Get(r.url + "/sandbox/held?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []Held
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("/sandbox/held: HTTP %d, %v", resp.StatusCode, err)
		}
		return out
	}
	if code, body := post("/sandbox/faults", "application/x-www-form-urlencoded", "kind=hold&stage=after&op=refund"); code != http.StatusOK {
		t.Fatalf("hold fault by form: %d %s", code, body)
	}
	if got := held("wait=50ms"); len(got) != 0 {
		t.Fatalf("nothing held yet, got %+v", got)
	}
	if _, err := r.cpmPay(context.Background(), "LP000000000000000100"); err != nil {
		t.Fatal(err)
	}
	sale, _ := r.s.Order("LP000000000000000100")
	done := make(chan error, 2)
	refund := func(no string) {
		_, err := r.qf.Refund(context.Background(), payments.RefundRequest{OutTradeNo: sale.OutTradeNo, RefundNo: no,
			Method: method(t, payments.QFPay, "800208"), Amount: hkd(100), SaleAmount: hkd(1000), ProviderRef: sale.Ref})
		done <- err
	}
	go refund("LPR1")
	got := held("wait=5s")
	if len(got) != 1 || got[0].Op != OpRefund || got[0].RefundNo != "LPR1" || got[0].Stage != HoldAfter {
		t.Fatalf("held: %+v", got)
	}
	if o, _ := r.s.Order(sale.OutTradeNo); o.Refunded != "1.00" {
		t.Fatalf("held after processing, yet the refund is not made: %+v", o)
	}
	go refund("LPR2")
	more := held("wait=5s&after=" + strconv.Itoa(got[0].ID))
	if len(more) != 1 || more[0].RefundNo != "LPR2" {
		t.Fatalf("held after %d: %+v", got[0].ID, more)
	}
	if code, _ := post("/sandbox/release", "application/json", `{"id":`+strconv.Itoa(got[0].ID)+`}`); code != http.StatusOK {
		t.Fatalf("release one: HTTP %d", code)
	}
	if code, _ := post("/sandbox/release", "application/json", `{"id":`+strconv.Itoa(got[0].ID)+`}`); code != http.StatusNotFound {
		t.Fatalf("release twice: HTTP %d", code)
	}
	if err := <-done; err != nil {
		t.Fatalf("released refund: %v", err)
	}
	if code, body := post("/sandbox/release", "application/x-www-form-urlencoded", ""); code != http.StatusOK || !strings.Contains(body, `"released":1`) {
		t.Fatalf("release all: %d %s", code, body)
	}
	if err := <-done; err != nil {
		t.Fatalf("released refund: %v", err)
	}
}

// TestRequestLog checks what the log says of each operation of both
// providers, QFPay's refund numbers and syssns resolved.
func TestRequestLog(t *testing.T) {
	r := newFrontRig(t)
	ctx := context.Background()
	em := method(t, payments.Eftpay, "ALIPAYHK")
	if _, err := r.eft.Pay(ctx, payments.PayRequest{OutTradeNo: "RL1", TID: "F1", Method: em, Amount: hkd(500), Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	r.s.Pay("RL1", "success")
	r.eft.Query(ctx, payments.QueryRequest{OutTradeNo: "RL1", Method: em, Amount: hkd(500)})
	r.eft.Refund(ctx, payments.RefundRequest{OutTradeNo: "RL1", RefundNo: "RL1R", Method: em, Amount: hkd(100), SaleAmount: hkd(500)})
	r.eft.Query(ctx, payments.QueryRequest{OutTradeNo: "RL1", RefundNo: "RL1R", Method: em, Amount: hkd(100)})
	if _, err := r.cpmPay(ctx, "RL000000000000000200"); err != nil {
		t.Fatal(err)
	}
	qm := method(t, payments.QFPay, "800208")
	sale, _ := r.s.Order("RL000000000000000200")
	if _, err := r.qf.Refund(ctx, payments.RefundRequest{OutTradeNo: sale.OutTradeNo, RefundNo: "RL2R", Method: qm, Amount: hkd(100),
		SaleAmount: hkd(1000), ProviderRef: sale.Ref}); err != nil {
		t.Fatal(err)
	}
	r.qf.Query(ctx, payments.QueryRequest{OutTradeNo: sale.OutTradeNo, RefundNo: "RL2R", Method: qm, Amount: hkd(100)})
	qmpm := method(t, payments.QFPay, "800101")
	r.qf.Pay(ctx, payments.PayRequest{OutTradeNo: "RL3", TID: "F1", Method: qmpm, Amount: hkd(300), Subject: "s"})
	r.qf.Close(ctx, payments.CloseRequest{OutTradeNo: "RL3", Method: qmpm, Amount: hkd(300)})

	// The gateways may add calls of their own (a query before a cancel):
	// these must appear in this order.
	type line struct{ provider, op, no, refund string }
	want := []line{
		{"eftpay", OpPay, "RL1", ""}, {"eftpay", OpQuery, "RL1", ""}, {"eftpay", OpRefund, "RL1", "RL1R"}, {"eftpay", OpQuery, "RL1", "RL1R"},
		{"qfpay", OpPay, "RL000000000000000200", ""}, {"qfpay", OpRefund, "RL000000000000000200", "RL2R"}, {"qfpay", OpQuery, "", "RL2R"},
		{"qfpay", OpPay, "RL3", ""}, {"qfpay", string(qmpm.Cancel), "RL3", ""},
	}
	reqs := r.s.Requests()
	next := 0
	for i, c := range reqs {
		if c.Seq != i+1 || c.Status != http.StatusOK {
			t.Errorf("call %d: %+v, want seq %d answered 200", i+1, c, i+1)
		}
		if next < len(want) && (line{c.Provider, c.Op, c.OutTradeNo, c.RefundNo}) == want[next] {
			next++
		}
	}
	if next < len(want) {
		t.Fatalf("the log lacks %+v (and what follows) in order: %+v", want[next], reqs)
	}
	resp, err := http.Get(r.url + "/sandbox/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var viaHTTP []Request
	if err := json.NewDecoder(resp.Body).Decode(&viaHTTP); err != nil || len(viaHTTP) != len(reqs) {
		t.Fatalf("/sandbox/requests: %d calls, %v", len(viaHTTP), err)
	}
}

// TestFaultLimitedToOperation: a fault limited to refunds leaves payments
// and queries alone, and spoils only refunds.
func TestFaultLimitedToOperation(t *testing.T) {
	r := newFrontRig(t)
	ctx := context.Background()
	em := method(t, payments.Eftpay, "WECHATHK")
	for _, f := range []Fault{
		{Kind: Fault5xx, Op: OpRefund, Count: 1},
		{Kind: FaultDrop, Op: OpRefund, Count: 1},
		{Kind: FaultBadSignature, Op: OpRefund, Provider: "eftpay", Count: 1},
	} {
		if err := r.s.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.eft.Pay(ctx, payments.PayRequest{OutTradeNo: "OP1", TID: "F1", Method: em, Amount: hkd(900), Subject: "s"}); err != nil {
		t.Fatalf("pay met a refund fault: %v", err)
	}
	r.s.Pay("OP1", "success")
	if _, err := r.eft.Query(ctx, payments.QueryRequest{OutTradeNo: "OP1", Method: em, Amount: hkd(900)}); err != nil {
		t.Fatalf("query met a refund fault: %v", err)
	}
	refund := func(no string) error {
		_, err := r.eft.Refund(ctx, payments.RefundRequest{OutTradeNo: "OP1", RefundNo: no, Method: em, Amount: hkd(100), SaleAmount: hkd(900)})
		return err
	}
	for i, processed := range []bool{false, true, true} {
		no := "OP1R" + strconv.Itoa(i)
		if err := refund(no); !errors.Is(err, payments.ErrOutcomeUnknown) {
			t.Fatalf("refund %d: %v, want an unknown outcome", i, err)
		}
		_, err := r.eft.Query(ctx, payments.QueryRequest{OutTradeNo: "OP1", RefundNo: no, Method: em, Amount: hkd(100)})
		if found := !payments.IsKind(err, payments.KindNotFound); found != processed {
			t.Fatalf("refund %d: processed %v, want %v (%v)", i, found, processed, err)
		}
	}
	if err := refund("OP1R9"); err != nil {
		t.Fatalf("faults used up, yet: %v", err)
	}
}

func TestFaultValidation(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	for _, f := range []Fault{
		{Kind: FaultHold},
		{Kind: FaultHold, Stage: "during"},
		{Kind: FaultLatency, Stage: HoldBefore},
		{Kind: Fault5xx, Op: "pay-twice"},
	} {
		if err := s.InjectFault(f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	// A hold or a limited fault is the front door's: the halves never see it.
	s.InjectFault(Fault{Kind: FaultHold, Stage: HoldAfter})
	s.InjectFault(Fault{Kind: FaultDrop, OutTradeNo: "X1"})
	if f := s.takeFault("qfpay"); f.Kind != "" {
		t.Fatalf("a half took the front door's fault %+v", f)
	}
	if f := s.takeFrontFault(Request{Provider: "qfpay", Op: OpQuery, OutTradeNo: "X0,X1"}); f.Kind != FaultHold {
		t.Fatalf("front door took %+v", f)
	}
}

// TestCloseAbandonsHeldCalls: closing the sandbox ends every hold.
func TestCloseAbandonsHeldCalls(t *testing.T) {
	r := newFrontRig(t)
	r.s.InjectFault(Fault{Kind: FaultHold, Stage: HoldBefore})
	done := make(chan error, 1)
	go func() { _, err := r.cpmPay(context.Background(), "CL000000000000000100"); done <- err }()
	r.awaitHeld()
	r.s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a call held when the sandbox closed was answered")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a call held")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
	}
}
