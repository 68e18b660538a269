package e2e_test

import (
	"context"
	"testing"

	"qrpos/hq/internal/hqtest"
)

// TestStandaloneTerminalEnrolledLater: a terminal that ran without head
// office and pruned its old unsent entries (as it does after 90 days) is
// enrolled. Head office gets what the journal still has, acknowledges past
// what it pruned, and lists those entries as missing; nothing is left to
// send.
func TestStandaloneTerminalEnrolledLater(t *testing.T) {
	r, tm := newStandalone(t, "E2E02")
	ctx := context.Background()
	r.term = hqtest.OpenTerminal(t, tm)
	old := r.sale(t, 1000)
	pruned, err := r.term.Journal().PruneUnsent(ctx, 0)
	if err != nil || pruned == 0 {
		t.Fatalf("pruned %d, %v", pruned, err)
	}
	r.term.Close()

	tm.HQ, tm.Token = r.hq.Server.URL, r.hq.Enrol(r.tid, "Central")
	r.term = hqtest.OpenTerminal(t, tm)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.term.StartHQ(cctx, "e2e")
	recent := r.sale(t, 2000)
	got := r.caughtUp(t)
	if len(got) != 1 || got[0].OutTradeNo != recent.OutTradeNo {
		t.Fatalf("head office has %+v; want only %s (%s was pruned unsent)", got, recent.OutTradeNo, old.OutTradeNo)
	}
	terminals, err := r.hq.DB.Terminals(ctx, "")
	if err != nil || len(terminals) != 1 || len(terminals[0].Journals) != 1 {
		t.Fatalf("terminals %+v %v", terminals, err)
	}
	cursor, _ := r.term.Journal().UploadCursor(ctx)
	if j := terminals[0].Journals[0]; j.Missing != pruned || j.Acked != cursor {
		t.Fatalf("head office's journal %+v; want %d missing, acked %d as the terminal's cursor", j, pruned, cursor)
	}
}
