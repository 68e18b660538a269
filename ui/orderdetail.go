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
	d.events.TextStyle = fyne.TextStyle{Monospace: true}
	d.msg.Wrapping = fyne.TextWrapWord
	d.msg.Importance = widget.WarningImportance
	back := widget.NewButtonWithIcon(tr.T("button.back"), theme.NavigateBackIcon(), func() { t.history.back() })
	d.refundBtn = widget.NewButtonWithIcon(tr.T("button.refund"), theme.ContentUndoIcon(), func() { d.askRefund() })
	d.reprintBtn = widget.NewButtonWithIcon(tr.T("button.reprint"), theme.DocumentPrintIcon(), func() { d.reprint() })
	d.refundBtn.Disable()
	d.reprintBtn.Disable()
	top := container.NewBorder(nil, nil, back, container.NewHBox(d.refundBtn, d.reprintBtn), d.title)
	body := container.NewVBox(d.facts, d.msg, sectionTitle(tr.T("detail.refunds")), d.refunds, sectionTitle(tr.T("detail.timeline")), d.events)
	d.root = container.NewBorder(top, nil, nil, nil, container.NewVScroll(body))
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
	var el []string
	for _, ev := range evs {
		line := clock(ev.At) + "  " + ev.Kind
		if ev.StateTo != "" {
			line += fmt.Sprintf("  %s → %s", nonEmpty(string(ev.StateFrom), "·"), ev.StateTo)
		}
		if det := strings.TrimSpace(ev.Detail); det != "" {
			if len(det) > 160 {
				det = det[:160] + "…"
			}
			line += "  " + det
		}
		el = append(el, line)
	}
	d.events.SetText(strings.Join(el, "\n"))
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
