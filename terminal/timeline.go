package terminal

import (
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// TimelineKind says what a line of an order's timeline is about, in the
// shop's terms; a face words it in its language.
type TimelineKind string

// The kinds of timeline lines.
const (
	TimelineCreated      TimelineKind = "created"      // the order was journalled
	TimelinePaySent      TimelineKind = "pay_sent"     // the payment went to the provider
	TimelineQR           TimelineKind = "qr"           // the provider gave the QR code to show
	TimelineAnswer       TimelineKind = "answer"       // a verified answer from the provider
	TimelineNoAnswer     TimelineKind = "no_answer"    // a request whose outcome is unknown
	TimelineNotification TimelineKind = "notification" // a verified provider notification
	TimelineState        TimelineKind = "state"        // the order's state changed
	TimelineCancelSent   TimelineKind = "cancel_sent"  // the terminal asked the provider to end it unpaid
	TimelineRefundSent   TimelineKind = "refund_sent"  // a refund went to the provider
	TimelineRefund       TimelineKind = "refund"       // a refund of this order moved
	TimelineRequest      TimelineKind = "request"      // any other request to the provider
	TimelineNote         TimelineKind = "note"         // anything else the journal kept
	// TimelinePolls is a run of status checks that changed nothing: Count
	// checks from At to Until, one line instead of a request and an answer
	// each.
	TimelinePolls TimelineKind = "polls"
)

// TimelineEntry is one line of an order's timeline.
type TimelineEntry struct {
	Kind TimelineKind
	At   time.Time
	// Until is the last event the line stands for (At but for polls).
	Until time.Time
	// Count is how many checks a polls line stands for (1 otherwise);
	// NoAnswer how many of them had no answer.
	Count    int
	NoAnswer int
	// RefundNo is the refund a polls line checked ("" for the sale).
	RefundNo           string
	StateFrom, StateTo payments.State
	// Detail is the journal's own words for the event; for polls the last
	// answer, without the "query" prefix.
	Detail string
}

// Timeline turns an order's journal events (oldest first) into the lines a
// person reads: every event that says something (created, sent, QR code,
// answers that moved the order, notifications, cancels, refunds, notes)
// keeps its own line; consecutive status checks that changed nothing
// become one TimelinePolls line with their count and time span.
func Timeline(o payments.Order, evs []OrderEvent) []TimelineEntry {
	var out []TimelineEntry
	for _, e := range evs {
		if refundNo, ok := pollOf(e); ok {
			n := len(out)
			if n == 0 || out[n-1].Kind != TimelinePolls || out[n-1].RefundNo != refundNo {
				out = append(out, TimelineEntry{Kind: TimelinePolls, At: e.At, RefundNo: refundNo})
				n++
			}
			addPoll(&out[n-1], e)
			continue
		}
		k := kindOf(o, e)
		entry := TimelineEntry{Kind: k, At: e.At, Until: e.At, Count: 1, StateFrom: e.StateFrom, StateTo: e.StateTo, Detail: e.Detail}
		switch k {
		case TimelineCreated:
			entry.StateFrom, entry.StateTo = "", "" // created is all it says
		case TimelineAnswer:
			entry.Detail = strings.TrimPrefix(e.Detail, "query: ") // the answer that moved it
		}
		out = append(out, entry)
	}
	for i := range out {
		if out[i].Count == 0 {
			out[i].Count = 1 // answers whose request an older run journalled
		}
	}
	return out
}

// pollOf reports whether e is part of a status check that changed nothing
// (its request, an answer that left the state as it was, or no answer),
// and which refund it checked ("" for the sale).
func pollOf(e OrderEvent) (string, bool) {
	if e.StateTo != "" {
		return "", false // an answer that moved the order is news
	}
	switch e.Kind {
	case storage.EventRequest, storage.EventResponse, storage.EventNoAnswer:
	default:
		return "", false
	}
	d := e.Detail
	if rest, ok := strings.CutPrefix(d, "query refund "); ok {
		no, _, _ := strings.Cut(rest, ":")
		return strings.TrimSpace(no), true
	}
	if d == "query" || strings.HasPrefix(d, "query:") {
		return "", true
	}
	return "", false
}

// addPoll adds one event of a check to a polls line.
func addPoll(p *TimelineEntry, e OrderEvent) {
	p.Until = e.At
	switch e.Kind {
	case storage.EventRequest:
		p.Count++
	case storage.EventNoAnswer:
		p.NoAnswer++
		fallthrough
	default:
		_, answer, _ := strings.Cut(e.Detail, ":")
		p.Detail = strings.TrimSpace(answer)
	}
}

// kindOf names what a journal event that is not a poll says.
func kindOf(o payments.Order, e OrderEvent) TimelineKind {
	switch e.Kind {
	case storage.EventCreated:
		return TimelineCreated
	case storage.EventRequest:
		switch {
		case strings.HasPrefix(e.Detail, "pay "):
			return TimelinePaySent
		case strings.HasPrefix(e.Detail, "close"):
			return TimelineCancelSent
		case strings.HasPrefix(e.Detail, "refund "):
			return TimelineRefundSent
		}
		return TimelineRequest
	case storage.EventResponse:
		if o.Mode == payments.MPM && e.StateFrom == payments.Created && e.StateTo == payments.Pending {
			return TimelineQR
		}
		return TimelineAnswer
	case storage.EventNoAnswer:
		return TimelineNoAnswer
	case storage.EventNotification:
		return TimelineNotification
	case storage.EventState:
		return TimelineState
	case storage.EventRefund:
		return TimelineRefund
	}
	return TimelineNote
}
