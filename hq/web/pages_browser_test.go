package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"qrpos/hq/internal/hqtest"
)

// TestBrowserLogin: someone not logged in lands on the login page; a
// wrong password says so; the right one opens today's sales, across the
// chain; five wrong passwords lock the name, the right one included.
func TestBrowserLogin(t *testing.T) {
	c := newChain(t)
	ctx := newBrowser(t)
	if st := open(t, ctx, c, "/"); st != 200 || location(t, ctx, c) != "/login?next=%2F" {
		t.Fatalf("not logged in, / is %d at %s", st, location(t, ctx, c))
	}
	if st := logIn(t, ctx, admin, "wrong horse"); st != 401 || text(t, ctx, "#message") != "Wrong name or password." {
		t.Fatalf("a wrong password: %d %q", st, text(t, ctx, "#message"))
	}
	if st := logIn(t, ctx, admin, password); st != 200 || location(t, ctx, c) != "/" {
		t.Fatalf("the right password: %d at %s", st, location(t, ctx, c))
	}
	if h1, totals, who := text(t, ctx, "h1"), text(t, ctx, "#totals"), text(t, ctx, "#who"); h1 != "Sales of 2026-03-02" ||
		!strings.Contains(totals, "36.50 HKD") || !strings.Contains(totals, "3 sales (41.50)") || who != admin {
		t.Fatalf("today: %q, totals %q, who %q", h1, totals, who)
	}
	if st := click(t, ctx, "#logout"); st != 200 || !strings.HasPrefix(location(t, ctx, c), "/login") {
		t.Fatalf("logout: %d at %s", st, location(t, ctx, c))
	}
	for i := 1; i <= 4; i++ {
		if st := logIn(t, ctx, hana, "wrong horse"); st != 401 {
			t.Fatalf("wrong password %d: %d", i, st)
		}
	}
	locked := "Too many wrong passwords: this name is locked until 10:15 (2 Mar)."
	if st := logIn(t, ctx, hana, "wrong horse"); st != 429 || text(t, ctx, "#message") != locked {
		t.Fatalf("the fifth wrong password: %d %q", st, text(t, ctx, "#message"))
	}
	if st := logIn(t, ctx, hana, password); st != 429 || text(t, ctx, "#message") != locked {
		t.Fatalf("the right password while locked: %d %q", st, text(t, ctx, "#message"))
	}
}

// TestBrowserFindOrderOfAnotherStore: head office finds a Kowloon sale by
// its number and opens its timeline; a Central sale by its amount, with
// its refund.
func TestBrowserFindOrderOfAnotherStore(t *testing.T) {
	c := newChain(t)
	ctx := newBrowser(t)
	open(t, ctx, c, "/orders")
	logIn(t, ctx, hana, password)
	no := hqtest.OrderNo("T002", 1)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#q"), no))
	if st := click(t, ctx, "#search button"); st != 200 {
		t.Fatalf("search: %d", st)
	}
	if rows := text(t, ctx, "#orders tbody"); !strings.Contains(rows, "Kowloon") || strings.Count(rows, "T00") != 3 {
		t.Fatalf("search %s finds %q; want its one order (tid, number, reference)", no, rows)
	}
	if st := click(t, ctx, "#orders tbody a"); st != 200 || location(t, ctx, c) != "/orders/T002/"+no {
		t.Fatalf("the order's page: %d at %s", st, location(t, ctx, c))
	}
	timeline := text(t, ctx, "#timeline tbody")
	if text(t, ctx, "#state") != "paid" || text(t, ctx, "#amount") != "10.50 HKD" || !strings.Contains(timeline, "created") ||
		!strings.Contains(timeline, "paid") || text(t, ctx, "#provider-ref") != "REF"+no {
		t.Fatalf("order page: state %q, amount %q, timeline %q", text(t, ctx, "#state"), text(t, ctx, "#amount"), timeline)
	}
	open(t, ctx, c, "/orders")
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#q"), "HK$20.50"))
	click(t, ctx, "#search button")
	click(t, ctx, "#orders tbody a")
	if loc := location(t, ctx, c); loc != "/orders/T001/"+hqtest.OrderNo("T001", 2) {
		t.Fatalf("HK$20.50 leads to %s", loc)
	}
	open(t, ctx, c, "/orders/T001/"+hqtest.OrderNo("T001", 1))
	if refunds := text(t, ctx, "#refunds tbody"); !strings.Contains(refunds, "R1") || !strings.Contains(refunds, "5.00 HKD") ||
		text(t, ctx, "#state") != "partly_refunded" {
		t.Fatalf("refunds %q", refunds)
	}
}

