package reconcile

import (
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.FixedZone("HKT", 8*3600))

func hkd(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }

func order(no string, st payments.State, minor int64) payments.Order {
	return payments.Order{OutTradeNo: no, TID: "T001", Provider: payments.QFPay, MethodCode: "800101", Amount: hkd(minor),
		State: st, ProviderRef: "S-" + no, CreatedAt: t0}
}

func sale(no string, st payments.State, minor int64) payments.Record {
	return payments.Record{Provider: payments.QFPay, Kind: payments.RecordSale, OutTradeNo: no, ProviderRef: "S-" + no,
		MethodCode: "800101", Amount: hkd(minor), State: st, TID: "T001", At: t0}
}

func jrefund(no, saleNo string, st payments.RefundState, minor int64) Refund {
	return Refund{Refund: payments.Refund{RefundNo: no, OutTradeNo: saleNo, Amount: hkd(minor), State: st, CreatedAt: t0},
		Provider: payments.QFPay}
}

func rrefund(no, saleNo string, st payments.RefundState, minor int64) payments.Record {
	return payments.Record{Provider: payments.QFPay, Kind: payments.RecordRefund, OutTradeNo: no, ProviderRef: "R-" + no,
		OriginalRef: "S-" + saleNo, Amount: hkd(minor), RefundState: st, TID: "T001", At: t0}
}

func with(r payments.Record, f func(*payments.Record)) payments.Record { f(&r); return r }

// cleanDay is a day on which the journal and QFPay agree: sales paid,
// failed, closed before reaching the provider, partly refunded, and a
// refund today of a sale of another day; another counter's unpaid QR.
func cleanDay() Input {
	old := order("OLD", payments.PartlyRefunded, 5000)
	old.CreatedAt = t0.AddDate(0, 0, -3)
	return Input{TID: "T001",
		Orders: []payments.Order{order("A", payments.Paid, 1230), order("B", payments.Failed, 800), order("C", payments.Closed, 900),
			order("D", payments.PartlyRefunded, 2000), order("E", payments.Refunded, 300)},
		Named: []payments.Order{old},
		Refunds: []Refund{jrefund("DR", "D", payments.RefundDone, 500), jrefund("ER", "E", payments.RefundDone, 300),
			jrefund("OLDR", "OLD", payments.RefundDone, 1000), jrefund("XR", "A", payments.RefundFailed, 100)},
		Records: []payments.Record{sale("A", payments.Paid, 1230), sale("B", payments.Failed, 800),
			sale("D", payments.PartlyRefunded, 2000), sale("E", payments.Refunded, 300),
			rrefund("DR", "D", payments.RefundDone, 500), rrefund("ER", "E", payments.RefundDone, 300),
			rrefund("OLDR", "OLD", payments.RefundDone, 1000),
			with(sale("Z", payments.Expired, 4000), func(r *payments.Record) { r.TID = "T002" })},
	}
}

func TestCleanDayHasNoDifferences(t *testing.T) {
	if ds := Compare(cleanDay()); len(ds) != 0 {
		t.Fatalf("a clean day: %v", ds)
	}
	if ds := Compare(Input{TID: "T001"}); len(ds) != 0 {
		t.Fatalf("an empty day: %v", ds)
	}
}

