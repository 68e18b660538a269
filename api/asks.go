package api

// Charges the till leaves to the cashier. A till that names no method
// ("HK$88.50: choose how the customer pays"), or asks for any wallet's code
// ("method": "any" without an auth_code), makes an ask: the terminal shows
// it on the cashier's screen (Config.Counter), and the cashier's choice
// (Server.ChooseAsk) starts the sale with the till's reference. The till
// follows the ask by its id from the first answer to the last: while the
// cashier chooses it is "awaiting_cashier"; then it is the sale the choice
// made (out_trade_no, qr_code, paid...); or it ends without a sale
// (declined by the cashier or cancelled by the till: "closed"; nobody chose
// in time or the terminal stopped first: "expired"). The journal keeps the
// ask with its Idempotency-Key (storage.APICharge.AskID), so that the same
// key, also after a restart, answers the same ask and never charges twice.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// StateAwaitingCashier is the state of an ask while the cashier chooses
// how the customer pays (or scans the customer's code).
const StateAwaitingCashier = "awaiting_cashier"

// Ask is a charge the till left to the cashier, as the counter shows it.
type Ask struct {
	ID        string
	Amount    payments.Money
	Reference string // the till's own reference
	// AnyWallet: the till asked for the customer's code (any wallet): the
	// cashier scans it rather than choosing a method.
	AnyWallet bool
	Expires   time.Time // when it ends unchosen
}

// Counter is the cashier's screen as the API sees it: it shows the asks
// and hides them once they no longer wait (chosen, declined, withdrawn by
// the till, expired). Both are called with the API's charge lock held:
// they must not call back into the Server.
type Counter interface {
	ShowAsk(Ask)
	HideAsk(id, why string) // why: a storage.Ask* state, or "chosen"
}

// pendingAsk is an ask waiting for the cashier (guarded by chargeMu).
type pendingAsk struct {
	Ask
	key   string
	timer *time.Timer
	done  chan struct{} // closed once it no longer waits
}

// askReasons says, for people, how an ask ended without a sale.
var askReasons = map[string]string{
	storage.AskDeclined:  "the cashier declined the charge",
	storage.AskWithdrawn: "the till cancelled the charge before the cashier chose",
	storage.AskExpired:   "nobody chose how the customer pays in time, or the terminal stopped first",
}

// newAskID makes an ask's id: "ask-" and 16 random hex digits.
func newAskID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "ask-" + hex.EncodeToString(b), nil
}

// ask reserves key for an ask of in and shows it to the cashier (chargeMu
// held). It returns the ask's id.
func (s *Server) ask(ctx context.Context, j *storage.Journal, cl client, key, hash string, in chargeInput, anyWallet bool) (string, *Error) {
	id, err := newAskID()
	if err != nil {
		return "", internalError(err)
	}
	if e := reserveKey(ctx, j, storage.APICharge{Key: key, TokenID: cl.id, RequestHash: hash,
		Reference: in.req.Reference, AskID: id, Amount: in.amount}); e != nil {
		return "", e
	}
	a := &pendingAsk{Ask: Ask{ID: id, Amount: in.amount, Reference: in.req.Reference, AnyWallet: anyWallet,
		Expires: time.Now().Add(s.cfg.AskTimeout)}, key: key, done: make(chan struct{})}
	a.timer = time.AfterFunc(s.cfg.AskTimeout, func() { s.endAsk(id, storage.AskExpired) })
	s.asks[id] = a
	s.log.Info("till charge left to the cashier", "charge", id, "amount", in.amount.Decimal(), "any_wallet", anyWallet,
		"reference", in.req.Reference, "client", cl.id)
	s.cfg.Counter.ShowAsk(a.Ask)
	s.publishAsk(Event{Kind: StateAwaitingCashier, Charge: ptr(askChargeOf(storage.APICharge{AskID: id, AskState: storage.AskWaiting,
		Amount: in.amount, Reference: in.req.Reference, CreatedAt: time.Now()}, a))})
	return id, nil
}