// TestBrowserExportCSV: the today page's CSV link downloads the day's
// orders, one line each.
func TestBrowserExportCSV(t *testing.T) {
	c := newChain(t)
	ctx := newBrowser(t)
	open(t, ctx, c, "/")
	logIn(t, ctx, hana, password)
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, time.Minute) // a bound on a hang, not a timing
	defer cancel()
	begun := chromedp.BrowserEvents(wait, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(wait, browser.DownloadProgress)
	do(t, ctx, chromedp.Click(chromedp.CSS("#export"), chromedp.NodeVisible))
	var name string
	for ev, err := range begun {
		if err != nil {
			t.Fatalf("no download began: %v", err)
		}
		name = ev.SuggestedFilename
		break
	}
	var guid string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the download did not complete: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || name != "orders-2026-03-02.csv" || len(rows) != 4 || rows[0][0] != "store" {
		t.Fatalf("downloaded %q as %q (%v)", data, name, err)
	}
	no := hqtest.OrderNo("T001", 2)
	if got := strings.Join(rows[3], ","); got != "Central,T001,2026-03-02T09:00:06+08:00,"+no+",eftpay:ALIPAYHK,eftpay,20.50,HKD,paid,REF"+no+",0.00" {
		t.Fatalf("the last line %q", got)
	}
}

// TestBrowserConflict: a journal restored from an old backup uploads
// other entries under seqs head office holds; the conflicts page lists
// each for a person, with the order it touches.
func TestBrowserConflict(t *testing.T) {
	c := newChain(t)
	if n := c.restore(); n != 5 {
		t.Fatalf("the restored journal made %d conflicts; want 5", n)
	}
	ctx := newBrowser(t)
	open(t, ctx, c, "/")
	logIn(t, ctx, hana, password)
	if st := click(t, ctx, `nav a[href="/conflicts"]`); st != 200 {
		t.Fatalf("conflicts: %d", st)
	}
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#conflicts tbody tr")))
	if err != nil || len(rows) != 5 {
		t.Fatalf("%d conflict rows (%v); want 5", len(rows), err)
	}
	first := text(t, ctx, "#conflicts tbody tr")
	for _, want := range []string{"T001", "Central", c.j1.ID, "print", "new: " + hqtest.OrderNo("T001", 7), hqtest.OrderNo("T001", 1)} {
		if !strings.Contains(first, want) {
			t.Errorf("the newest conflict %q does not show %q", first, want)
		}
	}
}

