package checkout

import (
	"context"
	"fmt"
	"strings"
	"time"

	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/storage"
)

// RefundTimeout bounds how long Refund waits for the provider to confirm.
// A refund still unconfirmed then stays open: the engine keeps following
// it in the background, and no other refund of that order is sent until it
// is settled.
var RefundTimeout = 30 * time.Second

// Refund refunds amount of a paid sale: journalled first under its own new
// number (the journal refuses more than the refundable balance, methods
// that cannot be refunded, and a second refund while one of the same order
// is still open), marked as being sent, sent once, then confirmed by
// query. A refund whose outcome is unknown is never sent again and never
// taken as failed because a query right after it found nothing. It returns
// the refund as it stands when settled or when RefundTimeout ran out.
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
	e.own(r.RefundNo)
	e.publish(Update{Kind: UpdateRefund, Order: o, Refund: &r})
	r, err = e.sendRefund(ctx, g, m, o, r)
	if err != nil || r.State.Settled() {
		e.release(r.RefundNo)
		return r, err
	}
	r, err = e.confirmRefund(ctx, g, m, o, r, time.Now().Add(RefundTimeout))
	if err == nil && !r.State.Settled() && e.ctx.Err() == nil {
		e.watchRefund(o, r)
	} else {
		e.release(r.RefundNo)
	}
	return r, err
}

// sendRefund marks the refund as being sent (from then on its outcome is
// unknown until the provider says), sends it once and records the answer.
func (e *Engine) sendRefund(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, r payments.Refund) (payments.Refund, error) {
	r, err := e.j.TransitionRefund(ctx, r.RefundNo, payments.RefundUnknown, storage.RefundChange{Detail: "about to send"})
	if err != nil {
		return r, err
	}
	if err := e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventRequest, Detail: fmt.Sprintf("refund %s %s", r.RefundNo, r.Amount.Decimal())}); err != nil {
		return r, err
	}
	killpoint.At(killpoint.RefundJournalled)
	res, err := g.Refund(ctx, payments.RefundRequest{OutTradeNo: o.OutTradeNo, RefundNo: r.RefundNo, Method: m, Amount: r.Amount,
		SaleAmount: o.Amount, ProviderRef: o.ProviderRef})
	killpoint.At(killpoint.RefundAnswered)
	out, pe := classify(err)
	switch out {
	case answered:
		switch res.State {
		case payments.RefundDone, payments.RefundFailed:
			return e.settleRefund(ctx, r, res.State, storage.RefundChange{ProviderRef: res.ProviderRef, Reason: res.Message,
				Detail: strings.TrimSpace(res.Code + " " + res.Message)})
		}
		return e.j.TransitionRefund(ctx, r.RefundNo, payments.RefundPending, storage.RefundChange{ProviderRef: res.ProviderRef,
			Detail: strings.TrimSpace(res.Code + " " + res.Message)})
	case refused, notFound, localErr:
		reason := err.Error()
		if pe != nil {
			reason = pe.Message
		}
		return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Reason: reason, Detail: err.Error()})
	case duplicate:
		// Another refund owns the number: nothing of ours was made.
		e.log.Error("REFUND NUMBER COLLISION: the provider already has this refund number", "refund", r.RefundNo, "err", err)
		return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Detail: err.Error(),
			Reason: "the provider already had this refund number for another refund; nothing was refunded: refund again"})
	}
	e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNoAnswer, Detail: "refund " + r.RefundNo + ": " + err.Error()})
	return r, nil
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

// queryRefundOnce asks the provider where a refund stands. Only a verified
// record about this very refund (its amount, its number) settles it. A
// "not found" settles it as failed only when the refund was never sent, or
// when the provider has kept saying so for NotFoundGiveUp.
func (e *Engine) queryRefundOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, r payments.Refund) (payments.Refund, error) {
	e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventRequest, Detail: "query refund " + r.RefundNo})
	q, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: o.OutTradeNo, RefundNo: r.RefundNo, Method: m, Amount: r.Amount, ProviderRef: r.ProviderRef})
	killpoint.At(killpoint.QueryAnswered)
	out, _ := classify(err)
	switch out {
	case answered:
	case notFound:
		if time.Since(r.CreatedAt) >= e.cfg.NotFoundGiveUp {
			return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Detail: err.Error(),
				Reason: fmt.Sprintf("the provider has had no record of this refund for %s: it never arrived, nothing was refunded", e.cfg.NotFoundGiveUp.Round(time.Minute))})
		}
		e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventResponse, Detail: "query refund " + r.RefundNo + ": not found yet; still checking"})
		return r, nil
	default:
		e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNoAnswer, Detail: "query refund " + r.RefundNo + ": " + err.Error()})
		return r, nil
	}
	if err := matchRefund(r, q); err != nil {
		e.log.Error("REFUND COLLISION: the provider's record is not this refund; not taken as ours", "refund", r.RefundNo, "err", err)
		// Refund numbers are unique per merchant: the record under ours is
		// another refund's, so ours was refused as a duplicate.
		return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Detail: "refund collision: " + err.Error(),
			Reason: "refund number collision: the provider's record under this number is another refund; nothing was refunded under it"})
	}
	switch q.RefundState {
	case payments.RefundDone, payments.RefundFailed:
		return e.settleRefund(ctx, r, q.RefundState, storage.RefundChange{ProviderRef: q.ProviderRef, Reason: q.Message,
			Detail: strings.TrimSpace("query: " + q.Code + " " + q.Message)})
	case payments.RefundPending:
		if r.State == payments.RefundUnknown {
			return e.j.TransitionRefund(ctx, r.RefundNo, payments.RefundPending, storage.RefundChange{ProviderRef: q.ProviderRef, Detail: "query: pending"})
		}
	default:
		e.logStatusOnce(g.Provider(), q.Code)
	}
	return r, nil
}

