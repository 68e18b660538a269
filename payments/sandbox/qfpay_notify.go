package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"qrpos/payments/qfpay"
)

// qfNote is a notification waiting to be sent: the body is signed over its
// exact bytes.
type qfNote struct {
	txn  *qfTxn
	url  string
	body []byte
}

// saleNote is the payment notification of a paid sale (QFPay notifies only
// successful payments and refunds).
func (h *qfpayHalf) saleNote(t *qfTxn) []qfNote {
	return h.note(t, t.notifyURL, "payment")
}

// refundNote goes to the sale's notify_url: a refund request names none.
func (h *qfpayHalf) refundNote(rf *qfTxn) []qfNote {
	return h.note(rf, rf.sale.notifyURL, "refund")
}

func (h *qfpayHalf) note(t *qfTxn, url, kind string) []qfNote {
	if url == "" {
		return nil
	}
	f := map[string]string{
		"status": "1", "notify_type": kind, "pay_type": t.method.Code, "syssn": t.syssn,
		"out_trade_no": t.outTradeNo, "txamt": t.amount.MinorString(), "txcurrcd": string(t.amount.Currency),
		"txdtm": t.txdtm, "sysdtm": qfpay.WireTime(t.created), "paydtm": qfpay.WireTime(t.paid),
		"cancel": strconv.Itoa(t.cancel), "respcd": t.respcd, "chnlsn": "SBX" + t.syssn,
	}
	if t.goodsName != "" {
		f["goods_name"] = t.goodsName
	}
	if t.mchid != "" {
		f["mchid"] = t.mchid
	}
	if t.refund {
		f["origssn"] = t.sale.syssn
	}
	body, _ := json.Marshal(f)
	return []qfNote{{txn: t, url: url, body: body}}
}

// send posts a notification until the merchant answers HTTP 200 SUCCESS.
func (h *qfpayHalf) send(n qfNote) {
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	// Signed as the merchant signs its calls (MD5 unless it uses SHA-256).
	st := n.txn.signType
	if st == "" {
		st = qfpay.SignMD5
	}
	hdr.Set(qfpay.HeaderSign, qfpay.SignBody(n.body, h.s.cfg.QFPayKey, st))
	if st != qfpay.SignMD5 {
		hdr.Set(qfpay.HeaderSignType, string(st))
	}
	h.s.notify(n.url, n.body, hdr, func(status int, resp []byte) bool {
		return status == http.StatusOK && bytes.Equal(bytes.TrimSpace(resp), []byte("SUCCESS"))
	}, func() {
		h.mu.Lock()
		n.txn.notified = true
		h.mu.Unlock()
	})
}
