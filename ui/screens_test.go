package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"qrpos/payments"
	"qrpos/storage"
)

// settle waits until both providers' probes have answered, so screens
// render the same every time.
func (r *rig) settle() {
	r.t.Helper()
	r.until("probes", func() bool {
		a, _ := r.term.probeFor(payments.Eftpay)
		b, _ := r.term.probeFor(payments.QFPay)
		return a && b
	})
	r.drain(50 * time.Millisecond)
}

// TestGoldenScreens pins the main screens: markup for the cashier's sale
// screen, the customer display and the locked settings; a picture for the
// Chinese sale screen (it proves the bundled font draws Chinese).
func TestGoldenScreens(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	r.settle()
	r.typeAmount("12.3")
	test.AssertRendersToMarkup(t, "cashier_entry_en.xml", r.term.win.Canvas())
	test.AssertRendersToMarkup(t, "customer_idle_en.xml", r.term.cust.win.Canvas())
	r.term.showTab(r.term.settings.root)
	test.AssertRendersToMarkup(t, "settings_locked_en.xml", r.term.win.Canvas())

	zh := newRig(t, rigOptions{language: TraditionalChinese})
	zh.settle()
	zh.typeAmount("88.5")
	test.AssertImageMatches(t, "cashier_entry_zh_hant.png", zh.term.win.Canvas().Capture())
	test.AssertRendersToMarkup(t, "customer_idle_zh_hant.xml", zh.term.cust.win.Canvas())

	hans := newRig(t, rigOptions{language: SimplifiedChinese})
	hans.settle()
	test.AssertImageMatches(t, "customer_idle_zh_hans.png", hans.term.cust.win.Canvas().Capture())
}

// TestRecoveryBanner: an order a crashed run left open is finished before
// the first sale and listed in a banner until dismissed.
func TestRecoveryBanner(t *testing.T) {
	path := filepath.Join(privateDir(t), "pos.db")
	j, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	o, err := j.CreateOrder(context.Background(), storage.NewOrder{TID: "T001", Provider: payments.QFPay, MethodCode: "800101",
		Mode: payments.MPM, Amount: payments.Money{Minor: 500, Currency: "HKD"}, ExpiresAt: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	r := newRig(t, rigOptions{language: English, journal: path})
	if len(r.term.recovered) != 1 || r.term.recovered[0].OutTradeNo != o.OutTradeNo {
		t.Fatalf("recovered %+v", r.term.recovered)
	}
	if len(r.term.banner.Objects) != 1 {
		t.Fatal("no banner")
	}
	lines := strings.Join(r.term.recoveredLines(), "\n")
	if !strings.Contains(lines, o.OutTradeNo+": created → cancelled") || !strings.Contains(lines, "nothing was charged") {
		t.Fatalf("banner says %q", lines)
	}
	if r.order(o.OutTradeNo).State != payments.Closed {
		t.Fatal("order not closed")
	}
}

// TestDayReport: the report of today on screen, printed through the queue
// and exported as CSV beside the journal.
func TestDayReport(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.paidSale("10", "qfpay:800201")
	r.paidSale("2.50", "eftpay:ALIPAYHK")
	term.showTab(term.report.root)
	r.until("report", func() bool { return term.report.loaded })
	if term.report.rep.Total.Sales != 2 || term.report.rep.Total.Gross.Minor != 1250 {
		t.Fatalf("report %+v", term.report.rep.Total)
	}
	// header, two methods, total
	if n := len(term.report.table.Objects); n != 4 {
		t.Fatalf("%d rows", n)
	}
	r.until("sale receipts printed", func() bool { return term.preview.count == 2 })
	printed := term.preview.count
	r.tap(term.report.printB)
	r.until("report printed", func() bool { return term.preview.count == printed+1 })
	if !strings.Contains(term.preview.text, "HK$12.50") {
		t.Fatalf("report printout:\n%s", term.preview.text)
	}
	r.tap(term.report.export)
	r.until("exported", func() bool { return strings.HasPrefix(term.report.msg.Text, "Saved ") })
	path := strings.TrimPrefix(term.report.msg.Text, "Saved ")
	if filepath.Dir(filepath.Dir(path)) != filepath.Dir(r.j.Path()) {
		t.Fatalf("exported to %s, journal %s", path, r.j.Path())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "tid,date,provider") || !strings.Contains(string(b), ",12.50,") {
		t.Fatalf("csv:\n%s", b)
	}
}
