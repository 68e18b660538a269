package checkout

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"qrpos/devices/printer"
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

// ReportReceipt queues the end-of-day report for the printer: the day and
// when it was printed, what needs a look, then one block per wallet and
// provider (its name as a heading, then its sales, refunds and net) and
// the total block, in the profile's language (see receiptWords).
func (rc *Receipts) ReportReceipt(ctx context.Context, rep DayReport) error {
	p := rc.Profile()
	w := wordsFor(p)
	at := rep.GeneratedAt
	if at.IsZero() {
		at = time.Now()
	}
	r := printer.Receipt{Title: w.T("receipt.title.report"), Store: p.StoreName, TID: rep.TID, Date: rep.Date, Labels: w.labels()}
	r.Labels.Date = w.T("receipt.report.day")
	r.Refs = []printer.Field{{Label: w.T("receipt.report.printed"), Value: at.Local().Format(dateFormat + " " + clockFormat)}}
	count := func(key string, n int) {
		if n > 0 {
			r.Refs = append(r.Refs, printer.Field{Label: w.T(key), Value: strconv.Itoa(n)})
		}
	}
	count("receipt.report.attention", len(rep.Attention))
	count("receipt.report.unpaid", rep.Unpaid)
	count("receipt.report.open", rep.Open)
	for _, b := range reportBlocks(w, rep.Lines) {
		r.Lines = append(r.Lines, b.fields(w)...)
	}
	total := reportBlock{heading: w.T("receipt.report.total"), ReportLine: rep.Total}
	r.Lines = append(r.Lines, total.fields(w)...)
	return rc.enqueue(ctx, "", storage.PrintReport, r)
}

// reportBlock is one wallet at one provider on the printed report.
type reportBlock struct {
	heading string // "支付寶香港 AlipayHK (eftPay)"
	ReportLine
}

// reportBlocks names each line by its wallet and provider and adds up the
// lines that print with the same name (one wallet both scanned and
// scanning at one provider), in the report's order.
func reportBlocks(w receiptWords, ls []ReportLine) []*reportBlock {
	var out []*reportBlock
	seen := map[string]*reportBlock{}
	for _, l := range ls {
		h := w.orderWallet(l.Provider, l.MethodCode) + " (" + l.Provider.Title() + ")"
		b, ok := seen[h]
		if !ok {
			b = &reportBlock{heading: h, ReportLine: l}
			seen[h] = b
			out = append(out, b)
			continue
		}
		b.Sales += l.Sales
		b.Refunds += l.Refunds
		b.Gross.Minor += l.Gross.Minor
		b.RefundTotal.Minor += l.RefundTotal.Minor
		b.Net.Minor += l.Net.Minor
	}
	return out
}

// fields are the block's lines: the heading, then sales, refunds and net.
func (b reportBlock) fields(w receiptWords) []printer.Field {
	return []printer.Field{
		{Label: b.heading, Heading: true},
		{Label: fmt.Sprintf("  %s (%d)", w.T("receipt.report.sales"), b.Sales), Value: b.Gross.String()},
		{Label: fmt.Sprintf("  %s (%d)", w.T("receipt.report.refunds"), b.Refunds), Value: negative(b.RefundTotal).String()},
		{Label: "  " + w.T("receipt.report.net"), Value: b.Net.String()},
	}
}
