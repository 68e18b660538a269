package qfpay

import (
	"context"
	"sync"
	"time"
)

// QFPay's limits per merchant (providers.md 2.2): beyond them, HTTP 429.
const (
	DefaultRatePerSecond = 100
	DefaultRatePerMinute = 400
)

// Each window is counted a little longer than QFPay's, so that network
// jitter between this process and QFPay's counter does not push two bursts
// into one of its windows.
const (
	secondWindow = time.Second + 100*time.Millisecond
	minuteWindow = time.Minute + time.Second
)

// window allows at most n grants in any span of length d: it remembers the
// last n grant times in a ring.
type window struct {
	d    time.Duration
	ring []time.Time
	next int
}

func newWindow(n int, d time.Duration) *window {
	return &window{d: d, ring: make([]time.Time, n)}
}

// earliest is the first instant a new grant fits in the window.
func (w *window) earliest() time.Time {
	oldest := w.ring[w.next] // the n-th last grant (zero while unused)
	if oldest.IsZero() {
		return time.Time{}
	}
	return oldest.Add(w.d)
}

func (w *window) grant(t time.Time) {
	w.ring[w.next] = t
	w.next = (w.next + 1) % len(w.ring)
}

// limiter paces the requests of one merchant credential. A caller reserves
// the earliest slot that fits every window and sleeps until it; slots are
// handed out in order, so concurrent callers queue fairly.
type limiter struct {
	mu      sync.Mutex
	perSec  int
	perMin  int
	windows []*window
	last    time.Time
	now     func() time.Time
}

func newLimiter(perSec, perMin int, secW, minW time.Duration) *limiter {
	l := &limiter{now: time.Now}
	l.set(perSec, perMin, secW, minW)
	return l
}

func (l *limiter) set(perSec, perMin int, secW, minW time.Duration) {
	l.perSec, l.perMin = perSec, perMin
	l.windows = []*window{newWindow(perSec, secW), newWindow(perMin, minW)}
}

// wait blocks until a request may be sent, or ctx ends. A slot given up by
// a cancelled caller stays used: the limiter errs on the side of fewer
// requests.
func (l *limiter) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.now()
	t := now
	if l.last.After(t) {
		t = l.last
	}
	for _, w := range l.windows {
		if e := w.earliest(); e.After(t) {
			t = e
		}
	}
	if deadline, ok := ctx.Deadline(); ok && t.After(deadline) {
		l.mu.Unlock()
		return context.DeadlineExceeded
	}
	for _, w := range l.windows {
		w.grant(t)
	}
	l.last = t
	l.mu.Unlock()
	if d := t.Sub(now); d > 0 {
		return sleepCtx(ctx, d)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// limiters is the process-wide registry: one limiter per merchant
// credential (app code and mchid), shared by every Gateway of the process,
// since QFPay counts per merchant whatever the terminal.
var limiters = struct {
	sync.Mutex
	m map[string]*limiter
}{m: map[string]*limiter{}}

// limiterFor returns the credential's limiter, creating it on first use. A
// later Gateway with other limits changes them for everyone sharing it.
func limiterFor(appCode, mchid string, perSec, perMin int) *limiter {
	key := appCode + "\x00" + mchid
	limiters.Lock()
	defer limiters.Unlock()
	l, ok := limiters.m[key]
	if !ok {
		l = newLimiter(perSec, perMin, secondWindow, minuteWindow)
		limiters.m[key] = l
		return l
	}
	l.mu.Lock()
	if l.perSec != perSec || l.perMin != perMin {
		l.set(perSec, perMin, secondWindow, minuteWindow)
	}
	l.mu.Unlock()
	return l
}
