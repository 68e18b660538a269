package eftpay

import (
	"log/slog"
	"sync"

	"qrpos/payments"
)

// Trade statuses on eftPay's wire (providers.md 1.4; WAITTING is eftPay's
// own spelling).
const (
	TradeWaiting    = "WAITTING_PAYMENT"
	TradeSuccess    = "TRADE_SUCCESS"
	TradeClosed     = "TRADE_CLOSED"
	TradeProcessing = "TRADE_PROCESSING"
	TradeApplied    = "APPLY_SUCCESS"
	TradeRefund     = "TRADE_REFUND"
	TradeFail       = "TRADE_FAIL"
)

// Trade types (trade_type).
const (
	TradeTypeSale   = "SALE"
	TradeTypeRefund = "REFUND"
)

// StatusOK is return_status 00: the call was understood. It says nothing
// about money; only trade_status does.
const StatusOK = "00"

type statusInfo struct {
	kind payments.ErrorKind
	text string
}

// statuses is eftPay's appendix 3 plus the codes seen only in logs
// (providers.md 1.4). The texts are ours, for people; eftPay's return_char
// varies and is never matched on.
var statuses = map[string]statusInfo{
	"00":  {"", "ok"},
	"01":  {payments.KindBadRequest, "notify_url is empty"},
	"02":  {payments.KindBadRequest, "wallet and type do not match"},
	"03":  {payments.KindDuplicate, "out_trade_no already used"},
	"04":  {payments.KindBadRequest, "wallet and type do not match"},
	"05":  {payments.KindNotFound, "trade does not exist"},
	"06":  {payments.KindBadRequest, "parameter error"},
	"09":  {payments.KindSystem, "order could not be created"},
	"10":  {payments.KindBadSignature, "signature error: check the secret"},
	"11":  {payments.KindAuth, "user not found: check user_confirm_key"},
	"12":  {payments.KindClock, "client time is off: check the terminal's clock"},
	"15":  {payments.KindAlreadyPaid, "already paid"},
	"16":  {payments.KindRefundRefused, "refund or cancel refused: still awaiting payment"},
	"20":  {payments.KindBadRequest, "wrong paytype"},
	"-1":  {payments.KindSystem, "system or interface error"},
	"-11": {payments.KindAuth, "secret is empty"},
	"-12": {payments.KindAuth, "bad user_confirm_key"},
	"-13": {payments.KindBadRequest, "request is not valid JSON"},
	"-16": {payments.KindBadRequest, "payment_type does not match"},
	"-22": {payments.KindAmount, "amount format is wrong"},
	"-23": {payments.KindAmount, "amount outside 0.02 to 60000"},
	"-53": {payments.KindRefundBalance, "refund: insufficient balance"},
	"-54": {payments.KindRefundBalance, "refund amount is wrong (above the refundable balance)"},
	"-55": {payments.KindClosed, "already cancelled"},
	"-99": {payments.KindSystem, "system error or duplicate number"},
}

// OutcomeUnknown reports whether an answer with this return_status (other
// than 00) leaves open what happened at eftPay: -1 (system or interface
// error), -99 (system error, or a duplicate number: eftPay does not say
// which), 09 (the order could not be created, as far as eftPay knows) and
// any code not in the table. Every other code is a verified refusal: final.
func OutcomeUnknown(code string) bool {
	if c, _, ok := normaliseStatus(code); ok {
		code = c
	}
	if _, known := statuses[code]; !known {
		return true
	}
	return code == "-1" || code == "-99" || code == "09"
}

// DescribeStatus gives the error kind callers branch on and a text for
// people for an eftPay return_status ("03", "-22", also "3"). An unknown
// code is a system error.
func DescribeStatus(code string) (payments.ErrorKind, string) {
	if c, _, ok := normaliseStatus(code); ok {
		code = c
	}
	if info, ok := statuses[code]; ok {
		return info.kind, info.text
	}
	return payments.KindSystem, "unknown return_status " + code
}

// SaleState maps a sale's trade_status to a payments state. known is false
// for a status eftPay has not been seen to send: it is not final (Unknown),
// keep querying.
func SaleState(tradeStatus string) (s payments.State, known bool) {
	switch tradeStatus {
	case TradeWaiting:
		return payments.Pending, true
	case TradeSuccess:
		return payments.Paid, true
	case TradeClosed:
		return payments.Closed, true
	}
	return payments.Unknown, false
}

// RefundStateOf maps a refund's trade_status: TRADE_PROCESSING and
// APPLY_SUCCESS are pending, TRADE_REFUND (partial) and TRADE_CLOSED (full)
// done, TRADE_FAIL failed. Anything else is pending, with known false.
func RefundStateOf(tradeStatus string) (s payments.RefundState, known bool) {
	switch tradeStatus {
	case TradeProcessing, TradeApplied:
		return payments.RefundPending, true
	case TradeRefund, TradeClosed:
		return payments.RefundDone, true
	case TradeFail:
		return payments.RefundFailed, true
	}
	return payments.RefundPending, false
}

// surprises logs each unexpected trade_status once per value, not per call:
// a terminal polling an order every two seconds would otherwise fill the log.
type surprises struct {
	seen sync.Map // "sale:" or "refund:" + status -> struct{}
	log  *slog.Logger
}

func (s *surprises) note(kind, status, op, orderNo string) {
	if _, dup := s.seen.LoadOrStore(kind+":"+status, struct{}{}); dup {
		return
	}
	s.log.Warn("eftpay: unexpected trade_status, treated as not final",
		"kind", kind, "trade_status", status, "op", op, "out_trade_no", orderNo)
}

func (s *surprises) saleState(tradeStatus, op, orderNo string) payments.State {
	st, known := SaleState(tradeStatus)
	if !known {
		s.note("sale", tradeStatus, op, orderNo)
	}
	return st
}

func (s *surprises) refundState(tradeStatus, op, orderNo string) payments.RefundState {
	st, known := RefundStateOf(tradeStatus)
	if !known {
		s.note("refund", tradeStatus, op, orderNo)
	}
	return st
}
