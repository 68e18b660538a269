package checkout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// RefundTimeout bounds how long Refund waits for the provider to confirm.
// A refund still unconfirmed then stays pending; reconcile finishes it.
var RefundTimeout = 30 * time.Second

// Refund refunds amount of a paid sale: journalled first under its own new
// number (the journal refuses more than the refundable balance and methods
// that cannot be refunded), sent once, then confirmed by query. It returns
// the refund as it stands when confirmed or when RefundTimeout ran out.
func (e *Engine) Refund(ctx context.Context, no string, amount payments.Money) (payments.Refund, error) {
	o, err := e.j.Order(ctx, no)
	if err != nil {
		return payments.Refund{}, err
	}
	m, err := o.Method()
	if err != nil {
		return payments.Refund{}, err
	}
	g, err := e.gateway(o.Provider)
	if err != nil {
		return payments.Refund{}, err
	}
	r, err := e.j.CreateRefund(ctx, no, amount)
	if err != nil {
		return payments.Refund{}, err
	}
	e.publish(Update{Kind: UpdateRefund, Order: o, Refund: &r})
	if err := e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest, Detail: fmt.Sprintf("refund %s %s", r.RefundNo, amount.Decimal())}); err != nil {
		return r, err
	}
	res, err := g.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: r.RefundNo, Method: m, Amount: amount,
		SaleAmount: o.Amount, ProviderRef: o.ProviderRef})
	var pe *payments.ProviderError
	switch {
	case errors.As(err, &pe) && pe.Kind != payments.KindPending && pe.Kind != payments.KindBusy && pe.Kind != payments.KindDuplicate:
		return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Reason: pe.Message, Detail: err.Error()})
	case err != nil:
		r, err = e.j.TransitionRefund(ctx, r.RefundNo, payments.RefundUnknown, storage.RefundChange{Detail: err.Error()})
		if err != nil {
			return r, err
		}
	default:
		to := payments.RefundPending
		if res.State == payments.RefundFailed {
			return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{ProviderRef: res.ProviderRef, Reason: res.Message, Detail: res.Code})
		}
		r, err = e.j.TransitionRefund(ctx, r.RefundNo, to, storage.RefundChange{ProviderRef: res.ProviderRef,
			Detail: strings.TrimSpace(res.Code + " " + res.Message)})
		if err != nil {
			return r, err
		}
	}
	return e.confirmRefund(ctx, g, m, o, r, time.Now().Add(RefundTimeout))
}

// confirmRefund queries a refund until the provider says it is done or
// failed, or until deadline.
func (e *Engine) confirmRefund(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, r payments.Refund, deadline time.Time) (payments.Refund, error) {
	first := true
	start := time.Now()
	for {
		cur, err := e.queryRefundOnce(ctx, g, m, o, r)
		if err != nil || cur.State.Settled() {
			return cur, err
		}
		r = cur
		pause := e.cfg.Poll.Next(time.Since(start), first)
		first = false
		if time.Now().Add(pause).After(deadline) {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(pause):
		}
	}
}

func (e *Engine) queryRefundOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, r payments.Refund) (payments.Refund, error) {
	e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventRequest, Detail: "query refund " + r.RefundNo})
	q, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: o.OutTradeNo, RefundNo: r.RefundNo, Method: m, Amount: r.Amount, ProviderRef: r.ProviderRef})
	switch {
	case payments.IsKind(err, payments.KindNotFound):
		// The provider never got it: no money moved.
		return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Reason: "the provider has no such refund", Detail: err.Error()})
	case err != nil:
		e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNoAnswer, Detail: "query refund " + r.RefundNo + ": " + err.Error()})
		return r, nil
	}
	switch q.RefundState {
	case payments.RefundDone, payments.RefundFailed:
		return e.settleRefund(ctx, r, q.RefundState, storage.RefundChange{ProviderRef: q.ProviderRef, Reason: q.Message,
			Detail: strings.TrimSpace("query: " + q.Code + " " + q.Message)})
	}
	if r.State == payments.RefundUnknown {
		return e.j.TransitionRefund(ctx, r.RefundNo, payments.RefundPending, storage.RefundChange{ProviderRef: q.ProviderRef, Detail: "query: pending"})
	}
	return r, nil
}

// settleRefund records a refund's final state, publishes it and, when the
// money went back, queues the refund receipt.
func (e *Engine) settleRefund(ctx context.Context, r payments.Refund, to payments.RefundState, ch storage.RefundChange) (payments.Refund, error) {
	r, err := e.j.TransitionRefund(ctx, r.RefundNo, to, ch)
	if err != nil {
		return r, err
	}
	o, err := e.j.Order(ctx, r.OutTradeNo)
	if err != nil {
		return r, err
	}
	e.publish(Update{Kind: UpdateRefund, Order: o, Refund: &r, Message: r.Reason})
	if to == payments.RefundDone && e.receipts != nil {
		if err := e.receipts.RefundReceipt(ctx, o, r); err != nil {
			e.log.Error("queue refund receipt", "refund", r.RefundNo, "err", err)
		} else {
			e.publish(Update{Kind: UpdateReceipt, Order: o, Refund: &r})
		}
	}
	return r, nil
}
