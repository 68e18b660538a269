package crashtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// EngineRound is one terminal run in process, for the soak: the engine
// (payments/checkout) with a real journal file and both real gateways,
// against a sandbox of its own on loopback, with short timeouts so that
// faults turn into unknown outcomes, and, when notify is set, the
// providers' notifications. Batch drives it.
type EngineRound struct {
	T   testing.TB
	SB  *sandbox.Server
	J   *storage.Journal
	E   *checkout.Engine
	TID string

	gateways  map[payments.Provider]payments.Gateway // for the checks, with no short timeout
	confirmed map[string]bool
}

// The round's timing: a call times out after callTimeout, so the long
// latency fault (callTimeout + 200ms) makes a call whose outcome is unknown
// and which the provider still processes after the terminal gave up.
const (
	callTimeout = 300 * time.Millisecond
	longLatency = callTimeout + 200*time.Millisecond
)

// NewEngineRound wires a fresh terminal and sandbox.
func NewEngineRound(t testing.TB, notify bool) *EngineRound {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Logger: Quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000,
		NotifyRetry: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { sb.ReleaseAll(); srv.Close(); sb.Close() })
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	j, err := storage.Open(context.Background(), filepath.Join(dir, "pos.db"))
	if err != nil {
		t.Fatal(err)
	}
	const tid = "S001"
	eft, qf, err := Gateways(srv.URL, tid, callTimeout)
	if err != nil {
		t.Fatal(err)
	}
	poll := checkout.PollSchedule{First: 40 * time.Millisecond, Fast: 40 * time.Millisecond, FastFor: time.Second, Slow: 80 * time.Millisecond}
	cfg := checkout.Config{TID: tid, OrderTimeout: 1500 * time.Millisecond, CPMTimeout: 1500 * time.Millisecond,
		UnknownTimeout: 700 * time.Millisecond, NotFoundGiveUp: 2 * time.Second, Poll: poll, Logger: Quiet,
		PayableFor: func(_ payments.Method, d time.Duration) time.Duration { return d }}
	er := &EngineRound{T: t, SB: sb, J: j, TID: tid, confirmed: map[string]bool{}}
	if notify {
		mux := http.NewServeMux()
		nsrv := httptest.NewServer(mux)
		t.Cleanup(nsrv.Close)
		cfg.NotifyURL = nsrv.URL + "/notify"
		deliver := func(ctx context.Context, n payments.Notification) error { return er.E.HandleNotification(ctx, n) }
		mux.Handle("/notify/eftpay", eft.NotificationHandler(deliver))
		mux.Handle("/notify/qfpay", qf.NotificationHandler(deliver))
	}
	e, err := checkout.New(j, cfg, eft, qf)
	if err != nil {
		t.Fatal(err)
	}
	e.SetReceiptSink(&checkout.Receipts{J: j, Profile: func() checkout.Profile { return checkout.Profile{TID: tid, StoreName: "Soak"} }})
	er.E = e
	t.Cleanup(func() { e.Close(); j.Close() })
	ceft, cqf, err := Gateways(srv.URL, tid, 0)
	if err != nil {
		t.Fatal(err)
	}
	er.gateways = byProvider(ceft, cqf)
	return er
}

// engineOp is one planned checkout or refund.
type engineOp struct {
	refund bool
	// A checkout.
	provider payments.Provider
	method   string
	auth     string
	amount   int64
	customer int // 0 never pays, 1 pays as soon as the QR exists, 2 pays after the sale ended, 3 the cashier cancels
	cancelIn time.Duration
	// A refund.
	sale string
}

var engineMethods = []saleKind{
	{"eftpay", "ALIPAYHK", nil}, {"eftpay", "WECHATHK", nil}, {"eftpay", "UNIONPAY", nil},
	{"eftpay", "PAYME", nil}, {"eftpay", "FPS", nil}, {"eftpay", "GBPAY", nil},
	{"qfpay", "800101", nil}, {"qfpay", "800201", nil}, {"qfpay", "805801", nil}, {"qfpay", "802001", nil},
	{"qfpay", "800208", []string{"00", "00", "00", "43", "44", "45", "46", "98", "97", "01", "02", "05"}},
	{"qfpay", "800008", []string{"00", "43", "45", "46", "98"}},
	{"qfpay", "800108", []string{"00", "45", "46"}},
}

