package relay

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"qrpos/hq/store"
)

// hub wakes the streams of a terminal when a notification for it is kept:
// by this process at once, and by any head-office process through
// PostgreSQL's LISTEN on store.RelayChannel, which one connection does
// while at least one stream is open (and stops with the last, so nothing
// outlives the requests). A stream also looks at every heartbeat, should
// the listening connection be lost.
type hub struct {
	db  *store.DB
	log *slog.Logger

	mu     sync.Mutex
	subs   map[string]map[*sub]struct{} // by tid
	n      int
	stop   context.CancelFunc // the listener's, while it runs
	listen chan struct{}      // closed when it has stopped
}

// sub is one open stream.
type sub struct {
	tid  string
	wake chan struct{} // a notification for tid may be waiting
}

func newHub(db *store.DB, log *slog.Logger) *hub {
	return &hub{db: db, log: log, subs: map[string]map[*sub]struct{}{}}
}

// join adds a stream of terminal tid, starting the listener for the first.
func (h *hub) join(tid string) *sub {
	s := &sub{tid: tid, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[tid] == nil {
		h.subs[tid] = map[*sub]struct{}{}
	}
	h.subs[tid][s] = struct{}{}
	h.n++
	if h.n == 1 {
		ctx, cancel := context.WithCancel(context.Background())
		h.stop, h.listen = cancel, make(chan struct{})
		go h.run(ctx, h.listen)
	}
	return s
}

// leave removes a stream; the last one stops the listener and waits for it.
func (h *hub) leave(s *sub) {
	h.mu.Lock()
	delete(h.subs[s.tid], s)
	if len(h.subs[s.tid]) == 0 {
		delete(h.subs, s.tid)
	}
	h.n--
	var stop context.CancelFunc
	var done chan struct{}
	if h.n == 0 {
		stop, done = h.stop, h.listen
		h.stop, h.listen = nil, nil
	}
	h.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// wake nudges every stream of tid.
func (h *hub) wake(tid string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[tid] {
		nudge(s.wake)
	}
}

// wakeAll nudges every stream (the listener (re)started: what was kept
// before it listened is looked at).
func (h *hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.subs {
		for s := range subs {
			nudge(s.wake)
		}
	}
}

func nudge(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run listens until ctx ends, again a second after a failure.
func (h *hub) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		err := h.db.ListenRelay(ctx, h.wakeAll, h.wake)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("listening for other processes' notifications failed: streams look at every heartbeat meanwhile", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}
