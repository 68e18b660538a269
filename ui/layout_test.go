package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/terminal"
)

// screenSizes are the counter screens the terminal must fit: a small
// 800×600 panel, the common 1024×768, and a full-HD monitor.
var screenSizes = []fyne.Size{{Width: 800, Height: 600}, {Width: 1024, Height: 768}, {Width: 1920, Height: 1080}}

// fits fails when a window at its size clips or overlaps a control: the
// content needs more than the window, a widget got less than its minimum
// (its text or icon is cut), or lies partly outside the window, or two
// siblings of a container that lays them out side by side overlap.
func fits(t *testing.T, what string, c fyne.Canvas) {
	t.Helper()
	c.Content().Refresh() // lay out again after texts changed (a real window does so each frame)
	size := c.Size()
	if min := c.Content().MinSize(); min.Width > size.Width+0.5 || min.Height > size.Height+0.5 {
		t.Errorf("%s: the window needs %v, the screen has %v", what, min, size)
	}
	var problems []string
	widgets := 0
	var walk func(o fyne.CanvasObject, at fyne.Position, inScroll bool)
	walk = func(o fyne.CanvasObject, at fyne.Position, inScroll bool) {
		if !o.Visible() {
			return
		}
		pos := at.Add(o.Position())
		sz, min := o.Size(), o.MinSize()
		_, isWidget := o.(fyne.Widget)
		if _, box := o.(*fyne.Container); !box {
			widgets++
		}
		if isWidget && (sz.Width+0.5 < min.Width || sz.Height+0.5 < min.Height) {
			problems = append(problems, fmt.Sprintf("%s got %v, needs %v", describe(o), sz, min))
		}
		if !inScroll && (pos.X < -0.5 || pos.Y < -0.5 || pos.X+sz.Width > size.Width+0.5 || pos.Y+sz.Height > size.Height+0.5) {
			problems = append(problems, fmt.Sprintf("%s at %v %v leaves the window %v", describe(o), pos, sz, size))
		}
		switch x := o.(type) {
		case *container.Scroll:
			walk(x.Content, pos, true) // the content is moved by the scroll offset
		case *fyne.Container:
			if sideBySide(x) {
				problems = append(problems, overlaps(x)...)
			}
			for _, ch := range x.Objects {
				walk(ch, pos, inScroll)
			}
		case *container.AppTabs:
			if sel := x.Selected(); sel != nil {
				walk(sel.Content, pos, inScroll) // placed inside the tabs
			}
		}
	}
	walk(c.Content(), fyne.NewPos(0, 0), false)
	if widgets < 4 {
		problems = append(problems, fmt.Sprintf("only %d objects seen: the walk missed the screen", widgets))
	}
	if len(problems) > 0 {
		t.Errorf("%s at %v:\n  %s", what, size, strings.Join(problems, "\n  "))
	}
}

// sideBySide: the container's layout places its objects apart (grids,
// boxes, borders, forms), not on top of each other (stacks, centres, the
// padded and max layouts).
func sideBySide(c *fyne.Container) bool {
	if c.Layout == nil {
		return false
	}
	name := fmt.Sprintf("%T", c.Layout)
	for _, stacked := range []string{"stack", "Stack", "center", "Center", "padded", "Padded", "max", "Max"} {
		if strings.Contains(name, stacked) {
			return false
		}
	}
	return true
}

// overlaps lists the visible children of c that overlap one another.
func overlaps(c *fyne.Container) []string {
	var out []string
	for i, a := range c.Objects {
		for _, b := range c.Objects[i+1:] {
			if !a.Visible() || !b.Visible() || empty(a) || empty(b) {
				continue
			}
			ap, bp, as, bs := a.Position(), b.Position(), a.Size(), b.Size()
			if ap.X+as.Width > bp.X+0.5 && bp.X+bs.Width > ap.X+0.5 && ap.Y+as.Height > bp.Y+0.5 && bp.Y+bs.Height > ap.Y+0.5 {
				out = append(out, fmt.Sprintf("%s %v%v overlaps %s %v%v", describe(a), ap, as, describe(b), bp, bs))
			}
		}
	}
	return out
}

