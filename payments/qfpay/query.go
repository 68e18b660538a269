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
// PartlyRefunded), then the record's respcd as recordOutcomes says (0000
// Paid, 1143/1145 Pending, 1181 Expired, 1142/1263/1264 Closed, a refusal
// Failed). A respcd that does not say what happened (QFPay busy or failing,
// a code not in QFPay's table) and an unknown cancel flag give Unknown,
// never Failed, with QFPay's own words in Message; each such code is logged
// once. A refund query fills RefundState (0000 done, 1143/1145 pending, a
// refusal failed, anything else RefundUnknown) and leaves State empty.
//
// What the record says it is about is reported as the record says it, never
// copied from r: OutTradeNo (a refund's own number for a refund query),
// MethodCode (pay_type), TID (udid), Amount (txamt in txcurrcd; no currency
// given: an empty Currency), CashAmount and ExchangeRate (cash_fee,
// cash_fee_type, exchange_rate). The engine matches them with the order.
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
	unknown := payments.QueryResult{State: payments.Unknown, RefundState: refundUnknownIf(r)}
	rec, err := g.findRecord(ctx, op, no, params, r)
	if err != nil {
		return unknown, err
	}
	code := rec.RespCd.String()
	res := payments.QueryResult{ProviderRef: rec.Syssn.String(), Code: code,
		OutTradeNo: rec.OutTradeNo.String(), MethodCode: rec.PayType.String(), TID: rec.Udid.String(),
		ExchangeRate: rec.ExchangeRate.String()}
	if res.Amount, err = rec.amount(); err != nil {
		g.log.Warn("qfpay record amount unreadable", "out_trade_no", no, "txamt", rec.TxAmt.String(), "err", err)
	}
	if res.CashAmount, err = rec.cashAmount(r.RefundNo != ""); err != nil {
		g.log.Warn("qfpay record cash_fee unreadable", "out_trade_no", no, "err", err)
	}
	open := false
	if r.RefundNo != "" {
		res.RefundState = refundState(code)
		open = res.RefundState == payments.RefundUnknown
	} else {
		cancel, err := parseCancel(rec.Cancel.String())
		state, flagKnown := saleState(code, cancel)
		if err != nil || !flagKnown {
			g.noteOnce(&g.loggedCancel, rec.Cancel.String(), "qfpay cancel flag not recognised: order kept open",
				"out_trade_no", no, "cancel", rec.Cancel.String())
			state = payments.Unknown
		}
		res.State = state
		open = state == payments.Unknown
	}
	if open {
		// The cashier reads what QFPay itself said about this record.
		res.Message = ownWords(code, rec.ErrMsg.String(), rec.RespErr.String())
		if _, inTable := recordOutcomes[code]; !inTable {
			g.noteOnce(&g.loggedCodes, code, "qfpay record code does not say what happened: order kept open",
				"out_trade_no", no, "respcd", code, "in_qfpay_table", Message(code) != "", "text", res.Message)
		}
	} else {
		res.Message = messageFor(code, rec.ErrMsg.String(), rec.RespErr.String())
	}
	return res, nil
}

// findRecord sends a query and picks the record r asks for. A query QFPay
// refused is its refusal (wrapping payments.ErrOutcomeUnknown when QFPay
// was busy or failing); no such record is a *payments.ProviderError of kind
// KindNotFound.
func (g *Gateway) findRecord(ctx context.Context, op, no string, params url.Values, r payments.QueryRequest) (*record, error) {
	resp, err := g.call(ctx, op, no, "/trade/v1/query", params)
	if err != nil {
		return nil, err
	}
	if code := resp.RespCd.String(); code != CodeOK {
		return nil, refusal(op, no, &resp.record)
	}
	rec := pickRecord(resp.Data, r)
	if rec == nil {
		return nil, &payments.ProviderError{Provider: payments.QFPay, Op: op, OrderNo: no, Kind: payments.KindNotFound,
			Message: "QFPay has no record of this order"}
	}
	return rec, nil
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
