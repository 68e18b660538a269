package terminal

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	hqwire "qrpos/hq/wire"
	"qrpos/payments/checkout"
)

// The link to head office: when the profile has [hq] url and token, a
// goroutine sends the journal's outbox after the upload cursor to head
// office in batches (qrpos/hq/wire), moves the cursor to what head office
// acknowledged, and applies between sales the profiles head office makes
// for the terminal. It only reads the journal where sales write it (the
// cursor is its own small row), so a sale never waits for head office.

// hqConfig tunes the link; tests shorten it.
type hqConfig struct {
	Poll       time.Duration // how often to look for new entries
	Heartbeat  time.Duration // contact head office at least this often, entries or not
	MaxBackoff time.Duration // the longest pause after failures
	Timeout    time.Duration // one request
	KeepAcked  time.Duration // entries acked longer ago are pruned (once a day)
	// KeepUnsent: with no head office configured, entries older than this
	// are pruned, sent or not (once a day); head office, configured later,
	// gets the newer ones and counts the rest as missing.
	KeepUnsent time.Duration
	// Proxy picks the proxy for a request (http.ProxyFromEnvironment).
	Proxy func(*http.Request) (*url.URL, error)
	// RootCAs are the authorities trusted for https (nil: the system's).
	RootCAs *x509.CertPool
	// afterAck is called between head office's answer and the cursor's
	// move (tests kill the terminal there).
	afterAck func(hqwire.Ack)
	// afterPrune is called after each daily pruning with how many
	// entries went (tests wait for it).
	afterPrune func(n int64, err error)
}

func defaultHQConfig() hqConfig {
	return hqConfig{Poll: time.Second, Heartbeat: time.Minute, MaxBackoff: time.Minute, Timeout: 30 * time.Second,
		KeepAcked: 30 * 24 * time.Hour, KeepUnsent: 90 * 24 * time.Hour, Proxy: http.ProxyFromEnvironment}
}

// maxAckBytes is the largest answer read from head office (a profile
// rides in it).
const maxAckBytes = 1 << 20

// hqLink is the running link to head office.
type hqLink struct {
	t       *Terminal
	cfg     hqConfig
	version string
	client  *http.Client
	cancel  context.CancelFunc
	done    chan struct{}

	mu          sync.Mutex
	lastErr     string
	refusal     string                // head office's words when it refused the last batch
	pending     *hqwire.ProfileUpdate // a newer profile to apply between sales
	refused     int64                 // a profile version that failed: not tried again
	resendFrom  int64                 // head office holds less than the cursor says: resend after this (-1: no)
	lastContact time.Time
	lastPrune   time.Time
}

// StartHQ starts the link to head office (version: the program's, shown
// at head office), and its notification relay (StartRelay), until ctx
// ends or Close. It idles while the profile in
// force has no [hq] url and token, and follows the profile Apply puts in
// force.
func (t *Terminal) StartHQ(ctx context.Context, version string) {
	t.startHQ(ctx, version, defaultHQConfig())
	t.StartRelay(ctx, RelayConfig{})
}

func (t *Terminal) startHQ(ctx context.Context, version string, cfg hqConfig) {
	t.stopHQ()
	ctx, cancel := context.WithCancel(ctx)
	l := &hqLink{t: t, cfg: cfg, version: version, client: &http.Client{Transport: hqTransport(cfg.Proxy, cfg.RootCAs), Timeout: cfg.Timeout},
		cancel: cancel, done: make(chan struct{}), resendFrom: -1}
	t.hqMu.Lock()
	t.hq = l
	t.hqMu.Unlock()
	go l.run(ctx)
}

// hqTransport is how the terminal reaches head office (the uploads and
// the notification relay alike): through proxy (HTTPS_PROXY), trusting
// roots for https (nil: the system's authorities).
func hqTransport(proxy func(*http.Request) (*url.URL, error), roots *x509.CertPool) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = proxy
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return tr
}

// stopHQ stops the link and waits for it (a request in flight is
// abandoned: its entries are sent again).
func (t *Terminal) stopHQ() {
	t.hqMu.Lock()
	l := t.hq
	t.hq = nil
	t.hqMu.Unlock()
	if l != nil {
		l.cancel()
		<-l.done
	}
}

// HQStatus is how far head office is behind: the entries it does not hold
// yet, when it last answered (zero: never) and why the last contact
// failed ("" when it did not).
func (t *Terminal) HQStatus() (backlog int64, lastUpload time.Time, lastErr string) {
	backlog, lastUpload, err := t.journal.OutboxBacklog(context.Background())
	if err != nil {
		return backlog, lastUpload, err.Error()
	}
	lastErr, _ = t.hqErrors()
	return backlog, lastUpload, lastErr
}

