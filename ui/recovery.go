package ui

// What recovery did at start: the open orders a previous run left, finished
// off the UI goroutine and shown in a banner until dismissed.

import (
	"sort"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// recover finishes the orders a previous run left open, off the UI
// goroutine, then lets sales start and shows what it did.
func (t *Terminal) recover() {
	core, ctx := t.core, t.ctx
	t.ready = false
	t.refreshCashier()
	go func() {
		recs, err := core.Recover(ctx)
		t.do(func() {
			t.ready = true
			t.recovered = append(t.recovered, recs...)
			if err != nil {
				t.recErr = err.Error()
			}
			t.refreshBanner()
			t.refreshCashier()
			t.refreshHistory()
			if t.cfg.OnReady != nil {
				t.cfg.OnReady()
			}
			t.nextAsk()
		})
	}()
}

// refreshBanner shows what recovery did at start, until dismissed.
func (t *Terminal) refreshBanner() {
	if t.banner == nil {
		return
	}
	t.banner.Objects = nil
	if len(t.recovered) > 0 || t.recErr != "" {
		t.banner.Add(newRecoveryBanner(t))
	}
	t.banner.Refresh()
}

// recoveredLines describes recovered orders for people.
func (t *Terminal) recoveredLines() []string {
	var out []string
	recs := append([]checkout.Recovered(nil), t.recovered...)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].OutTradeNo < recs[j].OutTradeNo })
	for _, r := range recs {
		what := r.OutTradeNo
		if r.RefundNo != "" {
			what = t.tr.T("banner.refund", "Refund", r.RefundNo, "Order", r.OutTradeNo)
		}
		line := t.tr.T("banner.line", "What", what, "From", t.stateName(payments.State(r.From)), "To", t.stateName(payments.State(r.To)))
		if r.Note != "" {
			line += " — " + r.Note
		}
		out = append(out, line)
	}
	if t.recErr != "" {
		out = append(out, t.tr.T("banner.error", "Error", t.recErr))
	}
	return out
}
