package sandbox

import (
	"testing"
	"time"
)

// TestRequestLogKeepsTheLatest: the log of calls stops growing at
// maxRequests, keeps the latest in order with their numbers, and still
// records the answer of a call it keeps.
func TestRequestLogKeepsTheLatest(t *testing.T) {
	var l requestLog
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
