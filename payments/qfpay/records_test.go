package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// hkt is Hong Kong time, for days as QFPay's enquiry takes them.
var hkt = time.FixedZone("HKT", 8*3600)

// fixedDay runs the sandbox's clock from 10:00 on a fixed Hong Kong day, so
// that a day's span never crosses a month.
func fixedDay(t *testing.T) (sandbox.Config, time.Time) {
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, hkt)
	start := time.Now()
	return sandbox.Config{Now: func() time.Time { return day.Add(10 * time.Hour).Add(time.Since(start)) }}, day
}

func TestRecordsOfADayArePagedThroughTheLimiter(t *testing.T) {
	sc, day := fixedDay(t)
	e := newEnv(t, sc, qfpay.Config{})
	m := method(t, "800101")
	const sales = 230
	var nos []string
	for i := range sales {
		no := orderNo()
		tid := "T001"
		if i%50 == 7 {
			tid = "T002" // another counter of the merchant
		}
		if _, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, TID: tid, Method: m, Amount: hkd(int64(100 + i))}); err != nil {
			t.Fatal(err)
		}
		nos = append(nos, no)
	}
	for _, no := range nos[:3] {
		if err := e.sb.Pay(no, "success"); err != nil {
			t.Fatal(err)
		}
	}
	sale := query(t, e, nos[0])
	refundNo := orderNo()
	if _, err := e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: nos[0], RefundNo: refundNo, Method: m, Amount: hkd(40),
		SaleAmount: hkd(100), ProviderRef: sale.ProviderRef}); err != nil {
		t.Fatal(err)
	}
	before := len(e.hits.list())

	recs, err := e.gw.Records(ctx(t), day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != sales+1 {
		t.Fatalf("%d records, want %d sales and 1 refund", len(recs), sales)
	}
	byNo := map[string]payments.Record{}
	for _, r := range recs {
		byNo[r.OutTradeNo] = r
	}
	paid, partly, refund, other := byNo[nos[1]], byNo[nos[0]], byNo[refundNo], byNo[nos[7]]
	if paid.Kind != payments.RecordSale || paid.State != payments.Paid || paid.Amount != hkd(101) || paid.MethodCode != "800101" ||
		paid.TID != "T001" || paid.ProviderRef == "" || paid.At.Before(day) || !paid.MoneyMoved() {
		t.Errorf("paid sale: %+v", paid)
	}
	if partly.State != payments.PartlyRefunded || !partly.MoneyMoved() {
		t.Errorf("partly refunded sale: %+v", partly)
	}
	if refund.Kind != payments.RecordRefund || refund.RefundState != payments.RefundDone || refund.Amount != hkd(40) ||
		refund.OriginalRef != sale.ProviderRef || !refund.MoneyMoved() {
		t.Errorf("refund: %+v", refund)
	}
	if other.TID != "T002" || other.State != payments.Pending || other.MoneyMoved() {
		t.Errorf("another counter's unpaid sale: %+v", other)
	}

	// Three pages of at most 100, the same span each time, the last short.
	calls := e.hits.list()[before:]
	if len(calls) != 3 {
		t.Fatalf("%d enquiry calls for %d records, want 3", len(calls), sales+1)
	}
	for i, c := range calls {
		f, _ := url.ParseQuery(c.form)
		if c.path != "/trade/v1/query" || f.Get("page") != fmt.Sprint(i+1) || f.Get("page_size") != "100" ||
			f.Get("start_time") != "2026-03-10 00:00:00" || f.Get("end_time") != "2026-03-10 23:59:59" || c.status != http.StatusOK {
			t.Errorf("call %d: %s %s", i+1, c.path, c.form)
		}
	}

	// Nothing the day before.
	if recs, err := e.gw.Records(ctx(t), day.AddDate(0, 0, -1), day); err != nil || len(recs) != 0 {
		t.Errorf("the day before: %d records, %v", len(recs), err)
	}
}

// A long span is asked one calendar month at a time, as QFPay allows.
func TestRecordsSplitsSpansAtMonths(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	from := time.Date(2026, 1, 20, 0, 0, 0, 0, hkt)
	if _, err := e.gw.Records(ctx(t), from, time.Date(2026, 3, 5, 0, 0, 0, 0, hkt)); err != nil {
		t.Fatal(err)
	}
	var spans []string
	for _, h := range e.hits.list() {
		f, _ := url.ParseQuery(h.form)
		spans = append(spans, f.Get("start_time")+" "+f.Get("end_time"))
	}
	want := []string{"2026-01-20 00:00:00 2026-01-31 23:59:59", "2026-02-01 00:00:00 2026-02-28 23:59:59", "2026-03-01 00:00:00 2026-03-04 23:59:59"}
	if strings.Join(spans, "|") != strings.Join(want, "|") {
		t.Errorf("spans asked:\n%s\nwant\n%s", strings.Join(spans, "\n"), strings.Join(want, "\n"))
	}
}

// A host that keeps sending full pages of the same records is not believed.
func TestRecordsRefusesARepeatedPage(t *testing.T) {
	var calls atomic.Int32
	var page strings.Builder
	page.WriteString(`{"respcd":"0000","page":"1","page_size":"100","data":[`)
	for i := range 100 {
		if i > 0 {
			page.WriteString(",")
		}
		fmt.Fprintf(&page, `{"syssn":"S%d","out_trade_no":"N%d","order_type":"payment","txamt":"100","txcurrcd":"HKD","respcd":"0000","cancel":"0"}`, i, i)
	}
	page.WriteString("]}")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(page.String()))
	}))
	defer srv.Close()
	gw, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "K", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, hkt)
	_, err = gw.Records(ctx(t), day, day.AddDate(0, 0, 1))
	if err == nil || !strings.Contains(err.Error(), "repeats") || calls.Load() != 2 {
		t.Errorf("a repeated page: %v after %d calls", err, calls.Load())
	}
}

// The listing is refused as a whole when QFPay refuses a page or a record's
// amount cannot be read.
func TestRecordsRefusals(t *testing.T) {
	for name, body := range map[string]string{
		"refused":     `{"respcd":"1104","resperr":"bad page"}`,
		"bad amount":  `{"respcd":"0000","data":[{"syssn":"S","out_trade_no":"N","txamt":"1.5","txcurrcd":"HKD","respcd":"0000"}]}`,
		"not qfpay's": `<html>`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
			defer srv.Close()
			gw, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: freshApp(t), ClientKey: "K", Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			day := time.Date(2026, 3, 10, 0, 0, 0, 0, hkt)
			if recs, err := gw.Records(ctx(t), day, day.AddDate(0, 0, 1)); err == nil {
				t.Errorf("listing accepted: %+v", recs)
			}
		})
	}
}

// Every page waits for the merchant's rate limiter: with two calls a
// minute left, a listing of three pages gives up before sending the third.
func TestRecordsWaitForTheRateLimiter(t *testing.T) {
	sc, day := fixedDay(t)
	e := newEnv(t, sc, qfpay.Config{RatePerSecond: 100, RatePerMinute: 2})
	for range 201 {
		if err := e.sb.SeedOrder(payments.QFPay, orderNo(), "800101", hkd(100), true, "T001"); err != nil {
			t.Fatal(err)
		}
	}
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := e.gw.Records(c, day, day.AddDate(0, 0, 1))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, payments.ErrOutcomeUnknown) {
		t.Fatalf("a third page in the minute: %v", err)
	}
	if n := len(e.hits.list()); n != 2 {
		t.Errorf("%d calls arrived, limit 2 a minute", n)
	}
}
