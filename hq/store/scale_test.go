//go:build scale

package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"qrpos/hq/ingest"
	"qrpos/hq/pgtest"
	"qrpos/hq/store"
	"qrpos/hq/wire"
)

// TestChainScale measures head office for a chain (`make hq-scale`): it
// is a measuring script, not a timed test. HQ_SCALE_TERMINALS terminals
// (1,000) in stores of 4 upload one day of HQ_SCALE_SALES sales each
// (500) through the real parser and ingest, on a cluster with fsync on
// (PGTEST_DURABLE); the day's projections are then copied back over
// HQ_SCALE_DAYS days (30) of history. It prints the ingest rate, the
// bytes a day adds per table, the database size a year would take, and
// the times of the chain-wide day report and of order lookups; it fails
// only when the figures are wrong (the report must add up to what was
// generated), never on a time.
func TestChainScale(t *testing.T) {
	if os.Getenv(pgtest.DurableEnv) == "" {
		t.Fatalf("run with %s=1 (make hq-scale): the figures must come from a durable cluster", pgtest.DurableEnv)
	}
	c := scaleConfig{terminals: envInt("HQ_SCALE_TERMINALS", 1000), sales: envInt("HQ_SCALE_SALES", 500),
		days: envInt("HQ_SCALE_DAYS", 30)}
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := c.ingestDay(t, ctx, db)
	perDay := sizes(t, ctx, db)
	start := time.Now()
	for k := 1; k < c.days; k++ {
		for _, q := range copyDaySQL {
			mustExec(t, ctx, db, q, k)
		}
	}
	mustExec(t, ctx, db, "VACUUM ANALYZE")
	report("history", "%d more days copied in %s", c.days-1, time.Since(start).Round(time.Second))
	total := sizes(t, ctx, db)
	c.printSizes(perDay, total)
	c.lookups(t, ctx, db, want)
}

type scaleConfig struct{ terminals, sales, days int }

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// day is the generated day (Hong Kong time).
var (
	hkt = time.FixedZone("HKT", 8*3600)
	day = time.Date(2026, 3, 2, 0, 0, 0, 0, hkt)
)

// dayTotals is what the generated day must add up to.
type dayTotals struct {
	sales, refunds    int64
	gross, refundedMn int64
	sample            []store.Order // some paid orders to look up
}

func report(what, format string, args ...any) {
	fmt.Printf("%-9s "+format+"\n", append([]any{what}, args...)...)
}

// ingestDay uploads the day of every terminal, 4 terminals at a time,
// in batches of wire.MaxBatch through ingest.Parse and DB.Ingest.
func (c scaleConfig) ingestDay(t *testing.T, ctx context.Context, db *store.DB) dayTotals {
	var (
		mu      sync.Mutex
		totals  dayTotals
		entries int64
		wg      sync.WaitGroup
		next    = make(chan int)
	)
	start := time.Now()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				tid := fmt.Sprintf("T%04d", i)
				if err := db.Enrol(ctx, tid, fmt.Sprintf("Store %03d", i/4), tokenHash(tid)); err != nil {
					t.Error(err)
					return
				}
				g := newTerminalDay(tid, c.sales, rand.New(rand.NewPCG(uint64(i), 7)))
				n := upload(t, ctx, db, g.journal)
				mu.Lock()
				totals.add(g.totals)
				entries += n
				mu.Unlock()
			}
		}()
	}
	for i := range c.terminals {
		next <- i
	}
	close(next)
	wg.Wait()
	took := time.Since(start)
	report("ingest", "%d entries (%d sales) from %d terminals in %s: %.0f entries/s, fsync on",
		entries, totals.sales, c.terminals, took.Round(time.Second), float64(entries)/took.Seconds())
	return totals
}

func (d *dayTotals) add(o dayTotals) {
	d.sales += o.sales
	d.refunds += o.refunds
	d.gross += o.gross
	d.refundedMn += o.refundedMn
	d.sample = append(d.sample, o.sample...)
}

func tokenHash(tid string) []byte {
	h := sha256.Sum256([]byte("token " + tid))
	return h[:]
}

// upload sends j's entries in batches and checks every ack.
func upload(t *testing.T, ctx context.Context, db *store.DB, j *journal) int64 {
	for from := 0; from < len(j.entries); from += wire.MaxBatch {
		to := min(from+wire.MaxBatch, len(j.entries))
		b := wire.Batch{JournalID: j.id, TID: j.tid, Version: "scale", SentAt: j.at,
			Status: wire.Status{Backlog: int64(len(j.entries) - from), Printer: "ready"}, Entries: j.entries[from:to]}
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		u, err := ingest.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		ack, err := db.Ingest(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Acked != int64(to) {
			t.Fatalf("%s: acked %d, want %d", j.tid, ack.Acked, to)
		}
	}
	return int64(len(j.entries))
}

func mustExec(t *testing.T, ctx context.Context, db *store.DB, sql string, args ...any) {
	t.Helper()
	if _, err := store.Pool(db).Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// copyDaySQL copies the generated day's projections $1 days back: the
// same terminals, stores, methods and amounts under new numbers and
// journal ids ("<id>/<k>"), so the history has the day's shape.
var copyDaySQL = []string{`INSERT INTO orders SELECT o.tid, o.tid || k.d || right(o.out_trade_no, 10), o.store,
	o.journal_id || '/' || k.k, o.seq, o.provider, o.method, o.mode, o.amount_minor, o.currency, o.refunded_minor,
	o.state, CASE WHEN o.provider_ref = '' THEN '' ELSE k.d || o.provider_ref END, o.auth_code_masked, o.reason,
	o.created_at - k.back, o.updated_at - k.back, o.updated_ns - k.k::bigint * 86400000000000
	FROM orders o, ` + copyK + ` WHERE o.journal_id NOT LIKE '%/%'`,
	`INSERT INTO order_events SELECT e.journal_id || '/' || k.k, e.seq, e.tid, e.tid || k.d || right(e.out_trade_no, 10),
	e.at - k.back, e.at_ns - k.k::bigint * 86400000000000, e.kind, e.state_from, e.state_to, e.detail
	FROM order_events e, ` + copyK + ` WHERE e.journal_id NOT LIKE '%/%'`,
	`INSERT INTO refunds SELECT r.tid, r.tid || k.d || right(r.refund_no, 10), r.tid || k.d || right(r.out_trade_no, 10),
	r.store, r.journal_id || '/' || k.k, r.seq, r.amount_minor, r.currency, r.state, k.d || r.provider_ref, r.reason,
	r.created_at - k.back, r.updated_at - k.back, r.updated_ns - k.k::bigint * 86400000000000
	FROM refunds r, ` + copyK + ` WHERE r.journal_id NOT LIKE '%/%'`,
}

const copyK = `(SELECT $1::int AS k, to_char(date '2026-03-02' - $1::int, 'YYMMDD') AS d,
	make_interval(days => $1::int) AS back) k`
