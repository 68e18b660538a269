package ui

// The customer display's words: a Hong Kong counter speaks Chinese and
// English at once, whatever the cashier reads; and what the display asks
// of the customer at each step of a sale.

import (
	"fmt"
	"strings"
	"time"

	"qrpos/i18n"
	"qrpos/payments"
)

// customerTitle is the stable part of the customer display's title, never
// translated: window-manager rules and xdotool find the window by it.
const customerTitle = "QR POS customer display"

// bilingual speaks the customer display's two languages: Chinese in large
// type, English under it.
type bilingual struct{ zh, en *i18n.Translator }

// twoLines is one thing said in both of the display's languages.
type twoLines struct{ zh, en string }

// perLanguage is a field value that is itself words (a wallet's name):
// bilingual.T fills it in each language.
type perLanguage func(*i18n.Translator) string

// customerLanguages are the display's languages for a cashier reading
// screen: Traditional Chinese and English, except beside a Simplified
// screen (a shop that chose it serves mainland visitors): Simplified and
// English.
func customerLanguages(screen Language) bilingual {
	zh := TraditionalChinese
	if screen == SimplifiedChinese {
		zh = SimplifiedChinese
	}
	return bilingual{zh: i18n.Must(zh), en: i18n.Must(English)}
}

// T is key in both languages; kv as for Translator.T, a perLanguage value
// filled in the language of each line.
func (b bilingual) T(key string, kv ...any) twoLines {
	in := func(tr *i18n.Translator) string {
		vals := make([]any, len(kv))
		for i, v := range kv {
			if f, ok := v.(perLanguage); ok {
				v = f(tr)
			}
			vals[i] = v
		}
		return tr.T(key, vals...)
	}
	return twoLines{zh: in(b.zh), en: in(b.en)}
}

// words is f in both languages.
func (b bilingual) words(f perLanguage) twoLines { return twoLines{zh: f(b.zh), en: f(b.en)} }

// walletIn is m's wallet as each language names it.
func walletIn(m payments.Method) perLanguage {
	return func(tr *i18n.Translator) string {
		if key := "wallet." + string(m.Wallet); tr.Has(key) {
			return tr.T(key)
		}
		return m.Name
	}
}

// walletsIn lists wallets in each language, " · " between them.
func walletsIn(ms []payments.Method) perLanguage {
	return func(tr *i18n.Translator) string {
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = walletIn(m)(tr)
		}
		return strings.Join(names, " · ")
	}
}

// salePrompt is what the display asks of the customer while a sale runs,
// and the QR code to show ("" none). It follows the cashier's phase and,
// once the provider has the order, the order's state.
func (c *customerDisplay) salePrompt() (twoLines, string) {
	t := c.t
	o := t.order
	switch {
	case t.phase == phaseEntry: // the till's charge: the cashier asks how
		return c.say.T("customer.tell_cashier"), ""
	case t.phase == phaseScan:
		return c.say.T("customer.show_code"), ""
	case o.State == payments.Unknown:
		return c.say.T("customer.checking"), ""
	case t.method.Mode == payments.CPM && o.State == payments.Pending:
		// The provider has the code; the wallet asks for a password.
		return c.say.T("customer.confirm_in_app"), ""
	case t.method.Mode == payments.CPM:
		return c.say.T("customer.processing"), ""
	case o.QRCode != "":
		return c.say.T("customer.scan_qr", "Wallet", walletIn(t.method)), o.QRCode
	}
	return c.say.T("customer.preparing"), ""
}

// resultWords are the display's headline and the line under it once the
// sale has ended, and the headline's colour.
func (c *customerDisplay) resultWords() (title, detail twoLines, paid, settled bool) {
	o := c.t.order
	switch {
	case o.State.MoneyMoved():
		return c.say.T("customer.paid"), c.say.T("customer.thanks"), true, true
	case o.State.Settled():
		return c.say.T("customer.not_paid"), c.say.T("customer.not_charged"), false, true
	}
	// No final word yet (unknown): the terminal keeps checking.
	return c.say.T("customer.checking"), c.say.T("customer.please_wait"), false, false
}

// timeLeftWords is "Time left 1:45" in both languages until the order
// expires; empty without an expiry or once settled.
func (c *customerDisplay) timeLeftWords() twoLines {
	o := c.t.order
	if o.ExpiresAt.IsZero() || o.State.Settled() {
		return twoLines{}
	}
	left := max(o.ExpiresAt.Sub(c.t.now()), 0)
	s := int(left.Round(time.Second) / time.Second)
	return c.say.T("wait.time_left", "Left", fmt.Sprintf("%d:%02d", s/60, s%60))
}