// ChooseAsk starts the sale of ask id by method m (auth: the customer's
// code for a customer-code method), as the cashier chose. The ask keeps
// waiting when the choice is refused (a method this terminal does not
// offer, an amount out of the method's range): the cashier may choose
// again.
func (s *Server) ChooseAsk(ctx context.Context, id string, m payments.Method, auth string) (*checkout.Sale, error) {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	a := s.asks[id]
	if a == nil {
		return nil, fmt.Errorf("the till's charge %s no longer waits (cancelled, declined or expired)", id)
	}
	if !offers(s.cfg.Profile().Offered(), m) {
		return nil, fmt.Errorf("this terminal does not offer %s", m.ID())
	}
	if err := payments.OutOfRange(a.Amount.Decimal(), a.Amount, m.Range()); err != nil {
		return nil, err
	}
	e := s.engine()
	if live := e.Sales(); len(live) > 0 {
		return nil, fmt.Errorf("a sale is in progress (%s): wait for it to end", live[0].Order.OutTradeNo)
	}
	j := e.Journal()
	if _, err := j.SetAskState(ctx, a.key, storage.AskCharging); err != nil {
		return nil, err
	}
	sale, err := e.Charge(ctx, checkout.ChargeRequest{Provider: m.Provider, MethodCode: m.Code, Amount: a.Amount,
		AuthCode: auth, Origin: "till", Reference: a.Reference})
	if err != nil {
		// Refused before an order was journalled: the ask waits again (a
		// crash now finds no order after the renewed reservation).
		return nil, err
	}
	if err := j.BindIdempotencyKey(ctx, a.key, sale.Order.OutTradeNo); err != nil {
		s.log.Error("idempotency key not bound to its charge", "charge", id, "order", sale.Order.OutTradeNo, "err", err)
	}
	s.forgetAsk(a, "chosen")
	s.log.Info("till charge chosen by the cashier", "charge", id, "order", sale.Order.OutTradeNo, "method", m.ID())
	s.follow(sale)
	return sale, nil
}

// DeclineAsk ends ask id without a sale, as the cashier chose; false when
// it no longer waited.
func (s *Server) DeclineAsk(id string) bool { return s.endAsk(id, storage.AskDeclined) }

// endAsk ends a waiting ask without a sale (declined, withdrawn, expired);
// false when it no longer waited.
func (s *Server) endAsk(id, state string) bool {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	a := s.asks[id]
	if a == nil {
		return false
	}
	j := s.journal()
	if _, err := j.SetAskState(context.Background(), a.key, state); err != nil {
		// Unsaved, it is still over here; after a restart the journal
		// says "waiting" with no one waiting, which reads as expired.
		s.log.Error("ask's end not saved", "charge", id, "state", state, "err", err)
	}
	s.forgetAsk(a, state)
	s.log.Info("till charge ended without a sale", "charge", id, "state", state)
	if row, err := j.APIChargeFor(context.Background(), id); err == nil {
		s.publishAsk(Event{Kind: askChargeOf(row, nil).State, Charge: ptr(askChargeOf(row, nil))})
	}
	return true
}

// forgetAsk takes a from the waiting asks and from the counter (chargeMu
// held).
func (s *Server) forgetAsk(a *pendingAsk, why string) {
	a.timer.Stop()
	delete(s.asks, a.ID)
	close(a.done)
	s.cfg.Counter.HideAsk(a.ID, why)
}

// waitingAsk is the ask waiting for the cashier, if any (chargeMu held).
func (s *Server) waitingAsk() *pendingAsk {
	for _, a := range s.asks {
		return a
	}
	return nil
}

// waitingAskID is the id of the ask waiting for the cashier, or "".
func (s *Server) waitingAskID() string {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	if a := s.waitingAsk(); a != nil {
		return a.ID
	}
	return ""
}

