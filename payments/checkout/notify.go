package checkout

import (
	"context"
	"errors"
	"fmt"

	"qrpos/payments"
	"qrpos/storage"
)

// HandleNotification takes a verified provider notification (the provider
// packages' handlers verify signatures before calling it). It journals the
// notification, moves the order or refund forward when that is legal, never
// backwards, and wakes the sale waiting on it. The same notification twice
// changes nothing the second time.
func (e *Engine) HandleNotification(ctx context.Context, n payments.Notification) error {
	o, err := e.j.Order(ctx, n.OutTradeNo)
	if errors.Is(err, storage.ErrNotFound) {
		// Not this terminal's order (a shared notify URL): acknowledge, keep nothing.
		e.log.Warn("notification for an order this journal does not have", "provider", n.Provider, "order", n.OutTradeNo)
		return nil
	}
	if err != nil {
		return err
	}
	if o.Provider != n.Provider {
		return fmt.Errorf("notification from %s for %s order %s", n.Provider, o.Provider, o.OutTradeNo)
	}
	detail := string(n.Raw)
	if len(detail) > 2000 {
		detail = detail[:2000]
	}
	if n.Refund {
		return e.refundNotification(ctx, o, n, detail)
	}
	if err := payments.Match(o, payments.Said{OutTradeNo: n.OutTradeNo, Amount: n.Amount, MethodCode: n.MethodCode, TID: n.TID}); err != nil {
		e.collision(ctx, o, "notification", err)
		e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNotification, Detail: "not about this order, ignored: " + detail})
		return err
	}
	switch n.State {
	case payments.Paid, payments.Closed, payments.Failed, payments.Expired:
		if _, err := e.moveTo(ctx, o.OutTradeNo, n.State, storage.Change{Kind: storage.EventNotification, ProviderRef: n.ProviderRef, Detail: detail,
			CashAmount: n.CashAmount, ExchangeRate: n.ExchangeRate}); err != nil {
			return err
		}
	default:
		if err := e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNotification, Detail: detail}); err != nil {
			return err
		}
	}
	e.nudge(o.OutTradeNo)
	return nil
}

func (e *Engine) refundNotification(ctx context.Context, o payments.Order, n payments.Notification, detail string) error {
	refunds, err := e.j.Refunds(ctx, o.OutTradeNo)
	if err != nil {
		return err
	}
	for _, r := range refunds {
		if r.RefundNo != n.RefundNo {
			continue
		}
		if err := matchRefund(r, payments.QueryResult{Amount: n.Amount}); err != nil {
			e.log.Error("REFUND COLLISION: a refund notification is not about this refund; ignored", "refund", r.RefundNo, "err", err)
			e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNotification, Detail: "refund, not this refund, ignored: " + detail})
			return err
		}
		if r.State.Settled() || !payments.CanRefundTransition(r.State, n.RefundState) {
			return e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNotification, Detail: "refund, no change: " + detail})
		}
		if err := e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNotification, Detail: detail}); err != nil {
			return err
		}
		_, err := e.settleRefund(ctx, r, n.RefundState, storage.RefundChange{ProviderRef: n.ProviderRef, Detail: "notification"})
		return err
	}
	return e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNotification, Detail: "refund not in the journal: " + detail})
}
