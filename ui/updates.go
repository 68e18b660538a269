package ui

// What the UI hears from the core: every engine update (the lists, the
// order detail, the banner, the till's sales).

import (
	"qrpos/payments/checkout"
)

// subscribe follows the engine's updates (again after the engine changed).
func (t *Terminal) subscribe() {
	if t.unsub != nil {
		t.unsub()
	}
	ch, stop := t.core.Subscribe(256)
	t.unsub = stop
	go func() {
		for u := range ch {
			t.do(func() { t.onUpdate(u) })
		}
	}()
	// A till's sale that began before the UI listened (the local API
	// serves from the start, the UI listens from its first frame) is taken
	// up now; adoptTillSale takes a sale once, also when its update comes.
	for _, s := range t.core.Sales() {
		if s.Origin == "till" {
			t.adoptTillSale(s.OutTradeNo())
		}
	}
}

// onUpdate takes one engine update (UI goroutine). The sale on the screen
// follows its own watch (followSale); this keeps the lists, the detail and
// the banner current and picks up the till's sales.
func (t *Terminal) onUpdate(u checkout.Update) {
	no := u.Order.OutTradeNo
	if u.Kind == checkout.UpdateCreated && u.Origin == "till" {
		t.adoptTillSale(no)
	}
	if u.Kind == checkout.UpdateAttention {
		// No final word from the provider for too long: the manager sees
		// it in the banner; the engine keeps checking.
		rec := checkout.Recovered{OutTradeNo: no, From: string(u.Order.State), To: string(u.Order.State), Note: u.Message}
		if u.Refund != nil {
			rec.RefundNo, rec.From, rec.To = u.Refund.RefundNo, string(u.Refund.State), string(u.Refund.State)
		}
		t.recovered = append(t.recovered, rec)
		t.refreshBanner()
	}
	if u.Kind != checkout.UpdateWorking {
		t.history.updated(u.Order)
		if t.detail != nil {
			t.detail.updated(u)
		}
	}
}

// watchProfile follows the profiles the core puts in force from elsewhere
// (head office, between sales) so the screens never show, or save back, a
// stale one.
func (t *Terminal) watchProfile() {
	ch, stop := t.core.WatchProfile()
	go func() {
		defer stop()
		for {
			select {
			case p := <-ch:
				t.do(func() { t.profileApplied(p) })
			case <-t.ctx.Done():
				return
			}
		}
	}()
}

// profileApplied takes a profile in force (UI goroutine). The manager's
// open settings are left as they are (saving writes only the fields they
// changed onto the profile in force).
func (t *Terminal) profileApplied(p checkout.Profile) {
	if len(changedFields(t.prof, p)) == 0 {
		return
	}
	t.prof = p
	t.applyTheme()
	t.subscribe()
	if t.settings != nil && t.settings.open {
		return
	}
	if ntr, err := NewTranslator(Language(p.Language)); err == nil {
		t.tr = ntr
	}
	t.build()
}
