package relay_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/hq"
	"qrpos/hq/relay"
	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments/sandbox"
)

// TestForgedNotificationRefused: a notification that does not verify with
// the merchant's key is answered as its provider's handler answers it
// (QFPay: 401, eftPay: 401 with a signed "false"), and nothing of it is
// kept or relayed; a genuine one is answered as the provider expects and
// kept.
func TestForgedNotificationRefused(t *testing.T) {
	o := newOffice(t)
	o.rig.Enrol("FG01", "Central")
	no := "FG01260302ABCDEFGHIJ"
	body, h := qfNote(no, "not-the-merchants-key")
	if status, answer := o.post("/notify/central/qfpay", body, h); status != http.StatusUnauthorized || strings.Contains(answer, "SUCCESS") {
		t.Fatalf("forged QFPay notification: %d %q", status, answer)
	}
	body, h = eftNote(no, "not-the-merchants-secret")
	status, answer := o.post("/notify/central/eftpay", body, h)
	var ack map[string]string
	if status != http.StatusUnauthorized || json.Unmarshal([]byte(answer), &ack) != nil || ack["return_code"] != "false" || ack["sign"] == "" {
		t.Fatalf("forged eftPay notification: %d %q", status, answer)
	}
	body, h = qfNote(no, sandbox.DemoQFPayKey)
	h.Set("X-QF-SIGN", "0"+h.Get("X-QF-SIGN")[1:])
	if status, _ := o.post("/notify/central/qfpay", body, h); status != http.StatusUnauthorized {
		t.Fatalf("a changed signature: %d", status)
	}
	if kept := o.kept(); len(kept) != 0 {
		t.Fatalf("head office kept %d forged notifications", len(kept))
	}
	for _, path := range []string{"/notify/elsewhere/qfpay", "/notify/central/paypal"} {
		if status, _ := o.post(path, body, h); status != http.StatusNotFound {
			t.Errorf("%s: %d; want 404", path, status)
		}
	}
	body, h = qfNote(no, sandbox.DemoQFPayKey)
	if status, answer := o.post("/notify/central/qfpay", body, h); status != http.StatusOK || answer != "SUCCESS" {
		t.Fatalf("genuine QFPay notification: %d %q", status, answer)
	}
	body, h = eftNote(no, sandbox.DemoEftpaySecret)
	if status, answer := o.post("/notify/central/eftpay", body, h); status != http.StatusOK || json.Unmarshal([]byte(answer), &ack) != nil || ack["return_code"] != "success" {
		t.Fatalf("genuine eftPay notification: %d %q", status, answer)
	}
	if kept := o.kept(); len(kept) != 2 {
		t.Fatalf("kept %d genuine notifications; want 2", len(kept))
	}
}

// TestNotificationsKeptAndRouted: a verified notification is kept byte for
// byte with the headers a provider signs (not a proxy's), routed to the
// terminal its number names; the same bytes again are kept once; a number
// no terminal made, or one of a terminal not enrolled, is kept, flagged
// and relayed to nobody.
func TestNotificationsKeptAndRouted(t *testing.T) {
	o := newOffice(t)
	o.rig.Enrol("RT01", "Central")
	post := func(no string) {
		t.Helper()
		body, h := qfNote(no, sandbox.DemoQFPayKey)
		if status, answer := o.post("/notify/central/qfpay", body, h); status != http.StatusOK || answer != "SUCCESS" {
			t.Fatalf("%s: %d %q", no, status, answer)
		}
	}
	post("RT01260302ABCDEFGHIJ")
	post("RT01260302ABCDEFGHIJ") // QFPay again, the same bytes
	post("X1")
	post("ZZ99260302ABCDEFGHIJ")
	post("RT01260302KLMNOPQRST")
	kept := o.kept()
	if len(kept) != 4 {
		t.Fatalf("kept %d notifications; want 4: %+v", len(kept), kept)
	}
	body, h := qfNote("RT01260302ABCDEFGHIJ", sandbox.DemoQFPayKey)
	first := kept[0]
	if string(first.Body) != string(body) || first.Header["X-Qf-Sign"] != h.Get("X-QF-SIGN") || first.Header["Content-Type"] != "application/json" ||
		first.Header["X-Forwarded-For"] != "" || first.Merchant != "central" || first.Provider != "qfpay" {
		t.Fatalf("kept %+v", first)
	}
	want := []struct {
		tid   string
		event int64
		flag  string
	}{{"RT01", 1, ""}, {"", 0, store.FlagUnroutable}, {"", 0, store.FlagUnknownTerminal}, {"RT01", 2, ""}}
	for i, w := range want {
		if k := kept[i]; k.TID != w.tid || k.EventID != w.event || k.Flag != w.flag {
			t.Errorf("notification %d (%s): tid %q event %d flag %q; want %+v", i, k.OrderNo, k.TID, k.EventID, k.Flag, w)
		}
	}
}

