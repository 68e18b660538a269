package checkout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/storage"
)

// closeAndConfirm ends an unpaid order: a cancel (close or reversal) where
// the method has one, then queries until the provider's record is final. A
// sale paid meanwhile is paid. The order ends in state end only on the
// provider's final word, or when nothing more can come: a QR the provider
// never created, a wallet that cannot be closed once its QR has expired.
// What it cannot settle in a few tries it returns open: the engine keeps
// following it (see watch).
func (e *Engine) closeAndConfirm(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, end payments.State, why string) (payments.Order, error) {
	no := o.OutTradeNo
	e.publish(Update{Kind: UpdateWorking, Order: o, Message: "Closing the order with the provider…"})
	closed := !m.CanClose // nothing to send, or the provider took our cancel
	for try := 0; try < 3; try++ {
		if !closed {
			closed = e.closeOnce(ctx, g, m, o, why)
		}
		cur, out, err := e.query(ctx, g, m, o, end)
		if err != nil || cur.State.Settled() {
			return cur, err
		}
		if reason, ok := e.mayEnd(m, cur, out, why); ok {
			return e.moveTo(ctx, no, end, storage.Change{Detail: "final query: not paid", Reason: reason})
		}
		if !m.CanClose && out == answered && time.Now().Before(cur.ExpiresAt) {
			// The QR stays payable at the provider: say so, keep following.
			return e.j.Update(ctx, no, storage.Change{Reason: fmt.Sprintf(
				"%s; this QR stays payable until %s: if the customer pays, it will be recorded", why, cur.ExpiresAt.Format("15:04"))})
		}
		select {
		case <-ctx.Done():
			return cur, ctx.Err()
		case <-time.After(e.cfg.Poll.First):
		}
	}
	cur, err := e.j.Order(ctx, no)
	if err != nil || cur.State.Settled() {
		return cur, err
	}
	return e.j.Update(ctx, no, storage.Change{Kind: storage.EventNoAnswer, Reason: "not confirmed by the provider yet; still checking"})
}

// mayEnd reports whether an order the provider has not settled may end
// unpaid now, and why: its wallet cannot be closed and its QR has expired,
// an MPM order the provider has no record of (nobody holds its QR), or a
// customer-code payment the provider has still not seen NotFoundGiveUp
// after it was sent.
func (e *Engine) mayEnd(m payments.Method, cur payments.Order, out outcome, why string) (string, bool) {
	switch {
	case out == answered && cur.State == payments.Pending && !m.CanClose && !time.Now().Before(cur.ExpiresAt):
		return why + "; this wallet cannot be closed at the provider: re-checked for a day in case the customer pays late", true
	case out == notFound && m.Mode != payments.CPM:
		return why + "; the provider has no such order: nothing was charged", true
	case out == notFound && time.Since(cur.CreatedAt) >= e.cfg.NotFoundGiveUp:
		return fmt.Sprintf("%s; the provider has had no record of the payment for %s: it never arrived, nothing was charged",
			why, e.cfg.NotFoundGiveUp.Round(time.Minute)), true
	}
	return "", false
}

// closeOnce sends one close or reversal and reports whether the provider
// understood it (took it, or refused it for good: already closed, paid,
// never existed). An unknown outcome may be sent again: a cancel, unlike a
// payment, does no harm twice.
func (e *Engine) closeOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, why string) bool {
	no := o.OutTradeNo
	e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest, Detail: "close: " + why})
	res, err := g.Close(ctx, payments.CloseRequest{OutTradeNo: no, Method: m, Amount: o.Amount, ProviderRef: o.ProviderRef, OrderAt: o.CreatedAt})
	killpoint.At(killpoint.CloseAnswered)
	out, _ := classify(err)
	switch out {
	case answered:
		detail := strings.TrimSpace("close: " + res.Code + " " + res.Message)
		if res.Ref != "" {
			detail += " (cancel reference " + res.Ref + ")" // the cancel's own number, never the sale's
		}
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: detail})
		return true
	case unknownOut, localErr:
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventNoAnswer, Detail: "close: " + err.Error()})
		return false
	}
	e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: "close refused: " + err.Error()})
	var pe *payments.ProviderError
	return errors.As(err, &pe)
}
