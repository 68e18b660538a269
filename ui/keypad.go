package ui

// The on-screen keypad: large keys for a finger, which never take the
// keyboard focus (Tab goes from the amount straight to the ways to pay, and
// a real keyboard types digits wherever the focus is).

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keypadKeys are the keypad's keys in reading order, as on a calculator
// (the PIN pad uses the same order).
var keypadKeys = []string{"7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "⌫"}

// padKey is one key of the keypad: tappable, not focusable.
type padKey struct {
	widget.BaseWidget
	label    string
	textSize float32 // 0: 26
	onTap    func()
	disabled bool
}

var _ fyne.Tappable = (*padKey)(nil)

func newPadKey(label string, tap func()) *padKey {
	k := &padKey{label: label, onTap: tap}
	k.ExtendBaseWidget(k)
	return k
}

// Tapped presses the key.
func (k *padKey) Tapped(*fyne.PointEvent) {
	if !k.disabled && k.onTap != nil {
		k.onTap()
	}
}

// Disable greys the key out; taps do nothing.
func (k *padKey) Disable() { k.setDisabled(true) }

// Enable lets the key be pressed again.
func (k *padKey) Enable() { k.setDisabled(false) }

// Disabled reports whether the key is greyed out.
func (k *padKey) Disabled() bool { return k.disabled }

func (k *padKey) setDisabled(d bool) {
	if k.disabled != d {
		k.disabled = d
		k.Refresh()
	}
}

// CreateRenderer draws the key: a rounded face and its label.
func (k *padKey) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameButton))
	bg.CornerRadius = 6
	txt := canvas.NewText(k.label, theme.Color(theme.ColorNameForeground))
	txt.TextSize = 26
	if k.textSize > 0 {
		txt.TextSize = k.textSize
	}
	txt.TextStyle = fyne.TextStyle{Bold: true}
	txt.Alignment = fyne.TextAlignCenter
	r := &padKeyRenderer{k: k, bg: bg, txt: txt}
	r.Refresh()
	return r
}

type padKeyRenderer struct {
	k   *padKey
	bg  *canvas.Rectangle
	txt *canvas.Text
}

func (r *padKeyRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	ts := r.txt.MinSize()
	r.txt.Resize(fyne.NewSize(s.Width, ts.Height))
	r.txt.Move(fyne.NewPos(0, (s.Height-ts.Height)/2))
}

// MinSize is small: the keypad grows with the screen.
func (r *padKeyRenderer) MinSize() fyne.Size {
	ts := r.txt.MinSize()
	return fyne.NewSize(ts.Width+24, ts.Height+8)
}

func (r *padKeyRenderer) Refresh() {
	var fg color.Color = theme.Color(theme.ColorNameForeground)
	bg := theme.Color(theme.ColorNameButton)
	if r.k.disabled {
		fg, bg = theme.Color(theme.ColorNameDisabled), theme.Color(theme.ColorNameDisabledButton)
	}
	r.txt.Text, r.txt.Color, r.bg.FillColor = r.k.label, fg, bg
	r.txt.Refresh()
	r.bg.Refresh()
}

func (r *padKeyRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.txt} }
func (r *padKeyRenderer) Destroy()                     {}

// newKeypad lays keys out three to a row, every key the same size, growing
// with the space it is given.
func newKeypad(keys map[string]*padKey, press func(string)) *fyne.Container {
	grid := container.NewGridWithColumns(3)
	for _, label := range keypadKeys {
		label := label
		k := newPadKey(label, func() { press(label) })
		keys[label] = k
		grid.Add(k)
	}
	return grid
}
