package eftpay

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"qrpos/payments"
)

// Gateway is eftPay behind the payments.Gateway contract: one call, one
// request, one verified answer, no state, no retry.
type Gateway struct {
	c *Client
}

var _ payments.Gateway = (*Gateway)(nil)

// NewGateway makes a gateway from cfg (see Config).
func NewGateway(cfg Config) (*Gateway, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Gateway{c: c}, nil
}

// Client is the wire-level client underneath, for the services the Gateway
// contract does not name.
func (g *Gateway) Client() *Client { return g.c }

// Provider is payments.Eftpay.
func (g *Gateway) Provider() payments.Provider { return payments.Eftpay }

// Pay sends an MPM pre-order (State Pending, QRCode set) or, for the token
// method, the Apple Pay payment with the token in r.AuthCode (State Paid or
// Failed at once). eftPay has no consumer-presented service: CPM methods
// are refused with KindUnsupported.
func (g *Gateway) Pay(ctx context.Context, r payments.PayRequest) (payments.PayResult, error) {
	switch r.Method.Mode {
	case payments.MPM:
		resp, err := g.c.PreOrder(ctx, r)
		if err != nil {
			return payments.PayResult{}, err
		}
		qr := resp.Get("qr_code")
		if qr == "" {
			// Understood and verified, yet nothing to show: whether the order
			// is payable is for a query to say.
			return payments.PayResult{}, fmt.Errorf("eftpay pay %s: answer 00 carries no qr_code: %w", r.OutTradeNo, payments.ErrOutcomeUnknown)
		}
		return payments.PayResult{State: payments.Pending, QRCode: qr, ProviderRef: ref(resp),
			Code: resp.Status, Message: message(resp)}, nil
	case payments.Token:
		resp, err := g.c.ApplePay(ctx, ApplePayRequest{OutTradeNo: r.OutTradeNo, TID: r.TID, TokenID: r.AuthCode,
			Amount: r.Amount, Subject: r.Subject, NotifyURL: r.NotifyURL})
		if err != nil {
			return payments.PayResult{}, err
		}
		st := g.c.surprises.saleState(resp.Get("trade_status"), "pay", r.OutTradeNo)
		if st == payments.Closed {
			st = payments.Failed // a token payment closed in its own answer was declined
		}
		return payments.PayResult{State: st, ProviderRef: ref(resp), Code: resp.Status, Message: message(resp)}, nil
	}
	return payments.PayResult{}, localRefusal("pay", r.OutTradeNo, payments.KindUnsupported,
		"eftPay has no %s service (consumer-presented codes go through QFPay)", r.Method.Mode)
}

// Query asks where a sale, or a refund (r.RefundNo set), stands.
//
// What the record says it is about is reported as the record says it, never
// copied from r, for the engine to match with the order: OutTradeNo
// (out_trade_no; for a refund the record's refund_no, empty when it gives
// none), MethodCode (payment_type, or the one catalogue code a paytype
// names), TID (tid) and Amount (transaction_amount or total_fee, return_amount
// for a refund, in the record's currency; no currency given: an empty
// Currency, so that it is not compared).
func (g *Gateway) Query(ctx context.Context, r payments.QueryRequest) (payments.QueryResult, error) {
	resp, err := g.c.Query(ctx, r)
	if err != nil {
		return payments.QueryResult{}, err
	}
	out := payments.QueryResult{ProviderRef: ref(resp), Code: resp.Status, Message: message(resp),
		OutTradeNo: resp.Get("out_trade_no"), MethodCode: methodCode(resp.Fields), TID: resp.Get("tid")}
	ts := resp.Get("trade_status")
	if r.RefundNo != "" {
		out.OutTradeNo = resp.Get("refund_no")
		out.RefundState = g.c.surprises.refundState(ts, "query", r.OutTradeNo)
		out.Amount = g.c.amount(resp.Fields, "query", r.OutTradeNo, "return_amount", "transaction_amount")
		return out, nil
	}
	out.State = g.c.surprises.saleState(ts, "query", r.OutTradeNo)
	out.Amount = g.c.amount(resp.Fields, "query", r.OutTradeNo, "transaction_amount", "total_fee")
	return out, nil
}