var engineFaults = []sandbox.Fault{
	{Kind: sandbox.FaultDrop, Count: 1},
	{Kind: sandbox.Fault5xx, Count: 1},
	{Kind: sandbox.FaultBadSignature, Count: 1},
	{Kind: sandbox.FaultLatency, Count: 1, Latency: 100 * time.Millisecond},
	{Kind: sandbox.FaultLatency, Count: 1, Latency: longLatency},
	{Kind: sandbox.FaultDrop, Count: 1, Op: sandbox.OpRefund},
	{Kind: sandbox.FaultLatency, Count: 1, Op: sandbox.OpRefund, Latency: longLatency},
	{Kind: sandbox.Fault5xx, Count: 1, Op: sandbox.OpQuery},
	{Kind: sandbox.FaultDrop, Count: 1, Op: sandbox.OpPay},
	{Kind: sandbox.FaultDrop, Count: 1, Op: sandbox.OpClose},
	{Kind: sandbox.FaultDrop, Count: 1, Op: sandbox.OpReversal},
}

// Batch runs n checkouts and refunds mixed, workers at a time, while random
// faults are injected into the sandbox all along; the customer pays at
// once, late or never, or the cashier cancels. Then, faults cleared,
// late customers pay, recovery runs until nothing is open, and World.Check
// compares journal and sandbox. An operation fails when a problem names its
// order, or it returned an error other than the journal's refusal of a
// refund. It returns the counts and the problems.
func (er *EngineRound) Batch(rng *rand.Rand, n, workers int) (passed, failed int, problems []string) {
	er.T.Helper()
	ops := er.plan(rng, n)
	faultSeed := rng.Uint64()
	ctx := context.Background()

	stop := make(chan struct{})
	var faultsDone sync.WaitGroup
	faultsDone.Add(1)
	go func() {
		defer faultsDone.Done()
		frng := rand.New(rand.NewPCG(faultSeed, 11))
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(5+frng.IntN(30)) * time.Millisecond):
				f := engineFaults[frng.IntN(len(engineFaults))]
				if frng.IntN(2) == 0 {
					f.Provider = []string{"eftpay", "qfpay"}[frng.IntN(2)]
				}
				er.SB.InjectFault(f)
			}
		}
	}()

	type result struct {
		numbers []string
		err     error
	}
	results := make([]result, len(ops))
	var late []string
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				nos, lateNo, err := er.run(ctx, ops[i])
				results[i] = result{nos, err}
				if lateNo != "" {
					mu.Lock()
					late = append(late, lateNo)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range ops {
		next <- i
	}
	close(next)
	wg.Wait()
	close(stop)
	faultsDone.Wait()
	er.SB.ClearFaults()
	for _, no := range late {
		er.SB.Pay(no, "success") // succeeds only where the QR is still payable
	}

	if err := er.settle(ctx); err != nil {
		problems = append(problems, err.Error())
	}
	w := World{Journal: er.J, TID: er.TID, Orders: er.SB.Orders(), Requests: er.SB.Requests(), Gateways: er.gateways, Confirmed: er.confirmed}
	found, err := w.Check(ctx)
	if err != nil {
		er.T.Fatal(err)
	}
	problems = append(problems, found...)
	named := 0
	var errs []string
	for i, r := range results {
		bad := r.err != nil
		for _, no := range r.numbers {
			for _, p := range problems { // the checks' problems, not other operations' errors
				bad = bad || strings.Contains(p, no)
			}
		}
		if r.err != nil {
			errs = append(errs, fmt.Sprintf("operation %d %+v: %v", i, ops[i], r.err))
		}
		if bad {
			failed++
			named++
		} else {
			passed++
		}
	}
	if named == 0 && len(problems) > 0 {
		passed--
		failed++
	}
	return passed, failed, append(problems, errs...)
}

