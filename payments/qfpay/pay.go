package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"qrpos/payments"
)

// MPM QR lifetime bounds (expired_time, minutes).
const (
	minExpiry     = 5
	maxExpiry     = 120
	defaultExpiry = 30
	maxGoodsName  = 20
)

// expiredTime is expired_time for a QR lifetime: whole minutes, rounded
// up, kept within QFPay's 5..120; zero means QFPay's default, 30.
func expiredTime(d time.Duration) string {
	if d <= 0 {
		return strconv.Itoa(defaultExpiry)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	return strconv.Itoa(min(max(m, minExpiry), maxExpiry))
}

// goodsName keeps what QFPay accepts of a subject: letters, digits and
// spaces (any script), at most 20 of them.
func goodsName(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxGoodsName {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' {
			b.WriteRune(r)
			n++
		}
	}
	return strings.TrimSpace(b.String())
}

// Pay sends a payment: an MPM pre-order (the answer's qrcode is shown to
// the customer) or a CPM payment with the customer's auth_code. txdtm is
// r.At (the order's time, which a later reversal or close must send again),
// or now when it is zero; an MPM order always sends expired_time (r.ExpiresIn
// in whole minutes rounded up, kept within 5..120; 30 when zero).
//
// Results:
//   - CPM 0000: State Paid. MPM 0000: State Pending with QRCode: the QR
//     exists, nothing is paid yet.
//   - 1143/1145: State Pending, nil error: the customer may be typing a
//     password. Query; never send the payment again.
//   - any other respcd: State Failed and a *payments.ProviderError (the
//     provider said no: final), except when QFPay was busy or failing
//     (KindBusy, KindSystem; also any code not in QFPay's table): then
//     State Unknown and an error wrapping both
//     payments.ErrOutcomeUnknown and the *payments.ProviderError.
//   - no trustworthy answer (transport, HTTP 5xx, unparsable body, a QR
//     missing, an answer about another order): State Unknown, error
//     wrapping payments.ErrOutcomeUnknown.
//   - nothing sent (bad request, context ended while waiting for the rate
//     limit): State Created and a plain error.
func (g *Gateway) Pay(ctx context.Context, r payments.PayRequest) (payments.PayResult, error) {
	const op = "pay"
	no := r.OutTradeNo
	notSent := payments.PayResult{State: payments.Created}
	m, err := method(op, no, r.Method)
	if err != nil {
		return notSent, err
	}
	if no == "" {
		return notSent, errors.New("qfpay pay: out_trade_no is empty")
	}
	if err := checkAmount(op, no, r.Amount); err != nil {
		return notSent, err
	}
	params := url.Values{}
	params.Set("txamt", r.Amount.MinorString())
	params.Set("txcurrcd", string(r.Amount.Currency))
	params.Set("pay_type", m.Code)
	params.Set("out_trade_no", no)
	params.Set("txdtm", g.txdtmOf(r.At))
	params.Set("goods_name", goodsName(r.Subject))
	params.Set("udid", g.udid(r.TID))
	params.Set("notify_url", r.NotifyURL)
	log := g.log.With("out_trade_no", no, "pay_type", m.Code)
	switch m.Mode {
	case payments.MPM:
		params.Set("expired_time", expiredTime(r.ExpiresIn))
	case payments.CPM:
		if r.AuthCode == "" {
			return notSent, fmt.Errorf("qfpay pay %s: CPM needs the customer's auth code", no)
		}
		params.Set("auth_code", r.AuthCode)
		log = log.With("auth_code", payments.MaskSecret(r.AuthCode))
	}
	resp, err := g.call(ctx, op, no, "/trade/v1/payment", params)
	if err != nil {
		if errors.Is(err, payments.ErrOutcomeUnknown) {
			return payments.PayResult{State: payments.Unknown}, err
		}
		return notSent, err
	}
	code := resp.RespCd.String()
	res := payments.PayResult{ProviderRef: resp.Syssn.String(), Code: code,
		Message: messageFor(code, resp.RespErr.String(), resp.RespMsg.String())}
	if bad := echoMismatch(&resp.record, no, r.Amount); bad != "" && (code == CodeOK || isPending(code)) {
		log.Error("qfpay payment answer does not match the request", "problem", bad)
		res.State = payments.Unknown
		return res, unknown(op, no, "%s", bad)
	}
	switch {
	case code == CodeOK && m.Mode == payments.CPM:
		res.State = payments.Paid
	case code == CodeOK:
		res.QRCode = resp.QRCode.String()
		if res.QRCode == "" {
			res.State = payments.Unknown
			return res, unknown(op, no, "respcd 0000 without a qrcode")
		}
		res.State = payments.Pending
	case isPending(code):
		res.State = payments.Pending
	default:
		err := refusal(op, no, &resp.record)
		res.State = payments.Failed
		if errors.Is(err, payments.ErrOutcomeUnknown) {
			res.State = payments.Unknown
		}
		log.Info("qfpay payment refused", "respcd", code, "unknown_outcome", res.State == payments.Unknown)
		return res, err
	}
	log.Info("qfpay payment", "respcd", code, "state", res.State, "syssn", res.ProviderRef)
	return res, nil
}
