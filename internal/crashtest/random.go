package crashtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// A sale the random kills may start: a method and, for CPM, the endings of
// the customer code that choose the sandbox's outcome.
type saleKind struct {
	provider, method string
	endings          []string
}

// randomSales are the methods of the random kills. Wallets that cannot be
// closed are left out: an interrupted QR of theirs stays open until its
// order_timeout (30 s at least), which would stall every kill; they have
// tests and a soak batch of their own (UnclosableBatch).
var randomSales = []saleKind{
	{"eftpay", "ALIPAYHK", nil},
	{"eftpay", "WECHATHK", nil},
	{"qfpay", "800101", nil},
	{"qfpay", "800201", nil},
	{"qfpay", "800208", []string{"00", "00", "43", "44", "45", "46", "98", "01"}},
	{"qfpay", "800108", []string{"00", "45", "46", "98"}},
	{"qfpay", "800008", []string{"00", "43", "46"}},
}

// randomAmount is 1.00 to 90.99, never one of the PayMe endings with which
// the sandbox plays eftPay's UAT (.44, .45, .77, .80, .81: an order nobody
// can pay or settle for half an hour).
func randomAmount(rng *rand.Rand) string {
	cents := rng.IntN(100)
	switch cents {
	case 44, 45, 77, 80, 81:
		cents = 10
	}
	return fmt.Sprintf("%d.%02d", 1+rng.IntN(90), cents)
}

func (r *Rig) randomCharge(rng *rand.Rand) []string {
	k := randomSales[rng.IntN(len(randomSales))]
	code := ""
	if k.endings != nil {
		code = AuthCode(k.endings[rng.IntN(len(k.endings))])
	}
	return Charge(k.provider, k.method, randomAmount(rng), code)
}

// refundable picks a paid order of the journal with something left to
// refund; false when there is none.
func (r *Rig) refundable(rng *rand.Rand) (payments.Order, bool) {
	var cands []payments.Order
	for _, o := range r.Orders() {
		if m, err := o.Method(); err == nil && m.CanRefund && o.Refundable().Minor > 0 {
			cands = append(cands, o)
		}
	}
	if len(cands) == 0 {
		return payments.Order{}, false
	}
	return cands[rng.IntN(len(cands))], true
}

// randomRefund is `pos refund` of all that is left or of a random part.
func (r *Rig) randomRefund(rng *rand.Rand, o payments.Order) []string {
	args := []string{"refund", "--order", o.OutTradeNo}
	if left := o.Refundable().Minor; left > 1 && rng.IntN(2) == 0 {
		args = append(args, "--amount", payments.Money{Minor: 1 + rng.Int64N(left-1), Currency: o.Amount.Currency}.Decimal())
	}
	return args
}

var randomFaults = []sandbox.Fault{
	{Kind: sandbox.FaultDrop, Count: 1},
	{Kind: sandbox.Fault5xx, Count: 1},
	{Kind: sandbox.FaultBadSignature, Count: 1},
	{Kind: sandbox.FaultLatency, Count: 1, Latency: 300 * time.Millisecond},
}

// RandomKill starts a random `pos charge` (or, one time in four, `pos
// refund` of a paid order), now and then with one provider fault, plays
// the customer paying when the QR shows (half the time), and kills it with
// SIGKILL at a random moment up to 700ms, unless it ended first. Then
// AfterKill. It says "killed" or "finished".
func (r *Rig) RandomKill(rng *rand.Rand) string {
	r.T.Helper()
	args := r.randomCharge(rng)
	if o, ok := r.refundable(rng); ok && rng.IntN(4) == 0 {
		args = r.randomRefund(rng, o)
	}
	what := strings.Join(args, " ")
	if rng.IntN(5) == 0 {
		f := randomFaults[rng.IntN(len(randomFaults))]
		if err := r.SB.InjectFault(f); err != nil {
			r.T.Fatal(err)
		}
		what += fmt.Sprintf(" with fault %s", f.Kind)
	}
	p := r.Start(nil, args...)
	payOnQR := rng.IntN(2) == 0
	after := time.Duration(rng.IntN(700)) * time.Millisecond
	r.T.Logf("random kill: %s, killed after %v, customer pays on QR: %v", what, after, payOnQR)
	timer := time.NewTimer(after)
	defer timer.Stop()
	outcome := "finished"
wait:
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				break wait
			}
			if ev["event"] == "qr" && payOnQR {
				r.SB.Pay(ev["out_trade_no"], "success")
			}
		case <-timer.C:
			p.Kill()
			break wait
		}
	}
	if ex := p.Wait(time.Minute); ex.Signal == "killed" {
		outcome = "killed"
	}
	if err := r.SB.ClearFaults(); err != nil {
		r.T.Fatal(err)
	}
	r.AfterKill()
	return outcome
}

