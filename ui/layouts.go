package ui

import "fyne.io/fyne/v2"

// ratioSplit lays two objects side by side, the first taking ratio of the
// width (never less than it needs), the second the rest: unlike a split
// container it has no handle for a cashier to drag by mistake, and its
// minimum is just the two minimums side by side.
type ratioSplit struct{ ratio float32 }

func (l ratioSplit) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	pad := float32(8)
	left := size.Width * l.ratio
	if m := objs[0].MinSize().Width; left < m {
		left = m
	}
	if m := objs[1].MinSize().Width; size.Width-left-pad < m {
		left = size.Width - pad - m
	}
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(left, size.Height))
	objs[1].Move(fyne.NewPos(left+pad, 0))
	objs[1].Resize(fyne.NewSize(size.Width-left-pad, size.Height))
}

func (l ratioSplit) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 2 {
		return fyne.Size{}
	}
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+8+b.Width, max(a.Height, b.Height))
}
