package payments

import (
	"crypto/rand"
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
		"closed>paid", "expired>paid", "failed>paid",
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

func TestNewOrderNumber(t *testing.T) {
	day := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	no, err := NewOrderNumber("T001", day, rand.Reader)
	if err != nil || !strings.HasPrefix(no, "T001261123") || len(no) != 4+6+RandomPartLength {
		t.Fatalf("NewOrderNumber = %q, %v", no, err)
	}
	for _, c := range no[10:] {
		if !strings.ContainsRune(numberAlphabet, c) {
			t.Fatalf("%q: character %q outside 0-9A-Z", no, c)
		}
	}
	// The longest tid still fits in eftPay's 28.
	no, err = NewOrderNumber("ABCDEFGHIJKL", day, rand.Reader)
	if err != nil || len(no) != MaxOrderNumber {
		t.Fatalf("NewOrderNumber long = %q (%d), %v", no, len(no), err)
	}
	for _, bad := range []string{"", "T-01", "ABCDEFGHIJKLM", "T 1", "終端"} {
		if _, err := NewOrderNumber(bad, day, rand.Reader); err == nil {
			t.Errorf("tid %q accepted", bad)
		}
	}
	// A restored or copied journal replays no counter: 20,000 numbers of one
	// tid on one day are all distinct.
	seen := map[string]bool{}
	for i := 0; i < 20000; i++ {
		no, err := NewOrderNumber("T1", day, rand.Reader)
		if err != nil || seen[no] {
			t.Fatalf("number %d: %q repeated (%v)", i, no, err)
		}
		seen[no] = true
	}
	// A random source that fails is an error, not a weak number.
	if _, err := NewOrderNumber("T1", day, strings.NewReader("short")); err == nil {
		t.Error("short random source accepted")
	}
	// Every byte value above 251 is rejected, so the characters stay uniform.
	allHigh := strings.NewReader(strings.Repeat("\xff", 10) + "0123456789")
	no, err = NewOrderNumber("T1", day, allHigh)
	if err != nil || no[8:] != "CDEFGHIJKL" {
		t.Errorf("rejection sampling: %q, %v", no, err)
	}
}
