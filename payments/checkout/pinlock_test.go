package checkout

import (
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
	} {
		l := LockFromAudit(tc.newest)
		if l.Failures != tc.failures || !l.Until.Equal(tc.until) {
			t.Errorf("%s: %+v, want %d until %v", tc.name, l, tc.failures, tc.until)
		}
	}
	if d := LockoutDelay(100); d != 4*time.Hour {
		t.Errorf("lockout after 100 wrong PINs: %v", d)
	}
}
