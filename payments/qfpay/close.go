package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"qrpos/payments"
)

// The two ways QFPay ends an unpaid order (providers.md 2.2).
const (
	PathReversal = "/trade/v1/reversal"
	PathClose    = "/trade/v1/close"
)

// CancelPath is the endpoint that ends an unpaid order of method m, as the
// catalogue says (QFPay's Reversal API guide): PathReversal, PathClose, or
// "" when QFPay cannot cancel it.
func CancelPath(m payments.Method) string {
	switch m.Cancel {
	case payments.CancelReversal:
		return PathReversal
	case payments.CancelClose:
		return PathClose
	}
	return ""
}

// Close ends an unpaid sale the way the catalogue says for its method
// (payments.Method.Cancel): POST /trade/v1/reversal for 800101, 801501,
// 800201 and 800108, /trade/v1/close for 800008, 800208 and 801008. The
// Hong Kong pay types (PayMe, FPS, UnionPay, Octopus) cannot be cancelled:
// Close returns a *payments.ProviderError of kind KindUnsupported without
// sending anything, and the order runs out at its expired_time.
//
// txdtm is the original payment's time, r.OrderAt; when r.OrderAt is zero
// the payment's own txdtm is first asked of QFPay with a query.
//
// Results: 0000 Closed, with Ref the reversal's or close's own new syssn
// (never the sale's); 1143/1145 Pending (still in progress: query until
// final); 1142/1263/1264 (already closed) Closed and 1181 Expired, without
// error; 1260 Paid with a *payments.ProviderError of kind KindAlreadyPaid;
// other refusals Unknown with a *payments.ProviderError (also wrapping
// payments.ErrOutcomeUnknown when QFPay was busy or failing); no
// trustworthy answer, or an answer about another order: Unknown wrapping
// payments.ErrOutcomeUnknown. "A reversal does not guarantee that the user
// has not been charged": the engine queries after every close.
func (g *Gateway) Close(ctx context.Context, r payments.CloseRequest) (payments.CloseResult, error) {
	const op = "close"
	no := r.OutTradeNo
	if no == "" {
		no = r.ProviderRef
	}
	notSent := payments.CloseResult{State: payments.Unknown}
	m, err := method(op, no, r.Method)
	if err != nil {
		return notSent, err
	}
	path := CancelPath(m)
	if path == "" {
		return notSent, &payments.ProviderError{Provider: payments.QFPay, Op: op, OrderNo: no,
			Kind: payments.KindUnsupported, Message: m.Name + " orders cannot be cancelled at QFPay: the QR runs out at its expiry time"}
	}
	if no == "" {
		return notSent, errors.New("qfpay close: neither out_trade_no nor syssn given")
	}
	if err := checkAmount(op, no, r.Amount); err != nil {
		return notSent, err
	}
	txdtm, err := g.originalTxdtm(ctx, op, no, r)
	if err != nil {
		return notSent, err
	}
	params := url.Values{}
	if r.OutTradeNo != "" {
		params.Set("out_trade_no", r.OutTradeNo)
	} else {
		params.Set("syssn", r.ProviderRef)
	}
	params.Set("txamt", r.Amount.MinorString())
	params.Set("txdtm", txdtm)
	params.Set("udid", g.cfg.TID)
	resp, err := g.call(ctx, op, no, path, params)
	if err != nil {
		return notSent, err
	}
	code := resp.RespCd.String()
	res := payments.CloseResult{Ref: resp.Syssn.String(), Code: code,
		Message: messageFor(code, resp.RespErr.String(), resp.RespMsg.String())}
	log := g.log.With("out_trade_no", no, "path", path, "respcd", code)
	if code == CodeOK || isPending(code) {
		if bad := cancelEchoMismatch(&resp.record, r); bad != "" {
			log.Error("qfpay cancel answer does not match the request", "problem", bad)
			res.State = payments.Unknown
			return res, unknown(op, no, "%s", bad)
		}
	}
	switch {
	case code == CodeOK:
		res.State = payments.Closed
	case isPending(code):
		res.State = payments.Pending
	case code == CodeExpired:
		res.State = payments.Expired
	case KindOf(code) == payments.KindClosed:
		res.State = payments.Closed
	case code == CodeAlreadyPaid:
		res.State = payments.Paid
		return res, refusal(op, no, &resp.record)
	default:
		res.State = payments.Unknown
		log.Info("qfpay cancel refused")
		return res, refusal(op, no, &resp.record)
	}
	log.Info("qfpay cancel", "state", res.State, "syssn", res.Ref, "orig_syssn", resp.OrigSyssn.String())
	return res, nil
}

// originalTxdtm is the txdtm a cancel sends: the original payment's time.
// Without r.OrderAt it is read from QFPay's record of the payment.
func (g *Gateway) originalTxdtm(ctx context.Context, op, no string, r payments.CloseRequest) (string, error) {
	if !r.OrderAt.IsZero() {
		return WireTime(r.OrderAt), nil
	}
	g.log.Warn("qfpay cancel without the order's time: asking QFPay for it", "out_trade_no", no)
	params := url.Values{}
	if r.OutTradeNo != "" {
		params.Set("out_trade_no", r.OutTradeNo)
	} else {
		params.Set("syssn", r.ProviderRef)
	}
	rec, err := g.findRecord(ctx, op, no, params, payments.QueryRequest{OutTradeNo: r.OutTradeNo, ProviderRef: r.ProviderRef})
	if err != nil {
		return "", fmt.Errorf("qfpay close %s: finding the payment's txdtm: %w", no, err)
	}
	t := rec.TxDtm.String()
	if _, err := ParseWireTime(t); err != nil {
		return "", fmt.Errorf("qfpay close %s: not sent: the payment's record has no readable txdtm (%q)", no, t)
	}
	return t, nil
}

// cancelEchoMismatch reports a reversal or close answer about another
// order or amount than the one asked: its acceptance cannot be trusted.
func cancelEchoMismatch(a *record, r payments.CloseRequest) string {
	if got := a.OutTradeNo.String(); got != "" && r.OutTradeNo != "" && got != r.OutTradeNo {
		return fmt.Sprintf("answer is about out_trade_no %q", got)
	}
	if got := a.TxAmt.String(); got != "" && got != r.Amount.MinorString() {
		return fmt.Sprintf("answer says txamt %q, asked %s", got, r.Amount.MinorString())
	}
	if got := a.OrigSyssn.String(); got != "" && r.ProviderRef != "" && got != r.ProviderRef {
		return fmt.Sprintf("answer cancels syssn %q, asked %q", got, r.ProviderRef)
	}
	return ""
}
