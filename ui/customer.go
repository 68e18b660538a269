package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// customerQRSize is the QR code's image size on the customer display, in
// pixels before scaling. On the display it takes the room the words leave,
// at least customerQRMin: the display fits an 800×600 screen, and a phone
// reads a code of 7 cm or more from a counter's distance.
const (
	customerQRSize = 480
	customerQRMin  = 280
)

// customerDisplay is the second window, facing the customer: the store's
// name while idle; the amount, the wallet, what to do and the QR code
// during a sale; then paid or not. It speaks Chinese and English at once
// (customerwords.go). It has no staff controls (demo mode adds a button
// that plays the customer, in the cashier's language).
type customerDisplay struct {
	t    *Terminal
	win  fyne.Window
	say  bilingual
	idle bool // the last sale's outcome has been shown long enough

	root      *fyne.Container
	idlePanel fyne.CanvasObject
	store     *canvas.Text
	welcome   *lines
	accepted  *widget.Label // in both languages, a line each

	salePanel fyne.CanvasObject
	amount    *canvas.Text
	wallet    *canvas.Text // "支付寶 · Alipay"
	prompt    *lines
	qr        *canvas.Image
	qrData    string
	count     *canvas.Text // the time left, in both languages on one line
	demoPay   *widget.Button
	demoMsg   *widget.Label

	resultPanel fyne.CanvasObject
	resTitle    *lines
	resAmount   *canvas.Text
	resDetail   *lines
}

func newCustomerDisplay(t *Terminal) *customerDisplay {
	c := &customerDisplay{t: t, win: t.app.NewWindow(customerTitle)}
	c.win.Resize(fyne.NewSize(800, 600))
	// The customer cannot close it; it goes with the cashier window.
	c.win.SetCloseIntercept(func() {})
	return c
}

func text(size float32, bold bool) *canvas.Text {
	x := canvas.NewText("", colorText)
	x.TextSize = size
	x.TextStyle = fyne.TextStyle{Bold: bold}
	x.Alignment = fyne.TextAlignCenter
	return x
}

// lines shows one thing in both languages: the Chinese line over a smaller
// English one, which hides when it would say the same.
type lines struct {
	zh, en *canvas.Text
	box    *fyne.Container
}

func newLines(zhSize, enSize float32, bold bool) *lines {
	l := &lines{zh: text(zhSize, bold), en: text(enSize, bold)}
	l.box = container.NewVBox(l.zh, l.en)
	return l
}

// set shows w in colour col.
func (l *lines) set(w twoLines, col color.Color) {
	if w.en == w.zh {
		w.en = ""
	}
	l.zh.Text, l.zh.Color = w.zh, col
	l.en.Text, l.en.Color = w.en, col
	l.zh.Refresh()
	if (w.en != "") != l.en.Visible() {
		l.en.Hidden = w.en == ""
		l.box.Refresh() // lay the lines out again
	}
	l.en.Refresh()
}

// oneLine is w on one line: Chinese · English (once when they agree).
func oneLine(w twoLines) string {
	if w.en == "" || w.en == w.zh {
		return w.zh
	}
	if w.zh == "" {
		return w.en
	}
	return w.zh + " · " + w.en
}

// build makes the display's panels; its languages follow the cashier's
// (customerLanguages).
func (c *customerDisplay) build() {
	c.say = customerLanguages(c.t.tr.Language())
	c.win.SetTitle(customerTitle + " — " + c.say.zh.T("customer.title"))
	c.store = text(customerHeadline, true)
	c.welcome = newLines(32, 22, false)
	c.accepted = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	c.accepted.Wrapping = fyne.TextWrapWord
	c.idlePanel = container.NewVBox(layout.NewSpacer(), c.store, c.welcome.box, c.accepted, layout.NewSpacer())

	c.amount = text(customerAmount, true)
	c.wallet = text(28, false)
	c.prompt = newLines(28, 20, false)
	c.qr = canvas.NewImageFromImage(nil)
	c.qr.FillMode = canvas.ImageFillContain
	c.qr.ScaleMode = canvas.ImageScalePixels
	c.qr.SetMinSize(fyne.NewSize(customerQRMin, customerQRMin))
	c.count = text(20, false)
	c.count.Color = colorMuted
	c.demoMsg = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	c.demoMsg.Hide()
	c.demoPay = widget.NewButton(c.t.tr.T("customer.demo_pay"), func() { c.t.demoPay() })
	demo := container.NewVBox()
	if c.t.core.Demo() {
		demo.Add(container.NewCenter(container.NewGridWrap(fyne.NewSize(320, 44), c.demoPay)))
		demo.Add(c.demoMsg)
	}
	c.salePanel = container.NewBorder(container.NewVBox(c.amount, c.wallet, c.prompt.box), container.NewVBox(c.count, demo), nil, nil, c.qr)

	c.resTitle = newLines(customerHeadline+8, 30, true)
	c.resAmount = text(36, false)
	c.resDetail = newLines(24, 18, false)
	c.resultPanel = container.NewVBox(layout.NewSpacer(), c.resTitle.box, c.resAmount, c.resDetail.box, layout.NewSpacer())

	c.root = container.NewStack()
	c.win.SetContent(container.NewStack(canvas.NewRectangle(colorWhite), container.NewPadded(c.root)))
	c.refresh()
}

