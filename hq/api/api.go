// Package api is head office's JSON API under /api/v1 for people's pages
// and scripts: the day's orders, order search and an order's timeline,
// sales reports by store, terminal, method and provider, the terminals
// and their health, conflicts, a day's reconciliation with the providers,
// profiles (admins edit them; provider secrets are refused and never
// shown), and login, logout and the session. Every answer but login's
// needs a session or a read-only API token (qrpos/hq/auth); a viewer of
// one store sees only that store.
//
// It imports qrpos/hq/store, qrpos/hq/auth, qrpos/payments (money
// formatting) and the standard library; it must not import pgx, fyne,
// qrpos/ui or the terminal's packages.
package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// API serves /api/v1.
type API struct {
	DB   *store.DB
	Auth *auth.Authority
	// Location is where the chain's days begin and end (nil: time.Local).
	Location *time.Location
	Log      *slog.Logger
}

// Routes adds the API's routes to mux.
func (a *API) Routes(mux *http.ServeMux) {
	read := func(h http.HandlerFunc) http.Handler { return a.Auth.Require(false, h) }
	mux.HandleFunc("POST /api/v1/login", a.login)
	mux.Handle("POST /api/v1/logout", read(a.logout))
	mux.Handle("GET /api/v1/session", read(a.session))
	mux.Handle("GET /api/v1/orders", read(a.orders))
	mux.Handle("GET /api/v1/orders/search", read(a.search))
	mux.Handle("GET /api/v1/orders/{tid}/{no}", read(a.order))
	mux.Handle("GET /api/v1/report", read(a.report))
	mux.Handle("GET /api/v1/terminals", read(a.terminals))
	mux.Handle("GET /api/v1/terminals/{tid}/profile", read(a.profiles))
	mux.Handle("PUT /api/v1/terminals/{tid}/profile", a.Auth.Require(true, http.HandlerFunc(a.saveProfile)))
	mux.Handle("GET /api/v1/conflicts", read(a.conflicts))
	mux.Handle("GET /api/v1/reconciliation", read(a.reconciliation))
}

func (a *API) loc() *time.Location {
	if a.Location != nil {
		return a.Location
	}
	return time.Local
}

func (a *API) now() time.Time {
	if a.Auth != nil && a.Auth.Now != nil {
		return a.Auth.Now()
	}
	return time.Now()
}

// errForbidden: a viewer of one store asked for another's.
var errForbidden = errors.New("this login sees another store")

// scope is the store a request may read: the principal's own when it sees
// one store (asking for another is forbidden), else the one asked ("": all).
func scope(r *http.Request, asked string) (string, error) {
	p, _ := auth.From(r.Context())
	store, ok := p.Scope(asked)
	if !ok {
		return "", errForbidden
	}
	return store, nil
}

// fail answers err: a refused query (400), another store (403), nothing
// found (404), else the database's fault (500, logged).
func (a *API) fail(w http.ResponseWriter, err error) {
	var q *QueryError
	switch {
	case errors.As(err, &q):
		reply.Error(w, http.StatusBadRequest, "bad_query", q.Error())
	case errors.Is(err, errForbidden):
		reply.Error(w, http.StatusForbidden, "other_store", err.Error())
	case errors.Is(err, store.ErrNotFound):
		reply.Error(w, http.StatusNotFound, "not_found", "no such "+notFoundWhat(err))
	default:
		a.Log.Error("api", "err", err)
		reply.Error(w, http.StatusInternalServerError, "internal", "the database did not answer")
	}
}

func notFoundWhat(err error) string {
	var nf *notFound
	if errors.As(err, &nf) {
		return nf.what
	}
	return "thing"
}

// notFound names what was not found.
type notFound struct{ what string }

func (e *notFound) Error() string { return "no such " + e.what }
func (e *notFound) Unwrap() error { return store.ErrNotFound }