func TestEachDifference(t *testing.T) {
	type want struct {
		kind     Kind
		no, rfno string
	}
	cases := []struct {
		name   string
		change func(*Input)
		want   []want
	}{
		{"paid at the provider, missing here", func(in *Input) {
			in.Records = append(in.Records, sale("NEW", payments.Paid, 4200))
		}, []want{{MissingHere, "NEW", ""}}},
		{"a record naming no terminal is ours", func(in *Input) {
			in.Records = append(in.Records, with(sale("NEW", payments.Paid, 4200), func(r *payments.Record) { r.TID = "" }))
		}, []want{{MissingHere, "NEW", ""}}},
		{"tid in another letter case is ours", func(in *Input) {
			in.Records = append(in.Records, with(sale("NEW", payments.Paid, 4200), func(r *payments.Record) { r.TID = "t001" }))
		}, []want{{MissingHere, "NEW", ""}}},
		{"an unpaid record missing here is no difference", func(in *Input) {
			in.Records = append(in.Records, sale("NEW", payments.Expired, 4200))
		}, nil},
		{"paid at the provider, failed here", func(in *Input) {
			in.Records[1] = sale("B", payments.Paid, 800)
		}, []want{{NotPaidHere, "B", ""}}},
		{"paid at the provider, closed here without a record of it", func(in *Input) {
			in.Records = append(in.Records, sale("C", payments.Paid, 900))
		}, []want{{NotPaidHere, "C", ""}}},
		{"paid here, closed at the provider", func(in *Input) {
			in.Records[0] = sale("A", payments.Closed, 1230)
		}, []want{{NotPaidThere, "A", ""}}},
		{"paid here, missing at the provider", func(in *Input) {
			in.Records = in.Records[1:]
		}, []want{{NotPaidThere, "A", ""}}},
		{"amount differs", func(in *Input) {
			in.Records[0] = sale("A", payments.Paid, 1229)
		}, []want{{AmountDiffers, "A", ""}}},
		{"currency differs", func(in *Input) {
			in.Records[0] = with(sale("A", payments.Paid, 1230), func(r *payments.Record) { r.Amount.Currency = "CNY" })
		}, []want{{AmountDiffers, "A", ""}}},
		{"an amount the provider did not give is not compared", func(in *Input) {
			in.Records[0] = with(sale("A", payments.Paid, 0), func(r *payments.Record) { r.Amount = payments.Money{} })
		}, nil},
		{"refund only at the provider", func(in *Input) {
			in.Records = append(in.Records, rrefund("PORTAL1", "A", payments.RefundDone, 200))
		}, []want{{RefundOnlyThere, "A", "PORTAL1"}}},
		{"refund done there, failed here", func(in *Input) {
			in.Records = append(in.Records, rrefund("XR", "A", payments.RefundDone, 100))
		}, []want{{RefundOnlyThere, "A", "XR"}}},
		{"refund only here", func(in *Input) {
			in.Records = append(in.Records[:4], in.Records[5:]...) // DR gone
		}, []want{{RefundOnlyHere, "D", "DR"}}},
		{"refund done here, failed at the provider", func(in *Input) {
			in.Records[4] = rrefund("DR", "D", payments.RefundFailed, 500)
		}, []want{{RefundOnlyHere, "D", "DR"}}},
		{"refund amounts differ", func(in *Input) {
			in.Records[4] = rrefund("DR", "D", payments.RefundDone, 600)
		}, []want{{RefundDiffers, "D", "DR"}}},
		{"another terminal's paid sale and refund", func(in *Input) {
			in.Records = append(in.Records, with(sale("T2A", payments.Paid, 700), func(r *payments.Record) { r.TID = "T002" }),
				with(rrefund("T2R", "T2A", payments.RefundDone, 70), func(r *payments.Record) { r.TID = "T002" }))
		}, []want{{OtherTerminal, "T2A", ""}, {OtherTerminal, "T2A", "T2R"}}},
		{"our number in another terminal's record", func(in *Input) {
			in.Records[0] = with(sale("A", payments.Paid, 1230), func(r *payments.Record) { r.TID = "T009" })
		}, []want{{NotPaidThere, "A", ""}, {OtherTerminal, "A", ""}}},
		{"the same number at another provider", func(in *Input) {
			in.Records[0] = with(sale("A", payments.Paid, 1230), func(r *payments.Record) { r.Provider = payments.Eftpay })
		}, []want{{MissingHere, "A", ""}, {NotPaidThere, "A", ""}}},
		{"a sale the provider could not be asked about", func(in *Input) {
			in.Records = in.Records[1:]
			in.Unchecked = []Unchecked{{Provider: payments.QFPay, OutTradeNo: "A", Reason: "no answer"}}
		}, []want{{NotChecked, "A", ""}}},
		{"a refund the provider could not be asked about", func(in *Input) {
			in.Records = append(in.Records[:4], in.Records[5:]...)
			in.Unchecked = []Unchecked{{Provider: payments.QFPay, OutTradeNo: "D", RefundNo: "DR", Reason: "no answer"}}
		}, []want{{NotChecked, "D", "DR"}}},
		{"a record that does not say", func(in *Input) {
			in.Records[0] = sale("A", payments.Unknown, 1230)
		}, []want{{NotChecked, "A", ""}}},
		{"a paid record beside a pending one of the same number", func(in *Input) {
			in.Records = append(in.Records, sale("A", payments.Pending, 1230))
			in.Records = append([]payments.Record{sale("B", payments.Pending, 800)}, in.Records...)
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := cleanDay()
			c.change(&in)
			ds := Compare(in)
			var got, exp []string
			for _, d := range ds {
				got = append(got, string(d.Kind)+" "+d.OutTradeNo+" "+d.RefundNo)
			}
			for _, w := range c.want {
				exp = append(exp, string(w.kind)+" "+w.no+" "+w.rfno)
			}
			if strings.Join(got, "|") != strings.Join(exp, "|") {
				t.Errorf("differences:\n %s\nwant\n %s", strings.Join(got, "\n "), strings.Join(exp, "\n "))
			}
		})
	}
}

// What a difference carries: both sides, for the screen and the command.
func TestDifferenceSides(t *testing.T) {
	in := cleanDay()
	in.Records[0] = sale("A", payments.Paid, 1229)
	in.Records = append(in.Records, with(sale("NEW", payments.Paid, 4200), func(r *payments.Record) { r.At = t0.Add(time.Hour) }))
	ds := Compare(in)
	if len(ds) != 2 {
		t.Fatalf("%v", ds)
	}
	a, n := ds[0], ds[1]
	if a.Kind != AmountDiffers || a.Here != hkd(1230) || a.There != hkd(1229) || a.HereState != "paid" || a.ThereState != "paid" ||
		a.ProviderRef != "S-A" || a.CanTakeIn() || !a.Ours() {
		t.Errorf("amount differs: %+v", a)
	}
	if n.Kind != MissingHere || n.Here != (payments.Money{}) || n.HereState != "" || n.There != hkd(4200) || !n.CanTakeIn() ||
		n.MethodCode != "800101" || !n.At.Equal(t0.Add(time.Hour)) {
		t.Errorf("missing here: %+v", n)
	}
	line := n.String()
	for _, s := range []string{"paid at the provider, missing here", "NEW", "S-NEW", "here nothing", "provider HK$42.00 paid", "to do:"} {
		if !strings.Contains(line, s) {
			t.Errorf("%q lacks %q", line, s)
		}
	}
}

func TestEveryKindSaysWhatToDo(t *testing.T) {
	for _, k := range Kinds() {
		if k.Title() == string(k) || k.Todo() == "" {
			t.Errorf("kind %s has no words", k)
		}
	}
	if got := Amount(payments.Money{Minor: 1230, Currency: "XXX"}); got != "XXX 1230 minor units" {
		t.Errorf("an unknown currency: %q", got)
	}
}
