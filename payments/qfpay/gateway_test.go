package qfpay_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

func query(t *testing.T, e *env, no string) payments.QueryResult {
	t.Helper()
	q, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no})
	if err != nil {
		t.Fatalf("query %s: %v", no, err)
	}
	return q
}

func TestMPMEveryPayType(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	n := 0
	for _, m := range payments.MethodsOf(payments.QFPay) {
		if m.Mode != payments.MPM {
			continue
		}
		n++
		t.Run(m.Code, func(t *testing.T) {
			no := orderNo()
			res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(1230),
				Subject: "Milk tea", ExpiresIn: 10 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != payments.Pending || res.Code != "0000" || res.ProviderRef == "" || !strings.Contains(res.QRCode, res.ProviderRef) {
				t.Fatalf("MPM answer: %+v", res)
			}
			q := query(t, e, no)
			if q.State != payments.Pending || q.Code != "1143" || q.ProviderRef != res.ProviderRef || q.Amount != hkd(1230) {
				t.Fatalf("unpaid MPM query: %+v", q)
			}
			if err := e.sb.Pay(no, "success"); err != nil {
				t.Fatal(err)
			}
			if q := query(t, e, no); q.State != payments.Paid || q.Code != "0000" {
				t.Fatalf("paid MPM query: %+v", q)
			}
		})
	}
	if n != 7 {
		t.Errorf("%d MPM pay types in the catalogue, want 7", n)
	}
	// What went on the wire: form-encoded, expired_time in minutes, txdtm in
	// Hong Kong time, udid, no mchid (none configured).
	h := e.hits.list()[0]
	form, err := url.ParseQuery(h.form)
	if err != nil {
		t.Fatal(err)
	}
	if form.Get("expired_time") != "10" || form.Get("txamt") != "1230" || form.Get("txcurrcd") != "HKD" ||
		form.Get("udid") != "T001" || form.Get("goods_name") != "Milk tea" || form.Has("mchid") || form.Has("auth_code") || form.Has("notify_url") {
		t.Errorf("payment form: %v", form)
	}
	dtm, err := qfpay.ParseWireTime(form.Get("txdtm"))
	if err != nil || time.Since(dtm).Abs() > time.Minute {
		t.Errorf("txdtm %q is not Hong Kong time now (%v)", form.Get("txdtm"), err)
	}
}

func TestMPMFailedExpiredClosed(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	m := method(t, "800201")
	pay := func(expires time.Duration) string {
		no := orderNo()
		if _, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(500), ExpiresIn: expires}); err != nil {
			t.Fatal(err)
		}
		return no
	}

	failed := pay(0)
	if err := e.sb.Pay(failed, "fail"); err != nil {
		t.Fatal(err)
	}
	if q := query(t, e, failed); q.State != payments.Failed {
		t.Errorf("failed MPM: %+v", q)
	}

	closed := pay(0)
	c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: closed, Method: m, Amount: hkd(500)})
	if err != nil || c.State != payments.Closed || c.Code != "0000" {
		t.Fatalf("close: %+v %v", c, err)
	}
	if q := query(t, e, closed); q.State != payments.Closed {
		t.Errorf("closed MPM query: %+v", q)
	}
	if c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: closed, Method: m, Amount: hkd(500)}); err != nil || c.State != payments.Closed || c.Code != "1142" {
		t.Errorf("closing again: %+v %v", c, err)
	}
	if err := e.sb.Pay(closed, "success"); err == nil {
		t.Error("a closed order was paid")
	}

	paid := pay(0)
	e.sb.Pay(paid, "success")
	c, err = e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: paid, Method: m, Amount: hkd(500)})
	if c.State != payments.Paid || !payments.IsKind(err, payments.KindAlreadyPaid) {
		t.Errorf("closing a paid order: %+v %v", c, err)
	}

	// expired_time is clamped to 5..120 minutes: a 1-minute QR lives 5.
	short := pay(time.Minute)
	e.clock.Advance(4 * time.Minute)
	if q := query(t, e, short); q.State != payments.Pending {
		t.Errorf("after 4 of 5 minutes: %+v", q)
	}
	e.clock.Advance(time.Minute)
	if q := query(t, e, short); q.State != payments.Expired || q.Code != "1181" {
		t.Errorf("after 5 minutes: %+v", q)
	}
	if c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: short, Method: m, Amount: hkd(500)}); err != nil || c.State != payments.Expired {
		t.Errorf("closing an expired order: %+v %v", c, err)
	}
	long := pay(0) // default 30 minutes
	e.clock.Advance(29 * time.Minute)
	if q := query(t, e, long); q.State != payments.Pending {
		t.Errorf("default expiry shorter than 30 minutes: %+v", q)
	}
	e.clock.Advance(time.Minute)
	if q := query(t, e, long); q.State != payments.Expired {
		t.Errorf("default expiry longer than 30 minutes: %+v", q)
	}

	// A duplicate out_trade_no is refused with a typed error.
	_, err = e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: failed, Method: m, Amount: hkd(500)})
	if !payments.IsKind(err, payments.KindDuplicate) || errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Errorf("duplicate: %v", err)
	}
}

