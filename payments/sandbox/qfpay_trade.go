package sandbox

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"qrpos/payments"
	"qrpos/payments/qfpay"
)

// The record codes the sandbox writes beyond 0000.
const (
	qfWaiting  = qfpay.CodePassword // an unpaid MPM order: 1143, "not paid for"
	qfFailed   = "1205"             // a payment that failed after waiting
	qfReversed = "1263"             // reversed (cancel=1): "the order has been cancelled"
	qfClosed   = "1264"             // closed (cancel=2): "the order has been closed"
	// qfNoCancel refuses a cancel sent to an endpoint QFPay's guide does not
	// assign to the pay type. The guide names no code for it; 1150 is the
	// one code of QFPay's table that refuses a cancel ("does not support
	// canceling transactions"), and it is final for the client
	// (KindUnsupported), where 1155 would read as a refused refund.
	qfNoCancel = "1150"
)

// QFPayCancelPendingCents: a reversal or close of an order whose amount
// ends in these minor units (e.g. 12.47) answers 1145, still in progress;
// the order shows its cancel flag once a query names it again (unless it
// was paid meanwhile: then the cancel failed).
const QFPayCancelPendingCents = 47

// QFPayCNYRate is the exchange rate the sandbox's mainland wallets pay
// with (HKD to CNY, as exchange_rate says it), and qfCashWallets the pay
// types whose paid records carry cash_fee, cash_fee_type and exchange_rate.
const QFPayCNYRate = "0.9136"

var qfCashWallets = map[string]bool{"800101": true, "800201": true, "800108": true, "800208": true}

// qfCNY is what a tourist's wallet takes in CNY for minor HKD units at
// QFPayCNYRate, rounded half up: 880 (HK$8.80) is 804 (¥8.04).
func qfCNY(minor int64) int64 { return (minor*9136 + 5000) / 10000 }

// qfTxn is one sale or refund as QFPay keeps it.
type qfTxn struct {
	syssn, outTradeNo string
	method            payments.Method
	amount            payments.Money
	refund            bool
	sale              *qfTxn // a refund's sale

	txdtm, udid, goodsName, notifyURL, mchid string
	signType                                 qfpay.SignType // the merchant's, for notifications
	created, paid                            time.Time
	expiresAt                                time.Time // MPM

	// respcd is the record's status: 0000 paid, 1143/1145 waiting, 1181
	// expired, anything else failed. cancel is QFPay's flag: 1 reversed
	// (CPM), 2 closed (MPM), 3 refunded, 5 partly refunded.
	respcd   string
	cancel   int
	refunded int64

	// A pending CPM order: queries still showing pending, then final.
	pendingQueries int
	final          string

	// A cancel answered 1145: the flag it sets once a query names the
	// order again, and the cancel's own syssn.
	cancelPending int
	cancelSyssn   string

	notified bool
}

func (t *qfTxn) orderType() string {
	if t.refund {
		return "refund"
	}
	return "payment"
}

// expire turns an unpaid MPM order whose QR ran out into 1181.
func (t *qfTxn) expire(now time.Time) {
	if !t.refund && t.method.Mode == payments.MPM && t.respcd == qfWaiting && t.cancel == 0 && !now.Before(t.expiresAt) {
		t.respcd = qfpay.CodeExpired
	}
}

func (t *qfTxn) waiting() bool {
	return t.cancel == 0 && (t.respcd == qfpay.CodePassword || t.respcd == qfpay.CodeProcessing)
}

// settle ends a waiting order with respcd; a paid one is notified.
func (h *qfpayHalf) settle(t *qfTxn, respcd string, now time.Time) []qfNote {
	t.respcd, t.pendingQueries, t.final = respcd, 0, ""
	if respcd != qfpay.CodeOK {
		return nil
	}
	t.paid = now
	return h.saleNote(t)
}

