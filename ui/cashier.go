package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// maxAmountChars bounds what the amount field takes (ParseMoney refuses
// more than 15 digits anyway).
const maxAmountChars = 18

// cashierScreen is the sale tab: amount and method, then the sale's
// progress, then its outcome.
type cashierScreen struct {
	t    *Terminal
	root *fyne.Container // holds the panel of the current phase

	// entry
	entry       fyne.CanvasObject
	amountText  *canvas.Text
	amountErr   *widget.Label
	notReady    *widget.Label
	keys        map[string]*padKey
	clearKey    *padKey
	scanBtn     *payButton            // scan the customer's code (any wallet)
	methodBtns  map[string]*payButton // the wallets' QR codes, by the routed method's ID
	hotkeys     map[fyne.KeyName]func()
	methodsNone *widget.Label
	// the till's charge on the screen
	askBox     *fyne.Container
	askText    *widget.Label
	askDecline *widget.Button

	// scan (CPM)
	scan       fyne.CanvasObject
	scanTitle  *widget.Label
	scanAmount *canvas.Text
	scanEntry  *scanField
	scanCancel *widget.Button

	// waiting
	waiting     fyne.CanvasObject
	waitAmount  *canvas.Text
	waitMethod  *widget.Label
	waitState   *canvas.Text
	waitCount   *widget.Label
	waitWorking *widget.Label
	waitOrder   *widget.Label
	waitQR      *canvas.Image
	waitQRData  string
	waitQRBox   *fyne.Container
	cancelBtn   *widget.Button

	// result
	result     fyne.CanvasObject
	resTitle   *canvas.Text
	resAmount  *widget.Label
	resDetail  *widget.Label
	resReceipt *widget.Label
	printBtn   *widget.Button
	retryBtn   *widget.Button
	checkBtn   *widget.Button
	newSaleBtn *widget.Button
	wraps      map[*widget.Button]*fyne.Container
	shownPhase phase

	burst burst // keys typed in quick succession (keyboard.go)
}

func newCashierScreen(t *Terminal) *cashierScreen {
	c := &cashierScreen{t: t, keys: map[string]*padKey{}, methodBtns: map[string]*payButton{}, shownPhase: -1}
	c.entry = c.buildEntry()
	c.scan = c.buildScan()
	c.waiting = c.buildWaiting()
	c.result = c.buildResult()
	c.root = container.NewStack(c.entry)
	return c
}

func (c *cashierScreen) buildEntry() fyne.CanvasObject {
	tr := c.t.tr
	c.amountText = canvas.NewText("", colorText)
	c.amountText.TextSize = amountTextSize
	c.amountText.TextStyle = fyne.TextStyle{Bold: true}
	c.amountText.Alignment = fyne.TextAlignTrailing
	c.amountErr = widget.NewLabel("")
	c.amountErr.Wrapping = fyne.TextWrapWord
	c.amountErr.Importance = widget.DangerImportance
	c.notReady = widget.NewLabel(tr.T("cashier.recovering"))
	c.notReady.Importance = widget.WarningImportance
	c.notReady.Wrapping = fyne.TextWrapWord

	c.clearKey = newPadKey(tr.T("cashier.clear"), func() { c.key("C") })
	c.clearKey.textSize = 18
	amountBox := container.NewStack(canvas.NewRectangle(colorWhite), container.NewPadded(c.amountText))
	top := container.NewVBox(sectionTitle(tr.T("cashier.amount", "Currency", string(c.t.currency()))), amountBox, c.amountErr, c.notReady)
	left := container.NewBorder(top, c.clearKey, nil, nil, newKeypad(c.keys, c.key))
	right := c.buildWallets()
	split := container.New(ratioSplit{ratio: 0.38}, container.NewPadded(left), container.NewPadded(right))
	return container.NewBorder(c.buildAsk(), nil, nil, nil, split)
}

// buildAsk is the band above the keypad that shows the till's charge:
// "HK$88.50 from the register: choose how the customer pays", and Decline.
func (c *cashierScreen) buildAsk() fyne.CanvasObject {
	c.askText = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.askText.Wrapping = fyne.TextWrapWord
	c.askDecline = widget.NewButtonWithIcon(c.t.tr.T("till.decline"), theme.CancelIcon(), func() { c.t.declineAsk() })
	c.askBox = container.NewPadded(container.NewStack(canvas.NewRectangle(colorAskBand),
		container.NewBorder(nil, nil, nil, container.NewCenter(c.askDecline), c.askText)))
	c.askBox.Hide()
	return c.askBox
}

