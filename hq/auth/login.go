package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"qrpos/hq/store"
)

// Authority checks people and tokens against head office's database.
type Authority struct {
	DB *store.DB
	// Now is the clock (nil: time.Now); tests move it past a lockout.
	Now func() time.Time
	// Rounds of new password hashes (0: Rounds).
	Rounds int
	// LockAfter wrong passwords in a row lock a user for LockFor
	// (0: 5 and 15 minutes).
	LockAfter int
	LockFor   time.Duration
	// SessionFor is how long a login lasts (0: 12 hours).
	SessionFor time.Duration
	// Secure marks session cookies Secure even on plain HTTP requests
	// (head office behind a TLS-terminating proxy). Over TLS they always are.
	Secure bool

	dummyOnce sync.Once
	dummyHash string
}

func (a *Authority) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// ErrBadLogin: no such user, or a wrong password (which, is not said).
var ErrBadLogin = errors.New("wrong name or password")

// LockedError: too many wrong passwords; no login until Until.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many wrong passwords: locked until %s", e.Until.Format(time.RFC3339))
}

// dummy is a hash of a password no one has, checked for an unknown name
// so that it takes as long as a known one.
func (a *Authority) dummy() string {
	a.dummyOnce.Do(func() { a.dummyHash, _ = HashPassword("not a password", a.Rounds) })
	return a.dummyHash
}

// Login checks name and password and starts a session, returning the
// cookie's token and the session. A locked user is refused before the
// password is looked at; the LockAfter-th wrong password in a row locks.
func (a *Authority) Login(ctx context.Context, name, password string) (string, store.Session, error) {
	now := a.now()
	u, err := a.DB.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(a.dummy(), password)
		return "", store.Session{}, ErrBadLogin
	}
	if err != nil {
		return "", store.Session{}, err
	}
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		return "", store.Session{}, &LockedError{Until: *u.LockedUntil}
	}
	if !CheckPassword(u.PasswordHash, password) {
		until := now.Add(cmpOr(a.LockFor, 15*time.Minute))
		locked, err := a.DB.LoginFailed(ctx, u.ID, cmpOr(a.LockAfter, 5), until)
		if err != nil {
			return "", store.Session{}, err
		}
		if locked {
			return "", store.Session{}, &LockedError{Until: until}
		}
		return "", store.Session{}, ErrBadLogin
	}
	token, hash := NewToken(SessionPrefix)
	csrf, _ := NewToken("")
	s := store.Session{User: u, CSRF: csrf, ExpiresAt: now.Add(cmpOr(a.SessionFor, 12*time.Hour))}
	if err := a.DB.StartSession(ctx, u.ID, hash, csrf, now, s.ExpiresAt); err != nil {
		return "", store.Session{}, err
	}
	s.User.PasswordHash = ""
	return token, s, nil
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// CookieName is the session cookie's name.
const CookieName = "hq_session"

// SetCookie sets the session cookie of token on w, to last until expires
// (by head office's clock: a Max-Age, not a date the browser's clock reads).
func (a *Authority) SetCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", MaxAge: int(expires.Sub(a.now()).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.Secure || r.TLS != nil})
}

// Logout ends the request's session and clears its cookie.
func (a *Authority) Logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(CookieName)
	if err == nil {
		if err := a.DB.EndSession(r.Context(), Hash(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.Secure || r.TLS != nil})
	return nil
}

// AddUser adds a user with a password, hashed. Role is store.RoleAdmin or
// store.RoleViewer; shop limits a viewer to one store ("" all); an admin
// sees every store.
func (a *Authority) AddUser(ctx context.Context, name, role, shop, password string) error {
	switch {
	case name == "" || len(name) > 64:
		return errors.New("a user's name has 1 to 64 characters")
	case role != store.RoleAdmin && role != store.RoleViewer:
		return fmt.Errorf("role %q: use admin or viewer", role)
	case role == store.RoleAdmin && shop != "":
		return errors.New("an admin sees every store: no --store")
	case len([]rune(password)) < MinPassword:
		return fmt.Errorf("the password needs at least %d characters", MinPassword)
	}
	hash, err := HashPassword(password, a.Rounds)
	if err != nil {
		return err
	}
	if err := a.DB.AddUser(ctx, store.User{Name: name, Role: role, Store: shop, PasswordHash: hash}); err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	return a.DB.Audit(ctx, "pos hq user add", "user", fmt.Sprintf("%s %s %s", name, role, shop))
}
