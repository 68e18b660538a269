package qfpay_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// placeUnpaid makes an unpaid order of m at the sandbox with its txdtm at
// at: an MPM QR, or a CPM payment pending until cancelled (auth code ending
// 46).
func placeUnpaid(t *testing.T, e *env, m payments.Method, amount payments.Money, at time.Time) (string, payments.PayResult) {
	t.Helper()
	no := orderNo()
	r := payments.PayRequest{OutTradeNo: no, Method: m, Amount: amount, At: at, TID: "T001"}
	if m.Mode == payments.CPM {
		r.AuthCode = "2800000000" + no[len(no)-6:] + "46"
	}
	res, err := e.gw.Pay(ctx(t), r)
	if err != nil || res.State != payments.Pending {
		t.Fatalf("unpaid %s order: %+v %v", m.Code, res, err)
	}
	return no, res
}

// TestCancelEveryPayType drives every row of the cancel table (providers.md
// 2.2) against the strict sandbox: reversal for 800101, 801501, 800201 and
// 800108, close for 800008, 800208 and 801008, nothing at all for the Hong
// Kong pay types; txdtm is the original payment's; the answer's new syssn
// is the cancel's own. Afterwards, no call ever reached an endpoint the
// guide does not assign to its pay type.
func TestCancelEveryPayType(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	at := time.Now().Add(-3 * time.Minute).Truncate(time.Second)
	wantPath := map[string]string{
		"800101": qfpay.PathReversal, "801501": qfpay.PathReversal, "800201": qfpay.PathReversal, "800108": qfpay.PathReversal,
		"800008": qfpay.PathClose, "800208": qfpay.PathClose, "801008": qfpay.PathClose,
		"805801": "", "805808": "", "802001": "", "800701": "", "800708": "", "803701": "",
	}
	for _, m := range payments.MethodsOf(payments.QFPay) {
		t.Run(m.Code, func(t *testing.T) {
			want, listed := wantPath[m.Code]
			if !listed {
				t.Fatalf("pay type %s is not in the cancel table", m.Code)
			}
			if got := qfpay.CancelPath(m); got != want {
				t.Fatalf("CancelPath = %q, want %q", got, want)
			}
			no, pay := placeUnpaid(t, e, m, hkd(1230), at)
			if form, _ := url.ParseQuery(e.hits.list()[len(e.hits.list())-1].form); form.Get("txdtm") != qfpay.WireTime(at) {
				t.Fatalf("payment txdtm %q, want PayRequest.At %q", form.Get("txdtm"), qfpay.WireTime(at))
			}
			before := len(e.hits.list())
			c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: m, Amount: hkd(1230),
				ProviderRef: pay.ProviderRef, OrderAt: at})
			if want == "" {
				var pe *payments.ProviderError
				if !errors.As(err, &pe) || pe.Kind != payments.KindUnsupported || errors.Is(err, payments.ErrOutcomeUnknown) {
					t.Fatalf("cancel of %s: %+v %v, want KindUnsupported", m.Code, c, err)
				}
				if n := len(e.hits.list()); n != before {
					t.Fatalf("%d requests sent for a pay type QFPay cannot cancel", n-before)
				}
				if q := query(t, e, no); q.State != payments.Pending {
					t.Fatalf("the order is still open at QFPay: %+v", q)
				}
				return
			}
			if err != nil || c.State != payments.Closed || c.Code != "0000" || c.Ref == "" || c.Ref == pay.ProviderRef {
				t.Fatalf("cancel: %+v %v (sale syssn %s)", c, err, pay.ProviderRef)
			}
			hits := e.hits.list()[before:]
			if len(hits) != 1 || hits[0].path != want {
				t.Fatalf("cancel sent %+v, want one call of %s", hits, want)
			}
			form, _ := url.ParseQuery(hits[0].form)
			if form.Get("txdtm") != qfpay.WireTime(at) || form.Get("out_trade_no") != no || form.Get("txamt") != "1230" {
				t.Errorf("cancel form %v: want the original txdtm %s", form, qfpay.WireTime(at))
			}
			q := query(t, e, no)
			if q.State != payments.Closed || q.ProviderRef != pay.ProviderRef {
				t.Errorf("after the cancel: %+v", q)
			}
			wantView := map[string]string{qfpay.PathReversal: "1263 cancel=1", qfpay.PathClose: "1264 cancel=2"}[want]
			if o, _ := e.sb.Order(no); o.State != wantView {
				t.Errorf("sandbox view %q, want %q", o.State, wantView)
			}
			if c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: m, Amount: hkd(1230), OrderAt: at}); err != nil ||
				c.State != payments.Closed || c.Code != "1142" {
				t.Errorf("cancelling again: %+v %v", c, err)
			}
		})
	}
	for path, byType := range e.sb.QFPayCancels() {
		for payType, n := range byType {
			m, _ := payments.LookupMethod(payments.QFPay, payType)
			if qfpay.CancelPath(m) != path {
				t.Errorf("%d calls of %s for pay type %s, which the guide does not send there", n, path, payType)
			}
		}
	}
}

