package sandbox

import (
	"fmt"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
)

// EftpayOrderExpiry is how long an unpaid eftPay order stays payable, by
// the sandbox's clock (Config.Now): after it the order is TRADE_CLOSED, as
// if eftPay's own timeout had run out. No notification is sent for it.
const EftpayOrderExpiry = 30 * time.Minute

// PayMe UAT magic amounts (seed eftpay-qrcode-preorder.txt): the last two
// decimals of a PayMe pre-order's amount choose what happens. Any other
// wallet, or any other two decimals, behaves normally.
const (
	// EftpayPayMeSuccess (x.81): the customer pays at once; the first query says
	// TRADE_SUCCESS. PayMe sends no notification.
	EftpayPayMeSuccess = 81
	// EftpayPayMeTimeout (x.80): a QR nobody can pay (/sandbox/pay refuses it);
	// WAITTING_PAYMENT until EftpayOrderExpiry, then TRADE_CLOSED.
	EftpayPayMeTimeout = 80
	// EftpayPayMeFailed (x.77): the order is created and fails right away; the
	// first query says TRADE_CLOSED.
	EftpayPayMeFailed = 77
	// EftpayPayMeNoQR (x.44): "server error, no payment QR code": the pre-order
	// answers return_status -1 (unsigned) and creates nothing; a query for
	// the number answers 05 and the number may be used again.
	EftpayPayMeNoQR = 44
	// EftpayPayMeNoState (x.45): "server error, no state": the order is created
	// and the pre-order answers 00 with a QR, but nobody can pay it and
	// every query answers 00 without any trade_status until
	// EftpayOrderExpiry, then TRADE_CLOSED.
	EftpayPayMeNoState = 45
)

// EftpayApplePayDecline is the Apple Pay rule: a token_id containing it (in any
// letter case) is declined (TRADE_CLOSED); any other token is paid
// (TRADE_SUCCESS). The answer is final either way.
const EftpayApplePayDecline = "decline"

type eftOrder struct {
	no        string
	method    payments.Method
	amount    payments.Money
	refunded  payments.Money
	status    string // trade_status
	ref       string // eftpay_trade_no
	txID      string // transaction_id, once paid
	buyerID   string
	tid       string
	subject   string
	buyerType string
	notifyURL string
	payMe     int // the PayMe rule in force, 0 for none
	created   time.Time
	paidAt    time.Time
	notified  bool
	refunds   []*eftRefund
}

type eftRefund struct {
	no      string
	order   *eftOrder
	amount  payments.Money
	status  string // TRADE_REFUND (partial) or TRADE_CLOSED (the last of the balance)
	created time.Time
}

// settle applies the clock: an unpaid order past EftpayOrderExpiry closes.
// Callers hold h.mu.
func (h *eftpayHalf) settle(o *eftOrder, now time.Time) {
	if o.status == eftpay.TradeWaiting && now.Sub(o.created) >= EftpayOrderExpiry {
		o.status = eftpay.TradeClosed
	}
}

// newOrder records an order; callers hold h.mu and have checked the number.
func (h *eftpayHalf) newOrder(req map[string]string, m payments.Method, amount payments.Money, now time.Time) *eftOrder {
	h.seq++
	o := &eftOrder{no: req["out_trade_no"], method: m, amount: amount, refunded: payments.Money{Currency: amount.Currency},
		status: eftpay.TradeWaiting, ref: fmt.Sprintf("0852%s%06d", now.In(eftpay.HKT).Format("060102150405"), h.seq),
		tid: req["tid"], subject: req["subject"], buyerType: req["buyertype"], notifyURL: req["notify_url"], created: now}
	h.byNo[o.no] = o
	h.list = append(h.list, o)
	return o
}

// markPaid is the customer paying; callers hold h.mu.
func (h *eftpayHalf) markPaid(o *eftOrder, now time.Time) {
	o.status = eftpay.TradeSuccess
	o.paidAt = now
	o.txID = "4200" + strings.TrimPrefix(o.ref, "0852")
	o.buyerID = fmt.Sprintf("2088%012d", h.seq)
}

