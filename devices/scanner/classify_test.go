package scanner

import "testing"

// The table of payments.TestClassifyAuthCode plus the edges of each rule:
// the two must stay identical (providers.md 2.3).
func TestClassify(t *testing.T) {
	tests := map[string]string{
		"134567890123456789":        WalletWeChat,
		"104567890123456789":        WalletWeChat,
		"144567890123456789":        WalletWeChat,
		"154567890123456789":        WalletWeChatHK,
		"094567890123456789":        WalletUnknown,
		"13456789012345678":         WalletUnknown, // 17 digits
		"283854702356157409":        WalletAlipay,
		"2838547023561574":          WalletAlipay,
		"250000000000000000000000":  WalletAlipay,  // 24 digits
		"2500000000000000000000000": WalletUnknown, // 25 digits
		"300000000000000":           WalletUnknown, // 15 digits
		"310000000000000000":        WalletUnknown,
		"6212345678901234567":       WalletUnionPay,
		"621234567890123456":        WalletUnknown, // 18 digits
		"999":                       WalletUnknown,
		"12345678901234567X":        WalletUnknown,
		"":                          WalletUnknown,
		"1":                         WalletUnknown,
		"194567890123456789":        WalletUnknown,
		"１３４５６７８９０１２３４５６７８９": WalletUnknown, // full-width digits
	}
	for code, want := range tests {
		if got := Classify(code); got != want {
			t.Errorf("Classify(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := map[string]string{
		"283854702356157409": "**************7409",
		"12345":              "*2345",
		"1234":               "****",
		"":                   "****",
		"訂單一二三四五":            "***二三四五",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
