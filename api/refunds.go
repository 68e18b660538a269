package api

import (
	"context"
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
func (s *Server) refund(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, badRequest("the body was not received"))
		return
	}
	m, e := decodeObject(body, "out_trade_no", "amount", "pin")
	if e != nil {
		writeError(w, e)
		return
	}
	req := RefundRequest{OutTradeNo: m["out_trade_no"], Amount: m["amount"], PIN: m["pin"]}
	if req.OutTradeNo == "" || len(req.OutTradeNo) > maxOrderNo || !printable(req.OutTradeNo) {
		writeError(w, invalid(CodeFieldInvalid, "out_trade_no", "out_trade_no names the sale to refund (a charge's id or out_trade_no)"))
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
		if amount, err = payments.ParseMoney(req.Amount, o.Amount.Currency, payments.Range{Min: 1}); err != nil {
			writeError(w, invalid(CodeAmountInvalid, "amount", err.Error()))
			return
		}
	}
	prof := s.cfg.Profile()
	cl := clientOf(r)
	what := fmt.Sprintf("refund %s %s", o.OutTradeNo, amount.Decimal())
	if !prof.APIRefunds {
		if e := s.checkPIN(ctx, prof, req.PIN, what); e != nil {
			writeError(w, e)
			return
		}
	}
	holdOpen(w, checkout.RefundTimeout+30*time.Second)
	e2 := s.engine()
	rf, err := e2.Refund(ctx, o.OutTradeNo, amount)
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
	s.pinMu.Lock()
	defer s.pinMu.Unlock()
	l, err := readPINLock(ctx, j, p.TID)
	if err != nil {
		return internalError(err)
	}
	if now := time.Now(); now.Before(l.until) {
		left := l.until.Sub(now)
		return &Error{Status: http.StatusForbidden, Code: CodePINLocked, Field: "pin", RetryAfter: int(left.Seconds()) + 1,
			Message: fmt.Sprintf("too many wrong PINs: refunds are locked for %s", left.Round(time.Second))}
	}
	ok, err := checkout.VerifyPIN(stored, pin)
	if err != nil {
		return internalError(err)
	}
	action := auditPINFailed
	if ok {
		action = auditPINOK
	}
	if err := j.Audit(ctx, storage.AuditEntry{TID: p.TID, Actor: "till", Action: action, Detail: what}); err != nil {
		return internalError(err)
	}
	if ok {
		return nil
	}
	s.log.Warn("till sent a wrong manager PIN", "for", what)
	l, err = readPINLock(ctx, j, p.TID)
	if err != nil {
		return internalError(err)
	}
	if now := time.Now(); now.Before(l.until) {
		left := l.until.Sub(now)
		return &Error{Status: http.StatusForbidden, Code: CodePINLocked, Field: "pin", RetryAfter: int(left.Seconds()) + 1,
			Message: fmt.Sprintf("wrong PIN; too many wrong PINs: refunds are locked for %s", left.Round(time.Second))}
	}
	left := l.triesLeft()
	return &Error{Status: http.StatusForbidden, Code: CodePINWrong, Field: "pin", TriesLeft: &left,
		Message: fmt.Sprintf("wrong manager PIN; %d tries left before refunds lock", left)}
}
