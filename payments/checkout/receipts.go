package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"qrpos/devices/printer"
	"qrpos/payments"
	"qrpos/storage"
)

// Receipts builds receipts from the journal's orders and puts them in the
// journal's print queue. It is the engine's ReceiptSink.
type Receipts struct {
	J       *storage.Journal
	Profile func() Profile // the profile in force (store name, header, footer)
}

// SaleJob lays out the receipt of a paid sale as a print job; the engine
// stores it in the transaction that makes the sale paid.
func (rc *Receipts) SaleJob(o payments.Order) (storage.PrintJob, error) {
	return job(o.OutTradeNo, "", storage.PrintSale, rc.Build(o, nil, "SALE"))
}

// RefundJob lays out the receipt of a done refund as a print job; the
// engine stores it in the transaction that settles the refund.
func (rc *Receipts) RefundJob(o payments.Order, r payments.Refund) (storage.PrintJob, error) {
	return job(o.OutTradeNo, r.RefundNo, storage.PrintRefund, rc.Build(o, &r, "REFUND"))
}

func job(no, refundNo, kind string, r printer.Receipt) (storage.PrintJob, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return storage.PrintJob{}, err
	}
	return storage.PrintJob{OutTradeNo: no, RefundNo: refundNo, Kind: kind, Payload: b}, nil
}

// Reprint queues a copy of an order's receipt as it stands now.
func (rc *Receipts) Reprint(ctx context.Context, o payments.Order) error {
	return rc.enqueue(ctx, o.OutTradeNo, storage.PrintReprint, rc.Build(o, nil, "REPRINT"))
}

// ReportReceipt queues the end-of-day report.
func (rc *Receipts) ReportReceipt(ctx context.Context, rep DayReport) error {
	p := rc.Profile()
	r := printer.Receipt{Title: "END OF DAY " + rep.Date, Store: p.StoreName, TID: rep.TID,
		Date: rep.GeneratedAt.Format("2006-01-02"), Time: rep.GeneratedAt.Format("15:04:05")}
	for _, l := range append(rep.Lines, rep.Total) {
		label := l.Name
		if l.Provider != "" {
			label += " (" + string(l.Provider) + ")"
		}
		r.Lines = append(r.Lines,
			printer.Field{Label: label, Value: ""},
			printer.Field{Label: fmt.Sprintf("  %d sales", l.Sales), Value: l.Gross.String()},
			printer.Field{Label: fmt.Sprintf("  %d refunds", l.Refunds), Value: "-" + l.RefundTotal.String()},
			printer.Field{Label: "  net", Value: l.Net.String()})
	}
	if rep.Unpaid > 0 || rep.Open > 0 {
		r.Lines = append(r.Lines, printer.Field{Label: "Not paid / open", Value: fmt.Sprintf("%d / %d", rep.Unpaid, rep.Open)})
	}
	if n := len(rep.Attention); n > 0 {
		r.Lines = append(r.Lines, printer.Field{Label: "NEEDS ATTENTION", Value: fmt.Sprintf("%d", n)})
	}
	return rc.enqueue(ctx, "", storage.PrintReport, r)
}

// Build lays out an order (and optionally one of its refunds) as a receipt.
func (rc *Receipts) Build(o payments.Order, refund *payments.Refund, title string) printer.Receipt {
	p := rc.Profile()
	name := o.MethodCode
	if m, err := o.Method(); err == nil {
		name = m.Name
	}
	at := o.UpdatedAt
	if refund != nil {
		at = refund.UpdatedAt
	}
	if at.IsZero() {
		at = time.Now()
	}
	r := printer.Receipt{
		Title:   title,
		Store:   p.StoreName,
		TID:     o.TID,
		Date:    at.Format("2006-01-02"),
		Time:    at.Format("15:04:05"),
		OrderNo: o.OutTradeNo,
		Method:  fmt.Sprintf("%s (%s)", name, o.Mode),
		Amount:  o.Amount.String(),
		Status:  strings.ToUpper(strings.ReplaceAll(string(o.State), "_", " ")),
		QR:      o.OutTradeNo,
	}
	for _, l := range []string{p.StoreAddress, p.ReceiptHeader} {
		for _, line := range strings.Split(l, "\n") {
			if strings.TrimSpace(line) != "" {
				r.Address = append(r.Address, line)
			}
		}
	}
	if o.ProviderRef != "" {
		r.Refs = append(r.Refs, printer.Field{Label: string(o.Provider) + " ref", Value: o.ProviderRef})
	}
	if paid := PaidInOwnCurrency(o); paid != "" {
		r.Refs = append(r.Refs, printer.Field{Label: "Paid", Value: paid})
	}
	if o.AuthCode != "" {
		r.Refs = append(r.Refs, printer.Field{Label: "Customer code", Value: o.AuthCode})
	}
	if refund != nil {
		r.Refunds = append(r.Refunds, printer.Field{Label: "Refund " + refund.RefundNo, Value: "-" + refund.Amount.String()})
		r.Amount = refund.Amount.String()
	}
	if o.Refunded.Minor > 0 {
		r.Refunds = append(r.Refunds, printer.Field{Label: "Refunded in all", Value: "-" + o.Refunded.String()})
	}
	for _, line := range strings.Split(p.ReceiptFooter, "\n") {
		if strings.TrimSpace(line) != "" {
			r.Footer = append(r.Footer, line)
		}
	}
	return r
}

