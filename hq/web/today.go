package web

import (
	"net/http"
	"net/url"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// todayView is a day's sales across the chain (or the person's store).
type todayView struct {
	frame
	Date, Prev, Next string
	Store            string // "": every store
	Totals           []reportLine
	ByStore          []reportLine
	ByMethod         []reportLine
	ByProvider       []reportLine
	OrdersURL        string
	ExportURL        string
}

// reportLine is one group's figures in one currency, formatted.
type reportLine struct {
	Key, Currency             string
	Sales, Refunds            int64
	Gross, Refunded, Net      string
	Link                      string // the group's orders, when there is a page of them
	grossMinor, refundedMinor int64
}

// today shows the sales of ?date= (default today) by store, method and
// provider, with the totals per currency.
func (pg *Pages) today(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	day, err := api.ParseDay(r.URL.Query().Get("date"), pg.loc(), pg.now())
	if err != nil {
		pg.fail(w, r, p, http.StatusBadRequest, "The date must be YYYY-MM-DD.")
		return
	}
	shop, _ := scope(p, "")
	v := todayView{Date: day.Date, Store: shop,
		Prev: day.From.AddDate(0, 0, -1).Format(time.DateOnly), Next: day.To.Format(time.DateOnly),
		OrdersURL: "/orders?" + url.Values{"date": {day.Date}}.Encode(),
		ExportURL: "/export.csv?" + url.Values{"date": {day.Date}}.Encode()}
	groups := []struct {
		name string
		into *[]reportLine
	}{{"store", &v.ByStore}, {"method", &v.ByMethod}, {"provider", &v.ByProvider}}
	for _, g := range groups {
		lines, err := pg.DB.Report(r.Context(), day.From, day.To, g.name, shop)
		if err != nil {
			pg.Log.Error("today", "group", g.name, "err", err)
			pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
			return
		}
		*g.into = reportLines(lines)
	}
	for i := range v.ByStore {
		v.ByStore[i].Link = "/orders?" + url.Values{"date": {day.Date}, "store": {v.ByStore[i].Key}}.Encode()
	}
	v.Totals = totals(v.ByStore)
	pg.render(w, r, http.StatusOK, "today", &v, frame{Title: "Sales of " + day.Date, Tab: "today", User: p})
}

func reportLines(lines []store.ReportLine) []reportLine {
	out := make([]reportLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, line(l.Key, l.Currency, l.Sales, l.GrossMinor, l.Refunds, l.RefundsMinor))
	}
	return out
}

func line(key, currency string, sales, gross, refunds, refunded int64) reportLine {
	return reportLine{Key: key, Currency: currency, Sales: sales, Refunds: refunds, Gross: money(gross, currency),
		Refunded: money(refunded, currency), Net: money(gross-refunded, currency), grossMinor: gross, refundedMinor: refunded}
}

// totals adds lines up per currency, in the order the currencies come.
func totals(lines []reportLine) []reportLine {
	var out []reportLine
	at := map[string]int{}
	for _, l := range lines {
		i, ok := at[l.Currency]
		if !ok {
			i = len(out)
			at[l.Currency] = i
			out = append(out, reportLine{Currency: l.Currency})
		}
		t := &out[i]
		t.Sales, t.Refunds, t.grossMinor, t.refundedMinor = t.Sales+l.Sales, t.Refunds+l.Refunds, t.grossMinor+l.grossMinor, t.refundedMinor+l.refundedMinor
	}
	for i, t := range out {
		out[i] = line("total", t.Currency, t.Sales, t.grossMinor, t.Refunds, t.refundedMinor)
	}
	return out
}
