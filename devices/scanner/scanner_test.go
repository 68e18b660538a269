package scanner

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"
)

// syncBuffer is a log sink that tests read while the scanner writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// next waits for the next event of a kind, skipping others, and fails after
// timeout.
func next(t *testing.T, ch <-chan Event, kind Kind, timeout time.Duration) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("event channel closed while waiting for %s", kind)
			}
			if e.Kind == kind {
				return e
			}
			t.Logf("skipping %v", e)
		case <-deadline:
			t.Fatalf("no %s event within %v", kind, timeout)
		}
	}
}

// drain collects everything until the channel closes (it must, once ctx is
// cancelled).
func drain(t *testing.T, ch <-chan Event, timeout time.Duration) []Event {
	t.Helper()
	var out []Event
	deadline := time.After(timeout)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, e)
		case <-deadline:
			t.Fatalf("event channel not closed within %v", timeout)
		}
	}
}

func TestScannerOverPty(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "dev", "scanner")
	dev := pair.openA()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Start(ctx, Config{
		Port: pair.B, Line: Line{Baud: 9600}, DedupWindow: 300 * time.Millisecond, FrameTimeout: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, ch, KindPort, 3*time.Second); e.State != StateUp || e.Port != pair.B {
		t.Fatalf("first event %+v", e)
	}

	steps := []struct {
		name  string
		write []string
		want  []Event // Kind, Code or Reason/Len
	}{
		{"wechat crlf", []string{"134567890123456789\r\n"}, []Event{{Kind: KindCode, Code: "134567890123456789"}}},
		{"alipay split over writes", []string{"2838547", "02356157409\r"}, []Event{{Kind: KindCode, Code: "283854702356157409"}}},
		{"unionpay and hk in one write", []string{"6212345678901234567\n154567890123456789\n"}, []Event{
			{Kind: KindCode, Code: "6212345678901234567"},
			{Kind: KindCode, Code: "154567890123456789"}}},
		{"unknown shape passes", []string{"ORDER-77\r\n"}, []Event{{Kind: KindCode, Code: "ORDER-77"}}},
		{"too long dropped", []string{strings.Repeat("7", 200) + "\r\n"}, []Event{{Kind: KindDropped, Reason: DropTooLong, Len: 200}}},
		{"control char dropped", []string{"12\x1b34\r\n"}, []Event{{Kind: KindDropped, Reason: DropControl, Len: 5}}},
		{"no suffix dropped after timeout", []string{"99999"}, []Event{{Kind: KindDropped, Reason: DropIncomplete, Len: 5}}},
	}
	for _, st := range steps {
		for _, w := range st.write {
			if _, err := dev.Write([]byte(w)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		for _, want := range st.want {
			got := next(t, ch, want.Kind, 3*time.Second)
			if got.Code != want.Code || got.Reason != want.Reason || got.Len != want.Len {
				t.Errorf("%s: got %+v, want %+v", st.name, got, want)
			}
		}
	}

	// The same code twice within the window counts once; after the window
	// it counts again.
	fmt.Fprint(dev, "134567890123456789\r\n134567890123456789\r\n")
	time.Sleep(50 * time.Millisecond)
	fmt.Fprint(dev, "134567890123456789\r\n2838547023561574\r\n")
	if e := next(t, ch, KindCode, 3*time.Second); e.Code != "134567890123456789" {
		t.Fatalf("got %v", e)
	}
	if e := next(t, ch, KindCode, 3*time.Second); e.Code != "2838547023561574" {
		t.Fatalf("repeat not folded: got %v", e)
	}
	time.Sleep(400 * time.Millisecond)
	fmt.Fprint(dev, "2838547023561574\r\n")
	if e := next(t, ch, KindCode, 3*time.Second); e.Code != "2838547023561574" {
		t.Fatalf("after the window: got %v", e)
	}

	cancel()
	if rest := drain(t, ch, 2*time.Second); len(rest) != 0 {
		t.Errorf("events after cancel: %v", rest)
	}
	out := logs.String()
	for _, full := range []string{"134567890123456789", "283854702356157409", "6212345678901234567"} {
		if strings.Contains(out, full) {
			t.Errorf("log holds a full code %s:\n%s", full, out)
		}
	}
	if !strings.Contains(out, "code_len=18") {
		t.Errorf("log lacks the code's length:\n%s", out)
	}
}

// Unplug: socat goes away (both ptys and the links vanish), comes back on
// the same link name, and the scanner reads again within 2 s.
func TestScannerHotPlugSamePath(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "dev", "scanner")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Start(ctx, Config{Port: filepath.Join(dir, "scanner"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	next(t, ch, KindPort, 3*time.Second)
	dev := pair.openA()
	fmt.Fprint(dev, "134567890123456789\r")
	next(t, ch, KindCode, 3*time.Second)

	for round := range 2 {
		dev.Close()
		pair.Stop()
		down := next(t, ch, KindPort, 3*time.Second)
		if down.State != StateDown || down.Err == "" {
			t.Fatalf("round %d: want down with error, got %+v", round, down)
		}
		time.Sleep(time.Duration(300+700*round) * time.Millisecond) // let the backoff grow
		pair = startPair(t, dir, "dev", "scanner")
		back := time.Now()
		up := next(t, ch, KindPort, 3*time.Second)
		if up.State != StateUp {
			t.Fatalf("round %d: want up, got %+v", round, up)
		}
		if d := time.Since(back); d > 2*time.Second {
			t.Errorf("round %d: reading again after %v, want within 2s", round, d)
		}
		dev = pair.openA()
		code := fmt.Sprintf("28385470235615740%d", round)
		fmt.Fprintf(dev, "%s\r\n", code)
		if e := next(t, ch, KindCode, 3*time.Second); e.Code != code {
			t.Fatalf("round %d: got %v", round, e)
		}
	}
	cancel()
	drain(t, ch, 2*time.Second)
}

// Unplug and replug under a new path: the usb: identity is resolved through
// the (injected) enumerator at every retry.
func TestScannerHotPlugNewPathSameUSBIdentity(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "dev0", "ttyACM0")
	var current atomic.Value
	current.Store(pair.B)
	var calls atomic.Int32
	enum := func() ([]*enumerator.PortDetails, error) {
		calls.Add(1)
		list := []*enumerator.PortDetails{
			{Name: filepath.Join(dir, "other"), IsUSB: true, VID: "0c2e", PID: "0b61", SerialNumber: "OTHER"},
		}
		if p := current.Load().(string); p != "" {
			list = append(list, &enumerator.PortDetails{Name: p, IsUSB: true, VID: "0c2e", PID: "0b61", SerialNumber: "SCN42"})
		}
		return list, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Start(ctx, Config{Port: "usb:0C2E:0B61:SCN42", Enumerate: enum, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if up := next(t, ch, KindPort, 3*time.Second); up.Port != pair.B {
		t.Fatalf("opened %q, want %q", up.Port, pair.B)
	}
	pair.Stop()
	current.Store("")
	down := next(t, ch, KindPort, 3*time.Second)
	if down.State != StateDown {
		t.Fatalf("want down, got %+v", down)
	}
	time.Sleep(1500 * time.Millisecond)
	before := calls.Load()
	pair2 := startPair(t, dir, "dev1", "ttyACM1")
	current.Store(pair2.B)
	back := time.Now()
	up := next(t, ch, KindPort, 3*time.Second)
	if up.State != StateUp || up.Port != pair2.B {
		t.Fatalf("want up on %s, got %+v", pair2.B, up)
	}
	if d := time.Since(back); d > 2*time.Second {
		t.Errorf("reading again after %v, want within 2s", d)
	}
	if calls.Load() <= before {
		t.Error("enumerator not asked again on retry")
	}
	fmt.Fprint(pair2.openA(), "6212345678901234567\r\n")
	if e := next(t, ch, KindCode, 3*time.Second); e.Code != "6212345678901234567" {
		t.Fatalf("got %+v", e)
	}
	cancel()
	drain(t, ch, 2*time.Second)
}

// A port missing at start is reported down once (not at every retry) and
// picked up when it appears.
func TestScannerPortAppearsLater(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := Start(ctx, Config{Port: filepath.Join(dir, "scanner"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	down := next(t, ch, KindPort, 3*time.Second)
	if down.State != StateDown || !strings.Contains(down.Err, "scanner") {
		t.Fatalf("want down naming the port, got %+v", down)
	}
	time.Sleep(1200 * time.Millisecond) // several retries: still one down event
	select {
	case e := <-ch:
		t.Fatalf("unexpected event while absent: %+v", e)
	default:
	}
	startPair(t, dir, "dev", "scanner")
	if up := next(t, ch, KindPort, 3*time.Second); up.State != StateUp {
		t.Fatalf("want up, got %+v", up)
	}
	cancel()
	drain(t, ch, 2*time.Second)
}

// Cancelling the context stops everything: the channel closes and no
// goroutine is left behind, whether the port is up or being retried, and
// even when nobody reads the events.
func TestScannerStopsWithoutLeaks(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "dev", "scanner")
	dev := pair.openA()
	base := runtime.NumGoroutine()
	for _, port := range []string{pair.B, filepath.Join(dir, "absent")} {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := New(Config{Port: port, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		if port == pair.B {
			// Fill the channel and more without reading it.
			for i := range 40 {
				fmt.Fprintf(dev, "CODE%04d\r", i)
			}
		}
		time.Sleep(300 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: Run did not return after cancel", port)
		}
		for range s.Events() {
		}
		if err := s.Run(ctx); err == nil {
			t.Error("second Run accepted")
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	bad := []Config{{}, {Port: "usb:zz:1"}, {Port: "/dev/x", Suffix: "tab"}, {Port: "/dev/x", Line: Line{DataBits: 4}}}
	for _, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
