package terminal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hqwire "qrpos/hq/wire"
	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

const testHQToken = "hqt_dGVzdC10ZXJtaW5hbC10b2tlbi0wMTIzNDU2Nzg5"

// hqFault is what the fake head office does with one batch.
type hqFault int

const (
	hqOK     hqFault = iota
	hqDrop           // store the batch, then drop the connection unanswered
	hqError          // answer 500 without storing
	hqHang           // store the batch, then answer only once the terminal gave up
	hqRefuse         // answer 401 (as for a wrong token)
	hqForget         // forget every entry held, then store the batch
)

type hqKey struct {
	journal string
	seq     int64
}

// fakeHQ plays head office strictly by the wire contract: entries keyed
// by (journal, seq), a key held with the same content skipped, with other
// content kept aside as a conflict, and the answer the highest seq up to
// which it holds every entry of the journal.
type fakeHQ struct {
	t     testing.TB
	token string

	mu        sync.Mutex
	entries   map[hqKey]hqwire.Entry
	pruned    map[string]int64 // per journal: the terminal deleted entries up to it
	posts     int
	dups      int
	conflicts int
	statuses  []hqwire.Status
	fault     func(post int) hqFault
	profile   *hqwire.ProfileUpdate // offered while the terminal runs an older one
	offered   int
	onPost    func(post int) // called as each batch arrives
	stored    chan int64     // each seq stored, when not nil

	addr string
	srv  *http.Server
}

func newFakeHQ(t testing.TB) *fakeHQ {
	f := &fakeHQ{t: t, token: testHQToken, entries: map[hqKey]hqwire.Entry{}, pruned: map[string]int64{}}
	f.start()
	t.Cleanup(f.stop)
	return f
}

// start serves (again, on the same port after stop).
func (f *fakeHQ) start() {
	addr := f.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	f.srv = &http.Server{Handler: f}
	go f.srv.Serve(ln)
}

// stop is head office going down: connections refused until start.
func (f *fakeHQ) stop() { f.srv.Close() }

func (f *fakeHQ) URL() string { return "http://" + f.addr }

