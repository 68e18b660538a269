package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// reservationWindow: after a restart, an order created this long after a
// key was reserved (and never bound) may be the one the key made
// (storage.RecoverReservation). The engine journals it within milliseconds.
const reservationWindow = 10 * time.Second

// createCharge is POST /v1/charges. Everything is checked before anything
// is written; then, one request at a time: the Idempotency-Key's charge is
// answered if it has one; a sale in progress refuses the charge (409);
// otherwise the key is reserved, the engine journals the order and starts
// the sale, and the key is bound to the order. The answer comes once the
// provider has answered the payment request (the QR code, or a
// customer-code payment's result), or after Config.FirstAnswer.
func (s *Server) createCharge(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if e := checkKey(key); e != nil {
		writeError(w, e)
		return
	}
	body, err := io.ReadAll(r.Body) // read whole already, within the limits
	if err != nil {
		writeError(w, badRequest("the body was not received"))
		return
	}
	in, e := parseChargeRequest(body)
	if e != nil {
		writeError(w, e)
		return
	}
	// From here on nothing is left half done because the till hung up.
	ctx := context.WithoutCancel(r.Context())
	id, replayed, e := s.charge(ctx, clientOf(r), key, in)
	if e != nil {
		writeError(w, e)
		return
	}
	// A sale in progress is awaited; a replayed charge nobody follows any
	// more is answered as it stands.
	wait := time.Duration(0)
	if s.findSale(s.engine(), id) != nil {
		wait = s.cfg.FirstAnswer
		holdOpen(w, wait+10*time.Second)
	}
	c, e := s.waitCharge(r.Context(), id, wait, func(c Charge) bool { return c.State != string(payments.Created) })
	if e != nil {
		writeError(w, e)
		return
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/v1/charges/"+c.ID)
	writeJSON(w, status, c)
}

// charge makes the charge of key, or finds the one it made. It returns the
// charge's id and whether the key had made it before. A key that made a
// charge answers with it whatever the terminal's settings are now; a new
// charge is checked against them (currency, methods offered, amount range)
// before anything is written.
func (s *Server) charge(ctx context.Context, cl client, key string, in chargeInput) (string, bool, *Error) {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	e := s.engine()
	j := e.Journal()
	hash := in.hash()
	id, reserved, ke := s.keyCharge(ctx, j, key, hash, in.amount)
	if ke != nil || id != "" {
		return id, id != "", ke
	}
	release := func() {
		if err := j.ReleaseIdempotencyKey(ctx, key); err != nil {
			s.log.Error("idempotency key not released", "key", key, "err", err)
		}
	}
	pl, ce := checkCharge(s.cfg.Profile(), in, s.cfg.Counter != nil)
	if ce != nil {
		if reserved {
			release()
		}
		return "", false, ce
	}
	if busy := s.busy(e); busy != nil {
		if reserved {
			release()
		}
		return "", false, busy
	}
	if pl.ask {
		if reserved {
			release() // reserved again, as an ask
		}
		id, e := s.ask(ctx, j, cl, key, hash, in, pl.anyWallet)
		return id, false, e
	}
	m := pl.method
	if !reserved {
		if e := reserveKey(ctx, j, storage.APICharge{Key: key, TokenID: cl.id, RequestHash: hash, Reference: in.req.Reference}); e != nil {
			return "", false, e
		}
	}
	sale, err := e.Charge(ctx, checkout.ChargeRequest{Provider: m.Provider, MethodCode: m.Code, Amount: in.amount,
		AuthCode: in.req.AuthCode, Origin: "till", Reference: in.req.Reference})
	if err != nil {
		// Refused before an order was journalled: nothing of it stays.
		release()
		var ae *payments.AmountError
		if errors.As(err, &ae) {
			return "", false, invalid(CodeAmountInvalid, "amount", err.Error())
		}
		return "", false, &Error{Status: http.StatusUnprocessableEntity, Code: CodeChargeRefused, Message: err.Error()}
	}
	id = sale.Order.OutTradeNo
	if err := j.BindIdempotencyKey(ctx, key, id); err != nil {
		// The sale goes on; the key is settled when it comes again.
		s.log.Error("idempotency key not bound to its charge", "key", key, "charge", id, "err", err)
	}
	s.log.Info("till charge", "charge", id, "amount", in.amount.Decimal(), "method", m.ID(), "reference", in.req.Reference, "client", cl.id)
	s.follow(sale)
	return id, false, nil
}

// reserveKey reserves a new key (chargeMu held: nobody took it meanwhile).
func reserveKey(ctx context.Context, j *storage.Journal, c storage.APICharge) *Error {
	_, created, err := j.ReserveIdempotencyKey(ctx, c)
	if err != nil {
		return internalError(err)
	}
	if !created {
		return internalError(errors.New("idempotency key taken meanwhile"))
	}
	return nil
}

// busy refuses a charge while a sale is in progress or a charge waits for
// the cashier (chargeMu held).
func (s *Server) busy(e *checkout.Engine) *Error {
	if live := e.Sales(); len(live) > 0 {
		sale := live[0]
		return &Error{Status: http.StatusConflict, Code: CodeSaleInProgress, ChargeID: sale.Order.OutTradeNo,
			Message: fmt.Sprintf("a sale is in progress (%s, %s): wait for it to end or cancel it", sale.Order.OutTradeNo, sale.Order.Amount)}
	}
	if a := s.waitingAsk(); a != nil {
		return &Error{Status: http.StatusConflict, Code: CodeSaleInProgress, ChargeID: a.ID,
			Message: fmt.Sprintf("a charge waits for the cashier (%s, %s): wait for it or cancel it", a.ID, a.Amount)}
	}
	return nil
}

// keyCharge looks the key up: the charge it made (id), or that it is
// reserved with no charge and none was made (reserved: the caller charges
// under it), or neither (a new key). A key the terminal stopped between
// reserving and binding is settled here (storage.RecoverReservation).
func (s *Server) keyCharge(ctx context.Context, j *storage.Journal, key, hash string, amount payments.Money) (id string, reserved bool, e *Error) {
	stored, err := j.IdempotentCharge(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, internalError(err)
	}
	if stored.RequestHash != hash {
		return "", false, &Error{Status: http.StatusUnprocessableEntity, Code: CodeKeyReused, ChargeID: stored.ID(),
			Message: "Idempotency-Key reused with a different request: it made charge " + nonEmpty(stored.ID(), "(none yet)") + "; use a new key for a new sale"}
	}
	if stored.AskID != "" {
		// An ask answers as it stands: waiting, its sale, or ended.
		_, e := s.settleAsk(ctx, j, stored)
		return stored.AskID, false, e
	}
	if stored.Bound() {
		return stored.ChargeID, false, nil
	}
	// Find the order it made, or learn that it made none.
	stored, err = j.RecoverReservation(ctx, key, amount, reservationWindow)
	var ae *storage.AmbiguousReservationError
	if errors.As(err, &ae) {
		return "", false, &Error{Status: http.StatusConflict, Code: CodeKeyAmbiguous,
			Message: ae.Error() + "; look them up (GET /v1/charges/{id}) before charging again"}
	}
	if err != nil {
		return "", false, internalError(err)
	}
	if stored.Bound() {
		s.log.Warn("idempotency key recovered after a restart", "key", key, "charge", stored.ChargeID)
		return stored.ChargeID, false, nil
	}
	return "", true, nil
}

// follow notes the number a sale ends under when the provider made it
// take a fresh one, so that its id finds it after a restart too.
func (s *Server) follow(sale *checkout.Sale) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-sale.Done():
		case <-s.done:
		}
		if no := sale.OutTradeNo(); no != sale.Order.OutTradeNo {
			if err := s.journal().RenumberAPICharge(context.Background(), sale.Order.OutTradeNo, no); err != nil {
				s.log.Error("renumbered charge not noted", "charge", sale.Order.OutTradeNo, "now", no, "err", err)
			}
		}
	}()
}

