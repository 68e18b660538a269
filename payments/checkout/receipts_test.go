package checkout

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"qrpos/devices/printer"
	"qrpos/payments"
	"qrpos/storage"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden receipts in testdata/")

// goldenReceipt compares got with testdata/name, or rewrites it with -update.
func goldenReceipt(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Receipt -update to make it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden receipt:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// shop is a day at a Hong Kong café: a real journal on a clock the test
// moves, order numbers from a seeded source, and the terminal's receipts.
type shop struct {
	t   *testing.T
	j   *storage.Journal
	now time.Time
	rc  *Receipts
	p   Profile
}

func newShop(t *testing.T, lang string) *shop {
	t.Helper()
	s := &shop{t: t, now: time.Date(2026, 11, 23, 17, 0, 0, 0, time.Local)}
	seed := [32]byte{'h', 'o', ' ', 'm', 'e', 'i'}
	j, err := storage.Open(context.Background(), filepath.Join(privateDir(t), "pos.db"),
		storage.WithClock(func() time.Time { return s.now }), storage.WithRandom(rand.NewChaCha8(seed)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	s.j = j
	s.p = Profile{TID: "T001", StoreName: "Ho Mei Cafe 好味茶餐廳", StoreAddress: "旺角彌敦道 688 號地下",
		ReceiptFooter: "多謝惠顧 Thank you", Language: lang}
	s.p.Printer.Encoding = "big5"
	s.rc = &Receipts{J: j, Profile: func() Profile { return s.p }, Now: func() time.Time { return s.now }}
	return s
}

// at moves the clock to hh:mm:ss of day d of November 2026.
func (s *shop) at(d, hh, mm, ss int) { s.now = time.Date(2026, 11, d, hh, mm, ss, 0, time.Local) }

// sale journals a sale paid a minute after it started, with its receipt.
func (s *shop) sale(p payments.Provider, code string, minor int64, ch storage.Change) payments.Order {
	s.t.Helper()
	ctx := context.Background()
	m, err := payments.LookupMethod(p, code)
	if err != nil {
		s.t.Fatal(err)
	}
	auth := ""
	if m.Mode == payments.CPM {
		auth = "150123456789017409"
	}
	o, err := s.j.CreateOrder(ctx, storage.NewOrder{TID: "T001", Provider: p, MethodCode: code, Mode: m.Mode, Amount: hkd(minor), AuthCode: auth})
	if err != nil {
		s.t.Fatal(err)
	}
	s.now = s.now.Add(time.Minute)
	ch.Receipt = s.rc.SaleJob
	o, err = s.j.Transition(ctx, o.OutTradeNo, payments.Paid, ch)
	if err != nil {
		s.t.Fatal(err)
	}
	return o
}

// refund journals a done refund with its receipt.
func (s *shop) refund(o payments.Order, minor int64, ref string) payments.Refund {
	s.t.Helper()
	ctx := context.Background()
	r, err := s.j.CreateRefund(ctx, o.OutTradeNo, hkd(minor))
	if err != nil {
		s.t.Fatal(err)
	}
	r, err = s.j.TransitionRefund(ctx, r.RefundNo, payments.RefundDone, storage.RefundChange{ProviderRef: ref, Receipt: s.rc.RefundJob})
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// job is the receipt of the print job of kind (and refund refundNo) of
// order no; no "" looks among the queued jobs of no order (reports).
func (s *shop) job(no, kind, refundNo string) printer.Receipt {
	s.t.Helper()
	ctx := context.Background()
	jobs, err := s.j.PrintsOf(ctx, no)
	if no == "" {
		jobs, err = s.j.QueuedPrints(ctx, 1000)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Kind == kind && j.RefundNo == refundNo {
			var r printer.Receipt
			if err := json.Unmarshal(j.Payload, &r); err != nil {
				s.t.Fatal(err)
			}
			return r
		}
	}
	s.t.Fatalf("no %s job for %q %q in %d jobs", kind, no, refundNo, len(jobs))
	return printer.Receipt{}
}

// printed is r as the printer prints it at width columns, decoded back to
// text by the virtual printer; it fails on a line wider than the paper,
// a character the printer cannot print, or a command it does not know.
func printed(t *testing.T, r printer.Receipt, width int, enc printer.Encoding) string {
	t.Helper()
	data, err := printer.Layout(r, printer.Format{Width: width, Encoding: enc})
	if err != nil {
		t.Fatal(err)
	}
	v := printer.NewVirtual(printer.WithWidth(width), printer.WithEncoding(enc))
	defer v.Close()
	v.Write(data)
	p := v.Last()
	if p == nil {
		t.Fatal("nothing printed")
	}
	for _, e := range p.Elements {
		if e.Kind == printer.KindText && e.Cols() > width {
			t.Errorf("a line of %d columns on %d: %+v", e.Cols(), width, e.Runs)
		}
	}
	if len(p.Unknown) > 0 {
		t.Errorf("unknown commands %v", p.Unknown)
	}
	text := p.Text()
	if strings.Contains(text, "?") {
		t.Errorf("something the printer cannot print:\n%s", text)
	}
	return text
}

// day is a day of sales at two providers: an AlipayHK sale at eftPay
// refunded twice, a WeChat Pay HK scanned code at QFPay, Alipay at QFPay
// both shown (paid in CNY) and scanned, and a WeChat Pay sale that failed.
type day struct {
	alipayHK, wechatHK, alipayQR, alipayScan payments.Order
	refund1, refund2                         payments.Refund
}

func (s *shop) day() day {
	var d day
	s.at(23, 17, 4, 9)
	d.alipayHK = s.sale(payments.Eftpay, "ALIPAYHK", 12850, storage.Change{ProviderRef: "4200002026112317050912345678"})
	s.at(23, 17, 20, 0)
	d.wechatHK = s.sale(payments.QFPay, "801008", 8800, storage.Change{ProviderRef: "20261123172100020001"})
	s.at(23, 17, 30, 0)
	d.alipayQR = s.sale(payments.QFPay, "800101", 4500, storage.Change{ProviderRef: "20261123173100020002",
		CashAmount: payments.Money{Minor: 4111, Currency: "CNY"}, ExchangeRate: "0.9136"})
	s.at(23, 17, 40, 0)
	d.alipayScan = s.sale(payments.QFPay, "800108", 1230, storage.Change{ProviderRef: "20261123174100020003"})
	s.at(23, 17, 50, 0)
	failed, err := s.j.CreateOrder(context.Background(), storage.NewOrder{TID: "T001", Provider: payments.QFPay, MethodCode: "800201", Mode: payments.MPM, Amount: hkd(2000)})
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.j.Transition(context.Background(), failed.OutTradeNo, payments.Failed, storage.Change{Reason: "declined"}); err != nil {
		s.t.Fatal(err)
	}
	s.at(23, 18, 0, 0)
	d.refund1 = s.refund(d.alipayHK, 2850, "RF2026112318000001")
	s.at(23, 18, 1, 30)
	d.refund2 = s.refund(d.alipayHK, 1000, "RF2026112318013002")
	return d
}

// every width a golden receipt is kept at: 58 mm and 80 mm paper.
var goldenWidths = []int{printer.Width58mm, printer.Width80mm}

// TestReceiptGolden: the sale, partial refund and reprint receipts of a
// Hong Kong shop whose terminal follows the system language (Chinese and
// English), as printed on 58 and 80 mm paper.
func TestReceiptGolden(t *testing.T) {
	s := newShop(t, "")
	d := s.day()
	s.at(24, 9, 12, 0)
	if err := s.rc.Reprint(context.Background(), d.alipayHK); err != nil {
		t.Fatal(err)
	}
	receipts := map[string]printer.Receipt{
		"sale":    s.job(d.alipayQR.OutTradeNo, storage.PrintSale, ""),
		"refund":  s.job(d.alipayHK.OutTradeNo, storage.PrintRefund, d.refund2.RefundNo),
		"reprint": s.job(d.alipayHK.OutTradeNo, storage.PrintReprint, ""),
	}
	for name, r := range receipts {
		for _, w := range goldenWidths {
			text := printed(t, r, w, printer.Big5)
			goldenReceipt(t, fmt.Sprintf("receipt-%s-%d.golden", name, w), text)
			for _, jargon := range []string{"(MPM)", "(CPM)", "MPM", "CPM"} {
				if strings.Contains(text, jargon) {
					t.Errorf("%s/%d says %q", name, w, jargon)
				}
			}
		}
	}
}

// The refund receipt says what the sale was, what this refund gave back,
// what was refunded in all and what remains, with the sale's number and
// provider reference: read from the receipt's values, not its layout.
func TestRefundReceiptSaysWhatRemains(t *testing.T) {
	s := newShop(t, "en")
	d := s.day()
	r := s.job(d.alipayHK.OutTradeNo, storage.PrintRefund, d.refund2.RefundNo)
	text := printed(t, r, printer.Width80mm, printer.Big5)
	for _, want := range []string{
		"Order " + strings.Repeat(" ", 48-len("Order ")-len(d.alipayHK.OutTradeNo)) + d.alipayHK.OutTradeNo,
		"4200002026112317050912345678", d.refund2.RefundNo, "RF2026112318013002",
		"Sale amount", "HK$128.50", "This refund", "-HK$10.00", "Refunded", "-HK$38.50", "Remaining", "HK$90.00",
		"2026-11-23 18:01:30", "AlipayHK", "eftPay", "PARTLY REFUNDED",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the refund receipt does not say %q:\n%s", want, text)
		}
	}
	first := s.job(d.alipayHK.OutTradeNo, storage.PrintRefund, d.refund1.RefundNo)
	if text := printed(t, first, printer.Width80mm, printer.Big5); !strings.Contains(text, "HK$100.00") || !strings.Contains(text, "-HK$28.50") {
		t.Errorf("the first refund's receipt does not leave HK$100.00:\n%s", text)
	}
}

// A reprint is dated when the sale was paid, not by its refunds or the
// time of printing; it says it is a copy and when it was reprinted, and
// lists the refunds done since.
func TestReprintIsDatedBySale(t *testing.T) {
	s := newShop(t, "en")
	d := s.day()
	s.at(24, 9, 12, 0)
	// The order as the screen held it before the refunds: the reprint
	// reads the journal's.
	if err := s.rc.Reprint(context.Background(), d.alipayHK); err != nil {
		t.Fatal(err)
	}
	r := s.job(d.alipayHK.OutTradeNo, storage.PrintReprint, "")
	if r.Date != "2026-11-23" || r.Time != "17:05:09" {
		t.Errorf("reprint dated %s %s, want the sale's 2026-11-23 17:05:09", r.Date, r.Time)
	}
	text := printed(t, r, printer.Width58mm, printer.Big5)
	for _, want := range []string{"COPY", "Reprinted 2026-11-24 09:12", "2026-11-23 18:00:00", "-HK$28.50",
		"2026-11-23 18:01:30", "-HK$10.00", "-HK$38.50", "HK$90.00", "PARTLY REFUNDED"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reprint does not say %q:\n%s", want, text)
		}
	}
}

// TestReportGolden: the printed end-of-day report, in English and in
// Traditional Chinese with English: each wallet and provider is named
// above its figures, Alipay shown and scanned at QFPay add up to one
// block, and the total block is labelled.
func TestReportGolden(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hant"} {
		t.Run(lang, func(t *testing.T) {
			s := newShop(t, lang)
			s.day()
			rep := s.report()
			if err := s.rc.ReportReceipt(context.Background(), rep); err != nil {
				t.Fatal(err)
			}
			r := s.job("", storage.PrintReport, "")
			for _, w := range goldenWidths {
				text := printed(t, r, w, printer.Big5)
				goldenReceipt(t, fmt.Sprintf("report-%s-%d.golden", lang, w), text)
			}
			var heads []string
			for _, f := range r.Lines {
				if f.Heading {
					heads = append(heads, f.Label)
				}
			}
			want := []string{"AlipayHK (eftPay)", "Alipay (QFPay)", "WeChat Pay HK (QFPay)", "TOTAL"}
			if lang == "zh-Hant" {
				want = []string{"支付寶香港 AlipayHK (eftPay)", "支付寶 Alipay (QFPay)", "微信支付香港 WeChat Pay HK (QFPay)", "合計 TOTAL"}
			}
			if strings.Join(heads, "|") != strings.Join(want, "|") {
				t.Errorf("headings %q, want %q", heads, want)
			}
		})
	}
}

// report is the day's report of s's journal, as printed at 23:59.
func (s *shop) report() DayReport {
	s.t.Helper()
	e, err := New(s.j, Config{TID: "T001", Logger: quiet})
	if err != nil {
		s.t.Fatal(err)
	}
	defer e.Close()
	rep, err := e.DayReport(context.Background(), time.Date(2026, 11, 23, 12, 0, 0, 0, time.Local))
	if err != nil {
		s.t.Fatal(err)
	}
	if len(rep.Lines) != 4 || rep.Total.Sales != 4 || rep.Total.Refunds != 2 || rep.Unpaid != 1 {
		s.t.Fatalf("the day's report: %+v", rep)
	}
	rep.GeneratedAt = time.Date(2026, 11, 23, 23, 59, 0, 0, time.Local)
	return rep
}

// The receipts' language: English alone for "en"; Chinese and English
// otherwise, in Simplified only when the printer can print it.
func TestReceiptLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang, enc, title, wallet string
	}{
		{"en", "big5", "SALE", "AlipayHK"},
		{"", "big5", "銷售 SALE", "支付寶香港 AlipayHK"},
		{"zh-Hant", "gb18030", "銷售 SALE", "支付寶香港 AlipayHK"},
		{"zh-Hans", "gb18030", "销售 SALE", "支付宝香港 AlipayHK"},
		{"zh-Hans", "big5", "銷售 SALE", "支付寶香港 AlipayHK"}, // a Big5 printer has no Simplified characters
	} {
		s := newShop(t, tc.lang)
		s.p.Printer.Encoding = tc.enc
		o := s.sale(payments.Eftpay, "ALIPAYHK", 100, storage.Change{})
		r := s.job(o.OutTradeNo, storage.PrintSale, "")
		if r.Title != tc.title || r.Method != tc.wallet {
			t.Errorf("%q on %s: title %q, wallet %q; want %q, %q", tc.lang, tc.enc, r.Title, r.Method, tc.title, tc.wallet)
		}
		printed(t, r, printer.Width58mm, printer.Encoding(tc.enc))
	}
}

