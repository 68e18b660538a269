package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"qrpos/payments"
)

// Refund refunds r.Amount of a paid sale under the new, unique r.RefundNo
// (QFPay's out_trade_no of the refund; unique across sales and refunds).
// txamt is always sent, a full refund included. Without r.ProviderRef the
// sale's syssn is first looked up with a query.
//
// Results: 0000 RefundDone; 1143/1145 RefundPending (query the refund);
// any other respcd RefundFailed and a *payments.ProviderError (KindBusy and
// KindSystem, any code not in QFPay's table included: RefundUnknown, also
// wrapping payments.ErrOutcomeUnknown); no trustworthy answer (an answer
// about another refund number, amount or sale included): RefundUnknown and
// payments.ErrOutcomeUnknown. Methods
// that cannot be refunded (FPS) give RefundFailed and KindUnsupported
// without a request; State RefundCreated means nothing was sent.
func (g *Gateway) Refund(ctx context.Context, r payments.RefundRequest) (payments.RefundResult, error) {
	const op = "refund"
	no := r.RefundNo
	notSent := payments.RefundResult{State: payments.RefundCreated}
	m, err := method(op, no, r.Method)
	if err != nil {
		return notSent, err
	}
	if !m.CanRefund {
		return payments.RefundResult{State: payments.RefundFailed}, &payments.ProviderError{Provider: payments.QFPay,
			Op: op, OrderNo: no, Kind: payments.KindUnsupported, Message: m.Name + " payments cannot be refunded"}
	}
	if no == "" || no == r.OutTradeNo {
		return notSent, fmt.Errorf("qfpay refund %s: the refund needs its own new number", r.OutTradeNo)
	}
	if err := checkAmount(op, no, r.Amount); err != nil {
		return notSent, err
	}
	syssn := r.ProviderRef
	if syssn == "" {
		q, err := g.Query(ctx, payments.QueryRequest{OutTradeNo: r.OutTradeNo, Method: m, Amount: r.SaleAmount})
		if err != nil {
			return notSent, fmt.Errorf("qfpay refund %s: finding the syssn of sale %s: %w", no, r.OutTradeNo, err)
		}
		syssn = q.ProviderRef
	}
	params := url.Values{}
	params.Set("syssn", syssn)
	params.Set("out_trade_no", no)
	params.Set("txamt", r.Amount.MinorString())
	params.Set("txdtm", g.txdtm())
	params.Set("udid", g.cfg.TID)
	resp, err := g.call(ctx, op, no, "/trade/v1/refund", params)
	if err != nil {
		if errors.Is(err, payments.ErrOutcomeUnknown) {
			return payments.RefundResult{State: payments.RefundUnknown}, err
		}
		return notSent, err
	}
	code := resp.RespCd.String()
	res := payments.RefundResult{ProviderRef: resp.Syssn.String(), Code: code,
		Message: messageFor(code, resp.RespErr.String(), resp.RespMsg.String())}
	bad := echoMismatch(&resp.record, no, r.Amount)
	if got := resp.origSyssn(); bad == "" && got != "" && got != syssn {
		bad = fmt.Sprintf("answer refunds syssn %q, asked %q", got, syssn)
	}
	if bad != "" && (code == CodeOK || isPending(code)) {
		res.State = payments.RefundUnknown
		return res, unknown(op, no, "%s", bad)
	}
	switch {
	case code == CodeOK:
		res.State = payments.RefundDone
	case isPending(code):
		res.State = payments.RefundPending
	default:
		err := refusal(op, no, &resp.record)
		res.State = payments.RefundFailed
		if errors.Is(err, payments.ErrOutcomeUnknown) {
			res.State = payments.RefundUnknown
		}
		return res, err
	}
	g.log.Info("qfpay refund", "out_trade_no", r.OutTradeNo, "refund_no", no, "respcd", code, "state", res.State)
	return res, nil
}
