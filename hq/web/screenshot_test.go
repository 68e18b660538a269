package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"qrpos/hq/internal/hqtest"
)

// TestPagesFitAPhone: every page, on a phone 390 px wide (with its
// viewport meta honoured, as a phone does) and on a desk 1280 px wide,
// is no wider than the screen (wide tables scroll inside their box).
// Each is kept as a full-page screenshot in $HQWEB_SHOTS when it is set
// (a temporary directory otherwise), for a person to look at.
func TestPagesFitAPhone(t *testing.T) {
	c := newChain(t)
	c.restore()
	dir := os.Getenv("HQWEB_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	ctx := newBrowser(t)
	paths := []struct{ name, path string }{
		{"login", "/login"},
		{"today", "/"},
		{"orders", "/orders?date=2026-03-02"},
		{"search", "/orders?q=10.50"},
		{"order", "/orders/T001/" + hqtest.OrderNo("T001", 1)},
		{"terminals", "/terminals"},
		{"conflicts", "/conflicts"},
		{"profile", "/terminals/T001/profile"},
	}
	for i, p := range paths {
		if i == 1 {
			open(t, ctx, c, "/login")
			logIn(t, ctx, admin, password)
		}
		for _, width := range []int64{390, 1280} {
			shoot(t, ctx, c, filepath.Join(dir, fmt.Sprintf("%s-%d.png", p.name, width)), p.path, width)
		}
	}
}

// shoot loads path at width and checks and keeps its screenshot.
func shoot(t *testing.T, ctx context.Context, c *chain, file, path string, width int64) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	do(t, ctx, chromedp.EmulateViewport(width, 800, opts...))
	if st := open(t, ctx, c, path); st != 200 {
		t.Fatalf("%s: %d", path, st)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	if err != nil || wide > width {
		t.Errorf("%s at %d px is %d px wide (%v): it does not fit", path, width, wide, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil || int64(cfg.Width) != width {
		t.Fatalf("%s at %d px: a screenshot %d px wide (%v)", path, width, cfg.Width, err)
	}
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
