package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/store"
	"qrpos/hq/wire"
)

// TestDuplicateBatchesStoreOnce: the same batch sent again (an ack lost
// on the way back, so the terminal resends) and ten copies at once store
// every entry once and answer the same ack.
func TestDuplicateBatchesStoreOnce(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 4)
	first := mustAck(t, r, token, j.All(), 20)
	again := mustAck(t, r, token, j.All(), 20)
	if first.Conflicts != 0 || again.Conflicts != 0 {
		t.Fatalf("a resent batch counted as conflicts: %+v, %+v", first, again)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := postAck(r, token, j.Batch(11, 20), 20); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	holdsExactly(t, r, j, 20)
}

// TestConcurrentFirstBatches: copies of a journal's first batch at once
// (the journal not yet known) still store it once.
func TestConcurrentFirstBatches(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 2)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := postAck(r, token, j.All(), 10); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	holdsExactly(t, r, j, 10)
}

// TestReorderedBatches: a later batch arriving first is stored but not
// acked past the gap; the earlier one closes it. The order's paid
// snapshot, arrived first, is not overwritten by its older created one.
func TestReorderedBatches(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 2) // sale 1: seqs 1-5 (created 1, paid 3)
	mustAck(t, r, token, j.Batch(3, 10), 0)
	var state string
	sql(t, r, "SELECT state FROM orders WHERE out_trade_no = $1", []any{hqtest.OrderNo("T001", 1)}, &state)
	if state != "paid" {
		t.Fatalf("order 1 is %q after its paid snapshot", state)
	}
	mustAck(t, r, token, j.Batch(1, 2), 10)
	holdsExactly(t, r, j, 10)
}

// TestBatchAfterAGap: a batch after a lost one is kept, the ack stays at
// the gap, and the resent batch acks everything.
func TestBatchAfterAGap(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 3)
	mustAck(t, r, token, j.Batch(1, 5), 5)
	mustAck(t, r, token, j.Batch(11, 15), 5)
	if n := count(t, r, "entries", j.ID); n != 10 {
		t.Fatalf("%d entries held after the batch beyond the gap; want 10", n)
	}
	mustAck(t, r, token, j.Batch(6, 15), 15)
	holdsExactly(t, r, j, 15)
}

// TestPrunedEntriesCountAsMissing: a terminal that deleted entries
// before head office got them (it ran long without head office) says so;
// head office acks past them, counts as missing only those it never held,
// and counts them once however often the terminal says it.
func TestPrunedEntriesCountAsMissing(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 4) // seqs 1-20
	mustAck(t, r, token, j.Batch(1, 5), 5)
	mustAck(t, r, token, j.Batch(11, 15), 5) // held beyond the gap 6-10
	b := j.Batch(16, 18)
	b.PrunedThrough = 15 // the terminal no longer has 1-15
	mustAck(t, r, token, b, 18)
	b = j.Batch(19, 20)
	b.PrunedThrough = 15
	mustAck(t, r, token, b, 20)
	b = j.Batch(0, 0) // nothing left to send; pruned up to its last entry
	b.PrunedThrough = 20
	mustAck(t, r, token, b, 20)
	terminals, err := r.DB.Terminals(context.Background(), "")
	if err != nil || len(terminals) != 1 || len(terminals[0].Journals) != 1 {
		t.Fatalf("terminals %+v %v", terminals, err)
	}
	if got := terminals[0].Journals[0]; got.Missing != 5 || got.Acked != 20 {
		t.Fatalf("journal %+v; want acked 20 and 5 missing (seqs 6-10)", got)
	}
	if n := count(t, r, "entries", j.ID); n != 15 {
		t.Fatalf("%d entries held; want 15", n)
	}
}

// TestHalfDeliveredBatch: a terminal that goes away halfway through
// sending its batch stores nothing of it; the batch sent again is stored
// once.
func TestHalfDeliveredBatch(t *testing.T) {
	ended := make(chan struct{}, 1)
	r := hqtest.NewOn(t, pgtestDB(t), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			h.ServeHTTP(w, req)
			ended <- struct{}{}
		})
	})
	token := r.Enrol("T001", "Central")
	j := sales("T001", 3)
	body, _ := json.Marshal(j.All())
	u, _ := url.Parse(r.Server.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		wire.IngestPath, u.Host, token, len(body))
	conn.Write(body[:len(body)/2])
	conn.Close()
	<-ended
	holdsExactly(t, r, j, 0)
	mustAck(t, r, token, j.All(), 15)
	holdsExactly(t, r, j, 15)
}

// TestRequestCancelledMidTransaction: the terminal gives up while head
// office's transaction runs (its writes done, not committed): the
// transaction is rolled back, nothing is stored, and the batch sent again
// is stored once.
func TestRequestCancelledMidTransaction(t *testing.T) {
	ended := make(chan struct{}, 2)
	r := hqtest.NewOn(t, pgtestDB(t), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			h.ServeHTTP(w, req)
			ended <- struct{}{}
		})
	})
	token := r.Enrol("T001", "Central")
	j := sales("T001", 3)
	inTx := make(chan struct{})
	store.SetBeforeCommit(r.DB, func(ctx context.Context) {
		close(inTx)
		<-ctx.Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	body, _ := json.Marshal(j.All())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.Server.URL+wire.IngestPath, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	go func() {
		<-inTx
		cancel()
	}()
	if resp, err := r.Server.Client().Do(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		t.Fatalf("the cancelled request was answered %d", resp.StatusCode)
	}
	<-ended
	holdsExactly(t, r, j, 0)
	store.SetBeforeCommit(r.DB, nil)
	mustAck(t, r, token, j.All(), 15)
	holdsExactly(t, r, j, 15)
}

// TestRestoredJournalIsAConflict: a journal restored from an old backup
// sends seqs head office holds with other content. Nothing is
// overwritten, the other content is kept once per content as a conflict,
// the entries past what head office held are stored, and the ack covers
// them all.
func TestRestoredJournalIsAConflict(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 2)
	mustAck(t, r, token, j.All(), 10)
	restored := &hqtest.Journal{ID: j.ID, TID: j.TID, Entries: append([]wire.Entry(nil), j.Entries[:5]...)}
	restored.Sale(hqtest.OrderNo("T001", 9), 99900) // seqs 6-10 again, other sales
	restored.Sale(hqtest.OrderNo("T001", 10), 100)  // seqs 11-15: new
	for range 2 {
		ack := mustAck(t, r, token, restored.Batch(6, 15), 15)
		if ack.Conflicts != 5 {
			t.Fatalf("ack %+v: want 5 conflicts", ack)
		}
	}
	if n := count(t, r, "conflicts", j.ID); n != 5 {
		t.Fatalf("%d conflicts kept; want 5, once each", n)
	}
	held := &hqtest.Journal{ID: j.ID, TID: j.TID, Entries: append(j.Entries[:10:10], restored.Entries[10:]...)}
	holdsExactly(t, r, held, 15) // 1-10 as the original journal has them, 11-15 the restored one's
	var n int
	sql(t, r, "SELECT count(*) FROM orders WHERE out_trade_no = $1", []any{hqtest.OrderNo("T001", 9)}, &n)
	if n != 0 {
		t.Fatal("a conflicting entry was projected")
	}
	rep, err := r.DB.Conflicts(context.Background(), "", 10)
	if err != nil || len(rep) != 5 || rep[0].Seq != 10 || sameJSON(rep[0].Stored.Body, rep[0].New.Body) {
		t.Fatalf("conflicts %+v, %v: want seqs 10..6 with both versions", rep, err)
	}
}
