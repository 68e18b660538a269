package terminal

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	hqwire "qrpos/hq/wire"
	"qrpos/payments/checkout"
)

// The notification relay: a terminal behind a shop's router has no
// inbound port, so the providers notify head office (notify_url points
// there), and head office relays each notification on a stream the
// terminal opened (server-sent events, qrpos/hq/wire). The terminal feeds
// each relayed body, with its headers, into the same notification handler
// its own notification server uses: it verifies the provider's signature
// itself and de-duplicates as ever, so head office cannot forge a payment.
// While the stream is up and the profile gives providers a notify_url,
// the engine polls awaited sales on its slower schedule
// (checkout.RelayedPoll); polling stays the safety net.

// RelayConfig tunes the relay link; a zero field takes its default.
type RelayConfig struct {
	MinBackoff time.Duration // the first pause after a failure (1 s)
	MaxBackoff time.Duration // the longest pause (30 s)
	// Silence: nothing heard on the stream for this long (head office
	// writes a comment every hqwire.RelayHeartbeat) and the link is taken
	// for dead (3 heartbeats).
	Silence time.Duration
	Idle    time.Duration // how often to look again for [hq] in the profile (5 s)
	// Proxy picks the proxy (http.ProxyFromEnvironment: HTTPS_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
	// RootCAs are the authorities trusted for https (nil: the system's).
	RootCAs *x509.CertPool
}

func (c RelayConfig) withDefaults() RelayConfig {
	if c.MinBackoff <= 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Silence <= 0 {
		c.Silence = 3 * hqwire.RelayHeartbeat
	}
	if c.Idle <= 0 {
		c.Idle = 5 * time.Second
	}
	if c.Proxy == nil {
		c.Proxy = http.ProxyFromEnvironment
	}
	return c
}

// RelayStatus is the relay link as the terminal sees it.
type RelayStatus struct {
	Connected   bool   // the stream is open and head office was heard lately
	LastEventID int64  // the last notification taken from the stream
	Relayed     int64  // relayed notifications the handler took
	Refused     int64  // relayed notifications that did not verify or parse
	Err         string // why the last stream failed ("" when it did not)
}

// relayLink is the running relay link.
type relayLink struct {
	t      *Terminal
	cfg    RelayConfig
	client *http.Client
	cancel context.CancelFunc
	done   chan struct{}
	feed   relayFeed // only the link's goroutine uses it

	mu     sync.Mutex
	status RelayStatus
}

// StartRelay keeps the stream of notifications from head office open
// while the profile in force has [hq] url and token, until ctx ends or
// Close: reconnecting with backoff and jitter, through cfg.Proxy, resuming
// after the last notification taken. StartHQ starts it with the defaults.
func (t *Terminal) StartRelay(ctx context.Context, cfg RelayConfig) {
	t.stopRelay()
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	l := &relayLink{t: t, cfg: cfg, cancel: cancel, done: make(chan struct{}),
		client: &http.Client{Transport: hqTransport(cfg.Proxy, cfg.RootCAs)}} // no timeout: the stream lasts
	l.feed.t = t
	t.hqMu.Lock()
	t.relay = l
	t.hqMu.Unlock()
	go l.run(ctx)
}

// stopRelay stops the link and waits for it.
func (t *Terminal) stopRelay() {
	t.hqMu.Lock()
	l := t.relay
	t.relay = nil
	t.hqMu.Unlock()
	if l != nil {
		l.cancel()
		<-l.done
	}
}

// RelayStatus is the relay link's state (zero before StartRelay).
func (t *Terminal) RelayStatus() RelayStatus {
	t.hqMu.Lock()
	l := t.relay
	t.hqMu.Unlock()
	if l == nil {
		return RelayStatus{}
	}
	return l.current()
}

