package main

import (
	"context"
	"image"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"qrpos/ui"
)

// onFirstFrame calls painted (UI goroutine) once the window's content has
// been drawn on the screen. A 1×1 transparent raster lies over the content;
// Fyne's painter asks a raster for its pixels while it draws the frame that
// first shows it, and painted is queued from there, so it runs after that
// frame has been drawn and its buffers swapped (the event loop takes queued
// functions between frames). This is "the first painted frame" that `make
// measure` times: pixels on the screen, not windows created.
func onFirstFrame(w fyne.Window, painted func()) {
	var once sync.Once
	dot := canvas.NewRaster(func(int, int) image.Image {
		once.Do(func() { fyne.Do(painted) })
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	dot.Resize(fyne.NewSize(1, 1))
	w.SetContent(container.NewStack(w.Content(), container.NewWithoutLayout(dot)))
}

// startAfterFirstFrame starts what the UI listens to (term.Start: the
// engine's updates, recovery of the orders a previous run left open and its
// banner, the scanner, the provider probes) once the first cashier frame is
// on the screen, so that none of it delays that frame; painted runs first.
// Without a frame within 3 s it starts anyway: recovery never waits for a
// display. Nothing starts once ctx has ended.
func startAfterFirstFrame(ctx context.Context, term *ui.Terminal, painted func()) {
	var once sync.Once
	start := func() {
		once.Do(func() {
			if ctx.Err() == nil {
				term.Start(ctx)
			}
		})
	}
	onFirstFrame(term.Window(), func() {
		painted()
		start()
	})
	go func() {
		select {
		case <-time.After(3 * time.Second):
			fyne.Do(start)
		case <-ctx.Done():
		}
	}()
}
