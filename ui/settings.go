package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// settingsScreen is the manager's settings of this terminal's profile,
// behind the PIN: store, receipts, currency, language, timeout, provider
// credentials (secrets never shown back), methods offered, devices. While
// the PIN is locked, its locked face says so with the time left.
type settingsScreen struct {
	t       *Terminal
	root    *fyne.Container
	locked  fyne.CanvasObject
	form    fyne.CanvasObject
	open    bool
	pinLock *lockView // the PIN's lockout, shown on the locked face

	storeName, address, header, footer *widget.Entry
	currency, language                 *widget.Select
	timeout                            *widget.Entry
	routes                             []*route // which provider serves each wallet (routing.go)
	chime                              *widget.Check
	chimeWas                           bool
	providers                          []*providerFields // one card per registered provider
	scanPort                           *widget.SelectEntry
	scanBaud                           *widget.Entry
	scanSuffix                         *widget.Select
	printPort                          *widget.SelectEntry
	printBaud                          *widget.Entry
	printFlow, printWidth, printEnc    *widget.Select
	printChinese, printDrawer          *choice    // settingsprinter.go
	printPorts                         []string   // the printer port choices offered
	shown                              shownTexts // what the fields showed when built
	msg                                *widget.Label
	save                               *widget.Button
	quit                               *widget.Button
	unlockBtn                          *widget.Button
	langNames                          map[string]Language
}

func newSettingsScreen(t *Terminal) *settingsScreen {
	tr := t.tr
	s := &settingsScreen{t: t, langNames: map[string]Language{}}
	intro := widget.NewLabel(tr.T("settings.locked_intro"))
	intro.Wrapping = fyne.TextWrapWord
	s.unlockBtn = widget.NewButtonWithIcon(tr.T("settings.unlock"), theme.LoginIcon(), func() {
		t.withPIN("settings", s.unlock)
	})
	s.unlockBtn.Importance = widget.HighImportance
	s.pinLock = newLockView(t)
	s.locked = container.NewCenter(container.NewVBox(sectionTitle(tr.T("settings.title")), intro,
		container.NewGridWrap(fyne.NewSize(320, 60), s.unlockBtn), s.pinLock.status, s.pinLock.clearBtn))
	s.pinLock.face = s.locked
	s.root = container.NewStack(s.locked)
	s.pinLock.watch()
	return s
}

// unlock shows the form (the PIN was right).
func (s *settingsScreen) unlock() {
	s.form = s.buildForm()
	s.open = true
	s.root.Objects = []fyne.CanvasObject{s.form}
	s.root.Refresh()
	s.loadPorts()
}

// lock hides the form again.
func (s *settingsScreen) lock() {
	if !s.open {
		return
	}
	s.open = false
	s.form = nil
	s.root.Objects = []fyne.CanvasObject{s.locked}
	s.root.Refresh()
}

// shownTexts remembers what each field of the form showed when it was
// built. Saving writes back only the fields whose text the manager
// changed: a field left alone keeps its stored value, even one the form
// cannot show as it is stored (an unset paper width shows as 48, the
// default it stands for).
type shownTexts map[fyne.CanvasObject]string

func fieldText(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case *widget.SelectEntry:
		return w.Text
	case *widget.Entry:
		return w.Text
	case *widget.Select:
		return w.Selected
	}
	return ""
}

func (m shownTexts) remember(fields ...fyne.CanvasObject) {
	for _, o := range fields {
		m[o] = fieldText(o)
	}
}

// changed is o's text now, trimmed, and whether the manager changed it.
func (m shownTexts) changed(o fyne.CanvasObject) (string, bool) {
	now := fieldText(o)
	shown, ok := m[o]
	return strings.TrimSpace(now), !ok || now != shown
}

func entryWith(text string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	return e
}

func multiEntryWith(text string) *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.SetText(text)
	e.SetMinRowsVisible(2)
	return e
}

// secretEntry is a password field that shows only the old secret's last
// characters as a hint; left empty it keeps the old secret.
func (s *settingsScreen) secretEntry(old string) *widget.Entry {
	e := widget.NewPasswordEntry()
	if old != "" {
		e.SetPlaceHolder(s.t.tr.T("settings.secret_keep", "Masked", payments.MaskSecret(old)))
	}
	return e
}