func (l *relayLink) run(ctx context.Context) {
	defer close(l.done)
	defer l.t.Engine().SetNotificationsFlowing(false)
	var backoff time.Duration
	for {
		wait := l.cfg.Idle
		if p := l.t.Profile(); p.HQ.URL != "" && p.HQ.Token != "" {
			err := l.stream(ctx, p)
			if ctx.Err() != nil {
				return
			}
			l.ended(err)
			if err != nil {
				l.t.log.Warn("head office's notification relay", "err", err)
				backoff = nextBackoff(backoff, l.cfg.MinBackoff, l.cfg.MaxBackoff)
			} else {
				backoff = 0 // head office ended the stream: resume at once
			}
			wait = jitter(max(backoff, l.cfg.MinBackoff/2))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// ended records the end of a stream: after a failure notifications are
// not taken to flow until the next stream is up (a stream head office
// ended is followed by the next at once).
func (l *relayLink) ended(err error) {
	l.mu.Lock()
	l.status.Err = ""
	if err != nil {
		l.status.Err = err.Error()
		l.status.Connected = false
	}
	l.mu.Unlock()
	if err != nil {
		l.t.Engine().SetNotificationsFlowing(false)
	}
}

// errSilent: head office was not heard within Silence.
var errSilent = errors.New("head office's stream fell silent")

// stream opens the stream and feeds its notifications to the terminal
// until it ends (nil: head office ended it) or fails.
func (l *relayLink) stream(ctx context.Context, p checkout.Profile) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	resp, err := l.open(ctx, p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	heard := make(chan struct{}, 1)
	go l.watch(ctx, cancel, heard, notifiesThroughHQ(p))
	rd := newSSEReader(&heardReader{r: resp.Body, heard: heard}, maxRelayEvent)
	for {
		ev, err := rd.Next()
		switch {
		case errors.Is(err, io.EOF) && ctx.Err() == nil:
			return nil
		case err != nil && context.Cause(ctx) != nil && !errors.Is(context.Cause(ctx), context.Canceled):
			return context.Cause(ctx)
		case err != nil:
			return fmt.Errorf("head office's stream: %w", err)
		}
		if ev.Event != hqwire.RelayEvent {
			continue
		}
		l.take(ctx, ev)
	}
}

// open asks head office for the stream, resuming after the last
// notification taken.
func (l *relayLink) open(ctx context.Context, p checkout.Profile) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.HQIngestURL(hqwire.RelayStreamPath), nil)
	if err != nil {
		return nil, fmt.Errorf("head office: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+p.HQ.Token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if last := l.current().LastEventID; last > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("head office: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		msg := http.StatusText(resp.StatusCode)
		var e hqwire.Error
		if json.Unmarshal(raw, &e) == nil && e.Message != "" {
			msg = cleanText(e.Message, 200)
		}
		return nil, fmt.Errorf("head office's stream answered %d: %s", resp.StatusCode, msg)
	}
	return resp, nil
}

// notifiesThroughHQ reports whether the providers are told to notify head
// office (notify_url on the host and port of [hq] url): only then does a
// healthy stream mean notifications will come, and polling may slow. A
// notify_url elsewhere (the shop's own address, a typo) keeps polling at
// its pace.
func notifiesThroughHQ(p checkout.Profile) bool {
	n, err1 := url.Parse(p.NotifyURL)
	h, err2 := url.Parse(p.HQ.URL)
	return p.NotifyURL != "" && err1 == nil && err2 == nil && n.Scheme == h.Scheme && strings.EqualFold(n.Host, h.Host)
}

// watch ends the stream (cause errSilent) when nothing is heard within
// Silence, and while something is, tells the engine in force that
// notifications flow (when the providers have a notify_url at all).
func (l *relayLink) watch(ctx context.Context, cancel context.CancelCauseFunc, heard <-chan struct{}, flowing bool) {
	timer := time.NewTimer(l.cfg.Silence)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			cancel(errSilent)
			return
		case <-heard:
			timer.Reset(l.cfg.Silence)
			l.t.Engine().SetNotificationsFlowing(flowing) // the engine may have been rewired since
			l.mu.Lock()
			l.status.Connected, l.status.Err = true, ""
			l.mu.Unlock()
		}
	}
}

// current is the link's status.
func (l *relayLink) current() RelayStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status
}

// take feeds one relayed notification to the terminal's handler and
// moves past it, whatever became of it: one that does not verify is
// refused here, and its sale is found by polling.
func (l *relayLink) take(ctx context.Context, ev sseEvent) {
	taken, err := l.feed.deliver(ctx, ev.Data)
	l.mu.Lock()
	if id, perr := strconv.ParseInt(ev.ID, 10, 64); perr == nil && id > l.status.LastEventID {
		l.status.LastEventID = id
	}
	if taken {
		l.status.Relayed++
	} else {
		l.status.Refused++
	}
	l.mu.Unlock()
	if err != nil {
		l.t.log.Warn("relayed notification refused: its sale is found by polling", "event", ev.ID, "err", err)
	}
}

// heardReader reports every read that brought bytes: head office is there.
type heardReader struct {
	r     io.Reader
	heard chan<- struct{}
}

func (h *heardReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		select {
		case h.heard <- struct{}{}:
		default:
		}
	}
	return n, err
}