// plan draws the batch's operations: one in four a refund of a paid sale
// with something left (of all of it, or a part), the others checkouts.
func (er *EngineRound) plan(rng *rand.Rand, n int) []engineOp {
	orders, err := er.J.Orders(context.Background(), storage.Filter{})
	if err != nil {
		er.T.Fatal(err)
	}
	var refundable []payments.Order
	for _, o := range orders {
		if m, err := o.Method(); err == nil && m.CanRefund && o.Refundable().Minor > 0 {
			refundable = append(refundable, o)
		}
	}
	ops := make([]engineOp, n)
	for i := range ops {
		if len(refundable) > 0 && rng.IntN(4) == 0 {
			o := refundable[rng.IntN(len(refundable))]
			left := o.Refundable().Minor
			amount := left
			if left > 1 && rng.IntN(2) == 0 {
				amount = 1 + rng.Int64N(left-1)
			}
			ops[i] = engineOp{refund: true, sale: o.OutTradeNo, amount: amount}
			continue
		}
		k := engineMethods[rng.IntN(len(engineMethods))]
		op := engineOp{provider: payments.Provider(k.provider), method: k.method, customer: rng.IntN(4),
			cancelIn: time.Duration(rng.IntN(400)) * time.Millisecond}
		a, _ := payments.ParseMoney(randomAmount(rng), "HKD", payments.Range{})
		op.amount = a.Minor
		if k.endings != nil {
			op.auth = AuthCode(k.endings[rng.IntN(len(k.endings))])
		}
		ops[i] = op
	}
	return ops
}

// run does one operation; it returns the order numbers it concerns and,
// for a customer who pays after the sale ended, the number to pay.
func (er *EngineRound) run(ctx context.Context, op engineOp) ([]string, string, error) {
	hkd := func(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }
	if op.refund {
		_, err := er.E.Refund(ctx, op.sale, hkd(op.amount))
		var re *storage.RefundError
		if errors.As(err, &re) {
			err = nil // refused by the journal (another refund of it under way, nothing left): right
		}
		return []string{op.sale}, "", err
	}
	s, err := er.E.Charge(ctx, checkout.ChargeRequest{Provider: op.provider, MethodCode: op.method, Amount: hkd(op.amount), AuthCode: op.auth})
	if err != nil {
		return nil, "", err
	}
	no := s.Order.OutTradeNo
	switch op.customer {
	case 1:
		go func() {
			for {
				if er.SB.Pay(no, "success") == nil {
					return
				}
				select {
				case <-s.Done():
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
	case 3:
		go func() {
			select {
			case <-s.Done():
			case <-time.After(op.cancelIn):
				s.Cancel()
			}
		}()
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	o, err := s.Wait(wctx)
	if o.OutTradeNo != "" && o.OutTradeNo != no {
		no = o.OutTradeNo // renumbered
	}
	lateNo := ""
	if op.customer == 2 {
		lateNo = no
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return []string{no}, lateNo, fmt.Errorf("sale %s did not end in a minute", no)
	}
	return []string{no}, lateNo, nil
}

// settle runs recovery until no order or refund is open (the engine's own
// watchers finish theirs meanwhile), for at most a minute.
func (er *EngineRound) settle(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := er.E.Recover(ctx); err != nil {
			return fmt.Errorf("recover: %w", err)
		}
		orders, err := er.J.OpenOrders(ctx)
		if err != nil {
			return err
		}
		refunds, err := er.J.OpenRefunds(ctx)
		if err != nil {
			return err
		}
		if len(orders) == 0 && len(refunds) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			var open []string
			for _, o := range orders {
				open = append(open, fmt.Sprintf("order %s %s:%s %s (%s)", o.OutTradeNo, o.Provider, o.MethodCode, o.State, o.Reason))
			}
			for _, r := range refunds {
				open = append(open, fmt.Sprintf("refund %s of %s %s (%s)", r.RefundNo, r.OutTradeNo, r.State, r.Reason))
			}
			return fmt.Errorf("still open a minute after the batch: %s", strings.Join(open, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