// Every receipt.* text exists in the three languages, the Chinese ones
// in Chinese.
func TestReceiptKeysTranslated(t *testing.T) {
	texts := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-Hant", "zh-Hans"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "assets", "translations", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		texts[lang] = m
	}
	n := 0
	for key, en := range texts["en"] {
		if !strings.HasPrefix(key, "receipt.") {
			continue
		}
		n++
		if en == "" {
			t.Errorf("%s: no English", key)
		}
		for _, lang := range []string{"zh-Hant", "zh-Hans"} {
			if !strings.ContainsFunc(texts[lang][key], func(r rune) bool { return r >= 0x2e80 }) {
				t.Errorf("%s in %s: %q", key, lang, texts[lang][key])
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d receipt texts", n)
	}
	// Every key the receipts ask for by name.
	used := regexp.MustCompile(`"(receipt\.[a-z_.]+[a-z_])"`)
	for _, src := range []string{"receipts.go", "receiptwords.go", "report.go"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := texts["en"][m[1]]; !ok {
				t.Errorf("%s asks for %q, which en.json lacks", src, m[1])
			}
		}
	}
	for _, s := range []payments.State{payments.Paid, payments.PartlyRefunded, payments.Refunded} {
		if _, ok := texts["en"]["receipt.state."+string(s)]; !ok {
			t.Errorf("no receipt text for state %s", s)
		}
	}
}

