package terminal

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// SalesRow is one line of a day's sales export: a sale, or a refund of
// one, as a manager matches it against the acquirer's settlement.
type SalesRow struct {
	Type       string // "sale" or "refund"
	At         time.Time
	OutTradeNo string // the sale (a refund's: the sale it refunds)
	RefundNo   string // refunds only
	Provider   payments.Provider
	MethodCode string // the provider's own method code
	Wallet     string // the wallet's name in English
	// Amount is the money that moved: positive for a sale, negative for a
	// refund, so that a column sum is the day's net.
	Amount      payments.Money
	State       string // the order's state, or the refund's
	ProviderRef string // the provider's number for the sale, or for the refund
	TillRef     string // the till's own reference, for a sale the till made
}

// The rows' types.
const (
	RowSale   = "sale"
	RowRefund = "refund"
)

// SalesCSVHeader is the first line of the sales export.
var SalesCSVHeader = []string{"type", "time", "order_no", "refund_no", "provider", "method", "wallet",
	"amount", "currency", "state", "provider_ref", "till_ref"}

// DaySales lists this terminal's sales and refunds of the local day of day
// (see SalesOfDay).
func (t *Terminal) DaySales(ctx context.Context, day time.Time) ([]SalesRow, error) {
	return SalesOfDay(ctx, t.journal, t.Profile().TID, day)
}

// SalesOfDay lists the sales and refunds of terminal tid on the local day
// of day, oldest first: every sale made that day that took or may still
// take money (paid, partly refunded, refunded, or still open: failed,
// closed and expired ones charged nothing and are left out), at its
// creation time as the day report counts it; every refund confirmed that
// day, at its confirmation time, and every refund made that day still
// open. Failed refunds are left out. The rows whose state is paid, partly
// refunded, refunded or done add up to the day report's net.
func SalesOfDay(ctx context.Context, j *storage.Journal, tid string, day time.Time) ([]SalesRow, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	to := from.AddDate(0, 0, 1)
	orders, err := j.Orders(ctx, storage.Filter{TID: tid, From: from, To: to})
	if err != nil {
		return nil, err
	}
	tills, err := tillRefs(ctx, j, from, to)
	if err != nil {
		return nil, err
	}
	var rows []SalesRow
	for _, o := range orders {
		if o.State.Settled() && !o.State.MoneyMoved() {
			continue
		}
		rows = append(rows, saleRow(o, o.CreatedAt, tills[o.OutTradeNo]))
	}
	refunds, err := refundsOfDay(ctx, j, tid, from, to)
	if err != nil {
		return nil, err
	}
	for _, r := range refunds {
		o, err := j.Order(ctx, r.OutTradeNo)
		if err != nil {
			return nil, err
		}
		ref, ok := tills[o.OutTradeNo]
		if !ok {
			ref, err = tillRef(ctx, j, o.OutTradeNo)
			if err != nil {
				return nil, err
			}
		}
		row := saleRow(o, r.UpdatedAt, ref)
		if !r.State.Settled() {
			row.At = r.CreatedAt
		}
		row.Type, row.RefundNo, row.State, row.ProviderRef = RowRefund, r.RefundNo, string(r.State), r.ProviderRef
		row.Amount = payments.Money{Minor: -r.Amount.Minor, Currency: r.Amount.Currency}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].At.Before(rows[b].At) })
	return rows, nil
}

func saleRow(o payments.Order, at time.Time, tillRef string) SalesRow {
	r := SalesRow{Type: RowSale, At: at, OutTradeNo: o.OutTradeNo, Provider: o.Provider, MethodCode: o.MethodCode,
		Wallet: o.MethodCode, Amount: o.Amount, State: string(o.State), ProviderRef: o.ProviderRef, TillRef: tillRef}
	if m, err := o.Method(); err == nil {
		r.Wallet = m.Name
	}
	return r
}

// refundsOfDay is the refunds of tid confirmed in [from, to), and those
// created then that are still open.
func refundsOfDay(ctx context.Context, j *storage.Journal, tid string, from, to time.Time) ([]payments.Refund, error) {
	done, err := j.RefundsSettledBetween(ctx, tid, from, to)
	if err != nil {
		return nil, err
	}
	open, err := j.OpenRefunds(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range open {
		if r.CreatedAt.Before(from) || !r.CreatedAt.Before(to) {
			continue
		}
		o, err := j.Order(ctx, r.OutTradeNo)
		if err != nil {
			return nil, err
		}
		if o.TID == tid {
			done = append(done, r)
		}
	}
	return done, nil
}

// tillRefs maps the order numbers of the till's charges of [from, to) to
// the till's references. Keys are reserved just before their order: an
// hour's margin is plenty.
func tillRefs(ctx context.Context, j *storage.Journal, from, to time.Time) (map[string]string, error) {
	acs, err := j.APIChargesCreatedBetween(ctx, from.Add(-time.Hour), to.Add(time.Hour))
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, ac := range acs {
		refs[ac.ChargeID] = ac.Reference
		if ac.OutTradeNo != "" {
			refs[ac.OutTradeNo] = ac.Reference
		}
	}
	return refs, nil
}

// tillRef is the till's reference of an order of another day ("" when the
// till did not make it).
func tillRef(ctx context.Context, j *storage.Journal, no string) (string, error) {
	ac, err := j.APIChargeFor(ctx, no)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	return ac.Reference, err
}

// WriteSalesCSV writes rows as CSV (RFC 4180, SalesCSVHeader first): the
// time in the terminal's local time as yyyy-mm-dd hh:mm:ss, amounts as
// decimals in the currency's units (a refund's negative).
func WriteSalesCSV(w io.Writer, rows []SalesRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SalesCSVHeader); err != nil {
		return fmt.Errorf("sales csv: %w", err)
	}
	for _, r := range rows {
		rec := []string{r.Type, r.At.Local().Format("2006-01-02 15:04:05"), r.OutTradeNo, r.RefundNo, string(r.Provider),
			r.MethodCode, r.Wallet, r.Amount.Decimal(), string(r.Amount.Currency), r.State, cell(r.ProviderRef), cell(r.TillRef)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("sales csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sales csv: %w", err)
	}
	return nil
}

// cell keeps a text that came from outside (a till's reference) from
// being read as a formula by a spreadsheet: one that starts like one gets
// a leading apostrophe, as the spreadsheets themselves write it.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SalesFileName is the export's suggested file name:
// sales-T001-2026-12-01.csv.
func SalesFileName(tid string, day time.Time) string {
	return fmt.Sprintf("sales-%s-%s.csv", tid, day.Format("2006-01-02"))
}
