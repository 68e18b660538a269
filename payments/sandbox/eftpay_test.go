package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
)

// eftWire is a sandbox on loopback spoken to with hand-built requests, for
// the refusals a correct client never provokes.
type eftWire struct {
	t   *testing.T
	s   *Server
	srv *httptest.Server
	now time.Time
}

func newEftWire(t *testing.T) *eftWire {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, eftpay.HKT)
	s := New(Config{Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { srv.Close(); s.Close() })
	return &eftWire{t: t, s: s, srv: srv, now: now}
}

// postRaw sends body and returns the decoded answer.
func (e *eftWire) postRaw(body []byte) map[string]string {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+"/VMP"+eftpay.ServicePath, "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("HTTP %d: %s", resp.StatusCode, raw)
	}
	ans, err := eftpay.DecodeObject(raw)
	if err != nil {
		e.t.Fatalf("answer %s: %v", raw, err)
	}
	return ans
}

// call signs f with the demo secret (after edit, if any) and sends it.
func (e *eftWire) call(f map[string]string) map[string]string {
	e.t.Helper()
	f["sign"] = eftpay.Sign(DemoEftpaySecret, f)
	return e.postRaw(eftpay.EncodeObject(f))
}

func eftMethod(t *testing.T, code string) payments.Method {
	m, err := payments.LookupMethod(payments.Eftpay, code)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *eftWire) preOrder(m payments.Method, no, amount string) map[string]string {
	return map[string]string{"service": m.Services.PreOrder, "user_confirm_key": DemoEftpayUser, "transaction_amount": amount,
		"out_trade_no": no, "paytype": m.PayType, "buyertype": "others", "payment_type": m.Code, "subject": "s",
		"tid": "T1", "time": eftpay.FormatTime(e.now)}
}

func (e *eftWire) query(m payments.Method, no string) map[string]string {
	return map[string]string{"service": m.Services.Query, "user_confirm_key": DemoEftpayUser, "querytype": "OUT_TRADE",
		"out_trade_no": no, "paytype": m.PayType, "buyertype": "others", "payment_type": m.Code, "time": eftpay.FormatTime(e.now)}
}

func (e *eftWire) applePay(no string) map[string]string {
	var m payments.Method
	for _, c := range payments.MethodsOf(payments.Eftpay) {
		if c.Mode == payments.Token {
			m = c
		}
	}
	return map[string]string{"service": m.Services.PreOrder, "user_confirm_key": DemoEftpayUser, "token_id": `{"data":"x"}`,
		"transaction_amount": "1.00", "out_trade_no": no, "payType": m.PayType, "buyerType": "ios", "wallet": m.Code,
		"pay_scene": "TOKEN_APPLE_PAY", "fee_type": "HKD", "tid": "T1", "time": eftpay.FormatTime(e.now)}
}

// checkAnswer: positive codes signed and verifying, negative bare.
func checkAnswer(t *testing.T, name string, ans map[string]string, code string) {
	t.Helper()
	if ans["return_status"] != code {
		t.Errorf("%s: return_status %q (%s), want %q", name, ans["return_status"], ans["return_char"], code)
		return
	}
	_, signed := ans["sign"]
	if strings.HasPrefix(code, "-") {
		if signed || ans["time"] != "" {
			t.Errorf("%s: negative code %s came signed", name, code)
		}
		return
	}
	if !eftpay.Verify(DemoEftpaySecret, ans) {
		t.Errorf("%s: code %s does not verify", name, code)
	}
}

