package qfpay

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"
)

// maxInWindow is the most times that any span shorter than d holds.
func maxInWindow(ts []time.Time, d time.Duration) int {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < d; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

func TestLimiterWindows(t *testing.T) {
	// Padded as in production (secondWindow, minuteWindow), so that the
	// time a caller wakes up late does not push it into the next window.
	l := newLimiter(3, 5, 125*time.Millisecond, 450*time.Millisecond)
	var mu sync.Mutex
	var grants []time.Time
	var wg sync.WaitGroup
	for range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.wait(context.Background()); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			grants = append(grants, time.Now())
			mu.Unlock()
		}()
	}
	wg.Wait()
	if n := maxInWindow(grants, 100*time.Millisecond); n > 3 {
		t.Errorf("%d grants in 100ms, limit 3", n)
	}
	if n := maxInWindow(grants, 400*time.Millisecond); n > 5 {
		t.Errorf("%d grants in 400ms, limit 5", n)
	}
	// Nine grants at five per 400ms need more than 400ms.
	if span := grants[len(grants)-1].Sub(grants[0]); span < 400*time.Millisecond {
		t.Errorf("9 grants in %v", span)
	}
}

func TestLimiterContext(t *testing.T) {
	l := newLimiter(1, 1, time.Hour, time.Hour)
	if err := l.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := l.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("a wait beyond the deadline slept")
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := l.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}

func TestLimiterRegistryShared(t *testing.T) {
	a := limiterFor("APPREG", "M1", 5, 10)
	if b := limiterFor("APPREG", "M1", 5, 10); a != b {
		t.Error("one credential got two limiters")
	}
	if c := limiterFor("APPREG", "M2", 5, 10); c == a {
		t.Error("two merchants share a limiter")
	}
	limiterFor("APPREG", "M1", 7, 10)
	if a.perSec != 7 {
		t.Error("new limits not applied")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              time.Second,
		"2":                             2 * time.Second,
		"0":                             10 * time.Millisecond,
		"999":                           time.Minute,
		"soon":                          time.Second,
		"Mon, 01 Jan 2024 12:00:05 GMT": 5 * time.Second,
	}
	for h, want := range cases {
		if got := retryAfter(h, now, time.Second); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}
