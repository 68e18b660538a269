package checkout

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/storage"
)

// ChargeRequest is the cashier's intent: this amount, by this method.
type ChargeRequest struct {
	Provider   payments.Provider
	MethodCode string
	Amount     payments.Money
	AuthCode   string // CPM: the scanned customer code
	// Origin says who rang the sale up, for the faces: "" the counter, or
	// for example "till" (the local API) or "cli"; Reference is the
	// origin's own reference (the till's receipt number).
	Origin, Reference string
}

// Sale is one checkout in progress.
type Sale struct {
	Order             payments.Order // as created
	Origin, Reference string         // from the ChargeRequest
	cancel            chan struct{}
	once              sync.Once
	done              chan struct{}
	final             payments.Order
	err               error

	mu      sync.Mutex
	current string // the order number the sale runs under now (renumbered)
}

// OutTradeNo is the number the sale runs under now: the order's, or the
// fresh one it took when the provider already had that number.
func (s *Sale) OutTradeNo() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

func (s *Sale) renumbered(no string) {
	s.mu.Lock()
	s.current = no
	s.mu.Unlock()
}

// Sales lists the sales in progress, oldest first.
func (e *Engine) Sales() []*Sale {
	e.mu.Lock()
	defer e.mu.Unlock()
	seen := map[*Sale]bool{}
	out := make([]*Sale, 0, len(e.sales))
	for _, s := range e.sales {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order.CreatedAt.Before(out[j].Order.CreatedAt) })
	return out
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
	if err := payments.OutOfRange(req.Amount.Decimal(), req.Amount, m.Range()); err != nil {
		return nil, err
	}
	switch m.Mode {
	case payments.CPM:
		if strings.TrimSpace(req.AuthCode) == "" {
			return nil, errors.New("scan the customer's payment code first")
		}
	case payments.Token:
		return nil, fmt.Errorf("%s needs a wallet token from a card reader; this terminal has none", m.Name)
	}
	s := &Sale{Origin: req.Origin, Reference: req.Reference, cancel: make(chan struct{}), done: make(chan struct{})}
	o, err := e.createOrder(ctx, m, req.Amount, req.AuthCode, "", s)
	if err != nil {
		return nil, err
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(s.done)
		defer e.endSale(s)
		s.final, s.err = e.runSale(e.ctx, g, m, o, req.AuthCode, s)
		e.afterSale(s.final)
	}()
	return s, nil
}

// createOrder journals a new order of sale s and marks it as followed by
// this process. note, when set, goes into the created event (a
// renumbering).
func (e *Engine) createOrder(ctx context.Context, m payments.Method, amount payments.Money, authCode, note string, s *Sale) (payments.Order, error) {
	// A QR the terminal can cancel ends at the terminal's own timeout; one
	// it cannot stays payable as long as the provider keeps it, and the
	// sale follows it that long.
	timeout := e.cfg.OrderTimeout
	if !m.CanClose {
		timeout = e.cfg.PayableFor(m, timeout)
	}
	if m.Mode == payments.CPM {
		timeout = e.cfg.CPMTimeout
	}
	detail := fmt.Sprintf("%s %s %s", m.Name, m.Mode, amount)
	if note != "" {
		detail += "; " + note
	}
	o, err := e.j.CreateOrder(ctx, storage.NewOrder{TID: e.cfg.TID, Provider: m.Provider, MethodCode: m.Code, Mode: m.Mode,
		Amount: amount, AuthCode: authCode, ExpiresAt: time.Now().Add(timeout), Detail: detail})
	if err != nil {
		return o, err
	}
	e.own(o.OutTradeNo)
	s.mu.Lock()
	if s.Order.OutTradeNo == "" {
		s.Order = o // set before anyone can see the sale
	}
	s.current = o.OutTradeNo
	s.mu.Unlock()
	e.mu.Lock()
	e.sales[o.OutTradeNo] = s
	e.mu.Unlock()
	e.publish(Update{Kind: UpdateCreated, Order: o, Origin: s.Origin})
	return o, nil
}

// endSale forgets a sale that has ended, under every number it had.
func (e *Engine) endSale(s *Sale) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for no, x := range e.sales {
		if x == s {
			delete(e.sales, no)
		}
	}
}

// afterSale hands an order the sale could not settle to a background
// watcher (the process keeps following it), or lets it go.
func (e *Engine) afterSale(o payments.Order) {
	if o.OutTradeNo == "" {
		return
	}
	if o.State.Settled() || e.ctx.Err() != nil {
		e.release(o.OutTradeNo)
		return
	}
	e.watch(o)
}

