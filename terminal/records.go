package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
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
// from (zero: any day) whose number or provider reference contains search.
func (t *Terminal) Orders(ctx context.Context, search string, from time.Time, limit int) ([]payments.Order, error) {
	return t.journal.Orders(ctx, storage.Filter{TID: t.Profile().TID, Search: search, From: from, Limit: limit})
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
func (t *Terminal) TestPrint(ctx context.Context) error {
	p, now := t.Profile(), time.Now()
	r := printer.Receipt{Title: "TEST PRINT 測試列印", Store: nonEmpty(p.StoreName, "QR POS"), TID: p.TID,
		Date: now.Format("2006-01-02"), Time: now.Format("15:04:05"),
		Lines: []printer.Field{{Label: "Width", Value: fmt.Sprintf("%d", p.Printer.Width)}, {Label: "Encoding", Value: p.Printer.Encoding},
			{Label: "Port", Value: nonEmpty(p.Printer.Port, "virtual")}},
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
