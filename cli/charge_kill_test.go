package cli

// The crash tests of `pos charge`: the real binary, built with the
// killpoints tag, against a sandbox on loopback, killed with SIGKILL at each
// chosen point of a sale (internal/killpoint) or while the sandbox holds its
// call (before or after the provider processed it), and at random moments;
// after every kill `pos reconcile`, then journal == provider for every order
// and refund, no number sent twice, every paid sale with its receipt
// (crashtest.World.Check).

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"qrpos/internal/crashtest"
	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// kill is how a crash test stops pos: at a killpoint, or by SIGKILL while
// the sandbox holds one of its calls. With drop set it does not kill: the
// provider processes the call and its answer is lost, and pos goes on.
type kill struct {
	point string // killpoint name
	skip  int    // passes of point to let go first
	hold  sandbox.HoldStage
	op    string // the held (or dropped) call's operation
	drop  bool
}

func (k kill) String() string {
	if k.drop {
		return "dropped-" + k.op
	}
	if k.point != "" {
		if k.skip > 0 {
			return fmt.Sprintf("%s+%d", k.point, k.skip)
		}
		return k.point
	}
	return "held-" + string(k.hold) + "-" + k.op
}

// do runs pos with args and kills it as k says.
func (k kill) do(r *crashtest.Rig, args []string) {
	r.T.Helper()
	if k.drop {
		if err := r.SB.InjectFault(sandbox.Fault{Kind: sandbox.FaultDrop, Op: k.op, Count: 1}); err != nil {
			r.T.Fatal(err)
		}
		if p, ex := r.Run(time.Minute, nil, args...); ex.TimedOut || ex.Signal != "" {
			r.T.Fatalf("pos did not end after a lost answer: %+v\n%s", ex, p.Output())
		}
		return
	}
	if k.point != "" {
		r.KillAt(k.point, k.skip, args...)
		return
	}
	r.KillWhenHeld(sandbox.Fault{Stage: k.hold, Op: k.op}, args...)
}

