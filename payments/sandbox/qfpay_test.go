package sandbox

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrpos/payments/qfpay"
)

// qfClient speaks to the QFPay half with raw signed forms, to reach what
// the real client never sends.
type qfClient struct {
	t   *testing.T
	url string
	app string
	key string
}

func newQFPaySandbox(t *testing.T, cfg Config) (*Server, *qfClient) {
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s := New(cfg)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	c := s.Config()
	return s, &qfClient{t: t, url: srv.URL, app: c.QFPayAppCode, key: c.QFPayKey}
}

// call sends params to path, signed unless sign is given, and returns the
// HTTP status and the decoded answer.
func (c *qfClient) call(method, path string, params url.Values, sign string) (int, map[string]any) {
	c.t.Helper()
	if sign == "" {
		sign = qfpay.Sign(params, c.key, qfpay.SignMD5)
	}
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(method, c.url+path+"?"+params.Encode(), nil)
	} else {
		req, _ = http.NewRequest(method, c.url+path, strings.NewReader(params.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set(qfpay.HeaderAppCode, c.app)
	req.Header.Set(qfpay.HeaderSign, sign)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &out); err != nil {
			c.t.Fatalf("%s answered %q: %v", path, body, err)
		}
	}
	return resp.StatusCode, out
}

func (c *qfClient) respcd(path string, params url.Values) string {
	c.t.Helper()
	status, out := c.call(http.MethodPost, path, params, "")
	if status != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d", path, status)
	}
	s, _ := out["respcd"].(string)
	return s
}

func qfMPMForm(no string) url.Values {
	return url.Values{"txamt": {"1000"}, "txcurrcd": {"HKD"}, "pay_type": {"800101"}, "out_trade_no": {no},
		"txdtm": {qfpay.WireTime(time.Now())}}
}

