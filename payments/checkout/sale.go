package checkout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// ChargeRequest is the cashier's intent: this amount, by this method.
type ChargeRequest struct {
	Provider   payments.Provider
	MethodCode string
	Amount     payments.Money
	AuthCode   string // CPM: the scanned customer code
}

// Sale is one checkout in progress.
type Sale struct {
	Order  payments.Order // as created
	cancel chan struct{}
	once   sync.Once
	done   chan struct{}
	final  payments.Order
	err    error
}

// Cancel asks the engine to end the sale: close it at the provider, then a
// final query; if it was paid meanwhile, it is paid.
func (s *Sale) Cancel() { s.once.Do(func() { close(s.cancel) }) }

// Done is closed when the sale has ended (or the engine stopped).
func (s *Sale) Done() <-chan struct{} { return s.done }

// Wait blocks until the sale ends and returns the order as it ended.
func (s *Sale) Wait(ctx context.Context) (payments.Order, error) {
	select {
	case <-s.done:
		return s.final, s.err
	case <-ctx.Done():
		return payments.Order{}, ctx.Err()
	}
}

// Charge journals a new order (durably, before any byte goes to the
// provider) and starts the checkout in the background. Its progress comes
// through Subscribe and Sale.Wait.
func (e *Engine) Charge(ctx context.Context, req ChargeRequest) (*Sale, error) {
	m, err := payments.LookupMethod(req.Provider, req.MethodCode)
	if err != nil {
		return nil, err
	}
	g, err := e.gateway(req.Provider)
	if err != nil {
		return nil, err
	}
	if req.Amount.Currency != e.cfg.Currency {
		return nil, fmt.Errorf("amount in %s, terminal charges in %s", req.Amount.Currency, e.cfg.Currency)
	}
	r := payments.QFPayRange
	if req.Provider == payments.Eftpay {
		r = payments.EftpayRange
	}
	if err := r.Check(req.Amount); err != nil {
		return nil, &payments.AmountError{Input: req.Amount.Decimal(), Reason: err.Error()}
	}
	switch m.Mode {
	case payments.CPM:
		if strings.TrimSpace(req.AuthCode) == "" {
			return nil, errors.New("scan the customer's payment code first")
		}
	case payments.Token:
		return nil, fmt.Errorf("%s needs a wallet token from a card reader; this terminal has none", m.Name)
	}
	timeout := e.cfg.OrderTimeout
	if m.Mode == payments.CPM {
		timeout = e.cfg.CPMTimeout
	}
	o, err := e.j.CreateOrder(ctx, storage.NewOrder{TID: e.cfg.TID, Provider: req.Provider, MethodCode: m.Code, Mode: m.Mode,
		Amount: req.Amount, AuthCode: req.AuthCode, ExpiresAt: time.Now().Add(timeout),
		Detail: fmt.Sprintf("%s %s %s", m.Name, m.Mode, req.Amount)})
	if err != nil {
		return nil, err
	}
	e.publish(Update{Kind: UpdateCreated, Order: o})
	s := &Sale{Order: o, cancel: make(chan struct{}), done: make(chan struct{})}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(s.done)
		defer e.forget(o.OutTradeNo)
		s.final, s.err = e.runSale(e.ctx, g, m, o, req.AuthCode, s.cancel)
	}()
	return s, nil
}

