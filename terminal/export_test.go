package terminal

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// clockJournal is a journal in a private directory whose clock the test
// sets.
type clockJournal struct {
	*storage.Journal
	now time.Time
}

func openClockJournal(t *testing.T) *clockJournal {
	t.Helper()
	cj := &clockJournal{}
	j, err := storage.Open(context.Background(), filepath.Join(privateDir(t), "pos.db"), storage.WithClock(func() time.Time { return cj.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	cj.Journal = j
	return cj
}

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

// sale journals an order of tid at at and moves it through states.
func (cj *clockJournal) sale(t *testing.T, tid string, at time.Time, p payments.Provider, code string, amount int64, ref string, states ...payments.State) payments.Order {
	t.Helper()
	ctx := context.Background()
	cj.now = at
	m, err := payments.LookupMethod(p, code)
	if err != nil {
		t.Fatal(err)
	}
	o, err := cj.CreateOrder(ctx, storage.NewOrder{TID: tid, Provider: p, MethodCode: code, Mode: m.Mode, Amount: hkd(amount), ExpiresAt: at.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		cj.now = cj.now.Add(time.Second)
		if o, err = cj.Transition(ctx, o.OutTradeNo, s, storage.Change{ProviderRef: ref}); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// refund journals a refund of no at at, moved to each state in turn.
func (cj *clockJournal) refund(t *testing.T, no string, at time.Time, amount int64, ref string, states ...payments.RefundState) payments.Refund {
	t.Helper()
	ctx := context.Background()
	cj.now = at
	r, err := cj.CreateRefund(ctx, no, hkd(amount))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		cj.now = cj.now.Add(time.Second)
		if r, err = cj.TransitionRefund(ctx, r.RefundNo, s, storage.RefundChange{ProviderRef: ref}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestSalesCSV: a day's export has one row per sale that took or may take
// money and one per refund of the day, negative; it parses back with
// encoding/csv, its amounts are Money's decimals, and the settled rows add
// up to the day report's net.
func TestSalesCSV(t *testing.T) {
	ctx := context.Background()
	cj := openClockJournal(t)
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local)
	h := func(hour int) time.Time { return day.Add(time.Duration(hour) * time.Hour) }
	paid := []payments.State{payments.Pending, payments.Paid}
	a := cj.sale(t, "T001", h(10), payments.QFPay, "800101", 8850, "QF0001", paid...)
	cj.sale(t, "T001", h(11), payments.Eftpay, "ALIPAYHK", 1230, "", payments.Failed)
	c := cj.sale(t, "T001", h(12), payments.QFPay, "800201", 10000, "QF0003", paid...)
	rc := cj.refund(t, c.OutTradeNo, h(13), 3000, "RF0003", payments.RefundPending, payments.RefundDone)
	d := cj.sale(t, "T001", h(-10), payments.Eftpay, "WECHATHK", 5000, "EF0004", paid...) // yesterday's sale
	rd := cj.refund(t, d.OutTradeNo, h(14), 5000, "RF0004", payments.RefundDone)
	e := cj.sale(t, "T001", h(15), payments.QFPay, "800101", 4200, "", payments.Pending)
	cj.now = h(16).Add(-time.Second)
	if _, _, err := cj.ReserveIdempotencyKey(ctx, storage.APICharge{Key: "k1", TokenID: "socket", RequestHash: "x", Reference: "=SUM(A1)"}); err != nil {
		t.Fatal(err)
	}
	f := cj.sale(t, "T001", h(16), payments.QFPay, "800101", 700, "QF0006", paid...)
	if err := cj.BindIdempotencyKey(ctx, "k1", f.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	cj.sale(t, "T002", h(12), payments.QFPay, "800101", 999, "QF0007", paid...) // another terminal
	cj.sale(t, "T001", h(25), payments.QFPay, "800101", 111, "QF0008", paid...) // tomorrow
	ra := cj.refund(t, a.OutTradeNo, h(17), 1000, "", payments.RefundPending)   // still open

	rows, err := SalesOfDay(ctx, cj.Journal, "T001", day.Add(9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSalesCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(SalesCSVHeader, ",") {
		t.Fatalf("header %v", recs[0])
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, strings.Join([]string{r[col["type"]], r[col["time"]], r[col["order_no"]], r[col["refund_no"]], r[col["provider"]],
			r[col["method"]], r[col["wallet"]], r[col["amount"]], r[col["currency"]], r[col["state"]], r[col["provider_ref"]], r[col["till_ref"]]}, "|"))
	}
	want := []string{
		"sale|2026-12-01 10:00:00|" + a.OutTradeNo + "||qfpay|800101|Alipay|88.50|HKD|paid|QF0001|",
		"sale|2026-12-01 12:00:00|" + c.OutTradeNo + "||qfpay|800201|WeChat Pay|100.00|HKD|partly_refunded|QF0003|",
		"refund|2026-12-01 13:00:02|" + c.OutTradeNo + "|" + rc.RefundNo + "|qfpay|800201|WeChat Pay|-30.00|HKD|done|RF0003|",
		"refund|2026-12-01 14:00:01|" + d.OutTradeNo + "|" + rd.RefundNo + "|eftpay|WECHATHK|WeChat Pay HK|-50.00|HKD|done|RF0004|",
		"sale|2026-12-01 15:00:00|" + e.OutTradeNo + "||qfpay|800101|Alipay|42.00|HKD|pending||",
		"sale|2026-12-01 16:00:00|" + f.OutTradeNo + "||qfpay|800101|Alipay|7.00|HKD|paid|QF0006|'=SUM(A1)",
		"refund|2026-12-01 17:00:00|" + a.OutTradeNo + "|" + ra.RefundNo + "|qfpay|800101|Alipay|-10.00|HKD|pending||",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The settled rows add up to the day report's net.
	eng, err := checkout.New(cj.Journal, checkout.Config{TID: "T001", Currency: "HKD"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.DayReport(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	var net int64
	for _, r := range recs[1:] {
		switch r[col["state"]] {
		case "paid", "partly_refunded", "refunded", "done":
			m, err := parseSignedMoney(r[col["amount"]])
			if err != nil {
				t.Fatal(err)
			}
			net += m.Minor
		}
	}
	if net != rep.Total.Net.Minor || net != 11550 {
		t.Fatalf("export nets %d, report %s", net, rep.Total.Net)
	}
}

func parseSignedMoney(s string) (payments.Money, error) {
	m, err := payments.ParseMoney(strings.TrimPrefix(s, "-"), "HKD", payments.Range{})
	if strings.HasPrefix(s, "-") {
		m.Minor = -m.Minor
	}
	return m, err
}

func TestSalesFileName(t *testing.T) {
	if got := SalesFileName("T001", time.Date(2026, 12, 1, 23, 59, 0, 0, time.Local)); got != "sales-T001-2026-12-01.csv" {
		t.Fatalf("got %q", got)
	}
}

// TestSalesCSVQuotes: texts with commas, quotes and new lines survive the
// round trip; a text that a spreadsheet would run as a formula does not
// start the cell.
func TestSalesCSVQuotes(t *testing.T) {
	rows := []SalesRow{{Type: RowSale, At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.Local), OutTradeNo: "T1", Provider: "qfpay",
		Wallet: `Wallet, "quoted"` + "\nnext", Amount: hkd(1), State: "paid", ProviderRef: "+1", TillRef: "@x"}}
	var b bytes.Buffer
	if err := WriteSalesCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1][6] != rows[0].Wallet || recs[1][7] != "0.01" || recs[1][10] != "'+1" || recs[1][11] != "'@x" {
		t.Fatalf("records %q", recs)
	}
}
