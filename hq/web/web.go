// Package web is head office's pages for people: server-rendered HTML
// (html/template, the templates and one CSS file embedded in the binary,
// no JavaScript) that read well on a phone. It owns the login and logout
// forms, today's sales across the chain, the chain-wide order search with
// each order's timeline, the terminals and their health, the conflicts,
// the CSV export of a day's orders, a day's reconciliation with the
// providers and, for admins, a terminal's profile form and starting a
// reconciliation (through a Reconciler). Who may see what is qrpos/hq/auth's (sessions, CSRF tokens,
// roles; a viewer of one store sees only that store); the pages set
// strict security headers (a CSP of 'self', no framing, no-store).
//
// It imports qrpos/hq/store (its only way to PostgreSQL), qrpos/hq/auth,
// qrpos/hq/api (its query parsers and its profile check, so that a page
// and the JSON API accept the same things), qrpos/payments and the
// standard library; it must not import pgx, fyne, qrpos/ui or the
// terminal's packages (qrpos/terminal, qrpos/storage, qrpos/devices).
package web

import (
	"log/slog"
	"net/http"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// Pages serves the web pages.
type Pages struct {
	DB   *store.DB
	Auth *auth.Authority
	// Location is where the chain's days begin and end (nil: time.Local).
	Location *time.Location
	Log      *slog.Logger // nil: slog.Default()
	// Reconcile starts a day's reconciliation for an admin (nil: head
	// office has no merchants' keys; the page only shows runs).
	Reconcile Reconciler
}

// Routes adds the pages' routes to mux: / (today), /login, /logout,
// /orders, /orders/{tid}/{no}, /terminals, /terminals/{tid}/profile,
// /conflicts, /export.csv, /reconciliation and /static/style.css.
func (pg *Pages) Routes(mux *http.ServeMux) {
	if pg.Log == nil {
		pg.Log = slog.Default()
	}
	read := func(h pageFunc) http.Handler { return pg.page(false, h) }
	admin := func(h pageFunc) http.Handler { return pg.page(true, h) }
	mux.Handle("GET /static/style.css", secure(false, http.HandlerFunc(style)))
	mux.Handle("GET /login", secure(true, http.HandlerFunc(pg.loginForm)))
	mux.Handle("POST /login", secure(true, http.HandlerFunc(pg.login)))
	mux.Handle("POST /logout", read(pg.logout))
	mux.Handle("GET /{$}", read(pg.today))
	mux.Handle("GET /orders", read(pg.orders))
	mux.Handle("GET /orders/{tid}/{no}", read(pg.order))
	mux.Handle("GET /terminals", read(pg.terminals))
	mux.Handle("GET /conflicts", read(pg.conflicts))
	mux.Handle("GET /export.csv", read(pg.export))
	mux.Handle("GET /terminals/{tid}/profile", admin(pg.profileForm))
	mux.Handle("POST /terminals/{tid}/profile", admin(pg.saveProfile))
	mux.Handle("GET /reconciliation", read(pg.reconciliation))
	mux.Handle("POST /reconciliation", admin(pg.startReconciliation))
}

func style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(styleCSS)
}

func (pg *Pages) loc() *time.Location {
	if pg.Location != nil {
		return pg.Location
	}
	return time.Local
}

func (pg *Pages) now() time.Time {
	if pg.Auth != nil && pg.Auth.Now != nil {
		return pg.Auth.Now()
	}
	return time.Now()
}

// secure sets the headers every page carries: a CSP that allows only
// this server's own styles and forms (no script at all), no framing, no
// sniffing; and, when data is set, no caching (a page with sales on it
// must not stay in a shared computer's cache).
func secure(data bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		if data {
			hd.Set("Cache-Control", "no-store")
		} else {
			hd.Set("Cache-Control", "public, max-age=3600")
		}
		h.ServeHTTP(w, r)
	})
}
