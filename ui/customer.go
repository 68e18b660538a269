package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// customerQRSize is the QR code's size on the customer display, in pixels
// before scaling: with 8 or more pixels per module a phone reads it from
// a counter's distance.
const customerQRSize = 480

// customerDisplay is the second window, facing the customer: the store's
// name while idle; the amount, the wallet and the QR code during a sale;
// then paid or not. It has no staff controls (demo mode adds a button that
// plays the customer).
type customerDisplay struct {
	t    *Terminal
	win  fyne.Window
	idle bool // the last sale's outcome has been shown long enough

	root      *fyne.Container
	idlePanel fyne.CanvasObject
	store     *canvas.Text
	welcome   *canvas.Text
	accepted  *widget.Label

	salePanel fyne.CanvasObject
	amount    *canvas.Text
	wallet    *canvas.Text
	prompt    *canvas.Text
	qr        *canvas.Image
	qrData    string
	count     *canvas.Text
	demoPay   *widget.Button
	demoMsg   *widget.Label

	resultPanel fyne.CanvasObject
	resTitle    *canvas.Text
	resAmount   *canvas.Text
	resDetail   *canvas.Text
}

func newCustomerDisplay(t *Terminal) *customerDisplay {
	c := &customerDisplay{t: t, win: t.app.NewWindow("")}
	c.win.Resize(fyne.NewSize(800, 720))
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

// build makes the display's panels in the current language.
func (c *customerDisplay) build() {
	tr := c.t.tr
	c.win.SetTitle(tr.T("customer.title"))
	c.store = text(customerHeadline, true)
	c.welcome = text(28, false)
	c.accepted = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	c.accepted.Wrapping = fyne.TextWrapWord
	c.idlePanel = container.NewVBox(layout.NewSpacer(), c.store, c.welcome, c.accepted, layout.NewSpacer())

	c.amount = text(customerAmount, true)
	c.wallet = text(28, true)
	c.prompt = text(24, false)
	c.qr = canvas.NewImageFromImage(nil)
	c.qr.FillMode = canvas.ImageFillContain
	c.qr.ScaleMode = canvas.ImageScalePixels
	c.qr.SetMinSize(fyne.NewSize(customerQRSize, customerQRSize))
	c.count = text(20, false)
	c.count.Color = colorMuted
	c.demoMsg = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	c.demoPay = widget.NewButton(tr.T("customer.demo_pay"), func() { c.t.demoPay() })
	demo := container.NewVBox()
	if c.t.core.Demo() {
		demo.Add(container.NewCenter(container.NewGridWrap(fyne.NewSize(320, 44), c.demoPay)))
		demo.Add(c.demoMsg)
	}
	c.salePanel = container.NewBorder(container.NewVBox(c.amount, c.wallet, c.prompt), container.NewVBox(c.count, demo), nil, nil,
		container.NewCenter(c.qr))

	c.resTitle = text(customerHeadline+8, true)
	c.resAmount = text(36, false)
	c.resDetail = text(22, false)
	c.resultPanel = container.NewVBox(layout.NewSpacer(), c.resTitle, c.resAmount, c.resDetail, layout.NewSpacer())

	c.root = container.NewStack()
	c.win.SetContent(container.NewStack(canvas.NewRectangle(colorWhite), container.NewPadded(c.root)))
	c.refresh()
}

// refresh shows the sale as it stands (UI goroutine).
func (c *customerDisplay) refresh() {
	t := c.t
	tr := t.tr
	var panel fyne.CanvasObject
	switch {
	case c.idle || t.phase == phaseEntry && t.ask == nil:
		panel = c.idlePanel
		c.store.Text = nonEmpty(t.prof.StoreName, "QR POS")
		c.store.Refresh()
		c.welcome.Text = tr.T("customer.welcome")
		c.welcome.Refresh()
		c.accepted.SetText(c.acceptedText())
	case t.phase == phaseResult:
		panel = c.resultPanel
		o := t.order
		c.resAmount.Text = o.Amount.String()
		c.resAmount.Refresh()
		switch {
		case o.State.MoneyMoved():
			c.resTitle.Text, c.resTitle.Color = tr.T("customer.paid"), colorPaid
			c.resDetail.Text = tr.T("customer.thanks")
		case o.State.Settled():
			c.resTitle.Text, c.resTitle.Color = tr.T("customer.not_paid"), colorFailed
			c.resDetail.Text = tr.T("customer.not_charged")
		default:
			c.resTitle.Text, c.resTitle.Color = tr.T("customer.checking"), colorWorking
			c.resDetail.Text = tr.T("customer.please_wait")
		}
		c.resTitle.Refresh()
		c.resDetail.Refresh()
	default: // scan, starting, waiting
		panel = c.salePanel
		c.amount.Text = t.money.String()
		c.amount.Refresh()
		c.wallet.Text = t.walletName(t.method)
		if t.method.Wallet == payments.AnyWallet || t.phase == phaseEntry {
			c.wallet.Text = ""
		}
		c.wallet.Refresh()
		qr := ""
		switch {
		case t.phase == phaseEntry: // the till's charge: the cashier asks how
			c.prompt.Text = tr.T("customer.tell_cashier")
		case t.method.Mode == payments.CPM:
			c.prompt.Text = tr.T("customer.show_code")
		case t.order.QRCode != "":
			c.prompt.Text = tr.T("customer.scan_qr", "Wallet", t.walletName(t.method))
			qr = t.order.QRCode
		default:
			c.prompt.Text = tr.T("customer.preparing")
		}
		c.prompt.Refresh()
		if qr != c.qrData {
			c.qrData = qr
			c.qr.Image = qrImage(qr, customerQRSize)
			c.qr.Refresh()
		}
		if qr == "" {
			c.qr.Hide()
		} else {
			c.qr.Show()
		}
		if t.phase == phaseWaiting && t.order.OutTradeNo != "" {
			c.demoPay.Show()
		} else {
			c.demoPay.Hide()
		}
		c.refreshCountdown()
	}
	if len(c.root.Objects) != 1 || c.root.Objects[0] != panel {
		c.root.Objects = []fyne.CanvasObject{panel}
		c.root.Refresh()
	}
}

// refreshCountdown shows the time the QR code stays payable.
func (c *customerDisplay) refreshCountdown() {
	c.count.Text = c.t.timeLeftText()
	c.count.Refresh()
}

// acceptedText lists the wallets this terminal takes.
func (c *customerDisplay) acceptedText() string {
	seen := map[string]bool{}
	var names []string
	for _, m := range c.t.prof.Offered() {
		if m.Wallet == payments.AnyWallet || m.Wallet == payments.AlipayBoth {
			continue
		}
		n := c.t.walletName(m)
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return c.t.tr.T("customer.accepted", "Wallets", strings.Join(names, " · "))
}

// demoPay plays the customer in demo mode: the core's sandbox pays the
// current order (off the UI goroutine).
func (t *Terminal) demoPay() {
	no := t.order.OutTradeNo
	if !t.core.Demo() || no == "" {
		return
	}
	t.cust.demoMsg.SetText(t.tr.T("customer.demo_paying"))
	go func() {
		err := t.core.SandboxPay(no, "success")
		t.do(func() {
			if err != nil {
				t.cust.demoMsg.SetText(err.Error())
				return
			}
			t.cust.demoMsg.SetText("")
		})
	}()
}
