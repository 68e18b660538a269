package scanner

import (
	"fmt"
	"log/slog"
	"time"
)

// Kind says what an Event reports.
type Kind string

// Event kinds.
const (
	KindCode    Kind = "code"    // a code was scanned
	KindPort    Kind = "port"    // the port came up or went down
	KindDropped Kind = "dropped" // a frame was dropped
)

// Port states.
const (
	StateUp   = "up"
	StateDown = "down"
)

// Event is one thing the scanner learnt. Code holds the full scanned code:
// log the event itself (its String and LogValue give only the code's
// length), never the Code field. Which wallet a code belongs to is the
// payments' business (payments.ClassifyAuthCode), not the device's.
type Event struct {
	Kind Kind
	Time time.Time

	Code string // KindCode: the code as scanned

	State string // KindPort: StateUp or StateDown
	Port  string // KindPort: the path opened (or the spec when none resolved)
	Err   string // KindPort down: why

	Reason DropReason // KindDropped: why
	Len    int        // KindDropped: the frame's length in bytes
}

// String describes the event with the code masked.
func (e Event) String() string {
	switch e.Kind {
	case KindCode:
		return fmt.Sprintf("code of %d bytes", len(e.Code))
	case KindPort:
		if e.Err != "" {
			return fmt.Sprintf("port %s %s: %s", e.Port, e.State, e.Err)
		}
		return fmt.Sprintf("port %s %s", e.Port, e.State)
	case KindDropped:
		return fmt.Sprintf("dropped frame of %d bytes: %s", e.Len, e.Reason)
	}
	return string(e.Kind)
}

// LogValue makes slog print the event with the code masked.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", string(e.Kind))}
	switch e.Kind {
	case KindCode:
		attrs = append(attrs, slog.Int("code_len", len(e.Code)))
	case KindPort:
		attrs = append(attrs, slog.String("port", e.Port), slog.String("state", e.State))
		if e.Err != "" {
			attrs = append(attrs, slog.String("error", e.Err))
		}
	case KindDropped:
		attrs = append(attrs, slog.String("reason", string(e.Reason)), slog.Int("len", e.Len))
	}
	return slog.GroupValue(attrs...)
}
