package payments

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDeduper(t *testing.T) {
	d := NewDeduper(2)
	release := make(chan struct{})
	calls := 0
	first := make(chan error)
	go func() {
		_, err := d.Do(context.Background(), "a", func() error { calls++; <-release; return nil })
		first <- err
	}()
	// A second caller of a key in progress waits for it, then sees a repeat.
	for {
		d.mu.Lock()
		_, busy := d.inflight["a"]
		d.mu.Unlock()
		if busy {
			break
		}
		time.Sleep(time.Millisecond)
	}
	second := make(chan bool)
	go func() {
		dup, _ := d.Do(context.Background(), "a", func() error { calls++; return nil })
		second <- dup
	}()
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if !<-second || calls != 1 {
		t.Fatalf("concurrent repeat ran again (calls %d)", calls)
	}
	// A failed run is forgotten; the oldest keys go beyond max.
	if _, err := d.Do(context.Background(), "b", func() error { return errors.New("no") }); err == nil {
		t.Fatal("error lost")
	}
	if dup, _ := d.Do(context.Background(), "b", func() error { return nil }); dup {
		t.Fatal("failed run remembered")
	}
	d.Do(context.Background(), "c", func() error { return nil })
	if dup, _ := d.Do(context.Background(), "a", func() error { return nil }); dup {
		t.Fatal("more than max keys remembered")
	}
}
