package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"qrpos/payments"
	"qrpos/terminal"
)

// says fails unless l shows zh over en (en hidden when empty).
func says(t *testing.T, what string, l *lines, zh, en string) {
	t.Helper()
	if l.zh.Text != zh || l.en.Text != en || l.en.Visible() != (en != "") {
		t.Fatalf("%s: customer display says %q / %q (English shown %v), want %q / %q", what, l.zh.Text, l.en.Text, l.en.Visible(), zh, en)
	}
}

// panelShown fails unless the customer display shows panel.
func panelShown(t *testing.T, what string, c *customerDisplay, panel fyne.CanvasObject) {
	t.Helper()
	if len(c.root.Objects) != 1 || c.root.Objects[0] != panel {
		t.Fatalf("%s: the customer display shows another panel", what)
	}
}

// TestCustomerDisplayCPMSale walks a customer-code sale with the cashier's
// screen in English: the display speaks Traditional Chinese and English at
// each step, and never says "Welcome" or "show your code" while the cashier
// waits for the scan or the customer confirms in their wallet.
func TestCustomerDisplayCPMSale(t *testing.T) {
	r := newRig(t, rigOptions{language: English, scanner: true})
	term, c := r.term, r.term.cust
	if got := c.win.Title(); got != "QR POS customer display — 顧客顯示屏" {
		t.Fatalf("title %q", got)
	}
	panelShown(t, "idle", c, c.idlePanel)
	says(t, "idle", c.welcome, "歡迎光臨", "Welcome")
	if zh, en, _ := strings.Cut(c.accepted.Text, "\n"); !strings.HasPrefix(zh, "接受 支付寶香港 · 微信支付香港 · ") || !strings.HasPrefix(en, "We accept AlipayHK · WeChat Pay HK · ") {
		t.Fatalf("accepted %q", c.accepted.Text)
	}
	r.typeAmount("42.50")
	panelShown(t, "typing the amount", c, c.idlePanel)

	r.tap(r.method("qfpay:800008")) // any wallet's code
	if term.phase != phaseScan {
		t.Fatalf("phase %v", term.phase)
	}
	panelShown(t, "scan", c, c.salePanel)
	says(t, "scan", c.prompt, "請向收銀員出示付款碼", "Please show your payment code to the cashier")
	if c.wallet.Text != "" {
		t.Fatalf("scan: wallet %q before the code", c.wallet.Text)
	}
	if c.amount.Text != "HK$42.50" || c.qr.Visible() {
		t.Fatalf("scan: amount %q, QR shown %v", c.amount.Text, c.qr.Visible())
	}

	// The customer's Alipay code (ending 43: they type a password first).
	test.Type(term.cashier.scanEntry, "284567890123456743")
	term.cashier.scanEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if term.phase != phaseStarting {
		t.Fatalf("phase %v after the scan", term.phase)
	}
	says(t, "starting", c.prompt, "正在處理付款……", "Processing your payment…")
	if c.wallet.Text != "支付寶 · Alipay" {
		t.Fatalf("starting: wallet %q", c.wallet.Text)
	}

	r.until("the customer confirming", func() bool { return term.phase == phaseWaiting && term.order.State == payments.Pending })
	if term.cashier.waitState.Text != "Waiting for the customer to confirm on their phone" {
		t.Fatalf("cashier %q", term.cashier.waitState.Text)
	}
	says(t, "pending", c.prompt, "請在錢包應用程式內確認付款", "Please confirm the payment in your wallet app")

	r.until("paid", func() bool { return term.phase == phaseResult })
	panelShown(t, "paid", c, c.resultPanel)
	says(t, "paid", c.resTitle, "付款成功，多謝！", "Paid — thank you!")
	if c.resTitle.zh.Color != colorPaid || c.resAmount.Text != "HK$42.50" {
		t.Fatalf("paid: colour %v, amount %q", c.resTitle.zh.Color, c.resAmount.Text)
	}
	r.tap(term.cashier.newSaleBtn)
	panelShown(t, "new sale", c, c.idlePanel)
}

