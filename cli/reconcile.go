package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"qrpos/api"
	"qrpos/cli/command"
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

// runReconcileDay compares one Hong Kong day of the journal with the
// providers' records. It writes nothing. While a terminal runs, it asks
// that terminal (GET /v1/reconciliation), whose gateways share their rate
// limits with its sales; otherwise it opens the journal read-only and asks
// the providers itself. Exit 1 when this terminal has differences or a
// provider could not be asked.
func runReconcileDay(ctx context.Context, config, day string, asJSON bool, stdout, stderr io.Writer) error {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return fmt.Errorf("--day %q: use yyyy-mm-dd", day)
	}
	r, err := reconcileDay(ctx, config, d, command.NewLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	for _, diff := range r.Differences {
		if asJSON {
			b, _ := json.Marshal(diff)
			fmt.Fprintln(stdout, string(b))
		} else {
			at := "--:--:--"
			if t, err := time.Parse(time.RFC3339, diff.At); err == nil {
				at = t.Format("15:04:05")
			}
			fmt.Fprintf(stdout, "%s %s\n", at, diff.Text)
		}
	}
	var unasked []string
	for _, pc := range r.Providers {
		if pc.Error != "" {
			unasked = append(unasked, fmt.Sprintf("%s could not be asked: %s", pc.Provider, pc.Error))
		}
	}
	if !asJSON {
		fmt.Fprintln(stdout, daySummary(r))
	}
	if len(unasked) > 0 {
		return &exitError{code: 1, msg: strings.Join(unasked, "; ")}
	}
	if !r.Clean {
		return &exitError{code: 1, msg: fmt.Sprintf("%d differences on %s", r.Ours(), r.Date)}
	}
	return nil
}

// reconcileDay reconciles day through the running terminal's local API
// when one answers beside the journal (and serves it), or itself on the
// journal opened read-only.
func reconcileDay(ctx context.Context, config string, day time.Time, log *slog.Logger) (api.Reconciliation, error) {
	j, p, err := terminal.OpenForReading(ctx, config)
	if err != nil {
		return api.Reconciliation{}, err
	}
	defer j.Close()
	if c := runningAPI(ctx, j.Path()); c != nil {
		defer c.Close()
		r, err := c.Reconciliation(ctx, day.Format("2006-01-02"))
		if e, ok := errors.AsType[*api.Error](err); !ok || e.Status != http.StatusNotFound {
			return r, err
		}
		// A terminal older than the endpoint: ask the providers here.
	}
	r, err := terminal.ReconcileJournal(ctx, j, p, day, log)
	if err != nil {
		return api.Reconciliation{}, err
	}
	return terminal.APIReconciliation(r), nil
}

// runningAPI is a client of the terminal running on the journal at path,
// or nil when none answers on its socket.
func runningAPI(ctx context.Context, path string) *api.Client {
	c := api.NewSocketClient(api.SocketPath(path))
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := c.Status(ctx); err != nil {
		c.Close()
		return nil
	}
	return c
}

// daySummary is the last line of --day: what was compared and found.
func daySummary(r api.Reconciliation) string {
	s := fmt.Sprintf("%s %s (Hong Kong): %d sales and %d refunds compared with", r.TID, r.Date, r.Sales, r.Refunds)
	for i, pc := range r.Providers {
		if i > 0 {
			s += ","
		}
		switch {
		case pc.Error != "":
			s += fmt.Sprintf(" %s (not asked)", pc.Provider)
		case pc.Listed:
			s += fmt.Sprintf(" %s (%d records listed, %d asked one by one)", pc.Provider, pc.Records, pc.Queries)
		default:
			s += fmt.Sprintf(" %s (%d asked one by one)", pc.Provider, pc.Queries)
		}
	}
	ours := r.Ours()
	others := len(r.Differences) - ours
	switch {
	case ours == 0 && others == 0:
		s += "; they agree"
	case ours == 0:
		s += fmt.Sprintf("; they agree (%d records of other terminals listed)", others)
	default:
		s += fmt.Sprintf("; %d differences", ours)
		if others > 0 {
			s += fmt.Sprintf(" and %d records of other terminals", others)
		}
	}
	return s
}