// admitSale checks a new sale's amount (-22, -23) and that its number is
// new (03); callers hold h.mu.
func (h *eftpayHalf) admitSale(req map[string]string) (payments.Money, map[string]string) {
	amount, refused := h.parseAmount(req["transaction_amount"], true)
	if refused != nil {
		return payments.Money{}, refused
	}
	if _, dup := h.byNo[req["out_trade_no"]]; dup {
		return payments.Money{}, h.refuse("03", "out_trade_no already used")
	}
	return amount, nil
}

func (h *eftpayHalf) preOrder(req map[string]string, m payments.Method, now time.Time) map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	amount, refused := h.admitSale(req)
	if refused != nil {
		return refused
	}
	rule := 0
	if m.Wallet == payments.PayMe {
		switch c := int(amount.Minor % 100); c {
		case EftpayPayMeSuccess, EftpayPayMeTimeout, EftpayPayMeFailed, EftpayPayMeNoState:
			rule = c
		case EftpayPayMeNoQR:
			return h.refuse("-1", "PayMe server error: no payment QR code")
		}
	}
	o := h.newOrder(req, m, amount, now)
	o.payMe = rule
	switch rule {
	case EftpayPayMeSuccess:
		h.markPaid(o, now)
	case EftpayPayMeFailed:
		o.status = eftpay.TradeClosed
	}
	qr := fmt.Sprintf("https://qr.sandbox.invalid/eftpay/%s/%s", m.Code, o.ref)
	addr := ""
	if m.PayType == h.alipayPayType {
		addr = qr // only Alipay returns qr_code_address
	}
	return h.ok(map[string]string{
		"qr_code": qr, "qr_code_address": addr, "user_confirm_key": req["user_confirm_key"],
		"out_trade_no": o.no, "paytype": m.PayType, "buyertype": o.buyerType, "payment_type": m.Code,
		"transaction_amount": amount.Decimal(), "tid": o.tid, "subject": o.subject, "eftpay_trade_no": o.ref,
	})
}

// lookup finds the order a query, close or refund names; it must have been
// made through the same service family (the same wallet's services).
func (h *eftpayHalf) lookup(req map[string]string, service func(payments.EftpayServices) string) (*eftOrder, map[string]string) {
	o, found := h.byNo[req["out_trade_no"]]
	if !found {
		return nil, h.refuse("05", "trade does not exist")
	}
	if service(o.method.Services) != req["service"] {
		return nil, h.refuse("04", "the order was made with another wallet")
	}
	return o, nil
}

func (h *eftpayHalf) tradeFields(o *eftOrder) map[string]string {
	at := o.created
	if !o.paidAt.IsZero() {
		at = o.paidAt
	}
	return map[string]string{
		"out_trade_no": o.no, "trade_status": o.status, "user_confirm_key": h.s.cfg.EftpayUser,
		"trade_type": eftpay.TradeTypeSale, "buyer_id": o.buyerID, "tid": o.tid, "transaction_id": o.txID,
		"eftpay_trade_no": o.ref, "payment_type": o.method.Code, "trade_time": at.In(eftpay.HKT).Format(time.DateTime),
		"transaction_amount": o.amount.Decimal(), "currency": string(o.amount.Currency),
	}
}

func (h *eftpayHalf) refundFields(rf *eftRefund) map[string]string {
	f := h.tradeFields(rf.order)
	f["trade_type"] = eftpay.TradeTypeRefund
	f["trade_status"] = rf.status
	f["refund_no"] = rf.no
	f["return_amount"] = rf.amount.Decimal()
	f["trade_time"] = rf.created.In(eftpay.HKT).Format(time.DateTime)
	return f
}

