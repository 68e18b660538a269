package payments

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestTransitionsEveryPair walks every (from, to) pair against the expected
// table written out independently of the implementation's.
func TestTransitionsEveryPair(t *testing.T) {
	legal := map[[2]State]bool{}
	for _, p := range []string{
		"created>pending", "created>unknown", "created>paid", "created>failed", "created>closed",
		"pending>unknown", "pending>paid", "pending>failed", "pending>closed", "pending>expired",
		"unknown>pending", "unknown>paid", "unknown>failed", "unknown>closed", "unknown>expired",
		"paid>partly_refunded", "paid>refunded",
		"partly_refunded>partly_refunded", "partly_refunded>refunded",
		"closed>paid", "expired>paid",
	} {
		a, b, _ := strings.Cut(p, ">")
		legal[[2]State{State(a), State(b)}] = true
	}
	n := 0
	for _, from := range States() {
		for _, to := range States() {
			n++
			want := legal[[2]State{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			err := CheckTransition("T1", from, to)
			var te *TransitionError
			if want && err != nil || !want && !errors.As(err, &te) {
				t.Errorf("CheckTransition(%s, %s) = %v", from, to, err)
			}
		}
	}
	if n != 81 {
		t.Fatalf("walked %d pairs, want 81", n)
	}
	if CanTransition("bogus", Paid) || CanTransition(Paid, "bogus") {
		t.Error("unknown states must not transition")
	}
}

func TestSettled(t *testing.T) {
	open := map[State]bool{Created: true, Pending: true, Unknown: true}
	for _, s := range States() {
		if s.Settled() == open[s] {
			t.Errorf("%s.Settled() = %v", s, s.Settled())
		}
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
}

func TestRefundable(t *testing.T) {
	o := Order{Amount: Money{1000, "HKD"}, Refunded: Money{300, "HKD"}, State: PartlyRefunded}
	if got := o.Refundable(); got.Minor != 700 {
		t.Errorf("Refundable = %v", got)
	}
	o.State = Pending
	if got := o.Refundable(); got.Minor != 0 {
		t.Errorf("unpaid Refundable = %v", got)
	}
}

func TestOrderNumber(t *testing.T) {
	day := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	no, err := OrderNumber("T001", day, 42)
	if err != nil || no != "T001261123000042" {
		t.Fatalf("OrderNumber = %q, %v", no, err)
	}
	// The longest tid with a sequence of 10 digits still fits in 28.
	no, err = OrderNumber("ABCDEFGHIJKL", day, 9_999_999_999)
	if err != nil || len(no) != 28 || !strings.HasPrefix(no, "ABCDEFGHIJKL") {
		t.Fatalf("OrderNumber long = %q (%d), %v", no, len(no), err)
	}
	if _, err := OrderNumber("ABCDEFGHIJKL", day, 99_999_999_999); err == nil {
		t.Error("29-character number accepted")
	}
	for _, bad := range []string{"", "T-01", "ABCDEFGHIJKLM", "T 1", "終端"} {
		if _, err := OrderNumber(bad, day, 1); err == nil {
			t.Errorf("tid %q accepted", bad)
		}
	}
	// Distinct sequences give distinct numbers even when the clock goes back.
	a, _ := OrderNumber("T1", day, 100)
	b, _ := OrderNumber("T1", day.AddDate(0, 0, -1), 101)
	if a == b {
		t.Error("numbers collide")
	}
	if f := SequenceFloor(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)); f != 86400 {
		t.Errorf("SequenceFloor = %d", f)
	}
}