// record is the transaction as a query's data entry lists it.
func (t *qfTxn) record() map[string]any {
	r := map[string]any{
		"syssn": t.syssn, "out_trade_no": t.outTradeNo, "pay_type": t.method.Code, "order_type": t.orderType(),
		"txdtm": t.txdtm, "sysdtm": qfpay.WireTime(t.created), "paydtm": "", "txamt": t.amount.MinorString(),
		"txcurrcd": string(t.amount.Currency), "chnlsn": "", "cancel": strconv.Itoa(t.cancel),
		"respcd": t.respcd, "errmsg": qfpay.Message(t.respcd), "udid": t.udid,
	}
	if !t.paid.IsZero() {
		r["paydtm"] = qfpay.WireTime(t.paid)
		r["chnlsn"] = "SBX" + t.syssn
	}
	if t.refund {
		r["origssn"] = t.sale.syssn
	}
	if qfCashWallets[t.method.Code] && t.amount.Currency == "HKD" && !t.paid.IsZero() {
		cash := strconv.FormatInt(qfCNY(t.amount.Minor), 10)
		if t.refund {
			r["cash_refund_fee"], r["cash_refund_fee_type"] = cash, "CNY"
		} else {
			r["cash_fee"], r["cash_fee_type"] = cash, "CNY"
		}
		r["exchange_rate"] = QFPayCNYRate
	}
	return r
}

// qfQRText is a plausible QR payload for the method, naming the order.
func qfQRText(m payments.Method, syssn, no string) string {
	switch m.Wallet {
	case payments.Alipay, payments.AlipayHK:
		return "https://qr.alipay.com/sbx" + syssn
	case payments.WeChat:
		return "weixin://wxpay/bizpayurl?pr=sbx" + syssn
	}
	return "https://test-openapi-hk.qfapi.com/sandbox/qr/" + m.Code + "/" + syssn + "?out_trade_no=" + url.QueryEscape(no)
}

// qfRequired refuses with 1104 the first of names that is empty.
func qfRequired(p url.Values, names ...string) (qfAnswer, bool) {
	for _, n := range names {
		if p.Get(n) == "" {
			return qfRefuse(qfpay.CodeParameter, n+" is required"), false
		}
	}
	return qfAnswer{}, true
}

// qfAmount reads txamt: digits only, at least 1, at most Int(11).
func qfAmount(s string, c payments.Currency) (payments.Money, bool) {
	if s == "" || len(s) > 11 || strings.Trim(s, "0123456789") != "" {
		return payments.Money{}, false
	}
	m, err := payments.ParseWireMinor(s, c)
	return m, err == nil && qfpay.Range.Check(m) == nil
}