// Close ends an unpaid order. Methods without a Close service (GBPay,
// PayMe, FPS, Apple Pay) get a KindUnsupported *payments.ProviderError.
func (g *Gateway) Close(ctx context.Context, r payments.CloseRequest) (payments.CloseResult, error) {
	if r.Method.Cancel != payments.CancelClose {
		return payments.CloseResult{}, localRefusal("close", r.OutTradeNo, payments.KindUnsupported, "%s cannot be closed at eftPay", r.Method.Name)
	}
	resp, err := g.c.Close(ctx, r)
	if err != nil {
		return payments.CloseResult{}, err
	}
	return payments.CloseResult{State: g.c.surprises.saleState(resp.Get("trade_status"), "close", r.OutTradeNo),
		Code: resp.Status, Message: message(resp)}, nil
}

// Refund asks for a refund. FPS (no refund service) gets KindUnsupported.
// The state comes from the answer's trade_status: pending when it has none.
func (g *Gateway) Refund(ctx context.Context, r payments.RefundRequest) (payments.RefundResult, error) {
	resp, err := g.c.Refund(ctx, r)
	if err != nil {
		return payments.RefundResult{}, err
	}
	st := payments.RefundPending
	if ts := resp.Get("trade_status"); ts != "" {
		st = g.c.surprises.refundState(ts, "refund", r.OutTradeNo)
	}
	return payments.RefundResult{State: st, ProviderRef: ref(resp), Code: resp.Status, Message: message(resp)}, nil
}

// NotificationHandler receives eftPay's notifications for this gateway's
// merchant; see NewNotificationHandler.
func (g *Gateway) NotificationHandler(deliver func(context.Context, payments.Notification) error) http.Handler {
	return NewNotificationHandler(g.c.cfg, deliver)
}

func ref(r *Response) string {
	if v := r.Get("eftpay_trade_no"); v != "" {
		return v
	}
	return r.Get("eft_trade_no")
}

func message(r *Response) string {
	_, text := DescribeStatus(r.Status)
	if rc := r.Get("return_char"); rc != "" {
		text += " (eftPay: " + rc + ")"
	}
	return text
}

// amount reads the first of keys that is present, exactly as the record
// gives it: in its currency (currency or fee_type) as given, and an empty
// Currency when it names none (the engine then does not compare it). An
// amount that does not parse is logged and left zero (not compared either):
// the state, which is what matters, still stands.
func (c *Client) amount(fields map[string]string, op, orderNo string, keys ...string) payments.Money {
	m, err := recordAmount(fields, keys...)
	if err != nil {
		c.log.Warn("eftpay: amount does not parse", "op", op, "out_trade_no", orderNo, "err", err)
	}
	return m
}

// recordAmount is amount without the log.
func recordAmount(fields map[string]string, keys ...string) (payments.Money, error) {
	cur := payments.Currency(fields["currency"])
	if cur == "" {
		cur = payments.Currency(fields["fee_type"])
	}
	for _, k := range keys {
		v := fields[k]
		if v == "" {
			continue
		}
		// Decimals by the named currency (HKD's when none is named, eftPay's
		// only currency); one this terminal does not know keeps its code
		// and no amount.
		dec := cur
		if dec == "" {
			dec = Currency
		}
		if !dec.Valid() {
			return payments.Money{Currency: cur}, nil
		}
		m, err := payments.ParseWireDecimal(v, dec)
		if err != nil {
			return payments.Money{Currency: cur}, fmt.Errorf("%s %q: %w", k, v, err)
		}
		m.Currency = cur
		return m, nil
	}
	return payments.Money{Currency: cur}, nil
}

// methodCode is the catalogue code a record names: its payment_type as
// given, else the one method its paytype names (PAYME, FPS, ...); empty when
// the paytype stands for several (Alipay, WeChat) or none.
func methodCode(fields map[string]string) string {
	if v := fields["payment_type"]; v != "" {
		return v
	}
	pt := fields["paytype"]
	if pt == "" {
		return ""
	}
	code := ""
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		if m.Mode == payments.MPM && strings.EqualFold(m.PayType, pt) {
			if code != "" {
				return ""
			}
			code = m.Code
		}
	}
	return code
}
