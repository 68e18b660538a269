package checkout

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"qrpos/storage"
)

func TestLockFromAudit(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	fail := func(min int) storage.AuditEntry {
		return storage.AuditEntry{Action: AuditPINFailed, At: t0.Add(time.Duration(min) * time.Minute)}
	}
	ok := storage.AuditEntry{Action: AuditPINOK, At: t0}
	cleared := storage.AuditEntry{Action: AuditPINCleared, At: t0}
	other := storage.AuditEntry{Action: "refund", At: t0}
	for _, tc := range []struct {
		name     string
		newest   []storage.AuditEntry // newest first
		failures int
		until    time.Time
	}{
		{"none", nil, 0, time.Time{}},
		{"four", []storage.AuditEntry{fail(4), fail(3), fail(2), fail(1)}, 4, time.Time{}},
		{"five", []storage.AuditEntry{fail(5), fail(4), other, fail(3), fail(2), fail(1)}, 5, t0.Add(6 * time.Minute)},
		{"six doubles", []storage.AuditEntry{fail(9), fail(5), fail(4), fail(3), fail(2), fail(1)}, 6, t0.Add(11 * time.Minute)},
		{"seven", []storage.AuditEntry{fail(20), fail(9), fail(5), fail(4), fail(3), fail(2), fail(1)}, 7, t0.Add(24 * time.Minute)},
		{"right PIN resets", []storage.AuditEntry{fail(9), ok, fail(5), fail(4), fail(3), fail(2), fail(1)}, 1, time.Time{}},
		{"new PIN resets", []storage.AuditEntry{{Action: AuditPINChanged}, fail(4), fail(3), fail(2), fail(1), fail(0)}, 0, time.Time{}},
		{"clearing resets", []storage.AuditEntry{cleared, fail(5), fail(4), fail(3), fail(2), fail(1)}, 0, time.Time{}},
		{"counts again after clearing", []storage.AuditEntry{fail(12), fail(11), fail(10), fail(9), fail(8), cleared, fail(5), fail(4), fail(3), fail(2), fail(1)}, 5, t0.Add(13 * time.Minute)},
	} {
		l := LockFromAudit(tc.newest)
		if l.Failures != tc.failures || !l.Until.Equal(tc.until) {
			t.Errorf("%s: %+v, want %d until %v", tc.name, l, tc.failures, tc.until)
		}
	}
	// Clearings count until the next right PIN, not past it.
	l := LockFromAudit([]storage.AuditEntry{fail(30), cleared, fail(20), cleared, ok, cleared, fail(1)})
	if l.Clears != 2 || l.Failures != 1 {
		t.Errorf("clears %+v, want 2 clearings and 1 failure", l)
	}
	for _, tc := range []struct{ failures, left int }{{0, 5}, {1, 4}, {4, 1}, {5, 1}, {6, 1}, {9, 1}, {10, 1}} {
		if got := (PINLock{Failures: tc.failures}).TriesLeft(); got != tc.left {
			t.Errorf("%d wrong PINs: %d tries left, want %d", tc.failures, got, tc.left)
		}
	}
	if d := LockoutDelay(100); d != 4*time.Hour {
		t.Errorf("lockout after 100 wrong PINs: %v", d)
	}
}

// TestClearPINLock: clearing lifts a lock at once and starts the count
// again, is audited, writes nothing when there is nothing to clear, and
// stops working after MaxPINClears clearings until the right PIN is given.
func TestClearPINLock(t *testing.T) {
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(privateDir(t), "pos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	h, err := HashPIN("2468")
	if err != nil {
		t.Fatal(err)
	}
	try := func(pin string) PINCheck {
		t.Helper()
		c, err := CheckManagerPIN(ctx, j, "T001", h, pin, "manager", "settings")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	lockIt := func() {
		t.Helper()
		for i := 0; i < MaxPINTries; i++ {
			try("0000")
		}
		if c := try("2468"); !c.Locked {
			t.Fatalf("not locked after %d wrong PINs: %+v", MaxPINTries, c)
		}
	}
	clear := func() error { return ClearPINLock(ctx, j, "T001", "till", "api token") }
	entries := func() int {
		es, err := j.AuditLog(ctx, "T001", 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	if err := clear(); err != nil || entries() != 0 {
		t.Fatalf("clearing nothing: %v, %d audit entries", err, entries())
	}
	for i := 1; i <= MaxPINClears; i++ {
		lockIt()
		if err := clear(); err != nil {
			t.Fatalf("clearing %d: %v", i, err)
		}
		l, err := ReadPINLock(ctx, j, "T001")
		if err != nil || l.Failures != 0 || l.Clears != i || l.Left(time.Now()) != 0 {
			t.Fatalf("after clearing %d: %+v %v", i, l, err)
		}
	}
	es, _ := j.AuditLog(ctx, "T001", 1)
	if es[0].Action != AuditPINCleared || es[0].Actor != "till" || es[0].Detail != "api token" {
		t.Fatalf("newest audit entry %+v", es[0])
	}
	lockIt()
	if err := clear(); !errors.Is(err, ErrPINClearLimit) {
		t.Fatalf("clearing %d: %v, want the limit", MaxPINClears+1, err)
	}
	if l, _ := ReadPINLock(ctx, j, "T001"); l.Left(time.Now()) == 0 {
		t.Fatal("the lock was lifted past the limit")
	}
}