func (h *eftpayHalf) query(req map[string]string, now time.Time) map[string]string {
	if req["querytype"] != "OUT_TRADE" {
		return h.refuse("06", "querytype must be OUT_TRADE")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o, refused := h.lookup(req, func(s payments.EftpayServices) string { return s.Query })
	if refused != nil {
		return refused
	}
	h.settle(o, now)
	if no := req["refund_no"]; no != "" {
		rf, found := h.refunds[no]
		if !found || rf.order != o {
			return h.refuse("05", "refund does not exist")
		}
		return h.ok(h.refundFields(rf))
	}
	f := h.tradeFields(o)
	if o.payMe == EftpayPayMeNoState && o.status == eftpay.TradeWaiting {
		delete(f, "trade_status")
	}
	return h.ok(f)
}

// close ends an unpaid order; a paid one answers 00 with TRADE_SUCCESS (as
// the seed's example does), a closed one -55.
func (h *eftpayHalf) close(req map[string]string, now time.Time) map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	o, refused := h.lookup(req, func(s payments.EftpayServices) string { return s.Close })
	if refused != nil {
		return refused
	}
	h.settle(o, now)
	switch o.status {
	case eftpay.TradeClosed:
		return h.refuse("-55", "already cancelled")
	case eftpay.TradeWaiting:
		o.status = eftpay.TradeClosed
	}
	return h.ok(h.tradeFields(o))
}

