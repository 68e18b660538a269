package crashtest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"qrpos/payments"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// World is the journal and the provider side by side, once every process
// that wrote the journal is gone (or, in process, once recovery has run).
type World struct {
	Journal *storage.Journal
	// TID: only order and refund numbers starting with it are the
	// terminal's (empty: every number at the sandbox is).
	TID string
	// Orders and Requests are the sandbox's orders and request log.
	Orders   []sandbox.OrderView
	Requests []sandbox.Request
	// Gateways ask the provider about each refund of the journal.
	Gateways map[payments.Provider]payments.Gateway
	// Confirmed holds refunds already found settled and in agreement; they
	// are not asked about again (a soak checks many batches). It is filled
	// in when not nil.
	Confirmed map[string]bool
}

// Check lists every way the journal and the provider disagree:
//   - an order of the journal not settled, or whose state does not match the
//     provider's (money moved at the provider exactly when the journal says
//     paid, partly refunded or refunded; same amount and refunded total;
//     a closable order the journal ended is no longer payable there,
//     unless it is a QR the terminal never got);
//   - an order at the provider, or a payment or refund number sent to it,
//     that the journal does not have;
//   - a refund not settled, or done in the journal exactly when the provider
//     has it, with the same amount; done refunds summing to the order's
//     refunded total;
//   - a payment or refund number sent twice, or a number used for both;
//   - a sale the money moved for without exactly one sale receipt job, a
//     sale it did not move for with one, a done refund without exactly one
//     refund receipt job, another refund with one; anything the journal
//     itself lists as missing its receipt.
func (w World) Check(ctx context.Context) ([]string, error) {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	ours := func(no string) bool { return no != "" && strings.HasPrefix(no, w.TID) }

	orders, err := w.Journal.Orders(ctx, storage.Filter{})
	if err != nil {
		return nil, err
	}
	at := map[string]sandbox.OrderView{}
	for _, v := range w.Orders {
		at[v.OutTradeNo] = v
	}
	journalled := map[string]bool{}
	for _, o := range orders {
		journalled[o.OutTradeNo] = true
		v, known := at[o.OutTradeNo]
		problems, err := w.checkOrder(ctx, o, v, known)
		if err != nil {
			return nil, err
		}
		bad = append(bad, problems...)
	}
	for _, v := range w.Orders {
		if ours(v.OutTradeNo) && !journalled[v.OutTradeNo] {
			fail("order %s: the provider has it (%s %s %s), the journal lost it", v.OutTradeNo, v.Provider, v.Amount, v.State)
		}
	}

	// What recovery would queue at start: nothing may be left.
	sales, refunds, err := w.Journal.MissingReceipts(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range sales {
		fail("order %s (%s): the journal lists it as missing its sale receipt", o.OutTradeNo, o.State)
	}
	for _, r := range refunds {
		fail("refund %s of %s: the journal lists it as missing its refund receipt", r.RefundNo, r.OutTradeNo)
	}

	// The request log: every number sent once, and journalled.
	pays, refundsSent := map[string]int{}, map[string]int{}
	for _, c := range w.Requests {
		switch c.Op {
		case sandbox.OpPay:
			if ours(c.OutTradeNo) {
				pays[c.OutTradeNo]++
			}
		case sandbox.OpRefund:
			if ours(c.RefundNo) {
				refundsSent[c.RefundNo]++
			}
		}
	}
	for _, no := range sortedKeys(pays) {
		if pays[no] > 1 {
			fail("payment %s was sent %d times", no, pays[no])
		}
		if refundsSent[no] > 0 {
			fail("number %s was sent as a payment and as a refund", no)
		}
		if !journalled[no] {
			fail("payment %s was sent, the journal has no such order", no)
		}
	}
	for _, no := range sortedKeys(refundsSent) {
		if refundsSent[no] > 1 {
			fail("refund %s was sent %d times", no, refundsSent[no])
		}
		if _, err := w.Journal.Refund(ctx, no); errors.Is(err, storage.ErrNotFound) {
			fail("refund %s was sent, the journal has no such refund", no)
		} else if err != nil {
			return nil, err
		}
	}
	return bad, nil
}

func (w World) checkOrder(ctx context.Context, o payments.Order, v sandbox.OrderView, known bool) ([]string, error) {
	var bad []string
	fail := func(format string, args ...any) {
		bad = append(bad, fmt.Sprintf("order %s (%s:%s %s, journal %s): ", o.OutTradeNo, o.Provider, o.MethodCode, o.Amount.Decimal(), o.State)+
			fmt.Sprintf(format, args...))
	}
	m, err := o.Method()
	if err != nil {
		return nil, err
	}
	if !o.State.Settled() {
		fail("still open after reconcile (provider: known %v, %s)", known, v.State)
	}
	moved := o.State.MoneyMoved()
	switch {
	case moved && !known:
		fail("the journal says the money moved; the provider has no such order")
	case moved && !v.Paid:
		fail("the journal says the money moved; the provider says %s", v.State)
	case !moved && known && v.Paid:
		fail("the provider says paid (%s); the journal does not", v.State)
	case !moved && o.State.Settled() && known && m.CanClose && v.Payable && (m.Mode != payments.MPM || o.QRCode != ""):
		// A customer holding the QR or whose code was scanned could still
		// pay, and nobody would look again. (A QR the terminal never got
		// may stay open at the provider: nobody can pay it.)
		fail("ended in the journal, still payable at the provider (%s)", v.State)
	}
	if known {
		if v.Amount != o.Amount.Decimal() || v.Currency != string(o.Amount.Currency) {
			fail("amount: provider %s %s", v.Currency, v.Amount)
		}
		if moved && v.Refunded != o.Refunded.Decimal() {
			fail("refunded: journal %s, provider %s", o.Refunded.Decimal(), v.Refunded)
		}
	}
	switch {
	case o.State == payments.Paid && o.Refunded.Minor != 0,
		o.State == payments.PartlyRefunded && (o.Refunded.Minor <= 0 || o.Refunded.Minor >= o.Amount.Minor),
		o.State == payments.Refunded && o.Refunded.Minor != o.Amount.Minor:
		fail("refunded total %s does not fit the state", o.Refunded.Decimal())
	}

	// Refunds, each asked of the provider.
	rs, err := w.Journal.Refunds(ctx, o.OutTradeNo)
	if err != nil {
		return nil, err
	}
	var done int64
	for _, r := range rs {
		if r.State == payments.RefundDone {
			done += r.Amount.Minor
		}
		if !r.State.Settled() {
			fail("refund %s of %s still %s after reconcile", r.RefundNo, r.Amount.Decimal(), r.State)
			continue
		}
		if w.Confirmed[r.RefundNo] {
			continue
		}
		problem, err := w.refundAtProvider(ctx, o, m, r)
		if err != nil {
			return nil, err
		}
		if problem != "" {
			fail("refund %s of %s (journal %s): %s", r.RefundNo, r.Amount.Decimal(), r.State, problem)
		} else if w.Confirmed != nil {
			w.Confirmed[r.RefundNo] = true
		}
	}
	if done != o.Refunded.Minor {
		fail("done refunds sum to %s, the order says %s refunded", payments.Money{Minor: done, Currency: o.Amount.Currency}.Decimal(), o.Refunded.Decimal())
	}

	// Receipts.
	jobs, err := w.Journal.PrintsOf(ctx, o.OutTradeNo)
	if err != nil {
		return nil, err
	}
	sales := 0
	refundJobs := map[string]int{}
	for _, j := range jobs {
		switch j.Kind {
		case storage.PrintSale:
			sales++
		case storage.PrintRefund:
			refundJobs[j.RefundNo]++
		}
	}
	switch {
	case moved && sales != 1:
		fail("%d sale receipt jobs, want 1", sales)
	case !moved && sales != 0:
		fail("%d sale receipt jobs for a sale that was not paid", sales)
	}
	for _, r := range rs {
		want := 0
		if r.State == payments.RefundDone {
			want = 1
		}
		if refundJobs[r.RefundNo] != want {
			fail("refund %s (%s): %d refund receipt jobs, want %d", r.RefundNo, r.State, refundJobs[r.RefundNo], want)
		}
		delete(refundJobs, r.RefundNo)
	}
	for no, n := range refundJobs {
		fail("%d refund receipt jobs for %q, which is none of its refunds", n, no)
	}
	return bad, nil
}

// refundAtProvider asks the provider about one refund; it returns what
// disagrees with the journal, or "".
func (w World) refundAtProvider(ctx context.Context, o payments.Order, m payments.Method, r payments.Refund) (string, error) {
	g, ok := w.Gateways[o.Provider]
	if !ok {
		return "", fmt.Errorf("no gateway to ask %s about refund %s", o.Provider, r.RefundNo)
	}
	q, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: o.OutTradeNo, RefundNo: r.RefundNo, Method: m, Amount: r.Amount, ProviderRef: r.ProviderRef})
	var there bool
	switch {
	case payments.IsKind(err, payments.KindNotFound):
	case err != nil:
		return "", fmt.Errorf("asking %s about refund %s: %w", o.Provider, r.RefundNo, err)
	case q.RefundState == payments.RefundDone:
		there = true
	case q.RefundState == payments.RefundFailed:
	default:
		return fmt.Sprintf("the provider says %s (%s)", q.RefundState, q.Code), nil
	}
	switch {
	case there && r.State != payments.RefundDone:
		return "the provider made this refund; the journal says it did not", nil
	case !there && r.State == payments.RefundDone:
		return "the journal says done; the provider has no such refund", nil
	case there && q.Amount.Minor != 0 && q.Amount.Minor != r.Amount.Minor:
		return fmt.Sprintf("the provider refunded %s", q.Amount.Decimal()), nil
	}
	return "", nil
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
