package api

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"qrpos/hq/store"
)

var hkt = time.FixedZone("HKT", 8*3600)

// TestParseDay: a date is the chain's day, midnight to midnight in its
// zone; none is today there.
func TestParseDay(t *testing.T) {
	d, err := ParseDay("2026-03-02", hkt, time.Now())
	if err != nil || d.From != time.Date(2026, 3, 2, 0, 0, 0, 0, hkt) || d.To.Sub(d.From) != 24*time.Hour {
		t.Fatalf("2026-03-02: %+v, %v", d, err)
	}
	now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC) // 01:00 on the 3rd in Hong Kong
	if d, _ := ParseDay("", hkt, now); d.Date != "2026-03-03" {
		t.Fatalf("today at %v is %s", now, d.Date)
	}
	for _, bad := range []string{"2026-3-2", "02/03/2026", "1999-12-31", "2026-02-30", "x"} {
		if _, err := ParseDay(bad, hkt, now); err == nil {
			t.Errorf("date %q accepted", bad)
		}
	}
}

// TestAmounts: an amount as people write it, in every currency where it
// is one.
func TestAmounts(t *testing.T) {
	for q, want := range map[string][]store.Amount{
		"HK$1,288.5": {{Currency: "HKD", Minor: 128850}},
		"12":         {{Currency: "HKD", Minor: 1200}, {Currency: "JPY", Minor: 12}},
		"1.234":      nil,
		"abc":        nil,
		"":           nil,
	} {
		got := Amounts(q)
		var hkd, jpy store.Amount
		for _, a := range got {
			switch a.Currency {
			case "HKD":
				hkd = a
			case "JPY":
				jpy = a
			}
		}
		switch {
		case want == nil && len(got) != 0:
			t.Errorf("Amounts(%q) = %v; want none", q, got)
		case want != nil && hkd != want[0]:
			t.Errorf("Amounts(%q) in HKD = %v; want %v", q, hkd, want[0])
		case len(want) == 2 && jpy != want[1]:
			t.Errorf("Amounts(%q) in JPY = %v; want %v", q, jpy, want[1])
		}
	}
}

// FuzzQuery: the API's query parsing never panics, and what it accepts
// is a day of one calendar date, names without control characters, a
// known group, and amounts that are not negative.
func FuzzQuery(f *testing.F) {
	f.Add("date=2026-03-02&tid=T001&store=Central&group=tid&q=HK%2410.50")
	f.Add("q=%00&date=2200-12-31&store=%E4%B8%AD%E7%92%B0")
	f.Add("group=method&q=1,2,3.4")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, hkt)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if f, day, err := OrdersQuery(v, hkt, now); err == nil {
			if !f.From.Before(f.To) || day.From.Format(time.DateOnly) != day.Date || control(f.TID) || control(f.Store) {
				t.Fatalf("orders query %q: %+v %+v", raw, f, day)
			}
		} else if !errors.As(err, new(*QueryError)) {
			t.Fatalf("error %v is no *QueryError", err)
		}
		if s, err := SearchQuery(v, hkt, now); err == nil {
			if s.Text == "" || control(s.Text) || control(s.Store) || (!s.From.IsZero() && !s.From.Before(s.To)) {
				t.Fatalf("search %q: %+v", raw, s)
			}
			for _, a := range s.Amounts {
				if a.Minor < 0 {
					t.Fatalf("search %q: amount %+v", raw, a)
				}
			}
		}
		if g, err := ParseGroup(v.Get("group")); err == nil && !strings.Contains(" store tid method provider ", " "+g+" ") {
			t.Fatalf("group %q", g)
		}
	})
}

func control(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

// FuzzProfileEdit: a profile an admin sends is accepted only as a JSON
// object of this terminal with no secret set.
func FuzzProfileEdit(f *testing.F) {
	f.Add([]byte(`{"settings":{"receipt_footer":"Thanks","eftpay":{"base_url":"u","secret":""}}}`))
	f.Add([]byte(`{"settings":{"qfpay":{"client_key":"k"}}}`))
	f.Add([]byte(`{"settings":{"tid":"T001","methods":["eftpay:ALIPAYHK"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := ParseProfileEdit(data, "T001")
		if err != nil {
			return
		}
		var v map[string]any
		if json.Unmarshal(out, &v) != nil || v == nil || len(secrets("settings", v)) > 0 {
			t.Fatalf("accepted %q as %q", data, out)
		}
		if tid, ok := v["tid"]; ok && tid != "T001" {
			t.Fatalf("accepted a profile of %v", tid)
		}
	})
}

// TestProfileEditKeepsWhatWasChecked: a key given twice (a secret, then
// blank) is kept once, as checked: the secret does not slip through.
func TestProfileEditKeepsWhatWasChecked(t *testing.T) {
	out, err := ParseProfileEdit([]byte(`{"settings":{"secret":"s3cret","secret":"","n":1.50}}`), "T001")
	if err != nil || strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), `"n":1.50`) {
		t.Fatalf("kept %s, %v", out, err)
	}
}
