// Package wire is the head-office protocol: what a terminal uploads (its
// journal's outbox, in batches) and what head office answers. Both sides
// import it; it imports only the standard library.
//
// # Exactly once
//
// Every change a terminal's journal records (an order's new state, an
// order event, a refund, a receipt printed, an audit entry, a profile
// change) is also an outbox entry with a sequence number that strictly
// increases per journal (storage: one SQLite transaction with the change).
// The terminal sends the entries after its cursor in order, in batches
// (POST IngestPath, Authorization: Bearer <the terminal's token>), and
// advances its cursor only to the Ack's Acked. Head office stores entries
// keyed by (journal id, seq) with INSERT ... ON CONFLICT DO NOTHING, in one
// transaction per batch, and answers the highest seq up to which it holds
// every entry of that journal. Duplicated, reordered, dropped or
// half-delivered batches therefore store nothing twice and lose nothing.
// An entry whose key head office already holds with other content (a
// journal restored from an old backup) is not overwritten: head office
// keeps it as a conflict for a person to look at, and acks it.
package wire

import (
	"encoding/json"
	"time"
)

// IngestPath is where a terminal posts its batches.
const IngestPath = "/ingest/v1/batch"

// MaxBatch is the most entries a batch may carry.
const MaxBatch = 500

// Batch is one upload: entries of one journal, ascending by Seq, starting
// right after the terminal's cursor.
type Batch struct {
	JournalID string    `json:"journal_id"` // the journal's identity (32 hex digits)
	TID       string    `json:"tid"`
	Version   string    `json:"version"` // the terminal program's version
	SentAt    time.Time `json:"sent_at"`
	Status    Status    `json:"status"`
	Entries   []Entry   `json:"entries"`
	// PrunedThrough: the journal no longer holds any entry up to this seq
	// (0: it holds them all). It deletes acknowledged entries after a
	// while, and unsent ones only after running long without head office
	// configured. Head office acknowledges past the ones it never got and
	// counts them as missing. Below the first entry of the batch.
	PrunedThrough int64 `json:"pruned_through,omitempty"`
}

// Status is the terminal as head office's terminal list shows it.
type Status struct {
	Backlog   int64             `json:"backlog"`   // entries not yet acked, this batch included
	Printer   string            `json:"printer"`   // "ready", "out of paper", ...
	Providers map[string]string `json:"providers"` // provider → "ok" or what is wrong
	// ProfileVersion is the version of the profile the terminal runs.
	ProfileVersion int64 `json:"profile_version"`
}

// Entry is one change of the journal.
type Entry struct {
	Seq  int64           `json:"seq"`
	Kind string          `json:"kind"`
	At   int64           `json:"at"`   // unix nanoseconds, the journal's clock
	Body json.RawMessage `json:"body"` // one of the body types below, by Kind
}

// The kinds of entries and their bodies.
const (
	KindOrder   = "order"   // Order: the order as it is after the change
	KindEvent   = "event"   // Event
	KindRefund  = "refund"  // Refund: the refund as it is after the change
	KindPrint   = "print"   // Print: a print job queued or printed
	KindAudit   = "audit"   // Audit
	KindProfile = "profile" // Profile: the profile after a change (no secrets)
)

// Order is an order as the journal has it. Amounts are integer minor
// units with their currency; times are unix nanoseconds (UTC).
type Order struct {
	OutTradeNo     string `json:"out_trade_no"`
	TID            string `json:"tid"`
	Provider       string `json:"provider"`
	Method         string `json:"method"` // the provider's method code
	Mode           string `json:"mode"`   // MPM, CPM
	AmountMinor    int64  `json:"amount_minor"`
	Currency       string `json:"currency"`
	RefundedMinor  int64  `json:"refunded_minor"`
	State          string `json:"state"`
	ProviderRef    string `json:"provider_ref"`
	AuthCodeMasked string `json:"auth_code_masked"`
	Reason         string `json:"reason"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

// Event is one step of an order's timeline.
type Event struct {
	ID         int64  `json:"id"` // the journal's row id
	OutTradeNo string `json:"out_trade_no"`
	At         int64  `json:"at"`
	Kind       string `json:"kind"`
	StateFrom  string `json:"state_from"`
	StateTo    string `json:"state_to"`
	Detail     string `json:"detail"`
}

// Refund is a refund as the journal has it.
type Refund struct {
	RefundNo    string `json:"refund_no"`
	OutTradeNo  string `json:"out_trade_no"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	State       string `json:"state"`
	ProviderRef string `json:"provider_ref"`
	Reason      string `json:"reason"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
}

// Print is a print job (its payload stays on the terminal).
type Print struct {
	ID         int64  `json:"id"`
	OutTradeNo string `json:"out_trade_no"` // "" for reports and test prints
	Kind       string `json:"kind"`         // sale, refund, report, reprint, test
	State      string `json:"state"`        // queued, printed
	Attempts   int64  `json:"attempts"`
	LastError  string `json:"last_error"`
	CreatedAt  int64  `json:"created_at"`
	PrintedAt  int64  `json:"printed_at"`
}

// Audit is one audit entry.
type Audit struct {
	ID     int64  `json:"id"`
	At     int64  `json:"at"`
	TID    string `json:"tid"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Detail string `json:"detail"`
}

// Profile is a terminal's profile after a change: its settings JSON as the
// journal keeps them (no provider secrets: those stay in the terminal's
// config file) and when it changed, which is its version.
type Profile struct {
	TID       string          `json:"tid"`
	Settings  json.RawMessage `json:"settings"`
	UpdatedAt int64           `json:"updated_at"` // the version
}

// Ack is head office's answer to a batch.
type Ack struct {
	JournalID string `json:"journal_id"`
	// Acked: head office holds every entry of the journal up to this seq
	// (0: none). The terminal moves its cursor here, never further than
	// its own last entry.
	Acked int64 `json:"acked"`
	// Conflicts counts the entries of this batch head office already held
	// with other content; they are kept aside for a person.
	Conflicts int `json:"conflicts"`
	// Profile is a newer profile an admin made at head office, for the
	// terminal to apply between sales; nil when the terminal's is current.
	Profile *ProfileUpdate `json:"profile,omitempty"`
}

// ProfileUpdate is a profile version made at head office.
type ProfileUpdate struct {
	Version  int64           `json:"version"` // unix nanoseconds; later wins
	Settings json.RawMessage `json:"settings"`
	By       string          `json:"by"` // the head-office user
}

// Error is head office's answer to a refused request (4xx, 5xx).
type Error struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}
