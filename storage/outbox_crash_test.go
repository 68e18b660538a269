package storage

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"qrpos/hq/wire"
	"qrpos/payments"
)

const outboxChildEnv = "STORAGE_OUTBOX_CHILD_DB"

// init turns the test binary into TestOutboxCrash's child when its
// environment variable is set (before TestMain, which serves the other
// crash tests).
func init() {
	if path := os.Getenv(outboxChildEnv); path != "" {
		outboxChild(path)
	}
}

// outboxChild makes every kind of change the journal records, in a loop,
// until it is killed: sales with their receipts, refunds with theirs,
// audit entries and profile saves.
func outboxChild(path string) {
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	must := func(err error) {
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
	}
	receipt := func(payments.Order) (PrintJob, error) { return PrintJob{Kind: PrintSale, Payload: []byte("R")}, nil }
	refundReceipt := func(payments.Order, payments.Refund) (PrintJob, error) { return PrintJob{Kind: PrintRefund}, nil }
	for i := 0; ; i++ {
		o, err := j.CreateOrder(ctx, alipay(int64(1000+i)))
		must(err)
		must(j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest, Detail: "preorder"}))
		_, err = j.Transition(ctx, o.OutTradeNo, payments.Pending, Change{QRCode: "qr"})
		must(err)
		_, err = j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{ProviderRef: "REF", Receipt: receipt})
		must(err)
		if i%2 == 0 {
			r, err := j.CreateRefund(ctx, o.OutTradeNo, hkd(100))
			must(err)
			_, err = j.TransitionRefund(ctx, r.RefundNo, payments.RefundDone, RefundChange{Receipt: refundReceipt})
			must(err)
		}
		must(j.Audit(ctx, AuditEntry{TID: "T001", Actor: "cli", Action: "sale", Detail: o.OutTradeNo}))
		must(j.SaveProfile(ctx, "T001", []byte(fmt.Sprintf(`{"tid":"T001","n":%d}`, i))))
		if i == 0 {
			fmt.Println("going") // one of every change made: the kill may come
		}
	}
}

// TestOutboxCrash kills a child making every kind of change at random
// moments; after each kill the outbox and the journal agree: sequence
// numbers 1..n with no gap, every row's last entry equal to the row, no
// entry of a row the journal does not have, and exactly one order entry
// per state the order went through (no change without its entry, no entry
// without its change).
func TestOutboxCrash(t *testing.T) {
	const kills = 25
	path := filepath.Join(privateDir(t), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	for run := 0; run < kills; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), outboxChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || sc.Text() != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q", run, sc.Text())
		}
		// However loaded the machine, every run kills a child that made
		// each kind of change at least once, at a random moment after.
		if !sc.Scan() || sc.Text() != "going" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q", run, sc.Text())
		}
		time.Sleep(time.Duration(rng.IntN(80_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for sc.Scan() {
			t.Fatalf("run %d: child: %s", run, sc.Text())
		}
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("run %d: child ended by itself", run)
		}
		checkOutboxAgrees(t, path)
	}
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if n := countRows(t, j, "refunds"); n < kills/2 {
		t.Fatalf("only %d refunds in %d runs: the test did not exercise the journal", n, kills)
	}
}

