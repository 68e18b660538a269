// Package hqtest is head office's test rig: a server on a real
// PostgreSQL (qrpos/hq/pgtest) behind real HTTP on loopback, enrolled
// terminals, journals that make entries the way a terminal's outbox does,
// and real terminals linked to it (OpenTerminal). For head office's tests
// only; it imports qrpos/hq and its subpackages, and qrpos/terminal.
package hqtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"qrpos/hq"
	"qrpos/hq/auth"
	"qrpos/hq/pgtest"
	"qrpos/hq/store"
	"qrpos/hq/wire"
)

// HKT is the chain's time zone in tests.
var HKT = time.FixedZone("HKT", 8*3600)

// Rig is a head-office server for one test.
type Rig struct {
	T      testing.TB
	DBURL  string
	DB     *store.DB
	Auth   *auth.Authority
	Server *httptest.Server
	Clock  *Clock
}

// New starts a head office on a fresh database. Passwords are hashed
// with few rounds, so tests stay quick; the clock is a Clock.
func New(t testing.TB) *Rig {
	t.Helper()
	url := pgtest.DB(t)
	return NewOn(t, url)
}

// NewOn starts a head office on the database at url; wrap, when given,
// wraps its handler (to watch requests end, say).
func NewOn(t testing.TB, url string, wrap ...func(http.Handler) http.Handler) *Rig {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, HKT)}
	a := &auth.Authority{DB: db, Rounds: 1000, Now: clock.Now}
	srv := hq.New(hq.Config{DB: db, Location: HKT, Auth: a, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	var h http.Handler = srv
	for _, w := range wrap {
		h = w(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { ts.Close(); db.Close() })
	return &Rig{T: t, DBURL: url, DB: db, Auth: a, Server: ts, Clock: clock}
}

// Enrol enrols tid of shop and returns its token.
func (r *Rig) Enrol(tid, shop string) string {
	r.T.Helper()
	token, err := hq.Enrol(context.Background(), r.DB, tid, shop)
	if err != nil {
		r.T.Fatal(err)
	}
	return token
}

// Reply is head office's answer to a batch.
type Reply struct {
	Status int
	Ack    wire.Ack
	Error  wire.Error
}

// Post sends batch b with token and returns the answer.
func (r *Rig) Post(token string, b wire.Batch) Reply {
	r.T.Helper()
	body, err := json.Marshal(b)
	if err != nil {
		r.T.Fatal(err)
	}
	return r.PostRaw(token, body)
}

// PostRaw sends body as a batch with token.
func (r *Rig) PostRaw(token string, body []byte) Reply {
	r.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.Server.URL+wire.IngestPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.Server.Client().Do(req)
	if err != nil {
		r.T.Fatal(err)
	}
	defer resp.Body.Close()
	out := Reply{Status: resp.StatusCode}
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		err = json.Unmarshal(data, &out.Ack)
	} else {
		err = json.Unmarshal(data, &out.Error)
	}
	if err != nil {
		r.T.Fatalf("answer %d %q: %v", resp.StatusCode, data, err)
	}
	return out
}

// Clock is a settable clock for lockouts and "today".
type Clock struct{ now time.Time }

// Now is the clock's time.
func (c *Clock) Now() time.Time { return c.now }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.now = c.now.Add(d) }
