package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
	"qrpos/terminal"
)

// TestSaleMPMPaid: amount by keyboard and keypad, a method, the QR code on
// both windows, the demo customer pays, paid with the provider reference,
// and the receipt goes through the print queue to the preview.
func TestSaleMPMPaid(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.typeAmount("12.")
	r.tap(term.cashier.keys["3"])
	if term.amount != "12.3" || term.cashier.amountText.Text != "HK$12.3" {
		t.Fatalf("amount %q shown %q", term.amount, term.cashier.amountText.Text)
	}
	r.tap(r.method("qfpay:800101"))
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	o := term.order
	if o.Amount != (payments.Money{Minor: 1230, Currency: "HKD"}) || o.Provider != payments.QFPay {
		t.Fatalf("order %+v", o)
	}
	r.until("QR on the customer display", func() bool { return term.cust.qrData == o.QRCode && term.cust.qr.Image != nil })
	if term.cashier.waitQRData != o.QRCode {
		t.Fatalf("cashier QR %q, want %q", term.cashier.waitQRData, o.QRCode)
	}
	if got := term.cust.amount.Text; got != "HK$12.30" {
		t.Fatalf("customer display amount %q", got)
	}
	if !strings.Contains(term.cust.prompt.en.Text, "Alipay") {
		t.Fatalf("customer prompt %q", term.cust.prompt.en.Text)
	}
	if !strings.Contains(term.cashier.waitState.Text, "scan and pay") || !strings.HasPrefix(term.cashier.waitCount.Text, "Time left") {
		t.Fatalf("waiting shows %q / %q", term.cashier.waitState.Text, term.cashier.waitCount.Text)
	}
	// The demo customer pays through the sandbox's control endpoint.
	r.tap(term.cust.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult })
	if term.order.State != payments.Paid || term.cashier.resTitle.Text != "Paid" {
		t.Fatalf("result %s %q", term.order.State, term.cashier.resTitle.Text)
	}
	if term.order.ProviderRef == "" || !strings.Contains(term.cashier.resDetail.Text, term.order.ProviderRef) {
		t.Fatalf("provider reference not shown: %q", term.cashier.resDetail.Text)
	}
	if term.cust.resTitle.en.Text != "Paid — thank you!" {
		t.Fatalf("customer display %q", term.cust.resTitle.en.Text)
	}
	r.until("receipt queued", func() bool { return term.receipt })
	jobs, err := r.j.PrintsOf(context.Background(), o.OutTradeNo)
	if err != nil || len(jobs) != 1 || jobs[0].Kind != storage.PrintSale {
		t.Fatalf("print jobs %+v %v", jobs, err)
	}
	r.until("receipt printed and previewed", func() bool { return term.preview.count == 1 })
	if !strings.Contains(term.preview.text, o.OutTradeNo) || !strings.Contains(term.preview.text, "PAID") {
		t.Fatalf("preview text:\n%s", term.preview.text)
	}
	r.until("printer status", func() bool { return term.status.print.Text == "Printer: ready" })
	// Print receipt queues a copy, once.
	r.tap(term.cashier.printBtn)
	if !term.cashier.printBtn.Disabled() {
		t.Fatal("print button still enabled after a copy")
	}
	r.until("copy printed", func() bool { return term.preview.count == 2 })
	r.tap(term.cashier.newSaleBtn)
	if term.phase != phaseEntry || term.amount != "" || term.cust.root.Objects[0] != term.cust.idlePanel {
		t.Fatal("new sale did not clear the screens")
	}
}