// checkOutboxAgrees opens the journal at path and compares its outbox with
// its rows.
func checkOutboxAgrees(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer j.Close()
	es := outboxAfter(t, j, 0)
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
	}
	lastOrder := map[string]wire.Order{}
	orderEntries := map[string]int{}
	lastRefund := map[string]wire.Refund{}
	events := map[int64]wire.Event{}
	prints := map[int64]wire.Print{}
	audits := map[int64]bool{}
	profiles := 0
	for _, e := range es {
		switch e.Kind {
		case wire.KindOrder:
			o := decodeBody[wire.Order](t, e)
			lastOrder[o.OutTradeNo] = o
			orderEntries[o.OutTradeNo]++
		case wire.KindRefund:
			r := decodeBody[wire.Refund](t, e)
			lastRefund[r.RefundNo] = r
		case wire.KindEvent:
			ev := decodeBody[wire.Event](t, e)
			if _, dup := events[ev.ID]; dup {
				t.Fatalf("event %d has two entries", ev.ID)
			}
			events[ev.ID] = ev
		case wire.KindPrint:
			p := decodeBody[wire.Print](t, e)
			prints[p.ID] = p
		case wire.KindAudit:
			audits[decodeBody[wire.Audit](t, e).ID] = true
		case wire.KindProfile:
			profiles++
		default:
			t.Fatalf("entry %d of kind %q", e.Seq, e.Kind)
		}
	}
	orders, err := j.Orders(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != len(lastOrder) || countRows(t, j, "refunds") != len(lastRefund) || countRows(t, j, "order_events") != len(events) ||
		countRows(t, j, "print_queue") != len(prints) || countRows(t, j, "audit_log") != len(audits) {
		t.Fatalf("rows and entries differ: %d/%d orders, %d/%d refunds, %d/%d events, %d/%d prints, %d/%d audits",
			len(orders), len(lastOrder), countRows(t, j, "refunds"), len(lastRefund), countRows(t, j, "order_events"), len(events),
			countRows(t, j, "print_queue"), len(prints), countRows(t, j, "audit_log"), len(audits))
	}
	if profiles > 0 {
		settings, at, err := j.Profile(ctx, "T001")
		last := decodeBody[wire.Profile](t, latestOf(es, wire.KindProfile))
		if err != nil || !jsonEqual(last.Settings, settings) || last.UpdatedAt != nanos(at) {
			t.Fatalf("profile %s, last entry %+v, %v", settings, last, err)
		}
	}
	for _, o := range orders {
		if lastOrder[o.OutTradeNo] != wireOrder(o) {
			t.Fatalf("order %s: last entry %+v, journal %+v", o.OutTradeNo, lastOrder[o.OutTradeNo], wireOrder(o))
		}
		evs, _ := j.Events(ctx, o.OutTradeNo)
		states := 0
		for _, ev := range evs {
			if events[ev.ID] != wireEvent(o.OutTradeNo, ev) {
				t.Fatalf("event %d: entry %+v, journal %+v", ev.ID, events[ev.ID], ev)
			}
			if ev.StateTo != "" {
				states++
			}
		}
		if orderEntries[o.OutTradeNo] != states {
			t.Fatalf("order %s: %d order entries for %d states", o.OutTradeNo, orderEntries[o.OutTradeNo], states)
		}
		rs, _ := j.Refunds(ctx, o.OutTradeNo)
		for _, r := range rs {
			if lastRefund[r.RefundNo] != wireRefund(r) {
				t.Fatalf("refund %s: entry %+v, journal %+v", r.RefundNo, lastRefund[r.RefundNo], wireRefund(r))
			}
		}
		ps, _ := j.PrintsOf(ctx, o.OutTradeNo)
		for _, p := range ps {
			if prints[p.ID] != wirePrint(p) {
				t.Fatalf("print %d: entry %+v, journal %+v", p.ID, prints[p.ID], wirePrint(p))
			}
		}
	}
}

func latestOf(es []wire.Entry, kind string) wire.Entry {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Kind == kind {
			return es[i]
		}
	}
	return wire.Entry{}
}

// BenchmarkCreateOrderDurableOutbox measures BenchmarkCreateOrderDurable's
// writes with and without the outbox's triggers, paired: each iteration
// writes one order to a journal with them and one to a journal without, so
// that the machine's other load weighs on both alike. It reports each
// side's mean time per order.
func BenchmarkCreateOrderDurableOutbox(b *testing.B) {
	ctx := context.Background()
	with, without := openTest(b), openTest(b)
	for _, tr := range []string{"order_insert", "order_update", "event_insert", "refund_insert", "refund_update",
		"print_insert", "print_update", "audit_insert", "profile_insert", "profile_update"} {
		if _, err := without.db.Exec("DROP TRIGGER outbox_" + tr); err != nil {
			b.Fatal(err)
		}
	}
	write := func(j *Journal) time.Duration {
		start := time.Now()
		o, err := j.CreateOrder(ctx, alipay(100))
		if err != nil {
			b.Fatal(err)
		}
		if err := j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest, Detail: "preorder"}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var tWith, tWithout time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			tWith += write(with)
			tWithout += write(without)
		} else {
			tWithout += write(without)
			tWith += write(with)
		}
	}
	b.ReportMetric(float64(tWith.Microseconds())/float64(b.N), "µs/order-outbox")
	b.ReportMetric(float64(tWithout.Microseconds())/float64(b.N), "µs/order-none")
	if n := lastSeq(b, with); n != int64(3*b.N) {
		b.Fatalf("%d entries for %d orders", n, b.N)
	}
	if n := lastSeq(b, without); n != 0 {
		b.Fatalf("%d entries without triggers", n)
	}
}
