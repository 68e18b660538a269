package ui

// The cashier window's frame: the header, the four tabs (sale, today's
// orders, end of day, settings), the banner and the status bar, rebuilt in
// the current language.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// build (re)makes every screen in the current language.
func (t *Terminal) build() {
	title := t.tr.T("app.title", "TID", t.prof.TID)
	if t.core.Demo() {
		title += " — " + t.tr.T("app.demo")
	}
	t.win.SetTitle(title)
	t.cashier = newCashierScreen(t)
	t.history = newHistoryScreen(t)
	t.detail = nil
	t.report = newReportScreen(t)
	t.settings = newSettingsScreen(t)
	t.status = newStatusBar(t)
	t.banner = container.NewVBox()
	t.tabs = container.NewAppTabs(
		container.NewTabItem(t.tr.T("tab.sale"), t.cashier.root),
		container.NewTabItem(t.tr.T("tab.orders"), t.history.root),
		container.NewTabItem(t.tr.T("tab.report"), t.report.root),
		container.NewTabItem(t.tr.T("tab.settings"), t.settings.root),
	)
	t.tabs.OnSelected = func(ti *container.TabItem) {
		switch ti.Content {
		case t.history.root:
			t.history.reload()
		case t.report.root:
			t.report.load()
		}
		if ti.Content != t.settings.root {
			t.settings.lock()
		}
		if ti.Content == t.cashier.root {
			t.win.Canvas().Unfocus()
		}
	}
	header := t.header()
	t.win.SetContent(container.NewBorder(container.NewVBox(header, t.banner), t.status.root, nil, nil, t.tabs))
	t.win.Canvas().SetOnTypedRune(t.cashier.typedRune)
	t.win.Canvas().SetOnTypedKey(t.cashier.typedKey)
	t.cust.build()
	t.refreshBanner()
	t.refreshCashier()
	t.status.refresh()
}

// header is the store's name and the terminal's id above the tabs.
func (t *Terminal) header() fyne.CanvasObject {
	name := widget.NewLabelWithStyle(t.prof.StoreName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	right := t.tr.T("header.tid", "TID", t.prof.TID)
	if t.core.Demo() {
		right = t.tr.T("app.demo") + " · " + right
	}
	return container.NewBorder(nil, nil, nil, widget.NewLabel(right), name)
}

// showTab switches to the tab holding content.
func (t *Terminal) showTab(content fyne.CanvasObject) {
	for _, it := range t.tabs.Items {
		if it.Content == content {
			t.tabs.Select(it)
			return
		}
	}
}
