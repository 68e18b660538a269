package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"qrpos/api"
	"qrpos/cli/command"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
)

func init() {
	register(command.Command{Name: "report", Summary: "end-of-day report (text or --csv)", Run: runReport})
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("report", stderr)
	config := command.ConfigFlag(fs)
	date := fs.String("date", "", "day (yyyy-mm-dd, default today)")
	asCSV := fs.Bool("csv", false, "CSV instead of text")
	print := fs.Bool("print", false, "also queue the report for the receipt printer")
	salesCSV := fs.String("sales-csv", "", "also write the day's sales and refunds, one row each, as CSV to `FILE`")
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
	if *print && (r.remote != nil || r.j.ReadOnly()) {
		return errors.New("the terminal is running and owns the journal: print the report from its End of day screen")
	}
	var rep checkout.DayReport
	if r.remote != nil {
		ar, err := r.remote.Report(ctx, day.Format("2006-01-02"))
		if err != nil {
			return err
		}
		if rep, err = reportOfAPI(ar); err != nil {
			return err
		}
	} else {
		cfg := r.profile.EngineConfig()
		cfg.Logger = command.NewLogger(stderr, slog.LevelWarn)
		e, err := checkout.New(r.j, cfg)
		if err != nil {
			return err
		}
		defer e.Close()
		if rep, err = e.DayReport(ctx, day); err != nil {
			return err
		}
		if *print {
			p := r.profile
			rc := &checkout.Receipts{J: r.j, Profile: func() checkout.Profile { return p }}
			if err := rc.ReportReceipt(ctx, rep); err != nil {
				return err
			}
		}
	}
	if *salesCSV != "" {
		if err := writeSalesCSV(ctx, r, *config, *salesCSV, day); err != nil {
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

// writeSalesCSV writes the day's sales export (terminal.SalesOfDay) to
// path, from the journal read-only when a running terminal holds it.
func writeSalesCSV(ctx context.Context, r *reader, config, path string, day time.Time) error {
	j, tid := r.j, r.profile.TID
	if j == nil {
		rj, p, err := terminal.OpenForReading(ctx, config)
		if err != nil {
			return err
		}
		defer rj.Close()
		j, tid = rj, p.TID
	}
	rows, err := terminal.SalesOfDay(ctx, j, tid, day)
	var b bytes.Buffer
	if err == nil {
		err = terminal.WriteSalesCSV(&b, rows)
	}
	if err == nil {
		err = os.WriteFile(path, b.Bytes(), 0o600)
	}
	return err
}

// reportOfAPI reads the local API's day report back into the engine's
// words, so that it prints exactly as a report the command made itself.
func reportOfAPI(a api.Report) (checkout.DayReport, error) {
	cur := payments.Currency(a.Currency)
	line := func(l api.ReportLine) (checkout.ReportLine, error) {
		_, code, _ := strings.Cut(l.Method, ":")
		out := checkout.ReportLine{Provider: payments.Provider(l.Provider), MethodCode: code, Name: l.Name, Sales: l.Sales, Refunds: l.Refunds}
		var err error
		for _, f := range []struct {
			to *payments.Money
			s  string
		}{{&out.Gross, l.Gross}, {&out.RefundTotal, l.RefundTotal}, {&out.Net, l.Net}} {
			if *f.to, err = parseSigned(f.s, cur); err != nil {
				return out, fmt.Errorf("report line %s: %w", l.Name, err)
			}
		}
		return out, nil
	}
	rep := checkout.DayReport{TID: a.TID, Date: a.Date, Unpaid: a.Unpaid, Open: a.Open, Attention: a.Attention, GeneratedAt: a.GeneratedAt}
	for _, l := range a.Lines {
		rl, err := line(l)
		if err != nil {
			return rep, err
		}
		rep.Lines = append(rep.Lines, rl)
	}
	var err error
	rep.Total, err = line(a.Total)
	return rep, err
}

// parseSigned reads a decimal the API wrote (a day's net may be negative).
func parseSigned(s string, c payments.Currency) (payments.Money, error) {
	neg := strings.HasPrefix(s, "-")
	m, err := payments.ParseMoney(strings.TrimPrefix(s, "-"), c, payments.Range{})
	if neg {
		m.Minor = -m.Minor
	}
	return m, err
}