// askDone is closed once ask id no longer waits; nil when it does not.
func (s *Server) askDone(id string) <-chan struct{} {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	if a := s.asks[id]; a != nil {
		return a.done
	}
	return nil
}

// settleAsk brings an ask's row in line with what happened (chargeMu
// held): one still waiting in this process is left as it is; one the
// journal says waits, though nobody here waits for it (the terminal
// stopped), expired; one whose choice was being charged when the terminal
// stopped is bound to the order that choice made, or, when it made none,
// expired. It returns the row as it now stands.
func (s *Server) settleAsk(ctx context.Context, j *storage.Journal, row storage.APICharge) (storage.APICharge, *Error) {
	if row.Bound() || s.asks[row.AskID] != nil {
		return row, nil
	}
	switch row.AskState {
	case storage.AskCharging:
		got, err := j.RecoverReservation(ctx, row.Key, row.Amount, reservationWindow)
		var ae *storage.AmbiguousReservationError
		if errors.As(err, &ae) {
			return row, &Error{Status: http.StatusConflict, Code: CodeKeyAmbiguous, ChargeID: row.AskID,
				Message: ae.Error() + "; look them up (GET /v1/charges/{id}) before charging again"}
		}
		if err != nil {
			return row, internalError(err)
		}
		if got.Bound() {
			s.log.Warn("till charge recovered after a restart", "charge", row.AskID, "order", got.ChargeID)
			row, err = j.APIChargeFor(ctx, row.AskID)
			if err != nil {
				return row, internalError(err)
			}
			return row, nil
		}
		fallthrough
	case storage.AskWaiting:
		if _, err := j.SetAskState(ctx, row.Key, storage.AskExpired); err != nil {
			return row, internalError(err)
		}
		row.AskState = storage.AskExpired
	}
	return row, nil
}

// askChargeOf renders an ask that has no order (yet, or ever): a is the
// waiting ask, nil when it no longer waits.
func askChargeOf(row storage.APICharge, a *pendingAsk) Charge {
	c := Charge{ID: row.AskID, Amount: row.Amount.Decimal(), Currency: string(row.Amount.Currency), Reference: row.Reference,
		Refunded: payments.Money{Currency: row.Amount.Currency}.Decimal(), CreatedAt: row.CreatedAt, UpdatedAt: row.CreatedAt}
	switch {
	case a != nil && row.AskState == storage.AskCharging:
		c.State = string(payments.Created)
	case a != nil:
		c.State = StateAwaitingCashier
		exp := a.Expires
		c.ExpiresAt = &exp
		if a.AnyWallet {
			c.Method, c.Wallet, c.Mode = string(payments.AnyWallet), string(payments.AnyWallet), string(payments.CPM)
		}
	case row.AskState == storage.AskExpired:
		c.State, c.Settled, c.Reason = string(payments.Expired), true, askReasons[row.AskState]
	default:
		c.State, c.Settled, c.Reason = string(payments.Closed), true, askReasons[row.AskState]
	}
	return c
}

// lookupAsk answers for an ask that has no order: settled first (after a
// restart), then rendered; found: the ask has its order now (the caller
// looks that up).
func (s *Server) lookupAsk(ctx context.Context, j *storage.Journal, row storage.APICharge) (c Charge, found storage.APICharge, e *Error) {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	row, e = s.settleAsk(ctx, j, row)
	if e != nil || row.Bound() {
		return Charge{}, row, e
	}
	return askChargeOf(row, s.asks[row.AskID]), row, nil
}

func ptr[T any](v T) *T { return &v }

// endAsks ends every waiting ask as expired: the terminal stops.
func (s *Server) endAsks() {
	s.chargeMu.Lock()
	ids := make([]string, 0, len(s.asks))
	for id := range s.asks {
		ids = append(ids, id)
	}
	s.chargeMu.Unlock()
	for _, id := range ids {
		s.endAsk(id, storage.AskExpired)
	}
}
