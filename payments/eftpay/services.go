package eftpay

import (
	"context"
	"fmt"

	"qrpos/payments"
)

// Currency is the only currency VMP charges in (fee_type / currency HKD).
const Currency payments.Currency = "HKD"

// ApplePayScene is the pay_scene eftPay asks for by default on the Apple Pay
// token service.
const ApplePayScene = "TOKEN_APPLE_PAY"

// localRefusal is a call refused before anything was sent: the method has no
// such service, or the request cannot be right. Nothing happened at eftPay.
func localRefusal(op, orderNo string, kind payments.ErrorKind, format string, args ...any) error {
	return &payments.ProviderError{Provider: payments.Eftpay, Op: op, OrderNo: orderNo, Kind: kind,
		Message: "refused before sending: " + fmt.Sprintf(format, args...)}
}

func checkMethod(op, orderNo string, m payments.Method, service string) error {
	if m.Provider != payments.Eftpay {
		return localRefusal(op, orderNo, payments.KindUnsupported, "method %s is not an eftPay method", m.ID())
	}
	if service == "" {
		return localRefusal(op, orderNo, payments.KindUnsupported, "%s has no %s service at eftPay", m.Name, op)
	}
	return nil
}

func checkAmount(op, orderNo string, a payments.Money) error {
	if a.Currency != Currency {
		return localRefusal(op, orderNo, payments.KindAmount, "eftPay charges %s only, not %q", Currency, a.Currency)
	}
	return nil
}

func (c *Client) tid(t string) string {
	if t == "" {
		return c.cfg.TID
	}
	return t
}

// PreOrder creates a merchant-presented QR order (service <wallet>.PreOrder)
// for an MPM method of the catalogue. A 00 answer means the QR exists, not
// that anyone paid: its qr_code is the text to show.
func (c *Client) PreOrder(ctx context.Context, r payments.PayRequest) (*Response, error) {
	m := r.Method
	if err := checkMethod("pay", r.OutTradeNo, m, m.Services.PreOrder); err != nil {
		return nil, err
	}
	if m.Mode != payments.MPM {
		return nil, localRefusal("pay", r.OutTradeNo, payments.KindUnsupported, "%s is a %s method, not a pre-order", m.Name, m.Mode)
	}
	if err := checkAmount("pay", r.OutTradeNo, r.Amount); err != nil {
		return nil, err
	}
	return c.Call(ctx, "pay", r.OutTradeNo, map[string]string{
		"service":            m.Services.PreOrder,
		"transaction_amount": r.Amount.Decimal(),
		"out_trade_no":       r.OutTradeNo,
		"paytype":            m.PayType,
		"buyertype":          BuyerType,
		"subject":            r.Subject,
		"payment_type":       m.Code,
		"tid":                c.tid(r.TID),
		"notify_url":         r.NotifyURL,
	})
}

// ApplePayRequest is one Apple Pay token payment (seed
// eftpay-applepay-token.txt).
type ApplePayRequest struct {
	OutTradeNo string
	TID        string
	TokenID    string // the payment token from Apple Pay, passed through as is
	Amount     payments.Money
	Subject    string
	Body       string // goods description, optional
	NotifyURL  string
	BuyerType  string // ios | android | others (default others)
}

// ApplePay pays with an Apple Pay token through MPGS. Note the camel-case
// keys payType and buyerType of this one service. The answer is final:
// trade_status TRADE_SUCCESS or TRADE_CLOSED.
func (c *Client) ApplePay(ctx context.Context, r ApplePayRequest) (*Response, error) {
	if !c.hasApplePay {
		return nil, localRefusal("pay", r.OutTradeNo, payments.KindUnsupported, "the catalogue has no eftPay token method")
	}
	m := c.applePay
	if err := checkAmount("pay", r.OutTradeNo, r.Amount); err != nil {
		return nil, err
	}
	if r.TokenID == "" {
		return nil, localRefusal("pay", r.OutTradeNo, payments.KindBadRequest, "the Apple Pay token is empty")
	}
	bt := r.BuyerType
	if bt == "" {
		bt = BuyerType
	}
	return c.Call(ctx, "pay", r.OutTradeNo, map[string]string{
		"service":            m.Services.PreOrder,
		"token_id":           r.TokenID,
		"transaction_amount": r.Amount.Decimal(),
		"out_trade_no":       r.OutTradeNo,
		"payType":            m.PayType,
		"buyerType":          bt,
		"subject":            r.Subject,
		"wallet":             m.Code,
		"body":               r.Body,
		"pay_scene":          ApplePayScene,
		"fee_type":           string(r.Amount.Currency),
		"tid":                c.tid(r.TID),
		"notify_url":         r.NotifyURL,
	})
}

// Query asks where a sale stands, or one of its refunds when r.RefundNo is
// set (querytype OUT_TRADE).
func (c *Client) Query(ctx context.Context, r payments.QueryRequest) (*Response, error) {
	m := r.Method
	if err := checkMethod("query", r.OutTradeNo, m, m.Services.Query); err != nil {
		return nil, err
	}
	return c.Call(ctx, "query", r.OutTradeNo, map[string]string{
		"service":      m.Services.Query,
		"querytype":    "OUT_TRADE",
		"out_trade_no": r.OutTradeNo,
		"refund_no":    r.RefundNo,
		"paytype":      m.PayType,
		"buyertype":    BuyerType,
		"payment_type": m.Code,
	})
}

// Close ends an unpaid order, for the wallets that have a Close service
// (Alipay, WeChat, Atome, UnionPay). A paid order answers TRADE_SUCCESS.
func (c *Client) Close(ctx context.Context, r payments.CloseRequest) (*Response, error) {
	m := r.Method
	if err := checkMethod("close", r.OutTradeNo, m, m.Services.Close); err != nil {
		return nil, err
	}
	return c.Call(ctx, "close", r.OutTradeNo, map[string]string{
		"service":      m.Services.Close,
		"out_trade_no": r.OutTradeNo,
		"paytype":      m.PayType,
		"buyertype":    BuyerType,
		"payment_type": m.Code,
	})
}

// Refund refunds r.Amount of the sale r.OutTradeNo under the new number
// r.RefundNo. FPS has no refund.
func (c *Client) Refund(ctx context.Context, r payments.RefundRequest) (*Response, error) {
	m := r.Method
	if err := checkMethod("refund", r.OutTradeNo, m, m.Services.Refund); err != nil {
		return nil, err
	}
	if err := checkAmount("refund", r.OutTradeNo, r.Amount); err != nil {
		return nil, err
	}
	if r.RefundNo == "" {
		return nil, localRefusal("refund", r.OutTradeNo, payments.KindBadRequest, "refund_no is empty")
	}
	return c.Call(ctx, "refund", r.OutTradeNo, map[string]string{
		"service":            m.Services.Refund,
		"transaction_amount": r.Amount.Decimal(),
		"out_trade_no":       r.OutTradeNo,
		"refund_no":          r.RefundNo,
		"paytype":            m.PayType,
		"buyertype":          BuyerType,
		"payment_type":       m.Code,
	})
}
