package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// refund is POST /v1/refunds: all that is left of a paid sale, or part of
// it. The till needs the manager PIN in the body, unless the profile lets
// the API refund on its own (api_refunds = true). The engine journals the
// refund first, sends it once and confirms it by query; the answer is the
// refund as it stands then (done, failed, or still pending: the terminal
// keeps checking it and no other refund of the sale goes out meanwhile).
//
// With an Idempotency-Key header the same key answers with the refund it
// made (200, Idempotent-Replayed: true), also after a restart, and never
// refunds again; a replay needs no PIN (it moves no money and shows only
// what GET /v1/charges/{id} shows). The key is reserved before the engine
// journals the refund and bound to it right after (storage.APIRefund).
func (s *Server) refund(w http.ResponseWriter, r *http.Request) {
	key, req, e := readRefundRequest(r)
	if e != nil {
		writeError(w, e)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	c, o, e := s.lookup(ctx, req.OutTradeNo)
	if e != nil {
		writeError(w, e)
		return
	}
	amount := o.Refundable()
	if req.Amount != "" {
		var err error
		if amount, err = payments.ParseMoney(req.Amount, o.Amount.Currency, payments.Range{Min: 1}); err != nil {
			writeError(w, invalid(CodeAmountInvalid, "amount", err.Error()))
			return
		}
	}
	cl := clientOf(r)
	k := &refundKey{s: s, j: s.journal(), key: key}
	if key != "" {
		// One keyed refund at a time: a key's second request waits for
		// its first and then answers with its refund.
		s.refundMu.Lock()
		defer s.refundMu.Unlock()
		made, e := k.find(ctx, RefundHash(req, amount))
		if e != nil {
			writeError(w, e)
			return
		}
		if made != nil {
			w.Header().Set("Idempotent-Replayed", "true")
			writeJSON(w, http.StatusOK, refundOf(*made))
			return
		}
		if k.reserved { // reserved before a restart, nothing made: make it now
			amount = k.amount
		}
	}
	prof := s.cfg.Profile()
	if !prof.APIRefunds {
		if e := s.checkPIN(ctx, prof, req.PIN, fmt.Sprintf("refund %s %s", o.OutTradeNo, amount.Decimal())); e != nil {
			k.release(ctx)
			writeError(w, e)
			return
		}
	}
	if e := k.reserve(ctx, storage.APIRefund{TokenID: cl.id, RequestHash: RefundHash(req, amount), OutTradeNo: o.OutTradeNo, Amount: amount}); e != nil {
		writeError(w, e)
		return
	}
	holdOpen(w, checkout.RefundTimeout+30*time.Second)
	e2 := s.engine()
	rf, err := e2.Refund(ctx, o.OutTradeNo, amount)
	k.settle(ctx, rf)
	detail := fmt.Sprintf("%s %s %s via %s", o.OutTradeNo, amount.Decimal(), rf.State, cl.id)
	if err != nil {
		detail += ": " + err.Error()
	}
	if aerr := e2.Journal().Audit(ctx, storage.AuditEntry{TID: prof.TID, Actor: "till", Action: "refund", Detail: detail}); aerr != nil {
		s.log.Error("audit", "action", "refund", "err", aerr)
	}
	var re *storage.RefundError
	switch {
	case errors.As(err, &re):
		writeError(w, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRefundRefused, ChargeID: c.ID, Message: re.Reason})
		return
	case err != nil && rf.RefundNo == "":
		writeError(w, &Error{Status: http.StatusUnprocessableEntity, Code: CodeRefundRefused, ChargeID: c.ID, Message: err.Error()})
		return
	case err != nil:
		s.log.Error("till refund", "charge", c.ID, "refund", rf.RefundNo, "err", err)
	}
	s.log.Info("till refund", "charge", c.ID, "refund", rf.RefundNo, "amount", amount.Decimal(), "state", rf.State, "client", cl.id)
	writeJSON(w, http.StatusOK, refundOf(rf))
}

// readRefundRequest reads POST /v1/refunds: the optional Idempotency-Key
// and the body; nothing is looked up yet.
func readRefundRequest(r *http.Request) (string, RefundRequest, *Error) {
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		if e := checkKey(key); e != nil {
			return key, RefundRequest{}, e
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return key, RefundRequest{}, badRequest("the body was not received")
	}
	m, e := decodeObject(body, "out_trade_no", "amount", "pin")
	if e != nil {
		return key, RefundRequest{}, e
	}
	req := RefundRequest{OutTradeNo: m["out_trade_no"], Amount: m["amount"], PIN: m["pin"]}
	if req.OutTradeNo == "" || len(req.OutTradeNo) > maxOrderNo || !printable(req.OutTradeNo) {
		return key, req, invalid(CodeFieldInvalid, "out_trade_no", "out_trade_no names the sale to refund (a charge's id or out_trade_no)")
	}
	return key, req, nil
}