// TestSaleCancel: a QR sale cancelled by the cashier is closed at the
// provider and shown as not paid on both windows.
func TestSaleCancel(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.typeAmount("88")
	r.tap(r.method("eftpay:ALIPAYHK"))
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	no := term.order.OutTradeNo
	r.tap(term.cashier.cancelBtn)
	if !strings.Contains(term.cashier.waitWorking.Text, "Cancelling") {
		t.Fatalf("working %q", term.cashier.waitWorking.Text)
	}
	r.until("closed", func() bool { return term.phase == phaseResult })
	if term.order.State != payments.Closed {
		t.Fatalf("state %s", term.order.State)
	}
	if r.order(no).State != payments.Closed {
		t.Fatal("journal does not say closed")
	}
	if term.cust.resTitle.en.Text != "Payment not completed" || !term.cashier.retryBtn.Visible() || term.cashier.printBtn.Visible() {
		t.Fatalf("result screens: %q retry %v print %v", term.cust.resTitle.en.Text, term.cashier.retryBtn.Visible(), term.cashier.printBtn.Visible())
	}
	if v, ok := r.sb.Order(no); !ok || v.Paid {
		t.Fatalf("sandbox order %+v %v", v, ok)
	}
	// Try again keeps the amount.
	r.tap(term.cashier.retryBtn)
	if term.phase != phaseEntry || term.amount != "88" {
		t.Fatalf("try again: %v %q", term.phase, term.amount)
	}
}

// TestAmountErrors: the amount is parsed as strictly as the core does;
// what is wrong is said in the shop's words, with what to type instead;
// nothing is charged.
func TestAmountErrors(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.typeAmount("1.")
	if term.cashier.amountErr.Text != "" {
		t.Fatalf("an amount being typed shows %q", term.cashier.amountErr.Text)
	}
	r.typeAmount("234")
	if term.cashier.amountErr.Text != "At most two decimals, like 12.50." {
		t.Fatalf("error %q", term.cashier.amountErr.Text)
	}
	r.tap(r.method("qfpay:800101"))
	if term.phase != phaseEntry || term.cashier.amountErr.Text != "At most two decimals, like 12.50." {
		t.Fatalf("charged a bad amount: %v %q", term.phase, term.cashier.amountErr.Text)
	}
	term.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	r.typeAmount("12a.3x")
	if want := "“12a.3x” is not an amount. Use digits and at most one point, like 12.50."; term.cashier.amountErr.Text != want {
		t.Fatalf("error %q", term.cashier.amountErr.Text)
	}
	term.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	r.tap(r.method("qfpay:800101"))
	if term.phase != phaseEntry || term.cashier.amountErr.Text != "Type the amount first." {
		t.Fatalf("no amount: %v %q", term.phase, term.cashier.amountErr.Text)
	}
	r.typeAmount("0.01")
	r.tap(r.method("eftpay:WECHATHK")) // eftPay takes 0.02 at least
	if term.phase != phaseEntry || term.cashier.amountErr.Text != "The smallest amount for this way to pay is HK$0.02." {
		t.Fatalf("eftPay range not applied: %v %q", term.phase, term.cashier.amountErr.Text)
	}
	orders, err := r.j.Orders(context.Background(), storage.Filter{})
	if err != nil || len(orders) != 0 {
		t.Fatalf("orders %d %v", len(orders), err)
	}
}

// TestCPMKeyboardWedge: a keyboard-wedge scanner types the customer's
// code into the scan field and ends with Enter.
func TestCPMKeyboardWedge(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	r.typeAmount("25")
	r.tap(r.method("qfpay:800008"))
	if term.phase != phaseScan {
		t.Fatalf("phase %v", term.phase)
	}
	if term.cust.prompt.en.Text != "Please show your payment code to the cashier" {
		t.Fatalf("customer prompt %q", term.cust.prompt.en.Text)
	}
	if term.win.Canvas().Focused() != term.cashier.scanEntry {
		t.Fatal("the scan field does not have the focus")
	}
	code := "134567890123456712" // WeChat's shape; any other ending pays at once
	test.Type(term.cashier.scanEntry, code)
	term.cashier.scanEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.until("paid", func() bool { return term.phase == phaseResult })
	o := term.order
	if o.State != payments.Paid || o.Mode != payments.CPM || o.MethodCode != "800208" {
		t.Fatalf("order %s %s %s", o.State, o.Mode, o.MethodCode)
	}
	if o.AuthCode == code || !strings.HasSuffix(o.AuthCode, "6712") {
		t.Fatalf("auth code kept as %q", o.AuthCode)
	}
}

