package checkout

import (
	"context"
	"strings"

	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/storage"
)

// queryOnce asks the provider where a sale stands and records what it
// learns; see query.
func (e *Engine) queryOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, ending payments.State) (payments.Order, error) {
	cur, _, err := e.query(ctx, g, m, o, ending)
	return cur, err
}

// query asks the provider where a sale stands and records what it learns,
// returning the order as it now stands and what kind of answer came back.
// Only a verified record about this very order (number, amount, currency,
// method, terminal) moves it; a record about another sale is a collision.
// Not-final, unknown and not-found answers leave the order as it is.
//
// ending is the state the terminal is ending the order in (Closed after a
// cancel, Expired after the timeout) or empty: a provider's "closed" after
// our own close is that ending.
func (e *Engine) query(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, ending payments.State) (payments.Order, outcome, error) {
	no := o.OutTradeNo
	if err := e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest, Detail: "query"}); err != nil {
		return o, unknownOut, err
	}
	q, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m, Amount: o.Amount, ProviderRef: o.ProviderRef})
	killpoint.At(killpoint.QueryAnswered)
	out, pe := classify(err)
	switch {
	case out == answered:
	case out == notFound:
		// A verified answer, but right after a send whose outcome is
		// unknown it proves nothing: the caller decides.
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: "query: not found at the provider"})
		cur, rerr := e.j.Order(ctx, no)
		return cur, notFound, rerr
	case out == refused && permanentOnQuery(pe) && !o.State.Settled():
		cur, merr := e.moveTo(ctx, no, payments.Failed, storage.Change{Kind: storage.EventResponse, Detail: "query: " + err.Error(),
			Reason: "the provider refused to look this order up: " + pe.Message})
		return cur, refused, merr
	default:
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventNoAnswer, Detail: "query: " + err.Error()})
		cur, rerr := e.j.Order(ctx, no)
		return cur, unknownOut, rerr
	}
	said := payments.Said{OutTradeNo: q.OutTradeNo, Amount: q.Amount, MethodCode: q.MethodCode, TID: q.TID}
	if err := payments.Match(o, said); err != nil {
		e.collision(ctx, o, "query", err)
		if o.State.Settled() {
			cur, rerr := e.j.Order(ctx, no)
			return cur, refused, rerr
		}
		cur, merr := e.moveTo(ctx, no, payments.Failed, storage.Change{Kind: storage.EventResponse, Detail: err.Error(),
			Reason: "order number collision: the provider's record under this number is another sale; nothing was charged under this order"})
		return cur, refused, merr
	}
	cur, err := e.record(ctx, g, o, q, ending)
	return cur, answered, err
}

// record journals a verified, matching query answer about a sale.
func (e *Engine) record(ctx context.Context, g payments.Gateway, o payments.Order, q payments.QueryResult, ending payments.State) (payments.Order, error) {
	no := o.OutTradeNo
	detail := strings.TrimSpace("query: " + q.Code + " " + q.Message)
	switch q.State {
	case payments.Paid, payments.Failed, payments.Closed, payments.Expired, payments.PartlyRefunded, payments.Refunded:
		to := q.State
		if to == payments.PartlyRefunded || to == payments.Refunded {
			to = payments.Paid // refunds are the journal's to count, from confirmed refunds
		}
		if ending != "" && (to == payments.Closed || to == payments.Expired) {
			to = ending
		}
		return e.moveTo(ctx, no, to, storage.Change{Kind: storage.EventResponse, ProviderRef: q.ProviderRef, Detail: detail, Reason: q.Message,
			CashAmount: q.CashAmount, ExchangeRate: q.ExchangeRate})
	case payments.Pending:
		if o.State == payments.Unknown || o.State == payments.Created {
			return e.moveTo(ctx, no, payments.Pending, storage.Change{Kind: storage.EventResponse, ProviderRef: q.ProviderRef, Detail: detail})
		}
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: detail})
	default:
		e.logStatusOnce(g.Provider(), q.Code)
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: detail + " (not final)"})
	}
	return e.j.Order(ctx, no)
}
