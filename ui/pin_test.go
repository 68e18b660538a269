package ui

import (
	"strings"
	"testing"
	"time"

	"qrpos/payments/checkout"
	"qrpos/storage"
)

func TestPINHash(t *testing.T) {
	h := testPINHash()
	parts := strings.Split(h, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" || parts[1] != "600000" {
		t.Fatalf("hash %q", h)
	}
	if strings.Contains(h, DefaultDemoPIN) {
		t.Fatal("the hash holds the PIN")
	}
	h2, err := checkout.HashPIN(DefaultDemoPIN)
	if err != nil || h2 == h {
		t.Fatalf("second hash of the same PIN is %q (%v): the salt is not random", h2, err)
	}
	for _, tc := range []struct {
		stored, pin string
		ok          bool
		err         bool
	}{
		{h, "1234", true, false},
		{h, "1235", false, false},
		{h, "", false, false},
		{strings.Replace(h, "$600000$", "$1000$", 1), "1234", false, true}, // weakened
		{"1234", "1234", false, true},
		{"pbkdf2-sha256$600000$!!$!!", "1234", false, true},
		{"md5$600000$" + parts[2] + "$" + parts[3], "1234", false, true},
	} {
		ok, err := checkout.VerifyPIN(tc.stored, tc.pin)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("checkout.VerifyPIN(%.30q, %q) = %v, %v", tc.stored, tc.pin, ok, err)
		}
	}
	for _, bad := range []string{"", "123", "12a4", "1234567890123", " 1234"} {
		if _, err := checkout.HashPIN(bad); err == nil {
			t.Errorf("checkout.HashPIN(%q) accepted", bad)
		}
	}
}

func TestLockFromAudit(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	fail := func(min int) storage.AuditEntry {
		return storage.AuditEntry{Action: auditPINFailed, At: t0.Add(time.Duration(min) * time.Minute)}
	}
	ok := storage.AuditEntry{Action: auditPINOK, At: t0}
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
		{"new PIN resets", []storage.AuditEntry{{Action: auditPINChanged}, fail(4), fail(3), fail(2), fail(1), fail(0)}, 0, time.Time{}},
	} {
		l := lockFromAudit(tc.newest)
		if l.Failures != tc.failures || !l.Until.Equal(tc.until) {
			t.Errorf("%s: %+v, want %d until %v", tc.name, l, tc.failures, tc.until)
		}
	}
	if d := lockoutDelay(100); d != 4*time.Hour {
		t.Errorf("lockout after 100 wrong PINs: %v", d)
	}
}

// FuzzVerifyPIN: a stored hash read from the journal never panics and
// never matches unless it is well formed.
func FuzzVerifyPIN(f *testing.F) {
	f.Add("pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5", "1234")
	f.Add("pbkdf2-sha256$1$AA$AA", "1")
	f.Add("$$$", "")
	f.Fuzz(func(t *testing.T, stored, pin string) {
		parts := strings.Split(stored, "$")
		if len(parts) == 4 && parts[0] == "pbkdf2-sha256" && parts[1] != "600000" {
			// Only the minimum iteration count is cheap enough to fuzz.
			return
		}
		ok, err := checkout.VerifyPIN(stored, pin)
		if ok && err != nil {
			t.Fatal("match with an error")
		}
	})
}
