package ui

import (
	"errors"
	"fmt"
	"slices"
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
// credentials (secrets never shown back), methods offered, devices.
type settingsScreen struct {
	t      *Terminal
	root   *fyne.Container
	locked fyne.CanvasObject
	form   fyne.CanvasObject
	open   bool

	storeName, address, header, footer *widget.Entry
	currency, language                 *widget.Select
	timeout                            *widget.Entry
	methods                            map[string]*widget.Check
	providers                          []*providerFields // one card per registered provider
	scanPort                           *widget.SelectEntry
	scanBaud                           *widget.Entry
	scanSuffix                         *widget.Select
	printPort                          *widget.SelectEntry
	printBaud                          *widget.Entry
	printFlow, printWidth, printEnc    *widget.Select
	msg                                *widget.Label
	save                               *widget.Button
	unlockBtn                          *widget.Button
	langNames                          map[string]Language
}

func newSettingsScreen(t *Terminal) *settingsScreen {
	tr := t.tr
	s := &settingsScreen{t: t, methods: map[string]*widget.Check{}, langNames: map[string]Language{}}
	intro := widget.NewLabel(tr.T("settings.locked_intro"))
	intro.Wrapping = fyne.TextWrapWord
	s.unlockBtn = widget.NewButtonWithIcon(tr.T("settings.unlock"), theme.LoginIcon(), func() {
		t.withPIN("settings", s.unlock)
	})
	s.unlockBtn.Importance = widget.HighImportance
	s.locked = container.NewCenter(container.NewVBox(sectionTitle(tr.T("settings.title")), intro,
		container.NewGridWrap(fyne.NewSize(320, 60), s.unlockBtn)))
	s.root = container.NewStack(s.locked)
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

func (s *settingsScreen) buildForm() fyne.CanvasObject {
	t := s.t
	tr := t.tr
	p := t.prof
	s.storeName = entryWith(p.StoreName)
	s.address = multiEntryWith(p.StoreAddress)
	s.header = multiEntryWith(p.ReceiptHeader)
	s.footer = multiEntryWith(p.ReceiptFooter)
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
	s.timeout = entryWith(strconv.Itoa(p.OrderTimeout))

	offered := map[string]bool{}
	for _, m := range p.Offered() {
		offered[m.ID()] = true
	}
	methodsBox := container.NewVBox()
	for _, info := range payments.Providers() {
		methodsBox.Add(sectionTitle(info.Title))
		grid := container.NewGridWithColumns(3)
		for _, m := range info.Methods {
			if m.Mode == payments.Token {
				continue
			}
			c := widget.NewCheck(t.walletName(m)+" · "+t.modeName(m.Mode), nil)
			c.SetChecked(offered[m.ID()])
			s.methods[m.ID()] = c
			grid.Add(c)
		}
		methodsBox.Add(grid)
	}

	s.providers = nil
	for _, info := range payments.Providers() {
		s.providers = append(s.providers, s.newProviderFields(info, p))
	}

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
	s.printWidth.SetSelected(strconv.Itoa(max(p.Printer.Width, 32)))
	s.printEnc = widget.NewSelect([]string{"big5", "gb18030"}, nil)
	s.printEnc.SetSelected(nonEmpty(p.Printer.Encoding, "big5"))

	s.msg = widget.NewLabel("")
	s.msg.Wrapping = fyne.TextWrapWord
	s.save = widget.NewButtonWithIcon(tr.T("button.save"), theme.DocumentSaveIcon(), func() { s.saveProfile() })
	s.save.Importance = widget.HighImportance

	item := widget.NewFormItem
	store := widget.NewForm(item(tr.T("settings.store_name"), s.storeName), item(tr.T("settings.address"), s.address),
		item(tr.T("settings.header"), s.header), item(tr.T("settings.footer"), s.footer))
	term := widget.NewForm(item(tr.T("settings.tid"), widget.NewLabel(p.TID)), item(tr.T("settings.currency"), s.currency),
		item(tr.T("settings.language"), s.language), timeoutItem(tr, s.timeout))
	devs := widget.NewForm(item(tr.T("settings.scanner_port"), s.scanPort), item(tr.T("settings.baud"), s.scanBaud),
		item(tr.T("settings.scanner_suffix"), s.scanSuffix),
		item(tr.T("settings.printer_port"), s.printPort), item(tr.T("settings.baud"), s.printBaud),
		item(tr.T("settings.printer_flow"), s.printFlow), item(tr.T("settings.printer_width"), s.printWidth),
		item(tr.T("settings.printer_encoding"), s.printEnc))

	testPrint := widget.NewButtonWithIcon(tr.T("settings.test_print"), theme.DocumentPrintIcon(), func() { s.testPrint() })
	testScan := widget.NewButtonWithIcon(tr.T("settings.test_scan"), theme.SearchIcon(), func() { s.testScan() })
	changePIN := widget.NewButtonWithIcon(tr.T("settings.change_pin"), theme.AccountIcon(), func() { t.changePIN(false, nil) })
	lock := widget.NewButtonWithIcon(tr.T("settings.lock"), theme.LogoutIcon(), func() { s.lock() })
	quit := widget.NewButtonWithIcon(tr.T("settings.quit"), theme.LogoutIcon(), func() {
		t.confirm(tr.T("settings.quit"), tr.T("settings.quit_confirm"), t.quit)
	})
	quit.Importance = widget.DangerImportance

	card := func(title string, o fyne.CanvasObject) fyne.CanvasObject {
		return widget.NewCard(title, "", o)
	}
	body := container.NewVBox(
		card(tr.T("settings.section_store"), store),
		card(tr.T("settings.section_terminal"), term),
		card(tr.T("settings.section_methods"), methodsBox),
	)
	for _, f := range s.providers {
		body.Add(f.card(tr))
	}
	body.Add(card(tr.T("settings.section_devices"), container.NewVBox(devs, container.NewHBox(testPrint, testScan))))
	bottom := container.NewVBox(widget.NewSeparator(), s.msg, container.NewHBox(s.save, changePIN, lock, quit))
	return container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(body))
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
	list := t.cfg.ListPorts
	go func() {
		ports, err := list(t.ctx)
		t.do(func() {
			if !s.open || s.scanPort == nil {
				return
			}
			if err != nil {
				s.msg.SetText(t.tr.T("settings.ports_error", "Error", err.Error()))
				return
			}
			s.scanPort.SetOptions(ports)
			s.printPort.SetOptions(ports)
		})
	}()
}

// edited is the profile as the form stands; secrets left empty keep the
// old ones.
func (s *settingsScreen) edited() (checkout.Profile, error) {
	tr := s.t.tr
	p := s.t.prof
	p.StoreName = strings.TrimSpace(s.storeName.Text)
	p.StoreAddress = strings.TrimSpace(s.address.Text)
	p.ReceiptHeader = strings.TrimSpace(s.header.Text)
	p.ReceiptFooter = strings.TrimSpace(s.footer.Text)
	p.Currency = s.currency.Selected
	p.Language = string(s.langNames[s.language.Selected])
	n, err := strconv.Atoi(strings.TrimSpace(s.timeout.Text))
	if err != nil {
		return p, errors.New(tr.T("settings.bad_timeout"))
	}
	p.OrderTimeout = n
	for _, f := range s.providers {
		f.apply(&p)
	}
	p.Scanner.Port = strings.TrimSpace(s.scanPort.Text)
	if p.Scanner.Baud, err = optionalInt(s.scanBaud.Text); err != nil {
		return p, errors.New(tr.T("settings.bad_baud"))
	}
	p.Scanner.Suffix = keepDefault(p.Scanner.Suffix, s.scanSuffix.Selected, "auto")
	p.Printer.Port = strings.TrimSpace(s.printPort.Text)
	if p.Printer.Baud, err = optionalInt(s.printBaud.Text); err != nil {
		return p, errors.New(tr.T("settings.bad_baud"))
	}
	p.Printer.Flow = keepDefault(p.Printer.Flow, s.printFlow.Selected, "none")
	p.Printer.Width, _ = strconv.Atoi(s.printWidth.Selected)
	p.Printer.Encoding = s.printEnc.Selected
	var chosen, before []string
	for _, m := range payments.Methods() {
		if c, ok := s.methods[m.ID()]; ok && c.Checked {
			chosen = append(chosen, m.ID())
		}
	}
	for _, m := range p.Offered() {
		before = append(before, m.ID())
	}
	if !slices.Equal(chosen, before) {
		p.Methods = chosen
	}
	if len(chosen) == 0 {
		return p, errors.New(tr.T("settings.no_methods"))
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if len(p.Offered()) == 0 {
		return p, errors.New(tr.T("settings.no_offered"))
	}
	return p, nil
}

// keepDefault keeps an empty setting empty when the form shows its default.
func keepDefault(old, selected, def string) string {
	if old == "" && selected == def {
		return ""
	}
	return selected
}

func optionalInt(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return n, nil
}

// changedFields names what differs between two profiles, for the audit
// log: names only, never a secret's value.
func changedFields(a, b checkout.Profile) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("store_name", a.StoreName == b.StoreName)
	add("store_address", a.StoreAddress == b.StoreAddress)
	add("receipt_header", a.ReceiptHeader == b.ReceiptHeader)
	add("receipt_footer", a.ReceiptFooter == b.ReceiptFooter)
	add("currency", a.Currency == b.Currency)
	add("language", a.Language == b.Language)
	add("order_timeout", a.OrderTimeout == b.OrderTimeout)
	add("methods", slices.Equal(a.Methods, b.Methods))
	out = append(out, providerChanges(a, b)...)
	add("scanner", a.Scanner == b.Scanner)
	add("printer", a.Printer == b.Printer)
	return out
}

// saveProfile validates the form and applies it, off the UI goroutine.
func (s *settingsScreen) saveProfile() {
	t := s.t
	tr := t.tr
	p, err := s.edited()
	if err != nil {
		s.msg.SetText(err.Error())
		return
	}
	if t.phase == phaseStarting || t.phase == phaseWaiting || t.phase == phaseScan {
		s.msg.SetText(tr.T("settings.sale_running"))
		return
	}
	changed := changedFields(t.prof, p)
	if len(changed) == 0 {
		s.msg.SetText(tr.T("settings.nothing_changed"))
		return
	}
	s.save.Disable()
	s.msg.SetText(tr.T("settings.saving"))
	core := t.core
	go func() {
		err := core.Apply(t.ctx, p)
		applied := core.Profile()
		detail := strings.Join(changed, ", ")
		if err != nil {
			detail += ": " + err.Error()
		}
		t.audit("manager", "settings_saved", detail)
		t.do(func() {
			t.subscribe() // the engine in force may be a new one
			if err != nil {
				t.prof = applied
				s.save.Enable()
				s.msg.SetText(err.Error())
				return
			}
			t.prof = p
			if ntr, err := NewTranslator(Language(p.Language)); err == nil {
				t.tr = ntr
			}
			t.build()
			t.showTab(t.settings.root)
			t.settings.unlock()
			t.settings.msg.SetText(t.tr.T("settings.saved", "Fields", detail))
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

// timeoutItem is the QR timeout field with what it means at the providers:
// QFPay keeps a QR payable 5 to 120 minutes, whatever the terminal asks.
func timeoutItem(tr *Translator, e *widget.Entry) *widget.FormItem {
	it := widget.NewFormItem(tr.T("settings.timeout"), e)
	it.HintText = tr.T("settings.timeout_hint")
	return it
}
