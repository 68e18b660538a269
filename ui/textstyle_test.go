package ui

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// styleRecorder is the terminal's theme, noting every text style Fyne asks
// it for a font: Fyne parses the screen fonts once per style.
type styleRecorder struct {
	posTheme
	mu   sync.Mutex
	seen map[fyne.TextStyle]bool
}

func (s *styleRecorder) Font(st fyne.TextStyle) fyne.Resource {
	s.mu.Lock()
	s.seen[st] = true
	s.mu.Unlock()
	return s.posTheme.Font(st)
}

// TestTwoTextStyles: every screen (the sale from entry to paid, the
// customer display, history with orders, the day report, settings, in
// Chinese) draws in regular and bold only. Each further style costs the
// terminal another parse of the screen font, Fyne's and the system's
// (3.8 MiB of heap for monospace; issue 18).
func TestTwoTextStyles(t *testing.T) {
	r := newRig(t, rigOptions{language: TraditionalChinese})
	rec := &styleRecorder{seen: map[fyne.TextStyle]bool{}}
	r.app.Settings().SetTheme(rec)
	r.drain(50 * time.Millisecond)
	term := r.term
	capture := func() {
		term.win.Canvas().Capture()
		term.cust.win.Canvas().Capture()
	}
	capture()
	r.typeAmount("12.3")
	capture()
	r.paidSale("8", "qfpay:800201")
	capture()
	for _, tab := range []fyne.CanvasObject{term.history.root, term.report.root, term.settings.root} {
		term.showTab(tab)
		r.drain(50 * time.Millisecond)
		capture()
	}
	r.openSettings()
	r.drain(50 * time.Millisecond)
	capture()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !rec.seen[fyne.TextStyle{}] || !rec.seen[fyne.TextStyle{Bold: true}] {
		t.Fatalf("styles asked for: %v; the recorder saw no text", rec.seen)
	}
	for st := range rec.seen {
		if st != (fyne.TextStyle{}) && st != (fyne.TextStyle{Bold: true}) && st != (fyne.TextStyle{Symbol: true}) {
			t.Errorf("a screen draws in %+v: only regular and bold (and Fyne's symbols)", st)
		}
	}
}
