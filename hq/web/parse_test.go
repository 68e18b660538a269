package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"qrpos/hq/store"
)

var hkt = time.FixedZone("HKT", 8*3600)

// FuzzProfileForm: the profile form's parser never panics, and what it
// accepts is what the terminal accepts: timeouts in range, a known
// language, methods as provider:code without repeats, texts without
// control characters (line breaks only in the receipt's texts).
func FuzzProfileForm(f *testing.F) {
	f.Add("store_name=Central&receipt_footer=Thanks%0D%0Abye&methods=eftpay:ALIPAYHK%0Aqfpay:800008&order_timeout=120&cpm_timeout=45&language=zh-Hant&base=1")
	f.Add("store_name=%00&methods=WeChat+Pay&order_timeout=1e3&cpm_timeout=-1&language=fr&base=0")
	f.Add("methods=a:b,a:b+c:d&order_timeout=7200&cpm_timeout=600&base=9223372036854775807")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, errs := ParseProfileForm(v)
		if len(errs) > 0 {
			for _, e := range errs {
				if e.Field == "" || e.Message == "" {
					t.Fatalf("%q: an error without its field or words: %+v", raw, e)
				}
			}
			return
		}
		if p.OrderTimeout < 30 || p.OrderTimeout > 7200 || p.CPMTimeout < 10 || p.CPMTimeout > 600 || p.Base <= 0 {
			t.Fatalf("%q: accepted %+v", raw, p)
		}
		seen := map[string]bool{}
		for _, m := range p.Methods {
			if !methodID.MatchString(m) || seen[m] {
				t.Fatalf("%q: accepted method %q", raw, m)
			}
			seen[m] = true
		}
		for _, s := range []string{p.StoreName, p.StoreAddress, p.Language} {
			if strings.IndexFunc(s, unicode.IsControl) >= 0 {
				t.Fatalf("%q: accepted %q", raw, s)
			}
		}
		for _, s := range []string{p.ReceiptHeader, p.ReceiptFooter} {
			if strings.IndexFunc(s, func(c rune) bool { return c != '\n' && unicode.IsControl(c) }) >= 0 {
				t.Fatalf("%q: accepted %q", raw, s)
			}
		}
	})
}

// FuzzSafeNext: after a login the browser goes only to a path of this
// server.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/orders?q=1", "//evil.example", "/\\evil.example", "https://evil.example/", "/%2F%2Fevil", "/\t/evil", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeNext(s)
		u, err := url.Parse(got)
		if err != nil || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\x00\r\n\t") ||
			u.Host != "" || u.Scheme != "" {
			t.Fatalf("SafeNext(%q) = %q", s, got)
		}
		if got != "/" && got != s {
			t.Fatalf("SafeNext(%q) = %q: changed a path it kept", s, got)
		}
	})
}

// FuzzOrdersQuery: the orders page's query parser never panics; what it
// accepts is a search of at most 64 characters or one calendar day, and
// a page never asks for more than maxRows+1 orders.
func FuzzOrdersQuery(f *testing.F) {
	f.Add("q=T001&store=Central")
	f.Add("date=2026-03-02&store=%E4%B8%AD%E7%92%B0&tid=T001")
	f.Add("q=HK%241%2C288.50&date=2026-02-30")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, hkt)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseOrdersQuery(v, hkt, now)
		if err != nil {
			return
		}
		if q.Q != "" {
			if len([]rune(q.Q)) > 64 || q.Search.Limit != maxRows+1 || q.Search.Text != q.Q {
				t.Fatalf("%q: search %+v", raw, q.Search)
			}
			return
		}
		if q.Filter.Limit != maxRows+1 || q.Filter.To.Sub(q.Filter.From) > 25*time.Hour || q.Filter.From.In(hkt).Format(time.DateOnly) != q.Date {
			t.Fatalf("%q: day %+v %q", raw, q.Filter, q.Date)
		}
	})
}

// TestCheckedBlanksSecrets: a profile version holding a secret (a
// manager PIN's hash, a provider secret, a token in a list) is saved with
// each blank and the rest kept; a profile of another terminal is refused.
func TestCheckedBlanksSecrets(t *testing.T) {
	var settings map[string]any
	json.Unmarshal([]byte(`{"tid":"T001","manager_pin_hash":"pbkdf2$x","receipt_footer":"Thanks",
		"eftpay":{"base_url":"https://e","secret":"s3cret"},"list":[{"token":"t0k"},{"name":"n"}]}`), &settings)
	out, err := checked(settings, "T001")
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"pbkdf2", "s3cret", "t0k"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("saved %s with %q in it", out, leak)
		}
	}
	if !bytes.Contains(out, []byte(`"base_url":"https://e"`)) || !bytes.Contains(out, []byte(`"receipt_footer":"Thanks"`)) ||
		!bytes.Contains(out, []byte(`"name":"n"`)) {
		t.Errorf("saved %s: the other settings went missing", out)
	}
	if _, err := checked(map[string]any{"tid": "T002"}, "T001"); err == nil {
		t.Error("a profile of T002 was accepted for T001")
	}
}

// TestWriteCSV: one line an order, amounts as decimal strings in their
// currency, times in the chain's zone, formulas defused.
func TestWriteCSV(t *testing.T) {
	at := time.Date(2026, 3, 2, 1, 2, 3, 0, time.UTC)
	var buf bytes.Buffer
	err := writeCSV(&buf, []store.Order{
		{Store: "中環, Central", TID: "T001", OutTradeNo: "N1", Provider: "eftpay", Method: "ALIPAYHK", AmountMinor: 128850,
			Currency: "HKD", RefundedMinor: 5, State: "partly_refunded", ProviderRef: "@SUM(A1)", CreatedAt: at},
		{Store: "Tokyo", TID: "T009", OutTradeNo: "N2", Provider: "qfpay", Method: "800008", AmountMinor: 1200,
			Currency: "JPY", State: "paid", ProviderRef: "-1", CreatedAt: at},
	}, hkt)
	rows, rerr := csv.NewReader(&buf).ReadAll()
	if err != nil || rerr != nil || len(rows) != 3 {
		t.Fatalf("%q: %v %v", buf.String(), err, rerr)
	}
	want := [][]string{
		CSVHeader,
		{"中環, Central", "T001", "2026-03-02T09:02:03+08:00", "N1", "eftpay:ALIPAYHK", "eftpay", "1288.50", "HKD", "partly_refunded", "'@SUM(A1)", "0.05"},
		{"Tokyo", "T009", "2026-03-02T09:02:03+08:00", "N2", "qfpay:800008", "qfpay", "1200", "JPY", "paid", "'-1", "0"},
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("line %d: %q\nwant %q", i, rows[i], want[i])
		}
	}
}
