package api

import (
	"context"
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
// The hash check is the core's (checkout.VerifyPIN); the lockout reading
// still repeats ui/pin.go's, because the API must not import ui: it belongs
// in the core (manager auth) and should move there.

const (
	maxPINTries = 5 // ui.MaxPINTries

	auditPINFailed  = "pin_failed"
	auditPINOK      = "pin_ok"
	auditPINChanged = "pin_changed"
)

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