// runSale sends the payment and follows it to a settled state.
func (e *Engine) runSale(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, authCode string, cancel <-chan struct{}) (payments.Order, error) {
	no := o.OutTradeNo
	wake := e.waker(no)
	if err := e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest,
		Detail: fmt.Sprintf("pay %s %s", m.Code, o.Amount.Decimal())}); err != nil {
		return o, err
	}
	sent := time.Now()
	res, err := g.Pay(ctx, payments.PayRequest{OutTradeNo: no, TID: e.cfg.TID, Method: m, Amount: o.Amount,
		Subject: e.cfg.Subject, AuthCode: authCode, NotifyURL: e.notifyURL(m.Provider), ExpiresIn: e.cfg.OrderTimeout})
	switch {
	case errors.Is(err, payments.ErrOutcomeUnknown) || payments.IsKind(err, payments.KindDuplicate) || payments.IsKind(err, payments.KindBusy):
		o, _ = e.moveTo(ctx, no, payments.Unknown, storage.Change{Kind: storage.EventNoAnswer, Detail: err.Error(),
			Reason: "no answer from the provider; checking"})
		e.publish(Update{Kind: UpdateWorking, Order: o, Message: "No answer from the provider. Checking the payment; do not charge again."})
		return e.resolveUnknown(ctx, g, m, o, sent, wake, cancel)
	case payments.IsKind(err, payments.KindPending):
		o, err = e.moveTo(ctx, no, payments.Pending, storage.Change{Kind: storage.EventResponse, Detail: err.Error(),
			Reason: "waiting for the customer to confirm"})
		if err != nil {
			return o, err
		}
	case err != nil:
		var pe *payments.ProviderError
		reason := err.Error()
		if errors.As(err, &pe) {
			reason = pe.Message
		}
		return e.moveTo(ctx, no, payments.Failed, storage.Change{Kind: storage.EventResponse, Detail: err.Error(), Reason: reason})
	default:
		to := res.State
		if to == "" || to == payments.Unknown {
			to = payments.Pending
		}
		o, err = e.moveTo(ctx, no, to, storage.Change{Kind: storage.EventResponse, ProviderRef: res.ProviderRef, QRCode: res.QRCode,
			Detail: strings.TrimSpace(res.Code + " " + res.Message), Reason: res.Message})
		if err != nil {
			return o, err
		}
		if res.QRCode != "" {
			e.publish(Update{Kind: UpdateQR, Order: o})
		}
	}
	if o.State.Settled() {
		return o, nil
	}
	return e.await(ctx, g, m, o, sent, wake, cancel)
}

// notifyURL is where provider p should send notifications: the
// terminal's public notify_url with the provider's path appended.
func (e *Engine) notifyURL(p payments.Provider) string {
	if e.cfg.NotifyURL == "" {
		return ""
	}
	return strings.TrimSuffix(e.cfg.NotifyURL, "/") + "/" + string(p)
}

// wakeReason says why waitPoll returned.
type wakeReason int

const (
	timeUp    wakeReason = iota // the pause ran out: query now
	stopped                     // the engine is closing
	cancelled                   // the cashier cancelled the sale
	nudged                      // a notification about this order was journalled
)

// waitPoll waits out one pause between queries of a sale, or until the
// engine stops, the cashier cancels or a notification nudges it.
func waitPoll(ctx context.Context, pause time.Duration, wake, cancel <-chan struct{}) wakeReason {
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return stopped
	case <-cancel:
		return cancelled
	case <-wake:
		return nudged
	case <-t.C:
		return timeUp
	}
}

// await polls a pending order (and listens for notifications) until it is
// settled, cancelled or past its deadline.
func (e *Engine) await(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, sent time.Time, wake <-chan struct{}, cancel <-chan struct{}) (payments.Order, error) {
	no := o.OutTradeNo
	deadline := o.ExpiresAt
	first := true
	for {
		pause := e.cfg.Poll.Next(time.Since(sent), first)
		first = false
		if left := time.Until(deadline); left < pause {
			pause = max(left, 0)
		}
		switch waitPoll(ctx, pause, wake, cancel) {
		case stopped:
			return o, ctx.Err()
		case cancelled:
			return e.closeAndConfirm(ctx, g, m, o, payments.Closed, "cancelled by the cashier")
		case nudged:
			// A verified notification was journalled: trust the journal.
			cur, err := e.j.Order(ctx, no)
			if err == nil && cur.State.Settled() {
				return cur, nil
			}
		}
		if !time.Now().Before(deadline) {
			if m.Mode == payments.CPM {
				return e.closeAndConfirm(ctx, g, m, o, payments.Closed, "the customer did not confirm in time; reversed")
			}
			return e.closeAndConfirm(ctx, g, m, o, payments.Expired, "not paid in time")
		}
		cur, err := e.queryOnce(ctx, g, m, o, "")
		if err != nil {
			return cur, err
		}
		o = cur
		if o.State.Settled() {
			return o, nil
		}
	}
}

