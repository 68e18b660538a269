package payments

import (
	"fmt"
	"sort"
	"time"
)

// Provider names a payment gateway: the Name of a registered ProviderInfo.
type Provider string

// The names of the two gateways this terminal ships with, for tests and
// the journal's history. Only their own packages (payments/eftpay,
// payments/qfpay) describe them; nothing else branches on them.
const (
	Eftpay Provider = "eftpay"
	QFPay  Provider = "qfpay"
)

// Mode is who shows the code.
type Mode string

// Payment modes.
const (
	// MPM: merchant-presented; the customer scans a QR on the customer display.
	MPM Mode = "MPM"
	// CPM: consumer-presented; the cashier scans the customer's wallet code.
	CPM Mode = "CPM"
	// Token: a wallet token handed over by a device (Apple Pay through eftPay).
	Token Mode = "TOKEN"
)

// Wallet is the brand a customer recognises.
type Wallet string

// Wallets of the seeds.
const (
	Alipay     Wallet = "alipay"
	AlipayHK   Wallet = "alipayhk"
	WeChat     Wallet = "wechat"
	WeChatHK   Wallet = "wechathk"
	UnionPay   Wallet = "unionpay"
	Atome      Wallet = "atome"
	GBPay      Wallet = "gbpay"
	PayMe      Wallet = "payme"
	FPS        Wallet = "fps"
	Octopus    Wallet = "octopus"
	ApplePay   Wallet = "applepay"
	AnyWallet  Wallet = "any" // QFPay's unified CPM code takes several wallets
	AlipayBoth Wallet = "alipayboth"
)

// EftpayServices are the service names of one eftPay wallet (providers.md
// 1.3). An empty name means the provider has no such service.
type EftpayServices struct {
	PreOrder, Close, Query, Refund string
}

// CancelKind is how a provider ends an unpaid order of a method.
type CancelKind string

// Ways to end an unpaid order.
const (
	// CancelNone: the provider cannot end it; the order runs out on its own
	// (QFPay expired_time, eftPay's timeout) and is queried until final.
	CancelNone CancelKind = "none"
	// CancelClose: a close (eftPay <wallet>.Close, QFPay /trade/v1/close).
	CancelClose CancelKind = "close"
	// CancelReversal: a reversal (QFPay /trade/v1/reversal).
	CancelReversal CancelKind = "reversal"
)

// Method is one row of the catalogue: a way to pay at one provider.
type Method struct {
	Provider Provider
	// Code is the provider's own method code: eftPay payment_type (ALIPAYHK)
	// or QFPay pay_type (800101). With Provider it names the method.
	Code   string
	Wallet Wallet
	Name   string // the wallet's name for people, in English
	Mode   Mode

	// eftPay only.
	PayType  string // paytype (payType for the Apple Pay token)
	Services EftpayServices

	// Cancel is how the provider ends an unpaid order of this method; the
	// gateway sends exactly that, or nothing for CancelNone.
	Cancel CancelKind
	// CanClose is Cancel != CancelNone: the provider can end an unpaid
	// order (close or reversal).
	CanClose  bool
	CanRefund bool
	Notifies  bool // the provider sends an asynchronous notification
}

// ID is "provider:code", the key a profile uses to list offered methods.
func (m Method) ID() string { return string(m.Provider) + ":" + m.Code }

// Methods returns the whole catalogue: every registered provider's rows,
// in registration order.
func Methods() []Method {
	registry.RLock()
	defer registry.RUnlock()
	return append([]Method(nil), registry.methods...)
}

// MethodsOf returns the catalogue rows of one provider.
func MethodsOf(p Provider) []Method {
	registry.RLock()
	defer registry.RUnlock()
	var out []Method
	for _, m := range registry.methods {
		if m.Provider == p {
			out = append(out, m)
		}
	}
	return out
}

// LookupMethod finds a method by provider and the provider's own code.
func LookupMethod(p Provider, code string) (Method, error) {
	if m, ok := findMethod(func(m Method) bool { return m.Provider == p && m.Code == code }); ok {
		return m, nil
	}
	var codes []string
	for _, m := range MethodsOf(p) {
		codes = append(codes, m.Code)
	}
	sort.Strings(codes)
	return Method{}, fmt.Errorf("%s has no method %q (known: %v)", p, code, codes)
}

// findMethod is the first row of the catalogue that is, without copying
// the catalogue (lookups are on every answer's path).
func findMethod(is func(Method) bool) (Method, bool) {
	registry.RLock()
	defer registry.RUnlock()
	for _, m := range registry.methods {
		if is(m) {
			return m, true
		}
	}
	return Method{}, false
}

// LookupMethodID finds a method by its ID ("qfpay:800101").
func LookupMethodID(id string) (Method, error) {
	if m, ok := findMethod(func(m Method) bool { return m.ID() == id }); ok {
		return m, nil
	}
	return Method{}, fmt.Errorf("no payment method %q", id)
}

// CPMMethodFor picks the consumer-presented method for a scanned code's
// wallet: the first CPM row of the catalogue that takes the wallet (its
// own, or one its provider's CPM says it takes), else the first that takes
// any wallet (QFPay's unified code 800008, providers.md 2.3). The zero
// Method when no provider has one.
func CPMMethodFor(w Wallet) Method {
	var fallback Method
	for _, info := range Providers() {
		for _, m := range info.Methods {
			if m.Mode != CPM {
				continue
			}
			if m.Wallet == w && w != AnyWallet || info.CPM != nil && info.CPM(m, w) {
				return m
			}
			if m.Wallet == AnyWallet && fallback.Code == "" {
				fallback = m
			}
		}
	}
	return fallback
}

// ClassifyAuthCode guesses the wallet of a consumer-presented code from its
// shape (providers.md 2.3, M/L): WeChat 18 digits starting 10-15 (15 = Hong
// Kong wallets), Alipay 16-24 digits starting 25-30, UnionPay 19 digits
// starting 62. Anything else is AnyWallet: it is still sent, never refused.
func ClassifyAuthCode(code string) Wallet {
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return AnyWallet
		}
	}
	n := len(code)
	if n < 2 {
		return AnyWallet
	}
	p := int(code[0]-'0')*10 + int(code[1]-'0')
	switch {
	case n == 18 && p == 15:
		return WeChatHK
	case n == 18 && p >= 10 && p <= 14:
		return WeChat
	case n == 19 && p == 62:
		return UnionPay
	case n >= 16 && n <= 24 && p >= 25 && p <= 30:
		return Alipay
	}
	return AnyWallet
}

// MaskSecret shows only the last 4 characters of a secret or a customer's
// auth code, for logs and the journal.
func MaskSecret(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return "****"
	}
	out := make([]rune, len(r))
	for i := range r {
		if i < len(r)-4 {
			out[i] = '*'
		} else {
			out[i] = r[i]
		}
	}
	return string(out)
}

// PayableFor is how long an MPM order of this method stays payable at the
// provider when the terminal asks for d, and so how long the terminal
// keeps its sale open: what the provider's PayableFor says (QFPay takes
// expired_time in whole minutes from 5 to 120), or d when it says nothing
// (eftPay takes no lifetime from the terminal).
func (m Method) PayableFor(d time.Duration) time.Duration {
	if info := find(m.Provider); info != nil && info.PayableFor != nil {
		return info.PayableFor(m, d)
	}
	return d
}
