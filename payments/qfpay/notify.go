package qfpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"qrpos/payments"
)

// maxNotification bounds a notification body.
const maxNotification = 64 << 10

// errNotHandled marks a verified notification of a type this terminal does
// not act on: it is acknowledged, so QFPay stops sending it.
var errNotHandled = errors.New("qfpay: notification type not handled")

// parseNotification reads a notification body (already verified) into a
// payments.Notification and the key that identifies it for deduplication.
// notify_type payment gives the sale's state; refund gives the refund's
// (RefundNo is the refund's out_trade_no; OutTradeNo the sale's when QFPay
// names it in orig_out_trade_no). Amount (txamt, required, in txcurrcd as
// given), MethodCode (pay_type), TID (udid), CashAmount and ExchangeRate are
// what the notification says, for the engine to match with the order.
func parseNotification(body []byte) (payments.Notification, string, error) {
	var rec record
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		return payments.Notification{}, "", fmt.Errorf("qfpay notification: %w", err)
	}
	if dec.More() {
		return payments.Notification{}, "", errors.New("qfpay notification: data after the JSON object")
	}
	kind := rec.NotifyType.String()
	if kind != "payment" && kind != "refund" {
		return payments.Notification{}, "", fmt.Errorf("%w: %q", errNotHandled, kind)
	}
	no, code := rec.OutTradeNo.String(), rec.RespCd.String()
	if no == "" || code == "" || rec.Syssn.String() == "" {
		return payments.Notification{}, "", errors.New("qfpay notification: out_trade_no, syssn or respcd missing")
	}
	if rec.TxAmt.String() == "" {
		return payments.Notification{}, "", fmt.Errorf("qfpay notification %s: txamt missing", no)
	}
	amount, err := rec.amount()
	if err != nil {
		return payments.Notification{}, "", fmt.Errorf("qfpay notification %s: %w", no, err)
	}
	cash, err := rec.cashAmount(kind == "refund")
	if err != nil {
		return payments.Notification{}, "", fmt.Errorf("qfpay notification %s: %w", no, err)
	}
	cancel, err := parseCancel(rec.Cancel.String())
	if err != nil {
		return payments.Notification{}, "", fmt.Errorf("qfpay notification %s: %w", no, err)
	}
	n := payments.Notification{Provider: payments.QFPay, ProviderRef: rec.Syssn.String(), Amount: amount,
		MethodCode: rec.PayType.String(), TID: rec.Udid.String(), CashAmount: cash,
		ExchangeRate: rec.ExchangeRate.String(), Raw: append([]byte(nil), body...)}
	if kind == "refund" {
		n.Refund = true
		n.RefundNo = no
		n.OutTradeNo = rec.OrigOutNo.String()
		n.RefundState = refundState(code)
	} else {
		n.OutTradeNo = no
		state, ok := saleState(code, cancel)
		if !ok {
			state = payments.Unknown
		}
		n.State = state
	}
	key := kind + "|" + no + "|" + rec.Syssn.String() + "|" + code + "|" + rec.Cancel.String()
	return n, key, nil
}

// NotificationHandler serves notify_url. It verifies X-QF-SIGN over the raw
// body, UPPER_HEX(hash(body + client_key)) with the hash of the merchant's
// profile (Config.SignType: MD5 or SHA-256), never the one the request's
// X-QF-SIGNTYPE names (a sender choosing the hash would choose the weaker);
// hex is compared case-insensitively. It answers 405 to anything but POST,
// 413 to a body over 64 KiB, 401 to what does not verify and 400 to what
// does not parse. A verified payment or refund
// notification goes to deliver once: a repeat is answered SUCCESS without
// calling it again. When deliver fails the answer is HTTP 500, so QFPay
// sends it again later. Other verified notification types are acknowledged
// and logged.
func (g *Gateway) NotificationHandler(deliver func(context.Context, payments.Notification) error) http.Handler {
	return &notificationHandler{key: g.cfg.ClientKey, signType: g.cfg.SignType, log: g.log.With("component", "notifications"),
		deliver: deliver, seen: payments.NewDeduper(10000)}
}

type notificationHandler struct {
	key      string
	signType SignType
	log      *slog.Logger
	deliver  func(context.Context, payments.Notification) error
	seen     *payments.Deduper
}

func (h *notificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotification))
	if err != nil {
		status := http.StatusBadRequest
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		h.log.Warn("qfpay notification rejected: unreadable body", "remote", r.RemoteAddr, "http_status", status, "err", err)
		http.Error(w, "bad body", status)
		return
	}
	if !VerifyBody(body, h.key, h.signType, r.Header.Get(HeaderSign)) {
		h.log.Warn("qfpay notification rejected: signature does not verify", "remote", r.RemoteAddr,
			"bytes", len(body), "sign_type", h.signType, "claimed_sign_type", r.Header.Get(HeaderSignType))
		http.Error(w, "signature does not verify", http.StatusUnauthorized)
		return
	}
	n, key, err := parseNotification(body)
	switch {
	case errors.Is(err, errNotHandled):
		h.log.Info("qfpay notification acknowledged, not handled", "err", err)
		answerSuccess(w)
		return
	case err != nil:
		h.log.Warn("qfpay notification rejected", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "bad notification", http.StatusBadRequest)
		return
	}
	log := h.log.With("out_trade_no", n.OutTradeNo, "refund_no", n.RefundNo, "syssn", n.ProviderRef)
	dup, err := h.seen.Do(r.Context(), key, func() error { return h.deliver(r.Context(), n) })
	if err != nil {
		log.Warn("qfpay notification not taken: QFPay will send it again", "err", err)
		http.Error(w, "FAIL", http.StatusInternalServerError)
		return
	}
	log.Info("qfpay notification", "refund", n.Refund, "state", n.State, "refund_state", n.RefundState, "repeat", dup)
	answerSuccess(w)
}

func answerSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "SUCCESS")
}
