package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

func init() {
	register(command{name: "refund", summary: "refund a paid order, fully or in part", run: runRefund})
	register(command{name: "orders", summary: "list a day's orders from the journal", run: runOrders})
	register(command{name: "reconcile", summary: "finish every open order and refund with its provider", run: runReconcile})
	register(command{name: "report", summary: "end-of-day report (text or --csv)", run: runReport})
}

func runRefund(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("refund", stderr)
	config := configFlag(fs)
	no := fs.String("order", "", "the sale's out_trade_no")
	amount := fs.String("amount", "", "amount to refund (default: all that is left)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *no == "" {
		return errors.New("--order is required")
	}
	t, err := openTerminal(ctx, *config, newLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer t.Close()
	o, err := t.journal.Order(ctx, *no)
	if err != nil {
		return err
	}
	money := o.Refundable()
	if *amount != "" {
		if money, err = payments.ParseMoney(*amount, o.Amount.Currency, payments.Range{Min: 1}); err != nil {
			return err
		}
	}
	r, err := t.engine.Refund(ctx, *no, money)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "refund %s of %s for %s: %s %s\n", r.RefundNo, r.Amount, r.OutTradeNo, r.State, r.Reason)
	switch r.State {
	case payments.RefundDone:
	case payments.RefundFailed:
		return &exitError{code: 1, msg: fmt.Sprintf("refund %s failed: %s", r.RefundNo, r.Reason)}
	default:
		return &exitError{code: 1, msg: fmt.Sprintf("refund %s is not confirmed by the provider yet (%s): it will not be sent again, and no other refund of %s can be made until it is settled; `pos reconcile` or the terminal keeps checking it",
			r.RefundNo, r.State, r.OutTradeNo)}
	}
	return nil
}

// parseDay reads --date (yyyy-mm-dd, local time; empty: today).
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return d, fmt.Errorf("--date %q: use yyyy-mm-dd", s)
	}
	return d, nil
}

type orderLine struct {
	OutTradeNo  string `json:"out_trade_no"`
	CreatedAt   string `json:"created_at"`
	Provider    string `json:"provider"`
	Method      string `json:"method"`
	Mode        string `json:"mode"`
	Amount      string `json:"amount"`
	Currency    string `json:"currency"`
	Refunded    string `json:"refunded"`
	State       string `json:"state"`
	ProviderRef string `json:"provider_ref,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// NeedsAttention: no final word from the provider for too long; the
	// terminal is still checking it.
	NeedsAttention bool `json:"needs_attention,omitempty"`
}

func runOrders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("orders", stderr)
	config := configFlag(fs)
	date := fs.String("date", "", "day (yyyy-mm-dd, default today)")
	search := fs.String("search", "", "part of an order number or provider reference")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	day, err := parseDay(*date)
	if err != nil {
		return err
	}
	j, p, err := openForReading(ctx, *config)
	if err != nil {
		return err
	}
	defer j.Close()
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.Local)
	orders, err := j.Orders(ctx, storage.Filter{TID: p.TID, From: from, To: from.AddDate(0, 0, 1), Search: *search})
	if err != nil {
		return err
	}
	now := time.Now()
	for _, o := range orders {
		l := orderLine{OutTradeNo: o.OutTradeNo, CreatedAt: o.CreatedAt.Format(time.RFC3339), Provider: string(o.Provider),
			Method: o.MethodCode, Mode: string(o.Mode), Amount: o.Amount.Decimal(), Currency: string(o.Amount.Currency),
			Refunded: o.Refunded.Decimal(), State: string(o.State), ProviderRef: o.ProviderRef, Reason: o.Reason,
			NeedsAttention: o.NeedsAttention(now)}
		if *asJSON {
			b, _ := json.Marshal(l)
			fmt.Fprintln(stdout, string(b))
			continue
		}
		state := string(o.State)
		if l.NeedsAttention {
			state += " NEEDS ATTENTION"
		}
		fmt.Fprintf(stdout, "%s  %s  %-6s %-9s %10s %-3s  %-15s %s\n", o.CreatedAt.Format("15:04:05"), o.OutTradeNo,
			o.Provider, o.MethodCode, o.Amount.Decimal(), o.Amount.Currency, state, o.Reason)
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "%d orders on %s\n", len(orders), from.Format("2006-01-02"))
	}
	return nil
}

// openJournalOnly opens the journal and profile without providers, for
// commands that only read.
func openJournalOnly(ctx context.Context, config string) (*storage.Journal, checkout.Profile, error) {
	file, err := checkout.LoadProfileFile(config)
	if err != nil {
		return nil, file, err
	}
	j, err := storage.Open(ctx, journalPath(config, file))
	if err != nil {
		return nil, file, err
	}
	p, err := checkout.SyncProfile(ctx, j, file)
	if err != nil {
		j.Close()
		return nil, file, err
	}
	return j, p, nil
}

// openForReading opens the journal for a command that only reads: as its
// owner when no other program holds it, or read-only (no recovery, no
// write) while the terminal runs.
func openForReading(ctx context.Context, config string) (*storage.Journal, checkout.Profile, error) {
	j, p, err := openJournalOnly(ctx, config)
	var le *storage.LockedError
	if !errors.As(err, &le) {
		return j, p, err
	}
	file, ferr := checkout.LoadProfileFile(config)
	if ferr != nil {
		return nil, file, ferr
	}
	j, err = storage.OpenReadOnly(ctx, journalPath(config, file))
	if err != nil {
		return nil, file, err
	}
	return j, file, nil
}

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reconcile", stderr)
	config := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON line per order")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := openTerminal(ctx, *config, newLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer t.Close()
	out := newEventWriter(stdout, *asJSON)
	if err := recoverAndReport(ctx, t.engine, out); err != nil {
		return err
	}
	open, err := t.journal.OpenOrders(ctx)
	if err != nil {
		return err
	}
	refunds, err := t.journal.OpenRefunds(ctx)
	if err != nil {
		return err
	}
	if len(open)+len(refunds) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d orders and %d refunds still without the provider's final word: they are not charged or refunded again; run reconcile later",
			len(open), len(refunds))}
	}
	if !*asJSON {
		fmt.Fprintln(stdout, "every order is settled")
	}
	return nil
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	config := configFlag(fs)
	date := fs.String("date", "", "day (yyyy-mm-dd, default today)")
	asCSV := fs.Bool("csv", false, "CSV instead of text")
	print := fs.Bool("print", false, "also queue the report for the receipt printer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	day, err := parseDay(*date)
	if err != nil {
		return err
	}
	j, p, err := openForReading(ctx, *config)
	if err != nil {
		return err
	}
	defer j.Close()
	if *print && j.ReadOnly() {
		return errors.New("the terminal is running and owns the journal: print the report from its End of day screen")
	}
	cfg := p.EngineConfig()
	cfg.Logger = newLogger(stderr, slog.LevelWarn)
	e, err := checkout.New(j, cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	rep, err := e.DayReport(ctx, day)
	if err != nil {
		return err
	}
	if *print {
		rc := &checkout.Receipts{J: j, Profile: func() checkout.Profile { return p }}
		if err := rc.ReportReceipt(ctx, rep); err != nil {
			return err
		}
	}
	if *asCSV {
		return rep.WriteCSV(stdout)
	}
	for _, l := range rep.Text() {
		fmt.Fprintln(stdout, l)
	}
	return nil
}
