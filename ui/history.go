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
// number, provider reference or amount (a search looks at every day), each
// opening its detail.
type historyScreen struct {
	t      *Terminal
	root   *fyne.Container // the list, or an order's detail
	list   fyne.CanvasObject
	search *widget.Entry
	head   *fyne.Container // the column titles, laid out as a row
	table  *widget.List
	count  *widget.Label
	orders []payments.Order
	seq    int // the latest load; older answers are dropped
}

// The list's columns: order, time, method, provider, amount, state.
const (
	colOrder = iota
	colTime
	colMethod
	colProvider
	colAmount
	colState
)

// historyColumns gives each column a fixed share of the row's width, the
// same in the header and every row whatever their texts: the titles stay
// over their columns. A text too long for its share ends in "…".
var historyColumns = columnsLayout{shares: []float32{0.28, 0.12, 0.17, 0.11, 0.16, 0.16}, minWidth: 640}

// historyRow is a row of labels in historyColumns (the amount right-aligned,
// as its title), bold for the header. Order numbers are not monospaced: the
// screen font's digits are already of one width, and a third text style
// would cost Fyne another parse of three fonts, 3.8 MiB of heap (issue 18).
func historyRow(bold bool, texts ...string) *fyne.Container {
	row := container.New(historyColumns)
	for i, s := range texts {
		l := widget.NewLabel(s)
		l.Truncation = fyne.TextTruncateEllipsis
		l.TextStyle = fyne.TextStyle{Bold: bold}
		if i == colAmount {
			l.Alignment = fyne.TextAlignTrailing
		}
		row.Add(l)
	}
	return row
}

func newHistoryScreen(t *Terminal) *historyScreen {
	tr := t.tr
	h := &historyScreen{t: t, search: widget.NewEntry(), count: widget.NewLabel("")}
	h.search.SetPlaceHolder(tr.T("history.search"))
	h.search.OnChanged = func(string) { h.reload() }
	h.search.OnSubmitted = func(string) { h.reload() }
	h.table = widget.NewList(
		func() int { return len(h.orders) },
		func() fyne.CanvasObject { return historyRow(false, "", "", "", "", "", "") },
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
	h.head = historyRow(true, tr.T("history.col_order"), tr.T("history.col_time"), tr.T("history.col_method"),
		tr.T("history.col_provider"), tr.T("history.col_amount"), tr.T("history.col_state"))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, refresh, h.search), h.count, h.head)
	h.list = container.NewBorder(top, nil, nil, nil, h.table)
	h.root = container.NewStack(h.list)
	return h
}

func (h *historyScreen) fillRow(o payments.Order, row *fyne.Container) {
	t := h.t
	cell := func(i int) *widget.Label { return row.Objects[i].(*widget.Label) }
	cell(colOrder).SetText(o.OutTradeNo)
	when, at, now := clock(o.CreatedAt), o.CreatedAt.Local(), t.now().Local()
	switch {
	case at.Year() != now.Year():
		when = at.Format("2006-01-02")
	case at.YearDay() != now.YearDay():
		when = at.Format("01-02 15:04")
	}
	cell(colTime).SetText(when)
	cell(colMethod).SetText(t.orderMethodName(o)) // the detail says who scans
	cell(colProvider).SetText(providerName(o.Provider))
	cell(colAmount).SetText(o.Amount.String())
	st := cell(colState)
	switch {
	case o.State.MoneyMoved():
		st.Importance = widget.SuccessImportance
	case o.State.Settled():
		st.Importance = widget.DangerImportance
	default:
		st.Importance = widget.WarningImportance
	}
	st.SetText(t.stateName(o.State))
}

// columnsLayout lays objects out side by side, each a fixed share of the
// width (shares add up to 1), as tall as the tallest; it asks for
// minWidth, never for its texts' widths.
type columnsLayout struct {
	shares   []float32
	minWidth float32
}

func (c columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := size.Width * c.shares[i%len(c.shares)]
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (c columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(c.minWidth, h)
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
