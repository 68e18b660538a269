package terminal

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"

	"qrpos/payments/checkout"
	"qrpos/storage"
)

// Audit writes a manager's or cashier's action (actor "manager",
// "cashier") to the journal's audit log; a failure is logged, not
// returned: the action itself already happened.
func (t *Terminal) Audit(ctx context.Context, actor, action, detail string) {
	err := t.journal.Audit(ctx, storage.AuditEntry{TID: t.Profile().TID, Actor: actor, Action: action, Detail: detail})
	if err != nil {
		t.log.Error("audit", "action", action, "err", err)
	}
}

// PINLock reads where the manager PIN's lockout stands.
func (t *Terminal) PINLock(ctx context.Context) (checkout.PINLock, error) {
	return checkout.ReadPINLock(ctx, t.journal, t.Profile().TID)
}

// ClearPINLock lifts the manager PIN's lockout and starts its count again,
// audited as actor ("till" from the local API, "cli" from this computer's
// command line). The caller has checked that actor holds more than the
// PIN: the API token, or the journal itself. The lock can be cleared at
// most checkout.MaxPINClears times between two right PINs
// (checkout.ErrPINClearLimit), so clearing is no way around it.
func (t *Terminal) ClearPINLock(ctx context.Context, actor string) error {
	return checkout.ClearPINLock(ctx, t.journal, t.Profile().TID, actor, "")
}

// ErrWrongAPIToken: the token given to clear the PIN lock at the screen is
// not the terminal's api_token.
var ErrWrongAPIToken = errors.New("not this terminal's API token")

// ErrNoAPIToken: the terminal has no api_token, so the PIN lock cannot be
// cleared at the screen (the local API on this computer still can).
var ErrNoAPIToken = errors.New("this terminal has no API token")

// CanClearPINLockAtScreen reports whether the screen may offer to clear the
// PIN lock: the terminal has an api_token (which IT keeps, a cashier does
// not) for the manager to prove it.
func (t *Terminal) CanClearPINLockAtScreen() bool { return t.Profile().APIToken != "" }

// ClearPINLockWithToken is ClearPINLock at the screen, as the manager: the
// terminal's api_token proves that whoever clears holds more than the PIN.
// A wrong token is audited and clears nothing.
func (t *Terminal) ClearPINLockWithToken(ctx context.Context, token string) error {
	want := t.Profile().APIToken
	if want == "" {
		return ErrNoAPIToken
	}
	got, exp := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(want)) // equal lengths: the time tells nothing
	if subtle.ConstantTimeCompare(got[:], exp[:]) != 1 {
		t.Audit(ctx, "manager", "pin_lock_clear_refused", "wrong API token")
		return ErrWrongAPIToken
	}
	return checkout.ClearPINLock(ctx, t.journal, t.Profile().TID, "manager", "API token at the screen")
}

// CheckPIN tries the manager PIN at the terminal's screen for purpose,
// unless it is locked; the try is audited and counts towards the same lock
// as the till's. The PIN hash is the journal's copy when it has one (the
// newest: SetPIN writes it there).
func (t *Terminal) CheckPIN(ctx context.Context, pin, purpose string) (checkout.PINCheck, error) {
	p := t.Profile()
	stored := p.ManagerPIN
	if lp, err := checkout.LoadProfile(ctx, t.journal, p.TID); err == nil && lp.ManagerPIN != "" {
		stored = lp.ManagerPIN
	}
	return checkout.CheckManagerPIN(ctx, t.journal, p.TID, stored, pin, "manager", purpose)
}

// SetPIN stores a new manager PIN (its hash) in the profile, audited; it
// also lifts the lockout. It returns the profile with the new hash.
func (t *Terminal) SetPIN(ctx context.Context, pin string) (checkout.Profile, error) {
	if err := checkout.ValidatePIN(pin); err != nil {
		return checkout.Profile{}, err
	}
	h, err := checkout.HashPIN(pin)
	if err != nil {
		return checkout.Profile{}, err
	}
	t.mu.Lock()
	p := t.cur.profile
	p.ManagerPIN = h
	t.mu.Unlock()
	if err := checkout.SaveProfile(ctx, t.journal, p); err != nil {
		return checkout.Profile{}, err
	}
	t.mu.Lock()
	t.cur.profile.ManagerPIN = h
	t.mu.Unlock()
	t.Audit(ctx, "manager", checkout.AuditPINChanged, "")
	return p, nil
}
