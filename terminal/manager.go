package terminal

import (
	"context"

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
