//go:build scale

package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"qrpos/hq/store"
)

// tableSizes is bytes by table (indexes and TOAST included) and "db".
type tableSizes map[string]int64

var tables = []string{"entries", "orders", "order_events", "refunds", "journals", "terminals"}

func sizes(t *testing.T, ctx context.Context, db *store.DB) tableSizes {
	mustExec(t, ctx, db, "VACUUM ANALYZE")
	s := tableSizes{}
	rows, err := store.Pool(db).Query(ctx, `SELECT relname::text, pg_total_relation_size(oid) FROM pg_class
		WHERE relname = ANY($1) AND relkind = 'r'
		UNION ALL SELECT 'db', pg_database_size(current_database())`, tables)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		s[name] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
func gib(n int64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }

// printSizes prints what one day adds by table, the database after the
// history, and a year: every table grows by its day's bytes each day
// (entries were generated for one day only; their size is linear in
// their count).
func (c scaleConfig) printSizes(perDay, total tableSizes) {
	var yearly int64
	for _, name := range tables {
		yearly += perDay[name] * 365
		report("size", "%-12s one day %10s  after %d days %10s", name, mib(perDay[name]), c.days, mib(total[name]))
	}
	report("size", "database     one day %10s  after %d days %10s (entries of one day)", mib(perDay["db"]), c.days, mib(total["db"]))
	report("size", "a year of %d terminals × %d sales a day: about %s (entries %s, orders %s, events %s)",
		c.terminals, c.sales, gib(yearly), gib(perDay["entries"]*365), gib(perDay["orders"]*365), gib(perDay["order_events"]*365))
}

// timed runs f n times and prints the median and the slowest.
func timed(t *testing.T, what string, n int, f func(i int) error) {
	t.Helper()
	var took []time.Duration
	for i := range n {
		start := time.Now()
		if err := f(i); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		took = append(took, time.Since(start))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	report("time", "%-46s median %8s  slowest %8s  (%d runs)", what, took[n/2].Round(10*time.Microsecond),
		took[n-1].Round(10*time.Microsecond), n)
}

// lookups times what head office's people do, on the generated day in
// its history, and checks the chain-wide report against what was made.
func (c scaleConfig) lookups(t *testing.T, ctx context.Context, db *store.DB, want dayTotals) {
	from, to := day, day.Add(24*time.Hour)
	timed(t, "chain-wide day report by store", 5, func(int) error {
		lines, err := db.Report(ctx, from, to, "store", "")
		if err == nil {
			err = checkReport(lines, want)
		}
		return err
	})
	timed(t, "chain-wide day report by method", 5, func(int) error {
		_, err := db.Report(ctx, from, to, "method", "")
		return err
	})
	timed(t, fmt.Sprintf("chain-wide %d-day report by store", c.days), 3, func(int) error {
		_, err := db.Report(ctx, from.AddDate(0, 0, 1-c.days), to, "store", "")
		return err
	})
	timed(t, "one store's day report by terminal", 10, func(i int) error {
		_, err := db.Report(ctx, from, to, "tid", fmt.Sprintf("Store %03d", i))
		return err
	})
	timed(t, "chain-wide day's orders (CSV export)", 3, func(int) error {
		o, err := db.Orders(ctx, store.OrderFilter{From: from, To: to})
		if err == nil && int64(len(o)) < want.sales {
			err = fmt.Errorf("%d orders, want at least %d", len(o), want.sales)
		}
		return err
	})
	c.searches(t, ctx, db, want)
}

func (c scaleConfig) searches(t *testing.T, ctx context.Context, db *store.DB, want dayTotals) {
	s := want.sample
	find := func(q store.Search, o store.Order) error {
		found, err := db.SearchOrders(ctx, q)
		if err != nil {
			return err
		}
		for _, f := range found {
			if f.TID == o.TID && f.OutTradeNo == o.OutTradeNo {
				return nil
			}
		}
		return fmt.Errorf("%s %s not found by %+v", o.TID, o.OutTradeNo, q)
	}
	timed(t, "order by number, all history", 20, func(i int) error {
		return find(store.Search{Text: s[i].OutTradeNo}, s[i])
	})
	timed(t, "order by provider reference, all history", 20, func(i int) error {
		return find(store.Search{Text: s[i].ProviderRef}, s[i])
	})
	timed(t, "order by amount, that day", 20, func(i int) error {
		return find(store.Search{Amounts: []store.Amount{{Currency: s[i].Currency, Minor: s[i].AmountMinor}},
			From: day, To: day.Add(24 * time.Hour), Limit: 1000}, s[i])
	})
	timed(t, "orders of an amount, all history (newest 100)", 20, func(i int) error {
		_, err := db.SearchOrders(ctx, store.Search{Amounts: []store.Amount{{Currency: "HKD", Minor: s[i].AmountMinor}}})
		return err
	})
	timed(t, "an order with its timeline and refunds", 20, func(i int) error {
		d, err := db.Order(ctx, s[i].TID, s[i].OutTradeNo)
		if err == nil && len(d.Timeline) < 3 {
			err = fmt.Errorf("%s: %d steps in the timeline", s[i].OutTradeNo, len(d.Timeline))
		}
		return err
	})
}

// checkReport: the report by store adds up to the generated day.
func checkReport(lines []store.ReportLine, want dayTotals) error {
	var got dayTotals
	for _, l := range lines {
		got.sales += l.Sales
		got.gross += l.GrossMinor
		got.refunds += l.Refunds
		got.refundedMn += l.RefundsMinor
	}
	if got.sales != want.sales || got.gross != want.gross || got.refunds != want.refunds || got.refundedMn != want.refundedMn {
		return fmt.Errorf("report adds up to %d sales %d, %d refunds %d; generated %d sales %d, %d refunds %d",
			got.sales, got.gross, got.refunds, got.refundedMn, want.sales, want.gross, want.refunds, want.refundedMn)
	}
	return nil
}