// ChosenKill kills a random `pos charge`, `pos refund` or `pos reconcile`
// at a random one of the chosen points (a killpoint, or a call held before
// or after the provider processed it), plays the customer paying while the
// terminal is down half the time, then AfterKill. It returns the scenario's
// name.
func (r *Rig) ChosenKill(rng *rand.Rand) string {
	r.T.Helper()
	before := r.Numbers()
	var args []string
	var k chosen
	o, refund := r.refundable(rng)
	switch {
	case refund && rng.IntN(3) == 0:
		args = r.randomRefund(rng, o)
		k = refundKills[rng.IntN(len(refundKills))]
	case rng.IntN(8) == 0:
		// An open order for reconcile to be killed on.
		r.KillAt(killpoint.PayAnswered, 0, r.randomCharge(rng)...)
		args = []string{"reconcile", "--json"}
		k = reconcileKills[rng.IntN(len(reconcileKills))]
	default:
		args = r.randomCharge(rng)
		k = chargeKills[rng.IntN(len(chargeKills))]
	}
	name := args[0] + " " + k.String()
	if !r.killChosen(k, args) {
		name += " (not reached)"
	}
	if rng.IntN(2) == 0 {
		for _, o := range r.Orders() {
			if !before[o.OutTradeNo] {
				if r.SB.Pay(o.OutTradeNo, "success") == nil {
					name += ", customer paid while down"
				}
			}
		}
	}
	r.AfterKill()
	return name
}

// chosen is one way to kill pos at a chosen point.
type chosen struct {
	point string
	skip  int
	stage sandbox.HoldStage
	op    string
}

func (c chosen) String() string {
	if c.point != "" {
		return fmt.Sprintf("at %s+%d", c.point, c.skip)
	}
	return fmt.Sprintf("held %s %s", c.stage, c.op)
}

var (
	chargeKills = []chosen{
		{point: killpoint.OrderJournalled}, {point: killpoint.PayAnswered}, {point: killpoint.AnswerJournalled},
		{point: killpoint.QueryAnswered}, {point: killpoint.QueryAnswered, skip: 1},
		{stage: sandbox.HoldBefore, op: sandbox.OpPay}, {stage: sandbox.HoldAfter, op: sandbox.OpPay},
		{stage: sandbox.HoldAfter, op: sandbox.OpQuery},
	}
	refundKills = []chosen{
		{point: killpoint.RefundJournalled}, {point: killpoint.RefundAnswered},
		{stage: sandbox.HoldBefore, op: sandbox.OpRefund}, {stage: sandbox.HoldAfter, op: sandbox.OpRefund},
	}
	reconcileKills = []chosen{
		{point: killpoint.QueryAnswered}, {point: killpoint.CloseAnswered},
		{stage: sandbox.HoldBefore, op: sandbox.OpClose}, {stage: sandbox.HoldAfter, op: sandbox.OpClose},
		{stage: sandbox.HoldBefore, op: sandbox.OpReversal}, {stage: sandbox.HoldAfter, op: sandbox.OpQuery},
	}
)

