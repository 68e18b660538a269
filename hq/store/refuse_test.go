package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"qrpos/hq"
	"qrpos/hq/internal/hqtest"
	"qrpos/hq/wire"
)

// TestTokensHoldTerminalsToTheirOwnJournals: a terminal's token writes
// only batches of its own tid and of journals it owns; no token, an
// unknown one, an API token or a replaced one writes nothing.
func TestTokensHoldTerminalsToTheirOwnJournals(t *testing.T) {
	r := hqtest.New(t)
	t1 := r.Enrol("T001", "Central")
	t2 := r.Enrol("T002", "Kowloon")
	j1 := sales("T001", 1)
	mustAck(t, r, t1, j1.All(), 5)
	api, err := hq.NewAPIToken(context.Background(), r.DB, "")
	if err != nil {
		t.Fatal(err)
	}
	stolen := &hqtest.Journal{ID: j1.ID, TID: "T002"}
	stolen.Sale(hqtest.OrderNo("T002", 1), 100)
	j2 := sales("T002", 1)
	for _, c := range []struct {
		name, token string
		batch       wire.Batch
		status      int
		code        string
	}{
		{"another tid's batch", t2, j1.All(), 403, "wrong_tid"},
		{"another tid's journal", t2, stolen.All(), 403, "journal_of_other_tid"},
		{"no token", "", j2.All(), 401, "token"},
		{"an unknown token", "hqt_nobody", j2.All(), 401, "token"},
		{"an API token", api, j2.All(), 401, "token"},
	} {
		rep := r.Post(c.token, c.batch)
		if rep.Status != c.status || rep.Error.Code != c.code {
			t.Errorf("%s: answer %d %+v; want %d %s", c.name, rep.Status, rep.Error, c.status, c.code)
		}
	}
	holdsExactly(t, r, j1, 5)
	holdsExactly(t, r, j2, 0)
	newToken := r.Enrol("T002", "")
	if rep := r.Post(t2, j2.All()); rep.Status != 401 {
		t.Fatalf("a replaced token still writes: %d", rep.Status)
	}
	mustAck(t, r, newToken, j2.All(), 5)
}

// TestBadBatchesWriteNothing: every malformed batch gets a 4xx wire.Error
// and leaves no trace, not even its journal.
func TestBadBatchesWriteNothing(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 2)
	good, _ := json.Marshal(j.All())
	with := func(f func(b *wire.Batch)) []byte {
		b := j.All()
		b.Entries = append([]wire.Entry(nil), b.Entries...)
		f(&b)
		out, _ := json.Marshal(b)
		return out
	}
	body := func(i int, s string) []byte {
		return with(func(b *wire.Batch) { b.Entries[i].Body = json.RawMessage(s) })
	}
	for name, c := range map[string]struct {
		data   []byte
		status int
	}{
		"not JSON":            {[]byte("seq 1"), 400},
		"data after it":       {append(append([]byte{}, good...), "{}"...), 400},
		"seqs descending":     {with(func(b *wire.Batch) { b.Entries[3], b.Entries[4] = b.Entries[4], b.Entries[3] }), 400},
		"a seq repeated":      {with(func(b *wire.Batch) { b.Entries[4].Seq = 4 }), 400},
		"seq 0":               {with(func(b *wire.Batch) { b.Entries[0].Seq = 0 }), 400},
		"a bad journal id":    {with(func(b *wire.Batch) { b.JournalID = "x" }), 400},
		"too many entries":    {with(func(b *wire.Batch) { b.Entries = manyEntries(wire.MaxBatch + 1) }), 400},
		"a body not object":   {body(4, `[1]`), 400},
		"a NUL in a body":     {body(4, `{"a":"x\u0000"}`), 400},
		"a lone surrogate":    {body(4, `{"a":"\ud800"}`), 400},
		"a wrong type":        {body(0, `{"out_trade_no":"N1","amount_minor":"12.30"}`), 400},
		"another tid's order": {body(0, `{"out_trade_no":"N1","tid":"T009","currency":"HKD","state":"paid"}`), 400},
		"a bad kind":          {with(func(b *wire.Batch) { b.Entries[4].Kind = "Order!" }), 400},
		"a huge number":       {body(4, `{"n":1e999999}`), 400},
		"too large":           {bytes.Repeat([]byte(" "), 9<<20), 413},
	} {
		rep := r.PostRaw(token, c.data)
		if rep.Status != c.status || rep.Error.Code == "" || rep.Error.Message == "" {
			t.Errorf("%s: answer %d %+v; want %d with a wire.Error", name, rep.Status, rep.Error, c.status)
		}
	}
	var journals int
	sql(t, r, "SELECT count(*) FROM journals", nil, &journals)
	if journals != 0 || count(t, r, "entries", j.ID) != 0 {
		t.Fatalf("refused batches left %d journals and %d entries", journals, count(t, r, "entries", j.ID))
	}
	mustAck(t, r, token, j.All(), 10)
}

// manyEntries is n audit entries, seqs 1..n.
func manyEntries(n int) []wire.Entry {
	es := make([]wire.Entry, n)
	for i := range es {
		es[i] = wire.Entry{Seq: int64(i + 1), Kind: wire.KindAudit, At: 1, Body: json.RawMessage(`{"action":"x"}`)}
	}
	return es
}

// TestTerminalStatusAndJournals: the terminal list shows the newest
// status (a batch sent earlier but arriving later does not roll it back)
// and every journal a tid uploaded.
func TestTerminalStatusAndJournals(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 2)
	newer := j.Batch(6, 10)
	newer.Status.Printer, newer.Status.Backlog = "out of paper", 5
	older := j.Batch(1, 5)
	older.SentAt = newer.SentAt.Add(-60e9)
	mustAck(t, r, token, newer, 0)
	mustAck(t, r, token, older, 10)
	second := sales("T001", 1) // a new PC: another journal, the same tid
	mustAck(t, r, token, second.All(), 5)
	ts, err := r.DB.Terminals(context.Background(), "")
	if err != nil || len(ts) != 1 {
		t.Fatalf("terminals %+v, %v", ts, err)
	}
	got := ts[0]
	if got.Printer != "out of paper" || got.Backlog != 5 || got.LastSeen == nil || len(got.Journals) != 2 {
		t.Fatalf("terminal %+v: want the newer status, seen, and two journals", got)
	}
	ids := got.Journals[0].JournalID + " " + got.Journals[1].JournalID
	if !strings.Contains(ids, j.ID) || !strings.Contains(ids, second.ID) || got.Journals[0].Acked+got.Journals[1].Acked != 15 {
		t.Fatalf("journals %+v", got.Journals)
	}
}

// TestIngestOnlyTakesPOST: another method gets a 405 wire.Error.
func TestIngestOnlyTakesPOST(t *testing.T) {
	r := hqtest.New(t)
	resp, err := r.Server.Client().Get(r.Server.URL + wire.IngestPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e wire.Error
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 405 || e.Code != "method" {
		t.Fatalf("GET %s: %d %+v %v", wire.IngestPath, resp.StatusCode, e, err)
	}
}