// sectionTitle is a bold heading inside a screen.
func sectionTitle(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (c *cashierScreen) buildScan() fyne.CanvasObject {
	tr := c.t.tr
	c.scanTitle = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.scanAmount = canvas.NewText("", colorText)
	c.scanAmount.TextSize = amountTextSize
	c.scanAmount.Alignment = fyne.TextAlignCenter
	c.scanAmount.TextStyle = fyne.TextStyle{Bold: true}
	c.scanEntry = newScanField(func() { c.t.cancelSale() })
	c.scanEntry.SetPlaceHolder(tr.T("scan.placeholder"))
	c.scanEntry.OnSubmitted = func(s string) {
		c.scanEntry.SetText("")
		c.t.onScan(s)
	}
	c.scanCancel = widget.NewButtonWithIcon(tr.T("button.back"), theme.NavigateBackIcon(), func() { c.t.cancelSale() })
	big := canvas.NewText(tr.T("scan.prompt"), colorWorking)
	big.TextSize = stateTextSize
	big.Alignment = fyne.TextAlignCenter
	big.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewPadded(container.NewVBox(c.scanAmount, c.scanTitle, big,
		widget.NewLabelWithStyle(tr.T("scan.hint"), fyne.TextAlignCenter, fyne.TextStyle{}),
		container.NewCenter(container.NewGridWrap(fyne.NewSize(520, 48), c.scanEntry)), container.NewCenter(container.NewGridWrap(fyne.NewSize(220, 56), c.scanCancel))))
}

func (c *cashierScreen) buildWaiting() fyne.CanvasObject {
	tr := c.t.tr
	c.waitAmount = canvas.NewText("", colorText)
	c.waitAmount.TextSize = amountTextSize
	c.waitAmount.TextStyle = fyne.TextStyle{Bold: true}
	c.waitMethod = widget.NewLabel("")
	c.waitState = canvas.NewText("", colorWorking)
	c.waitState.TextSize = stateTextSize
	c.waitState.TextStyle = fyne.TextStyle{Bold: true}
	c.waitCount = widget.NewLabel("")
	c.waitWorking = widget.NewLabel("")
	c.waitWorking.Wrapping = fyne.TextWrapWord
	c.waitWorking.Importance = widget.WarningImportance
	c.waitOrder = widget.NewLabel("")
	c.waitQR = canvas.NewImageFromImage(nil)
	c.waitQR.FillMode = canvas.ImageFillContain
	c.waitQR.ScaleMode = canvas.ImageScalePixels
	c.waitQR.SetMinSize(fyne.NewSize(220, 220))
	c.cancelBtn = widget.NewButtonWithIcon(tr.T("button.cancel_sale"), theme.CancelIcon(), func() { c.t.cancelSale() })
	c.cancelBtn.Importance = widget.DangerImportance
	info := container.NewVBox(c.waitAmount, c.waitMethod, c.waitState, c.waitCount, c.waitWorking, c.waitOrder,
		container.NewGridWrap(fyne.NewSize(240, 60), c.cancelBtn))
	qr := container.NewVBox(widget.NewLabelWithStyle(tr.T("cashier.on_display"), fyne.TextAlignCenter, fyne.TextStyle{}), c.waitQR)
	c.waitQRBox = qr
	return container.NewPadded(container.NewBorder(nil, nil, nil, qr, info))
}

func (c *cashierScreen) buildResult() fyne.CanvasObject {
	tr := c.t.tr
	c.resTitle = canvas.NewText("", colorPaid)
	c.resTitle.TextSize = amountTextSize
	c.resTitle.TextStyle = fyne.TextStyle{Bold: true}
	c.resAmount = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.resDetail = widget.NewLabel("")
	c.resDetail.Wrapping = fyne.TextWrapWord
	c.resReceipt = widget.NewLabel("")
	c.printBtn = widget.NewButtonWithIcon(tr.T("button.print_receipt"), theme.DocumentPrintIcon(), func() { c.t.printCopy() })
	c.retryBtn = widget.NewButtonWithIcon(tr.T("button.try_again"), theme.ViewRefreshIcon(), func() { c.t.newSale(true) })
	c.checkBtn = widget.NewButtonWithIcon(tr.T("button.check_again"), theme.SearchIcon(), func() { c.t.checkAgain() })
	c.newSaleBtn = widget.NewButtonWithIcon(tr.T("button.new_sale"), theme.ContentAddIcon(), func() { c.t.newSale(false) })
	c.newSaleBtn.Importance = widget.HighImportance
	size := fyne.NewSize(220, 60)
	c.wraps = map[*widget.Button]*fyne.Container{}
	buttons := container.NewHBox()
	for _, b := range []*widget.Button{c.printBtn, c.retryBtn, c.checkBtn, c.newSaleBtn} {
		w := container.NewGridWrap(size, b)
		c.wraps[b] = w
		buttons.Add(w)
	}
	return container.NewPadded(container.NewVBox(c.resTitle, c.resAmount, c.resDetail, c.resReceipt, buttons))
}

// key takes one keypad press.
func (c *cashierScreen) key(k string) {
	t := c.t
	if t.phase != phaseEntry || t.ask != nil {
		return // the till's amount is not the cashier's to change
	}
	switch k {
	case "⌫":
		if r := []rune(t.amount); len(r) > 0 {
			t.amount = string(r[:len(r)-1])
		}
	case "C":
		t.amount = ""
	default:
		if len([]rune(t.amount)) < maxAmountChars {
			t.amount += k
		}
	}
	t.saleErr = ""
	c.refresh()
}

// amountShown is the typed amount as the display shows it.
func (c *cashierScreen) amountShown() string {
	sym := currencySymbol(c.t.currency())
	if c.t.amount == "" {
		return sym + "0"
	}
	return sym + c.t.amount
}

// currencySymbol is the prefix Money.String puts before an amount.
func currencySymbol(cur payments.Currency) string {
	s := payments.Money{Currency: cur}.String()
	return strings.TrimRight(s, "0.,")
}

// refresh shows the current phase with the current state (UI goroutine).
func (c *cashierScreen) refresh() {
	t := c.t
	var panel fyne.CanvasObject
	switch t.phase {
	case phaseEntry:
		panel = c.entry
		c.refreshEntry()
	case phaseScan:
		panel = c.scan
		c.scanAmount.Text = t.money.String()
		c.scanAmount.Refresh()
		c.scanTitle.SetText(t.walletName(t.method) + " · " + providerName(t.method.Provider))
	case phaseStarting, phaseWaiting:
		panel = c.waiting
		c.refreshWaiting()
	case phaseResult:
		panel = c.result
		c.refreshResult()
	}
	if len(c.root.Objects) != 1 || c.root.Objects[0] != panel {
		c.root.Objects = []fyne.CanvasObject{panel}
		c.root.Refresh()
	}
	if t.phase == phaseScan && c.shownPhase != phaseScan {
		c.scanEntry.SetText("")
		t.win.Canvas().Focus(c.scanEntry)
	}
	if t.phase != phaseScan && c.shownPhase == phaseScan || t.phase == phaseEntry && c.shownPhase != phaseEntry {
		t.win.Canvas().Unfocus() // typing goes to the amount again
	}
	c.shownPhase = t.phase
}

func (c *cashierScreen) refreshEntry() {
	t := c.t
	c.amountText.Text = c.amountShown()
	if t.amount == "" {
		c.amountText.Color = colorMuted
	} else {
		c.amountText.Color = colorText
	}
	c.amountText.Refresh()
	msg := t.saleErr
	if msg == "" {
		msg = t.typingWords()
	}
	c.amountErr.SetText(msg)
	for _, b := range c.keys {
		if t.ask != nil {
			b.Disable() // the till's amount
		} else {
			b.Enable()
		}
	}
	if t.ask != nil {
		c.askText.SetText(t.tr.T("till.choose", "Amount", t.ask.Amount.String(), "Reference", t.ask.Reference))
		c.askBox.Show()
	} else {
		c.askBox.Hide()
	}
	if t.ready {
		c.notReady.Hide()
	} else {
		c.notReady.Show()
	}
	for _, b := range c.payButtons() {
		if t.ready {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// payButtons are the ways to pay on the screen.
func (c *cashierScreen) payButtons() []*payButton {
	bs := make([]*payButton, 0, len(c.methodBtns)+1)
	if c.scanBtn != nil {
		bs = append(bs, c.scanBtn)
	}
	for _, b := range c.methodBtns {
		bs = append(bs, b)
	}
	return bs
}

// stateWords is the sale's state as the cashier reads it.
func (c *cashierScreen) stateWords(o payments.Order) string {
	t := c.t
	switch o.State {
	case "", payments.Created:
		return t.tr.T("wait.sending", "Provider", providerName(t.method.Provider))
	case payments.Pending:
		if o.Mode == payments.CPM {
			return t.tr.T("wait.pending_cpm")
		}
		return t.tr.T("wait.pending_mpm")
	case payments.Unknown:
		return t.tr.T("wait.unknown")
	}
	return t.stateName(o.State)
}

func (c *cashierScreen) refreshWaiting() {
	t := c.t
	o := t.order
	c.waitAmount.Text = t.money.String()
	c.waitAmount.Refresh()
	c.waitMethod.SetText(t.walletName(t.method) + " · " + providerName(t.method.Provider) + " · " + t.modeName(t.method.Mode))
	c.waitState.Text = c.stateWords(o)
	c.waitState.Color = colorWorking
	c.waitState.Refresh()
	c.waitWorking.SetText(t.working)
	if o.OutTradeNo != "" {
		c.waitOrder.SetText(t.tr.T("wait.order", "Order", o.OutTradeNo))
	} else {
		c.waitOrder.SetText("")
	}
	if o.QRCode != c.waitQRData {
		c.waitQRData = o.QRCode
		c.waitQR.Image = qrImage(o.QRCode, 220)
		c.waitQR.Refresh()
	}
	if o.QRCode == "" {
		c.waitQRBox.Hide()
	} else {
		c.waitQRBox.Show()
	}
	if t.phase == phaseWaiting && t.sale != nil {
		c.cancelBtn.Enable()
	} else {
		c.cancelBtn.Disable()
	}
	c.refreshCountdown()
}

// refreshCountdown shows the time left before the order is closed unpaid.
func (c *cashierScreen) refreshCountdown() {
	c.waitCount.SetText(c.t.timeLeftText())
}

// timeLeftText is "Time left 1:45" until the order's expiry.
func (t *Terminal) timeLeftText() string {
	if t.order.ExpiresAt.IsZero() || t.order.State.Settled() {
		return ""
	}
	left := t.order.ExpiresAt.Sub(t.now())
	if left < 0 {
		left = 0
	}
	s := int(left.Round(time.Second) / time.Second)
	return t.tr.T("wait.time_left", "Left", fmt.Sprintf("%d:%02d", s/60, s%60))
}

func (c *cashierScreen) refreshResult() {
	t := c.t
	o := t.order
	title, col := t.stateName(o.State), colorFailed
	var detail []string
	switch {
	case o.State.MoneyMoved():
		title, col = t.tr.T("result.paid"), colorPaid
		if o.ProviderRef != "" {
			detail = append(detail, t.tr.T("result.provider_ref", "Provider", providerName(o.Provider), "Ref", o.ProviderRef))
		}
	case o.State == payments.Failed:
		title = t.tr.T("result.failed")
		detail = append(detail, t.resultWords(o)...)
	case o.State == payments.Closed || o.State == payments.Expired:
		detail = append(detail, t.resultWords(o)...)
	default: // unknown, pending: the engine stopped following it
		title, col = t.tr.T("result.unknown"), colorWorking
		detail = append(detail, t.tr.T("result.unknown_help"))
		if o.Reason != "" {
			detail = append(detail, o.Reason)
		}
	}
	if t.working != "" && !o.State.Settled() {
		detail = append(detail, t.working)
	}
	if o.OutTradeNo != "" {
		detail = append(detail, t.tr.T("wait.order", "Order", o.OutTradeNo))
	}
	c.resTitle.Text, c.resTitle.Color = title, col
	c.resTitle.Refresh()
	c.resAmount.SetText(o.Amount.String() + " · " + t.orderMethodName(o) + " · " + providerName(o.Provider))
	c.resDetail.SetText(strings.Join(detail, "\n"))
	c.resReceipt.SetText(t.receiptWords())
	show := func(b *widget.Button, on bool) {
		if on {
			b.Show()
			c.wraps[b].Show()
		} else {
			b.Hide()
			c.wraps[b].Hide()
		}
	}
	show(c.printBtn, o.State.MoneyMoved())
	if t.copyDone {
		c.printBtn.Disable()
	} else {
		c.printBtn.Enable()
	}
	show(c.retryBtn, o.State == payments.Failed || o.State == payments.Closed || o.State == payments.Expired || o.OutTradeNo == "")
	show(c.checkBtn, o.OutTradeNo != "" && !o.State.Settled())
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
