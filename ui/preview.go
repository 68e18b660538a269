package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// previewWindow shows the last receipt the virtual printer printed.
type previewWindow struct {
	t     *Terminal
	win   fyne.Window
	img   *canvas.Image
	label *widget.Label
	count int
	text  string
	shown bool
}

func newPreviewWindow(t *Terminal) *previewWindow {
	return &previewWindow{t: t}
}

// show puts a printout in the window, opening it the first time.
func (p *previewWindow) show(img image.Image, text string) {
	if p.win == nil {
		p.win = p.t.app.NewWindow(p.t.tr.T("preview.title"))
		p.img = canvas.NewImageFromImage(nil)
		p.img.FillMode = canvas.ImageFillOriginal
		p.img.ScaleMode = canvas.ImageScalePixels
		p.label = widget.NewLabel("")
		p.win.SetContent(container.NewBorder(p.label, nil, nil, nil, container.NewVScroll(container.NewCenter(p.img))))
		p.win.Resize(fyne.NewSize(700, 900))
		p.win.SetOnClosed(func() { p.win = nil; p.shown = false })
	}
	p.count++
	p.text = text
	p.img.Image = img
	p.img.Refresh()
	p.label.SetText(p.t.tr.T("preview.count", "Count", p.count))
	if !p.shown {
		p.shown = true
		p.win.Show()
		// The cashier keeps the keyboard: a keyboard-wedge scanner types
		// into the focused window.
		p.t.win.RequestFocus()
	}
}

// ShowPrintout shows a printout in the preview window; safe from any
// goroutine (PreviewPrinter.OnShow).
func (t *Terminal) ShowPrintout(img image.Image, text string) {
	t.do(func() { t.preview.show(img, text) })
}
