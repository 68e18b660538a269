package wire

import (
	"net/http"
	"strings"
	"time"
)

// # The notification relay
//
// A terminal behind a shop's router has no inbound port, so the providers'
// notifications go to head office (NotifyPath/{merchant}/{provider}, the
// terminal's notify_url being head office's NotifyPath/{merchant}). Head
// office verifies each one with that merchant's key, answers the provider,
// stores the raw notification and routes it by its order number (the tid
// starts every number) to the terminal's stream: a server-sent event
// stream the terminal opened (GET RelayStreamPath, Authorization: Bearer
// <the terminal's token>). Each event is a RelayedNotification as JSON on
// one data line, with the SSE id its ID; a comment line (": ping") comes
// every RelayHeartbeat. The terminal resumes with Last-Event-ID and feeds
// each body, with its headers, into its own notification handler: it
// verifies the provider's signature itself, so head office cannot forge a
// payment.

// RelayStreamPath is where a terminal opens its stream of notifications.
const RelayStreamPath = "/relay/v1/stream"

// NotifyPath is where providers post notifications: NotifyPath + merchant
// + "/" + provider.
const NotifyPath = "/notify/"

// RelayEvent is the SSE event name of a relayed notification.
const RelayEvent = "notification"

// RelayHeartbeat is how often head office writes a comment on an idle
// stream; a terminal that hears nothing for three of them reconnects.
const RelayHeartbeat = 15 * time.Second

// MaxRelayedBody is the longest notification body relayed (the providers'
// handlers refuse longer ones).
const MaxRelayedBody = 64 << 10

// RelayedNotification is one notification as head office received it.
type RelayedNotification struct {
	// ID increases with every notification relayed to this terminal
	// (the SSE id: Last-Event-ID resumes after it).
	ID       int64  `json:"id"`
	Provider string `json:"provider"` // the provider's name: the terminal's route
	// Body is the raw body, byte for byte (base64 in JSON): the
	// signature covers these bytes.
	Body []byte `json:"body"`
	// Header holds the request's headers a provider's handler may verify
	// (RelayedHeader), one value each.
	Header     map[string]string `json:"header"`
	ReceivedAt time.Time         `json:"received_at"`
}

// RelayedHeader reports whether head office keeps and relays a header of
// a provider's notification: Content-Type and the X- headers providers
// sign with (X-QF-SIGN), never the ones proxies add (X-Forwarded-*,
// X-Real-Ip). The rule names no provider.
func RelayedHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	switch {
	case name == "Content-Type":
		return true
	case strings.HasPrefix(name, "X-Forwarded-"), name == "X-Real-Ip":
		return false
	}
	return strings.HasPrefix(name, "X-")
}

// MaxRelayedHeaders and MaxRelayedHeaderValue bound what is kept of a
// notification's headers.
const (
	MaxRelayedHeaders     = 16
	MaxRelayedHeaderValue = 1024
)
