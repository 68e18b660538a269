package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/hq/wire"
	"qrpos/payments"
)

// decodeBody reads an entry's body into the wire type of its kind,
// refusing a key the type does not have and a key of the type the body
// lacks.
func decodeBody[T any](t testing.TB, e wire.Entry) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(e.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("entry %d (%s): %v: %s", e.Seq, e.Kind, err, e.Body)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(e.Body, &keys); err != nil {
		t.Fatal(err)
	}
	rt := reflect.TypeFor[T]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if _, ok := keys[name]; !ok {
			t.Fatalf("entry %d (%s) has no %q: %s", e.Seq, e.Kind, name, e.Body)
		}
	}
	return v
}

func wireOrder(o payments.Order) wire.Order {
	return wire.Order{OutTradeNo: o.OutTradeNo, TID: o.TID, Provider: string(o.Provider), Method: o.MethodCode, Mode: string(o.Mode),
		AmountMinor: o.Amount.Minor, Currency: string(o.Amount.Currency), RefundedMinor: o.Refunded.Minor, State: string(o.State),
		ProviderRef: o.ProviderRef, AuthCodeMasked: o.AuthCode, Reason: o.Reason, CreatedAt: nanos(o.CreatedAt), UpdatedAt: nanos(o.UpdatedAt)}
}

func wireEvent(no string, ev Event) wire.Event {
	return wire.Event{ID: ev.ID, OutTradeNo: no, At: nanos(ev.At), Kind: ev.Kind, StateFrom: string(ev.StateFrom),
		StateTo: string(ev.StateTo), Detail: ev.Detail}
}

func wireRefund(r payments.Refund) wire.Refund {
	return wire.Refund{RefundNo: r.RefundNo, OutTradeNo: r.OutTradeNo, AmountMinor: r.Amount.Minor, Currency: string(r.Amount.Currency),
		State: string(r.State), ProviderRef: r.ProviderRef, Reason: r.Reason, CreatedAt: nanos(r.CreatedAt), UpdatedAt: nanos(r.UpdatedAt)}
}

func wirePrint(p PrintJob) wire.Print {
	state := "queued"
	if p.Printed {
		state = "printed"
	}
	return wire.Print{ID: p.ID, OutTradeNo: p.OutTradeNo, Kind: p.Kind, State: state, Attempts: int64(p.Attempts),
		LastError: p.LastError, CreatedAt: nanos(p.CreatedAt), PrintedAt: nanos(p.PrintedAt)}
}

// outboxAfter lists every entry after seq.
func outboxAfter(t testing.TB, j *Journal, seq int64) []wire.Entry {
	t.Helper()
	var all []wire.Entry
	for {
		es, err := j.Outbox(context.Background(), seq, wire.MaxBatch)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			return all
		}
		all = append(all, es...)
		seq = es[len(es)-1].Seq
	}
}

func lastSeq(t testing.TB, j *Journal) int64 {
	t.Helper()
	var n int64
	if err := j.db.QueryRow(lastSeqQuery).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func kinds(es []wire.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Kind
	}
	return out
}