// killChosen runs pos with args and kills it as c says. A point the run
// does not pass (a CPM sale paid at once is never queried, a held
// operation it never calls) lets it end by itself or, for a sale waiting
// for a customer who never comes, be killed after a second (six for the
// query points); it reports false then.
func (r *Rig) killChosen(c chosen, args []string) bool {
	r.T.Helper()
	wait := time.Second
	if c.point == killpoint.QueryAnswered || c.op == sandbox.OpQuery {
		wait = 6 * time.Second // a sale's first queries come 2 s apart
	}
	if c.point != "" {
		p := r.Start([]string{"POS_KILLPOINT=" + c.point, fmt.Sprintf("POS_KILLPOINT_SKIP=%d", c.skip)}, args...)
		p.Wait(wait)
		return p.KilledAt(c.point)
	}
	f := sandbox.Fault{Kind: sandbox.FaultHold, Stage: c.stage, Op: c.op, Count: 1}
	if err := r.SB.InjectFault(f); err != nil {
		r.T.Fatal(err)
	}
	defer r.SB.ClearFaults()
	before, err := r.SB.Holding()
	if err != nil {
		r.T.Fatal(err)
	}
	after := 0
	for _, h := range before {
		after = max(after, h.ID)
	}
	p := r.Start(nil, args...)
	ctx, cancel := contextFor(wait)
	defer cancel()
	_, err = r.SB.WaitHeld(ctx, after)
	p.Kill()
	p.Wait(10 * time.Second)
	r.waitReleased(after)
	return err == nil
}

// Unclosable are the wallets whose unpaid orders the provider cannot
// close: eftPay's, whose QR the terminal ends after its order_timeout, and
// QFPay's PayMe, whose QR lives at least QFPay's 5 minutes (expired_time).
var Unclosable = []Wallet{
	{"eftpay", "PAYME"}, {"eftpay", "FPS"}, {"eftpay", "GBPAY"}, {"qfpay", "805801"},
}

// Wallet is a method of a provider.
type Wallet struct{ Provider, Method string }

// UnclosableBatch kills n sales of wallets that cannot be closed after
// their QR was journalled, each of wallets in turn; the customer pays some
// while the terminal is down, some after reconcile ended the order (once
// its QR expired at the terminal; where the provider's QR expired too, as
// QFPay's does, nobody can), some never (3 × len(wallets) sales cover
// every wallet and case). Reconcile must record each payment, the late ones through the
// late re-check; World.Check must hold after each reconcile. It fails the
// test when an order does not end as the customer did.
func (r *Rig) UnclosableBatch(rng *rand.Rand, n int, wallets []Wallet) {
	r.T.Helper()
	type sale struct {
		no   string
		when int // 0 never, 1 while down, 2 late
	}
	var sales []sale
	for i := 0; i < n; i++ {
		u := wallets[i%len(wallets)]
		before := r.Numbers()
		r.KillAt(killpoint.AnswerJournalled, 0, Charge(u.Provider, u.Method, randomAmount(rng), "")...)
		sales = append(sales, sale{no: r.NewOrder(before).OutTradeNo, when: i / len(wallets) % 3})
	}
	pay := func(when int) {
		for i, s := range sales {
			if s.when != when {
				continue
			}
			err := r.SB.Pay(s.no, "success")
			switch {
			case err == nil:
			case when == 2 && r.expiredAt(s.no):
				sales[i].when = 0 // the provider's QR ran out too (QFPay's): nobody can pay now
			default:
				r.T.Fatalf("the QR of %s, a wallet that cannot be closed, should stay payable: %v", s.no, err)
			}
		}
	}
	expect := func(late bool) {
		r.T.Helper()
		for _, s := range sales {
			o := r.Order(s.no)
			if want := s.when == 1 || late && s.when == 2; o.State.MoneyMoved() != want {
				r.T.Fatalf("order %s (%s, customer paid: %d) is %s (%s)", s.no, o.MethodCode, s.when, o.State, o.Reason)
			}
		}
	}
	pay(1)
	r.AfterKill()
	expect(false)
	pay(2)
	r.AfterKill()
	expect(true)
}

// expiredAt reports whether the provider's own QR lifetime of order no is
// over (QFPay's respcd 1181).
func (r *Rig) expiredAt(no string) bool {
	v, ok := r.SandboxOrder(no)
	return ok && strings.HasPrefix(v.State, qfpay.CodeExpired)
}
