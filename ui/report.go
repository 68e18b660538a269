package ui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
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
	export  *widget.Button // the summary, beside the journal
	sales   *widget.Button // one row per sale and refund, where the manager chooses
	reconB  *widget.Button // the day beside the providers' records (reconcile.go)
	recon   *reconcileView // open once reconB was tapped
	scroll  *container.Scroll
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
	r.sales = widget.NewButtonWithIcon(tr.T("report.export_sales"), theme.FolderOpenIcon(), func() { r.askSalesFile() })
	top := container.NewBorder(nil, nil, prev, next, r.date)
	r.reconB = r.newReconcileButton()
	buttons := container.NewHBox(r.printB, r.export, r.sales, r.reconB)
	r.scroll = container.NewVScroll(container.NewVBox(r.table, widget.NewSeparator(), r.totals))
	r.root = container.NewBorder(top, container.NewVBox(r.msg, buttons), nil, nil, r.scroll)
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
		g := container.New(reportColumns)
		for i, s := range a {
			l := widget.NewLabel(s)
			l.Truncation = fyne.TextTruncateEllipsis
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
	r.scroll.Refresh() // the rows' heights changed: lay the column out again
}

// reportColumns: method, sales, gross, refunds, net; the method's name
// ends in "…" when the screen is narrow.
var reportColumns = columnsLayout{shares: []float32{0.36, 0.1, 0.18, 0.18, 0.18}, minWidth: 560}

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

// askSalesFile asks where the day's sales export goes, suggesting
// sales-T001-2026-12-01.csv; on a kiosk (no file browser for the cashier)
// it goes beside the journal, as the summary does.
func (r *reportScreen) askSalesFile() {
	t := r.t
	day := startOfDay(t.now()).AddDate(0, 0, r.day)
	name := terminal.SalesFileName(t.prof.TID, day)
	if t.cfg.Kiosk {
		r.saveSales(day, filepath.Join(t.reportDir(), name))
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			r.msg.SetText(err.Error())
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		w.Close() // saveSales replaces the file whole
		r.saveSales(day, path)
	}, t.win)
	d.SetFileName(name)
	d.Show()
}

// saveSales writes the sales and refunds of day, one row each, as CSV to
// path (through a temporary file: never half a file), off the UI
// goroutine, audited.
func (r *reportScreen) saveSales(day time.Time, path string) {
	t := r.t
	core := t.core
	go func() {
		rows, err := core.DaySales(t.ctx, day)
		var b bytes.Buffer
		if err == nil {
			err = terminal.WriteSalesCSV(&b, rows)
		}
		if err == nil {
			err = os.MkdirAll(filepath.Dir(path), 0o700)
		}
		if err == nil {
			err = writeFileAtomic(path, b.Bytes())
		}
		t.audit("cashier", "sales_export", path)
		t.do(func() {
			if err != nil {
				r.msg.SetText(err.Error())
				return
			}
			r.msg.SetText(t.tr.N("report.sales_saved", len(rows), "Path", path))
		})
	}()
}