// matchRefund checks a refund query's record against the journalled refund.
func matchRefund(r payments.Refund, q payments.QueryResult) error {
	if q.OutTradeNo != "" && q.OutTradeNo != r.RefundNo {
		return &payments.CollisionError{OutTradeNo: r.RefundNo, Field: "refund_no", Ours: r.RefundNo, Theirs: q.OutTradeNo}
	}
	if q.Amount.Minor != 0 && q.Amount.Minor != r.Amount.Minor {
		return &payments.CollisionError{OutTradeNo: r.RefundNo, Field: "amount", Ours: r.Amount.Decimal(), Theirs: q.Amount.Decimal()}
	}
	if q.Amount.Currency != "" && q.Amount.Currency != r.Amount.Currency {
		return &payments.CollisionError{OutTradeNo: r.RefundNo, Field: "currency", Ours: string(r.Amount.Currency), Theirs: string(q.Amount.Currency)}
	}
	return nil
}

// settleRefund records a refund's final state and, when the money went
// back, its receipt job in the same transaction, then publishes it.
func (e *Engine) settleRefund(ctx context.Context, r payments.Refund, to payments.RefundState, ch storage.RefundChange) (payments.Refund, error) {
	if to == payments.RefundDone && e.receipts != nil {
		ch.Receipt = e.receipts.RefundJob
	}
	next, err := e.j.TransitionRefund(ctx, r.RefundNo, to, ch)
	if err != nil {
		// A notification (or a query elsewhere) may have settled it
		// meanwhile: the provider's word twice is no change and no error.
		cur, rerr := e.j.Refund(ctx, r.RefundNo)
		if rerr != nil || !cur.State.Settled() {
			return r, err
		}
		if cur.State != to {
			e.log.Error("refund settled twice with different outcomes; the first stands", "refund", r.RefundNo, "was", cur.State, "now", to)
		}
		return cur, nil
	}
	r = next
	o, err := e.j.Order(ctx, r.OutTradeNo)
	if err != nil {
		return r, err
	}
	e.publish(Update{Kind: UpdateRefund, Order: o, Refund: &r, Message: r.Reason})
	if to == payments.RefundDone && e.receipts != nil {
		e.publish(Update{Kind: UpdateReceipt, Order: o, Refund: &r})
	}
	return r, nil
}

// watchRefund follows an open refund in the background until the provider
// settles it or the engine closes; the caller owns the refund number.
func (e *Engine) watchRefund(o payments.Order, r payments.Refund) {
	m, err := o.Method()
	g, gerr := e.gateway(o.Provider)
	if err != nil || gerr != nil {
		e.release(r.RefundNo)
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer e.release(r.RefundNo)
		told := false
		for n := 0; ; n++ {
			if waitPoll(e.ctx, e.backoff(n), nil, nil) == stopped {
				return
			}
			cur, err := e.queryRefundOnce(e.ctx, g, m, o, r)
			if err == nil {
				r = cur
			}
			if r.State.Settled() {
				return
			}
			if !told && r.NeedsAttention(time.Now()) {
				told = true
				e.publish(Update{Kind: UpdateAttention, Order: o, Refund: &r, Message: "No final word on this refund yet; still checking. Do not refund again."})
			}
		}
	}()
}

// recoverRefunds settles open refunds: one that was never sent fails (no
// byte went out), the others are queried; what stays open is followed.
func (e *Engine) recoverRefunds(ctx context.Context) ([]Recovered, error) {
	refunds, err := e.j.OpenRefunds(ctx)
	if err != nil {
		return nil, err
	}
	var out []Recovered
	for _, r := range refunds {
		if !e.own(r.RefundNo) {
			continue
		}
		rec := Recovered{OutTradeNo: r.OutTradeNo, RefundNo: r.RefundNo, From: string(r.State)}
		cur, err := e.recoverRefund(ctx, r)
		if err != nil {
			rec.Note = err.Error()
		}
		rec.To = string(cur.State)
		if rec.Note == "" {
			rec.Note = cur.Reason
		}
		out = append(out, rec)
		if cur.State.Settled() || e.ctx.Err() != nil {
			e.release(r.RefundNo)
			continue
		}
		o, oerr := e.j.Order(ctx, r.OutTradeNo)
		if oerr != nil {
			e.release(r.RefundNo)
			return out, oerr
		}
		e.watchRefund(o, cur)
	}
	return out, nil
}

func (e *Engine) recoverRefund(ctx context.Context, r payments.Refund) (payments.Refund, error) {
	if r.State == payments.RefundCreated {
		// Write-ahead: a refund is marked unknown before it is sent.
		return e.settleRefund(ctx, r, payments.RefundFailed, storage.RefundChange{Detail: "recovery: never sent",
			Reason: "interrupted before it was sent; nothing was refunded"})
	}
	o, err := e.j.Order(ctx, r.OutTradeNo)
	if err != nil {
		return r, err
	}
	m, err := o.Method()
	if err != nil {
		return r, err
	}
	g, err := e.gateway(o.Provider)
	if err != nil {
		return r, err
	}
	return e.queryRefundOnce(ctx, g, m, o, r)
}
