package terminal

// The charges a shop's till leaves to the cashier (the local API's asks):
// the core keeps the ones waiting, tells the faces when one comes or goes,
// and takes the cashier's answer back to the API, which starts the sale
// under the till's Idempotency-Key.

import (
	"context"
	"errors"
	"sync"

	"qrpos/api"
	"qrpos/internal/fanout"
	"qrpos/payments"
)

// TillAsk is a charge the till left to the cashier: choose how the
// customer pays (or, AnyWallet, scan the customer's code).
type TillAsk = api.Ask

// AskEvent says that an ask came (Gone false) or no longer waits (Gone,
// with Why: "chosen", "declined", "withdrawn" by the till, "expired").
type AskEvent struct {
	Ask  TillAsk
	Gone bool
	Why  string
}

// asks is the cashier's side of the API's asks (api.Counter).
type asks struct {
	mu      sync.Mutex
	waiting []TillAsk
	events  fanout.Fanout[AskEvent] // a watcher that does not keep up reads Asks
}

func newAsks() *asks { return &asks{} }

// ShowAsk is called by the API when a till's charge waits for the cashier.
func (a *asks) ShowAsk(x api.Ask) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.waiting = append(a.waiting, x)
	a.events.Publish(AskEvent{Ask: x})
}

// HideAsk is called by the API when it no longer waits.
func (a *asks) HideAsk(id, why string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, x := range a.waiting {
		if x.ID == id {
			a.waiting = append(a.waiting[:i], a.waiting[i+1:]...)
			a.events.Publish(AskEvent{Ask: x, Gone: true, Why: why})
			return
		}
	}
}

// Asks lists the till's charges waiting for the cashier, oldest first.
func (t *Terminal) Asks() []TillAsk {
	t.asks.mu.Lock()
	defer t.asks.mu.Unlock()
	return append([]TillAsk(nil), t.asks.waiting...)
}

// WatchAsks follows the asks coming and going; stop ends it.
func (t *Terminal) WatchAsks(buffer int) (<-chan AskEvent, func()) {
	return t.asks.events.Subscribe(buffer)
}

// errNoAPI: asks come only through the local API.
var errNoAPI = errors.New("the local API is not running")

// AnswerAsk starts the sale of ask id by method m (auth: the customer's
// code, for a customer-code method) and watches it. When the choice is
// refused, the ask keeps waiting.
func (t *Terminal) AnswerAsk(ctx context.Context, id string, m payments.Method, auth string) (*SaleWatch, error) {
	srv := t.apiServer()
	if srv == nil {
		return nil, errNoAPI
	}
	eng := t.Engine()
	ch, unsub := eng.Subscribe(256)
	s, err := srv.ChooseAsk(ctx, id, m, auth)
	if err != nil {
		unsub()
		return nil, err
	}
	return t.watch(ctx, s, ch, unsub), nil
}

// DeclineAsk ends ask id without a sale, as the cashier chose (audited).
func (t *Terminal) DeclineAsk(ctx context.Context, id, actor string) bool {
	srv := t.apiServer()
	if srv == nil || !srv.DeclineAsk(id) {
		return false
	}
	t.Audit(ctx, actor, "decline till charge", id)
	return true
}

func (t *Terminal) apiServer() *api.Server {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.srv
}
