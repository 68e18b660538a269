package ui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// reportScreen is the end-of-day report of one day: on screen, printed
// through the print queue, exported as CSV.
type reportScreen struct {
	t       *Terminal
	root    fyne.CanvasObject
	day     int // 0 today, -1 yesterday, ...
	date    *widget.Label
	table   *fyne.Container
	totals  *widget.Label
	msg     *widget.Label
	printB  *widget.Button
	export  *widget.Button
	saveAs  *widget.Button
	rep     checkout.DayReport
	loaded  bool
	loadSeq int
}

func newReportScreen(t *Terminal) *reportScreen {
	tr := t.tr
	r := &reportScreen{t: t, date: widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		table: container.NewVBox(), totals: widget.NewLabel(""), msg: widget.NewLabel("")}
	r.msg.Wrapping = fyne.TextWrapWord
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { r.day--; r.load() })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() {
		if r.day < 0 {
			r.day++
			r.load()
		}
	})
	r.printB = widget.NewButtonWithIcon(tr.T("report.print"), theme.DocumentPrintIcon(), func() { r.print() })
	r.export = widget.NewButtonWithIcon(tr.T("report.export"), theme.DocumentSaveIcon(), func() { r.exportCSV() })
	r.saveAs = widget.NewButtonWithIcon(tr.T("report.save_as"), theme.FolderOpenIcon(), func() { r.saveCSVAs() })
	if t.cfg.Kiosk {
		r.saveAs.Hide() // no file browser on a kiosk: the CSV goes beside the journal
	}
	top := container.NewBorder(nil, nil, prev, next, r.date)
	buttons := container.NewHBox(r.printB, r.export, r.saveAs)
	r.root = container.NewBorder(top, container.NewVBox(r.msg, buttons), nil, nil,
		container.NewVScroll(container.NewVBox(r.table, widget.NewSeparator(), r.totals)))
	return r
}

// load makes the day's report off the UI goroutine.
func (r *reportScreen) load() {
	t := r.t
	r.loadSeq++
	seq := r.loadSeq
	day := startOfDay(t.now()).AddDate(0, 0, r.day)
	r.date.SetText(t.tr.T("report.title", "Date", day.Format("2006-01-02")))
	core := t.core
	go func() {
		rep, err := core.DayReport(t.ctx, day)
		t.do(func() {
			if seq != r.loadSeq {
				return
			}
			if err != nil {
				r.msg.SetText(err.Error())
				return
			}
			r.rep, r.loaded = rep, true
			r.show()
		})
	}()
}

func (r *reportScreen) show() {
	t := r.t
	tr := t.tr
	rep := r.rep
	cols := func(a ...string) *fyne.Container {
		g := container.NewGridWithColumns(len(a))
		for i, s := range a {
			l := widget.NewLabel(s)
			if i > 0 {
				l.Alignment = fyne.TextAlignTrailing
			}
			g.Add(l)
		}
		return g
	}
	r.table.Objects = nil
	head := cols(tr.T("report.col_method"), tr.T("report.col_sales"), tr.T("report.col_gross"), tr.T("report.col_refunds"), tr.T("report.col_net"))
	for _, o := range head.Objects {
		o.(*widget.Label).TextStyle = fyne.TextStyle{Bold: true}
	}
	r.table.Add(head)
	for _, l := range append(rep.Lines, rep.Total) {
		name := l.Name
		if m, err := payments.LookupMethod(l.Provider, l.MethodCode); err == nil {
			name = t.walletName(m) + " · " + t.modeName(m.Mode)
		}
		if l.Provider != "" {
			name += " · " + providerName(l.Provider)
		} else {
			name = tr.T("report.total")
		}
		r.table.Add(cols(name, fmt.Sprint(l.Sales), l.Gross.String(), fmt.Sprintf("%d · -%s", l.Refunds, l.RefundTotal), l.Net.String()))
	}
	r.table.Refresh()
	r.totals.SetText(tr.T("report.unpaid_open", "Unpaid", rep.Unpaid, "Open", rep.Open) + "\n" +
		tr.T("report.generated", "At", stamp(rep.GeneratedAt)))
	r.msg.SetText("")
}

// print queues the report on the receipt printer.
func (r *reportScreen) print() {
	t := r.t
	if !r.loaded {
		return
	}
	rep := r.rep
	go func() {
		err := t.core.PrintReport(t.ctx, rep)
		t.do(func() {
			if err != nil {
				r.msg.SetText(err.Error())
				return
			}
			r.msg.SetText(t.tr.T("report.queued"))
		})
	}()
}

// reportDir is where exported reports go: ReportDir, or "reports" beside
// the journal.
func (t *Terminal) reportDir() string {
	if t.cfg.ReportDir != "" {
		return t.cfg.ReportDir
	}
	return t.core.ReportDir()
}

// exportCSV writes the report as CSV beside the journal.
func (r *reportScreen) exportCSV() {
	t := r.t
	if !r.loaded {
		return
	}
	rep, dir := r.rep, t.reportDir()
	go func() {
		path := filepath.Join(dir, fmt.Sprintf("report-%s-%s.csv", rep.TID, rep.Date))
		var b bytes.Buffer
		err := rep.WriteCSV(&b)
		if err == nil {
			err = os.MkdirAll(dir, 0o700)
		}
		if err == nil {
			err = writeFileAtomic(path, b.Bytes())
		}
		t.audit("cashier", "report_export", path)
		t.do(func() {
			if err != nil {
				r.msg.SetText(err.Error())
				return
			}
			r.msg.SetText(t.tr.T("report.exported", "Path", path))
		})
	}()
}

// writeFileAtomic writes data to path through a temporary file, so a
// crash never leaves half a report.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// saveCSVAs lets the manager pick where the CSV goes (not on kiosks).
func (r *reportScreen) saveCSVAs() {
	t := r.t
	if !r.loaded {
		return
	}
	rep := r.rep
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		go func() {
			var b bytes.Buffer
			werr := rep.WriteCSV(&b)
			if werr == nil {
				_, werr = w.Write(b.Bytes())
			}
			cerr := w.Close()
			if werr == nil {
				werr = cerr
			}
			t.do(func() {
				if werr != nil {
					r.msg.SetText(werr.Error())
					return
				}
				r.msg.SetText(t.tr.T("report.exported", "Path", strings.TrimPrefix(w.URI().String(), "file://")))
			})
		}()
	}, t.win)
	d.SetFileName(fmt.Sprintf("report-%s-%s.csv", rep.TID, rep.Date))
	d.Show()
}
