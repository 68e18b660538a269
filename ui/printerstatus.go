package ui

// What the printer's connection tells of the printer itself, in the
// status bar beside its queue: that its status cannot be read there (so a
// receipt written is all the terminal knows), and an open cash drawer.

import (
	"fyne.io/fyne/v2/widget"

	"qrpos/terminal"
)

// PrinterStatus is the core's report of the printer: safe from any
// goroutine.
func (t *Terminal) PrinterStatus(st terminal.PrinterStatus) {
	t.do(func() {
		t.status.noStatus, t.status.drawerOpen = !st.Readable, st.DrawerOpen
		t.status.refresh()
	})
}

// printerNotes adds to the printer's line what its status says: the line
// of a ready printer whose status cannot be read says so, and an open
// drawer is added to any line.
func (s *statusBar) printerNotes(text string, imp widget.Importance, ready bool) (string, widget.Importance) {
	tr := s.t.tr
	if ready && s.noStatus {
		text, imp = tr.T("status.printer_no_status"), widget.MediumImportance
	}
	if s.drawerOpen {
		text += " · " + tr.T("status.drawer_open")
		if imp != widget.DangerImportance {
			imp = widget.WarningImportance
		}
	}
	return text, imp
}
