package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/pgtest"
	"qrpos/hq/wire"
)

// sql runs a query returning one row on the rig's database.
func sql(t testing.TB, r *hqtest.Rig, query string, args []any, dest ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, r.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// count is the number of rows of table (a fixed name) for journal j.
func count(t testing.TB, r *hqtest.Rig, table, journal string) int {
	t.Helper()
	var n int
	sql(t, r, "SELECT count(*) FROM "+table+" WHERE journal_id = $1", []any{journal}, &n)
	return n
}

// holdsExactly checks head office holds the first n entries of j, each
// once and as the journal has it, acked up to n, with the projections of
// exactly those entries: one order_events row per event entry and every
// order at its newest snapshot.
func holdsExactly(t testing.TB, r *hqtest.Rig, j *hqtest.Journal, n int) {
	t.Helper()
	var rows int
	var maxSeq, acked int64
	sql(t, r, "SELECT count(*), coalesce(max(seq), 0) FROM entries WHERE journal_id = $1", []any{j.ID}, &rows, &maxSeq)
	sql(t, r, "SELECT coalesce((SELECT acked FROM journals WHERE journal_id = $1), 0)", []any{j.ID}, &acked)
	if rows != n || maxSeq != int64(n) || acked != int64(n) {
		t.Fatalf("head office holds %d entries up to seq %d, acked %d; want exactly %d", rows, maxSeq, acked, n)
	}
	events := 0
	newest := map[string]wire.Order{}
	for _, e := range j.Entries[:n] {
		var kind string
		var at int64
		var body json.RawMessage
		sql(t, r, "SELECT kind, at, body FROM entries WHERE journal_id = $1 AND seq = $2", []any{j.ID, e.Seq}, &kind, &at, &body)
		if kind != e.Kind || at != e.At || !sameJSON(body, e.Body) {
			t.Fatalf("entry %d is %s %d %s; the journal has %s %d %s", e.Seq, kind, at, body, e.Kind, e.At, e.Body)
		}
		switch e.Kind {
		case wire.KindEvent:
			events++
		case wire.KindOrder:
			var o wire.Order
			json.Unmarshal(e.Body, &o)
			if o.UpdatedAt >= newest[o.OutTradeNo].UpdatedAt {
				newest[o.OutTradeNo] = o
			}
		}
	}
	if got := count(t, r, "order_events", j.ID); got != events {
		t.Fatalf("%d order events projected; the journal's first %d entries have %d", got, n, events)
	}
	for no, o := range newest {
		var state string
		var amount, updated int64
		sql(t, r, "SELECT state, amount_minor, updated_ns FROM orders WHERE tid = $1 AND out_trade_no = $2",
			[]any{j.TID, no}, &state, &amount, &updated)
		if state != o.State || amount != o.AmountMinor || updated != o.UpdatedAt {
			t.Fatalf("order %s is %s %d (updated %d); newest snapshot %s %d (updated %d)", no, state, amount, updated, o.State, o.AmountMinor, o.UpdatedAt)
		}
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// sales makes a journal of tid with n sales (5 entries each).
func sales(tid string, n int) *hqtest.Journal {
	j := hqtest.NewJournal(tid)
	for i := 1; i <= n; i++ {
		j.Sale(hqtest.OrderNo(tid, i), int64(1000*i+50))
	}
	return j
}

// mustAck posts b and wants a 200 acking want.
func mustAck(t testing.TB, r *hqtest.Rig, token string, b wire.Batch, want int64) wire.Ack {
	t.Helper()
	ack, err := postAck(r, token, b, want)
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

// postAck posts b and says what is wrong unless the answer is a 200
// acking want. Goroutines other than the test's call it.
func postAck(r *hqtest.Rig, token string, b wire.Batch, want int64) (wire.Ack, error) {
	rep := r.Post(token, b)
	if rep.Status != 200 || rep.Ack.Acked != want || rep.Ack.JournalID != b.JournalID {
		return rep.Ack, fmt.Errorf("batch of %d entries: answer %d %+v %+v; want acked %d", len(b.Entries), rep.Status, rep.Ack, rep.Error, want)
	}
	return rep.Ack, nil
}

// pgtestDB is a fresh database.
func pgtestDB(t testing.TB) string { return pgtest.DB(t) }