func (h *qfpayHalf) payment(c qfCall) qfAnswer {
	p, now := c.p, c.now
	if ans, ok := qfRequired(p, "txamt", "txcurrcd", "pay_type", "out_trade_no", "txdtm"); !ok {
		return ans
	}
	m, err := payments.LookupMethod(payments.QFPay, p.Get("pay_type"))
	if err != nil || (m.Mode != payments.MPM && m.Mode != payments.CPM) {
		return qfRefuse(qfpay.CodeParameter, "pay_type "+p.Get("pay_type")+" is not an in-store QFPay pay type")
	}
	cur := payments.Currency(p.Get("txcurrcd"))
	if !cur.Valid() {
		return qfRefuse(qfpay.CodeParameter, "txcurrcd "+p.Get("txcurrcd")+" is not a QFPay currency")
	}
	amount, ok := qfAmount(p.Get("txamt"), cur)
	if !ok {
		return qfRefuse(qfpay.CodeParameter, "txamt must be a whole number of minor units, 1 to 11 digits")
	}
	no := p.Get("out_trade_no")
	switch {
	case len(no) > 128:
		return qfRefuse(qfpay.CodeParameter, "out_trade_no is longer than 128")
	case len(p.Get("udid")) > 40:
		return qfRefuse(qfpay.CodeParameter, "udid is longer than 40")
	case len(p.Get("notify_url")) > 256:
		return qfRefuse(qfpay.CodeParameter, "notify_url is longer than 256")
	case utf8.RuneCountInString(p.Get("goods_name")) > 20:
		return qfRefuse(qfpay.CodeParameter, "goods_name is longer than 20")
	}
	if _, err := qfpay.ParseWireTime(p.Get("txdtm")); err != nil {
		return qfRefuse(qfpay.CodeParameter, "txdtm must be YYYY-MM-DD hh:mm:ss")
	}
	expiry := QFPayOrderExpiry
	if m.Mode == payments.MPM && p.Get("expired_time") != "" {
		mins, err := strconv.Atoi(p.Get("expired_time"))
		if err != nil || mins < 5 || mins > 120 {
			return qfRefuse(qfpay.CodeParameter, "expired_time must be 5 to 120 minutes")
		}
		expiry = time.Duration(mins) * time.Minute
	}
	code := p.Get("auth_code")
	if m.Mode == payments.CPM && code == "" {
		return qfRefuse(qfpay.CodeParameter, "auth_code is required for pay_type "+m.Code)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.byNo[no]; dup {
		return qfRefuse(qfpay.CodeDuplicate, "out_trade_no "+no+" was already used")
	}
	t := &qfTxn{syssn: h.nextSyssn(now), outTradeNo: no, method: m, amount: amount, txdtm: p.Get("txdtm"),
		udid: p.Get("udid"), goodsName: p.Get("goods_name"), notifyURL: p.Get("notify_url"), mchid: p.Get("mchid"),
		signType: c.signType, created: now}
	var ans qfAnswer
	if m.Mode == payments.MPM {
		t.respcd, t.expiresAt = qfWaiting, now.Add(expiry)
		ans = qfAnswer{fields: t.answer(qfpay.CodeOK)}
		ans.fields["qrcode"] = qfQRText(m, t.syssn, no)
	} else {
		path := qfCPMPathOf(code)
		if h.usedCodes[code] {
			path = qfCPMPath{answer: qfpay.CodeBadAuthCode, final: qfpay.CodeBadAuthCode}
		}
		if path.nothing {
			return qfRefuse(path.answer, "sandbox: auth_code ending "+code[len(code)-2:])
		}
		h.usedCodes[code] = true
		t.respcd = path.answer
		if path.final != "" && path.pending == 0 {
			ans.notes = h.settle(t, path.final, now)
		} else {
			t.pendingQueries, t.final = path.pending, path.final
		}
		ans.fields = t.answer(path.answer)
	}
	h.byNo[no], h.bySyssn[t.syssn] = t, t
	h.all = append(h.all, t)
	return ans
}

// answer is the answer to a call about t: its fields with respcd.
func (t *qfTxn) answer(respcd string) map[string]any {
	f := t.record()
	delete(f, "order_type")
	delete(f, "errmsg")
	delete(f, "cancel")
	f["respcd"], f["resperr"], f["respmsg"], f["cardcd"] = respcd, qfpay.Message(respcd), "", ""
	if respcd == qfpay.CodeOK {
		f["resperr"] = "success"
	}
	return f
}

// lookup finds the sale a close, reversal or refund names by syssn or
// out_trade_no (both must agree when both are given).
func (h *qfpayHalf) lookup(syssn, no string) (*qfTxn, qfAnswer, bool) {
	var t *qfTxn
	if syssn != "" {
		if t = h.bySyssn[syssn]; t == nil {
			return nil, qfRefuse("1136", "no payment with syssn "+syssn), false
		}
	}
	if no != "" {
		byNo := h.byNo[no]
		if t != nil && byNo != t {
			return nil, qfRefuse("1267", "syssn and out_trade_no name different orders"), false
		}
		t = byNo
	}
	if t == nil || t.refund {
		return nil, qfRefuse("1136", "no such payment"), false
	}
	return t, qfAnswer{}, true
}

func (h *qfpayHalf) query(c qfCall) qfAnswer {
	p, now := c.p, c.now
	page, size := 1, 10
	if v := p.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return qfRefuse(qfpay.CodeParameter, "page must be 1 or more")
		}
		page = n
	}
	if v := p.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return qfRefuse(qfpay.CodeParameter, "page_size must be 1 to 100")
		}
		size = n
	}
	var from, to time.Time
	for _, b := range []struct {
		name string
		t    *time.Time
	}{{"start_time", &from}, {"end_time", &to}} {
		if v := p.Get(b.name); v != "" {
			t, err := qfpay.ParseWireTime(v)
			if err != nil {
				return qfRefuse(qfpay.CodeParameter, b.name+" must be YYYY-MM-DD hh:mm:ss")
			}
			*b.t = t
		}
	}
	// QFPay: "the interval must be within one calendar month".
	if !from.IsZero() && !to.IsZero() && (to.Before(from) || to.After(qfMonthAfter(from))) {
		return qfRefuse(qfpay.CodeParameter, "start_time to end_time must lie within one month")
	}
	list := func(name string) map[string]bool {
		if p.Get(name) == "" {
			return nil
		}
		set := map[string]bool{}
		for _, v := range strings.Split(p.Get(name), ",") {
			set[strings.TrimSpace(v)] = true
		}
		return set
	}
	syssns, nos, types := list("syssn"), list("out_trade_no"), list("pay_type")
	named := syssns != nil || nos != nil

	h.mu.Lock()
	defer h.mu.Unlock()
	var ans qfAnswer
	data := []map[string]any{}
	for _, t := range h.all {
		if (syssns != nil && !syssns[t.syssn]) || (nos != nil && !nos[t.outTradeNo]) ||
			(types != nil && !types[t.method.Code]) ||
			!qfInSpan(t.created, from, to) {
			continue
		}
		t.expire(now)
		// A cancel in progress ends when a query names the order: done if
		// it is still unpaid, failed if the customer paid meanwhile.
		if named && t.cancelPending != 0 {
			if t.waiting() {
				t.cancelNow(t.cancelPending)
			}
			t.cancelPending = 0
		}
		// A waiting CPM order moves on with each query that names it.
		if named && t.waiting() && t.final != "" {
			if t.pendingQueries > 0 {
				t.pendingQueries--
			} else {
				ans.notes = append(ans.notes, h.settle(t, t.final, now)...)
			}
		}
		if r := p.Get("respcd"); r != "" && r != t.respcd {
			continue
		}
		data = append(data, t.record())
	}
	total := len(data)
	lo, hi := min((page-1)*size, total), min(page*size, total)
	ans.fields = map[string]any{"respcd": qfpay.CodeOK, "resperr": "success", "respmsg": "",
		"page": strconv.Itoa(page), "page_size": strconv.Itoa(size), "data": data[lo:hi]}
	return ans
}

