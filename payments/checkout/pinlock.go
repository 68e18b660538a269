package checkout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"qrpos/storage"
)

// The manager PIN's lockout lives in the journal's audit log alone, so it
// survives a restart and every face (the screen, the till's API) counts
// towards the same lock: five wrong PINs in a row lock it for 1 minute,
// doubling with each further wrong PIN, at most 4 hours.
//
// Whoever holds more than the PIN (the API token, or the journal's
// computer) may clear the lock: ClearPINLock writes an audit entry that
// starts the count again. So that clearing cannot become a way around the
// lock (guess five, clear, guess five...), the lock can be cleared at most
// MaxPINClears times between two right PINs; after that it runs its course.

// MaxPINTries wrong PINs in a row lock settings and refunds.
const MaxPINTries = 5

// MaxPINClears is how often the lock may be cleared without a right PIN
// (or a new PIN) in between.
const MaxPINClears = 3

// Audit actions of the PIN.
const (
	AuditPINFailed  = "pin_failed"
	AuditPINOK      = "pin_ok"
	AuditPINChanged = "pin_changed"
	AuditPINCleared = "pin_lock_cleared"
)

// PINLock is where the lockout stands.
type PINLock struct {
	Failures int       // wrong PINs since the last right one (or the last clearing)
	Until    time.Time // locked until then (zero: not locked)
	Clears   int       // clearings of the lock since the last right PIN
}

// TriesLeft before the next lock: once the lock has struck, each further
// wrong PIN locks again (for twice as long).
func (l PINLock) TriesLeft() int { return max(MaxPINTries-l.Failures, 1) }

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
		switch {
		case e.Action == AuditPINCleared:
			l.Clears++
		case e.Action == AuditPINFailed && l.Clears == 0:
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

// ErrPINClearLimit: the lock was cleared MaxPINClears times without a
// right PIN since; it now runs its course.
var ErrPINClearLimit = fmt.Errorf("the PIN lock was already cleared %d times without the right PIN since: it runs its course", MaxPINClears)

// ClearPINLock lifts terminal tid's lockout and starts the count of wrong
// PINs again, recorded in the audit log as actor with how it was allowed
// (detail: never a secret). The caller has checked that actor holds more
// than the PIN. Nothing to clear (no wrong PIN) writes nothing. After
// MaxPINClears clearings without a right PIN it returns ErrPINClearLimit.
func ClearPINLock(ctx context.Context, j *storage.Journal, tid, actor, detail string) error {
	pinMu.Lock()
	defer pinMu.Unlock()
	l, err := ReadPINLock(ctx, j, tid)
	if err != nil {
		return err
	}
	if l.Failures == 0 {
		return nil
	}
	if l.Clears >= MaxPINClears {
		return ErrPINClearLimit
	}
	return j.Audit(ctx, storage.AuditEntry{TID: tid, Actor: actor, Action: AuditPINCleared, Detail: detail})
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
