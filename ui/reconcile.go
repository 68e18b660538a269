package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/terminal"
)

// reconcileView is End of day's "Reconcile with provider": the day's
// differences between the journal and the providers' own records, as the
// core found them (terminal.ReconcileDay), each with what to do, and
// "Take into the journal" on a sale the provider holds that the journal
// lacks (behind the manager PIN; the core asks the provider again and
// audits it). It shows and fixes nothing by itself.
type reconcileView struct {
	t      *Terminal
	day    time.Time
	dlg    *dialog.CustomDialog
	status *widget.Label
	list   *fyne.Container
	rec    terminal.Reconciliation
	loaded bool
	seq    int
	takeIn map[string]*widget.Button // the rows' take-in buttons, by order number
}

// newReconcileButton is End of day's button that opens the view for the
// day on screen.
func (r *reportScreen) newReconcileButton() *widget.Button {
	return widget.NewButtonWithIcon(r.t.tr.T("report.reconcile"), theme.SearchIcon(), func() {
		r.recon = r.t.openReconcile(startOfDay(r.t.now()).AddDate(0, 0, r.day))
	})
}

// openReconcile shows the view of day and asks the core.
func (t *Terminal) openReconcile(day time.Time) *reconcileView {
	v := &reconcileView{t: t, day: day, status: widget.NewLabel("")}
	v.status.Wrapping = fyne.TextWrapWord
	v.list = container.NewVBox(v.status) // the summary scrolls with the rows: it may be long
	v.dlg = dialog.NewCustom(t.tr.T("reconcile.title", "Date", day.Format("2006-01-02")), t.tr.T("button.close"),
		container.NewVScroll(v.list), t.win)
	v.dlg.Resize(fyne.NewSize(min(760, t.win.Canvas().Size().Width-20), min(540, t.win.Canvas().Size().Height-20)))
	v.dlg.Show()
	v.load()
	return v
}

// load asks the core for the day's differences, off the UI goroutine.
func (v *reconcileView) load() {
	t := v.t
	v.seq++
	seq, day, core := v.seq, v.day, t.core
	v.loaded = false
	v.status.SetText(t.tr.T("reconcile.asking"))
	go func() {
		rec, err := core.ReconcileDay(t.ctx, day)
		t.do(func() {
			if seq != v.seq {
				return
			}
			if err != nil {
				v.status.SetText(err.Error())
				return
			}
			v.rec, v.loaded = rec, true
			v.show()
		})
	}()
}

// show lays the differences out: a summary, then one block each.
func (v *reconcileView) show() {
	t, rec := v.t, v.rec
	tr := t.tr
	summary := tr.T("reconcile.compared", "Sales", rec.Sales, "Refunds", rec.Refunds)
	for _, p := range rec.Providers {
		if p.Err != "" {
			summary += "\n" + tr.T("reconcile.not_asked", "Provider", providerName(p.Provider), "Error", p.Err)
		}
	}
	others := len(rec.Differences) - rec.Ours()
	switch {
	case rec.Clean():
		summary += "\n" + tr.T("reconcile.clean")
	case rec.Ours() > 0:
		summary += "\n" + tr.N("reconcile.found", rec.Ours())
	}
	if others > 0 {
		summary += "\n" + tr.N("reconcile.others", others)
	}
	v.status.SetText(summary)
	v.list.Objects = []fyne.CanvasObject{v.status, widget.NewSeparator()}
	v.takeIn = map[string]*widget.Button{}
	for _, d := range rec.Differences {
		v.list.Add(v.row(d))
		v.list.Add(widget.NewSeparator())
	}
	v.list.Refresh()
}

// row is one difference: what it is, where, both sides, what to do.
func (v *reconcileView) row(d terminal.Difference) fyne.CanvasObject {
	tr := v.t.tr
	title := widget.NewLabelWithStyle(tr.T("reconcile.kind."+string(d.Kind))+" · "+providerName(d.Provider), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	var where []string
	if d.OutTradeNo != "" {
		where = append(where, tr.T("reconcile.order", "No", d.OutTradeNo))
	}
	if d.RefundNo != "" {
		where = append(where, tr.T("reconcile.refund", "No", d.RefundNo))
	}
	if d.ProviderRef != "" {
		where = append(where, tr.T("reconcile.ref", "Ref", d.ProviderRef))
	}
	if d.TID != "" && !d.Ours() {
		where = append(where, tr.T("reconcile.tid", "TID", d.TID))
	}
	if !d.At.IsZero() {
		where = append(where, stamp(d.At))
	}
	sides := tr.T("reconcile.here", "What", v.side(d, d.Here, d.HereState)) + " · " + tr.T("reconcile.there", "What", v.side(d, d.There, d.ThereState))
	if d.Reason != "" {
		sides += " (" + d.Reason + ")"
	}
	todo := widget.NewLabel(tr.T("reconcile.todo", "What", tr.T("reconcile.do."+string(d.Kind))))
	todo.Wrapping = fyne.TextWrapWord
	info := widget.NewLabel(joinDot(where) + "\n" + sides)
	info.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, info, todo)
	if d.CanTakeIn() {
		b := widget.NewButtonWithIcon(tr.T("reconcile.take_in"), theme.ContentAddIcon(), func() { v.askTakeIn(d) })
		b.Importance = widget.HighImportance
		v.takeIn[d.OutTradeNo] = b
		box.Add(container.NewHBox(b))
	}
	return box
}

// side is one side's amount and state in words, or "nothing".
func (v *reconcileView) side(d terminal.Difference, m payments.Money, state string) string {
	tr := v.t.tr
	if m == (payments.Money{}) && state == "" {
		return tr.T("reconcile.nothing")
	}
	s := ""
	if m != (payments.Money{}) {
		s = m.String()
		if !m.Currency.Valid() {
			s = fmt.Sprintf("%s %d", m.Currency, m.Minor)
		}
	}
	if state == "" {
		return s
	}
	word := v.t.stateName(payments.State(state))
	if d.RefundNo != "" {
		word = tr.T("refundstate." + state)
	}
	if s == "" {
		return word
	}
	return s + " " + word
}

// askTakeIn takes the provider's sale into the journal, behind the
// manager PIN, and asks the providers again.
func (v *reconcileView) askTakeIn(d terminal.Difference) {
	t := v.t
	t.withPIN("take in "+d.OutTradeNo, func() {
		if b := v.takeIn[d.OutTradeNo]; b != nil {
			b.Disable()
		}
		core := t.core
		go func() {
			o, err := core.TakeIn(t.ctx, d)
			t.do(func() {
				if err != nil {
					t.showError(err)
					if b := v.takeIn[d.OutTradeNo]; b != nil {
						b.Enable()
					}
					return
				}
				t.showMessage(t.tr.T("reconcile.take_in"), t.tr.T("reconcile.taken", "No", o.OutTradeNo, "Amount", o.Amount.String()))
				v.load()
			})
		}()
	})
}

// joinDot joins parts with " · ".
func joinDot(parts []string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += " · "
		}
		s += p
	}
	return s
}
