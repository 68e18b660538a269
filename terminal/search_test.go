package terminal

import (
	"context"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

func TestAmountSearch(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"88.50", "88.50", true}, {"88.5", "88.5", true}, {" 88 ", "88", true}, {"HK$1,288.50", "1288.50", true},
		{"hk$ 7", "7", true}, {"$0.1", "0.1", true},
		{"", "", false}, {"T001", "", false}, {"88.", "", false}, {".5", "", false}, {"1.2.3", "", false},
		{"-5", "", false}, {"HK$", "", false}, {"8 8", "", false}, {"１２", "", false},
	} {
		got, ok := AmountSearch(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("AmountSearch(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzAmountSearch(f *testing.F) {
	for _, s := range []string{"88.50", "HK$1,288", "T0012612", "1.2.3", "$", " 0 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := AmountSearch(s)
		if !ok {
			return
		}
		if d == "" || strings.Count(d, ".") > 1 || strings.Trim(d, "0123456789.") != "" {
			t.Fatalf("AmountSearch(%q) = %q", s, d)
		}
		// Every amount it accepts is one ParseMoney reads, or refuses only
		// for its size or its decimals.
		if _, err := payments.ParseMoney(d, "HKD", payments.Range{}); err != nil &&
			!strings.Contains(err.Error(), "too large") && !strings.Contains(err.Error(), "decimals") {
			t.Fatalf("ParseMoney(%q): %v", d, err)
		}
	})
}

// TestOrdersOfAmountPages: the amount search reads the journal a page at a
// time and misses none, also when more orders share one nanosecond than
// a page holds; the limit keeps the newest.
func TestOrdersOfAmountPages(t *testing.T) {
	ctx := context.Background()
	cj := openClockJournal(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.Local)
	var want []string
	for i, minor := range []int64{8850, 100, 8850, 8850, 18850, 8805, 8850} {
		if i < 5 {
			cj.now = at // five orders in one nanosecond
		} else {
			cj.now = at.Add(time.Duration(i) * time.Minute)
		}
		o, err := cj.CreateOrder(ctx, storage.NewOrder{TID: "T001", Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM,
			Amount: hkd(minor), ExpiresAt: cj.now.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if minor == 8850 {
			want = append([]string{o.OutTradeNo}, want...) // newest first
		}
	}
	for _, page := range []int{1, 2, 3, 100} {
		for _, amount := range []string{"88.5", "88.50"} {
			got, err := ordersOfAmount(ctx, cj.Journal, storage.Filter{TID: "T001"}, amount, page)
			if err != nil {
				t.Fatal(err)
			}
			var nos []string
			for _, o := range got {
				nos = append(nos, o.OutTradeNo)
			}
			// Orders of one nanosecond come newest id first, as the journal lists them.
			if strings.Join(nos, " ") != strings.Join(want, " ") {
				t.Fatalf("page %d %s: %v, want %v", page, amount, nos, want)
			}
		}
	}
	got, err := ordersOfAmount(ctx, cj.Journal, storage.Filter{TID: "T001", Limit: 2}, "88.5", 1)
	if err != nil || len(got) != 2 || got[0].OutTradeNo != want[0] || got[1].OutTradeNo != want[1] {
		t.Fatalf("limit 2: %v %v", got, err)
	}
	if got, _ := ordersOfAmount(ctx, cj.Journal, storage.Filter{TID: "T001"}, "88.505", 2); len(got) != 0 {
		t.Fatalf("88.505 found %d", len(got))
	}
}

// TestOrdersSearchByAmount: the terminal's search finds orders by amount
// as well as by number, without repeats, and only its own terminal's.
func TestOrdersSearchByAmount(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx := context.Background()
	j := c.Journal()
	mk := func(tid string, minor int64) payments.Order {
		o, err := j.CreateOrder(ctx, storage.NewOrder{TID: tid, Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM,
			Amount: hkd(minor), ExpiresAt: time.Now().Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.Transition(ctx, o.OutTradeNo, payments.Failed, storage.Change{}); err != nil {
			t.Fatal(err)
		}
		return o
	}
	a, b := mk("T001", 8850), mk("T001", 1000)
	mk("T001", 18850)
	mk("T002", 8850)
	for _, q := range []string{"88.5", "88.50", "HK$88.50"} {
		got, err := c.Orders(ctx, q, time.Time{}, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].OutTradeNo != a.OutTradeNo {
			t.Fatalf("%q found %v", q, got)
		}
	}
	// A number's tail that also reads as an amount: the order of that
	// number, and any order of that amount.
	tail := b.OutTradeNo[len(b.OutTradeNo)-4:]
	got, err := c.Orders(ctx, tail, time.Time{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range got {
		found = found || o.OutTradeNo == b.OutTradeNo
	}
	if !found {
		t.Fatalf("%q found %v, not %s", tail, got, b.OutTradeNo)
	}
	if got, err := c.Orders(ctx, "10", time.Time{}, 50); err != nil || !contains(got, b.OutTradeNo) {
		t.Fatalf("10 found %v %v", got, err)
	}
}

func contains(os []payments.Order, no string) bool {
	for _, o := range os {
		if o.OutTradeNo == no {
			return true
		}
	}
	return false
}
