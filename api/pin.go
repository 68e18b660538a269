package api

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"qrpos/storage"
)

// The manager PIN as the terminal keeps it: only its salted slow hash in
// the profile ("pbkdf2-sha256$<iterations>$<salt>$<key>", unpadded base64),
// and its lockout in the audit log (five wrong PINs in a row lock it for
// 1 minute, doubling with each further wrong PIN up to 4 hours). The UI
// (ui/pin.go) writes both; this file only checks a PIN against them, the
// same way, and adds its tries to the same audit log, so a wrong PIN at the
// till and one on the screen count towards the same lock.
//
// It repeats ui/pin.go's verification because the API must not import ui;
// both belong in the core (manager auth) and should move there.

const (
	pinScheme     = "pbkdf2-sha256"
	pinIterations = 600_000 // the least a stored hash may have (ui.PINIterations)
	maxPINTries   = 5       // ui.MaxPINTries

	auditPINFailed  = "pin_failed"
	auditPINOK      = "pin_ok"
	auditPINChanged = "pin_changed"
)

var errBadPINHash = errors.New("the stored manager PIN hash is not readable")

// verifyPIN reports whether pin matches the stored hash. A hash with fewer
// iterations than the terminal uses is refused (a weakened hash in an
// edited journal must not pass).
func verifyPIN(stored, pin string) (bool, error) {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != pinScheme {
		return false, errBadPINHash
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < pinIterations || iter > 100*pinIterations {
		return false, errBadPINHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[2])
	if err != nil || len(salt) < 8 {
		return false, errBadPINHash
	}
	want, err := enc.DecodeString(parts[3])
	if err != nil || len(want) < 16 {
		return false, errBadPINHash
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// pinLock is where the lockout stands: wrong PINs since the last right
// one, and until when it is locked (zero: not locked).
type pinLock struct {
	failures int
	until    time.Time
}

func lockoutDelay(failures int) time.Duration {
	if failures < maxPINTries {
		return 0
	}
	return min(time.Minute<<min(failures-maxPINTries, 8), 4*time.Hour)
}

// readPINLock works the lockout out from the audit log, newest first.
func readPINLock(ctx context.Context, j *storage.Journal, tid string) (pinLock, error) {
	entries, err := j.AuditLog(ctx, tid, 500)
	if err != nil {
		return pinLock{}, err
	}
	var l pinLock
	var last time.Time
	for _, e := range entries {
		if e.Action == auditPINOK || e.Action == auditPINChanged {
			break
		}
		if e.Action == auditPINFailed {
			if l.failures == 0 {
				last = e.At
			}
			l.failures++
		}
	}
	if d := lockoutDelay(l.failures); d > 0 {
		l.until = last.Add(d)
	}
	return l, nil
}

// triesLeft before the next lock.
func (l pinLock) triesLeft() int { return maxPINTries - l.failures%maxPINTries }
