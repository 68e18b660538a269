package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestOnFirstFrame: the hook runs once, when the window is first drawn,
// and leaves the window's content in place.
func TestOnFirstFrame(t *testing.T) {
	test.NewTempApp(t)
	label := widget.NewLabel("cashier")
	w := test.NewTempWindow(t, label)
	painted := 0
	onFirstFrame(w, func() { painted++ })
	if painted != 0 {
		t.Fatalf("painted %d times before any frame", painted)
	}
	w.Canvas().Capture()
	w.Canvas().Capture()
	if painted != 1 {
		t.Errorf("painted %d times over two frames, want 1", painted)
	}
	c, ok := w.Content().(*fyne.Container)
	if !ok || len(c.Objects) != 2 || c.Objects[0] != label {
		t.Errorf("content %#v: the label is not underneath", w.Content())
	}
}

// TestFootprintReport: the line make measure reads carries the heap and the
// resident memory, and heap profiles are written when asked for.
func TestFootprintReport(t *testing.T) {
	var out bytes.Buffer
	fp := &footprint{log: slog.New(slog.NewTextHandler(&out, nil)), started: time.Now(), print: true, dir: t.TempDir()}
	fp.report("test")
	for _, key := range []string{"heap_live_bytes", "heap_objects_bytes", "go_held_bytes", "rss_bytes"} {
		m := regexp.MustCompile(` ` + key + `=(\d+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Errorf("no %s in %q", key, out.String())
			continue
		}
		if n, _ := strconv.ParseUint(m[1], 10, 64); n == 0 {
			t.Errorf("%s is 0", key)
		}
	}
	fp.writeHeap("heap-test.pprof")
	if fi, err := os.Stat(filepath.Join(fp.dir, "heap-test.pprof")); err != nil || fi.Size() == 0 {
		t.Errorf("heap profile: %v", err)
	}
}
