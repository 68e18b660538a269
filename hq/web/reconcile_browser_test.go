package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserReconciliation: an admin opens Reconciliation from the
// navigation (yesterday's, not run yet), picks the day, starts a run,
// and sees the planted difference under its store and terminal with what
// to do, and the merchant the provider refused; the page fits a phone.
func TestBrowserReconciliation(t *testing.T) {
	c := newReconChain(t)
	ctx := newBrowser(t)
	open(t, ctx, c.chain, "/login")
	logIn(t, ctx, admin, password)
	if st := click(t, ctx, `nav a[href="/reconciliation"]`); st != 200 || text(t, ctx, "h1") != "Reconciliation of 2026-03-01" ||
		text(t, ctx, "#summary") != "No reconciliation of this day yet." {
		t.Fatalf("from the navigation: %d %q %q", st, text(t, ctx, "h1"), text(t, ctx, "#summary"))
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#date"), "2026-03-02"))
	if st := click(t, ctx, ".bar form button"); st != 200 || location(t, ctx, c.chain) != "/reconciliation?date=2026-03-02" {
		t.Fatalf("the day picker: %d at %s", st, location(t, ctx, c.chain))
	}
	if st := click(t, ctx, "#run-now"); st != 200 || !strings.HasPrefix(location(t, ctx, c.chain), "/reconciliation?date=2026-03-02&started=") ||
		!strings.Contains(text(t, ctx, "#message"), "started") {
		t.Fatalf("run now: %d at %s: %q", st, location(t, ctx, c.chain), text(t, ctx, "#message"))
	}
	c.runner.Wait()
	if st := open(t, ctx, c.chain, "/reconciliation?date=2026-03-02"); st != 200 {
		t.Fatalf("reload: %d", st)
	}
	if s := text(t, ctx, "#summary"); !strings.Contains(s, "1 difference.") || !strings.Contains(s, admin) {
		t.Fatalf("summary %q", s)
	}
	diff := text(t, ctx, `.store .terminal[data-tid="T002"] .difference[data-kind="amount_differs"]`)
	for _, want := range []string{"amount or currency differs", "T002260302", "Provider says\n10.00 HKD paid", "Journal says\n10.50 HKD paid",
		"What to do\ncompare the receipt with the provider's record"} {
		if !strings.Contains(diff, want) {
			t.Fatalf("the difference says %q; want %q in it", diff, want)
		}
	}
	if h := text(t, ctx, ".store h3"); h != "Kowloon" {
		t.Fatalf("the difference is under %q", h)
	}
	if m := text(t, ctx, "#merchants tbody"); !strings.Contains(m, "chain-eft") || !strings.Contains(m, "asked") ||
		!strings.Contains(m, "QFPay could not be asked: listing the day's records") || strings.Contains(m, "WRONGKEY") {
		t.Fatalf("merchants %q", m)
	}
	dir := os.Getenv("HQWEB_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	shoot(t, ctx, c.chain, filepath.Join(dir, "reconciliation-1280.png"), "/reconciliation?date=2026-03-02", 1280)
	shoot(t, ctx, c.chain, filepath.Join(dir, "reconciliation-390.png"), "/reconciliation?date=2026-03-02", 390)
	if diff := text(t, ctx, ".difference"); !strings.Contains(diff, "What to do") {
		t.Fatalf("on a phone: %q", diff)
	}
}
