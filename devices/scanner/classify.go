package scanner

// Wallet names returned by Classify.
const (
	WalletWeChat   = "wechat"
	WalletWeChatHK = "wechathk"
	WalletAlipay   = "alipay"
	WalletUnionPay = "unionpay"
	WalletUnknown  = "unknown"
)

// Classify guesses the wallet of a consumer-presented code from its shape
// (providers.md 2.3): WeChat 18 digits starting 10-15 (15 = Hong Kong
// wallets, "wechathk"), Alipay 16-24 digits starting 25-30, UnionPay 19
// digits starting 62; anything else is "unknown", which callers still send
// on (to the unified pay type), never refuse.
func Classify(code string) string {
	n := len(code)
	if n < 2 {
		return WalletUnknown
	}
	for i := 0; i < n; i++ {
		if code[i] < '0' || code[i] > '9' {
			return WalletUnknown
		}
	}
	p := int(code[0]-'0')*10 + int(code[1]-'0')
	switch {
	case n == 18 && p == 15:
		return WalletWeChatHK
	case n == 18 && p >= 10 && p <= 14:
		return WalletWeChat
	case n == 19 && p == 62:
		return WalletUnionPay
	case n >= 16 && n <= 24 && p >= 25 && p <= 30:
		return WalletAlipay
	}
	return WalletUnknown
}

// Mask hides all but the last 4 characters of a scanned code, for logs.
func Mask(code string) string {
	r := []rune(code)
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
