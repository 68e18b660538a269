// Package relay is head office's notification relay: the providers'
// notification endpoints for the chain's merchants (wire.NotifyPath +
// merchant + "/" + provider) and each terminal's stream of the
// notifications routed to it (wire.RelayStreamPath, server-sent events on
// a connection the terminal opened, so a terminal behind a shop's router
// needs no inbound port).
//
// A notification is verified with its merchant's key by the provider's
// own handler (the one a terminal serves: it answers the provider the way
// the provider expects), then kept as it came (qrpos/hq/store) and routed
// by its order number alone: the tid starts every number. Head office
// relays the raw body and the headers the provider signs, never a
// re-encoding, so the terminal verifies the signature again itself and
// head office cannot forge a payment. What does not verify is refused and
// neither kept nor relayed.
//
// It imports qrpos/hq/store, qrpos/hq/merchants, qrpos/hq/auth's token
// hashing, qrpos/hq/wire, qrpos/payments and the standard library; it must
// not import pgx, fyne or the terminal's packages.
package relay

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"qrpos/hq/merchants"
	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments"
)

// DefaultKeep is how long a notification is kept and, while the terminal
// is away, waiting to be relayed.
const DefaultKeep = 3 * 24 * time.Hour

// DefaultMaxStream is how long one stream lasts: the terminal then opens
// the next with Last-Event-ID, which tells head office what it holds.
const DefaultMaxStream = 10 * time.Minute

// Config sets up a Relay.
type Config struct {
	DB        *store.DB
	Merchants []merchants.Merchant
	Log       *slog.Logger     // nil: slog.Default()
	Keep      time.Duration    // 0: DefaultKeep
	Heartbeat time.Duration    // 0: wire.RelayHeartbeat
	MaxStream time.Duration    // 0: DefaultMaxStream
	Now       func() time.Time // nil: time.Now
}

// Relay serves the notification endpoints and the terminals' streams.
type Relay struct {
	cfg       Config
	log       *slog.Logger
	merchants map[route]*merchant
	hub       *hub

	pruneMu   sync.Mutex
	lastPrune time.Time

	ending  chan struct{} // closed by EndStreams
	endOnce sync.Once
}

// route is where a merchant's notifications arrive: NotifyPath +
// name + "/" + provider.
type route struct{ name, provider string }

// merchant is one merchant's endpoint: its provider's handler, verifying
// with the merchant's key (nil when its gateway could not be built).
type merchant struct {
	merchants.Merchant
	handler http.Handler
}

// New builds the relay. A merchant whose gateway cannot be built (the
// merchants file's Parse refuses such a one) is logged and its endpoint
// answers 503.
func New(cfg Config) *Relay {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = wire.RelayHeartbeat
	}
	if cfg.MaxStream <= 0 {
		cfg.MaxStream = DefaultMaxStream
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Relay{cfg: cfg, log: cfg.Log.With("component", "relay"), merchants: map[route]*merchant{}, ending: make(chan struct{})}
	r.hub = newHub(cfg.DB, r.log)
	for _, m := range cfg.Merchants {
		if m.NotifyName == "" {
			m.NotifyName = m.Name
		}
		e := &merchant{Merchant: m}
		n, err := m.Gateway(payments.GatewayEnv{Logger: r.log.With("merchant", m.Name)})
		if err != nil {
			r.log.Error("merchant's notifications cannot be verified: its endpoint answers 503", "merchant", m.String(), "err", err)
		} else {
			e.handler = n.NotificationHandler(r.deliverFor(m))
		}
		r.merchants[route{m.NotifyName, string(m.Provider)}] = e
	}
	return r
}

// EndStreams ends every stream, open or opened later, as MaxStream does:
// the server is shutting down, and its terminals resume elsewhere or
// later.
func (r *Relay) EndStreams() { r.endOnce.Do(func() { close(r.ending) }) }

// Routes adds the notification endpoints and the stream to mux.
func (r *Relay) Routes(mux *http.ServeMux) {
	mux.HandleFunc(wire.NotifyPath+"{merchant}/{provider}", r.serveNotify)
	mux.HandleFunc("GET "+wire.RelayStreamPath, r.serveStream)
}