func TestEftpayRefusals(t *testing.T) {
	e := newEftWire(t)
	alipay, wechat, fps := eftMethod(t, "ALIPAYHK"), eftMethod(t, "WECHATCN"), eftMethod(t, "FPS")
	if ans := e.call(e.preOrder(wechat, "W1", "1.00")); ans["return_status"] != "00" {
		t.Fatalf("setup: %v", ans)
	}
	tests := []struct {
		name string
		edit func(f map[string]string)
		code string
	}{
		{"user key missing", func(f map[string]string) { delete(f, "user_confirm_key") }, "-12"},
		{"user unknown", func(f map[string]string) { f["user_confirm_key"] = "S0000002" }, "11"},
		{"clock 6 minutes ahead", func(f map[string]string) { f["time"] = eftpay.FormatTime(e.now.Add(6 * time.Minute)) }, "12"},
		{"clock 6 minutes behind", func(f map[string]string) { f["time"] = eftpay.FormatTime(e.now.Add(-6 * time.Minute)) }, "12"},
		{"time in UTC layout", func(f map[string]string) { f["time"] = e.now.UTC().Format(time.RFC3339) }, "12"},
		{"unknown service", func(f map[string]string) { f["service"] = "service.octopus.qrcode.PreOrder" }, "06"},
		{"paytype of another wallet", func(f map[string]string) { f["paytype"] = wechat.PayType }, "02"},
		{"payment_type of another wallet", func(f map[string]string) { f["payment_type"] = wechat.Code }, "04"},
		{"buyertype", func(f map[string]string) { f["buyertype"] = "pos" }, "06"},
		{"three decimals", func(f map[string]string) { f["transaction_amount"] = "1.234" }, "-22"},
		{"comma", func(f map[string]string) { f["transaction_amount"] = "1,00" }, "-22"},
		{"space", func(f map[string]string) { f["transaction_amount"] = " 1.00" }, "-22"},
		{"negative", func(f map[string]string) { f["transaction_amount"] = "-1.00" }, "-22"},
		{"below 0.02", func(f map[string]string) { f["transaction_amount"] = "0.01" }, "-23"},
		{"above 60000", func(f map[string]string) { f["transaction_amount"] = "60000.01" }, "-23"},
		{"order number of 29", func(f map[string]string) { f["out_trade_no"] = strings.Repeat("9", 29) }, "06"},
		{"duplicate", func(f map[string]string) {
			f["out_trade_no"] = "W1"
			f["paytype"] = wechat.PayType
			f["payment_type"] = wechat.Code
			f["service"] = wechat.Services.PreOrder
		}, "03"},
	}
	for i, tc := range tests {
		f := e.preOrder(alipay, fmt.Sprintf("A%02d", i), "1.00")
		tc.edit(f)
		checkAnswer(t, tc.name, e.call(f), tc.code)
	}

	// Requests that are not what they claim.
	checkAnswer(t, "not JSON", e.postRaw([]byte(`{"service":`)), "-13")
	bad := e.preOrder(alipay, "B1", "1.00")
	bad["sign"] = eftpay.Sign("another-secret", bad)
	checkAnswer(t, "signed with another secret", e.postRaw(eftpay.EncodeObject(bad)), "10")
	signedEmpty := e.preOrder(alipay, "B2", "1.00")
	signedEmpty["sign"] = eftpay.Sign(DemoEftpaySecret, signedEmpty)
	withExtra := eftpay.EncodeObject(signedEmpty)
	signedEmpty["notify_url"] = "" // signed as "notify_url=" but sent without it: the classic bug
	signedEmpty["sign"] = eftpay.Sign(DemoEftpaySecret, signedEmpty)
	delete(signedEmpty, "notify_url")
	checkAnswer(t, "signed a field it did not send", e.postRaw(eftpay.EncodeObject(signedEmpty)), "10")
	checkAnswer(t, "the same, consistent", e.postRaw(withExtra), "00")

	// Query, close and refund refusals.
	q := e.query(wechat, "W1")
	q["querytype"] = "TRADE_NO"
	checkAnswer(t, "querytype", e.call(q), "06")
	checkAnswer(t, "query through another wallet's service", e.call(e.query(alipay, "W1")), "04")
	checkAnswer(t, "query of an unknown order", e.call(e.query(wechat, "NOPE")), "05")
	refund := e.query(fps, "W1")
	delete(refund, "querytype")
	refund["service"] = strings.TrimSuffix(fps.Services.Query, "Query") + "Refund"
	refund["refund_no"], refund["transaction_amount"] = "R1", "1.00"
	checkAnswer(t, "FPS refund (no such service)", e.call(refund), "06")

	// The Apple Pay token service spells two keys in camel case.
	ap := e.applePay("AP1")
	ap["paytype"], ap["buyertype"] = ap["payType"], ap["buyerType"]
	delete(ap, "payType")
	delete(ap, "buyerType")
	checkAnswer(t, "Apple Pay with snake-case keys", e.call(ap), "06")
	ap = e.applePay("AP2")
	ap["wallet"] = "VISA"
	checkAnswer(t, "Apple Pay wallet", e.call(ap), "04")
	ap = e.applePay("AP3")
	ap["fee_type"] = "USD"
	checkAnswer(t, "Apple Pay fee_type", e.call(ap), "06")
	checkAnswer(t, "Apple Pay", e.call(e.applePay("AP4")), "00")
}

// eftPay documents string values, but the sandbox, like the client, takes a
// number by its text: signed as "0.1", sent as 0.1, echoed as "0.10".
func TestEftpayNumberValues(t *testing.T) {
	e := newEftWire(t)
	f := e.preOrder(eftMethod(t, "ALIPAYCN"), "N1", "0.1")
	f["sign"] = eftpay.Sign(DemoEftpaySecret, f)
	body := bytes.Replace(eftpay.EncodeObject(f), []byte(`"transaction_amount":"0.1"`), []byte(`"transaction_amount":0.1`), 1)
	if !bytes.Contains(body, []byte(`:0.1,`)) {
		t.Fatalf("body %s", body)
	}
	ans := e.postRaw(body)
	checkAnswer(t, "number amount", ans, "00")
	if ans["transaction_amount"] != "0.10" {
		t.Fatalf("echoed amount %q, want 0.10", ans["transaction_amount"])
	}
}

