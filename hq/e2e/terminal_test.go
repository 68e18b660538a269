package e2e_test

import (
	"context"
	"slices"
	"testing"

	"qrpos/hq/store"
	"qrpos/payments"
)

// TestSalesReachHeadOffice: a real terminal's sales and a refund, made
// through the sandbox, reach a real head office: every order with the
// journal's state, amount and provider reference, its whole timeline,
// the refund, and the terminal's status, with nothing left to send.
func TestSalesReachHeadOffice(t *testing.T) {
	r := newRig(t, "E2E01")
	ctx := context.Background()
	var sold []payments.Order
	for i := range 4 {
		sold = append(sold, r.sale(t, int64(1000+i*250)))
	}
	refund, err := r.term.Refund(ctx, sold[1].OutTradeNo, payments.Money{Minor: 300, Currency: "HKD"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refund done", func() bool {
		rs, _ := r.term.Journal().Refunds(ctx, sold[1].OutTradeNo)
		return len(rs) == 1 && rs[0].State == payments.RefundDone
	})
	got := r.caughtUp(t)
	if len(got) != len(sold) {
		t.Fatalf("head office has %d orders of %s, the terminal made %d", len(got), r.tid, len(sold))
	}
	for _, o := range sold {
		j, _ := r.term.Journal().Order(ctx, o.OutTradeNo)
		i := slices.IndexFunc(got, func(h store.Order) bool { return h.OutTradeNo == o.OutTradeNo })
		if i < 0 {
			t.Fatalf("%s missing at head office", o.OutTradeNo)
		}
		h := got[i]
		if h.State != string(j.State) || h.AmountMinor != j.Amount.Minor || h.Currency != string(j.Amount.Currency) ||
			h.ProviderRef != j.ProviderRef || h.RefundedMinor != j.Refunded.Minor || h.Store != "Central" {
			t.Errorf("head office has %+v, the journal %+v", h, j)
		}
		assertTimeline(t, r, o.OutTradeNo)
	}
	d, err := r.hq.DB.Order(ctx, r.tid, sold[1].OutTradeNo)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != string(payments.PartlyRefunded) || len(d.Refunds) != 1 || d.Refunds[0].RefundNo != refund.RefundNo ||
		d.Refunds[0].State != "done" || d.Refunds[0].AmountMinor != 300 {
		t.Errorf("the refunded order at head office: %s with refunds %+v", d.State, d.Refunds)
	}
	assertTerminalSeen(t, r)
}

// assertTimeline: head office shows every event the journal has of order
// no, in the journal's order.
func assertTimeline(t *testing.T, r *rig, no string) {
	t.Helper()
	ctx := context.Background()
	events, err := r.term.Journal().Events(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.hq.DB.Order(ctx, r.tid, no)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Timeline) != len(events) {
		t.Fatalf("%s: head office shows %d steps, the journal has %d", no, len(d.Timeline), len(events))
	}
	for i, e := range events {
		if d.Timeline[i].Kind != string(e.Kind) {
			t.Errorf("%s step %d: head office %q, journal %q", no, i, d.Timeline[i].Kind, e.Kind)
		}
	}
}

// assertTerminalSeen: head office lists the terminal as seen, its version
// and nothing waiting, with its one journal.
func assertTerminalSeen(t *testing.T, r *rig) {
	t.Helper()
	ts, err := r.hq.DB.Terminals(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].TID != r.tid || ts[0].LastSeen == nil || ts[0].Version != "e2e" || len(ts[0].Journals) != 1 ||
		ts[0].Journals[0].JournalID != r.term.Journal().ID() {
		t.Fatalf("head office's terminals: %+v", ts)
	}
	cursor, err := r.term.Journal().UploadCursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if acked := ts[0].Journals[0].Acked; cursor == 0 || acked != cursor {
		t.Fatalf("head office holds up to %d, the terminal's cursor is %d", acked, cursor)
	}
}