func (f *fakeHQ) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != hqwire.IngestPath {
		http.Error(w, "not here", http.StatusNotFound)
		return
	}
	var b hqwire.Batch
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		f.t.Errorf("fake hq: a batch it cannot read: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.posts++
	n, fault, onPost := f.posts, hqOK, f.onPost
	if f.fault != nil {
		fault = f.fault(n)
	}
	f.mu.Unlock()
	if onPost != nil {
		onPost(n)
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token || fault == hqRefuse {
		writeJSON(w, http.StatusUnauthorized, hqwire.Error{Code: "unauthorized", Message: "terminal not enrolled"})
		return
	}
	if fault == hqError {
		writeJSON(w, http.StatusInternalServerError, hqwire.Error{Code: "internal", Message: "database unavailable"})
		return
	}
	ack := f.ingest(b, fault == hqForget)
	switch fault {
	case hqDrop:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	case hqHang:
		<-r.Context().Done()
		return
	}
	writeJSON(w, http.StatusOK, ack)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// ingest stores a batch and answers it.
func (f *fakeHQ) ingest(b hqwire.Batch, forget bool) hqwire.Ack {
	f.mu.Lock()
	defer f.mu.Unlock()
	if forget {
		f.entries, f.pruned = map[hqKey]hqwire.Entry{}, map[string]int64{}
	}
	f.statuses = append(f.statuses, b.Status)
	if len(b.Entries) > 0 && b.Entries[0].Seq <= b.PrunedThrough {
		f.t.Errorf("fake hq: entry %d sent, yet pruned through %d", b.Entries[0].Seq, b.PrunedThrough)
	}
	f.pruned[b.JournalID] = max(f.pruned[b.JournalID], b.PrunedThrough)
	for i, e := range b.Entries {
		if i > 0 && e.Seq <= b.Entries[i-1].Seq {
			f.t.Errorf("fake hq: entries out of order: %d after %d", e.Seq, b.Entries[i-1].Seq)
		}
		k := hqKey{b.JournalID, e.Seq}
		held, ok := f.entries[k]
		switch {
		case !ok:
			f.entries[k] = e
			if f.stored != nil {
				f.stored <- e.Seq
			}
		case held.Kind == e.Kind && held.At == e.At && bytes.Equal(held.Body, e.Body):
			f.dups++
		default:
			f.conflicts++
		}
	}
	ack := hqwire.Ack{JournalID: b.JournalID, Acked: f.contiguous(b.JournalID)}
	if f.profile != nil && f.profile.Version > b.Status.ProfileVersion {
		p := *f.profile
		ack.Profile = &p
		f.offered++
	}
	return ack
}

// contiguous is the highest seq up to which every entry of journal is
// held, or was pruned at the terminal.
func (f *fakeHQ) contiguous(journal string) int64 {
	n := f.pruned[journal]
	for {
		if _, ok := f.entries[hqKey{journal, n + 1}]; !ok {
			return n
		}
		n++
	}
}

// forgetAtNextPost makes head office lose everything it holds when the
// next batch arrives (restored from a backup), and returns the posts so far.
func (f *fakeHQ) forgetAtNextPost() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	posts := f.posts
	f.fault = func(n int) hqFault {
		if n == posts+1 {
			return hqForget
		}
		return hqOK
	}
	return posts
}

func (f *fakeHQ) counts() (posts, dups, conflicts, held int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts, f.dups, f.conflicts, len(f.entries)
}

// assertHolds checks that head office holds every entry of j's outbox,
// each once with the journal's content, nothing else, and that j's cursor
// is at its last entry.
func (f *fakeHQ) assertHolds(t testing.TB, j *storage.Journal) {
	t.Helper()
	ctx := context.Background()
	var mine []hqwire.Entry
	for after := int64(0); ; {
		es, err := j.Outbox(ctx, after, hqwire.MaxBatch)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		mine = append(mine, es...)
		after = es[len(es)-1].Seq
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.entries) != len(mine) || f.conflicts != 0 {
		t.Fatalf("head office holds %d entries (%d conflicts), the journal has %d", len(f.entries), f.conflicts, len(mine))
	}
	for _, e := range mine {
		held, ok := f.entries[hqKey{j.ID(), e.Seq}]
		if !ok || held.Kind != e.Kind || held.At != e.At || !bytes.Equal(held.Body, e.Body) {
			t.Fatalf("entry %d: head office has %+v, the journal %+v", e.Seq, held, e)
		}
	}
	cur, err := j.UploadCursor(ctx)
	if err != nil || len(mine) > 0 && cur != mine[len(mine)-1].Seq {
		t.Fatalf("cursor %d, %v; last entry %d", cur, err, mine[len(mine)-1].Seq)
	}
}

// hqRig is a terminal with a profile for the sandbox and [hq] pointing at
// a fake head office.
type hqRig struct {
	sb     *sandbox.Server
	base   string // the sandbox's URL
	config string
	hq     *fakeHQ
}

func newHQRig(t testing.TB) *hqRig {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 1000000})
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	r := &hqRig{sb: sb, base: srv.URL, hq: newFakeHQ(t)}
	r.config = writeHQConfig(t, srv.URL, r.hq.URL())
	return r
}

