package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// The roles of head-office users.
const (
	RoleAdmin  = "admin"  // everything, profiles included
	RoleViewer = "viewer" // reads, of one store or all
)

// User is a head-office person. Store "" means every store.
type User struct {
	ID           int64
	Name         string
	Role         string
	Store        string
	PasswordHash string
	Failed       int
	LockedUntil  *time.Time
}

// AddUser adds a user, or ErrExists when the name is taken.
func (db *DB) AddUser(ctx context.Context, u User) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO users (name, role, store, password_hash) VALUES ($1, $2, $3, $4)`,
		u.Name, u.Role, u.Store, u.PasswordHash)
	if isUnique(err) {
		return ErrExists
	}
	return err
}

// ErrExists means the name is taken.
var ErrExists = errors.New("already exists")

// UserByName is the user named name, or ErrNotFound.
func (db *DB) UserByName(ctx context.Context, name string) (User, error) {
	var u User
	err := db.pool.QueryRow(ctx, `SELECT id, name, role, store, password_hash, failed, locked_until
		FROM users WHERE name = $1`, name).Scan(&u.ID, &u.Name, &u.Role, &u.Store, &u.PasswordHash, &u.Failed, &u.LockedUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// LoginFailed counts a wrong password; the failures-th in a row locks the
// user until until (and starts the count again). It reports whether this
// failure locked the user.
func (db *DB) LoginFailed(ctx context.Context, id int64, failures int, until time.Time) (bool, error) {
	var locked bool
	err := db.pool.QueryRow(ctx, `UPDATE users SET
		failed = CASE WHEN failed + 1 >= $2 THEN 0 ELSE failed + 1 END,
		locked_until = CASE WHEN failed + 1 >= $2 THEN $3 ELSE locked_until END
		WHERE id = $1 RETURNING coalesce(locked_until = $3, false)`, id, failures, until).Scan(&locked)
	return locked, err
}

// Session is a logged-in user's session.
type Session struct {
	User      User
	CSRF      string
	ExpiresAt time.Time
}

// StartSession records a session for user id (its failures forgotten).
func (db *DB) StartSession(ctx context.Context, id int64, tokenHash []byte, csrf string, now, expires time.Time) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET failed = 0, locked_until = NULL WHERE id = $1", id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, tokenHash, id, csrf, now, expires)
		return err
	})
}

// SessionByToken is the session whose token has hash and has not expired
// at now, or ErrNotFound.
func (db *DB) SessionByToken(ctx context.Context, tokenHash []byte, now time.Time) (Session, error) {
	var s Session
	u := &s.User
	err := db.pool.QueryRow(ctx, `SELECT u.id, u.name, u.role, u.store, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`,
		tokenHash, now).Scan(&u.ID, &u.Name, &u.Role, &u.Store, &s.CSRF, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// EndSession forgets the session whose token has hash.
func (db *DB) EndSession(ctx context.Context, tokenHash []byte) error {
	_, err := db.pool.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
	return err
}

// AddAPIToken records a read-only API token of shop ("": every store).
func (db *DB) AddAPIToken(ctx context.Context, tokenHash []byte, shop string) error {
	_, err := db.pool.Exec(ctx, "INSERT INTO api_tokens (token_hash, store) VALUES ($1, $2)", tokenHash, shop)
	return err
}

// APIToken is the store of the API token whose hash is given (noting its
// use), or ErrNotFound.
func (db *DB) APIToken(ctx context.Context, tokenHash []byte) (string, error) {
	var shop string
	err := db.pool.QueryRow(ctx, "UPDATE api_tokens SET last_used = now() WHERE token_hash = $1 RETURNING store",
		tokenHash).Scan(&shop)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return shop, err
}
