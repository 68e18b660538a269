package qfpay

import (
	"context"
	"errors"
	"net/url"

	"qrpos/payments"
)

// Close ends an unpaid sale: /trade/v1/close for MPM, /trade/v1/reversal
// for CPM, sent as POST (QFPay's pages disagree between GET and POST).
//
// Results: 0000 Closed; 1142/1263/1264 (already closed) Closed and 1181
// Expired, without error; 1143/1145 Pending; 1260 Paid with a
// *payments.ProviderError of kind KindAlreadyPaid; other refusals Unknown
// with a *payments.ProviderError; no trustworthy answer: Unknown wrapping
// payments.ErrOutcomeUnknown. The engine queries after every close anyway.
func (g *Gateway) Close(ctx context.Context, r payments.CloseRequest) (payments.CloseResult, error) {
	const op = "close"
	no := r.OutTradeNo
	if no == "" {
		no = r.ProviderRef
	}
	m, err := method(op, no, r.Method)
	if err != nil {
		return payments.CloseResult{State: payments.Unknown}, err
	}
	if !m.CanClose {
		return payments.CloseResult{State: payments.Unknown}, &payments.ProviderError{Provider: payments.QFPay,
			Op: op, OrderNo: no, Kind: payments.KindUnsupported, Message: m.Name + " orders cannot be closed"}
	}
	if no == "" {
		return payments.CloseResult{State: payments.Unknown}, errors.New("qfpay close: neither out_trade_no nor syssn given")
	}
	if err := checkAmount(op, no, r.Amount); err != nil {
		return payments.CloseResult{State: payments.Unknown}, err
	}
	path := "/trade/v1/close"
	if m.Mode == payments.CPM {
		path = "/trade/v1/reversal"
	}
	params := url.Values{}
	if r.OutTradeNo != "" {
		params.Set("out_trade_no", r.OutTradeNo)
	} else {
		params.Set("syssn", r.ProviderRef)
	}
	params.Set("txamt", r.Amount.MinorString())
	params.Set("txdtm", g.txdtm())
	params.Set("udid", g.cfg.TID)
	resp, err := g.call(ctx, op, no, path, params)
	if err != nil {
		return payments.CloseResult{State: payments.Unknown}, err
	}
	code := resp.RespCd.String()
	res := payments.CloseResult{Code: code, Message: messageFor(code, resp.RespErr.String(), resp.RespMsg.String())}
	switch {
	case code == CodeOK:
		res.State = payments.Closed
	case code == CodeExpired:
		res.State = payments.Expired
	case KindOf(code) == payments.KindClosed:
		res.State = payments.Closed
	case isPending(code):
		res.State = payments.Pending
	case code == CodeAlreadyPaid:
		res.State = payments.Paid
		return res, refusal(op, no, &resp.record)
	default:
		res.State = payments.Unknown
		return res, refusal(op, no, &resp.record)
	}
	g.log.Info("qfpay close", "out_trade_no", no, "path", path, "respcd", code, "state", res.State)
	return res, nil
}