// qfMonthAfter is t one calendar month later, on the last day of the next
// month when it has no such day (January 31 -> February 28).
func qfMonthAfter(t time.Time) time.Time {
	next := t.AddDate(0, 1, 0)
	if next.Day() != t.Day() {
		next = next.AddDate(0, 0, -next.Day()) // back to the last day of the month before
	}
	return next
}

// qfInSpan reports whether a record made at created lies between start_time
// from and end_time to (zero: open), both included: QFPay filters on sysdtm,
// which has whole seconds.
func qfInSpan(created, from, to time.Time) bool {
	sys := created.Truncate(time.Second)
	return (from.IsZero() || !sys.Before(from)) && (to.IsZero() || !sys.After(to))
}

func (h *qfpayHalf) refund(c qfCall) qfAnswer {
	p, now := c.p, c.now
	if ans, ok := qfRequired(p, "syssn", "out_trade_no", "txamt", "txdtm"); !ok {
		return ans
	}
	no := p.Get("out_trade_no")
	if len(no) > 128 {
		return qfRefuse(qfpay.CodeParameter, "out_trade_no is longer than 128")
	}
	if _, err := qfpay.ParseWireTime(p.Get("txdtm")); err != nil {
		return qfRefuse(qfpay.CodeParameter, "txdtm must be YYYY-MM-DD hh:mm:ss")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.byNo[no]; dup {
		return qfRefuse(qfpay.CodeSerialRepeats, "out_trade_no "+no+" was already used (sales and refunds share the numbers)")
	}
	sale, ans, ok := h.lookup(p.Get("syssn"), "")
	if !ok {
		return ans
	}
	amount, ok := qfAmount(p.Get("txamt"), sale.amount.Currency)
	if !ok {
		return qfRefuse(qfpay.CodeParameter, "txamt must be a whole number of minor units, 1 to 11 digits")
	}
	sale.expire(now)
	switch {
	case !sale.method.CanRefund:
		return qfRefuse("1155", sale.method.Name+" payments cannot be refunded")
	case sale.cancel == qfpay.CancelReversed || sale.cancel == qfpay.CancelClosed:
		return qfRefuse("1263", "the order was cancelled")
	case sale.respcd != qfpay.CodeOK:
		return qfRefuse("1261", "the order is not paid")
	case amount.Minor > sale.amount.Minor-sale.refunded:
		return qfRefuse(qfpay.CodeRefundBalance, "refundable: "+payments.Money{Minor: sale.amount.Minor - sale.refunded, Currency: sale.amount.Currency}.MinorString())
	}
	rf := &qfTxn{syssn: h.nextSyssn(now), outTradeNo: no, method: sale.method, amount: amount, refund: true, sale: sale,
		txdtm: p.Get("txdtm"), udid: p.Get("udid"), mchid: p.Get("mchid"), signType: sale.signType,
		created: now, paid: now, respcd: qfpay.CodeOK}
	sale.refunded += amount.Minor
	sale.cancel = qfpay.CancelPartlyRefunded
	if sale.refunded == sale.amount.Minor {
		sale.cancel = qfpay.CancelRefunded
	}
	h.byNo[no], h.bySyssn[rf.syssn] = rf, rf
	h.all = append(h.all, rf)
	f := rf.answer(qfpay.CodeOK)
	f["orig_syssn"] = sale.syssn
	return qfAnswer{fields: f, notes: h.refundNote(rf)}
}

// cancel serves path, /trade/v1/reversal or /trade/v1/close, as QFPay's
// Reversal API guide assigns them (qfpay.CancelPath of the catalogue): a
// pay type sent to the other endpoint, or one that cannot be cancelled at
// all, is refused with 1150. txamt must be the order's (1266) and txdtm
// the original payment's (1267). A waiting order ends reversed (cancel=1,
// respcd 1263) or closed (cancel=2, respcd 1264), and the answer carries a
// new syssn and the order's as orig_syssn; an amount ending in
// QFPayCancelPendingCents answers 1145 and ends later. A paid order
// answers 1260, a cancelled one 1142, a refunded one 1262, an expired one
// 1181. Every call is counted in QFPayCancels.
func (h *qfpayHalf) cancel(path string) func(c qfCall) qfAnswer {
	return func(c qfCall) qfAnswer {
		p, now := c.p, c.now
		if ans, ok := qfRequired(p, "txamt", "txdtm"); !ok {
			return ans
		}
		if p.Get("syssn") == "" && p.Get("out_trade_no") == "" {
			return qfRefuse(qfpay.CodeParameter, "syssn or out_trade_no is required")
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		t, ans, ok := h.lookup(p.Get("syssn"), p.Get("out_trade_no"))
		if !ok {
			h.countCancel(path, "")
			return ans
		}
		h.countCancel(path, t.method.Code)
		switch want := guideCancelPath[t.method.Code]; {
		case want == "":
			return qfRefuse(qfNoCancel, "pay_type "+t.method.Code+" ("+t.method.Name+") cannot be cancelled: Hong Kong pay types do not support cancel")
		case want != path:
			return qfRefuse(qfNoCancel, "pay_type "+t.method.Code+" is cancelled with "+want+", not "+path)
		}
		if p.Get("txamt") != t.amount.MinorString() {
			return qfRefuse("1266", "txamt is not the order's amount")
		}
		if p.Get("txdtm") != t.txdtm {
			return qfRefuse("1267", "txdtm must be the original transaction's time ("+t.txdtm+")")
		}
		t.expire(now)
		switch {
		case t.cancel == qfpay.CancelRefunded || t.cancel == qfpay.CancelPartlyRefunded:
			return qfRefuse("1262", "the order was refunded")
		case t.cancel != 0:
			return qfRefuse(qfpay.CodeClosed, "the order was already cancelled")
		case t.respcd == qfpay.CodeOK:
			return qfRefuse(qfpay.CodeAlreadyPaid, "the order is paid: refund it instead")
		case t.respcd == qfpay.CodeExpired:
			return qfRefuse(qfpay.CodeExpired, "the QR code expired")
		}
		flag := qfpay.CancelClosed
		if path == qfpay.PathReversal {
			flag = qfpay.CancelReversed
		}
		if t.cancelSyssn == "" {
			t.cancelSyssn = h.nextSyssn(now)
		}
		respcd := qfpay.CodeOK
		if t.cancelPending != 0 || t.amount.Minor%100 == QFPayCancelPendingCents {
			respcd, t.cancelPending = qfpay.CodeProcessing, flag
		} else {
			t.cancelNow(flag)
		}
		f := map[string]any{"syssn": t.cancelSyssn, "orig_syssn": t.syssn, "txamt": t.amount.MinorString(),
			"txcurrcd": string(t.amount.Currency), "txdtm": t.txdtm, "sysdtm": qfpay.WireTime(now), "chnlsn": "",
			"respcd": respcd, "resperr": qfpay.Message(respcd), "respmsg": ""}
		if respcd == qfpay.CodeOK {
			f["resperr"] = "success"
		}
		return qfAnswer{fields: f}
	}
}

// cancelNow ends a waiting order with the cancel flag (reversed or closed)
// and that flag's own record code.
func (t *qfTxn) cancelNow(flag int) {
	t.cancel, t.pendingQueries, t.final, t.cancelPending = flag, 0, "", 0
	t.respcd = qfClosed
	if flag == qfpay.CancelReversed {
		t.respcd = qfReversed
	}
}

// guideCancelPath is QFPay's Reversal API guide's table (providers.md
// 2.2), written out here rather than read from the terminal's catalogue,
// so that the sandbox holds the terminal to the guide and not to itself.
// A pay type not listed cannot be cancelled.
var guideCancelPath = map[string]string{
	"800101": "/trade/v1/reversal", "801501": "/trade/v1/reversal", "800201": "/trade/v1/reversal", "800108": "/trade/v1/reversal",
	"800008": "/trade/v1/close", "800208": "/trade/v1/close", "801008": "/trade/v1/close",
}

// countCancel counts one call of a cancel endpoint; callers hold h.mu.
func (h *qfpayHalf) countCancel(path, payType string) {
	if h.cancels[path] == nil {
		h.cancels[path] = map[string]int{}
	}
	h.cancels[path][payType]++
}

// seed makes a stranger's order: another terminal's sale under number no,
// paid or still waiting, for the engine's collision tests. No notification
// is sent.
func (h *qfpayHalf) seed(r SeedRequest) error {
	m, err := payments.LookupMethod(payments.QFPay, r.MethodCode)
	if err != nil || (m.Mode != payments.MPM && m.Mode != payments.CPM) {
		return fmt.Errorf("qfpay has no in-store pay_type %q", r.MethodCode)
	}
	if _, ok := qfAmount(r.Amount.MinorString(), r.Amount.Currency); !ok || !r.Amount.Currency.Valid() {
		return fmt.Errorf("qfpay amount %s is not a QFPay amount", r.Amount)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.byNo[r.OutTradeNo]; dup {
		return fmt.Errorf("qfpay out_trade_no %s is already used", r.OutTradeNo)
	}
	now := h.now()
	t := &qfTxn{syssn: h.nextSyssn(now), outTradeNo: r.OutTradeNo, method: m, amount: r.Amount,
		txdtm: qfpay.WireTime(now), udid: r.TID, goodsName: "seeded", signType: qfpay.SignMD5, created: now}
	switch {
	case r.Paid:
		t.respcd, t.paid = qfpay.CodeOK, now
	case m.Mode == payments.MPM:
		t.respcd, t.expiresAt = qfWaiting, now.Add(QFPayOrderExpiry)
	default:
		t.respcd = qfpay.CodeProcessing // pending until reversed or /sandbox/pay
	}
	h.byNo[t.outTradeNo], h.bySyssn[t.syssn] = t, t
	h.all = append(h.all, t)
	return nil
}