// RefundHash is a refund request as the API reads it, for its
// Idempotency-Key (storage.APIRefund.RequestHash): the sale as named and
// the amount asked for (none: all that is left), never the PIN. amount is
// the request's amount parsed in the sale's currency. A face that refunds
// under a key itself (pos refund --key, journal not locked) stores the
// same hash, so the key means the same refund to both.
func RefundHash(req RefundRequest, amount payments.Money) string {
	asked := ""
	if req.Amount != "" {
		asked = amount.MinorString() + " " + string(amount.Currency)
	}
	h := sha256.New()
	for _, f := range []string{"refund/v1", req.OutTradeNo, asked} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// refundKey is a refund's Idempotency-Key while its request runs (no key:
// every method does nothing). It is reserved before the engine journals
// the refund, bound to the refund right after, and released when the
// refund was refused before the journal had it, so that nothing of a
// refused request stays.
type refundKey struct {
	s        *Server
	j        *storage.Journal
	key      string
	reserved bool
	amount   payments.Money // what a reservation left by a restart was for
}

// find looks the key up: the refund it made (made), or a reservation a
// restart left with no refund made (k.reserved: the caller refunds under
// it), or nothing (a new key). The same key with another request is
// refused.
func (k *refundKey) find(ctx context.Context, hash string) (made *payments.Refund, e *Error) {
	stored, err := k.j.IdempotentRefund(ctx, k.key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internalError(err)
	}
	if stored.RequestHash != hash {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Code: CodeKeyReused, ChargeID: stored.OutTradeNo,
			Message: "Idempotency-Key reused with a different refund: it made refund " + nonEmpty(stored.RefundNo, "(none yet)") + " of " + stored.OutTradeNo + "; use a new key for a new refund"}
	}
	if !stored.Bound() {
		stored, err = k.j.RecoverRefundReservation(ctx, k.key, reservationWindow)
		var ae *storage.AmbiguousReservationError
		if errors.As(err, &ae) {
			return nil, &Error{Status: http.StatusConflict, Code: CodeKeyAmbiguous, ChargeID: stored.OutTradeNo,
				Message: ae.Error() + "; look at the sale's refunds (GET /v1/charges/{id}) before refunding again"}
		}
		if err != nil {
			return nil, internalError(err)
		}
		if !stored.Bound() {
			k.reserved, k.amount = true, stored.Amount
			return nil, nil
		}
		k.s.log.Warn("refund key recovered after a restart", "key", k.key, "refund", stored.RefundNo)
	}
	rf, err := k.j.Refund(ctx, stored.RefundNo)
	if err != nil {
		return nil, internalError(err)
	}
	return &rf, nil
}

// reserve reserves the key for the refund r (Key is filled in), unless it
// is reserved already.
func (k *refundKey) reserve(ctx context.Context, r storage.APIRefund) *Error {
	if k.key == "" || k.reserved {
		return nil
	}
	r.Key = k.key
	_, created, err := k.j.ReserveRefundKey(ctx, r)
	if err != nil {
		return internalError(err)
	}
	if !created {
		return internalError(errors.New("idempotency key taken meanwhile"))
	}
	k.reserved = true
	return nil
}

// release forgets a reserved key whose refund was not made.
func (k *refundKey) release(ctx context.Context) {
	if !k.reserved {
		return
	}
	if err := k.j.ReleaseRefundKey(ctx, k.key); err != nil {
		k.s.log.Error("refund key not released", "key", k.key, "err", err)
	}
	k.reserved = false
}

// settle binds the key to the refund the engine journalled, or releases
// it when the engine refused the refund before journalling it.
func (k *refundKey) settle(ctx context.Context, rf payments.Refund) {
	if !k.reserved {
		return
	}
	if rf.RefundNo == "" {
		k.release(ctx)
		return
	}
	if err := k.j.BindRefundKey(ctx, k.key, rf.RefundNo); err != nil {
		// The refund goes on; the key is settled when it comes again.
		k.s.log.Error("refund key not bound to its refund", "key", k.key, "refund", rf.RefundNo, "err", err)
	}
}

// checkPIN checks the manager PIN the way the terminal's screen does: the
// lockout first, then the hash, each try written to the audit log (actor
// "till") where the screen's lockout counts it too.
func (s *Server) checkPIN(ctx context.Context, p checkout.Profile, pin, what string) *Error {
	if pin == "" {
		return &Error{Status: http.StatusForbidden, Code: CodeRefundNotAllowed, Field: "pin",
			Message: `a refund from the till needs the manager PIN ("pin"), or api_refunds = true in the terminal's profile`}
	}
	j := s.journal()
	// The PIN hash as the manager last saved it: the journal's copy is the
	// newest (the screen changes the PIN there).
	stored := p.ManagerPIN
	if lp, err := checkout.LoadProfile(ctx, j, p.TID); err == nil && lp.ManagerPIN != "" {
		stored = lp.ManagerPIN
	}
	if stored == "" {
		return &Error{Status: http.StatusForbidden, Code: CodePINNotSet, Field: "pin",
			Message: "this terminal has no manager PIN yet: set one on the terminal first"}
	}
	c, err := checkout.CheckManagerPIN(ctx, j, p.TID, stored, pin, "till", what)
	if err != nil {
		return internalError(err)
	}
	if c.OK {
		return nil
	}
	if left := c.Lock.Left(time.Now()); left > 0 {
		msg := "too many wrong PINs: refunds are locked for %s"
		if !c.Locked {
			s.log.Warn("till sent a wrong manager PIN", "for", what)
			msg = "wrong PIN; " + msg
		}
		return &Error{Status: http.StatusForbidden, Code: CodePINLocked, Field: "pin", RetryAfter: int(left.Seconds()) + 1,
			Message: fmt.Sprintf(msg, left.Round(time.Second))}
	}
	s.log.Warn("till sent a wrong manager PIN", "for", what)
	left := c.Lock.TriesLeft()
	return &Error{Status: http.StatusForbidden, Code: CodePINWrong, Field: "pin", TriesLeft: &left,
		Message: fmt.Sprintf("wrong manager PIN; %d tries left before refunds lock", left)}
}
