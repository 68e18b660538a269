package api

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"qrpos/hq/store"
	"qrpos/payments"
)

// QueryError is a query parameter the API refuses.
type QueryError struct {
	Param, Reason string
}

func (e *QueryError) Error() string { return e.Param + ": " + e.Reason }

// Day is a calendar day of the chain: [From, To) in its time zone.
type Day struct {
	Date     string // YYYY-MM-DD
	From, To time.Time
}

// ParseDay reads date=YYYY-MM-DD in loc; "" is today (at now).
func ParseDay(s string, loc *time.Location, now time.Time) (Day, error) {
	var t time.Time
	if s == "" {
		n := now.In(loc)
		t = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	} else {
		var err error
		if t, err = time.ParseInLocation(time.DateOnly, s, loc); err != nil || t.Year() < 2000 || t.Year() > 2200 {
			return Day{}, &QueryError{"date", "want YYYY-MM-DD between 2000 and 2200"}
		}
	}
	return Day{Date: t.Format(time.DateOnly), From: t, To: t.AddDate(0, 0, 1)}, nil
}

// ParseName reads a tid or store name: at most 64 characters, no control
// characters; "" stands for any.
func ParseName(param, s string) (string, error) {
	if len([]rune(s)) > 64 || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", &QueryError{param, "at most 64 characters, none of them control characters"}
	}
	return s, nil
}

// ParseGroup reads group=store|tid|method|provider ("" is store).
func ParseGroup(s string) (string, error) {
	switch s {
	case "":
		return "store", nil
	case "store", "tid", "method", "provider":
		return s, nil
	}
	return "", &QueryError{"group", "want store, tid, method or provider"}
}

// OrdersQuery reads the query of GET /api/v1/orders: date, tid, store.
func OrdersQuery(v url.Values, loc *time.Location, now time.Time) (store.OrderFilter, Day, error) {
	day, err := ParseDay(v.Get("date"), loc, now)
	if err != nil {
		return store.OrderFilter{}, day, err
	}
	tid, err := ParseName("tid", v.Get("tid"))
	if err != nil {
		return store.OrderFilter{}, day, err
	}
	shop, err := ParseName("store", v.Get("store"))
	return store.OrderFilter{From: day.From, To: day.To, TID: tid, Store: shop}, day, err
}

// SearchQuery reads the query of GET /api/v1/orders/search: q (an order
// number or provider reference, or its start; or an amount as a person
// writes it: "88.50", "HK$1,288"), and optionally date and store.
func SearchQuery(v url.Values, loc *time.Location, now time.Time) (store.Search, error) {
	q := strings.TrimSpace(v.Get("q"))
	if q == "" || len([]rune(q)) > 64 || strings.IndexFunc(q, unicode.IsControl) >= 0 {
		return store.Search{}, &QueryError{"q", "1 to 64 characters, none of them control characters"}
	}
	s := store.Search{Text: q, Amounts: Amounts(q), Limit: 100}
	if d := v.Get("date"); d != "" {
		day, err := ParseDay(d, loc, now)
		if err != nil {
			return store.Search{}, err
		}
		s.From, s.To = day.From, day.To
	}
	var err error
	s.Store, err = ParseName("store", v.Get("store"))
	return s, err
}

// Amounts reads q as an amount a person writes: digits with at most one
// decimal point, optionally after a currency sign (HK$, $) and with
// thousands commas. It returns the amount in every currency in which it
// is one (12.5 is 1250 cents; in JPY it is no amount), or nothing.
func Amounts(q string) []store.Amount {
	s := strings.TrimSpace(q)
	if len(s) >= 3 && strings.EqualFold(s[:3], "HK$") {
		s = s[3:]
	}
	s = strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(s, "$")), ",", "")
	var out []store.Amount
	for _, c := range payments.Currencies() {
		if m, err := payments.ParseMoney(s, c, payments.Range{}); err == nil {
			out = append(out, store.Amount{Currency: string(c), Minor: m.Minor})
		}
	}
	return out
}

// money formats minor units of currency c as the API's decimal string.
func money(minor int64, c string) string {
	if !payments.Currency(c).Valid() {
		return fmt.Sprintf("%d", minor)
	}
	return payments.Money{Minor: minor, Currency: payments.Currency(c)}.Decimal()
}
