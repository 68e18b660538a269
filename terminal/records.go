package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"qrpos/devices/printer"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// OrderEvent is one line of an order's history in the journal.
type OrderEvent struct {
	At        time.Time
	Kind      string
	StateFrom payments.State
	StateTo   payments.State
	Detail    string
}

// OrderDetail is an order with its refunds and its history.
type OrderDetail struct {
	Order   payments.Order
	Refunds []payments.Refund
	Events  []OrderEvent
}

// RefundRefused is a refund the journal refused before anything was sent
// (nothing left to refund, a refund still open, ...): Reason says why.
type RefundRefused struct {
	OutTradeNo string
	Reason     string
}

func (e *RefundRefused) Error() string {
	return fmt.Sprintf("refund of %s: %s", e.OutTradeNo, e.Reason)
}

// Orders lists this terminal's orders, newest first: those created since
// from (zero: any day) whose number or provider reference contains search,
// and, when search reads as an amount ("88.50", "88.5", "HK$1,288"), those
// of that amount.
func (t *Terminal) Orders(ctx context.Context, search string, from time.Time, limit int) ([]payments.Order, error) {
	f := storage.Filter{TID: t.Profile().TID, Search: search, From: from, Limit: limit}
	found, err := t.journal.Orders(ctx, f)
	amount, ok := AmountSearch(search)
	if err != nil || !ok {
		return found, err
	}
	f.Search = ""
	same, err := ordersOfAmount(ctx, t.journal, f, amount, amountPage)
	if err != nil {
		return nil, err
	}
	return mergeOrders(found, same, limit), nil
}

// AmountSearch reads a search text as an amount a cashier would type or
// read off a receipt: digits with at most one decimal point, optionally
// after a currency sign ("HK$", "$") and with thousands commas. It returns
// the plain decimal ("1288.5") for payments.ParseMoney, and false when
// the text is no amount.
func AmountSearch(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.EqualFold(s[:3], "HK$") {
		s = s[3:]
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "$"))
	s = strings.ReplaceAll(s, ",", "")
	if s == "" || strings.Count(s, ".") > 1 || s[0] == '.' || s[len(s)-1] == '.' {
		return "", false
	}
	for _, c := range s {
		if c != '.' && (c < '0' || c > '9') {
			return "", false
		}
	}
	return s, true
}

// amountPage is how many orders ordersOfAmount reads at a time.
const amountPage = 1000

// ordersOfAmount lists the orders f selects whose amount is amount in
// their own currency, newest first, at most f.Limit (0: all). The journal
// cannot match amounts, so it reads the orders page at a time.
func ordersOfAmount(ctx context.Context, j *storage.Journal, f storage.Filter, amount string, page int) ([]payments.Order, error) {
	limit := f.Limit
	f.Limit = max(page, 1)
	minor := map[payments.Currency]int64{}
	want := func(c payments.Currency) int64 {
		v, ok := minor[c]
		if !ok {
			m, err := payments.ParseMoney(amount, c, payments.Range{})
			v = -1 // no amount of this currency (too many decimals)
			if err == nil {
				v = m.Minor
			}
			minor[c] = v
		}
		return v
	}
	var out []payments.Order
	seen := map[string]bool{}
	for {
		got, err := j.Orders(ctx, f)
		if err != nil {
			return nil, err
		}
		fresh := 0
		for _, o := range got {
			if seen[o.OutTradeNo] {
				continue
			}
			seen[o.OutTradeNo] = true
			fresh++
			if o.Amount.Minor == want(o.Amount.Currency) {
				out = append(out, o)
				if limit > 0 && len(out) == limit {
					return out, nil
				}
			}
		}
		switch {
		case len(got) < f.Limit:
			return out, nil
		case fresh == 0:
			// More orders share one nanosecond than a page holds: read
			// more at once.
			f.Limit *= 2
		default:
			// The next page: orders created up to the oldest of this one
			// (its nanosecond included: seen skips the repeats).
			f.To = got[len(got)-1].CreatedAt.Add(time.Nanosecond)
		}
	}
}

