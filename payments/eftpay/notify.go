package eftpay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"qrpos/payments"
)

// Acknowledgement codes a merchant answers a notification with.
const (
	AckSuccess = "success"
	AckFalse   = "false"
)

// DefaultSeenNotifications is how many delivered notifications a
// NotificationHandler remembers to recognise a second delivery.
const DefaultSeenNotifications = 4096

// NotificationHandler is the http.Handler for eftPay's asynchronous
// notifications (seed eftpay-async-notification.txt). It verifies each one;
// anything that does not verify is refused (HTTP 400 for a body that is not
// a JSON object, 401 for a missing or wrong signature, 413 for a body over
// MaxNotification, 405 for anything but POST) and logged without
// secrets or base strings. A verified notification is handed to the deliver
// callback as a payments.Notification and answered with the signed object
// {return_code, time, sign}: "success" when deliver returned nil, "false"
// (so that eftPay sends it again) otherwise.
//
// Deliveries are idempotent: a notification already delivered (same trade
// type, out_trade_no, refund_no and trade_status, whatever its time and
// sign) is answered "success" without calling deliver again, and one being
// delivered at the same moment is waited for. The last
// DefaultSeenNotifications deliveries are remembered.
type NotificationHandler struct {
	secret  string
	now     func() time.Time
	log     *slog.Logger
	deliver func(context.Context, payments.Notification) error
	seen    *payments.Deduper
}

// NewNotificationHandler makes a handler that verifies with cfg.Secret,
// stamps its answers with cfg.Now and logs to cfg.Logger; deliver receives
// each verified notification once.
func NewNotificationHandler(cfg Config, deliver func(context.Context, payments.Notification) error) *NotificationHandler {
	h := &NotificationHandler{secret: cfg.Secret, now: cfg.Now, log: cfg.Logger, deliver: deliver,
		seen: payments.NewDeduper(DefaultSeenNotifications)}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.log = h.log.With("provider", "eftpay")
	return h
}

// ErrNotVerified is a notification whose signature is missing or wrong.
var ErrNotVerified = errors.New("notification signature does not verify")

// ParseNotification decodes and verifies a notification body and reads it
// as a payments.Notification: a sale's State from trade_status and Amount
// from total_fee; a refund (trade_type REFUND, or a refund_no) with
// RefundNo, RefundState and Amount from return_amount; the amount in the
// currency (or fee_type) as given, an empty Currency when none is. MethodCode
// is payment_type and TID tid, as the notification gives them. A body that does not
// verify returns ErrNotVerified and nothing else is believed.
func ParseNotification(secret string, body []byte) (payments.Notification, error) {
	n, _, err := parseNotification(secret, body)
	return n, err
}

// parseNotification is ParseNotification that also returns the decoded
// fields (nil when the body is not an object; unverified with
// ErrNotVerified).
func parseNotification(secret string, body []byte) (payments.Notification, map[string]string, error) {
	fields, err := DecodeObject(body)
	if err != nil {
		return payments.Notification{}, nil, err
	}
	if !Verify(secret, fields) {
		return payments.Notification{}, fields, ErrNotVerified
	}
	if fields["out_trade_no"] == "" {
		return payments.Notification{}, fields, errors.New("notification has no out_trade_no")
	}
	n := payments.Notification{
		Provider:    payments.Eftpay,
		OutTradeNo:  fields["out_trade_no"],
		ProviderRef: fields["eftpay_trade_no"],
		MethodCode:  methodCode(fields),
		TID:         fields["tid"],
		Raw:         append([]byte(nil), body...),
	}
	amountKeys := []string{"total_fee", "transaction_amount"}
	if fields["trade_type"] == TradeTypeRefund || fields["refund_no"] != "" {
		n.Refund = true
		n.RefundNo = fields["refund_no"]
		n.RefundState, _ = RefundStateOf(fields["trade_status"])
		amountKeys = []string{"return_amount", "transaction_amount"}
	} else {
		n.State, _ = SaleState(fields["trade_status"])
	}
	// As the notification says it (an amount that does not parse is left
	// zero: not compared, like one not given).
	n.Amount, _ = recordAmount(fields, amountKeys...)
	return n, fields, nil
}

// notificationKey names what a notification says, not how it was sent: a
// second delivery re-signed with a new time is still the same news.
func notificationKey(n payments.Notification, fields map[string]string) string {
	kind := TradeTypeSale
	if n.Refund {
		kind = TradeTypeRefund
	}
	return kind + "\x00" + n.OutTradeNo + "\x00" + n.RefundNo + "\x00" + fields["trade_status"]
}

// MaxNotification is the most the handler reads of a notification (HTTP
// 413 beyond it); eftPay's objects are a few hundred bytes.
const MaxNotification = 64 << 10

// ServeHTTP handles one POST from eftPay: anything but POST is answered
// 405, a body over MaxNotification 413.
func (h *NotificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxNotification))
	if err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, "body too large", "", err)
			return
		}
		h.reject(w, r, http.StatusBadRequest, "body unreadable", "", err)
		return
	}
	n, fields, err := parseNotification(h.secret, body)
	switch {
	case errors.Is(err, ErrNotVerified):
		h.reject(w, r, http.StatusUnauthorized, "signature missing or wrong", fields["out_trade_no"], nil)
		return
	case err != nil:
		h.reject(w, r, http.StatusBadRequest, "not a notification", "", err)
		return
	}
	key := notificationKey(n, fields)
	dup, err := h.seen.Do(r.Context(), key, func() error { return h.deliver(r.Context(), n) })
	switch {
	case dup:
		h.log.Info("eftpay notification already delivered: acknowledged again", "out_trade_no", n.OutTradeNo,
			"refund_no", n.RefundNo)
		h.answer(w, http.StatusOK, AckSuccess)
		return
	case err != nil && r.Context().Err() != nil:
		h.answer(w, http.StatusServiceUnavailable, AckFalse) // the sender gave up waiting
		return
	case err != nil:
		h.log.Warn("eftpay notification not taken: answered false so it comes again", "out_trade_no", n.OutTradeNo,
			"refund_no", n.RefundNo, "err", err)
		h.answer(w, http.StatusOK, AckFalse)
		return
	}
	h.log.Info("eftpay notification delivered", "out_trade_no", n.OutTradeNo, "refund_no", n.RefundNo,
		"state", n.State, "refund_state", n.RefundState)
	h.answer(w, http.StatusOK, AckSuccess)
}

func (h *NotificationHandler) reject(w http.ResponseWriter, r *http.Request, status int, why, orderNo string, err error) {
	attrs := []any{"reason", why, "remote", r.RemoteAddr, "http_status", status}
	if orderNo != "" {
		attrs = append(attrs, "claimed_out_trade_no", orderNo)
	}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	h.log.Warn("eftpay notification rejected", attrs...)
	h.answer(w, status, AckFalse)
}

// answer writes the signed acknowledgement object.
func (h *NotificationHandler) answer(w http.ResponseWriter, status int, code string) {
	ack := map[string]string{"return_code": code, "time": FormatTime(h.now())}
	ack["sign"] = Sign(h.secret, ack)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(EncodeObject(ack))
}