func empty(o fyne.CanvasObject) bool { s := o.Size(); return s.Width < 0.5 || s.Height < 0.5 }

// describe names an object for a failure message.
func describe(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Label:
		return fmt.Sprintf("label %q", x.Text)
	case *widget.Button:
		return fmt.Sprintf("button %q", x.Text)
	case *payButton:
		if x.label != nil {
			return fmt.Sprintf("way to pay %q", x.label.Text)
		}
	case *padKey:
		return fmt.Sprintf("key %q", x.label)
	}
	return fmt.Sprintf("%T", o)
}

// TestLayoutsFitTheScreens: every screen of the cashier window (the sale
// as it goes: amount, a till's charge, the scan, the QR, paid; today's
// orders, end of day, settings) and the customer display, in the three
// languages, at 800×600, 1024×768 and 1920×1080, clips and overlaps
// nothing; the sale screen is pinned as a picture at each size.
func TestLayoutsFitTheScreens(t *testing.T) {
	for _, lang := range []Language{English, TraditionalChinese, SimplifiedChinese} {
		r := newRig(t, rigOptions{language: lang})
		r.settle()
		term := r.term
		// Window-manager rules (README) match these, in every language.
		if !strings.HasPrefix(term.win.Title(), "QR POS cashier") || !strings.Contains(term.cust.win.Title(), "customer display") {
			t.Errorf("%s titles %q, %q: no stable part for window rules", lang, term.win.Title(), term.cust.win.Title())
		}
		each := func(step string, also func(name string, sz fyne.Size)) {
			for _, sz := range screenSizes {
				name := fmt.Sprintf("%s %gx%g %s", lang, sz.Width, sz.Height, step)
				term.win.Resize(sz)
				term.cust.win.Resize(sz)
				r.drain(0)
				fits(t, name, term.win.Canvas())
				fits(t, name+" (customer display)", term.cust.win.Canvas())
				if also != nil {
					also(name, sz)
				}
			}
		}
		r.typeAmount("88.5")
		each("amount", func(_ string, sz fyne.Size) {
			test.AssertImageMatches(t, fmt.Sprintf("layout/sale_%s_%g.png", lang, sz.Width), term.win.Canvas().Capture())
		})
		for _, tab := range []fyne.CanvasObject{term.history.root, term.report.root, term.settings.root} {
			term.showTab(tab)
			r.drain(30 * time.Millisecond) // the lists and the report load
			each(fmt.Sprintf("tab %d", tabIndex(term, tab)), nil)
		}
		term.showTab(term.cashier.root)
		term.ask = &terminal.TillAsk{ID: "ask-1", Amount: payments.Money{Minor: 123456, Currency: term.currency()},
			Reference: "till-4711 長長的參考編號 with a long reference"}
		term.refreshCashier()
		each("till's charge", nil)
		term.ask = nil
		r.tap(r.method("qfpay:800008"))
		each("scan", nil)
		term.cancelSale()
		r.tap(r.method("qfpay:800101"))
		r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
		each("QR", nil)
		r.tap(term.cust.demoPay)
		r.until("paid", func() bool { return term.phase == phaseResult })
		each("paid", nil)
		// The lists and the report again, with a sale in them.
		for _, tab := range []fyne.CanvasObject{term.history.root, term.report.root} {
			term.showTab(tab)
			r.drain(30 * time.Millisecond)
			each(fmt.Sprintf("tab %d with a sale", tabIndex(term, tab)), nil)
		}
	}
}

func tabIndex(term *Terminal, content fyne.CanvasObject) int {
	for i, it := range term.tabs.Items {
		if it.Content == content {
			return i
		}
	}
	return -1
}