// TestCPMAuthCodePaths drives every path of the sandbox's auth_code table
// through the client: the payment answer, then queries until final.
func TestCPMAuthCodePaths(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	type step struct {
		state payments.State
		code  string
	}
	cases := []struct {
		name     string
		suffix   string
		payState payments.State
		payCode  string
		kind     payments.ErrorKind // "" when Pay returns no error
		unknown  bool               // the error wraps ErrOutcomeUnknown
		queries  []step             // successive query results
	}{
		{"paid at once", "10", payments.Paid, "0000", "", false, []step{{payments.Paid, "0000"}}},
		{"unknown code shape pays", "77", payments.Paid, "0000", "", false, []step{{payments.Paid, "0000"}}},
		{"1145 then paid", "45", payments.Pending, "1145", "", false,
			[]step{{payments.Pending, "1145"}, {payments.Pending, "1145"}, {payments.Paid, "0000"}, {payments.Paid, "0000"}}},
		{"1143 password then paid", "43", payments.Pending, "1143", "", false,
			[]step{{payments.Pending, "1143"}, {payments.Pending, "1143"}, {payments.Paid, "0000"}}},
		{"1143 password then failed", "44", payments.Pending, "1143", "", false,
			[]step{{payments.Pending, "1143"}, {payments.Pending, "1143"}, {payments.Failed, "1205"}}},
		{"1145 until settled", "46", payments.Pending, "1145", "", false,
			[]step{{payments.Pending, "1145"}, {payments.Pending, "1145"}, {payments.Pending, "1145"}}},
		{"bad or expired code", "02", payments.Failed, "1202", payments.KindBadCode, false, []step{{payments.Failed, "1202"}}},
		{"wallet says code expired", "05", payments.Failed, "2005", payments.KindBadCode, false, []step{{payments.Failed, "2005"}}},
		{"insufficient balance", "01", payments.Failed, "1201", payments.KindInsufficient, false, []step{{payments.Failed, "1201"}}},
		{"busy, nothing made", "97", payments.Unknown, "1297", payments.KindBusy, true, nil},
		{"slow network, paid", "98", payments.Unknown, "1298", payments.KindBusy, true, []step{{payments.Paid, "0000"}}},
	}
	for _, m := range payments.MethodsOf(payments.QFPay) {
		if m.Mode != payments.CPM {
			continue
		}
		for i, c := range cases {
			t.Run(m.Code+"/"+c.name, func(t *testing.T) {
				no := orderNo()
				code := "28" + m.Code + strings.Repeat("0", 8) + string(rune('0'+i%10)) + c.suffix
				res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(880), AuthCode: code})
				if res.State != c.payState || res.Code != c.payCode {
					t.Fatalf("pay: %+v %v", res, err)
				}
				switch {
				case c.kind == "" && err != nil:
					t.Fatalf("pay error: %v", err)
				case c.kind != "" && !payments.IsKind(err, c.kind):
					t.Fatalf("pay error %v, want kind %s", err, c.kind)
				case errors.Is(err, payments.ErrOutcomeUnknown) != c.unknown:
					t.Fatalf("pay error %v: unknown outcome should be %v", err, c.unknown)
				}
				if c.queries == nil {
					_, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no})
					if !payments.IsKind(err, payments.KindNotFound) {
						t.Fatalf("query of an order never made: %v", err)
					}
					return
				}
				for j, s := range c.queries {
					q := query(t, e, no)
					if q.State != s.state || q.Code != s.code {
						t.Fatalf("query %d: %+v, want %s %s", j+1, q, s.state, s.code)
					}
				}
			})
		}
	}
}

