package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/terminal"
)

// statusBar is the bottom line: scanner, printer, providers.
type statusBar struct {
	t         *Terminal
	root      fyne.CanvasObject
	scan      *widget.Label
	print     *widget.Label
	hq        *widget.Label // shown while the profile names a head office
	providers map[payments.Provider]*widget.Label
	// what the printer's connection says (printerstatus.go)
	noStatus, drawerOpen bool
}

func newStatusBar(t *Terminal) *statusBar {
	s := &statusBar{t: t, scan: widget.NewLabel(""), print: widget.NewLabel(""), hq: widget.NewLabel(""),
		providers: map[payments.Provider]*widget.Label{}}
	s.scan.Truncation = fyne.TextTruncateEllipsis
	s.print.Truncation = fyne.TextTruncateEllipsis
	s.hq.Hide()
	box := container.NewHBox(s.hq)
	for _, p := range t.providers {
		// Wide enough for the longest state, so the bar never re-lays out.
		l := widget.NewLabel(t.tr.T("status.provider_down", "Provider", providerName(p)))
		s.providers[p] = l
		box.Add(l)
	}
	s.root = container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, box, container.NewGridWithColumns(2, s.scan, s.print)))
	return s
}

// refresh shows the devices' and providers' status (UI goroutine).
func (s *statusBar) refresh() {
	t := s.t
	tr := t.tr
	switch t.scanState {
	case terminal.ScannerWedge:
		s.scan.SetText(tr.T("status.scanner_wedge"))
		s.scan.Importance = widget.MediumImportance
	case terminal.ScannerUp:
		s.scan.SetText(tr.T("status.scanner_up", "Port", t.scanPort))
		s.scan.Importance = widget.SuccessImportance
	case terminal.ScannerDown:
		s.scan.SetText(tr.T("status.scanner_down", "Port", t.scanPort, "Error", t.scanErr))
		s.scan.Importance = widget.DangerImportance
	default:
		s.scan.SetText(tr.T("status.scanner_wait"))
		s.scan.Importance = widget.MediumImportance
	}
	s.scan.Refresh()
	switch {
	case t.printErr != "":
		s.print.SetText(tr.T("status.printer_error", "Queued", t.printQueued, "Error", t.printErr))
		s.print.Importance = widget.DangerImportance
	case t.printQueued > 0:
		s.print.SetText(tr.T("status.printer_queued", "Queued", t.printQueued))
		s.print.Importance = widget.WarningImportance
	default:
		s.print.SetText(tr.T("status.printer_ready"))
		s.print.Importance = widget.SuccessImportance
	}
	s.print.Text, s.print.Importance = s.printerNotes(s.print.Text, s.print.Importance, t.printErr == "" && t.printQueued == 0)
	s.print.Refresh()
	s.refreshHQ()
	for _, p := range t.providers {
		st := t.health[p]
		l := s.providers[p]
		switch {
		case !st.Checked:
			l.SetText(tr.T("status.provider_unknown", "Provider", providerName(p)))
			l.Importance = widget.MediumImportance
		case st.Up:
			l.SetText(tr.T("status.provider_up", "Provider", providerName(p)))
			l.Importance = widget.SuccessImportance
		default:
			l.SetText(tr.T("status.provider_down", "Provider", providerName(p)))
			l.Importance = widget.DangerImportance
		}
		l.Refresh()
	}
}

// refreshHQ shows the link to head office: hidden without one, a tick
// when head office holds everything, the entries waiting, and when it last
// answered if the last contact failed.
func (s *statusBar) refreshHQ() {
	st, tr := s.t.hqState, s.t.tr
	switch {
	case !st.On:
		s.hq.Hide()
		return
	case st.Refused != "":
		s.hq.SetText(tr.T("status.hq_refused", "Count", st.Backlog, "Error", st.Refused))
		s.hq.Importance = widget.DangerImportance
	case st.Err != "" && st.LastUpload.IsZero():
		s.hq.SetText(tr.T("status.hq_never", "Count", st.Backlog))
		s.hq.Importance = widget.WarningImportance
	case st.Err != "":
		s.hq.SetText(tr.T("status.hq_down", "Count", st.Backlog, "Time", st.LastUpload.Local().Format("02/01 15:04")))
		s.hq.Importance = widget.WarningImportance
	case st.Backlog > 0:
		s.hq.SetText(tr.T("status.hq_sending", "Count", st.Backlog))
		s.hq.Importance = widget.MediumImportance
	case st.RelayRefused > 0:
		s.hq.SetText(tr.T("status.hq_relay_refused", "Count", st.RelayRefused))
		s.hq.Importance = widget.WarningImportance
	default:
		s.hq.SetText(tr.T("status.hq_up"))
		s.hq.Importance = widget.SuccessImportance
	}
	s.hq.Show()
	s.hq.Refresh()
}

// newRecoveryBanner lists what recovery finished at start, until dismissed.
func newRecoveryBanner(t *Terminal) fyne.CanvasObject {
	lines := t.recoveredLines()
	title := widget.NewLabelWithStyle(t.tr.T("banner.title", "Count", len(t.recovered)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := widget.NewLabel(strings.Join(lines, "\n"))
	body.Wrapping = fyne.TextWrapWord
	dismiss := widget.NewButtonWithIcon(t.tr.T("button.dismiss"), theme.CancelIcon(), func() {
		t.recovered, t.recErr = nil, ""
		t.refreshBanner()
	})
	box := container.NewBorder(nil, nil, nil, container.NewVBox(dismiss), container.NewVBox(title, body))
	return container.NewStack(canvas.NewRectangle(colorBanner), container.NewPadded(box))
}

// probeFor reports a provider's reachability (tests, settings).
func (t *Terminal) probeFor(p payments.Provider) (checked, up bool) {
	st := t.health[p]
	return st.Checked, st.Up
}
