package ui

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/storage"
	"qrpos/terminal"
)

// placed is a label and where it is on its window.
type placed struct {
	l  *widget.Label
	at fyne.Position
}

// labelsAt lists the visible labels showing text under o, with their
// place on the window (the test driver's own answer looks in the newest
// window, here the receipt preview).
func labelsAt(o fyne.CanvasObject, text string, at fyne.Position) []placed {
	if !o.Visible() {
		return nil
	}
	p := at.Add(o.Position())
	if l, ok := o.(*widget.Label); ok && l.Text == text {
		return []placed{{l, p}}
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	}
	var out []placed
	for _, k := range kids {
		out = append(out, labelsAt(k, text, p)...)
	}
	return out
}

// TestHistorySearchByAmount: today's orders found by the amount a customer
// says ("88.50", "88.5"), the provider in its own column, and the Amount
// title right over the amounts.
func TestHistorySearchByAmount(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	no := r.paidSale("88.5", "qfpay:800101")
	other := r.paidSale("12", "eftpay:ALIPAYHK")
	term.showTab(term.history.root)
	r.until("orders listed", func() bool { return len(term.history.orders) == 2 })
	for _, q := range []string{"88.50", "88.5", "HK$88.50"} {
		term.history.search.SetText("")
		test.Type(term.history.search, q)
		r.until("search "+q, func() bool {
			return len(term.history.orders) == 1 && term.history.count.Text == "1 order(s) matching “"+q+"”"
		})
		if term.history.orders[0].OutTradeNo != no {
			t.Fatalf("%q found %s, want %s (not %s)", q, term.history.orders[0].OutTradeNo, no, other)
		}
	}
	term.history.search.SetText("")
	r.until("all listed", func() bool { return len(term.history.orders) == 2 })
	term.win.Resize(fyne.NewSize(1024, 768))
	content := term.win.Content()
	for _, want := range []string{"QFPay", "eftPay", no, "HK$88.50", "HK$12.00"} {
		if n := len(labelsAt(content, want, fyne.Position{})); n != 1 {
			t.Fatalf("the list shows %q %d times", want, n)
		}
	}
	// The Amount title sits over the amounts: the same column, both
	// right-aligned.
	head, cell := labelsAt(content, "Amount", fyne.Position{}), labelsAt(content, "HK$88.50", fyne.Position{})
	if len(head) != 1 || head[0].l != term.history.head.Objects[colAmount] {
		t.Fatalf("%d Amount titles", len(head))
	}
	h, c := head[0], cell[0]
	if h.at.X != c.at.X || h.at.Y >= c.at.Y || h.l.Size().Width != c.l.Size().Width ||
		h.l.Alignment != fyne.TextAlignTrailing || c.l.Alignment != fyne.TextAlignTrailing {
		t.Fatalf("Amount title at %v width %v (%v), amounts at %v width %v (%v)",
			h.at, h.l.Size().Width, h.l.Alignment, c.at, c.l.Size().Width, c.l.Alignment)
	}
	if w := term.history.list.MinSize().Width; w > 800 {
		t.Fatalf("the list asks for %v px", w)
	}
}

// TestOrderTimelineCollapsesPolls: a sale the customer pays after the
// terminal checked with the provider several times shows those checks as
// one line with their count and time span.
func TestOrderTimelineCollapsesPolls(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.typeAmount("88.5")
	r.tap(r.method("qfpay:800101"))
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	no := term.order.OutTradeNo
	queries := func() int {
		evs, err := r.j.Events(context.Background(), no)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Kind == storage.EventRequest && e.Detail == "query" {
				n++
			}
		}
		return n
	}
	r.until("three checks", func() bool { return queries() >= 3 })
	r.tap(term.cust.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult && term.order.State == payments.Paid })
	n := queries()
	term.showTab(term.history.root)
	r.until("listed", func() bool { return len(term.history.orders) == 1 })
	term.history.table.Select(0)
	d := term.detail
	r.until("detail", func() bool { return d.order.OutTradeNo == no && d.events.Text != "" })
	lines := strings.Split(d.events.Text, "\n")
	polls := regexp.MustCompile(`^\d\d:\d\d:\d\d  Checked with the provider (\d+) times, (\d\d:\d\d:\d\d)(?:–(\d\d:\d\d:\d\d))?`) // one time when all fell in one second
	var found []string
	for _, l := range lines {
		if polls.MatchString(l) {
			found = append(found, l)
		}
		if strings.Contains(l, "query") {
			t.Fatalf("a raw check in the timeline: %q\n%s", l, d.events.Text)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d lines of checks:\n%s", len(found), d.events.Text)
	}
	m := polls.FindStringSubmatch(found[0])
	if m[1] != strconv.Itoa(n) || m[3] != "" && m[2] > m[3] {
		t.Fatalf("checks line %q, %d checks", found[0], n)
	}
	for _, want := range []string{"Order created", "Payment sent to the provider", "QR code received", "waiting for payment → paid"} {
		if !strings.Contains(d.events.Text, want) {
			t.Fatalf("timeline lacks %q:\n%s", want, d.events.Text)
		}
	}
	if len(lines) != 5 {
		t.Fatalf("%d lines, want created, sent, QR, checks, paid:\n%s", len(lines), d.events.Text)
	}
	// The facts, loaded after the screen was laid out, push the timeline
	// down rather than covering it.
	if f, e := d.facts.Position().Y, d.events.Position().Y; f+d.facts.MinSize().Height > e {
		t.Fatalf("the facts (y %v, height %v) cover the timeline (y %v)", f, d.facts.MinSize().Height, e)
	}
}