func TestCPMSingleUseAndReversal(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	m := method(t, "800008")
	code := "134567890123456710"
	if res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: orderNo(), Method: m, Amount: hkd(100), AuthCode: code}); err != nil || res.State != payments.Paid {
		t.Fatalf("first use: %+v %v", res, err)
	}
	res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: orderNo(), Method: m, Amount: hkd(100), AuthCode: code})
	if res.State != payments.Failed || !payments.IsKind(err, payments.KindBadCode) {
		t.Fatalf("second use of an auth code: %+v %v", res, err)
	}

	// A payment pending for ever ends with a close (800008: cancel=2).
	no := orderNo()
	res, err = e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(100), AuthCode: "134567890123456746"})
	if err != nil || res.State != payments.Pending {
		t.Fatalf("pending: %+v %v", res, err)
	}
	c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: m, Amount: hkd(100), ProviderRef: res.ProviderRef})
	if err != nil || c.State != payments.Closed || c.Ref == "" || c.Ref == res.ProviderRef {
		t.Fatalf("close: %+v %v", c, err)
	}
	if h := e.hits.list(); h[len(h)-1].path != "/trade/v1/close" {
		t.Errorf("800008 close went to %s", h[len(h)-1].path)
	}
	if q := query(t, e, no); q.State != payments.Closed || q.ProviderRef != res.ProviderRef {
		t.Errorf("after close: %+v", q)
	}
	if o, ok := e.sb.Order(no); !ok || o.State != "1264 cancel=2" {
		t.Errorf("sandbox view: %+v", o)
	}
	// A reversal with the wrong amount is refused, typed.
	no2 := orderNo()
	e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no2, Method: m, Amount: hkd(100), AuthCode: "134567890123456846"})
	c, err = e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no2, Method: m, Amount: hkd(101)})
	if c.State != payments.Unknown || !payments.IsKind(err, payments.KindAmount) {
		t.Errorf("reversal with another amount: %+v %v", c, err)
	}
	// The sandbox's /sandbox/pay settles a pending CPM payment too.
	if err := e.sb.Pay(no2, "success"); err != nil {
		t.Fatal(err)
	}
	if q := query(t, e, no2); q.State != payments.Paid {
		t.Errorf("settled by hand: %+v", q)
	}
}

func TestRefunds(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	m := method(t, "800108")
	no := orderNo()
	res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(1000), AuthCode: "280000000000000010"})
	if err != nil || res.State != payments.Paid {
		t.Fatal(res, err)
	}
	refund := func(rno string, minor int64, ref string) (payments.RefundResult, error) {
		return e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: no, RefundNo: rno, Method: m,
			Amount: hkd(minor), SaleAmount: hkd(1000), ProviderRef: ref})
	}
	r1 := orderNo()
	rr, err := refund(r1, 300, res.ProviderRef)
	if err != nil || rr.State != payments.RefundDone || rr.ProviderRef == "" || rr.ProviderRef == res.ProviderRef {
		t.Fatalf("partial refund: %+v %v", rr, err)
	}
	if q := query(t, e, no); q.State != payments.PartlyRefunded {
		t.Errorf("after a partial refund: %+v", q)
	}
	q, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no, RefundNo: r1})
	if err != nil || q.RefundState != payments.RefundDone || q.Amount != hkd(300) || q.ProviderRef != rr.ProviderRef {
		t.Errorf("refund query: %+v %v", q, err)
	}
	// Over the refundable balance: 1272.
	rr, err = refund(orderNo(), 701, res.ProviderRef)
	if rr.State != payments.RefundFailed || !payments.IsKind(err, payments.KindRefundBalance) {
		t.Errorf("over the balance: %+v %v", rr, err)
	}
	// Refund numbers are unique across sales and refunds: 2011.
	other := orderNo()
	if _, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: other, Method: method(t, "800201"), Amount: hkd(5)}); err != nil {
		t.Fatal(err)
	}
	for _, dup := range []string{r1, other} {
		rr, err = refund(dup, 1, res.ProviderRef)
		if rr.State != payments.RefundFailed || !payments.IsKind(err, payments.KindDuplicate) {
			t.Errorf("refund number %s reused: %+v %v", dup, rr, err)
		}
	}
	// The rest, without the syssn: the client looks it up.
	rr, err = refund(orderNo(), 700, "")
	if err != nil || rr.State != payments.RefundDone {
		t.Fatalf("full remaining refund: %+v %v", rr, err)
	}
	if q := query(t, e, no); q.State != payments.Refunded {
		t.Errorf("after refunding everything: %+v", q)
	}
	if o, _ := e.sb.Order(no); o.Refunded != "10.00" {
		t.Errorf("sandbox view: %+v", o)
	}

	// FPS cannot be refunded: refused before sending.
	fps := method(t, "802001")
	before := len(e.hits.list())
	rr, err = e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: no, RefundNo: orderNo(), Method: fps, Amount: hkd(1), ProviderRef: res.ProviderRef})
	if rr.State != payments.RefundFailed || !payments.IsKind(err, payments.KindUnsupported) || len(e.hits.list()) != before {
		t.Errorf("FPS refund: %+v %v", rr, err)
	}
	// An unpaid sale cannot be refunded.
	mpm := method(t, "800101")
	unpaid := orderNo()
	p, _ := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: unpaid, Method: mpm, Amount: hkd(50)})
	rr, err = e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: unpaid, RefundNo: orderNo(), Method: mpm, Amount: hkd(50), ProviderRef: p.ProviderRef})
	if rr.State != payments.RefundFailed || !payments.IsKind(err, payments.KindBadRequest) {
		t.Errorf("refund of an unpaid sale: %+v %v", rr, err)
	}
}

