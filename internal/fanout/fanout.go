// Package fanout hands each value published to every current subscriber,
// never waiting for one: a subscriber that does not keep up loses values
// and reads the truth elsewhere. It imports only the standard library.
package fanout

import "sync"

// Fanout is a set of subscribers of values of T; the zero value is ready.
type Fanout[T any] struct {
	mu   sync.Mutex
	subs map[chan T]struct{}
}

// Subscribe follows the values published from now on; stop ends it (once
// or more).
func (f *Fanout[T]) Subscribe(buffer int) (<-chan T, func()) {
	ch := make(chan T, buffer)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan T]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs, ch)
			f.mu.Unlock()
		})
	}
}

// Publish hands v to every subscriber with room for it.
func (f *Fanout[T]) Publish(v T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- v:
		default:
		}
	}
}
