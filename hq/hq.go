// Package hq is head office: one PostgreSQL for every terminal's journal
// of a chain. `pos hq` serves terminals' uploads (qrpos/hq/ingest, the
// protocol in qrpos/hq/wire), the JSON API people's pages and scripts read
// (qrpos/hq/api), the web pages people use (qrpos/hq/web), and the
// providers' notification endpoints with the terminals' streams that
// relay them (qrpos/hq/relay, the merchants' keys qrpos/hq/merchants');
// users, sessions and tokens are qrpos/hq/auth's, the database
// qrpos/hq/store's.
// This package wires them into one http.Handler and holds the commands'
// work: enrol a terminal, make an API token, add a user.
//
// Head office is never in a sale's path: terminals upload when they can.
// It imports its subpackages, qrpos/payments (and, through
// qrpos/hq/merchants, the registered providers' wire packages) and the
// standard library; it must not import fyne, qrpos/ui or the terminal's
// packages (qrpos/terminal, qrpos/payments/checkout, qrpos/storage,
// qrpos/devices).
package hq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/ingest"
	"qrpos/hq/merchants"
	"qrpos/hq/relay"
	"qrpos/hq/store"
	"qrpos/hq/web"
	"qrpos/hq/wire"
	"qrpos/payments"
)

// Config is what a head-office server needs.
type Config struct {
	DB *store.DB
	// Location is where the chain's days begin and end (nil: time.Local).
	Location *time.Location
	Logger   *slog.Logger // nil: slog.Default()
	// Auth checks people and tokens (nil: an Authority on DB with the
	// defaults: PBKDF2 600,000 rounds, 5 wrong passwords lock for 15
	// minutes, sessions of 12 hours).
	Auth *auth.Authority
	// Merchants are the merchant credentials whose notifications head
	// office receives and relays (none: the terminals' streams stay idle).
	Merchants []merchants.Merchant
	// Reconcile starts a day's reconciliation from the web page
	// (qrpos/hq/reconcile's Runner; nil: the page only shows runs).
	Reconcile web.Reconciler
}

// Server is head office's HTTP side.
type Server struct {
	mux   *http.ServeMux
	Auth  *auth.Authority
	relay *relay.Relay
}

// New builds the server: wire.IngestPath and wire.RelayStreamPath for
// terminals, wire.NotifyPath for the providers, /api/v1 for people and
// scripts, and the web pages (/, /login, /orders, ...).
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Auth == nil {
		cfg.Auth = &auth.Authority{DB: cfg.DB}
	}
	s := &Server{mux: http.NewServeMux(), Auth: cfg.Auth}
	s.mux.Handle(wire.IngestPath, &ingest.Handler{DB: cfg.DB, Log: cfg.Logger}) // it answers other methods with a wire.Error
	(&api.API{DB: cfg.DB, Auth: cfg.Auth, Location: cfg.Location, Log: cfg.Logger}).Routes(s.mux)
	(&web.Pages{DB: cfg.DB, Auth: cfg.Auth, Location: cfg.Location, Log: cfg.Logger, Reconcile: cfg.Reconcile}).Routes(s.mux)
	s.relay = relay.New(relay.Config{DB: cfg.DB, Merchants: cfg.Merchants, Log: cfg.Logger})
	s.relay.Routes(s.mux)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := cfg.DB.Ping(r.Context()); err != nil {
			http.Error(w, "database down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return s
}

// Handle adds a handler (the web pages) to the server's routes.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// EndStreams ends the terminals' notification streams (Serve calls it
// when it shuts down: a stream never finishes by itself).
func (s *Server) EndStreams() { s.relay.EndStreams() }

// ServeHTTP serves a request with the headers every answer carries.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(w, r)
}

// Serve serves h on l until ctx ends, over TLS when certFile and keyFile
// are given, then shuts down, letting requests in flight finish and
// ending the terminals' streams (h's EndStreams, when it has one).
func Serve(ctx context.Context, l net.Listener, h http.Handler, certFile, keyFile string) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	if e, ok := h.(interface{ EndStreams() }); ok {
		srv.RegisterOnShutdown(e.EndStreams)
	}
	done := make(chan error, 1)
	go func() {
		if certFile != "" {
			done <- srv.ServeTLS(l, certFile, keyFile)
		} else {
			done <- srv.Serve(l)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(stop)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// Enrol enrols terminal tid of store shop (again: a new token, the old
// one stops working) and returns its token, which head office does not
// keep: only its hash.
func Enrol(ctx context.Context, db *store.DB, tid, shop string) (string, error) {
	if err := payments.ValidateTID(tid); err != nil {
		return "", err
	}
	if len([]rune(shop)) > 64 {
		return "", errors.New("a store's name has at most 64 characters")
	}
	token, hash := auth.NewToken(auth.TerminalPrefix)
	if err := db.Enrol(ctx, tid, shop, hash); err != nil {
		return "", fmt.Errorf("enrol %s: %w", tid, err)
	}
	return token, db.Audit(ctx, "pos hq enrol", "enrol", tid+" "+shop)
}

// NewAPIToken makes a read-only API token for scripts, limited to store
// shop ("": every store), and returns it; head office keeps its hash.
func NewAPIToken(ctx context.Context, db *store.DB, shop string) (string, error) {
	token, hash := auth.NewToken(auth.APIPrefix)
	if err := db.AddAPIToken(ctx, hash, shop); err != nil {
		return "", err
	}
	return token, db.Audit(ctx, "pos hq api-token", "api-token", "store "+shop)
}
