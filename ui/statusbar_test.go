package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"qrpos/hq/wire"
)

// TestStatusBarShowsHeadOffice: with a head office in the profile the
// status bar says whether it holds everything: unreachable and never
// reached while it answers 503 (with the entries waiting), head office's
// own words while it refuses the batches (409: a person must act), a tick
// once it acknowledges them.
func TestStatusBarShowsHeadOffice(t *testing.T) {
	var mode atomic.Int32 // 0 down, 1 refusing, 2 up
	hq := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b wire.Batch
		switch {
		case mode.Load() == 1:
			w.WriteHeader(http.StatusConflict)
			json.NewEncoder(w).Encode(wire.Error{Code: "other_tid", Message: "journal belongs to terminal T009"})
			return
		case mode.Load() == 0 || json.NewDecoder(r.Body).Decode(&b) != nil:
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		ack := wire.Ack{JournalID: b.JournalID}
		if n := len(b.Entries); n > 0 {
			ack.Acked = b.Entries[n-1].Seq
		}
		json.NewEncoder(w).Encode(ack)
	}))
	defer hq.Close()
	r := newRig(t, rigOptions{language: English, hq: hq.URL})
	bar := r.term.status.hq
	r.until("head office unreachable", func() bool {
		return bar.Visible() && strings.HasPrefix(bar.Text, "Head office unreachable") && strings.Contains(bar.Text, "never reached")
	})
	if strings.Contains(bar.Text, ": 0 waiting") {
		t.Fatalf("status bar %q: the journal's entries are waiting", bar.Text)
	}
	mode.Store(1)
	r.until("head office refusing", func() bool {
		return bar.Text != "" && strings.HasPrefix(bar.Text, "Head office refuses uploads") && strings.HasSuffix(bar.Text, "journal belongs to terminal T009")
	})
	mode.Store(2)
	r.until("head office up to date", func() bool { return bar.Text == "Head office ✓" })
}

// TestStatusBarWithoutHeadOffice: a terminal with no head office shows
// nothing about one.
func TestStatusBarWithoutHeadOffice(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	r.drain(200e6)
	if r.term.status.hq.Visible() {
		t.Fatalf("status bar shows %q without a head office", r.term.status.hq.Text)
	}
}
