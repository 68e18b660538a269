package sandbox

import (
	"testing"
	"time"
)

// TestRequestLogKeepsTheLatest: a log told to keep maxRequests calls stops
// growing there, keeps the latest in order with their numbers, and still
// records the answer of a call it keeps; one told nothing keeps them all.
func TestRequestLogKeepsTheLatest(t *testing.T) {
	const maxRequests = DemoKeepRequests
	all := requestLog{}
	for i := 0; i < maxRequests+5; i++ {
		all.add(Request{Op: "query"}, time.Now())
	}
	if len(all.list) != maxRequests+5 {
		t.Fatalf("a log with no limit kept %d of %d calls", len(all.list), maxRequests+5)
	}
	l := requestLog{keep: maxRequests}
	now := time.Now()
	var last int
	for i := 0; i < maxRequests*3+7; i++ {
		last = l.add(Request{Op: "query"}, now)
	}
	l.answered(last, 200)
	l.answered(1, 500) // long dropped: nothing to do
	if len(l.list) > maxRequests || len(l.list) < maxRequests*9/10 {
		t.Fatalf("kept %d calls, want at most %d", len(l.list), maxRequests)
	}
	if got := l.list[len(l.list)-1]; got.Seq != maxRequests*3+7 || got.Status != 200 {
		t.Fatalf("the latest call: %+v", got)
	}
	for i := 1; i < len(l.list); i++ {
		if l.list[i].Seq != l.list[i-1].Seq+1 {
			t.Fatalf("calls %d and %d out of order", l.list[i-1].Seq, l.list[i].Seq)
		}
	}
}
