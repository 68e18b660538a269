package api

import (
	"net/http"

	"qrpos/hq/internal/reply"
)

// Report answers GET /api/v1/report?date=&group=: a day's sales (orders
// created that day whose money moved) and refunds (confirmed that day)
// by group, one line per group and currency, and the totals per currency.
type Report struct {
	Date   string       `json:"date"`
	Group  string       `json:"group"` // store, tid, method, provider
	Store  string       `json:"store"` // "": every store
	Lines  []ReportLine `json:"lines"`
	Totals []ReportLine `json:"totals"` // key "total"
}

// ReportLine is one group's figures in one currency.
type ReportLine struct {
	Key         string `json:"key"`
	Currency    string `json:"currency"`
	Sales       int64  `json:"sales"`
	Gross       string `json:"gross"`
	Refunds     int64  `json:"refunds"`
	RefundTotal string `json:"refund_total"`
	Net         string `json:"net"`
}

func (a *API) report(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	day, err := ParseDay(v.Get("date"), a.loc(), a.now())
	var group, shop string
	if err == nil {
		group, err = ParseGroup(v.Get("group"))
	}
	if err == nil {
		shop, err = ParseName("store", v.Get("store"))
	}
	if err == nil {
		shop, err = scope(r, shop)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	lines, err := a.DB.Report(r.Context(), day.From, day.To, group, shop)
	if err != nil {
		a.fail(w, err)
		return
	}
	out := Report{Date: day.Date, Group: group, Store: shop, Lines: []ReportLine{}, Totals: []ReportLine{}}
	type sum struct{ sales, gross, refunds, refunded int64 }
	totals := map[string]*sum{}
	var order []string
	for _, l := range lines {
		out.Lines = append(out.Lines, line(l.Key, l.Currency, l.Sales, l.GrossMinor, l.Refunds, l.RefundsMinor))
		t, ok := totals[l.Currency]
		if !ok {
			t = &sum{}
			totals[l.Currency] = t
			order = append(order, l.Currency)
		}
		t.sales, t.gross, t.refunds, t.refunded = t.sales+l.Sales, t.gross+l.GrossMinor, t.refunds+l.Refunds, t.refunded+l.RefundsMinor
	}
	for _, c := range order {
		t := totals[c]
		out.Totals = append(out.Totals, line("total", c, t.sales, t.gross, t.refunds, t.refunded))
	}
	reply.JSON(w, http.StatusOK, out)
}

func line(key, currency string, sales, gross, refunds, refunded int64) ReportLine {
	return ReportLine{Key: key, Currency: currency, Sales: sales, Gross: money(gross, currency),
		Refunds: refunds, RefundTotal: money(refunded, currency), Net: money(gross-refunded, currency)}
}