// TestCPMScannerEvent: the serial scanner's code, with the customer typing
// a password first (sandbox ending 43), then paid; and a bad code (02)
// fails with the provider's reason.
func TestCPMScannerEvent(t *testing.T) {
	r := newRig(t, rigOptions{language: English, scanner: true})
	term := r.term
	r.scan <- terminal.ScannerEvent{State: terminal.ScannerUp, Port: "/dev/ttyACM0"}
	r.until("scanner up", func() bool { return term.status.scan.Text == "Scanner: ready (/dev/ttyACM0)" })
	r.typeAmount("42.50")
	r.tap(r.method("qfpay:800008"))
	r.scan <- terminal.ScannerEvent{Code: "284567890123456743", Wallet: "alipay"}
	r.until("waiting for the password", func() bool {
		return term.phase == phaseWaiting && term.order.State == payments.Pending
	})
	if term.cashier.waitState.Text != "Waiting for the customer to confirm on their phone" {
		t.Fatalf("state words %q", term.cashier.waitState.Text)
	}
	r.until("paid", func() bool { return term.phase == phaseResult })
	if term.order.State != payments.Paid || term.order.MethodCode != "800108" {
		t.Fatalf("order %s %s", term.order.State, term.order.MethodCode)
	}
	r.tap(term.cashier.newSaleBtn)

	r.typeAmount("9")
	r.tap(r.method("qfpay:800008"))
	r.scan <- terminal.ScannerEvent{Code: "134567890123456702"}
	r.until("failed", func() bool { return term.phase == phaseResult })
	if term.order.State != payments.Failed || term.cashier.resTitle.Text != "Payment failed" {
		t.Fatalf("order %s %q", term.order.State, term.cashier.resTitle.Text)
	}
	if term.order.Reason == "" || !strings.Contains(term.cashier.resDetail.Text, term.order.Reason) {
		t.Fatalf("reason %q not in %q", term.order.Reason, term.cashier.resDetail.Text)
	}
}

// paidSale makes a paid MPM sale through the UI and returns its number.
func (r *rig) paidSale(amount, method string) string {
	r.t.Helper()
	term := r.term
	r.typeAmount(amount)
	r.tap(r.method(method))
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	r.tap(term.cust.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult && term.order.State == payments.Paid })
	no := term.order.OutTradeNo
	r.tap(term.cashier.newSaleBtn)
	return no
}

