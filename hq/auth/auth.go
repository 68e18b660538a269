// Package auth is who may do what at head office: terminal and API tokens
// (random, only their hash stored), head-office users' passwords
// (PBKDF2-HMAC-SHA256 with a random salt and 600,000 rounds), login with a
// time-limited lockout after repeated wrong passwords, session cookies
// (HttpOnly, SameSite=Strict, Secure over TLS) with a CSRF token for every
// state-changing request, and the middleware that puts the Principal on a
// request. Viewers read one store or all; admins also change profiles; API
// tokens only read.
//
// It imports qrpos/hq/store and the standard library; it must not import
// pgx, fyne, qrpos/ui or the terminal's packages.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// The token kinds, by prefix: a terminal's (ingest), a script's
// (read-only API), a browser's session cookie.
const (
	TerminalPrefix = "hqt_"
	APIPrefix      = "hqa_"
	SessionPrefix  = "hqs_"
)

// NewToken makes a token of 32 random bytes after prefix and returns it
// with the hash head office stores.
func NewToken(prefix string) (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// Hash is what head office stores of a token: its SHA-256 (a token has
// 256 random bits, so a slow hash adds nothing).
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Bearer is the token of an "Authorization: Bearer" header, or "".
func Bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Principal is who makes a request.
type Principal struct {
	Name  string // the user's name, or "api-token"
	Role  string // store.RoleAdmin or store.RoleViewer
	Store string // the one store they see; "" every store
	CSRF  string // the session's CSRF token; "" for an API token
	Token bool   // an API token: reads only
}

// Scope is the store a request of p may read: p's own when p sees one
// store (ok false when another was asked for), else the one asked ("":
// every store). The JSON API and the web pages both decide by it.
func (p Principal) Scope(asked string) (store string, ok bool) {
	if p.Store == "" {
		return asked, true
	}
	return p.Store, asked == "" || asked == p.Store
}

// Admin reports whether p may change things (profiles).
func (p Principal) Admin() bool { return p.Role == "admin" && !p.Token }

// Sees reports whether p may see the data of store shop.
func (p Principal) Sees(shop string) bool { return p.Store == "" || p.Store == shop }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From is the Principal the middleware put on ctx.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
