package cli

import (
	"context"
	"strings"
	"time"

	"qrpos/api"
	"qrpos/payments"
	"qrpos/payments/checkout"
)

// chargeRemote takes the payment through the running terminal's local API:
// the same events, output and exit code as a charge the command makes
// itself. The running terminal did its own recovery when it started. On
// Ctrl-C the charge is cancelled at the provider (POST
// /v1/charges/{id}/cancel) and the command reports how it ended.
func chargeRemote(ctx context.Context, c *api.Client, req checkout.ChargeRequest, amount string, out *eventWriter) error {
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	money, err := payments.ParseMoney(amount, payments.Currency(st.Currency), payments.RangeOf(req.Provider))
	if err != nil {
		return err
	}
	// The terminal's notes on the sale ("waiting for the customer to
	// confirm") come on its event stream, opened before the charge.
	notes := startNotes(ctx, c, out)
	defer notes.stop()
	// The till's side of the API answers once the provider answered the
	// payment request (10 s at most); an interruption meanwhile must not
	// lose the charge's id, so the request runs to its end.
	ch, _, err := c.CreateCharge(context.WithoutCancel(ctx), newKey("charge"), api.ChargeRequest{Amount: money.Decimal(),
		Currency: st.Currency, Method: string(req.Provider) + ":" + req.MethodCode, AuthCode: req.AuthCode})
	if err != nil {
		return err
	}
	created := chargeEvent("created", ch)
	created.ProviderRef, created.Reason = "", "" // as journalled, before the provider's answer
	out.event(created)
	if ch.QRCode != "" {
		ev := chargeEvent("qr", ch)
		ev.QRCode = ch.QRCode
		out.event(ev)
		out.qr(ch.QRCode)
	}
	notes.follow(ch.ID)
	for !ch.Settled {
		if ctx.Err() != nil {
			// Interrupted: cancel at the provider, then report how it ended.
			if ch, err = c.Cancel(context.Background(), ch.ID); err != nil {
				return err
			}
			ctx = context.Background()
			continue
		}
		next, err := c.Charge(ctx, ch.ID, 30*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return err
		}
		ch = next
		if !ch.Settled && !liveSale(ctx, c, ch.ID) {
			break // handed to the terminal's background checks, like a local sale
		}
	}
	if ch.Settled {
		// Its notes come on the stream before its final state: print
		// them all before the result.
		notes.await(2 * time.Second)
	}
	notes.stop()
	return settled(payments.State(ch.State), chargeEvent(finalEvent(payments.State(ch.State)), ch), out)
}

// notes prints the running terminal's "working" notes on one charge, as
// a charge made here prints its engine's.
type notes struct {
	ids     chan string
	cancel  context.CancelFunc
	done    chan struct{}
	settled chan struct{} // closed once the stream brought the charge's final state
}

// startNotes subscribes to the terminal's events; without them (an older
// terminal) the charge goes on without notes.
func startNotes(ctx context.Context, c *api.Client, out *eventWriter) *notes {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n := &notes{ids: make(chan string, 1), cancel: cancel, done: make(chan struct{}), settled: make(chan struct{})}
	events, err := c.Events(ctx)
	if err != nil {
		close(n.done)
		return n
	}
	go func() {
		defer close(n.done)
		n.print(events, out)
	}()
	return n
}

// print prints the working notes of the charge follow names, those that
// came before it too, and marks when its final state came.
func (n *notes) print(events <-chan api.Event, out *eventWriter) {
	ids := n.ids
	var id string
	var early []api.Event // before the charge's id is known
	take := func(ev api.Event) {
		switch {
		case ev.Charge == nil || ev.Charge.ID != id:
		case ev.Kind == string(checkout.UpdateWorking):
			out.note(ev.Message)
		case ev.Charge.Settled && !n.isSettled():
			close(n.settled)
		}
	}
	for {
		select {
		case id = <-ids:
			ids = nil
			for _, ev := range early {
				take(ev)
			}
			early = nil
		case ev, ok := <-events:
			if !ok {
				return
			}
			if id == "" {
				early = append(early, ev)
			} else {
				take(ev)
			}
		}
	}
}

func (n *notes) isSettled() bool {
	select {
	case <-n.settled:
		return true
	default:
		return false
	}
}

// follow prints the notes of charge id from now on (and those before).
func (n *notes) follow(id string) { n.ids <- id }

// await waits, at most d, for the stream to bring the charge's final
// state (or to end).
func (n *notes) await(d time.Duration) {
	select {
	case <-n.settled:
	case <-n.done:
	case <-time.After(d):
	}
}

// stop ends the subscription; no note is printed after it returns.
func (n *notes) stop() {
	n.cancel()
	<-n.done
}

// liveSale reports whether the running terminal still takes the sale id.
func liveSale(ctx context.Context, c *api.Client, id string) bool {
	st, err := c.Status(ctx)
	return err != nil || (st.SaleInProgress != nil && st.SaleInProgress.ID == id)
}

// chargeEvent renders an API charge as a line of `pos charge`.
func chargeEvent(event string, c api.Charge) eventLine {
	_, code, _ := strings.Cut(c.Method, ":")
	return eventLine{Event: event, OutTradeNo: c.OutTradeNo, Provider: c.Provider, Method: code, Amount: c.Amount,
		Currency: c.Currency, ProviderRef: c.ProviderRef, Reason: c.Reason}
}
