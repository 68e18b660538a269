package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// historyLimit bounds how many orders the list shows.
const historyLimit = 500

// historyScreen is today's orders from the journal, searchable by order
// number (a search looks at every day), each opening its detail.
type historyScreen struct {
	t      *Terminal
	root   *fyne.Container // the list, or an order's detail
	list   fyne.CanvasObject
	search *widget.Entry
	table  *widget.List
	count  *widget.Label
	orders []payments.Order
	seq    int // the latest load; older answers are dropped
}

func newHistoryScreen(t *Terminal) *historyScreen {
	tr := t.tr
	h := &historyScreen{t: t, search: widget.NewEntry(), count: widget.NewLabel("")}
	h.search.SetPlaceHolder(tr.T("history.search"))
	h.search.OnChanged = func(string) { h.reload() }
	h.search.OnSubmitted = func(string) { h.reload() }
	h.table = widget.NewList(
		func() int { return len(h.orders) },
		func() fyne.CanvasObject {
			no := widget.NewLabelWithStyle("T000000000000000000000", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			return container.NewGridWithColumns(5, no, widget.NewLabel("00:00:00"), widget.NewLabel("WeChat Pay HK"),
				widget.NewLabelWithStyle("HK$00,000.00", fyne.TextAlignTrailing, fyne.TextStyle{}), widget.NewLabel("partly refunded"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(h.orders) {
				return
			}
			h.fillRow(h.orders[i], o.(*fyne.Container))
		})
	h.table.OnSelected = func(i widget.ListItemID) {
		h.table.UnselectAll()
		if i < len(h.orders) {
			h.open(h.orders[i].OutTradeNo)
		}
	}
	refresh := widget.NewButtonWithIcon(tr.T("button.refresh"), theme.ViewRefreshIcon(), func() { h.reload() })
	head := container.NewGridWithColumns(5, sectionTitle(tr.T("history.col_order")), sectionTitle(tr.T("history.col_time")),
		sectionTitle(tr.T("history.col_method")), sectionTitle(tr.T("history.col_amount")), sectionTitle(tr.T("history.col_state")))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, refresh, h.search), h.count, head)
	h.list = container.NewBorder(top, nil, nil, nil, h.table)
	h.root = container.NewStack(h.list)
	return h
}

func (h *historyScreen) fillRow(o payments.Order, row *fyne.Container) {
	t := h.t
	row.Objects[0].(*widget.Label).SetText(o.OutTradeNo)
	when := clock(o.CreatedAt)
	if y, m, d := o.CreatedAt.Local().Date(); y != t.now().Year() || m != t.now().Month() || d != t.now().Day() {
		when = stamp(o.CreatedAt)
	}
	row.Objects[1].(*widget.Label).SetText(when)
	row.Objects[2].(*widget.Label).SetText(t.orderMethodName(o) + " · " + string(o.Mode))
	row.Objects[3].(*widget.Label).SetText(o.Amount.String())
	st := row.Objects[4].(*widget.Label)
	st.SetText(t.stateName(o.State))
	switch {
	case o.State.MoneyMoved():
		st.Importance = widget.SuccessImportance
	case o.State.Settled():
		st.Importance = widget.DangerImportance
	default:
		st.Importance = widget.WarningImportance
	}
	st.Refresh()
}

// startOfDay is midnight of t's local day.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// reload lists today's orders (or every day's matching the search) off
// the UI goroutine.
func (h *historyScreen) reload() {
	t := h.t
	h.seq++
	seq := h.seq
	q := strings.TrimSpace(h.search.Text)
	var from time.Time
	if q == "" {
		from = startOfDay(t.now())
	}
	core := t.core
	go func() {
		orders, err := core.Orders(t.ctx, q, from, historyLimit)
		t.do(func() {
			if seq != h.seq {
				return
			}
			if err != nil {
				h.count.SetText(err.Error())
				return
			}
			h.orders = orders
			if q == "" {
				h.count.SetText(t.tr.T("history.count_today", "Count", len(orders)))
			} else {
				h.count.SetText(t.tr.T("history.count_search", "Count", len(orders), "Search", q))
			}
			h.table.Refresh()
		})
	}()
}

// updated shows an order the engine just changed, when it is listed.
func (h *historyScreen) updated(o payments.Order) {
	for i := range h.orders {
		if h.orders[i].OutTradeNo == o.OutTradeNo && !o.UpdatedAt.Before(h.orders[i].UpdatedAt) {
			h.orders[i] = o
			h.table.RefreshItem(i)
		}
	}
}

// open shows an order's detail in place of the list.
func (h *historyScreen) open(no string) {
	d := newOrderDetail(h.t, no)
	h.t.detail = d
	h.root.Objects = []fyne.CanvasObject{d.root}
	h.root.Refresh()
	d.load()
}

// back returns from a detail to the list.
func (h *historyScreen) back() {
	h.t.detail = nil
	h.root.Objects = []fyne.CanvasObject{h.list}
	h.root.Refresh()
	h.reload()
}
