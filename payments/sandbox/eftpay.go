package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
)

// The eftPay half: POST /VMP/Servlet/JSAPIService.do, so its base URL is
// http://HOST:PORT/VMP. It checks what the real host checks, in this order:
// a JSON object (-13, unsigned), user_confirm_key (-12 missing, 11
// unknown), the signature (10), the clock (12 beyond Config.ClockWindow from
// Config.Now, Hong Kong time), the service (06 when the catalogue has no
// such service, e.g. an FPS refund), paytype (02) and payment_type (04)
// against the service, buyertype (06), then the call's own rules. Negative
// codes are unsigned, every other answer is signed. Its order rules (expiry,
// PayMe magic amounts, Apple Pay) are in eftpay_orders.go.

func init() {
	registerHalf(func(s *Server) half { return newEftpayHalf(s) })
	registerDemo(eftpay.Name, func(baseURL string) payments.Settings {
		return payments.Settings{eftpay.SettingBaseURL: baseURL + "/VMP",
			eftpay.SettingUserConfirmKey: DemoEftpayUser, eftpay.SettingSecret: DemoEftpaySecret}
	})
}

// eftOp is what a service does.
type eftOp int

const (
	eftOpPreOrder eftOp = iota + 1
	eftOpQuery
	eftOpClose
	eftOpRefund
	eftOpToken
)

// eftService is one service name of the catalogue and the methods (wallet
// types) it serves.
type eftService struct {
	op      eftOp
	methods []payments.Method
}

type eftpayHalf struct {
	s        *Server
	services map[string]eftService // built from payments.MethodsOf(Eftpay)

	// alipayPayType is the paytype of the Alipay wallets, the only ones
	// whose pre-order answers carry a qr_code_address.
	alipayPayType string

	mu      sync.Mutex
	byNo    map[string]*eftOrder
	list    []*eftOrder // in creation order
	refunds map[string]*eftRefund
	seq     int
}

func newEftpayHalf(s *Server) *eftpayHalf {
	h := &eftpayHalf{s: s, services: make(map[string]eftService),
		byNo: make(map[string]*eftOrder), refunds: make(map[string]*eftRefund)}
	for _, m := range payments.MethodsOf(payments.Eftpay) {
		add := func(name string, op eftOp) {
			if name == "" {
				return
			}
			svc := h.services[name]
			svc.op = op
			svc.methods = append(svc.methods, m)
			h.services[name] = svc
		}
		if m.Wallet == payments.Alipay {
			h.alipayPayType = m.PayType
		}
		if m.Mode == payments.Token {
			add(m.Services.PreOrder, eftOpToken)
			continue
		}
		add(m.Services.PreOrder, eftOpPreOrder)
		add(m.Services.Query, eftOpQuery)
		add(m.Services.Close, eftOpClose)
		add(m.Services.Refund, eftOpRefund)
	}
	return h
}

func (h *eftpayHalf) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /VMP"+eftpay.ServicePath, h.serve)
}

func (h *eftpayHalf) now() time.Time { return h.s.cfg.Now() }

// serve is one call, with the injected fault if any: latency and 5xx before
// processing, drop and a bad signature after.
func (h *eftpayHalf) serve(w http.ResponseWriter, r *http.Request) {
	f := h.s.takeFault("eftpay")
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, eftpay.MaxBody))
	if f.before(w) {
		return
	}
	ans := h.process(body, readErr)
	switch f.Kind {
	case FaultDrop:
		dropConnection(w)
		return
	case FaultBadSignature:
		ans["sign"] = eftCorruptSign(ans["sign"])
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	w.Write(eftpay.EncodeObject(ans))
}

// eftCorruptSign returns a signature that cannot verify: sign with one hex
// digit changed, or a made-up one where the answer had none.
func eftCorruptSign(sign string) string {
	if len(sign) == 0 {
		return strings.Repeat("0", 64)
	}
	c := byte('0')
	if sign[0] == '0' {
		c = '1'
	}
	return string(c) + sign[1:]
}

