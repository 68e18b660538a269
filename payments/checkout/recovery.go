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
// oldest first: a query decides; an order still unpaid is cancelled (its QR
// or its customer is gone) and queried again, so a sale paid meanwhile is
// paid. An order whose outcome stays unknown is never resent: it stays
// open, is listed, and the engine keeps following it. Open refunds are
// confirmed by query the same way. Orders and refunds that a sale, refund
// or watcher of this process is following are left alone. Paid sales and
// done refunds that have no receipt job (a crash between two writes of an
// older version) get one.
func (e *Engine) Recover(ctx context.Context) ([]Recovered, error) {
	if err := e.requeueReceipts(ctx); err != nil {
		return nil, err
	}
	open, err := e.j.OpenOrders(ctx)
	if err != nil {
		return nil, err
	}
	var out []Recovered
	for _, o := range open {
		if !e.own(o.OutTradeNo) {
			continue // a live sale of this process owns it
		}
		rec := Recovered{OutTradeNo: o.OutTradeNo, From: string(o.State)}
		cur, err := e.recoverOrder(ctx, o)
		if err != nil {
			rec.Note = err.Error()
		}
		if cur.OutTradeNo == "" {
			cur = o
		}
		rec.To = string(cur.State)
		if rec.Note == "" {
			rec.Note = cur.Reason
		}
		out = append(out, rec)
		e.publish(Update{Kind: UpdateRecovered, Order: cur, Message: rec.Note})
		e.afterSale(cur)
	}
	late, err := e.recheckUnclosable(ctx)
	out = append(out, late...)
	if err != nil {
		return out, err
	}
	refunds, err := e.recoverRefunds(ctx)
	return append(out, refunds...), err
}

// requeueReceipts queues the receipt of every paid sale and done refund of
// the last LateWindow that has none.
func (e *Engine) requeueReceipts(ctx context.Context) error {
	if e.receipts == nil {
		return nil
	}
	sales, refunds, err := e.j.MissingReceipts(ctx)
	if err != nil {
		return err
	}
	for _, o := range sales {
		if time.Since(o.UpdatedAt) > LateWindow {
			// A journal from before receipts were written with the sale:
			// printing last month's receipts now would only confuse.
			continue
		}
		job, err := e.receipts.SaleJob(o)
		if err == nil {
			_, err = e.j.EnqueuePrint(ctx, job)
		}
		if err != nil {
			return err
		}
		e.log.Warn("receipt was missing: queued", "order", o.OutTradeNo)
	}
	for _, r := range refunds {
		if time.Since(r.UpdatedAt) > LateWindow {
			continue
		}
		o, err := e.j.Order(ctx, r.OutTradeNo)
		if err != nil {
			return err
		}
		job, err := e.receipts.RefundJob(o, r)
		if err == nil {
			_, err = e.j.EnqueuePrint(ctx, job)
		}
		if err != nil {
			return err
		}
		e.log.Warn("refund receipt was missing: queued", "refund", r.RefundNo)
	}
	return nil
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
	return e.followOnce(ctx, g, m, o, true)
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
		if !e.own(o.OutTradeNo) {
			continue
		}
		cur, err := e.queryOnce(ctx, g, m, o, o.State)
		e.release(o.OutTradeNo)
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