func writeHQConfig(t testing.TB, base, hqURL string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "terminal.toml")
	cfg := fmt.Sprintf("tid = \"HQ01\"\nstore_name = \"Branch\"\njournal = \"pos.db\"\n[eftpay]\nbase_url = %q\nuser_confirm_key = %q\nsecret = %q\n"+
		"[qfpay]\nbase_url = %q\napp_code = %q\nclient_key = %q\n",
		base+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret, base, sandbox.DemoQFPayAppCode, sandbox.DemoQFPayKey)
	if hqURL != "" { // none: a terminal without head office
		cfg += fmt.Sprintf("[hq]\nurl = %q\ntoken = %q\n", hqURL, testHQToken)
	}
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// open opens the rig's terminal (not yet linked to head office).
func (r *hqRig) open(t testing.TB) *Terminal {
	t.Helper()
	c, err := Open(context.Background(), Options{ConfigPath: r.config, Log: quiet, Tune: fast})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// fastHQ is the link's configuration for tests.
func fastHQ() hqConfig {
	c := defaultHQConfig()
	c.Poll, c.Heartbeat, c.MaxBackoff, c.Timeout = 10*time.Millisecond, 100*time.Millisecond, 80*time.Millisecond, 10*time.Second
	return c
}

// journalSales writes n paid sales with their receipts straight into the
// journal, as the engine does: 8 outbox entries each.
func journalSales(t testing.TB, j *storage.Journal, tid string, n int) {
	t.Helper()
	ctx := context.Background()
	receipt := func(payments.Order) (storage.PrintJob, error) {
		return storage.PrintJob{Kind: storage.PrintSale, Payload: []byte("R")}, nil
	}
	for i := 0; i < n; i++ {
		o, err := j.CreateOrder(ctx, storage.NewOrder{TID: tid, Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM,
			Amount: payments.Money{Minor: int64(100 + i), Currency: "HKD"}})
		if err == nil {
			err = j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventRequest, Detail: "pay"})
		}
		if err == nil {
			_, err = j.Transition(ctx, o.OutTradeNo, payments.Pending, storage.Change{QRCode: "qr"})
		}
		if err == nil {
			_, err = j.Transition(ctx, o.OutTradeNo, payments.Paid, storage.Change{ProviderRef: "REF", Receipt: receipt})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor polls cond until it holds (a guard against hanging, not a
// measure of time).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited too long for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func caughtUp(c *Terminal) func() bool {
	return func() bool {
		n, last, _ := c.HQStatus()
		return n == 0 && !last.IsZero()
	}
}

// TestHQUploadsEveryEntryOnce: the outbox (history written before the link
// started, and sales made while it runs) reaches head office in batches of
// at most wire.MaxBatch, each entry once, with the journal's identity, the
// terminal's token and status; the cursor and the backlog follow.
func TestHQUploadsEveryEntryOnce(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 70) // 560 entries + the profile's: two batches
	var sizes []int
	before, _, _ := c.HQStatus()
	if before < 561 {
		t.Fatalf("backlog %d before the first upload", before)
	}
	c.startHQ(context.Background(), "1.2.3", fastHQ())
	waitFor(t, "the history", caughtUp(c))
	journalSales(t, c.Journal(), "HQ01", 3)
	waitFor(t, "the new sales", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	posts, dups, _, _ := r.hq.counts()
	r.hq.mu.Lock()
	for _, s := range r.hq.statuses {
		sizes = append(sizes, int(s.Backlog))
	}
	first := r.hq.statuses[0]
	r.hq.mu.Unlock()
	if dups != 0 || posts < 3 {
		t.Fatalf("%d posts, %d duplicates", posts, dups)
	}
	if first.Backlog != before || first.Printer != "printing" || first.ProfileVersion == 0 {
		t.Fatalf("first status %+v (backlog before %d)", first, before)
	}
	if _, _, lastErr := c.HQStatus(); lastErr != "" {
		t.Fatalf("last error %q", lastErr)
	}
	t.Logf("%d posts, backlogs reported %v", posts, sizes)
}

// TestHQWrongToken: head office refusing the token moves nothing and says
// why in HQStatus.
func TestHQWrongToken(t *testing.T) {
	r := newHQRig(t)
	r.hq.token = "hqt_another-terminals-token-0123456789"
	c := r.open(t)
	c.startHQ(context.Background(), "test", fastHQ())
	waitFor(t, "a refusal", func() bool { _, _, e := c.HQStatus(); return strings.Contains(e, "401") })
	n, last, lastErr := c.HQStatus()
	if n == 0 || !last.IsZero() || !strings.Contains(lastErr, "terminal not enrolled") || strings.Contains(lastErr, testHQToken) {
		t.Fatalf("backlog %d, last %v, error %q", n, last, lastErr)
	}
	if cur, _ := c.Journal().UploadCursor(context.Background()); cur != 0 {
		t.Fatalf("cursor moved to %d", cur)
	}
}

// TestHQDroppedAnswers: head office stores batches but the answers are
// lost; the terminal sends them again, head office sees the duplicates,
// stores each entry once, and the cursor never passes what head office
// acknowledged.
func TestHQDroppedAnswers(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 80)
	r.hq.fault = func(n int) hqFault {
		if n%2 == 1 && n < 8 {
			return hqDrop
		}
		return hqOK
	}
	cfg := fastHQ()
	cfg.afterAck = func(ack hqwire.Ack) {
		cur, _ := c.Journal().UploadCursor(context.Background())
		r.hq.mu.Lock()
		held := r.hq.contiguous(c.Journal().ID())
		r.hq.mu.Unlock()
		if cur > ack.Acked || ack.Acked > held {
			t.Errorf("cursor %d, ack %d, head office holds %d", cur, ack.Acked, held)
		}
	}
	c.startHQ(context.Background(), "test", cfg)
	waitFor(t, "the upload", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	if posts, dups, _, _ := r.hq.counts(); dups < hqwire.MaxBatch || posts < 4 {
		t.Fatalf("%d posts, %d duplicates: the dropped answers were not resent", posts, dups)
	}
}

// TestHQErrorsAndTimeouts: head office failing (500) or answering too late
// loses nothing; HQStatus says what went wrong meanwhile, and nothing once
// it answers again.
func TestHQErrorsAndTimeouts(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 10)
	seen := map[int]string{}
	r.hq.fault = func(n int) hqFault {
		return map[int]hqFault{1: hqError, 2: hqHang, 3: hqError, 4: hqHang}[n]
	}
	r.hq.onPost = func(n int) {
		_, _, e := c.HQStatus()
		r.hq.mu.Lock()
		seen[n] = e
		r.hq.mu.Unlock()
	}
	cfg := fastHQ()
	cfg.Timeout = 300 * time.Millisecond
	c.startHQ(context.Background(), "test", cfg)
	waitFor(t, "the upload", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	r.hq.mu.Lock()
	defer r.hq.mu.Unlock()
	if !strings.Contains(seen[2], "500: database unavailable") || !strings.Contains(seen[3], "Timeout") ||
		!strings.Contains(seen[5], "Timeout") {
		t.Fatalf("errors seen at each post: %v", seen)
	}
	if _, _, e := c.HQStatus(); e != "" {
		t.Fatalf("error %q after head office came back", e)
	}
}

// TestHQBackoff: the pause after failures doubles from the poll interval
// up to the most, each pause drawn in [d/2, d].
func TestHQBackoff(t *testing.T) {
	var d time.Duration
	var got []time.Duration
	for i := 0; i < 9; i++ {
		d = nextBackoff(d, time.Second, time.Minute)
		got = append(got, d)
		for k := 0; k < 50; k++ {
			if w := jitter(d); w < d/2 || w > d {
				t.Fatalf("jitter(%v) = %v", d, w)
			}
		}
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("backoffs %v", got)
		}
	}
}

// TestHQOfflineCatchUp: 1,500 sales made while head office is down (about
// three days of a counter) wait in the outbox, and all arrive, once, when
// it is back.
func TestHQOfflineCatchUp(t *testing.T) {
	r := newHQRig(t)
	r.hq.stop()
	c := r.open(t)
	c.startHQ(context.Background(), "test", fastHQ())
	journalSales(t, c.Journal(), "HQ01", 1500)
	n, last, lastErr := c.HQStatus()
	if n != 1500*8+1 || !last.IsZero() || lastErr == "" {
		t.Fatalf("offline: backlog %d, last %v, error %q", n, last, lastErr)
	}
	r.hq.start()
	waitFor(t, "the catch-up", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	if posts, _, _, held := r.hq.counts(); held != 1500*8+1 || posts < held/hqwire.MaxBatch {
		t.Fatalf("%d posts, %d entries held", posts, held)
	}
}

// TestHQLostEntriesResent: a head office restored from a backup answers
// less than it once acknowledged; the terminal sends again what it still
// has after that point.
func TestHQLostEntriesResent(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 5)
	c.startHQ(context.Background(), "test", fastHQ())
	waitFor(t, "the upload", caughtUp(c))
	posts := r.hq.forgetAtNextPost()
	journalSales(t, c.Journal(), "HQ01", 1)
	waitFor(t, "the resend", func() bool {
		r.hq.mu.Lock()
		defer r.hq.mu.Unlock()
		return r.hq.posts > posts+1 && r.hq.contiguous(c.Journal().ID()) == int64(len(r.hq.entries)) && len(r.hq.entries) == 5*8+8+1
	})
	waitFor(t, "the cursor", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
}

// TestHQProfileBetweenSales: a newer profile from head office waits while a
// sale runs, is applied once it ended (secrets kept: the next sale is
// paid), audited once, reported as the version the terminal runs, and
// uploaded as the terminal's profile; one for another terminal is refused
// once and not tried again.
func TestHQProfileBetweenSales(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	ctx := context.Background()
	w, err := c.Charge(ctx, checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800101", Amount: payments.Money{Minor: 1000, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	settings, _, err := c.Journal().Profile(ctx, "HQ01")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(settings), `"store_name":"Branch"`, `"store_name":"Renamed at head office"`, 1)
	version := time.Now().Add(time.Hour).UnixNano() // head office's clock ahead of the terminal's
	r.hq.profile = &hqwire.ProfileUpdate{Version: version, Settings: json.RawMessage(edited), By: "alice\n"}
	c.startHQ(ctx, "test", fastHQ())
	waitFor(t, "offers", func() bool {
		r.hq.mu.Lock()
		defer r.hq.mu.Unlock()
		return r.hq.offered >= 3 || c.Profile().StoreName != "Branch"
	})
	if got := c.Profile().StoreName; got != "Branch" {
		t.Fatalf("applied during the sale: %q", got)
	}
	no := w.First().Order.OutTradeNo
	waitFor(t, "the QR", func() bool { o, _ := c.Journal().Order(ctx, no); return o.QRCode != "" })
	if err := r.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the profile", func() bool { return c.Profile().StoreName == "Renamed at head office" })
	offered := 0
	waitFor(t, "more contacts", func() bool {
		r.hq.mu.Lock()
		defer r.hq.mu.Unlock()
		offered = r.hq.offered
		return r.hq.posts > 10 && r.hq.statuses[len(r.hq.statuses)-1].ProfileVersion >= version
	})
	log, _ := c.Journal().AuditLog(ctx, "HQ01", 50)
	applied := 0
	for _, e := range log {
		if e.Action == "hq_profile" && e.Actor == "hq" && e.Detail == fmt.Sprintf("hq profile %d by alice", version) {
			applied++
		}
	}
	if applied != 1 {
		t.Fatalf("applied %d times: %+v", applied, log)
	}
	if r.hq.offered != offered {
		t.Fatal("head office still offers the profile: the terminal does not report running it")
	}
	p := c.Profile()
	if p.HQ.Token != testHQToken || p.Setting(payments.QFPay, "client_key") != sandbox.DemoQFPayKey {
		t.Fatalf("secrets lost: %+v", p.Redacted())
	}
	assertSalePaid(t, c, r.sb)
	waitFor(t, "the profile uploaded", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	assertProfileRefusedOnce(t, c, r.hq)
}

func assertSalePaid(t *testing.T, c *Terminal, sb *sandbox.Server) {
	t.Helper()
	ctx := context.Background()
	w, err := c.Charge(ctx, checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800101", Amount: payments.Money{Minor: 500, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	no := w.First().Order.OutTradeNo
	waitFor(t, "the QR", func() bool { o, _ := c.Journal().Order(ctx, no); return o.QRCode != "" })
	if err := sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "paid", func() bool { o, _ := c.Journal().Order(ctx, no); return o.State == payments.Paid })
}

func assertProfileRefusedOnce(t *testing.T, c *Terminal, hq *fakeHQ) {
	t.Helper()
	ctx := context.Background()
	hq.mu.Lock()
	hq.profile = &hqwire.ProfileUpdate{Version: time.Now().Add(2 * time.Hour).UnixNano(), Settings: json.RawMessage(`{"tid":"OTHER1"}`), By: "bob"}
	from := hq.offered
	hq.mu.Unlock()
	waitFor(t, "offers", func() bool { hq.mu.Lock(); defer hq.mu.Unlock(); return hq.offered >= from+5 })
	log, _ := c.Journal().AuditLog(ctx, "HQ01", 50)
	refused := 0
	for _, e := range log {
		if e.Action == "hq_profile_refused" {
			refused++
		}
	}
	if refused != 1 || c.Profile().TID != "HQ01" {
		t.Fatalf("refused %d times", refused)
	}
}
