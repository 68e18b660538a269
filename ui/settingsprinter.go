package ui

// The printer's settings beyond its line: how it prints Chinese, whether
// it opens the cash drawer after a sale, and which kinds of port it can be
// on. Each choice shows words and stores the profile's value.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments/checkout"
)

// choice is a Select of words standing for stored values.
type choice struct {
	sel    *widget.Select
	values map[string]string // words -> value
}

// newChoice offers the words of each value and selects cur's.
func newChoice(words, values []string, cur string) *choice {
	c := &choice{sel: widget.NewSelect(words, nil), values: map[string]string{}}
	for i, w := range words {
		c.values[w] = values[i]
		if values[i] == cur {
			c.sel.SetSelected(w)
		}
	}
	return c
}

func (c *choice) value() string { return c.values[c.sel.Selected] }

// printerChoices builds the Chinese and drawer choices of profile p (an
// unset one shows as its default: native, never).
func (s *settingsScreen) printerChoices(p checkout.Profile) []*widget.FormItem {
	tr := s.t.tr
	s.printChinese = newChoice([]string{tr.T("settings.printer_chinese_native"), tr.T("settings.printer_chinese_raster")},
		[]string{"native", "raster"}, nonEmpty(p.Printer.Chinese, "native"))
	s.printDrawer = newChoice([]string{tr.T("settings.printer_drawer_never"), tr.T("settings.printer_drawer_after_sale")},
		[]string{checkout.DrawerNever, checkout.DrawerAfterSale}, nonEmpty(p.Printer.Drawer, checkout.DrawerNever))
	s.shown.remember(s.printChinese.sel, s.printDrawer.sel)
	return []*widget.FormItem{
		widget.NewFormItem(tr.T("settings.printer_chinese"), s.printChinese.sel),
		widget.NewFormItem(tr.T("settings.printer_drawer"), s.printDrawer.sel),
	}
}

// applyPrinterChoices writes the choices the manager changed into p.
func (s *settingsScreen) applyPrinterChoices(p *checkout.Profile) {
	if _, ok := s.shown.changed(s.printChinese.sel); ok {
		p.Printer.Chinese = s.printChinese.value()
	}
	if _, ok := s.shown.changed(s.printDrawer.sel); ok {
		p.Printer.Drawer = s.printDrawer.value()
	}
}

// printerPortHint says which kinds of port the printer can be on.
func printerPortHint(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}
