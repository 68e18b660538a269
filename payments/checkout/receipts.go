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
// journal's print queue. It is the engine's ReceiptSink. Receipts speak
// the profile's language (see receiptWords) and name the wallet and its
// provider, never a mode code.
type Receipts struct {
	J       *storage.Journal
	Profile func() Profile // the profile in force (store name, header, footer, language)
	// Now is the clock of reprints (nil: time.Now).
	Now func() time.Time
}

// Receipt date and time formats, in the terminal's local time.
const (
	dateFormat  = "2006-01-02"
	clockFormat = "15:04:05"
)

// SaleJob lays out the receipt of a paid sale as a print job; the engine
// stores it in the transaction that makes the sale paid.
func (rc *Receipts) SaleJob(o payments.Order) (storage.PrintJob, error) {
	p := rc.Profile()
	w := wordsFor(p)
	r := baseReceipt(p, w, o, "receipt.title.sale", o.UpdatedAt)
	r.OpenDrawer = p.Printer.Drawer == DrawerAfterSale
	return job(o.OutTradeNo, "", storage.PrintSale, r)
}

// RefundJob lays out the receipt of a done refund as a print job; the
// engine stores it in the transaction that settles the refund, with o as
// the refund leaves it (its refunded total includes r). It says what the
// sale was, what this refund gave back, what was refunded in all and what
// remains.
func (rc *Receipts) RefundJob(o payments.Order, r payments.Refund) (storage.PrintJob, error) {
	p := rc.Profile()
	w := wordsFor(p)
	rec := baseReceipt(p, w, o, "receipt.title.refund", r.UpdatedAt)
	rec.Refs = append(rec.Refs, printer.Field{Label: w.T("receipt.refund.no"), Value: r.RefundNo},
		printer.Field{Label: w.T("receipt.refund.ref"), Value: r.ProviderRef})
	rec.Amount = r.Amount.String()
	rec.Labels.Amount = w.T("receipt.refund.amount")
	rec.Refunds = []printer.Field{
		{Label: w.T("receipt.refund.sale_amount"), Value: o.Amount.String()},
		{Label: w.T("receipt.refund.this"), Value: negative(r.Amount).String()},
	}
	rec.Refunds = append(rec.Refunds, refundTotals(w, o)...)
	return job(o.OutTradeNo, r.RefundNo, storage.PrintRefund, rec)
}

func job(no, refundNo, kind string, r printer.Receipt) (storage.PrintJob, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return storage.PrintJob{}, err
	}
	return storage.PrintJob{OutTradeNo: no, RefundNo: refundNo, Kind: kind, Payload: b}, nil
}

// Reprint queues a copy of a sale's receipt: dated when the sale was paid,
// marked as a copy with the time it was reprinted, with the sale as it
// stands now (its state, every refund done, what remains).
func (rc *Receipts) Reprint(ctx context.Context, o payments.Order) error {
	if cur, err := rc.J.Order(ctx, o.OutTradeNo); err == nil {
		o = cur
	}
	refunds, err := rc.J.Refunds(ctx, o.OutTradeNo)
	if err != nil {
		return fmt.Errorf("reprint %s: %w", o.OutTradeNo, err)
	}
	paidAt, err := rc.paidAt(ctx, o)
	if err != nil {
		return fmt.Errorf("reprint %s: %w", o.OutTradeNo, err)
	}
	now := time.Now
	if rc.Now != nil {
		now = rc.Now
	}
	p := rc.Profile()
	w := wordsFor(p)
	r := baseReceipt(p, w, o, "receipt.title.sale", paidAt)
	r.Notes = []string{w.T("receipt.copy"), w.T("receipt.reprinted") + " " + now().Local().Format(dateFormat+" 15:04")}
	var done []printer.Field
	for _, x := range refunds {
		if x.State == payments.RefundDone {
			done = append(done, printer.Field{Label: "  " + x.UpdatedAt.Local().Format(dateFormat+" "+clockFormat), Value: negative(x.Amount).String()})
		}
	}
	if len(done) > 0 || o.Refunded.Minor > 0 {
		r.Refunds = append([]printer.Field{{Label: w.T("receipt.refund.list"), Heading: true}}, done...)
		r.Refunds = append(r.Refunds, refundTotals(w, o)...)
	}
	return rc.enqueue(ctx, o.OutTradeNo, storage.PrintReprint, r)
}

// paidAt is when the journal saw the sale become paid (the time its
// receipt was dated with), or when it was made if the log does not say.
func (rc *Receipts) paidAt(ctx context.Context, o payments.Order) (time.Time, error) {
	events, err := rc.J.Events(ctx, o.OutTradeNo)
	if err != nil {
		return time.Time{}, err
	}
	for _, e := range events {
		if e.StateTo == payments.Paid {
			return e.At, nil
		}
	}
	return o.CreatedAt, nil
}

// baseReceipt is what every receipt of order o says: the shop, the
// terminal, the date at, the order number, the wallet and its provider,
// the provider's references, the sale's amount and state.
func baseReceipt(p Profile, w receiptWords, o payments.Order, title string, at time.Time) printer.Receipt {
	if at.IsZero() {
		at = time.Now()
	}
	at = at.Local()
	r := printer.Receipt{
		Title:   w.T(title),
		Store:   p.StoreName,
		TID:     o.TID,
		Date:    at.Format(dateFormat),
		Time:    at.Format(clockFormat),
		OrderNo: o.OutTradeNo,
		Method:  w.orderWallet(o.Provider, o.MethodCode),
		Amount:  o.Amount.String(),
		Status:  w.state(o.State),
		QR:      o.OutTradeNo,
		Labels:  w.labels(),
		Address: lines(p.StoreAddress, p.ReceiptHeader),
		Footer:  lines(p.ReceiptFooter),
	}
	r.Refs = []printer.Field{
		{Label: w.T("receipt.provider"), Value: o.Provider.Title()},
		{Label: w.T("receipt.provider_ref"), Value: o.ProviderRef},
		{Label: w.T("receipt.cash_paid"), Value: PaidInOwnCurrency(o)},
		{Label: w.T("receipt.customer_code"), Value: o.AuthCode},
	}
	return r
}

// refundTotals are what o's refunds add up to and what remains of the sale.
func refundTotals(w receiptWords, o payments.Order) []printer.Field {
	left := payments.Money{Minor: o.Amount.Minor - o.Refunded.Minor, Currency: o.Amount.Currency}
	return []printer.Field{
		{Label: w.T("receipt.refund.so_far"), Value: negative(o.Refunded).String()},
		{Label: w.T("receipt.refund.remaining"), Value: left.String()},
	}
}

// negative is -m, for money going back to the customer.
func negative(m payments.Money) payments.Money {
	return payments.Money{Minor: -m.Minor, Currency: m.Currency}
}

// lines are the non-blank lines of texts (each may hold several).
func lines(texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, line := range strings.Split(t, "\n") {
			if strings.TrimSpace(line) != "" {
				out = append(out, line)
			}
		}
	}
	return out
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
