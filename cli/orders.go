package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"qrpos/api"
	"qrpos/cli/command"
	"qrpos/payments/checkout"
	"qrpos/storage"
	"qrpos/terminal"
)

func init() {
	register(command.Command{Name: "orders", Summary: "list a day's orders from the journal", Run: runOrders})
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

// reader is where a reading command reads: the journal (as its owner, or
// read-only when its owner has no local API), or the running terminal's
// local API.
type reader struct {
	j       *storage.Journal
	profile checkout.Profile
	remote  *api.Client
}

func (r *reader) Close() {
	if r.j != nil {
		r.j.Close()
	}
	if r.remote != nil {
		r.remote.Close()
	}
}

// openReader opens the journal of config as its owner; when a running
// terminal holds it, its local API; when that does not answer, the journal
// read-only.
func openReader(ctx context.Context, config string, stderr io.Writer) (*reader, error) {
	j, p, err := terminal.OpenJournal(ctx, config)
	if err == nil {
		return &reader{j: j, profile: p}, nil
	}
	c, cerr := dialRunning(ctx, err)
	if cerr == nil {
		return &reader{remote: c}, nil
	}
	var le *storage.LockedError
	if !errors.As(err, &le) {
		return nil, err
	}
	command.NewLogger(stderr, slog.LevelWarn).Warn("reading the journal read-only", "why", cerr)
	j, p, err = terminal.OpenForReading(ctx, config)
	if err != nil {
		return nil, err
	}
	return &reader{j: j, profile: p}, nil
}

func runOrders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("orders", stderr)
	config := command.ConfigFlag(fs)
	date := fs.String("date", "", "day (yyyy-mm-dd, default today)")
	search := fs.String("search", "", "part of an order number or provider reference")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	day, err := parseDay(*date)
	if err != nil {
		return err
	}
	r, err := openReader(ctx, *config, stderr)
	if err != nil {
		return err
	}
	defer r.Close()
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.Local)
	var lines []orderLine
	if r.remote != nil {
		list, err := r.remote.Orders(ctx, from.Format("2006-01-02"))
		if err != nil {
			return err
		}
		for _, c := range list.Orders {
			if *search != "" && !strings.Contains(c.OutTradeNo, *search) && !strings.Contains(c.ProviderRef, *search) {
				continue
			}
			_, code, _ := strings.Cut(c.Method, ":")
			lines = append(lines, orderLine{OutTradeNo: c.OutTradeNo, CreatedAt: c.CreatedAt.Local().Format(time.RFC3339), Provider: c.Provider,
				Method: code, Mode: c.Mode, Amount: c.Amount, Currency: c.Currency, Refunded: c.Refunded, State: c.State,
				ProviderRef: c.ProviderRef, Reason: c.Reason, NeedsAttention: c.NeedsAttention})
		}
	} else {
		orders, err := r.j.Orders(ctx, storage.Filter{TID: r.profile.TID, From: from, To: from.AddDate(0, 0, 1), Search: *search})
		if err != nil {
			return err
		}
		now := time.Now()
		for _, o := range orders {
			lines = append(lines, orderLine{OutTradeNo: o.OutTradeNo, CreatedAt: o.CreatedAt.Format(time.RFC3339), Provider: string(o.Provider),
				Method: o.MethodCode, Mode: string(o.Mode), Amount: o.Amount.Decimal(), Currency: string(o.Amount.Currency),
				Refunded: o.Refunded.Decimal(), State: string(o.State), ProviderRef: o.ProviderRef, Reason: o.Reason,
				NeedsAttention: o.NeedsAttention(now)})
		}
	}
	for _, l := range lines {
		if *asJSON {
			b, _ := json.Marshal(l)
			fmt.Fprintln(stdout, string(b))
			continue
		}
		state := l.State
		if l.NeedsAttention {
			state += " NEEDS ATTENTION"
		}
		at, _ := time.Parse(time.RFC3339, l.CreatedAt)
		fmt.Fprintf(stdout, "%s  %s  %-6s %-9s %10s %-3s  %-15s %s\n", at.Format("15:04:05"), l.OutTradeNo,
			l.Provider, l.Method, l.Amount, l.Currency, state, l.Reason)
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "%d orders on %s\n", len(lines), from.Format("2006-01-02"))
	}
	return nil
}