// TestCancelWithoutOrderAt: a caller that does not say the order's time
// gets the payment's own txdtm read from QFPay first.
func TestCancelWithoutOrderAt(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	m := method(t, "800108")
	no, _ := placeUnpaid(t, e, m, hkd(500), at)
	before := len(e.hits.list())
	c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: m, Amount: hkd(500)})
	if err != nil || c.State != payments.Closed {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	hits := e.hits.list()[before:]
	if len(hits) != 2 || hits[0].path != "/trade/v1/query" || hits[1].path != qfpay.PathReversal {
		t.Fatalf("sent %+v, want a query then the reversal", hits)
	}
	if form, _ := url.ParseQuery(hits[1].form); form.Get("txdtm") != qfpay.WireTime(at) {
		t.Errorf("reversal txdtm %q, want %q", form.Get("txdtm"), qfpay.WireTime(at))
	}
	// A wrong time is refused by the strict sandbox (1267), typed.
	no2, _ := placeUnpaid(t, e, m, hkd(500), at)
	c, err = e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no2, Method: m, Amount: hkd(500), OrderAt: at.Add(time.Second)})
	if c.State != payments.Unknown || !payments.IsKind(err, payments.KindBadRequest) || errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Errorf("reversal with another txdtm: %+v %v", c, err)
	}
}

// TestReversalInProgress: a reversal answered 1145 is Pending (with its
// own syssn) and the query says how it ended: closed, or paid when the
// customer paid meanwhile.
func TestReversalInProgress(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	at := time.Now().Truncate(time.Second)
	for _, paidMeanwhile := range []bool{false, true} {
		m := method(t, "800201")
		amount := hkd(1200 + sandbox.QFPayCancelPendingCents)
		no, pay := placeUnpaid(t, e, m, amount, at)
		c, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: m, Amount: amount, ProviderRef: pay.ProviderRef, OrderAt: at})
		if err != nil || c.State != payments.Pending || c.Code != "1145" || c.Ref == "" || c.Ref == pay.ProviderRef {
			t.Fatalf("reversal in progress: %+v %v", c, err)
		}
		again, err := e.gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: no, Method: m, Amount: amount, OrderAt: at})
		if err != nil || again.State != payments.Pending || again.Ref != c.Ref {
			t.Fatalf("asked again while in progress: %+v %v", again, err)
		}
		want := payments.Closed
		if paidMeanwhile {
			if err := e.sb.Pay(no, "success"); err != nil {
				t.Fatal(err)
			}
			want = payments.Paid
		}
		if q := query(t, e, no); q.State != want {
			t.Errorf("paid meanwhile %v: the query says %+v, want %s", paidMeanwhile, q, want)
		}
	}
}