// TestCustomerDisplayMPMSale walks a QR sale with the cashier's screen in
// Simplified Chinese: the display speaks Simplified and English.
func TestCustomerDisplayMPMSale(t *testing.T) {
	r := newRig(t, rigOptions{language: SimplifiedChinese})
	term, c := r.term, r.term.cust
	if got := c.win.Title(); got != "QR POS customer display — 顾客显示屏" {
		t.Fatalf("title %q", got)
	}
	says(t, "idle", c.welcome, "欢迎光临", "Welcome")
	r.typeAmount("12.3")
	r.tap(r.method("qfpay:800101")) // Alipay's QR
	if term.phase != phaseStarting {
		t.Fatalf("phase %v", term.phase)
	}
	says(t, "starting", c.prompt, "正在生成二维码……", "Preparing your QR code…")
	if c.wallet.Text != "支付宝 · Alipay" {
		t.Fatalf("starting: wallet %q", c.wallet.Text)
	}
	if c.qr.Visible() {
		t.Fatal("a QR code before there is one")
	}
	r.until("QR code", func() bool { return term.phase == phaseWaiting && term.order.QRCode != "" })
	says(t, "waiting", c.prompt, "请用 支付宝 扫码付款", "Scan with Alipay to pay")
	if !c.qr.Visible() || c.qrData != term.order.QRCode || c.amount.Text != "HK$12.30" {
		t.Fatalf("waiting: QR shown %v (%q), amount %q", c.qr.Visible(), c.qrData, c.amount.Text)
	}
	if zh, en, _ := strings.Cut(c.count.Text, " · "); !strings.HasPrefix(zh, "剩余时间 0:") || !strings.HasPrefix(en, "Time left 0:") {
		t.Fatalf("countdown %q", c.count.Text)
	}
	r.tap(c.demoPay)
	r.until("paid", func() bool { return term.phase == phaseResult })
	says(t, "paid", c.resTitle, "付款成功，谢谢！", "Paid — thank you!")
	says(t, "paid: detail", c.resDetail, "收据打印中。", "Your receipt is printing.")
	r.tap(term.cashier.newSaleBtn)
	panelShown(t, "new sale", c, c.idlePanel)
	says(t, "idle again", c.welcome, "欢迎光临", "Welcome")
}

