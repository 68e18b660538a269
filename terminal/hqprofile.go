package terminal

import (
	"context"
	"errors"
	"fmt"

	hqwire "qrpos/hq/wire"
	"qrpos/payments/checkout"
)

// errSaleRunning: a profile from head office waits for the sale to end.
var errSaleRunning = errors.New("a sale is running")

// offer keeps a profile head office made, when it is newer than the one
// the terminal runs, for applyPending.
func (l *hqLink) offer(ctx context.Context, up hqwire.ProfileUpdate) {
	running, err := l.profileVersion(ctx, l.t.Profile().TID)
	if err != nil || up.Version <= running {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if up.Version != l.refused && (l.pending == nil || up.Version > l.pending.Version) {
		l.pending = &up
	}
}

// applyPending applies the profile head office made when no sale runs; a
// profile that cannot be applied is audited and not tried again.
func (l *hqLink) applyPending(ctx context.Context) {
	l.mu.Lock()
	up := l.pending
	l.mu.Unlock()
	if up == nil {
		return
	}
	err := l.t.applyHQProfile(ctx, *up)
	if errors.Is(err, errSaleRunning) {
		return // after the sale
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = nil
	if err != nil {
		l.refused = up.Version
		l.lastErr = fmt.Sprintf("profile %d from head office: %v", up.Version, err)
	}
}

// applyHQProfile puts head office's profile in force through Apply, the
// way a manager's edit goes, between sales, and audits it.
func (t *Terminal) applyHQProfile(ctx context.Context, up hqwire.ProfileUpdate) error {
	p, err := checkout.ProfileFromHQ(t.Profile(), up.Settings)
	if err == nil {
		if len(t.Engine().Sales()) > 0 {
			return errSaleRunning
		}
		err = t.Apply(ctx, p)
	}
	if err != nil {
		t.log.Error("profile from head office", "version", up.Version, "by", up.By, "err", err)
		t.Audit(ctx, "hq", "hq_profile_refused", fmt.Sprintf("hq profile %d by %s: %v", up.Version, up.By, err))
		return err
	}
	if err := t.journal.SetHQProfileVersion(ctx, up.Version); err != nil {
		t.log.Error("profile from head office", "version", up.Version, "err", err)
	}
	t.Audit(ctx, "hq", "hq_profile", fmt.Sprintf("hq profile %d by %s", up.Version, up.By))
	t.log.Info("applied the profile from head office", "version", up.Version, "by", up.By)
	return nil
}