// effective is p with the defaults its empty settings stand for (what
// Validate fills in), for showing and comparing; p itself is unchanged.
func effective(p checkout.Profile) checkout.Profile {
	_ = p.Validate() // a profile the terminal runs with is valid; the defaults are filled first
	return p
}

func (s *settingsScreen) buildForm() fyne.CanvasObject {
	tr := s.t.tr
	s.shown = shownTexts{}
	s.msg = widget.NewLabel("")
	s.msg.Wrapping = fyne.TextWrapWord
	s.save = widget.NewButtonWithIcon(tr.T("button.save"), theme.DocumentSaveIcon(), func() { s.saveProfile() })
	s.save.Importance = widget.HighImportance
	changePIN := widget.NewButtonWithIcon(tr.T("settings.change_pin"), theme.AccountIcon(), func() { s.t.changePIN(false, nil) })
	lock := widget.NewButtonWithIcon(tr.T("settings.lock"), theme.LogoutIcon(), func() { s.lock() })

	card := func(title string, o fyne.CanvasObject) fyne.CanvasObject { return widget.NewCard(title, "", o) }
	body := container.NewVBox(
		card(tr.T("settings.section_store"), s.storeForm()),
		card(tr.T("settings.section_terminal"), s.terminalForm()),
		card(tr.T("settings.section_methods"), s.routingForm()),
	)
	s.providers = nil
	for _, info := range payments.Providers() {
		f := s.newProviderFields(info, s.t.prof)
		s.providers = append(s.providers, f)
		body.Add(f.card(tr))
	}
	body.Add(card(tr.T("settings.section_devices"), s.devicesForm()))
	body.Add(s.closeSection())
	bottom := container.NewVBox(widget.NewSeparator(), s.msg, container.NewHBox(s.save, changePIN, lock))
	return container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(body))
}

func (s *settingsScreen) storeForm() fyne.CanvasObject {
	tr, p := s.t.tr, s.t.prof
	s.storeName = entryWith(p.StoreName)
	s.address = multiEntryWith(p.StoreAddress)
	s.header = multiEntryWith(p.ReceiptHeader)
	s.footer = multiEntryWith(p.ReceiptFooter)
	s.shown.remember(s.storeName, s.address, s.header, s.footer)
	item := widget.NewFormItem
	return widget.NewForm(item(tr.T("settings.store_name"), s.storeName), item(tr.T("settings.address"), s.address),
		item(tr.T("settings.header"), s.header), item(tr.T("settings.footer"), s.footer))
}

func (s *settingsScreen) terminalForm() fyne.CanvasObject {
	tr, p := s.t.tr, s.t.prof
	var curs []string
	for _, c := range payments.Currencies() {
		curs = append(curs, string(c))
	}
	s.currency = widget.NewSelect(curs, nil)
	s.currency.SetSelected(p.Currency)
	var langs []string
	for _, l := range Languages() {
		name := l.NativeName()
		if l == System {
			name = tr.T("settings.lang_system")
		}
		s.langNames[name] = l
		langs = append(langs, name)
	}
	s.language = widget.NewSelect(langs, nil)
	for name, l := range s.langNames {
		if string(l) == p.Language {
			s.language.SetSelected(name)
		}
	}
	s.timeout = entryWith(intText(p.OrderTimeout))
	def := p
	def.OrderTimeout = 0
	def = effective(def)
	s.timeout.SetPlaceHolder(tr.T("settings.timeout_default", "Seconds", def.OrderTimeout))
	s.shown.remember(s.currency, s.language, s.timeout)
	s.chime = widget.NewCheck(tr.T("settings.chime_on"), nil)
	s.chime.SetChecked(p.ChimeOn())
	s.chimeWas = p.ChimeOn()
	item := widget.NewFormItem
	form := widget.NewForm(item(tr.T("settings.tid"), widget.NewLabel(p.TID)), item(tr.T("settings.currency"), s.currency),
		item(tr.T("settings.language"), s.language), timeoutItem(tr, s.timeout, def.OrderTimeout),
		item(tr.T("settings.chime"), s.chime))
	note := widget.NewLabel(tr.T("settings.timeout_note"))
	note.Wrapping = fyne.TextWrapWord
	note.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(form, note)
}

