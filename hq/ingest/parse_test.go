package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"qrpos/hq/wire"
)

// batch is a valid batch of T001 with an order, an event and an audit.
func batch() wire.Batch {
	return wire.Batch{JournalID: "0123456789ABCDEF0123456789abcdef", TID: "T001", Version: "1.0",
		Status: wire.Status{Printer: "ready", Providers: map[string]string{"eftpay": "ok"}},
		Entries: []wire.Entry{
			{Seq: 1, Kind: wire.KindOrder, At: 10, Body: json.RawMessage(`{"out_trade_no":"N1","tid":"T001","amount_minor":1050,"currency":"HKD","state":"paid"}`)},
			{Seq: 2, Kind: wire.KindEvent, At: 11, Body: json.RawMessage(`{"out_trade_no":"N1","kind":"paid"}`)},
			{Seq: 5, Kind: "future_kind", At: 12, Body: json.RawMessage(`{"anything": [1, 2]}`)},
		}}
}

func encode(b wire.Batch) []byte {
	data, _ := json.Marshal(b)
	return data
}

// TestParseDecodesAndHashes: a batch comes out with its journal id in
// lower case, known bodies decoded, unknown kinds kept, and a hash that
// ignores JSON whitespace but not the time.
func TestParseDecodesAndHashes(t *testing.T) {
	u, err := Parse(encode(batch()))
	if err != nil {
		t.Fatal(err)
	}
	if u.JournalID != "0123456789abcdef0123456789abcdef" || len(u.Entries) != 3 || u.Entries[0].Order == nil ||
		u.Entries[0].Order.AmountMinor != 1050 || u.Entries[1].Event == nil || u.Entries[2].Order != nil {
		t.Fatalf("parsed %+v", u)
	}
	spaced := batch()
	spaced.Entries[0].Body = json.RawMessage(strings.ReplaceAll(string(spaced.Entries[0].Body), ",", " ,\n "))
	later := batch()
	later.Entries[0].At++
	s, _ := Parse(encode(spaced))
	l, _ := Parse(encode(later))
	if !bytes.Equal(s.Entries[0].Hash, u.Entries[0].Hash) || bytes.Equal(l.Entries[0].Hash, u.Entries[0].Hash) {
		t.Fatal("the hash follows whitespace or ignores the time")
	}
}

// TestParsePrunedThrough: a batch may say the terminal deleted entries
// below its first, never one it carries, nor a negative seq.
func TestParsePrunedThrough(t *testing.T) {
	b := batch()
	b.Entries = b.Entries[2:] // seq 5
	for pruned, ok := range map[int64]bool{0: true, 4: true, 5: false, 9: false, -1: false} {
		b.PrunedThrough = pruned
		u, err := Parse(encode(b))
		if (err == nil) != ok || err == nil && u.PrunedThrough != pruned {
			t.Errorf("pruned_through %d: %+v %v; want ok %v", pruned, u.PrunedThrough, err, ok)
		}
	}
	b.Entries, b.PrunedThrough = nil, 40 // all pruned, nothing left to send
	if u, err := Parse(encode(b)); err != nil || u.PrunedThrough != 40 {
		t.Errorf("an empty batch after pruning: %+v %v", u.PrunedThrough, err)
	}
}

// TestStorable: what PostgreSQL's jsonb refuses is found first.
func TestStorable(t *testing.T) {
	for s, ok := range map[string]bool{
		`{"a":"\u0041"}`: true, `{"a":"\\u0000"}`: true, `{"a":"\ud83d\ude00"}`: true, `{"a":"\\\u0000"}`: false,
		`{"a":"\u0000"}`: false, `{"a":"\ud83d"}`: false, `{"a":"\ude00"}`: false, `{"a":"\ud83dx"}`: false, `{"\u0000":1}`: false,
	} {
		if err := storable([]byte(s)); (err == nil) != ok {
			t.Errorf("storable(%s) = %v; want ok %v", s, err, ok)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts is what head office
// can store: ascending positive seqs, compact UTF-8 JSON objects jsonb
// takes, hashes of their content, and a tid and journal id of the right
// shape.
func FuzzParse(f *testing.F) {
	f.Add(encode(batch()))
	b := batch()
	b.Entries[1].Body = json.RawMessage(`{"out_trade_no":"N1","detail":"\ud83d\ude00 \\u0000"}`)
	f.Add(encode(b))
	f.Add([]byte(`{"journal_id":"0123456789abcdef0123456789abcdef","tid":"T1","entries":[]}`))
	f.Add([]byte(`{"entries":[{"seq":1,"kind":"order","body":{}}]}`))
	b = batch()
	b.PrunedThrough = 4
	f.Add(encode(b))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := Parse(data)
		if err != nil {
			var bad *BadBatch
			if !errors.As(err, &bad) {
				t.Fatalf("error %v is no *BadBatch", err)
			}
			return
		}
		if len(u.JournalID) != 32 || strings.ToLower(u.JournalID) != u.JournalID || u.TID == "" || len(u.Entries) > wire.MaxBatch {
			t.Fatalf("accepted header %q %q", u.JournalID, u.TID)
		}
		if u.PrunedThrough < 0 {
			t.Fatalf("accepted pruned_through %d", u.PrunedThrough)
		}
		last := u.PrunedThrough
		for _, e := range u.Entries {
			var c bytes.Buffer
			if e.Seq <= last || json.Compact(&c, e.Body) != nil || !bytes.Equal(c.Bytes(), e.Body) || e.Body[0] != '{' ||
				storable(e.Body) != nil || !bytes.Equal(e.Hash, hash(e.Kind, e.At, e.Body)) || !kindName(e.Kind) {
				t.Fatalf("accepted entry %+v after seq %d", e, last)
			}
			last = e.Seq
		}
	})
}
