package qfpay

import (
	"context"
	"errors"
	"net/url"

	"qrpos/payments"
)

// Query asks where a sale or, when r.RefundNo is set, one of its refunds
// stands. A sale is looked up by out_trade_no, or by syssn (r.ProviderRef)
// when r.OutTradeNo is empty; a refund by its own out_trade_no (RefundNo).
//
// A sale's State comes from its record: the cancel flag first (1 reversed,
// 2 closed: Closed, or Refunded when the record says 0000; 3 Refunded; 5
// PartlyRefunded), then the record's respcd (0000 Paid, 1143/1145 Pending,
// 1181 Expired, 1142/1263/1264 Closed, anything else Failed). An unknown
// cancel flag gives Unknown (logged once). A refund query fills RefundState
// (0000 done, 1143/1145 pending, else failed) and leaves State empty.
//
// No matching record: a *payments.ProviderError of kind KindNotFound.
func (g *Gateway) Query(ctx context.Context, r payments.QueryRequest) (payments.QueryResult, error) {
	const op = "query"
	params := url.Values{}
	no := r.OutTradeNo
	switch {
	case r.RefundNo != "":
		no = r.RefundNo
		params.Set("out_trade_no", no)
	case r.OutTradeNo != "":
		params.Set("out_trade_no", no)
	case r.ProviderRef != "":
		no = r.ProviderRef
		params.Set("syssn", no)
	default:
		return payments.QueryResult{}, errors.New("qfpay query: neither out_trade_no nor syssn given")
	}
	resp, err := g.call(ctx, op, no, "/trade/v1/query", params)
	if err != nil {
		return payments.QueryResult{State: payments.Unknown, RefundState: refundUnknownIf(r)}, err
	}
	if code := resp.RespCd.String(); code != CodeOK {
		return payments.QueryResult{State: payments.Unknown, RefundState: refundUnknownIf(r)}, refusal(op, no, &resp.record)
	}
	rec := pickRecord(resp.Data, r)
	if rec == nil {
		return payments.QueryResult{State: payments.Unknown, RefundState: refundUnknownIf(r)}, &payments.ProviderError{
			Provider: payments.QFPay, Op: op, OrderNo: no, Kind: payments.KindNotFound,
			Message: "QFPay has no record of this order"}
	}
	code := rec.RespCd.String()
	res := payments.QueryResult{ProviderRef: rec.Syssn.String(), Code: code,
		Message: messageFor(code, rec.ErrMsg.String(), rec.RespErr.String())}
	cur := payments.Currency(rec.TxCurrCd.String())
	if cur == "" {
		cur = r.Amount.Currency
	}
	if amt, err := payments.ParseWireMinor(rec.TxAmt.String(), cur); err == nil {
		res.Amount = amt
	} else {
		g.log.Warn("qfpay record amount unreadable", "out_trade_no", no, "txamt", rec.TxAmt.String(), "err", err)
	}
	if r.RefundNo != "" {
		res.RefundState = refundState(code)
		return res, nil
	}
	cancel, err := parseCancel(rec.Cancel.String())
	state, ok := saleState(code, cancel)
	if err != nil || !ok {
		if _, seen := g.loggedCancel.LoadOrStore(rec.Cancel.String(), true); !seen {
			g.log.Warn("qfpay cancel flag not recognised: order kept open", "out_trade_no", no, "cancel", rec.Cancel.String())
		}
		state = payments.Unknown
	}
	res.State = state
	return res, nil
}

func refundUnknownIf(r payments.QueryRequest) payments.RefundState {
	if r.RefundNo != "" {
		return payments.RefundUnknown
	}
	return ""
}

// pickRecord finds the record asked for among a query's data: the refund
// by its out_trade_no, or the sale (never a refund record) by out_trade_no
// or syssn.
func pickRecord(data []record, r payments.QueryRequest) *record {
	for i := range data {
		rec := &data[i]
		isRefund := rec.OrderType.String() == "refund" || rec.origSyssn() != ""
		switch {
		case r.RefundNo != "":
			if rec.OutTradeNo.String() == r.RefundNo {
				return rec
			}
		case isRefund:
		case r.OutTradeNo != "":
			if rec.OutTradeNo.String() == r.OutTradeNo {
				return rec
			}
		case rec.Syssn.String() == r.ProviderRef:
			return rec
		}
	}
	return nil
}
