package store

import (
	"errors"
	"fmt"
	"time"

	"qrpos/hq/wire"
)

// Upload is one batch, checked (qrpos/hq/ingest.Parse) and from a
// terminal whose token names TID.
type Upload struct {
	TID       string
	JournalID string
	Version   string
	SentAt    time.Time
	Status    wire.Status
	Entries   []Entry // ascending by Seq
	// PrunedThrough: the terminal no longer holds entries up to this seq
	// (wire.Batch).
	PrunedThrough int64
}

// Entry is one checked entry. Body is compact JSON; Hash covers kind, at
// and body (two entries with the same hash are the same change). The
// decoded body matching Kind is set for the kinds head office projects.
type Entry struct {
	Seq     int64
	Kind    string
	At      int64
	Body    []byte
	Hash    []byte
	Order   *wire.Order
	Refund  *wire.Refund
	Event   *wire.Event
	Profile *wire.Profile
}

// OtherTIDError refuses an upload to a journal another terminal owns.
type OtherTIDError struct {
	JournalID, Owner, TID string
}

func (e *OtherTIDError) Error() string {
	return fmt.Sprintf("journal %s belongs to terminal %s, not %s", e.JournalID, e.Owner, e.TID)
}

// ErrUnknownTerminal: no terminal is enrolled under the tid (or token).
var ErrUnknownTerminal = errors.New("terminal not enrolled")
