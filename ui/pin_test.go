package ui

import (
	"strings"
	"testing"

	"qrpos/payments/checkout"
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
