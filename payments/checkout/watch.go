package checkout

import (
	"context"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// resolveUnknown follows an order whose payment request got no trustworthy
// answer, by querying the same number, never sending the payment again. An
// MPM order whose QR never reached the customer cannot be paid: once the
// provider knows it, it is closed. A customer-code payment may still land
// at the provider: it stays unknown until the provider knows, and the
// engine's watcher keeps checking it after the sale has handed it over.
func (e *Engine) resolveUnknown(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, sent time.Time, wake <-chan struct{}, cancel <-chan struct{}) (payments.Order, error) {
	deadline := sent.Add(e.cfg.UnknownTimeout)
	if m.Mode == payments.CPM {
		deadline = o.ExpiresAt
	}
	first := true
	for {
		pause := e.cfg.Poll.Next(time.Since(sent), first)
		first = false
		switch waitPoll(ctx, pause, wake, cancel) {
		case stopped:
			return o, ctx.Err()
		case cancelled:
			return e.closeAndConfirm(ctx, g, m, o, payments.Closed, "cancelled by the cashier")
		}
		cur, out, err := e.query(ctx, g, m, o, "")
		if err != nil {
			return cur, err
		}
		o = cur
		if o.State.Settled() {
			return o, nil
		}
		if o.State == payments.Pending {
			if m.Mode == payments.MPM {
				return e.closeAndConfirm(ctx, g, m, o, payments.Closed, "the QR code never reached the terminal")
			}
			return e.await(ctx, g, m, o, sent, wake, cancel)
		}
		if time.Now().Before(deadline) {
			continue
		}
		if m.Mode == payments.MPM {
			return e.closeAndConfirm(ctx, g, m, o, payments.Closed, "the provider did not confirm the order")
		}
		if reason, ok := e.mayEnd(m, o, out, "the provider did not confirm the payment"); ok {
			return e.moveTo(ctx, o.OutTradeNo, payments.Closed, storage.Change{Detail: "not found at the provider", Reason: reason})
		}
		return e.j.Update(ctx, o.OutTradeNo, storage.Change{Reason: "no answer from the provider yet: still checking; do not charge again"})
	}
}

// watch follows an order that a sale or recovery could not settle, in the
// background, until the provider's word settles it or the engine closes:
// queries with a growing pause (at most WatchMaxPause), a cancel once an
// unpaid QR has expired, and an "attention" update once the order has gone
// unsettled for payments.AttentionAfter. The caller has marked the order as
// followed (own); watch releases it when done.
func (e *Engine) watch(o payments.Order) {
	m, err := o.Method()
	if err != nil {
		e.release(o.OutTradeNo)
		return
	}
	g, err := e.gateway(o.Provider)
	if err != nil {
		e.release(o.OutTradeNo)
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer e.release(o.OutTradeNo)
		wake := e.waker(o.OutTradeNo)
		defer e.forget(o.OutTradeNo)
		told := false
		for n := 0; ; n++ {
			if waitPoll(e.ctx, e.backoff(n), wake, nil) == stopped {
				return
			}
			cur, err := e.followOnce(e.ctx, g, m, o, false)
			if err != nil && e.ctx.Err() != nil {
				return
			}
			if err != nil {
				e.log.Warn("following an open order", "order", o.OutTradeNo, "err", err)
			} else {
				o = cur
			}
			if o.State.Settled() {
				return
			}
			if !told && o.NeedsAttention(time.Now()) {
				told = true
				e.publish(Update{Kind: UpdateAttention, Order: o, Message: "No final word from the provider yet; still checking. Do not charge again."})
			}
		}
	}()
}

// followOnce takes one step towards settling an open order: a query, then
// what its answer allows. interrupted says the sale that showed the QR is
// gone (a restart): an unpaid order is cancelled at once rather than at its
// deadline, since nobody is showing its QR any more.
func (e *Engine) followOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, interrupted bool) (payments.Order, error) {
	cur, out, err := e.query(ctx, g, m, o, "")
	if err != nil || cur.State.Settled() {
		return cur, err
	}
	due := interrupted || !time.Now().Before(cur.ExpiresAt)
	switch {
	case cur.State == payments.Pending && due:
		end, why := payments.Expired, "not paid in time"
		switch {
		case interrupted:
			end, why = payments.Closed, "closed at start-up: the sale was interrupted"
		case m.Mode == payments.CPM:
			end, why = payments.Closed, "the customer did not confirm in time; reversed"
		}
		return e.closeAndConfirm(ctx, g, m, cur, end, why)
	case cur.State == payments.Unknown || cur.State == payments.Created:
		if out == notFound && m.Mode == payments.MPM {
			return e.closeAndConfirm(ctx, g, m, cur, payments.Closed, "the provider has no such order")
		}
		if reason, ok := e.mayEnd(m, cur, out, "the payment was not confirmed"); ok && m.Mode == payments.CPM {
			return e.moveTo(ctx, cur.OutTradeNo, payments.Closed, storage.Change{Detail: "not found at the provider", Reason: reason})
		}
	}
	return cur, nil
}
