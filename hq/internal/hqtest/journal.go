package hqtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"qrpos/hq/wire"
)

// Journal makes the outbox entries of one terminal's journal: seqs 1, 2,
// 3... in the order a terminal records its changes.
type Journal struct {
	ID      string
	TID     string
	Entries []wire.Entry
	at      time.Time
}

// NewJournal is an empty journal of tid with a random id.
func NewJournal(tid string) *Journal {
	b := make([]byte, 16)
	rand.Read(b)
	return &Journal{ID: hex.EncodeToString(b), TID: tid, at: time.Date(2026, 3, 2, 9, 0, 0, 0, HKT)}
}

// Add appends an entry of kind with body and returns its seq.
func (j *Journal) Add(kind string, body any) int64 {
	data, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	j.at = j.at.Add(time.Second)
	seq := int64(len(j.Entries) + 1)
	j.Entries = append(j.Entries, wire.Entry{Seq: seq, Kind: kind, At: j.at.UnixNano(), Body: data})
	return seq
}

// Now is the journal's clock: the time of its last entry.
func (j *Journal) Now() time.Time { return j.at }

// Sale records a paid sale of amount cents (HKD) the way a terminal does:
// the order created, its event, the order paid, its event, the receipt.
func (j *Journal) Sale(no string, amount int64) wire.Order {
	o := wire.Order{OutTradeNo: no, TID: j.TID, Provider: "eftpay", Method: "ALIPAYHK", Mode: "MPM",
		AmountMinor: amount, Currency: "HKD", State: "created", CreatedAt: j.at.Add(time.Second).UnixNano()}
	o.UpdatedAt = o.CreatedAt
	j.Add(wire.KindOrder, o)
	j.Add(wire.KindEvent, wire.Event{ID: int64(len(j.Entries)), OutTradeNo: no, At: j.at.UnixNano(), Kind: "created", StateTo: "created"})
	o.State, o.ProviderRef, o.UpdatedAt = "paid", "REF"+no, j.at.Add(time.Second).UnixNano()
	j.Add(wire.KindOrder, o)
	j.Add(wire.KindEvent, wire.Event{ID: int64(len(j.Entries)), OutTradeNo: no, At: j.at.UnixNano(), Kind: "paid", StateFrom: "created", StateTo: "paid"})
	j.Add(wire.KindPrint, wire.Print{ID: int64(len(j.Entries)), OutTradeNo: no, Kind: "sale", State: "queued", CreatedAt: j.at.UnixNano()})
	return o
}

// Batch is the batch of entries from seq to seq `to` (inclusive).
func (j *Journal) Batch(from, to int64) wire.Batch {
	b := wire.Batch{JournalID: j.ID, TID: j.TID, Version: "test", SentAt: j.at,
		Status: wire.Status{Backlog: int64(len(j.Entries)) - from + 1, Printer: "ready", Providers: map[string]string{"eftpay": "ok"}}}
	for _, e := range j.Entries {
		if e.Seq >= from && e.Seq <= to {
			b.Entries = append(b.Entries, e)
		}
	}
	return b
}

// All is one batch of every entry.
func (j *Journal) All() wire.Batch { return j.Batch(1, int64(len(j.Entries))) }

// OrderNo is the n-th order number of tid's test sales.
func OrderNo(tid string, n int) string { return fmt.Sprintf("%s260302%010d", tid, n) }

// Refund records a confirmed refund of amount cents of sale o the way a
// terminal does: the refund, its event, the order's new state.
func (j *Journal) Refund(o wire.Order, refundNo string, amount int64) wire.Order {
	at := j.at.Add(time.Second).UnixNano()
	j.Add(wire.KindRefund, wire.Refund{RefundNo: refundNo, OutTradeNo: o.OutTradeNo, AmountMinor: amount,
		Currency: o.Currency, State: "done", ProviderRef: "R" + refundNo, CreatedAt: at, UpdatedAt: at})
	o.RefundedMinor += amount
	o.State = "partly_refunded"
	if o.RefundedMinor == o.AmountMinor {
		o.State = "refunded"
	}
	j.Add(wire.KindEvent, wire.Event{ID: int64(len(j.Entries)), OutTradeNo: o.OutTradeNo, At: j.at.UnixNano(), Kind: "refund",
		StateFrom: "paid", StateTo: o.State, Detail: refundNo})
	o.UpdatedAt = j.at.Add(time.Second).UnixNano()
	j.Add(wire.KindOrder, o)
	return o
}