// TestCancelAnswersNotTrusted: a cancel accepted for another order, sale or
// amount is an unknown outcome, and a busy answer too.
func TestCancelAnswersNotTrusted(t *testing.T) {
	for name, body := range map[string]string{
		"another sale":   `{"respcd":"0000","syssn":"NEW","orig_syssn":"SOMEONE-ELSE","txamt":"100"}`,
		"another order":  `{"respcd":"0000","syssn":"NEW","out_trade_no":"B2","txamt":"100"}`,
		"another amount": `{"respcd":"1145","syssn":"NEW","orig_syssn":"S1","txamt":"99"}`,
		"busy":           `{"respcd":"1297","syssn":"NEW"}`,
		"reversal error": `{"respcd":"1101"}`,
		"unknown code":   `{"respcd":"7777","resperr":"new"}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		gw, _ := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", Logger: quiet})
		c, err := gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: "A1", Method: method(t, "800108"), Amount: hkd(100),
			ProviderRef: "S1", OrderAt: time.Now()})
		if c.State != payments.Unknown || !errors.Is(err, payments.ErrOutcomeUnknown) {
			t.Errorf("%s: %+v %v", name, c, err)
		}
		srv.Close()
	}
}

// TestQueryReportsTheRecord: every query fills in what QFPay's record says
// it is about, from the record: number, pay_type, udid, amount, currency,
// and for a mainland wallet what the tourist paid in CNY.
func TestQueryReportsTheRecord(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	cases := []struct {
		code string
		cash payments.Money
	}{
		{"800201", payments.Money{Minor: 804, Currency: "CNY"}}, // HK$8.80 at 0.9136 is ¥8.04
		{"800101", payments.Money{Minor: 804, Currency: "CNY"}},
		{"800108", payments.Money{Minor: 804, Currency: "CNY"}},
		{"800208", payments.Money{Minor: 804, Currency: "CNY"}},
		{"801501", payments.Money{}}, // AlipayHK: a Hong Kong wallet pays in HKD
		{"805808", payments.Money{}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			m := method(t, c.code)
			no := orderNo()
			r := payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(880), TID: "T042"}
			if m.Mode == payments.CPM {
				r.AuthCode = "280000000000000010"[:16] + no[len(no)-2:] + "10"
			}
			if _, err := e.gw.Pay(ctx(t), r); err != nil {
				t.Fatal(err)
			}
			if m.Mode == payments.MPM {
				if q := query(t, e, no); q.CashAmount != (payments.Money{}) || q.ExchangeRate != "" {
					t.Errorf("unpaid record says the customer paid: %+v", q)
				}
				if err := e.sb.Pay(no, "success"); err != nil {
					t.Fatal(err)
				}
			}
			q := query(t, e, no)
			if q.State != payments.Paid || q.OutTradeNo != no || q.MethodCode != c.code || q.TID != "T042" || q.Amount != hkd(880) {
				t.Errorf("sale record: %+v", q)
			}
			if q.CashAmount != c.cash || (q.ExchangeRate == "") != (c.cash == payments.Money{}) {
				t.Errorf("cash %+v at %q, want %+v", q.CashAmount, q.ExchangeRate, c.cash)
			}
			if c.cash.Minor != 0 && q.ExchangeRate != sandbox.QFPayCNYRate {
				t.Errorf("exchange rate %q", q.ExchangeRate)
			}
			rno := orderNo()
			if _, err := e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: no, RefundNo: rno, Method: m, Amount: hkd(880),
				ProviderRef: q.ProviderRef}); err != nil {
				t.Fatal(err)
			}
			rq, err := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no, RefundNo: rno, Method: m})
			if err != nil || rq.RefundState != payments.RefundDone || rq.OutTradeNo != rno || rq.MethodCode != c.code ||
				rq.Amount != hkd(880) || rq.CashAmount != c.cash {
				t.Errorf("refund record: %+v %v", rq, err)
			}
		})
	}
}

// TestCollisionWithAStrangersOrder: a number another terminal already used
// at QFPay is refused as a duplicate on the first send, and its query
// answers the stranger's record, which payments.Match refuses.
func TestCollisionWithAStrangersOrder(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	no := orderNo()
	if err := e.sb.SeedOrder(payments.QFPay, no, "800201", hkd(99900), true, "T999"); err != nil {
		t.Fatal(err)
	}
	ours := payments.Order{OutTradeNo: no, TID: "T001", Provider: payments.QFPay, MethodCode: "800201", Amount: hkd(1230)}
	res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, TID: "T001", Method: method(t, "800201"), Amount: hkd(1230)})
	if res.State != payments.Failed || !payments.IsKind(err, payments.KindDuplicate) || errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Fatalf("first send of a used number: %+v %v", res, err)
	}
	q := query(t, e, no)
	if q.State != payments.Paid || q.Amount != hkd(99900) || q.TID != "T999" || q.OutTradeNo != no {
		t.Fatalf("the stranger's record: %+v", q)
	}
	var ce *payments.CollisionError
	if err := payments.Match(ours, payments.Said{OutTradeNo: q.OutTradeNo, Amount: q.Amount, MethodCode: q.MethodCode, TID: q.TID}); !errors.As(err, &ce) || ce.Field != "amount" {
		t.Errorf("Match of the stranger's record: %v", err)
	}
	// Same amount, another terminal: still not ours.
	no2 := orderNo()
	e.sb.SeedOrder(payments.QFPay, no2, "800108", hkd(1230), false, "T999")
	q, err = e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no2})
	ours.OutTradeNo, ours.MethodCode = no2, "800008"
	if err != nil || q.State != payments.Pending {
		t.Fatalf("unpaid stranger: %+v %v", q, err)
	}
	if err := payments.Match(ours, payments.Said{OutTradeNo: q.OutTradeNo, Amount: q.Amount, MethodCode: q.MethodCode, TID: q.TID}); !errors.As(err, &ce) || ce.Field != "tid" {
		t.Errorf("Match of another terminal's record: %v", err)
	}
}

// TestUnknownRecordCodes: a record whose respcd does not say what happened
// keeps the order open (Unknown, never Failed) with QFPay's own words; a
// refund record likewise RefundUnknown. A record without currency reports
// none.
func TestUnknownRecordCodes(t *testing.T) {
	records := map[string]string{
		"S-BUSY":    `{"out_trade_no":"S-BUSY","order_type":"payment","respcd":"1297","errmsg":"bank busy now","txamt":"100","pay_type":"800108","udid":"T1"}`,
		"S-NEW":     `{"out_trade_no":"S-NEW","order_type":"payment","respcd":"4321","errmsg":"a code QFPay added","txamt":"100"}`,
		"S-NOWORDS": `{"out_trade_no":"S-NOWORDS","order_type":"payment","respcd":"4322","txamt":"100","txcurrcd":"HKD"}`,
		"S-FAILED":  `{"out_trade_no":"S-FAILED","order_type":"payment","respcd":"1205","errmsg":"x","txamt":"100","txcurrcd":"HKD"}`,
		"R-NEW":     `{"out_trade_no":"R-NEW","order_type":"refund","origssn":"S1","respcd":"4321","errmsg":"refund code QFPay added","txamt":"100"}`,
		"R-1272":    `{"out_trade_no":"R-1272","order_type":"refund","origssn":"S1","respcd":"1272","txamt":"100"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Write([]byte(`{"respcd":"0000","data":[` + records[r.Form.Get("out_trade_no")] + `]}`))
	}))
	defer srv.Close()
	gw, _ := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", Logger: quiet})
	for _, c := range []struct {
		no, refund string
		state      payments.State
		rstate     payments.RefundState
		message    string
	}{
		{"S-BUSY", "", payments.Unknown, "", "bank busy now"},
		{"S-NEW", "", payments.Unknown, "", "a code QFPay added"},
		{"S-NOWORDS", "", payments.Unknown, "", "QFPay code 4322 (not in QFPay's table)"},
		{"S-FAILED", "", payments.Failed, "", qfpay.Message("1205")},
		{"S1", "R-NEW", "", payments.RefundUnknown, "refund code QFPay added"},
		{"S1", "R-1272", "", payments.RefundFailed, qfpay.Message("1272")},
	} {
		// The request says HKD: a record without txcurrcd must not borrow it.
		q, err := gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: c.no, RefundNo: c.refund, Amount: hkd(100)})
		if err != nil || q.State != c.state || q.RefundState != c.rstate || q.Message != c.message {
			t.Errorf("%s %s: %+v %v", c.no, c.refund, q, err)
		}
		if c.no == "S-BUSY" && (q.Amount != payments.Money{Minor: 100} || q.MethodCode != "800108" || q.TID != "T1") {
			t.Errorf("record without txcurrcd: %+v", q)
		}
	}
}

