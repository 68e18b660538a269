package checkout

import (
	"strings"

	"qrpos/devices/printer"
	"qrpos/i18n"
	"qrpos/payments"
)

// receiptWords are the words of what the printer prints: English alone
// when the terminal speaks English, otherwise Chinese then English ("銷售
// SALE"), as a Hong Kong shop's customers read both. The Chinese is in the
// script the printer can print: Simplified only for a Simplified terminal
// on a GB18030 printer; Traditional otherwise (a Big5 printer has no
// Simplified characters), also when the language follows the system.
type receiptWords struct {
	zh *i18n.Translator // nil: English only
	en *i18n.Translator
}

func wordsFor(p Profile) receiptWords {
	w := receiptWords{en: i18n.Must(i18n.English)}
	switch i18n.Language(p.Language) {
	case i18n.English:
		return w
	case i18n.SimplifiedChinese:
		if strings.EqualFold(p.Printer.Encoding, string(printer.GB18030)) {
			w.zh = i18n.Must(i18n.SimplifiedChinese)
			return w
		}
	}
	w.zh = i18n.Must(i18n.TraditionalChinese)
	return w
}

// T is the text of key in the receipt's language(s).
func (w receiptWords) T(key string) string {
	if w.zh == nil {
		return w.en.T(key)
	}
	return both(w.zh.T(key), w.en.T(key))
}

// both is "中文 English", or one of them when they are the same.
func both(zh, en string) string {
	if zh == "" || zh == en {
		return en
	}
	if en == "" {
		return zh
	}
	return zh + " " + en
}

// wallet is the wallet of m as its customer knows it ("支付寶香港
// AlipayHK"), never a mode code.
func (w receiptWords) wallet(m payments.Method) string {
	key := "wallet." + string(m.Wallet)
	if m.Wallet == payments.AnyWallet {
		key = "receipt.wallet_any"
	}
	if !w.en.Has(key) {
		return m.Name
	}
	return w.T(key)
}

// orderWallet is the wallet of an order, or its method code when the
// catalogue does not know it.
func (w receiptWords) orderWallet(p payments.Provider, code string) string {
	m, err := payments.LookupMethod(p, code)
	if err != nil {
		return code
	}
	return w.wallet(m)
}

// state is an order's state for a receipt ("部分退款 PARTLY REFUNDED").
func (w receiptWords) state(s payments.State) string {
	key := "receipt.state." + string(s)
	if !w.en.Has(key) {
		return strings.ToUpper(strings.ReplaceAll(string(s), "_", " "))
	}
	return w.T(key)
}

// labels are the captions of a receipt's fixed fields.
func (w receiptWords) labels() *printer.Labels {
	return &printer.Labels{TID: w.T("receipt.tid"), Date: w.T("receipt.date"), Order: w.T("receipt.order"),
		Method: w.T("receipt.method"), Amount: w.T("receipt.total"), Status: w.T("receipt.status")}
}