// mergeOrders merges two newest-first lists without repeats, newest
// first, at most limit (0: all).
func mergeOrders(a, b []payments.Order, limit int) []payments.Order {
	seen := map[string]bool{}
	var out []payments.Order
	for _, o := range append(append([]payments.Order{}, a...), b...) {
		if !seen[o.OutTradeNo] {
			seen[o.OutTradeNo] = true
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].CreatedAt.After(out[k].CreatedAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Order reads one order.
func (t *Terminal) Order(ctx context.Context, no string) (payments.Order, error) {
	return t.journal.Order(ctx, no)
}

// OrderDetail reads an order, its refunds and its history.
func (t *Terminal) OrderDetail(ctx context.Context, no string) (OrderDetail, error) {
	o, err := t.journal.Order(ctx, no)
	if err != nil {
		return OrderDetail{}, err
	}
	d := OrderDetail{Order: o}
	evs, err := t.journal.Events(ctx, no)
	if err != nil {
		return d, err
	}
	for _, e := range evs {
		d.Events = append(d.Events, OrderEvent{At: e.At, Kind: e.Kind, StateFrom: e.StateFrom, StateTo: e.StateTo, Detail: e.Detail})
	}
	d.Refunds, err = t.journal.Refunds(ctx, no)
	return d, err
}

// Refund refunds amount of order no for the manager, audited. A refund
// the journal refuses is a *RefundRefused.
func (t *Terminal) Refund(ctx context.Context, no string, amount payments.Money) (payments.Refund, error) {
	r, err := t.Engine().Refund(ctx, no, amount)
	detail := fmt.Sprintf("%s %s %s", no, amount.Decimal(), r.State)
	if err != nil {
		detail += ": " + err.Error()
	}
	t.Audit(ctx, "manager", "refund", detail)
	var re *storage.RefundError
	if errors.As(err, &re) {
		return r, &RefundRefused{OutTradeNo: re.OutTradeNo, Reason: re.Reason}
	}
	return r, err
}

// DayReport is the report of the local day of day.
func (t *Terminal) DayReport(ctx context.Context, day time.Time) (checkout.DayReport, error) {
	return t.Engine().DayReport(ctx, day)
}

// ReportDir is where exported reports go: "reports" beside the journal.
func (t *Terminal) ReportDir() string {
	return filepath.Join(filepath.Dir(t.journal.Path()), "reports")
}

// Reprint queues a copy of o's receipt for actor ("manager": a reprint
// from the orders; "cashier": the copy right after the sale), audited.
func (t *Terminal) Reprint(ctx context.Context, o payments.Order, actor string) error {
	err := t.receipts.Reprint(ctx, o)
	action := "reprint"
	if actor == "cashier" {
		action = "receipt_copy"
	}
	t.Audit(ctx, actor, action, o.OutTradeNo)
	t.KickPrinter()
	return err
}

// PrintReport queues the day report on the receipt printer, audited.
func (t *Terminal) PrintReport(ctx context.Context, rep checkout.DayReport) error {
	err := t.receipts.ReportReceipt(ctx, rep)
	t.Audit(ctx, "cashier", "report_print", rep.Date)
	t.KickPrinter()
	return err
}

// TestPrint queues a test page through the print queue, as receipts go.
// The page shows the format in force, defaults filled in.
func (t *Terminal) TestPrint(ctx context.Context) error {
	p, now := t.Profile(), time.Now()
	f, err := printerFormat(p).Normalized()
	if err != nil {
		return err
	}
	r := printer.Receipt{Title: "TEST PRINT 測試列印", Store: nonEmpty(p.StoreName, "QR POS"), TID: p.TID,
		Date: now.Format("2006-01-02"), Time: now.Format("15:04:05"),
		Lines: []printer.Field{{Label: "Width", Value: fmt.Sprintf("%d columns", f.Width)}, {Label: "Encoding", Value: string(f.Encoding)},
			{Label: "Chinese", Value: string(f.Chinese)}, {Label: "Port", Value: nonEmpty(p.Printer.Port, "virtual")}},
		Footer: []string{"中文 測試 / 中文 测试", "0123456789 ABCDEF"}, QR: "TEST " + p.TID}
	b, err := json.Marshal(r)
	if err == nil {
		_, err = t.journal.EnqueuePrint(ctx, storage.PrintJob{Kind: storage.PrintTest, Payload: b})
	}
	t.Audit(ctx, "manager", "test_print", p.Printer.Port)
	t.KickPrinter()
	return err
}

// TestScan classifies a code the manager scanned in "Test scan" and
// audits it; the code itself is never written.
func (t *Terminal) TestScan(ctx context.Context, code string) payments.Wallet {
	w := payments.ClassifyAuthCode(code)
	t.Audit(ctx, "manager", "test_scan", "ok "+string(w))
	return w
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
