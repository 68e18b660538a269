// Package ingest is head office's door for terminals: POST
// wire.IngestPath with the terminal's token. Parse is the one reader of
// what terminals send: it checks a batch completely (sizes, ascending
// seqs, every body against its kind, text PostgreSQL can store) before
// anything is written; the Handler authenticates the token, holds the
// terminal to its own tid and hands the batch to qrpos/hq/store, answering
// wire.Ack or wire.Error.
//
// It imports qrpos/hq/wire, qrpos/hq/store, qrpos/hq/auth, qrpos/payments
// (tids and currencies) and the standard library; it must not import pgx,
// fyne, qrpos/ui or the terminal's packages.
package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments"
)

// Limits of a batch.
const (
	MaxBody      = 8 << 20   // bytes of a request
	MaxEntryBody = 256 << 10 // bytes of one entry's body
	maxText      = 256       // characters of a status text
)

// BadBatch says why a batch was refused; nothing of it was stored.
type BadBatch struct {
	Seq    int64 // the entry at fault; 0: the batch itself
	Reason string
}

func (e *BadBatch) Error() string {
	if e.Seq != 0 {
		return fmt.Sprintf("entry %d: %s", e.Seq, e.Reason)
	}
	return e.Reason
}

func bad(seq int64, format string, args ...any) error {
	return &BadBatch{Seq: seq, Reason: fmt.Sprintf(format, args...)}
}

// Parse reads and checks one batch. The Upload's TID is the one the batch
// claims; the caller holds it to the token's.
func Parse(data []byte) (store.Upload, error) {
	var b wire.Batch
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		return store.Upload{}, bad(0, "not a batch: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return store.Upload{}, bad(0, "data after the batch")
	}
	if err := checkHeader(&b); err != nil {
		return store.Upload{}, err
	}
	if b.PrunedThrough < 0 {
		return store.Upload{}, bad(0, "pruned_through %d: want 0 or more", b.PrunedThrough)
	}
	if len(b.Entries) > 0 && b.Entries[0].Seq <= b.PrunedThrough {
		return store.Upload{}, bad(b.Entries[0].Seq, "sent, yet pruned (pruned_through %d)", b.PrunedThrough)
	}
	u := store.Upload{TID: b.TID, JournalID: b.JournalID, Version: b.Version, SentAt: b.SentAt.UTC(), Status: b.Status,
		PrunedThrough: b.PrunedThrough}
	last := int64(0)
	for _, we := range b.Entries {
		if we.Seq <= last {
			return store.Upload{}, bad(we.Seq, "seqs must be positive and ascending (after %d)", last)
		}
		last = we.Seq
		e, err := entry(b.TID, we)
		if err != nil {
			return store.Upload{}, err
		}
		u.Entries = append(u.Entries, e)
	}
	return u, nil
}

// checkHeader checks everything of a batch but its entries, and makes the
// journal id lower case.
func checkHeader(b *wire.Batch) error {
	b.JournalID = strings.ToLower(b.JournalID)
	if len(b.JournalID) != 32 || strings.Trim(b.JournalID, "0123456789abcdef") != "" {
		return bad(0, "journal_id %q: want 32 hex digits", b.JournalID)
	}
	if err := payments.ValidateTID(b.TID); err != nil {
		return bad(0, "%v", err)
	}
	if len(b.Entries) > wire.MaxBatch {
		return bad(0, "%d entries: at most %d a batch", len(b.Entries), wire.MaxBatch)
	}
	if b.Status.Backlog < 0 || b.Status.ProfileVersion < 0 {
		return bad(0, "status: negative backlog or profile version")
	}
	if err := texts("status", b.Version, b.Status.Printer); err != nil {
		return err
	}
	if len(b.Status.Providers) > 32 {
		return bad(0, "status: %d providers", len(b.Status.Providers))
	}
	for k, v := range b.Status.Providers {
		if err := texts("status.providers", k, v); err != nil {
			return err
		}
	}
	return nil
}

// texts checks strings PostgreSQL stores as text: at most maxText
// characters, no NUL.
func texts(field string, ss ...string) error {
	for _, s := range ss {
		if len([]rune(s)) > maxText || strings.ContainsRune(s, 0) {
			return bad(0, "%s: a text longer than %d characters or with a NUL", field, maxText)
		}
	}
	return nil
}

// entry checks one entry and decodes the bodies head office projects.
func entry(tid string, we wire.Entry) (store.Entry, error) {
	e := store.Entry{Seq: we.Seq, Kind: we.Kind, At: we.At}
	if !kindName(we.Kind) {
		return e, bad(we.Seq, "kind %q: want a lower-case name", we.Kind)
	}
	if len(we.Body) > MaxEntryBody {
		return e, bad(we.Seq, "body of %d bytes: at most %d", len(we.Body), MaxEntryBody)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, we.Body); err != nil || body.Len() == 0 || body.Bytes()[0] != '{' {
		return e, bad(we.Seq, "body: want a JSON object")
	}
	if err := storable(body.Bytes()); err != nil {
		return e, bad(we.Seq, "body: %v", err)
	}
	e.Body = body.Bytes()
	e.Hash = hash(we.Kind, we.At, e.Body)
	if err := decode(tid, &e); err != nil {
		return e, bad(we.Seq, "%s body: %v", we.Kind, err)
	}
	return e, nil
}

// kindName: 1 to 32 of a-z, 0-9 and _, starting with a letter. Kinds head
// office does not know are stored (a newer terminal's), not projected.
func kindName(k string) bool {
	if k == "" || len(k) > 32 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	return strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// hash is the content of an entry: its kind, time and compact body.
func hash(kind string, at int64, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	binary.Write(h, binary.BigEndian, at)
	h.Write(body)
	return h.Sum(nil)
}