// liveSales lists the engine's sales in progress. It holds chargeMu, so
// that a sale the API is creating is seen only once Engine.Charge has
// returned: Charge fills in Sale.Order after it has registered the sale,
// and reading it sooner would race.
func (s *Server) liveSales(e *checkout.Engine) []*checkout.Sale {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	return e.Sales()
}

// findSale is the sale in progress that started under no or runs under it.
func (s *Server) findSale(e *checkout.Engine, no string) *checkout.Sale {
	for _, x := range s.liveSales(e) {
		if x.Order.OutTradeNo == no || x.OutTradeNo() == no {
			return x
		}
	}
	return nil
}

// lookup finds a charge by its id (an order number, or an ask's id) or
// its current number; any order of the journal is a charge (the
// counter's have no reference). An ask with no order is answered as the
// ask (o is then zero).
func (s *Server) lookup(ctx context.Context, no string) (Charge, payments.Order, *Error) {
	e := s.engine()
	j := e.Journal()
	id, current, ref := no, no, ""
	sale := s.findSale(e, no)
	if sale != nil {
		id, current, ref = sale.Order.OutTradeNo, sale.OutTradeNo(), sale.Reference
	}
	ac, err := j.APIChargeFor(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return Charge{}, payments.Order{}, internalError(err)
	}
	if err == nil && ac.AskID != "" && !ac.Bound() {
		c, row, e := s.lookupAsk(ctx, j, ac)
		if e != nil || !row.Bound() {
			return c, payments.Order{}, e
		}
		ac = row // the choice made its order meanwhile
	}
	if err == nil {
		id, ref = ac.ID(), ac.Reference
		if sale == nil {
			current = ac.OutTradeNo
		}
	}
	o, err := j.Order(ctx, current)
	if errors.Is(err, storage.ErrNotFound) {
		return Charge{}, o, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no charge " + no}
	}
	if err != nil {
		return Charge{}, o, internalError(err)
	}
	refunds, err := j.Refunds(ctx, current)
	if err != nil {
		return Charge{}, o, internalError(err)
	}
	c := chargeOf(id, o, ref)
	for _, r := range refunds {
		c.Refunds = append(c.Refunds, refundOf(r))
	}
	return c, o, nil
}

