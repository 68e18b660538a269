package sandbox

import (
	"net/http"
	"time"

	"qrpos/payments/eftpay"
)

// Notifications of the eftPay half: after a payment or a refund, a signed
// object is POSTed to the order's notify_url (never for PayMe or FPS, whose
// catalogue rows say they do not notify, and never for closes or expiry),
// again and again as Config.NotifyRetry says, until the answer is HTTP 200
// with a signed {"return_code":"success"} that verifies.

var eftJSONHeader = http.Header{"Content-Type": {"application/json;charset=UTF-8"}}

// saleNotification is the seed's notification object for o.
func (h *eftpayHalf) saleNotification(o *eftOrder) map[string]string {
	return map[string]string{
		"paytype": o.method.PayType, "user_confirm_key": h.s.cfg.EftpayUser, "transaction_id": o.txID,
		"out_trade_no": o.no, "subject": o.subject, "total_fee": o.amount.Decimal(),
		"currency": string(o.amount.Currency), "trade_status": o.status,
		"gmt_payment": o.paidAt.In(eftpay.HKT).Format(time.DateTime), "payment_type": o.method.Code,
		"tid": o.tid, "fee_type": string(o.amount.Currency), "eftpay_trade_no": o.ref,
		"trade_type": eftpay.TradeTypeSale,
	}
}

// notifySale sends o's payment notification; callers hold h.mu.
func (h *eftpayHalf) notifySale(o *eftOrder) {
	if !o.method.Notifies || o.notifyURL == "" {
		return
	}
	h.send(o, h.saleNotification(o))
}

// notifyRefund sends rf's notification; callers hold h.mu.
func (h *eftpayHalf) notifyRefund(rf *eftRefund) {
	o := rf.order
	if !o.method.Notifies || o.notifyURL == "" {
		return
	}
	f := h.saleNotification(o)
	f["trade_type"] = eftpay.TradeTypeRefund
	f["trade_status"] = rf.status
	f["refund_no"] = rf.no
	f["return_amount"] = rf.amount.Decimal()
	h.send(o, f)
}

// send signs f once (retries repeat the same bytes) and hands it to the
// shared sender.
func (h *eftpayHalf) send(o *eftOrder, f map[string]string) {
	f["time"] = eftpay.FormatTime(h.now())
	f["sign"] = eftpay.Sign(h.s.cfg.EftpaySecret, f)
	h.s.notify(o.notifyURL, eftpay.EncodeObject(f), eftJSONHeader, h.acknowledged, func() {
		h.mu.Lock()
		o.notified = true
		h.mu.Unlock()
	})
}

// acknowledged says whether a merchant's answer is eftPay's "success": HTTP
// 200 and a signed {return_code, time, sign} that verifies.
func (h *eftpayHalf) acknowledged(status int, body []byte) bool {
	if status != http.StatusOK {
		return false
	}
	ack, err := eftpay.DecodeObject(body)
	if err != nil {
		return false
	}
	return ack["return_code"] == eftpay.AckSuccess && eftpay.Verify(h.s.cfg.EftpaySecret, ack)
}
