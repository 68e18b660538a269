package checkout

import (
	"context"
	"fmt"

	"qrpos/payments"
	"qrpos/storage"
)

// Recovered is one order or refund that recovery finished or looked at.
type Recovered struct {
	OutTradeNo string
	RefundNo   string // set for a refund
	From       string
	To         string
	Note       string
}

// Recover reconciles every order not in a settled state with its provider,
// oldest first, before the first sale: a query decides; an order still
// unpaid is closed (its QR or its customer is gone) and queried once more,
// so a sale paid meanwhile is paid. Open refunds are confirmed by query.
// What could not be settled (provider unreachable) stays open and is listed.
func (e *Engine) Recover(ctx context.Context) ([]Recovered, error) {
	open, err := e.j.OpenOrders(ctx)
	if err != nil {
		return nil, err
	}
	var out []Recovered
	for _, o := range open {
		rec := Recovered{OutTradeNo: o.OutTradeNo, From: string(o.State)}
		cur, err := e.recoverOrder(ctx, o)
		if err != nil {
			rec.Note = err.Error()
		}
		rec.To = string(cur.State)
		if rec.Note == "" {
			rec.Note = cur.Reason
		}
		out = append(out, rec)
		e.publish(Update{Kind: UpdateRecovered, Order: cur, Message: rec.Note})
	}
	refunds, err := e.j.OpenRefunds(ctx)
	if err != nil {
		return out, err
	}
	for _, r := range refunds {
		rec := Recovered{OutTradeNo: r.OutTradeNo, RefundNo: r.RefundNo, From: string(r.State)}
		o, err := e.j.Order(ctx, r.OutTradeNo)
		if err != nil {
			return out, err
		}
		m, err := o.Method()
		if err != nil {
			return out, err
		}
		g, err := e.gateway(o.Provider)
		if err != nil {
			rec.Note, rec.To = err.Error(), string(r.State)
			out = append(out, rec)
			continue
		}
		cur, err := e.queryRefundOnce(ctx, g, m, o, r)
		if err != nil {
			rec.Note = err.Error()
		}
		rec.To = string(cur.State)
		out = append(out, rec)
	}
	return out, nil
}

func (e *Engine) recoverOrder(ctx context.Context, o payments.Order) (payments.Order, error) {
	m, err := o.Method()
	if err != nil {
		return o, err
	}
	g, err := e.gateway(o.Provider)
	if err != nil {
		return o, err
	}
	if o.State == payments.Created {
		sent, err := e.wasSent(ctx, o.OutTradeNo)
		if err != nil {
			return o, err
		}
		if !sent {
			// Write-ahead: no request event means no byte went out.
			return e.moveTo(ctx, o.OutTradeNo, payments.Closed, storage.Change{Detail: "recovery: never sent",
				Reason: "interrupted before it was sent; nothing was charged"})
		}
	}
	cur, err := e.queryOnce(ctx, g, m, o, "")
	if err != nil {
		return cur, err
	}
	if cur.State.Settled() {
		return cur, nil
	}
	return e.closeAndConfirm(ctx, g, m, cur, payments.Closed, "closed at start-up: the sale was interrupted")
}

func (e *Engine) wasSent(ctx context.Context, no string) (bool, error) {
	evs, err := e.j.Events(ctx, no)
	if err != nil {
		return false, fmt.Errorf("recovery %s: %w", no, err)
	}
	for _, ev := range evs {
		if ev.Kind == storage.EventRequest {
			return true, nil
		}
	}
	return false, nil
}