// TestCustomerDisplayStates: every phase and order state the display
// meets, set directly, and what it says (Traditional Chinese and English).
func TestCustomerDisplayStates(t *testing.T) {
	r := newRig(t, rigOptions{language: TraditionalChinese})
	term, c := r.term, r.term.cust
	mpm, _ := payments.LookupMethodID("qfpay:800101")
	cpm, _ := payments.LookupMethodID("qfpay:800108")
	anyCode, _ := payments.LookupMethodID("qfpay:800008")
	hkd := payments.Money{Minor: 8850, Currency: "HKD"}
	ask := &terminal.TillAsk{ID: "a1", Amount: hkd, Reference: "till-1"}
	order := func(m payments.Method, s payments.State, qr string) payments.Order {
		return payments.Order{OutTradeNo: "T001X", Mode: m.Mode, State: s, QRCode: qr, Amount: hkd, ExpiresAt: time.Now().Add(time.Minute)}
	}
	for _, tc := range []struct {
		name   string
		phase  phase
		ask    *terminal.TillAsk
		method payments.Method
		order  payments.Order
		idle   bool
		panel  fyne.CanvasObject
		lines  *lines
		zh, en string
		qr     bool
	}{
		{"idle", phaseEntry, nil, mpm, payments.Order{}, false, c.idlePanel, c.welcome, "歡迎光臨", "Welcome", false},
		{"till's charge", phaseEntry, ask, payments.Method{}, payments.Order{}, false, c.salePanel, c.prompt, "請告訴收銀員您的付款方式", "Tell the cashier how you would like to pay", false},
		{"scan", phaseScan, nil, anyCode, payments.Order{}, false, c.salePanel, c.prompt, "請向收銀員出示付款碼", "Please show your payment code to the cashier", false},
		{"starting CPM", phaseStarting, nil, cpm, payments.Order{}, false, c.salePanel, c.prompt, "正在處理付款……", "Processing your payment…", false},
		{"starting MPM", phaseStarting, nil, mpm, payments.Order{}, false, c.salePanel, c.prompt, "正在產生二維碼……", "Preparing your QR code…", false},
		{"MPM sent", phaseWaiting, nil, mpm, order(mpm, payments.Created, ""), false, c.salePanel, c.prompt, "正在產生二維碼……", "Preparing your QR code…", false},
		{"MPM QR", phaseWaiting, nil, mpm, order(mpm, payments.Pending, "https://qr.example/1"), false, c.salePanel, c.prompt, "請用 支付寶 掃碼付款", "Scan with Alipay to pay", true},
		{"MPM unknown", phaseWaiting, nil, mpm, order(mpm, payments.Unknown, "https://qr.example/1"), false, c.salePanel, c.prompt, "正在確認付款……", "Checking your payment…", false},
		{"CPM sent", phaseWaiting, nil, cpm, order(cpm, payments.Created, ""), false, c.salePanel, c.prompt, "正在處理付款……", "Processing your payment…", false},
		{"CPM confirming", phaseWaiting, nil, cpm, order(cpm, payments.Pending, ""), false, c.salePanel, c.prompt, "請在錢包應用程式內確認付款", "Please confirm the payment in your wallet app", false},
		{"CPM unknown", phaseWaiting, nil, cpm, order(cpm, payments.Unknown, ""), false, c.salePanel, c.prompt, "正在確認付款……", "Checking your payment…", false},
		{"paid", phaseResult, nil, cpm, order(cpm, payments.Paid, ""), false, c.resultPanel, c.resTitle, "付款成功，多謝！", "Paid — thank you!", false},
		{"failed", phaseResult, nil, cpm, order(cpm, payments.Failed, ""), false, c.resultPanel, c.resDetail, "閣下未被扣款。", "You have not been charged.", false},
		{"closed", phaseResult, nil, mpm, order(mpm, payments.Closed, ""), false, c.resultPanel, c.resTitle, "付款未完成", "Payment not completed", false},
		{"still unknown", phaseResult, nil, mpm, order(mpm, payments.Unknown, ""), false, c.resultPanel, c.resTitle, "正在確認付款……", "Checking your payment…", false},
		{"after the result", phaseResult, nil, mpm, order(mpm, payments.Paid, ""), true, c.idlePanel, c.welcome, "歡迎光臨", "Welcome", false},
	} {
		term.phase, term.ask, term.method, term.money, term.order, c.idle = tc.phase, tc.ask, tc.method, hkd, tc.order, tc.idle
		c.refresh()
		panelShown(t, tc.name, c, tc.panel)
		says(t, tc.name, tc.lines, tc.zh, tc.en)
		if tc.panel == c.salePanel && c.qr.Visible() != tc.qr {
			t.Fatalf("%s: QR shown %v", tc.name, c.qr.Visible())
		}
	}
	term.phase, term.ask, term.order, c.idle = phaseEntry, nil, payments.Order{}, false
	c.refresh()
}

// TestCustomerLanguages: Traditional Chinese and English beside any
// screen but a Simplified one.
func TestCustomerLanguages(t *testing.T) {
	for screen, want := range map[Language]Language{English: TraditionalChinese, TraditionalChinese: TraditionalChinese, SimplifiedChinese: SimplifiedChinese} {
		b := customerLanguages(screen)
		if b.zh.Language() != want || b.en.Language() != English {
			t.Errorf("beside %s: %s + %s", screen, b.zh.Language(), b.en.Language())
		}
	}
}