// refresh shows the sale as it stands (UI goroutine).
func (c *customerDisplay) refresh() {
	t := c.t
	var panel fyne.CanvasObject
	switch {
	case c.idle || t.phase == phaseEntry && t.ask == nil:
		panel = c.idlePanel
		c.refreshIdle()
	case t.phase == phaseResult:
		panel = c.resultPanel
		c.refreshResult()
	default: // the till's charge, scan, starting, waiting
		panel = c.salePanel
		c.refreshSale()
	}
	if len(c.root.Objects) != 1 || c.root.Objects[0] != panel {
		c.root.Objects = []fyne.CanvasObject{panel}
		c.root.Refresh()
	}
}

// refreshIdle shows the store's name, a welcome and the wallets taken.
func (c *customerDisplay) refreshIdle() {
	c.store.Text = nonEmpty(c.t.prof.StoreName, "QR POS")
	c.store.Refresh()
	c.welcome.set(c.say.T("customer.welcome"), colorText)
	acc := c.acceptedWallets()
	if len(acc) == 0 {
		c.accepted.SetText("")
		return
	}
	w := c.say.T("customer.accepted", "Wallets", walletsIn(acc))
	c.accepted.SetText(w.zh + "\n" + w.en)
}

// refreshResult shows how the sale ended.
func (c *customerDisplay) refreshResult() {
	title, detail, paid, settled := c.resultWords()
	col := colorWorking
	switch {
	case paid:
		col = colorPaid
	case settled:
		col = colorFailed
	}
	c.resTitle.set(title, col)
	c.resAmount.Text = c.t.order.Amount.String()
	c.resAmount.Refresh()
	c.resDetail.set(detail, colorText)
}

// refreshSale shows the amount, the wallet, what to do and the QR code.
func (c *customerDisplay) refreshSale() {
	t := c.t
	c.amount.Text = t.money.String()
	c.amount.Refresh()
	c.wallet.Text = ""
	if t.method.Wallet != payments.AnyWallet && t.phase != phaseEntry {
		c.wallet.Text = oneLine(c.say.words(walletIn(t.method)))
	}
	c.wallet.Refresh()
	prompt, qr := c.salePrompt()
	c.prompt.set(prompt, colorText)
	if qr != c.qrData {
		c.qrData = qr
		c.qr.Image = qrImage(qr, customerQRSize)
		c.qr.Refresh()
	}
	demo := t.phase == phaseWaiting && t.order.OutTradeNo != ""
	if (qr != "") != c.qr.Visible() || demo != c.demoPay.Visible() {
		c.qr.Hidden, c.demoPay.Hidden = qr == "", !demo
		c.salePanel.Refresh() // lay the panel out again
	}
	c.refreshCountdown()
}

// refreshCountdown shows the time the order stays payable.
func (c *customerDisplay) refreshCountdown() {
	c.count.Text = oneLine(c.timeLeftWords())
	c.count.Refresh()
}

// acceptedWallets are the wallets this terminal takes, each once.
func (c *customerDisplay) acceptedWallets() []payments.Method {
	seen := map[payments.Wallet]bool{}
	var out []payments.Method
	for _, m := range c.t.prof.Offered() {
		if m.Wallet == payments.AnyWallet || m.Wallet == payments.AlipayBoth || seen[m.Wallet] {
			continue
		}
		seen[m.Wallet] = true
		out = append(out, m)
	}
	return out
}

// demoPay plays the customer in demo mode: the core's sandbox pays the
// current order (off the UI goroutine).
func (t *Terminal) demoPay() {
	no := t.order.OutTradeNo
	if !t.core.Demo() || no == "" {
		return
	}
	t.cust.demoSays(t.tr.T("customer.demo_paying"))
	go func() {
		err := t.core.SandboxPay(no, "success")
		t.do(func() {
			if err != nil {
				t.cust.demoSays(err.Error())
				return
			}
			t.cust.demoSays("")
		})
	}()
}

// demoSays shows the demo customer's progress; empty, it takes no room.
func (c *customerDisplay) demoSays(msg string) {
	c.demoMsg.SetText(msg)
	if (msg != "") != c.demoMsg.Visible() {
		c.demoMsg.Hidden = msg == ""
		c.salePanel.Refresh()
	}
}