// Rule .45: the query answer has no trade_status at all, and is signed.
func TestEftpayPayMeNoState(t *testing.T) {
	e := newEftWire(t)
	payme := eftMethod(t, "PAYME")
	checkAnswer(t, "pre-order .45", e.call(e.preOrder(payme, "P45", "3.45")), "00")
	ans := e.call(e.query(payme, "P45"))
	checkAnswer(t, "query .45", ans, "00")
	if _, has := ans["trade_status"]; has {
		t.Fatalf("rule .45 answered a trade_status: %v", ans)
	}
	ans = e.postRaw(eftpay.EncodeObject(map[string]string{}))
	checkAnswer(t, "empty object", ans, "-12")
}

func TestEftpayControlEndpoints(t *testing.T) {
	e := newEftWire(t)
	m := eftMethod(t, "UNIONPAY")
	for _, no := range []string{"C1", "C2"} {
		checkAnswer(t, no, e.call(e.preOrder(m, no, "20.00")), "00")
	}
	for no, outcome := range map[string]string{"C1": "fail", "C2": "success"} {
		resp, err := http.PostForm(e.srv.URL+"/sandbox/pay", url.Values{"out_trade_no": {no}, "outcome": {outcome}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("pay %s %s: HTTP %d", no, outcome, resp.StatusCode)
		}
	}
	resp, err := http.PostForm(e.srv.URL+"/sandbox/pay", url.Values{"out_trade_no": {"C2"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("paying a paid order: HTTP %d", resp.StatusCode)
	}
	resp, err = http.Get(e.srv.URL + "/sandbox/orders")
	if err != nil {
		t.Fatal(err)
	}
	var views []OrderView
	err = json.NewDecoder(resp.Body).Decode(&views)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]OrderView{}
	for _, v := range views {
		if v.Provider == "eftpay" {
			got[v.OutTradeNo] = v
		}
	}
	if v := got["C1"]; v.State != eftpay.TradeClosed || v.Paid || v.Method != m.Code || v.Amount != "20.00" {
		t.Errorf("C1 %+v", v)
	}
	if v := got["C2"]; v.State != eftpay.TradeSuccess || !v.Paid || v.Ref == "" || v.Currency != "HKD" {
		t.Errorf("C2 %+v", v)
	}
	if ans := e.call(e.query(m, "C1")); ans["trade_status"] != eftpay.TradeClosed {
		t.Errorf("query C1: %v", ans)
	}
}

func TestEftpayBadSignatureFault(t *testing.T) {
	e := newEftWire(t)
	m := eftMethod(t, "ATOME")
	resp, err := http.Post(e.srv.URL+"/sandbox/faults", "application/json", strings.NewReader(`{"kind":"bad_signature","provider":"eftpay","count":2}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ans := e.call(e.preOrder(m, "F1", "5.00"))
	if ans["return_status"] != "00" || eftpay.Verify(DemoEftpaySecret, ans) {
		t.Fatalf("fault answer %v verifies", ans)
	}
	ans = e.call(e.preOrder(m, "F2", "0.01")) // -23, normally unsigned
	if ans["sign"] == "" || eftpay.Verify(DemoEftpaySecret, ans) {
		t.Fatalf("fault on a negative answer: %v", ans)
	}
	if _, ok := e.s.Order("F1"); !ok {
		t.Fatal("the call under the fault was not processed")
	}
	if ans := e.call(e.preOrder(m, "F3", "5.00")); !eftpay.Verify(DemoEftpaySecret, ans) {
		t.Fatal("the fault outlived its count")
	}
}

func TestEftpayAcknowledgement(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	var h *eftpayHalf
	for _, x := range s.halves {
		if eh, ok := x.(*eftpayHalf); ok {
			h = eh
		}
	}
	if h == nil {
		t.Fatal("no eftPay half registered")
	}
	sign := func(f map[string]string, secret string) []byte {
		f["sign"] = eftpay.Sign(secret, f)
		return eftpay.EncodeObject(f)
	}
	ack := func(code string) map[string]string {
		return map[string]string{"return_code": code, "time": "20240101120002"}
	}
	tests := []struct {
		name   string
		status int
		body   []byte
		want   bool
	}{
		{"signed success", 200, sign(ack("success"), DemoEftpaySecret), true},
		{"the vector", 200, []byte(`{"return_code":"success","time":"20240101120002","sign":"673bfb644357c70fadec677079178f95fd2fc100c5695e66b025b4d7765125de"}`), true},
		{"signed false", 200, sign(ack("false"), DemoEftpaySecret), false},
		{"unsigned success", 200, []byte(`{"return_code":"success"}`), false},
		{"signed with another secret", 200, sign(ack("success"), "x"), false},
		{"HTTP 500", 500, sign(ack("success"), DemoEftpaySecret), false},
		{"plain SUCCESS", 200, []byte("SUCCESS"), false},
	}
	for _, tc := range tests {
		if got := h.acknowledged(tc.status, tc.body); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
