package checkout

import (
	"context"
	"sync"
	"time"

	"qrpos/storage"
)

// The manager PIN's lockout lives in the journal's audit log alone, so it
// survives a restart and every face (the screen, the till's API) counts
// towards the same lock: five wrong PINs in a row lock it for 1 minute,
// doubling with each further wrong PIN, at most 4 hours.

// MaxPINTries wrong PINs in a row lock settings and refunds.
const MaxPINTries = 5

// Audit actions of the PIN.
const (
	AuditPINFailed  = "pin_failed"
	AuditPINOK      = "pin_ok"
	AuditPINChanged = "pin_changed"
)

// PINLock is where the lockout stands.
type PINLock struct {
	Failures int       // wrong PINs since the last right one
	Until    time.Time // locked until then (zero: not locked)
}

// TriesLeft before the next lock.
func (l PINLock) TriesLeft() int { return MaxPINTries - l.Failures%MaxPINTries }

// Left is how long the lock still holds at now (0: not locked).
func (l PINLock) Left(now time.Time) time.Duration {
	if now.Before(l.Until) {
		return l.Until.Sub(now)
	}
	return 0
}

// LockoutDelay is the lock after the nth wrong PIN in a row.
func LockoutDelay(failures int) time.Duration {
	if failures < MaxPINTries {
		return 0
	}
	return min(time.Minute<<min(failures-MaxPINTries, 8), 4*time.Hour)
}

// LockFromAudit reads the lockout from audit entries, newest first.
func LockFromAudit(entries []storage.AuditEntry) PINLock {
	var l PINLock
	var last time.Time
	for _, e := range entries {
		if e.Action == AuditPINOK || e.Action == AuditPINChanged {
			break
		}
		if e.Action == AuditPINFailed {
			if l.Failures == 0 {
				last = e.At
			}
			l.Failures++
		}
	}
	if d := LockoutDelay(l.Failures); d > 0 {
		l.Until = last.Add(d)
	}
	return l
}

// ReadPINLock reads terminal tid's lockout from the journal's audit log.
func ReadPINLock(ctx context.Context, j *storage.Journal, tid string) (PINLock, error) {
	entries, err := j.AuditLog(ctx, tid, 500)
	if err != nil {
		return PINLock{}, err
	}
	return LockFromAudit(entries), nil
}

// pinMu makes each check (read lock, verify, audit) one step, so two faces
// trying at once cannot both slip past a lock.
var pinMu sync.Mutex

// PINCheck is the outcome of one try of the manager PIN.
type PINCheck struct {
	OK bool
	// Locked: the lock held before this try, which was not checked or
	// recorded; Lock says until when.
	Locked bool
	Lock   PINLock // after the try
}

// CheckManagerPIN tries pin against stored (the profile's hash) for
// terminal tid, unless the PIN is locked, and records the try in the audit
// log as actor ("manager" at the screen, "till" over the API) for purpose.
func CheckManagerPIN(ctx context.Context, j *storage.Journal, tid, stored, pin, actor, purpose string) (PINCheck, error) {
	pinMu.Lock()
	defer pinMu.Unlock()
	l, err := ReadPINLock(ctx, j, tid)
	if err != nil {
		return PINCheck{}, err
	}
	if l.Left(time.Now()) > 0 {
		return PINCheck{Locked: true, Lock: l}, nil
	}
	ok, err := VerifyPIN(stored, pin)
	if err != nil {
		return PINCheck{}, err
	}
	action := AuditPINFailed
	if ok {
		action = AuditPINOK
	}
	if err := j.Audit(ctx, storage.AuditEntry{TID: tid, Actor: actor, Action: action, Detail: purpose}); err != nil {
		return PINCheck{}, err
	}
	l, err = ReadPINLock(ctx, j, tid)
	return PINCheck{OK: ok, Lock: l}, err
}