// maxRenumber bounds how many fresh numbers one sale takes after the
// provider refused its number as already used.
const maxRenumber = 3

// errRenumber says the provider refused the order's number as another
// sale's: nothing of ours was created; the sale takes a fresh number.
var errRenumber = errors.New("order number already used at the provider")

// runSale sends the payment and follows it to a settled state, under a
// fresh number when the provider says the number is already used.
func (e *Engine) runSale(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, authCode string, s *Sale) (payments.Order, error) {
	for try := 1; ; try++ {
		cur, err := e.paySale(ctx, g, m, o, authCode, s.cancel)
		if !errors.Is(err, errRenumber) {
			return cur, err
		}
		e.release(o.OutTradeNo)
		if try >= maxRenumber {
			return cur, fmt.Errorf("sale %s: the provider refused %d fresh numbers as already used: %w", o.OutTradeNo, try, err)
		}
		fresh, err := e.createOrder(ctx, m, o.Amount, authCode, "renumbered: "+o.OutTradeNo+" was already used at the provider", s)
		if err != nil {
			return cur, err
		}
		s.renumbered(fresh.OutTradeNo)
		e.publish(Update{Kind: UpdateRenumbered, Order: fresh, Previous: o.OutTradeNo,
			Message: "The provider already had this order number; sending again under a new number."})
		o = fresh
	}
}

// paySale sends the payment of one order once and follows it.
func (e *Engine) paySale(ctx context.Context, g payments.Gateway, m payments.Method, o payments.Order, authCode string, cancel <-chan struct{}) (payments.Order, error) {
	no := o.OutTradeNo
	wake := e.waker(no)
	defer e.forget(no)
	if err := e.j.Append(ctx, no, storage.Event{Kind: storage.EventRequest,
		Detail: fmt.Sprintf("pay %s %s", m.Code, o.Amount.Decimal())}); err != nil {
		return o, err
	}
	killpoint.At(killpoint.OrderJournalled)
	sent := time.Now()
	res, err := g.Pay(ctx, payments.PayRequest{OutTradeNo: no, TID: e.cfg.TID, Method: m, Amount: o.Amount,
		Subject: e.cfg.Subject, AuthCode: authCode, NotifyURL: e.notifyURL(m.Provider), ExpiresIn: e.cfg.PayableFor(m, e.cfg.OrderTimeout), At: o.CreatedAt})
	killpoint.At(killpoint.PayAnswered)
	out, pe := classify(err)
	switch out {
	case unknownOut:
		reason := "no answer from the provider; checking"
		if pe != nil && pe.Message != "" {
			reason = string(pe.Provider) + ": " + pe.Message + "; checking"
		}
		o, _ = e.moveTo(ctx, no, payments.Unknown, storage.Change{Kind: storage.EventNoAnswer, Detail: err.Error(),
			Reason: reason})
		e.publish(Update{Kind: UpdateWorking, Order: o, Message: "No answer from the provider. Checking the payment; do not charge again."})
		return e.resolveUnknown(ctx, g, m, o, sent, wake, cancel)
	case pendingOut:
		o, err = e.moveTo(ctx, no, payments.Pending, storage.Change{Kind: storage.EventResponse, Detail: err.Error(),
			Reason: "waiting for the customer to confirm"})
		if err != nil {
			return o, err
		}
	case duplicate:
		// Our gateway never sends a payment twice, so a duplicate refusal
		// on this send means another sale owns the number: nothing of ours
		// was created there. Never query the stranger's record as ours.
		e.log.Error("ORDER NUMBER COLLISION: the provider already has another sale under this number; taking a fresh one",
			"order", no, "err", err)
		cur, merr := e.moveTo(ctx, no, payments.Failed, storage.Change{Kind: storage.EventResponse, Detail: err.Error(),
			Reason: "the provider already has another sale under this number; nothing was charged under it"})
		if merr != nil {
			return cur, merr
		}
		return cur, errRenumber
	case refused, notFound:
		return e.moveTo(ctx, no, payments.Failed, storage.Change{Kind: storage.EventResponse, Detail: err.Error(), Reason: pe.Message})
	case localErr:
		return e.moveTo(ctx, no, payments.Failed, storage.Change{Kind: storage.EventNote, Detail: err.Error(), Reason: err.Error()})
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
		killpoint.At(killpoint.AnswerJournalled)
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
		pause := e.pollSchedule().Next(time.Since(sent), first)
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