func TestQFPayRequestChecks(t *testing.T) {
	_, c := newQFPaySandbox(t, Config{})
	with := func(p url.Values, k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range p {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	base := qfMPMForm("S1")
	cases := []struct {
		name   string
		params url.Values
		want   string
	}{
		{"no txamt", with(base, "txamt", ""), "1104"},
		{"decimal txamt", with(base, "txamt", "10.5"), "1104"},
		{"zero txamt", with(base, "txamt", "0"), "1104"},
		{"no currency", with(base, "txcurrcd", ""), "1104"},
		{"bad currency", with(base, "txcurrcd", "XYZ"), "1104"},
		{"online pay type", with(base, "pay_type", "801107"), "1104"},
		{"bad txdtm", with(base, "txdtm", "20240101120000"), "1104"},
		{"expired_time too short", with(base, "expired_time", "4"), "1104"},
		{"expired_time too long", with(base, "expired_time", "121"), "1104"},
		{"CPM without auth_code", with(base, "pay_type", "800108"), "1104"},
		{"long goods_name", with(base, "goods_name", strings.Repeat("a", 21)), "1104"},
		{"ok", base, "0000"},
		{"duplicate", base, "1102"},
	}
	for _, tc := range cases {
		if got := c.respcd("/trade/v1/payment", tc.params); got != tc.want {
			t.Errorf("%s: respcd %s, want %s", tc.name, got, tc.want)
		}
	}
	// Signature: a wrong one, and one over other values.
	p := qfMPMForm("S2")
	if _, out := c.call(http.MethodPost, "/trade/v1/payment", p, "0123456789ABCDEF0123456789ABCDEF"); out["respcd"] != "1108" {
		t.Errorf("wrong signature: %v", out)
	}
	sign := qfpay.Sign(p, c.key, qfpay.SignMD5)
	p.Set("txamt", "1")
	if _, out := c.call(http.MethodPost, "/trade/v1/payment", p, sign); out["respcd"] != "1108" {
		t.Errorf("tampered amount: %v", out)
	}
	// App code.
	other := *c
	other.app = "SOMEONE-ELSE"
	if got := other.respcd("/trade/v1/payment", qfMPMForm("S3")); got != "1106" {
		t.Errorf("unknown app code: %s", got)
	}
	// Only POST for payments.
	if status, _ := c.call(http.MethodGet, "/trade/v1/payment", qfMPMForm("S4"), ""); status != http.StatusMethodNotAllowed {
		t.Errorf("GET payment: HTTP %d", status)
	}
	// Query bounds.
	if got := c.respcd("/trade/v1/query", url.Values{"page_size": {"101"}}); got != "1104" {
		t.Errorf("page_size 101: %s", got)
	}
	if got := c.respcd("/trade/v1/query", url.Values{"start_time": {"2024-01-01 00:00:00"}, "end_time": {"2024-03-01 00:00:00"}}); got != "1104" {
		t.Errorf("two months: %s", got)
	}
}

func TestQFPayCloseGETAndRefundRules(t *testing.T) {
	s, c := newQFPaySandbox(t, Config{})
	// A WeChat CPM payment pending for ever (auth code ending 46) is closed
	// (/trade/v1/close, GET as QFPay's page shows it), by out_trade_no,
	// amount and original txdtm checked.
	cpmForm := url.Values{"txamt": {"1000"}, "txcurrcd": {"HKD"}, "pay_type": {"800208"}, "out_trade_no": {"W1"},
		"txdtm": {"2024-05-01 10:00:00"}, "auth_code": {"134567890123456746"}}
	if got := c.respcd("/trade/v1/payment", cpmForm); got != "1145" {
		t.Fatal(got)
	}
	closeForm := url.Values{"out_trade_no": {"W1"}, "txamt": {"999"}, "txdtm": {"2024-05-01 10:00:00"}}
	if _, out := c.call(http.MethodGet, "/trade/v1/close", closeForm, ""); out["respcd"] != "1266" {
		t.Errorf("close with another amount: %v", out)
	}
	closeForm.Set("txamt", "1000")
	closeForm.Set("txdtm", "2024-05-01 10:00:01")
	if _, out := c.call(http.MethodGet, "/trade/v1/close", closeForm, ""); out["respcd"] != "1267" {
		t.Errorf("close with another txdtm than the payment's: %v", out)
	}
	closeForm.Set("txdtm", "2024-05-01 10:00:00")
	if _, out := c.call(http.MethodPost, "/trade/v1/reversal", closeForm, ""); out["respcd"] != "1150" {
		t.Errorf("reversal of a pay type QFPay closes: %v", out)
	}
	o, _ := s.Order("W1")
	_, out := c.call(http.MethodGet, "/trade/v1/close", closeForm, "")
	if out["respcd"] != "0000" || out["orig_syssn"] != o.Ref || out["syssn"] == o.Ref || out["syssn"] == "" || out["txdtm"] != "2024-05-01 10:00:00" {
		t.Errorf("GET close: %v (sale %s)", out, o.Ref)
	}
	if o, _ := s.Order("W1"); o.State != "1264 cancel=2" || o.Paid {
		t.Errorf("closed CPM: %+v", o)
	}
	if _, out := c.call(http.MethodGet, "/trade/v1/close", closeForm, ""); out["respcd"] != "1142" {
		t.Errorf("closing again: %v", out)
	}
	// An unpaid Alipay MPM order is reversed, never closed.
	if got := c.respcd("/trade/v1/payment", qfMPMForm("M1")); got != "0000" {
		t.Fatal(got)
	}
	m1, _ := s.Order("M1")
	rev := url.Values{"syssn": {m1.Ref}, "txamt": {"1000"}}
	_, q := c.call(http.MethodPost, "/trade/v1/query", url.Values{"out_trade_no": {"M1"}}, "")
	rev.Set("txdtm", q["data"].([]any)[0].(map[string]any)["txdtm"].(string))
	if got := c.respcd("/trade/v1/close", rev); got != "1150" {
		t.Errorf("close of a pay type QFPay reverses: %s", got)
	}
	if got := c.respcd("/trade/v1/reversal", rev); got != "0000" {
		t.Errorf("reversal: %s", got)
	}
	if o, _ := s.Order("M1"); o.State != "1263 cancel=1" {
		t.Errorf("reversed MPM: %+v", o)
	}
	want := map[string]map[string]int{"/trade/v1/close": {"800208": 4, "800101": 1}, "/trade/v1/reversal": {"800208": 1, "800101": 1}}
	if got := s.QFPayCancels(); !maps.EqualFunc(got, want, maps.Equal) {
		t.Errorf("cancel calls: %v, want %v", got, want)
	}

	// FPS cannot be refunded, even when paid.
	fps := qfMPMForm("F1")
	fps.Set("pay_type", "802001")
	_, out = c.call(http.MethodPost, "/trade/v1/payment", fps, "")
	if err := s.Pay("F1", "success"); err != nil {
		t.Fatal(err)
	}
	refund := url.Values{"syssn": {out["syssn"].(string)}, "out_trade_no": {"R1"}, "txamt": {"100"}, "txdtm": {qfpay.WireTime(time.Now())}}
	if got := c.respcd("/trade/v1/refund", refund); got != "1155" {
		t.Errorf("FPS refund: %s", got)
	}
	refund.Set("syssn", "NOSUCH")
	if got := c.respcd("/trade/v1/refund", refund); got != "1136" {
		t.Errorf("refund of an unknown syssn: %s", got)
	}
	refund.Del("txamt")
	if got := c.respcd("/trade/v1/refund", refund); got != "1104" {
		t.Errorf("refund without txamt: %s", got)
	}

	// Query lists refund records with order_type and origssn, and the sale's
	// cancel flag.
	cpm := url.Values{"txamt": {"800"}, "txcurrcd": {"HKD"}, "pay_type": {"800108"}, "out_trade_no": {"C1"},
		"txdtm": {qfpay.WireTime(time.Now())}, "auth_code": {"280000000000000010"}}
	_, out = c.call(http.MethodPost, "/trade/v1/payment", cpm, "")
	sale := out["syssn"].(string)
	for i, amt := range []string{"300", "500"} {
		r := url.Values{"syssn": {sale}, "out_trade_no": {"CR" + amt}, "txamt": {amt}, "txdtm": {qfpay.WireTime(time.Now())}}
		if got := c.respcd("/trade/v1/refund", r); got != "0000" {
			t.Fatalf("refund %d: %s", i, got)
		}
	}
	_, out = c.call(http.MethodPost, "/trade/v1/query", url.Values{"out_trade_no": {"C1,CR300"}}, "")
	data, _ := out["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("query of a sale and a refund: %v", out)
	}
	saleRec, refundRec := data[0].(map[string]any), data[1].(map[string]any)
	if saleRec["cancel"] != "3" || saleRec["order_type"] != "payment" || refundRec["order_type"] != "refund" || refundRec["origssn"] != sale || refundRec["txamt"] != "300" {
		t.Errorf("records: %v / %v", saleRec, refundRec)
	}
}

func TestQFPay429(t *testing.T) {
	_, c := newQFPaySandbox(t, Config{QFPayRatePerSecond: 2, QFPayRatePerMinute: 3})
	var statuses []int
	for range 3 {
		status, _ := c.call(http.MethodPost, "/trade/v1/query", url.Values{}, "")
		statuses = append(statuses, status)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != http.StatusTooManyRequests {
		t.Errorf("per second: %v", statuses)
	}
	time.Sleep(time.Second)
	if status, _ := c.call(http.MethodPost, "/trade/v1/query", url.Values{}, ""); status != 200 {
		t.Errorf("next second: %d", status)
	}
	// The minute's 3 are used: 429 with a Retry-After of most of a minute.
	req, _ := http.NewRequest(http.MethodPost, c.url+"/trade/v1/query", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ra, _ := time.ParseDuration(resp.Header.Get("Retry-After") + "s"); resp.StatusCode != http.StatusTooManyRequests || ra < 50*time.Second {
		t.Errorf("per minute: HTTP %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestQFPayGarbledAnswerAndOrders(t *testing.T) {
	s, c := newQFPaySandbox(t, Config{})
	s.InjectFault(Fault{Kind: FaultBadSignature, Provider: "qfpay", Count: 1})
	req, _ := http.NewRequest(http.MethodPost, c.url+"/trade/v1/payment", strings.NewReader(qfMPMForm("G1").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(qfpay.HeaderAppCode, c.app)
	req.Header.Set(qfpay.HeaderSign, qfpay.Sign(qfMPMForm("G1"), c.key, qfpay.SignMD5))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if json.Valid(body) || len(body) == 0 {
		t.Errorf("garbled answer is valid JSON: %q", body)
	}
	// The call was processed: the order is listed, unpaid, with its syssn.
	o, ok := s.Order("G1")
	if !ok || o.Provider != "qfpay" || o.Paid || o.State != "1143" || o.Amount != "10.00" || o.Ref == "" {
		t.Fatalf("order view: %+v %v", o, ok)
	}
	// /sandbox/pay over HTTP pays it.
	resp, err = http.PostForm(c.url+"/sandbox/pay", url.Values{"out_trade_no": {"G1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if o, _ := s.Order("G1"); resp.StatusCode != 200 || !o.Paid || o.State != "0000" {
		t.Errorf("after /sandbox/pay: HTTP %d %+v", resp.StatusCode, o)
	}
	if err := s.Pay("G1", "success"); err == nil {
		t.Error("paid twice")
	}
}