// refund refunds part or all of what is left of a paid sale: -54 above the
// balance (or zero), 16 while unpaid, -55 once closed, 03 for a refund_no
// already used. The answer is final: TRADE_REFUND, or TRADE_CLOSED for the
// refund that empties the balance.
func (h *eftpayHalf) refund(req map[string]string, now time.Time) map[string]string {
	no := req["refund_no"]
	if no == "" || len(no) > payments.MaxOrderNumber {
		return h.refuse("06", fmt.Sprintf("refund_no must be 1 to %d characters", payments.MaxOrderNumber))
	}
	amount, refused := h.parseAmount(req["transaction_amount"], false)
	if refused != nil {
		return refused
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o, refused := h.lookup(req, func(s payments.EftpayServices) string { return s.Refund })
	if refused != nil {
		return refused
	}
	if _, dup := h.refunds[no]; dup {
		return h.refuse("03", "refund_no already used")
	}
	h.settle(o, now)
	switch o.status {
	case eftpay.TradeWaiting:
		return h.refuse("16", "refund failed: the order is awaiting payment")
	case eftpay.TradeClosed:
		return h.refuse("-55", "already cancelled")
	}
	left := o.amount.Minor - o.refunded.Minor
	if amount.Minor <= 0 || amount.Minor > left {
		return h.refuse("-54", fmt.Sprintf("refund amount wrong: %s refundable", payments.Money{Minor: left, Currency: o.amount.Currency}.Decimal()))
	}
	rf := &eftRefund{no: no, order: o, amount: amount, status: eftpay.TradeRefund, created: now}
	o.refunded.Minor += amount.Minor
	if o.refunded.Minor == o.amount.Minor {
		rf.status = eftpay.TradeClosed
	}
	o.refunds = append(o.refunds, rf)
	h.refunds[no] = rf
	fields := h.refundFields(rf)
	h.notifyRefund(rf)
	return h.ok(fields)
}

// token is the Apple Pay token payment (camel-case payType and buyerType),
// final in its answer; see EftpayApplePayDecline.
func (h *eftpayHalf) token(req map[string]string, m payments.Method, now time.Time) map[string]string {
	switch {
	case req["payType"] == "":
		return h.refuse("06", "payType is missing (this service spells it payType)")
	case !strings.EqualFold(req["payType"], m.PayType):
		return h.refuse("02", fmt.Sprintf("payType %q does not match service %s", req["payType"], req["service"]))
	case req["wallet"] != m.Code:
		return h.refuse("04", fmt.Sprintf("wallet %q does not match service %s", req["wallet"], req["service"]))
	case !eftBuyerTypes[req["buyerType"]]:
		return h.refuse("06", "buyerType must be ios, android or others (this service spells it buyerType)")
	case req["pay_scene"] == "":
		return h.refuse("06", "pay_scene is missing")
	case req["fee_type"] != string(eftpay.Currency):
		return h.refuse("06", "fee_type must be HKD")
	case req["token_id"] == "":
		return h.refuse("06", "token_id is missing")
	}
	if ans := h.checkOrderNumber(req["out_trade_no"]); ans != nil {
		return ans
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	amount, refused := h.admitSale(req)
	if refused != nil {
		return refused
	}
	o := h.newOrder(req, m, amount, now)
	o.buyerType = req["buyerType"]
	gmt := ""
	if strings.Contains(strings.ToLower(req["token_id"]), EftpayApplePayDecline) {
		o.status = eftpay.TradeClosed
	} else {
		h.markPaid(o, now)
		gmt = now.In(eftpay.HKT).Format(time.DateTime)
		h.notifySale(o)
	}
	return h.ok(map[string]string{
		"token_id": "", "user_confirm_key": req["user_confirm_key"], "trade_no": o.txID, "transaction_id": o.txID,
		"gmt_payment": gmt, "trade_type": eftpay.TradeTypeSale, "pay_scene": req["pay_scene"],
		"out_trade_no": o.no, "eft_trade_no": o.ref, "eftpay_trade_no": o.ref, "total_fee": amount.Decimal(),
		"currency": string(amount.Currency), "wallet": m.Code, "trade_status": o.status, "tid": o.tid,
	})
}

// pay plays the customer for /sandbox/pay and Server.Pay.
func (h *eftpayHalf) pay(outTradeNo, outcome string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	o, found := h.byNo[outTradeNo]
	if !found {
		return false, nil
	}
	h.settle(o, h.now())
	switch {
	case o.status == eftpay.TradeSuccess:
		return true, fmt.Errorf("eftpay order %s is already paid", outTradeNo)
	case o.status != eftpay.TradeWaiting:
		return true, fmt.Errorf("eftpay order %s is %s: it can no longer be paid", outTradeNo, o.status)
	case o.payMe == EftpayPayMeTimeout || o.payMe == EftpayPayMeNoState:
		return true, fmt.Errorf("eftpay order %s follows the PayMe .%02d rule: nobody can pay it", outTradeNo, o.payMe)
	}
	if outcome == "fail" {
		o.status = eftpay.TradeClosed
		return true, nil
	}
	h.markPaid(o, h.now())
	h.notifySale(o)
	return true, nil
}

func (h *eftpayHalf) orders() []OrderView {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	out := make([]OrderView, 0, len(h.list))
	for _, o := range h.list {
		h.settle(o, now)
		out = append(out, OrderView{
			Provider: string(payments.Eftpay), OutTradeNo: o.no, Method: o.method.Code,
			Amount: o.amount.Decimal(), Currency: string(o.amount.Currency), State: o.status,
			Paid: o.status == eftpay.TradeSuccess, Payable: o.status == eftpay.TradeWaiting, Refunded: o.refunded.Decimal(), Ref: o.ref,
			NotifyURL: o.notifyURL, Notified: o.notified,
			CreatedAt: o.created.UTC().Format("2006-01-02T15:04:05.000000000Z"),
		})
	}
	return out
}

// seed makes a stranger's order: another terminal's pre-order under number
// no, paid or still waiting, for the engine's collision tests. No
// notification is sent.
func (h *eftpayHalf) seed(r SeedRequest) error {
	m, err := payments.LookupMethod(payments.Eftpay, r.MethodCode)
	if err != nil || m.Mode != payments.MPM {
		return fmt.Errorf("eftpay has no pre-order payment_type %q", r.MethodCode)
	}
	if r.Amount.Currency != eftpay.Currency || eftpay.Range.Check(r.Amount) != nil {
		return fmt.Errorf("eftpay amount %s is not an eftPay amount", r.Amount)
	}
	if len(r.OutTradeNo) > payments.MaxOrderNumber {
		return fmt.Errorf("eftpay out_trade_no %q is longer than %d", r.OutTradeNo, payments.MaxOrderNumber)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.byNo[r.OutTradeNo]; dup {
		return fmt.Errorf("eftpay out_trade_no %s is already used", r.OutTradeNo)
	}
	now := h.now()
	o := h.newOrder(map[string]string{"out_trade_no": r.OutTradeNo, "tid": r.TID, "subject": "seeded",
		"buyertype": "others"}, m, r.Amount, now)
	if r.Paid {
		h.markPaid(o, now)
	}
	return nil
}
