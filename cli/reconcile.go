package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"qrpos/cli/command"
	"qrpos/payments"
	"qrpos/terminal"
)

func init() {
	register(command.Command{Name: "reconcile", Summary: "finish every open order and refund with its provider; with --day, compare a day with the providers' records",
		Run: runReconcile})
}

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("reconcile", stderr)
	config := command.ConfigFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON line per order (with --day: per difference)")
	day := fs.String("day", "", "compare the journal's sales and refunds of this Hong Kong day (yyyy-mm-dd) with the providers' records; changes nothing")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	if *day != "" {
		return runReconcileDay(ctx, *config, *day, *asJSON, stdout, stderr)
	}
	s, err := openSession(ctx, *config, command.NewLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer s.Close()
	if s.remote != nil {
		// The running terminal finishes open orders and refunds itself,
		// all the time: say what it is still checking.
		st, err := s.remote.Status(ctx)
		if err != nil {
			return err
		}
		if st.OpenOrders > 0 {
			return &exitError{code: 1, msg: fmt.Sprintf("%d orders still without the provider's final word: the running terminal keeps checking them; they are not charged again",
				st.OpenOrders)}
		}
		if !*asJSON {
			fmt.Fprintln(stdout, "every order is settled (the running terminal checks refunds itself)")
		}
		return nil
	}
	t := s.local
	out := newEventWriter(stdout, *asJSON)
	if err := recoverAndReport(ctx, t.Engine(), out); err != nil {
		return err
	}
	open, err := t.Journal().OpenOrders(ctx)
	if err != nil {
		return err
	}
	refunds, err := t.Journal().OpenRefunds(ctx)
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

// differenceLine is one difference as --day --json writes it.
type differenceLine struct {
	Kind          string `json:"kind"`
	Title         string `json:"title"`
	Todo          string `json:"todo"`
	Provider      string `json:"provider"`
	OutTradeNo    string `json:"out_trade_no,omitempty"`
	RefundNo      string `json:"refund_no,omitempty"`
	ProviderRef   string `json:"provider_ref,omitempty"`
	Method        string `json:"method,omitempty"`
	TID           string `json:"tid,omitempty"`
	HereAmount    string `json:"here_amount,omitempty"`
	HereCurrency  string `json:"here_currency,omitempty"`
	HereState     string `json:"here_state,omitempty"`
	ThereAmount   string `json:"there_amount,omitempty"`
	ThereCurrency string `json:"there_currency,omitempty"`
	ThereState    string `json:"there_state,omitempty"`
	At            string `json:"at,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Ours          bool   `json:"ours"`
	CanTakeIn     bool   `json:"can_take_in"`
}

func lineOf(d terminal.Difference, loc *time.Location) differenceLine {
	l := differenceLine{Kind: string(d.Kind), Title: d.Kind.Title(), Todo: d.Kind.Todo(), Provider: string(d.Provider),
		OutTradeNo: d.OutTradeNo, RefundNo: d.RefundNo, ProviderRef: d.ProviderRef, Method: d.MethodCode, TID: d.TID,
		HereState: d.HereState, ThereState: d.ThereState, Reason: d.Reason, Ours: d.Ours(), CanTakeIn: d.CanTakeIn()}
	if d.Here != (payments.Money{}) {
		l.HereAmount, l.HereCurrency = d.Here.Decimal(), string(d.Here.Currency)
	}
	if d.There != (payments.Money{}) {
		l.ThereAmount, l.ThereCurrency = d.There.Decimal(), string(d.There.Currency)
	}
	if !d.At.IsZero() {
		l.At = d.At.In(loc).Format(time.RFC3339)
	}
	return l
}

// runReconcileDay compares one Hong Kong day of the journal with the
// providers' records. It writes nothing: the journal is opened read-only
// while a terminal runs, and the providers are only asked. Exit 1 when
// this terminal has differences or a provider could not be asked.
func runReconcileDay(ctx context.Context, config, day string, asJSON bool, stdout, stderr io.Writer) error {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return fmt.Errorf("--day %q: use yyyy-mm-dd", day)
	}
	log := command.NewLogger(stderr, slog.LevelWarn)
	j, p, err := terminal.OpenForReading(ctx, config)
	if err != nil {
		return err
	}
	defer j.Close()
	r, err := terminal.ReconcileJournal(ctx, j, p, d, log)
	if err != nil {
		return err
	}
	for _, diff := range r.Differences {
		if asJSON {
			b, _ := json.Marshal(lineOf(diff, r.From.Location()))
			fmt.Fprintln(stdout, string(b))
		} else {
			at := "--:--:--"
			if !diff.At.IsZero() {
				at = diff.At.In(r.From.Location()).Format("15:04:05")
			}
			fmt.Fprintf(stdout, "%s %s\n", at, diff)
		}
	}
	var unasked []string
	for _, pc := range r.Providers {
		if pc.Err != "" {
			unasked = append(unasked, fmt.Sprintf("%s could not be asked: %s", pc.Provider, pc.Err))
		}
	}
	if !asJSON {
		fmt.Fprintln(stdout, daySummary(r))
	}
	if len(unasked) > 0 {
		return &exitError{code: 1, msg: strings.Join(unasked, "; ")}
	}
	if !r.Clean() {
		return &exitError{code: 1, msg: fmt.Sprintf("%d differences on %s", r.Ours(), r.Day)}
	}
	return nil
}

// daySummary is the last line of --day: what was compared and found.
func daySummary(r terminal.Reconciliation) string {
	s := fmt.Sprintf("%s %s (Hong Kong): %d sales and %d refunds compared with", r.TID, r.Day, r.Sales, r.Refunds)
	for i, pc := range r.Providers {
		if i > 0 {
			s += ","
		}
		switch {
		case pc.Err != "":
			s += fmt.Sprintf(" %s (not asked)", pc.Provider)
		case pc.Listed:
			s += fmt.Sprintf(" %s (%d records listed, %d asked one by one)", pc.Provider, pc.Records, pc.Queries)
		default:
			s += fmt.Sprintf(" %s (%d asked one by one)", pc.Provider, pc.Queries)
		}
	}
	others := len(r.Differences) - r.Ours()
	switch {
	case r.Ours() == 0 && others == 0:
		s += "; they agree"
	case r.Ours() == 0:
		s += fmt.Sprintf("; they agree (%d records of other terminals listed)", others)
	default:
		s += fmt.Sprintf("; %d differences", r.Ours())
		if others > 0 {
			s += fmt.Sprintf(" and %d records of other terminals", others)
		}
	}
	return s
}
