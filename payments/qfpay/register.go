package qfpay

import (
	"time"

	"qrpos/payments"
)

// Name is QFPay's key in method IDs, the profile and notification routes.
const Name = payments.QFPay

// Range is what the terminal lets through to QFPay: at least one minor
// unit, and txamt fits QFPay's Int(11).
var Range = payments.Range{Min: 1, Max: 99_999_999_999}

// QFPay's bounds on an MPM order's expired_time (providers.md 2.2).
const (
	MinExpiry = 5 * time.Minute
	MaxExpiry = 120 * time.Minute
)

// The profile's [qfpay] table.
const (
	SettingBaseURL   = "base_url"
	SettingAppCode   = "app_code"
	SettingClientKey = "client_key"
	SettingMchID     = "mchid"
	SettingSignType  = "sign_type"
)

func init() {
	payments.RegisterProvider(payments.ProviderInfo{
		Name:    Name,
		Title:   "QFPay",
		Range:   Range,
		Methods: methods,
		Settings: []payments.Setting{
			{Key: SettingBaseURL, Label: "Base URL", Required: true},
			{Key: SettingAppCode, Label: "App code", Required: true},
			{Key: SettingClientKey, Label: "Client key", Secret: true, Required: true},
			{Key: SettingMchID, Label: "Merchant id (mchid)"},
			{Key: SettingSignType, Label: "Signature", Choices: []string{"MD5", "SHA256"}, Default: "MD5"},
		},
		HostKey: SettingBaseURL,
		Validate: func(s payments.Settings) error {
			_, err := ParseSignType(s[SettingSignType])
			return err
		},
		New: func(s payments.Settings, env payments.GatewayEnv) (payments.Gateway, error) {
			st, err := ParseSignType(s[SettingSignType])
			if err != nil {
				return nil, err
			}
			g, err := New(Config{BaseURL: s[SettingBaseURL], AppCode: s[SettingAppCode], ClientKey: s[SettingClientKey],
				MchID: s[SettingMchID], SignType: st, TID: env.TID, Timeout: env.Timeout, Logger: env.Logger})
			if err != nil {
				return nil, err
			}
			return g, nil
		},
		PayableFor: payableFor,
		// The Alipay CPM pay type takes AlipayHK codes too (providers.md 2.3).
		CPM: func(m payments.Method, w payments.Wallet) bool { return m.Code == "800108" && w == payments.AlipayHK },
	})
}

// payableFor: QFPay takes an MPM order's expired_time in whole minutes
// from 5 to 120, so d is rounded up and kept within them.
func payableFor(m payments.Method, d time.Duration) time.Duration {
	if m.Mode != payments.MPM {
		return d
	}
	d = (d + time.Minute - 1) / time.Minute * time.Minute
	return min(max(d, MinExpiry), MaxExpiry)
}

// row is a QFPay in-store row.
func row(code string, w payments.Wallet, name string, mode payments.Mode, cancel payments.CancelKind, refund bool) payments.Method {
	return payments.Method{Provider: Name, Code: code, Wallet: w, Name: name, Mode: mode, Cancel: cancel,
		CanClose: cancel != payments.CancelNone, CanRefund: refund, Notifies: true}
}

// methods are QFPay's in-store rows of the catalogue: MPM (seed pay types)
// and CPM (providers.md 2.3). How an unpaid order ends follows QFPay's
// Reversal API guide (providers.md 2.2): reversal for Alipay MPM and CPM
// and WeChat MPM, close for the unified and WeChat CPM codes, nothing for
// the Hong Kong pay types.
var methods = []payments.Method{
	row("800101", payments.Alipay, "Alipay", payments.MPM, payments.CancelReversal, true),
	row("801501", payments.AlipayHK, "AlipayHK", payments.MPM, payments.CancelReversal, true),
	row("800201", payments.WeChat, "WeChat Pay", payments.MPM, payments.CancelReversal, true),
	row("805801", payments.PayMe, "PayMe", payments.MPM, payments.CancelNone, true),
	row("802001", payments.FPS, "FPS", payments.MPM, payments.CancelNone, false),
	row("800701", payments.UnionPay, "UnionPay", payments.MPM, payments.CancelNone, true),
	row("803701", payments.Octopus, "Octopus", payments.MPM, payments.CancelNone, true),
	row("800008", payments.AnyWallet, "Customer wallet code", payments.CPM, payments.CancelClose, true),
	row("800108", payments.Alipay, "Alipay", payments.CPM, payments.CancelReversal, true),
	row("800208", payments.WeChat, "WeChat Pay", payments.CPM, payments.CancelClose, true),
	row("801008", payments.WeChatHK, "WeChat Pay HK", payments.CPM, payments.CancelClose, true),
	row("805808", payments.PayMe, "PayMe", payments.CPM, payments.CancelNone, true),
	row("800708", payments.UnionPay, "UnionPay", payments.CPM, payments.CancelNone, true),
}
