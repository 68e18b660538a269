package checkout

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// ReportLine is one method's figures in a day's report.
type ReportLine struct {
	Provider    payments.Provider
	MethodCode  string
	Name        string
	Sales       int
	Gross       payments.Money // paid sales
	Refunds     int
	RefundTotal payments.Money // refunds done that day
	Net         payments.Money
}

// DayReport is the end-of-day report of one terminal for one local date.
type DayReport struct {
	TID    string
	Date   string // yyyy-mm-dd, local time of the terminal
	Lines  []ReportLine
	Total  ReportLine // the sum of the lines (Name "Total")
	Unpaid int        // orders of the day that ended failed, closed or expired
	Open   int        // orders of the day still open
	// Attention lists the day's orders and refunds that have gone without
	// the provider's final word for too long (the terminal keeps checking
	// them): a manager should look at them before closing the day.
	Attention   []string
	GeneratedAt time.Time
}

// DayReport adds up a day's sales (by creation time) and refunds (by the
// time they were confirmed), per provider and method.
func (e *Engine) DayReport(ctx context.Context, day time.Time) (DayReport, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	to := from.AddDate(0, 0, 1)
	cur := e.cfg.Currency
	rep := DayReport{TID: e.cfg.TID, Date: from.Format("2006-01-02"), GeneratedAt: time.Now()}
	orders, err := e.j.Orders(ctx, storage.Filter{TID: e.cfg.TID, From: from, To: to})
	if err != nil {
		return rep, err
	}
	lines := map[string]*ReportLine{}
	line := func(p payments.Provider, code string) *ReportLine {
		key := string(p) + ":" + code
		l, ok := lines[key]
		if !ok {
			name := code
			if m, err := payments.LookupMethod(p, code); err == nil {
				name = m.Name
			}
			l = &ReportLine{Provider: p, MethodCode: code, Name: name, Gross: payments.Money{Currency: cur},
				RefundTotal: payments.Money{Currency: cur}, Net: payments.Money{Currency: cur}}
			lines[key] = l
		}
		return l
	}
	for _, o := range orders {
		switch {
		case o.State.MoneyMoved():
			l := line(o.Provider, o.MethodCode)
			l.Sales++
			l.Gross.Minor += o.Amount.Minor
		case o.State.Settled():
			rep.Unpaid++
		default:
			rep.Open++
		}
		if o.NeedsAttention(rep.GeneratedAt) {
			rep.Attention = append(rep.Attention, fmt.Sprintf("order %s %s: %s", o.OutTradeNo, o.Amount, o.State))
		}
	}
	open, err := e.j.OpenRefunds(ctx)
	if err != nil {
		return rep, err
	}
	for _, r := range open {
		if r.NeedsAttention(rep.GeneratedAt) && !r.CreatedAt.Before(from) && r.CreatedAt.Before(to) {
			rep.Attention = append(rep.Attention, fmt.Sprintf("refund %s of %s %s: %s", r.RefundNo, r.OutTradeNo, r.Amount, r.State))
		}
	}
	refunds, err := e.j.RefundsSettledBetween(ctx, e.cfg.TID, from, to)
	if err != nil {
		return rep, err
	}
	for _, r := range refunds {
		o, err := e.j.Order(ctx, r.OutTradeNo)
		if err != nil {
			return rep, err
		}
		l := line(o.Provider, o.MethodCode)
		l.Refunds++
		l.RefundTotal.Minor += r.Amount.Minor
	}
	rep.Total = ReportLine{Name: "Total", Gross: payments.Money{Currency: cur}, RefundTotal: payments.Money{Currency: cur}, Net: payments.Money{Currency: cur}}
	for _, l := range lines {
		l.Net.Minor = l.Gross.Minor - l.RefundTotal.Minor
		rep.Lines = append(rep.Lines, *l)
		rep.Total.Sales += l.Sales
		rep.Total.Refunds += l.Refunds
		rep.Total.Gross.Minor += l.Gross.Minor
		rep.Total.RefundTotal.Minor += l.RefundTotal.Minor
		rep.Total.Net.Minor += l.Net.Minor
	}
	sort.Slice(rep.Lines, func(i, j int) bool {
		if rep.Lines[i].Provider != rep.Lines[j].Provider {
			return rep.Lines[i].Provider < rep.Lines[j].Provider
		}
		return rep.Lines[i].MethodCode < rep.Lines[j].MethodCode
	})
	return rep, nil
}

// WriteCSV writes the report as CSV: one row per method and a total row;
// amounts as decimals in the currency's units.
func (r DayReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"tid", "date", "provider", "method", "name", "sales", "gross", "refunds", "refunded", "net", "currency"})
	row := func(l ReportLine) {
		cw.Write([]string{r.TID, r.Date, string(l.Provider), l.MethodCode, l.Name, strconv.Itoa(l.Sales), l.Gross.Decimal(),
			strconv.Itoa(l.Refunds), l.RefundTotal.Decimal(), l.Net.Decimal(), string(l.Gross.Currency)})
	}
	for _, l := range r.Lines {
		row(l)
	}
	row(r.Total)
	cw.Flush()
	return cw.Error()
}

// Text is the report as lines for a screen or a receipt.
func (r DayReport) Text() []string {
	out := []string{fmt.Sprintf("End of day %s, terminal %s", r.Date, r.TID)}
	for _, l := range append(r.Lines, r.Total) {
		name := l.Name
		if l.Provider != "" {
			name += " (" + string(l.Provider) + ")"
		}
		out = append(out, fmt.Sprintf("%s: %d sales %s, %d refunds %s, net %s",
			name, l.Sales, l.Gross, l.Refunds, l.RefundTotal, l.Net))
	}
	if r.Unpaid > 0 || r.Open > 0 {
		out = append(out, fmt.Sprintf("Not paid: %d, still open: %d", r.Unpaid, r.Open))
	}
	for _, a := range r.Attention {
		out = append(out, "NEEDS ATTENTION (still being checked): "+a)
	}
	return out
}