// hqErrors is why the link's last contact failed and, when head office
// refused the batch, its words: read together, from the same attempt.
func (t *Terminal) hqErrors() (lastErr, refusal string) {
	t.hqMu.Lock()
	l := t.hq
	t.hqMu.Unlock()
	if l == nil {
		return "", ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastErr, l.refusal
}

func (l *hqLink) run(ctx context.Context) {
	defer close(l.done)
	var backoff time.Duration
	for {
		wait := l.cfg.Poll
		if p := l.t.Profile(); p.HQ.URL != "" && p.HQ.Token != "" {
			err := l.upload(ctx, p)
			if ctx.Err() != nil {
				return
			}
			l.setErr(err)
			if err != nil {
				l.t.log.Warn("head office", "err", err)
				backoff = nextBackoff(backoff, l.cfg.Poll, l.cfg.MaxBackoff)
				wait = jitter(backoff)
			} else {
				backoff = 0
			}
			l.applyPending(ctx)
			l.prune(ctx, false)
		} else {
			l.prune(ctx, true)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// nextBackoff doubles the pause after a failure, from base up to most.
func nextBackoff(prev, base, most time.Duration) time.Duration {
	return min(max(2*prev, base), most)
}

// jitter is a random pause in [d/2, d]: terminals that lost head office
// together do not all come back in the same second.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

func (l *hqLink) setErr(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastErr, l.refusal = "", ""
	if err != nil {
		l.lastErr = err.Error()
	}
	if r, ok := errors.AsType[*hqRefusal](err); ok {
		l.refusal = r.msg
	}
}

// hqRefusal is head office refusing a batch (a 4xx answer other than
// "too many" or "timeout"): sending it again changes nothing until a
// person acts (a wrong token, a journal another tid owns).
type hqRefusal struct {
	err error
	msg string // head office's words
}

func (r *hqRefusal) Error() string { return r.err.Error() }

// upload sends batches until head office holds every entry (or the
// heartbeat when there is none) or a failure.
func (l *hqLink) upload(ctx context.Context, p checkout.Profile) error {
	for {
		full, err := l.sendBatch(ctx, p)
		if err != nil || !full {
			return err
		}
	}
}

// sendBatch sends the next batch (nothing when there are no entries and
// the last contact is recent); full reports a batch of hqwire.MaxBatch
// entries, with more likely behind it.
func (l *hqLink) sendBatch(ctx context.Context, p checkout.Profile) (full bool, err error) {
	j := l.t.journal
	cursor, err := j.UploadCursor(ctx)
	if err != nil {
		return false, err
	}
	from := cursor
	l.mu.Lock()
	if l.resendFrom >= 0 && l.resendFrom < cursor {
		from = l.resendFrom
	}
	recent := time.Since(l.lastContact) < l.cfg.Heartbeat
	l.mu.Unlock()
	entries, err := j.Outbox(ctx, from, hqwire.MaxBatch)
	if err != nil {
		return false, err
	}
	if len(entries) == 0 && recent {
		return false, nil
	}
	batch, err := l.batch(ctx, p, entries)
	if err != nil {
		return false, err
	}
	ack, err := l.post(ctx, p, batch)
	if err != nil {
		return false, err
	}
	return len(entries) == hqwire.MaxBatch, l.acked(ctx, ack, cursor, entries)
}

// acked takes head office's answer to a batch of entries sent when the
// cursor stood at cursor.
func (l *hqLink) acked(ctx context.Context, ack hqwire.Ack, cursor int64, entries []hqwire.Entry) error {
	l.mu.Lock()
	l.lastContact = time.Now()
	l.mu.Unlock()
	if l.cfg.afterAck != nil {
		l.cfg.afterAck(ack)
	}
	if _, err := l.t.journal.SetUploadCursor(ctx, ack.Acked); err != nil {
		return err
	}
	l.mu.Lock()
	l.resendFrom = -1
	if ack.Acked < cursor {
		l.resendFrom = ack.Acked // head office holds less than it once acknowledged
	}
	l.mu.Unlock()
	if ack.Conflicts > 0 {
		l.t.log.Warn("head office holds other content under some of this journal's entries", "conflicts", ack.Conflicts)
	}
	if ack.Profile != nil {
		l.offer(ctx, *ack.Profile)
	}
	if len(entries) > 0 && ack.Acked < entries[0].Seq {
		return fmt.Errorf("head office acknowledged up to %d of entries %d-%d", ack.Acked, entries[0].Seq, entries[len(entries)-1].Seq)
	}
	return nil
}

// batch wraps entries with the journal's identity, up to where it pruned
// its entries, and the terminal's status.
func (l *hqLink) batch(ctx context.Context, p checkout.Profile, entries []hqwire.Entry) (hqwire.Batch, error) {
	j := l.t.journal
	backlog, _, err := j.OutboxBacklog(ctx)
	if err != nil {
		return hqwire.Batch{}, err
	}
	// The entries up to pruned are gone (those sent before a head office
	// restored from a backup, say): head office counts them as missing.
	pruned, err := j.PrunedThrough(ctx)
	if err != nil {
		return hqwire.Batch{}, err
	}
	version, err := l.profileVersion(ctx, p.TID)
	if err != nil {
		return hqwire.Batch{}, err
	}
	if entries == nil {
		entries = []hqwire.Entry{}
	}
	providers := l.t.providerStatus()
	for k, v := range providers {
		providers[k] = cleanText(v, maxStatusText)
	}
	return hqwire.Batch{JournalID: j.ID(), TID: p.TID, Version: cleanText(l.version, maxStatusText), SentAt: time.Now().UTC(), Entries: entries,
		PrunedThrough: pruned, Status: hqwire.Status{Backlog: backlog, Printer: cleanText(l.printerStatus(ctx), maxStatusText), Providers: providers, ProfileVersion: version}}, nil
}

// maxStatusText is the longest text of a batch's status (head office
// stores up to 256 characters).
const maxStatusText = 200

// profileVersion is the version of the profile the terminal runs: when the
// journal's copy was last saved, or the head-office version it applied
// when that is later (head office's clock ahead of the terminal's).
func (l *hqLink) profileVersion(ctx context.Context, tid string) (int64, error) {
	_, at, err := l.t.journal.Profile(ctx, tid)
	if err != nil {
		return 0, err
	}
	applied, err := l.t.journal.HQProfileVersion(ctx)
	return max(at.UnixNano(), applied), err
}

// printerStatus is the print queue as head office's terminal list shows
// it: "ready", or the oldest waiting job's last error.
func (l *hqLink) printerStatus(ctx context.Context) string {
	jobs, err := l.t.journal.QueuedPrints(ctx, 1)
	switch {
	case err != nil:
		return err.Error()
	case len(jobs) == 0:
		return "ready"
	case jobs[0].LastError != "":
		return jobs[0].LastError
	}
	return "printing"
}

// post sends one batch and reads head office's answer.
func (l *hqLink) post(ctx context.Context, p checkout.Profile, b hqwire.Batch) (hqwire.Ack, error) {
	body, err := json.Marshal(b)
	if err != nil {
		return hqwire.Ack{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.HQIngestURL(hqwire.IngestPath), bytes.NewReader(body))
	if err != nil {
		return hqwire.Ack{}, fmt.Errorf("head office: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.HQ.Token)
	resp, err := l.client.Do(req)
	if err != nil {
		return hqwire.Ack{}, fmt.Errorf("head office: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAckBytes+1))
	if err != nil {
		return hqwire.Ack{}, fmt.Errorf("head office: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e hqwire.Error
		msg := http.StatusText(resp.StatusCode)
		if json.Unmarshal(raw, &e) == nil && e.Message != "" {
			msg = cleanText(e.Message, 200)
		}
		err := fmt.Errorf("head office answered %d: %s", resp.StatusCode, msg)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests &&
			resp.StatusCode != http.StatusRequestTimeout {
			err = &hqRefusal{err: err, msg: msg}
		}
		return hqwire.Ack{}, err
	}
	if len(raw) > maxAckBytes {
		return hqwire.Ack{}, errors.New("head office: the answer is too long")
	}
	return parseAck(raw, b.JournalID)
}

// prune deletes, once a day, the entries head office acknowledged more
// than KeepAcked ago; on a terminal without head office (standalone), the
// entries older than KeepUnsent, acknowledged or not.
func (l *hqLink) prune(ctx context.Context, standalone bool) {
	if time.Since(l.lastPrune) < 24*time.Hour {
		return
	}
	l.lastPrune = time.Now()
	j := l.t.journal
	prune, keep, what := j.PruneOutbox, l.cfg.KeepAcked, "acknowledged"
	if standalone {
		prune, keep, what = j.PruneUnsent, l.cfg.KeepUnsent, "unsent, no head office"
	}
	n, err := prune(ctx, keep)
	if err != nil {
		l.t.log.Error("pruning the outbox", "err", err)
	} else if n > 0 {
		l.t.log.Info("pruned the outbox", "entries", n, "older than", keep.String(), "which", what)
	}
	if l.cfg.afterPrune != nil {
		l.cfg.afterPrune(n, err)
	}
}
