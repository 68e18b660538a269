package api

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/internal/reply"
)

// Login is the body of POST /api/v1/login (JSON, or a form with the same
// fields).
type Login struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Session answers a login and GET /api/v1/session. A page sends CSRF
// back as the header X-CSRF-Token (or the form field csrf) with every
// request that changes something.
type Session struct {
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Store     string     `json:"store"` // "": every store
	CSRF      string     `json:"csrf,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	if !auth.SameOrigin(r) {
		reply.Error(w, http.StatusForbidden, "csrf", "a login from another site")
		return
	}
	var in Login
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			reply.Error(w, http.StatusBadRequest, "bad_query", `want {"name": ..., "password": ...}`)
			return
		}
	} else {
		in.Name, in.Password = r.PostFormValue("name"), r.PostFormValue("password")
	}
	token, s, err := a.Auth.Login(r.Context(), in.Name, in.Password)
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		a.Log.Warn("login locked", "user", in.Name, "until", locked.Until)
		reply.Error(w, http.StatusTooManyRequests, "locked", err.Error())
	case errors.Is(err, auth.ErrBadLogin):
		a.Log.Info("login refused", "user", in.Name)
		reply.Error(w, http.StatusUnauthorized, "bad_login", err.Error())
	case err != nil:
		a.fail(w, err)
	default:
		a.Auth.SetCookie(w, r, token, s.ExpiresAt)
		exp := s.ExpiresAt.In(a.loc())
		reply.JSON(w, http.StatusOK, Session{Name: s.User.Name, Role: s.User.Role, Store: s.User.Store, CSRF: s.CSRF, ExpiresAt: &exp})
	}
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.Logout(w, r); err != nil {
		a.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) session(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	reply.JSON(w, http.StatusOK, Session{Name: p.Name, Role: p.Role, Store: p.Store, CSRF: p.CSRF})
}
