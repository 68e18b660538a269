package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"qrpos/assets"
)

// uiFont is Droid Sans Fallback as a Fyne resource. Fyne draws every rune
// from the first font that has it: this one for Chinese, then Fyne's own
// font (Latin, digits, bold Latin), then the system's.
var uiFont = fyne.NewStaticResource(assets.UIFontName, assets.UIFont)

// posTheme is the terminal's look: Fyne's default light theme with a font
// that draws Chinese, and larger text for a touch screen at arm's length.
type posTheme struct{}

var _ fyne.Theme = posTheme{}

func (posTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameSuccess:
		return color.NRGBA{R: 0x1b, G: 0x8a, B: 0x3a, A: 0xff}
	case theme.ColorNameError:
		return color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	case theme.ColorNameFocus:
		// Amber, strong enough to show on the blue and orange ways to pay
		// (Fyne's default is a faint blue: invisible on a blue button).
		return color.NRGBA{R: 0xff, G: 0xb3, B: 0x00, A: 0xb0}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (posTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	return uiFont
}

func (posTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (posTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 16
	case theme.SizeNameHeadingText:
		return 26
	case theme.SizeNameSubHeadingText:
		return 20
	case theme.SizeNameInputBorder:
		return 2
	}
	return theme.DefaultTheme().Size(n)
}

// Text sizes of the large figures.
const (
	amountTextSize   = 44 // the amount being typed
	customerAmount   = 72 // the amount on the customer display
	customerHeadline = 40 // "Paid", the store name on the customer display
	stateTextSize    = 24 // the sale's state on the cashier screen
)

// Colours used outside widgets.
var (
	colorPaid    = color.NRGBA{R: 0x1b, G: 0x8a, B: 0x3a, A: 0xff}
	colorFailed  = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colorWorking = color.NRGBA{R: 0xb2, G: 0x6a, B: 0x00, A: 0xff}
	colorAskBand = color.NRGBA{R: 0xff, G: 0xf1, B: 0xc2, A: 0xff} // the till's charge waiting for the cashier
	colorText    = color.NRGBA{R: 0x21, G: 0x21, B: 0x21, A: 0xff}
	colorMuted   = color.NRGBA{R: 0x60, G: 0x60, B: 0x60, A: 0xff}
	colorBanner  = color.NRGBA{R: 0xff, G: 0xf3, B: 0xcd, A: 0xff}
	colorWhite   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)
