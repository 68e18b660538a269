package web

import (
	"errors"
	"net/http"
	"net/url"

	"qrpos/hq/auth"
)

// maxForm is the largest form a page takes.
const maxForm = 64 << 10

// pageFunc is a page's handler; p is who asked.
type pageFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal)

// page lets through requests of a logged-in person (or a read-only API
// token, for the CSV export's scripts) and, when admin is set, of admins
// only. Someone not logged in is sent to the login page, which brings
// them back. A form that changes something must come from a session and
// carry its CSRF token (qrpos/hq/auth).
func (pg *Pages) page(admin bool, h pageFunc) http.Handler {
	return secure(true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !auth.Safe(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		p, err := pg.Auth.Identify(r)
		switch {
		case errors.Is(err, auth.ErrNoLogin) && auth.Safe(r.Method):
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case errors.Is(err, auth.ErrNoLogin):
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		case err != nil:
			pg.Log.Error("page login", "err", err)
			pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		case !auth.Safe(r.Method) && p.Token:
			pg.fail(w, r, p, http.StatusForbidden, "An API token only reads.")
		case !auth.Safe(r.Method) && !auth.CheckCSRF(r, p):
			pg.fail(w, r, p, http.StatusForbidden, "This form has expired. Go back, reload the page and try again.")
		case admin && !p.Admin():
			pg.fail(w, r, p, http.StatusForbidden, "Only an admin may do this.")
		default:
			h(w, r.WithContext(auth.WithPrincipal(r.Context(), p)), p)
		}
	}))
}

// logout ends the session and shows the login page.
func (pg *Pages) logout(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := pg.Auth.Logout(w, r); err != nil {
		pg.Log.Error("logout", "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// scope is the store a page may show (auth.Principal.Scope).
func scope(p auth.Principal, asked string) (string, bool) { return p.Scope(asked) }