func (rc *Receipts) enqueue(ctx context.Context, no, kind string, r printer.Receipt) error {
	j, err := job(no, "", kind, r)
	if err != nil {
		return err
	}
	_, err = rc.J.EnqueuePrint(ctx, j)
	return err
}

// ReceiptPrinter is the device side: devices/printer's Printer, or the
// virtual printer of demo mode.
type ReceiptPrinter interface {
	Print(ctx context.Context, r printer.Receipt) error
}

// Spooler prints the journal's print queue in order, in the background, so
// printing never delays a sale. A job is marked printed only when Print
// returned nil (written, status clean after); otherwise it stays queued and
// is retried with a growing pause.
type Spooler struct {
	J       *storage.Journal
	Printer ReceiptPrinter
	Log     *slog.Logger
	// Retry is the first pause after a failure (default 2 s, doubling to 1 min).
	Retry time.Duration
	// OnChange, when set, is told the queue length and the last error after
	// every attempt (for the status bar).
	OnChange func(queued int, lastErr error)

	kickOnce sync.Once
	kick     chan struct{}
}

// kicks is the spooler's wake-up channel, made once: Kick may come from
// any goroutine, before or while Run runs.
func (s *Spooler) kicks() chan struct{} {
	s.kickOnce.Do(func() { s.kick = make(chan struct{}, 1) })
	return s.kick
}

// Kick asks the spooler to look at the queue now.
func (s *Spooler) Kick() {
	select {
	case s.kicks() <- struct{}{}:
	default:
	}
}

// Run prints until ctx ends.
func (s *Spooler) Run(ctx context.Context) {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Retry == 0 {
		s.Retry = 2 * time.Second
	}
	kick := s.kicks()
	pause := time.Duration(0)
	for {
		var wait <-chan time.Time
		if pause > 0 {
			wait = time.After(pause)
		} else {
			wait = time.After(time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
			pause = 0
		case <-wait:
		}
		err := s.PrintQueued(ctx)
		if err != nil {
			if pause == 0 {
				pause = s.Retry
			} else {
				pause = min(pause*2, time.Minute)
			}
		} else {
			pause = 0
		}
	}
}

// PrintQueued prints every queued job, oldest first, stopping at the first
// failure (the printer is not ready: the rest would fail too).
func (s *Spooler) PrintQueued(ctx context.Context) error {
	jobs, err := s.J.QueuedPrints(ctx, 50)
	if err != nil {
		return err
	}
	var lastErr error
	defer func() {
		if s.OnChange != nil {
			left, _ := s.J.QueuedPrints(ctx, 1000)
			s.OnChange(len(left), lastErr)
		}
	}()
	for _, job := range jobs {
		var r printer.Receipt
		if err := json.Unmarshal(job.Payload, &r); err != nil {
			// A payload that does not decode can never print: keep it, say so.
			s.J.MarkPrintFailed(ctx, job.ID, "bad payload: "+err.Error())
			continue
		}
		if err := s.Printer.Print(ctx, r); err != nil {
			lastErr = err
			s.J.MarkPrintFailed(ctx, job.ID, err.Error())
			s.Log.Warn("receipt not printed; kept in the queue", "job", job.ID, "order", job.OutTradeNo, "err", err)
			return err
		}
		if err := s.J.MarkPrinted(ctx, job.ID); err != nil {
			return err
		}
	}
	return nil
}

// PaidInOwnCurrency says what a customer paying in another currency paid,
// as the provider's record says ("CNY 8.04 (rate 0.9136)"), or "" when the
// provider said nothing of it.
func PaidInOwnCurrency(o payments.Order) string {
	c := o.CashAmount
	if c.Minor == 0 || c.Currency == "" || c.Currency == o.Amount.Currency {
		return ""
	}
	s := string(c.Currency) + " " + c.Decimal()
	if o.ExchangeRate != "" {
		s += " (rate " + o.ExchangeRate + ")"
	}
	return s
}
