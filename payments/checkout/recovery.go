package checkout

import (
	"context"
	"fmt"
	"time"

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
	late, err := e.recheckUnclosable(ctx)
	out = append(out, late...)
	if err != nil {
		return out, err
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

// LateWindow is how far back recovery re-checks orders the terminal ended
// unpaid although their wallet cannot be closed at the provider (PayMe, FPS,
// GBPay at eftPay): their QR stayed payable, so a customer may have paid
// after the cashier gave up.
var LateWindow = 24 * time.Hour

func (e *Engine) recheckUnclosable(ctx context.Context) ([]Recovered, error) {
	orders, err := e.j.Orders(ctx, storage.Filter{TID: e.cfg.TID, From: time.Now().Add(-LateWindow)})
	if err != nil {
		return nil, err
	}
	var out []Recovered
	for _, o := range orders {
		if o.State != payments.Closed && o.State != payments.Expired {
			continue
		}
		m, err := o.Method()
		if err != nil || m.CanClose {
			continue
		}
		g, err := e.gateway(o.Provider)
		if err != nil {
			continue
		}
		cur, err := e.queryOnce(ctx, g, m, o, o.State)
		if err != nil {
			return out, err
		}
		if cur.State != o.State {
			rec := Recovered{OutTradeNo: o.OutTradeNo, From: string(o.State), To: string(cur.State), Note: "paid after the terminal gave up"}
			out = append(out, rec)
			e.publish(Update{Kind: UpdateRecovered, Order: cur, Message: rec.Note})
		}
	}
	return out, nil
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