// TestEveryCodeThroughTheGateway answers pay, refund and close with every
// respcd of QFPay's table (and one it lacks) from a scripted server: the
// outcome is unknown exactly for QFPay busy or failing and the unknown
// code, and then the state is Unknown, never Failed.
func TestEveryCodeThroughTheGateway(t *testing.T) {
	unknownOnes := map[string]bool{"1100": true, "1101": true, "1147": true, "1252": true, "1254": true,
		"1295": true, "1296": true, "1297": true, "1298": true, "8888": true}
	var answer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"respcd":"` + answer + `"}`))
	}))
	defer srv.Close()
	gw, _ := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "k", Logger: quiet})
	cpm := method(t, "800108")
	for _, code := range append(qfpay.Codes(), "8888") {
		if code == qfpay.CodeOK || code == qfpay.CodePassword || code == qfpay.CodeProcessing {
			continue
		}
		answer = code
		wantUnknown := unknownOnes[code]
		p, err := gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: "A1", Method: cpm, Amount: hkd(100), AuthCode: "280000000000000010"})
		if errors.Is(err, payments.ErrOutcomeUnknown) != wantUnknown || (p.State == payments.Unknown) != wantUnknown ||
			(!wantUnknown && p.State != payments.Failed) {
			t.Errorf("pay %s: %+v %v", code, p, err)
		}
		rf, err := gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: "A1", RefundNo: "R1", Method: cpm, Amount: hkd(100), ProviderRef: "S1"})
		if errors.Is(err, payments.ErrOutcomeUnknown) != wantUnknown || (rf.State == payments.RefundUnknown) != wantUnknown {
			t.Errorf("refund %s: %+v %v", code, rf, err)
		}
		c, err := gw.Close(ctx(t), payments.CloseRequest{OutTradeNo: "A1", Method: cpm, Amount: hkd(100), OrderAt: time.Now()})
		if errors.Is(err, payments.ErrOutcomeUnknown) != wantUnknown {
			t.Errorf("close %s: %+v %v", code, c, err)
		}
		_, err = gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: "A1"})
		if errors.Is(err, payments.ErrOutcomeUnknown) != wantUnknown {
			t.Errorf("query refused %s: %v", code, err)
		}
	}
}
