package auth

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// ErrNoLogin: the request carries no valid session or API token.
var ErrNoLogin = errors.New("log in or send an API token")

// Identify is who sent r: an API token (Authorization: Bearer hqa_...) or
// a session cookie. ErrNoLogin when neither is valid.
func (a *Authority) Identify(r *http.Request) (Principal, error) {
	ctx := r.Context()
	if t := Bearer(r); t != "" {
		if !strings.HasPrefix(t, APIPrefix) {
			return Principal{}, ErrNoLogin
		}
		shop, err := a.DB.APIToken(ctx, Hash(t))
		if errors.Is(err, store.ErrNotFound) {
			return Principal{}, ErrNoLogin
		}
		return Principal{Name: "api-token", Role: store.RoleViewer, Store: shop, Token: true}, err
	}
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Principal{}, ErrNoLogin
	}
	s, err := a.DB.SessionByToken(ctx, Hash(c.Value), a.now())
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrNoLogin
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{Name: s.User.Name, Role: s.User.Role, Store: s.User.Store, CSRF: s.CSRF}, nil
}

// Safe reports whether method only reads.
func Safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// CheckCSRF reports whether a state-changing request of session p carries
// the session's CSRF token (header X-CSRF-Token or form field csrf) and,
// when the browser names its origin, comes from this host.
func CheckCSRF(r *http.Request, p Principal) bool {
	if !SameOrigin(r) || p.CSRF == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) == 1
}

// SameOrigin reports whether r's Origin header, when there is one, names
// the host r was sent to.
func SameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// Require lets through requests of a logged-in user or an API token (and,
// when admin is set, of admins only), with the Principal on the context.
// A state-changing request must come from a session and carry its CSRF
// token: API tokens only read.
func (a *Authority) Require(admin bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Identify(r)
		switch {
		case errors.Is(err, ErrNoLogin):
			reply.Error(w, http.StatusUnauthorized, "login_required", err.Error())
		case err != nil:
			reply.Error(w, http.StatusInternalServerError, "internal", "the database did not answer")
		case !Safe(r.Method) && p.Token:
			reply.Error(w, http.StatusForbidden, "read_only", "an API token only reads")
		case !Safe(r.Method) && !CheckCSRF(r, p):
			reply.Error(w, http.StatusForbidden, "csrf", "missing or wrong CSRF token")
		case admin && !p.Admin():
			reply.Error(w, http.StatusForbidden, "admin_only", "only an admin may do this")
		default:
			h.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		}
	})
}
