// Command bare is the yardstick of `make measure`: a bare Fyne window with
// one label, built with the same toolchain and flags as pos, so that the
// terminal's memory, start-up and size can be compared with what Fyne alone
// costs on the same machine in the same run. It must stay bare: no theme,
// no fonts, no project imports.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.New()
	w := a.NewWindow("bare")
	w.SetContent(widget.NewLabel("Hello"))
	w.ShowAndRun()
}
