package terminal

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// Health is what the last reachability probe of a provider found.
type Health struct {
	Provider payments.Provider
	Checked  bool // false until the first probe answered
	Up       bool
	Err      string
	At       time.Time
}

// health probes the providers' hosts now and then: any HTTP answer means
// reachable (a probe sends no payment request and no credential).
type health struct {
	log    *slog.Logger
	client *http.Client

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}

	lastMu sync.Mutex
	last   map[payments.Provider]Health // each provider's last probe (head office's terminal list)
}

func newHealth(log *slog.Logger) *health {
	return &health{log: log, client: &http.Client{Timeout: 5 * time.Second}}
}

// HealthProviders lists the providers the health probes watch, in order.
func (t *Terminal) HealthProviders() []payments.Provider {
	var out []payments.Provider
	for _, h := range healthTargets(t.Profile()) {
		out = append(out, h.Provider)
	}
	return out
}

// WatchHealth probes every configured provider at once and then every
// `every` (0: 30 s) until ctx ends or Close, and reports each result to
// report (from the probing goroutine); each round probes the providers of
// the profile in force.
func (t *Terminal) WatchHealth(ctx context.Context, every time.Duration, report func(Health)) {
	if every <= 0 {
		every = 30 * time.Second
	}
	h := t.health
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopLocked()
	ctx, h.cancel = context.WithCancel(ctx)
	h.done = make(chan struct{})
	go h.run(ctx, h.done, t.Profile, every, report)
}

func (h *health) run(ctx context.Context, done chan struct{}, profile func() checkout.Profile, every time.Duration, report func(Health)) {
	defer close(done)
	for {
		for _, tg := range healthTargets(profile()) {
			err := h.probe(ctx, tg.BaseURL)
			if ctx.Err() != nil {
				return
			}
			hs := Health{Provider: tg.Provider, Checked: true, Up: err == nil, At: time.Now()}
			if err != nil {
				hs.Err = err.Error()
			}
			h.lastMu.Lock()
			if h.last == nil {
				h.last = map[payments.Provider]Health{}
			}
			h.last[tg.Provider] = hs
			h.lastMu.Unlock()
			report(hs)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// probe sends one GET to u; any HTTP answer is reachable.
func (h *health) probe(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil
}

func (h *health) stopLocked() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

func (h *health) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopLocked()
}

// providerStatus is each provider's last probe as head office's terminal
// list shows it: "ok" or what is wrong (none before WatchHealth ran).
func (t *Terminal) providerStatus() map[string]string {
	h := t.health
	h.lastMu.Lock()
	defer h.lastMu.Unlock()
	out := make(map[string]string, len(h.last))
	for p, hs := range h.last {
		out[string(p)] = "ok"
		if !hs.Up {
			out[string(p)] = hs.Err
		}
	}
	return out
}