// queryOnce asks the provider where a sale stands and records what it
// learns. Not-final and unknown answers leave the order as it is.
//
// ending is the state the terminal is ending the order in (Closed after a
// cancel, Expired after the timeout) or empty: a provider's "closed" after
// our own close is that ending.
func (e *Engine) queryOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, ending payments.State) (payments.Order, error) {
	no := o.OutTradeNo
	if err := e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest, Detail: "query"}); err != nil {
		return o, err
	}
	q, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m, Amount: o.Amount, ProviderRef: o.ProviderRef})
	if payments.IsKind(err, payments.KindNotFound) {
		// A verified answer: the provider has no such order (yet).
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: "query: not found at the provider"})
		return e.j.Order(ctx, no)
	}
	if err != nil {
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventNoAnswer, Detail: "query: " + err.Error()})
		cur, rerr := e.j.Order(ctx, no)
		if rerr != nil {
			return o, rerr
		}
		return cur, nil
	}
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
		return e.moveTo(ctx, no, to, storage.Change{Kind: storage.EventResponse, ProviderRef: q.ProviderRef, Detail: detail, Reason: q.Message})
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

// closeAndConfirm ends an unpaid order: close (MPM) or reversal (CPM) where
// the method allows it, then a final query. A sale paid meanwhile is paid.
// When the provider cannot be reached the order stays open for recovery.
func (e *Engine) closeAndConfirm(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, end payments.State, why string) (payments.Order, error) {
	no := o.OutTradeNo
	e.publish(Update{Kind: UpdateWorking, Order: o, Message: "Closing the order with the provider…"})
	// finalizable: the provider has nothing left to close, or understood
	// our close (done, already closed, never existed, or refused).
	finalizable := !m.CanClose
	for try := 0; try < 3; try++ {
		if !finalizable {
			finalizable = e.closeOnce(ctx, g, m, o, why)
		}
		// The final query decides: a sale paid meanwhile is paid.
		cur, err := e.queryOnce(ctx, g, m, o, end)
		if err != nil {
			return cur, err
		}
		if cur.State.Settled() {
			return cur, nil
		}
		if known, _ := e.lastQueryKnown(ctx, no); known && finalizable {
			reason := why
			if !m.CanClose {
				reason += "; this wallet cannot be closed at the provider"
			}
			return e.moveTo(ctx, no, end, storage.Change{Detail: "final query: not paid", Reason: reason})
		}
		select {
		case <-ctx.Done():
			return cur, ctx.Err()
		case <-time.After(e.cfg.Poll.First):
		}
	}
	cur, err := e.j.Order(ctx, no)
	if err != nil {
		return cur, err
	}
	if !cur.State.Settled() && cur.State != payments.Unknown {
		cur, err = e.moveTo(ctx, no, payments.Unknown, storage.Change{Kind: storage.EventNoAnswer,
			Reason: "could not confirm with the provider; recovery will finish it"})
	}
	return cur, err
}

// closeOnce sends one close (MPM) or reversal (CPM) and reports whether the
// provider understood it.
func (e *Engine) closeOnce(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, why string) bool {
	no := o.OutTradeNo
	e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest, Detail: "close: " + why})
	res, err := g.Close(ctx, payments.CloseRequest{OutTradeNo: no, Method: m, Amount: o.Amount, ProviderRef: o.ProviderRef})
	var pe *payments.ProviderError
	if errors.As(err, &pe) {
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: "close refused: " + err.Error()})
		return true
	}
	if err != nil {
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventNoAnswer, Detail: "close: " + err.Error()})
		return false
	}
	e.j.Append(ctx, no, storage.Event{Kind: storage.EventResponse, Detail: strings.TrimSpace("close: " + res.Code + " " + res.Message)})
	return true
}

// lastQueryKnown reports whether the order's last query got a verified
// answer (a response event after the last request).
func (e *Engine) lastQueryKnown(ctx context.Context, no string) (bool, error) {
	evs, err := e.j.Events(ctx, no)
	if err != nil {
		return false, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		switch evs[i].Kind {
		case storage.EventResponse:
			return true, nil
		case storage.EventNoAnswer:
			return false, nil
		}
	}
	return false, nil
}

// resolveUnknown follows an order whose payment request got no trustworthy
// answer, by querying the same number. An MPM order whose QR never reached
// the customer cannot be paid: once the provider knows it, it is closed.
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
		cur, err := e.queryOnce(ctx, g, m, o, "")
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
		if !time.Now().Before(deadline) {
			return e.closeAndConfirm(ctx, g, m, o, payments.Closed, "the provider did not confirm the order")
		}
	}
}