// refuse is an answer with a code other than 00: signed when the code is
// positive, bare when negative, as eftPay does.
func (h *eftpayHalf) refuse(code, text string) map[string]string {
	ans := map[string]string{"return_status": code, "return_char": text}
	if !strings.HasPrefix(code, "-") {
		ans["time"] = eftpay.FormatTime(h.now())
		ans["sign"] = eftpay.Sign(h.s.cfg.EftpaySecret, ans)
	}
	return ans
}

// ok signs an answer 00 carrying fields.
func (h *eftpayHalf) ok(fields map[string]string) map[string]string {
	fields["return_status"] = eftpay.StatusOK
	fields["return_char"] = ""
	fields["time"] = eftpay.FormatTime(h.now())
	fields["sign"] = eftpay.Sign(h.s.cfg.EftpaySecret, fields)
	return fields
}

var eftBuyerTypes = map[string]bool{"ios": true, "android": true, "others": true}

func (h *eftpayHalf) process(body []byte, readErr error) map[string]string {
	if readErr != nil {
		return h.refuse("-13", "request body unreadable or too large")
	}
	req, err := eftpay.DecodeObject(body)
	if err != nil {
		return h.refuse("-13", "request is not a JSON object")
	}
	cfg := h.s.cfg
	switch user := req["user_confirm_key"]; {
	case user == "":
		return h.refuse("-12", "user_confirm_key is missing")
	case user != cfg.EftpayUser:
		return h.refuse("11", "user not found")
	}
	if !eftpay.Verify(cfg.EftpaySecret, req) {
		return h.refuse("10", "signature error")
	}
	now := h.now()
	t, err := eftpay.ParseTime(req["time"])
	if err != nil || t.Sub(now).Abs() > cfg.ClockWindow {
		return h.refuse("12", "check client time")
	}
	svc, found := h.services[req["service"]]
	if !found {
		return h.refuse("06", fmt.Sprintf("service %q is not supported", req["service"]))
	}
	if svc.op == eftOpToken {
		return h.token(req, svc.methods[0], now)
	}
	if pt := req["paytype"]; pt != svc.methods[0].PayType {
		return h.refuse("02", fmt.Sprintf("paytype %q does not match service %s", pt, req["service"]))
	}
	var m payments.Method
	for _, cand := range svc.methods {
		if cand.Code == req["payment_type"] {
			m = cand
		}
	}
	if m.Code == "" {
		return h.refuse("04", fmt.Sprintf("payment_type %q does not match service %s", req["payment_type"], req["service"]))
	}
	if !eftBuyerTypes[req["buyertype"]] {
		return h.refuse("06", "buyertype must be ios, android or others")
	}
	if ans := h.checkOrderNumber(req["out_trade_no"]); ans != nil {
		return ans
	}
	switch svc.op {
	case eftOpPreOrder:
		return h.preOrder(req, m, now)
	case eftOpQuery:
		return h.query(req, now)
	case eftOpClose:
		return h.close(req, now)
	default:
		return h.refund(req, now)
	}
}

func (h *eftpayHalf) checkOrderNumber(no string) map[string]string {
	if no == "" || len(no) > payments.MaxOrderNumber {
		return h.refuse("06", fmt.Sprintf("out_trade_no must be 1 to %d characters", payments.MaxOrderNumber))
	}
	return nil
}

// parseAmount reads transaction_amount strictly: -22 for a bad format, -23
// outside 0.02..60000 when checkRange.
func (h *eftpayHalf) parseAmount(s string, checkRange bool) (payments.Money, map[string]string) {
	a, err := payments.ParseMoney(s, eftpay.Currency, payments.Range{})
	if err != nil {
		return payments.Money{}, h.refuse("-22", "transaction_amount format is wrong")
	}
	if checkRange && eftpay.Range.Check(a) != nil {
		return payments.Money{}, h.refuse("-23", "transaction_amount outside 0.02 to 60000")
	}
	return a, nil
}
