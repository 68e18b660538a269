package payments

import (
	"strings"
	"testing"
)

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Methods() {
		if seen[m.ID()] {
			t.Errorf("duplicate method %s", m.ID())
		}
		seen[m.ID()] = true
		if m.Name == "" || m.Wallet == "" {
			t.Errorf("%s: no name or wallet", m.ID())
		}
		switch m.Provider {
		case Eftpay:
			if m.PayType == "" || m.Services.PreOrder == "" {
				t.Errorf("%s: eftPay method without paytype or service", m.ID())
			}
			if m.CanClose != (m.Services.Close != "") || (m.Mode != Token && m.CanRefund != (m.Services.Refund != "")) {
				t.Errorf("%s: flags disagree with services", m.ID())
			}
			if m.Mode == CPM {
				t.Errorf("%s: eftPay VMP has no CPM service", m.ID())
			}
		case QFPay:
			if len(m.Code) != 6 {
				t.Errorf("%s: QFPay pay_type must be 6 digits", m.ID())
			}
			if m.Mode == CPM != strings.HasSuffix(m.Code, "08") {
				t.Errorf("%s: CPM pay types end in 08", m.ID())
			}
		}
	}
	// Facts from the seeds.
	facts := []struct {
		id                      string
		close, refund, notifies bool
	}{
		{"eftpay:PAYME", false, true, false},
		{"eftpay:FPS", false, false, false},
		{"eftpay:GBPAY", false, true, true},
		{"eftpay:ALIPAYHK", true, true, true},
		{"qfpay:802001", false, false, true},
		{"qfpay:800008", true, true, true},
	}
	for _, f := range facts {
		m, err := LookupMethodID(f.id)
		if err != nil {
			t.Fatal(err)
		}
		if m.CanClose != f.close || m.CanRefund != f.refund || m.Notifies != f.notifies {
			t.Errorf("%s: close=%v refund=%v notifies=%v", f.id, m.CanClose, m.CanRefund, m.Notifies)
		}
	}
	if len(MethodsOf(QFPay)) != 13 {
		t.Errorf("QFPay in-store methods = %d, want 7 MPM + 6 CPM", len(MethodsOf(QFPay)))
	}
	if _, err := LookupMethod(Eftpay, "800101"); err == nil {
		t.Error("cross-provider lookup succeeded")
	}
	m, _ := LookupMethod(Eftpay, "WECHATHK")
	if m.Services.Query != "service.wechat.qrcode.Query" || m.PayType != "WeChat" {
		t.Errorf("WECHATHK = %+v", m)
	}
}

// TestCancelTable: how each method's unpaid order ends, as QFPay's Reversal
// API guide (providers.md 2.2) and eftPay's services (1.3) say, and
// CanClose agreeing with it.
func TestCancelTable(t *testing.T) {
	want := map[string]CancelKind{
		"qfpay:800101": CancelReversal, "qfpay:801501": CancelReversal, "qfpay:800201": CancelReversal, "qfpay:800108": CancelReversal,
		"qfpay:800008": CancelClose, "qfpay:800208": CancelClose, "qfpay:801008": CancelClose,
		"qfpay:805801": CancelNone, "qfpay:805808": CancelNone, "qfpay:802001": CancelNone,
		"qfpay:800701": CancelNone, "qfpay:800708": CancelNone, "qfpay:803701": CancelNone,
		"eftpay:ALIPAYCN": CancelClose, "eftpay:ALIPAYHK": CancelClose, "eftpay:ALIPAYBOTH": CancelClose,
		"eftpay:WECHATCN": CancelClose, "eftpay:WECHATHK": CancelClose, "eftpay:ATOME": CancelClose, "eftpay:UNIONPAY": CancelClose,
		"eftpay:GBPAY": CancelNone, "eftpay:PAYME": CancelNone, "eftpay:FPS": CancelNone, "eftpay:MPGS": CancelNone,
	}
	if len(want) != len(Methods()) {
		t.Errorf("the table names %d methods, the catalogue has %d", len(want), len(Methods()))
	}
	for _, m := range Methods() {
		if m.Cancel != want[m.ID()] {
			t.Errorf("%s: cancel %q, want %q", m.ID(), m.Cancel, want[m.ID()])
		}
		if m.CanClose != (m.Cancel != CancelNone) {
			t.Errorf("%s: CanClose %v disagrees with cancel %q", m.ID(), m.CanClose, m.Cancel)
		}
		if m.Provider == Eftpay && (m.Cancel == CancelClose) != (m.Services.Close != "") {
			t.Errorf("%s: cancel %q but close service %q", m.ID(), m.Cancel, m.Services.Close)
		}
	}
}

func TestClassifyAuthCode(t *testing.T) {
	tests := map[string]Wallet{
		"134567890123456789":  WeChat,
		"154567890123456789":  WeChatHK,
		"283854702356157409":  Alipay,
		"2838547023561574":    Alipay,
		"6212345678901234567": UnionPay,
		"999":                 AnyWallet,
		"12345678901234567X":  AnyWallet,
		"":                    AnyWallet,
		"194567890123456789":  AnyWallet,
	}
	for code, want := range tests {
		if got := ClassifyAuthCode(code); got != want {
			t.Errorf("ClassifyAuthCode(%q) = %s, want %s", code, got, want)
		}
	}
	if CPMMethodFor(AnyWallet).Code != "800008" || CPMMethodFor(WeChatHK).Code != "801008" {
		t.Error("CPMMethodFor picked the wrong pay type")
	}
}

func TestMaskSecret(t *testing.T) {
	if got := MaskSecret("283854702356157409"); got != "**************7409" {
		t.Errorf("MaskSecret = %q", got)
	}
	if got := MaskSecret("abc"); got != "****" {
		t.Errorf("short secret = %q", got)
	}
}