// TestOutboxEntryPerChange: each kind of change the journal records adds
// exactly the entries it should, in order, each body in the shape of its
// wire type and equal to what the journal's own reads return; writes head
// office does not see (the receipt marks, idempotency keys) add none.
func TestOutboxEntryPerChange(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	var o payments.Order
	var r payments.Refund
	var report int64
	checkOrder := func(e wire.Entry) {
		got, _ := j.Order(ctx, o.OutTradeNo)
		if w := decodeBody[wire.Order](t, e); w != wireOrder(got) {
			t.Errorf("order entry %+v\njournal %+v", w, wireOrder(got))
		}
		if e.At != nanos(got.UpdatedAt) {
			t.Errorf("order entry at %d, updated %d", e.At, nanos(got.UpdatedAt))
		}
	}
	checkEvent := func(back int) func(wire.Entry) {
		return func(e wire.Entry) {
			evs, _ := j.Events(ctx, o.OutTradeNo)
			want := wireEvent(o.OutTradeNo, evs[len(evs)-1-back])
			if w := decodeBody[wire.Event](t, e); w != want || e.At != want.At {
				t.Errorf("event entry %+v at %d\njournal %+v", w, e.At, want)
			}
		}
	}
	checkRefund := func(e wire.Entry) {
		got, _ := j.Refund(ctx, r.RefundNo)
		if w := decodeBody[wire.Refund](t, e); w != wireRefund(got) || w.OutTradeNo != o.OutTradeNo {
			t.Errorf("refund entry %+v\njournal %+v", w, wireRefund(got))
		}
	}
	checkPrint := func(ofOrder bool, id *int64) func(wire.Entry) {
		return func(e wire.Entry) {
			w := decodeBody[wire.Print](t, e)
			var jobs []PrintJob
			if ofOrder {
				jobs, _ = j.PrintsOf(ctx, o.OutTradeNo)
			} else {
				jobs, _ = j.queryPrints(ctx, "SELECT "+j.printColumns()+" FROM print_queue q LEFT JOIN orders o ON o.id = q.order_id WHERE q.id = ?", *id)
			}
			if len(jobs) == 0 || w != wirePrint(jobs[len(jobs)-1]) {
				t.Errorf("print entry %+v\njournal %+v", w, jobs)
			}
			if bytes.Contains(e.Body, []byte("payload")) || bytes.Contains(e.Body, []byte("LAYOUT")) {
				t.Errorf("print entry carries the receipt: %s", e.Body)
			}
		}
	}
	checkAudit := func(e wire.Entry) {
		log, _ := j.AuditLog(ctx, "T001", 1)
		want := wire.Audit{ID: log[0].ID, At: nanos(log[0].At), TID: "T001", Actor: log[0].Actor, Action: log[0].Action, Detail: log[0].Detail}
		if w := decodeBody[wire.Audit](t, e); w != want {
			t.Errorf("audit entry %+v, journal %+v", w, want)
		}
	}
	checkProfile := func(e wire.Entry) {
		w := decodeBody[wire.Profile](t, e)
		settings, at, _ := j.Profile(ctx, "T001")
		if w.TID != "T001" || w.UpdatedAt != nanos(at) || !jsonEqual(w.Settings, settings) || w.Settings[0] != '{' {
			t.Errorf("profile entry %s, journal %s at %d", e.Body, settings, nanos(at))
		}
	}
	receipt := func(payments.Order) (PrintJob, error) {
		return PrintJob{Kind: PrintSale, Payload: []byte("LAYOUT")}, nil
	}
	steps := []struct {
		name   string
		do     func() error
		checks []func(wire.Entry)
	}{
		{"create order", func() (err error) {
			o, err = j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Mode: payments.CPM,
				Amount: hkd(1000), AuthCode: "281234567890123456", Detail: "counter"})
			return err
		}, []func(wire.Entry){checkOrder, checkEvent(0)}},
		{"append", func() error { return j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest, Detail: "pay"}) },
			[]func(wire.Entry){checkEvent(0)}},
		{"update", func() error { _, err := j.Update(ctx, o.OutTradeNo, Change{ProviderRef: "REF1"}); return err },
			[]func(wire.Entry){checkOrder, checkEvent(0)}},
		{"pending", func() error { _, err := j.Transition(ctx, o.OutTradeNo, payments.Pending, Change{}); return err },
			[]func(wire.Entry){checkOrder, checkEvent(0)}},
		// The receipt mark the print trigger sets on the order adds nothing.
		{"paid with receipt", func() error {
			_, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{Receipt: receipt})
			return err
		}, []func(wire.Entry){checkOrder, checkEvent(0), checkPrint(true, nil)}},
		{"refund", func() (err error) { r, err = j.CreateRefund(ctx, o.OutTradeNo, hkd(400)); return err },
			[]func(wire.Entry){checkRefund, checkEvent(0)}},
		{"refund done with receipt", func() error {
			_, err := j.TransitionRefund(ctx, r.RefundNo, payments.RefundDone, RefundChange{ProviderRef: "RR1",
				Receipt: func(payments.Order, payments.Refund) (PrintJob, error) { return PrintJob{Kind: PrintRefund}, nil }})
			return err
		}, []func(wire.Entry){checkRefund, checkEvent(1), checkOrder, checkEvent(0), checkPrint(true, nil)}},
		{"report receipt", func() (err error) {
			report, err = j.EnqueuePrint(ctx, PrintJob{Kind: PrintReport, Payload: []byte("LAYOUT")})
			return err
		}, []func(wire.Entry){checkPrint(false, &report)}},
		{"print failed", func() error { return j.MarkPrintFailed(ctx, report, "out of paper") },
			[]func(wire.Entry){checkPrint(false, &report)}},
		{"printed", func() error { return j.MarkPrinted(ctx, report) }, []func(wire.Entry){checkPrint(false, &report)}},
		{"audit", func() error {
			return j.Audit(ctx, AuditEntry{TID: "T001", Actor: "manager", Action: "settings_saved", Detail: "store_name"})
		}, []func(wire.Entry){checkAudit}},
		{"profile", func() error { return j.SaveProfile(ctx, "T001", []byte(`{"tid":"T001","store_name":"A"}`)) },
			[]func(wire.Entry){checkProfile}},
		{"profile again", func() error { return j.SaveProfile(ctx, "T001", []byte(`{"tid":"T001","store_name":"B"}`)) },
			[]func(wire.Entry){checkProfile}},
		{"idempotency key", func() error {
			_, _, err := j.ReserveIdempotencyKey(ctx, APICharge{Key: "k1", TokenID: "socket", RequestHash: "h"})
			return err
		}, nil},
	}
	seq := int64(0)
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		es := outboxAfter(t, j, seq)
		if len(es) != len(s.checks) {
			t.Fatalf("%s: %d entries %v, want %d", s.name, len(es), kinds(es), len(s.checks))
		}
		for i, e := range es {
			if e.Seq != seq+1 {
				t.Fatalf("%s: entry seq %d after %d", s.name, e.Seq, seq)
			}
			seq = e.Seq
			s.checks[i](e)
		}
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// TestOutboxSeqConcurrent: writers on many goroutines, and a reader
// listing the outbox meanwhile, see one entry per change, numbered 1, 2, 3,
// ... with no gap and no repeat.
func TestOutboxSeqConcurrent(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	const writers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	stop := make(chan struct{})
	go func() { // a reader: what it sees is always a gapless prefix
		for {
			select {
			case <-stop:
				return
			default:
			}
			es, err := j.Outbox(ctx, 0, wire.MaxBatch)
			for i, e := range es {
				if err == nil && e.Seq != int64(i+1) {
					err = fmt.Errorf("reader saw seq %d at %d", e.Seq, i)
				}
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				o, err := j.CreateOrder(ctx, alipay(int64(100+i)))
				if err == nil {
					err = j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest})
				}
				if err == nil {
					err = j.Audit(ctx, AuditEntry{TID: "T001", Actor: "cli", Action: "test"})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	es := outboxAfter(t, j, 0)
	if want := writers * each * 4; len(es) != want {
		t.Fatalf("%d entries, want %d", len(es), want)
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
	}
	if n, _, err := j.OutboxBacklog(ctx); err != nil || n != int64(len(es)) {
		t.Fatalf("backlog %d, %v", n, err)
	}
}

// openClocked opens a new journal whose clock reads *now, closed when the
// test ends.
func openClocked(t *testing.T, now *time.Time) *Journal {
	t.Helper()
	j, err := Open(context.Background(), privateDir(t)+"/pos.db", WithClock(func() time.Time { return *now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// TestUploadCursor: the cursor moves only forward and never past the last
// entry; every answer is a last upload; the backlog is what is left.
func TestUploadCursor(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	j := openClocked(t, &now)
	for i := 0; i < 3; i++ {
		newSale(t, j, "ALIPAYHK", 100) // 2 entries each
	}
	if n, last, err := j.OutboxBacklog(ctx); n != 6 || !last.IsZero() || err != nil {
		t.Fatalf("backlog %d, last %v, %v", n, last, err)
	}
	for _, c := range []struct{ ack, want int64 }{{2, 2}, {1, 2}, {0, 2}, {5, 5}, {99, 6}, {-3, 6}} {
		now = now.Add(time.Minute)
		got, err := j.SetUploadCursor(ctx, c.ack)
		cur, _ := j.UploadCursor(ctx)
		n, last, _ := j.OutboxBacklog(ctx)
		if err != nil || got != c.want || cur != c.want || n != 6-c.want || !last.Equal(now) {
			t.Fatalf("ack %d: cursor %d/%d, backlog %d, last %v, %v; want %d", c.ack, got, cur, n, last, err, c.want)
		}
	}
	if es, _ := j.Outbox(ctx, 6, 10); len(es) != 0 {
		t.Fatalf("entries after the last: %v", es)
	}
}

// TestOutboxReadOnly: a face reading while the terminal runs sees the
// backlog and the last upload, and cannot move the cursor.
func TestOutboxReadOnly(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	newSale(t, j, "ALIPAYHK", 100)
	if _, err := j.SetUploadCursor(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(ctx, j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, last, err := r.OutboxBacklog(ctx); n != 1 || last.IsZero() || err != nil {
		t.Fatalf("read-only backlog %d, %v, %v", n, last, err)
	}
	if _, err := r.SetUploadCursor(ctx, 2); err == nil || !strings.Contains(err.Error(), ErrReadOnly.Error()) {
		t.Fatalf("read-only cursor move: %v", err)
	}
}

// TestPruneOutbox: entries acked more than the given age ago go; those
// acked since, and those not acked, stay; sequence numbers are never given
// again, even once every entry went.
func TestPruneOutbox(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	j := openClocked(t, &now)
	for i := 0; i < 3; i++ {
		newSale(t, j, "ALIPAYHK", 100)
	}
	t0 := now
	j.SetUploadCursor(ctx, 2) // day 0: 1-2
	now = t0.AddDate(0, 0, 2)
	j.SetUploadCursor(ctx, 4) // day 2: 3-4
	now = t0.AddDate(0, 0, 22)
	newSale(t, j, "ALIPAYHK", 100) // 7-8
	j.SetUploadCursor(ctx, 7)      // day 22: 5-7
	now = t0.AddDate(0, 0, 31)
	if n, err := j.PruneOutbox(ctx, 30*24*time.Hour); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the 2 acked 31 days ago", n, err)
	}
	if es := outboxAfter(t, j, 0); len(es) != 6 || es[0].Seq != 3 {
		t.Fatalf("left %v", kinds(es))
	}
	now = t0.AddDate(0, 0, 51)
	if n, err := j.PruneOutbox(ctx, 30*24*time.Hour); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 3-4", n, err)
	}
	now = t0.AddDate(0, 0, 53)
	if n, err := j.PruneOutbox(ctx, 30*24*time.Hour); err != nil || n != 3 {
		t.Fatalf("pruned %d, %v; want 5-7", n, err)
	}
	if es := outboxAfter(t, j, 0); len(es) != 1 || es[0].Seq != 8 {
		t.Fatalf("left %+v", es)
	}
	j.SetUploadCursor(ctx, 8)
	now = now.AddDate(0, 0, 31)
	if n, err := j.PruneOutbox(ctx, 30*24*time.Hour); err != nil || n != 1 || lastSeq(t, j) != 8 {
		t.Fatalf("pruned %d, last seq %d, %v", n, lastSeq(t, j), err)
	}
	if n, _, _ := j.OutboxBacklog(ctx); n != 0 {
		t.Fatalf("backlog %d of an empty outbox", n)
	}
	if cur, _ := j.SetUploadCursor(ctx, 99); cur != 8 {
		t.Fatalf("cursor %d past the last entry of an empty outbox", cur)
	}
	newSale(t, j, "ALIPAYHK", 100)
	if es := outboxAfter(t, j, 0); len(es) != 2 || es[0].Seq != 9 {
		t.Fatalf("after pruning all, new entries %+v", es)
	}
}

// TestPruneUnsent: a terminal without head office deletes entries older
// than the given age, sent or not; PrunedThrough says up to where, the
// backlog counts only what is left, and sequence numbers go on.
func TestPruneUnsent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	j := openClocked(t, &now)
	pruned := func() int64 {
		t.Helper()
		n, err := j.PrunedThrough(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if pruned() != 0 {
		t.Fatalf("an empty journal pruned through %d", pruned())
	}
	t0 := now
	for i := 0; i < 3; i++ {
		newSale(t, j, "ALIPAYHK", 100) // 1-6
	}
	now = t0.AddDate(0, 0, 80)
	newSale(t, j, "ALIPAYHK", 100) // 7-8
	if n, err := j.PruneUnsent(ctx, 90*24*time.Hour); err != nil || n != 0 || pruned() != 0 {
		t.Fatalf("pruned %d (through %d), %v; want none yet", n, pruned(), err)
	}
	now = t0.AddDate(0, 0, 91)
	if n, err := j.PruneUnsent(ctx, 90*24*time.Hour); err != nil || n != 6 || pruned() != 6 {
		t.Fatalf("pruned %d (through %d), %v; want 1-6", n, pruned(), err)
	}
	if es := outboxAfter(t, j, 0); len(es) != 2 || es[0].Seq != 7 {
		t.Fatalf("left %+v", es)
	}
	if n, _, _ := j.OutboxBacklog(ctx); n != 2 {
		t.Fatalf("backlog %d; want the 2 left", n)
	}
	now = t0.AddDate(0, 0, 200)
	if n, err := j.PruneUnsent(ctx, 90*24*time.Hour); err != nil || n != 2 || pruned() != 8 {
		t.Fatalf("pruned %d (through %d), %v; want 7-8", n, pruned(), err)
	}
	if n, _, _ := j.OutboxBacklog(ctx); n != 0 {
		t.Fatalf("backlog %d of an emptied outbox", n)
	}
	newSale(t, j, "ALIPAYHK", 100)
	if es := outboxAfter(t, j, 0); len(es) != 2 || es[0].Seq != 9 || pruned() != 8 {
		t.Fatalf("after pruning all: %+v, pruned through %d", es, pruned())
	}
	if cur, err := j.UploadCursor(ctx); err != nil || cur != 0 {
		t.Fatalf("cursor %d %v: pruning moved it", cur, err)
	}
}

// TestOutboxBackfill: a journal of schema 6 (a terminal that ran for
// months) gets every row it holds enqueued once by the migration: orders
// first, then refunds, events, print jobs, the audit log and the profile,
// each body equal to what the journal reads; reopening adds nothing.
func TestOutboxBackfill(t *testing.T) {
	ctx := context.Background()
	path := privateDir(t) + "/pos.db"
	stmts := []string{"PRAGMA journal_mode=WAL",
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"}
	for v := 1; v < outboxVersion; v++ {
		names, _ := migrations.ReadDir("migrations")
		body, err := migrations.ReadFile("migrations/" + names[v-1].Name())
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(body), fmt.Sprintf("INSERT INTO schema_version VALUES (%d, 0)", v))
	}
	stmts = append(stmts, "INSERT INTO meta VALUES ('journal_id', '00112233445566778899aabbccddeeff')",
		`INSERT INTO orders (id, out_trade_no, tid, provider, method, mode, amount_minor, currency, refunded_minor, state, settled, created_at, updated_at) VALUES
			(1, 'T001261123A000000001', 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 1000, 'HKD', 300, 'partly_refunded', 1, 10, 20),
			(2, 'T001261123A000000002', 'T001', 'qfpay', '800101', 'MPM', 500, 'HKD', 0, 'pending', 0, 30, 30)`,
		`INSERT INTO order_events (order_id, at, kind, state_from, state_to, detail) VALUES
			(1, 10, 'created', '', 'created', ''), (2, 30, 'created', '', 'created', 'x"y'), (1, 20, 'state', 'paid', 'partly_refunded', 'refund')`,
		`INSERT INTO refunds (refund_no, order_id, amount_minor, currency, state, created_at, updated_at) VALUES
			('T001261123A000000003', 1, 300, 'HKD', 'done', 15, 20)`,
		`INSERT INTO print_queue (order_id, kind, payload, state, created_at, printed_at) VALUES
			(1, 'sale', x'7b7d', 'printed', 12, 13), (NULL, 'report', x'7b7d', 'queued', 40, 0)`,
		`INSERT INTO audit_log (at, tid, actor, action, detail) VALUES (50, 'T001', 'manager', 'refund', 'T001261123A000000003')`,
		`INSERT INTO profiles (tid, settings, updated_at) VALUES ('T001', '{"tid":"T001","methods":["eftpay:ALIPAYHK"]}', 60)`,
	)
	rawExec(t, path, stmts...)
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	es := outboxAfter(t, j, 0)
	want := []string{"order", "order", "refund", "event", "event", "event", "print", "print", "audit", "profile"}
	if !slices.Equal(kinds(es), want) {
		t.Fatalf("backfill %v, want %v", kinds(es), want)
	}
	for i, no := range []string{"T001261123A000000001", "T001261123A000000002"} {
		o, _ := j.Order(ctx, no)
		if got := decodeBody[wire.Order](t, es[i]); got != wireOrder(o) || es[i].At != nanos(o.UpdatedAt) {
			t.Fatalf("order %s: %+v", no, got)
		}
	}
	r, _ := j.Refund(ctx, "T001261123A000000003")
	if got := decodeBody[wire.Refund](t, es[2]); got != wireRefund(r) {
		t.Fatalf("refund %+v, want %+v", got, wireRefund(r))
	}
	evs, _ := j.Events(ctx, "T001261123A000000001")
	evs2, _ := j.Events(ctx, "T001261123A000000002")
	for i, want := range []wire.Event{wireEvent("T001261123A000000001", evs[0]), wireEvent("T001261123A000000002", evs2[0]),
		wireEvent("T001261123A000000001", evs[1])} {
		if got := decodeBody[wire.Event](t, es[3+i]); got != want {
			t.Fatalf("event %d: %+v, want %+v", i, got, want)
		}
	}
	ps, _ := j.PrintsOf(ctx, "T001261123A000000001")
	if got := decodeBody[wire.Print](t, es[6]); got != wirePrint(ps[0]) || es[6].At != 13 {
		t.Fatalf("print %+v at %d, want %+v", got, es[6].At, wirePrint(ps[0]))
	}
	if got := decodeBody[wire.Print](t, es[7]); got.OutTradeNo != "" || got.Kind != PrintReport || es[7].At != 40 {
		t.Fatalf("report print %+v", got)
	}
	if got := decodeBody[wire.Audit](t, es[8]); got.Action != "refund" || got.At != 50 {
		t.Fatalf("audit %+v", got)
	}
	if got := decodeBody[wire.Profile](t, es[9]); string(got.Settings) != `{"tid":"T001","methods":["eftpay:ALIPAYHK"]}` || got.UpdatedAt != 60 {
		t.Fatalf("profile %s", es[9].Body)
	}
	j.Close()
	if j, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if n := lastSeq(t, j); n != int64(len(want)) {
		t.Fatalf("reopening: last seq %d", n)
	}
}

// TestScrubRewritesProfileEntries: once the engine took the secrets an
// older version kept in the profile out of the table, Scrub leaves no
// profile entry carrying them (in the table or on the disk), and no entry
// is lost or renumbered.
func TestScrubRewritesProfileEntries(t *testing.T) {
	ctx := context.Background()
	j := openTest(t)
	const secret = "LEGACYSECRET98765"
	if err := j.SaveProfile(ctx, "T001", []byte(`{"tid":"T001","eftpay":{"secret":"`+secret+`"}}`)); err != nil {
		t.Fatal(err)
	}
	newSale(t, j, "ALIPAYHK", 100)
	if err := j.SaveProfile(ctx, "T001", []byte(`{"tid":"T001","eftpay":{"secret":""}}`)); err != nil {
		t.Fatal(err)
	}
	before := outboxAfter(t, j, 0)
	if err := j.Scrub(ctx); err != nil {
		t.Fatal(err)
	}
	after := outboxAfter(t, j, 0)
	if !slices.Equal(kinds(after), kinds(before)) || after[0].Seq != before[0].Seq || after[len(after)-1].Seq != before[len(before)-1].Seq {
		t.Fatalf("entries %v became %v", kinds(before), kinds(after))
	}
	for i, e := range after {
		if strings.Contains(string(e.Body), secret) {
			t.Fatalf("entry %d still holds the secret: %s", e.Seq, e.Body)
		}
		if e.Kind == wire.KindProfile {
			p := decodeBody[wire.Profile](t, e)
			if string(p.Settings) != `{"tid":"T001","eftpay":{"secret":""}}` || p.UpdatedAt != decodeBody[wire.Profile](t, before[i]).UpdatedAt {
				t.Fatalf("profile entry %s", e.Body)
			}
		} else if string(e.Body) != string(before[i].Body) {
			t.Fatalf("entry %d changed: %s", e.Seq, e.Body)
		}
	}
	j.Close()
	for _, f := range []string{j.Path(), j.Path() + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(secret)) {
			t.Fatalf("%s holds the secret", f)
		}
	}
}