// TestBrowserViewerOfOneStore: a viewer of Kowloon sees Kowloon's sales
// only: another store's order is not found by search nor by its page.
func TestBrowserViewerOfOneStore(t *testing.T) {
	c := newChain(t)
	ctx := newBrowser(t)
	open(t, ctx, c, "/")
	logIn(t, ctx, kowloonly, password)
	if totals := text(t, ctx, "#totals"); !strings.Contains(totals, "10.50 HKD") || !strings.Contains(totals, "1 sale ") {
		t.Fatalf("Kowloon's today: %q", totals)
	}
	central := hqtest.OrderNo("T001", 1)
	open(t, ctx, c, "/orders")
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#q"), central))
	click(t, ctx, "#search button")
	if rows := text(t, ctx, "#orders tbody"); rows != "No orders." {
		t.Fatalf("Kowloon's viewer finds Central's order: %q", rows)
	}
	if st := open(t, ctx, c, "/orders/T001/"+central); st != 404 || text(t, ctx, "#message") != "No such order." {
		t.Fatalf("Central's order page for Kowloon's viewer: %d %q", st, text(t, ctx, "#message"))
	}
	if st := open(t, ctx, c, "/orders?date=2026-03-02&store=Central"); st != 403 {
		t.Fatalf("Central's orders for Kowloon's viewer: %d", st)
	}
	if st := open(t, ctx, c, "/terminals/T002/profile"); st != 403 {
		t.Fatalf("a viewer's profile form: %d", st)
	}
	open(t, ctx, c, "/terminals")
	if rows := text(t, ctx, "#terminals tbody"); strings.Contains(rows, "T001") || !strings.Contains(rows, "T002") {
		t.Fatalf("Kowloon's viewer's terminals: %q", rows)
	}
}

// TestBrowserProfileEdit: an admin edits a terminal's profile in its
// form, which shows no secret; a value out of range is refused at its
// field (the browser itself refuses a timeout out of range); the saved version is what the terminal's next upload gets back,
// with the other settings kept and every secret blank.
func TestBrowserProfileEdit(t *testing.T) {
	c := newChain(t)
	ctx := newBrowser(t)
	open(t, ctx, c, "/terminals")
	logIn(t, ctx, admin, password)
	if st := click(t, ctx, `a[href="/terminals/T001/profile"]`); st != 200 {
		t.Fatalf("the profile form: %d", st)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil || strings.Contains(html, "pbkdf2") || strings.Contains(html, "manager_pin") {
		t.Fatalf("the form shows a secret (%v): %s", err, html)
	}
	for sel, want := range map[string]string{"#store_name": "Shop T001", "#receipt_footer": "Thank you", "#methods": "eftpay:ALIPAYHK", "#order_timeout": "120"} {
		if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel))); err != nil || got != want {
			t.Errorf("%s shows %q (%v); want %q", sel, got, err, want)
		}
	}
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#receipt_footer"), "Thanks, see you soon"),
		chromedp.SetValue(chromedp.CSS("#methods"), "eftpay:ALIPAYHK\nWeChat Pay"),
		chromedp.SetValue(chromedp.CSS("#order_timeout"), "90"),
		chromedp.SetValue(chromedp.CSS("#language"), "zh-Hant"),
	)
	if st := click(t, ctx, "#save"); st != 400 || !strings.Contains(text(t, ctx, ".field-error"), `"WeChat" is no provider:code`) {
		t.Fatalf("a method that is none: %d", st)
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#methods"), "eftpay:ALIPAYHK\neftpay:WECHATCN"))
	if st := click(t, ctx, "#save"); st != 200 || !strings.HasPrefix(text(t, ctx, "#message"), "Saved.") ||
		!strings.Contains(text(t, ctx, "#versions tbody"), admin) {
		t.Fatalf("save: %d", st)
	}
	ack := c.upload(c.token1, c.j1)
	if ack.Profile == nil || ack.Profile.By != admin {
		t.Fatalf("the terminal's next upload gets %+v", ack.Profile)
	}
	var got map[string]any
	if err := json.Unmarshal(ack.Profile.Settings, &got); err != nil {
		t.Fatal(err)
	}
	eft, _ := got["eftpay"].(map[string]any)
	if got["tid"] != "T001" || got["receipt_footer"] != "Thanks, see you soon" || got["order_timeout"] != 90.0 ||
		got["language"] != "zh-Hant" || len(got["methods"].([]any)) != 2 || got["manager_pin_hash"] != "" ||
		got["store_name"] != "Shop T001" || eft["base_url"] != "https://eftpay.example" {
		t.Fatalf("the profile the terminal gets: %s", ack.Profile.Settings)
	}
}