// TestRefundAndReprintWithPIN: today's orders, an order's detail with its
// timeline, a partial refund behind the manager PIN, a reprint; every
// manager action in the audit log.
func TestRefundAndReprintWithPIN(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	no := r.paidSale("100", "qfpay:800201")
	other := r.paidSale("7", "eftpay:WECHATHK")
	term.showTab(term.history.root)
	r.until("orders listed", func() bool { return len(term.history.orders) == 2 })
	if term.history.count.Text != "2 order(s) today" {
		t.Fatalf("count %q", term.history.count.Text)
	}
	test.Type(term.history.search, no[len(no)-6:])
	r.until("search", func() bool { return len(term.history.orders) == 1 && term.history.orders[0].OutTradeNo == no })
	term.history.table.Select(0)
	d := term.detail
	if d == nil {
		t.Fatal("no detail")
	}
	r.until("detail loaded", func() bool { return d.order.OutTradeNo == no })
	for _, want := range []string{"Order created", "Payment sent", "answered", "paid"} {
		if !strings.Contains(d.events.Text, want) {
			t.Fatalf("timeline lacks %q:\n%s", want, d.events.Text)
		}
	}
	r.tap(d.refundBtn)
	if d.refundEntry.Text != "100.00" {
		t.Fatalf("refund default %q", d.refundEntry.Text)
	}
	d.refundEntry.SetText("100.01")
	r.tap(d.refundOK)
	if !strings.Contains(d.refundMsg.Text, "above the maximum") || term.pin != nil {
		t.Fatalf("over-refund not refused: %q", d.refundMsg.Text)
	}
	d.refundEntry.SetText("30")
	r.tap(d.refundOK)
	r.enterPIN("1234")
	r.until("refund done", func() bool { return strings.HasPrefix(d.msg.Text, "Refunded HK$30.00") })
	r.until("detail reloaded", func() bool { return d.order.State == payments.PartlyRefunded })
	if o := r.order(no); o.State != payments.PartlyRefunded || o.Refunded.Minor != 3000 {
		t.Fatalf("journal %s %v", o.State, o.Refunded)
	}
	if st := d.facts.Objects[0].(*widget.Form).Items[0].Widget.(*widget.Label).Text; st != "partly refunded" {
		t.Fatalf("detail shows state %q", st)
	}
	if !strings.Contains(d.refunds.Text, "HK$30.00") {
		t.Fatalf("refunds %q", d.refunds.Text)
	}
	r.until("refund receipt printed", func() bool { return strings.Contains(term.preview.text, "Refund no.") })
	printed := term.preview.count

	r.tap(d.reprintBtn)
	r.enterPIN("1234")
	r.until("reprint queued", func() bool { return d.msg.Text == "A copy of the receipt is printing." })
	r.until("reprint printed", func() bool { return term.preview.count == printed+1 })
	if !strings.Contains(term.preview.text, "COPY") || !strings.Contains(term.preview.text, "Remaining                               HK$70.00") {
		t.Fatalf("reprint preview:\n%s", term.preview.text)
	}

	var actions []string
	for _, e := range r.audit() {
		actions = append(actions, e.Action+" "+e.Detail)
	}
	log := strings.Join(actions, "\n")
	for _, want := range []string{"pin_ok refund " + no + " 30.00", "refund " + no + " 30.00 done", "pin_ok reprint " + no, "reprint " + no} {
		if !strings.Contains(log, want) {
			t.Fatalf("audit log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, other) {
		t.Fatalf("audit log mentions an untouched order:\n%s", log)
	}
}

// TestSettingsLockout: five wrong PINs lock settings (and refunds) for a
// growing delay, and the lock survives a restart of the terminal.
func TestSettingsLockout(t *testing.T) {
	dir := privateDir(t)
	path := dir + "/pos.db"
	r := newRig(t, rigOptions{language: English, journal: path})
	term := r.term
	term.showTab(term.settings.root)
	for i := 1; i <= MaxPINTries; i++ {
		r.tap(term.settings.unlockBtn)
		r.enterPIN("9999")
		if i < MaxPINTries {
			want := term.tr.N("pin.wrong", MaxPINTries-i) // pinlock_test.go checks the words
			if term.pin == nil || term.pin.msg.Text != want {
				t.Fatalf("try %d: %v", i, term.pin)
			}
			term.closePIN()
		}
	}
	if term.pin != nil {
		t.Fatal("PIN prompt still open after the fifth wrong PIN")
	}
	if term.settings.open {
		t.Fatal("settings opened")
	}
	// Even the right PIN is refused now, without being asked.
	r.tap(term.settings.unlockBtn)
	r.drain(300 * time.Millisecond)
	if term.pin != nil || term.settings.open {
		t.Fatal("locked settings still ask for the PIN")
	}
	l, err := checkout.ReadPINLock(context.Background(), r.j, "T001")
	if err != nil || l.Failures != MaxPINTries || time.Until(l.Until) < 50*time.Second {
		t.Fatalf("lock %+v %v", l, err)
	}
	// A restart reads the lock from the audit log. The first terminal lets
	// go of its journal first: one owner at a time.
	r.close()
	r2 := newRig(t, rigOptions{language: English, journal: path})
	r2.term.showTab(r2.term.settings.root)
	r2.tap(r2.term.settings.unlockBtn)
	r2.drain(300 * time.Millisecond)
	if r2.term.pin != nil || r2.term.settings.open {
		t.Fatal("the lock did not survive a restart")
	}
}

// TestSettingsUnlockAndSave: the right PIN opens settings; secrets are
// never shown back; an empty secret keeps the old one; the change is saved
// and audited by field name only.
func TestSettingsUnlockAndSave(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	term.showTab(term.settings.root)
	r.tap(term.settings.unlockBtn)
	r.enterPIN("1234")
	s := term.settings
	if !s.open {
		t.Fatal("settings not open")
	}
	eftSecret := s.providerEntry(payments.Eftpay, "secret")
	if eftSecret.Text != "" || !strings.HasSuffix(eftSecret.PlaceHolder, "— leave empty to keep") ||
		strings.Contains(eftSecret.PlaceHolder, r.prof.Setting(payments.Eftpay, "secret")) {
		t.Fatalf("secret shown back: %q / %q", eftSecret.Text, eftSecret.PlaceHolder)
	}
	s.storeName.SetText("New Name 新名")
	s.providerEntry(payments.QFPay, "client_key").SetText("0E32A59A8B454940A2FF39DEMOKEY02")
	r.tap(s.save)
	r.until("saved", func() bool { return strings.HasPrefix(term.settings.msg.Text, "Saved:") })
	p := term.prof
	if p.StoreName != "New Name 新名" || p.Setting(payments.Eftpay, "secret") != r.prof.Setting(payments.Eftpay, "secret") || p.Setting(payments.QFPay, "client_key") != "0E32A59A8B454940A2FF39DEMOKEY02" {
		t.Fatalf("profile %+v", p.Redacted())
	}
	var found bool
	for _, e := range r.audit() {
		if e.Action == "settings_saved" {
			found = true
			if e.Detail != "store_name, qfpay.client_key" {
				t.Fatalf("audit detail %q", e.Detail)
			}
		}
	}
	if !found {
		t.Fatal("settings change not audited")
	}
}

// TestLanguageSwitch: the manager picks Traditional Chinese; every screen
// speaks it, the customer display too.
func TestLanguageSwitch(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	if term.tabs.Items[0].Text != "Sale" {
		t.Fatalf("tab %q", term.tabs.Items[0].Text)
	}
	term.showTab(term.settings.root)
	r.tap(term.settings.unlockBtn)
	r.enterPIN("1234")
	term.settings.language.SetSelected("繁體中文")
	r.tap(term.settings.save)
	r.until("relanguaged", func() bool { return term.tr.Language() == TraditionalChinese })
	want := []string{"收款", "今日訂單", "日結", "設定"}
	for i, it := range term.tabs.Items {
		if it.Text != want[i] {
			t.Fatalf("tab %d = %q, want %q", i, it.Text, want[i])
		}
	}
	if term.cust.welcome.zh.Text != "歡迎光臨" || term.cust.win.Title() != "QR POS customer display — 顧客顯示屏" {
		t.Fatalf("customer display %q %q", term.cust.welcome.zh.Text, term.cust.win.Title())
	}
	if p, err := loadProfile(r); err != nil || p.Language != "zh-Hant" {
		t.Fatalf("stored language %q %v", p.Language, err)
	}
	term.settings.language.SetSelected("简体中文")
	r.tap(term.settings.save)
	r.until("relanguaged", func() bool { return term.tr.Language() == SimplifiedChinese })
	if term.tabs.Items[1].Text != "今日订单" {
		t.Fatalf("tab %q", term.tabs.Items[1].Text)
	}
}

// TestTillSaleShownAtTheCounter: a sale the shop's till rang up through the
// local API appears on the free counter: the customer display shows its QR,
// the cashier sees where it came from and can cancel it.
func TestTillSaleShownAtTheCounter(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	term := r.term
	s, err := r.eng.Charge(context.Background(), checkout.ChargeRequest{Provider: payments.Eftpay, MethodCode: "ALIPAYHK",
		Amount: payments.Money{Minor: 8850, Currency: "HKD"}, Origin: "till", Reference: "till-4711"})
	if err != nil {
		t.Fatal(err)
	}
	r.until("the till's sale on the customer display", func() bool {
		return term.phase == phaseWaiting && term.order.OutTradeNo == s.Order.OutTradeNo && term.cust.qr.Image != nil
	})
	if term.cust.amount.Text != "HK$88.50" || !strings.Contains(term.working, "till-4711") {
		t.Fatalf("customer amount %q, cashier %q", term.cust.amount.Text, term.working)
	}
	r.tap(term.cashier.cancelBtn)
	r.until("closed", func() bool { return term.phase == phaseResult })
	if o, _ := s.Wait(context.Background()); o.State != payments.Closed {
		t.Fatalf("the till's sale ended %s", o.State)
	}
}
