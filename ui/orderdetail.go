package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/terminal"
)

// orderDetail is one order: its facts, its refunds and its event
// timeline, with refund and reprint behind the manager PIN.
type orderDetail struct {
	t          *Terminal
	no         string
	root       fyne.CanvasObject
	title      *widget.Label
	facts      *fyne.Container // holds a new form at every load
	scroll     *container.Scroll
	refunds    *widget.Label
	events     *widget.Label
	msg        *widget.Label
	refundBtn  *widget.Button
	reprintBtn *widget.Button
	order      payments.Order

	refundEntry *widget.Entry // the refund dialog's amount, while open
	refundDlg   *dialog.CustomDialog
	refundOK    *widget.Button
	refundMsg   *widget.Label
}

func newOrderDetail(t *Terminal, no string) *orderDetail {
	tr := t.tr
	d := &orderDetail{t: t, no: no, title: widget.NewLabelWithStyle(no, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		facts: container.NewStack(), refunds: widget.NewLabel(""), events: widget.NewLabel(""), msg: widget.NewLabel("")}
	d.events.Wrapping = fyne.TextWrapWord
	d.msg.Wrapping = fyne.TextWrapWord
	d.msg.Importance = widget.WarningImportance
	back := widget.NewButtonWithIcon(tr.T("button.back"), theme.NavigateBackIcon(), func() { t.history.back() })
	d.refundBtn = widget.NewButtonWithIcon(tr.T("button.refund"), theme.ContentUndoIcon(), func() { d.askRefund() })
	d.reprintBtn = widget.NewButtonWithIcon(tr.T("button.reprint"), theme.DocumentPrintIcon(), func() { d.reprint() })
	d.refundBtn.Disable()
	d.reprintBtn.Disable()
	top := container.NewBorder(nil, nil, back, container.NewHBox(d.refundBtn, d.reprintBtn), d.title)
	body := container.NewVBox(d.facts, d.msg, sectionTitle(tr.T("detail.refunds")), d.refunds, sectionTitle(tr.T("detail.timeline")), d.events)
	d.scroll = container.NewVScroll(body)
	d.root = container.NewBorder(top, nil, nil, nil, d.scroll)
	return d
}

// load reads the order, its refunds and its events off the UI goroutine.
func (d *orderDetail) load() {
	t := d.t
	core := t.core
	go func() {
		od, err := core.OrderDetail(t.ctx, d.no)
		t.do(func() {
			if t.detail != d {
				return
			}
			if err != nil {
				d.msg.SetText(err.Error())
				return
			}
			d.show(od.Order, od.Refunds, od.Events)
		})
	}()
}

func (d *orderDetail) show(o payments.Order, refs []payments.Refund, evs []terminal.OrderEvent) {
	t := d.t
	tr := t.tr
	d.order = o
	items := []*widget.FormItem{
		widget.NewFormItem(tr.T("detail.state"), widget.NewLabel(t.stateName(o.State))),
		widget.NewFormItem(tr.T("detail.amount"), widget.NewLabel(o.Amount.String())),
		widget.NewFormItem(tr.T("detail.method"), widget.NewLabel(t.orderMethodName(o)+" · "+providerName(o.Provider)+" · "+t.modeName(o.Mode))),
		widget.NewFormItem(tr.T("detail.created"), widget.NewLabel(stamp(o.CreatedAt))),
	}
	if o.Refunded.Minor > 0 {
		items = append(items, widget.NewFormItem(tr.T("detail.refunded"), widget.NewLabel(o.Refunded.String())))
	}
	if o.ProviderRef != "" {
		items = append(items, widget.NewFormItem(tr.T("detail.provider_ref"), widget.NewLabel(o.ProviderRef)))
	}
	if paid := checkout.PaidInOwnCurrency(o); paid != "" {
		items = append(items, widget.NewFormItem(tr.T("detail.cash_paid"), widget.NewLabel(paid)))
	}
	if o.AuthCode != "" {
		items = append(items, widget.NewFormItem(tr.T("detail.customer_code"), widget.NewLabel(o.AuthCode)))
	}
	if o.Reason != "" && !o.State.MoneyMoved() {
		r := widget.NewLabel(o.Reason)
		r.Wrapping = fyne.TextWrapWord
		items = append(items, widget.NewFormItem(tr.T("detail.reason"), r))
	}
	// A new form each time: Form keeps its rows' widgets by position.
	d.facts.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
	d.facts.Refresh()
	var rl []string
	for _, r := range refs {
		line := fmt.Sprintf("%s  %s  %s  %s", stamp(r.CreatedAt), r.RefundNo, r.Amount, tr.T("refundstate."+string(r.State)))
		if r.Reason != "" {
			line += " — " + r.Reason
		}
		rl = append(rl, line)
	}
	if len(rl) == 0 {
		rl = []string{tr.T("detail.no_refunds")}
	}
	d.refunds.SetText(strings.Join(rl, "\n"))
	d.events.SetText(strings.Join(t.timelineLines(terminal.Timeline(o, evs)), "\n"))
	d.scroll.Refresh() // the form's height changed: lay the column out again
	m, err := o.Method()
	if o.Refundable().Minor > 0 && err == nil && m.CanRefund {
		d.refundBtn.Enable()
	} else {
		d.refundBtn.Disable()
	}
	if o.State.MoneyMoved() {
		d.reprintBtn.Enable()
	} else {
		d.reprintBtn.Disable()
	}
}

// updated reloads the detail when its order moved.
func (d *orderDetail) updated(u checkout.Update) {
	if u.Order.OutTradeNo == d.no {
		d.load()
	}
}

// askRefund asks how much to refund (the whole refundable balance by
// default), then the manager PIN, then refunds.
func (d *orderDetail) askRefund() {
	t := d.t
	tr := t.tr
	o := d.order
	left := o.Refundable()
	d.refundEntry = widget.NewEntry()
	d.refundEntry.SetText(left.Decimal())
	d.refundMsg = widget.NewLabel(tr.T("refund.max", "Amount", left.String()))
	d.refundMsg.Wrapping = fyne.TextWrapWord
	d.refundOK = widget.NewButton(tr.T("button.refund"), nil)
	d.refundOK.Importance = widget.DangerImportance
	cancel := widget.NewButton(tr.T("button.cancel"), nil)
	content := container.NewVBox(widget.NewLabel(tr.T("refund.prompt", "Order", o.OutTradeNo, "Amount", o.Amount.String())),
		d.refundEntry, d.refundMsg)
	dlg := dialog.NewCustomWithoutButtons(tr.T("refund.title"), content, t.win)
	dlg.SetButtons([]fyne.CanvasObject{cancel, d.refundOK})
	d.refundDlg = dlg
	cancel.OnTapped = func() { dlg.Hide() }
	d.refundOK.OnTapped = func() {
		amt, err := payments.ParseMoney(strings.TrimSpace(d.refundEntry.Text), o.Amount.Currency, payments.Range{Min: 1, Max: left.Minor})
		if err != nil {
			d.refundMsg.SetText(err.Error())
			return
		}
		dlg.Hide()
		t.withPIN("refund "+o.OutTradeNo+" "+amt.Decimal(), func() { d.refund(amt) })
	}
	dlg.Resize(fyne.NewSize(460, 260))
	dlg.Show()
}

// refund sends the refund through the engine, off the UI goroutine.
func (d *orderDetail) refund(amt payments.Money) {
	t := d.t
	tr := t.tr
	core, no := t.core, d.no
	d.msg.SetText(tr.T("refund.sending", "Amount", amt.String()))
	d.refundBtn.Disable()
	go func() {
		r, err := core.Refund(t.ctx, no, amt)
		t.do(func() {
			switch {
			case err != nil:
				var re *terminal.RefundRefused
				if errors.As(err, &re) {
					d.msg.SetText(re.Reason)
				} else {
					d.msg.SetText(err.Error())
				}
			case r.State == payments.RefundDone:
				d.msg.SetText(tr.T("refund.done", "Amount", r.Amount.String(), "Refund", r.RefundNo))
			case r.State == payments.RefundFailed:
				d.msg.SetText(tr.T("refund.failed", "Reason", nonEmpty(r.Reason, tr.T("result.no_reason"))))
			default:
				d.msg.SetText(tr.T("refund.pending", "Refund", r.RefundNo))
			}
			if t.detail == d {
				d.load()
			}
		})
	}()
}

// reprint queues a copy of the receipt, behind the manager PIN.
func (d *orderDetail) reprint() {
	t := d.t
	o := d.order
	t.withPIN("reprint "+o.OutTradeNo, func() {
		go func() {
			err := t.core.Reprint(t.ctx, o, "manager")
			t.do(func() {
				if err != nil {
					d.msg.SetText(err.Error())
					return
				}
				d.msg.SetText(t.tr.T("detail.reprint_queued"))
			})
		}()
	})
}

// timelineLines words an order's timeline (the core collapses repeated
// status checks into one line), one line each: the time, what happened,
// the state change, the journal's own words.
func (t *Terminal) timelineLines(tl []terminal.TimelineEntry) []string {
	tr := t.tr
	var out []string
	for _, e := range tl {
		line := clock(e.At) + "  "
		if e.Kind == terminal.TimelinePolls {
			line += t.pollsText(e)
		} else {
			line += tr.T("timeline." + string(e.Kind))
			if e.StateTo != "" {
				line += fmt.Sprintf(": %s → %s", t.stateName(e.StateFrom), t.stateName(e.StateTo))
			}
		}
		if det := strings.TrimSpace(e.Detail); det != "" && e.Kind != terminal.TimelineCreated { // the facts say what was created
			if r := []rune(det); len(r) > 160 {
				det = string(r[:160]) + "…"
			}
			line += "  · " + det
		}
		out = append(out, line)
	}
	return out
}

// pollsText is a run of status checks: how many, over which span, how
// many had no answer.
func (t *Terminal) pollsText(e terminal.TimelineEntry) string {
	tr := t.tr
	span := clock(e.At)
	if to := clock(e.Until); to != span {
		span += "–" + to
	}
	s := tr.N("timeline.polls", e.Count, "Span", span)
	if e.RefundNo != "" {
		s = tr.N("timeline.refund_polls", e.Count, "Span", span, "Refund", e.RefundNo)
	}
	if e.NoAnswer > 0 {
		s += " " + tr.N("timeline.no_answers", e.NoAnswer)
	}
	return s
}