func at(point string) kill               { return kill{point: point} }
func heldBefore(op string) kill          { return kill{hold: sandbox.HoldBefore, op: op} }
func heldAfter(op string) kill           { return kill{hold: sandbox.HoldAfter, op: op} }
func atPass(point string, skip int) kill { return kill{point: point, skip: skip} }
func dropped(op string) kill             { return kill{drop: true, op: op} }
func unpaid(s payments.State) bool       { return !s.MoneyMoved() && s.Settled() }
func paid(s payments.State) bool         { return s == payments.Paid }
func anySettled(s payments.State) bool   { return s.Settled() }
func method(t *testing.T, p, code string) payments.Method {
	m, err := payments.LookupMethod(payments.Provider(p), code)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestChargeKilledAtChosenPoints kills `pos charge` at every chosen point
// of a sale, for both providers, MPM and CPM: after the order is journalled
// and before the request; after the provider received the request and
// before its answer is journalled (a killpoint, and a held answer); after
// the answer and before the QR event; while a customer-code payment is
// being queried; while the provider never received the request at all. And,
// without a kill, a payment whose answer is lost (the unknown outcome).
// The customer pays while the terminal is down where the provider still
// takes the money. After reconcile the order must end as the provider says
// and every invariant of World.Check must hold.
func TestChargeKilledAtChosenPoints(t *testing.T) {
	cases := []struct {
		provider, method, ending string
		kill                     kill
		customerPays             bool // while the terminal is down
		want                     func(payments.State) bool
		pays                     int // payment requests the provider received for the order
	}{
		// eftPay MPM.
		{"eftpay", "ALIPAYHK", "", at(killpoint.OrderJournalled), false, unpaid, 0},
		{"eftpay", "ALIPAYHK", "", at(killpoint.PayAnswered), false, unpaid, 1},
		{"eftpay", "ALIPAYHK", "", at(killpoint.PayAnswered), true, paid, 1},
		{"eftpay", "WECHATHK", "", heldAfter(sandbox.OpPay), false, unpaid, 1},
		{"eftpay", "WECHATHK", "", heldAfter(sandbox.OpPay), true, paid, 1},
		{"eftpay", "ALIPAYHK", "", heldBefore(sandbox.OpPay), false, unpaid, 1},
		{"eftpay", "ALIPAYHK", "", at(killpoint.AnswerJournalled), false, unpaid, 1},
		{"eftpay", "UNIONPAY", "", at(killpoint.AnswerJournalled), true, paid, 1},
		{"eftpay", "ALIPAYHK", "", dropped(sandbox.OpPay), false, unpaid, 1},
		// QFPay MPM.
		{"qfpay", "800101", "", at(killpoint.OrderJournalled), false, unpaid, 0},
		{"qfpay", "800101", "", at(killpoint.PayAnswered), true, paid, 1},
		{"qfpay", "800201", "", at(killpoint.PayAnswered), false, unpaid, 1},
		{"qfpay", "800101", "", heldAfter(sandbox.OpPay), true, paid, 1},
		{"qfpay", "801501", "", heldBefore(sandbox.OpPay), false, unpaid, 1},
		{"qfpay", "800101", "", at(killpoint.AnswerJournalled), false, unpaid, 1},
		{"qfpay", "800201", "", at(killpoint.AnswerJournalled), true, paid, 1},
		// QFPay CPM: the auth code's ending chooses the outcome.
		{"qfpay", "800208", "00", at(killpoint.OrderJournalled), false, unpaid, 0},
		{"qfpay", "800208", "00", at(killpoint.PayAnswered), false, paid, 1},
		{"qfpay", "800008", "00", heldAfter(sandbox.OpPay), false, paid, 1},
		{"qfpay", "800208", "98", heldAfter(sandbox.OpPay), false, paid, 1},
		{"qfpay", "800208", "00", heldBefore(sandbox.OpPay), false, unpaid, 1},
		{"qfpay", "800208", "00", dropped(sandbox.OpPay), false, paid, 1},
		{"qfpay", "800208", "46", at(killpoint.PayAnswered), false, unpaid, 1},
		{"qfpay", "800108", "46", at(killpoint.PayAnswered), false, unpaid, 1},
		{"qfpay", "800208", "46", at(killpoint.PayAnswered), true, paid, 1},
		{"qfpay", "800208", "43", at(killpoint.QueryAnswered), false, anySettled, 1},
		{"qfpay", "800108", "45", atPass(killpoint.QueryAnswered, 1), false, anySettled, 1},
		{"qfpay", "800208", "44", at(killpoint.QueryAnswered), false, anySettled, 1},
		{"qfpay", "801008", "45", heldAfter(sandbox.OpQuery), true, paid, 1},
	}
	for i, c := range cases {
		name := fmt.Sprintf("%02d_%s_%s%s_%s", i, c.provider, c.method, c.ending, c.kill)
		if c.customerPays {
			name += "_customer_pays"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{})
			code := ""
			if c.ending != "" {
				code = crashtest.AuthCode(c.ending)
			}
			before := r.Numbers()
			c.kill.do(r, crashtest.Charge(c.provider, c.method, "12.34", code))
			o := r.NewOrder(before)
			if c.customerPays {
				if err := r.SB.Pay(o.OutTradeNo, "success"); err != nil {
					t.Fatalf("the customer could not pay while the terminal was down: %v", err)
				}
			}
			r.AfterKill()
			o = r.Order(o.OutTradeNo)
			if !c.want(o.State) {
				v, _ := r.SandboxOrder(o.OutTradeNo)
				t.Fatalf("order %s ended %s (%s); provider: %+v", o.OutTradeNo, o.State, o.Reason, v)
			}
			pays := 0
			for _, req := range r.Requests(o.OutTradeNo) {
				if req.Op == sandbox.OpPay {
					pays++
				}
			}
			if pays != c.pays {
				t.Fatalf("the provider received %d payment requests for %s, want %d", pays, o.OutTradeNo, c.pays)
			}
		})
	}
}

