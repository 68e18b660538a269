package sandbox

import (
	"fmt"
	"strconv"

	"qrpos/payments"
	"qrpos/payments/qfpay"
)

// pay plays the customer of a waiting QFPay sale: an MPM QR scanned, or a
// pending CPM payment confirmed (success) or abandoned (fail, record 1205).
func (h *qfpayHalf) pay(outTradeNo, outcome string) (bool, error) {
	h.mu.Lock()
	t, ok := h.byNo[outTradeNo]
	if !ok {
		h.mu.Unlock()
		return false, nil
	}
	now := h.now()
	t.expire(now)
	var err error
	var notes []qfNote
	switch {
	case t.refund:
		err = fmt.Errorf("qfpay %s is a refund, not a sale", outTradeNo)
	case t.cancel != 0:
		err = fmt.Errorf("qfpay order %s was closed or refunded (cancel %d)", outTradeNo, t.cancel)
	case t.respcd == qfpay.CodeExpired:
		err = fmt.Errorf("qfpay order %s expired", outTradeNo)
	case !t.waiting():
		err = fmt.Errorf("qfpay order %s is already settled (respcd %s)", outTradeNo, t.respcd)
	case outcome == "fail":
		notes = h.settle(t, qfFailed, now)
	default:
		notes = h.settle(t, qfpay.CodeOK, now)
	}
	h.mu.Unlock()
	for _, n := range notes {
		h.send(n)
	}
	return true, err
}

// orders lists the sales; refunds show in their sale's Refunded.
func (h *qfpayHalf) orders() []OrderView {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	var out []OrderView
	for _, t := range h.all {
		if t.refund {
			continue
		}
		t.expire(now)
		state := t.respcd
		if t.cancel != 0 {
			state += " cancel=" + strconv.Itoa(t.cancel)
		}
		out = append(out, OrderView{
			Provider: string(payments.QFPay), OutTradeNo: t.outTradeNo, Method: t.method.Code,
			Amount: t.amount.Decimal(), Currency: string(t.amount.Currency), State: state,
			Paid:     t.respcd == qfpay.CodeOK,
			Payable:  state == qfpay.CodePassword || state == qfpay.CodeProcessing,
			Refunded: payments.Money{Minor: t.refunded, Currency: t.amount.Currency}.Decimal(),
			Ref:      t.syssn, NotifyURL: t.notifyURL, Notified: t.notified,
			CreatedAt: t.created.UTC().Format("2006-01-02T15:04:05.000000000Z"),
		})
	}
	return out
}