func TestQueryBySyssnAndNotFound(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	no := orderNo()
	res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: method(t, "805808"), Amount: hkd(20), AuthCode: "9999"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.gw.Query(ctx(t), payments.QueryRequest{ProviderRef: res.ProviderRef})
	if err != nil || q.State != payments.Paid || q.ProviderRef != res.ProviderRef {
		t.Fatalf("by syssn: %+v %v", q, err)
	}
	form, _ := url.ParseQuery(e.hits.list()[1].form)
	if form.Get("syssn") != res.ProviderRef || form.Has("out_trade_no") {
		t.Errorf("query by syssn sent %v", form)
	}
	_, err = e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: "NOSUCH"})
	if !payments.IsKind(err, payments.KindNotFound) || errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Errorf("unknown order: %v", err)
	}
}

func TestCredentials(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{SignType: qfpay.SignSHA256, MchID: "MCH123"})
	no := orderNo()
	if _, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: method(t, "800101"), Amount: hkd(100)}); err != nil {
		t.Fatalf("SHA256 with mchid: %v", err)
	}
	form, _ := url.ParseQuery(e.hits.list()[0].form)
	if form.Get("mchid") != "MCH123" {
		t.Errorf("mchid not sent: %v", form)
	}

	for _, c := range []struct {
		name string
		cfg  qfpay.Config
		kind payments.ErrorKind
	}{
		{"wrong key", qfpay.Config{ClientKey: "wrong"}, payments.KindBadSignature},
		{"wrong app code", qfpay.Config{AppCode: "NOBODY"}, payments.KindAuth},
	} {
		cfg := c.cfg
		cfg.BaseURL, cfg.Logger = e.url, quiet
		if cfg.AppCode == "" {
			cfg.AppCode = e.app
		}
		if cfg.ClientKey == "" {
			cfg.ClientKey = e.key
		}
		gw, err := qfpay.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: orderNo(), Method: method(t, "800101"), Amount: hkd(100)})
		if res.State != payments.Failed || !payments.IsKind(err, c.kind) {
			t.Errorf("%s: %+v %v", c.name, res, err)
		}
	}
}

func TestNothingSentForBadRequests(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	eft, _ := payments.LookupMethod(payments.Eftpay, "ALIPAYHK")
	for name, r := range map[string]payments.PayRequest{
		"eftPay method":    {OutTradeNo: "A1", Method: eft, Amount: hkd(1)},
		"CPM without code": {OutTradeNo: "A2", Method: method(t, "800208"), Amount: hkd(1)},
		"zero amount":      {OutTradeNo: "A3", Method: method(t, "800201"), Amount: hkd(0)},
		"bad currency":     {OutTradeNo: "A4", Method: method(t, "800201"), Amount: payments.Money{Minor: 1, Currency: "XXX"}},
		"no number":        {Method: method(t, "800201"), Amount: hkd(1)},
	} {
		res, err := e.gw.Pay(ctx(t), r)
		if err == nil || res.State != payments.Created || errors.Is(err, payments.ErrOutcomeUnknown) {
			t.Errorf("%s: %+v %v", name, res, err)
		}
	}
	if n := len(e.hits.list()); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
	if _, err := qfpay.New(qfpay.Config{BaseURL: "ftp://x", AppCode: "a", ClientKey: "k"}); err == nil {
		t.Error("ftp base URL accepted")
	}
	if _, err := qfpay.New(qfpay.Config{BaseURL: "https://x", AppCode: "a", ClientKey: "k", SignType: "RSA"}); err == nil {
		t.Error("RSA sign type accepted")
	}
}
