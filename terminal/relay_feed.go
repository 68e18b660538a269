package terminal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	hqwire "qrpos/hq/wire"
	"qrpos/payments"
)

// relayPrefix is the path relayed notifications are served under inside
// the terminal (relayPrefix + "/" + provider): the routes of
// checkout.NotificationRoutes, as the terminal's own notification server
// has them.
const relayPrefix = "/relay"

// maxRelayEvent bounds one event of the stream: a 64 KiB body in base64,
// its headers and the JSON around them.
const maxRelayEvent = 128 << 10

// relayFeed turns relayed notifications into requests to the
// notification handlers of the wiring in force; the handlers (and so
// their memory of notifications already delivered) are kept until Apply
// rewires the terminal.
type relayFeed struct {
	t     *Terminal
	wired *wiring
	mux   http.Handler
}

// handler is the notification routes of the wiring in force.
func (f *relayFeed) handler() http.Handler {
	f.t.mu.Lock()
	w := f.t.cur
	f.t.mu.Unlock()
	if w != f.wired {
		f.wired, f.mux = w, notificationMux(relayPrefix, w.gateways, w.engine.HandleNotification)
	}
	return f.mux
}

// deliver hands one event's notification to its provider's handler, as
// the provider sent it to head office: the raw body and its headers.
// taken reports that the handler took it (HTTP 2xx); err says why not.
func (f *relayFeed) deliver(ctx context.Context, data []byte) (taken bool, err error) {
	var n hqwire.RelayedNotification
	if err := json.Unmarshal(data, &n); err != nil {
		return false, fmt.Errorf("not a relayed notification: %w", err)
	}
	if err := checkRelayed(n); err != nil {
		return false, fmt.Errorf("event %d: %w", n.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, relayPrefix+"/"+n.Provider, bytes.NewReader(n.Body))
	if err != nil {
		return false, fmt.Errorf("event %d: %w", n.ID, err)
	}
	req.RemoteAddr = "head office (relay)"
	for k, v := range n.Header {
		req.Header.Set(k, v)
	}
	rec := &answer{header: http.Header{}}
	f.handler().ServeHTTP(rec, req)
	if rec.status/100 != 2 {
		// The provider's handler logged why (the signature, say), without secrets.
		return false, fmt.Errorf("event %d (%s, %d bytes): the %s handler answered %d", n.ID, n.Provider, len(n.Body), n.Provider, rec.status)
	}
	return true, nil
}

// checkRelayed refuses a relayed notification no provider's handler
// should see: an unknown provider, a body too long, headers head office
// does not relay or that could not be headers.
func checkRelayed(n hqwire.RelayedNotification) error {
	if _, err := payments.ParseProvider(n.Provider); err != nil {
		return err
	}
	if len(n.Body) > hqwire.MaxRelayedBody {
		return fmt.Errorf("a body of %d bytes", len(n.Body))
	}
	if len(n.Header) > hqwire.MaxRelayedHeaders {
		return fmt.Errorf("%d headers", len(n.Header))
	}
	for k, v := range n.Header {
		if !hqwire.RelayedHeader(k) || len(v) > hqwire.MaxRelayedHeaderValue || strings.ContainsAny(k+v, "\r\n\x00") || strings.ContainsAny(k, " :") {
			return fmt.Errorf("header %.40q is not relayed", k)
		}
	}
	return nil
}

// answer keeps what a notification handler answered (its status; the
// body, meant for the provider, is dropped).
type answer struct {
	header http.Header
	status int
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return len(b), nil
}