// TestStreamIsTheTerminalsOwn: a terminal's token opens only its own
// stream: each terminal reads the notifications of its own numbers and
// never another's; no token, an API token or a stranger's is refused.
func TestStreamIsTheTerminalsOwn(t *testing.T) {
	o := newOffice(t)
	tokA, tokB := o.rig.Enrol("TA01", "Central"), o.rig.Enrol("TB01", "Kowloon")
	apiToken, err := hq.NewAPIToken(context.Background(), o.DB(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", apiToken, "hqt_" + strings.Repeat("x", 43)} {
		if resp := openStream(t, o, tok, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %.8q: %d; want 401", tok, resp.StatusCode)
		}
	}
	notify := func(no string) {
		body, h := qfNote(no, sandbox.DemoQFPayKey)
		if status, _ := o.post("/notify/central/qfpay", body, h); status != http.StatusOK {
			t.Fatalf("%s: %d", no, status)
		}
	}
	notify("TA01260302AAAAAAAAA1")
	notify("TB01260302BBBBBBBBB1")
	a, b := newStreamReader(t, o, tokA, ""), newStreamReader(t, o, tokB, "")
	if n := b.next(); orderOf(t, n) != "TB01260302BBBBBBBBB1" || n.ID != 1 {
		t.Fatalf("B's stream: %+v", n)
	}
	notify("TA01260302AAAAAAAAA2")
	notify("TB01260302BBBBBBBBB2")
	if n := b.next(); orderOf(t, n) != "TB01260302BBBBBBBBB2" || n.ID != 2 {
		t.Fatalf("B's stream after A's notification: %s", orderOf(t, n))
	}
	for _, want := range []string{"TA01260302AAAAAAAAA1", "TA01260302AAAAAAAAA2"} {
		if n := a.next(); orderOf(t, n) != want {
			t.Fatalf("A's stream: %s; want %s", orderOf(t, n), want)
		}
	}
}

// TestStreamResumes: with Last-Event-ID the stream starts after it (even
// below what was acknowledged before), and head office takes it as held:
// a stream opened later without one (a terminal started again) starts
// after the highest acknowledged; an id never given out is not believed.
func TestStreamResumes(t *testing.T) {
	o := newOffice(t)
	tok := o.rig.Enrol("RS01", "Central")
	for _, no := range []string{"RS01260302AAAAAAAAA1", "RS01260302AAAAAAAAA2", "RS01260302AAAAAAAAA3"} {
		body, h := qfNote(no, sandbox.DemoQFPayKey)
		o.post("/notify/central/qfpay", body, h)
	}
	if n := newStreamReader(t, o, tok, "2").next(); n.ID != 3 {
		t.Fatalf("after Last-Event-ID 2: event %d", n.ID)
	}
	if n := newStreamReader(t, o, tok, "").next(); n.ID != 3 {
		t.Fatalf("without Last-Event-ID after 2 was acknowledged: event %d", n.ID)
	}
	if n := newStreamReader(t, o, tok, "1").next(); n.ID != 2 {
		t.Fatalf("after Last-Event-ID 1 (2 acknowledged before): event %d; want what the terminal asks for", n.ID)
	}
	if n := newStreamReader(t, o, tok, "99").next(); n.ID != 3 {
		t.Fatalf("a Last-Event-ID never given out: event %d", n.ID)
	}
	if resp := openStream(t, o, tok, "x"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("Last-Event-ID x: %d", resp.StatusCode)
	}
}

func TestTIDOf(t *testing.T) {
	for no, want := range map[string]string{
		"T001260302ABCDEFGHIJ":          "T001",
		"A260302ABCDEFGHIJ":             "A",
		"ABCDEFGHIJKL260302ABCDEFGHIJ":  "ABCDEFGHIJKL",
		"260302ABCDEFGHIJ":              "",
		"T001261302ABCDEFGHIJ":          "", // month 13
		"T001260300ABCDEFGHIJ":          "", // day 0
		"T001260302ABCDEFGHIj":          "",
		"T-01260302ABCDEFGHIJ":          "",
		"ABCDEFGHIJKLM260302ABCDEFGHIJ": "",
		"":                              "",
	} {
		got, ok := relay.TIDOf(no)
		if got != want || ok != (want != "") {
			t.Errorf("TIDOf(%q) = %q, %v; want %q", no, got, ok, want)
		}
	}
}

// streamReader reads a stream's events.
type streamReader struct {
	t  *testing.T
	sc *bufio.Scanner
}

func openStream(t *testing.T, o *office, token, lastID string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL()+wire.RelayStreamPath, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func newStreamReader(t *testing.T, o *office, token, lastID string) *streamReader {
	t.Helper()
	resp := openStream(t, o, token, lastID)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &streamReader{t: t, sc: bufio.NewScanner(resp.Body)}
}

// next is the next notification event (the test's deadline guards it).
func (s *streamReader) next() wire.RelayedNotification {
	s.t.Helper()
	var id, kind, data string
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == "" && data != "":
			var n wire.RelayedNotification
			if kind != wire.RelayEvent || json.Unmarshal([]byte(data), &n) != nil || strconv.FormatInt(n.ID, 10) != id {
				s.t.Fatalf("event id %q kind %q data %q", id, kind, data)
			}
			return n
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
	s.t.Fatalf("the stream ended: %v", s.sc.Err())
	return wire.RelayedNotification{}
}

func orderOf(t *testing.T, n wire.RelayedNotification) string {
	t.Helper()
	var f map[string]string
	if err := json.Unmarshal(n.Body, &f); err != nil {
		t.Fatal(err)
	}
	return f["out_trade_no"]
}

// TestStreamOutlivesServerTimeouts: a stream lasts beyond the server's
// read and write timeouts (pos hq serves with a minute of each): it lifts
// them for itself, and its heartbeats and events keep coming.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	o := newOffice(t)
	tok := o.rig.Enrol("TO01", "Central")
	mux := http.NewServeMux()
	relay.New(relay.Config{DB: o.DB(), Log: quiet, Heartbeat: 20 * time.Millisecond}).Routes(mux)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 100*time.Millisecond, 100*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+wire.RelayStreamPath, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	start, beats := time.Now(), 0
	for time.Since(start) < 500*time.Millisecond && sc.Scan() {
		if sc.Text() == ": ping" {
			beats++
		}
	}
	if err := sc.Err(); err != nil || time.Since(start) < 500*time.Millisecond || beats < 5 {
		t.Fatalf("the stream ended after %v with %d heartbeats: %v", time.Since(start), beats, err)
	}
	body, h := qfNote("TO01260302ABCDEFGHIJ", sandbox.DemoQFPayKey)
	o.post("/notify/central/qfpay", body, h)
	if n := (&streamReader{t: t, sc: sc}).next(); orderOf(t, n) != "TO01260302ABCDEFGHIJ" {
		t.Fatalf("event %+v", n)
	}
}

// TestStreamWokenByAnotherProcess: two head-office processes on one
// database, heartbeats an hour apart: a notification the one keeps reaches
// a stream the other serves, at once (PostgreSQL's LISTEN/NOTIFY).
func TestStreamWokenByAnotherProcess(t *testing.T) {
	o := newOffice(t)
	tok := o.rig.Enrol("LN01", "Central")
	mux := http.NewServeMux()
	relay.New(relay.Config{DB: o.DB(), Log: quiet, Heartbeat: time.Hour}).Routes(mux)
	other := httptest.NewServer(mux)
	t.Cleanup(other.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a guard, not a measure
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, other.URL+wire.RelayStreamPath, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || sc.Text() != ": LN01" {
		t.Fatalf("the stream opened with %q", sc.Text())
	}
	for _, no := range []string{"LN01260302ABCDEFGHI1", "LN01260302ABCDEFGHI2"} {
		body, h := qfNote(no, sandbox.DemoQFPayKey)
		o.post("/notify/central/qfpay", body, h)
		if n := (&streamReader{t: t, sc: sc}).next(); orderOf(t, n) != no {
			t.Fatalf("event %+v; want %s", n, no)
		}
	}
}

// TestConcurrentNotificationsInOrder: notifications for one terminal
// arriving at once get ids 1, 2, 3... with none lost or repeated, and the
// stream brings every one in id order.
func TestConcurrentNotificationsInOrder(t *testing.T) {
	o := newOffice(t)
	tok := o.rig.Enrol("CC01", "Central")
	const n = 24
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, h := qfNote(fmt.Sprintf("CC01260302ABCDEFG%03d", i), sandbox.DemoQFPayKey)
			o.post("/notify/central/qfpay", body, h)
		}()
	}
	wg.Wait()
	s := newStreamReader(t, o, tok, "")
	seen := map[string]bool{}
	for want := int64(1); want <= n; want++ {
		ev := s.next()
		if ev.ID != want || seen[orderOf(t, ev)] {
			t.Fatalf("event %d (%s) where %d was due", ev.ID, orderOf(t, ev), want)
		}
		seen[orderOf(t, ev)] = true
	}
}
