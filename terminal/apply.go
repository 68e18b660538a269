package terminal

import (
	"context"
	"fmt"

	"qrpos/payments/checkout"
)

// Apply stores a profile the manager edited and rewires the terminal for
// it: gateways, engine, notification server and devices. Call it between
// sales; on error the terminal keeps running on the old profile's wiring.
// The returned error may also say the profile was saved but the devices
// did not start.
func (t *Terminal) Apply(ctx context.Context, p checkout.Profile) error {
	t.applyMu.Lock()
	defer t.applyMu.Unlock()
	if err := checkout.SaveProfile(ctx, t.journal, p); err != nil {
		return err
	}
	t.mu.Lock()
	old := t.cur
	t.mu.Unlock()
	old.stopServing() // its port is reused
	nw, err := wire(ctx, t.journal, p, t.log, t.receipts, t.tune)
	if err != nil {
		if rerr := old.serve(ctx); rerr != nil {
			t.log.Error("notifications not restarted", "err", rerr)
		}
		return err
	}
	old.engine.Close()
	t.mu.Lock()
	t.cur = nw
	t.mu.Unlock()
	t.followChime()
	t.applied.Publish(p)
	if err := t.devices.restart(p); err != nil {
		t.log.Error("devices", "err", err)
		return fmt.Errorf("saved, but the devices did not start: %w", err)
	}
	return nil
}

// WatchProfile follows the profiles put in force from now on, whoever
// applied them (the manager's screen, head office); stop ends it. A
// watcher that does not keep up reads Profile().
func (t *Terminal) WatchProfile() (<-chan checkout.Profile, func()) {
	return t.applied.Subscribe(4)
}
