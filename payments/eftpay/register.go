package eftpay

import (
	"qrpos/payments"
)

// Name is eftPay's key in method IDs, the profile and notification routes.
const Name = payments.Eftpay

// Range is eftPay's allowed transaction amount: 0.02 to 60000
// (providers.md 1.2, return_status -23 otherwise).
var Range = payments.Range{Min: 2, Max: 6_000_000}

// The profile's [eftpay] table.
const (
	SettingBaseURL        = "base_url"
	SettingUserConfirmKey = "user_confirm_key"
	SettingSecret         = "secret"
)

func init() {
	payments.RegisterProvider(payments.ProviderInfo{
		Name:    Name,
		Title:   "eftPay",
		Range:   Range,
		Methods: methods,
		Settings: []payments.Setting{
			{Key: SettingBaseURL, Label: "Base URL", Required: true},
			{Key: SettingUserConfirmKey, Label: "user_confirm_key", Required: true},
			{Key: SettingSecret, Label: "Secret", Secret: true, Required: true},
		},
		HostKey: SettingBaseURL,
		New: func(s payments.Settings, env payments.GatewayEnv) (payments.Gateway, error) {
			g, err := NewGateway(Config{BaseURL: s[SettingBaseURL], UserConfirmKey: s[SettingUserConfirmKey], Secret: s[SettingSecret],
				TID: env.TID, Timeout: env.Timeout, Logger: env.Logger})
			if err != nil {
				return nil, err
			}
			return g, nil
		},
	})
}

func services(prefix string, close, refund bool) payments.EftpayServices {
	s := payments.EftpayServices{PreOrder: prefix + ".PreOrder", Query: prefix + ".Query"}
	if close {
		s.Close = prefix + ".Close"
	}
	if refund {
		s.Refund = prefix + ".Refund"
	}
	return s
}

// mpm is an eftPay MPM row: its services follow from the wallet's service
// prefix; it closes with <prefix>.Close when it has one.
func mpm(code string, w payments.Wallet, name, payType, prefix string, close, refund, notifies bool) payments.Method {
	cancel := payments.CancelNone
	if close {
		cancel = payments.CancelClose
	}
	return payments.Method{Provider: Name, Code: code, Wallet: w, Name: name, Mode: payments.MPM, PayType: payType,
		Services: services(prefix, close, refund), Cancel: cancel, CanClose: close, CanRefund: refund, Notifies: notifies}
}

// methods are eftPay VMP's rows of the catalogue: merchant-presented QR
// only (providers.md 1.3), and the Apple Pay token.
var methods = []payments.Method{
	mpm("ALIPAYCN", payments.Alipay, "Alipay", "Alipay", "service.alipay.qrcode", true, true, true),
	mpm("ALIPAYHK", payments.AlipayHK, "AlipayHK", "Alipay", "service.alipay.qrcode", true, true, true),
	mpm("ALIPAYBOTH", payments.AlipayBoth, "Alipay / AlipayHK", "Alipay", "service.alipay.qrcode", true, true, true),
	mpm("WECHATCN", payments.WeChat, "WeChat Pay", "WeChat", "service.wechat.qrcode", true, true, true),
	mpm("WECHATHK", payments.WeChatHK, "WeChat Pay HK", "WeChat", "service.wechat.qrcode", true, true, true),
	mpm("ATOME", payments.Atome, "Atome", "ATOME", "service.atome.v1.qrcode", true, true, true),
	mpm("UNIONPAY", payments.UnionPay, "UnionPay", "UnionPay", "service.unionpay.qrcode.csb", true, true, true),
	mpm("GBPAY", payments.GBPay, "GBPay", "GBPAY", "api.service.gbpay.qrcode.cash", false, true, true),
	mpm("PAYME", payments.PayMe, "PayMe", "PAYME", "service.payme.qrcode", false, true, false),
	mpm("FPS", payments.FPS, "FPS", "FPS", "service.fps.qrcode", false, false, false),
	// Apple Pay token (seed eftpay-applepay-token.txt): final in the answer.
	{Provider: Name, Code: "MPGS", Wallet: payments.ApplePay, Name: "Apple Pay", Mode: payments.Token, PayType: "Mpgs",
		Services: payments.EftpayServices{PreOrder: "service.mpgs.token.ApplePay"}, Cancel: payments.CancelNone, Notifies: true},
}