// waitCharge waits until done says the charge is where the caller wants
// it, d has passed, or the request or the server ends, and returns the
// charge as it then stands. It listens to the engine's updates and reads
// the journal again at least every 500 ms (the engine may be replaced
// meanwhile, or an update dropped).
func (s *Server) waitCharge(ctx context.Context, id string, d time.Duration, done func(Charge) bool) (Charge, *Error) {
	updates, stop := s.engine().Subscribe(64)
	defer stop()
	timer := time.NewTimer(d)
	defer timer.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		c, _, e := s.lookup(ctx, id)
		if e != nil || done(c) || d <= 0 {
			return c, e
		}
		asked := s.askDone(c.ID)
	wait:
		for {
			select {
			case u, ok := <-updates:
				if !ok {
					updates = nil
					continue
				}
				if u.Order.OutTradeNo == c.OutTradeNo || u.Previous == c.OutTradeNo || u.Order.OutTradeNo == id {
					break wait
				}
			case <-asked:
				break wait
			case <-tick.C:
				break wait
			case <-timer.C:
				c, _, e := s.lookup(ctx, id)
				return c, e
			case <-ctx.Done():
				c, _, e := s.lookup(context.WithoutCancel(ctx), id)
				return c, e
			case <-s.done:
				c, _, e := s.lookup(ctx, id)
				return c, e
			}
		}
	}
}

