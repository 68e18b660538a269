package api

import (
	"fmt"
	"net/http"
	"time"

	"qrpos/payments/checkout"
	"qrpos/storage"
)

// parseDate reads ?date=yyyy-mm-dd in the terminal's local time (empty:
// today).
func parseDate(q string) (time.Time, *Error) {
	if q == "" {
		now := time.Now()
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local), nil
	}
	d, err := time.ParseInLocation("2006-01-02", q, time.Local)
	if err != nil {
		return d, &Error{Status: http.StatusBadRequest, Code: CodeQueryInvalid, Field: "date", Message: fmt.Sprintf("date %q: use yyyy-mm-dd", q)}
	}
	return d, nil
}

// orders is GET /v1/orders?date=yyyy-mm-dd: the day's orders, newest
// first, the till's with its reference. An order is one number: a charge
// the provider made take a fresh number shows as two orders with one id.
func (s *Server) orders(w http.ResponseWriter, r *http.Request) {
	day, e := parseDate(r.URL.Query().Get("date"))
	if e != nil {
		writeError(w, e)
		return
	}
	ctx := r.Context()
	j := s.journal()
	to := day.AddDate(0, 0, 1)
	list, err := j.Orders(ctx, storage.Filter{TID: s.cfg.Profile().TID, From: day, To: to})
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	// Keys are reserved just before their order: a day's margin is plenty.
	acs, err := j.APIChargesCreatedBetween(ctx, day.Add(-time.Hour), to.Add(time.Hour))
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	byNo := map[string]storage.APICharge{}
	for _, ac := range acs {
		byNo[ac.ChargeID] = ac
		byNo[ac.OutTradeNo] = ac
	}
	out := OrderList{Date: day.Format("2006-01-02"), Orders: []Charge{}}
	for _, o := range list {
		id, ref := o.OutTradeNo, ""
		if ac, ok := byNo[o.OutTradeNo]; ok {
			id, ref = ac.ChargeID, ac.Reference
		}
		out.Orders = append(out.Orders, chargeOf(id, o, ref))
	}
	writeJSON(w, http.StatusOK, out)
}

// report is GET /v1/report?date=yyyy-mm-dd: the end-of-day report.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	day, e := parseDate(r.URL.Query().Get("date"))
	if e != nil {
		writeError(w, e)
		return
	}
	rep, err := s.engine().DayReport(r.Context(), day)
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	out := Report{TID: rep.TID, Date: rep.Date, Currency: string(rep.Total.Gross.Currency), Lines: []ReportLine{},
		Total: reportLine(rep.Total), Unpaid: rep.Unpaid, Open: rep.Open, Attention: []string{}, GeneratedAt: rep.GeneratedAt}
	for _, l := range rep.Lines {
		out.Lines = append(out.Lines, reportLine(l))
	}
	out.Attention = append(out.Attention, rep.Attention...)
	writeJSON(w, http.StatusOK, out)
}

func reportLine(l checkout.ReportLine) ReportLine {
	method := ""
	if l.Provider != "" {
		method = string(l.Provider) + ":" + l.MethodCode
	}
	return ReportLine{Provider: string(l.Provider), Method: method, Name: l.Name, Sales: l.Sales, Gross: l.Gross.Decimal(),
		Refunds: l.Refunds, RefundTotal: l.RefundTotal.Decimal(), Net: l.Net.Decimal()}
}

// status is GET /v1/status: the terminal, the methods it offers and the
// sale it is taking now.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.Profile()
	e := s.engine()
	ctx := r.Context()
	st := Status{TID: p.TID, StoreName: p.StoreName, Currency: p.Currency, Version: s.cfg.Version, Time: time.Now(),
		Methods: []MethodInfo{}, Providers: []string{}, Refunds: RefundsPolicy{PINRequired: !p.APIRefunds}, Client: clientOf(r).kind}
	if live := s.liveSales(e); len(live) > 0 {
		c, _, err := s.lookup(ctx, live[0].Order.OutTradeNo)
		if err != nil {
			writeError(w, err)
			return
		}
		st.SaleInProgress = &c
	} else if id := s.waitingAskID(); id != "" {
		c, _, err := s.lookup(ctx, id)
		if err != nil {
			writeError(w, err)
			return
		}
		st.SaleInProgress = &c
	}
	open, err := e.Journal().OpenOrders(ctx)
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	st.OpenOrders = len(open)
	for _, m := range p.Offered() {
		st.Methods = append(st.Methods, MethodInfo{ID: m.ID(), Wallet: string(m.Wallet), Name: m.Name, Mode: string(m.Mode)})
	}
	for _, info := range p.ConfiguredProviders() {
		st.Providers = append(st.Providers, string(info.Name))
	}
	writeJSON(w, http.StatusOK, st)
}