// TestTimelineWords: every kind of timeline line has its words.
func TestTimelineWords(t *testing.T) {
	kinds := []terminal.TimelineKind{terminal.TimelineCreated, terminal.TimelinePaySent, terminal.TimelineQR, terminal.TimelineAnswer,
		terminal.TimelineNoAnswer, terminal.TimelineNotification, terminal.TimelineState, terminal.TimelineCancelSent,
		terminal.TimelineRefundSent, terminal.TimelineRefund, terminal.TimelineRequest, terminal.TimelineNote}
	for _, l := range []Language{English, TraditionalChinese, SimplifiedChinese} {
		tr, err := NewTranslator(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			if !tr.Has("timeline." + string(k)) {
				t.Errorf("no words for timeline kind %s", k)
			}
		}
		for _, key := range []string{"timeline.polls", "timeline.refund_polls", "timeline.no_answers", "report.sales_saved"} {
			for n, want := range map[int]string{1: "1", 3: "3"} {
				if s := tr.N(key, n, "Span", "x", "Refund", "R", "Path", "p"); !strings.Contains(s, want) || strings.Contains(s, key) {
					t.Errorf("%s: %s(%d) = %q", l, key, n, s)
				}
			}
		}
	}
}

// TestSalesExport: End of day exports one row per sale and per refund
// (refunds negative) to the file the manager picks; the save dialog
// suggests sales-T001-<date>.csv.
func TestSalesExport(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	a := r.paidSale("88.5", "qfpay:800101")
	b := r.paidSale("12", "eftpay:ALIPAYHK")
	ref, err := r.core.Refund(context.Background(), a, payments.Money{Minor: 3000, Currency: "HKD"})
	if err != nil || ref.State != payments.RefundDone {
		t.Fatalf("refund %+v %v", ref, err)
	}
	term.showTab(term.report.root)
	r.until("report", func() bool { return term.report.loaded })

	r.tap(term.report.sales)
	name := terminal.SalesFileName("T001", time.Now())
	over := term.win.Canvas().Overlays().Top()
	if over == nil {
		t.Fatal("no save dialog")
	}
	suggested := false
	for _, o := range test.LaidOutObjects(over) {
		if e, ok := o.(*widget.Entry); ok && e.Text == name {
			suggested = true
		}
	}
	if !suggested {
		t.Fatalf("the save dialog does not suggest %s", name)
	}
	term.win.Canvas().Overlays().Remove(over)

	path := filepath.Join(t.TempDir(), name)
	term.report.saveSales(startOfDay(time.Now()), path) // what the dialog calls
	r.until("saved", func() bool { return term.report.msg.Text == "Saved 3 rows to "+path })
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != strings.Join(terminal.SalesCSVHeader, ",") {
		t.Fatalf("csv %q", recs)
	}
	var got []string
	for _, rec := range recs[1:] {
		got = append(got, strings.Join([]string{rec[0], rec[2], rec[3], rec[4], rec[7], rec[8], rec[9]}, " "))
	}
	want := []string{"sale " + a + "  qfpay 88.50 HKD partly_refunded", "sale " + b + "  eftpay 12.00 HKD paid",
		"refund " + a + " " + ref.RefundNo + " qfpay -30.00 HKD done"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, rec := range recs[1:] {
		if rec[10] == "" {
			t.Fatalf("no provider reference in %q", rec)
		}
	}
	found := false
	for _, e := range r.audit() {
		found = found || e.Action == "sales_export" && e.Detail == path
	}
	if !found {
		t.Fatal("the export is not in the audit log")
	}
}
