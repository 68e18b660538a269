package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestTerminalShowsStatus(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()
	term := NewTerminal(a, Status{TID: "T001", StoreName: "Demo Store", Demo: true, JournalPath: "/tmp/pos.db", OpenOrders: 2})
	w := term.Window()
	w.Show()
	if w.Title() != "QR POS — T001 (demo)" {
		t.Fatalf("title = %q", w.Title())
	}
	if !strings.Contains(term.StatusText(), "2 open orders") {
		t.Fatalf("status = %q", term.StatusText())
	}
	found := false
	for _, o := range test.LaidOutObjects(w.Content()) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Demo Store" {
			found = true
		}
	}
	if !found {
		t.Fatal("store name not drawn")
	}
}