// parseWait reads ?wait= ("30s", or seconds: "30"), at most max.
func parseWait(q string, max time.Duration) (time.Duration, *Error) {
	if q == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(q)
	if err != nil {
		n, nerr := strconv.Atoi(q)
		if nerr != nil {
			return 0, &Error{Status: http.StatusBadRequest, Code: CodeQueryInvalid, Field: "wait", Message: fmt.Sprintf("wait %q: use a duration such as 30s", q)}
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 || d > max {
		return 0, &Error{Status: http.StatusBadRequest, Code: CodeQueryInvalid, Field: "wait", Message: fmt.Sprintf("wait %s: use 0 to %s", d, max)}
	}
	return d, nil
}

// getCharge is GET /v1/charges/{id}[?wait=30s]: with wait, the answer
// comes as soon as the charge is settled (paid, failed, closed, expired,
// refunded), or when the wait is over, with the charge as it then stands.
func (s *Server) getCharge(w http.ResponseWriter, r *http.Request) {
	wait, e := parseWait(r.URL.Query().Get("wait"), s.cfg.MaxWait)
	if e != nil {
		writeError(w, e)
		return
	}
	if wait > 0 {
		holdOpen(w, wait+10*time.Second)
	}
	c, e := s.waitCharge(r.Context(), r.PathValue("id"), wait, func(c Charge) bool { return c.Settled })
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// cancelWait is how long a cancel waits for the provider to confirm.
const cancelWait = 30 * time.Second

// cancelCharge is POST /v1/charges/{id}/cancel: the engine closes the
// order at the provider and queries it once more (if the customer paid
// meanwhile, it is paid). The answer is the charge once that is done.
func (s *Server) cancelCharge(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sale := s.findSale(s.engine(), id)
	if sale == nil {
		c, _, e := s.lookup(r.Context(), id)
		if e != nil {
			writeError(w, e)
			return
		}
		if c.State == StateAwaitingCashier && s.endAsk(c.ID, storage.AskWithdrawn) {
			s.log.Info("till cancelled a charge waiting for the cashier", "charge", c.ID, "client", clientOf(r).id)
			c, _, e = s.lookup(r.Context(), id)
			if e != nil {
				writeError(w, e)
				return
			}
			writeJSON(w, http.StatusOK, c)
			return
		}
		if sale = s.findSale(s.engine(), c.OutTradeNo); sale == nil {
			msg := fmt.Sprintf("charge %s is %s: nothing to cancel", c.ID, c.State)
			if !c.Settled {
				msg = fmt.Sprintf("charge %s is %s and the terminal is still checking it with the provider; it cannot be cancelled now", c.ID, c.State)
			}
			writeError(w, &Error{Status: http.StatusConflict, Code: CodeNotCancellable, ChargeID: c.ID, Message: msg})
			return
		}
	}
	sale.Cancel()
	s.log.Info("till cancelled a sale", "charge", sale.Order.OutTradeNo, "client", clientOf(r).id)
	holdOpen(w, cancelWait+10*time.Second)
	c, e := s.waitCharge(r.Context(), id, cancelWait, func(c Charge) bool { return c.Settled })
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// chargeOf renders an order as a charge.
func chargeOf(id string, o payments.Order, reference string) Charge {
	c := Charge{ID: id, OutTradeNo: o.OutTradeNo, State: string(o.State), Settled: o.State.Settled(),
		Amount: o.Amount.Decimal(), Currency: string(o.Amount.Currency), Method: string(o.Provider) + ":" + o.MethodCode,
		Provider: string(o.Provider), Mode: string(o.Mode), ProviderRef: o.ProviderRef, QRCode: o.QRCode, Reference: reference,
		Reason: o.Reason, AuthCode: o.AuthCode, Refunded: o.Refunded.Decimal(), NeedsAttention: o.NeedsAttention(time.Now()),
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if o.Refunded.Currency == "" {
		c.Refunded = payments.Money{Currency: o.Amount.Currency}.Decimal()
	}
	if m, err := o.Method(); err == nil {
		c.Wallet = string(m.Wallet)
	}
	if !o.ExpiresAt.IsZero() {
		t := o.ExpiresAt
		c.ExpiresAt = &t
	}
	return c
}

func refundOf(r payments.Refund) Refund {
	return Refund{RefundNo: r.RefundNo, OutTradeNo: r.OutTradeNo, State: string(r.State), Amount: r.Amount.Decimal(),
		Currency: string(r.Amount.Currency), ProviderRef: r.ProviderRef, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func nonEmpty(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}