// devicesForm shows each device setting as it stands, an unset one as
// the default it stands for.
func (s *settingsScreen) devicesForm() fyne.CanvasObject {
	tr, p := s.t.tr, s.t.prof
	eff := effective(p)
	s.scanPort = widget.NewSelectEntry(nil)
	s.scanPort.SetText(p.Scanner.Port)
	s.scanPort.SetPlaceHolder(tr.T("settings.scanner_none"))
	s.scanBaud = entryWith(intText(p.Scanner.Baud))
	s.scanSuffix = widget.NewSelect([]string{"auto", "cr", "lf", "crlf"}, nil)
	s.scanSuffix.SetSelected(nonEmpty(p.Scanner.Suffix, "auto"))
	s.printPort = widget.NewSelectEntry(nil)
	s.printPort.SetText(p.Printer.Port)
	s.printPort.SetPlaceHolder(tr.T("settings.printer_none"))
	s.printBaud = entryWith(intText(p.Printer.Baud))
	s.printFlow = widget.NewSelect([]string{"none", "rtscts", "xonxoff"}, nil)
	s.printFlow.SetSelected(nonEmpty(p.Printer.Flow, "none"))
	s.printWidth = widget.NewSelect([]string{"32", "42", "48"}, nil)
	s.printWidth.SetSelected(strconv.Itoa(eff.Printer.Width))
	s.printEnc = widget.NewSelect([]string{"big5", "gb18030"}, nil)
	s.printEnc.SetSelected(eff.Printer.Encoding)
	s.shown.remember(s.scanPort, s.scanBaud, s.scanSuffix, s.printPort, s.printBaud, s.printFlow, s.printWidth, s.printEnc)

	item := widget.NewFormItem
	devs := widget.NewForm(item(tr.T("settings.scanner_port"), s.scanPort), item(tr.T("settings.baud"), s.scanBaud),
		item(tr.T("settings.scanner_suffix"), s.scanSuffix),
		item(tr.T("settings.printer_port"), s.printPort), item(tr.T("settings.baud"), s.printBaud),
		item(tr.T("settings.printer_flow"), s.printFlow), item(tr.T("settings.printer_width"), s.printWidth),
		item(tr.T("settings.printer_encoding"), s.printEnc))
	for _, it := range s.printerChoices(p) {
		devs.AppendItem(it)
	}
	testPrint := widget.NewButtonWithIcon(tr.T("settings.test_print"), theme.DocumentPrintIcon(), func() { s.testPrint() })
	testScan := widget.NewButtonWithIcon(tr.T("settings.test_scan"), theme.SearchIcon(), func() { s.testScan() })
	return container.NewVBox(devs, printerPortHint(tr.T("settings.printer_port_hint")), container.NewHBox(testPrint, testScan))
}

