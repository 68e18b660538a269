package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
)

// stepClock is a sandbox clock the test moves by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time       { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Set(t time.Time)      { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func hktAt(s string) time.Time            { t, _ := qfpay.ParseWireTime(s); return t }
func dataOf(out map[string]any) []any     { d, _ := out["data"].([]any); return d }
func field(rec any, k string) string      { s, _ := rec.(map[string]any)[k].(string); return s }
func hkdMinor(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

// The enquiry by time range is as strict as QFPay's: the span within one
// calendar month, page_size 1 to 100, the signature; records chosen by
// sysdtm (whole seconds, both ends included), page by page.
func TestQFPayEnquiryByTimeRange(t *testing.T) {
	clock := &stepClock{}
	_, c := newQFPaySandbox(t, Config{Now: clock.Now})
	for i := range 25 {
		clock.Set(hktAt("2026-03-10 09:00:00").Add(time.Duration(i)*time.Minute + 400*time.Millisecond))
		if got := c.respcd("/trade/v1/payment", qfMPMForm(fmt.Sprintf("R%02d", i))); got != "0000" {
			t.Fatal(got)
		}
	}
	span := func(from, to string, page, size int) url.Values {
		return url.Values{"start_time": {from}, "end_time": {to}, "page": {fmt.Sprint(page)}, "page_size": {fmt.Sprint(size)}}
	}
	for _, bad := range []struct {
		name string
		p    url.Values
	}{
		{"page_size 101", span("2026-03-10 00:00:00", "2026-03-10 23:59:59", 1, 101)},
		{"page_size 0", span("2026-03-10 00:00:00", "2026-03-10 23:59:59", 1, 0)},
		{"page 0", span("2026-03-10 00:00:00", "2026-03-10 23:59:59", 0, 10)},
		{"end before start", span("2026-03-10 00:00:00", "2026-03-09 23:59:59", 1, 10)},
		{"more than a calendar month", span("2026-01-31 00:00:00", "2026-03-01 00:00:00", 1, 10)},
		{"a month and a second", span("2026-02-10 00:00:00", "2026-03-10 00:00:01", 1, 10)},
		{"a time without seconds", span("2026-03-10 00:00", "2026-03-10 23:59:59", 1, 10)},
	} {
		if got := c.respcd("/trade/v1/query", bad.p); got != "1104" {
			t.Errorf("%s: respcd %s, want 1104", bad.name, got)
		}
	}
	if got := c.respcd("/trade/v1/query", span("2026-02-10 00:00:00", "2026-03-10 00:00:00", 1, 10)); got != "0000" {
		t.Errorf("exactly one month: %s", got)
	}
	if _, out := c.call(http.MethodPost, "/trade/v1/query", span("2026-03-10 00:00:00", "2026-03-10 23:59:59", 1, 10),
		"0123456789ABCDEF0123456789ABCDEF"); out["respcd"] != "1108" {
		t.Errorf("unsigned enquiry: %v", out)
	}

	// Pages of 10: 10, 10, 5, then nothing; in the order the records were made.
	var got []string
	for page, want := range []int{10, 10, 5, 0} {
		_, out := c.call(http.MethodPost, "/trade/v1/query", span("2026-03-10 00:00:00", "2026-03-10 23:59:59", page+1, 10), "")
		if d := dataOf(out); len(d) != want || out["page"] != fmt.Sprint(page+1) || out["page_size"] != "10" {
			t.Fatalf("page %d: %d records, want %d (%v)", page+1, len(d), want, out)
		}
		for _, r := range dataOf(out) {
			got = append(got, field(r, "out_trade_no"))
		}
	}
	if got[0] != "R00" || got[24] != "R24" {
		t.Errorf("order of the pages: %v", got)
	}
	// Both ends included, in whole seconds: R03 made at 09:03:00.4 is in a
	// span ending 09:03:00 and in one starting then.
	for _, s := range [][2]string{{"2026-03-10 09:03:00", "2026-03-10 09:03:00"}, {"2026-03-10 08:00:00", "2026-03-10 09:03:00"}} {
		_, out := c.call(http.MethodPost, "/trade/v1/query", span(s[0], s[1], 1, 100), "")
		if d := dataOf(out); len(d) == 0 || field(d[len(d)-1], "out_trade_no") != "R03" {
			t.Errorf("span %v: %v", s, d)
		}
	}
}

func TestPlantings(t *testing.T) {
	s, c := newQFPaySandbox(t, Config{})
	for _, no := range []string{"P1", "P2", "P3"} {
		if got := c.respcd("/trade/v1/payment", qfMPMForm(no)); got != "0000" {
			t.Fatal(got)
		}
		if err := s.Pay(no, "success"); err != nil {
			t.Fatal(err)
		}
	}
	record := func(no string) map[string]any {
		t.Helper()
		_, out := c.call(http.MethodPost, "/trade/v1/query", url.Values{"out_trade_no": {no}}, "")
		d := dataOf(out)
		if len(d) != 1 {
			t.Fatalf("query %s: %v", no, out)
		}
		return d[0].(map[string]any)
	}

	if _, err := s.Plant(Planting{Kind: PlantAmount, OutTradeNo: "P1", Amount: hkdMinor(990)}); err != nil {
		t.Fatal(err)
	}
	if r := record("P1"); r["txamt"] != "990" {
		t.Errorf("planted amount: %v", r)
	}
	if _, err := s.Plant(Planting{Kind: PlantTID, OutTradeNo: "P2", TID: "T999"}); err != nil {
		t.Fatal(err)
	}
	if r := record("P2"); r["udid"] != "T999" {
		t.Errorf("planted tid: %v", r)
	}
	p, err := s.Plant(Planting{Kind: PlantRefund, OutTradeNo: "P3", Amount: hkdMinor(300)})
	if err != nil || p.RefundNo == "" {
		t.Fatalf("planted refund: %+v %v", p, err)
	}
	rfNo := p.RefundNo
	sale, rf := record("P3"), record(rfNo)
	if sale["cancel"] != "5" || rf["order_type"] != "refund" || rf["origssn"] != sale["syssn"] || rf["txamt"] != "300" || rf["respcd"] != "0000" {
		t.Errorf("planted refund: sale %v refund %v", sale, rf)
	}
	p, err = s.Plant(Planting{Kind: PlantUnknownSale, Method: "800201", Amount: hkdMinor(4200), TID: "T001"})
	if err != nil || !strings.HasPrefix(p.OutTradeNo, "T001") || p.Provider != payments.QFPay {
		t.Fatalf("planted unknown sale: %+v %v", p, err)
	}
	if r := record(p.OutTradeNo); r["respcd"] != "0000" || r["udid"] != "T001" || r["txamt"] != "4200" || r["pay_type"] != "800201" {
		t.Errorf("planted unknown sale: %v", r)
	}

	if _, err := s.Plant(Planting{Kind: PlantAmount, OutTradeNo: rfNo, Amount: hkdMinor(250)}); err != nil {
		t.Fatal(err)
	}
	if r := record(rfNo); r["txamt"] != "250" {
		t.Errorf("planted refund amount: %v", r)
	}
	// A closed order the customer paid after all.
	if got := c.respcd("/trade/v1/payment", qfMPMForm("P4")); got != "0000" {
		t.Fatal(got)
	}
	p4, _ := s.Order("P4")
	_, q := c.call(http.MethodPost, "/trade/v1/query", url.Values{"out_trade_no": {"P4"}}, "")
	rev := url.Values{"syssn": {p4.Ref}, "txamt": {"1000"}, "txdtm": {field(dataOf(q)[0], "txdtm")}}
	if got := c.respcd("/trade/v1/reversal", rev); got != "0000" {
		t.Fatal(got)
	}
	if _, err := s.Plant(Planting{Kind: PlantPaid, OutTradeNo: "P4"}); err != nil {
		t.Fatal(err)
	}
	if r := record("P4"); r["respcd"] != "0000" || r["cancel"] != "0" || r["paydtm"] == "" {
		t.Errorf("planted late payment: %v", r)
	}

	// Refused: a refund above what is left, no such sale, an unknown kind.
	for _, bad := range []Planting{
		{Kind: PlantRefund, OutTradeNo: "P3", Amount: hkdMinor(701)},
		{Kind: PlantAmount, OutTradeNo: "NONE", Amount: hkdMinor(1)},
		{Kind: PlantTID, OutTradeNo: "P1"},
		{Kind: "nonsense", OutTradeNo: "P1"},
	} {
		if _, err := s.Plant(bad); err == nil {
			t.Errorf("planted %+v", bad)
		}
	}
	// Through HTTP, as JSON and as a form; no notification, no call logged.
	before := len(s.Requests())
	for _, body := range []struct{ ct, body string }{
		{"application/json", `{"kind":"amount","out_trade_no":"P2","amount":"11.00"}`},
		{"application/x-www-form-urlencoded", "kind=tid&out_trade_no=P2&tid=T777"},
	} {
		resp, err := http.Post(c.url+"/sandbox/plant", body.ct, strings.NewReader(body.body))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || out["provider"] != "qfpay" {
			t.Errorf("POST /sandbox/plant %s: %d %v", body.body, resp.StatusCode, out)
		}
	}
	if r := record("P2"); r["txamt"] != "1100" || r["udid"] != "T777" {
		t.Errorf("planted through HTTP: %v", r)
	}
	if n := len(s.Requests()) - before; n != 1 { // the query just made
		t.Errorf("%d provider calls logged for two plantings and a query", n)
	}
}

// FuzzParsePlanting feeds any body to /sandbox/plant's reading: it never
// panics, and an amount it accepts is positive in a known currency.
func FuzzParsePlanting(f *testing.F) {
	f.Add("application/json", []byte(`{"kind":"refund","out_trade_no":"A","amount":"1.50","currency":"hkd"}`))
	f.Add("", []byte("kind=unknown_sale&provider=eftpay&method=ALIPAYHK&amount=12&tid=T1"))
	f.Add("application/json", []byte(`{"amount":12}`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		p, err := parsePlanting(ct, body)
		if err != nil {
			return
		}
		if p.Amount != (payments.Money{}) && (p.Amount.Minor <= 0 || !p.Amount.Currency.Valid()) {
			t.Fatalf("amount %+v", p.Amount)
		}
		if _, known := payments.LookupProvider(p.Provider); p.Provider != "" && !known {
			t.Fatalf("provider %q", p.Provider)
		}
	})
}
