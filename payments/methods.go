package payments

import (
	"fmt"
	"sort"
	"time"
)

// Provider names a payment gateway.
type Provider string

// The two gateways the terminal speaks to.
const (
	Eftpay Provider = "eftpay"
	QFPay  Provider = "qfpay"
)

// ParseProvider accepts "eftpay" or "qfpay".
func ParseProvider(s string) (Provider, error) {
	switch Provider(s) {
	case Eftpay, QFPay:
		return Provider(s), nil
	}
	return "", fmt.Errorf("provider %q is not known (use eftpay or qfpay)", s)
}

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

func eftSvc(prefix string, close, refund bool) EftpayServices {
	s := EftpayServices{PreOrder: prefix + ".PreOrder", Query: prefix + ".Query"}
	if close {
		s.Close = prefix + ".Close"
	}
	if refund {
		s.Refund = prefix + ".Refund"
	}
	return s
}

// eft is an eftPay MPM row: its services follow from the wallet's service
// prefix; it closes with <prefix>.Close when it has one.
func eft(code string, w Wallet, name, payType, prefix string, close, refund, notifies bool) Method {
	cancel := CancelNone
	if close {
		cancel = CancelClose
	}
	return Method{Provider: Eftpay, Code: code, Wallet: w, Name: name, Mode: MPM, PayType: payType,
		Services: eftSvc(prefix, close, refund), Cancel: cancel, CanClose: close, CanRefund: refund, Notifies: notifies}
}

// qf is a QFPay in-store row.
func qf(code string, w Wallet, name string, mode Mode, cancel CancelKind, refund bool) Method {
	return Method{Provider: QFPay, Code: code, Wallet: w, Name: name, Mode: mode, Cancel: cancel,
		CanClose: cancel != CancelNone, CanRefund: refund, Notifies: true}
}

// catalogue is the one table of every method in the seeds. Nothing else in
// the project spells a provider's method code.
var catalogue = []Method{
	// eftPay VMP: merchant-presented QR only (providers.md 1.3).
	eft("ALIPAYCN", Alipay, "Alipay", "Alipay", "service.alipay.qrcode", true, true, true),
	eft("ALIPAYHK", AlipayHK, "AlipayHK", "Alipay", "service.alipay.qrcode", true, true, true),
	eft("ALIPAYBOTH", AlipayBoth, "Alipay / AlipayHK", "Alipay", "service.alipay.qrcode", true, true, true),
	eft("WECHATCN", WeChat, "WeChat Pay", "WeChat", "service.wechat.qrcode", true, true, true),
	eft("WECHATHK", WeChatHK, "WeChat Pay HK", "WeChat", "service.wechat.qrcode", true, true, true),
	eft("ATOME", Atome, "Atome", "ATOME", "service.atome.v1.qrcode", true, true, true),
	eft("UNIONPAY", UnionPay, "UnionPay", "UnionPay", "service.unionpay.qrcode.csb", true, true, true),
	eft("GBPAY", GBPay, "GBPay", "GBPAY", "api.service.gbpay.qrcode.cash", false, true, true),
	eft("PAYME", PayMe, "PayMe", "PAYME", "service.payme.qrcode", false, true, false),
	eft("FPS", FPS, "FPS", "FPS", "service.fps.qrcode", false, false, false),
	// Apple Pay token (seed eftpay-applepay-token.txt): final in the answer.
	{Provider: Eftpay, Code: "MPGS", Wallet: ApplePay, Name: "Apple Pay", Mode: Token, PayType: "Mpgs",
		Services: EftpayServices{PreOrder: "service.mpgs.token.ApplePay"}, Cancel: CancelNone, Notifies: true},

	// QFPay in-store MPM (seed pay types) and CPM (providers.md 2.3). How
	// an unpaid order ends follows QFPay's Reversal API guide (providers.md
	// 2.2): reversal for Alipay MPM and CPM and WeChat MPM, close for the
	// unified and WeChat CPM codes, nothing for the Hong Kong pay types.
	qf("800101", Alipay, "Alipay", MPM, CancelReversal, true),
	qf("801501", AlipayHK, "AlipayHK", MPM, CancelReversal, true),
	qf("800201", WeChat, "WeChat Pay", MPM, CancelReversal, true),
	qf("805801", PayMe, "PayMe", MPM, CancelNone, true),
	qf("802001", FPS, "FPS", MPM, CancelNone, false),
	qf("800701", UnionPay, "UnionPay", MPM, CancelNone, true),
	qf("803701", Octopus, "Octopus", MPM, CancelNone, true),
	qf("800008", AnyWallet, "Customer wallet code", CPM, CancelClose, true),
	qf("800108", Alipay, "Alipay", CPM, CancelReversal, true),
	qf("800208", WeChat, "WeChat Pay", CPM, CancelClose, true),
	qf("801008", WeChatHK, "WeChat Pay HK", CPM, CancelClose, true),
	qf("805808", PayMe, "PayMe", CPM, CancelNone, true),
	qf("800708", UnionPay, "UnionPay", CPM, CancelNone, true),
}

// Methods returns the whole catalogue, in its fixed order.
func Methods() []Method {
	return append([]Method(nil), catalogue...)
}

// MethodsOf returns the catalogue rows of one provider.
func MethodsOf(p Provider) []Method {
	var out []Method
	for _, m := range catalogue {
		if m.Provider == p {
			out = append(out, m)
		}
	}
	return out
}

// LookupMethod finds a method by provider and the provider's own code.
func LookupMethod(p Provider, code string) (Method, error) {
	for _, m := range catalogue {
		if m.Provider == p && m.Code == code {
			return m, nil
		}
	}
	var codes []string
	for _, m := range MethodsOf(p) {
		codes = append(codes, m.Code)
	}
	sort.Strings(codes)
	return Method{}, fmt.Errorf("%s has no method %q (known: %v)", p, code, codes)
}

// LookupMethodID finds a method by its ID ("qfpay:800101").
func LookupMethodID(id string) (Method, error) {
	for _, m := range catalogue {
		if m.ID() == id {
			return m, nil
		}
	}
	return Method{}, fmt.Errorf("no payment method %q", id)
}

// CPMMethodFor picks the QFPay CPM pay type for a scanned code's wallet;
// unknown shapes go to the unified code 800008 (providers.md 2.3).
func CPMMethodFor(w Wallet) Method {
	code := "800008"
	switch w {
	case Alipay, AlipayHK:
		code = "800108"
	case WeChat:
		code = "800208"
	case WeChatHK:
		code = "801008"
	case UnionPay:
		code = "800708"
	}
	m, _ := LookupMethod(QFPay, code)
	return m
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

// QFPay's bounds on an MPM order's expired_time (providers.md 2.2).
const (
	QFPayMinExpiry = 5 * time.Minute
	QFPayMaxExpiry = 120 * time.Minute
)

// PayableFor is how long an MPM order of this method stays payable at the
// provider when the terminal asks for d, and so how long the terminal
// keeps its sale open: QFPay takes expired_time in whole minutes from 5 to
// 120, so d is rounded up and kept within them; eftPay takes no lifetime
// from the terminal, so d stands.
func (m Method) PayableFor(d time.Duration) time.Duration {
	if m.Provider != QFPay || m.Mode != MPM {
		return d
	}
	d = (d + time.Minute - 1) / time.Minute * time.Minute
	return min(max(d, QFPayMinExpiry), QFPayMaxExpiry)
}
