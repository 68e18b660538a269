package ui

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// probeState is what the last reachability probe of a provider found.
type probeState struct {
	checked bool
	up      bool
	err     string
	at      time.Time
}

// statusBar is the bottom line: scanner, printer, providers.
type statusBar struct {
	t         *Terminal
	root      fyne.CanvasObject
	scan      *widget.Label
	print     *widget.Label
	providers map[payments.Provider]*widget.Label
}

func newStatusBar(t *Terminal) *statusBar {
	s := &statusBar{t: t, scan: widget.NewLabel(""), print: widget.NewLabel(""), providers: map[payments.Provider]*widget.Label{}}
	s.scan.Truncation = fyne.TextTruncateEllipsis
	s.print.Truncation = fyne.TextTruncateEllipsis
	box := container.NewHBox()
	for _, p := range t.cfg.Providers {
		// Wide enough for the longest state, so the bar never re-lays out.
		l := widget.NewLabel(t.tr.T("status.provider_down", "Provider", providerName(p.Provider)))
		s.providers[p.Provider] = l
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
	case "wedge":
		s.scan.SetText(tr.T("status.scanner_wedge"))
		s.scan.Importance = widget.MediumImportance
	case "up":
		s.scan.SetText(tr.T("status.scanner_up", "Port", t.scanPort))
		s.scan.Importance = widget.SuccessImportance
	case "down":
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
	s.print.Refresh()
	for _, p := range t.cfg.Providers {
		st := t.probes[p.Provider]
		l := s.providers[p.Provider]
		switch {
		case st == nil || !st.checked:
			l.SetText(tr.T("status.provider_unknown", "Provider", providerName(p.Provider)))
			l.Importance = widget.MediumImportance
		case st.up:
			l.SetText(tr.T("status.provider_up", "Provider", providerName(p.Provider)))
			l.Importance = widget.SuccessImportance
		default:
			l.SetText(tr.T("status.provider_down", "Provider", providerName(p.Provider)))
			l.Importance = widget.DangerImportance
		}
		l.Refresh()
	}
}

// runProbes checks every provider's base URL now and then, off the UI
// goroutine: any HTTP answer means reachable (the probe sends no payment
// request and no credential).
func (t *Terminal) runProbes() {
	for {
		for _, p := range t.cfg.Providers {
			err := probe(t.ctx, t.http, p.BaseURL)
			if t.ctx.Err() != nil {
				return
			}
			prov := p.Provider
			t.do(func() {
				st := t.probes[prov]
				if st == nil {
					st = &probeState{}
					t.probes[prov] = st
				}
				st.checked, st.up, st.at = true, err == nil, t.now()
				st.err = ""
				if err != nil {
					st.err = err.Error()
				}
				t.status.refresh()
			})
		}
		select {
		case <-t.ctx.Done():
			return
		case <-time.After(t.cfg.ProbeEvery):
		}
	}
}

// probe sends one GET to u; any HTTP answer is reachable.
func probe(ctx context.Context, hc *http.Client, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil
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
	st := t.probes[p]
	if st == nil {
		return false, false
	}
	return st.checked, st.up
}
