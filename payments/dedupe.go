package payments

import (
	"context"
	"sync"
)

// Deduper delivers each provider notification once, for every provider's
// notification handler: a key whose delivery succeeded is remembered (the
// latest max keys, the oldest forgotten first), a delivery in progress
// makes a second caller with the same key wait for it, and a failed
// delivery is forgotten so that the provider's next try runs again.
type Deduper struct {
	mu       sync.Mutex
	max      int
	done     map[string]bool
	order    []string
	inflight map[string]chan struct{}
}

// NewDeduper remembers the last max delivered keys.
func NewDeduper(max int) *Deduper {
	return &Deduper{max: max, done: map[string]bool{}, inflight: map[string]chan struct{}{}}
}

// Do runs deliver unless key was already delivered; dup reports that it
// was. An error is deliver's, or ctx's when it ended while waiting for
// another delivery of key.
func (d *Deduper) Do(ctx context.Context, key string, deliver func() error) (dup bool, err error) {
	dup, err = d.claim(ctx, key)
	if dup || err != nil {
		return dup, err
	}
	err = deliver()
	d.finish(key, err == nil)
	return false, err
}

// Len is how many delivered keys are remembered.
func (d *Deduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.done)
}

// claim makes this caller the one delivering key, waiting for a delivery
// of key in progress; dup: key was delivered.
func (d *Deduper) claim(ctx context.Context, key string) (dup bool, err error) {
	for {
		d.mu.Lock()
		if d.done[key] {
			d.mu.Unlock()
			return true, nil
		}
		ch, busy := d.inflight[key]
		if !busy {
			d.inflight[key] = make(chan struct{})
			d.mu.Unlock()
			return false, nil
		}
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// finish ends the delivery of key, remembering it when it succeeded.
func (d *Deduper) finish(key string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	close(d.inflight[key])
	delete(d.inflight, key)
	if !ok {
		return
	}
	d.done[key] = true
	d.order = append(d.order, key)
	if len(d.order) > d.max {
		delete(d.done, d.order[0])
		d.order = d.order[1:]
	}
}