// A receipt queued by an older version (in a journal's print queue) still
// prints: an end-of-day report whose method lines had no value prints
// their names.
func TestOldPayloadsPrint(t *testing.T) {
	ctx := context.Background()
	s := newShop(t, "")
	old := `{"title":"END OF DAY 2026-11-23","store":"Test shop","tid":"T001","date":"2026-11-23","time":"23:59:00",` +
		`"lines":[{"label":"AlipayHK (eftpay)","value":""},{"label":"  1 sales","value":"HK$128.50"},` +
		`{"label":"  0 refunds","value":"-HK$0.00"},{"label":"  net","value":"HK$128.50"},` +
		`{"label":"Total","value":""},{"label":"  1 sales","value":"HK$128.50"}]}`
	sale := `{"title":"SALE","store":"Test shop","tid":"T001","date":"2026-11-23","time":"17:05:09","order_no":"T00120261123ABCDEFGHIJ",` +
		`"method":"AlipayHK (MPM)","amount":"HK$128.50","refs":[{"label":"eftpay ref","value":"42000020261123"}],"status":"PAID","qr":"T00120261123ABCDEFGHIJ"}`
	for _, payload := range []string{old, sale} {
		if _, err := s.j.EnqueuePrint(ctx, storage.PrintJob{Kind: storage.PrintTest, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}
	v := printer.NewVirtual(printer.WithWidth(printer.Width58mm))
	p, err := printer.New(v, printer.Config{Format: printer.Format{Width: printer.Width58mm}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sp := &Spooler{J: s.j, Printer: p, Log: quiet}
	if err := sp.PrintQueued(ctx); err != nil {
		t.Fatal(err)
	}
	got := v.Receipts()
	if len(got) != 2 {
		t.Fatalf("%d printouts", len(got))
	}
	if text := got[0].Text(); !strings.Contains(text, "AlipayHK (eftpay)") || !strings.Contains(text, "Total") {
		t.Errorf("the old report prints no method names:\n%s", text)
	}
	if text := got[1].Text(); !strings.Contains(text, "AlipayHK (MPM)") || !strings.Contains(text, "H K $ 1 2 8 . 5 0") {
		t.Errorf("the old sale receipt:\n%s", text)
	}
	if q, _ := s.j.QueuedPrints(ctx, 10); len(q) != 0 {
		t.Errorf("%d jobs left in the queue", len(q))
	}
}