// closeSection is "Close the terminal", on its own at the bottom of the
// settings, far from Save, and asking first.
func (s *settingsScreen) closeSection() fyne.CanvasObject {
	t := s.t
	tr := t.tr
	s.quit = widget.NewButtonWithIcon(tr.T("settings.quit"), theme.LogoutIcon(), func() {
		t.confirm(tr.T("settings.quit"), tr.T("settings.quit_confirm"), t.quit)
	})
	s.quit.Importance = widget.DangerImportance
	intro := widget.NewLabel(tr.T("settings.quit_intro"))
	intro.Wrapping = fyne.TextWrapWord
	return widget.NewCard(tr.T("settings.section_close"), "", container.NewVBox(intro, container.NewHBox(s.quit)))
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// loadPorts fills the port choices off the UI goroutine.
func (s *settingsScreen) loadPorts() {
	t := s.t
	if t.cfg.ListPorts == nil {
		return
	}
	list, listPrinters := t.cfg.ListPorts, t.cfg.ListPrinterPorts
	go func() {
		ports, err := list(t.ctx)
		printers := ports
		if listPrinters != nil {
			if pp, perr := listPrinters(t.ctx); perr == nil || len(pp) > 0 {
				printers = pp
			}
		}
		t.do(func() {
			if !s.open || s.scanPort == nil {
				return
			}
			if err != nil {
				s.msg.SetText(t.tr.T("settings.ports_error", "Error", err.Error()))
				return
			}
			s.scanPort.SetOptions(ports)
			s.printPort.SetOptions(printers)
			s.printPorts = printers
		})
	}()
}

// testPrint queues a test page through the print queue, as receipts go.
func (s *settingsScreen) testPrint() {
	t := s.t
	s.msg.SetText(t.tr.T("settings.test_print_queued"))
	go func() {
		if err := t.core.TestPrint(t.ctx); err != nil {
			t.do(func() { s.msg.SetText(err.Error()) })
		}
	}()
}

// testScan waits for the next code from the serial scanner or a
// keyboard-wedge scanner typing into the dialog's field.
func (s *settingsScreen) testScan() {
	t := s.t
	tr := t.tr
	field := widget.NewEntry()
	field.SetPlaceHolder(tr.T("scan.placeholder"))
	result := widget.NewLabel(tr.T("settings.test_scan_wait"))
	result.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	done := false
	t.scanWaiter = func(code string) {
		done = true
		wallet := payments.ClassifyAuthCode(code)
		result.SetText(tr.T("settings.test_scan_got", "Code", payments.MaskSecret(code), "Wallet", string(wallet), "Length", len(code)))
		go t.core.TestScan(t.ctx, code)
	}
	field.OnSubmitted = func(code string) {
		field.SetText("")
		t.onScan(code)
	}
	d = dialog.NewCustom(tr.T("settings.test_scan"), tr.T("button.close"), container.NewVBox(result, field), t.win)
	d.SetOnClosed(func() {
		if !done {
			t.scanWaiter = nil
		}
	})
	d.Resize(fyne.NewSize(480, 220))
	d.Show()
	t.win.Canvas().Focus(field)
	go func() {
		select {
		case <-time.After(30 * time.Second):
			t.do(func() {
				if !done {
					t.scanWaiter = nil
					result.SetText(tr.T("settings.test_scan_none"))
				}
			})
		case <-t.ctx.Done():
		}
	}()
}

// testProvider checks a provider's connection with the form's values.
func (s *settingsScreen) testProvider(prov payments.Provider) {
	t := s.t
	tr := t.tr
	p, err := s.edited()
	if err != nil {
		s.msg.SetText(err.Error())
		return
	}
	s.msg.SetText(tr.T("settings.testing", "Provider", providerName(prov)))
	test := t.cfg.TestProvider
	go func() {
		err := test(t.ctx, p, prov)
		result := "ok"
		if err != nil {
			result = err.Error()
		}
		t.audit("manager", "test_provider", string(prov)+": "+result)
		t.do(func() {
			if err != nil {
				s.msg.SetText(tr.T("settings.test_failed", "Provider", providerName(prov), "Error", err.Error()))
				return
			}
			s.msg.SetText(tr.T("settings.test_ok", "Provider", providerName(prov)))
		})
	}()
}

// askQuit closes the terminal after the manager PIN (kiosk mode).
func (t *Terminal) askQuit() {
	t.withPIN("quit", t.quit)
}

// quit closes the terminal.
func (t *Terminal) quit() {
	go func() {
		t.audit("manager", "quit", "")
		t.do(func() {
			if t.cfg.OnQuit != nil {
				t.cfg.OnQuit()
				return
			}
			t.app.Quit()
		})
	}()
}

// timeoutItem is the QR timeout field, its unit beside it, with what it
// means under it: empty or 0 is the default (def seconds, what Validate
// fills in). The note under the form says that QFPay keeps a QR payable 5
// to 120 minutes, whatever the terminal asks.
func timeoutItem(tr *Translator, e *widget.Entry, def int) *widget.FormItem {
	unit := widget.NewLabel(tr.T("settings.seconds"))
	it := widget.NewFormItem(tr.T("settings.timeout"), container.NewBorder(nil, nil, nil, unit, e))
	it.HintText = tr.T("settings.timeout_hint", "Default", def)
	return it
}
