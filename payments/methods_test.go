package payments_test

import (
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	_ "qrpos/payments/providers"
)

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range payments.Methods() {
		if seen[m.ID()] {
			t.Errorf("duplicate method %s", m.ID())
		}
		seen[m.ID()] = true
		if m.Name == "" || m.Wallet == "" {
			t.Errorf("%s: no name or wallet", m.ID())
		}
		switch m.Provider {
		case payments.Eftpay:
			if m.PayType == "" || m.Services.PreOrder == "" {
				t.Errorf("%s: eftPay method without paytype or service", m.ID())
			}
			if m.CanClose != (m.Services.Close != "") || (m.Mode != payments.Token && m.CanRefund != (m.Services.Refund != "")) {
				t.Errorf("%s: flags disagree with services", m.ID())
			}
			if m.Mode == payments.CPM {
				t.Errorf("%s: eftPay VMP has no CPM service", m.ID())
			}
		case payments.QFPay:
			if len(m.Code) != 6 {
				t.Errorf("%s: QFPay pay_type must be 6 digits", m.ID())
			}
			if m.Mode == payments.CPM != strings.HasSuffix(m.Code, "08") {
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
		m, err := payments.LookupMethodID(f.id)
		if err != nil {
			t.Fatal(err)
		}
		if m.CanClose != f.close || m.CanRefund != f.refund || m.Notifies != f.notifies {
			t.Errorf("%s: close=%v refund=%v notifies=%v", f.id, m.CanClose, m.CanRefund, m.Notifies)
		}
	}
	if len(payments.MethodsOf(payments.QFPay)) != 13 {
		t.Errorf("QFPay in-store methods = %d, want 7 MPM + 6 CPM", len(payments.MethodsOf(payments.QFPay)))
	}
	if _, err := payments.LookupMethod(payments.Eftpay, "800101"); err == nil {
		t.Error("cross-provider lookup succeeded")
	}
	m, _ := payments.LookupMethod(payments.Eftpay, "WECHATHK")
	if m.Services.Query != "service.wechat.qrcode.Query" || m.PayType != "WeChat" {
		t.Errorf("WECHATHK = %+v", m)
	}
}

// TestCancelTable: how each method's unpaid order ends, as payments.QFPay's Reversal
// API guide (providers.md 2.2) and eftPay's services (1.3) say, and
// CanClose agreeing with it.
func TestCancelTable(t *testing.T) {
	want := map[string]payments.CancelKind{
		"qfpay:800101": payments.CancelReversal, "qfpay:801501": payments.CancelReversal, "qfpay:800201": payments.CancelReversal, "qfpay:800108": payments.CancelReversal,
		"qfpay:800008": payments.CancelClose, "qfpay:800208": payments.CancelClose, "qfpay:801008": payments.CancelClose,
		"qfpay:805801": payments.CancelNone, "qfpay:805808": payments.CancelNone, "qfpay:802001": payments.CancelNone,
		"qfpay:800701": payments.CancelNone, "qfpay:800708": payments.CancelNone, "qfpay:803701": payments.CancelNone,
		"eftpay:ALIPAYCN": payments.CancelClose, "eftpay:ALIPAYHK": payments.CancelClose, "eftpay:ALIPAYBOTH": payments.CancelClose,
		"eftpay:WECHATCN": payments.CancelClose, "eftpay:WECHATHK": payments.CancelClose, "eftpay:ATOME": payments.CancelClose, "eftpay:UNIONPAY": payments.CancelClose,
		"eftpay:GBPAY": payments.CancelNone, "eftpay:PAYME": payments.CancelNone, "eftpay:FPS": payments.CancelNone, "eftpay:MPGS": payments.CancelNone,
	}
	if len(want) != len(payments.Methods()) {
		t.Errorf("the table names %d methods, the catalogue has %d", len(want), len(payments.Methods()))
	}
	for _, m := range payments.Methods() {
		if m.Cancel != want[m.ID()] {
			t.Errorf("%s: cancel %q, want %q", m.ID(), m.Cancel, want[m.ID()])
		}
		if m.CanClose != (m.Cancel != payments.CancelNone) {
			t.Errorf("%s: CanClose %v disagrees with cancel %q", m.ID(), m.CanClose, m.Cancel)
		}
		if m.Provider == payments.Eftpay && (m.Cancel == payments.CancelClose) != (m.Services.Close != "") {
			t.Errorf("%s: cancel %q but close service %q", m.ID(), m.Cancel, m.Services.Close)
		}
	}
}

func TestClassifyAuthCode(t *testing.T) {
	tests := map[string]payments.Wallet{
		"134567890123456789":  payments.WeChat,
		"154567890123456789":  payments.WeChatHK,
		"283854702356157409":  payments.Alipay,
		"2838547023561574":    payments.Alipay,
		"6212345678901234567": payments.UnionPay,
		"999":                 payments.AnyWallet,
		"12345678901234567X":  payments.AnyWallet,
		"":                    payments.AnyWallet,
		"194567890123456789":  payments.AnyWallet,
	}
	for code, want := range tests {
		if got := payments.ClassifyAuthCode(code); got != want {
			t.Errorf("ClassifyAuthCode(%q) = %s, want %s", code, got, want)
		}
	}
	if payments.CPMMethodFor(payments.AnyWallet).Code != "800008" || payments.CPMMethodFor(payments.WeChatHK).Code != "801008" {
		t.Error("CPMMethodFor picked the wrong pay type")
	}
}

func TestMaskSecret(t *testing.T) {
	if got := payments.MaskSecret("283854702356157409"); got != "**************7409" {
		t.Errorf("MaskSecret = %q", got)
	}
	if got := payments.MaskSecret("abc"); got != "****" {
		t.Errorf("short secret = %q", got)
	}
}

// TestProvidersRegistered: what the shipped providers register beyond
// their rows: ranges, lifetimes, the CPM method of each wallet.
func TestProvidersRegistered(t *testing.T) {
	if got := payments.ProviderNames(); len(got) != 2 || got[0] != payments.Eftpay || got[1] != payments.QFPay {
		t.Fatalf("providers = %v", got)
	}
	if payments.RangeOf(payments.Eftpay) != (payments.Range{Min: 2, Max: 6_000_000}) || payments.RangeOf(payments.QFPay) != (payments.Range{Min: 1, Max: 99_999_999_999}) {
		t.Fatalf("ranges %v %v", payments.RangeOf(payments.Eftpay), payments.RangeOf(payments.QFPay))
	}
	if payments.WidestRange() != (payments.Range{Min: 1, Max: 99_999_999_999}) {
		t.Fatalf("widest %v", payments.WidestRange())
	}
	qmpm, _ := payments.LookupMethod(payments.QFPay, "800101")
	qcpm, _ := payments.LookupMethod(payments.QFPay, "800208")
	emp, _ := payments.LookupMethod(payments.Eftpay, "ALIPAYHK")
	for _, tc := range []struct {
		m         payments.Method
		ask, want time.Duration
	}{
		{qmpm, 2 * time.Minute, 5 * time.Minute}, {qmpm, 7*time.Minute + time.Second, 8 * time.Minute},
		{qmpm, 5 * time.Hour, 120 * time.Minute}, {qcpm, 2 * time.Minute, 2 * time.Minute}, {emp, 2 * time.Minute, 2 * time.Minute},
	} {
		if got := tc.m.PayableFor(tc.ask); got != tc.want {
			t.Errorf("%s PayableFor(%v) = %v, want %v", tc.m.ID(), tc.ask, got, tc.want)
		}
	}
	for w, code := range map[payments.Wallet]string{payments.Alipay: "800108", payments.AlipayHK: "800108", payments.WeChat: "800208",
		payments.WeChatHK: "801008", payments.UnionPay: "800708", payments.AnyWallet: "800008", payments.Octopus: "800008"} {
		if got := payments.CPMMethodFor(w); got.Code != code || got.Provider != payments.QFPay {
			t.Errorf("CPMMethodFor(%s) = %s, want qfpay:%s", w, got.ID(), code)
		}
	}
	if _, err := payments.ParseProvider("alipay"); err == nil || !strings.Contains(err.Error(), "use eftpay or qfpay") {
		t.Errorf("ParseProvider(alipay) = %v", err)
	}
}
