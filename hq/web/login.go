package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"qrpos/hq/auth"
)

// loginCookie carries the login form's CSRF token: nobody is logged in
// yet, so the form's hidden field must match this cookie (a page of
// another site can set neither), and the browser's Origin must be ours.
const loginCookie = "hq_login"

// loginView is the login page.
type loginView struct {
	frame
	Name    string
	Next    string
	CSRF    string
	Message string
}

// loginForm shows the login form; someone logged in goes on.
func (pg *Pages) loginForm(w http.ResponseWriter, r *http.Request) {
	next := SafeNext(r.URL.Query().Get("next"))
	if _, err := pg.Auth.Identify(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	pg.showLogin(w, r, http.StatusOK, loginView{Next: next})
}

// showLogin renders the login form with a fresh CSRF token.
func (pg *Pages) showLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	token, _ := auth.NewToken("")
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/login", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: pg.Auth.Secure || r.TLS != nil})
	v.CSRF = token
	pg.render(w, r, status, "login", &v, frame{Title: "Log in"})
}

// login checks the form and starts a session (qrpos/hq/auth: wrong
// passwords in a row lock the name for a while).
func (pg *Pages) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	v := loginView{Name: r.PostFormValue("name"), Next: SafeNext(r.PostFormValue("next"))}
	c, err := r.Cookie(loginCookie)
	if err != nil || !auth.SameOrigin(r) || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		v.Message = "This form had expired. Please try again."
		pg.showLogin(w, r, http.StatusForbidden, v)
		return
	}
	token, s, err := pg.Auth.Login(r.Context(), v.Name, r.PostFormValue("password"))
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		pg.Log.Warn("login locked", "user", v.Name, "until", locked.Until)
		v.Message = "Too many wrong passwords: this name is locked until " + locked.Until.In(pg.loc()).Format("15:04 (2 Jan)") + "."
		pg.showLogin(w, r, http.StatusTooManyRequests, v)
	case errors.Is(err, auth.ErrBadLogin):
		pg.Log.Info("login refused", "user", v.Name)
		v.Message = "Wrong name or password."
		pg.showLogin(w, r, http.StatusUnauthorized, v)
	case err != nil:
		pg.Log.Error("login", "err", err)
		v.Message = "The database did not answer. Try again in a moment."
		pg.showLogin(w, r, http.StatusInternalServerError, v)
	default:
		pg.Auth.SetCookie(w, r, token, s.ExpiresAt)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/login", MaxAge: -1, HttpOnly: true})
		http.Redirect(w, r, v.Next, http.StatusSeeOther)
	}
}

// SafeNext is where a login may send the browser on: a path of this
// server ("/orders?q=1"), never another site ("//evil", "/\evil",
// "https://...", nor a URL that does not parse); anything else is "/".
func SafeNext(s string) string {
	if len(s) > 2048 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") ||
		strings.ContainsAny(s, "\\\r\n\t\x00") {
		return "/"
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return s
}