// TestChargeKilledWhileCancelling: the cashier cancels (Ctrl-C), and the
// terminal dies after the provider answered the close, or while the close
// is held before the provider got it, and the customer then pays: the
// order is paid, since the close never arrived.
func TestChargeKilledWhileCancelling(t *testing.T) {
	for _, c := range []struct {
		provider, method string
		hold             bool // hold the close before the provider gets it (else: killpoint close-answered)
	}{
		{"eftpay", "ALIPAYHK", false},
		{"qfpay", "800101", false},
		{"eftpay", "WECHATHK", true},
		{"qfpay", "800201", true},
	} {
		t.Run(fmt.Sprintf("%s_%s_hold_%v", c.provider, c.method, c.hold), func(t *testing.T) {
			t.Parallel()
			r := crashtest.NewRig(t, crashtest.Options{})
			var env []string
			if !c.hold {
				env = []string{"POS_KILLPOINT=" + killpoint.CloseAnswered}
			}
			p := r.Start(env, crashtest.Charge(c.provider, c.method, "23.45", "")...)
			ev, ok := p.Await("qr", 30*time.Second)
			if !ok {
				p.Kill()
				p.Wait(10 * time.Second)
				t.Fatalf("no QR:\n%s", p.Output())
			}
			no := ev["out_trade_no"]
			if c.hold {
				m := method(t, c.provider, c.method)
				r.HoldAndKill(sandbox.Fault{Stage: sandbox.HoldBefore, Op: string(m.Cancel), OutTradeNo: no}, func() *crashtest.Proc {
					p.Interrupt()
					return p
				})
				if err := r.SB.Pay(no, "success"); err != nil {
					t.Fatalf("the close never reached the provider, yet the customer cannot pay: %v", err)
				}
			} else {
				p.Interrupt()
				if ex := p.Wait(30 * time.Second); ex.Signal != "killed" || !p.KilledAt(killpoint.CloseAnswered) {
					t.Fatalf("not killed at %s: %+v\n%s", killpoint.CloseAnswered, ex, p.Output())
				}
				if err := r.SB.Pay(no, "success"); err == nil {
					t.Fatal("the provider closed the order, yet the customer could pay it")
				}
			}
			r.AfterKill()
			o := r.Order(no)
			if want := map[bool]payments.State{true: payments.Paid, false: payments.Closed}[c.hold]; o.State != want {
				t.Fatalf("order %s ended %s (%s), want %s", no, o.State, o.Reason, want)
			}
		})
	}
}

// TestUnclosableWalletPaidLate: PayMe, FPS and GBPay at eftPay cannot be
// closed at the provider: their QR stays payable after the terminal died,
// until it expires and after. A customer who pays while the terminal is
// down, or after reconcile ended the order, must be recorded (the late one
// by the late re-check of the next reconcile), with a receipt. (QFPay's
// PayMe, whose QR lives at least 5 minutes, is in the soak.)
func TestUnclosableWalletPaidLate(t *testing.T) {
	for _, u := range crashtest.Unclosable {
		if method(t, u.Provider, u.Method).CanClose {
			t.Fatalf("%s:%s can be closed: this test is about wallets that cannot", u.Provider, u.Method)
		}
	}
	t.Parallel()
	r := crashtest.NewRig(t, crashtest.Options{})
	r.UnclosableBatch(rand.New(rand.NewPCG(crashtest.Seed(t), 3)), 9, crashtest.Unclosable[:3])
}

// TestChargeKilledAtRandomMoments kills `pos charge` and `pos refund` at
// random moments, with a random provider fault now and then and the
// customer paying when the QR shows, and checks everything after each
// kill.
func TestChargeKilledAtRandomMoments(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 10
	}
	seed := crashtest.Seed(t)
	r := crashtest.NewRig(t, crashtest.Options{})
	rng := rand.New(rand.NewPCG(seed, 7))
	counts := map[string]int{}
	for run := 0; run < runs; run++ {
		counts[r.RandomKill(rng)]++
	}
	t.Logf("%d runs: %v", runs, counts)
	if counts["killed"] < runs/3 {
		t.Fatalf("only %d of %d runs were killed mid-way: the test did not exercise crashes", counts["killed"], runs)
	}
}
